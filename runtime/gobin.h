/* gobin: what a Go binary says about itself, without its ELF symbols.
 *
 * Every Go executable, stripped or not, carries .go.buildinfo (the
 * toolchain version) and .gopclntab (the runtime's own function table:
 * name, entry and end of every function). hark reads them to attach
 * uprobes by name in stripped binaries, to know which Go ABI to expect,
 * and to find a function's RET instructions (Go return probes must not
 * be uretprobes: the Go runtime moves stacks).
 */
#ifndef HARK_GOBIN_H
#define HARK_GOBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gobin_func {
	const char *name;   /* as Go prints it: "main.spawn.func1" */
	uint64_t entry;     /* virtual address in the file's layout */
	uint64_t end;       /* next function's entry (exclusive) */
};

struct gobin {
	char *path;
	char version[64];   /* "go1.19.8"; "" when .go.buildinfo is absent */
	int major, minor;   /* 1, 19; 0, 0 when unknown */
	bool is_dyn;        /* ET_DYN: addresses are relative to the load bias */
	bool is_pie;        /* ET_DYN and an executable (PT_INTERP or DF_1_PIE) */
	uint32_t pcln_magic;  /* 0xfffffffb (1.2), ...fa (1.16), ...f0 (1.18), ...f1 (1.20+) */
	uint64_t text_start;  /* runtime.text: base of 1.18+ pclntab entry offsets */
	struct gobin_func *funcs;  /* in pclntab order: sorted by entry */
	size_t nfuncs;
};

/* Read path's Go build info and pclntab. Returns 0, -ENOENT (no file),
 * -ENOEXEC (not ELF, or no Go pclntab/buildinfo), -EINVAL (malformed
 * pclntab), -ENOMEM. */
int gobin__open(const char *path, struct gobin **out);
void gobin__free(struct gobin *g);

/* Exact name lookup; NULL if absent. */
const struct gobin_func *gobin__find(const struct gobin *g, const char *name);

/* Virtual addresses of every RET in [func_addr, func_end) of the file at
 * path (g's file; g gives the address -> file offset mapping), found by
 * disassembling the whole range with capstone. *offsets is malloc'd (NULL
 * when *n == 0). Returns 0 or -errno. */
int gobin_ret_sites(const struct gobin *g, const char *path, uint64_t func_addr,
		    uint64_t func_end, uint64_t **offsets, int *n);

#endif

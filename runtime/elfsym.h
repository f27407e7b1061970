/* elfsym: function symbols of ELF files (libelf), and binary name lookup.
 *
 * Reads .symtab and .dynsym (STT_FUNC and STT_GNU_IFUNC, defined), keeps
 * them sorted by address, and maps each symbol's virtual address to the
 * file offset uprobes need (through the PT_LOAD program headers).
 */
#ifndef HARK_ELFSYM_H
#define HARK_ELFSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_sym {
	char *name;
	uint64_t addr;      /* st_value (virtual address in the file's layout) */
	uint64_t size;      /* st_size */
	uint64_t file_off;  /* file offset of addr, for uprobe attachment */
};

struct elf_syms {
	char *path;
	struct elf_sym *syms;  /* sorted by addr, duplicates (same name+addr) removed */
	size_t nsyms;
	bool is_dyn;           /* ET_DYN (PIE or shared library) */
	/* PT_LOAD segments, to map addresses <-> file offsets */
	struct { uint64_t vaddr, memsz, off, filesz; uint32_t flags; } *segs;
	int nsegs;
};

/* Open path and read its function symbols. Returns 0 or -errno
 * (-ENOENT missing file, -ENOEXEC not ELF). */
int elf_syms__open(const char *path, struct elf_syms **out);
void elf_syms__free(struct elf_syms *s);

/* Added: elf_syms__open() is elf_syms__open_opts(path, 0, out). Like
 * bpftrace (bcc), the separate debug file is read too when installed
 * (/usr/lib/debug/.build-id/..., .gnu_debuglink), so libc6-dbg's local
 * names such as __GI___nanosleep are listed and attachable. */
enum {
	ELF_SYMS_NO_DEBUG  = 1 << 0, /* only the file's own symbol tables */
	ELF_SYMS_BCC_ORDER = 1 << 1, /* all aliases kept, in bcc's std::sort order
				      * (for symbolizing exactly as bpftrace) */
};
int elf_syms__open_opts(const char *path, unsigned flags, struct elf_syms **out);
/* Added: sort by addr exactly as bcc's std::sort does (ties included);
 * also used for /proc/kallsyms. */
void elf_syms_sort_bcc(struct elf_sym *syms, size_t n);

/* Exact name lookup (first match). NULL if absent. */
const struct elf_sym *elf_syms__find(const struct elf_syms *s, const char *name);
/* Symbol containing vaddr (addr <= vaddr < addr+size, or the nearest
 * preceding symbol when sizes are 0). NULL if none. */
const struct elf_sym *elf_syms__lookup(const struct elf_syms *s, uint64_t vaddr);
/* Call cb for every symbol whose name matches the glob (* and ?), in
 * address order, each name once. Returns the number of matches, or the
 * first negative value cb returned. */
int elf_syms__match(const struct elf_syms *s, const char *glob,
		    int (*cb)(const struct elf_sym *sym, void *ctx), void *ctx);
/* File offset <-> virtual address; return 0 on success, -ENOENT if outside
 * every PT_LOAD segment. */
int elf_vaddr_to_off(const struct elf_syms *s, uint64_t vaddr, uint64_t *off);
int elf_off_to_vaddr(const struct elf_syms *s, uint64_t off, uint64_t *vaddr);

/* Resolve a binary as written in an attach point into an absolute path:
 *  - contains '/': used as is (made absolute), must exist;
 *  - a library name ("libc", "libc.so.6", "libpthread"): looked up like the
 *    dynamic loader (the mapped files of pid when pid > 0, then
 *    /etc/ld.so.cache through `ldconfig -p` semantics, then the standard
 *    library directories), "libNAME.so*" matched;
 *  - otherwise a program name searched in $PATH.
 * Returns 0 and writes out, or -ENOENT. */
int elf_resolve_binary(const char *name, int pid, char *out, size_t outsz);

#endif

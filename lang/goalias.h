/* goalias: Go probe aliases and the named arguments they offer.
 *
 * An alias (`mapassign`, `growslice`, ...) stands for a family of Go runtime
 * functions; only the members present in the binary are attached. Each
 * named argument (`map`, `cap`, `newlen`, ...) has a recipe that says how
 * BPF computes it from the registers of Go's register ABI (amd64: RAX RBX
 * RCX RDI RSI R8 R9 R10 R11 carry the arguments, R14 holds the current g)
 * for a Go version range and map implementation. The tables here are the
 * single place where Go's runtime signatures and layouts are written down,
 * with the versions each entry holds for.
 */
#ifndef HARK_GOALIAS_H
#define HARK_GOALIAS_H

#include <stdbool.h>
#include <stdint.h>

#include "types.h"

enum go_alias {
	GA_NONE = -1,
	GA_MAPASSIGN, GA_MAPACCESS, GA_MAPDELETE, GA_MAKEMAP, GA_MAPGROW,
	GA_GROWSLICE, GA_MALLOCGC, GA_NEWPROC, GA_GCSTART, GA_GOPARK,
	GA_NALIASES,
};

/* What a member function's key argument is (mapassign/mapaccess/mapdelete). */
enum go_keykind { GK_NONE, GK_PTR, GK_U32, GK_U64, GK_STR };

struct go_func {
	const char *name;      /* runtime symbol */
	enum go_alias alias;
	enum go_keykind key;
	uint8_t min_minor, max_minor; /* Go 1.x versions that have it (0 = any) */
	uint8_t map_reg;       /* register index (Go ABI order) of the map header, 0xff none */
};

/* Recipes (grep "GO RECIPES" in codegen/cg_go.c) */
enum go_op {
	GO_REG,       /* register r1 */
	GO_REG32,     /* low 32 bits of r1 */
	GO_REG8,      /* low 8 bits of r1 */
	GO_DEREF,     /* u64 at r1 + off */
	GO_TYPESIZE,  /* size of the *_type at (r1 + off), or at r1 when off < 0 */
	GO_MAPCOUNT,  /* map header in r1: element count */
	GO_MAPCAP,    /* map header in r1: slot capacity (classic or Swiss) */
	GO_DIFF,      /* r1 - r2 */
	GO_STR,       /* Go string: pointer r1, length r2 */
	GO_ZERO,
};

struct go_arg {
	const char *name;
	enum go_op op;
	int8_t r1, r2;
	int16_t off;
	bool ret;       /* available at return probes (goret) rather than entry */
	bool is_signed;
};

/* A resolved site: what sema and codegen need to know about one Go probe. */
struct go_site {
	bool is_go;           /* a Go function: register ABI, goid, ... */
	bool abi0;            /* assembly function (stack ABI) */
	uint8_t minor;        /* Go 1.minor of the binary */
	bool swiss;           /* Swiss-table maps (Go 1.24+) */
	int16_t fn;           /* index in go_funcs, -1 for a plain uprobe */
};

extern const struct go_func go_funcs[];
extern const int go_nfuncs;

/* Alias by name ("mapassign"); GA_NONE if it is not one. */
enum go_alias go_alias_find(const char *name);
const char *go_alias_name(enum go_alias a);

/* The named arguments of fn at a Go version, entry or return side; n set
 * to their count. */
const struct go_arg *go_args(int fn, uint8_t minor, bool ret, int *n);
/* One named argument, or NULL. */
const struct go_arg *go_arg_find(int fn, uint8_t minor, bool ret, const char *name);
/* Type of a recipe's value. */
struct ty go_arg_type(const struct go_arg *a);

/* g.goid offset for Go 1.minor. */
int go_goid_offset(uint8_t minor);

/* Register index (Go ABI order) -> struct pt_regs offset. */
int go_reg_offset(int reg);

#endif

/* sema: names, types and checks, between parsing and codegen.
 *
 * Runs after runtime/resolve.c has attached a probe_info to every probe.
 * Resolves identifiers to builtins and calls to functions, gives every
 * expression a type, fixes each map's key types and value kind (a map keeps
 * one of each), assigns variable slots and printf ids, and checks printf
 * formats against their arguments. Every misuse is a located diagnostic.
 *
 * Its results are plain data in the plan (maps, formats) that codegen
 * completes and the runtime reads.
 */
#ifndef HARK_SEMA_H
#define HARK_SEMA_H

#include "../codegen/plan.h"
#include "ast.h"
#include "diag.h"

struct sema_opts {
	char **pos_args;   /* positional parameters $1..$N */
	int npos_args;
	uint32_t max_keys; /* default map size */
	int cpid;          /* -c: the command's pid (cpid); 0 without -c */
	bool unsafe;       /* --unsafe: system() and signal() allowed */
};

/* for loops nest this deep: each is a BPF callback frame, and the kernel
 * allows 8 frames (the program, the loops, and the helpers under them). */
#define SEMA_MAX_FOR 3

/* Builtins (node->builtin of AST_IDENT). grep "ORDER BUILTIN" */
enum builtin {
	B_NONE = 0,
	B_PID, B_TID, B_UID, B_GID, B_CPU, B_COMM, B_NSECS, B_ELAPSED, B_RAND,
	B_FUNC, B_PROBE, B_RETVAL, B_ARG, /* node->ival = N for argN */
	B_ARGS, B_USTACK, B_KSTACK, B_CGROUP,
	B_GOID, B_GODEPTH, /* Go probes: goroutine id, stack depth (g.stack.hi - SP) */
	B_GOARG,            /* a Go alias's named argument (lang/goalias.h), by name */
	B_CALLER,           /* the function that called the probed one (a user symbol) */
	/* AST_FIELD of a for loop's variable: $kv.0 (id: key index) and $kv.1;
	 * ival: the loop's level, 0 for the outermost */
	B_FOR_KEY, B_FOR_VALUE,
	B_FOR_PAIR, /* AST_VAR: a loop's $kv, as print($kv) takes it; ival: level */
};

/* Functions (node->builtin of AST_CALL). grep "ORDER FUNC" */
enum func {
	F_NONE = 0,
	F_COUNT, F_SUM, F_AVG, F_MIN, F_MAX, F_STATS, F_HIST, F_LHIST,
	F_PRINTF, F_PRINT, F_CLEAR, F_ZERO, F_DELETE, F_EXIT, F_STR,
	F_USTACK, F_KSTACK,
	F_USYM, F_KSYM, F_UADDR,
	F_HAS_KEY, F_LEN, F_TIME,
	F_SYSTEM, F_SIGNAL, /* side effects on the host: only with --unsafe */
};

/* Per-probe data sema leaves in probe_info-independent form. */
struct sema_probe {
	int nvars;            /* scratch variable slots */
	struct ty *var_ty;    /* type of each slot */
	uint32_t max_event;   /* largest printf/print event the body builds */
};

int sema_run(struct ast *ast, const struct sema_opts *opts, struct plan *plan, struct diags *d);

/* Map of a node (AST_MAP) after sema. */
static inline struct plan_map *sema_map(struct plan *plan, const struct ast_node *n)
{
	return &plan->maps[n->id];
}

/* "Did you mean": feed candidates one by one, then ask for the closest.
 * Candidates within a small edit distance (with transpositions) of `word`
 * are kept, up to SEMA_SUGGEST_MAX tied for the best; the text is copied,
 * so candidates may be temporary. Used by sema and runtime/resolve.c. */
#define SEMA_SUGGEST_MAX 3
struct sema_suggest {
	const char *word;
	int best;                              /* distance of the kept candidates */
	int n;
	char cand[SEMA_SUGGEST_MAX][128];
};
void sema_suggest__init(struct sema_suggest *sg, const char *word);
void sema_suggest__add(struct sema_suggest *sg, const char *cand);
/* "'Pa'", "'Pa' or 'Pb'", "'Pa', 'Pb' or 'Pc'" (P = prefix) into buf;
 * false if no candidate. */
bool sema_suggest__text(const struct sema_suggest *sg, const char *prefix, char *buf, size_t size);

/* Size of a value of type t in maps, variables and events. */
uint32_t ty_storage_size(struct ty t);

#endif

/* ast: the syntax tree of a hark program.
 *
 * One node struct for every kind (chibicc style). Lists are singly linked
 * through `next`. Every node has a span. All nodes and strings live in the
 * arena of their `struct ast`, freed at once by ast__free().
 *
 * The parser fills only the syntactic fields; sema (lang/sema.c) fills
 * `ty` and the resolved fields marked "sema:".
 */
#ifndef HARK_AST_H
#define HARK_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "types.h"

enum ast_kind {
	/* expressions */
	AST_INT,      /* ival; text of the literal kept in name */
	AST_STR,      /* sval (escapes decoded), slen */
	AST_IDENT,    /* name: a builtin (pid, arg0, ustack, ...) or bare word */
	AST_VAR,      /* name: "$x" scratch variable (name without '$') */
	AST_POSPARAM, /* ival: N of $N */
	AST_POSCOUNT, /* $# */
	AST_MAP,      /* name: "@x" or "@" (name is "" for @); args: key exprs (NULL if none) */
	AST_CALL,     /* name: function name; args: argument list */
	AST_BINOP,    /* op; lhs, rhs */
	AST_UNOP,     /* op ('-', '~', '!'); lhs is the operand */
	AST_TERNARY,  /* cond, then, els */
	AST_CAST,     /* cast_ty (from the type name); lhs is the operand */
	AST_DEREF,    /* *(TYPE *)expr: cast_ty is the pointed-to type; lhs is the address */
	AST_FIELD,    /* lhs.name or lhs->name (args.f, args->f) */
	AST_INDEX,    /* lhs[rhs] (reserved: tuples / arrays) */

	/* statements */
	AST_EXPR_STMT, /* lhs */
	AST_ASSIGN,    /* lhs (AST_MAP or AST_VAR) op rhs; op is '=' or the binop of a compound assignment */
	AST_INCDEC,    /* lhs (map or var); op is OP_INC or OP_DEC; is_post */
	AST_IF,        /* cond, then (block), els (block or AST_IF or NULL) */
	AST_WHILE,     /* cond, body */
	AST_UNROLL,    /* ival: count; body */
	AST_RETURN,    /* (no operand) */
	AST_FOR,       /* for ($name : lhs) body; lhs is the AST_MAP (no keys) */
	AST_BREAK,     /* in while and for bodies */
	AST_CONTINUE,
	AST_BLOCK,     /* body: statement list */

	/* top level */
	AST_ATTACH, /* one attach point: raw text in name; parsed fields in `ap` */
	AST_PROBE,  /* attach: AST_ATTACH list; pred (may be NULL); body (AST_BLOCK) */
	AST_MAPDECL, /* let @name = KIND(SIZE);  name: map name; sval: kind; ival: size (0: default) */
};

enum ast_op {
	OP_NONE = 0,
	OP_ADD = '+', OP_SUB = '-', OP_MUL = '*', OP_DIV = '/', OP_MOD = '%',
	OP_BAND = '&', OP_BOR = '|', OP_BXOR = '^', OP_BNOT = '~', OP_LNOT = '!',
	OP_LT = '<', OP_GT = '>',
	OP_ASSIGN = '=',
	OP_SHL = 256, OP_SHR, OP_LE, OP_GE, OP_EQ, OP_NE, OP_LAND, OP_LOR,
	OP_INC, OP_DEC,
};

/* An attach point split into parts at ':' (the parser fills this).
 *   "uprobe:/bin/ls:main+4" -> provider "uprobe", target "/bin/ls", func "main", offset 4
 *   "tracepoint:sched:sched_switch" -> provider "tracepoint", target "sched", func "sched_switch"
 *   "interval:ms:100" -> provider "interval", target "ms", func "100"
 *   "BEGIN" -> provider "BEGIN"
 *   "mapassign" (bare word, a Go alias; issue 3) -> provider "", func "mapassign"
 * Short providers (u:, ur:, t:, i:, p:, s:, h:, k:, kr:) are expanded to
 * their long names by the parser. `nparts` counts the ':'-separated parts of
 * the raw text (so "uprobe:main" with -p has 2, target NULL, func "main").
 * Sema resolves what the parts mean and reports malformed ones.
 */
struct ast_attach {
	char *provider; /* long name: BEGIN END uprobe uretprobe tracepoint interval profile software hardware kprobe kretprobe, or "" */
	char *target;   /* binary, category, unit, event; NULL if absent */
	char *func;     /* symbol, tracepoint name, rate/period; NULL if absent */
	uint64_t offset; /* "+OFFSET" after the symbol, 0 if none */
	bool has_offset;
	int nparts;
};

struct ast_node {
	enum ast_kind kind;
	struct span span;
	struct ast_node *next; /* next in a list (statements, args, probes, attach points) */

	enum ast_op op;
	char *name;
	int64_t ival;
	char *sval;
	uint32_t slen;
	bool is_post;   /* AST_INCDEC: x++ rather than ++x */
	bool is_arrow;  /* AST_FIELD: written with -> */
	bool angle;     /* AST_PROBE: body was written < ... > */

	struct ast_node *lhs, *rhs;
	struct ast_node *cond, *then, *els;
	struct ast_node *args;   /* AST_CALL / AST_MAP arguments */
	struct ast_node *body;   /* AST_BLOCK statements, AST_WHILE/UNROLL/PROBE body */
	struct ast_node *attach; /* AST_PROBE attach points */
	struct ast_node *pred;   /* AST_PROBE predicate */

	struct ty cast_ty;      /* AST_CAST / AST_DEREF target type, from the type name */
	struct ast_attach ap;   /* AST_ATTACH */

	/* sema: */
	struct ty ty;           /* type of an expression */
	int id;                 /* map id, variable slot, printf id, probe index, ... */
	int builtin;            /* AST_IDENT / AST_CALL: resolved builtin or function code */
	void *sema;             /* pass-private data */
};

struct ast {
	struct source *src;          /* not owned */
	struct ast_node *probes;     /* AST_PROBE list */
	struct ast_node *decls;      /* AST_MAPDECL list */
	struct arena *arena;
};

struct ast *ast__new(struct source *src);
void ast__free(struct ast *ast);

/* Allocation in the tree's arena (zeroed). */
void *ast_alloc(struct ast *ast, size_t size);
char *ast_strdup(struct ast *ast, const char *s, size_t len);
struct ast_node *ast_node(struct ast *ast, enum ast_kind kind, struct span sp);

/* Parse src into a tree. Syntax errors go to d (several per run where bison
 * can recover). Returns the tree (possibly partial) or NULL on fatal error;
 * callers check diags__nerrors(d). */
struct ast *ast_parse(struct source *src, struct diags *d);

/* Call fn on every node of the list n and, where fn returns true, on the
 * node's children (lhs rhs cond then els args body pred), depth first. */
void ast_visit(struct ast_node *n, bool (*fn)(struct ast_node *n, void *ctx), void *ctx);

/* -d ast: an indented, stable, golden-testable dump of the tree. */
void ast_dump(const struct ast *ast, FILE *out);
/* an operator as a program spells it: "+", "<<", "++" (compound assignment adds "=") */
const char *ast_op_name(enum ast_op op);

#endif

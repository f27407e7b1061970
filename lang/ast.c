/* ast: the tree's arena, node constructors, the parse entry point and the
 * -d ast dump.
 *
 * The dump is one node per line, children indented one space deeper:
 *
 *   probe [angle]
 *    attach PROVIDER [target=T] [func=F] [offset=N]
 *    pred
 *     EXPR
 *    block
 *     STMT...
 *
 * Each line starts with the node kind and carries the node's own fields
 * (operator, name, value, cast type, post/pre, ...). String literals are
 * printed as C string literals; attach-point parts are printed as is,
 * unless they are empty or contain blanks, quotes or control characters. Golden tests in tests/parser depend on it: keep it stable.
 */
#include "ast.h"

#include <ctype.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "lexer.h"

/* ---- arena ---- */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct chunk *head;
};

#define CHUNK_SIZE (64 * 1024 - sizeof(struct chunk))

static void *xcalloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p) {
		fputs("hark: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *ast_alloc(struct ast *ast, size_t size)
{
	struct arena *a = ast->arena;
	struct chunk *c = a->head;
	void *p;

	size = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	if (!c || c->cap - c->used < size) {
		size_t cap = size > CHUNK_SIZE ? size : CHUNK_SIZE;

		c = xcalloc(sizeof(*c) + cap);
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += size;
	return p; /* chunks are calloc'ed and never reused: already zero */
}

char *ast_strdup(struct ast *ast, const char *s, size_t len)
{
	char *p = ast_alloc(ast, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

struct ast_node *ast_node(struct ast *ast, enum ast_kind kind, struct span sp)
{
	struct ast_node *n = ast_alloc(ast, sizeof(*n));

	n->kind = kind;
	n->span = sp;
	return n;
}

struct ast *ast__new(struct source *src)
{
	struct ast *ast = xcalloc(sizeof(*ast));

	ast->src = src;
	ast->arena = xcalloc(sizeof(*ast->arena));
	return ast;
}

void ast__free(struct ast *ast)
{
	struct chunk *c, *next;

	if (!ast)
		return;
	for (c = ast->arena->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(ast->arena);
	free(ast);
}

/* ---- parse ---- */

struct ast *ast_parse(struct source *src, struct diags *d)
{
	struct ast *ast = ast__new(src);
	struct lex_state ls = { .ast = ast, .d = d, .src = src };
	YY_BUFFER_STATE buf;
	yyscan_t scanner;

	if (yylex_init_extra(&ls, &scanner)) {
		diag_error(d, (struct span){ 0, 0 }, "cannot start the parser");
		ast__free(ast);
		return NULL;
	}
	buf = yy_scan_bytes(src->text, (int)src->len, scanner);
	yyparse(scanner); /* errors, memory exhaustion included, are in d */
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	return ast;
}

/* ---- dump ---- */

static void dump_quoted(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '\\': fputs("\\\\", out); break;
		case '"': fputs("\\\"", out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\x%02x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

/* A word as is, or quoted if it is empty or has blanks, quotes or
 * control characters. */
static void dump_word(FILE *out, const char *s)
{
	size_t len = strlen(s);
	bool plain = len > 0;

	for (size_t i = 0; i < len && plain; i++)
		plain = isgraph((unsigned char)s[i]) && s[i] != '"' && s[i] != '\\';
	if (plain)
		fputs(s, out);
	else
		dump_quoted(out, s, len);
}

/* grep "ORDER OPR": names of enum ast_op, as written in a program */
const char *ast_op_name(enum ast_op op)
{
	switch (op) {
	case OP_ADD: return "+";
	case OP_SUB: return "-";
	case OP_MUL: return "*";
	case OP_DIV: return "/";
	case OP_MOD: return "%";
	case OP_BAND: return "&";
	case OP_BOR: return "|";
	case OP_BXOR: return "^";
	case OP_BNOT: return "~";
	case OP_LNOT: return "!";
	case OP_LT: return "<";
	case OP_GT: return ">";
	case OP_ASSIGN: return "=";
	case OP_SHL: return "<<";
	case OP_SHR: return ">>";
	case OP_LE: return "<=";
	case OP_GE: return ">=";
	case OP_EQ: return "==";
	case OP_NE: return "!=";
	case OP_LAND: return "&&";
	case OP_LOR: return "||";
	case OP_INC: return "++";
	case OP_DEC: return "--";
	default: return "?";
	}
}

static void dump_ty(FILE *out, struct ty t)
{
	if (t.kind == TY_INT)
		fprintf(out, " %sint%d", t.is_signed ? "" : "u", t.size * 8);
	else if (t.kind != TY_NONE)
		fprintf(out, " ty%d", (int)t.kind);
}

static void dump_node(FILE *out, const struct ast_node *n, int depth);

static void dump_list(FILE *out, const struct ast_node *n, int depth)
{
	for (; n; n = n->next)
		dump_node(out, n, depth);
}

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputc(' ', out);
}

static void dump_attach(FILE *out, const struct ast_node *n)
{
	const struct ast_attach *ap = &n->ap;

	fputs("attach ", out);
	dump_word(out, ap->provider ? ap->provider : "");
	if (ap->target) {
		fputs(" target=", out);
		dump_word(out, ap->target);
	}
	if (ap->func) {
		fputs(" func=", out);
		dump_word(out, ap->func);
	}
	if (ap->has_offset)
		fprintf(out, " offset=%llu", (unsigned long long)ap->offset);
	fputc('\n', out);
}

static void dump_node(FILE *out, const struct ast_node *n, int depth)
{
	indent(out, depth);
	switch (n->kind) {
	case AST_INT: {
		char dec[32];

		snprintf(dec, sizeof(dec), "%lld", (long long)n->ival);
		fprintf(out, "int %s", dec);
		if (n->name && strcmp(n->name, dec))
			fprintf(out, " (%s)", n->name); /* as written: hex, octal, 1_000 */
		fputc('\n', out);
		break;
	}
	case AST_STR:
		fputs("str ", out);
		dump_quoted(out, n->sval, n->slen);
		fputc('\n', out);
		break;
	case AST_IDENT:
		fprintf(out, "ident %s\n", n->name);
		break;
	case AST_VAR:
		fprintf(out, "var $%s\n", n->name);
		break;
	case AST_POSPARAM:
		fprintf(out, "posparam $%lld\n", (long long)n->ival);
		break;
	case AST_POSCOUNT:
		fputs("poscount $#\n", out);
		break;
	case AST_MAP:
		fprintf(out, "map @%s\n", n->name);
		dump_list(out, n->args, depth + 1);
		break;
	case AST_CALL:
		fprintf(out, "call %s\n", n->name);
		dump_list(out, n->args, depth + 1);
		break;
	case AST_BINOP:
		fprintf(out, "binop %s\n", ast_op_name(n->op));
		dump_node(out, n->lhs, depth + 1);
		dump_node(out, n->rhs, depth + 1);
		break;
	case AST_UNOP:
		fprintf(out, "unop %s\n", ast_op_name(n->op));
		dump_node(out, n->lhs, depth + 1);
		break;
	case AST_TERNARY:
		fputs("ternary\n", out);
		dump_node(out, n->cond, depth + 1);
		dump_node(out, n->then, depth + 1);
		dump_node(out, n->els, depth + 1);
		break;
	case AST_CAST:
	case AST_DEREF:
		fputs(n->kind == AST_CAST ? "cast" : "deref", out);
		dump_ty(out, n->cast_ty);
		fputc('\n', out);
		dump_node(out, n->lhs, depth + 1);
		break;
	case AST_FIELD:
		fprintf(out, "field %s %s\n", n->is_arrow ? "->" : ".", n->name);
		dump_node(out, n->lhs, depth + 1);
		break;
	case AST_INDEX:
		fputs("index\n", out);
		dump_node(out, n->lhs, depth + 1);
		dump_node(out, n->rhs, depth + 1);
		break;
	case AST_EXPR_STMT:
		fputs("expr\n", out);
		dump_node(out, n->lhs, depth + 1);
		break;
	case AST_ASSIGN:
		fprintf(out, "assign %s%s\n", n->op == OP_ASSIGN ? "" : ast_op_name(n->op), "=");
		dump_node(out, n->lhs, depth + 1);
		dump_node(out, n->rhs, depth + 1);
		break;
	case AST_INCDEC:
		fprintf(out, "incdec %s %s\n", ast_op_name(n->op), n->is_post ? "post" : "pre");
		dump_node(out, n->lhs, depth + 1);
		break;
	case AST_IF:
		fputs("if\n", out);
		dump_node(out, n->cond, depth + 1);
		dump_node(out, n->then, depth + 1);
		if (n->els) {
			indent(out, depth + 1);
			fputs("else\n", out);
			dump_node(out, n->els, depth + 2);
		}
		break;
	case AST_WHILE:
		fputs("while\n", out);
		dump_node(out, n->cond, depth + 1);
		dump_node(out, n->body, depth + 1);
		break;
	case AST_UNROLL:
		fprintf(out, "unroll %lld\n", (long long)n->ival);
		dump_node(out, n->body, depth + 1);
		break;
	case AST_RETURN:
	case AST_BREAK:
	case AST_CONTINUE:
		fprintf(out, "%s\n", n->kind == AST_RETURN ? "return" : n->kind == AST_BREAK ? "break" : "continue");
		break;
	case AST_FOR:
		fprintf(out, "for $%s\n", n->name);
		dump_node(out, n->lhs, depth + 1);
		dump_node(out, n->body, depth + 1);
		break;
	case AST_BLOCK:
		fputs("block\n", out);
		dump_list(out, n->body, depth + 1);
		break;
	case AST_ATTACH:
		dump_attach(out, n);
		break;
	case AST_MAPDECL:
		fprintf(out, "let @%s %s %lld\n", n->name, n->sval, (long long)n->ival);
		break;
	case AST_PROBE:
		fprintf(out, "probe%s\n", n->angle ? " angle" : "");
		dump_list(out, n->attach, depth + 1);
		if (n->pred) {
			indent(out, depth + 1);
			fputs("pred\n", out);
			dump_node(out, n->pred, depth + 2);
		}
		if (n->body)
			dump_node(out, n->body, depth + 1);
		break;
	}
}

void ast_visit(struct ast_node *n, bool (*fn)(struct ast_node *n, void *ctx), void *ctx)
{
	for (; n; n = n->next) {
		if (!fn(n, ctx))
			continue;
		ast_visit(n->lhs, fn, ctx);
		ast_visit(n->rhs, fn, ctx);
		ast_visit(n->cond, fn, ctx);
		ast_visit(n->then, fn, ctx);
		ast_visit(n->els, fn, ctx);
		ast_visit(n->args, fn, ctx);
		ast_visit(n->body, fn, ctx);
		ast_visit(n->pred, fn, ctx);
	}
}

void ast_dump(const struct ast *ast, FILE *out)
{
	for (const struct ast_node *d = ast->decls; d; d = d->next)
		fprintf(out, "let @%s %s %lld\n", d->name, d->sval, (long long)d->ival);
	dump_list(out, ast->probes, 0);
}

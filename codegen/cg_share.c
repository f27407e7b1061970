/* cg_share: probes that differ only in numbers share one program.
 *
 * Generated scripts repeat one body over many probes, changing a constant:
 *   tracepoint:syscalls:sys_enter_read  { @c[0] = count(); ... printf("... 0\n"); }
 *   tracepoint:syscalls:sys_enter_write { @c[1] = count(); ... printf("... 1\n"); }
 * LLVM's BPF backend costs about a millisecond per program, so 200 such
 * probes would take a quarter of a second to compile. Instead, probes whose
 * code has the same shape (the same tree, names, types, strings and probe
 * sites; integer literals and printf formats of the same layout may differ)
 * are compiled once, by the first of them, and the others attach their
 * targets to its programs. The literals that differ become parameters: the
 * runtime writes each target's values into hark_env, indexed by its BPF
 * cookie, and the program reads them there.
 *
 * Literals whose value shapes the code (lhist bounds, stack frame counts,
 * unroll counts, str() lengths) stay part of the shape. BEGIN and END have
 * no cookie and never share.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cg_internal.h"

struct shape {
	char *text;
	size_t len, cap;
	int64_t *vals;         /* parameter candidates, in walk order */
	struct ast_node **nodes;
	int n, capn;
};

static void put(struct shape *s, const char *fmt, ...)
{
	va_list ap;
	int need;

	for (;;) {
		va_start(ap, fmt);
		need = vsnprintf(s->text ? s->text + s->len : NULL, s->text ? s->cap - s->len : 0, fmt, ap);
		va_end(ap);
		if (s->text && s->len + (size_t)need < s->cap)
			break;
		s->cap = (s->cap + (size_t)need + 1) * 2;
		s->text = realloc(s->text, s->cap);
		if (!s->text)
			abort();
	}
	s->len += (size_t)need;
}

static void param(struct shape *s, struct ast_node *n, int64_t v)
{
	if (s->n == s->capn) {
		s->capn = s->capn ? 2 * s->capn : 16;
		s->vals = realloc(s->vals, s->capn * sizeof(*s->vals));
		s->nodes = realloc(s->nodes, s->capn * sizeof(*s->nodes));
	}
	s->vals[s->n] = v;
	s->nodes[s->n++] = n;
	put(s, "#");
}

static void ty(struct shape *s, struct ty t)
{
	put(s, "<%d.%d.%d.%d.%d>", t.kind, t.size, t.is_signed, t.arg, t.mode);
}

static void walk(struct shape *s, const struct plan *plan, struct ast_node *n, bool literal_is_code);

static void list(struct shape *s, const struct plan *plan, struct ast_node *n, bool literal_is_code)
{
	put(s, "(");
	for (; n; n = n->next)
		walk(s, plan, n, literal_is_code);
	put(s, ")");
}

static void walk(struct shape *s, const struct plan *plan, struct ast_node *n, bool literal_is_code)
{
	if (!n) {
		put(s, "_");
		return;
	}
	put(s, "[%d:%d:%lld", n->kind, n->op, n->kind == AST_UNROLL ? (long long)n->ival : 0LL);
	ty(s, n->ty);
	ty(s, n->cast_ty);
	if (n->name && n->kind != AST_INT) /* an integer's name is its literal's text */
		put(s, "'%s'", n->name);
	switch (n->kind) {
	case AST_INT:
		if (literal_is_code)
			put(s, "=%lld", (long long)n->ival);
		else
			param(s, n, n->ival);
		break;
	case AST_STR:
		put(s, "\"%zu:%.*s\"", (size_t)n->slen, (int)n->slen, n->sval ? n->sval : "");
		if (n->sema) { /* caller == "sym": the range resolved in this probe's binary */
			const struct sym_range *r = n->sema;

			put(s, "%llx-%llx-%d", (unsigned long long)r->lo, (unsigned long long)r->hi, r->pie);
		}
		break;
	case AST_IDENT:
		put(s, "b%d/%lld", n->builtin, (long long)n->ival);
		break;
	case AST_VAR:
	case AST_MAP:
		put(s, "i%d", n->id);
		break;
	case AST_CALL: {
		/* lhist bounds, stack sizes and str() lengths shape the code */
		bool code = n->builtin == F_LHIST || n->builtin == F_USTACK || n->builtin == F_KSTACK ||
			    n->builtin == F_STR;

		put(s, "f%d", n->builtin);
		if (n->builtin == F_PRINTF || (n->builtin == F_PRINT && n->id >= 0 && n->args &&
					       (n->args->kind != AST_MAP || n->args->args))) {
			const struct plan_fmt *f = &plan->fmts[n->id];

			/* the format text may differ: only its event layout matters */
			put(s, "{%d:%u", f->nargs, f->size);
			for (int i = 0; i < f->nargs; i++) {
				ty(s, f->arg_ty[i]);
				put(s, "@%u", f->arg_off[i]);
			}
			put(s, "}");
			param(s, n, n->id);
			if (n->builtin == F_PRINTF) {
				list(s, plan, n->args ? n->args->next : NULL, false);
				break;
			}
		}
		list(s, plan, n->args, code);
		break;
	}
	default:
		break;
	}
	if (n->kind != AST_CALL) {
		walk(s, plan, n->lhs, false);
		walk(s, plan, n->rhs, false);
		walk(s, plan, n->cond, false);
		walk(s, plan, n->then, false);
		walk(s, plan, n->els, false);
		if (n->kind != AST_MAP || n->args)
			list(s, plan, n->args, false);
		if (n->body)
			list(s, plan, n->body, false);
	}
	put(s, "]");
}

static bool shareable(const struct probe_info *pi)
{
	for (int g = 0; g < pi->ngroups; g++)
		if (pi->groups[g].kind == PK_BEGIN || pi->groups[g].kind == PK_END)
			return false;
	return pi->ngroups > 0;
}

static bool uses_field(const struct ast_node *n, const char *name)
{
	for (; n; n = n->next) {
		if (n->kind == AST_FIELD && !strcmp(n->name, name))
			return true;
		if (uses_field(n->lhs, name) || uses_field(n->rhs, name) || uses_field(n->cond, name) ||
		    uses_field(n->then, name) || uses_field(n->els, name) || uses_field(n->args, name) ||
		    uses_field(n->body, name))
			return true;
	}
	return false;
}

/* What the probe sites contribute to the code: kinds, Go facts, and the
 * layout of the tracepoint fields the probe reads. */
static void site(struct shape *s, const struct ast_node *probe, const struct probe_info *pi)
{
	for (int g = 0; g < pi->ngroups; g++) {
		const struct probe_group *gr = &pi->groups[g];

		put(s, "{g%d:%d:%d:%d:%d:%d:%d:%d", gr->kind, gr->ret_site, gr->frame_unset, gr->go.is_go,
		    gr->go.abi0, gr->go.minor, gr->go.swiss, gr->go.fn);
		for (int i = 0; i < gr->nfields; i++) {
			const struct tp_field *f = &gr->fields[i];

			if (!uses_field(probe->pred, f->name) && !uses_field(probe->body, f->name))
				continue;
			put(s, "%s@%u/%u/%d%d%d%d", f->name, f->offset, f->size, f->is_signed, f->is_data_loc,
			    f->is_char_array, f->is_ptr);
		}
		put(s, "}");
	}
}

void cg_share_probes(struct cg *g)
{
	int nprobes = 0, i = 0;
	struct shape *sh;
	struct ast_node **probes;

	for (struct ast_node *p = g->ast->probes; p; p = p->next)
		nprobes++;
	sh = calloc(nprobes + 1, sizeof(*sh));
	probes = calloc(nprobes + 1, sizeof(*probes));
	g->share = calloc(nprobes + 1, sizeof(*g->share));
	for (struct ast_node *p = g->ast->probes; p; p = p->next, i++) {
		struct probe_info *pi = p->sema;

		probes[i] = p;
		g->share[i].rep = i;
		if (!shareable(pi))
			continue;
		site(&sh[i], p, pi);
		walk(&sh[i], g->plan, p->pred, false);
		list(&sh[i], g->plan, p->body && p->body->kind == AST_BLOCK ? p->body->body : p->body, false);
		for (int r = 0; r < i; r++) {
			if (sh[r].text && g->share[r].rep == r && sh[r].n == sh[i].n && !strcmp(sh[r].text, sh[i].text)) {
				g->share[i].rep = r;
				g->share[r].members++;
				break;
			}
		}
	}
	/* a parameter is a literal whose value differs within its class */
	for (i = 0; i < nprobes; i++) {
		struct cg_share *rep = &g->share[i];

		if (rep->rep != i || !rep->members)
			continue;
		rep->param_of = calloc(sh[i].n + 1, sizeof(*rep->param_of));
		rep->nodes = calloc(sh[i].n + 1, sizeof(*rep->nodes));
		rep->nlits = sh[i].n;
		for (int k = 0; k < sh[i].n; k++) {
			bool varies = false;

			rep->nodes[k] = sh[i].nodes[k];
			for (int m = i + 1; m < nprobes && !varies; m++)
				varies = g->share[m].rep == i && sh[m].vals[k] != sh[i].vals[k];
			rep->param_of[k] = varies ? rep->nparams++ : -1;
		}
		if (rep->nparams > g->max_params)
			g->max_params = rep->nparams;
	}
	/* every target's parameter values, by cookie (plan.h: ENV SLOTS) */
	for (i = 0; i < nprobes; i++) {
		struct cg_share *rep = &g->share[g->share[i].rep];
		struct probe_info *pi = probes[i]->sema;

		if (!rep->nparams)
			continue;
		for (int t = 0; t < pi->ntargets; t++) {
			int64_t *vals = calloc(rep->nparams, sizeof(*vals));

			for (int k = 0; k < rep->nlits; k++)
				if (rep->param_of[k] >= 0)
					vals[rep->param_of[k]] = sh[i].vals[k];
			g->share[i].target_params = realloc(g->share[i].target_params,
							    (t + 1) * sizeof(*g->share[i].target_params));
			g->share[i].target_params[t] = vals;
		}
	}
	for (i = 0; i < nprobes; i++) {
		free(sh[i].text);
		free(sh[i].vals);
		free(sh[i].nodes);
	}
	free(sh);
	free(probes);
}

/* The parameter slot of a literal node in the program being generated, or -1. */
int cg_share_param(struct cg *g, const struct ast_node *n)
{
	const struct cg_share *rep = g->cur_share;

	if (!rep || !rep->nparams)
		return -1;
	for (int k = 0; k < rep->nlits; k++)
		if (rep->nodes[k] == n)
			return rep->param_of[k];
	return -1;
}

void cg_share_free(struct cg *g)
{
	int i = 0;

	for (struct ast_node *p = g->ast->probes; g->share && p; p = p->next, i++) {
		free(g->share[i].param_of);
		free(g->share[i].nodes);
		for (int t = 0; g->share[i].target_params && t < ((struct probe_info *)p->sema)->ntargets; t++)
			free(g->share[i].target_params[t]);
		free(g->share[i].target_params);
	}
	free(g->share);
	g->share = NULL;
}

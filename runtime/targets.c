/* targets: see targets.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lang/goalias.h"
#include "../lang/sema.h"
#include "targets.h"

char *targets_strdup(const char *s)
{
	char *r = s ? strdup(s) : NULL;

	if (s && !r)
		abort();
	return r;
}

struct probe_target *targets_add(struct probe_info *pi, int *cap, enum probe_kind kind, const char *probe_name)
{
	struct probe_target *t;

	if (pi->ntargets == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		pi->targets = realloc(pi->targets, *cap * sizeof(*pi->targets));
		if (!pi->targets)
			abort();
	}
	t = &pi->targets[pi->ntargets++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->probe_name = targets_strdup(probe_name);
	t->pid = -1;
	t->group = -1;
	t->go.fn = -1;
	return t;
}

bool targets_has_glob(const char *s)
{
	return s && strpbrk(s, "*?[");
}

const struct targets_provider targets_providers[] = {
	{ "BEGIN", TF_SPECIAL, PK_BEGIN },         { "END", TF_SPECIAL, PK_END },
	{ "uprobe", TF_UPROBE, PK_UPROBE },        { "uretprobe", TF_UPROBE, PK_URETPROBE },
	{ "tracepoint", TF_TRACEPOINT, PK_TRACEPOINT },
	{ "interval", TF_TIMER, PK_INTERVAL },     { "profile", TF_TIMER, PK_PROFILE },
	{ "software", TF_PERF, PK_SOFTWARE },      { "hardware", TF_PERF, PK_HARDWARE },
	{ "kprobe", TF_KPROBE, PK_KPROBE },        { "kretprobe", TF_KPROBE, PK_KRETPROBE },
	{ "go", TF_GO, PK_UPROBE },                { "goret", TF_GO, PK_URETPROBE },
	{ NULL, TF_SPECIAL, PK_BEGIN },
};

const struct targets_provider *targets_provider(const char *name)
{
	if (!name || !*name)
		name = "go"; /* a bare word: a Go alias */
	for (const struct targets_provider *p = targets_providers; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

int targets_go_func(const char *name)
{
	for (int i = 0; i < go_nfuncs; i++)
		if (!strcmp(go_funcs[i].name, name))
			return i;
	return -1;
}

/* ---- grouping ------------------------------------------------------------ */

struct used {
	const char **names; /* args fields the probe reads */
	int n;
};

static bool collect_fields(struct ast_node *n, void *ctx)
{
	struct used *u = ctx;
	bool seen = false;

	if (n->kind != AST_FIELD || !n->lhs || n->lhs->kind != AST_IDENT || !n->lhs->name ||
	    strcmp(n->lhs->name, "args") || !n->name)
		return true;
	for (int i = 0; i < u->n; i++)
		seen |= !strcmp(u->names[i], n->name);
	if (!seen) {
		u->names = realloc(u->names, (u->n + 1) * sizeof(*u->names));
		if (!u->names)
			abort();
		u->names[u->n++] = n->name;
	}
	return true;
}

static bool same_field(const struct tp_field *a, const struct tp_field *b)
{
	return a->offset == b->offset && a->size == b->size && a->is_signed == b->is_signed &&
	       a->is_data_loc == b->is_data_loc && a->is_char_array == b->is_char_array;
}

/* The used fields of one tracepoint; every field when the probe has a
 * single target (so sema can list them in a hint). */
static int tp_fields(const struct probe_info *pi, const struct used *u, const struct probe_target *t,
		     targets_format_fn format, void *ctx, struct tp_field **out, int *nout)
{
	struct tfs_format *f;
	int err = format(t, &f, ctx), n = 0;

	if (err)
		return err;
	*out = calloc(f->nfields + 1, sizeof(**out));
	if (!*out)
		abort();
	for (int i = 0; i < f->nfields; i++) {
		const struct tfs_field *tf = &f->fields[i];
		bool used = pi->ntargets == 1;
		struct tp_field *o;

		for (int k = 0; k < u->n && !used; k++)
			used = !strcmp(u->names[k], tf->name);
		if (!used)
			continue;
		o = &(*out)[n++];
		o->name = targets_strdup(tf->name);
		o->type = targets_strdup(tf->type);
		o->offset = tf->offset;
		o->size = tf->size;
		o->is_signed = tf->is_signed;
		o->is_data_loc = tf->is_data_loc;
		o->is_char_array = tf->is_array && strstr(tf->type, "char");
		o->is_ptr = strchr(tf->type, '*') != NULL;
	}
	*nout = n;
	tfs_format__free(f);
	return 0;
}

static void free_fields(struct tp_field *f, int n)
{
	for (int i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].type);
	}
	free(f);
}

static bool same_site(const struct probe_group *gr, const struct probe_target *t)
{
	const struct go_site *a = &gr->go, *b = &t->go;

	return gr->ret_site == t->ret_site && gr->frame_unset == t->frame_unset && a->is_go == b->is_go &&
	       a->abi0 == b->abi0 && a->minor == b->minor && a->swiss == b->swiss && a->fn == b->fn;
}

static int find_group(const struct probe_info *pi, const struct probe_target *t, const struct tp_field *f, int nf)
{
	for (int g = 0; g < pi->ngroups; g++) {
		const struct probe_group *gr = &pi->groups[g];
		bool same = gr->kind == t->kind && gr->nfields == nf && same_site(gr, t);

		for (int i = 0; same && i < nf; i++)
			same = !strcmp(gr->fields[i].name, f[i].name) && same_field(&gr->fields[i], &f[i]);
		if (same)
			return g;
	}
	return -1;
}

void targets_group(struct probe_info *pi, struct ast_node *probe, int *next_index, targets_format_fn format,
		   void *ctx, struct diags *d)
{
	struct used u = { 0 };

	ast_visit(probe->pred, collect_fields, &u);
	ast_visit(probe->body, collect_fields, &u);
	for (int i = 0; i < pi->ntargets; i++) {
		struct probe_target *t = &pi->targets[i];
		struct tp_field *f = NULL;
		int nf = 0, g;

		if (t->kind == PK_TRACEPOINT && (u.n || pi->ntargets == 1)) {
			int err = tp_fields(pi, &u, t, format, ctx, &f, &nf);

			if (err) {
				diag_error(d, probe->attach->span, "cannot read the format of %s: %s", t->probe_name,
					   strerror(-err));
				continue;
			}
		}
		g = find_group(pi, t, f, nf);
		if (g < 0) {
			pi->groups = realloc(pi->groups, (pi->ngroups + 1) * sizeof(*pi->groups));
			if (!pi->groups)
				abort();
			g = pi->ngroups++;
			pi->groups[g] = (struct probe_group){ .kind = t->kind, .fields = f, .nfields = nf, .go = t->go,
							      .ret_site = t->ret_site, .frame_unset = t->frame_unset };
		} else {
			free_fields(f, nf);
		}
		t->group = g;
		t->index = (*next_index)++;
	}
	free(u.names);
}

/* ---- symbols named in the program ------------------------------------------ */

struct sym_visit {
	void (*fn)(struct ast_node *lit, void *ctx);
	void *ctx;
};

static bool is_sym_ident(const struct ast_node *n)
{
	return n && n->kind == AST_IDENT && n->name && (!strcmp(n->name, "caller") || !strcmp(n->name, "func"));
}

static bool symbol_literal(struct ast_node *n, void *ctx)
{
	struct sym_visit *v = ctx;
	struct ast_node *lit = NULL;

	if (n->kind == AST_BINOP && (n->op == OP_EQ || n->op == OP_NE) && n->lhs && n->rhs) {
		if (is_sym_ident(n->lhs) && n->rhs->kind == AST_STR)
			lit = n->rhs;
		else if (is_sym_ident(n->rhs) && n->lhs->kind == AST_STR)
			lit = n->lhs;
	}
	if (n->kind == AST_CALL && n->name && !strcmp(n->name, "uaddr") && n->args && n->args->kind == AST_STR)
		lit = n->args;
	if (lit)
		v->fn(lit, v->ctx);
	return true;
}

void targets_symbol_literals(struct ast_node *probe, void (*fn)(struct ast_node *lit, void *ctx), void *ctx)
{
	struct sym_visit v = { fn, ctx };

	ast_visit(probe->pred, symbol_literal, &v);
	ast_visit(probe->body, symbol_literal, &v);
}

void targets_free(struct probe_info *pi)
{
	if (!pi)
		return;
	for (int i = 0; i < pi->ntargets; i++) {
		free(pi->targets[i].probe_name);
		free(pi->targets[i].func_name);
		free(pi->targets[i].path);
		free(pi->targets[i].event);
	}
	for (int g = 0; g < pi->ngroups; g++)
		free_fields(pi->groups[g].fields, pi->groups[g].nfields);
	free(pi->targets);
	free(pi->groups);
	if (pi->sp)
		free(pi->sp->var_ty);
	free(pi->sp);
	free(pi);
}

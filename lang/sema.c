/* sema: names, types and checks (see sema.h).
 *
 * The tree is walked twice. The first walk only learns: which maps exist,
 * with which key types and value kind (the first assignment decides), so
 * that a map read in a predicate before its assignment gets the right type.
 * The second walk types everything again against what the first learnt and
 * reports every error. Scratch variables are per probe: their type is fixed
 * by their first assignment in source order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "probe.h"
#include "sema.h"

struct var {
	char *name;
	struct ty ty;
};

struct sema {
	struct ast *ast;
	const struct sema_opts *opts;
	struct plan *plan;
	struct diags *d;
	bool report;            /* second walk: report errors */
	struct ast_node *probe; /* probe being checked */
	struct probe_info *pi;
	struct var *vars;
	int nvars, capvars;
	uint32_t max_event;
	int loop_depth;
	struct span *first_use; /* per map id */
};

uint32_t ty_storage_size(struct ty t)
{
	switch (t.kind) {
	case TY_STR:
		return STR_SIZE;
	case TY_USTACK:
		return 16;
	default:
		return 8;
	}
}

static const char *ty_name(struct ty t)
{
	switch (t.kind) {
	case TY_NONE: return "none";
	case TY_INT: return t.is_signed ? "int" : "unsigned int";
	case TY_STR: return "string";
	case TY_USTACK: return "ustack";
	case TY_KSTACK: return "kstack";
	case TY_PROBE: return "probe";
	case TY_FUNC: return "func";
	case TY_AGG: return "aggregation";
	}
	return "?";
}

static bool ty_same_kind(struct ty a, struct ty b)
{
	return a.kind == b.kind;
}

#define ERR(s, sp, ...)                                          \
	do {                                                     \
		if ((s)->report)                                 \
			diag_error((s)->d, (sp), __VA_ARGS__);   \
	} while (0)
#define HINT(s, ...)                                             \
	do {                                                     \
		if ((s)->report)                                 \
			diag_hint((s)->d, __VA_ARGS__);          \
	} while (0)

/* ---- tables ----------------------------------------------------------- */

#define K_ALL 0xffffu
#define K(kind) (1u << (kind))
#define K_REGS (K(PK_UPROBE) | K(PK_URETPROBE) | K(PK_KPROBE) | K(PK_KRETPROBE))
#define K_RET (K(PK_URETPROBE) | K(PK_KRETPROBE))

/* grep "ORDER BUILTIN" */
static const struct builtin_def {
	const char *name;
	enum builtin code;
	enum ty_kind kind;
	bool is_signed;
	unsigned kinds; /* probe kinds where it means something */
} builtins[] = {
	{ "pid", B_PID, TY_INT, false, K_ALL },
	{ "tid", B_TID, TY_INT, false, K_ALL },
	{ "uid", B_UID, TY_INT, false, K_ALL },
	{ "gid", B_GID, TY_INT, false, K_ALL },
	{ "cpu", B_CPU, TY_INT, false, K_ALL },
	{ "comm", B_COMM, TY_STR, false, K_ALL },
	{ "nsecs", B_NSECS, TY_INT, false, K_ALL },
	{ "elapsed", B_ELAPSED, TY_INT, false, K_ALL },
	{ "rand", B_RAND, TY_INT, false, K_ALL },
	{ "cgroup", B_CGROUP, TY_INT, false, K_ALL },
	{ "func", B_FUNC, TY_FUNC, false, K_REGS },
	{ "probe", B_PROBE, TY_PROBE, false, K_ALL },
	{ "retval", B_RETVAL, TY_INT, true, K_RET },
	{ "ustack", B_USTACK, TY_USTACK, false, K_ALL },
	{ "kstack", B_KSTACK, TY_KSTACK, false, K_ALL },
	{ "args", B_ARGS, TY_NONE, false, K(PK_TRACEPOINT) },
};

/* grep "ORDER FUNC" */
static const struct func_def {
	const char *name;
	enum func code;
	int min_args, max_args;
	bool is_agg;
} funcs[] = {
	{ "count", F_COUNT, 0, 0, true },
	{ "sum", F_SUM, 1, 1, true },
	{ "avg", F_AVG, 1, 1, true },
	{ "min", F_MIN, 1, 1, true },
	{ "max", F_MAX, 1, 1, true },
	{ "stats", F_STATS, 1, 1, true },
	{ "hist", F_HIST, 1, 1, true },
	{ "lhist", F_LHIST, 4, 4, true },
	{ "printf", F_PRINTF, 1, 64, false },
	{ "print", F_PRINT, 1, 3, false },
	{ "clear", F_CLEAR, 1, 1, false },
	{ "zero", F_ZERO, 1, 1, false },
	{ "delete", F_DELETE, 2, 2, false },
	{ "exit", F_EXIT, 0, 1, false },
	{ "str", F_STR, 1, 2, false },
	{ "ustack", F_USTACK, 0, 1, false },
	{ "kstack", F_KSTACK, 0, 1, false },
};

static const char *probe_kind_name(enum probe_kind k)
{
	static const char *names[] = {
		[PK_BEGIN] = "BEGIN", [PK_END] = "END", [PK_UPROBE] = "uprobe",
		[PK_URETPROBE] = "uretprobe", [PK_TRACEPOINT] = "tracepoint",
		[PK_INTERVAL] = "interval", [PK_PROFILE] = "profile",
		[PK_SOFTWARE] = "software", [PK_HARDWARE] = "hardware",
		[PK_KPROBE] = "kprobe", [PK_KRETPROBE] = "kretprobe",
	};
	return names[k];
}

static enum agg_kind agg_of(enum func f)
{
	switch (f) {
	case F_COUNT: return AGG_COUNT;
	case F_SUM: return AGG_SUM;
	case F_AVG: return AGG_AVG;
	case F_MIN: return AGG_MIN;
	case F_MAX: return AGG_MAX;
	case F_STATS: return AGG_STATS;
	case F_HIST: return AGG_HIST;
	case F_LHIST: return AGG_LHIST;
	default: return AGG_NONE;
	}
}

static const char *agg_name(enum agg_kind a)
{
	static const char *names[] = { "a plain value", "count()", "sum()", "avg()", "min()",
				       "max()", "stats()", "hist()", "lhist()" };
	return names[a];
}

/* ---- maps ------------------------------------------------------------- */

static struct plan_map *map_lookup(struct sema *s, const char *name, int *id)
{
	for (int i = 0; i < s->plan->nmaps; i++) {
		if (!strcmp(s->plan->maps[i].name, name)) {
			*id = i;
			return &s->plan->maps[i];
		}
	}
	return NULL;
}

static struct plan_map *map_get(struct sema *s, struct ast_node *m)
{
	char name[256];
	int id;
	struct plan_map *pm;

	snprintf(name, sizeof(name), "@%s", m->name);
	pm = map_lookup(s, name, &id);
	if (!pm) {
		struct plan_map *maps = realloc(s->plan->maps, (s->plan->nmaps + 1) * sizeof(*maps));

		if (!maps)
			abort();
		s->plan->maps = maps;
		id = s->plan->nmaps++;
		pm = &maps[id];
		memset(pm, 0, sizeof(*pm));
		pm->name = strdup(name);
		pm->nkeys = -1; /* keys not known yet */
		pm->agg = AGG_NONE;
		pm->max_entries = s->opts->max_keys ? s->opts->max_keys : 4096;
		pm->fd = -1;
		s->first_use = realloc(s->first_use, s->plan->nmaps * sizeof(*s->first_use));
		if (!s->first_use)
			abort();
		s->first_use[id] = m->span;
	}
	m->id = id;
	return pm;
}

static struct ty expr(struct sema *s, struct ast_node *n);

static int count_list(struct ast_node *n)
{
	int c = 0;

	for (; n; n = n->next)
		c++;
	return c;
}

/* Key types of @m[k1, k2]: fixed by the first use, checked after. */
static void map_keys(struct sema *s, struct ast_node *m, struct plan_map *pm)
{
	struct ty kt[PLAN_MAX_KEYS];
	int nk = count_list(m->args), i = 0;

	if (nk > PLAN_MAX_KEYS) {
		ERR(s, m->span, "map %s has %d keys; at most %d are supported", pm->name, nk, PLAN_MAX_KEYS);
		nk = PLAN_MAX_KEYS;
	}
	for (struct ast_node *k = m->args; k && i < nk; k = k->next, i++) {
		kt[i] = expr(s, k);
		if (kt[i].kind == TY_NONE || kt[i].kind == TY_AGG) {
			ERR(s, k->span, "this expression has no value to use as a map key");
			kt[i] = ty_int(8, true);
		}
		if (kt[i].kind == TY_INT)
			kt[i] = ty_int(8, kt[i].is_signed);
		if (kt[i].kind == TY_STR)
			kt[i].size = STR_SIZE;
	}
	if (pm->nkeys < 0) {
		uint32_t off = 0;

		pm->nkeys = nk;
		for (i = 0; i < nk; i++) {
			pm->key_ty[i] = kt[i];
			pm->key_off[i] = off;
			off += ty_storage_size(kt[i]);
		}
		pm->key_size = off ? off : 8;
		return;
	}
	if (pm->nkeys != nk) {
		ERR(s, m->span, "map %s is used with %d key%s here but %d elsewhere", pm->name, nk,
		    nk == 1 ? "" : "s", pm->nkeys);
		HINT(s, "a map keeps one key type; use a second map for the other shape");
		return;
	}
	i = 0;
	for (struct ast_node *k = m->args; k && i < nk; k = k->next, i++) {
		if (!ty_same_kind(kt[i], pm->key_ty[i])) {
			ERR(s, k->span, "map %s key %d is %s here but %s elsewhere", pm->name, i + 1,
			    ty_name(kt[i]), ty_name(pm->key_ty[i]));
			HINT(s, "a map keeps one key type; use a second map for the other shape");
		}
	}
}

/* ---- expressions -------------------------------------------------------- */

static const struct builtin_def *builtin_find(const char *name, int64_t *argn)
{
	*argn = -1;
	if (!strncmp(name, "arg", 3) && name[3] >= '0' && name[3] <= '9' && !name[4]) {
		*argn = name[3] - '0';
		return NULL;
	}
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

static struct ty ident(struct sema *s, struct ast_node *n)
{
	int64_t argn;
	const struct builtin_def *b = builtin_find(n->name, &argn);
	enum probe_kind pk = s->pi ? s->pi->kind : PK_BEGIN;

	if (argn >= 0) {
		n->builtin = B_ARG;
		n->ival = argn;
		if (!(K_REGS & K(pk)) || pk == PK_URETPROBE || pk == PK_KRETPROBE) {
			ERR(s, n->span, "%s is not available in a %s probe", n->name, probe_kind_name(pk));
			HINT(s, "function arguments exist only in uprobe and kprobe probes");
		}
		return ty_int(8, false);
	}
	if (!b) {
		ERR(s, n->span, "unknown identifier '%s'", n->name);
		if (!strcmp(n->name, "arg"))
			HINT(s, "write arg0, arg1, ... arg9");
		return ty_int(8, true);
	}
	n->builtin = b->code;
	if (!(b->kinds & K(pk))) {
		ERR(s, n->span, "'%s' is not available in a %s probe", n->name, probe_kind_name(pk));
		if (b->code == B_RETVAL)
			HINT(s, "retval exists only in uretprobe and kretprobe probes");
		else if (b->code == B_ARGS)
			HINT(s, "args exists only in tracepoint probes");
	}
	if (b->code == B_ARGS) {
		ERR(s, n->span, "'args' needs a field: args.NAME");
		return ty_int(8, true);
	}
	if (b->kind == TY_STR)
		return ty_str(b->code == B_COMM ? COMM_SIZE : STR_SIZE);
	if (b->kind == TY_USTACK || b->kind == TY_KSTACK)
		return (struct ty){ .kind = b->kind, .size = (uint16_t)(b->kind == TY_USTACK ? 16 : 8), .arg = 127 };
	if (b->kind == TY_INT)
		return ty_int(8, b->is_signed);
	return (struct ty){ .kind = b->kind, .size = 8 };
}

static struct ty field(struct sema *s, struct ast_node *n)
{
	struct probe_group *g;

	if (n->lhs->kind != AST_IDENT || strcmp(n->lhs->name, "args")) {
		ERR(s, n->span, "only tracepoint arguments have fields (args.NAME)");
		return ty_int(8, true);
	}
	n->lhs->builtin = B_ARGS;
	if (!s->pi || s->pi->kind != PK_TRACEPOINT) {
		ERR(s, n->lhs->span, "'args' is not available in a %s probe",
		    probe_kind_name(s->pi ? s->pi->kind : PK_BEGIN));
		HINT(s, "args exists only in tracepoint probes");
		return ty_int(8, true);
	}
	for (int gi = 0; gi < s->pi->ngroups; gi++) {
		g = &s->pi->groups[gi];
		for (int i = 0; i < g->nfields; i++) {
			struct tp_field *f = &g->fields[i];

			if (strcmp(f->name, n->name))
				continue;
			if (f->is_data_loc || f->is_char_array)
				return ty_str(STR_SIZE);
			if (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8)
				return ty_int(f->size, f->is_signed);
			ERR(s, n->span, "field '%s' (%s, %u bytes) cannot be read as a value", f->name, f->type,
			    f->size);
			return ty_int(8, true);
		}
	}
	ERR(s, n->span, "tracepoint %s has no field '%s'",
	    s->pi->ntargets ? s->pi->targets[0].probe_name : "?", n->name);
	if (s->pi->ngroups && s->pi->groups[0].nfields) {
		char buf[512] = "";
		size_t len = 0;
		g = &s->pi->groups[0];
		for (int i = 0; i < g->nfields && len < sizeof(buf) - 64; i++) {
			if (!strncmp(g->fields[i].name, "common_", 7))
				continue;
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ", " : "", g->fields[i].name);
		}
		HINT(s, "its fields are: %s", buf);
	}
	return ty_int(8, true);
}

static struct ty var_ref(struct sema *s, struct ast_node *n)
{
	for (int i = 0; i < s->nvars; i++) {
		if (!strcmp(s->vars[i].name, n->name)) {
			n->id = i;
			return s->vars[i].ty;
		}
	}
	ERR(s, n->span, "variable $%s is used before it is assigned", n->name);
	n->id = -1;
	return ty_int(8, true);
}

static int var_def(struct sema *s, struct ast_node *n, struct ty t)
{
	for (int i = 0; i < s->nvars; i++) {
		if (!strcmp(s->vars[i].name, n->name)) {
			n->id = i;
			if (!ty_same_kind(s->vars[i].ty, t)) {
				ERR(s, n->span, "variable $%s holds %s but is assigned %s here", n->name,
				    ty_name(s->vars[i].ty), ty_name(t));
			}
			return i;
		}
	}
	if (s->nvars == s->capvars) {
		s->capvars = s->capvars ? 2 * s->capvars : 8;
		s->vars = realloc(s->vars, s->capvars * sizeof(*s->vars));
		if (!s->vars)
			abort();
	}
	if (t.kind == TY_STR)
		t.size = STR_SIZE;
	if (t.kind == TY_INT)
		t = ty_int(8, t.is_signed);
	s->vars[s->nvars] = (struct var){ .name = n->name, .ty = t };
	n->id = s->nvars;
	return s->nvars++;
}

static const struct func_def *func_find(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

static bool want_int(struct sema *s, struct ast_node *n, struct ty t, const char *what)
{
	if (t.kind == TY_INT)
		return true;
	ERR(s, n->span, "%s must be an integer, not %s", what, ty_name(t));
	return false;
}

static bool is_const_int(struct ast_node *n, int64_t *v)
{
	if (n->kind == AST_INT) {
		*v = n->ival;
		return true;
	}
	if (n->kind == AST_UNOP && n->op == OP_SUB && n->lhs->kind == AST_INT) {
		*v = -n->lhs->ival;
		return true;
	}
	return false;
}

static void event_size(struct sema *s, uint32_t size)
{
	if (size > s->max_event)
		s->max_event = size;
}

/* printf(fmt, args...): the format is checked against the arguments. */
static void check_printf(struct sema *s, struct ast_node *n)
{
	struct ast_node *f = n->args, *a;
	struct plan_fmt pf = { 0 };
	struct fmt *fmt;
	size_t err_off;
	const char *err_msg;
	int nargs = count_list(f->next), i, conv = 0;
	uint32_t off = 16;

	if (f->kind != AST_STR) {
		ERR(s, f->span, "printf's first argument must be a string literal format");
		return;
	}
	fmt = fmt__new(f->sval, &err_off, &err_msg);
	if (!fmt) {
		struct span sp = { f->span.start + 1 + (uint32_t)err_off, f->span.start + 2 + (uint32_t)err_off };

		ERR(s, sp, "printf format: %s", err_msg);
		HINT(s, "conversions are %%d %%i %%u %%x %%X %%o %%s %%c %%p and %%%%");
		return;
	}
	if (fmt->nconv != nargs) {
		ERR(s, n->span, "printf format has %d conversion%s but %d argument%s %s given", fmt->nconv,
		    fmt->nconv == 1 ? "" : "s", nargs, nargs == 1 ? "" : "s", nargs == 1 ? "is" : "are");
	}
	pf.fmt = strdup(f->sval);
	pf.nargs = nargs;
	pf.arg_ty = calloc(nargs + 1, sizeof(*pf.arg_ty));
	pf.arg_off = calloc(nargs + 1, sizeof(*pf.arg_off));
	for (a = f->next, i = 0; a; a = a->next, i++) {
		struct ty t = expr(s, a);
		const struct fmt_seg *seg = NULL;

		while (conv < fmt->nsegs && fmt->segs[conv].conv == FMT_LIT)
			conv++;
		if (conv < fmt->nsegs)
			seg = &fmt->segs[conv++];
		if (t.kind == TY_NONE || t.kind == TY_AGG) {
			ERR(s, a->span, "this expression has no value to print");
			t = ty_int(8, true);
		}
		if (seg && t.kind != TY_INT && seg->conv != FMT_STR) {
			ERR(s, a->span, "printf conversion '%s' wants an integer but this argument is %s",
			    seg->text, ty_name(t));
			HINT(s, "print it with %%s");
		}
		if (t.kind == TY_INT)
			t = ty_int(8, t.is_signed);
		if (t.kind == TY_STR)
			t.size = STR_SIZE;
		pf.arg_ty[i] = t;
		pf.arg_off[i] = off;
		off += ty_storage_size(t);
	}
	pf.size = off;
	fmt__free(fmt);
	event_size(s, off);
	if (!s->report) {
		free(pf.fmt);
		free(pf.arg_ty);
		free(pf.arg_off);
		return;
	}
	s->plan->fmts = realloc(s->plan->fmts, (s->plan->nfmts + 1) * sizeof(pf));
	n->id = s->plan->nfmts;
	s->plan->fmts[s->plan->nfmts++] = pf;
}

static struct ty call(struct sema *s, struct ast_node *n)
{
	const struct func_def *fd = func_find(n->name);
	int nargs = count_list(n->args);
	struct ty t;

	if (!fd) {
		ERR(s, n->span, "unknown function '%s'", n->name);
		for (struct ast_node *a = n->args; a; a = a->next)
			expr(s, a);
		return ty_int(8, true);
	}
	n->builtin = fd->code;
	if (nargs < fd->min_args || nargs > fd->max_args) {
		if (fd->min_args == fd->max_args)
			ERR(s, n->span, "%s() takes %d argument%s, not %d", fd->name, fd->min_args,
			    fd->min_args == 1 ? "" : "s", nargs);
		else
			ERR(s, n->span, "%s() takes %d to %d arguments, not %d", fd->name, fd->min_args,
			    fd->max_args, nargs);
		return fd->is_agg ? (struct ty){ .kind = TY_AGG } : ty_int(8, true);
	}
	switch (fd->code) {
	case F_COUNT:
		return (struct ty){ .kind = TY_AGG };
	case F_SUM: case F_AVG: case F_MIN: case F_MAX: case F_STATS: case F_HIST:
		want_int(s, n->args, expr(s, n->args), "the aggregated value");
		return (struct ty){ .kind = TY_AGG };
	case F_LHIST: {
		int64_t v[3];
		int i = 0;

		want_int(s, n->args, expr(s, n->args), "the aggregated value");
		for (struct ast_node *a = n->args->next; a; a = a->next, i++) {
			if (!is_const_int(a, &v[i])) {
				ERR(s, a->span, "lhist() bounds must be integer literals");
				return (struct ty){ .kind = TY_AGG };
			}
		}
		if (v[2] <= 0)
			ERR(s, n->args->next->next->next->span, "lhist() step must be positive, not %lld",
			    (long long)v[2]);
		else if (v[1] <= v[0])
			ERR(s, n->args->next->next->span, "lhist() max (%lld) must be above min (%lld)",
			    (long long)v[1], (long long)v[0]);
		else if ((v[1] - v[0]) / v[2] > 1000)
			ERR(s, n->span, "lhist() would have %lld buckets; at most 1000 are supported",
			    (long long)((v[1] - v[0]) / v[2]));
		return (struct ty){ .kind = TY_AGG };
	}
	case F_PRINTF:
		check_printf(s, n);
		return (struct ty){ .kind = TY_NONE };
	case F_PRINT:
		if (n->args->kind == AST_MAP && !n->args->args) {
			map_get(s, n->args);
			for (struct ast_node *a = n->args->next; a; a = a->next)
				want_int(s, a, expr(s, a), "print()'s top and div");
			event_size(s, 32);
			return (struct ty){ .kind = TY_NONE };
		}
		if (nargs > 1) {
			ERR(s, n->span, "print() of a value takes one argument");
			return (struct ty){ .kind = TY_NONE };
		}
		t = expr(s, n->args);
		if (t.kind == TY_NONE || t.kind == TY_AGG)
			ERR(s, n->args->span, "this expression has no value to print");
		event_size(s, 16 + ty_storage_size(t));
		if (s->report) {
			struct plan_fmt pf = { 0 };

			if (t.kind == TY_INT)
				t = ty_int(8, t.is_signed);
			pf.nargs = 1;
			pf.arg_ty = calloc(1, sizeof(*pf.arg_ty));
			pf.arg_off = calloc(1, sizeof(*pf.arg_off));
			pf.arg_ty[0] = t;
			pf.arg_off[0] = 16;
			pf.size = 16 + ty_storage_size(t);
			s->plan->fmts = realloc(s->plan->fmts, (s->plan->nfmts + 1) * sizeof(pf));
			n->id = s->plan->nfmts;
			s->plan->fmts[s->plan->nfmts++] = pf;
		}
		return (struct ty){ .kind = TY_NONE };
	case F_CLEAR:
	case F_ZERO:
		if (n->args->kind != AST_MAP || n->args->args) {
			ERR(s, n->args->span, "%s() takes a map name, like %s(@m)", fd->name, fd->name);
			return (struct ty){ .kind = TY_NONE };
		}
		map_get(s, n->args);
		event_size(s, 16);
		return (struct ty){ .kind = TY_NONE };
	case F_DELETE: {
		struct ast_node *m = n->args;
		struct plan_map *pm;

		if (m->kind != AST_MAP || m->args) {
			ERR(s, m->span, "delete() takes a map and a key, like delete(@m, key)");
			return (struct ty){ .kind = TY_NONE };
		}
		pm = map_get(s, m);
		/* check the key as if written @m[key] */
		m->args = m->next;
		m->next = NULL;
		map_keys(s, m, pm);
		m->next = m->args;
		m->args = NULL;
		return (struct ty){ .kind = TY_NONE };
	}
	case F_EXIT:
		if (n->args)
			want_int(s, n->args, expr(s, n->args), "exit()'s code");
		event_size(s, 16);
		return (struct ty){ .kind = TY_NONE };
	case F_STR:
		t = expr(s, n->args);
		if (t.kind == TY_STR)
			return ty_str(STR_SIZE);
		want_int(s, n->args, t, "str()'s address");
		if (n->args->next)
			want_int(s, n->args->next, expr(s, n->args->next), "str()'s length");
		return ty_str(STR_SIZE);
	case F_USTACK:
	case F_KSTACK: {
		int64_t v = 127;

		if (n->args && (!is_const_int(n->args, &v) || v <= 0 || v > 127)) {
			ERR(s, n->args->span, "%s() takes a frame count from 1 to 127", fd->name);
			v = 127;
		}
		t.kind = fd->code == F_USTACK ? TY_USTACK : TY_KSTACK;
		t.size = fd->code == F_USTACK ? 16 : 8;
		t.is_signed = false;
		t.arg = (uint16_t)v;
		return t;
	}
	default:
		return ty_int(8, true);
	}
}

static struct ty binop(struct sema *s, struct ast_node *n)
{
	struct ty l = expr(s, n->lhs), r = expr(s, n->rhs);

	if (l.kind == TY_STR || r.kind == TY_STR) {
		if ((n->op == OP_EQ || n->op == OP_NE) && l.kind == TY_STR && r.kind == TY_STR)
			return ty_int(8, false);
		ERR(s, n->span, "cannot apply '%s' to %s and %s",
		    n->op == OP_EQ ? "==" : n->op == OP_NE ? "!=" : "this operator", ty_name(l), ty_name(r));
		if (n->op == OP_EQ || n->op == OP_NE)
			HINT(s, "strings compare only with strings");
		return ty_int(8, true);
	}
	if (l.kind != TY_INT)
		ERR(s, n->lhs->span, "expected an integer here, not %s", ty_name(l));
	else if (r.kind != TY_INT)
		ERR(s, n->rhs->span, "expected an integer here, not %s", ty_name(r));
	switch (n->op) {
	case OP_LT: case OP_GT: case OP_LE: case OP_GE: case OP_EQ: case OP_NE:
	case OP_LAND: case OP_LOR:
		return ty_int(8, false);
	default:
		return ty_int(8, l.is_signed && r.is_signed);
	}
}

static struct ty expr(struct sema *s, struct ast_node *n)
{
	struct ty t;

	switch (n->kind) {
	case AST_INT:
		t = ty_int(8, true);
		break;
	case AST_STR:
		t = ty_str(STR_SIZE);
		if (n->slen >= STR_SIZE)
			ERR(s, n->span, "string literal is %u bytes; at most %d fit", n->slen, STR_SIZE - 1);
		break;
	case AST_IDENT:
		t = ident(s, n);
		break;
	case AST_VAR:
		t = var_ref(s, n);
		break;
	case AST_POSPARAM: {
		/* The value is known now: the node becomes a literal (in the last
		 * walk). Unset parameters read as 0, as in bpftrace. */
		const char *a = n->ival >= 1 && n->ival <= s->opts->npos_args ? s->opts->pos_args[n->ival - 1] : "0";
		char *end;
		long long v;

		errno = 0;
		v = strtoll(a, &end, 0);
		if (*a && !*end && !errno) {
			t = ty_int(8, true);
			if (s->report) {
				n->kind = AST_INT;
				n->ival = v;
			}
		} else {
			t = ty_str(STR_SIZE);
			if (s->report) {
				n->kind = AST_STR;
				n->sval = ast_strdup(s->ast, a, strlen(a));
				n->slen = (uint32_t)strlen(a);
			}
		}
		break;
	}
	case AST_POSCOUNT:
		t = ty_int(8, true);
		if (s->report) {
			n->kind = AST_INT;
			n->ival = s->opts->npos_args;
		}
		break;
	case AST_MAP: {
		struct plan_map *pm = map_get(s, n);

		map_keys(s, n, pm);
		if (pm->agg == AGG_NONE && pm->value_ty.kind != TY_NONE)
			t = pm->value_ty;
		else if (pm->agg == AGG_COUNT || pm->agg == AGG_SUM || pm->agg == AGG_MIN ||
			 pm->agg == AGG_MAX || pm->agg == AGG_NONE)
			t = ty_int(8, true);
		else {
			ERR(s, n->span, "map %s holds %s, which cannot be read as a value", pm->name,
			    agg_name(pm->agg));
			t = ty_int(8, true);
		}
		break;
	}
	case AST_CALL:
		t = call(s, n);
		break;
	case AST_BINOP:
		t = binop(s, n);
		break;
	case AST_UNOP:
		t = expr(s, n->lhs);
		want_int(s, n->lhs, t, "the operand");
		t = n->op == OP_LNOT ? ty_int(8, false) : ty_int(8, n->op == OP_SUB || t.is_signed);
		break;
	case AST_TERNARY: {
		struct ty a, b;

		want_int(s, n->cond, expr(s, n->cond), "the condition");
		a = expr(s, n->then);
		b = expr(s, n->els);
		if (!ty_same_kind(a, b))
			ERR(s, n->span, "the two branches of ?: have different types (%s and %s)", ty_name(a),
			    ty_name(b));
		t = a.kind == TY_INT ? ty_int(8, a.is_signed && b.is_signed) : a;
		break;
	}
	case AST_CAST:
		want_int(s, n->lhs, expr(s, n->lhs), "a cast's operand");
		t = n->cast_ty;
		break;
	case AST_DEREF:
		want_int(s, n->lhs, expr(s, n->lhs), "a dereferenced address");
		t = n->cast_ty.kind == TY_INT ? n->cast_ty : ty_int(8, false);
		break;
	case AST_FIELD:
		t = field(s, n);
		break;
	default:
		ERR(s, n->span, "this expression is not supported");
		t = ty_int(8, true);
		break;
	}
	n->ty = t;
	return t;
}

/* ---- statements --------------------------------------------------------- */

static void stmts(struct sema *s, struct ast_node *n);

/* @m = expr, @m = count(), @m op= expr */
static void assign_map(struct sema *s, struct ast_node *n)
{
	struct ast_node *m = n->lhs, *r = n->rhs;
	struct plan_map *pm = map_get(s, m);
	enum agg_kind agg = AGG_NONE;
	struct ty t;

	map_keys(s, m, pm);
	if (r && r->kind == AST_CALL) {
		const struct func_def *fd = func_find(r->name);

		if (fd && fd->is_agg)
			agg = agg_of(fd->code);
	}
	t = r ? expr(s, r) : ty_int(8, true);
	if (agg != AGG_NONE && n->op != OP_ASSIGN) {
		ERR(s, n->span, "an aggregation can only be assigned with '='");
		return;
	}
	if (t.kind == TY_NONE) {
		ERR(s, r->span, "this expression has no value to store");
		return;
	}
	if (agg == AGG_NONE && t.kind == TY_AGG)
		return; /* error already reported */
	if (t.kind == TY_INT)
		t = ty_int(8, t.is_signed);
	if (t.kind == TY_STR)
		t.size = STR_SIZE;
	if (n->op != OP_ASSIGN && t.kind != TY_INT) {
		ERR(s, n->span, "compound assignment needs an integer value");
		return;
	}
	if (pm->agg == AGG_NONE && pm->value_ty.kind == TY_NONE) {
		/* first definition */
		pm->agg = agg;
		if (agg == AGG_NONE)
			pm->value_ty = t;
		if (agg == AGG_LHIST) {
			struct ast_node *a = r->args->next;

			is_const_int(a, &pm->lhist_min);
			is_const_int(a->next, &pm->lhist_max);
			is_const_int(a->next->next, &pm->lhist_step);
		}
		return;
	}
	if (pm->agg != agg) {
		ERR(s, r ? r->span : n->span, "map %s holds %s elsewhere but is assigned %s here", pm->name,
		    agg_name(pm->agg), agg_name(agg));
		HINT(s, "a map keeps one kind of value; use another map name");
		return;
	}
	if (agg == AGG_NONE && !ty_same_kind(pm->value_ty, t)) {
		ERR(s, r ? r->span : n->span, "map %s holds %s elsewhere but is assigned %s here", pm->name,
		    ty_name(pm->value_ty), ty_name(t));
		HINT(s, "a map keeps one kind of value; use another map name");
		return;
	}
	if (agg == AGG_LHIST) {
		struct ast_node *a = r->args->next;
		int64_t mn = 0, mx = 0, st = 0;

		is_const_int(a, &mn);
		is_const_int(a->next, &mx);
		is_const_int(a->next->next, &st);
		if (mn != pm->lhist_min || mx != pm->lhist_max || st != pm->lhist_step)
			ERR(s, r->span, "map %s uses lhist() with other bounds elsewhere", pm->name);
	}
}

static void stmt(struct sema *s, struct ast_node *n)
{
	struct ty t;

	switch (n->kind) {
	case AST_EXPR_STMT:
		t = expr(s, n->lhs);
		if (t.kind == TY_AGG)
			ERR(s, n->lhs->span, "%s() must be assigned to a map, like @x = %s(...)", n->lhs->name,
			    n->lhs->name);
		else if (n->lhs->kind != AST_CALL)
			ERR(s, n->lhs->span, "this expression's value is unused");
		break;
	case AST_ASSIGN:
		if (n->lhs->kind == AST_MAP) {
			assign_map(s, n);
		} else if (n->lhs->kind == AST_VAR) {
			t = expr(s, n->rhs);
			if (t.kind == TY_AGG) {
				ERR(s, n->rhs->span, "an aggregation can only be stored in a map");
				break;
			}
			if (t.kind == TY_NONE) {
				ERR(s, n->rhs->span, "this expression has no value to store");
				break;
			}
			if (n->op != OP_ASSIGN) {
				struct ty v = var_ref(s, n->lhs);

				if (v.kind != TY_INT || t.kind != TY_INT)
					ERR(s, n->span, "compound assignment needs integers");
				break;
			}
			var_def(s, n->lhs, t);
		} else {
			ERR(s, n->lhs->span, "only maps (@m) and variables ($x) can be assigned");
		}
		break;
	case AST_INCDEC:
		if (n->lhs->kind == AST_MAP) {
			struct plan_map *pm = map_get(s, n->lhs);

			map_keys(s, n->lhs, pm);
			if (pm->agg == AGG_NONE && pm->value_ty.kind == TY_NONE)
				pm->value_ty = ty_int(8, true);
			else if (pm->agg != AGG_NONE || pm->value_ty.kind != TY_INT)
				ERR(s, n->span, "map %s does not hold a plain integer", pm->name);
		} else if (n->lhs->kind == AST_VAR) {
			t = var_ref(s, n->lhs);
			if (t.kind != TY_INT)
				ERR(s, n->span, "$%s is not an integer", n->lhs->name);
		} else {
			ERR(s, n->lhs->span, "only maps and variables can be incremented");
		}
		break;
	case AST_IF:
		want_int(s, n->cond, expr(s, n->cond), "the condition");
		stmts(s, n->then);
		if (n->els)
			stmts(s, n->els);
		break;
	case AST_WHILE:
		want_int(s, n->cond, expr(s, n->cond), "the condition");
		s->loop_depth++;
		stmts(s, n->body);
		s->loop_depth--;
		break;
	case AST_UNROLL:
		if (n->ival < 1 || n->ival > 100)
			ERR(s, n->span, "unroll count must be between 1 and 100, not %lld", (long long)n->ival);
		stmts(s, n->body);
		break;
	case AST_RETURN:
		break;
	case AST_BLOCK:
		stmts(s, n->body);
		break;
	default:
		ERR(s, n->span, "this statement is not supported");
		break;
	}
}

static void stmts(struct sema *s, struct ast_node *n)
{
	if (n && n->kind == AST_BLOCK)
		n = n->body;
	else if (n && n->kind == AST_IF) {
		stmt(s, n);
		return;
	}
	for (; n; n = n->next)
		stmt(s, n);
}

static void walk(struct sema *s)
{
	for (struct ast_node *p = s->ast->probes; p; p = p->next) {
		struct sema_probe *sp;

		s->probe = p;
		s->pi = p->sema;
		s->nvars = 0;
		s->max_event = 0;
		if (p->pred)
			want_int(s, p->pred, expr(s, p->pred), "the predicate");
		stmts(s, p->body);
		if (!s->report)
			continue;
		sp = calloc(1, sizeof(*sp));
		sp->nvars = s->nvars;
		sp->var_ty = calloc(s->nvars + 1, sizeof(*sp->var_ty));
		for (int i = 0; i < s->nvars; i++)
			sp->var_ty[i] = s->vars[i].ty;
		sp->max_event = s->max_event;
		if (s->pi) {
			free(s->pi->sp ? s->pi->sp->var_ty : NULL);
			free(s->pi->sp);
			s->pi->sp = sp;
		}
	}
}

int sema_run(struct ast *ast, const struct sema_opts *opts, struct plan *plan, struct diags *d)
{
	struct sema s = { .ast = ast, .opts = opts, .plan = plan, .d = d };

	s.report = false;
	walk(&s);
	s.report = true;
	walk(&s);
	for (int i = 0; i < plan->nmaps; i++) {
		struct plan_map *pm = &plan->maps[i];

		if (pm->nkeys < 0) {
			pm->nkeys = 0;
			pm->key_size = 8;
		}
		if (pm->agg == AGG_NONE && pm->value_ty.kind == TY_NONE) {
			/* only read, cleared or printed: never assigned */
			diag_error(d, s.first_use[i], "map %s is used but never assigned", pm->name);
			diag_hint(d, "assign it somewhere, e.g. %s = count()", pm->name);
		}
		pm->percpu = pm->agg != AGG_NONE;
	}
	free(s.vars);
	free(s.first_use);
	return diags__nerrors(d) ? -EINVAL : 0;
}

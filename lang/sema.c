/* sema: names, types and checks (see sema.h).
 *
 * The tree is walked twice. The first walk only learns: which maps exist,
 * with which key types and value kind (the first assignment decides), so
 * that a map read in a predicate before its assignment gets the right type.
 * The second walk types everything again against what the first learnt and
 * reports every error. Scratch variables are per probe: their type is fixed
 * by their first assignment in source order.
 *
 * Messages say what is wrong, point at the offending expression, and where
 * they can, say where the conflicting use is ("on line 2") and add a hint:
 * the usage of a function, or a "did you mean" from the builtin, function,
 * map and field names (sema_suggest, also used by runtime/resolve.c).
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

/* Where a map was first seen, to point back at it. */
struct map_use {
	struct span first;      /* first use of any kind */
	struct span keys;       /* the use that fixed the key types */
	struct span value;      /* the assignment that fixed the value kind */
	bool assigned;          /* some assignment was written, even a wrong one */
	bool entry_ops;         /* delete, has_key, len, for or zero: keys matter */
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
	int loop_depth;         /* while and for bodies: break and continue */
	int depth;              /* expressions and blocks being checked, nested */
	struct {                /* the for loops around the statement: ($kv : @m) */
		const char *var; /* "kv" */
		int map;         /* @m's id */
	} fors[SEMA_MAX_FOR];
	int nfors;
	struct map_use *uses;   /* per map id */
};

uint32_t ty_storage_size(struct ty t)
{
	switch (t.kind) {
	case TY_STR:
		return STR_SIZE;
	case TY_USTACK:
	case TY_USYM:
		return 16;
	default:
		return 8;
	}
}

/* With its article, to read in a sentence: "holds a string". */
static const char *ty_name(struct ty t)
{
	switch (t.kind) {
	case TY_NONE: return "nothing";
	case TY_INT: return "an integer";
	case TY_STR: return "a string";
	case TY_USTACK: return "a ustack";
	case TY_USYM: return "a user symbol";
	case TY_KSYM: return "a kernel symbol";
	case TY_KSTACK: return "a kstack";
	case TY_PROBE: return "a probe name";
	case TY_FUNC: return "a function name";
	case TY_AGG: return "an aggregation";
	}
	return "?";
}

static bool ty_same_kind(struct ty a, struct ty b)
{
	return a.kind == b.kind;
}

/* ---- did you mean ------------------------------------------------------- */

/* Optimal string alignment distance: edits, with a swap of two neighbours
 * counting as one edit ("pdi" is one edit from "pid"). */
static int edit_distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	int d[128][128];

	if (la > 126 || lb > 126)
		return 1000;
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++) {
		for (int j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	}
	return d[la][lb];
}

void sema_suggest__init(struct sema_suggest *sg, const char *word)
{
	memset(sg, 0, sizeof(*sg));
	sg->word = word;
	/* how far a candidate may be: one edit for short words, up to three */
	sg->best = strlen(word) <= 3 ? 1 : strlen(word) <= 7 ? 2 : 3;
}

void sema_suggest__add(struct sema_suggest *sg, const char *cand)
{
	int lw = (int)strlen(sg->word), lc = (int)strlen(cand), dist, i;

	if (abs(lw - lc) > sg->best || lc >= (int)sizeof(sg->cand[0]) || !strcmp(cand, sg->word))
		return;
	dist = edit_distance(sg->word, cand);
	if (dist > sg->best)
		return;
	if (dist < sg->best || !sg->n) {
		sg->best = dist;
		sg->n = 0;
	}
	for (i = 0; i < sg->n; i++)
		if (!strcmp(sg->cand[i], cand))
			return;
	if (sg->n == SEMA_SUGGEST_MAX) {
		if (strcmp(cand, sg->cand[sg->n - 1]) >= 0)
			return;
		sg->n--; /* keep the alphabetically first, whatever the feeding order */
	}
	for (i = sg->n++; i > 0 && strcmp(cand, sg->cand[i - 1]) < 0; i--)
		strcpy(sg->cand[i], sg->cand[i - 1]);
	strcpy(sg->cand[i], cand);
}

bool sema_suggest__text(const struct sema_suggest *sg, const char *prefix, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0; i < sg->n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s'%s%s'", !i ? "" : i == sg->n - 1 ? " or " : ", ",
				prefix, sg->cand[i]);
	return sg->n > 0;
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
	{ "caller", B_CALLER, TY_USYM, false, K(PK_UPROBE) | K(PK_URETPROBE) },
	{ "kstack", B_KSTACK, TY_KSTACK, false, K_ALL },
	{ "args", B_ARGS, TY_NONE, false, K(PK_TRACEPOINT) },
};

/* grep "ORDER FUNC" */
static const struct func_def {
	const char *name;
	enum func code;
	int min_args, max_args;
	bool is_agg;
	const char *usage; /* for arity hints */
} funcs[] = {
	{ "count", F_COUNT, 0, 0, true, "@m = count()" },
	{ "sum", F_SUM, 1, 1, true, "@m = sum(VALUE)" },
	{ "avg", F_AVG, 1, 1, true, "@m = avg(VALUE)" },
	{ "min", F_MIN, 1, 1, true, "@m = min(VALUE)" },
	{ "max", F_MAX, 1, 1, true, "@m = max(VALUE)" },
	{ "stats", F_STATS, 1, 1, true, "@m = stats(VALUE)" },
	{ "hist", F_HIST, 1, 1, true, "@m = hist(VALUE)" },
	{ "lhist", F_LHIST, 4, 4, true, "@m = lhist(VALUE, MIN, MAX, STEP)" },
	{ "printf", F_PRINTF, 1, 64, false, "printf(\"FORMAT\", ARGS...)" },
	{ "print", F_PRINT, 1, 3, false, "print(@m), print(@m, TOP), print(@m, TOP, DIV) or print(VALUE)" },
	{ "clear", F_CLEAR, 1, 1, false, "clear(@m)" },
	{ "zero", F_ZERO, 1, 1, false, "zero(@m)" },
	{ "delete", F_DELETE, 1, 2, false, "delete(@m, KEY) or delete(@m[KEY, ...])" },
	{ "exit", F_EXIT, 0, 1, false, "exit() or exit(CODE)" },
	{ "str", F_STR, 1, 2, false, "str(ADDRESS) or str(ADDRESS, LENGTH)" },
	{ "usym", F_USYM, 1, 1, false, "usym(ADDRESS)" },
	{ "ksym", F_KSYM, 1, 1, false, "ksym(ADDRESS)" },
	{ "uaddr", F_UADDR, 1, 1, false, "uaddr(\"SYMBOL\")" },
	{ "has_key", F_HAS_KEY, 2, 2, false, "has_key(@m, KEY)" },
	{ "len", F_LEN, 1, 1, false, "len(@m)" },
	{ "system", F_SYSTEM, 1, 64, false, "system(\"command %d\", ARGS...)" },
	{ "signal", F_SIGNAL, 1, 1, false, "signal(\"SIGUSR1\") or signal(10)" },
	{ "time", F_TIME, 0, 1, false, "time() or time(\"%H:%M:%S\\n\")" },
	{ "ustack", F_USTACK, 0, 2, false, "ustack([bpftrace|perf|raw][, FRAMES])" },
	{ "kstack", F_KSTACK, 0, 2, false, "kstack([bpftrace|perf|raw][, FRAMES])" },
};

static const struct func_def *func_find(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

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

static void hint_suggest(struct sema *s, const struct sema_suggest *sg, const char *prefix)
{
	char buf[512];

	if (sema_suggest__text(sg, prefix, buf, sizeof(buf)))
		HINT(s, "did you mean %s?", buf);
}

/* "uprobe and kprobe", "uprobe, uretprobe, kprobe and kretprobe" */
static const char *kinds_text(unsigned kinds, char *buf, size_t size)
{
	size_t len = 0;
	int n = 0, total = 0;

	for (int k = 0; k <= PK_KRETPROBE; k++)
		total += !!(kinds & K(k));
	buf[0] = 0;
	for (int k = 0; k <= PK_KRETPROBE && len < size; k++) {
		if (!(kinds & K(k)))
			continue;
		n++;
		len += snprintf(buf + len, size - len, "%s%s", n == 1 ? "" : n == total ? " and " : ", ",
				probe_kind_name(k));
	}
	return buf;
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
		s->uses = realloc(s->uses, s->plan->nmaps * sizeof(*s->uses));
		if (!s->uses)
			abort();
		s->uses[id] = (struct map_use){ .first = m->span, .keys = m->span, .value = m->span };
	}
	m->id = id;
	return pm;
}

static struct ty expr(struct sema *s, struct ast_node *n);

static int line_of(struct sema *s, struct span sp)
{
	int line, col;

	source_linecol(s->ast->src, sp.start, &line, &col);
	return line;
}

/* An argument where a value is needed; say why there is none. */
static void no_value(struct sema *s, struct ast_node *a, struct ty t, const char *what)
{
	if (t.kind == TY_AGG && a->kind == AST_CALL) {
		const struct func_def *fd = func_find(a->name);

		ERR(s, a->span, "%s() makes an aggregation, which cannot be %s", a->name, what);
		HINT(s, "assign it to a map, like %s, and print the map", fd ? fd->usage : "@m = count()");
	} else {
		ERR(s, a->span, "this expression has no value to %s", what);
	}
}

static int count_list(struct ast_node *n)
{
	int c = 0;

	for (; n; n = n->next)
		c++;
	return c;
}

/* Key types of @m[k1, k2]: fixed by the first use, checked after. */
static void map_keys(struct sema *s, struct ast_node *m, struct span sp, struct plan_map *pm)
{
	struct ty kt[PLAN_MAX_KEYS];
	int nk = count_list(m->args), i = 0;

	if (nk > PLAN_MAX_KEYS) {
		ERR(s, sp, "map %s has %d keys; at most %d are supported", pm->name, nk, PLAN_MAX_KEYS);
		nk = PLAN_MAX_KEYS;
	}
	for (struct ast_node *k = m->args; k && i < nk; k = k->next, i++) {
		kt[i] = expr(s, k);
		if (kt[i].kind == TY_NONE || kt[i].kind == TY_AGG) {
			no_value(s, k, kt[i], "used as a map key");
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
		s->uses[m->id].keys = sp;
		for (i = 0; i < nk; i++) {
			pm->key_ty[i] = kt[i];
			pm->key_off[i] = off;
			off += ty_storage_size(kt[i]);
		}
		pm->key_size = off ? off : 8;
		return;
	}
	if (pm->nkeys != nk) {
		ERR(s, sp, "map %s is used with %d key%s here but with %d on line %d", pm->name, nk,
		    nk == 1 ? "" : "s", pm->nkeys, line_of(s, s->uses[m->id].keys));
		HINT(s, "a map keeps one key type; use a second map for the other shape");
		return;
	}
	i = 0;
	for (struct ast_node *k = m->args; k && i < nk; k = k->next, i++) {
		if (!ty_same_kind(kt[i], pm->key_ty[i])) {
			ERR(s, k->span, "map %s key %d is %s here but %s on line %d", pm->name, i + 1,
			    ty_name(kt[i]), ty_name(pm->key_ty[i]), line_of(s, s->uses[m->id].keys));
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

static bool map_exists(struct sema *s, const char *name)
{
	for (int i = 0; i < s->plan->nmaps; i++)
		if (!strcmp(s->plan->maps[i].name + 1, name))
			return true;
	return false;
}

/* "its fields are: a, b, c" for the probe's tracepoint. */
static void hint_fields(struct sema *s, struct sema_suggest *sg)
{
	struct probe_group *g;
	char buf[512] = "";
	size_t len = 0;

	if (!s->pi || !s->pi->ngroups || !s->pi->groups[0].nfields) {
		if (s->pi && s->pi->ntargets && s->pi->targets[0].path && s->pi->targets[0].event)
			HINT(s, "the fields are listed in /sys/kernel/tracing/events/%s/%s/format",
			     s->pi->targets[0].path, s->pi->targets[0].event);
		return;
	}
	g = &s->pi->groups[0];
	for (int i = 0; i < g->nfields && len < sizeof(buf) - 64; i++) {
		if (!strncmp(g->fields[i].name, "common_", 7))
			continue;
		if (sg)
			sema_suggest__add(sg, g->fields[i].name);
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ", " : "", g->fields[i].name);
	}
	if (sg)
		hint_suggest(s, sg, "args.");
	HINT(s, "its fields are: %s", buf);
}

/* Go probes: goid, godepth and the alias's named arguments. A named
 * argument must exist, with one type, in every group (runtime function) the
 * probe attaches to. Returns false when n is none of these. */
static bool go_ident(struct sema *s, struct ast_node *n, struct ty *t)
{
	const struct probe_info *pi = s->pi;
	bool is_go = pi && pi->ngroups && pi->groups[0].go.is_go;
	int found = 0, missing = -1;
	struct ty first = { 0 };

	if (!strcmp(n->name, "goid") || !strcmp(n->name, "godepth")) {
		n->builtin = n->name[2] == 'i' ? B_GOID : B_GODEPTH;
		*t = ty_int(8, false);
		if (!is_go) {
			ERR(s, n->span, "'%s' is only available in probes on Go functions", n->name);
			HINT(s, "probe a Go binary: uprobe:./prog:main.work, or an alias like mapassign with -c/-p");
		}
		return true;
	}
	if (!is_go)
		return false;
	for (int g = 0; g < pi->ngroups; g++) {
		const struct probe_group *gr = &pi->groups[g];
		const struct go_arg *a = go_arg_find(gr->go.fn, gr->go.minor, gr->kind == PK_URETPROBE, n->name);

		if (!a) {
			missing = g;
			continue;
		}
		if (found++ == 0)
			first = go_arg_type(a);
		else if (go_arg_type(a).kind != first.kind) {
			ERR(s, n->span, "'%s' has different types in the functions this probe attaches to", n->name);
			HINT(s, "probe one function, e.g. go:%s", go_funcs[gr->go.fn].name);
			*t = first;
			n->builtin = B_GOARG;
			return true;
		}
	}
	if (!found)
		return false;
	n->builtin = B_GOARG;
	*t = first;
	if (missing >= 0) {
		const struct probe_group *gr = &pi->groups[missing];

		ERR(s, n->span, "'%s' is not an argument of %s", n->name,
		    gr->go.fn >= 0 ? go_funcs[gr->go.fn].name : "every function this probe attaches to");
		HINT(s, "list each function's arguments with: hark -l 'go:*'");
	}
	return true;
}

static struct ty ident(struct sema *s, struct ast_node *n)
{
	int64_t argn;
	struct ty gt;

	if (go_ident(s, n, &gt))
		return gt;
	if (!strcmp(n->name, "cpid")) {
		/* the -c command's pid, known before compiling: a literal */
		if (!s->opts->cpid) {
			ERR(s, n->span, "'cpid' is the pid of the -c command, and there is none");
			HINT(s, "run with -c 'COMMAND'");
		} else if (s->report) {
			n->kind = AST_INT;
			n->ival = s->opts->cpid;
		}
		return ty_int(8, false);
	}
	const struct builtin_def *b = builtin_find(n->name, &argn);
	enum probe_kind pk = s->pi ? s->pi->kind : PK_BEGIN;
	char buf[128];

	if (argn >= 0) {
		n->builtin = B_ARG;
		n->ival = argn;
		if (!(K_REGS & K(pk)) || pk == PK_URETPROBE || pk == PK_KRETPROBE) {
			ERR(s, n->span, "'%s' is not available in a %s probe", n->name, probe_kind_name(pk));
			HINT(s, "function arguments exist only in uprobe and kprobe probes");
			if (pk == PK_URETPROBE || pk == PK_KRETPROBE)
				HINT(s, "a %s sees the return value as 'retval'; save arguments in a map at entry",
				     probe_kind_name(pk));
			else if (pk == PK_TRACEPOINT)
				HINT(s, "tracepoints name their arguments: args.NAME");
		}
		return ty_int(8, false);
	}
	if (!b) {
		struct sema_suggest sg;

		ERR(s, n->span, "unknown identifier '%s'", n->name);
		if (func_find(n->name)) {
			HINT(s, "%s is a function; call it: %s()", n->name, n->name);
		} else if (map_exists(s, n->name)) {
			HINT(s, "did you mean the map @%s?", n->name);
		} else if (!strcmp(n->name, "arg")) {
			HINT(s, "write arg0, arg1, ... arg9");
		} else {
			sema_suggest__init(&sg, n->name);
			for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
				sema_suggest__add(&sg, builtins[i].name);
			for (int i = 0; i < 10; i++) {
				snprintf(buf, sizeof(buf), "arg%d", i);
				sema_suggest__add(&sg, buf);
			}
			hint_suggest(s, &sg, "");
		}
		return ty_int(8, true);
	}
	n->builtin = b->code;
	if (!(b->kinds & K(pk))) {
		ERR(s, n->span, "'%s' is not available in a %s probe", n->name, probe_kind_name(pk));
		HINT(s, "%s exists only in %s probes", n->name, kinds_text(b->kinds, buf, sizeof(buf)));
		if (b->kind == TY_INT || b->kind == TY_NONE)
			return ty_int(8, b->is_signed);
		return (struct ty){ .kind = b->kind, .size = 8 };
	}
	if (b->code == B_ARGS) {
		ERR(s, n->span, "'args' needs a field: args.NAME");
		hint_fields(s, NULL);
		return ty_int(8, true);
	}
	if (b->kind == TY_STR)
		return ty_str(b->code == B_COMM ? COMM_SIZE : STR_SIZE);
	if (b->kind == TY_USTACK || b->kind == TY_KSTACK)
		return (struct ty){ .kind = b->kind, .size = (uint16_t)(b->kind == TY_USTACK ? 16 : 8), .arg = 127 };
	if (b->kind == TY_INT)
		return ty_int(8, b->is_signed);
	return (struct ty){ .kind = b->kind, .size = (uint16_t)(b->kind == TY_USYM ? 16 : 8) };
}

static struct ty for_field(struct sema *s, struct ast_node *n);
static struct ty print_pair(struct sema *s, struct ast_node *n);

/* The level of the for loop whose variable n is, or -1. */
static int for_level(struct sema *s, const struct ast_node *n)
{
	for (int i = s->nfors - 1; n->kind == AST_VAR && i >= 0; i--)
		if (!strcmp(n->name, s->fors[i].var))
			return i;
	return -1;
}

static bool is_for_var(struct sema *s, const struct ast_node *n)
{
	return for_level(s, n) >= 0;
}

static struct ty field(struct sema *s, struct ast_node *n)
{
	struct probe_group *g;
	struct sema_suggest sg;

	if (is_for_var(s, n->lhs) || (n->lhs->kind == AST_FIELD && is_for_var(s, n->lhs->lhs)))
		return for_field(s, n);
	if (n->lhs->kind != AST_IDENT || strcmp(n->lhs->name, "args")) {
		ERR(s, n->span, "only tracepoint arguments have fields (args.NAME)");
		return ty_int(8, true);
	}
	n->lhs->builtin = B_ARGS;
	if (!s->pi || s->pi->kind != PK_TRACEPOINT) {
		enum probe_kind pk = s->pi ? s->pi->kind : PK_BEGIN;

		ERR(s, n->lhs->span, "'args' is not available in a %s probe", probe_kind_name(pk));
		HINT(s, "args exists only in tracepoint probes");
		if (K_REGS & K(pk) && pk != PK_URETPROBE && pk != PK_KRETPROBE)
			HINT(s, "a %s sees the function's arguments as arg0, arg1, ...", probe_kind_name(pk));
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
	if (s->pi->ntargets > 1)
		ERR(s, n->span, "tracepoint %s (and %d more) has no field '%s'", s->pi->targets[0].probe_name,
		    s->pi->ntargets - 1, n->name);
	else
		ERR(s, n->span, "tracepoint %s has no field '%s'",
		    s->pi->ntargets ? s->pi->targets[0].probe_name : "?", n->name);
	sema_suggest__init(&sg, n->name);
	hint_fields(s, &sg);
	return ty_int(8, true);
}

/* The first assignment to $name in the tree n, or NULL. */
static struct ast_node *find_var_assign(struct ast_node *n, const char *name)
{
	struct ast_node *f;

	for (; n; n = n->next) {
		if (n->kind == AST_ASSIGN && n->lhs->kind == AST_VAR && !strcmp(n->lhs->name, name))
			return n;
		if ((f = find_var_assign(n->then, name)) || (f = find_var_assign(n->els, name)) ||
		    (f = find_var_assign(n->body, name)))
			return f;
	}
	return NULL;
}

static struct ty var_ref(struct sema *s, struct ast_node *n)
{
	struct ast_node *later;
	int64_t argn;

	if (is_for_var(s, n)) {
		n->id = -1;
		ERR(s, n->span, "$%s is a (key, value) pair of the for loop; it has no value of its own",
		    n->name);
		HINT(s, "use $%s.0 for the key and $%s.1 for the value; print($%s) prints both", n->name, n->name,
		     n->name);
		return ty_int(8, true);
	}

	for (int i = 0; i < s->nvars; i++) {
		if (!strcmp(s->vars[i].name, n->name)) {
			n->id = i;
			return s->vars[i].ty;
		}
	}
	n->id = -1;
	if (!s->report)
		return ty_int(8, true);
	ERR(s, n->span, "variable $%s is used before it is assigned", n->name);
	later = s->probe ? find_var_assign(s->probe->body, n->name) : NULL;
	if (later) {
		int line, col;

		source_linecol(s->ast->src, later->span.start, &line, &col);
		HINT(s, "$%s is first assigned on line %d; assign it before this use", n->name, line);
		return ty_int(8, true);
	}
	for (struct ast_node *p = s->ast->probes; p; p = p->next) {
		if (p != s->probe && find_var_assign(p->body, n->name)) {
			HINT(s, "$%s is assigned in another probe; variables live in one probe, "
				"share values through a map like @%s", n->name, n->name);
			return ty_int(8, true);
		}
	}
	if (builtin_find(n->name, &argn) || argn >= 0)
		HINT(s, "for the builtin, write %s without '$'", n->name);
	else
		HINT(s, "assign it first, like $%s = 0;", n->name);
	return ty_int(8, true);
}

/* $x = value: the first assignment fixes the variable's type. */
static int var_def(struct sema *s, struct ast_node *n, struct ast_node *rhs, struct ty t)
{
	if (is_for_var(s, n)) {
		n->id = -1;
		ERR(s, n->span, "$%s is the for loop's (key, value) pair and cannot be assigned", n->name);
		HINT(s, "copy what you need into another variable, like $v = $%s.1;", n->name);
		return -1;
	}
	for (int i = 0; i < s->nvars; i++) {
		if (!strcmp(s->vars[i].name, n->name)) {
			n->id = i;
			if (!ty_same_kind(s->vars[i].ty, t)) {
				ERR(s, rhs->span, "variable $%s holds %s but is assigned %s here", n->name,
				    ty_name(s->vars[i].ty), ty_name(t));
				HINT(s, "a variable keeps the type of its first assignment; use another name");
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

/* Add an event layout to the plan; n (the call) refers to it by n->id. */
static void add_fmt(struct sema *s, struct ast_node *n, struct plan_fmt pf)
{
	struct plan_fmt *fmts = realloc(s->plan->fmts, (s->plan->nfmts + 1) * sizeof(pf));

	if (!fmts)
		abort();
	s->plan->fmts = fmts;
	n->id = s->plan->nfmts;
	s->plan->fmts[s->plan->nfmts++] = pf;
}

static void event_size(struct sema *s, uint32_t size)
{
	if (size > s->max_event)
		s->max_event = size;
}

/* Source offset of byte `off` of the decoded string literal n (escapes as
 * decoded as lexer.l decodes them). */
static uint32_t str_src_off(struct sema *s, struct ast_node *n, size_t off)
{
	const char *t = s->ast->src->text;
	uint32_t i = n->span.start + 1, end = n->span.end;

	for (size_t o = 0; o < off && i < end; o++) {
		if (t[i++] != '\\' || i >= end)
			continue;
		if (t[i] == 'x') {
			i++;
			for (int k = 0; k < 2 && i < end && strchr("0123456789abcdefABCDEF", t[i]); k++)
				i++;
		} else if (t[i] >= '0' && t[i] <= '7') {
			i++;
			for (int k = 1; k < 3 && i < end && t[i] >= '0' && t[i] <= '7'; k++)
				i++;
		} else {
			i++;
		}
	}
	return i;
}

/* The span of the conversion at byte off of the format literal f: from
 * its '%' to its conversion letter. */
static struct span conv_span(struct sema *s, struct ast_node *f, size_t off)
{
	const char *v = f->sval;
	size_t e = off + 1;

	if (s->ast->src->text[f->span.start] != '"')
		return f->span; /* came from a positional parameter */
	while (v[e] && strchr("-0+ #", v[e]))
		e++;
	while (v[e] && ((v[e] >= '0' && v[e] <= '9') || v[e] == '.'))
		e++;
	while (v[e] == 'h' || v[e] == 'l')
		e++;
	if (v[e])
		e++;
	return (struct span){ str_src_off(s, f, off), str_src_off(s, f, e) };
}

/* printf(fmt, args...): the format is checked against the arguments. */
static int64_t sig_number(const char *name)
{
	static const char *const names[] = { "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
					     "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD",
					     "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
					     "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (int64_t)i + 1;
	return -1;
}

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
		struct span sp = conv_span(s, f, err_off);

		if (!strcmp(err_msg, "unknown conversion"))
			ERR(s, sp, "unknown printf conversion '%.*s'", (int)(sp.end - sp.start),
			    s->ast->src->text + sp.start);
		else
			ERR(s, sp, "printf format: %s", err_msg);
		HINT(s, "conversions are %%d %%i %%u %%x %%X %%o %%s %%c %%p; write %%%% for a literal %%");
		for (a = f->next; a; a = a->next)
			expr(s, a);
		return;
	}
	if (fmt->nconv < nargs) {
		struct ast_node *extra = f->next;

		for (i = 0; i < fmt->nconv; i++)
			extra = extra->next;
		ERR(s, extra->span, "printf format has %d conversion%s but %d argument%s given; this one is extra",
		    fmt->nconv, fmt->nconv == 1 ? "" : "s", nargs, nargs == 1 ? " is" : "s are");
	} else if (fmt->nconv > nargs) {
		int c = 0;
		struct span sp = f->span;

		for (i = 0; i < fmt->nsegs; i++) {
			if (fmt->segs[i].conv != FMT_LIT && c++ == nargs) {
				sp = conv_span(s, f, fmt->segs[i].src_off);
				break;
			}
		}
		ERR(s, sp, "printf format has %d conversion%s but %d argument%s given; this one has no argument",
		    fmt->nconv, fmt->nconv == 1 ? "" : "s", nargs, nargs == 1 ? " is" : "s are");
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
			no_value(s, a, t, "printed");
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
	add_fmt(s, n, pf);
}

static struct ty call(struct sema *s, struct ast_node *n)
{
	const struct func_def *fd = func_find(n->name);
	int nargs = count_list(n->args);
	struct ty t;

	if (!fd) {
		struct sema_suggest sg;
		int64_t argn;

		ERR(s, n->span, "unknown function '%s'", n->name);
		if (builtin_find(n->name, &argn) || argn >= 0) {
			HINT(s, "%s is a builtin value, not a function; write it without ()", n->name);
		} else {
			sema_suggest__init(&sg, n->name);
			for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
				sema_suggest__add(&sg, funcs[i].name);
			hint_suggest(s, &sg, "");
		}
		for (struct ast_node *a = n->args; a; a = a->next)
			expr(s, a);
		return ty_int(8, true);
	}
	n->builtin = fd->code;
	if (nargs < fd->min_args || nargs > fd->max_args) {
		if (fd->min_args == fd->max_args)
			ERR(s, n->span, "%s() takes %d argument%s, not %d", fd->name, fd->min_args,
			    fd->min_args == 1 ? "" : "s", nargs);
		else if (nargs < fd->min_args)
			ERR(s, n->span, "%s() takes at least %d argument%s, not %d", fd->name, fd->min_args,
			    fd->min_args == 1 ? "" : "s", nargs);
		else
			ERR(s, n->span, "%s() takes at most %d argument%s, not %d", fd->name, fd->max_args,
			    fd->max_args == 1 ? "" : "s", nargs);
		HINT(s, "usage: %s", fd->usage);
		for (struct ast_node *a = n->args; a; a = a->next)
			if (a->kind != AST_MAP)
				expr(s, a);
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
	case F_SYSTEM:
	case F_SIGNAL:
		if (!s->opts->unsafe) {
			ERR(s, n->span, "%s() %s; hark refuses it without --unsafe", fd->name,
			    fd->code == F_SYSTEM ? "runs commands on this host" : "sends signals to traced processes");
			HINT(s, "if that is what you want: hark --unsafe ...");
		}
		if (fd->code == F_SYSTEM) {
			check_printf(s, n);
		} else {
			int64_t sig = 0;

			if (n->args->kind == AST_STR) {
				const char *name = n->args->sval;

				if (!strncmp(name, "SIG", 3))
					name += 3;
				sig = sig_number(name);
			} else if (!is_const_int(n->args, &sig)) {
				sig = -1;
			}
			if (sig < 1 || sig > 64) {
				ERR(s, n->args->span, "signal() takes a signal name or number, like signal(\"SIGUSR1\")");
				sig = 0;
			}
			n->ival = sig;
		}
		return (struct ty){ .kind = TY_NONE };
	case F_PRINT:
		if (n->args->kind == AST_MAP && !n->args->args) {
			map_get(s, n->args);
			for (struct ast_node *a = n->args->next; a; a = a->next) {
				if (!want_int(s, a, expr(s, a), a == n->args->next ? "print()'s TOP" : "print()'s DIV"))
					HINT(s, "print(@m, TOP, DIV) prints the TOP largest entries, values divided by DIV");
			}
			event_size(s, 32);
			return (struct ty){ .kind = TY_NONE };
		}
		if (nargs > 1) {
			ERR(s, n->args->next->span, "print() of a value takes one argument");
			HINT(s, "only maps take TOP and DIV: print(@m, TOP, DIV)");
			return (struct ty){ .kind = TY_NONE };
		}
		if (is_for_var(s, n->args))
			return print_pair(s, n);
		t = expr(s, n->args);
		if (t.kind == TY_NONE || t.kind == TY_AGG)
			no_value(s, n->args, t, "printed");
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
			add_fmt(s, n, pf);
		}
		return (struct ty){ .kind = TY_NONE };
	case F_CLEAR:
	case F_ZERO:
		if (n->args->kind != AST_MAP || n->args->args) {
			ERR(s, n->args->span, "%s() takes a map name, like %s(@m)", fd->name, fd->name);
			return (struct ty){ .kind = TY_NONE };
		}
		map_get(s, n->args);
		/* zero() keeps the keys, now with 0: a one-slot array would read as
		 * never written (sema_run) */
		if (fd->code == F_ZERO)
			s->uses[n->args->id].entry_ops = true;
		event_size(s, 16);
		return (struct ty){ .kind = TY_NONE };
	case F_DELETE: {
		/* delete(@m, key), or bpftrace 0.17's delete(@m[k1, k2]) */
		struct ast_node *m = n->args;
		struct plan_map *pm;

		if (m->kind == AST_MAP && !m->next) {
			/* delete(@m[k1, k2]), and delete(@scalar) */
			pm = map_get(s, m);
			s->uses[m->id].entry_ops = true;
			map_keys(s, m, m->span, pm);
			return (struct ty){ .kind = TY_NONE };
		}
		if (m->kind != AST_MAP || m->args || !m->next) {
			ERR(s, m->span, "delete() takes a map and a key, like delete(@m, key)");
			if (m->kind == AST_MAP && m->args)
				HINT(s, "write delete(@%s, KEY) or delete(@%s[KEY])", m->name, m->name);
			return (struct ty){ .kind = TY_NONE };
		}
		pm = map_get(s, m);
		s->uses[m->id].entry_ops = true;
		/* check the key as if written @m[key] */
		m->args = m->next;
		m->next = NULL;
		map_keys(s, m, (struct span){ m->args->span.start, m->args->span.end }, pm);
		m->next = m->args;
		m->args = NULL;
		return (struct ty){ .kind = TY_NONE };
	}
	case F_EXIT:
		if (n->args && !want_int(s, n->args, expr(s, n->args), "exit()'s code"))
			HINT(s, "exit() takes a status code; to say why, printf() the message first");
		event_size(s, 16);
		return (struct ty){ .kind = TY_NONE };
	case F_STR:
		t = expr(s, n->args);
		if (t.kind == TY_STR) {
			if (n->args->next) {
				ERR(s, n->args->next->span, "str() of a string takes no length");
				HINT(s, "the length is for reading from an address: str(ADDRESS, LENGTH)");
			}
			return ty_str(STR_SIZE);
		}
		want_int(s, n->args, t, "str()'s address");
		if (n->args->next)
			want_int(s, n->args->next, expr(s, n->args->next), "str()'s length");
		return ty_str(STR_SIZE);
	case F_USYM:
	case F_KSYM:
		want_int(s, n->args, expr(s, n->args), "the address");
		return (struct ty){ .kind = fd->code == F_USYM ? TY_USYM : TY_KSYM,
				    .size = (uint16_t)(fd->code == F_USYM ? 16 : 8) };
	case F_UADDR:
		if (n->args->kind != AST_STR) {
			ERR(s, n->args->span, "uaddr() takes a symbol name in quotes, like uaddr(\"main\")");
		} else if (!n->args->sema) {
			ERR(s, n->args->span, "no symbol '%s' in the probed binary or the traced program",
			    n->args->sval);
		}
		return ty_int(8, false);
	case F_HAS_KEY: {
		struct ast_node *m = n->args;
		struct plan_map *pm;

		if (m->kind != AST_MAP || m->args) {
			ERR(s, m->span, "has_key() takes a map and a key, like has_key(@m, key)");
			return ty_int(8, false);
		}
		pm = map_get(s, m);
		s->uses[m->id].entry_ops = true;
		m->args = m->next; /* check the key as if written @m[key] */
		m->next = NULL;
		map_keys(s, m, (struct span){ m->args->span.start, m->args->span.end }, pm);
		m->next = m->args;
		m->args = NULL;
		return ty_int(8, false);
	}
	case F_LEN:
		if (n->args->kind != AST_MAP || n->args->args) {
			ERR(s, n->args->span, "len() takes a map name, like len(@m)");
			return ty_int(8, false);
		}
		map_get(s, n->args);
		s->uses[n->args->id].entry_ops = true;
		return ty_int(8, false);
	case F_TIME:
		if (n->args && n->args->kind != AST_STR) {
			ERR(s, n->args->span, "time() takes a strftime format string, like time(\"%%H:%%M:%%S\\n\")");
			return (struct ty){ .kind = TY_NONE };
		}
		event_size(s, 16);
		if (s->report) {
			struct plan_fmt pf = { 0 };

			pf.fmt = strdup(n->args ? n->args->sval : "%H:%M:%S\n");
			pf.size = 16;
			pf.arg_ty = calloc(1, sizeof(*pf.arg_ty));
			pf.arg_off = calloc(1, sizeof(*pf.arg_off));
			add_fmt(s, n, pf);
		}
		return (struct ty){ .kind = TY_NONE };
	case F_USTACK:
	case F_KSTACK: {
		/* ustack([mode, ][frames]) with mode bpftrace, perf or raw */
		static const char *const modes[] = { "bpftrace", "perf", "raw" };
		struct ast_node *a = n->args;
		int64_t v = 127;
		int mode = STACK_BPFTRACE;

		if (a && a->kind == AST_IDENT) {
			mode = -1;
			for (int i = 0; i < 3; i++)
				if (!strcmp(a->name, modes[i]))
					mode = i;
			if (mode < 0) {
				ERR(s, a->span, "unknown stack mode '%s'", a->name);
				HINT(s, "modes are bpftrace (name+offset), perf (address, name, module) and raw (addresses)");
				mode = STACK_BPFTRACE;
			}
			a = a->next;
		}
		if (a && a->next) {
			ERR(s, a->span, "the first of %s()'s two arguments is a stack mode", fd->name);
			HINT(s, "write %s(perf, 5): modes are bpftrace, perf and raw", fd->name);
		} else if (a && (!is_const_int(a, &v) || v <= 0 || v > 127)) {
			ERR(s, a->span, "%s() takes a frame count from 1 to 127", fd->name);
			v = 127;
		}
		memset(&t, 0, sizeof(t));
		t.kind = fd->code == F_USTACK ? TY_USTACK : TY_KSTACK;
		t.size = fd->code == F_USTACK ? 16 : 8;
		t.arg = (uint16_t)v;
		t.mode = (uint8_t)mode;
		return t;
	}
	default:
		return ty_int(8, true);
	}
}

/* caller == "sym", func == "sym": an address-range test in the kernel; the
 * range was resolved onto the literal by runtime/resolve.c. */
static bool symbol_compare(struct sema *s, struct ast_node *n, struct ty l, struct ty r)
{
	struct ast_node *sym = l.kind == TY_STR ? n->lhs : n->rhs;
	struct ty other = l.kind == TY_STR ? r : l;

	if ((other.kind != TY_USYM && other.kind != TY_FUNC) || sym->kind != AST_STR)
		return false;
	if (n->op != OP_EQ && n->op != OP_NE) {
		ERR(s, n->span, "symbols compare only with == and !=");
		return true;
	}
	if (!sym->sema) {
		ERR(s, sym->span, "no function '%s' in the probed binary or the traced program", sym->sval);
		HINT(s, "list functions with: hark -l 'uprobe:BINARY:*'");
	}
	return true;
}

static struct ty binop(struct sema *s, struct ast_node *n)
{
	struct ty l = expr(s, n->lhs), r = expr(s, n->rhs);

	if (symbol_compare(s, n, l, r))
		return ty_int(8, false);
	if (l.kind == TY_STR || r.kind == TY_STR) {
		if ((n->op == OP_EQ || n->op == OP_NE) && l.kind == TY_STR && r.kind == TY_STR)
			return ty_int(8, false);
		ERR(s, n->span, "cannot apply '%s' to %s and %s", ast_op_name(n->op), ty_name(l), ty_name(r));
		if (n->op == OP_EQ || n->op == OP_NE)
			HINT(s, "strings compare only with strings, like comm == \"bash\"");
		else
			HINT(s, "strings support only == and !=");
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

/* Nesting deeper than this is refused: the checks and codegen recurse, and
 * ~2,500 levels (a fuzzer's "!!!!...") overflowed the stack under ASan. */
#define SEMA_MAX_DEPTH 200

static bool too_deep(struct sema *s, struct ast_node *n, const char *what)
{
	if (s->depth < SEMA_MAX_DEPTH)
		return false;
	ERR(s, n->span, "this %s is nested more than %d levels deep", what, SEMA_MAX_DEPTH);
	HINT(s, "split it up with variables ($a = ...;) or separate statements");
	return true;
}

static struct ty expr(struct sema *s, struct ast_node *n)
{
	struct ty t;

	if (too_deep(s, n, "expression")) {
		n->ty = ty_int(8, true);
		return n->ty;
	}
	s->depth++;
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

		map_keys(s, n, n->span, pm);
		if (pm->agg == AGG_NONE && pm->value_ty.kind != TY_NONE)
			t = pm->value_ty;
		else if (pm->agg == AGG_COUNT || pm->agg == AGG_SUM || pm->agg == AGG_MIN ||
			 pm->agg == AGG_MAX || pm->agg == AGG_NONE)
			t = ty_int(8, true);
		else {
			ERR(s, n->span, "map %s holds %s, which cannot be read as a value", pm->name,
			    agg_name(pm->agg));
			HINT(s, "only count(), sum(), min() and max() maps read as numbers; print(%s) shows it",
			     pm->name);
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
	s->depth--;
	n->ty = t;
	return t;
}

/* ---- statements --------------------------------------------------------- */

static void stmts(struct sema *s, struct ast_node *n);

/* @m = expr, @m = count(), @m op= expr */
static void lhist_bounds(struct ast_node *r, int64_t *mn, int64_t *mx, int64_t *st)
{
	struct ast_node *a = r->args ? r->args->next : NULL;

	*mn = *mx = *st = 0;
	if (count_list(r->args) != 4)
		return; /* arity already reported */
	is_const_int(a, mn);
	is_const_int(a->next, mx);
	is_const_int(a->next->next, st);
}

/* What map pm holds, for messages: "count()", "a string". */
static const char *holds(const struct plan_map *pm)
{
	return pm->agg != AGG_NONE ? agg_name(pm->agg) : ty_name(pm->value_ty);
}

static void assign_map(struct sema *s, struct ast_node *n)
{
	struct ast_node *m = n->lhs, *r = n->rhs;
	struct plan_map *pm = map_get(s, m);
	struct map_use *u = &s->uses[m->id];
	enum agg_kind agg = AGG_NONE;
	struct ty t;

	u->assigned = true;
	map_keys(s, m, m->span, pm);
	if (r && r->kind == AST_CALL) {
		const struct func_def *fd = func_find(r->name);

		if (fd && fd->is_agg)
			agg = agg_of(fd->code);
	}
	t = r ? expr(s, r) : ty_int(8, true);
	if (agg != AGG_NONE && n->op != OP_ASSIGN) {
		ERR(s, n->span, "an aggregation can only be assigned with '=', not '%s='", ast_op_name(n->op));
		HINT(s, "write %s = %s(%s); it updates the aggregation each time it runs", pm->name, r->name,
		     r->args ? "..." : "");
		return;
	}
	if (t.kind == TY_NONE) {
		ERR(s, r->span, "this expression has no value to store");
		if (r->kind == AST_CALL)
			HINT(s, "%s() does something but returns nothing; call it on its own line", r->name);
		return;
	}
	if (agg == AGG_NONE && t.kind == TY_AGG)
		return; /* error already reported */
	if (t.kind == TY_INT)
		t = ty_int(8, t.is_signed);
	if (t.kind == TY_STR)
		t.size = STR_SIZE;
	if (n->op != OP_ASSIGN && t.kind != TY_INT) {
		ERR(s, r->span, "'%s=' needs an integer, not %s", ast_op_name(n->op), ty_name(t));
		return;
	}
	if (pm->agg == AGG_NONE && pm->value_ty.kind == TY_NONE) {
		/* first definition */
		pm->agg = agg;
		u->value = r ? r->span : n->span;
		if (agg == AGG_NONE)
			pm->value_ty = t;
		if (agg == AGG_LHIST)
			lhist_bounds(r, &pm->lhist_min, &pm->lhist_max, &pm->lhist_step);
		return;
	}
	if (n->op != OP_ASSIGN && (pm->agg != AGG_NONE || pm->value_ty.kind != TY_INT)) {
		ERR(s, n->span, "'%s=' needs a map that holds an integer, but %s holds %s (line %d)",
		    ast_op_name(n->op), pm->name, holds(pm), line_of(s, u->value));
		return;
	}
	if (pm->agg != agg || (agg == AGG_NONE && !ty_same_kind(pm->value_ty, t))) {
		ERR(s, r ? r->span : n->span, "map %s is assigned %s here but %s on line %d", pm->name,
		    agg != AGG_NONE ? agg_name(agg) : ty_name(t), holds(pm), line_of(s, u->value));
		HINT(s, "a map keeps one kind of value; use another map name");
		return;
	}
	if (agg == AGG_LHIST) {
		int64_t mn, mx, st;

		lhist_bounds(r, &mn, &mx, &st);
		if (count_list(r->args) == 4 &&
		    (mn != pm->lhist_min || mx != pm->lhist_max || st != pm->lhist_step)) {
			ERR(s, r->span, "map %s uses lhist() with other bounds on line %d", pm->name,
			    line_of(s, u->value));
			HINT(s, "every lhist() of one map needs the same MIN, MAX and STEP");
		}
	}
}

/* for ($kv : @m) { ... }: the body runs once per entry of @m, in the
 * kernel (bpf_for_each_map_elem); $kv.0 is the key, $kv.1 the value. */
static void for_stmt(struct sema *s, struct ast_node *n)
{
	struct ast_node *m = n->lhs;
	struct plan_map *pm = map_get(s, m);

	n->id = m->id;
	s->uses[m->id].entry_ops = true;
	if (m->args) {
		ERR(s, m->span, "a for loop walks the whole map; write %s without keys", pm->name);
		HINT(s, "for ($%s : %s) { ... $%s.0 ... } sees every key", n->name, pm->name, n->name);
	}
	if (s->nfors == SEMA_MAX_FOR) {
		ERR(s, n->span, "for loops nest at most %d deep", SEMA_MAX_FOR);
		HINT(s, "each loop is a BPF callback frame; copy what the inner loops need into a map first");
		return;
	}
	for (int i = 0; i < s->nfors; i++) {
		if (!strcmp(s->fors[i].var, n->name)) {
			ERR(s, n->span, "$%s is already the variable of a for loop around this one", n->name);
			HINT(s, "name the inner loop's variable differently, like for ($%s2 : %s)", n->name, pm->name);
		}
	}
	if (pm->agg == AGG_AVG || pm->agg == AGG_STATS || pm->agg == AGG_HIST || pm->agg == AGG_LHIST) {
		ERR(s, m->span, "a for loop cannot walk %s: it holds %s, which has no single value per key",
		    pm->name, agg_name(pm->agg));
		HINT(s, "loops work on maps of count(), sum(), min(), max() and plain values; print(%s) shows it",
		     pm->name);
	}
	for (int i = 0; i < s->nvars; i++) {
		if (!strcmp(s->vars[i].name, n->name)) {
			ERR(s, n->span, "$%s is already a variable of this probe; the loop needs a new name", n->name);
			HINT(s, "like for ($%s : %s)", strcmp(n->name, "kv") ? "kv" : "entry", pm->name);
		}
	}
	s->fors[s->nfors].var = n->name;
	s->fors[s->nfors].map = m->id;
	s->nfors++;
	s->loop_depth++;
	stmts(s, n->body);
	s->loop_depth--;
	s->nfors--;
}

/* The type of $kv.1 of a loop over pm */
static struct ty for_value_ty(const struct plan_map *pm)
{
	return pm->agg == AGG_NONE && pm->value_ty.kind != TY_NONE ? pm->value_ty : ty_int(8, true);
}

/* print($kv): "(key, value)", as bpftrace prints the pair. One event
 * carries the key's fields and the value (plan_fmt.pair_keys). */
static struct ty print_pair(struct sema *s, struct ast_node *n)
{
	struct ast_node *v = n->args;
	int level = for_level(s, v);
	struct plan_map *pm = &s->plan->maps[s->fors[level].map];
	uint32_t off = 16;
	struct plan_fmt pf = { 0 };

	v->builtin = B_FOR_PAIR;
	v->ival = level;
	v->id = -1;
	if (pm->nkeys < 1) {
		ERR(s, v->span, "%s has no keys, so $%s is no (key, value) pair", pm->name, v->name);
		HINT(s, "print($%s.1) prints the value", v->name);
		return (struct ty){ .kind = TY_NONE };
	}
	pf.nargs = pm->nkeys + 1;
	pf.pair_keys = pm->nkeys;
	pf.arg_ty = calloc(pf.nargs, sizeof(*pf.arg_ty));
	pf.arg_off = calloc(pf.nargs, sizeof(*pf.arg_off));
	for (int i = 0; i < pf.nargs; i++) {
		pf.arg_ty[i] = i < pm->nkeys ? pm->key_ty[i] : for_value_ty(pm);
		pf.arg_off[i] = off;
		off += ty_storage_size(pf.arg_ty[i]);
	}
	pf.size = off;
	event_size(s, off);
	if (!s->report) {
		free(pf.arg_ty);
		free(pf.arg_off);
		return (struct ty){ .kind = TY_NONE };
	}
	add_fmt(s, n, pf);
	return (struct ty){ .kind = TY_NONE };
}

/* $kv.0 (the key; $kv.0.N with several keys) and $kv.1 (the value) */
static struct ty for_field(struct sema *s, struct ast_node *n)
{
	bool nested = n->lhs->kind == AST_FIELD;
	int level = for_level(s, nested ? n->lhs->lhs : n->lhs);
	struct plan_map *pm = &s->plan->maps[s->fors[level].map];
	const char *v = s->fors[level].var;
	char *end, canon[24];
	long idx = strtol(n->name, &end, 10);

	/* the $kv node is no variable of the probe (codegen's variable
	 * marking would count it as slot 0) */
	if (nested)
		n->lhs->lhs->id = -1;
	else
		n->lhs->id = -1;
	snprintf(canon, sizeof(canon), "%ld", idx);
	if (*end || idx < 0 || strcmp(canon, n->name)) {
		ERR(s, n->span, "$%s has no field '%s'", v, n->name);
		HINT(s, "$%s.0 is the key and $%s.1 the value", v, v);
		return ty_int(8, true);
	}
	if (nested && !strcmp(n->lhs->name, "1")) {
		ERR(s, n->span, "$%s.1 is the value, which has no fields", v);
		HINT(s, "the key's fields are $%s.0.0, $%s.0.1, ... when the map has several keys", v, v);
		return ty_int(8, true);
	}
	if (nested) {
		/* $kv.0.N: key N of a map with several keys */
		if (strcmp(n->lhs->name, "0") || pm->nkeys < 2 || idx >= pm->nkeys) {
			ERR(s, n->span, "%s has %d key%s; $%s.0.%ld does not exist", pm->name, pm->nkeys < 0 ? 0 : pm->nkeys,
			    pm->nkeys == 1 ? "" : "s", v, idx);
			if (pm->nkeys == 1)
				HINT(s, "with one key, $%s.0 is the key", v);
			else if (pm->nkeys > 1)
				HINT(s, "the keys are $%s.0.0 to $%s.0.%d", v, v, pm->nkeys - 1);
			return ty_int(8, true);
		}
		n->builtin = B_FOR_KEY;
		n->ival = level;
		n->id = (int)idx;
		return pm->key_ty[idx];
	}
	if (idx == 1) {
		n->builtin = B_FOR_VALUE;
		n->ival = level;
		return for_value_ty(pm);
	}
	if (idx != 0) {
		ERR(s, n->span, "$%s has no field '%ld'", v, idx);
		HINT(s, "$%s.0 is the key and $%s.1 the value", v, v);
		return ty_int(8, true);
	}
	if (pm->nkeys == 1) {
		n->builtin = B_FOR_KEY;
		n->ival = level;
		n->id = 0;
		return pm->key_ty[0];
	}
	if (pm->nkeys > 1)
		ERR(s, n->span, "%s has %d keys; pick one as $%s.0.0 to $%s.0.%d", pm->name, pm->nkeys, v, v,
		    pm->nkeys - 1);
	else
		ERR(s, n->span, "%s has no keys; $%s.0 does not exist", pm->name, v);
	return ty_int(8, true);
}

static void stmt_at_depth(struct sema *s, struct ast_node *n);

static void stmt(struct sema *s, struct ast_node *n)
{
	if (too_deep(s, n, "statement"))
		return;
	s->depth++;
	stmt_at_depth(s, n);
	s->depth--;
}

static void stmt_at_depth(struct sema *s, struct ast_node *n)
{
	struct ty t;

	switch (n->kind) {
	case AST_EXPR_STMT:
		t = expr(s, n->lhs);
		if (t.kind == TY_AGG) {
			const struct func_def *fd = func_find(n->lhs->name);

			ERR(s, n->lhs->span, "%s() makes an aggregation; assign it to a map", n->lhs->name);
			HINT(s, "like %s", fd ? fd->usage : "@m = count()");
		}
		else if (n->lhs->kind != AST_CALL)
			ERR(s, n->lhs->span, "this expression's value is unused");
		break;
	case AST_ASSIGN:
		if (n->lhs->kind == AST_MAP) {
			assign_map(s, n);
		} else if (n->lhs->kind == AST_VAR) {
			t = expr(s, n->rhs);
			if (t.kind == TY_AGG || t.kind == TY_NONE) {
				no_value(s, n->rhs, t, "stored in a variable");
				break;
			}
			if (n->op != OP_ASSIGN) {
				struct ty v = var_ref(s, n->lhs);

				if (v.kind != TY_INT && n->lhs->id >= 0)
					ERR(s, n->span, "'%s=' needs an integer, but $%s holds %s", ast_op_name(n->op),
					    n->lhs->name, ty_name(v));
				else if (t.kind != TY_INT)
					ERR(s, n->rhs->span, "'%s=' needs an integer, not %s", ast_op_name(n->op), ty_name(t));
				break;
			}
			var_def(s, n->lhs, n->rhs, t);
		} else {
			ERR(s, n->lhs->span, "only maps (@m) and variables ($x) can be assigned");
		}
		break;
	case AST_INCDEC:
		if (n->lhs->kind == AST_MAP) {
			struct plan_map *pm = map_get(s, n->lhs);

			struct map_use *u = &s->uses[n->lhs->id];

			u->assigned = true;
			map_keys(s, n->lhs, n->lhs->span, pm);
			if (pm->agg == AGG_NONE && pm->value_ty.kind == TY_NONE) {
				pm->value_ty = ty_int(8, true);
				u->value = n->span;
			} else if (pm->agg != AGG_NONE || pm->value_ty.kind != TY_INT) {
				ERR(s, n->span, "'%s' needs a map that holds an integer, but %s holds %s (line %d)",
				    ast_op_name(n->op), pm->name, holds(pm), line_of(s, u->value));
				if (pm->agg == AGG_COUNT)
					HINT(s, "%s = count() already adds one each time it runs", pm->name);
			}
		} else if (n->lhs->kind == AST_VAR) {
			t = var_ref(s, n->lhs);
			if (t.kind != TY_INT && n->lhs->id >= 0)
				ERR(s, n->span, "'%s' needs an integer, but $%s holds %s", ast_op_name(n->op), n->lhs->name,
				    ty_name(t));
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
		if (n->ival < 1 || n->ival > 100) {
			/* point at the count: the first number after "unroll (" */
			const char *t = s->ast->src->text;
			struct span sp = n->span;
			uint32_t i = sp.start;

			while (i < sp.end && t[i] != '(')
				i++;
			while (i < sp.end && (t[i] == '(' || t[i] == ' ' || t[i] == '\t'))
				i++;
			if (i < sp.end) {
				sp.start = i;
				while (i < sp.end && t[i] != ')' && t[i] != ' ')
					i++;
				sp.end = i;
			}
			ERR(s, sp, "unroll count must be between 1 and 100, not %lld", (long long)n->ival);
		}
		stmts(s, n->body);
		break;
	case AST_RETURN:
		break;
	case AST_BREAK:
	case AST_CONTINUE:
		if (!s->loop_depth) {
			ERR(s, n->span, "'%s' outside a loop", n->kind == AST_BREAK ? "break" : "continue");
			HINT(s, "break and continue work in while and for bodies; 'return' leaves the probe");
		}
		break;
	case AST_FOR:
		for_stmt(s, n);
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
		if (p->pred && !want_int(s, p->pred, expr(s, p->pred), "the predicate") && p->pred->ty.kind == TY_STR)
			HINT(s, "compare the string, like /comm == \"bash\"/");
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

/* let @m = KIND(SIZE); */
static void decls(struct sema *s)
{
	static const char *const kinds[] = { [MK_HASH] = "hash", [MK_PERCPUHASH] = "percpuhash",
					     [MK_LRUHASH] = "lruhash", [MK_PERCPULRUHASH] = "percpulruhash",
					     [MK_ARRAY] = "array" };

	for (struct ast_node *d = s->ast->decls; d; d = d->next) {
		struct ast_node m = { .kind = AST_MAP, .span = d->span, .name = d->name };
		struct plan_map *pm = map_get(s, &m);
		enum map_kind k = MK_DEFAULT;

		for (int i = MK_HASH; i <= MK_ARRAY; i++)
			if (!strcmp(d->sval, kinds[i]))
				k = (enum map_kind)i;
		if (k == MK_DEFAULT) {
			struct sema_suggest sg;

			ERR(s, d->span, "unknown map kind '%s'", d->sval);
			sema_suggest__init(&sg, d->sval);
			for (int i = MK_HASH; i <= MK_ARRAY; i++)
				sema_suggest__add(&sg, kinds[i]);
			hint_suggest(s, &sg, "");
			HINT(s, "kinds are hash, lruhash, percpuhash, percpulruhash and array, e.g. let @m = lruhash(100000);");
			continue;
		}
		{
			bool twice = false;

			for (struct ast_node *e = s->ast->decls; e != d; e = e->next)
				twice |= !strcmp(e->name, d->name);
			if (twice) {
				ERR(s, d->span, "map %s is declared twice", pm->name);
				continue;
			}
		}
		if (d->ival < 0 || d->ival > (1 << 24)) {
			ERR(s, d->span, "map size %lld is out of range (1 to 16777216)", (long long)d->ival);
			continue;
		}
		pm->kind = k;
		if (d->ival > 0)
			pm->max_entries = (uint32_t)d->ival;
	}
}

/* What a declared kind allows, once the map's keys and values are known. */
static void check_decls(struct sema *s)
{
	for (struct ast_node *d = s->ast->decls; d; d = d->next) {
		char name[256];
		int id;
		struct plan_map *pm;

		snprintf(name, sizeof(name), "@%s", d->name);
		pm = map_lookup(s, name, &id);
		if (!pm)
			continue;
		if ((pm->kind == MK_PERCPUHASH || pm->kind == MK_PERCPULRUHASH) && pm->agg == AGG_NONE) {
			ERR(s, d->span, "%s is per-CPU storage, for aggregations; %s holds plain values", d->sval, pm->name);
			HINT(s, "aggregations (count(), sum(), hist(), ...) are per-CPU anyway; use %s",
			     pm->kind == MK_PERCPUHASH ? "hash" : "lruhash");
		}
		if (pm->kind == MK_ARRAY && (pm->nkeys > 1 || (pm->nkeys == 1 && pm->key_ty[0].kind != TY_INT) ||
					     pm->agg == AGG_HIST || pm->agg == AGG_LHIST)) {
			ERR(s, d->span, "an array map takes at most one integer key (an index from 0 to %u) and no histogram",
			    pm->max_entries - 1);
			HINT(s, "use hash or lruhash for other keys");
		}
	}
}

/* Every map exists before the walks: map_get() grows the map arrays, and
 * the checks hold pointers into them across expressions that name maps. */
static bool premap(struct ast_node *n, void *s)
{
	if (n->kind == AST_MAP)
		map_get(s, n);
	return true;
}

int sema_run(struct ast *ast, const struct sema_opts *opts, struct plan *plan, struct diags *d)
{
	struct sema s = { .ast = ast, .opts = opts, .plan = plan, .d = d };

	ast_visit(ast->probes, premap, &s);
	for (struct ast_node *decl = ast->decls; decl; decl = decl->next) {
		struct ast_node m = { .kind = AST_MAP, .span = decl->span, .name = decl->name };

		map_get(&s, &m);
	}

	s.report = false;
	decls(&s);
	walk(&s);
	s.report = true;
	decls(&s);
	walk(&s);
	check_decls(&s);
	for (int i = 0; i < plan->nmaps; i++) {
		struct plan_map *pm = &plan->maps[i];

		if (pm->nkeys < 0) {
			pm->nkeys = 0;
			pm->key_size = 8;
		}
		if (pm->agg == AGG_NONE && pm->value_ty.kind == TY_NONE && !s.uses[i].assigned) {
			/* only read, cleared or printed: never assigned */
			struct sema_suggest sg;
			char buf[512];

			diag_error(d, s.uses[i].first, "map %s is used but never assigned", pm->name);
			sema_suggest__init(&sg, pm->name);
			for (int j = 0; j < plan->nmaps; j++)
				if (s.uses[j].assigned)
					sema_suggest__add(&sg, plan->maps[j].name);
			if (sema_suggest__text(&sg, "", buf, sizeof(buf)))
				diag_hint(d, "did you mean %s?", buf);
			else
				diag_hint(d, "assign it somewhere, e.g. %s = count()", pm->name);
		}
		pm->percpu = pm->agg != AGG_NONE;
		/* A keyless aggregation is one slot: a per-CPU array of one, whose
		 * lookup the kernel inlines (a hash lookup hashes the key): `@ =
		 * count()` on a tracepoint added 175 ns per event, now 139
		 * (bench/maps.sh, event_count). Its slot always exists and
		 * an all-zero slot reads as never written, so entry operations,
		 * zero() and sum() (which can add up to 0) keep the hash. */
		if (pm->nkeys == 0 && pm->kind == MK_DEFAULT && pm->percpu && pm->agg != AGG_HIST &&
		    pm->agg != AGG_LHIST && pm->agg != AGG_SUM && !s.uses[i].entry_ops) {
			pm->kind = MK_ARRAY;
			pm->max_entries = 1;
		}
	}
	free(s.vars);
	free(s.uses);
	return diags__nerrors(d) ? -EINVAL : 0;
}

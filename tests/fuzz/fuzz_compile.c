/* fuzz_compile: libFuzzer harness for the whole compiler front to back.
 *
 * The input is a hark program (source name "fuzz"). It is parsed and, if
 * that succeeds without errors, resolved, checked (sema) and compiled by
 * LLVM to a BPF object in memory (cg_compile). Nothing is loaded into the
 * kernel. Diagnostics are printed to /dev/null so that their rendering
 * (spans, line/column, hints) is exercised too.
 *
 * Resolver: by default a fake one (fake_resolve below) that fabricates the
 * struct probe_info of lang/probe.h for every probe type without any I/O.
 * The real runtime/resolve.c mounts tracefs, lists tracepoints, reads
 * format files, opens and parses whatever ELF path the input names
 * (/dev/zero, /proc/kcore, ...), reads /proc: slow, environment-dependent
 * and not reproducible. Set HARK_FUZZ_REAL_RESOLVE=1 to use the real one
 * anyway. Both add and group targets with runtime/targets.c (the fake
 * one gives tracepoints a fabricated format), and both are freed with the
 * real resolve_free() (same ownership).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../codegen/cg.h"
#include "../../lang/ast.h"
#include "../../lang/sema.h"
#include "../../runtime/resolve.h"
#include "../../runtime/targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the fake resolver --------------------------------------------------- */

struct fr {
	struct ast *ast;
	struct diags *d;
	struct probe_info *pi;
	int cap;
	int next_index;
};

static struct probe_target *add_target(struct fr *r, enum probe_kind kind, const char *name)
{
	return targets_add(r->pi, &r->cap, kind, name);
}

/* A plausible tracepoint record. Names containing "exit" get a different
 * layout so that a wildcard splits into two groups. */
struct fake_field {
	const char *name, *type;
	uint32_t offset, size;
	bool is_signed, is_data_loc, is_array;
};
static const struct fake_field tp_enter[] = {
	{ "common_type", "unsigned short", 0, 2, false, false, false },
	{ "common_flags", "unsigned char", 2, 1, false, false, false },
	{ "common_preempt_count", "unsigned char", 3, 1, false, false, false },
	{ "common_pid", "int", 4, 4, true, false, false },
	{ "__syscall_nr", "int", 8, 4, true, false, false },
	{ "fd", "unsigned int", 16, 8, false, false, false },
	{ "buf", "char *", 24, 8, false, false, false },
	{ "count", "size_t", 32, 8, false, false, false },
	{ "filename", "__data_loc char[]", 40, 4, false, true, false },
	{ "comm", "char[16]", 44, 16, false, false, true },
	{ "ret", "long", 64, 8, true, false, false },
	{ "prev_pid", "pid_t", 72, 4, true, false, false },
	{ "flags", "unsigned long", 80, 8, false, false, false },
	{ "pathname", "const char *", 88, 8, false, false, false },
	{ "small", "short", 96, 2, true, false, false },
	{ "byte", "unsigned char", 98, 1, false, false, false },
	{ NULL, NULL, 0, 0, false, false, false },
};
static const struct fake_field tp_exit[] = {
	{ "common_type", "unsigned short", 0, 2, false, false, false },
	{ "common_flags", "unsigned char", 2, 1, false, false, false },
	{ "common_preempt_count", "unsigned char", 3, 1, false, false, false },
	{ "common_pid", "int", 4, 4, true, false, false },
	{ "__syscall_nr", "int", 8, 4, true, false, false },
	{ "ret", "long", 16, 8, true, false, false },
	{ "comm", "char[16]", 24, 16, false, false, true },
	{ NULL, NULL, 0, 0, false, false, false },
};

/* The fake format of t, for the real grouping (runtime/targets.c). */
static int fake_format(const struct probe_target *t, struct tfs_format **out, void *ctx)
{
	const struct fake_field *ff = t->event && strstr(t->event, "exit") ? tp_exit : tp_enter;
	struct tfs_format *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	while (ff[f->nfields].name)
		f->nfields++;
	f->fields = calloc(f->nfields, sizeof(*f->fields));
	if (!f->fields)
		abort();
	for (int i = 0; i < f->nfields; i++)
		f->fields[i] = (struct tfs_field){ targets_strdup(ff[i].name), targets_strdup(ff[i].type), ff[i].offset,
						   ff[i].size, ff[i].is_signed, ff[i].is_data_loc, ff[i].is_array };
	*out = f;
	return 0;
}

/* A uprobe-like target on a fake binary. */
static struct probe_target *sym_target(struct fr *r, enum probe_kind kind, const char *prefix, const char *path,
				       const char *sym, uint64_t off, bool has_offset, bool is_go, int fn)
{
	char name[1024];
	struct probe_target *t;

	snprintf(name, sizeof(name), "%s:%s:%s", prefix, path, sym);
	t = add_target(r, kind, name);
	t->func_name = targets_strdup(sym);
	t->path = targets_strdup(path);
	t->offset = 0x1000 + off;
	t->vaddr = 0x401000 + off;
	t->frame_unset = kind == PK_UPROBE && !has_offset;
	if (is_go && strchr(sym, '.')) {
		size_t len = strlen(sym);

		t->go.is_go = true;
		t->go.minor = 22;
		t->go.abi0 = len > 5 && !strcmp(sym + len - 5, ".abi0");
		t->go.fn = (int16_t)(fn >= 0 ? fn : targets_go_func(sym));
	}
	return t;
}

static void fake_uprobe(struct fr *r, struct ast_node *at, enum probe_kind kind, bool go)
{
	struct ast_attach *ap = &at->ap;
	const char *path = ap->target ? ap->target : "/fake/target";
	const char *prefix = go ? (kind == PK_URETPROBE ? "goret" : "go") : (kind == PK_UPROBE ? "uprobe" : "uretprobe");

	if (!ap->func || !*ap->func) {
		diag_error(r->d, at->span, "%s needs a function", prefix);
		return;
	}
	if (go) {
		enum go_alias alias = go_alias_find(ap->func);
		int n = 0;

		if (!*ap->provider && alias == GA_NONE) {
			diag_error(r->d, at->span, "unknown probe '%s'", ap->func);
			return;
		}
		if (alias == GA_NONE) {
			sym_target(r, kind, prefix, path, ap->func, 0, false, true, -1);
			return;
		}
		for (int i = 0; i < go_nfuncs; i++) {
			const struct go_func *f = &go_funcs[i];

			if (f->alias != alias || (f->min_minor && 22 < f->min_minor) ||
			    (f->max_minor && 22 > f->max_minor))
				continue;
			sym_target(r, kind, prefix, path, f->name, 0, false, true, i);
			n++;
		}
		if (!n)
			diag_error(r->d, at->span, "none of the functions behind '%s' is in %s", ap->func, path);
		return;
	}
	/* a binary whose path mentions "go" is a Go binary */
	bool is_go = strstr(path, "go") != NULL;

	if (targets_has_glob(ap->func)) {
		/* two matches (a Go one and a C one on a Go binary: two groups) */
		sym_target(r, kind, prefix, path, "main.work", ap->offset, ap->has_offset, is_go, -1);
		sym_target(r, kind, prefix, path, "helper", ap->offset, ap->has_offset, is_go, -1);
	} else {
		sym_target(r, kind, prefix, path, ap->func, ap->offset, ap->has_offset, is_go, -1);
	}
}

static void fake_tracepoint(struct fr *r, struct ast_node *at)
{
	struct ast_attach *ap = &at->ap;
	char name[512];

	if (!ap->target || !ap->func) {
		diag_error(r->d, at->span, "tracepoint needs a category and a name: tracepoint:CATEGORY:NAME");
		return;
	}
	if (targets_has_glob(ap->func) || targets_has_glob(ap->target)) {
		static const char *const names[] = { "sys_enter_read", "sys_enter_write", "sys_exit_read" };

		for (int i = 0; i < 3; i++) {
			struct probe_target *t;

			snprintf(name, sizeof(name), "tracepoint:syscalls:%s", names[i]);
			t = add_target(r, PK_TRACEPOINT, name);
			t->path = targets_strdup("syscalls");
			t->event = targets_strdup(names[i]);
			t->func_name = targets_strdup(names[i]);
		}
		return;
	}
	struct probe_target *t;

	snprintf(name, sizeof(name), "tracepoint:%s:%s", ap->target, ap->func);
	t = add_target(r, PK_TRACEPOINT, name);
	t->path = targets_strdup(ap->target);
	t->event = targets_strdup(ap->func);
	t->func_name = targets_strdup(ap->func);
}

static void fake_timer(struct fr *r, struct ast_node *at, enum probe_kind kind)
{
	struct ast_attach *ap = &at->ap;
	const char *unit = ap->target ? ap->target : "";
	char *end, name[256];
	uint64_t n, ns;
	struct probe_target *t;

	if (!ap->func || !*ap->func || *ap->func == '-' || (n = strtoull(ap->func, &end, 0), *end) || !n) {
		diag_error(r->d, at->span, "%s count must be a positive integer", ap->provider);
		return;
	}
	if (!strcmp(unit, "s"))
		ns = n * 1000000000ULL;
	else if (!strcmp(unit, "ms"))
		ns = n * 1000000ULL;
	else if (!strcmp(unit, "us"))
		ns = n * 1000ULL;
	else if (!strcmp(unit, "hz"))
		ns = 1000000000ULL / n;
	else {
		diag_error(r->d, at->span, "unknown %s unit '%s'", ap->provider, unit);
		return;
	}
	snprintf(name, sizeof(name), "%s:%s:%s", ap->provider, unit, ap->func);
	t = add_target(r, kind, name);
	t->period = ns ? ns : 1;
	t->event = targets_strdup(unit);
	if (kind == PK_PROFILE && !strcmp(unit, "hz"))
		t->period = n;
}

static void fake_perf(struct fr *r, struct ast_node *at, enum probe_kind kind)
{
	struct ast_attach *ap = &at->ap;
	const char *event = ap->target ? ap->target : ap->func;
	char name[256];
	struct probe_target *t;

	if (!event || !*event) {
		diag_error(r->d, at->span, "unknown %s event", ap->provider);
		return;
	}
	snprintf(name, sizeof(name), "%s:%s", ap->provider, event);
	t = add_target(r, kind, name);
	t->event = targets_strdup(event);
	t->period = kind == PK_SOFTWARE ? 100 : 1000000;
}

static void fake_kprobe(struct fr *r, struct ast_node *at, enum probe_kind kind)
{
	struct ast_attach *ap = &at->ap;
	char name[512];
	struct probe_target *t;

	if (!ap->func) {
		diag_error(r->d, at->span, "%s needs a function", ap->provider);
		return;
	}
	snprintf(name, sizeof(name), "%s:%s", ap->provider, ap->func);
	t = add_target(r, kind, name);
	t->event = targets_strdup(ap->func);
	t->func_name = targets_strdup(ap->func);
	t->offset = ap->offset;
}

static void fake_attach(struct fr *r, struct ast_node *at)
{
	const char *p = at->ap.provider ? at->ap.provider : "";
	const struct targets_provider *pv = targets_provider(p);

	switch (pv ? (int)pv->family : -1) {
	case TF_SPECIAL:
		add_target(r, pv->kind, pv->name);
		break;
	case TF_UPROBE:
	case TF_GO:
		fake_uprobe(r, at, pv->kind, pv->family == TF_GO);
		break;
	case TF_TRACEPOINT:
		fake_tracepoint(r, at);
		break;
	case TF_TIMER:
		fake_timer(r, at, pv->kind);
		break;
	case TF_PERF:
		fake_perf(r, at, pv->kind);
		break;
	case TF_KPROBE:
		fake_kprobe(r, at, pv->kind);
		break;
	default:
		diag_error(r->d, at->span, "unknown probe type '%s'", p);
	}
}

/* caller == "sym", func == "sym", uaddr("sym"): a range for any name that
 * starts with a letter or '_' (as if found), none otherwise. */
static void fake_symbol(struct ast_node *lit, void *ctx)
{
	struct fr *r = ctx;
	struct sym_range *range;

	if (!lit->sval || !(lit->sval[0] == '_' || (unsigned)((lit->sval[0] | 32) - 'a') < 26u))
		return;
	range = ast_alloc(r->ast, sizeof(*range));
	range->lo = 0x401000 + (uint64_t)(lit->slen * 16);
	range->hi = range->lo + 64;
	range->pie = lit->slen & 1;
	lit->sema = range;
}

static int fake_resolve(struct ast *ast, struct diags *d)
{
	struct fr r = { .ast = ast, .d = d };

	for (struct ast_node *p = ast->probes; p; p = p->next) {
		r.pi = calloc(1, sizeof(*r.pi));
		r.cap = 0;
		p->sema = r.pi;
		for (struct ast_node *at = p->attach; at; at = at->next)
			fake_attach(&r, at);
		if (r.pi->ntargets)
			r.pi->kind = r.pi->targets[0].kind;
		if (r.pi->ntargets > 1024) {
			diag_error(d, p->attach->span, "too many probes");
			continue;
		}
		targets_group(r.pi, p, &r.next_index, fake_format, NULL, d);
		targets_symbol_literals(p, fake_symbol, &r);
	}
	return diags__nerrors(d) ? -1 : 0;
}

/* ---- the harness ----------------------------------------------------------- */

static FILE *devnull;
static int real_resolve;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *pos[] = { "42", "hello", "0x10" };
	struct source *src;
	struct diags *d;
	struct ast *ast;
	struct plan plan = { 0 };

	if (!devnull) {
		const char *e = getenv("HARK_FUZZ_REAL_RESOLVE");

		devnull = fopen("/dev/null", "w");
		real_resolve = e && *e && strcmp(e, "0");
		/* HARK_FUZZ_VERBOSE=1: diagnostics to stderr (replaying one input) */
		if ((e = getenv("HARK_FUZZ_VERBOSE")) && *e && strcmp(e, "0"))
			devnull = stderr;
	}
	src = source__new("fuzz", (const char *)data, size);
	d = diags__new(src);
	ast = ast_parse(src, d);
	if (ast && !diags__nerrors(d)) {
		struct resolve_opts ro = { .pid = 0, .cmd_path = NULL, .max_probes = 1024 };
		struct sema_opts so = { .pos_args = pos, .npos_args = 3, .max_keys = 4096, .cpid = 0 };
		struct cg_opts co = { .dump_ir = NULL, .dump_asm = NULL, .ringbuf_size = 1 << 18, .stack_entries = 4096 };
		int err = real_resolve ? resolve_probes(ast, &ro, d) : fake_resolve(ast, d);

		if (!err)
			err = sema_run(ast, &so, &plan, d);
		if (!err)
			err = cg_compile(ast, &plan, &co, d);
		/* A stage that fails without saying why is an internal error
		 * (codegen: "invalid LLVM IR", "optimisation failed", ...). */
		if (err && !diags__nerrors(d)) {
			fprintf(stderr, "fuzz_compile: a stage failed (%d) without a diagnostic\n", err);
			abort();
		}
	}
	diags__print(d, devnull);
	resolve_free(ast);
	plan__free(&plan);
	ast__free(ast);
	diags__free(d);
	source__free(src);
	return 0;
}

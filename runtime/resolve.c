/* resolve: attach points to concrete targets (see resolve.h).
 *
 * Grouping ("compile once, attach many"): targets of one probe share a
 * program when they have the same kind and, for tracepoints, the fields the
 * body reads through `args` sit at the same offsets with the same types in
 * each. A body that reads no `args` needs no format at all, so a wildcard
 * like sys_enter_* becomes one program attached ~350 times.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lang/sema.h"
#include "elfsym.h"
#include "gobin.h"
#include "goentry.h"
#include "resolve.h"
#include "targets.h"
#include "tracefs.h"

struct rs {
	struct ast *ast;
	const struct resolve_opts *o;
	struct diags *d;
	struct probe_info *pi;
	struct ast_node *at;   /* attach point being resolved */
	int next_index;        /* global target index = cookie */
	int cap;
};

static struct probe_target *add_target(struct rs *r, enum probe_kind kind, const char *probe_name)
{
	return targets_add(r->pi, &r->cap, kind, probe_name);
}

/* The span of `part` inside the attach point being resolved (the whole
 * attach point if it is not written there as is). */
static struct span part_span(struct rs *r, const char *part)
{
	struct span sp = r->at->span;
	const char *text = r->ast->src->text;
	size_t n = part ? strlen(part) : 0;

	if (!n)
		return sp;
	/* from the end: the later parts are the ones that repeat earlier text */
	for (uint32_t i = sp.end; i >= sp.start + n; i--) {
		if (!memcmp(text + i - n, part, n))
			return (struct span){ i - (uint32_t)n, i };
	}
	return sp;
}

/* ---- uprobes ----------------------------------------------------------- */

struct sym_ctx {
	struct rs *r;
	enum probe_kind kind;
	const char *prefix;   /* probe name prefix: uprobe, uretprobe, go, goret */
	const char *path;
	uint64_t offset;
	bool has_offset;
	const struct elf_syms *syms;
	struct gobin *gb;     /* Go binaries: version, pclntab, RET sites */
	bool swiss;
	int go_fn;            /* go_funcs index when probing an alias member, else -1 */
};

static void go_site_of(struct sym_ctx *c, const struct elf_sym *sym, struct go_site *site)
{
	size_t len = strlen(sym->name);

	memset(site, 0, sizeof(*site));
	site->fn = -1;
	/* C functions of a cgo binary keep the C ABI: Go names always carry a
	 * package ("main.work", "runtime.mallocgc"), C names never a dot */
	if (!c->gb || !strchr(sym->name, '.'))
		return;
	site->is_go = true;
	site->minor = (uint8_t)c->gb->minor;
	site->swiss = c->swiss;
	site->abi0 = len > 5 && !strcmp(sym->name + len - 5, ".abi0");
	site->fn = (int16_t)(c->go_fn >= 0 ? c->go_fn : targets_go_func(sym->name));
}

static struct probe_target *sym_target(struct sym_ctx *c, const struct elf_sym *sym, uint64_t off)
{
	char name[PATH_MAX + 512];
	struct probe_target *t;

	snprintf(name, sizeof(name), "%s:%s:%s", c->prefix, c->path, sym->name);
	t = add_target(c->r, c->kind, name);
	t->func_name = targets_strdup(sym->name);
	t->path = targets_strdup(c->path);
	t->offset = off;
	t->pid = c->r->o->pid > 0 ? c->r->o->pid : -1;
	if (elf_off_to_vaddr(c->syms, off, &t->vaddr))
		t->vaddr = 0;
	go_site_of(c, sym, &t->go);
	return t;
}

/* Return probes on Go functions: a uprobe on every RET instruction (kernel
 * uretprobes rewrite return addresses, which Go's stack walker and stack
 * copier cannot survive). */
static int add_go_ret(struct sym_ctx *c, const struct elf_sym *sym)
{
	uint64_t *sites = NULL, off;
	int n = 0, err;

	err = gobin_ret_sites(c->gb, c->path, sym->addr, sym->addr + sym->size, &sites, &n);
	if (err)
		return err;
	for (int i = 0; i < n; i++) {
		struct probe_target *t;

		if (elf_vaddr_to_off(c->syms, sites[i], &off))
			continue;
		t = sym_target(c, sym, off);
		t->ret_site = true;
		t->frame_unset = true;
	}
	free(sites);
	return n;
}

static int add_sym(const struct elf_sym *sym, void *p)
{
	struct sym_ctx *c = p;
	struct probe_target *t;

	if (c->gb && c->kind == PK_URETPROBE && !c->has_offset && sym->size)
		return add_go_ret(c, sym) < 0 ? 0 : 0;
	t = sym_target(c, sym, sym->file_off + c->offset);
	/* at a function's entry the frame is not set up yet */
	t->frame_unset = c->kind == PK_UPROBE && !c->has_offset;
	if (c->gb && c->kind == PK_UPROBE && !c->has_offset && sym->size) {
		uint64_t skip = 0;

		if (!go_entry_skip(c->syms, sym, &skip)) {
			t->offset += skip;
			t->vaddr += skip;
		}
	}
	return 0;
}

static int suggest_sym(const struct elf_sym *sym, void *p)
{
	sema_suggest__add(p, sym->name);
	return 0;
}

/* The binary an attach point names, or the -c command / -p process's when
 * it names none. False (with a diagnostic) when there is none. */
static bool binary_path(struct rs *r, struct ast_attach *ap, const char *what, char *path, size_t size)
{
	const char *bin = ap->target;

	if (!bin) {
		if (r->o->cmd_path)
			bin = r->o->cmd_path;
		else if (r->o->pid > 0) {
			char exe[64];
			ssize_t n;

			snprintf(exe, sizeof(exe), "/proc/%d/exe", r->o->pid);
			n = readlink(exe, path, size - 1);
			if (n > 0) {
				path[n] = 0;
				bin = path;
			}
		}
		if (!bin) {
			diag_error(r->d, r->at->span, "%s without a binary needs -p PID or -c CMD", what);
			diag_hint(r->d, "write %s:/path/to/binary:%s", what, ap->func);
			return false;
		}
	}
	if (elf_resolve_binary(bin, r->o->pid, path, size)) {
		diag_error(r->d, part_span(r, ap->target), "binary '%s' not found", bin);
		diag_hint(r->d, "give a path, a library name like 'libc', or a program in $PATH");
		return false;
	}
	return true;
}

/* Go facts of the binary at path, when it is a Go binary. */
static void go_open(struct sym_ctx *c, const struct elf_syms *syms)
{
	if (!go_is_binary(c->path) || gobin__open(c->path, &c->gb))
		return;
	/* Swiss tables from Go 1.24, unless built with GOEXPERIMENT=noswissmap */
	c->swiss = c->gb->minor >= 24 && !elf_syms__find(syms, "runtime.hashGrow");
}

static void uprobe(struct rs *r, struct ast_attach *ap, enum probe_kind kind)
{
	char path[PATH_MAX];
	struct elf_syms *syms = NULL;
	struct sym_ctx c = { .r = r, .kind = kind, .prefix = kind == PK_UPROBE ? "uprobe" : "uretprobe",
			     .path = path, .offset = ap->offset, .has_offset = ap->has_offset, .go_fn = -1 };
	int err;

	if (!ap->func || !*ap->func) {
		diag_error(r->d, r->at->span, "uprobe needs a function: uprobe:BINARY:FUNCTION");
		return;
	}
	if (!ap->target && strchr(ap->func, '/')) {
		diag_error(r->d, r->at->span, "uprobe on %s needs a function", ap->func);
		diag_hint(r->d, "write %s:%s:FUNCTION; list them with: hark -l '%s:%s:*'", ap->provider, ap->func,
			  ap->provider, ap->func);
		return;
	}
	if (!binary_path(r, ap, ap->provider, path, sizeof(path)))
		return;
	err = elf_syms__open(path, &syms);
	if (err) {
		diag_error(r->d, r->at->span, "cannot read symbols of %s: %s", path, strerror(-err));
		return;
	}
	c.syms = syms;
	go_open(&c, syms);
	if (!strncmp(ap->func, "0x", 2)) {
		uint64_t vaddr = strtoull(ap->func, NULL, 16), off;
		const struct elf_sym *s = elf_syms__lookup(syms, vaddr);
		struct elf_sym fake = { .name = ap->func, .addr = vaddr };

		if (elf_vaddr_to_off(syms, vaddr, &off)) {
			diag_error(r->d, r->at->span, "address %s is outside %s's code", ap->func, path);
		} else {
			fake.file_off = off;
			add_sym(&fake, &c);
			if (s) {
				free(r->pi->targets[r->pi->ntargets - 1].func_name);
				r->pi->targets[r->pi->ntargets - 1].func_name = targets_strdup(s->name);
			}
		}
	} else if (targets_has_glob(ap->func)) {
		int n = elf_syms__match(syms, ap->func, add_sym, &c);

		if (n == 0) {
			diag_error(r->d, part_span(r, ap->func), "no function in %s matches '%s'", path, ap->func);
			diag_hint(r->d, "list them with: hark -l '%s:%s:*'", ap->provider, path);
		}
	} else {
		const struct elf_sym *s = elf_syms__find(syms, ap->func);

		if (!s) {
			struct sema_suggest sg;
			char buf[512];

			diag_error(r->d, part_span(r, ap->func), "function '%s' not found in %s", ap->func, path);
			sema_suggest__init(&sg, ap->func);
			elf_syms__match(syms, "*", suggest_sym, &sg);
			if (sema_suggest__text(&sg, "", buf, sizeof(buf)))
				diag_hint(r->d, "did you mean %s?", buf);
			diag_hint(r->d, "list them with: hark -l '%s:%s:*'", ap->provider, path);
		} else {
			add_sym(s, &c);
		}
	}
	gobin__free(c.gb);
	elf_syms__free(syms);
}

/* go:[BINARY:]NAME, goret:[BINARY:]NAME, and a bare NAME: a Go probe alias
 * (lang/goalias.h) or, with go:/goret:, any function of a Go binary. */
static void go_probe(struct rs *r, struct ast_node *at, bool ret)
{
	struct ast_attach *ap = &at->ap;
	enum go_alias alias = ap->func ? go_alias_find(ap->func) : GA_NONE;
	char path[PATH_MAX];
	struct elf_syms *syms = NULL;
	struct sym_ctx c = { .r = r, .kind = ret ? PK_URETPROBE : PK_UPROBE, .prefix = ret ? "goret" : "go",
			     .path = path, .go_fn = -1 };
	int n = 0, err;

	if (!ap->func || !*ap->func) {
		diag_error(r->d, at->span, "%s needs a function or alias: %s:NAME", ret ? "goret" : "go",
			   ret ? "goret" : "go");
		return;
	}
	if (!*ap->provider && alias == GA_NONE) {
		struct sema_suggest sg;
		char buf[256];

		diag_error(r->d, at->span, "unknown probe '%s'", ap->func);
		sema_suggest__init(&sg, ap->func);
		for (int i = 0; i < GA_NALIASES; i++)
			sema_suggest__add(&sg, go_alias_name((enum go_alias)i));
		if (sema_suggest__text(&sg, "", buf, sizeof(buf)))
			diag_hint(r->d, "did you mean the Go alias %s?", buf);
		diag_hint(r->d, "probes look like uprobe:BINARY:FUNCTION, tracepoint:CATEGORY:NAME, interval:s:1, "
				"or a Go alias (mapassign, growslice, ...) with -c/-p");
		return;
	}
	if (!binary_path(r, ap, ret ? "goret" : "go", path, sizeof(path)))
		return;
	err = elf_syms__open(path, &syms);
	if (err) {
		diag_error(r->d, at->span, "cannot read symbols of %s: %s", path, strerror(-err));
		return;
	}
	c.syms = syms;
	go_open(&c, syms);
	if (!c.gb) {
		diag_error(r->d, at->span, "%s is not a Go program (no Go runtime found)", path);
		diag_hint(r->d, "Go probes need a Go binary; for other programs use uprobe:BINARY:FUNCTION");
		goto out;
	}
	if (alias == GA_NONE) {
		const struct elf_sym *s = elf_syms__find(syms, ap->func);

		if (!s) {
			diag_error(r->d, part_span(r, ap->func), "function '%s' not found in %s", ap->func, path);
			diag_hint(r->d, "list them with: hark -l 'uprobe:%s:*'", path);
		} else {
			add_sym(s, &c);
		}
		goto out;
	}
	for (int i = 0; i < go_nfuncs; i++) {
		const struct go_func *f = &go_funcs[i];
		const struct elf_sym *s;

		if (f->alias != alias || (f->min_minor && c.gb->minor < f->min_minor) ||
		    (f->max_minor && c.gb->minor > f->max_minor))
			continue;
		s = elf_syms__find(syms, f->name);
		if (!s)
			continue;
		c.go_fn = i;
		add_sym(s, &c);
		n++;
	}
	if (!n)
		diag_error(r->d, at->span, "none of the functions behind '%s' is in %s (%s)", ap->func, path,
			   c.gb->version);
out:
	gobin__free(c.gb);
	elf_syms__free(syms);
}

/* ---- tracepoints --------------------------------------------------------- */

static int add_tp(const char *cat, const char *name, void *p)
{
	struct rs *r = p;
	char pname[512];
	struct probe_target *t;

	if (r->o->max_probes && r->pi->ntargets >= r->o->max_probes)
		return -E2BIG;
	snprintf(pname, sizeof(pname), "tracepoint:%s:%s", cat, name);
	t = add_target(r, PK_TRACEPOINT, pname);
	t->path = targets_strdup(cat);
	t->event = targets_strdup(name);
	t->func_name = targets_strdup(name);
	return 0;
}

static int count_tp(const char *cat, const char *name, void *p)
{
	(void)cat, (void)name, (void)p;
	return 0;
}

static int suggest_tp(const char *cat, const char *name, void *p)
{
	char full[512];

	snprintf(full, sizeof(full), "%s:%s", cat, name);
	sema_suggest__add(p, full);
	return 0;
}

static void tracepoint(struct rs *r, struct ast_attach *ap)
{
	int n;

	if (!ap->target || !ap->func) {
		diag_error(r->d, r->at->span, "tracepoint needs a category and a name: tracepoint:CATEGORY:NAME");
		return;
	}
	if (!tfs_root()) {
		diag_error(r->d, r->at->span, "cannot mount tracefs to find tracepoints: %s", strerror(errno));
		return;
	}
	n = tfs_list(ap->target, ap->func, add_tp, r);
	if (n == -E2BIG) {
		/* count them all, to say how many */
		diag_error(r->d, r->at->span, "'%s:%s' matches %d tracepoints, more than --max-probes %d", ap->target,
			   ap->func, tfs_list(ap->target, ap->func, count_tp, NULL),
			   r->o->max_probes);
		diag_hint(r->d, "narrow the wildcard or raise --max-probes");
	} else if (n == 0) {
		struct sema_suggest sg;
		char want[512], buf[512];

		/* point at the category if no tracepoint has it, else at the name */
		struct span sp = part_span(r, tfs_list(ap->target, "*", count_tp, NULL) > 0 ? ap->func : ap->target);

		snprintf(want, sizeof(want), "%s:%s", ap->target, ap->func);
		if (targets_has_glob(want))
			diag_error(r->d, sp, "no tracepoint matches '%s'", want);
		else
			diag_error(r->d, sp, "tracepoint '%s' does not exist", want);
		sema_suggest__init(&sg, want);
		if (!targets_has_glob(want) && tfs_list("*", "*", suggest_tp, &sg) > 0 &&
		    sema_suggest__text(&sg, "tracepoint:", buf, sizeof(buf)))
			diag_hint(r->d, "did you mean %s?", buf);
		diag_hint(r->d, "list them with: hark -l 'tracepoint:%s:*'", ap->target);
	} else if (n < 0) {
		diag_error(r->d, r->at->span, "cannot list tracepoints: %s", strerror(-n));
	}
}

/* ---- timers and perf events ---------------------------------------------- */

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !*end && !errno;
}

static void timer(struct rs *r, struct ast_attach *ap, enum probe_kind kind)
{
	uint64_t n, ns;
	char name[256];
	struct probe_target *t;
	const char *unit = ap->target ? ap->target : "";

	if (!parse_u64(ap->func, &n) || n == 0) {
		if (ap->func && *ap->func)
			diag_error(r->d, part_span(r, ap->func), "%s count must be a positive integer, not '%s'",
				   ap->provider, ap->func);
		else
			diag_error(r->d, r->at->span, "%s needs a count", ap->provider);
		diag_hint(r->d, "write %s:%s:N, like %s:%s", ap->provider, kind == PK_PROFILE ? "hz" : "ms",
			  ap->provider, kind == PK_PROFILE ? "hz:99" : "s:1");
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
		diag_error(r->d, part_span(r, ap->target), "unknown %s unit '%s'", ap->provider, unit);
		diag_hint(r->d, "use s, ms, us or hz, like %s:s:1", ap->provider);
		return;
	}
	snprintf(name, sizeof(name), "%s:%s:%s", ap->provider, unit, ap->func);
	t = add_target(r, kind, name);
	t->period = ns ? ns : 1;
	t->event = targets_strdup(unit);
	if (kind == PK_PROFILE && !strcmp(unit, "hz"))
		t->period = n; /* frequency, sampled on every CPU */
}

static const char *const sw_events[] = { "cpu-clock", "cpu", "task-clock", "page-faults", "faults",
					  "context-switches", "cs", "cpu-migrations", "migrations",
					  "minor-faults", "major-faults", "alignment-faults",
					  "emulation-faults", "dummy", "bpf-output", NULL };
static const char *const hw_events[] = { "cpu-cycles", "cycles", "instructions", "cache-references",
					  "cache-misses", "branch-instructions", "branches",
					  "branch-misses", "bus-cycles", "frontend-stalls",
					  "backend-stalls", "ref-cycles", NULL };

static void perf_event(struct rs *r, struct ast_attach *ap, enum probe_kind kind)
{
	const char *const *names = kind == PK_SOFTWARE ? sw_events : hw_events;
	/* software:EVENT[:PERIOD]; with two parts the parser calls EVENT func */
	const char *event = ap->target ? ap->target : ap->func;
	const char *count = ap->target ? ap->func : NULL;
	char name[256];
	uint64_t period = kind == PK_SOFTWARE ? 100 : 1000000;
	struct probe_target *t;
	bool ok = false;

	for (int i = 0; event && names[i]; i++)
		ok |= !strcmp(names[i], event);
	if (!ok) {
		struct sema_suggest sg;
		char buf[512];

		diag_error(r->d, part_span(r, event), "unknown %s event '%s'", ap->provider, event ? event : "");
		sema_suggest__init(&sg, event ? event : "");
		for (int i = 0; names[i]; i++)
			sema_suggest__add(&sg, names[i]);
		if (sema_suggest__text(&sg, "", buf, sizeof(buf)))
			diag_hint(r->d, "did you mean %s?", buf);
		diag_hint(r->d, "list them with: hark -l '%s:*'", ap->provider);
		return;
	}
	if (count && (!parse_u64(count, &period) || !period)) {
		diag_error(r->d, part_span(r, count), "%s period must be a positive integer, not '%s'",
			   ap->provider, count);
		return;
	}
	snprintf(name, sizeof(name), "%s:%s:%llu", ap->provider, event, (unsigned long long)period);
	t = add_target(r, kind, name);
	t->event = targets_strdup(event);
	t->period = period;
}

static void kprobe(struct rs *r, struct ast_attach *ap, enum probe_kind kind)
{
	char name[512];
	struct probe_target *t;

	if (!ap->func) {
		diag_error(r->d, r->at->span, "%s needs a function: %s:FUNCTION", ap->provider, ap->provider);
		return;
	}
	snprintf(name, sizeof(name), "%s:%s", ap->provider, ap->func);
	t = add_target(r, kind, name);
	t->event = targets_strdup(ap->func);
	t->func_name = targets_strdup(ap->func);
	t->offset = ap->offset;
}

static void attach_point(struct rs *r, struct ast_node *at)
{
	struct ast_attach *ap = &at->ap;
	const char *p = ap->provider ? ap->provider : "";
	const struct targets_provider *pv = targets_provider(p);

	r->at = at;
	switch (pv ? (int)pv->family : -1) {
	case TF_SPECIAL:
		add_target(r, pv->kind, pv->name);
		break;
	case TF_UPROBE:
		uprobe(r, ap, pv->kind);
		break;
	case TF_TRACEPOINT:
		tracepoint(r, ap);
		break;
	case TF_TIMER:
		timer(r, ap, pv->kind);
		break;
	case TF_PERF:
		perf_event(r, ap, pv->kind);
		break;
	case TF_KPROBE:
		kprobe(r, ap, pv->kind);
		break;
	case TF_GO:
		go_probe(r, at, pv->kind == PK_URETPROBE);
		break;
	default: {
		struct sema_suggest sg;
		char buf[512];

		diag_error(r->d, part_span(r, p), "unknown probe type '%s'", p);
		sema_suggest__init(&sg, p);
		for (int i = 0; targets_providers[i].name; i++)
			sema_suggest__add(&sg, targets_providers[i].name);
		if (sema_suggest__text(&sg, "", buf, sizeof(buf)))
			diag_hint(r->d, "did you mean %s?", buf);
		else
			diag_hint(r->d, "known types: BEGIN END uprobe uretprobe tracepoint interval profile software "
					"hardware kprobe kretprobe");
	}
	}
}

/* ---- grouping ------------------------------------------------------------ */

static int read_format(const struct probe_target *t, struct tfs_format **out, void *ctx)
{
	return tfs_format__read(t->path, t->event, out);
}

/* ---- symbols named in the program ------------------------------------------ */

/* Look sym up in the probe's binary, then in the traced program's. */
static struct sym_range *find_range(struct rs *r, const char *sym)
{
	const char *paths[2] = { NULL, r->o->cmd_path };
	char exe[PATH_MAX];

	for (int i = 0; i < r->pi->ntargets; i++)
		if (r->pi->targets[i].kind == PK_UPROBE || r->pi->targets[i].kind == PK_URETPROBE)
			paths[0] = r->pi->targets[i].path;
	if (!paths[1] && r->o->pid > 0) {
		char link[64];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%d/exe", r->o->pid);
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = 0;
			paths[1] = exe;
		}
	}
	for (int i = 0; i < 2; i++) {
		struct elf_syms *syms;
		const struct elf_sym *s;
		struct sym_range *range = NULL;

		if (!paths[i] || elf_syms__open(paths[i], &syms))
			continue;
		s = elf_syms__find(syms, sym);
		if (s) {
			range = ast_alloc(r->ast, sizeof(*range));
			range->lo = s->addr;
			range->hi = s->addr + (s->size ? s->size : 1);
			range->pie = syms->is_dyn;
		}
		elf_syms__free(syms);
		if (range)
			return range;
	}
	return NULL;
}

/* caller == "sym", func == "sym" and uaddr("sym"): hang the symbol's
 * address range on the literal, for sema and codegen. */
static void resolve_symbol(struct ast_node *lit, void *r)
{
	lit->sema = find_range(r, lit->sval);
}

int resolve_probes(struct ast *ast, const struct resolve_opts *o, struct diags *d)
{
	struct rs r = { .ast = ast, .o = o, .d = d };

	for (struct ast_node *p = ast->probes; p; p = p->next) {
		r.pi = calloc(1, sizeof(*r.pi));
		r.cap = 0;
		p->sema = r.pi;
		for (struct ast_node *at = p->attach; at; at = at->next)
			attach_point(&r, at);
		if (r.pi->ntargets)
			r.pi->kind = r.pi->targets[0].kind;
		if (o->max_probes && r.pi->ntargets > o->max_probes) {
			diag_error(d, p->attach->span, "these attach points expand to %d probes, more than --max-probes %d",
				   r.pi->ntargets, o->max_probes);
			continue;
		}
		targets_group(r.pi, p, &r.next_index, read_format, NULL, d);
		targets_symbol_literals(p, resolve_symbol, &r);
	}
	return diags__nerrors(d) ? -EINVAL : 0;
}

void resolve_free(struct ast *ast)
{
	for (struct ast_node *p = ast ? ast->probes : NULL; p; p = p->next) {
		targets_free(p->sema);
		p->sema = NULL;
	}
}

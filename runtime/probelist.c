/* probelist: `hark -l [PATTERN]`, listing probes like `bpftrace -l`.
 *
 * The pattern's first component picks a provider from the table below;
 * each provider appends its matching lines to one list, which is sorted
 * (strcmp, like bpftrace's std::set), deduplicated and printed. Patterns
 * with no known provider are matched against every whole line of the
 * listable providers (tracepoints, software, hardware), which is what
 * `bpftrace -l '*sched_switch*'` does; "CAT:NAME" also matches tracepoints
 * ("sched:sched_sw*"), where bpftrace 0.17 aborts.
 *
 * Deliberate differences from bpftrace 0.17: software and hardware list
 * their event names (0.17 prints the pattern back, "software:*:"), and an
 * unresolvable uprobe binary is an error rather than an empty listing.
 */
#include "probelist.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../lang/goalias.h"
#include "elfsym.h"
#include "gobin.h"
#include "tracefs.h"

struct lines {
	char **v;
	size_t n, cap;
};

/* Append the concatenation of parts (NULL-terminated). */
static int lines__add(struct lines *l, ...)
{
	size_t len = 0, off = 0;
	const char *part;
	va_list ap;
	char *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	va_start(ap, l);
	while ((part = va_arg(ap, const char *)))
		len += strlen(part);
	va_end(ap);
	s = malloc(len + 1);
	if (!s)
		return -ENOMEM;
	va_start(ap, l);
	while ((part = va_arg(ap, const char *))) {
		size_t pl = strlen(part);

		memcpy(s + off, part, pl);
		off += pl;
	}
	va_end(ap);
	s[off] = '\0';
	l->v[l->n++] = s;
	return 0;
}

static void lines__free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool glob_match(const char *glob, const char *s)
{
	return fnmatch(glob, s, 0) == 0;
}

/* What a provider lists: rest is the pattern after "provider:" (never
 * NULL), or NULL when matching whole lines against full. */
struct list_req {
	const char *name;   /* canonical provider name */
	const char *rest;
	const char *full;
	int pid;
	struct lines *out;
};

static const char *const software_events[] = {
	"alignment-faults", "bpf-output", "context-switches", "cpu-clock",
	"cpu-migrations", "dummy", "emulation-faults", "major-faults",
	"minor-faults", "page-faults", "task-clock",
};

static const char *const hardware_events[] = {
	"backend-stalls", "branch-instructions", "branch-misses", "bus-cycles",
	"cache-misses", "cache-references", "cpu-cycles", "frontend-stalls",
	"instructions", "ref-cycles",
};

static int list_events(struct list_req *r, const char *const *evs, size_t n)
{
	char line[128];
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s:%s:", r->name, evs[i]);
		if (r->full ? !glob_match(r->full, line)
			    : !glob_match(r->rest, evs[i]) && !glob_match(r->rest, line + strlen(r->name) + 1))
			continue;
		err = lines__add(r->out, line, NULL);
		if (err)
			return err;
	}
	return 0;
}

static int list_software(struct list_req *r)
{
	return list_events(r, software_events, sizeof(software_events) / sizeof(*software_events));
}

static int list_hardware(struct list_req *r)
{
	return list_events(r, hardware_events, sizeof(hardware_events) / sizeof(*hardware_events));
}

static int tp_cb(const char *cat, const char *name, void *ctx)
{
	struct list_req *r = ctx;
	char line[512];

	if (r->full) {
		snprintf(line, sizeof(line), "tracepoint:%s:%s", cat, name);
		if (!glob_match(r->full, line) && !glob_match(r->full, line + 11))
			return 0;
	}
	return lines__add(r->out, "tracepoint:", cat, ":", name, NULL);
}

static int list_tracepoint(struct list_req *r)
{
	char cat[256] = "*";
	const char *name = "*", *colon;
	int err;

	if (r->rest && *r->rest) {
		colon = strchr(r->rest, ':');
		if (colon) {
			snprintf(cat, sizeof(cat), "%.*s", (int)(colon - r->rest), r->rest);
			name = colon[1] ? colon + 1 : "*";
		} else {
			snprintf(cat, sizeof(cat), "%s", r->rest);
		}
	}
	err = tfs_list(cat, name, tp_cb, r);
	if (err == -ENOENT && !r->full)
		return 0;
	return err < 0 ? err : 0;
}

struct usym_ctx {
	struct list_req *r;
	const char *path;
};

static int usym_cb(const struct elf_sym *sym, void *ctx)
{
	struct usym_ctx *u = ctx;

	/* bpftrace skips ".part.N" clones: they can't be traced */
	if (strstr(sym->name, ".part."))
		return 0;
	return lines__add(u->r->out, u->r->name, ":", u->path, ":", sym->name, NULL);
}

static int list_uprobe(struct list_req *r)
{
	char bin[PATH_MAX], path[PATH_MAX];
	const char *func = "*", *colon;
	struct elf_syms *syms = NULL;
	struct usym_ctx u;
	int err;

	if (!r->rest || !*r->rest)
		return 0; /* whole-line listings don't walk every binary */
	colon = strrchr(r->rest, ':');
	if (colon) {
		snprintf(bin, sizeof(bin), "%.*s", (int)(colon - r->rest), r->rest);
		if (colon[1])
			func = colon + 1;
	} else {
		snprintf(bin, sizeof(bin), "%s", r->rest);
	}
	err = elf_resolve_binary(bin, r->pid, path, sizeof(path));
	if (err) {
		fprintf(stderr, "probes: could not find binary '%s': %s\n", bin, strerror(-err));
		return err;
	}
	err = elf_syms__open(path, &syms);
	if (err) {
		fprintf(stderr, "probes: failed to read symbols of %s: %s\n", path, strerror(-err));
		return err;
	}
	u.r = r;
	u.path = path;
	err = elf_syms__match(syms, func, usym_cb, &u);
	if (err < 0)
		goto err_out;
	err = 0;
err_out:
	elf_syms__free(syms);
	return err;
}

/* go:[BINARY:]ALIAS and goret:: every alias whose functions are in the
 * binary (-p's when none is given), each function with its named
 * arguments: "go:/bin/prog:mapassign runtime.mapassign_fast64(map, count, ...)". */
static int list_go(struct list_req *r)
{
	char bin[PATH_MAX], path[PATH_MAX], line[1024];
	const char *pat = "*", *colon = r->rest ? strrchr(r->rest, ':') : NULL;
	bool ret = !strcmp(r->name, "goret");
	struct elf_syms *syms = NULL;
	struct gobin *gb = NULL;
	int err;

	if (colon) {
		snprintf(bin, sizeof(bin), "%.*s", (int)(colon - r->rest), r->rest);
		if (colon[1])
			pat = colon + 1;
	} else if (r->pid > 0) {
		snprintf(bin, sizeof(bin), "/proc/%d/exe", r->pid);
		if (r->rest && *r->rest)
			pat = r->rest;
	} else {
		fprintf(stderr, "probes: go: name a binary (go:BINARY:*) or a process (-p PID)\n");
		return -EINVAL;
	}
	err = elf_resolve_binary(bin, r->pid, path, sizeof(path));
	if (!err)
		err = elf_syms__open(path, &syms);
	if (!err)
		err = gobin__open(path, &gb);
	if (err) {
		fprintf(stderr, "probes: go: %s is not a readable Go binary: %s\n", bin, strerror(-err));
		goto out;
	}
	for (int i = 0; i < go_nfuncs; i++) {
		const struct go_func *f = &go_funcs[i];
		const char *alias = go_alias_name(f->alias);
		size_t len = 0;
		int n;
		const struct go_arg *args = go_args(i, (uint8_t)gb->minor, ret, &n);

		if (fnmatch(pat, alias, 0) || !elf_syms__find(syms, f->name))
			continue;
		len += snprintf(line + len, sizeof(line) - len, "%s(", f->name);
		for (int k = 0, first = 1; k < n && len < sizeof(line) - 64; k++) {
			if (args[k].ret != ret)
				continue;
			len += snprintf(line + len, sizeof(line) - len, "%s%s", first ? "" : ", ", args[k].name);
			first = 0;
		}
		snprintf(line + len, sizeof(line) - len, ")");
		err = lines__add(r->out, r->name, ":", path, ":", alias, " ", line, NULL);
		if (err)
			goto out;
	}
out:
	gobin__free(gb);
	elf_syms__free(syms);
	return err;
}

static int list_nothing(struct list_req *r)
{
	return 0;
}

struct provider {
	const char *name;
	const char *alias;
	int (*list)(struct list_req *r);
	bool in_all; /* listed by `-l` with no or a provider-less pattern */
};

/* grep "PROVIDERS": keep in step with the attach-point parser's table */
static const struct provider providers[] = {
	{ "tracepoint", "t", list_tracepoint, true },
	{ "software", "s", list_software, true },
	{ "hardware", "h", list_hardware, true },
	{ "uprobe", "u", list_uprobe, false },
	{ "uretprobe", "ur", list_uprobe, false },
	{ "go", NULL, list_go, false },
	{ "goret", NULL, list_go, false },
	{ "kprobe", "k", list_nothing, false },
	{ "kretprobe", "kr", list_nothing, false },
	{ "kfunc", "f", list_nothing, false },
	{ "kretfunc", "fr", list_nothing, false },
	{ "rawtracepoint", "rt", list_nothing, false },
	{ "usdt", "U", list_nothing, false },
	{ "interval", "i", list_nothing, false },
	{ "profile", "p", list_nothing, false },
	{ "BEGIN", NULL, list_nothing, false },
	{ "END", NULL, list_nothing, false },
};

#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

int probes_list(FILE *out, const char *pattern, int pid)
{
	struct lines lines = { 0 };
	struct list_req req = { .pid = pid, .out = &lines };
	const struct provider *prov = NULL;
	const char *colon;
	size_t i;
	int err = 0;

	if (pattern && *pattern) {
		colon = strchr(pattern, ':');
		for (i = 0; colon && i < NPROVIDERS; i++) {
			size_t len = (size_t)(colon - pattern);
			const char *a = providers[i].alias;

			if ((strlen(providers[i].name) == len && !strncmp(providers[i].name, pattern, len)) ||
			    (a && strlen(a) == len && !strncmp(a, pattern, len))) {
				prov = &providers[i];
				break;
			}
		}
	}
	if (prov) {
		req.name = prov->name;
		req.rest = colon + 1;
		err = prov->list(&req);
	} else {
		req.full = pattern && *pattern ? pattern : NULL;
		for (i = 0; !err && i < NPROVIDERS; i++) {
			if (!providers[i].in_all)
				continue;
			req.name = providers[i].name;
			req.rest = "*";
			err = providers[i].list(&req);
		}
	}
	if (err < 0)
		goto err_out;
	if (lines.n)
		qsort(lines.v, lines.n, sizeof(*lines.v), str_cmp);
	for (i = 0; i < lines.n; i++) {
		if (i && !strcmp(lines.v[i], lines.v[i - 1]))
			continue;
		fputs(lines.v[i], out);
		fputc('\n', out);
	}
	err = 0;
err_out:
	lines__free(&lines);
	return err;
}

/* tests/go: gobin (build info, pclntab, RET sites) and elfsym's pclntab
 * fallback against ground truth, over the Go fixtures built with Go 1.19
 * to 1.27 (/work/shared/fixtures/go/bin):
 *
 *   version   the version string is what `go version BIN` prints (and the
 *             fixtures README's table); PIE flags; non-Go files rejected
 *   symtab    the pclntab's functions are the .symtab's STT_FUNC symbols,
 *             read here with libelf, name for name and address for address,
 *             but for the exceptions listed at symtab_alias()
 *   stripped  a -stripped fixture's pclntab equals its sibling's
 *   strip     the same for copies stripped here with objcopy: Go 1.26+
 *             (textStart 0 in the header, read from .go.module) and PIE
 *   elfsym    elf_syms__open on stripped binaries: the pclntab, sized,
 *             with the file offsets the unstripped sibling gives
 *   rets      RET sites of main functions and runtime.mapassign_fast64 are
 *             the `ret`s objdump -d prints
 *   timing    opening go1.24 and reading its pclntab takes < 10 ms
 *
 * Usage: test_gobin TEST SHARED_DIR TMP_DIR. Exit 77 (skip) without the
 * fixtures.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "elfsym.h"
#include "gobin.h"

static const struct fixture {
	const char *name;
	const char *version;  /* README table */
	const char *sibling;  /* unstripped build of a -stripped fixture */
	bool pie;
} fixtures[] = {
	{ "workload-go1.19", "go1.19.8", NULL, false },
	{ "workload-go1.21", "go1.21.13", NULL, false },
	{ "workload-go1.22", "go1.22.12", NULL, false },
	{ "workload-go1.22-stripped", "go1.22.12", "workload-go1.22", false },
	{ "workload-go1.23", "go1.23.5", NULL, false },
	{ "workload-go1.23-pie", "go1.23.5", NULL, true },
	{ "workload-go1.24", "go1.24.4", NULL, false },
	{ "workload-go1.24-stripped", "go1.24.4", "workload-go1.24", false },
	{ "workload-go1.25", "go1.25.12", NULL, false },
	{ "workload-go1.26", "go1.26.10", NULL, false },
	{ "workload-go1.27", "go1.27.3", NULL, false },
};
#define NFIX (sizeof(fixtures) / sizeof(fixtures[0]))

static char bindir[2048], tmpdir[2048];
static int failures;

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

static const char *fixture_path(const char *name)
{
	static char buf[8][4096];
	static int k;
	char *p = buf[k++ % 8];

	snprintf(p, 4096, "%s/%s", bindir, name);
	return p;
}

static struct gobin *open_or_fail(const char *path)
{
	struct gobin *g = NULL;
	int err = gobin__open(path, &g);

	if (err)
		fail("%s: gobin__open: %s", path, strerror(-err));
	return g;
}

/* --- version --- */

/* The version `go version PATH` prints, or "" when go is not installed. */
static void go_version(const char *path, char *out, size_t outsz)
{
	char cmd[4200], line[4400];
	FILE *f;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "go version '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		char *v = strstr(line, ": ");

		if (v) {
			v += 2;
			v[strcspn(v, " \n")] = '\0';
			snprintf(out, outsz, "%s", v);
		}
	}
	pclose(f);
}

static void test_version(void)
{
	char readme[4200];
	struct gobin *g;
	int err, go_checked = 0;

	for (size_t i = 0; i < NFIX; i++) {
		const char *path = fixture_path(fixtures[i].name);
		char gov[64], want[64];
		int major, minor;

		g = open_or_fail(path);
		if (!g)
			continue;
		go_version(path, gov, sizeof(gov));
		if (gov[0]) {
			go_checked++;
			if (strcmp(gov, g->version))
				fail("%s: version %s, go version says %s", path, g->version, gov);
		}
		if (strcmp(fixtures[i].version, g->version))
			fail("%s: version %s, README says %s", path, g->version, fixtures[i].version);
		sscanf(fixtures[i].version, "go%d.%d", &major, &minor);
		if (g->major != major || g->minor != minor)
			fail("%s: parsed %d.%d, want %d.%d", path, g->major, g->minor, major, minor);
		if (g->is_pie != fixtures[i].pie || g->is_dyn != fixtures[i].pie)
			fail("%s: is_pie %d is_dyn %d", path, g->is_pie, g->is_dyn);
		snprintf(want, sizeof(want), "%x", minor >= 20 ? 0xfffffff1 : 0xfffffff0);
		if (g->pcln_magic != strtoul(want, NULL, 16))
			fail("%s: pclntab magic %x", path, g->pcln_magic);
		printf("%-26s %-10s go%d.%d magic %x text_start %#lx funcs %zu\n", fixtures[i].name,
		       g->version, g->major, g->minor, g->pcln_magic, (unsigned long)g->text_start,
		       g->nfuncs);
		gobin__free(g);
	}
	if (!go_checked)
		printf("note: `go version` unavailable, checked against the README table only\n");
	/* not Go: this test program (ELF), the README (not ELF), a missing file */
	err = gobin__open("/proc/self/exe", &g);
	if (err != -ENOEXEC || g)
		fail("gobin__open(self) = %d, want -ENOEXEC", err);
	snprintf(readme, sizeof(readme), "%s/../README.md", bindir);
	err = gobin__open(readme, &g);
	if (err != -ENOEXEC)
		fail("gobin__open(README) = %d, want -ENOEXEC", err);
	err = gobin__open("/nonexistent/hark", &g);
	if (err != -ENOENT)
		fail("gobin__open(missing) = %d, want -ENOENT", err);
	gobin__free(NULL);
}

/* --- symtab --- */

struct fsym {
	char *name;
	uint64_t addr, size;
};

/* STT_FUNC symbols of .symtab, read directly. */
static struct fsym *read_symtab(const char *path, size_t *n)
{
	struct fsym *v = NULL;
	size_t cap = 0;
	Elf_Scn *scn = NULL;
	Elf *e;
	int fd = open(path, O_RDONLY);

	*n = 0;
	if (fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;

			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_shndx == SHN_UNDEF)
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 1024;
				v = realloc(v, cap * sizeof(*v));
			}
			v[*n].name = strdup(elf_strptr(e, sh.sh_link, s.st_name));
			v[*n].addr = s.st_value;
			v[*n].size = s.st_size;
			(*n)++;
		}
	}
	elf_end(e);
	close(fd);
	return v;
}

static void free_fsyms(struct fsym *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* The legitimate differences between an ELF name (elf) and the pclntab
 * name (go) of the function at one address. Returns the rule's index (>0),
 * 0 if the names differ otherwise. Equal names are not asked about.
 *  1. NAME.abi0 in ELF: assembly functions (ABI0); the linker suffixes the
 *     ELF name, the runtime knows them as NAME.
 *  2. "[...]" in pclntab where ELF has "[5]" (Go <= 1.20 type..eq of arrays):
 *     the compiler elides array lengths in the runtime name.
 *  3. "·" (U+00B7) in pclntab where ELF has "." (Go 1.23+:
 *     type:.eq.runtime.untracedG·4): the ELF writer replaces the middle dot.
 */
enum { ALIAS_ABI0 = 1, ALIAS_ARRAY, ALIAS_MIDDOT, NALIAS };
static const char *const alias_names[NALIAS] = {
	NULL, ".abi0 suffix", "[N] vs [...]", "'.' vs U+00B7"
};

static int symtab_alias(const char *elf, const char *go)
{
	size_t el = strlen(elf), gl = strlen(go);
	const char *a = elf, *b = go;

	if (el == gl + 5 && !strcmp(elf + gl, ".abi0") && !strncmp(elf, go, gl))
		return ALIAS_ABI0;
	/* walk both, allowing [digits] ~ [...] and '.' ~ "\xc2\xb7" */
	int rule = 0;

	while (*a && *b) {
		if (*a == *b) {
			a++, b++;
			continue;
		}
		if (!strncmp(b, "...]", 4) && *a >= '0' && *a <= '9') {
			while (*a >= '0' && *a <= '9')
				a++;
			if (*a != ']')
				return 0;
			a++, b += 4;
			rule = rule ? rule : ALIAS_ARRAY;
			continue;
		}
		if (*a == '.' && !strncmp(b, "\xc2\xb7", 2)) {
			a++, b += 2;
			rule = rule ? rule : ALIAS_MIDDOT;
			continue;
		}
		return 0;
	}
	return *a || *b ? 0 : rule;
}

static int fsym_cmp(const void *x, const void *y)
{
	const struct fsym *a = x, *b = y;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void test_symtab(void)
{
	for (size_t i = 0; i < NFIX; i++) {
		const char *path = fixture_path(fixtures[i].name);
		int aliases[NALIAS] = { 0 }, markers = 0;
		struct gobin *g;
		struct fsym *s;
		size_t ns, j, k;

		if (fixtures[i].sibling)
			continue;
		g = open_or_fail(path);
		if (!g)
			continue;
		s = read_symtab(path, &ns);
		qsort(s, ns, sizeof(*s), fsym_cmp);
		for (j = 0, k = 0; j < g->nfuncs || k < ns;) {
			const struct gobin_func *f = j < g->nfuncs ? &g->funcs[j] : NULL;
			const struct fsym *e = k < ns ? &s[k] : NULL;
			int rule;

			/* runtime.text and runtime.etext: zero-size ELF markers */
			if (e && e->size == 0 &&
			    (!strcmp(e->name, "runtime.text") || !strcmp(e->name, "runtime.etext"))) {
				markers++;
				k++;
				continue;
			}
			if (!f || !e || f->entry != e->addr) {
				if (f && (!e || f->entry < e->addr)) {
					fail("%s: pclntab %s %#lx not in .symtab", path, f->name,
					     (unsigned long)f->entry);
					j++;
				} else {
					fail("%s: .symtab %s %#lx not in pclntab", path, e->name,
					     (unsigned long)e->addr);
					k++;
				}
				continue;
			}
			if (strcmp(f->name, e->name)) {
				rule = symtab_alias(e->name, f->name);
				if (rule)
					aliases[rule]++;
				else
					fail("%s: %#lx: pclntab %s, .symtab %s", path,
					     (unsigned long)f->entry, f->name, e->name);
			}
			if (e->addr + e->size > f->end)
				fail("%s: %s: .symtab size %lu past the next function", path, f->name,
				     (unsigned long)e->size);
			j++, k++;
		}
		if (markers != 2)
			fail("%s: %d runtime.text/etext markers", path, markers);
		printf("%-26s %zu funcs = %zu .symtab FUNC - %d markers; aliases:", fixtures[i].name,
		       g->nfuncs, ns, markers);
		for (int r = 1; r < NALIAS; r++)
			printf(" %d %s%s", aliases[r], alias_names[r], r + 1 < NALIAS ? "," : "\n");
		free_fsyms(s, ns);
		gobin__free(g);
	}
}

/* --- stripped --- */

static void same_table(const char *what, const struct gobin *a, const struct gobin *b)
{
	if (a->nfuncs != b->nfuncs) {
		fail("%s: %zu funcs vs %zu", what, a->nfuncs, b->nfuncs);
		return;
	}
	if (strcmp(a->version, b->version) || a->text_start != b->text_start)
		fail("%s: version/text_start differ", what);
	for (size_t i = 0; i < a->nfuncs; i++) {
		const struct gobin_func *x = &a->funcs[i], *y = &b->funcs[i];

		if (strcmp(x->name, y->name) || x->entry != y->entry || x->end != y->end) {
			fail("%s: #%zu %s %#lx-%#lx vs %s %#lx-%#lx", what, i, x->name,
			     (unsigned long)x->entry, (unsigned long)x->end, y->name,
			     (unsigned long)y->entry, (unsigned long)y->end);
			return;
		}
	}
	printf("%s: %zu funcs identical\n", what, a->nfuncs);
}

static void test_stripped(void)
{
	for (size_t i = 0; i < NFIX; i++) {
		struct gobin *a, *b;
		char what[256];

		if (!fixtures[i].sibling)
			continue;
		a = open_or_fail(fixture_path(fixtures[i].name));
		b = open_or_fail(fixture_path(fixtures[i].sibling));
		snprintf(what, sizeof(what), "%s vs %s", fixtures[i].name, fixtures[i].sibling);
		if (a && b)
			same_table(what, a, b);
		gobin__free(a);
		gobin__free(b);
	}
}

/* Copies stripped here: Go 1.26+ have textStart 0 (read from .go.module
 * once runtime.text is gone), and PIE. */
static void test_strip(void)
{
	static const char *const names[] = {
		"workload-go1.26", "workload-go1.27", "workload-go1.23-pie"
	};
	int ran = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char out[4300], cmd[9000];
		struct gobin *a, *b;
		size_t ns;
		struct fsym *s;

		snprintf(out, sizeof(out), "%s/%s-objcopy-stripped", tmpdir, names[i]);
		snprintf(cmd, sizeof(cmd), "objcopy --strip-all '%s' '%s'", fixture_path(names[i]), out);
		if (system(cmd)) {
			printf("objcopy failed on %s, skipped\n", names[i]);
			continue;
		}
		s = read_symtab(out, &ns);
		free_fsyms(s, ns);
		if (ns)
			fail("%s: still has %zu symbols", out, ns);
		a = open_or_fail(out);
		b = open_or_fail(fixture_path(names[i]));
		if (a && b) {
			same_table(out, a, b);
			ran++;
		}
		gobin__free(a);
		gobin__free(b);
		unlink(out);
	}
	if (!ran)
		exit(77);
}

/* --- elfsym fallback --- */

static void test_elfsym(void)
{
	for (size_t i = 0; i < NFIX; i++) {
		struct elf_syms *ss = NULL, *us = NULL;
		struct gobin *g;
		const struct elf_sym *sym;
		int err, want_glob = 0, got_glob;

		if (!fixtures[i].sibling)
			continue;
		g = open_or_fail(fixture_path(fixtures[i].sibling));
		err = elf_syms__open(fixture_path(fixtures[i].name), &ss);
		if (!err)
			err = elf_syms__open(fixture_path(fixtures[i].sibling), &us);
		if (err || !g) {
			fail("%s: elf_syms__open: %s", fixtures[i].name, strerror(-err));
			goto next;
		}
		if (ss->nsyms != g->nfuncs) {
			fail("%s: %zu elf syms, %zu pclntab funcs", fixtures[i].name, ss->nsyms, g->nfuncs);
			goto next;
		}
		for (size_t j = 0; j < g->nfuncs; j++) {
			const struct gobin_func *f = &g->funcs[j];
			const struct elf_sym *s = &ss->syms[j];
			const struct elf_sym *u = elf_syms__lookup(us, f->entry);

			if (strcmp(s->name, f->name) || s->addr != f->entry || s->size != f->end - f->entry)
				fail("%s: sym #%zu %s %#lx+%lu, pclntab %s %#lx-%#lx", fixtures[i].name, j,
				     s->name, (unsigned long)s->addr, (unsigned long)s->size, f->name,
				     (unsigned long)f->entry, (unsigned long)f->end);
			if (!u || u->addr != s->addr || u->file_off != s->file_off || !s->file_off)
				fail("%s: %s: file_off %#lx, unstripped %#lx", fixtures[i].name, s->name,
				     (unsigned long)s->file_off, u ? (unsigned long)u->file_off : 0UL);
			if (!strncmp(f->name, "main.fill", 9))
				want_glob++;
		}
		sym = elf_syms__find(ss, "main.fillInts");
		if (!sym || elf_syms__lookup(ss, sym->addr + 17) != sym)
			fail("%s: main.fillInts find/lookup", fixtures[i].name);
		got_glob = elf_syms__match(ss, "main.fill*", NULL, NULL);
		if (got_glob != want_glob || want_glob != 3)
			fail("%s: main.fill* matched %d, want %d", fixtures[i].name, got_glob, want_glob);
		sym = elf_syms__find(us, "runtime.text");
		if (!sym || elf_syms__find(ss, "runtime.text"))
			fail("%s: fallback used on the unstripped binary, or not only there",
			     fixtures[i].name);
		printf("%s: %zu symbols from pclntab, file offsets as %s\n", fixtures[i].name,
		       ss->nsyms, fixtures[i].sibling);
next:
		elf_syms__free(ss);
		elf_syms__free(us);
		gobin__free(g);
	}
}

/* --- RET sites --- */

/* Addresses of the `ret`s objdump -d prints in [lo, hi). */
static int objdump_rets(const char *path, uint64_t lo, uint64_t hi, uint64_t *out, int max)
{
	char cmd[4400], line[512];
	int n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "objdump -d --no-show-raw-insn --start-address=%#lx --stop-address=%#lx '%s'",
		 (unsigned long)lo, (unsigned long)hi, path);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long addr;
		char mnem[32];

		if (sscanf(line, " %lx:\t%31s", &addr, mnem) != 2)
			continue;
		if ((!strcmp(mnem, "ret") || !strcmp(mnem, "retq")) && n < max)
			out[n++] = addr;
	}
	if (pclose(f))
		return -1;
	return n;
}

static void test_rets(void)
{
	static const char *const funcs[] = {
		"main.fillInts", "main.main", "main.spawn.func1", "runtime.mapassign_fast64",
		"runtime.mallocgc", "runtime.findRunnable",
	};

	for (size_t i = 0; i < NFIX; i++) {
		const char *path = fixture_path(fixtures[i].name);
		struct gobin *g = open_or_fail(path);

		if (!g)
			continue;
		printf("%-26s", fixtures[i].name);
		for (size_t k = 0; k < sizeof(funcs) / sizeof(funcs[0]); k++) {
			const struct gobin_func *f = gobin__find(g, funcs[k]);
			uint64_t want[64], *got = NULL;
			int nwant, ngot = 0, err;

			if (!f) {
				fail("%s: no %s", path, funcs[k]);
				continue;
			}
			nwant = objdump_rets(path, f->entry, f->end, want, 64);
			err = gobin_ret_sites(g, path, f->entry, f->end, &got, &ngot);
			if (nwant < 0 || err) {
				fail("%s: %s: objdump %d, gobin_ret_sites %d", path, funcs[k], nwant, err);
			} else if (nwant != ngot || (ngot && memcmp(want, got, ngot * sizeof(*got)))) {
				fail("%s: %s: %d RETs, objdump %d", path, funcs[k], ngot, nwant);
			} else if (!strcmp(funcs[k], "main.fillInts") && ngot == 0) {
				fail("%s: main.fillInts without RET", path);
			}
			printf(" %s:%d", funcs[k], ngot);
			free(got);
		}
		printf("\n");
		gobin__free(g);
	}
}

/* --- timing --- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_timing(void)
{
	const char *path = fixture_path("workload-go1.24");
	double best = 1e9, total = 0, t;
	struct elf_syms *s;
	const int runs = 20;

	for (int i = 0; i < runs; i++) {
		struct gobin *g;

		t = now_ms();
		g = open_or_fail(path);
		t = now_ms() - t;
		gobin__free(g);
		total += t;
		best = t < best ? t : best;
	}
	printf("gobin__open(go1.24): best %.3f ms, mean %.3f ms over %d runs\n", best,
	       total / runs, runs);
	if (best >= 10)
		fail("gobin__open took %.3f ms", best);
	t = now_ms();
	if (elf_syms__open(fixture_path("workload-go1.24-stripped"), &s) == 0)
		elf_syms__free(s);
	printf("elf_syms__open(go1.24-stripped, pclntab fallback): %.3f ms\n", now_ms() - t);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "version", test_version }, { "symtab", test_symtab }, { "stripped", test_stripped },
	{ "strip", test_strip },     { "elfsym", test_elfsym }, { "rets", test_rets },
	{ "timing", test_timing },
};

int main(int argc, char **argv)
{
	struct stat st;

	if (argc != 4) {
		fprintf(stderr, "usage: %s TEST SHARED_DIR TMP_DIR\n", argv[0]);
		return 2;
	}
	snprintf(bindir, sizeof(bindir), "%s/fixtures/go/bin", argv[2]);
	snprintf(tmpdir, sizeof(tmpdir), "%s", argv[3]);
	if (stat(bindir, &st) || !S_ISDIR(st.st_mode)) {
		printf("skip: no Go fixtures at %s\n", bindir);
		return 77;
	}
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (strcmp(argv[1], tests[i].name))
			continue;
		tests[i].fn();
		if (failures)
			fprintf(stderr, "%d failure(s)\n", failures);
		return failures ? 1 : 0;
	}
	fprintf(stderr, "unknown test %s\n", argv[1]);
	return 2;
}

/* test-output: golden tests of runtime/output*.c and lang/fmt.c.
 *
 * Each case replays, by hand, what the runtime would hand to the output
 * module for one bpftrace program, programs/<case>.bt, and compares the
 * result with golden/<case>.txt and golden/<case>.json: bpftrace 0.17's own
 * stdout for that program with -q (regenerate them with make-golden.sh; it
 * documents the two edits it makes). Like bpftrace's stdout, each case
 * prints its exit-time maps after out_exit_begin(), in name order.
 *
 * usage: test-output GOLDEN_DIR [CASE]
 * A mismatch writes the actual output to ./<case>.<txt|json>.actual.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lang/fmt.h"
#include "../../runtime/output.h"

#define I(x) { .kind = OV_INT, .i = (x) }
#define U(x) { .kind = OV_UINT, .i = (int64_t)(x) }
#define S(x) { .kind = OV_STR, .s = (x) }
#define ST(...) { .kind = OV_STACK, .frames = (char *[]){ __VA_ARGS__ }, \
		  .nframes = sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *) }
#define KEYS(...) ((struct out_val[]){ __VA_ARGS__ })
#define ARGS(...) (struct out_val[]){ __VA_ARGS__ }, \
	(int)(sizeof((struct out_val[]){ __VA_ARGS__ }) / sizeof(struct out_val))
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int failures;

/* ---- building maps as the runtime would ---- */

#define NB 70

/* plan.h: 0 negative, 1 zero, k >= 2: [2^(k-2), 2^(k-1)). bpftrace 0.17's
 * BPF log2 saturates: everything >= 2^31 lands in [2G, 4G), k = 33. */
static void hist_add(uint64_t *b, int64_t v)
{
	int k = 2;
	if (v < 0) {
		k = 0;
	} else if (v == 0) {
		k = 1;
	} else {
		for (uint64_t u = (uint64_t)v; u >= 2; u >>= 1)
			k++;
		if (k > 33)
			k = 33;
	}
	b[k]++;
}

static void lhist_add(uint64_t *b, int64_t v, int64_t min, int64_t max, int64_t step)
{
	int64_t n = (max - min) / step;
	if (v < min)
		b[0]++;
	else if (v >= max)
		b[n + 1]++;
	else
		b[(v - min) / step + 1]++;
}

static struct out_map mk(const char *name, enum agg_kind agg, int nkeys,
			 struct out_entry *e, size_t n)
{
	return (struct out_map){ .name = name, .agg = agg, .nkeys = nkeys,
				 .entries = e, .nentries = n,
				 .value_ty = { .kind = TY_INT, .size = 8, .is_signed = true } };
}

static void pmap(struct out *o, const char *name, enum agg_kind agg, int nkeys,
		 struct out_entry *e, size_t n, int64_t top, int64_t div)
{
	struct out_map m = mk(name, agg, nkeys, e, n);
	out_map(o, &m, top, div);
}

static void pstr(struct out *o, const char *name, int nkeys, struct out_entry *e, size_t n,
		 int64_t top)
{
	struct out_map m = mk(name, AGG_NONE, nkeys, e, n);
	m.value_ty = ty_str(64);
	out_map(o, &m, top, 0);
}

static void plhist(struct out *o, const char *name, int nkeys, struct out_entry *e, size_t n,
		   int64_t min, int64_t max, int64_t step, int64_t top, int64_t div)
{
	struct out_map m = mk(name, AGG_LHIST, nkeys, e, n);
	m.lhist_min = min;
	m.lhist_max = max;
	m.lhist_step = step;
	out_map(o, &m, top, div);
}

static void pf(struct out *o, const char *format, const struct out_val *args, int nargs)
{
	size_t off;
	const char *msg;
	struct fmt *f = fmt__new(format, &off, &msg);
	if (!f) {
		fprintf(stderr, "FAIL: format \"%s\": %s at %zu\n", format, msg, off);
		failures++;
		return;
	}
	out_printf(o, f, args, nargs);
	fmt__free(f);
}

#define MAP(o, name, agg, nkeys, e) pmap(o, name, agg, nkeys, e, N(e), 0, 0)
#define HIST(e, ...) do { for (size_t i_ = 0; i_ < N(((int64_t[]){ __VA_ARGS__ })); i_++) \
	hist_add(e, ((int64_t[]){ __VA_ARGS__ })[i_]); } while (0)
#define LHIST(e, min, max, step, ...) do { \
	for (size_t i_ = 0; i_ < N(((int64_t[]){ __VA_ARGS__ })); i_++) \
		lhist_add(e, ((int64_t[]){ __VA_ARGS__ })[i_], min, max, step); } while (0)

/* ---- cases: one per programs/<name>.bt ---- */

static void case_main(struct out *o)
{
	uint64_t h[NB] = { 0 }, hk[NB] = { 0 }, l[NB] = { 0 };
	HIST(h, 0, 1, 5, 100, 1500);
	HIST(hk, 64);
	LHIST(l, 0, 50, 10, 7, 25, 99);

	struct out_entry a[] = { { .sum = 31, .count = 2 } };
	struct out_entry c[] = { { .keys = KEYS(S("b")), .v = 2 }, { .keys = KEYS(S("a")), .v = 1 } };
	struct out_entry eh[] = { { .buckets = h, .nbuckets = NB } };
	struct out_entry ehk[] = { { .keys = KEYS(S("k")), .buckets = hk, .nbuckets = NB } };
	struct out_entry el[] = { { .buckets = l, .nbuckets = 7 } };
	struct out_entry mn[] = { { .v = 3 } }, mx[] = { { .v = 3 } }, s[] = { { .v = 12 } };
	struct out_entry st[] = { { .sum = 30, .count = 2 } };
	struct out_entry t[] = { { .keys = KEYS(I(2), S("y")), .v = 2 },
				 { .keys = KEYS(I(1), S("x")), .v = 1 } };

	out_exit_begin(o);
	MAP(o, "@a", AGG_AVG, 0, a);
	MAP(o, "@c", AGG_COUNT, 1, c);
	MAP(o, "@h", AGG_HIST, 0, eh);
	MAP(o, "@hk", AGG_HIST, 1, ehk);
	plhist(o, "@l", 0, el, N(el), 0, 50, 10, 0, 0);
	MAP(o, "@mn", AGG_MIN, 0, mn);
	MAP(o, "@mx", AGG_MAX, 0, mx);
	MAP(o, "@s", AGG_SUM, 0, s);
	MAP(o, "@st", AGG_STATS, 0, st);
	MAP(o, "@t", AGG_COUNT, 2, t);
}

static void case_hist(struct out *o)
{
	uint64_t g[NB] = { 0 }, h[NB] = { 0 }, z[NB] = { 0 };
	uint64_t l[NB] = { 0 }, l2[NB] = { 0 }, l3[NB] = { 0 };
	HIST(g, 1 << 20, 3LL << 30, 1 << 30, 1LL << 40, 5LL << 40, -1);
	HIST(h, -5, -1, 0, 0, 0, 2);
	HIST(z, 1);
	LHIST(l, 0, 4096, 1024, -5, 2048, 5000);
	LHIST(l2, 10, 20, 5, 3, 15);
	LHIST(l3, 0, 4194304, 1048576, 2097152, 1500);

	struct out_entry eg[] = { { .buckets = g, .nbuckets = NB } };
	struct out_entry eh[] = { { .buckets = h, .nbuckets = 4 } };
	struct out_entry ez[] = { { .buckets = z, .nbuckets = NB } };
	struct out_entry el[] = { { .buckets = l, .nbuckets = NB } };
	struct out_entry el2[] = { { .buckets = l2, .nbuckets = 4 } };
	struct out_entry el3[] = { { .buckets = l3, .nbuckets = 6 } };

	out_exit_begin(o);
	MAP(o, "@g", AGG_HIST, 0, eg);
	MAP(o, "@h", AGG_HIST, 0, eh);
	plhist(o, "@l", 0, el, 1, 0, 4096, 1024, 0, 0);
	plhist(o, "@l2", 0, el2, 1, 10, 20, 5, 0, 0);
	plhist(o, "@l3", 0, el3, 1, 0, 4194304, 1048576, 0, 0);
	MAP(o, "@z", AGG_HIST, 0, ez);
}

static void case_topdiv(struct out *o)
{
	uint64_t h1[NB] = { 0 }, h2[NB] = { 0 }, h3[NB] = { 0 }, l1[NB] = { 0 }, l2[NB] = { 0 };
	HIST(h1, 5, 5, 5, 5, 100);
	HIST(h2, 3);
	HIST(h3, 3, 3);
	LHIST(l1, 0, 10, 1, 5, 5, 5, 5, 8);
	LHIST(l2, 0, 10, 1, 3);

	struct out_entry h[] = { { .keys = KEYS(I(3)), .buckets = h3, .nbuckets = NB },
				 { .keys = KEYS(I(1)), .buckets = h1, .nbuckets = NB },
				 { .keys = KEYS(I(2)), .buckets = h2, .nbuckets = NB } };
	struct out_entry l[] = { { .keys = KEYS(I(2)), .buckets = l2, .nbuckets = 12 },
				 { .keys = KEYS(I(1)), .buckets = l1, .nbuckets = 12 } };
	struct out_entry a[] = { { .keys = KEYS(I(2)), .sum = 30, .count = 1 },
				 { .keys = KEYS(I(1)), .sum = 10, .count = 1 },
				 { .keys = KEYS(I(3)), .sum = 20, .count = 1 } };
	struct out_entry mm[] = { { .keys = KEYS(I(3)), .v = 20 }, { .keys = KEYS(I(2)), .v = 30 },
				  { .keys = KEYS(I(1)), .v = 10 } };
	struct out_entry i[] = { { .keys = KEYS(I(1)), .v = 10 }, { .keys = KEYS(I(2)), .v = 30 },
				 { .keys = KEYS(I(3)), .v = -20 } };
	struct out_entry s[] = { { .keys = KEYS(I(3)), .s = "c" }, { .keys = KEYS(I(1)), .s = "b" },
				 { .keys = KEYS(I(2)), .s = "a" } };

	pmap(o, "@h", AGG_HIST, 1, h, N(h), 2, 2);
	plhist(o, "@l", 1, l, N(l), 0, 10, 1, 1, 2);
	pmap(o, "@a", AGG_AVG, 1, a, N(a), 2, 3);
	pmap(o, "@st", AGG_STATS, 1, a, N(a), 1, 2);
	pmap(o, "@mn", AGG_MIN, 1, mm, N(mm), 2, 3);
	pmap(o, "@mx", AGG_MAX, 1, mm, N(mm), 2, 3);
	pmap(o, "@i", AGG_NONE, 1, i, N(i), 2, 3);
	pstr(o, "@s", 1, s, N(s), 2);
	pstr(o, "@s", 1, s, N(s), 0);

	out_exit_begin(o);
	MAP(o, "@a", AGG_AVG, 1, a);
	MAP(o, "@h", AGG_HIST, 1, h);
	MAP(o, "@i", AGG_NONE, 1, i);
	plhist(o, "@l", 1, l, N(l), 0, 10, 1, 0, 0);
	MAP(o, "@mn", AGG_MIN, 1, mm);
	MAP(o, "@mx", AGG_MAX, 1, mm);
	pstr(o, "@s", 1, s, N(s), 0);
	MAP(o, "@st", AGG_STATS, 1, a);
}

static void case_zero(struct out *o)
{
	uint64_t z1[NB] = { 0 }, z2[NB] = { 0 }, zl[NB] = { 0 };
	struct out_entry h[] = { { .keys = KEYS(I(2)), .buckets = z2, .nbuckets = NB },
				 { .keys = KEYS(I(1)), .buckets = z1, .nbuckets = NB } };
	struct out_entry l[] = { { .buckets = zl, .nbuckets = 12 } };
	struct out_entry st[] = { { .sum = 0, .count = 0 } };

	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			out_exit_begin(o);
		if (pass)
			MAP(o, "@a", AGG_AVG, 0, st);
		MAP(o, "@h", AGG_HIST, 1, h);
		plhist(o, "@l", 0, l, 1, 0, 10, 1, 0, 0);
		MAP(o, "@st", AGG_STATS, 0, st);
		if (!pass)
			MAP(o, "@a", AGG_AVG, 0, st);
	}
}

static void case_avg_neg(struct out *o)
{
	struct out_entry a[] = { { .sum = -7, .count = 2 } };
	struct out_entry a2[] = { { .keys = KEYS(I(2)), .sum = 5, .count = 1 },
				  { .keys = KEYS(I(1)), .sum = -10, .count = 1 },
				  { .keys = KEYS(I(3)), .sum = -20, .count = 1 } };
	out_exit_begin(o);
	MAP(o, "@a", AGG_AVG, 0, a);
	MAP(o, "@a2", AGG_AVG, 1, a2);
	MAP(o, "@st", AGG_STATS, 0, a);
}

static void case_empty(struct out *o)
{
	struct out_entry x[] = { { .v = 5 } };
	struct out_val v5 = I(5), vm7 = I(-7), vabc = S("abc");

	pmap(o, "@c", AGG_COUNT, 1, NULL, 0, 0, 0);
	pmap(o, "@h", AGG_HIST, 0, NULL, 0, 0, 0);
	pmap(o, "@a", AGG_AVG, 0, NULL, 0, 0, 0);
	pmap(o, "@st", AGG_STATS, 0, NULL, 0, 0, 0);
	pf(o, "--\n", NULL, 0);
	out_value(o, &v5);
	out_value(o, &vm7);
	out_value(o, &vabc);
	out_exit_begin(o);
	pmap(o, "@a", AGG_AVG, 0, NULL, 0, 0, 0);
	pmap(o, "@c", AGG_COUNT, 1, NULL, 0, 0, 0);
	pmap(o, "@h", AGG_HIST, 0, NULL, 0, 0, 0);
	pmap(o, "@st", AGG_STATS, 0, NULL, 0, 0, 0);
	MAP(o, "@x", AGG_NONE, 0, x);
}

static void case_printf(struct out *o)
{
	pf(o, "d=%d u=%u x=%x X=%X o=%o s=%s c=%c p=%p pct=%%\n",
	   ARGS(I(-5), I(-1), I(255), I(255), I(8), S("str"), I(65), I(4096)));
	pf(o, "[%5d][%-5d][%05d][%5s][%-5s][%.2s][%8.3d][%lx][%llu][%hd][%hhd][%ld]\n",
	   ARGS(I(42), I(42), I(42), S("ab"), S("ab"), S("abcdef"), I(7), I(-1), I(-1),
		I(70000), I(300), I(-1)));
	pf(o, "[%-08x][%08X][%10p][%-10p][%3c][%-3c][%.3x][%hhx][%hu][%lu]\n",
	   ARGS(I(255), I(255), I(1), I(1), I(66), I(66), I(10), I(4095), I(-1), I(-1)));
	pf(o, "[%d][%u][%x][%d]\n", ARGS(I(-1), U(4294967295u), I(-1), U(200)));
	pf(o, "no newline", NULL, 0);
	pf(o, "tab\there \"q\" back\\slash\n", NULL, 0);
	out_exit_begin(o);
}

static void case_printf2(struct out *o)
{
	pf(o, "a%%b %d c %s %%\n", ARGS(I(5000000000), S("x")));
	pf(o, "100%%\n", NULL, 0);
	pf(o, "%d%%\n", ARGS(I(5)));
	pf(o, "%%%d\n", ARGS(I(5)));
	pf(o, "[%p][%c][%5.1s][%3c][%-3c]\n", ARGS(I(0), I(0), S("abc"), I(0), I(0)));
	pf(o, "%s|%s\n", ARGS(S("a\"b"), S("q")));
	out_exit_begin(o);
}

static void case_values(struct out *o)
{
	struct out_entry one[] = { { .v = 1 } }, big[] = { { .v = 1099511627776 } };
	struct out_entry neg[] = { { .v = -5 } }, x[] = { { .v = -3 } }, u[] = { { .v = -1 } };
	struct out_entry i32[] = { { .v = 0xfffffffe } }, u8[] = { { .v = 200 } };
	struct out_entry mn[] = { { .v = -7 } }, mx[] = { { .v = 9 } };
	struct out_entry str[] = { { .s = "hello" } };
	struct out_entry t[] = { { .keys = KEYS(I(2), S("y")), .v = 2 },
				 { .keys = KEYS(I(1), S("x")), .v = 1 } };
	struct out_entry sk[] = { { .keys = KEYS(S("a"), I(3)), .s = "v2" },
				  { .keys = KEYS(S("b"), I(2)), .s = "v1" },
				  { .keys = KEYS(S("a"), I(1)), .s = "v3" } };
	struct out_entry ik[] = { { .keys = KEYS(I(5)), .s = "five" },
				  { .keys = KEYS(I(-1)), .s = "neg" },
				  { .keys = KEYS(I(0)), .s = "zero" } };
	struct out_entry ties[] = { { .keys = KEYS(I(2)), .sum = 5, .count = 1 },
				    { .keys = KEYS(I(1)), .sum = 5, .count = 1 },
				    { .keys = KEYS(I(256)), .sum = 5, .count = 1 } };
	uint64_t ha[NB] = { 0 }, hb[NB] = { 0 }, hab[NB] = { 0 };
	HIST(ha, 1, 2);
	HIST(hb, 1);
	HIST(hab, 1);
	struct out_entry hs[] = { { .keys = KEYS(S("a")), .buckets = ha, .nbuckets = NB },
				  { .keys = KEYS(S("b")), .buckets = hb, .nbuckets = NB },
				  { .keys = KEYS(S("ab")), .buckets = hab, .nbuckets = NB } };
	struct out_map m;

	out_exit_begin(o);
	MAP(o, "@", AGG_COUNT, 0, one);
	MAP(o, "@big", AGG_SUM, 0, big);
	MAP(o, "@hs", AGG_HIST, 1, hs);
	m = mk("@i32", AGG_NONE, 0, i32, 1);
	m.value_ty = ty_int(4, true);
	out_map(o, &m, 0, 0);
	pstr(o, "@ik", 1, ik, N(ik), 0);
	MAP(o, "@mn", AGG_MIN, 0, mn);
	MAP(o, "@mx", AGG_MAX, 0, mx);
	MAP(o, "@neg", AGG_SUM, 0, neg);
	pstr(o, "@sk", 2, sk, N(sk), 0);
	pstr(o, "@str", 0, str, 1, 0);
	MAP(o, "@t", AGG_COUNT, 2, t);
	MAP(o, "@ties", AGG_AVG, 1, ties);
	m = mk("@u", AGG_NONE, 0, u, 1);
	m.value_ty = ty_int(8, false);
	out_map(o, &m, 0, 0);
	m = mk("@u8", AGG_NONE, 0, u8, 1);
	m.value_ty = ty_int(1, false);
	out_map(o, &m, 0, 0);
	MAP(o, "@x", AGG_NONE, 0, x);
}

static void case_escape(struct out *o)
{
	struct out_entry e[] = { { .keys = KEYS(S("\xc3\xa9\t")), .v = 1 } };
	struct out_entry s[] = { { .s = "a\"\xc3\xa9\\" } };
	struct out_val v = S("x\x7f");

	pf(o, "\xc3\xa9\t\"q\"\\ \x01\n", NULL, 0);
	out_value(o, &v);
	out_exit_begin(o);
	MAP(o, "@", AGG_NONE, 1, e);
	pstr(o, "@s", 0, s, 1, 0);
}

#define KFRAMES "_einittext+OFF", "__bpf_prog_test_run_raw_tp+106", \
	"bpf_prog_test_run_raw_tp+279", "__sys_bpf+2593", "__x64_sys_bpf+29", \
	"do_syscall_64+113", "entry_SYSCALL_64_after_hwframe+118"

static void case_stack(struct out *o)
{
	struct out_val u2 = ST("syscall+25", "0xADDR");
	struct out_entry e[] = { { .keys = KEYS(ST("syscall+25", "0xADDR", "0xADDR")), .v = 1 } };
	struct out_entry k[] = { { .keys = KEYS(ST(KFRAMES), I(7)), .v = 1 } };
	struct out_entry u[] = { { .keys = KEYS(ST("syscall+25", "0xADDR"), S("s")), .v = 1 } };

	pf(o, "<%s>|%s|\n", ARGS(ST("syscall+25", "0xADDR"), ST(KFRAMES)));
	out_value(o, &u2);
	out_exit_begin(o);
	MAP(o, "@", AGG_COUNT, 1, e);
	MAP(o, "@k", AGG_COUNT, 2, k);
	MAP(o, "@u", AGG_COUNT, 2, u);
}

static void case_misc(struct out *o)
{
	uint64_t lb[NB] = { 0 };
	LHIST(lb, 2048, 6144, 1024, 3000, 1500, 4100, 4100);
	struct out_entry c[] = { { .keys = KEYS(S("c")), .v = 3 }, { .keys = KEYS(S("a")), .v = 1 },
				 { .keys = KEYS(S("b")), .v = 2 } };
	struct out_entry s[] = { { .keys = KEYS(I(2)), .v = 9 }, { .keys = KEYS(I(3)), .v = -20 },
				 { .keys = KEYS(I(1)), .v = -7 } };
	struct out_entry l[] = { { .buckets = lb, .nbuckets = 6 } };

	pmap(o, "@c", AGG_COUNT, 1, c, N(c), 2, 0);
	pmap(o, "@c", AGG_COUNT, 1, c, N(c), 0, 2);
	pmap(o, "@s", AGG_SUM, 1, s, N(s), 0, 2);
	pmap(o, "@s", AGG_SUM, 1, s, N(s), 5, 0);
	plhist(o, "@l", 0, l, 1, 2048, 6144, 1024, 0, 3);
	out_exit_begin(o);
	MAP(o, "@c", AGG_COUNT, 1, c);
	plhist(o, "@l", 0, l, 1, 2048, 6144, 1024, 0, 0);
	MAP(o, "@s", AGG_SUM, 1, s);
}

static const struct test_case {
	const char *name;
	void (*run)(struct out *o);
} cases[] = {
	{ "main", case_main },
	{ "hist", case_hist },
	{ "topdiv", case_topdiv },
	{ "zero", case_zero },
	{ "avg-neg", case_avg_neg },
	{ "empty", case_empty },
	{ "printf", case_printf },
	{ "printf2", case_printf2 },
	{ "values", case_values },
	{ "escape", case_escape },
	{ "stack", case_stack },
	{ "misc", case_misc },
};

/* ---- harness ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		rewind(f);
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static void check(const char *dir, const struct test_case *c, enum out_format format)
{
	const char *ext = format == OUT_JSON ? "json" : "txt";
	char path[4096];
	char *got = NULL;
	size_t got_len = 0, want_len = 0;
	FILE *f = open_memstream(&got, &got_len);
	struct out *o = out__new(f, format);

	c->run(o);
	out_flush(o);
	out__free(o);
	fclose(f);

	snprintf(path, sizeof(path), "%s/%s.%s", dir, c->name, ext);
	char *want = slurp(path, &want_len);
	if (!want) {
		fprintf(stderr, "FAIL %s.%s: cannot read %s\n", c->name, ext, path);
		failures++;
	} else if (got_len != want_len || memcmp(got, want, got_len)) {
		size_t i = 0;
		while (i < got_len && i < want_len && got[i] == want[i])
			i++;
		snprintf(path, sizeof(path), "%s.%s.actual", c->name, ext);
		FILE *a = fopen(path, "wb");
		if (a) {
			fwrite(got, 1, got_len, a);
			fclose(a);
		}
		fprintf(stderr, "FAIL %s.%s: differs at byte %zu (actual output in %s)\n",
			c->name, ext, i, path);
		failures++;
	} else {
		printf("ok %s.%s\n", c->name, ext);
	}
	free(want);
	free(got);
}

/* ---- fmt parsing ---- */

static void expect_err(const char *s, size_t want_off)
{
	size_t off = 0;
	const char *msg = NULL;
	struct fmt *f = fmt__new(s, &off, &msg);
	if (f || off != want_off || !msg) {
		fprintf(stderr, "FAIL fmt \"%s\": expected an error at %zu\n", s, want_off);
		failures++;
	}
	fmt__free(f);
}

static void test_fmt(void)
{
	size_t off;
	const char *msg;
	struct fmt *f = fmt__new("a%%b%-08.3lxc%s%%", &off, &msg);
	int ok = f && f->nsegs == 5 && f->nconv == 2 &&
		 f->segs[0].conv == FMT_LIT && !strcmp(f->segs[0].text, "a%b") &&
		 f->segs[1].conv == FMT_HEX && !strcmp(f->segs[1].text, "%-08.3lx") &&
		 f->segs[1].minus && f->segs[1].zero && f->segs[1].width == 8 &&
		 f->segs[1].prec == 3 && f->segs[1].src_off == 4 && f->segs[1].len == 8 &&
		 !strcmp(f->segs[2].text, "c") && f->segs[2].src_off == 12 &&
		 f->segs[3].conv == FMT_STR && f->segs[3].width == -1 && f->segs[3].prec == -1 &&
		 !strcmp(f->segs[4].text, "%") && f->segs[4].len == 1;
	if (!ok) {
		fprintf(stderr, "FAIL fmt: segments of \"a%%%%b%%-08.3lxc%%s%%%%\"\n");
		failures++;
	} else {
		printf("ok fmt segments\n");
	}
	fmt__free(f);

	f = fmt__new("", &off, &msg);
	if (!f || f->nsegs != 0) {
		fprintf(stderr, "FAIL fmt: empty format\n");
		failures++;
	}
	fmt__free(f);

	static const char convs[] = "diuxXoscp";
	static const enum fmt_conv want[] = { FMT_INT, FMT_INT, FMT_UINT, FMT_HEX, FMT_HEXU,
					      FMT_OCT, FMT_STR, FMT_CHAR, FMT_PTR };
	for (int i = 0; convs[i]; i++) {
		char s[8];
		snprintf(s, sizeof(s), "%%hh%c", convs[i]);
		f = fmt__new(s, &off, &msg);
		if (!f || f->nsegs != 1 || f->segs[0].conv != want[i]) {
			fprintf(stderr, "FAIL fmt: \"%s\"\n", s);
			failures++;
		}
		fmt__free(f);
	}

	expect_err("abc%", 3);
	expect_err("x %q y", 2);
	expect_err("%5", 0);
	expect_err("%-", 0);
	expect_err("%lld %5%", 5);
	expect_err("%lll", 0);
	expect_err("%z", 0);
	printf("ok fmt errors\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s GOLDEN_DIR [CASE]\n", argv[0]);
		return 2;
	}
	if (argc < 3 || !strcmp(argv[2], "fmt"))
		test_fmt();
	for (size_t i = 0; i < N(cases); i++) {
		if (argc >= 3 && strcmp(argv[2], cases[i].name))
			continue;
		check(argv[1], &cases[i], OUT_TEXT);
		check(argv[1], &cases[i], OUT_JSON);
	}
	return failures ? 1 : 0;
}

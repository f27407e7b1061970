/* test-om: runtime/output_openmetrics.c without BPF: the maps are built by
 * hand as the runtime would hand them over, and the text compared exactly.
 * Covers what a BPF program cannot produce on demand: bytes that are not
 * UTF-8, ustack(perf) frames, the largest hist bounds, an empty map,
 * print(@m, top, div). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/output.h"

static int failures;

static void expect(const char *name, const char *want, const char *got)
{
	if (!strcmp(want, got)) {
		printf("ok: %s\n", name);
		return;
	}
	printf("FAIL: %s\n--- want\n%s--- got\n%s", name, want, got);
	failures++;
}

static struct out_map mk(const char *name, enum agg_kind agg, int nkeys, struct out_entry *e, size_t n)
{
	return (struct out_map){ .name = name, .agg = agg, .nkeys = nkeys, .entries = e, .nentries = n,
				 .value_ty = { .kind = TY_INT, .size = 8, .is_signed = true } };
}

/* run(m, top, div): one map and the closing # EOF, as text */
static char *run(const struct out_map *m, int64_t top, int64_t div)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct out *o = out__new(f, OUT_OPENMETRICS);

	out_map(o, m, top, div);
	out_maps_end(o);
	out__free(o);
	fclose(f);
	return buf;
}

static void check(const char *name, const struct out_map *m, int64_t top, int64_t div, const char *want)
{
	char *got = run(m, top, div);

	expect(name, want, got);
	free(got);
}

int main(void)
{
	{
		struct out_val k[] = { { .kind = OV_STR, .s = "ok \xc3\xa9 bad \xff\xc3 end" } };
		struct out_entry e[] = { { .keys = k, .v = 3 } };
		struct out_map m = mk("@c", AGG_COUNT, 1, e, 1);

		check("utf8", &m, 0, 0,
		      "# TYPE hark_c counter\n# HELP hark_c hark map @c: count()\n"
		      "hark_c_total{key=\"ok \xc3\xa9 bad \xef\xbf\xbd\xef\xbf\xbd end\"} 3\n# EOF\n");
	}
	{
		char *frames[] = { "\t7f00 inner+1 (/lib/x.so)", "\t7f10 outer+2 (/lib/x.so)" };
		struct out_val k[] = { { .kind = OV_STACK, .frames = frames, .nframes = 2, .flat = true },
				       { .kind = OV_UINT, .i = -1 } };
		struct out_entry e[] = { { .keys = k, .v = 5 } };
		struct out_map m = mk("@", AGG_SUM, 2, e, 1);

		check("stack", &m, 0, 0,
		      "# TYPE hark counter\n# HELP hark hark map @: sum()\n"
		      "hark_total{key0=\"7f00 inner+1 (/lib/x.so);7f10 outer+2 (/lib/x.so)\","
		      "key1=\"18446744073709551615\"} 5\n# EOF\n");
	}
	{
		uint64_t b[66] = { 0 };
		struct out_entry e[] = { { .keys = NULL, .buckets = b, .nbuckets = 66 } };
		struct out_map m = mk("@big", AGG_HIST, 0, e, 1);
		char *got;

		b[54] = 1; /* [2^52, 2^53) */
		b[64] = 2; /* [2^62, 2^63) */
		b[65] = 4; /* no le of its own: only in +Inf */
		got = run(&m, 0, 0);
		if (!strstr(got, "hark_big_bucket{le=\"9.007199254740991e+15\"} 1\n") ||
		    !strstr(got, "hark_big_bucket{le=\"9.223372036854776e+18\"} 3\n") ||
		    !strstr(got, "hark_big_bucket{le=\"+Inf\"} 7\n# EOF\n"))
			expect("hist bounds", "(le 2^53-1, 2^63-1, +Inf)\n", got);
		else
			printf("ok: hist bounds\n");
		free(got);
	}
	{
		uint64_t b1[7] = { 1, 2, 0, 3, 0, 0, 9 }, b2[7] = { 0, 0, 4, 0, 0, 0, 0 };
		struct out_val k1[] = { { .kind = OV_INT, .i = -1 } }, k2[] = { { .kind = OV_INT, .i = 2 } };
		struct out_entry e[] = { { .keys = k1, .buckets = b1, .nbuckets = 7 },
					 { .keys = k2, .buckets = b2, .nbuckets = 7 } };
		struct out_map m = mk("@l", AGG_LHIST, 1, e, 2);

		m.lhist_min = -10;
		m.lhist_max = 40;
		m.lhist_step = 10;
		/* top 1 keeps the larger total (k1); div leaves lhist counts alone */
		check("lhist", &m, 1, 100,
		      "# TYPE hark_l histogram\n# HELP hark_l hark map @l: lhist(min -10, max 40, step 10)\n"
		      "hark_l_bucket{key=\"-1\",le=\"-11.0\"} 1\n"
		      "hark_l_bucket{key=\"-1\",le=\"-1.0\"} 3\n"
		      "hark_l_bucket{key=\"-1\",le=\"9.0\"} 3\n"
		      "hark_l_bucket{key=\"-1\",le=\"19.0\"} 6\n"
		      "hark_l_bucket{key=\"-1\",le=\"+Inf\"} 15\n# EOF\n");
	}
	{
		struct out_val k1[] = { { .kind = OV_STR, .s = "a" } }, k2[] = { { .kind = OV_STR, .s = "b" } };
		struct out_entry e[] = { { .keys = k1, .sum = -10, .count = 2 }, { .keys = k2, .sum = 9, .count = 3 } };
		struct out_map m = mk("@st", AGG_STATS, 1, e, 2);

		check("stats", &m, 0, 0,
		      "# TYPE hark_st summary\n# HELP hark_st hark map @st: stats()\n"
		      "hark_st_count{key=\"a\"} 2\n"
		      "hark_st_count{key=\"b\"} 3\nhark_st_sum{key=\"b\"} 9\n# EOF\n");
	}
	{
		struct out_entry e[] = { { .keys = NULL, .v = 1000 } };
		struct out_map m = mk("@max", AGG_MAX, 0, e, 1);
		struct out_map empty = mk("@e", AGG_AVG, 1, NULL, 0);

		check("div", &m, 0, 10, "# TYPE hark_max gauge\n# HELP hark_max hark map @max: max()\nhark_max 100\n# EOF\n");
		check("empty", &empty, 0, 0, "# TYPE hark_e gauge\n# HELP hark_e hark map @e: avg()\n# EOF\n");
	}
	return failures ? 1 : 0;
}

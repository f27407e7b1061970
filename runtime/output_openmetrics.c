/* output_openmetrics: maps in the OpenMetrics 1.0 text format
 * (`-f openmetrics`, and what `--listen` serves at /metrics).
 *
 * One metric family per map, named "hark_" + the map's name without its
 * '@' ("@c" -> hark_c, "@" -> hark), with a TYPE and a HELP line:
 *
 *   count, sum       counter    hark_c_total{key="a"} 3
 *   min, max, avg,   gauge      hark_m{key="a"} 7
 *   int values
 *   string values    gauge      hark_s{key="a",value="text"} 1
 *   stats            summary    hark_st_count{...} 2 / hark_st_sum{...} 30
 *   hist, lhist      histogram  hark_h_bucket{key="a",le="3.0"} 5 ... le="+Inf"
 *
 * Keys are labels: `key` for one key, key0, key1, ... for a tuple; a stack
 * is one label value, its frames innermost first, joined by ';'. Label
 * values are escaped (\\ \" \n) and bytes that are not UTF-8 become U+FFFD.
 *
 * Histograms: hark's buckets hold integers, so each bucket's `le` is its
 * inclusive integer upper bound (hist: -1, 0, 1, 3, 7, ... 2^k-1; lhist:
 * min-1, min+step-1, ..., max-1), written as Go's %g would (the spec's
 * canonical numbers), then +Inf. Every key of a map gets the same buckets:
 * from the lowest up to the highest non-empty bucket of the map, so the set
 * only grows while the counts do. hark keeps no exact sum of a histogram,
 * and the spec allows _count only together with _sum, so neither is
 * written: the +Inf bucket is the count.
 *
 * A stats map's _sum is left out for a key whose sum is negative (the spec
 * makes it a counter); its average is _sum / _count.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output_impl.h"

/* [a-zA-Z_:][a-zA-Z0-9_:]*, "hark" + "_" + the map name */
static void family_name(struct sbuf *sb, const char *map)
{
	sb_puts(sb, "hark");
	if (*map == '@')
		map++;
	if (!*map)
		return;
	sb_putc(sb, '_');
	for (; *map; map++) {
		char c = *map;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == ':';
		sb_putc(sb, ok ? c : '_');
	}
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, out of range, surrogate */
	return len;
}

/* A label value or HELP text: \\ \" \n escaped, invalid UTF-8 -> U+FFFD */
static void om_escape(struct sbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		size_t len = utf8_len(p, n);

		if (!len) {
			sb_puts(sb, "\xef\xbf\xbd");
			len = 1;
		} else if (*p == '\\') {
			sb_puts(sb, "\\\\");
		} else if (*p == '"') {
			sb_puts(sb, "\\\"");
		} else if (*p == '\n') {
			sb_puts(sb, "\\n");
		} else {
			sb_putn(sb, (const char *)p, len);
		}
		p += len;
		n -= len;
	}
}

static void label_value(struct sbuf *sb, const struct out_val *v)
{
	struct sbuf raw = { 0 };

	if (v->kind == OV_STACK) {
		for (int i = 0; i < v->nframes; i++) {
			const char *f = v->frames[i] ? v->frames[i] : "";

			while (*f == ' ' || *f == '\t') /* ustack(perf) frames carry their indent */
				f++;
			if (i)
				sb_putc(&raw, ';');
			sb_putn(&raw, f, strcspn(f, "\n"));
		}
	} else {
		out_val_str(&raw, v, 0);
	}
	om_escape(sb, sb_str(&raw));
	sb_free(&raw);
}

/* {key="a"} / {key0="a",key1="b",le="1.0"}; nothing without labels */
static void labels(struct sbuf *sb, const struct out_map *m, const struct out_entry *e,
		   const char *extra_name, const char *extra_value)
{
	if (!m->nkeys && !extra_name)
		return;
	sb_putc(sb, '{');
	for (int k = 0; k < m->nkeys; k++) {
		if (k)
			sb_putc(sb, ',');
		if (m->nkeys == 1)
			sb_puts(sb, "key=\"");
		else
			sb_printf(sb, "key%d=\"", k);
		label_value(sb, &e->keys[k]);
		sb_putc(sb, '"');
	}
	if (extra_name) {
		if (m->nkeys)
			sb_putc(sb, ',');
		sb_printf(sb, "%s=\"", extra_name);
		om_escape(sb, extra_value);
		sb_putc(sb, '"');
	}
	sb_putc(sb, '}');
}

/* An integer as a canonical "le" value: Go's shortest %g plus ".0" when it
 * has neither point nor exponent ("3.0", "1e+06", "1.048575e+06"). */
static void le_str(char *buf, size_t size, int64_t v)
{
	double d = (double)v;

	if (v > -1000000 && v < 1000000) {
		snprintf(buf, size, "%" PRId64 ".0", v);
		return;
	}
	for (int prec = 0; prec < 17; prec++) {
		snprintf(buf, size, "%.*e", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static const char *family_type(const struct out_map *m)
{
	switch (m->agg) {
	case AGG_COUNT:
	case AGG_SUM:
		return "counter";
	case AGG_STATS:
		return "summary";
	case AGG_HIST:
	case AGG_LHIST:
		return "histogram";
	default:
		return "gauge";
	}
}

static void help_text(struct sbuf *sb, const struct out_map *m)
{
	static const char *const fn[] = {
		[AGG_COUNT] = "count()", [AGG_SUM] = "sum()", [AGG_AVG] = "avg()",
		[AGG_MIN] = "min()", [AGG_MAX] = "max()", [AGG_STATS] = "stats()", [AGG_HIST] = "hist()",
	};

	sb_puts(sb, "hark map ");
	om_escape(sb, m->name);
	if (m->agg == AGG_LHIST)
		sb_printf(sb, ": lhist(min %" PRId64 ", max %" PRId64 ", step %" PRId64 ")",
			  m->lhist_min, m->lhist_max, m->lhist_step);
	else if (m->agg != AGG_NONE && (size_t)m->agg < sizeof(fn) / sizeof(fn[0]) && fn[m->agg])
		sb_printf(sb, ": %s", fn[m->agg]);
	else if (m->value_ty.kind == TY_STR)
		sb_puts(sb, ": string values, in the value label");
}

/* Inclusive integer upper bound of bucket i (see plan.h for the buckets). */
static int64_t bucket_le(const struct out_map *m, int i)
{
	if (m->agg == AGG_HIST)
		return i == 0 ? -1 : i == 1 ? 0 : (int64_t)((UINT64_C(1) << (i - 1)) - 1);
	return m->lhist_min + (int64_t)i * m->lhist_step - 1;
}

/* Buckets 0..last get an "le" sample; the rest are only in +Inf. */
static int last_bucket(const struct out_sorted *s)
{
	const struct out_map *m = s->m;
	int last = -1, limit;

	if (m->agg == AGG_HIST)
		limit = 64; /* [2^62, 2^63); nothing above for a signed value */
	else
		limit = m->lhist_step > 0 ? (int)((m->lhist_max - m->lhist_min) / m->lhist_step) : 0;
	for (size_t i = 0; i < s->n; i++)
		for (int b = 0; b < s->e[i]->nbuckets && b <= limit; b++)
			if (s->e[i]->buckets[b] && b > last)
				last = b;
	return last;
}

static void histogram(struct sbuf *sb, const char *name, const struct out_sorted *s,
		      const struct out_entry *e, int last)
{
	/* print(@m, top, div) divides hist counts, not lhist ones, as in text */
	uint64_t div = s->m->agg == AGG_HIST ? (uint64_t)s->div : 1, cum = 0;
	char le[40];

	for (int b = 0; b <= last; b++) {
		cum += out_bucket(e, b) / div;
		le_str(le, sizeof(le), bucket_le(s->m, b));
		sb_printf(sb, "%s_bucket", name);
		labels(sb, s->m, e, "le", le);
		sb_printf(sb, " %" PRIu64 "\n", cum);
	}
	for (int b = last + 1; b < e->nbuckets; b++)
		cum += out_bucket(e, b) / div;
	sb_printf(sb, "%s_bucket", name);
	labels(sb, s->m, e, "le", "+Inf");
	sb_printf(sb, " %" PRIu64 "\n", cum);
}

void out_openmetrics_map(struct out *o, const struct out_sorted *s)
{
	const struct out_map *m = s->m;
	struct sbuf sb = { 0 }, nb = { 0 };
	const char *name;
	int last = -1;

	family_name(&nb, m->name);
	name = sb_str(&nb);
	sb_printf(&sb, "# TYPE %s %s\n# HELP %s ", name, family_type(m), name);
	help_text(&sb, m);
	sb_putc(&sb, '\n');
	if (m->agg == AGG_HIST || m->agg == AGG_LHIST)
		last = last_bucket(s);
	for (size_t i = 0; i < s->n; i++) {
		const struct out_entry *e = s->e[i];
		out_prefetch(s, i);

		switch (m->agg) {
		case AGG_HIST:
		case AGG_LHIST:
			histogram(&sb, name, s, e, last);
			break;
		case AGG_STATS:
			sb_printf(&sb, "%s_count", name);
			labels(&sb, m, e, NULL, NULL);
			sb_printf(&sb, " %" PRIu64 "\n", e->count);
			if (e->sum >= 0) {
				sb_printf(&sb, "%s_sum", name);
				labels(&sb, m, e, NULL, NULL);
				sb_printf(&sb, " %" PRId64 "\n", e->sum);
			}
			break;
		case AGG_COUNT:
		case AGG_SUM:
			sb_printf(&sb, "%s_total", name);
			labels(&sb, m, e, NULL, NULL);
			sb_putc(&sb, ' ');
			out_scalar_str(&sb, m, e, s->div);
			sb_putc(&sb, '\n');
			break;
		default:
			sb_puts(&sb, name);
			if (m->agg == AGG_NONE && m->value_ty.kind == TY_STR) {
				labels(&sb, m, e, "value", e->s ? e->s : "");
				sb_puts(&sb, " 1\n");
				break;
			}
			labels(&sb, m, e, NULL, NULL);
			sb_putc(&sb, ' ');
			out_scalar_str(&sb, m, e, s->div);
			sb_putc(&sb, '\n');
			break;
		}
	}
	fwrite(sb_str(&sb), 1, sb.len, o->f);
	sb_free(&sb);
	sb_free(&nb);
}

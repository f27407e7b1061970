/* output_json: bpftrace's newline-delimited JSON for maps.
 *
 *   {"type": "map", "data": {"@c": {"a": 1, "b": 2}}}
 *   {"type": "hist", "data": {"@h": [{"min": 4, "max": 7, "count": 1}]}}
 *   {"type": "stats", "data": {"@st": {"count": 2, "average": 15, "total": 30}}}
 *
 * avg maps are "stats" too; a map without keys puts its value right after
 * its name; tuple keys are joined with "," into one string. An empty map
 * prints nothing.
 */
#include <inttypes.h>
#include <string.h>

#include "output_impl.h"

/* JsonOutput::json_escape, including its treatment of bytes >= 0x80: they
 * go through a signed char, so "é" becomes "\uffffffc3\uffffffa9". */
void out_json_escape(struct sbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		signed char c = (signed char)s[i];
		switch (c) {
		case '"': sb_puts(sb, "\\\""); break;
		case '\\': sb_puts(sb, "\\\\"); break;
		case '\n': sb_puts(sb, "\\n"); break;
		case '\r': sb_puts(sb, "\\r"); break;
		case '\t': sb_puts(sb, "\\t"); break;
		default:
			if (c <= 0x1f)
				sb_printf(sb, "\\u%04x", (unsigned)(int)c);
			else
				sb_putc(sb, (char)c);
		}
	}
}

static void json_str(struct sbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	out_json_escape(sb, s, strlen(s));
	sb_putc(sb, '"');
}

static void hist_json(struct sbuf *sb, const struct out_map *m, const struct out_entry *e,
		      int64_t div)
{
	struct out_hist_range r;
	int n;

	out_hist_range(m, e, &r);
	n = r.nbuckets_lhist;
	sb_putc(sb, '[');
	for (int i = r.first; i <= r.last; i++) {
		uint64_t v = out_bucket(e, i);
		if (i > r.first)
			sb_puts(sb, ", ");
		sb_putc(sb, '{');
		if (m->agg == AGG_HIST) {
			v /= (uint64_t)div;
			if (i == 0) {
				sb_puts(sb, "\"max\": -1, ");
			} else if (i == 1) {
				sb_puts(sb, "\"min\": 0, \"max\": 0, ");
			} else if (i == 2) {
				sb_puts(sb, "\"min\": 1, \"max\": 1, ");
			} else if (i == 33) {
				/* bpftrace 0.17 computes the bounds in int: 1 << 31
				 * overflows and 1 << 32 is 1 on x86 */
				sb_puts(sb, "\"min\": -2147483648, \"max\": 0, ");
			} else if (i <= 64) {
				sb_printf(sb, "\"min\": %" PRIu64 ", \"max\": %" PRIu64 ", ",
					  UINT64_C(1) << (i - 2), (UINT64_C(1) << (i - 1)) - 1);
			} else {
				sb_puts(sb, "\"min\": 0, \"max\": 0, "); /* no such bucket */
			}
		} else {
			if (i == 0)
				sb_printf(sb, "\"max\": %" PRId64 ", ", m->lhist_min - 1);
			else if (i == n + 1)
				sb_printf(sb, "\"min\": %" PRId64 ", ", m->lhist_max);
			else
				sb_printf(sb, "\"min\": %" PRId64 ", \"max\": %" PRId64 ", ",
					  (i - 1) * m->lhist_step + m->lhist_min,
					  i * m->lhist_step + m->lhist_min - 1);
		}
		sb_printf(sb, "\"count\": %" PRIu64 "}", v);
	}
	sb_putc(sb, ']');
}

void out_json_map(struct out *o, const struct out_sorted *s)
{
	const struct out_map *m = s->m;
	const char *type = "map";
	struct sbuf sb = { 0 };

	if (!s->n)
		return;
	if (m->agg == AGG_HIST || m->agg == AGG_LHIST)
		type = "hist";
	else if (m->agg == AGG_AVG || m->agg == AGG_STATS)
		type = "stats";

	sb_printf(&sb, "{\"type\": \"%s\", \"data\": {", type);
	json_str(&sb, m->name);
	sb_puts(&sb, ": ");
	if (m->nkeys)
		sb_putc(&sb, '{');
	for (size_t i = 0; i < s->n; i++) {
		const struct out_entry *e = s->e[i];
		out_prefetch(s, i);
		if (i)
			sb_puts(&sb, ", ");
		if (m->nkeys) {
			struct sbuf key = { 0 };
			out_keys_str(&key, m, e, ",");
			json_str(&sb, sb_str(&key));
			sb_puts(&sb, ": ");
			sb_free(&key);
		}
		switch (m->agg) {
		case AGG_HIST:
		case AGG_LHIST:
			hist_json(&sb, m, e, s->div);
			break;
		case AGG_STATS:
			sb_printf(&sb, "{\"count\": %" PRId64 ", \"average\": %" PRId64
				  ", \"total\": %" PRId64 "}",
				  (int64_t)e->count, out_avg(e), e->sum);
			break;
		default:
			if (m->agg == AGG_NONE && m->value_ty.kind == TY_STR) {
				json_str(&sb, e->s ? e->s : "");
			} else {
				out_scalar_str(&sb, m, e, s->div);
			}
			break;
		}
	}
	if (m->nkeys)
		sb_putc(&sb, '}');
	sb_puts(&sb, "}}\n");
	fwrite(sb_str(&sb), 1, sb.len, o->f);
	sb_free(&sb);
}

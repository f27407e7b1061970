/* output_text: bpftrace's text layout of maps.
 *
 * Entries are joined by "\n" and the map ends with "\n" (so an empty map
 * prints an empty line); avg and stats maps end with one more "\n". A
 * histogram entry is "@h[k]:\n" (bpftrace 0.17 has "@h[k]: \n"; this is our
 * one deliberate difference) and its rows, so a blank line follows each.
 */
#include <inttypes.h>
#include <string.h>

#include "output_impl.h"

/* "1", "512", "1K", "2M", ... for 2^power (TextOutput::hist_index_label). */
static void hist_label(struct sbuf *sb, int power)
{
	static const char suffix[] = { 0, 'K', 'M', 'G', 'T' };
	int s = power >= 40 ? 4 : power / 10;
	power -= s * 10;
	sb_printf(sb, "%" PRIu64, UINT64_C(1) << power);
	if (s)
		sb_putc(sb, suffix[s]);
}

/* lhist bounds: multiples of 1M and 1K get a suffix (lhist_index_label). */
static void lhist_label(struct sbuf *sb, int64_t n)
{
	if (n != 0 && n % 1048576 == 0)
		sb_printf(sb, "%" PRId64 "M", n / 1048576);
	else if (n != 0 && n % 1024 == 0)
		sb_printf(sb, "%" PRId64 "K", n / 1024);
	else
		sb_printf(sb, "%" PRId64, n);
}

static void hist_header(struct sbuf *sb, const struct out_map *m, int i, int n)
{
	if (m->agg == AGG_HIST) {
		if (i == 0) {
			sb_puts(sb, "(..., 0)");
		} else if (i == 1) {
			sb_puts(sb, "[0]");
		} else if (i == 2) {
			sb_puts(sb, "[1]");
		} else {
			sb_putc(sb, '[');
			hist_label(sb, i - 2);
			sb_puts(sb, ", ");
			hist_label(sb, i - 1);
			sb_putc(sb, ')');
		}
		return;
	}
	if (i == 0) {
		sb_puts(sb, "(..., ");
		lhist_label(sb, m->lhist_min);
		sb_putc(sb, ')');
	} else if (i == n + 1) {
		sb_putc(sb, '[');
		lhist_label(sb, m->lhist_max);
		sb_puts(sb, ", ...)");
	} else {
		sb_putc(sb, '[');
		lhist_label(sb, (i - 1) * m->lhist_step + m->lhist_min);
		sb_puts(sb, ", ");
		lhist_label(sb, i * m->lhist_step + m->lhist_min);
		sb_putc(sb, ')');
	}
}

static void hist_rows(struct sbuf *sb, const struct out_map *m, const struct out_entry *e,
		      int64_t div)
{
	enum { MAX_WIDTH = 52 };
	struct out_hist_range r;
	char bar[MAX_WIDTH + 1];

	out_hist_range(m, e, &r);
	for (int i = r.first; i <= r.last; i++) {
		struct sbuf header = { 0 };
		uint64_t v = out_bucket(e, i);
		/* float, as bpftrace computes it */
		int width = (int)((float)v / (float)r.max_value * MAX_WIDTH);
		if (width > MAX_WIDTH)
			width = MAX_WIDTH;
		memset(bar, '@', (size_t)width);
		bar[width] = '\0';
		hist_header(&header, m, i, r.nbuckets_lhist);
		if (m->agg == AGG_HIST)
			v /= (uint64_t)div; /* the bar stays undivided */
		sb_printf(sb, "%-16s%8" PRIu64 " |%-52s|\n", sb_str(&header), v, bar);
		sb_free(&header);
	}
}

void out_text_map(struct out *o, const struct out_sorted *s)
{
	const struct out_map *m = s->m;
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < s->n; i++) {
		const struct out_entry *e = s->e[i];
		out_prefetch(s, i);
		if (i)
			sb_putc(&sb, '\n');
		sb_puts(&sb, m->name);
		if (m->nkeys) {
			sb_putc(&sb, '[');
			out_keys_str(&sb, m, e, ", ");
			sb_putc(&sb, ']');
		}
		switch (m->agg) {
		case AGG_HIST:
		case AGG_LHIST:
			sb_puts(&sb, ":\n");
			hist_rows(&sb, m, e, s->div);
			break;
		case AGG_STATS:
			sb_printf(&sb, ": count %" PRId64 ", average %" PRId64 ", total %" PRId64,
				  (int64_t)e->count, out_avg(e), e->sum);
			break;
		default:
			sb_puts(&sb, ": ");
			out_scalar_str(&sb, m, e, s->div);
			break;
		}
	}
	sb_putc(&sb, '\n');
	if (m->agg == AGG_AVG || m->agg == AGG_STATS)
		sb_putc(&sb, '\n');
	fwrite(sb_str(&sb), 1, sb.len, o->f);
	sb_free(&sb);
}

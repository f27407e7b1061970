/* output_folded: `-f folded`, stacks for flame graphs.
 *
 * Every map with a stack among its keys prints one line per entry: the
 * other keys as leading frames, then the stack's frames root first, joined
 * by ';', a space, and the value (the count of a histogram or stats map).
 * Frame offsets are dropped so that one function is one frame. That is the
 * input flamegraph.pl, inferno and speedscope read. Maps without a stack
 * print as text.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "output_impl.h"

static bool has_stack(const struct out_map *m)
{
	for (size_t i = 0; i < m->nentries; i++)
		for (int k = 0; k < m->nkeys; k++)
			if (m->entries[i].keys[k].kind == OV_STACK)
				return true;
	return false;
}

/* "name+123" -> "name"; hex frames stay; ';' would split a frame */
static void put_frame(struct sbuf *sb, const char *f)
{
	size_t len = strlen(f), end = len;

	while (end > 0 && isdigit((unsigned char)f[end - 1]))
		end--;
	if (end > 0 && end < len && f[end - 1] == '+')
		len = end - 1;
	for (size_t i = 0; i < len; i++)
		sb_putc(sb, f[i] == ';' ? ':' : f[i]);
}

static uint64_t folded_value(const struct out_map *m, const struct out_entry *e, int64_t div)
{
	uint64_t total = 0;

	switch (m->agg) {
	case AGG_HIST:
	case AGG_LHIST:
		for (int i = 0; i < e->nbuckets; i++)
			total += e->buckets[i];
		return total;
	case AGG_STATS:
	case AGG_AVG:
		return m->agg == AGG_STATS ? e->count : (uint64_t)(out_avg(e) / div);
	default:
		return (uint64_t)(e->v / div);
	}
}

struct folded {
	char *frames;
	uint64_t value;
};

static int cmp_folded(const void *a, const void *b)
{
	return strcmp(((const struct folded *)a)->frames, ((const struct folded *)b)->frames);
}

/* Lines that fold alike (same functions, other offsets) are one line. */
bool out_folded_map(struct out *o, const struct out_sorted *s)
{
	struct folded *lines;

	if (!has_stack(s->m))
		return false;
	lines = calloc(s->n + 1, sizeof(*lines));
	for (size_t i = 0; i < s->n; i++) {
		const struct out_entry *e = s->e[i];
		struct sbuf sb = { 0 };
		bool first = true;

		for (int k = 0; k < s->m->nkeys; k++) {
			const struct out_val *v = &e->keys[k];

			if (v->kind != OV_STACK) {
				struct sbuf one = { 0 };

				out_val_str(&one, v, 0);
				if (!first)
					sb_putc(&sb, ';');
				put_frame(&sb, sb_str(&one));
				sb_free(&one);
				first = false;
				continue;
			}
			for (int f = v->nframes - 1; f >= 0; f--) {
				if (!first)
					sb_putc(&sb, ';');
				put_frame(&sb, v->frames[f] ? v->frames[f] : "");
				first = false;
			}
		}
		lines[i].frames = strdup(sb_str(&sb));
		lines[i].value = folded_value(s->m, e, s->div);
		sb_free(&sb);
	}
	qsort(lines, s->n, sizeof(*lines), cmp_folded);
	for (size_t i = 0; i < s->n; i++) {
		if (i + 1 < s->n && !strcmp(lines[i].frames, lines[i + 1].frames)) {
			lines[i + 1].value += lines[i].value;
		} else {
			fprintf(o->f, "%s %llu\n", lines[i].frames, (unsigned long long)lines[i].value);
		}
		free(lines[i].frames);
	}
	free(lines);
	return true;
}

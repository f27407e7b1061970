/* output_impl: what output.c, output_text.c and output_json.c share.
 * Private to the output module. */
#ifndef HARK_OUTPUT_IMPL_H
#define HARK_OUTPUT_IMPL_H

#include <stddef.h>

#include "output.h"

struct out {
	FILE *f;
	FILE *aside; /* printf, print(value), messages: f, but stderr in openmetrics mode */
	enum out_format format;
};

/* A growable string. On allocation failure `failed` is set and the text stops growing. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool failed;
};

void sb_putn(struct sbuf *sb, const char *s, size_t n);
void sb_puts(struct sbuf *sb, const char *s);
void sb_putc(struct sbuf *sb, char c);
void sb_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_put_u64(struct sbuf *sb, uint64_t v);
void sb_put_i64(struct sbuf *sb, int64_t v);
void sb_free(struct sbuf *sb);
static inline const char *sb_str(const struct sbuf *sb) { return sb->s ? sb->s : ""; }

/* A map ready to print: entries sorted as bpftrace prints them, `top`
 * already applied, `div` normalised to >= 1. */
struct out_sorted {
	const struct out_map *m;
	const struct out_entry **e;
	size_t n;
	int64_t div;
};

/* Call at entry i of a loop over s->e: sorted entries are scattered over
 * memory (a big map is read in hash order), so fetch the entries and then
 * their keys ahead: a million-key map printed 0.43 s -> 0.14 s. */
static inline void out_prefetch(const struct out_sorted *s, size_t i)
{
	enum { AHEAD = 16 };

	if (i + 2 * AHEAD < s->n)
		__builtin_prefetch(s->e[i + 2 * AHEAD]);
	if (i + AHEAD < s->n)
		__builtin_prefetch(s->e[i + AHEAD]->keys);
}

/* One key or value as bpftrace turns it into a string. Stacks start with a
 * newline and have one frame per line, indented by `indent` spaces. */
void out_val_str(struct sbuf *sb, const struct out_val *v, int indent);
/* The keys of e joined by sep (", " in text, "," in json). */
void out_keys_str(struct sbuf *sb, const struct out_map *m, const struct out_entry *e,
		  const char *sep);
/* A COUNT SUM MIN MAX AVG or NONE value (not STATS/HIST/LHIST). */
void out_scalar_str(struct sbuf *sb, const struct out_map *m, const struct out_entry *e,
		    int64_t div);
int64_t out_avg(const struct out_entry *e);

/* Histogram layout shared by both backends. */
struct out_hist_range {
	int first, last;    /* bucket indexes to print; first > last: nothing */
	uint64_t max_value; /* for the bar length */
	int nbuckets_lhist; /* lhist: n = (max - min) / step */
};
void out_hist_range(const struct out_map *m, const struct out_entry *e, struct out_hist_range *r);
static inline uint64_t out_bucket(const struct out_entry *e, int i)
{
	return i >= 0 && i < e->nbuckets ? e->buckets[i] : 0;
}

void out_text_map(struct out *o, const struct out_sorted *s);
void out_json_map(struct out *o, const struct out_sorted *s);
void out_openmetrics_map(struct out *o, const struct out_sorted *s);
/* false when the map has no stack key (then it prints as text) */
bool out_folded_map(struct out *o, const struct out_sorted *s);
void out_json_escape(struct sbuf *sb, const char *s, size_t n);

#endif

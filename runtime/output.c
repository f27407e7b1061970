/* output: shared part of the text and json backends.
 *
 * Everything here reproduces bpftrace 0.17's printing, quirks included,
 * because users diff our output against bpftrace's:
 *
 * - Map order (BPFtrace::print_map*): count/sum/min/max/int maps are sorted
 *   ascending by value (bpftrace leaves ties in hash order; we break them by
 *   key, as bpftrace's sort_by_key would: ints as u64, strings by strcmp).
 *   String-valued maps are sorted by key. hist/lhist are sorted by the total
 *   of their buckets and avg/stats by their average; bpftrace's ties there
 *   come out in the order of the raw key bytes (a std::map), so ints compare
 *   as little-endian bytes: 256 sorts before 1.
 * - print(@m, top, div): top keeps the last `top` entries, except for stats
 *   maps (ignored); div divides count/sum/min/max/int/avg values and hist
 *   counts (but not the bar length), never lhist or stats.
 * - printf: bpftrace formats each conversion with snprintf together with the
 *   text before it, and copies the text after the last conversion as it is.
 *   So "%%" after the last conversion prints "%%", a %c of 0 prints nothing,
 *   and a conversion without length modifier takes the low 32 bits.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output_impl.h"

/* ---- strings ---- */

static bool sb_grow(struct sbuf *sb, size_t extra)
{
	if (sb->failed)
		return false;
	if (sb->len + extra + 1 <= sb->cap)
		return true;
	size_t ncap = sb->cap ? sb->cap : 64;
	while (ncap < sb->len + extra + 1)
		ncap *= 2;
	char *n = realloc(sb->s, ncap);
	if (!n) {
		sb->failed = true;
		return false;
	}
	sb->s = n;
	sb->cap = ncap;
	return true;
}

void sb_putn(struct sbuf *sb, const char *s, size_t n)
{
	if (!sb_grow(sb, n))
		return;
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void sb_puts(struct sbuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}

void sb_putc(struct sbuf *sb, char c)
{
	sb_putn(sb, &c, 1);
}

static void sb_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !sb_grow(sb, (size_t)n))
		return;
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

/* Integers without vsnprintf's two passes: a million-key map prints
 * two million of them. */
void sb_put_u64(struct sbuf *sb, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_putn(sb, p, (size_t)(buf + sizeof(buf) - p));
}

void sb_put_i64(struct sbuf *sb, int64_t v)
{
	if (v < 0) {
		sb_putc(sb, '-');
		sb_put_u64(sb, -(uint64_t)v);
	} else {
		sb_put_u64(sb, (uint64_t)v);
	}
}

void sb_free(struct sbuf *sb)
{
	free(sb->s);
	*sb = (struct sbuf){ 0 };
}

/* ---- lifecycle ---- */

struct out *out__new(FILE *f, enum out_format format)
{
	struct out *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->f = f;
	o->aside = format == OUT_OPENMETRICS ? stderr : f;
	o->format = format;
	return o;
}

void out__free(struct out *o)
{
	free(o);
}

void out_flush(struct out *o)
{
	fflush(o->f);
	if (o->aside != o->f)
		fflush(o->aside);
}

/* ---- values ---- */

void out_val_str(struct sbuf *sb, const struct out_val *v, int indent)
{
	switch (v->kind) {
	case OV_INT:
		sb_put_i64(sb, v->i);
		break;
	case OV_UINT:
		sb_put_u64(sb, (uint64_t)v->i);
		break;
	case OV_STR:
		sb_puts(sb, v->s ? v->s : "");
		break;
	case OV_STACK:
		sb_putc(sb, '\n');
		for (int i = 0; i < v->nframes; i++)
			sb_printf(sb, "%*s%s\n", v->flat ? 0 : indent, "", v->frames[i] ? v->frames[i] : "");
		break;
	}
}

void out_keys_str(struct sbuf *sb, const struct out_map *m, const struct out_entry *e,
		  const char *sep)
{
	for (int k = 0; k < m->nkeys; k++) {
		if (k)
			sb_puts(sb, sep);
		out_val_str(sb, &e->keys[k], 4);
	}
}

int64_t out_avg(const struct out_entry *e)
{
	return e->count ? e->sum / (int64_t)e->count : 0;
}

static bool value_unsigned(const struct out_map *m)
{
	return m->agg == AGG_COUNT ||
	       ((m->agg == AGG_SUM || m->agg == AGG_NONE) && m->value_ty.kind == TY_INT &&
		!m->value_ty.is_signed);
}

/* A NONE int value cut to its declared width, as bpftrace reads it. */
static int64_t none_int(const struct out_map *m, int64_t v)
{
	int size = m->value_ty.kind == TY_INT ? m->value_ty.size : 8;
	if (size >= 8 || size <= 0)
		return v;
	uint64_t mask = (UINT64_C(1) << (size * 8)) - 1;
	uint64_t u = (uint64_t)v & mask;
	if (m->value_ty.is_signed && (u >> (size * 8 - 1)))
		u |= ~mask;
	return (int64_t)u;
}

void out_scalar_str(struct sbuf *sb, const struct out_map *m, const struct out_entry *e,
		    int64_t div)
{
	int64_t v = e->v;
	switch (m->agg) {
	case AGG_NONE:
		if (m->value_ty.kind == TY_STR) {
			sb_puts(sb, e->s ? e->s : "");
			return;
		}
		v = none_int(m, v);
		break;
	case AGG_AVG:
		v = out_avg(e);
		break;
	default:
		break;
	}
	if (value_unsigned(m))
		sb_put_u64(sb, (uint64_t)v / (uint64_t)div);
	else
		sb_put_i64(sb, v / div);
}

/* ---- sorting ---- */

enum sort_mode {
	SORT_SIGNED,   /* by signed value, then key */
	SORT_UNSIGNED, /* by unsigned value, then key */
	SORT_KEY,      /* by key */
	SORT_RAW_U,    /* by unsigned value, then raw key bytes (hist/lhist total) */
	SORT_RAW_S,    /* by signed value, then raw key bytes (avg/stats average) */
};

/* 24 bytes, so that sorting a million entries moves little memory; what
 * is the same for every item (the map, the mode) is in the sort context. */
struct sort_item {
	int64_t v;
	uint64_t k0;  /* the first key when it is an integer: ties on the value */
	uint32_t idx; /* index into the map's entries */
	bool k0_int;  /* then compare without chasing the entry */
};

struct sort_ctx {
	const struct out_map *m;
	enum sort_mode mode;
	bool raw;     /* compare ints as the little-endian bytes of the BPF key */
};

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_stack(const struct out_val *a, const struct out_val *b)
{
	for (int i = 0; i < a->nframes && i < b->nframes; i++) {
		int c = strcmp(a->frames[i] ? a->frames[i] : "", b->frames[i] ? b->frames[i] : "");
		if (c)
			return c;
	}
	return (a->nframes > b->nframes) - (a->nframes < b->nframes);
}

/* raw: compare ints as the little-endian bytes of the BPF key. */
static int cmp_key(const struct out_entry *a, const struct out_entry *b, int nkeys, bool raw)
{
	for (int k = 0; k < nkeys; k++) {
		const struct out_val *x = &a->keys[k], *y = &b->keys[k];
		int c = 0;
		if (x->kind == OV_STR && y->kind == OV_STR)
			c = strcmp(x->s ? x->s : "", y->s ? y->s : "");
		else if (x->kind == OV_STACK && y->kind == OV_STACK)
			c = cmp_stack(x, y);
		else if (raw)
			c = cmp_u64(__builtin_bswap64((uint64_t)x->i), __builtin_bswap64((uint64_t)y->i));
		else
			c = cmp_u64((uint64_t)x->i, (uint64_t)y->i);
		if (c)
			return c;
	}
	return 0;
}

static int cmp_items(const void *pa, const void *pb, void *pctx)
{
	const struct sort_item *a = pa, *b = pb;
	const struct sort_ctx *ctx = pctx;
	int c = 0;
	switch (ctx->mode) {
	case SORT_SIGNED:
	case SORT_RAW_S:
		c = (a->v > b->v) - (a->v < b->v);
		break;
	case SORT_UNSIGNED:
	case SORT_RAW_U:
		c = cmp_u64((uint64_t)a->v, (uint64_t)b->v);
		break;
	case SORT_KEY:
		break;
	}
	if (!c && a->k0_int && b->k0_int)
		c = cmp_u64(a->k0, b->k0);
	if (!c)
		c = cmp_key(&ctx->m->entries[a->idx], &ctx->m->entries[b->idx], ctx->m->nkeys, ctx->raw);
	if (!c)
		c = cmp_u64(a->idx, b->idx);
	return c;
}

static enum sort_mode sort_mode_of(const struct out_map *m)
{
	switch (m->agg) {
	case AGG_HIST:
	case AGG_LHIST:
		return SORT_RAW_U;
	case AGG_AVG:
	case AGG_STATS:
		return SORT_RAW_S;
	case AGG_NONE:
		if (m->value_ty.kind == TY_STR)
			return SORT_KEY;
		break;
	default:
		break;
	}
	return value_unsigned(m) ? SORT_UNSIGNED : SORT_SIGNED;
}

static int64_t sort_value(const struct out_map *m, const struct out_entry *e)
{
	switch (m->agg) {
	case AGG_HIST:
	case AGG_LHIST: {
		uint64_t t = 0;
		for (int i = 0; i < e->nbuckets; i++)
			t += e->buckets[i];
		return (int64_t)t;
	}
	case AGG_AVG:
	case AGG_STATS:
		return out_avg(e);
	case AGG_NONE:
		return none_int(m, e->v);
	default:
		return e->v;
	}
}

/* The common big map, one integer key: (value, key) decides the order
 * alone, so a stable LSD radix sort over those 16 bytes gives what
 * cmp_items would (ties keep entry order, as its idx rule does), without
 * 20 million comparator calls for a million keys. Byte positions where
 * every item agrees (small counts, keys under 2^24) cost one counting pass
 * and no move. Returns false when memory is short: qsort then. */
static bool radix_sort_items(struct sort_item *items, size_t n, bool value_signed)
{
	struct sort_item *tmp = malloc(n * sizeof(*tmp)), *src = items, *dst = tmp;

	if (!tmp)
		return false;
	for (int byte = 0; byte < 16; byte++) {
		size_t count[256] = { 0 }, pos = 0;

#define DIGIT(it) ((uint8_t)(byte < 8 ? (it)->k0 >> (8 * byte) \
				       : ((uint64_t)(it)->v ^ (value_signed ? 1ULL << 63 : 0)) >> (8 * (byte - 8))))
		for (size_t i = 0; i < n; i++)
			count[DIGIT(&src[i])]++;
		if (count[DIGIT(&src[0])] == n)
			continue;
		for (int d = 0; d < 256; d++) {
			size_t c = count[d];

			count[d] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[DIGIT(&src[i])]++] = src[i];
#undef DIGIT
		struct sort_item *t = src;

		src = dst;
		dst = t;
	}
	if (src != items)
		memcpy(items, src, n * sizeof(*items));
	free(tmp);
	return true;
}

void out_map(struct out *o, const struct out_map *m, int64_t top, int64_t div)
{
	struct sort_item *items = NULL;
	struct out_sorted s = { .m = m, .div = div > 1 ? div : 1 };

	if (m->nentries) {
		items = calloc(m->nentries, sizeof(*items));
		s.e = calloc(m->nentries, sizeof(*s.e));
		if (!items || !s.e)
			goto out;
	}
	struct sort_ctx ctx = { .m = m, .mode = sort_mode_of(m) };

	ctx.raw = ctx.mode == SORT_RAW_U || ctx.mode == SORT_RAW_S;
	for (size_t i = 0; i < m->nentries; i++) {
		const struct out_val *k0 = m->nkeys ? &m->entries[i].keys[0] : NULL;

		items[i] = (struct sort_item){ .idx = (uint32_t)i, .v = sort_value(m, &m->entries[i]) };
		if (k0 && (k0->kind == OV_INT || k0->kind == OV_UINT)) {
			items[i].k0_int = true;
			items[i].k0 = ctx.raw ? __builtin_bswap64((uint64_t)k0->i) : (uint64_t)k0->i;
		}
	}
	bool radix = m->nkeys == 1 && ctx.mode != SORT_KEY;

	for (size_t i = 0; radix && i < m->nentries; i++)
		radix = items[i].k0_int;
	if (m->nentries > 1 &&
	    !(radix && radix_sort_items(items, m->nentries, ctx.mode == SORT_SIGNED || ctx.mode == SORT_RAW_S)))
		qsort_r(items, m->nentries, sizeof(*items), cmp_items, &ctx);

	size_t skip = 0;
	if (top > 0 && m->agg != AGG_STATS && m->nentries > (uint64_t)top)
		skip = m->nentries - (size_t)top;
	for (size_t i = skip; i < m->nentries; i++)
		s.e[s.n++] = &m->entries[items[i].idx];

	if (o->format == OUT_JSON)
		out_json_map(o, &s);
	else if (o->format == OUT_OPENMETRICS)
		out_openmetrics_map(o, &s);
	else if (o->format != OUT_FOLDED || !out_folded_map(o, &s))
		out_text_map(o, &s);
out:
	free(items);
	free(s.e);
}

/* ---- histograms ---- */

void out_hist_range(const struct out_map *m, const struct out_entry *e, struct out_hist_range *r)
{
	int limit = e->nbuckets;
	r->first = -1;
	r->last = -2;
	r->max_value = 0;
	r->nbuckets_lhist = 0;
	if (m->agg == AGG_LHIST) {
		r->nbuckets_lhist = m->lhist_step > 0
			? (int)((m->lhist_max - m->lhist_min) / m->lhist_step) : 0;
		if (limit > r->nbuckets_lhist + 2)
			limit = r->nbuckets_lhist + 2;
	}
	for (int i = 0; i < e->nbuckets; i++)
		if (e->buckets[i] > r->max_value)
			r->max_value = e->buckets[i];
	for (int i = 0; i < limit; i++) {
		if (e->buckets[i] > 0) {
			if (r->first < 0)
				r->first = i;
			r->last = i;
		}
	}
}

/* ---- printf ---- */

#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* specs built from the format */

/* The C conversion for seg: its flags, width and precision as written, and
 * the length modifier bpftrace's snprintf saw (none: 32 bits). */
static void conv_spec(char *buf, size_t size, const struct fmt_seg *seg, const char *len)
{
	size_t n = 0;
	for (size_t i = 0; i + 1 < seg->len && n + 1 < size; i++)
		if (seg->text[i] != 'h' && seg->text[i] != 'l')
			buf[n++] = seg->text[i];
	for (; *len && n + 1 < size; len++)
		buf[n++] = *len;
	if (n + 1 < size)
		buf[n++] = seg->text[seg->len - 1];
	buf[n] = '\0';
}

static const char *length_of(const struct fmt_seg *seg)
{
	const char *h = strchr(seg->text, 'h'), *l = strchr(seg->text, 'l');
	if (l)
		return "ll";
	if (h)
		return h[1] == 'h' ? "hh" : "h";
	return "";
}

static void printf_conv(struct sbuf *sb, const struct fmt_seg *seg, const struct out_val *a)
{
	char spec[64];
	struct sbuf tmp = { 0 };
	int64_t v = a->kind == OV_INT || a->kind == OV_UINT ? a->i : 0;
	const char *len = length_of(seg);

	switch (seg->conv) {
	case FMT_STR: {
		struct sbuf str = { 0 };
		out_val_str(&str, a, 8);
		conv_spec(spec, sizeof(spec), seg, "");
		sb_printf(&tmp, spec, sb_str(&str));
		sb_free(&str);
		break;
	}
	case FMT_CHAR:
		conv_spec(spec, sizeof(spec), seg, "");
		sb_printf(&tmp, spec, (int)v);
		break;
	case FMT_PTR:
		conv_spec(spec, sizeof(spec), seg, "");
		sb_printf(&tmp, spec, (void *)(uintptr_t)v);
		break;
	case FMT_INT:
	case FMT_UINT:
	case FMT_HEX:
	case FMT_HEXU:
	case FMT_OCT:
		conv_spec(spec, sizeof(spec), seg, len);
		if (len[0] == 'l')
			sb_printf(&tmp, spec, (long long)v);
		else
			sb_printf(&tmp, spec, (int)(uint32_t)v);
		break;
	case FMT_LIT:
		break;
	}
	/* bpftrace keeps the snprintf result as a C string */
	if (tmp.s)
		sb_puts(sb, tmp.s);
	sb_free(&tmp);
}

void out_printf(struct out *o, const struct fmt *f, const struct out_val *args, int nargs)
{
	struct sbuf sb = { 0 };
	int last_conv = -1, arg = 0;

	for (int i = 0; i < f->nsegs; i++)
		if (f->segs[i].conv != FMT_LIT)
			last_conv = i;
	for (int i = 0; i < f->nsegs; i++) {
		const struct fmt_seg *seg = &f->segs[i];
		if (seg->conv != FMT_LIT) {
			static const struct out_val none = { .kind = OV_INT };
			printf_conv(&sb, seg, arg < nargs ? &args[arg] : &none);
			arg++;
		} else if (i < last_conv) {
			sb_putn(&sb, seg->text, seg->len);
		} else {
			/* copied verbatim by bpftrace: "%%" stays "%%" */
			for (size_t j = 0; j < seg->len; j++) {
				if (seg->text[j] == '%')
					sb_putc(&sb, '%');
				sb_putc(&sb, seg->text[j]);
			}
		}
	}

	if (o->format == OUT_JSON) {
		struct sbuf esc = { 0 };
		out_json_escape(&esc, sb_str(&sb), sb.len);
		fprintf(o->f, "{\"type\": \"printf\", \"data\": \"%s\"}\n", sb_str(&esc));
		sb_free(&esc);
	} else {
		fwrite(sb_str(&sb), 1, sb.len, o->aside);
	}
	sb_free(&sb);
}

/* ---- the rest ---- */

/* v as print() shows it; in JSON, strings and stacks quoted */
static void value_str(struct sbuf *sb, const struct out_val *v, bool json)
{
	struct sbuf s = { 0 };

	out_val_str(&s, v, 8);
	if (json && (v->kind == OV_STR || v->kind == OV_STACK)) {
		sb_putc(sb, '"');
		out_json_escape(sb, sb_str(&s), s.len);
		sb_putc(sb, '"');
	} else {
		sb_putn(sb, sb_str(&s), s.len);
	}
	sb_free(&s);
}

/* v[0..n) as print() shows it: one value, or print($kv)'s pair of the
 * nkeys key fields and the value, "(k, v)" or "((k1, k2), v)" (JSON:
 * arrays) */
void out_values(struct out *o, const struct out_val *v, int n, int nkeys)
{
	bool json = o->format == OUT_JSON;
	const char *sep = json ? "," : ", ", *open = json ? "[" : "(", *close = json ? "]" : ")";
	struct sbuf sb = { 0 };

	if (nkeys > 0) {
		sb_puts(&sb, open);
		if (nkeys > 1)
			sb_puts(&sb, open);
		for (int i = 0; i < n; i++) {
			if (i == nkeys && nkeys > 1)
				sb_puts(&sb, close); /* the keys' own tuple */
			if (i)
				sb_puts(&sb, sep);
			value_str(&sb, &v[i], json);
		}
		sb_puts(&sb, close);
	} else {
		value_str(&sb, &v[0], json);
	}
	if (json)
		fprintf(o->f, "{\"type\": \"value\", \"data\": %s}\n", sb_str(&sb));
	else
		fprintf(o->aside, "%s\n", sb_str(&sb));
	sb_free(&sb);
}

char *out_val_text(const struct out_val *v, int indent)
{
	struct sbuf sb = { 0 };
	char *s;

	out_val_str(&sb, v, indent);
	s = strdup(sb_str(&sb));
	sb_free(&sb);
	if (!s)
		abort();
	return s;
}

void out_value(struct out *o, const struct out_val *v)
{
	out_values(o, v, 1, 0);
}

void out_attached(struct out *o, int nprobes)
{
	if (o->format == OUT_JSON)
		fprintf(o->f, "{\"type\": \"attached_probes\", \"data\": {\"probes\": %d}}\n", nprobes);
	else
		fprintf(o->aside, "Attaching %d probe%s...\n", nprobes, nprobes == 1 ? "" : "s");
	/* scripts and benchmarks wait for this line: it must not sit in a pipe's buffer */
	fflush(o->f);
	if (o->aside != o->f)
		fflush(o->aside);
}

void out_lost_events(struct out *o, uint64_t lost)
{
	if (o->format == OUT_JSON)
		fprintf(o->f, "{\"type\": \"lost_events\", \"data\": {\"events\": %" PRIu64 "}}\n", lost);
	else
		fprintf(o->aside, "Lost %" PRIu64 " events\n", lost);
}

void out_exit_begin(struct out *o)
{
	if (o->format != OUT_OPENMETRICS)
		fputs("\n\n", o->f);
}

void out_maps_end(struct out *o)
{
	if (o->format == OUT_OPENMETRICS)
		fputs("# EOF\n", o->f);
}

void out_time(struct out *o, const char *text)
{
	if (o->format == OUT_JSON) {
		struct sbuf esc = { 0 };

		out_json_escape(&esc, text, strlen(text));
		fprintf(o->f, "{\"type\": \"time\", \"data\": \"%s\"}\n", sb_str(&esc));
		sb_free(&esc);
	} else {
		fputs(text, o->f);
	}
}

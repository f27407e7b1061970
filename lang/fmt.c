/* fmt: parse bpftrace-style printf formats into segments.
 *
 * A format is a run of literal text and conversions:
 *
 *   conversion = '%' flag* width? ('.' digits*)? length? conv
 *   flag       = '-' | '0'
 *   length     = 'hh' | 'h' | 'll' | 'l'
 *   conv       = d i u x X o s c p
 *
 * "%%" is literal text. Adjacent literal pieces are merged into one FMT_LIT
 * segment. The length modifier is kept in the segment's text (the runtime
 * truncates arguments as the C conversion would, like bpftrace).
 */
#include "fmt.h"

#include <stdlib.h>
#include <string.h>

struct fmt_builder {
	struct fmt *f;
	int cap;
};

static int push_seg(struct fmt_builder *b, struct fmt_seg seg)
{
	if (b->f->nsegs == b->cap) {
		int ncap = b->cap ? b->cap * 2 : 8;
		struct fmt_seg *n = realloc(b->f->segs, (size_t)ncap * sizeof(*n));
		if (!n)
			return -1;
		b->f->segs = n;
		b->cap = ncap;
	}
	b->f->segs[b->f->nsegs++] = seg;
	if (seg.conv != FMT_LIT)
		b->f->nconv++;
	return 0;
}

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static enum fmt_conv conv_of(char c)
{
	switch (c) {
	case 'd': case 'i': return FMT_INT;
	case 'u': return FMT_UINT;
	case 'x': return FMT_HEX;
	case 'X': return FMT_HEXU;
	case 'o': return FMT_OCT;
	case 's': return FMT_STR;
	case 'c': return FMT_CHAR;
	case 'p': return FMT_PTR;
	default: return FMT_LIT;
	}
}

/* Literal text from [start, end) with "%%" turned into "%". */
static int push_lit(struct fmt_builder *b, const char *s, size_t start, size_t end)
{
	if (start == end)
		return 0;
	char *t = malloc(end - start + 1);
	if (!t)
		return -1;
	size_t n = 0;
	for (size_t i = start; i < end; i++) {
		t[n++] = s[i];
		if (s[i] == '%')
			i++; /* the second '%' of "%%" */
	}
	t[n] = '\0';
	struct fmt_seg seg = { .conv = FMT_LIT, .text = t, .len = n,
			       .src_off = start, .width = -1, .prec = -1 };
	if (push_seg(b, seg)) {
		free(t);
		return -1;
	}
	return 0;
}

static int parse_num(const char *s, size_t *i)
{
	long v = 0;
	while (s[*i] >= '0' && s[*i] <= '9') {
		if (v < 100000000)
			v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	return (int)v;
}

struct fmt *fmt__new(const char *s, size_t *err_off, const char **err_msg)
{
	struct fmt_builder b = { .f = calloc(1, sizeof(struct fmt)) };
	if (!b.f) {
		*err_off = 0;
		*err_msg = "out of memory";
		return NULL;
	}

	size_t lit_start = 0, i = 0;
	while (s[i]) {
		if (s[i] != '%') {
			i++;
			continue;
		}
		if (s[i + 1] == '%') {
			i += 2;
			continue;
		}

		/* a conversion */
		size_t start = i++;
		struct fmt_seg seg = { .src_off = start, .width = -1, .prec = -1 };
		for (;; i++) {
			if (s[i] == '-')
				seg.minus = true;
			else if (s[i] == '0')
				seg.zero = true;
			else
				break;
		}
		if (s[i] >= '1' && s[i] <= '9')
			seg.width = parse_num(s, &i);
		if (s[i] == '.') {
			i++;
			seg.prec = parse_num(s, &i);
		}
		if (s[i] == 'h' || s[i] == 'l') {
			if (s[i + 1] == s[i])
				i++;
			i++;
		}
		if (!s[i]) {
			*err_off = start;
			*err_msg = i == start + 1 ? "lone '%' at the end of the format"
						  : "incomplete conversion at the end of the format";
			goto err_out;
		}
		seg.conv = conv_of(s[i]);
		if (seg.conv == FMT_LIT) {
			*err_off = start;
			*err_msg = "unknown conversion";
			goto err_out;
		}
		i++;

		if (push_lit(&b, s, lit_start, start))
			goto oom;
		seg.text = dup_range(s + start, i - start);
		if (!seg.text)
			goto oom;
		seg.len = i - start;
		if (push_seg(&b, seg)) {
			free(seg.text);
			goto oom;
		}
		lit_start = i;
	}
	if (push_lit(&b, s, lit_start, i))
		goto oom;
	return b.f;

oom:
	*err_off = i;
	*err_msg = "out of memory";
err_out:
	fmt__free(b.f);
	return NULL;
}

void fmt__free(struct fmt *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->nsegs; i++)
		free(f->segs[i].text);
	free(f->segs);
	free(f);
}

/* diag: source buffers and collected diagnostics (see diag.h).
 *
 * Diagnostics keep only a byte span; line and column are worked out when
 * the diagnostic is printed. The caret line copies the tabs of the source
 * line so that the '^' lands under the right character in any terminal, and
 * skips UTF-8 continuation bytes so that a multi-byte character takes one
 * column (COL in the header line still counts bytes, as documented).
 */
#include "diag.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct diag {
	enum diag_level level;
	struct span span;
	char *msg;
	char **hints;
	int nhints;
};

struct diags {
	const struct source *src;
	struct diag *v;
	int n, cap;
	int nerrors;
};

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p) {
		fputs("hark: out of memory\n", stderr);
		abort();
	}
	return p;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		fputs("hark: out of memory\n", stderr);
		abort();
	}
	return s;
}

struct source *source__new(const char *name, const char *text, size_t len)
{
	struct source *src = xrealloc(NULL, sizeof(*src));

	src->name = strdup(name ? name : "stdin");
	src->text = xrealloc(NULL, len + 1);
	memcpy(src->text, text, len);
	src->text[len] = '\0';
	src->len = len;
	if (!src->name)
		abort();
	/* line starts, so that line:col lookups are a binary search (codegen
	 * asks for one per statement) */
	src->nlines = 1;
	for (size_t i = 0; i < len; i++)
		src->nlines += text[i] == '\n';
	src->line_starts = xrealloc(NULL, src->nlines * sizeof(*src->line_starts));
	src->line_starts[0] = 0;
	for (size_t i = 0, n = 1; i < len; i++)
		if (text[i] == '\n')
			src->line_starts[n++] = (uint32_t)i + 1;
	return src;
}

void source__free(struct source *src)
{
	if (!src)
		return;
	free(src->name);
	free(src->text);
	free(src->line_starts);
	free(src);
}

struct diags *diags__new(const struct source *src)
{
	struct diags *d = xrealloc(NULL, sizeof(*d));

	memset(d, 0, sizeof(*d));
	d->src = src;
	return d;
}

void diags__free(struct diags *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->n; i++) {
		free(d->v[i].msg);
		for (int j = 0; j < d->v[i].nhints; j++)
			free(d->v[i].hints[j]);
		free(d->v[i].hints);
	}
	free(d->v);
	free(d);
}

static void add(struct diags *d, enum diag_level level, struct span sp, const char *fmt, va_list ap)
{
	struct diag *g;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 8;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	if (sp.end < sp.start)
		sp.end = sp.start;
	g = &d->v[d->n++];
	*g = (struct diag){ .level = level, .span = sp, .msg = xvasprintf(fmt, ap) };
	if (level == DIAG_ERROR)
		d->nerrors++;
}

void diag_error(struct diags *d, struct span sp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, DIAG_ERROR, sp, fmt, ap);
	va_end(ap);
}

void diag_warning(struct diags *d, struct span sp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, DIAG_WARNING, sp, fmt, ap);
	va_end(ap);
}

void diag_hint(struct diags *d, const char *fmt, ...)
{
	struct diag *g;
	va_list ap;

	if (!d->n)
		return;
	g = &d->v[d->n - 1];
	g->hints = xrealloc(g->hints, (g->nhints + 1) * sizeof(*g->hints));
	va_start(ap, fmt);
	g->hints[g->nhints++] = xvasprintf(fmt, ap);
	va_end(ap);
}

int diags__nerrors(const struct diags *d)
{
	return d ? d->nerrors : 0;
}

void source_linecol(const struct source *src, uint32_t off, int *line, int *col)
{
	size_t lo = 0, hi = src->nlines;

	if (off > src->len)
		off = (uint32_t)src->len;
	/* the last line that starts at or before off */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (src->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (int)lo + 1;
	*col = (int)(off - src->line_starts[lo]) + 1;
}

/* A byte that starts a character (not a UTF-8 continuation byte). */
static bool char_start(char c)
{
	return ((unsigned char)c & 0xc0) != 0x80;
}

static void print_one(const struct source *src, const struct diag *g, FILE *out)
{
	uint32_t start = g->span.start, end = g->span.end;
	uint32_t bol, eol;
	int line, col;

	if (start > src->len)
		start = (uint32_t)src->len;
	if (end > src->len)
		end = (uint32_t)src->len;
	source_linecol(src, start, &line, &col);
	fprintf(out, "%s:%d:%d: %s: %s\n", src->name, line, col,
		g->level == DIAG_ERROR ? "error" : "warning", g->msg);

	bol = start - (uint32_t)(col - 1);
	eol = start;
	while (eol < src->len && src->text[eol] != '\n')
		eol++;
	/* the line as written, without a trailing CR */
	fwrite(src->text + bol, 1, eol - bol - (eol > bol && src->text[eol - 1] == '\r'), out);
	fputc('\n', out);

	for (uint32_t i = bol; i < start; i++) {
		if (src->text[i] == '\t')
			fputc('\t', out);
		else if (char_start(src->text[i]))
			fputc(' ', out);
	}
	fputc('^', out);
	if (end > eol) /* a span that crosses lines is underlined to the end of its first */
		end = eol;
	for (uint32_t i = start + 1; i < end; i++) {
		if (char_start(src->text[i]))
			fputc('~', out);
	}
	fputc('\n', out);
	for (int j = 0; j < g->nhints; j++)
		fprintf(out, "hint: %s\n", g->hints[j]);
}

void diags__print(const struct diags *d, FILE *out)
{
	for (int i = 0; i < d->n; i++)
		print_one(d->src, &d->v[i], out);
}

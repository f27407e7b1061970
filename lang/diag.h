/* diag: source buffers, spans and user-facing diagnostics.
 *
 * Every AST node carries a span (byte offsets into one source). Line and
 * column are computed only when a message is printed. Diagnostics are
 * collected, never exited on; the driver prints them and decides.
 *
 * Format (golden-tested, keep exact):
 *   SOURCE:LINE:COL: error: MESSAGE
 *   <the source line, tabs kept>
 *   <spaces up to COL>^~~~ (one '^' then '~' for the rest of the span on that line)
 *   hint: TEXT            (optional, one per hint)
 * SOURCE is the file name, "-e" for -e programs, "stdin" for standard input.
 * COL and LINE are 1-based; COL counts bytes. Warnings use "warning:".
 */
#ifndef HARK_DIAG_H
#define HARK_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct span {
	uint32_t start; /* byte offset of first char */
	uint32_t end;   /* byte offset one past the last char (end >= start) */
};

struct source {
	char *name; /* "-e", "stdin" or a path */
	char *text; /* NUL-terminated program text */
	size_t len;
	uint32_t *line_starts; /* byte offset of each line, for source_linecol */
	size_t nlines;
};

struct source *source__new(const char *name, const char *text, size_t len);
void source__free(struct source *src);

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diags; /* collected diagnostics for one source */

struct diags *diags__new(const struct source *src);
void diags__free(struct diags *d);

/* Record a diagnostic. Returns nothing; check diags__nerrors(). */
void diag_error(struct diags *d, struct span sp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warning(struct diags *d, struct span sp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Attach a "hint:" line to the most recent diagnostic. */
void diag_hint(struct diags *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int diags__nerrors(const struct diags *d);
/* Print every diagnostic in the order recorded. */
void diags__print(const struct diags *d, FILE *out);

/* 1-based line and column of a byte offset. */
void source_linecol(const struct source *src, uint32_t off, int *line, int *col);

#endif

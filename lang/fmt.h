/* fmt: bpftrace-style printf format strings, parsed once.
 *
 * Used by sema (argument count and types are checked against the format)
 * and by the runtime (each event is printed from the parsed segments).
 * Supported conversions: %d %i %u %x %X %o %s %c %p %%, with flags '-' and
 * '0', a decimal width, an optional .precision, and length modifiers
 * l, ll, h, hh (accepted and ignored: arguments are 64-bit).
 */
#ifndef HARK_FMT_H
#define HARK_FMT_H

#include <stdbool.h>
#include <stddef.h>

enum fmt_conv {
	FMT_LIT = 0, /* literal text (with %% already turned into %) */
	FMT_INT,     /* d i */
	FMT_UINT,    /* u */
	FMT_HEX,     /* x */
	FMT_HEXU,    /* X */
	FMT_OCT,     /* o */
	FMT_STR,     /* s: strings, stacks, probe/func names, and integers (printed as decimal) */
	FMT_CHAR,    /* c */
	FMT_PTR,     /* p */
};

struct fmt_seg {
	enum fmt_conv conv;
	char *text;      /* FMT_LIT: the literal; else the full spec as written, e.g. "%-08lx" */
	size_t len;      /* strlen(text) */
	size_t src_off;  /* byte offset of the segment in the format string (for diagnostics) */
	bool minus, zero;
	int width;       /* -1 if none */
	int prec;        /* -1 if none */
};

struct fmt {
	struct fmt_seg *segs;
	int nsegs;
	int nconv;       /* number of non-literal segments */
};

/* Parse fmt. On error returns NULL and sets *err_off (byte offset in fmt of
 * the bad conversion) and *err_msg (a static string, e.g. "unknown conversion
 * '%q'" is built by the caller from err_off). */
struct fmt *fmt__new(const char *fmt, size_t *err_off, const char **err_msg);
void fmt__free(struct fmt *f);

#endif

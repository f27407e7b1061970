/* hark-parse: parse a program and print its tree (the parser's test driver).
 *
 *   hark-parse -e 'PROGRAM'    source name "-e"
 *   hark-parse FILE            source name FILE ("-" reads stdin)
 *
 * Prints the ast_dump() to stdout, or the diagnostics to stderr and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);

	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	struct source *src;
	struct diags *d;
	struct ast *ast;
	int status = 0;

	if (argc == 3 && !strcmp(argv[1], "-e")) {
		src = source__new("-e", argv[2], strlen(argv[2]));
	} else if (argc == 2 && argv[1][0] != '-') {
		FILE *f = fopen(argv[1], "rb");
		size_t len;
		char *text;

		if (!f) {
			perror(argv[1]);
			return 2;
		}
		text = read_all(f, &len);
		fclose(f);
		if (!text) {
			fprintf(stderr, "hark-parse: %s: out of memory\n", argv[1]);
			return 2;
		}
		src = source__new(argv[1], text, len);
		free(text);
	} else if (argc == 2 && !strcmp(argv[1], "-")) {
		size_t len;
		char *text = read_all(stdin, &len);

		if (!text)
			return 2;
		src = source__new("stdin", text, len);
		free(text);
	} else {
		fprintf(stderr, "usage: hark-parse -e PROGRAM | hark-parse FILE\n");
		return 2;
	}

	d = diags__new(src);
	ast = ast_parse(src, d);
	if (diags__nerrors(d) || !ast) {
		diags__print(d, stderr);
		status = 1;
	} else {
		diags__print(d, stderr); /* warnings */
		ast_dump(ast, stdout);
	}
	ast__free(ast);
	diags__free(d);
	source__free(src);
	return status;
}

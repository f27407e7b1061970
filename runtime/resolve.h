/* resolve: attach points to concrete targets (see lang/probe.h).
 *
 * Expands wildcards over tracepoints and ELF symbols, resolves library names
 * and the -p/-c target, reads tracepoint formats when a body uses args, and
 * groups targets that can share one compiled program. Every failure is a
 * located diagnostic on the attach point.
 */
#ifndef HARK_RESOLVE_H
#define HARK_RESOLVE_H

#include "../lang/ast.h"
#include "../lang/probe.h"

struct resolve_opts {
	int pid;              /* -p or the -c child; 0 if none */
	const char *cmd_path; /* -c: the command's binary, for uprobes without a binary */
	int max_probes;       /* wildcard expansion limit */
};

int resolve_probes(struct ast *ast, const struct resolve_opts *o, struct diags *d);
void resolve_free(struct ast *ast);

#endif

/* targets: building a probe's targets and grouping them into programs.
 *
 * Shared by the resolver (runtime/resolve.c), which finds targets on the
 * machine, and the fuzz harness (tests/fuzz/), which fabricates them: both
 * add targets the same way and group them with the same rules, so the fuzzer
 * exercises the real grouping. What differs is where a tracepoint's record
 * layout comes from, hence the format callback.
 */
#ifndef HARK_TARGETS_H
#define HARK_TARGETS_H

#include "../lang/ast.h"
#include "../lang/probe.h"
#include "tracefs.h"

/* A new target of pi (targets grow by doubling; *cap is their capacity),
 * zeroed but for kind, probe_name (copied), pid -1, group -1, go.fn -1. */
struct probe_target *targets_add(struct probe_info *pi, int *cap, enum probe_kind kind, const char *probe_name);

/* strdup that aborts when memory is out; NULL stays NULL */
char *targets_strdup(const char *s);

/* A glob pattern (*, ? or [) rather than a name */
bool targets_has_glob(const char *s);

/* The go_funcs index (lang/goalias.h) of a runtime function, or -1 */
int targets_go_func(const char *name);

/* The providers an attach point names ("" is a Go alias, as "go"). The
 * family says how a resolver finds its targets; kind is the targets' kind. */
enum targets_family { TF_SPECIAL, TF_UPROBE, TF_TRACEPOINT, TF_TIMER, TF_PERF, TF_KPROBE, TF_GO };
struct targets_provider {
	const char *name;
	enum targets_family family;
	enum probe_kind kind;
};
extern const struct targets_provider targets_providers[]; /* ends with a NULL name */
const struct targets_provider *targets_provider(const char *name); /* NULL: unknown */

/* A tracepoint's record layout: 0 and *out (freed with tfs_format__free),
 * or -errno. */
typedef int (*targets_format_fn)(const struct probe_target *t, struct tfs_format **out, void *ctx);

/* Group the targets of probe (its probe_info): targets share a group, so a
 * program, when they have the same kind, Go facts and probe site, and the
 * `args` fields the probe reads lie at the same offsets with the same types.
 * Sets each target's group, and its index (the BPF cookie) from
 * *next_index. A format that cannot be read is an error on the attach
 * point; that target stays ungrouped. */
void targets_group(struct probe_info *pi, struct ast_node *probe, int *next_index, targets_format_fn format,
		   void *ctx, struct diags *d);

/* Call fn on each string literal of the probe that names a symbol:
 * caller == "sym" and func == "sym" (either side; == or !=), uaddr("sym").
 * The resolver hangs the symbol's address range on it (lit->sema). */
void targets_symbol_literals(struct ast_node *probe, void (*fn)(struct ast_node *lit, void *ctx), void *ctx);

/* Free pi: its targets, groups, sema data and itself (NULL is fine). */
void targets_free(struct probe_info *pi);

#endif

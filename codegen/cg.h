/* cg: lowering a checked AST to a BPF object, in memory, with LLVM.
 *
 * Input: the tree after resolve and sema (every probe has a probe_info,
 * every expression a type) and the plan sema began (maps, formats).
 * Output: plan->obj (an ELF object libbpf opens with bpf_object__open_mem),
 * plan->progs and plan->attach.
 */
#ifndef HARK_CG_H
#define HARK_CG_H

#include <stdio.h>

#include "../lang/ast.h"
#include "plan.h"

struct cg_opts {
	FILE *dump_ir;   /* -d ir: the optimised LLVM IR */
	FILE *dump_asm;  /* -d asm: BPF assembly */
	uint32_t ringbuf_size;
	uint32_t stack_entries;
};

int cg_compile(struct ast *ast, struct plan *plan, const struct cg_opts *opts, struct diags *d);

#endif

/* cg_for: for ($kv : @m) { body } as a bpf_for_each_map_elem callback.
 *
 * The kernel calls the callback once per entry with pointers to the key
 * and value. The body is compiled into it; what it shares with the probe
 * travels in a context struct on the probe's stack:
 *
 *   stop     u64: `return` in the body sets it (and ends the walk); the
 *            caller then returns too (or, a loop itself, passes it on)
 *   ctx      the probe's ctx pointer (builtins such as arg0, args, ustack)
 *   key, value, for each loop around this one (nested loops: $a.0 of the
 *            outer loop in the inner body)
 *   vars     where variable i lives if the body shares it with the rest of
 *            the probe: a copy in hark_scratch, copied back after the walk
 *
 * Why a copy in scratch: the verifier checks a callback as a loop, again
 * and again until the state at its entry repeats. A shared counter on the
 * probe's stack ($n++; if ($n == 2) ...) is a new constant every round and
 * never repeats (the verifier gives up after 1M instructions); a value in a
 * map is unknown to it, so the first round's state is the last. Variables
 * only the body uses live on the callback's stack and start at zero in
 * every round (as in bpftrace, where they are scoped to the body); while
 * loops over them verify as anywhere else.
 *
 * The verifier tracks pointers spilled to the stack, so the callback can use
 * the probe's ctx and scratch as the probe would. Temporaries of the
 * callback are its own; scratch offsets keep counting up, so the two never
 * share scratch bytes.
 *
 * $kv.1 of a per-CPU aggregation is this CPU's slot in the kernel; the
 * helper hark_percpu_value merges all CPUs the way user space does.
 */
#include <stdlib.h>
#include <string.h>

#include "cg_internal.h"

/* Building the callback changes the current function's state in struct
 * cg (function, blocks, variables, pools, loop levels): back to the caller
 * with all of it, except what belongs to the module: callbacks made, the
 * scratch bytes used, the backend's first error. */
static void restore(struct cg *g, const struct cg *saved, LLVMBasicBlockRef block, struct span sp)
{
	int nfor = g->nfor;
	uint32_t scratch_off = g->scratch_off, scratch_max = g->scratch_max;
	char *llvm_error = g->llvm_error;

	*g = *saved;
	g->nfor = nfor;
	g->scratch_off = scratch_off;
	g->scratch_max = scratch_max;
	g->llvm_error = llvm_error;
	LLVMPositionBuilderAtEnd(g->b, block);
	LLVMPositionBuilderBefore(g->ab, LLVMGetBasicBlockTerminator(g->entry));
	cg_set_loc(g, sp);
}

static LLVMValueRef slot(struct cg *g, LLVMValueRef cx, int i)
{
	return cg_gep(g, cx, (uint32_t)i * 8);
}

/* cx slots: stop, ctx, then key and value of each outer level, then the
 * shared variables */
enum { CX_STOP, CX_CTX, CX_LEVELS };

/* The context of a loop: one stack slot per function, reused by its
 * loops one after the other (nested loops are other functions). */
static LLVMValueRef context(struct cg *g, uint32_t size)
{
	if (!g->for_cx || g->for_cx_size < size) {
		g->for_cx = cg_alloca_fixed(g, size, "forctx");
		g->for_cx_size = size;
	}
	return g->for_cx;
}

enum { V_UNUSED, V_BODY, V_SHARED };

struct marking {
	const struct ast_node *skip; /* not this subtree */
	char *mark, val;
};

static bool mark_vars(struct ast_node *n, void *ctx)
{
	struct marking *m = ctx;

	if (n == m->skip)
		return false;
	if (n->kind == AST_VAR && n->id >= 0)
		m->mark[n->id] |= m->val;
	return true;
}

/* long cb(map, key, value, cx): the loop body */
static LLVMValueRef callback(struct cg *g, struct ast_node *n, int nvars, const char *mark, const int *cxslot)
{
	static const char *const params[] = { "map", "key", "value", "cx" };
	char name[64];
	LLVMValueRef cx, *vars = calloc((size_t)nvars + 1, sizeof(*vars)), fn;
	LLVMBasicBlockRef stop, body;

	int level = g->for_levels;

	snprintf(name, sizeof(name), "hark_for_%d", g->nfor++);
	cg_fn_begin(g, name, g->i64, params, 4, true, n->span);
	fn = g->fn;
	cx = LLVMGetParam(g->fn, 3);
	g->for_stop = cx;
	cg_fn_body(g);
	g->ctxp = LLVMBuildLoad2(g->b, g->ptr, slot(g, cx, CX_CTX), "ctx");
	for (int l = 0; l < level; l++) {
		g->for_key[l] = LLVMBuildLoad2(g->b, g->ptr, slot(g, cx, CX_LEVELS + 2 * l), "key");
		g->for_val[l] = LLVMBuildLoad2(g->b, g->ptr, slot(g, cx, CX_LEVELS + 2 * l + 1), "value");
	}
	g->for_key[level] = LLVMGetParam(g->fn, 1);
	g->for_val[level] = LLVMGetParam(g->fn, 2);
	g->for_map[level] = n->id;
	g->for_levels = level + 1;
	for (int i = 0; i < nvars; i++) {
		uint32_t size = ty_storage_size(g->pi->sp->var_ty[i]);

		if (mark[i] == V_SHARED) {
			vars[i] = LLVMBuildLoad2(g->b, g->ptr, slot(g, cx, cxslot[i]), "var");
		} else if (mark[i] == V_BODY) {
			vars[i] = size <= 16 ? cg_alloca_fixed(g, size, "var") : cg_scratch(g, size, "var");
			LLVMBuildMemSet(g->b, vars[i], LLVMConstInt(g->i8, 0, 0), cg_const(g, size), 8);
		}
	}
	g->vars = vars;
	/* break and return end the walk (1); continue goes on (0) */
	body = LLVMGetInsertBlock(g->b);
	stop = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "stop");
	LLVMPositionBuilderAtEnd(g->b, stop);
	LLVMBuildRet(g->b, cg_const(g, 1));
	LLVMPositionBuilderAtEnd(g->b, body);
	g->brk = g->brk_for = stop;
	g->cont = g->ret;
	cg_stmts(g, n->body);
	cg_fn_finish(g, cg_const(g, 0));
	free(vars);
	return fn;
}

/* copy a variable's bytes */
static void copy(struct cg *g, LLVMValueRef dst, LLVMValueRef src, uint32_t size)
{
	LLVMBuildMemCpy(g->b, dst, 8, src, 8, cg_const(g, size));
}

void cg_for(struct cg *g, struct ast_node *n)
{
	int nvars = g->pi->sp->nvars, levels = g->for_levels, nshared = 0;
	LLVMValueRef cx, cb, args[4], stop, *shared = calloc((size_t)nvars + 1, sizeof(*shared));
	LLVMBasicBlockRef after = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "endfor"), ret;
	char *mark = calloc((size_t)nvars + 1, 1);
	int *cxslot = calloc((size_t)nvars + 1, sizeof(*cxslot));
	struct cg saved;
	LLVMBasicBlockRef block;

	/* V_BODY: used in the body; V_SHARED: also elsewhere in the probe */
	ast_visit(n->body, mark_vars, &(struct marking){ NULL, mark, 1 });
	ast_visit(g->probe->pred, mark_vars, &(struct marking){ n, mark, 2 });
	ast_visit(g->probe->body, mark_vars, &(struct marking){ n, mark, 2 });
	for (int i = 0; i < nvars; i++) {
		mark[i] = mark[i] == 3 ? V_SHARED : mark[i] == 1 ? V_BODY : V_UNUSED;
		cxslot[i] = mark[i] == V_SHARED ? CX_LEVELS + 2 * levels + nshared++ : -1;
	}
	cx = context(g, 8 * (uint32_t)(CX_LEVELS + 2 * levels + nshared));
	LLVMBuildStore(g->b, cg_const(g, 0), slot(g, cx, CX_STOP));
	LLVMBuildStore(g->b, g->ctxp, slot(g, cx, CX_CTX));
	for (int l = 0; l < levels; l++) {
		LLVMBuildStore(g->b, g->for_key[l], slot(g, cx, CX_LEVELS + 2 * l));
		LLVMBuildStore(g->b, g->for_val[l], slot(g, cx, CX_LEVELS + 2 * l + 1));
	}
	for (int i = 0; i < nvars; i++) {
		uint32_t size = ty_storage_size(g->pi->sp->var_ty[i]);

		if (mark[i] != V_SHARED)
			continue;
		shared[i] = cg_scratch(g, size, "shared");
		copy(g, shared[i], g->vars[i], size);
		LLVMBuildStore(g->b, shared[i], slot(g, cx, cxslot[i]));
	}
	saved = *g;
	block = LLVMGetInsertBlock(g->b);
	cb = callback(g, n, nvars, mark, cxslot);
	restore(g, &saved, block, n->span);
	args[0] = g->maps[n->id];
	args[1] = cb;
	args[2] = cx;
	args[3] = cg_const(g, 0);
	cg_call_helper(g, BH_FOR_EACH_MAP_ELEM, g->i64, args, 4);
	for (int i = 0; i < nvars; i++)
		if (shared[i])
			copy(g, g->vars[i], shared[i], ty_storage_size(g->pi->sp->var_ty[i]));
	stop = LLVMBuildLoad2(g->b, g->i64, slot(g, cx, CX_STOP), "");
	ret = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "forreturn");
	LLVMBuildCondBr(g->b, LLVMBuildIsNotNull(g->b, stop, ""), ret, after);
	LLVMPositionBuilderAtEnd(g->b, ret);
	cg_return(g); /* `return` in the body leaves the probe: pass it on */
	LLVMBuildBr(g->b, after);
	LLVMPositionBuilderAtEnd(g->b, after);
	free(shared);
	free(mark);
	free(cxslot);
}

/* A value of type t at p, as expressions hold it: an i64, or a copy in a
 * buffer for strings and 16-byte values. */
static LLVMValueRef load_value(struct cg *g, LLVMValueRef p, struct ty t, bool u32)
{
	uint32_t size = ty_storage_size(t);
	LLVMValueRef buf;

	if (u32)
		return LLVMBuildZExt(g->b, LLVMBuildLoad2(g->b, g->i32, p, ""), g->i64, "");
	if (size <= 8)
		return LLVMBuildLoad2(g->b, g->i64, p, "");
	buf = cg_new_buf(g, size);
	LLVMBuildMemCpy(g->b, buf, 8, p, 8, cg_const(g, size));
	return buf;
}

/* `return`: from a loop body, set the caller's stop flag and end the walk
 * (the caller passes it on); elsewhere leave the program. Ends the block. */
void cg_return(struct cg *g)
{
	if (g->for_stop) {
		LLVMBuildStore(g->b, cg_const(g, 1), g->for_stop);
		LLVMBuildBr(g->b, g->brk_for);
	} else {
		LLVMBuildBr(g->b, g->ret);
	}
	/* anything after it is unreachable but must still be valid IR */
	LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, g->fn, "dead"));
}

/* Key field k of the entry of the loop at level */
static LLVMValueRef key_field(struct cg *g, int level, int k, struct ty t)
{
	const struct plan_map *pm = &g->plan->maps[g->for_map[level]];

	/* array keys are u32 (cg_module.c) */
	return load_value(g, cg_gep(g, g->for_key[level], pm->key_off[k]), t, pm->kind == MK_ARRAY);
}

/* The value of the entry of the loop at level */
static LLVMValueRef value(struct cg *g, int level, struct ty t)
{
	int id = g->for_map[level];
	const struct plan_map *pm = &g->plan->maps[id];

	if (pm->percpu) {
		LLVMValueRef args[3] = { g->maps[id], g->for_key[level],
					 cg_const(g, pm->agg == AGG_MIN ? 1 : pm->agg == AGG_MAX ? 2 : 0) };

		return cg_call(g, "hark_percpu_value", args, 3);
	}
	return load_value(g, g->for_val[level], t, false);
}

/* $kv.0 (or $kv.0.N) and $kv.1, of the loop at level n->ival */
struct cgv cg_for_field(struct cg *g, struct ast_node *n)
{
	struct cgv r = { .ty = n->ty };

	r.v = n->builtin == B_FOR_KEY ? key_field(g, (int)n->ival, n->id, n->ty) : value(g, (int)n->ival, n->ty);
	return r;
}

void cg_for_pair(struct cg *g, const struct ast_node *var, LLVMValueRef event, const struct plan_fmt *f)
{
	int level = (int)var->ival;

	for (int i = 0; i < f->nargs; i++) {
		struct cgv v = { .ty = f->arg_ty[i] };

		v.v = i < f->pair_keys ? key_field(g, level, i, v.ty) : value(g, level, v.ty);
		cg_store_value(g, cg_gep(g, event, f->arg_off[i]), v);
	}
}

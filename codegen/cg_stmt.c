/* cg_stmt: lowering statements: assignments, aggregations, control flow,
 * and the functions that talk to user space through the ring buffer
 * (printf, print, clear, zero, exit; layouts in plan.h). */
#include "cg_internal.h"

static void emit_event(struct cg *g, LLVMValueRef buf, uint32_t size)
{
	LLVMValueRef args[4] = { g->ringbuf, g->lost, buf, cg_const(g, size) };

	cg_call(g, "hark_emit", args, 4);
}

/* An event of n u64 words: type, then the words given. */
static void emit_words(struct cg *g, uint64_t type, LLVMValueRef *words, int n)
{
	LLVMValueRef buf = cg_alloca(g, 8 * (n + 1), "ev");

	LLVMBuildStore(g->b, cg_const(g, type), buf);
	for (int i = 0; i < n; i++)
		LLVMBuildStore(g->b, words[i], cg_gep(g, buf, 8 * (i + 1)));
	emit_event(g, buf, 8 * (n + 1));
}

/* The format of a printf/print call; a parameter when the program is
 * shared by probes whose formats differ (cg_share.c). */
static LLVMValueRef fmt_id(struct cg *g, struct ast_node *n)
{
	int k = cg_share_param(g, n);

	return k >= 0 ? cg_param(g, k) : cg_const(g, (uint64_t)n->id);
}

static void printf_call(struct cg *g, struct ast_node *n, uint64_t type)
{
	struct plan_fmt *f = &g->plan->fmts[n->id];
	LLVMValueRef buf = cg_alloca(g, f->size, "printf");
	struct ast_node *a = n->args->next;

	LLVMBuildStore(g->b, cg_const(g, type), buf);
	LLVMBuildStore(g->b, fmt_id(g, n), cg_gep(g, buf, 8));
	for (int i = 0; a && i < f->nargs; a = a->next, i++)
		cg_store_value(g, cg_gep(g, buf, f->arg_off[i]), cg_expr(g, a));
	emit_event(g, buf, f->size);
}

static void print_call(struct cg *g, struct ast_node *n)
{
	struct ast_node *m = n->args;

	if (m->kind == AST_MAP && !m->args) {
		LLVMValueRef w[3] = { cg_const(g, (uint64_t)m->id), cg_const(g, 0), cg_const(g, 0) };

		if (m->next)
			w[1] = cg_expr(g, m->next).v;
		if (m->next && m->next->next)
			w[2] = cg_expr(g, m->next->next).v;
		emit_words(g, EV_PRINT, w, 3);
		return;
	}
	{
		struct plan_fmt *f = &g->plan->fmts[n->id];
		LLVMValueRef buf = cg_alloca(g, f->size, "print");

		LLVMBuildStore(g->b, cg_const(g, EV_PRINTVAL), buf);
		LLVMBuildStore(g->b, fmt_id(g, n), cg_gep(g, buf, 8));
		if (m->kind == AST_VAR && m->builtin == B_FOR_PAIR)
			cg_for_pair(g, m, buf, f);
		else
			cg_store_value(g, cg_gep(g, buf, 16), cg_expr(g, m));
		emit_event(g, buf, f->size);
	}
}

static void call_stmt(struct cg *g, struct ast_node *n)
{
	switch (n->builtin) {
	case F_PRINTF:
		printf_call(g, n, EV_PRINTF);
		break;
	case F_SYSTEM:
		printf_call(g, n, EV_SYSTEM);
		break;
	case F_SIGNAL: {
		LLVMValueRef sig = LLVMConstInt(g->i32, (uint64_t)n->ival, 0);

		cg_call_helper(g, BH_SEND_SIGNAL, g->i64, &sig, 1);
		break;
	}
	case F_PRINT:
		print_call(g, n);
		break;
	case F_CLEAR:
	case F_ZERO: {
		LLVMValueRef w = cg_const(g, (uint64_t)n->args->id);

		emit_words(g, n->builtin == F_CLEAR ? EV_CLEAR : EV_ZERO, &w, 1);
		break;
	}
	case F_TIME: {
		LLVMValueRef w = cg_const(g, (uint64_t)n->id);

		emit_words(g, EV_TIME, &w, 1);
		break;
	}
	case F_EXIT: {
		LLVMValueRef w = n->args ? cg_expr(g, n->args).v : cg_const(g, 0);
		LLVMValueRef key = cg_alloca(g, 8, "k"), val = cg_alloca(g, 8, "v");
		LLVMValueRef args[4] = { g->env, key, val, cg_const(g, 0) };

		emit_words(g, EV_EXIT, &w, 1);
		LLVMBuildStore(g->b, LLVMConstInt(g->i32, ENV_EXIT, 0), key);
		LLVMBuildStore(g->b, LLVMBuildAdd(g->b, w, cg_const(g, 1), ""), val);
		cg_call_helper(g, BH_MAP_UPDATE, g->i64, args, 4);
		break;
	}
	case F_DELETE: {
		struct ast_node *m = n->args;
		struct plan_map *pm = &g->plan->maps[m->id];
		LLVMValueRef key, args[2];

		if (m->args || !m->next) {
			key = cg_map_key(g, m, pm, 0); /* delete(@m[k1, k2]), delete(@scalar) */
		} else {
			/* delete(@m, key): the key follows the map in the argument list */
			m->args = m->next;
			key = cg_map_key(g, m, pm, 0);
			m->args = NULL;
		}
		args[0] = g->maps[m->id];
		args[1] = key;
		cg_call_helper(g, BH_MAP_DELETE, g->i64, args, 2);
		break;
	}
	default:
		cg_expr(g, n);
		break;
	}
}

static void aggregate(struct cg *g, struct ast_node *m, struct plan_map *pm, struct ast_node *call)
{
	LLVMValueRef map = g->maps[m->id];
	uint32_t extra = (pm->agg == AGG_HIST || pm->agg == AGG_LHIST) ? 8 : 0;
	LLVMValueRef key = cg_map_key(g, m, pm, extra);
	LLVMValueRef v = call->args ? cg_expr(g, call->args).v : cg_const(g, 1);
	LLVMValueRef args[5] = { map, key, v, g->drops, cg_const(g, (uint64_t)m->id) };

	switch (pm->agg) {
	case AGG_COUNT:
		args[2] = cg_const(g, 1);
		/* fallthrough */
	case AGG_SUM:
		cg_call(g, "hark_agg_add", args, 5);
		break;
	case AGG_MIN:
		cg_call(g, "hark_agg_min", args, 5);
		break;
	case AGG_MAX:
		cg_call(g, "hark_agg_max", args, 5);
		break;
	case AGG_AVG:
	case AGG_STATS:
		cg_call(g, "hark_agg_avg", args, 5);
		break;
	case AGG_HIST:
	case AGG_LHIST: {
		LLVMValueRef idx;

		if (pm->agg == AGG_HIST) {
			idx = cg_call(g, "hark_hist_index", &v, 1);
		} else {
			LLVMValueRef la[4] = { v, cg_const(g, (uint64_t)pm->lhist_min),
					       cg_const(g, (uint64_t)pm->lhist_max),
					       cg_const(g, (uint64_t)pm->lhist_step) };
			idx = cg_call(g, "hark_lhist_index", la, 4);
		}
		LLVMBuildStore(g->b, idx, cg_gep(g, key, pm->key_size));
		args[2] = cg_const(g, 1);
		cg_call(g, "hark_agg_add", args, 5);
		break;
	}
	default:
		break;
	}
}

static LLVMValueRef arith(struct cg *g, enum ast_op op, bool sg, LLVMValueRef l, LLVMValueRef r)
{
	switch (op) {
	case OP_ADD: return LLVMBuildAdd(g->b, l, r, "");
	case OP_SUB: return LLVMBuildSub(g->b, l, r, "");
	case OP_MUL: return LLVMBuildMul(g->b, l, r, "");
	case OP_DIV:
	case OP_MOD: return cg_divmod(g, op, sg, l, r);
	case OP_BAND: return LLVMBuildAnd(g->b, l, r, "");
	case OP_BOR: return LLVMBuildOr(g->b, l, r, "");
	case OP_BXOR: return LLVMBuildXor(g->b, l, r, "");
	case OP_SHL: return LLVMBuildShl(g->b, l, r, "");
	case OP_SHR: return sg ? LLVMBuildAShr(g->b, l, r, "") : LLVMBuildLShr(g->b, l, r, "");
	default: return r;
	}
}

static void map_store(struct cg *g, struct ast_node *m, LLVMValueRef key, struct cgv v)
{
	struct plan_map *pm = &g->plan->maps[m->id];
	LLVMValueRef val = cg_alloca(g, ty_storage_size(pm->value_ty), "val");
	LLVMValueRef args[5] = { g->maps[m->id], key, val, g->drops, cg_const(g, (uint64_t)m->id) };

	cg_store_value(g, val, v);
	cg_call(g, "hark_map_store", args, 5);
}

/* @m[k] op= v (op is '=' for a plain store), and ++/-- (v NULL, op ADD/SUB) */
static void map_update(struct cg *g, struct ast_node *m, enum ast_op op, struct ast_node *rhs)
{
	struct plan_map *pm = &g->plan->maps[m->id];
	LLVMValueRef key;
	struct cgv v;

	if (rhs && op == OP_ASSIGN && rhs->ty.kind == TY_AGG) {
		aggregate(g, m, pm, rhs);
		return;
	}
	key = cg_map_key(g, m, pm, 0);
	v = rhs ? cg_expr(g, rhs) : (struct cgv){ .v = cg_const(g, 1), .ty = ty_int(8, true) };
	if (op != OP_ASSIGN) {
		LLVMValueRef args[2] = { g->maps[m->id], key };
		LLVMValueRef old = cg_call(g, "hark_map_read_int", args, 2);

		v.v = arith(g, op, pm->value_ty.is_signed, old, v.v);
	}
	map_store(g, m, key, v);
}

static void var_update(struct cg *g, struct ast_node *var, enum ast_op op, struct ast_node *rhs)
{
	LLVMValueRef slot;
	struct cgv v;

	if (var->id < 0)
		return;
	slot = g->vars[var->id];
	v = rhs ? cg_expr(g, rhs) : (struct cgv){ .v = cg_const(g, 1), .ty = ty_int(8, true) };
	if (op != OP_ASSIGN) {
		LLVMValueRef old = LLVMBuildLoad2(g->b, g->i64, slot, "");

		v.v = arith(g, op, var->ty.is_signed, old, v.v);
	}
	cg_store_value(g, slot, v);
}

/* A jump ends the block; anything after it (unreachable) still needs one. */
static void jump(struct cg *g, LLVMBasicBlockRef to)
{
	LLVMBuildBr(g->b, to);
	LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, g->fn, "dead"));
}

static void stmt(struct cg *g, struct ast_node *n)
{
	LLVMBasicBlockRef then, els, done, cond;

	cg_set_loc(g, n->span);
	/* the previous statement's temporaries are dead */
	g->pool[0].used = g->pool[1].used = 0;
	switch (n->kind) {
	case AST_EXPR_STMT:
		if (n->lhs->kind == AST_CALL)
			call_stmt(g, n->lhs);
		else
			cg_expr(g, n->lhs);
		break;
	case AST_ASSIGN:
		if (n->lhs->kind == AST_MAP)
			map_update(g, n->lhs, n->op, n->rhs);
		else if (n->lhs->kind == AST_VAR)
			var_update(g, n->lhs, n->op, n->rhs);
		break;
	case AST_INCDEC:
		if (n->lhs->kind == AST_MAP)
			map_update(g, n->lhs, n->op == OP_INC ? OP_ADD : OP_SUB, NULL);
		else
			var_update(g, n->lhs, n->op == OP_INC ? OP_ADD : OP_SUB, NULL);
		break;
	case AST_IF:
		then = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "then");
		els = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "else");
		done = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "endif");
		LLVMBuildCondBr(g->b, cg_truth(g, n->cond), then, els);
		LLVMPositionBuilderAtEnd(g->b, then);
		cg_stmts(g, n->then);
		if (!LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(g->b)))
			LLVMBuildBr(g->b, done);
		LLVMPositionBuilderAtEnd(g->b, els);
		if (n->els)
			cg_stmts(g, n->els);
		if (!LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(g->b)))
			LLVMBuildBr(g->b, done);
		LLVMPositionBuilderAtEnd(g->b, done);
		break;
	case AST_WHILE: {
		LLVMBasicBlockRef brk = g->brk, cont = g->cont;

		cond = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "while");
		then = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "loop");
		done = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "endwhile");
		LLVMBuildBr(g->b, cond);
		LLVMPositionBuilderAtEnd(g->b, cond);
		LLVMBuildCondBr(g->b, cg_truth(g, n->cond), then, done);
		LLVMPositionBuilderAtEnd(g->b, then);
		g->brk = done;
		g->cont = cond;
		cg_stmts(g, n->body);
		g->brk = brk;
		g->cont = cont;
		if (!LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(g->b)))
			LLVMBuildBr(g->b, cond);
		LLVMPositionBuilderAtEnd(g->b, done);
		break;
	}
	case AST_FOR:
		cg_for(g, n);
		break;
	case AST_BREAK:
	case AST_CONTINUE:
		jump(g, n->kind == AST_BREAK ? g->brk : g->cont);
		break;
	case AST_UNROLL:
		for (int64_t i = 0; i < n->ival; i++)
			cg_stmts(g, n->body);
		break;
	case AST_RETURN:
		cg_return(g);
		break;
	case AST_BLOCK:
		cg_stmts(g, n->body);
		break;
	default:
		break;
	}
}

void cg_stmts(struct cg *g, struct ast_node *n)
{
	if (n && n->kind == AST_BLOCK)
		n = n->body;
	else if (n && n->kind == AST_IF) {
		stmt(g, n);
		return;
	}
	for (; n; n = n->next)
		stmt(g, n);
}

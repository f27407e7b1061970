/* cg_expr: lowering expressions.
 *
 * Integers are i64 values. Strings and user stacks live in stack buffers
 * (STR_SIZE and 16 bytes), so a string value is a pointer to its buffer.
 * Memory reads go through the probe_read helper of the probe's address
 * space: user for uprobes, the address-checking compat helper elsewhere.
 */
#include <string.h>

#include "cg_internal.h"

LLVMValueRef cg_const(struct cg *g, uint64_t v)
{
	return LLVMConstInt(g->i64, v, 0);
}

/* Small buffers are allocas (promoted to registers by O2); larger ones are
 * carved from the per-CPU scratch value, looked up once in the entry block
 * (the null check is added when the program is finished). */
/* A stack slot that lives as long as the program (scratch variables). */
LLVMValueRef cg_alloca_fixed(struct cg *g, uint32_t size, const char *name)
{
	LLVMValueRef a = LLVMBuildAlloca(g->ab, LLVMArrayType(g->i64, (size + 7) / 8), name);

	LLVMSetAlignment(a, 8);
	return a;
}

/* Temporaries of one statement. The small ones come from a per-program pool
 * that every statement starts over (cg_stmt.c), so a long or unrolled body
 * does not run out of the 512-byte stack; nothing lives across statements. */
LLVMValueRef cg_alloca(struct cg *g, uint32_t size, const char *name)
{
	size = (size + 7) & ~7u;
	if (size <= 16) {
		struct cg_pool *pool = &g->pool[size / 8 - 1];

		if (pool->used == pool->n) {
			if (pool->n == CG_POOL_MAX)
				return cg_alloca_fixed(g, size, name);
			pool->slot[pool->n++] = cg_alloca_fixed(g, size, name);
		}
		return pool->slot[pool->used++];
	}
	return cg_scratch(g, size, name);
}

LLVMValueRef cg_scratch(struct cg *g, uint32_t size, const char *name)
{
	LLVMValueRef idx;

	size = (size + 7) & ~7u;
	if (!g->scratch_p) {
		LLVMValueRef key = LLVMBuildAlloca(g->ab, g->i32, "zero");
		LLVMValueRef args[2] = { g->scratch_gv, key };
		LLVMTypeRef fty = LLVMFunctionType(g->ptr, (LLVMTypeRef[]){ g->ptr, g->ptr }, 2, 0);

		LLVMBuildStore(g->ab, LLVMConstInt(g->i32, 0, 0), key);
		g->scratch_p = LLVMBuildCall2(g->ab, fty, LLVMConstIntToPtr(cg_const(g, BH_MAP_LOOKUP), g->ptr), args,
					      2, "scratch");
	}
	idx = cg_const(g, g->scratch_off);
	g->scratch_off += size;
	return LLVMBuildGEP2(g->ab, g->i8, g->scratch_p, &idx, 1, name);
}

LLVMValueRef cg_call_helper(struct cg *g, int id, LLVMTypeRef ret, LLVMValueRef *args, int nargs)
{
	LLVMTypeRef params[8];
	LLVMTypeRef fty;

	for (int i = 0; i < nargs; i++)
		params[i] = LLVMTypeOf(args[i]);
	fty = LLVMFunctionType(ret, params, nargs, 0);
	return LLVMBuildCall2(g->b, fty, LLVMConstIntToPtr(cg_const(g, id), g->ptr), args, nargs, "");
}

LLVMValueRef cg_call(struct cg *g, const char *helper, LLVMValueRef *args, int nargs)
{
	LLVMValueRef f = cg_helper_fn(g, helper);

	return LLVMBuildCall2(g->b, LLVMGlobalGetValueType(f), f, args, nargs, "");
}

LLVMValueRef cg_gep(struct cg *g, LLVMValueRef base, uint32_t off)
{
	LLVMValueRef idx = cg_const(g, off);

	if (!off)
		return base;
	return LLVMBuildGEP2(g->b, g->i8, base, &idx, 1, "");
}

static void zero_buf(struct cg *g, LLVMValueRef p, uint32_t size)
{
	LLVMBuildMemSet(g->b, p, LLVMConstInt(g->i8, 0, 0), cg_const(g, size), 8);
}

LLVMValueRef cg_new_buf(struct cg *g, uint32_t size)
{
	LLVMValueRef p = cg_alloca(g, size, "buf");

	zero_buf(g, p, size);
	return p;
}

void cg_store_value(struct cg *g, LLVMValueRef dst, struct cgv v)
{
	switch (v.ty.kind) {
	case TY_STR:
		LLVMBuildMemCpy(g->b, dst, 8, v.v, 8, cg_const(g, STR_SIZE));
		break;
	case TY_USTACK:
	case TY_USYM:
		LLVMBuildMemCpy(g->b, dst, 8, v.v, 8, cg_const(g, 16));
		break;
	default:
		LLVMBuildStore(g->b, v.v, dst);
		break;
	}
}

static bool user_space(struct cg *g)
{
	enum probe_kind k = g->pi->groups[g->group].kind;

	return k == PK_UPROBE || k == PK_URETPROBE;
}

/* Read size bytes at addr into dst. */
static void read_mem(struct cg *g, LLVMValueRef dst, uint32_t size, LLVMValueRef addr)
{
	LLVMValueRef args[3] = { dst, LLVMConstInt(g->i32, size, 0), LLVMBuildIntToPtr(g->b, addr, g->ptr, "") };

	cg_call_helper(g, user_space(g) ? BH_PROBE_READ_USER : BH_PROBE_READ, g->i64, args, 3);
}

static LLVMValueRef read_str(struct cg *g, LLVMValueRef addr, LLVMValueRef size, bool kernel)
{
	LLVMValueRef buf = cg_new_buf(g, STR_SIZE);
	LLVMValueRef args[3] = { buf, size ? size : LLVMConstInt(g->i32, STR_SIZE, 0),
				 LLVMBuildIntToPtr(g->b, addr, g->ptr, "") };
	int h = kernel ? BH_PROBE_READ_KERNEL_STR : user_space(g) ? BH_PROBE_READ_USER_STR : BH_PROBE_READ_STR;

	cg_call_helper(g, h, g->i64, args, 3);
	return buf;
}

/* Each load goes through an opaque copy of ctx (an empty asm): otherwise
 * LLVM shares one ctx+off between loads in different blocks, and the
 * verifier refuses a load through a modified ctx pointer. */
static LLVMValueRef load_ctx(struct cg *g, uint32_t off, uint32_t size, bool is_signed)
{
	LLVMTypeRef t = LLVMIntTypeInContext(g->ctx, size * 8);
	LLVMTypeRef fty = LLVMFunctionType(g->ptr, &g->ptr, 1, 0);
	LLVMValueRef copy = LLVMGetInlineAsm(fty, "", 0, "=r,0", 4, 1, 0, LLVMInlineAsmDialectATT, 0);
	LLVMValueRef ctx = LLVMBuildCall2(g->b, fty, copy, &g->ctxp, 1, "");
	LLVMValueRef v = LLVMBuildLoad2(g->b, t, cg_gep(g, ctx, off), "");

	if (size == 8)
		return v;
	return is_signed ? LLVMBuildSExt(g->b, v, g->i64, "") : LLVMBuildZExt(g->b, v, g->i64, "");
}

static LLVMValueRef str_literal(struct cg *g, const char *s, uint32_t len)
{
	LLVMValueRef buf = cg_new_buf(g, STR_SIZE);

	if (len > STR_SIZE - 1)
		len = STR_SIZE - 1;
	for (uint32_t off = 0; off < len; off += 8) {
		uint64_t w = 0;

		memcpy(&w, s + off, len - off < 8 ? len - off : 8);
		if (w)
			LLVMBuildStore(g->b, cg_const(g, w), cg_gep(g, buf, off));
	}
	return buf;
}

static LLVMValueRef cookie(struct cg *g)
{
	if (g->single_target >= 0)
		return cg_const(g, (uint64_t)g->single_target);
	return cg_call_helper(g, BH_ATTACH_COOKIE, g->i64, &g->ctxp, 1);
}

static LLVMValueRef stack_id(struct cg *g, LLVMValueRef map, uint64_t flags)
{
	LLVMValueRef args[3] = { g->ctxp, map, cg_const(g, flags) };

	return cg_call_helper(g, BH_GET_STACKID, g->i64, args, 3);
}

/* User stacks are walked by bpf-helpers/ustack.bpf.h and stored by
 * content hash in hark_ustacks. In uprobes hark walks itself, so the caller
 * is kept where the frame is not set up yet; elsewhere the kernel walks. */
LLVMValueRef cg_ustack(struct cg *g, int max_frames)
{
	const struct probe_group *gr = &g->pi->groups[g->group];
	LLVMValueRef buf = cg_alloca(g, 16, "ustack");
	LLVMValueRef frames = cg_alloca(g, 8 * 128, "frames");
	LLVMValueRef pid = cg_call_helper(g, BH_PID_TGID, g->i64, NULL, 0), id;

	if (gr->kind == PK_UPROBE || gr->kind == PK_URETPROBE) {
		LLVMValueRef args[5] = { g->ctxp, g->ustacks, frames, cg_const(g, gr->frame_unset),
					 cg_const(g, (uint64_t)max_frames) };

		id = cg_call(g, "hark_ustack_walk", args, 5);
	} else {
		LLVMValueRef args[4] = { g->ctxp, g->ustacks, frames, cg_const(g, (uint64_t)max_frames) };

		id = cg_call(g, "hark_ustack_kernel", args, 4);
	}
	LLVMBuildStore(g->b, id, buf);
	LLVMBuildStore(g->b, LLVMBuildLShr(g->b, pid, cg_const(g, 32), ""), cg_gep(g, buf, 8));
	return buf;
}

/* A user symbol value: { address, pid } */
static LLVMValueRef usym_value(struct cg *g, LLVMValueRef addr)
{
	LLVMValueRef buf = cg_alloca(g, 16, "usym");
	LLVMValueRef pid = cg_call_helper(g, BH_PID_TGID, g->i64, NULL, 0);

	LLVMBuildStore(g->b, addr, buf);
	LLVMBuildStore(g->b, LLVMBuildLShr(g->b, pid, cg_const(g, 32), ""), cg_gep(g, buf, 8));
	return buf;
}

/* The return address into the caller: at [SP] where the frame is not set
 * up yet (entry, RET), else above the saved frame pointer. A kernel
 * uretprobe fires at the return address itself. */
static LLVMValueRef caller_addr(struct cg *g)
{
	const struct probe_group *gr = &g->pi->groups[g->group];
	LLVMValueRef at;

	if (gr->kind == PK_URETPROBE && !gr->ret_site)
		return load_ctx(g, REG_IP, 8, false);
	at = gr->frame_unset ? load_ctx(g, REG_SP, 8, false)
			     : LLVMBuildAdd(g->b, load_ctx(g, REG_BP, 8, false), cg_const(g, 8), "");
	return cg_call(g, "hark_read_u64", &at, 1);
}

/* Parameter k of a shared program, for this target (cg_share.c) */
LLVMValueRef cg_param(struct cg *g, int k)
{
	LLVMValueRef key = cg_alloca(g, 8, "k"), args[2] = { g->env, key };
	LLVMValueRef slot = LLVMBuildAdd(g->b, LLVMBuildMul(g->b, cookie(g), cg_const(g, (uint64_t)g->max_params), ""),
					 cg_const(g, g->param_base + (uint64_t)k), "");

	LLVMBuildStore(g->b, LLVMBuildTrunc(g->b, slot, g->i32, ""), key);
	return cg_call(g, "hark_map_read_int", args, 2);
}

/* Load bias of the probed binary: ip minus the probed instruction's
 * address in the file, which the runtime keeps in hark_env per cookie. */
static LLVMValueRef load_bias(struct cg *g)
{
	LLVMValueRef key = cg_alloca(g, 8, "k"), args[2] = { g->env, key };
	LLVMValueRef slot = LLVMBuildAdd(g->b, cookie(g), cg_const(g, ENV_SITES), "");

	LLVMBuildStore(g->b, LLVMBuildTrunc(g->b, slot, g->i32, ""), key);
	return LLVMBuildSub(g->b, load_ctx(g, REG_IP, 8, false), cg_call(g, "hark_map_read_int", args, 2), "");
}

static struct cgv builtin(struct cg *g, struct ast_node *n)
{
	struct cgv r = { .ty = n->ty };
	LLVMValueRef v;

	switch (n->builtin) {
	case B_PID:
	case B_TID:
	case B_UID:
	case B_GID:
		/* two ids in one u64: pid (tgid) and gid in the high half */
		v = cg_call_helper(g, n->builtin == B_PID || n->builtin == B_TID ? BH_PID_TGID : BH_UID_GID, g->i64,
				   NULL, 0);
		r.v = n->builtin == B_PID || n->builtin == B_GID ? LLVMBuildLShr(g->b, v, cg_const(g, 32), "")
								 : LLVMBuildAnd(g->b, v, cg_const(g, 0xffffffff), "");
		break;
	case B_CPU:
		r.v = LLVMBuildZExt(g->b, cg_call_helper(g, BH_SMP_PROCESSOR_ID, g->i32, NULL, 0), g->i64, "");
		break;
	case B_RAND:
		r.v = LLVMBuildZExt(g->b, cg_call_helper(g, BH_PRANDOM_U32, g->i32, NULL, 0), g->i64, "");
		break;
	case B_NSECS:
		r.v = cg_call_helper(g, BH_KTIME_GET_NS, g->i64, NULL, 0);
		break;
	case B_CGROUP:
		r.v = cg_call_helper(g, BH_CGROUP_ID, g->i64, NULL, 0);
		break;
	case B_ELAPSED: {
		LLVMValueRef key = cg_alloca(g, 8, "k");
		LLVMValueRef args[2] = { g->env, key };

		LLVMBuildStore(g->b, LLVMConstInt(g->i32, ENV_START_NS, 0), key);
		v = cg_call(g, "hark_map_read_int", args, 2);
		r.v = LLVMBuildSub(g->b, cg_call_helper(g, BH_KTIME_GET_NS, g->i64, NULL, 0), v, "");
		break;
	}
	case B_COMM: {
		LLVMValueRef buf = cg_new_buf(g, STR_SIZE);
		LLVMValueRef args[2] = { buf, LLVMConstInt(g->i32, COMM_SIZE, 0) };

		cg_call_helper(g, BH_COMM, g->i64, args, 2);
		r.v = buf;
		r.ty = ty_str(STR_SIZE);
		break;
	}
	case B_PROBE:
	case B_FUNC:
		r.v = cookie(g);
		break;
	case B_RETVAL:
		r.v = load_ctx(g, REG_AX, 8, true);
		break;
	case B_ARG: {
		static const uint32_t regs[] = { REG_DI, REG_SI, REG_DX, REG_CX, REG_R8, REG_R9 };

		if (g->pi->groups[g->group].go.is_go) {
			r.v = cg_go_argn(g, (int)n->ival);
		} else if (n->ival < 6) {
			r.v = load_ctx(g, regs[n->ival], 8, false);
		} else {
			LLVMValueRef buf = cg_alloca(g, 8, "arg");
			LLVMValueRef sp = load_ctx(g, REG_SP, 8, false);

			LLVMBuildStore(g->b, cg_const(g, 0), buf);
			read_mem(g, buf, 8, LLVMBuildAdd(g->b, sp, cg_const(g, 8 * (n->ival - 5)), ""));
			r.v = LLVMBuildLoad2(g->b, g->i64, buf, "");
		}
		break;
	}
	case B_USTACK:
		r.v = cg_ustack(g, 127);
		break;
	case B_GOID:
		r.v = cg_goid(g);
		break;
	case B_GODEPTH:
		r.v = cg_godepth(g);
		break;
	case B_GOARG: {
		const struct probe_group *gr = &g->pi->groups[g->group];
		const struct go_arg *a = go_arg_find(gr->go.fn, gr->go.minor, gr->kind == PK_URETPROBE, n->name);

		r = a ? cg_go_arg(g, a) : (struct cgv){ .v = cg_const(g, 0), .ty = n->ty };
		break;
	}
	case B_KSTACK:
		r.v = stack_id(g, g->kstacks, 0);
		break;
	case B_CALLER:
		r.v = usym_value(g, caller_addr(g));
		break;
	default:
		r.v = cg_const(g, 0);
		break;
	}
	return r;
}

static const struct tp_field *tp_field(struct cg *g, const char *name)
{
	struct probe_group *gr = &g->pi->groups[g->group];

	for (int i = 0; i < gr->nfields; i++)
		if (!strcmp(gr->fields[i].name, name))
			return &gr->fields[i];
	return NULL;
}

static struct cgv field(struct cg *g, struct ast_node *n)
{
	const struct tp_field *f = tp_field(g, n->name);
	struct cgv r = { .ty = n->ty };

	if (!f) {
		r.v = cg_const(g, 0);
		return r;
	}
	if (f->is_char_array) {
		LLVMValueRef addr = LLVMBuildPtrToInt(g->b, cg_gep(g, g->ctxp, f->offset), g->i64, "");
		uint32_t sz = f->size < STR_SIZE ? f->size : STR_SIZE;

		r.v = read_str(g, addr, LLVMConstInt(g->i32, sz, 0), true);
	} else if (f->is_data_loc) {
		LLVMValueRef loc = load_ctx(g, f->offset, 4, false);
		LLVMValueRef off = LLVMBuildAnd(g->b, loc, cg_const(g, 0xffff), "");
		LLVMValueRef base = LLVMBuildPtrToInt(g->b, g->ctxp, g->i64, "");

		r.v = read_str(g, LLVMBuildAdd(g->b, base, off, ""), NULL, true);
	} else {
		r.v = load_ctx(g, f->offset, f->size, f->is_signed);
	}
	return r;
}

/* The packed key of @m[k...] in a fresh zeroed buffer, with `extra` bytes
 * after it (the histogram bucket). */
LLVMValueRef cg_map_key(struct cg *g, struct ast_node *m, struct plan_map *pm, uint32_t extra)
{
	LLVMValueRef key = cg_new_buf(g, pm->key_size + extra);
	int i = 0;

	for (struct ast_node *k = m->args; k && i < pm->nkeys; k = k->next, i++)
		cg_store_value(g, cg_gep(g, key, pm->key_off[i]), cg_expr(g, k));
	return key;
}

static struct cgv map_read(struct cg *g, struct ast_node *n)
{
	struct plan_map *pm = &g->plan->maps[n->id];
	LLVMValueRef key = cg_map_key(g, n, pm, 0);
	struct cgv r = { .ty = n->ty };

	if (pm->agg == AGG_NONE && pm->value_ty.kind == TY_STR) {
		LLVMValueRef args[2] = { g->maps[n->id], key };
		LLVMValueRef slot = cg_call_helper(g, BH_MAP_LOOKUP, g->ptr, args, 2);
		LLVMValueRef buf = cg_new_buf(g, STR_SIZE);
		LLVMBasicBlockRef found = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "found");
		LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "done");

		LLVMBuildCondBr(g->b, LLVMBuildIsNotNull(g->b, slot, ""), found, done);
		LLVMPositionBuilderAtEnd(g->b, found);
		LLVMBuildMemCpy(g->b, buf, 8, slot, 8, cg_const(g, STR_SIZE));
		LLVMBuildBr(g->b, done);
		LLVMPositionBuilderAtEnd(g->b, done);
		r.v = buf;
	} else {
		LLVMValueRef args[2] = { g->maps[n->id], key };

		r.v = cg_call(g, "hark_map_read_int", args, 2);
	}
	return r;
}

/* / and %: BPF cpu v3 has no signed division, the helpers do it */
LLVMValueRef cg_divmod(struct cg *g, enum ast_op op, bool is_signed, LLVMValueRef l, LLVMValueRef r)
{
	LLVMValueRef args[2] = { l, r };

	if (is_signed)
		return cg_call(g, op == OP_DIV ? "hark_sdiv" : "hark_smod", args, 2);
	return op == OP_DIV ? LLVMBuildUDiv(g->b, l, r, "") : LLVMBuildURem(g->b, l, r, "");
}

static LLVMValueRef to_bool(struct cg *g, LLVMValueRef v)
{
	return LLVMBuildZExt(g->b, LLVMBuildICmp(g->b, LLVMIntNE, v, cg_const(g, 0), ""), g->i64, "");
}

/* caller == "sym" / func == "sym": the address lies in the symbol's range */
static bool symbol_compare(struct cg *g, struct ast_node *n, struct cgv *out)
{
	struct ast_node *lit = n->lhs->kind == AST_STR ? n->lhs : n->rhs;
	struct ast_node *val = lit == n->lhs ? n->rhs : n->lhs;
	const struct sym_range *range = lit->sema;
	LLVMValueRef addr, in;

	if (lit->kind != AST_STR || (val->ty.kind != TY_USYM && val->ty.kind != TY_FUNC) || !range)
		return false;
	if (val->ty.kind == TY_FUNC)
		addr = load_ctx(g, REG_IP, 8, false); /* a uprobe's ip is inside its function */
	else
		addr = LLVMBuildLoad2(g->b, g->i64, cg_expr(g, val).v, "");
	if (range->pie)
		addr = LLVMBuildSub(g->b, addr, load_bias(g), "");
	in = LLVMBuildAnd(g->b, LLVMBuildICmp(g->b, LLVMIntUGE, addr, cg_const(g, range->lo), ""),
			  LLVMBuildICmp(g->b, LLVMIntULT, addr, cg_const(g, range->hi), ""), "");
	if (n->op == OP_NE)
		in = LLVMBuildNot(g->b, in, "");
	out->v = LLVMBuildZExt(g->b, in, g->i64, "");
	return true;
}

static struct cgv binop(struct cg *g, struct ast_node *n)
{
	struct cgv l, r, out = { .ty = n->ty };
	bool sg = n->lhs->ty.is_signed && n->rhs->ty.is_signed;
	LLVMBuilderRef b = g->b;

	if (symbol_compare(g, n, &out))
		return out;
	l = cg_expr(g, n->lhs);
	r = cg_expr(g, n->rhs);

	if (l.ty.kind == TY_STR) {
		LLVMValueRef args[3] = { l.v, r.v, cg_const(g, STR_SIZE) };
		LLVMValueRef c = cg_call(g, "hark_strncmp", args, 3);

		out.v = LLVMBuildZExt(b, LLVMBuildICmp(b, n->op == OP_EQ ? LLVMIntEQ : LLVMIntNE, c, cg_const(g, 0), ""),
				      g->i64, "");
		return out;
	}
	switch (n->op) {
	case OP_ADD: out.v = LLVMBuildAdd(b, l.v, r.v, ""); break;
	case OP_SUB: out.v = LLVMBuildSub(b, l.v, r.v, ""); break;
	case OP_MUL: out.v = LLVMBuildMul(b, l.v, r.v, ""); break;
	case OP_DIV:
	case OP_MOD:
		out.v = cg_divmod(g, n->op, sg, l.v, r.v);
		break;
	case OP_BAND: out.v = LLVMBuildAnd(b, l.v, r.v, ""); break;
	case OP_BOR: out.v = LLVMBuildOr(b, l.v, r.v, ""); break;
	case OP_BXOR: out.v = LLVMBuildXor(b, l.v, r.v, ""); break;
	case OP_SHL: out.v = LLVMBuildShl(b, l.v, r.v, ""); break;
	case OP_SHR:
		out.v = n->lhs->ty.is_signed ? LLVMBuildAShr(b, l.v, r.v, "") : LLVMBuildLShr(b, l.v, r.v, "");
		break;
	case OP_LAND: out.v = LLVMBuildAnd(b, to_bool(g, l.v), to_bool(g, r.v), ""); break;
	case OP_LOR: out.v = LLVMBuildOr(b, to_bool(g, l.v), to_bool(g, r.v), ""); break;
	default: {
		LLVMIntPredicate p;

		switch (n->op) {
		case OP_EQ: p = LLVMIntEQ; break;
		case OP_NE: p = LLVMIntNE; break;
		case OP_LT: p = sg ? LLVMIntSLT : LLVMIntULT; break;
		case OP_GT: p = sg ? LLVMIntSGT : LLVMIntUGT; break;
		case OP_LE: p = sg ? LLVMIntSLE : LLVMIntULE; break;
		default: p = sg ? LLVMIntSGE : LLVMIntUGE; break;
		}
		out.v = LLVMBuildZExt(b, LLVMBuildICmp(b, p, l.v, r.v, ""), g->i64, "");
	}
	}
	return out;
}

static LLVMValueRef extend(struct cg *g, LLVMValueRef v, struct ty t)
{
	LLVMTypeRef nt;

	if (t.size >= 8)
		return v;
	nt = LLVMIntTypeInContext(g->ctx, t.size * 8);
	v = LLVMBuildTrunc(g->b, v, nt, "");
	return t.is_signed ? LLVMBuildSExt(g->b, v, g->i64, "") : LLVMBuildZExt(g->b, v, g->i64, "");
}

static struct cgv call(struct cg *g, struct ast_node *n)
{
	struct cgv r = { .ty = n->ty };

	switch (n->builtin) {
	case F_STR: {
		struct cgv a = cg_expr(g, n->args);
		LLVMValueRef size = NULL;

		if (a.ty.kind == TY_STR)
			return a;
		if (n->args->next) {
			LLVMValueRef len = cg_expr(g, n->args->next).v;
			LLVMValueRef big = LLVMBuildICmp(g->b, LLVMIntUGT, len, cg_const(g, STR_SIZE - 1), "");

			/* +1: room for the NUL the helper always writes */
			len = LLVMBuildSelect(g->b, big, cg_const(g, STR_SIZE - 1), len, "");
			size = LLVMBuildTrunc(g->b, LLVMBuildAdd(g->b, len, cg_const(g, 1), ""), g->i32, "");
		}
		r.v = read_str(g, a.v, size, false);
		return r;
	}
	case F_USTACK:
		r.v = cg_ustack(g, n->ty.arg ? n->ty.arg : 127);
		return r;
	case F_KSTACK:
		r.v = stack_id(g, g->kstacks, 0);
		return r;
	case F_USYM:
		r.v = usym_value(g, cg_expr(g, n->args).v);
		return r;
	case F_LEN:
		r.v = cg_call(g, "hark_map_len", &g->maps[n->args->id], 1);
		return r;
	case F_HAS_KEY: {
		struct ast_node *m = n->args;
		LLVMValueRef key, args[2];

		m->args = m->next; /* the key follows the map in the argument list */
		key = cg_map_key(g, m, &g->plan->maps[m->id], 0);
		m->args = NULL;
		args[0] = g->maps[m->id];
		args[1] = key;
		r.v = LLVMBuildZExt(g->b, LLVMBuildIsNotNull(g->b, cg_call_helper(g, BH_MAP_LOOKUP, g->ptr, args, 2), ""),
				    g->i64, "");
		return r;
	}

	case F_KSYM:
		r.v = cg_expr(g, n->args).v;
		return r;
	case F_UADDR: {
		const struct sym_range *range = n->args->sema;

		r.v = cg_const(g, range ? range->lo : 0);
		if (range && range->pie)
			r.v = LLVMBuildAdd(g->b, r.v, load_bias(g), "");
		return r;
	}
	default:
		r.v = cg_const(g, 0);
		return r;
	}
}

struct cgv cg_expr(struct cg *g, struct ast_node *n)
{
	struct cgv r = { .ty = n->ty };

	switch (n->kind) {
	case AST_INT: {
		int k = cg_share_param(g, n);

		r.v = k >= 0 ? cg_param(g, k) : cg_const(g, (uint64_t)n->ival);
		break;
	}
	case AST_STR:
		r.v = str_literal(g, n->sval, n->slen);
		break;
	case AST_IDENT:
		r = builtin(g, n);
		break;
	case AST_VAR:
		if (n->id < 0) {
			r.v = cg_const(g, 0);
			break;
		}
		r.v = (n->ty.kind == TY_STR || n->ty.kind == TY_USTACK || n->ty.kind == TY_USYM)
			      ? g->vars[n->id]
			      : LLVMBuildLoad2(g->b, g->i64, g->vars[n->id], "");
		break;
	case AST_MAP:
		r = map_read(g, n);
		break;
	case AST_CALL:
		r = call(g, n);
		break;
	case AST_BINOP:
		r = binop(g, n);
		break;
	case AST_UNOP: {
		LLVMValueRef v = cg_expr(g, n->lhs).v;

		if (n->op == OP_SUB)
			r.v = LLVMBuildNeg(g->b, v, "");
		else if (n->op == OP_BNOT)
			r.v = LLVMBuildNot(g->b, v, "");
		else
			r.v = LLVMBuildZExt(g->b, LLVMBuildICmp(g->b, LLVMIntEQ, v, cg_const(g, 0), ""), g->i64, "");
		break;
	}
	case AST_TERNARY: {
		LLVMValueRef c = cg_truth(g, n->cond);
		struct cgv a = cg_expr(g, n->then), b = cg_expr(g, n->els);

		r.v = LLVMBuildSelect(g->b, c, a.v, b.v, "");
		break;
	}
	case AST_CAST:
		r.v = extend(g, cg_expr(g, n->lhs).v, n->cast_ty);
		break;
	case AST_DEREF: {
		LLVMValueRef buf = cg_alloca(g, 8, "deref");
		uint32_t size = n->ty.size ? n->ty.size : 8;

		LLVMBuildStore(g->b, cg_const(g, 0), buf);
		read_mem(g, buf, size, cg_expr(g, n->lhs).v);
		r.v = extend(g, LLVMBuildLoad2(g->b, g->i64, buf, ""), n->ty);
		break;
	}
	case AST_FIELD:
		r = n->builtin == B_FOR_KEY || n->builtin == B_FOR_VALUE ? cg_for_field(g, n) : field(g, n);
		break;
	default:
		r.v = cg_const(g, 0);
		break;
	}
	return r;
}

LLVMValueRef cg_truth(struct cg *g, struct ast_node *n)
{
	return LLVMBuildICmp(g->b, LLVMIntNE, cg_expr(g, n).v, cg_const(g, 0), "");
}

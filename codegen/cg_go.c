/* cg_go: Go named arguments, goid and godepth (recipes in lang/goalias.c;
 * the BPF side in bpf-helpers/go.bpf.h). */
#include "cg_internal.h"

#define REG_R14 8

static LLVMValueRef reg(struct cg *g, int off)
{
	return LLVMBuildLoad2(g->b, g->i64, cg_gep(g, g->ctxp, (uint32_t)off), "");
}

static LLVMValueRef go_reg(struct cg *g, int r)
{
	return reg(g, go_reg_offset(r));
}

static LLVMValueRef read_u64(struct cg *g, LLVMValueRef addr)
{
	return cg_call(g, "hark_read_u64", &addr, 1);
}

struct cgv cg_go_arg(struct cg *g, const struct go_arg *a)
{
	const struct go_site *site = &g->pi->groups[g->group].go;
	struct cgv r = { .ty = go_arg_type(a) };
	LLVMValueRef v;

	switch (a->op) {
	case GO_REG:
		r.v = go_reg(g, a->r1);
		break;
	case GO_REG32:
		r.v = LLVMBuildAnd(g->b, go_reg(g, a->r1), cg_const(g, 0xffffffffULL), "");
		break;
	case GO_REG8:
		r.v = LLVMBuildAnd(g->b, go_reg(g, a->r1), cg_const(g, 0xff), "");
		break;
	case GO_DEREF:
		r.v = read_u64(g, LLVMBuildAdd(g->b, go_reg(g, a->r1), cg_const(g, (uint64_t)a->off), ""));
		break;
	case GO_TYPESIZE:
		v = go_reg(g, a->r1);
		if (a->off >= 0)
			v = read_u64(g, LLVMBuildAdd(g->b, v, cg_const(g, (uint64_t)a->off), ""));
		r.v = read_u64(g, v);
		break;
	case GO_MAPCOUNT:
		r.v = read_u64(g, go_reg(g, a->r1));
		break;
	case GO_MAPCAP:
		v = go_reg(g, a->r1);
		r.v = cg_call(g, site->swiss ? "hark_go_swiss_cap" : "hark_go_classic_cap", &v, 1);
		break;
	case GO_DIFF:
		r.v = LLVMBuildSub(g->b, go_reg(g, a->r1), go_reg(g, a->r2), "");
		break;
	case GO_STR: {
		LLVMValueRef buf = cg_alloca(g, STR_SIZE, "gostr");
		LLVMValueRef args[3] = { buf, go_reg(g, a->r1), go_reg(g, a->r2) };

		LLVMBuildMemSet(g->b, buf, LLVMConstInt(g->i8, 0, 0), cg_const(g, STR_SIZE), 8);
		cg_call(g, "hark_go_str", args, 3);
		r.v = buf;
		break;
	}
	default:
		r.v = cg_const(g, 0);
		break;
	}
	return r;
}

LLVMValueRef cg_goid(struct cg *g)
{
	const struct go_site *site = &g->pi->groups[g->group].go;
	LLVMValueRef args[3] = { reg(g, REG_R14), cg_const(g, (uint64_t)go_goid_offset(site->minor)),
				 cg_const(g, site->minor >= 25 ? 184 : 192) };

	return cg_call(g, "hark_go_goid", args, 3);
}

LLVMValueRef cg_godepth(struct cg *g)
{
	LLVMValueRef args[2] = { reg(g, REG_R14), reg(g, REG_SP) };

	return cg_call(g, "hark_go_depth", args, 2);
}

/* argN of a Go function: register ABI, or the stack for ABI0 (assembly)
 * functions, whose first argument is at [SP+8] at entry. */
LLVMValueRef cg_go_argn(struct cg *g, int n)
{
	const struct go_site *site = &g->pi->groups[g->group].go;

	if (site->abi0 || n >= 9)
		return read_u64(g, LLVMBuildAdd(g->b, reg(g, REG_SP), cg_const(g, 8 * (uint64_t)(n + 1)), ""));
	return go_reg(g, n);
}

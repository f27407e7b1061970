/* cg_module: the LLVM module around the programs.
 *
 * The module starts as the BPF helpers' bitcode (bpf-helpers/), so their
 * functions are there to call; after lowering they are made internal and
 * the O2 pipeline inlines them. Maps are globals in section ".maps" whose
 * debug info has the shape clang gives `__uint(type, ...)` members: pointers
 * to int arrays whose length is the value. The BPF backend turns that debug
 * info into the BTF libbpf reads. Every function gets a DISubprogram and a
 * named parameter, and every instruction a location, so BTF func and line
 * info are complete (the kernel rejects half-described programs).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "../bpf-helpers/embed.h"
#include "cg_internal.h"

static LLVMMetadataRef di_uint_member(struct cg *g, LLVMMetadataRef scope, const char *name,
				      uint32_t value, unsigned index)
{
	LLVMMetadataRef sub = LLVMDIBuilderGetOrCreateSubrange(g->di, 0, value);
	LLVMMetadataRef arr = LLVMDIBuilderCreateArrayType(g->di, (uint64_t)value * 32, 32, g->di_int, &sub, 1);
	LLVMMetadataRef p = LLVMDIBuilderCreatePointerType(g->di, arr, 64, 64, 0, NULL, 0);

	return LLVMDIBuilderCreateMemberType(g->di, scope, name, strlen(name), g->di_file, 0, 64, 64,
					     (uint64_t)index * 64, LLVMDIFlagZero, p);
}

/* A BTF-defined map: struct { __uint(type); __uint(max_entries);
 * __uint(key_size); __uint(value_size); } name SEC(".maps"); key and value
 * sizes are left out when zero (ring buffers). */
LLVMValueRef cg_map_global(struct cg *g, const char *name, int type, uint32_t max_entries,
			   uint32_t key_size, uint32_t value_size)
{
	const char *names[] = { "type", "max_entries", "key_size", "value_size" };
	uint32_t values[] = { (uint32_t)type, max_entries, key_size, value_size };
	unsigned n = key_size ? 4 : 2;
	LLVMMetadataRef members[4], st, gve;
	LLVMTypeRef fields[4], sty;
	LLVMValueRef gv;

	for (unsigned i = 0; i < n; i++) {
		members[i] = di_uint_member(g, g->di_file, names[i], values[i], i);
		fields[i] = g->ptr;
	}
	st = LLVMDIBuilderCreateStructType(g->di, g->di_file, "", 0, g->di_file, 0, (uint64_t)n * 64, 64,
					   LLVMDIFlagZero, NULL, members, n, 0, NULL, "", 0);
	sty = LLVMStructTypeInContext(g->ctx, fields, n, 0);
	gv = LLVMAddGlobal(g->mod, sty, name);
	LLVMSetInitializer(gv, LLVMConstNull(sty));
	LLVMSetSection(gv, ".maps");
	LLVMSetAlignment(gv, 8);
	gve = LLVMDIBuilderCreateGlobalVariableExpression(g->di, g->di_cu, name, strlen(name), name,
							  strlen(name), g->di_file, 1, st, 0,
							  LLVMDIBuilderCreateExpression(g->di, NULL, 0), NULL, 0);
	LLVMGlobalSetMetadata(gv, LLVMGetMDKindIDInContext(g->ctx, "dbg", 3), gve);
	return gv;
}

LLVMValueRef cg_helper_fn(struct cg *g, const char *name)
{
	LLVMValueRef f = LLVMGetNamedFunction(g->mod, name);

	if (!f) {
		fprintf(stderr, "codegen: BPF helper %s missing from bpf-helpers\n", name);
		abort();
	}
	return f;
}

void cg_set_loc(struct cg *g, struct span sp)
{
	int line, col;

	source_linecol(g->ast->src, sp.start, &line, &col);
	LLVMSetCurrentDebugLocation2(g->b, LLVMDIBuilderCreateDebugLocation(g->ctx, line, col, g->sub, NULL));
	/* allocas too: a location of the previous function is invalid IR */
	LLVMSetCurrentDebugLocation2(g->ab, LLVMDIBuilderCreateDebugLocation(g->ctx, line, col, g->sub, NULL));
}

static int setup(struct cg *g)
{
	LLVMMemoryBufferRef mb;
	const char *dir = ".";
	const char *fname = g->ast->src->name;

	mb = LLVMCreateMemoryBufferWithMemoryRange(hark_helpers_bc, hark_helpers_bc_end - hark_helpers_bc,
						   "helpers.bc", 0);
	if (LLVMParseBitcodeInContext2(g->ctx, mb, &g->mod)) {
		LLVMDisposeMemoryBuffer(mb);
		fprintf(stderr, "codegen: embedded BPF helpers bitcode is unreadable\n");
		return -EINVAL;
	}
	LLVMDisposeMemoryBuffer(mb);
	/* helpers are `used` only to survive clang: unused ones may go now */
	if (LLVMGetNamedGlobal(g->mod, "llvm.compiler.used"))
		LLVMDeleteGlobal(LLVMGetNamedGlobal(g->mod, "llvm.compiler.used"));
	LLVMSetModuleIdentifier(g->mod, "hark", 4);
	g->i8 = LLVMInt8TypeInContext(g->ctx);
	g->i32 = LLVMInt32TypeInContext(g->ctx);
	g->i64 = LLVMInt64TypeInContext(g->ctx);
	g->ptr = LLVMPointerTypeInContext(g->ctx, 0);
	g->voidt = LLVMVoidTypeInContext(g->ctx);
	g->b = LLVMCreateBuilderInContext(g->ctx);
	g->ab = LLVMCreateBuilderInContext(g->ctx);
	g->di = LLVMCreateDIBuilder(g->mod);
	g->di_file = LLVMDIBuilderCreateFile(g->di, fname, strlen(fname), dir, strlen(dir));
	g->di_cu = LLVMDIBuilderCreateCompileUnit(g->di, LLVMDWARFSourceLanguageC, g->di_file, "hark", 4, 1, "",
						  0, 0, "", 0, LLVMDWARFEmissionFull, 0, 0, 0, "", 0, "", 0);
	g->di_int = LLVMDIBuilderCreateBasicType(g->di, "int", 3, 32, 5 /* DW_ATE_signed */, LLVMDIFlagZero);
	g->di_ptr = LLVMDIBuilderCreatePointerType(g->di, NULL, 64, 64, 0, NULL, 0);
	return 0;
}

enum { MT_HASH = 1, MT_ARRAY = 2, MT_PERCPU_HASH = 5, MT_PERCPU_ARRAY = 6, MT_STACK_TRACE = 7,
       MT_LRU_HASH = 9, MT_LRU_PERCPU_HASH = 10, MT_RINGBUF = 27 };

/* The BPF map type of a hark map: aggregations per-CPU, plain values not;
 * the declared kind (let @m = lruhash(N)) chooses eviction or an array. */
static int map_type(const struct plan_map *m)
{
	bool lru = m->kind == MK_LRUHASH || m->kind == MK_PERCPULRUHASH;

	if (m->kind == MK_ARRAY)
		return m->percpu ? MT_PERCPU_ARRAY : MT_ARRAY;
	if (m->percpu)
		return lru ? MT_LRU_PERCPU_HASH : MT_PERCPU_HASH;
	return lru ? MT_LRU_HASH : MT_HASH;
}

static uint32_t value_size(const struct plan_map *m)
{
	switch (m->agg) {
	case AGG_COUNT: case AGG_SUM: case AGG_HIST: case AGG_LHIST:
		return 8;
	case AGG_MIN: case AGG_MAX: case AGG_AVG: case AGG_STATS:
		return 16;
	default:
		return ty_storage_size(m->value_ty);
	}
}

static uint32_t count_targets(const struct ast *ast)
{
	uint32_t n = 0;

	for (const struct ast_node *p = ast->probes; p; p = p->next)
		n += ((const struct probe_info *)p->sema)->ntargets;
	return n;
}

/* hark_stop: a u64 global in .bss that the runtime sets when stopping.
 * libbpf makes .bss a one-entry array map whose value the programs read
 * with one load (a lookup costs several instructions on every event). */
static LLVMValueRef stop_flag(struct cg *g)
{
	static const char name[] = "hark_stop";
	LLVMMetadataRef u64 = LLVMDIBuilderCreateBasicType(g->di, "unsigned long", 13, 64, 7 /* DW_ATE_unsigned */,
							   LLVMDIFlagZero);
	LLVMValueRef gv = LLVMAddGlobal(g->mod, g->i64, name);

	LLVMSetInitializer(gv, cg_const(g, 0));
	LLVMSetSection(gv, ".bss");
	LLVMSetAlignment(gv, 8);
	LLVMGlobalSetMetadata(gv, LLVMGetMDKindIDInContext(g->ctx, "dbg", 3),
			      LLVMDIBuilderCreateGlobalVariableExpression(
				      g->di, g->di_cu, name, sizeof(name) - 1, name, sizeof(name) - 1, g->di_file, 1, u64,
				      0, LLVMDIBuilderCreateExpression(g->di, NULL, 0), NULL, 0));
	return gv;
}

static void maps(struct cg *g)
{
	struct plan *p = g->plan;
	char name[64];

	g->maps = calloc(p->nmaps + 1, sizeof(*g->maps));
	for (int i = 0; i < p->nmaps; i++) {
		struct plan_map *m = &p->maps[i];
		uint32_t ks = m->key_size + ((m->agg == AGG_HIST || m->agg == AGG_LHIST) ? 8 : 0);

		/* the @name in the kernel's map name, so bpftool shows which is which */
		snprintf(m->bpf_name, sizeof(m->bpf_name), "m%d_", i);
		for (const char *c = m->name + 1; *c && strlen(m->bpf_name) < sizeof(m->bpf_name) - 1; c++) {
			size_t l = strlen(m->bpf_name);

			m->bpf_name[l] = (isalnum((unsigned char)*c) || *c == '_') ? *c : '_';
			m->bpf_name[l + 1] = 0;
		}
		snprintf(name, sizeof(name), "%s", m->bpf_name);
		/* array keys are u32: the low half of hark's 8-byte integer key */
		g->maps[i] = cg_map_global(g, name, map_type(m), m->max_entries, m->kind == MK_ARRAY ? 4 : ks,
					   value_size(m));
	}
	g->ringbuf = cg_map_global(g, "hark_ringbuf", MT_RINGBUF, g->opts->ringbuf_size, 0, 0);
	g->lost = cg_map_global(g, "hark_lost", MT_ARRAY, 1, 4, 8);
	g->drops = cg_map_global(g, "hark_drops", MT_ARRAY, p->nmaps ? (uint32_t)p->nmaps : 1, 4, 8);
	g->param_base = ENV_SITES + count_targets(g->ast);
	g->plan->param_base = g->param_base;
	g->plan->max_params = g->max_params;
	g->env = cg_map_global(g, "hark_env", MT_ARRAY, g->param_base + count_targets(g->ast) * g->max_params, 4, 8);
	g->stop = stop_flag(g);
	p->ringbuf_name = strdup("hark_ringbuf");
}

/* Stack maps are made only when some expression asks for a stack. */
static void stack_maps(struct cg *g, bool user, bool kernel)
{
	if (user) {
		/* key: content hash; value: struct hark_stack (bpf-helpers/ustack.bpf.h) */
		g->ustacks = cg_map_global(g, "hark_ustacks", MT_HASH, g->opts->stack_entries, 8, 128 * 8);
		g->plan->ustack_map = strdup("hark_ustacks");
	}
	if (kernel) {
		g->kstacks = cg_map_global(g, "hark_kstacks", MT_STACK_TRACE, g->opts->stack_entries, 4, 127 * 8);
		g->plan->kstack_map = strdup("hark_kstacks");
	}
}

/* which stack kinds some expression has: bool[2], user and kernel */
static bool uses_stacks(struct ast_node *n, void *ctx)
{
	bool *uk = ctx;

	uk[0] |= n->ty.kind == TY_USTACK;
	uk[1] |= n->ty.kind == TY_KSTACK;
	return true;
}

static const char *section_of(enum probe_kind k)
{
	switch (k) {
	case PK_BEGIN: case PK_END: return "raw_tp";
	case PK_UPROBE: return "uprobe";
	case PK_URETPROBE: return "uretprobe";
	case PK_TRACEPOINT: return "tracepoint";
	case PK_KPROBE: return "kprobe";
	case PK_KRETPROBE: return "kretprobe";
	default: return "perf_event";
	}
}

/* Begin a function: its debug info (a DISubprogram with named parameters:
 * the kernel refuses BTF func protos with unnamed arguments), an entry block
 * that holds the allocas and a "ret" block that returns `retval`; the
 * builder is left in the entry block. A local function is static (a
 * callback); the others are programs. */
void cg_fn_begin(struct cg *g, const char *name, LLVMTypeRef ret, const char *const *params, int nparams,
		 bool local, struct span sp)
{
	LLVMTypeRef pty[4] = { g->ptr, g->ptr, g->ptr, g->ptr };
	LLVMMetadataRef dty[5] = { g->di_int, g->di_ptr, g->di_ptr, g->di_ptr, g->di_ptr }, sty;

	if (LLVMGetIntTypeWidth(ret) == 64) /* a callback returns long */
		dty[0] = LLVMDIBuilderCreateBasicType(g->di, "long", 4, 64, 5 /* DW_ATE_signed */, LLVMDIFlagZero);
	int line, col;

	g->fn = LLVMAddFunction(g->mod, name, LLVMFunctionType(ret, pty, (unsigned)nparams, 0));
	/* no unwind tables: BPF has no use for .eh_frame */
	LLVMAddAttributeAtIndex(g->fn, LLVMAttributeFunctionIndex,
				   LLVMCreateEnumAttribute(g->ctx, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
	source_linecol(g->ast->src, sp.start, &line, &col);
	sty = LLVMDIBuilderCreateSubroutineType(g->di, g->di_file, dty, (unsigned)nparams + 1, LLVMDIFlagZero);
	g->sub = LLVMDIBuilderCreateFunction(g->di, g->di_file, name, strlen(name), name, strlen(name),
					     g->di_file, line, sty, local, 1, line, LLVMDIFlagPrototyped, 1);
	LLVMSetSubprogram(g->fn, g->sub);
	if (local) /* BTF "static": the kernel calls back only static functions */
		LLVMSetLinkage(g->fn, LLVMInternalLinkage);
	g->entry = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "entry");
	g->ret = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "ret");
	LLVMPositionBuilderAtEnd(g->b, g->entry);
	LLVMPositionBuilderAtEnd(g->ab, g->entry);
	cg_set_loc(g, sp);
	for (int i = 0; i < nparams; i++) {
		LLVMValueRef p = LLVMGetParam(g->fn, (unsigned)i);
		LLVMMetadataRef var = LLVMDIBuilderCreateParameterVariable(
			g->di, g->sub, params[i], strlen(params[i]), (unsigned)i + 1, g->di_file, line, g->di_ptr, 1,
			LLVMDIFlagZero);

		LLVMSetValueName2(p, params[i], strlen(params[i]));
		LLVMDIBuilderInsertDbgValueAtEnd(g->di, p, var, LLVMDIBuilderCreateExpression(g->di, NULL, 0),
						 LLVMDIBuilderCreateDebugLocation(g->ctx, line, col, g->sub, NULL),
						 g->entry);
	}
	memset(g->pool, 0, sizeof(g->pool)); /* allocas belong to one function */
	g->scratch_p = NULL;
	g->for_cx = NULL;
}

/* After the entry's allocas (and the variables' slots): the body starts. */
void cg_fn_body(struct cg *g)
{
	LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "body");

	LLVMBuildBr(g->b, body);
	LLVMPositionBuilderAtEnd(g->b, body);
	LLVMPositionBuilderBefore(g->ab, LLVMGetBasicBlockTerminator(g->entry));
}

/* End the function: fall into "ret", return retval there, and check the
 * scratch lookup (the verifier wants it checked before use). */
void cg_fn_finish(struct cg *g, LLVMValueRef retval)
{
	if (!LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(g->b)))
		LLVMBuildBr(g->b, g->ret);
	LLVMMoveBasicBlockAfter(g->ret, LLVMGetLastBasicBlock(g->fn));
	LLVMPositionBuilderAtEnd(g->b, g->ret);
	LLVMBuildRet(g->b, retval);
	if (g->scratch_p) {
		LLVMValueRef term = LLVMGetBasicBlockTerminator(g->entry);
		LLVMBasicBlockRef body = LLVMGetSuccessor(term, 0);

		LLVMInstructionEraseFromParent(term);
		LLVMPositionBuilderAtEnd(g->b, g->entry);
		LLVMBuildCondBr(g->b, LLVMBuildIsNull(g->b, g->scratch_p, ""), g->ret, body);
	}
	if (g->scratch_off > g->scratch_max)
		g->scratch_max = g->scratch_off;
	g->scratch_p = NULL;
}

/* One BPF program: the probe's body for one group of its targets. */
static void program(struct cg *g, struct ast_node *probe, int group, const char *name)
{
	static const char *const params[] = { "ctx" };
	struct sema_probe *sp = g->pi->sp;
	int ntargets = 0, last = -1;

	cg_fn_begin(g, name, g->i32, params, 1, false, probe->span);
	LLVMSetSection(g->fn, section_of(g->pi->groups[group].kind));
	g->ctxp = LLVMGetParam(g->fn, 0);

	g->group = group;
	for (int i = 0; i < g->pi->ntargets; i++) {
		if (g->pi->targets[i].group == group) {
			ntargets++;
			last = g->pi->targets[i].index;
		}
	}
	/* a shared program learns its target from the cookie */
	g->single_target = ntargets == 1 && !g->cur_share ? last : -1;

	g->vars = calloc(sp->nvars + 1, sizeof(*g->vars));
	for (int i = 0; i < sp->nvars; i++)
		g->vars[i] = ty_storage_size(sp->var_ty[i]) <= 16 ? cg_alloca_fixed(g, ty_storage_size(sp->var_ty[i]), "var")
								   : cg_alloca(g, ty_storage_size(sp->var_ty[i]), "var");
	/* the allocas stay above this point; code follows them */
	cg_fn_body(g);
	if (g->pi->groups[group].kind != PK_BEGIN && g->pi->groups[group].kind != PK_END) {
		/* hark is stopping: return before doing anything */
		LLVMValueRef stop = LLVMBuildLoad2(g->b, g->i64, g->stop, "stop");
		LLVMBasicBlockRef run = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "running");

		LLVMSetVolatile(stop, 1); /* the runtime writes it */
		LLVMBuildCondBr(g->b, LLVMBuildIsNotNull(g->b, stop, ""), g->ret, run);
		LLVMPositionBuilderAtEnd(g->b, run);
	}
	if (probe->pred) {
		LLVMBasicBlockRef yes = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "pred_true");

		cg_set_loc(g, probe->pred->span);
		LLVMBuildCondBr(g->b, cg_truth(g, probe->pred), yes, g->ret);
		LLVMPositionBuilderAtEnd(g->b, yes);
	}
	cg_stmts(g, probe->body);
	cg_fn_finish(g, LLVMConstInt(g->i32, 0, 0));
	g->scratch_off = 0;
	free(g->vars);
	g->vars = NULL;
}

static void add_attach(struct plan *p, int prog, const struct probe_target *t, const int64_t *params, int nparams)
{
	struct plan_attach *a;

	if (t->index >= p->nattach) {
		p->attach = realloc(p->attach, (t->index + 1) * sizeof(*p->attach));
		memset(p->attach + p->nattach, 0, (t->index + 1 - p->nattach) * sizeof(*p->attach));
		p->nattach = t->index + 1;
	}
	a = &p->attach[t->index];
	a->prog = prog;
	a->t = *t;
	a->t.probe_name = t->probe_name ? strdup(t->probe_name) : NULL;
	a->t.func_name = t->func_name ? strdup(t->func_name) : NULL;
	a->t.path = t->path ? strdup(t->path) : NULL;
	a->t.event = t->event ? strdup(t->event) : NULL;
	a->nparams = params ? nparams : 0;
	if (a->nparams) {
		a->params = malloc(nparams * sizeof(*a->params));
		memcpy(a->params, params, nparams * sizeof(*a->params));
	}
}

static void programs(struct cg *g)
{
	struct plan *p = g->plan;
	int pi = 0;

	g->scratch_gv = LLVMAddGlobal(g->mod, g->i64, "hark_scratch_placeholder");
	for (struct ast_node *probe = g->ast->probes; probe; probe = probe->next, pi++) {
		struct cg_share *sh = &g->share[pi], *rep = &g->share[sh->rep];

		g->pi = probe->sema;
		g->probe = probe;
		if (sh->rep == pi)
			sh->first_prog = p->nprogs;
		for (int gr = 0; gr < g->pi->ngroups; gr++) {
			char name[64];
			struct plan_prog *pp;

			if (sh->rep == pi) {
				/* this probe's own program for the group */
				snprintf(name, sizeof(name), "%s_%d_%d", section_of(g->pi->groups[gr].kind), pi, gr);
				g->cur_share = sh->members ? sh : NULL;
				program(g, probe, gr, name);
				g->cur_share = NULL;
				p->progs = realloc(p->progs, (p->nprogs + 1) * sizeof(*p->progs));
				pp = &p->progs[p->nprogs];
				pp->name = strdup(name);
				pp->kind = g->pi->groups[gr].kind;
				p->nprogs++;
			}
			for (int t = 0; t < g->pi->ntargets; t++)
				if (g->pi->targets[t].group == gr)
					add_attach(p, rep->first_prog + gr, &g->pi->targets[t],
						   sh->target_params ? sh->target_params[t] : NULL, rep->nparams);
		}
	}
	if (g->scratch_max) {
		LLVMValueRef real = cg_map_global(g, "hark_scratch", MT_PERCPU_ARRAY, 1, 4, g->scratch_max);

		LLVMReplaceAllUsesWith(g->scratch_gv, real);
	}
	LLVMDeleteGlobal(g->scratch_gv);
}

/* Helpers become internal: unused ones vanish; the small ones are inlined,
 * the others stay subprograms (bpf-helpers/helpers.bpf.c says which). */
static void internalize_helpers(struct cg *g)
{
	for (LLVMValueRef f = LLVMGetFirstFunction(g->mod); f; f = LLVMGetNextFunction(f)) {
		size_t len;
		const char *name = LLVMGetValueName2(f, &len);

		if (!LLVMIsDeclaration(f) && !strncmp(name, "hark_", 5)) {
			LLVMSetLinkage(f, LLVMInternalLinkage);
		}
	}
}

/* "-e:1:24: in function raw_tp_0_0 i32 (ptr): Looks like the BPF stack
 * limit of 512 bytes is exceeded..." as a located diagnostic */
static void backend_error(struct cg *g)
{
	const char *m = g->llvm_error, *in = strstr(m, ": in function ");
	const char *what = in ? strstr(in, "): ") : NULL;
	int line = 0, col = 0;
	struct span sp = { 0, 0 };
	char fmt[64];

	snprintf(fmt, sizeof(fmt), "%s:%%d:%%d", g->ast->src->name);
	if (sscanf(m, fmt, &line, &col) == 2 && line >= 1 && (size_t)line <= g->ast->src->nlines) {
		sp.start = g->ast->src->line_starts[line - 1] + (uint32_t)(col > 0 ? col - 1 : 0);
		sp.end = sp.start;
	}
	what = what ? what + 3 : m;
	if (strstr(what, "stack limit"))
		diag_error(g->d, sp, "this probe needs more than the 512 bytes of stack BPF allows");
	else
		diag_error(g->d, sp, "the BPF backend cannot compile this: %s", what);
	if (strstr(what, "stack limit"))
		diag_hint(g->d, "split the probe's work, or use fewer values per statement");
}

static int emit(struct cg *g)
{
	LLVMTargetRef target;
	LLVMTargetMachineRef tm;
	LLVMMemoryBufferRef buf;
	LLVMPassBuilderOptionsRef pbo;
	LLVMErrorRef lerr;
	char *msg = NULL;
	int err = 0;

	LLVMInitializeBPFTargetInfo();
	LLVMInitializeBPFTarget();
	LLVMInitializeBPFTargetMC();
	LLVMInitializeBPFAsmPrinter();
	if (LLVMGetTargetFromTriple("bpfel", &target, &msg)) {
		fprintf(stderr, "codegen: no BPF target in this LLVM: %s\n", msg);
		LLVMDisposeMessage(msg);
		return -ENOTSUP;
	}
	tm = LLVMCreateTargetMachine(target, "bpfel", "v3", "", LLVMCodeGenLevelDefault, LLVMRelocDefault,
				     LLVMCodeModelDefault);
	LLVMSetTarget(g->mod, "bpfel");
	{
		LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
		char *dl = LLVMCopyStringRepOfTargetData(td);

		LLVMSetDataLayout(g->mod, dl);
		LLVMDisposeMessage(dl);
		LLVMDisposeTargetData(td);
	}
	LLVMDIBuilderFinalize(g->di);
	if (LLVMVerifyModule(g->mod, LLVMReturnStatusAction, &msg)) {
		fprintf(stderr, "codegen: internal error, invalid LLVM IR (please report):\n%s\n", msg);
		LLVMDisposeMessage(msg);
		msg = NULL;
		err = -EINVAL;
		goto out;
	}
	LLVMDisposeMessage(msg);
	msg = NULL;
	pbo = LLVMCreatePassBuilderOptions();
	/* What BPF code needs from the middle end: inline the small helpers,
	 * promote allocas, fold, simplify the CFG, drop unused helpers. The
	 * full O2 pipeline gives the same code here at 8x the time. */
	lerr = LLVMRunPasses(g->mod, "always-inline,function(sroa,instcombine,simplifycfg),globaldce", tm, pbo);
	LLVMDisposePassBuilderOptions(pbo);
	if (lerr) {
		char *m = LLVMGetErrorMessage(lerr);

		fprintf(stderr, "codegen: optimisation failed: %s\n", m);
		LLVMDisposeErrorMessage(m);
		err = -EINVAL;
		goto out;
	}
	if (g->opts->dump_ir) {
		char *ir = LLVMPrintModuleToString(g->mod);

		fputs(ir, g->opts->dump_ir);
		LLVMDisposeMessage(ir);
	}
	if (g->opts->dump_asm) {
		if (LLVMTargetMachineEmitToMemoryBuffer(tm, g->mod, LLVMAssemblyFile, &msg, &buf)) {
			fprintf(stderr, "codegen: BPF assembly emission failed: %s\n", msg);
			err = -EINVAL;
			goto out;
		}
		fwrite(LLVMGetBufferStart(buf), 1, LLVMGetBufferSize(buf), g->opts->dump_asm);
		LLVMDisposeMemoryBuffer(buf);
	}
	if (LLVMTargetMachineEmitToMemoryBuffer(tm, g->mod, LLVMObjectFile, &msg, &buf)) {
		fprintf(stderr, "codegen: BPF object emission failed: %s\n", msg);
		err = -EINVAL;
		goto out;
	}
	if (g->llvm_error) {
		backend_error(g);
		LLVMDisposeMemoryBuffer(buf);
		err = -EINVAL;
		goto out;
	}
	g->plan->obj_size = LLVMGetBufferSize(buf);
	g->plan->obj = malloc(g->plan->obj_size);
	memcpy(g->plan->obj, LLVMGetBufferStart(buf), g->plan->obj_size);
	LLVMDisposeMemoryBuffer(buf);
out:
	if (msg)
		LLVMDisposeMessage(msg);
	LLVMDisposeTargetMachine(tm);
	return err;
}

/* LLVM's backend reports some failures (a program needing more than the
 * BPF stack) through the context; without a handler it prints them and
 * calls exit(1), skipping hark's cleanup. Keep the first error instead. */
static void on_llvm_diagnostic(LLVMDiagnosticInfoRef info, void *ctx)
{
	struct cg *g = ctx;

	if (LLVMGetDiagInfoSeverity(info) != LLVMDSError || g->llvm_error)
		return;
	g->llvm_error = LLVMGetDiagInfoDescription(info);
}

int cg_compile(struct ast *ast, struct plan *plan, const struct cg_opts *opts, struct diags *d)
{
	struct cg g = { .ast = ast, .plan = plan, .opts = opts, .d = d };
	bool uk[2] = { false, false };
	int err;

	g.ctx = LLVMContextCreate();
	LLVMContextSetDiagnosticHandler(g.ctx, on_llvm_diagnostic, &g);
	err = setup(&g);
	if (err)
		goto out;
	cg_share_probes(&g);
	maps(&g);
	ast_visit(ast->probes, uses_stacks, uk);
	stack_maps(&g, uk[0], uk[1]);
	programs(&g);
	internalize_helpers(&g);
	err = diags__nerrors(d) ? -EINVAL : emit(&g);
out:
	if (g.llvm_error)
		LLVMDisposeMessage(g.llvm_error);
	cg_share_free(&g);
	free(g.maps);
	if (g.di)
		LLVMDisposeDIBuilder(g.di);
	if (g.b)
		LLVMDisposeBuilder(g.b);
	if (g.ab)
		LLVMDisposeBuilder(g.ab);
	if (g.mod)
		LLVMDisposeModule(g.mod);
	LLVMContextDispose(g.ctx);
	return err;
}

/* Shared state of the code generator's files (cg_*.c). */
#ifndef HARK_CG_INTERNAL_H
#define HARK_CG_INTERNAL_H

#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>

#include "../lang/ast.h"
#include "../lang/probe.h"
#include "../lang/sema.h"
#include "cg.h"
#include "plan.h"

/* BPF helper function ids (include/uapi/linux/bpf.h) */
enum {
	BH_MAP_LOOKUP = 1, BH_MAP_UPDATE = 2, BH_MAP_DELETE = 3, BH_PROBE_READ = 4,
	BH_KTIME_GET_NS = 5, BH_PRANDOM_U32 = 7, BH_SMP_PROCESSOR_ID = 8,
	BH_PID_TGID = 14, BH_UID_GID = 15, BH_COMM = 16, BH_GET_STACKID = 27,
	BH_PROBE_READ_STR = 45, BH_CGROUP_ID = 80, BH_PROBE_READ_USER = 112,
	BH_PROBE_READ_KERNEL = 113, BH_PROBE_READ_USER_STR = 114,
	BH_PROBE_READ_KERNEL_STR = 115, BH_ATTACH_COOKIE = 174, BH_SEND_SIGNAL = 109,
	BH_FOR_EACH_MAP_ELEM = 164,
};

/* x86-64 struct pt_regs offsets */
enum {
	REG_BP = 32, REG_BX = 40, REG_R9 = 64, REG_R8 = 72, REG_AX = 80, REG_CX = 88,
	REG_DX = 96, REG_SI = 104, REG_DI = 112, REG_IP = 128, REG_SP = 152,
};

/* Probes sharing programs (cg_share.c), one per probe, in probe order. */
struct cg_share {
	int rep;                  /* the probe whose programs this one uses (itself if none) */
	int members;              /* rep: how many other probes use its programs */
	int first_prog;           /* rep: plan index of its first program (one per group) */
	int nlits, nparams;
	int *param_of;            /* rep: literal k -> parameter slot, -1 if constant */
	struct ast_node **nodes;  /* rep: literal k's node */
	int64_t **target_params;  /* per target of this probe: its parameter values */
};

#define CG_POOL_MAX 64

struct cg_pool {
	LLVMValueRef slot[CG_POOL_MAX];
	int n, used;
};

struct cg {
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMDIBuilderRef di;
	LLVMMetadataRef di_file, di_cu, di_int, di_ptr;
	LLVMTypeRef i8, i32, i64, ptr, voidt;

	struct ast *ast;
	struct plan *plan;
	struct diags *d;
	const struct cg_opts *opts;

	LLVMValueRef *maps;          /* per plan map */
	LLVMValueRef ringbuf, lost, env, ustacks, kstacks;
	LLVMValueRef stop;           /* hark_stop, a .bss global */
	LLVMValueRef drops;          /* hark_drops: updates that did not fit, per map */

	/* current function */
	LLVMValueRef fn, ctxp;
	LLVMBasicBlockRef entry, ret;
	LLVMBuilderRef ab;           /* builds allocas at the top of entry */
	LLVMMetadataRef sub;
	struct probe_info *pi;
	struct ast_node *probe;
	int group;
	int single_target;           /* cookie as a constant when >= 0 */
	LLVMValueRef *vars;

	/* Buffers too big for the 512-byte BPF stack live in a per-CPU array
	 * (hark_scratch), carved per program; see cg_alloca(). */
	LLVMValueRef scratch_gv;     /* placeholder until the size is known */
	LLVMValueRef scratch_p;      /* this program's pointer into it */
	uint32_t scratch_off, scratch_max;
	struct cg_pool pool[2];      /* 8- and 16-byte temporaries (cg_alloca) */

	char *llvm_error;            /* the backend's first error (on_llvm_diagnostic) */
	struct cg_share *share;      /* per probe */
	struct cg_share *cur_share;  /* the program being generated is shared */
	/* loops: where break and continue go (NULL outside loops) */
	LLVMBasicBlockRef brk, cont;
	/* in for loops' callbacks (cg_for.c), per level from the outermost:
	 * the entry's key and value and the map walked; and the innermost
	 * caller's flag that `return` sets, and the block that ends its walk */
	LLVMValueRef for_key[SEMA_MAX_FOR], for_val[SEMA_MAX_FOR];
	int for_map[SEMA_MAX_FOR];
	int for_levels;              /* loops around the code being generated */
	LLVMValueRef for_stop;
	LLVMBasicBlockRef brk_for;
	LLVMValueRef for_cx;         /* this function's loop context slot (cg_for.c) */
	uint32_t for_cx_size;
	int nfor;                    /* callbacks made: hark_for_<n> */

	int max_params;              /* parameters per cookie in hark_env */
	uint32_t param_base;         /* hark_env slot of cookie 0's first parameter */
};

struct cgv {
	LLVMValueRef v; /* i64 for integers, probe/func ids and kstacks; ptr to a buffer for str/ustack */
	struct ty ty;
};

/* cg_module.c */
LLVMValueRef cg_map_global(struct cg *g, const char *name, int type, uint32_t max_entries,
			   uint32_t key_size, uint32_t value_size);
LLVMValueRef cg_helper_fn(struct cg *g, const char *name);
void cg_set_loc(struct cg *g, struct span sp);
void cg_fn_begin(struct cg *g, const char *name, LLVMTypeRef ret, const char *const *params, int nparams,
		 bool local, struct span sp);
void cg_fn_body(struct cg *g);
void cg_fn_finish(struct cg *g, LLVMValueRef retval);

/* cg_for.c */
void cg_for(struct cg *g, struct ast_node *n);
struct cgv cg_for_field(struct cg *g, struct ast_node *n);
/* print($kv): the key's fields and the value into the event, as f lays them out */
void cg_for_pair(struct cg *g, const struct ast_node *var, LLVMValueRef event, const struct plan_fmt *f);
void cg_return(struct cg *g); /* `return`: leave the probe, from a loop body too */

/* cg_expr.c */
LLVMValueRef cg_const(struct cg *g, uint64_t v);
LLVMValueRef cg_alloca(struct cg *g, uint32_t size, const char *name);
LLVMValueRef cg_alloca_fixed(struct cg *g, uint32_t size, const char *name);
LLVMValueRef cg_new_buf(struct cg *g, uint32_t size); /* zeroed temporary */
LLVMValueRef cg_scratch(struct cg *g, uint32_t size, const char *name); /* in hark_scratch, whatever the size */
LLVMValueRef cg_call_helper(struct cg *g, int id, LLVMTypeRef ret, LLVMValueRef *args, int nargs);
LLVMValueRef cg_call(struct cg *g, const char *helper, LLVMValueRef *args, int nargs);
LLVMValueRef cg_gep(struct cg *g, LLVMValueRef base, uint32_t off);
void cg_store_value(struct cg *g, LLVMValueRef dst, struct cgv v);
LLVMValueRef cg_map_key(struct cg *g, struct ast_node *m, struct plan_map *pm, uint32_t extra);
struct cgv cg_expr(struct cg *g, struct ast_node *n);
LLVMValueRef cg_truth(struct cg *g, struct ast_node *n);
LLVMValueRef cg_divmod(struct cg *g, enum ast_op op, bool is_signed, LLVMValueRef l, LLVMValueRef r);

/* cg_stmt.c */
void cg_stmts(struct cg *g, struct ast_node *n);

/* cg_share.c */
void cg_share_probes(struct cg *g);
void cg_share_free(struct cg *g);
int cg_share_param(struct cg *g, const struct ast_node *n);
LLVMValueRef cg_param(struct cg *g, int k); /* cg_expr.c */

/* cg_go.c */
struct cgv cg_go_arg(struct cg *g, const struct go_arg *a);
LLVMValueRef cg_goid(struct cg *g);
LLVMValueRef cg_godepth(struct cg *g);
LLVMValueRef cg_go_argn(struct cg *g, int n);

/* cg_expr.c: a user stack, as the 16-byte {stack hash, pid} key */
LLVMValueRef cg_ustack(struct cg *g, int max_frames);

#endif

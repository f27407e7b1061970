/* plan: the plain-data contract between the compiler and the runtime.
 *
 * "The object plus this is all that is needed to run": which maps exist and
 * how to decode them, which programs attach where (with which cookie), and
 * how to decode the events BPF sends through the ring buffer.
 *
 * Map layouts (all integers little-endian, as the host):
 *   key   = the key fields packed at their offsets (key_size bytes; 8 bytes
 *           of zero for a map without keys); for AGG_HIST/AGG_LHIST the key
 *           is followed by a u64 bucket index (so the BPF key is key_size+8).
 *   value per CPU (percpu maps; user space sums/merges the CPUs):
 *     AGG_COUNT, AGG_SUM     s64
 *     AGG_MIN, AGG_MAX       struct { s64 value; u64 set; }   (set != 0 once written)
 *     AGG_AVG, AGG_STATS     struct { s64 sum; u64 count; }
 *     AGG_HIST, AGG_LHIST    u64 count of the bucket
 *   AGG_NONE: a plain (non-percpu) hash; value is value_ty (int: 8 bytes; str: size).
 *
 * Histogram bucket index:
 *   hist:  0 = negative, 1 = zero, k >= 2 = [2^(k-2), 2^(k-1))   (k = 2 is "[1]")
 *   lhist: 0 = below min, 1..n = [min+(i-1)*step, min+i*step), n+1 = >= max,
 *          n = (max - min) / step
 *
 * Ring buffer events start with a u64 type:
 *   EV_PRINTF   u64 type, u64 fmt_id, then the args at plan_fmt.arg_off[]
 *   EV_EXIT     u64 type, s64 code
 *   EV_PRINT    u64 type, u64 map_id, s64 top, s64 div
 *   EV_CLEAR    u64 type, u64 map_id
 *   EV_ZERO     u64 type, u64 map_id
 *   EV_PRINTVAL u64 type, u64 fmt_id (a plan_fmt with one arg and fmt NULL), value at arg_off[0]
 *   EV_TIME     u64 type, u64 fmt_id (a plan_fmt with no args; fmt is a strftime format)
 */
#ifndef HARK_PLAN_H
#define HARK_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lang/probe.h"
#include "../lang/types.h"

enum agg_kind {
	AGG_NONE = 0,
	AGG_COUNT,
	AGG_SUM,
	AGG_AVG,
	AGG_MIN,
	AGG_MAX,
	AGG_STATS,
	AGG_HIST,
	AGG_LHIST,
};

enum ev_type {
	EV_PRINTF = 1,
	EV_EXIT,
	EV_PRINT,
	EV_CLEAR,
	EV_ZERO,
	EV_PRINTVAL,
	EV_TIME,     /* u64 type, u64 fmt_id: strftime() the plan_fmt's text, now */
	EV_SYSTEM,   /* as EV_PRINTF; the formatted text is run by /bin/sh (--unsafe) */
};

#define PLAN_MAX_KEYS 8

/* let @m = KIND(SIZE); aggregations are always per-CPU, so hash and
 * percpuhash (lruhash and percpulruhash) differ only for plain values,
 * where the per-CPU kinds are refused. */
enum map_kind { MK_DEFAULT = 0, MK_HASH, MK_PERCPUHASH, MK_LRUHASH, MK_PERCPULRUHASH, MK_ARRAY };

/* hark_env: a u64 array map the runtime writes (grep "ENV SLOTS") */
enum env_slot {
	ENV_START_NS = 0, /* CLOCK_MONOTONIC at start, for `elapsed` */
	ENV_EXIT = 1,     /* exit(code) stores code + 1: seen even if the ring
			   * buffer was too full to carry the exit event */
	ENV_SITES = 2,    /* ENV_SITES + cookie: the probed instruction's address in
			   * its binary (load bias = ip - it, for PIE symbol tests);
			   * then plan.param_base + cookie * plan.max_params + k:
			   * parameter k of a shared program (cg_share.c) */
};

struct plan_map {
	char *name;              /* "@c", "@" */
	int nkeys;               /* 0 = scalar map */
	struct ty key_ty[PLAN_MAX_KEYS];
	uint32_t key_off[PLAN_MAX_KEYS];
	uint32_t key_size;       /* packed key bytes (8 when nkeys == 0) */
	enum agg_kind agg;
	struct ty value_ty;      /* AGG_NONE: the stored type */
	int64_t lhist_min, lhist_max, lhist_step;
	uint32_t max_entries;
	enum map_kind kind;      /* declared kind (MK_DEFAULT: hash) */
	char bpf_name[16];       /* the BPF map's name: "m<id>_<name>", as bpftool lists it */
	/* runtime: */
	int fd;
	bool percpu;
};

struct plan_fmt {
	char *fmt;               /* printf format (NULL for EV_PRINTVAL) */
	int nargs;
	struct ty *arg_ty;
	uint32_t *arg_off;       /* offset of each arg from the start of the event */
	uint32_t size;           /* whole event size */
	int pair_keys;           /* EV_PRINTVAL of a for loop's $kv: args are the key's
				  * pair_keys fields, then the value: "(k, v)" */
};

/* One BPF program: a group of one probe (see lang/probe.h). */
struct plan_prog {
	char *name;              /* BPF function (and program) name in the object */
	enum probe_kind kind;
};

/* One concrete attachment: program `prog` at `t`. */
struct plan_attach {
	int prog;                /* index into plan.progs */
	struct probe_target t;   /* strings owned by the plan */
	int64_t *params;         /* values of a shared program's parameters (codegen/cg_share.c) */
	int nparams;
};

struct plan {
	struct plan_map *maps; int nmaps;
	struct plan_fmt *fmts; int nfmts;
	struct plan_prog *progs; int nprogs;
	struct plan_attach *attach; int nattach; /* index = BPF cookie */
	char *ringbuf_name;      /* ring buffer map name in the object */
	char *ustack_map, *kstack_map; /* stack trace map names, NULL if unused */
	bool needs_ringbuf;
	uint32_t param_base;
	int max_params;
	void *obj; size_t obj_size; /* the BPF ELF object, in memory */
};

void plan__free(struct plan *p);

#endif

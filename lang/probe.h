/* probe: what an attach point resolved to.
 *
 * runtime/resolve.c expands each AST_PROBE's attach points (wildcards,
 * libraries, tracepoint formats) into concrete targets before sema runs and
 * hangs a `struct probe_info` on the probe node (node->sema). Targets whose
 * bodies can share code are put in one group: codegen emits one BPF program
 * per group and the runtime attaches it to every target of the group, with
 * the target's global index as BPF cookie ("compile once, attach many").
 */
#ifndef HARK_PROBE_H
#define HARK_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "goalias.h"

struct sema_probe;

enum probe_kind {
	PK_BEGIN, PK_END,
	PK_UPROBE, PK_URETPROBE,
	PK_TRACEPOINT,
	PK_INTERVAL, PK_PROFILE, PK_SOFTWARE, PK_HARDWARE,
	PK_KPROBE, PK_KRETPROBE,
};

/* A tracepoint record field, from its format file. */
struct tp_field {
	char *name;
	char *type;          /* as in the format file */
	uint32_t offset, size;
	bool is_signed;
	bool is_data_loc;    /* __data_loc char[]: u32 (len << 16 | off) */
	bool is_char_array;  /* char x[N] inside the record */
	bool is_ptr;         /* a pointer ("char *", "const char *", ...) */
};

/* One concrete attachment. */
struct probe_target {
	enum probe_kind kind;
	char *probe_name;    /* as `probe` prints: "tracepoint:syscalls:sys_enter_read" */
	char *func_name;     /* as `func` prints (symbol / tracepoint name); may be NULL */
	char *path;          /* uprobe: absolute binary path; tracepoint: category */
	char *event;         /* tracepoint: name; software/hardware: event name; kprobe: symbol */
	uint64_t offset;     /* uprobe: file offset; kprobe: offset in symbol */
	uint64_t period;     /* interval: ns; profile: hz; software/hardware: period */
	int pid;             /* uprobe: -1 for all processes, else that pid */
	int group;           /* index of the group (program) within its probe */
	int index;           /* global index over the whole program = BPF cookie */
	struct go_site go;   /* Go function facts (go.is_go false elsewhere) */
	uint64_t vaddr;      /* uprobe: address of the probed instruction in the binary */
	bool ret_site;       /* a Go return probe: a uprobe on a RET instruction */
	bool frame_unset;    /* the probed instruction runs before the function's
			      * frame is set up (entry, after a Go stack check,
			      * RET): the caller is the return address at [SP] */
};

/* A symbol's address range, resolved for `caller == "sym"`, `func == "sym"`
 * and uaddr("sym") (hung on the string literal's node->sema). */
struct sym_range {
	uint64_t lo, hi;     /* [lo, hi) in the binary's own addresses */
	bool pie;            /* the binary is ET_DYN: subtract the load bias */
};

struct probe_group {
	enum probe_kind kind;    /* every target of a group has this kind */
	struct go_site go;       /* ... these Go facts */
	bool ret_site, frame_unset;
	struct tp_field *fields; /* tracepoints: the record layout shared by the group */
	int nfields;
};

struct probe_info {
	enum probe_kind kind;
	struct probe_target *targets;
	int ntargets;
	struct probe_group *groups;
	int ngroups;
	struct sema_probe *sp;   /* filled by sema */
};

#endif

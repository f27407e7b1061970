/* types: the value types of hark expressions and map values. */
#ifndef HARK_TYPES_H
#define HARK_TYPES_H

#include <stdbool.h>
#include <stdint.h>

enum ty_kind {
	TY_NONE = 0, /* no value (statements, void functions) */
	TY_INT,      /* size 1,2,4,8; is_signed */
	TY_STR,      /* fixed buffer of `size` bytes, NUL-terminated inside */
	TY_USTACK,   /* 16 bytes: u64 stack id, u64 pid; size = 16; nframes limit in `arg` */
	TY_KSTACK,   /* 8 bytes: u64 stack id */
	TY_PROBE,    /* u64 index into the plan's probe table; printed as the probe's name */
	TY_FUNC,     /* u64 index into the plan's probe table; printed as the function name */
	TY_AGG,      /* an aggregation call result (count(), hist(), ...); only assignable to a map */
	TY_USYM,     /* 16 bytes: u64 user address, u64 pid; printed as the symbol's name */
	TY_KSYM,     /* u64 kernel address; printed as the symbol's name */
};

struct ty {
	enum ty_kind kind;
	uint16_t size;
	bool is_signed;
	uint16_t arg; /* TY_USTACK/TY_KSTACK: max frames */
	uint8_t mode; /* TY_USTACK/TY_KSTACK: enum stack_mode */
};

/* How stack frames print: ustack(bpftrace|perf|raw[, N]) */
enum stack_mode { STACK_BPFTRACE = 0, STACK_PERF, STACK_RAW };

#define STR_SIZE 64 /* default string buffer, as bpftrace */
#define COMM_SIZE 16

static inline struct ty ty_int(int size, bool is_signed)
{
	return (struct ty){ .kind = TY_INT, .size = (uint16_t)size, .is_signed = is_signed };
}
static inline struct ty ty_str(int size)
{
	return (struct ty){ .kind = TY_STR, .size = (uint16_t)size };
}

#endif

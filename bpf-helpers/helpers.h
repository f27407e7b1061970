/* BPF-side building blocks shared by every hark program.
 *
 * Compiled for BPF to bitcode (helpers.bpf.c) and linked into each module by
 * codegen, which calls them by these names; after linking they become
 * internal; small ones are inlined, the rest stay BPF subprograms. Keep signatures in sync with codegen/cg_helpers.c
 * (grep "HELPER ABI").
 *
 * Map value layouts are described in codegen/plan.h.
 */
#ifndef HARK_BPF_HELPERS_H
#define HARK_BPF_HELPERS_H

#ifndef __u64
#include <linux/types.h>
#endif

/* HELPER ABI */
/* Full maps never fail silently: every update that does not fit counts one
 * drop for its map in `drops` (an array indexed by plan map id). */
static void hark_drop(void *drops, __u64 id);
/* Pointer to this CPU's value slot for key, created zeroed if absent;
 * NULL when the map is full. */
static void *hark_map_slot(void *map, const void *key, void *drops, __u64 id);
/* plain values */
static void hark_map_store(void *map, const void *key, const void *val, void *drops, __u64 id);
/* count/sum: *slot += v */
static void hark_agg_add(void *map, const void *key, __s64 v, void *drops, __u64 id);
/* min/max: struct { s64 value; u64 set; } */
static void hark_agg_min(void *map, const void *key, __s64 v, void *drops, __u64 id);
static void hark_agg_max(void *map, const void *key, __s64 v, void *drops, __u64 id);
/* avg/stats: struct { s64 sum; u64 count; } */
static void hark_agg_avg(void *map, const void *key, __s64 v, void *drops, __u64 id);
/* hist/lhist bucket indexes (see plan.h) */
static __u64 hark_hist_index(__s64 v);
static __u64 hark_lhist_index(__s64 v, __s64 min, __s64 max, __s64 step);
/* Signed / and % (BPF cpu v3 has only unsigned ones) */
static __s64 hark_sdiv(__s64 a, __s64 b);
static __s64 hark_smod(__s64 a, __s64 b);
/* len(@m) */
static __u64 hark_map_len(void *map);
/* for loops: a per-CPU count/sum (how 0), min (1) or max (2), all CPUs merged */
static __s64 hark_percpu_value(void *map, const void *key, __u64 how);
/* Read a plain int map value (0 when absent). */
static __s64 hark_map_read_int(void *map, const void *key);
/* 0 when the first n bytes of a and b are equal up to the first NUL. */
static __s64 hark_strncmp(const char *a, const char *b, __u64 n);
/* Send size bytes to the ring buffer; count a lost event when it is full. */
static void hark_emit(void *ringbuf, void *lostmap, void *data, __u64 size);

#endif

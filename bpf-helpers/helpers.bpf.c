/* BPF-side building blocks (see helpers.h). Compiled with clang -target bpf
 * to bitcode; every function is inlined into the programs that call it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "helpers.h"

/* Small helpers are inlined; larger ones stay BPF subprograms, compiled
 * once per object instead of once per probe (compile time grows with the
 * code LLVM must select instructions for). All are static, so the kernel
 * verifies them in their callers' context (a global function may take
 * only scalars and may not return pointers); `used` keeps them in the
 * bitcode until codegen has called them (it then drops llvm.compiler.used). */
#define INLINE static __attribute__((used, always_inline))
#define SUBPROG static __attribute__((used, noinline))

/* One more update of map `id` that did not fit (drops[id] += 1). */
SUBPROG void hark_drop(void *drops, __u64 id)
{
	__u32 k = (__u32)id;
	__u64 *n = bpf_map_lookup_elem(drops, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* The value slot of key in an aggregation map, created zeroed if absent;
 * NULL, and a drop counted for map `id`, when the map is full. */
SUBPROG void *hark_map_slot(void *map, const void *key, void *drops, __u64 id)
{
	__u64 zero[2] = { 0, 0 }; /* big enough for every aggregation value */
	void *slot = bpf_map_lookup_elem(map, key);

	if (slot)
		return slot;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	slot = bpf_map_lookup_elem(map, key);
	if (!slot)
		hark_drop(drops, id);
	return slot;
}

/* A plain value: store, or count a drop when the map is full. */
SUBPROG void hark_map_store(void *map, const void *key, const void *val, void *drops, __u64 id)
{
	if (bpf_map_update_elem(map, key, val, BPF_ANY) < 0)
		hark_drop(drops, id);
}

/* count(), sum() and the histograms: the hottest path. Inlined, so the map
 * is a constant at each lookup and the verifier can inline the lookup
 * itself; only a key's first event goes through hark_map_slot. */
INLINE void hark_agg_add(void *map, const void *key, __s64 v, void *drops, __u64 id)
{
	__s64 *slot = bpf_map_lookup_elem(map, key);

	if (!slot)
		slot = hark_map_slot(map, key, drops, id);

	if (slot)
		*slot += v;
}

SUBPROG void hark_agg_min(void *map, const void *key, __s64 v, void *drops, __u64 id)
{
	__s64 *slot = hark_map_slot(map, key, drops, id);

	if (slot && (!slot[1] || v < slot[0])) {
		slot[0] = v;
		slot[1] = 1;
	}
}

SUBPROG void hark_agg_max(void *map, const void *key, __s64 v, void *drops, __u64 id)
{
	__s64 *slot = hark_map_slot(map, key, drops, id);

	if (slot && (!slot[1] || v > slot[0])) {
		slot[0] = v;
		slot[1] = 1;
	}
}

SUBPROG void hark_agg_avg(void *map, const void *key, __s64 v, void *drops, __u64 id)
{
	__s64 *slot = hark_map_slot(map, key, drops, id);

	if (slot) {
		slot[0] += v;
		slot[1] += 1;
	}
}

/* 0 negative, 1 zero, k >= 2: [2^(k-2), 2^(k-1)) */
SUBPROG __u64 hark_hist_index(__s64 v)
{
	__u64 x = (__u64)v, r = 0, s;

	if (v < 0)
		return 0;
	if (v == 0)
		return 1;
	s = (x > 0xFFFFFFFFULL) << 5; x >>= s; r |= s;
	s = (x > 0xFFFFULL) << 4; x >>= s; r |= s;
	s = (x > 0xFFULL) << 3; x >>= s; r |= s;
	s = (x > 0xFULL) << 2; x >>= s; r |= s;
	s = (x > 0x3ULL) << 1; x >>= s; r |= s;
	r |= (x >> 1);
	return r + 2;
}

/* Unsigned division: BPF before cpu v4 has no signed one (min <= v, step > 0). */
SUBPROG __u64 hark_lhist_index(__s64 v, __s64 min, __s64 max, __s64 step)
{
	if (v < min)
		return 0;
	if (v >= max)
		return (__u64)(max - min) / (__u64)step + 1;
	return (__u64)(v - min) / (__u64)step + 1;
}

/* Signed division and remainder, which BPF before cpu v4 lacks: on the
 * magnitudes, unsigned, then signed back (C's truncation toward zero;
 * x / 0 is 0 and x % 0 is x, as BPF defines them). */
INLINE __s64 hark_sdiv(__s64 a, __s64 b)
{
	__u64 ua = a < 0 ? -(__u64)a : (__u64)a, ub = b < 0 ? -(__u64)b : (__u64)b;
	__u64 q = ub ? ua / ub : 0;

	return (a < 0) != (b < 0) ? -(__s64)q : (__s64)q;
}

INLINE __s64 hark_smod(__s64 a, __s64 b)
{
	__u64 ua = a < 0 ? -(__u64)a : (__u64)a, ub = b < 0 ? -(__u64)b : (__u64)b;
	__u64 r = ub ? ua % ub : ua;

	return a < 0 ? -(__s64)r : (__s64)r;
}

INLINE __s64 hark_map_read_int(void *map, const void *key)
{
	__s64 *slot = bpf_map_lookup_elem(map, key);

	return slot ? *slot : 0;
}

SUBPROG __s64 hark_strncmp(const char *a, const char *b, __u64 n)
{
	for (int i = 0; i < 256; i++) {
		if ((__u64)i >= n)
			break;
		if (a[i] != b[i])
			return 1;
		if (a[i] == 0)
			break;
	}
	return 0;
}

SUBPROG void hark_emit(void *ringbuf, void *lostmap, void *data, __u64 size)
{
	if (bpf_ringbuf_output(ringbuf, data, size, 0) < 0) {
		__u32 k = 0;
		__u64 *lost = bpf_map_lookup_elem(lostmap, &k);

		if (lost)
			__sync_fetch_and_add(lost, 1);
	}
}

/* len(@m): the number of entries, counted by the kernel's map iterator */
static long hark_len_cb(void *map, const void *key, void *val, void *ctx)
{
	(*(__u64 *)ctx)++;
	return 0;
}

SUBPROG __u64 hark_map_len(void *map)
{
	__u64 n = 0;

	bpf_for_each_map_elem(map, hark_len_cb, &n, 0);
	return n;
}

/* for ($kv : @m) over a per-CPU aggregation: $kv.1 is the value of all
 * CPUs merged as user space merges them (add for count and sum; the
 * extreme of the CPUs that saw a value for min and max). */
struct hark_merge {
	void *map;
	const void *key;
	__u64 how; /* 0 add, 1 min, 2 max */
	__s64 v;
	__u64 set;
};

static long hark_merge_cb(__u64 cpu, void *ctx)
{
	struct hark_merge *m = ctx;
	__s64 *slot = bpf_map_lookup_percpu_elem(m->map, m->key, (__u32)cpu);

	if (!slot)
		return 1; /* past the last possible CPU */
	if (m->how == 0) {
		m->v += slot[0];
	} else if (slot[1] && (!m->set || (m->how == 1 ? slot[0] < m->v : slot[0] > m->v))) {
		m->v = slot[0];
		m->set = 1;
	}
	return 0;
}

SUBPROG __s64 hark_percpu_value(void *map, const void *key, __u64 how)
{
	struct hark_merge m = { .map = map, .key = key, .how = how };

	bpf_loop(1 << 16, hark_merge_cb, &m, 0);
	return m.v;
}

#include "ustack.bpf.h"
#include "go.bpf.h"

char _hark_license[] SEC("license") = "GPL";

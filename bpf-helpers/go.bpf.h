/* Go runtime data, read from BPF (see runtime/golayout.c for the offsets,
 * per Go version). Included from helpers.bpf.c. */

/* Slot capacity of a classic (bucket) map: 8 << hmap.B; 0 for nil. */
INLINE __u64 hark_go_classic_cap(__u64 h)
{
	__u8 b = 0;

	if (!h || bpf_probe_read_user(&b, 1, (void *)(h + 9)))
		return 0;
	return 8ULL << (b & 63);
}

/* Slot capacity of a Swiss-table map (Go 1.24+): 0 before the first insert,
 * 8 for a small map (one group, dirLen == 0), else the sum of the capacities
 * of the distinct tables of the directory (a table of local depth d appears
 * 2^(globalDepth - d) times in a row). */
#define HARK_GO_MAX_TABLES 1024

SUBPROG __u64 hark_go_swiss_cap(__u64 m)
{
	struct {
		__u64 used, seed, dir_ptr;
		__s64 dir_len;
		__u8 global_depth, global_shift;
	} hdr;
	__u64 total = 0;
	__s64 i = 0;

	if (!m || bpf_probe_read_user(&hdr, sizeof(hdr), (void *)m))
		return 0;
	if (!hdr.dir_ptr)
		return 0;
	if (hdr.dir_len == 0)
		return 8;
	for (int k = 0; k < HARK_GO_MAX_TABLES; k++) {
		__u64 t = 0;
		struct {
			__u16 used, capacity, growth_left;
			__u8 local_depth;
		} tab;

		if (i >= hdr.dir_len)
			break;
		if (bpf_probe_read_user(&t, 8, (void *)(hdr.dir_ptr + 8 * i)) || !t)
			break;
		if (bpf_probe_read_user(&tab, sizeof(tab), (void *)t))
			break;
		total += tab.capacity;
		i += 1LL << ((hdr.global_depth - tab.local_depth) & 63);
	}
	return total;
}

/* A u64 of user memory, 0 when unreadable. */
INLINE __u64 hark_read_u64(__u64 addr)
{
	__u64 v = 0;

	if (addr)
		bpf_probe_read_user(&v, 8, (void *)addr);
	return v;
}

/* The running goroutine's id. g is R14 (Go's register ABI keeps the
 * current g there); on the system stack g is g0, and the goroutine that
 * switched to it is g.m.curg. */
SUBPROG __u64 hark_go_goid(__u64 g, __u64 goid_off, __u64 curg_off)
{
	__u64 m = hark_read_u64(g + 48);

	if (m && hark_read_u64(m) == g) {
		__u64 curg = hark_read_u64(m + curg_off);

		if (curg)
			g = curg;
	}
	return hark_read_u64(g + goid_off);
}

/* Bytes between the top of the goroutine's stack (g.stack.hi) and sp: the
 * same at a function's entry and at its RET, so it pairs calls and returns
 * together with goid, across thread migration and recursion. */
INLINE __u64 hark_go_depth(__u64 g, __u64 sp)
{
	return hark_read_u64(g + 8) - sp;
}

/* A Go string (pointer, length; no NUL) into a STR_SIZE buffer. */
INLINE void hark_go_str(char *buf, __u64 ptr, __u64 len)
{
	if (len > 63)
		len = 63;
	if (ptr && len)
		bpf_probe_read_user(buf, len & 63, (void *)ptr);
}

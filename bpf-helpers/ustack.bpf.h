/* User stacks that keep the immediate caller.
 *
 * At a function's entry (and at a Go function's first instruction past its
 * stack check, and at RET instructions) the frame is not set up: the caller
 * is only in the return address at [SP], and RBP is still the caller's frame
 * pointer. The kernel's walker (bpf_get_stack) goes PC, then the RBP chain,
 * and so drops the caller. hark walks PC, [SP], then the RBP chain at such
 * sites, and PC then the chain elsewhere.
 *
 * Frames are stored by content: a 64-bit FNV-1a hash of the frames is the
 * key of the stack map, so identical stacks are one entry (one map key).
 * Included from helpers.bpf.c.
 */
#define HARK_MAX_FRAMES 127

struct hark_stack {
	__u64 nframes;
	__u64 ips[HARK_MAX_FRAMES];
};

/* pt_regs offsets, x86-64 */
#define HARK_REG_BP 32
#define HARK_REG_IP 128
#define HARK_REG_SP 152

static __always_inline __u64 hark_reg(const void *regs, int off)
{
	return *(const __u64 *)((const char *)regs + off);
}

/* Store n frames of buf under their FNV-1a hash (never 0); the hash. */
INLINE __u64 hark_stack_store(void *stackmap, struct hark_stack *buf, __u64 n)
{
	__u64 hash = 0xcbf29ce484222325ULL;

	buf->nframes = n;
	for (int i = 0; i < HARK_MAX_FRAMES; i++) {
		if ((__u64)i >= n)
			break;
		hash ^= buf->ips[i];
		hash *= 0x100000001b3ULL;
	}
	hash |= 1;
	bpf_map_update_elem(stackmap, &hash, buf, BPF_NOEXIST);
	return hash;
}

/* Walk the user stack of regs into buf (a scratch struct hark_stack), store
 * it in stackmap, and return its hash (0: no frames). */
SUBPROG __u64 hark_ustack_walk(void *regs, void *stackmap, struct hark_stack *buf, __u64 frame_unset, __u64 max)
{
	__u64 fp = hark_reg(regs, HARK_REG_BP), n = 0, ret;

	if (max > HARK_MAX_FRAMES)
		max = HARK_MAX_FRAMES;
	buf->ips[n++] = hark_reg(regs, HARK_REG_IP);
	if (frame_unset && n < max) {
		if (bpf_probe_read_user(&ret, 8, (void *)hark_reg(regs, HARK_REG_SP)) == 0 && ret)
			buf->ips[n++] = ret;
	}
	for (int i = 0; i < HARK_MAX_FRAMES; i++) {
		__u64 frame[2];

		if (n >= max || !fp || n >= HARK_MAX_FRAMES)
			break;
		if (bpf_probe_read_user(frame, sizeof(frame), (void *)fp))
			break;
		if (!frame[1])
			break;
		buf->ips[n++] = frame[1];
		if (frame[0] <= fp) /* stacks grow down: callers' frames are higher */
			break;
		fp = frame[0];
	}
	return hark_stack_store(stackmap, buf, n);
}

/* The same for a stack the kernel walked (tracepoints, perf events). */
SUBPROG __u64 hark_ustack_kernel(void *ctx, void *stackmap, struct hark_stack *buf, __u64 max)
{
	long len = bpf_get_stack(ctx, buf->ips, sizeof(buf->ips), BPF_F_USER_STACK);
	__u64 n;

	if (len <= 0)
		return 0;
	n = (__u64)len / 8;
	return hark_stack_store(stackmap, buf, n > max ? max : n);
}

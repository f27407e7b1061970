/* rt_events: what BPF sends (ring buffer events) and what it leaves (maps),
 * decoded into output values.
 *
 * Maps are read whole with get_next_key/lookup; per-CPU values are merged
 * here (sums add, min/max take the extreme of the CPUs that were written).
 * Histogram maps carry the bucket index after the user key, so entries are
 * folded by key into one bucket array each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../lang/sema.h"
#include "rt_internal.h"

/* ---- decoding values ------------------------------------------------------ */

struct strpool {
	char **s;
	int n, cap;
};

static char *pool_add(struct strpool *p, char *s)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 32;
		p->s = realloc(p->s, p->cap * sizeof(*p->s));
	}
	p->s[p->n++] = s;
	return s;
}

static void pool_free(struct strpool *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
	p->n = p->cap = 0;
	p->s = NULL;
}

static void decode_stack(struct rt *rt, struct out_val *v, const uint8_t *p, bool user, int limit,
			 struct strpool *pool)
{
	uint64_t id, pid = 0, buf[128], *ips = buf;
	uint32_t sid;
	int fd = user ? rt->ustack_fd : rt->kstack_fd, n = 0, nips = 127;
	bool found;

	memcpy(&id, p, 8);
	if (user)
		memcpy(&pid, p + 8, 8);
	v->kind = OV_STACK;
	v->frames = NULL;
	v->nframes = 0;
	if (fd < 0 || !id)
		return;
	if (user) {
		/* hark_ustacks: content hash -> { nframes, ips[127] } */
		found = !bpf_map_lookup_elem(fd, &id, buf);
		nips = (int)(buf[0] < 127 ? buf[0] : 127);
		ips = buf + 1;
	} else {
		sid = (uint32_t)id;
		found = (int64_t)id >= 0 && !bpf_map_lookup_elem(fd, &sid, buf);
	}
	if (!found)
		return;
	v->frames = (char **)pool_add(pool, calloc(128, sizeof(char *)));
	for (int i = 0; i < nips && i < limit && ips[i]; i++) {
		char *f = user ? sym_user(rt->syms, (int)pid, ips[i], 1) : sym_kernel(rt->syms, ips[i], 1);

		v->frames[n++] = pool_add(pool, f);
	}
	v->nframes = n;
}

static void decode(struct rt *rt, struct out_val *v, struct ty t, const uint8_t *p, struct strpool *pool)
{
	uint64_t x = 0;

	switch (t.kind) {
	case TY_STR: {
		char *s = calloc(1, STR_SIZE + 1);

		memcpy(s, p, STR_SIZE);
		v->kind = OV_STR;
		v->s = pool_add(pool, s);
		return;
	}
	case TY_USTACK:
	case TY_KSTACK:
		decode_stack(rt, v, p, t.kind == TY_USTACK, t.arg ? t.arg : 127, pool);
		return;
	case TY_USYM:
	case TY_KSYM: {
		uint64_t pid = 0;

		memcpy(&x, p, 8);
		if (t.kind == TY_USYM)
			memcpy(&pid, p + 8, 8);
		v->kind = OV_STR;
		v->s = pool_add(pool, t.kind == TY_USYM ? sym_user(rt->syms, (int)pid, x, 0) : sym_kernel(rt->syms, x, 0));
		return;
	}
	case TY_PROBE:
	case TY_FUNC:
		memcpy(&x, p, 8);
		v->kind = OV_STR;
		v->s = "";
		if (x < (uint64_t)rt->plan->nattach) {
			const struct probe_target *pt = &rt->plan->attach[x].t;
			const char *s = t.kind == TY_PROBE ? pt->probe_name : pt->func_name;

			v->s = s ? s : "";
		}
		return;
	default:
		memcpy(&x, p, t.size && t.size < 8 ? t.size : 8);
		v->kind = t.is_signed ? OV_INT : OV_UINT;
		v->i = (int64_t)x;
		return;
	}
}

/* ---- ring buffer ---------------------------------------------------------- */

static void print_map(struct rt *rt, int id, int64_t top, int64_t div);

static int on_event(void *ctx, void *data, size_t size)
{
	struct rt *rt = ctx;
	const uint8_t *p = data;
	uint64_t w[4] = { 0 };
	struct strpool pool = { 0 };

	memcpy(w, p, size < sizeof(w) ? size : sizeof(w));
	switch (w[0]) {
	case EV_PRINTF:
	case EV_PRINTVAL: {
		struct plan_fmt *f;
		struct out_val args[64];

		if (w[1] >= (uint64_t)rt->plan->nfmts)
			break;
		f = &rt->plan->fmts[w[1]];
		for (int i = 0; i < f->nargs && i < 64; i++)
			decode(rt, &args[i], f->arg_ty[i], p + f->arg_off[i], &pool);
		if (w[0] == EV_PRINTF && rt->fmts[w[1]])
			out_printf(rt->out, rt->fmts[w[1]], args, f->nargs);
		else if (w[0] == EV_PRINTVAL)
			out_value(rt->out, &args[0]);
		break;
	}
	case EV_EXIT:
		if (!rt->exit_requested)
			rt->exit_code = (int)(int64_t)w[1];
		rt->exit_requested = true;
		break;
	case EV_PRINT:
		print_map(rt, (int)w[1], (int64_t)w[2], (int64_t)w[3]);
		break;
	case EV_CLEAR:
	case EV_ZERO:
		if (w[1] < (uint64_t)rt->plan->nmaps) {
			struct plan_map *m = &rt->plan->maps[w[1]];
			uint8_t key[1024], next[1024];
			void *prev = NULL;

			if (w[0] == EV_CLEAR) {
				while (!bpf_map_get_next_key(m->fd, NULL, next))
					if (bpf_map_delete_elem(m->fd, next))
						break;
			} else {
				size_t vs = (size_t)(m->percpu ? rt->ncpus : 1) * 16 + STR_SIZE;
				void *zero = calloc(1, vs);

				while (!bpf_map_get_next_key(m->fd, prev, next)) {
					bpf_map_update_elem(m->fd, next, zero, BPF_EXIST);
					memcpy(key, next, sizeof(key));
					prev = key;
				}
				free(zero);
			}
		}
		break;
	}
	pool_free(&pool);
	out_flush(rt->out);
	return 0;
}

int rt_events_open(struct rt *rt)
{
	int fd = bpf_object__find_map_fd_by_name(rt->obj, rt->plan->ringbuf_name);

	rt->fmts = calloc(rt->plan->nfmts + 1, sizeof(*rt->fmts));
	for (int i = 0; i < rt->plan->nfmts; i++) {
		size_t off;
		const char *msg;

		if (rt->plan->fmts[i].fmt)
			rt->fmts[i] = fmt__new(rt->plan->fmts[i].fmt, &off, &msg);
	}
	rt->rb = ring_buffer__new(fd, on_event, rt, NULL);
	if (!rt->rb) {
		fprintf(stderr, "hark: ringbuf: cannot map the ring buffer: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

void rt_events_close(struct rt *rt)
{
	ring_buffer__free(rt->rb);
	rt->rb = NULL;
	for (int i = 0; rt->fmts && i < rt->plan->nfmts; i++)
		fmt__free(rt->fmts[i]);
	free(rt->fmts);
	rt->fmts = NULL;
}

int rt_events_poll(struct rt *rt, int timeout_ms)
{
	int n = ring_buffer__poll(rt->rb, timeout_ms);

	return n < 0 ? n : 0;
}

void rt_events_drain(struct rt *rt)
{
	if (rt->rb)
		ring_buffer__consume(rt->rb);
}

void rt_report_lost(struct rt *rt)
{
	uint32_t k = 0;
	uint64_t lost = 0;

	if (rt->lost_fd >= 0 && !bpf_map_lookup_elem(rt->lost_fd, &k, &lost) && lost)
		out_lost_events(rt->out, lost);
}

/* ---- maps ---------------------------------------------------------------- */

struct entry_acc {
	uint8_t *key;
	int64_t v;
	int64_t sum;
	uint64_t count;
	bool set;
	uint64_t *buckets;
	int nbuckets;
};

static int nbuckets_of(const struct plan_map *m)
{
	if (m->agg == AGG_HIST)
		return 66;
	return (int)((m->lhist_max - m->lhist_min) / m->lhist_step) + 2;
}

static void merge(struct rt *rt, const struct plan_map *m, struct entry_acc *e, const uint8_t *val,
		  uint64_t bucket)
{
	int ncpu = m->percpu ? rt->ncpus : 1;

	for (int c = 0; c < ncpu; c++) {
		const int64_t *v;

		switch (m->agg) {
		case AGG_COUNT:
		case AGG_SUM:
			v = (const int64_t *)(val + (size_t)c * 8);
			e->v += v[0];
			break;
		case AGG_MIN:
		case AGG_MAX:
			v = (const int64_t *)(val + (size_t)c * 16);
			if (!v[1])
				break;
			if (!e->set || (m->agg == AGG_MIN ? v[0] < e->v : v[0] > e->v))
				e->v = v[0];
			e->set = true;
			break;
		case AGG_AVG:
		case AGG_STATS:
			v = (const int64_t *)(val + (size_t)c * 16);
			e->sum += v[0];
			e->count += (uint64_t)v[1];
			break;
		case AGG_HIST:
		case AGG_LHIST:
			v = (const int64_t *)(val + (size_t)c * 8);
			if (bucket < (uint64_t)e->nbuckets)
				e->buckets[bucket] += (uint64_t)v[0];
			break;
		default:
			break;
		}
	}
}

/* Read map m into out entries (keys decoded). */
static int read_map(struct rt *rt, struct plan_map *m, struct out_map *om, struct strpool *pool)
{
	bool is_hist = m->agg == AGG_HIST || m->agg == AGG_LHIST;
	uint32_t ks = m->key_size + (is_hist ? 8 : 0);
	size_t vsz = m->agg == AGG_NONE ? ty_storage_size(m->value_ty)
		     : (m->agg == AGG_MIN || m->agg == AGG_MAX || m->agg == AGG_AVG || m->agg == AGG_STATS) ? 16 : 8;
	size_t vbuf = m->percpu ? vsz * (size_t)rt->ncpus : vsz;
	uint8_t *key = calloc(1, ks), *next = calloc(1, ks), *val = calloc(1, vbuf);
	struct entry_acc *acc = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;

	memset(om, 0, sizeof(*om));
	om->name = m->name;
	om->nkeys = m->nkeys;
	om->agg = m->agg;
	om->value_ty = m->value_ty;
	om->lhist_min = m->lhist_min;
	om->lhist_max = m->lhist_max;
	om->lhist_step = m->lhist_step;
	while (!bpf_map_get_next_key(m->fd, prev, next)) {
		struct entry_acc *e = NULL;
		uint64_t bucket = 0;

		memcpy(key, next, ks);
		prev = key;
		if (bpf_map_lookup_elem(m->fd, key, val))
			continue;
		if (is_hist) {
			memcpy(&bucket, key + m->key_size, 8);
			for (size_t i = 0; i < n; i++)
				if (!memcmp(acc[i].key, key, m->key_size))
					e = &acc[i];
		}
		if (!e) {
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				acc = realloc(acc, cap * sizeof(*acc));
			}
			e = &acc[n++];
			memset(e, 0, sizeof(*e));
			e->key = malloc(ks);
			memcpy(e->key, key, ks);
			if (is_hist) {
				e->nbuckets = nbuckets_of(m);
				e->buckets = calloc(e->nbuckets, sizeof(uint64_t));
			}
			if (m->agg == AGG_NONE && m->value_ty.kind == TY_STR) {
				char *s = calloc(1, STR_SIZE + 1);

				memcpy(s, val, STR_SIZE);
				pool_add(pool, s);
				e->v = (int64_t)(intptr_t)s;
			} else if (m->agg == AGG_NONE) {
				memcpy(&e->v, val, 8);
			}
		}
		merge(rt, m, e, val, bucket);
	}
	om->entries = calloc(n + 1, sizeof(*om->entries));
	om->nentries = n;
	for (size_t i = 0; i < n; i++) {
		struct out_entry *oe = &om->entries[i];

		oe->keys = (struct out_val *)pool_add(pool, calloc(m->nkeys + 1, sizeof(struct out_val)));
		for (int k = 0; k < m->nkeys; k++)
			decode(rt, &oe->keys[k], m->key_ty[k], acc[i].key + m->key_off[k], pool);
		if (m->agg == AGG_NONE && m->value_ty.kind == TY_STR)
			oe->s = (const char *)(intptr_t)acc[i].v;
		else
			oe->v = acc[i].v;
		oe->sum = acc[i].sum;
		oe->count = acc[i].count;
		oe->buckets = acc[i].buckets;
		oe->nbuckets = acc[i].nbuckets;
		if (oe->buckets)
			pool_add(pool, (char *)oe->buckets);
		free(acc[i].key);
	}
	free(acc);
	free(key);
	free(next);
	free(val);
	return 0;
}

static void print_map(struct rt *rt, int id, int64_t top, int64_t div)
{
	struct strpool pool = { 0 };
	struct out_map om;

	if (id < 0 || id >= rt->plan->nmaps)
		return;
	read_map(rt, &rt->plan->maps[id], &om, &pool);
	out_map(rt->out, &om, top, div);
	free(om.entries);
	pool_free(&pool);
}

static int by_name(const void *a, const void *b, void *ctx)
{
	const struct plan *p = ctx;

	return strcmp(p->maps[*(const int *)a].name, p->maps[*(const int *)b].name);
}

void rt_print_all(struct rt *rt)
{
	int n = rt->plan->nmaps;
	int *order = calloc(n + 1, sizeof(int));

	for (int i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(int), by_name, rt->plan);
	out_exit_begin(rt->out);
	for (int i = 0; i < n; i++)
		print_map(rt, order[i], 0, 0);
	free(order);
}

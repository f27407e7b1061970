/* rt_events: what BPF sends (ring buffer events) and what it leaves (maps),
 * decoded into output values.
 *
 * Maps are read whole with get_next_key/lookup; per-CPU values are merged
 * here (sums add, min/max take the extreme of the CPUs that were written).
 * Histogram maps carry the bucket index after the user key, so entries are
 * folded by key into one bucket array each.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static bool mode_needs_names(int mode)
{
	return mode != STACK_RAW;
}

/* One frame in the stack's mode */
static char *frame_text(struct rt *rt, bool user, int pid, uint64_t ip, int mode)
{
	char *s = NULL;

	if (mode == STACK_RAW) {
		if (asprintf(&s, "0x%" PRIx64, ip) < 0)
			s = NULL;
		return s;
	}
	if (mode == STACK_PERF)
		return user ? sym_user_perf(rt->syms, pid, ip) : sym_kernel_perf(rt->syms, ip);
	return user ? sym_user(rt->syms, pid, ip, 1) : sym_kernel(rt->syms, ip, 1);
}

static void decode_stack(struct rt *rt, struct out_val *v, const uint8_t *p, bool user, struct ty t,
			 struct strpool *pool)
{
	int limit = t.arg ? t.arg : 127;
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
	v->flat = t.mode == STACK_PERF;
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
	if (user && pid && mode_needs_names(t.mode)) {
		/* an address outside the mappings we know: the process has
		 * mapped something since (a library after exec); look again */
		char *probe = sym_user(rt->syms, (int)pid, ips[0], 1);

		if (probe && !strncmp(probe, "0x", 2))
			sym_snapshot(rt->syms, (int)pid);
		free(probe);
	}
	for (int i = 0; i < nips && i < limit && ips[i]; i++) {
		v->frames[n++] = pool_add(pool, frame_text(rt, user, (int)pid, ips[i], t.mode));
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
		decode_stack(rt, v, p, t.kind == TY_USTACK, t, pool);
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

static int handle_event(struct rt *rt, void *data, size_t size);

static int on_event(void *ctx, void *data, size_t size)
{
	struct rt *rt = ctx;

	/* a probe that hark's own writes feed would never let the buffer run
	 * dry: stop consuming once a stop is asked for */
	if (rt->polling && rt_stop_requested())
		return -EINTR;
	int ret;

	pthread_mutex_lock(&rt->lock);
	ret = handle_event(rt, data, size);
	pthread_mutex_unlock(&rt->lock);
	return ret;
}

static int handle_event(struct rt *rt, void *data, size_t size)
{
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
			out_values(rt->out, args, f->nargs < 64 ? f->nargs : 64, f->pair_keys);
		break;
	}
	case EV_SYSTEM:
		if (w[1] < (uint64_t)rt->plan->nfmts && rt->fmts[w[1]]) {
			/* --unsafe: the formatted command runs, its output goes where hark's does */
			struct plan_fmt *f = &rt->plan->fmts[w[1]];
			struct out_val args[64];
			char *cmd = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&cmd, &len);
			struct out *o = out__new(mem, OUT_TEXT);

			for (int i = 0; i < f->nargs && i < 64; i++)
				decode(rt, &args[i], f->arg_ty[i], p + f->arg_off[i], &pool);
			out_printf(o, rt->fmts[w[1]], args, f->nargs);
			out__free(o);
			fclose(mem);
			out_flush(rt->out);
			if (system(cmd) == -1)
				fprintf(stderr, "hark: system(): cannot run '%s'\n", cmd);
			free(cmd);
		}
		break;
	case EV_TIME:
		if (w[1] < (uint64_t)rt->plan->nfmts && rt->plan->fmts[w[1]].fmt) {
			char buf[256];
			time_t now = time(NULL);
			struct tm tm;

			localtime_r(&now, &tm);
			if (strftime(buf, sizeof(buf), rt->plan->fmts[w[1]].fmt, &tm))
				out_time(rt->out, buf);
		}
		break;
	case EV_EXIT:
		if (!rt->exit_requested)
			rt->exit_code = (int)(int64_t)w[1];
		rt->exit_requested = true;
		break;
	case EV_PRINT:
		print_map(rt, (int)w[1], (int64_t)w[2], (int64_t)w[3]);
		out_flush(rt->out);
		rt_report_drops(rt, (int)w[1]);
		out_maps_end(rt->out);
		break;
	case EV_CLEAR:
	case EV_ZERO:
		if (w[1] < (uint64_t)rt->plan->nmaps) {
			struct plan_map *m = &rt->plan->maps[w[1]];
			uint8_t key[1024], next[1024];
			void *prev = NULL;

			if (w[0] == EV_CLEAR && m->kind != MK_ARRAY) {
				while (!bpf_map_get_next_key(m->fd, NULL, next))
					if (bpf_map_delete_elem(m->fd, next))
						break;
			} else { /* zero(), and clear() of an array, whose slots cannot go */
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

void rt_report_drops(struct rt *rt, int id)
{
	for (int i = 0; i < rt->plan->nmaps; i++) {
		const struct plan_map *m = &rt->plan->maps[i];
		uint32_t k = (uint32_t)i;
		uint64_t n = 0;

		if ((id >= 0 && i != id) || rt->drops_fd < 0 || bpf_map_lookup_elem(rt->drops_fd, &k, &n) || !n)
			continue;
		fflush(NULL);
		fprintf(stderr, "WARNING: %s: %llu update%s dropped: map full (%u keys); raise with --max-keys or use lruhash\n",
			m->name, (unsigned long long)n, n == 1 ? "" : "s", m->max_entries);
	}
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

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Every record of a hash map with BPF_MAP_LOOKUP_BATCH, into records of
 * key (ks bytes) then value (vbuf bytes). -errno when the kernel cannot
 * batch this map (the caller then walks it key by key). */
static int read_batched(const struct plan_map *m, size_t ks, size_t vbuf, uint8_t **raw, size_t *nraw,
			size_t *capraw)
{
	enum { BATCH = 4096 };
	size_t rec = ks + vbuf;
	uint8_t *keys = malloc(BATCH * ks), *vals = malloc(BATCH * vbuf);
	uint64_t in[8], out[8]; /* the batch token: a bucket index for hash maps */
	bool first = true;
	int err = 0;

	for (;;) {
		__u32 count = BATCH;

		err = bpf_map_lookup_batch(m->fd, first ? NULL : in, out, keys, vals, &count, NULL);
		if (err && errno != ENOENT) {
			err = -errno;
			break;
		}
		if (*nraw + count > *capraw) {
			*capraw = (*nraw + count) * 2;
			*raw = realloc(*raw, *capraw * rec);
		}
		for (__u32 i = 0; i < count; i++) {
			uint8_t *r = *raw + (*nraw + i) * rec;

			memcpy(r, keys + i * ks, ks);
			memcpy(r + ks, vals + i * vbuf, vbuf);
		}
		*nraw += count;
		if (err) { /* ENOENT: that was the last batch */
			err = 0;
			break;
		}
		memcpy(in, out, sizeof(in));
		first = false;
	}
	if (err && *nraw) /* failed midway: start over, key by key */
		*nraw = 0;
	free(keys);
	free(vals);
	return err;
}

static size_t cmp_key_size;

static int cmp_raw_key(const void *a, const void *b)
{
	return memcmp(*(uint8_t *const *)a, *(uint8_t *const *)b, cmp_key_size);
}

/* Fold b into a: both hold the same printed key. */
static void acc_fold(const struct plan_map *m, struct entry_acc *a, const struct entry_acc *b)
{
	switch (m->agg) {
	case AGG_COUNT:
	case AGG_SUM:
		a->v += b->v;
		break;
	case AGG_MIN:
	case AGG_MAX:
		if (b->set && (!a->set || (m->agg == AGG_MIN ? b->v < a->v : b->v > a->v)))
			a->v = b->v;
		a->set |= b->set;
		break;
	case AGG_AVG:
	case AGG_STATS:
		a->sum += b->sum;
		a->count += b->count;
		break;
	case AGG_HIST:
	case AGG_LHIST:
		for (int i = 0; i < a->nbuckets && i < b->nbuckets; i++)
			a->buckets[i] += b->buckets[i];
		break;
	default:
		break;
	}
}

static bool symbolic_keys(const struct plan_map *m)
{
	for (int k = 0; k < m->nkeys; k++) {
		enum ty_kind t = m->key_ty[k].kind;

		if (t == TY_USTACK || t == TY_KSTACK || t == TY_USYM || t == TY_KSYM)
			return true;
	}
	return false;
}

/* The printed form of an entry's keys, to merge entries that print alike
 * (the same function from two call sites, one stack from two processes). */
static char *key_text(const struct out_val *keys, int nkeys)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (int k = 0; k < nkeys; k++) {
		const struct out_val *v = &keys[k];

		if (v->kind == OV_STR)
			fprintf(f, "%s", v->s);
		else if (v->kind == OV_STACK)
			for (int i = 0; i < v->nframes; i++)
				fprintf(f, "%s\n", v->frames[i]);
		else
			fprintf(f, "%lld", (long long)v->i);
		fputc(0x1f, f);
	}
	fclose(f);
	return buf;
}

struct keyed {
	char *text;
	size_t idx;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->text, y->text);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* A plain value that is not a number: a probe, a symbol, a stack */
static bool text_value(struct ty t)
{
	return t.kind != TY_INT && t.kind != TY_STR && t.kind != TY_NONE && t.kind != TY_AGG;
}

/* Read map m whole into out entries: per-CPU values merged, histogram
 * buckets folded per key, keys decoded, entries that print alike merged. */
static int read_map(struct rt *rt, struct plan_map *m, struct out_map *om, struct strpool *pool)
{
	bool is_hist = m->agg == AGG_HIST || m->agg == AGG_LHIST;
	uint32_t ks = m->key_size + (is_hist ? 8 : 0);
	size_t vsz = m->agg == AGG_NONE ? ty_storage_size(m->value_ty)
		     : (m->agg == AGG_MIN || m->agg == AGG_MAX || m->agg == AGG_AVG || m->agg == AGG_STATS) ? 16 : 8;
	size_t vbuf = m->percpu ? vsz * (size_t)rt->ncpus : vsz;
	size_t rec = ks + vbuf, nraw = 0, capraw = 0, n = 0;
	uint8_t *raw = NULL, **order = NULL, *prev = NULL, *prevkey = calloc(1, ks);
	struct entry_acc *acc = NULL;

	memset(om, 0, sizeof(*om));
	om->name = m->name;
	om->nkeys = m->nkeys;
	om->agg = m->agg;
	/* plain values that print as text (probe names, symbols, stacks) are
	 * decoded into strings, like string values */
	om->value_ty = m->agg == AGG_NONE && text_value(m->value_ty) ? ty_str(STR_SIZE) : m->value_ty;
	om->lhist_min = m->lhist_min;
	om->lhist_max = m->lhist_max;
	om->lhist_step = m->lhist_step;

	/* 1. every (key, per-CPU values) record: in batches of thousands where
	 * the kernel can (two syscalls per entry made a million-key map take
	 * seconds), else one key at a time */
	if (m->kind != MK_ARRAY && read_batched(m, ks, vbuf, &raw, &nraw, &capraw) == 0)
		goto records_read;
	for (;;) {
		uint8_t *r;

		if (nraw == capraw) {
			capraw = capraw ? 2 * capraw : 256;
			raw = realloc(raw, capraw * rec);
		}
		r = raw + nraw * rec;
		memset(r, 0, ks); /* array keys are 4 bytes: the upper half stays 0 */
		if (bpf_map_get_next_key(m->fd, prev, r))
			break;
		memcpy(prevkey, r, ks); /* r may be reused when the entry is skipped */
		prev = prevkey;
		if (bpf_map_lookup_elem(m->fd, r, r + ks))
			continue;
		if (m->kind == MK_ARRAY && m->percpu && all_zero(r + ks, vbuf))
			continue; /* an aggregation array's slot never written */
		nraw++;
	}
records_read:
	/* 2. one accumulator per user key (histogram buckets sorted together) */
	order = malloc((nraw + 1) * sizeof(*order));
	for (size_t i = 0; i < nraw; i++)
		order[i] = raw + i * rec;
	if (is_hist) {
		cmp_key_size = m->key_size;
		qsort(order, nraw, sizeof(*order), cmp_raw_key);
	}
	acc = calloc(nraw + 1, sizeof(*acc));
	for (size_t i = 0; i < nraw; i++) {
		uint8_t *r = order[i];
		struct entry_acc *e;
		uint64_t bucket = 0;

		if (is_hist)
			memcpy(&bucket, r + m->key_size, 8);
		if (is_hist && n && !memcmp(acc[n - 1].key, r, m->key_size)) {
			e = &acc[n - 1];
		} else {
			e = &acc[n++];
			e->key = r;
			if (is_hist) {
				e->nbuckets = nbuckets_of(m);
				e->buckets = calloc(e->nbuckets, sizeof(uint64_t));
				pool_add(pool, (char *)e->buckets);
			}
			if (m->agg == AGG_NONE && m->value_ty.kind == TY_STR) {
				char *str = calloc(1, STR_SIZE + 1);

				memcpy(str, r + ks, STR_SIZE);
				e->v = (int64_t)(intptr_t)pool_add(pool, str);
			} else if (m->agg == AGG_NONE && text_value(m->value_ty)) {
				struct out_val ov;

				decode(rt, &ov, m->value_ty, r + ks, pool);
				e->v = (int64_t)(intptr_t)pool_add(pool, out_val_text(&ov, 8));
			} else if (m->agg == AGG_NONE) {
				memcpy(&e->v, r + ks, 8);
			}
		}
		merge(rt, m, e, r + ks, bucket);
	}
	/* 3. decoded keys; entries whose keys print alike are merged */
	om->entries = calloc(n + 1, sizeof(*om->entries));
	/* all keys in one block: sorting and printing a million entries walk them */
	struct out_val *allkeys = (struct out_val *)pool_add(pool, calloc(n * m->nkeys + 1, sizeof(struct out_val)));
	for (size_t i = 0; i < n; i++) {
		struct out_val *keys = allkeys + i * m->nkeys;

		for (int k = 0; k < m->nkeys; k++)
			decode(rt, &keys[k], m->key_ty[k], acc[i].key + m->key_off[k], pool);
		om->entries[i].keys = keys;
	}
	if (symbolic_keys(m) && n > 1) {
		struct keyed *kd = calloc(n, sizeof(*kd));
		size_t out = 0;

		for (size_t i = 0; i < n; i++)
			kd[i] = (struct keyed){ key_text(om->entries[i].keys, m->nkeys), i };
		qsort(kd, n, sizeof(*kd), cmp_keyed);
		for (size_t i = 0; i < n; i++) {
			if (out && !strcmp(kd[i].text, kd[out - 1].text)) {
				acc_fold(m, &acc[kd[out - 1].idx], &acc[kd[i].idx]);
				free(kd[i].text);
				continue;
			}
			kd[out++] = kd[i];
		}
		{
			struct entry_acc *acc2 = calloc(out + 1, sizeof(*acc2));
			struct out_val **keys2 = calloc(out + 1, sizeof(*keys2));

			for (size_t i = 0; i < out; i++) {
				acc2[i] = acc[kd[i].idx];
				keys2[i] = om->entries[kd[i].idx].keys;
			}
			for (size_t i = 0; i < out; i++)
				om->entries[i].keys = keys2[i];
			free(keys2);
			free(acc);
			acc = acc2;
		}
		for (size_t i = 0; i < out; i++)
			free(kd[i].text);
		free(kd);
		n = out;
	}
	om->nentries = n;
	for (size_t i = 0; i < n; i++) {
		struct out_entry *oe = &om->entries[i];

		if (om->agg == AGG_NONE && om->value_ty.kind == TY_STR)
			oe->s = (const char *)(intptr_t)acc[i].v;
		else
			oe->v = acc[i].v;
		oe->sum = acc[i].sum;
		oe->count = acc[i].count;
		oe->buckets = acc[i].buckets;
		oe->nbuckets = acc[i].nbuckets;
	}
	free(acc);
	free(order);
	free(raw);
	free(prevkey);
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
	out_maps_end(rt->out);
	free(order);
}

void rt_write_metrics(void *ctx, FILE *f)
{
	struct rt *rt = ctx;
	struct out *o = out__new(f, OUT_OPENMETRICS);
	int n = rt->plan->nmaps;
	int *order = calloc(n + 1, sizeof(int));

	if (!o || !order)
		goto out;
	for (int i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(int), by_name, rt->plan);
	pthread_mutex_lock(&rt->lock);
	for (int i = 0; i < n; i++) {
		struct strpool pool = { 0 };
		struct out_map om;

		read_map(rt, &rt->plan->maps[order[i]], &om, &pool);
		out_map(o, &om, 0, 0);
		free(om.entries);
		pool_free(&pool);
	}
	pthread_mutex_unlock(&rt->lock);
	out_maps_end(o);
out:
	out__free(o);
	free(order);
}

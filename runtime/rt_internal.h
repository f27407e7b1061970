/* Shared state of rt.c and rt_events.c. */
#ifndef HARK_RT_INTERNAL_H
#define HARK_RT_INTERNAL_H

#include <pthread.h>

#include "../lang/fmt.h"
#include "httpd.h"
#include "rt.h"
#include "symbolize.h"

struct rt {
	struct plan *plan;
	struct rt_opts o;
	struct out *out;
	struct bpf_object *obj;
	struct bpf_program **progs;
	struct bpf_link **links;
	int nlinks, caplinks;
	int *pfds, npfds;
	struct ring_buffer *rb;
	struct fmt **fmts;      /* parsed printf formats, per plan fmt */
	struct sym_cache *syms;
	int lost_fd, env_fd, ustack_fd, kstack_fd, drops_fd;
	int bss_fd;              /* .bss: hark_stop, set when stopping */
	int ncpus;
	int nattached;
	/* Held by whoever decodes values or reads maps: the run loop and the
	 * --listen thread share the symbol cache and read_map's sort state. */
	pthread_mutex_t lock;
	struct httpd *httpd;
	bool exit_requested;
	bool polling;           /* in the main loop: a stop request cuts a drain short */
	bool child_reaped;
	int exit_code;
};

int rt_events_open(struct rt *rt);
void rt_events_close(struct rt *rt);
int rt_events_poll(struct rt *rt, int timeout_ms);
void rt_events_drain(struct rt *rt);
/* Exit-time dump: every map in name order. */
void rt_print_all(struct rt *rt);
/* Every map as one OpenMetrics exposition, under rt->lock (httpd thread). */
void rt_write_metrics(void *rt, FILE *f);
void rt_report_lost(struct rt *rt);
/* WARNING lines for maps that dropped updates (all maps when id < 0) */
void rt_report_drops(struct rt *rt, int id);

#endif

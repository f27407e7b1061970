/* rt: running a compiled plan: load, attach, poll, print, detach.
 *
 * Resources are owned by struct rt and released by rt__free in reverse
 * order: links (detaching every probe), perf event fds, the ring buffer,
 * the BPF object. Nothing outlives the process: uprobes and tracepoints
 * are perf-event links, gone when their file descriptors close.
 */
#ifndef HARK_RT_H
#define HARK_RT_H

#include <stdbool.h>
#include <stdio.h>

#include "../codegen/plan.h"
#include "../lang/diag.h"
#include "output.h"

struct rt_opts {
	FILE *out;
	enum out_format format;
	bool quiet;            /* -q: no "Attaching" line */
	bool verifier_log;     /* -d verifier */
	bool dry_run;          /* load, attach nothing */
	int target_pid;        /* -p or -c child: stop when it exits */
	bool target_is_child;
	const char *target_exe; /* -c: the command's binary (its exec is awaited) */
	bool target_traced;    /* -c child seized with ptrace for its exec and exit events */
	const struct source *src; /* the program, to locate verifier rejections */
	const char *listen;    /* --listen HOST:PORT: serve the live maps at /metrics (httpd.c) */
};

struct rt;

/* Open and load plan->obj. -errno; messages on stderr name the cause. */
int rt__new(struct plan *plan, const struct rt_opts *o, struct rt **out);
void rt__free(struct rt *rt);

int rt_attach(struct rt *rt);
/* Run BEGIN, then poll until exit(), a signal, or the target's end; then
 * run END and print the maps. Returns hark's exit code. */
int rt_run(struct rt *rt, void (*started)(void *ctx), void *ctx);

/* Set from signal handlers. */
void rt_request_stop(void);
bool rt_stop_requested(void);

#endif

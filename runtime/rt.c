/* rt: load, attach, poll and stop (see rt.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rt_internal.h"
#include "tracefs.h"

static volatile sig_atomic_t stop_requested;

void rt_request_stop(void)
{
	/* a second Ctrl-C while hark is stopping (END, printing a big map):
	 * leave at once; every probe is a descriptor the kernel closes */
	if (stop_requested)
		_exit(130);
	stop_requested = 1;
}

bool rt_stop_requested(void)
{
	return stop_requested;
}

static FILE *libbpf_sink;
static bool libbpf_debug; /* -d verifier: libbpf prints the verifier log at debug level */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && (!libbpf_debug || !strstr(fmt, "LOG")))
		return 0;
	if (!libbpf_sink)
		return 0;
	return vfprintf(libbpf_sink, fmt, ap);
}

/* The verifier's last lines (before libbpf's end marker), as notes */
static void verifier_tail(const char *log)
{
	const char *end = strstr(log, "-- END PROG LOAD LOG --");
	const char *lines[4];
	size_t lens[4];
	int n = 0;

	for (const char *q = end; q && q > log && n < 4;) {
		const char *b = q - 1;

		while (b > log && b[-1] != '\n')
			b--;
		if (q - b > 1 && strncmp(b, "libbpf:", 7) && strncmp(b, "processed ", 10)) {
			lines[n] = b;
			lens[n++] = (size_t)(q - b - 1);
		}
		q = b;
	}
	while (n-- > 0)
		fprintf(stderr, "note: %.*s\n", (int)lens[n], lines[n]);
}

/* A verifier rejection, told at the statement that caused it: the log
 * annotates instructions with their BTF line info ("; text @ -e:3"); the
 * last annotation from the program's own source before the error is the
 * statement. The verifier's last lines follow as a note. Returns false
 * when the log names no line of the program. */
static bool locate_rejection(const struct source *src, const char *log)
{
	const char *end = strstr(log, "-- END PROG LOAD LOG --"), *p = log, *at = NULL;
	char tag[512];
	int line = 0;
	struct diags *d;

	if (!src || !end)
		return false;
	snprintf(tag, sizeof(tag), " @ %s:", src->name);
	/* backwards from the end: a rejected loop's log holds a million
	 * annotations, and the one wanted is the last */
	for (const char *q = end - strlen(tag); q >= p && !at; q--)
		if (*q == ' ' && !memcmp(q, tag, strlen(tag)))
			at = q;
	if (!at || (line = atoi(at + strlen(tag))) < 1 || (size_t)line > src->nlines)
		return false;
	d = diags__new(src);
	{
		uint32_t start = src->line_starts[line - 1], stop = start;

		while (stop < src->len && src->text[stop] != '\n')
			stop++;
		while (start < stop && (src->text[start] == ' ' || src->text[start] == '\t'))
			start++;
		diag_error(d, (struct span){ start, stop }, "the kernel's BPF verifier rejected the code for this statement");
	}
	diag_hint(d, "hark -d verifier shows the verifier's whole log");
	diags__print(d, stderr);
	diags__free(d);
	verifier_tail(log);
	return true;
}

int rt__new(struct plan *plan, const struct rt_opts *o, struct rt **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "hark");
	struct rt *rt = calloc(1, sizeof(*rt));
	char *log = NULL;
	size_t loglen = 0;
	int err;

	if (!rt)
		return -ENOMEM;
	pthread_mutex_init(&rt->lock, NULL);
	rt->plan = plan;
	rt->o = *o;
	rt->exit_code = 0;
	rt->ncpus = libbpf_num_possible_cpus();
	rt->syms = sym_cache__new();
	rt->out = out__new(o->out, o->format);
	libbpf_sink = open_memstream(&log, &loglen);
	libbpf_set_print(libbpf_print);
	if (o->verifier_log) {
		oo.kernel_log_level = 2;
		libbpf_debug = true;
	}
	rt->obj = bpf_object__open_mem(plan->obj, plan->obj_size, &oo);
	if (!rt->obj) {
		err = -errno;
		fflush(libbpf_sink);
		fprintf(stderr, "hark: cannot open the compiled BPF object: %s\n%s", strerror(-err), log ? log : "");
		goto err_out;
	}
	err = bpf_object__load(rt->obj);
	fflush(libbpf_sink);
	if (err && !o->verifier_log && log && locate_rejection(o->src, log)) {
		goto err_out; /* reported at the statement */
	} else if (err && !o->verifier_log && log && strstr(log, "-- END PROG LOAD LOG --")) {
		fprintf(stderr, "hark: the kernel's BPF verifier rejected the program\n");
		if (strstr(log, "BPF program is too large"))
			fprintf(stderr, "hint: a loop runs more times than the verifier can follow; bound it, "
					"e.g. while ($i < 100)\n");
		verifier_tail(log);
		fprintf(stderr, "hint: hark -d verifier shows the verifier's whole log\n");
		goto err_out;
	} else if (err || o->verifier_log) {
		if (err) {
			fprintf(stderr, "hark: the kernel refused the program: %s\n", strerror(-err));
			if (err == -EPERM)
				fprintf(stderr, "hint: run as root, or with CAP_BPF and CAP_PERFMON\n");
		}
		if (log && *log)
			fprintf(stderr, "%s", log);
		if (err)
			goto err_out;
	}
	fclose(libbpf_sink);
	libbpf_sink = NULL;
	free(log);
	log = NULL;
	for (int i = 0; i < plan->nmaps; i++) {
		plan->maps[i].fd = bpf_object__find_map_fd_by_name(rt->obj, plan->maps[i].bpf_name);
	}
	rt->lost_fd = bpf_object__find_map_fd_by_name(rt->obj, "hark_lost");
	rt->drops_fd = bpf_object__find_map_fd_by_name(rt->obj, "hark_drops");
	rt->env_fd = bpf_object__find_map_fd_by_name(rt->obj, "hark_env");
	struct bpf_map *m;

	/* .bss holds one u64, hark_stop (codegen/cg_module.c). libbpf 1.1
	 * leaves bpf_map__initial_value() pointing at a private copy after
	 * load, so the flag is set through the map (stop_programs). */
	rt->bss_fd = -1;
	bpf_object__for_each_map(m, rt->obj)
		if (bpf_map__is_internal(m) && strstr(bpf_map__name(m), ".bss") &&
		    bpf_map__value_size(m) == sizeof(uint64_t))
			rt->bss_fd = bpf_map__fd(m);
	rt->ustack_fd = plan->ustack_map ? bpf_object__find_map_fd_by_name(rt->obj, plan->ustack_map) : -1;
	rt->kstack_fd = plan->kstack_map ? bpf_object__find_map_fd_by_name(rt->obj, plan->kstack_map) : -1;
	rt->progs = calloc(plan->nprogs + 1, sizeof(*rt->progs));
	for (int i = 0; i < plan->nprogs; i++)
		rt->progs[i] = bpf_object__find_program_by_name(rt->obj, plan->progs[i].name);
	err = rt_events_open(rt);
	if (err)
		goto err_out;
	if (o->listen) {
		err = httpd__new(o->listen, rt_write_metrics, rt, &rt->httpd);
		if (err)
			goto err_out;
		fprintf(stderr, "hark: serving OpenMetrics at http://%s/metrics\n", httpd_address(rt->httpd));
	}
	*out = rt;
	return 0;
err_out:
	if (libbpf_sink)
		fclose(libbpf_sink);
	libbpf_sink = NULL;
	free(log);
	rt__free(rt);
	return err;
}

/* Detaching a tracepoint or uprobe link waits for RCU grace periods under
 * a kernel mutex: ~35 ms each, one after the other, so ~13 s for the ~350
 * sys_enter_* tracepoints. So stopping is in two steps: a stop flag (the
 * global hark_stop, in .bss) makes every program return at once (probes
 * are quiet from that moment: END runs and maps are read on stable data),
 * and the closing is left to a short-lived child that inherits the
 * descriptors, waits for hark to exit and then closes them; with its stdio
 * on /dev/null, pipes reading hark see EOF as soon as hark exits. Even one
 * tracepoint is worth it: its close took 60-80 ms, against ~18 ms for the
 * rest of a short run. */

static void stop_programs(struct rt *rt)
{
	uint32_t zero = 0;
	uint64_t one = 1;

	if (rt->bss_fd >= 0)
		bpf_map_update_elem(rt->bss_fd, &zero, &one, BPF_ANY);
}

/* The closer keeps the links (and their perf events) and the gate, no
 * other descriptor: an -o file or a pipe hark inherited must see its
 * last close when hark exits, not when the closer is done. */
static void keep_only_links(struct rt *rt, int gate)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		bool keep = fd <= 2 || fd == gate || fd == dirfd(d) || !isdigit((unsigned char)e->d_name[0]);

		for (int i = 0; !keep && i < rt->nlinks; i++)
			keep = fd == bpf_link__fd(rt->links[i]);
		for (int i = 0; !keep && i < rt->npfds; i++)
			keep = fd == rt->pfds[i];
		if (!keep)
			close(fd);
	}
	closedir(d);
}

static void release_links(struct rt *rt)
{
	int gate[2];
	bool background = rt->nlinks > 0 && !pipe(gate);

	if (background) {
		fflush(NULL);
		if (fork() == 0) {
			char c;
			int devnull = open("/dev/null", O_RDWR);

			setsid();
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
			close(gate[1]);
			keep_only_links(rt, gate[0]);
			/* EOF when hark has exited and dropped its references */
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0); /* the kernel closes every descriptor */
		}
		close(gate[0]);
		/* gate[1] stays open until hark exits */
	}
	for (int i = 0; i < rt->nlinks; i++) {
		if (background)
			bpf_link__disconnect(rt->links[i]);
		bpf_link__destroy(rt->links[i]);
	}
	rt->nlinks = 0;
	for (int i = 0; i < rt->npfds; i++)
		close(rt->pfds[i]);
	rt->npfds = 0;
}

void rt__free(struct rt *rt)
{
	if (!rt)
		return;
	httpd__free(rt->httpd); /* its thread reads the maps */
	rt->httpd = NULL;
	release_links(rt);
	free(rt->links);
	free(rt->pfds);
	rt_events_close(rt);
	bpf_object__close(rt->obj);
	free(rt->progs);
	sym_cache__free(rt->syms);
	out__free(rt->out);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

static int add_link(struct rt *rt, struct bpf_link *l)
{
	if (!l)
		return -errno;
	if (rt->nlinks == rt->caplinks) {
		rt->caplinks = rt->caplinks ? 2 * rt->caplinks : 16;
		rt->links = realloc(rt->links, rt->caplinks * sizeof(*rt->links));
	}
	rt->links[rt->nlinks++] = l;
	return 0;
}

static int perf_open(struct perf_event_attr *a, int cpu)
{
	return (int)syscall(__NR_perf_event_open, a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Attach prog to perf event fd. The link owns fd; rt keeps a dup so the
 * event stays while the link is handed to the closer (release_links). */
static int attach_pfd(struct rt *rt, struct bpf_program *prog, int fd, int cookie)
{
	LIBBPF_OPTS(bpf_perf_event_opts, po, .bpf_cookie = (uint64_t)cookie);
	int keep = fcntl(fd, F_DUPFD_CLOEXEC, 0), err;

	if (keep < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	rt->pfds = realloc(rt->pfds, (rt->npfds + 1) * sizeof(*rt->pfds));
	rt->pfds[rt->npfds++] = keep;
	err = add_link(rt, bpf_program__attach_perf_event_opts(prog, fd, &po));
	if (err)
		close(fd);
	return err;
}

static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} perf_events[] = {
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "cpu", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "alignment-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS },
	{ "emulation-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS },
	{ "dummy", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_DUMMY },
	{ "bpf-output", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "bus-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES },
	{ "frontend-stalls", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ "backend-stalls", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
	{ "ref-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
};

/* interval: one CPU; profile/software/hardware: every CPU */
static int attach_perf(struct rt *rt, struct bpf_program *prog, const struct probe_target *t, int cookie)
{
	struct perf_event_attr a = { .size = sizeof(a), .type = PERF_TYPE_SOFTWARE,
				     .config = PERF_COUNT_SW_CPU_CLOCK };
	int first = 0, last = rt->ncpus - 1, opened = 0, last_err = ENODEV;

	switch (t->kind) {
	case PK_INTERVAL:
		a.sample_period = t->period;
		last = 0;
		break;
	case PK_PROFILE:
		if (!strcmp(t->event, "hz")) {
			a.freq = 1;
			a.sample_freq = t->period;
		} else {
			a.sample_period = t->period;
		}
		break;
	default:
		for (size_t i = 0; i < sizeof(perf_events) / sizeof(perf_events[0]); i++) {
			if (!strcmp(perf_events[i].name, t->event)) {
				a.type = perf_events[i].type;
				a.config = perf_events[i].config;
			}
		}
		a.sample_period = t->period;
		break;
	}
	for (int cpu = first; cpu <= last; cpu++) {
		int fd = perf_open(&a, cpu), err;

		if (fd < 0) {
			if (errno == ENODEV || errno == ENOENT) { /* offline or absent CPU */
				last_err = errno;
				continue;
			}
			return -errno;
		}
		err = attach_pfd(rt, prog, fd, cookie);
		if (err)
			return err;
		opened++;
	}
	/* on no CPU at all: the event itself is absent (no hardware PMU) */
	return opened ? 0 : -last_err;
}

/* A tracepoint perf event of our own, so it can be handed over like the
 * others (see release_links). */
static int attach_tracepoint(struct rt *rt, struct bpf_program *prog, const struct probe_target *t, int cookie)
{
	struct perf_event_attr a = { .size = sizeof(a), .type = PERF_TYPE_TRACEPOINT, .sample_period = 1,
				     .wakeup_events = 1 };
	char path[512];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tfs_root(), t->path, t->event);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%llu", (unsigned long long *)&a.config) != 1) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	fd = perf_open(&a, 0);
	if (fd < 0)
		return -errno;
	return attach_pfd(rt, prog, fd, cookie);
}

static int attach_one(struct rt *rt, const struct plan_attach *pa, int cookie)
{
	struct bpf_program *prog = rt->progs[pa->prog];
	const struct probe_target *t = &pa->t;

	switch (t->kind) {
	case PK_BEGIN:
	case PK_END:
		return 0; /* run with BPF_PROG_TEST_RUN */
	case PK_UPROBE:
	case PK_URETPROBE: {
		/* Go return probes are plain uprobes on RET instructions */
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = t->kind == PK_URETPROBE && !t->ret_site,
			    .bpf_cookie = (uint64_t)cookie);

		return add_link(rt, bpf_program__attach_uprobe_opts(prog, t->pid, t->path, t->offset, &uo));
	}
	case PK_TRACEPOINT:
		return attach_tracepoint(rt, prog, t, cookie);
	case PK_KPROBE:
	case PK_KRETPROBE: {
		LIBBPF_OPTS(bpf_kprobe_opts, ko, .retprobe = t->kind == PK_KRETPROBE,
			    .bpf_cookie = (uint64_t)cookie, .offset = t->offset);

		if (access("/sys/bus/event_source/devices/kprobe", F_OK))
			return -EOPNOTSUPP;
		return add_link(rt, bpf_program__attach_kprobe_opts(prog, t->event, &ko));
	}
	default:
		return attach_perf(rt, prog, t, cookie);
	}
}

int rt_attach(struct rt *rt)
{
	struct plan *p = rt->plan;
	int n = 0;

	if (rt->o.dry_run)
		return 0;
	for (int i = 0; i < p->nattach; i++) {
		const struct plan_attach *pa = &p->attach[i];
		int err;

		if (pa->t.kind == PK_TRACEPOINT && !tfs_root()) {
			fprintf(stderr, "hark: cannot mount tracefs: %s\n", strerror(errno));
			return -errno;
		}
		err = attach_one(rt, pa, i);
		if (err == -EOPNOTSUPP && (pa->t.kind == PK_KPROBE || pa->t.kind == PK_KRETPROBE)) {
			fprintf(stderr, "hark: cannot attach %s: this kernel has no kprobes (CONFIG_KPROBES is off)\n"
					"hint: trace the same event with a tracepoint (hark -l 'tracepoint:*') or a uprobe\n",
				pa->t.probe_name);
			return err;
		}
		if (err) {
			fprintf(stderr, "hark: cannot attach %s: %s\n", pa->t.probe_name, strerror(-err));
			if (pa->t.kind == PK_HARDWARE && err == -ENOENT)
				fprintf(stderr, "hint: this machine exposes no hardware counters (a VM?)\n");
			return err;
		}
		n++;
	}
	rt->nattached = n;
	return 0;
}

static void run_special(struct rt *rt, enum probe_kind kind)
{
	for (int i = 0; i < rt->plan->nattach; i++) {
		const struct plan_attach *pa = &rt->plan->attach[i];
		LIBBPF_OPTS(bpf_test_run_opts, tr);

		if (pa->t.kind != kind)
			continue;
		if (bpf_prog_test_run_opts(bpf_program__fd(rt->progs[pa->prog]), &tr))
			fprintf(stderr, "hark: cannot run %s: %s\n", pa->t.probe_name, strerror(errno));
		rt_events_drain(rt);
	}
}

/* The -c child is seized with ptrace for two events only, exec and exit:
 * at each, its mappings are snapshot, so that its stacks are named even
 * when it has exited before the maps are printed (at the exit stop the
 * process still has its memory map). Signals it receives in between are
 * passed on at once: SIGCHLD interrupts the poll. */
static void on_sigchld(int sig)
{
	(void)sig;
}

/* A -p process has ended when it is gone or a zombie (its parent has not
 * reaped it yet: kill(pid, 0) still succeeds then). */
static bool process_gone(int pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')'); /* the state follows the command name */
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

static bool target_gone(struct rt *rt)
{
	int pid = rt->o.target_pid, status;
	pid_t w;

	if (pid <= 0)
		return false;
	if (!rt->o.target_is_child)
		return process_gone(pid);
	while ((w = waitpid(pid, &status, WNOHANG | __WALL)) == pid) {
		int event = status >> 16;

		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			rt->child_reaped = true;
			return true;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (event == PTRACE_EVENT_EXIT || event == PTRACE_EVENT_EXEC) {
			sym_snapshot(rt->syms, pid);
			ptrace(event == PTRACE_EVENT_EXIT ? PTRACE_DETACH : PTRACE_CONT, pid, 0, 0);
		} else if (event == PTRACE_EVENT_STOP) {
			ptrace(PTRACE_LISTEN, pid, 0, 0); /* a group stop (SIGSTOP): stay stopped */
		} else {
			ptrace(PTRACE_CONT, pid, 0, (void *)(long)WSTOPSIG(status));
		}
	}
	return false;
}

static void set_start_time(struct rt *rt)
{
	struct timespec ts;
	uint32_t k = ENV_START_NS;
	uint64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	bpf_map_update_elem(rt->env_fd, &k, &ns, BPF_ANY);
	for (int i = 0; i < rt->plan->nattach; i++) {
		const struct plan_attach *a = &rt->plan->attach[i];

		k = ENV_SITES + (uint32_t)i;
		bpf_map_update_elem(rt->env_fd, &k, &a->t.vaddr, BPF_ANY);
		for (int p = 0; p < a->nparams; p++) {
			k = rt->plan->param_base + (uint32_t)(i * rt->plan->max_params + p);
			bpf_map_update_elem(rt->env_fd, &k, &a->params[p], BPF_ANY);
		}
	}
}

/* Stacks must be named even after the traced process has exited: its
 * mappings are snapshot once the -c command has exec'ed, and refreshed
 * while it runs (new libraries, -p targets). */
static void snapshot_target(struct rt *rt, bool wait_exec)
{
	int pid = rt->o.target_pid;
	char link[64], exe[PATH_MAX];

	if (pid <= 0 || rt->child_reaped)
		return;
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	for (int i = 0; wait_exec && rt->o.target_exe && i < 1000; i++) {
		ssize_t n = readlink(link, exe, sizeof(exe) - 1);

		if (n < 0)
			return; /* gone already */
		exe[n] = 0;
		if (!strcmp(exe, rt->o.target_exe))
			break;
		usleep(1000);
	}
	sym_snapshot(rt->syms, pid);
}

/* exit() also leaves its code in hark_env: a ring buffer too full to
 * carry the exit event must not keep hark running */
static void exit_by_flag(struct rt *rt)
{
	uint32_t k = ENV_EXIT;
	uint64_t v = 0;

	if (rt->exit_requested || bpf_map_lookup_elem(rt->env_fd, &k, &v) || !v)
		return;
	rt_events_drain(rt);
	if (!rt->exit_requested)
		rt->exit_code = (int)(int64_t)(v - 1);
	rt->exit_requested = true;
}

int rt_run(struct rt *rt, void (*started)(void *ctx), void *ctx)
{
	int probes = 0;

	for (int i = 0; i < rt->plan->nattach; i++)
		probes += 1;
	set_start_time(rt);
	if (!rt->o.quiet)
		out_attached(rt->out, probes);
	if (rt->o.dry_run)
		return 0;
	run_special(rt, PK_BEGIN);
	if (rt->o.target_traced)
		sigaction(SIGCHLD, &(struct sigaction){ .sa_handler = on_sigchld }, NULL);
	if (started)
		started(ctx);
	pthread_mutex_lock(&rt->lock); /* the symbol cache (rt_internal.h) */
	snapshot_target(rt, !rt->o.target_traced);
	pthread_mutex_unlock(&rt->lock);
	rt->polling = true;
	while (!rt->exit_requested && !stop_requested) {
		int err = rt_events_poll(rt, 100);
		bool gone;

		pthread_mutex_lock(&rt->lock);
		snapshot_target(rt, false);
		gone = target_gone(rt);
		pthread_mutex_unlock(&rt->lock);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "hark: ring buffer: %s\n", strerror(-err));
			break;
		}
		if (gone) {
			rt_events_drain(rt);
			break;
		}
		if (ferror(rt->o.out))
			break; /* output failed (the reader of hark | head went away) */
		exit_by_flag(rt);
	}
	/* probes stop before the last drain (so a probe fed by hark's own
	 * output cannot keep it busy), before END runs and the maps are read */
	stop_programs(rt);
	rt->polling = false;
	rt_events_drain(rt);
	/* /metrics stops here: END and the exit-time dump run unshared */
	httpd__free(rt->httpd);
	rt->httpd = NULL;
	run_special(rt, PK_END);
	rt_print_all(rt);
	rt_report_lost(rt);
	rt_report_drops(rt, -1);
	out_flush(rt->out);
	return rt->exit_code;
}

/* hark: the command line, and the whole pipeline in one screen:
 * read -> parse -> resolve -> sema -> codegen -> load -> attach -> run ->
 * print -> detach. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <unistd.h>

#include "../codegen/cg.h"
#include "../lang/ast.h"
#include "../lang/sema.h"
#include "elfsym.h"
#include "probelist.h"
#include "resolve.h"
#include "rt.h"

#define HARK_VERSION "0.1.0"

struct opts {
	const char *prog_text, *prog_file, *cmd, *outfile, *listen;
	int pid;
	enum out_format format;
	bool quiet, list, dry_run, unsafe;
	bool dump_ast, dump_ir, dump_asm, dump_verifier;
	int max_probes;
	uint32_t max_keys, ringbuf_size;
	char **pos;
	int npos;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hark [options] [FILE | -e PROGRAM] [-- args]\n"
		"\n"
		"  -e PROGRAM      trace with PROGRAM\n"
		"  -p PID          trace process PID (uprobes without a binary probe it)\n"
		"  -c 'CMD'        run CMD, trace it, stop when it ends\n"
		"  -o FILE         write output to FILE\n"
		"  -f FORMAT       output format: text (default), json, folded (stacks for flame graphs),\n"
		"                  or openmetrics (Prometheus; printf goes to stderr)\n"
		"  -q              quiet: no \"Attaching\" line\n"
		"  -l [PATTERN]    list probes matching PATTERN\n"
		"  -d STAGE        dump a stage: ast, ir, asm, verifier\n"
		"  --dry-run       compile and load into the kernel, attach nothing, exit\n"
		"  --max-probes N  refuse wildcards that expand past N probes (default 1024)\n"
		"  --max-keys N    default map size (default 4096)\n"
		"  --listen [HOST]:PORT  serve the live maps as OpenMetrics at /metrics (host 127.0.0.1)\n"
		"  --unsafe        allow system() and signal()\n"
		"  --ringbuf-size N  printf ring buffer bytes (default 262144; a power of two)\n"
		"Defaults for --max-keys, --max-probes and --ringbuf-size can be set in\n"
		"/etc/hark.conf or ~/.config/hark/config, one 'name = value' per line.\n"
		"  -h, --help      this help\n"
		"  -V, --version   version\n");
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 8192;
			buf = realloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (f != stdin)
		fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* The ring buffer takes a power of two of at least a page. */
static uint32_t ringbuf_bytes(unsigned long long n)
{
	uint32_t b = 4096;

	while (b < n && b < (1u << 30))
		b <<= 1;
	return b;
}

/* Defaults from /etc/hark.conf, then ~/.config/hark/config: lines of
 * "max-keys = N", "max-probes = N", "ringbuf-size = N"; '#' comments. */
static void read_config(struct opts *o)
{
	char user[4096];
	const char *home = getenv("HOME"), *paths[2] = { "/etc/hark.conf", NULL };

	if (home) {
		snprintf(user, sizeof(user), "%s/.config/hark/config", home);
		paths[1] = user;
	}
	for (int i = 0; i < 2; i++) {
		FILE *f = paths[i] ? fopen(paths[i], "r") : NULL;
		char line[256], name[64];
		unsigned long long v;

		while (f && fgets(line, sizeof(line), f)) {
			if (line[0] == '#' || sscanf(line, " %63[a-z-] = %llu", name, &v) != 2)
				continue;
			if (!strcmp(name, "max-keys"))
				o->max_keys = (uint32_t)v;
			else if (!strcmp(name, "max-probes"))
				o->max_probes = (int)v;
			else if (!strcmp(name, "ringbuf-size"))
				o->ringbuf_size = ringbuf_bytes(v);
			else
				fprintf(stderr, "hark: %s: unknown setting '%s' (ignored)\n", paths[i], name);
		}
		if (f)
			fclose(f);
	}
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_DRY_RUN = 256, OPT_MAX_PROBES, OPT_MAX_KEYS, OPT_LISTEN, OPT_UNSAFE, OPT_RINGBUF };
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "max-probes", required_argument, NULL, OPT_MAX_PROBES },
		{ "max-keys", required_argument, NULL, OPT_MAX_KEYS },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "unsafe", no_argument, NULL, OPT_UNSAFE },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ 0 },
	};
	int c;

	o->max_probes = 1024;
	o->max_keys = 4096;
	o->ringbuf_size = 1 << 18;
	read_config(o);
	while ((c = getopt_long(argc, argv, "e:p:c:o:f:qld:hV", lopts, NULL)) != -1) {
		switch (c) {
		case 'e': o->prog_text = optarg; break;
		case 'p': o->pid = atoi(optarg); break;
		case 'c': o->cmd = optarg; break;
		case 'o': o->outfile = optarg; break;
		case 'q': o->quiet = true; break;
		case 'l': o->list = true; break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o->format = OUT_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = OUT_JSON;
			else if (!strcmp(optarg, "folded"))
				o->format = OUT_FOLDED;
			else if (!strcmp(optarg, "openmetrics"))
				o->format = OUT_OPENMETRICS;
			else {
				fprintf(stderr, "hark: unknown output format '%s' (text, json, folded or openmetrics)\n", optarg);
				return -1;
			}
			break;
		case 'd':
			if (!strcmp(optarg, "ast")) o->dump_ast = true;
			else if (!strcmp(optarg, "ir")) o->dump_ir = true;
			else if (!strcmp(optarg, "asm")) o->dump_asm = true;
			else if (!strcmp(optarg, "verifier")) o->dump_verifier = true;
			else {
				fprintf(stderr, "hark: unknown stage '%s' for -d (ast, ir, asm, verifier)\n", optarg);
				return -1;
			}
			break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_MAX_PROBES: o->max_probes = atoi(optarg); break;
		case OPT_MAX_KEYS: o->max_keys = (uint32_t)strtoul(optarg, NULL, 0); break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_UNSAFE: o->unsafe = true; break;
		case OPT_RINGBUF: o->ringbuf_size = ringbuf_bytes(strtoull(optarg, NULL, 0)); break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("hark %s\n", HARK_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (!o->prog_text && !o->list && optind < argc && strcmp(argv[optind], "--"))
		o->prog_file = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	o->pos = argv + optind;
	o->npos = argc - optind;
	return 0;
}

/* -c: the child waits on a pipe until probes are attached, then execs. */
struct child {
	int pid;
	int gate;
	bool traced;
	char path[4096];
};

static int child_start(const char *cmd, struct child *ch)
{
	int fds[2];
	char first[4096], path[4096];
	size_t n = strcspn(cmd, " \t");

	snprintf(first, sizeof(first), "%.*s", (int)n, cmd);
	if (elf_resolve_binary(first, 0, path, sizeof(path)) || !realpath(path, ch->path)) {
		fprintf(stderr, "hark: -c: command '%s' not found\n", first);
		return -ENOENT;
	}
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	ch->pid = fork();
	if (ch->pid < 0)
		return -errno;
	if (ch->pid == 0) {
		char c;

		close(fds[1]);
		/* run only on hark's explicit go: if hark dies first, EOF */
		if (read(fds[0], &c, 1) != 1)
			_exit(127);
		/* A plain command runs directly: a shell in between would show in
		 * the trace (dash calls getppid() at start-up, for one). */
		if (!cmd[strcspn(cmd, "|&;<>()$`\\\"'*?[]#~=%{}\n")]) {
			char *words = strdup(cmd), *argv[256], *save = NULL;
			int argc = 0;

			for (char *w = strtok_r(words, " \t", &save); w && argc < 255; w = strtok_r(NULL, " \t", &save))
				argv[argc++] = w;
			argv[argc] = NULL;
			execv(ch->path, argv);
			_exit(127);
		}
		/* "exec" keeps the pid that uprobes were attached for */
		{
			size_t n = strlen(cmd) + 6;
			char *line = malloc(n);

			snprintf(line, n, "exec %s", cmd);
			execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		}
		_exit(127);
	}
	close(fds[0]);
	ch->gate = fds[1];
	/* exec and exit stops only: rt snapshots the mappings there */
	ch->traced = !ptrace(PTRACE_SEIZE, ch->pid, 0, (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC));
	return 0;
}

static void child_release(void *ctx)
{
	struct child *ch = ctx;

	if (ch->gate >= 0 && write(ch->gate, "g", 1) != 1)
		fprintf(stderr, "hark: -c: cannot start the command: %s\n", strerror(errno));
	if (ch->gate >= 0)
		close(ch->gate);
	ch->gate = -1;
}

/* Loading BPF and opening perf events needs root, or CAP_BPF with
 * CAP_PERFMON (CAP_SYS_ADMIN covers both): say which is missing, once,
 * before anything is compiled. */
static bool privileged(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	enum { CAP_PERFMON_ = 38, CAP_BPF_ = 39, CAP_SYS_ADMIN_ = 21 };
	bool bpf, perfmon, admin;

	if (geteuid() == 0 || syscall(SYS_capget, &hdr, data))
		return true; /* root, or cannot tell: let the kernel decide */
#define HAS(c) ((data[(c) / 32].effective >> ((c) % 32)) & 1)
	bpf = HAS(CAP_BPF_);
	perfmon = HAS(CAP_PERFMON_);
	admin = HAS(CAP_SYS_ADMIN_);
#undef HAS
	if (admin || (bpf && perfmon))
		return true;
	fprintf(stderr, "hark: tracing needs root, or the CAP_BPF and CAP_PERFMON capabilities; this process lacks %s%s%s\n",
		bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	fprintf(stderr, "hint: run it with sudo, or: sudo setcap cap_bpf,cap_perfmon+ep $(command -v hark)\n");
	return false;
}

static void on_signal(int sig)
{
	(void)sig;
	rt_request_stop();
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct source *src = NULL;
	struct diags *d = NULL;
	struct ast *ast = NULL;
	struct plan plan = { 0 };
	struct rt *rt = NULL;
	struct child ch = { .pid = 0, .gate = -1 };
	FILE *out = stdout;
	char *text = NULL;
	size_t len = 0;
	int rc = 1, err;

	if (parse_args(argc, argv, &o))
		return 1;
	if (o.list)
		return probes_list(stdout, optind < argc ? argv[optind] : (o.prog_text ? o.prog_text : NULL),
				   o.pid) < 0;
	if (o.prog_text) {
		text = strdup(o.prog_text);
		len = strlen(text);
	} else if (o.prog_file) {
		text = read_file(o.prog_file, &len);
		if (!text) {
			fprintf(stderr, "hark: cannot read %s: %s\n", o.prog_file, strerror(errno));
			return 1;
		}
	} else {
		usage(stderr);
		return 1;
	}
	if (o.outfile && !(out = fopen(o.outfile, "w"))) {
		fprintf(stderr, "hark: cannot write %s: %s\n", o.outfile, strerror(errno));
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);

	src = source__new(o.prog_text ? "-e" : o.prog_file, text, len);
	d = diags__new(src);
	ast = ast_parse(src, d);
	if (!ast || diags__nerrors(d))
		goto diag_out;
	if (o.dump_ast) {
		ast_dump(ast, stdout);
		rc = 0;
		goto out;
	}
	if (!privileged())
		goto out;
	if (o.cmd && (err = child_start(o.cmd, &ch))) {
		fprintf(stderr, "hark: -c: cannot start '%s': %s\n", o.cmd, strerror(-err));
		goto out;
	}
	{
		struct resolve_opts ro = { .pid = o.pid ? o.pid : ch.pid, .cmd_path = o.cmd ? ch.path : NULL,
					   .max_probes = o.max_probes };
		struct sema_opts so = { .pos_args = o.pos, .npos_args = o.npos, .max_keys = o.max_keys,
					.cpid = ch.pid, .unsafe = o.unsafe };
		struct cg_opts co = { .dump_ir = o.dump_ir ? stdout : NULL, .dump_asm = o.dump_asm ? stdout : NULL,
				      .ringbuf_size = o.ringbuf_size, .stack_entries = o.max_keys };

		if (resolve_probes(ast, &ro, d) || sema_run(ast, &so, &plan, d) || cg_compile(ast, &plan, &co, d))
			goto diag_out;
	}
	{
		struct rt_opts rto = { .out = out, .format = o.format, .quiet = o.quiet, .dry_run = o.dry_run,
				       .verifier_log = o.dump_verifier, .target_pid = o.pid ? o.pid : ch.pid,
				       .target_is_child = ch.pid > 0, .target_exe = ch.pid > 0 ? ch.path : NULL,
				       .target_traced = ch.traced, .listen = o.listen, .src = src };

		if (rt__new(&plan, &rto, &rt) || rt_attach(rt))
			goto out;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		rc = rt_run(rt, child_release, &ch);
	}
	goto out;
diag_out:
	diags__print(d, stderr);
out:
	rt__free(rt);
	if (ch.pid > 0 && ch.gate >= 0) {
		/* never started: hark failed before attaching, so the command must not run */
		kill(ch.pid, SIGKILL);
		close(ch.gate); /* no go byte: the child exits on EOF anyway */
		waitpid(ch.pid, NULL, 0);
	}
	resolve_free(ast);
	plan__free(&plan);
	ast__free(ast);
	diags__free(d);
	source__free(src);
	free(text);
	if (out && out != stdout)
		fclose(out);
	return rc;
}

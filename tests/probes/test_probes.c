/* tests/probes: runtime/{elfsym,tracefs,symbolize,probelist}.c against
 * ground truth. Usage: probes_test TEST TARGET TARGET_PIE; exit 0 pass,
 * 1 fail, 77 skip (needs root). Expected values come from an independent
 * raw parse of the ELF files (<elf.h>, no libelf), the tracefs format
 * files read as text, and a live child process. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "elfsym.h"
#include "probelist.h"
#include "symbolize.h"
#include "tracefs.h"

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Independent parse: st_value of a .symtab symbol and its file offset. */
static int raw_sym(const char *path, const char *name, uint64_t *value, uint64_t *off)
{
	struct stat st;
	int fd = open(path, O_RDONLY), found = -1;
	unsigned char *m;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	Elf64_Phdr *ph;

	if (fd < 0 || fstat(fd, &st))
		return -1;
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	eh = (Elf64_Ehdr *)m;
	sh = (Elf64_Shdr *)(m + eh->e_shoff);
	ph = (Elf64_Phdr *)(m + eh->e_phoff);
	for (int i = 0; i < eh->e_shnum && found < 0; i++) {
		Elf64_Sym *syms;
		const char *str;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		syms = (Elf64_Sym *)(m + sh[i].sh_offset);
		str = (const char *)(m + sh[sh[i].sh_link].sh_offset);
		for (size_t j = 0; j < sh[i].sh_size / sizeof(Elf64_Sym); j++) {
			if (strcmp(str + syms[j].st_name, name))
				continue;
			*value = syms[j].st_value;
			for (int k = 0; k < eh->e_phnum; k++) {
				if (ph[k].p_type == PT_LOAD && *value >= ph[k].p_vaddr &&
				    *value < ph[k].p_vaddr + ph[k].p_memsz) {
					*off = *value - ph[k].p_vaddr + ph[k].p_offset;
					found = 0;
				}
			}
			break;
		}
	}
	munmap(m, st.st_size);
	return found;
}

struct names {
	char buf[1024];
};

static int collect(const struct elf_sym *sym, void *ctx)
{
	struct names *n = ctx;

	strcat(n->buf, sym->name);
	strcat(n->buf, " ");
	return 0;
}

static void test_elfsym_one(const char *path, int pie)
{
	static const char *funcs[] = { "target_alpha", "target_beta", "target_gamma", "target_loop", "main" };
	struct elf_syms *s = NULL;
	struct names n = { "" };
	int err;

	err = elf_syms__open(path, &s);
	CHECK(err == 0, "open %s: %d", path, err);
	if (err)
		return;
	CHECK(s->is_dyn == pie, "%s: is_dyn %d", path, s->is_dyn);
	for (size_t i = 0; i < sizeof(funcs) / sizeof(*funcs); i++) {
		const struct elf_sym *sym = elf_syms__find(s, funcs[i]);
		uint64_t value = 0, off = 0, v2;

		CHECK(raw_sym(path, funcs[i], &value, &off) == 0, "raw parse %s", funcs[i]);
		CHECK(sym, "%s: no %s", path, funcs[i]);
		if (!sym)
			continue;
		CHECK(sym->addr == value, "%s addr %#lx != %#lx", funcs[i], (unsigned long)sym->addr, (unsigned long)value);
		CHECK(sym->file_off == off, "%s off %#lx != %#lx", funcs[i], (unsigned long)sym->file_off, (unsigned long)off);
		CHECK(elf_off_to_vaddr(s, off, &v2) == 0 && v2 == value, "%s off_to_vaddr", funcs[i]);
		CHECK(elf_syms__lookup(s, value + 1) == sym || !strcmp(elf_syms__lookup(s, value + 1)->name, funcs[i]),
		      "%s lookup", funcs[i]);
	}
	/* sorted by address, no name+addr duplicates */
	for (size_t i = 1; i < s->nsyms; i++) {
		CHECK(s->syms[i - 1].addr <= s->syms[i].addr, "not sorted at %zu", i);
		CHECK(s->syms[i - 1].addr != s->syms[i].addr || strcmp(s->syms[i - 1].name, s->syms[i].name),
		      "duplicate %s", s->syms[i].name);
	}
	err = elf_syms__match(s, "target_*", collect, &n);
	CHECK(err == 4, "target_* matched %d", err);
	/* address order: as laid out by the compiler, the source order */
	CHECK(!strcmp(n.buf, "target_alpha target_beta target_gamma target_loop "), "target_*: '%s'", n.buf);
	n.buf[0] = '\0';
	err = elf_syms__match(s, "target_?eta", collect, &n);
	CHECK(err == 1 && !strcmp(n.buf, "target_beta "), "target_?eta: %d '%s'", err, n.buf);
	CHECK(elf_syms__match(s, "nosuch*", NULL, NULL) == 0, "nosuch*");
	CHECK(elf_syms__find(s, "getpid") == NULL, "undefined getpid listed");
	CHECK(elf_vaddr_to_off(s, 0x10, &(uint64_t){0}) == -ENOENT || pie, "vaddr 0x10 mapped");
	elf_syms__free(s);
}

static int test_elfsym(const char *target, const char *pie)
{
	struct elf_syms *s = NULL;
	double t0;
	int err;

	test_elfsym_one(target, 0);
	test_elfsym_one(pie, 1);
	CHECK(elf_syms__open("/nonexistent", &s) == -ENOENT && !s, "missing file");
	CHECK(elf_syms__open("/proc/self/status", &s) == -ENOEXEC && !s, "not ELF");
	elf_syms__free(NULL);

	t0 = now_ms();
	err = elf_syms__open("/lib/x86_64-linux-gnu/libc.so.6", &s);
	fprintf(stderr, "libc: %zu symbols in %.2f ms\n", s ? s->nsyms : 0, now_ms() - t0);
	CHECK(err == 0, "libc open %d", err);
	if (!err) {
		const struct elf_sym *g = elf_syms__find(s, "getpid");
		uint64_t value, off;

		CHECK(g && g->size > 0, "libc getpid");
		/* libc has no .symtab: check against .dynsym via the debug-free open */
		if (g) {
			struct elf_syms *d = NULL;

			CHECK(elf_syms__open_opts("/lib/x86_64-linux-gnu/libc.so.6", ELF_SYMS_NO_DEBUG, &d) == 0, "nodebug");
			CHECK(d && elf_syms__find(d, "getpid") && elf_syms__find(d, "getpid")->addr == g->addr,
			      "getpid addr differs between debug and no-debug");
			CHECK(elf_vaddr_to_off(s, g->addr, &off) == 0 && off == g->file_off, "libc off");
			elf_syms__free(d);
		}
		(void)value;
		elf_syms__free(s);
	}
	return 0;
}

static int test_resolve(const char *target, const char *pie)
{
	char out[PATH_MAX], a[PATH_MAX], b[PATH_MAX], cwd[PATH_MAX];
	int err;

	err = elf_resolve_binary("libc", 0, out, sizeof(out));
	CHECK(err == 0, "libc: %d", err);
	if (!err && access("/lib/x86_64-linux-gnu/libc.so.6", F_OK) == 0) {
		CHECK(realpath(out, a) && realpath("/lib/x86_64-linux-gnu/libc.so.6", b) && !strcmp(a, b),
		      "libc -> %s", out);
	}
	err = elf_resolve_binary("libc.so.6", 0, out, sizeof(out));
	CHECK(err == 0 && strstr(out, "/libc.so.6"), "libc.so.6 -> %d %s", err, out);
	/* pid: a library mapped in our own process */
	err = elf_resolve_binary("libelf", getpid(), out, sizeof(out));
	CHECK(err == 0 && strstr(out, "libelf"), "libelf via maps -> %d %s", err, out);
	err = elf_resolve_binary("sh", 0, out, sizeof(out));
	CHECK(err == 0 && out[0] == '/' && access(out, X_OK) == 0, "sh -> %d %s", err, out);
	CHECK(elf_resolve_binary("no-such-program-xyz", 0, out, sizeof(out)) == -ENOENT, "missing prog");
	CHECK(elf_resolve_binary("libnosuchlibxyz", 0, out, sizeof(out)) == -ENOENT, "missing lib");
	err = elf_resolve_binary(target, 0, out, sizeof(out));
	CHECK(err == 0 && !strcmp(out, target), "abs path -> %s", out);
	/* relative with a slash: made absolute */
	if (getcwd(cwd, sizeof(cwd)) && chdir("/usr") == 0) {
		err = elf_resolve_binary("./bin/env", 0, out, sizeof(out));
		CHECK(err == 0 && !strcmp(out, "/usr/bin/env"), "./bin/env -> %d %s", err, out);
		CHECK(chdir(cwd) == 0, "chdir back");
	}
	(void)pie;
	return 0;
}

/* Read "offset:N;" of a field from the format file, as text: the field
 * line's declaration ends with " NAME;" or " NAME[N];". */
static int format_offset(const char *root, const char *cat, const char *ev, const char *field)
{
	char path[PATH_MAX], line[512], a[128], b[128];
	FILE *f;
	int off = -1;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", root, cat, ev);
	snprintf(a, sizeof(a), " %s;", field);
	snprintf(b, sizeof(b), " %s[", field);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *semi = strchr(line, ';'), *o = strstr(line, "offset:");

		if (!strstr(line, "field:") || !semi || !o)
			continue;
		semi[1] = '\0';
		if (strstr(line, a) || strstr(line, b)) {
			off = atoi(o + 7);
			break;
		}
	}
	fclose(f);
	return off;
}

static int count_cb(const char *cat, const char *name, void *ctx)
{
	char *last = ctx; /* "CAT\0NAME" */
	int c = strcmp(last, cat);

	CHECK(c < 0 || (c == 0 && strcmp(last + strlen(last) + 1, name) < 0),
	      "tfs_list not sorted: %s:%s then %s:%s", last, last + strlen(last) + 1, cat, name);
	snprintf(last, 256, "%s", cat);
	snprintf(last + strlen(last) + 1, 256, "%s", name);
	return 0;
}

static int test_tracefs(const char *target, const char *pie)
{
	struct tfs_format *f = NULL;
	const struct tfs_field *fld;
	char last[512] = "";
	const char *root;
	double t0;
	int n, err;

	if (geteuid() != 0)
		return 77;
	/* exercise the mount path: unmount tracefs if it is mounted */
	if (getenv("HARK_TEST_UNMOUNT_TRACEFS"))
		umount2("/sys/kernel/tracing", MNT_DETACH);
	root = tfs_root();
	CHECK(root, "tfs_root: %s", strerror(errno));
	if (!root)
		return 0;
	t0 = now_ms();
	n = tfs_list("*", "*", count_cb, last);
	fprintf(stderr, "tracefs: %d tracepoints listed in %.2f ms\n", n, now_ms() - t0);
	CHECK(n > 100, "only %d tracepoints", n);
	CHECK(tfs_list("sched", "sched_switch", NULL, NULL) == 1, "sched:sched_switch");
	CHECK(tfs_list("sched", "sched_sw*", NULL, NULL) >= 1, "sched:sched_sw*");
	CHECK(tfs_list("nosuch", "*", NULL, NULL) == 0, "nosuch:*");

	err = tfs_format__read("syscalls", "sys_enter_openat", &f);
	CHECK(err == 0, "format openat: %d", err);
	if (!err) {
		fld = tfs_format__field(f, "filename");
		CHECK(fld && (int)fld->offset == format_offset(root, "syscalls", "sys_enter_openat", "filename"),
		      "filename offset %d", fld ? (int)fld->offset : -1);
		CHECK(fld && fld->size == 8 && !strcmp(fld->type, "const char *") && !fld->is_signed,
		      "filename type '%s'", fld ? fld->type : "");
		fld = tfs_format__field(f, "common_pid");
		CHECK(fld && fld->offset == 4 && fld->size == 4 && fld->is_signed && !strcmp(fld->type, "int"),
		      "common_pid");
		CHECK(f->nfields >= 9 && !strcmp(f->fields[0].name, "common_type"), "fields %d", f->nfields);
		CHECK(f->id > 0, "id %d", f->id);
		tfs_format__free(f);
	}
	err = tfs_format__read("sched", "sched_switch", &f);
	CHECK(err == 0, "format sched_switch: %d", err);
	if (!err) {
		static const char *names[] = { "prev_comm", "prev_pid", "prev_prio", "prev_state",
					       "next_comm", "next_pid", "next_prio" };

		for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
			fld = tfs_format__field(f, names[i]);
			CHECK(fld && (int)fld->offset == format_offset(root, "sched", "sched_switch", names[i]),
			      "%s offset %d vs %d", names[i], fld ? (int)fld->offset : -1,
			      format_offset(root, "sched", "sched_switch", names[i]));
		}
		fld = tfs_format__field(f, "prev_comm");
		CHECK(fld && fld->is_array && fld->size == 16 && !strcmp(fld->type, "char[16]"),
		      "prev_comm type '%s'", fld ? fld->type : "");
		tfs_format__free(f);
	}
	CHECK(tfs_format__read("nosuch", "event", &f) == -ENOENT && !f, "missing tracepoint");
	/* __data_loc */
	if (tfs_format__read("sched", "sched_process_exec", &f) == 0) {
		fld = tfs_format__field(f, "filename");
		CHECK(fld && fld->is_data_loc && !strcmp(fld->type, "char[]"), "data_loc filename '%s'",
		      fld ? fld->type : "");
		tfs_format__free(f);
	}
	(void)target;
	(void)pie;
	return 0;
}

/* Start target, read the two addresses it prints. */
static pid_t spawn(const char *path, uint64_t *alpha, uint64_t *beta)
{
	int fds[2];
	pid_t pid;
	char buf[128] = "";
	unsigned long long a = 0, b = 0;
	ssize_t n;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	if (n <= 0 || sscanf(buf, "%llx %llx", &a, &b) != 2) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	*alpha = a;
	*beta = b;
	return pid;
}

static void expect_frame(char *got, const char *want)
{
	CHECK(got && !strcmp(got, want), "frame '%s', want '%s'", got ? got : "(null)", want);
	free(got);
}

static int test_symbolize(const char *target, const char *pie)
{
	const char *bins[] = { target, pie };

	for (int i = 0; i < 2; i++) {
		struct sym_cache *c = sym_cache__new();
		uint64_t a, b;
		pid_t pid = spawn(bins[i], &a, &b);
		char want[64];

		CHECK(pid > 0, "spawn %s", bins[i]);
		if (pid <= 0) {
			sym_cache__free(c);
			continue;
		}
		CHECK(sym_snapshot(c, pid) == 0, "snapshot");
		expect_frame(sym_user(c, pid, b + 3, 1), "target_beta+3");
		expect_frame(sym_user(c, pid, b, 1), "target_beta+0");
		expect_frame(sym_user(c, pid, a + 1, 0), "target_alpha");
		/* a libc function of the child: getpid's address as mapped */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		/* exited: the snapshot still resolves */
		expect_frame(sym_user(c, pid, b + 7, 1), "target_beta+7");
		/* outside every mapping: hex */
		expect_frame(sym_user(c, pid, 0x1234, 1), "0x1234");
		/* never seen and gone: hex */
		snprintf(want, sizeof(want), "0x%llx", (unsigned long long)b);
		expect_frame(sym_user(c, 999999999, b, 1), want);
		sym_cache__free(c);
	}
	sym_cache__free(NULL);
	return 0;
}

static int test_kernel(const char *target, const char *pie)
{
	struct sym_cache *c;
	char line[512], name[256], type;
	unsigned long long addr = 0, a;
	FILE *f;

	if (geteuid() != 0)
		return 77;
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return 77;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 && !strcmp(name, "schedule") &&
		    (type == 'T' || type == 't')) {
			addr = a;
			break;
		}
	}
	fclose(f);
	CHECK(addr, "no schedule in kallsyms");
	c = sym_cache__new();
	double t0 = now_ms();
	expect_frame(sym_kernel(c, addr + 5, 1), "schedule+5");
	fprintf(stderr, "kallsyms load + lookup: %.2f ms\n", now_ms() - t0);
	expect_frame(sym_kernel(c, addr, 0), "schedule");
	expect_frame(sym_kernel(c, 0x10, 1), "0x10");
	sym_cache__free(c);
	(void)target;
	(void)pie;
	return 0;
}

/* Run probes_list into a string. */
static char *list(const char *pattern, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*rc = probes_list(f, pattern, 0);
	fclose(f);
	return buf;
}

static void expect_list(const char *pattern, const char *want)
{
	int rc;
	char *got = list(pattern, &rc);

	CHECK(rc == 0 && !strcmp(got, want), "-l '%s': rc %d\n--- got\n%s--- want\n%s", pattern, rc, got, want);
	free(got);
}

static int test_probelist(const char *target, const char *pie)
{
	char want[4096];
	char *got;
	int rc;

	snprintf(want, sizeof(want),
		 "uprobe:%s:target_alpha\nuprobe:%s:target_beta\nuprobe:%s:target_gamma\nuprobe:%s:target_loop\n",
		 target, target, target, target);
	{
		char pat[PATH_MAX + 32];

		snprintf(pat, sizeof(pat), "uprobe:%s:target_*", target);
		expect_list(pat, want);
		snprintf(pat, sizeof(pat), "ur:%s:target_?eta", pie);
		snprintf(want, sizeof(want), "uretprobe:%s:target_beta\n", pie);
		expect_list(pat, want);
	}
	expect_list("kprobe:*", "");
	expect_list("kretprobe:vfs_*", "");
	expect_list("hardware:cache-*",
		    "hardware:cache-misses:\nhardware:cache-references:\n");
	expect_list("s:cpu*", "software:cpu-clock:\nsoftware:cpu-migrations:\n");
	got = list("uprobe:libnosuchlibxyz:*", &rc);
	CHECK(rc == -ENOENT, "missing binary rc %d", rc);
	free(got);
	if (geteuid() != 0)
		return failures ? 1 : 77;
	expect_list("tracepoint:sched:sched_switch", "tracepoint:sched:sched_switch\n");
	expect_list("t:sched:sched_switch", "tracepoint:sched:sched_switch\n");
	expect_list("*sched_switch*", "tracepoint:sched:sched_switch\n");
	expect_list("sched:sched_switch", "tracepoint:sched:sched_switch\n");
	got = list("tracepoint:sched:*", &rc);
	CHECK(rc == 0 && strstr(got, "tracepoint:sched:sched_wakeup\n") && !strstr(got, "syscalls"),
	      "tracepoint:sched:*");
	free(got);
	double t0 = now_ms();
	got = list(NULL, &rc);
	fprintf(stderr, "probes_list(all): %.2f ms\n", now_ms() - t0);
	CHECK(rc == 0 && strstr(got, "software:page-faults:\n") && strstr(got, "tracepoint:syscalls:sys_enter_openat\n"),
	      "-l all");
	free(got);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const char *target, const char *pie);
	} tests[] = {
		{ "elfsym", test_elfsym },   { "resolve", test_resolve }, { "tracefs", test_tracefs },
		{ "symbolize", test_symbolize }, { "kernel", test_kernel }, { "probelist", test_probelist },
	};
	char target[PATH_MAX], pie[PATH_MAX];
	int rc;

	if (argc != 4 || !realpath(argv[2], target) || !realpath(argv[3], pie)) {
		fprintf(stderr, "usage: %s TEST TARGET TARGET_PIE\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(tests) / sizeof(*tests); i++) {
		if (strcmp(tests[i].name, argv[1]))
			continue;
		rc = tests[i].fn(target, pie);
		if (rc == 77 && !failures) {
			fprintf(stderr, "SKIP: %s needs root\n", argv[1]);
			return 77;
		}
		return failures ? 1 : 0;
	}
	fprintf(stderr, "unknown test %s\n", argv[1]);
	return 2;
}

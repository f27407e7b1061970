/* symbolize: addresses to names for stacks, usym/ksym.
 *
 * Output is bpftrace 0.17's, which symbolizes through bcc:
 *  - user: the executable, file-backed mappings of /proc/PID/maps; for an
 *    address in one, file offset = addr - start + map offset, turned into
 *    the ELF's virtual address through its PT_LOAD headers (for ET_EXEC the
 *    address is used as is). Symbols of every type, from the debug file and
 *    the file, in bcc's std::sort order (elf_syms__open_opts with
 *    ELF_SYMS_BCC_ORDER), and bcc's lookup: the last symbol starting at or
 *    before the address whose [start, start+size) contains it, walking
 *    back over nested symbols. No symbol: "0x7f..." hex.
 *  - kernel: /proc/kallsyms without data symbols (bBdDrR), bcc-sorted; the
 *    last symbol at or before the address wins, whatever its size.
 * Frames are "name+off" with off decimal ("__getpid+0", "mid+21"), "name"
 * without offset.
 *
 * ELF files are cached by path for the cache's lifetime; each pid's maps
 * are snapshotted once (sym_snapshot, or on first use).
 */
#include "symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsym.h"

struct sym_file {
	char *path;
	struct elf_syms *syms; /* NULL when unreadable */
};

struct sym_map {
	uint64_t start, end, off;
	int file; /* index into c->files */
};

struct sym_proc {
	int pid;
	struct sym_map *maps;
	int nmaps;
};

struct sym_cache {
	struct sym_file *files;
	int nfiles, capfiles;
	struct sym_proc *procs;
	int nprocs, capprocs;
	/* kernel */
	bool kloaded;
	char *kbuf;             /* /proc/kallsyms text, names point into it */
	struct elf_sym *ksyms;
	size_t nksyms;
};

struct sym_cache *sym_cache__new(void)
{
	return calloc(1, sizeof(struct sym_cache));
}

static void sym_proc__clear(struct sym_proc *p)
{
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
}

void sym_cache__free(struct sym_cache *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->nfiles; i++) {
		free(c->files[i].path);
		elf_syms__free(c->files[i].syms);
	}
	free(c->files);
	for (i = 0; i < c->nprocs; i++)
		sym_proc__clear(&c->procs[i]);
	free(c->procs);
	free(c->kbuf);
	free(c->ksyms);
	free(c);
}

/* Index of path in the file cache, adding it (symbols read lazily). */
static int file_index(struct sym_cache *c, const char *path)
{
	int i;

	for (i = 0; i < c->nfiles; i++)
		if (!strcmp(c->files[i].path, path))
			return i;
	if (c->nfiles == c->capfiles) {
		int cap = c->capfiles ? c->capfiles * 2 : 16;
		struct sym_file *f = realloc(c->files, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		c->files = f;
		c->capfiles = cap;
	}
	c->files[c->nfiles].path = strdup(path);
	c->files[c->nfiles].syms = NULL;
	if (!c->files[c->nfiles].path)
		return -ENOMEM;
	return c->nfiles++;
}

static struct sym_proc *proc_find(struct sym_cache *c, int pid)
{
	int i;

	for (i = 0; i < c->nprocs; i++)
		if (c->procs[i].pid == pid)
			return &c->procs[i];
	return NULL;
}

int sym_snapshot(struct sym_cache *c, int pid)
{
	struct sym_map *maps = NULL;
	struct sym_proc *p;
	char path[64], line[PATH_MAX + 256];
	int n = 0, cap = 0, err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off;
		char perms[8], *file, *nl;
		int idx;

		if (sscanf(line, "%llx-%llx %7s %llx", &start, &end, perms, &off) != 4)
			continue;
		if (perms[2] != 'x')
			continue;
		file = strchr(line, '/');
		if (!file)
			continue;
		nl = strchr(file, '\n');
		if (nl)
			*nl = '\0';
		idx = file_index(c, file);
		if (idx < 0) {
			err = idx;
			goto err_out;
		}
		if (n == cap) {
			int ncap = cap ? cap * 2 : 32;
			struct sym_map *nm = realloc(maps, ncap * sizeof(*nm));

			if (!nm) {
				err = -ENOMEM;
				goto err_out;
			}
			maps = nm;
			cap = ncap;
		}
		maps[n].start = start;
		maps[n].end = end;
		maps[n].off = off;
		maps[n].file = idx;
		n++;
	}
	p = proc_find(c, pid);
	if (!n && p)
		goto err_out; /* an exiting process (no mappings left): keep what we knew */
	if (!p) {
		if (c->nprocs == c->capprocs) {
			int ncap = c->capprocs ? c->capprocs * 2 : 8;
			struct sym_proc *np = realloc(c->procs, ncap * sizeof(*np));

			if (!np) {
				err = -ENOMEM;
				goto err_out;
			}
			c->procs = np;
			c->capprocs = ncap;
		}
		p = &c->procs[c->nprocs++];
		p->pid = pid;
		p->maps = NULL;
	}
	sym_proc__clear(p);
	p->maps = maps;
	p->nmaps = n;
	maps = NULL;
err_out:
	fclose(f);
	free(maps);
	return err;
}

static char *hex_frame(uint64_t addr)
{
	char buf[32];

	/* bpftrace prints (void *)addr: "0x..." and "0" for null */
	if (addr)
		snprintf(buf, sizeof(buf), "0x%" PRIx64, addr);
	else
		snprintf(buf, sizeof(buf), "0");
	return strdup(buf);
}

/* C++ names are demangled with the C++ runtime's own demangler (a C ABI
 * function of libstdc++). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

static char *name_frame(const char *name, uint64_t off, int with_offset)
{
	char *demangled = NULL, *s = NULL;
	int status = -1;

	if (name[0] == '_' && name[1] == 'Z')
		demangled = __cxa_demangle(name, NULL, NULL, &status);
	if (demangled && status == 0)
		name = demangled;
	if ((with_offset ? asprintf(&s, "%s+%" PRIu64, name, off) : asprintf(&s, "%s", name)) < 0)
		s = NULL;
	free(demangled);
	return s;
}

/* bcc's ProcSyms::Module::find_addr on a bcc-sorted table. */
static const struct elf_sym *bcc_find(const struct elf_syms *s, uint64_t off)
{
	size_t lo = 0, hi = s->nsyms;
	uint64_t limit;
	long i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (off < s->syms[mid].addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == 0)
		return NULL;
	i = (long)lo - 1;
	limit = s->syms[i].addr;
	for (; i >= 0 && off >= s->syms[i].addr; i--) {
		if (off < s->syms[i].addr + s->syms[i].size)
			return &s->syms[i];
		if (limit > s->syms[i].addr + s->syms[i].size)
			break;
	}
	return NULL;
}

/* The symbol at a user address: its name, the offset into it, and the
 * mapped file; false when unknown (the file is still set if mapped). */
static bool user_lookup(struct sym_cache *c, int pid, uint64_t addr, const char **name, uint64_t *off,
			const char **module)
{
	const struct elf_sym *sym;
	struct sym_proc *p;
	struct sym_file *f;
	uint64_t vaddr;
	int i;

	*module = NULL;
	p = proc_find(c, pid);
	if (!p && sym_snapshot(c, pid) == 0)
		p = proc_find(c, pid);
	if (!p)
		return false;
	for (i = 0; i < p->nmaps; i++)
		if (addr >= p->maps[i].start && addr < p->maps[i].end)
			break;
	if (i == p->nmaps)
		return false;
	f = &c->files[p->maps[i].file];
	*module = f->path;
	if (!f->syms) {
		if (elf_syms__open_opts(f->path, ELF_SYMS_BCC_ORDER, &f->syms))
			return false;
	}
	if (f->syms->is_dyn) {
		if (elf_off_to_vaddr(f->syms, addr - p->maps[i].start + p->maps[i].off, &vaddr))
			return false;
	} else {
		vaddr = addr;
	}
	sym = bcc_find(f->syms, vaddr);
	if (!sym)
		return false;
	*name = sym->name;
	*off = vaddr - sym->addr;
	return true;
}

char *sym_user(struct sym_cache *c, int pid, uint64_t addr, int with_offset)
{
	const char *name, *module;
	uint64_t off;

	if (!user_lookup(c, pid, addr, &name, &off, &module))
		return hex_frame(addr);
	return name_frame(name, off, with_offset);
}

/* perf's layout, as bpftrace's ustack(perf): "\tADDR NAME+OFF (MODULE)" */
static char *perf_frame(uint64_t addr, const char *frame, const char *module)
{
	char *s = NULL;

	if (asprintf(&s, "\t%" PRIx64 " %s (%s)", addr, frame, module ? module : "[unknown]") < 0)
		s = NULL;
	return s;
}

char *sym_user_perf(struct sym_cache *c, int pid, uint64_t addr)
{
	const char *name, *module;
	uint64_t off;
	char *frame, *s;

	frame = user_lookup(c, pid, addr, &name, &off, &module) ? name_frame(name, off, 1) : hex_frame(addr);
	s = perf_frame(addr, frame, module);
	free(frame);
	return s;
}

static int kallsyms_load(struct sym_cache *c)
{
	size_t len = 0, cap = 0, n = 0, ncap = 0;
	char *buf = NULL, *line, *next;
	struct elf_sym *syms = NULL;
	ssize_t r;
	int fd, err = 0;

	c->kloaded = true;
	fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (cap - len < 65536) {
			size_t ncap2 = cap ? cap * 2 : 1 << 22;
			char *nb = realloc(buf, ncap2 + 1);

			if (!nb) {
				err = -ENOMEM;
				goto err_out;
			}
			buf = nb;
			cap = ncap2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			err = -errno;
			goto err_out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	for (line = buf; line && *line; line = next) {
		char *p, *name, type;
		uint64_t addr;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		addr = strtoull(line, &p, 16);
		if (addr == 0 || addr == UINT64_MAX || *p != ' ')
			continue;
		type = p[1];
		if (type == 'b' || type == 'B' || type == 'd' || type == 'D' ||
		    type == 'r' || type == 'R')
			continue;
		name = p + 3;
		p = name;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		*p = '\0';
		if (n == ncap) {
			size_t nc = ncap ? ncap * 2 : 65536;
			struct elf_sym *ns = realloc(syms, nc * sizeof(*ns));

			if (!ns) {
				err = -ENOMEM;
				goto err_out;
			}
			syms = ns;
			ncap = nc;
		}
		syms[n].name = name;
		syms[n].addr = addr;
		syms[n].size = 0;
		syms[n].file_off = 0;
		n++;
	}
	elf_syms_sort_bcc(syms, n);
	c->kbuf = buf;
	c->ksyms = syms;
	c->nksyms = n;
	buf = NULL;
	syms = NULL;
err_out:
	close(fd);
	free(buf);
	free(syms);
	if (err)
		fprintf(stderr, "symbolize: failed to read /proc/kallsyms: %s\n", strerror(-err));
	return err;
}

char *sym_kernel(struct sym_cache *c, uint64_t addr, int with_offset)
{
	size_t lo = 0, hi;

	if (!c->kloaded)
		kallsyms_load(c);
	hi = c->nksyms;
	/* upper_bound, then the element before it */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < c->ksyms[mid].addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == 0)
		return hex_frame(addr);
	return name_frame(c->ksyms[lo - 1].name, addr - c->ksyms[lo - 1].addr, with_offset);
}

char *sym_kernel_perf(struct sym_cache *c, uint64_t addr)
{
	char *frame = sym_kernel(c, addr, 1), *s = perf_frame(addr, frame, "[kernel.kallsyms]");

	free(frame);
	return s;
}

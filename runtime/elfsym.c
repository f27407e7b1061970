/* elfsym: function symbols of ELF files (libelf), and binary name lookup.
 *
 * Which symbols, and in which order, follows bpftrace 0.17, which reads
 * them through bcc: the separate debug file first (found by build-id under
 * /usr/lib/debug/.build-id, else by .gnu_debuglink), then the file itself;
 * in each, every SHT_SYMTAB and SHT_DYNSYM section in section order; a
 * symbol counts when it is STT_FUNC or STT_GNU_IFUNC, has a name and a
 * non-zero value. That is why `uprobe:libc:__GI___nanosleep` exists on a
 * machine with libc6-dbg installed.
 *
 * Two shapes come out of the same reader:
 *  - the default: sorted by (address, name), same name+address once, and
 *    undefined symbols dropped. Listing and attaching use it.
 *  - ELF_SYMS_BCC_ORDER: every alias kept, ordered exactly as bcc's
 *    std::sort(syms) by start address leaves them. bcc resolves an address
 *    to the last of several aliases in that order, so the symbolizer needs
 *    this to print "__GI___libc_write" where bpftrace does. elf_syms_sort_bcc() below
 *    is a port of libstdc++'s introsort (GCC 12) for that reason alone.
 *
 * Names point into copies of the string tables, kept by the hidden
 * struct syms_impl around the public struct elf_syms.
 *
 * Stripped Go binaries have no .symtab but always a .gopclntab, the Go
 * runtime's own function table: when no .symtab function symbol was found,
 * the functions come from there (gobin.c), sized up to the next function,
 * so names, wildcards, -l and symbolization work the same.
 */
#include "elfsym.h"
#include "gobin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_POOLS 8

struct syms_impl {
	struct elf_syms pub;
	char *pools[MAX_POOLS]; /* string table copies the names point into */
	int npools;
};

struct sym_builder {
	struct syms_impl *impl;
	size_t cap;
	bool bcc_order;
	size_t nsymtab_funcs;  /* STT_FUNC symbols found in SHT_SYMTAB sections */
};


static int elf_init(void)
{
	static int done;

	if (!done) {
		if (elf_version(EV_CURRENT) == EV_NONE)
			return -EINVAL;
		done = 1;
	}
	return 0;
}

/* Collect the function symbols of one symbol table section. */
static int builder__add_scn(struct sym_builder *b, Elf *e, Elf_Scn *scn,
			    const GElf_Shdr *sh)
{
	struct syms_impl *impl = b->impl;
	Elf_Data *data, *strdata;
	Elf_Scn *strscn;
	const char *strtab;
	size_t n, strsz, i;
	char *pool;

	if (sh->sh_type == SHT_NOBITS || sh->sh_entsize == 0)
		return 0;
	data = elf_getdata(scn, NULL);
	strscn = elf_getscn(e, sh->sh_link);
	strdata = strscn ? elf_getdata(strscn, NULL) : NULL;
	if (!data || !data->d_buf || !strdata || !strdata->d_buf)
		return 0;
	if (impl->npools == MAX_POOLS)
		return 0;
	strsz = strdata->d_size;
	pool = malloc(strsz + 1);
	if (!pool)
		return -ENOMEM;
	memcpy(pool, strdata->d_buf, strsz);
	pool[strsz] = '\0';
	impl->pools[impl->npools++] = pool;
	strtab = pool;

	n = data->d_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		int type;
		struct elf_sym *s;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		/* bpftrace symbolizes with every symbol type (BCC_SYM_ALL_TYPES) */
		if (type != STT_FUNC && type != STT_GNU_IFUNC && !b->bcc_order)
			continue;
		if (sym.st_value == 0 || sym.st_name == 0 || sym.st_name >= strsz)
			continue;
		if (!strtab[sym.st_name])
			continue;
		if (!b->bcc_order && sym.st_shndx == SHN_UNDEF)
			continue;
		if (sh->sh_type == SHT_SYMTAB && type == STT_FUNC)
			b->nsymtab_funcs++;
		if (impl->pub.nsyms == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 1024;
			struct elf_sym *ns = realloc(impl->pub.syms, cap * sizeof(*ns));

			if (!ns)
				return -ENOMEM;
			impl->pub.syms = ns;
			b->cap = cap;
		}
		s = &impl->pub.syms[impl->pub.nsyms++];
		s->name = (char *)strtab + sym.st_name;
		s->addr = sym.st_value;
		s->size = sym.st_size;
		s->file_off = 0;
	}
	return 0;
}

static int builder__grow(struct sym_builder *b, size_t n)
{
	struct syms_impl *impl = b->impl;
	struct elf_sym *ns;
	size_t cap = b->cap ? b->cap : 1024;

	if (impl->pub.nsyms + n <= b->cap)
		return 0;
	while (cap < impl->pub.nsyms + n)
		cap *= 2;
	ns = realloc(impl->pub.syms, cap * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	impl->pub.syms = ns;
	b->cap = cap;
	return 0;
}

/* The functions of a stripped Go binary, from its pclntab. Not a Go
 * binary (or no gobin.c linked in): nothing added, not an error. */
static int builder__add_gopclntab(struct sym_builder *b, const char *path)
{
	struct syms_impl *impl = b->impl;
	struct gobin *g = NULL;
	size_t i, len = 0;
	char *pool, *p;
	int err;

	if (impl->npools == MAX_POOLS)
		return 0;
	err = gobin__open(path, &g);
	if (err)
		return err == -ENOMEM ? err : 0;
	for (i = 0; i < g->nfuncs; i++)
		len += strlen(g->funcs[i].name) + 1;
	err = builder__grow(b, g->nfuncs);
	pool = err ? NULL : malloc(len ? len : 1);
	if (!pool) {
		gobin__free(g);
		return -ENOMEM;
	}
	impl->pools[impl->npools++] = pool;
	for (i = 0, p = pool; i < g->nfuncs; i++) {
		const struct gobin_func *f = &g->funcs[i];
		struct elf_sym *s = &impl->pub.syms[impl->pub.nsyms++];
		size_t n = strlen(f->name) + 1;

		memcpy(p, f->name, n);
		s->name = p;
		s->addr = f->entry;
		s->size = f->end - f->entry;
		s->file_off = 0;
		p += n;
	}
	gobin__free(g);
	return 0;
}

static int builder__add_elf(struct sym_builder *b, Elf *e)
{
	Elf_Scn *scn = NULL;
	int err;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM)
			continue;
		err = builder__add_scn(b, e, scn, &sh);
		if (err)
			return err;
	}
	return 0;
}

/* Open path as ELF. Returns the fd and sets *e, or -errno. */
static int elf__open(const char *path, Elf **e)
{
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!*e || elf_kind(*e) != ELF_K_ELF) {
		if (*e)
			elf_end(*e);
		*e = NULL;
		close(fd);
		return -ENOEXEC;
	}
	return fd;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool debuglink_crc_ok(const char *path, uint32_t want)
{
	unsigned char buf[65536];
	uLong crc = crc32(0L, Z_NULL, 0);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crc = crc32(crc, buf, (uInt)n);
	close(fd);
	return n == 0 && (uint32_t)crc == want;
}

/* The separate debug file of e (loaded from path), like gdb and bcc find
 * it: /usr/lib/debug/.build-id/xx/yyyy.debug, else the .gnu_debuglink
 * name in the file's directory, its .debug/ and under /usr/lib/debug. */
static int find_debug_file(Elf *e, const char *path, char *out, size_t outsz)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(e, &shstrndx))
		return -ENOENT;
	/* build-id */
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		Elf_Data *d;
		size_t off = 0, noff, doff;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			const unsigned char *id = (const unsigned char *)d->d_buf + doff;
			char *p;
			size_t i;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)d->d_buf + noff, "GNU", 4) || nh.n_descsz < 2)
				continue;
			if (outsz < 40 + 2 * nh.n_descsz)
				break;
			p = out + snprintf(out, outsz, "/usr/lib/debug/.build-id/%02x/", id[0]);
			for (i = 1; i < nh.n_descsz; i++)
				p += sprintf(p, "%02x", id[i]);
			strcpy(p, ".debug");
			if (file_exists(out))
				return 0;
		}
	}
	/* .gnu_debuglink: NUL-terminated name, padded to 4, then the CRC32 */
	scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name, *link, *slash;
		char dir[PATH_MAX];
		size_t len;
		uint32_t crc;
		const char *fmts[] = { "%s/%s", "%s/.debug/%s", "/usr/lib/debug%s/%s" };

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".gnu_debuglink"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size < 8)
			return -ENOENT;
		link = d->d_buf;
		len = strnlen(link, d->d_size);
		if (len == 0 || ((len + 4) & ~3UL) + 4 > d->d_size)
			return -ENOENT;
		memcpy(&crc, (char *)d->d_buf + ((len + 4) & ~3UL), 4);
		slash = strrchr(path, '/');
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
			if (snprintf(out, outsz, fmts[i], dir, link) >= (int)outsz)
				continue;
			if (strcmp(out, path) && file_exists(out) && debuglink_crc_ok(out, crc))
				return 0;
		}
		return -ENOENT;
	}
	return -ENOENT;
}

static int read_segments(struct elf_syms *s, Elf *e)
{
	size_t phnum, i;

	if (elf_getphdrnum(e, &phnum))
		return 0;
	s->segs = calloc(phnum ? phnum : 1, sizeof(*s->segs));
	if (!s->segs)
		return -ENOMEM;
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		s->segs[s->nsegs].vaddr = ph.p_vaddr;
		s->segs[s->nsegs].memsz = ph.p_memsz;
		s->segs[s->nsegs].off = ph.p_offset;
		s->segs[s->nsegs].filesz = ph.p_filesz;
		s->segs[s->nsegs].flags = ph.p_flags;
		s->nsegs++;
	}
	return 0;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* grep "BCC SORT": libstdc++'s std::sort (GCC 12) on symbols compared by
 * address only; ties end up where bcc's end up. */
#define BCC_LESS(a, b) ((a)->addr < (b)->addr)
#define BCC_THRESHOLD 16

static void sym_swap(struct elf_sym *a, struct elf_sym *b)
{
	struct elf_sym t = *a;

	*a = *b;
	*b = t;
}

static void bcc_push_heap(struct elf_sym *first, long hole, long top, struct elf_sym val)
{
	long parent = (hole - 1) / 2;

	while (hole > top && BCC_LESS(&first[parent], &val)) {
		first[hole] = first[parent];
		hole = parent;
		parent = (hole - 1) / 2;
	}
	first[hole] = val;
}

static void bcc_adjust_heap(struct elf_sym *first, long hole, long len, struct elf_sym val)
{
	long top = hole, child = hole;

	while (child < (len - 1) / 2) {
		child = 2 * (child + 1);
		if (BCC_LESS(&first[child], &first[child - 1]))
			child--;
		first[hole] = first[child];
		hole = child;
	}
	if ((len & 1) == 0 && child == (len - 2) / 2) {
		child = 2 * (child + 1);
		first[hole] = first[child - 1];
		hole = child - 1;
	}
	bcc_push_heap(first, hole, top, val);
}

static void bcc_heap_sort(struct elf_sym *first, struct elf_sym *last)
{
	long len = last - first, parent;

	if (len >= 2) {
		for (parent = (len - 2) / 2;; parent--) {
			bcc_adjust_heap(first, parent, len, first[parent]);
			if (parent == 0)
				break;
		}
	}
	while (last - first > 1) {
		struct elf_sym val;

		--last;
		val = *last;
		*last = *first;
		bcc_adjust_heap(first, 0, last - first, val);
	}
}

static void bcc_move_median_to_first(struct elf_sym *res, struct elf_sym *a,
				     struct elf_sym *b, struct elf_sym *c)
{
	if (BCC_LESS(a, b)) {
		if (BCC_LESS(b, c))
			sym_swap(res, b);
		else if (BCC_LESS(a, c))
			sym_swap(res, c);
		else
			sym_swap(res, a);
	} else if (BCC_LESS(a, c)) {
		sym_swap(res, a);
	} else if (BCC_LESS(b, c)) {
		sym_swap(res, c);
	} else {
		sym_swap(res, b);
	}
}

static void bcc_introsort_loop(struct elf_sym *first, struct elf_sym *last, int depth)
{
	while (last - first > BCC_THRESHOLD) {
		struct elf_sym *lo, *hi, *mid;

		if (depth == 0) {
			bcc_heap_sort(first, last);
			return;
		}
		depth--;
		mid = first + (last - first) / 2;
		bcc_move_median_to_first(first, first + 1, mid, last - 1);
		/* unguarded partition around *first */
		lo = first + 1;
		hi = last;
		for (;;) {
			while (BCC_LESS(lo, first))
				lo++;
			hi--;
			while (BCC_LESS(first, hi))
				hi--;
			if (!(lo < hi))
				break;
			sym_swap(lo, hi);
			lo++;
		}
		bcc_introsort_loop(lo, last, depth);
		last = lo;
	}
}

static void bcc_unguarded_linear_insert(struct elf_sym *last)
{
	struct elf_sym val = *last, *next = last - 1;

	while (BCC_LESS(&val, next)) {
		*last = *next;
		last = next;
		next--;
	}
	*last = val;
}

static void bcc_insertion_sort(struct elf_sym *first, struct elf_sym *last)
{
	struct elf_sym *i;

	if (first == last)
		return;
	for (i = first + 1; i != last; i++) {
		if (BCC_LESS(i, first)) {
			struct elf_sym val = *i;

			memmove(first + 1, first, (size_t)(i - first) * sizeof(*i));
			*first = val;
		} else {
			bcc_unguarded_linear_insert(i);
		}
	}
}

void elf_syms_sort_bcc(struct elf_sym *syms, size_t n)
{
	struct elf_sym *first = syms, *last = syms + n, *i;
	int lg;

	if (n < 2)
		return;
	lg = 63 - __builtin_clzll((unsigned long long)n);
	bcc_introsort_loop(first, last, lg * 2);
	if (n > BCC_THRESHOLD) {
		bcc_insertion_sort(first, first + BCC_THRESHOLD);
		for (i = first + BCC_THRESHOLD; i != last; i++)
			bcc_unguarded_linear_insert(i);
	} else {
		bcc_insertion_sort(first, last);
	}
}

int elf_syms__open_opts(const char *path, unsigned flags, struct elf_syms **out)
{
	struct sym_builder b = { .bcc_order = flags & ELF_SYMS_BCC_ORDER };
	struct syms_impl *impl = NULL;
	struct elf_syms *s;
	char dbg[PATH_MAX];
	Elf *e = NULL, *de = NULL;
	int fd = -1, dfd = -1, err;
	GElf_Ehdr eh;
	size_t i, j;

	*out = NULL;
	err = elf_init();
	if (err)
		return err;
	fd = elf__open(path, &e);
	if (fd < 0)
		return fd;
	if (!gelf_getehdr(e, &eh)) {
		err = -ENOEXEC;
		goto err_out;
	}
	impl = calloc(1, sizeof(*impl));
	if (!impl) {
		err = -ENOMEM;
		goto err_out;
	}
	b.impl = impl;
	s = &impl->pub;
	s->is_dyn = eh.e_type == ET_DYN;
	s->path = strdup(path);
	if (!s->path) {
		err = -ENOMEM;
		goto err_out;
	}
	err = read_segments(s, e);
	if (err)
		goto err_out;

	if (!(flags & ELF_SYMS_NO_DEBUG) && find_debug_file(e, path, dbg, sizeof(dbg)) == 0) {
		dfd = elf__open(dbg, &de);
		if (dfd >= 0) {
			err = builder__add_elf(&b, de);
			if (err)
				goto err_out;
		}
	}
	err = builder__add_elf(&b, e);
	if (!err && b.nsymtab_funcs == 0)
		err = builder__add_gopclntab(&b, path);
	if (err)
		goto err_out;

	if (b.bcc_order) {
		elf_syms_sort_bcc(s->syms, s->nsyms);
	} else if (s->nsyms) {
		qsort(s->syms, s->nsyms, sizeof(*s->syms), sym_cmp);
		for (i = 1, j = 0; i < s->nsyms; i++) {
			if (s->syms[i].addr == s->syms[j].addr &&
			    !strcmp(s->syms[i].name, s->syms[j].name)) {
				/* keep the sized copy (dynsym and symtab may differ) */
				if (!s->syms[j].size)
					s->syms[j].size = s->syms[i].size;
				continue;
			}
			s->syms[++j] = s->syms[i];
		}
		s->nsyms = j + 1;
	}
	for (i = 0; i < s->nsyms; i++) {
		uint64_t off;

		s->syms[i].file_off = elf_vaddr_to_off(s, s->syms[i].addr, &off) ? 0 : off;
	}
	err = 0;
	*out = s;
	impl = NULL;
err_out:
	if (de)
		elf_end(de);
	if (dfd >= 0)
		close(dfd);
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	if (impl)
		elf_syms__free(&impl->pub);
	return err;
}

int elf_syms__open(const char *path, struct elf_syms **out)
{
	return elf_syms__open_opts(path, 0, out);
}

void elf_syms__free(struct elf_syms *s)
{
	struct syms_impl *impl = (struct syms_impl *)s;
	int i;

	if (!s)
		return;
	for (i = 0; i < impl->npools; i++)
		free(impl->pools[i]);
	free(s->syms);
	free(s->segs);
	free(s->path);
	free(impl);
}

const struct elf_sym *elf_syms__find(const struct elf_syms *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nsyms; i++)
		if (!strcmp(s->syms[i].name, name))
			return &s->syms[i];
	return NULL;
}

/* Index of the last symbol with addr <= vaddr, or -1. */
static long last_at_or_before(const struct elf_syms *s, uint64_t vaddr)
{
	size_t lo = 0, hi = s->nsyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

const struct elf_sym *elf_syms__lookup(const struct elf_syms *s, uint64_t vaddr)
{
	long i = last_at_or_before(s, vaddr), j;
	uint64_t limit;

	if (i < 0)
		return NULL;
	/* walk back through nested symbols, as bcc does */
	limit = s->syms[i].addr;
	for (j = i; j >= 0; j--) {
		const struct elf_sym *sym = &s->syms[j];

		if (vaddr < sym->addr + sym->size)
			return sym;
		if (limit > sym->addr + sym->size)
			break;
	}
	return s->syms[i].size == 0 ? &s->syms[i] : NULL;
}

/* Open-addressing set of names, for "each name once". */
struct name_set {
	const char **slots;
	size_t cap, n;
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* 1 if added, 0 if present, -ENOMEM. */
static int name_set__add(struct name_set *set, const char *name)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64, k;
		const char **slots = calloc(cap, sizeof(*slots));

		if (!slots)
			return -ENOMEM;
		for (k = 0; k < set->cap; k++) {
			if (!set->slots[k])
				continue;
			for (i = name_hash(set->slots[k]) & (cap - 1); slots[i]; i = (i + 1) & (cap - 1))
				;
			slots[i] = set->slots[k];
		}
		free(set->slots);
		set->slots = slots;
		set->cap = cap;
	}
	for (i = name_hash(name) & (set->cap - 1); set->slots[i]; i = (i + 1) & (set->cap - 1))
		if (!strcmp(set->slots[i], name))
			return 0;
	set->slots[i] = name;
	set->n++;
	return 1;
}

int elf_syms__match(const struct elf_syms *s, const char *glob,
		    int (*cb)(const struct elf_sym *sym, void *ctx), void *ctx)
{
	bool literal = !strpbrk(glob, "*?[\\");
	struct name_set seen = { 0 };
	int n = 0, err = 0;
	size_t i;

	for (i = 0; i < s->nsyms; i++) {
		const struct elf_sym *sym = &s->syms[i];

		if (literal ? strcmp(glob, sym->name) : fnmatch(glob, sym->name, 0))
			continue;
		err = name_set__add(&seen, sym->name);
		if (err < 0)
			goto err_out;
		if (err == 0)
			continue;
		n++;
		if (cb) {
			err = cb(sym, ctx);
			if (err < 0)
				goto err_out;
		}
	}
	err = n;
err_out:
	free(seen.slots);
	return err;
}

int elf_vaddr_to_off(const struct elf_syms *s, uint64_t vaddr, uint64_t *off)
{
	int i;

	for (i = 0; i < s->nsegs; i++) {
		if (vaddr >= s->segs[i].vaddr && vaddr < s->segs[i].vaddr + s->segs[i].memsz) {
			*off = vaddr - s->segs[i].vaddr + s->segs[i].off;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_off_to_vaddr(const struct elf_syms *s, uint64_t off, uint64_t *vaddr)
{
	int i;

	for (i = 0; i < s->nsegs; i++) {
		if (off >= s->segs[i].off && off < s->segs[i].off + s->segs[i].filesz) {
			*vaddr = off - s->segs[i].off + s->segs[i].vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

/* --- binary resolution --- */

static int copy_out(const char *path, char *out, size_t outsz)
{
	if (strlen(path) >= outsz)
		return -ENAMETOOLONG;
	strcpy(out, path);
	return 0;
}

/* "libc" -> "libc.so" prefix; "libc.so.6" stays. */
static void lib_prefix(const char *name, char *buf, size_t sz)
{
	if (strstr(name, ".so"))
		snprintf(buf, sz, "%s", name);
	else
		snprintf(buf, sz, "%s.so", name);
}

/* basename matches libNAME.so* or libNAME-*.so */
static bool lib_base_matches(const char *base, const char *name, const char *prefix)
{
	size_t nl = strlen(name), bl = strlen(base);

	if (!strncmp(base, prefix, strlen(prefix)))
		return true;
	return !strncmp(base, name, nl) && base[nl] == '-' && bl > 3 &&
	       !strcmp(base + bl - 3, ".so");
}

static int resolve_from_maps(const char *name, const char *prefix, int pid,
			     char *out, size_t outsz)
{
	char path[64], line[PATH_MAX + 128];
	int err = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/'), *nl, *base;

		if (!p)
			continue;
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		base = strrchr(p, '/') + 1;
		if (lib_base_matches(base, name, prefix)) {
			err = copy_out(p, out, outsz);
			break;
		}
	}
	fclose(f);
	return err;
}

/* /etc/ld.so.cache, new format ("glibc-ld.so.cache1.1"), x86-64 libc6
 * entries only; first key starting with prefix wins, like bcc. */
static int resolve_from_ldcache(const char *prefix, char *out, size_t outsz)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	struct entry { int32_t flags; uint32_t key, value, osv; uint64_t hwcap; };
	char *buf = NULL;
	size_t len = 0, plen = strlen(prefix);
	int err = -ENOENT;
	struct stat st;
	uint32_t n, i;
	FILE *f;
	char *base;

	f = fopen("/etc/ld.so.cache", "re");
	if (!f)
		return -ENOENT;
	if (fstat(fileno(f), &st) || st.st_size < 48)
		goto err_out;
	len = (size_t)st.st_size;
	buf = malloc(len + 1);
	if (!buf || fread(buf, 1, len, f) != len)
		goto err_out;
	buf[len] = '\0';
	base = buf;
	/* the old format may precede the new one */
	if (!memcmp(buf, "ld.so-1.7.0", 11)) {
		uint32_t nold;

		memcpy(&nold, buf + 12, 4);
		base = buf + ((16 + (size_t)nold * 12 + 7) & ~7UL);
		if ((size_t)(base - buf) + 48 > len)
			goto err_out;
	}
	if (memcmp(base, magic, sizeof(magic) - 1))
		goto err_out;
	memcpy(&n, base + 20, 4);
	for (i = 0; i < n; i++) {
		struct entry en;
		size_t eoff = (size_t)(base - buf) + 48 + (size_t)i * sizeof(en);

		if (eoff + sizeof(en) > len)
			break;
		memcpy(&en, buf + eoff, sizeof(en));
		/* 0x0303: FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 */
		if ((en.flags & 0xff) != 0x03 || (en.flags & 0xff00) != 0x0300)
			continue;
		/* offsets are from the new header in format 1.1 */
		if ((size_t)(base - buf) + en.key >= len || (size_t)(base - buf) + en.value >= len)
			continue;
		if (strncmp(base + en.key, prefix, plen))
			continue;
		if (!file_exists(base + en.value))
			continue;
		err = copy_out(base + en.value, out, outsz);
		break;
	}
err_out:
	free(buf);
	fclose(f);
	return err;
}

static int resolve_from_dirs(const char *name, const char *prefix, char *out, size_t outsz)
{
	static const char *const dirs[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
		"/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
	};
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char best[NAME_MAX + 1] = "";
		struct dirent *de;
		DIR *d = opendir(dirs[i]);

		if (!d)
			continue;
		while ((de = readdir(d))) {
			if (!lib_base_matches(de->d_name, name, prefix))
				continue;
			/* prefer the shortest (libc.so.6 over libc.so.6.bak) */
			if (!best[0] || strlen(de->d_name) < strlen(best))
				snprintf(best, sizeof(best), "%s", de->d_name);
		}
		closedir(d);
		if (best[0]) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "%s/%s", dirs[i], best);
			if (file_exists(path))
				return copy_out(path, out, outsz);
		}
	}
	return -ENOENT;
}

static int resolve_from_path(const char *name, char *out, size_t outsz)
{
	const char *env = getenv("PATH"), *p, *end;

	if (!env || !*env)
		env = "/usr/local/bin:/usr/bin:/bin";
	for (p = env; *p; p = *end ? end + 1 : end) {
		char path[PATH_MAX];
		size_t dl;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		dl = (size_t)(end - p);
		if (dl == 0)
			snprintf(path, sizeof(path), "./%s", name);
		else
			snprintf(path, sizeof(path), "%.*s/%s", (int)dl, p, name);
		if (file_exists(path) && access(path, X_OK) == 0)
			return copy_out(path, out, outsz);
	}
	return -ENOENT;
}

int elf_resolve_binary(const char *name, int pid, char *out, size_t outsz)
{
	char prefix[NAME_MAX + 8];

	if (!name || !*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		char path[PATH_MAX], cwd[PATH_MAX];

		if (name[0] == '/') {
			snprintf(path, sizeof(path), "%s", name);
		} else {
			if (!getcwd(cwd, sizeof(cwd)))
				return -errno;
			if (!strncmp(name, "./", 2))
				name += 2;
			if (snprintf(path, sizeof(path), "%s/%s", cwd, name) >= (int)sizeof(path))
				return -ENAMETOOLONG;
		}
		if (!file_exists(path))
			return -ENOENT;
		return copy_out(path, out, outsz);
	}
	if (!strncmp(name, "lib", 3)) {
		lib_prefix(name, prefix, sizeof(prefix));
		if (pid > 0 && resolve_from_maps(name, prefix, pid, out, outsz) == 0)
			return 0;
		if (resolve_from_ldcache(prefix, out, outsz) == 0)
			return 0;
		if (resolve_from_dirs(name, prefix, out, outsz) == 0)
			return 0;
		return -ENOENT;
	}
	return resolve_from_path(name, out, outsz);
}

/* gobin: Go build info, pclntab function table, RET sites (see gobin.h).
 *
 * .go.buildinfo starts with the 14 bytes "\xff Go buildinf:", a pointer
 * size and a flags byte. Since Go 1.18 (flag bit 1) the version and module
 * strings follow inline at offset 32, each a uvarint length and the bytes;
 * before, offsets 16 and 16+ptrsize hold pointers to Go string headers
 * {data, len} elsewhere in the file.
 *
 * .gopclntab (".data.rel.ro.gopclntab" in PIE) starts with a header: magic,
 * two zero bytes, the PC quantum, the pointer size, then pointer-sized
 * words. The layout by magic (src/debug/gosym/pclntab.go):
 *
 *   0xfffffffb  Go 1.2   nfunc; functab {pc, funcoff} uintptr pairs follow;
 *                        func names are offsets into the table itself
 *   0xfffffffa  Go 1.16  nfunc nfiles funcnametab cutab filetab pctab pcln;
 *                        functab {pc, funcoff} uintptr pairs at pcln
 *   0xfffffff0  Go 1.18  nfunc nfiles textStart funcnametab cutab filetab
 *   0xfffffff1  Go 1.20    pctab pcln; functab {entryoff, funcoff} uint32
 *                        pairs at pcln, entries relative to textStart
 *
 * In every version functab has nfunc+1 PCs, the last one the end of the
 * last function, so a function ends where the next one starts. The _func
 * record at pcln+funcoff holds the entry (uintptr, or uint32 from 1.18)
 * then the name offset (int32) into funcnametab.
 *
 * textStart is runtime.text, which is not the .text section's address in
 * externally linked (cgo) binaries. Go 1.26 stopped filling it in (the
 * word is 0) and the runtime reads moduledata.text instead; moduledata has
 * its own .go.module section since then, so hark reads the runtime.text
 * symbol, else moduledata.text, and only last resorts to .text. Pointers
 * read from the file go through the R_X86_64_RELATIVE relocations of PIE.
 */
#include "gobin.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	PCLN_12 = 0xfffffffb,
	PCLN_116 = 0xfffffffa,
	PCLN_118 = 0xfffffff0,
	PCLN_120 = 0xfffffff1,
};

static const char BUILDINFO_MAGIC[] = "\xff Go buildinf:";

struct gobin_impl {
	struct gobin pub;
	char *names;  /* copy of funcnametab (1.2: the whole pclntab) */
	struct { uint64_t vaddr, memsz, off, filesz; } *segs;
	int nsegs;
};

/* The open file while gobin__open reads it. */
struct gobin_reader {
	Elf *e;
	GElf_Ehdr eh;
	size_t shstrndx;
};

static uint64_t rd_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t rd_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd_ptr(const uint8_t *p, unsigned ptrsize)
{
	return ptrsize == 8 ? rd_u64(p) : rd_u32(p);
}

/* First section named name, or whose name ends with it when suffix. */
static Elf_Scn *find_scn(struct gobin_reader *r, const char *name, bool suffix, GElf_Shdr *sh)
{
	size_t nl = strlen(name);
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(r->e, scn))) {
		const char *n;
		size_t l;

		if (!gelf_getshdr(scn, sh))
			continue;
		n = elf_strptr(r->e, r->shstrndx, sh->sh_name);
		if (!n)
			continue;
		if (!strcmp(n, name))
			return scn;
		l = strlen(n);
		if (suffix && l > nl && !strcmp(n + l - nl, name))
			return scn;
	}
	return NULL;
}

/* The bytes of an allocated section at [vaddr, vaddr+len); NULL if not in one. */
static const uint8_t *vaddr_bytes(struct gobin_reader *r, uint64_t vaddr, uint64_t len)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(r->e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type == SHT_NOBITS)
			continue;
		if (vaddr < sh.sh_addr || vaddr - sh.sh_addr > sh.sh_size ||
		    len > sh.sh_size - (vaddr - sh.sh_addr))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size != sh.sh_size)
			return NULL;
		return (const uint8_t *)d->d_buf + (vaddr - sh.sh_addr);
	}
	return NULL;
}

/* The next section after *scn of a table type (SHT_RELA, SHT_SYMTAB): its
 * data, header and entry count; NULL after the last. */
static Elf_Data *next_table(struct gobin_reader *r, Elf_Scn **scn, GElf_Word type, GElf_Shdr *sh, size_t *n)
{
	while ((*scn = elf_nextscn(r->e, *scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(*scn, sh) || sh->sh_type != type || !sh->sh_entsize)
			continue;
		d = elf_getdata(*scn, NULL);
		if (!d)
			continue;
		*n = sh->sh_size / sh->sh_entsize;
		return d;
	}
	return NULL;
}

/* Value a dynamic relocation puts at vaddr (R_X86_64_RELATIVE, _64 of a
 * defined symbol). -ENOENT when none does. */
static int reloc_at(struct gobin_reader *r, uint64_t vaddr, uint64_t *val)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *d;
	size_t n;

	while ((d = next_table(r, &scn, SHT_RELA, &sh, &n))) {
		for (size_t i = 0; i < n; i++) {
			GElf_Rela rela;

			if (!gelf_getrela(d, (int)i, &rela) || rela.r_offset != vaddr)
				continue;
			switch (GELF_R_TYPE(rela.r_info)) {
			case R_X86_64_RELATIVE:
				*val = (uint64_t)rela.r_addend;
				return 0;
			case R_X86_64_64: {
				Elf_Scn *ss = elf_getscn(r->e, sh.sh_link);
				Elf_Data *sd = ss ? elf_getdata(ss, NULL) : NULL;
				GElf_Sym sym;

				if (!sd || !gelf_getsym(sd, (int)GELF_R_SYM(rela.r_info), &sym) ||
				    sym.st_shndx == SHN_UNDEF)
					return -ENOENT;
				*val = sym.st_value + (uint64_t)rela.r_addend;
				return 0;
			}
			default:
				return -ENOENT;
			}
		}
	}
	return -ENOENT;
}

/* A pointer stored in the file at vaddr, relocated as the loader would. */
static int read_ptr(struct gobin_reader *r, uint64_t vaddr, unsigned ptrsize, uint64_t *val)
{
	const uint8_t *p;

	if (r->eh.e_type == ET_DYN && reloc_at(r, vaddr, val) == 0)
		return 0;
	p = vaddr_bytes(r, vaddr, ptrsize);
	if (!p)
		return -ENOENT;
	*val = rd_ptr(p, ptrsize);
	return 0;
}

/* Value of a .symtab symbol; -ENOENT when absent. */
static int symtab_value(struct gobin_reader *r, const char *name, uint64_t *val)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *d;
	size_t n;

	while ((d = next_table(r, &scn, SHT_SYMTAB, &sh, &n))) {
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *sn;

			if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			sn = elf_strptr(r->e, sh.sh_link, sym.st_name);
			if (sn && !strcmp(sn, name)) {
				*val = sym.st_value;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* --- .go.buildinfo --- */

static void parse_version(struct gobin *g)
{
	const char *p = g->version;

	/* "go1.19.8", "devel go1.24-abcdef ...", "go1.21rc2" */
	while ((p = strstr(p, "go"))) {
		if (sscanf(p, "go%d.%d", &g->major, &g->minor) == 2)
			return;
		p += 2;
	}
	g->major = g->minor = 0;
}

static void set_version(struct gobin *g, const uint8_t *s, uint64_t len)
{
	if (len >= sizeof(g->version))
		len = sizeof(g->version) - 1;
	memcpy(g->version, s, len);
	g->version[len] = '\0';
	parse_version(g);
}

/* Missing or unreadable build info leaves version "" (not an error). */
static void read_buildinfo(struct gobin_reader *r, struct gobin *g)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_scn(r, ".go.buildinfo", false, &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	const uint8_t *b, *end;
	unsigned ptrsize;

	if (!d || !d->d_buf || d->d_size < 32)
		return;
	b = d->d_buf;
	end = b + d->d_size;
	if (memcmp(b, BUILDINFO_MAGIC, 14))
		return;
	ptrsize = b[14];
	if (ptrsize != 4 && ptrsize != 8)
		return;
	if (b[15] & 1)  /* big endian */
		return;
	if (b[15] & 2) {  /* 1.18+: inline uvarint-prefixed strings at 32 */
		const uint8_t *p = b + 32;
		uint64_t len = 0;
		int shift = 0;

		while (p < end && shift < 64) {
			len |= (uint64_t)(*p & 0x7f) << shift;
			shift += 7;
			if (!(*p++ & 0x80))
				break;
		}
		if (p <= end && len <= (uint64_t)(end - p))
			set_version(g, p, len);
	} else {  /* pointer to a Go string header {data, len} */
		uint64_t hdr, data, len;
		const uint8_t *s;

		if (read_ptr(r, sh.sh_addr + 16, ptrsize, &hdr) ||
		    read_ptr(r, hdr, ptrsize, &data) ||
		    read_ptr(r, hdr + ptrsize, ptrsize, &len) || len > 4096)
			return;
		s = vaddr_bytes(r, data, len);
		if (s)
			set_version(g, s, len);
	}
}

/* --- .gopclntab --- */

/* runtime.text when the 1.18+ header's word is 0 (Go 1.26+). first_off is
 * functab[0]'s entry offset, to check a moduledata candidate against
 * moduledata.minpc. */
static uint64_t find_text_start(struct gobin_reader *r, unsigned ptrsize, uint32_t first_off)
{
	GElf_Shdr sh;
	Elf_Scn *scn;
	uint64_t text, minpc;

	if (symtab_value(r, "runtime.text", &text) == 0)
		return text;
	/* moduledata: pcHeader, 6 slices, findfunctab, minpc, maxpc, text */
	scn = find_scn(r, ".go.module", false, &sh);
	if (scn && read_ptr(r, sh.sh_addr + 22 * ptrsize, ptrsize, &text) == 0 &&
	    read_ptr(r, sh.sh_addr + 20 * ptrsize, ptrsize, &minpc) == 0 &&
	    text && minpc == text + first_off)
		return text;
	scn = find_scn(r, ".text", false, &sh);
	return scn ? sh.sh_addr : 0;
}

/* The pclntab bytes and their virtual address. */
static int find_pclntab(struct gobin_reader *r, const uint8_t **data, size_t *size,
			uint64_t *vaddr)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_scn(r, ".gopclntab", true, &sh);
	Elf_Data *d;
	uint64_t start, end;

	if (scn) {
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size < 16)
			return -EINVAL;
		*data = d->d_buf;
		*size = d->d_size;
		*vaddr = sh.sh_addr;
		return 0;
	}
	/* externally linked: runtime.pclntab .. runtime.epclntab */
	if (symtab_value(r, "runtime.pclntab", &start) || symtab_value(r, "runtime.epclntab", &end) ||
	    end <= start + 16)
		return -ENOEXEC;
	*data = vaddr_bytes(r, start, end - start);
	*size = end - start;
	*vaddr = start;
	return *data ? 0 : -EINVAL;
}

static int read_pclntab(struct gobin_reader *r, struct gobin_impl *impl)
{
	struct gobin *g = &impl->pub;
	const uint8_t *t, *ft, *fd, *names;
	size_t size, namesz, fsz, avail, i;
	uint64_t nfunc, tab_vaddr, w[8];
	unsigned ptrsize, k;
	int err;

	err = find_pclntab(r, &t, &size, &tab_vaddr);
	if (err)
		return err;
	g->pcln_magic = rd_u32(t);
	ptrsize = t[7];
	if (t[4] || t[5] || (t[6] != 1 && t[6] != 2 && t[6] != 4) || (ptrsize != 4 && ptrsize != 8))
		return -EINVAL;
	for (k = 0; k < 8; k++)
		w[k] = 8 + (k + 1) * ptrsize <= size ? rd_ptr(t + 8 + k * ptrsize, ptrsize) : 0;
	nfunc = w[0];
	switch (g->pcln_magic) {
	case PCLN_118:
	case PCLN_120:
		fsz = 4;
		if (w[3] > w[4] || w[4] > size || w[7] > size)
			return -EINVAL;
		names = t + w[3];
		namesz = w[4] - w[3];
		fd = ft = t + w[7];
		break;
	case PCLN_116:
		fsz = ptrsize;
		if (w[2] > w[3] || w[3] > size || w[6] > size)
			return -EINVAL;
		names = t + w[2];
		namesz = w[3] - w[2];
		fd = ft = t + w[6];
		break;
	case PCLN_12:
		fsz = ptrsize;
		names = fd = t;
		namesz = size;
		ft = t + 8 + ptrsize;
		break;
	default:
		return -EINVAL;
	}
	avail = size - (size_t)(ft - t);  /* functab: nfunc+1 {pc, funcoff} pairs */
	if (nfunc == 0 || nfunc >= avail || (2 * nfunc + 1) * fsz > avail)
		return -EINVAL;
	if (fsz == 4) {
		uint32_t first = rd_u32(ft);

		g->text_start = w[2];
		/* the word is relocated in PIE; 0 from Go 1.26 */
		if (r->eh.e_type == ET_DYN)
			read_ptr(r, tab_vaddr + 8 + 2 * ptrsize, ptrsize, &g->text_start);
		if (!g->text_start)
			g->text_start = find_text_start(r, ptrsize, first);
	}

	impl->names = malloc(namesz + 1);
	g->funcs = calloc(nfunc, sizeof(*g->funcs));
	if (!impl->names || !g->funcs)
		return -ENOMEM;
	memcpy(impl->names, names, namesz);
	impl->names[namesz] = '\0';
	for (i = 0; i < nfunc; i++) {
		struct gobin_func *f = &g->funcs[g->nfuncs];
		uint64_t entry = fsz == 4 ? rd_u32(ft + 2 * i * 4) : rd_ptr(ft + 2 * i * fsz, ptrsize);
		uint64_t end = fsz == 4 ? rd_u32(ft + (2 * i + 2) * 4) : rd_ptr(ft + (2 * i + 2) * fsz, ptrsize);
		uint64_t foff = fsz == 4 ? rd_u32(ft + (2 * i + 1) * 4) : rd_ptr(ft + (2 * i + 1) * fsz, ptrsize);
		unsigned entsz = fsz == 4 ? 4 : ptrsize;
		uint32_t nameoff;

		/* _func: entry (uint32 from 1.18, else uintptr), nameoff int32 */
		if (foff > size - (size_t)(fd - t) || size - (size_t)(fd - t) - foff < entsz + 4)
			return -EINVAL;
		nameoff = rd_u32(fd + foff + entsz);
		if (nameoff >= namesz || !memchr(impl->names + nameoff, '\0', namesz - nameoff + 1))
			return -EINVAL;
		f->name = impl->names + nameoff;
		f->entry = entry + (fsz == 4 ? g->text_start : 0);
		f->end = end + (fsz == 4 ? g->text_start : 0);
		if (f->end < f->entry)
			return -EINVAL;
		g->nfuncs++;
	}
	return 0;
}

static int read_layout(struct gobin_reader *r, struct gobin_impl *impl)
{
	struct gobin *g = &impl->pub;
	size_t phnum, i;
	bool interp = false;

	if (elf_getphdrnum(r->e, &phnum))
		return -ENOEXEC;
	impl->segs = calloc(phnum ? phnum : 1, sizeof(*impl->segs));
	if (!impl->segs)
		return -ENOMEM;
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(r->e, (int)i, &ph))
			continue;
		if (ph.p_type == PT_INTERP)
			interp = true;
		if (ph.p_type != PT_LOAD)
			continue;
		impl->segs[impl->nsegs].vaddr = ph.p_vaddr;
		impl->segs[impl->nsegs].memsz = ph.p_memsz;
		impl->segs[impl->nsegs].off = ph.p_offset;
		impl->segs[impl->nsegs].filesz = ph.p_filesz;
		impl->nsegs++;
	}
	g->is_dyn = r->eh.e_type == ET_DYN;
	g->is_pie = g->is_dyn && interp;
	if (g->is_dyn && !interp) {  /* static PIE: DT_FLAGS_1 has DF_1_PIE */
		GElf_Shdr sh;
		Elf_Scn *scn = find_scn(r, ".dynamic", false, &sh);
		Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;

		for (i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;

			if (gelf_getdyn(d, (int)i, &dyn) && dyn.d_tag == DT_FLAGS_1 &&
			    (dyn.d_un.d_val & DF_1_PIE))
				g->is_pie = true;
		}
	}
	return 0;
}

int gobin__open(const char *path, struct gobin **out)
{
	struct gobin_reader r = { 0 };
	struct gobin_impl *impl = NULL;
	GElf_Shdr sh;
	int fd, err;

	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r.e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!r.e || elf_kind(r.e) != ELF_K_ELF || !gelf_getehdr(r.e, &r.eh) ||
	    elf_getshdrstrndx(r.e, &r.shstrndx)) {
		err = -ENOEXEC;
		goto err_out;
	}
	if (!find_scn(&r, ".gopclntab", true, &sh) && !find_scn(&r, ".go.buildinfo", false, &sh)) {
		err = -ENOEXEC;
		goto err_out;
	}
	impl = calloc(1, sizeof(*impl));
	if (!impl || !(impl->pub.path = strdup(path))) {
		err = -ENOMEM;
		goto err_out;
	}
	err = read_layout(&r, impl);
	if (err)
		goto err_out;
	read_buildinfo(&r, &impl->pub);
	err = read_pclntab(&r, impl);
	if (err)
		goto err_out;
	*out = &impl->pub;
	impl = NULL;
err_out:
	if (impl)
		gobin__free(&impl->pub);
	if (r.e)
		elf_end(r.e);
	close(fd);
	return err;
}

void gobin__free(struct gobin *g)
{
	struct gobin_impl *impl = (struct gobin_impl *)g;

	if (!g)
		return;
	free(impl->names);
	free(impl->segs);
	free(g->funcs);
	free(g->path);
	free(impl);
}

const struct gobin_func *gobin__find(const struct gobin *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nfuncs; i++)
		if (!strcmp(g->funcs[i].name, name))
			return &g->funcs[i];
	return NULL;
}

/* --- RET sites --- */

int gobin_ret_sites(const struct gobin *g, const char *path, uint64_t func_addr,
		    uint64_t func_end, uint64_t **offsets, int *n)
{
	const struct gobin_impl *impl = (const struct gobin_impl *)g;
	uint64_t off = 0, addr, *rets = NULL;
	const uint8_t *code;
	uint8_t *buf = NULL;
	size_t len, left, cap = 0;
	cs_insn *insn = NULL;
	ssize_t got;
	int i, fd = -1, err, cnt = 0;
	csh cs = 0;

	*offsets = NULL;
	*n = 0;
	if (func_end <= func_addr || func_end - func_addr > (64u << 20))
		return -EINVAL;
	len = func_end - func_addr;
	for (i = 0; i < impl->nsegs; i++)
		if (func_addr >= impl->segs[i].vaddr &&
		    func_end <= impl->segs[i].vaddr + impl->segs[i].filesz)
			break;
	if (i == impl->nsegs)
		return -ENOENT;
	off = func_addr - impl->segs[i].vaddr + impl->segs[i].off;

	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto err_out;
	}
	got = pread(fd, buf, len, (off_t)off);
	if (got < 0 || (size_t)got != len) {
		err = got < 0 ? -errno : -EIO;
		goto err_out;
	}
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		err = -ENOMEM;
		cs = 0;
		goto err_out;
	}
	insn = cs_malloc(cs);
	if (!insn) {
		err = -ENOMEM;
		goto err_out;
	}
	code = buf;
	left = len;
	addr = func_addr;
	while (left) {
		if (!cs_disasm_iter(cs, &code, &left, &addr, insn)) {
			/* undecodable byte: step over it */
			code++;
			left--;
			addr++;
			continue;
		}
		if (insn->id != X86_INS_RET)
			continue;
		if ((size_t)cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			uint64_t *nr = realloc(rets, ncap * sizeof(*nr));

			if (!nr) {
				err = -ENOMEM;
				goto err_out;
			}
			rets = nr;
			cap = ncap;
		}
		rets[cnt++] = insn->address;
	}
	*offsets = rets;
	*n = cnt;
	rets = NULL;
	err = 0;
err_out:
	free(rets);
	if (insn)
		cs_free(insn, 1);
	if (cs)
		cs_close(&cs);
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

/* goentry: entry probes after a Go function's stack check (see goentry.h).
 *
 * The check is found by decoding the first instructions with capstone: the
 * first conditional branch (jbe/jb) forward into the same function whose
 * target block calls runtime.morestack*. Checks for large frames compute
 * the bound first (lea/sub on r12) but end the same way.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "goentry.h"

bool go_is_binary(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool found = false;
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e && !elf_getshdrstrndx(e, &shstrndx)) {
		while (!found && (scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (!gelf_getshdr(scn, &sh))
				continue;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			found = name && (!strcmp(name, ".gopclntab") || !strcmp(name, ".go.buildinfo"));
		}
	}
	elf_end(e);
	close(fd);
	return found;
}

enum { PROLOGUE_BYTES = 64, MAX_INSNS = 8, STUB_INSNS = 24 };

static int read_code(const char *path, uint64_t off, uint8_t *buf, size_t len, size_t *got)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)off);
	close(fd);
	if (n < 0)
		return -errno;
	*got = (size_t)n;
	return 0;
}

/* Does the block at target (inside sym) call runtime.morestack*? */
static bool calls_morestack(csh cs, const struct elf_syms *syms, const struct elf_sym *sym, uint64_t target)
{
	uint8_t buf[STUB_INSNS * 15];
	size_t got, n;
	cs_insn *insn;
	bool found = false;
	uint64_t off = sym->file_off + (target - sym->addr);

	if (read_code(syms->path, off, buf, sizeof(buf), &got) || !got)
		return false;
	n = cs_disasm(cs, buf, got, target, STUB_INSNS, &insn);
	for (size_t i = 0; i < n && !found; i++) {
		const cs_x86_op *op = &insn[i].detail->x86.operands[0];
		const struct elf_sym *callee;

		if (insn[i].id != X86_INS_CALL || insn[i].detail->x86.op_count != 1 || op->type != X86_OP_IMM)
			continue;
		callee = elf_syms__lookup(syms, (uint64_t)op->imm);
		found = callee && !strncmp(callee->name, "runtime.morestack", 17);
	}
	if (n)
		cs_free(insn, n);
	return found;
}

int go_entry_skip(const struct elf_syms *syms, const struct elf_sym *sym, uint64_t *skip)
{
	uint8_t buf[PROLOGUE_BYTES];
	size_t got, n;
	cs_insn *insn = NULL;
	csh cs;
	int err;

	*skip = 0;
	err = read_code(syms->path, sym->file_off, buf, sizeof(buf), &got);
	if (err)
		return err;
	if (sym->size && got > sym->size)
		got = sym->size;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -ENOMEM;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	n = cs_disasm(cs, buf, got, sym->addr, MAX_INSNS, &insn);
	for (size_t i = 0; i < n; i++) {
		const cs_x86 *x = &insn[i].detail->x86;
		uint64_t target;

		if (insn[i].id != X86_INS_JBE && insn[i].id != X86_INS_JB)
			continue;
		if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
			break;
		target = (uint64_t)x->operands[0].imm;
		if (target > sym->addr && (!sym->size || target < sym->addr + sym->size) &&
		    calls_morestack(cs, syms, sym, target))
			*skip = insn[i].address + insn[i].size - sym->addr;
		break;
	}
	if (n)
		cs_free(insn, n);
	cs_close(&cs);
	return 0;
}

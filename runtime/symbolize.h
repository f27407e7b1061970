/* symbolize: addresses to names for stacks, usym/ksym.
 *
 * User addresses are resolved through a snapshot of /proc/PID/maps (taken
 * with sym_snapshot() when probes attach, and lazily on first use) and the
 * ELF symbols of each mapped file, cached per file. Kernel addresses through
 * /proc/kallsyms, loaded on first use. Frames are formatted as bpftrace
 * does: "name+off" (off decimal), or "0x%llx" hex when unknown.
 */
#ifndef HARK_SYMBOLIZE_H
#define HARK_SYMBOLIZE_H

#include <stdint.h>

struct sym_cache;

struct sym_cache *sym_cache__new(void);
void sym_cache__free(struct sym_cache *c);

/* Remember pid's current mappings (so names still resolve after it exits). */
int sym_snapshot(struct sym_cache *c, int pid);

/* Malloc'd frame text. with_offset: "name+off" rather than "name". */
char *sym_user(struct sym_cache *c, int pid, uint64_t addr, int with_offset);
char *sym_kernel(struct sym_cache *c, uint64_t addr, int with_offset);
/* perf's frame layout (bpftrace's ustack(perf)/kstack(perf)):
 * "\tADDR NAME+OFF (MODULE)", "[unknown]" when no file maps the address. */
char *sym_user_perf(struct sym_cache *c, int pid, uint64_t addr);
char *sym_kernel_perf(struct sym_cache *c, uint64_t addr);

#endif

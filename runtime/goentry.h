/* goentry: where an entry probe goes in a Go function.
 *
 * A Go function starts with a stack-growth check (`cmp rsp, [r14+16];
 * jbe L`). When the stack must grow, L calls runtime.morestack and jumps
 * back to the first instruction, so a probe there fires twice for one call.
 * The instruction after the check's branch runs exactly once per call:
 * that is where hark puts entry probes of Go functions.
 */
#ifndef HARK_GOENTRY_H
#define HARK_GOENTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "elfsym.h"

/* A Go binary has a .gopclntab or .go.buildinfo section. */
bool go_is_binary(const char *path);

/* Bytes from the start of sym to the first instruction past its stack
 * check; 0 when it has none (NOSPLIT functions, assembly). -errno when
 * the code cannot be read. */
int go_entry_skip(const struct elf_syms *syms, const struct elf_sym *sym, uint64_t *skip);

#endif

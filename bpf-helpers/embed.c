/* The BPF helpers' bitcode, embedded in the hark binary. */
#include "embed.h"

__asm__(".section .rodata\n"
	".balign 16\n"
	".global hark_helpers_bc\n"
	"hark_helpers_bc:\n"
	".incbin \"" HELPERS_BC_PATH "\"\n"
	".global hark_helpers_bc_end\n"
	"hark_helpers_bc_end:\n"
	".byte 0\n"
	".previous\n");

#ifndef HARK_EMBED_H
#define HARK_EMBED_H
extern const char hark_helpers_bc[];
extern const char hark_helpers_bc_end[];
#endif

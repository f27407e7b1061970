/* tracefs: finding, mounting and reading the kernel's tracing filesystem. */
#ifndef HARK_TRACEFS_H
#define HARK_TRACEFS_H

#include <stdbool.h>
#include <stdint.h>

/* Path of a mounted tracefs ("/sys/kernel/tracing" or
 * "/sys/kernel/debug/tracing"), mounting tracefs at /sys/kernel/tracing if
 * none is mounted. NULL and errno set on failure. */
const char *tfs_root(void);

/* Call cb for each tracepoint whose category and name match the globs, in
 * sorted order. Returns number of matches or the first negative cb value,
 * or -errno. */
int tfs_list(const char *cat_glob, const char *name_glob,
	     int (*cb)(const char *cat, const char *name, void *ctx), void *ctx);

struct tfs_field {
	char *name;
	char *type;      /* as written in the format file, e.g. "const char *", "int", "char[16]" */
	uint32_t offset;
	uint32_t size;
	bool is_signed;
	bool is_data_loc; /* __data_loc: u32 (len << 16 | offset) */
	bool is_array;    /* fixed array, e.g. char comm[16] */
};

struct tfs_format {
	struct tfs_field *fields; /* common_* fields included, in file order */
	int nfields;
	int id;                   /* tracepoint id */
};

/* Read events/CAT/NAME/format. 0 or -errno (-ENOENT: no such tracepoint). */
int tfs_format__read(const char *cat, const char *name, struct tfs_format **out);
void tfs_format__free(struct tfs_format *f);
const struct tfs_field *tfs_format__field(const struct tfs_format *f, const char *name);

#endif

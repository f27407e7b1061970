/* probelist: `hark -l [PATTERN]`, listing probes like `bpftrace -l`. */
#ifndef HARK_PROBELIST_H
#define HARK_PROBELIST_H

#include <stdio.h>

/* Print the probes matching pattern (NULL or "" for all) to out, sorted,
 * one per line:
 *   tracepoint:CAT:NAME      "tracepoint:sched:*", "t:sched:sched_sw*"
 *   uprobe:BINARY:FUNC       "uprobe:libc:getpi*", "u:/bin/bash:*"
 *   uretprobe:BINARY:FUNC    (BINARY resolved with elf_resolve_binary, pid)
 *   software:NAME:, hardware:NAME:
 * A pattern with no known provider ("*sched_switch*", "sched:*") is matched
 * against whole lines, and against "CAT:NAME" for tracepoints.
 * Kernel-function providers (kprobe, kretprobe, kfunc, kretfunc) list
 * nothing: this kernel has no kprobes. Returns 0 or -errno (-ENOENT: the
 * uprobe binary does not exist); messages go to stderr prefixed "probes: ". */
int probes_list(FILE *out, const char *pattern, int pid);

#endif

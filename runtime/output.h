/* output: everything hark prints on stdout, in bpftrace's layouts.
 *
 * Backends: text (bpftrace's text layout, except that a histogram's header
 * line has no trailing space), json (bpftrace's newline-delimited JSON
 * schema), folded, and openmetrics (output_openmetrics.c). This module only formats: the runtime reads BPF maps and events,
 * merges CPUs, turns stack ids and probe ids into names, and hands decoded
 * values here.
 */
#ifndef HARK_OUTPUT_H
#define HARK_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../codegen/plan.h"
#include "../lang/fmt.h"

enum out_format { OUT_TEXT, OUT_JSON, OUT_FOLDED /* stack maps folded for flame graphs, the rest as text */,
		  OUT_OPENMETRICS /* maps only; printf and messages go to stderr */ };

enum out_val_kind {
	OV_INT,   /* signed 64-bit */
	OV_UINT,  /* unsigned 64-bit */
	OV_STR,   /* s (NUL-terminated; also probe and func names) */
	OV_STACK, /* frames[0..nframes), innermost first, already symbolized */
};

struct out_val {
	enum out_val_kind kind;
	int64_t i;          /* OV_INT / OV_UINT (reinterpret as uint64_t) */
	const char *s;      /* OV_STR */
	char **frames;      /* OV_STACK */
	int nframes;
	bool flat;          /* OV_STACK: frames carry their own indent (ustack(perf)) */
};

/* One map entry, CPUs already merged. */
struct out_entry {
	struct out_val *keys;   /* nkeys values */
	int64_t v;              /* COUNT SUM MIN MAX, and NONE with an int value */
	const char *s;          /* NONE with a string value */
	int64_t sum;            /* AVG STATS */
	uint64_t count;         /* AVG STATS */
	uint64_t *buckets;      /* HIST LHIST: buckets[i] = count of bucket index i (see plan.h) */
	int nbuckets;
};

struct out_map {
	const char *name;       /* "@c" or "@" */
	int nkeys;
	enum agg_kind agg;
	struct ty value_ty;     /* NONE: int or str */
	int64_t lhist_min, lhist_max, lhist_step;
	struct out_entry *entries;
	size_t nentries;
};

struct out;

struct out *out__new(FILE *f, enum out_format format);
void out__free(struct out *o);

/* A map, as print(@m, top, div) and the exit-time dump print it.
 * top <= 0: all entries; div <= 1: values as they are. Sorting follows
 * bpftrace (count/sum/min/max/none-int ascending by value, then the key;
 * avg/stats by value; hist/lhist by key). */
void out_map(struct out *o, const struct out_map *m, int64_t top, int64_t div);

/* A printf event: args match the format's conversions one for one. */
void out_printf(struct out *o, const struct fmt *f, const struct out_val *args, int nargs);

/* time(FORMAT): the formatted local time, as bpftrace prints it */
void out_time(struct out *o, const char *text);

/* print(value) of a non-map value. */
void out_value(struct out *o, const struct out_val *v);
/* print($kv) in a for loop: the nkeys key fields and the value, as a pair
 * "(k, v)" or "((k1, k2), v)" (JSON: arrays); nkeys 0: one value. */
void out_values(struct out *o, const struct out_val *v, int n, int nkeys);
/* v as printed as a map value (stacks: a newline, then frames indented by
 * indent); malloc'd */
char *out_val_text(const struct out_val *v, int indent);

/* Free-form line hark itself emits on stdout ("Attaching N probes...",
 * lost-event warnings in json mode, ...); json wraps it as bpftrace does. */
void out_attached(struct out *o, int nprobes);
void out_lost_events(struct out *o, uint64_t lost);

/* What bpftrace prints on stdout once the END probes have run, before the
 * exit-time map dump: "\n\n", in text and json mode, with or without -q,
 * even when there are no maps. */
void out_exit_begin(struct out *o);

/* After a group of maps (the exit-time dump; one print(@m)): OpenMetrics'
 * "# EOF", which ends an exposition; nothing in the other formats. */
void out_maps_end(struct out *o);

void out_flush(struct out *o);

#endif

/* plan: freeing the compiler-to-runtime contract. */
#include <stdlib.h>

#include "plan.h"

void plan__free(struct plan *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nmaps; i++)
		free(p->maps[i].name);
	free(p->maps);
	for (int i = 0; i < p->nfmts; i++) {
		free(p->fmts[i].fmt);
		free(p->fmts[i].arg_ty);
		free(p->fmts[i].arg_off);
	}
	free(p->fmts);
	for (int i = 0; i < p->nprogs; i++)
		free(p->progs[i].name);
	free(p->progs);
	for (int i = 0; i < p->nattach; i++) {
		free(p->attach[i].params);
		free(p->attach[i].t.probe_name);
		free(p->attach[i].t.func_name);
		free(p->attach[i].t.path);
		free(p->attach[i].t.event);
	}
	free(p->attach);
	free(p->ringbuf_name);
	free(p->ustack_map);
	free(p->kstack_map);
	free(p->obj);
}

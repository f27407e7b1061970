/* symbench: symbolization speed. 100,000 distinct user addresses in libc
 * and 100,000 kernel addresses, through hark's symbolizer (cached). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "symbolize.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	struct sym_cache *c = sym_cache__new();
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t lo = 0, hi = 0;
	size_t named = 0;
	double t0, t1, t2;

	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		char perm[8];

		if (sscanf(line, "%llx-%llx %7s", &a, &b, perm) == 3 && perm[2] == 'x' && strstr(line, "libc")) {
			lo = a;
			hi = b;
			break;
		}
	}
	fclose(f);
	t0 = now();
	sym_snapshot(c, getpid());
	for (int i = 0; i < 100000; i++) {
		char *s = sym_user(c, getpid(), lo + (uint64_t)i * ((hi - lo) / 100000), 1);

		named += s && strncmp(s, "0x", 2);
		free(s);
	}
	t1 = now();
	for (int i = 0; i < 100000; i++)
		free(sym_kernel(c, 0xffffffff81000000ULL + (uint64_t)i * 4096, 1));
	t2 = now();
	printf("BENCH name=symbolize_user_100k unit=s hark=%.3f target=hark<1s result=%s named=%zu\n", t1 - t0,
	       t1 - t0 < 1 ? "PASS" : "MISS", named);
	printf("BENCH name=symbolize_kernel_100k unit=s hark=%.3f target=hark<1s result=%s\n", t2 - t1,
	       t2 - t1 < 1 ? "PASS" : "MISS");
	sym_cache__free(c);
	return 0;
}

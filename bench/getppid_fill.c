/* getppid_fill.c: call getppid() N times (default 1e6) through syscall(2),
 * then print "end SECONDS.NANOSECONDS" (CLOCK_REALTIME) on stderr. Used by
 * bench/maps.sh to fill a tracer's map with N distinct keys and time how
 * long the tracer takes to print it after the traced program ends. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct timespec t;

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_REALTIME, &t);
	fprintf(stderr, "end %ld.%09ld\n", (long)t.tv_sec, t.tv_nsec);
	return 0;
}

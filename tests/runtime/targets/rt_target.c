/* rt_target: a program whose activity the runtime tests know exactly.
 *
 *   rt_target leaf N        leaf(i) for i = 0..N-1, then leaf2(7) once
 *   rt_target args N        many_args(1, 2, ..., 10) N times
 *   rt_target mem           take_rec(&rec) once, take_str("hello world") once
 *   rt_target getppid N     getppid() through libc N times
 *   rt_target write         write() to /dev/null: 3 x 10 bytes, 2 x 100, 1 x 1000
 *   rt_target sleep MS      sleep MS milliseconds
 *   rt_target fault N       touch N fresh pages (N page faults at least)
 *   rt_target wait MS CMD.. wait for SIGUSR1 (the test sends it once hark -p
 *                           has attached; MS is only a safety limit), then run CMD..
 *
 * Every traced function is noinline and has a side effect, so each call
 * in the source is one call in the binary. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, used))

volatile long sink;

struct rec {
	uint64_t a;      /* 0x1111 */
	uint64_t b;      /* at +8: 0x2222 */
	int32_t c;       /* at +16: -5 */
	char name[12];   /* at +20: "rec-name" */
};

NOINLINE long leaf(long i)
{
	sink += i;
	return i * 2;
}

NOINLINE long leaf2(long i)
{
	sink += i;
	return i + 100;
}

NOINLINE long many_args(long a1, long a2, long a3, long a4, long a5, long a6, long a7, long a8,
			long a9, long a10)
{
	sink += a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10;
	return a10;
}

NOINLINE long take_rec(struct rec *r)
{
	sink += (long)r->a;
	return r->c;
}

NOINLINE long take_str(const char *s)
{
	sink += s[0];
	return (long)strlen(s);
}

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int run(int argc, char **argv)
{
	const char *mode = argv[1];
	long n = argc > 2 ? atol(argv[2]) : 0;

	if (!strcmp(mode, "leaf")) {
		for (long i = 0; i < n; i++)
			leaf(i);
		leaf2(7);
	} else if (!strcmp(mode, "args")) {
		for (long i = 0; i < n; i++)
			many_args(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	} else if (!strcmp(mode, "mem")) {
		static struct rec r = { 0x1111, 0x2222, -5, "rec-name" };

		take_rec(&r);
		take_str("hello world");
	} else if (!strcmp(mode, "getppid")) {
		for (long i = 0; i < n; i++)
			sink += getppid();
	} else if (!strcmp(mode, "write")) {
		static const struct { int size, times; } w[] = { { 10, 3 }, { 100, 2 }, { 1000, 1 } };
		static char buf[1000];
		int fd = open("/dev/null", O_WRONLY);

		for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
			for (int k = 0; k < w[i].times; k++)
				sink += write(fd, buf, w[i].size);
		close(fd);
	} else if (!strcmp(mode, "fault")) {
		char *p = mmap(NULL, (size_t)n * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		for (long i = 0; i < n; i++)
			p[i * 4096] = 1;
		munmap(p, (size_t)n * 4096);
	} else if (!strcmp(mode, "sleep")) {
		nap(n);
	} else if (!strcmp(mode, "wait") && argc > 3) {
		sigset_t usr1;
		struct timespec limit = { n / 1000, (n % 1000) * 1000000L };

		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, NULL);
		sigtimedwait(&usr1, NULL, &limit);
		return run(argc - 2, argv + 2);
	} else {
		fprintf(stderr, "rt_target: unknown mode '%s'\n", mode);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rt_target MODE [N]\n");
		return 2;
	}
	return run(argc, argv);
}

/* stacks10k: 10,000 distinct user stacks reaching target(): recursion
 * depth 1..100 under each of 100 call sites. Prints its end time. */
#include <stdio.h>
#include <time.h>

__attribute__((noinline)) int target(int x) { return x + 1; }

__attribute__((noinline)) int down(int d, int x)
{
	return d ? down(d - 1, x) + 1 : target(x);
}

#define SITE(n) case n: s += down(d, n); break;
#define TEN(n) SITE(n##0) SITE(n##1) SITE(n##2) SITE(n##3) SITE(n##4) SITE(n##5) SITE(n##6) SITE(n##7) SITE(n##8) SITE(n##9)

int main(void)
{
	long s = 0;
	struct timespec t;

	for (int site = 0; site < 100; site++)
		for (int d = 0; d < 100; d++)
			switch (site) { TEN() TEN(1) TEN(2) TEN(3) TEN(4) TEN(5) TEN(6) TEN(7) TEN(8) TEN(9) }
	clock_gettime(CLOCK_REALTIME, &t);
	fprintf(stderr, "end %ld.%09ld %ld\n", (long)t.tv_sec, t.tv_nsec, s > 0 ? 1L : 0L);
	return 0;
}

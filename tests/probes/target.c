/* Target for tests/probes: known functions, prints their addresses, waits. */
#include <stdio.h>
#include <unistd.h>

volatile int sink;

__attribute__((noinline)) int target_alpha(int x) { sink += x; return x * 3 + 1; }
__attribute__((noinline)) int target_beta(int x) { sink += x; return target_alpha(x) + x * 7 - 2; }
__attribute__((noinline)) int target_gamma(int x) { sink -= x; return target_beta(x) ^ 0x55; }
__attribute__((noinline)) void target_loop(void)
{
	for (int i = 0; i < 600; i++) {
		target_gamma(i);
		usleep(50000);
	}
}

int main(void)
{
	printf("%p %p\n", (void *)target_alpha, (void *)target_beta);
	fflush(stdout);
	target_loop();
	return 0;
}

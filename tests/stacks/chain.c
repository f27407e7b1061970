/* getppid() through libc, N times, from main -> middle -> leaf: the stack at
 * libc's getppid must be getppid <- leaf <- middle <- main. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) int leaf(int i)
{
	return getppid() + i;
}

__attribute__((noinline)) int middle(int i)
{
	return leaf(i) + 1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	long s = 0;

	for (int i = 0; i < n; i++)
		s += middle(i);
	printf("chain %d %d\n", n, s > 0);
	return 0;
}

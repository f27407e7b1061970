/* getppid x3, getpid x2, getuid x4: three probes that share one program */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	long s = 0;

	for (int i = 0; i < 3; i++)
		s += getppid();
	for (int i = 0; i < 2; i++)
		s += getpid();
	for (int i = 0; i < 4; i++)
		s += getuid();
	printf("params %d\n", s != 0);
	return 0;
}

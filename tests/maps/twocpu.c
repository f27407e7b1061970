/* Two threads, one pinned to each of CPU 0 and CPU 1, each calling
 * getppid() N times at the same time: per-CPU maps must add up exactly. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long n;
static pthread_barrier_t go;

static void *run(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)(long)arg, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	pthread_barrier_wait(&go);
	for (long i = 0; i < n; i++)
		getppid();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[2];

	n = argc > 1 ? atol(argv[1]) : 100000;
	pthread_barrier_init(&go, NULL, 2);
	for (long c = 0; c < 2; c++)
		pthread_create(&t[c], NULL, run, (void *)c);
	for (int c = 0; c < 2; c++)
		pthread_join(t[c], NULL);
	printf("twocpu %ld\n", 2 * n);
	return 0;
}

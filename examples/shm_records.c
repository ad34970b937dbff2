/* SPDX-License-Identifier: MIT */
/*
 * Two processes exchanging records through a shared region.  In Python:
 *
 *     shm = shared_memory.SharedMemory(create=True, size=...)
 *     ... and then synchronize by hand.
 *
 * Here the region holds a lock-free ring by name; the parent produces
 * 32-byte records, a forked child consumes and checks them.  The child
 * could as well be another program that calls lfk_shm_open() by name.
 */
#include <lfkit/shm.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

struct order {
	uint64_t id;
	uint64_t price;
	uint64_t qty;
	uint64_t check; /* id ^ price ^ qty */
};

#define ORDERS 100000

static int consumer(const char *name)
{
	struct lfk_shm *shm;
	struct lfk_ring_lfmpmc *ring;
	struct order o;
	uint64_t next = 0, volume = 0;
	if (lfk_shm_open(name, &shm) != 0 ||
	    lfk_shm_ring_lfmpmc_attach(shm, "orders", &ring) != 0)
		return 2;
	while (next < ORDERS) {
		if (lfk_ring_lfmpmc_dequeue_rec(ring, &o) != 0) {
			sched_yield(); /* empty: a blocking lfk_queue would sleep */
			continue;
		}
		if (o.id != next || o.check != (o.id ^ o.price ^ o.qty))
			return 3;
		volume += o.qty;
		next++;
	}
	printf("consumer: %llu orders, volume %llu\n", (unsigned long long)next,
	       (unsigned long long)volume);
	fflush(stdout); /* the child leaves through _exit */
	lfk_shm_close(shm);
	return 0;
}

int main(void)
{
	char name[64];
	struct lfk_shm *shm;
	struct lfk_ring_lfmpmc *ring;
	pid_t pid;
	int status;
	snprintf(name, sizeof(name), "/lfkit-example-%ld", (long)getpid());
	if (lfk_shm_create(name, 1 << 20, 0600, &shm) != 0 ||
	    lfk_shm_ring_lfmpmc_create(shm, "orders", 256, sizeof(struct order),
				       &ring) != 0)
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(consumer(name));
	for (uint64_t i = 0; i < ORDERS;) {
		struct order o = { i, 100 + i % 7, 1 + i % 10, 0 };
		o.check = o.id ^ o.price ^ o.qty;
		if (lfk_ring_lfmpmc_enqueue_rec(ring, &o) == 0)
			i++;
		else
			sched_yield(); /* full */
	}
	waitpid(pid, &status, 0);
	lfk_shm_close(shm);
	lfk_shm_unlink(name); /* like Python's SharedMemory.unlink() */
	printf("producer: %d orders sent\n", ORDERS);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

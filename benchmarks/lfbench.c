/*
 * lfbench: lfkit's benchmark driver.
 *   lfbench <subcommand|all> [--csv] [--runs N] [--scale X]
 * Exit status: 0 when every row verified, 1 otherwise, 2 on a usage error.
 */
#include <stdio.h>
#include <string.h>

#include "lfbench.h"

struct subcommand {
	const char *name;
	void (*run)(const struct lfb_opts *o);
	const char *what;
};

static const struct subcommand subcommands[] = {
	{ "atomic", lfb_bench_atomic,
	  "per-op cost of the atomic layer, arch vs generic backend" },
	{ "counter", lfb_bench_counter,
	  "increments: sharded lfk_counter vs one shared fetch-add vs mutex" },
	{ "tcache", lfb_bench_tcache,
	  "object alloc+free: lfk_tcache vs malloc vs mutex free list" },
	{ "seqlock", lfb_bench_seqlock,
	  "read-mostly: seqlock, latch, seqarray vs rwlock, mutex, ck_sequence" },
	{ "ring", lfb_bench_ring,
	  "rings vs mutex twin vs ck_ring and cds_wfcq, 1p1c..8p8c, pairs" },
	{ "ipc", lfb_bench_ipc,
	  "64-byte messages between processes: shm ring/queues vs pipe, mq, socket" },
	{ "sync", lfb_bench_sync,
	  "futex mutex vs pthread_mutex pairs; sem and event ping-pong" },
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static int usage(void)
{
	fprintf(stderr, "usage: lfbench <subcommand|all> [--csv] [--runs N] [--scale X]\n");
	for (size_t i = 0; i < NSUB; i++)
		fprintf(stderr, "  %-8s %s\n", subcommands[i].name,
			subcommands[i].what);
	return 2;
}

int main(int argc, char **argv)
{
	struct lfb_opts o;
	bool all, found = false;
	if (argc < 2)
		return usage();
	if (lfb_parse_opts(&o, argc - 2, argv + 2) != 0)
		return usage();
	all = strcmp(argv[1], "all") == 0;
	for (size_t i = 0; i < NSUB; i++) {
		if (all || strcmp(argv[1], subcommands[i].name) == 0) {
			subcommands[i].run(&o);
			found = true;
		}
	}
	if (!found)
		return usage();
	if (lfb_failed_rows() > 0) {
		fprintf(stderr, "lfbench: %d rows failed verification\n",
			lfb_failed_rows());
		return 1;
	}
	return 0;
}

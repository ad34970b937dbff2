/* SPDX-License-Identifier: MIT */
/*
 * lfbench: lfkit's benchmark driver (see usage_text below and
 * docs/lfbench.md).
 * Exit status: 0 when every row verified, 1 otherwise, 2 on a usage error.
 */
#include <stdio.h>
#include <string.h>

#include "bench_machine.h"
#include "lfbench.h"

struct subcommand {
	const char *name;
	void (*run)(const struct lfb_opts *o);
	const char *what;
	const char *help;
};

static const struct subcommand subcommands[] = {
	{ "atomic", lfb_bench_atomic,
	  "per-op cost of the atomic layer, arch vs generic backend",
	  lfb_atomic_help },
	{ "counter", lfb_bench_counter,
	  "increments: sharded lfk_counter vs one shared fetch-add vs mutex",
	  lfb_counter_help },
	{ "tcache", lfb_bench_tcache,
	  "object alloc+free: lfk_tcache vs malloc vs mutex free list",
	  lfb_tcache_help },
	{ "seqlock", lfb_bench_seqlock,
	  "read-mostly: seqlock, latch, seqarray vs rwlock, mutex, ck_sequence",
	  lfb_seqlock_help },
	{ "ring", lfb_bench_ring,
	  "rings vs mutex twin vs ck_ring and cds_wfcq, 1p1c..8p8c, pairs",
	  lfb_ring_help },
	{ "ipc", lfb_bench_ipc,
	  "64-byte messages between processes, one or 32 per call: shm vs pipe, mq, socket",
	  lfb_ipc_help },
	{ "msg", lfb_bench_msg,
	  "8 B to 64 KiB messages between processes: lfk_msgring vs twin, pipe, socket",
	  lfb_msg_help },
	{ "sync", lfb_bench_sync,
	  "futex mutex vs pthread_mutex pairs; sem and event ping-pong",
	  lfb_sync_help },
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static const char usage_text[] =
	"usage: lfbench <subcommand|all> [options]\n"
	"       lfbench --help | lfbench <subcommand> --help\n"
	"\n"
	"Races lfkit's primitives against their mutex-based twins and the peers\n"
	"(ConcurrencyKit, liburcu, the kernel's IPC) in one process.  Within one\n"
	"case (a bench and a configuration) every implementation is warmed up once,\n"
	"then they run in interleaved rounds (A B C, A B C, ...), so that a slow\n"
	"phase of the machine hits them all alike.  Every run is verified (the\n"
	"items add up, checksums match); a run that does not is a failure.\n"
	"\n"
	"options:\n"
	"  --csv            CSV instead of the table: bench,impl,producers,consumers,\n"
	"                   ops_per_run,runs,mops_median,mops_min,mops_max,verified\n"
	"                   (Mops/s = million operations per second); lines that\n"
	"                   start with '#' describe the machine and are not rows\n"
	"  --runs N         measured rounds per case after the warm-up (default 5,\n"
	"                   at least 5)\n"
	"  --scale X        multiply the operations (and time budgets) of every run\n"
	"                   by X, e.g. 0.02 for a quick check (default 1)\n"
	"  --no-pin         leave thread placement to the scheduler; by default\n"
	"                   thread i of a run (producers first, then consumers;\n"
	"                   forked processes alike) is pinned to the (i mod n)-th of\n"
	"                   the n CPUs lfbench was allowed to use at start\n"
	"  --baseline IMPL  add each row's paired ratio to IMPL's row of the same\n"
	"                   case: the median, min and max over the rounds of\n"
	"                   (row's rate / IMPL's rate in the same round); CSV gets\n"
	"                   the columns baseline,ratio_median,ratio_min,ratio_max\n"
	"                   (empty where the case has no IMPL)\n"
	"  --ratios FILE    write the paired ratios of every lfkit implementation\n"
	"                   (lfk_*, and arch in `atomic`) to every other one of the\n"
	"                   same case (twin and peers) to FILE as CSV:\n"
	"                   bench,producers,consumers,impl,baseline,runs,\n"
	"                   ratio_median,ratio_min,ratio_max\n"
	"  --help           this text; after a subcommand, that subcommand's rows\n"
	"\n"
	"environment (comma-separated names; unset = everything):\n"
	"  LFB_RING_BENCHES  ring benches to run: ring, ring_burst32, ring_pair\n"
	"  LFB_RING_IMPLS    ring implementations to run, e.g. lfk_spsc,ck_spsc\n"
	"  LFB_IPC_BENCHES   ipc benches to run: ipc_64b, ipc_64b_burst32\n"
	"  LFB_IPC_IMPLS     ipc implementations to run, e.g. lfk_shm_ring,pipe\n"
	"  LFB_MSG_SIZES     msg message sizes to run, e.g. 8,65536\n"
	"  LFB_MSG_IMPLS     msg implementations to run, e.g. lfk_msgring,pipe\n"
	"\n"
	"Before the results lfbench prints the CPU model, the CPU count and the\n"
	"load average, and warns when the load average is above half the CPUs.\n"
	"Exit status: 0 when every row verified, 1 when a row did not, 2 on a\n"
	"usage error.\n"
	"\n"
	"subcommands (all: every one in turn):\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
	for (size_t i = 0; i < NSUB; i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name,
			subcommands[i].what);
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

static int help(const char *name)
{
	for (size_t i = 0; i < NSUB; i++) {
		if (strcmp(name, subcommands[i].name) == 0) {
			printf("lfbench %s [options]: %s\n\n%s",
			       subcommands[i].name, subcommands[i].what,
			       subcommands[i].help);
			printf("\nOptions: see lfbench --help.\n");
			return 0;
		}
	}
	usage(stdout);
	return strcmp(name, "all") == 0 || name[0] == '-' ? 0 : 2;
}

int main(int argc, char **argv)
{
	struct lfb_opts o;
	bool all, found = false;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (wants_help(argc, argv))
		return help(argv[1]);
	if (lfb_parse_opts(&o, argc - 2, argv + 2) != 0) {
		usage(stderr);
		return 2;
	}
	all = strcmp(argv[1], "all") == 0;
	lfb_machine_init(&o);
	for (size_t i = 0; i < NSUB; i++) {
		if (all || strcmp(argv[1], subcommands[i].name) == 0) {
			if (!found)
				lfb_machine_print(&o);
			subcommands[i].run(&o);
			found = true;
		}
	}
	lfb_close_opts(&o);
	if (!found) {
		usage(stderr);
		return 2;
	}
	if (lfb_failed_rows() > 0) {
		fprintf(stderr, "lfbench: %d rows failed verification\n",
			lfb_failed_rows());
		return 1;
	}
	return 0;
}

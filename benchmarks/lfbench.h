/* lfbench subcommands: each measures one module against its twin and peers. */
#ifndef LFB_LFBENCH_H
#define LFB_LFBENCH_H

#include "bench_harness.h"

void lfb_bench_atomic(const struct lfb_opts *o);
void lfb_bench_counter(const struct lfb_opts *o);
void lfb_bench_tcache(const struct lfb_opts *o);
void lfb_bench_seqlock(const struct lfb_opts *o);
void lfb_bench_ring(const struct lfb_opts *o);
void lfb_bench_ipc(const struct lfb_opts *o);
void lfb_bench_sync(const struct lfb_opts *o);

#endif

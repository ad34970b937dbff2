/* SPDX-License-Identifier: MIT */
/* lfbench subcommands: each measures one module against its twin and peers,
 * and has a help text (lfbench <subcommand> --help). */
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
void lfb_bench_msg(const struct lfb_opts *o);

extern const char lfb_atomic_help[];
extern const char lfb_counter_help[];
extern const char lfb_tcache_help[];
extern const char lfb_seqlock_help[];
extern const char lfb_ring_help[];
extern const char lfb_ipc_help[];
extern const char lfb_sync_help[];
extern const char lfb_msg_help[];

#endif

#include "lfbench.h"
void lfb_bench_seqlock(const struct lfb_opts *o)
{
	(void)o;
}

/* SPDX-License-Identifier: MIT */
/* An outside program built against an installed lfkit through pkg-config
 * (CI builds it with `pkg-config --cflags --libs lfkit`). */
#include <lfkit/lfkit.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	uint64_t x = 41;
	if (lfk_atomic_fetch_add_u64(&x, 1, LFK_ACQ_REL) != 41 || x != 42)
		return 1;
	if (strcmp(lfk_atomic_backend(), LFK_ATOMIC_BACKEND) != 0)
		return 1;
	printf("lfkit %s, atomic backend %s\n", lfk_version(),
	       lfk_atomic_backend());
	return 0;
}

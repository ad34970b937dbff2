/* SPDX-License-Identifier: MIT */
#include <lfkit/lfkit.h>

const char *lfk_version(void)
{
	return LFK_VERSION_STRING;
}

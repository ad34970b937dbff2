/* SPDX-License-Identifier: MIT */
/*
 * Bad input to regions and their directory, one table row per call: names
 * that are not "/one-component", sizes of 0 or beyond reason, NULL
 * regions and out-pointers, unknown ring kinds, object names empty or too
 * long, a name that is not in the directory.
 */
#include <errno.h>
#include <stdint.h>

#include "harness/lfk_cases.h"
#include "shm_helpers.h"

/* A region that exists (live) and a name that is never created. */
struct bad_ctx {
	char unused[64];
	struct lfk_shm *live, *s;
	struct lfk_ring_spsc *sr;
	struct lfk_ring *ring;
	void *p;
	size_t n;
};

#define SHM_BAD_CASES(X)                                                       \
	X(create_null_name, -EINVAL, lfk_shm_create(NULL, 10, 0600, &c->s))    \
	X(create_name_without_slash, -EINVAL,                                  \
	  lfk_shm_create("noslash", 10, 0600, &c->s))                          \
	X(create_name_with_two_slashes, -EINVAL,                               \
	  lfk_shm_create("/a/b", 10, 0600, &c->s))                             \
	X(create_empty_name, -EINVAL, lfk_shm_create("/", 10, 0600, &c->s))    \
	X(create_size_0, -EINVAL, lfk_shm_create(c->unused, 0, 0600, &c->s))   \
	X(create_absurd_size, -EINVAL,                                         \
	  lfk_shm_create(c->unused, SIZE_MAX, 0600, &c->s))                    \
	X(create_out_null, -EINVAL, lfk_shm_create(c->unused, 10, 0600, NULL)) \
	X(open_null_name, -EINVAL, lfk_shm_open(NULL, &c->s))                  \
	X(close_null, -EINVAL, lfk_shm_close(NULL))                            \
	X(validate_null, -EINVAL, lfk_shm_validate(NULL, 100))                 \
	X(attach_on_null_region, -EINVAL,                                      \
	  lfk_shm_ring_spsc_attach(NULL, "x", &c->sr))                         \
	X(ring_create_bad_kind, -EINVAL,                                       \
	  lfk_shm_ring_create(c->live, "r", 99, 4, 8, &c->ring))               \
	X(ring_create_capacity_0, -EINVAL,                                     \
	  lfk_shm_ring_create(c->live, "r", LFK_RING_SPSC, 0, 8, &c->ring))    \
	X(ring_create_empty_object_name, -EINVAL,                              \
	  lfk_shm_ring_create(c->live, "", LFK_RING_SPSC, 4, 8, &c->ring))     \
	X(ring_create_object_name_too_long, -EINVAL,                           \
	  lfk_shm_ring_create(c->live, "a-name-that-is-longer-than-31-bytes",  \
			      LFK_RING_SPSC, 4, 8, &c->ring))                  \
	X(bytes_attach_missing_name, -ENOENT,                                  \
	  lfk_shm_bytes_attach(c->live, "nope", &c->p, &c->n))

#define LFK_CASE_CTX struct bad_ctx
SHM_BAD_CASES(LFK_CASE_FN)

static const struct lfk_case bad_cases[] = { SHM_BAD_CASES(LFK_CASE_ROW) };

int lfk_scn_bad_input(void)
{
	struct bad_ctx c = { .live = NULL };
	char live[64];
	region_name(c.unused, sizeof(c.unused));
	if (lfk_shm_create(region_name(live, sizeof(live)), 1 << 16, 0600,
			   &c.live) != 0)
		return 1;
	LFK_CHECK_CASES(bad_cases, &c, NULL, "lfk_shm");
	lfk_shm_close(c.live);
	lfk_shm_unlink(live);
	return 0;
}

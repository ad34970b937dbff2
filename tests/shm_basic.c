/* SPDX-License-Identifier: MIT */
/*
 * Regions one call at a time: create, open, close and unlink; the directory
 * of named objects (duplicates, kinds, a full directory, a full region);
 * and two mappings of one region exchanging items through every ring kind
 * and a seqlock-protected table.
 */
#include <errno.h>
#include <string.h>

#include "shm_helpers.h"

int lfk_scn_lifecycle(void)
{
	char name[64];
	struct lfk_shm *a, *b;
	region_name(name, sizeof(name));
	LFK_CHECK(lfk_shm_open(name, &b) == -ENOENT, "open before create");
	LFK_CHECK(lfk_shm_create(name, 4096, 0600, &a) == 0, "create");
	LFK_CHECK(lfk_shm_create(name, 4096, 0600, &b) == -EEXIST,
		  "second create must be -EEXIST");
	LFK_CHECK(lfk_shm_open(name, &b) == 0, "open");
	LFK_CHECK(lfk_shm_size(b) == lfk_shm_size(a) && lfk_shm_size(a) > 4096,
		  "sizes");
	LFK_CHECK(lfk_shm_close(b) == 0 && lfk_shm_close(a) == 0, "close");
	LFK_CHECK(lfk_shm_open(name, &b) == 0, "open after close (lives on)");
	lfk_shm_close(b);
	LFK_CHECK(lfk_shm_unlink(name) == 0, "unlink");
	LFK_CHECK(lfk_shm_open(name, &b) == -ENOENT, "open after unlink");
	LFK_CHECK(lfk_shm_unlink(name) == -ENOENT, "second unlink");
	return 0;
}

/* Names and kinds: a duplicate, attach by the right and the wrong kind. */
static void directory_names(struct lfk_shm *s)
{
	void *p, *q;
	size_t n;
	struct lfk_ring_lfmpmc *lr;
	struct lfk_ring_mpmc *mr;
	LFK_CHECK(lfk_shm_ring_create(s, "orders", LFK_RING_LFMPMC, 100, 64,
				      (struct lfk_ring **)&p) == 0,
		  "create ring");
	LFK_CHECK(lfk_shm_ring_create(s, "orders", LFK_RING_SPSC, 4, 8,
				      (struct lfk_ring **)&q) == -EEXIST,
		  "duplicate name");
	LFK_CHECK(lfk_shm_ring_lfmpmc_attach(s, "orders", &lr) == 0 &&
			  p == (void *)lr,
		  "attach");
	LFK_CHECK(lfk_shm_ring_mpmc_attach(s, "orders", &mr) == -EPROTO,
		  "attach as another kind");
	LFK_CHECK(lfk_shm_bytes_attach(s, "orders", &q, &n) == -EPROTO,
		  "attach a ring as bytes");
	LFK_CHECK(lfk_shm_ring_lfmpmc_attach(s, "missing", &lr) == -ENOENT,
		  "missing name");
	LFK_CHECK(lfk_shm_bytes_create(s, "stats", 1000, &p) == 0 &&
			  lfk_shm_bytes_attach(s, "stats", &q, &n) == 0 &&
			  p == q && n == 1000 && ((char *)q)[999] == 0,
		  "bytes object");
}

/* With two objects made, the directory holds LFK_SHM_DIR_ENTRIES - 2
 * more. */
static void directory_fills(struct lfk_shm *s)
{
	char obj[16];
	void *p;
	int made = 0, rc = 0;
	for (int i = 2; i < LFK_SHM_DIR_ENTRIES + 1; i++) {
		snprintf(obj, sizeof(obj), "b%d", i);
		rc = lfk_shm_bytes_create(s, obj, 8, &p);
		if (rc != 0)
			break;
		made++;
	}
	LFK_CHECK(made == LFK_SHM_DIR_ENTRIES - 2 && rc == -ENOSPC,
		  "directory full after %d more objects (rc %d)", made, rc);
}

int lfk_scn_directory(void)
{
	char name[64];
	struct lfk_shm *s;
	void *p;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 20, 0600,
			   &s) != 0)
		return 1;
	directory_names(s);
	directory_fills(s);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	/* a region too small for the object */
	if (lfk_shm_create(name, 4096, 0600, &s) != 0)
		return 1;
	LFK_CHECK(lfk_shm_ring_create(s, "big", LFK_RING_MPMC, 10000, 64,
				      (struct lfk_ring **)&p) == -ENOSPC,
		  "region full");
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

/* A ring of every kind made in mapping a, attached in b: a record crosses
 * through the handle, the ring's kind picking the calls. */
static void rings_cross_mappings(struct lfk_shm *a, struct lfk_shm *b)
{
	static const int kinds[] = { LFK_RING_SPSC, LFK_RING_MPMC,
				     LFK_RING_LFMPMC };
	for (int k = 0; k < 3; k++) {
		char obj[8];
		void *ra = NULL;
		struct lfk_ring *rb = NULL;
		uint64_t rec[3] = { 1, 2, 3 }, out[3] = { 0, 0, 0 };
		snprintf(obj, sizeof(obj), "r%d", k);
		LFK_CHECK(lfk_shm_ring_create(a, obj, kinds[k], 5, 24,
					      (struct lfk_ring **)&ra) == 0 &&
				  lfk_shm_ring_attach(b, obj, &rb) == 0 &&
				  (int)lfk_ring_kind_of(rb) == kinds[k],
			  "ring %d", k);
		if (lfk_failures())
			break;
		LFK_CHECK(lfk_ring_enqueue_rec((struct lfk_ring *)ra, rec) ==
					  0 &&
				  lfk_ring_dequeue_rec(rb, out) == 0,
			  "ring %d: record", k);
		LFK_CHECK(memcmp(rec, out, sizeof(rec)) == 0, "record crossed");
	}
}

/* A seqlock-protected table made in a, read in b; then objects attached
 * as the wrong kind (or missing) in b. */
static void table_crosses_mappings(struct lfk_shm *a, struct lfk_shm *b)
{
	struct lfk_seqarray *sa, *sb;
	uint64_t rec[4] = { 7, 8, 9, 10 }, got[4];
	struct lfk_ring *rr = (struct lfk_ring *)&sb;
	LFK_CHECK(lfk_shm_seqarray_create(a, "table", 16, 32, &sa) == 0 &&
			  lfk_shm_seqarray_attach(b, "table", &sb) == 0 &&
			  lfk_seqarray_length(sb) == 16,
		  "seqarray in the region");
	if (!lfk_failures()) {
		lfk_seqarray_write(sa, 15, rec);
		LFK_CHECK(lfk_seqarray_read(sb, 15, got) == 0 &&
				  memcmp(rec, got, sizeof(rec)) == 0,
			  "element crossed mappings");
	}
	LFK_CHECK(lfk_shm_seqarray_attach(b, "r0", &sb) == -EPROTO,
		  "a ring attached as a seqarray");
	LFK_CHECK(lfk_shm_ring_attach(b, "table", &rr) == -EPROTO &&
			  rr == NULL &&
			  lfk_shm_ring_attach(b, "none", &rr) == -ENOENT &&
			  lfk_shm_ring_attach(b, "r0", NULL) == -EINVAL,
		  "a seqarray or nothing attached as any ring");
}

/* Two mappings of one region (at different addresses) exchange items
 * through every ring kind. */
int lfk_scn_two_mappings_share_rings(void)
{
	char name[64];
	struct lfk_shm *a, *b;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 20, 0600,
			   &a) != 0)
		return 1;
	if (lfk_shm_open(name, &b) != 0)
		return 1;
	LFK_CHECK(lfk_shm_base(a) != lfk_shm_base(b), "two mappings");
	rings_cross_mappings(a, b);
	table_crosses_mappings(a, b);
	lfk_shm_close(b);
	lfk_shm_close(a);
	lfk_shm_unlink(name);
	return 0;
}

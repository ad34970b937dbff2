/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: message rings in damaged region images, through attach and
 * then every non-blocking call.
 *
 * The input is a list of mutations of a real region (built once, see
 * base_image: a one-producer ring whose messages wrapped, so it holds
 * padding, and a many-producer ring holding a committed message and a claim
 * left open), in the structure-aware manner of tests/fuzz_shm_attach.c.
 * Each mutation sets one 4- or 8-byte word to a boundary value (0, 1, all
 * ones, 2^31, 2^32, 2^63, the real value +-1, +-16, doubled, with a bit
 * flipped, 2^k, or raw) in
 *   - a directory entry of a ring (offset, length, kind, parameters),
 *   - a ring's header (magic, flags, size, data offset, total, the
 *     eventcounts' flags): what attach checks,
 *   - a ring's live state: head, tail, the producers' copy of head, the
 *     closed word, and any word of the data space, record headers
 *     included.  Attach cannot check these
 *     (users are at work); the calls must stay within the ring all the
 *     same, answering -EPROTO, -EAGAIN or another error where the state
 *     makes no sense, never reading or writing outside it.
 * AddressSanitizer (the image is exactly its allocation) turns a stray
 * access into a crash.
 *
 * Run by libFuzzer (tests/fuzz-run msgring) and, over the corpus in
 * tests/fuzz-corpus/msgring, by the plain driver tests/fuzz_replay.c in make
 * check.
 */
#include <lfkit/shm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_image.h"
#include "lib/shm_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *base;
static size_t base_size;
static const char *const names[] = { "sp", "mp" };

static void base_image(void)
{
	char name[64];
	struct lfk_shm *s;
	struct lfk_msgring *sp, *mp;
	struct lfk_msgring_claim c;
	char out[64], text[64];
	size_t len;
	int rc;
	snprintf(name, sizeof(name), "/lfk-fuzz-msg-%ld", (long)getpid());
	rc = lfk_shm_create(name, 1 << 14, 0600, &s);
	lfk_shm_unlink(name);
	if (rc != 0)
		abort();
	rc |= lfk_shm_msgring_create(s, names[0], 256, 0, &sp);
	rc |= lfk_shm_msgring_create(s, names[1], 128, LFK_MSGRING_MP, &mp);
	/* Fixed contents: head and tail near the end, then a message that
	 * wraps (padding before it) and one after it. */
	memset(text, 'm', sizeof(text));
	for (int i = 0; i < 5; i++) {
		rc |= lfk_msgring_try_send(sp, text, 31 + (size_t)i);
		rc |= lfk_msgring_try_recv(sp, out, sizeof(out), &len);
	}
	rc |= lfk_msgring_try_send(sp, text, 40);
	rc |= lfk_msgring_try_send(sp, "after", 5);
	rc |= lfk_msgring_try_send(mp, "committed", 9);
	rc |= lfk_msgring_claim(mp, 20, &c);
	base = lfk_fuzz_snapshot(s, rc, &base_size);
}

/* ---- the input: bytes taken in order, zeros once it runs out ---------- */

struct input {
	const uint8_t *p, *end;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;
	while (bytes-- > 0)
		v = v << 8 | (in->p < in->end ? *in->p++ : 0);
	return v;
}

/* ---- mutations ------------------------------------------------------------ */

static uint64_t boundary(struct input *in, uint64_t real)
{
	switch (take(in, 1) % 16) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return UINT64_MAX;
	case 3:
		return 1ull << 31;
	case 4:
		return 1ull << 32;
	case 5:
		return 1ull << 63;
	case 6:
		return real + 1;
	case 7:
		return real - 1;
	case 8:
		return real + LFK_MSGRING_HDR;
	case 9:
		return real - LFK_MSGRING_HDR;
	case 10:
		return real * 2;
	case 11:
		return real ^ (1ull << (take(in, 1) % 64));
	case 12:
		return 1ull << (take(in, 1) % 64);
	case 13:
		return real + (1ull << 32); /* the tag's half of a header */
	default:
		return take(in, 8);
	}
}

/* Where one mutation lands: an offset in the image and a width. */
static size_t target(struct input *in, const struct lfk__shm_header *h,
		     size_t *width)
{
	const struct lfk__shm_entry *e = &h->dir[take(in, 1) % 2];
	const size_t ring_words = offsetof(struct lfk_msgring, not_full) + 16;
	size_t bytes =
		(size_t)((const struct lfk_msgring *)((const char *)base +
						      e->offset))
			->hdr.bytes;
	*width = take(in, 1) % 2 ? 8 : 4;
	switch (take(in, 1) % 3) {
	case 0: /* the directory entry, from its kind on */
		return (size_t)((const char *)e - (const char *)h) +
		       offsetof(struct lfk__shm_entry, kind) +
		       take(in, 1) % 12 * 4;
	case 1: /* the ring's own fields: header, head, tail, closed, futexes */
		return (size_t)e->offset + take(in, 2) % (ring_words / 4) * 4;
	default: /* a word of the data space, record headers included */
		*width = 8;
		return (size_t)e->offset + sizeof(struct lfk_msgring) +
		       take(in, 2) % (bytes / 8) * 8;
	}
}

static void mutate(struct input *in, char *img)
{
	size_t width, off = target(in, base, &width);
	uint64_t v = 0;
	memcpy(&v, img + off, width);
	v = boundary(in, v);
	memcpy(img + off, &v, width);
}

/* ---- using what attaches ------------------------------------------------- */

static void use(struct lfk_msgring *r)
{
	static char buf[512];
	struct lfk_msgring_claim c;
	struct lfk_msgring_msg m;
	size_t len, lens[4];
	uint32_t pid;
	(void)lfk_msgring_stalled(r, &pid);
	(void)lfk_msgring_used(r);
	if (lfk_msgring_read(r, &m) == 0)
		lfk_msgring_release(r, &m);
	lfk_msgring_try_recv(r, buf, sizeof(buf), &len);
	lfk_msgring_recv_burst(r, buf, sizeof(buf), lens, 4);
	lfk_msgring_recv(r, buf, sizeof(buf), &len, 0);
	lfk_msgring_wait_readable(r, 0);
	lfk_msgring_try_send(r, buf, 100);
	lfk_msgring_send(r, buf, 7, 0);
	if (lfk_msgring_claim(r, 33, &c) == 0) {
		memset(c.data, 1, c.len);
		lfk_msgring_commit(r, &c);
	}
	len = lfk_msgring_max_msg(r);
	lfk_msgring_try_send(r, buf, len < sizeof(buf) ? len : sizeof(buf));
	lfk_msgring_repair(r);
	lfk_msgring_close(r);
	lfk_msgring_recv(r, buf, sizeof(buf), &len, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, data + size };
	char *img;
	if (base == NULL)
		base_image();
	img = malloc(base_size);
	if (img == NULL)
		abort();
	memcpy(img, base, base_size);
	for (int n = 1 + (int)take(&in, 1) % 4; n > 0; n--)
		mutate(&in, img);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct lfk_msgring *r;
		if (lfk__shm_msgring_attach_image(img, base_size, names[i],
						  &r) == 0)
			use(r);
	}
	free(img);
	return 0;
}

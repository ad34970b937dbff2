/* SPDX-License-Identifier: MIT */
/*
 * lfkit from C++: the C headers included as they are (they declare
 * everything extern "C"), each object owned by a std::unique_ptr whose
 * deleter is the library's destroy call.  Three parts, each checking that
 * every item arrived once (counts and sums):
 *
 *   rings      numbers -spsc-> router -mpmc-> 2 squarers -lfmpmc-> collector
 *   queue      2 producers -> a blocking lfk_queue of records -> 2 consumers,
 *              then join (every item task_done) and close (gets end: -EPIPE)
 *   region     parent -> a queue in a shared region -> a forked child, which
 *              attaches by name and sends its count and sum back
 *
 * CI builds it against an installed lfkit, as any C++ program would:
 *     c++ -std=c++11 cxx_pipeline.cpp $(pkg-config --cflags --libs lfkit)
 */
#include <lfkit/queue.h>
#include <lfkit/ring.h>
#include <lfkit/shm.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

const uint64_t ITEMS = 100000;
const int SQUARERS = 2;
const uint64_t END = 0; /* the rings' end-of-stream marker (items are 1..) */

template <typename T> using owned = std::unique_ptr<T, void (*)(T *)>;

uint64_t sum_of_squares(uint64_t n)
{
	return n * (n + 1) * (2 * n + 1) / 6;
}

bool report(const char *part, bool ok, uint64_t items, uint64_t sum)
{
	std::printf("%-7s %" PRIu64 " items, sum %" PRIu64 ": %s\n", part,
		    items, sum, ok ? "ok" : "WRONG");
	return ok;
}

/* ---- rings -------------------------------------------------------------- */

/* One overload set over the three kinds, so a template takes any ring. */
int enqueue(lfk_ring_spsc *r, uint64_t v)
{
	return lfk_ring_spsc_enqueue(r, v);
}
int enqueue(lfk_ring_mpmc *r, uint64_t v)
{
	return lfk_ring_mpmc_enqueue(r, v);
}
int enqueue(lfk_ring_lfmpmc *r, uint64_t v)
{
	return lfk_ring_lfmpmc_enqueue(r, v);
}
int dequeue(lfk_ring_spsc *r, uint64_t *v)
{
	return lfk_ring_spsc_dequeue(r, v);
}
int dequeue(lfk_ring_mpmc *r, uint64_t *v)
{
	return lfk_ring_mpmc_dequeue(r, v);
}
int dequeue(lfk_ring_lfmpmc *r, uint64_t *v)
{
	return lfk_ring_lfmpmc_dequeue(r, v);
}

/* Rings never block: full and empty answer -EAGAIN and the caller chooses
 * how to wait (here, by giving up the CPU; lfk_queue sleeps instead). */
template <typename Ring> void push(Ring *r, uint64_t v)
{
	while (enqueue(r, v) != 0)
		std::this_thread::yield();
}

template <typename Ring> uint64_t pop(Ring *r)
{
	uint64_t v;
	while (dequeue(r, &v) != 0)
		std::this_thread::yield();
	return v;
}

void numbers_source(lfk_ring_spsc *out) /* the spsc ring's one producer */
{
	for (uint64_t i = 1; i <= ITEMS; i++)
		push(out, i);
	push(out, END);
}

void router(lfk_ring_spsc *in, lfk_ring_mpmc *out) /* its one consumer */
{
	for (uint64_t v; (v = pop(in)) != END;)
		push(out, v);
	for (int i = 0; i < SQUARERS; i++)
		push(out, END);
}

void squarer(lfk_ring_mpmc *in, lfk_ring_lfmpmc *out)
{
	for (uint64_t v; (v = pop(in)) != END;)
		push(out, v * v);
	push(out, END);
}

bool rings()
{
	lfk_ring_spsc *s;
	lfk_ring_mpmc *m;
	lfk_ring_lfmpmc *l;
	if (lfk_ring_spsc_create(64, 8, &s) != 0)
		return false;
	owned<lfk_ring_spsc> numbers(s, lfk_ring_spsc_destroy);
	if (lfk_ring_mpmc_create(64, 8, &m) != 0)
		return false;
	owned<lfk_ring_mpmc> work(m, lfk_ring_mpmc_destroy);
	if (lfk_ring_lfmpmc_create(64, 8, &l) != 0)
		return false;
	owned<lfk_ring_lfmpmc> squares(l, lfk_ring_lfmpmc_destroy);

	std::vector<std::thread> threads;
	threads.emplace_back(numbers_source, numbers.get());
	threads.emplace_back(router, numbers.get(), work.get());
	for (int i = 0; i < SQUARERS; i++)
		threads.emplace_back(squarer, work.get(), squares.get());
	uint64_t items = 0, sum = 0;
	for (int ends = 0; ends < SQUARERS;) { /* the collector */
		uint64_t v = pop(squares.get());
		if (v == END) {
			ends++;
			continue;
		}
		items++;
		sum += v;
	}
	for (auto &t : threads)
		t.join();
	bool ok = items == ITEMS && sum == sum_of_squares(ITEMS) &&
		  lfk_ring_spsc_count(numbers.get()) == 0 &&
		  lfk_ring_mpmc_count(work.get()) == 0 &&
		  lfk_ring_lfmpmc_count(squares.get()) == 0;
	return report("rings", ok, items, sum);
}

/* ---- the blocking queue -------------------------------------------------- */

struct order {
	uint64_t producer;
	uint64_t seq; /* 0, 1, ... per producer */
	uint64_t value;
	uint64_t check; /* producer ^ seq ^ value: a torn record fails it */
};

struct consumed {
	uint64_t items = 0, sum = 0;
	bool ok = true;
};

/* Producer p (0 or 1) puts the values p + 1, p + 3, ... up to ITEMS. */
void produce(lfk_queue *q, uint64_t p, bool *ok)
{
	for (uint64_t s = 0; s < ITEMS / 2; s++) {
		uint64_t v = 2 * s + p + 1;
		order o = { p, s, v, p ^ s ^ v };
		if (lfk_queue_put_rec(q, &o, LFK_FOREVER) != 0)
			*ok = false;
	}
}

/* FIFO holds per producer, as each consumer sees it. */
void consume(lfk_queue *q, consumed *c)
{
	uint64_t next[2] = { 0, 0 };
	order o;
	int rc;
	while ((rc = lfk_queue_get_rec(q, &o, LFK_FOREVER)) == 0) {
		if (o.producer > 1 || o.seq < next[o.producer] ||
		    o.check != (o.producer ^ o.seq ^ o.value))
			c->ok = false;
		else
			next[o.producer] = o.seq + 1;
		c->items++;
		c->sum += o.value;
		lfk_queue_task_done(q);
	}
	if (rc != -EPIPE) /* what get says once the queue is closed and empty */
		c->ok = false;
}

bool queue()
{
	lfk_queue *raw;
	if (lfk_queue_create(LFK_RING_LFMPMC, 16, sizeof(order), &raw) != 0)
		return false;
	owned<lfk_queue> q(raw, lfk_queue_destroy);
	consumed c[2];
	std::vector<std::thread> producers, consumers;
	for (int i = 0; i < 2; i++)
		consumers.emplace_back(consume, q.get(), &c[i]);
	bool put_ok[2] = { true, true };
	for (uint64_t p = 0; p < 2; p++)
		producers.emplace_back(produce, q.get(), p, &put_ok[p]);
	for (auto &t : producers)
		t.join();
	/* q.join(): every item got and task_done */
	bool ok = put_ok[0] && put_ok[1] &&
		  lfk_queue_join(q.get(), LFK_FOREVER) == 0;
	lfk_queue_close(q.get());
	for (auto &t : consumers)
		t.join();
	uint64_t items = c[0].items + c[1].items, sum = c[0].sum + c[1].sum;
	ok = ok && c[0].ok && c[1].ok && items == ITEMS &&
	     sum == ITEMS * (ITEMS + 1) / 2;
	return report("queue", ok, items, sum);
}

/* ---- a shared region between two processes ------------------------------ */

const uint64_t REPLY_TIMEOUT_NS = 30000000000ull; /* a lost child: fail */

/* The child: attaches to the region by name, as another program would. */
int child(const char *name)
{
	lfk_shm *raw;
	lfk_queue *work, *replies;
	if (lfk_shm_open(name, &raw) != 0)
		return 2;
	owned<lfk_shm> shm(raw, [](lfk_shm *s) { lfk_shm_close(s); });
	if (lfk_shm_queue_attach(shm.get(), "work", &work) != 0 ||
	    lfk_shm_queue_attach(shm.get(), "replies", &replies) != 0)
		return 3;
	uint64_t items = 0, sum = 0, v;
	int rc;
	while ((rc = lfk_queue_get(work, &v, LFK_FOREVER)) == 0) {
		items++;
		sum += v;
	}
	if (rc != -EPIPE || lfk_queue_put(replies, items, LFK_FOREVER) != 0 ||
	    lfk_queue_put(replies, sum, LFK_FOREVER) != 0)
		return 4;
	return 0;
}

bool region()
{
	char name[64];
	std::snprintf(name, sizeof(name), "/lfkit-cxx-%ld", (long)getpid());
	lfk_shm *raw;
	lfk_queue *work, *replies;
	if (lfk_shm_create(name, 1 << 20, 0600, &raw) != 0)
		return false;
	owned<lfk_shm> shm(raw, [](lfk_shm *s) { lfk_shm_close(s); });
	if (lfk_shm_queue_create(shm.get(), "work", LFK_RING_MPMC, 64, 8,
				 &work) != 0 ||
	    lfk_shm_queue_create(shm.get(), "replies", LFK_RING_SPSC, 2, 8,
				 &replies) != 0) {
		lfk_shm_unlink(name);
		return false;
	}
	std::fflush(stdout); /* the child leaves through _exit */
	pid_t pid = fork();
	if (pid == 0)
		_exit(child(name));
	bool ok = pid > 0;
	for (uint64_t i = 1; ok && i <= ITEMS; i++)
		ok = lfk_queue_put(work, i, LFK_FOREVER) == 0;
	lfk_queue_close(work); /* the child's get drains, then says -EPIPE */
	uint64_t items = 0, sum = 0;
	if (ok)
		ok = lfk_queue_get(replies, &items, REPLY_TIMEOUT_NS) == 0 &&
		     lfk_queue_get(replies, &sum, REPLY_TIMEOUT_NS) == 0;
	int status = 0;
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		ok = false;
	lfk_shm_unlink(name); /* the memory goes with the last mapping */
	ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	     items == ITEMS && sum == ITEMS * (ITEMS + 1) / 2;
	return report("region", ok, items, sum);
}

} // namespace

int main()
{
	bool ok = rings();
	ok = queue() && ok;
	ok = region() && ok;
	return ok ? 0 : 1;
}

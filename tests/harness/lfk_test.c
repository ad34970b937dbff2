/* SPDX-License-Identifier: MIT */
#include "lfk_test.h"

#include "lfk_procs.h"

#include <lfkit/ring.h>

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double env_double(const char *name, double dflt)
{
	const char *s = getenv(name);
	char *end;
	double v;
	if (s == NULL || *s == '\0')
		return dflt;
	v = strtod(s, &end);
	return (*end == '\0' && v > 0) ? v : dflt;
}

double lfk_stress_seconds(void)
{
	return env_double("LFK_STRESS_SECONDS", 1.0);
}

uint64_t lfk_stress_items(void)
{
	return (uint64_t)env_double("LFK_STRESS_ITEMS", 200000.0);
}

uint64_t lfk_test_seed(void)
{
	static uint64_t seed;
	if (seed == 0) {
		const char *s = getenv("LFK_SEED");
		seed = (s && *s) ? strtoull(s, NULL, 0) : lfk_now_ns();
		if (seed == 0)
			seed = 1;
	}
	return seed;
}

/* What the running scenario reported, for its report line. */
static uint64_t scenario_items;
static int scenario_threads;

int lfk_stress_threads(int dflt)
{
	double t = env_double("LFK_STRESS_THREADS", 0);
	int n = t <= 0			      ? dflt
		: t >= LFK_STRESS_MAX_THREADS ? LFK_STRESS_MAX_THREADS
					      : (int)t;
	if (n < 1)
		n = 1;
	if (n > __atomic_load_n(&scenario_threads, __ATOMIC_RELAXED))
		__atomic_store_n(&scenario_threads, n, __ATOMIC_RELAXED);
	return n;
}

void lfk_stress_moved(uint64_t items)
{
	__atomic_fetch_add(&scenario_items, items, __ATOMIC_RELAXED);
}

struct lfk_bound lfk_bound_scaled(uint64_t items_divisor)
{
	struct lfk_bound b;
	uint64_t items =
		lfk_stress_items() / (items_divisor ? items_divisor : 1);
	b.max_items = items ? items : 1;
	b.deadline_ns = lfk_now_ns() + (uint64_t)(lfk_stress_seconds() * 1e9);
	return b;
}

struct lfk_bound lfk_bound_part(uint64_t items_divisor, unsigned parts)
{
	struct lfk_bound b = lfk_bound_scaled(items_divisor);
	b.deadline_ns = lfk_now_ns() + (uint64_t)(lfk_stress_seconds() * 1e9 /
						  (parts ? parts : 1));
	return b;
}

struct lfk_bound lfk_bound_default(void)
{
	return lfk_bound_scaled(1);
}

bool lfk_bound_done(const struct lfk_bound *b, uint64_t done)
{
	/* Counted per call, not per item: a loop that makes slow progress
	 * (oversubscribed, under a sanitizer) still sees its deadline. */
	static _Thread_local unsigned calls;
	if (done >= b->max_items)
		return true;
	return (++calls & 63) == 0 && lfk_now_ns() >= b->deadline_ns;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void lfk_rng_seed(struct lfk_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t lfk_rng_next(struct lfk_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t lfk_rng_below(struct lfk_rng *r, uint64_t n)
{
	return n ? lfk_rng_next(r) % n : 0;
}

static int failures;
static const char *current_scenario = "?";

void lfk_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	/* Report only the first few failures of a scenario in full. */
	int n = __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	if (n >= 10)
		return;
	flockfile(stderr);
	fprintf(stderr, "FAIL %s (%s:%d, LFK_SEED=%llu): ", current_scenario,
		file, line, (unsigned long long)lfk_test_seed());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

int lfk_failures(void)
{
	return __atomic_load_n(&failures, __ATOMIC_RELAXED);
}

int lfk_scenario_run(const char *name, lfk_scenario_fn fn)
{
	int rc;
	current_scenario = name;
	__atomic_store_n(&failures, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&scenario_items, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&scenario_threads, 0, __ATOMIC_RELAXED);
	rc = fn();
	/* A scenario that failed may have left children running. */
	lfk_children_check();
	if (rc != 0 && lfk_failures() == 0)
		lfk_fail_at(__FILE__, __LINE__, "scenario returned %d", rc);
	return lfk_failures();
}

/* The line lfk-stress reads: what the scenario moved and on how many
 * threads, "-" where it did not say. */
static void report_line(const char *module, const char *name)
{
	uint64_t items = __atomic_load_n(&scenario_items, __ATOMIC_RELAXED);
	int threads = __atomic_load_n(&scenario_threads, __ATOMIC_RELAXED);
	char it[24] = "-", th[16] = "-";
	if (items)
		snprintf(it, sizeof(it), "%llu", (unsigned long long)items);
	if (threads)
		snprintf(th, sizeof(th), "%d", threads);
	fprintf(stderr, "[lfk-scenario] %s.%s items=%s threads=%s\n", module,
		name, it, th);
}

/* Whether every name on the command line is a scenario of the table (a
 * mistyped name must not pass as "nothing failed"). */
static bool names_known(const char *module, const struct lfk_scenario *table,
			int argc, char **argv)
{
	bool ok = true;
	for (int i = 1; i < argc; i++) {
		const struct lfk_scenario *s = table;
		while (s->name != NULL && strcmp(s->name, argv[i]) != 0)
			s++;
		if (s->name == NULL) {
			fprintf(stderr,
				"%s: no scenario named '%s' (--list "
				"prints them)\n",
				module, argv[i]);
			ok = false;
		}
	}
	return ok;
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc <= 1)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

/* A scenario that hangs (a lost wake-up, a livelock) must fail, not stall
 * the run: the watchdog kills the scenario's child processes and ends the
 * program with a FAIL line. */
static void watchdog(int sig)
{
	static const char msg[] = "FAIL watchdog: scenario did not finish\n";
	(void)sig;
	lfk_children_kill();
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(2);
}

static unsigned watchdog_seconds(void)
{
	return 120 + (unsigned)(10 * lfk_stress_seconds());
}

int lfk_scenario_main(const char *module, const struct lfk_scenario *table,
		      int argc, char **argv)
{
	int passed = 0, failed = 0;
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (const struct lfk_scenario *s = table; s->name; s++)
			printf("%s\n", s->name);
		return 0;
	}
	if (!names_known(module, table, argc, argv))
		return 2;
	signal(SIGALRM, watchdog);
	fprintf(stderr,
		"%s: LFK_SEED=%llu LFK_STRESS_SECONDS=%g LFK_STRESS_ITEMS=%llu\n",
		module, (unsigned long long)lfk_test_seed(),
		lfk_stress_seconds(), (unsigned long long)lfk_stress_items());
	for (const struct lfk_scenario *s = table; s->name != NULL; s++) {
		uint64_t t0;
		int bad;
		if (!selected(s->name, argc, argv))
			continue;
		t0 = lfk_now_ns();
		alarm(watchdog_seconds());
		bad = lfk_scenario_run(s->name, s->fn);
		alarm(0);
		fprintf(stderr, "%s %s.%s (%.2fs)\n", bad ? "FAIL" : "PASS",
			module, s->name, (double)(lfk_now_ns() - t0) / 1e9);
		report_line(module, s->name);
		if (bad)
			failed++;
		else
			passed++;
	}
	/* The CI script sums these lines over every plain program it runs. */
	fprintf(stderr, "[lfk-scenarios] %s passed=%d failed=%d\n", module,
		passed, failed);
	return failed ? 1 : 0;
}

bool lfk_skip_between_processes(int kind, const char *scenario)
{
#if defined(LFK_TSAN)
	if (kind == LFK_RING_LFMPMC) {
		printf("%s: lfmpmc between processes skipped (ThreadSanitizer "
		       "emulates 16-byte atomics per process)\n",
		       scenario);
		return true;
	}
#else
	(void)scenario;
	(void)kind;
#endif
	return false;
}

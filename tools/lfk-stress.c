/* SPDX-License-Identifier: MIT */
/* lfk-stress: runs lfkit's stress scenarios on this machine and tables the
 * results (see stress.h and the manual page lfk-stress(1)). */
#include "stress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/lfk_test.h"

static int export_u64(const char *name, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return setenv(name, buf, 1);
}

/* The children read their bounds from the environment (lfk_test.h). */
static int export_options(const struct stress_options *o)
{
	int rc = 0;
	if (o->seconds > 0) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%.9g", o->seconds);
		rc |= setenv("LFK_STRESS_SECONDS", buf, 1);
	}
	if (o->items > 0)
		rc |= export_u64("LFK_STRESS_ITEMS", o->items);
	if (o->threads > 0)
		rc |= export_u64("LFK_STRESS_THREADS", (uint64_t)o->threads);
	if (o->seed > 0)
		rc |= export_u64("LFK_SEED", o->seed);
	/* Without --seed: one seed from the clock (or LFK_SEED), then the
	 * same for every scenario, so that the printed seed repeats them. */
	rc |= export_u64("LFK_SEED", lfk_test_seed());
	return rc ? -errno : 0;
}

static void print_list(const struct stress_pick *p, long n)
{
	for (long i = 0; i < n; i++)
		printf("%s.%s\n", p[i].mod->name, p[i].scenario);
}

/* The harness's own time bound, plus a margin: this only ends a scenario
 * whose watchdog could not. */
static double scenario_timeout(void)
{
	return 180 + 12 * lfk_stress_seconds();
}

static int run_one(const struct stress_pick *p, size_t i, size_t n,
		   bool verbose, struct stress_result *r)
{
	char *argv[] = { p->mod->program, (char *)p->scenario, NULL };
	struct stress_child c;
	int rc;
	fprintf(stderr, "[%zu/%zu] %s.%s ...", i + 1, n, p->mod->name,
		p->scenario);
	rc = stress_child_run(argv, scenario_timeout(), &c);
	if (rc != 0) {
		fprintf(stderr, " cannot start: %s\n", strerror(-rc));
		return rc;
	}
	stress_result_from_child(r, p, &c);
	fprintf(stderr, " %s (%.2fs)\n", r->verdict, r->seconds);
	if (verbose || !r->ok)
		fprintf(stderr, "%s%s", c.out,
			c.out_len && c.out[c.out_len - 1] != '\n' ? "\n" : "");
	stress_child_free(&c);
	return 0;
}

static int run_all(const struct stress_options *o, struct stress_pick *picks,
		   size_t n)
{
	struct stress_result *res = calloc(n ? n : 1, sizeof(*res));
	size_t done = 0, failed;
	if (res == NULL)
		return 1;
	fprintf(stderr,
		"lfk-stress %s: seed %llu (--seed repeats it), "
		"--seconds %g --items %llu --threads %s, %zu scenarios\n",
		PACKAGE_VERSION, (unsigned long long)lfk_test_seed(),
		lfk_stress_seconds(), (unsigned long long)lfk_stress_items(),
		getenv("LFK_STRESS_THREADS") ? getenv("LFK_STRESS_THREADS")
					     : "(each scenario's own)",
		n);
	for (; done < n && !stress_interrupted(); done++)
		if (run_one(&picks[done], done, n, o->verbose, &res[done]) != 0)
			break;
	failed = stress_report_table(res, done, lfk_test_seed());
	free(res);
	if (stress_interrupted()) {
		printf("lfk-stress: interrupted after %zu of %zu scenarios\n",
		       done, n);
		return 130;
	}
	return failed || done < n ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct stress_options o;
	struct stress_catalog cat;
	struct stress_pick *picks = NULL;
	long n;
	int rc = stress_parse_options(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (export_options(&o) != 0 || stress_child_setup() != 0) {
		perror("lfk-stress: setting up");
		return 1;
	}
	if (stress_catalog_load(&cat) != 0)
		return 1;
	n = stress_catalog_select(&cat, o.only, &picks);
	if (n < 0) {
		stress_catalog_free(&cat);
		return n == -EINVAL ? 2 : 1;
	}
	if (o.list)
		print_list(picks, n);
	rc = o.list ? 0 : run_all(&o, picks, (size_t)n);
	free(picks);
	stress_catalog_free(&cat);
	return rc;
}

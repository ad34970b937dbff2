#include "bench_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed_rows;
static bool header_printed;

int lfb_failed_rows(void)
{
	return failed_rows;
}

int lfb_parse_opts(struct lfb_opts *o, int argc, char **argv)
{
	o->csv = false;
	o->runs = 5;
	o->scale = 1.0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--csv") == 0) {
			o->csv = true;
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			o->runs = atoi(argv[++i]);
			if (o->runs < 5) {
				fprintf(stderr, "lfbench: --runs must be >= 5\n");
				return -1;
			}
		} else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
			o->scale = strtod(argv[++i], NULL);
			if (!(o->scale > 0)) {
				fprintf(stderr, "lfbench: --scale must be > 0\n");
				return -1;
			}
		} else {
			fprintf(stderr, "lfbench: unknown option %s\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void print_header(const struct lfb_opts *o)
{
	if (header_printed)
		return;
	header_printed = true;
	if (o->csv)
		printf("bench,impl,producers,consumers,ops_per_run,runs,"
		       "mops_median,mops_min,mops_max,verified\n");
	else
		printf("%-24s %-22s %3s %3s %11s %4s %10s %10s %10s %9s %4s\n",
		       "bench", "impl", "p", "c", "ops/run", "runs",
		       "Mops/s med", "min", "max", "ns/op med", "ok");
}

struct lfb_row lfb_measure(const struct lfb_opts *o, const struct lfb_case *c)
{
	struct lfb_row row;
	bool verified = true;
	uint64_t ops = (uint64_t)((double)c->ops * o->scale);
	double *mops = calloc((size_t)o->runs, sizeof(*mops));
	uint64_t *done = calloc((size_t)o->runs, sizeof(*done));
	uint64_t ns;

	if (ops < 1)
		ops = 1;
	if (mops == NULL || done == NULL) {
		free(mops);
		free(done);
		row = (struct lfb_row){ 0, 0, 0, false };
		failed_rows++;
		return row;
	}
	/* Warm-up: caches, page faults, the CPU's frequency.  Verified too. */
	if (!c->run(c->ctx, ops, &ns))
		verified = false;
	for (int r = 0; r < o->runs; r++) {
		if (!c->run(c->ctx, ops, &ns))
			verified = false;
		done[r] = c->ops_done ? c->ops_done(c->ctx) : ops;
		mops[r] = (double)done[r] / ((double)(ns ? ns : 1) / 1e9) / 1e6;
	}
	/* A run cut short by its time budget moved fewer items than asked:
	 * report the median of what the runs really moved. */
	qsort(done, (size_t)o->runs, sizeof(*done), cmp_u64);
	ops = done[o->runs / 2];
	free(done);
	row = lfb_report(o, c, ops, mops, o->runs, verified);
	free(mops);
	return row;
}

struct lfb_row lfb_report(const struct lfb_opts *o, const struct lfb_case *c,
			  uint64_t ops, double *mops, int n, bool verified)
{
	struct lfb_row row = { 0, 0, 0, verified && n > 0 };
	if (n > 0) {
		qsort(mops, (size_t)n, sizeof(*mops), cmp_double);
		row.mops_min = mops[0];
		row.mops_max = mops[n - 1];
		row.mops_median = n % 2 ? mops[n / 2]
				       : (mops[n / 2 - 1] + mops[n / 2]) / 2;
	}
	if (!row.verified)
		failed_rows++;

	print_header(o);
	if (o->csv)
		printf("%s,%s,%d,%d,%llu,%d,%.3f,%.3f,%.3f,%s\n", c->bench,
		       c->impl, c->producers, c->consumers,
		       (unsigned long long)ops, n, row.mops_median,
		       row.mops_min, row.mops_max, row.verified ? "yes" : "no");
	else
		printf("%-24s %-22s %3d %3d %11llu %4d %10.2f %10.2f %10.2f %9.2f %4s\n",
		       c->bench, c->impl, c->producers, c->consumers,
		       (unsigned long long)ops, n, row.mops_median,
		       row.mops_min, row.mops_max,
		       row.mops_median > 0 ? 1e3 / row.mops_median : 0.0,
		       row.verified ? "yes" : "NO");
	fflush(stdout);
	return row;
}

bool lfb_selected(const char *var, const char *name)
{
	const char *list = getenv(var), *p;
	size_t n = strlen(name);
	if (list == NULL || *list == '\0')
		return true;
	for (p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* SPDX-License-Identifier: MIT */
#include "bench_harness.h"

#include <stdlib.h>
#include <string.h>

static int failed_rows;
static bool header_printed;

int lfb_failed_rows(void)
{
	return failed_rows;
}

static const char ratios_header[] =
	"bench,producers,consumers,impl,baseline,runs,ratio_median,"
	"ratio_min,ratio_max\n";

int lfb_parse_opts(struct lfb_opts *o, int argc, char **argv)
{
	*o = (struct lfb_opts){ .pin = true, .runs = 5, .scale = 1.0 };
	for (int i = 0; i < argc; i++) {
		bool more = i + 1 < argc;
		if (strcmp(argv[i], "--csv") == 0) {
			o->csv = true;
		} else if (strcmp(argv[i], "--no-pin") == 0) {
			o->pin = false;
		} else if (strcmp(argv[i], "--runs") == 0 && more) {
			o->runs = atoi(argv[++i]);
			if (o->runs < 5) {
				fprintf(stderr,
					"lfbench: --runs must be >= 5\n");
				return -1;
			}
		} else if (strcmp(argv[i], "--scale") == 0 && more) {
			o->scale = strtod(argv[++i], NULL);
			if (!(o->scale > 0)) {
				fprintf(stderr,
					"lfbench: --scale must be > 0\n");
				return -1;
			}
		} else if (strcmp(argv[i], "--baseline") == 0 && more) {
			o->baseline = argv[++i];
		} else if (strcmp(argv[i], "--ratios") == 0 && more &&
			   o->ratios == NULL) {
			o->ratios = fopen(argv[++i], "w");
			if (o->ratios == NULL) {
				perror(argv[i]);
				return -1;
			}
			fputs(ratios_header, o->ratios);
		} else {
			fprintf(stderr, "lfbench: unknown option %s\n",
				argv[i]);
			return -1;
		}
	}
	return 0;
}

void lfb_close_opts(struct lfb_opts *o)
{
	if (o->ratios != NULL && fclose(o->ratios) != 0)
		perror("lfbench: --ratios");
	o->ratios = NULL;
}

bool lfb_is_lfkit(const char *impl)
{
	return strncmp(impl, "lfk_", 4) == 0 || strcmp(impl, "arch") == 0;
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

struct spread {
	double median, min, max;
	int n;
};

/* Median, min and max of v[0..n-1] (sorted in place); n 0: all zero. */
static struct spread spread_of(double *v, int n)
{
	struct spread s = { 0, 0, 0, n };
	if (n == 0)
		return s;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

/* The paired ratio a/b over the rounds both have a rate in (a round whose
 * baseline rate is 0 has no ratio).  tmp holds `rounds` doubles. */
static struct spread paired_ratio(const double *a, const double *b, int rounds,
				  double *tmp)
{
	int n = 0;
	for (int r = 0; r < rounds; r++)
		if (b[r] > 0)
			tmp[n++] = a[r] / b[r];
	return spread_of(tmp, n);
}

static void print_header(const struct lfb_opts *o)
{
	if (header_printed)
		return;
	header_printed = true;
	if (o->csv)
		printf("bench,impl,producers,consumers,ops_per_run,runs,"
		       "mops_median,mops_min,mops_max,verified%s\n",
		       o->baseline
			       ? ",baseline,ratio_median,ratio_min,ratio_max"
			       : "");
	else
		printf("%-24s %-22s %3s %3s %11s %4s %10s %10s %10s %9s %4s%s\n",
		       "bench", "impl", "p", "c", "ops/run", "runs",
		       "Mops/s med", "min", "max", "ns/op med", "ok",
		       o->baseline ? "  ratio to baseline: med (min-max)" : "");
}

static void print_row(const struct lfb_opts *o, const struct lfb_case *c,
		      uint64_t ops, const struct spread *m, bool verified,
		      const char *base, const struct spread *ratio)
{
	if (o->csv) {
		printf("%s,%s,%d,%d,%llu,%d,%.3f,%.3f,%.3f,%s", c->bench,
		       c->impl, c->producers, c->consumers,
		       (unsigned long long)ops, m->n, m->median, m->min, m->max,
		       verified ? "yes" : "no");
		if (o->baseline && ratio)
			printf(",%s,%.3f,%.3f,%.3f", base, ratio->median,
			       ratio->min, ratio->max);
		else if (o->baseline)
			printf(",,,,");
		putchar('\n');
	} else {
		printf("%-24s %-22s %3d %3d %11llu %4d %10.2f %10.2f %10.2f %9.2f %4s",
		       c->bench, c->impl, c->producers, c->consumers,
		       (unsigned long long)ops, m->n, m->median, m->min, m->max,
		       m->median > 0 ? 1e3 / m->median : 0.0,
		       verified ? "yes" : "NO");
		if (ratio)
			printf("  %.2fx (%.2f-%.2f) vs %s", ratio->median,
			       ratio->min, ratio->max, base);
		putchar('\n');
	}
}

/* The --ratios lines of a case: every lfkit implementation against every
 * other (the twin and the peers). */
static void write_ratios(const struct lfb_opts *o, const struct lfb_case *c,
			 int n, const struct lfb_series *s, int rounds,
			 double *tmp)
{
	for (int i = 0; i < n; i++) {
		if (!lfb_is_lfkit(c[i].impl))
			continue;
		for (int j = 0; j < n; j++) {
			struct spread r;
			if (lfb_is_lfkit(c[j].impl))
				continue;
			r = paired_ratio(s[i].mops, s[j].mops, rounds, tmp);
			fprintf(o->ratios, "%s,%d,%d,%s,%s,%d,%.4f,%.4f,%.4f\n",
				c[i].bench, c[i].producers, c[i].consumers,
				c[i].impl, c[j].impl, r.n, r.median, r.min,
				r.max);
		}
	}
	fflush(o->ratios);
}

void lfb_report_cases(const struct lfb_opts *o, const struct lfb_case *c, int n,
		      const struct lfb_series *s, int rounds)
{
	double *tmp = calloc((size_t)rounds + 1, sizeof(*tmp));
	int base = -1;
	if (tmp == NULL)
		abort();
	for (int i = 0; o->baseline && i < n; i++)
		if (strcmp(c[i].impl, o->baseline) == 0)
			base = i;
	print_header(o);
	for (int i = 0; i < n; i++) {
		struct spread m, ratio;
		bool verified = s[i].verified && rounds > 0;
		if (base >= 0)
			ratio = paired_ratio(s[i].mops, s[base].mops, rounds,
					     tmp);
		memcpy(tmp, s[i].mops, (size_t)rounds * sizeof(*tmp));
		m = spread_of(tmp, rounds);
		if (!verified)
			failed_rows++;
		print_row(o, &c[i], s[i].ops, &m, verified,
			  base >= 0 ? c[base].impl : NULL,
			  base >= 0 ? &ratio : NULL);
	}
	if (o->ratios)
		write_ratios(o, c, n, s, rounds, tmp);
	fflush(stdout);
	free(tmp);
}

/* One run of case c: its rate in Mops/s, the operations it did. */
static bool run_once(const struct lfb_case *c, uint64_t ops, double *mops,
		     uint64_t *done)
{
	uint64_t ns = 0;
	bool ok = c->run(c->ctx, ops, &ns);
	*done = c->ops_done ? c->ops_done(c->ctx) : ops;
	*mops = (double)*done / ((double)(ns ? ns : 1) / 1e9) / 1e6;
	return ok;
}

void lfb_measure_cases(const struct lfb_opts *o, const struct lfb_case *c,
		       int n, struct lfb_row *rows)
{
	const int rounds = o->runs;
	struct lfb_series *s = calloc((size_t)n, sizeof(*s));
	double *mops = calloc((size_t)(n * rounds), sizeof(*mops));
	uint64_t *done = calloc((size_t)(n * rounds), sizeof(*done));
	uint64_t *ops = calloc((size_t)n, sizeof(*ops));
	double warm;
	uint64_t warm_done;
	if (s == NULL || mops == NULL || done == NULL || ops == NULL)
		abort(); /* a broken machine, not a result */
	for (int i = 0; i < n; i++) {
		ops[i] = (uint64_t)((double)c[i].ops * o->scale);
		if (ops[i] < 1)
			ops[i] = 1;
		s[i].mops = &mops[i * rounds];
		/* Warm-up: caches, page faults, the CPU's frequency.  It
		 * must verify too. */
		s[i].verified = run_once(&c[i], ops[i], &warm, &warm_done);
	}
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			if (!run_once(&c[i], ops[i], &mops[i * rounds + r],
				      &done[i * rounds + r]))
				s[i].verified = false;
	/* A run cut short by its time budget moved fewer items than asked:
	 * report the median of what the runs really moved. */
	for (int i = 0; i < n; i++) {
		qsort(&done[i * rounds], (size_t)rounds, sizeof(*done),
		      cmp_u64);
		s[i].ops = done[i * rounds + rounds / 2];
	}
	lfb_report_cases(o, c, n, s, rounds);
	for (int i = 0; rows && i < n; i++) {
		struct spread m = spread_of(&mops[i * rounds], rounds);
		rows[i] = (struct lfb_row){ m.median, m.min, m.max,
					    s[i].verified };
	}
	free(s);
	free(mops);
	free(done);
	free(ops);
}

bool lfb_selected(const char *var, const char *name)
{
	const char *list = getenv(var), *p;
	size_t n = strlen(name);
	if (list == NULL || *list == '\0')
		return true;
	for (p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') &&
		    (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

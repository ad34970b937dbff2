/* SPDX-License-Identifier: MIT */
/* Verdicts of finished scenarios and the closing table. */
#include "stress.h"

#include <stdio.h>
#include <string.h>

/* Copies the value of `key` ("items=") from the scenario's report line,
 * "[lfk-scenario] <module>.<name> items=N threads=T". */
static void report_field(const char *out, const struct stress_pick *pick,
			 const char *key, char *dst, size_t cap)
{
	char head[256];
	const char *line, *v;
	size_t len;
	snprintf(head, sizeof(head), "[lfk-scenario] %s.%s ", pick->mod->name,
		 pick->scenario);
	snprintf(dst, cap, "-");
	line = strstr(out, head);
	if (line == NULL)
		return;
	len = strcspn(line, "\n");
	for (v = line; (v = strstr(v, key)) != NULL && v < line + len; v++)
		if (v[-1] == ' ') {
			v += strlen(key);
			snprintf(dst, cap, "%.*s", (int)strcspn(v, " \n"), v);
			return;
		}
}

void stress_result_from_child(struct stress_result *r,
			      const struct stress_pick *pick,
			      const struct stress_child *c)
{
	memset(r, 0, sizeof(*r));
	r->pick = pick;
	r->seconds = c->seconds;
	report_field(c->out, pick, "items=", r->items, sizeof(r->items));
	report_field(c->out, pick, "threads=", r->threads, sizeof(r->threads));
	if (c->interrupted)
		snprintf(r->verdict, sizeof(r->verdict), "INTERRUPTED");
	else if (c->timed_out)
		snprintf(r->verdict, sizeof(r->verdict), "TIMEOUT");
	else if (c->signal)
		snprintf(r->verdict, sizeof(r->verdict), "CRASH (signal %d)",
			 c->signal);
	else if (c->exit_code != 0)
		snprintf(r->verdict, sizeof(r->verdict), "FAIL (exit %d)",
			 c->exit_code);
	else if (c->leftovers)
		/* Passed its checks, but a scenario must leave no process. */
		snprintf(r->verdict, sizeof(r->verdict),
			 "FAIL (left %d process%s)", c->leftovers,
			 c->leftovers == 1 ? "" : "es");
	else {
		snprintf(r->verdict, sizeof(r->verdict), "PASS");
		r->ok = true;
	}
}

size_t stress_report_table(const struct stress_result *r, size_t n,
			   uint64_t seed)
{
	size_t failed = 0, wmod = 6, wscn = 8;
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(r[i].pick->mod->name),
		       b = strlen(r[i].pick->scenario);
		wmod = a > wmod ? a : wmod;
		wscn = b > wscn ? b : wscn;
	}
	printf("\n%-*s  %-*s  %12s  %7s  %8s  %s\n", (int)wmod, "module",
	       (int)wscn, "scenario", "items", "threads", "seconds", "result");
	for (size_t i = 0; i < n; i++) {
		printf("%-*s  %-*s  %12s  %7s  %8.2f  %s\n", (int)wmod,
		       r[i].pick->mod->name, (int)wscn, r[i].pick->scenario,
		       r[i].items, r[i].threads, r[i].seconds, r[i].verdict);
		failed += !r[i].ok;
		total += r[i].seconds;
	}
	printf("\nlfk-stress: %zu scenarios, %zu passed, %zu failed, %.1f s "
	       "(seed %llu)\n",
	       n, n - failed, failed, total, (unsigned long long)seed);
	return failed;
}

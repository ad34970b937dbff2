/* SPDX-License-Identifier: MIT */
/* The modules and scenarios lfk-stress can run: every stress_<module>
 * program in the libexec directory, each asked for its list (--list), so
 * that a scenario added to a module's X-macro list, or a new module's
 * program, shows up here without a change to lfk-stress. */
#include "stress.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROGRAM_PREFIX "stress_"

static const char *programs_dir(void)
{
	const char *d = getenv("LFK_STRESS_LIBEXEC");
	return d && *d ? d : LFK_STRESS_LIBEXEC_DIR;
}

static int by_name(const void *a, const void *b)
{
	const struct stress_module *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* Splits the program's --list output into scenario names. */
static int read_list(struct stress_module *m)
{
	char *argv[] = { m->program, "--list", NULL };
	struct stress_child c;
	char *save = NULL, *line;
	int rc = stress_child_run(argv, 60, &c);
	if (rc != 0)
		return rc;
	if (c.exit_code != 0 || c.leftovers) {
		fprintf(stderr, "lfk-stress: %s --list failed:\n%s", m->program,
			c.out);
		stress_child_free(&c);
		return -EIO;
	}
	for (line = strtok_r(c.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char **s = realloc(m->scenarios, (m->n + 1) * sizeof(*s));
		if (s == NULL || (s[m->n] = strdup(line)) == NULL) {
			if (s)
				m->scenarios = s;
			stress_child_free(&c);
			return -ENOMEM;
		}
		m->scenarios = s;
		m->n++;
	}
	stress_child_free(&c);
	return 0;
}

/* Adds the module of program file `file` in dir. */
static int add_module(struct stress_catalog *cat, const char *dir,
		      const char *file)
{
	struct stress_module *mods, *m;
	struct stat st;
	size_t len = strlen(dir) + strlen(file) + 2;
	char *path = malloc(len);
	if (path == NULL)
		return -ENOMEM;
	snprintf(path, len, "%s/%s", dir, file);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    access(path, X_OK) != 0) {
		free(path);
		return 0; /* not a program: a stray file, skip it */
	}
	mods = realloc(cat->mods, (cat->n + 1) * sizeof(*mods));
	if (mods == NULL) {
		free(path);
		return -ENOMEM;
	}
	cat->mods = mods;
	m = &mods[cat->n];
	memset(m, 0, sizeof(*m));
	m->program = path;
	m->name = strdup(file + strlen(PROGRAM_PREFIX));
	cat->n++;
	return m->name ? read_list(m) : -ENOMEM;
}

int stress_catalog_load(struct stress_catalog *cat)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;
	memset(cat, 0, sizeof(*cat));
	cat->dir = programs_dir();
	d = opendir(cat->dir);
	if (d == NULL) {
		rc = -errno;
		fprintf(stderr,
			"lfk-stress: cannot read %s: %s (set "
			"LFK_STRESS_LIBEXEC to the directory of the "
			"stress_<module> programs)\n",
			cat->dir, strerror(errno));
		return rc;
	}
	while (rc == 0 && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, PROGRAM_PREFIX,
			    strlen(PROGRAM_PREFIX)) == 0 &&
		    e->d_name[strlen(PROGRAM_PREFIX)] != '\0')
			rc = add_module(cat, cat->dir, e->d_name);
	closedir(d);
	if (rc == 0 && cat->n == 0) {
		fprintf(stderr,
			"lfk-stress: no stress_<module> programs in %s "
			"(set LFK_STRESS_LIBEXEC)\n",
			cat->dir);
		rc = -ENOENT;
	}
	if (rc != 0) {
		stress_catalog_free(cat);
		return rc;
	}
	qsort(cat->mods, cat->n, sizeof(cat->mods[0]), by_name);
	return 0;
}

void stress_catalog_free(struct stress_catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++) {
		for (size_t j = 0; j < cat->mods[i].n; j++)
			free(cat->mods[i].scenarios[j]);
		free(cat->mods[i].scenarios);
		free(cat->mods[i].name);
		free(cat->mods[i].program);
	}
	free(cat->mods);
	cat->mods = NULL;
	cat->n = 0;
}

/* Whether scenario j of module m is named by the --only entry e ("module"
 * or "module.scenario"). */
static bool entry_names(const char *e, size_t elen,
			const struct stress_module *m, size_t j)
{
	size_t mlen = strlen(m->name);
	if (elen < mlen || strncmp(e, m->name, mlen) != 0)
		return false;
	if (elen == mlen)
		return true;
	return e[mlen] == '.' && strlen(m->scenarios[j]) == elen - mlen - 1 &&
	       strncmp(e + mlen + 1, m->scenarios[j], elen - mlen - 1) == 0;
}

/* Whether scenario j of module m is picked by the --only list. */
static bool picked(const char *only, const struct stress_module *m, size_t j)
{
	const char *e = only;
	if (only == NULL)
		return true;
	while (*e) {
		size_t len = strcspn(e, ",");
		if (entry_names(e, len, m, j))
			return true;
		e += len + (e[len] == ',');
	}
	return false;
}

/* Prints an error for each --only entry that names nothing. */
static bool only_known(const struct stress_catalog *cat, const char *only)
{
	bool ok = true;
	for (const char *e = only; *e;) {
		size_t len = strcspn(e, ","), hits = 0;
		for (size_t i = 0; i < cat->n; i++)
			for (size_t j = 0; j < cat->mods[i].n; j++)
				hits += entry_names(e, len, &cat->mods[i], j);
		if (hits == 0) {
			fprintf(stderr,
				"lfk-stress: --only: no module or "
				"scenario named '%.*s' (modules:",
				(int)len, e);
			for (size_t i = 0; i < cat->n; i++)
				fprintf(stderr, " %s", cat->mods[i].name);
			fprintf(stderr, "; --list shows the scenarios)\n");
			ok = false;
		}
		e += len + (e[len] == ',');
	}
	return ok;
}

long stress_catalog_select(const struct stress_catalog *cat, const char *only,
			   struct stress_pick **out)
{
	size_t n = 0, total = 0;
	struct stress_pick *p;
	if (only != NULL && !only_known(cat, only))
		return -EINVAL;
	for (size_t i = 0; i < cat->n; i++)
		total += cat->mods[i].n;
	p = calloc(total ? total : 1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cat->n; i++)
		for (size_t j = 0; j < cat->mods[i].n; j++)
			if (picked(only, &cat->mods[i], j)) {
				p[n].mod = &cat->mods[i];
				p[n].scenario = cat->mods[i].scenarios[j];
				n++;
			}
	*out = p;
	return (long)n;
}

/* SPDX-License-Identifier: MIT */
/*
 * The plain driver of a fuzz target: feeds every file of the corpus
 * directories named on the command line (or of the target's corpus in the
 * source tree, LFK_FUZZ_CORPUS, when none is named) to
 * LLVMFuzzerTestOneInput, once each, in name order.  It needs no libFuzzer,
 * so make check replays the corpus in every build - sanitizers, qemu
 * included.  A crash, or a target's own check (it traps), is the failure;
 * the closing line is in the harness's format, the replay one test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a whole file; NULL if it cannot. */
static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long len;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)len + 1)) != NULL &&
	    fread(data, 1, (size_t)len, f) != (size_t)len) {
		free(data);
		data = NULL;
	}
	*size = data ? (size_t)len : 0;
	fclose(f);
	return data;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Replays one directory: the number of inputs, or -1 if unreadable. */
static long replay(const char *dir)
{
	struct dirent **names;
	long done = 0;
	int n = scandir(dir, &names, NULL, by_name);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char path[4096];
		size_t size;
		uint8_t *data;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		data = names[i]->d_name[0] == '.' ? NULL : slurp(path, &size);
		if (data != NULL) {
			LLVMFuzzerTestOneInput(data, size);
			free(data);
			done++;
		}
		free(names[i]);
	}
	free(names);
	return done;
}

int main(int argc, char **argv)
{
	static char *fallback[] = { NULL, LFK_FUZZ_CORPUS };
	long total = 0;
	if (argc < 2) {
		argv = fallback;
		argc = 2;
	}
	for (int i = 1; i < argc; i++) {
		long n = replay(argv[i]);
		if (n <= 0) {
			fprintf(stderr, "fuzz replay: no inputs in %s\n",
				argv[i]);
			printf("[lfk-scenarios] fuzz replay of %s passed=0 failed=1\n",
			       argv[i]);
			return 1;
		}
		total += n;
	}
	/* One test: the corpus replayed without a crash. */
	printf("[lfk-scenarios] fuzz replay of %ld inputs passed=1 failed=0\n",
	       total);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Looks up names in a shared library the way a caller from another
 * language does (dlopen, dlsym): reads "NAME ..." lines on stdin, prints
 * each name the library does not define, and exits 1 if there was one.
 * Usage: dlsym_names LIBRARY.so < names
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char line[512];
	unsigned found = 0, missing = 0;
	void *lib;

	if (argc != 2) {
		fprintf(stderr, "usage: %s LIBRARY.so < names\n", argv[0]);
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *name = strtok(line, " \t\n");

		if (name == NULL)
			continue;
		if (dlsym(lib, name) != NULL) {
			found++;
		} else {
			printf("no symbol: %s\n", name);
			missing++;
		}
	}
	printf("%u names resolved, %u missing\n", found, missing);
	dlclose(lib);
	return missing ? 1 : 0;
}

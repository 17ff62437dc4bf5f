/* Helpers shared by the unit tests (include after cmocka.h). */
#ifndef REVPACK_TESTS_UNIT_UTIL_H
#define REVPACK_TESTS_UNIT_UTIL_H

#include <dirent.h>

/* How many descriptors the process has open (a leak shows as one more). */
static inline int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#endif

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/* Command-line parsing shared by the applications (see app_opts.h). */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "app_opts.h"

int
app_getopt(int argc, char **argv, const struct option *opts, bool quiet,
	   app_opt_fn fn, void *ctx)
{
	int idx = -1;
	int c;

	opterr = !quiet;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		int rc = fn(ctx, c, idx >= 0 ? opts[idx].name : NULL, optarg);

		if (rc != 0)
			return rc;
		idx = -1;
	}
	return 0;
}

int
app_parse_uint(const char *s, unsigned int min, unsigned int max,
	       unsigned int *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef APP_OPTS_H
#define APP_OPTS_H

/*
 * Command-line parsing shared by the applications (app/vftoken, which does
 * not link DPDK, and app/sriov-fwd, which does): this file is compiled into
 * each of them. Each application keeps its own messages; what they share is
 * the getopt_long() loop and the parsing of values.
 */

#include <stdbool.h>

struct option;

/**
 * One option seen by app_getopt(). @p c is the option's val ('?' or ':'
 * for one getopt_long() refused), @p name its long name (NULL when given
 * in short form or refused), @p arg its value or NULL.
 * @return 0 to go on, anything else to stop parsing with that value.
 */
typedef int (*app_opt_fn)(void *ctx, int c, const char *name, char *arg);

/**
 * Run getopt_long() over @p argv from argv[1] with the long options
 * @p opts and the short option -h, handing every option to @p fn.
 * getopt_long() prints its own message for a refused option unless
 * @p quiet. On return optind is on the first operand.
 * @return 0 at the end of the options, or the first non-zero @p fn
 * returned.
 */
int app_getopt(int argc, char **argv, const struct option *opts, bool quiet,
	       app_opt_fn fn, void *ctx);

/**
 * Parse @p s as a decimal number in [@p min, @p max] (digits only: no
 * sign, no space). @return 0 with *@p out set, or -EINVAL; the caller
 * says what was expected.
 */
int app_parse_uint(const char *s, unsigned int min, unsigned int max,
		   unsigned int *out);

#endif /* APP_OPTS_H */

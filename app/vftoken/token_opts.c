/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Token sources on the command line: --token-file F, --token-env VAR and the
 * discouraged --token UUID (and the same with a "current-" prefix). A token
 * given as an argument is readable by every local user through
 * /proc/PID/cmdline, so its bytes are wiped in place as early as possible and
 * the program works on a private copy.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vftoken_cli.h"

/* Options whose value is a token: wiped in argv. */
static const char *const tok_secret_opts[] = { "--token", "--current-token" };

#define TOK_MAX_COPIES 8

static char *tok_copies[TOK_MAX_COPIES];
static unsigned int tok_n_copies;
static bool tok_warned;

static void
tok_warn_cmdline(void)
{
	if (tok_warned)
		return;
	tok_warned = true;
	cli_warn("a token given with --token is visible to other users "
		 "(ps, /proc/PID/cmdline) until vftoken wipes it; prefer "
		 "--token-file (mode 0600) or --token-env");
}

/* @return true if @p p points into one of the private copies. */
static bool
tok_is_copy(const char *p)
{
	unsigned int i;

	for (i = 0; i < tok_n_copies; i++)
		if (p >= tok_copies[i] &&
		    p <= tok_copies[i] + strlen(tok_copies[i]))
			return true;
	return false;
}

/*
 * Copy @p head followed by @p value into private memory, wipe @p value in
 * place, remember the copy for tok_scrub_release(). @return the copy or NULL.
 */
static char *
tok_take(const char *head, char *value)
{
	size_t hlen = strlen(head);
	size_t len = strlen(value);
	char *copy;

	if (tok_n_copies == TOK_MAX_COPIES)
		return NULL;
	copy = malloc(hlen + len + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, head, hlen);
	memcpy(copy + hlen, value, len + 1);
	vft_wipe(value, len);
	tok_copies[tok_n_copies++] = copy;
	tok_warn_cmdline();
	return copy;
}

/*
 * "--token V": point argv[i + 1] at a copy of V. "--token=V": point argv[i]
 * at a copy of the whole "--token=V". Either way V is wiped in place.
 */
static void
tok_scrub_one(int argc, char **argv, int i, const char *opt)
{
	size_t olen = strlen(opt);
	char *copy;

	if (strcmp(argv[i], opt) == 0 && i + 1 < argc) {
		copy = tok_take("", argv[i + 1]);
		if (copy != NULL)
			argv[i + 1] = copy;
	} else if (strncmp(argv[i], opt, olen) == 0 && argv[i][olen] == '=') {
		char head[32];

		snprintf(head, sizeof(head), "%s=", opt);
		copy = tok_take(head, argv[i] + olen + 1);
		if (copy != NULL)
			argv[i] = copy;
	}
}

void
tok_scrub_argv(int argc, char **argv)
{
	size_t k;
	int i;

	for (i = 1; i < argc; i++)
		for (k = 0;
		     k < sizeof(tok_secret_opts) / sizeof(tok_secret_opts[0]);
		     k++)
			tok_scrub_one(argc, argv, i, tok_secret_opts[k]);
}

void
tok_scrub_release(void)
{
	unsigned int i;

	for (i = 0; i < tok_n_copies; i++) {
		vft_wipe(tok_copies[i], strlen(tok_copies[i]));
		free(tok_copies[i]);
		tok_copies[i] = NULL;
	}
	tok_n_copies = 0;
}

void
tok_src_init(struct tok_src *src, const char *prefix)
{
	memset(src, 0, sizeof(*src));
	src->prefix = prefix;
}

static int
tok_twice(const struct tok_src *src, const char *kind)
{
	cli_error("--%s%s given twice", src->prefix, kind);
	return CLI_EXIT_USAGE;
}

int
tok_src_set(struct tok_src *src, const char *name, char *value)
{
	const char *kind = name + strlen(src->prefix);

	if (strcmp(kind, "token-file") == 0) {
		if (src->file != NULL)
			return tok_twice(src, kind);
		src->file = value;
	} else if (strcmp(kind, "token-env") == 0) {
		if (src->env != NULL)
			return tok_twice(src, kind);
		src->env = value;
	} else {
		if (src->literal != NULL)
			return tok_twice(src, kind);
		/* reached through a form tok_scrub_argv() did not catch */
		if (!tok_is_copy(value))
			value = tok_take("", value);
		if (value == NULL) {
			cli_error("out of memory");
			return CLI_EXIT_FAILURE;
		}
		src->literal = value;
	}
	src->n++;
	return 0;
}

int
tok_src_check(const struct tok_src *src)
{
	if (src->n <= 1)
		return 0;
	cli_error("give only one of --%stoken-file, --%stoken-env and "
		  "--%stoken",
		  src->prefix, src->prefix, src->prefix);
	return CLI_EXIT_USAGE;
}

bool
tok_src_given(const struct tok_src *src)
{
	return src->n > 0;
}

int
tok_src_load(const struct tok_src *src, struct vft_token *t)
{
	struct vft_err err;
	int rc;

	memset(t, 0, sizeof(*t));
	vft_err_clear(&err);
	if (src->file != NULL)
		rc = vft_token_from_file(src->file, t, &err);
	else if (src->env != NULL)
		rc = vft_token_from_env(src->env, t, &err);
	else if (src->literal != NULL)
		rc = vft_token_from_string(src->literal, t, &err);
	else
		return 0;
	if (rc == 0)
		return 0;
	vft_token_wipe(t);
	if (src->file != NULL)
		cli_error("--%stoken-file: %s", src->prefix, err.msg);
	else if (src->env != NULL)
		cli_error("--%stoken-env: %s", src->prefix, err.msg);
	else
		cli_error("--%stoken: %s", src->prefix, err.msg);
	return CLI_EXIT_TOKEN_SOURCE;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * vftoken: operate SR-IOV and VF tokens without writing a DPDK program.
 * This file dispatches to the subcommands (cmd_*.c); what they share is in
 * cli_util.c.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vftoken_cli.h"

#ifndef VFTOKEN_VERSION
#define VFTOKEN_VERSION "unknown"
#endif

/* The top-level help: the one place that prints the exit code table. */
static void
main_print_usage(FILE *f, const char *text)
{
	fputs(text, f);
	cli_print_exit_codes(f);
}

static const char main_usage[] =
	"Usage: " CLI_PROG " COMMAND [ARGS]\n"
	"\n"
	"Operate SR-IOV and VFIO VF tokens.\n"
	"\n"
	"Commands:\n"
	"  status [ADDR...]          SR-IOV PFs, their VFs and what blocks "
	"their use\n"
	"  vfs create PF N [--bind]  create N VFs on PF\n"
	"  vfs destroy PF            remove the VFs of PF\n"
	"  token set PF SOURCE       set the PF's VF token\n"
	"  token generate --out F    write a new random token to file F "
	"(0600)\n"
	"  token rotate PF --broker S  have the VF token broker give PF a "
	"new token\n"
	"  check ADDR [SOURCE]       open ADDR through VFIO and explain the "
	"result\n"
	"  cdi [ADDR...] [--pf PF]   write a CDI spec naming functions the "
	"broker\n"
	"                            serves, for container engines\n"
	"  help [COMMAND]            this text, or a command's help\n"
	"\n"
	"Options:\n"
	"  --version                 print the version\n"
	"  --help, -h                this text\n"
	"\n"
	"Run '" CLI_PROG " COMMAND --help' for a command's options.\n"
	"\n"
	"With --json (status, check), every error is one JSON object on "
	"stdout:\n"
	"{\"verdict\": NAME, \"reason\": TEXT, \"fix\": TEXT, \"exit\": N}, "
	"NAME\n"
	"the exit status name below.\n"
	"\n";

typedef int (*main_cmd_fn)(int argc, char **argv);

struct main_cmd {
	const char *name;
	main_cmd_fn fn;
};

static const struct main_cmd main_cmds[] = {
	{ "status", cmd_status }, { "vfs", cmd_vfs }, { "token", cmd_token },
	{ "check", cmd_check },	  { "cdi", cmd_cdi },
};

/* The command called name, or NULL after saying what was expected. */
static main_cmd_fn
main_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++)
		if (strcmp(main_cmds[i].name, name) == 0)
			return main_cmds[i].fn;
	cli_error("unknown command '%s' (expected status, vfs, token, check, "
		  "cdi or help)",
		  name);
	return NULL;
}

/* `vftoken help [COMMAND [SUB]]`: run the command with --help. */
static int
main_help(int argc, char **argv)
{
	static char help_arg[] = "--help";
	char *args[4];
	main_cmd_fn fn;
	int n = 0;

	if (argc < 2) {
		main_print_usage(stdout, main_usage);
		return CLI_EXIT_OK;
	}
	fn = main_find(argv[1]);
	if (fn == NULL)
		return CLI_EXIT_USAGE;
	args[n++] = argv[1];
	if (argc >= 3)
		args[n++] = argv[2];
	args[n++] = help_arg;
	args[n] = NULL;
	return fn(n, args);
}

static int
main_dispatch(int argc, char **argv)
{
	main_cmd_fn fn;

	if (argc < 2) {
		main_print_usage(stderr, main_usage);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", CLI_PROG, VFTOKEN_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		main_print_usage(stdout, main_usage);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0)
		return main_help(argc - 1, argv + 1);
	fn = main_find(argv[1]);
	if (fn == NULL)
		return CLI_EXIT_USAGE;
	return fn(argc - 1, argv + 1);
}

int
main(int argc, char **argv)
{
	int rc;

	/* Before anything else: a token on the command line is visible in
	 * /proc/PID/cmdline for as long as it stays there. */
	tok_scrub_argv(argc, argv);
	cli_json_scan(argc, argv);
	rc = main_dispatch(argc, argv);
	cli_json_final(rc);
	tok_scrub_release();
	if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
		cli_error("writing output: %s", strerror(errno));
		rc = CLI_EXIT_FAILURE;
	}
	return rc;
}

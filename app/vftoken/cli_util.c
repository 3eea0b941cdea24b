/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * What the subcommands share: the exit codes and their mapping from
 * libvftoken's results, messages, --json errors, option and address
 * parsing. A leaf of the CLI: main.c dispatches to the subcommands, and
 * they and main.c call this file, never the reverse.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app_opts.h"
#include "vftoken_cli.h"

/* Follows enum cli_exit, the one definition of the codes. The fix is what
 * a --json error says to do (cli_json_error()). */
const struct cli_exit_doc cli_exit_table[] = {
	{ CLI_EXIT_OK, "ok", "success; check: the open succeeded", "" },
	{ CLI_EXIT_FAILURE, "failure", "any error not listed below",
	  "see the reason" },
	{ CLI_EXIT_USAGE, "usage", "bad command line",
	  "see '" CLI_PROG " COMMAND --help'" },
	{ CLI_EXIT_NO_DEVICE, "no-device", "no such PCI function",
	  "check the address with '" CLI_PROG " status' or 'lspci -D'" },
	{ CLI_EXIT_NOT_VFIO, "not-vfio",
	  "device (or a member of its IOMMU group) not on vfio-pci",
	  "bind the device and its IOMMU group to vfio-pci" },
	{ CLI_EXIT_BUSY, "busy", "group or device in use elsewhere",
	  "stop the process that holds the group or device" },
	{ CLI_EXIT_TOKEN_NEEDED, "token-needed",
	  "a VF token is required and none was given",
	  "give the PF's VF token: --token-file F or --token-env VAR" },
	{ CLI_EXIT_TOKEN_REJECTED, "token-rejected",
	  "the VF token given is not the PF's token",
	  "give the token in force on the PF" },
	{ CLI_EXIT_TOKEN_UNUSED, "token-unused",
	  "a token was given but the device takes none",
	  "give no token for this device" },
	{ CLI_EXIT_PERMISSION, "permission", "/dev/vfio is not accessible",
	  "run as root or give this user access to /dev/vfio/GROUP" },
	{ CLI_EXIT_TOKEN_SOURCE, "token-source",
	  "token file or variable refused, or output file exists",
	  "use a regular file of yours with mode 0600, or a set variable" },
	{ CLI_EXIT_PRECONDITION, "precondition",
	  "the SR-IOV state does not allow the operation", "see the reason" },
	{ CLI_EXIT_VFS_NOT_READY, "vfs-not-ready",
	  "VFs created but not bound to vfio-pci in time",
	  "check that vfio-pci binds the VFs (driver_override, "
	  "enable_sriov=1)" },
	{ CLI_EXIT_BROKER_DENIED, "broker-denied",
	  "the VF token broker's policy refused this user",
	  "ask the broker's administrator to allow this uid (vftokend "
	  "policy)" },
	{ CLI_EXIT_BROKER_UNREACHABLE, "broker-unreachable",
	  "the VF token broker did not answer on its socket",
	  "start vftokend, or give the socket it listens on" },
};

#define CLI_EXIT_ROWS (sizeof(cli_exit_table) / sizeof(cli_exit_table[0]))

void
cli_print_exit_codes(FILE *f)
{
	size_t i;

	fprintf(f, "Exit status:\n");
	for (i = 0; i < CLI_EXIT_ROWS; i++)
		fprintf(f, "  %2d  %-19s %s\n", cli_exit_table[i].code,
			cli_exit_table[i].name, cli_exit_table[i].meaning);
}

/* ---- --json: errors as one JSON object on stdout ----------------------- */

static bool cli_json;	      /* --json on the command line */
static bool cli_json_printed; /* a command printed its JSON document */
static char cli_json_reason[512];

/* --json anywhere before "--": every error becomes JSON on stdout. */
void
cli_json_scan(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			cli_json = true;
}

void
cli_json_mark_printed(void)
{
	cli_json_printed = true;
}

static const struct cli_exit_doc *
cli_exit_doc_of(int rc)
{
	size_t i;

	for (i = 0; i < CLI_EXIT_ROWS; i++)
		if ((int)cli_exit_table[i].code == rc)
			return &cli_exit_table[i];
	return &cli_exit_table[CLI_EXIT_FAILURE];
}

void
cli_json_error(json_t *o, int rc)
{
	const struct cli_exit_doc *d = cli_exit_doc_of(rc);

	if (json_object_get(o, "verdict") == NULL)
		json_object_set_new(o, "verdict", json_string(d->name));
	if (json_object_get(o, "reason") == NULL)
		json_object_set_new(o, "reason",
				    json_string(cli_json_reason[0] != '\0'
							? cli_json_reason
							: d->meaning));
	if (json_object_get(o, "fix") == NULL)
		json_object_set_new(o, "fix", json_string(d->fix));
	json_object_set_new(o, "exit", json_integer(rc));
}

/* An error no command printed as JSON: {"verdict","reason","fix","exit"}. */
void
cli_json_final(int rc)
{
	json_t *o;

	if (!cli_json || cli_json_printed || rc == CLI_EXIT_OK)
		return;
	o = json_object();
	cli_json_error(o, rc);
	json_dumpf(o, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(o);
}

/* "vftoken: LEVEL: message" on stderr, LEVEL one of error, warning, note. */
void
cli_msg(const char *level, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", CLI_PROG, level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	/* --json: the first error is the JSON error's reason */
	if (cli_json && cli_json_reason[0] == '\0' &&
	    strcmp(level, "error") == 0) {
		va_start(ap, fmt);
		vsnprintf(cli_json_reason, sizeof(cli_json_reason), fmt, ap);
		va_end(ap);
	}
}

enum cli_exit
cli_exit_for_verdict(enum vft_verdict v, bool token_given)
{
	switch (v) {
	case VFT_V_OK:
		return CLI_EXIT_OK;
	case VFT_V_NO_DEVICE:
		return CLI_EXIT_NO_DEVICE;
	case VFT_V_NOT_VFIO:
	case VFT_V_GROUP_NOT_VIABLE:
		return CLI_EXIT_NOT_VFIO;
	case VFT_V_BUSY:
		return CLI_EXIT_BUSY;
	case VFT_V_VF_NEEDS_TOKEN:
		return CLI_EXIT_TOKEN_NEEDED;
	case VFT_V_TOKEN_REJECTED:
		return CLI_EXIT_TOKEN_REJECTED;
	case VFT_V_PF_HAS_VF_USERS:
		return token_given ? CLI_EXIT_TOKEN_REJECTED
				   : CLI_EXIT_TOKEN_NEEDED;
	case VFT_V_TOKEN_PF_NOT_VFIO:
	case VFT_V_TOKEN_NOT_SRIOV:
		return CLI_EXIT_TOKEN_UNUSED;
	case VFT_V_NO_PERMISSION:
		return CLI_EXIT_PERMISSION;
	case VFT_V_BROKER_DENIED:
		return CLI_EXIT_BROKER_DENIED;
	case VFT_V_BAD_OPTION:
	case VFT_V_OTHER:
	default:
		return CLI_EXIT_FAILURE;
	}
}

enum cli_exit
cli_exit_for_errno(int error)
{
	switch (-error) {
	case 0:
		return CLI_EXIT_OK;
	case ENODEV:
		return CLI_EXIT_NO_DEVICE;
	case EBUSY:
		return CLI_EXIT_BUSY;
	case EACCES:
	case EPERM:
		return CLI_EXIT_PERMISSION;
	case ENOENT:
	case ERANGE:
	case ENOTSUP:
		return CLI_EXIT_PRECONDITION;
	default:
		return CLI_EXIT_FAILURE;
	}
}

enum cli_exit
cli_exit_for_broker(const char *sock, int error)
{
	struct stat st;

	if (error == -ECONNREFUSED || stat(sock, &st) != 0 ||
	    !S_ISSOCK(st.st_mode))
		return CLI_EXIT_BROKER_UNREACHABLE;
	if (error == -EACCES || error == -EPERM)
		return CLI_EXIT_BROKER_DENIED;
	return cli_exit_for_errno(error);
}

int
cli_parse_addr(const char *s, const char *what, struct vft_pci_addr *a)
{
	if (vft_pci_addr_parse(s, a) == 0)
		return 0;
	cli_error("%s '%s' is not a PCI address (expected DDDD:BB:DD.F or "
		  "BB:DD.F, hex)",
		  what, s);
	return CLI_EXIT_USAGE;
}

int
cli_sysfs_root(struct vft_sys *sys, const char *dir)
{
	if (dir[0] == '\0' || strlen(dir) >= sizeof(sys->root)) {
		cli_error(
			"--sysfs-root '%s': expected a directory path of 1 to "
			"%zu characters",
			dir, sizeof(sys->root) - 1);
		return CLI_EXIT_USAGE;
	}
	vft_sys_init(sys, dir);
	return 0;
}

int
cli_bad_option(const char *cmd, char **argv, int optind_now)
{
	const char *arg = optind_now > 0 ? argv[optind_now - 1] : "?";

	cli_error("%s: unknown option or missing value in '%s' (see '%s %s "
		  "--help')",
		  cmd, arg, CLI_PROG, cmd);
	return CLI_EXIT_USAGE;
}

void
cli_print_usage(FILE *f, const char *text)
{
	fputs(text, f);
	fputs("Exit status: the table of '" CLI_PROG " --help' (" CLI_PROG
	      "(1)), the same for every command.\n",
	      f);
}
/* What cli_getopt_one() needs besides the option. */
struct cli_getopt_run {
	const struct cli_cmd *cmd;
	struct vft_sys *sys;
	void *ctx;
	char **argv;
};

static int
cli_getopt_one(void *arg, int c, const char *name, char *val)
{
	const struct cli_getopt_run *r = arg;

	switch (c) {
	case 'h':
		cli_print_usage(stdout, r->cmd->usage);
		return -1;
	case 'r':
		return cli_sysfs_root(r->sys, val);
	case '?':
	case ':':
		return cli_bad_option(r->cmd->name, r->argv, optind);
	default:
		return r->cmd->opt(r->ctx, c, name, val);
	}
}

int
cli_getopt(const struct cli_cmd *cmd, struct vft_sys *sys, void *ctx, int argc,
	   char **argv)
{
	struct cli_getopt_run r = { cmd, sys, ctx, argv };

	return app_getopt(argc, argv, cmd->opts, true, cli_getopt_one, &r);
}

int
cli_subcommand(const struct cli_cmd *cmd, const char *group, const char *a,
	       const char *b, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
				  strcmp(argv[1], "-h") == 0)) {
			cli_print_usage(stdout, cmd->usage);
			return -1;
		}
		cli_print_usage(stderr, cmd->usage);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], a) != 0 && strcmp(argv[1], b) != 0) {
		cli_error("unknown %s command '%s' (expected %s or %s)", group,
			  argv[1], a, b);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int
cli_parse_uint(const char *s, const char *what, unsigned int min,
	       unsigned int max, unsigned int *out)
{
	if (app_parse_uint(s, min, max, out) == 0)
		return 0;
	cli_error("%s '%s': expected a decimal number from %u to %u", what, s,
		  min, max);
	return CLI_EXIT_USAGE;
}

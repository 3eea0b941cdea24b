/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef VFTOKEN_CLI_H
#define VFTOKEN_CLI_H

/*
 * The vftoken command line tool: shared declarations.
 *
 * Exit codes live here and only here; `vftoken help` prints them from
 * cli_exit_table[] (cli_util.c), which follows this enum.
 */

#include <stdbool.h>
#include <stdio.h>

#include "vftoken.h"

/** Exit status of every vftoken command. */
enum cli_exit {
	CLI_EXIT_OK = 0,	/* done; `check`: the open succeeded */
	CLI_EXIT_FAILURE = 1,	/* anything not listed below */
	CLI_EXIT_USAGE = 2,	/* bad command line */
	CLI_EXIT_NO_DEVICE = 3, /* no such PCI function */
	CLI_EXIT_NOT_VFIO = 4,	/* not (or not all of its group) on vfio-pci */
	CLI_EXIT_BUSY = 5,	/* group or device in use elsewhere */
	CLI_EXIT_TOKEN_NEEDED = 6,   /* a VF token is required, none given */
	CLI_EXIT_TOKEN_REJECTED = 7, /* the VF token given is wrong */
	CLI_EXIT_TOKEN_UNUSED =
		8,		 /* a token was given, the device takes none */
	CLI_EXIT_PERMISSION = 9, /* /dev/vfio not accessible */
	CLI_EXIT_TOKEN_SOURCE =
		10, /* token file/variable refused or unusable */
	CLI_EXIT_PRECONDITION =
		11, /* SR-IOV state does not allow the operation */
	CLI_EXIT_VFS_NOT_READY = 12, /* VFs created but not (yet) on vfio-pci */
	CLI_EXIT_BROKER_DENIED = 13, /* the broker's policy refused the uid */
	CLI_EXIT_BROKER_UNREACHABLE = 14, /* no broker answers on the socket */
};

/** One row of the exit code table printed by the help texts. */
struct cli_exit_doc {
	enum cli_exit code;
	const char *name;
	const char *meaning;
	const char *fix; /* what a --json error says to do */
};

extern const struct cli_exit_doc cli_exit_table[];

/** Print the exit code table (all codes) to @p f. */
void cli_print_exit_codes(FILE *f);

struct json_t;

/**
 * Add the error fields "verdict" (the exit name, unless set), "reason"
 * (the first error message, unless set), "fix" (unless set) and "exit"
 * to the JSON object @p o for exit code @p rc.
 */
void cli_json_error(struct json_t *o, int rc);

/** A command printed its one JSON document: no separate error object. */
void cli_json_mark_printed(void);

/** Note --json in @p argv before any command runs (main()). */
void cli_json_scan(int argc, char **argv);

/** Print the error object for exit code @p rc unless a command printed
 * its document (main(), last). */
void cli_json_final(int rc);

/** Program name for messages. */
#define CLI_PROG "vftoken"

/** Default poll time for VFs to come up, seconds. */
#define CLI_DEFAULT_WAIT_S 5

/* Messages: "vftoken: error: ..." / "vftoken: warning: ..." on stderr. */
void cli_msg(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define cli_error(...) cli_msg("error", __VA_ARGS__)
#define cli_warn(...) cli_msg("warning", __VA_ARGS__)
#define cli_note(...) cli_msg("note", __VA_ARGS__)

/**
 * Map an explainer verdict to an exit code; @p token_given splits
 * "PF has VF users" into token needed / token rejected.
 */
enum cli_exit cli_exit_for_verdict(enum vft_verdict v, bool token_given);

/** Map a libvftoken errno from a sysfs operation to an exit code. */
enum cli_exit cli_exit_for_errno(int error);

/**
 * The exit code of a failed call to the broker at @p sock: no broker
 * answering (the socket missing or refusing) and a refusal by its policy
 * have their own; anything else as cli_exit_for_errno().
 */
enum cli_exit cli_exit_for_broker(const char *sock, int error);

/**
 * Parse a PCI address argument; on failure print an error naming @p what
 * and the value. @return 0 or CLI_EXIT_USAGE.
 */
int cli_parse_addr(const char *s, const char *what, struct vft_pci_addr *a);

/**
 * Point @p sys at @p dir (the hidden --sysfs-root option of every command,
 * for tests on generated trees). @return 0 or CLI_EXIT_USAGE.
 */
int cli_sysfs_root(struct vft_sys *sys, const char *dir);

/** Report an option getopt_long() refused. @return CLI_EXIT_USAGE. */
int cli_bad_option(const char *cmd, char **argv, int optind_now);

/** Parse a decimal count in [min, max]. @return 0 or CLI_EXIT_USAGE. */
int cli_parse_uint(const char *s, const char *what, unsigned int min,
		   unsigned int max, unsigned int *out);

struct option;

/**
 * The last rows of every command's getopt_long() table: the options
 * cli_getopt() handles itself, then the terminator.
 */
/* clang-format off */
#define CLI_GETOPT_END \
	{ "sysfs-root", required_argument, NULL, 'r' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ NULL, 0, NULL, 0 }
/* clang-format on */

/**
 * One command's options and help, a constant of the command's file.
 * cli_getopt() handles --help/-h (option 'h') and the hidden --sysfs-root
 * (option 'r') itself and hands every other option of @p opts to @p opt.
 */
struct cli_cmd {
	const char *name;	   /**< as named in errors: "token set" */
	const char *usage;	   /**< --help text, before the exit codes */
	const struct option *opts; /**< getopt_long() table */
	/** One option: 0 to go on, else an exit code. */
	int (*opt)(void *ctx, int c, const char *name, char *arg);
};

/** Print @p text, then the exit code table, to @p f. */
void cli_print_usage(FILE *f, const char *text);

/**
 * Parse the options of @p cmd in @p argv (from argv[1]; optind is left on
 * the first operand); --sysfs-root sets @p sys, the command's own options
 * go to cmd->opt with @p ctx. @return 0, -1 after --help, or an exit code.
 */
int cli_getopt(const struct cli_cmd *cmd, struct vft_sys *sys, void *ctx,
	       int argc, char **argv);

/**
 * Check argv[1] of a command with sub-commands (`vftoken @p group SUB`):
 * it must be @p a or @p b. Prints the usage of @p cmd for --help (stdout)
 * or when SUB is missing (stderr). @return 0, -1 after --help, or
 * CLI_EXIT_USAGE.
 */
int cli_subcommand(const struct cli_cmd *cmd, const char *group, const char *a,
		   const char *b, int argc, char **argv);

/* ------------------------------------------------------------------------ */
/* Token sources (token_opts.c)                                             */
/* ------------------------------------------------------------------------ */

/** Where one token is to come from, as given on the command line. */
struct tok_src {
	const char *
		prefix; /* "" or "current-": option names are --<prefix>token* */
	const char *file; /* --<prefix>token-file */
	const char *env;  /* --<prefix>token-env */
	char *literal;	  /* --<prefix>token (a private copy, wiped) */
	unsigned int n;	  /* how many of the above were given */
};

/**
 * Wipe every --token / --current-token value in @p argv in place (the
 * process command line is readable through /proc/PID/cmdline), pointing the
 * argv entry at a private copy instead, and warn once. Call first thing.
 */
void tok_scrub_argv(int argc, char **argv);

/** Wipe and free the private copies made by tok_scrub_argv(). */
void tok_scrub_release(void);

/** Initialise @p src for options --<prefix>token*. */
void tok_src_init(struct tok_src *src, const char *prefix);

/**
 * The getopt_long() rows of the options --<prefix>token-file,
 * --<prefix>token-env and --<prefix>token, all with val @p key; hand each
 * to tok_src_set(). @p prefix is a string literal.
 */
/* clang-format off */
#define TOK_SRC_OPTIONS(prefix, key) \
	{ prefix "token-file", required_argument, NULL, key }, \
	{ prefix "token-env", required_argument, NULL, key }, \
	{ prefix "token", required_argument, NULL, key }
/* clang-format on */

/**
 * Record one option of TOK_SRC_OPTIONS(). @p name is its long name, with
 * the prefix. @return 0 or CLI_EXIT_USAGE (given twice).
 */
int tok_src_set(struct tok_src *src, const char *name, char *value);

/** @return CLI_EXIT_USAGE with a message if more than one was given. */
int tok_src_check(const struct tok_src *src);

/** @return true if a token source was given. */
bool tok_src_given(const struct tok_src *src);

/**
 * Load the token. @p t is left empty (VFT_TOKEN_NONE) if no source was
 * given. @return 0 or CLI_EXIT_TOKEN_SOURCE after printing the reason.
 */
int tok_src_load(const struct tok_src *src, struct vft_token *t);

/* ------------------------------------------------------------------------ */
/* Subcommands: each takes argv[0] == its own name, returns an exit code.   */
/* ------------------------------------------------------------------------ */

int cmd_status(int argc, char **argv);
int cmd_vfs(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_cdi(int argc, char **argv);

#endif /* VFTOKEN_CLI_H */

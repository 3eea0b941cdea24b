/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * test-vftoken-kernel --pf ADDR [--other ADDR] [--only NAME[,NAME...]]
 *                     [--no-kernel-pf] [--list]
 *
 * Runs inside a (VM) guest as root. Prints one line per check:
 * "PASS name" or "FAIL name: expected X, got Y", "NOTE name: ..." for
 * observations, "SKIP name: why" for checks that could not run (options,
 * or "not applicable on this kernel: why"), then "N skipped" and
 * "N passed, N failed". Exit status 0 only when nothing failed.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tvk.h"

static void
tvk_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s --pf ADDR [--other ADDR] [--only NAME[,NAME...]] "
		"[--no-kernel-pf] [--list]\n"
		"  --pf ADDR       SR-IOV PF (e.g. 0000:01:00.0); the suite "
		"binds it to vfio-pci\n"
		"  --other ADDR    a NIC without SR-IOV (checks on it are "
		"skipped without it)\n"
		"  --only NAMES    run only these checks (comma separated, "
		"repeatable)\n"
		"  --no-kernel-pf  skip checks that move the PF to igb / "
		"pci-pf-stub\n"
		"  --list          list the checks and exit\n",
		prog);
}

/* A PCI address of the form DDDD:BB:DD.F, all hex. */
static int
tvk_valid_addr(const char *a)
{
	static const char pat[] = "hhhh:hh:hh.h";
	size_t i;

	if (strlen(a) != sizeof(pat) - 1)
		return 0;
	for (i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'h' ? !strchr("0123456789abcdef", a[i]) || !a[i]
				  : a[i] != pat[i])
			return 0;
	}
	return 1;
}

static int
tvk_selected(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	if (only == NULL)
		return 1;
	while (p && *p) {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/* Every name in ONLY must be a known check. */
static int
tvk_only_valid(const char *only)
{
	const char *p = only;

	while (p && *p) {
		size_t i, len = strcspn(p, ",");

		for (i = 0; i < tvk_num_checks; i++)
			if (strlen(tvk_checks[i].name) == len &&
			    strncmp(p, tvk_checks[i].name, len) == 0)
				break;
		if (i == tvk_num_checks) {
			fprintf(stderr,
				"--only: unknown check '%.*s' (see --list)\n",
				(int)len, p);
			return 0;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 1;
}

static int
tvk_append_only(char **only, const char *arg)
{
	size_t old = *only ? strlen(*only) : 0;
	char *n = realloc(*only, old + strlen(arg) + 2);

	if (n == NULL)
		return -1;
	if (old)
		n[old++] = ',';
	strcpy(n + old, arg);
	*only = n;
	return 0;
}

/*
 * Why a check needing NEEDS cannot run on this kernel, or NULL. Such a
 * check is reported "SKIP name: not applicable on this kernel: why" and
 * counted as skipped, neither passed nor failed.
 */
static const char *
tvk_missing(const struct tvk_ctx *ctx, unsigned int needs)
{
	if ((needs & TVK_NEED_CDEV))
		return tvk_cdev_missing(ctx->pf);
	if ((needs & TVK_NEED_IOMMUFD) && access(TVK_CONTAINER_IOMMUFD, F_OK))
		return "kernel without IOMMUFD (no /dev/iommu, so no iommufd "
		       "compat container)";
	return NULL;
}

static int
tvk_run(struct tvk_ctx *ctx, const char *only)
{
	unsigned int passed = 0, failed = 0, skipped = 0;
	struct tvk_res res;
	const char *why;
	size_t i;
	int ret;

	for (i = 0; i < tvk_num_checks; i++) {
		const struct tvk_check *c = &tvk_checks[i];

		if (!tvk_selected(only, c->name))
			continue;
		if ((c->needs & TVK_NEED_OTHER) && ctx->other == NULL) {
			printf("SKIP %s: needs --other\n", c->name);
			skipped++;
			continue;
		}
		if ((c->needs & TVK_NEED_KERNEL_PF) && !ctx->kernel_pf) {
			printf("SKIP %s: --no-kernel-pf given\n", c->name);
			skipped++;
			continue;
		}
		res.msg[0] = '\0';
		if (tvk_state_reset(ctx, &res)) {
			printf("FAIL %s: set-up (state reset): %s\n", c->name,
			       res.msg);
			failed++;
		} else if ((why = tvk_missing(ctx, c->needs)) != NULL) {
			printf("SKIP %s: not applicable on this kernel: %s\n",
			       c->name, why);
			skipped++;
		} else if ((ret = c->fn(ctx, &res)) == TVK_NA) {
			printf("SKIP %s: not applicable on this kernel: %s\n",
			       c->name, res.msg);
			skipped++;
		} else if (ret) {
			printf("FAIL %s: %s\n", c->name, res.msg);
			failed++;
		} else {
			printf("PASS %s\n", c->name);
			passed++;
		}
		fflush(stdout);
	}
	/* Leave the rig as the suite found it: PF on vfio-pci with VFs. */
	res.msg[0] = '\0';
	if (tvk_state_reset(ctx, &res))
		printf("# final state reset failed: %s\n", res.msg);
	if (skipped)
		printf("%u skipped\n", skipped);
	printf("%u passed, %u failed\n", passed, failed);
	return failed || passed == 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* What the command line asked for. */
struct tvk_args {
	char *only; /* --only, comma-joined; NULL: every check */
	int list;
	int help;
};

/* @return 0, or 2 on a usage error. */
static int
tvk_parse(int argc, char **argv, struct tvk_ctx *ctx, struct tvk_args *a)
{
	static const struct option opts[] = {
		{ "pf", required_argument, NULL, 'p' },
		{ "other", required_argument, NULL, 'o' },
		{ "only", required_argument, NULL, 'O' },
		{ "no-kernel-pf", no_argument, NULL, 'K' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			ctx->pf = optarg;
			break;
		case 'o':
			ctx->other = optarg;
			break;
		case 'O':
			if (tvk_append_only(&a->only, optarg)) {
				fprintf(stderr, "out of memory\n");
				return 2;
			}
			break;
		case 'K':
			ctx->kernel_pf = false;
			break;
		case 'l':
			a->list = 1;
			break;
		case 'h':
			a->help = 1;
			return 0;
		default:
			tvk_usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		tvk_usage(stderr, argv[0]);
		return 2;
	}
	return 0;
}

/* The addresses, --only and the privileges a run needs. @return 0 or 2. */
static int
tvk_check_args(const struct tvk_ctx *ctx, const struct tvk_args *a)
{
	if (a->only && !tvk_only_valid(a->only))
		return 2;
	if (ctx->pf == NULL || !tvk_valid_addr(ctx->pf)) {
		fprintf(stderr,
			"--pf '%s': expected a PCI address like 0000:01:00.0 "
			"(lower-case hex)\n",
			ctx->pf ? ctx->pf : "");
		return 2;
	}
	if (ctx->other && !tvk_valid_addr(ctx->other)) {
		fprintf(stderr,
			"--other '%s': expected a PCI address like "
			"0000:02:00.0 (lower-case hex)\n",
			ctx->other);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "must run as root (binds drivers, opens VFIO "
				"groups)\n");
		return 2;
	}
	return 0;
}

static void
tvk_list(void)
{
	for (size_t i = 0; i < tvk_num_checks; i++)
		printf("%-30s %s\n", tvk_checks[i].name, tvk_checks[i].rule);
}

/* A fresh token for the run, then every check; the token is wiped. */
static int
tvk_main_run(struct tvk_ctx *ctx, const char *only)
{
	struct utsname u;
	int ret;

	if (uname(&u) == 0)
		snprintf(ctx->kernel, sizeof(ctx->kernel), "%s", u.release);
	printf("# test-vftoken-kernel: kernel %s, PF %s, other %s\n",
	       ctx->kernel, ctx->pf, ctx->other ? ctx->other : "(none)");
	if (tvk_uuid_random(ctx->token)) {
		fprintf(stderr, "getrandom failed\n");
		return EXIT_FAILURE;
	}
	tvk_uuid_format(ctx->token, ctx->token_str);
	ret = tvk_run(ctx, only);
	tvk_wipe(ctx->token, sizeof(ctx->token));
	tvk_wipe(ctx->token_str, sizeof(ctx->token_str));
	return ret;
}

int
main(int argc, char **argv)
{
	struct tvk_args a = { NULL, 0, 0 };
	struct tvk_ctx ctx;
	int ret;

	memset(&ctx, 0, sizeof(ctx));
	ctx.kernel_pf = true;
	ret = tvk_parse(argc, argv, &ctx, &a);
	if (ret == 0 && a.help)
		tvk_usage(stdout, argv[0]);
	else if (ret == 0 && a.list)
		tvk_list();
	else if (ret == 0)
		ret = tvk_check_args(&ctx, &a);
	if (ret == 0 && !a.help && !a.list)
		ret = tvk_main_run(&ctx, a.only);
	free(a.only);
	return ret;
}

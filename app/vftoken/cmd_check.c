/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * vftoken check ADDR [--path P] [SOURCE]: perform the real VFIO open of
 * ADDR through the device layer, on the group path (container, group,
 * VFIO_GROUP_GET_DEVICE_FD with "ADDR vf_token=<uuid>") or the cdev path
 * (VFIO_DEVICE_BIND_IOMMUFD with the token), or through the VF token
 * broker (--broker), report the explainer's verdict, close again. The
 * exit code says the outcome, so scripts can branch on it.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "vftoken_cli.h"

struct ck_opts {
	struct vft_sys sys;
	struct tok_src src;
	bool json;
	bool set;	 /* --set: a token given to a PF may become its token */
	bool path_given; /* --path given */
	enum vft_path path;
	const char *broker; /* --broker SOCKET, NULL: open /dev/vfio */
	struct vft_pci_addr addr;
};

static const char ck_usage[] =
	"Usage: " CLI_PROG
	" check ADDR [--path P] [--json] [TOKEN [--set] | --broker S]\n"
	"\n"
	"Open ADDR through VFIO the way a DPDK application would, with "
	"the VF\n"
	"token if one is given, and explain the result (verdict, "
	"reason, fix).\n"
	"The device is closed again at once.\n"
	"\n"
	"check never changes state: opening a PF with a token while none "
	"of its\n"
	"VFs is open makes that token the PF's VF token (kernel rule), "
	"even when\n"
	"the kernel refuses the open after its token step, so check of a "
	"PF with\n"
	"a TOKEN is refused (exit 2) unless --set is given. Such a refusal "
	"is\n"
	"reported as \"refused, but the token was changed\".\n"
	"\n"
	"TOKEN, at most one of:\n"
	"  --token-file F     read the token from F (regular file, "
	"yours, mode 0600)\n"
	"  --token-env VAR    read the token from environment variable "
	"VAR\n"
	"  --token UUID       discouraged: visible in the process "
	"list\n"
	"\n"
	"Options:\n"
	"  --path P           VFIO path: group, cdev (vfio cdev + iommufd;\n"
	"                     a token needs Linux 6.18.3+ or 6.19+, older\n"
	"                     kernels check none there) or auto (default:\n"
	"                     group where /dev/vfio/vfio exists, else cdev)\n"
	"  --broker S         ask the VF token broker listening on socket S\n"
	"                     (vftokend) to open ADDR, instead of /dev/vfio;\n"
	"                     no TOKEN then: the broker holds it; the broker "
	"is\n"
	"                     asked even when local checks fail, and answers "
	"for\n"
	"                     itself (exit 13 denied, 14 unreachable)\n"
	"  --set              with a TOKEN and a PF: open it with the token "
	"even\n"
	"                     though that sets the PF's VF token when no VF "
	"is open\n"
	"  --json             machine-readable output\n"
	"  --help, -h         this text\n"
	"\n";

static int
ck_opt(void *ctx, int c, const char *name, char *arg)
{
	struct ck_opts *o = ctx;

	switch (c) {
	case 't':
		return tok_src_set(&o->src, name, arg);
	case 'j':
		o->json = true;
		return 0;
	case 'b':
		o->broker = arg;
		return 0;
	case 's':
		o->set = true;
		return 0;
	case 'p':
		o->path_given = true;
		if (vft_path_parse(arg, &o->path) == 0)
			return 0;
		cli_error("--path %s: expected group, cdev or auto", arg);
		return CLI_EXIT_USAGE;
	default:
		return CLI_EXIT_USAGE;
	}
}

static const struct option ck_options[] = {
	TOK_SRC_OPTIONS("", 't'),
	{ "json", no_argument, NULL, 'j' },
	{ "path", required_argument, NULL, 'p' },
	{ "broker", required_argument, NULL, 'b' },
	{ "set", no_argument, NULL, 's' },
	CLI_GETOPT_END,
};

static const struct cli_cmd ck_cmd = { "check", ck_usage, ck_options, ck_opt };

static json_t *
ck_json_token(const struct vft_token *t)
{
	json_t *o = json_object();
	bool given = vft_token_present(t);

	json_object_set_new(o, "given", json_boolean(given));
	json_object_set_new(o, "source",
			    json_string(vft_token_source_name(t->source)));
	if (given) {
		char fp[VFT_FINGERPRINT_LEN];

		vft_token_fingerprint(t, fp);
		json_object_set_new(o, "fingerprint", json_string(fp));
	}
	return o;
}

static void
ck_print_json(const char *name, enum vft_path path, const struct vft_token *t,
	      const struct vft_explanation *why, int rc)
{
	json_t *o = json_object();

	json_object_set_new(o, "addr", json_string(name));
	json_object_set_new(o, "path", json_string(vft_path_name(path)));
	json_object_set_new(o, "verdict",
			    json_string(vft_verdict_name(why->verdict)));
	json_object_set_new(o, "ok", json_boolean(why->verdict == VFT_V_OK));
	json_object_set_new(o, "errno", json_integer(-why->error));
	json_object_set_new(
		o, "error",
		json_string(why->error ? strerror(-why->error) : ""));
	json_object_set_new(o, "reason", json_string(why->reason));
	json_object_set_new(o, "fix", json_string(why->fix));
	json_object_set_new(o, "token", ck_json_token(t));
	json_object_set_new(o, "exit_code", json_integer(rc));
	json_object_set_new(o, "exit", json_integer(rc));
	json_dumpf(o, stdout, JSON_INDENT(2));
	cli_json_mark_printed();
	fputc('\n', stdout);
	json_decref(o);
}

/* Set by ck_run(): auto path and neither VFIO node exists. */
static bool ck_vfio_missing;

static void
ck_print_text(const char *name, enum vft_path path, const char *broker,
	      const struct vft_token *t, const struct vft_explanation *why)
{
	printf("%s: %s\n", name, vft_verdict_name(why->verdict));
	if (ck_vfio_missing)
		printf("  path: none (neither /dev/vfio/vfio nor /dev/iommu "
		       "exists: VFIO is not loaded)\n");
	else
		printf("  path: %s\n", vft_path_name(path));
	if (vft_token_present(t)) {
		char fp[VFT_FINGERPRINT_LEN];

		vft_token_fingerprint(t, fp);
		printf("  token: %s (%s)\n", fp,
		       vft_token_source_name(t->source));
	} else if (broker != NULL) {
		printf("  token: held by the broker at %s\n", broker);
	} else {
		printf("  token: none\n");
	}
	if (why->error != 0)
		printf("  error: %s\n", strerror(-why->error));
	if (why->reason[0] != '\0')
		printf("  reason: %s\n", why->reason);
	if (why->fix[0] != '\0')
		printf("  fix: %s\n", why->fix);
}

/* The real open, closed again at once. */
static void
ck_open(const struct ck_opts *o, const struct vft_token *t,
	struct vft_explanation *why)
{
	bool given = vft_token_present(t);
	struct vft_iommu io;
	struct vft_device d;

	memset(why, 0, sizeof(*why));
	vft_iommu_init(&io, o->path, NULL);
	if (o->broker != NULL) {
		if (vft_iommu_open_brokered(&io, &o->sys, &o->addr, o->broker,
					    &d, why) == 0)
			vft_device_close(&d);
	} else if (vft_iommu_open_device(&io, &o->sys, &o->addr,
					 given ? t : NULL, &d, why) == 0) {
		vft_device_close(&d);
	}
	vft_iommu_close(&io);
}

/* Options and the one ADDR. @return 0, -1 after --help, or an exit code. */
static int
ck_parse(int argc, char **argv, struct ck_opts *o)
{
	int rc;

	vft_sys_init(&o->sys, NULL);
	o->path = vft_path_auto();
	tok_src_init(&o->src, "");
	rc = cli_getopt(&ck_cmd, &o->sys, o, argc, argv);
	if (rc == 0)
		rc = tok_src_check(&o->src);
	if (rc != 0)
		return rc;
	if (o->set && o->src.n == 0) {
		cli_error("--set goes with a token (--token-file F, "
			  "--token-env VAR or --token UUID)");
		return CLI_EXIT_USAGE;
	}
	if (o->broker != NULL && o->src.n > 0) {
		cli_error("--broker takes no token option: the broker holds "
			  "the token");
		return CLI_EXIT_USAGE;
	}
	if (argc - optind != 1) {
		cli_error("check takes one PCI address, got %d arguments",
			  argc - optind);
		return CLI_EXIT_USAGE;
	}
	return cli_parse_addr(argv[optind], "ADDR", &o->addr);
}

/* A TOKEN given to a PF may set its VF token: refused without --set. */
static int
ck_pf_guard(const struct ck_opts *o)
{
	char name[VFT_PCI_ADDR_LEN];
	struct vft_pci_dev *dev;
	struct vft_err err;
	bool pf;

	if (o->set || o->src.n == 0)
		return 0;
	dev = malloc(sizeof(*dev));
	if (dev == NULL)
		return CLI_EXIT_FAILURE;
	vft_err_clear(&err);
	pf = vft_pci_dev_read(&o->sys, &o->addr, dev, &err) == 0 &&
	     dev->sriov_capable;
	free(dev);
	if (!pf)
		return 0;
	vft_pci_addr_format(&o->addr, name);
	cli_error("%s is an SR-IOV PF: opened with a token while none of its "
		  "VFs is open, the token becomes its VF token (kernel rule; "
		  "even if the kernel then refuses the open), and check "
		  "changes nothing; add --set to open it with the token "
		  "anyway, or use 'vftoken token set'",
		  name);
	return CLI_EXIT_USAGE;
}

/* The broker's socket did not answer (vft_broker_call()'s connect). */
static bool
ck_broker_unreachable(const struct ck_opts *o,
		      const struct vft_explanation *why)
{
	return o->broker != NULL && why->verdict == VFT_V_OTHER &&
	       (why->error == -ENOENT || why->error == -ECONNREFUSED ||
		why->error == -ENOTSOCK || why->error == -ENOTDIR);
}

/* Load the token, open, report the verdict. @return its exit code. */
static int
ck_run(const struct ck_opts *o)
{
	struct vft_explanation why;
	char name[VFT_PCI_ADDR_LEN];
	struct vft_token tok;
	int rc;

	rc = ck_pf_guard(o);
	if (rc == 0)
		rc = tok_src_load(&o->src, &tok);
	if (rc != 0)
		return rc;
	ck_vfio_missing = !o->path_given && o->broker == NULL &&
			  access("/dev/vfio/vfio", F_OK) != 0 &&
			  access("/dev/iommu", F_OK) != 0;
	ck_open(o, &tok, &why);
	rc = cli_exit_for_verdict(why.verdict, vft_token_present(&tok));
	if (ck_broker_unreachable(o, &why))
		rc = CLI_EXIT_BROKER_UNREACHABLE;
	vft_pci_addr_format(&o->addr, name);
	if (o->json)
		ck_print_json(name, o->path, &tok, &why, rc);
	else
		ck_print_text(name, o->path, o->broker, &tok, &why);
	vft_token_wipe(&tok);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	struct ck_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = ck_parse(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	return ck_run(&o);
}

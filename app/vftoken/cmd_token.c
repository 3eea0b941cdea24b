/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * vftoken token set PF SOURCE: set the VF token of a vfio-pci PF explicitly
 * with VFIO_DEVICE_FEATURE (PROBE, then SET of PCI_VF_TOKEN; RFC "vfio:
 * Introduce VFIO_DEVICE_FEATURE ioctl").
 *
 * To get a PF fd the PF is opened without a token, which vfio-pci allows
 * only while no VF is open (-EACCES otherwise; kernel patch "vfio/pci:
 * Introduce VF token"). With the current token the open succeeds even then.
 * A token never reaches stdout: a generated one goes to a new 0600 file and
 * only its fingerprint is printed. vftoken token rotate PF --broker S has
 * the broker (vftokend) do all of it, so the token never enters this
 * process at all.
 */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vftoken_cli.h"

struct tk_opts {
	struct vft_sys sys;
	struct tok_src next;	/* the token to set */
	struct tok_src current; /* the token in force, to open the PF */
	bool generate;
	const char *out;
	const char *broker; /* rotate: --broker S */
	struct vft_pci_addr pf;
};

/* Tokens and state of one run, wiped at the end. */
struct tk_run {
	struct vft_token next;
	struct vft_token current;
	struct vft_handle h;
	bool opened;
	bool wrote_out;
};

static const char tk_usage[] =
	"Usage: " CLI_PROG " token set PF NEW [CURRENT]\n"
	"       " CLI_PROG " token generate --out F\n"
	"       " CLI_PROG " token rotate PF --broker S\n"
	"\n"
	"rotate: ask the VF token broker listening on socket S (vftokend) "
	"to give\n"
	"PF a new random token: the broker sets it on the PF and rewrites "
	"the PF's\n"
	"token file; VFs already open keep working, new opens need the new "
	"token.\n"
	"Only the new token's fingerprint is printed.\n"
	"\n"
	"generate: write a new random token to the new file F (mode "
	"0600) and\n"
	"print its fingerprint; nothing is set. Use it later with "
	"--token-file F.\n"
	"\n"
	"set: "
	"set the VF token of PF (an SR-IOV PF bound to vfio-pci) with "
	"VFIO_DEVICE_FEATURE.\n"
	"VF users must then open the VFs with this token. Only the "
	"token's\n"
	"fingerprint is printed, never the token.\n"
	"\n"
	"NEW, exactly one of:\n"
	"  --token-file F        read the token from F (regular file, "
	"yours, mode 0600)\n"
	"  --token-env VAR       read the token from environment "
	"variable VAR\n"
	"  --generate --out F    generate a random token and write it "
	"to the new\n"
	"                        file F (mode 0600; F must not exist)\n"
	"  --token UUID          discouraged: visible in the process "
	"list\n"
	"\n"
	"CURRENT: the PF can be opened without a token only while no "
	"VF is open.\n"
	"While VFs are in use, give the token in force:\n"
	"  --current-token-file F | --current-token-env VAR | "
	"--current-token UUID\n"
	"\n"
	"  --help, -h            this text\n"
	"\n";

static int
tk_opt(void *ctx, int c, const char *name, char *arg)
{
	struct tk_opts *o = ctx;

	switch (c) {
	case 'g':
		o->generate = true;
		return 0;
	case 'o':
		if (o->out != NULL) {
			cli_error("--out given twice");
			return CLI_EXIT_USAGE;
		}
		if (strcmp(arg, "-") == 0) {
			cli_error("--out -: a token is a secret and is never "
				  "written to standard output; give the path "
				  "of a new file (created with mode 0600)");
			return CLI_EXIT_USAGE;
		}
		o->out = arg;
		return 0;
	case 't':
		return tok_src_set(&o->next, name, arg);
	case 'c':
		return tok_src_set(&o->current, name, arg);
	case 'b':
		o->broker = arg;
		return 0;
	default:
		return CLI_EXIT_USAGE;
	}
}

static const struct option tk_options[] = {
	TOK_SRC_OPTIONS("", 't'),
	TOK_SRC_OPTIONS("current-", 'c'),
	{ "generate", no_argument, NULL, 'g' },
	{ "out", required_argument, NULL, 'o' },
	{ "broker", required_argument, NULL, 'b' },
	CLI_GETOPT_END,
};

static const struct cli_cmd tk_cmd = { "token set", tk_usage, tk_options,
				       tk_opt };

/* Exactly one new-token source; --out goes with --generate. */
static int
tk_check(const struct tk_opts *o)
{
	int rc = tok_src_check(&o->next);

	if (rc == 0)
		rc = tok_src_check(&o->current);
	if (rc != 0)
		return rc;
	if (o->generate == tok_src_given(&o->next)) {
		cli_error("token set needs exactly one new token: "
			  "--token-file F, --token-env VAR or --generate "
			  "--out F");
		return CLI_EXIT_USAGE;
	}
	if (o->generate && o->out == NULL) {
		cli_error("--generate needs --out F: a generated token is "
			  "written to a new 0600 file, never to the terminal");
		return CLI_EXIT_USAGE;
	}
	if (!o->generate && o->out != NULL) {
		cli_error("--out goes with --generate");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* The PF must be an SR-IOV PF on vfio-pci for it to hold a VF token. */
static int
tk_check_pf(const struct tk_opts *o)
{
	struct vft_pci_dev *pf = malloc(sizeof(*pf));
	char name[VFT_PCI_ADDR_LEN];
	struct vft_err err;
	int rc = 0;

	if (pf == NULL)
		return CLI_EXIT_FAILURE;
	vft_err_clear(&err);
	if (vft_pci_dev_read(&o->sys, &o->pf, pf, &err) != 0) {
		cli_error("%s", err.msg);
		rc = CLI_EXIT_NO_DEVICE;
	} else if (pf->is_vf) {
		vft_pci_addr_format(&pf->pf, name);
		cli_error("%s is a VF; the VF token is set on its PF %s",
			  pf->name, name);
		rc = CLI_EXIT_PRECONDITION;
	} else if (!pf->sriov_capable) {
		cli_error("%s is not an SR-IOV PF (no sriov_totalvfs): it has "
			  "no VF token",
			  pf->name);
		rc = CLI_EXIT_PRECONDITION;
	} else if (!vft_pci_dev_on_vfio(pf)) {
		cli_error("%s is on %s, not vfio-pci: its VFs are not "
			  "token-gated (%s vfs create %s N --bind)",
			  pf->name, pf->driver[0] ? pf->driver : "no driver",
			  CLI_PROG, pf->name);
		rc = CLI_EXIT_NOT_VFIO;
	}
	free(pf);
	return rc;
}

static int
tk_get_tokens(const struct tk_opts *o, struct tk_run *r)
{
	struct vft_err err;
	int rc;

	rc = tok_src_load(&o->current, &r->current);
	if (rc != 0)
		return rc;
	if (!o->generate)
		return tok_src_load(&o->next, &r->next);
	vft_err_clear(&err);
	if (vft_token_generate(&r->next, &err) != 0) {
		cli_error("generating a token: %s", err.msg);
		return CLI_EXIT_FAILURE;
	}
	/* Write first: a token set but lost would lock every VF user out. */
	if (vft_token_write_file(o->out, &r->next, &err) != 0) {
		cli_error("--out: %s", err.msg);
		return CLI_EXIT_TOKEN_SOURCE;
	}
	r->wrote_out = true;
	return 0;
}

static int
tk_open(const struct tk_opts *o, struct tk_run *r)
{
	bool cur = vft_token_present(&r->current);
	struct vft_explanation why;
	char name[VFT_PCI_ADDR_LEN];

	memset(&why, 0, sizeof(why));
	if (vft_open(&o->sys, &o->pf, cur ? &r->current : NULL, &r->h, &why) ==
	    0) {
		r->opened = true;
		return 0;
	}
	vft_pci_addr_format(&o->pf, name);
	cli_error("opening PF %s: %s [%s]", name, why.reason,
		  vft_verdict_name(why.verdict));
	if (why.fix[0] != '\0')
		cli_note("fix: %s", why.fix);
	if (why.verdict == VFT_V_PF_HAS_VF_USERS || why.error == -EACCES)
		cli_note("the token can only be changed while no VF is open, "
			 "unless the current token is given "
			 "(--current-token-file F or --current-token-env VAR)");
	return cli_exit_for_verdict(why.verdict, cur);
}

static int
tk_set(const struct tk_opts *o, struct tk_run *r)
{
	char name[VFT_PCI_ADDR_LEN];
	struct vft_err err;
	int rc;

	vft_pci_addr_format(&o->pf, name);
	vft_err_clear(&err);
	rc = vft_device_vf_token_probe(&r->h.device, &err);
	if (rc != 0) {
		cli_error("%s does not take a VF token through "
			  "VFIO_DEVICE_FEATURE (needs Linux 5.7+): %s",
			  name, err.msg);
		return CLI_EXIT_FAILURE;
	}
	vft_err_clear(&err);
	rc = vft_device_vf_token_set(&r->h.device, &r->next, &err);
	if (rc != 0) {
		cli_error("setting the VF token of %s: %s", name, err.msg);
		return CLI_EXIT_FAILURE;
	}
	return 0;
}

static void
tk_report(const struct tk_opts *o, const struct tk_run *r)
{
	char name[VFT_PCI_ADDR_LEN];
	char fp[VFT_FINGERPRINT_LEN];

	vft_pci_addr_format(&o->pf, name);
	vft_token_fingerprint(&r->next, fp);
	printf("VF token of %s set: %s (source: %s)\n", name, fp,
	       vft_token_source_name(r->next.source));
	if (o->generate)
		printf("token written to %s (mode 0600)\n", o->out);
}

static void
tk_cleanup(const struct tk_opts *o, struct tk_run *r, int rc)
{
	if (r->opened)
		vft_close(&r->h);
	if (rc != 0 && r->wrote_out) {
		/* the file holds a token that is not in force */
		if (unlink(o->out) == 0)
			cli_note("removed %s: the token in it was not set",
				 o->out);
		else
			cli_warn("%s holds a token that was NOT set; remove "
				 "it",
				 o->out);
	}
	vft_token_wipe(&r->next);
	vft_token_wipe(&r->current);
}

static int
tk_set_cmd(struct tk_opts *o, int argc, char **argv)
{
	struct tk_run r;
	int rc;

	if (argc != 1) {
		cli_error("token set takes one PF address, got %d arguments",
			  argc);
		return CLI_EXIT_USAGE;
	}
	rc = cli_parse_addr(argv[0], "PF", &o->pf);
	if (rc == 0)
		rc = tk_check(o);
	if (rc == 0)
		rc = tk_check_pf(o);
	if (rc != 0)
		return rc;
	memset(&r, 0, sizeof(r));
	rc = tk_get_tokens(o, &r);
	if (rc == 0)
		rc = tk_open(o, &r);
	if (rc == 0)
		rc = tk_set(o, &r);
	if (rc == 0)
		tk_report(o, &r);
	tk_cleanup(o, &r, rc);
	return rc;
}

/* token generate --out F: the --generate half of set, nothing set. */
static int
tk_generate_cmd(struct tk_opts *o, int argc)
{
	struct tk_run r;
	int rc;

	if (argc != 0 || tok_src_given(&o->next) ||
	    tok_src_given(&o->current) || o->out == NULL) {
		cli_error("token generate takes only --out F");
		return CLI_EXIT_USAGE;
	}
	o->generate = true;
	memset(&r, 0, sizeof(r));
	rc = tk_get_tokens(o, &r);
	if (rc == 0) {
		char fp[VFT_FINGERPRINT_LEN];

		vft_token_fingerprint(&r.next, fp);
		printf("token %s written to %s (mode 0600)\n", fp, o->out);
	}
	vft_token_wipe(&r.next);
	return rc;
}

/* token rotate PF --broker S: the broker makes, sets and keeps the token. */
static int
tk_rotate_cmd(struct tk_opts *o, int argc, char **argv)
{
	char name[VFT_PCI_ADDR_LEN], fp[VFT_FINGERPRINT_LEN];
	struct vft_err err;
	int rc;

	if (argc != 1 || o->broker == NULL || tok_src_given(&o->next) ||
	    tok_src_given(&o->current) || o->generate || o->out != NULL) {
		cli_error("token rotate takes one PF address and --broker S "
			  "only: the broker makes the new token");
		return CLI_EXIT_USAGE;
	}
	rc = cli_parse_addr(argv[0], "PF", &o->pf);
	if (rc != 0)
		return rc;
	vft_pci_addr_format(&o->pf, name);
	vft_err_clear(&err);
	if (vft_broker_rotate(o->broker, &o->pf, fp, &err) < 0) {
		cli_error("rotating the VF token of %s: %s", name, err.msg);
		return cli_exit_for_broker(o->broker, err.code);
	}
	printf("VF token of %s rotated by the broker: %s\n", name, fp);
	return 0;
}

int
cmd_token(int argc, char **argv)
{
	struct cli_cmd cmd;
	struct tk_opts o;
	int rc;

	bool rotate = argc >= 2 && strcmp(argv[1], "rotate") == 0;

	rc = rotate ? 0
		    : cli_subcommand(&tk_cmd, "token", "set", "generate", argc,
				     argv);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	memset(&o, 0, sizeof(o));
	vft_sys_init(&o.sys, NULL);
	tok_src_init(&o.next, "");
	tok_src_init(&o.current, "current-");
	/* errors name the command given: token set, generate or rotate */
	cmd = tk_cmd;
	cmd.name = strcmp(argv[1], "generate") == 0 ? "token generate"
		   : rotate			    ? "token rotate"
						    : "token set";
	rc = cli_getopt(&cmd, &o.sys, &o, argc - 1, argv + 1);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (strcmp(argv[1], "generate") == 0)
		return tk_generate_cmd(&o, argc - 1 - optind);
	if (rotate)
		return tk_rotate_cmd(&o, argc - 1 - optind, argv + 1 + optind);
	return tk_set_cmd(&o, argc - 1 - optind, argv + 1 + optind);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The application's own options (after EAL's "--") and the devargs it
 * builds for the PF. Every token travels as a file path (vf_token_file=),
 * never as a value: argv is world-readable in /proc and EAL copies it to
 * telemetry's /eal/params.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_opts.h"
#include "sriov_fwd.h"

#define FWD_SECS_MAX 86400u

void
fwd_opts_usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [EAL options] -- --pf ADDR --num-vfs N "
		"--token-file F\n"
		"         --vf ADDR0 --vf ADDR1 [--rotate-after SECS "
		"--new-token-file F2]\n"
		"         [--duration SECS] [--stats-json PATH]\n"
		"\n"
		"  --pf ADDR            SR-IOV PF bound to vfio-pci, owned "
		"through the sriov bus\n"
		"  --num-vfs N          VFs the PF gets (at least 2)\n"
		"  --token-file F       VF token (UUID, mode 0600) set on the "
		"PF and used for the VFs\n"
		"  --vf ADDR            a VF of the PF to forward on; give it "
		"twice\n"
		"  --rotate-after SECS  set the token from --new-token-file "
		"after SECS of forwarding\n"
		"  --new-token-file F2  the token to rotate to (mode 0600)\n"
		"  --duration SECS      stop after SECS of forwarding "
		"(default: at SIGINT/SIGTERM)\n"
		"  --stats-json PATH    write the final counters as JSON\n",
		prog);
}

static int
fwd_opts_uint(const char *opt, const char *val, unsigned int min,
	      unsigned int max, unsigned int *out)
{
	if (app_parse_uint(val, min, max, out) == 0)
		return 0;
	fprintf(stderr,
		"sriov-fwd: %s '%s': expected a whole number from %u to %u\n",
		opt, val, min, max);
	return -EINVAL;
}

/* A PCI address, kept in its canonical form "dddd:bb:dd.f". */
static int
fwd_opts_addr(const char *opt, const char *val, char out[VFT_PCI_ADDR_LEN])
{
	struct vft_pci_addr a;

	if (vft_pci_addr_parse(val, &a) < 0) {
		fprintf(stderr,
			"sriov-fwd: %s '%s': expected a PCI address such as "
			"0000:01:00.0\n",
			opt, val);
		return -EINVAL;
	}
	vft_pci_addr_format(&a, out);
	return 0;
}

/* A path that goes into devargs: no ',' (the devargs separator). */
static int
fwd_opts_path(const char *opt, const char *val, char *out, size_t len)
{
	if (val[0] == '\0' || strlen(val) >= len) {
		fprintf(stderr,
			"sriov-fwd: %s: expected a path of 1 to %zu "
			"characters\n",
			opt, len - 1);
		return -EINVAL;
	}
	if (strchr(val, ',') != NULL) {
		fprintf(stderr,
			"sriov-fwd: %s '%s': a ',' cannot be passed in "
			"devargs; use a path without one\n",
			opt, val);
		return -EINVAL;
	}
	snprintf(out, len, "%s", val);
	return 0;
}

static int
fwd_opts_vf(struct fwd_opts *o, const char *val)
{
	if (o->n_vf == FWD_NB_VF) {
		fprintf(stderr,
			"sriov-fwd: --vf '%s': expected exactly %d "
			"--vf options\n",
			val, FWD_NB_VF);
		return -EINVAL;
	}
	return fwd_opts_addr("--vf", val, o->vf[o->n_vf++]);
}

/* One option; -h, --help and a refused one end parsing (main prints usage). */
static int
fwd_opts_one(void *ctx, int c, const char *name, char *val)
{
	struct fwd_opts *o = ctx;

	(void)name;
	switch (c) {
	case 'p':
		return fwd_opts_addr("--pf", val, o->pf);
	case 'n':
		return fwd_opts_uint("--num-vfs", val, FWD_NB_VF, VFT_MAX_VFS,
				     &o->num_vfs);
	case 't':
		return fwd_opts_path("--token-file", val, o->token_file,
				     sizeof(o->token_file));
	case 'v':
		return fwd_opts_vf(o, val);
	case 'r':
		return fwd_opts_uint("--rotate-after", val, 1, FWD_SECS_MAX,
				     &o->rotate_after);
	case 'N':
		return fwd_opts_path("--new-token-file", val, o->new_token_file,
				     sizeof(o->new_token_file));
	case 'd':
		return fwd_opts_uint("--duration", val, 1, FWD_SECS_MAX,
				     &o->duration);
	case 's':
		return fwd_opts_path("--stats-json", val, o->stats_json,
				     sizeof(o->stats_json));
	default:
		return -EINVAL;
	}
}

static int
fwd_opts_check(const struct fwd_opts *o)
{
	if (o->pf[0] == '\0' || o->num_vfs == 0 || o->token_file[0] == '\0' ||
	    o->n_vf != FWD_NB_VF) {
		fprintf(stderr,
			"sriov-fwd: --pf, --num-vfs, --token-file and two "
			"--vf are required\n");
		return -EINVAL;
	}
	if (strcmp(o->vf[0], o->vf[1]) == 0) {
		fprintf(stderr,
			"sriov-fwd: --vf %s given twice: expected two "
			"different VFs\n",
			o->vf[0]);
		return -EINVAL;
	}
	if ((o->rotate_after != 0) != (o->new_token_file[0] != '\0')) {
		fprintf(stderr, "sriov-fwd: --rotate-after and "
				"--new-token-file go together\n");
		return -EINVAL;
	}
	if (o->rotate_after != 0 && o->duration != 0 &&
	    o->rotate_after >= o->duration) {
		fprintf(stderr,
			"sriov-fwd: --rotate-after %u: expected less than "
			"--duration %u\n",
			o->rotate_after, o->duration);
		return -EINVAL;
	}
	return 0;
}

int
fwd_opts_parse(int argc, char **argv, struct fwd_opts *o)
{
	static const struct option opts[] = {
		{ "pf", required_argument, NULL, 'p' },
		{ "num-vfs", required_argument, NULL, 'n' },
		{ "token-file", required_argument, NULL, 't' },
		{ "vf", required_argument, NULL, 'v' },
		{ "rotate-after", required_argument, NULL, 'r' },
		{ "new-token-file", required_argument, NULL, 'N' },
		{ "duration", required_argument, NULL, 'd' },
		{ "stats-json", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	memset(o, 0, sizeof(*o));
	if (app_getopt(argc, argv, opts, false, fwd_opts_one, o) != 0)
		return -EINVAL;
	if (optind < argc) {
		fprintf(stderr, "sriov-fwd: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	return fwd_opts_check(o);
}

/*
 * "-a" value for the PF: the pci bus's name plus the sriov bus's keys,
 * which make the bus take it, create num_vfs VFs and set the token read
 * from the file before net_e1000_igb (or another PF driver) probes it.
 */
int
fwd_pf_devargs(const struct fwd_opts *o, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s,num_vfs=%u,vf_token_file=%s", o->pf,
			 o->num_vfs, o->token_file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

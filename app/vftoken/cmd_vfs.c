/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * vftoken vfs create PF N [--bind] / vftoken vfs destroy PF.
 *
 * Kernel rules this follows: sriov_numvfs on a vfio-pci PF needs vfio-pci's
 * enable_sriov=1 (else -ENOENT); vfio-pci refuses to bind a PF that already
 * has VFs (-EBUSY) (both in doc/guides/token_model.rst, "Kernel rules");
 * going from N VFs to M needs 0 in between and the kernel creates VFs only
 * through a bound PF driver (sriov_numvfs_store() in drivers/pci/iov.c).
 * With the PF on vfio-pci, vfio-pci sets the new VFs' driver_override so they
 * come up on vfio-pci, token-gated (vfio_pci_bus_notifier() in
 * drivers/vfio/pci/vfio_pci_core.c).
 */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vftoken_cli.h"

#define VFS_POLL_MS 100

struct vfs_opts {
	struct vft_sys sys;
	bool bind;
	unsigned int wait_s;
	const char *pf_arg;
	struct vft_pci_addr pf;
	unsigned int n;
};

static const char vfs_usage[] =
	"Usage: " CLI_PROG " vfs create PF N [--bind]\n"
	"       " CLI_PROG " vfs destroy PF\n"
	"\n"
	"create: create N VFs on the SR-IOV PF (writes sriov_numvfs) "
	"and wait\n"
	"until they appear. With the PF on vfio-pci (needs vfio-pci "
	"loaded with\n"
	"enable_sriov=1) the VFs come up on vfio-pci and are gated by "
	"the PF's\n"
	"VF token; on a kernel driver (e.g. igb) they are not "
	"token-gated.\n"
	"The PF must have no VFs yet.\n"
	"\n"
	"destroy: remove all VFs of PF (writes 0 to sriov_numvfs).\n"
	"\n"
	"Options:\n"
	"  --bind        bind the PF to vfio-pci first "
	"(driver_override)\n"
	"  --help, -h    this text\n"
	"\n";

static int
vfs_opt(void *ctx, int c, const char *name, char *arg)
{
	struct vfs_opts *o = ctx;

	(void)name;
	switch (c) {
	case 'b':
		o->bind = true;
		return 0;
	case 'w':
		return cli_parse_uint(arg, "--wait", 0, 600, &o->wait_s);
	default:
		return CLI_EXIT_USAGE;
	}
}

static const struct option vfs_options[] = {
	{ "bind", no_argument, NULL, 'b' },
	{ "wait", required_argument, NULL, 'w' },
	CLI_GETOPT_END,
};

static const struct cli_cmd vfs_cmd = { "vfs", vfs_usage, vfs_options,
					vfs_opt };

/* Read the PF and refuse what cannot hold VFs. */
static int
vfs_read_pf(const struct vfs_opts *o, struct vft_pci_dev *pf)
{
	struct vft_err err;
	int rc;

	vft_err_clear(&err);
	rc = vft_pci_dev_read(&o->sys, &o->pf, pf, &err);
	if (rc != 0) {
		cli_error("%s", err.msg);
		return cli_exit_for_errno(rc);
	}
	if (pf->is_vf) {
		char name[VFT_PCI_ADDR_LEN];

		vft_pci_addr_format(&pf->pf, name);
		cli_error("%s is a VF; VFs are created on its PF %s", pf->name,
			  name);
		return CLI_EXIT_PRECONDITION;
	}
	if (!pf->sriov_capable) {
		cli_error("%s is not SR-IOV capable (no sriov_totalvfs in "
			  "sysfs): it cannot have VFs",
			  pf->name);
		return CLI_EXIT_PRECONDITION;
	}
	return 0;
}

static int
vfs_check_counts(const struct vfs_opts *o, const struct vft_pci_dev *pf)
{
	if (o->n > pf->total_vfs) {
		cli_error("%u VFs requested, but %s supports at most %u "
			  "(sriov_totalvfs)",
			  o->n, pf->name, pf->total_vfs);
		return CLI_EXIT_PRECONDITION;
	}
	if (pf->num_vfs > 0) {
		cli_error("%s already has %u VF%s; destroy them first: "
			  "%s vfs destroy %s",
			  pf->name, pf->num_vfs, pf->num_vfs == 1 ? "" : "s",
			  CLI_PROG, pf->name);
		return CLI_EXIT_PRECONDITION;
	}
	return 0;
}

/* vfio-pci must be loaded with enable_sriov=1 to create VFs on its PFs. */
static int
vfs_check_enable_sriov(const struct vfs_opts *o)
{
	int v = vft_vfio_pci_enable_sriov(&o->sys);

	if (v == 1)
		return 0;
	if (v == 0)
		cli_error("vfio-pci's enable_sriov is N, so the kernel refuses "
			  "VFs on a vfio-pci PF: modprobe -r vfio-pci && "
			  "modprobe vfio-pci enable_sriov=1");
	else
		cli_error("vfio-pci is not loaded: modprobe vfio-pci "
			  "enable_sriov=1");
	return CLI_EXIT_PRECONDITION;
}

static int
vfs_bind(const struct vfs_opts *o, struct vft_pci_dev *pf)
{
	struct vft_err err;
	int rc;

	rc = vfs_check_enable_sriov(o);
	if (rc != 0)
		return rc;
	vft_err_clear(&err);
	rc = vft_pci_bind_vfio(&o->sys, &o->pf, &err);
	if (rc != 0) {
		cli_error("binding %s to vfio-pci: %s", pf->name, err.msg);
		return cli_exit_for_errno(rc);
	}
	rc = vfs_read_pf(o, pf);
	if (rc != 0)
		return rc;
	if (!vft_pci_dev_on_vfio(pf)) {
		cli_error("%s is on '%s' after binding to vfio-pci", pf->name,
			  pf->driver);
		return CLI_EXIT_NOT_VFIO;
	}
	printf("%s bound to vfio-pci\n", pf->name);
	return 0;
}

/* The PF's driver decides whether the VFs will be token-gated. */
static int
vfs_check_driver(const struct vfs_opts *o, struct vft_pci_dev *pf)
{
	if (vft_pci_dev_on_vfio(pf))
		return vfs_check_enable_sriov(o);
	if (o->bind)
		return vfs_bind(o, pf);
	if (pf->driver[0] == '\0') {
		cli_error("%s is not bound to any driver; the kernel creates "
			  "VFs only through the PF's driver: add --bind to "
			  "bind it to vfio-pci",
			  pf->name);
		return CLI_EXIT_PRECONDITION;
	}
	cli_warn("%s is on %s, not vfio-pci: its VFs will not be "
		 "token-gated (add --bind to gate them)",
		 pf->name, pf->driver);
	return 0;
}

static void
vfs_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * State of the new VFs: 0 all there (and on vfio-pci when the PF is),
 * 1 still coming, 2 a VF is on another driver (will not change by itself).
 */
static int
vfs_state(const struct vfs_opts *o, const struct vft_pci_dev *pf,
	  struct vft_pci_dev *vf)
{
	bool gated = vft_pci_dev_on_vfio(pf);
	unsigned int i;
	int state = 0;

	if (pf->n_vfs < o->n)
		return 1;
	for (i = 0; i < o->n; i++) {
		if (vft_pci_dev_read(&o->sys, &pf->vfs[i], vf, NULL) != 0)
			return 1;
		if (!gated)
			continue;
		if (vf->driver[0] == '\0')
			state = state ? state : 1;
		else if (!vft_pci_dev_on_vfio(vf))
			state = 2;
	}
	return state;
}

static void
vfs_print_vfs(const struct vfs_opts *o, const struct vft_pci_dev *pf,
	      struct vft_pci_dev *vf)
{
	bool gated = vft_pci_dev_on_vfio(pf);
	unsigned int i;

	for (i = 0; i < pf->n_vfs; i++) {
		char name[VFT_PCI_ADDR_LEN];

		vft_pci_addr_format(&pf->vfs[i], name);
		if (vft_pci_dev_read(&o->sys, &pf->vfs[i], vf, NULL) != 0) {
			printf("  VF%u %s  not readable in sysfs\n", i, name);
			continue;
		}
		printf("  VF%u %s  driver=%s  iommu_group=%d  %s\n", i, name,
		       vf->driver[0] ? vf->driver : "none", vf->iommu_group,
		       gated ? "token-gated" : "not token-gated");
		if (gated && vf->driver[0] != '\0' && !vft_pci_dev_on_vfio(vf))
			cli_error("VF %s came up bound to %s, not vfio-pci "
				  "(a driver_override or another driver took "
				  "it)",
				  name, vf->driver);
	}
}

/* Poll sysfs until the VFs are there (and on vfio-pci if gated). */
static int
vfs_verify(const struct vfs_opts *o, struct vft_pci_dev *pf,
	   struct vft_pci_dev *vf)
{
	unsigned int waited = 0;
	int state;

	for (;;) {
		if (vft_pci_dev_read(&o->sys, &o->pf, pf, NULL) != 0)
			return CLI_EXIT_NO_DEVICE;
		state = vfs_state(o, pf, vf);
		if (state != 1 || waited >= o->wait_s * 1000)
			break;
		vfs_sleep_ms(VFS_POLL_MS);
		waited += VFS_POLL_MS;
	}
	printf("%s: %u of %u VFs present (PF driver %s)\n", pf->name, pf->n_vfs,
	       o->n, pf->driver[0] ? pf->driver : "none");
	vfs_print_vfs(o, pf, vf);
	if (state == 0)
		return 0;
	if (state == 1)
		cli_error("the VFs of %s did not all appear%s within %u s",
			  pf->name,
			  vft_pci_dev_on_vfio(pf) ? " on vfio-pci" : "",
			  o->wait_s);
	return CLI_EXIT_VFS_NOT_READY;
}

static int
vfs_create_run(const struct vfs_opts *o, struct vft_pci_dev *pf,
	       struct vft_pci_dev *vf)
{
	struct vft_err err;
	int rc;

	rc = vfs_read_pf(o, pf);
	if (rc == 0)
		rc = vfs_check_counts(o, pf);
	if (rc == 0)
		rc = vfs_check_driver(o, pf);
	if (rc != 0)
		return rc;
	vft_err_clear(&err);
	rc = vft_pci_set_num_vfs(&o->sys, &o->pf, o->n, &err);
	if (rc != 0) {
		cli_error("creating %u VFs on %s: %s", o->n, pf->name, err.msg);
		return cli_exit_for_errno(rc);
	}
	rc = vfs_verify(o, pf, vf);
	if (rc == 0 && vft_pci_dev_on_vfio(pf))
		printf("next: %s token set %s --generate --out FILE\n",
		       CLI_PROG, pf->name);
	return rc;
}

static int
vfs_destroy_run(const struct vfs_opts *o, struct vft_pci_dev *pf)
{
	struct vft_err err;
	unsigned int had;
	int rc;

	rc = vfs_read_pf(o, pf);
	if (rc != 0)
		return rc;
	if (pf->num_vfs == 0) {
		printf("%s has no VFs\n", pf->name);
		return 0;
	}
	had = pf->num_vfs;
	vft_err_clear(&err);
	rc = vft_pci_set_num_vfs(&o->sys, &o->pf, 0, &err);
	if (rc != 0) {
		cli_error("removing the VFs of %s: %s", pf->name, err.msg);
		return cli_exit_for_errno(rc);
	}
	printf("%s: removed %u VF%s\n", pf->name, had, had == 1 ? "" : "s");
	return 0;
}

/* Positional arguments after the sub-subcommand. */
static int
vfs_args(struct vfs_opts *o, const char *sub, int argc, char **argv)
{
	bool create = strcmp(sub, "create") == 0;
	int want = create ? 2 : 1;
	int rc;

	if (argc != want) {
		cli_error("vfs %s takes %s, got %d argument%s", sub,
			  create ? "PF and N" : "PF", argc,
			  argc == 1 ? "" : "s");
		return CLI_EXIT_USAGE;
	}
	o->pf_arg = argv[0];
	rc = cli_parse_addr(argv[0], "PF", &o->pf);
	if (rc == 0 && create)
		rc = cli_parse_uint(argv[1], "N", 1, VFT_MAX_VFS, &o->n);
	return rc;
}

static int
vfs_run(struct vfs_opts *o, const char *sub)
{
	struct vft_pci_dev *pf, *vf;
	int rc;

	pf = malloc(sizeof(*pf));
	vf = malloc(sizeof(*vf));
	if (pf == NULL || vf == NULL) {
		free(pf);
		free(vf);
		cli_error("out of memory");
		return CLI_EXIT_FAILURE;
	}
	if (strcmp(sub, "create") == 0)
		rc = vfs_create_run(o, pf, vf);
	else
		rc = vfs_destroy_run(o, pf);
	free(pf);
	free(vf);
	return rc;
}

int
cmd_vfs(int argc, char **argv)
{
	struct vfs_opts o;
	const char *sub;
	int rc;

	rc = cli_subcommand(&vfs_cmd, "vfs", "create", "destroy", argc, argv);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	sub = argv[1];
	memset(&o, 0, sizeof(o));
	vft_sys_init(&o.sys, NULL);
	o.wait_s = CLI_DEFAULT_WAIT_S;
	rc = cli_getopt(&vfs_cmd, &o.sys, &o, argc - 1, argv + 1);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (o.bind && strcmp(sub, "create") != 0) {
		cli_error("--bind is an option of vfs create only");
		return CLI_EXIT_USAGE;
	}
	rc = vfs_args(&o, sub, argc - 1 - optind, argv + 1 + optind);
	if (rc != 0)
		return rc;
	return vfs_run(&o, sub);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * PF helper: what the bus does for an SR-IOV PF before DPDK's PF driver
 * (e.g. net_e1000_igb) runs on it, and the rte_sriov_pf_* API.
 *
 * The PF is opened without a token and the token is set explicitly with
 * VFIO_DEVICE_FEATURE (PCI_VF_TOKEN, SET), not implicitly by an open with
 * vf_token=: the explicit set works whether or not VFs are in use and says
 * clearly when the kernel has no such feature.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sriov_private.h"

static struct sriov_device *
sriov_pf_find(const char *name)
{
	struct sriov_device *sd;

	if (name == NULL)
		return NULL;
	sd = sriov_find_by_name(name);
	if (sd == NULL || sd->role != SRIOV_ROLE_PF || sd->vfio_dev.fd < 0 ||
	    sd->removed)
		return NULL;
	return sd;
}

static int
sriov_pf_set_token(struct sriov_device *sd, const struct vft_token *tok,
		   enum rte_sriov_token_source src)
{
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vft_device_vf_token_probe(&sd->vfio_dev, &err);
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: the kernel cannot set a VF token on it: %s",
			  sd->name, err.msg);
		return ret == -ENOTTY ? -ENOTSUP : ret;
	}
	ret = vft_device_vf_token_set(&sd->vfio_dev, tok, &err);
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: %s", sd->name, err.msg);
		return ret;
	}
	sriov_dev_set_token(sd, tok, src);
	SRIOV_LOG(INFO, "%s: VF token set (%s, from %s)", sd->name,
		  sd->token_fp, rte_sriov_token_source_name(src));
	return 0;
}

/* 1 if VFs of the open PF are in use, 0 if not, -errno. */
static int
sriov_pf_vfs_busy(struct sriov_device *sd)
{
	return sriov_vfio_pf_vfs_in_use(sd);
}

static unsigned int
sriov_pf_read_num_vfs(struct sriov_device *sd)
{
	struct vft_pci_dev *dev = malloc(sizeof(*dev));
	unsigned int n = 0;

	if (dev == NULL)
		return 0;
	if (vft_pci_dev_read_parts(sriov_sys, &sd->addr, dev,
				   VFT_PCI_PART_SRIOV, NULL) == 0)
		n = dev->num_vfs;
	free(dev);
	return n;
}

/* A change of num_vfs from @p cur needs the VFs unused: 0 or -errno. */
static int
sriov_pf_num_vfs_allowed(struct sriov_device *sd, unsigned int cur,
			 unsigned int n)
{
	int ret;

	if (cur == n || cur == 0)
		return 0;
	ret = sriov_pf_vfs_busy(sd);
	if (ret == 0)
		return 0;
	SRIOV_LOG(ERR, "%s: cannot change num_vfs from %u to %u: %s", sd->name,
		  cur, n,
		  ret > 0 ? "its VFs are in use (removing them would wait for "
			    "their users)"
			  : strerror(-ret));
	return ret > 0 ? -EBUSY : ret;
}

static int
sriov_pf_num_vfs(struct sriov_device *sd, unsigned int n)
{
	unsigned int cur = sriov_pf_read_num_vfs(sd);
	struct vft_err err;
	int ret;

	ret = sriov_pf_num_vfs_allowed(sd, cur, n);
	if (ret < 0)
		return ret;
	if (cur == n) {
		sd->pci.max_vfs = (uint16_t)n;
		return 0;
	}
	vft_err_clear(&err);
	ret = vft_pci_set_num_vfs(sriov_sys, &sd->addr, n, &err);
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: num_vfs=%u: %s", sd->name, n, err.msg);
		return ret;
	}
	sd->pci.max_vfs = (uint16_t)sriov_pf_read_num_vfs(sd);
	SRIOV_LOG(INFO, "%s: %u VFs", sd->name, sd->pci.max_vfs);
	return 0;
}

/*
 * Before the PF driver probes: check that num_vfs= can be applied, set the
 * token (if one was given), then create the VFs (num_vfs=), so no VF exists under the previous token and
 * the driver sees the VFs through max_vfs.
 */
int
sriov_pf_prepare(struct sriov_device *sd, const struct sriov_params *p,
		 const struct vft_token *tok)
{
	/* Refuse a num_vfs change the kernel would block before touching
	 * the token. */
	if (p->has_num_vfs) {
		int ret = sriov_pf_num_vfs_allowed(
			sd, sriov_pf_read_num_vfs(sd), p->num_vfs);

		if (ret < 0)
			return ret;
	}
	if (tok != NULL && vft_token_present(tok)) {
		int ret = sriov_pf_set_token(sd, tok, sd->token_src);

		if (ret < 0)
			return ret;
	} else if (sd->token_src == RTE_SRIOV_TOKEN_BROKER) {
		SRIOV_LOG(INFO, "%s: the broker set the VF token", sd->name);
	} else {
		SRIOV_LOG(NOTICE,
			  "%s: no VF token given for this PF: its VFs open "
			  "only with the token vfio-pci chose at bind time "
			  "or one set by another process",
			  sd->name);
	}
	if (p->has_num_vfs)
		return sriov_pf_num_vfs(sd, p->num_vfs);
	sd->pci.max_vfs = (uint16_t)sriov_pf_read_num_vfs(sd);
	return 0;
}

int
rte_sriov_pf_set_token(const char *name, const rte_uuid_t token)
{
	struct sriov_device *sd = sriov_pf_find(name);
	struct vft_token tok;
	int ret;

	if (sd == NULL)
		return -ENODEV;
	if (token == NULL || rte_uuid_is_null(token))
		return -EINVAL;
	memset(&tok, 0, sizeof(tok));
	memcpy(tok.uuid.b, token, VFT_UUID_LEN);
	tok.source = VFT_TOKEN_LITERAL;
	ret = sriov_pf_set_token(sd, &tok, RTE_SRIOV_TOKEN_API);
	vft_token_wipe(&tok);
	return ret;
}

int
rte_sriov_pf_set_num_vfs(const char *name, unsigned int num_vfs)
{
	struct sriov_device *sd = sriov_pf_find(name);

	if (sd == NULL)
		return -ENODEV;
	return sriov_pf_num_vfs(sd, num_vfs);
}

int
rte_sriov_pf_vfs_in_use(const char *name)
{
	struct sriov_device *sd = sriov_pf_find(name);

	if (sd == NULL)
		return -ENODEV;
	return sriov_pf_vfs_busy(sd);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The known state each check starts from (tvk_state_reset(): PF on vfio-pci
 * with enable_sriov=1, TVK_NUM_VFS VFs on vfio-pci, the known token set) and
 * the moves of the NIC without SR-IOV (tvk_other_bind_vfio/restore). Called
 * by the runner (main.c) and the check files; calls only the assertions
 * (tvk_expect.c) and the primitives.
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/vfio.h>

#include "tvk.h"

static int
tvk_vfio_pci_loaded(struct tvk_res *res)
{
	int ret;

	if (!tvk_driver_loaded("vfio-pci")) {
		ret = tvk_modprobe("vfio-pci", "enable_sriov=1");
		if (ret || !tvk_driver_loaded("vfio-pci"))
			return tvk_fail(
				res, "modprobe vfio-pci enable_sriov=1 failed");
	}
	ret = tvk_sysfs_write(TVK_ENABLE_SRIOV, "1");
	if (ret)
		return tvk_fail(res, "write 1 to %s: %s", TVK_ENABLE_SRIOV,
				tvk_errname(-ret));
	return 0;
}

/*
 * A PF can be left with VFs and no driver (pci-pf-stub does not disable
 * SR-IOV on unbind; the PCI core only warns). sriov_numvfs needs a driver
 * with sriov_configure, so borrow pci-pf-stub to write 0.
 */
static int
tvk_disable_orphan_vfs(const char *pf, struct tvk_res *res)
{
	int ret;

	if (tvk_numvfs(pf) <= 0)
		return 0;
	if (!tvk_driver_loaded("pci-pf-stub"))
		tvk_modprobe("pci-pf-stub", NULL);
	ret = tvk_bind(pf, "pci-pf-stub");
	if (ret)
		return tvk_fail(res, "bind %s to pci-pf-stub: %s", pf,
				tvk_errname(-ret));
	ret = tvk_dev_attr_write(pf, "sriov_numvfs", "0");
	if (ret)
		return tvk_fail(res, "disable VFs of %s via pci-pf-stub: %s",
				pf, tvk_errname(-ret));
	return tvk_unbind(pf) ? tvk_fail(res, "unbind %s", pf) : 0;
}

static int
tvk_pf_to_vfio(const char *pf, struct tvk_res *res)
{
	char drv[64];
	int ret;

	ret = tvk_driver_of(pf, drv, sizeof(drv));
	if (ret)
		return tvk_fail(res, "driver of %s: %s", pf, tvk_errname(-ret));
	if (strcmp(drv, "vfio-pci") == 0)
		return 0;
	if (drv[0] != '\0' && tvk_numvfs(pf) > 0) {
		ret = tvk_dev_attr_write(pf, "sriov_numvfs", "0");
		if (ret)
			return tvk_fail(res, "disable VFs of %s under %s: %s",
					pf, drv, tvk_errname(-ret));
	}
	ret = tvk_unbind(pf);
	if (ret)
		return tvk_fail(res, "unbind %s from %s: %s", pf, drv,
				tvk_errname(-ret));
	if (tvk_disable_orphan_vfs(pf, res))
		return -1;
	ret = tvk_bind(pf, "vfio-pci");
	if (ret)
		return tvk_fail(res, "bind %s to vfio-pci: %s", pf,
				tvk_errname(-ret));
	return 0;
}

int
tvk_set_numvfs(const char *pf, int n, struct tvk_res *res)
{
	char val[16];
	int cur, ret;

	cur = tvk_numvfs(pf);
	if (cur < 0)
		return tvk_fail(res, "read %s/sriov_numvfs: %s", pf,
				tvk_errname(-cur));
	if (cur == n)
		return 0;
	if (cur > 0 && n > 0) {
		ret = tvk_dev_attr_write(pf, "sriov_numvfs", "0");
		if (ret)
			return tvk_fail(res, "write 0 to %s/sriov_numvfs: %s",
					pf, tvk_errname(-ret));
	}
	snprintf(val, sizeof(val), "%d", n);
	ret = tvk_dev_attr_write(pf, "sriov_numvfs", val);
	if (ret)
		return tvk_fail(res, "write %d to %s/sriov_numvfs: %s", n, pf,
				tvk_errname(-ret));
	return 0;
}

static int
tvk_set_token(struct tvk_ctx *ctx, const uint8_t *uuid, struct tvk_res *res)
{
	struct tvk_dev pf;
	int ret;

	/* No VF is open here, so the PF opens without a token. */
	if (tvk_expect_open(res, ctx->pf, "", "no token, no VF users", 0, &pf))
		return -1;
	ret = tvk_feature(pf.device, VFIO_DEVICE_FEATURE_SET, uuid, 16);
	tvk_dev_close(&pf);
	if (ret)
		return tvk_fail(res, "VFIO_DEVICE_FEATURE SET on %s: %s",
				ctx->pf, tvk_errname(-ret));
	return 0;
}

/* ctx->vf[] from the PF's virtfnN links, each VF bound to vfio-pci. */
int
tvk_refresh_vfs(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char drv[64];
	int i;

	for (i = 0; i < TVK_NUM_VFS; i++) {
		int ret =
			tvk_virtfn(ctx->pf, i, ctx->vf[i], sizeof(ctx->vf[i]));
		if (ret)
			return tvk_fail(res, "%s/virtfn%d: %s", ctx->pf, i,
					tvk_errname(-ret));
		ret = tvk_driver_of(ctx->vf[i], drv, sizeof(drv));
		if (ret == 0 && strcmp(drv, "vfio-pci") != 0)
			ret = tvk_bind(ctx->vf[i], "vfio-pci");
		if (ret)
			return tvk_fail(res, "bind VF %s to vfio-pci: %s",
					ctx->vf[i], tvk_errname(-ret));
	}
	return 0;
}

int
tvk_state_reset(struct tvk_ctx *ctx, struct tvk_res *res)
{
	int ret;

	if (tvk_vfio_pci_loaded(res) || tvk_pf_to_vfio(ctx->pf, res))
		return -1;
	ret = tvk_dev_attr_write(ctx->pf, "sriov_drivers_autoprobe", "1");
	if (ret)
		return tvk_fail(res, "sriov_drivers_autoprobe of %s: %s",
				ctx->pf, tvk_errname(-ret));
	if (tvk_set_numvfs(ctx->pf, TVK_NUM_VFS, res) ||
	    tvk_refresh_vfs(ctx, res))
		return -1;
	return tvk_set_token(ctx, ctx->token, res);
}

int
tvk_other_restore(const char *addr, const char *orig)
{
	int ret;

	ret = tvk_unbind(addr);
	if (ret == 0)
		ret = tvk_dev_attr_write(addr, "driver_override", "\n");
	if (ret == 0 && orig[0] != '\0') {
		char path[128];

		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind",
			 orig);
		ret = tvk_sysfs_write(path, addr);
	}
	return ret;
}

/*
 * Put the NIC without SR-IOV on vfio-pci; its driver before goes to ORIG
 * for tvk_other_restore().
 */
int
tvk_other_bind_vfio(const char *addr, char *orig, size_t len,
		    struct tvk_res *res)
{
	char tot[16];
	int ret;

	ret = tvk_driver_of(addr, orig, len);
	if (ret)
		return tvk_fail(res, "driver of %s: %s", addr,
				tvk_errname(-ret));
	if (tvk_dev_attr_read(addr, "sriov_totalvfs", tot, sizeof(tot)) == 0)
		return tvk_fail(res,
				"%s has an SR-IOV capability; --other needs a "
				"NIC without SR-IOV",
				addr);
	ret = tvk_bind(addr, "vfio-pci");
	if (ret)
		return tvk_fail(res, "bind %s to vfio-pci: %s", addr,
				tvk_errname(-ret));
	return 0;
}

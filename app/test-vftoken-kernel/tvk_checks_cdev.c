/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The VF token rules on the cdev path (Linux 6.17+): the same matrix as the
 * group path, asked through VFIO_DEVICE_BIND_IOMMUFD on
 * /dev/vfio/devices/vfioN. Same state before each check as in
 * tvk_state.c (PF on vfio-pci, TVK_NUM_VFS VFs on vfio-pci, the known
 * token set, no fd open); the runner skips these checks with the reason
 * when the kernel has no IOMMUFD or no VFIO_DEVICE_CDEV.
 *
 * Errno sources in the kernel (Linux 7.2):
 * - drivers/vfio/device_cdev.c vfio_df_ioctl_bind_iommufd(): argsz below
 *   offsetofend(out_devid) -> -EINVAL; a non-zero byte past the kernel's
 *   struct -> -E2BIG (copy_struct_from_user); iommufd < 0 or an unknown
 *   flag -> -EINVAL; the group is open -> -EBUSY
 *   (vfio_device_block_group()); bound already -> -EINVAL; then
 *   vfio_df_check_token(): the token flag on a driver without
 *   match_token_uuid -> -EINVAL, an unreadable token_uuid_ptr -> -EFAULT,
 *   else the driver's match_token_uuid() with the UUID or NULL.
 * - drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_match_token_uuid(): the
 *   rules of the group path (tvk_checks.c), shared by both paths: VF users
 *   of a PF are counted the same whichever path opened the VF.
 * - drivers/vfio/group.c vfio_group_fops_open(): a device of the group
 *   bound through its cdev -> -EBUSY.
 * - drivers/vfio/vfio_main.c vfio_device_fops_unl_ioctl(): any ioctl but
 *   the bind before a successful bind -> -EINVAL.
 * The cdev token is commit 86624ba3b522 (Linux 6.17, backported to
 * 6.16.y); as merged it copied only the pre-6.17 struct size and answered
 * every bind that set token_uuid_ptr with -E2BIG, until 2f03f21fe751
 * (6.19 and 6.18.3; no 6.17.y fix known). 7.2 copies
 * sizeof(struct vfio_device_bind_iommufd). Kernels 6.6 to 6.16.0 refuse
 * any bind flag with -EINVAL and check no token on this path at all
 * (doc/guides/kernel_matrix.rst).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "tvk.h"
#include "tvk_cdev.h"

/*
 * Bind ADDR through its cdev (with the token flag iff UUID) and assert the
 * errno (EXPECT > 0) or success; a successful bind also allocates and
 * attaches an IOAS. With KEEP a bound device stays open in KEEP.
 */
int
tvk_expect_bind(struct tvk_res *res, const char *addr, const uint8_t *uuid,
		const char *label, int expect, struct tvk_cdev *keep)
{
	char err[256];
	struct tvk_cdev c;
	int ret;

	if (tvk_cdev_open(addr, &c, err, sizeof(err)))
		return tvk_fail(res, "cdev of %s (%s): set-up failed: %s", addr,
				label, err);
	ret = tvk_cdev_bind(&c, uuid);
	if (ret != -expect) {
		tvk_cdev_close(&c);
		return tvk_fail(
			res, "BIND_IOMMUFD %s (%s): expected %s, got %s%s",
			addr, label, tvk_errname(expect), tvk_errname(-ret),
			ret == -E2BIG
				? " (the token bug of 6.17, 6.18.0-6.18.2 "
				  "and 6.16.y with the backport, fixed by "
				  "2f03f21fe751 in 6.19 and 6.18.3)"
			: ret == -EINVAL && uuid
				? " (a kernel without 86624ba3b522, before "
				  "6.17, refuses the token flag)"
				: "");
	}
	if (ret == 0) {
		ret = tvk_cdev_attach_ioas(&c);
		if (ret) {
			tvk_cdev_close(&c);
			return tvk_fail(res,
					"%s (%s) bound, IOAS alloc + "
					"ATTACH_IOMMUFD_PT: %s",
					addr, label, tvk_errname(-ret));
		}
	}
	if (ret == 0 && keep)
		*keep = c;
	else
		tvk_cdev_close(&c);
	return 0;
}

/* ---- nodes and the unbound fd --------------------------------------- */

static int
tvk_cdev_node_ok(const char *addr, struct tvk_res *res)
{
	char name[32], path[64];
	int ret;

	ret = tvk_cdev_name(addr, name, sizeof(name));
	if (ret)
		return tvk_fail(res, "%s/vfio-dev/vfioN: %s", addr,
				tvk_errname(-ret));
	ret = tvk_cdev_path(addr, path, sizeof(path));
	if (ret)
		return tvk_fail(res,
				"/dev/vfio/devices/%s of %s (char device of "
				"the sysfs dev number): %s",
				name, addr, tvk_errname(-ret));
	tvk_note("cdev-nodes", "%s -> %s", addr, path);
	return 0;
}

int
tvk_cdev_nodes(struct tvk_ctx *ctx, struct tvk_res *res)
{
	int i;

	if (access("/dev/iommu", R_OK | W_OK) < 0)
		return tvk_fail(res, "/dev/iommu: %s", tvk_errname(errno));
	if (tvk_cdev_node_ok(ctx->pf, res))
		return -1;
	for (i = 0; i < TVK_NUM_VFS; i++)
		if (tvk_cdev_node_ok(ctx->vf[i], res))
			return -1;
	return 0;
}

/* Access is granted only by a successful bind. */
int
tvk_cdev_unbound(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct tvk_vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	char err[256];
	struct tvk_cdev c;
	int ret = 0;

	if (tvk_cdev_open(ctx->vf[0], &c, err, sizeof(err)))
		return tvk_fail(res, "cdev of %s: set-up failed: %s",
				ctx->vf[0], err);
	if (ioctl(c.device, VFIO_DEVICE_GET_INFO, &info) == 0 ||
	    errno != EINVAL)
		ret = tvk_fail(res,
			       "GET_INFO on an unbound cdev fd: expected "
			       "EINVAL, got %s",
			       tvk_errname(errno));
	if (ret == 0 &&
	    (ioctl(c.device, TVK_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == 0 ||
	     errno != EINVAL))
		ret = tvk_fail(res,
			       "ATTACH_IOMMUFD_PT on an unbound cdev fd: "
			       "expected EINVAL, got %s",
			       tvk_errname(errno));
	tvk_cdev_close(&c);
	return ret;
}

/* ---- VF binds, PF on vfio-pci ---------------------------------------- */

int
tvk_cdev_vf_no_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_expect_bind(res, ctx->vf[0], NULL, "VF, no token flag",
			       EACCES, NULL);
}

int
tvk_cdev_vf_wrong_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	ret = tvk_expect_bind(res, ctx->vf[0], u, "VF, wrong token", EACCES,
			      NULL);
	tvk_wipe(s, sizeof(s));
	tvk_wipe(u, sizeof(u));
	return ret;
}

/* Every VF binds with the token, gets an IOAS and answers GET_INFO. */
int
tvk_cdev_vf_right_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct tvk_cdev c;
	int i, ret = 0;

	for (i = 0; i < TVK_NUM_VFS && ret == 0; i++) {
		if (tvk_expect_bind(res, ctx->vf[i], ctx->token,
				    "VF, right token", 0, &c))
			return -1;
		if (ioctl(c.device, VFIO_DEVICE_GET_INFO, &info) < 0)
			ret = tvk_fail(res, "GET_INFO on bound %s: %s",
				       ctx->vf[i], tvk_errname(errno));
		else if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
			ret = tvk_fail(res, "%s: not a PCI vfio device",
				       ctx->vf[i]);
		else
			tvk_note("cdev-vf-right-token",
				 "%s bound: devid %u, IOAS %u, %u regions",
				 ctx->vf[i], c.devid, c.ioas, info.num_regions);
		tvk_cdev_close(&c);
	}
	return ret;
}

/*
 * Malformed binds are refused before the token is looked at, and each
 * refusal undoes the group block: the right bind still works after them.
 */
int
tvk_cdev_bind_args(struct tvk_ctx *ctx, struct tvk_res *res)
{
	static const struct {
		const char *what;
		uint32_t argsz, flags;
		int bad_fd, null_uuid, expect;
	} cases[] = {
		{ "argsz 8 (below minsz 16)", 8, 0, 0, 0, EINVAL },
		{ "unknown flag bit 1", 24, 2, 0, 0, EINVAL },
		{ "iommufd -1", 24, 0, 1, 0, EINVAL },
		{ "token flag, token_uuid_ptr NULL", 24, 1, 0, 1, EFAULT },
		{ "token flag, argsz 16 (no token_uuid_ptr field)", 16, 1, 0, 0,
		  EFAULT },
		{ "pre-6.17 argsz 16, no flag (VF needs the token)", 16, 0, 0,
		  0, EACCES },
	};
	char err[256];
	struct tvk_cdev c;
	size_t i;
	int ret = 0;

	if (tvk_cdev_open(ctx->vf[0], &c, err, sizeof(err)))
		return tvk_fail(res, "cdev of %s: set-up failed: %s",
				ctx->vf[0], err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]) && ret == 0; i++) {
		int r = tvk_cdev_bind_raw(
			c.device, cases[i].argsz, cases[i].flags,
			cases[i].bad_fd ? -1 : c.iommufd,
			cases[i].null_uuid ? NULL : ctx->token, NULL);

		if (r != -cases[i].expect)
			ret = tvk_fail(res,
				       "BIND_IOMMUFD %s, %s: expected %s, got "
				       "%s",
				       ctx->vf[0], cases[i].what,
				       tvk_errname(cases[i].expect),
				       tvk_errname(-r));
	}
	if (ret == 0) {
		int r = tvk_cdev_bind(&c, ctx->token);

		if (r)
			ret = tvk_fail(res,
				       "right bind after the refused ones: %s",
				       tvk_errname(-r));
	}
	tvk_cdev_close(&c);
	return ret;
}

int
tvk_cdev_bind_twice(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct tvk_cdev c;
	int ret;

	if (tvk_expect_bind(res, ctx->vf[0], ctx->token, "VF, right token", 0,
			    &c))
		return -1;
	ret = tvk_cdev_bind(&c, ctx->token);
	tvk_cdev_close(&c);
	if (ret != -EINVAL)
		return tvk_fail(res,
				"second BIND_IOMMUFD on a bound fd: expected "
				"EINVAL, got %s",
				tvk_errname(-ret));
	return 0;
}

/* ---- PF binds --------------------------------------------------------- */

static int
tvk_cdev_pf_vf_users(struct tvk_ctx *ctx, struct tvk_res *res, int which)
{
	char s[TVK_UUID_STR_LEN + 1];
	struct tvk_cdev vf;
	uint8_t u[16];
	int ret;

	if (tvk_expect_bind(res, ctx->vf[0], ctx->token,
			    "VF, right token, becomes a VF user", 0, &vf))
		return -1;
	switch (which) {
	case 0:
		ret = tvk_expect_bind(res, ctx->pf, NULL,
				      "PF, no token, a VF bound", EACCES, NULL);
		break;
	case 1:
		ret = tvk_other_token(ctx, res, u, s);
		if (ret == 0)
			ret = tvk_expect_bind(res, ctx->pf, u,
					      "PF, wrong token, a VF bound",
					      EACCES, NULL);
		tvk_wipe(s, sizeof(s));
		tvk_wipe(u, sizeof(u));
		break;
	default:
		ret = tvk_expect_bind(res, ctx->pf, ctx->token,
				      "PF, right token, a VF bound", 0, NULL);
		break;
	}
	tvk_cdev_close(&vf);
	return ret;
}

int
tvk_cdev_pf_users_none(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_cdev_pf_vf_users(ctx, res, 0);
}

int
tvk_cdev_pf_users_wrong(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_cdev_pf_vf_users(ctx, res, 1);
}

int
tvk_cdev_pf_users_right(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_cdev_pf_vf_users(ctx, res, 2);
}

/* A VF opened through its group counts for a PF bound through its cdev,
 * and a VF bound through its cdev counts for a PF opened through its group.
 */
int
tvk_cdev_users_shared(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct tvk_dev gvf;
	struct tvk_cdev cvf;
	int ret;

	if (tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				  "VF through its group, right token", 0, &gvf))
		return -1;
	ret = tvk_expect_bind(res, ctx->pf, NULL,
			      "PF through its cdev, no token, a VF open "
			      "through its group",
			      EACCES, NULL);
	tvk_dev_close(&gvf);
	if (ret)
		return ret;
	if (tvk_expect_bind(res, ctx->vf[1], ctx->token,
			    "VF through its cdev, right token", 0, &cvf))
		return -1;
	ret = tvk_expect_open(res, ctx->pf, "",
			      "PF through its group, no token, a VF bound "
			      "through its cdev",
			      EACCES, NULL);
	tvk_cdev_close(&cvf);
	return ret;
}

int
tvk_cdev_pf_no_users_no_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	if (tvk_expect_bind(res, ctx->pf, NULL, "PF, no token, no VF users", 0,
			    NULL))
		return -1;
	return tvk_expect_bind(res, ctx->vf[0], ctx->token,
			       "VF, the token from before", 0, NULL);
}

/*
 * The token flag on a PF without VF users: the bind succeeds and the UUID
 * becomes the PF's token, as a "vf_token=" PF open does on the group path.
 */
int
tvk_cdev_pf_no_users_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	ret = tvk_expect_bind(res, ctx->pf, u, "PF, new token, no VF users", 0,
			      NULL);
	if (ret == 0)
		ret = tvk_expect_bind(res, ctx->vf[0], u,
				      "VF, the token the PF bind gave", 0,
				      NULL);
	if (ret == 0)
		ret = tvk_expect_bind(res, ctx->vf[0], ctx->token,
				      "VF, the token replaced by the PF bind",
				      EACCES, NULL);
	if (ret == 0)
		ret = tvk_expect_open_token(res, ctx->vf[1], s,
					    "VF through its group, the token "
					    "the PF cdev bind gave",
					    0, NULL);
	if (ret == 0)
		tvk_note("cdev-pf-no-vf-users-token",
			 "bind succeeded and set the PF's token (it persists "
			 "after the PF fd closes, on both paths)");
	tvk_wipe(s, sizeof(s));
	tvk_wipe(u, sizeof(u));
	return ret;
}

/* ---- the NIC without SR-IOV ------------------------------------------ */

static int
tvk_cdev_other(struct tvk_ctx *ctx, struct tvk_res *res, bool token)
{
	char orig[64];
	int ret, r2;

	if (tvk_other_bind_vfio(ctx->other, orig, sizeof(orig), res))
		return -1;
	ret = tvk_expect_bind(res, ctx->other, token ? ctx->token : NULL,
			      token ? "non-SR-IOV device, token flag"
				    : "non-SR-IOV device, no token flag",
			      token ? EINVAL : 0, NULL);
	r2 = tvk_other_restore(ctx->other, orig);
	if (ret == 0 && r2)
		ret = tvk_fail(res, "restore %s to '%s': %s", ctx->other, orig,
			       tvk_errname(-r2));
	return ret;
}

int
tvk_cdev_nonsriov_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_cdev_other(ctx, res, true);
}

int
tvk_cdev_nonsriov_no_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_cdev_other(ctx, res, false);
}

/* ---- cdev vs group ---------------------------------------------------- */

/* open("/dev/vfio/<group of ADDR>"): the fd or -errno. */
static int
tvk_group_open(const char *addr, struct tvk_res *res)
{
	char path[64];
	int group, fd, ret;

	ret = tvk_iommu_group_of(addr, &group);
	if (ret) {
		tvk_fail(res, "IOMMU group of %s: %s", addr, tvk_errname(-ret));
		return -EIO;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* open() of ADDR's group must fail with EBUSY. */
static int
tvk_expect_group_busy(struct tvk_res *res, const char *addr)
{
	int fd = tvk_group_open(addr, res);

	if (fd == -EIO)
		return -1;
	if (fd >= 0)
		close(fd);
	if (fd != -EBUSY)
		return tvk_fail(res,
				"open of the group of %s while bound through "
				"its cdev: expected EBUSY, got %s",
				addr, tvk_errname(fd >= 0 ? 0 : -fd));
	return 0;
}

/*
 * A device bound through its cdev blocks its group: open() of
 * /dev/vfio/<group> -> EBUSY while bound; merely opened, the cdev blocks
 * nothing; after close the group path works again.
 */
int
tvk_cdev_blocks_group(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char err[256];
	struct tvk_cdev c;
	int ret;

	if (tvk_cdev_open(ctx->vf[0], &c, err, sizeof(err)))
		return tvk_fail(res, "cdev of %s: set-up failed: %s",
				ctx->vf[0], err);
	/* Opened, not bound: the group path is free. */
	ret = tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				    "group path while the cdev is open, "
				    "unbound",
				    0, NULL);
	if (ret == 0 && tvk_cdev_bind(&c, ctx->token))
		ret = tvk_fail(res, "bind %s through its cdev failed",
			       ctx->vf[0]);
	if (ret == 0)
		ret = tvk_expect_group_busy(res, ctx->vf[0]);
	tvk_cdev_close(&c);
	if (ret == 0)
		ret = tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
					    "group path after the cdev closed",
					    0, NULL);
	return ret;
}

/*
 * A group that is open blocks the cdev bind of its devices (EBUSY), both
 * with only the group fd open and with a device fd from
 * VFIO_GROUP_GET_DEVICE_FD.
 */
int
tvk_cdev_group_blocks_cdev(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct tvk_dev d;
	int fd, ret;

	fd = tvk_group_open(ctx->vf[0], res);
	if (fd < 0)
		return fd == -EIO ? -1
				  : tvk_fail(res, "open group of %s: %s",
					     ctx->vf[0], tvk_errname(-fd));
	ret = tvk_expect_bind(res, ctx->vf[0], ctx->token,
			      "right token, the group fd open", EBUSY, NULL);
	close(fd);
	if (ret)
		return ret;
	if (tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				  "right token through the group", 0, &d))
		return -1;
	ret = tvk_expect_bind(res, ctx->vf[0], ctx->token,
			      "right token, the device open through its group",
			      EBUSY, NULL);
	tvk_dev_close(&d);
	if (ret == 0)
		ret = tvk_expect_bind(res, ctx->vf[0], ctx->token,
				      "right token after the group closed", 0,
				      NULL);
	return ret;
}

/* ---- VFIO_DEVICE_FEATURE on cdev fds ---------------------------------- */

/* The PF helper's way on the cdev path: bind the PF, SET the token. */
int
tvk_cdev_feature_set(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	struct tvk_cdev pf;
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	ret = tvk_expect_bind(res, ctx->pf, NULL, "PF, no token, no VF users",
			      0, &pf);
	if (ret == 0) {
		ret = tvk_expect_feature(res, pf.device, "PROBE on the PF cdev",
					 VFIO_DEVICE_FEATURE_PROBE |
						 VFIO_DEVICE_FEATURE_SET,
					 NULL, 0, 0);
		if (ret == 0)
			ret = tvk_expect_feature(
				res, pf.device, "SET on the PF cdev",
				VFIO_DEVICE_FEATURE_SET, u, 16, 0);
		if (ret == 0)
			ret = tvk_expect_feature(
				res, pf.device, "GET on the PF cdev",
				VFIO_DEVICE_FEATURE_GET, NULL, 16, EINVAL);
		tvk_cdev_close(&pf);
	}
	if (ret == 0)
		ret = tvk_expect_bind(res, ctx->vf[0], u,
				      "VF, token set by FEATURE on the PF cdev",
				      0, NULL);
	if (ret == 0)
		ret = tvk_expect_bind(res, ctx->vf[0], ctx->token,
				      "VF, token replaced by FEATURE", EACCES,
				      NULL);
	if (ret == 0)
		ret = tvk_expect_open_token(res, ctx->vf[1], s,
					    "VF through its group, token set "
					    "on the PF cdev",
					    0, NULL);
	tvk_wipe(s, sizeof(s));
	tvk_wipe(u, sizeof(u));
	return ret;
}

int
tvk_cdev_feature_vf(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct tvk_cdev vf;
	int ret;

	if (tvk_expect_bind(res, ctx->vf[0], ctx->token, "VF, right token", 0,
			    &vf))
		return -1;
	ret = tvk_expect_feature(res, vf.device, "PROBE|SET on a VF cdev",
				 VFIO_DEVICE_FEATURE_PROBE |
					 VFIO_DEVICE_FEATURE_SET,
				 NULL, 0, ENOTTY);
	tvk_cdev_close(&vf);
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The rules of issue 30: what a refused open leaves behind, which error
 * comes first, how long a token lives, and the iommufd compat container.
 * Same state before each check as in tvk_state.c (PF on vfio-pci,
 * TVK_NUM_VFS VFs on vfio-pci, the known token set, no fd open).
 *
 * Kernel sources read (Linux 6.1.176, 6.12.118 and 7.2.12, Debian's
 * linux-source packages):
 * - VFIO_GROUP_GET_DEVICE_FD (6.1 drivers/vfio/vfio_main.c, 6.12 and 7.2
 *   drivers/vfio/group.c vfio_group_ioctl_get_device_fd()): the name is
 *   matched first (vfio_device_get_from_name() -> vfio_pci_core_match(),
 *   which runs the token rules and, for a PF without VF users, copies the
 *   given UUID into the PF's token); only then is the group's container
 *   looked at: none, or one without VFIO_SET_IOMMU -> -EINVAL (6.1
 *   vfio_device_assign_container(); 6.12/7.2 vfio_df_group_open() and
 *   vfio_group_use_container()). So a refused PF open can set the token.
 * - VFIO_DEVICE_BIND_IOMMUFD (7.2 drivers/vfio/device_cdev.c
 *   vfio_df_ioctl_bind_iommufd()): argsz < 16 -> -EINVAL; non-zero bytes
 *   past the kernel's struct -> -E2BIG; iommufd < 0 or an unknown flag ->
 *   -EINVAL; a group fd -> -EINVAL; the group open -> -EBUSY
 *   (vfio_device_block_group()); this fd bound already -> -EINVAL; then
 *   vfio_df_check_token() (-EACCES, or the PF's token copied); then
 *   iommufd_ctx_from_fd(): no such fd -> -EBADF, not an iommufd ->
 *   -EBADFD; then vfio_df_open(): the device open already (one cdev open
 *   per device) -> -EINVAL. An iommufd of -1 is refused before the token
 *   step, a non-iommufd fd after it.
 * - Linux 6.6 to 6.16.0 (6.12 read): the bind refuses any flag (-EINVAL,
 *   "bind.flags" must be 0) and calls no token check at all: a VF of a
 *   vfio-pci PF binds without a token. The cdev token is commit
 *   86624ba3b522 (6.17, backported to 6.16.y).
 * - VFIO_GROUP_SET_CONTAINER (6.12/7.2 group.c
 *   vfio_group_ioctl_set_container()): a /dev/iommu fd is taken as the
 *   container (iommufd_ctx_from_file(), iommufd_vfio_compat_ioas_create())
 *   whenever the kernel has CONFIG_IOMMUFD; IOMMUFD_VFIO_CONTAINER only
 *   makes /dev/vfio/vfio itself an iommufd (it needs VFIO_CONTAINER off).
 *   iommufd answers VFIO_GET_API_VERSION and VFIO_SET_IOMMU
 *   (drivers/iommu/iommufd/vfio_compat.c).
 * - The token is allocated and filled with uuid_gen() when vfio-pci binds
 *   the PF (vfio_pci_vf_init()), whatever sriov_numvfs is.
 * - drivers/pci/iov.c sriov_numvfs_store(): the current value -> 0 at
 *   once; N -> M, both non-zero -> -EBUSY; anything else goes to the
 *   driver, and vfio-pci's sriov_configure answers -ENOENT while
 *   enable_sriov is off, disabling (0) included.
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

/* The three ways to open a device, as the kernel selftest names them. */
enum tvk_mode {
	TVK_MODE_GROUP,	 /* group + /dev/vfio/vfio (legacy container) */
	TVK_MODE_COMPAT, /* group + /dev/iommu (iommufd compat container) */
	TVK_MODE_CDEV,	 /* /dev/vfio/devices/vfioN bound to /dev/iommu */
	TVK_MODE_GROUP_TYPE1,  /* TVK_MODE_GROUP with VFIO_TYPE1_IOMMU */
	TVK_MODE_COMPAT_TYPE1, /* TVK_MODE_COMPAT with VFIO_TYPE1_IOMMU */
};

static const char *const tvk_mode_names[] = {
	[TVK_MODE_GROUP] = "group",
	[TVK_MODE_COMPAT] = "group, iommufd compat container",
	[TVK_MODE_CDEV] = "cdev",
	[TVK_MODE_GROUP_TYPE1] = "group, type1 IOMMU",
	[TVK_MODE_COMPAT_TYPE1] = "group, iommufd compat container, type1",
};

/* An open device of any mode. */
struct tvk_any {
	struct tvk_dev g;
	struct tvk_cdev c;
};

static void
tvk_any_init(struct tvk_any *a)
{
	tvk_dev_init(&a->g);
	tvk_cdev_init(&a->c);
}

static void
tvk_any_close(struct tvk_any *a)
{
	tvk_dev_close(&a->g);
	tvk_cdev_close(&a->c);
}

static int
tvk_any_fd(int mode, const struct tvk_any *a)
{
	return mode == TVK_MODE_CDEV ? a->c.device : a->g.device;
}

/* Open ADDR in MODE with UUID (NULL: no token) and assert the errno. */
static int
tvk_mode_open(struct tvk_res *res, int mode, const char *addr,
	      const uint8_t *uuid, const char *label, int expect,
	      struct tvk_any *keep)
{
	char what[160];
	bool compat, type1;

	snprintf(what, sizeof(what), "%s; %s", label, tvk_mode_names[mode]);
	if (mode == TVK_MODE_CDEV)
		return tvk_expect_bind(res, addr, uuid, what, expect,
				       keep ? &keep->c : NULL);
	compat = mode == TVK_MODE_COMPAT || mode == TVK_MODE_COMPAT_TYPE1;
	type1 = mode == TVK_MODE_GROUP_TYPE1 || mode == TVK_MODE_COMPAT_TYPE1;
	return tvk_expect_open_token_at(
		res, compat ? TVK_CONTAINER_IOMMUFD : TVK_CONTAINER_LEGACY,
		addr, type1 ? TVK_STAGE_IOMMU_TYPE1 : TVK_STAGE_IOMMU, uuid,
		what, expect, keep ? &keep->g : NULL);
}

/* VF opens with GOOD only: BAD and no token -> EACCES. */
static int
tvk_vf_only(struct tvk_res *res, int mode, const char *vf, const uint8_t *good,
	    const uint8_t *bad, const char *when)
{
	char l[3][128];

	snprintf(l[0], sizeof(l[0]), "VF, the token in force, %s", when);
	snprintf(l[1], sizeof(l[1]), "VF, the token before, %s", when);
	snprintf(l[2], sizeof(l[2]), "VF, no token, %s", when);
	if (tvk_mode_open(res, mode, vf, good, l[0], 0, NULL) ||
	    tvk_mode_open(res, mode, vf, bad, l[1], EACCES, NULL) ||
	    tvk_mode_open(res, mode, vf, NULL, l[2], EACCES, NULL))
		return -1;
	return 0;
}

/* Two fresh tokens, both different from the known one. */
static int
tvk_two_tokens(const struct tvk_ctx *ctx, struct tvk_res *res, uint8_t a[16],
	       uint8_t b[16])
{
	char s[TVK_UUID_STR_LEN + 1];
	int ret;

	ret = tvk_other_token(ctx, res, a, s);
	if (ret == 0)
		ret = tvk_other_token(ctx, res, b, s);
	if (ret == 0 && memcmp(a, b, 16) == 0)
		ret = tvk_fail(res, "getrandom gave the same UUID twice");
	tvk_wipe(s, sizeof(s));
	return ret;
}

/* open() of ADDR's group: the fd or -errno (-EIO: no group, res says). */
static int
tvk_group_fd(const char *addr, struct tvk_res *res)
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

/* VFIO_GROUP_GET_DEVICE_FD on an open group fd: a device fd or -errno. */
static int
tvk_group_get(int group, const char *addr, const uint8_t *uuid)
{
	char name[96];
	int fd;

	if (uuid) {
		char s[TVK_UUID_STR_LEN + 1];

		tvk_uuid_format(uuid, s);
		snprintf(name, sizeof(name), "%s vf_token=%s", addr, s);
		tvk_wipe(s, sizeof(s));
	} else {
		snprintf(name, sizeof(name), "%s", addr);
	}
	fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, name);
	if (fd < 0)
		fd = -errno;
	tvk_wipe(name, sizeof(name));
	return fd;
}

static int
tvk_expect_group_get(struct tvk_res *res, int group, const char *addr,
		     const uint8_t *uuid, const char *label, int expect)
{
	int fd = tvk_group_get(group, addr, uuid);

	if (fd >= 0)
		close(fd);
	if ((fd >= 0 ? 0 : -fd) != expect)
		return tvk_fail(res,
				"GET_DEVICE_FD %s (%s) on the open group fd: "
				"expected %s, got %s",
				addr, label, tvk_errname(expect),
				tvk_errname(fd >= 0 ? 0 : -fd));
	return 0;
}

/* ---- a refused open still sets the PF's token ---------------------- */

/*
 * The group path: GET_DEVICE_FD of the PF with a new token on a group
 * without a container, then on one whose container has no IOMMU set:
 * both -EINVAL, and each time the new token is in force afterwards.
 */
int
tvk_pf_refused_open_sets_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	uint8_t t2[16], t3[16];
	int ret;

	if (tvk_two_tokens(ctx, res, t2, t3))
		return -1;
	ret = tvk_expect_open_token_at(res, TVK_CONTAINER_LEGACY, ctx->pf,
				       TVK_STAGE_GROUP, t2,
				       "PF, new token, group without a "
				       "container",
				       EINVAL, NULL);
	if (ret == 0)
		ret = tvk_vf_only(res, TVK_MODE_GROUP, ctx->vf[0], t2,
				  ctx->token,
				  "after the refused PF open (no container)");
	if (ret == 0)
		ret = tvk_expect_open_token_at(res, TVK_CONTAINER_LEGACY,
					       ctx->pf, TVK_STAGE_CONTAINER, t3,
					       "PF, new token, container "
					       "without VFIO_SET_IOMMU",
					       EINVAL, NULL);
	if (ret == 0)
		ret = tvk_vf_only(res, TVK_MODE_GROUP, ctx->vf[0], t3, t2,
				  "after the refused PF open (no IOMMU set)");
	if (ret == 0)
		tvk_note("pf-refused-open-sets-token",
			 "GET_DEVICE_FD of the PF failed with EINVAL and its "
			 "token was changed all the same");
	tvk_wipe(t2, sizeof(t2));
	tvk_wipe(t3, sizeof(t3));
	return ret;
}

/*
 * The cdev path: the PF's bind with the token flag and a new token,
 * refused after the token step (iommufd not an iommufd -> EBADFD, a
 * closed fd number -> EBADF, the PF bound through another cdev fd ->
 * EINVAL): the token changed each time. An iommufd of -1 is refused
 * before the token step (EINVAL) and changes nothing.
 */
int
tvk_cdev_pf_refused_bind_sets_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	static const char *const what[] = {
		"iommufd is the PF's cdev fd, not an iommufd",
		"iommufd is a closed fd number",
		"the PF bound through another cdev fd",
	};
	static const int expect[] = { EBADFD, EBADF, EINVAL };
	uint8_t tok[4][16], *prev = ctx->token;
	struct tvk_cdev c, held;
	char err[256];
	int i, r, ret = 0;

	for (i = 0; i < 4 && ret == 0; i += 2)
		ret = tvk_two_tokens(ctx, res, tok[i], tok[i + 1]);
	for (i = 0; i < 3 && ret == 0; i++) {
		int iommufd;

		tvk_cdev_init(&held);
		if (i == 2 && tvk_expect_bind(res, ctx->pf, NULL,
					      "PF, no token, held", 0, &held)) {
			ret = -1;
			break;
		}
		if (tvk_cdev_open(ctx->pf, &c, err, sizeof(err))) {
			tvk_cdev_close(&held);
			ret = tvk_fail(res, "cdev of %s: set-up failed: %s",
				       ctx->pf, err);
			break;
		}
		iommufd = c.iommufd;
		if (i == 0) {
			iommufd = c.device;
		} else if (i == 1) {
			iommufd = dup(c.iommufd);
			if (iommufd >= 0)
				close(iommufd);
		}
		r = tvk_cdev_bind_raw(
			c.device, sizeof(struct tvk_vfio_device_bind_iommufd),
			TVK_VFIO_DEVICE_BIND_FLAG_TOKEN, iommufd, tok[i], NULL);
		tvk_cdev_close(&c);
		if (r != -expect[i])
			ret = tvk_fail(res,
				       "BIND_IOMMUFD %s, new token, %s: "
				       "expected %s, got %s",
				       ctx->pf, what[i], tvk_errname(expect[i]),
				       tvk_errname(-r));
		if (ret == 0)
			ret = tvk_vf_only(res, TVK_MODE_CDEV, ctx->vf[0],
					  tok[i], prev, what[i]);
		tvk_cdev_close(&held);
		prev = tok[i];
	}
	if (ret == 0 && tvk_cdev_open(ctx->pf, &c, err, sizeof(err)))
		ret = tvk_fail(res, "cdev of %s: set-up failed: %s", ctx->pf,
			       err);
	if (ret == 0) {
		r = tvk_cdev_bind_raw(
			c.device, sizeof(struct tvk_vfio_device_bind_iommufd),
			TVK_VFIO_DEVICE_BIND_FLAG_TOKEN, -1, tok[3], NULL);
		tvk_cdev_close(&c);
		if (r != -EINVAL)
			ret = tvk_fail(
				res,
				"BIND_IOMMUFD %s, new token, iommufd -1: "
				"expected EINVAL, got %s",
				ctx->pf, tvk_errname(-r));
	}
	if (ret == 0)
		ret = tvk_vf_only(res, TVK_MODE_CDEV, ctx->vf[0], tok[2],
				  tok[3],
				  "iommufd -1 (refused before the token)");
	tvk_wipe(tok, sizeof(tok));
	return ret;
}

/* ---- which error comes first ---------------------------------------- */

/*
 * A VF on a group without a container: a wrong or missing token ->
 * EACCES (the token step comes first), the right one -> EINVAL.
 */
int
tvk_group_order_token_first(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	tvk_wipe(s, sizeof(s));
	ret = tvk_expect_open_token_at(
		res, TVK_CONTAINER_LEGACY, ctx->vf[0], TVK_STAGE_GROUP, u,
		"VF, wrong token, no container", EACCES, NULL);
	if (ret == 0)
		ret = tvk_expect_open_token_at(
			res, TVK_CONTAINER_LEGACY, ctx->vf[0], TVK_STAGE_GROUP,
			NULL, "VF, no token, no container", EACCES, NULL);
	if (ret == 0)
		ret = tvk_expect_open_token_at(
			res, TVK_CONTAINER_LEGACY, ctx->vf[0], TVK_STAGE_GROUP,
			ctx->token, "VF, right token, no container", EINVAL,
			NULL);
	tvk_wipe(u, sizeof(u));
	return ret;
}

/*
 * A group held open: a second open() of it -> EBUSY whatever token would
 * follow (the token is never looked at); on the holder's group fd a
 * second GET_DEVICE_FD is checked against the token again (wrong or none
 * -> EACCES, right -> a second device fd).
 */
int
tvk_group_busy_before_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	struct tvk_dev vf;
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	tvk_wipe(s, sizeof(s));
	tvk_dev_init(&vf);
	ret = tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				    "VF, right token, held", 0, &vf);
	if (ret == 0) {
		int fd = tvk_group_fd(ctx->vf[0], res);

		if (fd == -EIO)
			ret = -1;
		else if (fd >= 0 || fd != -EBUSY)
			ret = tvk_fail(res,
				       "second open of the group of %s while "
				       "it is held: expected EBUSY, got %s",
				       ctx->vf[0],
				       tvk_errname(fd >= 0 ? 0 : -fd));
		if (fd >= 0)
			close(fd);
	}
	if (ret == 0)
		ret = tvk_expect_group_get(res, vf.group, ctx->vf[0], u,
					   "wrong token", EACCES);
	if (ret == 0)
		ret = tvk_expect_group_get(res, vf.group, ctx->vf[0], NULL,
					   "no token", EACCES);
	if (ret == 0)
		ret = tvk_expect_group_get(res, vf.group, ctx->vf[0],
					   ctx->token, "right token", 0);
	tvk_dev_close(&vf);
	tvk_wipe(u, sizeof(u));
	return ret;
}

/*
 * A VF open through its group, the PF sets a new token (FEATURE SET with
 * the VF open): a second GET_DEVICE_FD on the same group fd is checked
 * against the new token, and the first device fd keeps working.
 */
int
tvk_group_second_open_new_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char s[TVK_UUID_STR_LEN + 1];
	struct tvk_dev vf, pf;
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	tvk_wipe(s, sizeof(s));
	tvk_dev_init(&pf);
	ret = tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				    "VF, right token, held", 0, &vf);
	if (ret)
		goto out;
	ret = tvk_expect_open_token(res, ctx->pf, ctx->token_str,
				    "PF, right token, a VF open", 0, &pf);
	if (ret == 0)
		ret = tvk_expect_feature(res, pf.device,
					 "SET on the PF while a VF is open",
					 VFIO_DEVICE_FEATURE_SET, u, 16, 0);
	tvk_dev_close(&pf);
	if (ret == 0)
		ret = tvk_expect_group_get(res, vf.group, ctx->vf[0],
					   ctx->token, "the replaced token",
					   EACCES);
	if (ret == 0)
		ret = tvk_expect_group_get(res, vf.group, ctx->vf[0], u,
					   "the new token", 0);
	if (ret == 0 && ioctl(vf.device, VFIO_DEVICE_GET_INFO, &info) < 0)
		ret = tvk_fail(res,
			       "first VF fd after the token changed: "
			       "VFIO_DEVICE_GET_INFO %s",
			       tvk_errname(errno));
	tvk_dev_close(&vf);
out:
	tvk_wipe(u, sizeof(u));
	return ret;
}

/*
 * The cdev bind's order, each step shown by a bind that breaks two rules
 * and gets the errno of the earlier one: tail before flags, flags and
 * iommufd < 0 before the group block, the group block before the token,
 * "bound already" before the token, the token before the iommufd, the
 * iommufd before the open ("one cdev open per device").
 */
int
tvk_cdev_bind_order(struct tvk_ctx *ctx, struct tvk_res *res)
{
	const uint32_t full = sizeof(struct tvk_vfio_device_bind_iommufd);
	const uint32_t tok = TVK_VFIO_DEVICE_BIND_FLAG_TOKEN;
	uint64_t big[4]; /* a 32-byte bind, one non-zero byte past 24 */
	struct tvk_vfio_device_bind_iommufd *b = (void *)big;
	char err[256], s[TVK_UUID_STR_LEN + 1];
	struct tvk_cdev c, c2;
	uint8_t bad[16];
	int gfd, r, ret = 0;

#define TVK_ORDER(call, want, text)                                         \
	do {                                                                \
		r = (call);                                                 \
		if (ret == 0 && r != -(want))                               \
			ret = tvk_fail(res,                                 \
				       "BIND_IOMMUFD %s, %s: expected %s, " \
				       "got %s",                            \
				       ctx->vf[0], text, tvk_errname(want), \
				       tvk_errname(-r));                    \
	} while (0)

	if (tvk_other_token(ctx, res, bad, s))
		return -1;
	tvk_wipe(s, sizeof(s));
	tvk_cdev_init(&c2);
	if (tvk_cdev_open(ctx->vf[0], &c, err, sizeof(err))) {
		tvk_wipe(bad, sizeof(bad));
		return tvk_fail(res, "cdev of %s: set-up failed: %s",
				ctx->vf[0], err);
	}
	/* copy_struct_from_user() before the flags */
	memset(big, 0, sizeof(big));
	b->argsz = sizeof(big);
	b->flags = 2;
	b->iommufd = c.iommufd;
	((uint8_t *)big)[full] = 1;
	r = ioctl(c.device, TVK_VFIO_DEVICE_BIND_IOMMUFD, big) < 0 ? -errno : 0;
	if (r != -E2BIG)
		ret = tvk_fail(res,
			       "BIND_IOMMUFD %s, argsz 32 with a non-zero byte "
			       "past the struct and an unknown flag: expected "
			       "E2BIG, got %s",
			       ctx->vf[0], tvk_errname(-r));
	/* flags and iommufd < 0 before the group block, the block first */
	gfd = tvk_group_fd(ctx->vf[0], res);
	if (ret == 0 && gfd < 0)
		ret = gfd == -EIO ? -1
				  : tvk_fail(res, "open group of %s: %s",
					     ctx->vf[0], tvk_errname(-gfd));
	TVK_ORDER(tvk_cdev_bind_raw(c.device, full, 2, c.iommufd, NULL, NULL),
		  EINVAL, "unknown flag, the group open");
	TVK_ORDER(tvk_cdev_bind_raw(c.device, full, tok, -1, ctx->token, NULL),
		  EINVAL, "iommufd -1, the group open");
	TVK_ORDER(tvk_cdev_bind_raw(c.device, full, tok, c.iommufd, bad, NULL),
		  EBUSY, "wrong token, the group open");
	if (gfd >= 0)
		close(gfd);
	/* bound already before the token */
	TVK_ORDER(tvk_cdev_bind(&c, ctx->token), 0, "right token");
	TVK_ORDER(tvk_cdev_bind(&c, bad), EINVAL, "wrong token, fd bound");
	/* a second fd of the bound device: token, then iommufd, then open */
	if (ret == 0 && tvk_cdev_open(ctx->vf[0], &c2, err, sizeof(err)))
		ret = tvk_fail(res, "second cdev fd of %s: %s", ctx->vf[0],
			       err);
	TVK_ORDER(tvk_cdev_bind_raw(c2.device, full, tok, c2.device, bad, NULL),
		  EACCES,
		  "wrong token, not an iommufd, device bound elsewhere");
	TVK_ORDER(tvk_cdev_bind_raw(c2.device, full, 0, c2.device, NULL, NULL),
		  EACCES, "no token, not an iommufd, device bound elsewhere");
	TVK_ORDER(tvk_cdev_bind_raw(c2.device, full, tok, c2.device, ctx->token,
				    NULL),
		  EBADFD,
		  "right token, not an iommufd, device bound elsewhere");
	TVK_ORDER(tvk_cdev_bind(&c2, bad), EACCES,
		  "wrong token, device bound elsewhere");
	TVK_ORDER(tvk_cdev_bind(&c2, ctx->token), EINVAL,
		  "right token, device bound elsewhere");
	tvk_cdev_close(&c2);
	tvk_cdev_close(&c);
	if (ret == 0)
		ret = tvk_expect_bind(res, ctx->vf[0], ctx->token,
				      "right token after the refused binds", 0,
				      NULL);
#undef TVK_ORDER
	tvk_wipe(bad, sizeof(bad));
	return ret;
}

/* ---- token lifetime ------------------------------------------------- */

/* sriov_numvfs 2 -> 0 -> 2 keeps the PF's token. */
int
tvk_token_kept_across_numvfs(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	tvk_wipe(s, sizeof(s));
	ret = tvk_set_numvfs(ctx->pf, 0, res) ||
			      tvk_set_numvfs(ctx->pf, TVK_NUM_VFS, res) ||
			      tvk_refresh_vfs(ctx, res)
		      ? -1
		      : 0;
	if (ret == 0)
		ret = tvk_vf_only(res, TVK_MODE_GROUP, ctx->vf[0], ctx->token,
				  u, "after sriov_numvfs 2 -> 0 -> 2");
	tvk_wipe(u, sizeof(u));
	return ret;
}

/*
 * With no VF at all the PF's token can be set, by FEATURE SET and by a
 * PF open with vf_token=; the VFs created afterwards need it.
 */
int
tvk_token_set_with_zero_vfs(struct tvk_ctx *ctx, struct tvk_res *res)
{
	uint8_t t2[16], t3[16];
	struct tvk_dev pf;
	int ret;

	if (tvk_two_tokens(ctx, res, t2, t3))
		return -1;
	ret = tvk_set_numvfs(ctx->pf, 0, res);
	if (ret == 0)
		ret = tvk_expect_open(res, ctx->pf, "", "PF, no token, no VFs",
				      0, &pf);
	if (ret == 0) {
		ret = tvk_expect_feature(res, pf.device, "SET with no VFs",
					 VFIO_DEVICE_FEATURE_SET, t2, 16, 0);
		tvk_dev_close(&pf);
	}
	if (ret == 0)
		ret = tvk_set_numvfs(ctx->pf, TVK_NUM_VFS, res) ||
				      tvk_refresh_vfs(ctx, res)
			      ? -1
			      : 0;
	if (ret == 0)
		ret = tvk_vf_only(res, TVK_MODE_GROUP, ctx->vf[0], t2,
				  ctx->token, "token SET while 0 VFs");
	if (ret == 0)
		ret = tvk_set_numvfs(ctx->pf, 0, res);
	if (ret == 0)
		ret = tvk_expect_open_token_at(
			res, TVK_CONTAINER_LEGACY, ctx->pf, TVK_STAGE_IOMMU, t3,
			"PF, new token, no VFs", 0, NULL);
	if (ret == 0)
		ret = tvk_set_numvfs(ctx->pf, TVK_NUM_VFS, res) ||
				      tvk_refresh_vfs(ctx, res)
			      ? -1
			      : 0;
	if (ret == 0)
		ret = tvk_vf_only(res, TVK_MODE_GROUP, ctx->vf[0], t3, t2,
				  "token given to a PF open while 0 VFs");
	tvk_wipe(t2, sizeof(t2));
	tvk_wipe(t3, sizeof(t3));
	return ret;
}

static int
tvk_numvfs_write(struct tvk_res *res, const char *pf, const char *val,
		 int expect, int after)
{
	int ret = tvk_dev_attr_write(pf, "sriov_numvfs", val);
	int n;

	if (ret != -expect)
		return tvk_fail(res,
				"write '%s' to %s/sriov_numvfs: expected %s, "
				"got %s",
				val, pf, tvk_errname(expect),
				tvk_errname(-ret));
	n = tvk_numvfs(pf);
	if (n != after)
		return tvk_fail(res,
				"after writing '%s' to %s/sriov_numvfs: "
				"expected %d VFs, got %d",
				val, pf, after, n);
	return 0;
}

/* N -> M with both non-zero -> EBUSY; the current value -> 0, a no-op. */
int
tvk_sriov_numvfs_change_busy(struct tvk_ctx *ctx, struct tvk_res *res)
{
	if (tvk_numvfs_write(res, ctx->pf, "1", EBUSY, TVK_NUM_VFS) ||
	    tvk_numvfs_write(res, ctx->pf, "2", 0, TVK_NUM_VFS))
		return -1;
	return tvk_vf_only(res, TVK_MODE_GROUP, ctx->vf[0], ctx->token, NULL,
			   "after the refused 2 -> 1");
}

/*
 * enable_sriov off: disabling the VFs (0) -> ENOENT too, the VFs stay;
 * writing the current count is answered before the driver is asked (0).
 */
int
tvk_sriov_disable_needs_param(struct tvk_ctx *ctx, struct tvk_res *res)
{
	const char *param = "/sys/module/vfio_pci/parameters/enable_sriov";
	int ret = tvk_sysfs_write(param, "0");

	if (ret)
		return tvk_fail(res, "write 0 to %s: %s", param,
				tvk_errname(-ret));
	ret = tvk_numvfs_write(res, ctx->pf, "0", ENOENT, TVK_NUM_VFS);
	if (ret == 0)
		ret = tvk_numvfs_write(res, ctx->pf, "2", 0, TVK_NUM_VFS);
	/* The next reset would restore it too. */
	tvk_sysfs_write(param, "1");
	if (ret == 0)
		ret = tvk_numvfs_write(res, ctx->pf, "0", 0, 0);
	return ret;
}

/* ---- the kernel selftest's three cases, in each mode ----------------- */

/*
 * tools/testing/selftests/vfio/vfio_pci_sriov_uapi_test.c in one check per
 * mode: the PF opened with a new token and kept open (its FIXTURE_SETUP),
 * then the VF with the same token, a different one and none
 * (init_token_match); the same after the PF closed (pf_early_close); and
 * after the PF's FEATURE SET of yet another token (override_token).
 */
static int
tvk_lifecycle(struct tvk_ctx *ctx, struct tvk_res *res, int mode)
{
	uint8_t t2[16], t3[16];
	struct tvk_any pf;
	int ret;

	if (tvk_two_tokens(ctx, res, t2, t3))
		return -1;
	tvk_any_init(&pf);
	ret = tvk_mode_open(res, mode, ctx->pf, t2,
			    "PF, new token, no VF users, held", 0, &pf);
	if (ret == 0)
		ret = tvk_vf_only(res, mode, ctx->vf[0], t2, ctx->token,
				  "the PF open (init_token_match)");
	tvk_any_close(&pf);
	if (ret == 0)
		ret = tvk_vf_only(res, mode, ctx->vf[0], t2, ctx->token,
				  "the PF closed (pf_early_close)");
	if (ret == 0)
		ret = tvk_mode_open(res, mode, ctx->pf, NULL,
				    "PF, no token, no VF users", 0, &pf);
	if (ret == 0)
		ret = tvk_expect_feature(res, tvk_any_fd(mode, &pf),
					 "SET on the PF",
					 VFIO_DEVICE_FEATURE_SET, t3, 16, 0);
	if (ret == 0)
		ret = tvk_vf_only(res, mode, ctx->vf[0], t3, t2,
				  "after FEATURE SET (override_token)");
	tvk_any_close(&pf);
	tvk_wipe(t2, sizeof(t2));
	tvk_wipe(t3, sizeof(t3));
	return ret;
}

int
tvk_pf_token_lifecycle(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_lifecycle(ctx, res, TVK_MODE_GROUP);
}

int
tvk_compat_pf_token_lifecycle(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_lifecycle(ctx, res, TVK_MODE_COMPAT);
}

int
tvk_pf_token_lifecycle_type1(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_lifecycle(ctx, res, TVK_MODE_GROUP_TYPE1);
}

int
tvk_compat_pf_token_lifecycle_type1(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_lifecycle(ctx, res, TVK_MODE_COMPAT_TYPE1);
}

int
tvk_cdev_pf_token_lifecycle(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_lifecycle(ctx, res, TVK_MODE_CDEV);
}

/* ---- the iommufd compat container ----------------------------------- */

int
tvk_compat_vf_no_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_mode_open(res, TVK_MODE_COMPAT, ctx->vf[0], NULL,
			     "VF, no token", EACCES, NULL);
}

int
tvk_compat_vf_wrong_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	tvk_wipe(s, sizeof(s));
	ret = tvk_mode_open(res, TVK_MODE_COMPAT, ctx->vf[0], u,
			    "VF, wrong token", EACCES, NULL);
	tvk_wipe(u, sizeof(u));
	return ret;
}

/* Every VF opens with the token and answers GET_INFO. */
int
tvk_compat_vf_right_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct tvk_any vf;
	int i, ret = 0;

	for (i = 0; i < TVK_NUM_VFS && ret == 0; i++) {
		tvk_any_init(&vf);
		if (tvk_mode_open(res, TVK_MODE_COMPAT, ctx->vf[i], ctx->token,
				  "VF, right token", 0, &vf))
			return -1;
		if (ioctl(vf.g.device, VFIO_DEVICE_GET_INFO, &info) < 0)
			ret = tvk_fail(res, "GET_INFO on %s: %s", ctx->vf[i],
				       tvk_errname(errno));
		tvk_any_close(&vf);
	}
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The checks. Each one asserts one kernel rule of the VF token (see
 * doc/guides/token_model.rst, "Kernel rules", and the kernel patch
 * "vfio/pci: Introduce VF token"): the exact errno of VFIO_GROUP_GET_DEVICE_FD, of
 * VFIO_DEVICE_FEATURE or of a sysfs write. Before every check the runner
 * calls tvk_state_reset(), so each check starts from the same state: PF bound
 * to vfio-pci with enable_sriov=1, TVK_NUM_VFS VFs bound to vfio-pci, the
 * known token installed with VFIO_DEVICE_FEATURE, no fd open. Checks close
 * every fd they open; state a check breaks on purpose (enable_sriov=0, PF on
 * igb, ...) is repaired by the next reset.
 *
 * Errno sources in the kernel (drivers/vfio/pci/vfio_pci_core.c,
 * drivers/vfio/group.c; same semantics from 5.7 to 7.2; 6.17 (commit
 * 86624ba3b522) moved the token check into vfio_pci_core_match_token_uuid()
 * to share it with the cdev path):
 * - vfio_pci_core_match(): name prefix differs or a non-space follows the
 *   name -> "no match" (0), and with no device of the group matching
 *   vfio_device_get_from_name() returns -ENODEV; short or unparsable UUID,
 *   unknown or duplicate option -> -EINVAL.
 * - token validation: VF of a vfio-pci PF without/with a wrong token ->
 *   -EACCES; VF of a non-vfio-pci PF with a token -> -EINVAL; PF with VF
 *   users without/with a wrong token -> -EACCES; PF without VF users and a
 *   token -> 0 and the token is copied; neither PF nor VF with a token ->
 *   -EINVAL.
 * - vfio_pci_core_feature_token(): no vf_token struct (not a PF) -> -ENOTTY;
 *   vfio_check_feature(SET only, 16 bytes): GET -> -EINVAL, PROBE -> 0,
 *   argsz too short -> -EINVAL.
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
tvk_write_expect(struct tvk_res *res, const char *addr, const char *attr,
		 const char *val, int expect)
{
	int ret = tvk_dev_attr_write(addr, attr, val);

	if (ret != -expect)
		return tvk_fail(res, "write '%s' to %s/%s: expected %s, got %s",
				val, addr, attr, tvk_errname(expect),
				tvk_errname(-ret));
	return 0;
}

/* ---- VF opens, PF on vfio-pci -------------------------------------- */

static int
tvk_vf_no_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_expect_open(res, ctx->vf[0], "", "no token", EACCES, NULL);
}

static int
tvk_vf_wrong_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	ret = tvk_expect_open_token(res, ctx->vf[0], s, "wrong token", EACCES,
				    NULL);
	tvk_wipe(s, sizeof(s));
	tvk_wipe(u, sizeof(u));
	return ret;
}

static int
tvk_vf_right_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	int i;

	for (i = 0; i < TVK_NUM_VFS; i++)
		if (tvk_expect_open_token(res, ctx->vf[i], ctx->token_str,
					  "right token", 0, NULL))
			return -1;
	return 0;
}

/* uuid_parse() takes hex digits of either case. */
static int
tvk_vf_token_upper(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	int ret;
	size_t i;

	for (i = 0; i <= TVK_UUID_STR_LEN; i++)
		s[i] = (char)toupper((unsigned char)ctx->token_str[i]);
	ret = tvk_expect_open_token(res, ctx->vf[0], s,
				    "right token in upper case", 0, NULL);
	tvk_wipe(s, sizeof(s));
	return ret;
}

/* The option parser skips any run of spaces between options. */
static int
tvk_vf_token_spaces(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char suffix[80];
	int ret;

	snprintf(suffix, sizeof(suffix), "   vf_token=%s  ", ctx->token_str);
	ret = tvk_expect_open(res, ctx->vf[0], suffix,
			      "right token, extra spaces around it", 0, NULL);
	tvk_wipe(suffix, sizeof(suffix));
	return ret;
}

/* ---- option string syntax ------------------------------------------ */

static int
tvk_opt(struct tvk_ctx *ctx, struct tvk_res *res, const char *fmt,
	const char *label, int expect)
{
	char suffix[128];
	int ret;

	/* fmt has at most one %s, the known token. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(suffix, sizeof(suffix), fmt, ctx->token_str);
#pragma GCC diagnostic pop
	ret = tvk_expect_open(res, ctx->vf[0], suffix, label, expect, NULL);
	tvk_wipe(suffix, sizeof(suffix));
	return ret;
}

static int
tvk_opt_malformed(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char bad[TVK_UUID_STR_LEN + 1];
	char suffix[64];
	int ret;

	/* Right length, a non-hex digit in it. */
	memcpy(bad, ctx->token_str, sizeof(bad));
	bad[0] = 'g';
	snprintf(suffix, sizeof(suffix), " vf_token=%s", bad);
	ret = tvk_expect_open(res, ctx->vf[0], suffix,
			      "36-char token with a non-hex digit", EINVAL,
			      NULL);
	if (ret == 0) {
		/* Right length, a dash moved. */
		memcpy(bad, ctx->token_str, sizeof(bad));
		bad[8] = bad[9];
		bad[9] = '-';
		snprintf(suffix, sizeof(suffix), " vf_token=%s", bad);
		ret = tvk_expect_open(res, ctx->vf[0], suffix,
				      "36-char token with a misplaced dash",
				      EINVAL, NULL);
	}
	tvk_wipe(bad, sizeof(bad));
	tvk_wipe(suffix, sizeof(suffix));
	return ret;
}

static int
tvk_opt_short(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_opt(ctx, res, " vf_token=%.35s", "token one char short",
		       EINVAL) ||
			       tvk_opt(ctx, res, " vf_token=", "empty token",
				       EINVAL) ||
			       tvk_opt(ctx, res, " vf_token=%.8s",
				       "token of 8 chars", EINVAL)
		       ? -1
		       : 0;
}

static int
tvk_opt_unknown(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_opt(ctx, res, " foo=bar", "unknown option foo=bar",
		       EINVAL) ||
			       tvk_opt(ctx, res, " vf_token=%s foo=bar",
				       "right token then foo=bar", EINVAL) ||
			       tvk_opt(ctx, res, " VF_TOKEN=%s",
				       "option name in upper case", EINVAL)
		       ? -1
		       : 0;
}

static int
tvk_opt_duplicate(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char suffix[128];
	int ret;

	snprintf(suffix, sizeof(suffix), " vf_token=%s vf_token=%s",
		 ctx->token_str, ctx->token_str);
	ret = tvk_expect_open(res, ctx->vf[0], suffix,
			      "right token given twice", EINVAL, NULL);
	tvk_wipe(suffix, sizeof(suffix));
	return ret;
}

static int
tvk_opt_trailing(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_opt(ctx, res, " vf_token=%sx",
		       "right token with a character glued after it", EINVAL);
}

/*
 * A non-space right after the device name is not a parse error but "no
 * match": no device of the group matches, so the group code answers
 * -ENODEV.
 */
static int
tvk_opt_no_space(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_opt(ctx, res, "vf_token=%s",
		       "token glued to the name without a space (no match)",
		       ENODEV);
}

/* ---- PF opens ------------------------------------------------------- */

static int
tvk_pf_vf_users(struct tvk_ctx *ctx, struct tvk_res *res, int which)
{
	char s[TVK_UUID_STR_LEN + 1];
	struct tvk_dev vf;
	uint8_t u[16];
	int ret;

	if (tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				  "right token, becomes a VF user", 0, &vf))
		return -1;
	switch (which) {
	case 0:
		ret = tvk_expect_open(res, ctx->pf, "",
				      "PF, no token, a VF open", EACCES, NULL);
		break;
	case 1:
		ret = tvk_other_token(ctx, res, u, s);
		if (ret == 0)
			ret = tvk_expect_open_token(
				res, ctx->pf, s, "PF, wrong token, a VF open",
				EACCES, NULL);
		tvk_wipe(s, sizeof(s));
		tvk_wipe(u, sizeof(u));
		break;
	default:
		ret = tvk_expect_open_token(res, ctx->pf, ctx->token_str,
					    "PF, right token, a VF open", 0,
					    NULL);
		break;
	}
	tvk_dev_close(&vf);
	return ret;
}

static int
tvk_pf_users_none(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_pf_vf_users(ctx, res, 0);
}

static int
tvk_pf_users_wrong(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_pf_vf_users(ctx, res, 1);
}

static int
tvk_pf_users_right(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_pf_vf_users(ctx, res, 2);
}

/* Without VF users the PF opens without a token and the token is kept. */
static int
tvk_pf_no_users_no_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	if (tvk_expect_open(res, ctx->pf, "", "PF, no token, no VF users", 0,
			    NULL))
		return -1;
	return tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				     "known token after a token-less PF open",
				     0, NULL);
}

/*
 * A PF opened with a token while no VF is open sets that token; it stays
 * after the PF fd is closed.
 */
static int
tvk_pf_open_sets_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	ret = tvk_expect_open_token(res, ctx->pf, s,
				    "PF, new token, no VF users", 0, NULL);
	if (ret == 0)
		ret = tvk_expect_open_token(
			res, ctx->vf[0], ctx->token_str,
			"old token after the PF set a new one, PF closed",
			EACCES, NULL);
	if (ret == 0)
		ret = tvk_expect_open_token(
			res, ctx->vf[0], s,
			"new token set by the PF open, PF closed", 0, NULL);
	tvk_wipe(s, sizeof(s));
	tvk_wipe(u, sizeof(u));
	return ret;
}

/*
 * The PF token is random from bind: after an unbind/rebind of the PF the
 * previously set token no longer opens a VF.
 */
static int
tvk_token_random_at_bind(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char drv[64];
	int ret;

	if (tvk_set_numvfs(ctx->pf, 0, res))
		return -1;
	ret = tvk_unbind(ctx->pf);
	if (ret == 0)
		ret = tvk_bind(ctx->pf, "vfio-pci");
	if (ret)
		return tvk_fail(res, "rebind %s to vfio-pci: %s", ctx->pf,
				tvk_errname(-ret));
	if (tvk_driver_of(ctx->pf, drv, sizeof(drv)) ||
	    strcmp(drv, "vfio-pci") != 0)
		return tvk_fail(res, "%s not on vfio-pci after rebind",
				ctx->pf);
	if (tvk_set_numvfs(ctx->pf, TVK_NUM_VFS, res))
		return -1;
	if (tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				  "token set before the PF was rebound", EACCES,
				  NULL))
		return -1;
	/* vfio_pci_vf_init() fills it with uuid_gen(), not zeros */
	return tvk_expect_open_token(
		res, ctx->vf[0], "00000000-0000-0000-0000-000000000000",
		"the nil UUID after the PF was rebound", EACCES, NULL);
}

/* ---- VFIO_DEVICE_FEATURE PCI_VF_TOKEN ------------------------------ */

static int
tvk_open_pf(struct tvk_ctx *ctx, struct tvk_res *res, struct tvk_dev *pf)
{
	return tvk_expect_open(res, ctx->pf, "", "PF, no token, no VF users", 0,
			       pf);
}

static int
tvk_feat_probe(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct tvk_dev pf;
	int ret;

	if (tvk_open_pf(ctx, res, &pf))
		return -1;
	ret = tvk_expect_feature(res, pf.device, "PROBE|SET on the PF",
				 VFIO_DEVICE_FEATURE_PROBE |
					 VFIO_DEVICE_FEATURE_SET,
				 NULL, 0, 0);
	if (ret == 0)
		ret = tvk_expect_feature(res, pf.device, "PROBE on the PF",
					 VFIO_DEVICE_FEATURE_PROBE, NULL, 0, 0);
	tvk_dev_close(&pf);
	return ret;
}

static int
tvk_feat_set(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	struct tvk_dev pf;
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	ret = tvk_open_pf(ctx, res, &pf);
	if (ret == 0) {
		ret = tvk_expect_feature(res, pf.device, "SET on the PF",
					 VFIO_DEVICE_FEATURE_SET, u, 16, 0);
		tvk_dev_close(&pf);
	}
	if (ret == 0)
		ret = tvk_expect_open_token(res, ctx->vf[0], s,
					    "token set with FEATURE SET", 0,
					    NULL);
	if (ret == 0)
		ret = tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
					    "token replaced by FEATURE SET",
					    EACCES, NULL);
	tvk_wipe(s, sizeof(s));
	tvk_wipe(u, sizeof(u));
	return ret;
}

/* GET is refused so a token of a previous PF user cannot be read back. */
static int
tvk_feat_get(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct tvk_dev pf;
	int ret;

	if (tvk_open_pf(ctx, res, &pf))
		return -1;
	ret = tvk_expect_feature(res, pf.device, "GET on the PF",
				 VFIO_DEVICE_FEATURE_GET, NULL, 16, EINVAL);
	if (ret == 0)
		ret = tvk_expect_feature(res, pf.device, "PROBE|GET on the PF",
					 VFIO_DEVICE_FEATURE_PROBE |
						 VFIO_DEVICE_FEATURE_GET,
					 NULL, 0, EINVAL);
	tvk_dev_close(&pf);
	return ret;
}

/* argsz must cover the 16-byte UUID; a short SET changes nothing. */
static int
tvk_feat_short(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct tvk_dev pf;
	uint8_t zero[16] = { 0 };
	int ret;

	if (tvk_open_pf(ctx, res, &pf))
		return -1;
	ret = tvk_expect_feature(res, pf.device, "SET with 8 data bytes",
				 VFIO_DEVICE_FEATURE_SET, zero, 8, EINVAL);
	tvk_dev_close(&pf);
	if (ret == 0)
		ret = tvk_expect_open_token(
			res, ctx->vf[0], ctx->token_str,
			"known token after a refused short SET", 0, NULL);
	return ret;
}

/* A VF has no vf_token struct: the feature does not exist there. */
static int
tvk_feat_vf(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct tvk_dev vf;
	int ret;

	if (tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				  "right token", 0, &vf))
		return -1;
	ret = tvk_expect_feature(res, vf.device, "PROBE|SET on a VF",
				 VFIO_DEVICE_FEATURE_PROBE |
					 VFIO_DEVICE_FEATURE_SET,
				 NULL, 0, ENOTTY);
	if (ret == 0)
		ret = tvk_expect_feature(res, vf.device, "SET on a VF",
					 VFIO_DEVICE_FEATURE_SET, ctx->token,
					 16, ENOTTY);
	tvk_dev_close(&vf);
	return ret;
}

/*
 * The uapi comment says the token "may only be set ... when there are no
 * existing open VFs", but the SET path never looks at the VF user count.
 * Assert what upstream does (0) and report it.
 */
static int
tvk_feat_set_vfs_open(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char s[TVK_UUID_STR_LEN + 1];
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct tvk_dev vf, pf;
	uint8_t u[16];
	int ret;

	if (tvk_other_token(ctx, res, u, s))
		return -1;
	tvk_dev_init(&pf);
	ret = tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				    "right token, stays open", 0, &vf);
	if (ret)
		goto out;
	ret = tvk_expect_open_token(res, ctx->pf, ctx->token_str,
				    "PF, right token, a VF open", 0, &pf);
	if (ret == 0)
		ret = tvk_expect_feature(res, pf.device,
					 "SET on the PF while a VF is open",
					 VFIO_DEVICE_FEATURE_SET, u, 16, 0);
	if (ret == 0)
		tvk_note("feature-set-vfs-open",
			 "SET succeeded with a VF open, contrary to the uapi "
			 "comment ('no existing open VFs'); the open VF keeps "
			 "working");
	if (ret == 0 && ioctl(vf.device, VFIO_DEVICE_GET_INFO, &info) < 0)
		ret = tvk_fail(res,
			       "open VF fd unusable after the token changed: "
			       "VFIO_DEVICE_GET_INFO %s",
			       tvk_errname(errno));
	if (ret == 0)
		ret = tvk_expect_open_token(res, ctx->vf[1], s,
					    "second VF, new token", 0, NULL);
	if (ret == 0)
		ret = tvk_expect_open_token(res, ctx->vf[1], ctx->token_str,
					    "second VF, replaced token", EACCES,
					    NULL);
	tvk_dev_close(&pf);
	tvk_dev_close(&vf);
out:
	tvk_wipe(s, sizeof(s));
	tvk_wipe(u, sizeof(u));
	return ret;
}

static int
tvk_other_run(struct tvk_ctx *ctx, struct tvk_res *res, int which)
{
	char orig[64];
	struct tvk_dev d;
	int ret, r2;

	if (tvk_other_bind_vfio(ctx->other, orig, sizeof(orig), res))
		return -1;
	switch (which) {
	case 0:
		ret = tvk_expect_open_token(res, ctx->other, ctx->token_str,
					    "non-SR-IOV device with a token",
					    EINVAL, NULL);
		break;
	case 1:
		ret = tvk_expect_open(res, ctx->other, "",
				      "non-SR-IOV device, no token", 0, NULL);
		break;
	default:
		ret = tvk_expect_open(res, ctx->other, "",
				      "non-SR-IOV device, no token", 0, &d);
		if (ret == 0) {
			ret = tvk_expect_feature(
				res, d.device,
				"PROBE|SET on a non-SR-IOV device",
				VFIO_DEVICE_FEATURE_PROBE |
					VFIO_DEVICE_FEATURE_SET,
				NULL, 0, ENOTTY);
			tvk_dev_close(&d);
		}
		break;
	}
	r2 = tvk_other_restore(ctx->other, orig);
	if (ret == 0 && r2)
		ret = tvk_fail(res, "restore %s to '%s': %s", ctx->other, orig,
			       tvk_errname(-r2));
	return ret;
}

static int
tvk_nonsriov_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_other_run(ctx, res, 0);
}

static int
tvk_nonsriov_no_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_other_run(ctx, res, 1);
}

static int
tvk_nonsriov_feature(struct tvk_ctx *ctx, struct tvk_res *res)
{
	return tvk_other_run(ctx, res, 2);
}

/* ---- sysfs rules ---------------------------------------------------- */

/*
 * vfio-pci's sriov_configure refuses with -ENOENT unless the enable_sriov
 * module parameter is set; the parameter is runtime-writable (0644).
 */
static int
tvk_sriov_needs_param(struct tvk_ctx *ctx, struct tvk_res *res)
{
	struct stat st;
	char val[8];
	int ret;

	if (stat(TVK_ENABLE_SRIOV, &st) < 0)
		return tvk_fail(res, "stat %s: %s", TVK_ENABLE_SRIOV,
				tvk_errname(errno));
	if ((st.st_mode & 0777) != 0644)
		return tvk_fail(res, "%s mode: expected 0644, got %04o",
				TVK_ENABLE_SRIOV, st.st_mode & 0777);
	if (tvk_set_numvfs(ctx->pf, 0, res))
		return -1;
	ret = tvk_sysfs_write(TVK_ENABLE_SRIOV, "0");
	if (ret)
		return tvk_fail(res, "write 0 to %s: %s", TVK_ENABLE_SRIOV,
				tvk_errname(-ret));
	if (tvk_sysfs_read(TVK_ENABLE_SRIOV, val, sizeof(val)) ||
	    strcmp(val, "N") != 0)
		return tvk_fail(res, "%s did not read back N",
				TVK_ENABLE_SRIOV);
	ret = tvk_write_expect(res, ctx->pf, "sriov_numvfs", "2", ENOENT);
	if (ret == 0 && tvk_numvfs(ctx->pf) != 0)
		ret = tvk_fail(res, "VFs exist after the refused write");
	/* Restore now; the next reset would too. */
	tvk_sysfs_write(TVK_ENABLE_SRIOV, "1");
	if (ret == 0)
		ret = tvk_write_expect(res, ctx->pf, "sriov_numvfs", "2", 0);
	return ret;
}

/*
 * vfio-pci's PCI bus notifier sets driver_override="vfio-pci" on every VF
 * its PF spawns, so with autoprobe on the VFs bind to vfio-pci.
 */
static int
tvk_vfs_on_vfio(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char drv[64], ovr[64], vf[TVK_ADDR_LEN];
	int i;

	if (tvk_set_numvfs(ctx->pf, 0, res) ||
	    tvk_set_numvfs(ctx->pf, TVK_NUM_VFS, res))
		return -1;
	for (i = 0; i < TVK_NUM_VFS; i++) {
		if (tvk_virtfn(ctx->pf, i, vf, sizeof(vf)))
			return tvk_fail(res, "%s/virtfn%d missing", ctx->pf, i);
		if (tvk_driver_of(vf, drv, sizeof(drv)))
			return tvk_fail(res, "driver of %s unreadable", vf);
		if (strcmp(drv, "vfio-pci") != 0)
			return tvk_fail(
				res,
				"new VF %s: expected driver vfio-pci, got '%s'",
				vf, drv);
		if (tvk_dev_attr_read(vf, "driver_override", ovr,
				      sizeof(ovr)) == 0)
			tvk_note("vfs-bound-to-vfio-pci",
				 "%s driver_override='%s'", vf, ovr);
	}
	return 0;
}

/*
 * vfio-pci refuses to probe a PF that already has VFs (-EBUSY). igb cannot
 * leave such a PF behind (igb_remove() disables SR-IOV), pci-pf-stub can: it
 * has no remove hook and the PCI core only warns "driver left SR-IOV enabled
 * after remove".
 */
static int
tvk_pf_bind_busy(struct tvk_ctx *ctx, struct tvk_res *res)
{
	char path[] = "/sys/bus/pci/drivers/vfio-pci/bind";
	int ret;

	if (tvk_set_numvfs(ctx->pf, 0, res))
		return -1;
	if (!tvk_driver_loaded("pci-pf-stub") &&
	    tvk_modprobe("pci-pf-stub", NULL))
		return tvk_fail(res, "modprobe pci-pf-stub failed");
	ret = tvk_bind(ctx->pf, "pci-pf-stub");
	if (ret == 0)
		ret = tvk_dev_attr_write(ctx->pf, "sriov_drivers_autoprobe",
					 "0");
	if (ret == 0)
		ret = tvk_dev_attr_write(ctx->pf, "sriov_numvfs", "2");
	if (ret == 0)
		ret = tvk_unbind(ctx->pf);
	if (ret)
		return tvk_fail(res, "set-up with pci-pf-stub: %s",
				tvk_errname(-ret));
	if (tvk_numvfs(ctx->pf) != TVK_NUM_VFS)
		return tvk_fail(res,
				"set-up: VFs gone after pci-pf-stub unbind");
	ret = tvk_dev_attr_write(ctx->pf, "driver_override", "vfio-pci");
	if (ret)
		return tvk_fail(res, "driver_override: %s", tvk_errname(-ret));
	ret = tvk_sysfs_write(path, ctx->pf);
	if (ret != -EBUSY)
		return tvk_fail(res,
				"bind PF with %d VFs to vfio-pci: expected "
				"EBUSY, got %s",
				TVK_NUM_VFS, tvk_errname(-ret));
	return 0;
}

/* ---- VF of a PF on the kernel igb driver ---------------------------- */

static int
tvk_pf_to_igb(struct tvk_ctx *ctx, struct tvk_res *res)
{
	int ret;

	if (tvk_set_numvfs(ctx->pf, 0, res))
		return -1;
	if (!tvk_driver_loaded("igb") && tvk_modprobe("igb", NULL))
		return tvk_fail(res, "modprobe igb failed");
	ret = tvk_bind(ctx->pf, "igb");
	if (ret)
		return tvk_fail(res, "bind %s to igb: %s", ctx->pf,
				tvk_errname(-ret));
	/* Keep the new VFs driverless (no igbvf), then give VF 0 to vfio. */
	ret = tvk_dev_attr_write(ctx->pf, "sriov_drivers_autoprobe", "0");
	if (ret == 0)
		ret = tvk_dev_attr_write(ctx->pf, "sriov_numvfs", "2");
	if (ret)
		return tvk_fail(res, "create VFs under igb: %s",
				tvk_errname(-ret));
	ret = tvk_virtfn(ctx->pf, 0, ctx->vf[0], sizeof(ctx->vf[0]));
	if (ret == 0)
		ret = tvk_bind(ctx->vf[0], "vfio-pci");
	if (ret)
		return tvk_fail(res, "bind VF %s to vfio-pci: %s", ctx->vf[0],
				tvk_errname(-ret));
	return 0;
}

static int
tvk_vf_igb_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	if (tvk_pf_to_igb(ctx, res))
		return -1;
	return tvk_expect_open_token(res, ctx->vf[0], ctx->token_str,
				     "VF of an igb PF, with a token", EINVAL,
				     NULL);
}

static int
tvk_vf_igb_no_token(struct tvk_ctx *ctx, struct tvk_res *res)
{
	if (tvk_pf_to_igb(ctx, res))
		return -1;
	return tvk_expect_open(res, ctx->vf[0], "", "VF of an igb PF, no token",
			       0, NULL);
}

/* ---- table ------------------------------------------------------------ */

const struct tvk_check tvk_checks[] = {
	{ "vf-no-token", "VF, PF on vfio-pci, no token -> EACCES",
	  tvk_vf_no_token, 0 },
	{ "vf-wrong-token", "VF, PF on vfio-pci, wrong token -> EACCES",
	  tvk_vf_wrong_token, 0 },
	{ "vf-right-token", "VF, PF on vfio-pci, right token -> 0 (every VF)",
	  tvk_vf_right_token, 0 },
	{ "vf-token-uppercase", "VF, right token in upper-case hex -> 0",
	  tvk_vf_token_upper, 0 },
	{ "vf-token-extra-spaces",
	  "VF, right token with runs of spaces around it -> 0",
	  tvk_vf_token_spaces, 0 },
	{ "vf-igb-pf-token", "VF, PF on the kernel igb driver, token -> EINVAL",
	  tvk_vf_igb_token, TVK_NEED_KERNEL_PF },
	{ "vf-igb-pf-no-token",
	  "VF, PF on the kernel igb driver, no token -> 0", tvk_vf_igb_no_token,
	  TVK_NEED_KERNEL_PF },
	{ "pf-vf-users-no-token", "PF with a VF open, no token -> EACCES",
	  tvk_pf_users_none, 0 },
	{ "pf-vf-users-wrong-token", "PF with a VF open, wrong token -> EACCES",
	  tvk_pf_users_wrong, 0 },
	{ "pf-vf-users-right-token", "PF with a VF open, right token -> 0",
	  tvk_pf_users_right, 0 },
	{ "pf-no-vf-users-no-token",
	  "PF without VF users, no token -> 0, token unchanged",
	  tvk_pf_no_users_no_token, 0 },
	{ "pf-open-sets-token",
	  "PF without VF users, token -> 0 and the token is set; it persists "
	  "after close",
	  tvk_pf_open_sets_token, 0 },
	{ "token-random-at-bind",
	  "PF rebound to vfio-pci -> neither the previous token nor the nil "
	  "UUID opens a VF",
	  tvk_token_random_at_bind, 0 },
	{ "feature-probe",
	  "FEATURE PROBE and PROBE|SET PCI_VF_TOKEN on the PF -> 0",
	  tvk_feat_probe, 0 },
	{ "feature-set",
	  "FEATURE SET on the PF -> 0; VFs open with the new token only",
	  tvk_feat_set, 0 },
	{ "feature-get-refused",
	  "FEATURE GET and PROBE|GET on the PF -> EINVAL", tvk_feat_get, 0 },
	{ "feature-set-short-argsz",
	  "FEATURE SET with argsz < 16 data bytes -> EINVAL, token unchanged",
	  tvk_feat_short, 0 },
	{ "feature-vf-enotty", "FEATURE PROBE|SET and SET on a VF -> ENOTTY",
	  tvk_feat_vf, 0 },
	{ "feature-set-vfs-open",
	  "FEATURE SET on the PF while a VF is open -> 0 (observation)",
	  tvk_feat_set_vfs_open, 0 },
	{ "nonsriov-token", "non-SR-IOV device on vfio-pci, token -> EINVAL",
	  tvk_nonsriov_token, TVK_NEED_OTHER },
	{ "nonsriov-no-token", "non-SR-IOV device on vfio-pci, no token -> 0",
	  tvk_nonsriov_no_token, TVK_NEED_OTHER },
	{ "nonsriov-feature-enotty",
	  "FEATURE PROBE|SET on a non-SR-IOV device -> ENOTTY",
	  tvk_nonsriov_feature, TVK_NEED_OTHER },
	{ "opt-malformed-uuid",
	  "36-char token with a non-hex digit or misplaced dash -> EINVAL",
	  tvk_opt_malformed, 0 },
	{ "opt-short-uuid", "short or empty token -> EINVAL", tvk_opt_short,
	  0 },
	{ "opt-unknown", "unknown option (foo=bar, VF_TOKEN=) -> EINVAL",
	  tvk_opt_unknown, 0 },
	{ "opt-duplicate", "vf_token given twice -> EINVAL", tvk_opt_duplicate,
	  0 },
	{ "opt-trailing-garbage", "text glued after the UUID -> EINVAL",
	  tvk_opt_trailing, 0 },
	{ "opt-no-space",
	  "text glued after the device name -> no match -> ENODEV",
	  tvk_opt_no_space, 0 },
	{ "sriov-needs-enable-sriov",
	  "sriov_numvfs on a vfio-pci PF with enable_sriov=0 -> ENOENT (param "
	  "is 0644)",
	  tvk_sriov_needs_param, 0 },
	{ "vfs-bound-to-vfio-pci",
	  "VFs created on a vfio-pci PF come up bound to vfio-pci",
	  tvk_vfs_on_vfio, 0 },
	{ "pf-bind-busy-with-vfs",
	  "binding vfio-pci to a PF that already has VFs -> EBUSY",
	  tvk_pf_bind_busy, TVK_NEED_KERNEL_PF },
	{ "pf-refused-open-sets-token",
	  "PF GET_DEVICE_FD with a new token, no container / no IOMMU set -> "
	  "EINVAL, and the new token is in force (VF: it -> 0, the old one "
	  "and none -> EACCES)",
	  tvk_pf_refused_open_sets_token, 0 },
	{ "group-order-token-first",
	  "VF on a group without a container: wrong or no token -> EACCES "
	  "(token step first), right token -> EINVAL",
	  tvk_group_order_token_first, 0 },
	{ "group-busy-before-token",
	  "group held: its second open() -> EBUSY whatever the token; on the "
	  "holder's fd a second GET_DEVICE_FD: wrong/none -> EACCES, right -> "
	  "0",
	  tvk_group_busy_before_token, 0 },
	{ "group-second-open-new-token",
	  "VF held, PF SETs a new token: a second GET_DEVICE_FD on the held "
	  "group fd needs the new token (old -> EACCES), the first fd works",
	  tvk_group_second_open_new_token, 0 },
	{ "token-kept-across-numvfs",
	  "sriov_numvfs 2 -> 0 -> 2 keeps the PF's token (not re-set)",
	  tvk_token_kept_across_numvfs, 0 },
	{ "token-set-with-zero-vfs",
	  "with 0 VFs, FEATURE SET and a PF open with vf_token= set the token; "
	  "VFs created later need it",
	  tvk_token_set_with_zero_vfs, 0 },
	{ "sriov-numvfs-change-busy",
	  "sriov_numvfs 2 -> 1 -> EBUSY (VFs kept); 2 -> 2 -> 0",
	  tvk_sriov_numvfs_change_busy, 0 },
	{ "sriov-disable-needs-enable-sriov",
	  "enable_sriov=0: sriov_numvfs 2 -> 0 -> ENOENT (VFs kept), 2 -> 2 -> "
	  "0 (same value, driver not asked)",
	  tvk_sriov_disable_needs_param, 0 },
	{ "pf-token-lifecycle",
	  "group path: PF opened with a token and held, VF same/other/no token "
	  "-> 0/EACCES/EACCES; same after PF close; after FEATURE SET "
	  "(kernel selftest's three cases)",
	  tvk_pf_token_lifecycle, 0 },
	{ "pf-token-lifecycle-type1",
	  "pf-token-lifecycle with the type1 (v1) IOMMU model",
	  tvk_pf_token_lifecycle_type1, 0 },
	{ "compat-vf-no-token",
	  "iommufd compat container (/dev/iommu as the group's container): VF, "
	  "no token -> EACCES",
	  tvk_compat_vf_no_token, TVK_NEED_IOMMUFD },
	{ "compat-vf-wrong-token",
	  "iommufd compat container: VF, wrong token -> EACCES",
	  tvk_compat_vf_wrong_token, TVK_NEED_IOMMUFD },
	{ "compat-vf-right-token",
	  "iommufd compat container: every VF with the token -> 0, GET_INFO",
	  tvk_compat_vf_right_token, TVK_NEED_IOMMUFD },
	{ "compat-pf-token-lifecycle",
	  "iommufd compat container: pf-token-lifecycle's cases",
	  tvk_compat_pf_token_lifecycle, TVK_NEED_IOMMUFD },
	{ "compat-pf-token-lifecycle-type1",
	  "iommufd compat container, type1 (v1) IOMMU model: "
	  "pf-token-lifecycle's cases",
	  tvk_compat_pf_token_lifecycle_type1, TVK_NEED_IOMMUFD },
	{ "cdev-nodes",
	  "/dev/iommu, and vfio-dev/vfioN + /dev/vfio/devices/vfioN (same "
	  "dev number) for the PF and every VF",
	  tvk_cdev_nodes, TVK_NEED_CDEV },
	{ "cdev-unbound-refused",
	  "cdev fd before BIND_IOMMUFD: GET_INFO, ATTACH_IOMMUFD_PT -> EINVAL",
	  tvk_cdev_unbound, TVK_NEED_CDEV },
	{ "cdev-vf-no-token",
	  "cdev bind of a VF, PF on vfio-pci, no token -> "
	  "EACCES",
	  tvk_cdev_vf_no_token, TVK_NEED_CDEV },
	{ "cdev-vf-wrong-token",
	  "cdev bind of a VF, PF on vfio-pci, wrong token -> EACCES",
	  tvk_cdev_vf_wrong_token, TVK_NEED_CDEV },
	{ "cdev-vf-right-token",
	  "cdev bind of every VF with the token -> 0 (E2BIG on 6.17 and "
	  "6.18.0-6.18.2), IOAS attach -> 0",
	  tvk_cdev_vf_right_token, TVK_NEED_CDEV },
	{ "cdev-bind-args",
	  "bind: argsz < 16, unknown flag, iommufd -1 -> EINVAL; token flag "
	  "without a token pointer -> EFAULT; the right bind still works",
	  tvk_cdev_bind_args, TVK_NEED_CDEV },
	{ "cdev-bind-twice", "second bind of a bound cdev fd -> EINVAL",
	  tvk_cdev_bind_twice, TVK_NEED_CDEV },
	{ "cdev-pf-vf-users-no-token",
	  "cdev bind of the PF with a VF bound, no token -> EACCES",
	  tvk_cdev_pf_users_none, TVK_NEED_CDEV },
	{ "cdev-pf-vf-users-wrong-token",
	  "cdev bind of the PF with a VF bound, wrong token -> EACCES",
	  tvk_cdev_pf_users_wrong, TVK_NEED_CDEV },
	{ "cdev-pf-vf-users-right-token",
	  "cdev bind of the PF with a VF bound, right token -> 0",
	  tvk_cdev_pf_users_right, TVK_NEED_CDEV },
	{ "cdev-vf-users-shared",
	  "a VF open on one path counts for the PF on the other -> EACCES "
	  "both ways",
	  tvk_cdev_users_shared, TVK_NEED_CDEV },
	{ "cdev-pf-no-vf-users-no-token",
	  "cdev bind of the PF without VF users, no token -> 0, token kept",
	  tvk_cdev_pf_no_users_no_token, TVK_NEED_CDEV },
	{ "cdev-pf-no-vf-users-token",
	  "cdev bind of the PF without VF users, token -> 0 and the token is "
	  "set",
	  tvk_cdev_pf_no_users_token, TVK_NEED_CDEV },
	{ "cdev-nonsriov-token",
	  "cdev bind of a non-SR-IOV device with the token flag -> EINVAL",
	  tvk_cdev_nonsriov_token, TVK_NEED_CDEV | TVK_NEED_OTHER },
	{ "cdev-nonsriov-no-token",
	  "cdev bind of a non-SR-IOV device without the flag -> 0",
	  tvk_cdev_nonsriov_no_token, TVK_NEED_CDEV | TVK_NEED_OTHER },
	{ "cdev-blocks-group",
	  "a cdev-bound device's group open -> EBUSY (an unbound cdev fd "
	  "blocks nothing)",
	  tvk_cdev_blocks_group, TVK_NEED_CDEV },
	{ "group-blocks-cdev",
	  "cdev bind while the group is open (with or without a device fd) "
	  "-> EBUSY",
	  tvk_cdev_group_blocks_cdev, TVK_NEED_CDEV },
	{ "cdev-feature-set",
	  "FEATURE PROBE/SET PCI_VF_TOKEN on the PF cdev -> 0 (GET EINVAL); "
	  "VFs open with the new token on both paths",
	  tvk_cdev_feature_set, TVK_NEED_CDEV },
	{ "cdev-feature-vf-enotty",
	  "FEATURE PROBE|SET PCI_VF_TOKEN on a VF cdev -> ENOTTY",
	  tvk_cdev_feature_vf, TVK_NEED_CDEV },
	{ "cdev-pf-refused-bind-sets-token",
	  "PF bind with a new token refused after the token step (not an "
	  "iommufd -> EBADFD, closed fd -> EBADF, PF bound elsewhere -> "
	  "EINVAL): the new token is in force; iommufd -1 -> EINVAL, token "
	  "kept",
	  tvk_cdev_pf_refused_bind_sets_token, TVK_NEED_CDEV },
	{ "cdev-bind-order",
	  "bind errors in order: tail (E2BIG) > flags, iommufd<0 > group "
	  "(EBUSY) > bound (EINVAL) > token (EACCES) > iommufd (EBADFD) > "
	  "open (EINVAL)",
	  tvk_cdev_bind_order, TVK_NEED_CDEV },
	{ "cdev-pf-token-lifecycle", "cdev path: pf-token-lifecycle's cases",
	  tvk_cdev_pf_token_lifecycle, TVK_NEED_CDEV },
};

const size_t tvk_num_checks = sizeof(tvk_checks) / sizeof(tvk_checks[0]);

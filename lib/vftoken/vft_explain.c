/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The explainer: turn a failed open (errno, the step that failed, whether a
 * token was passed) plus what sysfs says about the function and its PF into
 * one verdict with a reason and a fix.
 *
 * The token rules are the kernel's vfio_pci_validate_vf_token() ("vfio/pci:
 * Introduce VF token"; drivers/vfio/pci/vfio_pci_core.c; the table in
 * doc/guides/token_model.rst):
 *   VF, PF not on vfio-pci:  no token ok, token -EINVAL
 *   VF, PF on vfio-pci:      token missing or wrong -EACCES
 *   PF with VF users:        token missing or wrong -EACCES
 *   PF without VF users:     a token sets it
 *   neither PF nor VF:       token -EINVAL
 * and vfio_pci_match(): an unknown or duplicate option, or a malformed
 * UUID, is -EINVAL. No text built here ever holds a token: the explainer
 * is only told whether one was given.
 *
 * The token step comes early, and what fails after it can leave the token
 * changed: a PF without VF users takes the given token at the token step
 * (vfio_pci_core_match_token_uuid()), so a refusal that follows it (the
 * group path: no container or IOMMU set -EINVAL, noiommu -EPERM, the
 * open's reset -EAGAIN; the cdev path: a bad iommufd -EBADF/-EBADFD, the
 * device bound through another cdev fd -EINVAL) is explained as "refused,
 * but the token was changed" (drivers/vfio/group.c, device_cdev.c;
 * doc/guides/token_model.rst). On the cdev path the rules depend on the
 * kernel: the token is commit 86624ba3b522 (Linux 6.17, backported to
 * 6.16.y); before it any bind flag is -EINVAL and no token is checked; a
 * bind with a token is -E2BIG until 2f03f21fe751 (6.19, 6.18.3).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "vft_private.h"
#include "vftoken.h"

/* The VF token on the cdev path of a kernel, judged by its release. */
enum vft_cdev_token {
	VFT_CDEV_TOKEN_UNKNOWN, /* release unreadable, or a 6.16.y after .0 */
	VFT_CDEV_TOKEN_NONE,  /* before 86624ba3b522: flags -EINVAL, no check */
	VFT_CDEV_TOKEN_E2BIG, /* 6.17.y, 6.18.0-2: a token bind -E2BIG */
	VFT_CDEV_TOKEN_OK,    /* 6.18.3+, 6.19+ */
};

/* What the explainer knows about the function, read once. */
struct vft_explain_ctx {
	const struct vft_sys *sys;
	const char *root; /* sysfs root, for the commands in fixes */
	struct vft_pci_addr addr;
	char name[VFT_PCI_ADDR_LEN];
	bool token;
	int error;
	enum vft_step step;
	bool have_dev;
	struct vft_pci_dev dev;
	bool have_pf;
	char pf_name[VFT_PCI_ADDR_LEN];
	struct vft_pci_dev pf;
	char release[65]; /* the kernel's, "" when unknown */
	enum vft_cdev_token cdev_token;
};

/* vft_explain_kernel_set(): a release to use instead of uname()'s. */
static bool vft_explain_release_fixed;
static char vft_explain_release[65];

void
vft_explain_kernel_set(const char *release)
{
	vft_explain_release_fixed = release != NULL;
	snprintf(vft_explain_release, sizeof(vft_explain_release), "%s",
		 release != NULL ? release : "");
}

/*
 * The kernel's release into c->release and what its cdev path does with a
 * token: 86624ba3b522 is in 6.17 and in 6.16.y from some stable release
 * on (UNKNOWN), its -E2BIG bug fixed by 2f03f21fe751 in 6.19 and 6.18.3
 * (no 6.17.y fix known). A distribution kernel may carry backports its
 * version does not show, so texts say "by its version".
 */
static void
vft_explain_kernel(struct vft_explain_ctx *c)
{
	unsigned int maj = 0, min = 0, sub = 0;
	struct utsname u;

	if (vft_explain_release_fixed)
		snprintf(c->release, sizeof(c->release), "%s",
			 vft_explain_release);
	else if (uname(&u) == 0)
		snprintf(c->release, sizeof(c->release), "%s", u.release);
	c->cdev_token = VFT_CDEV_TOKEN_UNKNOWN;
	if (sscanf(c->release, "%u.%u.%u", &maj, &min, &sub) < 2)
		return;
	if (maj < 6 || (maj == 6 && min < 16) ||
	    (maj == 6 && min == 16 && sub == 0))
		c->cdev_token = VFT_CDEV_TOKEN_NONE;
	else if (maj == 6 && min == 16)
		c->cdev_token = VFT_CDEV_TOKEN_UNKNOWN;
	else if (maj == 6 && (min == 17 || (min == 18 && sub < 3)))
		c->cdev_token = VFT_CDEV_TOKEN_E2BIG;
	else
		c->cdev_token = VFT_CDEV_TOKEN_OK;
}

static const char *const vft_verdict_names[] = {
	[VFT_V_OK] = "ok",
	[VFT_V_NO_DEVICE] = "no-device",
	[VFT_V_NOT_VFIO] = "not-vfio",
	[VFT_V_GROUP_NOT_VIABLE] = "group-not-viable",
	[VFT_V_BUSY] = "busy",
	[VFT_V_VF_NEEDS_TOKEN] = "vf-needs-token",
	[VFT_V_TOKEN_REJECTED] = "token-rejected",
	[VFT_V_TOKEN_PF_NOT_VFIO] = "token-pf-not-vfio",
	[VFT_V_TOKEN_NOT_SRIOV] = "token-not-sriov",
	[VFT_V_PF_HAS_VF_USERS] = "pf-has-vf-users",
	[VFT_V_BAD_OPTION] = "bad-option",
	[VFT_V_NO_PERMISSION] = "no-permission",
	[VFT_V_OTHER] = "other",
	[VFT_V_BROKER_DENIED] = "broker-denied",
};

const char *
vft_verdict_name(enum vft_verdict v)
{
	if ((unsigned int)v >=
		    sizeof(vft_verdict_names) / sizeof(vft_verdict_names[0]) ||
	    vft_verdict_names[v] == NULL)
		return "unknown";
	return vft_verdict_names[v];
}

static void
vft_explain_set(struct vft_explanation *out, enum vft_verdict v)
{
	out->verdict = v;
}

static void __attribute__((format(printf, 2, 3)))
vft_explain_reason(struct vft_explanation *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
vft_explain_fix(struct vft_explanation *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->fix, sizeof(out->fix), fmt, ap);
	va_end(ap);
}

static const char *
vft_explain_driver(const struct vft_pci_dev *dev)
{
	return dev->driver[0] ? dev->driver : "no driver";
}

static bool
vft_explain_errno_is(int error, int e1, int e2)
{
	return error == -e1 || error == -e2;
}

static void
vft_explain_no_device(const struct vft_explain_ctx *c,
		      struct vft_explanation *out)
{
	vft_explain_set(out, VFT_V_NO_DEVICE);
	vft_explain_reason(out,
			   "there is no PCI function %s (%s/bus/pci/devices/%s "
			   "does not exist)",
			   c->name, c->root, c->name);
	vft_explain_fix(
		out, "check the address with `lspci -D` or `vftoken status`; "
		     "VFs exist only while their PF has sriov_numvfs > 0 "
		     "(`vftoken vfs create`)");
}

/*
 * Without an enabled IOMMU no function has an iommu_group and vfio-pci
 * binds nothing (vfio_pci_core_register_device() fails without a group,
 * unless the kernel has CONFIG_VFIO_NOIOMMU, which Debian's do not): "bind
 * it to vfio-pci" is then the wrong advice. Say what is missing.
 */
static bool
vft_explain_no_iommu(const struct vft_explain_ctx *c,
		     struct vft_explanation *out)
{
	if (vft_sys_iommu_present(c->sys))
		return false;
	/* %.200s: both paths fit the reason whatever the sysfs root. */
	vft_explain_reason(out,
			   "the host has no IOMMU enabled "
			   "(%.200s/kernel/iommu_groups and %.200s/class/iommu "
			   "are empty): vfio-pci can bind no device",
			   c->root, c->root);
	vft_explain_fix(out,
			"enable VT-d / AMD-Vi in the firmware and boot with "
			"intel_iommu=on (or amd_iommu=on), then bind the "
			"device to vfio-pci");
	return true;
}

static void
vft_explain_not_vfio(const struct vft_explain_ctx *c,
		     struct vft_explanation *out)
{
	const char *d = c->name, *r = c->root;
	char unbind[VFT_EXPLAIN_LEN / 2];

	vft_explain_set(out, VFT_V_NOT_VFIO);
	if (vft_explain_no_iommu(c, out))
		return;
	if (c->dev.driver[0])
		vft_explain_reason(out,
				   "%s is bound to %s, not vfio-pci: VFIO can "
				   "only open functions bound to vfio-pci",
				   d, c->dev.driver);
	else
		vft_explain_reason(
			out,
			"%s has no driver, it is not bound to "
			"vfio-pci: VFIO can only open functions bound "
			"to vfio-pci",
			d);
	if (c->dev.driver[0])
		snprintf(unbind, sizeof(unbind),
			 " echo %s > %s/bus/pci/devices/%s/driver/unbind;", d,
			 r, d);
	else
		unbind[0] = '\0';
	vft_explain_fix(
		out,
		"bind it to vfio-pci: `modprobe vfio-pci; echo vfio-pci "
		"> %s/bus/pci/devices/%s/driver_override;%s echo %s > "
		"%s/bus/pci/drivers_probe`%s",
		r, d, unbind, d, r,
		c->dev.is_vf ? "; or create the VFs with `vftoken vfs "
			       "create`, which binds them to vfio-pci"
			     : "");
}

static void
vft_explain_not_viable(const struct vft_explain_ctx *c, const char *list,
		       struct vft_explanation *out)
{
	vft_explain_set(out, VFT_V_GROUP_NOT_VIABLE);
	vft_explain_reason(out,
			   "IOMMU group %d of %s is not viable: %s%s; the "
			   "kernel isolates whole groups, so every function "
			   "in it must be bound to vfio-pci or to no driver",
			   c->dev.iommu_group, c->name,
			   list[0] ? "other functions in it are on host "
				     "drivers: "
				   : "a function in it is on a host driver",
			   list);
	vft_explain_fix(
		out,
		"bind each of those functions to vfio-pci (driver_override"
		" + drivers_probe, as for %s) or unbind them; or move "
		"the device to a slot with its own IOMMU group",
		c->name);
}

static void
vft_explain_no_permission(const struct vft_explain_ctx *c,
			  struct vft_explanation *out)
{
	char node[40];
	int n;

	if (c->step == VFT_STEP_CONTAINER)
		snprintf(node, sizeof(node), "/dev/vfio/vfio");
	else if (c->step == VFT_STEP_IOMMUFD)
		snprintf(node, sizeof(node), "/dev/iommu");
	else if (c->step == VFT_STEP_CDEV_OPEN && c->have_dev &&
		 (n = vft_pci_vfio_cdev(c->sys, &c->dev.addr)) >= 0)
		snprintf(node, sizeof(node), "/dev/vfio/devices/vfio%d", n);
	else if (c->have_dev && c->dev.iommu_group >= 0)
		snprintf(node, sizeof(node), "/dev/vfio/%d",
			 c->dev.iommu_group);
	else
		snprintf(node, sizeof(node), "/dev/vfio/<group>");
	vft_explain_set(out, VFT_V_NO_PERMISSION);
	vft_explain_reason(out,
			   "opening %s for %s was refused (%s): this user may "
			   "not use VFIO for it",
			   node, c->name, strerror(-c->error));
	vft_explain_fix(out,
			"run as root, or give this user %s (e.g. a udev rule "
			"setting its owner) and %s, and a large enough "
			"RLIMIT_MEMLOCK for DMA maps",
			node,
			c->step == VFT_STEP_IOMMUFD ||
					c->step == VFT_STEP_CDEV_OPEN
				? "/dev/iommu"
				: "/dev/vfio/vfio");
}

static void
vft_explain_busy(const struct vft_explain_ctx *c, struct vft_explanation *out)
{
	int g = c->have_dev ? c->dev.iommu_group : -1;

	vft_explain_set(out, VFT_V_BUSY);
	if (c->step == VFT_STEP_CDEV_BIND) {
		vft_explain_reason(
			out,
			"%s is open through its IOMMU group %d (%s): "
			"the kernel binds a device through its vfio "
			"cdev only while no process holds the group "
			"(drivers/vfio/group.c)",
			c->name, g, strerror(-c->error));
		vft_explain_fix(
			out,
			"close the group user first (`fuser -v "
			"/dev/vfio/%d` names it), or use the group path",
			g);
		return;
	}
	if (c->step == VFT_STEP_DEVICE_OPEN)
		vft_explain_reason(out,
				   "%s is already in use (%s): the kernel "
				   "refused another open of the device",
				   c->name, strerror(-c->error));
	else
		vft_explain_reason(
			out,
			"IOMMU group %d of %s is in use (%s): a VFIO "
			"group can be held by one process at a time, and "
			"not while one of its devices is bound through its "
			"vfio cdev",
			g, c->name, strerror(-c->error));
	vft_explain_fix(out,
			"stop the other user first; `fuser -v /dev/vfio/%d` "
			"names it",
			g);
}

/* -EAGAIN from the first open: vfio-pci's reset found the function's
 * device lock taken, through all of vft_open_again()'s tries. */
static void
vft_explain_reset_locked(const struct vft_explain_ctx *c,
			 struct vft_explanation *out)
{
	vft_explain_set(out, VFT_V_BUSY);
	vft_explain_reason(out,
			   "vfio-pci could not reset %s as it opened it (%s): "
			   "another task held the function's device lock "
			   "(vfio_pci_core_enable() fails the open when "
			   "pci_try_reset_function() cannot take it)",
			   c->name, strerror(-c->error));
	vft_explain_fix(out,
			"open again once the other task is done: a write to "
			"%s's sysfs reset, a driver bind or a PF's "
			"sriov_numvfs change in progress; `dmesg` may name it",
			c->name);
}

static void
vft_explain_vf(const struct vft_explain_ctx *c, struct vft_explanation *out)
{
	const char *pfdrv = c->have_pf ? vft_explain_driver(&c->pf) : "unknown";

	if (c->token) {
		vft_explain_set(out, VFT_V_TOKEN_REJECTED);
		vft_explain_reason(out,
				   "the kernel rejected the VF token given for "
				   "VF %s: its PF %s is bound to %s, and the "
				   "token does not match the one the PF's user "
				   "set",
				   c->name, c->pf_name, pfdrv);
		vft_explain_fix(out,
				"pass the PF user's current token (the PF's "
				"token is random from its bind to vfio-pci "
				"until its user sets one), e.g. from the "
				"same 0600 token file; the PF process logs "
				"the token's fingerprint to compare with "
				"`vftoken check` output, never the token");
	} else {
		vft_explain_set(out, VFT_V_VF_NEEDS_TOKEN);
		vft_explain_reason(out,
				   "the PF %s of VF %s is bound to %s, so the "
				   "kernel requires the VF token its user set",
				   c->pf_name, c->name, pfdrv);
		vft_explain_fix(out,
				"pass the token the PF's user set: "
				"--vfio-vf-token=<uuid> or the device argument "
				"vf_token_file=<file of mode 0600>");
	}
}

static void
vft_explain_pf_users(const struct vft_explain_ctx *c,
		     struct vft_explanation *out)
{
	vft_explain_set(out, VFT_V_PF_HAS_VF_USERS);
	if (c->token)
		vft_explain_reason(out,
				   "%s is an SR-IOV PF on vfio-pci with VFs in "
				   "use (%u enabled), and the token given does "
				   "not match its current VF token",
				   c->name, c->dev.num_vfs);
	else
		vft_explain_reason(out,
				   "%s is an SR-IOV PF on vfio-pci with VFs in "
				   "use (%u enabled); the kernel then requires "
				   "the current VF token to open the PF",
				   c->name, c->dev.num_vfs);
	vft_explain_fix(out,
			"pass the token the VF users opened their VFs with "
			"(--vfio-vf-token or vf_token_file=), or close the VF "
			"users first: with no VF open, a token given here "
			"sets it");
}

static void
vft_explain_token_pf_not_vfio(const struct vft_explain_ctx *c,
			      struct vft_explanation *out)
{
	vft_explain_set(out, VFT_V_TOKEN_PF_NOT_VFIO);
	vft_explain_reason(out,
			   "a VF token was given for VF %s, but its PF %s is "
			   "bound to %s, not vfio-pci: the kernel refuses an "
			   "unused token",
			   c->name, c->pf_name,
			   c->have_pf ? vft_explain_driver(&c->pf) : "unknown");
	vft_explain_fix(out,
			"open %s without a token, or bind the PF %s to "
			"vfio-pci first if it is to be driven from userspace",
			c->name, c->pf_name);
}

static void
vft_explain_token_not_sriov(const struct vft_explain_ctx *c,
			    struct vft_explanation *out)
{
	vft_explain_set(out, VFT_V_TOKEN_NOT_SRIOV);
	vft_explain_reason(out,
			   "a VF token was given for %s, which is neither an "
			   "SR-IOV PF nor a VF: the kernel refuses an unused "
			   "token",
			   c->name);
	vft_explain_fix(out, "open %s without a token", c->name);
}

static void
vft_explain_bad_option(const struct vft_explain_ctx *c,
		       struct vft_explanation *out)
{
	vft_explain_set(out, VFT_V_BAD_OPTION);
	vft_explain_reason(out,
			   "the kernel refused the device string for %s "
			   "(%s): it takes \"NAME vf_token=<uuid>\", and "
			   "an unknown or repeated option or a malformed UUID "
			   "is invalid",
			   c->name, strerror(-c->error));
	vft_explain_fix(out,
			"check the token is a 36-character UUID; this library "
			"builds the string itself, so if it persists, report "
			"it with the kernel version");
}

static const char *
vft_explain_step_name(enum vft_step step)
{
	switch (step) {
	case VFT_STEP_SYSFS:
		return "reading sysfs";
	case VFT_STEP_CONTAINER:
		return "opening the VFIO container /dev/vfio/vfio";
	case VFT_STEP_GROUP_OPEN:
		return "opening the IOMMU group";
	case VFT_STEP_GROUP_VIABLE:
		return "checking the IOMMU group";
	case VFT_STEP_GROUP_ATTACH:
		return "attaching the group to the container";
	case VFT_STEP_DEVICE_OPEN:
		return "VFIO_GROUP_GET_DEVICE_FD";
	case VFT_STEP_DEVICE_INFO:
		return "reading the device's VFIO info";
	case VFT_STEP_DMA_MAP:
		return "mapping memory for DMA";
	case VFT_STEP_CDEV_FIND:
		return "finding the vfio cdev in sysfs";
	case VFT_STEP_IOMMUFD:
		return "opening /dev/iommu and allocating an IOAS";
	case VFT_STEP_CDEV_OPEN:
		return "opening the vfio cdev /dev/vfio/devices/vfioN";
	case VFT_STEP_CDEV_BIND:
		return "VFIO_DEVICE_BIND_IOMMUFD";
	case VFT_STEP_CDEV_ATTACH:
		return "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
	default:
		return "opening";
	}
}

static void
vft_explain_other(const struct vft_explain_ctx *c, struct vft_explanation *out)
{
	const char *fix = "see the kernel log (`dmesg`) for the VFIO message";

	vft_explain_set(out, VFT_V_OTHER);
	vft_explain_reason(out, "%s for %s failed: %s",
			   vft_explain_step_name(c->step), c->name,
			   strerror(-c->error));
	if (c->step == VFT_STEP_CONTAINER && c->error == -ENOENT &&
	    vft_os->access("/dev/iommu", F_OK) == 0)
		fix = "this kernel has iommufd but no legacy VFIO container "
		      "(CONFIG_VFIO_CONTAINER off): use the cdev path "
		      "(vfio_path=cdev, `vftoken check --path cdev`)";
	else if (c->step == VFT_STEP_CONTAINER && c->error == -ENOENT)
		fix = "load VFIO: `modprobe vfio-pci` (/dev/vfio/vfio is "
		      "missing)";
	else if (c->step == VFT_STEP_CONTAINER && c->error == -ENOTSUP)
		fix = "the kernel has no type1 IOMMU: enable the IOMMU "
		      "(intel_iommu=on or amd_iommu=on) and load "
		      "vfio_iommu_type1";
	else if (c->step == VFT_STEP_GROUP_OPEN && c->error == -ENOENT)
		fix = "the group's node is missing: is the IOMMU on and the "
		      "function bound to vfio-pci?";
	else if (c->step == VFT_STEP_IOMMUFD && c->error == -ENOENT)
		fix = "the kernel has no iommufd (/dev/iommu is missing: "
		      "CONFIG_IOMMUFD): use the group path (vfio_path=group)";
	else if (c->step == VFT_STEP_CDEV_FIND)
		fix = "the kernel has no vfio cdev for it (sysfs vfio-dev/ "
		      "missing: CONFIG_VFIO_DEVICE_CDEV, Linux 6.6+): use the "
		      "group path (vfio_path=group)";
	else if (c->step == VFT_STEP_CDEV_BIND && c->error == -E2BIG &&
		 c->token)
		fix = "Linux 6.17, 6.18.0 to 6.18.2 and 6.16.y with the "
		      "backported cdev token refuse a VF token on the cdev "
		      "path "
		      "with E2BIG (fixed by commit 2f03f21fe751 in 6.19 and "
		      "6.18.3): use such a kernel or the group path "
		      "(vfio_path=group)";
	else if (c->step == VFT_STEP_DMA_MAP)
		fix = "the IOMMU refused the memory map: check RLIMIT_MEMLOCK "
		      "(`ulimit -l`) and the kernel log (`dmesg`)";
	else if (c->step == VFT_STEP_DEVICE_OPEN && c->error == -ENODEV)
		fix = "the kernel has no such device in that group: check the "
		      "address and its iommu_group link in sysfs";
	else if (c->step == VFT_STEP_SYSFS && c->have_dev &&
		 c->dev.iommu_group < 0)
		fix = "the function has no IOMMU group: enable the IOMMU "
		      "(intel_iommu=on or amd_iommu=on)";
	vft_explain_fix(out, "%s", fix);
}

/* Steps at which the kernel's token rules decide the errno. */
static bool
vft_explain_token_step(const struct vft_explain_ctx *c)
{
	return c->step == VFT_STEP_ANY || c->step == VFT_STEP_DEVICE_OPEN ||
	       c->step == VFT_STEP_CDEV_BIND;
}

/* The function is one the token rules apply to (a VF or an SR-IOV PF). */
static bool
vft_explain_token_device(const struct vft_explain_ctx *c)
{
	return c->have_dev && (c->dev.is_vf || c->dev.sriov_capable);
}

/* Non-viable groups show up as -EPERM (ours), -EBUSY (DMA ownership, Linux
 * 5.19+) or -EINVAL (GET_DEVICE_FD on older kernels). */
static bool
vft_explain_try_viable(const struct vft_explain_ctx *c,
		       struct vft_explanation *out)
{
	char list[VFT_EXPLAIN_LEN / 2];
	bool candidate;
	int bad;

	if (!c->have_dev || c->dev.iommu_group < 0)
		return false;
	candidate =
		c->step == VFT_STEP_GROUP_VIABLE ||
		((c->step == VFT_STEP_ANY || c->step == VFT_STEP_GROUP_ATTACH ||
		  c->step == VFT_STEP_DEVICE_OPEN) &&
		 (c->error == -EPERM || c->error == -EBUSY ||
		  c->error == -EINVAL));
	if (!candidate)
		return false;
	bad = vft_iommu_group_describe(c->sys, c->dev.iommu_group, true, list,
				       sizeof(list));
	if (bad <= 0 && c->step != VFT_STEP_GROUP_VIABLE)
		return false;
	vft_explain_not_viable(c, list, out);
	return true;
}

static bool
vft_explain_try_tokens(struct vft_explain_ctx *c, struct vft_explanation *out)
{
	if (!vft_explain_token_step(c) || !c->have_dev)
		return false;
	if (c->dev.is_vf) {
		bool pf_on_vfio;

		vft_pci_addr_format(&c->dev.pf, c->pf_name);
		c->have_pf =
			vft_pci_dev_read(c->sys, &c->dev.pf, &c->pf, NULL) == 0;
		pf_on_vfio = c->have_pf && vft_pci_dev_on_vfio(&c->pf);
		/* -EACCES from GET_DEVICE_FD on a VF is only the token rule */
		if (c->error == -EACCES) {
			vft_explain_vf(c, out);
			return true;
		}
		if (c->error == -EINVAL && c->token && !pf_on_vfio) {
			vft_explain_token_pf_not_vfio(c, out);
			return true;
		}
		return false;
	}
	if (c->dev.sriov_capable) {
		if (c->error == -EACCES) {
			vft_explain_pf_users(c, out);
			return true;
		}
		return false;
	}
	if (c->error == -EINVAL && c->token) {
		vft_explain_token_not_sriov(c, out);
		return true;
	}
	return false;
}

/*
 * VFIO_DEVICE_BIND_IOMMUFD with the token flag refused with -EINVAL: a
 * kernel without the cdev token refuses the flag itself; one with it got
 * past the token step and found the device open through another cdev fd
 * (vfio_df_open(): one cdev open per device).
 */
static bool
vft_explain_try_cdev_einval(const struct vft_explain_ctx *c,
			    struct vft_explanation *out)
{
	const char *rel = c->release[0] ? c->release : "(unknown)";

	if (c->step != VFT_STEP_CDEV_BIND || c->error != -EINVAL || !c->token ||
	    !vft_explain_token_device(c))
		return false;
	if (c->cdev_token == VFT_CDEV_TOKEN_NONE) {
		vft_explain_set(out, VFT_V_OTHER);
		vft_explain_reason(
			out,
			"Linux %s, by its version, predates the VF token on "
			"the vfio cdev path (commit 86624ba3b522, Linux 6.17, "
			"backported to 6.16.y): VFIO_DEVICE_BIND_IOMMUFD "
			"refuses any flag with EINVAL, token unchanged, and "
			"checks no token: a VF of a vfio-pci PF binds there "
			"without one",
			rel);
		vft_explain_fix(out,
				"use the group path (vfio_path=group, "
				"`vftoken check --path group`), where the "
				"kernel checks the token, or Linux 6.18.3+ / "
				"6.19+");
		return true;
	}
	vft_explain_set(out, VFT_V_BUSY);
	if (c->cdev_token == VFT_CDEV_TOKEN_UNKNOWN)
		vft_explain_reason(
			out,
			"VFIO_DEVICE_BIND_IOMMUFD of %s with a token was "
			"refused (EINVAL): with the cdev VF token (commit "
			"86624ba3b522, Linux 6.17, 6.16.y backport) the "
			"device is bound through its vfio cdev elsewhere; "
			"without it (Linux %s may be either) the token flag "
			"itself is refused",
			c->name, rel);
	else
		vft_explain_reason(out,
				   "%s is bound through its vfio cdev "
				   "elsewhere (EINVAL): the kernel allows one "
				   "cdev open per device (vfio_df_open())",
				   c->name);
	vft_explain_fix(out, "stop the other user first (`fuser -v "
			     "/dev/vfio/devices/vfio*` names it)");
	return true;
}

/* How sure it is that a refused open left the PF with the given token. */
enum vft_taken {
	VFT_TAKEN_NO,
	VFT_TAKEN_MAYBE,
	VFT_TAKEN_YES,
};

/*
 * A PF on vfio-pci opened with a token and refused by a step that comes
 * after the token step (see the header): with no VF open, the kernel had
 * already copied the token.
 */
static enum vft_taken
vft_explain_token_taken(const struct vft_explain_ctx *c)
{
	if (!c->token || !c->have_dev || c->dev.is_vf ||
	    !c->dev.sriov_capable || !vft_pci_dev_on_vfio(&c->dev))
		return VFT_TAKEN_NO;
	switch (-c->error) {
	case EBADF:
	case EBADFD:
		return c->step == VFT_STEP_CDEV_BIND || c->step == VFT_STEP_ANY
			       ? VFT_TAKEN_YES
			       : VFT_TAKEN_NO;
	case EAGAIN:
	case ENOMEM:
		return vft_explain_token_step(c) ? VFT_TAKEN_YES : VFT_TAKEN_NO;
	case EPERM:
		return c->step == VFT_STEP_DEVICE_OPEN ? VFT_TAKEN_YES
						       : VFT_TAKEN_NO;
	case EINVAL:
		if (c->step == VFT_STEP_DEVICE_OPEN)
			return VFT_TAKEN_MAYBE;
		if (c->step != VFT_STEP_CDEV_BIND)
			return VFT_TAKEN_NO;
		return c->cdev_token == VFT_CDEV_TOKEN_NONE ? VFT_TAKEN_NO
		       : c->cdev_token == VFT_CDEV_TOKEN_UNKNOWN
			       ? VFT_TAKEN_MAYBE
			       : VFT_TAKEN_YES;
	default:
		return VFT_TAKEN_NO;
	}
}

/* Say so in front of the reason, and what it means in the fix. */
static void
vft_explain_mark_taken(const struct vft_explain_ctx *c,
		       struct vft_explanation *out)
{
	enum vft_taken t = vft_explain_token_taken(c);
	char reason[VFT_EXPLAIN_LEN];
	size_t n;

	if (t == VFT_TAKEN_NO)
		return;
	snprintf(reason, sizeof(reason), "%s", out->reason);
	vft_explain_reason(out, "%s: %s",
			   t == VFT_TAKEN_YES
				   ? "refused, but the token was changed"
				   : "refused, and the token may have been "
				     "changed",
			   reason);
	n = strlen(out->fix);
	snprintf(out->fix + n, sizeof(out->fix) - n,
		 "%sthe kernel checks the VF token before %s: with none of "
		 "%s's VFs open it made the given token the PF's VF token "
		 "(with VFs open it had to match), so VF users now need it; "
		 "`vftoken token set %s NEW` sets another",
		 n ? "; " : "",
		 t == VFT_TAKEN_YES
			 ? "this refusal"
			 : "a refusal for a missing container or IOMMU (group "
			   "path) or a second cdev open",
		 c->name, c->name);
}

/*
 * Success on the cdev path, without a token, of a VF whose PF is on
 * vfio-pci: the kernel checked no token (before 86624ba3b522), where the
 * group path would have refused it.
 */
static void
vft_explain_ok(struct vft_explain_ctx *c, struct vft_explanation *out)
{
	vft_explain_set(out, VFT_V_OK);
	vft_explain_reason(out, "%s opened %s a VF token", c->name,
			   c->token ? "with" : "without");
	if (c->step != VFT_STEP_CDEV_BIND || c->token ||
	    vft_pci_dev_read(c->sys, &c->addr, &c->dev, NULL) != 0 ||
	    !c->dev.is_vf)
		return;
	vft_pci_addr_format(&c->dev.pf, c->pf_name);
	if (vft_pci_dev_read(c->sys, &c->dev.pf, &c->pf, NULL) != 0 ||
	    !vft_pci_dev_on_vfio(&c->pf))
		return;
	vft_explain_reason(out,
			   "%s opened without a VF token, though its PF %s is "
			   "on vfio-pci: this kernel (%s) checks no VF token "
			   "on the vfio cdev path (the check is commit "
			   "86624ba3b522, Linux 6.17, 6.16.y backport); the "
			   "group path refuses this open (EACCES)",
			   c->name, c->pf_name,
			   c->release[0] ? c->release : "unknown");
	vft_explain_fix(out,
			"nothing to fix for this open; to have the PF's "
			"token enforced use the group path or Linux 6.17+");
}

static void vft_explain_decide(struct vft_explain_ctx *c,
			       struct vft_explanation *out);

void
vft_explain_step(const struct vft_sys *sys, const struct vft_pci_addr *addr,
		 bool token_given, int error, enum vft_step step,
		 struct vft_explanation *out)
{
	struct vft_explain_ctx ctx;
	struct vft_explain_ctx *c = &ctx;

	if (out == NULL)
		return;
	memset(out, 0, sizeof(*out));
	memset(&ctx, 0, sizeof(ctx));
	c->sys = sys;
	c->root = sys != NULL && sys->root[0] ? sys->root : "/sys";
	c->token = token_given;
	c->error = error > 0 ? -error : error;
	c->step = step;
	out->error = c->error;
	if (addr == NULL) {
		vft_explain_set(out, VFT_V_OTHER);
		vft_explain_reason(out, "no PCI address given");
		vft_explain_fix(out, "pass a PCI address \"DDDD:BB:DD.F\"");
		return;
	}
	vft_pci_addr_format(addr, c->name);
	c->addr = *addr;
	vft_explain_kernel(c);

	if (c->error == 0) {
		vft_explain_ok(c, out);
		return;
	}
	vft_explain_decide(c, out);
	vft_explain_mark_taken(c, out);
}

/* The verdict of a failed open. */
static void
vft_explain_decide(struct vft_explain_ctx *c, struct vft_explanation *out)
{
	int ret;

	ret = vft_pci_dev_read(c->sys, &c->addr, &c->dev, NULL);
	if (ret == -ENODEV || ret == -ENOENT) {
		vft_explain_no_device(c, out);
		return;
	}
	c->have_dev = ret == 0;
	if (c->have_dev && !vft_pci_dev_on_vfio(&c->dev)) {
		vft_explain_not_vfio(c, out);
		return;
	}
	if (vft_explain_try_viable(c, out))
		return;

	/* -EACCES/-EPERM of open() on /dev/vfio/... is file permission. */
	if ((c->step == VFT_STEP_CONTAINER || c->step == VFT_STEP_GROUP_OPEN ||
	     c->step == VFT_STEP_IOMMUFD || c->step == VFT_STEP_CDEV_OPEN) &&
	    vft_explain_errno_is(c->error, EACCES, EPERM)) {
		vft_explain_no_permission(c, out);
		return;
	}
	if (c->step == VFT_STEP_ANY &&
	    (c->error == -EPERM ||
	     (c->error == -EACCES && !vft_explain_token_device(c)))) {
		vft_explain_no_permission(c, out);
		return;
	}
	if (c->error == -EBUSY) {
		vft_explain_busy(c, out);
		return;
	}
	if (c->error == -EAGAIN && (c->step == VFT_STEP_DEVICE_OPEN ||
				    c->step == VFT_STEP_CDEV_BIND)) {
		vft_explain_reset_locked(c, out);
		return;
	}
	if (vft_explain_try_cdev_einval(c, out))
		return;
	if (vft_explain_try_tokens(c, out))
		return;
	if (c->error == -EINVAL && vft_explain_token_step(c)) {
		vft_explain_bad_option(c, out);
		return;
	}
	vft_explain_other(c, out);
}

void
vft_explain(const struct vft_sys *sys, const struct vft_pci_addr *addr,
	    bool token_given, int error, struct vft_explanation *out)
{
	vft_explain_step(sys, addr, token_given, error, VFT_STEP_ANY, out);
}

/* ---- refusals that are not the kernel's ---------------------------------- */

/* The broker's own failure (not a verdict on the function): in its log. */
void
vft_explain_broker_failed(struct vft_explanation *why,
			  const struct vft_err *err)
{
	memset(why, 0, sizeof(*why));
	why->verdict = VFT_V_OTHER;
	why->error = err->code < 0 ? err->code : -EIO;
	snprintf(why->reason, sizeof(why->reason), "%s", err->msg);
	snprintf(why->fix, sizeof(why->fix), "see the broker's log");
}

/* What the broker's explainer said, as the client relays it. */
void
vft_explain_relay(struct vft_explanation *why, enum vft_verdict v, int error,
		  const char *reason, const char *fix)
{
	if (why == NULL)
		return;
	memset(why, 0, sizeof(*why));
	why->verdict = v;
	why->error = error;
	snprintf(why->reason, sizeof(why->reason), "%s", reason);
	snprintf(why->fix, sizeof(why->fix), "%s", fix);
}

/* The client reached no broker, or lost it during the exchange. */
void
vft_explain_broker_unreachable(struct vft_explanation *why, int error,
			       const char *msg)
{
	vft_explain_relay(why, VFT_V_OTHER, error, msg,
			  "start the broker (systemctl start "
			  "vftokend.socket) or give the path it listens on "
			  "(vftokend --socket)");
}

/* The broker's reply could not be used (a bug on one side or the other). */
void
vft_explain_broker_reply(struct vft_explanation *why, int error,
			 const char *msg)
{
	vft_explain_relay(why, VFT_V_OTHER, error, msg,
			  "report this: the broker's reply could not be used");
}

/* An open called without its context, address or device. */
int
vft_explain_bad_call(bool no_iommu, bool no_addr, struct vft_explanation *why)
{
	if (why != NULL) {
		memset(why, 0, sizeof(*why));
		why->verdict = VFT_V_OTHER;
		why->error = -EINVAL;
		snprintf(why->reason, sizeof(why->reason), "open: %s is NULL",
			 no_iommu  ? "the IOMMU context"
			 : no_addr ? "the PCI address"
				   : "the handle");
		snprintf(why->fix, sizeof(why->fix),
			 "pass an initialised context, a PCI address and a "
			 "device");
	}
	return -EINVAL;
}

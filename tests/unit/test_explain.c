/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Unit tests of the explainer (vft_explain.c): one case per verdict, each
 * on a generated FAKE sysfs tree (tests/unit/fake_sysfs.h, for unit tests
 * of logic only) with the errno the kernel gives in that situation
 * (doc/guides/token_model.rst, "Kernel rules"; the "vfio/pci: Introduce VF
 * token" patch).
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake_sysfs.h"
#include "vft_private.h"
#include "vftoken.h"

#define PF "0000:01:00.0"
#define VF "0000:01:10.0"
#define PLAIN "0000:02:00.0"
#define NV_DEV "0000:03:00.0"
#define NV_SND "0000:03:00.1"
#define NV_PORT "0000:03:00.2"
#define HOST "0000:04:00.0"
#define HPF "0000:05:00.0"
#define HVF "0000:05:10.0"
#define UNBOUND "0000:06:00.0"
#define ABSENT "0000:09:00.0"

static struct fake_sysfs fs;
static struct vft_sys sys;

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(fake_sysfs_create(&fs), 0);
	assert_int_equal(fake_sysfs_set_enable_sriov(&fs, 1), 0);
	/* PF on vfio-pci with one VF on vfio-pci */
	assert_int_equal(
		fake_sysfs_add_pf(&fs, PF, 0x8086, 0x10c9, 8, "vfio-pci", 1),
		0);
	assert_int_equal(fake_sysfs_add_vf(&fs, PF, 0, VF, 0x8086, 0x10ca,
					   "vfio-pci", 2),
			 0);
	/* neither PF nor VF */
	assert_int_equal(fake_sysfs_add_dev(&fs, PLAIN, 0x8086, 0x10d3,
					    0x020000, "vfio-pci", 3),
			 0);
	/* a group with a sound function on its host driver */
	assert_int_equal(fake_sysfs_add_dev(&fs, NV_DEV, 0x8086, 0x10d3,
					    0x020000, "vfio-pci", 4),
			 0);
	assert_int_equal(fake_sysfs_add_dev(&fs, NV_SND, 0x8086, 0x293e,
					    0x040300, "snd_hda_intel", 4),
			 0);
	assert_int_equal(fake_sysfs_add_dev(&fs, NV_PORT, 0x8086, 0x2940,
					    0x060400, "pcieport", 4),
			 0);
	/* on a host driver */
	assert_int_equal(fake_sysfs_add_dev(&fs, HOST, 0x8086, 0x10d3, 0x020000,
					    "e1000e", 5),
			 0);
	/* a PF on its host driver, its VF on vfio-pci */
	assert_int_equal(
		fake_sysfs_add_pf(&fs, HPF, 0x8086, 0x10c9, 8, "igb", 6), 0);
	assert_int_equal(fake_sysfs_add_vf(&fs, HPF, 0, HVF, 0x8086, 0x10ca,
					   "vfio-pci", 7),
			 0);
	/* no driver at all */
	assert_int_equal(fake_sysfs_add_dev(&fs, UNBOUND, 0x8086, 0x10d3,
					    0x020000, NULL, 8),
			 0);
	vft_sys_init(&sys, fs.root);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fake_sysfs_destroy(&fs);
	return 0;
}

/* Explain @p addr_s and check the verdict; returns the explanation. */
static struct vft_explanation
explain(const char *addr_s, bool token, int error, enum vft_step step,
	enum vft_verdict want)
{
	struct vft_explanation out;
	struct vft_pci_addr a;

	assert_int_equal(vft_pci_addr_parse(addr_s, &a), 0);
	memset(&out, 0x55, sizeof(out));
	vft_explain_step(&sys, &a, token, error, step, &out);
	if (out.verdict != want)
		fail_msg("%s err %d step %d: verdict %s, expected %s (%s)",
			 addr_s, error, (int)step,
			 vft_verdict_name(out.verdict), vft_verdict_name(want),
			 out.reason);
	assert_int_equal(out.error, error > 0 ? -error : error);
	assert_true(strlen(out.reason) > 0);
	assert_true(strlen(out.reason) < sizeof(out.reason));
	assert_true(strlen(out.fix) < sizeof(out.fix));
	return out;
}

static void
assert_has(const char *text, const char *part)
{
	if (strstr(text, part) == NULL)
		fail_msg("\"%s\" not in \"%s\"", part, text);
}

static void
test_ok(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(VF, true, 0, VFT_STEP_ANY, VFT_V_OK);
	assert_has(e.reason, VF);
	assert_string_equal(e.fix, "");
}

static void
test_no_device(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(ABSENT, false, -ENODEV, VFT_STEP_SYSFS, VFT_V_NO_DEVICE);
	assert_has(e.reason, ABSENT);
	assert_has(e.fix, "lspci");
	/* whatever the errno, a missing function is the cause */
	explain(ABSENT, true, -EACCES, VFT_STEP_DEVICE_OPEN, VFT_V_NO_DEVICE);
}

static void
test_not_vfio(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(HOST, false, -ENODEV, VFT_STEP_SYSFS, VFT_V_NOT_VFIO);
	assert_has(e.reason, "e1000e");
	assert_has(e.reason, HOST);
	assert_has(e.fix, "driver_override");
	assert_has(e.fix, "echo vfio-pci > ");
	assert_has(e.fix, HOST "/driver/unbind");
	e = explain(UNBOUND, false, -ENOENT, VFT_STEP_GROUP_OPEN,
		    VFT_V_NOT_VFIO);
	assert_has(e.reason, "no driver");
	assert_null(strstr(e.fix, "unbind"));
	/* a PF on its host driver */
	e = explain(HPF, true, -EACCES, VFT_STEP_ANY, VFT_V_NOT_VFIO);
	assert_has(e.reason, "igb");
}

static void
test_group_not_viable(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(NV_DEV, false, -EPERM, VFT_STEP_GROUP_VIABLE,
		    VFT_V_GROUP_NOT_VIABLE);
	assert_has(e.reason, "group 4");
	assert_has(e.reason, NV_SND " (bound to snd_hda_intel)");
	/* neither the device itself nor the bridge port are at fault */
	assert_null(strstr(e.reason, NV_DEV " ("));
	assert_null(strstr(e.reason, NV_PORT));
	assert_has(e.fix, "vfio-pci");
	/* inferred from sysfs: -EBUSY of SET_CONTAINER (Linux 5.19+) */
	explain(NV_DEV, false, -EBUSY, VFT_STEP_GROUP_ATTACH,
		VFT_V_GROUP_NOT_VIABLE);
	/* -EINVAL of GET_DEVICE_FD on older kernels */
	explain(NV_DEV, false, -EINVAL, VFT_STEP_DEVICE_OPEN,
		VFT_V_GROUP_NOT_VIABLE);
	explain(NV_DEV, false, -EPERM, VFT_STEP_ANY, VFT_V_GROUP_NOT_VIABLE);
	/* a viable group with -EBUSY is just busy */
	explain(PLAIN, false, -EBUSY, VFT_STEP_GROUP_ATTACH, VFT_V_BUSY);
}

static void
test_busy(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(VF, true, -EBUSY, VFT_STEP_GROUP_OPEN, VFT_V_BUSY);
	assert_has(e.reason, "group 2");
	assert_has(e.fix, "/dev/vfio/2");
	e = explain(PLAIN, false, -EBUSY, VFT_STEP_DEVICE_OPEN, VFT_V_BUSY);
	assert_has(e.reason, PLAIN);
	explain(PF, false, EBUSY, VFT_STEP_ANY, VFT_V_BUSY);
}

static void
test_vf_needs_token(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(VF, false, -EACCES, VFT_STEP_DEVICE_OPEN,
		    VFT_V_VF_NEEDS_TOKEN);
	assert_has(e.reason, "PF " PF " of VF " VF " is bound to vfio-pci");
	assert_has(e.fix, "--vfio-vf-token");
	assert_has(e.fix, "vf_token_file=");
	/* without the step, -EACCES on a VF is still the token rule */
	explain(VF, false, -EACCES, VFT_STEP_ANY, VFT_V_VF_NEEDS_TOKEN);
}

static void
test_token_rejected(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(VF, true, -EACCES, VFT_STEP_DEVICE_OPEN,
		    VFT_V_TOKEN_REJECTED);
	assert_has(e.reason, VF);
	assert_has(e.reason, PF);
	assert_has(e.reason, "does not match");
}

static void
test_token_pf_not_vfio(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(HVF, true, -EINVAL, VFT_STEP_DEVICE_OPEN,
		    VFT_V_TOKEN_PF_NOT_VFIO);
	assert_has(e.reason, HVF);
	assert_has(e.reason, HPF " is bound to igb");
	assert_has(e.fix, "without a token");
	/* the same errno without a token is a malformed option */
	explain(HVF, false, -EINVAL, VFT_STEP_DEVICE_OPEN, VFT_V_BAD_OPTION);
}

static void
test_token_not_sriov(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(PLAIN, true, -EINVAL, VFT_STEP_DEVICE_OPEN,
		    VFT_V_TOKEN_NOT_SRIOV);
	assert_has(e.reason, PLAIN);
	assert_has(e.reason, "neither an SR-IOV PF nor a VF");
}

static void
test_pf_has_vf_users(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(PF, false, -EACCES, VFT_STEP_DEVICE_OPEN,
		    VFT_V_PF_HAS_VF_USERS);
	assert_has(e.reason, PF);
	assert_has(e.reason, "requires the current VF token");
	e = explain(PF, true, -EACCES, VFT_STEP_DEVICE_OPEN,
		    VFT_V_PF_HAS_VF_USERS);
	assert_has(e.reason, "does not match");
	assert_has(e.fix, "close the VF users");
}

static void
test_bad_option(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(PLAIN, false, -EINVAL, VFT_STEP_DEVICE_OPEN,
		    VFT_V_BAD_OPTION);
	assert_has(e.reason, "vf_token=<uuid>");
	/* a VF whose PF is on vfio-pci never gets -EINVAL for the token */
	explain(VF, true, -EINVAL, VFT_STEP_DEVICE_OPEN, VFT_V_BAD_OPTION);
	explain(PF, true, -EINVAL, VFT_STEP_ANY, VFT_V_BAD_OPTION);
}

static void
test_no_permission(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(VF, true, -EACCES, VFT_STEP_GROUP_OPEN,
		    VFT_V_NO_PERMISSION);
	assert_has(e.reason, "/dev/vfio/2");
	assert_has(e.fix, "root");
	e = explain(VF, false, -EPERM, VFT_STEP_CONTAINER, VFT_V_NO_PERMISSION);
	assert_has(e.reason, "/dev/vfio/vfio");
	/* without the step: -EACCES on a function with no token rule */
	explain(PLAIN, false, -EACCES, VFT_STEP_ANY, VFT_V_NO_PERMISSION);
	explain(PLAIN, false, -EPERM, VFT_STEP_ANY, VFT_V_NO_PERMISSION);
}

static void
test_other(void **state)
{
	struct vft_explanation e;

	(void)state;
	e = explain(PLAIN, false, -EIO, VFT_STEP_DEVICE_INFO, VFT_V_OTHER);
	assert_has(e.reason, strerror(EIO));
	assert_has(e.reason, PLAIN);
	e = explain(PLAIN, false, -ENOENT, VFT_STEP_CONTAINER, VFT_V_OTHER);
	assert_has(e.fix, "modprobe vfio-pci");
	e = explain(PLAIN, false, -ENODEV, VFT_STEP_DEVICE_OPEN, VFT_V_OTHER);
	assert_has(e.fix, "no such device in that group");
	/* -EINVAL outside GET_DEVICE_FD is not an option problem */
	explain(PLAIN, false, -EINVAL, VFT_STEP_CONTAINER, VFT_V_OTHER);
	/* the public shorthand infers the step */
	{
		struct vft_explanation o;
		struct vft_pci_addr a;

		assert_int_equal(vft_pci_addr_parse(VF, &a), 0);
		vft_explain(&sys, &a, true, -EACCES, &o);
		assert_int_equal(o.verdict, VFT_V_TOKEN_REJECTED);
		vft_explain(&sys, NULL, true, -EACCES, &o);
		assert_int_equal(o.verdict, VFT_V_OTHER);
	}
}

static void
assert_lacks(const char *text, const char *part)
{
	if (strstr(text, part) != NULL)
		fail_msg("\"%s\" in \"%s\"", part, text);
}

#define CHANGED "refused, but the token was changed"
#define MAYBE_CHANGED "refused, and the token may have been changed"

/*
 * A PF given a token and refused after the kernel's token step
 * (vfio_pci_core_match_token_uuid() copied it): the group path's noiommu
 * -EPERM and reset -EAGAIN, the cdev path's bad iommufd -EBADF/-EBADFD.
 */
static void
test_token_changed(void **state)
{
	struct vft_explanation e;

	(void)state;
	vft_explain_kernel_set("7.2.12");
	e = explain(PF, true, -EBADFD, VFT_STEP_CDEV_BIND, VFT_V_OTHER);
	assert_has(e.reason, CHANGED);
	assert_has(e.fix, "vftoken token set " PF);
	e = explain(PF, true, -EBADF, VFT_STEP_CDEV_BIND, VFT_V_OTHER);
	assert_has(e.reason, CHANGED);
	e = explain(PF, true, -EBADF, VFT_STEP_ANY, VFT_V_OTHER);
	assert_has(e.reason, CHANGED);
	e = explain(PF, true, -EAGAIN, VFT_STEP_DEVICE_OPEN, VFT_V_BUSY);
	assert_has(e.reason, CHANGED);
	assert_has(e.reason, "could not reset");
	e = explain(PF, true, -EPERM, VFT_STEP_DEVICE_OPEN, VFT_V_OTHER);
	assert_has(e.reason, CHANGED);
	/* the group path's -EINVAL: a bad option string changes nothing,
	 * no container / no IOMMU set comes after the token step */
	e = explain(PF, true, -EINVAL, VFT_STEP_DEVICE_OPEN, VFT_V_BAD_OPTION);
	assert_has(e.reason, MAYBE_CHANGED);
	assert_has(e.fix, "missing container");
	/* not after the token step, or nothing to take */
	e = explain(PF, false, -EBADFD, VFT_STEP_CDEV_BIND, VFT_V_OTHER);
	assert_lacks(e.reason, "token was changed");
	e = explain(VF, true, -EBADFD, VFT_STEP_CDEV_BIND, VFT_V_OTHER);
	assert_lacks(e.reason, "token");
	e = explain(PF, true, -EACCES, VFT_STEP_CDEV_BIND,
		    VFT_V_PF_HAS_VF_USERS);
	assert_lacks(e.reason, "changed");
	e = explain(PF, true, -EBUSY, VFT_STEP_GROUP_OPEN, VFT_V_BUSY);
	assert_lacks(e.reason, "changed");
	e = explain(PF, true, -E2BIG, VFT_STEP_CDEV_BIND, VFT_V_OTHER);
	assert_lacks(e.reason, "changed");
	e = explain(PF, true, -EFAULT, VFT_STEP_CDEV_BIND, VFT_V_OTHER);
	assert_lacks(e.reason, "changed");
	e = explain(PF, true, -EINVAL, VFT_STEP_CONTAINER, VFT_V_OTHER);
	assert_lacks(e.reason, "changed");
	vft_explain_kernel_set(NULL);
}

/*
 * -EINVAL from a cdev bind with the token flag, by kernel: before
 * 86624ba3b522 (6.6 .. 6.16.0) the flag itself is refused and no token
 * is checked; with it, the device is bound through another cdev fd, and
 * a PF has taken the token; a 6.16.y may be either.
 */
static void
test_cdev_kernel_ranges(void **state)
{
	static const char *const before[] = { "6.6.0", "6.12.95+deb12-amd64",
					      "6.15.11", "6.16" };
	struct vft_explanation e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		vft_explain_kernel_set(before[i]);
		e = explain(VF, true, -EINVAL, VFT_STEP_CDEV_BIND, VFT_V_OTHER);
		assert_has(e.reason, before[i]);
		assert_has(e.reason, "86624ba3b522");
		assert_has(e.reason, "without one");
		assert_has(e.fix, "group path");
		e = explain(PF, true, -EINVAL, VFT_STEP_CDEV_BIND, VFT_V_OTHER);
		assert_has(e.reason, "token unchanged");
		assert_lacks(e.reason, "refused, ");
	}
	vft_explain_kernel_set("6.16.5");
	e = explain(PF, true, -EINVAL, VFT_STEP_CDEV_BIND, VFT_V_BUSY);
	assert_has(e.reason, MAYBE_CHANGED);
	assert_has(e.reason, "6.16.5 may be either");
	vft_explain_kernel_set("garbage");
	e = explain(PF, true, -EINVAL, VFT_STEP_CDEV_BIND, VFT_V_BUSY);
	assert_has(e.reason, MAYBE_CHANGED);
	vft_explain_kernel_set("7.2.12-vftoken-iommufd");
	e = explain(PF, true, -EINVAL, VFT_STEP_CDEV_BIND, VFT_V_BUSY);
	assert_has(e.reason, CHANGED);
	assert_has(e.reason, "one cdev open per device");
	e = explain(VF, true, -EINVAL, VFT_STEP_CDEV_BIND, VFT_V_BUSY);
	assert_lacks(e.reason, "changed");
	/* the group path's -EINVAL is not a cdev matter */
	explain(VF, true, -EINVAL, VFT_STEP_DEVICE_OPEN, VFT_V_BAD_OPTION);
	/* -E2BIG: 6.17, 6.18.0-2, fixed by 2f03f21fe751 in 6.19, 6.18.3 */
	e = explain(VF, true, -E2BIG, VFT_STEP_CDEV_BIND, VFT_V_OTHER);
	assert_has(e.fix, "2f03f21fe751");
	assert_has(e.fix, "6.18.3");
	assert_has(e.fix, "6.16.y");
	vft_explain_kernel_set(NULL);
}

/* A VF of a vfio-pci PF bound through its cdev without a token: the
 * kernel checked none (before 86624ba3b522); the group path refuses. */
static void
test_ok_cdev_no_token(void **state)
{
	struct vft_explanation e;

	(void)state;
	vft_explain_kernel_set("6.12.95");
	e = explain(VF, false, 0, VFT_STEP_CDEV_BIND, VFT_V_OK);
	assert_has(e.reason, "checks no VF token on the vfio cdev path");
	assert_has(e.reason, "6.12.95");
	assert_has(e.reason, PF);
	e = explain(VF, false, 0, VFT_STEP_ANY, VFT_V_OK);
	assert_lacks(e.reason, "cdev");
	e = explain(VF, true, 0, VFT_STEP_CDEV_BIND, VFT_V_OK);
	assert_lacks(e.reason, "cdev");
	/* PF not on vfio-pci: no token is due */
	e = explain(HVF, false, 0, VFT_STEP_CDEV_BIND, VFT_V_OK);
	assert_lacks(e.reason, "cdev");
	vft_explain_kernel_set(NULL);
}

static void
test_verdict_names(void **state)
{
	const char *seen[VFT_V_OTHER + 1];
	int v, w;

	(void)state;
	for (v = VFT_V_OK; v <= VFT_V_OTHER; v++) {
		seen[v] = vft_verdict_name((enum vft_verdict)v);
		assert_non_null(seen[v]);
		assert_string_not_equal(seen[v], "unknown");
		for (w = 0; w < v; w++)
			assert_string_not_equal(seen[v], seen[w]);
	}
	assert_string_equal(vft_verdict_name(VFT_V_OK), "ok");
	assert_string_equal(vft_verdict_name(VFT_V_VF_NEEDS_TOKEN),
			    "vf-needs-token");
	assert_string_equal(vft_verdict_name((enum vft_verdict)99), "unknown");
	assert_string_equal(vft_verdict_name((enum vft_verdict) - 1),
			    "unknown");
}

int main(void);

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_no_device),
		cmocka_unit_test(test_not_vfio),
		cmocka_unit_test(test_group_not_viable),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_vf_needs_token),
		cmocka_unit_test(test_token_rejected),
		cmocka_unit_test(test_token_pf_not_vfio),
		cmocka_unit_test(test_token_not_sriov),
		cmocka_unit_test(test_pf_has_vf_users),
		cmocka_unit_test(test_bad_option),
		cmocka_unit_test(test_no_permission),
		cmocka_unit_test(test_other),
		cmocka_unit_test(test_token_changed),
		cmocka_unit_test(test_cdev_kernel_ranges),
		cmocka_unit_test(test_ok_cdev_no_token),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests_name("explain", tests, setup, teardown);
}

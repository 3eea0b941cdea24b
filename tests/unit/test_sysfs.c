/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The sysfs model on generated fake trees (fake_sysfs.c): these check the
 * logic (what is read, what is written where, which rule is explained),
 * not the kernel; the VM rig checks the kernel.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_sysfs.h"
#include "vft_private.h"

#define PF "0000:01:00.0"
#define VF0 "0000:01:10.0"
#define VF1 "0000:01:10.2"

struct ctx {
	struct fake_sysfs fs;
	struct vft_sys sys;
	struct vft_pci_dev dev;
	struct vft_err err;
};

static struct vft_pci_addr
addr_of(const char *s)
{
	struct vft_pci_addr a;

	assert_int_equal(vft_pci_addr_parse(s, &a), 0);
	return a;
}

/* Content of ROOT/REL, or "<missing>". */
static const char *
file_of(struct ctx *c, const char *rel)
{
	static char buf[256];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", c->fs.root, rel);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return "<missing>";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
put_file(struct ctx *c, const char *rel, const char *val)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", c->fs.root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, val, strlen(val)), (ssize_t)strlen(val));
	close(fd);
}

static void
read_dev(struct ctx *c, const char *s)
{
	struct vft_pci_addr a = addr_of(s);

	vft_err_clear(&c->err);
	if (vft_pci_dev_read(&c->sys, &a, &c->dev, &c->err) != 0)
		fail_msg("reading %s: %s", s, c->err.msg);
}

static void
assert_msg(struct ctx *c, const char *part)
{
	if (strstr(c->err.msg, part) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", c->err.msg, part);
}

/* A PF on vfio-pci with two VFs, as in the VM rig (igb, 8086:10c9/10ca). */
static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL || fake_sysfs_create(&c->fs) != 0)
		return -1;
	vft_sys_init(&c->sys, c->fs.root);
	if (fake_sysfs_add_pf(&c->fs, PF, 0x8086, 0x10c9, 7, "vfio-pci", 11) ||
	    fake_sysfs_add_vf(&c->fs, PF, 0, VF0, 0x8086, 0x10ca, "vfio-pci",
			      12) ||
	    fake_sysfs_add_vf(&c->fs, PF, 1, VF1, 0x8086, 0x10ca, NULL, 13) ||
	    fake_sysfs_add_dev(&c->fs, "0000:00:1f.2", 0x8086, 0x2922, 0x010601,
			       "ahci", 5) ||
	    fake_sysfs_add_dev(&c->fs, "0000:00:1f.3", 0x8086, 0x2930, 0x0c0500,
			       NULL, 5) ||
	    fake_sysfs_add_dev(&c->fs, "0000:00:1f.0", 0x8086, 0x2918, 0x060100,
			       NULL, -1) ||
	    fake_sysfs_set_enable_sriov(&c->fs, 1))
		return -1;
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fake_sysfs_destroy(&c->fs);
	free(c);
	return 0;
}

/* ---- reading ---- */

static void
test_read_pf(void **state)
{
	struct ctx *c = *state;

	read_dev(c, PF);
	assert_string_equal(c->dev.name, PF);
	assert_int_equal(c->dev.vendor, 0x8086);
	assert_int_equal(c->dev.device, 0x10c9);
	assert_int_equal(c->dev.subsys_vendor, 0x8086);
	assert_int_equal(c->dev.class_code, 0x020000);
	assert_string_equal(c->dev.driver, "vfio-pci");
	assert_true(vft_pci_dev_on_vfio(&c->dev));
	assert_string_equal(c->dev.driver_override, "");
	assert_int_equal(c->dev.iommu_group, 11);
	assert_int_equal(c->dev.numa_node, -1);
	assert_false(c->dev.is_vf);
	assert_true(c->dev.sriov_capable);
	assert_int_equal(c->dev.total_vfs, 7);
	assert_int_equal(c->dev.num_vfs, 2);
	assert_int_equal(c->dev.n_vfs, 2);
	assert_true(vft_pci_addr_equal(
		&c->dev.vfs[0],
		&(struct vft_pci_addr){ .bus = 1, .dev = 0x10, .fn = 0 }));
	assert_true(vft_pci_addr_equal(
		&c->dev.vfs[1],
		&(struct vft_pci_addr){ .bus = 1, .dev = 0x10, .fn = 2 }));
}

static void
test_read_vf(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr pf = addr_of(PF);

	read_dev(c, VF0);
	assert_true(c->dev.is_vf);
	assert_true(vft_pci_addr_equal(&c->dev.pf, &pf));
	assert_false(c->dev.sriov_capable);
	assert_int_equal(c->dev.n_vfs, 0);
	assert_int_equal(c->dev.iommu_group, 12);
	assert_true(vft_pci_dev_on_vfio(&c->dev));
	read_dev(c, VF1);
	assert_true(c->dev.is_vf);
	assert_string_equal(c->dev.driver, "");
	assert_false(vft_pci_dev_on_vfio(&c->dev));
}

static void
test_read_plain(void **state)
{
	struct ctx *c = *state;

	read_dev(c, "0000:00:1f.2");
	assert_int_equal(c->dev.class_code, 0x010601);
	assert_string_equal(c->dev.driver, "ahci");
	assert_false(c->dev.is_vf);
	assert_false(c->dev.sriov_capable);
	read_dev(c, "0000:00:1f.0");
	assert_int_equal(c->dev.iommu_group, -1);
	assert_string_equal(c->dev.driver, "");
	put_file(c, "bus/pci/devices/0000:00:1f.0/numa_node", "1\n");
	read_dev(c, "0000:00:1f.0");
	assert_int_equal(c->dev.numa_node, 1);
}

/* Only the parts asked for are read; the others keep their "none" values. */
static void
test_read_parts(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr a = addr_of(VF0), pf = addr_of(PF);

	put_file(c, "bus/pci/devices/" VF0 "/driver_override", "vfio-pci\n");
	assert_int_equal(vft_pci_dev_read_parts(&c->sys, &a, &c->dev,
						VFT_PCI_PART_DRIVER, &c->err),
			 0);
	assert_string_equal(c->dev.name, VF0);
	assert_true(vft_pci_dev_on_vfio(&c->dev));
	assert_int_equal(c->dev.iommu_group, 12);
	assert_int_equal(c->dev.vendor, 0);
	assert_int_equal(c->dev.numa_node, -1);
	assert_string_equal(c->dev.driver_override, "");
	assert_false(c->dev.is_vf);

	assert_int_equal(vft_pci_dev_read_parts(&c->sys, &a, &c->dev,
						VFT_PCI_PART_SRIOV |
							VFT_PCI_PART_OVERRIDE,
						&c->err),
			 0);
	assert_true(c->dev.is_vf);
	assert_true(vft_pci_addr_equal(&c->dev.pf, &pf));
	assert_string_equal(c->dev.driver_override, "vfio-pci");
	assert_string_equal(c->dev.driver, "");
	assert_int_equal(c->dev.iommu_group, -1);

	a = addr_of(PF);
	assert_int_equal(vft_pci_dev_read_parts(&c->sys, &a, &c->dev,
						VFT_PCI_PART_SRIOV, &c->err),
			 0);
	assert_true(c->dev.sriov_capable);
	assert_int_equal(c->dev.num_vfs, 2);
	assert_int_equal(c->dev.n_vfs, 2);
	assert_int_equal(c->dev.device, 0);

	/* a missing function is missing whatever the parts */
	a = addr_of("0000:02:00.0");
	assert_int_equal(vft_pci_dev_read_parts(&c->sys, &a, &c->dev,
						VFT_PCI_PART_DRIVER, &c->err),
			 -ENODEV);
	assert_msg(c, "0000:02:00.0");
}

static void
test_read_missing(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr a = addr_of("0000:02:00.0");
	char path[PATH_MAX];

	assert_int_equal(vft_pci_dev_read(&c->sys, &a, &c->dev, &c->err),
			 -ENODEV);
	assert_int_equal(c->err.code, -ENODEV);
	assert_msg(c, "0000:02:00.0");
	assert_msg(c, "not found");

	/* a function without its vendor file is reported, naming both */
	assert_int_equal(
		fake_sysfs_add_dev(&c->fs, "0000:03:00.0", 1, 2, 3, NULL, -1),
		0);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:03:00.0/vendor",
		 c->fs.root);
	assert_int_equal(unlink(path), 0);
	a = addr_of("0000:03:00.0");
	assert_int_equal(vft_pci_dev_read(&c->sys, &a, &c->dev, &c->err),
			 -ENOENT);
	assert_msg(c, "vendor");
	assert_msg(c, "0000:03:00.0");
}

/* ---- scanning and groups ---- */

struct scan_log {
	char names[16][VFT_PCI_ADDR_LEN];
	int n;
	int stop_at;
};

static int
scan_cb(const struct vft_pci_dev *dev, void *arg)
{
	struct scan_log *log = arg;

	if (log->n < 16)
		strcpy(log->names[log->n], dev->name);
	log->n++;
	return log->n == log->stop_at ? 42 : 0;
}

static void
test_scan_order(void **state)
{
	static const char *const order[] = {
		"0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3", PF, VF0, VF1,
		"0001:00:00.0", "10000:e1:00.0"
	};
	struct ctx *c = *state;
	struct scan_log log = { .stop_at = -1 };
	char path[PATH_MAX];
	size_t i;

	assert_int_equal(
		fake_sysfs_add_dev(&c->fs, "10000:e1:00.0", 1, 2, 3, NULL, -1),
		0);
	assert_int_equal(
		fake_sysfs_add_dev(&c->fs, "0001:00:00.0", 1, 2, 3, NULL, -1),
		0);
	/* not a PCI address: ignored */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/junk", c->fs.root);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(vft_pci_scan(&c->sys, scan_cb, &log), 0);
	assert_int_equal(log.n, 8);
	for (i = 0; i < 8; i++)
		assert_string_equal(log.names[i], order[i]);

	memset(&log, 0, sizeof(log));
	log.stop_at = 3;
	assert_int_equal(vft_pci_scan(&c->sys, scan_cb, &log), 42);
	assert_int_equal(log.n, 3);
	assert_int_equal(vft_pci_scan(&c->sys, NULL, NULL), -EINVAL);
}

static void
test_scan_no_tree(void **state)
{
	struct vft_sys sys;
	struct scan_log log = { .stop_at = -1 };

	(void)state;
	vft_sys_init(&sys, "/nonexistent/vftoken-test");
	assert_int_equal(vft_pci_scan(&sys, scan_cb, &log), -ENOENT);
	assert_int_equal(log.n, 0);
}

static void
test_iommu_group(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr out[4], a2 = addr_of("0000:00:1f.2"),
				    a3 = addr_of("0000:00:1f.3");

	assert_int_equal(vft_iommu_group_devices(&c->sys, 5, out, 4), 2);
	assert_true(vft_pci_addr_equal(&out[0], &a2));
	assert_true(vft_pci_addr_equal(&out[1], &a3));
	/* more members than room: the count, and the first max filled */
	memset(out, 0, sizeof(out));
	assert_int_equal(vft_iommu_group_devices(&c->sys, 5, out, 1), 2);
	assert_true(vft_pci_addr_equal(&out[0], &a2));
	assert_int_equal(out[1].dev, 0);
	assert_int_equal(vft_iommu_group_devices(&c->sys, 5, NULL, 0), 2);
	assert_int_equal(vft_iommu_group_devices(&c->sys, 11, out, 4), 1);
	assert_int_equal(vft_iommu_group_devices(&c->sys, 99, out, 4), -ENOENT);
	assert_int_equal(vft_iommu_group_devices(&c->sys, -1, out, 4), -EINVAL);
}

static void
test_enable_sriov(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(vft_vfio_pci_enable_sriov(&c->sys), 1);
	assert_int_equal(fake_sysfs_set_enable_sriov(&c->fs, 0), 0);
	assert_int_equal(vft_vfio_pci_enable_sriov(&c->sys), 0);
	assert_int_equal(fake_sysfs_set_enable_sriov(&c->fs, -1), 0);
	assert_int_equal(vft_vfio_pci_enable_sriov(&c->sys), -ENOENT);
	assert_int_equal(fake_sysfs_set_enable_sriov(&c->fs, 1), 0);
	put_file(c, "module/vfio_pci/parameters/enable_sriov", "maybe\n");
	assert_int_equal(vft_vfio_pci_enable_sriov(&c->sys), -EINVAL);
}

/* ---- sriov_numvfs ---- */

static void
test_numvfs_steps(void **state)
{
	unsigned int s[2] = { 99, 99 };

	(void)state;
	assert_int_equal(vft_sriov_numvfs_steps(0, 0, s), 0);
	assert_int_equal(vft_sriov_numvfs_steps(3, 3, s), 0);
	assert_int_equal(vft_sriov_numvfs_steps(0, 3, s), 1);
	assert_int_equal(s[0], 3);
	assert_int_equal(vft_sriov_numvfs_steps(3, 0, s), 1);
	assert_int_equal(s[0], 0);
	assert_int_equal(vft_sriov_numvfs_steps(2, 5, s), 2);
	assert_int_equal(s[0], 0);
	assert_int_equal(s[1], 5);
	assert_int_equal(vft_sriov_numvfs_steps(5, 2, s), 2);
	assert_int_equal(s[0], 0);
	assert_int_equal(s[1], 2);
}

static void
test_set_num_vfs(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr pf = addr_of(PF);
	const char *f = "bus/pci/devices/" PF "/sriov_numvfs";

	/* same count: nothing written (the file keeps its newline) */
	assert_string_equal(file_of(c, f), "2\n");
	assert_int_equal(vft_pci_set_num_vfs(&c->sys, &pf, 2, &c->err), 0);
	assert_string_equal(file_of(c, f), "2\n");
	/* 2 -> 5 goes through 0; the last write lands in the file */
	assert_int_equal(vft_pci_set_num_vfs(&c->sys, &pf, 5, &c->err), 0);
	assert_string_equal(file_of(c, f), "5");
	assert_int_equal(vft_pci_set_num_vfs(&c->sys, &pf, 0, &c->err), 0);
	assert_string_equal(file_of(c, f), "0");
	assert_int_equal(vft_pci_set_num_vfs(&c->sys, &pf, 7, &c->err), 0);
	assert_string_equal(file_of(c, f), "7");
}

static void
test_set_num_vfs_refused(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr pf = addr_of(PF), plain = addr_of("0000:00:1f.2");
	const char *f = "bus/pci/devices/" PF "/sriov_numvfs";

	assert_int_equal(vft_pci_set_num_vfs(&c->sys, &pf, 8, &c->err),
			 -ERANGE);
	assert_msg(c, "8 VFs requested");
	assert_msg(c, "at most 7");
	assert_msg(c, PF);

	assert_int_equal(fake_sysfs_set_enable_sriov(&c->fs, 0), 0);
	assert_int_equal(vft_pci_set_num_vfs(&c->sys, &pf, 3, &c->err),
			 -ENOENT);
	assert_msg(c, "enable_sriov=N");
	assert_msg(c, "modprobe vfio-pci enable_sriov=1");
	assert_msg(c, "/sys/module/vfio_pci/parameters/enable_sriov");
	assert_string_equal(file_of(c, f), "2\n"); /* nothing written */

	assert_int_equal(vft_pci_set_num_vfs(&c->sys, &plain, 1, &c->err),
			 -ENOTSUP);
	assert_msg(c, "not SR-IOV capable");
	assert_msg(c, "0000:00:1f.2");
}

static void
test_set_num_vfs_other_driver(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr a = addr_of("0000:04:00.0");
	const char *f = "bus/pci/devices/0000:04:00.0/sriov_numvfs";

	/* enable_sriov only matters to vfio-pci */
	assert_int_equal(fake_sysfs_set_enable_sriov(&c->fs, 0), 0);
	assert_int_equal(fake_sysfs_add_pf(&c->fs, "0000:04:00.0", 0x8086,
					   0x10c9, 7, "igb", 20),
			 0);
	assert_int_equal(vft_pci_set_num_vfs(&c->sys, &a, 2, &c->err), 0);
	assert_string_equal(file_of(c, f), "2");

	/* no driver: the kernel has nobody to ask (-ENOENT) */
	assert_int_equal(fake_sysfs_add_pf(&c->fs, "0000:05:00.0", 0x8086,
					   0x10c9, 7, NULL, 21),
			 0);
	a = addr_of("0000:05:00.0");
	assert_int_equal(vft_pci_set_num_vfs(&c->sys, &a, 2, &c->err), -ENOENT);
	assert_msg(c, "no driver bound");
	assert_string_equal(file_of(c, "bus/pci/devices/0000:05:00.0/"
				       "sriov_numvfs"),
			    "0\n");
}

/* The errno a write can return, explained per kernel rule. */
static void
test_numvfs_errors(void **state)
{
	static const struct {
		const char *driver;
		unsigned int num_vfs;
		unsigned int n;
		int enable_sriov;
		int error;
		const char *part;
	} cases[] = {
		{ "", 0, 2, 1, -ENOENT, "no driver bound" },
		{ "ahci", 0, 2, 1, -ENOENT, "driver ahci of PF" },
		{ "vfio-pci", 0, 2, 0, -ENOENT, "enable_sriov=N" },
		{ "vfio-pci", 0, 2, 1, -ENOENT, "vfio-pci refused SR-IOV" },
		{ "vfio-pci", 0, 9, 1, -ERANGE, "at most 7" },
		{ "vfio-pci", 2, 3, 1, -EBUSY, "needs 0 written" },
		{ "vfio-pci", 0, 3, 1, -EBUSY, "in use" },
		{ "igb", 0, 3, 1, -EPERM, "needs root" },
		{ "igb", 0, 3, 1, -EACCES, "needs root" },
		{ "igb", 0, 3, 1, -EIO, "Input/output error" },
		{ "igb", 0, 3, 1, -ENOMEM, "see dmesg" },
	};
	struct vft_pci_dev pf;
	struct vft_err err;
	size_t i;

	(void)state;
	memset(&pf, 0, sizeof(pf));
	strcpy(pf.name, PF);
	pf.sriov_capable = true;
	pf.total_vfs = 7;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strcpy(pf.driver, cases[i].driver);
		pf.num_vfs = cases[i].num_vfs;
		vft_err_clear(&err);
		assert_int_equal(vft_sriov_numvfs_error(&pf, cases[i].n,
							cases[i].enable_sriov,
							cases[i].error, &err),
				 cases[i].error);
		assert_int_equal(err.code, cases[i].error);
		if (strstr(err.msg, cases[i].part) == NULL ||
		    strstr(err.msg, PF) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg,
				 cases[i].part);
	}
}

/* ---- binding ---- */

static void
test_driver_override(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr a = addr_of(VF1);
	const char *f = "bus/pci/devices/" VF1 "/driver_override";
	char longname[VFT_DRIVER_LEN + 1];

	assert_int_equal(
		vft_pci_set_driver_override(&c->sys, &a, "vfio-pci", &c->err),
		0);
	assert_string_equal(file_of(c, f), "vfio-pci");
	read_dev(c, VF1);
	assert_string_equal(c->dev.driver_override, "vfio-pci");
	assert_int_equal(vft_pci_set_driver_override(&c->sys, &a, "", &c->err),
			 0);
	assert_string_equal(file_of(c, f), "\n");
	read_dev(c, VF1);
	assert_string_equal(c->dev.driver_override, "");

	assert_int_equal(
		vft_pci_set_driver_override(&c->sys, &a, "../x", &c->err),
		-EINVAL);
	assert_msg(c, VF1);
	assert_int_equal(
		vft_pci_set_driver_override(&c->sys, &a, "a b", &c->err),
		-EINVAL);
	memset(longname, 'a', VFT_DRIVER_LEN);
	longname[VFT_DRIVER_LEN] = '\0';
	assert_int_equal(
		vft_pci_set_driver_override(&c->sys, &a, longname, &c->err),
		-EINVAL);
	a = addr_of("0000:09:00.0");
	assert_int_equal(
		vft_pci_set_driver_override(&c->sys, &a, "vfio-pci", &c->err),
		-ENOENT);
	assert_msg(c, "0000:09:00.0");
}

static void
test_unbind(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr a = addr_of("0000:00:1f.2");

	assert_string_equal(file_of(c, "bus/pci/drivers/ahci/unbind"), "");
	assert_int_equal(vft_pci_unbind(&c->sys, &a, &c->err), 0);
	assert_string_equal(file_of(c, "bus/pci/drivers/ahci/unbind"),
			    "0000:00:1f.2");
	a = addr_of("0000:00:1f.3"); /* unbound: a no-op */
	assert_int_equal(vft_pci_unbind(&c->sys, &a, &c->err), 0);
}

static void
test_bind_vfio(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr a;

	/* already on vfio-pci: nothing written */
	a = addr_of(VF0);
	assert_int_equal(vft_pci_bind_vfio(&c->sys, &a, &c->err), 0);
	assert_string_equal(
		file_of(c, "bus/pci/devices/" VF0 "/driver_override"),
		"(null)\n");
	assert_string_equal(file_of(c, "bus/pci/drivers_probe"), "");

	/* on ahci: override, unbind, probe, then the check fails because
	 * a fake tree has no kernel to bind the driver */
	a = addr_of("0000:00:1f.2");
	assert_int_equal(vft_pci_bind_vfio(&c->sys, &a, &c->err), -EIO);
	assert_string_equal(file_of(c, "bus/pci/devices/0000:00:1f.2/"
				       "driver_override"),
			    "vfio-pci");
	assert_string_equal(file_of(c, "bus/pci/drivers/ahci/unbind"),
			    "0000:00:1f.2");
	assert_string_equal(file_of(c, "bus/pci/drivers_probe"),
			    "0000:00:1f.2");
	assert_msg(c, "bound to ahci, expected vfio-pci");

	/* unbound */
	a = addr_of(VF1);
	assert_int_equal(vft_pci_bind_vfio(&c->sys, &a, &c->err), -EIO);
	assert_msg(c, "bound to no driver");
	assert_string_equal(file_of(c, "bus/pci/drivers_probe"), VF1);
}

static void
test_bind_vfio_refused(void **state)
{
	struct ctx *c = *state;
	struct vft_pci_addr a;
	char path[PATH_MAX];

	/* a PF with VFs enabled: vfio-pci would refuse it (-EBUSY) */
	assert_int_equal(fake_sysfs_add_pf(&c->fs, "0000:06:00.0", 0x8086,
					   0x10c9, 7, "igb", 30),
			 0);
	assert_int_equal(fake_sysfs_add_vf(&c->fs, "0000:06:00.0", 0,
					   "0000:06:10.0", 0x8086, 0x10ca,
					   "igbvf", 31),
			 0);
	a = addr_of("0000:06:00.0");
	assert_int_equal(vft_pci_bind_vfio(&c->sys, &a, &c->err), -EBUSY);
	assert_msg(c, "1 VFs enabled");
	assert_string_equal(file_of(c, "bus/pci/drivers/igb/unbind"), "");

	/* vfio-pci not loaded */
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci/bind",
		 c->fs.root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci/unbind",
		 c->fs.root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci", c->fs.root);
	assert_int_equal(rmdir(path), 0);
	a = addr_of("0000:00:1f.2");
	assert_int_equal(vft_pci_bind_vfio(&c->sys, &a, &c->err), -ENOENT);
	assert_msg(c, "modprobe vfio-pci");
	assert_string_equal(file_of(c, "bus/pci/drivers/ahci/unbind"), "");

	a = addr_of("0000:0a:00.0");
	assert_int_equal(vft_pci_bind_vfio(&c->sys, &a, &c->err), -ENODEV);
}

static void
test_sys_init(void **state)
{
	struct vft_sys sys;
	char big[400];

	(void)state;
	vft_sys_init(&sys, NULL);
	assert_string_equal(sys.root, "/sys");
	vft_sys_init(&sys, "/tmp/x");
	assert_string_equal(sys.root, "/tmp/x");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vft_sys_init(&sys, big);
	assert_int_equal(strlen(sys.root), sizeof(sys.root) - 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_read_pf),
		T(test_read_vf),
		T(test_read_plain),
		T(test_read_parts),
		T(test_read_missing),
		T(test_scan_order),
		cmocka_unit_test(test_scan_no_tree),
		T(test_iommu_group),
		T(test_enable_sriov),
		cmocka_unit_test(test_numvfs_steps),
		T(test_set_num_vfs),
		T(test_set_num_vfs_refused),
		T(test_set_num_vfs_other_driver),
		cmocka_unit_test(test_numvfs_errors),
		T(test_driver_override),
		T(test_unbind),
		T(test_bind_vfio),
		T(test_bind_vfio_refused),
		cmocka_unit_test(test_sys_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Fake sysfs trees, for unit tests of logic only: directories, plain files
 * and relative symlinks laid out like the parts of /sys libvftoken reads.
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sysfs.h"

static int __attribute__((format(printf, 3, 4)))
fake_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* mkdir -p */
static int
fake_mkdirs(const char *path)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

static int
fake_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	rc = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	close(fd);
	return rc;
}

static int __attribute__((format(printf, 4, 5)))
fake_attr(struct fake_sysfs *fs, const char *addr, const char *attr,
	  const char *fmt, ...)
{
	char path[PATH_MAX], val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (fake_path(path, sizeof(path), "%s/bus/pci/devices/%s/%s", fs->root,
		      addr, attr))
		return -ENAMETOOLONG;
	return fake_write(path, val);
}

static int
fake_link(struct fake_sysfs *fs, const char *addr, const char *name,
	  const char *target)
{
	char path[PATH_MAX];

	if (fake_path(path, sizeof(path), "%s/bus/pci/devices/%s/%s", fs->root,
		      addr, name))
		return -ENAMETOOLONG;
	unlink(path);
	return symlink(target, path) != 0 ? -errno : 0;
}

int
fake_sysfs_create(struct fake_sysfs *fs)
{
	static const char *const dirs[] = { "bus/pci/devices",
					    "bus/pci/drivers",
					    "kernel/iommu_groups" };
	char path[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	unsigned int i;

	if (fake_path(fs->root, sizeof(fs->root), "%s/vft-fake-sysfs-XXXXXX",
		      tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"))
		return -ENAMETOOLONG;
	if (mkdtemp(fs->root) == NULL)
		return -errno;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (fake_path(path, sizeof(path), "%s/%s", fs->root, dirs[i]))
			return -ENAMETOOLONG;
		int rc = fake_mkdirs(path);

		if (rc != 0)
			return rc;
	}
	if (fake_path(path, sizeof(path), "%s/bus/pci/drivers_probe", fs->root))
		return -ENAMETOOLONG;
	return fake_write(path, "");
}

static int
fake_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void
fake_rm_tree(const char *path)
{
	nftw(path, fake_rm, 16, FTW_DEPTH | FTW_PHYS);
}

void
fake_sysfs_destroy(struct fake_sysfs *fs)
{
	/* Only ever remove what fake_sysfs_create() made. */
	if (strstr(fs->root, "/vft-fake-sysfs-") == NULL)
		return;
	fake_rm_tree(fs->root);
	fs->root[0] = '\0';
}

int
fake_sysfs_add_driver(struct fake_sysfs *fs, const char *drv)
{
	static const char *const files[] = { "bind", "unbind" };
	char path[PATH_MAX];
	unsigned int i;
	int rc;

	if (fake_path(path, sizeof(path), "%s/bus/pci/drivers/%s", fs->root,
		      drv))
		return -ENAMETOOLONG;
	rc = fake_mkdirs(path);
	for (i = 0; rc == 0 && i < 2; i++) {
		if (fake_path(path, sizeof(path), "%s/bus/pci/drivers/%s/%s",
			      fs->root, drv, files[i]))
			return -ENAMETOOLONG;
		rc = fake_write(path, "");
	}
	return rc;
}

static int
fake_bind(struct fake_sysfs *fs, const char *addr, const char *driver)
{
	char target[PATH_MAX];
	int rc;

	if (driver == NULL)
		return 0;
	rc = fake_sysfs_add_driver(fs, driver);
	if (rc != 0)
		return rc;
	/* devices/ADDR -> ../../drivers/DRV, as a relative link */
	if (fake_path(target, sizeof(target), "../../drivers/%s", driver))
		return -ENAMETOOLONG;
	return fake_link(fs, addr, "driver", target);
}

static int
fake_group(struct fake_sysfs *fs, const char *addr, int group)
{
	char path[PATH_MAX], target[PATH_MAX];
	int rc;

	if (group < 0)
		return 0;
	if (fake_path(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices",
		      fs->root, group))
		return -ENAMETOOLONG;
	rc = fake_mkdirs(path);
	if (rc != 0)
		return rc;
	if (fake_path(path, sizeof(path),
		      "%s/kernel/iommu_groups/%d/devices/%s", fs->root, group,
		      addr) ||
	    fake_path(target, sizeof(target), "../../../../bus/pci/devices/%s",
		      addr))
		return -ENAMETOOLONG;
	unlink(path);
	if (symlink(target, path) != 0)
		return -errno;
	if (fake_path(target, sizeof(target),
		      "../../../../kernel/iommu_groups/%d", group))
		return -ENAMETOOLONG;
	return fake_link(fs, addr, "iommu_group", target);
}

int
fake_sysfs_add_dev(struct fake_sysfs *fs, const char *addr, uint16_t vendor,
		   uint16_t device, uint32_t class_code, const char *driver,
		   int group)
{
	char path[PATH_MAX];
	int rc;

	if (fake_path(path, sizeof(path), "%s/bus/pci/devices/%s", fs->root,
		      addr))
		return -ENAMETOOLONG;
	rc = fake_mkdirs(path);
	if (rc == 0)
		rc = fake_attr(fs, addr, "vendor", "0x%04x\n", vendor);
	if (rc == 0)
		rc = fake_attr(fs, addr, "device", "0x%04x\n", device);
	if (rc == 0)
		rc = fake_attr(fs, addr, "subsystem_vendor", "0x%04x\n",
			       vendor);
	if (rc == 0)
		rc = fake_attr(fs, addr, "subsystem_device", "0x%04x\n",
			       device);
	if (rc == 0)
		rc = fake_attr(fs, addr, "class", "0x%06x\n", class_code);
	if (rc == 0)
		rc = fake_attr(fs, addr, "numa_node", "-1\n");
	if (rc == 0)
		rc = fake_attr(fs, addr, "driver_override", "(null)\n");
	if (rc == 0)
		rc = fake_bind(fs, addr, driver);
	if (rc == 0)
		rc = fake_group(fs, addr, group);
	return rc;
}

int
fake_sysfs_add_pf(struct fake_sysfs *fs, const char *addr, uint16_t vendor,
		  uint16_t device, unsigned int total_vfs, const char *driver,
		  int group)
{
	int rc;

	rc = fake_sysfs_add_dev(fs, addr, vendor, device, 0x020000, driver,
				group);
	if (rc == 0)
		rc = fake_attr(fs, addr, "sriov_totalvfs", "%u\n", total_vfs);
	if (rc == 0)
		rc = fake_attr(fs, addr, "sriov_numvfs", "0\n");
	return rc;
}

static int
fake_bump_numvfs(struct fake_sysfs *fs, const char *pf)
{
	char path[PATH_MAX], buf[32];
	ssize_t n;
	int fd;

	if (fake_path(path, sizeof(path), "%s/bus/pci/devices/%s/sriov_numvfs",
		      fs->root, pf))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	return fake_attr(fs, pf, "sriov_numvfs", "%lu\n",
			 strtoul(buf, NULL, 10) + 1);
}

int
fake_sysfs_add_vf(struct fake_sysfs *fs, const char *pf, unsigned int index,
		  const char *addr, uint16_t vendor, uint16_t device,
		  const char *driver, int group)
{
	char path[PATH_MAX], name[32], target[PATH_MAX];
	struct stat st;
	int rc;

	if (fake_path(path, sizeof(path), "%s/bus/pci/devices/%s", fs->root,
		      pf))
		return -ENAMETOOLONG;
	if (stat(path, &st) != 0)
		return -ENOENT;
	rc = fake_sysfs_add_dev(fs, addr, vendor, device, 0x020000, driver,
				group);
	if (rc != 0)
		return rc;
	if (fake_path(target, sizeof(target), "../%s", pf))
		return -ENAMETOOLONG;
	rc = fake_link(fs, addr, "physfn", target);
	if (rc != 0)
		return rc;
	snprintf(name, sizeof(name), "virtfn%u", index);
	if (fake_path(target, sizeof(target), "../%s", addr))
		return -ENAMETOOLONG;
	rc = fake_link(fs, pf, name, target);
	if (rc != 0)
		return rc;
	return fake_bump_numvfs(fs, pf);
}

int
fake_sysfs_set_enable_sriov(struct fake_sysfs *fs, int value)
{
	char path[PATH_MAX];
	int rc;

	if (fake_path(path, sizeof(path), "%s/module/vfio_pci", fs->root))
		return -ENAMETOOLONG;
	if (value < 0) {
		fake_rm_tree(path);
		return 0;
	}
	if (fake_path(path, sizeof(path), "%s/module/vfio_pci/parameters",
		      fs->root))
		return -ENAMETOOLONG;
	rc = fake_mkdirs(path);
	if (rc != 0)
		return rc;
	if (fake_path(path, sizeof(path),
		      "%s/module/vfio_pci/parameters/enable_sriov", fs->root))
		return -ENAMETOOLONG;
	return fake_write(path, value ? "Y\n" : "N\n");
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Small sysfs helpers of the conformance suite. Every write returns the
 * kernel's errno (as -errno) because several checks assert exactly that
 * errno (sriov_numvfs -> -ENOENT, driver bind -> -EBUSY).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tvk.h"

#define TVK_PCI_DEVS "/sys/bus/pci/devices"
#define TVK_PCI_DRVS "/sys/bus/pci/drivers"

int
tvk_sysfs_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

int
tvk_sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (len == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int
tvk_dev_path(char *path, size_t len, const char *addr, const char *attr)
{
	int n = snprintf(path, len, TVK_PCI_DEVS "/%s/%s", addr, attr);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int
tvk_dev_attr_write(const char *addr, const char *attr, const char *val)
{
	char path[PATH_MAX];
	int ret = tvk_dev_path(path, sizeof(path), addr, attr);

	return ret ? ret : tvk_sysfs_write(path, val);
}

int
tvk_dev_attr_read(const char *addr, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	int ret = tvk_dev_path(path, sizeof(path), addr, attr);

	return ret ? ret : tvk_sysfs_read(path, buf, len);
}

/* Basename of a sysfs symlink of a device ("driver", "iommu_group", ...). */
static int
tvk_link_base(const char *addr, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int ret;

	ret = tvk_dev_path(path, sizeof(path), addr, attr);
	if (ret)
		return ret;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

/* Name of the bound driver, "" when none is bound. */
int
tvk_driver_of(const char *addr, char *buf, size_t len)
{
	int ret = tvk_link_base(addr, "driver", buf, len);

	if (ret == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return ret;
}

int
tvk_iommu_group_of(const char *addr, int *group)
{
	char buf[32], *end;
	long v;
	int ret;

	ret = tvk_link_base(addr, "iommu_group", buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || *end || v < 0 || v > INT_MAX)
		return -EINVAL;
	*group = (int)v;
	return 0;
}

int
tvk_virtfn(const char *pf, int idx, char *buf, size_t len)
{
	char attr[32];

	snprintf(attr, sizeof(attr), "virtfn%d", idx);
	return tvk_link_base(pf, attr, buf, len);
}

/* Current sriov_numvfs of a PF, or -errno. */
int
tvk_numvfs(const char *pf)
{
	char buf[32];
	int ret;

	ret = tvk_dev_attr_read(pf, "sriov_numvfs", buf, sizeof(buf));
	if (ret)
		return ret;
	return atoi(buf);
}

int
tvk_unbind(const char *addr)
{
	char drv[64];
	int ret;

	ret = tvk_driver_of(addr, drv, sizeof(drv));
	if (ret || drv[0] == '\0')
		return ret;
	return tvk_dev_attr_write(addr, "driver/unbind", addr);
}

bool
tvk_driver_loaded(const char *drv)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), TVK_PCI_DRVS "/%s", drv);
	return stat(path, &st) == 0;
}

/*
 * Bind a device to a driver the way an administrator does it: set
 * driver_override (vfio-pci and pci-pf-stub have no ID table), unbind the
 * current driver and write the address to the driver's "bind" file. The
 * errno of that write is the probe's errno (device_driver_attach() returns
 * the probe error since Linux 5.14), which is what the EBUSY check needs.
 */
int
tvk_bind(const char *addr, const char *drv)
{
	char path[PATH_MAX], cur[64];
	int ret;

	ret = tvk_driver_of(addr, cur, sizeof(cur));
	if (ret)
		return ret;
	if (strcmp(cur, drv) == 0)
		return 0;
	ret = tvk_dev_attr_write(addr, "driver_override", drv);
	if (ret)
		return ret;
	if (cur[0] != '\0') {
		ret = tvk_unbind(addr);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), TVK_PCI_DRVS "/%s/bind", drv);
	return tvk_sysfs_write(path, addr);
}

/* Run modprobe MOD [ARG]; 0 when it exited 0. */
int
tvk_modprobe(const char *mod, const char *arg)
{
	char *argv[4];
	int status;
	pid_t pid;

	argv[0] = (char *)(uintptr_t) "modprobe";
	argv[1] = (char *)(uintptr_t)mod;
	argv[2] = (char *)(uintptr_t)arg;
	argv[3] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp("modprobe", argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ENOENT;
	return 0;
}

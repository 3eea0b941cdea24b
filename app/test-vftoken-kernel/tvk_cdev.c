/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Raw cdev + iommufd opens (Linux 6.6+, the VF token from 6.17): find the
 * device's cdev through sysfs (/sys/bus/pci/devices/ADDR/vfio-dev/vfioN,
 * node /dev/vfio/devices/vfioN, drivers/vfio/vfio_main.c), open it and
 * /dev/iommu, VFIO_DEVICE_BIND_IOMMUFD with or without
 * VFIO_DEVICE_BIND_FLAG_TOKEN (drivers/vfio/device_cdev.c), then
 * IOMMU_IOAS_ALLOC and VFIO_DEVICE_ATTACH_IOMMUFD_PT. Each open gets its own
 * iommufd, as each group-path open gets its own container (tvk_vfio.c).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "tvk.h"
#include "tvk_cdev.h"

/* Layouts of Linux 7.2's include/uapi/linux/vfio.h and iommufd.h. */
_Static_assert(sizeof(struct tvk_vfio_device_bind_iommufd) == 24,
	       "vfio_device_bind_iommufd is 24 bytes");
_Static_assert(offsetof(struct tvk_vfio_device_bind_iommufd, iommufd) == 8,
	       "bind.iommufd at 8");
_Static_assert(offsetof(struct tvk_vfio_device_bind_iommufd, out_devid) == 12,
	       "bind.out_devid at 12");
_Static_assert(offsetof(struct tvk_vfio_device_bind_iommufd, token_uuid_ptr) ==
		       TVK_BIND_MINSZ,
	       "bind.token_uuid_ptr right after the pre-6.17 struct");
_Static_assert(sizeof(struct tvk_vfio_device_attach_iommufd_pt) == 16,
	       "vfio_device_attach_iommufd_pt is 16 bytes");
_Static_assert(sizeof(struct tvk_iommu_ioas_alloc) == 12,
	       "iommu_ioas_alloc is 12 bytes");
_Static_assert(sizeof(struct tvk_iommu_destroy) == 8,
	       "iommu_destroy is 8 bytes");
_Static_assert(TVK_VFIO_DEVICE_BIND_IOMMUFD == 0x3b76, "BIND_IOMMUFD number");
_Static_assert(TVK_VFIO_DEVICE_ATTACH_IOMMUFD_PT == 0x3b77,
	       "ATTACH_IOMMUFD_PT number");
_Static_assert(TVK_IOMMU_IOAS_ALLOC == 0x3b81, "IOMMU_IOAS_ALLOC number");
#ifdef VFIO_DEVICE_BIND_IOMMUFD
/* Newer system headers: both must agree. */
_Static_assert(TVK_VFIO_DEVICE_BIND_IOMMUFD == VFIO_DEVICE_BIND_IOMMUFD,
	       "BIND_IOMMUFD differs from <linux/vfio.h>");
_Static_assert(TVK_VFIO_DEVICE_ATTACH_IOMMUFD_PT ==
		       VFIO_DEVICE_ATTACH_IOMMUFD_PT,
	       "ATTACH_IOMMUFD_PT differs from <linux/vfio.h>");
#endif

void
tvk_cdev_init(struct tvk_cdev *c)
{
	c->iommufd = -1;
	c->device = -1;
	c->devid = 0;
	c->ioas = 0;
}

void
tvk_cdev_close(struct tvk_cdev *c)
{
	if (c->device >= 0)
		close(c->device);
	if (c->iommufd >= 0)
		close(c->iommufd);
	tvk_cdev_init(c);
}

/* The vfioN entry of ADDR's vfio-dev/ directory into NAME, or -errno. */
int
tvk_cdev_name(const char *addr, char *name, size_t len)
{
	char dir[128];
	struct dirent *e;
	DIR *d;
	int ret = -ENOENT;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", addr);
	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "vfio", 4) != 0)
			continue;
		if (strlen(e->d_name) >= len) {
			ret = -ENAMETOOLONG;
			break;
		}
		strcpy(name, e->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

/*
 * /dev/vfio/devices/vfioN of ADDR into PATH, checked against the sysfs
 * "dev" attribute (major:minor); -ENODEV if the node is not that device.
 */
int
tvk_cdev_path(const char *addr, char *path, size_t len)
{
	char name[32], attr[160], devno[32];
	unsigned int maj, min;
	struct stat st;
	int ret;

	ret = tvk_cdev_name(addr, name, sizeof(name));
	if (ret)
		return ret;
	snprintf(attr, sizeof(attr), "/sys/bus/pci/devices/%s/vfio-dev/%s/dev",
		 addr, name);
	ret = tvk_sysfs_read(attr, devno, sizeof(devno));
	if (ret)
		return ret;
	if (sscanf(devno, "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	snprintf(path, len, "/dev/vfio/devices/%s", name);
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != maj ||
	    minor(st.st_rdev) != min)
		return -ENODEV;
	return 0;
}

/*
 * Open /dev/iommu and ADDR's cdev, not yet bound. 0, or 1 for a set-up
 * failure (err says what; everything closed).
 */
int
tvk_cdev_open(const char *addr, struct tvk_cdev *c, char *err, size_t errlen)
{
	char path[64];
	int ret;

	tvk_cdev_init(c);
	ret = tvk_cdev_path(addr, path, sizeof(path));
	if (ret) {
		snprintf(err, errlen, "no vfio cdev for %s: %s", addr,
			 tvk_errname(-ret));
		return 1;
	}
	c->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (c->iommufd < 0) {
		snprintf(err, errlen, "open /dev/iommu: %s",
			 tvk_errname(errno));
		return 1;
	}
	c->device = open(path, O_RDWR | O_CLOEXEC);
	if (c->device < 0) {
		snprintf(err, errlen, "open %s (%s): %s", path, addr,
			 tvk_errname(errno));
		tvk_cdev_close(c);
		return 1;
	}
	return 0;
}

/*
 * VFIO_DEVICE_BIND_IOMMUFD with every field given: the raw ioctl the checks
 * vary. Returns 0 or -errno; *DEVID gets out_devid on success.
 */
int
tvk_cdev_bind_raw(int devfd, uint32_t argsz, uint32_t flags, int32_t iommufd,
		  const uint8_t *uuid, uint32_t *devid)
{
	struct tvk_vfio_device_bind_iommufd b;

	memset(&b, 0, sizeof(b));
	b.argsz = argsz;
	b.flags = flags;
	b.iommufd = iommufd;
	b.token_uuid_ptr = (uint64_t)(uintptr_t)uuid;
	if (ioctl(devfd, TVK_VFIO_DEVICE_BIND_IOMMUFD, &b) < 0)
		return -errno;
	if (devid)
		*devid = b.out_devid;
	return 0;
}

/* Bind with the token flag iff UUID is given, full-size struct. */
int
tvk_cdev_bind(struct tvk_cdev *c, const uint8_t *uuid)
{
	return tvk_cdev_bind_raw(c->device,
				 sizeof(struct tvk_vfio_device_bind_iommufd),
				 uuid ? TVK_VFIO_DEVICE_BIND_FLAG_TOKEN : 0,
				 c->iommufd, uuid, &c->devid);
}

/* A fresh IOAS in the bound device's iommufd, attached. 0 or -errno. */
int
tvk_cdev_attach_ioas(struct tvk_cdev *c)
{
	struct tvk_iommu_ioas_alloc a = { .size = sizeof(a) };
	struct tvk_vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };

	if (ioctl(c->iommufd, TVK_IOMMU_IOAS_ALLOC, &a) < 0)
		return -errno;
	c->ioas = a.out_ioas_id;
	at.pt_id = c->ioas;
	if (ioctl(c->device, TVK_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) < 0)
		return -errno;
	return 0;
}

/*
 * Why the cdev checks cannot run on this kernel, or NULL when they can:
 * /dev/iommu (CONFIG_IOMMUFD) and the cdev of ADDR, a device on vfio-pci
 * (CONFIG_VFIO_DEVICE_CDEV).
 */
const char *
tvk_cdev_missing(const char *addr)
{
	char path[64];
	struct stat st;

	if (stat("/dev/iommu", &st) < 0 || !S_ISCHR(st.st_mode))
		return "kernel without IOMMUFD (no /dev/iommu)";
	if (tvk_cdev_path(addr, path, sizeof(path)))
		return "kernel without VFIO_DEVICE_CDEV (no "
		       "/dev/vfio/devices/vfioN for the PF on vfio-pci)";
	return NULL;
}

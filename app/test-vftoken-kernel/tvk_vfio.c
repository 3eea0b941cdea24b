/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Raw VFIO group-path opens. Each open gets its own container: a group can
 * only be opened once at a time, and VFIO_GROUP_GET_DEVICE_FD needs the group
 * attached to a container with an IOMMU model set (type1v2), so a check that
 * holds a VF open while it opens the PF needs two independent sets of fds.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "tvk.h"

void
tvk_wipe(void *p, size_t len)
{
	volatile uint8_t *b = p;

	while (len--)
		*b++ = 0;
}

const char *
tvk_errname(int err)
{
	const char *n;

	if (err == 0)
		return "0 (success)";
	n = strerrorname_np(err);
	return n ? n : "unknown errno";
}

void
tvk_dev_init(struct tvk_dev *d)
{
	d->container = -1;
	d->group = -1;
	d->device = -1;
}

void
tvk_dev_close(struct tvk_dev *d)
{
	if (d->device >= 0)
		close(d->device);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	tvk_dev_init(d);
}

/*
 * Container + group set up as far as STAGE (enum tvk_stage) goes, the
 * container being CONTAINER ("/dev/vfio/vfio" or, for the iommufd compat
 * container, "/dev/iommu"); failures here are set-up errors, not results.
 */
static int
tvk_group_setup(const char *container, const char *addr, int stage,
		struct tvk_dev *d, char *err, size_t errlen)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int group, ret;

	ret = tvk_iommu_group_of(addr, &group);
	if (ret) {
		snprintf(err, errlen, "no IOMMU group for %s: %s", addr,
			 tvk_errname(-ret));
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0) {
		snprintf(err, errlen, "open %s (group of %s): %s", path, addr,
			 tvk_errname(errno));
		return -1;
	}
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &st) < 0 ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		snprintf(err, errlen,
			 "group %d of %s is not viable (a device of the group "
			 "is bound to a non-vfio driver)",
			 group, addr);
		return -1;
	}
	if (stage == TVK_STAGE_GROUP)
		return 0;
	d->container = open(container, O_RDWR | O_CLOEXEC);
	if (d->container < 0) {
		snprintf(err, errlen, "open %s: %s", container,
			 tvk_errname(errno));
		return -1;
	}
	/* iommufd answers the container ioctls too (vfio_compat.c) */
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		snprintf(err, errlen, "unexpected VFIO API version on %s",
			 container);
		return -1;
	}
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container) < 0) {
		snprintf(err, errlen, "VFIO_GROUP_SET_CONTAINER (%s): %s",
			 container, tvk_errname(errno));
		return -1;
	}
	if (stage == TVK_STAGE_CONTAINER)
		return 0;
	if (ioctl(d->container, VFIO_SET_IOMMU,
		  stage == TVK_STAGE_IOMMU_TYPE1 ? VFIO_TYPE1_IOMMU
						 : VFIO_TYPE1v2_IOMMU) < 0) {
		snprintf(err, errlen, "VFIO_SET_IOMMU %s (%s): %s",
			 stage == TVK_STAGE_IOMMU_TYPE1 ? "type1" : "type1v2",
			 container, tvk_errname(errno));
		return -1;
	}
	return 0;
}

/*
 * Open ADDR's group and ask for the device named NAME (the device name plus
 * options, the string under test). Returns 0 with d->device open, a negative
 * errno of VFIO_GROUP_GET_DEVICE_FD (everything closed), or 1 for a set-up
 * failure before that ioctl (err says what; everything closed).
 */
int
tvk_dev_open(const char *addr, const char *name, struct tvk_dev *d, char *err,
	     size_t errlen)
{
	return tvk_dev_open_at(TVK_CONTAINER_LEGACY, addr, TVK_STAGE_IOMMU,
			       name, d, err, errlen);
}

/*
 * tvk_dev_open() with the container CONTAINER, and the set-up stopped at
 * STAGE: TVK_STAGE_GROUP asks for the device on a group with no container,
 * TVK_STAGE_CONTAINER on one whose container has no IOMMU model set, the
 * two ways VFIO_GROUP_GET_DEVICE_FD is refused after the name (and the
 * token in it) was matched.
 */
int
tvk_dev_open_at(const char *container, const char *addr, int stage,
		const char *name, struct tvk_dev *d, char *err, size_t errlen)
{
	int fd;

	tvk_dev_init(d);
	if (tvk_group_setup(container, addr, stage, d, err, errlen)) {
		tvk_dev_close(d);
		return 1;
	}
	fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, name);
	if (fd < 0) {
		int e = errno;

		tvk_dev_close(d);
		return -e;
	}
	d->device = fd;
	return 0;
}

/*
 * VFIO_DEVICE_FEATURE with the PCI_VF_TOKEN feature index. ARGSZ_DATA is how
 * many data bytes argsz announces (16 for a real SET, less to test the size
 * check); UUID may be NULL for PROBE/GET. Returns 0 or -errno.
 */
int
tvk_feature(int devfd, uint32_t flags, const uint8_t *uuid, uint32_t argsz_data)
{
	/* The header plus room for the UUID, aligned for the header. */
	uint64_t buf[(sizeof(struct vfio_device_feature) + 16 + 7) / 8];
	struct vfio_device_feature *f = (struct vfio_device_feature *)buf;
	int ret;

	memset(buf, 0, sizeof(buf));
	if (argsz_data > 16)
		argsz_data = 16;
	f->argsz = sizeof(struct vfio_device_feature) + argsz_data;
	f->flags = flags | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	if (uuid)
		memcpy(f->data, uuid, 16);
	ret = ioctl(devfd, VFIO_DEVICE_FEATURE, f);
	if (ret < 0)
		ret = -errno;
	tvk_wipe(buf, sizeof(buf));
	return ret;
}

int
tvk_uuid_random(uint8_t uuid[16])
{
	ssize_t n = getrandom(uuid, 16, 0);

	if (n != 16)
		return -EIO;
	/* RFC 4122 version 4, variant 1: a well-formed random UUID. */
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	return 0;
}

/* Lower-case 8-4-4-4-12 form, the byte order uuid_parse() reads. */
void
tvk_uuid_format(const uint8_t uuid[16], char out[TVK_UUID_STR_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[uuid[i] >> 4];
		out[o++] = hex[uuid[i] & 0xf];
	}
	out[o] = '\0';
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The vfio cdev + iommufd uapi the conformance suite needs, written down
 * here because Linux 6.1's installed headers predate it (iommufd arrived in
 * 6.2, the cdev in 6.6, the VF token on the cdev in 6.17). The numbers and
 * layouts are those of Linux 7.2's include/uapi/linux/vfio.h and
 * include/uapi/linux/iommufd.h; the static asserts in tvk_cdev.c pin them.
 * Names carry a tvk_ prefix so newer system headers cannot clash.
 */

#ifndef TVK_CDEV_H
#define TVK_CDEV_H

#include <stdint.h>
#include <sys/ioctl.h>

/* include/uapi/linux/vfio.h: VFIO_TYPE ';', VFIO_BASE 100 */
#define TVK_VFIO_TYPE ';'
#define TVK_VFIO_BASE 100

/* VFIO_DEVICE_BIND_IOMMUFD: _IO(VFIO_TYPE, VFIO_BASE + 18) */
struct tvk_vfio_device_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
	uint64_t token_uuid_ptr __attribute__((aligned(8)));
};
#define TVK_VFIO_DEVICE_BIND_FLAG_TOKEN (1u << 0)
#define TVK_VFIO_DEVICE_BIND_IOMMUFD _IO(TVK_VFIO_TYPE, TVK_VFIO_BASE + 18)
/* minsz of the bind: offsetofend(out_devid), the pre-6.17 size. */
#define TVK_BIND_MINSZ 16u

/* VFIO_DEVICE_ATTACH_IOMMUFD_PT: _IO(VFIO_TYPE, VFIO_BASE + 19) */
struct tvk_vfio_device_attach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
	uint32_t pasid;
};
#define TVK_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(TVK_VFIO_TYPE, TVK_VFIO_BASE + 19)

/* include/uapi/linux/iommufd.h: IOMMUFD_TYPE ';', commands from 0x80 */
#define TVK_IOMMUFD_TYPE ';'

/* IOMMU_DESTROY: _IO(IOMMUFD_TYPE, 0x80) */
struct tvk_iommu_destroy {
	uint32_t size;
	uint32_t id;
};
#define TVK_IOMMU_DESTROY _IO(TVK_IOMMUFD_TYPE, 0x80)

/* IOMMU_IOAS_ALLOC: _IO(IOMMUFD_TYPE, 0x81) */
struct tvk_iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};
#define TVK_IOMMU_IOAS_ALLOC _IO(TVK_IOMMUFD_TYPE, 0x81)

#endif /* TVK_CDEV_H */

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The group/container backend of the device layer: one VFIO container per
 * IOMMU context, opened with its first device; one group fd per IOMMU
 * group, shared by the devices of that group and closed with the last of
 * them; device fds from VFIO_GROUP_GET_DEVICE_FD with the token in the
 * name string ("vfio/pci: Introduce VF token").
 *
 * The type1 IOMMU is set on the container when its first group attaches,
 * and the kernel drops it, with every DMA map, when the last group leaves
 * (drivers/vfio/container.c): DMA is ready exactly while a group is
 * attached.
 */

#include <errno.h>
#include <string.h>

#include "vft_private.h"
#include "vftoken.h"

struct vft_iommu_group *
vft_group_slot_find(struct vft_iommu *io, int id)
{
	unsigned int i;

	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++)
		if (io->groups[i].refs > 0 && io->groups[i].group.id == id)
			return &io->groups[i];
	return NULL;
}

static struct vft_iommu_group *
vft_group_free_slot(struct vft_iommu *io)
{
	unsigned int i;

	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++)
		if (io->groups[i].refs == 0)
			return &io->groups[i];
	return NULL;
}

struct vft_iommu_group *
vft_group_slot_take(struct vft_iommu *io, int id, int fd)
{
	struct vft_iommu_group *ig;

	if (fd < 0) {
		ig = vft_group_slot_find(io, id);
		if (ig != NULL)
			ig->refs++;
		return ig;
	}
	ig = vft_group_free_slot(io);
	if (ig == NULL) {
		vft_os->close(fd);
		return NULL;
	}
	ig->group.fd = fd;
	ig->group.id = id;
	ig->group.container = &io->container;
	ig->refs = 1;
	io->container.n_groups++;
	return ig;
}

static unsigned int
vft_group_count(const struct vft_iommu *io)
{
	unsigned int i, n = 0;

	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++)
		n += io->groups[i].refs > 0;
	return n;
}

/* Close the container once no group holds it. */
static void
vft_group_backend_close(struct vft_iommu *io)
{
	if (vft_group_count(io) == 0)
		vft_container_close(&io->container);
}

/* Take a reference on the group @p id, opening container and group. */
static struct vft_iommu_group *
vft_group_get(struct vft_iommu *io, const struct vft_sys *sys, int id,
	      enum vft_step *step, struct vft_err *err)
{
	struct vft_iommu_group *ig = vft_group_slot_find(io, id);
	int ret;

	if (ig != NULL) {
		ig->refs++;
		return ig;
	}
	ig = vft_group_free_slot(io);
	if (ig == NULL) {
		*step = VFT_STEP_GROUP_OPEN;
		vft_err_set(err, -ENOSPC,
			    "IOMMU group %d: this context holds %d groups "
			    "already, its most",
			    id, VFT_IOMMU_MAX_GROUPS);
		return NULL;
	}
	if (io->container.fd < 0) {
		*step = VFT_STEP_CONTAINER;
		ret = vft_container_open(&io->container, err);
		if (ret < 0)
			return NULL;
	}
	ret = vft_group_open_step(&io->container, id, &ig->group, sys, err,
				  step);
	if (ret < 0) {
		vft_group_backend_close(io);
		return NULL;
	}
	ig->refs = 1;
	return ig;
}

static void
vft_group_put(struct vft_iommu *io, struct vft_iommu_group *ig)
{
	if (ig == NULL || ig->refs == 0 || --ig->refs > 0)
		return;
	vft_group_close(&ig->group);
	vft_group_backend_close(io);
	/* The container lost its IOMMU and every DMA map with this group. */
	if (!io->container.iommu_set)
		io->dma_mapped = false;
}

static struct vft_iommu_group *
vft_group_of(struct vft_iommu *io, const struct vft_device *d)
{
	unsigned int i;

	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++)
		if (d->group == &io->groups[i].group)
			return &io->groups[i];
	return NULL;
}

static int
vft_group_backend_open(struct vft_iommu *io, const struct vft_sys *sys,
		       const struct vft_pci_dev *dev,
		       const struct vft_token *tok, struct vft_device *d,
		       enum vft_step *step, struct vft_err *err)
{
	struct vft_iommu_group *ig;
	bool fresh;
	int ret;

	pthread_mutex_lock(&io->lock);
	ig = vft_group_get(io, sys, dev->iommu_group, step, err);
	/* The group file opened with this device: see
	 * vft_device_kernel_reset(). */
	fresh = ig != NULL && ig->refs == 1;
	pthread_mutex_unlock(&io->lock);
	if (ig == NULL)
		return err->code < 0 ? err->code : -EIO;
	/* The kernel's open, and its reset of the function, run outside the
	 * lock: the slot stays ours while we hold a reference. */
	ret = vft_device_open_step(&ig->group, &dev->addr, tok, d, err, step);
	if (ret < 0) {
		pthread_mutex_lock(&io->lock);
		vft_group_put(io, ig);
		pthread_mutex_unlock(&io->lock);
		return ret;
	}
	vft_device_kernel_reset(d, fresh);
	return 0;
}

static void
vft_group_backend_close_device(struct vft_iommu *io, struct vft_device *d)
{
	vft_group_put(io, vft_group_of(io, d));
}

static int
vft_group_backend_reopen(struct vft_device *d)
{
	struct vft_device probe;
	int ret;

	if (d->group == NULL || d->group->fd < 0)
		return -ENODEV;
	ret = vft_device_open(d->group, &d->addr, NULL, &probe, NULL);
	if (ret == 0)
		vft_device_close(&probe);
	return ret;
}

static bool
vft_group_backend_dma_ready(const struct vft_iommu *io)
{
	return io->container.fd >= 0 && io->container.iommu_set;
}

static int
vft_group_backend_dma_map(struct vft_iommu *io, uint64_t vaddr, uint64_t iova,
			  uint64_t len, struct vft_err *err)
{
	return vft_dma_map(&io->container, vaddr, iova, len, err);
}

static int
vft_group_backend_dma_unmap(struct vft_iommu *io, uint64_t iova, uint64_t len,
			    struct vft_err *err)
{
	return vft_dma_unmap(&io->container, iova, len, err);
}

const struct vft_backend vft_backend_group = {
	.name = "group",
	.open_device = vft_group_backend_open,
	.close_device = vft_group_backend_close_device,
	.reopen_probe = vft_group_backend_reopen,
	.dma_ready = vft_group_backend_dma_ready,
	.dma_map = vft_group_backend_dma_map,
	.dma_unmap = vft_group_backend_dma_unmap,
	.close = vft_group_backend_close,
};

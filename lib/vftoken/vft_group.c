/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The group path's primitives (the legacy VFIO API): container, group,
 * a device fd from its group with or without a VF token, and type1 DMA
 * maps. The group backend (vft_backend_group.c) is built on them; callers
 * outside the library use the device layer (vft_device.c).
 *
 * Each failure path closes what that call had opened, and messages name
 * the device, group and ioctl, never a token.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vft_private.h"
#include "vftoken.h"

#define VFT_VFIO_CONTAINER_PATH "/dev/vfio/vfio"
#define VFT_VFIO_GROUP_FMT "/dev/vfio/%d"

/* ------------------------------------------------------------------------ */
/* Container                                                                */
/* ------------------------------------------------------------------------ */

static void
vft_container_reset(struct vft_container *c)
{
	c->fd = -1;
	c->n_groups = 0;
	c->iommu_set = false;
}

int
vft_container_open(struct vft_container *c, struct vft_err *err)
{
	int fd, ret;

	if (c == NULL)
		return vft_err_set(err, -EINVAL, "container: NULL argument");
	vft_container_reset(c);

	fd = vft_os->open(VFT_VFIO_CONTAINER_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = vft_os_errno();
		return vft_err_set(err, ret, "cannot open %s: %s",
				   VFT_VFIO_CONTAINER_PATH, strerror(-ret));
	}

	/* The container API has been version 0 since Linux 3.6. */
	ret = vft_os->ioctl(fd, VFIO_GET_API_VERSION, 0);
	if (ret != VFIO_API_VERSION) {
		if (ret < 0)
			ret = vft_os_errno();
		else
			ret = -EPROTO;
		vft_os->close(fd);
		return vft_err_set(err, ret,
				   "VFIO_GET_API_VERSION on %s: expected %d, "
				   "got %s",
				   VFT_VFIO_CONTAINER_PATH, VFIO_API_VERSION,
				   ret == -EPROTO ? "another version"
						  : strerror(-ret));
	}

	/* CHECK_EXTENSION returns 1 when the IOMMU type is supported. */
	ret = vft_os->ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	if (ret <= 0) {
		ret = ret < 0 ? vft_os_errno() : -ENOTSUP;
		vft_os->close(fd);
		return vft_err_set(err, ret,
				   "VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU) "
				   "on %s: %s",
				   VFT_VFIO_CONTAINER_PATH,
				   ret == -ENOTSUP ? "not supported by this "
						     "kernel (no type1 IOMMU "
						     "driver?)"
						   : strerror(-ret));
	}

	c->fd = fd;
	return 0;
}

void
vft_container_close(struct vft_container *c)
{
	if (c == NULL)
		return;
	vft_os_close_fd(&c->fd);
	vft_container_reset(c);
}

/* ------------------------------------------------------------------------ */
/* Group                                                                    */
/* ------------------------------------------------------------------------ */

static void
vft_group_reset(struct vft_group *g)
{
	g->fd = -1;
	g->id = -1;
	g->container = NULL;
}

int
vft_group_open_step(struct vft_container *c, int group_id, struct vft_group *g,
		    const struct vft_sys *sys, struct vft_err *err,
		    enum vft_step *step)
{
	struct vfio_group_status status;
	char path[64];
	int fd, ret;

	vft_step_set(step, VFT_STEP_GROUP_OPEN);
	if (g == NULL)
		return vft_err_set(err, -EINVAL, "group: NULL argument");
	vft_group_reset(g);
	if (c == NULL || c->fd < 0)
		return vft_err_set(err, -EBADF,
				   "group %d: the container is not open",
				   group_id);
	if (group_id < 0)
		return vft_err_set(err, -EINVAL,
				   "IOMMU group %d: expected a number >= 0",
				   group_id);

	snprintf(path, sizeof(path), VFT_VFIO_GROUP_FMT, group_id);
	fd = vft_os->open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = vft_os_errno();
		return vft_err_set(err, ret,
				   "cannot open %s (IOMMU group %d): %s", path,
				   group_id, strerror(-ret));
	}

	vft_step_set(step, VFT_STEP_GROUP_ATTACH);
	memset(&status, 0, sizeof(status));
	status.argsz = sizeof(status);
	if (vft_os->ioctl(fd, VFIO_GROUP_GET_STATUS, (uintptr_t)&status) < 0) {
		ret = vft_os_errno();
		vft_os->close(fd);
		return vft_err_set(err, ret,
				   "VFIO_GROUP_GET_STATUS on group %d: %s",
				   group_id, strerror(-ret));
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		char list[384];

		vft_os->close(fd);
		vft_step_set(step, VFT_STEP_GROUP_VIABLE);
		vft_iommu_group_describe(sys, group_id, false, list,
					 sizeof(list));
		return vft_err_set(
			err, -EPERM,
			"IOMMU group %d is not viable: every function "
			"in it must be bound to vfio-pci or to no "
			"driver; members: %s",
			group_id, list);
	}

	if (vft_os->ioctl(fd, VFIO_GROUP_SET_CONTAINER, (uintptr_t)&c->fd) <
	    0) {
		ret = vft_os_errno();
		vft_os->close(fd);
		return vft_err_set(err, ret,
				   "VFIO_GROUP_SET_CONTAINER on group %d: %s",
				   group_id, strerror(-ret));
	}

	/* The IOMMU model is chosen once a container holds its first group. */
	if (!c->iommu_set) {
		if (vft_os->ioctl(c->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) <
		    0) {
			ret = vft_os_errno();
			vft_os->ioctl(fd, VFIO_GROUP_UNSET_CONTAINER, 0);
			vft_os->close(fd);
			return vft_err_set(err, ret,
					   "VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU) "
					   "with group %d: %s",
					   group_id, strerror(-ret));
		}
		c->iommu_set = true;
	}

	c->n_groups++;
	g->fd = fd;
	g->id = group_id;
	g->container = c;
	return 0;
}

int
vft_group_open(struct vft_container *c, int group_id, struct vft_group *g,
	       const struct vft_sys *sys, struct vft_err *err)
{
	return vft_group_open_step(c, group_id, g, sys, err, NULL);
}

void
vft_group_close(struct vft_group *g)
{
	struct vft_container *c;

	if (g == NULL)
		return;
	c = g->container;
	if (g->fd >= 0) {
		vft_os->ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, 0);
		vft_os_close_fd(&g->fd);
		/* The kernel drops the IOMMU model with the last group. */
		if (c != NULL && c->n_groups > 0 && --c->n_groups == 0)
			c->iommu_set = false;
	}
	vft_group_reset(g);
}

/* ------------------------------------------------------------------------ */
/* A device fd from its group                                               */
/* ------------------------------------------------------------------------ */

/*
 * The kernel's VFIO_GROUP_GET_DEVICE_FD schema (vfio/pci: Introduce VF
 * token): "$DEVICE_NAME $OPTION=$VALUE ...", the name first, one space,
 * then vf_token=<36-character UUID>.
 */
int
vft_device_name(const struct vft_pci_addr *addr, const struct vft_token *tok,
		char *buf, size_t len)
{
	char name[VFT_PCI_ADDR_LEN];
	int n;

	if (addr == NULL || buf == NULL)
		return -EINVAL;
	vft_pci_addr_format(addr, name);
	if (tok == NULL || !vft_token_present(tok)) {
		n = snprintf(buf, len, "%s", name);
	} else {
		char uuid[VFT_UUID_STR_LEN + 1];

		vft_uuid_format(&tok->uuid, uuid);
		n = snprintf(buf, len, "%s vf_token=%s", name, uuid);
		vft_wipe(uuid, sizeof(uuid));
	}
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			vft_wipe(buf, len);
		return -ENAMETOOLONG;
	}
	return n;
}

int
vft_device_open_step(struct vft_group *g, const struct vft_pci_addr *addr,
		     const struct vft_token *tok, struct vft_device *d,
		     struct vft_err *err, enum vft_step *step)
{
	char dname[VFT_PCI_ADDR_LEN];
	char arg[VFT_DEVICE_NAME_LEN];
	unsigned int tries = 0;
	const char *with;
	int fd, ret;

	vft_step_set(step, VFT_STEP_DEVICE_OPEN);
	if (d == NULL || addr == NULL)
		return vft_err_set(err, -EINVAL, "device: NULL argument");
	vft_device_state_clear(d);
	vft_pci_addr_format(addr, dname);
	if (g == NULL || g->fd < 0)
		return vft_err_set(err, -EBADF, "%s: its group is not open",
				   dname);

	with = tok != NULL && vft_token_present(tok) ? " with a vf_token"
						     : " without a vf_token";
	ret = vft_device_name(addr, tok, arg, sizeof(arg));
	if (ret < 0)
		return vft_err_set(err, ret, "%s: device name too long", dname);
	do {
		fd = vft_os->ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD,
				   (uintptr_t)arg);
		ret = fd < 0 ? vft_os_errno() : 0;
	} while (fd < 0 && vft_open_again(ret, &tries));
	/* The argument held the token: wipe it before anything else. */
	vft_wipe(arg, sizeof(arg));
	if (fd < 0)
		return vft_err_set(err, ret,
				   "VFIO_GROUP_GET_DEVICE_FD for %s%s on IOMMU "
				   "group %d: %s%s",
				   dname, with, g->id, strerror(-ret),
				   vft_open_again_why(ret));

	ret = vft_device_adopt_fd(d, fd, addr, err, step);
	if (ret < 0)
		return ret;
	d->group = g;
	return 0;
}

int
vft_device_open(struct vft_group *g, const struct vft_pci_addr *addr,
		const struct vft_token *tok, struct vft_device *d,
		struct vft_err *err)
{
	return vft_device_open_step(g, addr, tok, d, err, NULL);
}

/* ------------------------------------------------------------------------ */
/* DMA                                                                      */
/* ------------------------------------------------------------------------ */

static int
vft_dma_check(const struct vft_container *c, struct vft_err *err)
{
	if (c == NULL || c->fd < 0)
		return vft_err_set(err, -EBADF,
				   "DMA: the container is not "
				   "open");
	if (!c->iommu_set)
		return vft_err_set(err, -EINVAL,
				   "DMA: the container has no IOMMU model yet "
				   "(open a group first)");
	return 0;
}

int
vft_dma_map(struct vft_container *c, uint64_t vaddr, uint64_t iova,
	    uint64_t len, struct vft_err *err)
{
	struct vfio_iommu_type1_dma_map map;
	int ret;

	ret = vft_dma_check(c, err);
	if (ret < 0)
		return ret;
	if (len == 0)
		return vft_err_set(err, -EINVAL,
				   "DMA map at iova 0x%llx: length 0",
				   (unsigned long long)iova);
	memset(&map, 0, sizeof(map));
	map.argsz = sizeof(map);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = vaddr;
	map.iova = iova;
	map.size = len;
	if (vft_os->ioctl(c->fd, VFIO_IOMMU_MAP_DMA, (uintptr_t)&map) < 0) {
		ret = vft_os_errno();
		return vft_err_set(err, ret,
				   "VFIO_IOMMU_MAP_DMA of 0x%llx bytes at iova "
				   "0x%llx (vaddr 0x%llx): %s",
				   (unsigned long long)len,
				   (unsigned long long)iova,
				   (unsigned long long)vaddr, strerror(-ret));
	}
	return 0;
}

int
vft_dma_unmap(struct vft_container *c, uint64_t iova, uint64_t len,
	      struct vft_err *err)
{
	struct vfio_iommu_type1_dma_unmap unmap;
	int ret;

	ret = vft_dma_check(c, err);
	if (ret < 0)
		return ret;
	memset(&unmap, 0, sizeof(unmap));
	unmap.argsz = sizeof(unmap);
	unmap.iova = iova;
	unmap.size = len;
	if (vft_os->ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap) < 0) {
		ret = vft_os_errno();
		return vft_err_set(err, ret,
				   "VFIO_IOMMU_UNMAP_DMA of 0x%llx bytes at "
				   "iova 0x%llx: %s",
				   (unsigned long long)len,
				   (unsigned long long)iova, strerror(-ret));
	}
	return 0;
}

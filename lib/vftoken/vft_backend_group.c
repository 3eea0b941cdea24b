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
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <linux/vfio.h>

#include "vft_broker.h"
#include "vft_private.h"
#include "vftoken.h"

/* Most IOMMU groups one context holds open at a time. */
#define VFT_IOMMU_MAX_GROUPS 64

/* A group of a context and the number of its devices open. */
struct vft_iommu_group {
	struct vft_group group;
	unsigned int refs;
	/* broker: the group is the client's (sent by it, or sent to it) */
	bool client;
	/* broker: the fd is a copy of the client's, closed without ioctl */
	bool copy;
};

/* The group path's state of a context (io->state): may_alias, as it
 * lives in storage declared as another type (vftoken.h). */
struct __attribute__((may_alias)) vft_group_state {
	struct vft_container container;
	/* broker: the copy of the client's container, -1 if none */
	int ctx_copy;
	/* broker: the client holds the container (sent it, or was sent it) */
	bool ctx_client;
	struct vft_iommu_group groups[VFT_IOMMU_MAX_GROUPS];
};

_Static_assert(sizeof(struct vft_group_state) <= VFT_IOMMU_STATE_SIZE,
	       "the group path's state fits the context's area");
_Static_assert(_Alignof(struct vft_group_state) <= sizeof(void *),
	       "the group path's state is aligned in the context's area");

static struct vft_group_state *
vft_gs(struct vft_iommu *io)
{
	return (struct vft_group_state *)(void *)&io->state;
}

static const struct vft_group_state *
vft_gs_const(const struct vft_iommu *io)
{
	return (const struct vft_group_state *)(const void *)&io->state;
}

const struct vft_container *
vft_group_container(const struct vft_iommu *io)
{
	if (io == NULL || io->be != &vft_backend_group)
		return NULL;
	return &vft_gs_const(io)->container;
}

/* The legacy container exists and the function has an IOMMU group. */
static bool
vft_group_backend_available(const struct vft_sys *sys,
			    const struct vft_pci_dev *dev)
{
	(void)sys;
	return dev->iommu_group >= 0 &&
	       vft_os->access("/dev/vfio/vfio", F_OK) == 0;
}

static void
vft_group_backend_init(struct vft_iommu *io)
{
	struct vft_group_state *gs = vft_gs(io);
	unsigned int i;

	memset(gs, 0, sizeof(*gs));
	gs->container.fd = -1;
	gs->ctx_copy = -1;
	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++) {
		gs->groups[i].group.fd = -1;
		gs->groups[i].group.id = -1;
	}
}

static struct vft_iommu_group *
vft_group_slot_find(struct vft_iommu *io, int id)
{
	struct vft_group_state *gs = vft_gs(io);
	unsigned int i;

	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++)
		if (gs->groups[i].refs > 0 && gs->groups[i].group.id == id)
			return &gs->groups[i];
	return NULL;
}

static struct vft_iommu_group *
vft_group_free_slot(struct vft_iommu *io)
{
	struct vft_group_state *gs = vft_gs(io);
	unsigned int i;

	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++)
		if (gs->groups[i].refs == 0)
			return &gs->groups[i];
	return NULL;
}

/*
 * Take a reference on group @p id for a device opened elsewhere (the
 * broker): @p fd is the group's fd when it is new to the context (taken,
 * closed on failure), -1 when the context holds it.
 * @return the slot, or NULL (no free slot, or @p id not held).
 */
static struct vft_iommu_group *
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
	ig->group.container = &vft_gs(io)->container;
	ig->refs = 1;
	ig->client = false;
	ig->copy = false;
	vft_gs(io)->container.n_groups++;
	return ig;
}

static unsigned int
vft_group_count(const struct vft_iommu *io)
{
	const struct vft_group_state *gs = vft_gs_const(io);
	unsigned int i, n = 0;

	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++)
		n += gs->groups[i].refs > 0;
	return n;
}

/* Close the container once no group holds it. */
static void
vft_group_backend_close(struct vft_iommu *io)
{
	if (vft_group_count(io) == 0)
		vft_container_close(&vft_gs(io)->container);
}

/* Take a reference on the group @p id, opening container and group. */
static struct vft_iommu_group *
vft_group_get(struct vft_iommu *io, const struct vft_sys *sys, int id,
	      enum vft_step *step, struct vft_err *err)
{
	struct vft_iommu_group *ig = vft_group_slot_find(io, id);
	struct vft_container *c = &vft_gs(io)->container;
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
	if (c->fd < 0) {
		*step = VFT_STEP_CONTAINER;
		ret = vft_container_open(c, err);
		if (ret < 0)
			return NULL;
	}
	ret = vft_group_open_step(c, id, &ig->group, sys, err, step);
	if (ret < 0) {
		vft_group_backend_close(io);
		return NULL;
	}
	ig->refs = 1;
	ig->client = false;
	ig->copy = false;
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
	if (!vft_gs(io)->container.iommu_set)
		io->dma_mapped = false;
}

static struct vft_iommu_group *
vft_group_of(struct vft_iommu *io, const struct vft_device *d)
{
	struct vft_group_state *gs = vft_gs(io);
	unsigned int i;

	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++)
		if (d->group == &gs->groups[i].group)
			return &gs->groups[i];
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
	const struct vft_container *c = &vft_gs_const(io)->container;

	return c->fd >= 0 && c->iommu_set;
}

static int
vft_group_backend_dma_map(struct vft_iommu *io, uint64_t vaddr, uint64_t iova,
			  uint64_t len, struct vft_err *err)
{
	return vft_dma_map(&vft_gs(io)->container, vaddr, iova, len, err);
}

static int
vft_group_backend_dma_unmap(struct vft_iommu *io, uint64_t iova, uint64_t len,
			    struct vft_err *err)
{
	return vft_dma_unmap(&vft_gs(io)->container, iova, len, err);
}

/* ---- hand-over through the broker, the client's side ------------------ */

static bool
vft_group_backend_has_ctx(const struct vft_iommu *io)
{
	return vft_gs_const(io)->container.fd >= 0;
}

/* The container (a copy of it without @p dev) and, with @p dev, the
 * function's group when the context holds it. */
static int
vft_group_backend_export_ctx(struct vft_iommu *io,
			     const struct vft_pci_dev *dev,
			     struct vft_handover *h, struct vft_err *err)
{
	struct vft_group_state *gs = vft_gs(io);
	struct vft_iommu_group *ig;
	int fd = gs->container.fd;

	if (fd < 0)
		return 0;
	if (dev == NULL && (fd = vft_os->dupfd(fd)) < 0) {
		int ret = vft_os_errno();

		return vft_err_set(err, ret,
				   "cannot copy the context's container for "
				   "the broker: %s",
				   strerror(-ret));
	}
	h->flags |= VFT_BROKER_HAVE_CTX;
	if (gs->container.iommu_set)
		h->flags |= VFT_BROKER_IOMMU_SET;
	h->fds[h->nfds++] = fd;
	if (dev == NULL)
		return 0;
	ig = vft_group_slot_find(io, dev->iommu_group);
	if (ig != NULL) {
		h->flags |= VFT_BROKER_HAVE_GROUP;
		h->group_id = ig->group.id;
		h->fds[h->nfds++] = ig->group.fd;
	}
	return 0;
}

static int
vft_group_backend_import_reply(struct vft_iommu *io,
			       const struct vft_handover *h,
			       struct vft_device *d, const char *name,
			       struct vft_err *err)
{
	struct vft_group_state *gs = vft_gs(io);
	struct vft_iommu_group *ig;
	unsigned int i = 0;
	int group = -1;

	if (h->flags & VFT_BROKER_FD_CTX) {
		/* The broker attached the group: the container has its
		 * IOMMU now. */
		gs->container.fd = h->fds[i++];
		gs->container.iommu_set = true;
		gs->container.n_groups = 0;
	}
	if (h->flags & VFT_BROKER_FD_GROUP)
		group = h->fds[i];
	ig = vft_group_slot_take(io, h->group_id, group);
	if (ig == NULL) {
		if (gs->container.n_groups == 0)
			vft_container_close(&gs->container);
		return vft_err_set(err, -ENOSPC,
				   "IOMMU group %d of %s: no free group slot "
				   "or not held by this context",
				   h->group_id, name);
	}
	d->group = &ig->group;
	return 0;
}

/* ---- hand-over through the broker, the broker's side ------------------ */

/* A proven group fd is vfio's: its status is the kernel's answer. */
static int
vft_group_client_viable(int fd, int id, struct vft_err *err)
{
	struct vfio_group_status status;

	memset(&status, 0, sizeof(status));
	status.argsz = sizeof(status);
	if (vft_os->ioctl(fd, VFIO_GROUP_GET_STATUS, (uintptr_t)&status) < 0) {
		int ret = vft_os_errno();

		return vft_err_set(err, ret,
				   "VFIO_GROUP_GET_STATUS on the client's "
				   "group %d: %s",
				   id, strerror(-ret));
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return vft_err_set(err, -EPERM,
				   "the client's IOMMU group %d is not viable",
				   id);
	return 0;
}

static int
vft_group_backend_prove_client(const struct vft_handover *h,
			       struct vft_err *err)
{
	unsigned int i = 0;
	char node[32];
	int ret = 0;

	if (h->flags & VFT_BROKER_HAVE_CTX)
		ret = vft_fd_is_node(h->fds[i++], "/dev/vfio/vfio",
				     "the client's container", err);
	if (ret < 0 || !(h->flags & VFT_BROKER_HAVE_GROUP))
		return ret;
	snprintf(node, sizeof(node), "/dev/vfio/%d", h->group_id);
	ret = vft_fd_is_node(h->fds[i], node, "the client's group fd", err);
	return ret < 0 ? ret
		       : vft_group_client_viable(h->fds[i], h->group_id, err);
}

/* The client's container (and group) as copies: whatever the device
 * layer closes on a failed open is never the caller's fd. */
static int
vft_group_backend_import_client(struct vft_iommu *io,
				const struct vft_handover *h,
				struct vft_err *err)
{
	struct vft_group_state *gs = vft_gs(io);
	bool has_group = (h->flags & VFT_BROKER_HAVE_GROUP) != 0;
	struct vft_iommu_group *ig;
	int ctx, group = -1;

	if (!(h->flags & VFT_BROKER_HAVE_CTX))
		return 0;
	ctx = vft_os->dupfd(h->fds[0]);
	if (ctx >= 0 && has_group)
		group = vft_os->dupfd(h->fds[1]);
	if (ctx < 0 || (has_group && group < 0)) {
		int ret = vft_os_errno();

		vft_os_close_fd(&ctx);
		return vft_err_set(err, ret, "cannot copy the client's fds: %s",
				   strerror(-ret));
	}
	gs->container.fd = ctx;
	gs->container.iommu_set = (h->flags & VFT_BROKER_IOMMU_SET) != 0;
	gs->container.n_groups = gs->container.iommu_set ? 1 : 0;
	gs->ctx_copy = ctx;
	gs->ctx_client = true;
	if (group < 0)
		return 0;
	ig = vft_group_free_slot(io);
	ig->group.fd = group;
	ig->group.id = h->group_id;
	ig->group.container = &gs->container;
	ig->refs = 1;
	ig->client = true;
	ig->copy = true;
	return 0;
}

/* The fd VFIO_GROUP_GET_DEVICE_FD returned on a proven group is the
 * kernel's; the check stays as a second line: a device fd of the group
 * path is an anonymous inode named "[vfio-device]" (vfio_group_ioctl_
 * get_device_fd(), drivers/vfio/group.c). */
static int
vft_group_backend_check_device(const struct vft_device *d, struct vft_err *err)
{
	static const char want[] = "anon_inode:[vfio-device]";
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", d->fd);
	n = vft_os->readlink(path, link, sizeof(link) - 1);
	if (n == (ssize_t)sizeof(want) - 1 && memcmp(link, want, n) == 0)
		return 0;
	return vft_err_set(err, -EBADF,
			   "the group returned fd %d, which is not a new VFIO "
			   "device fd: refused",
			   d->fd);
}

/*
 * The container with the client's first reply (unless it sent it), a
 * group's fd with the first reply of that group (unless it is the one the
 * client sent: a client that sent another group's fd gets the device's
 * own group too, so nothing the open made stays here unsent).
 */
static void
vft_group_backend_export_reply(struct vft_iommu *io, const struct vft_device *d,
			       struct vft_handover *h)
{
	struct vft_group_state *gs = vft_gs(io);
	struct vft_iommu_group *ig = vft_group_of(io, d);

	h->group_id = d->group != NULL ? d->group->id : -1;
	if (!gs->ctx_client) {
		h->fds[h->nfds++] = gs->container.fd;
		h->flags |= VFT_BROKER_FD_CTX;
		gs->ctx_client = true;
	}
	if (ig != NULL && !ig->client) {
		h->fds[h->nfds++] = ig->group.fd;
		h->flags |= VFT_BROKER_FD_GROUP;
		ig->client = true;
	}
}

/* Never vft_group_close() here: it would unset the group's container, the
 * client's. */
static void
vft_group_backend_forget_client(struct vft_iommu *io, bool sent)
{
	struct vft_group_state *gs = vft_gs(io);
	unsigned int i;

	if (gs->ctx_copy >= 0 && gs->container.fd == gs->ctx_copy)
		vft_os_close_fd(&gs->container.fd);
	gs->ctx_copy = -1;
	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++) {
		struct vft_iommu_group *ig = &gs->groups[i];

		if (ig->copy || sent) {
			if (ig->copy)
				vft_os_close_fd(&ig->group.fd);
			ig->group.fd = -1;
			ig->refs = 0;
			ig->copy = false;
		}
	}
	if (sent)
		gs->container.fd = -1;
}

const struct vft_backend vft_backend_group = {
	.name = "group",
	.available = vft_group_backend_available,
	.init = vft_group_backend_init,
	.open_device = vft_group_backend_open,
	.close_device = vft_group_backend_close_device,
	.reopen_probe = vft_group_backend_reopen,
	.dma_ready = vft_group_backend_dma_ready,
	.dma_map = vft_group_backend_dma_map,
	.dma_unmap = vft_group_backend_dma_unmap,
	.close = vft_group_backend_close,
	.has_ctx = vft_group_backend_has_ctx,
	.export_ctx = vft_group_backend_export_ctx,
	.import_reply = vft_group_backend_import_reply,
	.prove_client = vft_group_backend_prove_client,
	.import_client = vft_group_backend_import_client,
	.check_device = vft_group_backend_check_device,
	.export_reply = vft_group_backend_export_reply,
	.forget_client = vft_group_backend_forget_client,
};

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The vfio cdev + iommufd backend of the device layer: one /dev/iommu fd
 * and one IOAS per IOMMU context, opened with its first device; each
 * device is its own character device /dev/vfio/devices/vfioN, bound to the
 * iommufd (with the VF token since Linux 6.17: VFIO_DEVICE_BIND_FLAG_TOKEN
 * and token_uuid_ptr, drivers/vfio/device_cdev.c vfio_df_check_token())
 * and attached to the IOAS. DMA maps live in the IOAS for as long as the
 * context does.
 *
 * Debian 12's uapi headers (Linux 6.1) predate iommufd and the token flag:
 * the ioctl numbers and layouts below are those of include/uapi/linux/
 * vfio.h and iommufd.h of Linux 6.17+, checked by size.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

#include "vft_broker.h"
#include "vft_private.h"
#include "vftoken.h"

#define VFT_IOMMUFD_PATH "/dev/iommu"
#define VFT_CDEV_FMT "/dev/vfio/devices/vfio%d"

/* include/uapi/linux/vfio.h */
struct vft_vfio_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
	uint64_t token_uuid_ptr; /* 6.17+, with VFT_BIND_FLAG_TOKEN */
};
#define VFT_BIND_FLAG_TOKEN (1u << 0)
#define VFT_VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)

struct vft_vfio_attach_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
	uint32_t pasid;
};
#define VFT_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

/* include/uapi/linux/iommufd.h */
#define VFT_IOMMUFD_TYPE ';'
struct vft_iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};
#define VFT_IOMMU_IOAS_ALLOC _IO(VFT_IOMMUFD_TYPE, 0x81)

struct vft_iommu_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	uint64_t user_va;
	uint64_t length;
	uint64_t iova;
};
#define VFT_IOAS_MAP_FIXED_IOVA (1u << 0)
#define VFT_IOAS_MAP_WRITEABLE (1u << 1)
#define VFT_IOAS_MAP_READABLE (1u << 2)
#define VFT_IOMMU_IOAS_MAP _IO(VFT_IOMMUFD_TYPE, 0x85)

struct vft_iommu_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length;
};
#define VFT_IOMMU_IOAS_UNMAP _IO(VFT_IOMMUFD_TYPE, 0x86)

_Static_assert(sizeof(struct vft_vfio_bind_iommufd) == 24, "bind layout");
_Static_assert(sizeof(struct vft_vfio_attach_pt) == 16, "attach layout");
_Static_assert(sizeof(struct vft_iommu_ioas_alloc) == 12, "alloc layout");
_Static_assert(sizeof(struct vft_iommu_ioas_map) == 40, "map layout");
_Static_assert(sizeof(struct vft_iommu_ioas_unmap) == 24, "unmap layout");

/* The cdev path's state of a context (io->state): may_alias, as it
 * lives in storage declared as another type (vftoken.h). */
struct __attribute__((may_alias)) vft_cdev_state {
	int iommufd;	  /* /dev/iommu, -1 when closed */
	uint32_t ioas_id; /* the IOAS devices attach to */
	/* broker: the copy of the client's iommufd, -1 if none */
	int ctx_copy;
	/* broker: the client holds the iommufd (sent it, or was sent it) */
	bool ctx_client;
};

_Static_assert(sizeof(struct vft_cdev_state) <= VFT_IOMMU_STATE_SIZE,
	       "the cdev path's state fits the context's area");

static struct vft_cdev_state *
vft_cs(struct vft_iommu *io)
{
	return (struct vft_cdev_state *)(void *)&io->state;
}

static const struct vft_cdev_state *
vft_cs_const(const struct vft_iommu *io)
{
	return (const struct vft_cdev_state *)(const void *)&io->state;
}

/* /dev/iommu exists and the function has its vfio cdev. */
static bool
vft_cdev_backend_available(const struct vft_sys *sys,
			   const struct vft_pci_dev *dev)
{
	return vft_pci_vfio_cdev(sys, &dev->addr) >= 0 &&
	       vft_os->access(VFT_IOMMUFD_PATH, F_OK) == 0;
}

static void
vft_cdev_backend_init(struct vft_iommu *io)
{
	struct vft_cdev_state *cs = vft_cs(io);

	memset(cs, 0, sizeof(*cs));
	cs->iommufd = -1;
	cs->ctx_copy = -1;
}

/* Open /dev/iommu and allocate the context's IOAS, once. */
static int
vft_cdev_iommufd_get(struct vft_iommu *io, struct vft_err *err)
{
	struct vft_cdev_state *cs = vft_cs(io);
	struct vft_iommu_ioas_alloc alloc;
	int fd, ret;

	if (cs->iommufd >= 0)
		return 0;
	fd = vft_os->open(VFT_IOMMUFD_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = vft_os_errno();
		return vft_err_set(err, ret, "cannot open %s: %s",
				   VFT_IOMMUFD_PATH, strerror(-ret));
	}
	memset(&alloc, 0, sizeof(alloc));
	alloc.size = sizeof(alloc);
	if (vft_os->ioctl(fd, VFT_IOMMU_IOAS_ALLOC, (uintptr_t)&alloc) < 0) {
		ret = vft_os_errno();
		vft_os->close(fd);
		return vft_err_set(err, ret, "IOMMU_IOAS_ALLOC on %s: %s",
				   VFT_IOMMUFD_PATH, strerror(-ret));
	}
	cs->iommufd = fd;
	cs->ioas_id = alloc.out_ioas_id;
	return 0;
}

static int
vft_cdev_open_node(int n, const struct vft_pci_addr *addr, struct vft_err *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), VFT_CDEV_FMT, n);
	fd = vft_os->open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		char name[VFT_PCI_ADDR_LEN];
		int ret = vft_os_errno();

		vft_pci_addr_format(addr, name);
		return vft_err_set(err, ret, "cannot open %s (%s): %s", path,
				   name, strerror(-ret));
	}
	return fd;
}

static int
vft_cdev_find(const struct vft_sys *sys, const struct vft_pci_addr *addr,
	      struct vft_err *err)
{
	char name[VFT_PCI_ADDR_LEN];
	int n = vft_pci_vfio_cdev(sys, addr);

	if (n >= 0)
		return n;
	vft_pci_addr_format(addr, name);
	return vft_err_set(err, n, "%s has no vfio cdev (sysfs vfio-dev/): %s",
			   name, strerror(-n));
}

/*
 * VFIO_DEVICE_BIND_IOMMUFD, with the token when one is given; the kernel
 * checks it against the PF's (VF token rules, doc/guides/token_model.rst)
 * before anything else of the device opens. Tried again while vfio-pci's
 * reset finds the device locked (vft_open_again()).
 */
static int
vft_cdev_bind(int fd, int iommufd, const struct vft_token *tok)
{
	struct vft_vfio_bind_iommufd bind;
	unsigned int tries = 0;
	struct vft_uuid uuid;
	int ret;

	memset(&uuid, 0, sizeof(uuid));
	memset(&bind, 0, sizeof(bind));
	bind.argsz = sizeof(bind);
	bind.iommufd = iommufd;
	if (tok != NULL && vft_token_present(tok)) {
		uuid = tok->uuid;
		bind.flags = VFT_BIND_FLAG_TOKEN;
		bind.token_uuid_ptr = (uintptr_t)uuid.b;
	}
	do {
		ret = vft_os->ioctl(fd, VFT_VFIO_DEVICE_BIND_IOMMUFD,
				    (uintptr_t)&bind);
		ret = ret < 0 ? vft_os_errno() : 0;
	} while (ret < 0 && vft_open_again(ret, &tries));
	vft_wipe(&uuid, sizeof(uuid));
	return ret;
}

static int
vft_cdev_attach(int fd, uint32_t ioas_id)
{
	struct vft_vfio_attach_pt at;

	memset(&at, 0, sizeof(at));
	at.argsz = sizeof(at);
	at.pt_id = ioas_id;
	if (vft_os->ioctl(fd, VFT_VFIO_DEVICE_ATTACH_IOMMUFD_PT,
			  (uintptr_t)&at) < 0)
		return vft_os_errno();
	return 0;
}

/* Close the iommufd (and with it the IOAS and its maps) of an idle
 * context. */
/* With io->lock held; an open under way (n_opening) still needs it. */
static void
vft_cdev_backend_close(struct vft_iommu *io)
{
	struct vft_cdev_state *cs = vft_cs(io);

	if (io->n_devices > 0 || io->n_opening > 0 || cs->iommufd < 0)
		return;
	vft_os_close_fd(&cs->iommufd);
	cs->ioas_id = 0;
	io->dma_mapped = false;
}

static int
vft_cdev_backend_open(struct vft_iommu *io, const struct vft_sys *sys,
		      const struct vft_pci_dev *dev,
		      const struct vft_token *tok, struct vft_device *d,
		      enum vft_step *step, struct vft_err *err)
{
	char name[VFT_PCI_ADDR_LEN];
	int n, fd, ret;

	vft_pci_addr_format(&dev->addr, name);
	vft_step_set(step, VFT_STEP_CDEV_FIND);
	n = vft_cdev_find(sys, &dev->addr, err);
	if (n < 0)
		return n;
	vft_step_set(step, VFT_STEP_CDEV_OPEN);
	fd = vft_cdev_open_node(n, &dev->addr, err);
	if (fd < 0)
		return fd;
	vft_step_set(step, VFT_STEP_IOMMUFD);
	pthread_mutex_lock(&io->lock);
	ret = vft_cdev_iommufd_get(io, err);
	pthread_mutex_unlock(&io->lock);
	if (ret < 0)
		goto fail;
	/* the bind is the kernel's first open, and its reset: unlocked */
	vft_step_set(step, VFT_STEP_CDEV_BIND);
	ret = vft_cdev_bind(fd, vft_cs(io)->iommufd, tok);
	if (ret < 0) {
		vft_err_set(
			err, ret,
			"VFIO_DEVICE_BIND_IOMMUFD of %s %s a vf_token: %s%s",
			name,
			tok != NULL && vft_token_present(tok) ? "with"
							      : "without",
			strerror(-ret), vft_open_again_why(ret));
		goto fail;
	}
	vft_step_set(step, VFT_STEP_CDEV_ATTACH);
	pthread_mutex_lock(&io->lock);
	ret = vft_cdev_attach(fd, vft_cs(io)->ioas_id);
	pthread_mutex_unlock(&io->lock);
	if (ret < 0) {
		vft_err_set(
			err, ret,
			"VFIO_DEVICE_ATTACH_IOMMUFD_PT of %s to IOAS %u: %s",
			name, vft_cs(io)->ioas_id, strerror(-ret));
		goto fail;
	}
	ret = vft_device_adopt_fd(d, fd, &dev->addr, err, step);
	if (ret < 0)
		return ret; /* the context is closed with its last open */
	d->cdev = n;
	/* A bind succeeds on the first open only: vft_device_kernel_reset() */
	vft_device_kernel_reset(d, true);
	return 0;
fail:
	vft_os->close(fd);
	return ret; /* the context is closed with its last open */
}

static void
vft_cdev_backend_close_device(struct vft_iommu *io, struct vft_device *d)
{
	(void)io;
	(void)d;
	/* Closing the device fd unbinds it from the iommufd. */
}

/*
 * Bind the PF's cdev a second time, without a token: the token check comes
 * first in vfio_df_ioctl_bind_iommufd(), so a PF whose VFs are in use is
 * refused with -EACCES; otherwise the open that follows fails (the device
 * is open already, -EINVAL) or succeeds. Either way nothing stays open.
 */
static int
vft_cdev_backend_reopen(struct vft_device *d)
{
	struct vft_iommu *io = d->iommu;
	int fd, ret;

	fd = vft_cdev_open_node(d->cdev, &d->addr, NULL);
	if (fd < 0)
		return fd;
	ret = vft_cdev_bind(fd, vft_cs(io)->iommufd, NULL);
	vft_os->close(fd);
	return ret == -EACCES ? ret : 0;
}

static bool
vft_cdev_backend_dma_ready(const struct vft_iommu *io)
{
	return vft_cs_const(io)->iommufd >= 0;
}

static int
vft_cdev_backend_dma_map(struct vft_iommu *io, uint64_t vaddr, uint64_t iova,
			 uint64_t len, struct vft_err *err)
{
	struct vft_iommu_ioas_map map;

	if (len == 0)
		return vft_err_set(err, -EINVAL,
				   "DMA map at iova 0x%llx: length 0",
				   (unsigned long long)iova);
	memset(&map, 0, sizeof(map));
	map.size = sizeof(map);
	map.flags = VFT_IOAS_MAP_FIXED_IOVA | VFT_IOAS_MAP_READABLE |
		    VFT_IOAS_MAP_WRITEABLE;
	map.ioas_id = vft_cs(io)->ioas_id;
	map.user_va = vaddr;
	map.length = len;
	map.iova = iova;
	if (vft_os->ioctl(vft_cs(io)->iommufd, VFT_IOMMU_IOAS_MAP,
			  (uintptr_t)&map) < 0) {
		int ret = vft_os_errno();

		return vft_err_set(err, ret,
				   "IOMMU_IOAS_MAP of 0x%llx bytes at iova "
				   "0x%llx (vaddr 0x%llx): %s",
				   (unsigned long long)len,
				   (unsigned long long)iova,
				   (unsigned long long)vaddr, strerror(-ret));
	}
	return 0;
}

static int
vft_cdev_backend_dma_unmap(struct vft_iommu *io, uint64_t iova, uint64_t len,
			   struct vft_err *err)
{
	struct vft_iommu_ioas_unmap unmap;

	memset(&unmap, 0, sizeof(unmap));
	unmap.size = sizeof(unmap);
	unmap.ioas_id = vft_cs(io)->ioas_id;
	unmap.iova = iova;
	unmap.length = len;
	if (vft_os->ioctl(vft_cs(io)->iommufd, VFT_IOMMU_IOAS_UNMAP,
			  (uintptr_t)&unmap) < 0) {
		int ret = vft_os_errno();

		return vft_err_set(err, ret,
				   "IOMMU_IOAS_UNMAP of 0x%llx bytes at iova "
				   "0x%llx: %s",
				   (unsigned long long)len,
				   (unsigned long long)iova, strerror(-ret));
	}
	return 0;
}

/* ---- hand-over through the broker, the client's side ------------------ */

static bool
vft_cdev_backend_has_ctx(const struct vft_iommu *io)
{
	return vft_cs_const(io)->iommufd >= 0;
}

/* The iommufd (a copy of it without @p dev) and its IOAS. */
static int
vft_cdev_backend_export_ctx(struct vft_iommu *io, const struct vft_pci_dev *dev,
			    struct vft_handover *h, struct vft_err *err)
{
	struct vft_cdev_state *cs = vft_cs(io);
	int fd = cs->iommufd;

	if (fd < 0)
		return 0;
	if (dev == NULL && (fd = vft_os->dupfd(fd)) < 0) {
		int ret = vft_os_errno();

		return vft_err_set(err, ret,
				   "cannot copy the context's iommufd for the "
				   "broker: %s",
				   strerror(-ret));
	}
	h->flags |= VFT_BROKER_HAVE_CTX;
	h->ioas_id = cs->ioas_id;
	h->fds[h->nfds++] = fd;
	return 0;
}

static int
vft_cdev_backend_import_reply(struct vft_iommu *io,
			      const struct vft_handover *h,
			      struct vft_device *d, const char *name,
			      struct vft_err *err)
{
	struct vft_cdev_state *cs = vft_cs(io);

	(void)name;
	(void)err;
	if (h->flags & VFT_BROKER_FD_CTX) {
		cs->iommufd = h->fds[0];
		cs->ioas_id = h->ioas_id;
	}
	d->cdev = h->cdev;
	return 0;
}

/* ---- hand-over through the broker, the broker's side ------------------ */

static int
vft_cdev_backend_prove_client(const struct vft_handover *h, struct vft_err *err)
{
	if (h->flags & VFT_BROKER_HAVE_GROUP)
		return vft_err_set(err, -EINVAL,
				   "the client sent a group fd on the cdev "
				   "path: expected its iommufd only");
	if (!(h->flags & VFT_BROKER_HAVE_CTX))
		return 0;
	return vft_fd_is_node(h->fds[0], VFT_IOMMUFD_PATH,
			      "the client's iommufd", err);
}

/* The client's iommufd as a copy: whatever the device layer closes on a
 * failed open is never the caller's fd. */
static int
vft_cdev_backend_import_client(struct vft_iommu *io,
			       const struct vft_handover *h,
			       struct vft_err *err)
{
	struct vft_cdev_state *cs = vft_cs(io);
	int fd;

	if (!(h->flags & VFT_BROKER_HAVE_CTX))
		return 0;
	fd = vft_os->dupfd(h->fds[0]);
	if (fd < 0) {
		int ret = vft_os_errno();

		return vft_err_set(err, ret, "cannot copy the client's fds: %s",
				   strerror(-ret));
	}
	cs->iommufd = fd;
	cs->ioas_id = h->ioas_id;
	cs->ctx_copy = fd;
	cs->ctx_client = true;
	return 0;
}

/* The device fd is the one the open made of a cdev node opened here. */
static int
vft_cdev_backend_check_device(const struct vft_device *d, struct vft_err *err)
{
	(void)d;
	(void)err;
	return 0;
}

static void
vft_cdev_backend_export_reply(struct vft_iommu *io, const struct vft_device *d,
			      struct vft_handover *h)
{
	struct vft_cdev_state *cs = vft_cs(io);

	h->ioas_id = cs->ioas_id;
	h->cdev = d->cdev;
	if (!cs->ctx_client) {
		h->fds[h->nfds++] = cs->iommufd;
		h->flags |= VFT_BROKER_FD_CTX;
		cs->ctx_client = true;
	}
}

static void
vft_cdev_backend_forget_client(struct vft_iommu *io, bool sent)
{
	struct vft_cdev_state *cs = vft_cs(io);

	if (cs->ctx_copy >= 0 && cs->iommufd == cs->ctx_copy)
		vft_os_close_fd(&cs->iommufd);
	cs->ctx_copy = -1;
	if (sent)
		cs->iommufd = -1;
}

const struct vft_backend vft_backend_cdev = {
	.name = "cdev",
	.available = vft_cdev_backend_available,
	.init = vft_cdev_backend_init,
	.open_device = vft_cdev_backend_open,
	.close_device = vft_cdev_backend_close_device,
	.reopen_probe = vft_cdev_backend_reopen,
	.dma_ready = vft_cdev_backend_dma_ready,
	.dma_map = vft_cdev_backend_dma_map,
	.dma_unmap = vft_cdev_backend_dma_unmap,
	.close = vft_cdev_backend_close,
	.has_ctx = vft_cdev_backend_has_ctx,
	.export_ctx = vft_cdev_backend_export_ctx,
	.import_reply = vft_cdev_backend_import_reply,
	.prove_client = vft_cdev_backend_prove_client,
	.import_client = vft_cdev_backend_import_client,
	.check_device = vft_cdev_backend_check_device,
	.export_reply = vft_cdev_backend_export_reply,
	.forget_client = vft_cdev_backend_forget_client,
};

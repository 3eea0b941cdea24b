/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Unit tests of the VFIO layer (vft_group.c, vft_device_fd.c, the backends)
 * and of vft_open(), run against
 * a FAKE VFIO KERNEL installed through the vft_os test seam, for unit tests
 * of logic only. The fake models /dev/vfio/vfio and /dev/vfio/N fds, group
 * viability, VFIO_GROUP_GET_DEVICE_FD with the kernel's "NAME vf_token=UUID"
 * parsing and VF token rules (doc/guides/token_model.rst), regions, IRQs,
 * VFIO_DEVICE_FEATURE PCI_VF_TOKEN and DMA maps. It counts open fds and
 * live mappings so every failure path can be checked for leaks. The real
 * kernel's behaviour is checked by the conformance suite in the VM.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "fake_sysfs.h"
#include "vft_broker.h"
#include "vft_private.h"
#include "vftoken.h"

/* ------------------------------------------------------------------------ */
/* The fake VFIO kernel                                                     */
/* ------------------------------------------------------------------------ */

#define FK_FD_BASE 1000
#define FK_MAX_FDS 32
#define FK_MAX_DEVS 8
#define FK_MAX_GROUPS 16
#define FK_REGION_SHIFT 40
#define FK_BAR0_SIZE 0x20000
#define FK_CFG_SIZE 256
/* BAR2 holds the MSI-X table at 0x2000 (10 vectors, 160 bytes); BAR4 is an
 * I/O BAR the fake would (wrongly) let map. */
#define FK_BAR2_SIZE 0x4000
#define FK_MSIX_OFF 0x2000
#define FK_BAR4_SIZE 0x20
#define FK_MSIX_CAP 0x70

enum fk_kind {
	FK_FREE = 0,
	FK_CONTAINER,
	FK_GROUP,
	FK_DEVICE,
	FK_NULL,
	FK_IOMMUFD
};

/* The cdev path's uapi (include/uapi/linux/vfio.h, iommufd.h, Linux 6.17+),
 * written down again here as the fake kernel's own copy. */
struct fk_bind {
	uint32_t argsz, flags;
	int32_t iommufd;
	uint32_t out_devid;
	uint64_t token_uuid_ptr;
};
struct fk_attach {
	uint32_t argsz, flags, pt_id, pasid;
};
struct fk_ioas_alloc {
	uint32_t size, flags, out_ioas_id;
};
struct fk_ioas_map {
	uint32_t size, flags, ioas_id, reserved;
	uint64_t user_va, length, iova;
};
struct fk_ioas_unmap {
	uint32_t size, ioas_id;
	uint64_t iova, length;
};
#define FK_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#define FK_ATTACH_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define FK_IOAS_ALLOC _IO(';', 0x81)
#define FK_IOAS_MAP _IO(';', 0x85)
#define FK_IOAS_UNMAP _IO(';', 0x86)
#define FK_IOAS_ID 7

struct fk_fd {
	enum fk_kind kind;
	int group;	/* FK_GROUP: group number */
	int container;	/* FK_GROUP: container fd slot, -1 when unset */
	int dev;	/* FK_DEVICE: index in fk.devs */
	int n_groups;	/* FK_CONTAINER */
	bool iommu_set; /* FK_CONTAINER */
	bool cdev;	/* FK_DEVICE opened as /dev/vfio/devices/vfioN */
	bool bound;	/* FK_DEVICE: group fd, or cdev bound to an iommufd */
	bool counted;	/* FK_DEVICE: counts as a VF user of its PF */
};

struct fk_dev {
	const char *name;
	int group;
	bool is_vf;
	int pf;	    /* FK index of the PF, for a VF */
	bool is_pf; /* SR-IOV capable: has a VF token */
	bool vfio;  /* bound to vfio-pci */
	int users;  /* PF: open VFs */
	struct vft_uuid token;
	uint8_t cfg[FK_CFG_SIZE];
};

static struct {
	struct fk_fd fds[FK_MAX_FDS];
	struct fk_dev devs[FK_MAX_DEVS];
	unsigned int n_devs;
	bool viable[FK_MAX_GROUPS];
	int n_open;  /* fds open now */
	int n_opens; /* open() calls that succeeded, ever */
	int n_maps;  /* live mappings */
	int n_dma;   /* live DMA maps */
	int api_version;
	int type1v2;
	/* failure injection */
	unsigned long fail_req;
	int fail_req_errno;
	int fail_req_times; /* with fail_req: fail only this many calls (0: all) */
	int n_fail_req;	    /* calls of fail_req seen */
	int n_sleeps;	    /* nanosleep calls */
	long slept_ns;	    /* their total */
	const char *fail_open_path;
	int fail_open_errno;
	int fail_mmap_errno;
	int fail_mmap_after; /* with fail_mmap_errno: mmaps that succeed first */
	bool msix_mappable;  /* BAR2 may be mapped over its MSI-X table */
	int n_resets;	     /* VFIO_DEVICE_RESET calls */
	bool no_reset;	     /* GET_INFO without VFIO_DEVICE_FLAGS_RESET */
	/* closes of device fds meet: each waits (10 s at most) until this
	 * many have begun, and counts a wait that ran out */
	int close_meet;
	int close_arrived;
	int meet_timeouts;
	/* the close of device close_hold waits (10 s at most) until the
	 * close of device close_hold_for has begun, and counts a wait that
	 * ran out in meet_timeouts; close_log: each device close's begin
	 * (+1 + index) and end (-1 - index), in order */
	int close_hold;
	int close_hold_for;
	int close_log[FK_MAX_DEVS * 4];
	int n_close_log;
	int open_meet; /* the same for VFIO_GROUP_GET_DEVICE_FD */
	int open_arrived;
	/* the kernel's open of device open_hold (GET_DEVICE_FD or the cdev
	 * bind) waits (10 s at most) until open_hold_until devices have been
	 * opened, and counts a wait that ran out in meet_timeouts */
	int open_hold;
	int open_hold_until;
	int order[FK_MAX_DEVS * 4]; /* devices in the order they opened */
	int n_order;
	bool no_iommufd;  /* a kernel without /dev/iommu */
	bool token_e2big; /* 6.17, 6.18.0-2: a bind with a token is -E2BIG */
	/* what the fake saw */
	char last_name[VFT_DEVICE_NAME_LEN + 8];
	unsigned int irq_index, irq_count;
	uint32_t last_feature_flags;
	int bad_closes;
} fk;

static struct fk_fd *
fk_get(int fd, enum fk_kind kind)
{
	int i = fd - FK_FD_BASE;

	if (i < 0 || i >= FK_MAX_FDS || fk.fds[i].kind != kind)
		return NULL;
	return &fk.fds[i];
}

static int
fk_alloc(enum fk_kind kind)
{
	int i;

	for (i = 0; i < FK_MAX_FDS; i++) {
		if (fk.fds[i].kind == FK_FREE) {
			memset(&fk.fds[i], 0, sizeof(fk.fds[i]));
			fk.fds[i].kind = kind;
			fk.fds[i].container = -1;
			fk.n_open++;
			fk.n_opens++;
			return FK_FD_BASE + i;
		}
	}
	errno = EMFILE;
	return -1;
}

static int
fk_fail(int e)
{
	errno = e;
	return -1;
}

static bool
fk_group_exists(int group)
{
	unsigned int i;

	for (i = 0; i < fk.n_devs; i++)
		if (fk.devs[i].group == group && fk.devs[i].vfio)
			return true;
	return false;
}

/* A device of @p group bound through its cdev blocks the group. */
static bool
fk_group_blocked(int group)
{
	int i;

	for (i = 0; i < FK_MAX_FDS; i++)
		if (fk.fds[i].kind == FK_DEVICE && fk.fds[i].cdev &&
		    fk.fds[i].bound && fk.devs[fk.fds[i].dev].group == group)
			return true;
	return false;
}

static int
fk_open(const char *path, int flags)
{
	int group, i;
	char end;

	(void)flags;
	if (fk.fail_open_path != NULL && strcmp(path, fk.fail_open_path) == 0)
		return fk_fail(fk.fail_open_errno);
	if (strcmp(path, "/dev/vfio/vfio") == 0)
		return fk_alloc(FK_CONTAINER);
	if (strcmp(path, "/dev/null") == 0)
		return fk_alloc(FK_NULL);
	if (strcmp(path, "/dev/iommu") == 0)
		return fk.no_iommufd ? fk_fail(ENOENT) : fk_alloc(FK_IOMMUFD);
	/* the fake numbers cdevs by device index */
	if (sscanf(path, "/dev/vfio/devices/vfio%d%c", &group, &end) == 1) {
		if (group < 0 || group >= (int)fk.n_devs ||
		    !fk.devs[group].vfio)
			return fk_fail(ENOENT);
		i = fk_alloc(FK_DEVICE);
		if (i < 0)
			return -1;
		fk_get(i, FK_DEVICE)->dev = group;
		fk_get(i, FK_DEVICE)->cdev = true;
		return i;
	}
	if (sscanf(path, "/dev/vfio/%d%c", &group, &end) != 1 || group < 0 ||
	    group >= FK_MAX_GROUPS || !fk_group_exists(group))
		return fk_fail(ENOENT);
	/* a group can be open once at a time, and not while a device of it
	 * is bound through its cdev */
	for (i = 0; i < FK_MAX_FDS; i++)
		if (fk.fds[i].kind == FK_GROUP && fk.fds[i].group == group)
			return fk_fail(EBUSY);
	if (fk_group_blocked(group))
		return fk_fail(EBUSY);
	i = fk_alloc(FK_GROUP);
	if (i < 0)
		return -1;
	fk_get(i, FK_GROUP)->group = group;
	return i;
}

static void
fk_unset_container(struct fk_fd *g)
{
	struct fk_fd *c;

	if (g->container < 0)
		return;
	c = &fk.fds[g->container];
	g->container = -1;
	if (--c->n_groups == 0)
		c->iommu_set = false;
}

static void
fk_device_release(struct fk_fd *f)
{
	struct fk_dev *d = &fk.devs[f->dev];

	if (f->counted)
		fk.devs[d->pf].users--;
	f->counted = false;
}

/* A VF opened while its PF is on vfio-pci is a user of the PF's token. */
static void
fk_device_count(struct fk_fd *f)
{
	struct fk_dev *d = &fk.devs[f->dev];

	f->counted = d->is_vf && fk.devs[d->pf].vfio;
	if (f->counted)
		fk.devs[d->pf].users++;
}

static void fk_wait_meet(int *arrived, int meet);
static void fk_hold(int dev);
static void fk_opened(int dev);

/* The library calls the fake from several threads (vft_devices_close(),
 * concurrent opens): every call of fk_ops runs with this held. */
static pthread_mutex_t fk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fk_cond = PTHREAD_COND_INITIALIZER;

/* A call that must overlap @p meet - 1 others: it waits (10 s at most,
 * releasing fk_lock) until that many have begun, and counts a wait that
 * ran out in fk.meet_timeouts. */
static void
fk_wait_meet(int *arrived, int meet)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	(*arrived)++;
	pthread_cond_broadcast(&fk_cond);
	while (*arrived < meet)
		if (pthread_cond_timedwait(&fk_cond, &fk_lock, &until) != 0)
			break;
	if (*arrived < meet)
		fk.meet_timeouts++;
}

/* With fk.open_hold == @p dev: wait until fk.open_hold_until devices
 * have opened (fk_opened()), 10 s at most, releasing fk_lock. */
static void
fk_hold(int dev)
{
	struct timespec until;

	if (fk.open_hold_until == 0 || dev != fk.open_hold)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	while (fk.n_order < fk.open_hold_until)
		if (pthread_cond_timedwait(&fk_cond, &fk_lock, &until) != 0)
			break;
	if (fk.n_order < fk.open_hold_until)
		fk.meet_timeouts++;
}

/* Device @p dev was opened (its first open or not): in fk.order. */
static void
fk_opened(int dev)
{
	if (fk.n_order < (int)(sizeof(fk.order) / sizeof(fk.order[0])))
		fk.order[fk.n_order++] = dev;
	pthread_cond_broadcast(&fk_cond);
}

static int fk_close_locked(int fd);

/* A device close's begin (@p mark 1) or end (-1) in fk.close_log. */
static void
fk_close_mark(int dev, int mark)
{
	if (fk.n_close_log <
	    (int)(sizeof(fk.close_log) / sizeof(fk.close_log[0])))
		fk.close_log[fk.n_close_log++] = mark * (1 + dev);
	pthread_cond_broadcast(&fk_cond);
}

/* Has the close of device @p dev begun? */
static bool
fk_close_begun(int dev)
{
	int i;

	for (i = 0; i < fk.n_close_log; i++)
		if (fk.close_log[i] == 1 + dev)
			return true;
	return false;
}

/* With fk.close_hold == @p dev: wait until the close of
 * fk.close_hold_for has begun, 10 s at most, releasing fk_lock. */
static void
fk_close_hold(int dev)
{
	struct timespec until;

	if (fk.close_hold < 0 || dev != fk.close_hold)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	while (!fk_close_begun(fk.close_hold_for))
		if (pthread_cond_timedwait(&fk_cond, &fk_lock, &until) != 0)
			break;
	if (!fk_close_begun(fk.close_hold_for))
		fk.meet_timeouts++;
}

static int
fk_close(int fd)
{
	int i = fd - FK_FD_BASE, ret, dev = -1;

	pthread_mutex_lock(&fk_lock);
	if (i >= 0 && i < FK_MAX_FDS && fk.fds[i].kind == FK_DEVICE) {
		dev = fk.fds[i].dev;
		fk_close_mark(dev, 1);
		if (fk.close_meet > 0)
			fk_wait_meet(&fk.close_arrived, fk.close_meet);
		fk_close_hold(dev);
	}
	ret = fk_close_locked(fd);
	if (dev >= 0)
		fk_close_mark(dev, -1);
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

static int
fk_close_locked(int fd)
{
	int i = fd - FK_FD_BASE;

	if (i < 0 || i >= FK_MAX_FDS || fk.fds[i].kind == FK_FREE) {
		fk.bad_closes++;
		return fk_fail(EBADF);
	}
	if (fk.fds[i].kind == FK_GROUP)
		fk_unset_container(&fk.fds[i]);
	if (fk.fds[i].kind == FK_DEVICE)
		fk_device_release(&fk.fds[i]);
	fk.fds[i].kind = FK_FREE;
	fk.n_open--;
	return 0;
}

/* The VF token rules of vfio_pci_validate_vf_token(), as a model. */
static int
fk_validate_token(struct fk_dev *d, bool given, const struct vft_uuid *u)
{
	if (d->is_vf) {
		struct fk_dev *pf = &fk.devs[d->pf];

		if (!pf->vfio)
			return given ? -EINVAL : 0;
		if (!given || !vft_uuid_equal(u, &pf->token))
			return -EACCES;
		return 0;
	}
	if (d->is_pf) {
		if (d->users > 0) {
			if (!given || !vft_uuid_equal(u, &d->token))
				return -EACCES;
		} else if (given) {
			d->token = *u;
		}
		return 0;
	}
	return given ? -EINVAL : 0;
}

/* "NAME" or "NAME vf_token=UUID": 1 match, 0 no match, -errno. */
static int
fk_match(struct fk_dev *d, const char *buf)
{
	size_t n = strlen(d->name);
	struct vft_uuid u;
	bool given = false;
	char text[VFT_UUID_STR_LEN + 1];
	int ret;

	if (strncmp(d->name, buf, n) != 0)
		return 0;
	buf += n;
	if (*buf != '\0' && *buf != ' ')
		return 0;
	while (*buf != '\0') {
		if (*buf == ' ') {
			buf++;
			continue;
		}
		if (given || strncmp(buf, "vf_token=", 9) != 0)
			return -EINVAL;
		buf += 9;
		if (strlen(buf) < VFT_UUID_STR_LEN)
			return -EINVAL;
		memcpy(text, buf, VFT_UUID_STR_LEN);
		text[VFT_UUID_STR_LEN] = '\0';
		if (vft_uuid_parse(text, &u) != 0)
			return -EINVAL;
		given = true;
		buf += VFT_UUID_STR_LEN;
	}
	ret = fk_validate_token(d, given, &u);
	return ret < 0 ? ret : 1;
}

static int
fk_get_device_fd(struct fk_fd *g, const char *name)
{
	unsigned int i;
	int ret, fd;

	snprintf(fk.last_name, sizeof(fk.last_name), "%s", name);
	if (g->container < 0 || !fk.fds[g->container].iommu_set ||
	    !fk.viable[g->group])
		return fk_fail(EINVAL);
	for (i = 0; i < fk.n_devs; i++) {
		if (fk.devs[i].group != g->group)
			continue;
		ret = fk_match(&fk.devs[i], name);
		if (ret < 0)
			return fk_fail(-ret);
		if (ret == 0)
			continue;
		fk_hold((int)i);
		fd = fk_alloc(FK_DEVICE);
		if (fd < 0)
			return -1;
		fk_get(fd, FK_DEVICE)->dev = (int)i;
		fk_get(fd, FK_DEVICE)->bound = true;
		fk_device_count(fk_get(fd, FK_DEVICE));
		fk_opened((int)i);
		return fd;
	}
	return fk_fail(ENODEV);
}

static int
fk_container_ioctl(struct fk_fd *c, unsigned long req, uintptr_t arg)
{
	struct vfio_iommu_type1_dma_map *map;
	struct vfio_iommu_type1_dma_unmap *unmap;

	switch (req) {
	case VFIO_GET_API_VERSION:
		return fk.api_version;
	case VFIO_CHECK_EXTENSION:
		return arg == VFIO_TYPE1v2_IOMMU ? fk.type1v2 : 0;
	case VFIO_SET_IOMMU:
		if (c->n_groups == 0 || c->iommu_set ||
		    arg != VFIO_TYPE1v2_IOMMU)
			return fk_fail(EINVAL);
		c->iommu_set = true;
		return 0;
	case VFIO_IOMMU_MAP_DMA:
		map = (struct vfio_iommu_type1_dma_map *)arg;
		if (!c->iommu_set || map->argsz < sizeof(*map) ||
		    map->flags != (VFIO_DMA_MAP_FLAG_READ |
				   VFIO_DMA_MAP_FLAG_WRITE) ||
		    map->size == 0)
			return fk_fail(EINVAL);
		fk.n_dma++;
		return 0;
	case VFIO_IOMMU_UNMAP_DMA:
		unmap = (struct vfio_iommu_type1_dma_unmap *)arg;
		if (!c->iommu_set || unmap->argsz < sizeof(*unmap))
			return fk_fail(EINVAL);
		if (fk.n_dma > 0)
			fk.n_dma--;
		return 0;
	default:
		return fk_fail(ENOTTY);
	}
}

static int
fk_group_ioctl(struct fk_fd *g, unsigned long req, uintptr_t arg)
{
	struct vfio_group_status *st;
	struct fk_fd *c;

	switch (req) {
	case VFIO_GROUP_GET_STATUS:
		st = (struct vfio_group_status *)arg;
		if (st->argsz < sizeof(*st))
			return fk_fail(EINVAL);
		st->flags =
			(fk.viable[g->group] ? VFIO_GROUP_FLAGS_VIABLE : 0) |
			(g->container >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET
					   : 0);
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		c = fk_get(*(const int *)arg, FK_CONTAINER);
		if (c == NULL)
			return fk_fail(EBADF);
		if (g->container >= 0)
			return fk_fail(EINVAL);
		g->container = (int)(c - fk.fds);
		c->n_groups++;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		if (g->container < 0)
			return fk_fail(EINVAL);
		fk_unset_container(g);
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		if (fk.open_meet > 0)
			fk_wait_meet(&fk.open_arrived, fk.open_meet);
		return fk_get_device_fd(g, (const char *)arg);
	default:
		return fk_fail(ENOTTY);
	}
}

static int
fk_feature(struct fk_dev *d, struct vfio_device_feature *f)
{
	uint32_t known = VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PROBE;

	fk.last_feature_flags = f->flags;
	if (f->argsz < sizeof(*f) || (f->flags & ~known))
		return fk_fail(EINVAL);
	if ((f->flags & VFIO_DEVICE_FEATURE_MASK) !=
	    VFIO_DEVICE_FEATURE_PCI_VF_TOKEN)
		return fk_fail(ENOTTY);
	if (!d->is_pf)
		return fk_fail(ENOTTY);
	if (f->flags & VFIO_DEVICE_FEATURE_GET)
		return fk_fail(EINVAL);
	if (f->flags & VFIO_DEVICE_FEATURE_PROBE)
		return 0;
	if (!(f->flags & VFIO_DEVICE_FEATURE_SET) ||
	    f->argsz < sizeof(*f) + VFT_UUID_LEN)
		return fk_fail(EINVAL);
	memcpy(d->token.b, f->data, VFT_UUID_LEN);
	return 0;
}

/* A group of @p d's open elsewhere blocks a cdev bind. */
static bool
fk_group_open(int group)
{
	int i;

	for (i = 0; i < FK_MAX_FDS; i++)
		if (fk.fds[i].kind == FK_GROUP && fk.fds[i].group == group)
			return true;
	return false;
}

/* vfio_df_ioctl_bind_iommufd(): token check, then the (single) open. */
static int
fk_cdev_bind(struct fk_fd *fd, const struct fk_bind *b)
{
	struct fk_dev *d = &fk.devs[fd->dev];
	bool given = b->flags & 1;
	int i, ret;

	if (b->argsz < offsetof(struct fk_bind, token_uuid_ptr) ||
	    (b->flags & ~1u) || fk_get(b->iommufd, FK_IOMMUFD) == NULL)
		return fk_fail(EINVAL);
	if (given && fk.token_e2big)
		return fk_fail(E2BIG);
	if (fk_group_open(d->group))
		return fk_fail(EBUSY);
	if (fk.open_meet > 0)
		fk_wait_meet(&fk.open_arrived, fk.open_meet);
	fk_hold(fd->dev);
	ret = fk_validate_token(
		d, given,
		given ? (const struct vft_uuid *)b->token_uuid_ptr : NULL);
	if (ret < 0)
		return fk_fail(-ret);
	for (i = 0; i < FK_MAX_FDS; i++)
		if (fk.fds[i].kind == FK_DEVICE && &fk.fds[i] != fd &&
		    fk.fds[i].dev == fd->dev && fk.fds[i].bound)
			return fk_fail(EINVAL);
	fd->bound = true;
	fk_device_count(fd);
	fk_opened(fd->dev);
	return 0;
}

static int
fk_device_ioctl(struct fk_fd *fd, unsigned long req, uintptr_t arg)
{
	struct fk_dev *d = &fk.devs[fd->dev];
	struct vfio_device_info *info;
	struct vfio_region_info *r;
	struct vfio_irq_info *irq;
	struct vfio_irq_set *set;

	if (req == FK_BIND_IOMMUFD)
		return fd->cdev && !fd->bound
			       ? fk_cdev_bind(fd, (const struct fk_bind *)arg)
			       : fk_fail(EINVAL);
	if (!fd->bound)
		return fk_fail(EINVAL);
	switch (req) {
	case FK_ATTACH_PT:
		return ((const struct fk_attach *)arg)->pt_id == FK_IOAS_ID
			       ? 0
			       : fk_fail(ENOENT);
	case VFIO_DEVICE_GET_INFO:
		info = (struct vfio_device_info *)arg;
		info->flags = VFIO_DEVICE_FLAGS_PCI |
			      (fk.no_reset ? 0 : VFIO_DEVICE_FLAGS_RESET);
		info->num_regions = VFIO_PCI_NUM_REGIONS;
		info->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	case VFIO_DEVICE_GET_REGION_INFO:
		r = (struct vfio_region_info *)arg;
		if (r->index >= VFIO_PCI_NUM_REGIONS ||
		    r->index == VFIO_PCI_VGA_REGION_INDEX)
			return fk_fail(EINVAL);
		r->offset = (uint64_t)r->index << FK_REGION_SHIFT;
		r->flags = 0;
		r->size = 0;
		if (r->index == VFIO_PCI_BAR0_REGION_INDEX) {
			r->size = FK_BAR0_SIZE;
			r->flags = VFIO_REGION_INFO_FLAG_READ |
				   VFIO_REGION_INFO_FLAG_WRITE |
				   VFIO_REGION_INFO_FLAG_MMAP;
		} else if (r->index == VFIO_PCI_BAR2_REGION_INDEX ||
			   r->index == VFIO_PCI_BAR4_REGION_INDEX) {
			r->size = r->index == VFIO_PCI_BAR2_REGION_INDEX
					  ? FK_BAR2_SIZE
					  : FK_BAR4_SIZE;
			r->flags = VFIO_REGION_INFO_FLAG_READ |
				   VFIO_REGION_INFO_FLAG_WRITE |
				   VFIO_REGION_INFO_FLAG_MMAP;
		} else if (r->index == VFIO_PCI_CONFIG_REGION_INDEX) {
			r->size = FK_CFG_SIZE;
			r->flags = VFIO_REGION_INFO_FLAG_READ |
				   VFIO_REGION_INFO_FLAG_WRITE;
		}
		return 0;
	case VFIO_DEVICE_GET_IRQ_INFO:
		irq = (struct vfio_irq_info *)arg;
		if (irq->index >= VFIO_PCI_NUM_IRQS)
			return fk_fail(EINVAL);
		irq->count = irq->index == VFIO_PCI_MSIX_IRQ_INDEX ? 10 : 1;
		return 0;
	case VFIO_DEVICE_SET_IRQS:
		set = (struct vfio_irq_set *)arg;
		if (set->argsz < sizeof(*set) ||
		    set->index >= VFIO_PCI_NUM_IRQS)
			return fk_fail(EINVAL);
		if ((set->flags & VFIO_IRQ_SET_DATA_EVENTFD) &&
		    set->argsz < sizeof(*set) + set->count * sizeof(int32_t))
			return fk_fail(EINVAL);
		fk.irq_index = set->index;
		fk.irq_count = set->count;
		return 0;
	case VFIO_DEVICE_FEATURE:
		return fk_feature(d, (struct vfio_device_feature *)arg);
	case VFIO_DEVICE_RESET:
		fk.n_resets++;
		return 0;
	default:
		return fk_fail(ENOTTY);
	}
}

static int
fk_iommufd_ioctl(unsigned long req, uintptr_t arg)
{
	const struct fk_ioas_map *map = (const struct fk_ioas_map *)arg;
	const struct fk_ioas_unmap *unmap = (const struct fk_ioas_unmap *)arg;

	switch (req) {
	case FK_IOAS_ALLOC:
		((struct fk_ioas_alloc *)arg)->out_ioas_id = FK_IOAS_ID;
		return 0;
	case FK_IOAS_MAP:
		if (map->size < sizeof(*map) || map->ioas_id != FK_IOAS_ID ||
		    map->flags != 7 || map->length == 0)
			return fk_fail(EINVAL);
		fk.n_dma++;
		return 0;
	case FK_IOAS_UNMAP:
		if (unmap->ioas_id != FK_IOAS_ID || unmap->length == 0)
			return fk_fail(EINVAL);
		if (fk.n_dma > 0)
			fk.n_dma--;
		return 0;
	default:
		return fk_fail(ENOTTY);
	}
}

static int
fk_ioctl(int fd, unsigned long req, uintptr_t arg)
{
	struct fk_fd *f;

	if (fk.fail_req != 0 && req == fk.fail_req &&
	    (++fk.n_fail_req <= fk.fail_req_times || fk.fail_req_times == 0))
		return fk_fail(fk.fail_req_errno);
	f = fk_get(fd, FK_CONTAINER);
	if (f != NULL)
		return fk_container_ioctl(f, req, arg);
	f = fk_get(fd, FK_GROUP);
	if (f != NULL)
		return fk_group_ioctl(f, req, arg);
	f = fk_get(fd, FK_DEVICE);
	if (f != NULL)
		return fk_device_ioctl(f, req, arg);
	if (fk_get(fd, FK_IOMMUFD) != NULL)
		return fk_iommufd_ioctl(req, arg);
	return fk_fail(EBADF);
}

/* Whether [off, off + len) of a device fd may be mapped: BAR0, BAR2 but
 * not over its MSI-X table unless msix_mappable, BAR4 (an I/O BAR that a
 * careful caller never maps). */
static bool
fk_mmap_allowed(size_t len, off_t off)
{
	uint64_t idx = (uint64_t)off >> FK_REGION_SHIFT;
	uint64_t in = (uint64_t)off & ((1ULL << FK_REGION_SHIFT) - 1);

	if (idx == VFIO_PCI_BAR0_REGION_INDEX)
		return in + len <= FK_BAR0_SIZE;
	if (idx == VFIO_PCI_BAR4_REGION_INDEX)
		return in + len <= FK_BAR4_SIZE;
	if (idx != VFIO_PCI_BAR2_REGION_INDEX || in + len > FK_BAR2_SIZE)
		return false;
	return fk.msix_mappable || in + len <= FK_MSIX_OFF ||
	       in >= FK_MSIX_OFF + 0x1000;
}

static void *
fk_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	bool fixed = (flags & MAP_FIXED) != 0;
	void *p;

	(void)prot;
	if (fk.fail_mmap_errno && fk.fail_mmap_after-- <= 0) {
		errno = fk.fail_mmap_errno;
		return MAP_FAILED;
	}
	if (fd >= 0 && fk_get(fd, FK_DEVICE) == NULL) {
		errno = EBADF;
		return MAP_FAILED;
	}
	if (fd >= 0 && !fk_mmap_allowed(len, off)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	/* Anonymous memory stands in for the BAR; a fixed mapping replaces
	 * part of one that is counted already. */
	p = mmap(addr, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS |
			 (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)),
		 -1, 0);
	if (p != MAP_FAILED && !fixed)
		fk.n_maps++;
	return p;
}

static int
fk_munmap(void *addr, size_t len)
{
	fk.n_maps--;
	return munmap(addr, len);
}

/* The fd @p newfd becomes what @p oldfd is (a device released). */
static int
fk_dup3(int oldfd, int newfd, int flags)
{
	int o = oldfd - FK_FD_BASE, n = newfd - FK_FD_BASE;

	(void)flags;
	if (o < 0 || o >= FK_MAX_FDS || n < 0 || n >= FK_MAX_FDS ||
	    fk.fds[o].kind == FK_FREE || fk.fds[n].kind == FK_FREE)
		return fk_fail(EBADF);
	if (fk.fds[n].kind == FK_DEVICE)
		fk_device_release(&fk.fds[n]);
	fk.fds[n] = fk.fds[o];
	return newfd;
}

static uint8_t *
fk_cfg(int fd, size_t len, off_t off)
{
	struct fk_fd *f = fk_get(fd, FK_DEVICE);
	off_t base = (off_t)VFIO_PCI_CONFIG_REGION_INDEX << FK_REGION_SHIFT;

	if (f == NULL || off < base || off - base + (off_t)len > FK_CFG_SIZE)
		return NULL;
	return fk.devs[f->dev].cfg + (off - base);
}

static ssize_t
fk_pread(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = fk_cfg(fd, len, off);

	if (p == NULL)
		return fk_fail(EINVAL);
	memcpy(buf, p, len);
	return (ssize_t)len;
}

static ssize_t
fk_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	uint8_t *p = fk_cfg(fd, len, off);

	if (p == NULL)
		return fk_fail(EINVAL);
	memcpy(p, buf, len);
	return (ssize_t)len;
}

/* No real wait: count the library's waits between tries. */
static int
fk_nanosleep(const struct timespec *req, struct timespec *rem)
{
	(void)rem;
	fk.n_sleeps++;
	fk.slept_ns += req->tv_sec * 1000000000L + req->tv_nsec;
	return 0;
}

/* fk_ops under fk_lock (fk_close takes it itself). */
static int
fk_open_l(const char *path, int flags)
{
	int ret;

	pthread_mutex_lock(&fk_lock);
	ret = fk_open(path, flags);
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

static int
fk_ioctl_l(int fd, unsigned long req, uintptr_t arg)
{
	int ret;

	pthread_mutex_lock(&fk_lock);
	ret = fk_ioctl(fd, req, arg);
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

static void *
fk_mmap_l(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *ret;

	pthread_mutex_lock(&fk_lock);
	ret = fk_mmap(addr, len, prot, flags, fd, off);
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

static int
fk_munmap_l(void *addr, size_t len)
{
	int ret;

	pthread_mutex_lock(&fk_lock);
	ret = fk_munmap(addr, len);
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

static ssize_t
fk_pread_l(int fd, void *buf, size_t len, off_t off)
{
	ssize_t ret;

	pthread_mutex_lock(&fk_lock);
	ret = fk_pread(fd, buf, len, off);
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

static ssize_t
fk_pwrite_l(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t ret;

	pthread_mutex_lock(&fk_lock);
	ret = fk_pwrite(fd, buf, len, off);
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

static int
fk_nanosleep_l(const struct timespec *req, struct timespec *rem)
{
	int ret;

	pthread_mutex_lock(&fk_lock);
	ret = fk_nanosleep(req, rem);
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

static const struct vft_os_ops fk_ops = {
	.open = fk_open_l,
	.close = fk_close,
	.ioctl = fk_ioctl_l,
	.mmap = fk_mmap_l,
	.munmap = fk_munmap_l,
	.pread = fk_pread_l,
	.pwrite = fk_pwrite_l,
	.dup3 = fk_dup3,
	.nanosleep = fk_nanosleep_l,
};

/* ------------------------------------------------------------------------ */
/* Fixtures: the same machine in the fake kernel and in a fake sysfs tree  */
/* ------------------------------------------------------------------------ */

#define PF "0000:01:00.0"
#define VF0 "0000:01:10.0"
#define PLAIN "0000:02:00.0"
#define NV_DEV "0000:03:00.0"
#define NV_SND "0000:03:00.1"
#define HOST "0000:04:00.0"

#define G_PF 1
#define G_VF0 2
#define G_PLAIN 3
#define G_NV 4
#define G_HOST 5

/* The PF user's token and another one; tests check neither leaks. */
#define TOKEN "2ab74924-c335-45f4-9b16-8569e5b08258"
#define TOKEN_UPPER "2AB74924-C335-45F4-9B16-8569E5B08258"
#define OTHER_TOKEN "bd8d9d2b-5a5f-4f5a-a211-f591514ba1f3"

enum { D_PF, D_VF0, D_PLAIN, D_NV, D_NV_SND, D_HOST };

static struct fake_sysfs fs;
static struct vft_sys sys;
static struct vft_token tok, wrong_tok;

static void
fk_add(const char *name, int group, bool vfio, bool is_pf, int pf)
{
	struct fk_dev *d = &fk.devs[fk.n_devs++];

	d->name = name;
	d->group = group;
	d->vfio = vfio;
	d->is_pf = is_pf;
	d->is_vf = pf >= 0;
	d->pf = pf;
	/* vendor 8086 in config space, little endian */
	d->cfg[0] = 0x86;
	d->cfg[1] = 0x80;
	/* BAR4 decodes I/O space; an MSI-X capability puts 10 vectors in
	 * BAR2 at FK_MSIX_OFF (PCI Local Bus 3.0, 6.8.2). */
	d->cfg[PCI_BASE_ADDRESS_4] = PCI_BASE_ADDRESS_SPACE_IO;
	d->cfg[PCI_CAPABILITY_LIST] = FK_MSIX_CAP;
	d->cfg[FK_MSIX_CAP] = PCI_CAP_ID_MSIX;
	d->cfg[FK_MSIX_CAP + PCI_MSIX_FLAGS] = 9;
	d->cfg[FK_MSIX_CAP + PCI_MSIX_TABLE] =
		2; /* BIR 2, offset FK_MSIX_OFF */
	d->cfg[FK_MSIX_CAP + PCI_MSIX_TABLE + 1] = FK_MSIX_OFF >> 8;
}

static int
setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk.api_version = VFIO_API_VERSION;
	fk.type1v2 = 1;
	fk.close_hold = -1;
	fk_add(PF, G_PF, true, true, -1);
	fk_add(VF0, G_VF0, true, false, D_PF);
	fk_add(PLAIN, G_PLAIN, true, false, -1);
	fk_add(NV_DEV, G_NV, true, false, -1);
	fk_add(NV_SND, G_NV, false, false, -1);
	fk_add(HOST, G_HOST, false, false, -1);
	fk.viable[G_PF] = fk.viable[G_VF0] = fk.viable[G_PLAIN] = true;
	fk.viable[G_NV] = false;
	/* the PF's token starts random at bind: here, TOKEN set by its user */
	assert_int_equal(vft_uuid_parse(TOKEN, &fk.devs[D_PF].token), 0);
	vft_os_set(&fk_ops);

	assert_int_equal(vft_token_from_string(TOKEN, &tok, NULL), 0);
	assert_int_equal(vft_token_from_string(OTHER_TOKEN, &wrong_tok, NULL),
			 0);

	assert_int_equal(fake_sysfs_create(&fs), 0);
	assert_int_equal(
		fake_sysfs_add_pf(&fs, PF, 0x8086, 0x10c9, 8, "vfio-pci", G_PF),
		0);
	assert_int_equal(fake_sysfs_add_vf(&fs, PF, 0, VF0, 0x8086, 0x10ca,
					   "vfio-pci", G_VF0),
			 0);
	assert_int_equal(fake_sysfs_add_dev(&fs, PLAIN, 0x8086, 0x10d3,
					    0x020000, "vfio-pci", G_PLAIN),
			 0);
	assert_int_equal(fake_sysfs_add_dev(&fs, NV_DEV, 0x8086, 0x10d3,
					    0x020000, "vfio-pci", G_NV),
			 0);
	assert_int_equal(fake_sysfs_add_dev(&fs, NV_SND, 0x8086, 0x293e,
					    0x040300, "snd_hda_intel", G_NV),
			 0);
	assert_int_equal(fake_sysfs_add_dev(&fs, HOST, 0x8086, 0x10d3, 0x020000,
					    "e1000e", G_HOST),
			 0);
	vft_sys_init(&sys, fs.root);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	vft_os_set(NULL);
	fake_sysfs_destroy(&fs);
	vft_token_wipe(&tok);
	vft_token_wipe(&wrong_tok);
	return 0;
}

static struct vft_pci_addr
addr_of(const char *s)
{
	struct vft_pci_addr a;

	assert_int_equal(vft_pci_addr_parse(s, &a), 0);
	return a;
}

/* A message must hold neither token in any case, nor their first group. */
static void
assert_no_token(const char *msg)
{
	assert_null(strstr(msg, TOKEN));
	assert_null(strstr(msg, TOKEN_UPPER));
	assert_null(strstr(msg, "2ab74924"));
	assert_null(strstr(msg, OTHER_TOKEN));
	assert_null(strstr(msg, "bd8d9d2b"));
}

/* Open container and group @p group, asserting success. */
static void
open_cg(struct vft_container *c, struct vft_group *g, int group)
{
	struct vft_err err;

	vft_err_clear(&err);
	assert_int_equal(vft_container_open(c, &err), 0);
	assert_int_equal(vft_group_open(c, group, g, &sys, &err), 0);
	assert_true(c->iommu_set);
	assert_int_equal(c->n_groups, 1);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

static void
test_seam_restore(void **state)
{
	(void)state;
	/* the fake's entries, the real calls where it has none */
	assert_ptr_equal(vft_os->ioctl, fk_ops.ioctl);
	assert_null(fk_ops.readlink);
	assert_non_null(vft_os->readlink);
	vft_os_set(NULL);
	assert_ptr_not_equal(vft_os->ioctl, fk_ops.ioctl);
	assert_non_null(vft_os->ioctl);
	vft_os_set(&fk_ops);
	assert_ptr_equal(vft_os->ioctl, fk_ops.ioctl);
}

static void
test_device_name(void **state)
{
	struct vft_pci_addr a = addr_of(VF0);
	char buf[VFT_DEVICE_NAME_LEN];
	struct vft_token none;
	size_t i;
	int n;

	(void)state;
	n = vft_device_name(&a, NULL, buf, sizeof(buf));
	assert_int_equal(n, 12);
	assert_string_equal(buf, VF0);

	memset(&none, 0, sizeof(none));
	n = vft_device_name(&a, &none, buf, sizeof(buf));
	assert_int_equal(n, 12);
	assert_string_equal(buf, VF0);

	n = vft_device_name(&a, &tok, buf, sizeof(buf));
	assert_int_equal(n, 12 + 10 + 36);
	assert_string_equal(buf, VF0 " vf_token=" TOKEN);

	/* exactly enough room, then one byte short */
	n = vft_device_name(&a, &tok, buf, 12 + 10 + 36 + 1);
	assert_int_equal(n, 58);
	memset(buf, 'x', sizeof(buf));
	n = vft_device_name(&a, &tok, buf, 58);
	assert_int_equal(n, -ENAMETOOLONG);
	/* the truncated text held part of the token: it is wiped */
	for (i = 0; i < 58; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(vft_device_name(&a, NULL, buf, 12), -ENAMETOOLONG);
	assert_int_equal(vft_device_name(&a, NULL, buf, 13), 12);
	assert_int_equal(vft_device_name(NULL, NULL, buf, 13), -EINVAL);
}

static void
test_happy_path(void **state)
{
	struct vft_container c;
	struct vft_group g;
	struct vft_device d;
	struct vft_pci_addr a = addr_of(VF0);
	struct vft_err err;
	uint32_t count = 0;
	uint16_t vendor = 0;
	uint8_t v = 0x5a, back = 0;
	void *bar = NULL, *bar2 = NULL;
	int fds[3] = { 7, 8, -1 };

	(void)state;
	open_cg(&c, &g, G_VF0);
	assert_int_equal(fk.n_open, 2);
	vft_err_clear(&err);
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), 0);
	assert_string_equal(fk.last_name, VF0 " vf_token=" TOKEN);
	assert_int_equal(fk.n_open, 3);
	assert_int_equal(fk.devs[D_PF].users, 1);
	assert_int_equal(d.num_regions, VFIO_PCI_NUM_REGIONS);
	assert_int_equal(d.num_irqs, VFIO_PCI_NUM_IRQS);
	assert_true(d.flags & VFIO_DEVICE_FLAGS_PCI);
	assert_int_equal(d.regions[0].size, FK_BAR0_SIZE);
	assert_true(d.regions[0].flags & VFIO_REGION_INFO_FLAG_MMAP);
	/* the fake refuses the VGA region: tolerated, left empty */
	assert_int_equal(d.regions[VFIO_PCI_VGA_REGION_INDEX].size, 0);
	assert_int_equal(d.regions[VFIO_PCI_CONFIG_REGION_INDEX].offset,
			 (uint64_t)VFIO_PCI_CONFIG_REGION_INDEX
				 << FK_REGION_SHIFT);

	assert_int_equal(vft_device_region_map(&d, 0, &bar, &err), 0);
	assert_non_null(bar);
	assert_int_equal(fk.n_maps, 1);
	assert_int_equal(vft_device_region_map(&d, 0, &bar2, &err), 0);
	assert_ptr_equal(bar, bar2);
	assert_int_equal(fk.n_maps, 1);
	assert_int_equal(vft_device_region_info(&d, 0, &err), 0);
	assert_int_equal(vft_device_region_info(&d, 9, &err), -EINVAL);

	assert_int_equal(vft_device_config_read(&d, &vendor, 2, 0), 0);
	assert_int_equal(vendor, 0x8086);
	assert_int_equal(vft_device_config_write(&d, &v, 1, 0x40), 0);
	assert_int_equal(vft_device_config_read(&d, &back, 1, 0x40), 0);
	assert_int_equal(back, 0x5a);
	assert_int_equal(vft_device_config_read(&d, &back, 1, FK_CFG_SIZE),
			 -EINVAL);
	assert_int_equal(vft_device_config_read(&d, &vendor, 2, 255), -EINVAL);
	assert_int_equal(vft_device_config_read(&d, &back, 1, -1), -EINVAL);

	assert_int_equal(
		vft_device_irq_count(&d, VFIO_PCI_MSIX_IRQ_INDEX, &count, &err),
		0);
	assert_int_equal(count, 10);
	assert_int_equal(vft_device_irq_enable(&d, VFIO_PCI_MSIX_IRQ_INDEX, fds,
					       3, &err),
			 0);
	assert_int_equal(fk.irq_index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(fk.irq_count, 3);
	assert_int_equal(d.irq_index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(vft_device_irq_enable(&d, VFIO_PCI_MSIX_IRQ_INDEX, fds,
					       0, &err),
			 -EINVAL);
	assert_int_equal(vft_device_irq_disable(&d, VFIO_PCI_MSIX_IRQ_INDEX),
			 0);
	assert_int_equal(fk.irq_count, 0);
	assert_int_equal(d.irq_index, -1);

	assert_int_equal(
		vft_dma_map(&c, 0x7f0000000000ULL, 0x100000, 4096, &err), 0);
	assert_int_equal(fk.n_dma, 1);
	assert_int_equal(vft_dma_map(&c, 0x7f0000000000ULL, 0x100000, 0, &err),
			 -EINVAL);
	assert_int_equal(vft_dma_unmap(&c, 0x100000, 4096, &err), 0);
	assert_int_equal(fk.n_dma, 0);

	/* leave a mapping and IRQs on: close must undo both */
	assert_int_equal(vft_device_irq_enable(&d, VFIO_PCI_MSIX_IRQ_INDEX, fds,
					       2, &err),
			 0);
	vft_device_close(&d);
	assert_int_equal(fk.n_maps, 0);
	assert_int_equal(fk.irq_count, 0);
	assert_int_equal(d.fd, -1);
	assert_int_equal(fk.devs[D_PF].users, 0);
	vft_device_close(&d);
	vft_group_close(&g);
	assert_int_equal(c.n_groups, 0);
	assert_false(c.iommu_set);
	vft_group_close(&g);
	vft_container_close(&c);
	vft_container_close(&c);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_container_failures(void **state)
{
	struct vft_container c;
	struct vft_err err;

	(void)state;
	fk.fail_open_path = "/dev/vfio/vfio";
	fk.fail_open_errno = ENOENT;
	assert_int_equal(vft_container_open(&c, &err), -ENOENT);
	assert_int_equal(err.code, -ENOENT);
	assert_non_null(strstr(err.msg, "/dev/vfio/vfio"));
	assert_int_equal(c.fd, -1);
	fk.fail_open_path = NULL;

	fk.api_version = 1;
	assert_int_equal(vft_container_open(&c, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "VFIO_GET_API_VERSION"));
	assert_int_equal(fk.n_open, 0);
	fk.api_version = VFIO_API_VERSION;

	fk.type1v2 = 0;
	assert_int_equal(vft_container_open(&c, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "VFIO_TYPE1v2_IOMMU"));
	assert_int_equal(fk.n_open, 0);
	fk.type1v2 = 1;

	fk.fail_req = VFIO_GET_API_VERSION;
	fk.fail_req_errno = ENOTTY;
	assert_int_equal(vft_container_open(&c, &err), -ENOTTY);
	assert_int_equal(fk.n_open, 0);
	fk.fail_req = VFIO_CHECK_EXTENSION;
	fk.fail_req_errno = EIO;
	assert_int_equal(vft_container_open(&c, &err), -EIO);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(c.fd, -1);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_group_failures(void **state)
{
	struct vft_container c;
	struct vft_group g, g2;
	struct vft_err err;

	(void)state;
	assert_int_equal(vft_container_open(&c, &err), 0);

	fk.fail_open_path = "/dev/vfio/2";
	fk.fail_open_errno = EACCES;
	assert_int_equal(vft_group_open(&c, G_VF0, &g, &sys, &err), -EACCES);
	assert_non_null(strstr(err.msg, "/dev/vfio/2"));
	assert_int_equal(g.fd, -1);
	assert_int_equal(fk.n_open, 1);
	fk.fail_open_path = NULL;

	assert_int_equal(vft_group_open(&c, 9, &g, &sys, &err), -ENOENT);
	assert_int_equal(vft_group_open(&c, -3, &g, &sys, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "-3"));
	assert_int_equal(fk.n_open, 1);

	/* not viable: -EPERM naming the members and their drivers */
	assert_int_equal(vft_group_open(&c, G_NV, &g, &sys, &err), -EPERM);
	assert_int_equal(err.code, -EPERM);
	assert_non_null(strstr(err.msg, "group 4 is not viable"));
	assert_non_null(strstr(err.msg, NV_SND " (bound to snd_hda_intel)"));
	assert_non_null(strstr(err.msg, NV_DEV " (bound to vfio-pci)"));
	assert_int_equal(fk.n_open, 1);

	const unsigned long reqs[] = { VFIO_GROUP_GET_STATUS,
				       VFIO_GROUP_SET_CONTAINER,
				       VFIO_SET_IOMMU };
	const char *names[] = { "VFIO_GROUP_GET_STATUS",
				"VFIO_GROUP_SET_CONTAINER", "VFIO_SET_IOMMU" };
	for (unsigned int i = 0; i < 3; i++) {
		fk.fail_req = reqs[i];
		fk.fail_req_errno = EBUSY;
		assert_int_equal(vft_group_open(&c, G_VF0, &g, &sys, &err),
				 -EBUSY);
		assert_non_null(strstr(err.msg, names[i]));
		assert_non_null(strstr(err.msg, "group 2"));
		assert_int_equal(fk.n_open, 1);
		assert_int_equal(g.fd, -1);
		assert_int_equal(c.n_groups, 0);
		assert_false(c.iommu_set);
		/* the fake's container holds no group either */
		assert_int_equal(fk.fds[c.fd - FK_FD_BASE].n_groups, 0);
	}
	fk.fail_req = 0;

	/* a second group of the same container does not set the IOMMU again */
	assert_int_equal(vft_group_open(&c, G_VF0, &g, &sys, &err), 0);
	assert_int_equal(vft_group_open(&c, G_PF, &g2, &sys, &err), 0);
	assert_int_equal(c.n_groups, 2);
	/* the group is busy while open */
	{
		struct vft_group g3;

		assert_int_equal(vft_group_open(&c, G_PF, &g3, &sys, &err),
				 -EBUSY);
	}
	vft_group_close(&g);
	assert_true(c.iommu_set);
	vft_group_close(&g2);
	assert_false(c.iommu_set);
	vft_container_close(&c);
	assert_int_equal(vft_group_open(&c, G_VF0, &g, &sys, &err), -EBADF);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_device_token_rules(void **state)
{
	struct vft_container c;
	struct vft_group g;
	struct vft_device d;
	struct vft_pci_addr a = addr_of(VF0), plain = addr_of(PLAIN);
	struct vft_err err;

	(void)state;
	open_cg(&c, &g, G_VF0);

	/* VF, PF on vfio-pci, no token: -EACCES */
	assert_int_equal(vft_device_open(&g, &a, NULL, &d, &err), -EACCES);
	assert_string_equal(fk.last_name, VF0);
	assert_non_null(strstr(err.msg, "VFIO_GROUP_GET_DEVICE_FD"));
	assert_non_null(strstr(err.msg, VF0));
	assert_non_null(strstr(err.msg, "without a vf_token"));
	assert_non_null(strstr(err.msg, "group 2"));
	assert_int_equal(d.fd, -1);
	assert_int_equal(fk.n_open, 2);

	/* wrong token: -EACCES, and the message never holds it */
	assert_int_equal(vft_device_open(&g, &a, &wrong_tok, &d, &err),
			 -EACCES);
	assert_string_equal(fk.last_name, VF0 " vf_token=" OTHER_TOKEN);
	assert_non_null(strstr(err.msg, "with a vf_token"));
	assert_no_token(err.msg);
	assert_int_equal(fk.n_open, 2);

	/* PF not on vfio-pci: a token is -EINVAL, none is fine */
	fk.devs[D_PF].vfio = false;
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), -EINVAL);
	assert_no_token(err.msg);
	assert_int_equal(vft_device_open(&g, &a, NULL, &d, &err), 0);
	vft_device_close(&d);
	fk.devs[D_PF].vfio = true;

	/* a device not in the group: -ENODEV */
	assert_int_equal(vft_device_open(&g, &plain, NULL, &d, &err), -ENODEV);
	vft_group_close(&g);

	/* neither PF nor VF with a token: -EINVAL */
	assert_int_equal(vft_group_open(&c, G_PLAIN, &g, &sys, &err), 0);
	assert_int_equal(vft_device_open(&g, &plain, &tok, &d, &err), -EINVAL);
	assert_no_token(err.msg);
	assert_int_equal(vft_device_open(&g, &plain, NULL, &d, &err), 0);
	vft_device_close(&d);
	vft_group_close(&g);
	vft_container_close(&c);
	assert_int_equal(fk.n_open, 0);
}

static void
test_device_info_failures(void **state)
{
	struct vft_container c;
	struct vft_group g;
	struct vft_device d;
	struct vft_pci_addr a = addr_of(VF0);
	struct vft_err err;

	(void)state;
	open_cg(&c, &g, G_VF0);
	fk.fail_req = VFIO_DEVICE_GET_INFO;
	fk.fail_req_errno = EIO;
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), -EIO);
	assert_non_null(strstr(err.msg, "VFIO_DEVICE_GET_INFO"));
	assert_no_token(err.msg);
	assert_int_equal(fk.n_open, 2);
	assert_int_equal(fk.devs[D_PF].users, 0);
	assert_int_equal(d.fd, -1);

	fk.fail_req = VFIO_DEVICE_GET_REGION_INFO;
	fk.fail_req_errno = EFAULT;
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), -EFAULT);
	assert_non_null(strstr(err.msg, "VFIO_DEVICE_GET_REGION_INFO(0)"));
	assert_no_token(err.msg);
	assert_int_equal(fk.n_open, 2);
	assert_int_equal(d.fd, -1);

	fk.fail_req = VFIO_GROUP_GET_DEVICE_FD;
	fk.fail_req_errno = EBUSY;
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), -EBUSY);
	assert_no_token(err.msg);
	assert_int_equal(fk.n_open, 2);
	fk.fail_req = 0;

	/* with no group open, nothing is attempted */
	vft_group_close(&g);
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), -EBADF);
	vft_container_close(&c);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

/*
 * vfio-pci's first-open reset finds the device locked: -EAGAIN, tried
 * again (vft_open_again); any other errno is not.
 */
static void
test_device_open_reset_locked(void **state)
{
	struct vft_container c;
	struct vft_group g;
	struct vft_device d;
	struct vft_pci_addr a = addr_of(VF0);
	struct vft_explanation why;
	struct vft_err err;

	(void)state;
	open_cg(&c, &g, G_VF0);
	/* locked for two tries, then free: opened on the third */
	fk.fail_req = VFIO_GROUP_GET_DEVICE_FD;
	fk.fail_req_errno = EAGAIN;
	fk.fail_req_times = 2;
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), 0);
	assert_int_equal(fk.n_fail_req, 3);
	assert_int_equal(fk.n_sleeps, 2);
	assert_int_equal(fk.slept_ns, 2 * VFT_OPEN_WAIT_MS * 1000000L);
	assert_int_equal(fk.devs[D_PF].users, 1);
	vft_device_close(&d);

	/* locked through every try: -EAGAIN, the kernel rule named, no fd */
	fk.n_fail_req = fk.n_sleeps = 0;
	fk.fail_req_times = 0;
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), -EAGAIN);
	assert_int_equal(fk.n_fail_req, VFT_OPEN_TRIES);
	assert_int_equal(fk.n_sleeps, VFT_OPEN_TRIES - 1);
	assert_non_null(strstr(err.msg, "device lock"));
	assert_no_token(err.msg);
	assert_int_equal(fk.n_open, 2);
	assert_int_equal(d.fd, -1);
	vft_explain_step(&sys, &a, true, -EAGAIN, VFT_STEP_DEVICE_OPEN, &why);
	assert_int_equal(why.verdict, VFT_V_BUSY);
	assert_non_null(strstr(why.reason, "device lock"));
	assert_no_token(why.reason);

	/* another refusal is final at once */
	fk.n_fail_req = fk.n_sleeps = 0;
	fk.fail_req_errno = EBUSY;
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), -EBUSY);
	assert_int_equal(fk.n_fail_req, 1);
	assert_int_equal(fk.n_sleeps, 0);
	fk.fail_req = 0;
	vft_group_close(&g);
	vft_container_close(&c);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_map_and_irq_failures(void **state)
{
	struct vft_container c;
	struct vft_group g;
	struct vft_device d;
	struct vft_pci_addr a = addr_of(VF0);
	struct vft_err err;
	void *p = NULL;
	int fds[1] = { 5 };
	uint32_t count;

	(void)state;
	open_cg(&c, &g, G_VF0);
	assert_int_equal(vft_device_open(&g, &a, &tok, &d, &err), 0);

	fk.fail_mmap_errno = ENOMEM;
	assert_int_equal(vft_device_region_map(&d, 0, &p, &err), -ENOMEM);
	assert_non_null(strstr(err.msg, "region 0"));
	assert_null(d.regions[0].map);
	assert_int_equal(fk.n_maps, 0);
	fk.fail_mmap_errno = 0;

	/* the config region is not mmap-able; region 12 does not exist */
	assert_int_equal(vft_device_region_map(&d, VFIO_PCI_CONFIG_REGION_INDEX,
					       &p, &err),
			 -EINVAL);
	assert_int_equal(vft_device_region_map(&d, 12, &p, &err), -EINVAL);
	assert_int_equal(fk.n_maps, 0);

	fk.fail_req = VFIO_DEVICE_SET_IRQS;
	fk.fail_req_errno = EINVAL;
	assert_int_equal(vft_device_irq_enable(&d, VFIO_PCI_MSIX_IRQ_INDEX, fds,
					       1, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "VFIO_DEVICE_SET_IRQS"));
	assert_int_equal(d.irq_index, -1);
	fk.fail_req = VFIO_DEVICE_GET_IRQ_INFO;
	assert_int_equal(vft_device_irq_count(&d, 0, &count, &err), -EINVAL);
	fk.fail_req = VFIO_IOMMU_MAP_DMA;
	fk.fail_req_errno = ENOMEM;
	assert_int_equal(vft_dma_map(&c, 0x1000, 0x1000, 0x1000, &err),
			 -ENOMEM);
	assert_non_null(strstr(err.msg, "VFIO_IOMMU_MAP_DMA"));
	fk.fail_req = VFIO_IOMMU_UNMAP_DMA;
	assert_int_equal(vft_dma_unmap(&c, 0x1000, 0x1000, &err), -ENOMEM);
	fk.fail_req = 0;

	vft_device_close(&d);
	vft_group_close(&g);
	/* no IOMMU model once the last group left */
	assert_int_equal(vft_dma_map(&c, 0x1000, 0x1000, 0x1000, &err),
			 -EINVAL);
	vft_container_close(&c);
	assert_int_equal(vft_dma_map(&c, 0x1000, 0x1000, 0x1000, &err), -EBADF);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.n_maps, 0);
}

static void
test_feature_vf_token(void **state)
{
	struct vft_container c;
	struct vft_group g, gv;
	struct vft_device d, dv;
	struct vft_pci_addr pf = addr_of(PF), vf = addr_of(VF0);
	struct vft_token none;
	struct vft_err err;

	(void)state;
	open_cg(&c, &g, G_PF);
	assert_int_equal(vft_device_open(&g, &pf, NULL, &d, &err), 0);

	assert_int_equal(vft_device_vf_token_probe(&d, &err), 0);
	assert_int_equal(fk.last_feature_flags,
			 VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
				 VFIO_DEVICE_FEATURE_PCI_VF_TOKEN);

	/* set the other token: the kernel's copy changes */
	assert_int_equal(vft_device_vf_token_set(&d, &wrong_tok, &err), 0);
	assert_int_equal(fk.last_feature_flags,
			 VFIO_DEVICE_FEATURE_SET |
				 VFIO_DEVICE_FEATURE_PCI_VF_TOKEN);
	assert_true(vft_uuid_equal(&fk.devs[D_PF].token, &wrong_tok.uuid));

	/* a VF now opens with that token only */
	assert_int_equal(vft_group_open(&c, G_VF0, &gv, &sys, &err), 0);
	assert_int_equal(vft_device_open(&gv, &vf, &tok, &dv, &err), -EACCES);
	assert_int_equal(vft_device_open(&gv, &vf, &wrong_tok, &dv, &err), 0);

	/* the VF takes no token feature */
	assert_int_equal(vft_device_vf_token_probe(&dv, &err), -ENOTTY);
	assert_non_null(strstr(err.msg, VF0));
	assert_int_equal(vft_device_vf_token_set(&dv, &tok, &err), -ENOTTY);
	assert_no_token(err.msg);

	/* a failing SET says so without the token */
	fk.fail_req = VFIO_DEVICE_FEATURE;
	fk.fail_req_errno = EFAULT;
	assert_int_equal(vft_device_vf_token_set(&d, &tok, &err), -EFAULT);
	assert_non_null(strstr(err.msg, "PCI_VF_TOKEN"));
	assert_no_token(err.msg);
	assert_int_equal(vft_device_vf_token_probe(&d, &err), -EFAULT);
	fk.fail_req = 0;

	memset(&none, 0, sizeof(none));
	assert_int_equal(vft_device_vf_token_set(&d, &none, &err), -EINVAL);
	assert_int_equal(vft_device_vf_token_set(&d, NULL, &err), -EINVAL);

	vft_device_close(&dv);
	vft_device_close(&d);
	assert_int_equal(vft_device_vf_token_probe(&d, &err), -EBADF);
	vft_group_close(&gv);
	vft_group_close(&g);
	vft_container_close(&c);
	assert_int_equal(fk.n_open, 0);
}

/* ---- vft_open() on the fake tree and the fake kernel ---- */

static void
test_open_ok(void **state)
{
	struct vft_pci_addr a = addr_of(VF0);
	struct vft_explanation why;
	struct vft_handle h;

	(void)state;
	assert_int_equal(vft_open(&sys, &a, &tok, &h, &why), 0);
	assert_int_equal(why.verdict, VFT_V_OK);
	assert_int_equal(why.error, 0);
	assert_int_equal(fk.n_open, 3);
	assert_int_equal(h.device.group->id, G_VF0);
	assert_int_equal(vft_iommu_devices(&h.iommu), 1);
	assert_int_equal(h.device.num_regions, VFIO_PCI_NUM_REGIONS);
	assert_no_token(why.reason);
	vft_close(&h);
	assert_int_equal(fk.n_open, 0);
	vft_close(&h);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_open_refused(void **state)
{
	struct vft_pci_addr vf = addr_of(VF0), host = addr_of(HOST),
			    nv = addr_of(NV_DEV),
			    none = addr_of("0000:09:00.0");
	struct vft_explanation why;
	struct vft_handle h;

	(void)state;
	/* VF without token */
	assert_int_equal(vft_open(&sys, &vf, NULL, &h, &why), -EACCES);
	assert_int_equal(why.verdict, VFT_V_VF_NEEDS_TOKEN);
	assert_int_equal(why.error, -EACCES);
	assert_non_null(strstr(why.reason, PF));
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(vft_group_container(&h.iommu)->fd, -1);
	assert_int_equal(vft_iommu_devices(&h.iommu), 0);
	assert_int_equal(h.device.fd, -1);

	/* wrong token */
	assert_int_equal(vft_open(&sys, &vf, &wrong_tok, &h, &why), -EACCES);
	assert_int_equal(why.verdict, VFT_V_TOKEN_REJECTED);
	assert_no_token(why.reason);
	assert_no_token(why.fix);
	assert_int_equal(fk.n_open, 0);

	/* not on vfio-pci, or absent: /dev/vfio is never touched */
	fk.n_opens = 0;
	assert_true(vft_open(&sys, &host, NULL, &h, &why) < 0);
	assert_int_equal(why.verdict, VFT_V_NOT_VFIO);
	assert_non_null(strstr(why.reason, "e1000e"));
	assert_true(vft_open(&sys, &none, NULL, &h, &why) < 0);
	assert_int_equal(why.verdict, VFT_V_NO_DEVICE);
	assert_int_equal(fk.n_opens, 0);

	/* group not viable */
	assert_int_equal(vft_open(&sys, &nv, NULL, &h, &why), -EPERM);
	assert_int_equal(why.verdict, VFT_V_GROUP_NOT_VIABLE);
	assert_non_null(strstr(why.reason, NV_SND));
	assert_non_null(strstr(why.reason, "snd_hda_intel"));
	assert_int_equal(fk.n_open, 0);

	/* permission on the group node, and on the container */
	fk.fail_open_path = "/dev/vfio/2";
	fk.fail_open_errno = EACCES;
	assert_int_equal(vft_open(&sys, &vf, &tok, &h, &why), -EACCES);
	assert_int_equal(why.verdict, VFT_V_NO_PERMISSION);
	assert_non_null(strstr(why.reason, "/dev/vfio/2"));
	assert_int_equal(fk.n_open, 0);
	fk.fail_open_path = "/dev/vfio/vfio";
	assert_int_equal(vft_open(&sys, &vf, &tok, &h, &why), -EACCES);
	assert_int_equal(why.verdict, VFT_V_NO_PERMISSION);
	assert_non_null(strstr(why.reason, "/dev/vfio/vfio"));
	fk.fail_open_path = NULL;

	/* the group held elsewhere: the fake's open says EBUSY */
	fk.fail_open_path = "/dev/vfio/2";
	fk.fail_open_errno = EBUSY;
	assert_int_equal(vft_open(&sys, &vf, &tok, &h, &why), -EBUSY);
	assert_int_equal(why.verdict, VFT_V_BUSY);
	fk.fail_open_path = NULL;

	/* a failure after the device fd: everything closed again */
	fk.fail_req = VFIO_DEVICE_GET_REGION_INFO;
	fk.fail_req_errno = EIO;
	assert_int_equal(vft_open(&sys, &vf, &tok, &h, &why), -EIO);
	assert_int_equal(why.verdict, VFT_V_OTHER);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.devs[D_PF].users, 0);
	fk.fail_req = 0;

	assert_int_equal(vft_open(&sys, NULL, NULL, &h, &why), -EINVAL);
	assert_int_equal(why.verdict, VFT_V_OTHER);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

/* ---- the device layer (vft_device.c, group backend) on the fake ---- */

static int dma_ready_calls;

/* Map one page as a DMA ready callback would map the caller's memory. */
static int
dma_ready_map(struct vft_iommu *io, void *arg)
{
	struct vft_err *err = arg;

	dma_ready_calls++;
	return vft_iommu_dma_map(io, 0x7f0000000000ULL, 0x100000, 4096, err);
}

static void
open_layer(struct vft_iommu *io, const char *name, const struct vft_token *t,
	   struct vft_device *d)
{
	struct vft_pci_addr a = addr_of(name);
	struct vft_explanation why;

	assert_int_equal(vft_iommu_open_device(io, &sys, &a, t, d, &why), 0);
	assert_int_equal(why.verdict, VFT_V_OK);
}

static void
test_layer_shared_context(void **state)
{
	struct vft_iommu io;
	struct vft_device pf, vf;
	struct vft_err err;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	assert_false(vft_iommu_dma_ready(&io));
	assert_int_equal(vft_iommu_dma_map(&io, 0x1000, 0x1000, 4096, &err),
			 -ENODEV);
	vft_iommu_on_dma_ready(&io, dma_ready_map, &err);
	dma_ready_calls = 0;
	open_layer(&io, PF, NULL, &pf);
	open_layer(&io, VF0, &tok, &vf);
	/* one container, two groups, two devices; memory mapped once */
	assert_int_equal(fk.n_open, 5);
	assert_int_equal(vft_iommu_devices(&io), 2);
	assert_int_equal(dma_ready_calls, 1);
	assert_int_equal(fk.n_dma, 1);
	assert_true(vft_iommu_dma_ready(&io));
	assert_int_equal(vft_device_pf_vfs_in_use(&pf), 1);
	vft_device_close(&vf);
	assert_int_equal(vft_device_pf_vfs_in_use(&pf), 0);
	assert_int_equal(fk.n_open, 3);
	vft_device_close(&pf);
	/* the last group took the container and its DMA maps with it */
	assert_int_equal(fk.n_open, 0);
	assert_false(vft_iommu_dma_ready(&io));
	assert_int_equal(vft_iommu_devices(&io), 0);
	/* a new first device maps memory again */
	fk.n_dma = 0;
	open_layer(&io, VF0, &tok, &vf);
	assert_int_equal(dma_ready_calls, 2);
	vft_device_close(&vf);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_layer_dma_map_failure(void **state)
{
	struct vft_pci_addr a = addr_of(VF0);
	struct vft_explanation why;
	struct vft_iommu io;
	struct vft_device d;
	struct vft_err err;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	vft_iommu_on_dma_ready(&io, dma_ready_map, &err);
	fk.fail_req = VFIO_IOMMU_MAP_DMA;
	fk.fail_req_errno = ENOMEM;
	assert_int_equal(vft_iommu_open_device(&io, &sys, &a, &tok, &d, &why),
			 -ENOMEM);
	assert_int_equal(why.verdict, VFT_V_OTHER);
	assert_non_null(strstr(why.reason, "mapping memory for DMA"));
	assert_non_null(strstr(why.fix, "RLIMIT_MEMLOCK"));
	assert_no_token(why.reason);
	/* nothing of the open stays: fds, VF user count, DMA maps */
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.devs[D_PF].users, 0);
	assert_int_equal(fk.n_dma, 0);
	assert_int_equal(d.fd, -1);
	assert_int_equal(vft_iommu_devices(&io), 0);
	fk.fail_req = 0;
	/* and the next open maps memory and works */
	open_layer(&io, VF0, &tok, &d);
	assert_int_equal(fk.n_dma, 1);
	vft_device_close(&d);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_layer_refusals_explained(void **state)
{
	struct vft_pci_addr nv = addr_of(NV_DEV), vf = addr_of(VF0);
	struct vft_explanation why;
	struct vft_iommu io;
	struct vft_device d;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	/* each step named: group not viable, token, container permission */
	assert_int_equal(vft_iommu_open_device(&io, &sys, &nv, NULL, &d, &why),
			 -EPERM);
	assert_int_equal(why.verdict, VFT_V_GROUP_NOT_VIABLE);
	assert_int_equal(vft_iommu_open_device(&io, &sys, &vf, NULL, &d, &why),
			 -EACCES);
	assert_int_equal(why.verdict, VFT_V_VF_NEEDS_TOKEN);
	fk.fail_open_path = "/dev/vfio/vfio";
	fk.fail_open_errno = EACCES;
	assert_int_equal(vft_iommu_open_device(&io, &sys, &vf, &tok, &d, &why),
			 -EACCES);
	assert_int_equal(why.verdict, VFT_V_NO_PERMISSION);
	fk.fail_open_path = NULL;
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(vft_iommu_open_device(NULL, &sys, &vf, &tok, &d, &why),
			 -EINVAL);
	assert_non_null(strstr(why.reason, "IOMMU context"));
	assert_int_equal(vft_iommu_init(&io, 7, NULL), -ENOTSUP);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_layer_bars(void **state)
{
	struct vft_iommu io;
	struct vft_device d;
	struct vft_err err;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	open_layer(&io, VF0, &tok, &d);
	assert_int_equal(vft_device_map_bars(&d, &err), 0);
	/* BAR0 whole; BAR2 around its MSI-X table; BAR4 is I/O: left */
	assert_non_null(d.regions[0].map);
	assert_non_null(d.regions[2].map);
	assert_int_equal(d.regions[2].map_len, FK_BAR2_SIZE);
	assert_null(d.regions[4].map);
	assert_int_equal(fk.n_maps, 2);
	((volatile uint8_t *)d.regions[2].map)[0] = 1;
	((volatile uint8_t *)d.regions[2].map)[FK_BAR2_SIZE - 1] = 1;
	vft_device_close(&d);
	assert_int_equal(fk.n_maps, 0);

	/* a partial failure: BAR0 maps, BAR2 does not; none stays */
	open_layer(&io, VF0, &tok, &d);
	fk.fail_mmap_errno = ENOMEM;
	fk.fail_mmap_after = 1;
	assert_int_equal(vft_device_map_bars(&d, &err), -ENOMEM);
	assert_non_null(strstr(err.msg, "BAR2"));
	assert_non_null(strstr(err.msg, VF0));
	assert_null(d.regions[0].map);
	assert_null(d.regions[2].map);
	assert_int_equal(fk.n_maps, 0);
	fk.fail_mmap_errno = 0;

	/* a kernel that lets the table be mapped: BAR2 in one piece */
	fk.msix_mappable = true;
	assert_int_equal(vft_device_map_bars(&d, &err), 0);
	assert_int_equal(fk.n_maps, 2);
	vft_device_close(&d);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_maps, 0);
	assert_int_equal(fk.n_open, 0);
}

/* A free range of @p len bytes (reserved, then given back). */
static char *
free_range(size_t len)
{
	void *p =
		mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	munmap(p, len);
	return p;
}

/* BARs at chosen addresses: where a DPDK secondary must map them. */
static void
test_layer_bars_at(void **state)
{
	struct vft_iommu io;
	struct vft_device d;
	struct vft_err err;
	void *at[VFT_NUM_BARS] = { NULL };
	char *base = free_range(4 << 20), *busy;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	open_layer(&io, VF0, &tok, &d);
	assert_true(vft_device_bar_mappable(&d, 0));
	assert_true(vft_device_bar_mappable(&d, 2));
	assert_false(vft_device_bar_mappable(&d, 4)); /* I/O BAR */
	assert_false(vft_device_bar_mappable(&d, 6)); /* not a BAR */
	at[0] = base;
	at[2] = base + (1 << 20);
	assert_int_equal(vft_device_map_bars_at(&d, at, true, &err), 0);
	assert_ptr_equal(d.regions[0].map, at[0]);
	/* around its MSI-X table, still at its address */
	assert_ptr_equal(d.regions[2].map, at[2]);
	assert_int_equal(fk.n_maps, 2);
	vft_device_close(&d);
	assert_int_equal(fk.n_maps, 0);

	/* exact over memory in use: -EEXIST naming the BAR, none stays */
	busy = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(busy != MAP_FAILED);
	open_layer(&io, VF0, &tok, &d);
	at[2] = busy;
	assert_int_equal(vft_device_map_bars_at(&d, at, true, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "BAR2"));
	assert_non_null(strstr(err.msg, "in use"));
	assert_null(d.regions[0].map);
	assert_int_equal(fk.n_maps, 0);
	/* the same as a hint: placed elsewhere */
	assert_int_equal(vft_device_map_bars_at(&d, at, false, &err), 0);
	assert_ptr_not_equal(d.regions[2].map, busy);
	assert_int_equal(fk.n_maps, 2);
	vft_device_close(&d);
	munmap(busy, 4096);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_maps, 0);
	assert_int_equal(fk.n_open, 0);
}

/* A device fd opened elsewhere (a primary's, received by a secondary). */
static void
test_layer_adopt(void **state)
{
	struct vft_iommu io;
	struct vft_device d, e;
	struct vft_pci_addr a;
	struct vft_err err;
	int fd;

	(void)state;
	assert_int_equal(vft_pci_addr_parse(VF0, &a), 0);
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	open_layer(&io, VF0, &tok, &d);
	/* the fd moves to @e; @d lets go of everything else */
	fd = d.fd;
	d.fd = -1;
	vft_device_close(&d);
	assert_int_equal(vft_device_adopt(&e, fd, &a, &err), 0);
	assert_int_equal(e.fd, fd);
	assert_null(e.iommu);
	assert_null(e.group);
	assert_true(e.num_regions >= VFT_NUM_BARS);
	assert_int_equal(e.regions[0].size, FK_BAR0_SIZE);
	assert_int_equal(vft_device_map_bars(&e, &err), 0);
	assert_int_equal(fk.n_maps, 2);
	vft_device_close(&e);
	assert_int_equal(fk.n_maps, 0);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);

	/* no fd: refused */
	assert_int_equal(vft_device_adopt(&e, -1, &a, &err), -EINVAL);
	assert_int_equal(vft_device_adopt(NULL, -1, &a, &err), -EINVAL);
}

static void
test_layer_prepare_and_irqs(void **state)
{
	struct vft_iommu io;
	struct vft_device d;
	struct vft_err err;
	uint32_t index = 0, count = 0;
	uint16_t cmd = 0;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	open_layer(&io, VF0, &tok, &d);
	assert_int_equal(vft_device_prepare(&d, &err), 0);
	assert_int_equal(vft_device_config_read(&d, &cmd, 2, PCI_COMMAND), 0);
	assert_int_equal(cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* the kernel reset it at this first open (test_layer_reset_once) */
	assert_int_equal(fk.n_resets, 0);
	assert_int_equal(vft_device_prepare(&d, &err), 0);
	assert_int_equal(fk.n_resets, 1);
	fk.fail_req = VFIO_DEVICE_RESET;
	fk.fail_req_errno = EINVAL; /* no reset method now: tolerated */
	assert_int_equal(vft_device_prepare(&d, &err), 0);
	fk.fail_req_errno = EIO;
	assert_int_equal(vft_device_prepare(&d, &err), -EIO);
	assert_non_null(strstr(err.msg, "VFIO_DEVICE_RESET"));
	fk.fail_req = 0;

	assert_int_equal(vft_device_irq_pick(&d, ~0u, &index, &count), 0);
	assert_int_equal(index, VFT_IRQ_MSIX);
	assert_int_equal(count, 10);
	assert_int_equal(vft_device_irq_pick(&d,
					     VFT_IRQ_BIT(VFT_IRQ_MSI) |
						     VFT_IRQ_BIT(VFT_IRQ_INTX),
					     &index, &count),
			 0);
	assert_int_equal(index, VFT_IRQ_MSI);
	assert_int_equal(vft_device_irq_pick(&d, 0, &index, &count), -ENOENT);

	/* the request IRQ: a refused SET_IRQS leaves nothing enabled */
	fk.fail_req = VFIO_DEVICE_SET_IRQS;
	fk.fail_req_errno = EINVAL;
	assert_int_equal(vft_device_req_notify(&d, 9, &err), -EINVAL);
	assert_int_equal(d.irqs_on, 0);
	fk.fail_req = 0;
	assert_int_equal(vft_device_req_notify(&d, 9, &err), 0);
	assert_int_equal(fk.irq_index, VFT_IRQ_REQ);
	assert_int_equal(fk.irq_count, 1);
	assert_true(d.irqs_on & VFT_IRQ_BIT(VFT_IRQ_REQ));
	/* close turns it off */
	vft_device_close(&d);
	assert_int_equal(fk.irq_index, VFT_IRQ_REQ);
	assert_int_equal(fk.irq_count, 0);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
}

/* VFIO_DEVICE_RESET calls of one vft_device_prepare() on @p d. */
static int
resets_of_prepare(struct vft_device *d)
{
	struct vft_err err;
	int before = fk.n_resets;
	unsigned int counted = d->n_resets;

	assert_int_equal(vft_device_prepare(d, &err), 0);
	/* the handle counts the resets the kernel took */
	assert_int_equal(d->n_resets - counted, fk.n_resets - before);
	return fk.n_resets - before;
}

/* A function without a working reset (no VFIO_DEVICE_FLAGS_RESET): the
 * kernel did none at open, and prepare has none to do. */
static void
expect_no_reset_at_all(struct vft_iommu *io)
{
	struct vft_device d;

	fk.no_reset = true;
	open_layer(io, VF0, &tok, &d);
	assert_false(d.kernel_reset);
	assert_int_equal(resets_of_prepare(&d), 0);
	vft_device_close(&d);
	fk.no_reset = false;
}

/*
 * One reset per open (vft_device_kernel_reset()): no VFIO_DEVICE_RESET
 * right after a fresh first open that the kernel reset; one wherever that
 * is not known.
 */
static void
test_layer_reset_once(void **state)
{
	struct vft_iommu io;
	struct vft_device d, again, e;
	struct vft_pci_addr a;
	struct vft_err err;
	int fd;

	(void)state;
	assert_int_equal(vft_pci_addr_parse(VF0, &a), 0);
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	/* the group opened with the device: its first open */
	open_layer(&io, VF0, &tok, &d);
	assert_true(d.kernel_reset);
	assert_int_equal(resets_of_prepare(&d), 0);
	/* the flag is spent: preparing again resets */
	assert_false(d.kernel_reset);
	assert_int_equal(resets_of_prepare(&d), 1);
	/* the same device again in a context that holds its group: the
	 * device may be open already (it is), so reset */
	open_layer(&io, VF0, &tok, &again);
	assert_false(again.kernel_reset);
	assert_int_equal(resets_of_prepare(&again), 1);
	vft_device_close(&again);
	vft_device_close(&d);
	/* closed and reopened: a first open again */
	open_layer(&io, VF0, &tok, &d);
	assert_int_equal(resets_of_prepare(&d), 0);
	/* an adopted fd (a secondary's): the opener is unknown, reset */
	fd = d.fd;
	d.fd = -1;
	vft_device_close(&d);
	assert_int_equal(vft_device_adopt(&e, fd, &a, &err), 0);
	assert_false(e.kernel_reset);
	assert_int_equal(resets_of_prepare(&e), 1);
	vft_device_close(&e);
	expect_no_reset_at_all(&io);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_layer_revoke(void **state)
{
	struct vft_iommu io;
	struct vft_device d;
	struct vft_err err;
	int fd;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	open_layer(&io, VF0, &tok, &d);
	assert_int_equal(vft_device_map_bars(&d, &err), 0);
	assert_int_equal(vft_device_req_notify(&d, 9, &err), 0);
	fd = d.fd;
	assert_int_equal(fk.devs[D_PF].users, 1);
	vft_device_revoke(&d);
	/* same fd number, no longer the device: the kernel has it back */
	assert_int_equal(d.fd, fd);
	assert_null(fk_get(fd, FK_DEVICE));
	assert_int_equal(fk.devs[D_PF].users, 0);
	/* the driver's MMIO still lands in memory */
	((volatile uint8_t *)d.regions[0].map)[0] = 1;
	assert_int_equal(vft_device_map_bars(&d, &err), -EBADF);
	assert_int_equal(vft_device_pf_vfs_in_use(&d), -ENODEV);
	vft_device_close(&d);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.n_maps, 0);
	assert_int_equal(fk.bad_closes, 0);
}

/* ---- the cdev + iommufd backend on the fake ---- */

/* sysfs vfio-dev/vfioN of a function (the fake numbers cdevs by index). */
static void
add_cdev(const char *name, int n)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev", fs.root,
		 name);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev/vfio%d",
		 fs.root, name, n);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int
setup_cdev(void **state)
{
	setup(state);
	add_cdev(PF, D_PF);
	add_cdev(VF0, D_VF0);
	add_cdev(PLAIN, D_PLAIN);
	return 0;
}

static void
test_cdev_open(void **state)
{
	struct vft_iommu io;
	struct vft_device d;
	struct vft_err err;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_CDEV, NULL), 0);
	assert_string_equal(vft_path_name(io.path), "cdev");
	vft_iommu_on_dma_ready(&io, dma_ready_map, &err);
	dma_ready_calls = 0;
	open_layer(&io, VF0, &tok, &d);
	/* /dev/iommu and the device's cdev; memory mapped into the IOAS */
	assert_int_equal(fk.n_open, 2);
	assert_int_equal(d.cdev, D_VF0);
	assert_null(d.group);
	assert_int_equal(fk.devs[D_PF].users, 1);
	assert_int_equal(dma_ready_calls, 1);
	assert_int_equal(fk.n_dma, 1);
	assert_int_equal(vft_iommu_dma_unmap(&io, 0x100000, 4096, &err), 0);
	assert_int_equal(fk.n_dma, 0);
	assert_int_equal(d.num_regions, VFIO_PCI_NUM_REGIONS);
	assert_int_equal(vft_device_map_bars(&d, &err), 0);
	assert_int_equal(fk.n_maps, 2);
	vft_device_close(&d);
	assert_int_equal(fk.devs[D_PF].users, 0);
	assert_int_equal(fk.n_maps, 0);
	/* the IOAS lives as long as the context */
	assert_int_equal(fk.n_open, 1);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

/* An open refused on the cdev path leaves nothing open. */
static void
cdev_refused(const char *name, const struct vft_token *t, int error,
	     enum vft_verdict verdict, const char *in_text)
{
	struct vft_pci_addr a = addr_of(name);
	struct vft_explanation why;
	struct vft_iommu io;
	struct vft_device d;
	int before = fk.n_open, users = fk.devs[D_PF].users;

	assert_int_equal(vft_iommu_init(&io, VFT_PATH_CDEV, NULL), 0);
	assert_int_equal(vft_iommu_open_device(&io, &sys, &a, t, &d, &why),
			 error);
	assert_int_equal(why.verdict, verdict);
	if (in_text != NULL)
		assert_true(strstr(why.reason, in_text) != NULL ||
			    strstr(why.fix, in_text) != NULL);
	assert_no_token(why.reason);
	assert_no_token(why.fix);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, before);
	assert_int_equal(fk.devs[D_PF].users, users);
	assert_int_equal(d.fd, -1);
}

static void
test_cdev_refusals(void **state)
{
	struct vft_container c;
	struct vft_group g;
	struct vft_iommu io;
	struct vft_device d;
	struct vft_handle h;
	struct vft_explanation why;
	struct vft_pci_addr vf = addr_of(VF0);

	(void)state;
	/* the token rules, decided at VFIO_DEVICE_BIND_IOMMUFD */
	cdev_refused(VF0, NULL, -EACCES, VFT_V_VF_NEEDS_TOKEN, PF);
	cdev_refused(VF0, &wrong_tok, -EACCES, VFT_V_TOKEN_REJECTED, NULL);
	cdev_refused(PLAIN, &tok, -EINVAL, VFT_V_TOKEN_NOT_SRIOV, NULL);
	/* the kernel's capabilities */
	fk.no_iommufd = true;
	cdev_refused(VF0, &tok, -ENOENT, VFT_V_OTHER, "CONFIG_IOMMUFD");
	fk.no_iommufd = false;
	fk.token_e2big = true;
	cdev_refused(VF0, &tok, -E2BIG, VFT_V_OTHER, "6.19");
	fk.token_e2big = false;
	cdev_refused(NV_DEV, NULL, -ENOENT, VFT_V_OTHER,
		     "CONFIG_VFIO_DEVICE_CDEV");
	fk.fail_open_path = "/dev/iommu";
	fk.fail_open_errno = EACCES;
	cdev_refused(VF0, &tok, -EACCES, VFT_V_NO_PERMISSION, "/dev/iommu");
	fk.fail_open_path = NULL;

	/* group and cdev exclude each other, both ways */
	open_cg(&c, &g, G_VF0);
	cdev_refused(VF0, &tok, -EBUSY, VFT_V_BUSY, "open through its IOMMU");
	vft_group_close(&g);
	vft_container_close(&c);
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_CDEV, NULL), 0);
	open_layer(&io, VF0, &tok, &d);
	assert_int_equal(vft_open(&sys, &vf, &tok, &h, &why), -EBUSY);
	assert_int_equal(why.verdict, VFT_V_BUSY);
	assert_non_null(strstr(why.reason, "vfio cdev"));
	vft_device_close(&d);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

/* The cdev path's open is the bind: tried again on -EAGAIN too. */
static void
test_cdev_bind_reset_locked(void **state)
{
	struct vft_iommu io;
	struct vft_device d;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_CDEV, NULL), 0);
	fk.fail_req = FK_BIND_IOMMUFD;
	fk.fail_req_errno = EAGAIN;
	fk.fail_req_times = 3;
	open_layer(&io, VF0, &tok, &d);
	assert_int_equal(fk.n_fail_req, 4);
	assert_int_equal(fk.n_sleeps, 3);
	vft_device_close(&d);
	fk.n_fail_req = fk.n_sleeps = 0;
	fk.fail_req_times = 0;
	cdev_refused(VF0, &tok, -EAGAIN, VFT_V_BUSY, "device lock");
	assert_int_equal(fk.n_fail_req, VFT_OPEN_TRIES);
	/* refusals after the kernel's token step: a PF has taken the token
	 * (vft_explain.c; a bad iommufd, the PF bound through another cdev
	 * fd, the reset) */
	vft_explain_kernel_set("7.2.12");
	cdev_refused(PF, &tok, -EAGAIN, VFT_V_BUSY,
		     "refused, but the token was changed");
	fk.fail_req_errno = EBADFD;
	cdev_refused(PF, &tok, -EBADFD, VFT_V_OTHER,
		     "refused, but the token was changed");
	fk.fail_req_errno = EINVAL;
	cdev_refused(PF, &tok, -EINVAL, VFT_V_BUSY,
		     "refused, but the token was changed");
	/* a kernel before 86624ba3b522 refuses the flag: nothing changed */
	vft_explain_kernel_set("6.12.95");
	cdev_refused(PF, &tok, -EINVAL, VFT_V_OTHER, "token unchanged");
	cdev_refused(VF0, &tok, -EINVAL, VFT_V_OTHER, "86624ba3b522");
	vft_explain_kernel_set(NULL);
	fk.fail_req = 0;
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

/* Many devices closed at once: every fd closed, the groups after them;
 * functions behind different bridges (VF0's PF's bus 01, PLAIN's 02)
 * close at once. */
static void
test_layer_close_many(void **state)
{
	struct vft_iommu io;
	struct vft_device plain, vf;
	struct vft_device *all[3] = { &plain, NULL, &vf };
	struct vft_err err;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	open_layer(&io, PLAIN, NULL, &plain);
	open_layer(&io, VF0, &tok, &vf);
	assert_int_equal(vft_device_map_bars(&vf, &err), 0);
	assert_int_equal(fk.devs[D_PF].users, 1);
	/* the two device closes run at once: each waits for the other */
	fk.close_meet = 2;
	assert_int_equal(vft_devices_close(&sys, all, 3, 4), 2);
	fk.close_meet = 0;
	assert_int_equal(fk.close_arrived, 2);
	assert_int_equal(fk.meet_timeouts, 0);
	assert_int_equal(plain.fd, -1);
	assert_int_equal(vf.fd, -1);
	assert_int_equal(fk.n_maps, 0);
	assert_int_equal(fk.devs[D_PF].users, 0);
	assert_int_equal(vft_iommu_devices(&io), 0);
	/* groups and the container went with their last device */
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
	/* one thread: in turn, the same result */
	fk.close_arrived = 0;
	open_layer(&io, VF0, &tok, &vf);
	assert_int_equal(vft_devices_close(&sys, all, 3, 1), 1);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(vft_iommu_devices(&io), 0);
	assert_int_equal(vft_devices_close(&sys, NULL, 2, 4), 0);
	assert_int_equal(vft_devices_close(&sys, all, 0, 4), 0);
	vft_iommu_close(&io);
	assert_int_equal(fk.bad_closes, 0);
}

/*
 * A PF and its VF are behind one bridge (pci_upstream_bridge() of a VF is
 * its PF's): their closes run one after the other, in list order, while
 * a function behind another bridge closes beside them. The PF's close
 * waits until PLAIN's has begun (so the two lanes overlap), and VF0's may
 * begin only once the PF's has ended.
 */
static void
test_layer_close_lanes(void **state)
{
	struct vft_iommu io;
	struct vft_device pf, plain, vf;
	struct vft_device *all[3] = { &pf, &vf, &plain };
	int i, pf_end = -1, vf_begin = -1;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	open_layer(&io, PF, NULL, &pf);
	open_layer(&io, VF0, &tok, &vf);
	open_layer(&io, PLAIN, NULL, &plain);
	fk.close_hold = D_PF;
	fk.close_hold_for = D_PLAIN;
	assert_int_equal(vft_devices_close(&sys, all, 3, 8), 2);
	fk.close_hold = -1;
	assert_int_equal(fk.meet_timeouts, 0);
	assert_int_equal(fk.n_close_log, 6);
	for (i = 0; i < fk.n_close_log; i++) {
		if (fk.close_log[i] == -1 - D_PF)
			pf_end = i;
		if (fk.close_log[i] == 1 + D_VF0)
			vf_begin = i;
	}
	assert_true(pf_end >= 0 && vf_begin > pf_end);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(vft_iommu_devices(&io), 0);
	/* without sysfs each function's own bus: PF and VF0 both on 01 */
	fk.n_close_log = 0;
	open_layer(&io, PF, NULL, &pf);
	open_layer(&io, VF0, &tok, &vf);
	assert_int_equal(vft_devices_close(NULL, all, 2, 8), 1);
	assert_int_equal(fk.n_close_log, 4);
	assert_int_equal(fk.close_log[0], 1 + D_PF);
	assert_int_equal(fk.close_log[1], -1 - D_PF);
	assert_int_equal(fk.close_log[2], 1 + D_VF0);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

/* A VF on a bus of its own (routing IDs past the PF's bus) is still behind
 * its PF's bridge: its physfn in sysfs says so. */
#define VF_FAR "0000:05:10.0"
#define G_VF_FAR 6

static void
test_layer_close_lanes_physfn(void **state)
{
	struct vft_iommu io;
	struct vft_device pf, vf;
	struct vft_device *all[2] = { &pf, &vf };
	int far = (int)fk.n_devs;

	(void)state;
	fk_add(VF_FAR, G_VF_FAR, true, false, D_PF);
	fk.viable[G_VF_FAR] = true;
	assert_int_equal(fake_sysfs_add_vf(&fs, PF, 1, VF_FAR, 0x8086, 0x10ca,
					   "vfio-pci", G_VF_FAR),
			 0);
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	open_layer(&io, PF, NULL, &pf);
	open_layer(&io, VF_FAR, &tok, &vf);
	assert_int_equal(vft_devices_close(&sys, all, 2, 8), 1);
	assert_int_equal(fk.n_close_log, 4);
	assert_int_equal(fk.close_log[0], 1 + D_PF);
	assert_int_equal(fk.close_log[1], -1 - D_PF);
	assert_int_equal(fk.close_log[2], 1 + far);
	/* without sysfs only the addresses: buses 01 and 05, two lanes */
	open_layer(&io, PF, NULL, &pf);
	open_layer(&io, VF_FAR, &tok, &vf);
	assert_int_equal(vft_devices_close(NULL, all, 2, 8), 2);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

struct opener {
	struct vft_iommu *io;
	const char *name;
	const struct vft_token *tok;
	struct vft_device d;
	int ret;
};

static void *
opener_run(void *arg)
{
	struct opener *o = arg;
	struct vft_pci_addr a = addr_of(o->name);
	struct vft_explanation why;

	o->ret = vft_iommu_open_device(o->io, &sys, &a, o->tok, &o->d, &why);
	return NULL;
}

/*
 * Two devices opened into one context on two threads at once: the
 * kernel's opens overlap (each VFIO_GROUP_GET_DEVICE_FD waits in the fake
 * for the other), the context ends up as after two opens in turn, memory
 * is mapped once, and each open still knows it was its function's first.
 */
static void
test_layer_open_concurrent(void **state)
{
	struct opener o[2] = {
		{ .name = VF0, .tok = &tok },
		{ .name = PLAIN, .tok = NULL },
	};
	struct vft_iommu io;
	struct vft_err err;
	pthread_t t;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	vft_iommu_on_dma_ready(&io, dma_ready_map, &err);
	dma_ready_calls = 0;
	o[0].io = o[1].io = &io;
	fk.open_meet = 2;
	assert_int_equal(pthread_create(&t, NULL, opener_run, &o[0]), 0);
	opener_run(&o[1]);
	assert_int_equal(pthread_join(t, NULL), 0);
	fk.open_meet = 0;
	assert_int_equal(o[0].ret, 0);
	assert_int_equal(o[1].ret, 0);
	assert_int_equal(fk.open_arrived, 2);
	assert_int_equal(fk.meet_timeouts, 0);
	assert_int_equal(vft_iommu_devices(&io), 2);
	assert_int_equal(dma_ready_calls, 1);
	assert_int_equal(fk.n_dma, 1);
	assert_true(o[0].d.kernel_reset);
	assert_true(o[1].d.kernel_reset);
	/* container, two groups, two devices */
	assert_int_equal(fk.n_open, 5);
	vft_device_close(&o[0].d);
	vft_device_close(&o[1].d);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

/* A request of vft_iommu_open_devices() for @p name into @p io. */
static void
req_of(struct vft_open_req *r, struct vft_iommu *io, const char *name,
       const struct vft_token *t, struct vft_device *d)
{
	memset(r, 0, sizeof(*r));
	r->io = io;
	r->sys = &sys;
	r->addr = addr_of(name);
	r->tok = t;
	r->d = d;
}

/* The explanation of @p name opened alone with @p t into a new context
 * of @p path (closed again, nothing left open). */
static int
open_alone(enum vft_path path, const char *name, const struct vft_token *t,
	   struct vft_explanation *why)
{
	struct vft_pci_addr a = addr_of(name);
	struct vft_iommu io;
	struct vft_device d;
	int ret;

	assert_int_equal(vft_iommu_init(&io, path, NULL), 0);
	ret = vft_iommu_open_device(&io, &sys, &a, t, &d, why);
	if (ret == 0)
		vft_device_close(&d);
	vft_iommu_close(&io);
	return ret;
}

static void
assert_same_why(const struct vft_explanation *a,
		const struct vft_explanation *b)
{
	assert_int_equal(a->verdict, b->verdict);
	assert_int_equal(a->error, b->error);
	assert_string_equal(a->reason, b->reason);
	assert_string_equal(a->fix, b->fix);
	assert_no_token(a->reason);
	assert_no_token(a->fix);
}

/*
 * Opens on several threads finish in the kernel's order, which need not
 * be the requests': here the fake kernel holds VF0's open until PLAIN's
 * is done. Each request still gets its own device, in its own place.
 */
static void
open_many_order(enum vft_path path)
{
	struct vft_open_req r[2];
	struct vft_device d[2];
	struct vft_iommu io;
	struct vft_err err;

	assert_int_equal(vft_iommu_init(&io, path, NULL), 0);
	vft_iommu_on_dma_ready(&io, dma_ready_map, &err);
	dma_ready_calls = 0;
	req_of(&r[0], &io, VF0, &tok, &d[0]);
	req_of(&r[1], &io, PLAIN, NULL, &d[1]);
	fk.open_hold = D_VF0;
	fk.open_hold_until = 1;
	assert_int_equal(vft_iommu_open_devices(r, 2, 4), 0);
	fk.open_hold_until = 0;
	assert_int_equal(fk.meet_timeouts, 0);
	/* the kernel opened PLAIN first, then VF0 */
	assert_int_equal(fk.n_order, 2);
	assert_int_equal(fk.order[0], D_PLAIN);
	assert_int_equal(fk.order[1], D_VF0);
	/* in the requests' order, each with its function */
	assert_int_equal(r[0].ret, 0);
	assert_int_equal(r[1].ret, 0);
	assert_int_equal(r[0].why.verdict, VFT_V_OK);
	assert_true(vft_pci_addr_equal(&d[0].addr, &r[0].addr));
	assert_true(vft_pci_addr_equal(&d[1].addr, &r[1].addr));
	assert_int_equal(fk.fds[d[0].fd - FK_FD_BASE].dev, D_VF0);
	assert_int_equal(fk.fds[d[1].fd - FK_FD_BASE].dev, D_PLAIN);
	assert_true(r[0].end_ns >= r[0].start_ns && r[0].start_ns > 0);
	/* both first opens: one reset each, the kernel's */
	assert_true(d[0].kernel_reset);
	assert_true(d[1].kernel_reset);
	assert_int_equal(vft_iommu_devices(&io), 2);
	assert_int_equal(dma_ready_calls, 1);
	assert_int_equal(fk.n_dma, 1);
	assert_int_equal(fk.devs[D_PF].users, 1);
	vft_device_close(&d[0]);
	vft_device_close(&d[1]);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.bad_closes, 0);
}

static void
test_open_many_order(void **state)
{
	(void)state;
	open_many_order(VFT_PATH_GROUP);
}

static void
test_cdev_open_many_order(void **state)
{
	(void)state;
	open_many_order(VFT_PATH_CDEV);
}

/*
 * One open of three fails in the kernel while another overlaps it (a
 * wrong token), one is refused before /dev/vfio (not on vfio-pci), a
 * skipped one is left alone: each failure is explained exactly as the
 * same open alone, the good one opens, and nothing of the failures stays
 * open. Then every open fails: the context is left with nothing open.
 */
static void
open_many_failure(enum vft_path path)
{
	struct vft_explanation alone_tok, alone_host;
	struct vft_open_req r[4];
	struct vft_device d[4];
	struct vft_iommu io;
	int base = fk.n_open;

	assert_int_equal(open_alone(path, VF0, &wrong_tok, &alone_tok),
			 -EACCES);
	assert_int_equal(open_alone(path, HOST, NULL, &alone_host), -ENODEV);
	assert_int_equal(fk.n_open, base);

	assert_int_equal(vft_iommu_init(&io, path, NULL), 0);
	req_of(&r[0], &io, VF0, &wrong_tok, &d[0]);
	req_of(&r[1], &io, PLAIN, NULL, &d[1]);
	req_of(&r[2], &io, HOST, NULL, &d[2]);
	req_of(&r[3], &io, PF, NULL, &d[3]);
	r[3].skip = true;
	d[3].fd = -7; /* a skipped request's device is not touched */
	fk.open_arrived = 0;
	fk.open_meet = 2; /* VF0's and PLAIN's kernel opens overlap */
	assert_int_equal(vft_iommu_open_devices(r, 4, 4), 2);
	fk.open_meet = 0;
	assert_int_equal(fk.open_arrived, 2);
	assert_int_equal(fk.meet_timeouts, 0);
	assert_int_equal(r[0].ret, -EACCES);
	assert_same_why(&r[0].why, &alone_tok);
	assert_int_equal(r[1].ret, 0);
	assert_int_equal(r[1].why.verdict, VFT_V_OK);
	assert_int_equal(r[2].ret, -ENODEV);
	assert_same_why(&r[2].why, &alone_host);
	assert_int_equal(r[3].ret, 0);
	assert_int_equal(r[3].start_ns, 0);
	assert_int_equal(d[3].fd, -7);
	assert_int_equal(d[0].fd, -1);
	assert_int_equal(d[2].fd, -1);
	assert_int_equal(vft_iommu_devices(&io), 1);
	assert_int_equal(fk.devs[D_PF].users, 0);
	vft_device_close(&d[1]);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, base);

	/* every open fails: nothing open, even before vft_iommu_close() */
	assert_int_equal(vft_iommu_init(&io, path, NULL), 0);
	req_of(&r[0], &io, VF0, &wrong_tok, &d[0]);
	req_of(&r[1], &io, HOST, NULL, &d[1]);
	assert_int_equal(vft_iommu_open_devices(r, 2, 2), 2);
	assert_same_why(&r[0].why, &alone_tok);
	assert_same_why(&r[1].why, &alone_host);
	assert_int_equal(vft_iommu_devices(&io), 0);
	assert_int_equal(fk.n_open, base);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, base);
	assert_int_equal(fk.bad_closes, 0);
	/* no request, no thread */
	assert_int_equal(vft_iommu_open_devices(NULL, 2, 2), 0);
	assert_int_equal(vft_iommu_open_devices(r, 0, 2), 0);
}

static void
test_open_many_failure(void **state)
{
	(void)state;
	open_many_failure(VFT_PATH_GROUP);
}

static void
test_cdev_open_many_failure(void **state)
{
	(void)state;
	open_many_failure(VFT_PATH_CDEV);
}

/*
 * The broker's side of an open-many (vft_broker_serve_open_many(), cdev
 * path) for a client with no context yet: of four functions, one refused
 * before (skipped: its reply is left as it was), one refused before
 * /dev/vfio (explained exactly as alone, no fd), and two whose kernel
 * opens overlap. The first of those carries the new iommufd and its
 * device, the second its device only; once the caller closed what it
 * sends, nothing is open.
 */
static void
test_cdev_broker_serve_many(void **state)
{
	struct vft_broker_client_ctx cc = { .path = VFT_PATH_CDEV };
	const char *names[4] = { PF, VF0, HOST, PLAIN };
	const struct vft_token *toks[4] = { NULL, &tok, NULL, NULL };
	struct vft_broker_open_rep rep[4];
	struct vft_broker_many_dev m[4];
	struct vft_explanation alone_host;
	int base = fk.n_open;
	unsigned int i;

	(void)state;
	vft_handover_init(&cc.h);
	assert_int_equal(open_alone(VFT_PATH_CDEV, HOST, NULL, &alone_host),
			 -ENODEV);
	memset(rep, 0, sizeof(rep));
	memset(m, 0, sizeof(m));
	for (i = 0; i < 4; i++) {
		m[i].addr = addr_of(names[i]);
		m[i].tok = toks[i];
		m[i].rep = &rep[i];
	}
	m[0].skip = true;
	rep[0].error = -EPERM;
	fk.open_arrived = 0;
	fk.open_meet = 2; /* VF0's and PLAIN's kernel opens overlap */
	assert_int_equal(vft_broker_serve_open_many(&sys, &cc, m, 4), 1);
	fk.open_meet = 0;
	assert_int_equal(fk.meet_timeouts, 0);
	assert_int_equal(rep[0].error, -EPERM);
	assert_int_equal(m[0].nfds, 0);
	assert_int_equal(m[1].ret, 0);
	assert_int_equal(rep[1].error, 0);
	assert_int_equal(rep[1].verdict, VFT_V_OK);
	assert_int_equal(rep[1].fds, VFT_BROKER_FD_CTX | VFT_BROKER_FD_DEVICE);
	assert_int_equal(m[1].nfds, 2);
	assert_int_equal(fk.fds[m[1].fds[1] - FK_FD_BASE].dev, D_VF0);
	assert_int_equal(m[2].ret, -ENODEV);
	assert_int_equal(rep[2].error, -ENODEV);
	assert_int_equal(rep[2].verdict, alone_host.verdict);
	assert_string_equal(rep[2].reason, alone_host.reason);
	assert_int_equal(rep[2].fds, 0);
	assert_int_equal(m[2].nfds, 0);
	assert_int_equal(m[3].ret, 0);
	assert_int_equal(rep[3].fds, VFT_BROKER_FD_DEVICE);
	assert_int_equal(m[3].nfds, 1);
	assert_int_equal(fk.fds[m[3].fds[0] - FK_FD_BASE].dev, D_PLAIN);
	assert_int_equal(rep[3].ioas_id, rep[1].ioas_id);
	assert_int_equal(m[1].ref, -1);
	/* the caller sends them, then closes them: nothing stays open */
	for (i = 0; i < 4; i++)
		while (m[i].nfds > 0)
			vft_os->close(m[i].fds[--m[i].nfds]);
	assert_int_equal(fk.n_open, base);
	assert_int_equal(fk.bad_closes, 0);
}

/*
 * -EAGAIN from the kernel's open (its reset could not take the device
 * lock) is retried as for one open: two locked tries among the two
 * opens, both open; locked through every try, both fail explained as
 * alone, with nothing left open.
 */
static void
test_open_many_eagain(void **state)
{
	struct vft_explanation alone;
	struct vft_open_req r[2];
	struct vft_device d[2];
	struct vft_iommu io;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_GROUP, NULL), 0);
	req_of(&r[0], &io, VF0, &tok, &d[0]);
	req_of(&r[1], &io, PLAIN, NULL, &d[1]);
	fk.fail_req = VFIO_GROUP_GET_DEVICE_FD;
	fk.fail_req_errno = EAGAIN;
	fk.fail_req_times = 2;
	assert_int_equal(vft_iommu_open_devices(r, 2, 2), 0);
	assert_int_equal(r[0].ret, 0);
	assert_int_equal(r[1].ret, 0);
	/* two locked, two opened; a wait after each locked try */
	assert_int_equal(fk.n_fail_req, 4);
	assert_int_equal(fk.n_sleeps, 2);
	assert_int_equal(vft_iommu_devices(&io), 2);
	vft_device_close(&d[0]);
	vft_device_close(&d[1]);
	assert_int_equal(fk.n_open, 0);

	/* locked through every try */
	fk.n_fail_req = fk.n_sleeps = 0;
	fk.fail_req_times = 0;
	assert_int_equal(open_alone(VFT_PATH_GROUP, PLAIN, NULL, &alone),
			 -EAGAIN);
	assert_non_null(strstr(alone.reason, "device lock"));
	fk.n_fail_req = fk.n_sleeps = 0;
	assert_int_equal(vft_iommu_open_devices(r, 2, 2), 2);
	assert_int_equal(r[0].ret, -EAGAIN);
	assert_int_equal(r[1].ret, -EAGAIN);
	assert_same_why(&r[1].why, &alone);
	assert_int_equal(fk.n_fail_req, 2 * VFT_OPEN_TRIES);
	assert_int_equal(fk.n_sleeps, 2 * (VFT_OPEN_TRIES - 1));
	fk.fail_req = 0;
	assert_int_equal(vft_iommu_devices(&io), 0);
	assert_int_equal(fk.n_open, 0);
	vft_iommu_close(&io);
	assert_int_equal(fk.bad_closes, 0);
}

/* A cdev bind is always a first open (vfio_df_open()): no second reset. */
static void
test_cdev_reset_once(void **state)
{
	struct vft_iommu io;
	struct vft_device d;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_CDEV, NULL), 0);
	open_layer(&io, VF0, &tok, &d);
	assert_true(d.kernel_reset);
	assert_int_equal(resets_of_prepare(&d), 0);
	assert_int_equal(resets_of_prepare(&d), 1);
	vft_device_close(&d);
	expect_no_reset_at_all(&io);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
}

static void
test_cdev_pf_and_dma_failure(void **state)
{
	struct vft_pci_addr vf = addr_of(VF0);
	struct vft_explanation why;
	struct vft_iommu io;
	struct vft_device pf, d;
	struct vft_err err;

	(void)state;
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_CDEV, NULL), 0);
	open_layer(&io, PF, NULL, &pf);
	assert_int_equal(vft_device_pf_vfs_in_use(&pf), 0);
	assert_int_equal(vft_device_vf_token_set(&pf, &tok, &err), 0);
	open_layer(&io, VF0, &tok, &d);
	assert_int_equal(vft_device_pf_vfs_in_use(&pf), 1);
	assert_int_equal(fk.n_open, 3);
	vft_device_close(&d);
	vft_device_close(&pf);
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);

	/* memory that cannot be mapped fails the open, leaving nothing */
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_CDEV, NULL), 0);
	vft_iommu_on_dma_ready(&io, dma_ready_map, &err);
	fk.fail_req = FK_IOAS_MAP;
	fk.fail_req_errno = ENOMEM;
	assert_int_equal(vft_iommu_open_device(&io, &sys, &vf, &tok, &d, &why),
			 -ENOMEM);
	assert_int_equal(why.verdict, VFT_V_OTHER);
	assert_non_null(strstr(why.reason, "mapping memory for DMA"));
	fk.fail_req = 0;
	vft_iommu_close(&io);
	assert_int_equal(fk.n_open, 0);
	assert_int_equal(fk.devs[D_PF].users, 0);
	assert_int_equal(fk.n_dma, 0);
	assert_int_equal(fk.bad_closes, 0);
}

int main(void);

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seam_restore, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_happy_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_container_failures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_group_failures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device_token_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device_info_failures,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_open_reset_locked,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_and_irq_failures,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_feature_vf_token, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_layer_shared_context,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_dma_map_failure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_refusals_explained,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_bars, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_layer_prepare_and_irqs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_bars_at, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_layer_adopt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_layer_revoke, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_layer_reset_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_layer_close_many, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_layer_close_lanes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_layer_close_lanes_physfn,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_open_concurrent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_many_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_many_failure, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_many_eagain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cdev_open_many_order,
						setup_cdev, teardown),
		cmocka_unit_test_setup_teardown(test_cdev_open_many_failure,
						setup_cdev, teardown),
		cmocka_unit_test_setup_teardown(test_cdev_broker_serve_many,
						setup_cdev, teardown),
		cmocka_unit_test_setup_teardown(test_cdev_open, setup_cdev,
						teardown),
		cmocka_unit_test_setup_teardown(test_cdev_refusals, setup_cdev,
						teardown),
		cmocka_unit_test_setup_teardown(test_cdev_bind_reset_locked,
						setup_cdev, teardown),
		cmocka_unit_test_setup_teardown(test_cdev_reset_once,
						setup_cdev, teardown),
		cmocka_unit_test_setup_teardown(test_cdev_pf_and_dma_failure,
						setup_cdev, teardown),
	};

	return cmocka_run_group_tests_name("vfio", tests, NULL, NULL);
}

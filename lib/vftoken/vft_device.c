/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The device layer: open a function with its token into an IOMMU context
 * through the context's backend, explain a refusal with the step that
 * failed, and what every caller does next on any path: prepare the
 * function, map its BARs, pick and route interrupts, and give it back to
 * the kernel. Backends (vft_backend_*.c) only get the device fd and own
 * the DMA address space.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vft_private.h"
#include "vftoken.h"

/* The public IRQ indexes are vfio-pci's (include/uapi/linux/vfio.h). */
_Static_assert((int)VFT_IRQ_INTX == (int)VFIO_PCI_INTX_IRQ_INDEX, "INTx index");
_Static_assert((int)VFT_IRQ_MSI == (int)VFIO_PCI_MSI_IRQ_INDEX, "MSI index");
_Static_assert((int)VFT_IRQ_MSIX == (int)VFIO_PCI_MSIX_IRQ_INDEX,
	       "MSI-X index");
_Static_assert((int)VFT_IRQ_ERR == (int)VFIO_PCI_ERR_IRQ_INDEX, "ERR index");
_Static_assert((int)VFT_IRQ_REQ == (int)VFIO_PCI_REQ_IRQ_INDEX, "REQ index");

_Static_assert(VFT_NUM_BARS == 6, "a type 0 header has 6 BARs");

/* Linux 4.17+; older kernels take the address as a hint (checked). */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* ---- IOMMU context ------------------------------------------------------ */

/* io->lock: recursive, so that the DMA-ready callback, which runs with it
 * held, maps memory through vft_iommu_dma_map(). */
static void
vft_iommu_lock_init(struct vft_iommu *io)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&io->lock, &a);
	pthread_mutexattr_destroy(&a);
}

/* The backend of each path (vft_backend_*.c); tests may replace one. */
static const struct vft_backend *vft_backends[] = {
	[VFT_PATH_GROUP] = &vft_backend_group,
	[VFT_PATH_CDEV] = &vft_backend_cdev,
};

#define VFT_N_PATHS (sizeof(vft_backends) / sizeof(vft_backends[0]))

/* The library's own, restored by vft_backend_set(path, NULL). */
static const struct vft_backend *const vft_backends_lib[VFT_N_PATHS] = {
	[VFT_PATH_GROUP] = &vft_backend_group,
	[VFT_PATH_CDEV] = &vft_backend_cdev,
};

const struct vft_backend *
vft_backend_of(enum vft_path path)
{
	return (unsigned int)path < VFT_N_PATHS ? vft_backends[path] : NULL;
}

void
vft_backend_set(enum vft_path path, const struct vft_backend *be)
{
	if ((unsigned int)path < VFT_N_PATHS)
		vft_backends[path] = be != NULL ? be : vft_backends_lib[path];
}

/* 0.1.0's size on LP64 (glibc's 40-byte mutex): programs built against it
 * allocate and embed contexts (struct vft_handle) of this size. */
#if defined(__LP64__) && defined(__GLIBC__)
_Static_assert(sizeof(struct vft_iommu) == 1656,
	       "struct vft_iommu keeps its size (ABI of libvftoken.so.0)");
#endif

unsigned int
vft_paths_available(const struct vft_sys *sys, const struct vft_pci_dev *dev)
{
	unsigned int i, paths = 0;

	if (!vft_pci_dev_on_vfio(dev))
		return 0;
	for (i = 0; i < VFT_N_PATHS; i++)
		if (vft_backends[i] != NULL &&
		    vft_backends[i]->available != NULL &&
		    vft_backends[i]->available(sys, dev))
			paths |= 1u << i;
	return paths;
}

int
vft_iommu_init(struct vft_iommu *io, enum vft_path path, struct vft_err *err)
{
	const struct vft_backend *be = vft_backend_of(path);

	if (io == NULL)
		return vft_err_set(err, -EINVAL, "IOMMU context: NULL");
	memset(io, 0, sizeof(*io));
	vft_iommu_lock_init(io);
	if (be == NULL)
		return vft_err_set(err, -ENOTSUP,
				   "VFIO path %d: expected group or cdev",
				   (int)path);
	io->path = path;
	io->be = be;
	be->init(io);
	return 0;
}

void
vft_iommu_on_dma_ready(struct vft_iommu *io, vft_dma_ready_cb cb, void *arg)
{
	io->dma_ready = cb;
	io->dma_ready_arg = arg;
}

bool
vft_iommu_dma_ready(const struct vft_iommu *io)
{
	return io != NULL && io->be != NULL && io->be->dma_ready(io);
}

unsigned int
vft_iommu_devices(const struct vft_iommu *io)
{
	return io == NULL ? 0 : io->n_devices;
}

int
vft_iommu_dma_map(struct vft_iommu *io, uint64_t vaddr, uint64_t iova,
		  uint64_t len, struct vft_err *err)
{
	int ret;

	if (io == NULL || io->be == NULL)
		return vft_err_set(err, -EINVAL, "DMA map: no IOMMU context");
	pthread_mutex_lock(&io->lock);
	if (!vft_iommu_dma_ready(io))
		ret = vft_err_set(err, -ENODEV,
				  "DMA map at iova 0x%llx: no device is open "
				  "in this IOMMU context yet",
				  (unsigned long long)iova);
	else
		ret = io->be->dma_map(io, vaddr, iova, len, err);
	pthread_mutex_unlock(&io->lock);
	return ret;
}

int
vft_iommu_dma_unmap(struct vft_iommu *io, uint64_t iova, uint64_t len,
		    struct vft_err *err)
{
	int ret;

	if (io == NULL || io->be == NULL)
		return vft_err_set(err, -EINVAL, "DMA unmap: no IOMMU context");
	pthread_mutex_lock(&io->lock);
	if (!vft_iommu_dma_ready(io))
		ret = vft_err_set(err, -ENODEV,
				  "DMA unmap at iova 0x%llx: no device is "
				  "open in this IOMMU context",
				  (unsigned long long)iova);
	else
		ret = io->be->dma_unmap(io, iova, len, err);
	pthread_mutex_unlock(&io->lock);
	return ret;
}

void
vft_iommu_close(struct vft_iommu *io)
{
	if (io == NULL || io->be == NULL)
		return;
	pthread_mutex_lock(&io->lock);
	if (io->n_devices == 0 && io->n_opening == 0)
		io->be->close(io);
	pthread_mutex_unlock(&io->lock);
}

/* ---- open --------------------------------------------------------------- */

static int
vft_open_refused(const struct vft_sys *sys, const struct vft_pci_addr *addr,
		 bool token, int error, enum vft_step step,
		 struct vft_explanation *why)
{
	if (why != NULL)
		vft_explain_step(sys, addr, token, error, step, why);
	return error;
}

/*
 * sysfs first: a missing or unbound function never touches /dev/vfio. The
 * open needs the binding only (driver and iommu_group links); a refusal is
 * explained from a full read (vft_explain_step()).
 */
int
vft_iommu_open_sysfs(const struct vft_sys *sys, const struct vft_pci_addr *addr,
		     struct vft_pci_dev *dev)
{
	int ret = vft_pci_dev_read_parts(sys, addr, dev, VFT_PCI_PART_DRIVER,
					 NULL);

	if (ret < 0)
		return ret;
	if (!vft_pci_dev_on_vfio(dev))
		return -ENODEV;
	if (dev->iommu_group < 0)
		return -ENOENT;
	return 0;
}

/* An open begins (+1) or ends without a device (-1): the last open under
 * way of a context with no device closes what it opened (the cdev path's
 * iommufd; groups close with their last reference). */
void
vft_iommu_opening(struct vft_iommu *io, int delta)
{
	pthread_mutex_lock(&io->lock);
	io->n_opening = (unsigned int)((int)io->n_opening + delta);
	if (delta < 0 && io->n_opening == 0 && io->n_devices == 0)
		io->be->close(io);
	pthread_mutex_unlock(&io->lock);
}

/* The first device that gives the context an IOMMU maps memory. */
static int
vft_open_dma_ready(struct vft_iommu *io)
{
	int ret;

	if (io->dma_mapped || io->dma_ready == NULL || !io->be->dma_ready(io))
		return 0;
	ret = io->dma_ready(io, io->dma_ready_arg);
	if (ret < 0)
		return ret;
	io->dma_mapped = true;
	return 0;
}

/* A device is open: it joins the context, which maps memory if it just got
 * its IOMMU. */
int
vft_iommu_open_finish(struct vft_iommu *io, const struct vft_sys *sys,
		      const struct vft_pci_addr *addr, struct vft_device *d,
		      struct vft_explanation *why)
{
	int ret;

	pthread_mutex_lock(&io->lock);
	d->iommu = io;
	io->n_devices++;
	io->n_opening--;
	ret = vft_open_dma_ready(io);
	pthread_mutex_unlock(&io->lock);
	if (ret < 0) {
		vft_device_close(d);
		return vft_open_refused(sys, addr, false, ret, VFT_STEP_DMA_MAP,
					why);
	}
	return 0;
}

int
vft_iommu_open_device(struct vft_iommu *io, const struct vft_sys *sys,
		      const struct vft_pci_addr *addr,
		      const struct vft_token *tok, struct vft_device *d,
		      struct vft_explanation *why)
{
	bool token = tok != NULL && vft_token_present(tok);
	enum vft_step step = VFT_STEP_SYSFS;
	struct vft_pci_dev *dev;
	struct vft_err err;
	int ret;

	if (io == NULL || io->be == NULL || addr == NULL || d == NULL)
		return vft_explain_bad_call(io == NULL || io->be == NULL,
					    addr == NULL, why);
	vft_device_state_clear(d);
	dev = malloc(sizeof(*dev));
	if (dev == NULL)
		return vft_open_refused(sys, addr, token, -ENOMEM,
					VFT_STEP_SYSFS, why);
	vft_err_clear(&err);
	ret = vft_iommu_open_sysfs(sys, addr, dev);
	vft_iommu_opening(io, 1);
	if (ret == 0)
		ret = io->be->open_device(io, sys, dev, tok, d, &step, &err);
	free(dev);
	if (ret < 0) {
		vft_iommu_opening(io, -1);
		return vft_open_refused(sys, addr, token, ret, step, why);
	}
	ret = vft_iommu_open_finish(io, sys, addr, d, why);
	/* The path matters to a success too (vft_explain.c: the cdev path
	 * of a kernel that checks no token). */
	if (ret == 0 && why != NULL)
		vft_explain_step(
			sys, addr, token, 0,
			d->cdev >= 0 ? VFT_STEP_CDEV_BIND : VFT_STEP_ANY, why);
	return ret;
}

/* The requests vft_iommu_open_devices() opens, shared by its threads. */
struct vft_open_work {
	struct vft_open_req *reqs;
	unsigned int n;
	unsigned int next; /* the next request, taken atomically */
};

static uint64_t
vft_open_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *
vft_open_worker(void *arg)
{
	struct vft_open_work *w = arg;
	unsigned int i;

	while ((i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->n) {
		struct vft_open_req *r = &w->reqs[i];

		if (r->skip)
			continue;
		r->start_ns = vft_open_clock();
		r->ret = vft_iommu_open_device(r->io, r->sys, &r->addr, r->tok,
					       r->d, &r->why);
		r->end_ns = vft_open_clock();
	}
	return NULL;
}

/*
 * Why the opens may overlap: each runs vft_iommu_open_via() as alone; a
 * context changes only under io->lock (recursive), which is never held
 * across the kernel's open of a device (VFIO_GROUP_GET_DEVICE_FD, or
 * VFIO_DEVICE_BIND_IOMMUFD on the cdev path), where vfio-pci resets the
 * function. The kernel orders the rest: vfio_df_open() runs under the
 * dev_set's lock (drivers/vfio/vfio_main.c), which a PF's VFs share
 * before Linux 6.17 and do not since (ARCHITECTURE.md, section 9).
 */
unsigned int
vft_iommu_open_devices(struct vft_open_req *reqs, unsigned int n,
		       unsigned int max_threads)
{
	struct vft_open_work w = { .reqs = reqs, .n = n, .next = 0 };
	pthread_t tids[VFT_OPEN_MAX_THREADS];
	unsigned int i, nt = 0, todo = 0, failed = 0;

	if (reqs == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		reqs[i].ret = 0;
		reqs[i].start_ns = reqs[i].end_ns = 0;
		todo += !reqs[i].skip;
	}
	if (max_threads > VFT_OPEN_MAX_THREADS)
		max_threads = VFT_OPEN_MAX_THREADS;
	/* the caller's thread is one of them */
	while (nt + 1 < max_threads && nt + 1 < todo &&
	       pthread_create(&tids[nt], NULL, vft_open_worker, &w) == 0)
		nt++;
	vft_open_worker(&w);
	for (i = 0; i < nt; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < n; i++)
		failed += !reqs[i].skip && reqs[i].ret < 0;
	return failed;
}

int
vft_device_pf_vfs_in_use(struct vft_device *pf)
{
	int ret;

	if (pf == NULL || pf->fd < 0 || pf->revoked || pf->iommu == NULL)
		return -ENODEV;
	ret = pf->iommu->be->reopen_probe(pf);
	if (ret == 0)
		return 0;
	return ret == -EACCES ? 1 : ret;
}

/* ---- preparing the function ------------------------------------------- */

static int
vft_device_cfg_update16(struct vft_device *d, off_t off, uint16_t set)
{
	uint16_t v;
	int ret;

	ret = vft_device_config_read(d, &v, sizeof(v), off);
	if (ret < 0)
		return ret;
	v |= set;
	return vft_device_config_write(d, &v, sizeof(v), off);
}

bool
vft_device_has_reset(const struct vft_device *d)
{
	return d != NULL && (d->flags & VFIO_DEVICE_FLAGS_RESET);
}

int
vft_device_prepare(struct vft_device *d, struct vft_err *err)
{
	char name[VFT_PCI_ADDR_LEN];
	int ret;

	if (d == NULL || d->fd < 0)
		return vft_err_set(err, -EBADF, "device is not open");
	vft_pci_addr_format(&d->addr, name);
	ret = vft_device_cfg_update16(d, PCI_COMMAND,
				      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (ret < 0)
		return vft_err_set(err, ret,
				   "%s: cannot enable memory decoding and bus "
				   "mastering: %s",
				   name, strerror(-ret));
	if (!(d->flags & VFIO_DEVICE_FLAGS_RESET))
		return 0;
	/* Reset once per open: see vft_device_kernel_reset(). */
	if (d->kernel_reset) {
		d->kernel_reset = false;
		return 0;
	}
	/* vfio-pci answers -EINVAL when no reset method is usable now. */
	if (vft_os->ioctl(d->fd, VFIO_DEVICE_RESET, 0) < 0) {
		ret = vft_os_errno();
		if (ret != -EINVAL)
			return vft_err_set(err, ret,
					   "VFIO_DEVICE_RESET on %s: %s", name,
					   strerror(-ret));
		return 0;
	}
	d->n_resets++;
	return 0;
}

/* ---- BARs ------------------------------------------------------------- */

/* Where the MSI-X table is (PCI Local Bus 3.0, 6.8.2): BAR and bytes. */
struct vft_msix_table {
	int bar; /* -1: no MSI-X */
	uint64_t start;
	uint64_t end;
};

static int
vft_msix_table_find(struct vft_device *d, struct vft_msix_table *t)
{
	uint8_t pos, id;
	uint16_t flags;
	uint32_t table;
	int ttl = 48; /* capabilities fit in 192 bytes of 4-byte entries */

	t->bar = -1;
	if (vft_device_config_read(d, &pos, 1, PCI_CAPABILITY_LIST) < 0)
		return -EIO;
	while (pos >= 0x40 && ttl-- > 0) {
		if (vft_device_config_read(d, &id, 1, pos) < 0)
			return -EIO;
		if (id == PCI_CAP_ID_MSIX) {
			if (vft_device_config_read(d, &flags, 2,
						   pos + PCI_MSIX_FLAGS) < 0 ||
			    vft_device_config_read(d, &table, 4,
						   pos + PCI_MSIX_TABLE) < 0)
				return -EIO;
			t->bar = (int)(table & PCI_MSIX_TABLE_BIR);
			t->start = table & PCI_MSIX_TABLE_OFFSET;
			t->end = t->start +
				 16ULL * ((flags & PCI_MSIX_FLAGS_QSIZE) + 1);
			return 0;
		}
		if (vft_device_config_read(d, &pos, 1, pos + 1) < 0)
			return -EIO;
	}
	return 0;
}

static bool
vft_bar_is_io(struct vft_device *d, unsigned int i)
{
	uint32_t bar;

	if (vft_device_config_read(d, &bar, 4, PCI_BASE_ADDRESS_0 + 4 * i) < 0)
		return false;
	return (bar & PCI_BASE_ADDRESS_SPACE) == PCI_BASE_ADDRESS_SPACE_IO;
}

static bool
vft_bar_mappable(struct vft_device *d, unsigned int i)
{
	const struct vft_region *r = &d->regions[i];

	return i < d->num_regions && r->size > 0 && r->size <= SIZE_MAX &&
	       (r->flags & VFIO_REGION_INFO_FLAG_MMAP) && !vft_bar_is_io(d, i);
}

static int
vft_bar_map_piece(void *at, size_t len, int fd, uint64_t off)
{
	void *p = vft_os->mmap(at, len, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED, fd, (off_t)off);

	return p == MAP_FAILED ? vft_os_errno() : 0;
}

/*
 * Where a BAR goes: anywhere (@p at NULL), preferably at @p at, or exactly
 * there (@p exact: -EEXIST if the range is taken in this process).
 */
struct vft_bar_place {
	void *at;
	bool exact;
};

/* mmap() at a place; MAP_FAILED with errno set when not there. */
static void *
vft_bar_mmap(const struct vft_bar_place *pl, size_t len, int prot, int flags,
	     int fd, off_t off)
{
	void *p;

	if (pl->at != NULL && pl->exact)
		flags |= MAP_FIXED_NOREPLACE;
	p = vft_os->mmap(pl->at, len, prot, flags, fd, off);
	if (p != MAP_FAILED && pl->exact && p != pl->at) {
		/* a kernel without MAP_FIXED_NOREPLACE placed it elsewhere */
		vft_os->munmap(p, len);
		errno = EEXIST;
		return MAP_FAILED;
	}
	return p;
}

/*
 * The kernel refuses to map a BAR over its MSI-X table when it does not
 * report VFIO_REGION_INFO_CAP_MSIX_MAPPABLE: map the pages around the
 * table into an inaccessible reservation of the BAR's size.
 */
static int
vft_bar_map_around(struct vft_device *d, unsigned int i,
		   const struct vft_msix_table *t,
		   const struct vft_bar_place *pl)
{
	struct vft_region *r = &d->regions[i];
	size_t len = (size_t)r->size, pg = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t lo = t->start & ~(uint64_t)(pg - 1);
	uint64_t hi = (t->end + pg - 1) & ~(uint64_t)(pg - 1);
	char *base;
	int ret = 0;

	base = vft_bar_mmap(pl, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			    0);
	if (base == MAP_FAILED)
		return vft_os_errno();
	if (lo > 0)
		ret = vft_bar_map_piece(base, (size_t)lo, d->fd, r->offset);
	if (ret == 0 && hi < r->size)
		ret = vft_bar_map_piece(base + hi, len - (size_t)hi, d->fd,
					r->offset + hi);
	if (ret < 0) {
		vft_os->munmap(base, len);
		return ret;
	}
	r->map = base;
	r->map_len = len;
	return 0;
}

static int
vft_bar_map(struct vft_device *d, unsigned int i,
	    const struct vft_msix_table *t, const struct vft_bar_place *pl,
	    struct vft_err *err)
{
	struct vft_region *r = &d->regions[i];
	char name[VFT_PCI_ADDR_LEN];
	void *p;
	int ret;

	p = vft_bar_mmap(pl, (size_t)r->size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, d->fd, (off_t)r->offset);
	if (p != MAP_FAILED) {
		r->map = p;
		r->map_len = (size_t)r->size;
		return 0;
	}
	ret = vft_os_errno();
	if ((int)i == t->bar && ret != -EEXIST)
		ret = vft_bar_map_around(d, i, t, pl);
	if (ret == 0)
		return 0;
	vft_pci_addr_format(&d->addr, name);
	if (ret == -EEXIST)
		return vft_err_set(err, ret,
				   "%s: cannot map BAR%u (%llu bytes) at %p: "
				   "the range is in use in this process",
				   name, i, (unsigned long long)r->size,
				   pl->at);
	return vft_err_set(err, ret, "%s: cannot map BAR%u (%llu bytes)%s: %s",
			   name, i, (unsigned long long)r->size,
			   (int)i == t->bar ? " around its MSI-X table" : "",
			   strerror(-ret));
}

int
vft_device_map_bars_at(struct vft_device *d, void *const at[VFT_NUM_BARS],
		       bool exact, struct vft_err *err)
{
	struct vft_msix_table t = { .bar = -1 };
	struct vft_bar_place pl;
	unsigned int i;
	int ret;

	if (d == NULL || d->fd < 0 || d->revoked)
		return vft_err_set(err, -EBADF, "device is not open");
	if (vft_msix_table_find(d, &t) < 0)
		t.bar = -1;
	for (i = 0; i < VFT_NUM_BARS; i++) {
		if (d->regions[i].map != NULL || !vft_bar_mappable(d, i))
			continue;
		pl.at = at != NULL ? at[i] : NULL;
		pl.exact = exact;
		ret = vft_bar_map(d, i, &t, &pl, err);
		if (ret < 0) {
			for (i = 0; i < VFT_NUM_BARS; i++)
				vft_device_region_unmap(d, i);
			return ret;
		}
	}
	return 0;
}

int
vft_device_map_bars(struct vft_device *d, struct vft_err *err)
{
	return vft_device_map_bars_at(d, NULL, false, err);
}

bool
vft_device_bar_mappable(struct vft_device *d, unsigned int i)
{
	return d != NULL && d->fd >= 0 && i < VFT_NUM_BARS &&
	       vft_bar_mappable(d, i);
}

/* ---- interrupts ------------------------------------------------------- */

int
vft_device_irq_pick(struct vft_device *d, uint32_t allowed, uint32_t *index,
		    uint32_t *count)
{
	static const uint32_t order[] = { VFT_IRQ_MSIX, VFT_IRQ_MSI,
					  VFT_IRQ_INTX };
	unsigned int i;
	uint32_t n;

	if (d == NULL || d->fd < 0 || index == NULL || count == NULL)
		return -EBADF;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(allowed & VFT_IRQ_BIT(order[i])) ||
		    vft_device_irq_count(d, order[i], &n, NULL) < 0 || n == 0)
			continue;
		*index = order[i];
		*count = n;
		return 0;
	}
	return -ENOENT;
}

int
vft_device_req_notify(struct vft_device *d, int efd, struct vft_err *err)
{
	uint32_t n = 0;
	int ret;

	if (d == NULL || d->fd < 0 || d->revoked)
		return vft_err_set(err, -EBADF, "device is not open");
	/* Older kernels (before 4.6) have no request IRQ. */
	ret = vft_device_irq_count(d, VFT_IRQ_REQ, &n, err);
	if (ret < 0 || n == 0)
		return ret < 0 ? ret
			       : vft_err_set(err, -ENOTSUP,
					     "the kernel has no VFIO request "
					     "IRQ for this device");
	return vft_device_irq_enable(d, VFT_IRQ_REQ, &efd, 1, err);
}

/* ---- giving the device back ------------------------------------------- */

void
vft_device_revoke(struct vft_device *d)
{
	unsigned int i;
	int null;

	if (d == NULL || d->fd < 0 || d->revoked)
		return;
	d->revoked = true;
	for (i = 0; i < VFT_MAX_REGIONS; i++) {
		struct vft_region *r = &d->regions[i];

		if (r->map != NULL)
			vft_os->mmap(r->map, r->map_len, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				     -1, 0);
	}
	null = vft_os->open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		vft_os->dup3(null, d->fd, O_CLOEXEC);
		vft_os->close(null);
	}
	/* The kernel dropped the triggers with the device. */
	d->irqs_on = 0;
	d->irq_index = -1;
}

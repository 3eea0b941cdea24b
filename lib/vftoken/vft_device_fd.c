/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * What a VFIO device fd offers whatever path opened it (group, cdev, or
 * another process that handed it over): device and region info, adopt,
 * close (one or many at once), regions, config space, IRQs and
 * VFIO_DEVICE_FEATURE PCI_VF_TOKEN; the VFIO paths' names and the rule of
 * the kernel's reset at open. The backends and the device layer
 * (vft_device.c) are built on it.
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

void
vft_step_set(enum vft_step *step, enum vft_step value)
{
	if (step != NULL)
		*step = value;
}

void
vft_device_state_clear(struct vft_device *d)
{
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->irq_index = -1;
	d->cdev = -1;
	for (i = 0; i < VFT_MAX_REGIONS; i++)
		d->regions[i].index = i;
}

/* VFIO_DEVICE_GET_REGION_INFO of region @p index into d->regions[index]. */
static int
vft_device_region_load(struct vft_device *d, uint32_t index)
{
	struct vfio_region_info info;

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.index = index;
	if (vft_os->ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO,
			  (uintptr_t)&info) < 0)
		return vft_os_errno();
	d->regions[index].flags = info.flags;
	d->regions[index].size = info.size;
	d->regions[index].offset = info.offset;
	return 0;
}

static int
vft_device_info_query(int fd, struct vfio_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	if (vft_os->ioctl(fd, VFIO_DEVICE_GET_INFO, (uintptr_t)info) < 0)
		return vft_os_errno();
	return 0;
}

/* Read the info of the regions this library handles into d->regions. */
static int
vft_device_regions_read(struct vft_device *d, const char *dname,
			struct vft_err *err)
{
	uint32_t i, n;

	n = d->num_regions < VFT_MAX_REGIONS ? d->num_regions : VFT_MAX_REGIONS;
	/* num_regions comes from the kernel through the ioctl, which cppcheck
	 * cannot see into. */
	/* cppcheck-suppress knownConditionTrueFalse */
	for (i = 0; i < n; i++) {
		int ret = vft_device_region_load(d, i);

		/* vfio-pci refuses the VGA region of a non-VGA device. */
		if (ret == -EINVAL && i == VFIO_PCI_VGA_REGION_INDEX)
			continue;
		if (ret < 0)
			return vft_err_set(err, ret,
					   "VFIO_DEVICE_GET_REGION_INFO(%u) on "
					   "%s: %s",
					   i, dname, strerror(-ret));
	}
	return 0;
}

int
vft_device_adopt_fd(struct vft_device *d, int fd,
		    const struct vft_pci_addr *addr, struct vft_err *err,
		    enum vft_step *step)
{
	struct vfio_device_info info;
	char dname[VFT_PCI_ADDR_LEN];
	int ret;

	vft_step_set(step, VFT_STEP_DEVICE_INFO);
	vft_pci_addr_format(addr, dname);
	ret = vft_device_info_query(fd, &info);
	if (ret < 0) {
		vft_os->close(fd);
		return vft_err_set(err, ret, "VFIO_DEVICE_GET_INFO on %s: %s",
				   dname, strerror(-ret));
	}

	d->fd = fd;
	d->addr = *addr;
	d->flags = info.flags;
	d->num_regions = info.num_regions;
	d->num_irqs = info.num_irqs;
	/* who opened the fd, and whether first, is the caller's to say */
	d->kernel_reset = false;

	ret = vft_device_regions_read(d, dname, err);
	if (ret < 0) {
		vft_os->close(fd);
		vft_device_state_clear(d);
		return ret;
	}
	return 0;
}

int
vft_device_adopt(struct vft_device *d, int fd, const struct vft_pci_addr *addr,
		 struct vft_err *err)
{
	if (d == NULL || addr == NULL || fd < 0) {
		if (fd >= 0)
			vft_os->close(fd);
		return vft_err_set(err, -EINVAL, "no device fd to adopt");
	}
	vft_device_state_clear(d);
	return vft_device_adopt_fd(d, fd, addr, err, NULL);
}

/* Disable every IRQ index enabled through this library. */
static void
vft_device_irqs_off(struct vft_device *d)
{
	uint32_t i;

	for (i = 0; i < 32 && d->irqs_on != 0; i++)
		if (d->irqs_on & (1u << i))
			vft_device_irq_disable(d, i);
}

/* vft_device_close() up to the fd: BARs unmapped, IRQs off. */
static void
vft_device_close_begin(struct vft_device *d)
{
	uint32_t i;

	for (i = 0; i < VFT_MAX_REGIONS; i++)
		vft_device_region_unmap(d, i);
	/* A revoked fd is /dev/null: nothing to tell the kernel. */
	if (d->fd >= 0 && !d->revoked)
		vft_device_irqs_off(d);
}

/* vft_device_close() after the fd: the context let go of. */
static void
vft_device_close_end(struct vft_device *d)
{
	struct vft_iommu *io = d->iommu;

	if (io != NULL && io->be != NULL) {
		pthread_mutex_lock(&io->lock);
		io->be->close_device(io, d);
		if (io->n_devices > 0)
			io->n_devices--;
		pthread_mutex_unlock(&io->lock);
	}
	vft_device_state_clear(d);
}

void
vft_device_close(struct vft_device *d)
{
	if (d == NULL)
		return;
	vft_device_close_begin(d);
	vft_os_close_fd(&d->fd);
	vft_device_close_end(d);
}

/*
 * The fds vft_devices_close() closes, in lanes: the fds of one lane are
 * closed one after the other on one thread, in the caller's order, and
 * the lanes on as many threads as allowed.
 */
struct vft_close_work {
	int *fds;	      /* lane by lane */
	unsigned int *starts; /* n_lanes + 1 offsets into fds */
	unsigned int n_lanes;
	unsigned int next; /* the next lane, taken atomically */
};

static void *
vft_close_worker(void *arg)
{
	struct vft_close_work *w = arg;
	unsigned int l, i;

	while ((l = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) <
	       w->n_lanes)
		for (i = w->starts[l]; i < w->starts[l + 1]; i++)
			vft_os->close(w->fds[i]);
	return NULL;
}

/*
 * The lane of a function's last close: the PCI bus of the bridge that
 * vfio-pci locks to reset it there. vfio_pci_core_disable() (in the
 * sources of Linux 6.12 and 7.2; not 6.1) resets a function at its last
 * close only if
 * pci_dev_trylock() takes its upstream bridge, pci_upstream_bridge():
 * pci_physfn(dev)->bus->self, the same for every VF of one PF and every
 * function on one bus. A close that finds the bridge held by another
 * close's reset skips its own (seen in the rig on 7.2: 1 ms closes beside
 * 105 ms ones), so closes of one bus run one after the other.
 */
static uint32_t
vft_close_lane_key(const struct vft_sys *sys, const struct vft_pci_addr *a,
		   struct vft_pci_dev *scratch)
{
	struct vft_pci_addr b = *a;
	int ret = -EINVAL;

	if (sys != NULL && scratch != NULL)
		ret = vft_pci_dev_read_parts(sys, a, scratch,
					     VFT_PCI_PART_SRIOV, NULL);
	if (ret == 0 && scratch->is_vf)
		b = scratch->pf;
	return (b.domain << 8) | b.bus;
}

static void
vft_close_plan_free(struct vft_close_work *w)
{
	free(w->fds);
	free(w->starts);
	memset(w, 0, sizeof(*w));
}

/* The open fds of @p ds in lanes (vft_close_lane_key()), lanes in the
 * order of their first device, each in list order. */
static int
vft_close_plan(const struct vft_sys *sys, struct vft_device *const *ds,
	       unsigned int n, struct vft_close_work *w)
{
	struct vft_pci_dev *scratch = malloc(sizeof(*scratch));
	uint32_t *keys = calloc(n, sizeof(*keys));
	uint32_t *lane_keys = calloc(n, sizeof(*lane_keys));
	unsigned int i, l, k = 0;

	memset(w, 0, sizeof(*w));
	w->fds = calloc(n, sizeof(*w->fds));
	w->starts = calloc(n + 1, sizeof(*w->starts));
	if (keys == NULL || lane_keys == NULL || w->fds == NULL ||
	    w->starts == NULL) {
		free(scratch);
		free(keys);
		free(lane_keys);
		vft_close_plan_free(w);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (ds[i] == NULL || ds[i]->fd < 0)
			continue;
		keys[i] = vft_close_lane_key(sys, &ds[i]->addr, scratch);
		for (l = 0; l < w->n_lanes && lane_keys[l] != keys[i]; l++)
			;
		if (l == w->n_lanes)
			lane_keys[w->n_lanes++] = keys[i];
	}
	for (l = 0; l < w->n_lanes; l++) {
		w->starts[l] = k;
		for (i = 0; i < n; i++)
			if (ds[i] != NULL && ds[i]->fd >= 0 &&
			    keys[i] == lane_keys[l])
				w->fds[k++] = ds[i]->fd;
	}
	w->starts[w->n_lanes] = k;
	free(scratch);
	free(keys);
	free(lane_keys);
	return 0;
}

/*
 * A close thread calls close() only: a small stack. In a process that
 * locked its memory (mlockall(MCL_FUTURE): dpdk-testpmd does after EAL's
 * init) the kernel faults in every page of a new thread's stack when
 * glibc makes it writable (mprotect() populates a VM_LOCKED mapping), and
 * glibc's default of 8 MiB took 0.5 s per thread in the rig under TCG.
 */
#define VFT_CLOSE_STACK (64 * 1024)

/* Up to @p max - 1 threads more than the caller's for @p w's lanes. */
static unsigned int
vft_close_threads(struct vft_close_work *w, unsigned int max, pthread_t *tids)
{
	pthread_attr_t attr;
	unsigned int nt = 0;
	bool small;

	if (pthread_attr_init(&attr) != 0)
		return 0;
	small = pthread_attr_setstacksize(&attr, VFT_CLOSE_STACK) == 0;
	while (nt + 1 < max && nt + 1 < w->n_lanes &&
	       pthread_create(&tids[nt], small ? &attr : NULL, vft_close_worker,
			      w) == 0)
		nt++;
	pthread_attr_destroy(&attr);
	return nt;
}

/*
 * Each close of a device fd that is the function's last is a reset in the
 * kernel (vfio_pci_core_disable(), an FLR: 100 ms for a VF), so closing
 * many devices one after the other takes as many times that. The fds are
 * closed in lanes (vft_close_lane_key(): one per bus whose bridge the
 * reset locks), each lane's in turn, the lanes on up to @p max_threads
 * threads at once (the caller's included); everything else (BARs, IRQs,
 * groups, container) on the caller's thread: first what precedes the
 * close of every device, then the closes, then what follows them, so a
 * group is still closed after its devices.
 */
unsigned int
vft_devices_close(const struct vft_sys *sys, struct vft_device *const *ds,
		  unsigned int n, unsigned int max_threads)
{
	pthread_t tids[VFT_CLOSE_MAX_THREADS];
	struct vft_close_work w;
	unsigned int i, nt = 0;

	if (ds == NULL || n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (ds[i] != NULL)
			vft_device_close_begin(ds[i]);
	if (vft_close_plan(sys, ds, n, &w) < 0) {
		for (i = 0; i < n; i++) /* no memory: in turn */
			if (ds[i] != NULL)
				vft_os_close_fd(&ds[i]->fd);
	} else {
		for (i = 0; i < n; i++)
			if (ds[i] != NULL)
				ds[i]->fd = -1;
		if (max_threads > VFT_CLOSE_MAX_THREADS)
			max_threads = VFT_CLOSE_MAX_THREADS;
		nt = vft_close_threads(&w, max_threads, tids);
		vft_close_worker(&w);
		for (i = 0; i < nt; i++)
			pthread_join(tids[i], NULL);
		vft_close_plan_free(&w);
	}
	for (i = 0; i < n; i++)
		if (ds[i] != NULL)
			vft_device_close_end(ds[i]);
	return nt + 1;
}

static int
vft_device_check(const struct vft_device *d, uint32_t index,
		 struct vft_err *err)
{
	if (d == NULL || d->fd < 0)
		return vft_err_set(err, -EBADF, "device is not open");
	if (index >= VFT_MAX_REGIONS || index >= d->num_regions) {
		char name[VFT_PCI_ADDR_LEN];

		vft_pci_addr_format(&d->addr, name);
		return vft_err_set(err, -EINVAL,
				   "%s: region %u does not exist (the device "
				   "has %u, this library handles %d)",
				   name, index, d->num_regions,
				   VFT_MAX_REGIONS);
	}
	return 0;
}

int
vft_device_region_info(struct vft_device *d, uint32_t index,
		       struct vft_err *err)
{
	int ret;

	ret = vft_device_check(d, index, err);
	if (ret < 0)
		return ret;
	ret = vft_device_region_load(d, index);
	if (ret < 0) {
		char name[VFT_PCI_ADDR_LEN];

		vft_pci_addr_format(&d->addr, name);
		return vft_err_set(err, ret,
				   "VFIO_DEVICE_GET_REGION_INFO(%u) on %s: %s",
				   index, name, strerror(-ret));
	}
	return 0;
}

int
vft_device_region_map(struct vft_device *d, uint32_t index, void **addr,
		      struct vft_err *err)
{
	struct vft_region *r;
	char name[VFT_PCI_ADDR_LEN];
	void *map;
	int prot = 0, ret;

	ret = vft_device_check(d, index, err);
	if (ret < 0)
		return ret;
	r = &d->regions[index];
	if (r->map != NULL) {
		if (addr != NULL)
			*addr = r->map;
		return 0;
	}
	vft_pci_addr_format(&d->addr, name);
	if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP) || r->size == 0)
		return vft_err_set(
			err, -EINVAL,
			"%s: region %u cannot be mapped (flags 0x%x, "
			"size %llu)",
			name, index, r->flags, (unsigned long long)r->size);
	if (r->size > SIZE_MAX)
		return vft_err_set(err, -EOVERFLOW,
				   "%s: region %u is larger than the address "
				   "space",
				   name, index);
	if (r->flags & VFIO_REGION_INFO_FLAG_READ)
		prot |= PROT_READ;
	if (r->flags & VFIO_REGION_INFO_FLAG_WRITE)
		prot |= PROT_WRITE;
	map = vft_os->mmap(NULL, (size_t)r->size, prot, MAP_SHARED, d->fd,
			   (off_t)r->offset);
	if (map == MAP_FAILED) {
		ret = vft_os_errno();
		return vft_err_set(err, ret, "mmap of %s region %u: %s", name,
				   index, strerror(-ret));
	}
	r->map = map;
	r->map_len = (size_t)r->size;
	if (addr != NULL)
		*addr = map;
	return 0;
}

void
vft_device_region_unmap(struct vft_device *d, uint32_t index)
{
	struct vft_region *r;

	if (d == NULL || index >= VFT_MAX_REGIONS)
		return;
	r = &d->regions[index];
	if (r->map != NULL)
		vft_os->munmap(r->map, r->map_len);
	r->map = NULL;
	r->map_len = 0;
}

/*
 * Check buf and [off, off + len) against the config region and give the
 * file position of off in the device fd (VFIO region offset + off).
 */
static int
vft_device_config_pos(const struct vft_device *d, const void *buf, size_t len,
		      off_t off, off_t *pos)
{
	const struct vft_region *r;

	if (buf == NULL)
		return -EINVAL;
	if (d == NULL || d->fd < 0)
		return -EBADF;
	if (d->num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		return -ENODEV;
	r = &d->regions[VFIO_PCI_CONFIG_REGION_INDEX];
	if (off < 0 || (uint64_t)off > r->size || len > r->size - (uint64_t)off)
		return -EINVAL;
	*pos = (off_t)r->offset + off;
	return 0;
}

/* Result of a config pread/pwrite: a short transfer is an I/O error. */
static int
vft_device_config_done(ssize_t n, size_t len)
{
	if (n < 0)
		return vft_os_errno();
	return (size_t)n == len ? 0 : -EIO;
}

int
vft_device_config_read(struct vft_device *d, void *buf, size_t len, off_t off)
{
	off_t pos;
	int ret;

	ret = vft_device_config_pos(d, buf, len, off, &pos);
	if (ret < 0)
		return ret;
	return vft_device_config_done(vft_os->pread(d->fd, buf, len, pos), len);
}

int
vft_device_config_write(struct vft_device *d, const void *buf, size_t len,
			off_t off)
{
	off_t pos;
	int ret;

	ret = vft_device_config_pos(d, buf, len, off, &pos);
	if (ret < 0)
		return ret;
	return vft_device_config_done(vft_os->pwrite(d->fd, buf, len, pos),
				      len);
}

/* ------------------------------------------------------------------------ */
/* Interrupts                                                               */
/* ------------------------------------------------------------------------ */

/* Most vectors routed in one VFIO_DEVICE_SET_IRQS (MSI-X allows 2048). */
#define VFT_MAX_IRQ_FDS 2048

int
vft_device_irq_count(struct vft_device *d, uint32_t index, uint32_t *count,
		     struct vft_err *err)
{
	struct vfio_irq_info info;
	char name[VFT_PCI_ADDR_LEN];

	if (d == NULL || d->fd < 0 || count == NULL)
		return vft_err_set(err, -EBADF, "device is not open");
	vft_pci_addr_format(&d->addr, name);
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.index = index;
	if (vft_os->ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, (uintptr_t)&info) <
	    0) {
		int ret = vft_os_errno();

		return vft_err_set(err, ret,
				   "VFIO_DEVICE_GET_IRQ_INFO(%u) on %s: %s",
				   index, name, strerror(-ret));
	}
	*count = info.count;
	return 0;
}

int
vft_device_irq_enable(struct vft_device *d, uint32_t index, const int *fds,
		      unsigned int n, struct vft_err *err)
{
	struct vfio_irq_set *set;
	char name[VFT_PCI_ADDR_LEN];
	size_t sz;
	int ret;

	if (d == NULL || d->fd < 0)
		return vft_err_set(err, -EBADF, "device is not open");
	vft_pci_addr_format(&d->addr, name);
	if (fds == NULL || n == 0 || n > VFT_MAX_IRQ_FDS)
		return vft_err_set(err, -EINVAL,
				   "%s: IRQ %u: %u eventfds given, expected 1 "
				   "to %d",
				   name, index, fds == NULL ? 0 : n,
				   VFT_MAX_IRQ_FDS);

	/* struct vfio_irq_set is followed by one __s32 eventfd per vector. */
	sz = sizeof(*set) + (size_t)n * sizeof(int32_t);
	set = calloc(1, sz);
	if (set == NULL)
		return vft_err_set(err, -ENOMEM, "%s: IRQ %u: out of memory",
				   name, index);
	set->argsz = (uint32_t)sz;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = 0;
	set->count = n;
	memcpy(set->data, fds, (size_t)n * sizeof(int32_t));
	ret = vft_os->ioctl(d->fd, VFIO_DEVICE_SET_IRQS, (uintptr_t)set);
	ret = ret < 0 ? vft_os_errno() : 0;
	free(set);
	if (ret < 0)
		return vft_err_set(
			err, ret,
			"VFIO_DEVICE_SET_IRQS(index %u, %u eventfds) "
			"on %s: %s",
			index, n, name, strerror(-ret));
	d->irq_index = (int)index;
	d->n_irq_fds = n;
	if (index < 32)
		d->irqs_on |= 1u << index;
	return 0;
}

int
vft_device_irq_disable(struct vft_device *d, uint32_t index)
{
	struct vfio_irq_set set;

	if (d == NULL || d->fd < 0)
		return -EBADF;
	/* DATA_NONE with count 0 tears down every trigger of the index. */
	memset(&set, 0, sizeof(set));
	set.argsz = sizeof(set);
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	set.index = index;
	set.start = 0;
	set.count = 0;
	if (vft_os->ioctl(d->fd, VFIO_DEVICE_SET_IRQS, (uintptr_t)&set) < 0)
		return vft_os_errno();
	if (index < 32)
		d->irqs_on &= ~(1u << index);
	if (d->irq_index == (int)index) {
		d->irq_index = -1;
		d->n_irq_fds = 0;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* VFIO_DEVICE_FEATURE PCI_VF_TOKEN                                         */
/* ------------------------------------------------------------------------ */

/* Bytes of a PCI_VF_TOKEN SET: the header, then the 16-byte UUID. */
#define VFT_FEATURE_TOKEN_LEN \
	(sizeof(struct vfio_device_feature) + VFT_UUID_LEN)

int
vft_device_vf_token_probe(struct vft_device *d, struct vft_err *err)
{
	struct vfio_device_feature probe;
	char name[VFT_PCI_ADDR_LEN];

	if (d == NULL || d->fd < 0)
		return vft_err_set(err, -EBADF, "device is not open");
	vft_pci_addr_format(&d->addr, name);
	/*
	 * PROBE with SET asks whether SET is supported: vfio-pci answers 0 on
	 * an SR-IOV PF and -ENOTTY on anything else (VFIO_DEVICE_FEATURE RFC).
	 */
	memset(&probe, 0, sizeof(probe));
	probe.argsz = sizeof(probe);
	probe.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	if (vft_os->ioctl(d->fd, VFIO_DEVICE_FEATURE, (uintptr_t)&probe) < 0) {
		int ret = vft_os_errno();

		if (ret == -ENOTTY)
			return vft_err_set(err, ret,
					   "%s does not take a VF token "
					   "(VFIO_DEVICE_FEATURE PCI_VF_TOKEN "
					   "probe: not an SR-IOV PF on "
					   "vfio-pci, or a kernel before 5.7)",
					   name);
		return vft_err_set(err, ret,
				   "VFIO_DEVICE_FEATURE PROBE PCI_VF_TOKEN on "
				   "%s: %s",
				   name, strerror(-ret));
	}
	return 0;
}

int
vft_device_vf_token_set(struct vft_device *d, const struct vft_token *tok,
			struct vft_err *err)
{
	uint32_t buf[VFT_FEATURE_TOKEN_LEN / sizeof(uint32_t)];
	struct vfio_device_feature *ft = (struct vfio_device_feature *)buf;
	char name[VFT_PCI_ADDR_LEN];
	int ret;

	if (d == NULL || d->fd < 0)
		return vft_err_set(err, -EBADF, "device is not open");
	vft_pci_addr_format(&d->addr, name);
	if (tok == NULL || !vft_token_present(tok))
		return vft_err_set(err, -EINVAL, "%s: no VF token given to set",
				   name);

	memset(buf, 0, sizeof(buf));
	ft->argsz = sizeof(buf);
	ft->flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	memcpy(ft->data, tok->uuid.b, VFT_UUID_LEN);
	ret = vft_os->ioctl(d->fd, VFIO_DEVICE_FEATURE, (uintptr_t)buf);
	ret = ret < 0 ? vft_os_errno() : 0;
	/* The buffer held the token. */
	vft_wipe(buf, sizeof(buf));
	if (ret < 0)
		return vft_err_set(err, ret,
				   "VFIO_DEVICE_FEATURE SET PCI_VF_TOKEN on "
				   "%s: %s%s",
				   name, strerror(-ret),
				   ret == -ENOTTY ? " (not an SR-IOV PF on "
						    "vfio-pci)"
						  : "");
	return 0;
}

/* ---- the VFIO paths' names ---------------------------------------------- */

/* The VFIO paths by name: a new path is a value of enum vft_path, its
 * name here and its backend (vft_device.c's table). */
static const char *const vft_path_names[] = {
	[VFT_PATH_GROUP] = "group",
	[VFT_PATH_CDEV] = "cdev",
};

#define VFT_N_PATH_NAMES (sizeof(vft_path_names) / sizeof(vft_path_names[0]))

bool
vft_path_known(unsigned int path)
{
	return path < VFT_N_PATH_NAMES && vft_path_names[path] != NULL;
}

const char *
vft_path_name(enum vft_path path)
{
	return vft_path_known((unsigned int)path) ? vft_path_names[path]
						  : "unknown";
}

int
vft_path_parse(const char *s, enum vft_path *path)
{
	unsigned int i;

	if (s == NULL || path == NULL)
		return -EINVAL;
	if (strcmp(s, "auto") == 0) {
		*path = vft_path_auto();
		return 0;
	}
	for (i = 0; i < VFT_N_PATH_NAMES; i++) {
		if (vft_path_known(i) && strcmp(s, vft_path_names[i]) == 0) {
			*path = (enum vft_path)i;
			return 0;
		}
	}
	return -EINVAL;
}

enum vft_path
vft_path_auto(void)
{
	return vft_os->access("/dev/vfio/vfio", F_OK) == 0 ? VFT_PATH_GROUP
							   : VFT_PATH_CDEV;
}

/* ---- the kernel's reset at open --------------------------------------- */

/*
 * Whether the kernel has just reset @p d, so that vft_device_prepare()
 * need not reset it a second time (each reset of a VF is an FLR and
 * 100 ms of msleep() in pcie_flr()).
 *
 * drivers/vfio/vfio_main.c vfio_df_open() runs the driver's open_device
 * only when the device's open_count goes from 0 to 1; vfio-pci's
 * vfio_pci_core_enable() (drivers/vfio/pci/vfio_pci_core.c) then calls
 * pci_try_reset_function(): -EAGAIN (the device lock was held) fails the
 * open itself, any other error leaves reset_works false, 0 sets it
 * true. VFIO_DEVICE_GET_INFO reports VFIO_DEVICE_FLAGS_RESET exactly
 * when reset_works. So an open that was the device's first and that
 * reports the flag was preceded by a successful reset in that very
 * open. Read in the Linux 7.2 source; the rig measured the same two
 * FLRs per open on 6.1 (ARCHITECTURE.md section 9).
 *
 * Whether the open was the first is what the backend knows:
 * - cdev: vfio_df_open() refuses a cdev bind while open_count != 0, so
 *   a successful VFIO_DEVICE_BIND_IOMMUFD was the first open.
 * - group: a device fd holds its group's file (vfio_group_fops_release():
 *   "Device FDs hold a group file reference") and a group file is open
 *   once at a time (vfio_group_fops_open(): -EBUSY). So when this open
 *   also opened the group file, no fd of any device of the group
 *   existed anywhere. When the context held the group already (another
 *   device of the group, or this one again), the device may be open
 *   elsewhere in this process or in a process we gave its fd to: the
 *   explicit reset stays.
 * Not known, so reset explicitly: a device adopted from another process
 * (vft_device_adopt()), and one the broker opened (the reply does not
 * say whether the broker's open was the device's first, and the broker
 * is another program).
 */
void
vft_device_kernel_reset(struct vft_device *d, bool first_open)
{
	d->kernel_reset = first_open && (d->flags & VFIO_DEVICE_FLAGS_RESET);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The bus's side of VFIO, all of it through libvftoken's device layer:
 * one IOMMU context shared by the bus's devices, each device opened into
 * it with its token, then prepared, its BARs mapped, its interrupt handles
 * built for DPDK's PCI drivers, and the kernel's request to give it back
 * followed. This file holds no VFIO ioctl and maps no VFIO region itself.
 *
 * The context is the bus's own, not EAL's default container: EAL never
 * sees these devices, so the bus maps DPDK memory into it, when the first
 * device gives it an IOMMU (walk of the memsegs, in the context's DMA
 * ready callback, whose failure fails that device's probe) and for memory
 * added later (memory event callback). Mapping is per memseg, so memory
 * freed later can be unmapped exactly (type1 cannot split a mapping).
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_interrupts.h>
#include <rte_memory.h>

#include "sriov_private.h"

/* One IOMMU context per VFIO path, indexed by enum vft_path. */
static struct vft_iommu sriov_iommu[2];
static bool sriov_mem_cb;

#define SRIOV_MEM_CB_NAME "bus_sriov_dma"

/* Where the primary maps BARs: past DPDK's memory reservations, where a
 * secondary (which maps the same reservations at the same addresses) has
 * the room to map them at the same place. A gap leaves DPDK's own pci bus
 * its range, which starts right at the end of the reservations. */
#define SRIOV_BAR_GAP (1ULL << 30)
static uintptr_t sriov_bar_next;
/* What the bus proper does when the kernel asks for a device back. */
static void (*sriov_vfio_on_request)(struct sriov_device *sd);

/* ---- DMA --------------------------------------------------------------- */

/*
 * A DMA map pins its pages and the kernel counts them against the
 * process's RLIMIT_MEMLOCK (drivers/vfio/vfio_iommu_type1.c, and iommufd's
 * accounting): an unprivileged process, such as one whose devices the
 * broker opened (doc/guides/broker.rst), fails its maps with -ENOMEM once
 * past it. Say so once, with the limit and the fix.
 */
static void
sriov_dma_memlock_hint(void)
{
	static bool said;
	struct rlimit rl;

	if (said || getrlimit(RLIMIT_MEMLOCK, &rl) < 0 ||
	    rl.rlim_cur == RLIM_INFINITY)
		return;
	said = true;
	SRIOV_LOG(ERR,
		  "DMA maps pin memory against RLIMIT_MEMLOCK, %llu KiB in "
		  "this process: memory not mapped cannot be reached by the "
		  "devices; raise the limit to DPDK's memory at least "
		  "(prlimit --memlock, ulimit -l, systemd LimitMEMLOCK=)",
		  (unsigned long long)rl.rlim_cur / 1024);
}

static int
sriov_io_dma_map(struct vft_iommu *io, uint64_t vaddr, uint64_t iova,
		 uint64_t len)
{
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vft_iommu_dma_map(io, vaddr, iova, len, &err);
	/* Already mapped (a memseg seen by the walk and the callback). */
	if (ret == -EEXIST)
		return 0;
	if (ret < 0 && ret != -ENODEV)
		SRIOV_LOG(ERR, "%s", err.msg);
	if (ret == -ENOMEM)
		sriov_dma_memlock_hint();
	return ret;
}

static int
sriov_io_dma_unmap(struct vft_iommu *io, uint64_t iova, uint64_t len)
{
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vft_iommu_dma_unmap(io, iova, len, &err);
	if (ret < 0 && ret != -ENODEV)
		SRIOV_LOG(ERR, "%s", err.msg);
	return ret;
}

/* Map (or unmap) in every context that has an IOMMU: memory DPDK adds
 * serves the devices of both paths. */
static void
sriov_dma_all(bool map, uint64_t vaddr, uint64_t iova, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(sriov_iommu); i++) {
		if (!vft_iommu_dma_ready(&sriov_iommu[i]))
			continue;
		if (map)
			sriov_io_dma_map(&sriov_iommu[i], vaddr, iova, len);
		else
			sriov_io_dma_unmap(&sriov_iommu[i], iova, len);
	}
}

/* rte_dev_dma_map() of a device: its own context. */
int
sriov_vfio_dma_map(struct sriov_device *sd, uint64_t vaddr, uint64_t iova,
		   uint64_t len)
{
	return sriov_io_dma_map(&sriov_iommu[sd->vfio_path], vaddr, iova, len);
}

int
sriov_vfio_dma_unmap(struct sriov_device *sd, uint64_t iova, uint64_t len)
{
	return sriov_io_dma_unmap(&sriov_iommu[sd->vfio_path], iova, len);
}

struct sriov_walk {
	struct vft_iommu *io;
	int failed;
};

static int
sriov_dma_walk(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	       void *arg)
{
	struct sriov_walk *w = arg;

	/* External memory is mapped by its owner with rte_dev_dma_map(). */
	if (msl->external || ms->iova == RTE_BAD_IOVA)
		return 0;
	if (sriov_io_dma_map(w->io, ms->addr_64, ms->iova, ms->len) < 0)
		w->failed++;
	return 0;
}

/* Memory added or removed after the first open (dynamic memory mode). */
static void
sriov_dma_event(enum rte_mem_event type, const void *addr, size_t len,
		void *arg)
{
	const struct rte_memseg_list *msl;
	const char *p = addr, *end = p + len;

	RTE_SET_USED(arg);
	msl = rte_mem_virt2memseg_list(addr);
	if (msl == NULL || msl->external)
		return;
	while (p < end) {
		const struct rte_memseg *ms = rte_mem_virt2memseg(p, msl);

		if (ms == NULL || ms->len == 0)
			break;
		if (ms->iova != RTE_BAD_IOVA)
			sriov_dma_all(type == RTE_MEM_EVENT_ALLOC, ms->addr_64,
				      ms->iova, ms->len);
		p += ms->len;
	}
}

/* The first device of each path may open on its own thread at once
 * (sriov_common.c, parallel open): one registration. */
static void
sriov_dma_follow_hotplug(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&lock);
	if (!sriov_mem_cb) {
		if (rte_mem_event_callback_register(SRIOV_MEM_CB_NAME,
						    sriov_dma_event, NULL) == 0)
			sriov_mem_cb = true;
		else if (rte_errno != ENOTSUP)
			SRIOV_LOG(WARNING,
				  "cannot follow memory hotplug (%s): memory "
				  "DPDK adds later is not mapped for DMA",
				  rte_strerror(rte_errno));
	}
	pthread_mutex_unlock(&lock);
}

/*
 * The context's DMA ready callback: map all DPDK memory. Under the memory
 * read lock, so no memseg is added between the walk and the registration
 * of the hotplug callback. A failure fails the open that got here.
 */
static int
sriov_dma_map_all(struct vft_iommu *io, void *arg)
{
	struct sriov_walk w = { .io = io, .failed = 0 };

	RTE_SET_USED(arg);
	rte_mcfg_mem_read_lock();
	sriov_dma_follow_hotplug();
	rte_memseg_walk_thread_unsafe(sriov_dma_walk, &w);
	rte_mcfg_mem_read_unlock();
	if (w.failed) {
		SRIOV_LOG(ERR,
			  "%d memory segments could not be mapped for DMA (%s "
			  "path)",
			  w.failed, vft_path_name(io->path));
		return -ENOMEM;
	}
	return 0;
}

/* ---- open -------------------------------------------------------------- */

/* Log why an open was refused and keep the verdict for telemetry. */
void
sriov_vfio_explain(struct sriov_device *sd, const struct vft_explanation *why)
{
	SRIOV_LOG(ERR, "%s: cannot open the device [%s]: %s", sd->name,
		  vft_verdict_name(why->verdict), why->reason);
	if (why->fix[0] != '\0')
		SRIOV_LOG(ERR, "%s: fix: %s", sd->name, why->fix);
	sriov_dev_set_error(sd, vft_verdict_name(why->verdict));
}

/*
 * Open the device into the bus's context with @p tok (NULL: none). A
 * refused open is final here: nothing of it stays open, @p why says why,
 * and the caller decides whether to try again or to explain it.
 */
int
sriov_vfio_open(struct sriov_device *sd, const struct vft_token *tok,
		struct vft_explanation *why)
{
	int ret = vft_iommu_open_device(&sriov_iommu[sd->vfio_path], sriov_sys,
					&sd->addr, tok, &sd->vfio_dev, why);

	if (ret == 0)
		sriov_dev_set_open(sd, true);
	return ret;
}

/* The request of vft_iommu_open_devices() that is sriov_vfio_open(). */
void
sriov_vfio_open_req(struct sriov_device *sd, const struct vft_token *tok,
		    struct vft_open_req *r)
{
	memset(r, 0, sizeof(*r));
	r->io = &sriov_iommu[sd->vfio_path];
	r->sys = sriov_sys;
	r->addr = sd->addr;
	r->tok = tok;
	r->d = &sd->vfio_dev;
}

/* After vft_iommu_open_devices(): what sriov_vfio_open() does next. */
void
sriov_vfio_open_done(struct sriov_device *sd, const struct vft_open_req *r)
{
	if (!r->skip && r->ret == 0)
		sriov_dev_set_open(sd, true);
}

/* sriov_vfio_open() through the broker listening at @p sock. */
int
sriov_vfio_open_brokered(struct sriov_device *sd, const char *sock,
			 struct vft_explanation *why)
{
	int ret =
		vft_iommu_open_brokered(&sriov_iommu[sd->vfio_path], sriov_sys,
					&sd->addr, sock, &sd->vfio_dev, why);

	if (ret == 0)
		sriov_dev_set_open(sd, true);
	return ret;
}

/*
 * The batch's devices the broker opens (sriov_common.c, parallel open):
 * @p socks[i] the broker of request @p r[i] (sriov_vfio_open_req()), NULL
 * for a request that is not one of them. One request per broker (and
 * context: vft_iommu_open_brokered_devices()), in which the broker opens
 * them at once. Called after the bus's own opens, so that the context
 * has its container or iommufd by then: a broker that made one while the
 * bus made another would fail its devices. Without memory to group them,
 * each device goes alone.
 */
void
sriov_vfio_open_brokered_batch(struct vft_open_req *r, const char *const *socks,
			       unsigned int n)
{
	bool *done = calloc(n, sizeof(*done));
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (socks[i] == NULL || (done != NULL && done[i]))
			continue;
		for (j = 0; j < n; j++) {
			r[j].skip =
				!(j == i || (done != NULL && !done[j] &&
					     socks[j] != NULL &&
					     strcmp(socks[j], socks[i]) == 0));
			if (!r[j].skip && done != NULL)
				done[j] = true;
		}
		vft_iommu_open_brokered_devices(socks[i], r, n);
	}
	for (i = 0; i < n; i++)
		r[i].skip = socks[i] == NULL;
	free(done);
}

int
sriov_vfio_pf_vfs_in_use(struct sriov_device *sd)
{
	return vft_device_pf_vfs_in_use(&sd->vfio_dev);
}

/* ---- interrupt handles -------------------------------------------------- */

static void sriov_req_handler(void *arg);

/* Close a handle's eventfd and leave it unset. */
static void
sriov_intr_handle_clear(struct rte_intr_handle *h)
{
	int fd = rte_intr_fd_get(h);

	if (fd >= 0)
		close(fd);
	rte_intr_fd_set(h, -1);
	rte_intr_type_set(h, RTE_INTR_HANDLE_UNKNOWN);
}

/* Point @p h at a new eventfd and the device fd, as type @p type. */
static int
sriov_intr_handle_arm(struct sriov_device *sd, struct rte_intr_handle *h,
		      enum rte_intr_handle_type type)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (rte_intr_fd_set(h, fd) || rte_intr_dev_fd_set(h, sd->vfio_dev.fd) ||
	    rte_intr_type_set(h, type)) {
		close(fd);
		rte_intr_fd_set(h, -1);
		return -EINVAL;
	}
	return 0;
}

static uint32_t
sriov_intr_allowed(void)
{
	switch (rte_eal_vfio_intr_mode()) {
	case RTE_INTR_MODE_MSIX:
		return VFT_IRQ_BIT(VFT_IRQ_MSIX);
	case RTE_INTR_MODE_MSI:
		return VFT_IRQ_BIT(VFT_IRQ_MSI);
	case RTE_INTR_MODE_LEGACY:
		return VFT_IRQ_BIT(VFT_IRQ_INTX);
	default:
		return VFT_IRQ_BIT(VFT_IRQ_MSIX) | VFT_IRQ_BIT(VFT_IRQ_MSI) |
		       VFT_IRQ_BIT(VFT_IRQ_INTX);
	}
}

/*
 * The handle PCI drivers use for their interrupts: the kind the library
 * picks (MSI-X, MSI, INTx, within EAL's --vfio-intr choice), an eventfd,
 * and the device fd through which EAL's interrupt code routes the vectors
 * when the driver enables them.
 */
static int
sriov_intr_data(struct sriov_device *sd)
{
	struct rte_intr_handle *h = sd->pci.intr_handle;
	enum rte_intr_handle_type type;
	uint32_t index, count;

	if (vft_device_irq_pick(&sd->vfio_dev, sriov_intr_allowed(), &index,
				&count) < 0) {
		SRIOV_LOG(WARNING, "%s: no usable interrupt", sd->name);
		return 0;
	}
	type = index == VFT_IRQ_MSIX  ? RTE_INTR_HANDLE_VFIO_MSIX
	       : index == VFT_IRQ_MSI ? RTE_INTR_HANDLE_VFIO_MSI
				      : RTE_INTR_HANDLE_VFIO_LEGACY;
	if (index == VFT_IRQ_MSIX &&
	    (uint32_t)rte_intr_nb_intr_get(h) < count &&
	    rte_intr_event_list_update(h, (int)count) < 0)
		return -ENOMEM;
	return sriov_intr_handle_arm(sd, h, type);
}

/*
 * The kernel's request to give the device back, routed by the library to
 * an eventfd that EAL's interrupt thread watches (the handle's type makes
 * it read the counter before calling back). Optional: older kernels lack
 * it, and a device without it still works.
 */
static void
sriov_intr_req(struct sriov_device *sd)
{
	struct rte_intr_handle *h = sd->pci.vfio_req_intr_handle;
	struct vft_err err;

	if (sriov_intr_handle_arm(sd, h, RTE_INTR_HANDLE_VFIO_REQ) < 0)
		return;
	if (rte_intr_callback_register(h, sriov_req_handler, sd) < 0) {
		sriov_intr_handle_clear(h);
		return;
	}
	vft_err_clear(&err);
	if (vft_device_req_notify(&sd->vfio_dev, rte_intr_fd_get(h), &err) <
	    0) {
		if (err.code != -ENOTSUP)
			SRIOV_LOG(WARNING, "%s: no VFIO request notifier: %s",
				  sd->name, err.msg);
		rte_intr_callback_unregister(h, sriov_req_handler, sd);
		sriov_intr_handle_clear(h);
		return;
	}
	sd->req_on = true;
}

static int
sriov_intr_setup(struct sriov_device *sd)
{
	int ret;

	sd->pci.intr_handle =
		rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	sd->pci.vfio_req_intr_handle =
		rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (sd->pci.intr_handle == NULL || sd->pci.vfio_req_intr_handle == NULL)
		return -ENOMEM;
	/* rte_pci_read_config() and the other accessors find the device
	 * through it, with or without a usable interrupt */
	if (rte_intr_dev_fd_set(sd->pci.intr_handle, sd->vfio_dev.fd))
		return -EINVAL;
	ret = sriov_intr_data(sd);
	if (ret < 0)
		return ret;
	sriov_intr_req(sd);
	return 0;
}

/* Stop the request notifier; from its own callback the EAL can only
 * drop the callback once it has returned. */
static void
sriov_req_stop(struct sriov_device *sd, bool from_callback)
{
	struct rte_intr_handle *h = sd->pci.vfio_req_intr_handle;

	if (h == NULL || !sd->req_on)
		return;
	sd->req_on = false;
	vft_device_irq_disable(&sd->vfio_dev, VFT_IRQ_REQ);
	if (from_callback)
		rte_intr_callback_unregister_pending(h, sriov_req_handler, sd,
						     NULL);
	else
		rte_intr_callback_unregister_sync(h, sriov_req_handler, sd);
}

static void
sriov_intr_handle_free(struct rte_intr_handle **hp)
{
	if (*hp == NULL)
		return;
	sriov_intr_handle_clear(*hp);
	rte_intr_instance_free(*hp);
	*hp = NULL;
}

static void
sriov_intr_free(struct sriov_device *sd)
{
	sriov_req_stop(sd, false);
	sriov_intr_handle_free(&sd->pci.vfio_req_intr_handle);
	sriov_intr_handle_free(&sd->pci.intr_handle);
}

/* ---- BAR placement ---------------------------------------------------- */

static int
sriov_msl_end(const struct rte_memseg_list *msl, void *arg)
{
	uintptr_t *end = arg, e = (uintptr_t)msl->base_va + msl->len;

	if (e > *end)
		*end = e;
	return 0;
}

/* The addresses the primary asks for when it maps @p sd's BARs. */
static void
sriov_vfio_bar_hints(struct sriov_device *sd, void *at[VFT_NUM_BARS])
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	unsigned int i;

	if (sriov_bar_next == 0) {
		uintptr_t end = 0;

		rte_memseg_list_walk(sriov_msl_end, &end);
		sriov_bar_next = end == 0 ? 0
					  : RTE_ALIGN_CEIL(end, SRIOV_BAR_GAP) +
						    SRIOV_BAR_GAP;
	}
	for (i = 0; i < VFT_NUM_BARS; i++) {
		at[i] = NULL;
		/* no reservation to place them after: anywhere */
		if (sriov_bar_next == 0 ||
		    !vft_device_bar_mappable(&sd->vfio_dev, i))
			continue;
		at[i] = (void *)sriov_bar_next;
		sriov_bar_next +=
			RTE_ALIGN_CEIL(sd->vfio_dev.regions[i].size, pg);
	}
}

/* ---- a secondary's open ------------------------------------------------ */

/* The secondary's interrupt handles: the device fd only (config space
 * access goes through it); no eventfd, as no interrupt is routed here. */
static int
sriov_vfio_adopt_intr(struct sriov_device *sd)
{
	sd->pci.intr_handle =
		rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	sd->pci.vfio_req_intr_handle =
		rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (sd->pci.intr_handle == NULL ||
	    sd->pci.vfio_req_intr_handle == NULL ||
	    rte_intr_fd_set(sd->pci.intr_handle, -1) ||
	    rte_intr_fd_set(sd->pci.vfio_req_intr_handle, -1) ||
	    rte_intr_dev_fd_set(sd->pci.intr_handle, sd->vfio_dev.fd))
		return -ENOMEM;
	return 0;
}

/* Take the device fd and map the BARs where the primary has them. */
static int
sriov_vfio_adopt_bars(struct sriov_device *sd, const struct sriov_mp_hand *d)
{
	void *at[VFT_NUM_BARS];
	struct vft_err err;
	unsigned int i;
	int ret;

	vft_err_clear(&err);
	ret = vft_device_adopt(&sd->vfio_dev, d->fd, &sd->addr, &err);
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: device fd from the primary: %s", sd->name,
			  err.msg);
		return ret;
	}
	for (i = 0; i < VFT_NUM_BARS; i++)
		at[i] = (void *)(uintptr_t)d->bar_addr[i];
	ret = vft_device_map_bars_at(&sd->vfio_dev, at, true, &err);
	for (i = 0; ret == 0 && i < VFT_NUM_BARS; i++)
		if ((uintptr_t)sd->vfio_dev.regions[i].map != d->bar_addr[i] ||
		    sd->vfio_dev.regions[i].map_len != d->bar_len[i]) {
			ret = -EPROTO;
			snprintf(err.msg, sizeof(err.msg),
				 "BAR%u is mapped at %p (%zu bytes) in the "
				 "primary but %p (%zu bytes) here",
				 i, (void *)(uintptr_t)d->bar_addr[i],
				 (size_t)d->bar_len[i],
				 sd->vfio_dev.regions[i].map,
				 sd->vfio_dev.regions[i].map_len);
		}
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: %s", sd->name, err.msg);
		vft_device_close(&sd->vfio_dev);
		return ret;
	}
	return 0;
}

/*
 * A secondary's open: the device fd the primary handed over (@p d, taken
 * whatever happens), its BARs mapped where the primary has them, and the
 * interrupt handles PCI drivers read. 0, or -errno (logged, nothing kept).
 */
int
sriov_vfio_adopt(struct sriov_device *sd, const struct sriov_mp_hand *d)
{
	int ret = sriov_vfio_adopt_bars(sd, d);

	if (ret == 0)
		ret = sriov_vfio_adopt_intr(sd);
	if (ret < 0) {
		sriov_intr_handle_free(&sd->pci.vfio_req_intr_handle);
		sriov_intr_handle_free(&sd->pci.intr_handle);
		vft_device_close(&sd->vfio_dev);
		return ret;
	}
	sriov_vfio_publish_bars(sd);
	sriov_dev_set_open(sd, true);
	return 0;
}

/* ---- setup, release, close --------------------------------------------- */

/* What PCI drivers read of the BARs: lengths always, addresses if mapped. */
void
sriov_vfio_publish_bars(struct sriov_device *sd)
{
	unsigned int i;

	for (i = 0; i < PCI_MAX_RESOURCE && i < VFT_MAX_REGIONS; i++) {
		const struct vft_region *r = &sd->vfio_dev.regions[i];

		sd->pci.mem_resource[i].len = r->size;
		sd->pci.mem_resource[i].addr = r->map;
	}
	/* and the regions DPDK's config space and BAR accessors use */
	sriov_pci_bus_set_regions(sd);
}

/*
 * Make an opened device usable by a PCI driver: interrupt handles, the
 * function prepared (memory decoding, bus mastering, reset), then the
 * BARs if the driver needs them. On failure the caller closes.
 */
/* Which reset @p d got: vft_device_prepare() made @p explicit ones. */
static enum sriov_reset
sriov_vfio_reset_kind(const struct vft_device *d, unsigned int explicit)
{
	if (!vft_device_has_reset(d))
		return SRIOV_RESET_NONE;
	return explicit > 0 ? SRIOV_RESET_EXPLICIT : SRIOV_RESET_AT_OPEN;
}

int
sriov_vfio_setup(struct sriov_device *sd, bool map_bars)
{
	struct vft_err err;
	unsigned int resets;
	uint64_t t;
	int ret;

	ret = sriov_intr_setup(sd);
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: cannot set up interrupts: %s", sd->name,
			  strerror(-ret));
		return ret;
	}
	vft_err_clear(&err);
	resets = sd->vfio_dev.n_resets;
	t = sriov_time_now();
	ret = vft_device_prepare(&sd->vfio_dev, &err);
	if (ret == 0) {
		sriov_dev_time(sd, SRIOV_PHASE_PREPARE, t);
		sriov_dev_set_reset(
			sd,
			sriov_vfio_reset_kind(&sd->vfio_dev,
					      sd->vfio_dev.n_resets - resets));
	}
	if (ret == 0 && map_bars) {
		void *at[VFT_NUM_BARS];

		/* where secondaries can map them too (sriov_mp.c) */
		sriov_vfio_bar_hints(sd, at);
		ret = vft_device_map_bars_at(&sd->vfio_dev, at, false, &err);
	}
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s", err.msg);
		return ret;
	}
	sriov_vfio_publish_bars(sd);
	return 0;
}

/*
 * The bus proper's step when the kernel asks for a device back (the
 * request interrupt, on EAL's interrupt thread): it releases the device
 * (sriov_vfio_release()) and tells who else holds it.
 */
void
sriov_vfio_set_request_handler(void (*fn)(struct sriov_device *sd))
{
	sriov_vfio_on_request = fn;
}

/* The kernel wants the device back: see sriov_vfio_release(). */
static void
sriov_req_handler(void *arg)
{
	struct sriov_device *sd = arg;

	SRIOV_LOG(WARNING,
		  "%s: the kernel requests the device back (VFs removed or "
		  "unbound): releasing it, its port stops working",
		  sd->name);
	if (sriov_vfio_on_request != NULL)
		sriov_vfio_on_request(sd);
	rte_dev_event_callback_process(sd->pci.device.name,
				       RTE_DEV_EVENT_REMOVE);
}

/*
 * Give the device back to the kernel while its driver may still touch it
 * (vft_device_revoke(): BARs become memory, the fd /dev/null). The kernel
 * waits for the last device fd and mapping to go before it removes the
 * function: that happens when the device is detached.
 */
void
sriov_vfio_release(struct sriov_device *sd, bool from_callback)
{
	if (sd->removed || sd->vfio_dev.fd < 0)
		return;
	sd->removed = true;
	sriov_req_stop(sd, from_callback);
	vft_device_revoke(&sd->vfio_dev);
}

/* sriov_vfio_close() up to the close of the device itself. */
static void
sriov_vfio_close_begin(struct sriov_device *sd)
{
	unsigned int i;

	sriov_intr_free(sd);
	for (i = 0; i < PCI_MAX_RESOURCE; i++)
		sd->pci.mem_resource[i].addr = NULL;
	sriov_pci_bus_clear_regions(sd);
	sriov_dev_set_open(sd, false);
}

/* Undo sriov_vfio_setup() and sriov_vfio_open(). */
void
sriov_vfio_close(struct sriov_device *sd)
{
	uint64_t t;

	sriov_vfio_close_begin(sd);
	t = sriov_time_now();
	vft_device_close(&sd->vfio_dev);
	sriov_dev_time(sd, SRIOV_PHASE_RELEASE, t);
}

/*
 * sriov_vfio_close() of @p n devices at once, at exit: the kernel resets
 * a function when its last fd closes (vfio_pci_core_disable(); an FLR
 * waits 100 ms), and on up to SRIOV_CLOSE_THREADS threads those resets
 * overlap where the kernel lets them: one thread per upstream bridge, as
 * a reset that finds its bridge locked by another is skipped
 * (vft_devices_close(); doc/guides/bus_sriov.rst, Resets). Every device
 * gets the whole batch's time as its release time.
 */
void
sriov_vfio_close_all(struct sriov_device *const *sds, unsigned int n)
{
	struct vft_device **ds;
	unsigned int i, nt;
	uint64_t t, ns;

	if (n == 0)
		return;
	ds = calloc(n, sizeof(*ds));
	if (ds == NULL) {
		for (i = 0; i < n; i++)
			sriov_vfio_close(sds[i]);
		return;
	}
	for (i = 0; i < n; i++) {
		sriov_vfio_close_begin(sds[i]);
		ds[i] = &sds[i]->vfio_dev;
	}
	t = sriov_time_now();
	nt = vft_devices_close(sriov_sys, ds, n, SRIOV_CLOSE_THREADS);
	ns = sriov_time_now() - t;
	free(ds);
	for (i = 0; i < n; i++)
		sriov_dev_time(sds[i], SRIOV_PHASE_RELEASE, t);
	SRIOV_LOG(DEBUG,
		  "released %u devices in %" PRIu64 ".%03" PRIu64
		  " ms on %u thread(s), one per upstream bridge",
		  n, ns / 1000000, ns / 1000 % 1000, nt);
}

void
sriov_vfio_cleanup(void)
{
	if (sriov_mem_cb) {
		rte_mem_event_callback_unregister(SRIOV_MEM_CB_NAME, NULL);
		sriov_mem_cb = false;
	}
	vft_iommu_close(&sriov_iommu[VFT_PATH_GROUP]);
	vft_iommu_close(&sriov_iommu[VFT_PATH_CDEV]);
}

/*
 * The VFIO path of a device: vfio_path= if given, else the process default
 * (RTE_SRIOV_VFIO_PATH_ENV, else auto). Auto is the group path where the
 * kernel has the legacy container (/dev/vfio/vfio), else the cdev path.
 */
int
sriov_vfio_path_choose(struct sriov_device *sd, const struct sriov_params *p)
{
	const char *env = getenv(RTE_SRIOV_VFIO_PATH_ENV);

	if (p->has_path)
		sd->vfio_path = p->path;
	else if (env == NULL)
		sd->vfio_path = vft_path_auto();
	else if (vft_path_parse(env, &sd->vfio_path) < 0) {
		SRIOV_LOG(ERR, "%s: %s=%s: expected group, cdev or auto",
			  sd->name, RTE_SRIOV_VFIO_PATH_ENV, env);
		return -EINVAL;
	}
	return 0;
}

RTE_INIT(sriov_vfio_init)
{
	vft_iommu_init(&sriov_iommu[VFT_PATH_GROUP], VFT_PATH_GROUP, NULL);
	vft_iommu_init(&sriov_iommu[VFT_PATH_CDEV], VFT_PATH_CDEV, NULL);
	vft_iommu_on_dma_ready(&sriov_iommu[VFT_PATH_GROUP], sriov_dma_map_all,
			       NULL);
	vft_iommu_on_dma_ready(&sriov_iommu[VFT_PATH_CDEV], sriov_dma_map_all,
			       NULL);
}

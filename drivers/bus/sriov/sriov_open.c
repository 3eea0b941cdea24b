/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * VFIO side of the bus: one container shared by all the bus's devices, the
 * groups attached to it, the device fds opened with their token (through
 * libvftoken), BAR mappings, the interrupt handles PCI drivers use, DMA
 * maps of DPDK's memory and the kernel's request to give a device back.
 *
 * The container is the bus's own, not EAL's default one: EAL never sees
 * these groups, so the bus maps DPDK memory into it itself, at the first
 * open (walk of the memsegs) and for memory added later (memory event
 * callback). Mapping is per memseg, so memory freed later can be unmapped
 * exactly (type1 cannot split a mapping).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_interrupts.h>
#include <rte_memory.h>

#include "sriov_private.h"

/* A group attached to the bus's container, shared by its devices. */
struct sriov_group {
	TAILQ_ENTRY(sriov_group) next;
	struct vft_group g;
	unsigned int refs;
};

static struct vft_container sriov_container = { .fd = -1 };
TAILQ_HEAD(sriov_group_list, sriov_group);
static struct sriov_group_list sriov_groups =
	TAILQ_HEAD_INITIALIZER(sriov_groups);
static bool sriov_mem_cb;
static struct vft_sys sriov_sys_real;
const struct vft_sys *sriov_sys;

#define SRIOV_MEM_CB_NAME "bus_sriov_dma"

/* ---- DMA --------------------------------------------------------------- */

int
sriov_vfio_dma_map(uint64_t vaddr, uint64_t iova, uint64_t len)
{
	struct vft_err err;
	int ret;

	if (sriov_container.fd < 0 || !sriov_container.iommu_set)
		return -ENODEV;
	vft_err_clear(&err);
	ret = vft_dma_map(&sriov_container, vaddr, iova, len, &err);
	/* Already mapped (a memseg seen by the walk and the callback). */
	if (ret == -EEXIST)
		return 0;
	if (ret < 0)
		SRIOV_LOG(ERR, "%s", err.msg);
	return ret;
}

int
sriov_vfio_dma_unmap(uint64_t iova, uint64_t len)
{
	struct vft_err err;
	int ret;

	if (sriov_container.fd < 0 || !sriov_container.iommu_set)
		return -ENODEV;
	vft_err_clear(&err);
	ret = vft_dma_unmap(&sriov_container, iova, len, &err);
	if (ret < 0)
		SRIOV_LOG(ERR, "%s", err.msg);
	return ret;
}

static int
sriov_dma_walk(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	       void *arg)
{
	int *failed = arg;

	/* External memory is mapped by its owner with rte_dev_dma_map(). */
	if (msl->external || ms->iova == RTE_BAD_IOVA)
		return 0;
	if (sriov_vfio_dma_map(ms->addr_64, ms->iova, ms->len) < 0)
		(*failed)++;
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
	if (msl == NULL || msl->external || sriov_container.fd < 0)
		return;
	while (p < end) {
		const struct rte_memseg *ms = rte_mem_virt2memseg(p, msl);

		if (ms == NULL || ms->len == 0)
			break;
		if (ms->iova != RTE_BAD_IOVA) {
			if (type == RTE_MEM_EVENT_ALLOC)
				sriov_vfio_dma_map(ms->addr_64, ms->iova,
						   ms->len);
			else
				sriov_vfio_dma_unmap(ms->iova, ms->len);
		}
		p += ms->len;
	}
}

/*
 * Map all DPDK memory into a container that just got its IOMMU. Under the
 * memory read lock, so no memseg is added between the walk and the
 * registration of the callback.
 */
static int
sriov_dma_map_all(void)
{
	int failed = 0;

	rte_mcfg_mem_read_lock();
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
	rte_memseg_walk_thread_unsafe(sriov_dma_walk, &failed);
	rte_mcfg_mem_read_unlock();
	if (failed) {
		SRIOV_LOG(ERR, "%d memory segments could not be mapped for DMA",
			  failed);
		return -ENOMEM;
	}
	return 0;
}

/* ---- container and groups ---------------------------------------------- */

static int
sriov_container_get(void)
{
	struct vft_err err;
	int ret;

	if (sriov_container.fd >= 0)
		return 0;
	vft_err_clear(&err);
	ret = vft_container_open(&sriov_container, &err);
	if (ret < 0)
		SRIOV_LOG(ERR, "%s", err.msg);
	return ret;
}

static struct sriov_group *
sriov_group_get(struct sriov_device *sd, struct vft_err *err)
{
	struct sriov_group *grp;
	bool first;
	int ret;

	for (grp = TAILQ_FIRST(&sriov_groups); grp != NULL;
	     grp = TAILQ_NEXT(grp, next)) {
		if (grp->g.id == sd->iommu_group) {
			grp->refs++;
			return grp;
		}
	}
	grp = calloc(1, sizeof(*grp));
	if (grp == NULL) {
		err->code = -ENOMEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	first = !sriov_container.iommu_set;
	ret = vft_group_open(&sriov_container, sd->iommu_group, &grp->g,
			     sriov_sys, err);
	if (ret < 0) {
		free(grp);
		return NULL;
	}
	grp->refs = 1;
	TAILQ_INSERT_TAIL(&sriov_groups, grp, next);
	/* The first group gives the container its IOMMU: map memory now. */
	if (first && sriov_container.iommu_set)
		sriov_dma_map_all();
	return grp;
}

static void
sriov_group_put(struct sriov_group *grp)
{
	if (grp == NULL || --grp->refs > 0)
		return;
	TAILQ_REMOVE(&sriov_groups, grp, next);
	vft_group_close(&grp->g);
	free(grp);
	/* The last group took the IOMMU and all DMA maps with it. */
	if (TAILQ_EMPTY(&sriov_groups))
		vft_container_close(&sriov_container);
}

/* ---- open -------------------------------------------------------------- */

static void
sriov_explain(struct sriov_device *sd, bool token, int error,
	      enum vft_step step, const char *what)
{
	struct vft_explanation why;

	memset(&why, 0, sizeof(why));
	vft_explain_step(sriov_sys, &sd->addr, token, error, step, &why);
	SRIOV_LOG(ERR, "%s: cannot open %s [%s]: %s", sd->name, what,
		  vft_verdict_name(why.verdict), why.reason);
	if (why.fix[0] != '\0')
		SRIOV_LOG(ERR, "%s: fix: %s", sd->name, why.fix);
	snprintf(sd->last_error, sizeof(sd->last_error), "%s",
		 vft_verdict_name(why.verdict));
}

/* Explain a refused VFIO_GROUP_GET_DEVICE_FD. */
void
sriov_vfio_explain_open(struct sriov_device *sd, bool token, int error)
{
	sriov_explain(sd, token, error, VFT_STEP_DEVICE_OPEN, "the device");
}

/*
 * Open the device's group and device with @p tok (NULL: none). A refused
 * open is final: no retry without the token, and nothing of the device
 * stays open. @p quiet: the caller handles a refused device open itself
 * (the PF path, which may open again with the token).
 */
int
sriov_vfio_open(struct sriov_device *sd, const struct vft_token *tok,
		bool quiet)
{
	bool token = tok != NULL && vft_token_present(tok);
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	sd->last_error[0] = '\0';
	if (sd->iommu_group < 0) {
		sriov_explain(sd, token, -ENOENT, VFT_STEP_SYSFS, "it");
		return -ENOENT;
	}
	ret = sriov_container_get();
	if (ret < 0) {
		sriov_explain(sd, token, ret, VFT_STEP_CONTAINER,
			      "the VFIO container");
		return ret;
	}
	sd->group = sriov_group_get(sd, &err);
	if (sd->group == NULL) {
		SRIOV_LOG(DEBUG, "%s: %s", sd->name, err.msg);
		sriov_explain(sd, token, err.code, VFT_STEP_ANY,
			      "its IOMMU group");
		if (TAILQ_EMPTY(&sriov_groups))
			vft_container_close(&sriov_container);
		return err.code < 0 ? err.code : -EIO;
	}
	ret = vft_device_open(&sd->group->g, &sd->addr, tok, &sd->vdev, &err);
	if (ret < 0) {
		SRIOV_LOG(DEBUG, "%s: %s", sd->name, err.msg);
		if (!quiet)
			sriov_explain(sd, token, ret, VFT_STEP_DEVICE_OPEN,
				      "the device");
		sriov_group_put(sd->group);
		sd->group = NULL;
		return ret;
	}
	sd->last_error[0] = '\0';
	return 0;
}

/*
 * Open the device a second time without a token and close it at once:
 * vfio-pci refuses a PF with VF users (EACCES). Used to tell whether VFs
 * are in use.
 */
int
sriov_vfio_reopen_probe(struct sriov_device *sd)
{
	struct vft_device probe;
	int ret;

	if (sd->group == NULL || sd->vdev.fd < 0)
		return -ENODEV;
	memset(&probe, 0, sizeof(probe));
	probe.fd = -1;
	ret = vft_device_open(&sd->group->g, &sd->addr, NULL, &probe, NULL);
	if (ret == 0)
		vft_device_close(&probe);
	return ret;
}

/* ---- device setup ------------------------------------------------------- */

static void sriov_req_handler(void *arg);

static int
sriov_cfg_update16(struct sriov_device *sd, off_t off, uint16_t set,
		   uint16_t clear)
{
	uint16_t v;

	if (vft_device_config_read(&sd->vdev, &v, sizeof(v), off) < 0)
		return -EIO;
	v = (uint16_t)((v | set) & ~clear);
	if (vft_device_config_write(&sd->vdev, &v, sizeof(v), off) < 0)
		return -EIO;
	return 0;
}

/* MSI-X table location (PCI Local Bus 3.0, 6.8.2): BAR and byte range. */
static int
sriov_msix_table(struct sriov_device *sd, int *bar, uint64_t *start,
		 uint64_t *end)
{
	uint8_t pos, id;
	uint16_t flags;
	uint32_t table;
	int ttl = 48;

	if (vft_device_config_read(&sd->vdev, &pos, 1, PCI_CAPABILITY_LIST) < 0)
		return -EIO;
	while (pos >= 0x40 && ttl-- > 0) {
		if (vft_device_config_read(&sd->vdev, &id, 1, pos) < 0)
			return -EIO;
		if (id == PCI_CAP_ID_MSIX) {
			if (vft_device_config_read(&sd->vdev, &flags, 2,
						   pos + PCI_MSIX_FLAGS) < 0 ||
			    vft_device_config_read(&sd->vdev, &table, 4,
						   pos + PCI_MSIX_TABLE) < 0)
				return -EIO;
			*bar = (int)(table & PCI_MSIX_TABLE_BIR);
			*start = table & PCI_MSIX_TABLE_OFFSET;
			*end = *start +
			       16ULL * ((flags & PCI_MSIX_FLAGS_QSIZE) + 1);
			return 0;
		}
		if (vft_device_config_read(&sd->vdev, &pos, 1, pos + 1) < 0)
			return -EIO;
	}
	*bar = -1;
	return 0;
}

static void *
sriov_mmap_piece(void *at, size_t len, int fd, uint64_t off)
{
	return mmap(at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		    (off_t)off);
}

/*
 * Map a BAR whole; if the kernel refuses because it holds the MSI-X table
 * (no VFIO_REGION_INFO_CAP_MSIX_MAPPABLE), map the parts around the table
 * pages in an inaccessible reservation.
 */
static int
sriov_map_bar(struct sriov_device *sd, unsigned int i, int msix_bar,
	      uint64_t tstart, uint64_t tend)
{
	struct vft_region *r = &sd->vdev.regions[i];
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t lo, hi;
	void *base;

	base = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    sd->vdev.fd, (off_t)r->offset);
	if (base != MAP_FAILED)
		goto done;
	if ((int)i != msix_bar) {
		SRIOV_LOG(ERR, "%s: cannot map BAR%u: %s", sd->name, i,
			  strerror(errno));
		return -errno;
	}
	lo = tstart & ~(uint64_t)(pg - 1);
	hi = (tend + pg - 1) & ~(uint64_t)(pg - 1);
	base = mmap(NULL, r->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (base == MAP_FAILED)
		return -errno;
	if ((lo > 0 && sriov_mmap_piece(base, lo, sd->vdev.fd, r->offset) ==
			       MAP_FAILED) ||
	    (hi < r->size &&
	     sriov_mmap_piece((char *)base + hi, r->size - hi, sd->vdev.fd,
			      r->offset + hi) == MAP_FAILED)) {
		int ret = -errno;

		munmap(base, r->size);
		SRIOV_LOG(ERR,
			  "%s: cannot map BAR%u around its MSI-X table: %s",
			  sd->name, i, strerror(-ret));
		return ret;
	}
done:
	sd->bars[i].addr = base;
	sd->bars[i].len = r->size;
	sd->pci.mem_resource[i].addr = base;
	return 0;
}

static bool
sriov_bar_is_io(struct sriov_device *sd, unsigned int i)
{
	uint32_t bar;

	if (vft_device_config_read(&sd->vdev, &bar, 4,
				   PCI_BASE_ADDRESS_0 + 4 * i) < 0)
		return false;
	return (bar & PCI_BASE_ADDRESS_SPACE) == PCI_BASE_ADDRESS_SPACE_IO;
}

static void
sriov_unmap_bars(struct sriov_device *sd)
{
	unsigned int i;

	for (i = 0; i < PCI_MAX_RESOURCE; i++) {
		if (sd->bars[i].addr != NULL)
			munmap(sd->bars[i].addr, sd->bars[i].len);
		sd->bars[i].addr = NULL;
		sd->bars[i].len = 0;
		sd->pci.mem_resource[i].addr = NULL;
	}
}

static int
sriov_map_bars(struct sriov_device *sd)
{
	uint64_t tstart = 0, tend = 0;
	int msix_bar = -1, ret;
	unsigned int i;

	if (sriov_msix_table(sd, &msix_bar, &tstart, &tend) < 0)
		msix_bar = -1;
	for (i = 0; i < PCI_MAX_RESOURCE && i <= VFIO_PCI_BAR5_REGION_INDEX;
	     i++) {
		struct vft_region *r = &sd->vdev.regions[i];

		sd->pci.mem_resource[i].len = r->size;
		if (r->size == 0 || !(r->flags & VFIO_REGION_INFO_FLAG_MMAP) ||
		    sriov_bar_is_io(sd, i))
			continue;
		ret = sriov_map_bar(sd, i, msix_bar, tstart, tend);
		if (ret < 0) {
			sriov_unmap_bars(sd);
			return ret;
		}
	}
	return 0;
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
	sriov_vfio_release(sd);
	rte_dev_event_callback_process(sd->pci.device.name,
				       RTE_DEV_EVENT_REMOVE);
}

static int
sriov_eventfd(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/*
 * The interrupt handle PCI drivers use (EAL's VFIO MSI-X/MSI/INTx code
 * programs it through dev_fd with VFIO_DEVICE_SET_IRQS), and the request
 * notifier (VFIO_PCI_REQ_IRQ_INDEX).
 */
static int
sriov_setup_intr(struct sriov_device *sd)
{
	static const struct {
		uint32_t index;
		enum rte_intr_handle_type type;
		enum rte_intr_mode mode;
	} modes[] = {
		{ VFIO_PCI_MSIX_IRQ_INDEX, RTE_INTR_HANDLE_VFIO_MSIX,
		  RTE_INTR_MODE_MSIX },
		{ VFIO_PCI_MSI_IRQ_INDEX, RTE_INTR_HANDLE_VFIO_MSI,
		  RTE_INTR_MODE_MSI },
		{ VFIO_PCI_INTX_IRQ_INDEX, RTE_INTR_HANDLE_VFIO_LEGACY,
		  RTE_INTR_MODE_LEGACY },
	};
	enum rte_intr_mode want = rte_eal_vfio_intr_mode();
	struct rte_intr_handle *h;
	unsigned int i;
	uint32_t count;
	int fd;

	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	sd->pci.intr_handle = h;
	sd->pci.vfio_req_intr_handle =
		rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (h == NULL || sd->pci.vfio_req_intr_handle == NULL)
		return -ENOMEM;
	for (i = 0; i < RTE_DIM(modes); i++) {
		if (want != RTE_INTR_MODE_NONE && want != modes[i].mode)
			continue;
		if (vft_device_irq_count(&sd->vdev, modes[i].index, &count,
					 NULL) < 0 ||
		    count == 0)
			continue;
		if (modes[i].index == VFIO_PCI_MSIX_IRQ_INDEX &&
		    (uint32_t)rte_intr_nb_intr_get(h) < count &&
		    rte_intr_event_list_update(h, (int)count) < 0)
			return -ENOMEM;
		fd = sriov_eventfd();
		if (fd < 0)
			return -errno;
		if (rte_intr_fd_set(h, fd) ||
		    rte_intr_dev_fd_set(h, sd->vdev.fd) ||
		    rte_intr_type_set(h, modes[i].type)) {
			close(fd);
			rte_intr_fd_set(h, -1);
			return -EINVAL;
		}
		break;
	}
	if (i == RTE_DIM(modes))
		SRIOV_LOG(WARNING, "%s: no usable interrupt", sd->name);

	/* Request notifier: optional, older kernels lack it. */
	if (vft_device_irq_count(&sd->vdev, VFIO_PCI_REQ_IRQ_INDEX, &count,
				 NULL) < 0 ||
	    count == 0)
		return 0;
	h = sd->pci.vfio_req_intr_handle;
	fd = sriov_eventfd();
	if (fd < 0)
		return 0;
	if (rte_intr_fd_set(h, fd) || rte_intr_dev_fd_set(h, sd->vdev.fd) ||
	    rte_intr_type_set(h, RTE_INTR_HANDLE_VFIO_REQ) ||
	    rte_intr_callback_register(h, sriov_req_handler, sd) < 0) {
		close(fd);
		rte_intr_fd_set(h, -1);
		rte_intr_type_set(h, RTE_INTR_HANDLE_UNKNOWN);
		return 0;
	}
	if (rte_intr_enable(h) < 0) {
		SRIOV_LOG(WARNING,
			  "%s: cannot enable the VFIO request "
			  "notifier",
			  sd->name);
		rte_intr_callback_unregister(h, sriov_req_handler, sd);
		close(fd);
		rte_intr_fd_set(h, -1);
		rte_intr_type_set(h, RTE_INTR_HANDLE_UNKNOWN);
		return 0;
	}
	sd->req_on = true;
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
	rte_intr_disable(h);
	if (from_callback)
		rte_intr_callback_unregister_pending(h, sriov_req_handler, sd,
						     NULL);
	else
		rte_intr_callback_unregister_sync(h, sriov_req_handler, sd);
}

static void
sriov_intr_handle_free(struct rte_intr_handle **hp)
{
	int fd;

	if (*hp == NULL)
		return;
	fd = rte_intr_fd_get(*hp);
	if (fd >= 0)
		close(fd);
	rte_intr_instance_free(*hp);
	*hp = NULL;
}

static void
sriov_free_intr(struct sriov_device *sd)
{
	sriov_req_stop(sd, false);
	sriov_intr_handle_free(&sd->pci.vfio_req_intr_handle);
	sriov_intr_handle_free(&sd->pci.intr_handle);
}

/*
 * Make an opened device usable by a PCI driver, as vfio-pci expects:
 * interrupts, memory decoding and bus mastering on (PCI command register,
 * PCI Local Bus 3.0, 6.2.2), a function reset when the device supports
 * one, then the BARs if the driver needs them.
 */
int
sriov_vfio_setup(struct sriov_device *sd, bool map_bars)
{
	int ret;

	ret = sriov_setup_intr(sd);
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: cannot set up interrupts: %s", sd->name,
			  strerror(-ret));
		return ret;
	}
	if (sriov_cfg_update16(sd, PCI_COMMAND,
			       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
			       0) < 0) {
		SRIOV_LOG(ERR, "%s: cannot enable memory and bus mastering",
			  sd->name);
		return -EIO;
	}
	if ((sd->vdev.flags & VFIO_DEVICE_FLAGS_RESET) &&
	    ioctl(sd->vdev.fd, VFIO_DEVICE_RESET) < 0 && errno != EINVAL) {
		SRIOV_LOG(ERR, "%s: VFIO_DEVICE_RESET: %s", sd->name,
			  strerror(errno));
		return -errno;
	}
	if (map_bars)
		return sriov_map_bars(sd);
	return 0;
}

/*
 * Give the device back to the kernel while its driver may still touch it
 * (the VFIO request notifier fired): BARs become anonymous memory so MMIO
 * from the driver cannot fault, and the device fd becomes /dev/null under
 * the same number, so the driver's interrupt calls fail harmlessly instead
 * of reaching a reused fd. The kernel waits for the last device fd and
 * mapping to go before it removes the function.
 */
void
sriov_vfio_release(struct sriov_device *sd)
{
	unsigned int i;
	int null;

	if (sd->removed || sd->vdev.fd < 0)
		return;
	sd->removed = true;
	sriov_req_stop(sd, true);
	for (i = 0; i < PCI_MAX_RESOURCE; i++) {
		if (sd->bars[i].addr == NULL)
			continue;
		if (mmap(sd->bars[i].addr, sd->bars[i].len,
			 PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			 0) == MAP_FAILED)
			SRIOV_LOG(ERR, "%s: cannot replace BAR%u: %s", sd->name,
				  i, strerror(errno));
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup3(null, sd->vdev.fd, O_CLOEXEC);
		close(null);
	}
}

/* Undo sriov_vfio_setup() and sriov_vfio_open(). */
void
sriov_vfio_close(struct sriov_device *sd)
{
	unsigned int i;

	sriov_free_intr(sd);
	sriov_unmap_bars(sd);
	for (i = 0; i < VFT_MAX_REGIONS; i++)
		sd->vdev.regions[i].map = NULL; /* never mapped by libvftoken */
	if (sd->removed) {
		/* the fd is /dev/null now: only close it */
		if (sd->vdev.fd >= 0)
			close(sd->vdev.fd);
		sd->vdev.fd = -1;
	}
	vft_device_close(&sd->vdev);
	sd->vdev.fd = -1;
	sriov_group_put(sd->group);
	sd->group = NULL;
}

void
sriov_vfio_cleanup(void)
{
	if (sriov_mem_cb) {
		rte_mem_event_callback_unregister(SRIOV_MEM_CB_NAME, NULL);
		sriov_mem_cb = false;
	}
	if (TAILQ_EMPTY(&sriov_groups))
		vft_container_close(&sriov_container);
}

RTE_INIT(sriov_sys_init)
{
	vft_sys_init(&sriov_sys_real, NULL);
	sriov_sys = &sriov_sys_real;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The one place that knows the private side of DPDK's pci bus.
 *
 * The pci bus keeps its devices and registered drivers in two lists that
 * follow its struct rte_bus (drivers/bus/pci/private.h, struct rte_pci_bus,
 * DPDK 22.11). No API exposes them, yet the sriov bus has to take devices
 * off the first and find PCI drivers in the second. This file mirrors that
 * layout, guarded at build time by the SDK's version and at run time by
 * checks that read every pointer safely before following it and fail with
 * a clear message instead of walking garbage. It also holds what the bus
 * does the pci bus's way: taking over a device it allocated (and its
 * bus_info), freeing one as its pci_free() does, and matching a driver's
 * id table as its rte_pci_match() does (neither is exported).
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_version.h>

#include "sriov_private.h"

#if RTE_VERSION < RTE_VERSION_NUM(22, 11, 0, 0) || \
	RTE_VERSION >= RTE_VERSION_NUM(22, 12, 0, 0)
#error "sriov_pci_bus.c mirrors struct rte_pci_bus of DPDK 22.11 only"
#endif

/*
 * Mirror of struct rte_pci_bus, drivers/bus/pci/private.h, DPDK 22.11: the
 * generic bus, then two RTE_TAILQ_HEADs (on Linux, <sys/queue.h> TAILQ_HEAD:
 * first element, address of the last element's next pointer).
 */
/* Members used through <sys/queue.h> macros, which cppcheck cannot see. */
struct sriov_pci_dev_head {
	struct rte_pci_device *tqh_first;
	/* cppcheck-suppress unusedStructMember */
	struct rte_pci_device **tqh_last;
};

struct sriov_pci_drv_head {
	/* cppcheck-suppress unusedStructMember */
	struct rte_pci_driver *tqh_first;
	/* cppcheck-suppress unusedStructMember */
	struct rte_pci_driver **tqh_last;
};

struct sriov_pci_bus_layout {
	struct rte_bus bus;
	struct sriov_pci_dev_head device_list;
	struct sriov_pci_drv_head driver_list;
};

/* Most list entries walked while checking; far above any real system. */
#define SRIOV_PCI_LIST_MAX 65536

static struct sriov_pci_bus_layout *sriov_pci;

/* @return the file name of the object that holds @p p, or NULL. */
static const char *
sriov_pci_bus_object(const void *p)
{
	Dl_info info;

	if (p == NULL || dladdr(p, &info) == 0)
		return NULL;
	return info.dli_fname;
}

/*
 * The ops must be code of the object that holds the bus structure: a
 * shifted layout would put data, NULL or another library's code there.
 */
static int
sriov_pci_bus_check_ops(const struct rte_bus *bus)
{
	const void *ops[] = {
		(const void *)(uintptr_t)bus->scan,
		(const void *)(uintptr_t)bus->probe,
		(const void *)(uintptr_t)bus->find_device,
		(const void *)(uintptr_t)bus->plug,
		(const void *)(uintptr_t)bus->unplug,
		(const void *)(uintptr_t)bus->parse,
	};
	const char *home = sriov_pci_bus_object(bus);
	unsigned int i;

	if (home == NULL) {
		SRIOV_LOG(ERR, "pci bus structure is in no loaded object");
		return -ENOTSUP;
	}
	for (i = 0; i < RTE_DIM(ops); i++) {
		const char *obj = sriov_pci_bus_object(ops[i]);

		if (obj == NULL || strcmp(obj, home) != 0) {
			SRIOV_LOG(ERR,
				  "pci bus operation %u is not code of %s: "
				  "the pci bus layout is not the expected one",
				  i, home);
			return -ENOTSUP;
		}
	}
	return 0;
}

/* A pipe the checks copy through; -1 when not open. */
static int sriov_pci_pipe[2] = { -1, -1 };

/*
 * Read @p len bytes at @p p without faulting: a pointer taken from a
 * shifted layout may point anywhere. write() from an unmapped address
 * fails with EFAULT where a plain load would crash; the bytes come back
 * through the pipe. (process_vm_readv() would do too, but kernels built
 * without CROSS_MEMORY_ATTACH lack it.)
 */
static bool
sriov_pci_peek(const void *p, void *out, size_t len)
{
	if (p == NULL || len > PIPE_BUF || sriov_pci_pipe[1] < 0)
		return false;
	if (write(sriov_pci_pipe[1], p, len) != (ssize_t)len)
		return false;
	return read(sriov_pci_pipe[0], out, len) == (ssize_t)len;
}

/* A TAILQ_ENTRY: the next element, the address of the previous next. */
struct sriov_pci_link {
	void *next;
	void **prev;
};

/* What an entry of a list must look like besides its links. */
typedef bool (*sriov_pci_entry_ok)(const struct sriov_pci_bus_layout *pb,
				   const void *entry);

/*
 * Walk a TAILQ from its head, reading every link with sriov_pci_peek()
 * before following it and checking each back link and entry. Run time
 * check only: the build-time version pin rules out a known other layout,
 * this catches a same-version build with a different one.
 * @return the number of entries, or -1.
 */
static int
sriov_pci_list_check(const struct sriov_pci_bus_layout *pb, void *const *first,
		     void *const *last, size_t link_off, sriov_pci_entry_ok ok)
{
	struct sriov_pci_link link;
	void *const *expect_prev = first;
	const char *e = *first;
	int n = 0;

	while (e != NULL) {
		if (n++ > SRIOV_PCI_LIST_MAX ||
		    !sriov_pci_peek(e + link_off, &link, sizeof(link)) ||
		    (void *const *)link.prev != expect_prev || !ok(pb, e))
			return -1;
		expect_prev = (void *const *)(uintptr_t)(e + link_off);
		e = link.next;
	}
	return (void *const *)last == expect_prev ? n : -1;
}

static bool
sriov_pci_dev_ok(const struct sriov_pci_bus_layout *pb, const void *entry)
{
	struct rte_pci_device d;

	return sriov_pci_peek(entry, &d, sizeof(d)) && d.device.bus == &pb->bus;
}

static bool
sriov_pci_drv_ok(const struct sriov_pci_bus_layout *pb, const void *entry)
{
	struct rte_pci_driver d;

	RTE_SET_USED(pb);
	return sriov_pci_peek(entry, &d, sizeof(d)) && d.driver.name != NULL &&
	       d.probe != NULL && d.id_table != NULL;
}

static int sriov_pci_bus_walk_lists(struct sriov_pci_bus_layout *pb, int *ndevp,
				    int *ndrvp);

static int
sriov_pci_bus_check_lists(struct sriov_pci_bus_layout *pb)
{
	int ndev, ndrv, ret;

	if (pipe2(sriov_pci_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = -errno;
		SRIOV_LOG(ERR, "cannot check the pci bus layout: pipe: %s",
			  strerror(-ret));
		return ret;
	}
	ret = sriov_pci_bus_walk_lists(pb, &ndev, &ndrv);
	close(sriov_pci_pipe[0]);
	close(sriov_pci_pipe[1]);
	sriov_pci_pipe[0] = sriov_pci_pipe[1] = -1;
	if (ret == 0)
		SRIOV_LOG(DEBUG, "pci bus: %d devices, %d drivers", ndev, ndrv);
	return ret;
}

static int
sriov_pci_bus_walk_lists(struct sriov_pci_bus_layout *pb, int *ndevp,
			 int *ndrvp)
{
	int ndev, ndrv;

	ndev = sriov_pci_list_check(
		pb, (void *const *)&pb->device_list.tqh_first,
		(void *const *)pb->device_list.tqh_last,
		offsetof(struct rte_pci_device, next), sriov_pci_dev_ok);
	if (ndev < 0) {
		SRIOV_LOG(ERR, "pci bus device list is not a consistent list "
			       "of pci devices: layout mismatch");
		return -ENOTSUP;
	}
	ndrv = sriov_pci_list_check(
		pb, (void *const *)&pb->driver_list.tqh_first,
		(void *const *)pb->driver_list.tqh_last,
		offsetof(struct rte_pci_driver, next), sriov_pci_drv_ok);
	if (ndrv < 0) {
		SRIOV_LOG(ERR, "pci bus driver list is not a consistent list "
			       "of pci drivers: layout mismatch");
		return -ENOTSUP;
	}
	*ndevp = ndev;
	*ndrvp = ndrv;
	return 0;
}

int
sriov_pci_bus_attach(void)
{
	struct rte_bus *bus;

	if (rte_version_year() != 22 || rte_version_month() != 11) {
		SRIOV_LOG(ERR,
			  "built for DPDK 22.11, running on %s: the pci bus "
			  "layout may differ, the sriov bus stays idle",
			  rte_version());
		return -ENOTSUP;
	}
	bus = rte_bus_find_by_name("pci");
	if (bus == NULL || bus->name == NULL || strcmp(bus->name, "pci")) {
		SRIOV_LOG(ERR, "no pci bus registered (is librte_bus_pci "
			       "loaded?): the sriov bus stays idle");
		return -ENODEV;
	}
	if (sriov_pci_bus_check_ops(bus) < 0)
		return -ENOTSUP;
	if (sriov_pci_bus_check_lists((struct sriov_pci_bus_layout *)bus) < 0)
		return -ENOTSUP;
	sriov_pci = (struct sriov_pci_bus_layout *)bus;
	return 0;
}

struct rte_bus *
sriov_pci_bus(void)
{
	return sriov_pci == NULL ? NULL : &sriov_pci->bus;
}

struct rte_pci_device *
sriov_pci_bus_first_device(void)
{
	return sriov_pci == NULL ? NULL : sriov_pci->device_list.tqh_first;
}

struct rte_pci_driver *
sriov_pci_bus_next_driver(struct rte_pci_driver *prev)
{
	if (sriov_pci == NULL)
		return NULL;
	return prev == NULL ? TAILQ_FIRST(&sriov_pci->driver_list)
			    : TAILQ_NEXT(prev, next);
}

/*
 * Take over @p from, a device of the pci bus, into @p to: ids, resources
 * and the bus_info string the pci bus allocated (now @p to's to free).
 */
void
sriov_pci_bus_adopt(struct rte_pci_device *to, struct rte_pci_device *from)
{
	*to = *from;
	from->bus_info = NULL;
	memset(&to->next, 0, sizeof(to->next));
}

/* Take a device off the pci bus's list and free it as pci_free() does. */
void
sriov_pci_bus_drop(struct rte_pci_device *pdev)
{
	TAILQ_REMOVE(&sriov_pci->device_list, pdev, next);
	free(pdev->bus_info);
	free(pdev);
}

static bool
sriov_pci_id_match(uint16_t want, uint16_t have, uint16_t any)
{
	return want == have || want == any;
}

/* One id table entry against a device's ids, as the pci bus matches. */
static bool
sriov_pci_id_matches(const struct rte_pci_id *id, const struct rte_pci_id *d)
{
	return sriov_pci_id_match(id->vendor_id, d->vendor_id,
				  RTE_PCI_ANY_ID) &&
	       sriov_pci_id_match(id->device_id, d->device_id,
				  RTE_PCI_ANY_ID) &&
	       sriov_pci_id_match(id->subsystem_vendor_id,
				  d->subsystem_vendor_id, RTE_PCI_ANY_ID) &&
	       sriov_pci_id_match(id->subsystem_device_id,
				  d->subsystem_device_id, RTE_PCI_ANY_ID) &&
	       (id->class_id == d->class_id ||
		id->class_id == RTE_CLASS_ANY_ID);
}

/* The next registered PCI driver after @p prev whose id table matches. */
struct rte_pci_driver *
sriov_pci_bus_next_match(struct rte_pci_driver *prev,
			 const struct rte_pci_device *pdev)
{
	struct rte_pci_driver *drv;
	const struct rte_pci_id *id;

	for (drv = sriov_pci_bus_next_driver(prev); drv != NULL;
	     drv = sriov_pci_bus_next_driver(drv))
		for (id = drv->id_table; id->vendor_id != 0; id++)
			if (sriov_pci_id_matches(id, &pdev->id))
				return drv;
	return NULL;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The one place that knows the private layout of DPDK's pci bus.
 *
 * The pci bus keeps its devices and registered drivers in two lists that
 * follow its struct rte_bus (drivers/bus/pci/private.h, struct rte_pci_bus,
 * DPDK 22.11). No API exposes them, yet the sriov bus has to take devices
 * off the first and find PCI drivers in the second. This file mirrors that
 * layout, guarded at build time by the SDK's version and at run time by
 * checks that fail with a clear message instead of walking garbage.
 */

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

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

/* Walk a TAILQ checking its back links; @return entries or -1. */
#define SRIOV_TAILQ_CHECK(head, type, bus_check)                              \
	__extension__({                                                       \
		struct type *e_, *prev_ = NULL;                               \
		int n_ = 0;                                                   \
		for (e_ = (head)->tqh_first; e_ != NULL;                      \
		     prev_ = e_, e_ = e_->next.tqe_next) {                    \
			if (n_++ > SRIOV_PCI_LIST_MAX)                        \
				break;                                        \
			if (e_->next.tqe_prev !=                              \
			    (prev_ == NULL ? &(head)->tqh_first               \
					   : &prev_->next.tqe_next))          \
				break;                                        \
			if (!(bus_check))                                     \
				break;                                        \
		}                                                             \
		(e_ == NULL &&                                                \
		 (head)->tqh_last == (prev_ == NULL ? &(head)->tqh_first      \
						    : &prev_->next.tqe_next)) \
			? n_                                                  \
			: -1;                                                 \
	})

static int
sriov_pci_bus_check_lists(struct sriov_pci_bus_layout *pb)
{
	int ndev, ndrv;

	ndev = SRIOV_TAILQ_CHECK(&pb->device_list, rte_pci_device,
				 e_->device.bus == &pb->bus);
	if (ndev < 0) {
		SRIOV_LOG(ERR, "pci bus device list is not a consistent list "
			       "of pci devices: layout mismatch");
		return -ENOTSUP;
	}
	ndrv = SRIOV_TAILQ_CHECK(&pb->driver_list, rte_pci_driver,
				 e_->driver.name != NULL && e_->probe != NULL &&
					 e_->id_table != NULL);
	if (ndrv < 0) {
		SRIOV_LOG(ERR, "pci bus driver list is not a consistent list "
			       "of pci drivers: layout mismatch");
		return -ENOTSUP;
	}
	SRIOV_LOG(DEBUG, "pci bus: %d devices, %d drivers", ndev, ndrv);
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

void
sriov_pci_bus_remove_device(struct rte_pci_device *pdev)
{
	TAILQ_REMOVE(&sriov_pci->device_list, pdev, next);
}

struct rte_pci_driver *
sriov_pci_bus_next_driver(struct rte_pci_driver *prev)
{
	if (sriov_pci == NULL)
		return NULL;
	return prev == NULL ? TAILQ_FIRST(&sriov_pci->driver_list)
			    : TAILQ_NEXT(prev, next);
}

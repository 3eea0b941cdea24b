/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The one place that knows the private side of DPDK's pci bus.
 *
 * The pci bus keeps its devices and registered drivers in two lists that
 * follow its struct rte_bus (drivers/bus/pci/private.h, struct rte_pci_bus).
 * No API exposes them, yet the sriov bus has to take devices off the first
 * and find PCI drivers in the second. Since DPDK 23.07 the pci bus also
 * allocates every device inside a larger private structure whose tail, a
 * table of VFIO regions, its config space and BAR accessors read
 * (rte_pci_read_config() and friends): the devices of the sriov bus carry
 * that tail too (sriov_pci_bus_set_regions()).
 *
 * This file mirrors those layouts for the DPDK releases it lists
 * (SRIOV_PCI_RELEASES), guarded at build time by assertions of every size
 * and member offset the bus relies on, and at run time by the running
 * release and by checks that read every pointer safely before following it
 * and fail with a clear message instead of walking garbage. It also holds
 * what the bus does the pci bus's way: taking over a device it allocated
 * (and its bus_info), freeing one as its pci_free() does, and matching a
 * driver's id table as its rte_pci_match() does (neither is exported).
 * doc/guides/architecture.rst, "DPDK releases", says how to add a release.
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_version.h>

#include "sriov_private.h"

/*
 * The supported releases (year, month of RTE_VERSION), each with its
 * layout (SRIOV_PCI_LAYOUT_<name> below) and the number of entries of the
 * region table the pci bus keeps after each rte_pci_device (0: none;
 * RTE_MAX_PCI_REGIONS, 9, in drivers/bus/pci/private.h since 23.07).
 * Read in the DPDK sources of the tags v22.11, v24.11 and v25.11, and
 * measured in the headers of each (doc/guides/dpdk_releases.rst).
 */
#define SRIOV_PCI_RELEASES(X) \
	X(22, 11, A, 0)       \
	X(24, 11, A, 9)       \
	X(25, 11, A, 9)

/*
 * Layout A: DPDK 22.11 to 25.11 on x86_64 (LP64). Every size and member
 * offset of a DPDK structure the bus reads, writes, fills in or embeds.
 * The public headers define them, but the plugin may be built with the
 * SDK headers (bus_driver.h, dev_driver.h, bus_pci_driver.h) of another
 * release than the installed DPDK (devtools/setup.sh says when): these
 * assertions are what proves the two agree.
 */
#define SRIOV_PCI_LAYOUT_A(X, y, m)                                         \
	X(y, m, sizeof(struct rte_bus), 144)                                \
	X(y, m, offsetof(struct rte_bus, next), 0)                          \
	X(y, m, offsetof(struct rte_bus, name), 16)                         \
	X(y, m, offsetof(struct rte_bus, scan), 24)                         \
	X(y, m, offsetof(struct rte_bus, probe), 32)                        \
	X(y, m, offsetof(struct rte_bus, find_device), 40)                  \
	X(y, m, offsetof(struct rte_bus, plug), 48)                         \
	X(y, m, offsetof(struct rte_bus, unplug), 56)                       \
	X(y, m, offsetof(struct rte_bus, parse), 64)                        \
	X(y, m, offsetof(struct rte_bus, devargs_parse), 72)                \
	X(y, m, offsetof(struct rte_bus, dma_map), 80)                      \
	X(y, m, offsetof(struct rte_bus, dma_unmap), 88)                    \
	X(y, m, offsetof(struct rte_bus, conf), 96)                         \
	X(y, m, offsetof(struct rte_bus, get_iommu_class), 104)             \
	X(y, m, offsetof(struct rte_bus, dev_iterate), 112)                 \
	X(y, m, offsetof(struct rte_bus, hot_unplug_handler), 120)          \
	X(y, m, offsetof(struct rte_bus, sigbus_handler), 128)              \
	X(y, m, offsetof(struct rte_bus, cleanup), 136)                     \
	X(y, m, sizeof(struct rte_device), 64)                              \
	X(y, m, offsetof(struct rte_device, next), 0)                       \
	X(y, m, offsetof(struct rte_device, name), 16)                      \
	X(y, m, offsetof(struct rte_device, bus_info), 24)                  \
	X(y, m, offsetof(struct rte_device, driver), 32)                    \
	X(y, m, offsetof(struct rte_device, bus), 40)                       \
	X(y, m, offsetof(struct rte_device, numa_node), 48)                 \
	X(y, m, offsetof(struct rte_device, devargs), 56)                   \
	X(y, m, sizeof(struct rte_driver), 32)                              \
	X(y, m, offsetof(struct rte_driver, next), 0)                       \
	X(y, m, offsetof(struct rte_driver, name), 16)                      \
	X(y, m, offsetof(struct rte_driver, alias), 24)                     \
	X(y, m, sizeof(struct rte_pci_addr), 8)                             \
	X(y, m, sizeof(struct rte_pci_id), 12)                              \
	X(y, m, sizeof(struct rte_mem_resource), 24)                        \
	X(y, m, sizeof(struct rte_pci_device), 312)                         \
	X(y, m, offsetof(struct rte_pci_device, next), 0)                   \
	X(y, m, offsetof(struct rte_pci_device, device), 16)                \
	X(y, m, offsetof(struct rte_pci_device, addr), 80)                  \
	X(y, m, offsetof(struct rte_pci_device, id), 88)                    \
	X(y, m, offsetof(struct rte_pci_device, mem_resource), 104)         \
	X(y, m, offsetof(struct rte_pci_device, intr_handle), 248)          \
	X(y, m, offsetof(struct rte_pci_device, driver), 256)               \
	X(y, m, offsetof(struct rte_pci_device, max_vfs), 264)              \
	X(y, m, offsetof(struct rte_pci_device, kdrv), 268)                 \
	X(y, m, offsetof(struct rte_pci_device, name), 272)                 \
	X(y, m, offsetof(struct rte_pci_device, bus_info), 296)             \
	X(y, m, offsetof(struct rte_pci_device, vfio_req_intr_handle), 304) \
	X(y, m, sizeof(struct rte_pci_driver), 96)                          \
	X(y, m, offsetof(struct rte_pci_driver, next), 0)                   \
	X(y, m, offsetof(struct rte_pci_driver, driver), 16)                \
	X(y, m, offsetof(struct rte_pci_driver, probe), 48)                 \
	X(y, m, offsetof(struct rte_pci_driver, remove), 56)                \
	X(y, m, offsetof(struct rte_pci_driver, dma_map), 64)               \
	X(y, m, offsetof(struct rte_pci_driver, dma_unmap), 72)             \
	X(y, m, offsetof(struct rte_pci_driver, id_table), 80)              \
	X(y, m, offsetof(struct rte_pci_driver, drv_flags), 88)             \
	X(y, m, sizeof(struct rte_devargs), 136)                            \
	X(y, m, offsetof(struct rte_devargs, next), 0)                      \
	X(y, m, offsetof(struct rte_devargs, type), 16)                     \
	X(y, m, offsetof(struct rte_devargs, policy), 20)                   \
	X(y, m, offsetof(struct rte_devargs, name), 24)                     \
	X(y, m, offsetof(struct rte_devargs, drv_str), 88)                  \
	X(y, m, offsetof(struct rte_devargs, bus), 96)                      \
	X(y, m, offsetof(struct rte_devargs, cls), 104)                     \
	X(y, m, offsetof(struct rte_devargs, bus_str), 112)                 \
	X(y, m, offsetof(struct rte_devargs, cls_str), 120)                 \
	X(y, m, offsetof(struct rte_devargs, data), 128)                    \
	X(y, m, sizeof(struct sriov_pci_bus_layout), 176)                   \
	X(y, m, offsetof(struct sriov_pci_bus_layout, device_list), 144)    \
	X(y, m, offsetof(struct sriov_pci_bus_layout, driver_list), 160)    \
	X(y, m, sizeof(struct sriov_pci_region), 16)                        \
	X(y, m, offsetof(struct sriov_pci_region, size), 0)                 \
	X(y, m, offsetof(struct sriov_pci_region, offset), 8)               \
	X(y, m, offsetof(struct sriov_pci_device_ext, region), 312)

/*
 * Mirror of struct rte_pci_bus, drivers/bus/pci/private.h (22.11 to 25.11):
 * the generic bus, then two RTE_TAILQ_HEADs (on Linux, <sys/queue.h>
 * TAILQ_HEAD: first element, address of the last element's next pointer).
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

/*
 * Mirror of struct rte_pci_device_internal and struct rte_pci_region,
 * drivers/bus/pci/private.h since 23.07: the device, then per VFIO region
 * index its size and file offset, which pci_vfio_get_region()
 * (drivers/bus/pci/linux/pci_vfio.c) reads through container_of() from
 * any rte_pci_device handed to the accessors.
 */
#define SRIOV_PCI_REGIONS_MAX 9u
struct sriov_pci_region {
	uint64_t size;
	uint64_t offset;
};

struct sriov_pci_device_ext {
	/* cppcheck-suppress unusedStructMember */
	struct rte_pci_device device;
	/* cppcheck-suppress unusedStructMember */
	struct sriov_pci_region region[SRIOV_PCI_REGIONS_MAX];
};

/* One assertion per layout fact, for the headers' own release only. */
#define SRIOV_PCI_CHECK_FIELD(y, m, expr, value)                         \
	_Static_assert(!(RTE_VER_YEAR == (y) && RTE_VER_MONTH == (m)) || \
			       (expr) == (value),                        \
		       "DPDK " #y "." #m " layout: " #expr " is not " #value);
#define SRIOV_PCI_CHECK_RELEASE(y, m, layout, regions) \
	SRIOV_PCI_LAYOUT_##layout(SRIOV_PCI_CHECK_FIELD, y, m)
SRIOV_PCI_RELEASES(SRIOV_PCI_CHECK_RELEASE)

/* The headers' release must be on the list. */
#define SRIOV_PCI_IS_BUILD(y, m, layout, regions) \
	|| (RTE_VER_YEAR == (y) && RTE_VER_MONTH == (m))
#define SRIOV_PCI_STR(y, m, layout, regions) " " #y "." #m
#define SRIOV_PCI_BUILD_LISTED (0 SRIOV_PCI_RELEASES(SRIOV_PCI_IS_BUILD))
#define SRIOV_PCI_QUOTE(x) #x
#define SRIOV_PCI_XQUOTE(x) SRIOV_PCI_QUOTE(x)
#define SRIOV_PCI_BUILD_NAME \
	SRIOV_PCI_XQUOTE(RTE_VER_YEAR) "." SRIOV_PCI_XQUOTE(RTE_VER_MONTH)
#define SRIOV_PCI_SUPPORTED SRIOV_PCI_RELEASES(SRIOV_PCI_STR)
_Static_assert(
	SRIOV_PCI_BUILD_LISTED,
	"the headers are of DPDK " SRIOV_PCI_BUILD_NAME
	", which the sriov bus does not support; supported:" SRIOV_PCI_SUPPORTED
	" (SRIOV_PCI_RELEASES, sriov_pci_bus.c)");

/* The list at run time. */
enum { SRIOV_PCI_LAYOUT_ID_A = 1 };
#define SRIOV_PCI_ROW(y, m, layout, regions) \
	{ (y), (m), SRIOV_PCI_LAYOUT_ID_##layout, (regions) },
static const struct sriov_pci_release sriov_pci_releases[] = {
	SRIOV_PCI_RELEASES(SRIOV_PCI_ROW)
};

const struct sriov_pci_release *
sriov_pci_release_table(size_t *n)
{
	*n = RTE_DIM(sriov_pci_releases);
	return sriov_pci_releases;
}

const struct sriov_pci_release *
sriov_pci_release_find(const struct sriov_pci_release *tab, size_t n,
		       unsigned int year, unsigned int month)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].year == year && tab[i].month == month)
			return &tab[i];
	return NULL;
}

/* "22.11, 24.11, 25.11" into @p buf. */
void
sriov_pci_release_list(const struct sriov_pci_release *tab, size_t n, char *buf,
		       size_t len)
{
	size_t i, used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%02u.%02u",
				 i > 0 ? ", " : "", tab[i].year, tab[i].month);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/*
 * Whether a plugin built for release @p built may run on @p run: both on
 * the list with the same layout. @return the entries of the region table
 * the running pci bus keeps after each device (0: none), or -ENOTSUP with
 * the reason in @p why.
 */
int
sriov_pci_release_check(const struct sriov_pci_release *tab, size_t n,
			const struct sriov_pci_release *built,
			unsigned int run_year, unsigned int run_month,
			char *why, size_t len)
{
	const struct sriov_pci_release *run, *b;
	char list[64];

	sriov_pci_release_list(tab, n, list, sizeof(list));
	run = sriov_pci_release_find(tab, n, run_year, run_month);
	if (run == NULL) {
		snprintf(why, len,
			 "DPDK %02u.%02u is running: the sriov bus supports "
			 "DPDK %s only",
			 run_year, run_month, list);
		return -ENOTSUP;
	}
	b = sriov_pci_release_find(tab, n, built->year, built->month);
	if (b == NULL || b->layout != run->layout) {
		snprintf(why, len,
			 "DPDK %02u.%02u is running but the sriov bus was "
			 "built for DPDK %02u.%02u, whose layouts differ: "
			 "rebuild it against DPDK %02u.%02u",
			 run_year, run_month, built->year, built->month,
			 run_year, run_month);
		return -ENOTSUP;
	}
	if (run->regions > SRIOV_PCI_REGIONS_MAX) {
		snprintf(why, len,
			 "DPDK %02u.%02u keeps %u regions per device, more "
			 "than the %u the sriov bus has room for",
			 run_year, run_month, run->regions,
			 SRIOV_PCI_REGIONS_MAX);
		return -ENOTSUP;
	}
	return (int)run->regions;
}

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

/* Region table entries the running pci bus reads after each device. */
static int sriov_pci_regions;

/*
 * Find the pci bus and check it is the one this file mirrors. A release
 * that is not on the list leaves the sriov bus idle with one line that
 * says so (and nothing else: EAL goes on without it).
 */
int
sriov_pci_bus_attach(void)
{
	static const struct sriov_pci_release built = {
		.year = RTE_VER_YEAR,
		.month = RTE_VER_MONTH,
	};
	static bool refused;
	struct rte_bus *bus;
	char why[192];
	int ret;

	if (refused)
		return -ENOTSUP;
	ret = sriov_pci_release_check(
		sriov_pci_releases, RTE_DIM(sriov_pci_releases), &built,
		(unsigned int)rte_version_year(),
		(unsigned int)rte_version_month(), why, sizeof(why));
	if (ret < 0) {
		refused = true;
		SRIOV_LOG(ERR, "%s; it stays idle (%s)", why, rte_version());
		return ret;
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
	sriov_pci_regions = ret;
	sriov_pci = (struct sriov_pci_bus_layout *)bus;
	SRIOV_LOG(DEBUG, "%s, built for %02u.%02u: %d regions per device",
		  rte_version(), built.year, built.month, ret);
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

/*
 * The devices of the sriov bus carry the pci bus's private tail (struct
 * sriov_device's pci_room right after its pci member): the same place and
 * size as the region table of struct rte_pci_device_internal.
 */
_Static_assert(offsetof(struct sriov_device, pci_room) ==
		       offsetof(struct sriov_device, pci) +
			       offsetof(struct sriov_pci_device_ext, region),
	       "pci_room must follow pci as the region table follows the "
	       "device in struct rte_pci_device_internal");
_Static_assert(sizeof(((struct sriov_device *)0)->pci_room) >=
		       sizeof(((struct sriov_pci_device_ext *)0)->region),
	       "pci_room is smaller than the region table");

static struct sriov_pci_device_ext *
sriov_pci_ext(struct sriov_device *sd)
{
	return container_of(&sd->pci, struct sriov_pci_device_ext, device);
}

/*
 * Fill the region table the running pci bus reads after each device
 * (DPDK >= 23.07; nothing on 22.11) from the VFIO region info the device
 * layer read when it opened or adopted the device (one
 * VFIO_DEVICE_GET_REGION_INFO per index, as pci_vfio_map_resource_*()
 * does): size and file offset of every region index, BARs, ROM, config
 * space, VGA. A region the device lacks stays 0/0, which
 * pci_vfio_get_region() takes for "no such region".
 */
void
sriov_pci_bus_fill_regions(struct sriov_device *sd, unsigned int n)
{
	struct sriov_pci_device_ext *ext = sriov_pci_ext(sd);
	const struct vft_device *d = &sd->vfio_dev;
	unsigned int i;

	for (i = 0; i < n && i < SRIOV_PCI_REGIONS_MAX; i++) {
		struct sriov_pci_region *r = &ext->region[i];

		if (d->fd >= 0 && i < d->num_regions && i < VFT_MAX_REGIONS) {
			r->size = d->regions[i].size;
			r->offset = d->regions[i].offset;
		} else {
			r->size = 0;
			r->offset = 0;
		}
	}
}

/* The table of the running release (none on 22.11). */
void
sriov_pci_bus_set_regions(struct sriov_device *sd)
{
	sriov_pci_bus_fill_regions(sd, (unsigned int)sriov_pci_regions);
}

/* No region any more: the accessors refuse instead of reading a stale fd. */
void
sriov_pci_bus_clear_regions(struct sriov_device *sd)
{
	memset(&sd->pci_room, 0, sizeof(sd->pci_room));
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

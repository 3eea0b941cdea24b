/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * test-sriov-pciaccess: DPDK's PCI accessors on a device of the sriov bus.
 *
 * PMDs such as i40e, ice, iavf, bnxt, qede and em read config space and
 * BARs through rte_pci_read_config(), rte_pci_find_capability() and
 * rte_pci_mmio_read(). Since DPDK 23.07 the pci bus implements them with a
 * table it keeps after each rte_pci_device (doc/guides/architecture.rst,
 * "DPDK releases"), which the sriov bus must provide for its devices.
 * This program probes the devices given with -a (the plugin given with
 * -d), takes the first ethdev port's device and compares, for it:
 *
 * - the first 64 bytes of config space read through rte_pci_read_config()
 *   with the kernel's view, the device's sysfs config file, on the fields
 *   vfio-pci passes through unchanged (ids, revision, class, header type,
 *   subsystem ids, capability pointer; drivers/vfio/pci/vfio_pci_config.c
 *   virtualizes command, BARs, ROM and interrupt line);
 * - the positions of the PCI Express and MSI-X capabilities, found with
 *   rte_pci_find_capability() (DPDK >= 23.07; on 22.11, which lacks it, by
 *   walking the list through rte_pci_read_config()), with the positions in
 *   the sysfs config file, and the read-only head of the PCIe capability;
 * - a BAR0 register (offset 8, the status register of Intel NICs' VFs)
 *   read through rte_pci_mmio_read() (DPDK >= 23.07) and through the bus's
 *   own BAR mapping, with the same register read by the kernel: a read()
 *   of the VFIO device fd at the offset the kernel reports for region 0
 *   (the sysfs resource0 file cannot be mapped while vfio-pci holds the
 *   BAR: mmap() fails with EINVAL there, as seen in the rig on 6.1).
 *
 * Usage: test-sriov-pciaccess EAL-ARGS
 * Prints "ok"/"not ok" lines and "N passed, N failed"; exits 0 when all
 * passed.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <bus_pci_driver.h>
#include <rte_bus.h>
#include <rte_bus_pci.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_version.h>

#define PA_CAP_ID_EXP 0x10  /* PCI Express, PCI spec */
#define PA_CAP_ID_MSIX 0x11 /* MSI-X */
#define PA_CAP_PTR 0x34	    /* capabilities pointer */
#define PA_STATUS 0x06	    /* status register */
#define PA_STATUS_CAP 0x10  /* status: capability list */
#define PA_REG_OFF 8	    /* BAR0 register compared (VF status) */
#define PA_HAS_ACCESSORS (RTE_VERSION >= RTE_VERSION_NUM(23, 7, 0, 0))

static unsigned int pa_pass, pa_fail;

static void pa_check(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
pa_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u - ", ok ? "ok" : "not ok", pa_pass + pa_fail + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		pa_pass++;
	else
		pa_fail++;
}

/* The device's sysfs file @p name into @p buf; the bytes read or -1. */
static ssize_t
pa_sysfs_read(const struct rte_pci_device *pdev, const char *name, void *buf,
	      size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", pdev->name,
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = pread(fd, buf, len, 0);
	close(fd);
	return n;
}

/* A capability's position in a config space image, 0 if none. */
static unsigned int
pa_cap_in(const uint8_t *cfg, size_t len, uint8_t id)
{
	unsigned int pos, n;

	if (!(cfg[PA_STATUS] & PA_STATUS_CAP))
		return 0;
	pos = cfg[PA_CAP_PTR] & ~3u;
	for (n = 0; pos >= 0x40 && pos + 1 < len && n < 48; n++) {
		if (cfg[pos] == id)
			return pos;
		pos = cfg[pos + 1] & ~3u;
	}
	return 0;
}

/* The same, found by DPDK: rte_pci_find_capability() where it exists. */
static int
pa_cap_dpdk(const struct rte_pci_device *pdev, uint8_t id)
{
#if PA_HAS_ACCESSORS
	off_t pos = rte_pci_find_capability(pdev, id);

	return pos < 0 ? -1 : (int)pos;
#else
	uint8_t cfg[256];

	if (rte_pci_read_config(pdev, cfg, sizeof(cfg), 0) != sizeof(cfg))
		return -1;
	return (int)pa_cap_in(cfg, sizeof(cfg), id);
#endif
}

static void
pa_config_head(const struct rte_pci_device *pdev, const uint8_t *sys,
	       ssize_t nsys)
{
	static const struct {
		unsigned int off, len;
		const char *what;
	} f[] = {
		{ 0x08, 4, "revision and class" },
		{ 0x0e, 1, "header type" },
		{ 0x2c, 4, "subsystem vendor and device" },
		{ 0x34, 1, "capabilities pointer" },
	};
	uint8_t cfg[64];
	uint16_t ids[2];
	char hex[16];
	unsigned int i;
	int n;

	memset(cfg, 0xa5, sizeof(cfg));
	n = rte_pci_read_config(pdev, cfg, sizeof(cfg), 0);
	pa_check(n == (int)sizeof(cfg),
		 "rte_pci_read_config: 64 bytes at 0 (got %d)", n);
	if (n != (int)sizeof(cfg) || nsys < (ssize_t)sizeof(cfg))
		return;
	/* ids: the kernel's cached ones (a VF's own read 0xffff) */
	memcpy(ids, cfg, sizeof(ids));
	if (pa_sysfs_read(pdev, "vendor", hex, sizeof(hex) - 1) > 0) {
		unsigned int v = 0;

		hex[sizeof(hex) - 1] = '\0';
		sscanf(hex, "%x", &v);
		pa_check(ids[0] == v, "vendor id %04x, kernel %04x", ids[0], v);
	}
	if (pa_sysfs_read(pdev, "device", hex, sizeof(hex) - 1) > 0) {
		unsigned int v = 0;

		hex[sizeof(hex) - 1] = '\0';
		sscanf(hex, "%x", &v);
		pa_check(ids[1] == v, "device id %04x, kernel %04x", ids[1], v);
	}
	for (i = 0; i < RTE_DIM(f); i++)
		pa_check(memcmp(cfg + f[i].off, sys + f[i].off, f[i].len) == 0,
			 "config 0x%02x (%s): as the kernel's", f[i].off,
			 f[i].what);
}

static void
pa_caps(const struct rte_pci_device *pdev, const uint8_t *sys, ssize_t nsys)
{
	static const struct {
		uint8_t id;
		const char *name;
	} caps[] = {
		{ PA_CAP_ID_EXP, "PCI Express" },
		{ PA_CAP_ID_MSIX, "MSI-X" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(caps); i++) {
		unsigned int want = pa_cap_in(sys, (size_t)nsys, caps[i].id);
		int got = pa_cap_dpdk(pdev, caps[i].id);

		pa_check(got == (int)want && want != 0,
			 "%s capability at 0x%x (%s), kernel 0x%x",
			 caps[i].name, (unsigned int)got,
			 PA_HAS_ACCESSORS ? "rte_pci_find_capability"
					  : "walked with rte_pci_read_config",
			 want);
		if (caps[i].id == PA_CAP_ID_EXP && got > 0 &&
		    got == (int)want) {
			/* cap id, next, PCIe capabilities, device capabilities:
			 * read-only */
			uint8_t b[8];
			int n = rte_pci_read_config(pdev, b, sizeof(b), got);

			pa_check(n == (int)sizeof(b) &&
					 memcmp(b, sys + got, sizeof(b)) == 0,
				 "PCI Express capability head (8 bytes at "
				 "0x%x): as the kernel's",
				 (unsigned int)got);
		}
	}
}

/* Size and file offset of VFIO region @p index of the device fd. */
static int
pa_vfio_region(int fd, uint32_t index, uint64_t *size, uint64_t *offset)
{
	struct vfio_region_info ri = {
		.argsz = sizeof(ri),
		.index = index,
	};

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return -errno;
	*size = ri.size;
	*offset = ri.offset;
	return 0;
}

static void
pa_bar0(const struct rte_pci_device *pdev)
{
	uint64_t size = 0, offset = 0;
	uint32_t kern, bus;
	int fd, ret;

	/* The kernel's view: vfio-pci's read() of the BAR, an ioread32 in
	 * the kernel (drivers/vfio/pci/vfio_pci_rdwr.c), at the offset the
	 * kernel gives for region 0 now, not the one DPDK keeps. */
	fd = rte_intr_dev_fd_get(pdev->intr_handle);
	ret = fd < 0 ? -EBADF
		     : pa_vfio_region(fd, VFIO_PCI_BAR0_REGION_INDEX, &size,
				      &offset);
	if (ret < 0 || size < PA_REG_OFF + sizeof(kern) ||
	    pread(fd, &kern, sizeof(kern), (off_t)(offset + PA_REG_OFF)) !=
		    (ssize_t)sizeof(kern)) {
		pa_check(false,
			 "BAR0+0x%x read through the VFIO device fd %d: %s",
			 PA_REG_OFF, fd,
			 ret < 0 ? strerror(-ret) : "short or failed read");
		return;
	}
	if (pdev->mem_resource[0].len < PA_REG_OFF + sizeof(kern) ||
	    pdev->mem_resource[0].addr == NULL) {
		pa_check(false, "BAR0 is mapped by the bus (len %" PRIu64 ")",
			 pdev->mem_resource[0].len);
	} else {
		const volatile uint32_t *regs = pdev->mem_resource[0].addr;

		bus = regs[PA_REG_OFF / sizeof(*regs)];
		pa_check(bus == kern,
			 "BAR0+0x%x through the bus's mapping: %08" PRIx32
			 ", kernel (VFIO read) %08" PRIx32,
			 PA_REG_OFF, bus, kern);
	}
#if PA_HAS_ACCESSORS
	{
		uint32_t v = ~kern;
		int n = rte_pci_mmio_read(pdev, 0, &v, sizeof(v), PA_REG_OFF);

		pa_check(n == (int)sizeof(v) && v == kern,
			 "rte_pci_mmio_read BAR0+0x%x: %d bytes, %08" PRIx32
			 ", kernel %08" PRIx32,
			 PA_REG_OFF, n, v, kern);
	}
#else
	printf("ok %u - # skip rte_pci_mmio_read: %s has none (since "
	       "23.07)\n",
	       pa_pass + pa_fail + 1, rte_version());
	pa_pass++;
#endif
}

/* The bus's device iteration (rte_dev_iterator with "bus=sriov,addr=",
 * doc/guides/bus_sriov.rst): the filter names the probed device alone,
 * and an address of no device names none. */
static void
pa_iterate(struct rte_device *dev)
{
	static const char none[] = "bus=sriov,addr=0000:7f:1f.7";
	unsigned int n = 0, hit = 0, all = 0;
	struct rte_dev_iterator it;
	struct rte_device *d;
	char str[64];

	snprintf(str, sizeof(str), "bus=sriov,addr=%s", rte_dev_name(dev));
	RTE_DEV_FOREACH(d, str, &it)
	{
		n++;
		hit += d == dev;
	}
	pa_check(n == 1 && hit == 1, "%s: %u device(s), the probed one %s", str,
		 n, hit ? "among them" : "missing");
	n = 0;
	RTE_DEV_FOREACH(d, none, &it)
	n++;
	RTE_DEV_FOREACH(d, "bus=sriov", &it)
	all++;
	pa_check(n == 0 && all >= 1,
		 "%s (no such device): %u device(s); bus=sriov: %u", none, n,
		 all);
}

int
main(int argc, char **argv)
{
	struct rte_eth_dev_info info;
	const struct rte_pci_device *pdev;
	uint8_t sys[4096];
	ssize_t nsys;
	uint16_t port;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "test-sriov-pciaccess: EAL: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	printf("# %s\n", rte_version());
	port = rte_eth_find_next(0);
	pa_check(port < RTE_MAX_ETHPORTS, "a port was probed");
	if (port >= RTE_MAX_ETHPORTS ||
	    rte_eth_dev_info_get(port, &info) != 0 || info.device == NULL)
		goto out;
	pa_check(info.device->bus != NULL &&
			 strcmp(rte_bus_name(info.device->bus), "sriov") == 0,
		 "port %u (%s) is on the sriov bus (%s)", port,
		 rte_dev_name(info.device),
		 info.device->bus != NULL ? rte_bus_name(info.device->bus)
					  : "none");
	pdev = RTE_DEV_TO_PCI_CONST(info.device);
	memset(sys, 0, sizeof(sys));
	nsys = pa_sysfs_read(pdev, "config", sys, sizeof(sys));
	pa_check(nsys >= 64, "kernel's config space of %s: %zd bytes",
		 pdev->name, nsys);
	if (nsys >= 64) {
		pa_config_head(pdev, sys, nsys);
		pa_caps(pdev, sys, nsys);
	}
	pa_bar0(pdev);
	pa_iterate(info.device);
	/* The port never started: the PMD's close disables MSI-X that was
	 * never enabled, which VFIO refuses and EAL logs ("Error disabling
	 * MSI-X interrupts"); harmless here. */
	rte_eth_dev_close(port);
out:
	rte_eal_cleanup();
	printf("%u passed, %u failed\n", pa_pass, pa_fail);
	return pa_fail == 0 && pa_pass > 0 ? 0 : 1;
}

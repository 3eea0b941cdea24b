/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Unit tests of the sriov bus's list of supported DPDK releases
 * (drivers/bus/sriov/sriov_pci_bus.c, compiled into this program without
 * the rest of the bus and without an EAL): the real list holds 22.11,
 * 24.11 and 25.11 with the region table from 24.11 on; a release not on
 * it, or one with another layout than the build's (a fake table, for the
 * logic only), is refused with a reason that names the running release
 * and the supported ones; the region table lands where DPDK >= 23.07's pci
 * bus reads it.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sriov_private.h"

/* The one symbol of the rest of the bus that sriov_pci_bus.c needs. */
int sriov_logtype;

static char why[256];

static const struct sriov_pci_release built_2211 = { .year = 22, .month = 11 };

static void
test_real_list(void **state)
{
	const struct sriov_pci_release *tab, *r;
	char list[64];
	size_t n;

	(void)state;
	tab = sriov_pci_release_table(&n);
	assert_int_equal(n, 3);
	sriov_pci_release_list(tab, n, list, sizeof(list));
	assert_string_equal(list, "22.11, 24.11, 25.11");
	r = sriov_pci_release_find(tab, n, 22, 11);
	assert_non_null(r);
	assert_int_equal(r->regions, 0);
	r = sriov_pci_release_find(tab, n, 24, 11);
	assert_non_null(r);
	assert_int_equal(r->regions, 9);
	r = sriov_pci_release_find(tab, n, 25, 11);
	assert_non_null(r);
	assert_int_equal(r->regions, 9);
	assert_null(sriov_pci_release_find(tab, n, 23, 11));
	assert_null(sriov_pci_release_find(tab, n, 26, 11));
}

static void
test_check_supported(void **state)
{
	const struct sriov_pci_release *tab;
	size_t n;

	(void)state;
	tab = sriov_pci_release_table(&n);
	why[0] = '\0';
	assert_int_equal(sriov_pci_release_check(tab, n, &built_2211, 22, 11,
						 why, sizeof(why)),
			 0);
	/* built with 22.11 headers, running on 24.11/25.11: same layout,
	 * and the region table the running pci bus reads */
	assert_int_equal(sriov_pci_release_check(tab, n, &built_2211, 24, 11,
						 why, sizeof(why)),
			 9);
	assert_int_equal(sriov_pci_release_check(tab, n, &built_2211, 25, 11,
						 why, sizeof(why)),
			 9);
	assert_string_equal(why, "");
}

static void
test_check_unlisted(void **state)
{
	const struct sriov_pci_release *tab;
	size_t n;

	(void)state;
	tab = sriov_pci_release_table(&n);
	assert_int_equal(sriov_pci_release_check(tab, n, &built_2211, 23, 11,
						 why, sizeof(why)),
			 -ENOTSUP);
	assert_string_equal(why, "DPDK 23.11 is running: the sriov bus "
				 "supports DPDK 22.11, 24.11, 25.11 only");
	assert_int_equal(sriov_pci_release_check(tab, n, &built_2211, 26, 11,
						 why, sizeof(why)),
			 -ENOTSUP);
	assert_non_null(strstr(why, "DPDK 26.11 is running"));
}

/* A fake table: two layouts, to test the logic only. */
static const struct sriov_pci_release fake[] = {
	{ .year = 22, .month = 11, .layout = 1, .regions = 0 },
	{ .year = 24, .month = 11, .layout = 1, .regions = 9 },
	{ .year = 26, .month = 11, .layout = 2, .regions = 9 },
	{ .year = 27, .month = 11, .layout = 2, .regions = 99 },
};

static void
test_check_layout_differs(void **state)
{
	const struct sriov_pci_release b26 = { .year = 26, .month = 11 };
	const struct sriov_pci_release b23 = { .year = 23, .month = 11 };

	(void)state;
	assert_int_equal(sriov_pci_release_check(fake, RTE_DIM(fake),
						 &built_2211, 26, 11, why,
						 sizeof(why)),
			 -ENOTSUP);
	assert_string_equal(why, "DPDK 26.11 is running but the sriov bus "
				 "was built for DPDK 22.11, whose layouts "
				 "differ: rebuild it against DPDK 26.11");
	assert_int_equal(sriov_pci_release_check(fake, RTE_DIM(fake), &b26, 22,
						 11, why, sizeof(why)),
			 -ENOTSUP);
	/* a build release not on the list never matches */
	assert_int_equal(sriov_pci_release_check(fake, RTE_DIM(fake), &b23, 22,
						 11, why, sizeof(why)),
			 -ENOTSUP);
	/* more regions than the room the bus keeps per device */
	assert_int_equal(sriov_pci_release_check(fake, RTE_DIM(fake), &b26, 27,
						 11, why, sizeof(why)),
			 -ENOTSUP);
	assert_non_null(strstr(why, "99 regions"));
}

static void
test_list_truncates(void **state)
{
	char small[8];

	(void)state;
	sriov_pci_release_list(fake, RTE_DIM(fake), small, sizeof(small));
	assert_string_equal(small, "22.11, ");
	sriov_pci_release_list(fake, 0, small, sizeof(small));
	assert_string_equal(small, "");
}

/*
 * The region table as DPDK's pci bus reads it since 23.07: struct
 * rte_pci_device_internal and struct rte_pci_region of
 * drivers/bus/pci/private.h (v24.11, v25.11), written here from those
 * facts, reached by container_of() from the rte_pci_device as
 * pci_vfio_get_region() does.
 */
struct dpdk_region {
	uint64_t size;
	uint64_t offset;
};
struct dpdk_device_internal {
	struct rte_pci_device device;
	struct dpdk_region region[9];
};

static void
test_region_table(void **state)
{
	static struct sriov_device sd; /* large: not on the stack */
	const struct dpdk_device_internal *in;
	unsigned int i;

	(void)state;
	memset(&sd, 0xa5, sizeof(sd));
	sd.vfio_dev.fd = 7; /* open: only compared with -1 */
	sd.vfio_dev.num_regions = 9;
	for (i = 0; i < VFT_MAX_REGIONS; i++) {
		sd.vfio_dev.regions[i].size = 0x1000u * (i + 1);
		sd.vfio_dev.regions[i].offset = (uint64_t)i << 40;
	}
	sd.vfio_dev.regions[8].size = 0; /* no VGA region */
	sd.vfio_dev.regions[8].offset = 0;
	in = container_of(&sd.pci, const struct dpdk_device_internal, device);

	sriov_pci_bus_fill_regions(&sd, 9);
	for (i = 0; i < 9; i++) {
		assert_int_equal(in->region[i].size,
				 sd.vfio_dev.regions[i].size);
		assert_int_equal(in->region[i].offset,
				 sd.vfio_dev.regions[i].offset);
	}
	/* config space, the index rte_pci_read_config() uses */
	assert_int_equal(in->region[7].offset, (uint64_t)7 << 40);

	/* a device that reports fewer regions: the others are "none" */
	sd.vfio_dev.num_regions = 8;
	sriov_pci_bus_fill_regions(&sd, 9);
	assert_int_equal(in->region[8].size, 0);
	assert_int_equal(in->region[8].offset, 0);

	/* a closed device has no regions */
	sd.vfio_dev.fd = -1;
	sriov_pci_bus_fill_regions(&sd, 9);
	for (i = 0; i < 9; i++)
		assert_true(in->region[i].size == 0 &&
			    in->region[i].offset == 0);

	/* 22.11: nothing is written after the device */
	memset(&sd.pci_room, 0x5a, sizeof(sd.pci_room));
	sd.vfio_dev.fd = 7;
	sriov_pci_bus_fill_regions(&sd, 0);
	assert_int_equal(in->region[0].size, 0x5a5a5a5a5a5a5a5aull);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_list),
		cmocka_unit_test(test_check_supported),
		cmocka_unit_test(test_check_unlisted),
		cmocka_unit_test(test_check_layout_differs),
		cmocka_unit_test(test_list_truncates),
		cmocka_unit_test(test_region_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vftoken.h"

struct good_case {
	const char *in;
	uint32_t domain;
	uint8_t bus, dev, fn;
	const char *formatted;
};

static const struct good_case good[] = {
	{ "0000:01:00.0", 0, 0x01, 0x00, 0, "0000:01:00.0" },
	{ "0000:01:10.2", 0, 0x01, 0x10, 2, "0000:01:10.2" },
	{ "01:10.2", 0, 0x01, 0x10, 2, "0000:01:10.2" },
	{ "ffff:ff:1f.7", 0xffff, 0xff, 0x1f, 7, "ffff:ff:1f.7" },
	{ "FFFF:FF:1F.7", 0xffff, 0xff, 0x1f, 7, "ffff:ff:1f.7" },
	{ "AbCd:eF:0a.1", 0xabcd, 0xef, 0x0a, 1, "abcd:ef:0a.1" },
	{ "10000:e1:00.0", 0x10000, 0xe1, 0, 0, "10000:e1:00.0" },
	{ "ffffffff:00:00.0", 0xffffffff, 0, 0, 0, "ffffffff:00:00.0" },
	{ "00000001:02:03.4", 1, 2, 3, 4, "0001:02:03.4" },
};

static const char *const bad[] = {
	"",
	"0",
	"0000",
	"0000:",
	"0000:01",
	"0000:01:",
	"0000:01:00",
	"0000:01:00.",
	"0000:01:00.8", /* function >= 8 */
	"0000:01:00.f",
	"0000:01:20.0", /* device >= 0x20 */
	"0000:01:ff.0",
	"0000:1:00.0", /* bus needs 2 digits */
	"0000:001:00.0",
	"0000:01:0.0",
	"0000:01:000.0",
	"0000:01:00.00",
	"000:01:00.0", /* domain needs 4 to 8 digits */
	"0:01:00.0",
	"000000000:01:00.0",
	"1:00.0",
	"001:00.0",
	" 0000:01:00.0",
	"0000:01:00.0 ",
	"0000:01:00.0\n",
	"0000 :01:00.0",
	"0000: 01:00.0",
	"0000:01:00.0x",
	"0000:01:00.0:0",
	"0000.01:00.0",
	"0000:01.00.0",
	"0000:01:00:0",
	"0000-01-00.0",
	"g000:01:00.0",
	"0000:0g:00.0",
	"0000:01:0g.0",
	"0000:01:00.g",
	"+000:01:00.0",
	"0x00:01:00.0",
	"01:00.0 vf_token=x",
	"pci:0000:01:00.0",
};

static void
test_parse_good(void **state)
{
	char out[VFT_PCI_ADDR_LEN];
	struct vft_pci_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&a, 0xaa, sizeof(a));
		if (vft_pci_addr_parse(good[i].in, &a) != 0)
			fail_msg("refused \"%s\"", good[i].in);
		assert_int_equal(a.domain, good[i].domain);
		assert_int_equal(a.bus, good[i].bus);
		assert_int_equal(a.dev, good[i].dev);
		assert_int_equal(a.fn, good[i].fn);
		vft_pci_addr_format(&a, out);
		assert_string_equal(out, good[i].formatted);
	}
}

static void
test_parse_bad(void **state)
{
	struct vft_pci_addr a, before;
	size_t i;

	(void)state;
	memset(&before, 0x5a, sizeof(before));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = before;
		if (vft_pci_addr_parse(bad[i], &a) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		/* a refused parse leaves the output alone */
		assert_memory_equal(&a, &before, sizeof(a));
	}
	assert_int_equal(vft_pci_addr_parse(NULL, &a), -EINVAL);
	assert_int_equal(vft_pci_addr_parse("0000:01:00.0", NULL), -EINVAL);
}

/* Every device and function number: the boundary is exact. */
static void
test_parse_every_devfn(void **state)
{
	struct vft_pci_addr a;
	char s[32];
	unsigned int dev, fn;

	(void)state;
	for (dev = 0; dev < 0x100; dev++) {
		for (fn = 0; fn < 16; fn++) {
			snprintf(s, sizeof(s), "0000:00:%02x.%x", dev, fn);
			if (dev < 0x20 && fn < 8) {
				assert_int_equal(vft_pci_addr_parse(s, &a), 0);
				assert_int_equal(a.dev, dev);
				assert_int_equal(a.fn, fn);
			} else {
				assert_int_equal(vft_pci_addr_parse(s, &a),
						 -EINVAL);
			}
		}
	}
}

static void
test_format_round_trip(void **state)
{
	char out[VFT_PCI_ADDR_LEN];
	struct vft_pci_addr a = { 0x1234, 0x56, 0x1e, 5 }, b;

	(void)state;
	vft_pci_addr_format(&a, out);
	assert_string_equal(out, "1234:56:1e.5");
	assert_int_equal(vft_pci_addr_parse(out, &b), 0);
	assert_true(vft_pci_addr_equal(&a, &b));
}

static void
test_equal(void **state)
{
	struct vft_pci_addr a = { 1, 2, 3, 4 }, b;

	(void)state;
	b = a;
	assert_true(vft_pci_addr_equal(&a, &b));
	b.domain++;
	assert_false(vft_pci_addr_equal(&a, &b));
	b = a;
	b.bus++;
	assert_false(vft_pci_addr_equal(&a, &b));
	b = a;
	b.dev++;
	assert_false(vft_pci_addr_equal(&a, &b));
	b = a;
	b.fn++;
	assert_false(vft_pci_addr_equal(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_every_devfn),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

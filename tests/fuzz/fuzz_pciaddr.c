/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for vft_pci_addr_parse(): never crash, accept exactly
 * "DDDD:BB:DD.F" (4 to 8 domain digits) or "BB:DD.F" with device < 0x20 and
 * function < 8 (a reference grammar written here), and round trip
 * parse -> format -> parse to the same address, formatted like the
 * kernel's pci_name() ("%04x:%02x:%02x.%d").
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_ref.h"
#include "vftoken.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @p n hex digits at @p s, none more; @return the value or -1. */
static long
ref_field(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = ref_hex((unsigned char)s[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* The reference grammar. */
static bool
ref_pci_addr(const char *s, struct vft_pci_addr *a)
{
	size_t len = strlen(s), dlen;
	long dom = 0, bus, dev, fn;
	const char *p;

	/* "BB:DD.F" is 7 characters; with a domain of 4..8 digits, 12..16 */
	if (len == 7) {
		dlen = 0;
	} else if (len >= 12 && len <= 16) {
		dlen = len - 8;
		dom = ref_field(s, dlen);
		if (dom < 0 || s[dlen] != ':')
			return false;
	} else {
		return false;
	}
	p = s + (dlen ? dlen + 1 : 0);
	if (p[2] != ':' || p[5] != '.')
		return false;
	bus = ref_field(p, 2);
	dev = ref_field(p + 3, 2);
	fn = ref_field(p + 6, 1);
	if (bus < 0 || dev < 0 || fn < 0 || dev >= 0x20 || fn >= 8)
		return false;
	a->domain = (uint32_t)dom;
	a->bus = (uint8_t)bus;
	a->dev = (uint8_t)dev;
	a->fn = (uint8_t)fn;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = ref_strdup(data, size);
	struct vft_pci_addr a, b, want;
	bool ok;
	int rc;

	ok = ref_pci_addr(s, &want);
	memset(&a, 0xa5, sizeof(a));
	rc = vft_pci_addr_parse(s, &a);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	FUZZ_CHECK((rc == 0) == ok);
	if (ok) {
		char text[VFT_PCI_ADDR_LEN], want_text[32];

		FUZZ_CHECK(vft_pci_addr_equal(&a, &want));
		vft_pci_addr_format(&a, text);
		snprintf(want_text, sizeof(want_text), "%04x:%02x:%02x.%x",
			 (unsigned int)want.domain, (unsigned int)want.bus,
			 (unsigned int)want.dev, (unsigned int)want.fn);
		FUZZ_CHECK(strcmp(text, want_text) == 0);
		FUZZ_CHECK(vft_pci_addr_parse(text, &b) == 0);
		FUZZ_CHECK(vft_pci_addr_equal(&a, &b));
	}
	FUZZ_CHECK(vft_pci_addr_parse(s, NULL) == -EINVAL);
	free(s);
	return 0;
}

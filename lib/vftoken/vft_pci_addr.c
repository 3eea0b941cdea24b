/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#include <errno.h>
#include <stdio.h>

#include "vft_private.h"

/*
 * The kernel names PCI functions "%04x:%02x:%02x.%d" (pci_name()); domains
 * are 32-bit (Intel VMD uses 10000 and up), so 4 to 8 domain digits are
 * accepted. lspci's short "BB:DD.F" form means domain 0. Device numbers are
 * 5 bits and function numbers 3 bits (PCI Local Bus spec, devfn).
 */

static int
pci_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read between @p min and @p max hex digits at *@p s; advance *@p s. */
static int
pci_hex_field(const char **s, unsigned int min, unsigned int max, uint32_t *val)
{
	unsigned int n = 0;
	uint32_t v = 0;
	int d;

	while (n < max && (d = pci_hex_digit((*s)[n])) >= 0) {
		v = (v << 4) | (uint32_t)d;
		n++;
	}
	if (n < min || pci_hex_digit((*s)[n]) >= 0)
		return -EINVAL;
	*s += n;
	*val = v;
	return 0;
}

static int
pci_expect(const char **s, char c)
{
	if (**s != c)
		return -EINVAL;
	(*s)++;
	return 0;
}

/* "BB:DD.F" followed by the end of the string. */
static int
pci_parse_bdf(const char *s, struct vft_pci_addr *a)
{
	uint32_t bus, dev, fn;

	if (pci_hex_field(&s, 2, 2, &bus) != 0 || pci_expect(&s, ':') != 0 ||
	    pci_hex_field(&s, 2, 2, &dev) != 0 || pci_expect(&s, '.') != 0 ||
	    pci_hex_field(&s, 1, 1, &fn) != 0 || *s != '\0')
		return -EINVAL;
	if (dev >= 0x20 || fn >= 8)
		return -EINVAL;
	a->bus = (uint8_t)bus;
	a->dev = (uint8_t)dev;
	a->fn = (uint8_t)fn;
	return 0;
}

int
vft_pci_addr_parse(const char *s, struct vft_pci_addr *a)
{
	struct vft_pci_addr r = { 0 };
	const char *p = s;

	if (s == NULL || a == NULL)
		return -EINVAL;
	/* The short form has its first ':' at offset 2. */
	if (s[0] != '\0' && s[1] != '\0' && s[2] == ':') {
		if (pci_parse_bdf(s, &r) != 0)
			return -EINVAL;
	} else {
		if (pci_hex_field(&p, 4, 8, &r.domain) != 0 ||
		    pci_expect(&p, ':') != 0 || pci_parse_bdf(p, &r) != 0)
			return -EINVAL;
	}
	*a = r;
	return 0;
}

void
vft_pci_addr_format(const struct vft_pci_addr *a, char out[VFT_PCI_ADDR_LEN])
{
	snprintf(out, VFT_PCI_ADDR_LEN, "%04x:%02x:%02x.%x", a->domain,
		 (unsigned int)a->bus, (unsigned int)(a->dev & 0x1f),
		 (unsigned int)(a->fn & 0x7));
}

bool
vft_pci_addr_equal(const struct vft_pci_addr *a, const struct vft_pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev &&
	       a->fn == b->fn;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <uuid/uuid.h>

#include "vft_private.h"

/*
 * The kernel's uuid_is_valid() (lib/uuid.c), used by uuid_parse() and so by
 * vfio-pci's vf_token= option, accepts exactly 36 characters: '-' at
 * offsets 8, 13, 18 and 23 and a hex digit of either case everywhere else.
 * libuuid has its own rules, which have changed between releases (older ones
 * checked only the first 36 characters), so the shape is checked here and
 * libuuid only converts text already known to be valid.
 */
static bool
uuid_is_hyphen_pos(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

static bool
uuid_is_hex(char c)
{
	/* Not isxdigit(): that depends on the locale. */
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool
uuid_shape_ok(const char *s)
{
	size_t i;

	for (i = 0; i < VFT_UUID_STR_LEN; i++) {
		if (s[i] == '\0')
			return false;
		if (uuid_is_hyphen_pos(i) ? s[i] != '-' : !uuid_is_hex(s[i]))
			return false;
	}
	return s[VFT_UUID_STR_LEN] == '\0';
}

int
vft_uuid_parse(const char *s, struct vft_uuid *out)
{
	uuid_t u;

	if (s == NULL || out == NULL || !uuid_shape_ok(s))
		return -EINVAL;
	if (uuid_parse(s, u) != 0)
		return -EINVAL;
	memcpy(out->b, u, VFT_UUID_LEN);
	vft_wipe(u, sizeof(u));
	return 0;
}

void
vft_uuid_format(const struct vft_uuid *u, char out[VFT_UUID_STR_LEN + 1])
{
	uuid_unparse_lower(u->b, out);
}

/*
 * Random bytes from getrandom(2), not uuid_generate_random(): libuuid falls
 * back to a non-cryptographic generator without telling the caller when the
 * kernel's is unavailable, and a VF token is a secret. Version and variant
 * bits as RFC 4122 section 4.4.
 */
int
vft_uuid_generate(struct vft_uuid *out)
{
	size_t got = 0;

	while (got < VFT_UUID_LEN) {
		ssize_t n = getrandom(out->b + got, VFT_UUID_LEN - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			vft_wipe(out, sizeof(*out));
			return -errno;
		}
		got += (size_t)n;
	}
	out->b[6] = (uint8_t)((out->b[6] & 0x0f) | 0x40); /* version 4 */
	out->b[8] = (uint8_t)((out->b[8] & 0x3f) | 0x80); /* variant 10 */
	return 0;
}

bool
vft_uuid_equal(const struct vft_uuid *a, const struct vft_uuid *b)
{
	/* Accumulate differences so the time does not depend on where the
	 * first mismatch is; volatile keeps the compiler from exiting early. */
	volatile uint8_t diff = 0;
	size_t i;

	for (i = 0; i < VFT_UUID_LEN; i++)
		diff |= a->b[i] ^ b->b[i];
	return diff == 0;
}

bool
vft_uuid_is_null(const struct vft_uuid *u)
{
	static const struct vft_uuid zero;

	return vft_uuid_equal(u, &zero);
}

void
vft_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}

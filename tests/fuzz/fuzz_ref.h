/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef FUZZ_REF_H
#define FUZZ_REF_H

/*
 * Reference implementations the harnesses check libvftoken against. They
 * are written from the rules (kernel lib/uuid.c uuid_is_valid(), pci_name()
 * formatting), independently of lib/vftoken, and kept as plain as possible
 * so that a disagreement points at the library, not at the reference.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Abort (a finding for libFuzzer) with a message when @p cond is false. */
#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static inline int
ref_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The kernel's uuid_is_valid() on @p len bytes at @p s: exactly 36 bytes,
 * '-' at offsets 8, 13, 18 and 23, a hex digit of either case elsewhere.
 * On success, the 16 bytes in text order go to @p out (may be NULL).
 */
static inline bool
ref_uuid(const unsigned char *s, size_t len, uint8_t out[16])
{
	size_t i, k = 0;
	uint8_t b[16];

	if (len != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (ref_hex(s[i]) < 0) {
			return false;
		}
	}
	for (i = 0; i < 36; i += 2) {
		if (s[i] == '-')
			i++;
		b[k++] = (uint8_t)(ref_hex(s[i]) << 4 | ref_hex(s[i + 1]));
	}
	if (out != NULL)
		memcpy(out, b, 16);
	return true;
}

static inline bool
ref_all_zero(const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* Lower-case canonical text of 16 bytes: "%02x" per byte, 8-4-4-4-12. */
static inline void
ref_uuid_text(const uint8_t b[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, k = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[b[i] >> 4];
		out[k++] = hex[b[i] & 0xf];
	}
	out[k] = '\0';
}

/*
 * True if any 36-byte window of @p in that is a valid UUID appears in
 * @p msg, compared without case. A message of the library must never
 * repeat a token, so this must stay false.
 */
static inline bool
ref_msg_has_uuid_of(const char *msg, const unsigned char *in, size_t len)
{
	size_t i, j, m = strlen(msg);

	for (i = 0; i + 36 <= len; i++) {
		if (!ref_uuid(in + i, 36, NULL))
			continue;
		for (j = 0; j + 36 <= m; j++) {
			size_t k;

			for (k = 0; k < 36; k++) {
				int a = ref_hex((unsigned char)msg[j + k]);
				int b = ref_hex(in[i + k]);

				if (in[i + k] == '-' ? msg[j + k] != '-'
						     : a != b)
					break;
			}
			if (k == 36)
				return true;
		}
	}
	return false;
}

/* A NUL-terminated copy of the input (the fuzzer's bytes are not). */
static inline char *
ref_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif /* FUZZ_REF_H */

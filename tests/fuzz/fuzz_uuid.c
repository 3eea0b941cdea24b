/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for vft_uuid_parse(): it must never crash, must accept
 * exactly what the kernel's uuid_is_valid() accepts (a reference written
 * here from that rule), must decode the bytes in text order, and
 * parse -> format -> parse must give the same UUID.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_ref.h"
#include "vftoken.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = ref_strdup(data, size);
	struct vft_uuid u, v;
	uint8_t want[16];
	bool ok;
	int rc;

	/* The library sees a C string: it ends at the first NUL. */
	ok = ref_uuid((const unsigned char *)s, strlen(s), want);
	memset(&u, 0xa5, sizeof(u));
	rc = vft_uuid_parse(s, &u);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	FUZZ_CHECK((rc == 0) == ok);
	if (ok) {
		char text[VFT_UUID_STR_LEN + 1], want_text[37];

		FUZZ_CHECK(memcmp(u.b, want, 16) == 0);
		vft_uuid_format(&u, text);
		ref_uuid_text(want, want_text);
		FUZZ_CHECK(strcmp(text, want_text) == 0);
		FUZZ_CHECK(vft_uuid_parse(text, &v) == 0);
		FUZZ_CHECK(vft_uuid_equal(&u, &v));
		FUZZ_CHECK(vft_uuid_is_null(&u) == ref_all_zero(want, 16));
		v.b[size % 16] ^= 1;
		FUZZ_CHECK(!vft_uuid_equal(&u, &v));
	}
	FUZZ_CHECK(vft_uuid_parse(s, NULL) == -EINVAL);
	vft_wipe(&u, sizeof(u));
	free(s);
	return 0;
}

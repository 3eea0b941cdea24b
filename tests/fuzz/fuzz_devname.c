/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for vft_device_name(), the VFIO_GROUP_GET_DEVICE_FD
 * argument. Input: 2 bytes buffer length, 4 bytes domain, bus, device,
 * function, token source, 16 token bytes. The buffer is allocated with
 * exactly that length so ASan sees any overflow. On success the text is
 * "ADDR" or "ADDR vf_token=UUID" and parses back to the same address and
 * token; when the buffer is too small the result is -ENAMETOOLONG and the
 * buffer holds no part of the token (it is wiped).
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_ref.h"
#include "vft_private.h"
#include "vftoken.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TOKEN_OPT " vf_token="

static uint8_t
take(const uint8_t **data, size_t *size)
{
	uint8_t b = 0;

	if (*size > 0) {
		b = **data;
		(*data)++;
		(*size)--;
	}
	return b;
}

/* "ADDR" or "ADDR vf_token=UUID" parses back to @p a and @p tok. */
static void
check_parses_back(const char *buf, const struct vft_pci_addr *a,
		  const struct vft_token *tok)
{
	char addr[VFT_PCI_ADDR_LEN + 1];
	const char *sp = strchr(buf, ' ');
	size_t alen = sp != NULL ? (size_t)(sp - buf) : strlen(buf);
	struct vft_pci_addr got;
	struct vft_uuid u;

	FUZZ_CHECK(alen < sizeof(addr));
	memcpy(addr, buf, alen);
	addr[alen] = '\0';
	FUZZ_CHECK(vft_pci_addr_parse(addr, &got) == 0);
	FUZZ_CHECK(vft_pci_addr_equal(&got, a));
	if (tok == NULL) {
		FUZZ_CHECK(sp == NULL);
		return;
	}
	FUZZ_CHECK(sp != NULL);
	FUZZ_CHECK(strncmp(sp, TOKEN_OPT, strlen(TOKEN_OPT)) == 0);
	FUZZ_CHECK(vft_uuid_parse(sp + strlen(TOKEN_OPT), &u) == 0);
	FUZZ_CHECK(vft_uuid_equal(&u, &tok->uuid));
	vft_wipe(&u, sizeof(u));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vft_pci_addr a, masked;
	struct vft_token tok, *arg, *tp;
	char want[128], uuid[37] = "";
	unsigned int src;
	size_t len, i;
	char *buf;
	int rc, n;

	len = take(&data, &size);
	len |= (size_t)take(&data, &size) << 8;
	len %= 160;
	a.domain = take(&data, &size);
	a.domain |= (uint32_t)take(&data, &size) << 8;
	a.domain |= (uint32_t)take(&data, &size) << 16;
	a.domain |= (uint32_t)take(&data, &size) << 24;
	a.bus = take(&data, &size);
	a.dev = take(&data, &size);
	a.fn = take(&data, &size);
	memset(&tok, 0, sizeof(tok));
	/* 0..4: a record with that source (0: none); 5: no record at all */
	src = take(&data, &size) % 6;
	tok.source = src == 5 ? VFT_TOKEN_NONE : (enum vft_token_source)src;
	for (i = 0; i < VFT_UUID_LEN; i++)
		tok.uuid.b[i] = take(&data, &size);
	arg = src == 5 ? NULL : &tok;
	tp = tok.source != VFT_TOKEN_NONE ? &tok : NULL;

	/* Out-of-range device/function bits are not part of the name. */
	masked = a;
	masked.dev &= 0x1f;
	masked.fn &= 0x7;
	n = snprintf(want, sizeof(want), "%04x:%02x:%02x.%x",
		     (unsigned int)a.domain, (unsigned int)a.bus,
		     (unsigned int)masked.dev, (unsigned int)masked.fn);
	if (tp != NULL) {
		ref_uuid_text(tok.uuid.b, uuid);
		n += snprintf(want + n, sizeof(want) - (size_t)n, "%s%s",
			      TOKEN_OPT, uuid);
	}

	/* Exactly len bytes (at least one so malloc gives a pointer). */
	buf = malloc(len > 0 ? len : 1);
	FUZZ_CHECK(buf != NULL);
	memset(buf, 'x', len > 0 ? len : 1);
	rc = vft_device_name(&a, arg, buf, len);
	if ((size_t)n < len) {
		FUZZ_CHECK(rc == n);
		FUZZ_CHECK(strcmp(buf, want) == 0);
		check_parses_back(buf, &masked, tp);
	} else {
		FUZZ_CHECK(rc == -ENAMETOOLONG);
		FUZZ_CHECK(len == 0 || ref_all_zero((uint8_t *)buf, len));
	}
	FUZZ_CHECK(vft_device_name(&a, &tok, NULL, len) == -EINVAL);
	FUZZ_CHECK(vft_device_name(NULL, &tok, buf, len) == -EINVAL);
	vft_wipe(buf, len);
	vft_wipe(uuid, sizeof(uuid));
	vft_wipe(want, sizeof(want));
	vft_wipe(&tok, sizeof(tok));
	free(buf);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for the checks of the broker's messages
 * (lib/vftoken/vft_broker.c; doc/guides/broker.rst, "Protocol"). The
 * input is a message as it could arrive: a control byte (which side
 * checks it, how many fds came with it, whether a valid header of this
 * protocol is laid over the first bytes so that the checks past the
 * header are reached), then the message bytes. Properties:
 * - a request passes only as exactly the layout of a known operation,
 *   with NUL-terminated fields, a PCI address libvftoken parses, known
 *   flags and path, and as many fds as its flags say;
 * - a reply passes only with its layout's length, the expected operation
 *   and sequence number, terminated texts, an error that agrees with its
 *   verdict and the fds it names;
 * - every refusal has a terminated, non-empty message and a negative code.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vft_broker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEQ 7u

static void
check_refusal(int ret, const struct vft_err *err)
{
	if (ret >= 0)
		return;
	if (memchr(err->msg, '\0', sizeof(err->msg)) == NULL ||
	    err->msg[0] == '\0')
		abort();
}

static bool
terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

static void
check_request(const uint8_t *m, size_t len, unsigned int nfds)
{
	struct vft_broker_open_req o;
	struct vft_broker_rotate_req r;
	struct vft_pci_addr a;
	struct vft_err err;
	int op;

	vft_err_clear(&err);
	op = vft_broker_check_request(m, len, nfds, &err);
	check_refusal(op, &err);
	if (op == VFT_BROKER_OPEN) {
		if (len != sizeof(o))
			abort();
		memcpy(&o, m, sizeof(o));
		if (!terminated(o.addr, sizeof(o.addr)) ||
		    vft_pci_addr_parse(o.addr, &a) != 0 ||
		    (o.flags & ~VFT_BROKER_REQ_FLAGS) || o.path > VFT_PATH_CDEV)
			abort();
		if (nfds != (unsigned int)(!!(o.flags & VFT_BROKER_HAVE_CTX) +
					   !!(o.flags & VFT_BROKER_HAVE_GROUP)))
			abort();
	} else if (op == VFT_BROKER_ROTATE) {
		if (len != sizeof(r) || nfds != 0)
			abort();
		memcpy(&r, m, sizeof(r));
		if (!terminated(r.pf, sizeof(r.pf)) ||
		    vft_pci_addr_parse(r.pf, &a) != 0)
			abort();
	} else if (op >= 0) {
		abort();
	}
}

static void
check_reply(const uint8_t *m, size_t len, unsigned int nfds, uint16_t op)
{
	struct vft_broker_open_rep o;
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vft_broker_check_reply(m, len, nfds, op, SEQ, &err);
	check_refusal(ret, &err);
	if (ret < 0)
		return;
	if (ret > 0)
		abort();
	if (op == VFT_BROKER_ROTATE) {
		if (len != sizeof(struct vft_broker_rotate_rep) || nfds != 0)
			abort();
		return;
	}
	if (len != sizeof(o))
		abort();
	memcpy(&o, m, sizeof(o));
	if (!terminated(o.reason, sizeof(o.reason)) ||
	    !terminated(o.fix, sizeof(o.fix)) || o.error > 0 ||
	    (o.error == 0) != (o.verdict == VFT_V_OK))
		abort();
	if (o.error == 0 && !(o.fds & VFT_BROKER_FD_DEVICE))
		abort();
	if (o.error < 0 && (o.fds != 0 || nfds != 0))
		abort();
}

/*
 * Control byte: bits 0-1 which check (0/1 request, 2 open reply, 3
 * rotate reply), bits 2-4 the fd count (0-7: more than a message may
 * carry too), bit 5 lay a valid header over the message (bit 6: of the
 * rotate operation, else open).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ctl, *m;
	unsigned int nfds;
	size_t len;

	if (size < 1 || size > VFT_BROKER_MSG_MAX + 1)
		return 0;
	ctl = data[0];
	len = size - 1;
	nfds = (ctl >> 2) & 7;
	m = malloc(len > 0 ? len : 1);
	if (m == NULL)
		return 0;
	memcpy(m, data + 1, len);
	if ((ctl & 0x20) && len >= sizeof(struct vft_broker_hdr)) {
		struct vft_broker_hdr h;
		uint16_t op =
			(ctl & 0x40) ? VFT_BROKER_ROTATE : VFT_BROKER_OPEN;

		vft_broker_hdr_init(&h, op, len, SEQ);
		memcpy(m, &h, sizeof(h));
	}
	switch (ctl & 3) {
	case 0:
	case 1:
		check_request(m, len, nfds);
		break;
	case 2:
		check_reply(m, len, nfds, VFT_BROKER_OPEN);
		break;
	default:
		check_reply(m, len, nfds, VFT_BROKER_ROTATE);
		break;
	}
	free(m);
	return 0;
}

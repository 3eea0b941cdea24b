/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for the checks every multi-process message of the
 * sriov bus passes (drivers/bus/sriov/sriov_mp_msg.c, compiled in on its
 * own). The input is a message as it could arrive: its length field, its
 * fd count and its parameter bytes (a valid header of this build is laid
 * over the first bytes when the input asks for it, so that the checks past
 * the header are reached). Properties:
 * - a request passes sriov_mp_req_check() only if it is exactly a
 *   struct sriov_mp_req of a known operation, of this build, with no fd,
 *   status 0, a terminated device name that is not empty unless the
 *   operation is "list";
 * - a device reply passes sriov_mp_msg_check() only with the layout's
 *   length and exactly its two fds, or, when its status is an error, as
 *   the bare header with no fd;
 * - a refusal always comes with a non-empty, terminated reason.
 * No fd is ever closed: the fds are -1.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sriov_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_reason(int ret, const char *why, size_t len)
{
	if (ret == 0)
		return;
	if (memchr(why, '\0', len) == NULL || why[0] == '\0')
		abort();
}

static void
check_request(const struct rte_mp_msg *m)
{
	const struct sriov_mp_req *r = (const void *)m->param;
	char why[256];
	int ret;

	memset(why, 'x', sizeof(why));
	ret = sriov_mp_req_check(m, why, sizeof(why));
	check_reason(ret, why, sizeof(why));
	if (ret != 0)
		return;
	if (m->len_param != (int)sizeof(*r) || m->num_fds != 0 ||
	    r->h.magic != SRIOV_MP_MAGIC || r->h.version != SRIOV_MP_VERSION ||
	    r->h.status != 0 || strcmp(r->h.build, sriov_mp_build()) != 0 ||
	    memchr(r->name, '\0', sizeof(r->name)) == NULL)
		abort();
	if (r->h.op != SRIOV_MP_LIST && r->h.op != SRIOV_MP_ATTACH &&
	    r->h.op != SRIOV_MP_GONE)
		abort();
	if (r->h.op != SRIOV_MP_LIST && r->name[0] == '\0')
		abort();
}

static void
check_dev_reply(const struct rte_mp_msg *m)
{
	const struct sriov_mp_dev *d = (const void *)m->param;
	char why[256];
	int ret;

	memset(why, 'x', sizeof(why));
	ret = sriov_mp_msg_check(m, sizeof(*d), SRIOV_MP_DEV_FDS,
				 SRIOV_MP_ATTACH, why, sizeof(why));
	check_reason(ret, why, sizeof(why));
	if (ret != 0)
		return;
	if (d->h.op != SRIOV_MP_ATTACH)
		abort();
	if (d->h.status == 0 &&
	    (m->len_param != (int)sizeof(*d) || m->num_fds != SRIOV_MP_DEV_FDS))
		abort();
	if (d->h.status != 0 &&
	    (m->len_param != (int)sizeof(d->h) || m->num_fds != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mp_msg m;
	struct sriov_mp_hdr h;
	size_t n;
	int i;

	if (size < 3)
		return 0;
	memset(&m, 0, sizeof(m));
	for (i = 0; i < RTE_MP_MAX_FD_NUM; i++)
		m.fds[i] = -1;
	/* byte 0: length (scaled to the parameter area and a bit past it),
	 * byte 1: fd count (-2 .. 13), byte 2: lay a valid header over */
	m.len_param = (int)(data[0] * (RTE_MP_MAX_PARAM_LEN + 8) / 255) - 4;
	m.num_fds = (int)(data[1] % 16) - 2;
	n = size - 3 < sizeof(m.param) ? size - 3 : sizeof(m.param);
	memcpy(m.param, data + 3, n);
	if (data[2] & 1) {
		struct rte_mp_msg tmp;

		sriov_mp_msg_init(&tmp, &h, sizeof(h),
				  (enum sriov_mp_op)((data[2] >> 1) % 4),
				  (data[2] & 0x20) ? -19 : 0);
		memcpy(m.param, &h, sizeof(h));
	}
	check_request(&m);
	check_dev_reply(&m);
	return 0;
}

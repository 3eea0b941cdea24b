/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The bus's multi-process messages (doc/guides/bus_sriov.rst,
 * "Multi-process"): their layout, how one is made, and the checks every
 * received one passes before anything in it is used. What crosses the
 * channel is a device's fd, its BAR addresses and the process's build;
 * never a token. Kept apart from sriov_mp.c so that the checks are unit
 * tested without a running EAL (tests/unit/test_bus_mp.c).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_version.h>

#include "sriov_private.h"

#ifndef SRIOV_VFTOKEN_VERSION
#define SRIOV_VFTOKEN_VERSION "unknown"
#endif

_Static_assert(sizeof(struct sriov_mp_req) <= RTE_MP_MAX_PARAM_LEN,
	       "request does not fit an rte_mp_msg");
_Static_assert(sizeof(struct sriov_mp_list) <= RTE_MP_MAX_PARAM_LEN,
	       "list reply does not fit an rte_mp_msg");
_Static_assert(sizeof(struct sriov_mp_dev) <= RTE_MP_MAX_PARAM_LEN,
	       "device reply does not fit an rte_mp_msg");
_Static_assert(SRIOV_MP_DEV_FDS <= RTE_MP_MAX_FD_NUM,
	       "device reply carries more fds than an rte_mp_msg");

/* Both sides must run the same DPDK and the same plugin: the secondary
 * maps the primary's BARs at the primary's addresses for the primary's
 * PMD state, which only the same build lays out the same way. */
const char *
sriov_mp_build(void)
{
	static char build[SRIOV_MP_BUILD_LEN];

	if (build[0] == '\0')
		snprintf(build, sizeof(build), "%s, vftoken %s", rte_version(),
			 SRIOV_VFTOKEN_VERSION);
	return build;
}

const char *
sriov_mp_op_name(uint16_t op)
{
	switch (op) {
	case SRIOV_MP_LIST:
		return "list";
	case SRIOV_MP_ATTACH:
		return "attach";
	case SRIOV_MP_GONE:
		return "gone";
	default:
		return "unknown";
	}
}

void
sriov_mp_msg_init(struct rte_mp_msg *m, struct sriov_mp_hdr *h, size_t len,
		  enum sriov_mp_op op, int status)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", SRIOV_MP_ACTION);
	memset(h, 0, len);
	h->magic = SRIOV_MP_MAGIC;
	h->version = SRIOV_MP_VERSION;
	h->op = (uint16_t)op;
	h->status = status;
	h->pid = (uint32_t)getpid();
	snprintf(h->build, sizeof(h->build), "%s", sriov_mp_build());
	m->len_param = (int)len;
}

void
sriov_mp_msg_close_fds(const struct rte_mp_msg *m)
{
	int i, n = m->num_fds;

	if (n > RTE_MP_MAX_FD_NUM)
		n = RTE_MP_MAX_FD_NUM;
	for (i = 0; i < n; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
}

/* Write why a message is refused into @p why; @return @p err. */
static int __rte_format_printf(4, 5)
	sriov_mp_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

/* Whether the fixed-size string @p s of @p len bytes ends in a NUL. */
static bool
sriov_mp_str_ok(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

static int
sriov_mp_hdr_check(const struct sriov_mp_hdr *h, enum sriov_mp_op op, char *why,
		   size_t len)
{
	if (h->magic != SRIOV_MP_MAGIC)
		return sriov_mp_why(why, len, -EBADMSG,
				    "not a sriov bus message (magic 0x%08x, "
				    "expected 0x%08x)",
				    h->magic, SRIOV_MP_MAGIC);
	if (h->version != SRIOV_MP_VERSION)
		return sriov_mp_why(
			why, len, -EPROTO,
			"protocol version %u, this process speaks %u",
			h->version, SRIOV_MP_VERSION);
	if (h->op != op)
		return sriov_mp_why(why, len, -EBADMSG,
				    "operation %u (%s), expected %u (%s)",
				    h->op, sriov_mp_op_name(h->op), op,
				    sriov_mp_op_name(op));
	if (!sriov_mp_str_ok(h->build, sizeof(h->build)))
		return sriov_mp_why(why, len, -EBADMSG,
				    "build string not terminated");
	if (strcmp(h->build, sriov_mp_build()) != 0)
		return sriov_mp_why(why, len, -EPROTO,
				    "process %u runs %s; this process runs %s: "
				    "run primary and secondaries from the same "
				    "DPDK and plugin build",
				    h->pid, h->build, sriov_mp_build());
	return 0;
}

int
sriov_mp_msg_check(const struct rte_mp_msg *m, size_t want, int want_fds,
		   enum sriov_mp_op op, char *why, size_t len)
{
	const struct sriov_mp_hdr *h = (const void *)m->param;
	int ret;

	why[0] = '\0';
	if (m->num_fds < 0 || m->num_fds > RTE_MP_MAX_FD_NUM)
		return sriov_mp_why(why, len, -EBADMSG, "%d fds in a message",
				    m->num_fds);
	if (m->len_param < (int)sizeof(*h))
		return sriov_mp_why(
			why, len, -ENOENT,
			"%d bytes, shorter than the %zu-byte header "
			"(a primary without the sriov bus?)",
			m->len_param, sizeof(*h));
	ret = sriov_mp_hdr_check(h, op, why, len);
	if (ret < 0)
		return ret;
	/* A refusal is its header and nothing else. */
	if (h->status != 0) {
		want = sizeof(*h);
		want_fds = 0;
	}
	if (m->len_param != (int)want)
		return sriov_mp_why(why, len, -EBADMSG,
				    "%s message of %d bytes, expected %zu",
				    sriov_mp_op_name(op), m->len_param, want);
	if (m->num_fds != want_fds)
		return sriov_mp_why(why, len, -EBADMSG,
				    "%s message with %d fds, expected %d",
				    sriov_mp_op_name(op), m->num_fds, want_fds);
	return 0;
}

int
sriov_mp_req_check(const struct rte_mp_msg *m, char *why, size_t len)
{
	const struct sriov_mp_req *r = (const void *)m->param;
	const struct sriov_mp_hdr *h = (const void *)m->param;
	uint16_t op = SRIOV_MP_LIST;
	int ret;

	/* Checked against its own operation when that is one of ours; a
	 * request never carries a status (a refusal's bare header). */
	if (m->len_param >= (int)sizeof(*h) && h->magic == SRIOV_MP_MAGIC) {
		if (h->status != 0)
			return sriov_mp_why(why, len, -EBADMSG,
					    "a request with status %d",
					    h->status);
		if (h->op == SRIOV_MP_ATTACH || h->op == SRIOV_MP_GONE)
			op = h->op;
	}
	ret = sriov_mp_msg_check(m, sizeof(*r), 0, (enum sriov_mp_op)op, why,
				 len);
	if (ret < 0)
		return ret;
	if (!sriov_mp_str_ok(r->name, sizeof(r->name)))
		return sriov_mp_why(why, len, -EBADMSG,
				    "device name not terminated");
	if (r->h.op != SRIOV_MP_LIST && r->name[0] == '\0')
		return sriov_mp_why(why, len, -EBADMSG,
				    "%s request without a device name",
				    sriov_mp_op_name(r->h.op));
	return 0;
}

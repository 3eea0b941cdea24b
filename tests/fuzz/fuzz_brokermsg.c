/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for the checks of the broker's messages
 * (lib/vftoken/vft_broker_wire.c; doc/guides/broker.rst, "Protocol"). The
 * input is a message as it could arrive: a control byte (which side
 * checks it, how many fds came with it, whether a valid header of this
 * protocol is laid over the first bytes so that the checks past the
 * header are reached), then the message bytes. Properties:
 * - a request passes only as exactly the layout of a known operation,
 *   with NUL-terminated fields, a PCI address libvftoken parses, known
 *   flags and path, and as many fds as its flags say; an open-many
 *   request (VFT_BROKER_OPEN_MANY) also only with 1 to
 *   VFT_BROKER_MANY_MAX functions, each named once, zeros past them, no
 *   group fd;
 * - a reply passes only with its layout's length, the expected operation
 *   and sequence number, terminated texts, an error that agrees with its
 *   verdict and the fds it names; a stats reply (VFT_BROKER_STATS) with
 *   its terminated message, an error 0 or negative, and no fd;
 * - every refusal has a terminated, non-empty message and a negative code.
 *
 * With bit 7 of the control byte, the message travels for real: the next
 * two bytes choose the kind of each fd sent along (2 bits each: a pipe,
 * /dev/null, a unix socket, an eventfd), the message and its fds are sent
 * on a SOCK_SEQPACKET socketpair (with up to 7 fds: more than a message
 * may carry too), received with vft_broker_recv() and checked with
 * vft_broker_check_request() as the broker does (app/vftokend/
 * vftokend_serve.c vfd_serve()). Properties: at most VFT_BROKER_MAX_FDS
 * fds come out, each open and close-on-exec; a message with more comes
 * out refused with none; and once the receiver closed what it got, this
 * process holds exactly the fds it held before (/proc/self/fd): nothing
 * leaks (issue 26).
 */

#include <dirent.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

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
check_many(const uint8_t *m, size_t len, unsigned int nfds)
{
	struct vft_broker_open_many_req q;
	struct vft_pci_addr a;
	unsigned int i, j;
	size_t k;

	if (len != sizeof(q))
		abort();
	memcpy(&q, m, sizeof(q));
	if (q.count == 0 || q.count > VFT_BROKER_MANY_MAX ||
	    (q.flags & ~(VFT_BROKER_HAVE_CTX | VFT_BROKER_IOMMU_SET)) ||
	    q.path > VFT_PATH_CDEV ||
	    nfds != (unsigned int)!!(q.flags & VFT_BROKER_HAVE_CTX))
		abort();
	for (i = 0; i < q.count; i++) {
		if (!terminated(q.addr[i], sizeof(q.addr[i])) ||
		    vft_pci_addr_parse(q.addr[i], &a) != 0)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(q.addr[i], q.addr[j]) == 0)
				abort();
	}
	for (k = 0; k < sizeof(q.addr[0]) * (VFT_BROKER_MANY_MAX - q.count);
	     k++)
		if (((const char *)q.addr[q.count])[k] != 0)
			abort();
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
	} else if (op == VFT_BROKER_STATS) {
		if (len != sizeof(struct vft_broker_stats_req) || nfds != 0)
			abort();
	} else if (op == VFT_BROKER_OPEN_MANY) {
		check_many(m, len, nfds);
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
	if (op == VFT_BROKER_STATS) {
		struct vft_broker_stats_rep s;

		if (len != sizeof(s) || nfds != 0)
			abort();
		memcpy(&s, m, sizeof(s));
		if (!terminated(s.msg, sizeof(s.msg)) || s.error > 0)
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

/* ---- fd-shaped inputs ---------------------------------------------------- */

#define FD_KINDS 4
#define FD_SENT_MAX 7

/* How many fds this process has open (/proc/self/fd, less the one of the
 * listing itself). */
static int
fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		abort();
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* One fd of @p kind (0 pipe, 1 /dev/null, 2 unix socket, 3 eventfd) into
 * @p fd, and its peer, if it has one, into @p peer (else -1). */
static void
fd_make(unsigned int kind, int *fd, int *peer)
{
	int two[2];

	*peer = -1;
	switch (kind) {
	case 0:
		if (pipe2(two, O_CLOEXEC) < 0)
			abort();
		*fd = two[0];
		*peer = two[1];
		break;
	case 1:
		*fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		break;
	case 2:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, two) < 0)
			abort();
		*fd = two[0];
		*peer = two[1];
		break;
	default:
		*fd = eventfd(0, EFD_CLOEXEC);
		break;
	}
	if (*fd < 0)
		abort();
}

/* Send @p m with @p nfds fds (any number, unlike vft_broker_send()). */
static int
fd_send(int sock, const void *m, size_t len, const int *fds, unsigned int n)
{
	char ctl[CMSG_SPACE(sizeof(int) * FD_SENT_MAX)];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)m, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (n > 0) {
		struct cmsghdr *c;

		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
}

/* Receive what fd_send() sent, as the broker does, and check it. */
static void
fd_recv_check(int sock, size_t len, unsigned int nfds)
{
	char buf[VFT_BROKER_MSG_MAX] __attribute__((aligned(8)));
	int got[VFT_BROKER_MAX_FDS];
	unsigned int i, ngot = 0;
	ssize_t n;

	n = vft_broker_recv(sock, buf, sizeof(buf), got, &ngot);
	if (ngot > VFT_BROKER_MAX_FDS)
		abort();
	if (n >= 0 && nfds > VFT_BROKER_MAX_FDS)
		abort(); /* extra fds must not pass */
	if (n < 0 && ngot != 0)
		abort(); /* a refused message keeps no fd */
	for (i = 0; i < ngot; i++)
		if (fcntl(got[i], F_GETFD) != FD_CLOEXEC)
			abort();
	if (n > 0) {
		if ((size_t)n != len || ngot != nfds)
			abort();
		check_request((const uint8_t *)buf, (size_t)n, ngot);
	}
	vft_broker_close_fds(got, ngot);
}

/* The message @p m with @p nfds fds of the kinds in @p kinds, through a
 * socketpair to vft_broker_recv() and the request checks. */
static void
check_fds(const uint8_t *m, size_t len, unsigned int nfds, uint16_t kinds)
{
	int sent[FD_SENT_MAX], peers[FD_SENT_MAX];
	int sv[2], before = fd_count();
	unsigned int i;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	for (i = 0; i < nfds; i++)
		fd_make((kinds >> (2 * i)) & (FD_KINDS - 1), &sent[i],
			&peers[i]);
	/* Not sent (e.g. an empty message): nothing to receive. */
	if (fd_send(sv[0], m, len, sent, nfds) == 0)
		fd_recv_check(sv[1], len, nfds);
	for (i = 0; i < nfds; i++) {
		close(sent[i]);
		if (peers[i] >= 0)
			close(peers[i]);
	}
	close(sv[0]);
	close(sv[1]);
	if (fd_count() != before)
		abort();
}

/*
 * Control byte: bits 0-1 which check (0 request, 1 stats reply, 2 open
 * reply, 3 rotate reply), bits 2-4 the fd count (0-7: more than a message
 * may carry too), bit 5 lay a valid header over the message (of the
 * stats operation for a stats reply or a request of a stats request's
 * length with bit 6; of the open-many operation for a request of its
 * length; else bit 6: of the rotate operation, else open),
 * bit 7 through a socketpair with real fds (check_fds(); the kinds in
 * the next two bytes).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ctl, *m;
	unsigned int nfds;
	uint16_t kinds = 0;
	size_t len;

	if (size < 1 || size > VFT_BROKER_MSG_MAX + 1)
		return 0;
	ctl = data[0];
	data++;
	len = size - 1;
	if (ctl & 0x80) {
		if (len < 2)
			return 0;
		kinds = (uint16_t)(data[0] | (data[1] << 8));
		data += 2;
		len -= 2;
	}
	nfds = (ctl >> 2) & 7;
	m = malloc(len > 0 ? len : 1);
	if (m == NULL)
		return 0;
	memcpy(m, data, len);
	if ((ctl & 0x20) && len >= sizeof(struct vft_broker_hdr)) {
		struct vft_broker_hdr h;
		uint16_t op =
			(ctl & 0x40) ? VFT_BROKER_ROTATE : VFT_BROKER_OPEN;

		if ((ctl & 3) == 1 ||
		    ((ctl & 0x40) &&
		     len == sizeof(struct vft_broker_stats_req)))
			op = VFT_BROKER_STATS;
		else if ((ctl & 3) == 0 &&
			 len == sizeof(struct vft_broker_open_many_req))
			op = VFT_BROKER_OPEN_MANY;
		vft_broker_hdr_init(&h, op, len, SEQ);
		memcpy(m, &h, sizeof(h));
	}
	if (ctl & 0x80) {
		check_fds(m, len, nfds, kinds);
		free(m);
		return 0;
	}
	switch (ctl & 3) {
	case 0:
		check_request(m, len, nfds);
		break;
	case 1:
		check_reply(m, len, nfds, VFT_BROKER_STATS);
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

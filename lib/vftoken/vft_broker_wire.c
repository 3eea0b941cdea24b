/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The broker's messages (doc/guides/broker.rst, "Protocol"): how one is
 * made, sent with its fds, received, and checked field by field before
 * anything in it is used. Shared by both ends (vft_broker_client.c, the
 * server's side in vft_broker.c) and the fuzz harness; a leaf: it knows
 * nothing of devices or IOMMU contexts.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vft_broker.h"
#include "vft_private.h"
#include "vftoken.h"

_Static_assert(sizeof(struct vft_broker_open_rep) <= VFT_BROKER_MSG_MAX,
	       "open reply exceeds the message size");
_Static_assert(sizeof(struct vft_broker_open_many_req) <= VFT_BROKER_MSG_MAX,
	       "open-many request exceeds the message size");
_Static_assert(sizeof(struct vft_broker_rotate_rep) <= VFT_BROKER_MSG_MAX,
	       "rotate reply exceeds the message size");
_Static_assert(sizeof(struct vft_broker_stats_rep) <= VFT_BROKER_MSG_MAX,
	       "stats reply exceeds the message size");
_Static_assert(offsetof(struct vft_broker_stats_rep, uptime_s) % 8 == 0,
	       "stats reply counters are not 8-byte aligned");

const char *
vft_broker_op_name(uint16_t op)
{
	switch (op) {
	case VFT_BROKER_OPEN:
		return "open";
	case VFT_BROKER_ROTATE:
		return "rotate";
	case VFT_BROKER_STATS:
		return "stats";
	case VFT_BROKER_OPEN_MANY:
		return "open-many";
	default:
		return "unknown";
	}
}

void
vft_broker_hdr_init(struct vft_broker_hdr *h, uint16_t op, size_t len,
		    uint32_t seq)
{
	h->magic = VFT_BROKER_MAGIC;
	h->version = VFT_BROKER_VERSION;
	h->op = op;
	h->len = (uint32_t)len;
	h->seq = seq;
}

/* ---- checks ------------------------------------------------------------- */

static int
vft_broker_check_hdr(const void *buf, size_t len, struct vft_broker_hdr *h,
		     struct vft_err *err)
{
	if (len < sizeof(*h))
		return vft_err_set(err, -EPROTO,
				   "broker message of %zu bytes: shorter than "
				   "its %zu-byte header",
				   len, sizeof(*h));
	memcpy(h, buf, sizeof(*h));
	if (h->magic != VFT_BROKER_MAGIC)
		return vft_err_set(err, -EPROTO,
				   "broker message magic 0x%08x: expected "
				   "0x%08x (not a vftoken broker peer)",
				   h->magic, VFT_BROKER_MAGIC);
	if (h->version != VFT_BROKER_VERSION)
		return vft_err_set(err, -EPROTO,
				   "broker protocol version %u: expected %u "
				   "(broker and client of different releases)",
				   h->version, VFT_BROKER_VERSION);
	if (h->len != len)
		return vft_err_set(err, -EPROTO,
				   "broker message says %u bytes, %zu came",
				   h->len, len);
	return 0;
}

static int
vft_broker_check_len(uint16_t op, size_t len, size_t want, bool reply,
		     struct vft_err *err)
{
	if (len == want)
		return 0;
	return vft_err_set(
		err, -EPROTO, "broker %s %s of %zu bytes: expected %zu",
		vft_broker_op_name(op), reply ? "reply" : "request", len, want);
}

static int
vft_broker_check_str(const char *s, size_t size, const char *field,
		     struct vft_err *err)
{
	if (memchr(s, '\0', size) == NULL)
		return vft_err_set(err, -EPROTO,
				   "broker message field %s is not "
				   "NUL-terminated within %zu bytes",
				   field, size);
	return 0;
}

static int
vft_broker_check_fds(unsigned int want, unsigned int got, struct vft_err *err)
{
	if (want == got)
		return 0;
	return vft_err_set(err, -EPROTO,
			   "broker message carries %u fds, its flags say %u",
			   got, want);
}

static int
vft_broker_check_addr(const char *s, size_t size, const char *field,
		      struct vft_err *err)
{
	struct vft_pci_addr a;
	int ret = vft_broker_check_str(s, size, field, err);

	if (ret < 0)
		return ret;
	if (vft_pci_addr_parse(s, &a) < 0) {
		char shown[VFT_PCI_ADDR_LEN];

		/* Client bytes: never a control byte in a log line. */
		vft_printable(shown, sizeof(shown), s, size);
		return vft_err_set(err, -EINVAL,
				   "broker message field %s '%s': expected a "
				   "PCI address DDDD:BB:DD.F",
				   field, shown);
	}
	return 0;
}

static int
vft_broker_check_open_req(const struct vft_broker_open_req *r,
			  unsigned int nfds, struct vft_err *err)
{
	unsigned int want;
	int ret;

	ret = vft_broker_check_addr(r->addr, sizeof(r->addr), "addr", err);
	if (ret < 0)
		return ret;
	if (!vft_path_known(r->path))
		return vft_err_set(err, -EINVAL,
				   "broker open: path %u: expected a VFIO path "
				   "of enum vft_path (%u group, %u cdev, ...)",
				   r->path, VFT_PATH_GROUP, VFT_PATH_CDEV);
	if (r->flags & ~VFT_BROKER_REQ_FLAGS)
		return vft_err_set(err, -EINVAL,
				   "broker open: flags 0x%x: unknown bits 0x%x",
				   r->flags, r->flags & ~VFT_BROKER_REQ_FLAGS);
	if ((r->flags & VFT_BROKER_HAVE_GROUP) &&
	    (r->path != VFT_PATH_GROUP || !(r->flags & VFT_BROKER_HAVE_CTX) ||
	     r->group_id < 0))
		return vft_err_set(err, -EINVAL,
				   "broker open: a group fd comes only on the "
				   "group path, with its container and a "
				   "group number >= 0 (got %d)",
				   r->group_id);
	want = !!(r->flags & VFT_BROKER_HAVE_CTX) +
	       !!(r->flags & VFT_BROKER_HAVE_GROUP);
	return vft_broker_check_fds(want, nfds, err);
}

static bool
vft_broker_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* Field addr[@p i]'s name in an error text. */
static const char *
vft_broker_many_field(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "addr[%u]", i);
	return buf;
}

static int
vft_broker_check_many_req(const struct vft_broker_open_many_req *r,
			  unsigned int nfds, struct vft_err *err)
{
	const uint32_t flags = VFT_BROKER_HAVE_CTX | VFT_BROKER_IOMMU_SET;
	char field[24];
	unsigned int i, j;

	if (r->count == 0 || r->count > VFT_BROKER_MANY_MAX)
		return vft_err_set(err, -EINVAL,
				   "broker open-many: count %u: expected 1 to "
				   "%u functions",
				   r->count, VFT_BROKER_MANY_MAX);
	if (!vft_path_known(r->path))
		return vft_err_set(err, -EINVAL,
				   "broker open-many: path %u: expected a VFIO "
				   "path of enum vft_path (%u group, %u cdev, "
				   "...)",
				   r->path, VFT_PATH_GROUP, VFT_PATH_CDEV);
	if (r->flags & ~flags)
		return vft_err_set(
			err, -EINVAL,
			"broker open-many: flags 0x%x: expected "
			"only 0x%x (context fd, IOMMU set; a group's "
			"fd comes only with a one-function open)",
			r->flags, flags);
	for (i = 0; i < r->count; i++) {
		int ret = vft_broker_check_addr(
			r->addr[i], sizeof(r->addr[i]),
			vft_broker_many_field(i, field, sizeof(field)), err);
		if (ret < 0)
			return ret;
		for (j = 0; j < i; j++)
			if (strcmp(r->addr[i], r->addr[j]) == 0)
				return vft_err_set(err, -EINVAL,
						   "broker open-many: addr[%u] "
						   "'%s' is addr[%u] again: "
						   "expected each function "
						   "once",
						   i, r->addr[i], j);
	}
	if (!vft_broker_zero(r->addr[r->count],
			     sizeof(r->addr[0]) *
				     (VFT_BROKER_MANY_MAX - r->count)))
		return vft_err_set(err, -EINVAL,
				   "broker open-many: bytes after the %u "
				   "functions named: expected zeros",
				   r->count);
	return vft_broker_check_fds(!!(r->flags & VFT_BROKER_HAVE_CTX), nfds,
				    err);
}

static int
vft_broker_check_rotate_req(const struct vft_broker_rotate_req *r,
			    unsigned int nfds, struct vft_err *err)
{
	int ret = vft_broker_check_addr(r->pf, sizeof(r->pf), "pf", err);

	return ret < 0 ? ret : vft_broker_check_fds(0, nfds, err);
}

int
vft_broker_check_request(const void *buf, size_t len, unsigned int nfds,
			 struct vft_err *err)
{
	struct vft_broker_hdr h = { 0 };
	int ret = vft_broker_check_hdr(buf, len, &h, err);

	if (ret < 0)
		return ret;
	switch (h.op) {
	case VFT_BROKER_OPEN:
		ret = vft_broker_check_len(h.op, len,
					   sizeof(struct vft_broker_open_req),
					   false, err);
		if (ret == 0)
			ret = vft_broker_check_open_req(buf, nfds, err);
		break;
	case VFT_BROKER_ROTATE:
		ret = vft_broker_check_len(h.op, len,
					   sizeof(struct vft_broker_rotate_req),
					   false, err);
		if (ret == 0)
			ret = vft_broker_check_rotate_req(buf, nfds, err);
		break;
	case VFT_BROKER_STATS:
		ret = vft_broker_check_len(h.op, len,
					   sizeof(struct vft_broker_stats_req),
					   false, err);
		if (ret == 0)
			ret = vft_broker_check_fds(0, nfds, err);
		break;
	case VFT_BROKER_OPEN_MANY:
		ret = vft_broker_check_len(
			h.op, len, sizeof(struct vft_broker_open_many_req),
			false, err);
		if (ret == 0)
			ret = vft_broker_check_many_req(buf, nfds, err);
		break;
	default:
		return vft_err_set(err, -EINVAL,
				   "broker request operation %u: expected %u "
				   "(open), %u (rotate), %u (stats) or %u "
				   "(open-many)",
				   h.op, VFT_BROKER_OPEN, VFT_BROKER_ROTATE,
				   VFT_BROKER_STATS, VFT_BROKER_OPEN_MANY);
	}
	return ret < 0 ? ret : h.op;
}

static int
vft_broker_check_open_rep(const struct vft_broker_open_rep *r,
			  unsigned int nfds, struct vft_err *err)
{
	unsigned int want;
	int ret;

	ret = vft_broker_check_str(r->reason, sizeof(r->reason), "reason", err);
	if (ret == 0)
		ret = vft_broker_check_str(r->fix, sizeof(r->fix), "fix", err);
	if (ret < 0)
		return ret;
	if (r->error > 0 || r->verdict > VFT_V_BROKER_DENIED ||
	    (r->error == 0) != (r->verdict == VFT_V_OK))
		return vft_err_set(err, -EPROTO,
				   "broker open reply: error %d with verdict "
				   "%u: expected 0 with ok or -errno with a "
				   "refusal",
				   r->error, r->verdict);
	if (r->fds & ~VFT_BROKER_FDS)
		return vft_err_set(err, -EPROTO,
				   "broker open reply: fd bits 0x%x unknown",
				   r->fds);
	/* A success carries the device; a refusal carries nothing. */
	if ((r->error == 0) != !!(r->fds & VFT_BROKER_FD_DEVICE) ||
	    (r->error < 0 && r->fds != 0))
		return vft_err_set(err, -EPROTO,
				   "broker open reply: fds 0x%x with error %d",
				   r->fds, r->error);
	if (r->error == 0 && !vft_path_known(r->path))
		return vft_err_set(err, -EPROTO,
				   "broker open reply: path %u unknown",
				   r->path);
	if ((r->fds & VFT_BROKER_FD_GROUP) &&
	    (r->path != VFT_PATH_GROUP || r->group_id < 0))
		return vft_err_set(err, -EPROTO,
				   "broker open reply: a group fd off the "
				   "group path or for group %d",
				   r->group_id);
	want = !!(r->fds & VFT_BROKER_FD_CTX) +
	       !!(r->fds & VFT_BROKER_FD_GROUP) +
	       !!(r->fds & VFT_BROKER_FD_DEVICE);
	return vft_broker_check_fds(want, nfds, err);
}

static int
vft_broker_check_rotate_rep(const struct vft_broker_rotate_rep *r,
			    unsigned int nfds, struct vft_err *err)
{
	int ret;

	ret = vft_broker_check_str(r->fingerprint, sizeof(r->fingerprint),
				   "fingerprint", err);
	if (ret == 0)
		ret = vft_broker_check_str(r->msg, sizeof(r->msg), "msg", err);
	if (ret == 0 && r->error > 0)
		ret = vft_err_set(err, -EPROTO,
				  "broker rotate reply: error %d: expected 0 "
				  "or -errno",
				  r->error);
	return ret < 0 ? ret : vft_broker_check_fds(0, nfds, err);
}

static int
vft_broker_check_stats_rep(const struct vft_broker_stats_rep *r,
			   unsigned int nfds, struct vft_err *err)
{
	int ret = vft_broker_check_str(r->msg, sizeof(r->msg), "msg", err);

	if (ret == 0 && r->error > 0)
		ret = vft_err_set(err, -EPROTO,
				  "broker stats reply: error %d: expected 0 "
				  "or -errno",
				  r->error);
	return ret < 0 ? ret : vft_broker_check_fds(0, nfds, err);
}

int
vft_broker_check_reply(const void *buf, size_t len, unsigned int nfds,
		       uint16_t op, uint32_t seq, struct vft_err *err)
{
	struct vft_broker_hdr h = { 0 };
	int ret = vft_broker_check_hdr(buf, len, &h, err);

	if (ret < 0)
		return ret;
	if (h.op != op || h.seq != seq)
		return vft_err_set(err, -EPROTO,
				   "broker reply to %s #%u: expected %s #%u",
				   vft_broker_op_name(h.op), h.seq,
				   vft_broker_op_name(op), seq);
	switch (op) {
	case VFT_BROKER_OPEN:
	case VFT_BROKER_OPEN_MANY:
		ret = vft_broker_check_len(
			op, len, sizeof(struct vft_broker_open_rep), true, err);
		return ret < 0 ? ret
			       : vft_broker_check_open_rep(buf, nfds, err);
	case VFT_BROKER_ROTATE:
		ret = vft_broker_check_len(op, len,
					   sizeof(struct vft_broker_rotate_rep),
					   true, err);
		return ret < 0 ? ret
			       : vft_broker_check_rotate_rep(buf, nfds, err);
	case VFT_BROKER_STATS:
		ret = vft_broker_check_len(op, len,
					   sizeof(struct vft_broker_stats_rep),
					   true, err);
		return ret < 0 ? ret
			       : vft_broker_check_stats_rep(buf, nfds, err);
	default:
		return vft_err_set(err, -EINVAL, "broker reply: operation %u",
				   op);
	}
}

void
vft_printable(char *dst, size_t len, const char *src, size_t n)
{
	size_t i;

	if (len == 0)
		return;
	for (i = 0; i < n && i + 1 < len && src[i] != '\0'; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

/* ---- send and receive -------------------------------------------------- */

void
vft_broker_close_fds(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vft_os_close_fd(&fds[i]);
}

int
vft_broker_send(int sock, const void *msg, size_t len, const int *fds,
		unsigned int nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * VFT_BROKER_MAX_FDS)];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg,
			     .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > VFT_BROKER_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

/* Take the fds of every SCM_RIGHTS block; keep the first VFT_BROKER_MAX_FDS,
 * close the rest. @return -EPROTO if any had to be closed. */
static int
vft_broker_take_fds(struct msghdr *mh, int *fds, unsigned int *nfds)
{
	struct cmsghdr *c;
	int ret = 0;

	*nfds = 0;
	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t i, n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (*nfds < VFT_BROKER_MAX_FDS) {
				fds[(*nfds)++] = fd;
			} else {
				vft_os->close(fd);
				ret = -EPROTO;
			}
		}
	}
	return ret;
}

ssize_t
vft_broker_recv(int sock, void *buf, size_t size, int *fds, unsigned int *nfds)
{
	/* Room for more fds than allowed, so that extra ones are seen (and
	 * closed) rather than cut off by the kernel. */
	char ctl[CMSG_SPACE(sizeof(int) * (VFT_BROKER_MAX_FDS + 8))];
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t n;
	int ret;

	*nfds = 0;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	ret = vft_broker_take_fds(&mh, fds, nfds);
	if (ret == 0 && (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		ret = -EMSGSIZE;
	if (ret < 0) {
		vft_broker_close_fds(fds, *nfds);
		*nfds = 0;
		return ret;
	}
	return n;
}

ssize_t
vft_broker_peek(int sock, void *buf, size_t size)
{
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	/* No control buffer: the kernel's peeked references to any fds are
	 * dropped with fput(), which never calls a file's flush (only a close
	 * of an fd does, filp_close() in fs/open.c). */
	do
		n = recvmsg(sock, &mh, MSG_PEEK | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (mh.msg_flags & MSG_TRUNC) ? -EMSGSIZE : n;
}

ssize_t
vft_broker_recv_peeked(int sock, void *buf, size_t size, unsigned int want,
		       int *fds, unsigned int *nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * VFT_BROKER_MAX_FDS)];
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	*nfds = 0;
	if (want > VFT_BROKER_MAX_FDS)
		return -EINVAL;
	if (want > 0) {
		mh.msg_control = ctl;
		/* CMSG_LEN, not CMSG_SPACE: the kernel fits as many fds as
		 * the length holds (scm_detach_fds()), and CMSG_SPACE's
		 * padding would hold one more when @p want is odd. */
		mh.msg_controllen = CMSG_LEN(sizeof(int) * want);
	}
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* Room for @p want only: scm_detach_fds() drops the rest with fput(). */
	if (vft_broker_take_fds(&mh, fds, nfds) < 0 || *nfds > want ||
	    (mh.msg_flags & MSG_CTRUNC))
		return -EPROTO;
	return (mh.msg_flags & MSG_TRUNC) ? -EMSGSIZE : n;
}

void
vft_handover_init(struct vft_handover *h)
{
	memset(h, 0, sizeof(*h));
	h->group_id = -1;
	h->cdev = -1;
	h->fds[0] = h->fds[1] = -1;
}

void
vft_handover_of_request(const struct vft_broker_open_req *req, const int *fds,
			unsigned int nfds, struct vft_handover *h)
{
	unsigned int i;

	vft_handover_init(h);
	h->flags = req->flags;
	h->ioas_id = req->ioas_id;
	h->group_id = req->group_id;
	for (i = 0; i < nfds && i < 2; i++)
		h->fds[h->nfds++] = fds[i];
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * A client of the VF token broker (doc/guides/broker.rst): an IOMMU
 * context whose devices the broker opens. The client sends what it holds
 * of its context (container or iommufd, the function's group fd when it
 * has it) with each request; the broker opens the function into that
 * context with the token and sends back the fds that are new to the
 * client. From there on the device is the client's, exactly as if it had
 * opened it: the same backends map DMA and close it.
 *
 * The device layer's brokered opens (vft_iommu_open_brokered(),
 * vft_iommu_open_brokered_devices()) live here and call down into the
 * device layer (vft_device.c), which knows nothing of the broker. What of
 * a context goes with a request, and what of a reply joins it, is its
 * backend's (export_ctx, import_reply: vft_private.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vft_broker.h"
#include "vft_private.h"
#include "vftoken.h"

/* An open under TCG (the VM rig) can take seconds; a broker that does not
 * answer in this time is reported, never waited for forever. */
#define VFT_BROKER_TIMEOUT_S 30

/* Connect to the broker at @p path; -errno with @p err saying where. */
static int
vft_broker_connect(const char *path, struct vft_err *err)
{
	struct timeval tv = { .tv_sec = VFT_BROKER_TIMEOUT_S };
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return vft_err_set(err, -ENAMETOOLONG,
				   "broker socket path '%s' is too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vft_err_set(err, -errno, "socket(AF_UNIX): %s",
				   strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int ret = -errno;

		close(fd);
		return vft_err_set(err, ret,
				   "cannot reach the VF token broker at %s: %s",
				   path, strerror(-ret));
	}
	return fd;
}

/* One request and its checked reply: @p rep and @p fds are filled. */
static int
vft_broker_call(const char *path, const void *req, size_t req_len,
		const int *req_fds, unsigned int req_nfds, void *rep,
		size_t rep_len, int *fds, unsigned int *nfds,
		struct vft_err *err)
{
	const struct vft_broker_hdr *h = req;
	char buf[VFT_BROKER_MSG_MAX] __attribute__((aligned(8)));
	ssize_t n;
	int fd, ret;

	*nfds = 0;
	fd = vft_broker_connect(path, err);
	if (fd < 0)
		return fd;
	ret = vft_broker_send(fd, req, req_len, req_fds, req_nfds);
	if (ret < 0) {
		close(fd);
		return vft_err_set(err, ret, "sending to the broker at %s: %s",
				   path, strerror(-ret));
	}
	n = vft_broker_recv(fd, buf, sizeof(buf), fds, nfds);
	close(fd);
	if (n <= 0)
		return vft_err_set(err, n == 0 ? -ECONNRESET : (int)n,
				   "no reply from the broker at %s: %s", path,
				   n == 0 ? "it closed the connection (see its "
					    "log)"
				   : n == -EAGAIN ? "timed out"
						  : strerror((int)-n));
	ret = vft_broker_check_reply(buf, (size_t)n, *nfds, h->op, h->seq, err);
	if (ret < 0) {
		vft_broker_close_fds(fds, *nfds);
		*nfds = 0;
		return ret;
	}
	memcpy(rep, buf, rep_len);
	return 0;
}

/* The request for @p dev with what this context already holds. */
static void
vft_broker_open_req_fill(struct vft_iommu *io, const struct vft_pci_dev *dev,
			 struct vft_broker_open_req *req,
			 struct vft_handover *h)
{
	memset(req, 0, sizeof(*req));
	vft_broker_hdr_init(&req->h, VFT_BROKER_OPEN, sizeof(*req),
			    ++io->broker_seq);
	vft_pci_addr_format(&dev->addr, req->addr);
	req->path = (uint8_t)io->path;
	vft_handover_init(h);
	/* the context's own fds: no copy to fail */
	io->be->export_ctx(io, dev, h, NULL);
	req->flags = h->flags;
	req->ioas_id = h->ioas_id;
	req->group_id = h->group_id;
}

/* Take the reply's fds for @p addr (named @p name) into the context and
 * the device: the device's own fd here, the others by the backend. Called
 * with the context's lock held. */
static int
vft_broker_take(struct vft_iommu *io, const struct vft_pci_addr *addr,
		const char *name, const struct vft_broker_open_rep *rep,
		int *fds, unsigned int nfds, struct vft_device *d,
		struct vft_err *err)
{
	struct vft_handover h;
	unsigned int i;
	int ret;

	if (rep->path != io->path) {
		vft_broker_close_fds(fds, nfds);
		return vft_err_set(err, -EPROTO,
				   "the broker opened %s on the %s path, this "
				   "context is on the %s path",
				   name, vft_path_name(rep->path),
				   vft_path_name(io->path));
	}
	/* Only a batch can meet these (vft_broker_open_many(): the lock is
	 * not held while the broker works): the context got its own
	 * container or iommufd meanwhile, or closed the one it sent. */
	if (!!(rep->fds & VFT_BROKER_FD_CTX) == io->be->has_ctx(io)) {
		vft_broker_close_fds(fds, nfds);
		return vft_err_set(
			err, -EBUSY,
			"the broker opened %s into %s, but this "
			"context %s meanwhile: open it again",
			name,
			(rep->fds & VFT_BROKER_FD_CTX) ? "a context of its own"
						       : "the context sent",
			(rep->fds & VFT_BROKER_FD_CTX) ? "made its own"
						       : "closed it");
	}
	if (nfds == 0 || !(rep->fds & VFT_BROKER_FD_DEVICE) ||
	    nfds - 1 > sizeof(h.fds) / sizeof(h.fds[0])) {
		vft_broker_close_fds(fds, nfds);
		return vft_err_set(err, -EPROTO,
				   "the broker's reply for %s carries no "
				   "device fd",
				   name);
	}
	vft_handover_init(&h);
	h.flags = rep->fds & ~VFT_BROKER_FD_DEVICE;
	h.ioas_id = rep->ioas_id;
	h.group_id = rep->group_id;
	h.cdev = rep->cdev;
	for (i = 0; i + 1 < nfds; i++)
		h.fds[h.nfds++] = fds[i];
	ret = vft_device_adopt_fd(d, fds[nfds - 1], addr, err, NULL);
	if (ret < 0) {
		vft_broker_close_fds(h.fds, h.nfds);
		return ret;
	}
	ret = io->be->import_reply(io, &h, d, name, err);
	if (ret < 0)
		vft_device_close(d);
	return ret;
}

/*
 * Open @p dev through the broker at @p sock: the broker's verdict goes to
 * @p why. On success @p d holds the device, and the context the fds that
 * came with it.
 */
static int
vft_broker_open_device(struct vft_iommu *io, const char *sock,
		       const struct vft_pci_dev *dev, struct vft_device *d,
		       struct vft_explanation *why)
{
	int fds[VFT_BROKER_MAX_FDS];
	struct vft_broker_open_req req;
	struct vft_broker_open_rep rep;
	struct vft_handover h;
	unsigned int nfds;
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	vft_broker_open_req_fill(io, dev, &req, &h);
	ret = vft_broker_call(sock, &req, sizeof(req), h.fds, h.nfds, &rep,
			      sizeof(rep), fds, &nfds, &err);
	if (ret < 0) {
		vft_explain_broker_unreachable(why, ret, err.msg);
		return ret;
	}
	if (rep.error < 0) {
		vft_explain_relay(why, (enum vft_verdict)rep.verdict, rep.error,
				  rep.reason, rep.fix);
		return rep.error;
	}
	ret = vft_broker_take(io, &dev->addr, dev->name, &rep, fds, nfds, d,
			      &err);
	if (ret < 0) {
		vft_explain_broker_reply(why, ret, err.msg);
		return ret;
	}
	vft_explain_relay(why, VFT_V_OK, 0, rep.reason, rep.fix);
	return 0;
}

/* ---- several functions at once ----------------------------------------- */

static uint64_t
vft_broker_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The request for @p k functions, with a copy of the context's fd into
 * *@p ctx, -1 if none (the context may change while the broker works: the
 * copy is what it gets). */
static int
vft_broker_many_fill(struct vft_iommu *io, struct vft_open_req **r,
		     unsigned int k, struct vft_broker_open_many_req *req,
		     int *ctx, struct vft_err *err)
{
	struct vft_handover h;
	unsigned int i;
	int ret;

	memset(req, 0, sizeof(*req));
	vft_handover_init(&h);
	pthread_mutex_lock(&io->lock);
	vft_broker_hdr_init(&req->h, VFT_BROKER_OPEN_MANY, sizeof(*req),
			    io->broker_seq + 1);
	io->broker_seq += k;
	req->path = (uint8_t)io->path;
	req->count = k;
	ret = io->be->export_ctx(io, NULL, &h, err);
	pthread_mutex_unlock(&io->lock);
	*ctx = h.nfds > 0 ? h.fds[0] : -1;
	if (ret < 0)
		return ret;
	req->flags = h.flags;
	req->ioas_id = h.ioas_id;
	for (i = 0; i < k; i++)
		vft_pci_addr_format(&r[i]->addr, req->addr[i]);
	return 0;
}

/* What the broker said of request @p r (its reply @p rep with @p fds). */
static void
vft_broker_many_one(struct vft_iommu *io, struct vft_open_req *r,
		    const struct vft_broker_open_rep *rep, int *fds,
		    unsigned int nfds)
{
	char name[VFT_PCI_ADDR_LEN];
	struct vft_err err;

	r->end_ns = vft_broker_clock();
	if (rep->error < 0) {
		r->ret = rep->error;
		vft_explain_relay(&r->why, (enum vft_verdict)rep->verdict,
				  rep->error, rep->reason, rep->fix);
		return;
	}
	vft_err_clear(&err);
	vft_pci_addr_format(&r->addr, name);
	pthread_mutex_lock(&io->lock);
	r->ret =
		vft_broker_take(io, &r->addr, name, rep, fds, nfds, r->d, &err);
	pthread_mutex_unlock(&io->lock);
	if (r->ret < 0)
		vft_explain_broker_reply(&r->why, r->ret, err.msg);
	else
		vft_explain_relay(&r->why, VFT_V_OK, 0, rep->reason, rep->fix);
}

/* Every request of @p r from @p i on failed with @p err. */
static void
vft_broker_many_fail(struct vft_open_req **r, unsigned int i, unsigned int k,
		     const struct vft_err *err)
{
	for (; i < k; i++) {
		r[i]->ret = err->code < 0 ? err->code : -EIO;
		r[i]->end_ns = vft_broker_clock();
		vft_explain_broker_unreachable(&r[i]->why, r[i]->ret, err->msg);
	}
}

/*
 * Open the @p k functions of requests @p r (at most VFT_BROKER_MANY_MAX,
 * all into @p io, their devices in the closed state) through the broker at
 * @p sock in one request: each request gets its outcome, explanation and
 * times, and on success its device, taken into the context under its
 * lock, which is not held while the broker works.
 */
static void
vft_broker_open_many(struct vft_iommu *io, const char *sock,
		     struct vft_open_req **r, unsigned int k)
{
	char buf[VFT_BROKER_MSG_MAX] __attribute__((aligned(8)));
	int fds[VFT_BROKER_MAX_FDS], ctx, fd;
	struct vft_broker_open_many_req req;
	struct vft_broker_open_rep rep;
	unsigned int i, nfds;
	struct vft_err err;
	uint64_t t0;
	int ret;

	vft_err_clear(&err);
	t0 = vft_broker_clock();
	for (i = 0; i < k; i++)
		r[i]->start_ns = t0;
	if (vft_broker_many_fill(io, r, k, &req, &ctx, &err) < 0) {
		vft_broker_many_fail(r, 0, k, &err);
		return;
	}
	fd = vft_broker_connect(sock, &err);
	ret = fd < 0 ? fd
		     : vft_broker_send(fd, &req, sizeof(req), &ctx,
				       ctx >= 0 ? 1 : 0);
	vft_os_close_fd(&ctx);
	if (ret < 0) {
		if (fd >= 0) {
			close(fd);
			vft_err_set(&err, ret,
				    "sending to the broker at %s: %s", sock,
				    strerror(-ret));
		}
		vft_broker_many_fail(r, 0, k, &err);
		return;
	}
	/* The context is not locked while the broker opens: its other
	 * devices go on, and other opens into it too. */
	for (i = 0; i < k; i++) {
		ssize_t n = vft_broker_recv(fd, buf, sizeof(buf), fds, &nfds);
		if (n <= 0) {
			vft_err_set(&err, n == 0 ? -ECONNRESET : (int)n,
				    "no reply from the broker at %s for %u of "
				    "%u functions: %s",
				    sock, k - i, k,
				    n == 0 ? "it closed the connection (see "
					     "its log)"
				    : n == -EAGAIN ? "timed out"
						   : strerror((int)-n));
			break;
		}
		if (vft_broker_check_reply(buf, (size_t)n, nfds,
					   VFT_BROKER_OPEN_MANY, req.h.seq + i,
					   &err) < 0) {
			vft_broker_close_fds(fds, nfds);
			break;
		}
		memcpy(&rep, buf, sizeof(rep));
		vft_broker_many_one(io, r[i], &rep, fds, nfds);
	}
	close(fd);
	if (i < k)
		vft_broker_many_fail(r, i, k, &err);
}

/* ---- the brokered opens of the device layer's API ------------------------ */

/* A refusal before the broker is asked, explained as the device layer's. */
static int
vft_brokered_refused(const struct vft_sys *sys, const struct vft_pci_addr *addr,
		     int error, struct vft_explanation *why)
{
	if (why != NULL)
		vft_explain_step(sys, addr, false, error, VFT_STEP_SYSFS, why);
	return error;
}

int
vft_iommu_open_brokered(struct vft_iommu *io, const struct vft_sys *sys,
			const struct vft_pci_addr *addr, const char *sock,
			struct vft_device *d, struct vft_explanation *why)
{
	struct vft_pci_dev *dev;
	int ret;

	if (sock == NULL || sock[0] == '\0')
		return vft_explain_bad_call(false, false, why);
	if (io == NULL || io->be == NULL || addr == NULL || d == NULL)
		return vft_explain_bad_call(io == NULL || io->be == NULL,
					    addr == NULL, why);
	vft_device_state_clear(d);
	dev = malloc(sizeof(*dev));
	if (dev == NULL)
		return vft_brokered_refused(sys, addr, -ENOMEM, why);
	ret = vft_iommu_open_sysfs(sys, addr, dev);
	vft_iommu_opening(io, 1);
	/* The broker is asked even when the local read refuses: it checks
	 * the function itself, explains its own refusals and logs every
	 * request, a denied uid's included. Only the address and name of
	 * @p dev travel. */
	if (ret < 0) {
		memset(dev, 0, sizeof(*dev));
		dev->addr = *addr;
		vft_pci_addr_format(addr, dev->name);
	}
	/* the broker's exchange changes the context: all locked */
	pthread_mutex_lock(&io->lock);
	ret = vft_broker_open_device(io, sock, dev, d, why);
	pthread_mutex_unlock(&io->lock);
	free(dev);
	if (ret < 0) {
		vft_iommu_opening(io, -1);
		return ret;
	}
	return vft_iommu_open_finish(io, sys, addr, d, why);
}

/* Requests of @p reqs from @p i on that go into the same context as the
 * first of them not done, at most VFT_BROKER_MANY_MAX: into @p r. */
static unsigned int
vft_brokered_chunk(struct vft_open_req *reqs, unsigned int n, bool *done,
		   struct vft_open_req **r)
{
	struct vft_iommu *io = NULL;
	unsigned int i, k = 0;

	for (i = 0; i < n && k < VFT_BROKER_MANY_MAX; i++) {
		if (done[i] || (io != NULL && reqs[i].io != io))
			continue;
		io = reqs[i].io;
		done[i] = true;
		r[k++] = &reqs[i];
	}
	return k;
}

unsigned int
vft_iommu_open_brokered_devices(const char *sock, struct vft_open_req *reqs,
				unsigned int n)
{
	struct vft_open_req *r[VFT_BROKER_MANY_MAX];
	unsigned int i, k, failed = 0;
	bool *done;

	if (reqs == NULL)
		return 0;
	done = calloc(n ? n : 1, sizeof(*done));
	for (i = 0; i < n; i++) {
		struct vft_open_req *q = &reqs[i];

		if (q->skip)
			continue; /* untouched: a caller may call again */
		q->ret = 0;
		q->start_ns = q->end_ns = 0;
		if (sock == NULL || sock[0] == '\0' || q->io == NULL ||
		    q->io->be == NULL || q->d == NULL)
			q->ret = vft_explain_bad_call(q->io == NULL ||
							      q->io->be == NULL,
						      false, &q->why);
		else if (done == NULL)
			q->ret = vft_brokered_refused(q->sys, &q->addr, -ENOMEM,
						      &q->why);
		else
			vft_device_state_clear(q->d);
	}
	for (i = 0; i < n && done != NULL; i++)
		done[i] = reqs[i].skip || reqs[i].ret < 0;
	while (done != NULL && (k = vft_brokered_chunk(reqs, n, done, r)) > 0) {
		struct vft_iommu *io = r[0]->io;

		pthread_mutex_lock(&io->lock);
		io->n_opening += k;
		pthread_mutex_unlock(&io->lock);
		vft_broker_open_many(io, sock, r, k);
		for (i = 0; i < k; i++) {
			if (r[i]->ret < 0)
				vft_iommu_opening(io, -1);
			else
				r[i]->ret = vft_iommu_open_finish(
					io, r[i]->sys, &r[i]->addr, r[i]->d,
					&r[i]->why);
		}
	}
	free(done);
	for (i = 0; i < n; i++)
		failed += !reqs[i].skip && reqs[i].ret < 0;
	return failed;
}

int
vft_broker_rotate(const char *sock, const struct vft_pci_addr *pf,
		  char fp[VFT_FINGERPRINT_LEN], struct vft_err *err)
{
	struct vft_broker_rotate_req req;
	struct vft_broker_rotate_rep rep;
	int fds[VFT_BROKER_MAX_FDS];
	unsigned int nfds;
	int ret;

	if (sock == NULL || pf == NULL || fp == NULL)
		return vft_err_set(err, -EINVAL,
				   "broker rotate: NULL argument");
	memset(&req, 0, sizeof(req));
	vft_broker_hdr_init(&req.h, VFT_BROKER_ROTATE, sizeof(req), 1);
	vft_pci_addr_format(pf, req.pf);
	ret = vft_broker_call(sock, &req, sizeof(req), NULL, 0, &rep,
			      sizeof(rep), fds, &nfds, err);
	if (ret < 0)
		return ret;
	if (rep.error < 0)
		return vft_err_set(err, rep.error, "%s", rep.msg);
	memcpy(fp, rep.fingerprint, VFT_FINGERPRINT_LEN);
	fp[VFT_FINGERPRINT_LEN - 1] = '\0';
	return 0;
}

int
vft_broker_stats(const char *sock, struct vft_broker_stats *st,
		 struct vft_err *err)
{
	struct vft_broker_stats_req req;
	struct vft_broker_stats_rep rep;
	int fds[VFT_BROKER_MAX_FDS];
	unsigned int nfds;
	int ret;

	if (sock == NULL || st == NULL)
		return vft_err_set(err, -EINVAL, "broker stats: NULL argument");
	memset(&req, 0, sizeof(req));
	vft_broker_hdr_init(&req.h, VFT_BROKER_STATS, sizeof(req), 1);
	ret = vft_broker_call(sock, &req, sizeof(req), NULL, 0, &rep,
			      sizeof(rep), fds, &nfds, err);
	if (ret < 0)
		return ret;
	if (rep.error < 0)
		return vft_err_set(err, rep.error, "%s", rep.msg);
	memset(st, 0, sizeof(*st));
	st->uptime_s = rep.uptime_s;
	st->opens = rep.opens;
	st->refusals = rep.refusals;
	st->rotations = rep.rotations;
	st->malformed = rep.malformed;
	st->caps_refused = rep.caps_refused;
	st->closer_fds = rep.closer_fds;
	st->clients = rep.clients;
	st->pf_refs = rep.pf_refs;
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The broker's side of an open: the client's fds proven before any
 * ioctl, its IOMMU context loaded from them, the function opened into it
 * and what goes back (doc/guides/broker.rst). Which fds those are, what
 * they mean and which go back is the context's backend's (its
 * prove_client, import_client, check_device, export_reply and
 * forget_client operations, vft_private.h): nothing here knows a VFIO
 * path. The messages themselves are vft_broker_wire.c's.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vft_broker.h"
#include "vft_private.h"
#include "vftoken.h"

/* ---- the client's context ---------------------------------------------- */

/* The backend of @p path, or -EINVAL explained. */
static int
vft_broker_backend(enum vft_path path, const struct vft_backend **be,
		   struct vft_err *err)
{
	*be = vft_backend_of(path);
	if (*be == NULL)
		return vft_err_set(err, -EINVAL,
				   "the client's VFIO path %d is unknown here",
				   (int)path);
	return 0;
}

int
vft_broker_prove_ctx(const struct vft_broker_client_ctx *cc,
		     struct vft_err *err)
{
	const struct vft_backend *be;
	int ret = vft_broker_backend(cc->path, &be, err);

	return ret < 0 ? ret : be->prove_client(&cc->h, err);
}

/* Put the client's context into @p io, as if this process had opened it. */
static int
vft_broker_load_ctx(struct vft_iommu *io,
		    const struct vft_broker_client_ctx *cc, struct vft_err *err)
{
	int ret = vft_iommu_init(io, cc->path, err);

	return ret < 0 ? ret : io->be->import_client(io, &cc->h, err);
}

/* The reply's fds and wire fields for @p d: the backend's, then the
 * device's own fd. */
static void
vft_broker_export(struct vft_iommu *io, const struct vft_device *d,
		  struct vft_broker_open_rep *rep, int fds[VFT_BROKER_MAX_FDS],
		  unsigned int *nfds)
{
	struct vft_handover h;
	unsigned int i;

	vft_handover_init(&h);
	io->be->export_reply(io, d, &h);
	rep->path = (uint8_t)io->path;
	rep->fds = h.flags | VFT_BROKER_FD_DEVICE;
	rep->ioas_id = h.ioas_id;
	rep->group_id = h.group_id;
	rep->cdev = h.cdev;
	*nfds = 0;
	for (i = 0; i < h.nfds; i++)
		fds[(*nfds)++] = h.fds[i];
	fds[(*nfds)++] = d->fd;
}

/*
 * The exchange is over. With @p sent (the replies hold what the open
 * made, the caller closes their fds once sent) the context is forgotten
 * without telling the kernel anything; without, what this process opened
 * for it is closed. The client's fds are never touched.
 */
static void
vft_broker_release(struct vft_iommu *io, bool sent)
{
	io->be->forget_client(io, sent);
	if (sent)
		io->n_devices = 0;
	else
		vft_iommu_close(io);
}

/* Whether the fd the open put in @p d is a new device fd; if not it is
 * forgotten (not ours to close), @p d closed and @p why says so. */
static int
vft_broker_check_device(struct vft_iommu *io, struct vft_device *d,
			struct vft_explanation *why)
{
	struct vft_err err;

	vft_err_clear(&err);
	if (io->be->check_device(d, &err) == 0)
		return 0;
	d->fd = -1;
	vft_device_close(d);
	vft_explain_broker_failed(why, &err);
	return err.code;
}

/* ---- the broker's side of an open -------------------------------------- */

static void
vft_broker_rep_explain(struct vft_broker_open_rep *rep,
		       const struct vft_explanation *why)
{
	rep->error = why->error;
	rep->verdict = (uint32_t)why->verdict;
	snprintf(rep->reason, sizeof(rep->reason), "%s", why->reason);
	snprintf(rep->fix, sizeof(rep->fix), "%s", why->fix);
}

/* A PF opened for a client gets the token set on it by the broker, so that
 * the client never knows it; @p ref keeps a copy of its fd for later
 * rotations. */
static int
vft_broker_pf_token(struct vft_device *d, const struct vft_token *tok, int *ref,
		    struct vft_explanation *why)
{
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vft_device_vf_token_set(d, tok, &err);
	if (ret == 0) {
		*ref = vft_os->dupfd(d->fd);
		if (*ref < 0) {
			int e = vft_os_errno();

			ret = vft_err_set(&err, e,
					  "cannot keep a reference to the PF: "
					  "%s",
					  strerror(-e));
		}
	}
	if (ret < 0)
		vft_explain_broker_failed(why, &err);
	return ret;
}

int
vft_broker_serve_open(const struct vft_sys *sys,
		      const struct vft_pci_addr *addr,
		      const struct vft_token *tok,
		      const struct vft_broker_client_ctx *cc, int *pf_ref,
		      struct vft_broker_open_rep *rep,
		      int fds[VFT_BROKER_MAX_FDS], unsigned int *nfds)
{
	struct vft_explanation why;
	struct vft_device d;
	struct vft_iommu io;
	struct vft_err err;
	int ret;

	*nfds = 0;
	if (pf_ref != NULL)
		*pf_ref = -1;
	vft_err_clear(&err);
	ret = vft_broker_prove_ctx(cc, &err);
	if (ret == 0) {
		ret = vft_broker_load_ctx(&io, cc, &err);
		if (ret < 0 && io.be != NULL)
			vft_broker_release(&io, false);
	}
	if (ret < 0) {
		vft_explain_broker_failed(&why, &err);
		vft_broker_rep_explain(rep, &why);
		return ret;
	}
	ret = vft_iommu_open_device(&io, sys, addr, tok, &d, &why);
	if (ret == 0)
		ret = vft_broker_check_device(&io, &d, &why);
	if (ret == 0 && pf_ref != NULL) {
		ret = vft_broker_pf_token(&d, tok, pf_ref, &why);
		if (ret < 0)
			vft_device_close(&d);
	}
	vft_broker_rep_explain(rep, &why);
	if (ret == 0) {
		vft_broker_export(&io, &d, rep, fds, nfds);
		d.fd = -1;
	}
	vft_broker_release(&io, ret == 0);
	return ret;
}

/* ---- several functions at once ----------------------------------------- */

/* After the opens: what vft_broker_serve_open() does after its open, for
 * @p m opened as @p d. */
static int
vft_broker_many_check(struct vft_iommu *io, struct vft_broker_many_dev *m,
		      struct vft_device *d, struct vft_explanation *why)
{
	int ret = vft_broker_check_device(io, d, why);

	if (ret == 0 && m->pf_ref) {
		ret = vft_broker_pf_token(d, m->tok, &m->ref, why);
		if (ret < 0)
			vft_device_close(d);
	}
	return ret;
}

unsigned int
vft_broker_serve_open_many(const struct vft_sys *sys,
			   const struct vft_broker_client_ctx *cc,
			   struct vft_broker_many_dev *devs, unsigned int n)
{
	struct vft_open_req *reqs = calloc(n, sizeof(*reqs));
	struct vft_device *ds = calloc(n, sizeof(*ds));
	struct vft_explanation why;
	unsigned int i, failed = 0;
	struct vft_iommu io;
	struct vft_err err;
	bool sent = false;
	int ret;

	vft_err_clear(&err);
	io.be = NULL;
	ret = reqs == NULL || ds == NULL
		      ? vft_err_set(&err, -ENOMEM, "out of memory for %u opens",
				    n)
		      : vft_broker_prove_ctx(cc, &err);
	if (ret == 0) {
		ret = vft_broker_load_ctx(&io, cc, &err);
		if (ret < 0 && io.be != NULL)
			vft_broker_release(&io, false);
	}
	for (i = 0; i < n; i++) {
		devs[i].ref = -1;
		devs[i].nfds = 0;
		devs[i].ret = 0;
		if (devs[i].skip)
			continue;
		if (ret < 0) {
			vft_explain_broker_failed(&why, &err);
			vft_broker_rep_explain(devs[i].rep, &why);
			devs[i].ret = ret;
			failed++;
			continue;
		}
		reqs[i].io = &io;
		reqs[i].sys = sys;
		reqs[i].addr = devs[i].addr;
		reqs[i].tok = devs[i].tok;
		reqs[i].d = &ds[i];
	}
	if (ret < 0) {
		free(reqs);
		free(ds);
		return failed;
	}
	for (i = 0; i < n; i++)
		reqs[i].skip = devs[i].skip;
	vft_iommu_open_devices(reqs, n, VFT_BROKER_MANY_THREADS);
	for (i = 0; i < n; i++) {
		if (devs[i].skip)
			continue;
		why = reqs[i].why;
		devs[i].ret = reqs[i].ret;
		if (devs[i].ret == 0)
			devs[i].ret = vft_broker_many_check(&io, &devs[i],
							    &ds[i], &why);
		vft_broker_rep_explain(devs[i].rep, &why);
		failed += devs[i].ret < 0;
	}
	/* Exported in list order, once every check is done: a function
	 * closed by its check no longer holds its group; the context's fd
	 * goes with the first function, a group's with the first of it. */
	for (i = 0; i < n; i++) {
		if (devs[i].skip || devs[i].ret < 0)
			continue;
		vft_broker_export(&io, &ds[i], devs[i].rep, devs[i].fds,
				  &devs[i].nfds);
		ds[i].fd = -1;
		sent = true;
	}
	vft_broker_release(&io, sent);
	free(reqs);
	free(ds);
	return failed;
}

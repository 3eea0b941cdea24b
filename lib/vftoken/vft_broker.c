/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The broker's side of an open: what a client's fds are (proven before
 * any ioctl), the client's IOMMU context loaded from them, the function
 * opened into it and what goes back (doc/guides/broker.rst). The
 * messages themselves are vft_broker_wire.c's.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- what a client's fd is --------------------------------------------- */

static const char *
vft_fd_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISFIFO(mode))
		return "a pipe";
	if (S_ISCHR(mode))
		return "another character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "an anonymous file";
}

int
vft_fd_is_node(int fd, const char *node, const char *what, struct vft_err *err)
{
	struct statx sx;
	struct stat st;

	if (stat(node, &st) < 0 || !S_ISCHR(st.st_mode))
		return vft_err_set(err, -ENODEV,
				   "%s cannot be checked: %s is not a "
				   "character device here",
				   what, node);
	/* AT_STATX_DONT_SYNC: the attributes the kernel has, never a
	 * request to the file's server (fuse_update_get_attr(), and
	 * the same in nfs, cifs, 9p, ceph). A FUSE file of another user
	 * namespace fails with EACCES (fuse_allow_current_process()). */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_MODE, &sx) < 0)
		return vft_err_set(err, -EBADF,
				   "%s (fd %d) cannot be checked (%s): "
				   "expected %s",
				   what, fd, strerror(errno), node);
	/* A node of the type is opened through its driver (chrdev_open());
	 * a mount that may hold forged nodes is nodev, so the open fails. */
	if (!S_ISCHR(sx.stx_mode) ||
	    makedev(sx.stx_rdev_major, sx.stx_rdev_minor) != st.st_rdev)
		return vft_err_set(err, -ENOTTY,
				   "%s (fd %d) is %s, not %s (device %u:%u)",
				   what, fd, vft_fd_kind(sx.stx_mode), node,
				   major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

/* A proven group fd is vfio's: its status is the kernel's answer. */
static int
vft_broker_group_viable(int fd, int id, struct vft_err *err)
{
	struct vfio_group_status status;

	memset(&status, 0, sizeof(status));
	status.argsz = sizeof(status);
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) < 0)
		return vft_err_set(err, -errno,
				   "VFIO_GROUP_GET_STATUS on the client's "
				   "group %d: %s",
				   id, strerror(errno));
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return vft_err_set(err, -EPERM,
				   "the client's IOMMU group %d is not viable",
				   id);
	return 0;
}

int
vft_broker_prove_ctx(const struct vft_broker_client_ctx *cc,
		     struct vft_err *err)
{
	char node[32];
	int ret = 0;

	if (cc->ctx_fd >= 0)
		ret = cc->path == VFT_PATH_CDEV
			      ? vft_fd_is_node(cc->ctx_fd, "/dev/iommu",
					       "the client's iommufd", err)
			      : vft_fd_is_node(cc->ctx_fd, "/dev/vfio/vfio",
					       "the client's container", err);
	if (ret < 0 || cc->group_fd < 0)
		return ret;
	snprintf(node, sizeof(node), "/dev/vfio/%d", cc->group_id);
	ret = vft_fd_is_node(cc->group_fd, node, "the client's group fd", err);
	return ret < 0 ? ret
		       : vft_broker_group_viable(cc->group_fd, cc->group_id,
						 err);
}

/* The fd VFIO_GROUP_GET_DEVICE_FD returned on a proven group is the
 * kernel's; the check stays as a second line: a device fd of the group
 * path is an anonymous inode named "[vfio-device]" (vfio_group_ioctl_
 * get_device_fd(), drivers/vfio/group.c). */
static int
vft_broker_is_device_fd(int fd, struct vft_err *err)
{
	static const char want[] = "anon_inode:[vfio-device]";
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n == (ssize_t)sizeof(want) - 1 && memcmp(link, want, n) == 0)
		return 0;
	return vft_err_set(err, -EBADF,
			   "the group returned fd %d, which is not a new VFIO "
			   "device fd: refused",
			   fd);
}

/* ---- the broker's side of an open -------------------------------------- */

/* The client's fds as this open uses them: copies, so that whatever the
 * device layer closes on a failed open is never the caller's fd. */
struct vft_broker_dups {
	int ctx;
	int group;
};

/* Put the client's context into @p io, as if this process had opened it. */
static int
vft_broker_load_ctx(struct vft_iommu *io,
		    const struct vft_broker_client_ctx *cc,
		    struct vft_broker_dups *dp, struct vft_err *err)
{
	int ret = vft_iommu_init(io, cc->path, err);

	dp->ctx = -1;
	dp->group = -1;
	if (ret < 0 || cc->ctx_fd < 0)
		return ret;
	dp->ctx = fcntl(cc->ctx_fd, F_DUPFD_CLOEXEC, 0);
	if (cc->group_fd >= 0)
		dp->group = fcntl(cc->group_fd, F_DUPFD_CLOEXEC, 0);
	if (dp->ctx < 0 || (cc->group_fd >= 0 && dp->group < 0)) {
		ret = -errno;
		vft_broker_close_fds(&dp->ctx, 2);
		return vft_err_set(err, ret, "cannot copy the client's fds: %s",
				   strerror(-ret));
	}
	if (cc->path == VFT_PATH_CDEV) {
		io->iommufd = dp->ctx;
		io->ioas_id = cc->ioas_id;
		return 0;
	}
	io->container.fd = dp->ctx;
	io->container.iommu_set = cc->iommu_set;
	io->container.n_groups = cc->iommu_set ? 1 : 0;
	if (dp->group >= 0) {
		io->groups[0].group.fd = dp->group;
		io->groups[0].group.id = cc->group_id;
		io->groups[0].group.container = &io->container;
		io->groups[0].refs = 1;
	}
	return 0;
}

/* Close the copies of the client's fds the device layer still holds. */
static void
vft_broker_drop_dups(struct vft_iommu *io, struct vft_broker_dups *dp)
{
	if (dp->ctx >= 0 &&
	    (io->container.fd == dp->ctx || io->iommufd == dp->ctx)) {
		close(dp->ctx);
		if (io->container.fd == dp->ctx)
			io->container.fd = -1;
		else
			io->iommufd = -1;
	}
	if (dp->group >= 0 && io->groups[0].group.fd == dp->group) {
		close(dp->group);
		io->groups[0].group.fd = -1;
	}
}

/*
 * Fill the reply's fds from what the open made: the context fd and the
 * group fd only when they are new to the client, the device fd always.
 * The group is new unless it is the one the client sent (a client that
 * sent another group's fd gets the device's own group too: nothing the
 * open made stays here unsent).
 */
static void
vft_broker_export(const struct vft_iommu *io,
		  const struct vft_broker_client_ctx *cc,
		  const struct vft_broker_dups *dp, const struct vft_device *d,
		  struct vft_broker_open_rep *rep, int fds[VFT_BROKER_MAX_FDS],
		  unsigned int *nfds)
{
	rep->path = (uint8_t)io->path;
	if (io->path == VFT_PATH_CDEV) {
		rep->ioas_id = io->ioas_id;
		rep->cdev = d->cdev;
		if (cc->ctx_fd < 0) {
			fds[(*nfds)++] = io->iommufd;
			rep->fds |= VFT_BROKER_FD_CTX;
		}
	} else {
		rep->group_id = d->group->id;
		if (cc->ctx_fd < 0) {
			fds[(*nfds)++] = io->container.fd;
			rep->fds |= VFT_BROKER_FD_CTX;
		}
		if (d->group->fd != dp->group) {
			fds[(*nfds)++] = d->group->fd;
			rep->fds |= VFT_BROKER_FD_GROUP;
		}
	}
	fds[(*nfds)++] = d->fd;
	rep->fds |= VFT_BROKER_FD_DEVICE;
}

/*
 * Forget the context without telling the kernel anything: what the open
 * made is in the reply's fds now (the caller closes them once sent).
 * vft_device_close() would unset the group's container, the client's.
 */
static void
vft_broker_forget(struct vft_iommu *io, struct vft_device *d)
{
	unsigned int i;

	d->fd = -1;
	for (i = 0; i < VFT_IOMMU_MAX_GROUPS; i++) {
		io->groups[i].group.fd = -1;
		io->groups[i].refs = 0;
	}
	io->container.fd = -1;
	io->iommufd = -1;
	io->n_devices = 0;
}

static void
vft_broker_rep_explain(struct vft_broker_open_rep *rep,
		       const struct vft_explanation *why)
{
	rep->error = why->error;
	rep->verdict = (uint32_t)why->verdict;
	snprintf(rep->reason, sizeof(rep->reason), "%s", why->reason);
	snprintf(rep->fix, sizeof(rep->fix), "%s", why->fix);
}

static void
vft_broker_explain_err(struct vft_explanation *why, const struct vft_err *err)
{
	memset(why, 0, sizeof(*why));
	why->verdict = VFT_V_OTHER;
	why->error = err->code < 0 ? err->code : -EIO;
	snprintf(why->reason, sizeof(why->reason), "%s", err->msg);
	snprintf(why->fix, sizeof(why->fix), "see the broker's log");
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
		*ref = fcntl(d->fd, F_DUPFD_CLOEXEC, 0);
		if (*ref < 0)
			ret = vft_err_set(&err, -errno,
					  "cannot keep a reference to the PF: "
					  "%s",
					  strerror(errno));
	}
	if (ret < 0)
		vft_broker_explain_err(why, &err);
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
	struct vft_broker_dups dups;
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
	if (ret < 0) {
		vft_broker_explain_err(&why, &err);
		vft_broker_rep_explain(rep, &why);
		return ret;
	}
	ret = vft_broker_load_ctx(&io, cc, &dups, &err);
	if (ret < 0) {
		vft_broker_explain_err(&why, &err);
		vft_broker_rep_explain(rep, &why);
		return ret;
	}
	ret = vft_iommu_open_device(&io, sys, addr, tok, &d, &why);
	if (ret == 0 && io.path == VFT_PATH_GROUP &&
	    vft_broker_is_device_fd(d.fd, &err) < 0) {
		/* Not ours to close: whatever it is, it is forgotten. */
		d.fd = -1;
		vft_device_close(&d);
		vft_broker_explain_err(&why, &err);
		ret = err.code;
	}
	if (ret == 0 && pf_ref != NULL) {
		ret = vft_broker_pf_token(&d, tok, pf_ref, &why);
		if (ret < 0)
			vft_device_close(&d);
	}
	vft_broker_rep_explain(rep, &why);
	if (ret == 0)
		vft_broker_export(&io, cc, &dups, &d, rep, fds, nfds);
	vft_broker_drop_dups(&io, &dups);
	if (ret == 0)
		vft_broker_forget(&io, &d);
	else
		vft_iommu_close(&io);
	return ret;
}

/* ---- several functions at once ----------------------------------------- */

/* After the opens: what vft_broker_serve_open() does after its open, for
 * @p m opened as @p d. */
static int
vft_broker_many_check(struct vft_iommu *io, struct vft_broker_many_dev *m,
		      struct vft_device *d, struct vft_explanation *why)
{
	struct vft_err err;
	int ret = 0;

	vft_err_clear(&err);
	if (io->path == VFT_PATH_GROUP &&
	    vft_broker_is_device_fd(d->fd, &err) < 0) {
		/* Not ours to close: whatever it is, it is forgotten. */
		d->fd = -1;
		vft_device_close(d);
		vft_broker_explain_err(why, &err);
		return err.code;
	}
	if (m->pf_ref) {
		ret = vft_broker_pf_token(d, m->tok, &m->ref, why);
		if (ret < 0)
			vft_device_close(d);
	}
	return ret;
}

/* The fds of @p m's reply: the context's with the first function opened,
 * a group's with the first function of that group (vft_broker_export()). */
static void
vft_broker_many_export(const struct vft_iommu *io,
		       const struct vft_broker_client_ctx *cc,
		       const struct vft_broker_dups *dp, struct vft_device *ds,
		       struct vft_broker_many_dev *devs, unsigned int i,
		       bool *ctx_sent)
{
	struct vft_broker_client_ctx first = *cc;
	struct vft_broker_dups seen = *dp;
	unsigned int k;

	if (*ctx_sent)
		first.ctx_fd = io->path == VFT_PATH_CDEV ? io->iommufd
							 : io->container.fd;
	for (k = 0; k < i && io->path == VFT_PATH_GROUP; k++)
		if (!devs[k].skip && devs[k].ret == 0 &&
		    ds[k].group == ds[i].group)
			seen.group = ds[i].group->fd;
	vft_broker_export(io, &first, &seen, &ds[i], devs[i].rep, devs[i].fds,
			  &devs[i].nfds);
	*ctx_sent = true;
}

unsigned int
vft_broker_serve_open_many(const struct vft_sys *sys,
			   const struct vft_broker_client_ctx *cc,
			   struct vft_broker_many_dev *devs, unsigned int n)
{
	struct vft_open_req *reqs = calloc(n, sizeof(*reqs));
	struct vft_device *ds = calloc(n, sizeof(*ds));
	struct vft_broker_dups dups = { -1, -1 };
	struct vft_explanation why;
	unsigned int i, failed = 0;
	bool ctx_sent = false;
	struct vft_iommu io;
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = reqs == NULL || ds == NULL
		      ? vft_err_set(&err, -ENOMEM, "out of memory for %u opens",
				    n)
		      : vft_broker_prove_ctx(cc, &err);
	if (ret == 0)
		ret = vft_broker_load_ctx(&io, cc, &dups, &err);
	for (i = 0; i < n; i++) {
		devs[i].ref = -1;
		devs[i].nfds = 0;
		devs[i].ret = 0;
		if (devs[i].skip)
			continue;
		if (ret < 0) {
			vft_broker_explain_err(&why, &err);
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
	 * closed by its check no longer holds its group. */
	for (i = 0; i < n; i++)
		if (!devs[i].skip && devs[i].ret == 0)
			vft_broker_many_export(&io, cc, &dups, ds, devs, i,
					       &ctx_sent);
	vft_broker_drop_dups(&io, &dups);
	if (ctx_sent) {
		for (i = 0; i < n; i++)
			if (!devs[i].skip && devs[i].ret == 0)
				ds[i].fd = -1;
		vft_broker_forget(&io, &ds[0]);
	} else {
		vft_iommu_close(&io);
	}
	free(reqs);
	free(ds);
	return failed;
}

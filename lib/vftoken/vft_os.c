/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The seam between the library and the kernel's VFIO: every open of a
 * /dev/vfio or /dev/iommu node, every VFIO and iommufd ioctl, the close
 * and copy (F_DUPFD_CLOEXEC) of their fds, the checks that such a node
 * exists (access) and the proofs of what a client's fd is (stat, statx,
 * readlink of /proc/self/fd) go through vft_os (vft_private.h), so the
 * unit tests run the library against a fake VFIO kernel; and the retry
 * policy of an open the kernel refuses for a moment (EAGAIN from a reset
 * at first open).
 * sysfs and token files are ordinary files (vft_sysfs.c, vft_token.c): the
 * tests give them a generated tree instead.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vft_private.h"
#include "vftoken.h"

/* ------------------------------------------------------------------------ */
/* Syscall table (test seam)                                                */
/* ------------------------------------------------------------------------ */

static int
vft_os_real_open(const char *path, int flags)
{
	return open(path, flags);
}

static int
vft_os_real_ioctl(int fd, unsigned long req, uintptr_t arg)
{
	return ioctl(fd, req, arg);
}

static int
vft_os_real_nanosleep(const struct timespec *req, struct timespec *rem)
{
	return nanosleep(req, rem);
}

static int
vft_os_real_access(const char *path, int mode)
{
	return access(path, mode);
}

static int
vft_os_real_dupfd(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

static int
vft_os_real_stat(const char *path, struct stat *st)
{
	return stat(path, st);
}

static int
vft_os_real_statx(int dirfd, const char *path, int flags, unsigned int mask,
		  struct statx *sx)
{
	return statx(dirfd, path, flags, mask, sx);
}

static ssize_t
vft_os_real_readlink(const char *path, char *buf, size_t len)
{
	return readlink(path, buf, len);
}

static const struct vft_os_ops vft_os_real = {
	.open = vft_os_real_open,
	.close = close,
	.ioctl = vft_os_real_ioctl,
	.mmap = mmap,
	.munmap = munmap,
	.pread = pread,
	.pwrite = pwrite,
	.dup3 = dup3,
	.nanosleep = vft_os_real_nanosleep,
	.access = vft_os_real_access,
	.dupfd = vft_os_real_dupfd,
	.stat = vft_os_real_stat,
	.statx = vft_os_real_statx,
	.readlink = vft_os_real_readlink,
};

/* A test's table with its NULL entries filled from the real one. */
static struct vft_os_ops vft_os_test;

const struct vft_os_ops *vft_os = &vft_os_real;

#define VFT_OS_FILL(t, f) ((t)->f = (t)->f != NULL ? (t)->f : vft_os_real.f)

void
vft_os_set(const struct vft_os_ops *ops)
{
	struct vft_os_ops *t = &vft_os_test;

	if (ops == NULL) {
		vft_os = &vft_os_real;
		return;
	}
	*t = *ops;
	VFT_OS_FILL(t, open);
	VFT_OS_FILL(t, close);
	VFT_OS_FILL(t, ioctl);
	VFT_OS_FILL(t, mmap);
	VFT_OS_FILL(t, munmap);
	VFT_OS_FILL(t, pread);
	VFT_OS_FILL(t, pwrite);
	VFT_OS_FILL(t, dup3);
	VFT_OS_FILL(t, nanosleep);
	VFT_OS_FILL(t, access);
	VFT_OS_FILL(t, dupfd);
	VFT_OS_FILL(t, stat);
	VFT_OS_FILL(t, statx);
	VFT_OS_FILL(t, readlink);
	vft_os = t;
}

#define VFT_STR_(x) #x
#define VFT_STR(x) VFT_STR_(x)

bool
vft_open_again(int ret, unsigned int *tries)
{
	struct timespec wait = {
		.tv_sec = 0,
		.tv_nsec = VFT_OPEN_WAIT_MS * 1000000L,
	};

	if (ret != -EAGAIN || ++*tries >= VFT_OPEN_TRIES)
		return false;
	vft_os->nanosleep(&wait, NULL);
	return true;
}

const char *
vft_open_again_why(int ret)
{
	if (ret != -EAGAIN)
		return "";
	return " (vfio-pci could not reset it: another task held its device "
	       "lock through " VFT_STR(VFT_OPEN_TRIES) " tries, " VFT_STR(
		       VFT_OPEN_WAIT_MS) " ms apart)";
}

int
vft_os_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* Close *@p fd through the seam if open; it becomes -1. */
void
vft_os_close_fd(int *fd)
{
	if (*fd >= 0)
		vft_os->close(*fd);
	*fd = -1;
}

/* ------------------------------------------------------------------------ */
/* Proving what an fd is                                                    */
/* ------------------------------------------------------------------------ */

const char *
vft_file_type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

/* What an fd that is not the expected node is: the file types by their
 * one name, and an fd with no type bits (an anon inode: an eventfd, an
 * epoll fd) an anonymous file. */
static const char *
vft_fd_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISCHR(mode))
		return "another character device";
	if ((mode & S_IFMT) == 0)
		return "an anonymous file";
	return vft_file_type_name(mode);
}

int
vft_fd_is_node(int fd, const char *node, const char *what, struct vft_err *err)
{
	struct statx sx;
	struct stat st;

	if (vft_os->stat(node, &st) < 0 || !S_ISCHR(st.st_mode))
		return vft_err_set(err, -ENODEV,
				   "%s cannot be checked: %s is not a "
				   "character device here",
				   what, node);
	/* AT_STATX_DONT_SYNC: the attributes the kernel has, never a
	 * request to the file's server (fuse_update_get_attr(), and
	 * the same in nfs, cifs, 9p, ceph). A FUSE file of another user
	 * namespace fails with EACCES (fuse_allow_current_process()). */
	if (vft_os->statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
			  STATX_TYPE | STATX_MODE, &sx) < 0) {
		int ret = vft_os_errno();

		return vft_err_set(err, -EBADF,
				   "%s (fd %d) cannot be checked (%s): "
				   "expected %s",
				   what, fd, strerror(-ret), node);
	}
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

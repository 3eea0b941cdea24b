/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The seam between the library and the kernel's VFIO: every open of a
 * /dev/vfio or /dev/iommu node, every VFIO and iommufd ioctl and the close
 * of their fds goes through vft_os (vft_private.h), so the unit tests run
 * the library against a fake VFIO kernel; and the retry policy of an open
 * the kernel refuses for a moment (EAGAIN from a reset at first open).
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
};

const struct vft_os_ops *vft_os = &vft_os_real;

void
vft_os_set(const struct vft_os_ops *ops)
{
	vft_os = ops != NULL ? ops : &vft_os_real;
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

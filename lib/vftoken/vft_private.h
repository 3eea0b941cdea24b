/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef VFT_PRIVATE_H
#define VFT_PRIVATE_H

/*
 * Internal declarations shared by the units of libvftoken and by its unit
 * tests. Not installed; nothing here is part of the public API.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vftoken.h"

/* ------------------------------------------------------------------------ */
/* Errors (vft_err.c)                                                       */
/* ------------------------------------------------------------------------ */

/**
 * Fill @p err (may be NULL) with @p code and a printf-formatted message.
 * Never pass a token to it. @return @p code, so callers can write
 * `return vft_err_set(err, -EINVAL, ...);`.
 */
int vft_err_set(struct vft_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------------ */
/* Tokens (vft_token.c)                                                     */
/* ------------------------------------------------------------------------ */

/** Key of the fingerprint hash: a fixed, public domain separator. */
#define VFT_FP_KEY "vftoken-fp-v1\0\0\0"

/** SipHash-2-4 of @p len bytes at @p msg under the 16-byte @p key. */
uint64_t vft_siphash24(const uint8_t key[16], const void *msg, size_t len);

/* ------------------------------------------------------------------------ */
/* sysfs (vft_sysfs.c)                                                      */
/* ------------------------------------------------------------------------ */

/**
 * Explain a failed write of @p n to the sriov_numvfs of @p pf: fill @p err
 * with the kernel rule behind @p error (a negative errno) given the PF's
 * driver and vfio-pci's enable_sriov (@p enable_sriov as returned by
 * vft_vfio_pci_enable_sriov()). @return @p error.
 */
int vft_sriov_numvfs_error(const struct vft_pci_dev *pf, unsigned int n,
			   int enable_sriov, int error, struct vft_err *err);

/**
 * The values to write to sriov_numvfs to go from @p cur to @p n VFs, into
 * @p steps. @return how many (0, 1 or 2).
 */
unsigned int vft_sriov_numvfs_steps(unsigned int cur, unsigned int n,
				    unsigned int steps[2]);

/* ------------------------------------------------------------------------ */
/* VFIO syscall table and step-reporting opens (vft_vfio.c, owner "vfio")   */
/* ------------------------------------------------------------------------ */

/*
 * TEST SEAM. Every system call the VFIO layer (vft_vfio.c, vft_open.c)
 * makes goes through vft_os, so unit tests can put a fake VFIO kernel
 * behind it. Each entry has the libc contract: -1 (MAP_FAILED for mmap)
 * and errno on failure. The default table calls the real system calls;
 * nothing but tests should ever replace it.
 */
struct vft_os_ops {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	/* @p arg is the ioctl's third argument: a pointer or an integer */
	int (*ioctl)(int fd, unsigned long req, uintptr_t arg);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd,
		      off_t off);
	int (*munmap)(void *addr, size_t len);
	ssize_t (*pread)(int fd, void *buf, size_t len, off_t off);
	ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
};

/* The table in use; never NULL. */
extern const struct vft_os_ops *vft_os;

/* TEST SEAM: install @p ops; NULL restores the real system calls. */
void vft_os_set(const struct vft_os_ops *ops);

/*
 * vft_group_open() and vft_device_open(), also telling which step failed
 * (VFT_STEP_*), so vft_open() can give the explainer the exact step.
 * @p step may be NULL; its value means nothing on success.
 */
int vft_group_open_step(struct vft_container *c, int group_id,
			struct vft_group *g, const struct vft_sys *sys,
			struct vft_err *err, enum vft_step *step);
int vft_device_open_step(struct vft_group *g, const struct vft_pci_addr *addr,
			 const struct vft_token *tok, struct vft_device *d,
			 struct vft_err *err, enum vft_step *step);

#endif /* VFT_PRIVATE_H */

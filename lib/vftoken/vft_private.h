/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef VFT_PRIVATE_H
#define VFT_PRIVATE_H

/*
 * Internal declarations shared by the units of libvftoken and by its unit
 * tests. Not installed; nothing here is part of the public API.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include "vftoken.h"

struct stat;
struct statx;

/* ------------------------------------------------------------------------ */
/* Errors (vft_err.c)                                                       */
/* ------------------------------------------------------------------------ */

/* vft_err_set() is public: vftoken.h. */

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
/* The explainer (vft_explain.c)                                            */
/* ------------------------------------------------------------------------ */

/*
 * TEST SEAM: the kernel release the explainer reasons about ("6.12.95",
 * as uname -r gives it); NULL restores uname()'s.
 */
void vft_explain_kernel_set(const char *release);

/* Refusals that are not the kernel's, worded here like every other one. */
void vft_explain_broker_failed(struct vft_explanation *why,
			       const struct vft_err *err);
void vft_explain_relay(struct vft_explanation *why, enum vft_verdict v,
		       int error, const char *reason, const char *fix);
void vft_explain_broker_unreachable(struct vft_explanation *why, int error,
				    const char *msg);
void vft_explain_broker_reply(struct vft_explanation *why, int error,
			      const char *msg);
int vft_explain_bad_call(bool no_iommu, bool no_addr,
			 struct vft_explanation *why);

/* ------------------------------------------------------------------------ */
/* VFIO syscall table (vft_os.c) and step-reporting opens (vft_group.c)     */
/* ------------------------------------------------------------------------ */

/*
 * TEST SEAM. Every system call the VFIO layer (vft_os.c, vft_group.c,
 * vft_device_fd.c, the backends, vft_open.c) makes on a /dev/vfio or
 * /dev/iommu node goes through vft_os, so unit tests can put a fake VFIO kernel
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
	int (*dup3)(int oldfd, int newfd, int flags);
	int (*nanosleep)(const struct timespec *req, struct timespec *rem);
	int (*access)(const char *path, int mode);
	/* fcntl(@p fd, F_DUPFD_CLOEXEC, 0) */
	int (*dupfd)(int fd);
	int (*stat)(const char *path, struct stat *st);
	int (*statx)(int dirfd, const char *path, int flags, unsigned int mask,
		     struct statx *sx);
	ssize_t (*readlink)(const char *path, char *buf, size_t len);
};

/* The table in use; never NULL, no entry NULL. */
extern const struct vft_os_ops *vft_os;

/* TEST SEAM: install @p ops (its NULL entries: the real system calls);
 * NULL restores the real system calls. */
void vft_os_set(const struct vft_os_ops *ops);

/*
 * Prove that @p fd is the character device node @p node (its device
 * number, from a statx(2) that never asks the fd's file system: a FUSE
 * file cannot answer for itself), not by name (vft_os.c).
 * @return 0, or -EBADF/-ENOTTY with @p err naming @p what and the kind of
 * file it is; -ENODEV when @p node is no character device here.
 */
int vft_fd_is_node(int fd, const char *node, const char *what,
		   struct vft_err *err);

/* Set *@p step if @p step is not NULL. */
void vft_step_set(enum vft_step *step, enum vft_step value);

/*
 * Take @p fd, a device fd got on any VFIO path, into @p d: read device and
 * region info (step VFT_STEP_DEVICE_INFO). On failure @p fd is closed and
 * @p d reset.
 */
/* Record whether the open of @p d was its first (vft_device.c). */
void vft_device_kernel_reset(struct vft_device *d, bool first_open);

int vft_device_adopt_fd(struct vft_device *d, int fd,
			const struct vft_pci_addr *addr, struct vft_err *err,
			enum vft_step *step);

/* errno of the last failed system call as a negative value, never 0. */
int vft_os_errno(void);

/* Close *@p fd through the seam if open; it becomes -1 (vft_os.c). */
void vft_os_close_fd(int *fd);

/* A closed device's state: no fd, no regions, no IRQ (vft_device_fd.c). */
void vft_device_state_clear(struct vft_device *d);

/*
 * vfio-pci resets a function when its first user opens it, and fails that
 * open with -EAGAIN when the reset cannot take the function's device lock
 * at that instant (vfio_pci_core_enable() in drivers/vfio/pci/
 * vfio_pci_core.c gives up the open then). Another task holds it for a
 * moment: a sysfs "reset", a driver bind, a reader of driver_override. So
 * both paths' open (VFIO_GROUP_GET_DEVICE_FD, VFIO_DEVICE_BIND_IOMMUFD) is
 * tried again, up to VFT_OPEN_TRIES times in all, VFT_OPEN_WAIT_MS apart.
 */
#define VFT_OPEN_TRIES 40
#define VFT_OPEN_WAIT_MS 50

/*
 * After an open that returned @p ret, counted in *@p tries: true, after
 * waiting VFT_OPEN_WAIT_MS, when @p ret is -EAGAIN and tries remain.
 */
bool vft_open_again(int ret, unsigned int *tries);

/* What an open's message adds after @p ret: the kernel rule for -EAGAIN
 * (the tries are over), else "". */
const char *vft_open_again_why(int ret);

/* ------------------------------------------------------------------------ */
/* Backends of the device layer (vft_device.c; vft_backend_*.c)             */
/* ------------------------------------------------------------------------ */

/* What of a context travels with a broker request or reply (vft_broker.h). */
struct vft_handover;

/*
 * One VFIO path. The device layer (vft_device.c) reads sysfs, calls these,
 * and does everything that is the same on every path (regions, BARs, IRQs,
 * reset, revoke, explanations). Each operation undoes its own partial work
 * on failure and reports the step that failed. The backend's state lives
 * in the context's opaque area (io->state), which only it reads.
 */
struct vft_backend {
	const char *name;
	/* Whether this path can open @p dev (on vfio-pci) now: its nodes
	 * exist (vft_paths_available()). */
	bool (*available)(const struct vft_sys *sys,
			  const struct vft_pci_dev *dev);
	/* Set the state of a context that holds nothing yet. */
	void (*init)(struct vft_iommu *io);
	/* Get a device fd for @p dev (on vfio-pci, with an IOMMU group) with
	 * @p tok, and read its info into @p d. */
	int (*open_device)(struct vft_iommu *io, const struct vft_sys *sys,
			   const struct vft_pci_dev *dev,
			   const struct vft_token *tok, struct vft_device *d,
			   enum vft_step *step, struct vft_err *err);
	/* Release what open_device took beyond the device fd (which the
	 * device layer has closed already). */
	void (*close_device)(struct vft_iommu *io, struct vft_device *d);
	/* Open @p d's function once more without a token and close it. */
	int (*reopen_probe)(struct vft_device *d);
	bool (*dma_ready)(const struct vft_iommu *io);
	int (*dma_map)(struct vft_iommu *io, uint64_t vaddr, uint64_t iova,
		       uint64_t len, struct vft_err *err);
	int (*dma_unmap)(struct vft_iommu *io, uint64_t iova, uint64_t len,
			 struct vft_err *err);
	/* Close what the context holds with no device open. */
	void (*close)(struct vft_iommu *io);

	/* -- hand-over through the broker, the client's side
	 *    (vft_broker_client.c), with io->lock held -- */
	/* Whether the context holds its kernel object (container, iommufd),
	 * the one fd every request carries when it has it. */
	bool (*has_ctx)(const struct vft_iommu *io);
	/* What of the context goes with a request into @p h: for @p dev
	 * (the fds it may share: a group's), or with @p dev NULL the
	 * context's own fd alone, then a copy (the caller closes it).
	 * -errno when the copy fails. */
	int (*export_ctx)(struct vft_iommu *io, const struct vft_pci_dev *dev,
			  struct vft_handover *h, struct vft_err *err);
	/* Take the fds of a reply (@p h: all but the device's) into the
	 * context for @p d, the device adopted from the reply's device fd
	 * (@p name: its address, for messages). On failure the fds of @p h
	 * are closed; the caller closes @p d. */
	int (*import_reply)(struct vft_iommu *io, const struct vft_handover *h,
			    struct vft_device *d, const char *name,
			    struct vft_err *err);

	/* -- hand-over through the broker, the broker's side (vft_broker.c) -- */
	/* Prove the client's fds of @p h are what the request says before
	 * any ioctl runs on them (vft_broker_prove_ctx()). */
	int (*prove_client)(const struct vft_handover *h, struct vft_err *err);
	/* Load a client's context from a request's proven fds (@p h; they
	 * stay the caller's: the context holds copies) into a context just
	 * initialised, as if this process had opened it. */
	int (*import_client)(struct vft_iommu *io, const struct vft_handover *h,
			     struct vft_err *err);
	/* Whether the fd of @p d, as the open returned it, is a new VFIO
	 * device fd (a second line behind the proofs). */
	int (*check_device)(const struct vft_device *d, struct vft_err *err);
	/* Which fds of the context go with the reply for @p d: those new to
	 * the client (the first reply of a batch gets the context's), into
	 * @p h, with the reply's wire fields. They count as the client's
	 * from now on. */
	void (*export_reply)(struct vft_iommu *io, const struct vft_device *d,
			     struct vft_handover *h);
	/* The exchange is over: close the copies of the client's fds the
	 * context still holds (never with an ioctl: the objects are the
	 * client's) and, with @p sent, forget the rest without closing it
	 * (those fds are in the replies, which the caller closes once sent);
	 * without, the rest is the caller's vft_iommu_close()'s. */
	void (*forget_client)(struct vft_iommu *io, bool sent);
};

/* Whether @p path is a VFIO path this library knows (has a name). */
bool vft_path_known(unsigned int path);

extern const struct vft_backend vft_backend_group;
extern const struct vft_backend vft_backend_cdev;

/* The backend of @p path, NULL for an unknown one. */
const struct vft_backend *vft_backend_of(enum vft_path path);

/* TEST SEAM: the backend of @p path is @p be from now on (NULL restores
 * the library's). */
void vft_backend_set(enum vft_path path, const struct vft_backend *be);

/*
 * The steps of vft_iommu_open_device() that are the same through the
 * broker (vft_broker_client.c calls them around its exchange):
 * vft_iommu_open_sysfs() reads the function's binding (-ENODEV when not
 * on vfio-pci, -ENOENT without an IOMMU group); vft_iommu_opening() counts
 * an open that begins (+1) or ends without a device (-1, which closes
 * what an idle context holds); vft_iommu_open_finish() makes an opened
 * @p d the context's (the DMA-ready callback runs if it just got its
 * IOMMU; on its failure @p d is closed and @p why says so).
 */
int vft_iommu_open_sysfs(const struct vft_sys *sys,
			 const struct vft_pci_addr *addr,
			 struct vft_pci_dev *dev);
void vft_iommu_opening(struct vft_iommu *io, int delta);
int vft_iommu_open_finish(struct vft_iommu *io, const struct vft_sys *sys,
			  const struct vft_pci_addr *addr, struct vft_device *d,
			  struct vft_explanation *why);

/* Group path: the context's container (for tests and the explainer's
 * callers; NULL on another path). */
const struct vft_container *vft_group_container(const struct vft_iommu *io);

/* ------------------------------------------------------------------------ */
/* sysfs: IOMMU group members (vft_sysfs.c)                                 */
/* ------------------------------------------------------------------------ */

/* Whether the host has an IOMMU the kernel uses (an IOMMU group or an
 * IOMMU device in sysfs). */
bool vft_sys_iommu_present(const struct vft_sys *sys);

/*
 * Name the members of IOMMU group @p group into @p buf as "ADDR (driver)",
 * all of them or, with @p offenders_only, those bound to a driver that
 * keeps the group from being viable (the kernel's DMA ownership rule:
 * every member on a vfio driver, pci-stub, pcieport or no driver).
 * @return the number of offenders, or -errno if the group cannot be read.
 */
int vft_iommu_group_describe(const struct vft_sys *sys, int group,
			     bool offenders_only, char *buf, size_t len);

/* A driver that leaves an IOMMU group viable. */
bool vft_driver_keeps_group_viable(const char *driver);

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

/* ------------------------------------------------------------------------ */
/* Not public: the group path's primitives, raw device operations and sysfs  */
/* writes the library uses inside itself (backends, device layer, explainer) */
/* and its unit tests reach here. A program opens devices through            */
/* vft_iommu_open_device() / vft_open() and maps BARs with                   */
/* vft_device_map_bars_at() (vftoken.h).                                     */
/* ------------------------------------------------------------------------ */

/**
 * List the functions of IOMMU group @p group into @p out (at most @p max).
 * @return the number of functions (may exceed @p max) or -errno.
 */
int vft_iommu_group_devices(const struct vft_sys *sys, int group,
			    struct vft_pci_addr *out, unsigned int max);

/**
 * The vfio cdev of a function bound to vfio-pci: N of /dev/vfio/devices/
 * vfioN, from sysfs "vfio-dev/vfioN". -ENOENT when it has none (not on
 * vfio-pci, or a kernel without CONFIG_VFIO_DEVICE_CDEV).
 */
int vft_pci_vfio_cdev(const struct vft_sys *sys,
		      const struct vft_pci_addr *addr);

/** Write driver_override ("" clears it). */
int vft_pci_set_driver_override(const struct vft_sys *sys,
				const struct vft_pci_addr *addr,
				const char *driver, struct vft_err *err);

/** Unbind from the current driver (no-op if unbound). */
int vft_pci_unbind(const struct vft_sys *sys, const struct vft_pci_addr *addr,
		   struct vft_err *err);

/** Open /dev/vfio/vfio, check the API version and type1v2 support. */
int vft_container_open(struct vft_container *c, struct vft_err *err);

/** Close (idempotent). */
void vft_container_close(struct vft_container *c);

/**
 * Open /dev/vfio/@p group_id, check it is viable (naming the functions in
 * the group otherwise), attach it to @p c, and set the type1v2 IOMMU on the
 * first group. On failure nothing stays open. A group that is not viable
 * gives -EPERM (the errno of open() and the ioctls otherwise).
 */
int vft_group_open(struct vft_container *c, int group_id, struct vft_group *g,
		   const struct vft_sys *sys, struct vft_err *err);

/** Detach and close (idempotent). */
void vft_group_close(struct vft_group *g);

/**
 * Build the VFIO_GROUP_GET_DEVICE_FD argument for @p addr and @p tok:
 * "dddd:bb:dd.f" or "dddd:bb:dd.f vf_token=<uuid>". The buffer holds a
 * secret when a token is given: wipe it after use.
 * @return string length, or -ENAMETOOLONG if @p len is too small.
 */
int vft_device_name(const struct vft_pci_addr *addr,
		    const struct vft_token *tok, char *buf, size_t len);

/**
 * Get a device fd from @p g with an optional token, then read device and
 * region info. On failure the returned errno is the kernel's (e.g. -EACCES
 * for a missing or wrong token) and @p err says so; use vft_explain() for
 * the reason.
 */
int vft_device_open(struct vft_group *g, const struct vft_pci_addr *addr,
		    const struct vft_token *tok, struct vft_device *d,
		    struct vft_err *err);

/** Refresh region @p index info into d->regions[index]. */
int vft_device_region_info(struct vft_device *d, uint32_t index,
			   struct vft_err *err);

/** mmap region @p index (must be mmap-able). Mapped once; later calls return
 * the same mapping. */
int vft_device_region_map(struct vft_device *d, uint32_t index, void **addr,
			  struct vft_err *err);

/** Unmap region @p index (no-op if not mapped). */
void vft_device_region_unmap(struct vft_device *d, uint32_t index);

/** Read or write config space through the config region. */
int vft_device_config_read(struct vft_device *d, void *buf, size_t len,
			   off_t off);
int vft_device_config_write(struct vft_device *d, const void *buf, size_t len,
			    off_t off);

/** IRQ info for @p index: @p count gets the number of vectors. */
int vft_device_irq_count(struct vft_device *d, uint32_t index, uint32_t *count,
			 struct vft_err *err);

/**
 * Route vectors 0..n-1 of IRQ @p index (VFIO_PCI_MSIX_IRQ_INDEX, ...) to
 * eventfds @p fds (the caller owns them; -1 leaves a vector unset).
 */
int vft_device_irq_enable(struct vft_device *d, uint32_t index, const int *fds,
			  unsigned int n, struct vft_err *err);

/** Map @p len bytes at @p vaddr to @p iova for DMA, read and write. */
int vft_dma_map(struct vft_container *c, uint64_t vaddr, uint64_t iova,
		uint64_t len, struct vft_err *err);

/** Unmap a DMA range. */
int vft_dma_unmap(struct vft_container *c, uint64_t iova, uint64_t len,
		  struct vft_err *err);

/** Number of devices open in the context. */
unsigned int vft_iommu_devices(const struct vft_iommu *io);

/**
 * mmap every memory BAR the kernel lets user space map (I/O BARs and
 * non-mmap-able regions are left alone). A BAR holding the MSI-X table
 * that the kernel does not let map whole is mapped around the table pages,
 * in one reservation. On failure no BAR stays mapped. The mappings are in
 * d->regions[i].map (i = 0..5).
 */
int vft_device_map_bars(struct vft_device *d, struct vft_err *err);

#endif /* VFT_PRIVATE_H */

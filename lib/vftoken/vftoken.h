/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef VFTOKEN_H
#define VFTOKEN_H

/**
 * @file
 * libvftoken: VFIO, VF token and SR-IOV logic for userspace drivers.
 *
 * Plain C11 and Linux, no DPDK. Every function that can fail returns 0 (or a
 * non-negative value where documented) on success and a negative errno on
 * failure. Functions that take a struct vft_err fill it, when non-NULL, with
 * a sentence naming the value at fault and what was expected. A token value
 * never appears in any message this library produces.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/** Size of the message buffer in struct vft_err. */
#define VFT_ERR_MSG_LEN 512

/** Why an operation failed. */
struct vft_err {
	int code;		   /**< negative errno, 0 if no error */
	char msg[VFT_ERR_MSG_LEN]; /**< human readable, never holds a token */
};

/** Clear an error record. */
void vft_err_clear(struct vft_err *err);

/**
 * Fill @p err (may be NULL) with @p code and a printf-formatted message.
 * Never pass a token to it. @return @p code, so callers can write
 * `return vft_err_set(err, -EINVAL, ...);`.
 */
int vft_err_set(struct vft_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------------ */
/* UUIDs                                                                    */
/* ------------------------------------------------------------------------ */

/** Bytes in a UUID. */
#define VFT_UUID_LEN 16
/** Characters in the canonical text form, without the NUL. */
#define VFT_UUID_STR_LEN 36

/** A UUID, in the byte order of its canonical text form. */
struct vft_uuid {
	uint8_t b[VFT_UUID_LEN];
};

/**
 * Parse a UUID exactly as the kernel's uuid_parse() accepts it: 36
 * characters, hex digits of either case, '-' at offsets 8, 13, 18 and 23,
 * nothing before or after.
 *
 * @return 0, or -EINVAL for any other text (including NULL).
 */
int vft_uuid_parse(const char *s, struct vft_uuid *out);

/** Format as 36 lower-case characters plus NUL into @p out. */
void vft_uuid_format(const struct vft_uuid *u, char out[VFT_UUID_STR_LEN + 1]);

/** Generate a random (version 4) UUID. @return 0 or -errno. */
int vft_uuid_generate(struct vft_uuid *out);

/** Compare in time independent of the contents. @return true if equal. */
bool vft_uuid_equal(const struct vft_uuid *a, const struct vft_uuid *b);

/** @return true if every byte is zero (never valid as a token). */
bool vft_uuid_is_null(const struct vft_uuid *u);

/** Overwrite @p len bytes at @p p with zeros in a way the compiler keeps. */
void vft_wipe(void *p, size_t len);

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */
/* ------------------------------------------------------------------------ */

/** Where a token came from. */
enum vft_token_source {
	VFT_TOKEN_NONE = 0, /**< no token */
	VFT_TOKEN_LITERAL,  /**< given as text (command line, devargs) */
	VFT_TOKEN_FILE,	    /**< read from a file */
	VFT_TOKEN_ENV,	    /**< read from an environment variable */
	VFT_TOKEN_GENERATED /**< generated here */
};

/** Length of a fingerprint string, including the NUL. */
#define VFT_FINGERPRINT_LEN 16

/** Length of struct vft_token's origin, including the NUL. */
#define VFT_ORIGIN_LEN 256

/** A VF token and where it came from. Wipe with vft_token_wipe(). */
struct vft_token {
	struct vft_uuid uuid;
	enum vft_token_source source;
	/** file path or variable name (never the value); "" for literals */
	char origin[VFT_ORIGIN_LEN];
};

/** @return true if @p t holds a token. */
bool vft_token_present(const struct vft_token *t);

/**
 * Take a token from text. Refuses malformed UUIDs and the all-zero UUID.
 * The message never repeats the text.
 */
int vft_token_from_string(const char *s, struct vft_token *t,
			  struct vft_err *err);

/**
 * Read a token from a file. The file must be a regular file (not a symlink),
 * owned by the calling user, with no group or other permission bits, and hold
 * one UUID with an optional trailing newline. Each refusal names the rule.
 */
int vft_token_from_file(const char *path, struct vft_token *t,
			struct vft_err *err);

/**
 * Read the token of key @p key from a Kubernetes Secret volume mounted at
 * @p dir (kubelet's layout: KEY -> ..data/KEY, ..data -> ..TIMESTAMP, the
 * regular file ..TIMESTAMP/KEY). Instead of vft_token_from_file()'s rules
 * (which still refuse each of these links): every name is resolved under
 * the directory's fd with O_NOFOLLOW, each link must be exactly what
 * kubelet writes, and the volume directory, both links, the ..TIMESTAMP
 * directory and the file must be owned by root or the caller with no group
 * or other write bit (the volume directory may be sticky 1777); the file
 * may be readable by group and others (0400, 0440, 0644). The content rule
 * is vft_token_from_file()'s. Each refusal names the object and the rule.
 */
int vft_token_from_secret(const char *dir, const char *key, struct vft_token *t,
			  struct vft_err *err);

/**
 * What a file that is not a regular file is, for messages: "a directory",
 * "a FIFO", "a socket", "a character device", "a block device", else "not
 * a regular file". Files that must be regular (token files, the broker's
 * policy) are refused with it.
 */
const char *vft_file_type_name(mode_t m);

/** Read a token from environment variable @p var. */
int vft_token_from_env(const char *var, struct vft_token *t,
		       struct vft_err *err);

/** Generate a random token. */
int vft_token_generate(struct vft_token *t, struct vft_err *err);

/**
 * Write @p t to a new file @p path created with mode 0600 (fails with -EEXIST
 * if it exists). The file holds the UUID and a newline.
 */
int vft_token_write_file(const char *path, const struct vft_token *t,
			 struct vft_err *err);

/**
 * A short, non-reversible fingerprint for logs, "fp:" followed by 8 hex
 * digits of a keyed hash of the token. Equal tokens give equal fingerprints.
 */
void vft_token_fingerprint(const struct vft_token *t,
			   char out[VFT_FINGERPRINT_LEN]);

/** Wipe a token. */
void vft_token_wipe(struct vft_token *t);

/** Name of a source ("none", "literal", "file", "env", "generated"). */
const char *vft_token_source_name(enum vft_token_source s);

/* ------------------------------------------------------------------------ */
/* PCI addresses and the SR-IOV model from sysfs                            */
/* ------------------------------------------------------------------------ */

/** Length of the longest address, "DDDDDDDD:BB:DD.F" (32-bit domains exist,
 * e.g. Intel VMD's 10000 and up), plus NUL. */
#define VFT_PCI_ADDR_LEN 17

/** A PCI address. */
struct vft_pci_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t dev;
	uint8_t fn;
};

/**
 * Parse "DDDD:BB:DD.F" or "BB:DD.F" (domain 0). Hex, either case; device
 * below 0x20, function below 8; nothing before or after.
 */
int vft_pci_addr_parse(const char *s, struct vft_pci_addr *a);

/** Format as "dddd:bb:dd.f". */
void vft_pci_addr_format(const struct vft_pci_addr *a,
			 char out[VFT_PCI_ADDR_LEN]);

/** @return true if equal. */
bool vft_pci_addr_equal(const struct vft_pci_addr *a,
			const struct vft_pci_addr *b);

/**
 * Where sysfs lives. NULL everywhere means the real one ("/sys"); tests pass
 * a generated tree.
 */
struct vft_sys {
	char root[256]; /**< e.g. "/sys" */
};

/** Initialise @p sys for @p root (NULL: "/sys"). */
void vft_sys_init(struct vft_sys *sys, const char *root);

/** Most VFs recorded per PF. */
#define VFT_MAX_VFS 256
/** Length of a driver name buffer. */
#define VFT_DRIVER_LEN 64

/** What sysfs says about one PCI function. */
struct vft_pci_dev {
	struct vft_pci_addr addr;
	char name[VFT_PCI_ADDR_LEN]; /**< formatted address */
	uint16_t vendor;
	uint16_t device;
	uint16_t subsys_vendor;
	uint16_t subsys_device;
	uint32_t class_code;		      /**< 24-bit class */
	char driver[VFT_DRIVER_LEN];	      /**< "" when unbound */
	char driver_override[VFT_DRIVER_LEN]; /**< "" when none */
	int iommu_group;		      /**< -1 when none */
	int numa_node;			      /**< -1 when unknown */
	bool is_vf;			      /**< has a physfn link */
	struct vft_pci_addr pf;		      /**< valid if is_vf */
	bool sriov_capable;		      /**< has sriov_totalvfs */
	unsigned int total_vfs;		      /**< sriov_totalvfs */
	unsigned int num_vfs;		      /**< sriov_numvfs */
	unsigned int n_vfs;		      /**< entries in vfs[] */
	struct vft_pci_addr vfs[VFT_MAX_VFS]; /**< virtfn0..N-1, in order */
};

/** Read one function. -ENODEV with a message if it does not exist. */
int vft_pci_dev_read(const struct vft_sys *sys, const struct vft_pci_addr *addr,
		     struct vft_pci_dev *dev, struct vft_err *err);

/** Parts of a function vft_pci_dev_read_parts() reads. */
enum vft_pci_part {
	/** vendor, device, class, subsystem ids, numa_node */
	VFT_PCI_PART_IDS = 1 << 0,
	/** driver link and iommu_group link */
	VFT_PCI_PART_DRIVER = 1 << 1,
	/** driver_override */
	VFT_PCI_PART_OVERRIDE = 1 << 2,
	/** physfn link; sriov_totalvfs, sriov_numvfs, virtfnN links */
	VFT_PCI_PART_SRIOV = 1 << 3,
	VFT_PCI_PART_ALL = 0xf,
};

/**
 * vft_pci_dev_read() of the @p parts (enum vft_pci_part) only: the fields
 * of the others keep their "none" values (0, "", -1). Each sysfs read is a
 * system call or three; a caller that has the other facts already (the
 * ids from DPDK's pci bus, say) skips them.
 */
int vft_pci_dev_read_parts(const struct vft_sys *sys,
			   const struct vft_pci_addr *addr,
			   struct vft_pci_dev *dev, unsigned int parts,
			   struct vft_err *err);

/** @return true if @p dev is bound to vfio-pci. */
bool vft_pci_dev_on_vfio(const struct vft_pci_dev *dev);

/**
 * @return true if @p vf is a VF whose PF is bound to vfio-pci: the VF then
 * opens only with the PF's VF token.
 */
bool vft_pci_vf_needs_token(const struct vft_sys *sys,
			    const struct vft_pci_dev *vf);

/** Called for each PCI function by vft_pci_scan(); non-zero stops. */
typedef int (*vft_pci_scan_cb)(const struct vft_pci_dev *dev, void *arg);

/** Walk every PCI function in address order. @return the callback's stop
 * value, 0 at the end, or -errno. */
int vft_pci_scan(const struct vft_sys *sys, vft_pci_scan_cb cb, void *arg);

/**
 * vfio-pci's enable_sriov module parameter.
 * @return 1 (Y), 0 (N), or -ENOENT when vfio-pci is not loaded.
 */
int vft_vfio_pci_enable_sriov(const struct vft_sys *sys);

/**
 * Bind to vfio-pci via driver_override + drivers_probe. No-op if bound to
 * vfio-pci already; unbinds another driver first.
 */
int vft_pci_bind_vfio(const struct vft_sys *sys,
		      const struct vft_pci_addr *addr, struct vft_err *err);

/**
 * Set sriov_numvfs. Going from N>0 to M>0 writes 0 first, as the kernel
 * requires. Errors are explained (enable_sriov off gives -ENOENT, more than
 * total gives -ERANGE, not SR-IOV capable gives -ENOTSUP).
 */
int vft_pci_set_num_vfs(const struct vft_sys *sys,
			const struct vft_pci_addr *pf, unsigned int n,
			struct vft_err *err);

/* ------------------------------------------------------------------------ */
/* VFIO, group/container path                                               */
/* ------------------------------------------------------------------------ */

/** An open VFIO container. */
struct vft_container {
	int fd;	      /**< -1 when closed */
	int n_groups; /**< groups attached */
	bool iommu_set;
};

/** An open VFIO group. */
struct vft_group {
	int fd; /**< -1 when closed */
	int id;
	struct vft_container *container;
};

/** A region of an open device. */
struct vft_region {
	uint32_t index;
	uint32_t flags; /**< VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	uint64_t offset; /**< file offset for pread/pwrite/mmap */
	void *map;	 /**< mapping, NULL if not mapped */
	size_t map_len;
};

/** Regions of a vfio-pci device: BAR0..5, ROM, config, VGA. */
#define VFT_MAX_REGIONS 9

/** BARs of a PCI function (type 0 header): regions 0..5. */
#define VFT_NUM_BARS 6

struct vft_iommu;

/** An open VFIO device. */
struct vft_device {
	int fd;			 /**< -1 when closed */
	struct vft_group *group; /**< group path: the device's group */
	struct vft_iommu *iommu; /**< set by vft_iommu_open_device() */
	struct vft_pci_addr addr;
	uint32_t flags; /**< VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;
	struct vft_region regions[VFT_MAX_REGIONS];
	int irq_index; /**< last IRQ index enabled here, -1 if none */
	unsigned int n_irq_fds;
	uint32_t irqs_on; /**< bit per IRQ index enabled through this API */
	int cdev;	  /**< cdev path: N of /dev/vfio/devices/vfioN */
	bool revoked;	  /**< given back: see vft_device_revoke() */
	/**
	 * The kernel reset the function when this open made it open (its
	 * first open, on a function with a working reset): the next
	 * vft_device_prepare() skips its own reset. Set by the backends of
	 * vft_iommu_open_device() only; see vft_device_prepare().
	 */
	bool kernel_reset;
	/** VFIO_DEVICE_RESET calls the kernel took through this handle */
	unsigned int n_resets;
};

/** Longest device name string passed to VFIO_GROUP_GET_DEVICE_FD. */
#define VFT_DEVICE_NAME_LEN 96

/**
 * Unmap regions, disable the IRQs enabled through this API and close
 * (idempotent). A device opened with vft_iommu_open_device() also leaves
 * its IOMMU context (its group is closed with its last device).
 */
void vft_device_close(struct vft_device *d);

/** Most threads vft_devices_close() uses. */
#define VFT_CLOSE_MAX_THREADS 16

/**
 * vft_device_close() of @p n devices (NULL entries skipped): the kernel
 * resets a function when its last fd closes (an FLR: 100 ms for a VF), so
 * the fds are closed on up to @p max_threads threads at once (the
 * caller's included; 0 or 1: one after the other) -- except that the fds
 * of functions behind one upstream bridge (the VFs of one PF, the
 * functions of one bus; read in @p sys, NULL: each function's own bus)
 * are closed one after the other, in list order: a reset at close that
 * finds that bridge locked by another is skipped (vfio_pci_core_disable()
 * of Linux 6.12 and 7.2; 6.1 has no such lock). Everything
 * else runs on the caller's thread; not thread-safe against other uses of
 * the devices or their contexts.
 * @return the threads the closes ran on: 1 or more; 0 when @p ds is NULL
 * or @p n is 0.
 */
unsigned int vft_devices_close(const struct vft_sys *sys,
			       struct vft_device *const *ds, unsigned int n,
			       unsigned int max_threads);

/** Disable IRQ @p index. */
int vft_device_irq_disable(struct vft_device *d, uint32_t index);

/**
 * VFIO_DEVICE_FEATURE PROBE of PCI_VF_TOKEN with SET.
 * @return 0 if the device takes a token (an SR-IOV PF on vfio-pci),
 * -ENOTTY if it does not.
 */
int vft_device_vf_token_probe(struct vft_device *d, struct vft_err *err);

/** VFIO_DEVICE_FEATURE SET of PCI_VF_TOKEN. */
int vft_device_vf_token_set(struct vft_device *d, const struct vft_token *tok,
			    struct vft_err *err);

/* ------------------------------------------------------------------------ */
/* Explainer                                                                */
/* ------------------------------------------------------------------------ */

/** Why an open failed (or did not). */
enum vft_verdict {
	VFT_V_OK = 0,		/**< the open succeeded */
	VFT_V_NO_DEVICE,	/**< no such PCI function */
	VFT_V_NOT_VFIO,		/**< not bound to vfio-pci */
	VFT_V_GROUP_NOT_VIABLE, /**< another group member is on a host driver */
	VFT_V_BUSY,		/**< group or device in use elsewhere */
	VFT_V_VF_NEEDS_TOKEN,	/**< VF, PF on vfio-pci, no token given */
	VFT_V_TOKEN_REJECTED,	/**< VF, PF on vfio-pci, wrong token */
	VFT_V_TOKEN_PF_NOT_VFIO, /**< VF token given, PF is not on vfio-pci */
	VFT_V_TOKEN_NOT_SRIOV,	 /**< token given for a non-PF non-VF */
	VFT_V_PF_HAS_VF_USERS,	 /**< PF, VFs in use, token missing/wrong */
	VFT_V_BAD_OPTION,	 /**< malformed option string */
	VFT_V_NO_PERMISSION,	 /**< /dev/vfio not accessible to the caller */
	VFT_V_OTHER,		 /**< anything else: errno says */
	VFT_V_BROKER_DENIED	 /**< the broker's policy refused the caller */
};

/** Length of the reason and fix buffers. */
#define VFT_EXPLAIN_LEN 512

/** The explainer's verdict. */
struct vft_explanation {
	enum vft_verdict verdict;
	int error;		      /**< the negative errno explained */
	char reason[VFT_EXPLAIN_LEN]; /**< what happened and why */
	char fix[VFT_EXPLAIN_LEN];    /**< what to do about it */
};

/**
 * Explain a failed (or successful, @p error == 0) open of @p addr from the
 * errno and the sysfs state. @p token_given says whether a vf_token was
 * passed. Never includes the token. Same as vft_explain_step() with
 * VFT_STEP_ANY: the step is inferred from the errno and sysfs.
 */
void vft_explain(const struct vft_sys *sys, const struct vft_pci_addr *addr,
		 bool token_given, int error, struct vft_explanation *out);

/**
 * The step of an open that failed. The same errno means different things
 * at different steps (-EACCES opening /dev/vfio/N is a file permission,
 * from VFIO_GROUP_GET_DEVICE_FD it is the VF token rule).
 */
enum vft_step {
	VFT_STEP_ANY = 0,      /**< unknown: infer from errno and sysfs */
	VFT_STEP_SYSFS,	       /**< reading the function from sysfs */
	VFT_STEP_CONTAINER,    /**< vft_container_open() */
	VFT_STEP_GROUP_OPEN,   /**< open() of /dev/vfio/N */
	VFT_STEP_GROUP_VIABLE, /**< VFIO_GROUP_GET_STATUS: not viable */
	VFT_STEP_GROUP_ATTACH, /**< VFIO_GROUP_SET_CONTAINER/VFIO_SET_IOMMU */
	VFT_STEP_DEVICE_OPEN,  /**< VFIO_GROUP_GET_DEVICE_FD */
	VFT_STEP_DEVICE_INFO,  /**< VFIO_DEVICE_GET_INFO/_GET_REGION_INFO */
	VFT_STEP_DMA_MAP,      /**< mapping memory once the IOMMU is set */
	VFT_STEP_CDEV_FIND,    /**< cdev path: sysfs vfio-dev/vfioN */
	VFT_STEP_IOMMUFD,      /**< cdev path: /dev/iommu, IOMMU_IOAS_ALLOC */
	VFT_STEP_CDEV_OPEN,    /**< cdev path: open() of /dev/vfio/devices/N */
	VFT_STEP_CDEV_BIND,    /**< cdev path: VFIO_DEVICE_BIND_IOMMUFD */
	VFT_STEP_CDEV_ATTACH   /**< cdev path: VFIO_DEVICE_ATTACH_IOMMUFD_PT */
};

/** vft_explain() for a failure known to come from @p step. */
void vft_explain_step(const struct vft_sys *sys,
		      const struct vft_pci_addr *addr, bool token_given,
		      int error, enum vft_step step,
		      struct vft_explanation *out);

/** Stable short name of a verdict ("ok", "vf-needs-token", ...). */
const char *vft_verdict_name(enum vft_verdict v);

/* ------------------------------------------------------------------------ */
/* Device layer: one VFIO path for every caller                             */
/* ------------------------------------------------------------------------ */

/*
 * The device layer opens functions with their token into an IOMMU context
 * (the DMA address space its devices share), explains every refusal with
 * the exact step that failed, maps BARs, picks and routes interrupts,
 * maps memory for DMA and gives a device back to the kernel. The context's
 * backend is the VFIO path: the group/container API today (a VFIO
 * container holding one group per IOMMU group, shared by the devices of
 * that group); the vfio cdev + iommufd path is the second backend.
 */

/** The VFIO path of an IOMMU context. */
enum vft_path {
	VFT_PATH_GROUP = 0, /**< /dev/vfio/vfio container + /dev/vfio/N */
	VFT_PATH_CDEV,	    /**< /dev/vfio/devices/vfioN bound to /dev/iommu */
};

/** Name of a path ("group", "cdev"). */
const char *vft_path_name(enum vft_path path);

/**
 * Parse "group", "cdev" or "auto" (the path vft_path_auto() picks).
 * @return 0, or -EINVAL for anything else.
 */
int vft_path_parse(const char *s, enum vft_path *path);

/**
 * The path to use when none is asked for: the group path where the kernel
 * has the legacy container (/dev/vfio/vfio), else the cdev path (a kernel
 * with iommufd and without CONFIG_VFIO_CONTAINER).
 */
enum vft_path vft_path_auto(void);

/**
 * Which paths can open @p addr now, as bits (1 << VFT_PATH_*): the group
 * path when /dev/vfio/vfio and the function's IOMMU group exist, the cdev
 * path when /dev/iommu and its vfio cdev exist.
 */
unsigned int vft_paths_available(const struct vft_sys *sys,
				 const struct vft_pci_dev *dev);

/**
 * Called once the context can map memory for DMA, at the end of the open
 * of the device that made it so (and again after the context lost its
 * IOMMU with its last group and gets it back). A negative return fails
 * that open, which is then undone.
 */
typedef int (*vft_dma_ready_cb)(struct vft_iommu *io, void *arg);

/**
 * Bytes of an IOMMU context's backend state. The state of each VFIO path
 * (the group path's container and group slots, the cdev path's iommufd
 * and IOAS) is private to its backend; this area holds it in place, so
 * that a context needs no allocation and keeps the size it had in 0.1.0
 * (1656 bytes on LP64: the library's ABI, doc/guides/architecture.rst).
 */
#define VFT_IOMMU_STATE_SIZE 1560

/**
 * An IOMMU context: the DMA address space shared by the devices opened in
 * it. Must not move in memory while devices are open in it. Fields are
 * private to the library; read them through the functions below.
 */
struct vft_iommu {
	enum vft_path path;
	const struct vft_backend *be;
	unsigned int n_devices;
	bool dma_mapped; /**< the ready callback ran for this IOMMU */
	vft_dma_ready_cb dma_ready;
	void *dma_ready_arg;
	uint32_t broker_seq; /**< last request sent to a broker */
	/**
	 * Held while the context changes (its backend state, the device
	 * count, DMA maps), never across the kernel's open of a device:
	 * opens of devices may run on several threads at once (recursive:
	 * the DMA-ready callback maps through the context).
	 */
	pthread_mutex_t lock;
	unsigned int n_opening; /**< opens under way (they hold the context) */
	/** the backend's state, opaque here (vft_backend_*.c) */
	union {
		uint64_t u64[VFT_IOMMU_STATE_SIZE / 8];
		void *align;
	} state;
};

/** Initialise a context for @p path; nothing is opened until a device is. */
int vft_iommu_init(struct vft_iommu *io, enum vft_path path,
		   struct vft_err *err);

/** Set the callback that maps memory once the context can (may be NULL). */
void vft_iommu_on_dma_ready(struct vft_iommu *io, vft_dma_ready_cb cb,
			    void *arg);

/** @return true if memory can be mapped for DMA now. */
bool vft_iommu_dma_ready(const struct vft_iommu *io);

/** Map @p len bytes at @p vaddr to @p iova, read and write. -EEXIST if the
 * range is mapped already. -ENODEV while the context has no IOMMU. */
int vft_iommu_dma_map(struct vft_iommu *io, uint64_t vaddr, uint64_t iova,
		      uint64_t len, struct vft_err *err);

/** Unmap a DMA range. -ENODEV while the context has no IOMMU. */
int vft_iommu_dma_unmap(struct vft_iommu *io, uint64_t iova, uint64_t len,
			struct vft_err *err);

/** Close what is left of the context (its devices must be closed). */
void vft_iommu_close(struct vft_iommu *io);

/**
 * Ask the broker at @p sock to give PF @p pf a new VF token: it sets it
 * through its own reference to the PF and rewrites the PF's token file.
 * @p fp gets the new token's fingerprint. The token itself never leaves
 * the broker.
 */
int vft_broker_rotate(const char *sock, const struct vft_pci_addr *pf,
		      char fp[VFT_FINGERPRINT_LEN], struct vft_err *err);

/** The broker's counters since it started (doc/guides/broker.rst,
 * "Counters"). */
struct vft_broker_stats {
	uint64_t uptime_s;     /**< seconds since the broker started */
	uint64_t opens;	       /**< functions opened for clients */
	uint64_t refusals;     /**< requests its policy (or a proof) refused */
	uint64_t rotations;    /**< PF tokens rotated */
	uint64_t malformed;    /**< malformed requests (connection closed) */
	uint64_t caps_refused; /**< connections refused by the limits */
	uint64_t closer_fds;   /**< client fds handed to the closer */
	uint32_t clients;      /**< connections held now */
	uint32_t pf_refs;      /**< PF references held now */
};

/**
 * Ask the broker at @p sock for its counters. Only root and peers an
 * allow rule of its policy names may ask (-EPERM otherwise, explained in
 * @p err).
 */
int vft_broker_stats(const char *sock, struct vft_broker_stats *st,
		     struct vft_err *err);

/**
 * Open @p addr into @p io with @p tok (NULL: none): read sysfs (a missing
 * function or one not on vfio-pci gives -ENODEV without /dev/vfio being
 * touched), then the backend's steps, then the DMA ready callback if this
 * open gave the context its IOMMU. On failure nothing of this open stays
 * open and @p why (if non-NULL) explains it with the step that failed; on
 * success @p why holds the verdict "ok".
 */
int vft_iommu_open_device(struct vft_iommu *io, const struct vft_sys *sys,
			  const struct vft_pci_addr *addr,
			  const struct vft_token *tok, struct vft_device *d,
			  struct vft_explanation *why);

/** Most threads vft_iommu_open_devices() uses. */
#define VFT_OPEN_MAX_THREADS 16

/** One open of vft_iommu_open_devices(): the request, then its outcome. */
struct vft_open_req {
	struct vft_iommu *io;	     /**< in: the context to open into */
	const struct vft_sys *sys;   /**< in: sysfs */
	struct vft_pci_addr addr;    /**< in: the function */
	const struct vft_token *tok; /**< in: its token, NULL: none */
	struct vft_device *d;	     /**< in: where the device goes */
	bool skip;		     /**< in: leave this one alone */
	int ret;		     /**< out: vft_iommu_open_device()'s */
	struct vft_explanation why;  /**< out: its explanation */
	uint64_t start_ns, end_ns;   /**< out: CLOCK_MONOTONIC, the open */
};

/**
 * vft_iommu_open_device() of @p n requests (those with @p skip set left
 * alone) on up to @p max_threads threads at once (the caller's included;
 * 0 or 1: one after the other): the kernel's first open of a function
 * resets it (an FLR: 100 ms for a VF), and the opens of functions the
 * kernel does not serialise (no shared dev_set) then overlap. Each
 * request gets exactly the outcome and explanation the same open alone
 * would have; a failed one leaves nothing open and disturbs no other.
 * Changes to a context (groups, container, iommufd, attach, DMA maps)
 * stay serial under its lock; the DMA-ready callback may run on any of
 * the threads. Nothing else may use the requests' devices meanwhile.
 * @return how many opens failed.
 */
unsigned int vft_iommu_open_devices(struct vft_open_req *reqs, unsigned int n,
				    unsigned int max_threads);

/**
 * vft_iommu_open_device() through the VF token broker listening at
 * @p sock (vftokend, doc/guides/broker.rst) instead of /dev/vfio: the
 * broker checks its policy, opens the function with its PF's token into
 * this context (for a PF it also sets the token) and hands over the fds;
 * from there on the device is this context's like any other. No token is
 * given: the broker holds it. Refusals, the broker's policy included,
 * come explained in @p why.
 */
int vft_iommu_open_brokered(struct vft_iommu *io, const struct vft_sys *sys,
			    const struct vft_pci_addr *addr, const char *sock,
			    struct vft_device *d, struct vft_explanation *why);

/**
 * vft_iommu_open_brokered() of @p n requests (those with @p skip set left
 * alone, their outcome untouched; tok is not used: the broker holds the
 * tokens) in one
 * request to the broker at @p sock per context, at most 16 functions per
 * request (more: several requests): the broker checks its policy for each
 * function and opens the allowed ones at once on a bounded set of its
 * threads (vft_iommu_open_devices()). Each request gets exactly the
 * outcome and explanation vft_iommu_open_brokered() would have given it,
 * and its start and end times (the request sent, its reply taken); a
 * failed one leaves nothing open and disturbs no other. The context's
 * lock is held only while its fds are copied into the request and while
 * each reply's fds join it, not while the broker works. Meanwhile the
 * context must keep its container or iommufd: another open into a
 * context that has none yet makes the broker's replies fail (-EBUSY,
 * explained), as does closing its last device.
 * @return how many opens failed.
 */
unsigned int vft_iommu_open_brokered_devices(const char *sock,
					     struct vft_open_req *reqs,
					     unsigned int n);

/**
 * Whether VFs of the open PF @p pf are in use: a second open of the PF
 * without a token is refused (-EACCES) exactly then (VF token rule "PF
 * with VF users", doc/guides/token_model.rst).
 * @return 1 in use, 0 not, or -errno.
 */
int vft_device_pf_vfs_in_use(struct vft_device *pf);

/**
 * Make an opened function usable by a driver: memory decoding and bus
 * mastering on in the PCI command register (PCI Local Bus 3.0, 6.2.2),
 * then a function reset when the device offers one (VFIO_DEVICE_RESET),
 * unless the kernel reset it at this open already (d->kernel_reset: a
 * fresh first open by vft_iommu_open_device(); the flag is consumed, so
 * a later call resets). An adopted or brokered device is always reset.
 */
int vft_device_prepare(struct vft_device *d, struct vft_err *err);

/** Whether @p d has a function reset (VFIO_DEVICE_FLAGS_RESET). */
bool vft_device_has_reset(const struct vft_device *d);

/**
 * vft_device_map_bars() with a chosen address per BAR: @p at[i] for BAR i
 * (@p at NULL or at[i] NULL: anywhere). Without @p exact an address is a
 * hint; with it a BAR lands exactly there or the call fails with -EEXIST
 * (the range is in use in this process), as a process that shares the
 * mappings' addresses with another (a DPDK secondary) needs.
 */
int vft_device_map_bars_at(struct vft_device *d, void *const at[VFT_NUM_BARS],
			   bool exact, struct vft_err *err);

/** Whether vft_device_map_bars() maps BAR @p i (memory, mmap-able). */
bool vft_device_bar_mappable(struct vft_device *d, unsigned int i);

/**
 * Take a device fd opened elsewhere (received from another process with
 * SCM_RIGHTS, say) into @p d: device and region info are read. @p d
 * belongs to no IOMMU context: its DMA is whatever the opener set up.
 * vft_device_close() closes it. On failure @p fd is closed.
 */
int vft_device_adopt(struct vft_device *d, int fd,
		     const struct vft_pci_addr *addr, struct vft_err *err);

/** IRQ indexes of a vfio-pci device (VFIO_PCI_*_IRQ_INDEX). */
enum vft_irq {
	VFT_IRQ_INTX = 0,
	VFT_IRQ_MSI = 1,
	VFT_IRQ_MSIX = 2,
	VFT_IRQ_ERR = 3,
	VFT_IRQ_REQ = 4,
};

/** Bit of an IRQ index in the @p allowed mask of vft_device_irq_pick(). */
#define VFT_IRQ_BIT(i) (1u << (i))

/**
 * The interrupt a driver should use: the first of MSI-X, MSI and INTx in
 * @p allowed (a mask of VFT_IRQ_BIT()) that the device has vectors for.
 * @return 0 with @p index and @p count set, or -ENOENT if none.
 */
int vft_device_irq_pick(struct vft_device *d, uint32_t allowed, uint32_t *index,
			uint32_t *count);

/**
 * Route the kernel's request to give the device back (VFIO_PCI_REQ_IRQ,
 * raised when the function is unbound or its VFs are removed) to eventfd
 * @p efd. -ENOTSUP if the kernel has no request IRQ for the device.
 * Disable with vft_device_irq_disable(d, VFT_IRQ_REQ).
 */
int vft_device_req_notify(struct vft_device *d, int efd, struct vft_err *err);

/**
 * Give the device back while its driver may still touch it: its BAR
 * mappings become anonymous memory at the same addresses (MMIO cannot
 * fault) and its fd becomes /dev/null under the same number (further
 * ioctls fail harmlessly and never reach a reused fd). The kernel removes
 * the function once the fd and the mappings are gone: vft_device_close().
 */
void vft_device_revoke(struct vft_device *d);

/* ------------------------------------------------------------------------ */
/* One-call open                                                            */
/* ------------------------------------------------------------------------ */

/** One device in an IOMMU context of its own. */
struct vft_handle {
	struct vft_iommu iommu;
	struct vft_device device;
};

/**
 * Open @p addr alone: vft_iommu_open_device() into a context of its own on
 * the group path. On failure nothing stays open and @p why (if non-NULL)
 * holds the explainer's verdict.
 */
int vft_open(const struct vft_sys *sys, const struct vft_pci_addr *addr,
	     const struct vft_token *tok, struct vft_handle *h,
	     struct vft_explanation *why);

/** Close everything vft_open() opened (idempotent). */
void vft_close(struct vft_handle *h);

#ifdef __cplusplus
}
#endif

#endif /* VFTOKEN_H */

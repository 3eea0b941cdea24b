/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef SRIOV_PRIVATE_H
#define SRIOV_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <bus_driver.h>
#include <bus_pci_driver.h>
#include <rte_bus_pci.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_log.h>

#include <vftoken.h>

#include "rte_bus_sriov.h"

/* sriov_log.c */
extern int sriov_logtype;

#define SRIOV_LOG(level, fmt, ...)                                  \
	rte_log(RTE_LOG_##level, sriov_logtype, "sriov: " fmt "\n", \
		##__VA_ARGS__)

/* Names on this bus: "sriov:" and a PCI address. */
#define SRIOV_PREFIX RTE_SRIOV_BUS_NAME ":"

/* Role of a function, from sysfs. */
enum sriov_role {
	SRIOV_ROLE_OTHER = 0, /* neither PF nor VF (explicitly claimed) */
	SRIOV_ROLE_VF,
	SRIOV_ROLE_PF,
};

/* The bus's devargs keys. */
#define SRIOV_KEY_TOKEN "vf_token"
#define SRIOV_KEY_FILE "vf_token_file"
#define SRIOV_KEY_ENV "vf_token_env"
#define SRIOV_KEY_NUM_VFS "num_vfs"
#define SRIOV_KEY_PATH "vfio_path"
#define SRIOV_KEY_BROKER "vf_token_broker"

/* Longest value of vf_token_file= and vf_token_env=. */
#define SRIOV_PARAM_LEN 256

/* The bus's own devargs keys, parsed and removed before the PMD sees them. */
struct sriov_params {
	bool has_literal;
	bool has_file;
	bool has_env;
	bool has_num_vfs;
	bool has_path;
	bool has_broker;
	struct vft_token literal; /* parsed at once; wiped after use */
	char file[SRIOV_PARAM_LEN];
	char env[SRIOV_PARAM_LEN];
	char broker
		[SRIOV_PARAM_LEN]; /* vf_token_broker=, or the EAL-wide one */
	unsigned int num_vfs;
	enum vft_path path; /* vfio_path=, "auto" resolved */
};

/* Room for the pci bus's private tail of a device (sriov_pci_bus.c). */
struct sriov_pci_room {
	uint64_t words[18];
};

/*
 * Where a device's start-up goes (sriov_timing.c): each phase timed with
 * the monotonic clock, in the order they run.
 */
enum sriov_phase {
	SRIOV_PHASE_OPEN,    /* VFIO open; the kernel resets on a first open */
	SRIOV_PHASE_SETUP,   /* interrupts, prepare, BAR maps */
	SRIOV_PHASE_PREPARE, /* in setup: command register, a reset if due */
	SRIOV_PHASE_PROBE,   /* the PCI driver's probe */
	SRIOV_PHASE_RELEASE, /* close; the kernel resets on the last close */
	SRIOV_PHASE_COUNT,
};

/* Which reset the function got at start-up. */
enum sriov_reset {
	SRIOV_RESET_UNKNOWN = 0, /* not prepared (yet), or a secondary */
	SRIOV_RESET_NONE,	 /* it has no usable reset */
	SRIOV_RESET_AT_OPEN,	 /* the kernel's, at its first open, only */
	SRIOV_RESET_EXPLICIT,	 /* VFIO_DEVICE_RESET by the bus */
};

struct sriov_timing {
	uint64_t ns[SRIOV_PHASE_COUNT];
	uint32_t done; /* bit per phase measured */
	enum sriov_reset reset;
};

/*
 * One device of the bus.
 *
 * Locking rule: the list (sriov_devices) and the fields telemetry reads
 * (token_src, token_fp, last_error, vfio_open) change
 * only on EAL's main thread (scan, probe, hotplug, cleanup) and only under
 * sriov_list_lock(). The main thread reads them without the lock; any
 * other thread (telemetry, an application's) takes it to read them. In a
 * secondary, the detach after a "gone" notice runs on EAL's interrupt
 * thread, as EAL's own hotplug requests from the primary do
 * (sriov_mp.c). mp_ready and mp_handed are read and written under the
 * lock only: the primary's multi-process thread reads them.
 */
struct sriov_device {
	TAILQ_ENTRY(sriov_device) next;
	struct rte_pci_device pci; /* what PCI drivers see */
	/* Right after pci: what DPDK's pci bus keeps after each of its
	 * devices since 23.07 and reads in rte_pci_read_config() and the
	 * other accessors; only sriov_pci_bus.c knows what it holds. */
	struct sriov_pci_room pci_room;
	char name[RTE_DEV_NAME_MAX_LEN];
	enum sriov_role role;
	struct vft_pci_addr addr;
	struct vft_pci_addr pf; /* valid for a VF */
	int iommu_group;
	unsigned int total_vfs; /* PF */

	/* token: only its source and fingerprint are kept */
	enum rte_sriov_token_source token_src;
	char token_fp[RTE_SRIOV_FINGERPRINT_LEN];

	/* VFIO state: the device layer's device (BAR maps in its regions) */
	enum vft_path vfio_path;    /* chosen at probe */
	struct vft_device vfio_dev; /* fd -1 when not open */
	bool vfio_open; /* what telemetry reads of vfio_dev (locked) */
	bool removed;	/* the kernel asked for the device back */
	bool req_on;	/* request notifier enabled */

	/* multi-process (sriov_mp.c) */
	bool mp_ready;	/* primary: may be handed to secondaries (locked) */
	bool mp_handed; /* primary: a secondary got it (locked) */
	bool attached;	/* secondary: held by the primary, attach to it */

	/* last failure, for telemetry */
	char last_error[64];

	/* where its start-up went (locked, as telemetry reads it) */
	struct sriov_timing timing;
};

TAILQ_HEAD(sriov_device_list, sriov_device);

/* sriov_common.c: the bus proper */
extern struct rte_bus sriov_bus;

/* sriov_device.c: the devices, their list and lock, their state */
extern struct sriov_device_list sriov_devices;
extern const struct vft_sys *sriov_sys;
void sriov_list_lock(void);
void sriov_list_unlock(void);
struct sriov_device *sriov_find_by_name(const char *name);
struct sriov_device *sriov_find_by_addr(const struct rte_pci_addr *a);
int sriov_name_parse(const char *name, void *addr);
struct rte_devargs *sriov_devargs_lookup(const struct rte_pci_addr *a);
void sriov_addr_to_vft(const struct rte_pci_addr *a, struct vft_pci_addr *v);
const char *sriov_role_name(enum sriov_role role);
struct sriov_device *sriov_dev_claim(struct rte_bus *bus,
				     const struct vft_pci_dev *dev,
				     struct rte_pci_device *from,
				     struct rte_devargs *da);
void sriov_dev_free(struct sriov_device *sd);
void sriov_dev_set_error(struct sriov_device *sd, const char *what);
void sriov_dev_set_open(struct sriov_device *sd, bool open);
void sriov_dev_set_token(struct sriov_device *sd, const struct vft_token *tok,
			 enum rte_sriov_token_source src);
void sriov_dev_time(struct sriov_device *sd, enum sriov_phase ph,
		    uint64_t start);
void sriov_dev_time_span(struct sriov_device *sd, enum sriov_phase ph,
			 uint64_t start, uint64_t end);
void sriov_dev_set_reset(struct sriov_device *sd, enum sriov_reset r);
void sriov_dev_set_ready(struct sriov_device *sd, bool ready);

/* sriov_timing.c */
uint64_t sriov_time_now(void);
const char *sriov_phase_name(enum sriov_phase ph);
const char *sriov_reset_name(enum sriov_reset r);
uint64_t sriov_timing_end(struct sriov_timing *t, enum sriov_phase ph,
			  uint64_t start);
uint64_t sriov_timing_set(struct sriov_timing *t, enum sriov_phase ph,
			  uint64_t ns);
int sriov_timing_format(const struct sriov_timing *t, char *buf, size_t len);

/* sriov_pci_bus.c: the one file that knows the pci bus's private side */
/* A supported DPDK release (SRIOV_PCI_RELEASES in sriov_pci_bus.c). */
struct sriov_pci_release {
	unsigned int year;
	unsigned int month;
	unsigned int layout;  /* releases with one layout id agree */
	unsigned int regions; /* region table entries after each device */
};
const struct sriov_pci_release *sriov_pci_release_table(size_t *n);
const struct sriov_pci_release *
sriov_pci_release_find(const struct sriov_pci_release *tab, size_t n,
		       unsigned int year, unsigned int month);
void sriov_pci_release_list(const struct sriov_pci_release *tab, size_t n,
			    char *buf, size_t len);
int sriov_pci_release_check(const struct sriov_pci_release *tab, size_t n,
			    const struct sriov_pci_release *built,
			    unsigned int run_year, unsigned int run_month,
			    char *why, size_t len);
int sriov_pci_bus_attach(void);
struct rte_bus *sriov_pci_bus(void);
struct rte_pci_device *sriov_pci_bus_first_device(void);
struct rte_pci_driver *sriov_pci_bus_next_driver(struct rte_pci_driver *prev);
struct rte_pci_driver *
sriov_pci_bus_next_match(struct rte_pci_driver *prev,
			 const struct rte_pci_device *pdev);
void sriov_pci_bus_adopt(struct rte_pci_device *to,
			 struct rte_pci_device *from);
void sriov_pci_bus_drop(struct rte_pci_device *pdev);
void sriov_pci_bus_fill_regions(struct sriov_device *sd, unsigned int n);
void sriov_pci_bus_set_regions(struct sriov_device *sd);
void sriov_pci_bus_clear_regions(struct sriov_device *sd);

/* sriov_params.c */
bool sriov_params_present(const char *args);
int sriov_params_parse(const char *dev, const char *args,
		       struct sriov_params *p);
int sriov_params_strip(const char *dev, struct rte_devargs *da);
void sriov_params_wipe(struct sriov_params *p);

/* What RTE_SRIOV_BUS_ENV_OFF and RTE_SRIOV_PCI_SCAN_ENV say. */
enum sriov_env_bus { SRIOV_ENV_BUS_ON, SRIOV_ENV_BUS_OFF };
enum sriov_env_pci { SRIOV_ENV_PCI_NAMED, SRIOV_ENV_PCI_ALL };
int sriov_env_bus_parse(const char *value);
int sriov_env_pci_parse(const char *value);

/* sriov_token.c: which token a device gets */
int sriov_token_broker(const char *dev, struct sriov_params *p);
int sriov_token_choose(const char *dev, struct sriov_params *p,
		       struct vft_token *tok, enum rte_sriov_token_source *src);

/* sriov_vfio.c: everything VFIO, through libvftoken's device layer */
int sriov_vfio_open(struct sriov_device *sd, const struct vft_token *tok,
		    struct vft_explanation *why);
void sriov_vfio_open_req(struct sriov_device *sd, const struct vft_token *tok,
			 struct vft_open_req *r);
void sriov_vfio_open_done(struct sriov_device *sd,
			  const struct vft_open_req *r);
int sriov_vfio_open_brokered(struct sriov_device *sd, const char *sock,
			     struct vft_explanation *why);
void sriov_vfio_explain(struct sriov_device *sd,
			const struct vft_explanation *why);
int sriov_vfio_setup(struct sriov_device *sd, bool map_bars);
void sriov_vfio_close(struct sriov_device *sd);
/* Most devices sriov_vfio_close_all() closes at a time. */
#define SRIOV_CLOSE_THREADS 8
void sriov_vfio_close_all(struct sriov_device *const *sds, unsigned int n);
void sriov_vfio_release(struct sriov_device *sd, bool from_callback);
struct sriov_mp_hand;
int sriov_vfio_adopt(struct sriov_device *sd, const struct sriov_mp_hand *d);
void sriov_vfio_set_request_handler(void (*fn)(struct sriov_device *sd));
void sriov_vfio_publish_bars(struct sriov_device *sd);
int sriov_vfio_dma_map(struct sriov_device *sd, uint64_t vaddr, uint64_t iova,
		       uint64_t len);
int sriov_vfio_dma_unmap(struct sriov_device *sd, uint64_t iova, uint64_t len);
int sriov_vfio_path_choose(struct sriov_device *sd,
			   const struct sriov_params *p);
void sriov_vfio_cleanup(void);
int sriov_vfio_pf_vfs_in_use(struct sriov_device *sd);

/* sriov_pf.c */
int sriov_pf_prepare(struct sriov_device *sd, const struct sriov_params *p,
		     const struct vft_token *tok);

/* sriov_mp_msg.c: the multi-process messages (doc/guides/bus_sriov.rst,
 * "Multi-process"). Fixed layouts; every field is checked on receipt. */
#define SRIOV_MP_ACTION "bus_sriov_mp"
#define SRIOV_MP_MAGIC 0x76667462u /* "vftb" */
#define SRIOV_MP_VERSION 1
#define SRIOV_MP_BUILD_LEN 48

enum sriov_mp_op {
	SRIOV_MP_LIST = 1,   /* secondary -> primary: the devices it holds */
	SRIOV_MP_ATTACH = 2, /* secondary -> primary: one device's fd */
	SRIOV_MP_GONE = 3,   /* primary -> secondaries: device released */
};

struct sriov_mp_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t op;
	int32_t status;			/* replies: 0 or -errno */
	uint32_t pid;			/* sender */
	char build[SRIOV_MP_BUILD_LEN]; /* sriov_mp_build() of the sender */
};

struct sriov_mp_req {
	struct sriov_mp_hdr h;
	uint32_t start;			 /* list: first entry wanted */
	char name[RTE_DEV_NAME_MAX_LEN]; /* attach, gone */
};

/* A device the primary holds; its name is the PCI address, with the bus
 * prefix when SRIOV_MP_F_PREFIXED ("-a sriov:ADDR" in the primary). */
#define SRIOV_MP_F_PREFIXED 0x1
struct sriov_mp_entry {
	uint32_t domain;
	uint8_t bus;
	uint8_t devid;
	uint8_t function;
	uint8_t flags;
};

#define SRIOV_MP_LIST_MAX 20
struct sriov_mp_list {
	struct sriov_mp_hdr h;
	uint32_t total; /* devices held */
	uint32_t n;	/* entries in this reply, from the request's start */
	struct sriov_mp_entry e[SRIOV_MP_LIST_MAX];
};

/* An attach reply: BAR addresses in the primary, and fds. */
#define SRIOV_MP_FD_DEVICE 0 /* the VFIO device fd (group or cdev path) */
#define SRIOV_MP_FD_ALIVE 1  /* hangs up when the primary exits */
#define SRIOV_MP_DEV_FDS 2
struct sriov_mp_dev {
	struct sriov_mp_hdr h;
	uint64_t bar_addr[VFT_NUM_BARS];
	uint64_t bar_len[VFT_NUM_BARS];
};

const char *sriov_mp_build(void);
const char *sriov_mp_op_name(uint16_t op);
void sriov_mp_msg_init(struct rte_mp_msg *m, struct sriov_mp_hdr *h, size_t len,
		       enum sriov_mp_op op, int status);
void sriov_mp_msg_close_fds(const struct rte_mp_msg *m);
/* A received reply or notice: @p want bytes and @p want_fds fds, or, when
 * its status is an error (a refusal), the bare header; operation @p op,
 * same build. 0 or -errno with the reason in @p why. */
int sriov_mp_msg_check(const struct rte_mp_msg *m, size_t want, int want_fds,
		       enum sriov_mp_op op, char *why, size_t len);
/* A received request (or notice): a struct sriov_mp_req, no fds. */
int sriov_mp_req_check(const struct rte_mp_msg *m, char *why, size_t len);

/* sriov_mp.c: primary and secondary sides */
int sriov_mp_init(void);
bool sriov_mp_primary_answers(void);
int sriov_mp_list_page(uint32_t start, struct sriov_mp_list *page, char *why,
		       size_t len);
/* What a secondary got from its primary for one device. */
struct sriov_mp_hand {
	int fd; /* the VFIO device fd, now this process's */
	uint32_t pid;
	uint64_t bar_addr[VFT_NUM_BARS];
	uint64_t bar_len[VFT_NUM_BARS];
};
int sriov_mp_attach(struct sriov_device *sd, struct sriov_mp_hand *hand);
/* What the bus proper does when the primary releases a device or exits. */
struct sriov_mp_handlers {
	void (*give_back)(struct sriov_device *sd, const char *why);
	int (*detach)(struct sriov_device *sd);
};
void sriov_mp_set_handlers(const struct sriov_mp_handlers *hs);
void sriov_mp_notify_gone(struct sriov_device *sd);
void sriov_mp_cleanup(void);

/* sriov_telemetry.c: nothing exported, registers itself */

#endif /* SRIOV_PRIVATE_H */

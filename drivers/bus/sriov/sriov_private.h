/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef SRIOV_PRIVATE_H
#define SRIOV_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <bus_driver.h>
#include <bus_pci_driver.h>
#include <rte_bus_pci.h>
#include <rte_devargs.h>
#include <rte_log.h>

#include <vftoken.h>

#include "rte_bus_sriov.h"

extern int sriov_logtype;

#define SRIOV_LOG(level, fmt, ...)                                  \
	rte_log(RTE_LOG_##level, sriov_logtype, "sriov: " fmt "\n", \
		##__VA_ARGS__)

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

/* Longest value of vf_token_file= and vf_token_env=. */
#define SRIOV_PARAM_LEN 256

/* The bus's own devargs keys, parsed and removed before the PMD sees them. */
struct sriov_params {
	bool has_literal;
	bool has_file;
	bool has_env;
	bool has_num_vfs;
	bool has_path;
	struct vft_token literal; /* parsed at once; wiped after use */
	char file[SRIOV_PARAM_LEN];
	char env[SRIOV_PARAM_LEN];
	unsigned int num_vfs;
	enum vft_path path; /* vfio_path=, "auto" resolved */
};

/*
 * One device of the bus.
 *
 * Locking rule: the list (sriov_devices) and the fields telemetry reads
 * (token_src, token_fp, last_error, vfio_open) change
 * only on EAL's main thread (scan, probe, hotplug, cleanup) and only under
 * sriov_list_lock(). The main thread reads them without the lock; any
 * other thread (telemetry, an application's) takes it to read them.
 */
struct sriov_device {
	TAILQ_ENTRY(sriov_device) next;
	struct rte_pci_device pci; /* what PCI drivers see */
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

	/* last failure, for telemetry */
	char last_error[64];
};

TAILQ_HEAD(sriov_device_list, sriov_device);

/* sriov_common.c */
extern struct rte_bus sriov_bus;
extern struct sriov_device_list sriov_devices;
void sriov_list_lock(void);
void sriov_list_unlock(void);
struct sriov_device *sriov_find_by_name(const char *name);
const char *sriov_role_name(enum sriov_role role);
void sriov_dev_set_error(struct sriov_device *sd, const char *what);
void sriov_dev_set_open(struct sriov_device *sd, bool open);
void sriov_dev_set_token(struct sriov_device *sd, const struct vft_token *tok,
			 enum rte_sriov_token_source src);

/* sriov_pci_bus.c: the one file that knows the pci bus's private side */
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

/* sriov_params.c */
bool sriov_params_present(const char *args);
int sriov_params_parse(const char *dev, const char *args,
		       struct sriov_params *p);
int sriov_params_strip(const char *dev, struct rte_devargs *da);
void sriov_params_wipe(struct sriov_params *p);

/* sriov_token.c: which token a device gets */
int sriov_token_choose(const char *dev, struct sriov_params *p,
		       struct vft_token *tok, enum rte_sriov_token_source *src);

/* sriov_vfio.c: everything VFIO, through libvftoken's device layer */
int sriov_vfio_open(struct sriov_device *sd, const struct vft_token *tok,
		    struct vft_explanation *why);
void sriov_vfio_explain(struct sriov_device *sd,
			const struct vft_explanation *why);
int sriov_vfio_setup(struct sriov_device *sd, bool map_bars);
void sriov_vfio_close(struct sriov_device *sd);
void sriov_vfio_release(struct sriov_device *sd, bool from_callback);
int sriov_vfio_dma_map(struct sriov_device *sd, uint64_t vaddr, uint64_t iova,
		       uint64_t len);
int sriov_vfio_dma_unmap(struct sriov_device *sd, uint64_t iova, uint64_t len);
int sriov_vfio_path_choose(struct sriov_device *sd,
			   const struct sriov_params *p);
void sriov_vfio_cleanup(void);
int sriov_vfio_pf_vfs_in_use(struct sriov_device *sd);
extern const struct vft_sys *sriov_sys;

/* sriov_pf.c */
int sriov_pf_prepare(struct sriov_device *sd, const struct sriov_params *p,
		     const struct vft_token *tok);

/* sriov_telemetry.c: nothing exported, registers itself */

#endif /* SRIOV_PRIVATE_H */

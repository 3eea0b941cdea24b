/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef SRIOV_FWD_H
#define SRIOV_FWD_H

/*
 * sriov-fwd: an appliance that embeds DPDK and the sriov bus. It owns an
 * SR-IOV PF through the bus's PF helper (VFs created, VF token set from a
 * file, DPDK's PF driver serving the VF mailbox), owns two of its VFs
 * through token-gated opens, forwards between them, and can rotate the VF
 * token while they forward.
 */

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include <rte_bus_sriov.h>
#include <vftoken.h>

#define FWD_NB_VF 2	  /* forwarded VF ports */
#define FWD_NAME_LEN 64	  /* "sriov:" + PCI address, with room */
#define FWD_VERIFY_SECS 2 /* forwarding checked this long after rotation */

/** Command line of the application (after EAL's "--"). */
struct fwd_opts {
	char pf[VFT_PCI_ADDR_LEN];
	unsigned int num_vfs;
	char token_file[PATH_MAX];
	char vf[FWD_NB_VF][VFT_PCI_ADDR_LEN];
	unsigned int n_vf;
	unsigned int rotate_after; /* seconds of forwarding; 0: never */
	char new_token_file[PATH_MAX];
	unsigned int duration; /* seconds of forwarding; 0: until a signal */
	char stats_json[PATH_MAX];
};

/** Counters of one port, counted by the forwarding loop. */
struct fwd_counters {
	uint64_t rx;
	uint64_t tx;
	uint64_t drop; /* received but not accepted by the TX queue */
};

/** One ethdev port on a device of the sriov bus. */
struct fwd_port {
	char name[FWD_NAME_LEN]; /* device (and ethdev) name on the bus */
	uint16_t port_id;
	bool probed;
	bool started;
	bool link_up;
	struct rte_device *dev;
	struct rte_ether_addr mac;
	char token_fp[RTE_SRIOV_FINGERPRINT_LEN];
	struct fwd_counters c;
	struct fwd_counters at_rotation; /* snapshot when the token changed */
	struct fwd_counters last_sec;	 /* snapshot of the last report */
};

/** What happened to the token rotation. */
struct fwd_rotation {
	bool asked;
	bool done;
	int result; /* 0 or the negative errno of the rotation */
	double at;  /* seconds of forwarding when it happened */
	char fp_old[RTE_SRIOV_FINGERPRINT_LEN];
	char fp_new[RTE_SRIOV_FINGERPRINT_LEN];
	bool verified;	    /* forwarding was checked after it */
	bool fwd_continued; /* and both VF ports kept receiving */
};

struct fwd_app {
	struct fwd_opts opts;
	struct fwd_port pf;
	struct fwd_port vf[FWD_NB_VF];
	struct rte_mempool *pool;
	struct fwd_rotation rot;
	uint64_t refills; /* seed bursts sent again after a stall */
	double elapsed;	  /* seconds of forwarding */
};

extern volatile sig_atomic_t fwd_quit;

/* fwd_opts.c */
int fwd_opts_parse(int argc, char **argv, struct fwd_opts *o);
void fwd_opts_usage(const char *prog);
int fwd_pf_devargs(const struct fwd_opts *o, char *buf, size_t len);

/* fwd_ports.c */
int fwd_pool_create(struct fwd_app *app);
int fwd_pf_setup(struct fwd_app *app);
int fwd_vfs_check(const struct fwd_app *app);
int fwd_vf_setup(struct fwd_app *app, unsigned int i);
void fwd_links_wait(struct fwd_app *app, unsigned int secs);
void fwd_port_release(struct fwd_port *p);

/* fwd_loop.c */
int fwd_seed(struct fwd_app *app, unsigned int i);
int fwd_run(struct fwd_app *app);

/* fwd_rotate.c */
int fwd_token_file_check(const char *path);
int fwd_rotate(struct fwd_app *app);
void fwd_rotate_verify(struct fwd_app *app);

/* fwd_stats.c */
void fwd_stats_second(const struct fwd_app *app, double now);
void fwd_stats_snapshot(struct fwd_app *app);
int fwd_stats_json(const struct fwd_app *app, const char *path);

#endif /* SRIOV_FWD_H */

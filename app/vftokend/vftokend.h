/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef VFTOKEND_H
#define VFTOKEND_H

/*
 * vftokend, the VF token broker (doc/guides/broker.rst): holds the tokens,
 * opens VFIO devices for the processes its policy allows, and hands them
 * the opened fds. The token never leaves this process.
 */

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "vft_broker.h"
#include "vftokend_policy.h"
#include "vftoken.h"

#define VFD_MAX_CLIENTS 64
#define VFD_MAX_PF_REFS 64
/* A client that sends nothing served for this long is dropped: a
 * connection slot is not held by one that hangs, nor by one that only
 * sends requests the broker refuses. */
#define VFD_CLIENT_IDLE_S 10

/* Fair service (doc/guides/broker.rst, "Threat model"): connections per
 * uid and per process, connections of peers no allow rule names (all
 * together), requests per connection, refusals a connection may collect
 * before it is dropped. */
#define VFD_MAX_PER_UID 8
#define VFD_MAX_PER_PID 4
#define VFD_MAX_STRANGERS 16
#define VFD_MAX_REQUESTS 16
#define VFD_MAX_REFUSALS 2
/* Refusals logged per uid per window; the rest is counted and logged as
 * one line when the window ends. */
#define VFD_LOG_BURST 5
#define VFD_LOG_WINDOW_S 10
/* A uid that sent an fd that is not what its request said: its
 * connections are refused for this long. */
#define VFD_SUSPECT_S 60
#define VFD_STR_(x) #x
#define VFD_STR(x) VFD_STR_(x)
/* uids the broker keeps such state for (least recently seen replaced). */
#define VFD_UIDS 64

/* A connected client and who it is. */
struct vfd_client {
	int fd; /* -1: free slot */
	struct vfd_peer peer;
	/* connected, or its last request served (CLOCK_MONOTONIC) */
	struct timespec since;
	int pidfd;     /* the process that connected: readable once it exits */
	bool stranger; /* no allow rule names it */
	unsigned int requests;
	unsigned int refusals;
};

/* What the broker remembers of a uid: its log budget and whether it is
 * suspect. */
struct vfd_uid {
	bool used;
	uid_t uid;
	time_t seen;
	time_t window;		  /* start of its log window */
	unsigned int logged;	  /* refusal lines in that window */
	unsigned long suppressed; /* refusals not logged in that window */
	time_t suspect_until;
};

/* The broker's own reference to a PF it opened for a client, kept while
 * that client lives, to rotate the PF's token with no help from it. */
struct vfd_pf_ref {
	int fd;	   /* the PF's device fd (a copy), -1: free slot */
	int pidfd; /* the client's process: readable when it exits */
	pid_t pid;
	struct vft_pci_addr pf;
};

/* What the broker counted since it started (VFT_BROKER_STATS,
 * doc/guides/broker.rst "Counters"). */
struct vfd_stats {
	unsigned long long opens;
	unsigned long long refusals;
	unsigned long long rotations;
	unsigned long long malformed;
	unsigned long long caps_refused;
	unsigned long long closer_fds;
};

/* Log priorities, those of sd-daemon(3) (SD_ERR ... SD_INFO): under
 * journald each line starts with "<N>" (vfd_log_init()). */
enum vfd_prio {
	VFD_ERR = 3,
	VFD_WARNING = 4,
	VFD_NOTICE = 5,
	VFD_INFO = 6,
};

struct vfd {
	const char *socket_path;
	const char *policy_path;
	const char *token_dir;
	/* --token-secret: token_dir is a Kubernetes Secret volume
	 * (vft_token_from_secret()); no rotation through the broker */
	bool token_secret;
	unsigned int socket_mode;
	int listen_fd;
	bool socket_made; /* bound here (not by systemd): unlink at exit */
	int sig_fd;
	bool stop;
	struct vfd_policy *policy;
	struct vft_sys sys;
	struct vfd_client clients[VFD_MAX_CLIENTS];
	struct vfd_pf_ref refs[VFD_MAX_PF_REFS];
	struct vfd_uid uids[VFD_UIDS];
	int closer_fd; /* the closer's queue (write end), -1: none */
	pid_t closer_pid;
	struct vfd_stats stats;
	struct timespec started; /* CLOCK_MONOTONIC */
	/* sd_notify: WATCHDOG=1 every watchdog_ms (0: none) */
	unsigned long long watchdog_ms;
	struct timespec watchdog_last;
};

/* vftokend_limits.c */
bool vfd_admit(struct vfd *b, struct vfd_client *c);
bool vfd_log_refusal(struct vfd *b, uid_t uid);
void vfd_log_flush(struct vfd *b);
void vfd_suspect(struct vfd *b, uid_t uid);
void vfd_client_close(struct vfd_client *c);
bool vfd_client_gone(const struct vfd_client *c);

/* vftokend_closer.c */
int vfd_closer_start(struct vfd *b);
void vfd_closer_give(struct vfd *b, int *fds, unsigned int n);

/* vftokend_log.c */
void vfd_log_init(void);
void vfd_log(enum vfd_prio prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* vftokend_serve.c */
void vfd_serve(struct vfd *b, struct vfd_client *c);
void vfd_refs_init(struct vfd *b);
void vfd_ref_release(struct vfd *b, struct vfd_pf_ref *r, const char *why);
void vfd_refs_close(struct vfd *b);

#endif /* VFTOKEND_H */

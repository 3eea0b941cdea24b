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
/* A client that sends nothing for this long is dropped: a connection slot
 * is not held by one that hangs. */
#define VFD_CLIENT_IDLE_S 10

/* A connected client and who it is. */
struct vfd_client {
	int fd; /* -1: free slot */
	struct vfb_peer peer;
	struct timespec
		since; /* connected, or its last request (CLOCK_MONOTONIC) */
};

/* The broker's own reference to a PF it opened for a client, kept while
 * that client lives, to rotate the PF's token with no help from it. */
struct vfd_pf_ref {
	int fd;	   /* the PF's device fd (a copy), -1: free slot */
	int pidfd; /* the client's process: readable when it exits */
	pid_t pid;
	struct vft_pci_addr pf;
};

struct vfd {
	const char *socket_path;
	const char *policy_path;
	const char *token_dir;
	unsigned int socket_mode;
	int listen_fd;
	bool socket_made; /* bound here (not by systemd): unlink at exit */
	int sig_fd;
	bool stop;
	struct vfb_policy *policy;
	struct vft_sys sys;
	struct vfd_client clients[VFD_MAX_CLIENTS];
	struct vfd_pf_ref refs[VFD_MAX_PF_REFS];
};

/* vftokend_serve.c */
void vfd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vfd_serve(struct vfd *b, struct vfd_client *c);
void vfd_refs_init(struct vfd *b);
void vfd_ref_release(struct vfd *b, struct vfd_pf_ref *r, const char *why);
void vfd_refs_close(struct vfd *b);

#endif /* VFTOKEND_H */

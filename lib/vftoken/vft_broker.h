/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef VFT_BROKER_H
#define VFT_BROKER_H

/*
 * The broker's wire protocol (doc/guides/broker.rst, "Protocol"), shared
 * by the broker (app/vftokend), its clients in libvftoken and the fuzz
 * harness. Not installed: callers use vft_iommu_open_brokered() and
 * vft_broker_rotate() of vftoken.h.
 *
 * A unix SOCK_SEQPACKET connection carries one message per datagram:
 * a fixed header, then a body of fixed layout for its operation, the fds
 * of a reply in SCM_RIGHTS. Every field is checked before use; a token
 * never crosses the socket, in either direction.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vftoken.h"

#define VFT_BROKER_MAGIC 0x42544656u /* "VFTB" little-endian */
#define VFT_BROKER_VERSION 1
/* Where the broker listens when nobody says otherwise. */
#define VFT_BROKER_DEFAULT_SOCKET "/run/vftoken/broker.sock"
/* Most fds in one message: context, group, device. */
#define VFT_BROKER_MAX_FDS 3
#define VFT_BROKER_ADDR_LEN 32
#define VFT_BROKER_MSG_MAX 2048

enum vft_broker_op {
	VFT_BROKER_OPEN = 1,	  /**< open a function, get its fds */
	VFT_BROKER_ROTATE = 2,	  /**< give a PF a new token */
	VFT_BROKER_STATS = 3,	  /**< the broker's counters */
	VFT_BROKER_OPEN_MANY = 4, /**< open several functions at once */
};

struct vft_broker_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t op;  /**< enum vft_broker_op, the same in the reply */
	uint32_t len; /**< of the whole message */
	uint32_t seq; /**< the reply carries the request's */
};

/* Request flags: what the client already holds (its fds follow, in this
 * order). */
#define VFT_BROKER_HAVE_CTX (1u << 0)	/**< container (group) or iommufd */
#define VFT_BROKER_HAVE_GROUP (1u << 1) /**< the function's group fd */
#define VFT_BROKER_IOMMU_SET (1u << 2)	/**< the container has its IOMMU */
#define VFT_BROKER_REQ_FLAGS \
	(VFT_BROKER_HAVE_CTX | VFT_BROKER_HAVE_GROUP | VFT_BROKER_IOMMU_SET)

struct vft_broker_open_req {
	struct vft_broker_hdr h;
	char addr[VFT_BROKER_ADDR_LEN]; /**< the function, NUL-terminated */
	uint8_t path;			/**< enum vft_path */
	uint8_t pad[3];
	uint32_t flags;	  /**< VFT_BROKER_HAVE_* */
	uint32_t ioas_id; /**< cdev path with HAVE_CTX: the client's IOAS */
	int32_t group_id; /**< group path with HAVE_GROUP: its number */
};

/* Reply fds, in this order. */
#define VFT_BROKER_FD_CTX (1u << 0)
#define VFT_BROKER_FD_GROUP (1u << 1)
#define VFT_BROKER_FD_DEVICE (1u << 2)
#define VFT_BROKER_FDS \
	(VFT_BROKER_FD_CTX | VFT_BROKER_FD_GROUP | VFT_BROKER_FD_DEVICE)

struct vft_broker_open_rep {
	struct vft_broker_hdr h;
	int32_t error;	  /**< 0 or a negative errno */
	uint32_t verdict; /**< enum vft_verdict */
	uint8_t path;	  /**< enum vft_path the function was opened on */
	uint8_t pad[3];
	uint32_t fds;	  /**< VFT_BROKER_FD_*: which fds came */
	uint32_t ioas_id; /**< cdev path: the IOAS the device is attached to */
	int32_t group_id; /**< group path: the function's IOMMU group */
	int32_t cdev;	  /**< cdev path: N of /dev/vfio/devices/vfioN */
	char reason[VFT_EXPLAIN_LEN];
	char fix[VFT_EXPLAIN_LEN];
};

/*
 * Most functions one open-many request names: the broker opens them on
 * at most VFT_BROKER_MANY_THREADS threads, and holds at most three fds
 * per function until its reply is sent.
 */
#define VFT_BROKER_MANY_MAX 16
#define VFT_BROKER_MANY_THREADS 8

/*
 * Open several functions into the client's context at once. Only the
 * context's fd may come (VFT_BROKER_HAVE_CTX, VFT_BROKER_IOMMU_SET; never
 * a group's): a client that holds a function's group asks for it with a
 * one-function request. Entries from @p count on are all zero. The broker
 * answers with @p count replies of struct vft_broker_open_rep (operation
 * VFT_BROKER_OPEN_MANY), the i-th for addr[i] with sequence number
 * h.seq + i, in that order, each exactly what a one-function request for
 * it would have got; the context fd, when new, comes with the first
 * function opened, a group's fd with the first function of that group.
 */
struct vft_broker_open_many_req {
	struct vft_broker_hdr h;
	uint8_t path; /**< enum vft_path */
	uint8_t pad[3];
	uint32_t flags;	  /**< VFT_BROKER_HAVE_CTX, VFT_BROKER_IOMMU_SET */
	uint32_t ioas_id; /**< cdev path with HAVE_CTX: the client's IOAS */
	uint32_t count;	  /**< 1 to VFT_BROKER_MANY_MAX */
	char addr[VFT_BROKER_MANY_MAX][VFT_BROKER_ADDR_LEN];
};

struct vft_broker_rotate_req {
	struct vft_broker_hdr h;
	char pf[VFT_BROKER_ADDR_LEN];
};

struct vft_broker_rotate_rep {
	struct vft_broker_hdr h;
	int32_t error;
	char fingerprint[VFT_FINGERPRINT_LEN]; /**< of the new token */
	char msg[VFT_EXPLAIN_LEN];	       /**< what was done, or why not */
};

/* A stats request is its header alone; the reply has the counters of
 * struct vft_broker_stats (vftoken.h) in this fixed layout. */
struct vft_broker_stats_req {
	struct vft_broker_hdr h;
};

struct vft_broker_stats_rep {
	struct vft_broker_hdr h;
	int32_t error;	  /**< 0, or -EPERM: the peer may not ask */
	uint32_t clients; /**< connections held now */
	uint32_t pf_refs; /**< PF references held now */
	uint32_t pad;
	uint64_t uptime_s;
	uint64_t opens;
	uint64_t refusals;
	uint64_t rotations;
	uint64_t malformed;
	uint64_t caps_refused;
	uint64_t closer_fds;
	char msg[VFT_EXPLAIN_LEN]; /**< why not, when error < 0 */
};

/** Name of an operation ("open", "rotate", "stats", "unknown"). */
const char *vft_broker_op_name(uint16_t op);

/** Fill a header for a message of @p op and @p len bytes. */
void vft_broker_hdr_init(struct vft_broker_hdr *h, uint16_t op, size_t len,
			 uint32_t seq);

/**
 * Check a received request: header, length of its operation, NUL-
 * terminated strings, known flags and path, as many fds as its flags say.
 * @return the operation, or -EINVAL / -EPROTO with @p err naming the field
 * and what was expected.
 */
int vft_broker_check_request(const void *buf, size_t len, unsigned int nfds,
			     struct vft_err *err);

/**
 * Check a received reply to a request of @p op with @p seq: header,
 * layout, strings, the fds it says against those that came.
 */
int vft_broker_check_reply(const void *buf, size_t len, unsigned int nfds,
			   uint16_t op, uint32_t seq, struct vft_err *err);

/** Send @p len bytes and @p nfds fds; never raises SIGPIPE. -errno. */
int vft_broker_send(int sock, const void *msg, size_t len, const int *fds,
		    unsigned int nfds);

/**
 * Receive one message into @p buf (at most @p size bytes) with up to
 * VFT_BROKER_MAX_FDS fds into @p fds (close-on-exec). A message or fd
 * list cut short is refused and every fd received closed.
 * @return its length (0 when the peer closed), or -errno.
 */
ssize_t vft_broker_recv(int sock, void *buf, size_t size, int *fds,
			unsigned int *nfds);

/**
 * The broker's receive, in two steps, so that fds a request is not
 * entitled to never enter the broker's fd table (closing a file can block
 * without limit: a FUSE file's FLUSH waits for its server). First read the
 * message with no room for fds (MSG_PEEK: it stays queued; the kernel drops
 * its own extra references to any fds, which never calls into their file
 * system).
 * @return its length (0 when the peer closed), -EAGAIN when nothing is
 * queued, -EMSGSIZE when it exceeds @p size, or -errno.
 */
ssize_t vft_broker_peek(int sock, void *buf, size_t size);

/**
 * Then receive the message peeked with room for exactly @p want fds (0: none;
 * the kernel drops what does not fit). The caller owns the *@p nfds fds
 * put in @p fds in every case, even on error, and must dispose of them
 * as fds a client controls (never close one that is not proven).
 * @return the length, -EPROTO if more fds came than @p want, or -errno.
 */
ssize_t vft_broker_recv_peeked(int sock, void *buf, size_t size,
			       unsigned int want, int *fds, unsigned int *nfds);

/**
 * Copy @p src (at most @p n bytes, up to a NUL) into @p dst of @p len
 * bytes with every byte that is not printable ASCII shown as '?': for
 * client bytes in a log line or an error text.
 */
void vft_printable(char *dst, size_t len, const char *src, size_t n);

/** Close @p n fds of @p fds (skipping -1) and set them to -1. */
void vft_broker_close_fds(int *fds, unsigned int n);

/* ---- the broker's side ------------------------------------------------- */

/*
 * What of an IOMMU context travels with a request or reply besides the
 * device fd: its fds, in wire order, and the wire fields above that only
 * the backends (vft_backend_*.c) read or write. Request: flags
 * VFT_BROKER_HAVE_CTX, _HAVE_GROUP, _IOMMU_SET; ioas_id, group_id. Reply:
 * flags VFT_BROKER_FD_CTX, _FD_GROUP; ioas_id, group_id, cdev. The broker
 * code copies it between the wire and the backend, never looking inside.
 */
struct vft_handover {
	uint32_t flags;
	uint32_t ioas_id;
	int32_t group_id; /**< -1: none */
	int32_t cdev;	  /**< -1: none */
	int fds[2];	  /**< the context's fds, without the device's */
	unsigned int nfds;
};

/** A hand-over holding nothing. */
void vft_handover_init(struct vft_handover *h);

/**
 * The hand-over of an open request @p req (its @p nfds fds @p fds, as
 * vft_broker_check_request() accepted them): what the client holds.
 */
void vft_handover_of_request(const struct vft_broker_open_req *req,
			     const int *fds, unsigned int nfds,
			     struct vft_handover *h);

/**
 * What a client sends along with an open: the fds of its IOMMU context,
 * to open the function into (none: a context of its own).
 */
struct vft_broker_client_ctx {
	enum vft_path path;
	struct vft_handover h; /**< the request's fds and fields */
};

/**
 * Prove the client's fds in @p cc are what the request says before any
 * ioctl runs on them, as the backend of its path knows them (the group
 * path: the context is /dev/vfio/vfio, the group fd /dev/vfio/GROUP for
 * the group number the request names, and that group is viable,
 * VFIO_GROUP_GET_STATUS once the fd is proven; the cdev path: /dev/iommu).
 * @return 0, or a negative errno with @p err naming the fd and what was
 * expected.
 */
int vft_broker_prove_ctx(const struct vft_broker_client_ctx *cc,
			 struct vft_err *err);

/**
 * Open @p addr with @p tok into the client's context @p cc (its fds are
 * the caller's and stay open), as vft_iommu_open_device() does, and fill
 * @p rep's result and explanation, and @p fds with the fds to send (the
 * caller sends, then closes them with vft_broker_close_fds()). With
 * @p pf_ref (a PF), @p tok is also set as the PF's VF token and
 * *@p pf_ref gets a copy of the PF's device fd, to rotate the token on
 * later (-1 on failure). Nothing else of the open stays in this process.
 * @return 0 or the open's negative errno (explained in @p rep).
 */
int vft_broker_serve_open(const struct vft_sys *sys,
			  const struct vft_pci_addr *addr,
			  const struct vft_token *tok,
			  const struct vft_broker_client_ctx *cc, int *pf_ref,
			  struct vft_broker_open_rep *rep,
			  int fds[VFT_BROKER_MAX_FDS], unsigned int *nfds);

/** One function of vft_broker_serve_open_many(). */
struct vft_broker_many_dev {
	struct vft_pci_addr addr;    /**< in */
	const struct vft_token *tok; /**< in: its PF's token, or none */
	bool skip;		     /**< in: refused already, left alone */
	bool pf_ref;		     /**< in: a PF: set @p tok on it */
	int ref;		     /**< out: with pf_ref, see serve_open */
	int ret;		     /**< out */
	struct vft_broker_open_rep *rep; /**< in: header set; out: result */
	int fds[VFT_BROKER_MAX_FDS];	 /**< out: to send with @p rep */
	unsigned int nfds;
};

/**
 * vft_broker_serve_open() of @p n functions into one client context
 * @p cc, opened on up to VFT_BROKER_MANY_THREADS threads at once
 * (vft_iommu_open_devices()). Each function not skipped gets in its
 * reply exactly the result and explanation its own request would have
 * got, and the fds new to the client (the context's with the first
 * function opened, a group's with the first of that group). A failure
 * leaves nothing of that function open and disturbs no other.
 * @return how many opens failed.
 */
unsigned int vft_broker_serve_open_many(const struct vft_sys *sys,
					const struct vft_broker_client_ctx *cc,
					struct vft_broker_many_dev *devs,
					unsigned int n);

#endif /* VFT_BROKER_H */

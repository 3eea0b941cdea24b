/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Fair service and a bounded log (doc/guides/broker.rst, "Threat model"):
 * who may hold a connection, how many refusals of a uid are logged, and
 * which uids are suspect. One uid cannot hold every slot, peers that no
 * allow rule names share a few slots between them, and a refused client
 * cannot keep its slot by asking again.
 */

#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vftokend.h"

static time_t
vfd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* The state of @p uid, made (replacing the least recently seen) if new. */
static struct vfd_uid *
vfd_uid_get(struct vfd *b, uid_t uid)
{
	struct vfd_uid *u, *old = &b->uids[0];
	unsigned int i;

	for (i = 0; i < VFD_UIDS; i++) {
		u = &b->uids[i];
		if (u->used && u->uid == uid) {
			u->seen = vfd_now();
			return u;
		}
		if (!u->used || (old->used && u->seen < old->seen))
			old = u;
	}
	memset(old, 0, sizeof(*old));
	old->used = true;
	old->uid = uid;
	old->seen = vfd_now();
	old->window = old->seen;
	return old;
}

void
vfd_client_close(struct vfd_client *c)
{
	/* The broker's own socket: closing it is safe. Any fds still in
	 * flight on it are dropped by the kernel with fput(), never
	 * flushed (unix_release_sock()). */
	if (c->fd >= 0)
		close(c->fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->fd = -1;
	c->pidfd = -1;
}

bool
vfd_client_gone(const struct vfd_client *c)
{
	struct pollfd p = { .fd = c->pidfd, .events = POLLIN };

	return c->pidfd < 0 || poll(&p, 1, 0) != 0;
}

static void
vfd_admit_count(const struct vfd *b, const struct vfd_client *c,
		unsigned int *uid, unsigned int *pid, unsigned int *strangers)
{
	unsigned int i;

	*uid = *pid = *strangers = 0;
	for (i = 0; i < VFD_MAX_CLIENTS; i++) {
		const struct vfd_client *o = &b->clients[i];

		if (o == c || o->fd < 0)
			continue;
		*uid += o->peer.uid == c->peer.uid;
		*pid += o->peer.pid == c->peer.pid;
		*strangers += o->stranger;
	}
}

/* Log why @p c is not admitted, within its uid's log budget. */
static bool
vfd_turn_away(struct vfd *b, const struct vfd_client *c, const char *why)
{
	b->stats.caps_refused++;
	if (vfd_log_refusal(b, c->peer.uid)) {
		char who[VFD_PEER_FMT_LEN];

		vfd_peer_format(&c->peer, who, sizeof(who));
		vfd_log(VFD_WARNING, "%s: connection refused: %s", who, why);
	}
	return false;
}

bool
vfd_admit(struct vfd *b, struct vfd_client *c)
{
	struct vfd_uid *u = vfd_uid_get(b, c->peer.uid);
	unsigned int uid, pid, strangers;

	if (u->suspect_until > vfd_now())
		return vfd_turn_away(b, c,
				     "its uid sent an fd that was not what its "
				     "request said, less than a minute ago");
	c->stranger = !vfd_policy_names(b->policy, &c->peer);
	vfd_admit_count(b, c, &uid, &pid, &strangers);
	if (uid >= VFD_MAX_PER_UID)
		return vfd_turn_away(b, c,
				     "its uid holds the most connections");
	if (pid >= VFD_MAX_PER_PID)
		return vfd_turn_away(b, c,
				     "its process holds the most connections");
	if (c->stranger && strangers >= VFD_MAX_STRANGERS)
		return vfd_turn_away(b, c,
				     "no allow rule names it and such clients "
				     "hold the most connections");
	/* Its identity is the process that connected, for as long as that
	 * process lives: a socket passed on to another process keeps none. */
	c->pidfd = (int)syscall(SYS_pidfd_open, c->peer.pid, 0);
	if (c->pidfd < 0)
		return vfd_turn_away(b, c, "its process is gone");
	c->requests = 0;
	c->refusals = 0;
	return true;
}

bool
vfd_log_refusal(struct vfd *b, uid_t uid)
{
	struct vfd_uid *u = vfd_uid_get(b, uid);

	vfd_log_flush(b);
	if (u->logged < VFD_LOG_BURST) {
		u->logged++;
		return true;
	}
	u->suppressed++;
	return false;
}

/* End the log windows that are over, saying what each did not log. */
void
vfd_log_flush(struct vfd *b)
{
	time_t now = vfd_now();
	unsigned int i;

	for (i = 0; i < VFD_UIDS; i++) {
		struct vfd_uid *u = &b->uids[i];

		if (!u->used || now - u->window < VFD_LOG_WINDOW_S)
			continue;
		if (u->suppressed > 0)
			vfd_log(VFD_WARNING,
				"uid=%lu: %lu more refusals in the last %ld s "
				"not logged",
				(unsigned long)u->uid, u->suppressed,
				(long)(now - u->window));
		u->window = now;
		u->logged = 0;
		u->suppressed = 0;
	}
}

void
vfd_suspect(struct vfd *b, uid_t uid)
{
	struct vfd_uid *u = vfd_uid_get(b, uid);
	unsigned int i;

	u->suspect_until = vfd_now() + VFD_SUSPECT_S;
	/* Its other connections go too: whatever they carry is dropped by
	 * the kernel, never received. */
	for (i = 0; i < VFD_MAX_CLIENTS; i++)
		if (b->clients[i].fd >= 0 && b->clients[i].peer.uid == uid)
			vfd_client_close(&b->clients[i]);
}

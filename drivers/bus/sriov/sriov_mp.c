/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Multi-process (doc/guides/bus_sriov.rst, "Multi-process"): a secondary
 * DPDK process (dpdk-proc-info, dpdk-dumpcap, dpdk-pdump, a secondary
 * testpmd) uses the devices its primary holds on this bus without the
 * token and without opening anything by name.
 *
 * - The primary answers two requests on DPDK's multi-process channel:
 *   "list" (the devices it has probed) and "attach" (one device: its VFIO
 *   device fd, passed with SCM_RIGHTS by rte_mp_reply(), the addresses of
 *   its BAR mappings, and the read end of a pipe whose write end only the
 *   primary holds). No token, container or group fd crosses: the device
 *   fd is all a secondary needs (its memory is the primary's, mapped for
 *   DMA by the primary), and a process holding a container could map any
 *   of its own memory for the device.
 * - A secondary claims exactly the devices its primary holds (and its own
 *   -a/-b admit), maps each BAR at the primary's address (the PMD's state
 *   in shared memory points there), builds its rte_pci_device and runs the
 *   PMD, whose probe in a secondary attaches to the primary's port.
 *   Interrupts and the request IRQ stay with the primary.
 * - When the primary releases a device (the kernel asked for it back, or
 *   it was detached) it says "gone" to every secondary, which gives its
 *   copy back at once (vft_device_revoke(): the kernel waits for every fd
 *   of a device before it removes it). When the primary exits, the pipe
 *   hangs up and a secondary gives back every device it attached.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_interrupts.h>
#include <rte_memory.h>
#include <rte_pci.h>

#include "sriov_private.h"

/*
 * A file in the process group's runtime directory, made by a primary that
 * answers: a secondary asks only when it is there, so a stock primary
 * never sees a request it has no action for (EAL would log an error in it
 * for every secondary that loads the plugin).
 */
#define SRIOV_MP_MARK "bus_sriov_mp"

/* How long a secondary waits for its primary's answer. */
#define SRIOV_MP_TIMEOUT_S 5

static bool sriov_mp_on;
/* secondary: what the bus proper does with a device the primary released */
static const struct sriov_mp_handlers *sriov_mp_on_gone;
/* primary: the pipe, made at the first attach; its read end goes to
 * secondaries, the write end stays here until the process exits */
static int sriov_mp_alive[2] = { -1, -1 };
/* secondary: the read end received, and its interrupt source */
static int sriov_mp_alive_fd = -1;
static struct rte_intr_handle *sriov_mp_alive_h;
static bool sriov_mp_primary_gone;

static bool
sriov_mp_primary(void)
{
	return rte_eal_process_type() == RTE_PROC_PRIMARY;
}

/* ---- primary: answering secondaries ------------------------------------- */

/* Whether a secondary may have @p sd now (under the list lock). */
static bool
sriov_mp_handable(const struct sriov_device *sd)
{
	return sd->mp_ready && !sd->removed && sd->vfio_dev.fd >= 0;
}

static int
sriov_mp_answer_list(const struct sriov_mp_req *req, const char *peer)
{
	struct rte_mp_msg m;
	struct sriov_mp_list *l = (void *)m.param;
	struct sriov_device *sd;
	uint32_t i = 0;

	sriov_mp_msg_init(&m, &l->h, sizeof(*l), SRIOV_MP_LIST, 0);
	sriov_list_lock();
	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next)) {
		if (!sriov_mp_handable(sd))
			continue;
		if (i >= req->start && l->n < SRIOV_MP_LIST_MAX) {
			struct sriov_mp_entry *e = &l->e[l->n++];

			e->domain = sd->pci.addr.domain;
			e->bus = sd->pci.addr.bus;
			e->devid = sd->pci.addr.devid;
			e->function = sd->pci.addr.function;
			e->flags = strcmp(sd->name, sd->pci.name) != 0
					   ? SRIOV_MP_F_PREFIXED
					   : 0;
		}
		i++;
	}
	sriov_list_unlock();
	l->total = i;
	return rte_mp_reply(&m, peer);
}

/* A refusal: the bare header with the request's operation and -errno. */
static int
sriov_mp_refuse(uint16_t op, int status, const char *peer)
{
	struct rte_mp_msg m;
	struct sriov_mp_hdr *h = (void *)m.param;

	if (op != SRIOV_MP_LIST && op != SRIOV_MP_ATTACH)
		op = SRIOV_MP_LIST;
	sriov_mp_msg_init(&m, h, sizeof(*h), (enum sriov_mp_op)op, status);
	return rte_mp_reply(&m, peer);
}

/*
 * One device to a secondary. The reply goes out under the list lock: the
 * main thread clears mp_ready under it before it closes the device, so the
 * fd sent is the device's, never a closed or reused number.
 */
static int
sriov_mp_answer_attach(const struct sriov_mp_req *req, const char *peer)
{
	struct rte_mp_msg m;
	struct sriov_mp_dev *d = (void *)m.param;
	struct sriov_device *sd;
	unsigned int i;
	int ret;

	sriov_mp_msg_init(&m, &d->h, sizeof(*d), SRIOV_MP_ATTACH, 0);
	sriov_list_lock();
	sd = sriov_find_by_name(req->name);
	if (sd == NULL || !sriov_mp_handable(sd)) {
		sriov_list_unlock();
		SRIOV_LOG(NOTICE,
			  "%s: secondary process %u asked for it; this "
			  "process does not hold it",
			  req->name, req->h.pid);
		return sriov_mp_refuse(SRIOV_MP_ATTACH, -ENODEV, peer);
	}
	if (sriov_mp_alive[0] < 0 &&
	    pipe2(sriov_mp_alive, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = -errno;
		sriov_list_unlock();
		SRIOV_LOG(ERR,
			  "%s: not handed to secondary process %u: pipe: %s",
			  req->name, req->h.pid, strerror(-ret));
		return sriov_mp_refuse(SRIOV_MP_ATTACH, ret, peer);
	}
	for (i = 0; i < VFT_NUM_BARS; i++) {
		d->bar_addr[i] = (uintptr_t)sd->vfio_dev.regions[i].map;
		d->bar_len[i] = sd->vfio_dev.regions[i].map_len;
	}
	m.num_fds = SRIOV_MP_DEV_FDS;
	m.fds[SRIOV_MP_FD_DEVICE] = sd->vfio_dev.fd;
	m.fds[SRIOV_MP_FD_ALIVE] = sriov_mp_alive[0];
	ret = rte_mp_reply(&m, peer);
	if (ret == 0)
		sd->mp_handed = true;
	sriov_list_unlock();
	SRIOV_LOG(INFO, "%s: handed to secondary process %u%s", req->name,
		  req->h.pid, ret < 0 ? " (reply not sent)" : "");
	return ret;
}

static int
sriov_mp_primary_handle(const struct rte_mp_msg *msg, const char *peer)
{
	const struct sriov_mp_req *req = (const void *)msg->param;
	char why[256];
	int ret;

	ret = sriov_mp_req_check(msg, why, sizeof(why));
	if (ret < 0) {
		SRIOV_LOG(ERR, "multi-process request refused: %s", why);
		sriov_mp_msg_close_fds(msg);
		/* an answer, so that the secondary does not wait in vain */
		return sriov_mp_refuse(msg->len_param >= (int)sizeof(req->h)
					       ? req->h.op
					       : SRIOV_MP_LIST,
				       ret, peer);
	}
	switch (req->h.op) {
	case SRIOV_MP_LIST:
		return sriov_mp_answer_list(req, peer);
	case SRIOV_MP_ATTACH:
		return sriov_mp_answer_attach(req, peer);
	default:
		SRIOV_LOG(ERR, "multi-process: a secondary sent \"%s\"",
			  sriov_mp_op_name(req->h.op));
		return sriov_mp_refuse(req->h.op, -EINVAL, peer);
	}
}

/*
 * Tell the secondaries that @p sd is released (primary only). A notice
 * goes to every secondary (DPDK has no message to one process), so only
 * for a device handed over: a secondary without the bus logs an unknown
 * action.
 */
void
sriov_mp_notify_gone(struct sriov_device *sd)
{
	struct rte_mp_msg m;
	struct sriov_mp_req *r = (void *)m.param;
	bool handed;

	sriov_list_lock();
	handed = sd->mp_handed;
	sd->mp_handed = false;
	sriov_list_unlock();
	if (!handed || !sriov_mp_on || !sriov_mp_primary())
		return;
	sriov_mp_msg_init(&m, &r->h, sizeof(*r), SRIOV_MP_GONE, 0);
	snprintf(r->name, sizeof(r->name), "%s", sd->name);
	if (rte_mp_sendmsg(&m) < 0)
		SRIOV_LOG(WARNING,
			  "%s: cannot tell secondary processes it is gone: %s",
			  sd->name, rte_strerror(rte_errno));
}

/* ---- secondary: the primary's notices ----------------------------------- */

void
sriov_mp_set_handlers(const struct sriov_mp_handlers *hs)
{
	sriov_mp_on_gone = hs;
}

/* The bus proper gives @p sd back (any thread, under the list lock). */
static void
sriov_mp_give_back(struct sriov_device *sd, const char *why)
{
	if (sriov_mp_on_gone != NULL)
		sriov_mp_on_gone->give_back(sd, why);
}

/*
 * After a "gone" notice, on EAL's interrupt thread (where EAL runs its own
 * hotplug requests in a secondary): the application's device event, then
 * the device's detach here, so that the port is released in this process
 * before the primary closes it and clears the port's shared data (which a
 * port still attached here would read).
 */
static void
sriov_mp_event_removed(void *arg)
{
	struct sriov_device *sd;
	char *name = arg;

	rte_dev_event_callback_process(name, RTE_DEV_EVENT_REMOVE);
	sd = sriov_find_by_name(name);
	if (sd != NULL && sd->attached && sriov_mp_on_gone != NULL &&
	    sriov_mp_on_gone->detach(sd) == 0)
		SRIOV_LOG(INFO, "%s: detached (the primary released it)", name);
	free(name);
}

static void
sriov_mp_gone(const struct sriov_mp_req *req)
{
	struct sriov_device *sd;
	char *name = NULL;

	sriov_list_lock();
	sd = sriov_find_by_name(req->name);
	if (sd != NULL && sd->attached && !sd->removed) {
		sriov_mp_give_back(sd, "the primary process released it");
		name = strdup(sd->name);
	}
	sriov_list_unlock();
	if (name != NULL &&
	    rte_eal_alarm_set(1, sriov_mp_event_removed, name) < 0)
		free(name);
}

static int
sriov_mp_secondary_handle(const struct rte_mp_msg *msg)
{
	const struct sriov_mp_req *req = (const void *)msg->param;
	char why[256];

	if (sriov_mp_req_check(msg, why, sizeof(why)) < 0 ||
	    req->h.op != SRIOV_MP_GONE) {
		SRIOV_LOG(ERR, "multi-process notice ignored: %s",
			  why[0] != '\0' ? why : "not a \"gone\" notice");
		sriov_mp_msg_close_fds(msg);
		return 0;
	}
	sriov_mp_gone(req);
	return 0;
}

static int
sriov_mp_handle(const struct rte_mp_msg *msg, const void *peer)
{
	if (sriov_mp_primary())
		return sriov_mp_primary_handle(msg, peer);
	return sriov_mp_secondary_handle(msg);
}

/* The primary exited: its pipe hung up (EAL's interrupt thread). */
static void
sriov_mp_alive_hup(void *arg)
{
	struct sriov_device *sd;

	RTE_SET_USED(arg);
	if (sriov_mp_primary_gone)
		return;
	sriov_mp_primary_gone = true;
	SRIOV_LOG(WARNING, "the primary process exited: giving back the "
			   "devices it handed over");
	sriov_list_lock();
	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next))
		sriov_mp_give_back(sd, "the primary process exited");
	sriov_list_unlock();
	rte_intr_callback_unregister_pending(sriov_mp_alive_h,
					     sriov_mp_alive_hup, NULL, NULL);
}

/* Keep the first pipe end received; watch it for the primary's exit. */
static void
sriov_mp_watch_primary(int fd)
{
	if (sriov_mp_alive_fd >= 0) {
		close(fd);
		return;
	}
	sriov_mp_alive_h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (sriov_mp_alive_h == NULL ||
	    rte_intr_type_set(sriov_mp_alive_h, RTE_INTR_HANDLE_EXT) ||
	    rte_intr_fd_set(sriov_mp_alive_h, fd) ||
	    rte_intr_callback_register(sriov_mp_alive_h, sriov_mp_alive_hup,
				       NULL) < 0) {
		SRIOV_LOG(WARNING,
			  "cannot watch the primary process: if it exits, "
			  "this process keeps its devices until it exits too");
		rte_intr_instance_free(sriov_mp_alive_h);
		sriov_mp_alive_h = NULL;
		close(fd);
		return;
	}
	sriov_mp_alive_fd = fd;
}

/* ---- secondary: asking the primary -------------------------------------- */

/*
 * Send @p req and take the one answer; 0 with @p out holding it, or
 * -errno with @p why saying why. The caller frees out->msgs.
 */
static int
sriov_mp_ask(struct rte_mp_msg *req, struct rte_mp_reply *out, char *why,
	     size_t len)
{
	struct timespec ts = { .tv_sec = SRIOV_MP_TIMEOUT_S, .tv_nsec = 0 };

	memset(out, 0, sizeof(*out));
	if (rte_mp_request_sync(req, out, &ts) < 0 || out->nb_received != 1) {
		int err = rte_errno != 0 ? rte_errno : ETIMEDOUT;

		snprintf(why, len,
			 "no answer from the primary process in %d s: %s",
			 SRIOV_MP_TIMEOUT_S, rte_strerror(err));
		if (out->msgs != NULL) {
			sriov_mp_msg_close_fds(out->msgs);
			free(out->msgs);
			out->msgs = NULL;
		}
		return -err;
	}
	return 0;
}

/* Ask for one page of the primary's list. */
int
sriov_mp_list_page(uint32_t start, struct sriov_mp_list *page, char *why,
		   size_t len)
{
	struct rte_mp_msg m;
	struct sriov_mp_req *r = (void *)m.param;
	struct rte_mp_reply rep;
	int ret;

	sriov_mp_msg_init(&m, &r->h, sizeof(*r), SRIOV_MP_LIST, 0);
	r->start = start;
	ret = sriov_mp_ask(&m, &rep, why, len);
	if (ret < 0)
		return ret;
	ret = sriov_mp_msg_check(&rep.msgs[0], sizeof(*page), 0, SRIOV_MP_LIST,
				 why, len);
	if (ret == 0)
		memcpy(page, rep.msgs[0].param, sizeof(*page));
	if (ret == 0 && page->h.status != 0) {
		ret = page->h.status;
		snprintf(why, len, "the primary process (pid %u) refused: %s",
			 page->h.pid, strerror(-ret));
	} else if (ret == 0 && page->n > SRIOV_MP_LIST_MAX) {
		snprintf(why, len, "list reply with %u entries (at most %d)",
			 page->n, SRIOV_MP_LIST_MAX);
		ret = -EBADMSG;
	}
	sriov_mp_msg_close_fds(&rep.msgs[0]);
	free(rep.msgs);
	return ret;
}

/* The marker's path; false if it does not fit. */
static bool
sriov_mp_mark_path(char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", rte_eal_get_runtime_dir(),
			 SRIOV_MP_MARK);

	return n > 0 && (size_t)n < len;
}

static void
sriov_mp_mark(bool on)
{
	char path[PATH_MAX];
	int fd;

	if (!sriov_mp_mark_path(path, sizeof(path)))
		return;
	if (!on) {
		unlink(path);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		SRIOV_LOG(WARNING,
			  "cannot create %s (%s): secondary processes will "
			  "not ask for the devices of this process",
			  path, strerror(errno));
		return;
	}
	dprintf(fd, "%d\n", (int)getpid());
	close(fd);
}

bool
sriov_mp_primary_answers(void)
{
	char path[PATH_MAX];

	return sriov_mp_mark_path(path, sizeof(path)) &&
	       access(path, F_OK) == 0;
}

/*
 * Ask the primary for @p sd: 0 with @p hand holding the device's fd (the
 * caller's from now on) and where the primary has its BARs, or -errno
 * (logged).
 */
int
sriov_mp_attach(struct sriov_device *sd, struct sriov_mp_hand *hand)
{
	struct rte_mp_msg m;
	struct sriov_mp_req *r = (void *)m.param;
	const struct sriov_mp_dev *d;
	struct rte_mp_reply rep;
	char why[256];
	int ret;

	if (sriov_mp_primary_gone)
		return -ENODEV;
	sriov_mp_msg_init(&m, &r->h, sizeof(*r), SRIOV_MP_ATTACH, 0);
	snprintf(r->name, sizeof(r->name), "%s", sd->name);
	ret = sriov_mp_ask(&m, &rep, why, sizeof(why));
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: %s", sd->name, why);
		return ret;
	}
	d = (const void *)rep.msgs[0].param;
	ret = sriov_mp_msg_check(&rep.msgs[0], sizeof(*d), SRIOV_MP_DEV_FDS,
				 SRIOV_MP_ATTACH, why, sizeof(why));
	if (ret == 0 && d->h.status != 0) {
		ret = d->h.status;
		snprintf(why, sizeof(why),
			 "the primary process (pid %u) does not hold it now",
			 d->h.pid);
	}
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: cannot attach: %s", sd->name, why);
		sriov_mp_msg_close_fds(&rep.msgs[0]);
		free(rep.msgs);
		return ret;
	}
	sriov_mp_watch_primary(rep.msgs[0].fds[SRIOV_MP_FD_ALIVE]);
	hand->fd = rep.msgs[0].fds[SRIOV_MP_FD_DEVICE];
	hand->pid = d->h.pid;
	memcpy(hand->bar_addr, d->bar_addr, sizeof(hand->bar_addr));
	memcpy(hand->bar_len, d->bar_len, sizeof(hand->bar_len));
	free(rep.msgs);
	return 0;
}

/* ---- both --------------------------------------------------------------- */

int
sriov_mp_init(void)
{
	if (sriov_mp_on)
		return 0;
	if (rte_mp_action_register(SRIOV_MP_ACTION, sriov_mp_handle) < 0 &&
	    rte_errno != EEXIST) {
		/* --in-memory or --no-shconf: no multi-process at all */
		if (rte_errno != ENOTSUP)
			SRIOV_LOG(WARNING,
				  "no multi-process support: %s: secondary "
				  "processes see no sriov device",
				  rte_strerror(rte_errno));
		sriov_mp_cleanup();
		return 0;
	}
	sriov_mp_on = true;
	if (sriov_mp_primary())
		sriov_mp_mark(true);
	return 0;
}

void
sriov_mp_cleanup(void)
{
	if (sriov_mp_on && sriov_mp_primary())
		sriov_mp_mark(false);
	if (sriov_mp_on)
		rte_mp_action_unregister(SRIOV_MP_ACTION);
	sriov_mp_on = false;
	if (sriov_mp_alive_h != NULL) {
		if (!sriov_mp_primary_gone)
			rte_intr_callback_unregister_sync(
				sriov_mp_alive_h, sriov_mp_alive_hup, NULL);
		rte_intr_instance_free(sriov_mp_alive_h);
		sriov_mp_alive_h = NULL;
	}
	if (sriov_mp_alive_fd >= 0)
		close(sriov_mp_alive_fd);
	sriov_mp_alive_fd = -1;
	if (sriov_mp_alive[0] >= 0)
		close(sriov_mp_alive[0]);
	if (sriov_mp_alive[1] >= 0)
		close(sriov_mp_alive[1]);
	sriov_mp_alive[0] = sriov_mp_alive[1] = -1;
}

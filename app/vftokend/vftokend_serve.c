/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * One request of a client: checked, authorised by the policy, carried out
 * with the token of the function's PF, answered with fds or the
 * explainer's verdict, and logged with the client's identity and the
 * token's fingerprint (doc/guides/broker.rst, "Log").
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vftokend.h"

/* ---- what is asked for -------------------------------------------------- */

/* The function, its PF and VF index (for the policy), and the PF whose
 * token it needs ("" when it needs none: neither PF nor VF). */
struct vfd_asked {
	struct vfd_target t;
	bool is_pf;
	bool token_pf; /* t.pf (VF) or t.addr (PF) has the token */
	char desc[96]; /* "0000:00:03.1 (VF 1 of 0000:00:02.0)" */
};

static void
vfd_asked_read(struct vfd *b, const struct vft_pci_addr *addr,
	       struct vfd_asked *tg)
{
	struct vft_pci_dev *dev = malloc(sizeof(*dev));
	char name[VFT_PCI_ADDR_LEN], pfname[VFT_PCI_ADDR_LEN];
	unsigned int i;

	memset(tg, 0, sizeof(*tg));
	tg->t.addr = *addr;
	vft_pci_addr_format(addr, name);
	snprintf(tg->desc, sizeof(tg->desc), "%s", name);
	if (dev == NULL || vft_pci_dev_read(&b->sys, addr, dev, NULL) < 0)
		goto out;
	if (dev->sriov_capable) {
		tg->is_pf = true;
		tg->token_pf = true;
		snprintf(tg->desc, sizeof(tg->desc), "%s (PF)", name);
	}
	if (!dev->is_vf)
		goto out;
	tg->t.is_vf = true;
	tg->t.pf = dev->pf;
	tg->token_pf = true;
	/* Not among its PF's virtfnN links: no vf= list matches it. */
	tg->t.vf_index = UINT_MAX;
	vft_pci_addr_format(&tg->t.pf, pfname);
	if (vft_pci_dev_read(&b->sys, &tg->t.pf, dev, NULL) == 0)
		for (i = 0; i < dev->n_vfs; i++)
			if (vft_pci_addr_equal(&dev->vfs[i], addr))
				tg->t.vf_index = i;
	if (tg->t.vf_index == UINT_MAX)
		snprintf(tg->desc, sizeof(tg->desc), "%s (VF of %s)", name,
			 pfname);
	else
		snprintf(tg->desc, sizeof(tg->desc), "%s (VF %u of %s)", name,
			 tg->t.vf_index, pfname);
out:
	free(dev);
}

/* The token of PF @p pf from DIR/PF.token, if there is one; with
 * --token-secret, the key PF.token of the Secret volume DIR. */
static int
vfd_token_read(struct vfd *b, const struct vft_pci_addr *pf,
	       struct vft_token *tok, char *path, size_t len,
	       struct vft_err *err)
{
	char name[VFT_PCI_ADDR_LEN];

	vft_pci_addr_format(pf, name);
	snprintf(path, len, "%s/%s.token", b->token_dir, name);
	memset(tok, 0, sizeof(*tok));
	if (b->token_secret) {
		char key[VFT_PCI_ADDR_LEN + 8];

		snprintf(key, sizeof(key), "%s.token", name);
		return vft_token_from_secret(b->token_dir, key, tok, err);
	}
	return vft_token_from_file(path, tok, err);
}

static bool
vfd_allowed(struct vfd *b, struct vfd_client *c, enum vfd_action act,
	    const struct vfd_asked *tg, char *why, size_t len)
{
	unsigned int line = 0;
	bool ok = vfd_policy_allows(b->policy, &c->peer, act, &tg->t, &line);

	if (line > 0)
		snprintf(why, len, "%s (rule at line %u)",
			 ok ? "allowed" : "refused", line);
	else
		snprintf(why, len, "refused (no rule: default deny)");
	return ok;
}

/* What a refused client is told: that the broker refused, nothing of the
 * function (whether it exists, is a PF, its VF index) nor of the policy
 * (its path, the deciding rule): those are in the log. */
static void
vfd_denied_rep(struct vfd_client *c, const struct vft_pci_addr *addr,
	       const char *act, char *reason, size_t rlen, char *fix,
	       size_t flen)
{
	char name[VFT_PCI_ADDR_LEN];

	vft_pci_addr_format(addr, name);
	snprintf(reason, rlen,
		 "the VF token broker refused to %s %s for uid %lu: its policy "
		 "does not allow it (the broker's log has the detail)",
		 act, name, (unsigned long)c->peer.uid);
	snprintf(fix, flen,
		 "ask the administrator for an allow rule for this process in "
		 "the broker's policy (then: systemctl reload vftokend, or "
		 "SIGHUP)");
}

/* A refusal: counted against the connection, logged within the uid's
 * budget. */
static void
vfd_refused(struct vfd *b, struct vfd_client *c, const char *act,
	    const struct vfd_asked *tg, const char *why)
{
	char who[VFD_PEER_FMT_LEN];

	c->refusals++;
	b->stats.refusals++;
	if (!vfd_log_refusal(b, c->peer.uid))
		return;
	vfd_peer_format(&c->peer, who, sizeof(who));
	vfd_log(VFD_WARNING, "%s %s %s: %s", who, act, tg->desc, why);
}

static ssize_t vfd_consume(struct vfd_client *c);

/* ---- the broker's references to PFs ------------------------------------- */

void
vfd_refs_init(struct vfd *b)
{
	unsigned int i;

	for (i = 0; i < VFD_MAX_PF_REFS; i++) {
		b->refs[i].fd = -1;
		b->refs[i].pidfd = -1;
	}
}

void
vfd_ref_release(struct vfd *b, struct vfd_pf_ref *r, const char *why)
{
	char name[VFT_PCI_ADDR_LEN];

	(void)b;
	if (r->fd < 0)
		return;
	vft_pci_addr_format(&r->pf, name);
	vfd_log(VFD_INFO, "PF %s: reference released (%s, pid %d)", name, why,
		(int)r->pid);
	close(r->fd);
	if (r->pidfd >= 0)
		close(r->pidfd);
	r->fd = -1;
	r->pidfd = -1;
}

void
vfd_refs_close(struct vfd *b)
{
	unsigned int i;

	for (i = 0; i < VFD_MAX_PF_REFS; i++)
		vfd_ref_release(b, &b->refs[i], "broker exits");
}

static struct vfd_pf_ref *
vfd_ref_find(struct vfd *b, const struct vft_pci_addr *pf)
{
	unsigned int i;

	for (i = 0; i < VFD_MAX_PF_REFS; i++)
		if (b->refs[i].fd >= 0 &&
		    vft_pci_addr_equal(&b->refs[i].pf, pf))
			return &b->refs[i];
	return NULL;
}

/*
 * Keep @p fd, a copy of PF @p pf's device fd, while process @p pid lives.
 * The reference holds the device (and the client's container) open, so
 * it must not outlive the client: its pidfd tells when that one exits.
 */
static void
vfd_ref_keep(struct vfd *b, const struct vft_pci_addr *pf, int fd, pid_t pid)
{
	struct vfd_pf_ref *r = vfd_ref_find(b, pf);
	unsigned int i;
	int pidfd;

	if (r != NULL)
		vfd_ref_release(b, r, "replaced by a newer open");
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (i = 0; r == NULL && i < VFD_MAX_PF_REFS; i++)
		if (b->refs[i].fd < 0)
			r = &b->refs[i];
	if (pidfd < 0 || r == NULL) {
		vfd_log(VFD_WARNING,
			"cannot keep a reference to the PF (%s): its token "
			"will be rotated by opening it again",
			pidfd < 0 ? strerror(errno) : "table full");
		if (pidfd >= 0)
			close(pidfd);
		close(fd);
		return;
	}
	r->fd = fd;
	r->pidfd = pidfd;
	r->pid = pid;
	r->pf = *pf;
}

/* ---- open --------------------------------------------------------------- */

static void
vfd_client_ctx(const struct vft_broker_open_req *req, const int *fds,
	       unsigned int nfds, struct vft_broker_client_ctx *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->path = (enum vft_path)req->path;
	vft_handover_of_request(req, fds, nfds, &cc->h);
}

/* The token for an open of @p tg; "none" in @p fp when it needs none or
 * its PF has no token file (the kernel then decides, and the explainer
 * says why). */
static void
vfd_open_token(struct vfd *b, const struct vfd_asked *tg, struct vft_token *tok,
	       char fp[VFT_FINGERPRINT_LEN])
{
	char path[512];
	struct vft_err err;

	memset(tok, 0, sizeof(*tok));
	snprintf(fp, VFT_FINGERPRINT_LEN, "none");
	if (!tg->token_pf)
		return;
	vft_err_clear(&err);
	if (vfd_token_read(b, tg->t.is_vf ? &tg->t.pf : &tg->t.addr, tok, path,
			   sizeof(path), &err) < 0) {
		vfd_log(VFD_WARNING, "%s: no token (%s)", tg->desc, err.msg);
		memset(tok, 0, sizeof(*tok));
		return;
	}
	vft_token_fingerprint(tok, fp);
}

/* The fds of an allowed open: received now, and proven before any use.
 * @return the number received, or -1 when the request is refused: its fds
 * not received, or handed to the closer unproven. *@p lied: an fd was
 * shown to be something else than the request says. */
static int
vfd_open_fds(struct vfd *b, struct vfd_client *c,
	     const struct vft_broker_open_req *req, unsigned int want, int *fds,
	     struct vft_broker_client_ctx *cc, bool *lied, struct vft_err *err)
{
	char buf[VFT_BROKER_MSG_MAX] __attribute__((aligned(8)));
	unsigned int n = 0;
	ssize_t len;
	int ret;

	*lied = true;
	len = vft_broker_recv_peeked(c->fd, buf, sizeof(buf), want, fds, &n);
	if (len < 0 || n != want) {
		vfd_closer_give(b, fds, n);
		vft_err_set(err, -EPROTO,
			    "the request carried other fds than its flags "
			    "say (%u expected)",
			    want);
		return -1;
	}
	vfd_client_ctx(req, fds, n, cc);
	ret = vft_broker_prove_ctx(cc, err);
	if (ret < 0) {
		/* Unproven, so never closed here; but a node missing on this
		 * host or a group not viable is no lie of the client's. */
		*lied = ret == -ENOTTY || ret == -EBADF;
		vfd_closer_give(b, fds, n);
		return -1;
	}
	return (int)n;
}

static void
vfd_open(struct vfd *b, struct vfd_client *c,
	 const struct vft_broker_open_req *req, unsigned int want)
{
	int fds[VFT_BROKER_MAX_FDS] = { -1, -1, -1 };
	int out[VFT_BROKER_MAX_FDS], ref = -1, ret, nfds;
	struct vft_broker_open_rep rep;
	struct vft_broker_client_ctx cc;
	char fp[VFT_FINGERPRINT_LEN], who[VFD_PEER_FMT_LEN], why[96];
	struct vft_pci_addr addr;
	struct vfd_asked tg;
	struct vft_token tok;
	struct vft_err err;
	unsigned int n = 0;
	bool lied;

	memset(&rep, 0, sizeof(rep));
	vft_broker_hdr_init(&rep.h, VFT_BROKER_OPEN, sizeof(rep), req->h.seq);
	rep.group_id = -1;
	rep.cdev = -1;
	vft_pci_addr_parse(req->addr, &addr);
	vfd_asked_read(b, &addr, &tg);
	vfd_peer_format(&c->peer, who, sizeof(who));
	if (!vfd_allowed(b, c, VFD_ACT_OPEN, &tg, why, sizeof(why))) {
		/* Its fds are never received: the kernel drops them. */
		vfd_consume(c);
		rep.error = -EPERM;
		rep.verdict = VFT_V_BROKER_DENIED;
		vfd_denied_rep(c, &addr, "open", rep.reason, sizeof(rep.reason),
			       rep.fix, sizeof(rep.fix));
		vfd_refused(b, c, "open", &tg, why);
		vft_broker_send(c->fd, &rep, sizeof(rep), NULL, 0);
		return;
	}
	vft_err_clear(&err);
	nfds = vfd_open_fds(b, c, req, want, fds, &cc, &lied, &err);
	if (nfds < 0) {
		rep.error = -EPERM;
		rep.verdict = VFT_V_OTHER;
		snprintf(rep.reason, sizeof(rep.reason), "%s", err.msg);
		snprintf(rep.fix, sizeof(rep.fix),
			 "send the fds the request names: the VFIO container "
			 "or iommufd and the function's group, opened from "
			 "their nodes");
		vfd_log(VFD_WARNING, "%s open %s: %s; refused%s: %s", who,
			tg.desc, why,
			lied ? ", its uid is suspect for " VFD_STR(
				       VFD_SUSPECT_S) " s"
			     : "",
			err.msg);
		vft_broker_send(c->fd, &rep, sizeof(rep), NULL, 0);
		b->stats.refusals++;
		if (lied)
			vfd_suspect(b, c->peer.uid);
		return;
	}
	vfd_open_token(b, &tg, &tok, fp);
	ret = vft_broker_serve_open(&b->sys, &addr, &tok, &cc,
				    tg.is_pf && vft_token_present(&tok) ? &ref
									: NULL,
				    &rep, out, &n);
	vft_token_wipe(&tok);
	/* Proven VFIO nodes: closing them is the kernel's quick work. */
	vft_broker_close_fds(fds, (unsigned int)nfds);
	if (ret < 0)
		vfd_log(VFD_WARNING,
			"%s open %s: %s; open failed: %s (token %s): %s", who,
			tg.desc, why, vft_verdict_name(rep.verdict), fp,
			rep.reason);
	else
		vfd_log(VFD_INFO, "%s open %s: %s; opened, path %s, token %s%s",
			who, tg.desc, why, vft_path_name(rep.path), fp,
			ref >= 0 ? ", set on the PF" : "");
	if (ret == 0) {
		clock_gettime(CLOCK_MONOTONIC, &c->since);
		b->stats.opens++;
	}
	ret = vft_broker_send(c->fd, &rep, sizeof(rep), out, n);
	if (ret < 0)
		vfd_log(VFD_WARNING,
			"%s: the reply could not be sent (%s): nothing of the "
			"open is kept",
			who, strerror(-ret));
	vft_broker_close_fds(out, n);
	if (ref >= 0 && ret == 0)
		vfd_ref_keep(b, &addr, ref, c->peer.pid);
	else if (ref >= 0)
		close(ref);
}

/* ---- open several -------------------------------------------------------- */

/* What vfd_open_many() knows of one function of the request. */
struct vfd_many {
	struct vfd_asked tg;
	struct vft_token tok;
	char fp[VFT_FINGERPRINT_LEN];
	char why[96];
	bool denied;	  /* by the policy */
	bool fds_refused; /* the request's fds were */
};

/* The reply of a function whose request's fds were refused: the one a
 * one-function request would have got (vfd_open()). */
static void
vfd_many_fds_refused(struct vft_broker_open_rep *rep, const struct vft_err *err)
{
	rep->error = -EPERM;
	rep->verdict = VFT_V_OTHER;
	snprintf(rep->reason, sizeof(rep->reason), "%s", err->msg);
	snprintf(rep->fix, sizeof(rep->fix),
		 "send the fds the request names: the VFIO container or "
		 "iommufd and the function's group, opened from their nodes");
}

/* Log each function's outcome, in the request's order, as vfd_open()
 * does; @p fds_err: why the request's fds were refused, if they were. */
static void
vfd_many_log(struct vfd *b, struct vfd_client *c, const char *who,
	     struct vfd_many *m, const struct vft_broker_many_dev *devs,
	     unsigned int n, const struct vft_err *fds_err, bool lied)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct vft_broker_open_rep *rep = devs[i].rep;

		if (m[i].denied) {
			vfd_refused(b, c, "open", &m[i].tg, m[i].why);
			continue;
		}
		if (m[i].fds_refused) {
			vfd_log(VFD_WARNING, "%s open %s: %s; refused%s: %s",
				who, m[i].tg.desc, m[i].why,
				lied ? ", its uid is suspect for " VFD_STR(
					       VFD_SUSPECT_S) " s"
				     : "",
				fds_err->msg);
			continue;
		}
		if (devs[i].ret < 0) {
			vfd_log(VFD_WARNING,
				"%s open %s: %s; open failed: %s (token %s): "
				"%s",
				who, m[i].tg.desc, m[i].why,
				vft_verdict_name(rep->verdict), m[i].fp,
				rep->reason);
			continue;
		}
		vfd_log(VFD_INFO, "%s open %s: %s; opened, path %s, token %s%s",
			who, m[i].tg.desc, m[i].why, vft_path_name(rep->path),
			m[i].fp, devs[i].ref >= 0 ? ", set on the PF" : "");
		clock_gettime(CLOCK_MONOTONIC, &c->since);
		b->stats.opens++;
	}
}

/* Send the @p n replies in order with their fds, then close those fds
 * whatever happened: nothing of an open not handed over is kept. */
static void
vfd_many_send(struct vfd *b, struct vfd_client *c, const char *who,
	      struct vft_broker_many_dev *devs, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (ret == 0)
			ret = vft_broker_send(c->fd, devs[i].rep,
					      sizeof(*devs[i].rep), devs[i].fds,
					      devs[i].nfds);
		if (ret < 0 && devs[i].nfds > 0)
			vfd_log(VFD_WARNING,
				"%s: the reply for %u of %u could not be sent "
				"(%s): nothing of that open is kept",
				who, i + 1, n, strerror(-ret));
		vft_broker_close_fds(devs[i].fds, devs[i].nfds);
		devs[i].nfds = 0;
		if (devs[i].ref >= 0 && ret == 0)
			vfd_ref_keep(b, &devs[i].addr, devs[i].ref,
				     c->peer.pid);
		else if (devs[i].ref >= 0)
			close(devs[i].ref);
		devs[i].ref = -1;
	}
}

/*
 * Several functions in one request (VFT_BROKER_OPEN_MANY): each checked
 * against the policy, the allowed ones opened into the client's context at
 * once (vft_broker_serve_open_many(): a bounded set of threads), each
 * answered and logged, in the request's order, as its own request would
 * have been. A request with refused functions counts as one refusal of the
 * connection (two if its fds were refused too), whose other functions are
 * served.
 */
static void
vfd_open_many(struct vfd *b, struct vfd_client *c,
	      const struct vft_broker_open_many_req *req, unsigned int want)
{
	struct vft_broker_many_dev devs[VFT_BROKER_MANY_MAX];
	struct vft_broker_open_rep *reps = calloc(req->count, sizeof(*reps));
	struct vfd_many *m = calloc(req->count, sizeof(*m));
	int fds[VFT_BROKER_MAX_FDS] = { -1, -1, -1 };
	unsigned int i, n = req->count, allowed = 0, refusals;
	struct vft_broker_open_req one;
	struct vft_broker_client_ctx cc;
	char who[VFD_PEER_FMT_LEN];
	bool lied = false;
	struct vft_err err;
	size_t n_desc;
	int nfds = 0;

	vfd_peer_format(&c->peer, who, sizeof(who));
	if (reps == NULL || m == NULL) {
		/* Nothing received yet: its fds are dropped by the kernel. */
		vfd_consume(c);
		vfd_log(VFD_ERR, "%s open-many of %u: out of memory", who, n);
		free(reps);
		free(m);
		vfd_client_close(c);
		return;
	}
	memset(devs, 0, sizeof(devs));
	refusals = c->refusals;
	vft_err_clear(&err);
	for (i = 0; i < n; i++) {
		struct vft_broker_open_rep *rep = &reps[i];

		vft_broker_hdr_init(&rep->h, VFT_BROKER_OPEN_MANY, sizeof(*rep),
				    req->h.seq + i);
		rep->group_id = -1;
		rep->cdev = -1;
		devs[i].rep = rep;
		devs[i].ref = -1;
		vft_pci_addr_parse(req->addr[i], &devs[i].addr);
		vfd_asked_read(b, &devs[i].addr, &m[i].tg);
		/* the log says which request it came in */
		n_desc = strlen(m[i].tg.desc);
		snprintf(m[i].tg.desc + n_desc, sizeof(m[i].tg.desc) - n_desc,
			 " [%u of %u at once]", i + 1, n);
		if (vfd_allowed(b, c, VFD_ACT_OPEN, &m[i].tg, m[i].why,
				sizeof(m[i].why))) {
			allowed++;
			continue;
		}
		devs[i].skip = true;
		m[i].denied = true;
		rep->error = -EPERM;
		rep->verdict = VFT_V_BROKER_DENIED;
		vfd_denied_rep(c, &devs[i].addr, "open", rep->reason,
			       sizeof(rep->reason), rep->fix, sizeof(rep->fix));
	}
	if (allowed == 0) {
		vfd_consume(c);
		goto send;
	}
	memset(&one, 0, sizeof(one));
	one.path = req->path;
	one.flags = req->flags;
	one.ioas_id = req->ioas_id;
	one.group_id = -1;
	nfds = vfd_open_fds(b, c, &one, want, fds, &cc, &lied, &err);
	if (nfds < 0) {
		for (i = 0; i < n; i++) {
			if (devs[i].skip)
				continue;
			devs[i].skip = true;
			m[i].fds_refused = true;
			vfd_many_fds_refused(devs[i].rep, &err);
		}
		b->stats.refusals++;
		refusals++;
		if (lied)
			vfd_suspect(b, c->peer.uid);
		goto send;
	}
	for (i = 0; i < n; i++) {
		if (devs[i].skip)
			continue;
		vfd_open_token(b, &m[i].tg, &m[i].tok, m[i].fp);
		devs[i].tok = &m[i].tok;
		devs[i].pf_ref = m[i].tg.is_pf && vft_token_present(&m[i].tok);
	}
	vft_broker_serve_open_many(&b->sys, &cc, devs, n);
	for (i = 0; i < n; i++)
		vft_token_wipe(&m[i].tok);
	/* Proven VFIO nodes: closing them is the kernel's quick work. */
	vft_broker_close_fds(fds, (unsigned int)nfds);
send:
	vfd_many_log(b, c, who, m, devs, n, &err, lied);
	/* one refusal for the policy's, however many functions it names */
	c->refusals = refusals + (c->refusals > refusals);
	vfd_many_send(b, c, who, devs, n);
	free(reps);
	free(m);
}

/* ---- rotate ------------------------------------------------------------- */

/* Set @p tok on PF @p pf: through the broker's reference, else by opening
 * the PF with its current token @p cur for the time of the call. */
static int
vfd_rotate_set(struct vfd *b, const struct vft_pci_addr *pf,
	       const struct vft_token *cur, const struct vft_token *tok,
	       struct vft_err *err)
{
	struct vfd_pf_ref *r = vfd_ref_find(b, pf);
	struct vft_explanation why;
	struct vft_device d;
	struct vft_iommu io;
	int ret;

	if (r != NULL) {
		memset(&d, 0, sizeof(d));
		d.fd = r->fd;
		d.addr = *pf;
		return vft_device_vf_token_set(&d, tok, err);
	}
	ret = vft_iommu_init(&io, vft_path_auto(), err);
	if (ret < 0)
		return ret;
	ret = vft_iommu_open_device(&io, &b->sys, pf, cur, &d, &why);
	if (ret < 0)
		return vft_err_set(err, ret,
				   "the broker holds no reference to this PF "
				   "and could not open it: %s (%s)%s",
				   vft_verdict_name(why.verdict), why.reason,
				   ret == -EBUSY ? "; a process that opened "
						   "it before the broker "
						   "started holds it: rotate "
						   "through that process"
						 : "");
	ret = vft_device_vf_token_set(&d, tok, err);
	vft_device_close(&d);
	vft_iommu_close(&io);
	return ret;
}

/* Write the new token next to the old one, set it in the kernel, then put
 * it in place: the file never names a token the PF does not have, except
 * if the final rename fails (logged). */
static int
vfd_rotate_pf(struct vfd *b, const struct vft_pci_addr *pf,
	      char fp[VFT_FINGERPRINT_LEN], char oldfp[VFT_FINGERPRINT_LEN],
	      struct vft_err *err)
{
	struct vft_token cur, tok;
	char path[512], tmp[520];
	int ret;

	/* The orchestrator owns a Secret volume (read-only to its pods): a
	 * new token is a new version of the Secret. */
	if (b->token_secret)
		return vft_err_set(err, -EROFS,
				   "the tokens are a Kubernetes Secret volume "
				   "(--token-secret): rotate by updating the "
				   "Secret, not through the broker");
	ret = vfd_token_read(b, pf, &cur, path, sizeof(path), err);
	if (ret < 0)
		return ret;
	vft_token_fingerprint(&cur, oldfp);
	ret = vft_token_generate(&tok, err);
	if (ret < 0)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(tmp);
	ret = vft_token_write_file(tmp, &tok, err);
	if (ret < 0)
		goto out;
	ret = vfd_rotate_set(b, pf, &cur, &tok, err);
	if (ret < 0) {
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		vft_err_set(err, ret,
			    "the PF has the new token but %s could not "
			    "replace %s: %s",
			    tmp, path, strerror(-ret));
		goto out;
	}
	vft_token_fingerprint(&tok, fp);
out:
	vft_token_wipe(&cur);
	vft_token_wipe(&tok);
	return ret;
}

static void
vfd_rotate(struct vfd *b, struct vfd_client *c,
	   const struct vft_broker_rotate_req *req)
{
	char fp[VFT_FINGERPRINT_LEN] = "", oldfp[VFT_FINGERPRINT_LEN] = "";
	struct vft_broker_rotate_rep rep;
	char who[VFD_PEER_FMT_LEN], why[96];
	struct vft_pci_addr pf;
	struct vfd_asked tg;
	struct vft_err err;

	memset(&rep, 0, sizeof(rep));
	vft_broker_hdr_init(&rep.h, VFT_BROKER_ROTATE, sizeof(rep), req->h.seq);
	vft_pci_addr_parse(req->pf, &pf);
	vfd_asked_read(b, &pf, &tg);
	vfd_peer_format(&c->peer, who, sizeof(who));
	vft_err_clear(&err);
	if (!vfd_allowed(b, c, VFD_ACT_ROTATE, &tg, why, sizeof(why))) {
		char fix[VFT_EXPLAIN_LEN];

		rep.error = -EPERM;
		vfd_denied_rep(c, &pf, "rotate the token of", rep.msg,
			       sizeof(rep.msg), fix, sizeof(fix));
		vfd_refused(b, c, "rotate", &tg, why);
	} else if (!tg.is_pf) {
		rep.error = -EINVAL;
		snprintf(rep.msg, sizeof(rep.msg),
			 "%s is not an SR-IOV PF: only a PF has a VF token",
			 tg.desc);
		vfd_log(VFD_WARNING, "%s rotate %s: %s; not a PF", who, tg.desc,
			why);
	} else {
		clock_gettime(CLOCK_MONOTONIC, &c->since);
		rep.error = vfd_rotate_pf(b, &pf, fp, oldfp, &err);
		if (rep.error < 0)
			snprintf(rep.msg, sizeof(rep.msg), "%s", err.msg);
		else
			snprintf(rep.msg, sizeof(rep.msg),
				 "%s: new token %s set", tg.desc, fp);
		if (rep.error < 0)
			vfd_log(VFD_ERR, "%s rotate %s: %s; failed: %s", who,
				tg.desc, why, err.msg);
		else
			b->stats.rotations++;
		if (rep.error == 0)
			vfd_log(VFD_NOTICE, "%s rotate %s: %s; token %s -> %s",
				who, tg.desc, why, oldfp, fp);
	}
	snprintf(rep.fingerprint, sizeof(rep.fingerprint), "%s", fp);
	vft_broker_send(c->fd, &rep, sizeof(rep), NULL, 0);
}

/* ---- stats -------------------------------------------------------------- */

/*
 * The counters, for root and for peers an allow rule names (any action,
 * any target): they say how busy the broker is and how often it refuses,
 * nothing a stranger needs. A stranger's request is a refusal like any
 * other (doc/guides/broker.rst, "Counters").
 */
static void
vfd_stats(struct vfd *b, struct vfd_client *c,
	  const struct vft_broker_stats_req *req)
{
	struct vft_broker_stats_rep rep;
	struct timespec now;
	unsigned int i;

	memset(&rep, 0, sizeof(rep));
	vft_broker_hdr_init(&rep.h, VFT_BROKER_STATS, sizeof(rep), req->h.seq);
	if (c->peer.uid != 0 && !vfd_policy_names(b->policy, &c->peer)) {
		rep.error = -EPERM;
		snprintf(rep.msg, sizeof(rep.msg),
			 "the VF token broker refused its counters to uid %lu: "
			 "only root and peers an allow rule names may ask",
			 (unsigned long)c->peer.uid);
		c->refusals++;
		b->stats.refusals++;
		if (vfd_log_refusal(b, c->peer.uid)) {
			char who[VFD_PEER_FMT_LEN];

			vfd_peer_format(&c->peer, who, sizeof(who));
			vfd_log(VFD_WARNING,
				"%s stats: refused (no allow rule names it)",
				who);
		}
		vft_broker_send(c->fd, &rep, sizeof(rep), NULL, 0);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	rep.uptime_s = (uint64_t)(now.tv_sec - b->started.tv_sec);
	rep.opens = b->stats.opens;
	rep.refusals = b->stats.refusals;
	rep.rotations = b->stats.rotations;
	rep.malformed = b->stats.malformed;
	rep.caps_refused = b->stats.caps_refused;
	rep.closer_fds = b->stats.closer_fds;
	for (i = 0; i < VFD_MAX_CLIENTS; i++)
		rep.clients += b->clients[i].fd >= 0;
	for (i = 0; i < VFD_MAX_PF_REFS; i++)
		rep.pf_refs += b->refs[i].fd >= 0;
	clock_gettime(CLOCK_MONOTONIC, &c->since);
	vft_broker_send(c->fd, &rep, sizeof(rep), NULL, 0);
}

/* ---- one message -------------------------------------------------------- */

/* Take the peeked message with no room for fds: any it carries are dropped
 * by the kernel, never received (-EPROTO says some came). */
static ssize_t
vfd_consume(struct vfd_client *c)
{
	char buf[VFT_BROKER_MSG_MAX] __attribute__((aligned(8)));
	unsigned int n = 0;

	return vft_broker_recv_peeked(c->fd, buf, sizeof(buf), 0, NULL, &n);
}

static void
vfd_malformed(struct vfd *b, struct vfd_client *c, const char *msg)
{
	char who[VFD_PEER_FMT_LEN];

	b->stats.malformed++;
	if (!vfd_log_refusal(b, c->peer.uid))
		return;
	vfd_peer_format(&c->peer, who, sizeof(who));
	vfd_log(VFD_WARNING, "%s: malformed request refused: %s", who, msg);
}

/* How many fds a well-formed open (of one or several functions) says it
 * carries. */
static unsigned int
vfd_open_want(const void *buf, size_t n)
{
	const struct vft_broker_open_many_req *many = buf;
	const struct vft_broker_open_req *req = buf;

	if (n == sizeof(*req) && req->h.op == VFT_BROKER_OPEN)
		return !!(req->flags & VFT_BROKER_HAVE_CTX) +
		       !!(req->flags & VFT_BROKER_HAVE_GROUP);
	if (n == sizeof(*many) && many->h.op == VFT_BROKER_OPEN_MANY)
		return !!(many->flags & VFT_BROKER_HAVE_CTX);
	return 0;
}

/*
 * One request. It is read twice: first without its fds (peeked), to check
 * it and its client's right to what it asks; then taken, with room for
 * exactly the fds an allowed open names. So fds of a malformed or refused
 * request, or more than its flags say, never enter this process
 * (vft_broker_peek()).
 */
void
vfd_serve(struct vfd *b, struct vfd_client *c)
{
	char buf[VFT_BROKER_MSG_MAX] __attribute__((aligned(8)));
	const struct vft_broker_open_req *req = (const void *)buf;
	unsigned int want = 0;
	struct vft_err err;
	ssize_t n;
	int op;

	n = vft_broker_peek(c->fd, buf, sizeof(buf));
	if (n == -EAGAIN)
		return;
	if (n > 0 && vfd_client_gone(c)) {
		vfd_malformed(b, c,
			      "the process that connected has exited: a "
			      "socket passed on carries no identity");
		vfd_client_close(c);
		return;
	}
	if (n <= 0) {
		/* Closed, or a message too long: either way this client is
		 * done (its socket's queue is dropped with it). */
		if (n < 0)
			vfd_malformed(b, c, strerror((int)-n));
		vfd_client_close(c);
		return;
	}
	vft_err_clear(&err);
	want = vfd_open_want(buf, (size_t)n);
	op = vft_broker_check_request(buf, (size_t)n, want, &err);
	if (op < 0 || ++c->requests > VFD_MAX_REQUESTS) {
		/* Nothing in it can be trusted, not even its operation: no
		 * reply, the connection is closed. */
		vfd_malformed(b, c,
			      op < 0 ? err.msg
				     : "more requests than one connection may "
				       "make");
		vfd_client_close(c);
		return;
	}
	if (op == VFT_BROKER_OPEN) {
		vfd_open(b, c, req, want);
	} else if (op == VFT_BROKER_OPEN_MANY) {
		vfd_open_many(b, c, (const void *)buf, want);
	} else if (vfd_consume(c) < 0) {
		vfd_malformed(b, c,
			      op == VFT_BROKER_STATS
				      ? "a stats request carries no fd"
				      : "a rotate request carries no fd");
		vfd_client_close(c);
		return;
	} else if (op == VFT_BROKER_STATS) {
		vfd_stats(b, c, (const struct vft_broker_stats_req *)buf);
	} else {
		vfd_rotate(b, c, (const struct vft_broker_rotate_req *)buf);
	}
	if (c->fd >= 0 && c->refusals >= VFD_MAX_REFUSALS)
		vfd_client_close(c);
}

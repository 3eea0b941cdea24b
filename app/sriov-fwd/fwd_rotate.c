/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * VF token rotation while the VFs forward. The kernel checks the token
 * only when a VF is opened (vfio_pci_validate_vf_token(), "vfio/pci:
 * Introduce VF token"): VFs already open keep working, every later open
 * needs the new token. rte_sriov_pf_set_token() sets it on the open PF with
 * VFIO_DEVICE_FEATURE (PCI_VF_TOKEN, SET), which the kernel accepts even
 * while VFs are in use. Only fingerprints are ever printed.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sriov_fwd.h"

/* Read a token file and forget it: catches a bad file before EAL starts. */
int
fwd_token_file_check(const char *path)
{
	struct vft_token tok;
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vft_token_from_file(path, &tok, &err);
	vft_token_wipe(&tok);
	if (ret < 0)
		fprintf(stderr, "sriov-fwd: %s\n", err.msg);
	return ret;
}

static void
fwd_pf_fingerprint(const struct fwd_app *app, char *buf)
{
	if (rte_sriov_dev_token_fingerprint(
		    app->pf.name, buf, RTE_SRIOV_FINGERPRINT_LEN, NULL) < 0)
		snprintf(buf, RTE_SRIOV_FINGERPRINT_LEN, "unknown");
}

/* The token is read only now and wiped at once after the set. */
static int
fwd_rotate_set(struct fwd_app *app)
{
	struct vft_token tok;
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vft_token_from_file(app->opts.new_token_file, &tok, &err);
	if (ret < 0) {
		fprintf(stderr, "sriov-fwd: rotation: %s\n", err.msg);
		vft_token_wipe(&tok);
		return ret;
	}
	ret = rte_sriov_pf_set_token(app->pf.name, tok.uuid.b);
	vft_token_wipe(&tok);
	if (ret < 0)
		fprintf(stderr,
			"sriov-fwd: rotation: rte_sriov_pf_set_token(%s): %s\n",
			app->pf.name, strerror(-ret));
	return ret;
}

int
fwd_rotate(struct fwd_app *app)
{
	struct fwd_rotation *rot = &app->rot;
	unsigned int i;

	for (i = 0; i < FWD_NB_VF; i++)
		app->vf[i].at_rotation = app->vf[i].c;
	fwd_pf_fingerprint(app, rot->fp_old);
	rot->result = fwd_rotate_set(app);
	rot->done = true;
	rot->at = app->elapsed;
	fwd_pf_fingerprint(app, rot->fp_new);
	if (rot->result == 0)
		printf("sriov-fwd: rotation: PF %s VF token %s -> %s at "
		       "%.1fs, VF ports keep forwarding\n",
		       app->pf.name, rot->fp_old, rot->fp_new, rot->at);
	return rot->result;
}

/* Both VF ports must have received frames since the rotation. */
void
fwd_rotate_verify(struct fwd_app *app)
{
	struct fwd_rotation *rot = &app->rot;
	uint64_t d[FWD_NB_VF];
	unsigned int i;

	rot->fwd_continued = true;
	for (i = 0; i < FWD_NB_VF; i++) {
		d[i] = app->vf[i].c.rx - app->vf[i].at_rotation.rx;
		rot->fwd_continued &= d[i] > 0;
	}
	rot->verified = true;
	printf("sriov-fwd: rotation check after %.1fs: %s RX +%" PRIu64
	       ", %s RX +%" PRIu64 ": forwarding %s\n",
	       app->elapsed - rot->at, app->vf[0].name, d[0], app->vf[1].name,
	       d[1], rot->fwd_continued ? "continues" : "STOPPED");
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * sriov-fwd: DPDK and the sriov bus embedded in one program, the way a
 * packet-forwarding appliance runs them (no testpmd, no -d plugin: the bus
 * is linked in and registers itself from its constructor).
 *
 * 1. rte_eal_init() with "-a PF,num_vfs=N,vf_token_file=F" added: the bus
 *    claims the PF, sets the VF token from F with VFIO_DEVICE_FEATURE,
 *    creates the VFs, and DPDK's PF driver probes it.
 * 2. The PF port starts (its driver serves the VF mailbox), then both VFs
 *    are hot-plugged through the bus with the same token file.
 * 3. Forwarding VF0 <-> VF1; optionally the token is rotated on the PF
 *    while they forward, and forwarding is checked to go on.
 * 4. On SIGINT/SIGTERM or after --duration: stats, ports stopped and
 *    closed, devices removed, EAL cleaned up.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "sriov_fwd.h"

#define FWD_LINK_WAIT_SECS 20
#define FWD_EAL_ARGS_MAX 256

static void
fwd_signal(int sig)
{
	(void)sig;
	fwd_quit = 1;
}

static void
fwd_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fwd_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Index of "--", which separates EAL's options from the application's. */
static int
fwd_dashdash(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i;
	return -1;
}

/*
 * EAL's options as given, plus "-a" for the PF. EAL keeps pointers into
 * its argv (the saved command line, the program name), so the vector and
 * the devargs string are static.
 */
static int
fwd_eal_init(int n_eal, char **argv, const struct fwd_opts *o)
{
	static char devargs[PATH_MAX + 64];
	static char *eargv[FWD_EAL_ARGS_MAX + 3];
	static char opt_a[] = "-a";
	int i;

	if (n_eal > FWD_EAL_ARGS_MAX) {
		fprintf(stderr, "sriov-fwd: %d EAL arguments, at most %d\n",
			n_eal, FWD_EAL_ARGS_MAX);
		return -E2BIG;
	}
	if (fwd_pf_devargs(o, devargs, sizeof(devargs)) < 0) {
		fprintf(stderr, "sriov-fwd: PF devargs too long\n");
		return -ENAMETOOLONG;
	}
	for (i = 0; i < n_eal; i++)
		eargv[i] = argv[i];
	eargv[i++] = opt_a;
	eargv[i++] = devargs;
	eargv[i] = NULL;
	printf("sriov-fwd: EAL -a %s\n", devargs);
	if (rte_eal_init(i, eargv) < 0) {
		fprintf(stderr, "sriov-fwd: rte_eal_init: %s\n",
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

static int
fwd_setup(struct fwd_app *app)
{
	unsigned int i;
	int ret;

	ret = fwd_pool_create(app);
	if (ret == 0)
		ret = fwd_pf_setup(app);
	if (ret == 0)
		ret = fwd_vfs_check(app);
	for (i = 0; ret == 0 && i < FWD_NB_VF; i++)
		ret = fwd_vf_setup(app, i);
	if (ret == 0)
		fwd_links_wait(app, FWD_LINK_WAIT_SECS);
	return ret;
}

/* VFs first: their driver talks to the PF's through the mailbox on close. */
static void
fwd_teardown(struct fwd_app *app)
{
	unsigned int i;

	for (i = 0; i < FWD_NB_VF; i++)
		fwd_port_release(&app->vf[i]);
	fwd_port_release(&app->pf);
	if (rte_eal_cleanup() < 0)
		fprintf(stderr, "sriov-fwd: rte_eal_cleanup failed\n");
	else
		printf("sriov-fwd: EAL cleaned up\n");
}

static int
fwd_early_checks(const struct fwd_opts *o)
{
	if (fwd_token_file_check(o->token_file) < 0)
		return -EINVAL;
	if (o->new_token_file[0] != '\0' &&
	    fwd_token_file_check(o->new_token_file) < 0)
		return -EINVAL;
	return 0;
}

/* Exit status 1 when forwarding could not start, the rotation failed or
 * forwarding stopped after it. */
static int
fwd_status(const struct fwd_app *app, int ret)
{
	if (ret < 0)
		return 1;
	if (app->rot.asked && app->rot.done &&
	    (app->rot.result != 0 || !app->rot.fwd_continued))
		return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct fwd_app app;
	int dd, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	dd = fwd_dashdash(argc, argv);
	if (dd < 0)
		fprintf(stderr, "sriov-fwd: expected EAL options, then '--', "
				"then the application's options\n");
	if (dd < 0 || fwd_opts_parse(argc - dd, argv + dd, &app.opts) < 0) {
		fwd_opts_usage(argv[0]);
		return 2;
	}
	if (fwd_early_checks(&app.opts) < 0)
		return 1;
	app.rot.asked = app.opts.rotate_after != 0;
	if (fwd_eal_init(dd, argv, &app.opts) < 0)
		return 1;
	fwd_signals();
	ret = fwd_setup(&app);
	if (ret == 0 && !fwd_quit)
		ret = fwd_run(&app);
	if (app.opts.stats_json[0] != '\0' &&
	    fwd_stats_json(&app, app.opts.stats_json) < 0 && ret == 0)
		ret = -EIO;
	fwd_teardown(&app);
	return fwd_status(&app, ret);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * VM fault test helper (devtools/vm/scenarios/faults.sh): a PF process
 * that rotates the VF token while VFs are in use, through the sriov bus's
 * PF helper API.
 *
 *   pf_rotate -d librte_bus_sriov.so -a PF,num_vfs=N,vf_token_file=F \
 *       [other EAL options]
 *
 * EAL loads the plugin (-d), which claims the PF, sets its token and
 * creates the VFs; DPDK's PF driver (net_e1000_igb) probes it as port 0.
 * The port is configured and started with one queue pair, as testpmd does,
 * so the PF driver serves the VFs' mailbox from EAL's interrupt thread.
 * Then commands are read from stdin, one a line:
 *
 *   rotate FILE   rte_sriov_pf_set_token() with the token of FILE (0600)
 *   in-use        rte_sriov_pf_vfs_in_use()
 *   quit          stop and close the port, rte_eal_cleanup(), exit
 *
 * Each command answers one line starting with its name. The plugin's API
 * is looked up with dlopen(RTLD_NOLOAD) of the -d path and dlsym(): EAL
 * loads plugins without RTLD_GLOBAL, and the test must use the plugin the
 * way an application loading it with -d would.
 */

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_uuid.h>

#include "rte_bus_sriov.h"
#include "vftoken.h"

struct pr_api {
	__typeof__(rte_sriov_pf_set_token) *set_token;
	__typeof__(rte_sriov_pf_vfs_in_use) *vfs_in_use;
	__typeof__(rte_sriov_dev_token_fingerprint) *fingerprint;
};

static int
pr_api_load(const char *plugin, struct pr_api *api)
{
	void *h = dlopen(plugin, RTLD_NOW | RTLD_NOLOAD);

	if (h == NULL) {
		fprintf(stderr, "pf_rotate: %s is not loaded: %s\n", plugin,
			dlerror());
		return -1;
	}
	api->set_token =
		(__typeof__(api->set_token))dlsym(h, "rte_sriov_pf_set_token");
	api->vfs_in_use = (__typeof__(api->vfs_in_use))dlsym(
		h, "rte_sriov_pf_vfs_in_use");
	api->fingerprint = (__typeof__(api->fingerprint))dlsym(
		h, "rte_sriov_dev_token_fingerprint");
	/* the handle stays: the plugin is EAL's until rte_eal_cleanup() */
	if (api->set_token == NULL || api->vfs_in_use == NULL ||
	    api->fingerprint == NULL) {
		fprintf(stderr, "pf_rotate: %s lacks the rte_sriov_* API\n",
			plugin);
		return -1;
	}
	return 0;
}

/* The value of the first -d option (EAL may reorder argv). */
static const char *
pr_plugin_arg(int argc, char **argv)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "-d") == 0)
			return argv[i + 1];
	return NULL;
}

static int
pr_port_start(uint16_t port)
{
	struct rte_eth_conf conf;
	struct rte_mempool *mp;
	int ret;

	mp = rte_pktmbuf_pool_create("pf_rotate", 2048, 64, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_eth_dev_socket_id(port));
	if (mp == NULL)
		return -rte_errno;
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(
			port, 0, 256, rte_eth_dev_socket_id(port), NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 256,
					     rte_eth_dev_socket_id(port), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	return ret;
}

static void
pr_fingerprint(const struct pr_api *api, const char *name)
{
	char fp[RTE_SRIOV_FINGERPRINT_LEN];

	if (api->fingerprint(name, fp, sizeof(fp), NULL) == 0)
		printf(" %s", fp);
}

static void
pr_rotate(const struct pr_api *api, const char *name, const char *file)
{
	struct vft_token tok;
	struct vft_err err;
	rte_uuid_t u = { 0 };
	int ret;

	vft_err_clear(&err);
	if (vft_token_from_file(file, &tok, &err) != 0) {
		printf("rotate: token file refused: %s\n", err.msg);
		return;
	}
	memcpy(u, tok.uuid.b, sizeof(u));
	vft_token_wipe(&tok);
	ret = api->set_token(name, u);
	vft_wipe(u, sizeof(u));
	if (ret == 0) {
		printf("rotate: ok");
		pr_fingerprint(api, name);
		printf("\n");
	} else {
		printf("rotate: failed %d (%s)\n", ret, strerror(-ret));
	}
}

static void
pr_commands(const struct pr_api *api, const char *name)
{
	char line[512];

	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "rotate ", 7) == 0)
			pr_rotate(api, name, line + 7);
		else if (strcmp(line, "in-use") == 0)
			printf("in-use: %d\n", api->vfs_in_use(name));
		else if (strcmp(line, "quit") == 0)
			break;
		else if (line[0] != '\0')
			printf("unknown command: %s\n", line);
	}
}

int
main(int argc, char **argv)
{
	const char *plugin = pr_plugin_arg(argc, argv);
	struct rte_eth_dev_info info;
	struct pr_api api;
	const char *name;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (plugin == NULL) {
		fprintf(stderr, "pf_rotate: give the plugin with -d\n");
		return 2;
	}
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "pf_rotate: rte_eal_init: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	ret = 1;
	if (pr_api_load(plugin, &api) < 0)
		goto out;
	if (rte_eth_dev_count_avail() != 1 ||
	    rte_eth_dev_info_get(0, &info) != 0) {
		fprintf(stderr,
			"pf_rotate: expected one port (the PF), got "
			"%u\n",
			rte_eth_dev_count_avail());
		goto out;
	}
	name = rte_dev_name(info.device);
	ret = pr_port_start(0);
	if (ret != 0) {
		fprintf(stderr, "pf_rotate: port 0 (%s): %s\n", name,
			strerror(-ret));
		ret = 1;
		goto out;
	}
	printf("ready: PF %s driver %s", name, info.driver_name);
	pr_fingerprint(&api, name);
	printf("\n");
	pr_commands(&api, name);
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	printf("quit: ok\n");
	ret = 0;
out:
	rte_eal_cleanup();
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Ports: the PF (probed by the sriov bus during rte_eal_init) and the two
 * VFs, hot-plugged through the bus once the PF helper has created them.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "sriov_fwd.h"

#define FWD_NB_MBUF 8191
#define FWD_MBUF_CACHE 256
#define FWD_NB_RXD 512
#define FWD_NB_TXD 512

int
fwd_pool_create(struct fwd_app *app)
{
	app->pool = rte_pktmbuf_pool_create(
		"fwd_pool", FWD_NB_MBUF, FWD_MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (app->pool == NULL) {
		fprintf(stderr, "sriov-fwd: cannot create the mbuf pool: %s\n",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

/* The ethdev port and rte_device of a device the bus probed. */
static int
fwd_port_find(struct fwd_port *p)
{
	struct rte_eth_dev_info info;
	int ret;

	ret = rte_eth_dev_get_port_by_name(p->name, &p->port_id);
	if (ret < 0) {
		fprintf(stderr,
			"sriov-fwd: %s: no ethdev port: was it probed by a "
			"PCI driver? (--log-level=bus.sriov:info shows the "
			"probe)\n",
			p->name);
		return ret;
	}
	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret < 0)
		return ret;
	p->dev = info.device;
	p->probed = true;
	if (rte_sriov_dev_token_fingerprint(p->name, p->token_fp,
					    sizeof(p->token_fp), NULL) < 0)
		snprintf(p->token_fp, sizeof(p->token_fp), "unknown");
	return rte_eth_macaddr_get(p->port_id, &p->mac);
}

/* One RX and one TX queue: what an igb PF with VFs allows (VMDq pool 0). */
static int
fwd_port_start(struct fwd_app *app, struct fwd_port *p)
{
	struct rte_eth_conf conf;
	uint16_t nb_rxd = FWD_NB_RXD, nb_txd = FWD_NB_TXD;
	int sock = rte_eth_dev_socket_id(p->port_id);
	int ret;

	memset(&conf, 0, sizeof(conf));
	/* a PF with active VFs transmits in VMDq mode (its pool 0) */
	if (p == &app->pf)
		conf.txmode.mq_mode = RTE_ETH_MQ_TX_VMDQ_ONLY;
	ret = rte_eth_dev_configure(p->port_id, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd,
						       &nb_txd);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(p->port_id, 0, nb_rxd,
					     (unsigned int)sock, NULL,
					     app->pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(p->port_id, 0, nb_txd,
					     (unsigned int)sock, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(p->port_id);
	if (ret < 0) {
		fprintf(stderr, "sriov-fwd: %s (port %u): cannot start: %s\n",
			p->name, p->port_id, strerror(-ret));
		return ret;
	}
	p->started = true;
	printf("sriov-fwd: %s: port %u started, MAC " RTE_ETHER_ADDR_PRT_FMT
	       ", token %s\n",
	       p->name, p->port_id, RTE_ETHER_ADDR_BYTES(&p->mac), p->token_fp);
	return 0;
}

/*
 * The PF port must run for the VFs to work: DPDK's igb PF driver answers
 * the VF mailbox (reset, MAC, link) from its interrupt handler, which it
 * enables at start (82576 datasheet, virtualization chapter: the PF/VF
 * mailbox and its interrupt).
 */
int
fwd_pf_setup(struct fwd_app *app)
{
	struct fwd_port *p = &app->pf;
	int ret;

	snprintf(p->name, sizeof(p->name), "%s", app->opts.pf);
	ret = fwd_port_find(p);
	if (ret < 0)
		return ret;
	return fwd_port_start(app, p);
}

static bool
fwd_is_vf_of(const struct vft_pci_dev *pf, const char *vf)
{
	char name[VFT_PCI_ADDR_LEN];
	unsigned int i;

	for (i = 0; i < pf->n_vfs; i++) {
		vft_pci_addr_format(&pf->vfs[i], name);
		if (strcmp(name, vf) == 0)
			return true;
	}
	return false;
}

/* After rte_eal_init: the bus created the VFs; are ours among them? */
int
fwd_vfs_check(const struct fwd_app *app)
{
	const struct fwd_opts *o = &app->opts;
	struct vft_pci_dev *pf = malloc(sizeof(*pf));
	struct vft_pci_addr a;
	struct vft_err err;
	int ret = 0;
	unsigned int i;

	if (pf == NULL)
		return -ENOMEM;
	vft_err_clear(&err);
	vft_pci_addr_parse(o->pf, &a);
	ret = vft_pci_dev_read(NULL, &a, pf, &err);
	if (ret < 0)
		fprintf(stderr, "sriov-fwd: %s\n", err.msg);
	else if (pf->num_vfs != o->num_vfs) {
		fprintf(stderr,
			"sriov-fwd: PF %s has %u VFs, expected %u "
			"(--num-vfs)\n",
			o->pf, pf->num_vfs, o->num_vfs);
		ret = -EIO;
	}
	for (i = 0; ret == 0 && i < FWD_NB_VF; i++) {
		if (!fwd_is_vf_of(pf, o->vf[i])) {
			fprintf(stderr,
				"sriov-fwd: --vf %s: expected one of the %u "
				"VFs of PF %s\n",
				o->vf[i], pf->n_vfs, o->pf);
			ret = -EINVAL;
		}
	}
	free(pf);
	return ret;
}

/*
 * Hot-plug VF i through the bus: "sriov:ADDR" names the device for the
 * sriov bus, vf_token_file= gives its token. The bus opens the VF with
 * "ADDR vf_token=<uuid>" and probes net_e1000_igb_vf on it.
 */
int
fwd_vf_setup(struct fwd_app *app, unsigned int i)
{
	struct fwd_port *p = &app->vf[i];
	char devargs[PATH_MAX + FWD_NAME_LEN + 32];
	char name[FWD_NAME_LEN];
	int ret;

	/* a local copy first: both strings live in *app (-Wrestrict) */
	snprintf(name, sizeof(name), "%s:%s", RTE_SRIOV_BUS_NAME,
		 app->opts.vf[i]);
	memcpy(p->name, name, sizeof(p->name));
	snprintf(devargs, sizeof(devargs), "%s,vf_token_file=%s", name,
		 app->opts.token_file);
	ret = rte_dev_probe(devargs);
	if (ret < 0) {
		fprintf(stderr,
			"sriov-fwd: %s: probe failed (%s); the bus logged "
			"why\n",
			p->name, strerror(-ret));
		return ret;
	}
	ret = fwd_port_find(p);
	if (ret < 0)
		return ret;
	return fwd_port_start(app, p);
}

/* A VF's link mirrors the PF's (STATUS is shared); it comes up after the
 * PF has answered the VF's reset through the mailbox. */
void
fwd_links_wait(struct fwd_app *app, unsigned int secs)
{
	struct rte_eth_link link;
	unsigned int i, t;

	for (t = 0; t <= secs * 10 && !fwd_quit; t++) {
		unsigned int up = 0;

		for (i = 0; i < FWD_NB_VF; i++) {
			memset(&link, 0, sizeof(link));
			/* a port whose link cannot be read counts as down
			 * (DPDK 24.11 warns when the result is unused) */
			app->vf[i].link_up =
				rte_eth_link_get_nowait(app->vf[i].port_id,
							&link) == 0 &&
				link.link_status == RTE_ETH_LINK_UP;
			up += app->vf[i].link_up;
		}
		if (up == FWD_NB_VF)
			break;
		usleep(100 * 1000);
	}
	for (i = 0; i < FWD_NB_VF; i++)
		printf("sriov-fwd: %s: link %s\n", app->vf[i].name,
		       app->vf[i].link_up ? "up" : "down");
}

/* Stop, close, and hand the device back to the bus (rte_dev_remove closes
 * its VFIO device and group). */
void
fwd_port_release(struct fwd_port *p)
{
	int ret;

	if (p->started) {
		ret = rte_eth_dev_stop(p->port_id);
		if (ret < 0)
			fprintf(stderr, "sriov-fwd: %s: stop: %s\n", p->name,
				strerror(-ret));
		rte_eth_dev_close(p->port_id);
		p->started = false;
	}
	if (p->probed) {
		ret = rte_dev_remove(p->dev);
		if (ret < 0)
			fprintf(stderr, "sriov-fwd: %s: remove: %s\n", p->name,
				strerror(-ret));
		else
			printf("sriov-fwd: %s: removed\n", p->name);
		p->probed = false;
	}
}

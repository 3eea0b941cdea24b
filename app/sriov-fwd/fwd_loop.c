/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Run-to-completion forwarding on the main lcore: what VF 0 receives goes
 * out of VF 1 and the other way round. Each frame sent on a VF carries the
 * MAC of the other VF as destination, so the NIC's internal switch (VMDq
 * pools selected by destination MAC, VF-to-VF loopback set up by the PF
 * driver) delivers it to that VF without touching the wire. A few frames
 * seeded on both ports at start (testpmd's "start tx_first") keep
 * circulating.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "sriov_fwd.h"

#define FWD_BURST 32
#define FWD_FRAME_LEN 60 /* minimum Ethernet frame without its FCS */
#define FWD_SEED_IP_SRC RTE_IPV4(198, 18, 0, 1) /* RFC 2544 test range */
#define FWD_SEED_IP_DST RTE_IPV4(198, 18, 0, 2)
#define FWD_SEED_UDP_PORT 9 /* discard */

/* IPv4 + UDP headers after the Ethernet header of a seed frame. */
static void
fwd_seed_l3(struct rte_ipv4_hdr *ip)
{
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t l3_len = FWD_FRAME_LEN - sizeof(struct rte_ether_hdr);

	memset(ip, 0, l3_len);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(l3_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(FWD_SEED_IP_SRC);
	ip->dst_addr = rte_cpu_to_be_32(FWD_SEED_IP_DST);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(FWD_SEED_UDP_PORT);
	udp->dst_port = rte_cpu_to_be_16(FWD_SEED_UDP_PORT);
	udp->dgram_len = rte_cpu_to_be_16(l3_len - sizeof(*ip));
}

static struct rte_mbuf *
fwd_seed_frame(struct fwd_app *app, const struct rte_ether_addr *src,
	       const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->pool);
	struct rte_ether_hdr *eth;

	if (m == NULL)
		return NULL;
	if (rte_pktmbuf_append(m, FWD_FRAME_LEN) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	fwd_seed_l3((struct rte_ipv4_hdr *)(eth + 1));
	return m;
}

/* Send one burst of new frames on VF i, addressed to the other VF. */
int
fwd_seed(struct fwd_app *app, unsigned int i)
{
	struct fwd_port *tx = &app->vf[i], *peer = &app->vf[i ^ 1];
	struct rte_mbuf *pkts[FWD_BURST];
	uint16_t n, sent;

	for (n = 0; n < FWD_BURST; n++) {
		pkts[n] = fwd_seed_frame(app, &tx->mac, &peer->mac);
		if (pkts[n] == NULL)
			break;
	}
	sent = rte_eth_tx_burst(tx->port_id, 0, pkts, n);
	tx->c.tx += sent;
	tx->c.drop += n - sent;
	rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	return sent > 0 ? 0 : -EAGAIN;
}

/* Frames received on VF r leave on VF r^1 addressed back to VF r. */
static void
fwd_burst(struct fwd_app *app, unsigned int r)
{
	struct fwd_port *rx = &app->vf[r], *tx = &app->vf[r ^ 1];
	struct rte_mbuf *pkts[FWD_BURST];
	struct rte_ether_hdr *eth;
	uint16_t n, k, sent;

	n = rte_eth_rx_burst(rx->port_id, 0, pkts, FWD_BURST);
	if (n == 0)
		return;
	for (k = 0; k < n; k++) {
		eth = rte_pktmbuf_mtod(pkts[k], struct rte_ether_hdr *);
		rte_ether_addr_copy(&rx->mac, &eth->dst_addr);
		rte_ether_addr_copy(&tx->mac, &eth->src_addr);
	}
	sent = rte_eth_tx_burst(tx->port_id, 0, pkts, n);
	rx->c.rx += n;
	tx->c.tx += sent;
	tx->c.drop += n - sent;
	rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
}

/*
 * A VF that received nothing for a whole second lost its circulating
 * frames (TX ring full under the emulator, for instance): seed the port
 * that feeds it again. This cannot fake forwarding: RX still counts only
 * frames the NIC delivered.
 */
static void
fwd_refill(struct fwd_app *app)
{
	unsigned int r;

	for (r = 0; r < FWD_NB_VF; r++) {
		if (app->vf[r].c.rx != app->vf[r].last_sec.rx)
			continue;
		if (fwd_seed(app, r ^ 1) == 0)
			app->refills++;
	}
}

/* Once a second: report, rotate, verify, decide whether to stop. */
static bool
fwd_tick(struct fwd_app *app)
{
	const struct fwd_opts *o = &app->opts;
	struct fwd_rotation *rot = &app->rot;

	fwd_stats_second(app, app->elapsed);
	fwd_refill(app);
	fwd_stats_snapshot(app);
	if (rot->asked && !rot->done && app->elapsed >= o->rotate_after)
		fwd_rotate(app);
	if (rot->done && rot->result == 0 && !rot->verified &&
	    app->elapsed >= rot->at + FWD_VERIFY_SECS)
		fwd_rotate_verify(app);
	return o->duration != 0 && app->elapsed >= o->duration;
}

/*
 * The loop's stop flag: set by the signal handler (main.c), read by the loop
 * and by the link wait (fwd_ports.c). The loop owns it, not main.c, which
 * calls the loop: no two files call each other (devtools/circles.py).
 */
volatile sig_atomic_t fwd_quit;

int
fwd_run(struct fwd_app *app)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t start, next;
	unsigned int i;

	for (i = 0; i < FWD_NB_VF; i++)
		if (fwd_seed(app, i) < 0)
			fprintf(stderr, "sriov-fwd: %s: seed burst not sent\n",
				app->vf[i].name);
	printf("sriov-fwd: forwarding %s <-> %s\n", app->vf[0].name,
	       app->vf[1].name);
	start = rte_get_timer_cycles();
	next = start + hz;
	while (!fwd_quit) {
		uint64_t now;

		fwd_burst(app, 0);
		fwd_burst(app, 1);
		now = rte_get_timer_cycles();
		if (now < next)
			continue;
		next += hz;
		app->elapsed = (double)(now - start) / (double)hz;
		if (fwd_tick(app))
			break;
	}
	app->elapsed = (double)(rte_get_timer_cycles() - start) / (double)hz;
	if (fwd_quit)
		printf("sriov-fwd: signal received, stopping\n");
	if (app->rot.done && app->rot.result == 0 && !app->rot.verified)
		fwd_rotate_verify(app);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Counters: one line a second while forwarding, a JSON file at the end.
 * Both carry token fingerprints only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sriov_fwd.h"

void
fwd_stats_second(const struct fwd_app *app, double now)
{
	unsigned int i;

	printf("[%5.0fs]", now);
	for (i = 0; i < FWD_NB_VF; i++) {
		const struct fwd_port *p = &app->vf[i];

		printf("%s %s rx %" PRIu64 " (+%" PRIu64 "/s) tx %" PRIu64
		       " drop %" PRIu64,
		       i == 0 ? "" : " |", p->name, p->c.rx,
		       p->c.rx - p->last_sec.rx, p->c.tx, p->c.drop);
	}
	printf("\n");
}

void
fwd_stats_snapshot(struct fwd_app *app)
{
	unsigned int i;

	for (i = 0; i < FWD_NB_VF; i++)
		app->vf[i].last_sec = app->vf[i].c;
}

static void
fwd_json_mac(FILE *f, const struct rte_ether_addr *mac)
{
	fprintf(f, "\"" RTE_ETHER_ADDR_PRT_FMT "\"", RTE_ETHER_ADDR_BYTES(mac));
}

/* Before/after split at the rotation; without one, all is "before". */
static void
fwd_json_vf(FILE *f, const struct fwd_app *app, const struct fwd_port *p)
{
	struct fwd_counters before = app->rot.done ? p->at_rotation : p->c;
	double secs = app->elapsed > 0 ? app->elapsed : 1;

	fprintf(f, "    {\"name\": \"%s\", \"port_id\": %u, \"mac\": ", p->name,
		p->port_id);
	fwd_json_mac(f, &p->mac);
	fprintf(f,
		", \"link\": \"%s\", \"token_fingerprint\": \"%s\",\n"
		"     \"rx\": %" PRIu64 ", \"tx\": %" PRIu64
		", \"drop\": %" PRIu64 ", \"rx_pps\": %.0f,\n"
		"     \"rx_before_rotation\": %" PRIu64
		", \"tx_before_rotation\": %" PRIu64 ",\n"
		"     \"rx_after_rotation\": %" PRIu64
		", \"tx_after_rotation\": %" PRIu64 "}",
		p->link_up ? "up" : "down", p->token_fp, p->c.rx, p->c.tx,
		p->c.drop, (double)p->c.rx / secs, before.rx, before.tx,
		p->c.rx - before.rx, p->c.tx - before.tx);
}

static void
fwd_json_rotation(FILE *f, const struct fwd_app *app)
{
	const struct fwd_rotation *r = &app->rot;

	fprintf(f,
		"  \"rotation\": {\"asked\": %s, \"done\": %s, "
		"\"result\": \"%s\", \"at_s\": %.1f,\n"
		"    \"fingerprint_old\": \"%s\", \"fingerprint_new\": "
		"\"%s\",\n"
		"    \"verified\": %s, \"forwarding_continued\": %s},\n",
		r->asked ? "true" : "false", r->done ? "true" : "false",
		!r->done	 ? "not-done"
		: r->result == 0 ? "ok"
				 : strerror(-r->result),
		r->at, r->fp_old, r->fp_new, r->verified ? "true" : "false",
		r->fwd_continued ? "true" : "false");
}

static void
fwd_json_write(FILE *f, const struct fwd_app *app)
{
	unsigned int i;

	fprintf(f,
		"{\n  \"pf\": {\"name\": \"%s\", \"port_id\": %u, "
		"\"num_vfs\": %u, \"mac\": ",
		app->pf.name, app->pf.port_id, app->opts.num_vfs);
	fwd_json_mac(f, &app->pf.mac);
	fprintf(f, "},\n  \"forward_s\": %.1f, \"refills\": %" PRIu64 ",\n",
		app->elapsed, app->refills);
	fwd_json_rotation(f, app);
	fprintf(f, "  \"vf_ports\": [\n");
	for (i = 0; i < FWD_NB_VF; i++) {
		fwd_json_vf(f, app, &app->vf[i]);
		fprintf(f, "%s\n", i + 1 < FWD_NB_VF ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

int
fwd_stats_json(const struct fwd_app *app, const char *path)
{
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (f == NULL) {
		ret = -errno;
		fprintf(stderr, "sriov-fwd: --stats-json %s: %s\n", path,
			strerror(errno));
		return ret;
	}
	fwd_json_write(f, app);
	if (ferror(f))
		ret = -EIO;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		fprintf(stderr, "sriov-fwd: --stats-json %s: %s\n", path,
			strerror(-ret));
	else
		printf("sriov-fwd: stats written to %s\n", path);
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * vftoken status [ADDR...]: every SR-IOV PF (a function with sriov_totalvfs)
 * and its VFs, whether a token gates the VFs and what blocks their use.
 *
 * A VF is token-gated exactly when its PF is bound to vfio-pci: that is when
 * vfio-pci demands vf_token= on the VF open (kernel patch "vfio/pci:
 * Introduce VF token"; doc/guides/token_model.rst, "Kernel rules").
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "vftoken_cli.h"

#define ST_MAX_HINTS 8
#define ST_HINT_LEN 256
/* iommu_group of a VF whose sysfs entry could not be read */
#define ST_UNREADABLE (-2)

/* One PF to show and which of its VFs. */
struct st_entry {
	struct vft_pci_addr pf;
	bool all_vfs;
	struct vft_pci_addr sel[VFT_MAX_VFS]; /* VFs asked for, if !all_vfs */
	unsigned int n_sel;
};

struct st_list {
	struct st_entry *e;
	unsigned int n;
	unsigned int cap;
};

/* What one PF looks like, read once. */
struct st_pf {
	const struct vft_sys *sys;
	struct vft_pci_dev pf;
	struct vft_pci_dev *vfs; /* pf.n_vfs entries */
	bool *shown;		 /* which VFs to print */
	char hints[ST_MAX_HINTS][ST_HINT_LEN];
	unsigned int n_hints;
};

struct st_opts {
	struct vft_sys sys;
	bool json;
	int enable_sriov;   /* 1, 0, -ENOENT */
	const char *broker; /* --broker SOCK: its counters instead */
};

static const char st_usage[] =
	"Usage: " CLI_PROG " status [--json] [ADDR...]\n"
	"       " CLI_PROG " status --broker SOCK [--json]\n"
	"\n"
	"Show each SR-IOV PF (a PCI function with sriov_totalvfs) and "
	"its VFs:\n"
	"drivers, IOMMU groups, VF counts, whether a VF token gates "
	"the "
	"VFs\n"
	"(it does when the PF is bound to vfio-pci), vfio-pci's "
	"enable_sriov,\n"
	"and the next step when something blocks their use.\n"
	"\n"
	"With ADDR, only those functions; a VF shows its PF's entry "
	"too.\n"
	"\n"
	"With --broker, the counters of the VF token broker (vftokend) "
	"listening\n"
	"on SOCK instead: opens, refusals, rotations, malformed requests,\n"
	"connections its limits refused, client fds handed to its closer.\n"
	"Only root and users an allow rule of its policy names may ask.\n"
	"\n"
	"Options:\n"
	"  --broker SOCK the broker's socket (e.g. /run/vftoken/broker.sock)\n"
	"  --json        machine-readable output\n"
	"  --help, -h    this text\n"
	"\n";

static struct st_entry *
st_list_add(struct st_list *l, const struct vft_pci_addr *pf)
{
	struct st_entry *e;
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (vft_pci_addr_equal(&l->e[i].pf, pf))
			return &l->e[i];
	if (l->n == l->cap) {
		unsigned int cap = l->cap ? l->cap * 2 : 8;

		e = realloc(l->e, cap * sizeof(*e));
		if (e == NULL)
			return NULL;
		l->e = e;
		l->cap = cap;
	}
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->pf = *pf;
	return e;
}

static int
st_scan_cb(const struct vft_pci_dev *dev, void *arg)
{
	struct st_list *l = arg;
	struct st_entry *e;

	if (!dev->sriov_capable || dev->is_vf)
		return 0;
	e = st_list_add(l, &dev->addr);
	if (e == NULL)
		return -ENOMEM;
	e->all_vfs = true;
	return 0;
}

/* A PF shows all its VFs; a VF shows its PF's entry with this VF. */
static int
st_select_dev(struct st_list *l, const struct vft_pci_dev *dev)
{
	struct st_entry *e;

	if (dev->sriov_capable && !dev->is_vf) {
		e = st_list_add(l, &dev->addr);
		if (e == NULL)
			return CLI_EXIT_FAILURE;
		e->all_vfs = true;
		return 0;
	}
	if (dev->is_vf) {
		e = st_list_add(l, &dev->pf);
		if (e == NULL)
			return CLI_EXIT_FAILURE;
		if (e->n_sel < VFT_MAX_VFS)
			e->sel[e->n_sel++] = dev->addr;
		return 0;
	}
	cli_error("%s is neither an SR-IOV PF (no sriov_totalvfs) nor a VF (no "
		  "physfn link)",
		  dev->name);
	return CLI_EXIT_PRECONDITION;
}

/* Add the entry for one ADDR argument. */
static int
st_select_one(const struct st_opts *o, struct st_list *l, const char *arg)
{
	struct vft_pci_dev *dev;
	struct vft_pci_addr a;
	struct vft_err err;
	int rc;

	rc = cli_parse_addr(arg, "ADDR", &a);
	if (rc != 0)
		return rc;
	dev = malloc(sizeof(*dev));
	if (dev == NULL)
		return CLI_EXIT_FAILURE;
	vft_err_clear(&err);
	rc = vft_pci_dev_read(&o->sys, &a, dev, &err);
	if (rc != 0) {
		cli_error("%s", err.msg);
		rc = cli_exit_for_errno(rc);
	} else {
		rc = st_select_dev(l, dev);
	}
	free(dev);
	return rc;
}

static const char *
st_drv(const struct vft_pci_dev *d)
{
	return d->driver[0] != '\0' ? d->driver : "none";
}

static void st_hint(struct st_pf *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
st_hint(struct st_pf *p, const char *fmt, ...)
{
	va_list ap;

	if (p->n_hints == ST_MAX_HINTS)
		return;
	va_start(ap, fmt);
	vsnprintf(p->hints[p->n_hints++], ST_HINT_LEN, fmt, ap);
	va_end(ap);
}

/* Hints for a PF that is not on vfio-pci. */
static void
st_hints_host_pf(struct st_pf *p)
{
	const char *name = p->pf.name;

	if (p->pf.driver[0] == '\0') {
		st_hint(p,
			"PF not bound to any driver: vftoken vfs create %s N "
			"--bind",
			name);
		return;
	}
	st_hint(p, "PF on %s: VFs are not token-gated", p->pf.driver);
	if (p->pf.num_vfs == 0)
		st_hint(p,
			"no VFs: vftoken vfs create %s N (add --bind to gate "
			"them with a token)",
			name);
	else
		st_hint(p,
			"to gate them: vftoken vfs destroy %s && vftoken vfs "
			"create %s %u --bind",
			name, name, p->pf.num_vfs);
}

/* Hints for a PF on vfio-pci. */
static void
st_hints_vfio_pf(struct st_pf *p, int enable_sriov)
{
	unsigned int i;

	if (p->pf.num_vfs == 0 && enable_sriov != 1)
		st_hint(p, "enable_sriov=N: modprobe -r vfio-pci && modprobe "
			   "vfio-pci enable_sriov=1");
	if (p->pf.num_vfs == 0) {
		st_hint(p, "no VFs: vftoken vfs create %s N", p->pf.name);
		return;
	}
	for (i = 0; i < p->pf.n_vfs; i++) {
		const struct vft_pci_dev *v = &p->vfs[i];

		if (v->name[0] != '\0' && p->shown[i] &&
		    !vft_pci_dev_on_vfio(v))
			st_hint(p,
				"VF %s on %s, not vfio-pci: bind it to "
				"vfio-pci (driver_override) to use it "
				"through VFIO",
				v->name, st_drv(v));
	}
}

static int
st_read_pf(const struct st_opts *o, const struct st_entry *e, struct st_pf *p)
{
	struct vft_err err;
	unsigned int i, k;
	int rc;

	vft_err_clear(&err);
	p->sys = &o->sys;
	rc = vft_pci_dev_read(&o->sys, &e->pf, &p->pf, &err);
	if (rc != 0) {
		cli_error("%s", err.msg);
		return cli_exit_for_errno(rc);
	}
	p->vfs = calloc(p->pf.n_vfs ? p->pf.n_vfs : 1, sizeof(*p->vfs));
	p->shown = calloc(p->pf.n_vfs ? p->pf.n_vfs : 1, sizeof(*p->shown));
	if (p->vfs == NULL || p->shown == NULL)
		return CLI_EXIT_FAILURE;
	for (i = 0; i < p->pf.n_vfs; i++) {
		/* a VF vanishing under us is shown as unreadable */
		if (vft_pci_dev_read(&o->sys, &p->pf.vfs[i], &p->vfs[i],
				     NULL) != 0) {
			vft_pci_addr_format(&p->pf.vfs[i], p->vfs[i].name);
			p->vfs[i].iommu_group = ST_UNREADABLE;
		}
		p->shown[i] = e->all_vfs;
		for (k = 0; k < e->n_sel; k++)
			if (vft_pci_addr_equal(&e->sel[k], &p->pf.vfs[i]))
				p->shown[i] = true;
	}
	if (vft_pci_dev_on_vfio(&p->pf))
		st_hints_vfio_pf(p, o->enable_sriov);
	else
		st_hints_host_pf(p);
	return 0;
}

static void
st_free_pf(struct st_pf *p)
{
	free(p->vfs);
	free(p->shown);
	p->vfs = NULL;
	p->shown = NULL;
}

/* The VFIO paths that can open @p d now: "group,cdev", "group", ... */
static const char *
st_paths(const struct st_pf *p, const struct vft_pci_dev *d)
{
	static const char *const names[] = { "none", "group", "cdev",
					     "group,cdev" };
	unsigned int m = vft_paths_available(p->sys, d);

	unsigned int group = (m & (1u << VFT_PATH_GROUP)) != 0;
	unsigned int cdev = (m & (1u << VFT_PATH_CDEV)) != 0;

	return names[group | cdev << 1];
}

static json_t *
st_json_paths(const struct st_pf *p, const struct vft_pci_dev *d)
{
	unsigned int m = vft_paths_available(p->sys, d);
	json_t *a = json_array();

	if (m & (1u << VFT_PATH_GROUP))
		json_array_append_new(a, json_string("group"));
	if (m & (1u << VFT_PATH_CDEV))
		json_array_append_new(a, json_string("cdev"));
	return a;
}

static void
st_print_group(int g)
{
	if (g >= 0)
		printf("iommu_group=%d", g);
	else
		printf("iommu_group=none");
}

static void
st_text_vf(const struct st_pf *p, unsigned int i)
{
	const struct vft_pci_dev *v = &p->vfs[i];

	if (v->iommu_group == ST_UNREADABLE) {
		printf("  %s  VF%u  unreadable (removed?)\n", v->name, i);
		return;
	}
	printf("  %s  VF%u  %04x:%04x  driver=%s  ", v->name, i, v->vendor,
	       v->device, st_drv(v));
	st_print_group(v->iommu_group);
	printf("  %s  paths=%s\n",
	       vft_pci_dev_on_vfio(&p->pf) ? "token-gated" : "not token-gated",
	       st_paths(p, v));
}

static void
st_text_pf(const struct st_pf *p)
{
	unsigned int i;

	printf("%s  PF  %04x:%04x  driver=%s  ", p->pf.name, p->pf.vendor,
	       p->pf.device, st_drv(&p->pf));
	st_print_group(p->pf.iommu_group);
	printf("  VFs %u/%u  %s  paths=%s\n", p->pf.num_vfs, p->pf.total_vfs,
	       vft_pci_dev_on_vfio(&p->pf) ? "VFs token-gated"
					   : "VFs not token-gated",
	       st_paths(p, &p->pf));
	for (i = 0; i < p->pf.n_vfs; i++)
		if (p->shown[i])
			st_text_vf(p, i);
	for (i = 0; i < p->n_hints; i++)
		printf("  next: %s\n", p->hints[i]);
	if (p->n_hints == 0)
		printf("  ready: VF users need the PF's VF token (set it with "
		       "'vftoken token set %s ...')\n",
		       p->pf.name);
}

static const char *
st_enable_sriov_str(int v)
{
	return v == 1 ? "Y" : v == 0 ? "N" : "not loaded";
}

static json_t *
st_json_str_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
st_json_group(int g)
{
	return g >= 0 ? json_integer(g) : json_null();
}

static json_t *
st_json_id(uint16_t v)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%04x", v);
	return json_string(buf);
}

static json_t *
st_json_vf(const struct st_pf *p, unsigned int i)
{
	const struct vft_pci_dev *v = &p->vfs[i];
	json_t *o = json_object();

	json_object_set_new(o, "addr", json_string(v->name));
	json_object_set_new(o, "index", json_integer(i));
	json_object_set_new(o, "readable",
			    json_boolean(v->iommu_group != ST_UNREADABLE));
	json_object_set_new(o, "vendor", st_json_id(v->vendor));
	json_object_set_new(o, "device", st_json_id(v->device));
	json_object_set_new(o, "driver", st_json_str_or_null(v->driver));
	json_object_set_new(o, "iommu_group", st_json_group(v->iommu_group));
	json_object_set_new(o, "token_gated",
			    json_boolean(vft_pci_dev_on_vfio(&p->pf)));
	json_object_set_new(o, "vfio_paths", st_json_paths(p, v));
	return o;
}

static json_t *
st_json_pf(const struct st_pf *p)
{
	json_t *o = json_object();
	json_t *vfs = json_array();
	json_t *next = json_array();
	unsigned int i;

	json_object_set_new(o, "addr", json_string(p->pf.name));
	json_object_set_new(o, "vendor", st_json_id(p->pf.vendor));
	json_object_set_new(o, "device", st_json_id(p->pf.device));
	json_object_set_new(o, "driver", st_json_str_or_null(p->pf.driver));
	json_object_set_new(o, "iommu_group", st_json_group(p->pf.iommu_group));
	json_object_set_new(o, "total_vfs", json_integer(p->pf.total_vfs));
	json_object_set_new(o, "num_vfs", json_integer(p->pf.num_vfs));
	json_object_set_new(o, "vfs_token_gated",
			    json_boolean(vft_pci_dev_on_vfio(&p->pf)));
	json_object_set_new(o, "vfio_paths", st_json_paths(p, &p->pf));
	for (i = 0; i < p->pf.n_vfs; i++)
		if (p->shown[i])
			json_array_append_new(vfs, st_json_vf(p, i));
	for (i = 0; i < p->n_hints; i++)
		json_array_append_new(next, json_string(p->hints[i]));
	json_object_set_new(o, "vfs", vfs);
	json_object_set_new(o, "ready", json_boolean(p->n_hints == 0));
	json_object_set_new(o, "next", next);
	return o;
}

static json_t *
st_json_vfio(int enable_sriov)
{
	json_t *o = json_object();

	json_object_set_new(o, "loaded", json_boolean(enable_sriov >= 0));
	json_object_set_new(o, "enable_sriov",
			    enable_sriov >= 0 ? json_string(st_enable_sriov_str(
							enable_sriov))
					      : json_null());
	return o;
}

static void
st_text_header(const struct st_opts *o, const struct st_list *l)
{
	printf("vfio-pci: enable_sriov=%s\n",
	       st_enable_sriov_str(o->enable_sriov));
	if (l->n == 0)
		printf("no SR-IOV PFs (no PCI function has sriov_totalvfs)\n");
}

/* One JSON document; a failure adds the error fields (verdict, reason,
 * fix, exit) of every --json error (cli_json_error()). */
static void
st_json_print(json_t *root, json_t *pfs, int rc)
{
	json_object_set_new(root, "pfs", pfs);
	if (rc != 0)
		cli_json_error(root, rc);
	json_dumpf(root, stdout, JSON_INDENT(2));
	cli_json_mark_printed();
	fputc('\n', stdout);
	json_decref(root);
}

/* Read and print every entry; @p rc is the selection's exit code.
 * @return the last non-zero exit code seen. */
static int
st_show(const struct st_opts *o, const struct st_list *l, int rc)
{
	json_t *root = NULL, *pfs = NULL;
	struct st_pf *p;
	unsigned int i;

	p = malloc(sizeof(*p));
	if (p == NULL)
		return CLI_EXIT_FAILURE;
	if (o->json) {
		root = json_object();
		pfs = json_array();
		json_object_set_new(root, "vfio_pci",
				    st_json_vfio(o->enable_sriov));
	} else {
		st_text_header(o, l);
	}
	for (i = 0; i < l->n; i++) {
		int r;

		memset(p, 0, sizeof(*p));
		r = st_read_pf(o, &l->e[i], p);
		if (r != 0)
			rc = r;
		else if (o->json)
			json_array_append_new(pfs, st_json_pf(p));
		else
			st_text_pf(p);
		st_free_pf(p);
	}
	free(p);
	if (o->json)
		st_json_print(root, pfs, rc);
	return rc;
}

static int
st_opt(void *ctx, int c, const char *name, char *arg)
{
	struct st_opts *o = ctx;

	(void)name;
	if (c == 'b') {
		o->broker = arg;
		return 0;
	}
	if (c != 'j')
		return CLI_EXIT_USAGE;
	o->json = true;
	return 0;
}

static const struct option st_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "broker", required_argument, NULL, 'b' },
	CLI_GETOPT_END,
};

static const struct cli_cmd st_cmd = { "status", st_usage, st_options, st_opt };

/* status --broker SOCK: the broker's counters. */
static int
st_broker(const struct st_opts *o)
{
	struct vft_broker_stats s;
	struct vft_err err;
	json_t *root;

	vft_err_clear(&err);
	if (vft_broker_stats(o->broker, &s, &err) < 0) {
		cli_error("the broker's counters: %s", err.msg);
		return cli_exit_for_broker(o->broker, err.code);
	}
	if (!o->json) {
		printf("broker %s, up %llu s\n"
		       "  opens                 %llu\n"
		       "  refusals              %llu\n"
		       "  rotations             %llu\n"
		       "  malformed             %llu\n"
		       "  connections refused   %llu\n"
		       "  fds to the closer     %llu\n"
		       "  clients now           %u\n"
		       "  PF references now     %u\n",
		       o->broker, (unsigned long long)s.uptime_s,
		       (unsigned long long)s.opens,
		       (unsigned long long)s.refusals,
		       (unsigned long long)s.rotations,
		       (unsigned long long)s.malformed,
		       (unsigned long long)s.caps_refused,
		       (unsigned long long)s.closer_fds, s.clients, s.pf_refs);
		return CLI_EXIT_OK;
	}
	root = json_object();
	json_object_set_new(root, "broker", json_string(o->broker));
	json_object_set_new(root, "uptime_s",
			    json_integer((json_int_t)s.uptime_s));
	json_object_set_new(root, "opens", json_integer((json_int_t)s.opens));
	json_object_set_new(root, "refusals",
			    json_integer((json_int_t)s.refusals));
	json_object_set_new(root, "rotations",
			    json_integer((json_int_t)s.rotations));
	json_object_set_new(root, "malformed",
			    json_integer((json_int_t)s.malformed));
	json_object_set_new(root, "connections_refused",
			    json_integer((json_int_t)s.caps_refused));
	json_object_set_new(root, "closer_fds",
			    json_integer((json_int_t)s.closer_fds));
	json_object_set_new(root, "clients", json_integer(s.clients));
	json_object_set_new(root, "pf_refs", json_integer(s.pf_refs));
	json_dumpf(root, stdout, JSON_INDENT(2));
	cli_json_mark_printed();
	fputc('\n', stdout);
	json_decref(root);
	return CLI_EXIT_OK;
}

static int
st_select(const struct st_opts *o, struct st_list *l, int argc, char **argv)
{
	int i, rc = 0, r;

	if (argc == 0) {
		r = vft_pci_scan(&o->sys, st_scan_cb, l);
		if (r < 0) {
			cli_error("cannot list PCI functions under %s: %s",
				  o->sys.root, strerror(-r));
			return CLI_EXIT_FAILURE;
		}
		return 0;
	}
	for (i = 0; i < argc; i++) {
		r = st_select_one(o, l, argv[i]);
		if (r == CLI_EXIT_USAGE)
			return r;
		if (r != 0)
			rc = r;
	}
	return rc;
}

int
cmd_status(int argc, char **argv)
{
	struct st_list l = { NULL, 0, 0 };
	struct st_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	vft_sys_init(&o.sys, NULL);
	rc = cli_getopt(&st_cmd, &o.sys, &o, argc, argv);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (o.broker != NULL && optind < argc) {
		cli_error("status --broker takes no address: it shows the "
			  "broker's counters");
		return CLI_EXIT_USAGE;
	}
	if (o.broker != NULL)
		return st_broker(&o);
	o.enable_sriov = vft_vfio_pci_enable_sriov(&o.sys);
	rc = st_select(&o, &l, argc - optind, argv + optind);
	if (rc != CLI_EXIT_USAGE && (l.n > 0 || rc == 0)) {
		rc = st_show(&o, &l, rc);
	}
	free(l.e);
	return rc;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * vftoken cdi [ADDR...] [--pf PF] [--out FILE]: write a Container Device
 * Interface spec (github.com/cncf-tags/container-device-interface,
 * SPEC.md) that names each function the VF token broker serves, so that a
 * container engine (Podman: --device vftoken.dev/vf=ADDR) gives a
 * container what the sriov bus needs to have the broker open it: the
 * broker's socket (a bind mount), a hugetlbfs mount and VFTOKEN_BROKER in
 * the environment. No device node (no /dev/vfio) and no token: the broker
 * opens the function and hands the fds over (doc/guides/broker.rst), and
 * its policy decides which container gets which function
 * (doc/guides/containers.rst).
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "vftoken_cli.h"

/* The CDI spec version written: Debian 12's Podman 4.3.1 vendors the CDI
 * package v0.5.x, which reads specs up to 0.5.0; 0.5.0 is the first that
 * allows a device name starting with a digit (a PCI address). */
#define CDI_VERSION "0.5.0"
#define CDI_KIND "vftoken.dev/vf"
#define CDI_SOCKET "/run/vftoken/broker.sock"
#define CDI_HUGE_DIR "/dev/hugepages"
#define CDI_MAX_DEVS 256
/* The CDI package refuses a name part longer than this (vendor, class). */
#define CDI_NAME_MAX 63

struct cdi_opts {
	struct vft_sys sys;
	const char *out;
	const char *kind;
	const char *socket;
	const char *huge_dir; /* "none": no hugepage mount */
	enum vft_path path;   /* VFTOKEN_VFIO_PATH given to the container */
	unsigned int n_pf;
	const char *pf_arg[8];
	unsigned int n;
	struct vft_pci_addr devs[CDI_MAX_DEVS];
};

static const char cdi_usage[] =
	"Usage: " CLI_PROG " cdi [ADDR...] [--pf PF] [--out FILE] "
	"[--socket S]\n"
	"                   [--huge-dir DIR|none] [--vfio-path P] "
	"[--kind VENDOR/CLASS]\n"
	"\n"
	"Write a Container Device Interface (CDI) spec that names each "
	"function\n"
	"ADDR (and every VF of each --pf PF) as a device, e.g.\n"
	"vftoken.dev/vf=0000:01:10.0, for a container engine:\n"
	"\n"
	"  podman run --device vftoken.dev/vf=0000:01:10.0 ...\n"
	"\n"
	"A container given such a device gets the VF token broker's socket "
	"(bind\n"
	"mount), the hugetlbfs mount DIR at /dev/hugepages, VFTOKEN_BROKER=S "
	"(the\n"
	"sriov bus then asks the broker for every device it opens), the "
	"VFIO path\n"
	"VFTOKEN_VFIO_PATH=P for the broker to open (the container sees no "
	"VFIO\n"
	"node to choose by) and\n"
	"VFTOKEN_DEVICE_<ADDR>=ADDR for each device given. It gets no device "
	"node\n"
	"(no /dev/vfio) and no token: the broker opens the function for the\n"
	"container's process if its policy allows that container "
	"(vftokend(8),\n"
	"cgroup= rules). The spec is version " CDI_VERSION
	" (Podman 4.3 and later).\n"
	"\n"
	"Options:\n"
	"  --pf PF           every VF PF has now (up to 8 --pf)\n"
	"  --out FILE        write the spec to FILE (mode 0644, replaced "
	"at once),\n"
	"                    e.g. /etc/cdi/vftoken.json or "
	"/run/cdi/vftoken.json;\n"
	"                    default: standard output\n"
	"  --socket S        the broker's socket (default " CDI_SOCKET ")\n"
	"  --huge-dir DIR    the hugetlbfs mount to give (default " CDI_HUGE_DIR
	");\n"
	"                    'none': the engine mounts hugepages itself\n"
	"  --vfio-path P     group or cdev: the path the broker opens the "
	"functions\n"
	"                    on (default: this host's choice, group where\n"
	"                    /dev/vfio/vfio exists, else cdev)\n"
	"  --kind V/C        the devices' kind (default " CDI_KIND ")\n"
	"  --help, -h        this text\n"
	"\n";

static int
cdi_abs_path(const char *what, const char *v)
{
	if (v[0] == '/' && strlen(v) < PATH_MAX && strstr(v, "/../") == NULL)
		return 0;
	cli_error("%s '%.64s': expected an absolute path", what, v);
	return CLI_EXIT_USAGE;
}

/* CDI's vendor and class names: letters, digits, '_', '-', '.'; the
 * vendor a domain (with a dot), both starting with a letter or digit. */
static bool
cdi_name_part(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > CDI_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '-' && c != '.')))
			return false;
	}
	return true;
}

static int
cdi_check_kind(const char *kind)
{
	const char *slash = strchr(kind, '/');

	if (slash != NULL && memchr(kind, '.', (size_t)(slash - kind)) &&
	    cdi_name_part(kind, (size_t)(slash - kind)) &&
	    cdi_name_part(slash + 1, strlen(slash + 1)))
		return 0;
	cli_error("--kind '%.64s': expected VENDOR/CLASS, the vendor a domain "
		  "(e.g. " CDI_KIND "), letters, digits, '_', '-', '.'",
		  kind);
	return CLI_EXIT_USAGE;
}

static int
cdi_opt(void *ctx, int c, const char *name, char *arg)
{
	struct cdi_opts *o = ctx;

	(void)name;
	switch (c) {
	case 'o':
		o->out = arg;
		return 0;
	case 'k':
		o->kind = arg;
		return cdi_check_kind(arg);
	case 's':
		o->socket = arg;
		return cdi_abs_path("--socket", arg);
	case 'g':
		o->huge_dir = arg;
		return strcmp(arg, "none") == 0
			       ? 0
			       : cdi_abs_path("--huge-dir", arg);
	case 'v':
		if (vft_path_parse(arg, &o->path) == 0)
			return 0;
		cli_error("--vfio-path '%.64s': expected group, cdev or auto",
			  arg);
		return CLI_EXIT_USAGE;
	case 'p':
		if (o->n_pf == sizeof(o->pf_arg) / sizeof(o->pf_arg[0])) {
			cli_error("more than %zu --pf options",
				  sizeof(o->pf_arg) / sizeof(o->pf_arg[0]));
			return CLI_EXIT_USAGE;
		}
		o->pf_arg[o->n_pf++] = arg;
		return 0;
	default:
		return CLI_EXIT_USAGE;
	}
}

static const struct option cdi_options[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "kind", required_argument, NULL, 'k' },
	{ "socket", required_argument, NULL, 's' },
	{ "huge-dir", required_argument, NULL, 'g' },
	{ "pf", required_argument, NULL, 'p' },
	{ "vfio-path", required_argument, NULL, 'v' },
	CLI_GETOPT_END,
};

static const struct cli_cmd cdi_cmd = { "cdi", cdi_usage, cdi_options,
					cdi_opt };

static int
cdi_add(struct cdi_opts *o, const struct vft_pci_addr *a)
{
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (vft_pci_addr_equal(&o->devs[i], a))
			return 0;
	if (o->n == CDI_MAX_DEVS) {
		cli_error("more than %u functions: write several specs",
			  CDI_MAX_DEVS);
		return CLI_EXIT_USAGE;
	}
	o->devs[o->n++] = *a;
	return 0;
}

/* The function @p arg names (@p what in messages): it must exist. */
static int
cdi_read(struct cdi_opts *o, const char *arg, const char *what,
	 struct vft_pci_addr *a, struct vft_pci_dev *d)
{
	struct vft_err err;
	int rc;

	rc = cli_parse_addr(arg, what, a);
	if (rc != 0)
		return rc;
	vft_err_clear(&err);
	rc = vft_pci_dev_read(&o->sys, a, d, &err);
	if (rc != 0) {
		cli_error("%s", err.msg);
		return cli_exit_for_errno(rc);
	}
	return 0;
}

/* A function named on the command line. */
static int
cdi_add_dev(struct cdi_opts *o, const char *arg)
{
	struct vft_pci_addr a;
	struct vft_pci_dev d;
	int rc;

	rc = cdi_read(o, arg, "function", &a, &d);
	if (rc != 0)
		return rc;
	if (!vft_pci_dev_on_vfio(&d))
		cli_warn("%s is on driver '%s', not vfio-pci: the broker "
			 "cannot open it until it is",
			 d.name, d.driver[0] != '\0' ? d.driver : "none");
	return cdi_add(o, &a);
}

/* Every VF the PF has now. */
static int
cdi_add_pf(struct cdi_opts *o, const char *arg)
{
	struct vft_pci_addr a;
	struct vft_pci_dev pf;
	unsigned int i;
	int rc;

	rc = cdi_read(o, arg, "--pf", &a, &pf);
	if (rc != 0)
		return rc;
	if (pf.is_vf || pf.n_vfs == 0) {
		cli_error("--pf %s: %s (expected a PF with VFs: "
			  "'" CLI_PROG " vfs create PF N')",
			  pf.name, pf.is_vf ? "is a VF" : "has no VFs");
		return CLI_EXIT_PRECONDITION;
	}
	for (i = 0; i < pf.n_vfs; i++) {
		rc = cdi_add(o, &pf.vfs[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* "VFTOKEN_DEVICE_0000_01_10_0=0000:01:10.0": one variable per device,
 * so that two devices' edits never set the same variable. */
static json_t *
cdi_device(const struct vft_pci_addr *a)
{
	char name[VFT_PCI_ADDR_LEN], env[2 * VFT_PCI_ADDR_LEN + 32];
	json_t *d, *edits, *envs;
	size_t i, k;

	vft_pci_addr_format(a, name);
	k = (size_t)snprintf(env, sizeof(env), "VFTOKEN_DEVICE_");
	for (i = 0; name[i] != '\0' && k < sizeof(env) - 1; i++)
		env[k++] = (name[i] == ':' || name[i] == '.') ? '_' : name[i];
	snprintf(env + k, sizeof(env) - k, "=%s", name);
	envs = json_array();
	json_array_append_new(envs, json_string(env));
	edits = json_object();
	json_object_set_new(edits, "env", envs);
	d = json_object();
	json_object_set_new(d, "name", json_string(name));
	json_object_set_new(d, "containerEdits", edits);
	return d;
}

static json_t *
cdi_mount(const char *host, const char *ctr, const char *opt1, const char *opt2)
{
	json_t *m = json_object(), *opts = json_array();

	json_object_set_new(m, "hostPath", json_string(host));
	json_object_set_new(m, "containerPath", json_string(ctr));
	json_array_append_new(opts, json_string(opt1));
	if (opt2 != NULL)
		json_array_append_new(opts, json_string(opt2));
	json_object_set_new(m, "options", opts);
	return m;
}

static json_t *
cdi_spec(const struct cdi_opts *o)
{
	json_t *spec = json_object(), *edits = json_object();
	json_t *envs = json_array(), *mounts = json_array();
	json_t *devs = json_array();
	char env[PATH_MAX + 32];
	unsigned int i;

	snprintf(env, sizeof(env), "VFTOKEN_BROKER=%s", o->socket);
	json_array_append_new(envs, json_string(env));
	/* The bus picks its path by the nodes it sees (vft_path_auto()),
	 * and a container sees none: name the host's. */
	snprintf(env, sizeof(env), "VFTOKEN_VFIO_PATH=%s",
		 vft_path_name(o->path));
	json_array_append_new(envs, json_string(env));
	/* The socket file itself, not its directory: nothing else of the
	 * broker's is shown. Under vftokend.socket the inode stays the same
	 * across broker restarts. */
	json_array_append_new(mounts,
			      cdi_mount(o->socket, o->socket, "bind", NULL));
	if (strcmp(o->huge_dir, "none") != 0)
		json_array_append_new(
			mounts,
			cdi_mount(o->huge_dir, CDI_HUGE_DIR, "rbind", "rw"));
	json_object_set_new(edits, "env", envs);
	json_object_set_new(edits, "mounts", mounts);
	for (i = 0; i < o->n; i++)
		json_array_append_new(devs, cdi_device(&o->devs[i]));
	json_object_set_new(spec, "cdiVersion", json_string(CDI_VERSION));
	json_object_set_new(spec, "kind", json_string(o->kind));
	json_object_set_new(spec, "devices", devs);
	json_object_set_new(spec, "containerEdits", edits);
	return spec;
}

/* FILE replaced at once: a temporary file next to it, renamed over it. */
static int
cdi_write(const char *path, const json_t *spec)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, n, e = 0;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		cli_error("--out '%.64s...' is too long", path);
		return CLI_EXIT_USAGE;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error("cannot create a file next to %s: %s", path,
			  strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		e = errno;
		close(fd);
	} else {
		if (fchmod(fd, 0644) != 0 ||
		    json_dumpf(spec, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) !=
			    0 ||
		    fputc('\n', f) == EOF || fflush(f) != 0 || fsync(fd) != 0)
			e = errno != 0 ? errno : EIO;
		if (fclose(f) != 0 && e == 0)
			e = errno;
	}
	if (e == 0 && rename(tmp, path) != 0)
		e = errno;
	if (e != 0) {
		unlink(tmp);
		cli_error("cannot write %s: %s", path, strerror(e));
		return CLI_EXIT_FAILURE;
	}
	return 0;
}

int
cmd_cdi(int argc, char **argv)
{
	struct cdi_opts o;
	json_t *spec;
	unsigned int i;
	int rc;

	memset(&o, 0, sizeof(o));
	vft_sys_init(&o.sys, NULL);
	o.kind = CDI_KIND;
	o.socket = CDI_SOCKET;
	o.huge_dir = CDI_HUGE_DIR;
	o.path = vft_path_auto();
	rc = cli_getopt(&cdi_cmd, &o.sys, &o, argc, argv);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (optind >= argc && o.n_pf == 0) {
		cli_error("cdi: no function (expected ADDR... or --pf PF)");
		cli_print_usage(stderr, cdi_usage);
		return CLI_EXIT_USAGE;
	}
	for (i = (unsigned int)optind; i < (unsigned int)argc; i++) {
		rc = cdi_add_dev(&o, argv[i]);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < o.n_pf; i++) {
		rc = cdi_add_pf(&o, o.pf_arg[i]);
		if (rc != 0)
			return rc;
	}
	spec = cdi_spec(&o);
	if (o.out == NULL) {
		rc = json_dumpf(spec, stdout,
				JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0
			     ? CLI_EXIT_OK
			     : CLI_EXIT_FAILURE;
		fputc('\n', stdout);
	} else {
		rc = cdi_write(o.out, spec);
	}
	json_decref(spec);
	return rc;
}

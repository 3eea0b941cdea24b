/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for the sysfs readers, on a generated fake sysfs tree
 * (tests/unit/fake_sysfs.c; logic only, no kernel). The tree has a PF on
 * vfio-pci with two VFs and a two-function IOMMU group on host drivers.
 * Each input picks one of those functions and overwrites its attribute
 * files and links (and vfio-pci's enable_sriov) with fuzzed bytes, then
 * calls vft_pci_dev_read(), vft_vfio_pci_enable_sriov(), vft_explain_step(),
 * vft_pci_scan(), vft_iommu_group_devices() and vft_pci_set_num_vfs().
 * They must not crash, and must return an error or sane values: numbers as
 * the file says them when it says them the way the kernel writes them
 * ("%u" or "0x%x" and a newline), never a value the file does not hold.
 * The tree is put back after each input, so every run starts alike.
 *
 * Input: 4 header bytes (function, errno, step, flags), then per slot a
 * length byte L and L bytes; L = 0xff removes the file or link, L = 0xfe
 * keeps it; slots past the end of the input keep their files.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sysfs.h"
#include "fuzz_ref.h"
#include "vft_private.h"
#include "vftoken.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PF "0000:01:00.0"
#define VF0 "0000:01:10.0"
#define VF1 "0000:01:10.2"
#define DEV_A "0000:02:00.0"
#define DEV_B "0000:02:00.1"

static const char *const fuzz_devs[] = { PF, VF0, VF1, DEV_A, DEV_B };
#define N_DEVS (sizeof(fuzz_devs) / sizeof(fuzz_devs[0]))

enum slot_kind { SLOT_FILE, SLOT_LINK };

/* Numbers: the largest value the kernel can write there (0: not one). */
static const struct {
	const char *name;
	enum slot_kind kind;
	unsigned long max;
} fuzz_slots[] = {
	{ "vendor", SLOT_FILE, 0xffff },
	{ "device", SLOT_FILE, 0xffff },
	{ "class", SLOT_FILE, 0xffffff },
	{ "subsystem_vendor", SLOT_FILE, 0xffff },
	{ "subsystem_device", SLOT_FILE, 0xffff },
	{ "sriov_totalvfs", SLOT_FILE, 0xffff },
	{ "sriov_numvfs", SLOT_FILE, 0xffff },
	{ "numa_node", SLOT_FILE, 0 },
	{ "driver_override", SLOT_FILE, 0 },
	{ "driver", SLOT_LINK, 0 },
	{ "iommu_group", SLOT_LINK, 0 },
	{ "physfn", SLOT_LINK, 0 },
	{ "virtfn0", SLOT_LINK, 0 },
	{ "enable_sriov", SLOT_FILE, 0 }, /* vfio_pci's, not the device's */
};
#define N_SLOTS (sizeof(fuzz_slots) / sizeof(fuzz_slots[0]))
enum {
	S_VENDOR,
	S_DEVICE,
	S_CLASS,
	S_SVENDOR,
	S_SDEVICE,
	S_TOTALVFS,
	S_NUMVFS,
	S_NUMA,
	S_OVERRIDE,
	S_DRIVER,
	S_GROUP,
	S_PHYSFN,
	S_VIRTFN0,
	S_ENABLE
};

/* sys_read_attr() reads up to 63 bytes of an attribute (64-byte buffers);
 * enable_sriov up to 7. Past that the library sees a prefix, so only
 * sanity is checked. */
#define ATTR_WINDOW 63
#define ENABLE_WINDOW 7

static const int fuzz_errnos[] = { 0,	  EACCES,  EINVAL, EPERM,
				   EBUSY, ENODEV,  ENOENT, ENOTTY,
				   EIO,	  ENOTSUP, ENOMEM, ENXIO };

struct saved {
	bool exists;
	size_t len;
	char buf[PATH_MAX];
};

static struct fake_sysfs fuzz_fs;
static struct vft_sys fuzz_sys;
static struct saved fuzz_base[N_DEVS][N_SLOTS];

static void
slot_path(unsigned int d, unsigned int s, char *buf, size_t len)
{
	if (s == S_ENABLE)
		snprintf(buf, len, "%s/module/vfio_pci/parameters/enable_sriov",
			 fuzz_fs.root);
	else
		snprintf(buf, len, "%s/bus/pci/devices/%s/%s", fuzz_fs.root,
			 fuzz_devs[d], fuzz_slots[s].name);
}

static void
slot_save(unsigned int d, unsigned int s, struct saved *sv)
{
	char path[PATH_MAX];
	ssize_t n;

	slot_path(d, s, path, sizeof(path));
	sv->exists = false;
	if (fuzz_slots[s].kind == SLOT_LINK) {
		n = readlink(path, sv->buf, sizeof(sv->buf) - 1);
	} else {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return;
		n = read(fd, sv->buf, sizeof(sv->buf) - 1);
		close(fd);
	}
	if (n < 0)
		return;
	sv->exists = true;
	sv->len = (size_t)n;
	sv->buf[n] = '\0';
}

/* Replace the slot by @p len bytes at @p val, or remove it (NULL). */
static void
slot_put(unsigned int d, unsigned int s, const void *val, size_t len)
{
	char path[PATH_MAX];
	int fd;

	slot_path(d, s, path, sizeof(path));
	unlink(path);
	if (val == NULL)
		return;
	if (fuzz_slots[s].kind == SLOT_LINK) {
		char target[PATH_MAX];

		/* A link target is a C string; an empty one cannot exist. */
		memcpy(target, val, len);
		target[len] = '\0';
		if (target[0] != '\0')
			FUZZ_CHECK(symlink(target, path) == 0);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, val, len) == (ssize_t)len);
	close(fd);
}

static void
slot_restore(unsigned int d, unsigned int s)
{
	const struct saved *sv = &fuzz_base[d][s];

	slot_put(d, s, sv->exists ? sv->buf : NULL, sv->len);
}

static void
fuzz_sysfs_cleanup(void)
{
	fake_sysfs_destroy(&fuzz_fs);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int d, s;

	(void)argc;
	(void)argv;
	FUZZ_CHECK(fake_sysfs_create(&fuzz_fs) == 0);
	atexit(fuzz_sysfs_cleanup);
	FUZZ_CHECK(fake_sysfs_add_pf(&fuzz_fs, PF, 0x8086, 0x10c9, 7,
				     "vfio-pci", 1) == 0);
	FUZZ_CHECK(fake_sysfs_add_vf(&fuzz_fs, PF, 0, VF0, 0x8086, 0x10ca,
				     "vfio-pci", 2) == 0);
	FUZZ_CHECK(fake_sysfs_add_vf(&fuzz_fs, PF, 1, VF1, 0x8086, 0x10ca,
				     "igbvf", 3) == 0);
	FUZZ_CHECK(fake_sysfs_add_dev(&fuzz_fs, DEV_A, 0x144d, 0xa808, 0x010802,
				      "vfio-pci", 4) == 0);
	FUZZ_CHECK(fake_sysfs_add_dev(&fuzz_fs, DEV_B, 0x144d, 0xa809, 0x010802,
				      "nvme", 4) == 0);
	FUZZ_CHECK(fake_sysfs_set_enable_sriov(&fuzz_fs, 1) == 0);
	vft_sys_init(&fuzz_sys, fuzz_fs.root);
	for (d = 0; d < N_DEVS; d++)
		for (s = 0; s < N_SLOTS; s++)
			slot_save(d, s, &fuzz_base[d][s]);
	return 0;
}

/* What the library should see in a file slot: the content without the
 * trailing newlines and spaces it strips. */
struct seen {
	bool exists;
	bool whole; /* fits the library's read window */
	bool nul;   /* holds a NUL byte */
	size_t len;
	char text[PATH_MAX];
};

static void
seen_of(const struct saved *sv, size_t window, struct seen *o)
{
	size_t n = sv->len;

	o->exists = sv->exists;
	o->whole = sv->exists && n <= window;
	while (n > 0 && (sv->buf[n - 1] == '\n' || sv->buf[n - 1] == ' '))
		n--;
	o->len = n;
	memcpy(o->text, sv->buf, n);
	o->text[n] = '\0';
	o->nul = memchr(sv->buf, '\0', sv->len) != NULL;
}

/*
 * How the kernel writes numbers: decimal digits, or 0x and hex digits.
 * @return 1 and the value if it is one and at most @p max, 0 if it is not a
 * number the kernel could have written there.
 */
static int
ref_number(const struct seen *o, unsigned long max, unsigned long *val)
{
	const char *p = o->text;
	unsigned long v = 0, base = 10;

	if (!o->exists || o->nul || o->len == 0)
		return 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (*p == '\0')
			return 0;
	}
	for (; *p != '\0'; p++) {
		int d = ref_hex((unsigned char)*p);

		if (d < 0 || (unsigned long)d >= base)
			return 0;
		if (v > (max - (unsigned long)d) / base)
			return 0;
		v = v * base + (unsigned long)d;
	}
	*val = v;
	return 1;
}

/* Basename of a link target, as the library reads links. */
static const char *
ref_base(const struct saved *sv)
{
	const char *b = strrchr(sv->buf, '/');

	return b != NULL ? b + 1 : sv->buf;
}

static bool
ref_is_decimal(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void
check_addr(const struct vft_pci_addr *a)
{
	FUZZ_CHECK(a->dev < 0x20 && a->fn < 8);
}

static void
check_err(int rc, const struct vft_err *err)
{
	FUZZ_CHECK(rc <= 0);
	FUZZ_CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	if (rc < 0) {
		FUZZ_CHECK(err->code == rc);
		FUZZ_CHECK(err->msg[0] != '\0');
	}
}

/* A mandatory number (vendor, device, class): read exactly or refused. */
static void
check_mandatory(int rc, unsigned long got, const struct saved *sv,
		unsigned long max)
{
	struct seen o;
	unsigned long v;

	seen_of(sv, ATTR_WINDOW, &o);
	if (!o.whole)
		return;
	if (ref_number(&o, max, &v)) {
		if (rc == 0)
			FUZZ_CHECK(got == v);
	} else {
		FUZZ_CHECK(rc != 0);
	}
}

/* An optional number: read exactly, or @p dflt when it is not one. */
static void
check_optional(unsigned long got, const struct saved *sv, unsigned long max,
	       unsigned long dflt)
{
	struct seen o;
	unsigned long v;

	seen_of(sv, ATTR_WINDOW, &o);
	if (!o.whole && o.exists)
		return;
	FUZZ_CHECK(got == (ref_number(&o, max, &v) ? v : dflt));
}

static void
check_dev_common(const struct vft_pci_dev *dev)
{
	unsigned int i;

	FUZZ_CHECK(memchr(dev->driver, '\0', sizeof(dev->driver)) != NULL);
	FUZZ_CHECK(memchr(dev->driver_override, '\0',
			  sizeof(dev->driver_override)) != NULL);
	FUZZ_CHECK(dev->iommu_group >= -1);
	FUZZ_CHECK(dev->numa_node >= -1);
	FUZZ_CHECK(dev->class_code <= 0xffffff);
	FUZZ_CHECK(dev->n_vfs <= VFT_MAX_VFS);
	for (i = 0; i < dev->n_vfs; i++)
		check_addr(&dev->vfs[i]);
	if (dev->is_vf)
		check_addr(&dev->pf);
	check_addr(&dev->addr);
}

/* vft_pci_dev_read() of function @p d against what its slots hold. */
static void
check_dev(unsigned int d, int rc, const struct vft_pci_dev *dev,
	  const struct saved *sl)
{
	struct vft_pci_addr a;
	struct seen o;
	unsigned long v;

	if (rc != 0)
		return;
	check_dev_common(dev);
	FUZZ_CHECK(strcmp(dev->name, fuzz_devs[d]) == 0);
	check_mandatory(rc, dev->vendor, &sl[S_VENDOR],
			fuzz_slots[S_VENDOR].max);
	check_mandatory(rc, dev->device, &sl[S_DEVICE],
			fuzz_slots[S_DEVICE].max);
	check_mandatory(rc, dev->class_code, &sl[S_CLASS],
			fuzz_slots[S_CLASS].max);
	check_optional(dev->subsys_vendor, &sl[S_SVENDOR],
		       fuzz_slots[S_SVENDOR].max, 0);
	check_optional(dev->subsys_device, &sl[S_SDEVICE],
		       fuzz_slots[S_SDEVICE].max, 0);

	/* SR-IOV: capable iff sriov_totalvfs holds a number. */
	seen_of(&sl[S_TOTALVFS], ATTR_WINDOW, &o);
	if (o.whole || !o.exists) {
		FUZZ_CHECK(dev->sriov_capable ==
			   ref_number(&o, fuzz_slots[S_TOTALVFS].max, &v));
		if (dev->sriov_capable) {
			FUZZ_CHECK(dev->total_vfs == v);
			check_optional(dev->num_vfs, &sl[S_NUMVFS],
				       fuzz_slots[S_NUMVFS].max, 0);
		}
	}
	if (!dev->sriov_capable)
		FUZZ_CHECK(dev->total_vfs == 0 && dev->num_vfs == 0 &&
			   dev->n_vfs == 0);

	/* numa_node: a decimal number, else -1 (unknown). */
	seen_of(&sl[S_NUMA], ATTR_WINDOW, &o);
	if (o.whole && !o.nul && ref_is_decimal(o.text) && o.len < 9)
		FUZZ_CHECK(dev->numa_node == atoi(o.text));

	/* driver_override: the text, "" for "(null)" or nothing. */
	seen_of(&sl[S_OVERRIDE], ATTR_WINDOW, &o);
	if (!o.exists || (o.whole && o.len == 0) ||
	    strcmp(o.text, "(null)") == 0)
		FUZZ_CHECK(dev->driver_override[0] == '\0');
	else if (o.whole && !o.nul)
		FUZZ_CHECK(strcmp(dev->driver_override, o.text) == 0);

	/* driver: the link's basename when it fits, else none. */
	if (!sl[S_DRIVER].exists ||
	    strlen(ref_base(&sl[S_DRIVER])) >= VFT_DRIVER_LEN)
		FUZZ_CHECK(dev->driver[0] == '\0');
	else
		FUZZ_CHECK(strcmp(dev->driver, ref_base(&sl[S_DRIVER])) == 0);

	/* iommu_group: a decimal basename, else -1. */
	if (!sl[S_GROUP].exists)
		FUZZ_CHECK(dev->iommu_group == -1);
	else if (ref_is_decimal(ref_base(&sl[S_GROUP])) &&
		 strlen(ref_base(&sl[S_GROUP])) < 9)
		FUZZ_CHECK(dev->iommu_group == atoi(ref_base(&sl[S_GROUP])));

	/* physfn: a VF iff the link exists, and then names an address. */
	FUZZ_CHECK(dev->is_vf == sl[S_PHYSFN].exists);
	if (dev->is_vf) {
		FUZZ_CHECK(vft_pci_addr_parse(ref_base(&sl[S_PHYSFN]), &a) ==
			   0);
		FUZZ_CHECK(vft_pci_addr_equal(&a, &dev->pf));
	}
}

static void
check_enable_sriov(int es, const struct saved *sv)
{
	struct seen o;

	seen_of(sv, ENABLE_WINDOW, &o);
	FUZZ_CHECK(es == 1 || es == 0 || es == -ENOENT || es == -EINVAL);
	if (!o.exists) {
		FUZZ_CHECK(es == -ENOENT);
		return;
	}
	if (!o.whole || o.nul)
		return;
	if (strcmp(o.text, "Y") == 0 || strcmp(o.text, "1") == 0)
		FUZZ_CHECK(es == 1);
	else if (strcmp(o.text, "N") == 0 || strcmp(o.text, "0") == 0)
		FUZZ_CHECK(es == 0);
	else
		FUZZ_CHECK(es == -EINVAL);
}

static void
check_explanation(const struct vft_explanation *x, int error)
{
	FUZZ_CHECK((unsigned int)x->verdict <= VFT_V_OTHER);
	FUZZ_CHECK(strcmp(vft_verdict_name(x->verdict), "unknown") != 0);
	FUZZ_CHECK(x->error == -error);
	FUZZ_CHECK(memchr(x->reason, '\0', sizeof(x->reason)) != NULL);
	FUZZ_CHECK(memchr(x->fix, '\0', sizeof(x->fix)) != NULL);
	FUZZ_CHECK(x->reason[0] != '\0');
	FUZZ_CHECK((x->verdict == VFT_V_OK) == (error == 0));
	if (x->verdict != VFT_V_OK)
		FUZZ_CHECK(x->fix[0] != '\0');
}

static int
scan_cb(const struct vft_pci_dev *dev, void *arg)
{
	unsigned int *n = arg;

	check_dev_common(dev);
	(*n)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vft_pci_dev dev;
	static struct saved now[N_SLOTS];
	struct vft_pci_addr addr, members[8];
	struct vft_explanation x;
	uint8_t hdr[4] = { 0 };
	struct vft_err err;
	unsigned int d, s, n_scan = 0;
	int rc, es, error, scan;
	size_t i;

	for (i = 0; i < 4 && i < size; i++)
		hdr[i] = data[i];
	data += i;
	size -= i;
	d = hdr[0] % N_DEVS;
	error = fuzz_errnos[hdr[1] % (sizeof(fuzz_errnos) / sizeof(int))];

	for (s = 0; s < N_SLOTS; s++) {
		uint8_t l = size > 0 ? data[0] : 0xfe;

		if (size > 0) {
			data++;
			size--;
		}
		if (l == 0xfe) {
			now[s] = fuzz_base[d][s];
			continue;
		}
		if (l == 0xff) {
			now[s].exists = false;
			now[s].len = 0;
			now[s].buf[0] = '\0';
			slot_put(d, s, NULL, 0);
			continue;
		}
		if (l > size)
			l = (uint8_t)size;
		now[s].exists = true;
		now[s].len = l;
		memcpy(now[s].buf, data, l);
		now[s].buf[l] = '\0';
		if (fuzz_slots[s].kind == SLOT_LINK) {
			/* as symlink(2) will store it */
			now[s].len = strlen(now[s].buf);
			now[s].exists = now[s].len > 0;
		}
		slot_put(d, s, data, l);
		data += l;
		size -= l;
	}

	FUZZ_CHECK(vft_pci_addr_parse(fuzz_devs[d], &addr) == 0);
	vft_err_clear(&err);
	rc = vft_pci_dev_read(&fuzz_sys, &addr, &dev, &err);
	check_err(rc, &err);
	FUZZ_CHECK(rc != -ENODEV); /* its directory is never removed */
	check_dev(d, rc, &dev, now);

	es = vft_vfio_pci_enable_sriov(&fuzz_sys);
	check_enable_sriov(es, &now[S_ENABLE]);

	vft_explain_step(&fuzz_sys, &addr, hdr[3] & 1, -error,
			 (enum vft_step)(hdr[2] % (VFT_STEP_DEVICE_INFO + 1)),
			 &x);
	check_explanation(&x, error);

	/* Only function d was changed. One that has gone (-ENOENT, -ENODEV)
	 * is skipped; one that cannot be read stops the scan with its error
	 * (the scan goes in address order, d's index in fuzz_devs). */
	scan = vft_pci_scan(&fuzz_sys, scan_cb, &n_scan);
	if (rc == 0 || rc == -ENOENT || rc == -ENODEV) {
		FUZZ_CHECK(scan == 0);
		FUZZ_CHECK(n_scan == N_DEVS - (rc != 0));
	} else {
		FUZZ_CHECK(scan == rc && n_scan == d);
	}

	rc = vft_iommu_group_devices(&fuzz_sys, 4, members, 8);
	FUZZ_CHECK(rc >= 0 && rc <= (int)N_DEVS);

	vft_err_clear(&err);
	rc = vft_pci_set_num_vfs(&fuzz_sys, &addr, hdr[3] >> 1, &err);
	check_err(rc, &err);

	for (s = 0; s < N_SLOTS; s++)
		slot_restore(d, s);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vft_private.h"

/*
 * The PCI/SR-IOV model, read from sysfs (Documentation/ABI/testing/
 * sysfs-bus-pci). ROOT/bus/pci/devices/ADDR is a symlink to the device's
 * directory in real sysfs and may be a plain directory in generated test
 * trees; only attribute files and the basenames of links are used, so both
 * work.
 */

#define VFIO_PCI "vfio-pci"

static const char *
sys_root(const struct vft_sys *sys)
{
	return sys != NULL && sys->root[0] != '\0' ? sys->root : "/sys";
}

void
vft_sys_init(struct vft_sys *sys, const char *root)
{
	size_t n;

	if (root == NULL)
		root = "/sys";
	n = strlen(root);
	if (n >= sizeof(sys->root))
		n = sizeof(sys->root) - 1;
	memcpy(sys->root, root, n);
	sys->root[n] = '\0';
}

/* ---- paths and attribute files ---- */

static int __attribute__((format(printf, 3, 4)))
sys_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ROOT/bus/pci/devices/NAME/ATTR */
static int
sys_dev_path(const struct vft_sys *sys, const char *name, const char *attr,
	     char *buf, size_t len)
{
	return sys_path(buf, len, "%s/bus/pci/devices/%s/%s", sys_root(sys),
			name, attr);
}

/* Read a small attribute, without its trailing newline. @return length or
 * -errno. sysfs hands an attribute over in one read. */
static int
sys_read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return (int)n;
}

/* Write @p val in one write(2), as sysfs store methods need. O_TRUNC
 * replaces the content of a generated test tree's plain file. */
static int
sys_write_attr(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, rc;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	rc = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/*
 * A number as the kernel writes attributes: "%u" (sriov_*) or "0x%04x"
 * (vendor, device; class is "0x%06x"). Not strtoul(): it takes a sign
 * ("-1" would wrap to ULONG_MAX), leading blanks and octal, and stops at a
 * NUL. *@p val is only set on success. More than @p max, the field's
 * range, is -ERANGE, never truncated.
 */
static int
sys_read_ulong(const char *path, unsigned long max, unsigned long *val)
{
	char buf[64];
	const char *p = buf;
	unsigned long v = 0, base = 10;
	int rc;

	rc = sys_read_attr(path, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	if (rc == 0 || strlen(buf) != (size_t)rc)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (*p == '\0')
			return -EINVAL;
	}
	for (; *p != '\0'; p++) {
		unsigned long d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned long)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned long)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned long)(*p - 'A' + 10);
		else
			return -EINVAL;
		if (v > (max - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*val = v;
	return 0;
}

/* Basename of the target of symlink @p path. -ENOENT if no link. */
static int
sys_link_base(const char *path, char *out, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(out, base);
	return 0;
}

static int
sys_dev_ulong(const struct vft_sys *sys, const char *name, const char *attr,
	      unsigned long max, unsigned long *val)
{
	char path[PATH_MAX];
	int rc = sys_dev_path(sys, name, attr, path, sizeof(path));

	return rc != 0 ? rc : sys_read_ulong(path, max, val);
}

static int
sys_dev_link(const struct vft_sys *sys, const char *name, const char *link,
	     char *out, size_t len)
{
	char path[PATH_MAX];
	int rc = sys_dev_path(sys, name, link, path, sizeof(path));

	return rc != 0 ? rc : sys_link_base(path, out, len);
}

/* ---- reading one function ---- */

/* vendor, device and class are mandatory; subsystem ids are not (some
 * bridges lack them). */
static int
dev_read_ids(const struct vft_sys *sys, struct vft_pci_dev *dev,
	     struct vft_err *err)
{
	static const char *const attr[] = { "vendor", "device", "class" };
	static const unsigned long max[] = { 0xffff, 0xffff, 0xffffff };
	unsigned long v[3], sv = 0, sd = 0;
	int i;

	for (i = 0; i < 3; i++) {
		int rc = sys_dev_ulong(sys, dev->name, attr[i], max[i], &v[i]);

		if (rc != 0)
			return vft_err_set(err, rc,
					   "cannot read %s of PCI function %s "
					   "in %s: %s",
					   attr[i], dev->name, sys_root(sys),
					   strerror(-rc));
	}
	sys_dev_ulong(sys, dev->name, "subsystem_vendor", 0xffff, &sv);
	sys_dev_ulong(sys, dev->name, "subsystem_device", 0xffff, &sd);
	dev->vendor = (uint16_t)v[0];
	dev->device = (uint16_t)v[1];
	dev->class_code = (uint32_t)(v[2] & 0xffffff);
	dev->subsys_vendor = (uint16_t)sv;
	dev->subsys_device = (uint16_t)sd;
	return 0;
}

static void
dev_read_numa(const struct vft_sys *sys, struct vft_pci_dev *dev)
{
	char path[PATH_MAX], buf[32], *end;
	long v;

	dev->numa_node = -1;
	if (sys_dev_path(sys, dev->name, "numa_node", path, sizeof(path)) ||
	    sys_read_attr(path, buf, sizeof(buf)) <= 0)
		return;
	v = strtol(buf, &end, 10);
	if (*end == '\0' && v >= 0 && v < INT_MAX)
		dev->numa_node = (int)v;
}

/* driver_override ("(null)" when unset) */
static void
dev_read_override(const struct vft_sys *sys, struct vft_pci_dev *dev)
{
	char path[PATH_MAX], buf[VFT_DRIVER_LEN];

	if (sys_dev_path(sys, dev->name, "driver_override", path,
			 sizeof(path)) == 0 &&
	    sys_read_attr(path, buf, sizeof(buf)) > 0 &&
	    strcmp(buf, "(null)") != 0)
		strcpy(dev->driver_override, buf);
}

/* driver link and iommu_group. */
static void
dev_read_binding(const struct vft_sys *sys, struct vft_pci_dev *dev)
{
	char buf[VFT_DRIVER_LEN], *end;

	if (sys_dev_link(sys, dev->name, "driver", dev->driver,
			 sizeof(dev->driver)) != 0)
		dev->driver[0] = '\0';
	if (sys_dev_link(sys, dev->name, "iommu_group", buf, sizeof(buf)) ==
	    0) {
		unsigned long g = strtoul(buf, &end, 10);

		if (*end == '\0' && buf[0] != '\0' && g < INT_MAX)
			dev->iommu_group = (int)g;
	}
}

/* The PF behind a VF's physfn link. */
static int
dev_read_physfn(const struct vft_sys *sys, struct vft_pci_dev *dev,
		struct vft_err *err)
{
	char buf[VFT_PCI_ADDR_LEN + 8];
	int rc;

	rc = sys_dev_link(sys, dev->name, "physfn", buf, sizeof(buf));
	if (rc == -ENOENT)
		return 0;
	if (rc != 0 || vft_pci_addr_parse(buf, &dev->pf) != 0)
		return vft_err_set(err, -EINVAL,
				   "physfn link of %s does not name a PCI "
				   "function, expected DDDD:BB:DD.F",
				   dev->name);
	dev->is_vf = true;
	return 0;
}

/* A PF's sriov_totalvfs / sriov_numvfs and its virtfnN links, which the
 * kernel creates for N = 0 .. numvfs-1 (drivers/pci/iov.c). */
static int
dev_read_sriov(const struct vft_sys *sys, struct vft_pci_dev *dev,
	       struct vft_err *err)
{
	char link[32], buf[VFT_PCI_ADDR_LEN + 8];
	unsigned long total, num = 0;

	/* Both are u16 in the kernel (struct pci_sriov). */
	if (sys_dev_ulong(sys, dev->name, "sriov_totalvfs", 0xffff, &total) !=
	    0)
		return 0;
	sys_dev_ulong(sys, dev->name, "sriov_numvfs", 0xffff, &num);
	dev->sriov_capable = true;
	dev->total_vfs = (unsigned int)total;
	dev->num_vfs = (unsigned int)num;
	for (dev->n_vfs = 0; dev->n_vfs < VFT_MAX_VFS; dev->n_vfs++) {
		snprintf(link, sizeof(link), "virtfn%u", dev->n_vfs);
		int rc = sys_dev_link(sys, dev->name, link, buf, sizeof(buf));

		if (rc == -ENOENT)
			break;
		if (rc != 0 ||
		    vft_pci_addr_parse(buf, &dev->vfs[dev->n_vfs]) != 0)
			return vft_err_set(err, -EINVAL,
					   "%s link of %s does not name a PCI "
					   "function, expected DDDD:BB:DD.F",
					   link, dev->name);
	}
	return 0;
}

int
vft_pci_dev_read_parts(const struct vft_sys *sys,
		       const struct vft_pci_addr *addr, struct vft_pci_dev *dev,
		       unsigned int parts, struct vft_err *err)
{
	char path[PATH_MAX];
	struct stat st;
	int rc;

	memset(dev, 0, sizeof(*dev));
	dev->addr = *addr;
	dev->iommu_group = -1;
	dev->numa_node = -1;
	vft_pci_addr_format(addr, dev->name);
	rc = sys_dev_path(sys, dev->name, "", path, sizeof(path));
	if (rc != 0)
		return vft_err_set(err, rc, "sysfs root %s is too long",
				   sys_root(sys));
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return vft_err_set(err, -ENODEV,
				   "PCI function %s not found: no %s",
				   dev->name, path);
	if (parts & VFT_PCI_PART_IDS) {
		rc = dev_read_ids(sys, dev, err);
		if (rc != 0)
			return rc;
		dev_read_numa(sys, dev);
	}
	if (parts & VFT_PCI_PART_DRIVER)
		dev_read_binding(sys, dev);
	if (parts & VFT_PCI_PART_OVERRIDE)
		dev_read_override(sys, dev);
	if (!(parts & VFT_PCI_PART_SRIOV))
		return 0;
	rc = dev_read_physfn(sys, dev, err);
	if (rc != 0)
		return rc;
	return dev_read_sriov(sys, dev, err);
}

int
vft_pci_dev_read(const struct vft_sys *sys, const struct vft_pci_addr *addr,
		 struct vft_pci_dev *dev, struct vft_err *err)
{
	return vft_pci_dev_read_parts(sys, addr, dev, VFT_PCI_PART_ALL, err);
}

bool
vft_pci_dev_on_vfio(const struct vft_pci_dev *dev)
{
	return strcmp(dev->driver, VFIO_PCI) == 0;
}

/* ---- listing directories of functions ---- */

static int
sys_addr_cmp(const void *pa, const void *pb)
{
	const struct vft_pci_addr *a = pa, *b = pb;
	uint64_t ka = ((uint64_t)a->domain << 16) | (unsigned)a->bus << 8 |
		      (unsigned)a->dev << 3 | a->fn;
	uint64_t kb = ((uint64_t)b->domain << 16) | (unsigned)b->bus << 8 |
		      (unsigned)b->dev << 3 | b->fn;

	return ka < kb ? -1 : ka > kb;
}

static int
sys_list_push(struct vft_pci_addr **v, size_t *n, size_t *cap,
	      const struct vft_pci_addr *a)
{
	struct vft_pci_addr *nv;

	if (*n == *cap) {
		*cap = *cap != 0 ? *cap * 2 : 32;
		nv = realloc(*v, *cap * sizeof(**v));
		if (nv == NULL)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[(*n)++] = *a;
	return 0;
}

/* The entries of @p dir that are PCI addresses, sorted; the caller frees
 * *@p out. @return the count or -errno. */
static int
sys_list_addrs(const char *dir, struct vft_pci_addr **out)
{
	struct vft_pci_addr a, *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (vft_pci_addr_parse(de->d_name, &a) == 0)
			rc = sys_list_push(&v, &n, &cap, &a);
	}
	closedir(d);
	if (rc == 0 && n > INT_MAX)
		rc = -EOVERFLOW;
	if (rc != 0) {
		free(v);
		return rc;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), sys_addr_cmp);
	*out = v;
	return (int)n;
}

int
vft_pci_scan(const struct vft_sys *sys, vft_pci_scan_cb cb, void *arg)
{
	struct vft_pci_addr *v = NULL;
	struct vft_pci_dev *dev;
	char dir[PATH_MAX];
	int n, i, rc = 0;

	if (cb == NULL)
		return -EINVAL;
	if (sys_path(dir, sizeof(dir), "%s/bus/pci/devices", sys_root(sys)))
		return -ENAMETOOLONG;
	n = sys_list_addrs(dir, &v);
	if (n < 0)
		return n;
	dev = malloc(sizeof(*dev));
	if (dev == NULL)
		rc = -ENOMEM;
	for (i = 0; i < n && rc == 0; i++) {
		rc = vft_pci_dev_read(sys, &v[i], dev, NULL);
		/* Removed since the listing: before the stat (-ENODEV) or
		 * between it and the attribute reads (-ENOENT), as when VFs
		 * are being disabled during the scan. */
		if (rc == -ENODEV || rc == -ENOENT)
			rc = 0;
		else if (rc == 0)
			rc = cb(dev, arg);
	}
	free(dev);
	free(v);
	return rc;
}

int
vft_iommu_group_devices(const struct vft_sys *sys, int group,
			struct vft_pci_addr *out, unsigned int max)
{
	struct vft_pci_addr *v = NULL;
	char dir[PATH_MAX];
	int n;

	if (group < 0 || (out == NULL && max > 0))
		return -EINVAL;
	if (sys_path(dir, sizeof(dir), "%s/kernel/iommu_groups/%d/devices",
		     sys_root(sys), group))
		return -ENAMETOOLONG;
	n = sys_list_addrs(dir, &v);
	if (n < 0)
		return n;
	if (n > 0 && max > 0)
		memcpy(out, v,
		       sizeof(*v) *
			       ((unsigned int)n < max ? (unsigned int)n : max));
	free(v);
	return n;
}

bool
vft_pci_vf_needs_token(const struct vft_sys *sys, const struct vft_pci_dev *vf)
{
	struct vft_pci_dev *pf;
	bool on = false;

	if (vf == NULL || !vf->is_vf)
		return false;
	pf = malloc(sizeof(*pf));
	if (pf == NULL)
		return false;
	if (vft_pci_dev_read_parts(sys, &vf->pf, pf, VFT_PCI_PART_DRIVER,
				   NULL) == 0)
		on = vft_pci_dev_on_vfio(pf);
	free(pf);
	return on;
}

int
vft_pci_vfio_cdev(const struct vft_sys *sys, const struct vft_pci_addr *addr)
{
	char name[VFT_PCI_ADDR_LEN], dir[PATH_MAX], end;
	struct dirent *e;
	int n = -ENOENT, v;
	DIR *d;

	vft_pci_addr_format(addr, name);
	if (sys_dev_path(sys, name, "vfio-dev", dir, sizeof(dir)))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (d == NULL)
		return -ENOENT;
	/* vfio_device_add() registers one "vfioN" per device
	 * (drivers/vfio/vfio_main.c). */
	while ((e = readdir(d)) != NULL)
		if (sscanf(e->d_name, "vfio%d%c", &v, &end) == 1 && v >= 0)
			n = v;
	closedir(d);
	return n;
}

/* @return true if directory @p dir under the sysfs root has an entry. */
static bool
sys_dir_has_entries(const struct vft_sys *sys, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	bool any = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", sys->root, dir);
	d = opendir(path);
	if (d == NULL)
		return false;
	while (!any && (e = readdir(d)) != NULL)
		any = strcmp(e->d_name, ".") != 0 &&
		      strcmp(e->d_name, "..") != 0;
	closedir(d);
	return any;
}

/*
 * Whether the host has an IOMMU the kernel uses: an IOMMU group or an
 * IOMMU device in sysfs (drivers/iommu/iommu-sysfs.c, iommu.c). Without
 * one no function has an iommu_group and vfio-pci binds nothing.
 */
bool
vft_sys_iommu_present(const struct vft_sys *sys)
{
	return sys_dir_has_entries(sys, "kernel/iommu_groups") ||
	       sys_dir_has_entries(sys, "class/iommu");
}

/* Most members named in a group description. */
#define VFT_GROUP_DESCRIBE_MAX 16

bool
vft_driver_keeps_group_viable(const char *drv)
{
	return drv[0] == '\0' || strstr(drv, "vfio") != NULL ||
	       strcmp(drv, "pci-stub") == 0 || strcmp(drv, "pcieport") == 0;
}

/* Append "ADDR (bound to DRV)" to @p buf at *@p used. */
static void
vft_group_describe_one(const struct vft_pci_addr *a, const char *drv, char *buf,
		       size_t len, size_t *used)
{
	char name[VFT_PCI_ADDR_LEN];
	int w;

	if (*used >= len)
		return;
	vft_pci_addr_format(a, name);
	if (drv == NULL)
		w = snprintf(buf + *used, len - *used, "%s%s (unknown)",
			     *used ? ", " : "", name);
	else if (drv[0] == '\0')
		w = snprintf(buf + *used, len - *used, "%s%s (no driver)",
			     *used ? ", " : "", name);
	else
		w = snprintf(buf + *used, len - *used, "%s%s (bound to %s)",
			     *used ? ", " : "", name, drv);
	if (w > 0)
		*used += (size_t)w;
}

int
vft_iommu_group_describe(const struct vft_sys *sys, int group,
			 bool offenders_only, char *buf, size_t len)
{
	struct vft_pci_addr members[VFT_GROUP_DESCRIBE_MAX];
	struct vft_pci_dev *m;
	size_t used = 0;
	int n, i, bad = 0;

	if (buf == NULL || len == 0)
		return -EINVAL;
	buf[0] = '\0';
	n = vft_iommu_group_devices(sys, group, members,
				    VFT_GROUP_DESCRIBE_MAX);
	if (n < 0)
		return n;
	m = malloc(sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	for (i = 0; i < n && i < VFT_GROUP_DESCRIBE_MAX; i++) {
		bool read = vft_pci_dev_read(sys, &members[i], m, NULL) == 0;
		bool ok = read && vft_driver_keeps_group_viable(m->driver);

		bad += read && !ok;
		if (offenders_only && (ok || !read))
			continue;
		vft_group_describe_one(&members[i], read ? m->driver : NULL,
				       buf, len, &used);
	}
	free(m);
	if (!offenders_only && n > VFT_GROUP_DESCRIBE_MAX && used < len)
		snprintf(buf + used, len - used, " and %d more",
			 n - VFT_GROUP_DESCRIBE_MAX);
	return bad;
}

/* ---- vfio-pci's module parameter ---- */

int
vft_vfio_pci_enable_sriov(const struct vft_sys *sys)
{
	char path[PATH_MAX], buf[8];
	int rc;

	if (sys_path(path, sizeof(path),
		     "%s/module/vfio_pci/parameters/enable_sriov",
		     sys_root(sys)))
		return -ENAMETOOLONG;
	rc = sys_read_attr(path, buf, sizeof(buf));
	if (rc < 0)
		return rc == -ENOENT ? -ENOENT : rc;
	/* bool module parameters read back as Y or N. */
	if (strcmp(buf, "Y") == 0 || strcmp(buf, "1") == 0)
		return 1;
	if (strcmp(buf, "N") == 0 || strcmp(buf, "0") == 0)
		return 0;
	return -EINVAL;
}

/* ---- binding ---- */

static bool
sys_driver_name_ok(const char *drv)
{
	size_t i, n = strlen(drv);

	if (n >= VFT_DRIVER_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (drv[i] == '/' || drv[i] <= ' ' || drv[i] == 0x7f)
			return false;
	return strcmp(drv, ".") != 0 && strcmp(drv, "..") != 0;
}

int
vft_pci_set_driver_override(const struct vft_sys *sys,
			    const struct vft_pci_addr *addr, const char *driver,
			    struct vft_err *err)
{
	char name[VFT_PCI_ADDR_LEN], path[PATH_MAX];
	int rc;

	vft_pci_addr_format(addr, name);
	if (driver == NULL)
		driver = "";
	if (!sys_driver_name_ok(driver))
		return vft_err_set(err, -EINVAL,
				   "driver name \"%.80s\" for %s is not valid, "
				   "expected a name without '/' or spaces",
				   driver, name);
	if (sys_dev_path(sys, name, "driver_override", path, sizeof(path)))
		return vft_err_set(err, -ENAMETOOLONG, "sysfs path too long");
	/* driver_override_store() clears the override on an empty line. */
	rc = sys_write_attr(path, driver[0] != '\0' ? driver : "\n");
	if (rc != 0)
		return vft_err_set(err, rc, "cannot write \"%s\" to %s: %s",
				   driver, path, strerror(-rc));
	return 0;
}

int
vft_pci_unbind(const struct vft_sys *sys, const struct vft_pci_addr *addr,
	       struct vft_err *err)
{
	char name[VFT_PCI_ADDR_LEN], drv[VFT_DRIVER_LEN], path[PATH_MAX];
	int rc;

	vft_pci_addr_format(addr, name);
	rc = sys_dev_link(sys, name, "driver", drv, sizeof(drv));
	if (rc == -ENOENT)
		return 0; /* unbound already */
	if (rc != 0)
		return vft_err_set(err, rc, "cannot read the driver of %s: %s",
				   name, strerror(-rc));
	if (sys_path(path, sizeof(path), "%s/bus/pci/drivers/%s/unbind",
		     sys_root(sys), drv))
		return vft_err_set(err, -ENAMETOOLONG, "sysfs path too long");
	rc = sys_write_attr(path, name);
	if (rc != 0)
		return vft_err_set(err, rc, "cannot unbind %s from %s (%s): %s",
				   name, drv, path, strerror(-rc));
	return 0;
}

static int
bind_check_ready(const struct vft_sys *sys, const struct vft_pci_dev *dev,
		 struct vft_err *err)
{
	char path[PATH_MAX];
	struct stat st;

	if (sys_path(path, sizeof(path), "%s/bus/pci/drivers/" VFIO_PCI,
		     sys_root(sys)))
		return vft_err_set(err, -ENAMETOOLONG, "sysfs path too long");
	if (stat(path, &st) != 0)
		return vft_err_set(err, -ENOENT,
				   "cannot bind %s to vfio-pci: the driver is "
				   "not loaded (no %s); run modprobe vfio-pci",
				   dev->name, path);
	/* vfio_pci_probe() refuses a PF whose VFs are enabled (-EBUSY). */
	if (dev->num_vfs > 0)
		return vft_err_set(err, -EBUSY,
				   "cannot bind %s to vfio-pci: it has %u VFs "
				   "enabled and vfio-pci refuses such a PF; "
				   "write 0 to its sriov_numvfs first",
				   dev->name, dev->num_vfs);
	return 0;
}

static int
bind_probe(const struct vft_sys *sys, const struct vft_pci_dev *dev,
	   struct vft_err *err)
{
	char path[PATH_MAX], drv[VFT_DRIVER_LEN];
	int rc;

	if (sys_path(path, sizeof(path), "%s/bus/pci/drivers_probe",
		     sys_root(sys)))
		return vft_err_set(err, -ENAMETOOLONG, "sysfs path too long");
	rc = sys_write_attr(path, dev->name);
	if (rc != 0)
		return vft_err_set(err, rc,
				   "writing %s to %s failed: %s (see dmesg)",
				   dev->name, path, strerror(-rc));
	rc = sys_dev_link(sys, dev->name, "driver", drv, sizeof(drv));
	if (rc != 0)
		strcpy(drv, "no driver");
	if (strcmp(drv, VFIO_PCI) != 0)
		return vft_err_set(err, -EIO,
				   "after writing %s to %s, it is bound to %s, "
				   "expected vfio-pci (see dmesg)",
				   dev->name, path, drv);
	return 0;
}

/* driver_override makes vfio-pci the only driver that may claim the
 * function; drivers_probe asks the PCI core to bind it again
 * (Documentation/ABI/testing/sysfs-bus-pci). */
int
vft_pci_bind_vfio(const struct vft_sys *sys, const struct vft_pci_addr *addr,
		  struct vft_err *err)
{
	struct vft_pci_dev *dev;
	int rc;

	dev = malloc(sizeof(*dev));
	if (dev == NULL)
		return vft_err_set(err, -ENOMEM, "out of memory");
	rc = vft_pci_dev_read(sys, addr, dev, err);
	if (rc == 0 && !vft_pci_dev_on_vfio(dev)) {
		rc = bind_check_ready(sys, dev, err);
		if (rc == 0)
			rc = vft_pci_set_driver_override(sys, addr, VFIO_PCI,
							 err);
		if (rc == 0)
			rc = vft_pci_unbind(sys, addr, err);
		if (rc == 0)
			rc = bind_probe(sys, dev, err);
	}
	free(dev);
	return rc;
}

/* ---- sriov_numvfs ---- */

static int
numvfs_enoent(const struct vft_pci_dev *pf, int enable_sriov,
	      struct vft_err *err)
{
	if (pf->driver[0] == '\0')
		return vft_err_set(err, -ENOENT,
				   "PF %s has no driver bound, and the kernel "
				   "enables VFs through the PF's driver: bind "
				   "it (e.g. to vfio-pci) first",
				   pf->name);
	if (strcmp(pf->driver, VFIO_PCI) != 0)
		return vft_err_set(err, -ENOENT,
				   "driver %s of PF %s does not support "
				   "SR-IOV configuration via sriov_numvfs",
				   pf->driver, pf->name);
	if (enable_sriov == 0)
		return vft_err_set(
			err, -ENOENT,
			"PF %s is on vfio-pci, which has "
			"enable_sriov=N: load it with `modprobe "
			"vfio-pci enable_sriov=1` or write Y to "
			"/sys/module/vfio_pci/parameters/enable_sriov",
			pf->name);
	return vft_err_set(err, -ENOENT,
			   "vfio-pci refused SR-IOV on PF %s (ENOENT); check "
			   "that /sys/module/vfio_pci/parameters/enable_sriov "
			   "is Y",
			   pf->name);
}

/*
 * The kernel's rules for a write to sriov_numvfs (sriov_numvfs_store(),
 * drivers/pci/iov.c, and vfio_pci_sriov_configure(),
 * drivers/vfio/pci/vfio_pci.c):
 * - more than sriov_totalvfs: -ERANGE;
 * - no driver, or a driver without sriov_configure: -ENOENT;
 * - vfio-pci with its enable_sriov parameter N: -ENOENT;
 * - N > 0 VFs enabled and M > 0 requested: -EBUSY (write 0 first).
 */
int
vft_sriov_numvfs_error(const struct vft_pci_dev *pf, unsigned int n,
		       int enable_sriov, int error, struct vft_err *err)
{
	switch (error) {
	case -ENOENT:
		return numvfs_enoent(pf, enable_sriov, err);
	case -ERANGE:
		return vft_err_set(err, error,
				   "%u VFs requested for PF %s, which supports "
				   "at most %u (sriov_totalvfs)",
				   n, pf->name, pf->total_vfs);
	case -EBUSY:
		if (n > 0 && pf->num_vfs > 0)
			return vft_err_set(err, error,
					   "PF %s already has %u VFs: the "
					   "kernel needs 0 written to "
					   "sriov_numvfs before another count",
					   pf->name, pf->num_vfs);
		return vft_err_set(err, error,
				   "PF %s refused %u VFs (busy): are its VFs "
				   "in use?",
				   pf->name, n);
	case -EACCES:
	case -EPERM:
		return vft_err_set(err, error,
				   "no permission to write sriov_numvfs of PF "
				   "%s: needs root",
				   pf->name);
	default:
		return vft_err_set(
			err, error,
			"writing %u to sriov_numvfs of PF %s failed: "
			"%s (see dmesg)",
			n, pf->name, strerror(-error));
	}
}

static int
numvfs_write(const struct vft_sys *sys, const struct vft_pci_dev *pf,
	     unsigned int n, struct vft_err *err)
{
	char path[PATH_MAX], val[16];
	int rc;

	if (sys_dev_path(sys, pf->name, "sriov_numvfs", path, sizeof(path)))
		return vft_err_set(err, -ENAMETOOLONG, "sysfs path too long");
	snprintf(val, sizeof(val), "%u", n);
	rc = sys_write_attr(path, val);
	if (rc != 0)
		return vft_sriov_numvfs_error(
			pf, n, vft_vfio_pci_enable_sriov(sys), rc, err);
	return 0;
}

/* Refuse early what the kernel would refuse, with the reason. */
static int
numvfs_precheck(const struct vft_sys *sys, const struct vft_pci_dev *pf,
		unsigned int n, struct vft_err *err)
{
	int es;

	if (!pf->sriov_capable)
		return vft_err_set(err, -ENOTSUP,
				   "PCI function %s is not SR-IOV capable (no "
				   "sriov_totalvfs)",
				   pf->name);
	if (n > pf->total_vfs)
		return vft_sriov_numvfs_error(pf, n, -1, -ERANGE, err);
	if (n == pf->num_vfs)
		return 0;
	es = vft_vfio_pci_enable_sriov(sys);
	if (pf->driver[0] == '\0' || (vft_pci_dev_on_vfio(pf) && es == 0))
		return vft_sriov_numvfs_error(pf, n, es, -ENOENT, err);
	return 0;
}

/* N > 0 to M > 0 is -EBUSY in the kernel (sriov_numvfs_store(): "Disable
 * before enabling"), so that change goes through 0. */
unsigned int
vft_sriov_numvfs_steps(unsigned int cur, unsigned int n, unsigned int steps[2])
{
	unsigned int k = 0;

	if (n == cur)
		return 0;
	if (n > 0 && cur > 0)
		steps[k++] = 0;
	steps[k++] = n;
	return k;
}

int
vft_pci_set_num_vfs(const struct vft_sys *sys, const struct vft_pci_addr *pf,
		    unsigned int n, struct vft_err *err)
{
	unsigned int steps[2], k, i;
	struct vft_pci_dev *dev;
	int rc;

	dev = malloc(sizeof(*dev));
	if (dev == NULL)
		return vft_err_set(err, -ENOMEM, "out of memory");
	rc = vft_pci_dev_read(sys, pf, dev, err);
	if (rc == 0)
		rc = numvfs_precheck(sys, dev, n, err);
	k = rc == 0 ? vft_sriov_numvfs_steps(dev->num_vfs, n, steps) : 0;
	for (i = 0; i < k && rc == 0; i++)
		rc = numvfs_write(sys, dev, steps[i], err);
	free(dev);
	return rc;
}

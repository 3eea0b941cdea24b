/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef FAKE_SYSFS_H
#define FAKE_SYSFS_H

/*
 * Fake sysfs trees, for unit tests of logic only.
 *
 * The trees mimic the layout libvftoken reads (bus/pci/devices, drivers,
 * kernel/iommu_groups, module/vfio_pci); they are plain files and symlinks
 * under a mkdtemp() directory, so writes land in files and no kernel rule
 * is enforced.
 */

#include <stdint.h>

struct fake_sysfs {
	char root[256];
};

/* mkdtemp tree; 0 or -errno */
int fake_sysfs_create(struct fake_sysfs *fs);
/* rm -rf */
void fake_sysfs_destroy(struct fake_sysfs *fs);
/* a plain function; driver NULL = unbound; group < 0 = no iommu_group */
int fake_sysfs_add_dev(struct fake_sysfs *fs, const char *addr, uint16_t vendor,
		       uint16_t device, uint32_t class_code, const char *driver,
		       int group);
/* an SR-IOV capable PF: like add_dev plus sriov_totalvfs=total,
 * sriov_numvfs=0 */
int fake_sysfs_add_pf(struct fake_sysfs *fs, const char *addr, uint16_t vendor,
		      uint16_t device, unsigned int total_vfs,
		      const char *driver, int group);
/* a VF of pf: physfn link, pf's virtfn<index> link, bumps pf's sriov_numvfs */
int fake_sysfs_add_vf(struct fake_sysfs *fs, const char *pf, unsigned int index,
		      const char *addr, uint16_t vendor, uint16_t device,
		      const char *driver, int group);
/* vfio_pci's enable_sriov: 1 = Y, 0 = N, -1 = vfio_pci module absent */
int fake_sysfs_set_enable_sriov(struct fake_sysfs *fs, int value);
/* make ROOT/bus/pci/drivers/<drv> exist (with unbind/bind files) */
int fake_sysfs_add_driver(struct fake_sysfs *fs, const char *drv);

#endif /* FAKE_SYSFS_H */

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef RTE_BUS_SRIOV_H
#define RTE_BUS_SRIOV_H

/**
 * @file
 * sriov bus: SR-IOV functions bound to vfio-pci, opened with their VF token.
 *
 * The bus (librte_bus_sriov.so, loaded with the EAL option -d) claims the
 * SR-IOV physical and virtual functions bound to vfio-pci away from the pci
 * bus, opens them through VFIO with the right VF token and probes the PCI
 * drivers registered with DPDK on them. This header is the API an
 * application uses on the physical functions (PFs) the bus has opened: set
 * or rotate the VF token, change the number of VFs, ask whether VFs are in
 * use. Device names are the names of the bus's devices, "0000:01:00.0" or,
 * for devices given as "sriov:0000:01:00.0", that string.
 *
 * A token is a secret: no function here returns or logs it; use
 * rte_sriov_dev_token_fingerprint() to tell tokens apart.
 *
 * All functions must be called from the primary process; the bus does not
 * support secondary processes.
 */

#include <stddef.h>

#include <rte_compat.h>
#include <rte_uuid.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Name of the bus, as in "-a sriov:0000:01:10.0". */
#define RTE_SRIOV_BUS_NAME "sriov"

/**
 * Environment variable that keeps the bus out of a process: with the value
 * "off" it claims no device, and the pci bus handles every function as in
 * a DPDK without the plugin. "on" (or unset, or empty) is the default. Any
 * other value is an error: the bus logs it once and stays idle (claims no
 * device) without failing rte_eal_init().
 */
#define RTE_SRIOV_BUS_ENV_OFF "VFTOKEN_SRIOV_BUS"

/**
 * Environment variable for a process that names only sriov devices
 * ("-a sriov:ADDR", no "-a" or "-b" of the pci bus): "named" (the default,
 * also when unset or empty) makes the pci bus probe nothing the user did
 * not name, as an allow list would; "all" keeps DPDK's own behaviour, where
 * the pci bus without an allow list probes every device of the host. Any
 * other value is an error, logged once; the default then applies.
 */
#define RTE_SRIOV_PCI_SCAN_ENV "VFTOKEN_SRIOV_PCI_SCAN"

/**
 * Environment variable with the process's default VFIO path for the bus's
 * devices: "group", "cdev" or "auto" (the default: group where
 * /dev/vfio/vfio exists, else cdev). A device's vfio_path= devarg wins.
 */
#define RTE_SRIOV_VFIO_PATH_ENV "VFTOKEN_VFIO_PATH"

/**
 * Environment variable with the process's default VF token broker: the
 * path of the socket vftokend listens on (doc/guides/broker.rst). Every
 * device of the bus without a token or broker devarg of its own is then
 * opened by the broker; a device's vf_token_broker= wins.
 */
#define RTE_SRIOV_BROKER_ENV "VFTOKEN_BROKER"

/** Bytes needed for a fingerprint ("fp:" and 8 hex digits) and its NUL. */
#define RTE_SRIOV_FINGERPRINT_LEN 16

/** Where the token the bus used for a device came from. */
enum rte_sriov_token_source {
	RTE_SRIOV_TOKEN_NONE = 0, /**< no token */
	RTE_SRIOV_TOKEN_DEVARGS,  /**< devargs vf_token= */
	RTE_SRIOV_TOKEN_FILE,	  /**< devargs vf_token_file= */
	RTE_SRIOV_TOKEN_ENV,	  /**< devargs vf_token_env= */
	RTE_SRIOV_TOKEN_EAL,	  /**< EAL option --vfio-vf-token */
	RTE_SRIOV_TOKEN_API,	  /**< rte_sriov_pf_set_token() */
	RTE_SRIOV_TOKEN_BROKER,	  /**< held by the broker: vf_token_broker= */
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Set the VF token of a PF opened by the bus, with VFIO_DEVICE_FEATURE
 * (PCI_VF_TOKEN, SET). VFs already open keep working; every later open of
 * one of its VFs, in any process, needs the new token.
 *
 * @param name
 *   Name of the PF on the sriov bus.
 * @param token
 *   The new token; the all-zero UUID is refused.
 * @return
 *   0 on success; -ENODEV if the bus has no such open device, -ENOTSUP if it
 *   is not an SR-IOV PF (the kernel answers ENOTTY), -EINVAL for a null
 *   token, another negative errno from the kernel.
 */
__rte_experimental int rte_sriov_pf_set_token(const char *name,
					      const rte_uuid_t token);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Set the number of VFs of a PF opened by the bus (sysfs sriov_numvfs;
 * going from N to M, both non-zero, passes through 0 as the kernel
 * requires). Refused while VFs are in use (see rte_sriov_pf_vfs_in_use())
 * unless @p num_vfs equals the current count. The PF's driver saw the VF
 * count of the time it was probed (rte_pci_device max_vfs); the new count
 * is recorded there, but a PF driver that sets up VF resources at probe
 * needs the port to be detached and probed again to use it.
 *
 * @param name
 *   Name of the PF on the sriov bus.
 * @param num_vfs
 *   Number of VFs, 0 to remove them.
 * @return
 *   0 on success; -ENODEV no such PF; -EBUSY VFs are in use; -ENOENT
 *   vfio-pci was loaded without enable_sriov=1; -ERANGE more than
 *   sriov_totalvfs; another negative errno.
 */
__rte_experimental int rte_sriov_pf_set_num_vfs(const char *name,
						unsigned int num_vfs);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Ask the kernel whether any VF of a PF opened by the bus is open through
 * vfio-pci, by any process. Method: a second VFIO_GROUP_GET_DEVICE_FD on
 * the PF without a token, which vfio-pci refuses with EACCES exactly when
 * the PF has VF users (the VF token rule); a successful probe open is
 * closed at once. Limits: the answer can be stale as soon as it is
 * returned; VFs opened through the vfio cdev/iommufd path count as well;
 * the kernel logs "VF token required" at each positive answer.
 *
 * @param name
 *   Name of the PF on the sriov bus.
 * @return
 *   1 if VFs are in use, 0 if not, a negative errno on error (-ENODEV: no
 *   such open PF).
 */
__rte_experimental int rte_sriov_pf_vfs_in_use(const char *name);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Fingerprint of the token the bus used (or, for a PF, last set) for a
 * device: "fp:" followed by 8 hex digits of a keyed hash, equal for equal
 * tokens, not reversible. Devices without a token give "none".
 *
 * @param name
 *   Name of the device on the sriov bus.
 * @param buf
 *   Output buffer.
 * @param len
 *   Its size, at least RTE_SRIOV_FINGERPRINT_LEN.
 * @param source
 *   If not NULL, set to where the token came from.
 * @return
 *   0 on success, -ENODEV no such device, -EINVAL bad buffer.
 */
__rte_experimental int
rte_sriov_dev_token_fingerprint(const char *name, char *buf, size_t len,
				enum rte_sriov_token_source *source);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * @return
 *   A constant name for @p source ("none", "vf_token", "vf_token_file",
 *   "vf_token_env", "eal", "api").
 */
__rte_experimental const char *
rte_sriov_token_source_name(enum rte_sriov_token_source source);

#ifdef __cplusplus
}
#endif

#endif /* RTE_BUS_SRIOV_H */

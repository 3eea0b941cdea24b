/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Telemetry: /sriov/list (names of the bus's devices) and /sriov/info,<name>
 * (role, PF, driver, token source and fingerprint, state, start-up
 * timings). A token never appears here: only its fingerprint.
 */

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "sriov_private.h"

static int
sriov_tel_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sriov_device *sd;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	sriov_list_lock();
	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next))
		rte_tel_data_add_array_string(d, sd->name);
	sriov_list_unlock();
	return 0;
}

static const char *
sriov_tel_state(const struct sriov_device *sd)
{
	if (sd->removed)
		return "removed";
	if (sd->pci.device.driver != NULL)
		return "probed";
	if (sd->vfio_open)
		return "open";
	return sd->last_error[0] != '\0' ? "failed" : "claimed";
}

/*
 * Where start-up went: "<phase>_us" for each phase measured (microseconds
 * on the monotonic clock, sriov_timing.c) and which reset the function
 * got ("reset").
 */
static void
sriov_tel_timing(struct rte_tel_data *d, const struct sriov_timing *t)
{
	char key[32];
	unsigned int ph;

	for (ph = 0; ph < SRIOV_PHASE_COUNT; ph++) {
		uint64_t us = t->ns[ph] / 1000;

		if (!(t->done & (1u << ph)))
			continue;
		snprintf(key, sizeof(key), "%s_us", sriov_phase_name(ph));
		/* an int holds 35 minutes of microseconds */
		rte_tel_data_add_dict_int(d, key,
					  us > INT_MAX ? INT_MAX : (int)us);
	}
	if (t->reset != SRIOV_RESET_UNKNOWN)
		rte_tel_data_add_dict_string(d, "reset",
					     sriov_reset_name(t->reset));
}

static void
sriov_tel_fill(struct rte_tel_data *d, const struct sriov_device *sd)
{
	rte_tel_data_add_dict_string(d, "name", sd->name);
	rte_tel_data_add_dict_string(d, "address", sd->pci.name);
	rte_tel_data_add_dict_string(d, "role", sriov_role_name(sd->role));
	if (sd->role == SRIOV_ROLE_VF) {
		char pf[VFT_PCI_ADDR_LEN];

		vft_pci_addr_format(&sd->pf, pf);
		rte_tel_data_add_dict_string(d, "pf", pf);
	}
	if (sd->role == SRIOV_ROLE_PF) {
		rte_tel_data_add_dict_int(d, "num_vfs", sd->pci.max_vfs);
		rte_tel_data_add_dict_int(d, "total_vfs", (int)sd->total_vfs);
	}
	rte_tel_data_add_dict_int(d, "iommu_group", sd->iommu_group);
	rte_tel_data_add_dict_string(
		d, "driver",
		sd->pci.driver != NULL ? sd->pci.driver->driver.name : "none");
	rte_tel_data_add_dict_string(d, "state", sriov_tel_state(sd));
	rte_tel_data_add_dict_string(d, "vfio_path",
				     vft_path_name(sd->vfio_path));
	rte_tel_data_add_dict_string(
		d, "token_source", rte_sriov_token_source_name(sd->token_src));
	rte_tel_data_add_dict_string(d, "token_fingerprint", sd->token_fp);
	if (sd->last_error[0] != '\0')
		rte_tel_data_add_dict_string(d, "error", sd->last_error);
	sriov_tel_timing(d, &sd->timing);
}

static int
sriov_tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sriov_device *sd;
	int ret = -1;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -1;
	rte_tel_data_start_dict(d);
	sriov_list_lock();
	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next)) {
		if (strcmp(sd->name, params) == 0 ||
		    strcmp(sd->pci.name, params) == 0) {
			sriov_tel_fill(d, sd);
			ret = 0;
			break;
		}
	}
	sriov_list_unlock();
	return ret;
}

RTE_INIT(sriov_telemetry_init)
{
	/* A second copy of the plugin in the process registered no bus
	 * (sriov_register.c, which runs first): its commands would shadow
	 * those of the copy in use. */
	if (rte_bus_find_by_name(RTE_SRIOV_BUS_NAME) != &sriov_bus)
		return;
	rte_telemetry_register_cmd("/sriov/list", sriov_tel_list,
				   "Returns the devices of the sriov bus. "
				   "Takes no parameters");
	rte_telemetry_register_cmd("/sriov/info", sriov_tel_info,
				   "Returns role, PF, driver and token "
				   "fingerprint of a sriov bus device. "
				   "Parameters: device name or PCI address");
}

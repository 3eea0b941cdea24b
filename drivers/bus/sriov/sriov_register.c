/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Registration of the sriov bus, once per process.
 *
 * The plugin can reach a process twice under two paths: auto-loaded from
 * DPDK's PMD directory and given with -d (a build tree's copy, say). The
 * dynamic loader keeps both copies, each with its own sriov_bus, and both
 * constructors run. EAL loads -d plugins first, so the first copy to run
 * registers the bus; a later copy finds the name taken, says which two
 * files are involved and registers nothing, so the process has one
 * working bus (doc/guides/install.rst, "Install from packages").
 */

#include <dlfcn.h>

#include <rte_common.h>

#include "sriov_private.h"

/* The file that holds addr, for the message; "?" when unknown. */
static const char *
sriov_register_file_of(const void *addr)
{
	Dl_info info;

	if (dladdr(addr, &info) == 0 || info.dli_fname == NULL ||
	    info.dli_fname[0] == '\0')
		return "?";
	return info.dli_fname;
}

RTE_INIT_PRIO(sriov_register, BUS)
{
	const struct rte_bus *other;

	other = rte_bus_find_by_name(RTE_SRIOV_BUS_NAME);
	if (other != NULL) {
		SRIOV_LOG(NOTICE,
			  "bus already registered by %s; this copy (%s) stays "
			  "unused: load the plugin once, from DPDK's PMD "
			  "directory or with -d",
			  sriov_register_file_of(other),
			  sriov_register_file_of(&sriov_bus));
		return;
	}
	sriov_bus.name = RTE_SRIOV_BUS_NAME;
	rte_bus_register(&sriov_bus);
}

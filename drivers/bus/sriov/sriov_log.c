/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/* The bus's log type (bus.sriov), a leaf every file of the bus logs
 * through (SRIOV_LOG in sriov_private.h). */

#include "sriov_private.h"

RTE_LOG_REGISTER_DEFAULT(sriov_logtype, NOTICE);

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The bus's devices: the object, the list and its lock, and every change
 * of the state other threads read (telemetry, the multi-process thread).
 * A leaf: what a device is and holds, never what happens to it next (the
 * bus proper, sriov_common.c, sequences scan, probe, detach and release).
 * The sysfs handle every file of the bus reads through is here too.
 */

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_memory.h>

#include "sriov_private.h"

#define SRIOV_PREFIX RTE_SRIOV_BUS_NAME ":"

static struct vft_sys sriov_sys_real;
const struct vft_sys *sriov_sys;

/* The locking rule is written at struct sriov_device (sriov_private.h). */
struct sriov_device_list sriov_devices = TAILQ_HEAD_INITIALIZER(sriov_devices);
static pthread_mutex_t sriov_lock = PTHREAD_MUTEX_INITIALIZER;

void
sriov_list_lock(void)
{
	pthread_mutex_lock(&sriov_lock);
}

void
sriov_list_unlock(void)
{
	pthread_mutex_unlock(&sriov_lock);
}

/* What telemetry shows of the last failure ("" clears it). */
void
sriov_dev_set_error(struct sriov_device *sd, const char *what)
{
	sriov_list_lock();
	snprintf(sd->last_error, sizeof(sd->last_error), "%s", what);
	sriov_list_unlock();
}

/* Whether the device is open, as telemetry shows it. */
void
sriov_dev_set_open(struct sriov_device *sd, bool open)
{
	sriov_list_lock();
	sd->vfio_open = open;
	sriov_list_unlock();
}

/* Record where the token came from and its fingerprint (NULL: none). */
void
sriov_dev_set_token(struct sriov_device *sd, const struct vft_token *tok,
		    enum rte_sriov_token_source src)
{
	char fp[VFT_FINGERPRINT_LEN];

	if (tok != NULL && vft_token_present(tok))
		vft_token_fingerprint(tok, fp);
	else
		snprintf(fp, sizeof(fp), "none");
	sriov_list_lock();
	memcpy(sd->token_fp, fp, sizeof(sd->token_fp));
	sd->token_src = src;
	sriov_list_unlock();
}

/* Phase @p ph of @p sd ran from @p start to now (sriov_timing.c). */
void
sriov_dev_time(struct sriov_device *sd, enum sriov_phase ph, uint64_t start)
{
	sriov_dev_time_span(sd, ph, start, sriov_time_now());
}

/* Phase @p ph of @p sd ran from @p start to @p end. */
void
sriov_dev_time_span(struct sriov_device *sd, enum sriov_phase ph,
		    uint64_t start, uint64_t end)
{
	uint64_t ns;

	sriov_list_lock();
	ns = sriov_timing_set(&sd->timing, ph, end > start ? end - start : 0);
	sriov_list_unlock();
	SRIOV_LOG(DEBUG, "%s: %s took %" PRIu64 ".%03" PRIu64 " ms", sd->name,
		  sriov_phase_name(ph), ns / 1000000, ns / 1000 % 1000);
}

/* Whether secondaries may be handed @p sd (the primary's multi-process
 * thread reads it: sriov_mp.c). */
void
sriov_dev_set_ready(struct sriov_device *sd, bool ready)
{
	sriov_list_lock();
	sd->mp_ready = ready;
	sriov_list_unlock();
}

/* Which reset the function got, as telemetry shows it. */
void
sriov_dev_set_reset(struct sriov_device *sd, enum sriov_reset r)
{
	sriov_list_lock();
	sd->timing.reset = r;
	sriov_list_unlock();
}

const char *
sriov_role_name(enum sriov_role role)
{
	switch (role) {
	case SRIOV_ROLE_VF:
		return "VF";
	case SRIOV_ROLE_PF:
		return "PF";
	default:
		return "other";
	}
}

const char *
rte_sriov_token_source_name(enum rte_sriov_token_source source)
{
	switch (source) {
	case RTE_SRIOV_TOKEN_DEVARGS:
		return "vf_token";
	case RTE_SRIOV_TOKEN_FILE:
		return "vf_token_file";
	case RTE_SRIOV_TOKEN_ENV:
		return "vf_token_env";
	case RTE_SRIOV_TOKEN_EAL:
		return "eal";
	case RTE_SRIOV_TOKEN_API:
		return "api";
	case RTE_SRIOV_TOKEN_BROKER:
		return "broker";
	default:
		return "none";
	}
}

struct sriov_device *
sriov_find_by_name(const char *name)
{
	struct sriov_device *sd;

	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next))
		if (strcmp(sd->name, name) == 0)
			return sd;
	return NULL;
}

struct sriov_device *
sriov_find_by_addr(const struct rte_pci_addr *a)
{
	struct sriov_device *sd;

	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next))
		if (rte_pci_addr_cmp(&sd->pci.addr, a) == 0)
			return sd;
	return NULL;
}

/* ---- names ------------------------------------------------------------- */

/* Names on this bus: "sriov:" and a PCI address ("-a sriov:0000:01:10.0"). */
int
sriov_name_parse(const char *name, void *addr)
{
	struct rte_pci_addr *out = addr;
	struct vft_pci_addr a;

	if (strncmp(name, SRIOV_PREFIX, strlen(SRIOV_PREFIX)) != 0 ||
	    vft_pci_addr_parse(name + strlen(SRIOV_PREFIX), &a) < 0)
		return 1;
	if (out != NULL) {
		out->domain = a.domain;
		out->bus = a.bus;
		out->devid = a.dev;
		out->function = a.fn;
	}
	return 0;
}

struct rte_devargs *
sriov_devargs_lookup(const struct rte_pci_addr *a)
{
	struct rte_devargs *da;
	struct rte_pci_addr b;

	for (da = rte_devargs_next(RTE_SRIOV_BUS_NAME, NULL); da != NULL;
	     da = rte_devargs_next(RTE_SRIOV_BUS_NAME, da))
		if (sriov_name_parse(da->name, &b) == 0 &&
		    !rte_pci_addr_cmp(a, &b))
			return da;
	return NULL;
}

void
sriov_addr_to_vft(const struct rte_pci_addr *a, struct vft_pci_addr *v)
{
	v->domain = a->domain;
	v->bus = a->bus;
	v->dev = a->devid;
	v->fn = a->function;
}

/* Physical BAR addresses from sysfs "resource" (start end flags lines). */
static void
sriov_read_resources(struct sriov_device *sd)
{
	char path[512];
	unsigned long long start, end, flags;
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/resource",
		 sriov_sys->root, sd->pci.name);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	for (i = 0; i < PCI_MAX_RESOURCE; i++) {
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			break;
		if (start != 0 && end >= start) {
			sd->pci.mem_resource[i].phys_addr = start;
			sd->pci.mem_resource[i].len = end - start + 1;
		}
	}
	fclose(f);
}

static struct sriov_device *
sriov_dev_new(struct rte_bus *bus, const struct vft_pci_dev *dev,
	      struct rte_pci_device *from, struct rte_devargs *da)
{
	struct sriov_device *sd = calloc(1, sizeof(*sd));

	if (sd == NULL)
		return NULL;
	sd->vfio_dev.fd = -1;
	sd->vfio_dev.irq_index = -1;
	if (from != NULL) {
		/* keep what the pci bus read (ids, resources, bus_info) */
		sriov_pci_bus_adopt(&sd->pci, from);
	} else {
		sd->pci.addr.domain = dev->addr.domain;
		sd->pci.addr.bus = dev->addr.bus;
		sd->pci.addr.devid = dev->addr.dev;
		sd->pci.addr.function = dev->addr.fn;
		sd->pci.id.vendor_id = dev->vendor;
		sd->pci.id.device_id = dev->device;
		sd->pci.id.subsystem_vendor_id = dev->subsys_vendor;
		sd->pci.id.subsystem_device_id = dev->subsys_device;
		sd->pci.id.class_id = dev->class_code & RTE_CLASS_ANY_ID;
		sd->pci.device.numa_node =
			dev->numa_node < 0 ? SOCKET_ID_ANY : dev->numa_node;
	}
	rte_pci_device_name(&sd->pci.addr, sd->pci.name, sizeof(sd->pci.name));
	if (from == NULL)
		sriov_read_resources(sd);
	if (sd->pci.bus_info == NULL &&
	    asprintf(&sd->pci.bus_info,
		     "vendor_id=%" PRIx16 ", device_id=%" PRIx16,
		     sd->pci.id.vendor_id, sd->pci.id.device_id) < 0)
		sd->pci.bus_info = NULL;
	sd->pci.device.bus_info = sd->pci.bus_info;
	sd->pci.device.bus = bus;
	sd->pci.device.devargs = da;
	sd->pci.device.driver = NULL;
	sd->pci.driver = NULL;
	sd->pci.intr_handle = NULL;
	sd->pci.vfio_req_intr_handle = NULL;
	sd->pci.kdrv = RTE_PCI_KDRV_VFIO;
	/* A device named "sriov:ADDR" keeps that name so that
	 * rte_dev_probe("sriov:ADDR") finds it. */
	snprintf(sd->name, sizeof(sd->name), "%s",
		 da != NULL && da->bus == bus ? da->name : sd->pci.name);
	sd->pci.device.name = sd->name;
	sd->addr = dev->addr;
	sd->iommu_group = dev->iommu_group;
	sd->role = dev->sriov_capable ? SRIOV_ROLE_PF
		   : dev->is_vf	      ? SRIOV_ROLE_VF
				      : SRIOV_ROLE_OTHER;
	sd->pf = dev->pf;
	sd->total_vfs = dev->total_vfs;
	snprintf(sd->token_fp, sizeof(sd->token_fp), "none");
	return sd;
}

void
sriov_dev_free(struct sriov_device *sd)
{
	free(sd->pci.bus_info);
	free(sd);
}

static void
sriov_add(struct sriov_device *sd)
{
	sriov_list_lock();
	TAILQ_INSERT_TAIL(&sriov_devices, sd, next);
	sriov_list_unlock();
	SRIOV_LOG(DEBUG, "%s: claimed (%s)", sd->name,
		  sriov_role_name(sd->role));
}

/* Take a function from the pci bus's list (@p from, may be NULL) onto
 * @p bus's (ours). */
struct sriov_device *
sriov_dev_claim(struct rte_bus *bus, const struct vft_pci_dev *dev,
		struct rte_pci_device *from, struct rte_devargs *da)
{
	struct sriov_device *sd = sriov_dev_new(bus, dev, from, da);

	if (sd == NULL) {
		SRIOV_LOG(ERR, "out of memory claiming %s",
			  from != NULL ? from->name : da->name);
		return NULL;
	}
	if (from != NULL)
		sriov_pci_bus_drop(from);
	sriov_add(sd);
	return sd;
}

/* The real sysfs, before any scan (tests of the library point theirs at a
 * fake tree; the bus always reads the real one). */
RTE_INIT(sriov_device_init)
{
	vft_sys_init(&sriov_sys_real, NULL);
	sriov_sys = &sriov_sys_real;
}

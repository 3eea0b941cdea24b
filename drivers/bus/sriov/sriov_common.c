/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The sriov bus: claims SR-IOV functions bound to vfio-pci away from the
 * pci bus and probes DPDK's PCI drivers on them.
 *
 * EAL scans the buses in registration order and the pci bus registers
 * before any -d plugin, so this bus's scan runs after the pci bus has
 * listed its devices and before any probe: the devices taken off the pci
 * bus's list here are never opened by it. Probe then opens each device
 * through libvftoken with its own token (sriov_open.c) and calls the
 * matching PCI driver on a struct rte_pci_device of this bus.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_memory.h>

#include "sriov_private.h"

/* One size for fingerprints in the library and in the bus's API. */
_Static_assert(RTE_SRIOV_FINGERPRINT_LEN == VFT_FINGERPRINT_LEN,
	       "fingerprint lengths of rte_bus_sriov.h and vftoken.h differ");

static bool sriov_pci_ok;

static struct sriov_device *
sriov_from_dev(const struct rte_device *dev)
{
	const struct rte_pci_device *pdev;

	if (dev == NULL || dev->bus != &sriov_bus)
		return NULL;
	pdev = RTE_DEV_TO_PCI_CONST(dev);
	return container_of(pdev, struct sriov_device, pci);
}

/* ---- claiming ---------------------------------------------------------- */

/*
 * PCI drivers without RTE_PCI_DRV_NEED_MAPPING map the device themselves
 * through EAL (rte_pci_map_device(), rte_vfio_setup_device()), which opens
 * the IOMMU group into EAL's own container: the group the bus holds is
 * busy there, and the attempt clobbers the device's interrupt handles
 * (doc/guides/bus_sriov.rst, "PCI drivers the bus runs"). The bus runs
 * only drivers that let it map the BARs.
 */
static bool
sriov_driver_usable(const struct rte_pci_driver *drv)
{
	return (drv->drv_flags & RTE_PCI_DRV_NEED_MAPPING) != 0;
}

/* The next driver after @p prev matching @p pdev that the bus can run. */
static struct rte_pci_driver *
sriov_next_usable(struct rte_pci_driver *prev,
		  const struct rte_pci_device *pdev)
{
	struct rte_pci_driver *drv = prev;

	do
		drv = sriov_pci_bus_next_match(drv, pdev);
	while (drv != NULL && !sriov_driver_usable(drv));
	return drv;
}

/* Some driver matches @p pdev and none of them can run on the bus. */
static bool
sriov_only_unusable_drivers(const struct rte_pci_device *pdev)
{
	return sriov_pci_bus_next_match(NULL, pdev) != NULL &&
	       sriov_next_usable(NULL, pdev) == NULL;
}

/*
 * An SR-IOV function on vfio-pci, the kind the bus takes unnamed: a PF, or
 * a VF whose PF is on vfio-pci (one that needs a token). One rule for a
 * primary's scan and a secondary's check of what it names.
 */
static bool
sriov_is_sriov_fn(const struct vft_pci_dev *dev)
{
	return vft_pci_dev_on_vfio(dev) &&
	       (dev->sriov_capable || vft_pci_vf_needs_token(sriov_sys, dev));
}

/*
 * Whether the bus takes a function: explicitly named for it (sriov: devargs
 * or one of its keys in pci devargs), or an SR-IOV function on vfio-pci (a
 * PF, or a VF whose PF is on vfio-pci, i.e. one that needs a token) that
 * the allow/block lists admit.
 */
static bool
sriov_wants(const struct vft_pci_dev *dev, const struct rte_pci_device *pdev,
	    const struct rte_devargs *pci_da, const struct rte_devargs *own_da)
{
	const struct rte_bus *pci = sriov_pci_bus();

	if (own_da != NULL)
		return own_da->policy == RTE_DEV_ALLOWED;
	if (pci_da != NULL && pci_da->policy == RTE_DEV_ALLOWED &&
	    sriov_params_present(pci_da->drv_str))
		return true;
	if (!sriov_is_sriov_fn(dev))
		return false;
	/* Left to the pci bus, which runs its driver as stock DPDK does. */
	if (sriov_only_unusable_drivers(pdev))
		return false;
	/* "-a sriov:X" alone: the pci bus has no allow list and sees every
	 * device; take only what the user named for either bus. */
	if (sriov_bus.conf.scan_mode == RTE_BUS_SCAN_ALLOWLIST &&
	    pci->conf.scan_mode != RTE_BUS_SCAN_ALLOWLIST)
		return pci_da != NULL && pci_da->policy == RTE_DEV_ALLOWED;
	return true;
}

static void
sriov_scan_pci_bus(struct vft_pci_dev *dev)
{
	struct rte_pci_device *pdev, *next;
	struct rte_devargs *own;
	struct vft_pci_addr a;

	for (pdev = sriov_pci_bus_first_device(); pdev != NULL; pdev = next) {
		next = TAILQ_NEXT(pdev, next);
		if (sriov_find_by_addr(&pdev->addr) != NULL) {
			/* a rescan of the pci bus listed ours again */
			sriov_pci_bus_drop(pdev);
			continue;
		}
		own = sriov_devargs_lookup(&pdev->addr);
		if (own == NULL && pdev->kdrv != RTE_PCI_KDRV_VFIO &&
		    !(pdev->device.devargs != NULL &&
		      sriov_params_present(pdev->device.devargs->drv_str)))
			continue;
		/* the pci bus read the ids and numa_node (sriov_dev_new()
		 * keeps them): the binding and SR-IOV links are what it
		 * lacks */
		sriov_addr_to_vft(&pdev->addr, &a);
		if (vft_pci_dev_read_parts(
			    sriov_sys, &a, dev,
			    VFT_PCI_PART_DRIVER | VFT_PCI_PART_SRIOV, NULL) < 0)
			continue;
		if (!sriov_wants(dev, pdev, pdev->device.devargs, own))
			continue;
		sriov_dev_claim(&sriov_bus, dev, pdev,
				own != NULL ? own : pdev->device.devargs);
	}
}

/* "-a sriov:X" for a function the pci bus did not list (its allow list). */
static void
sriov_scan_own_devargs(struct vft_pci_dev *dev)
{
	struct rte_devargs *da;
	struct rte_pci_addr pa;
	struct vft_pci_addr a;
	struct vft_err err;

	for (da = rte_devargs_next(RTE_SRIOV_BUS_NAME, NULL); da != NULL;
	     da = rte_devargs_next(RTE_SRIOV_BUS_NAME, da)) {
		if (da->policy != RTE_DEV_ALLOWED ||
		    sriov_name_parse(da->name, &pa) != 0 ||
		    sriov_find_by_addr(&pa) != NULL)
			continue;
		sriov_addr_to_vft(&pa, &a);
		vft_err_clear(&err);
		if (vft_pci_dev_read(sriov_sys, &a, dev, &err) < 0) {
			SRIOV_LOG(ERR, "%s: %s", da->name, err.msg);
			continue;
		}
		sriov_dev_claim(&sriov_bus, dev, NULL, da);
	}
}

/*
 * The documented way to keep the bus out of a process that loads it
 * (RTE_SRIOV_BUS_ENV_OFF). A value that is neither "on" nor "off" keeps the
 * bus idle too, with one error line: a typo must not leave the bus on
 * silently, nor fail rte_eal_init() of a process that never asked for it.
 */
static bool
sriov_switched_off(void)
{
	static bool said;
	const char *v = getenv(RTE_SRIOV_BUS_ENV_OFF);
	int on = sriov_env_bus_parse(v);

	if (on == SRIOV_ENV_BUS_ON)
		return false;
	if (!said && on == SRIOV_ENV_BUS_OFF)
		SRIOV_LOG(INFO, "%s=off: the sriov bus claims no device",
			  RTE_SRIOV_BUS_ENV_OFF);
	else if (!said)
		SRIOV_LOG(ERR,
			  "%s=%.32s: expected \"on\" or \"off\"; the sriov bus "
			  "stays idle and claims no device",
			  RTE_SRIOV_BUS_ENV_OFF, v);
	said = true;
	return true;
}

/* RTE_SRIOV_PCI_SCAN_ENV: false for "all" (DPDK's own behaviour). */
static bool
sriov_pci_named_only(void)
{
	const char *v = getenv(RTE_SRIOV_PCI_SCAN_ENV);
	int mode = sriov_env_pci_parse(v);

	if (mode == SRIOV_ENV_PCI_ALL) {
		SRIOV_LOG(NOTICE,
			  "%s=all: the pci bus has no allow list and probes "
			  "every device of the host",
			  RTE_SRIOV_PCI_SCAN_ENV);
		return false;
	}
	if (mode < 0)
		SRIOV_LOG(ERR,
			  "%s=%.32s: expected \"named\" or \"all\"; using "
			  "\"named\"",
			  RTE_SRIOV_PCI_SCAN_ENV, v);
	return true;
}

/*
 * "-a sriov:X" alone leaves the pci bus without an allow list: EAL sets a
 * bus's scan mode from that bus's own devargs only (rte_devargs_insert(),
 * lib/eal/common/eal_common_devargs.c), so rte_pci_ignore_device()
 * (drivers/bus/pci/pci_common.c) ignored nothing and pci_probe() would run
 * a driver on every function of the host. Do what the user meant: take off
 * the pci bus's list each device nobody named, as its scan does with an
 * allow list, and give it the allow-list mode so that a rescan (hotplug)
 * lists only what is named from then on. This runs after the pci bus's
 * scan and before any probe (EAL scans all buses, then probes them).
 */
static void
sriov_pci_allow_named(void)
{
	struct rte_bus *pci = sriov_pci_bus();
	struct rte_pci_device *pdev, *next;
	unsigned int n = 0;

	if (sriov_bus.conf.scan_mode != RTE_BUS_SCAN_ALLOWLIST ||
	    pci->conf.scan_mode != RTE_BUS_SCAN_UNDEFINED ||
	    !sriov_pci_named_only())
		return;
	for (pdev = sriov_pci_bus_first_device(); pdev != NULL; pdev = next) {
		next = TAILQ_NEXT(pdev, next);
		sriov_pci_bus_drop(pdev);
		n++;
	}
	pci->conf.scan_mode = RTE_BUS_SCAN_ALLOWLIST;
	SRIOV_LOG(NOTICE,
		  "only devices named with -a are probed: -a sriov:... alone "
		  "left the pci bus without an allow list, it skips %u "
		  "device(s) nobody named (%s=all probes them)",
		  n, RTE_SRIOV_PCI_SCAN_ENV);
}

/* ---- a secondary process ------------------------------------------------ */

/* The name the primary gives entry @p e. */
static void
sriov_secondary_entry_name(const struct sriov_mp_entry *e, char *buf,
			   size_t len)
{
	struct rte_pci_addr a = { .domain = e->domain,
				  .bus = e->bus,
				  .devid = e->devid,
				  .function = e->function };
	char pci[PCI_PRI_STR_SIZE];

	rte_pci_device_name(&a, pci, sizeof(pci));
	snprintf(buf, len, "%s%s",
		 (e->flags & SRIOV_MP_F_PREFIXED) ? RTE_SRIOV_BUS_NAME ":" : "",
		 pci);
}

/*
 * Whether this process's own -a/-b admit @p pdev, by the rule of a
 * primary's scan: devargs for this bus ("sriov:ADDR") first, then the pci
 * bus's; a function named for neither is admitted only when neither bus
 * has an allow list.
 */
static bool
sriov_secondary_admitted(const struct rte_pci_device *pdev,
			 struct rte_devargs **use)
{
	struct rte_devargs *own = sriov_devargs_lookup(&pdev->addr);
	struct rte_devargs *da = pdev->device.devargs;

	*use = own != NULL ? own : da;
	if (own != NULL)
		return own->policy == RTE_DEV_ALLOWED;
	if (da != NULL)
		return da->policy == RTE_DEV_ALLOWED;
	return sriov_pci_bus()->conf.scan_mode != RTE_BUS_SCAN_ALLOWLIST &&
	       sriov_bus.conf.scan_mode != RTE_BUS_SCAN_ALLOWLIST;
}

static struct rte_pci_device *
sriov_secondary_pci_find(const struct sriov_mp_entry *e)
{
	struct rte_pci_device *pdev;

	for (pdev = sriov_pci_bus_first_device(); pdev != NULL;
	     pdev = TAILQ_NEXT(pdev, next))
		if (pdev->addr.domain == e->domain &&
		    pdev->addr.bus == e->bus && pdev->addr.devid == e->devid &&
		    pdev->addr.function == e->function)
			return pdev;
	return NULL;
}

/* Claim one device the primary holds, if this process admits it. */
static void
sriov_secondary_claim(const struct sriov_mp_entry *e)
{
	struct rte_pci_device *pdev = sriov_secondary_pci_find(e);
	struct rte_devargs *da = NULL;
	struct vft_pci_dev dev;
	struct sriov_device *sd;
	struct vft_pci_addr a;
	char name[RTE_DEV_NAME_MAX_LEN];

	sriov_secondary_entry_name(e, name, sizeof(name));
	if (sriov_find_by_name(name) != NULL)
		return;
	if (pdev == NULL || !sriov_secondary_admitted(pdev, &da)) {
		SRIOV_LOG(DEBUG, "%s: held by the primary, not used here",
			  name);
		return;
	}
	sriov_addr_to_vft(&pdev->addr, &a);
	if (vft_pci_dev_read(sriov_sys, &a, &dev, NULL) < 0)
		return;
	sd = sriov_dev_claim(&sriov_bus, &dev, pdev, da);
	if (sd == NULL)
		return;
	snprintf(sd->name, sizeof(sd->name), "%s", name);
	sd->attached = true;
}

static void
sriov_secondary_say_unheld(const char *name)
{
	SRIOV_LOG(ERR,
		  "%s: the primary process does not hold this device: a "
		  "secondary uses only the devices of its primary (start "
		  "the primary with -a %s)",
		  name, name);
}

/* An SR-IOV function on vfio-pci (one the bus takes in a primary) that
 * this process names with -a but did not get from its primary. */
static bool
sriov_secondary_pci_unheld(const struct rte_devargs *da)
{
	struct rte_pci_addr pa;
	struct vft_pci_dev dev;
	struct vft_pci_addr a;
	char name[PCI_PRI_STR_SIZE], alias[RTE_DEV_NAME_MAX_LEN];

	if (da->policy != RTE_DEV_ALLOWED || rte_pci_addr_parse(da->name, &pa))
		return false;
	rte_pci_device_name(&pa, name, sizeof(name));
	snprintf(alias, sizeof(alias), "%s:%s", RTE_SRIOV_BUS_NAME, name);
	if (sriov_find_by_name(name) != NULL ||
	    sriov_find_by_name(alias) != NULL)
		return false;
	sriov_addr_to_vft(&pa, &a);
	return vft_pci_dev_read(sriov_sys, &a, &dev, NULL) == 0 &&
	       sriov_is_sriov_fn(&dev);
}

/*
 * Devices this process names that the primary does not hold: every one
 * named for the bus, and, when the primary runs the bus, the SR-IOV
 * functions on vfio-pci named for the pci bus.
 */
static void
sriov_secondary_unheld(bool primary_has_bus)
{
	struct rte_devargs *da;

	for (da = rte_devargs_next(RTE_SRIOV_BUS_NAME, NULL); da != NULL;
	     da = rte_devargs_next(RTE_SRIOV_BUS_NAME, da))
		if (da->policy == RTE_DEV_ALLOWED &&
		    sriov_find_by_name(da->name) == NULL)
			sriov_secondary_say_unheld(da->name);
	if (!primary_has_bus)
		return;
	for (da = rte_devargs_next("pci", NULL); da != NULL;
	     da = rte_devargs_next("pci", da))
		if (sriov_secondary_pci_unheld(da))
			sriov_secondary_say_unheld(da->name);
}

/* Give back a device the primary handed over (any thread). */
static void
sriov_secondary_give_back(struct sriov_device *sd, const char *why)
{
	if (!sd->attached || sd->removed || sd->vfio_dev.fd < 0)
		return;
	SRIOV_LOG(WARNING, "%s: %s: released, its port no longer works",
		  sd->name, why);
	sriov_vfio_release(sd, false);
}

/* The primary released @p sd: detach it here (EAL's interrupt thread). */
static int
sriov_secondary_detach(struct sriov_device *sd)
{
	return sriov_bus.unplug(&sd->pci.device);
}

static const struct sriov_mp_handlers sriov_secondary_handlers = {
	.give_back = sriov_secondary_give_back,
	.detach = sriov_secondary_detach,
};

/* A secondary's scan: the devices its primary holds that it admits. */
static int
sriov_scan_secondary(void)
{
	struct sriov_mp_list page;
	uint32_t start = 0, i;
	char why[256];

	if (!sriov_mp_primary_answers()) {
		SRIOV_LOG(DEBUG, "the primary process holds no sriov device");
		sriov_secondary_unheld(false);
		return 0;
	}
	sriov_mp_set_handlers(&sriov_secondary_handlers);
	sriov_mp_init(); /* for the primary's "gone" notices */
	do {
		int ret = sriov_mp_list_page(start, &page, why, sizeof(why));

		if (ret == -ENOENT) {
			/* the primary runs no sriov bus: nothing to attach */
			SRIOV_LOG(DEBUG, "primary without the sriov bus (%s)",
				  why);
			return 0;
		}
		if (ret < 0) {
			SRIOV_LOG(ERR,
				  "cannot list the primary process's "
				  "devices: %s",
				  why);
			return 0;
		}
		for (i = 0; i < page.n; i++)
			sriov_secondary_claim(&page.e[i]);
		start += page.n;
	} while (page.n > 0 && start < page.total);
	sriov_secondary_unheld(true);
	return 0;
}

/*
 * The primary gives a device back: secondaries stop getting it, it is
 * released here, and the secondaries that have it are told to give their
 * copy back (the kernel removes the function once every fd is closed).
 */
static void
sriov_dev_give_back(struct sriov_device *sd, bool from_callback)
{
	sriov_dev_set_ready(sd, false);
	sriov_vfio_release(sd, from_callback);
	sriov_mp_notify_gone(sd);
}

/* The kernel asked for the device back (sriov_vfio.c's request handler). */
static void
sriov_dev_requested(struct sriov_device *sd)
{
	sriov_dev_give_back(sd, true);
}

static int
sriov_scan(void)
{
	struct vft_pci_dev *dev;

	if (sriov_switched_off())
		return 0;
	sriov_vfio_set_request_handler(sriov_dev_requested);
	if (!sriov_pci_ok) {
		int ret = sriov_pci_bus_attach();

		/* Another DPDK release or pci bus layout: the bus stays idle
		 * (sriov_pci_bus_attach() said why, once); EAL goes on. */
		if (ret == -ENOTSUP)
			return 0;
		if (ret < 0)
			return -1;
		sriov_pci_ok = true;
	}
	/* A secondary uses exactly the devices its primary holds. */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return sriov_scan_secondary();
	dev = malloc(sizeof(*dev));
	if (dev == NULL)
		return -1;
	sriov_scan_pci_bus(dev);
	sriov_scan_own_devargs(dev);
	free(dev);
	sriov_pci_allow_named();
	/* Secondaries are answered once there is something to hand over;
	 * a process that claims nothing stays as stock DPDK has it. */
	if (!TAILQ_EMPTY(&sriov_devices))
		sriov_mp_init();
	return 0;
}

/* ---- probe ------------------------------------------------------------- */

/* Choose the device's token (sriov_dev_token() without the log line). */
static int
sriov_dev_token_choose(struct sriov_device *sd, struct sriov_params *p,
		       struct vft_token *tok)
{
	enum rte_sriov_token_source src;
	int ret;

	ret = sriov_token_choose(sd->name, p, tok, &src);
	if (ret < 0) {
		sriov_dev_set_error(sd, "token-unreadable");
		return ret;
	}
	sriov_dev_set_token(sd, tok, src);
	return 0;
}

/* Say which token the device has (fingerprint only). */
static void
sriov_dev_token_log(struct sriov_device *sd)
{
	char pf[VFT_PCI_ADDR_LEN];

	if (sd->role == SRIOV_ROLE_VF)
		vft_pci_addr_format(&sd->pf, pf);
	SRIOV_LOG(NOTICE, "%s: %s%s%s, token %s (source %s), %s path", sd->name,
		  sriov_role_name(sd->role),
		  sd->role == SRIOV_ROLE_VF ? " of PF " : "",
		  sd->role == SRIOV_ROLE_VF ? pf : "", sd->token_fp,
		  rte_sriov_token_source_name(sd->token_src),
		  vft_path_name(sd->vfio_path));
}

/* Choose the device's token and say which it is (fingerprint only). */
static int
sriov_dev_token(struct sriov_device *sd, struct sriov_params *p,
		struct vft_token *tok)
{
	int ret = sriov_dev_token_choose(sd, p, tok);

	if (ret == 0)
		sriov_dev_token_log(sd);
	return ret;
}

/* A VF (or another function) opens with its token, once: no retry. */
static int
sriov_dev_open_vf(struct sriov_device *sd, const struct vft_token *tok)
{
	struct vft_explanation why;
	int ret;

	ret = sriov_vfio_open(sd, tok, &why);
	if (ret < 0)
		sriov_vfio_explain(sd, &why);
	return ret;
}

/*
 * A PF opens without a token unless its VFs are in use, when the kernel
 * requires the token (VF token rule "PF with VF users"); the token is then
 * set explicitly by the PF helper before the VFs are created.
 */
static int
sriov_dev_open_pf(struct sriov_device *sd, const struct sriov_params *p,
		  const struct vft_token *tok)
{
	struct vft_explanation why;
	int ret;

	ret = sriov_vfio_open(sd, NULL, &why);
	if (ret == -EACCES && vft_token_present(tok)) {
		SRIOV_LOG(NOTICE,
			  "%s: VFs in use, opening the PF with its token",
			  sd->name);
		ret = sriov_vfio_open(sd, tok, &why);
	}
	if (ret < 0) {
		sriov_vfio_explain(sd, &why);
		return ret;
	}
	ret = sriov_pf_prepare(sd, p, tok);
	if (ret < 0)
		sriov_vfio_close(sd);
	return ret;
}

/*
 * The broker opens the device (for a PF it also sets the token): this
 * process never holds the token. A PF's num_vfs= still applies.
 */
static int
sriov_dev_open_brokered(struct sriov_device *sd, const struct sriov_params *p)
{
	struct vft_explanation why;
	int ret;

	sriov_dev_set_token(sd, NULL, RTE_SRIOV_TOKEN_BROKER);
	SRIOV_LOG(NOTICE,
		  "%s: %s, opened by the VF token broker at %s, %s path",
		  sd->name, sriov_role_name(sd->role), p->broker,
		  vft_path_name(sd->vfio_path));
	ret = sriov_vfio_open_brokered(sd, p->broker, &why);
	if (ret < 0) {
		sriov_vfio_explain(sd, &why);
		return ret;
	}
	if (sd->role == SRIOV_ROLE_PF) {
		ret = sriov_pf_prepare(sd, p, NULL);
		if (ret < 0)
			sriov_vfio_close(sd);
	}
	return ret;
}

/* Choose the token, open with it, prepare a PF. Wipes the token. */
static int
sriov_dev_open(struct sriov_device *sd, struct sriov_params *p)
{
	struct vft_token tok;
	int ret;

	ret = sriov_token_broker(sd->name, p);
	if (ret < 0) {
		sriov_dev_set_error(sd, "bad-devargs");
		return ret;
	}
	if (ret == 1) {
		ret = sriov_dev_open_brokered(sd, p);
		if (ret == 0)
			sriov_dev_set_error(sd, "");
		return ret;
	}
	ret = sriov_dev_token(sd, p, &tok);
	if (ret < 0)
		return ret;
	if (sd->role == SRIOV_ROLE_PF)
		ret = sriov_dev_open_pf(sd, p, &tok);
	else
		ret = sriov_dev_open_vf(sd, &tok);
	vft_token_wipe(&tok);
	if (ret == 0)
		sriov_dev_set_error(sd, "");
	return ret;
}

static bool
sriov_iova_ok(const struct rte_pci_driver *drv, const struct sriov_device *sd)
{
	if ((drv->drv_flags & RTE_PCI_DRV_NEED_IOVA_AS_VA) &&
	    rte_eal_iova_mode() != RTE_IOVA_VA) {
		SRIOV_LOG(ERR, "%s: driver %s needs IOVA as VA, EAL uses PA",
			  sd->name, drv->driver.name);
		return false;
	}
	return true;
}

/* The first matching driver the bus can run, naming those it cannot. */
static struct rte_pci_driver *
sriov_dev_first_driver(struct sriov_device *sd)
{
	struct rte_pci_driver *drv;

	for (drv = sriov_pci_bus_next_match(NULL, &sd->pci); drv != NULL;
	     drv = sriov_pci_bus_next_match(drv, &sd->pci)) {
		if (sriov_driver_usable(drv))
			return drv;
		SRIOV_LOG(ERR,
			  "%s: PCI driver %s maps devices through "
			  "EAL's own VFIO container, which cannot "
			  "reach a device the sriov bus holds: leave "
			  "this function to the pci bus (do not name "
			  "it for the sriov bus)",
			  sd->name, drv->driver.name);
	}
	return NULL;
}

/* Blocked, given back to the kernel, or no driver: @return 1 to skip. */
static int
sriov_dev_policy(struct sriov_device *sd, struct rte_pci_driver **first)
{
	struct rte_devargs *da = sd->pci.device.devargs;

	if (da != NULL && da->policy == RTE_DEV_BLOCKED)
		return 1;
	if (sd->removed) {
		SRIOV_LOG(ERR, "%s: was taken back by the kernel; detach it",
			  sd->name);
		return -ENODEV;
	}
	*first = sriov_dev_first_driver(sd);
	if (*first != NULL)
		return 0;
	if (sriov_pci_bus_next_match(NULL, &sd->pci) == NULL)
		SRIOV_LOG(NOTICE, "%s: no DPDK PCI driver for %04x:%04x",
			  sd->name, sd->pci.id.vendor_id, sd->pci.id.device_id);
	else
		sriov_dev_set_error(sd, "driver-not-supported");
	return 1;
}

/* Parse the bus's devargs and strip them from the PMD's string. */
static int
sriov_dev_params(struct sriov_device *sd, struct sriov_params *p)
{
	struct rte_devargs *da = sd->pci.device.devargs;
	int ret;

	ret = sriov_params_parse(sd->name, da != NULL ? da->drv_str : NULL, p);
	if (ret == 0 && p->has_num_vfs && sd->role != SRIOV_ROLE_PF) {
		SRIOV_LOG(ERR,
			  "%s: devarg num_vfs applies to an SR-IOV PF, "
			  "this function is a %s",
			  sd->name, sriov_role_name(sd->role));
		ret = -EINVAL;
	}
	/* Strip whatever the outcome: a refused literal token must not stay
	 * in EAL's devargs buffer for the life of the process.
	 */
	if (sriov_params_strip(sd->name, da) < 0 && ret == 0)
		ret = -EINVAL;
	if (ret < 0) {
		sriov_dev_set_error(sd, "bad-devargs");
		sriov_params_wipe(p);
	}
	return ret;
}

/* Call the matching drivers the bus can run, from @p first, in turn. */
static int
sriov_dev_drivers(struct sriov_device *sd, struct rte_pci_driver *first)
{
	struct rte_pci_driver *drv;
	int ret = 1;

	for (drv = first; drv != NULL; drv = sriov_next_usable(drv, &sd->pci)) {
		if (!sriov_iova_ok(drv, sd))
			return -EINVAL;
		SRIOV_LOG(INFO, "%s: probe PCI driver %s (%x:%04x, socket %d)",
			  sd->name, drv->driver.name, sd->pci.id.vendor_id,
			  sd->pci.id.device_id, sd->pci.device.numa_node);
		/* drivers read their flags through pci_dev->driver in probe */
		sd->pci.driver = drv;
		ret = drv->probe(drv, &sd->pci);
		if (ret == 0) {
			sd->pci.device.driver = &drv->driver;
			return 0;
		}
		sd->pci.driver = NULL;
		if (ret < 0)
			return ret;
	}
	return ret;
}

/* The matching drivers from @p first; on failure the device is closed. */
static int
sriov_dev_run_drivers(struct sriov_device *sd, struct rte_pci_driver *first)
{
	uint64_t t = sriov_time_now();
	int ret = sriov_dev_drivers(sd, first);

	if (ret == 0) {
		char line[256];

		sriov_dev_time(sd, SRIOV_PHASE_PROBE, t);
		sriov_list_lock();
		sriov_timing_format(&sd->timing, line, sizeof(line));
		sriov_list_unlock();
		SRIOV_LOG(DEBUG, "%s: start-up: %s", sd->name, line);
		return 0;
	}
	if (ret < 0)
		SRIOV_LOG(ERR, "%s: driver probe failed: %s", sd->name,
			  strerror(-ret));
	sriov_dev_set_error(sd, ret < 0 ? "driver-probe-failed"
					: "no-driver-accepted");
	sriov_vfio_close(sd);
	return ret;
}

/*
 * In a secondary: the primary's device, attached through the fd it hands
 * over (sriov_mp.c). The bus's devargs are stripped; a token given here
 * has no use and is wiped.
 */
static int
sriov_dev_probe_secondary(struct sriov_device *sd, struct rte_pci_driver *first)
{
	struct sriov_mp_hand hand;
	struct sriov_params p;
	int ret;

	ret = sriov_dev_params(sd, &p);
	if (ret < 0)
		return ret;
	if (p.has_literal || p.has_file || p.has_env)
		SRIOV_LOG(NOTICE,
			  "%s: token devargs ignored: a secondary process "
			  "uses the device its primary opened",
			  sd->name);
	sriov_params_wipe(&p);
	ret = sriov_mp_attach(sd, &hand);
	if (ret == 0)
		ret = sriov_vfio_adopt(sd, &hand);
	if (ret < 0) {
		sriov_dev_set_error(sd, "attach-failed");
		return ret;
	}
	SRIOV_LOG(INFO, "%s: attached from the primary (pid %u, fd hand-over)",
		  sd->name, hand.pid);
	return sriov_dev_run_drivers(sd, first);
}

/* After the device's open, in list order on EAL's thread: its VFIO set-up,
 * the PMD probes, then multi-process publication. */
static int
sriov_dev_opened(struct sriov_device *sd, struct rte_pci_driver *first)
{
	uint64_t t = sriov_time_now();
	int ret;

	ret = sriov_vfio_setup(sd, true);
	if (ret < 0) {
		sriov_dev_set_error(sd, "setup-failed");
		sriov_vfio_close(sd);
		return ret;
	}
	sriov_dev_time(sd, SRIOV_PHASE_SETUP, t);
	ret = sriov_dev_run_drivers(sd, first);
	if (ret == 0)
		sriov_dev_set_ready(sd, true);
	return ret;
}

static int sriov_dev_probe_params(struct sriov_device *sd,
				  struct rte_pci_driver *first,
				  struct sriov_params *p);

static int
sriov_dev_probe(struct sriov_device *sd)
{
	struct rte_pci_driver *first = NULL;
	struct sriov_params p;
	int ret;

	ret = sriov_dev_policy(sd, &first);
	if (ret != 0)
		return ret;
	if (sd->attached)
		return sriov_dev_probe_secondary(sd, first);
	ret = sriov_dev_params(sd, &p);
	if (ret < 0)
		return ret;
	return sriov_dev_probe_params(sd, first, &p);
}

/* sriov_dev_probe() from its devargs on (@p p is wiped). */
static int
sriov_dev_probe_params(struct sriov_device *sd, struct rte_pci_driver *first,
		       struct sriov_params *p)
{
	uint64_t t;
	int ret;

	ret = sriov_vfio_path_choose(sd, p);
	if (ret < 0) {
		sriov_dev_set_error(sd, "bad-vfio-path");
		sriov_params_wipe(p);
		return ret;
	}
	t = sriov_time_now();
	ret = sriov_dev_open(sd, p);
	sriov_params_wipe(p);
	if (ret < 0)
		return ret;
	sriov_dev_time(sd, SRIOV_PHASE_OPEN, t);
	return sriov_dev_opened(sd, first);
}

/* ---- parallel open ------------------------------------------------------ */

/*
 * At EAL's probe the bus opens its VFs on up to SRIOV_OPEN_THREADS threads
 * at once (vft_iommu_open_devices()): the kernel's first open of a VF
 * resets it (vfio_pci_core_enable(): an FLR, 100 ms of msleep() in
 * pcie_flr()), and the opens of VFs that share no dev_set overlap. Before
 * Linux 6.17 a PF's VFs share its dev_set, whose first opens the kernel
 * runs one after the other (vfio_df_open() under dev_set->lock); since
 * 6.17 ("vfio/pci: Separate SR-IOV VF dev_set") each VF has its own
 * (ARCHITECTURE.md, section 9). Only the kernel's open (region and IRQ
 * info included) runs on the threads, with nothing of the bus logged
 * there; the policy, devargs and token are chosen before, and the token
 * lines, explanations, set-up, PMD probes and multi-process publication
 * follow on EAL's thread in list order, so the log reads as with one open
 * after the other. PFs, devices the broker opens and a secondary's devices
 * are probed as before, in their place in the list; with a PF to probe
 * every device is (it may create its VFs or give them their token).
 */
#define SRIOV_OPEN_THREADS 8

struct sriov_job {
	struct sriov_device *sd;
	struct rte_pci_driver *first;
	struct sriov_params p; /* with params: probed from them, wiped */
	bool params;
	struct vft_token tok;
	int ret; /* < 0 failed, > 0 skipped before the open */
};

/*
 * Up to the open: whether @p j->sd can be opened with the others, with
 * its token chosen (logged by sriov_job_finish()). @return 1 yes; 0 no:
 * probe it the usual way (from j->p if j->params); or the probe's result
 * (< 0 failed, > 0 skipped).
 */
static int
sriov_job_prepare(struct sriov_job *j)
{
	struct sriov_device *sd = j->sd;
	int ret;

	if (sd->attached || sd->role == SRIOV_ROLE_PF)
		return 0;
	ret = sriov_dev_policy(sd, &j->first);
	if (ret != 0)
		return ret;
	ret = sriov_dev_params(sd, &j->p);
	if (ret < 0)
		return ret;
	ret = sriov_vfio_path_choose(sd, &j->p);
	if (ret < 0) {
		sriov_dev_set_error(sd, "bad-vfio-path");
		sriov_params_wipe(&j->p);
		return ret;
	}
	ret = sriov_token_broker(sd->name, &j->p);
	if (ret < 0) {
		sriov_dev_set_error(sd, "bad-devargs");
		sriov_params_wipe(&j->p);
		return ret;
	}
	if (ret == 1) {
		j->params = true; /* the broker's: the usual way */
		return 0;
	}
	ret = sriov_dev_token_choose(sd, &j->p, &j->tok);
	sriov_params_wipe(&j->p);
	return ret < 0 ? ret : 1;
}

/* On EAL's thread, in list order, after the opens: what sriov_dev_probe()
 * does after sriov_dev_open(), as it logs it. */
static int
sriov_job_finish(struct sriov_job *j, struct vft_open_req *r)
{
	struct sriov_device *sd = j->sd;

	sriov_dev_token_log(sd);
	sriov_vfio_open_done(sd, r);
	if (r->ret < 0) {
		sriov_vfio_explain(sd, &r->why);
		return r->ret;
	}
	sriov_dev_set_error(sd, "");
	sriov_dev_time_span(sd, SRIOV_PHASE_OPEN, r->start_ns, r->end_ns);
	return sriov_dev_opened(sd, j->first);
}

/* Devices EAL's probe has to probe; *pf: a PF among them. */
static unsigned int
sriov_probe_count(bool *pf)
{
	struct sriov_device *sd;
	unsigned int n = 0;

	*pf = false;
	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next)) {
		if (rte_dev_is_probed(&sd->pci.device))
			continue;
		n++;
		if (sd->role == SRIOV_ROLE_PF && !sd->attached)
			*pf = true;
	}
	return n;
}

/* The result of @p j: probed here, or the usual way. */
static int
sriov_job_probe(struct sriov_job *j, struct vft_open_req *r)
{
	if (!r->skip)
		return sriov_job_finish(j, r);
	if (j->params)
		return sriov_dev_probe_params(j->sd, j->first, &j->p);
	if (j->ret == 0)
		return sriov_dev_probe(j->sd);
	return j->ret;
}

/*
 * sriov_probe() with the devices' opens on threads: @p n devices to probe
 * (sriov_probe_count()), none a PF. @return -1 when every one failed, 0
 * otherwise; -ENOMEM: nothing done, probe them in turn.
 */
static int
sriov_probe_batch(unsigned int n)
{
	struct sriov_job *jobs = calloc(n, sizeof(*jobs));
	struct vft_open_req *reqs = calloc(n, sizeof(*reqs));
	unsigned int i = 0, k, failed = 0, opens = 0;
	struct sriov_device *sd;
	int ret;

	if (jobs == NULL || reqs == NULL) {
		free(jobs);
		free(reqs);
		return -ENOMEM;
	}
	/* in list order: policy, devargs, token; nothing opened */
	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next)) {
		if (rte_dev_is_probed(&sd->pci.device) || i >= n)
			continue;
		jobs[i].sd = sd;
		ret = sriov_job_prepare(&jobs[i]);
		jobs[i].ret = ret == 1 ? 0 : ret;
		if (ret == 1) {
			sriov_vfio_open_req(sd, &jobs[i].tok, &reqs[i]);
			opens++;
		} else {
			reqs[i].skip = true;
		}
		i++;
	}
	n = i;
	if (opens > 0) {
		vft_iommu_open_devices(reqs, n, SRIOV_OPEN_THREADS);
		SRIOV_LOG(DEBUG, "opened %u devices on up to %u threads", opens,
			  SRIOV_OPEN_THREADS);
	}
	for (k = 0; k < n; k++) {
		vft_token_wipe(&jobs[k].tok);
		if (sriov_job_probe(&jobs[k], &reqs[k]) < 0) {
			SRIOV_LOG(ERR, "%s: cannot be used", jobs[k].sd->name);
			failed++;
		}
		sriov_params_wipe(&jobs[k].p);
	}
	free(jobs);
	free(reqs);
	return n > 0 && failed == n ? -1 : 0;
}

static int
sriov_probe(void)
{
	struct sriov_device *sd;
	size_t probed = 0, failed = 0;
	unsigned int n;
	bool pf;

	n = sriov_probe_count(&pf);
	if (n >= 2 && !pf) {
		int ret = sriov_probe_batch(n);

		if (ret != -ENOMEM)
			return ret;
	}
	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next)) {
		if (rte_dev_is_probed(&sd->pci.device))
			continue;
		probed++;
		if (sriov_dev_probe(sd) < 0) {
			SRIOV_LOG(ERR, "%s: cannot be used", sd->name);
			failed++;
		}
	}
	return probed > 0 && probed == failed ? -1 : 0;
}

/* ---- remove ------------------------------------------------------------ */

/* Secondaries stop getting the device, then the driver lets it go; the
 * secondaries that have it give it back when told it is gone. Without
 * @p close_now the device stays open, for the caller to close and tell. */
static int
sriov_dev_detach(struct sriov_device *sd, bool close_now)
{
	struct rte_pci_driver *drv = sd->pci.driver;
	bool shared = sd->mp_ready;

	sriov_dev_set_ready(sd, false);
	if (drv != NULL && drv->remove != NULL) {
		int ret = drv->remove(&sd->pci);

		if (ret < 0) {
			sriov_dev_set_ready(sd, shared);
			return ret;
		}
	}
	sd->pci.driver = NULL;
	sd->pci.device.driver = NULL;
	if (!close_now)
		return 0;
	if (sd->vfio_dev.fd >= 0)
		sriov_vfio_close(sd);
	sriov_mp_notify_gone(sd);
	return 0;
}

static int
sriov_plug(struct rte_device *dev)
{
	struct sriov_device *sd = sriov_from_dev(dev);

	if (sd == NULL)
		return -EINVAL;
	if (rte_dev_is_probed(dev))
		return -EEXIST;
	return sriov_dev_probe(sd);
}

static int
sriov_unplug(struct rte_device *dev)
{
	struct sriov_device *sd = sriov_from_dev(dev);
	int ret;

	if (sd == NULL)
		return -EINVAL;
	ret = sriov_dev_detach(sd, true);
	if (ret < 0)
		return ret;
	sriov_list_lock();
	TAILQ_REMOVE(&sriov_devices, sd, next);
	sriov_list_unlock();
	rte_devargs_remove(dev->devargs);
	sriov_dev_free(sd);
	return 0;
}

/*
 * At exit: every driver lets its device go, in list order, then the
 * devices are closed together (sriov_vfio_close_all(): each last close is
 * a reset in the kernel), then the secondaries are told. A driver that
 * fails to let go does not keep its device open: the process is going
 * away.
 */
static int
sriov_cleanup(void)
{
	struct sriov_device *sd, *tmp, **todo;
	unsigned int n = 0, k = 0;
	int error = 0;

	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next))
		n++;
	todo = calloc(n + 1, sizeof(*todo)); /* n + 1: never calloc(0) */
	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next)) {
		if (sriov_dev_detach(sd, false) < 0)
			error = -1;
		if (sd->vfio_dev.fd < 0)
			continue;
		if (todo != NULL)
			todo[k++] = sd;
		else
			sriov_vfio_close(sd); /* no memory: one at a time */
	}
	sriov_vfio_close_all(todo, k);
	free(todo);
	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL; sd = tmp) {
		tmp = TAILQ_NEXT(sd, next);
		sriov_mp_notify_gone(sd);
		sriov_list_lock();
		TAILQ_REMOVE(&sriov_devices, sd, next);
		sriov_list_unlock();
		sriov_dev_free(sd);
	}
	sriov_vfio_cleanup();
	sriov_mp_cleanup();
	return error;
}

/* ---- other bus operations ---------------------------------------------- */

/*
 * A function claimed from the pci bus keeps its PCI name, but EAL spells
 * a device of this bus "sriov:NAME" in devargs strings, and resolves that
 * spelling to the name "sriov:NAME" (rte_devargs_parse(): the pci bus
 * claims the bare address first). Its hotplug requests to secondaries and
 * rte_dev_remove() by devargs then look for "sriov:NAME": a device answers
 * to both names. @return cmp()'s answer for the prefixed name.
 */
static int
sriov_cmp_alias(const struct sriov_device *sd, rte_dev_cmp_t cmp,
		const void *data)
{
	char alias[RTE_DEV_NAME_MAX_LEN];
	struct rte_device dev = sd->pci.device;
	int n;

	if (strncmp(sd->name, SRIOV_PREFIX, strlen(SRIOV_PREFIX)) == 0)
		return 1;
	n = snprintf(alias, sizeof(alias), "%s%s", SRIOV_PREFIX, sd->name);
	if (n < 0 || (size_t)n >= sizeof(alias))
		return 1;
	dev.name = alias;
	return cmp(&dev, data);
}

static struct rte_device *
sriov_find_device(const struct rte_device *start, rte_dev_cmp_t cmp,
		  const void *data)
{
	struct rte_device *found = NULL;
	struct sriov_device *sd;

	sriov_list_lock();
	if (start != NULL) {
		sd = sriov_from_dev(start);
		sd = sd != NULL ? TAILQ_NEXT(sd, next) : NULL;
	} else {
		sd = TAILQ_FIRST(&sriov_devices);
	}
	for (; sd != NULL && found == NULL; sd = TAILQ_NEXT(sd, next))
		if (cmp(&sd->pci.device, data) == 0 ||
		    sriov_cmp_alias(sd, cmp, data) == 0)
			found = &sd->pci.device;
	sriov_list_unlock();
	return found;
}

/* ---- iteration: "bus=sriov,addr=ADDR" or ",name=NAME" ------------------ */

#define SRIOV_ITER_ADDR "addr"
#define SRIOV_ITER_NAME "name"

static int
sriov_iter_addr(const char *key, const char *value, void *arg)
{
	const struct sriov_device *sd = arg;
	struct vft_pci_addr a;

	RTE_SET_USED(key);
	return vft_pci_addr_parse(value, &a) == 0 &&
			       vft_pci_addr_equal(&a, &sd->addr)
		       ? 0
		       : -1;
}

static int
sriov_iter_name(const char *key, const char *value, void *arg)
{
	const struct sriov_device *sd = arg;

	RTE_SET_USED(key);
	return strcmp(value, sd->name) == 0 ? 0 : -1;
}

/* 0 when the device matches every filter given (none: all devices). */
static int
sriov_iter_match(const struct rte_device *dev, const void *arg)
{
	const struct rte_kvargs *kv = arg;
	struct sriov_device *sd = sriov_from_dev(dev);

	if (sd == NULL)
		return -1;
	if (kv == NULL)
		return 0;
	if (rte_kvargs_process(kv, SRIOV_ITER_ADDR, sriov_iter_addr, sd) < 0 ||
	    rte_kvargs_process(kv, SRIOV_ITER_NAME, sriov_iter_name, sd) < 0)
		return -1;
	return 0;
}

/* The bus's part of rte_dev_iterate() (RTE_DEV_FOREACH with bus=sriov). */
static void *
sriov_dev_iterate(const void *start, const char *str,
		  const struct rte_dev_iterator *it)
{
	static const char *const keys[] = { SRIOV_ITER_ADDR, SRIOV_ITER_NAME,
					    NULL };
	struct rte_kvargs *kv = NULL;
	struct rte_device *dev;

	RTE_SET_USED(it);
	if (str != NULL && str[0] != '\0') {
		kv = rte_kvargs_parse(str, keys);
		if (kv == NULL) {
			SRIOV_LOG(ERR,
				  "cannot iterate over \"%s\": expected "
				  "addr=<PCI address> and/or name=<device>",
				  str);
			rte_errno = EINVAL;
			return NULL;
		}
	}
	dev = sriov_find_device(start, sriov_iter_match, kv);
	rte_kvargs_free(kv);
	return dev;
}

static int
sriov_dma_map(struct rte_device *dev, void *addr, uint64_t iova, size_t len)
{
	struct sriov_device *sd = sriov_from_dev(dev);
	int ret;

	if (sd == NULL || sd->pci.driver == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	if (sd->pci.driver->dma_map != NULL)
		return sd->pci.driver->dma_map(&sd->pci, addr, iova, len);
	ret = sriov_vfio_dma_map(sd, (uintptr_t)addr, iova, len);
	if (ret < 0) {
		rte_errno = -ret;
		return -1;
	}
	return 0;
}

static int
sriov_dma_unmap(struct rte_device *dev, void *addr, uint64_t iova, size_t len)
{
	struct sriov_device *sd = sriov_from_dev(dev);
	int ret;

	if (sd == NULL || sd->pci.driver == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	if (sd->pci.driver->dma_unmap != NULL)
		return sd->pci.driver->dma_unmap(&sd->pci, addr, iova, len);
	ret = sriov_vfio_dma_unmap(sd, iova, len);
	if (ret < 0) {
		rte_errno = -ret;
		return -1;
	}
	return 0;
}

/* The bus's own container maps memory IOVA = VA. */
static enum rte_iova_mode
sriov_get_iommu_class(void)
{
	return TAILQ_EMPTY(&sriov_devices) ? RTE_IOVA_DC : RTE_IOVA_VA;
}

static int
sriov_hot_unplug_handler(struct rte_device *dev)
{
	struct sriov_device *sd = sriov_from_dev(dev);

	if (sd == NULL)
		return -1;
	sriov_dev_give_back(sd, true);
	rte_dev_event_callback_process(dev->name, RTE_DEV_EVENT_REMOVE);
	return 0;
}

/* A SIGBUS in one of our BARs: the device went away under its driver. */
static int
sriov_sigbus_handler(const void *addr)
{
	const char *a = addr;
	struct sriov_device *sd;
	unsigned int i;

	for (sd = TAILQ_FIRST(&sriov_devices); sd != NULL;
	     sd = TAILQ_NEXT(sd, next)) {
		for (i = 0; i < PCI_MAX_RESOURCE; i++) {
			const struct vft_region *r = &sd->vfio_dev.regions[i];
			const char *b = r->map;

			if (b != NULL && a >= b && a < b + r->map_len)
				return sriov_hot_unplug_handler(
					       &sd->pci.device) == 0
					       ? 0
					       : -1;
		}
	}
	return 1;
}

struct rte_bus sriov_bus = {
	.scan = sriov_scan,
	.probe = sriov_probe,
	.cleanup = sriov_cleanup,
	.find_device = sriov_find_device,
	.dev_iterate = sriov_dev_iterate,
	.plug = sriov_plug,
	.unplug = sriov_unplug,
	.parse = sriov_name_parse,
	.dma_map = sriov_dma_map,
	.dma_unmap = sriov_dma_unmap,
	.get_iommu_class = sriov_get_iommu_class,
	.hot_unplug_handler = sriov_hot_unplug_handler,
	.sigbus_handler = sriov_sigbus_handler,
};

int
rte_sriov_dev_token_fingerprint(const char *name, char *buf, size_t len,
				enum rte_sriov_token_source *source)
{
	struct sriov_device *sd;

	if (buf == NULL || len < RTE_SRIOV_FINGERPRINT_LEN)
		return -EINVAL;
	sd = name != NULL ? sriov_find_by_name(name) : NULL;
	if (sd == NULL)
		return -ENODEV;
	snprintf(buf, len, "%s", sd->token_fp);
	if (source != NULL)
		*source = sd->token_src;
	return 0;
}

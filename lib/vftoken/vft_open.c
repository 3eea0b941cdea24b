/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * One-call open: sysfs first (so a missing or unbound function is explained
 * without touching /dev/vfio), then container, group and device with the
 * token. Any failure closes what was opened and asks the explainer why,
 * telling it the exact step that failed.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vft_private.h"
#include "vftoken.h"

static void
vft_open_reset(struct vft_handle *h)
{
	memset(h, 0, sizeof(*h));
	h->container.fd = -1;
	h->group.fd = -1;
	h->group.id = -1;
	h->device.fd = -1;
	h->device.irq_index = -1;
}

static int
vft_open_fail(const struct vft_sys *sys, const struct vft_pci_addr *addr,
	      bool token, int error, enum vft_step step, struct vft_handle *h,
	      struct vft_explanation *why)
{
	vft_close(h);
	if (why != NULL)
		vft_explain_step(sys, addr, token, error, step, why);
	return error;
}

int
vft_open(const struct vft_sys *sys, const struct vft_pci_addr *addr,
	 const struct vft_token *tok, struct vft_handle *h,
	 struct vft_explanation *why)
{
	struct vft_pci_dev dev;
	enum vft_step step;
	bool token = tok != NULL && vft_token_present(tok);
	int ret;

	if (h == NULL || addr == NULL) {
		if (why != NULL) {
			memset(why, 0, sizeof(*why));
			why->verdict = VFT_V_OTHER;
			why->error = -EINVAL;
			snprintf(why->reason, sizeof(why->reason),
				 "vft_open: %s is NULL",
				 h == NULL ? "the handle" : "the PCI address");
			snprintf(why->fix, sizeof(why->fix),
				 "pass a handle and a PCI address");
		}
		return -EINVAL;
	}
	vft_open_reset(h);

	ret = vft_pci_dev_read(sys, addr, &dev, NULL);
	if (ret < 0)
		return vft_open_fail(sys, addr, token, ret, VFT_STEP_SYSFS, h,
				     why);
	if (!vft_pci_dev_on_vfio(&dev))
		return vft_open_fail(sys, addr, token, -ENODEV, VFT_STEP_SYSFS,
				     h, why);
	if (dev.iommu_group < 0)
		return vft_open_fail(sys, addr, token, -ENOENT, VFT_STEP_SYSFS,
				     h, why);

	ret = vft_container_open(&h->container, NULL);
	if (ret < 0)
		return vft_open_fail(sys, addr, token, ret, VFT_STEP_CONTAINER,
				     h, why);

	step = VFT_STEP_GROUP_OPEN;
	ret = vft_group_open_step(&h->container, dev.iommu_group, &h->group,
				  sys, NULL, &step);
	if (ret < 0)
		return vft_open_fail(sys, addr, token, ret, step, h, why);

	step = VFT_STEP_DEVICE_OPEN;
	ret = vft_device_open_step(&h->group, addr, tok, &h->device, NULL,
				   &step);
	if (ret < 0)
		return vft_open_fail(sys, addr, token, ret, step, h, why);

	if (why != NULL)
		vft_explain_step(sys, addr, token, 0, VFT_STEP_ANY, why);
	return 0;
}

void
vft_close(struct vft_handle *h)
{
	if (h == NULL)
		return;
	vft_device_close(&h->device);
	vft_group_close(&h->group);
	vft_container_close(&h->container);
}

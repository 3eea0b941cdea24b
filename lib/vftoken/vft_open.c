/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * One-call open: one device in an IOMMU context of its own, through the
 * device layer (vft_device.c), on the group path.
 */

#include <errno.h>
#include <string.h>

#include "vft_private.h"
#include "vftoken.h"

int
vft_open(const struct vft_sys *sys, const struct vft_pci_addr *addr,
	 const struct vft_token *tok, struct vft_handle *h,
	 struct vft_explanation *why)
{
	int ret;

	if (h == NULL)
		return vft_iommu_open_device(NULL, sys, addr, tok, NULL, why);
	vft_iommu_init(&h->iommu, VFT_PATH_GROUP, NULL);
	ret = vft_iommu_open_device(&h->iommu, sys, addr, tok, &h->device, why);
	if (ret < 0)
		vft_iommu_close(&h->iommu);
	return ret;
}

void
vft_close(struct vft_handle *h)
{
	if (h == NULL)
		return;
	vft_device_close(&h->device);
	vft_iommu_close(&h->iommu);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * test-vftoken-kernel: conformance suite for the kernel side of the VF token
 * (vfio-pci "vf_token=" on VFIO_GROUP_GET_DEVICE_FD and
 * VFIO_DEVICE_FEATURE_PCI_VF_TOKEN). It talks to the kernel with raw
 * <linux/vfio.h> ioctls and sysfs writes on purpose: it tests the kernel, so
 * it does not go through libvftoken.
 */

#ifndef TVK_H
#define TVK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TVK_ADDR_LEN 32
#define TVK_UUID_STR_LEN 36 /* the kernel's UUID_STRING_LEN */
#define TVK_NUM_VFS 2
#define TVK_MSG_LEN 512

struct tvk_ctx {
	const char *pf;	   /* igb PF address */
	const char *other; /* NIC without SR-IOV, or NULL */
	bool kernel_pf;	   /* run checks that put the PF on a kernel driver */
	bool verbose;
	char vf[TVK_NUM_VFS][TVK_ADDR_LEN]; /* filled by tvk_state_reset() */
	/* The known token the state reset installs; never printed. */
	uint8_t token[16];
	char token_str[TVK_UUID_STR_LEN + 1];
	char kernel[128];
};

/* Result of one check: message of the first failed assertion. */
struct tvk_res {
	char msg[TVK_MSG_LEN];
};

/* A device opened through its group: one container per open. */
struct tvk_dev {
	int container;
	int group;
	int device;
};

/* A device opened through its cdev, bound to its own iommufd. */
struct tvk_cdev {
	int iommufd;
	int device;
	uint32_t devid; /* out_devid of the bind */
	uint32_t ioas;	/* IOAS attached by tvk_cdev_attach_ioas() */
};

/* tvk_sysfs.c */
int tvk_sysfs_write(const char *path, const char *val);
int tvk_sysfs_read(const char *path, char *buf, size_t len);
int tvk_dev_attr_write(const char *addr, const char *attr, const char *val);
int tvk_dev_attr_read(const char *addr, const char *attr, char *buf,
		      size_t len);
int tvk_driver_of(const char *addr, char *buf, size_t len);
int tvk_iommu_group_of(const char *addr, int *group);
int tvk_virtfn(const char *pf, int idx, char *buf, size_t len);
int tvk_numvfs(const char *pf);
int tvk_unbind(const char *addr);
int tvk_bind(const char *addr, const char *drv);
int tvk_modprobe(const char *mod, const char *arg);
bool tvk_driver_loaded(const char *drv);

/* The container of a group-path open: VFIO's own, or iommufd's compat one. */
#define TVK_CONTAINER_LEGACY "/dev/vfio/vfio"
#define TVK_CONTAINER_IOMMUFD "/dev/iommu"

/* How far tvk_dev_open_at() sets the group up before GET_DEVICE_FD. */
enum tvk_stage {
	TVK_STAGE_GROUP = 0, /* group fd only, no container */
	TVK_STAGE_CONTAINER, /* container set, no VFIO_SET_IOMMU */
	TVK_STAGE_IOMMU,     /* container set, type1v2 IOMMU set: a full open */
	TVK_STAGE_IOMMU_TYPE1, /* a full open with the type1 (v1) IOMMU */
};

/* tvk_vfio.c */
void tvk_dev_init(struct tvk_dev *d);
int tvk_dev_open(const char *addr, const char *name, struct tvk_dev *d,
		 char *err, size_t errlen);
int tvk_dev_open_at(const char *container, const char *addr, int stage,
		    const char *name, struct tvk_dev *d, char *err,
		    size_t errlen);
void tvk_dev_close(struct tvk_dev *d);
int tvk_feature(int devfd, uint32_t flags, const uint8_t *uuid,
		uint32_t argsz_data);
int tvk_uuid_random(uint8_t uuid[16]);
void tvk_uuid_format(const uint8_t uuid[16], char out[TVK_UUID_STR_LEN + 1]);
void tvk_wipe(void *p, size_t len);
const char *tvk_errname(int err);

/* tvk_cdev.c */
void tvk_cdev_init(struct tvk_cdev *c);
void tvk_cdev_close(struct tvk_cdev *c);
int tvk_cdev_name(const char *addr, char *name, size_t len);
int tvk_cdev_path(const char *addr, char *path, size_t len);
int tvk_cdev_open(const char *addr, struct tvk_cdev *c, char *err,
		  size_t errlen);
int tvk_cdev_bind_raw(int devfd, uint32_t argsz, uint32_t flags,
		      int32_t iommufd, const uint8_t *uuid, uint32_t *devid);
int tvk_cdev_bind(struct tvk_cdev *c, const uint8_t *uuid);
int tvk_cdev_attach_ioas(struct tvk_cdev *c);
const char *tvk_cdev_missing(const char *addr);

/* tvk_checks.c */
struct tvk_check {
	const char *name;
	const char *rule;
	/* 0 pass, -1 fail, TVK_NA not applicable on this kernel (msg: why) */
	int (*fn)(struct tvk_ctx *ctx, struct tvk_res *res);
	unsigned int needs;
};

#define TVK_NA 1

#define TVK_ENABLE_SRIOV "/sys/module/vfio_pci/parameters/enable_sriov"

#define TVK_NEED_OTHER (1u << 0)
#define TVK_NEED_KERNEL_PF (1u << 1) /* moves the PF to igb / pci-pf-stub */
#define TVK_NEED_CDEV (1u << 2)	     /* IOMMUFD + VFIO_DEVICE_CDEV */
#define TVK_NEED_IOMMUFD (1u << 3)   /* /dev/iommu (the compat container) */

extern const struct tvk_check tvk_checks[];
extern const size_t tvk_num_checks;

/* tvk_expect.c: the assertions every check file shares */
int tvk_fail(struct tvk_res *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tvk_expect_open(struct tvk_res *res, const char *addr, const char *suffix,
		    const char *label, int expect, struct tvk_dev *keep);
int tvk_expect_open_token(struct tvk_res *res, const char *addr,
			  const char *uuid_str, const char *label, int expect,
			  struct tvk_dev *keep);
int tvk_expect_open_at(struct tvk_res *res, const char *container,
		       const char *addr, int stage, const char *suffix,
		       const char *label, int expect, struct tvk_dev *keep);
int tvk_expect_open_token_at(struct tvk_res *res, const char *container,
			     const char *addr, int stage, const uint8_t *uuid,
			     const char *label, int expect,
			     struct tvk_dev *keep);
int tvk_expect_feature(struct tvk_res *res, int devfd, const char *what,
		       uint32_t flags, const uint8_t *uuid, uint32_t argsz_data,
		       int expect);
int tvk_other_token(const struct tvk_ctx *ctx, struct tvk_res *res,
		    uint8_t u[16], char s[TVK_UUID_STR_LEN + 1]);

/* tvk_state.c: the state each check starts from, the NIC without SR-IOV */
int tvk_state_reset(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_set_numvfs(const char *pf, int n, struct tvk_res *res);
int tvk_refresh_vfs(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_other_bind_vfio(const char *addr, char *orig, size_t len,
			struct tvk_res *res);
int tvk_other_restore(const char *addr, const char *orig);

/* tvk_checks_cdev.c: the cdev rows of tvk_checks[] */
int tvk_cdev_nodes(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_unbound(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_vf_no_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_vf_wrong_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_vf_right_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_bind_args(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_bind_twice(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_pf_users_none(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_pf_users_wrong(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_pf_users_right(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_users_shared(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_pf_no_users_no_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_pf_no_users_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_nonsriov_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_nonsriov_no_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_blocks_group(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_group_blocks_cdev(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_feature_set(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_feature_vf(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_expect_bind(struct tvk_res *res, const char *addr, const uint8_t *uuid,
		    const char *label, int expect, struct tvk_cdev *keep);

/* tvk_checks_order.c: refusals after the token step, error order, token
 * lifetime, the iommufd compat container */
int tvk_pf_refused_open_sets_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_group_order_token_first(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_group_busy_before_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_group_second_open_new_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_token_kept_across_numvfs(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_token_set_with_zero_vfs(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_sriov_numvfs_change_busy(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_sriov_disable_needs_param(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_pf_token_lifecycle(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_compat_vf_no_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_compat_vf_wrong_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_compat_vf_right_token(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_compat_pf_token_lifecycle(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_pf_token_lifecycle_type1(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_compat_pf_token_lifecycle_type1(struct tvk_ctx *ctx,
					struct tvk_res *res);
int tvk_cdev_pf_token_lifecycle(struct tvk_ctx *ctx, struct tvk_res *res);
int tvk_cdev_pf_refused_bind_sets_token(struct tvk_ctx *ctx,
					struct tvk_res *res);
int tvk_cdev_bind_order(struct tvk_ctx *ctx, struct tvk_res *res);
void tvk_note(const char *check, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* TVK_H */

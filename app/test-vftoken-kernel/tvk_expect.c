/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * What every check file shares to assert a kernel answer: a failed check's
 * reason (tvk_fail), a note, the expected errno of a device open with or
 * without a token (tvk_expect_open*), of VFIO_DEVICE_FEATURE
 * (tvk_expect_feature), and a token other than the known one. A leaf: it
 * calls only the sysfs and VFIO primitives (tvk_sysfs.c, tvk_vfio.c).
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/vfio.h>

#include "tvk.h"

#define TVK_NAME_LEN 256

int
tvk_fail(struct tvk_res *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
tvk_note(const char *check, const char *fmt, ...)
{
	va_list ap;

	printf("NOTE %s: ", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* " vf_token=<uuid>" into BUF; the caller wipes it. */
static void
tvk_tok_suffix(char *buf, size_t len, const char *uuid_str)
{
	snprintf(buf, len, " vf_token=%s", uuid_str);
}

/*
 * Open ADDR with name ADDR+SUFFIX and assert the errno (EXPECT > 0) or
 * success (EXPECT == 0). LABEL describes SUFFIX without the token. On
 * success with KEEP the device stays open in KEEP, else it is closed.
 */
int
tvk_expect_open(struct tvk_res *res, const char *addr, const char *suffix,
		const char *label, int expect, struct tvk_dev *keep)
{
	return tvk_expect_open_at(res, TVK_CONTAINER_LEGACY, addr,
				  TVK_STAGE_IOMMU, suffix, label, expect, keep);
}

/* tvk_expect_open() through CONTAINER, the group set up to STAGE. */
int
tvk_expect_open_at(struct tvk_res *res, const char *container, const char *addr,
		   int stage, const char *suffix, const char *label, int expect,
		   struct tvk_dev *keep)
{
	char name[TVK_NAME_LEN], err[256];
	struct tvk_dev d;
	int ret;

	snprintf(name, sizeof(name), "%s%s", addr, suffix);
	ret = tvk_dev_open_at(container, addr, stage, name, &d, err,
			      sizeof(err));
	tvk_wipe(name, sizeof(name));
	if (ret == 1)
		return tvk_fail(res, "open %s (%s): set-up failed: %s", addr,
				label, err);
	if (ret != -expect) {
		if (ret == 0)
			tvk_dev_close(&d);
		return tvk_fail(res, "open %s (%s): expected %s, got %s", addr,
				label, tvk_errname(expect), tvk_errname(-ret));
	}
	if (ret == 0) {
		if (keep)
			*keep = d;
		else
			tvk_dev_close(&d);
	}
	return 0;
}

int
tvk_expect_open_token(struct tvk_res *res, const char *addr,
		      const char *uuid_str, const char *label, int expect,
		      struct tvk_dev *keep)
{
	char suffix[64];
	int ret;

	tvk_tok_suffix(suffix, sizeof(suffix), uuid_str);
	ret = tvk_expect_open(res, addr, suffix, label, expect, keep);
	tvk_wipe(suffix, sizeof(suffix));
	return ret;
}

/* tvk_expect_open_at() with the token UUID (or none when NULL). */
int
tvk_expect_open_token_at(struct tvk_res *res, const char *container,
			 const char *addr, int stage, const uint8_t *uuid,
			 const char *label, int expect, struct tvk_dev *keep)
{
	char suffix[64];
	int ret;

	suffix[0] = '\0';
	if (uuid) {
		char s[TVK_UUID_STR_LEN + 1];

		tvk_uuid_format(uuid, s);
		tvk_tok_suffix(suffix, sizeof(suffix), s);
		tvk_wipe(s, sizeof(s));
	}
	ret = tvk_expect_open_at(res, container, addr, stage, suffix, label,
				 expect, keep);
	tvk_wipe(suffix, sizeof(suffix));
	return ret;
}

int
tvk_expect_feature(struct tvk_res *res, int devfd, const char *what,
		   uint32_t flags, const uint8_t *uuid, uint32_t argsz_data,
		   int expect)
{
	int ret = tvk_feature(devfd, flags, uuid, argsz_data);

	if (ret != -expect)
		return tvk_fail(res,
				"VFIO_DEVICE_FEATURE %s: expected %s, got %s",
				what, tvk_errname(expect), tvk_errname(-ret));
	return 0;
}

/* A fresh random token different from the known one. */
int
tvk_other_token(const struct tvk_ctx *ctx, struct tvk_res *res, uint8_t u[16],
		char s[TVK_UUID_STR_LEN + 1])
{
	do {
		if (tvk_uuid_random(u))
			return tvk_fail(res, "getrandom failed");
	} while (memcmp(u, ctx->token, 16) == 0);
	tvk_uuid_format(u, s);
	return 0;
}

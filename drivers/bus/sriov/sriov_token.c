/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * How the bus chooses the token of a device: from its devargs (parsed by
 * sriov_params.c) or EAL's --vfio-vf-token, by a fixed precedence. The
 * rule is documented in doc/guides/bus_sriov.rst; change it here only.
 * A device the broker opens (vf_token_broker=, doc/guides/broker.rst) has
 * no token in this process at all.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_uuid.h>

#include "sriov_private.h"

/* Token from the EAL option --vfio-vf-token; all zero means not given. */
static int
sriov_token_eal(struct vft_token *tok)
{
	rte_uuid_t uu = { 0 };

	rte_eal_vfio_get_vf_token(uu);
	if (rte_uuid_is_null(uu))
		return 0;
	memset(tok, 0, sizeof(*tok));
	memcpy(tok->uuid.b, uu, VFT_UUID_LEN);
	tok->source = VFT_TOKEN_LITERAL;
	vft_wipe(uu, sizeof(uu));
	return 1;
}

/*
 * The token of a device, by precedence: devargs vf_token= > vf_token_file=
 * > vf_token_env= > EAL --vfio-vf-token > none. Lower sources given with a
 * higher one are not read. @return 0 (with or without a token) or -errno.
 */
int
sriov_token_choose(const char *dev, struct sriov_params *p,
		   struct vft_token *tok, enum rte_sriov_token_source *src)
{
	struct vft_err err;
	int ret;

	memset(tok, 0, sizeof(*tok));
	*src = RTE_SRIOV_TOKEN_NONE;
	vft_err_clear(&err);
	if (p->has_literal) {
		*tok = p->literal;
		vft_token_wipe(&p->literal);
		*src = RTE_SRIOV_TOKEN_DEVARGS;
		if (p->has_file || p->has_env)
			SRIOV_LOG(NOTICE,
				  "%s: " SRIOV_KEY_TOKEN " given, "
				  "ignoring " SRIOV_KEY_FILE "/" SRIOV_KEY_ENV,
				  dev);
		return 0;
	}
	if (p->has_file) {
		ret = vft_token_from_file(p->file, tok, &err);
		if (ret < 0) {
			SRIOV_LOG(ERR, "%s: devarg " SRIOV_KEY_FILE ": %s", dev,
				  err.msg);
			return ret;
		}
		*src = RTE_SRIOV_TOKEN_FILE;
		if (p->has_env)
			SRIOV_LOG(NOTICE,
				  "%s: " SRIOV_KEY_FILE " given, "
				  "ignoring " SRIOV_KEY_ENV,
				  dev);
		return 0;
	}
	if (p->has_env) {
		ret = vft_token_from_env(p->env, tok, &err);
		if (ret < 0) {
			SRIOV_LOG(ERR, "%s: devarg " SRIOV_KEY_ENV ": %s", dev,
				  err.msg);
			return ret;
		}
		*src = RTE_SRIOV_TOKEN_ENV;
		return 0;
	}
	if (sriov_token_eal(tok))
		*src = RTE_SRIOV_TOKEN_EAL;
	return 0;
}

/*
 * Whether the broker opens the device: its devarg vf_token_broker=, else
 * the EAL-wide RTE_SRIOV_BROKER_ENV unless the device has a token devarg
 * of its own (a device's devargs win over process-wide defaults, as
 * above). A token devarg together with vf_token_broker= is refused: the
 * broker holds the token. @return 1 with p->broker set, 0, or -EINVAL.
 */
int
sriov_token_broker(const char *dev, struct sriov_params *p)
{
	bool own = p->has_literal || p->has_file || p->has_env;
	const char *env = getenv(RTE_SRIOV_BROKER_ENV);

	if (p->has_broker && own) {
		SRIOV_LOG(ERR,
			  "%s: devarg " SRIOV_KEY_BROKER " given with a token "
			  "devarg: expected one of them (the broker holds the "
			  "token)",
			  dev);
		return -EINVAL;
	}
	if (p->has_broker)
		return 1;
	if (own || env == NULL || env[0] == '\0')
		return 0;
	if (strlen(env) >= sizeof(p->broker)) {
		SRIOV_LOG(ERR,
			  "%s: %s is %zu characters long, expected at most %zu",
			  dev, RTE_SRIOV_BROKER_ENV, strlen(env),
			  sizeof(p->broker) - 1);
		return -EINVAL;
	}
	strcpy(p->broker, env);
	return 1;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The bus's devargs: vf_token=, vf_token_file=, vf_token_env=, num_vfs=,
 * vfio_path= and vf_token_broker=.
 *
 * They ride in the same string as the PMD's own arguments
 * ("0000:01:10.0,vf_token_file=/run/t,rx_queues=2"), so the bus parses its
 * keys, then removes them from the string in place before the PMD parses
 * it: a PMD that checks its keys would refuse ours, and a literal token
 * must not stay in memory longer than needed. Values in brackets
 * ("list=[a,b]") are kept whole, as rte_kvargs does.
 */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "sriov_private.h"

static const char *const sriov_keys[] = {
	SRIOV_KEY_TOKEN,   SRIOV_KEY_FILE, SRIOV_KEY_ENV,
	SRIOV_KEY_NUM_VFS, SRIOV_KEY_PATH, SRIOV_KEY_BROKER,
};

/* One "key=value" item of an argument string. */
struct sriov_item {
	const char *start; /* first character of the item */
	size_t len;	   /* length without the separating comma */
	size_t key_len;	   /* up to '=' or the end */
	const char *value; /* after '=', NULL if no '=' */
	size_t value_len;
};

/*
 * Cut the next item at @p s: up to a comma outside brackets. Brackets do
 * not nest, as in rte_kvargs_tokenize(): any '[' opens a list and the next
 * ']' closes it, so "a=[[x],vf_token=U]" is two items for the PMD and must
 * be two for the bus too, or a key of ours would reach the PMD.
 * @return pointer after the item (at its comma or the NUL).
 */
static const char *
sriov_params_next(const char *s, struct sriov_item *it)
{
	const char *p = s, *eq = NULL;
	bool in_list = false;

	for (; *p != '\0'; p++) {
		if (*p == '[')
			in_list = true;
		else if (*p == ']')
			in_list = false;
		else if (*p == ',' && !in_list)
			break;
		else if (*p == '=' && eq == NULL)
			eq = p;
	}
	it->start = s;
	it->len = (size_t)(p - s);
	it->key_len = eq != NULL ? (size_t)(eq - s) : it->len;
	it->value = eq != NULL ? eq + 1 : NULL;
	it->value_len = eq != NULL ? (size_t)(p - eq - 1) : 0;
	return p;
}

static bool
sriov_item_is(const struct sriov_item *it, const char *key)
{
	return it->key_len == strlen(key) &&
	       !strncmp(it->start, key, it->key_len);
}

static bool
sriov_item_ours(const struct sriov_item *it)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(sriov_keys); i++)
		if (sriov_item_is(it, sriov_keys[i]))
			return true;
	return false;
}

bool
sriov_params_present(const char *args)
{
	struct sriov_item it;
	const char *p = args;

	if (args == NULL)
		return false;
	while (*p != '\0') {
		p = sriov_params_next(p, &it);
		if (sriov_item_ours(&it))
			return true;
		if (*p == ',')
			p++;
	}
	return false;
}

/* Copy a value into @p out; refuse empty or too long values. */
static int
sriov_params_copy(const char *dev, const struct sriov_item *it, const char *key,
		  const char *expect, char *out, size_t len)
{
	if (it->value == NULL || it->value_len == 0) {
		SRIOV_LOG(ERR, "%s: devarg %s has no value, expected %s", dev,
			  key, expect);
		return -EINVAL;
	}
	if (it->value_len >= len) {
		SRIOV_LOG(ERR,
			  "%s: devarg %s is %zu characters long, expected "
			  "%s of at most %zu",
			  dev, key, it->value_len, expect, len - 1);
		return -EINVAL;
	}
	memcpy(out, it->value, it->value_len);
	out[it->value_len] = '\0';
	return 0;
}

static int
sriov_params_literal(const char *dev, const struct sriov_item *it,
		     struct sriov_params *p)
{
	char buf[VFT_UUID_STR_LEN + 2];
	struct vft_err err;
	int ret;

	/* The value is a secret: never echo it. */
	if (it->value == NULL || it->value_len == 0 ||
	    it->value_len > VFT_UUID_STR_LEN) {
		SRIOV_LOG(ERR,
			  "%s: devarg " SRIOV_KEY_TOKEN " is not a UUID "
			  "(expected 36 characters "
			  "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
			  dev);
		return -EINVAL;
	}
	memcpy(buf, it->value, it->value_len);
	buf[it->value_len] = '\0';
	vft_err_clear(&err);
	ret = vft_token_from_string(buf, &p->literal, &err);
	vft_wipe(buf, sizeof(buf));
	if (ret < 0) {
		SRIOV_LOG(ERR, "%s: devarg " SRIOV_KEY_TOKEN ": %s", dev,
			  err.msg);
		return ret;
	}
	p->has_literal = true;
	return 0;
}

static int
sriov_params_num_vfs(const char *dev, const struct sriov_item *it,
		     struct sriov_params *p)
{
	char buf[16];
	char *end;
	unsigned long n;

	if (sriov_params_copy(dev, it, SRIOV_KEY_NUM_VFS,
			      "a decimal number of VFs", buf, sizeof(buf)) < 0)
		return -EINVAL;
	errno = 0;
	n = strtoul(buf, &end, 10);
	if (buf[0] < '0' || buf[0] > '9' || *end != '\0' || errno != 0 ||
	    n > UINT16_MAX) {
		SRIOV_LOG(ERR,
			  "%s: devarg " SRIOV_KEY_NUM_VFS "=%s: expected "
			  "a decimal number of VFs (0 to the PF's "
			  "sriov_totalvfs)",
			  dev, buf);
		return -EINVAL;
	}
	p->num_vfs = (unsigned int)n;
	p->has_num_vfs = true;
	return 0;
}

static int
sriov_params_path(const char *dev, const struct sriov_item *it,
		  struct sriov_params *p)
{
	char buf[8];

	if (sriov_params_copy(dev, it, SRIOV_KEY_PATH, "group, cdev or auto",
			      buf, sizeof(buf)) < 0)
		return -EINVAL;
	if (vft_path_parse(buf, &p->path) < 0) {
		SRIOV_LOG(ERR,
			  "%s: devarg " SRIOV_KEY_PATH "=%s: expected group, "
			  "cdev or auto",
			  dev, buf);
		return -EINVAL;
	}
	p->has_path = true;
	return 0;
}

static int
sriov_params_item(const char *dev, const struct sriov_item *it,
		  struct sriov_params *p)
{
	bool *seen = NULL;
	const char *key = NULL;

	if (sriov_item_is(it, SRIOV_KEY_TOKEN)) {
		seen = &p->has_literal;
		key = SRIOV_KEY_TOKEN;
	} else if (sriov_item_is(it, SRIOV_KEY_FILE)) {
		seen = &p->has_file;
		key = SRIOV_KEY_FILE;
	} else if (sriov_item_is(it, SRIOV_KEY_ENV)) {
		seen = &p->has_env;
		key = SRIOV_KEY_ENV;
	} else if (sriov_item_is(it, SRIOV_KEY_NUM_VFS)) {
		seen = &p->has_num_vfs;
		key = SRIOV_KEY_NUM_VFS;
	} else if (sriov_item_is(it, SRIOV_KEY_PATH)) {
		seen = &p->has_path;
		key = SRIOV_KEY_PATH;
	} else if (sriov_item_is(it, SRIOV_KEY_BROKER)) {
		seen = &p->has_broker;
		key = SRIOV_KEY_BROKER;
	} else {
		return 0; /* the PMD's */
	}
	if (*seen) {
		SRIOV_LOG(ERR, "%s: devarg %s given twice, expected it once",
			  dev, key);
		return -EINVAL;
	}
	if (seen == &p->has_literal)
		return sriov_params_literal(dev, it, p);
	if (seen == &p->has_file) {
		if (sriov_params_copy(dev, it, key, "a token file path",
				      p->file, sizeof(p->file)) < 0)
			return -EINVAL;
		p->has_file = true;
		return 0;
	}
	if (seen == &p->has_env) {
		if (sriov_params_copy(dev, it, key,
				      "an environment variable name", p->env,
				      sizeof(p->env)) < 0)
			return -EINVAL;
		p->has_env = true;
		return 0;
	}
	if (seen == &p->has_path)
		return sriov_params_path(dev, it, p);
	if (seen == &p->has_broker) {
		if (sriov_params_copy(dev, it, key, "the broker's socket path",
				      p->broker, sizeof(p->broker)) < 0)
			return -EINVAL;
		p->has_broker = true;
		return 0;
	}
	return sriov_params_num_vfs(dev, it, p);
}

int
sriov_params_parse(const char *dev, const char *args, struct sriov_params *p)
{
	struct sriov_item it;
	const char *s = args;

	memset(p, 0, sizeof(*p));
	if (args == NULL)
		return 0;
	while (*s != '\0') {
		int ret;

		s = sriov_params_next(s, &it);
		ret = sriov_params_item(dev, &it, p);
		if (ret < 0) {
			sriov_params_wipe(p);
			return ret;
		}
		if (*s == ',')
			s++;
	}
	return 0;
}

void
sriov_params_wipe(struct sriov_params *p)
{
	vft_token_wipe(&p->literal);
	vft_wipe(p, sizeof(*p));
}

/*
 * Remove our items from the devargs string in place. The string only
 * shrinks, so it stays inside its buffer (rte_devargs data, allocated by
 * EAL); the freed tail is zeroed so a literal token does not survive in it.
 */
int
sriov_params_strip(const char *dev, struct rte_devargs *da)
{
	struct sriov_item it;
	char *s, *w;
	const char *r;
	size_t total;

	if (da == NULL || da->drv_str == NULL || da->drv_str[0] == '\0')
		return 0;
	if (da->data == NULL || da->drv_str < da->data) {
		SRIOV_LOG(ERR,
			  "%s: devargs are not in an EAL buffer, cannot "
			  "remove the bus's keys from them",
			  dev);
		return -EINVAL;
	}
	s = (char *)(uintptr_t)da->drv_str;
	total = strlen(s);
	w = s;
	r = s;
	while (*r != '\0') {
		const char *item = r;

		r = sriov_params_next(r, &it);
		if (*r == ',')
			r++;
		/* Empty items are dropped too (rte_kvargs ignores them):
		 * keeping one before a removed item left a trailing comma.
		 */
		if (it.len == 0 || sriov_item_ours(&it))
			continue;
		if (w != s)
			*w++ = ',';
		memmove(w, item, it.len);
		w += it.len;
	}
	memset(w, 0, total - (size_t)(w - s));
	return 0;
}

/*
 * An environment switch: unset or empty is the default (@p choices[0]),
 * otherwise exactly one of @p choices.
 * @return the index of the choice, or -EINVAL for any other value.
 */
static int
sriov_env_choice(const char *value, const char *const *choices, int n)
{
	int i;

	if (value == NULL || value[0] == '\0')
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(value, choices[i]) == 0)
			return i;
	return -EINVAL;
}

/* RTE_SRIOV_BUS_ENV_OFF: "on" or "off" (rte_bus_sriov.h). */
int
sriov_env_bus_parse(const char *value)
{
	static const char *const choices[] = {
		[SRIOV_ENV_BUS_ON] = "on",
		[SRIOV_ENV_BUS_OFF] = "off",
	};

	return sriov_env_choice(value, choices, RTE_DIM(choices));
}

/* RTE_SRIOV_PCI_SCAN_ENV: "named" or "all" (rte_bus_sriov.h). */
int
sriov_env_pci_parse(const char *value)
{
	static const char *const choices[] = {
		[SRIOV_ENV_PCI_NAMED] = "named",
		[SRIOV_ENV_PCI_ALL] = "all",
	};

	return sriov_env_choice(value, choices, RTE_DIM(choices));
}

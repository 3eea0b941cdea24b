/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for the sriov bus's devargs
 * (drivers/bus/sriov/sriov_params.c, compiled in on its own) on the input
 * as an argument string, checked against a reference split written here
 * from the rule the bus follows (rte_kvargs' in DPDK 22.11): items are
 * separated by commas outside a list; any '[' opens a list and the next ']'
 * closes it (no nesting); an unclosed list runs to the end; an item's key
 * is its text up to the first '='.
 * - sriov_params_present() is true iff an item has one of the bus's keys;
 * - sriov_params_parse() succeeds iff no key of the bus is given twice and
 *   each value is valid (a non-zero UUID; a path or variable name of 1 to
 *   255 characters; 0 to 65535 in decimal digits), with the values found
 *   by the reference; on failure it leaves the record all zero and logs a
 *   message that holds no UUID of the input;
 * - sriov_params_strip() turns the string in place into the other
 *   non-empty items, in order, joined by single commas: never longer, no
 *   item left with one of the bus's keys, and every byte after the new end
 *   zeroed (a removed token does not stay in the buffer);
 * - sriov_token_choose() without file or environment sources gives the
 *   literal, or no token (EAL is not initialised here, so its
 *   --vfio-vf-token is empty).
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include "fuzz_ref.h"
#include "sriov_private.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sriov_params.c logs through it; sriov_common.c defines it in the bus. */
int sriov_logtype;

static const char *const ref_keys[] = { "vf_token",	"vf_token_file",
					"vf_token_env", "num_vfs",
					"vfio_path",	"vf_token_broker" };
#define REF_NKEYS (sizeof(ref_keys) / sizeof(ref_keys[0]))
#define REF_TOKEN 0
#define REF_FILE 1
#define REF_ENV 2
#define REF_NUM_VFS 3
#define REF_PATH 4
#define REF_BROKER 5

struct ref_item {
	const char *s;
	size_t len;
	size_t key_len;
	const char *val; /* NULL without '=' */
	size_t val_len;
};

/* Split @p s into items; @return their count (@p out has strlen+1 room). */
static size_t
ref_split(const char *s, struct ref_item *out)
{
	size_t n = 0, len = strlen(s), start = 0, i;
	bool in_list = false;

	if (len == 0)
		return 0;
	for (i = 0; i <= len; i++) {
		struct ref_item *it;
		const char *eq;

		if (s[i] == '[') {
			in_list = true;
			continue;
		}
		if (s[i] == ']') {
			in_list = false;
			continue;
		}
		if (s[i] != '\0' && (s[i] != ',' || in_list))
			continue;
		it = &out[n++];
		it->s = s + start;
		it->len = i - start;
		eq = memchr(it->s, '=', it->len);
		it->key_len = eq != NULL ? (size_t)(eq - it->s) : it->len;
		it->val = eq != NULL ? eq + 1 : NULL;
		it->val_len = eq != NULL ? it->len - it->key_len - 1 : 0;
		start = i + 1;
		if (s[i] == '\0')
			break;
	}
	/* A trailing comma ends the last item; it does not start one. */
	if (n > 0 && len > 0 && s[len - 1] == ',' && out[n - 1].len == 0 &&
	    out[n - 1].s == s + len)
		n--;
	return n;
}

/* @return the index of the bus's key of @p it, or -1 for the PMD's. */
static int
ref_key(const struct ref_item *it)
{
	size_t k;

	for (k = 0; k < REF_NKEYS; k++)
		if (it->key_len == strlen(ref_keys[k]) &&
		    memcmp(it->s, ref_keys[k], it->key_len) == 0)
			return (int)k;
	return -1;
}

/* The value rule of key @p k; fills @p uuid or @p num when valid. */
static bool
ref_valid(int k, const struct ref_item *it, uint8_t uuid[16], unsigned *num)
{
	unsigned long n = 0;
	size_t i;

	if (it->val == NULL || it->val_len == 0)
		return false;
	switch (k) {
	case REF_TOKEN:
		return ref_uuid((const unsigned char *)it->val, it->val_len,
				uuid) &&
		       !ref_all_zero(uuid, 16);
	case REF_FILE:
	case REF_ENV:
	case REF_BROKER:
		return it->val_len <= 255;
	case REF_PATH:
		return (it->val_len == 5 && memcmp(it->val, "group", 5) == 0) ||
		       (it->val_len == 4 && (memcmp(it->val, "cdev", 4) == 0 ||
					     memcmp(it->val, "auto", 4) == 0));
	default:
		if (it->val_len > 15)
			return false;
		for (i = 0; i < it->val_len; i++) {
			if (it->val[i] < '0' || it->val[i] > '9')
				return false;
			n = n * 10 + (unsigned long)(it->val[i] - '0');
		}
		*num = (unsigned int)n;
		return n <= 65535;
	}
}

static bool
ref_val_is(const struct ref_item *it, const char *s)
{
	return strlen(s) == it->val_len && memcmp(s, it->val, it->val_len) == 0;
}

/* The broker is chosen by vf_token_broker= alone: with a token devarg it
 * is refused, without one it wins (no process-wide default here). */
static void
check_broker(struct sriov_params *p)
{
	bool own = p->has_literal || p->has_file || p->has_env;
	char *log = NULL;
	size_t log_len = 0;
	FILE *f = open_memstream(&log, &log_len);
	int ret;

	FUZZ_CHECK(f != NULL && rte_openlog_stream(f) == 0);
	ret = sriov_token_broker("fuzz", p);
	rte_openlog_stream(NULL);
	FUZZ_CHECK(fclose(f) == 0);
	if (p->has_broker && own)
		FUZZ_CHECK(ret == -EINVAL && strstr(log, "given with a token "
							 "devarg") != NULL);
	else
		FUZZ_CHECK(ret == (p->has_broker ? 1 : 0) && log_len == 0);
	free(log);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* the process-wide broker default would change what a devarg decides */
	unsetenv(RTE_SRIOV_BROKER_ENV);
	sriov_logtype = rte_log_register("fuzz.bus.sriov");
	FUZZ_CHECK(sriov_logtype >= 0);
	FUZZ_CHECK(rte_log_set_level(sriov_logtype, RTE_LOG_DEBUG) == 0);
	return 0;
}

/* Parse, with the bus's log captured; check against the reference. */
static void
fuzz_devargs_parse(const char *s, const struct ref_item *items, size_t n,
		   const uint8_t *data, size_t size)
{
	const struct ref_item *found[REF_NKEYS] = { NULL };
	bool ok = true, any = false;
	uint8_t uuid[16] = { 0 };
	unsigned int num = 0;
	struct sriov_params p;
	char *log = NULL;
	size_t log_len = 0, i;
	FILE *f;
	int ret;

	for (i = 0; i < n; i++) {
		int k = ref_key(&items[i]);

		if (k < 0)
			continue;
		any = true;
		if (found[k] != NULL)
			ok = false; /* given twice */
		found[k] = &items[i];
		if (!ref_valid(k, &items[i], uuid, &num))
			ok = false;
	}
	FUZZ_CHECK(sriov_params_present(s) == any);

	f = open_memstream(&log, &log_len);
	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(rte_openlog_stream(f) == 0);
	memset(&p, 0x5a, sizeof(p));
	ret = sriov_params_parse("fuzz", s, &p);
	rte_openlog_stream(NULL);
	FUZZ_CHECK(fclose(f) == 0);

	if (!ok) {
		FUZZ_CHECK(ret == -EINVAL);
		FUZZ_CHECK(ref_all_zero((const uint8_t *)&p, sizeof(p)));
		FUZZ_CHECK(log != NULL && strstr(log, "fuzz: devarg ") != NULL);
		FUZZ_CHECK(!ref_msg_has_uuid_of(log, data, size));
		free(log);
		return;
	}
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(log_len == 0);
	free(log);
	FUZZ_CHECK(p.has_literal == (found[REF_TOKEN] != NULL));
	FUZZ_CHECK(p.has_file == (found[REF_FILE] != NULL));
	FUZZ_CHECK(p.has_env == (found[REF_ENV] != NULL));
	FUZZ_CHECK(p.has_num_vfs == (found[REF_NUM_VFS] != NULL));
	FUZZ_CHECK(p.has_path == (found[REF_PATH] != NULL));
	if (p.has_path)
		FUZZ_CHECK(p.path == (found[REF_PATH]->val[0] == 'g'
					      ? VFT_PATH_GROUP
				      : found[REF_PATH]->val[0] == 'c'
					      ? VFT_PATH_CDEV
					      : vft_path_auto()));
	FUZZ_CHECK(p.has_broker == (found[REF_BROKER] != NULL));
	if (p.has_broker)
		FUZZ_CHECK(ref_val_is(found[REF_BROKER], p.broker));
	check_broker(&p);
	if (p.has_file)
		FUZZ_CHECK(ref_val_is(found[REF_FILE], p.file));
	if (p.has_env)
		FUZZ_CHECK(ref_val_is(found[REF_ENV], p.env));
	if (p.has_num_vfs) {
		/* num was last set by the one num_vfs item */
		FUZZ_CHECK(
			ref_valid(REF_NUM_VFS, found[REF_NUM_VFS], uuid, &num));
		FUZZ_CHECK(p.num_vfs == num);
	}
	if (p.has_literal) {
		FUZZ_CHECK(ref_valid(REF_TOKEN, found[REF_TOKEN], uuid, &num));
		FUZZ_CHECK(memcmp(p.literal.uuid.b, uuid, 16) == 0);
	}
	if (!p.has_file && !p.has_env) {
		enum rte_sriov_token_source src;
		struct vft_token tok;

		FUZZ_CHECK(sriov_token_choose("fuzz", &p, &tok, &src) == 0);
		if (found[REF_TOKEN] != NULL) {
			FUZZ_CHECK(src == RTE_SRIOV_TOKEN_DEVARGS);
			FUZZ_CHECK(memcmp(tok.uuid.b, uuid, 16) == 0);
			FUZZ_CHECK(ref_all_zero(p.literal.uuid.b, 16));
		} else {
			FUZZ_CHECK(src == RTE_SRIOV_TOKEN_NONE);
			FUZZ_CHECK(ref_all_zero(tok.uuid.b, 16));
		}
		vft_token_wipe(&tok);
	}
	sriov_params_wipe(&p);
	FUZZ_CHECK(ref_all_zero((const uint8_t *)&p, sizeof(p)));
}

/* Strip in place; the result must be the reference's kept items. */
static void
fuzz_devargs_strip(const char *s, const struct ref_item *items, size_t n,
		   struct ref_item *scratch)
{
	size_t len = strlen(s), wlen = 0, olen, i, m;
	char *want = malloc(len + 1);
	char *buf = malloc(len + 1);
	struct rte_devargs da;

	FUZZ_CHECK(want != NULL && buf != NULL);
	for (i = 0; i < n; i++) {
		if (items[i].len == 0 || ref_key(&items[i]) >= 0)
			continue;
		if (wlen > 0)
			want[wlen++] = ',';
		memcpy(want + wlen, items[i].s, items[i].len);
		wlen += items[i].len;
	}
	want[wlen] = '\0';

	memcpy(buf, s, len + 1);
	memset(&da, 0, sizeof(da));
	da.data = buf;
	da.drv_str = buf;
	FUZZ_CHECK(sriov_params_strip("fuzz", &da) == 0);
	FUZZ_CHECK(da.drv_str == buf && da.data == buf);
	olen = strlen(buf);
	FUZZ_CHECK(olen <= len);
	FUZZ_CHECK(strcmp(buf, want) == 0);
	/* the freed tail holds nothing of the removed items */
	for (i = olen; i <= len; i++)
		FUZZ_CHECK(buf[i] == '\0');
	/* no item of the result is the bus's, none empty, no stray comma */
	FUZZ_CHECK(!sriov_params_present(buf));
	m = ref_split(buf, scratch);
	for (i = 0; i < m; i++) {
		FUZZ_CHECK(ref_key(&scratch[i]) < 0);
		FUZZ_CHECK(scratch[i].len > 0);
	}
	/* a comma at either end can only be inside an item ("[," is one) */
	if (olen > 0) {
		FUZZ_CHECK(buf[0] != ',');
		FUZZ_CHECK(m > 0 &&
			   scratch[m - 1].s + scratch[m - 1].len == buf + olen);
	}
	/* a second strip changes nothing */
	FUZZ_CHECK(sriov_params_strip("fuzz", &da) == 0);
	FUZZ_CHECK(strcmp(buf, want) == 0);
	free(want);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = ref_strdup(data, size);
	size_t len = strlen(s), n;
	struct ref_item *items = calloc(len + 2, sizeof(*items));
	struct ref_item *scratch = calloc(len + 2, sizeof(*scratch));

	FUZZ_CHECK(items != NULL && scratch != NULL);
	n = ref_split(s, items);
	fuzz_devargs_parse(s, items, n, data, size);
	fuzz_devargs_strip(s, items, n, scratch);
	free(items);
	free(scratch);
	free(s);
	return 0;
}

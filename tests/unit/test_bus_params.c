/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Unit tests of the sriov bus's devargs (drivers/bus/sriov/sriov_params.c,
 * compiled into this program on its own, without the rest of the bus):
 * parsing of vf_token=, vf_token_file=, vf_token_env= and num_vfs=, the
 * token precedence (devargs literal > file > env > EAL option), and the
 * in-place removal of those keys before the PMD parses the string.
 *
 * The bus's log messages are captured through rte_openlog_stream() so that
 * the tests can check what an error names, and that it never holds a token.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_log.h>

#include "sriov_private.h"

/* Distinctive tokens: no message may contain any of their groups. */
#define TOK_A "5f3c2a91-7b4e-4d2f-9a6b-c1e8d7f60a34" /* devargs literal */
#define TOK_B "0b7e41d2-93c5-4a6f-8e1d-27f4c9a03b58" /* token file */
#define TOK_C "c4a92e17-6d3b-4f08-b5e2-91d7f3a6c02e" /* environment */
#define TOK_D "8e15f6a0-2c7d-4b93-a4f1-d0b3e6c97a21" /* EAL option */
#define ENV_VAR "TEST_BUS_PARAMS_TOKEN"

/*
 * sriov_params.c logs through sriov_logtype, which the bus defines in
 * sriov_common.c; this program registers a log type of its own instead.
 */
int sriov_logtype;

/*
 * Test stub of EAL's rte_eal_vfio_get_vf_token() (this definition takes
 * the place of librte_eal's for sriov_params.c): the --vfio-vf-token value
 * without an initialised EAL. All zero means the option was not given.
 */
static rte_uuid_t test_stub_eal_token;

void
rte_eal_vfio_get_vf_token(rte_uuid_t vf_token)
{
	memcpy(vf_token, test_stub_eal_token, sizeof(rte_uuid_t));
}

static char dir[128];
static char path_ok[PATH_MAX];	/* TOK_B, mode 0600 */
static char path_bad[PATH_MAX]; /* TOK_B, mode 0644 */

/* ---- helpers ---- */

static FILE *log_f;
static char *log_buf;
static size_t log_len;

/* Send the bus's log to memory until log_end(). */
static void
log_start(void)
{
	if (log_f != NULL) {
		rte_openlog_stream(NULL);
		fclose(log_f);
		log_f = NULL;
	}
	free(log_buf);
	log_buf = NULL;
	log_len = 0;
	log_f = open_memstream(&log_buf, &log_len);
	assert_non_null(log_f);
	assert_int_equal(rte_openlog_stream(log_f), 0);
}

static const char *
log_end(void)
{
	rte_openlog_stream(NULL);
	assert_int_equal(fclose(log_f), 0);
	log_f = NULL;
	return log_buf != NULL ? log_buf : "";
}

/* Fail if @p msg holds a recognisable part of any test token. */
static void
assert_no_secret(const char *msg)
{
	static const char *const parts[] = {
		"5f3c2a91", "c1e8d7f60a3", "0b7e41d2", "27f4c9a03b5",
		"c4a92e17", "91d7f3a6c02", "8e15f6a0", "d0b3e6c97a2",
	};
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strcasestr(msg, parts[i]) != NULL)
			fail_msg("message leaks a token: %s", msg);
}

/* Same, on @p len raw bytes (a devargs buffer after strip). */
static void
assert_bytes_no_secret(const char *buf, size_t len)
{
	static const char *const parts[] = { "5f3c2a91", "7b4e-4d2f",
					     "c1e8d7f60a3" };
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (memmem(buf, len, parts[i], strlen(parts[i])) != NULL)
			fail_msg("part %s of the token is still in the buffer",
				 parts[i]);
}

/* snprintf() that fails the test on truncation. */
static void __attribute__((format(printf, 3, 4)))
fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < len);
}

static void
uuid_of(const char *text, uint8_t out[VFT_UUID_LEN])
{
	struct vft_token t;

	memset(&t, 0, sizeof(t));
	assert_int_equal(vft_token_from_string(text, &t, NULL), 0);
	memcpy(out, t.uuid.b, VFT_UUID_LEN);
}

static bool
all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void
make_token_file(const char *path, const char *content, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)),
			 (ssize_t)strlen(content));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	(void)state;
	sriov_logtype = rte_log_register("test.bus.sriov");
	if (sriov_logtype < 0)
		return -1;
	if (rte_log_set_level(sriov_logtype, RTE_LOG_DEBUG) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/vft-bus-params-XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	n = snprintf(path_ok, sizeof(path_ok), "%s/token", dir);
	if (n < 0 || (size_t)n >= sizeof(path_ok))
		return -1;
	n = snprintf(path_bad, sizeof(path_bad), "%s/token-0644", dir);
	if (n < 0 || (size_t)n >= sizeof(path_bad))
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path_ok);
	unlink(path_bad);
	rmdir(dir);
	if (log_f != NULL) {
		rte_openlog_stream(NULL);
		fclose(log_f);
	}
	free(log_buf);
	return 0;
}

/* ---- parsing ---- */

#define P_LIT 1u
#define P_FILE 2u
#define P_ENV 4u
#define P_NUM 8u

struct parse_case {
	const char *args;
	int ret;
	unsigned int has; /* P_* set on success */
	unsigned int num_vfs;
	const char *file;
	const char *env;
	const char *msg; /* in the error log; NULL on success */
};

static const struct parse_case parse_cases[] = {
	/* nothing of ours */
	{ "", 0, 0, 0, NULL, NULL, NULL },
	{ "rx_queues=2,tx_queues=2", 0, 0, 0, NULL, NULL, NULL },
	/* each key alone */
	{ "vf_token=" TOK_A, 0, P_LIT, 0, NULL, NULL, NULL },
	{ "vf_token=5F3C2A91-7B4E-4D2F-9A6B-C1E8D7F60A34", 0, P_LIT, 0, NULL,
	  NULL, NULL },
	{ "vf_token_file=/run/vftoken/pf0", 0, P_FILE, 0, "/run/vftoken/pf0",
	  NULL, NULL },
	{ "vf_token_env=" ENV_VAR, 0, P_ENV, 0, NULL, ENV_VAR, NULL },
	{ "num_vfs=4", 0, P_NUM, 4, NULL, NULL, NULL },
	{ "num_vfs=0", 0, P_NUM, 0, NULL, NULL, NULL },
	{ "num_vfs=65535", 0, P_NUM, 65535, NULL, NULL, NULL },
	/* all keys, among the PMD's */
	{ "rx=2,vf_token=" TOK_A ",vf_token_file=/t,x,vf_token_env=E,"
	  "num_vfs=7,y=[1,2]",
	  0, P_LIT | P_FILE | P_ENV | P_NUM, 7, "/t", "E", NULL },
	/* unknown keys and look-alikes are the PMD's */
	{ "vf_tokens=1,VF_TOKEN=" TOK_A ", vf_token=1,vf_token_filex=/t,"
	  "num_vfs_=3,vf_token[=1]",
	  0, 0, 0, NULL, NULL, NULL },
	/* brackets: our keys inside a list are part of the PMD's value */
	{ "list=[a,vf_token=x,num_vfs=9],num_vfs=2", 0, P_NUM, 2, NULL, NULL,
	  NULL },
	{ "list=[a,b],vf_token_file=/x", 0, P_FILE, 0, "/x", NULL, NULL },
	{ "vf_token_file=[/a,b]", 0, P_FILE, 0, "[/a,b]", NULL, NULL },
	/* unterminated list: the rest of the string is the PMD's */
	{ "list=[a,num_vfs=2", 0, 0, 0, NULL, NULL, NULL },
	/* lists do not nest (rte_kvargs): "x=[[a]" ends at the first ']' */
	{ "x=[[a],num_vfs=3,y=]", 0, P_NUM, 3, NULL, NULL, NULL },
	{ "x=[[a],vf_token=" TOK_A "]", -EINVAL, 0, 0, NULL, NULL,
	  "vf_token is not a UUID" },
	/* duplicates */
	{ "vf_token=" TOK_A ",vf_token=" TOK_A, -EINVAL, 0, 0, NULL, NULL,
	  "devarg vf_token given twice" },
	{ "vf_token_file=/a,x=1,vf_token_file=/b", -EINVAL, 0, 0, NULL, NULL,
	  "devarg vf_token_file given twice" },
	{ "vf_token_env=A,vf_token_env=A", -EINVAL, 0, 0, NULL, NULL,
	  "devarg vf_token_env given twice" },
	{ "num_vfs=1,num_vfs=1", -EINVAL, 0, 0, NULL, NULL,
	  "devarg num_vfs given twice" },
	/* empty values */
	{ "vf_token=", -EINVAL, 0, 0, NULL, NULL, "vf_token is not a UUID" },
	{ "vf_token", -EINVAL, 0, 0, NULL, NULL, "vf_token is not a UUID" },
	{ "vf_token_file=", -EINVAL, 0, 0, NULL, NULL,
	  "devarg vf_token_file has no value, expected a token file path" },
	{ "vf_token_file", -EINVAL, 0, 0, NULL, NULL,
	  "devarg vf_token_file has no value" },
	{ "vf_token_env=,a=1", -EINVAL, 0, 0, NULL, NULL,
	  "devarg vf_token_env has no value, expected an environment" },
	{ "num_vfs=", -EINVAL, 0, 0, NULL, NULL,
	  "devarg num_vfs has no value" },
	/* malformed tokens: the message names the key, never the value */
	{ "vf_token=5f3c2a91-7b4e-4d2f-9a6b-c1e8d7f60a3", -EINVAL, 0, 0, NULL,
	  NULL, "vf_token: the token text is not a UUID (35 characters)" },
	{ "vf_token=" TOK_A "5", -EINVAL, 0, 0, NULL, NULL,
	  "vf_token is not a UUID (expected 36 characters" },
	{ "vf_token=5f3c2a91-7b4e-4d2f-9a6b-c1e8d7f60a3g", -EINVAL, 0, 0, NULL,
	  NULL, "vf_token: the token text is not a UUID" },
	{ "vf_token=5f3c2a917-b4e-4d2f-9a6b-c1e8d7f60a34", -EINVAL, 0, 0, NULL,
	  NULL, "vf_token: the token text is not a UUID" },
	{ "vf_token={" TOK_A "}", -EINVAL, 0, 0, NULL, NULL,
	  "vf_token is not a UUID" },
	{ "vf_token=[" TOK_A "]", -EINVAL, 0, 0, NULL, NULL,
	  "vf_token is not a UUID" },
	{ "vf_token=00000000-0000-0000-0000-000000000000", -EINVAL, 0, 0, NULL,
	  NULL, "all-zero UUID" },
	/* a bad item after a good token: everything is wiped */
	{ "vf_token=" TOK_A ",num_vfs=x", -EINVAL, 0, 0, NULL, NULL,
	  "num_vfs=x: expected a decimal number" },
	/* num_vfs */
	{ "num_vfs=abc", -EINVAL, 0, 0, NULL, NULL,
	  "devarg num_vfs=abc: expected a decimal number of VFs" },
	{ "num_vfs=-1", -EINVAL, 0, 0, NULL, NULL, "devarg num_vfs=-1:" },
	{ "num_vfs=+1", -EINVAL, 0, 0, NULL, NULL, "devarg num_vfs=+1:" },
	{ "num_vfs= 1", -EINVAL, 0, 0, NULL, NULL, "devarg num_vfs= 1:" },
	{ "num_vfs=1x", -EINVAL, 0, 0, NULL, NULL, "devarg num_vfs=1x:" },
	{ "num_vfs=0x10", -EINVAL, 0, 0, NULL, NULL, "devarg num_vfs=0x10:" },
	{ "num_vfs=65536", -EINVAL, 0, 0, NULL, NULL, "devarg num_vfs=65536:" },
	{ "num_vfs=99999999999999999999", -EINVAL, 0, 0, NULL, NULL,
	  "devarg num_vfs is 20 characters long" },
	/* values longer than the record */
	{ "vf_token_file=/"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  -EINVAL, 0, 0, NULL, NULL,
	  "devarg vf_token_file is 256 characters long, expected a token "
	  "file path of at most 255" },
};

static void
test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct sriov_params p;
		const char *log;
		int ret;

		print_message("case %zu: %s\n", i, c->args);
		memset(&p, 0xa5, sizeof(p));
		log_start();
		ret = sriov_params_parse("0000:01:10.0", c->args, &p);
		log = log_end();
		assert_int_equal(ret, c->ret);
		assert_no_secret(log);
		if (c->ret < 0) {
			/* the error names the device and what is wrong */
			assert_non_null(strstr(log, "0000:01:10.0"));
			if (strstr(log, c->msg) == NULL)
				fail_msg("case %zu: log \"%s\" lacks \"%s\"", i,
					 log, c->msg);
			/* nothing half-parsed is left, the token included */
			assert_true(all_zero(&p, sizeof(p)));
			continue;
		}
		assert_string_equal(log, "");
		assert_int_equal(p.has_literal, !!(c->has & P_LIT));
		assert_int_equal(p.has_file, !!(c->has & P_FILE));
		assert_int_equal(p.has_env, !!(c->has & P_ENV));
		assert_int_equal(p.has_num_vfs, !!(c->has & P_NUM));
		if (c->has & P_NUM)
			assert_int_equal(p.num_vfs, c->num_vfs);
		if (c->has & P_FILE)
			assert_string_equal(p.file, c->file);
		if (c->has & P_ENV)
			assert_string_equal(p.env, c->env);
		if (c->has & P_LIT) {
			uint8_t want[VFT_UUID_LEN];

			uuid_of(TOK_A, want);
			assert_memory_equal(p.literal.uuid.b, want,
					    VFT_UUID_LEN);
		} else {
			assert_true(all_zero(&p.literal, sizeof(p.literal)));
		}
		sriov_params_wipe(&p);
		assert_true(all_zero(&p, sizeof(p)));
	}
}

/* vfio_path=: the three paths, anything else refused by name. */
static void
test_parse_path(void **state)
{
	static const struct {
		const char *args;
		int ret;
		enum vft_path path;
		const char *msg;
	} cases[] = {
		{ "vfio_path=group", 0, VFT_PATH_GROUP, NULL },
		{ "vfio_path=cdev,rx_queues=2", 0, VFT_PATH_CDEV, NULL },
		{ "vfio_path=auto", 0, VFT_PATH_GROUP, NULL }, /* see below */
		{ "vfio_path=iommufd", -EINVAL, 0,
		  "devarg vfio_path=iommufd: expected group, cdev or auto" },
		{ "vfio_path=container", -EINVAL, 0,
		  "devarg vfio_path is 9 characters long, expected group, "
		  "cdev or auto of at most 7" },
		{ "vfio_path=GROUP", -EINVAL, 0,
		  "devarg vfio_path=GROUP: expected group, cdev or auto" },
		{ "vfio_path=", -EINVAL, 0, "devarg vfio_path has no value" },
		{ "vfio_path=cdev,vfio_path=cdev", -EINVAL, 0,
		  "devarg vfio_path given twice" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sriov_params p;
		const char *log;

		print_message("case %zu: %s\n", i, cases[i].args);
		log_start();
		assert_int_equal(sriov_params_parse("dev", cases[i].args, &p),
				 cases[i].ret);
		log = log_end();
		if (cases[i].ret < 0) {
			if (strstr(log, cases[i].msg) == NULL)
				fail_msg("log \"%s\" lacks \"%s\"", log,
					 cases[i].msg);
			continue;
		}
		assert_true(p.has_path);
		/* auto is the path this machine offers */
		assert_int_equal(p.path, strstr(cases[i].args, "auto") != NULL
						 ? vft_path_auto()
						 : cases[i].path);
		assert_true(sriov_params_present(cases[i].args));
		sriov_params_wipe(&p);
	}
}

static void
broker_refused(const char *args, const char *msg)
{
	struct sriov_params p;
	const char *log;

	log_start();
	assert_int_equal(sriov_params_parse("dev", args, &p), -EINVAL);
	log = log_end();
	if (strstr(log, msg) == NULL)
		fail_msg("log \"%s\" lacks \"%s\"", log, msg);
}

/* vf_token_broker=: parsed like a path, chosen over the process-wide
 * VFTOKEN_BROKER, refused with a token devarg; the environment's default
 * applies only to a device without a token devarg of its own. */
static void
test_broker(void **state)
{
	static const struct {
		const char *args;
		const char *env;
		int ret; /* of sriov_token_broker(), after a good parse */
		const char *broker;
		const char *msg;
	} cases[] = {
		{ "vf_token_broker=/run/vftoken/broker.sock", NULL, 1,
		  "/run/vftoken/broker.sock", NULL },
		{ "rx=1,vf_token_broker=/a,x=2", "/b", 1, "/a", NULL },
		{ "", "/run/b.sock", 1, "/run/b.sock", NULL },
		{ "", "", 0, NULL, NULL },
		{ "", NULL, 0, NULL, NULL },
		{ "vf_token_file=/t", "/run/b.sock", 0, NULL, NULL },
		{ "vf_token_broker=/a,vf_token_env=E", NULL, -EINVAL, NULL,
		  "devarg vf_token_broker given with a token devarg" },
		{ "vf_token=" TOK_A ",vf_token_broker=/a", NULL, -EINVAL, NULL,
		  "expected one of them (the broker holds the token)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sriov_params p;
		const char *log;
		int ret;

		print_message("case %zu: %s\n", i, cases[i].args);
		if (cases[i].env != NULL)
			assert_int_equal(
				setenv(RTE_SRIOV_BROKER_ENV, cases[i].env, 1),
				0);
		else
			unsetenv(RTE_SRIOV_BROKER_ENV);
		log_start();
		assert_int_equal(sriov_params_parse("dev", cases[i].args, &p),
				 0);
		ret = sriov_token_broker("dev", &p);
		log = log_end();
		assert_int_equal(ret, cases[i].ret);
		if (cases[i].msg != NULL && strstr(log, cases[i].msg) == NULL)
			fail_msg("log \"%s\" lacks \"%s\"", log, cases[i].msg);
		if (ret == 1)
			assert_string_equal(p.broker, cases[i].broker);
		assert_no_secret(log);
		sriov_params_wipe(&p);
	}
	unsetenv(RTE_SRIOV_BROKER_ENV);
	broker_refused("vf_token_broker=",
		       "devarg vf_token_broker has no value, expected the "
		       "broker's socket path");
	broker_refused("vf_token_broker=/a,vf_token_broker=/a",
		       "devarg vf_token_broker given twice");
}

static void
test_parse_null(void **state)
{
	struct sriov_params p;

	(void)state;
	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(sriov_params_parse("dev", NULL, &p), 0);
	assert_true(all_zero(&p, sizeof(p)));
}

static void
test_present(void **state)
{
	(void)state;
	assert_false(sriov_params_present(NULL));
	assert_false(sriov_params_present(""));
	assert_false(sriov_params_present("rx=1,vf_tokens=2"));
	assert_false(sriov_params_present("list=[num_vfs=2]"));
	assert_true(sriov_params_present("rx=1,num_vfs=2"));
	assert_true(sriov_params_present("vf_token_env=E"));
	assert_true(sriov_params_present("list=[a,b],vf_token_file=/x"));
	/* a bare key counts: parse will refuse it with a message */
	assert_true(sriov_params_present("a,vf_token"));
}

/* ---- environment switches (rte_bus_sriov.h) ---- */

static void
test_env_bus(void **state)
{
	(void)state;
	assert_int_equal(sriov_env_bus_parse(NULL), SRIOV_ENV_BUS_ON);
	assert_int_equal(sriov_env_bus_parse(""), SRIOV_ENV_BUS_ON);
	assert_int_equal(sriov_env_bus_parse("on"), SRIOV_ENV_BUS_ON);
	assert_int_equal(sriov_env_bus_parse("off"), SRIOV_ENV_BUS_OFF);
	/* anything else is an error, never "on" silently */
	assert_int_equal(sriov_env_bus_parse("maybe"), -EINVAL);
	assert_int_equal(sriov_env_bus_parse("OFF"), -EINVAL);
	assert_int_equal(sriov_env_bus_parse("off "), -EINVAL);
	assert_int_equal(sriov_env_bus_parse("0"), -EINVAL);
}

static void
test_env_pci(void **state)
{
	(void)state;
	assert_int_equal(sriov_env_pci_parse(NULL), SRIOV_ENV_PCI_NAMED);
	assert_int_equal(sriov_env_pci_parse(""), SRIOV_ENV_PCI_NAMED);
	assert_int_equal(sriov_env_pci_parse("named"), SRIOV_ENV_PCI_NAMED);
	assert_int_equal(sriov_env_pci_parse("all"), SRIOV_ENV_PCI_ALL);
	assert_int_equal(sriov_env_pci_parse("ALL"), -EINVAL);
	assert_int_equal(sriov_env_pci_parse("yes"), -EINVAL);
}

/* ---- token precedence ---- */

/* Parse @p args and resolve the token; @return sriov_token_choose(). */
static int
token_of(const char *args, struct vft_token *tok,
	 enum rte_sriov_token_source *src, const char **log)
{
	struct sriov_params p;
	int ret;

	assert_int_equal(sriov_params_parse("dev", args, &p), 0);
	log_start();
	ret = sriov_token_choose("dev", &p, tok, src);
	*log = log_end();
	assert_no_secret(*log);
	/* the literal does not outlive its use */
	assert_true(all_zero(&p.literal, sizeof(p.literal)));
	sriov_params_wipe(&p);
	return ret;
}

static void
assert_token(const struct vft_token *tok, const char *text)
{
	uint8_t want[VFT_UUID_LEN];

	uuid_of(text, want);
	assert_memory_equal(tok->uuid.b, want, VFT_UUID_LEN);
}

struct prec_case {
	const char *args;
	bool eal; /* the EAL option is given (TOK_D) */
	enum rte_sriov_token_source src;
	const char *tok; /* NULL: none */
};

static void
test_precedence(void **state)
{
	char file_arg[PATH_MAX + 32], all[PATH_MAX + 128];
	char file_env[PATH_MAX + 64], lit_missing[128];
	const struct prec_case cases[] = {
		{ all, true, RTE_SRIOV_TOKEN_DEVARGS, TOK_A },
		{ file_env, true, RTE_SRIOV_TOKEN_FILE, TOK_B },
		{ file_arg, false, RTE_SRIOV_TOKEN_FILE, TOK_B },
		{ "vf_token_env=" ENV_VAR, true, RTE_SRIOV_TOKEN_ENV, TOK_C },
		{ "rx=1", true, RTE_SRIOV_TOKEN_EAL, TOK_D },
		{ "", true, RTE_SRIOV_TOKEN_EAL, TOK_D },
		{ "rx=1", false, RTE_SRIOV_TOKEN_NONE, NULL },
		{ "num_vfs=2", false, RTE_SRIOV_TOKEN_NONE, NULL },
		/* lower sources given with a higher one are not read */
		{ lit_missing, false, RTE_SRIOV_TOKEN_DEVARGS, TOK_A },
	};
	size_t i;

	(void)state;
	make_token_file(path_ok, TOK_B "\n", 0600);
	assert_int_equal(setenv(ENV_VAR, TOK_C, 1), 0);
	fmt(file_arg, sizeof(file_arg), "vf_token_file=%s", path_ok);
	fmt(all, sizeof(all),
	    "vf_token_env=" ENV_VAR ",vf_token_file=%s,vf_token=" TOK_A,
	    path_ok);
	fmt(file_env, sizeof(file_env),
	    "vf_token_env=" ENV_VAR ",vf_token_file=%s", path_ok);
	fmt(lit_missing, sizeof(lit_missing),
	    "vf_token_file=%s/missing,vf_token_env=UNSET_TEST_VAR_X,"
	    "vf_token=" TOK_A,
	    dir);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum rte_sriov_token_source src = RTE_SRIOV_TOKEN_API;
		struct vft_token tok;
		const char *log;

		print_message("case %zu: %s\n", i, cases[i].args);
		memset(test_stub_eal_token, 0, sizeof(test_stub_eal_token));
		if (cases[i].eal)
			uuid_of(TOK_D, test_stub_eal_token);
		memset(&tok, 0xa5, sizeof(tok));
		assert_int_equal(token_of(cases[i].args, &tok, &src, &log), 0);
		assert_int_equal(src, cases[i].src);
		if (cases[i].tok != NULL) {
			assert_token(&tok, cases[i].tok);
			assert_true(vft_token_present(&tok));
		} else {
			assert_true(all_zero(&tok, sizeof(tok)));
		}
		vft_token_wipe(&tok);
	}
	memset(test_stub_eal_token, 0, sizeof(test_stub_eal_token));
	unsetenv(ENV_VAR);
}

/* A refused higher source is an error, not a fall back to a lower one. */
static void
test_token_errors(void **state)
{
	char arg[PATH_MAX + 64];
	enum rte_sriov_token_source src;
	struct vft_token tok;
	const char *log;
	char want[PATH_MAX + 64];

	(void)state;
	uuid_of(TOK_D, test_stub_eal_token);
	assert_int_equal(setenv(ENV_VAR, TOK_C, 1), 0);

	/* token file readable by others: refused with the rule */
	make_token_file(path_bad, TOK_B "\n", 0644);
	fmt(arg, sizeof(arg), "vf_token_file=%s,vf_token_env=" ENV_VAR,
	    path_bad);
	assert_int_equal(token_of(arg, &tok, &src, &log), -EPERM);
	fmt(want, sizeof(want),
	    "devarg vf_token_file: token file %s has mode 0644, expected "
	    "no group/other permission bits",
	    path_bad);
	if (strstr(log, want) == NULL)
		fail_msg("log \"%s\" lacks \"%s\"", log, want);
	assert_int_equal(src, RTE_SRIOV_TOKEN_NONE);
	assert_true(all_zero(&tok.uuid, sizeof(tok.uuid)));

	/* missing file */
	fmt(arg, sizeof(arg), "vf_token_file=%s/none", dir);
	assert_int_equal(token_of(arg, &tok, &src, &log), -ENOENT);
	assert_non_null(strstr(log, "does not exist"));
	assert_int_equal(src, RTE_SRIOV_TOKEN_NONE);

	/* unset and malformed environment variables */
	assert_int_equal(
		token_of("vf_token_env=UNSET_TEST_VAR_X", &tok, &src, &log),
		-ENOENT);
	assert_non_null(strstr(log, "devarg vf_token_env: environment "
				    "variable UNSET_TEST_VAR_X is not set"));
	assert_int_equal(setenv(ENV_VAR, TOK_C "x", 1), 0);
	assert_int_equal(token_of("vf_token_env=" ENV_VAR, &tok, &src, &log),
			 -EINVAL);
	assert_non_null(strstr(log, "is not a UUID"));
	assert_int_equal(src, RTE_SRIOV_TOKEN_NONE);
	assert_true(all_zero(&tok.uuid, sizeof(tok.uuid)));

	memset(test_stub_eal_token, 0, sizeof(test_stub_eal_token));
	unsetenv(ENV_VAR);
}

/* ---- strip ---- */

struct strip_case {
	const char *args;
	const char *want;
};

static const struct strip_case strip_cases[] = {
	{ "vf_token=" TOK_A, "" },
	{ "vf_token=" TOK_A ",rx=2", "rx=2" },
	{ "rx=2,vf_token=" TOK_A, "rx=2" },
	{ "a=1,vf_token=" TOK_A ",b=2,num_vfs=3,c,vf_token_env=E,d=[x,y]",
	  "a=1,b=2,c,d=[x,y]" },
	{ "list=[a,b],vf_token_file=/x", "list=[a,b]" },
	{ "vf_token_file=/x,list=[a,b],vf_token_env=E", "list=[a,b]" },
	{ "vf_token_file=/x,num_vfs=1,vf_token_env=E,vf_token=" TOK_A, "" },
	{ "rx=2", "rx=2" },
	{ "vf_tokens=1,vf_token_filex,VF_TOKEN=2", "vf_tokens=1,vf_token_filex,"
						   "VF_TOKEN=2" },
	/* empty items go (rte_kvargs ignores them): no stray commas */
	{ "a,,vf_token=" TOK_A, "a" },
	{ "vf_token=" TOK_A ",,a", "a" },
	{ ",a,,b,", "a,b" },
	{ ",,vf_token=" TOK_A ",,", "" },
	/* lists: kept whole, not nested, unterminated to the end */
	{ "x=[[a],num_vfs=3,y=]", "x=[[a],y=]" },
	{ "list=[a,vf_token=" TOK_A, "list=[a,vf_token=" TOK_A },
	{ "list=[vf_token=1,b],num_vfs=2,z", "list=[vf_token=1,b],z" },
};

static void
strip_one(const char *prefix, const struct strip_case *c)
{
	size_t plen = strlen(prefix), alen = strlen(c->args);
	struct rte_devargs da;
	char *buf = malloc(plen + alen + 1);
	size_t rlen, i;

	assert_non_null(buf);
	memcpy(buf, prefix, plen);
	memcpy(buf + plen, c->args, alen + 1);
	memset(&da, 0, sizeof(da));
	da.data = buf;
	da.drv_str = buf + plen;

	assert_int_equal(sriov_params_strip("dev", &da), 0);
	assert_ptr_equal(da.drv_str, buf + plen);
	assert_ptr_equal(da.data, buf);
	assert_memory_equal(buf, prefix, plen);
	assert_string_equal(da.drv_str, c->want);
	rlen = strlen(da.drv_str);
	assert_true(rlen <= alen);
	if (rlen > 0) {
		assert_int_not_equal(da.drv_str[0], ',');
		assert_int_not_equal(da.drv_str[rlen - 1], ',');
	}
	/* the freed tail is zeroed */
	for (i = plen + rlen; i <= plen + alen; i++)
		if (buf[i] != '\0')
			fail_msg("byte %zu after the new end is 0x%02x", i,
				 (unsigned char)buf[i]);
	/* a removed literal token is gone from the whole buffer */
	if (strstr(c->args, TOK_A) != NULL && strstr(c->want, TOK_A) == NULL)
		assert_bytes_no_secret(buf, plen + alen + 1);
	/* nothing of the bus's is left for the PMD */
	assert_false(sriov_params_present(da.drv_str));
	free(buf);
}

static void
test_strip_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(strip_cases) / sizeof(strip_cases[0]); i++) {
		print_message("case %zu: %s\n", i, strip_cases[i].args);
		/* legacy devargs: drv_str is data; layered: inside it */
		strip_one("", &strip_cases[i]);
		strip_one("bus=pci,addr=0000:01:10.0/class=eth/",
			  &strip_cases[i]);
	}
}

static void
test_strip_refused(void **state)
{
	struct rte_devargs da;
	char other[] = "vf_token=" TOK_A;
	const char *log;

	(void)state;
	assert_int_equal(sriov_params_strip("dev", NULL), 0);
	memset(&da, 0, sizeof(da));
	assert_int_equal(sriov_params_strip("dev", &da), 0);
	da.drv_str = "";
	assert_int_equal(sriov_params_strip("dev", &da), 0);

	/* not inside EAL's buffer: refused, and the string left alone */
	da.drv_str = other;
	da.data = NULL;
	log_start();
	assert_int_equal(sriov_params_strip("0000:01:10.0", &da), -EINVAL);
	log = log_end();
	assert_non_null(strstr(log, "0000:01:10.0: devargs are not in an EAL "
				    "buffer"));
	assert_no_secret(log);
	assert_string_equal(other, "vf_token=" TOK_A);
	/* drv_str before data */
	da.data = other + 1;
	da.drv_str = other;
	assert_int_equal(sriov_params_strip("dev", &da), -EINVAL);
	assert_string_equal(other, "vf_token=" TOK_A);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_path),
		cmocka_unit_test(test_broker),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_present),
		cmocka_unit_test(test_env_bus),
		cmocka_unit_test(test_env_pci),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_token_errors),
		cmocka_unit_test(test_strip_table),
		cmocka_unit_test(test_strip_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

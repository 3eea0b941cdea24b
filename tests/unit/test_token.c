/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "vft_private.h"

/* A distinctive token: no message may contain any group of it. */
#define TOK "5f3c2a91-7b4e-4d2f-9a6b-c1e8d7f60a34"
#define TOK_UPPER "5F3C2A91-7B4E-4D2F-9A6B-C1E8D7F60A34"
#define NOBODY 65534
/* vft_token_fingerprint() of TOK: pinned so a change is noticed */
#define FP_OF_TOK "fp:b2d76843"

static char dir[256];

/* ---- helpers ---- */

static void
assert_no_secret(const char *msg)
{
	static const char *const parts[] = { "5f3c2a91", "7b4e", "4d2f", "9a6b",
					     "c1e8d7f60a34" };
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (strstr(msg, parts[i]) != NULL)
			fail_msg("message leaks the token: %s", msg);
		if (strcasestr(msg, parts[i]) != NULL)
			fail_msg("message leaks the token: %s", msg);
	}
}

static void
path_of(char *buf, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	assert_true(n > 0 && n < PATH_MAX);
}

static void
make_file(const char *name, const void *content, size_t len, mode_t mode)
{
	char p[PATH_MAX];
	int fd;

	path_of(p, name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
make_token_file(const char *name, const char *content, mode_t mode)
{
	make_file(name, content, strlen(content), mode);
}

/* Expect vft_token_from_file(name) to fail with @p code and a message
 * naming the path and containing @p rule. */
static void
expect_file_refused(const char *name, int code, const char *rule)
{
	struct vft_token t;
	struct vft_err err;
	char p[PATH_MAX];

	path_of(p, name);
	vft_err_clear(&err);
	assert_int_equal(vft_token_from_file(p, &t, &err), code);
	assert_int_equal(err.code, code);
	if (strstr(err.msg, p) == NULL || strstr(err.msg, rule) == NULL)
		fail_msg("message \"%s\" lacks \"%s\" or the path", err.msg,
			 rule);
	assert_no_secret(err.msg);
	assert_false(vft_token_present(&t));
	assert_true(vft_uuid_is_null(&t.uuid));
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	int n = snprintf(dir, sizeof(dir), "%s/vft-test-token-XXXXXX",
			 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");

	if (n < 0 || (size_t)n >= sizeof(dir) || mkdtemp(dir) == NULL)
		return -1;
	/* traversable, for the test run as another user */
	return chmod(dir, 0711);
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- strings and the environment ---- */

static void
test_string(void **state)
{
	struct vft_token t;
	struct vft_err err;
	char out[VFT_UUID_STR_LEN + 1];

	(void)state;
	assert_int_equal(vft_token_from_string(TOK, &t, &err), 0);
	assert_true(vft_token_present(&t));
	assert_int_equal(t.source, VFT_TOKEN_LITERAL);
	assert_string_equal(t.origin, "");
	vft_uuid_format(&t.uuid, out);
	assert_string_equal(out, TOK);

	assert_int_equal(vft_token_from_string(TOK_UPPER, &t, &err), 0);
	vft_uuid_format(&t.uuid, out);
	assert_string_equal(out, TOK);
}

static void
test_string_refused(void **state)
{
	static const char *const bad[] = {
		TOK " ",     " " TOK,	 TOK "\n",
		"{" TOK "}", "5f3c2a91", "5f3c2a91-7b4e-4d2f-9a6b-c1e8d7f60a3"
	};
	struct vft_token t;
	struct vft_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vft_err_clear(&err);
		assert_int_equal(vft_token_from_string(bad[i], &t, &err),
				 -EINVAL);
		assert_int_equal(err.code, -EINVAL);
		assert_non_null(strstr(err.msg, "not a UUID"));
		assert_no_secret(err.msg);
		assert_false(vft_token_present(&t));
	}
	assert_int_equal(vft_token_from_string("", &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "empty"));
	assert_int_equal(vft_token_from_string(NULL, &t, &err), -EINVAL);
	assert_int_equal(
		vft_token_from_string("00000000-0000-0000-0000-000000000000",
				      &t, &err),
		-EINVAL);
	assert_non_null(strstr(err.msg, "all-zero"));
	assert_false(vft_token_present(&t));
	/* NULL err is allowed */
	assert_int_equal(vft_token_from_string("x", &t, NULL), -EINVAL);
}

static void
test_env(void **state)
{
	struct vft_token t;
	struct vft_err err;
	char out[VFT_UUID_STR_LEN + 1];

	(void)state;
	unsetenv("VFT_TEST_TOKEN");
	assert_int_equal(vft_token_from_env("VFT_TEST_TOKEN", &t, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "VFT_TEST_TOKEN"));
	assert_non_null(strstr(err.msg, "not set"));

	setenv("VFT_TEST_TOKEN", "", 1);
	assert_int_equal(vft_token_from_env("VFT_TEST_TOKEN", &t, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "VFT_TEST_TOKEN"));
	assert_non_null(strstr(err.msg, "empty"));

	setenv("VFT_TEST_TOKEN", TOK "x", 1);
	assert_int_equal(vft_token_from_env("VFT_TEST_TOKEN", &t, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "VFT_TEST_TOKEN"));
	assert_no_secret(err.msg);
	assert_false(vft_token_present(&t));

	setenv("VFT_TEST_TOKEN", TOK, 1);
	assert_int_equal(vft_token_from_env("VFT_TEST_TOKEN", &t, &err), 0);
	assert_int_equal(t.source, VFT_TOKEN_ENV);
	assert_string_equal(t.origin, "VFT_TEST_TOKEN");
	vft_uuid_format(&t.uuid, out);
	assert_string_equal(out, TOK);
	unsetenv("VFT_TEST_TOKEN");

	assert_int_equal(vft_token_from_env(NULL, &t, &err), -EINVAL);
	assert_int_equal(vft_token_from_env("", &t, &err), -EINVAL);
}

/* ---- files ---- */

static void
test_file_ok(void **state)
{
	static const char *const ok[] = { TOK "\n", TOK, TOK_UPPER "\n" };
	char p[PATH_MAX], out[VFT_UUID_STR_LEN + 1];
	struct vft_token t;
	struct vft_err err;
	size_t i;

	(void)state;
	path_of(p, "ok");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		make_token_file("ok", ok[i], 0600);
		assert_int_equal(vft_token_from_file(p, &t, &err), 0);
		assert_int_equal(t.source, VFT_TOKEN_FILE);
		assert_string_equal(t.origin, p);
		vft_uuid_format(&t.uuid, out);
		assert_string_equal(out, TOK);
	}
	make_token_file("ok", TOK "\n", 0400); /* read-only is fine */
	assert_int_equal(vft_token_from_file(p, &t, &err), 0);
}

static void
test_file_missing(void **state)
{
	(void)state;
	expect_file_refused("no-such-file", -ENOENT, "does not exist");
}

static void
test_file_symlink(void **state)
{
	char p[PATH_MAX];

	(void)state;
	make_token_file("target", TOK "\n", 0600);
	path_of(p, "link");
	assert_int_equal(symlink("target", p), 0);
	expect_file_refused("link", -ELOOP, "symbolic link");
	path_of(p, "dangling");
	assert_int_equal(symlink("nowhere", p), 0);
	expect_file_refused("dangling", -ELOOP, "symbolic link");
}

static void
test_file_not_regular(void **state)
{
	char p[PATH_MAX];

	(void)state;
	path_of(p, "a-dir");
	assert_int_equal(mkdir(p, 0700), 0);
	expect_file_refused("a-dir", -EINVAL, "is a directory");
	path_of(p, "a-fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	/* must not block, even with no writer */
	expect_file_refused("a-fifo", -EINVAL, "is a FIFO");
}

static void
test_file_wrong_owner(void **state)
{
	char p[PATH_MAX];

	(void)state;
	if (geteuid() != 0)
		skip(); /* only root can give a file away */
	make_token_file("foreign", TOK "\n", 0600);
	path_of(p, "foreign");
	assert_int_equal(chown(p, NOBODY, NOBODY), 0);
	expect_file_refused("foreign", -EPERM, "owned by uid 65534");
}

static void
test_file_modes(void **state)
{
	static const mode_t modes[] = { 0640, 0604, 0644, 0660, 0601,
					0610, 0602, 0620, 0666, 0700 | 0004 };
	char rule[96];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		make_token_file("mode", TOK "\n", modes[i]);
		snprintf(rule, sizeof(rule),
			 "mode %04o, expected no group/other",
			 (unsigned int)modes[i]);
		expect_file_refused("mode", -EPERM, rule);
		expect_file_refused("mode", -EPERM, "chmod 600");
	}
}

static void
test_file_content(void **state)
{
	static const struct {
		const char *content;
		const char *rule;
	} cases[] = {
		{ "", "is empty" },
		{ "\n", "is empty" },
		{ TOK "\n" TOK "\n", "more than one line" },
		{ TOK "\n\n", "more than one line" },
		{ "\n" TOK, "more than one line" },
		{ TOK "\nx", "more than one line" },
		{ " " TOK "\n", "starts with whitespace" },
		{ "\t" TOK, "starts with whitespace" },
		{ "  5f3c2a91-7b4e-4d2f-9a6b-c1e8d7f60\n",
		  "starts with whitespace" },
		{ TOK " \n", "whitespace after the UUID" },
		{ TOK "\t", "whitespace after the UUID" },
		{ TOK "\r\n", "CR LF" },
		{ TOK "\r", "whitespace after the UUID" },
		{ TOK "0\n", "longer than one UUID" },
		{ TOK TOK, "longer than one UUID" },
		{ "5f3c2a91-7b4e-4d2f-9a6b-c1e8d7f60a3\n", "not a UUID" },
		{ "5f3c2a91-7b4e-4d2f-9a6b-c1e8d7f60a3g\n", "not a UUID" },
		{ "00000000-0000-0000-0000-000000000000\n", "all-zero" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_token_file("content", cases[i].content, 0600);
		expect_file_refused("content", -EINVAL, cases[i].rule);
	}
}

static void
test_file_too_long_and_binary(void **state)
{
	char big[4096];
	char nul[VFT_UUID_STR_LEN + 1] = TOK;

	(void)state;
	memset(big, 'a', sizeof(big));
	memcpy(big, TOK, VFT_UUID_STR_LEN);
	make_file("big", big, sizeof(big), 0600);
	expect_file_refused("big", -EINVAL, "longer than one UUID");
	nul[10] = '\0'; /* an embedded NUL */
	make_file("nul", nul, VFT_UUID_STR_LEN, 0600);
	expect_file_refused("nul", -EINVAL, "not a UUID");
}

/* Runs in a child that is not root: the file is mode 0200. */
static int
child_unreadable(const char *p)
{
	struct vft_token t;
	struct vft_err err;
	int fd;

	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0200);
	if (fd < 0 || write(fd, TOK "\n", 37) != 37 || close(fd) != 0)
		return 2;
	if (vft_token_from_file(p, &t, &err) != -EACCES)
		return 3;
	if (strstr(err.msg, "not readable") == NULL ||
	    strstr(err.msg, p) == NULL || strstr(err.msg, "5f3c") != NULL)
		return 4;
	return 0;
}

static void
test_file_unreadable(void **state)
{
	char sub[PATH_MAX], p[PATH_MAX];
	int status;
	pid_t pid;

	(void)state;
	path_of(sub, "nobody");
	assert_int_equal(mkdir(sub, 0700), 0);
	path_of(p, "nobody/unreadable");
	if (geteuid() != 0) {
		assert_int_equal(child_unreadable(p), 0);
		return;
	}
	/* root reads anything: drop to nobody in a child */
	assert_int_equal(chown(sub, NOBODY, NOBODY), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 ||
		    setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) != 0)
			_exit(1);
		_exit(child_unreadable(p));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_file_args(void **state)
{
	struct vft_token t;
	struct vft_err err;

	(void)state;
	assert_int_equal(vft_token_from_file(NULL, &t, &err), -EINVAL);
	assert_int_equal(vft_token_from_file("", &t, &err), -EINVAL);
}

/* ---- writing, generating ---- */

static void
test_write_file(void **state)
{
	char p[PATH_MAX], lnk[PATH_MAX], buf[64];
	struct vft_token t, r;
	struct vft_err err;
	struct stat st;
	mode_t old;
	int fd;

	(void)state;
	assert_int_equal(vft_token_generate(&t, &err), 0);
	assert_int_equal(t.source, VFT_TOKEN_GENERATED);
	path_of(p, "written");
	old = umask(0277); /* would leave 0400 without the fchmod */
	assert_int_equal(vft_token_write_file(p, &t, &err), 0);
	umask(old);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, VFT_UUID_STR_LEN + 1);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), VFT_UUID_STR_LEN + 1);
	close(fd);
	assert_int_equal(buf[VFT_UUID_STR_LEN], '\n');
	assert_int_equal(vft_token_from_file(p, &r, &err), 0);
	assert_true(vft_uuid_equal(&t.uuid, &r.uuid));

	/* an existing file is never overwritten */
	assert_int_equal(vft_token_generate(&r, &err), 0);
	assert_int_equal(vft_token_write_file(p, &r, &err), -EEXIST);
	assert_non_null(strstr(err.msg, p));
	assert_int_equal(vft_token_from_file(p, &r, &err), 0);
	assert_true(vft_uuid_equal(&t.uuid, &r.uuid));

	/* nor is a symlink followed */
	path_of(lnk, "wlink");
	assert_int_equal(symlink("elsewhere", lnk), 0);
	assert_int_equal(vft_token_write_file(lnk, &t, &err), -EEXIST);
	path_of(p, "elsewhere");
	assert_int_equal(access(p, F_OK), -1);

	vft_token_wipe(&r);
	assert_int_equal(vft_token_write_file(p, &r, &err), -EINVAL);
	assert_int_equal(vft_token_write_file(NULL, &t, &err), -EINVAL);
}

/* ---- fingerprints ---- */

static void
test_siphash_vectors(void **state)
{
	uint8_t key[16], msg[64];
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	/* SipHash paper, appendix A, and its reference test vectors */
	assert_int_equal(vft_siphash24(key, msg, 15), 0xa129ca6149be45e5ULL);
	assert_int_equal(vft_siphash24(key, msg, 0), 0x726fdb47dd0e0e31ULL);
	assert_int_equal(vft_siphash24(key, msg, 8), 0x93f5f5799a932462ULL);
}

static void
test_fingerprint(void **state)
{
	char fa[VFT_FINGERPRINT_LEN], fb[VFT_FINGERPRINT_LEN];
	struct vft_token a, b;
	struct vft_err err;
	size_t i;

	(void)state;
	assert_int_equal(vft_token_from_string(TOK, &a, &err), 0);
	assert_int_equal(vft_token_from_string(TOK_UPPER, &b, &err), 0);
	vft_token_fingerprint(&a, fa);
	vft_token_fingerprint(&b, fb);
	assert_string_equal(fa, fb);
	assert_int_equal(strlen(fa), 11);
	assert_memory_equal(fa, "fp:", 3);
	for (i = 3; i < 11; i++)
		assert_non_null(strchr("0123456789abcdef", fa[i]));
	assert_no_secret(fa);
	/* Stable across processes and releases: a fixed known answer. */
	assert_string_equal(fa, FP_OF_TOK);

	b.uuid.b[15] ^= 1;
	vft_token_fingerprint(&b, fb);
	assert_string_not_equal(fa, fb);
	vft_token_wipe(&b);
	vft_token_fingerprint(&b, fb);
	assert_string_equal(fb, "fp:none");
}

static void
test_fingerprint_distinct(void **state)
{
	char fp[200][VFT_FINGERPRINT_LEN];
	struct vft_token t;
	struct vft_err err;
	int i, j;

	(void)state;
	for (i = 0; i < 200; i++) {
		assert_int_equal(vft_token_generate(&t, &err), 0);
		vft_token_fingerprint(&t, fp[i]);
		for (j = 0; j < i; j++)
			assert_string_not_equal(fp[i], fp[j]);
	}
}

static void
test_wipe_and_names(void **state)
{
	struct vft_token t, zero;
	struct vft_err err;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	setenv("VFT_TEST_TOKEN", TOK, 1);
	assert_int_equal(vft_token_from_env("VFT_TEST_TOKEN", &t, &err), 0);
	unsetenv("VFT_TEST_TOKEN");
	vft_token_wipe(&t);
	assert_memory_equal(&t, &zero, sizeof(t));
	assert_false(vft_token_present(&t));
	assert_false(vft_token_present(NULL));
	vft_token_wipe(NULL);

	assert_string_equal(vft_token_source_name(VFT_TOKEN_NONE), "none");
	assert_string_equal(vft_token_source_name(VFT_TOKEN_LITERAL),
			    "literal");
	assert_string_equal(vft_token_source_name(VFT_TOKEN_FILE), "file");
	assert_string_equal(vft_token_source_name(VFT_TOKEN_ENV), "env");
	assert_string_equal(vft_token_source_name(VFT_TOKEN_GENERATED),
			    "generated");
	assert_string_equal(vft_token_source_name((enum vft_token_source)99),
			    "unknown");
}

static void
test_err(void **state)
{
	struct vft_err err;

	(void)state;
	assert_int_equal(vft_err_set(&err, -EIO, "x %d", 42), -EIO);
	assert_int_equal(err.code, -EIO);
	assert_string_equal(err.msg, "x 42");
	vft_err_clear(&err);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	assert_int_equal(vft_err_set(NULL, -EIO, "x"), -EIO);
	vft_err_clear(NULL);
}

/* ---- Kubernetes Secret volumes (vft_token_from_secret) ---- */

#define SECRET_TS "..2026_12_07_05_00_00.123456789"
#define SECRET_KEY "0000:01:00.0.token"

/* DIR/vol */
static void
vol_path(char vol[300])
{
	int n = snprintf(vol, 300, "%s/vol", dir);

	assert_true(n > 0 && n < 300);
}

/* A volume as kubelet's atomic writer lays it out, in DIR/vol: the
 * directory @vol_mode, ..TIMESTAMP @ts_mode with KEY @file_mode holding
 * TOK, ..data -> ..TIMESTAMP, KEY -> ..data/KEY. */
static void
secret_make(mode_t vol_mode, mode_t ts_mode, mode_t file_mode)
{
	char vol[300], p[PATH_MAX];

	vol_path(vol);
	nftw(vol, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	assert_int_equal(mkdir(vol, 0700), 0);
	snprintf(p, sizeof(p), "%s/%s", vol, SECRET_TS);
	assert_int_equal(mkdir(p, 0700), 0);
	make_token_file("vol/" SECRET_TS "/" SECRET_KEY, TOK "\n", file_mode);
	assert_int_equal(chmod(p, ts_mode), 0);
	snprintf(p, sizeof(p), "%s/..data", vol);
	assert_int_equal(symlink(SECRET_TS, p), 0);
	snprintf(p, sizeof(p), "%s/%s", vol, SECRET_KEY);
	assert_int_equal(symlink("..data/" SECRET_KEY, p), 0);
	assert_int_equal(chmod(vol, vol_mode), 0);
}

/* vft_token_from_secret(DIR/vol, @key): @code, a message with @rule. */
static void
expect_secret(const char *key, int code, const char *rule)
{
	struct vft_token t;
	struct vft_err err;
	char vol[300];

	vol_path(vol);
	vft_err_clear(&err);
	assert_int_equal(vft_token_from_secret(vol, key, &t, &err), code);
	if (code == 0) {
		struct vft_token want;

		assert_int_equal(vft_token_from_string(TOK, &want, &err), 0);
		assert_true(vft_uuid_equal(&t.uuid, &want.uuid));
		assert_true(strstr(t.origin, SECRET_KEY) != NULL);
		return;
	}
	if (strstr(err.msg, rule) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, rule);
	assert_no_secret(err.msg);
	assert_false(vft_token_present(&t));
}

/* Secret modes 0400, 0440, 0644 in a 1777 or 0755 volume: read. */
static void
test_secret_ok(void **state)
{
	static const mode_t modes[] = { 0400, 0440, 0644 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		secret_make(01777, 0755, modes[i]);
		expect_secret(SECRET_KEY, 0, NULL);
		secret_make(0755, 0755, modes[i]);
		expect_secret(SECRET_KEY, 0, NULL);
	}
}

/* The ordinary rules still refuse each piece of that layout. */
static void
test_secret_file_rules_unchanged(void **state)
{
	(void)state;
	secret_make(01777, 0755, 0644);
	expect_file_refused("vol/" SECRET_KEY, -ELOOP, "symbolic link");
	expect_file_refused("vol/" SECRET_TS "/" SECRET_KEY, -EPERM,
			    "expected no group/other permission bits");
	secret_make(0755, 0755, 0440);
	expect_file_refused("vol/" SECRET_TS "/" SECRET_KEY, -EPERM,
			    "expected no group/other permission bits");
}

/* Writable by others where it matters, links elsewhere, other types. */
static void
test_secret_refused(void **state)
{
	char vol[300], p[PATH_MAX];

	(void)state;
	vol_path(vol);
	/* group/other-writable: the volume without the sticky bit, the
	 * timestamped directory, the file */
	secret_make(0777, 0755, 0644);
	expect_secret(SECRET_KEY, -EPERM, "the volume directory is owned by");
	secret_make(01777, 0777, 0644);
	expect_secret(SECRET_KEY, -EPERM, SECRET_TS " is owned by");
	secret_make(01777, 01777, 0644);
	expect_secret(SECRET_KEY, -EPERM, SECRET_TS " is owned by");
	secret_make(01777, 0755, 0666);
	expect_secret(SECRET_KEY, -EPERM, SECRET_TS "/" SECRET_KEY);
	secret_make(01777, 0755, 0620);
	expect_secret(SECRET_KEY, -EPERM, "no group or other write");

	/* KEY pointing anywhere but ..data/KEY */
	secret_make(0755, 0755, 0644);
	snprintf(p, sizeof(p), "%s/%s", vol, SECRET_KEY);
	unlink(p);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	expect_secret(SECRET_KEY, -EINVAL, "expected '..data/" SECRET_KEY);
	unlink(p);
	assert_int_equal(symlink(SECRET_TS "/" SECRET_KEY, p), 0);
	expect_secret(SECRET_KEY, -EINVAL, "expected '..data/" SECRET_KEY);
	/* KEY a regular file: not this layout */
	unlink(p);
	make_token_file("vol/" SECRET_KEY, TOK, 0600);
	expect_secret(SECRET_KEY, -EINVAL, "is a regular file, expected");

	/* ..data leaving the volume, or deeper */
	secret_make(0755, 0755, 0644);
	snprintf(p, sizeof(p), "%s/..data", vol);
	unlink(p);
	assert_int_equal(symlink("../elsewhere", p), 0);
	expect_secret(SECRET_KEY, -EINVAL, "expected one directory");
	unlink(p);
	assert_int_equal(symlink("..", p), 0);
	expect_secret(SECRET_KEY, -EINVAL, "expected one directory");
	unlink(p);
	assert_int_equal(symlink(dir, p), 0);
	expect_secret(SECRET_KEY, -EINVAL, "expected one directory");
	/* ..TIMESTAMP a link to a directory: not opened through it */
	unlink(p);
	assert_int_equal(symlink("..ts-link", p), 0);
	snprintf(p, sizeof(p), "%s/..ts-link", vol);
	assert_int_equal(symlink(SECRET_TS, p), 0);
	expect_secret(SECRET_KEY, -ENOTDIR, "not a link");

	/* the file a link inside ..TIMESTAMP */
	secret_make(0755, 0755, 0644);
	snprintf(p, sizeof(p), "%s/%s/%s", vol, SECRET_TS, SECRET_KEY);
	unlink(p);
	assert_int_equal(symlink("/etc/hostname", p), 0);
	expect_secret(SECRET_KEY, -ELOOP, "expected a regular file");
	/* the file a directory */
	unlink(p);
	assert_int_equal(mkdir(p, 0755), 0);
	expect_secret(SECRET_KEY, -EINVAL, "is not a regular file");

	/* keys that are not one name */
	secret_make(0755, 0755, 0644);
	expect_secret("../vol/" SECRET_KEY, -EINVAL, "is not one file name");
	expect_secret("..data", -EINVAL, "is not one file name");
	expect_secret("", -EINVAL, "is not one file name");
	expect_secret("missing.token", -ENOENT, "cannot stat missing.token");
	/* the content rules are the file rules */
	make_token_file("vol/" SECRET_TS "/" SECRET_KEY, TOK "\r\n", 0644);
	expect_secret(SECRET_KEY, -EINVAL, "CR LF");
}

/* Another uid's volume, link or file (as root only: chown). */
static void
test_secret_owner(void **state)
{
	char vol[300], p[PATH_MAX];

	(void)state;
	if (geteuid() != 0)
		skip();
	vol_path(vol);
	secret_make(0755, 0755, 0644);
	assert_int_equal(chown(vol, NOBODY, NOBODY), 0);
	expect_secret(SECRET_KEY, -EPERM, "owned by uid 65534");
	secret_make(0755, 0755, 0644);
	snprintf(p, sizeof(p), "%s/..data", vol);
	assert_int_equal(lchown(p, NOBODY, NOBODY), 0);
	expect_secret(SECRET_KEY, -EPERM, "..data is owned by uid 65534");
	secret_make(0755, 0755, 0644);
	snprintf(p, sizeof(p), "%s/%s", vol, SECRET_KEY);
	assert_int_equal(lchown(p, NOBODY, NOBODY), 0);
	expect_secret(SECRET_KEY, -EPERM, "owned by uid 65534");
	secret_make(0755, 0755, 0644);
	snprintf(p, sizeof(p), "%s/%s", vol, SECRET_TS);
	assert_int_equal(chown(p, NOBODY, NOBODY), 0);
	expect_secret(SECRET_KEY, -EPERM, "owned by uid 65534");
	secret_make(0755, 0755, 0644);
	snprintf(p, sizeof(p), "%s/%s/%s", vol, SECRET_TS, SECRET_KEY);
	assert_int_equal(chown(p, NOBODY, NOBODY), 0);
	expect_secret(SECRET_KEY, -EPERM, "owned by uid 65534");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_string_refused),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_file_ok),
		cmocka_unit_test(test_file_missing),
		cmocka_unit_test(test_file_symlink),
		cmocka_unit_test(test_file_not_regular),
		cmocka_unit_test(test_file_wrong_owner),
		cmocka_unit_test(test_file_modes),
		cmocka_unit_test(test_file_content),
		cmocka_unit_test(test_file_too_long_and_binary),
		cmocka_unit_test(test_file_unreadable),
		cmocka_unit_test(test_file_args),
		cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_fingerprint_distinct),
		cmocka_unit_test(test_wipe_and_names),
		cmocka_unit_test(test_err),
		cmocka_unit_test(test_secret_ok),
		cmocka_unit_test(test_secret_file_rules_unchanged),
		cmocka_unit_test(test_secret_refused),
		cmocka_unit_test(test_secret_owner),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

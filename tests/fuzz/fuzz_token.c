/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for the token sources:
 * - vft_token_from_string() on the input as a C string: accepted iff it is
 *   a valid UUID (kernel rule, fuzz_ref.h) and not all zeros;
 * - vft_token_from_file() on a temporary file holding the input's bytes,
 *   mode 0600: accepted iff the bytes are exactly one valid non-zero UUID
 *   plus an optional "\n" (the rule documented in vftoken.h).
 * On refusal the record is wiped and the message never repeats any UUID
 * found in the input (a token is a secret).
 */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_ref.h"
#include "vftoken.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[256];
static char fuzz_path[300];

static void
fuzz_token_cleanup(void)
{
	unlink(fuzz_path);
	rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/vft-fuzz-token-XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(fuzz_path, sizeof(fuzz_path), "%s/token", fuzz_dir);
	atexit(fuzz_token_cleanup);
	return 0;
}

/* The refusal contract: negative errno, record wiped, message set and
 * free of the input's UUIDs. */
static void
check_refused(int rc, const struct vft_token *t, const struct vft_err *err,
	      const uint8_t *data, size_t size)
{
	FUZZ_CHECK(rc < 0);
	FUZZ_CHECK(!vft_token_present(t));
	FUZZ_CHECK(ref_all_zero(t->uuid.b, VFT_UUID_LEN));
	FUZZ_CHECK(err->code == rc);
	FUZZ_CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	FUZZ_CHECK(err->msg[0] != '\0');
	FUZZ_CHECK(!ref_msg_has_uuid_of(err->msg, data, size));
}

static void
fuzz_token_string(const uint8_t *data, size_t size)
{
	char *s = ref_strdup(data, size);
	size_t len = strlen(s);
	struct vft_token t;
	struct vft_err err;
	uint8_t want[16];
	bool ok;
	int rc;

	ok = ref_uuid((const unsigned char *)s, len, want) &&
	     !ref_all_zero(want, 16);
	memset(&t, 0x5a, sizeof(t));
	vft_err_clear(&err);
	rc = vft_token_from_string(s, &t, &err);
	if (ok) {
		FUZZ_CHECK(rc == 0);
		FUZZ_CHECK(t.source == VFT_TOKEN_LITERAL);
		FUZZ_CHECK(memcmp(t.uuid.b, want, 16) == 0);
		FUZZ_CHECK(t.origin[0] == '\0');
	} else {
		FUZZ_CHECK(rc == -EINVAL);
		check_refused(rc, &t, &err, data, size);
	}
	vft_token_wipe(&t);
	free(s);
}

static void
fuzz_token_write(const uint8_t *data, size_t size)
{
	size_t done = 0;
	int fd;

	unlink(fuzz_path);
	fd = open(fuzz_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(fchmod(fd, 0600) == 0);
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		FUZZ_CHECK(n > 0);
		done += (size_t)n;
	}
	FUZZ_CHECK(close(fd) == 0);
}

static void
fuzz_token_file(const uint8_t *data, size_t size)
{
	size_t len = size;
	struct vft_token t;
	struct vft_err err;
	uint8_t want[16];
	bool ok;
	int rc;

	/* The documented rule, on raw bytes (a NUL is just a bad byte). */
	if (len > 0 && data[len - 1] == '\n')
		len--;
	ok = ref_uuid(data, len, want) && !ref_all_zero(want, 16);
	fuzz_token_write(data, size);
	memset(&t, 0x5a, sizeof(t));
	vft_err_clear(&err);
	rc = vft_token_from_file(fuzz_path, &t, &err);
	if (ok) {
		FUZZ_CHECK(rc == 0);
		FUZZ_CHECK(t.source == VFT_TOKEN_FILE);
		FUZZ_CHECK(memcmp(t.uuid.b, want, 16) == 0);
		FUZZ_CHECK(strcmp(t.origin, fuzz_path) == 0);
	} else {
		FUZZ_CHECK(rc == -EINVAL);
		check_refused(rc, &t, &err, data, size);
		/* The path is named, so the reader knows which file. */
		FUZZ_CHECK(strstr(err.msg, fuzz_path) != NULL);
	}
	vft_token_wipe(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_token_string(data, size);
	fuzz_token_file(data, size);
	return 0;
}

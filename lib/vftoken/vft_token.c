/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vft_private.h"

/*
 * Token sources. A token is a secret (it gates VF access, see the kernel
 * patch "vfio/pci: Introduce VF token"): no message here ever holds the
 * text, and every buffer that held it is wiped.
 */

/* A token file holds 36 characters and an optional "\n"; read a little
 * more so "too long" can be told apart from "just right". */
#define TOKEN_FILE_MAX 128

#define UUID_SHAPE \
	"36 characters, hex digits with '-' at offsets 8, 13, 18 and 23"

bool
vft_token_present(const struct vft_token *t)
{
	return t != NULL && t->source != VFT_TOKEN_NONE;
}

static void
token_set_origin(struct vft_token *t, const char *origin)
{
	size_t n = strlen(origin);

	if (n >= sizeof(t->origin))
		n = sizeof(t->origin) - 1;
	memcpy(t->origin, origin, n);
	t->origin[n] = '\0';
}

/* Parse @p s into @p t; @p what names the source in messages. */
static int
token_parse(const char *s, size_t len, struct vft_token *t, const char *what,
	    struct vft_err *err)
{
	struct vft_uuid u;

	if (len == 0)
		return vft_err_set(err, -EINVAL, "%s is empty, expected a UUID",
				   what);
	if (vft_uuid_parse(s, &u) != 0)
		return vft_err_set(err, -EINVAL,
				   "%s is not a UUID (%zu characters), "
				   "expected " UUID_SHAPE,
				   what, len);
	/* The kernel takes any UUID, but all zeros is no secret. */
	if (vft_uuid_is_null(&u))
		return vft_err_set(err, -EINVAL,
				   "%s is the all-zero UUID, which is refused "
				   "as a VF token; generate one with uuidgen",
				   what);
	t->uuid = u;
	vft_wipe(&u, sizeof(u));
	return 0;
}

int
vft_token_from_string(const char *s, struct vft_token *t, struct vft_err *err)
{
	int rc;

	if (t == NULL)
		return vft_err_set(err, -EINVAL, "no token record given");
	vft_token_wipe(t);
	if (s == NULL)
		return vft_err_set(err, -EINVAL,
				   "no token text given, expected a UUID");
	rc = token_parse(s, strlen(s), t, "the token text", err);
	if (rc != 0)
		return rc;
	t->source = VFT_TOKEN_LITERAL;
	return 0;
}

int
vft_token_from_env(const char *var, struct vft_token *t, struct vft_err *err)
{
	const char *val;
	char what[96];
	int rc;

	if (t == NULL || var == NULL || var[0] == '\0')
		return vft_err_set(err, -EINVAL,
				   "no environment variable name given");
	vft_token_wipe(t);
	val = getenv(var);
	if (val == NULL)
		return vft_err_set(err, -ENOENT,
				   "environment variable %s is not set, "
				   "expected a UUID",
				   var);
	snprintf(what, sizeof(what), "environment variable %.60s", var);
	rc = token_parse(val, strlen(val), t, what, err);
	if (rc != 0)
		return rc;
	t->source = VFT_TOKEN_ENV;
	token_set_origin(t, var);
	return 0;
}

/* ---- files ---- */

static int
token_file_open(const char *path, struct vft_err *err)
{
	/* O_NOFOLLOW: a symlink could point the reader at a file the owner
	 * check below would not see. O_NONBLOCK: a FIFO must not block the
	 * open; it is refused by the type check. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
		return vft_err_set(err, -ENOENT, "token file %s does not exist",
				   path);
	case ELOOP:
		return vft_err_set(err, -ELOOP,
				   "token file %s is a symbolic link, expected "
				   "a regular file (give the link's target)",
				   path);
	case EACCES:
		return vft_err_set(err, -EACCES,
				   "token file %s is not readable by this user",
				   path);
	default:
		return vft_err_set(err, -errno, "cannot open token file %s: %s",
				   path, strerror(errno));
	}
}

/* The rules on type, owner and mode, from fstat of the open file. */
static int
token_file_check(int fd, const char *path, struct vft_err *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return vft_err_set(err, -errno, "cannot stat token file %s: %s",
				   path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return vft_err_set(err, -EINVAL,
				   "token file %s is %s, expected a regular "
				   "file",
				   path, vft_file_type_name(st.st_mode));
	if (st.st_uid != geteuid())
		return vft_err_set(err, -EPERM,
				   "token file %s is owned by uid %u, expected "
				   "the caller's uid %u",
				   path, (unsigned int)st.st_uid,
				   (unsigned int)geteuid());
	if ((st.st_mode & 077) != 0)
		return vft_err_set(
			err, -EPERM,
			"token file %s has mode %04o, expected no "
			"group/other permission bits, e.g. chmod 600",
			path, (unsigned int)(st.st_mode & 07777));
	return 0;
}

/* Read at most @p cap bytes; @return the count or -errno. */
static ssize_t
token_file_read(int fd, char *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * Content rule: one UUID, optionally followed by a single "\n". A "\r\n"
 * ending is refused, with its own message: the kernel has no notion of it,
 * and accepting one invisible extra character invites accepting others.
 * The length is reported, never the content.
 */
static int
token_file_content(char *buf, size_t len, const char *path, struct vft_token *t,
		   struct vft_err *err)
{
	char what[VFT_ORIGIN_LEN + 16];

	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			return vft_err_set(err, -EINVAL,
					   "token file %s ends with CR LF, "
					   "expected one UUID and an optional "
					   "LF (convert with dos2unix)",
					   path);
	}
	buf[len] = '\0';
	if (memchr(buf, '\n', len) != NULL)
		return vft_err_set(err, -EINVAL,
				   "token file %s has more than one line, "
				   "expected one UUID and an optional newline",
				   path);
	if (len > 0 && (buf[0] == ' ' || buf[0] == '\t'))
		return vft_err_set(err, -EINVAL,
				   "token file %s starts with whitespace, "
				   "expected one UUID and an optional newline",
				   path);
	if (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t' ||
			buf[len - 1] == '\r'))
		return vft_err_set(err, -EINVAL,
				   "token file %s has whitespace after the "
				   "UUID, expected one UUID and an optional "
				   "newline",
				   path);
	if (len > VFT_UUID_STR_LEN)
		return vft_err_set(err, -EINVAL,
				   "token file %s is longer than one UUID (36 "
				   "characters) and a newline",
				   path);
	snprintf(what, sizeof(what), "token file %s", path);
	return token_parse(buf, len, t, what, err);
}

/*
 * The token in the open, checked file @p fd (named @p path in messages);
 * the buffer that held it wiped. Closes @p fd.
 */
static int
token_file_take(int fd, const char *path, struct vft_token *t,
		struct vft_err *err)
{
	char buf[TOKEN_FILE_MAX + 1];
	ssize_t len;
	int rc;

	len = token_file_read(fd, buf, TOKEN_FILE_MAX);
	close(fd);
	if (len < 0)
		rc = vft_err_set(err, (int)len, "cannot read token file %s: %s",
				 path, strerror((int)-len));
	else
		rc = token_file_content(buf, (size_t)len, path, t, err);
	vft_wipe(buf, sizeof(buf));
	if (rc != 0)
		return rc;
	t->source = VFT_TOKEN_FILE;
	token_set_origin(t, path);
	return 0;
}

int
vft_token_from_file(const char *path, struct vft_token *t, struct vft_err *err)
{
	int fd, rc;

	if (t == NULL || path == NULL || path[0] == '\0')
		return vft_err_set(err, -EINVAL, "no token file path given");
	vft_token_wipe(t);
	fd = token_file_open(path, err);
	if (fd < 0)
		return fd;
	rc = token_file_check(fd, path, err);
	if (rc != 0) {
		close(fd);
		return rc;
	}
	return token_file_take(fd, path, t, err);
}

/* ---- Kubernetes Secret volumes ---- */

/*
 * The layout kubelet's atomic writer makes (pkg/volume/util/atomic_writer.go
 * in Kubernetes): the volume directory holds KEY -> ..data/KEY (a symbolic
 * link), ..data -> ..TIMESTAMP (a symbolic link, swapped by a rename at
 * every update) and the directory ..TIMESTAMP with the regular file KEY,
 * all root's; the files have the Secret's defaultMode (0644 unless set:
 * 0400, 0440). The volume directory itself is a tmpfs, root's, mode 1777
 * or 0755. What is checked instead of "a regular file of the caller's,
 * 0600" (doc/guides/containers.rst, "Tokens from a Secret volume"): every
 * name on the way is resolved by hand under the volume's directory fd
 * (openat with O_NOFOLLOW, never a path the kernel follows), each link
 * must be exactly the atomic writer's (KEY's target "..data/KEY",
 * ..data's one component starting with ".."), and each object owned by
 * root or the caller, with no group or other write bit (the volume's
 * directory: unless sticky, as a 1777 tmpfs is: nobody else may replace
 * what root put there).
 */

static bool
secret_owner_ok(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

static int
secret_err_owner(struct vft_err *err, const char *dir, const char *what,
		 const struct stat *st)
{
	return vft_err_set(err, -EPERM,
			   "Secret volume %s: %s is owned by uid %u with mode "
			   "%04o, expected root's (or uid %u's) and no group "
			   "or other write permission",
			   dir, what, (unsigned int)st->st_uid,
			   (unsigned int)(st->st_mode & 07777),
			   (unsigned int)geteuid());
}

/* The target of the link @name under @dfd, which must be a link of a
 * trusted owner; @return its length or -errno (with a message). */
static int
secret_link(int dfd, const char *dir, const char *name, char *buf, size_t cap,
	    struct vft_err *err)
{
	struct stat st;
	ssize_t n;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return vft_err_set(err, -errno,
				   "Secret volume %s: cannot stat %s: %s", dir,
				   name, strerror(errno));
	if (!S_ISLNK(st.st_mode))
		return vft_err_set(err, -EINVAL,
				   "Secret volume %s: %s is %s, expected the "
				   "symbolic link of kubelet's atomic writer",
				   dir, name,
				   S_ISREG(st.st_mode)
					   ? "a regular file"
					   : vft_file_type_name(st.st_mode));
	if (!secret_owner_ok(&st))
		return secret_err_owner(err, dir, name, &st);
	n = readlinkat(dfd, name, buf, cap - 1);
	if (n < 0)
		return vft_err_set(err, -errno,
				   "Secret volume %s: cannot read link %s: %s",
				   dir, name, strerror(errno));
	if ((size_t)n >= cap - 1)
		return vft_err_set(err, -ENAMETOOLONG,
				   "Secret volume %s: link %s is too long", dir,
				   name);
	buf[n] = '\0';
	return (int)n;
}

/* A directory under @dfd (or @dir itself with @dfd -1), trusted: its fd. */
static int
secret_dir(int dfd, const char *dir, const char *name, bool sticky_ok,
	   struct vft_err *err)
{
	struct stat st;
	int fd;

	fd = dfd < 0 ? open(dir,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		     : openat(dfd, name,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vft_err_set(err, -errno,
				   "Secret volume %s: cannot open %s: %s "
				   "(expected a directory, not a link)",
				   dir, name, strerror(errno));
	if (fstat(fd, &st) != 0) {
		int e = errno;

		close(fd);
		return vft_err_set(err, -e, "Secret volume %s: cannot stat %s",
				   dir, name);
	}
	if (!secret_owner_ok(&st) || ((st.st_mode & 022) != 0 &&
				      !(sticky_ok && (st.st_mode & S_ISVTX)))) {
		close(fd);
		return secret_err_owner(err, dir, name, &st);
	}
	return fd;
}

/* The KEY file under ..TIMESTAMP: its fd once every rule holds. */
static int
secret_open(const char *dir, const char *key, struct vft_err *err)
{
	char link[VFT_ORIGIN_LEN], want[VFT_ORIGIN_LEN];
	struct stat st;
	int dfd, tfd = -1, fd = -1, n;

	dfd = secret_dir(-1, dir, "the volume directory", true, err);
	if (dfd < 0)
		return dfd;
	n = secret_link(dfd, dir, key, link, sizeof(link), err);
	if (n < 0)
		goto out;
	snprintf(want, sizeof(want), "..data/%s", key);
	if (strcmp(link, want) != 0) {
		n = vft_err_set(err, -EINVAL,
				"Secret volume %s: %s points to '%.64s', "
				"expected '%s' (kubelet's atomic writer)",
				dir, key, link, want);
		goto out;
	}
	n = secret_link(dfd, dir, "..data", link, sizeof(link), err);
	if (n < 0)
		goto out;
	if (strncmp(link, "..", 2) != 0 || strchr(link, '/') != NULL ||
	    strcmp(link, "..") == 0 || strcmp(link, "..data") == 0) {
		n = vft_err_set(err, -EINVAL,
				"Secret volume %s: ..data points to '%.64s', "
				"expected one directory '..TIMESTAMP' of the "
				"volume",
				dir, link);
		goto out;
	}
	tfd = secret_dir(dfd, dir, link, false, err);
	if (tfd < 0) {
		n = tfd;
		goto out;
	}
	fd = openat(tfd, key, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		n = vft_err_set(err, -errno,
				"Secret volume %s: cannot open %s/%s: %s "
				"(expected a regular file)",
				dir, link, key, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		n = vft_err_set(err, -EINVAL,
				"Secret volume %s: %s/%s is not a regular "
				"file",
				dir, link, key);
		goto out;
	}
	if (!secret_owner_ok(&st) || (st.st_mode & 022) != 0) {
		char what[VFT_ORIGIN_LEN + 8];

		snprintf(what, sizeof(what), "%s/%s", link, key);
		n = secret_err_owner(err, dir, what, &st);
		goto out;
	}
	n = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (tfd >= 0)
		close(tfd);
	close(dfd);
	return n;
}

int
vft_token_from_secret(const char *dir, const char *key, struct vft_token *t,
		      struct vft_err *err)
{
	char path[VFT_ORIGIN_LEN];
	int fd;

	if (t == NULL || dir == NULL || dir[0] == '\0' || key == NULL)
		return vft_err_set(err, -EINVAL,
				   "no Secret volume directory or key given");
	vft_token_wipe(t);
	/* A key is one name: kubelet writes no other (and ".." would leave
	 * the volume). */
	if (key[0] == '\0' || key[0] == '.' || strchr(key, '/') != NULL ||
	    strlen(key) > 200)
		return vft_err_set(err, -EINVAL,
				   "Secret key '%.64s' is not one file name "
				   "(expected a name of 1 to 200 characters, "
				   "no '/', not starting with '.')",
				   key);
	snprintf(path, sizeof(path), "%s/%s", dir, key);
	fd = secret_open(dir, key, err);
	if (fd < 0)
		return fd;
	return token_file_take(fd, path, t, err);
}

int
vft_token_generate(struct vft_token *t, struct vft_err *err)
{
	int rc;

	if (t == NULL)
		return vft_err_set(err, -EINVAL, "no token record given");
	vft_token_wipe(t);
	rc = vft_uuid_generate(&t->uuid);
	if (rc != 0)
		return vft_err_set(err, rc, "cannot generate a token: %s",
				   strerror(-rc));
	t->source = VFT_TOKEN_GENERATED;
	return 0;
}

static int
token_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
vft_token_write_file(const char *path, const struct vft_token *t,
		     struct vft_err *err)
{
	char buf[VFT_UUID_STR_LEN + 2];
	int fd, rc;

	if (path == NULL || path[0] == '\0' || !vft_token_present(t))
		return vft_err_set(err, -EINVAL,
				   "no token or no token file path given");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return vft_err_set(err, -errno,
				   "cannot create token file %s: %s%s", path,
				   strerror(errno),
				   errno == EEXIST ? " (an existing file is "
						     "never overwritten)"
						   : "");
	vft_uuid_format(&t->uuid, buf);
	buf[VFT_UUID_STR_LEN] = '\n';
	/* fchmod: the umask may have removed owner bits from 0600. */
	rc = fchmod(fd, 0600) != 0 ? -errno : 0;
	if (rc == 0)
		rc = token_write_all(fd, buf, VFT_UUID_STR_LEN + 1);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	vft_wipe(buf, sizeof(buf));
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc != 0) {
		unlink(path);
		return vft_err_set(err, rc, "cannot write token file %s: %s",
				   path, strerror(-rc));
	}
	return 0;
}

/* ---- fingerprints ---- */

static uint64_t
sip_rotl(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t
sip_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void
sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = sip_rotl(v[1], 13) ^ v[0];
	v[0] = sip_rotl(v[0], 32);
	v[2] += v[3];
	v[3] = sip_rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = sip_rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = sip_rotl(v[1], 17) ^ v[2];
	v[2] = sip_rotl(v[2], 32);
}

static void
sip_block(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): 2 compression rounds per 8-byte little-endian block, a last block
 * holding the remaining bytes and len mod 256 in its top byte, 4 final
 * rounds.
 */
uint64_t
vft_siphash24(const uint8_t key[16], const void *msg, size_t len)
{
	const uint8_t *p = msg;
	uint64_t k0 = sip_le64(key), k1 = sip_le64(key + 8);
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ULL,
			  k1 ^ 0x646f72616e646f6dULL,
			  k0 ^ 0x6c7967656e657261ULL,
			  k1 ^ 0x7465646279746573ULL };
	uint64_t last = (uint64_t)(len & 0xff) << 56;
	size_t i, rest = len % 8;

	for (i = 0; i + 8 <= len; i += 8)
		sip_block(v, sip_le64(p + i));
	for (i = 0; i < rest; i++)
		last |= (uint64_t)p[len - rest + i] << (8 * i);
	sip_block(v, last);
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/*
 * A fingerprint must be the same in every process (operators compare the
 * PF's and the VFs' logs), so the key is a fixed public domain separator.
 * 32 bits of output reveal at most 32 of the token's 122 random bits.
 */
void
vft_token_fingerprint(const struct vft_token *t, char out[VFT_FINGERPRINT_LEN])
{
	uint64_t h;

	if (!vft_token_present(t)) {
		snprintf(out, VFT_FINGERPRINT_LEN, "fp:none");
		return;
	}
	h = vft_siphash24((const uint8_t *)VFT_FP_KEY, t->uuid.b, VFT_UUID_LEN);
	snprintf(out, VFT_FINGERPRINT_LEN, "fp:%08x", (unsigned int)(h >> 32));
}

void
vft_token_wipe(struct vft_token *t)
{
	if (t == NULL)
		return;
	vft_wipe(t, sizeof(*t));
	t->source = VFT_TOKEN_NONE;
}

const char *
vft_token_source_name(enum vft_token_source s)
{
	switch (s) {
	case VFT_TOKEN_NONE:
		return "none";
	case VFT_TOKEN_LITERAL:
		return "literal";
	case VFT_TOKEN_FILE:
		return "file";
	case VFT_TOKEN_ENV:
		return "env";
	case VFT_TOKEN_GENERATED:
		return "generated";
	}
	return "unknown";
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Who a client of the broker is: the uid, gid and pid the kernel records
 * for a connected unix socket (SO_PEERCRED, socket(7)), the supplementary
 * groups from /proc/PID/status ("Groups:", fs/proc/array.c) and the systemd
 * unit from the cgroup v2 line of /proc/PID/cgroup ("0::/PATH",
 * kernel/cgroup/cgroup.c proc_cgroup_show()). doc/guides/broker_policy.inc
 * says what the unit is worth as an identity.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct ucred */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vftokend_policy.h"

/* Largest /proc/PID/status or /proc/PID/cgroup read. */
#define PEER_PROC_MAX 16384
/* What the kernel prints after the path of a removed cgroup. */
#define PEER_DELETED " (deleted)"

/* ---- unit names ---- */

static bool
vfd_peer_unit_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == ':' || ch == '_' ||
	       ch == '.' || ch == '\\' || ch == '@' || ch == '-';
}

static bool
vfd_peer_has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

bool
vfd_unit_name_valid(const char *name, size_t n)
{
	size_t i;

	if (name == NULL || n == 0 || n >= VFD_UNIT_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!vfd_peer_unit_char(name[i]))
			return false;
	return vfd_peer_has_suffix(name, n, ".service") ||
	       vfd_peer_has_suffix(name, n, ".scope");
}

/* "user@N.service": systemd's per-user manager, not a client's unit. */
static bool
vfd_peer_is_user_manager(const char *s, size_t n)
{
	static const char pre[] = "user@", suf[] = ".service";
	size_t i, lp = sizeof(pre) - 1, ls = sizeof(suf) - 1;

	if (n <= lp + ls || memcmp(s, pre, lp) != 0 ||
	    memcmp(s + n - ls, suf, ls) != 0)
		return false;
	for (i = lp; i < n - ls; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* ---- /proc/PID/cgroup ---- */

/*
 * One line "ID:CONTROLLERS:PATH" of @n bytes: *@v2 when it is the cgroup
 * v2 line (ID 0, no controllers), its path in @path / @plen.
 */
static int
vfd_peer_cgroup_line(const char *s, size_t n, bool *v2, const char **path,
		     size_t *plen)
{
	const char *c1 = memchr(s, ':', n), *c2;
	size_t i;

	if (c1 == NULL || c1 == s)
		return -EINVAL;
	for (i = 0; s + i < c1; i++)
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s));
	if (c2 == NULL || c2 + 1 == s + n || c2[1] != '/')
		return -EINVAL;
	*v2 = (c1 - s == 1 && s[0] == '0' && c2 == c1 + 1);
	*path = c2 + 1;
	*plen = n - (size_t)(c2 + 1 - s);
	return 0;
}

/* The last unit component of the cgroup path @path (@n bytes). */
static int
vfd_peer_unit_of_path(const char *path, size_t n, char *unit, size_t len)
{
	const char *best = NULL, *comp = path, *end = path + n;
	size_t blen = 0;

	if (vfd_peer_has_suffix(path, n, PEER_DELETED))
		end -= sizeof(PEER_DELETED) - 1;
	while (comp < end) {
		const char *slash = memchr(comp, '/', (size_t)(end - comp));
		size_t clen = slash != NULL ? (size_t)(slash - comp)
					    : (size_t)(end - comp);
		if (vfd_unit_name_valid(comp, clen) &&
		    !vfd_peer_is_user_manager(comp, clen)) {
			best = comp;
			blen = clen;
		}
		comp += clen + 1;
	}
	if (best == NULL)
		return 0;
	if (blen >= len)
		return -EINVAL;
	memcpy(unit, best, blen);
	unit[blen] = '\0';
	return 0;
}

/* The path of the one cgroup v2 line of @text: *@path NULL if none. */
static int
vfd_peer_v2_path(const char *text, const char **path, size_t *plen)
{
	const char *s = text, *p;
	size_t pl;
	bool v2;

	*path = NULL;
	*plen = 0;
	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t n = nl != NULL ? (size_t)(nl - s) : strlen(s);
		if (n > 0) {
			if (vfd_peer_cgroup_line(s, n, &v2, &p, &pl) != 0)
				return -EINVAL;
			/* One v2 hierarchy: a second line is not the kernel's. */
			if (v2 && *path != NULL)
				return -EINVAL;
			if (v2) {
				*path = p;
				*plen = pl;
			}
		}
		s += n + (nl != NULL ? 1 : 0);
	}
	return 0;
}

int
vfd_unit_from_cgroup(const char *text, char *unit, size_t len)
{
	const char *path;
	size_t plen;
	int rc;

	if (text == NULL || unit == NULL || len == 0)
		return -EINVAL;
	unit[0] = '\0';
	rc = vfd_peer_v2_path(text, &path, &plen);
	if (rc != 0 || path == NULL)
		return rc;
	return vfd_peer_unit_of_path(path, plen, unit, len);
}

int
vfd_cgroup_from_text(const char *text, char *path, size_t len)
{
	const char *p;
	size_t plen;
	int rc;

	if (text == NULL || path == NULL || len == 0)
		return -EINVAL;
	path[0] = '\0';
	rc = vfd_peer_v2_path(text, &p, &plen);
	if (rc != 0 || p == NULL)
		return rc;
	/* A removed cgroup (kernel/cgroup/cgroup.c proc_cgroup_show()):
	 * nothing a rule can name. */
	if (vfd_peer_has_suffix(p, plen, PEER_DELETED))
		return 0;
	if (plen >= len)
		return -ENAMETOOLONG;
	memcpy(path, p, plen);
	path[plen] = '\0';
	return 0;
}

bool
vfd_cgroup_path_valid(const char *path)
{
	const char *comp;
	size_t n, i;

	if (path == NULL || path[0] != '/')
		return false;
	n = strnlen(path, VFD_CGROUP_LEN);
	if (n < 2 || n >= VFD_CGROUP_LEN || path[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++)
		if (path[i] <= ' ' || path[i] > '~' || path[i] == ',')
			return false;
	for (comp = path + 1; comp != NULL && *comp != '\0';) {
		const char *slash = strchr(comp, '/');
		size_t clen =
			slash != NULL ? (size_t)(slash - comp) : strlen(comp);
		if (clen == 0 || (clen == 1 && comp[0] == '.') ||
		    (clen == 2 && comp[0] == '.' && comp[1] == '.'))
			return false;
		comp = slash != NULL ? slash + 1 : NULL;
	}
	return true;
}

bool
vfd_cgroup_below(const char *peer_path, const char *rule_path)
{
	size_t n = strlen(rule_path);

	if (peer_path[0] == '\0' || n == 0)
		return false;
	return strncmp(peer_path, rule_path, n) == 0 &&
	       (peer_path[n] == '\0' || peer_path[n] == '/');
}

/* ---- /proc/PID ---- */

/*
 * Read PROC/PID/NAME into @buf (NUL-terminated). *@gone when the process
 * has no such entry any more (exited, or never was).
 */
static int
vfd_peer_proc_read(const char *root, pid_t pid, const char *name, char *buf,
		   size_t size, bool *gone, struct vft_err *err)
{
	char path[PATH_MAX];
	size_t n = 0;
	ssize_t r = 0;
	int fd, len, e;

	len = snprintf(path, sizeof(path), "%s/%ld/%s", root, (long)pid, name);
	if (len < 0 || (size_t)len >= sizeof(path))
		return vft_err_set(err, -ENAMETOOLONG,
				   "proc root '%.64s...' is too long", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ESRCH)) {
		*gone = true;
		return 0;
	}
	if (fd < 0)
		return vft_err_set(err, -errno, "cannot open %s: %s", path,
				   strerror(errno));
	while (n < size - 1) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	e = r < 0 ? errno : 0;
	close(fd);
	buf[n] = '\0';
	if (e == ESRCH) {
		*gone = true;
		return 0;
	}
	if (e != 0)
		return vft_err_set(err, -e, "cannot read %s: %s", path,
				   strerror(e));
	if (n == size - 1)
		return vft_err_set(err, -EFBIG, "%s is larger than %zu bytes",
				   path, size - 1);
	return 0;
}

/* The value after "@key:" at the start of a line of @text, or NULL. */
static const char *
vfd_peer_status_field(const char *text, const char *key)
{
	size_t k = strlen(key);
	const char *s = text;

	while (s != NULL && *s != '\0') {
		if (strncmp(s, key, k) == 0 && s[k] == ':')
			return s + k + 1;
		s = strchr(s, '\n');
		if (s != NULL)
			s++;
	}
	return NULL;
}

/* One decimal id at *@s after blanks; advance *@s. @return 1, 0 at the end
 * of the line, -EINVAL. */
static int
vfd_peer_next_id(const char **s, unsigned long *id)
{
	const char *p = *s;
	unsigned long v = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\n' || *p == '\0')
		return 0;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 4294967295ul)
			return -EINVAL;
		p++;
	}
	if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\0')
		return -EINVAL;
	*s = p;
	*id = v;
	return 1;
}

/* The effective uid: the second of "Uid:\treal\teffective\tsaved\tfs". */
static int
vfd_peer_status_euid(const char *text, unsigned long *euid)
{
	const char *s = vfd_peer_status_field(text, "Uid");
	unsigned long real;

	if (s == NULL || vfd_peer_next_id(&s, &real) != 1 ||
	    vfd_peer_next_id(&s, euid) != 1)
		return -EINVAL;
	return 0;
}

static int
vfd_peer_status_groups(const char *text, struct vfd_peer *peer,
		       const char *path, struct vft_err *err)
{
	const char *s = vfd_peer_status_field(text, "Groups");
	unsigned long id;
	int rc;

	if (s == NULL)
		return vft_err_set(err, -EINVAL, "%s has no Groups: line",
				   path);
	while ((rc = vfd_peer_next_id(&s, &id)) == 1) {
		if (peer->n_groups == VFD_MAX_GROUPS)
			return vft_err_set(
				err, -E2BIG,
				"pid %ld has more than %u supplementary "
				"groups (%s): not deciding on part of "
				"them",
				(long)peer->pid, VFD_MAX_GROUPS, path);
		peer->groups[peer->n_groups++] = (gid_t)id;
	}
	if (rc < 0)
		return vft_err_set(err, -EINVAL, "%s: bad Groups: line", path);
	return 0;
}

/* Groups from PROC/PID/status, checking that the pid is still the peer. */
static int
vfd_peer_read_status(const char *root, struct vfd_peer *peer, bool *gone,
		     struct vft_err *err)
{
	char buf[PEER_PROC_MAX], path[PATH_MAX];
	unsigned long euid;
	int rc;

	rc = vfd_peer_proc_read(root, peer->pid, "status", buf, sizeof(buf),
				gone, err);
	if (rc != 0 || *gone)
		return rc;
	/* vfd_peer_proc_read() checked that the path fits */
	snprintf(path, sizeof(path), "%s/%ld/status", root, (long)peer->pid);
	if (vfd_peer_status_euid(buf, &euid) != 0)
		return vft_err_set(err, -EINVAL, "%s: no readable Uid: line",
				   path);
	/* SO_PEERCRED is from connect(); a pid reused since is not the peer */
	if (euid != (unsigned long)peer->uid)
		return vft_err_set(err, -ESRCH,
				   "pid %ld runs as uid %lu now, not the "
				   "connecting uid %lu (pid reused or "
				   "credentials changed)",
				   (long)peer->pid, euid,
				   (unsigned long)peer->uid);
	return vfd_peer_status_groups(buf, peer, path, err);
}

static int
vfd_peer_read_unit(const char *root, struct vfd_peer *peer, bool *gone,
		   struct vft_err *err)
{
	char buf[PEER_PROC_MAX];
	int rc;

	rc = vfd_peer_proc_read(root, peer->pid, "cgroup", buf, sizeof(buf),
				gone, err);
	if (rc != 0 || *gone)
		return rc;
	if (vfd_unit_from_cgroup(buf, peer->unit, sizeof(peer->unit)) != 0)
		return vft_err_set(err, -EINVAL,
				   "%s/%ld/cgroup is not \"ID:CONTROLLERS:"
				   "/PATH\" lines with one v2 line",
				   root, (long)peer->pid);
	if (vfd_cgroup_from_text(buf, peer->cgroup, sizeof(peer->cgroup)) != 0)
		return vft_err_set(err, -ENAMETOOLONG,
				   "%s/%ld/cgroup: the cgroup path is longer "
				   "than %u characters: not deciding on part "
				   "of it",
				   root, (long)peer->pid, VFD_CGROUP_LEN - 1);
	return 0;
}

int
vfd_peer_read(int fd, const char *proc_root, struct vfd_peer *peer,
	      struct vft_err *err)
{
	const char *root = proc_root != NULL ? proc_root : "/proc";
	struct ucred cr;
	socklen_t l = sizeof(cr);
	bool gone = false;
	int rc;

	if (peer == NULL)
		return vft_err_set(err, -EINVAL, "no place for the peer");
	memset(peer, 0, sizeof(*peer));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) != 0)
		return vft_err_set(err, -errno, "SO_PEERCRED on fd %d: %s", fd,
				   strerror(errno));
	if (l != sizeof(cr))
		return vft_err_set(
			err, -EPROTO,
			"SO_PEERCRED on fd %d gave %u bytes, not %zu", fd,
			(unsigned int)l, sizeof(cr));
	peer->uid = cr.uid;
	peer->gid = cr.gid;
	peer->pid = cr.pid;
	/* pid 0: the peer is in a pid namespace this one cannot see into */
	if (cr.pid <= 0)
		return 0;
	rc = vfd_peer_read_status(root, peer, &gone, err);
	if (rc == 0 && !gone)
		rc = vfd_peer_read_unit(root, peer, &gone, err);
	if (rc != 0 || gone) {
		peer->n_groups = 0;
		peer->unit[0] = '\0';
		peer->cgroup[0] = '\0';
	}
	return rc;
}

/* The cgroup is worth showing: it is not "/" nor its unit's own path
 * (".../foo.service" of unit foo.service). */
static bool
vfd_peer_cgroup_shown(const struct vfd_peer *peer)
{
	size_t n = strnlen(peer->cgroup, VFD_CGROUP_LEN);
	size_t u = strnlen(peer->unit, VFD_UNIT_LEN);

	if (n <= 1)
		return false;
	return u == 0 || u == VFD_UNIT_LEN || n <= u ||
	       peer->cgroup[n - u - 1] != '/' ||
	       memcmp(peer->cgroup + n - u, peer->unit, u) != 0;
}

void
vfd_peer_format(const struct vfd_peer *peer, char *buf, size_t len)
{
	char unit[VFD_UNIT_LEN], cg[VFD_CGROUP_LEN];
	size_t i;

	if (buf == NULL || len == 0)
		return;
	if (peer == NULL) {
		snprintf(buf, len, "peer=-");
		return;
	}
	/* The unit came from a path a client may name: show only unit chars */
	for (i = 0; i < VFD_UNIT_LEN - 1 && peer->unit[i] != '\0'; i++)
		unit[i] =
			vfd_peer_unit_char(peer->unit[i]) ? peer->unit[i] : '?';
	unit[i] = '\0';
	/* The same for the cgroup's path: printable, no blank */
	for (i = 0; i < VFD_CGROUP_LEN - 1 && peer->cgroup[i] != '\0'; i++)
		cg[i] = (peer->cgroup[i] > ' ' && peer->cgroup[i] <= '~')
				? peer->cgroup[i]
				: '?';
	cg[i] = '\0';
	snprintf(buf, len, "uid=%lu gid=%lu pid=%ld unit=%s%s%s",
		 (unsigned long)peer->uid, (unsigned long)peer->gid,
		 (long)peer->pid, unit[0] != '\0' ? unit : "-",
		 vfd_peer_cgroup_shown(peer) ? " cgroup=" : "",
		 vfd_peer_cgroup_shown(peer) ? cg : "");
}

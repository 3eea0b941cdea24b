/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * vftokend: the VF token broker (doc/guides/broker.rst). Listens on a unix
 * socket (its own, or the one systemd passes: vftokend.socket), serves one
 * request at a time, and never forks. SIGHUP reloads the policy, SIGTERM
 * and SIGINT end it.
 */

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "app_opts.h"
#include "vftokend.h"

#ifndef VFTOKEN_VERSION
#define VFTOKEN_VERSION "unknown"
#endif

#define VFD_DEFAULT_POLICY "/etc/vftoken/broker.policy"
#define VFD_DEFAULT_TOKEN_DIR "/etc/vftoken"
/* systemd's first passed fd (sd_listen_fds(3)). */
#define VFD_LISTEN_FDS_START 3

static void
vfd_usage(FILE *f)
{
	fprintf(f,
		"Usage: vftokend [OPTIONS]\n"
		"The VF token broker: opens VFIO devices with their VF token "
		"for the\nprocesses its policy allows and hands them the "
		"opened fds.\n\n"
		"  --socket PATH       listen on PATH (default %s;\n"
		"                      ignored when systemd passes the "
		"socket)\n"
		"  --socket-mode MODE  octal mode of the socket (default 0666: "
		"the\n                      policy decides who gets what)\n"
		"  --policy FILE       the policy (default %s)\n"
		"  --token-dir DIR     PF tokens as DIR/PF.token (default %s;\n"
		"                      a directory of root's that only root "
		"may\n                      write in, or the broker does not "
		"start)\n"
		"  --token-secret      DIR is a Kubernetes Secret volume: "
		"PF.token\n                      as kubelet lays it out "
		"(KEY -> ..data/KEY),\n                      root's, mode "
		"0400, "
		"0440 or 0644; no rotation\n"
		"  --check-policy FILE check FILE as the broker would load it: "
		"print\n                      every bad line as FILE:LINE: "
		"why, and nothing\n                      else; exit 0 if "
		"clean, 1 if not\n"
		"  --foreground        accepted; vftokend never forks\n"
		"  -h, --help          this text\n"
		"  --version           print the version\n"
		"\nSignals:\n"
		"  SIGHUP              reload the policy (systemctl reload "
		"vftokend);\n                      a policy with a bad line "
		"is refused and the\n                      previous one "
		"kept\n"
		"  SIGTERM, SIGINT     stop\n"
		"\nPolicy:\n"
		"  allow|deny WHO... action=ACTION TARGET\n"
		"                      one rule a line, '#' comments; WHO: "
		"uid=, user=,\n                      gid=, group=, unit= "
		"(comma lists), cgroup=PATH\n                      (that "
		"cgroup v2 path or below: a container's\n                      "
		"parent) or anyone;\n                      ACTION: "
		"open, rotate, any; TARGET: dev=ADDR,\n                      "
		"dev=*, pf=ADDR or pf=ADDR vf=LIST. The first rule\n"
		"                      that matches decides, none: deny. The "
		"full syntax:\n                      the broker guide, "
		"section \"The policy file\"\n"
		"\nLog:\n"
		"  priorities          under journald (JOURNAL_STREAM) each "
		"line starts\n                      with <3> err, <4> "
		"warning (refusals, malformed\n                      "
		"requests), "
		"<5> notice (start, policy loads),\n                      <6> "
		"info (opens): journalctl -u vftokend -p warning\n"
		"\nsystemd:\n"
		"  Type=notify         READY=1 once it serves; WATCHDOG=1 at "
		"half of\n                      WatchdogSec=, each with "
		"STATUS= and the counters\n"
		"\nFiles:\n"
		"  %s\n                      the policy\n"
		"  %s/PF.token\n                      the token of each PF "
		"(0600, root's)\n"
		"  %s\n                      the socket clients connect "
		"to\n"
		"\nExit status:\n"
		"   0  ok        stopped by SIGTERM or SIGINT; --help, "
		"--version; clean policy\n"
		"   1  failure   start or loop failed; --check-policy: a bad "
		"line\n"
		"   2  usage     bad command line\n",
		VFT_BROKER_DEFAULT_SOCKET, VFD_DEFAULT_POLICY,
		VFD_DEFAULT_TOKEN_DIR, VFD_DEFAULT_POLICY,
		VFD_DEFAULT_TOKEN_DIR, VFT_BROKER_DEFAULT_SOCKET);
}

enum {
	OPT_SOCKET = 256,
	OPT_MODE,
	OPT_POLICY,
	OPT_TOKENS,
	OPT_FG,
	OPT_VER,
	OPT_CHECK,
	OPT_SECRET,
};

/* --check-policy FILE: the file to check instead of serving. */
static const char *vfd_check_path;

static const struct option vfd_opts[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "socket-mode", required_argument, NULL, OPT_MODE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "token-dir", required_argument, NULL, OPT_TOKENS },
	{ "token-secret", no_argument, NULL, OPT_SECRET },
	{ "foreground", no_argument, NULL, OPT_FG },
	{ "check-policy", required_argument, NULL, OPT_CHECK },
	{ "version", no_argument, NULL, OPT_VER },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* 1: exit 0 (help, version); 2: bad option. */
static int
vfd_opt(void *ctx, int c, const char *name, char *arg)
{
	struct vfd *b = ctx;
	char *end;
	long m;

	(void)name;
	switch (c) {
	case OPT_SOCKET:
		b->socket_path = arg;
		return 0;
	case OPT_MODE:
		m = strtol(arg, &end, 8);
		if (*arg == '\0' || *end != '\0' || m < 0 || m > 0777) {
			fprintf(stderr,
				"vftokend: --socket-mode '%s': expected an "
				"octal mode 0 to 0777\n",
				arg);
			return 2;
		}
		b->socket_mode = (unsigned int)m;
		return 0;
	case OPT_POLICY:
		b->policy_path = arg;
		return 0;
	case OPT_TOKENS:
		b->token_dir = arg;
		return 0;
	case OPT_SECRET:
		b->token_secret = true;
		return 0;
	case OPT_FG:
		return 0;
	case OPT_CHECK:
		vfd_check_path = arg;
		return 0;
	case OPT_VER:
		printf("vftokend %s\n", VFTOKEN_VERSION);
		return 1;
	case 'h':
		vfd_usage(stdout);
		return 1;
	default:
		vfd_usage(stderr);
		return 2;
	}
}

/* ---- the socket --------------------------------------------------------- */

/* The socket systemd passed (LISTEN_PID is us, LISTEN_FDS at least 1). */
static int
vfd_socket_passed(void)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");

	if (pid == NULL || n == NULL || atol(pid) != (long)getpid() ||
	    atol(n) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return VFD_LISTEN_FDS_START;
}

/* Remove a stale socket left by a broker that died, never anything else. */
static int
vfd_socket_unlink_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		vfd_log(VFD_ERR,
			"%s exists and is not a socket: not touching it", path);
		return -EEXIST;
	}
	return unlink(path) < 0 ? -errno : 0;
}

/* The socket's directory: made if missing (0755), and in any case a real
 * directory of root's (or the broker's uid) that nobody else may write in
 * (unless sticky, as /run and /tmp are): whoever could write there could
 * put a socket of its own in the broker's place. */
static int
vfd_socket_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0755) < 0 && errno != EEXIST) {
		vfd_log(VFD_ERR, "cannot create %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (lstat(dir, &st) < 0) {
		vfd_log(VFD_ERR, "cannot read %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
		vfd_log(VFD_ERR,
			"the socket's directory %s is %s: expected a directory "
			"of root's that only root may write in (or sticky)",
			dir,
			!S_ISDIR(st.st_mode) ? "not a directory"
			: (st.st_uid != 0 && st.st_uid != geteuid())
				? "owned by another user"
				: "writable by others");
		return -EPERM;
	}
	return 0;
}

/* Bind with the socket's mode already on the node the bind makes
 * (unix_bind_bsd() takes the socket inode's mode less the umask): no chmod
 * by path after it, which a symbolic link put there could redirect. */
static int
vfd_socket_bind(int fd, const struct sockaddr_un *sa, unsigned int mode)
{
	mode_t old;
	int ret = 0;

	if (fchmod(fd, mode) < 0)
		return -errno;
	old = umask(0);
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		ret = -errno;
	umask(old);
	return ret;
}

static int
vfd_socket_make(struct vfd *b)
{
	struct sockaddr_un sa;
	int fd, ret;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(b->socket_path) >= sizeof(sa.sun_path)) {
		vfd_log(VFD_ERR, "--socket %s: longer than %zu characters",
			b->socket_path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, b->socket_path);
	ret = vfd_socket_dir(b->socket_path);
	if (ret == 0)
		ret = vfd_socket_unlink_stale(b->socket_path);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = vfd_socket_bind(fd, &sa, b->socket_mode);
	if (ret == 0 && listen(fd, 16) < 0)
		ret = -errno;
	if (ret < 0) {
		vfd_log(VFD_ERR, "cannot listen on %s: %s", b->socket_path,
			strerror(-ret));
		close(fd);
		return ret;
	}
	b->socket_made = true;
	return fd;
}

/* Close every fd inherited from whoever started the broker, but the
 * standard ones and systemd's socket (below @p keep): a client must not
 * find a file of the broker's parent reachable through the broker. */
static void
vfd_close_inherited(int keep)
{
	int fd;

	if (syscall(SYS_close_range, (unsigned int)keep, ~0u, 0) == 0)
		return;
	for (fd = keep; fd < 1024; fd++)
		close(fd);
}

/* Send @p msg to systemd's notification socket, if there is one
 * (sd_notify(3): a datagram to NOTIFY_SOCKET, "@" an abstract name). */
static void
vfd_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			  strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
}

/* "STATUS=..." with the counters, for systemctl status. */
static void
vfd_notify_status(struct vfd *b, const char *first)
{
	const struct vfd_stats *s = &b->stats;
	char msg[384];

	snprintf(msg, sizeof(msg),
		 "%sSTATUS=opens %llu, refusals %llu, rotations %llu, "
		 "malformed %llu, connections refused %llu, fds to the closer "
		 "%llu",
		 first, s->opens, s->refusals, s->rotations, s->malformed,
		 s->caps_refused, s->closer_fds);
	vfd_notify(msg);
}

/* Tell systemd (Type=notify) that the broker serves. */
static void
vfd_notify_ready(struct vfd *b)
{
	vfd_notify_status(b, "READY=1\n");
}

/* sd_watchdog_enabled(3): WATCHDOG_USEC is the interval, WATCHDOG_PID (if
 * set) the process it is for. The broker pings at half the interval. */
static void
vfd_watchdog_init(struct vfd *b)
{
	const char *usec = getenv("WATCHDOG_USEC"),
		   *pid = getenv("WATCHDOG_PID");
	unsigned long long us;
	char *end;

	b->watchdog_ms = 0;
	if (usec == NULL)
		return;
	if (pid != NULL && atol(pid) != (long)getpid())
		return;
	errno = 0;
	us = strtoull(usec, &end, 10);
	if (errno != 0 || *usec == '\0' || *end != '\0' || us == 0) {
		vfd_log(VFD_WARNING,
			"WATCHDOG_USEC '%s': expected a number of "
			"microseconds above 0; no watchdog pings",
			usec);
		return;
	}
	b->watchdog_ms = us / 2000 > 0 ? us / 2000 : 1;
	clock_gettime(CLOCK_MONOTONIC, &b->watchdog_last);
	vfd_log(VFD_INFO, "watchdog: a ping every %llu ms", b->watchdog_ms);
}

static long long
vfd_ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t->tv_sec) * 1000 +
	       (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* WATCHDOG=1 (with the counters) when half the interval has passed; the
 * loop wakes at least that often. */
static void
vfd_watchdog(struct vfd *b)
{
	if (b->watchdog_ms == 0 ||
	    vfd_ms_since(&b->watchdog_last) < (long long)b->watchdog_ms)
		return;
	clock_gettime(CLOCK_MONOTONIC, &b->watchdog_last);
	vfd_notify_status(b, "WATCHDOG=1\n");
}

/* ---- the token directory ------------------------------------------------- */

/* The token dir must exist, be a directory of root's (or the broker's
 * own uid) and be writable by nobody else: whoever could write in it could
 * put a token file there, or read a rotated one as it is written. */
static int
vfd_token_dir_check(const char *dir, bool secret)
{
	struct stat st;
	uid_t me = geteuid();

	if (stat(dir, &st) < 0) {
		vfd_log(VFD_ERR,
			"--token-dir %s: %s: expected the directory of the "
			"PF token files (PF.token)",
			dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		vfd_log(VFD_ERR,
			"--token-dir %s is not a directory: expected the "
			"directory of the PF token files",
			dir);
		return -1;
	}
	/* A Secret volume is a tmpfs of mode 1777 (or 0755): sticky, so
	 * nobody may replace root's entries (vft_token_from_secret() checks
	 * each of them at every read). */
	if ((st.st_uid != 0 && st.st_uid != me) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
	     !(secret && (st.st_mode & S_ISVTX)))) {
		vfd_log(VFD_ERR,
			"--token-dir %s is owned by uid %lu with mode %04o: "
			"expected a directory of root's (uid 0%s) that group "
			"and others may not write in (e.g. 0755 or 0700)",
			dir, (unsigned long)st.st_uid,
			(unsigned int)(st.st_mode & 07777),
			me != 0 ? " or the broker's own uid" : "");
		return -1;
	}
	return 0;
}

/* ---- --check-policy ------------------------------------------------------ */

static void
vfd_check_report(void *ctx, const struct vft_err *err)
{
	(void)ctx;
	fprintf(stderr, "%s\n", err->msg);
}

/* Every bad line of @p path, nothing else: 0 clean, 1 not. */
static int
vfd_check_policy(const char *path)
{
	int n = vfd_policy_check_file(path, vfd_check_report, NULL);

	if (n < 0)
		fprintf(stderr, "%s: could not be checked: %s\n", path,
			strerror(-n));
	return n == 0 ? 0 : 1;
}

/* ---- policy ------------------------------------------------------------- */

static int
vfd_policy_install(struct vfd *b)
{
	struct vfd_policy *p = NULL;
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vfd_policy_load(b->policy_path, &p, &err);
	if (ret < 0) {
		vfd_log(VFD_ERR, "policy %s: %s%s", b->policy_path, err.msg,
			b->policy != NULL ? " (keeping the previous one)" : "");
		return ret;
	}
	vfd_policy_free(b->policy);
	b->policy = p;
	vfd_log(VFD_NOTICE, "policy %s: %u rules", b->policy_path,
		vfd_policy_rules(p));
	return 0;
}

/* ---- the loop ----------------------------------------------------------- */

static int
vfd_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void
vfd_on_signal(struct vfd *b)
{
	struct signalfd_siginfo si;

	while (read(b->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			vfd_log(VFD_NOTICE, "SIGHUP: reloading the policy");
			vfd_policy_install(b);
		} else {
			vfd_log(VFD_NOTICE, "signal %u: exiting", si.ssi_signo);
			b->stop = true;
		}
	}
}

static void
vfd_accept(struct vfd *b)
{
	struct vfd_client *c = NULL;
	struct vft_err err;
	unsigned int i;
	int fd;

	fd = accept4(b->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < VFD_MAX_CLIENTS && c == NULL; i++)
		if (b->clients[i].fd < 0)
			c = &b->clients[i];
	if (c == NULL) {
		b->stats.caps_refused++;
		vfd_log(VFD_WARNING,
			"%u clients connected already: connection refused",
			VFD_MAX_CLIENTS);
		close(fd);
		return;
	}
	vft_err_clear(&err);
	if (vfd_peer_read(fd, "/proc", &c->peer, &err) < 0) {
		vfd_log(VFD_WARNING,
			"a client's credentials cannot be read (%s): "
			"connection refused",
			err.msg);
		close(fd);
		return;
	}
	/* Not yet in the table (fd -1): vfd_admit() counts the others. */
	if (!vfd_admit(b, c)) {
		close(fd);
		return;
	}
	c->fd = fd;
	clock_gettime(CLOCK_MONOTONIC, &c->since);
}

/* Drop the clients that had nothing served for VFD_CLIENT_IDLE_S. */
static void
vfd_drop_idle(struct vfd *b)
{
	struct timespec now;
	char who[VFD_PEER_FMT_LEN];
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < VFD_MAX_CLIENTS; i++) {
		struct vfd_client *c = &b->clients[i];

		if (c->fd < 0 ||
		    now.tv_sec - c->since.tv_sec < VFD_CLIENT_IDLE_S)
			continue;
		if (c->refusals == 0 || vfd_log_refusal(b, c->peer.uid)) {
			vfd_peer_format(&c->peer, who, sizeof(who));
			vfd_log(c->refusals ? VFD_WARNING : VFD_INFO,
				"%s: no request for %d s: connection closed",
				who, VFD_CLIENT_IDLE_S);
		}
		vfd_client_close(c);
	}
	vfd_log_flush(b);
}

/* The poll set: signals, the socket, clients, then PF references. */
static unsigned int
vfd_poll_fill(struct vfd *b, struct pollfd *p, void **who)
{
	unsigned int i, n = 0;

	p[n] = (struct pollfd){ .fd = b->sig_fd, .events = POLLIN };
	who[n++] = NULL;
	p[n] = (struct pollfd){ .fd = b->listen_fd, .events = POLLIN };
	who[n++] = NULL;
	for (i = 0; i < VFD_MAX_CLIENTS; i++) {
		if (b->clients[i].fd < 0)
			continue;
		p[n] = (struct pollfd){ .fd = b->clients[i].fd,
					.events = POLLIN };
		who[n++] = &b->clients[i];
	}
	for (i = 0; i < VFD_MAX_PF_REFS; i++) {
		if (b->refs[i].fd < 0)
			continue;
		p[n] = (struct pollfd){ .fd = b->refs[i].pidfd,
					.events = POLLIN };
		who[n++] = &b->refs[i];
	}
	return n;
}

static int
vfd_loop(struct vfd *b)
{
	struct pollfd p[2 + VFD_MAX_CLIENTS + VFD_MAX_PF_REFS];
	void *who[2 + VFD_MAX_CLIENTS + VFD_MAX_PF_REFS];
	int wait = b->watchdog_ms > 0 && b->watchdog_ms < 1000
			   ? (int)b->watchdog_ms
			   : 1000;

	while (!b->stop) {
		unsigned int i, n = vfd_poll_fill(b, p, who);

		vfd_watchdog(b);
		if (poll(p, n, wait) < 0) {
			if (errno == EINTR)
				continue;
			vfd_log(VFD_ERR, "poll: %s", strerror(errno));
			return 1;
		}
		if (p[0].revents)
			vfd_on_signal(b);
		if (p[1].revents & POLLIN)
			vfd_accept(b);
		for (i = 2; i < n; i++) {
			if (p[i].revents == 0)
				continue;
			if ((char *)who[i] >= (char *)b->refs &&
			    (char *)who[i] <
				    (char *)(b->refs + VFD_MAX_PF_REFS))
				vfd_ref_release(b, who[i], "its client exited");
			else
				vfd_serve(b, who[i]);
		}
		vfd_drop_idle(b);
	}
	return 0;
}

static void
vfd_cleanup(struct vfd *b)
{
	unsigned int i;

	for (i = 0; i < VFD_MAX_CLIENTS; i++)
		vfd_client_close(&b->clients[i]);
	vfd_refs_close(b);
	if (b->listen_fd >= 0)
		close(b->listen_fd);
	if (b->socket_made)
		unlink(b->socket_path);
	vfd_policy_free(b->policy);
}

int
main(int argc, char **argv)
{
	static struct vfd b;
	unsigned int i;
	int ret;

	b.socket_path = VFT_BROKER_DEFAULT_SOCKET;
	b.policy_path = VFD_DEFAULT_POLICY;
	b.token_dir = VFD_DEFAULT_TOKEN_DIR;
	b.socket_mode = 0666;
	b.listen_fd = -1;
	b.closer_fd = -1;
	for (i = 0; i < VFD_MAX_CLIENTS; i++) {
		b.clients[i].fd = -1;
		b.clients[i].pidfd = -1;
	}
	vfd_refs_init(&b);
	ret = app_getopt(argc, argv, vfd_opts, false, vfd_opt, &b);
	if (ret != 0)
		return ret == 1 ? 0 : 2;
	if (optind < argc) {
		fprintf(stderr, "vftokend: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (vfd_check_path != NULL)
		return vfd_check_policy(vfd_check_path);
	vfd_log_init();
	clock_gettime(CLOCK_MONOTONIC, &b.started);
	b.listen_fd = vfd_socket_passed();
	vfd_close_inherited(b.listen_fd >= 0 ? b.listen_fd + 1
					     : VFD_LISTEN_FDS_START);
	vft_sys_init(&b.sys, NULL);
	if (vfd_token_dir_check(b.token_dir, b.token_secret) < 0 ||
	    vfd_policy_install(&b) < 0) {
		if (b.listen_fd >= 0)
			close(b.listen_fd);
		return 1;
	}
	b.sig_fd = vfd_signals();
	if (b.listen_fd < 0)
		b.listen_fd = vfd_socket_make(&b);
	if (b.sig_fd >= 0 && b.listen_fd >= 0 && vfd_closer_start(&b) < 0) {
		vfd_log(VFD_ERR, "cannot start the closer: %s",
			strerror(errno));
		close(b.sig_fd);
		b.sig_fd = -1;
	}
	if (b.sig_fd < 0 || b.listen_fd < 0) {
		vfd_cleanup(&b);
		return 1;
	}
	vfd_log(VFD_NOTICE, "vftokend %s: listening on %s%s, tokens in %s",
		VFTOKEN_VERSION, b.socket_made ? b.socket_path : "the socket",
		b.socket_made ? "" : " passed by systemd", b.token_dir);
	vfd_watchdog_init(&b);
	vfd_notify_ready(&b);
	ret = vfd_loop(&b);
	vfd_cleanup(&b);
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The attacker's side of the broker's attack tests (tests/broker/
 * broker_test.sh; doc/guides/broker.rst, "How the attacks are tested").
 *
 *   broker_attack sysfs
 *       make a fake sysfs tree (tests/unit/fake_sysfs.c) with PF
 *       0000:01:00.0 (group 7) and its VF 0 0000:01:10.0 (group 8), both
 *       bound to vfio-pci; print its root.
 *   broker_attack client SOCK ADDR [OPTIONS]
 *       an ordinary client: send open requests for ADDR, print each reply
 *       (--fresh: each on a new connection). With --many, ADDR is a
 *       comma-separated list sent as one open-many request (its count
 *       field --many-count N if given: a lie), every reply printed.
 *   broker_attack fuse SOCK ADDR MNTDIR [OPTIONS]
 *       a raw FUSE server (no libfuse) serving one file, MNTDIR/f, and a
 *       client (a child process) that sends that file to the broker as
 *       its container (--as ctx) or group fd (--as group).
 *   broker_attack notify PATH
 *       systemd's end of sd_notify(3): a datagram socket bound at PATH,
 *       each message printed (vftokend's READY=1, WATCHDOG=1, STATUS=).
 *
 * The FUSE server is unprivileged: it makes its own user and mount
 * namespace and mounts there (any local user may; /dev/fuse is 0666),
 * or, with --root-mount UID:GID, it is root only to mount(2) with
 * allow_other in the caller's mount namespace and then becomes UID:GID
 * for good, as fusermount3 does for a user when /etc/fuse.conf says
 * user_allow_other. Only the second reaches the broker's ioctls: the
 * kernel forwards an ioctl of another user only on an allow_other mount
 * in an ancestor user namespace (fs/fuse/ioctl.c fuse_ioctl_common(),
 * fs/fuse/dir.c fuse_allow_current_process()); FLUSH is sent on every
 * close() whoever closes (fs/fuse/file.c fuse_flush()).
 *
 * Modes (--mode): "flush" never answers a FLUSH that does not come from
 * our own client (the broker's close() then waits for ever: a FLUSH is a
 * forced request, fs/fuse/dev.c request_wait_answer()); "ioctl" answers
 * every FUSE_IOCTL with --result N. The server and the client are two
 * processes, not threads: killing either never leaves a FLUSH unanswered
 * by a live /dev/fuse (the client holds no /dev/fuse fd, so killing the
 * server aborts the connection and frees whoever waits).
 *
 * Every reply is printed as one line:
 *   reply seq=S error=E verdict=V fds=N fdmask=M
 *   reason: ...
 *   fix: ...
 * or "noreply seq=S: WHY" when none came within --timeout seconds.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/fuse.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_sysfs.h"
#include "vft_broker.h"

#define BA_PF "0000:01:00.0"
#define BA_VF "0000:01:10.0"
#define BA_PF_GROUP 7
#define BA_VF_GROUP 8
#define BA_FILE_INO 2
#define BA_BUF (FUSE_MIN_READ_BUFFER + 65536)

struct ba_opts {
	const char *sock;
	const char *addr;
	const char *ctx_path;	/* client: send this file as the context */
	const char *group_path; /* client: send this file as the group */
	const char *raw_addr;	/* client: addr bytes, C escapes allowed */
	unsigned int count;	/* requests per connection */
	unsigned int conns;	/* connections (client) */
	unsigned int interval_ms;
	unsigned int hold_s;	/* stay connected this long after the last */
	unsigned int timeout_s; /* wait at most this for a reply */
	int group_id;
	bool quiet;
	bool fresh;	 /* client: each request on a connection of its own */
	bool many;	 /* ADDR lists several functions: one open-many */
	long many_count; /* the open-many's count field, -1: the truth */
	/* fuse */
	const char *mnt;
	const char *mode; /* "flush" or "ioctl" */
	const char *as;	  /* "ctx" or "group" */
	long result;
	bool root_mount;
	uid_t uid;
	gid_t gid;
};

static void __attribute__((noreturn)) ba_die(const char *what)
{
	fprintf(stderr, "broker_attack: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* ---- the client ---------------------------------------------------------- */

static int
ba_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* Decode \n, \e, \033, \\ and \xHH of @p s into @p out (raw client
 * bytes for a malformed addr field). */
static void
ba_unescape(const char *s, char *out, size_t len)
{
	size_t n = 0;

	while (*s != '\0' && n < len) {
		if (*s != '\\' || s[1] == '\0') {
			out[n++] = *s++;
			continue;
		}
		s++;
		if (*s == 'n') {
			out[n++] = '\n';
			s++;
		} else if (*s == 'e') {
			out[n++] = '\033';
			s++;
		} else if (*s == 'x') {
			out[n++] = (char)strtol(s + 1, (char **)&s, 16);
		} else if (*s >= '0' && *s <= '7') {
			out[n++] = (char)strtol(s, (char **)&s, 8);
		} else {
			out[n++] = *s++;
		}
	}
}

static void
ba_request(const struct ba_opts *o, struct vft_broker_open_req *req,
	   uint32_t seq, int ctx_fd, int group_fd)
{
	memset(req, 0, sizeof(*req));
	vft_broker_hdr_init(&req->h, VFT_BROKER_OPEN, sizeof(*req), seq);
	if (o->raw_addr != NULL)
		ba_unescape(o->raw_addr, req->addr, sizeof(req->addr));
	else
		snprintf(req->addr, sizeof(req->addr), "%s", o->addr);
	req->path = VFT_PATH_GROUP;
	req->group_id = -1;
	if (ctx_fd >= 0)
		req->flags |= VFT_BROKER_HAVE_CTX;
	if (group_fd >= 0) {
		req->flags |= VFT_BROKER_HAVE_GROUP;
		req->group_id = o->group_id;
	}
}

/* The open-many request for the list o->addr, each name in its slot. */
static void
ba_many_request(const struct ba_opts *o, struct vft_broker_open_many_req *req,
		uint32_t seq, int ctx_fd)
{
	const char *a = o->addr;
	unsigned int n = 0;

	memset(req, 0, sizeof(*req));
	vft_broker_hdr_init(&req->h, VFT_BROKER_OPEN_MANY, sizeof(*req), seq);
	while (*a != '\0' && n < VFT_BROKER_MANY_MAX) {
		size_t len = strcspn(a, ",");

		snprintf(req->addr[n++], sizeof(req->addr[0]), "%.*s", (int)len,
			 a);
		a += len + (a[len] == ',');
	}
	req->count = o->many_count >= 0 ? (uint32_t)o->many_count : n;
	req->path = VFT_PATH_GROUP;
	if (ctx_fd >= 0)
		req->flags |= VFT_BROKER_HAVE_CTX;
}

/*
 * Wait for one reply on @p sock and take it into @p rep, its fds into @p fds
 * (*@p nfds of them). @return 0 when it came; 1 after printing "noreply".
 */
static int
ba_reply_recv(const struct ba_opts *o, int sock, uint32_t seq,
	      struct vft_broker_open_rep *rep, int *fds, unsigned int *nfds)
{
	char buf[VFT_BROKER_MSG_MAX] __attribute__((aligned(8)));
	struct pollfd p = { .fd = sock, .events = POLLIN };
	ssize_t len;

	*nfds = 0;
	if (poll(&p, 1, (int)o->timeout_s * 1000) <= 0) {
		printf("noreply seq=%u: none within %u s\n", seq, o->timeout_s);
		return 1;
	}
	len = vft_broker_recv(sock, buf, sizeof(buf), fds, nfds);
	if (len <= 0) {
		printf("noreply seq=%u: %s\n", seq,
		       len == 0 ? "the broker closed the connection"
				: strerror((int)-len));
		return 1;
	}
	memset(rep, 0, sizeof(*rep));
	memcpy(rep, buf,
	       (size_t)len < sizeof(*rep) ? (size_t)len : sizeof(*rep));
	rep->reason[sizeof(rep->reason) - 1] = '\0';
	rep->fix[sizeof(rep->fix) - 1] = '\0';
	return 0;
}

/* Wait for one reply on @p sock and print it. @return 0 when it came. */
static int
ba_reply_print(const struct ba_opts *o, int sock, uint32_t seq)
{
	struct vft_broker_open_rep rep;
	int fds[VFT_BROKER_MAX_FDS];
	unsigned int nfds = 0;

	if (ba_reply_recv(o, sock, seq, &rep, fds, &nfds) != 0)
		return 1;
	printf("reply seq=%u op=%u error=%d verdict=%u fds=%u fdmask=%u\n"
	       "reason: %s\nfix: %s\n",
	       rep.h.seq, rep.h.op, rep.error, rep.verdict, nfds, rep.fds,
	       rep.reason, rep.fix);
	fflush(stdout);
	vft_broker_close_fds(fds, nfds);
	return 0;
}

/* Send one open-many on @p sock and print each of its replies. @return 0
 * when every reply came. */
static int
ba_many_once(const struct ba_opts *o, int sock, uint32_t seq, int ctx_fd)
{
	struct vft_broker_open_many_req req;
	unsigned int i, n;
	int ret;

	ba_many_request(o, &req, seq, ctx_fd);
	ret = vft_broker_send(sock, &req, sizeof(req), &ctx_fd,
			      ctx_fd >= 0 ? 1 : 0);
	if (ret < 0) {
		printf("noreply seq=%u: send: %s\n", seq, strerror(-ret));
		return 1;
	}
	/* a count that is a lie gets no reply: wait for one */
	n = req.count == 0 || req.count > VFT_BROKER_MANY_MAX ? 1 : req.count;
	for (i = 0; i < n; i++)
		if (ba_reply_print(o, sock, seq + i) != 0)
			return 1;
	return 0;
}

/* Send one open on @p sock and print its reply. @return 0 when a reply
 * came, 1 when none did. */
static int
ba_open_once(const struct ba_opts *o, int sock, uint32_t seq, int ctx_fd,
	     int group_fd)
{
	struct vft_broker_open_rep rep;
	struct vft_broker_open_req req;
	int fds[VFT_BROKER_MAX_FDS], sfds[2];
	unsigned int nfds = 0, n = 0;
	int ret;

	if (o->many)
		return ba_many_once(o, sock, seq, ctx_fd);
	ba_request(o, &req, seq, ctx_fd, group_fd);
	if (ctx_fd >= 0)
		sfds[n++] = ctx_fd;
	if (group_fd >= 0)
		sfds[n++] = group_fd;
	ret = vft_broker_send(sock, &req, sizeof(req), sfds, n);
	if (ret < 0) {
		printf("noreply seq=%u: send: %s\n", seq, strerror(-ret));
		return 1;
	}
	if (ba_reply_recv(o, sock, seq, &rep, fds, &nfds) != 0)
		return 1;
	if (!o->quiet || nfds > 0 || rep.error >= 0)
		printf("reply seq=%u error=%d verdict=%u fds=%u fdmask=%u\n"
		       "reason: %s\nfix: %s\n",
		       rep.h.seq, rep.error, rep.verdict, nfds, rep.fds,
		       rep.reason, rep.fix);
	else
		printf("reply seq=%u error=%d fds=0\n", rep.h.seq, rep.error);
	fflush(stdout);
	vft_broker_close_fds(fds, nfds);
	return 0;
}

static void
ba_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* @p conns connections, each sending @p count opens, @p interval_ms
 * apart (round robin over the connections). Exit 0 when every request
 * got a reply. */
static int
ba_client(const struct ba_opts *o)
{
	int *socks = calloc(o->conns, sizeof(int));
	int ctx = -1, group = -1, failed = 0;
	unsigned int c, i, connected = 0;

	if (socks == NULL)
		ba_die("calloc");
	if (o->ctx_path != NULL && (ctx = open(o->ctx_path, O_RDONLY)) < 0)
		ba_die(o->ctx_path);
	if (o->group_path != NULL &&
	    (group = open(o->group_path, O_RDONLY)) < 0)
		ba_die(o->group_path);
	for (c = 0; c < o->conns; c++) {
		socks[c] = ba_connect(o->sock);
		if (socks[c] < 0) {
			printf("noconnect %u: %s\n", c, strerror(-socks[c]));
			failed = 1;
		} else {
			connected++;
		}
	}
	printf("connected %u of %u\n", connected, o->conns);
	fflush(stdout);
	for (i = 0; i < o->count; i++) {
		for (c = 0; c < o->conns && o->fresh && i > 0; c++) {
			if (socks[c] >= 0)
				close(socks[c]);
			socks[c] = ba_connect(o->sock);
		}
		for (c = 0; c < o->conns; c++)
			if (socks[c] >= 0 &&
			    ba_open_once(o, socks[c], i + 1, ctx, group) != 0)
				failed = 1;
		if (i + 1 < o->count && o->interval_ms > 0)
			ba_sleep_ms(o->interval_ms);
	}
	if (o->hold_s > 0)
		ba_sleep_ms(o->hold_s * 1000);
	for (c = 0; c < o->conns; c++)
		if (socks[c] >= 0)
			close(socks[c]);
	free(socks);
	return failed;
}

/* ---- the FUSE server ----------------------------------------------------- */

static void
ba_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ba_die(path);
	close(fd);
}

/* Our own user and mount namespace, where we are root (uid 0 maps to our
 * uid): user_namespaces(7). */
static void
ba_userns(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		ba_die("unshare(CLONE_NEWUSER | CLONE_NEWNS)");
	ba_write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	ba_write_file("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	ba_write_file("/proc/self/gid_map", map);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		ba_die("mount --make-rprivate /");
}

static int
ba_mount(const struct ba_opts *o)
{
	char opts[128];
	int fd;

	if (!o->root_mount)
		ba_userns();
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		ba_die("/dev/fuse");
	if (o->root_mount)
		snprintf(opts, sizeof(opts),
			 "fd=%d,rootmode=40000,user_id=%u,group_id=%u,"
			 "allow_other",
			 fd, (unsigned int)o->uid, (unsigned int)o->gid);
	else
		snprintf(opts, sizeof(opts),
			 "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("broker_attack", o->mnt, "fuse", MS_NOSUID | MS_NODEV, opts) <
	    0)
		ba_die("mount -t fuse");
	if (o->root_mount) {
		/* From here on, the user the mount is for, for good. */
		if (setgroups(0, NULL) < 0 ||
		    setresgid(o->gid, o->gid, o->gid) < 0 ||
		    setresuid(o->uid, o->uid, o->uid) < 0)
			ba_die("dropping root");
	}
	return fd;
}

static void
ba_reply(int fd, uint64_t unique, int error, const void *out, size_t len)
{
	char buf[sizeof(struct fuse_out_header) + 4096];
	struct fuse_out_header h = {
		.len = (uint32_t)(sizeof(h) + len),
		.error = error,
		.unique = unique,
	};

	memcpy(buf, &h, sizeof(h));
	if (len > 0)
		memcpy(buf + sizeof(h), out, len);
	/* ENOENT: the request was interrupted and is gone; fine. */
	if (write(fd, buf, h.len) < 0 && errno != ENOENT)
		fprintf(stderr, "broker_attack: fuse reply: %s\n",
			strerror(errno));
}

static void
ba_attr(uint64_t ino, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0666;
	a->nlink = ino == FUSE_ROOT_ID ? 2 : 1;
	a->blksize = 4096;
}

/* Serve /dev/fuse until it ends (the mount goes, or we are killed). */
static void
ba_serve(const struct ba_opts *o, int fd, pid_t client)
{
	static char buf[BA_BUF] __attribute__((aligned(8)));
	unsigned long flushes_held = 0;

	for (;;) {
		const struct fuse_in_header *in = (const void *)buf;
		const void *arg = buf + sizeof(*in);
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && (errno == EINTR || errno == ENOENT))
			continue;
		if (n < (ssize_t)sizeof(*in))
			return; /* ENODEV: unmounted */
		switch (in->opcode) {
		case FUSE_INIT: {
			const struct fuse_init_in *ii = arg;
			struct fuse_init_out io;

			memset(&io, 0, sizeof(io));
			io.major = FUSE_KERNEL_VERSION;
			io.minor = ii->minor < FUSE_KERNEL_MINOR_VERSION
					   ? ii->minor
					   : FUSE_KERNEL_MINOR_VERSION;
			io.max_write = 4096;
			io.max_readahead = ii->max_readahead;
			ba_reply(fd, in->unique, 0, &io, sizeof(io));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out e;

			if (in->nodeid != FUSE_ROOT_ID ||
			    strcmp((const char *)arg, "f") != 0) {
				ba_reply(fd, in->unique, -ENOENT, NULL, 0);
				break;
			}
			memset(&e, 0, sizeof(e));
			e.nodeid = BA_FILE_INO;
			e.generation = 1;
			ba_attr(BA_FILE_INO, &e.attr);
			ba_reply(fd, in->unique, 0, &e, sizeof(e));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out a;

			memset(&a, 0, sizeof(a));
			ba_attr(in->nodeid, &a.attr);
			ba_reply(fd, in->unique, 0, &a, sizeof(a));
			break;
		}
		case FUSE_OPEN:
		case FUSE_OPENDIR: {
			struct fuse_open_out op;

			memset(&op, 0, sizeof(op));
			op.fh = 1;
			ba_reply(fd, in->unique, 0, &op, sizeof(op));
			break;
		}
		case FUSE_READ:
			ba_reply(fd, in->unique, 0, NULL, 0);
			break;
		case FUSE_RELEASE:
		case FUSE_RELEASEDIR:
			ba_reply(fd, in->unique, 0, NULL, 0);
			break;
		case FUSE_FLUSH:
			if (strcmp(o->mode, "flush") == 0 &&
			    (pid_t)in->pid != client) {
				/* The attack: never answered. */
				flushes_held++;
				fprintf(stderr,
					"broker_attack: FLUSH from pid %u held "
					"(%lu)\n",
					in->pid, flushes_held);
				break;
			}
			ba_reply(fd, in->unique, 0, NULL, 0);
			break;
		case FUSE_IOCTL: {
			struct fuse_ioctl_out io;

			memset(&io, 0, sizeof(io));
			io.result = (int32_t)o->result;
			fprintf(stderr,
				"broker_attack: IOCTL from pid %u answered "
				"%ld\n",
				in->pid, o->result);
			ba_reply(fd, in->unique, 0, &io, sizeof(io));
			break;
		}
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break; /* no reply */
		default:
			ba_reply(fd, in->unique, -ENOSYS, NULL, 0);
			break;
		}
	}
}

/* The client: open MNT/f, send it, print the reply, then stay until
 * killed (or --hold seconds) with the file open. */
static int
ba_fuse_client(const struct ba_opts *o)
{
	char path[512];
	int f, sock, ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(path, sizeof(path), "%s/f", o->mnt);
	f = open(path, O_RDWR | O_CLOEXEC);
	if (f < 0)
		ba_die(path);
	sock = ba_connect(o->sock);
	if (sock < 0) {
		printf("noconnect: %s\n", strerror(-sock));
		return 1;
	}
	if (strcmp(o->as, "group") == 0)
		ret = ba_open_once(o, sock, 1, f, f);
	else
		ret = ba_open_once(o, sock, 1, f, -1);
	printf("sent\n");
	fflush(stdout);
	ba_sleep_ms(o->hold_s * 1000);
	close(sock);
	close(f);
	return ret;
}

static int
ba_fuse(const struct ba_opts *o)
{
	int fd = ba_mount(o), status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		ba_die("fork");
	if (pid == 0) {
		/* The client holds no /dev/fuse fd: killing the server
		 * always ends the connection. */
		close(fd);
		exit(ba_fuse_client(o));
	}
	ba_serve(o, fd, pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

static int
ba_sysfs(void)
{
	struct fake_sysfs fs;

	if (fake_sysfs_create(&fs) < 0 ||
	    fake_sysfs_add_driver(&fs, "vfio-pci") < 0 ||
	    fake_sysfs_add_pf(&fs, BA_PF, 0x8086, 0x1572, 4, "vfio-pci",
			      BA_PF_GROUP) < 0 ||
	    fake_sysfs_add_vf(&fs, BA_PF, 0, BA_VF, 0x8086, 0x154c, "vfio-pci",
			      BA_VF_GROUP) < 0 ||
	    fake_sysfs_set_enable_sriov(&fs, 1) < 0) {
		fprintf(stderr, "broker_attack: cannot make the fake sysfs\n");
		return 2;
	}
	printf("%s\n", fs.root);
	return 0;
}

static unsigned int
ba_num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "broker_attack: '%s': expected a number\n", s);
		exit(2);
	}
	return (unsigned int)v;
}

/* notify PATH: systemd's side of sd_notify(3) for a test, a datagram
 * socket bound at PATH; each datagram printed as its lines, then "--",
 * until killed. */
static int
ba_notify(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "broker_attack: notify path too long\n");
		return 1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("broker_attack: notify socket");
		return 1;
	}
	/* the broker runs as root, the test too: anyone may send here */
	chmod(path, 0666);
	printf("bound\n");
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 1;
		buf[n] = '\0';
		printf("%s\n--\n", buf);
	}
}

static void __attribute__((noreturn)) ba_usage(void)
{
	fprintf(stderr,
		"usage: broker_attack sysfs\n"
		"       broker_attack notify PATH\n"
		"       broker_attack client SOCK ADDR [--ctx FILE] "
		"[--group FILE] [--group-id N]\n"
		"             [--raw-addr BYTES] [--count N] [--conns N] "
		"[--interval-ms N]\n"
		"             [--hold S] [--timeout S] [--quiet] [--fresh]\n"
		"             [--many [--many-count N]]\n"
		"       broker_attack fuse SOCK ADDR MNTDIR --mode flush|ioctl "
		"[--result N]\n"
		"             [--as ctx|group] [--root-mount UID:GID] "
		"[--hold S]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct ba_opts o = {
		.count = 1,
		.conns = 1,
		.timeout_s = 5,
		.hold_s = 0,
		.group_id = BA_VF_GROUP,
		.mode = "flush",
		.as = "ctx",
		.many_count = -1,
	};
	const char *cmd;
	int i, first = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		ba_usage();
	cmd = argv[1];
	if (strcmp(cmd, "sysfs") == 0)
		return ba_sysfs();
	if (strcmp(cmd, "notify") == 0 && argc == 3)
		return ba_notify(argv[2]);
	if (strcmp(cmd, "client") == 0 && argc >= 4)
		first = 4;
	else if (strcmp(cmd, "fuse") == 0 && argc >= 5)
		first = 5;
	else
		ba_usage();
	o.sock = argv[2];
	o.addr = argv[3];
	if (first == 5) {
		o.mnt = argv[4];
		o.hold_s = 3600;
	}
	for (i = first; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--quiet") == 0) {
			o.quiet = true;
			continue;
		}
		if (strcmp(a, "--fresh") == 0) {
			o.fresh = true;
			continue;
		}
		if (strcmp(a, "--many") == 0) {
			o.many = true;
			continue;
		}
		if (v == NULL)
			ba_usage();
		i++;
		if (strcmp(a, "--ctx") == 0)
			o.ctx_path = v;
		else if (strcmp(a, "--group") == 0)
			o.group_path = v;
		else if (strcmp(a, "--group-id") == 0)
			o.group_id = (int)ba_num(v);
		else if (strcmp(a, "--raw-addr") == 0)
			o.raw_addr = v;
		else if (strcmp(a, "--many-count") == 0)
			o.many_count = strtol(v, NULL, 0);
		else if (strcmp(a, "--count") == 0)
			o.count = ba_num(v);
		else if (strcmp(a, "--conns") == 0)
			o.conns = ba_num(v);
		else if (strcmp(a, "--interval-ms") == 0)
			o.interval_ms = ba_num(v);
		else if (strcmp(a, "--hold") == 0)
			o.hold_s = ba_num(v);
		else if (strcmp(a, "--timeout") == 0)
			o.timeout_s = ba_num(v);
		else if (strcmp(a, "--mode") == 0)
			o.mode = v;
		else if (strcmp(a, "--result") == 0)
			o.result = strtol(v, NULL, 0);
		else if (strcmp(a, "--as") == 0)
			o.as = v;
		else if (strcmp(a, "--root-mount") == 0) {
			unsigned int u, g;

			if (sscanf(v, "%u:%u", &u, &g) != 2)
				ba_usage();
			o.root_mount = true;
			o.uid = u;
			o.gid = g;
		} else
			ba_usage();
	}
	if (first == 4)
		return ba_client(&o);
	return ba_fuse(&o);
}

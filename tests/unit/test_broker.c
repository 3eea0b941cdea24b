/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Unit tests of the broker's protocol (lib/vftoken/vft_broker.c) and of
 * its client (vft_broker_client.c): every check of a message names the
 * field, fds that come with a refused message are closed, and a client
 * facing a FAKE BROKER (a thread of this test on a real unix socket that
 * answers with crafted replies, for unit tests of logic only) reports
 * each bad reply clearly and keeps no fd of it. The real broker is tested
 * in the VM (devtools/vm/scenarios/broker.sh). Functions are read from a
 * fake sysfs tree.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/vfio.h>

#include "fake_sysfs.h"
#include "vft_broker.h"
#include "vft_private.h"
#include "vftoken.h"

#define VF "0000:01:10.0"

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

static struct vft_broker_open_req
open_req(void)
{
	struct vft_broker_open_req r;

	memset(&r, 0, sizeof(r));
	vft_broker_hdr_init(&r.h, VFT_BROKER_OPEN, sizeof(r), 3);
	strcpy(r.addr, VF);
	r.path = VFT_PATH_GROUP;
	r.group_id = -1;
	return r;
}

static int
req_check(const void *m, size_t len, unsigned int nfds, const char *needle)
{
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vft_broker_check_request(m, len, nfds, &err);
	if (needle != NULL) {
		assert_true(ret < 0);
		if (strstr(err.msg, needle) == NULL)
			fail_msg("'%s' lacks '%s'", err.msg, needle);
	}
	return ret;
}

static void
test_request_checks(void **state)
{
	struct vft_broker_open_req r = open_req();
	struct vft_broker_rotate_req rot;

	(void)state;
	assert_int_equal(req_check(&r, sizeof(r), 0, NULL), VFT_BROKER_OPEN);
	req_check(&r, 8, 0, "shorter than its 16-byte header");
	req_check(&r, sizeof(r) - 4, 0, "says 64 bytes, 60 came");
	r.h.magic = 1;
	req_check(&r, sizeof(r), 0, "magic 0x00000001");
	r = open_req();
	r.h.version = 9;
	req_check(&r, sizeof(r), 0, "version 9: expected 1");
	r = open_req();
	r.h.op = 77;
	req_check(&r, sizeof(r), 0, "operation 77");
	r = open_req();
	memset(r.addr, 'a', sizeof(r.addr));
	req_check(&r, sizeof(r), 0, "field addr is not NUL-terminated");
	r = open_req();
	strcpy(r.addr, "0000:zz:00.0");
	req_check(&r, sizeof(r), 0, "'0000:zz:00.0': expected a PCI address");
	r = open_req();
	r.path = 5;
	req_check(&r, sizeof(r), 0, "path 5");
	r = open_req();
	r.flags = 0x80;
	req_check(&r, sizeof(r), 0, "unknown bits 0x80");
	r = open_req();
	r.flags = VFT_BROKER_HAVE_CTX;
	req_check(&r, sizeof(r), 0, "carries 0 fds, its flags say 1");
	assert_int_equal(req_check(&r, sizeof(r), 1, NULL), VFT_BROKER_OPEN);
	r.flags = VFT_BROKER_HAVE_GROUP;
	req_check(&r, sizeof(r), 1, "a group fd comes only");
	r.path = VFT_PATH_CDEV;
	r.flags = VFT_BROKER_HAVE_CTX | VFT_BROKER_HAVE_GROUP;
	r.group_id = 3;
	req_check(&r, sizeof(r), 2, "a group fd comes only");

	memset(&rot, 0, sizeof(rot));
	vft_broker_hdr_init(&rot.h, VFT_BROKER_ROTATE, sizeof(rot), 1);
	strcpy(rot.pf, "0000:01:00.0");
	assert_int_equal(req_check(&rot, sizeof(rot), 0, NULL),
			 VFT_BROKER_ROTATE);
	req_check(&rot, sizeof(rot), 1, "carries 1 fds, its flags say 0");
}

static struct vft_broker_open_rep
open_rep(uint32_t seq)
{
	struct vft_broker_open_rep r;

	memset(&r, 0, sizeof(r));
	vft_broker_hdr_init(&r.h, VFT_BROKER_OPEN, sizeof(r), seq);
	r.verdict = VFT_V_OK;
	r.fds = VFT_BROKER_FD_DEVICE;
	r.group_id = 12;
	r.cdev = -1;
	return r;
}

static void
rep_check(const struct vft_broker_open_rep *r, unsigned int nfds,
	  const char *needle)
{
	struct vft_err err;
	int ret;

	vft_err_clear(&err);
	ret = vft_broker_check_reply(r, sizeof(*r), nfds, VFT_BROKER_OPEN, 3,
				     &err);
	if (needle == NULL) {
		assert_int_equal(ret, 0);
		return;
	}
	assert_true(ret < 0);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("'%s' lacks '%s'", err.msg, needle);
}

static void
test_reply_checks(void **state)
{
	struct vft_broker_open_rep r = open_rep(3);

	(void)state;
	rep_check(&r, 1, NULL);
	rep_check(&r, 0, "carries 0 fds, its flags say 1");
	r = open_rep(4);
	rep_check(&r, 1, "reply to open #4: expected open #3");
	r = open_rep(3);
	r.error = -EPERM;
	rep_check(&r, 1, "error -1 with verdict 0");
	r.verdict = VFT_V_BROKER_DENIED;
	rep_check(&r, 1, "fds 0x4 with error -1");
	r.fds = 0;
	rep_check(&r, 0, NULL);
	r = open_rep(3);
	r.verdict = 99;
	r.error = -EIO;
	r.fds = 0;
	rep_check(&r, 0, "verdict 99");
	r = open_rep(3);
	memset(r.reason, 'x', sizeof(r.reason));
	rep_check(&r, 1, "field reason is not NUL-terminated");
	r = open_rep(3);
	r.fds = VFT_BROKER_FD_DEVICE | VFT_BROKER_FD_GROUP;
	r.path = VFT_PATH_CDEV;
	rep_check(&r, 2, "a group fd off the group path");
	r = open_rep(3);
	r.fds = 0x10 | VFT_BROKER_FD_DEVICE;
	rep_check(&r, 1, "fd bits 0x14 unknown");
}

/* VFT_BROKER_STATS: a request is its header alone, with no fd; a reply
 * has its fixed layout, a terminated message, an error 0 or negative and
 * no fd. */
static void
test_stats_checks(void **state)
{
	struct vft_broker_stats_req q;
	struct vft_broker_stats_rep r;
	char big[sizeof(q) + 8];
	struct vft_err err;

	(void)state;
	memset(&q, 0, sizeof(q));
	vft_broker_hdr_init(&q.h, VFT_BROKER_STATS, sizeof(q), 5);
	assert_int_equal(req_check(&q, sizeof(q), 0, NULL), VFT_BROKER_STATS);
	req_check(&q, sizeof(q), 1, "carries 1 fds, its flags say 0");
	memset(big, 0, sizeof(big));
	vft_broker_hdr_init((struct vft_broker_hdr *)big, VFT_BROKER_STATS,
			    sizeof(big), 5);
	req_check(big, sizeof(big), 0,
		  "broker stats request of 24 bytes: expected 16");
	q.h.op = 5;
	req_check(&q, sizeof(q), 0, "or 4 (open-many)");
	assert_string_equal(vft_broker_op_name(VFT_BROKER_STATS), "stats");

	memset(&r, 0, sizeof(r));
	vft_broker_hdr_init(&r.h, VFT_BROKER_STATS, sizeof(r), 5);
	r.refusals = 3;
	vft_err_clear(&err);
	assert_int_equal(vft_broker_check_reply(&r, sizeof(r), 0,
						VFT_BROKER_STATS, 5, &err),
			 0);
	assert_true(vft_broker_check_reply(&r, sizeof(r), 1, VFT_BROKER_STATS,
					   5, &err) < 0);
	assert_non_null(strstr(err.msg, "carries 1 fds"));
	assert_true(vft_broker_check_reply(&r, sizeof(r) - 8, 0,
					   VFT_BROKER_STATS, 5, &err) < 0);
	assert_true(vft_broker_check_reply(&r, sizeof(r), 0, VFT_BROKER_STATS,
					   6, &err) < 0);
	assert_non_null(strstr(err.msg, "expected stats #6"));
	r.error = 1;
	assert_true(vft_broker_check_reply(&r, sizeof(r), 0, VFT_BROKER_STATS,
					   5, &err) < 0);
	assert_non_null(strstr(err.msg, "error 1: expected 0 or -errno"));
	r.error = -EPERM;
	memset(r.msg, 'x', sizeof(r.msg));
	assert_true(vft_broker_check_reply(&r, sizeof(r), 0, VFT_BROKER_STATS,
					   5, &err) < 0);
	assert_non_null(strstr(err.msg, "field msg is not NUL-terminated"));
	r.msg[0] = '\0';
	assert_int_equal(vft_broker_check_reply(&r, sizeof(r), 0,
						VFT_BROKER_STATS, 5, &err),
			 0);
}

/* More fds than a message may carry: all are closed, none kept. */
static void
test_recv_extra_fds(void **state)
{
	struct vft_broker_open_req r = open_req();
	int sv[2], fds[VFT_BROKER_MAX_FDS], many[3 + 2], i, before;
	char buf[VFT_BROKER_MSG_MAX];
	unsigned int n;
	ssize_t len;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	before = count_fds();
	for (i = 0; i < 5; i++)
		many[i] = eventfd(0, EFD_CLOEXEC);
	/* vft_broker_send refuses more than it may carry: send by hand. */
	assert_int_equal(vft_broker_send(sv[0], &r, sizeof(r), many, 5),
			 -EINVAL);
	{
		char ctl[CMSG_SPACE(sizeof(many))];
		struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = ctl,
				     .msg_controllen = sizeof(ctl) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(many));
		memcpy(CMSG_DATA(c), many, sizeof(many));
		assert_int_equal(sendmsg(sv[0], &mh, 0), (ssize_t)sizeof(r));
	}
	for (i = 0; i < 5; i++)
		close(many[i]);
	len = vft_broker_recv(sv[1], buf, sizeof(buf), fds, &n);
	assert_int_equal(len, -EPROTO);
	assert_int_equal(n, 0);
	assert_int_equal(count_fds(), before);
	/* a message longer than the buffer is refused too */
	assert_int_equal(vft_broker_send(sv[0], &r, sizeof(r), NULL, 0), 0);
	len = vft_broker_recv(sv[1], buf, 10, fds, &n);
	assert_int_equal(len, -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}

/* Send @p r with @p n fresh eventfds; the sender's copies are closed. */
static void
send_with_fds(int sock, const struct vft_broker_open_req *r, unsigned int n)
{
	int fds[VFT_BROKER_MAX_FDS] = { -1, -1, -1 };
	unsigned int i;

	for (i = 0; i < n; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(vft_broker_send(sock, r, sizeof(*r), fds, n), 0);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* The broker's two-step receive: a peek installs no fd; the receive takes
 * exactly the fds asked for, and the kernel drops the rest. */
static void
test_peek_then_take(void **state)
{
	struct vft_broker_open_req r = open_req();
	int sv[2], fds[VFT_BROKER_MAX_FDS] = { -1, -1, -1 }, before;
	char buf[VFT_BROKER_MSG_MAX];
	unsigned int n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	before = count_fds();
	assert_int_equal(vft_broker_peek(sv[1], buf, sizeof(buf)), -EAGAIN);
	send_with_fds(sv[0], &r, 2);
	assert_int_equal(vft_broker_peek(sv[1], buf, sizeof(buf)),
			 (ssize_t)sizeof(r));
	assert_int_equal(vft_broker_peek(sv[1], buf, sizeof(buf)),
			 (ssize_t)sizeof(r));
	assert_int_equal(count_fds(), before);
	/* asked for none: the message is taken, both fds dropped */
	assert_int_equal(
		vft_broker_recv_peeked(sv[1], buf, sizeof(buf), 0, NULL, &n),
		-EPROTO);
	assert_int_equal(n, 0);
	assert_int_equal(count_fds(), before);
	/* asked for one of two: one comes (the caller's), one is dropped */
	send_with_fds(sv[0], &r, 2);
	assert_int_equal(
		vft_broker_recv_peeked(sv[1], buf, sizeof(buf), 1, fds, &n),
		-EPROTO);
	assert_int_equal(n, 1);
	assert_int_equal(count_fds(), before + 1);
	vft_broker_close_fds(fds, n);
	/* asked for what came */
	send_with_fds(sv[0], &r, 2);
	assert_int_equal(
		vft_broker_recv_peeked(sv[1], buf, sizeof(buf), 2, fds, &n),
		(ssize_t)sizeof(r));
	assert_int_equal(n, 2);
	vft_broker_close_fds(fds, n);
	/* a message longer than the buffer */
	send_with_fds(sv[0], &r, 0);
	assert_int_equal(vft_broker_peek(sv[1], buf, 10), -EMSGSIZE);
	assert_int_equal(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

/* An fd is proven by its device number, whatever its name. */
static void
test_fd_is_node(void **state)
{
	struct vft_err err;
	int p[2], null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_int_equal(pipe(p), 0);
	vft_err_clear(&err);
	assert_int_equal(vft_fd_is_node(null, "/dev/null", "the fd", &err), 0);
	assert_int_equal(vft_fd_is_node(zero, "/dev/null", "the fd", &err),
			 -ENOTTY);
	assert_non_null(strstr(err.msg, "another character device, not "
					"/dev/null (device 1:3)"));
	assert_int_equal(
		vft_fd_is_node(p[0], "/dev/null", "the container", &err),
		-ENOTTY);
	assert_non_null(strstr(err.msg, "the container"));
	assert_non_null(strstr(err.msg, "is a FIFO"));
	assert_int_equal(vft_fd_is_node(p[0], "/nonexistent", "the fd", &err),
			 -ENODEV);
	assert_int_equal(vft_fd_is_node(-1, "/dev/null", "the fd", &err),
			 -EBADF);
	close(p[0]);
	close(p[1]);
	close(null);
	close(zero);
}

/* Client bytes in a log line: nothing but printable ASCII. */
static void
test_printable(void **state)
{
	struct vft_broker_open_req r = open_req();
	struct vft_err err;
	char out[16];

	(void)state;
	vft_printable(out, sizeof(out), "a\nb\033[2Jc", 9);
	assert_string_equal(out, "a?b?[2Jc");
	vft_printable(out, 4, "abcdef", 6);
	assert_string_equal(out, "abc");
	memcpy(r.addr, "0000:01\n10.0\033", 14);
	vft_err_clear(&err);
	assert_true(vft_broker_check_request(&r, sizeof(r), 0, &err) < 0);
	assert_null(strchr(err.msg, '\n'));
	assert_null(strchr(err.msg, '\033'));
	assert_non_null(strstr(err.msg, "'0000:01?10.0?'"));
}

/* ---- the client against a fake broker ---------------------------------- */

struct fake_broker {
	char path[108];
	int listen_fd;
	pthread_t thread;
	/* what to answer: a reply and fds (eventfds stand for VFIO fds) */
	struct vft_broker_open_rep rep;
	size_t rep_len;
	unsigned int rep_nfds;
	bool seq_from_request;
	bool hang_up; /* close without replying */
	unsigned int got_nfds;
	/* the thread's function (NULL: fake_broker_serve), given this */
	void *(*serve)(void *);
};

static void *
fake_broker_serve(void *arg)
{
	struct fake_broker *fb = arg;
	char buf[VFT_BROKER_MSG_MAX] __attribute__((aligned(8)));
	int fds[VFT_BROKER_MAX_FDS];
	unsigned int nfds;
	int c = accept(fb->listen_fd, NULL, NULL);
	ssize_t n;

	if (c < 0)
		return NULL;
	n = vft_broker_recv(c, buf, sizeof(buf), fds, &nfds);
	fb->got_nfds = nfds;
	vft_broker_close_fds(fds, nfds);
	if (n > 0 && !fb->hang_up) {
		int out[VFT_BROKER_MAX_FDS];
		unsigned int i;

		if (fb->seq_from_request)
			fb->rep.h.seq = ((struct vft_broker_hdr *)buf)->seq;
		for (i = 0; i < fb->rep_nfds; i++)
			out[i] = eventfd(0, EFD_CLOEXEC);
		vft_broker_send(c, &fb->rep, fb->rep_len, out, fb->rep_nfds);
		vft_broker_close_fds(out, fb->rep_nfds);
	}
	close(c);
	return NULL;
}

static void
fake_broker_start(struct fake_broker *fb, const char *dir)
{
	struct sockaddr_un sa;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	assert_true(strlen(dir) + sizeof("/broker.sock") <= sizeof(fb->path));
	strcpy(fb->path, dir);
	strcat(fb->path, "/broker.sock");
	strcpy(sa.sun_path, fb->path);
	fb->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fb->listen_fd >= 0);
	unlink(fb->path);
	assert_int_equal(
		bind(fb->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fb->listen_fd, 1), 0);
	assert_int_equal(pthread_create(&fb->thread, NULL,
					fb->serve != NULL ? fb->serve
							  : fake_broker_serve,
					fb),
			 0);
}

static void
fake_broker_stop(struct fake_broker *fb)
{
	pthread_join(fb->thread, NULL);
	close(fb->listen_fd);
	unlink(fb->path);
}

static struct fake_sysfs fs;
static struct vft_sys sys;

static int
setup(void **state)
{
	(void)state;
	if (fake_sysfs_create(&fs) != 0)
		return -1;
	if (fake_sysfs_add_pf(&fs, "0000:01:00.0", 0x8086, 0x10c9, 8,
			      "vfio-pci", 11) != 0 ||
	    fake_sysfs_add_vf(&fs, "0000:01:00.0", 0, VF, 0x8086, 0x10ca,
			      "vfio-pci", 12) != 0)
		return -1;
	vft_sys_init(&sys, fs.root);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fake_sysfs_destroy(&fs);
	return 0;
}

/* Open VF through the fake broker; the client must refuse with @p needle
 * in the reason and keep no fd. */
static void
client_refuses(struct fake_broker *fb, int error, const char *needle)
{
	struct vft_explanation why;
	struct vft_pci_addr a;
	struct vft_device d;
	struct vft_iommu io;
	int before, ret;

	vft_pci_addr_parse(VF, &a);
	before = count_fds();
	fake_broker_start(fb, fs.root);
	vft_iommu_init(&io, VFT_PATH_GROUP, NULL);
	ret = vft_iommu_open_brokered(&io, &sys, &a, fb->path, &d, &why);
	fake_broker_stop(fb);
	assert_int_equal(ret, error);
	if (strstr(why.reason, needle) == NULL)
		fail_msg("reason '%s' lacks '%s'", why.reason, needle);
	assert_int_equal(vft_iommu_devices(&io), 0);
	vft_iommu_close(&io);
	assert_int_equal(count_fds(), before);
}

static void
test_client_bad_replies(void **state)
{
	struct fake_broker fb;

	(void)state;
	memset(&fb, 0, sizeof(fb));
	fb.rep = open_rep(0);
	fb.rep_len = sizeof(fb.rep);
	fb.rep_nfds = 1;
	/* the reply answers another request */
	fb.rep.h.seq = 99;
	client_refuses(&fb, -EPROTO, "reply to open #99: expected open #1");
	/* fewer fds than it says */
	fb.seq_from_request = true;
	fb.rep_nfds = 0;
	client_refuses(&fb, -EPROTO, "carries 0 fds, its flags say 1");
	/* cut short */
	fb.rep_nfds = 2;
	fb.rep.fds = VFT_BROKER_FD_DEVICE | VFT_BROKER_FD_CTX;
	fb.rep_len = 40;
	client_refuses(&fb, -EPROTO, "says 1068 bytes, 40 came");
	/* no reply at all */
	fb.rep_len = sizeof(fb.rep);
	fb.hang_up = true;
	client_refuses(&fb, -ECONNRESET, "it closed the connection");
}

/* A refusal reaches the caller as the broker's verdict, reason and fix. */
static void
test_client_refusal(void **state)
{
	struct vft_explanation why;
	struct fake_broker fb;
	struct vft_pci_addr a;
	struct vft_device d;
	struct vft_iommu io;
	int before, ret;

	(void)state;
	memset(&fb, 0, sizeof(fb));
	fb.rep = open_rep(0);
	fb.rep.error = -EPERM;
	fb.rep.verdict = VFT_V_BROKER_DENIED;
	fb.rep.fds = 0;
	strcpy(fb.rep.reason, "the policy says no");
	strcpy(fb.rep.fix, "ask");
	fb.rep_len = sizeof(fb.rep);
	fb.seq_from_request = true;
	vft_pci_addr_parse(VF, &a);
	before = count_fds();
	fake_broker_start(&fb, fs.root);
	vft_iommu_init(&io, VFT_PATH_GROUP, NULL);
	ret = vft_iommu_open_brokered(&io, &sys, &a, fb.path, &d, &why);
	fake_broker_stop(&fb);
	assert_int_equal(ret, -EPERM);
	assert_int_equal(why.verdict, VFT_V_BROKER_DENIED);
	assert_string_equal(why.reason, "the policy says no");
	assert_string_equal(why.fix, "ask");
	assert_string_equal(vft_verdict_name(why.verdict), "broker-denied");
	assert_int_equal(fb.got_nfds, 0); /* a new context sends nothing */
	assert_int_equal(count_fds(), before);
}

static void
test_client_no_broker(void **state)
{
	struct vft_explanation why;
	struct vft_pci_addr a;
	struct vft_device d;
	struct vft_iommu io;
	char path[300];
	int ret;

	(void)state;
	vft_pci_addr_parse(VF, &a);
	snprintf(path, sizeof(path), "%s/none.sock", fs.root);
	vft_iommu_init(&io, VFT_PATH_GROUP, NULL);
	ret = vft_iommu_open_brokered(&io, &sys, &a, path, &d, &why);
	assert_int_equal(ret, -ENOENT);
	assert_int_equal(why.verdict, VFT_V_OTHER);
	assert_non_null(strstr(why.reason, "cannot reach the VF token broker"));
	assert_non_null(strstr(why.reason, path));
	assert_non_null(strstr(why.fix, "vftokend"));
	/* the broker is asked even for a function that local sysfs refuses
	 * (not on vfio-pci, or missing): it answers, and logs, for itself
	 * (issue 32); here no broker answers, and the reason says so */
	assert_int_equal(fake_sysfs_add_dev(&fs, "0000:02:00.0", 0x8086, 0x10d3,
					    0x020000, "e1000e", 13),
			 0);
	vft_pci_addr_parse("0000:02:00.0", &a);
	ret = vft_iommu_open_brokered(&io, &sys, &a, path, &d, &why);
	assert_int_equal(ret, -ENOENT);
	assert_non_null(strstr(why.reason, "cannot reach the VF token broker"));
	vft_pci_addr_parse("0000:7f:00.0", &a);
	ret = vft_iommu_open_brokered(&io, &sys, &a, path, &d, &why);
	assert_int_equal(ret, -ENOENT);
	assert_non_null(strstr(why.reason, "cannot reach the VF token broker"));
}

/* ---- several functions in one request --------------------------------- */

static struct vft_broker_open_many_req
many_req(unsigned int count)
{
	struct vft_broker_open_many_req r;
	unsigned int i;

	memset(&r, 0, sizeof(r));
	vft_broker_hdr_init(&r.h, VFT_BROKER_OPEN_MANY, sizeof(r), 7);
	r.path = VFT_PATH_GROUP;
	r.count = count;
	for (i = 0; i < count; i++)
		snprintf(r.addr[i], sizeof(r.addr[i]), "0000:01:10.%u", i % 8);
	for (i = 8; i < count; i++)
		snprintf(r.addr[i], sizeof(r.addr[i]), "0000:01:11.%u", i % 8);
	return r;
}

static void
test_many_checks(void **state)
{
	struct vft_broker_open_many_req r = many_req(3);
	struct vft_broker_open_rep rep = open_rep(9);
	struct vft_err err;

	(void)state;
	assert_int_equal(req_check(&r, sizeof(r), 0, NULL),
			 VFT_BROKER_OPEN_MANY);
	r = many_req(VFT_BROKER_MANY_MAX);
	assert_int_equal(req_check(&r, sizeof(r), 0, NULL),
			 VFT_BROKER_OPEN_MANY);
	req_check(&r, sizeof(r) - 32, 0, "says 544 bytes, 512 came");
	r.count = VFT_BROKER_MANY_MAX + 1;
	req_check(&r, sizeof(r), 0, "count 17: expected 1 to 16 functions");
	r.count = 0;
	req_check(&r, sizeof(r), 0, "count 0: expected 1 to 16");
	r = many_req(3);
	r.count = 0xffffffffu;
	req_check(&r, sizeof(r), 0, "count 4294967295");
	r = many_req(3);
	strcpy(r.addr[2], "0000:01:10.0");
	req_check(&r, sizeof(r), 0,
		  "addr[2] '0000:01:10.0' is addr[0] again: expected each "
		  "function once");
	r = many_req(3);
	strcpy(r.addr[1], "nope");
	req_check(&r, sizeof(r), 0, "field addr[1] 'nope': expected a PCI");
	r = many_req(3);
	memset(r.addr[2], 'a', sizeof(r.addr[2]));
	req_check(&r, sizeof(r), 0, "field addr[2] is not NUL-terminated");
	r = many_req(3);
	r.addr[5][31] = 1; /* beyond the count */
	req_check(&r, sizeof(r), 0, "bytes after the 3 functions named");
	r = many_req(3);
	r.flags = VFT_BROKER_HAVE_CTX | VFT_BROKER_HAVE_GROUP;
	req_check(&r, sizeof(r), 2, "a group's fd comes only with a");
	r.flags = VFT_BROKER_HAVE_CTX | VFT_BROKER_IOMMU_SET;
	req_check(&r, sizeof(r), 0, "carries 0 fds, its flags say 1");
	req_check(&r, sizeof(r), 2, "carries 2 fds, its flags say 1");
	assert_int_equal(req_check(&r, sizeof(r), 1, NULL),
			 VFT_BROKER_OPEN_MANY);
	r.path = 9;
	req_check(&r, sizeof(r), 1, "open-many: path 9");
	/* its replies are open replies, in the request's order */
	rep.h.op = VFT_BROKER_OPEN_MANY;
	vft_err_clear(&err);
	assert_int_equal(vft_broker_check_reply(&rep, sizeof(rep), 1,
						VFT_BROKER_OPEN_MANY, 9, &err),
			 0);
	assert_true(vft_broker_check_reply(&rep, sizeof(rep), 1,
					   VFT_BROKER_OPEN_MANY, 8, &err) < 0);
	assert_non_null(strstr(err.msg,
			       "reply to open-many #9: expected open-many #8"));
	assert_string_equal(vft_broker_op_name(VFT_BROKER_OPEN_MANY),
			    "open-many");
}

/* A fake broker for one open-many request: @p good replies, the first a
 * refusal and each further one a success with two fds for one, then it
 * hangs up. Its fake_broker comes first: the thread gets its address. */
struct fake_many {
	struct fake_broker fb;
	unsigned int good;
	struct vft_broker_open_many_req got;
};

static void *
fake_many_serve(void *arg)
{
	struct fake_many *fm = arg;
	char buf[VFT_BROKER_MSG_MAX] __attribute__((aligned(8)));
	int fds[VFT_BROKER_MAX_FDS];
	unsigned int nfds, i;
	int c = accept(fm->fb.listen_fd, NULL, NULL);
	ssize_t n;

	if (c < 0)
		return NULL;
	n = vft_broker_recv(c, buf, sizeof(buf), fds, &nfds);
	fm->fb.got_nfds = nfds;
	vft_broker_close_fds(fds, nfds);
	if (n == (ssize_t)sizeof(fm->got))
		memcpy(&fm->got, buf, sizeof(fm->got));
	for (i = 0; n > 0 && i < fm->good; i++) {
		struct vft_broker_open_rep r = open_rep(fm->got.h.seq + i);
		int ev[2] = { eventfd(0, EFD_CLOEXEC),
			      eventfd(0, EFD_CLOEXEC) };

		r.h.op = VFT_BROKER_OPEN_MANY;
		if (i == 0) {
			r.error = -EPERM;
			r.verdict = VFT_V_BROKER_DENIED;
			r.fds = 0;
			snprintf(r.reason, sizeof(r.reason), "no for %s",
				 fm->got.addr[i]);
		}
		/* i > 0: says a device, carries two fds */
		vft_broker_send(c, &r, sizeof(r), ev, i == 0 ? 0 : 2);
		vft_broker_close_fds(ev, 2);
	}
	close(c);
	return NULL;
}

/* Three functions, one request: each gets its own outcome, in order, and
 * nothing leaks, whatever the broker sends or fails to send. */
static void
test_client_many(void **state)
{
	const char *addrs[] = { VF, "0000:01:10.1", "0000:01:10.2" };
	struct vft_open_req reqs[3];
	struct vft_device d[3];
	struct fake_many fm;
	struct vft_iommu io;
	unsigned int i, failed;
	int before;

	(void)state;
	before = count_fds();
	for (fm.good = 1; fm.good <= 2; fm.good++) {
		memset(&fm.fb, 0, sizeof(fm.fb));
		memset(&fm.got, 0, sizeof(fm.got));
		vft_iommu_init(&io, VFT_PATH_GROUP, NULL);
		memset(reqs, 0, sizeof(reqs));
		for (i = 0; i < 3; i++) {
			reqs[i].io = &io;
			reqs[i].sys = &sys;
			reqs[i].d = &d[i];
			vft_pci_addr_parse(addrs[i], &reqs[i].addr);
		}
		fm.fb.serve = fake_many_serve;
		fake_broker_start(&fm.fb, fs.root);
		failed = vft_iommu_open_brokered_devices(fm.fb.path, reqs, 3);
		fake_broker_stop(&fm.fb);
		assert_int_equal(failed, 3);
		/* one request naming the three, in order; no context yet */
		assert_int_equal(fm.got.count, 3);
		assert_string_equal(fm.got.addr[2], "0000:01:10.2");
		assert_int_equal(fm.fb.got_nfds, 0);
		assert_int_equal(reqs[0].ret, -EPERM);
		assert_int_equal(reqs[0].why.verdict, VFT_V_BROKER_DENIED);
		assert_string_equal(reqs[0].why.reason, "no for " VF);
		if (fm.good == 2) {
			assert_int_equal(reqs[1].ret, -EPROTO);
			assert_non_null(strstr(reqs[1].why.reason,
					       "carries 2 fds, its flags say "
					       "1"));
		}
		/* the rest: the broker hung up, or after a bad reply the
		 * rest of its replies are not trusted */
		assert_int_equal(reqs[2].ret,
				 fm.good == 1 ? -ECONNRESET : -EPROTO);
		assert_non_null(strstr(reqs[2].why.reason,
				       fm.good == 1 ? "for 2 of 3 functions"
						    : "carries 2 fds"));
		assert_int_equal(vft_iommu_devices(&io), 0);
		vft_iommu_close(&io);
		assert_int_equal(count_fds(), before);
	}
	/* no broker: each says so; a skipped request is left untouched */
	reqs[1].skip = true;
	reqs[1].ret = 42;
	failed = vft_iommu_open_brokered_devices("/nonexistent/broker.sock",
						 reqs, 3);
	assert_int_equal(failed, 2);
	assert_int_equal(reqs[1].ret, 42);
	assert_int_equal(reqs[2].ret, -ENOENT);
	assert_non_null(
		strstr(reqs[0].why.reason, "cannot reach the VF token broker"));
	assert_int_equal(count_fds(), before);
}

/* ------------------------------------------------------------------------ */
/* A fake VFIO path: the broker code with no group or cdev state at all    */
/* ------------------------------------------------------------------------ */

/*
 * FAKE backend (unit test only): its context is one eventfd standing for
 * a kernel object, its wire field a number it makes up. The broker's and
 * the client's code must carry both without knowing them: every field of
 * the hand-over they send or take is the fake's own.
 */
#define FB_IOAS 0xfeedu
#define FB_CDEV 77

struct __attribute__((may_alias)) fb_state {
	int ctx;       /* the context's "kernel object", -1 */
	int copy;      /* broker: the copy of the client's */
	bool client;   /* broker: the client has ctx */
	uint32_t wire; /* the fake's wire field (ioas_id) */
};

static struct {
	unsigned int prove, import_client, export_reply, forget, forget_sent;
	unsigned int export_ctx, import_reply, check_device;
	uint32_t proved_wire;
} fbs;

static struct fb_state *
fb_st(struct vft_iommu *io)
{
	return (struct fb_state *)(void *)&io->state;
}

static void
fb_init(struct vft_iommu *io)
{
	fb_st(io)->ctx = -1;
	fb_st(io)->copy = -1;
	fb_st(io)->client = false;
	fb_st(io)->wire = 0;
}

static int
fb_open_device(struct vft_iommu *io, const struct vft_sys *s,
	       const struct vft_pci_dev *dev, const struct vft_token *tok,
	       struct vft_device *d, enum vft_step *step, struct vft_err *err)
{
	(void)s;
	(void)tok;
	(void)step;
	(void)err;
	if (fb_st(io)->ctx < 0) {
		fb_st(io)->ctx = eventfd(0, EFD_CLOEXEC);
		fb_st(io)->wire = FB_IOAS;
	}
	d->fd = eventfd(0, EFD_CLOEXEC);
	d->addr = dev->addr;
	d->cdev = FB_CDEV;
	return 0;
}

static void
fb_close_device(struct vft_iommu *io, struct vft_device *d)
{
	(void)io;
	(void)d;
}

static int
fb_reopen(struct vft_device *d)
{
	(void)d;
	return 0;
}

static bool
fb_dma_ready(const struct vft_iommu *io)
{
	(void)io;
	return false;
}

static int
fb_dma_map(struct vft_iommu *io, uint64_t vaddr, uint64_t iova, uint64_t len,
	   struct vft_err *err)
{
	(void)io;
	(void)vaddr;
	(void)iova;
	(void)len;
	(void)err;
	return -ENOTSUP;
}

static int
fb_dma_unmap(struct vft_iommu *io, uint64_t iova, uint64_t len,
	     struct vft_err *err)
{
	(void)io;
	(void)iova;
	(void)len;
	(void)err;
	return -ENOTSUP;
}

static void
fb_close(struct vft_iommu *io)
{
	if (io->n_devices == 0 && fb_st(io)->ctx >= 0) {
		close(fb_st(io)->ctx);
		fb_st(io)->ctx = -1;
	}
}

static bool
fb_has_ctx(const struct vft_iommu *io)
{
	const struct fb_state *st = (const void *)&io->state;

	return st->ctx >= 0;
}

static int
fb_export_ctx(struct vft_iommu *io, const struct vft_pci_dev *dev,
	      struct vft_handover *h, struct vft_err *err)
{
	(void)dev;
	(void)err;
	fbs.export_ctx++;
	if (fb_st(io)->ctx < 0)
		return 0;
	h->flags |= VFT_BROKER_HAVE_CTX;
	h->ioas_id = fb_st(io)->wire;
	h->fds[h->nfds++] = dev != NULL
				    ? fb_st(io)->ctx
				    : fcntl(fb_st(io)->ctx, F_DUPFD_CLOEXEC, 0);
	return 0;
}

static int
fb_import_reply(struct vft_iommu *io, const struct vft_handover *h,
		struct vft_device *d, const char *name, struct vft_err *err)
{
	(void)name;
	(void)err;
	fbs.import_reply++;
	if (h->flags & VFT_BROKER_FD_CTX) {
		fb_st(io)->ctx = h->fds[0];
		fb_st(io)->wire = h->ioas_id;
	}
	d->cdev = h->cdev;
	return 0;
}

static int
fb_prove_client(const struct vft_handover *h, struct vft_err *err)
{
	(void)err;
	fbs.prove++;
	fbs.proved_wire = h->ioas_id;
	return 0;
}

static int
fb_import_client(struct vft_iommu *io, const struct vft_handover *h,
		 struct vft_err *err)
{
	(void)err;
	fbs.import_client++;
	if (!(h->flags & VFT_BROKER_HAVE_CTX))
		return 0;
	fb_st(io)->ctx = fcntl(h->fds[0], F_DUPFD_CLOEXEC, 0);
	fb_st(io)->copy = fb_st(io)->ctx;
	fb_st(io)->client = true;
	fb_st(io)->wire = h->ioas_id;
	return 0;
}

static int
fb_check_device(const struct vft_device *d, struct vft_err *err)
{
	(void)d;
	(void)err;
	fbs.check_device++;
	return 0;
}

static void
fb_export_reply(struct vft_iommu *io, const struct vft_device *d,
		struct vft_handover *h)
{
	fbs.export_reply++;
	h->ioas_id = fb_st(io)->wire;
	h->cdev = d->cdev;
	if (!fb_st(io)->client) {
		h->fds[h->nfds++] = fb_st(io)->ctx;
		h->flags |= VFT_BROKER_FD_CTX;
		fb_st(io)->client = true;
	}
}

static void
fb_forget_client(struct vft_iommu *io, bool sent)
{
	fbs.forget++;
	fbs.forget_sent += sent;
	if (fb_st(io)->copy >= 0 && fb_st(io)->copy == fb_st(io)->ctx) {
		close(fb_st(io)->copy);
		fb_st(io)->ctx = -1;
	}
	fb_st(io)->copy = -1;
	if (sent)
		fb_st(io)->ctx = -1;
}

static const struct vft_backend fb_backend = {
	.name = "fake",
	.init = fb_init,
	.open_device = fb_open_device,
	.close_device = fb_close_device,
	.reopen_probe = fb_reopen,
	.dma_ready = fb_dma_ready,
	.dma_map = fb_dma_map,
	.dma_unmap = fb_dma_unmap,
	.close = fb_close,
	.has_ctx = fb_has_ctx,
	.export_ctx = fb_export_ctx,
	.import_reply = fb_import_reply,
	.prove_client = fb_prove_client,
	.import_client = fb_import_client,
	.check_device = fb_check_device,
	.export_reply = fb_export_reply,
	.forget_client = fb_forget_client,
};

/* FAKE: VFIO_DEVICE_GET_INFO of an eventfd standing for a device. */
static int
fb_ioctl(int fd, unsigned long req, uintptr_t arg)
{
	struct vfio_device_info *info = (void *)arg;

	if (req != VFIO_DEVICE_GET_INFO)
		return ioctl(fd, req, arg);
	info->flags = VFIO_DEVICE_FLAGS_PCI;
	info->num_regions = 0;
	info->num_irqs = 0;
	return 0;
}

static const struct vft_os_ops fb_os = { .ioctl = fb_ioctl };

/*
 * The broker's side of an open and its client, on a path whose backend is
 * the fake above: what goes on the wire besides the device fd is exactly
 * what the fake's export ops put there, and what it takes back is what
 * they read. vft_broker.c and vft_broker_client.c know no path.
 */
static void
test_broker_path_agnostic(void **state)
{
	struct vft_broker_client_ctx cc = { .path = VFT_PATH_CDEV };
	int fds[VFT_BROKER_MAX_FDS], mine, before;
	struct vft_broker_open_rep rep;
	struct vft_explanation why;
	struct fake_broker fb;
	struct vft_pci_addr a;
	struct vft_device d;
	struct vft_iommu io;
	unsigned int nfds;

	(void)state;
	vft_pci_addr_parse(VF, &a);
	before = count_fds();
	vft_backend_set(VFT_PATH_CDEV, &fb_backend);
	memset(&fbs, 0, sizeof(fbs));

	/* the broker's side, a client with its context */
	mine = eventfd(0, EFD_CLOEXEC);
	vft_handover_init(&cc.h);
	cc.h.flags = VFT_BROKER_HAVE_CTX;
	cc.h.ioas_id = 0xabc;
	cc.h.fds[cc.h.nfds++] = mine;
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(vft_broker_prove_ctx(&cc, NULL), 0);
	assert_int_equal(vft_broker_serve_open(&sys, &a, NULL, &cc, NULL, &rep,
					       fds, &nfds),
			 0);
	assert_int_equal(fbs.prove, 2);
	assert_int_equal(fbs.proved_wire, 0xabc);
	assert_int_equal(fbs.import_client, 1);
	assert_int_equal(fbs.check_device, 1);
	assert_int_equal(fbs.export_reply, 1);
	assert_int_equal(fbs.forget_sent, 1);
	assert_int_equal(rep.error, 0);
	assert_int_equal(rep.path, VFT_PATH_CDEV);
	assert_int_equal(rep.fds, VFT_BROKER_FD_DEVICE); /* it has the ctx */
	assert_int_equal(rep.ioas_id, 0xabc); /* the fake's, from the client */
	assert_int_equal(rep.cdev, FB_CDEV);
	assert_int_equal(nfds, 1);
	assert_true(fcntl(mine, F_GETFD) >= 0); /* the client's stays open */
	vft_broker_close_fds(fds, nfds);
	close(mine);
	assert_int_equal(count_fds(), before);

	/* a client with no context gets the fake's */
	vft_handover_init(&cc.h);
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(vft_broker_serve_open(&sys, &a, NULL, &cc, NULL, &rep,
					       fds, &nfds),
			 0);
	assert_int_equal(rep.fds, VFT_BROKER_FD_CTX | VFT_BROKER_FD_DEVICE);
	assert_int_equal(rep.ioas_id, FB_IOAS);
	assert_int_equal(nfds, 2);
	vft_broker_close_fds(fds, nfds);
	assert_int_equal(count_fds(), before);

	/* the client's side takes such a reply into the fake's context */
	memset(&fb, 0, sizeof(fb));
	fb.rep = open_rep(0);
	fb.rep.path = VFT_PATH_CDEV;
	fb.rep.fds = VFT_BROKER_FD_CTX | VFT_BROKER_FD_DEVICE;
	fb.rep.ioas_id = FB_IOAS;
	fb.rep.cdev = FB_CDEV;
	fb.rep.group_id = -1;
	fb.rep_len = sizeof(fb.rep);
	fb.rep_nfds = 2;
	fb.seq_from_request = true;
	vft_os_set(&fb_os);
	fake_broker_start(&fb, fs.root);
	assert_int_equal(vft_iommu_init(&io, VFT_PATH_CDEV, NULL), 0);
	assert_int_equal(
		vft_iommu_open_brokered(&io, &sys, &a, fb.path, &d, &why), 0);
	fake_broker_stop(&fb);
	vft_os_set(NULL);
	assert_int_equal(fbs.export_ctx, 1);
	assert_int_equal(fbs.import_reply, 1);
	assert_int_equal(fb.got_nfds, 0); /* no context yet: nothing sent */
	assert_int_equal(fb_st(&io)->wire, FB_IOAS);
	assert_true(fb_st(&io)->ctx >= 0);
	assert_int_equal(d.cdev, FB_CDEV);
	assert_int_equal(vft_iommu_devices(&io), 1);
	vft_device_close(&d);
	vft_iommu_close(&io);
	vft_backend_set(VFT_PATH_CDEV, NULL);
	assert_ptr_equal(vft_backend_of(VFT_PATH_CDEV), &vft_backend_cdev);
	assert_int_equal(count_fds(), before);
}

/* FAKE system calls: a statx the kernel refuses, and an access() that
 * says whether the legacy container exists. */
static bool seam_container;

static int
seam_statx(int dirfd, const char *path, int flags, unsigned int mask,
	   struct statx *sx)
{
	(void)dirfd;
	(void)path;
	(void)flags;
	(void)mask;
	(void)sx;
	errno = EACCES;
	return -1;
}

static int
seam_access(const char *path, int mode)
{
	(void)mode;
	if (strcmp(path, "/dev/vfio/vfio") == 0 && seam_container)
		return 0;
	errno = ENOENT;
	return -1;
}

static const struct vft_os_ops seam_os = { .statx = seam_statx,
					   .access = seam_access };

/* The proofs of a client's fd and the checks for VFIO nodes go through
 * the syscall seam (vft_os.c), so a fake kernel sees them. */
static void
test_proofs_through_seam(void **state)
{
	struct vft_err err;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	(void)state;
	assert_true(null >= 0);
	assert_int_equal(vft_fd_is_node(null, "/dev/null", "the fd", NULL), 0);
	vft_os_set(&seam_os);
	vft_err_clear(&err);
	assert_int_equal(vft_fd_is_node(null, "/dev/null", "the fd", &err),
			 -EBADF);
	assert_non_null(strstr(err.msg, "cannot be checked"));
	seam_container = true;
	assert_int_equal(vft_path_auto(), VFT_PATH_GROUP);
	seam_container = false;
	assert_int_equal(vft_path_auto(), VFT_PATH_CDEV);
	vft_os_set(NULL);
	close(null);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_checks),
		cmocka_unit_test(test_reply_checks),
		cmocka_unit_test(test_stats_checks),
		cmocka_unit_test(test_recv_extra_fds),
		cmocka_unit_test(test_peek_then_take),
		cmocka_unit_test(test_fd_is_node),
		cmocka_unit_test(test_printable),
		cmocka_unit_test(test_client_bad_replies),
		cmocka_unit_test(test_client_refusal),
		cmocka_unit_test(test_client_no_broker),
		cmocka_unit_test(test_many_checks),
		cmocka_unit_test(test_client_many),
		cmocka_unit_test(test_broker_path_agnostic),
		cmocka_unit_test(test_proofs_through_seam),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

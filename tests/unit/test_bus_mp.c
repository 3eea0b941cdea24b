/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Unit tests of the sriov bus's multi-process messages
 * (drivers/bus/sriov/sriov_mp_msg.c, compiled into this program without
 * the rest of the bus and without an EAL): a well-formed message of each
 * kind passes; every malformed one (wrong magic, protocol version,
 * operation, build, length, fd count, unterminated strings, a request
 * without a device name) is refused with a reason that names the value
 * and what was expected; refused fds are closed.
 */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sriov_private.h"

static char why[256];

static void
make_req(struct rte_mp_msg *m, enum sriov_mp_op op, const char *name)
{
	struct sriov_mp_req *r = (void *)m->param;

	sriov_mp_msg_init(m, &r->h, sizeof(*r), op, 0);
	if (name != NULL)
		snprintf(r->name, sizeof(r->name), "%s", name);
}

static void
make_dev_reply(struct rte_mp_msg *m, int status)
{
	struct sriov_mp_dev *d = (void *)m->param;

	/* a refusal is the bare header */
	sriov_mp_msg_init(m, &d->h, status == 0 ? sizeof(*d) : sizeof(d->h),
			  SRIOV_MP_ATTACH, status);
	if (status == 0) {
		m->num_fds = SRIOV_MP_DEV_FDS;
		m->fds[0] = 100;
		m->fds[1] = 101;
	}
}

static void
test_init_fills_header(void **state)
{
	struct rte_mp_msg m = { .len_param = 0 };
	const struct sriov_mp_req *r = (const void *)m.param;

	(void)state;
	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	assert_string_equal(m.name, SRIOV_MP_ACTION);
	assert_int_equal(m.len_param, sizeof(struct sriov_mp_req));
	assert_int_equal(m.num_fds, 0);
	assert_int_equal(r->h.magic, SRIOV_MP_MAGIC);
	assert_int_equal(r->h.version, SRIOV_MP_VERSION);
	assert_int_equal(r->h.op, SRIOV_MP_ATTACH);
	assert_int_equal(r->h.pid, (uint32_t)getpid());
	assert_string_equal(r->h.build, sriov_mp_build());
	/* the build names DPDK's version and the plugin's */
	assert_non_null(strstr(sriov_mp_build(), "DPDK"));
	assert_non_null(strstr(sriov_mp_build(), "vftoken"));
}

static void
test_good_messages(void **state)
{
	struct rte_mp_msg m = { .len_param = 0 };

	(void)state;
	make_req(&m, SRIOV_MP_LIST, NULL);
	assert_int_equal(sriov_mp_req_check(&m, why, sizeof(why)), 0);
	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	assert_int_equal(sriov_mp_req_check(&m, why, sizeof(why)), 0);
	make_req(&m, SRIOV_MP_GONE, "sriov:0000:01:10.2");
	assert_int_equal(sriov_mp_req_check(&m, why, sizeof(why)), 0);
	make_dev_reply(&m, 0);
	assert_int_equal(sriov_mp_msg_check(&m, sizeof(struct sriov_mp_dev),
					    SRIOV_MP_DEV_FDS, SRIOV_MP_ATTACH,
					    why, sizeof(why)),
			 0);
	/* a refusal carries no fd */
	make_dev_reply(&m, -ENODEV);
	assert_int_equal(sriov_mp_msg_check(&m, sizeof(struct sriov_mp_dev),
					    SRIOV_MP_DEV_FDS, SRIOV_MP_ATTACH,
					    why, sizeof(why)),
			 0);
}

static void
expect_refused(const struct rte_mp_msg *m, int err, const char *needle)
{
	assert_int_equal(sriov_mp_req_check(m, why, sizeof(why)), err);
	if (strstr(why, needle) == NULL)
		fail_msg("reason \"%s\" does not name \"%s\"", why, needle);
}

static void
test_bad_header(void **state)
{
	struct rte_mp_msg m = { .len_param = 0 };
	struct sriov_mp_req *r = (void *)m.param;

	(void)state;
	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	r->h.magic = 0x12345678;
	expect_refused(&m, -EBADMSG, "0x12345678");

	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	r->h.version = 7;
	expect_refused(&m, -EPROTO, "version 7");

	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	r->h.op = 9;
	expect_refused(&m, -EBADMSG, "operation 9");

	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	memset(r->h.build, 'x', sizeof(r->h.build));
	expect_refused(&m, -EBADMSG, "build string not terminated");
}

/* A secondary of another DPDK or plugin build is told which runs where. */
static void
test_other_build(void **state)
{
	struct rte_mp_msg m = { .len_param = 0 };
	struct sriov_mp_req *r = (void *)m.param;

	(void)state;
	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	snprintf(r->h.build, sizeof(r->h.build), "DPDK 21.11.0, vftoken 0.0.9");
	r->h.pid = 4242;
	expect_refused(&m, -EPROTO, "process 4242 runs DPDK 21.11.0");
	assert_non_null(strstr(why, sriov_mp_build()));
}

static void
test_bad_shape(void **state)
{
	struct rte_mp_msg m = { .len_param = 0 };
	struct sriov_mp_req *r = (void *)m.param;

	(void)state;
	/* a primary without the bus answers with an empty message */
	memset(&m, 0, sizeof(m));
	assert_int_equal(sriov_mp_msg_check(&m, sizeof(struct sriov_mp_list), 0,
					    SRIOV_MP_LIST, why, sizeof(why)),
			 -ENOENT);
	assert_non_null(strstr(why, "0 bytes"));

	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	m.len_param = (int)sizeof(*r) - 1;
	expect_refused(&m, -EBADMSG, "expected");

	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	m.num_fds = 1;
	m.fds[0] = -1;
	expect_refused(&m, -EBADMSG, "1 fds");

	make_req(&m, SRIOV_MP_ATTACH, "0000:01:10.0");
	m.num_fds = 99;
	expect_refused(&m, -EBADMSG, "99 fds");

	make_req(&m, SRIOV_MP_ATTACH, NULL);
	memset(r->name, 'a', sizeof(r->name));
	expect_refused(&m, -EBADMSG, "name not terminated");

	make_req(&m, SRIOV_MP_ATTACH, NULL);
	expect_refused(&m, -EBADMSG, "without a device name");

	make_req(&m, SRIOV_MP_LIST, NULL);
	r->h.status = -EIO;
	expect_refused(&m, -EBADMSG, "status");

	/* a refusal with a body, or with fds */
	make_dev_reply(&m, -ENODEV);
	m.len_param = (int)sizeof(struct sriov_mp_dev);
	assert_int_equal(sriov_mp_msg_check(&m, sizeof(struct sriov_mp_dev),
					    SRIOV_MP_DEV_FDS, SRIOV_MP_ATTACH,
					    why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "expected 64"));
	make_dev_reply(&m, -ENODEV);
	m.num_fds = 2;
	assert_int_equal(sriov_mp_msg_check(&m, sizeof(struct sriov_mp_dev),
					    SRIOV_MP_DEV_FDS, SRIOV_MP_ATTACH,
					    why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "expected 0"));

	/* a device reply without its fds, or with the wrong op */
	make_dev_reply(&m, 0);
	m.num_fds = 1;
	assert_int_equal(sriov_mp_msg_check(&m, sizeof(struct sriov_mp_dev),
					    SRIOV_MP_DEV_FDS, SRIOV_MP_ATTACH,
					    why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "expected 2"));
	make_dev_reply(&m, 0);
	assert_int_equal(sriov_mp_msg_check(&m, sizeof(struct sriov_mp_dev),
					    SRIOV_MP_DEV_FDS, SRIOV_MP_LIST,
					    why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "(attach), expected 1 (list)"));
}

/* Fds of a refused message are closed, never leaked. */
static void
test_close_fds(void **state)
{
	struct rte_mp_msg m = { .len_param = 0 };
	int p[2], i;

	(void)state;
	assert_int_equal(pipe(p), 0);
	make_dev_reply(&m, 0);
	m.fds[0] = p[0];
	m.fds[1] = p[1];
	sriov_mp_msg_close_fds(&m);
	assert_int_equal(fcntl(p[0], F_GETFD), -1);
	assert_int_equal(fcntl(p[1], F_GETFD), -1);
	/* a count beyond the array is bounded */
	m.num_fds = 1000;
	for (i = 0; i < RTE_MP_MAX_FD_NUM; i++)
		m.fds[i] = -1;
	sriov_mp_msg_close_fds(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_fills_header),
		cmocka_unit_test(test_good_messages),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_other_build),
		cmocka_unit_test(test_bad_shape),
		cmocka_unit_test(test_close_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

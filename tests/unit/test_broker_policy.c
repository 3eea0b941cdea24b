/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The broker's policy (app/vftokend/vftokend_policy.c) and peer identity
 * (app/vftokend/vftokend_peer.c): parsing of every form and every error,
 * matching, the unit of a cgroup text, SO_PEERCRED on a real socketpair
 * with the real /proc and with a FAKE proc tree (a temporary directory the
 * test writes), and the rules vfd_policy_load() puts on the file.
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "vftokend_policy.h"

#define NOBODY 65534
#define ORIGIN "test.policy"

/* The example of doc/guides/broker_policy.inc. */
static const char example[] =
	"# who may open what\n"
	"allow uid=1000 action=open pf=0000:01:00.0 vf=0-3,5\n"
	"allow gid=2000 action=open dev=0000:01:00.0\n"
	"allow unit=sriov-fwd.service action=open pf=0000:01:00.0 vf=*\n"
	"allow unit=sriov-fwd.service action=rotate pf=0000:01:00.0\n"
	"deny  uid=1001 action=any dev=*\n"
	"allow anyone action=open dev=0000:02:00.0\n";

static char dir[256];

/* ---- helpers ---- */

static struct vfd_policy *
parse_ok(const char *text)
{
	struct vfd_policy *p = NULL;
	struct vft_err err;
	int rc;

	rc = vfd_policy_parse(text, strlen(text), ORIGIN, &p, &err);
	if (rc != 0)
		fail_msg("parse of \"%s\" failed: %s", text, err.msg);
	assert_non_null(p);
	return p;
}

/* Expect -EINVAL, *out NULL, and a message holding @want1 and @want2. */
static void
expect_error_n(const char *text, size_t len, const char *want1,
	       const char *want2)
{
	struct vfd_policy *p = (struct vfd_policy *)&p; /* not NULL */
	struct vft_err err;
	int rc;

	rc = vfd_policy_parse(text, len, ORIGIN, &p, &err);
	assert_int_equal(rc, -EINVAL);
	assert_null(p);
	assert_int_equal(err.code, -EINVAL);
	if (strstr(err.msg, want1) == NULL ||
	    (want2 != NULL && strstr(err.msg, want2) == NULL))
		fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", err.msg, want1,
			 want2 != NULL ? want2 : "");
}

static void
expect_error(const char *text, const char *want1, const char *want2)
{
	expect_error_n(text, strlen(text), want1, want2);
}

static struct vfd_peer
vfd_peer_of(uid_t uid, gid_t gid, const char *unit)
{
	struct vfd_peer p;

	memset(&p, 0, sizeof(p));
	p.uid = uid;
	p.gid = gid;
	p.pid = 4242;
	snprintf(p.unit, sizeof(p.unit), "%s", unit);
	return p;
}

static struct vft_pci_addr
addr_of(const char *s)
{
	struct vft_pci_addr a;

	assert_int_equal(vft_pci_addr_parse(s, &a), 0);
	return a;
}

/* A function asked for by address, not a VF. */
static struct vfd_target
tgt_fn(const char *addr)
{
	struct vfd_target t;

	memset(&t, 0, sizeof(t));
	t.addr = addr_of(addr);
	return t;
}

static struct vfd_target
tgt_vf(const char *addr, const char *pf, unsigned int index)
{
	struct vfd_target t = tgt_fn(addr);

	t.is_vf = true;
	t.pf = addr_of(pf);
	t.vf_index = index;
	return t;
}

/* Assert the decision and the deciding line. */
static void
expect_decision(const struct vfd_policy *p, const struct vfd_peer *peer,
		enum vfd_action act, const struct vfd_target *t, bool allow,
		unsigned int line)
{
	unsigned int got = 12345;
	bool ok = vfd_policy_allows(p, peer, act, t, &got);

	if (ok != allow || got != line)
		fail_msg("uid %u act %d: got %s at line %u, want %s at line %u",
			 (unsigned int)peer->uid, (int)act,
			 ok ? "allow" : "deny", got, allow ? "allow" : "deny",
			 line);
}

/* ---- parsing ---- */

static void
test_parse_example(void **state)
{
	struct vfd_policy *p;

	(void)state;
	p = parse_ok(example);
	assert_int_equal(vfd_policy_rules(p), 6);
	vfd_policy_free(p);
}

static void
test_parse_forms(void **state)
{
	static const char *const ok[] = {
		"",
		"\n\n   \n\t\n",
		"# only a comment\n   # indented comment\n",
		"allow uid=0 action=open dev=*", /* no newline */
		"allow uid=0 action=open dev=* # trailing\n",
		"allow\tuid=0\taction=open\tdev=*\r\n", /* tabs and CRLF */
		"deny anyone action=any dev=*\n",
		"allow uid=0 gid=0 action=open dev=01:00.0\n", /* no domain */
		"allow user=root action=rotate pf=0000:01:00.0\n",
		"allow group=root action=open pf=0001:01:00.1 vf=7\n",
		"allow unit=init.scope action=open dev=0001:00:1f.7\n",
		("allow uid=4294967294 action=open pf=10000:00:00.0 "
		 "vf=0,1,2-2,255\n"),
		"allow uid=1 action=open,open pf=00:00.0 vf=*,3\n",
		"allow action=open pf=00:00.0 uid=1\n", /* any order */
		"allow uid=1000,1001 gid=27,0 unit=a.service,b.scope "
		"user=root,root group=root action=open dev=*\n",
	};
	static const unsigned int rules[] = { 0, 0, 0, 1, 1, 1, 1, 1,
					      1, 1, 1, 1, 1, 1, 1 };
	struct vfd_policy *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		p = parse_ok(ok[i]);
		assert_int_equal(vfd_policy_rules(p), rules[i]);
		vfd_policy_free(p);
	}
	/* a text with no length is an empty policy; no place for it is not */
	p = NULL;
	assert_int_equal(vfd_policy_parse(NULL, 0, NULL, &p, NULL), 0);
	assert_int_equal(vfd_policy_rules(p), 0);
	vfd_policy_free(p);
	assert_int_equal(vfd_policy_parse("", 0, NULL, NULL, NULL), -EINVAL);
	p = (struct vfd_policy *)&p;
	assert_int_equal(vfd_policy_parse(NULL, 3, NULL, &p, NULL), -EINVAL);
	assert_null(p);
	assert_int_equal(vfd_policy_rules(NULL), 0);
	vfd_policy_free(NULL);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	expect_error("allow uid=1 action=open dev=* colour=red\n",
		     ORIGIN ":1: unknown key 'colour' (expected uid, user, "
			    "gid, group, unit, cgroup, action, dev, pf, vf)",
		     NULL);
	expect_error("\n# c\nallow uid=1 uid=2 action=open dev=*\n",
		     ORIGIN ":3: duplicate key 'uid'", NULL);
	expect_error("allow anyone anyone action=open dev=*\n",
		     ORIGIN ":1: duplicate 'anyone'", NULL);
	expect_error("allow uid=1 dev=*\n",
		     ORIGIN ":1: missing action=", "open, rotate, any");
	expect_error("allow uid=1 action=open\n", ORIGIN ":1: missing target",
		     "dev=ADDR");
	expect_error("allow action=open dev=*\n", ORIGIN ":1: missing who",
		     "anyone");
	expect_error("allow anyone uid=3 action=open dev=*\n",
		     ORIGIN ":1: 'anyone' must stand alone", NULL);
	expect_error("allow uid=1 action=open vf=1\n",
		     ORIGIN ":1: vf= without pf=", NULL);
	/* the old guide's example: rotate can never match a vf= list */
	expect_error("allow uid=1 action=open,rotate pf=0000:01:00.0 vf=*\n",
		     ORIGIN ":1: rotate with vf= never matches: a rotation "
			    "names the PF",
		     "action=rotate pf=ADDR");
	expect_error("allow uid=1 action=rotate pf=0000:01:00.0 vf=2\n",
		     ORIGIN ":1: rotate with vf= never matches", NULL);
	expect_error("allow uid=1 action=open dev=* pf=00:01.0\n",
		     ORIGIN ":1: both dev= and pf=", "exactly one target");
	expect_error("allow uid=1 action=open pf=00:01.0 vf=0,5-3\n",
		     ORIGIN ":1: bad VF range '5-3'", "M >= N");
	expect_error("allow uid=1 action=open pf=00:01.0 vf=256\n",
		     ORIGIN ":1: VF index 256", "0 to 255");
	expect_error("allow uid=1 action=open pf=00:01.0 vf=1-300\n",
		     ORIGIN ":1: VF index 300", "0 to 255");
	expect_error("allow uid=1 action=open pf=00:01.0 vf=x\n",
		     ORIGIN ":1: bad VF index 'x'", NULL);
	expect_error("allow uid=1 action=open pf=00:01.0 vf=1,\n",
		     ORIGIN ":1: bad VF index ''", NULL);
	expect_error("allow uid=1 action=open pf=00:01.0 vf=-2\n",
		     ORIGIN ":1: bad VF index ''", NULL);
	expect_error("allow uid=1 action=open dev=0000:zz:00.0\n",
		     ORIGIN ":1: bad PCI address '0000:zz:00.0' in dev=",
		     "DDDD:BB:DD.F");
	expect_error("allow uid=1 action=open pf=00:20.0 vf=1\n",
		     ORIGIN ":1: bad PCI address '00:20.0' in pf=", NULL);
	expect_error("allow uid=1 action=open pf=* vf=1\n",
		     ORIGIN ":1: bad PCI address '*' in pf=", NULL);
	expect_error("permit uid=1 action=open dev=*\n",
		     ORIGIN ":1: unknown verb 'permit'", "allow or deny");
	expect_error("uid=1 allow action=open dev=*\n",
		     ORIGIN ":1: unknown verb 'uid=1'", NULL);
	expect_error("allow uid=1 action=open dev=* everyone\n",
		     ORIGIN ":1: field 'everyone' is not key=value", NULL);
	expect_error("allow uid= action=open dev=*\n",
		     ORIGIN ":1: empty value for key 'uid'", NULL);
	expect_error("allow uid=-1 action=open dev=*\n",
		     ORIGIN ":1: bad uid '-1'", "decimal number");
	expect_error("allow uid=1000,x action=open dev=*\n",
		     ORIGIN ":1: bad uid 'x'", "decimal number");
	expect_error("allow uid=1000, action=open dev=*\n",
		     ORIGIN ":1: bad uid ''", NULL);
	expect_error("allow gid=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17 "
		     "action=open dev=*\n",
		     ORIGIN ":1: more than 16 values in gid=", NULL);
	expect_error("allow user=root,no-such-user-vftoken action=open dev=*\n",
		     ORIGIN ":1: unknown user 'no-such-user-vftoken'", NULL);
	expect_error("allow uid=4294967295 action=open dev=*\n",
		     ORIGIN ":1: bad uid '4294967295'", NULL);
	expect_error("allow gid=0x10 action=open dev=*\n",
		     ORIGIN ":1: bad gid '0x10'", NULL);
	expect_error("allow user=no-such-user-vftoken action=open dev=*\n",
		     ORIGIN ":1: unknown user 'no-such-user-vftoken'", NULL);
	expect_error("allow group=no-such-group-vftoken action=open dev=*\n",
		     ORIGIN ":1: unknown group 'no-such-group-vftoken'", NULL);
	expect_error("allow unit=sriov-fwd action=open dev=*\n",
		     ORIGIN ":1: bad unit 'sriov-fwd'", ".service or .scope");
	expect_error("allow unit=a$b.service action=open dev=*\n",
		     ORIGIN ":1: bad unit 'a$b.service'", NULL);
	expect_error("allow unit=a.service,b action=open dev=*\n",
		     ORIGIN ":1: bad unit 'b'", NULL);
	expect_error("allow unit=a.service,,b.service action=open dev=*\n",
		     ORIGIN ":1: bad unit ''", NULL);
	{
		char line[600];
		int n = snprintf(line, sizeof(line), "allow unit=");

		while (n < 300)
			n += snprintf(line + n, sizeof(line) - (size_t)n,
				      "abcdefgh.service,");
		snprintf(line + n - 1, sizeof(line) - (size_t)n + 1,
			 " action=open dev=*\n");
		expect_error(line, ORIGIN ":1: unit= list 'abcdefgh.service,",
			     "longer than 255 characters");
	}
	expect_error("allow uid=1 action=open,delete dev=*\n",
		     ORIGIN ":1: bad action 'delete'", "open, rotate, any");
	expect_error("allow uid=1 action=open, dev=*\n",
		     ORIGIN ":1: bad action ''", NULL);
	/* the first bad line is reported, after good ones */
	expect_error("allow uid=1 action=open dev=*\n"
		     "allow uid=2 action=open dev=*\n"
		     "allow uid=3 action=open dev=00:1.0\n",
		     ORIGIN ":3: bad PCI address '00:1.0'", NULL);
}

static void
test_parse_long_and_binary(void **state)
{
	char q[80], *big;
	size_t n = 5000;

	(void)state;
	/* a line of 4096 bytes is taken, one of 4097 is refused */
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "allow uid=1 action=open dev=*", 29);
	big[4096] = '\n';
	big[n] = '\0';
	{
		struct vfd_policy *p = NULL;

		assert_int_equal(vfd_policy_parse(big, n, ORIGIN, &p, NULL), 0);
		assert_int_equal(vfd_policy_rules(p), 1);
		vfd_policy_free(p);
	}
	big[4096] = ' ';
	expect_error_n(big, 4097, ORIGIN ":1: line is 4097 bytes long",
		       "at most 4096");
	/* a long bad value is cut in the message, not the message's end */
	memset(big, 'k', n);
	memcpy(big, "allow ", 6);
	big[4000] = '=';
	memcpy(big + 4001, "1 action=open dev=*", 19);
	expect_error_n(big, 4020, ORIGIN ":1: unknown key 'kkkk",
		       "...' (expected");
	free(big);
	/* a NUL byte inside a line, and bytes that are not text */
	expect_error_n("allow uid=1\0 action=open dev=*\n", 31,
		       ORIGIN ":1: NUL byte at column 12", NULL);
	snprintf(q, sizeof(q), "allow uid=1 action=open dev=\x01\xff\n");
	expect_error(q,
		     ORIGIN ":1: bad PCI address '?"
			    "?'",
		     NULL);
}

/* ---- matching ---- */

static void
test_match_example(void **state)
{
	struct vfd_policy *p = parse_ok(example);
	struct vfd_peer u1000 = vfd_peer_of(1000, 1000, "");
	struct vfd_peer u1001 = vfd_peer_of(1001, 2000, "sriov-fwd.service");
	struct vfd_peer grp = vfd_peer_of(1500, 1500, "");
	struct vfd_peer svc = vfd_peer_of(0, 0, "sriov-fwd.service");
	struct vfd_peer other = vfd_peer_of(3000, 3000, "foo.service");
	struct vfd_target pf = tgt_fn("0000:01:00.0");
	struct vfd_target vf[8];
	struct vfd_target other_nic = tgt_fn("0000:02:00.0");
	unsigned int i;

	(void)state;
	for (i = 0; i < 8; i++) {
		char a[32];

		snprintf(a, sizeof(a), "0000:01:%02x.%u", 2 + i / 8, i % 8);
		vf[i] = tgt_vf(a, "0000:01:00.0", i);
	}
	/* line 2: uid 1000 opens VFs 0-3 and 5, no other, not the PF */
	for (i = 0; i < 8; i++)
		expect_decision(p, &u1000, VFD_ACT_OPEN, &vf[i],
				i <= 3 || i == 5, (i <= 3 || i == 5) ? 2 : 0);
	expect_decision(p, &u1000, VFD_ACT_ROTATE, &vf[0], false, 0);
	expect_decision(p, &u1000, VFD_ACT_OPEN, &pf, false, 0);
	/* line 3: gid 2000 as a supplementary group opens the PF */
	grp.n_groups = 2;
	grp.groups[0] = 27;
	grp.groups[1] = 2000;
	expect_decision(p, &grp, VFD_ACT_OPEN, &pf, true, 3);
	grp.n_groups = 1;
	expect_decision(p, &grp, VFD_ACT_OPEN, &pf, false, 0);
	/* line 4: the unit opens every VF, not the PF itself; line 5: it
	 * rotates the PF's token (a rotation names the PF) */
	expect_decision(p, &svc, VFD_ACT_OPEN, &vf[6], true, 4);
	expect_decision(p, &svc, VFD_ACT_ROTATE, &pf, true, 5);
	expect_decision(p, &svc, VFD_ACT_ROTATE, &vf[7], false, 0);
	expect_decision(p, &svc, VFD_ACT_OPEN, &pf, false, 0);
	/* uid 1001 is primary gid 2000: line 3 comes before its deny */
	expect_decision(p, &u1001, VFD_ACT_OPEN, &pf, true, 3);
	expect_decision(p, &u1001, VFD_ACT_OPEN, &vf[4], true, 4);
	/* ... and is denied by line 6 what line 7 gives anyone */
	expect_decision(p, &u1001, VFD_ACT_OPEN, &other_nic, false, 6);
	expect_decision(p, &other, VFD_ACT_OPEN, &other_nic, true, 7);
	expect_decision(p, &other, VFD_ACT_ROTATE, &other_nic, false, 0);
	expect_decision(p, &other, VFD_ACT_OPEN, &vf[0], false, 0);
	vfd_policy_free(p);
}

/* Who some allow rule names: the others share a few connections. */
static void
test_policy_names(void **state)
{
	struct vfd_policy *p = parse_ok(example);
	struct vfd_peer u1000 = vfd_peer_of(1000, 1000, "");
	struct vfd_peer svc = vfd_peer_of(77, 77, "sriov-fwd.service");
	struct vfd_peer nobody = vfd_peer_of(NOBODY, NOBODY, "");

	(void)state;
	assert_true(vfd_policy_names(p, &u1000));
	assert_true(vfd_policy_names(p, &svc));
	/* "allow anyone" names everybody */
	assert_true(vfd_policy_names(p, &nobody));
	vfd_policy_free(p);
	p = parse_ok("allow uid=1000 action=open dev=*\n"
		     "deny uid=1001 action=any dev=*\n");
	assert_true(vfd_policy_names(p, &u1000));
	assert_false(vfd_policy_names(p, &nobody));
	nobody.uid = 1001;
	assert_false(vfd_policy_names(p, &nobody));
	vfd_policy_free(p);
	assert_false(vfd_policy_names(NULL, &u1000));
}

static void
test_match_first_wins(void **state)
{
	struct vfd_policy *p;
	struct vfd_peer a = vfd_peer_of(1000, 1000, ""),
			b = vfd_peer_of(7, 7, "");
	struct vfd_target t = tgt_fn("0000:03:00.0");

	(void)state;
	p = parse_ok("deny uid=1000 action=open dev=*\n"
		     "allow anyone action=open dev=*\n"
		     "deny anyone action=any dev=*\n");
	expect_decision(p, &a, VFD_ACT_OPEN, &t, false, 1);
	expect_decision(p, &b, VFD_ACT_OPEN, &t, true, 2);
	expect_decision(p, &b, VFD_ACT_ROTATE, &t, false, 3);
	vfd_policy_free(p);
	p = parse_ok("allow anyone action=open dev=*\n"
		     "deny uid=1000 action=open dev=*\n");
	expect_decision(p, &a, VFD_ACT_OPEN, &t, true, 1);
	vfd_policy_free(p);
	/* no rule: deny, line 0 */
	p = parse_ok("# nothing\n");
	expect_decision(p, &a, VFD_ACT_OPEN, &t, false, 0);
	vfd_policy_free(p);
}

static void
test_match_targets(void **state)
{
	struct vfd_policy *p;
	struct vfd_peer u = vfd_peer_of(5, 5, "");
	struct vfd_target vf3 = tgt_vf("0000:01:02.3", "0000:01:00.0", 3);
	struct vfd_target vf3b = tgt_vf("0000:01:02.3", "0000:01:00.1", 3);
	struct vfd_target pf = tgt_fn("0000:01:00.0");
	struct vfd_target far = tgt_vf("0000:01:1f.7", "0000:01:00.0", 255);
	unsigned int line;

	(void)state;
	/* dev=VFADDR matches the VF by its own address */
	p = parse_ok("allow uid=5 action=open dev=0000:01:02.3\n");
	expect_decision(p, &u, VFD_ACT_OPEN, &vf3, true, 1);
	expect_decision(p, &u, VFD_ACT_OPEN, &vf3b, true, 1);
	expect_decision(p, &u, VFD_ACT_OPEN, &pf, false, 0);
	vfd_policy_free(p);
	/* pf= vf= matches through the PF and index, only under that PF */
	p = parse_ok("allow uid=5 action=open pf=01:00.0 vf=3\n");
	expect_decision(p, &u, VFD_ACT_OPEN, &vf3, true, 1);
	expect_decision(p, &u, VFD_ACT_OPEN, &vf3b, false, 0);
	expect_decision(p, &u, VFD_ACT_OPEN, &pf, false, 0);
	vfd_policy_free(p);
	/* pf= alone is the PF function, not its VFs */
	p = parse_ok("allow uid=5 action=open pf=0000:01:00.0\n");
	expect_decision(p, &u, VFD_ACT_OPEN, &pf, true, 1);
	expect_decision(p, &u, VFD_ACT_OPEN, &vf3, false, 0);
	vfd_policy_free(p);
	/* vf=* is 0..255; an index beyond is no VF of the rule */
	p = parse_ok("allow uid=5 action=open pf=0000:01:00.0 vf=*\n");
	expect_decision(p, &u, VFD_ACT_OPEN, &far, true, 1);
	far.vf_index = 256;
	expect_decision(p, &u, VFD_ACT_OPEN, &far, false, 0);
	vfd_policy_free(p);
	/* lists and ranges: 0-3,5 and 250-255 */
	p = parse_ok(
		"allow uid=5 action=open pf=0000:01:00.0 vf=0-3,5,250-255\n");
	for (far.vf_index = 0; far.vf_index < 256; far.vf_index++) {
		bool in = far.vf_index <= 3 || far.vf_index == 5 ||
			  far.vf_index >= 250;

		expect_decision(p, &u, VFD_ACT_OPEN, &far, in, in ? 1 : 0);
	}
	vfd_policy_free(p);
	/* dev=* matches anything */
	p = parse_ok("allow uid=5 action=rotate dev=*\n");
	expect_decision(p, &u, VFD_ACT_ROTATE, &vf3b, true, 1);
	expect_decision(p, &u, VFD_ACT_ROTATE, &pf, true, 1);
	expect_decision(p, &u, VFD_ACT_OPEN, &pf, false, 0);
	/* only one known action is decided on; NULLs are denied */
	expect_decision(p, &u, (enum vfd_action)0, &pf, false, 0);
	expect_decision(p, &u, (enum vfd_action)(VFD_ACT_OPEN | VFD_ACT_ROTATE),
			&pf, false, 0);
	line = 9;
	assert_false(vfd_policy_allows(NULL, &u, VFD_ACT_ROTATE, &pf, &line));
	assert_int_equal(line, 0);
	assert_false(vfd_policy_allows(p, NULL, VFD_ACT_ROTATE, &pf, NULL));
	assert_false(vfd_policy_allows(p, &u, VFD_ACT_ROTATE, NULL, NULL));
	assert_true(vfd_policy_allows(p, &u, VFD_ACT_ROTATE, &pf, NULL));
	vfd_policy_free(p);
}

static void
test_match_who(void **state)
{
	struct vfd_policy *p;
	struct vfd_peer u = vfd_peer_of(1000, 100, "foo.service");
	struct vfd_peer root = vfd_peer_of(0, 0, "");
	struct vfd_target t = tgt_fn("0000:04:00.0");

	(void)state;
	/* gid= is the primary group or a supplementary one */
	p = parse_ok("allow gid=27 action=open dev=*\n");
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	u.gid = 27;
	expect_decision(p, &u, VFD_ACT_OPEN, &t, true, 1);
	u.gid = 100;
	u.n_groups = 3;
	u.groups[0] = 4;
	u.groups[1] = 24;
	u.groups[2] = 27;
	expect_decision(p, &u, VFD_ACT_OPEN, &t, true, 1);
	u.n_groups = 2;
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	/* a count beyond the array is not read beyond it */
	u.n_groups = 1000;
	expect_decision(p, &u, VFD_ACT_OPEN, &t, true, 1);
	u.n_groups = 0;
	vfd_policy_free(p);
	/* unit= is exact; no unit matches no unit= rule */
	p = parse_ok("allow unit=foo.service action=open dev=*\n");
	expect_decision(p, &u, VFD_ACT_OPEN, &t, true, 1);
	snprintf(u.unit, sizeof(u.unit), "foo.service.d.service");
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	u.unit[0] = '\0';
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	vfd_policy_free(p);
	/* every who given must match */
	p = parse_ok("allow uid=1000 unit=foo.service action=open dev=*\n");
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	snprintf(u.unit, sizeof(u.unit), "foo.service");
	expect_decision(p, &u, VFD_ACT_OPEN, &t, true, 1);
	u.uid = 1001;
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	vfd_policy_free(p);
	/* a list matches any of its values; the keys still all must match */
	p = parse_ok("allow uid=7,1000,1001 gid=5,100 "
		     "unit=a.service,foo.service,b.scope action=open dev=*\n");
	u.uid = 1000;
	expect_decision(p, &u, VFD_ACT_OPEN, &t, true, 1);
	u.uid = 7;
	snprintf(u.unit, sizeof(u.unit), "b.scope");
	expect_decision(p, &u, VFD_ACT_OPEN, &t, true, 1);
	u.uid = 1002;
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	u.uid = 1001;
	snprintf(u.unit, sizeof(u.unit), "b");
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	snprintf(u.unit, sizeof(u.unit), "a.service,foo.service");
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	snprintf(u.unit, sizeof(u.unit), "a.service");
	expect_decision(p, &u, VFD_ACT_OPEN, &t, true, 1);
	u.gid = 6;
	expect_decision(p, &u, VFD_ACT_OPEN, &t, false, 0);
	u.n_groups = 1;
	u.groups[0] = 5;
	expect_decision(p, &u, VFD_ACT_OPEN, &t, true, 1);
	vfd_policy_free(p);
	/* user= and group= are resolved at parse time (root is uid/gid 0) */
	p = parse_ok("allow user=root group=root action=open dev=*\n");
	expect_decision(p, &root, VFD_ACT_OPEN, &t, true, 1);
	root.gid = 5;
	expect_decision(p, &root, VFD_ACT_OPEN, &t, false, 0);
	root.uid = 1;
	root.gid = 0;
	expect_decision(p, &root, VFD_ACT_OPEN, &t, false, 0);
	vfd_policy_free(p);
}

/* ---- the unit of a cgroup text ---- */

static void
expect_unit(const char *text, const char *want)
{
	char unit[VFD_UNIT_LEN];

	memset(unit, 'x', sizeof(unit));
	if (vfd_unit_from_cgroup(text, unit, sizeof(unit)) != 0)
		fail_msg("cgroup text \"%s\" refused", text);
	if (strcmp(unit, want) != 0)
		fail_msg("cgroup text \"%s\": unit \"%s\", want \"%s\"", text,
			 unit, want);
}

static void
test_unit_from_cgroup(void **state)
{
	static const char *const garbage[] = {
		"hello\n",
		"0:/system.slice/a.service\n",
		"x::/system.slice/a.service\n",
		":name=systemd:/a.service\n",
		"0::system.slice/a.service\n",
		"0::\n",
		"0::/a.service\n0::/b.service\n",
		"0::/ok.service\nbroken\n",
	};
	char unit[VFD_UNIT_LEN], small[8];
	size_t i;

	(void)state;
	expect_unit("0::/system.slice/sriov-fwd.service\n",
		    "sriov-fwd.service");
	expect_unit("0::/user.slice/user-1000.slice/user@1000.service/"
		    "app.slice/foo.service\n",
		    "foo.service");
	expect_unit("0::/user.slice/user-1000.slice/user@1000.service\n", "");
	expect_unit("0::/user.slice/user-1000.slice/user@1000.service/"
		    "init.scope\n",
		    "init.scope");
	expect_unit("0::/user.slice/user-1000.slice/session-4.scope\n",
		    "session-4.scope");
	expect_unit("0::/system.slice/getty@tty1.service\n",
		    "getty@tty1.service");
	/* a sub-cgroup of a unit (Delegate=) is still the unit */
	expect_unit("0::/system.slice/sriov-fwd.service/payload\n",
		    "sriov-fwd.service");
	/* a removed cgroup, a name that is no unit name */
	expect_unit("0::/system.slice/gone.service (deleted)\n",
		    "gone.service");
	expect_unit("0::/system.slice/a.service/b c.service\n", "a.service");
	expect_unit("0::/system.slice/.service\n", "");
	expect_unit("0::/\n", "");
	expect_unit("0::/init.scope\n", "init.scope");
	expect_unit("", "");
	expect_unit("\n\n", "");
	/* cgroup v1 lines are read past; only the v2 line counts */
	expect_unit("1:name=systemd:/system.slice/v1.service\n", "");
	expect_unit("12:cpu,cpuacct:/system.slice/v1.service\n"
		    "1:name=systemd:/system.slice/v1.service\n"
		    "0::/system.slice/v2.service",
		    "v2.service");
	expect_unit("0::/system.slice/path:with:colons.service\n",
		    "path:with:colons.service");
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		if (vfd_unit_from_cgroup(garbage[i], unit, sizeof(unit)) !=
		    -EINVAL)
			fail_msg("garbage \"%s\" accepted", garbage[i]);
	/* a unit longer than the buffer, and no buffer */
	assert_int_equal(vfd_unit_from_cgroup("0::/system.slice/toolong."
					      "service\n",
					      small, sizeof(small)),
			 -EINVAL);
	assert_int_equal(vfd_unit_from_cgroup(NULL, unit, sizeof(unit)),
			 -EINVAL);
	assert_int_equal(vfd_unit_from_cgroup("0::/\n", NULL, 1), -EINVAL);
	assert_int_equal(vfd_unit_from_cgroup("0::/\n", unit, 0), -EINVAL);
}

static void
test_unit_name_valid(void **state)
{
	(void)state;
	assert_true(vfd_unit_name_valid("a.service", 9));
	assert_true(vfd_unit_name_valid("x-y_z:1\\x2d@b.scope", 19));
	assert_false(vfd_unit_name_valid("a.service", 8));
	assert_false(vfd_unit_name_valid(".service", 8));
	assert_false(vfd_unit_name_valid("a.slice", 7));
	assert_false(vfd_unit_name_valid("a b.service", 11));
	assert_false(vfd_unit_name_valid(NULL, 3));
	assert_false(vfd_unit_name_valid("", 0));
}

/* ---- the peer ---- */

/* A FAKE proc tree for unit tests: DIR/fakeproc/PID/{status,cgroup}. */
static void
fake_proc_write(pid_t pid, const char *name, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/fakeproc/%ld", dir, (long)pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/fakeproc/%ld/%s", dir, (long)pid, name);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void
fake_proc_status(pid_t pid, uid_t euid, const char *groups)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "Name:\ttest_broker_pol\nPid:\t%ld\n"
		 "Uid:\t%lu\t%lu\t%lu\t%lu\nGid:\t0\t0\t0\t0\n"
		 "FDSize:\t64\nGroups:\t%s\nVmPeak:\t1 kB\n",
		 (long)pid, (unsigned long)euid, (unsigned long)euid,
		 (unsigned long)euid, (unsigned long)euid, groups);
	fake_proc_write(pid, "status", text);
}

static void
fake_proc_remove(pid_t pid)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/fakeproc/%ld/status", dir, (long)pid);
	unlink(p);
	snprintf(p, sizeof(p), "%s/fakeproc/%ld/cgroup", dir, (long)pid);
	unlink(p);
	snprintf(p, sizeof(p), "%s/fakeproc/%ld", dir, (long)pid);
	rmdir(p);
}

static void
fake_proc_root(char *p, size_t len)
{
	snprintf(p, len, "%s/fakeproc", dir);
}

static void
socket_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
}

static void
test_peer_fake_proc(void **state)
{
	char root[PATH_MAX];
	struct vfd_peer peer;
	struct vft_err err;
	pid_t me = getpid();
	int sv[2];

	(void)state;
	fake_proc_root(root, sizeof(root));
	fake_proc_status(me, geteuid(), "4 24 27 2000 ");
	fake_proc_write(me, "cgroup",
			"0::/system.slice/sriov-fwd.service/payload\n");
	socket_pair(sv);
	assert_int_equal(vfd_peer_read(sv[0], root, &peer, &err), 0);
	assert_int_equal(peer.uid, geteuid());
	assert_int_equal(peer.gid, getegid());
	assert_int_equal(peer.pid, me);
	assert_int_equal(peer.n_groups, 4);
	assert_int_equal(peer.groups[0], 4);
	assert_int_equal(peer.groups[3], 2000);
	assert_string_equal(peer.unit, "sriov-fwd.service");
	/* no supplementary group, no unit */
	fake_proc_status(me, geteuid(), "");
	fake_proc_write(me, "cgroup", "0::/\n");
	assert_int_equal(vfd_peer_read(sv[1], root, &peer, &err), 0);
	assert_int_equal(peer.n_groups, 0);
	assert_string_equal(peer.unit, "");
	fake_proc_remove(me);
	close(sv[0]);
	close(sv[1]);
}

static void
test_peer_vanished(void **state)
{
	char root[PATH_MAX];
	struct vfd_peer peer;
	struct vft_err err;
	pid_t me = getpid();
	int sv[2];

	(void)state;
	fake_proc_root(root, sizeof(root));
	socket_pair(sv);
	/* no PID entry in the fake tree: the pid is gone, not an error */
	fake_proc_remove(me);
	peer.n_groups = 77;
	assert_int_equal(vfd_peer_read(sv[0], root, &peer, &err), 0);
	assert_int_equal(peer.uid, geteuid());
	assert_int_equal(peer.pid, me);
	assert_int_equal(peer.n_groups, 0);
	assert_string_equal(peer.unit, "");
	/* gone between status and cgroup: no half of the identity */
	fake_proc_status(me, geteuid(), "27");
	assert_int_equal(vfd_peer_read(sv[0], root, &peer, &err), 0);
	assert_int_equal(peer.n_groups, 0);
	assert_string_equal(peer.unit, "");
	fake_proc_remove(me);
	close(sv[0]);
	close(sv[1]);
}

static void
expect_peer_error(int fd, const char *root, int code, const char *want)
{
	struct vfd_peer peer;
	struct vft_err err;

	assert_int_equal(vfd_peer_read(fd, root, &peer, &err), code);
	assert_int_equal(err.code, code);
	if (strstr(err.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
	assert_int_equal(peer.n_groups, 0);
	assert_string_equal(peer.unit, "");
}

static void
test_peer_errors(void **state)
{
	char root[PATH_MAX], groups[1024], want[64];
	pid_t me = getpid();
	size_t n = 0;
	int sv[2], pfd[2], i;

	(void)state;
	fake_proc_root(root, sizeof(root));
	socket_pair(sv);
	/* the pid runs as another user now: reused, not the peer */
	fake_proc_status(me, geteuid() + 1, "");
	fake_proc_write(me, "cgroup", "0::/\n");
	snprintf(want, sizeof(want), "pid %ld runs as uid %lu now", (long)me,
		 (unsigned long)geteuid() + 1);
	expect_peer_error(sv[0], root, -ESRCH, want);
	/* more groups than the peer holds: refused, not cut */
	for (i = 0; i <= VFD_MAX_GROUPS; i++)
		n += (size_t)snprintf(groups + n, sizeof(groups) - n, "%d ",
				      100 + i);
	fake_proc_status(me, geteuid(), groups);
	expect_peer_error(sv[0], root, -E2BIG, "more than 64 supplementary");
	fake_proc_status(me, geteuid(), "4 x 5");
	expect_peer_error(sv[0], root, -EINVAL, "bad Groups: line");
	fake_proc_status(me, geteuid(), "4 5");
	fake_proc_write(me, "cgroup", "garbage\n");
	expect_peer_error(sv[0], root, -EINVAL, "/cgroup is not");
	fake_proc_write(me, "status", "Name:\tx\n");
	expect_peer_error(sv[0], root, -EINVAL, "no readable Uid: line");
	fake_proc_remove(me);
	/* SO_PEERCRED on something that is not a socket */
	assert_int_equal(pipe(pfd), 0);
	snprintf(want, sizeof(want), "SO_PEERCRED on fd %d", pfd[0]);
	expect_peer_error(pfd[0], root, -ENOTSOCK, want);
	close(pfd[0]);
	close(pfd[1]);
	assert_int_equal(vfd_peer_read(sv[0], root, NULL, NULL), -EINVAL);
	close(sv[0]);
	close(sv[1]);
}

/* The real /proc: the groups and unit of this very process. */
static void
test_peer_real_proc(void **state)
{
	char text[16384], unit[VFD_UNIT_LEN];
	gid_t groups[VFD_MAX_GROUPS];
	struct vfd_peer peer;
	struct vft_err err;
	int sv[2], n, i, fd;
	ssize_t len;

	(void)state;
	n = getgroups(VFD_MAX_GROUPS, groups);
	assert_true(n >= 0);
	fd = open("/proc/self/cgroup", O_RDONLY);
	assert_true(fd >= 0);
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(len >= 0);
	text[len] = '\0';
	assert_int_equal(vfd_unit_from_cgroup(text, unit, sizeof(unit)), 0);
	socket_pair(sv);
	if (vfd_peer_read(sv[0], NULL, &peer, &err) != 0)
		fail_msg("vfd_peer_read on /proc: %s", err.msg);
	assert_int_equal(peer.pid, getpid());
	assert_int_equal(peer.uid, geteuid());
	assert_int_equal(peer.n_groups, (unsigned int)n);
	for (i = 0; i < n; i++)
		assert_int_equal(peer.groups[i], groups[i]);
	assert_string_equal(peer.unit, unit);
	print_message("real /proc: %d groups, unit '%s'\n", n, unit);
	close(sv[0]);
	close(sv[1]);
}

/* A listening unix socket in the abstract namespace, for real clients. */
static int
listen_abstract(struct sockaddr_un *sa, socklen_t *len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int n;

	assert_true(fd >= 0);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		     "vftoken-test-broker-policy-%ld", (long)getpid());
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   (size_t)n);
	assert_int_equal(bind(fd, (struct sockaddr *)sa, *len), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* In a child: connect to @sa, and either leave at once or wait for a
 * byte from the parent. Never returns. */
static void
child_connect(const struct sockaddr_un *sa, socklen_t len, bool linger)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	char b = 0;

	if (fd < 0 || connect(fd, (const struct sockaddr *)sa, len) != 0)
		_exit(2);
	if (linger && (write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1))
		_exit(3);
	_exit(0);
}

/* Accept the connection of child @pid, failing (not hanging) if it never
 * connects. */
static int
accept_child(int lfd, pid_t pid)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&pfd, 1, 10000) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("child %ld did not connect within 10 s", (long)pid);
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void
expect_child_exit(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* A real client of another uid and groups, on the real /proc (root). */
static void
test_peer_real_other_user(void **state)
{
	static const gid_t groups[] = { 27, 100 };
	struct sockaddr_un sa;
	struct vfd_peer peer;
	struct vft_err err;
	socklen_t len;
	int lfd, fd, rc;
	pid_t pid;
	char b;

	(void)state;
	if (geteuid() != 0) {
		print_message("SKIPPED test_peer_real_other_user: not root, "
			      "cannot start a client of another uid\n");
		skip();
	}
	lfd = listen_abstract(&sa, &len);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(2, groups) != 0 || setgid(NOBODY) != 0 ||
		    setuid(NOBODY) != 0)
			_exit(4);
		child_connect(&sa, len, true);
	}
	fd = accept_child(lfd, pid);
	assert_int_equal(read(fd, &b, 1), 1);
	rc = vfd_peer_read(fd, NULL, &peer, &err);
	assert_int_equal(write(fd, &b, 1), 1);
	expect_child_exit(pid);
	if (rc != 0)
		fail_msg("vfd_peer_read of the child: %s", err.msg);
	assert_int_equal(peer.pid, pid);
	assert_int_equal(peer.uid, NOBODY);
	assert_int_equal(peer.gid, NOBODY);
	assert_int_equal(peer.n_groups, 2);
	assert_int_equal(peer.groups[0], 27);
	assert_int_equal(peer.groups[1], 100);
	close(fd);
	close(lfd);
}

/* A real client that exited before the broker looked: not an error. */
static void
test_peer_real_vanished(void **state)
{
	struct sockaddr_un sa;
	struct vfd_peer peer;
	struct vft_err err;
	socklen_t len;
	int lfd, fd;
	pid_t pid;

	(void)state;
	lfd = listen_abstract(&sa, &len);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_connect(&sa, len, false);
	expect_child_exit(pid); /* reaped: /proc/PID is gone */
	fd = accept_child(lfd, pid);
	peer.n_groups = 77;
	if (vfd_peer_read(fd, NULL, &peer, &err) != 0)
		fail_msg("vfd_peer_read of a gone client: %s", err.msg);
	assert_int_equal(peer.pid, pid);
	assert_int_equal(peer.uid, geteuid());
	assert_int_equal(peer.n_groups, 0);
	assert_string_equal(peer.unit, "");
	close(fd);
	close(lfd);
}

/* cgroup=: parsing, matching below a path, the peer's path from its
 * /proc/PID/cgroup text, and how the log shows it. */
static void
test_cgroup(void **state)
{
	struct vfd_peer u = vfd_peer_of(1000, 1000, "");
	struct vfd_target t0 = tgt_vf("0000:01:10.0", "0000:01:00.0", 0);
	struct vfd_target t1 = tgt_vf("0000:01:10.2", "0000:01:00.0", 1);
	struct vfd_policy *p;
	char path[VFD_CGROUP_LEN + 1], buf[VFD_PEER_FMT_LEN];
	char line[VFD_CGROUP_LEN + 64];

	(void)state;
	p = parse_ok("allow uid=1000 cgroup=/vftoken-a action=open "
		     "pf=0000:01:00.0 vf=0,1\n"
		     "allow uid=1000 cgroup=/vftoken-b action=open "
		     "pf=0000:01:00.0 vf=0\n");
	/* a container's cgroup below its engine's parent */
	snprintf(u.cgroup, sizeof(u.cgroup), "/vftoken-a/libpod-0123abcd");
	expect_decision(p, &u, VFD_ACT_OPEN, &t1, true, 1);
	snprintf(u.cgroup, sizeof(u.cgroup), "/vftoken-a");
	expect_decision(p, &u, VFD_ACT_OPEN, &t1, true, 1);
	/* B: VF 0 only; a sibling whose name starts the same is not below */
	snprintf(u.cgroup, sizeof(u.cgroup), "/vftoken-b/libpod-0123abcd");
	expect_decision(p, &u, VFD_ACT_OPEN, &t0, true, 2);
	expect_decision(p, &u, VFD_ACT_OPEN, &t1, false, 0);
	snprintf(u.cgroup, sizeof(u.cgroup), "/vftoken-ab/libpod-0123abcd");
	expect_decision(p, &u, VFD_ACT_OPEN, &t0, false, 0);
	/* the same names elsewhere in the tree (a user's delegated part) */
	snprintf(u.cgroup, sizeof(u.cgroup),
		 "/user.slice/user-1000.slice/user@1000.service/vftoken-a");
	expect_decision(p, &u, VFD_ACT_OPEN, &t0, false, 0);
	/* no cgroup (pid gone, pid 0) matches no cgroup= rule */
	u.cgroup[0] = '\0';
	expect_decision(p, &u, VFD_ACT_OPEN, &t0, false, 0);
	/* every who given must match: uid too */
	snprintf(u.cgroup, sizeof(u.cgroup), "/vftoken-a/x");
	u.uid = 1001;
	expect_decision(p, &u, VFD_ACT_OPEN, &t0, false, 0);
	assert_true(vfd_policy_names(
		p, &(struct vfd_peer){ .uid = 1000, .cgroup = "/vftoken-b" }));
	vfd_policy_free(p);
	/* cgroup= alone is a who */
	p = parse_ok("allow cgroup=/kubepods.slice/kubepods-pod1234.slice "
		     "action=open dev=*\n");
	snprintf(u.cgroup, sizeof(u.cgroup),
		 "/kubepods.slice/kubepods-pod1234.slice/"
		 "cri-containerd-ab.scope");
	expect_decision(p, &u, VFD_ACT_OPEN, &t0, true, 1);
	vfd_policy_free(p);

	/* bad values */
	expect_error("allow cgroup=vftoken-a action=open dev=*\n",
		     ORIGIN ":1: bad cgroup 'vftoken-a' (expected an absolute",
		     NULL);
	expect_error("allow cgroup=/ action=open dev=*\n",
		     ORIGIN ":1: bad cgroup '/'", NULL);
	expect_error("allow cgroup=/a/ action=open dev=*\n",
		     ORIGIN ":1: bad cgroup '/a/'", NULL);
	expect_error("allow cgroup=/a//b action=open dev=*\n",
		     ORIGIN ":1: bad cgroup '/a//b'", NULL);
	expect_error("allow cgroup=/a/../b action=open dev=*\n",
		     ORIGIN ":1: bad cgroup '/a/../b'", NULL);
	expect_error("allow cgroup=/a/./b action=open dev=*\n",
		     ORIGIN ":1: bad cgroup '/a/./b'", NULL);
	expect_error("allow cgroup=/a,/b action=open dev=*\n",
		     ORIGIN ":1: bad cgroup '/a,/b'", NULL);
	expect_error("allow anyone cgroup=/a action=open dev=*\n",
		     ORIGIN ":1: 'anyone' must stand alone", NULL);
	expect_error("allow cgroup=/a cgroup=/b action=open dev=*\n",
		     ORIGIN ":1: duplicate key 'cgroup'", NULL);
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(line, sizeof(line), "allow cgroup=%s action=open dev=*\n",
		 path);
	expect_error(line, ORIGIN ":1: bad cgroup '/aaaa", NULL);
	assert_false(vfd_cgroup_path_valid(path));
	path[sizeof(path) - 2] = '\0';
	assert_true(vfd_cgroup_path_valid(path));

	/* the path of a /proc/PID/cgroup text */
	assert_int_equal(vfd_cgroup_from_text("0::/vftoken-a/libpod-12\n", path,
					      sizeof(path)),
			 0);
	assert_string_equal(path, "/vftoken-a/libpod-12");
	assert_int_equal(vfd_cgroup_from_text("1:name=systemd:/x\n"
					      "0::/a/b.scope\n",
					      path, sizeof(path)),
			 0);
	assert_string_equal(path, "/a/b.scope");
	assert_int_equal(vfd_cgroup_from_text("0::/gone (deleted)\n", path,
					      sizeof(path)),
			 0);
	assert_string_equal(path, "");
	assert_int_equal(vfd_cgroup_from_text("3:cpu:/a\n", path, sizeof(path)),
			 0);
	assert_string_equal(path, "");
	assert_int_equal(
		vfd_cgroup_from_text("0::/a\n0::/b\n", path, sizeof(path)),
		-EINVAL);
	assert_int_equal(vfd_cgroup_from_text("0::/abcdefgh\n", path, 5),
			 -ENAMETOOLONG);

	/* the log: the cgroup when it says more than the unit */
	u.uid = 1000;
	u.pid = 42;
	snprintf(u.cgroup, sizeof(u.cgroup), "/vftoken-a/libpod-12");
	vfd_peer_format(&u, buf, sizeof(buf));
	assert_string_equal(buf, "uid=1000 gid=1000 pid=42 unit=- "
				 "cgroup=/vftoken-a/libpod-12");
	snprintf(u.unit, sizeof(u.unit), "foo.service");
	snprintf(u.cgroup, sizeof(u.cgroup), "/system.slice/foo.service");
	vfd_peer_format(&u, buf, sizeof(buf));
	assert_string_equal(buf, "uid=1000 gid=1000 pid=42 unit=foo.service");
	snprintf(u.cgroup, sizeof(u.cgroup), "/");
	vfd_peer_format(&u, buf, sizeof(buf));
	assert_string_equal(buf, "uid=1000 gid=1000 pid=42 unit=foo.service");
	snprintf(u.cgroup, sizeof(u.cgroup), "/m.slice/libpod-1.scope/ctr\n");
	vfd_peer_format(&u, buf, sizeof(buf));
	assert_string_equal(buf, "uid=1000 gid=1000 pid=42 unit=foo.service "
				 "cgroup=/m.slice/libpod-1.scope/ctr?");
	/* no terminator: no read beyond the arrays */
	memset(u.cgroup, 'c', sizeof(u.cgroup));
	memset(u.unit, 'u', sizeof(u.unit));
	vfd_peer_format(&u, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
}

static void
test_peer_format(void **state)
{
	struct vfd_peer p = vfd_peer_of(1000, 1001, "foo.service");
	char buf[128], small[12];

	(void)state;
	p.pid = 42;
	vfd_peer_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "uid=1000 gid=1001 pid=42 unit=foo.service");
	p.unit[0] = '\0';
	vfd_peer_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "uid=1000 gid=1001 pid=42 unit=-");
	/* a unit that is no unit name does not reach the log as it is */
	snprintf(p.unit, sizeof(p.unit), "a b\n.service");
	vfd_peer_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "uid=1000 gid=1001 pid=42 unit=a?b?.service");
	/* no terminator in the unit: read no further than the array */
	memset(p.unit, 'u', sizeof(p.unit));
	vfd_peer_format(&p, buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	vfd_peer_format(&p, small, sizeof(small));
	assert_string_equal(small, "uid=1000 gi");
	vfd_peer_format(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "peer=-");
	vfd_peer_format(&p, NULL, 0);
}

/* ---- the policy file ---- */

static void
policy_path(char *p, const char *name)
{
	snprintf(p, PATH_MAX, "%s/%s", dir, name);
}

static void
write_policy(const char *name, const char *text, mode_t mode)
{
	char p[PATH_MAX];
	int fd;

	policy_path(p, name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
expect_load_error(const char *name, int code, const char *want)
{
	struct vfd_policy *p = (struct vfd_policy *)&p;
	struct vft_err err;
	char path[PATH_MAX];

	policy_path(path, name);
	assert_int_equal(vfd_policy_load(path, &p, &err), code);
	assert_null(p);
	assert_int_equal(err.code, code);
	if (strstr(err.msg, path) == NULL || strstr(err.msg, want) == NULL)
		fail_msg("message \"%s\" lacks the path %s or \"%s\"", err.msg,
			 path, want);
}

static void
test_load_ok(void **state)
{
	struct vfd_policy *p = NULL;
	struct vft_err err;
	char path[PATH_MAX];
	static const mode_t modes[] = { 0600, 0644, 0400, 0444, 0640 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		write_policy("ok.policy", example, modes[i]);
		policy_path(path, "ok.policy");
		if (vfd_policy_load(path, &p, &err) != 0)
			fail_msg("mode %04o: %s", (unsigned int)modes[i],
				 err.msg);
		assert_int_equal(vfd_policy_rules(p), 6);
		vfd_policy_free(p);
	}
	/* a parse error names the file and the line */
	write_policy("bad.policy", "\nallow uid=1 action=open dev=1\n", 0644);
	expect_load_error("bad.policy", -EINVAL, ":2: bad PCI address '1'");
}

static void
test_load_refused(void **state)
{
	static const mode_t modes[] = { 0666, 0646, 0664, 0620, 0602, 0622 };
	char path[PATH_MAX], target[PATH_MAX], want[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		write_policy("loose.policy", example, modes[i]);
		snprintf(want, sizeof(want), "(mode %04o;",
			 (unsigned int)modes[i]);
		expect_load_error("loose.policy", -EPERM, want);
		expect_load_error("loose.policy", -EPERM,
				  "writable by group or others");
	}
	policy_path(path, "a-dir");
	assert_int_equal(mkdir(path, 0755), 0);
	expect_load_error("a-dir", -EPERM, "is a directory");
	policy_path(path, "a-fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_load_error("a-fifo", -EPERM, "is a FIFO"); /* does not block */
	write_policy("target.policy", example, 0644);
	policy_path(target, "target.policy");
	policy_path(path, "link.policy");
	assert_int_equal(symlink(target, path), 0);
	expect_load_error("link.policy", -EPERM, "is a symbolic link");
	expect_load_error("missing.policy", -ENOENT, "cannot open policy file");
	assert_int_equal(vfd_policy_load(NULL, NULL, NULL), -EINVAL);
}

static void
test_load_wrong_owner(void **state)
{
	char path[PATH_MAX];

	(void)state;
	if (geteuid() != 0) {
		print_message("SKIPPED test_load_wrong_owner: not root, cannot "
			      "chown a file to another owner\n");
		skip();
	}
	write_policy("foreign.policy", example, 0644);
	policy_path(path, "foreign.policy");
	assert_int_equal(chown(path, NOBODY, NOBODY), 0);
	expect_load_error("foreign.policy", -EPERM, "owned by uid 65534");
	/* a root-owned file in a group other than root's is fine */
	assert_int_equal(chown(path, 0, NOBODY), 0);
	{
		struct vfd_policy *p = NULL;
		struct vft_err err;

		if (vfd_policy_load(path, &p, &err) != 0)
			fail_msg("root-owned, group nobody: %s", err.msg);
		vfd_policy_free(p);
	}
}

/* ---- set-up ---- */

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
setup(void **state)
{
	char p[PATH_MAX];
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/vfb-policy-XXXXXX",
		 tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(p, sizeof(p), "%s/fakeproc", dir);
	return mkdir(p, 0755);
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* What vfd_policy_check() reported. */
struct check_log {
	unsigned int n;
	char msg[8][VFT_ERR_MSG_LEN];
	int code[8];
};

static void
check_collect(void *ctx, const struct vft_err *err)
{
	struct check_log *l = ctx;

	if (l->n < 8) {
		snprintf(l->msg[l->n], sizeof(l->msg[0]), "%s", err->msg);
		l->code[l->n] = err->code;
	}
	l->n++;
}

/* Every bad line is reported, in order, each with its line number; the
 * good lines around them do not stop it; a clean text reports nothing. */
static void
test_check_all_errors(void **state)
{
	static const char text[] =
		"# comment\n"
		"allow uid=1000 action=open pf=0000:01:00.0 vf=0\n"
		"allow uid=x action=open dev=*\n"
		"\n"
		"deny uid=1001 action=any dev=*\n"
		"allow uid=1 action=fly dev=*\n"
		"permit uid=1 action=open dev=*\n"
		"allow uid=1 action=open\n";
	static const char clean[] =
		"allow uid=1000 action=open pf=0000:01:00.0 vf=0\n";
	struct check_log l;
	struct vfd_policy *p = NULL;
	struct vft_err err;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(vfd_policy_check(text, strlen(text), "t.policy",
					  check_collect, &l),
			 4);
	assert_int_equal(l.n, 4);
	assert_non_null(strstr(l.msg[0], "t.policy:3: bad uid 'x'"));
	assert_non_null(strstr(l.msg[1], "t.policy:6: bad action 'fly'"));
	assert_non_null(strstr(l.msg[2], "t.policy:7: unknown verb 'permit'"));
	assert_non_null(strstr(l.msg[3], "t.policy:8: "));
	assert_int_equal(l.code[0], -EINVAL);
	/* the parser proper still stops at the first */
	vft_err_clear(&err);
	assert_int_equal(
		vfd_policy_parse(text, strlen(text), "t.policy", &p, &err),
		-EINVAL);
	assert_null(p);
	assert_non_null(strstr(err.msg, "t.policy:3: "));

	memset(&l, 0, sizeof(l));
	assert_int_equal(
		vfd_policy_check(clean, strlen(clean), "c", check_collect, &l),
		0);
	assert_int_equal(l.n, 0);
	assert_int_equal(vfd_policy_check("", 0, "e", check_collect, &l), 0);
	assert_int_equal(
		vfd_policy_check(clean, strlen(clean), "c", NULL, NULL),
		-EINVAL);
}

/* The file form: the file rules of vfd_policy_load() are one report. */
static void
test_check_file(void **state)
{
	static const char bad_file[] = "allow uid=x action=open dev=*\nbad\n";
	char path[64];
	struct check_log l;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/vft-policy-check-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bad_file, strlen(bad_file)),
			 (ssize_t)strlen(bad_file));
	close(fd);
	assert_int_equal(chmod(path, 0644), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(vfd_policy_check_file(path, check_collect, &l), 2);
	assert_int_equal(l.n, 2);
	assert_non_null(strstr(l.msg[1], ":2: "));
	assert_int_equal(chmod(path, 0666), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(vfd_policy_check_file(path, check_collect, &l), 1);
	assert_int_equal(l.n, 1);
	assert_non_null(strstr(l.msg[0], "writable by group or others"));
	unlink(path);
	memset(&l, 0, sizeof(l));
	assert_int_equal(vfd_policy_check_file(path, check_collect, &l), 1);
	assert_non_null(strstr(l.msg[0], "cannot open policy file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_example),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_check_all_errors),
		cmocka_unit_test(test_check_file),
		cmocka_unit_test(test_parse_long_and_binary),
		cmocka_unit_test(test_match_example),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_match_first_wins),
		cmocka_unit_test(test_match_targets),
		cmocka_unit_test(test_match_who),
		cmocka_unit_test(test_unit_from_cgroup),
		cmocka_unit_test(test_unit_name_valid),
		cmocka_unit_test(test_peer_fake_proc),
		cmocka_unit_test(test_peer_vanished),
		cmocka_unit_test(test_peer_errors),
		cmocka_unit_test(test_peer_real_proc),
		cmocka_unit_test(test_peer_real_other_user),
		cmocka_unit_test(test_peer_real_vanished),
		cmocka_unit_test(test_peer_format),
		cmocka_unit_test(test_cgroup),
		cmocka_unit_test(test_load_ok),
		cmocka_unit_test(test_load_refused),
		cmocka_unit_test(test_load_wrong_owner),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * libFuzzer harness for the broker's policy (app/vftokend): on any bytes,
 * vfd_policy_parse() must not crash or leak, must fail with -EINVAL (or
 * -ENOMEM) leaving no policy and a message that starts with "ORIGIN:LINE:",
 * or give a policy; for a policy, vfd_policy_allows() on fixed peers and
 * targets must decide by a line of the input that starts with the verb of
 * the decision ("allow" for an allow), or deny with line 0. The same bytes
 * as a /proc/PID/cgroup text must give 0 or -EINVAL, and a unit only of a
 * name vfd_unit_name_valid() takes.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_ref.h"
#include "vftokend_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ORIGIN "fuzz.policy"

static struct vfd_peer
fz_peer(uid_t uid, gid_t gid, gid_t group, const char *unit)
{
	struct vfd_peer p;

	memset(&p, 0, sizeof(p));
	p.uid = uid;
	p.gid = gid;
	p.pid = 42;
	p.n_groups = 1;
	p.groups[0] = group;
	snprintf(p.unit, sizeof(p.unit), "%s", unit);
	return p;
}

static struct vfd_target
fz_target(uint32_t domain, uint8_t bus, uint8_t dev, uint8_t fn, bool is_vf,
	  unsigned int index)
{
	struct vfd_target t;

	memset(&t, 0, sizeof(t));
	t.addr.domain = domain;
	t.addr.bus = bus;
	t.addr.dev = dev;
	t.addr.fn = fn;
	t.is_vf = is_vf;
	if (is_vf) {
		t.pf.domain = domain;
		t.pf.bus = bus;
		t.vf_index = index;
	}
	return t;
}

static bool
fz_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Line @line (1-based) of the input, after blanks, starts with @verb. */
static bool
fz_line_starts(const uint8_t *data, size_t size, unsigned int line,
	       const char *verb)
{
	size_t i = 0, k = strlen(verb);
	unsigned int n = 1;

	while (n < line && i < size)
		if (data[i++] == '\n')
			n++;
	if (n != line)
		return false;
	while (i < size && fz_blank(data[i]))
		i++;
	if (size - i < k || memcmp(data + i, verb, k) != 0)
		return false;
	i += k;
	return i == size || fz_blank(data[i]) || data[i] == '\n' ||
	       data[i] == '#';
}

/* One decision: by a line whose verb is the decision's, or line 0. */
static void
fz_decide(const struct vfd_policy *p, const struct vfd_peer *peer,
	  enum vfd_action act, const struct vfd_target *t, const uint8_t *data,
	  size_t size)
{
	unsigned int line = 12345;
	bool ok = vfd_policy_allows(p, peer, act, t, &line);

	FUZZ_CHECK(line != 12345);
	if (act == 0 || vfd_policy_rules(p) == 0)
		FUZZ_CHECK(!ok && line == 0);
	if (ok)
		FUZZ_CHECK(fz_line_starts(data, size, line, "allow"));
	else if (line != 0)
		FUZZ_CHECK(fz_line_starts(data, size, line, "deny"));
}

static void
fz_decisions(const struct vfd_policy *p, const uint8_t *data, size_t size)
{
	struct vfd_peer peers[] = {
		fz_peer(0, 0, 0, ""),
		fz_peer(1000, 1000, 2000, "sriov-fwd.service"),
		fz_peer(1001, 27, 4, "session-1.scope"),
		fz_peer(4294967294u, 4294967294u, 1000, "a.service"),
	};
	struct vfd_target targets[] = {
		fz_target(0, 1, 0, 0, false, 0),
		fz_target(0, 1, 2, 3, true, 3),
		fz_target(0, 1, 0x1f, 7, true, 255),
		fz_target(0x10000, 0xff, 0, 1, false, 0),
		fz_target(0, 2, 0, 0, true, 300),
	};
	static const enum vfd_action acts[] = { VFD_ACT_OPEN, VFD_ACT_ROTATE,
						(enum vfd_action)0 };
	size_t i, j, k;

	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++)
		for (j = 0; j < sizeof(targets) / sizeof(targets[0]); j++)
			for (k = 0; k < sizeof(acts) / sizeof(acts[0]); k++)
				fz_decide(p, &peers[i], acts[k], &targets[j],
					  data, size);
}

static void
fz_policy(const uint8_t *data, size_t size)
{
	struct vfd_policy *p = (struct vfd_policy *)&p;
	struct vft_err err;
	int rc;

	memset(&err, 0x5a, sizeof(err));
	rc = vfd_policy_parse((const char *)data, size, ORIGIN, &p, &err);
	FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
	if (rc != 0) {
		FUZZ_CHECK(rc == -EINVAL || rc == -ENOMEM);
		FUZZ_CHECK(p == NULL);
		FUZZ_CHECK(err.code == rc);
		FUZZ_CHECK(strncmp(err.msg, ORIGIN ":", strlen(ORIGIN) + 1) ==
			   0);
		return;
	}
	FUZZ_CHECK(p != NULL);
	FUZZ_CHECK(vfd_policy_rules(p) <= size / 20 + 1);
	fz_decisions(p, data, size);
	vfd_policy_free(p);
}

static void
fz_cgroup(const uint8_t *data, size_t size)
{
	char *s = ref_strdup(data, size);
	char unit[VFD_UNIT_LEN], log[512];
	struct vfd_peer peer;
	size_t n;
	int rc;

	rc = vfd_unit_from_cgroup(s, unit, sizeof(unit));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	if (rc == 0 && unit[0] != '\0')
		FUZZ_CHECK(vfd_unit_name_valid(unit, strlen(unit)));
	/* whatever the unit holds, the log line is bounded and terminated */
	memset(&peer, 0, sizeof(peer));
	n = size < sizeof(peer.unit) ? size : sizeof(peer.unit);
	memcpy(peer.unit, s, n);
	vfd_peer_format(&peer, log, sizeof(log));
	FUZZ_CHECK(strlen(log) < sizeof(log));
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_policy(data, size);
	fz_cgroup(data, size);
	return 0;
}

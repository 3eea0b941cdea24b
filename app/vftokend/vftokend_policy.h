/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef VFTOKEND_POLICY_H
#define VFTOKEND_POLICY_H

/*
 * The broker's policy (who may open or rotate which PCI function) and the
 * identity of a client (SO_PEERCRED, then /proc/PID). The grammar and its
 * rules are in doc/guides/broker_policy.inc.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vftoken.h" /* lib/vftoken: struct vft_pci_addr, vft_err */

#define VFD_UNIT_LEN 256
#define VFD_MAX_GROUPS 64
/* Longest cgroup v2 path kept for a peer and taken by cgroup=; a peer in
 * a longer one is refused (not judged on part of its path). Kubernetes'
 * pod and container cgroups are under 200 characters. */
#define VFD_CGROUP_LEN 512
/* A buffer vfd_peer_format() fills whole. */
#define VFD_PEER_FMT_LEN (96 + VFD_UNIT_LEN + VFD_CGROUP_LEN)

/* Who is asking: from SO_PEERCRED and /proc/PID. */
struct vfd_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	unsigned int n_groups;	      /* supplementary groups */
	gid_t groups[VFD_MAX_GROUPS]; /* from /proc/PID/status "Groups:" */
	char unit[VFD_UNIT_LEN];      /* systemd unit of the pid, "" if none */
	/* cgroup v2 path of the pid as the broker sees it (from the host's
	 * cgroup namespace: the whole path, whatever namespace the client
	 * has), "" if none or removed */
	char cgroup[VFD_CGROUP_LEN];
};

enum vfd_action { VFD_ACT_OPEN = 1u << 0, VFD_ACT_ROTATE = 1u << 1 };

/* What is asked for; the daemon fills it from sysfs. */
struct vfd_target {
	struct vft_pci_addr addr; /* the function asked for */
	bool is_vf;
	struct vft_pci_addr pf; /* when is_vf: its PF */
	unsigned int vf_index; /* when is_vf: VF index under the PF (0-based) */
};

struct vfd_policy; /* opaque */

/* Parse a policy text; errors name origin:line, the bad field and what was
 * expected. On failure *out is NULL and nothing leaks. An empty text is a
 * policy of no rule (it denies everything). */
int vfd_policy_parse(const char *text, size_t len, const char *origin,
		     struct vfd_policy **out, struct vft_err *err);
/* Read and parse a file. Refuse (clear error, -EPERM) a file that is not a
 * regular file (a symbolic link included), not owned by root (uid 0) or by
 * the daemon's own euid, or writable by group or others: the policy decides
 * who gets devices. A file that cannot be opened: -errno, naming the path. */
int vfd_policy_load(const char *path, struct vfd_policy **out,
		    struct vft_err *err);
/* Called with the error of each bad line (its text names ORIGIN:LINE). */
typedef void (*vfd_report_fn)(void *ctx, const struct vft_err *err);
/* Check a policy text as vfd_policy_parse() reads it, but go on past a bad
 * line: every bad line is reported through @p report, in order. @return
 * the number of bad lines (0: the policy is clean), or -ENOMEM / -EINVAL
 * (no @p report) when it could not check. */
int vfd_policy_check(const char *text, size_t len, const char *origin,
		     vfd_report_fn report, void *ctx);
/* The same for the file at @p path, under the rules of vfd_policy_load():
 * a file it would refuse is one report (and 1 is returned). */
int vfd_policy_check_file(const char *path, vfd_report_fn report, void *ctx);
void vfd_policy_free(struct vfd_policy *p);
/* Number of rules (for the daemon's start-up log line). */
unsigned int vfd_policy_rules(const struct vfd_policy *p);
/* True when some allow rule names @p peer (by who only, any action or
 * target): a peer no rule names can be told no at once. */
bool vfd_policy_names(const struct vfd_policy *p, const struct vfd_peer *peer);
/* First matching rule decides; none: deny. *line (may be NULL) gets the
 * deciding rule's line number, 0 for the default deny. @act is one action
 * (VFD_ACT_OPEN or VFD_ACT_ROTATE); anything else is denied by default. */
bool vfd_policy_allows(const struct vfd_policy *p, const struct vfd_peer *peer,
		       enum vfd_action act, const struct vfd_target *t,
		       unsigned int *line);

/* SO_PEERCRED of connected unix socket @fd, then supplementary groups and
 * the unit from PROC/PID/status and PROC/PID/cgroup (@proc_root: "/proc"
 * normally, NULL means "/proc", a fake tree in unit tests). A pid whose
 * /proc entry vanished, or now belongs to another effective uid than the
 * one of SO_PEERCRED (pid reused), gets n_groups 0 and unit "" (not an
 * error); SO_PEERCRED failing is, and so is a status or cgroup text that
 * cannot be read or parsed, or more than VFD_MAX_GROUPS groups (-E2BIG):
 * the daemon then refuses rather than decide on part of the identity. */
int vfd_peer_read(int fd, const char *proc_root, struct vfd_peer *peer,
		  struct vft_err *err);
/* The unit of a /proc/PID/cgroup text: the cgroup v2 line "0::/PATH", the
 * last path component ending in ".service" or ".scope" that is not a
 * "user@N.service" manager (e.g. "0::/system.slice/sriov-fwd.service" ->
 * "sriov-fwd.service"; "0::/user.slice/user-1000.slice/user@1000.service/
 * app.slice/foo.service" -> "foo.service"); "" if none (also: no v2 line,
 * root cgroup "/"). A component with characters no unit name has is not a
 * unit. Returns 0, or -EINVAL on a malformed text (a line that is not
 * "ID:CONTROLLERS:/PATH", two v2 lines, a unit longer than @len - 1). */
int vfd_unit_from_cgroup(const char *text, char *unit, size_t len);
/* The cgroup v2 path of a /proc/PID/cgroup text ("0::/PATH" -> "/PATH")
 * into @path; "" when there is no v2 line or the cgroup was removed
 * ("/PATH (deleted)"). Returns 0, -EINVAL on a malformed text (as
 * vfd_unit_from_cgroup()), -ENAMETOOLONG if the path does not fit @len. */
int vfd_cgroup_from_text(const char *text, char *path, size_t len);
/* True if @path is a cgroup= value: an absolute path below the root, at
 * most VFD_CGROUP_LEN - 1 bytes of printable ASCII with no blank or ',',
 * no empty, "." or ".." component, no trailing '/'. */
bool vfd_cgroup_path_valid(const char *path);
/* True if @peer_path is @rule_path or below it (a component boundary:
 * "/a/b" is below "/a", "/ab" is not). */
bool vfd_cgroup_below(const char *peer_path, const char *rule_path);
/* True if the @n bytes at @name are a unit name vfd_unit_from_cgroup() can
 * return: letters, digits and ":_.\@-", ending in ".service" or ".scope"
 * after at least one character, shorter than VFD_UNIT_LEN. The policy's
 * unit= takes the same names. */
bool vfd_unit_name_valid(const char *name, size_t n);
/* "uid=1000 gid=1000 pid=42 unit=foo.service" (unit=- if none), for logs,
 * then " cgroup=PATH" when the peer has a cgroup other than its unit's own
 * (a container's, a session's); @len VFD_PEER_FMT_LEN shows it whole. */
void vfd_peer_format(const struct vfd_peer *peer, char *buf, size_t len);

#endif /* VFTOKEND_POLICY_H */

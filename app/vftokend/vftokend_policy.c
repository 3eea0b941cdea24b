/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The broker's policy file: one rule per line, "allow|deny WHO... action=
 * TARGET", first match decides, deny by default. The grammar is documented
 * in doc/guides/broker_policy.inc; every refusal of the parser names
 * FILE:LINE, the field and what was expected.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vftokend_policy.h"

/* Longest line, without its newline. */
#define VFD_LINE_MAX 4096
/* Largest policy file vfd_policy_load() reads. */
#define VFD_FILE_MAX (1u << 20)
/* Most rules in one policy. */
#define VFD_RULES_MAX 65536u
/* VF indexes 0..255 (lib/vftoken's VFT_MAX_VFS). */
#define VFD_VF_MAX 256u
/* Characters of a value quoted in a message. */
#define VFD_QUOTE_MAX 64
/* Most values in the comma list of uid=, user=, gid= or group=. */
#define VFD_WHO_MAX 16
/* Largest buffer for getpwnam_r() and getgrnam_r(). */
#define VFD_NSS_BUF_MAX (1u << 20)

/* The first four are the keys of ids (struct vfd_rule's ids[]). */
enum vfd_key {
	VFD_K_UID,
	VFD_K_USER,
	VFD_K_GID,
	VFD_K_GROUP,
	VFD_K_UNIT,
	VFD_K_CGROUP,
	VFD_K_ACTION,
	VFD_K_DEV,
	VFD_K_PF,
	VFD_K_VF,
	VFD_K_COUNT
};

static const char *const vfd_key_names[VFD_K_COUNT] = {
	"uid",	  "user",   "gid", "group", "unit",
	"cgroup", "action", "dev", "pf",    "vf",
};

#define VFD_KEY_BIT(k) (1u << (k))
#define VFD_WHO_KEYS                                         \
	(VFD_KEY_BIT(VFD_K_UID) | VFD_KEY_BIT(VFD_K_USER) |  \
	 VFD_KEY_BIT(VFD_K_GID) | VFD_KEY_BIT(VFD_K_GROUP) | \
	 VFD_KEY_BIT(VFD_K_UNIT) | VFD_KEY_BIT(VFD_K_CGROUP))
#define VFD_ACT_ALL (VFD_ACT_OPEN | VFD_ACT_ROTATE)

enum vfd_target_kind {
	VFD_TGT_ANY, /* dev=* */
	VFD_TGT_DEV, /* dev=ADDR */
	VFD_TGT_PF,  /* pf=ADDR alone: the PF function itself */
	VFD_TGT_VFS, /* pf=ADDR vf=LIST */
};

struct vfd_rule {
	unsigned int line;
	bool allow;
	bool anyone;
	unsigned int keys; /* VFD_KEY_BIT() of each key given */
	/* uid=, user=, gid=, group= by enum vfd_key: any id of a list
	 * matches; user= and group= are resolved at parse time */
	unsigned int n_ids[VFD_K_UNIT];
	unsigned int ids[VFD_K_UNIT][VFD_WHO_MAX];
	char units[VFD_UNIT_LEN];    /* unit=, a comma list */
	char cgroup[VFD_CGROUP_LEN]; /* cgroup=: this cgroup or below */
	unsigned int actions;	     /* enum vfd_action bits */
	bool rotate_named;	     /* "rotate" itself in action= */
	enum vfd_target_kind kind;
	struct vft_pci_addr addr; /* dev= or pf= */
	uint8_t vfs[VFD_VF_MAX / 8];
};

struct vfd_policy {
	unsigned int n;
	unsigned int cap;
	struct vfd_rule *rules;
};

/* Where the parser is, for its messages. */
struct vfd_ctx {
	const char *origin;
	unsigned int line;
	struct vft_err *err;
};

/* ---- messages ---- */

/* -EINVAL with "ORIGIN:LINE: " and the message. */
static int vfd_fail(const struct vfd_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
vfd_fail(const struct vfd_ctx *c, const char *fmt, ...)
{
	char what[VFT_ERR_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return vft_err_set(c->err, -EINVAL, "%s:%u: %s", c->origin, c->line,
			   what);
}

/*
 * A value as it appears in a message: at most VFD_QUOTE_MAX characters
 * (then "..."), bytes that are not printable ASCII shown as '?', so that
 * binary input cannot garble a log line.
 */
static const char *
vfd_quote(char out[VFD_QUOTE_MAX + 4], const char *s)
{
	size_t i;

	for (i = 0; i < VFD_QUOTE_MAX && s[i] != '\0'; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* ---- values ---- */

/* A decimal number from 0 to @max, digits only. */
static int
vfd_parse_num(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (s[0] == '\0')
		return -EINVAL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

/* uid= and gid=: one number; (uid_t)-1 means "no id" to the kernel. */
static int
vfd_parse_id(const struct vfd_ctx *c, const char *key, const char *val,
	     unsigned int *out)
{
	unsigned long v;

	if (vfd_parse_num(val, 4294967294ul, &v) != 0) {
		char q[VFD_QUOTE_MAX + 4];

		return vfd_fail(c,
				"bad %s '%s' (expected a decimal number from 0 "
				"to 4294967294)",
				key, vfd_quote(q, val));
	}
	*out = (unsigned int)v;
	return 0;
}

/* A buffer for getpwnam_r()/getgrnam_r(), grown while they say ERANGE. */
static char *
vfd_nss_buf(char *old, size_t *size)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *b;

	if (*size == 0)
		*size = hint > 0 ? (size_t)hint : 4096;
	else
		*size *= 2;
	b = realloc(old, *size);
	if (b == NULL)
		free(old);
	return b;
}

/* One NSS lookup of a name: fills @p id; 0, ERANGE (buffer too small) or
 * an errno; *found false when the name is unknown. */
typedef int (*vfd_nss_fn)(const char *name, char *buf, size_t size,
			  unsigned int *id, bool *found);

static int
vfd_nss_user(const char *name, char *buf, size_t size, unsigned int *id,
	     bool *found)
{
	struct passwd pw, *res = NULL;
	int rc = getpwnam_r(name, &pw, buf, size, &res);

	*found = rc == 0 && res != NULL;
	if (*found)
		*id = pw.pw_uid;
	return rc;
}

static int
vfd_nss_group(const char *name, char *buf, size_t size, unsigned int *id,
	      bool *found)
{
	struct group gr, *res = NULL;
	int rc = getgrnam_r(name, &gr, buf, size, &res);

	*found = rc == 0 && res != NULL;
	if (*found)
		*id = gr.gr_gid;
	return rc;
}

/* user= or group= @p name: its id through NSS (@p what: "user", "group";
 * @p call: the libc function, named in the error; @p key: the numeric key
 * that says the same, "uid", "gid"). */
static int
vfd_lookup(const struct vfd_ctx *c, vfd_nss_fn fn, const char *what,
	   const char *call, const char *key, const char *name,
	   unsigned int *id)
{
	char q[VFD_QUOTE_MAX + 4];
	size_t size = 0;
	char *buf = NULL;
	bool found = false;
	int rc;

	do {
		buf = vfd_nss_buf(buf, &size);
		if (buf == NULL)
			return vfd_fail(c, "no memory to look up %s '%s'", what,
					vfd_quote(q, name));
		rc = fn(name, buf, size, id, &found);
	} while (rc == ERANGE && size < VFD_NSS_BUF_MAX);
	free(buf);
	if (rc != 0)
		return vfd_fail(c, "cannot look up %s '%s': %s", what,
				vfd_quote(q, name), strerror(rc));
	if (!found)
		return vfd_fail(c,
				"unknown %s '%s' (expected a %s name %s "
				"knows, or %s=N)",
				what, vfd_quote(q, name), what, call, key);
	return 0;
}

/* Split @s at the next ',' (in place); @return the item, NULL at the end. */
static char *
vfd_next_item(char **s)
{
	char *item = *s, *comma;

	if (item == NULL)
		return NULL;
	comma = strchr(item, ',');
	if (comma != NULL) {
		*comma = '\0';
		*s = comma + 1;
	} else {
		*s = NULL;
	}
	return item;
}

/* unit=: a comma list of unit names, kept whole for matching. */
static int
vfd_parse_units(const struct vfd_ctx *c, char *val, struct vfd_rule *r)
{
	char q[VFD_QUOTE_MAX + 4];
	size_t n = strlen(val);
	char *item;

	if (n >= VFD_UNIT_LEN)
		return vfd_fail(c,
				"unit= list '%s' is longer than %u characters",
				vfd_quote(q, val), VFD_UNIT_LEN - 1);
	memcpy(r->units, val, n + 1);
	while ((item = vfd_next_item(&val)) != NULL)
		if (!vfd_unit_name_valid(item, strlen(item)))
			return vfd_fail(c,
					"bad unit '%s' (expected a systemd "
					"unit name ending in .service or "
					".scope, of letters, digits and "
					":_.\\@-)",
					vfd_quote(q, item));
	return 0;
}

/* cgroup=: one absolute cgroup v2 path (doc/guides/broker_policy.inc). */
static int
vfd_parse_cgroup(const struct vfd_ctx *c, const char *val, struct vfd_rule *r)
{
	if (!vfd_cgroup_path_valid(val)) {
		char q[VFD_QUOTE_MAX + 4];

		return vfd_fail(c,
				"bad cgroup '%s' (expected an absolute cgroup "
				"v2 path below the root such as "
				"/machine.slice/fwd.slice, printable with no "
				"blank or ',', no '.' or '..' component, at "
				"most %u characters)",
				vfd_quote(q, val), VFD_CGROUP_LEN - 1);
	}
	memcpy(r->cgroup, val, strlen(val) + 1);
	return 0;
}

static int
vfd_parse_one_id(const struct vfd_ctx *c, enum vfd_key k, const char *item,
		 unsigned int *id)
{
	switch (k) {
	case VFD_K_USER:
		return vfd_lookup(c, vfd_nss_user, "user", "getpwnam_r", "uid",
				  item, id);
	case VFD_K_GROUP:
		return vfd_lookup(c, vfd_nss_group, "group", "getgrnam_r",
				  "gid", item, id);
	default:
		return vfd_parse_id(c, vfd_key_names[k], item, id);
	}
}

/* uid=, user=, gid=, group=: a comma list of at most VFD_WHO_MAX. */
static int
vfd_parse_ids(const struct vfd_ctx *c, enum vfd_key k, char *val,
	      struct vfd_rule *r)
{
	char *item;

	while ((item = vfd_next_item(&val)) != NULL) {
		if (r->n_ids[k] == VFD_WHO_MAX)
			return vfd_fail(c,
					"more than %u values in %s= (expected "
					"a shorter list, or a group)",
					VFD_WHO_MAX, vfd_key_names[k]);
		if (vfd_parse_one_id(c, k, item, &r->ids[k][r->n_ids[k]]) != 0)
			return -EINVAL;
		r->n_ids[k]++;
	}
	return 0;
}

static int
vfd_parse_actions(const struct vfd_ctx *c, char *val, struct vfd_rule *r)
{
	char q[VFD_QUOTE_MAX + 4];
	char *item;

	while ((item = vfd_next_item(&val)) != NULL) {
		r->rotate_named |= strcmp(item, "rotate") == 0;
		if (strcmp(item, "open") == 0)
			r->actions |= VFD_ACT_OPEN;
		else if (strcmp(item, "rotate") == 0)
			r->actions |= VFD_ACT_ROTATE;
		else if (strcmp(item, "any") == 0)
			r->actions |= VFD_ACT_ALL;
		else
			return vfd_fail(c,
					"bad action '%s' in action= (expected "
					"open, rotate, any or a comma list of "
					"them)",
					vfd_quote(q, item));
	}
	return 0;
}

static int
vfd_parse_addr(const struct vfd_ctx *c, const char *key, const char *val,
	       struct vft_pci_addr *a)
{
	if (vft_pci_addr_parse(val, a) != 0) {
		char q[VFD_QUOTE_MAX + 4];

		return vfd_fail(c,
				"bad PCI address '%s' in %s= (expected "
				"DDDD:BB:DD.F or BB:DD.F%s)",
				vfd_quote(q, val), key,
				strcmp(key, "dev") == 0 ? ", or *" : "");
	}
	return 0;
}

/* One VF index of a vf= list. */
static int
vfd_parse_vf_index(const struct vfd_ctx *c, const char *s, unsigned int *out)
{
	char q[VFD_QUOTE_MAX + 4];
	unsigned long v;
	int rc = vfd_parse_num(s, VFD_VF_MAX - 1, &v);

	if (rc == -ERANGE)
		return vfd_fail(c,
				"VF index %s in vf= is out of range (expected "
				"0 to %u)",
				vfd_quote(q, s), VFD_VF_MAX - 1);
	if (rc != 0)
		return vfd_fail(c,
				"bad VF index '%s' in vf= (expected N, N-M or "
				"*, with indexes from 0 to %u)",
				vfd_quote(q, s), VFD_VF_MAX - 1);
	*out = (unsigned int)v;
	return 0;
}

/* One item of a vf= list: "*", "N" or "N-M". */
static int
vfd_parse_vf_item(const struct vfd_ctx *c, char *item, struct vfd_rule *r)
{
	char whole[VFD_QUOTE_MAX + 4];
	unsigned int lo, hi, i;
	char *dash;

	if (strcmp(item, "*") == 0) {
		memset(r->vfs, 0xff, sizeof(r->vfs));
		return 0;
	}
	vfd_quote(whole, item);
	dash = strchr(item, '-');
	if (dash != NULL)
		*dash = '\0';
	if (vfd_parse_vf_index(c, item, &lo) != 0)
		return -EINVAL;
	hi = lo;
	if (dash != NULL && vfd_parse_vf_index(c, dash + 1, &hi) != 0)
		return -EINVAL;
	if (hi < lo)
		return vfd_fail(c,
				"bad VF range '%s' in vf= (expected N-M with "
				"M >= N)",
				whole);
	for (i = lo; i <= hi; i++)
		r->vfs[i / 8] |= (uint8_t)(1u << (i % 8));
	return 0;
}

static int
vfd_parse_vfs(const struct vfd_ctx *c, char *val, struct vfd_rule *r)
{
	char *item;

	while ((item = vfd_next_item(&val)) != NULL)
		if (vfd_parse_vf_item(c, item, r) != 0)
			return -EINVAL;
	return 0;
}

/* ---- one line ---- */

static int
vfd_key_lookup(const char *key)
{
	int k;

	for (k = 0; k < VFD_K_COUNT; k++)
		if (strcmp(key, vfd_key_names[k]) == 0)
			return k;
	return -1;
}

static int
vfd_parse_value(const struct vfd_ctx *c, enum vfd_key k, char *val,
		struct vfd_rule *r)
{
	switch (k) {
	case VFD_K_UID:
	case VFD_K_USER:
	case VFD_K_GID:
	case VFD_K_GROUP:
		return vfd_parse_ids(c, k, val, r);
	case VFD_K_UNIT:
		return vfd_parse_units(c, val, r);
	case VFD_K_CGROUP:
		return vfd_parse_cgroup(c, val, r);
	case VFD_K_ACTION:
		return vfd_parse_actions(c, val, r);
	case VFD_K_DEV:
		if (strcmp(val, "*") == 0) {
			r->kind = VFD_TGT_ANY;
			return 0;
		}
		r->kind = VFD_TGT_DEV;
		return vfd_parse_addr(c, "dev", val, &r->addr);
	case VFD_K_PF:
		return vfd_parse_addr(c, "pf", val, &r->addr);
	case VFD_K_VF:
		return vfd_parse_vfs(c, val, r);
	case VFD_K_COUNT:
		break;
	}
	return vfd_fail(c, "internal error: key %d", (int)k);
}

/* One whitespace-separated field after the verb. */
static int
vfd_parse_field(const struct vfd_ctx *c, char *f, struct vfd_rule *r)
{
	char q[VFD_QUOTE_MAX + 4];
	char *eq;
	int k;

	if (strcmp(f, "anyone") == 0) {
		if (r->anyone)
			return vfd_fail(c, "duplicate 'anyone'");
		r->anyone = true;
		return 0;
	}
	eq = strchr(f, '=');
	if (eq == NULL)
		return vfd_fail(c,
				"field '%s' is not key=value (expected "
				"key=value, or the word anyone)",
				vfd_quote(q, f));
	*eq = '\0';
	k = vfd_key_lookup(f);
	if (k < 0)
		return vfd_fail(c,
				"unknown key '%s' (expected uid, user, gid, "
				"group, unit, cgroup, action, dev, pf, vf)",
				vfd_quote(q, f));
	if (r->keys & VFD_KEY_BIT(k))
		return vfd_fail(c,
				"duplicate key '%s' (expected each key once)",
				vfd_key_names[k]);
	r->keys |= VFD_KEY_BIT(k);
	if (eq[1] == '\0')
		return vfd_fail(c, "empty value for key '%s'",
				vfd_key_names[k]);
	return vfd_parse_value(c, (enum vfd_key)k, eq + 1, r);
}

/* What a complete rule must have, once all its fields are read. */
static int
vfd_check_rule(const struct vfd_ctx *c, struct vfd_rule *r)
{
	unsigned int who = r->keys & VFD_WHO_KEYS;

	if (r->anyone && who != 0)
		return vfd_fail(c,
				"'anyone' must stand alone (expected either "
				"anyone or uid=, user=, gid=, group=, unit=, "
				"cgroup=)");
	if (!r->anyone && who == 0)
		return vfd_fail(c, "missing who (expected uid=, user=, gid=, "
				   "group=, unit=, cgroup= or anyone)");
	if (!(r->keys & VFD_KEY_BIT(VFD_K_ACTION)))
		return vfd_fail(c,
				"missing action= (expected open, rotate, any "
				"or a comma list)");
	if ((r->keys & VFD_KEY_BIT(VFD_K_VF)) &&
	    !(r->keys & VFD_KEY_BIT(VFD_K_PF)))
		return vfd_fail(c,
				"vf= without pf= (expected pf=ADDR vf=LIST)");
	/* A rotation names the PF (vftokend_serve.c): a vf= list never
	 * matches one, and a rule that says rotate must not look as if it
	 * did. */
	if (r->rotate_named && (r->keys & VFD_KEY_BIT(VFD_K_VF)))
		return vfd_fail(c, "rotate with vf= never matches: a rotation "
				   "names the PF (expected a rule of its own: "
				   "action=rotate pf=ADDR)");
	if ((r->keys & VFD_KEY_BIT(VFD_K_DEV)) &&
	    (r->keys & VFD_KEY_BIT(VFD_K_PF)))
		return vfd_fail(c, "both dev= and pf= (expected exactly one "
				   "target)");
	if (!(r->keys & (VFD_KEY_BIT(VFD_K_DEV) | VFD_KEY_BIT(VFD_K_PF))))
		return vfd_fail(c, "missing target (expected dev=ADDR, dev=*, "
				   "pf=ADDR or pf=ADDR vf=LIST)");
	if (r->keys & VFD_KEY_BIT(VFD_K_PF))
		r->kind = (r->keys & VFD_KEY_BIT(VFD_K_VF)) ? VFD_TGT_VFS
							    : VFD_TGT_PF;
	return 0;
}

static bool
vfd_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	       ch == '\f';
}

/* The next whitespace-separated field of @*s (NUL-terminated in place). */
static char *
vfd_next_field(char **s)
{
	char *p = *s, *start;

	while (vfd_is_space(*p))
		p++;
	if (*p == '\0')
		return NULL;
	start = p;
	while (*p != '\0' && !vfd_is_space(*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*s = p;
	return start;
}

/*
 * Parse the NUL-terminated line @s (comment included). @return 1 with a
 * rule in @r, 0 for a blank or comment line, -EINVAL.
 */
static int
vfd_parse_rule(const struct vfd_ctx *c, char *s, struct vfd_rule *r)
{
	char q[VFD_QUOTE_MAX + 4];
	char *hash = strchr(s, '#');
	char *f;

	if (hash != NULL)
		*hash = '\0';
	f = vfd_next_field(&s);
	if (f == NULL)
		return 0;
	memset(r, 0, sizeof(*r));
	r->line = c->line;
	if (strcmp(f, "allow") == 0)
		r->allow = true;
	else if (strcmp(f, "deny") != 0)
		return vfd_fail(c,
				"unknown verb '%s' (expected allow or deny "
				"first)",
				vfd_quote(q, f));
	while ((f = vfd_next_field(&s)) != NULL)
		if (vfd_parse_field(c, f, r) != 0)
			return -EINVAL;
	if (vfd_check_rule(c, r) != 0)
		return -EINVAL;
	return 1;
}

static int
vfd_policy_add(const struct vfd_ctx *c, struct vfd_policy *p,
	       const struct vfd_rule *r)
{
	if (p->n == VFD_RULES_MAX)
		return vfd_fail(c, "more than %u rules", VFD_RULES_MAX);
	if (p->n == p->cap) {
		unsigned int cap = p->cap == 0 ? 16 : p->cap * 2;
		struct vfd_rule *rules;

		rules = realloc(p->rules, (size_t)cap * sizeof(*rules));
		if (rules == NULL)
			return vft_err_set(c->err, -ENOMEM,
					   "%s:%u: no memory for %u rules",
					   c->origin, c->line, cap);
		p->rules = rules;
		p->cap = cap;
	}
	p->rules[p->n++] = *r;
	return 0;
}

/* The line of @n bytes at @s (no newline) into @p. */
static int
vfd_parse_line(const struct vfd_ctx *c, const char *s, size_t n,
	       struct vfd_policy *p)
{
	char buf[VFD_LINE_MAX + 1];
	const char *nul;
	struct vfd_rule r;
	int rc;

	if (n > VFD_LINE_MAX)
		return vfd_fail(c,
				"line is %zu bytes long (expected at most %u)",
				n, VFD_LINE_MAX);
	nul = memchr(s, '\0', n);
	if (nul != NULL)
		return vfd_fail(c, "NUL byte at column %zu (expected text)",
				(size_t)(nul - s) + 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	rc = vfd_parse_rule(c, buf, &r);
	if (rc <= 0)
		return rc;
	return vfd_policy_add(c, p, &r);
}

/* The lines of @p text into @p p. Without @p report the first bad line
 * ends it (its error returned); with it every bad line is reported and
 * skipped, and the count of bad lines returned. Out of memory always
 * ends it. */
static int
vfd_parse_text(struct vfd_ctx *c, const char *text, size_t len,
	       struct vfd_policy *p, vfd_report_fn report, void *ctx)
{
	size_t pos = 0;
	int bad = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		int rc;

		c->line++;
		rc = vfd_parse_line(c, text + pos, n, p);
		if (rc < 0 && (report == NULL || rc == -ENOMEM))
			return rc;
		if (rc < 0) {
			report(ctx, c->err);
			vft_err_clear(c->err);
			bad++;
		}
		pos += n + 1;
	}
	return bad;
}

int
vfd_policy_check(const char *text, size_t len, const char *origin,
		 vfd_report_fn report, void *ctx)
{
	struct vft_err err;
	struct vfd_ctx c = { origin != NULL ? origin : "policy", 0, &err };
	struct vfd_policy *p;
	int rc;

	vft_err_clear(&err);
	if (report == NULL || (text == NULL && len > 0))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	rc = vfd_parse_text(&c, text, len, p, report, ctx);
	vfd_policy_free(p);
	return rc;
}

int
vfd_policy_parse(const char *text, size_t len, const char *origin,
		 struct vfd_policy **out, struct vft_err *err)
{
	struct vfd_ctx c = { origin != NULL ? origin : "policy", 0, err };
	struct vfd_policy *p;
	int rc;

	if (out == NULL)
		return vft_err_set(err, -EINVAL, "no place for the policy");
	*out = NULL;
	if (text == NULL && len > 0)
		return vft_err_set(err, -EINVAL, "%s: no policy text",
				   c.origin);
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return vft_err_set(err, -ENOMEM, "%s: no memory", c.origin);
	rc = vfd_parse_text(&c, text, len, p, NULL, NULL);
	if (rc < 0) {
		vfd_policy_free(p);
		return rc;
	}
	*out = p;
	vft_err_clear(err);
	return 0;
}

void
vfd_policy_free(struct vfd_policy *p)
{
	if (p == NULL)
		return;
	free(p->rules);
	free(p);
}

unsigned int
vfd_policy_rules(const struct vfd_policy *p)
{
	return p != NULL ? p->n : 0;
}

/* ---- the file ---- */

/* The rules of vfd_policy_load() on the open file's status. */
static int
vfd_file_check(const char *path, const struct stat *st, struct vft_err *err)
{
	uid_t me = geteuid();

	if (!S_ISREG(st->st_mode))
		return vft_err_set(err, -EPERM,
				   "policy file %s is %s (expected a regular "
				   "file)",
				   path, vft_file_type_name(st->st_mode));
	if (st->st_uid != 0 && st->st_uid != me && me == 0)
		return vft_err_set(err, -EPERM,
				   "policy file %s is owned by uid %lu "
				   "(expected root: the policy decides who "
				   "gets devices)",
				   path, (unsigned long)st->st_uid);
	if (st->st_uid != 0 && st->st_uid != me)
		return vft_err_set(err, -EPERM,
				   "policy file %s is owned by uid %lu "
				   "(expected root or the daemon's uid %lu: "
				   "the policy decides who gets devices)",
				   path, (unsigned long)st->st_uid,
				   (unsigned long)me);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return vft_err_set(err, -EPERM,
				   "policy file %s is writable by group or "
				   "others (mode %04o; expected no write "
				   "permission for them, e.g. 0644 or 0600)",
				   path, (unsigned int)(st->st_mode & 07777));
	return 0;
}

/* The whole file at @fd into a new buffer of *@len bytes. */
static int
vfd_file_read(int fd, const char *path, char **text, size_t *len,
	      struct vft_err *err)
{
	size_t cap = VFD_FILE_MAX + 1, n = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return vft_err_set(err, -ENOMEM, "no memory to read %s", path);
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			return vft_err_set(err, -e, "cannot read %s: %s", path,
					   strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > VFD_FILE_MAX) {
		free(buf);
		return vft_err_set(err, -EFBIG,
				   "policy file %s is larger than %u bytes",
				   path, VFD_FILE_MAX);
	}
	*text = buf;
	*len = n;
	return 0;
}

/* The text of the policy file @p path, under the rules of
 * vfd_policy_load(). */
static int
vfd_file_text(const char *path, char **text, size_t *len, struct vft_err *err)
{
	struct stat st;
	int fd, rc;

	if (path == NULL || path[0] == '\0')
		return vft_err_set(err, -EINVAL, "no policy file name given");
	/* O_NONBLOCK: a FIFO must not block the daemon; fstat refuses it. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP)
		return vft_err_set(err, -EPERM,
				   "policy file %s is a symbolic link "
				   "(expected a regular file)",
				   path);
	if (fd < 0) {
		rc = -errno;
		return vft_err_set(err, rc, "cannot open policy file %s: %s",
				   path, strerror(-rc));
	}
	if (fstat(fd, &st) != 0) {
		rc = vft_err_set(err, -errno, "cannot stat policy file %s: %s",
				 path, strerror(errno));
	} else {
		rc = vfd_file_check(path, &st, err);
		if (rc == 0)
			rc = vfd_file_read(fd, path, text, len, err);
	}
	close(fd);
	return rc;
}

int
vfd_policy_load(const char *path, struct vfd_policy **out, struct vft_err *err)
{
	size_t len = 0;
	char *text = NULL;
	int rc;

	if (out == NULL)
		return vft_err_set(err, -EINVAL, "no place for the policy");
	*out = NULL;
	rc = vfd_file_text(path, &text, &len, err);
	if (rc != 0)
		return rc;
	rc = vfd_policy_parse(text, len, path, out, err);
	free(text);
	return rc;
}

int
vfd_policy_check_file(const char *path, vfd_report_fn report, void *ctx)
{
	size_t len = 0;
	char *text = NULL;
	struct vft_err err;
	int rc;

	if (report == NULL)
		return -EINVAL;
	vft_err_clear(&err);
	rc = vfd_file_text(path, &text, &len, &err);
	if (rc != 0) {
		report(ctx, &err);
		return 1;
	}
	rc = vfd_policy_check(text, len, path, report, ctx);
	free(text);
	return rc;
}

/* ---- matching ---- */

static bool
vfd_peer_in_group(const struct vfd_peer *peer, gid_t gid)
{
	unsigned int i, n = peer->n_groups;

	if (peer->gid == gid)
		return true;
	if (n > VFD_MAX_GROUPS)
		n = VFD_MAX_GROUPS;
	for (i = 0; i < n; i++)
		if (peer->groups[i] == gid)
			return true;
	return false;
}

/* The peer's uid (uid=, user=) or one of its groups is in the list. */
static bool
vfd_peer_in_ids(const struct vfd_rule *r, enum vfd_key k,
		const struct vfd_peer *peer)
{
	unsigned int i;

	for (i = 0; i < r->n_ids[k]; i++) {
		if (k == VFD_K_UID || k == VFD_K_USER) {
			if (peer->uid == r->ids[k][i])
				return true;
		} else if (vfd_peer_in_group(peer, r->ids[k][i])) {
			return true;
		}
	}
	return false;
}

/* The peer's unit is one of the rule's unit= list. */
static bool
vfd_peer_in_units(const struct vfd_rule *r, const struct vfd_peer *peer)
{
	size_t n = strnlen(peer->unit, VFD_UNIT_LEN);
	const char *item = r->units;

	if (n == 0)
		return false; /* no unit matches no unit= */
	for (;;) {
		const char *comma = strchr(item, ',');
		size_t len =
			comma != NULL ? (size_t)(comma - item) : strlen(item);
		if (len == n && memcmp(item, peer->unit, n) == 0)
			return true;
		if (comma == NULL)
			return false;
		item = comma + 1;
	}
}

/* Every who given must match. */
static bool
vfd_rule_who(const struct vfd_rule *r, const struct vfd_peer *peer)
{
	int k;

	if (r->anyone)
		return true;
	for (k = VFD_K_UID; k < VFD_K_UNIT; k++)
		if ((r->keys & VFD_KEY_BIT(k)) &&
		    !vfd_peer_in_ids(r, (enum vfd_key)k, peer))
			return false;
	if ((r->keys & VFD_KEY_BIT(VFD_K_UNIT)) && !vfd_peer_in_units(r, peer))
		return false;
	/* no cgroup (vanished pid, pid 0) matches no cgroup= rule */
	if ((r->keys & VFD_KEY_BIT(VFD_K_CGROUP)) &&
	    !vfd_cgroup_below(peer->cgroup, r->cgroup))
		return false;
	return true;
}

static bool
vfd_rule_target(const struct vfd_rule *r, const struct vfd_target *t)
{
	switch (r->kind) {
	case VFD_TGT_ANY:
		return true;
	case VFD_TGT_DEV:
	case VFD_TGT_PF:
		return vft_pci_addr_equal(&r->addr, &t->addr);
	case VFD_TGT_VFS:
		return t->is_vf && vft_pci_addr_equal(&r->addr, &t->pf) &&
		       t->vf_index < VFD_VF_MAX &&
		       (r->vfs[t->vf_index / 8] & (1u << (t->vf_index % 8)));
	}
	return false;
}

bool
vfd_policy_allows(const struct vfd_policy *p, const struct vfd_peer *peer,
		  enum vfd_action act, const struct vfd_target *t,
		  unsigned int *line)
{
	const struct vfd_rule *r;
	unsigned int i;

	if (line != NULL)
		*line = 0;
	if (p == NULL || peer == NULL || t == NULL)
		return false;
	if (act != VFD_ACT_OPEN && act != VFD_ACT_ROTATE)
		return false;
	for (i = 0; i < p->n; i++) {
		r = &p->rules[i];
		if (!(r->actions & act) || !vfd_rule_who(r, peer) ||
		    !vfd_rule_target(r, t))
			continue;
		if (line != NULL)
			*line = r->line;
		return r->allow;
	}
	return false;
}

bool
vfd_policy_names(const struct vfd_policy *p, const struct vfd_peer *peer)
{
	unsigned int i;

	if (p == NULL || peer == NULL)
		return false;
	for (i = 0; i < p->n; i++)
		if (p->rules[i].allow && vfd_rule_who(&p->rules[i], peer))
			return true;
	return false;
}

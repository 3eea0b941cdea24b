#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The attacks of issue 26 on vftokend, reproduced on the host against the
# real broker (doc/guides/broker.rst, "How the attacks are tested"):
#
#   broker_test.sh CASE VFTOKEND BROKER_ATTACK [VFTOKEN]
#
# CASE: flush (1), ioctl (2), flood (3), log (4), reply (5), start (6);
# and the operator's side (issue 32): priority (7, log priorities),
# config (8, --check-policy and --token-dir), notify (9, sd_notify and the
# watchdog), stats (10, the counters through `vftoken status --broker`,
# which needs VFTOKEN).
# The broker runs as root in a private mount namespace where a fake sysfs
# tree (PF 0000:01:00.0 with its VF 0000:01:10.0, both on vfio-pci) is
# mounted over /sys; there is no VFIO on the host, and none is needed: the
# attacks happen before, or at, the first ioctl. Clients are real uids
# (setpriv); the FUSE servers are real FUSE (broker_attack.c), mounted by
# an unprivileged uid in its own user namespace (or, for the ioctl case,
# as fusermount3 mounts for a user with user_allow_other).
#
# One "ok"/"not ok" line per check, then "N passed, N failed". Exit 77
# (skip) with a reason when not root, or no /dev/fuse, or no user
# namespaces. Every case cleans up (FUSE servers, brokers, mounts, files)
# on any exit, and each wait is bounded.

set -u

CASE=${1:?usage: broker_test.sh CASE VFTOKEND BROKER_ATTACK}
VFTOKEND=${2:?vftokend}
BA=${3:?broker_attack}
VFTOKEN=${4:-}

VF=0000:01:10.0
PF=0000:01:00.0
ALLOWED=4242    # allowed to open the VF
ALLOWED2=4243   # allowed too: the other uid of the flush variant
DENIED=4244     # a deny rule
NORULE=65534    # no rule at all (nobody)

skip() {
	echo "SKIP: broker_test $CASE: $*"
	exit 77
}

# ---- preconditions, then a private mount namespace ------------------------

if [ -z "${BT_IN_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || skip "needs root (the broker is a root daemon)"
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	command -v unshare >/dev/null || skip "no unshare (util-linux)"
	setpriv --reuid=$NORULE --regid=$NORULE --clear-groups \
		unshare -Ur true 2>/dev/null ||
		skip "uid $NORULE cannot make a user namespace (unshare -Ur)"
	BT_IN_NS=1 exec unshare -m --propagation private \
		bash "$0" "$@"
fi

# ok/nok and the tally of the ops tests
# shellcheck source=../ops/lib.sh
. "$(dirname "$0")/../ops/lib.sh"

W=$(mktemp -d /tmp/vft-broker-test.XXXXXX)
chmod 0755 "$W"
# A copy the other uids can run whatever the build tree's permissions.
cp "$BA" "$W/broker_attack"
BA=$W/broker_attack
SYSFS=
BPID=
FUSE_PIDS=""
MOUNTS=""

cleanup() {
	local p m
	# FUSE servers first: a broker stuck in a FLUSH is freed only when
	# the connection ends.
	for p in $FUSE_PIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $FUSE_PIDS; do wait "$p" 2>/dev/null; done
	if [ -n "$BPID" ]; then
		kill -KILL "$BPID" 2>/dev/null
		wait "$BPID" 2>/dev/null
	fi
	for m in $MOUNTS; do umount -l "$m" 2>/dev/null; done
	umount -l /sys 2>/dev/null
	case "$SYSFS" in
	/tmp/vft-fake-sysfs-*) rm -rf "$SYSFS" ;;
	esac
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_for SECONDS CMD...: poll CMD every 0.1 s; 0 when it succeeded.
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

as_uid() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --clear-groups "$@"
}

# ---- the broker's world ---------------------------------------------------

SYSFS=$("$BA" sysfs) || { echo "broker_test: no fake sysfs"; exit 1; }
chmod 0755 "$SYSFS"
mount --bind "$SYSFS" /sys || { echo "broker_test: cannot mount over /sys"; exit 1; }

T=$W/tokens
mkdir -m 0700 "$T"
(umask 077 && cat /proc/sys/kernel/random/uuid >"$T/$PF.token")
P=$W/broker.policy
cat >"$P" <<EOF
# broker_test.sh
deny uid=$DENIED action=any dev=*
allow uid=$ALLOWED,$ALLOWED2 action=open pf=$PF vf=0
EOF
chmod 0644 "$P"
S=$W/run/broker.sock
LOG=$W/broker.log
: >"$LOG"

sock_ready() { [ -S "$S" ]; }
broker_gone() { ! kill -0 "$BPID" 2>/dev/null || grep -q '^State:.*Z' "/proc/$BPID/status" 2>/dev/null; }

start_broker() {
	"$VFTOKEND" --socket "$S" --policy "$P" --token-dir "$T" \
		--foreground "$@" 2>>"$LOG" &
	BPID=$!
	if ! wait_for 10 sock_ready; then
		echo "broker_test: the broker did not listen on $S within 10 s:"
		cat "$LOG"
		exit 1
	fi
}

stop_broker() {
	local p
	for p in $FUSE_PIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $FUSE_PIDS; do wait "$p" 2>/dev/null; done
	FUSE_PIDS=""
	if [ -n "$BPID" ]; then
		kill -KILL "$BPID" 2>/dev/null
		wait "$BPID" 2>/dev/null
	fi
	BPID=
	rm -f "$S"
}

# client UID OUT ARGS...: one client run, bounded; its output in OUT.
client() {
	local u=$1 out=$2
	shift 2
	as_uid "$u" timeout 60 "$BA" client "$S" "$@" >"$out" 2>&1
}

served() { grep -q '^reply seq=1 ' "$1"; }

# expect_served UID OUT LABEL: UID opens the VF (5 s at most); a check
# that it got a reply, with the client's first line when it did not.
expect_served() {
	client "$1" "$2" "$VF" --timeout 5
	if served "$2"; then
		ok "$3"
	else
		nok "$3: $(head -1 "$2")"
	fi
}

# fuse_attack UID NAME ARGS...: a FUSE attacker in the background.
fuse_attack() {
	local u=$1 name=$2
	shift 2
	mkdir -m 0777 "$W/mnt-$name"
	MOUNTS="$MOUNTS $W/mnt-$name"
	if [ "$u" = root ]; then
		"$BA" fuse "$S" "$@" >"$W/$name.out" 2>"$W/$name.err" &
	else
		# setpriv itself, not a function: $! is then the server
		setpriv --reuid="$u" --regid="$u" --clear-groups \
			"$BA" fuse "$S" "$@" >"$W/$name.out" 2>"$W/$name.err" &
	fi
	FUSE_PIDS="$FUSE_PIDS $!"
}

attack_sent() { grep -q '^sent' "$1" 2>/dev/null; }

# The broker's fds as "N TARGET" lines, without its client connections
# (every socket but the listening one).
broker_fds() {
	local fd t
	for fd in /proc/"$BPID"/fd/*; do
		t=$(readlink "$fd" 2>/dev/null) || continue
		case "$t" in
		"socket:[$LISTEN_INO]") ;;
		# a client connection: its socket and the pidfd of the
		# process that connected
		socket:* | "anon_inode:[pidfd]") continue ;;
		esac
		echo "${fd##*/} $t"
	done | sort -n
}

# The inode of the socket listening on $S (/proc/net/unix: its path).
listen_ino() {
	awk -v p="$S" '$NF == p { print $7; exit }' /proc/net/unix
}

listen_fd() {
	local fd
	for fd in /proc/"$BPID"/fd/*; do
		if [ "$(readlink "$fd")" = "socket:[$LISTEN_INO]" ]; then
			echo "${fd##*/}"
			return
		fi
	done
}

# ---- (1) FUSE FLUSH on the broker's close() -------------------------------

# flush_case ATTACKER VICTIM LABEL: ATTACKER sends a FUSE file as its
# container and never answers the FLUSH of the broker's close(); VICTIM, an
# allowed uid, must still be served, and SIGTERM must end the broker.
# ADDR and ARGS (optional): what the attacker asks for, and how.
flush_case() {
	local attacker=$1 victim=$2 label=$3 addr=${4:-$VF}
	shift 3
	[ "$#" -gt 0 ] && shift
	start_broker
	fuse_attack "$attacker" "flush-$attacker" "$addr" "$W/mnt-flush-$attacker" \
		--mode flush --as ctx "$@"
	if wait_for 15 attack_sent "$W/flush-$attacker.out"; then
		ok "$label: the attacker's request was sent"
	else
		nok "$label: the attacker's request was sent ($(cat "$W/flush-$attacker.err"))"
	fi
	# The broker has the file now; give its close() the time to block.
	wait_for 5 grep -qs 'FLUSH from pid' "$W/flush-$attacker.err" &&
		echo "# $label: the broker's FLUSH is held by the FUSE server"
	expect_served "$victim" "$W/victim-$attacker.out" "$label: allowed uid $victim gets a reply after the attack"
	kill -TERM "$BPID"
	if wait_for 10 broker_gone; then
		ok "$label: SIGTERM ends the broker (within 10 s)"
	else
		nok "$label: SIGTERM ends the broker: still there after 10 s, $(grep "^State" /proc/"$BPID"/status), waiting in $(cat /proc/"$BPID"/wchan)"
	fi
	stop_broker
}

case_flush() {
	start_broker
	expect_served $ALLOWED "$W/before.out" "flush: control: allowed uid $ALLOWED gets a reply with no attack"
	stop_broker
	flush_case $NORULE $ALLOWED "flush by uid $NORULE (no rule)"
	flush_case $ALLOWED $ALLOWED2 "flush by allowed uid $ALLOWED"
}

# ---- (2) FUSE IOCTL answering with the broker's fds ----------------------

# ioctl_case AS RESULT: uid $ALLOWED sends a FUSE file as its group fd (AS
# group) or container (AS ctx) and answers every ioctl with RESULT (an fd
# number of the broker's, or "listen": its listening socket's).
ioctl_case() {
	local as=$1 result=$2 name before after n
	start_broker
	LISTEN_INO=$(listen_ino)
	[ "$result" = listen ] && result=$(listen_fd)
	name="ioctl-$as-$result"
	before=$(broker_fds)
	# The broker's ioctl reaches a FUSE server only on an allow_other
	# mount of its own user namespace: what fusermount3 mounts for a
	# user when /etc/fuse.conf has user_allow_other. Root mounts, the
	# server then runs as uid $ALLOWED.
	if [ "$as" = group ]; then
		fuse_attack root "$name" "$VF" "$W/mnt-$name" --mode ioctl \
			--result "$result" --as group --root-mount $ALLOWED:$ALLOWED \
			--timeout 5
	else
		fuse_attack root "$name" "$VF" "$W/mnt-$name" --mode ioctl \
			--result "$result" --as ctx --root-mount $ALLOWED:$ALLOWED \
			--timeout 5
	fi
	wait_for 15 attack_sent "$W/$name.out"
	n=$(sed -n 's/^reply seq=1 error=\(-\{0,1\}[0-9]*\) .*fds=\([0-9]*\) .*/\1 \2/p' "$W/$name.out")
	case "$n" in
	"-"*" 0")
		ok "ioctl $as answered $result: the reply is a refusal with no fd ($n)" ;;
	*)
		nok "ioctl $as answered $result: the reply is a refusal with no fd: $(head -1 "$W/$name.out") ($(grep -c IOCTL "$W/$name.err") ioctls answered)" ;;
	esac
	expect_served $ALLOWED2 "$W/$name-after.out" "ioctl $as answered $result: the broker still accepts and serves a new client"
	after=$(broker_fds)
	if [ -n "$before" ] && [ "$before" = "$after" ]; then
		ok "ioctl $as answered $result: the broker's fds are those it had (client connections aside)"
	else
		nok "ioctl $as answered $result: the broker's fds are those it had: before [$(echo "$before" | tr '\n' ' ')] after [$(echo "$after" | tr '\n' ' ')]"
	fi
	stop_broker
}

case_ioctl() {
	local n
	ioctl_case group listen
	ioctl_case ctx listen
	# Every other small number: stdio, the signalfd, the client's
	# connection, the broker's copies of the client's own FUSE file.
	for n in 0 1 2 3 5 6 7 8 9 10 11 12; do
		ioctl_case group "$n"
	done
}

# ---- (3) one uid holding every connection ---------------------------------

case_flood() {
	local i served_n=0 tried=0
	start_broker
	# 64 connections (VFD_MAX_CLIENTS), a refused request on each every
	# 2 s for about 50 s: longer than the 30 s the allowed uid tries.
	setpriv --reuid=$NORULE --regid=$NORULE --clear-groups \
		"$BA" client "$S" "$VF" --conns 64 \
		--count 25 --interval-ms 2000 --quiet --timeout 5 \
		>"$W/flood.out" 2>&1 &
	FUSE_PIDS="$FUSE_PIDS $!"
	wait_for 10 grep -qs '^connected' "$W/flood.out"
	echo "# flood: uid $NORULE: $(grep '^connected' "$W/flood.out")"
	for i in $(seq 1 30); do
		tried=$((tried + 1))
		client $ALLOWED "$W/flood-victim.out" "$VF" --timeout 5
		if served "$W/flood-victim.out"; then
			served_n=$((served_n + 1))
		else
			echo "# flood: attempt $i: $(grep -v '^connected' "$W/flood-victim.out" | head -1)"
		fi
		sleep 1
	done
	if [ "$served_n" -eq "$tried" ]; then
		ok "flood: allowed uid $ALLOWED served $served_n of $tried times while uid $NORULE floods"
	else
		nok "flood: allowed uid $ALLOWED served $served_n of $tried times while uid $NORULE floods"
	fi
	stop_broker
}

# ---- (4) the log: volume and raw bytes ------------------------------------

log_lines() { wc -l <"$LOG"; }

# log_bound WHAT CLIENT-ARGS...: a fresh broker; 1000 refused requests of
# uid $NORULE make at most 50 log lines.
log_bound() {
	local what=$1 l0 l1
	shift
	start_broker
	l0=$(log_lines)
	client $NORULE "$W/many.out" "$VF" --count 1000 --quiet --timeout 5 "$@"
	sleep 1
	l1=$(log_lines)
	if [ $((l1 - l0)) -le 50 ]; then
		ok "log: 1000 refused requests $what make at most 50 lines ($((l1 - l0)))"
	else
		nok "log: 1000 refused requests $what make at most 50 lines ($((l1 - l0)))"
	fi
	stop_broker
}

case_log() {
	local bad
	log_bound "of one connection"
	log_bound "of one uid, each on a new connection" --fresh
	: >"$LOG"
	start_broker
	# addr: an ANSI escape (clear screen), a newline, a forged line;
	# short, so that a message quoting a few characters has them all.
	client $NORULE "$W/raw.out" "$VF" --raw-addr '\e[2J\nFORGED' \
		--timeout 5
	sleep 1
	bad=$(LC_ALL=C tr -d '\n\040-\176' <"$LOG" | wc -c)
	if [ "$bad" -eq 0 ]; then
		ok "log: no raw control byte from a client's addr field"
	else
		nok "log: no raw control byte from a client's addr field ($bad found: $(LC_ALL=C grep -n "$(printf '\033')" "$LOG" | cat -v | head -2))"
	fi
	if grep -q '^FORGED' "$LOG"; then
		nok "log: no line forged by a client's addr field: $(grep -n '^FORGED' "$LOG" | cat -v)"
	else
		ok "log: no line forged by a client's addr field"
	fi
	stop_broker
}

# ---- (5) what a refusal tells ----------------------------------------------

# reply_check UID ADDR LABEL
reply_check() {
	local u=$1 addr=$2 label=$3 out="$W/reply-$1-$2.out" found=""
	client "$u" "$out" "$addr" --timeout 5
	if ! grep -q '^reply seq=1 error=-' "$out"; then
		nok "reply: $label: a refusal came: $(head -1 "$out")"
		return
	fi
	grep -E '^(reason|fix): ' "$out" | grep -q 'PF' && found="$found 'PF'"
	# "VF " as in "VF 0 of PF", not as in "the VF token broker"
	grep -E '^(reason|fix): ' "$out" | sed 's/VF token broker//g' |
		grep -q 'VF ' && found="$found 'VF '"
	grep -E '^(reason|fix): ' "$out" | grep -q 'rule at line' && found="$found 'rule at line'"
	grep -E '^(reason|fix): ' "$out" | grep -qF "$P" && found="$found '$P'"
	if [ -z "$found" ]; then
		ok "reply: $label: the refusal tells nothing of the function or the policy"
	else
		nok "reply: $label: the refusal tells nothing of the function or the policy; it has$found: $(grep '^reason: ' "$out")"
	fi
}

case_reply() {
	start_broker
	reply_check $NORULE "$VF" "uid $NORULE (no rule), the VF"
	reply_check $NORULE "$PF" "uid $NORULE (no rule), the PF"
	reply_check $DENIED "$VF" "uid $DENIED (a deny rule), the VF"
	reply_check $ALLOWED "$PF" "uid $ALLOWED (allowed the VF only), the PF"
	stop_broker
}

# ---- (6) start-up: the socket's directory, the mode, inherited fds --------

# bad_dir_case DIR LABEL: vftokend --socket DIR/broker.sock must exit 1
# at start with a message naming DIR.
bad_dir_case() {
	local d=$1 label=$2 rc
	timeout 5 "$VFTOKEND" --socket "$d/broker.sock" --policy "$P" \
		--token-dir "$T" --foreground >"$W/start.out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF "$d" "$W/start.out"; then
		ok "start: $label: exit 1 naming $d"
	else
		nok "start: $label: exit 1 naming $d (exit $rc$([ "$rc" -eq 124 ] && echo ': it started and served'); $(head -1 "$W/start.out"))"
	fi
	if [ -S "$d/broker.sock" ]; then
		nok "start: $label: no socket left in $d"
	else
		ok "start: $label: no socket left in $d"
	fi
}

case_start() {
	local mode
	mkdir -m 0755 "$W/other"
	chown $ALLOWED:$ALLOWED "$W/other"
	bad_dir_case "$W/other" "a directory owned by uid $ALLOWED"
	mkdir -m 0777 "$W/open"
	chmod 0777 "$W/open"
	bad_dir_case "$W/open" "a world-writable directory without sticky bit"
	mkdir -m 0775 "$W/grp"
	chown 0:$ALLOWED "$W/grp"
	chmod 0775 "$W/grp"
	bad_dir_case "$W/grp" "a group-writable directory"

	start_broker --socket-mode 0660
	mode=$(stat -c %a "$S")
	if [ "$mode" = 660 ]; then
		ok "start: the socket has --socket-mode 0660"
	else
		nok "start: the socket has --socket-mode 0660 (it has $mode)"
	fi
	stop_broker

	exec 7</etc/passwd
	start_broker
	exec 7<&-
	if [ -e "/proc/$BPID/fd/7" ]; then
		nok "start: the broker does not hold the fd 7 it inherited ($(readlink "/proc/$BPID/fd/7"))"
	else
		ok "start: the broker does not hold the fd 7 it inherited"
	fi
	stop_broker
}

# ---- (7) log priorities (sd-daemon(3) "<N>" prefixes under journald) -----

# The device and inode of FILE as journald puts them in JOURNAL_STREAM.
dev_ino() { stat -c '%d:%i' "$1"; }

# no_prefix LABEL: no line of the log starts with "<".
no_prefix() {
	if grep -q '^<' "$LOG"; then
		nok "priority: $1: no line has a priority prefix: $(grep -m1 '^<' "$LOG")"
	else
		ok "priority: $1: no line has a priority prefix ($(wc -l <"$LOG") lines)"
	fi
}

# has_line PATTERN LABEL: a line of the log matches the ERE PATTERN.
has_line() {
	if grep -qE "$1" "$LOG"; then
		ok "priority: $2"
	else
		nok "priority: $2 (no line matches '$1')"
	fi
}

case_priority() {
	local bad
	: >"$LOG"
	export JOURNAL_STREAM WATCHDOG_USEC
	JOURNAL_STREAM=$(dev_ino "$LOG")
	# with a watchdog: its line is an info one
	WATCHDOG_USEC=60000000
	start_broker
	unset WATCHDOG_USEC
	client $NORULE "$W/p1.out" "$VF" --timeout 5
	client $ALLOWED "$W/p2.out" "$VF" --timeout 5
	client $NORULE "$W/p3.out" "$VF" --raw-addr 'nonsense' --timeout 5
	cp "$P" "$W/good.policy"
	kill -HUP "$BPID"
	wait_for 5 grep -q 'SIGHUP' "$LOG"
	echo "allow uid=bad action=open dev=*" >>"$P"
	kill -HUP "$BPID"
	wait_for 5 grep -q 'keeping the previous' "$LOG"
	cp "$W/good.policy" "$P"
	stop_broker
	has_line '^<5>vftokend: vftokend .*: listening on ' "the start is a notice (<5>)"
	has_line '^<5>vftokend: policy .*: [0-9]+ rules$' "a policy load is a notice (<5>)"
	has_line '^<5>vftokend: SIGHUP: reloading the policy$' "a SIGHUP is a notice (<5>)"
	has_line '^<3>vftokend: policy .*keeping the previous one' "a policy refused at reload is an error (<3>)"
	has_line "^<4>vftokend: uid=$NORULE .* open $VF.*refused" "a refusal is a warning (<4>)"
	has_line "^<4>vftokend: uid=$NORULE .*: malformed request refused" "a malformed request is a warning (<4>)"
	has_line '^<6>vftokend: watchdog: ' "the watchdog interval is info (<6>)"
	bad=$(grep -cvE '^<[3-6]>vftokend: ' "$LOG")
	if [ "$bad" -eq 0 ]; then
		ok "priority: every one of the $(wc -l <"$LOG") lines starts with <3> to <6>"
	else
		nok "priority: every line starts with <3> to <6> ($bad do not: $(grep -m1 -vE '^<[3-6]>vftokend: ' "$LOG"))"
	fi
	# a failure to start is an error
	: >"$W/err.log"
	JOURNAL_STREAM=$(dev_ino "$W/err.log")
	timeout 5 "$VFTOKEND" --socket "$S" --policy "$P" \
		--token-dir "$W/missing" 2>>"$W/err.log"
	if grep -q "^<3>vftokend: --token-dir $W/missing" "$W/err.log"; then
		ok "priority: a failure to start is an error (<3>)"
	else
		nok "priority: a failure to start is an error (<3>): $(head -1 "$W/err.log")"
	fi

	# stderr is not the stream JOURNAL_STREAM names: no prefix
	: >"$LOG"
	JOURNAL_STREAM=$(dev_ino /etc/passwd)
	start_broker
	client $NORULE "$W/p4.out" "$VF" --timeout 5
	stop_broker
	no_prefix "JOURNAL_STREAM of another file"
	unset JOURNAL_STREAM
	: >"$LOG"
	start_broker
	client $NORULE "$W/p5.out" "$VF" --timeout 5
	stop_broker
	no_prefix "no JOURNAL_STREAM"
	has_line "^vftokend: uid=$NORULE .* open $VF.*refused" "without journald a refusal is the plain line"
}

# ---- (8) --check-policy and --token-dir -------------------------------------

# token_dir_case DIR WORDS LABEL: exit 1 at start, naming DIR and saying
# WORDS (what is expected), no socket made.
token_dir_case() {
	local rc
	timeout 5 "$VFTOKEND" --socket "$S" --policy "$P" \
		--token-dir "$1" >"$W/td.out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "--token-dir $1" "$W/td.out" &&
		grep -qF "$2" "$W/td.out" && [ ! -S "$S" ]; then
		ok "config: token dir $3: exit 1 naming it, '$2'"
	else
		nok "config: token dir $3: exit 1 naming it, '$2' (exit $rc: $(head -1 "$W/td.out"))"
	fi
}

case_config() {
	local rc n d
	{
		echo "# two good rules, three bad lines"
		echo "allow uid=$ALLOWED action=open pf=$PF vf=0"
		echo "allow uid=x action=open dev=*"
		echo "deny uid=$DENIED action=any dev=*"
		echo "allow uid=1 action=fly dev=*"
		echo "permit uid=1 action=open dev=*"
	} >"$W/bad.policy"
	chmod 0644 "$W/bad.policy"
	"$VFTOKEND" --check-policy "$W/bad.policy" >"$W/cp.out" 2>"$W/cp.err"
	rc=$?
	n=$(wc -l <"$W/cp.err")
	if [ "$rc" -eq 1 ] && [ "$n" -eq 3 ] && [ ! -s "$W/cp.out" ] &&
		grep -q "^$W/bad.policy:3: " "$W/cp.err" &&
		grep -q "^$W/bad.policy:5: " "$W/cp.err" &&
		grep -q "^$W/bad.policy:6: " "$W/cp.err"; then
		ok "config: --check-policy reports the 3 bad lines (3, 5, 6) and only them, exit 1"
	else
		nok "config: --check-policy reports the 3 bad lines (3, 5, 6), exit 1 (exit $rc, $n lines: $(tr '\n' '|' <"$W/cp.err"); stdout: $(head -1 "$W/cp.out"))"
	fi
	"$VFTOKEND" --check-policy "$P" >"$W/cp.out" 2>"$W/cp.err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$W/cp.out" ] && [ ! -s "$W/cp.err" ]; then
		ok "config: --check-policy of a clean policy: exit 0, no output"
	else
		nok "config: --check-policy of a clean policy: exit 0, no output (exit $rc: $(cat "$W/cp.out" "$W/cp.err" | head -2))"
	fi
	cp "$P" "$W/open.policy"
	chmod 0666 "$W/open.policy"
	"$VFTOKEND" --check-policy "$W/open.policy" >"$W/cp.out" 2>"$W/cp.err"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q 'writable by group or others' "$W/cp.err"; then
		ok "config: --check-policy refuses a world-writable file as the broker would"
	else
		nok "config: --check-policy refuses a world-writable file (exit $rc: $(head -1 "$W/cp.err"))"
	fi

	token_dir_case "$W/missing" "expected the directory" "missing"
	: >"$W/afile"
	token_dir_case "$W/afile" "is not a directory" "a file"
	d=$W/tok-user
	mkdir -m 0700 "$d"
	chown $ALLOWED:$ALLOWED "$d"
	token_dir_case "$d" "expected a directory of root's" "owned by uid $ALLOWED"
	d=$W/tok-grp
	mkdir "$d"
	chmod 0770 "$d"
	token_dir_case "$d" "group and others may not write" "group-writable"
	d=$W/tok-world
	mkdir "$d"
	chmod 1777 "$d"
	token_dir_case "$d" "group and others may not write" "world-writable"
	# --token-secret: a Kubernetes Secret volume is a sticky 1777 tmpfs
	# of root's; accepted then (each read checks the layout itself), and
	# only sticky
	"$VFTOKEND" --socket "$S" --policy "$P" --token-dir "$d" \
		--token-secret --foreground >"$W/td.out" 2>&1 &
	local bp=$!
	if wait_for 5 sock_ready && kill -0 "$bp" 2>/dev/null; then
		ok "config: --token-secret with a sticky 1777 token dir starts"
	else
		nok "config: --token-secret with a sticky 1777 token dir starts ($(head -1 "$W/td.out"))"
	fi
	kill -TERM "$bp" 2>/dev/null
	wait "$bp" 2>/dev/null
	chmod 0777 "$d"
	timeout 5 "$VFTOKEND" --socket "$S" --policy "$P" --token-dir "$d" \
		--token-secret >"$W/td.out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF "group and others may not write" "$W/td.out"; then
		ok "config: --token-secret with a 0777 token dir (not sticky): exit 1"
	else
		nok "config: --token-secret with a 0777 token dir (not sticky): exit 1 (exit $rc: $(head -1 "$W/td.out"))"
	fi
}

# ---- (9) sd_notify: READY=1, STATUS=, WATCHDOG=1 ---------------------------

NOTIFY_OUT=$W/notify.out

notify_has() { grep -qx "$1" "$NOTIFY_OUT"; }

# notify_listen: systemd's side, a datagram socket at $W/notify.
notify_listen() {
	rm -f "$W/notify" "$NOTIFY_OUT"
	"$BA" notify "$W/notify" >"$NOTIFY_OUT" 2>&1 &
	FUSE_PIDS="$FUSE_PIDS $!"
	wait_for 5 notify_has bound || echo "# notify: no listener: $(cat "$NOTIFY_OUT")"
}

case_notify() {
	export NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
	notify_listen
	NOTIFY_SOCKET=$W/notify
	# 2000 us: a WATCHDOG=1 every millisecond
	WATCHDOG_USEC=2000
	start_broker
	if wait_for 5 notify_has READY=1; then
		ok "notify: READY=1 once the broker listens"
	else
		nok "notify: READY=1 once the broker listens: $(tr '\n' '|' <"$NOTIFY_OUT" | head -c 300)"
	fi
	if wait_for 5 notify_has WATCHDOG=1; then
		ok "notify: WATCHDOG=1 with WATCHDOG_USEC and no WATCHDOG_PID"
	else
		nok "notify: WATCHDOG=1 with WATCHDOG_USEC and no WATCHDOG_PID: $(tr '\n' '|' <"$NOTIFY_OUT" | head -c 300)"
	fi
	client $NORULE "$W/n1.out" "$VF" --timeout 5
	if wait_for 5 grep -q '^STATUS=opens 0, refusals 1, ' "$NOTIFY_OUT"; then
		ok "notify: STATUS= carries the counters ($(grep -m1 '^STATUS=.*refusals 1' "$NOTIFY_OUT"))"
	else
		nok "notify: STATUS= carries the counters: $(grep '^STATUS=' "$NOTIFY_OUT" | tail -1)"
	fi
	stop_broker

	# WATCHDOG_PID of another process: not this broker's watchdog
	notify_listen
	WATCHDOG_PID=1
	start_broker
	wait_for 5 notify_has READY=1
	# its loop wakes every millisecond: hundreds of rounds, no ping
	sleep 0.5
	if notify_has READY=1 && ! notify_has WATCHDOG=1; then
		ok "notify: READY=1 and no WATCHDOG=1 when WATCHDOG_PID is another process"
	else
		nok "notify: READY=1 and no WATCHDOG=1 when WATCHDOG_PID is another process: $(tr '\n' '|' <"$NOTIFY_OUT" | head -c 300)"
	fi
	stop_broker
	unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
}

# ---- (10) the counters: VFT_BROKER_STATS and vftoken status --broker -------

# stat_of FILE KEY: the value of "KEY": N in a JSON file.
stat_of() { sed -n "s/^ *\"$2\": \\([0-9]*\\),\\{0,1\\}\$/\\1/p" "$1"; }

# stats_is FILE LABEL KEY=N...: each counter has its value.
stats_is() {
	local f=$1 label=$2 kv bad=""
	shift 2
	for kv in "$@"; do
		[ "$(stat_of "$f" "${kv%%=*}")" = "${kv#*=}" ] ||
			bad="$bad ${kv%%=*}=$(stat_of "$f" "${kv%%=*}") (expected ${kv#*=})"
	done
	if [ -z "$bad" ]; then
		ok "stats: $label: $*"
	else
		nok "stats: $label:$bad"
	fi
}

case_stats() {
	local rc
	[ -n "$VFTOKEN" ] || { nok "stats: no vftoken binary given"; return; }
	start_broker
	"$VFTOKEN" status --broker "$S" --json >"$W/s0.json" 2>"$W/s0.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		stats_is "$W/s0.json" "root asks a fresh broker" opens=0 \
			refusals=0 rotations=0 malformed=0 connections_refused=0 \
			closer_fds=0
	else
		nok "stats: root asks a fresh broker: exit $rc ($(cat "$W/s0.err"))"
	fi
	# three refusals, one malformed request, one open that fails (no
	# VFIO on the host: neither an open nor a refusal)
	client $NORULE "$W/c1.out" "$VF" --count 3 --fresh --timeout 5
	client $NORULE "$W/c2.out" "$VF" --raw-addr 'nonsense' --timeout 5
	client $ALLOWED "$W/c3.out" "$VF" --timeout 5
	"$VFTOKEN" status --broker "$S" --json >"$W/s1.json" 2>"$W/s1.err"
	stats_is "$W/s1.json" "after 3 refused requests and 1 malformed" \
		opens=0 refusals=3 malformed=1 connections_refused=0
	# a stranger may not ask: a refusal, counted
	as_uid $NORULE "$VFTOKEN" status --broker "$S" >"$W/s2.out" 2>"$W/s2.err"
	rc=$?
	if [ "$rc" -eq 13 ] && grep -q 'only root and peers an allow rule names' "$W/s2.err"; then
		ok "stats: uid $NORULE (no allow rule) is refused: exit 13 (broker-denied)"
	else
		nok "stats: uid $NORULE (no allow rule) is refused: exit 13 (exit $rc: $(cat "$W/s2.out" "$W/s2.err" | head -2))"
	fi
	as_uid $DENIED "$VFTOKEN" status --broker "$S" >"$W/s3.out" 2>&1
	rc=$?
	if [ "$rc" -eq 13 ]; then
		ok "stats: uid $DENIED (a deny rule only) is refused: exit 13"
	else
		nok "stats: uid $DENIED (a deny rule only) is refused: exit 13 (exit $rc: $(head -1 "$W/s3.out"))"
	fi
	# an allowed uid may, in text
	as_uid $ALLOWED "$VFTOKEN" status --broker "$S" >"$W/s4.out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && grep -qE '^  refusals +5$' "$W/s4.out"; then
		ok "stats: allowed uid $ALLOWED reads them as text (refusals 5: the 3, and the 2 stats refused)"
	else
		nok "stats: allowed uid $ALLOWED reads them as text, refusals 5 (exit $rc: $(tr '\n' '|' <"$W/s4.out"))"
	fi
	# one process, 6 connections: VFD_MAX_PER_PID (4) admitted
	client $NORULE "$W/c5.out" "$VF" --conns 6 --quiet --timeout 5
	"$VFTOKEN" status --broker "$S" --json >"$W/s5.json" 2>&1
	stats_is "$W/s5.json" "one process opening 6 connections" \
		connections_refused=2
	# an allowed uid sends /dev/null as its container: refused, the fd
	# handed to the closer unproven
	client $ALLOWED2 "$W/c6.out" "$VF" --ctx /dev/null --timeout 5
	"$VFTOKEN" status --broker "$S" --json >"$W/s6.json" 2>&1
	stats_is "$W/s6.json" "an allowed uid's /dev/null as its container" \
		closer_fds=1 refusals=$(($(stat_of "$W/s5.json" refusals) + 1))
	stop_broker
	"$VFTOKEN" status --broker "$S" >"$W/s6.out" 2>&1
	rc=$?
	if [ "$rc" -eq 14 ]; then
		ok "stats: no broker: exit 14 (broker-unreachable)"
	else
		nok "stats: no broker: exit 14 (exit $rc: $(head -1 "$W/s6.out"))"
	fi
}

# ---- (11) several functions in one request (open-many) ------------------

# many_line OUT SEQ: reply SEQ's error, verdict and texts, without its
# sequence number and operation (to compare with a one-function reply).
many_line() {
	awk -v s="$2" '$1 == "reply" && $2 == "seq=" s { on = 1; print $NF, $(NF-3), $(NF-2); next }
		on && /^(reason|fix): / { print; next } { on = 0 }' "$1" |
		sed 's/^fdmask=[0-9]* //'
}

case_many() {
	local before after n
	start_broker
	LISTEN_INO=$(listen_ino)
	before=$(broker_fds)
	# the VF (allowed) and the PF (not), one request: a reply each, in
	# order, each what its own request gets
	client $ALLOWED "$W/m1.out" "$VF,$PF" --many --timeout 20
	client $ALLOWED2 "$W/m1-vf.out" "$VF" --timeout 20
	client $ALLOWED2 "$W/m1-pf.out" "$PF" --timeout 20
	if [ "$(grep -c '^reply seq=' "$W/m1.out")" -eq 2 ] &&
		grep -q '^reply seq=1 op=4 ' "$W/m1.out" &&
		grep -q "^reply seq=2 op=4 error=-1 verdict=13 fds=0" "$W/m1.out"; then
		ok "many: the VF and the PF in one request: two replies in order, the PF's a policy refusal"
	else
		nok "many: the VF and the PF in one request: two replies in order: $(tr '\n' '|' <"$W/m1.out")"
	fi
	if grep -q '^reply seq=1 op=4 error=-[0-9]* verdict=[0-9]* ' "$W/m1.out" &&
		[ -n "$(many_line "$W/m1.out" 1)" ] &&
		[ "$(many_line "$W/m1.out" 1 | sed 's/uid [0-9]*/uid U/')" = \
			"$(many_line "$W/m1-vf.out" 1 | sed 's/uid [0-9]*/uid U/')" ] &&
		[ "$(many_line "$W/m1.out" 2 | sed 's/uid [0-9]*/uid U/')" = \
			"$(many_line "$W/m1-pf.out" 1 | sed 's/uid [0-9]*/uid U/')" ]; then
		ok "many: each reply is what a request of its own gets (the VF's open failed here: no VFIO on the host)"
	else
		nok "many: each reply is what a request of its own gets: [$(many_line "$W/m1.out" 1 | tr '\n' '|')] vs [$(many_line "$W/m1-vf.out" 1 | tr '\n' '|')]; [$(many_line "$W/m1.out" 2 | tr '\n' '|')] vs [$(many_line "$W/m1-pf.out" 1 | tr '\n' '|')]"
	fi
	if grep "uid=$ALLOWED " "$LOG" | grep -n " open " | head -2 | tr '\n' '|' |
		grep -q "^1:.*open $VF.*|2:.*open $PF (PF).*refused"; then
		ok "many: the broker logs the two in the request's order"
	else
		nok "many: the broker logs the two in the request's order: $(grep "uid=$ALLOWED " "$LOG" | tr '\n' '|')"
	fi
	# 16 functions (the most), 15 of them refused by the policy, twice on
	# one connection: each request is one refusal of the connection, so
	# the second is served too (then the connection is closed: 2)
	local list=$VF i
	for i in 1 2 3 4 5 6 7; do list="$list,0000:01:10.$i"; done
	for i in 0 1 2 3 4 5 6 7; do list="$list,0000:01:11.$i"; done
	client $ALLOWED "$W/m2.out" "$list" --many --count 2 --timeout 20
	n=$(grep -c '^reply seq=' "$W/m2.out")
	if [ "$n" -eq 32 ] && ! grep -q '^noreply' "$W/m2.out"; then
		ok "many: two requests of 16 functions on one connection: 32 replies"
	else
		nok "many: two requests of 16 functions on one connection: 32 replies ($n: $(grep -m1 '^noreply' "$W/m2.out"))"
	fi
	# malformed: a count over the most, a function named twice; no
	# reply, the connection closed, the reason logged (by a uid whose
	# refusals the log has not been rate-limited for yet)
	client $ALLOWED2 "$W/m3.out" "$VF" --many --many-count 17 --timeout 5
	client $ALLOWED2 "$W/m4.out" "$VF,$VF" --many --timeout 5
	client $ALLOWED2 "$W/m5.out" "$VF" --many --many-count 0 --timeout 5
	if grep -q '^noreply seq=1: \(the broker closed\|Connection reset\)' "$W/m3.out" &&
		grep -q '^noreply seq=1: \(the broker closed\|Connection reset\)' "$W/m4.out" &&
		grep -q '^noreply seq=1: \(the broker closed\|Connection reset\)' "$W/m5.out" &&
		grep -q 'malformed request refused: broker open-many: count 17: expected 1 to 16' "$LOG" &&
		grep -q 'malformed request refused: broker open-many: count 0: expected 1 to 16' "$LOG" &&
		grep -q "malformed request refused: broker open-many: addr\[1\] '$VF' is addr\[0\] again" "$LOG"; then
		ok "many: a count of 17 or 0, a function named twice: no reply, the connection closed, the reason logged"
	else
		nok "many: a count of 17 or 0, a function named twice: no reply, logged ($(tail -1 "$W/m3.out"); $(tail -1 "$W/m4.out"); $(tail -1 "$W/m5.out"); $(grep 'open-many' "$LOG" | tail -3 | tr '\n' '|'))"
	fi
	after=$(broker_fds)
	if [ "$before" = "$after" ]; then
		ok "many: the broker holds the fds it held before ($(echo "$after" | wc -l))"
	else
		nok "many: the broker holds the fds it held before: [$(echo "$before" | tr '\n' ' ')] now [$(echo "$after" | tr '\n' ' ')]"
	fi
	expect_served $ALLOWED2 "$W/m6.out" "many: another allowed uid is served after them"
	stop_broker
	# an allowed uid's FUSE file as the context of an open-many whose
	# FLUSH is never answered: the broker serves on and stops at SIGTERM
	flush_case $ALLOWED $ALLOWED2 "many: flush by allowed uid $ALLOWED (open-many)" \
		"$VF,$PF" --many
}

case "$CASE" in
flush | ioctl | flood | log | reply | start | priority | config | notify | stats | many) "case_$CASE" ;;
*) echo "broker_test: unknown case '$CASE' (expected flush, ioctl, flood, log, reply, start, priority, config, notify, stats or many)"; exit 2 ;;
esac
if ops_failed; then
	echo "# the broker's log:"
	sed 's/^/# /' "$LOG" | cat -v | tail -40
fi
ops_done

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Where a VF token can and cannot be seen. One known token T; each output
# is searched for it in every form it could take: canonical text in any
# case, the 32 hex digits without hyphens, the 16 bytes as hex with any
# separator ("0x12, 0x34", "12:34", "\x12\x34"), the little-endian GUID
# byte order, and the raw 16 bytes.
#
# - PF testpmd with the plugin, T from a 0600 file (vf_token_file=).
# - VF testpmd with T from a file, then one with T from the environment
#   (vf_token_env=), both with the bus's and EAL's debug logs on: T is in
#   no log line (stdout, stderr), no reply of any telemetry command (every
#   generic, /eal/, /ethdev/, /mempool/ and /sriov/ command listed by "/",
#   with every port id and every sriov device),
#   not in /proc/PID/cmdline; in /proc/PID/environ only for the env case
#   (that is where it was put).
# - VF testpmd with T on the command line (--vfio-vf-token=T and devargs
#   vf_token=T): DPDK keeps argv, so T shows in /proc/PID/cmdline and in
#   telemetry /eal/params; checked and documented (use files); still in
#   no log line and no other telemetry reply.
# - The vftoken CLI with --token-file, --token-env and --token, caught
#   while running (its output goes to a pipe filled beforehand, so it
#   blocks on its first write): /proc/PID/cmdline has no T (--token is
#   wiped from argv at start-up), environ only for --token-env; T in no
#   output, nor in "vftoken status".
# - Token files breaking a rule (group bits, other bits, another owner, a
#   symlink, a second line, text after the UUID) are refused by the plugin
#   (vf_token_file=) and the CLI (--token-file), each naming the rule.
# - The kernel log holds no T either.
#
# One line per check, "N passed, N failed".

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"
TOK=/tmp/token

# read_ok FILE: the scan has something to scan: FILE is non-empty and holds
# what a good copy of its kind always holds (a scan of an empty telemetry
# dump or of the /proc copies of a process that had gone would pass).
#   *.tel*        the dump's closing "# N queries" line, N > 0
#   *.eal-params  the /eal/params reply
#   *.cmdline     the program's name
#   *.environ     PATH=
#   *.log         testpmd's (its command line, tp_start's first line, or
#                 EAL) or the scenario's own (a check line)
#   dmesg*        the kernel's banner or its vfio lines
#   other         non-empty
read_ok() {
	local f=$1 re=
	if ! [ -s "$f" ]; then
		note "scan input $f is missing or empty"
		return 1
	fi
	case ${f##*/} in
	*.tel | *.tel-other) re='^# [1-9][0-9]* queries' ;;
	*.eal-params) re='"/eal/params"' ;;
	*.cmdline) re='testpmd|vftoken' ;;
	*.environ) re='PATH=' ;;
	*.log) re='dpdk-testpmd|EAL: |^(PASS|FAIL): ' ;;
	dmesg*) re='Linux version|vfio' ;;
	esac
	if [ -n "$re" ] && ! tr '\0' '\n' <"$f" | grep -Eiq -- "$re"; then
		note "scan input $f lacks its marker /$re/: not a good copy"
		return 1
	fi
}

# absent FILE...: each file was read (read_ok) and the token is in none.
absent() {
	local f
	for f in "$@"; do
		read_ok "$f" || return 1
	done
	token_absent "$TOK" "$@"
}

# present FILE: the token is in the file (where it is expected).
present() {
	local out f
	for f in "$@"; do
		read_ok "$f" || return 1
	done
	out=$(token_scan "$TOK" "$@") && return 1
	echo "$out" | sed 's/^/  found (expected): /'
	return 0
}

# teldump PREFIX OUT: the reply of every generic, EAL, ethdev, mempool and
# sriov telemetry command of the process with file prefix PREFIX, with no
# parameter and with each port id and sriov device name; one "> command"
# line before each reply.
teldump() {
	python3 - "$1" >"$2" 2>&1 <<'PY'
import json
import socket
import sys

path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % sys.argv[1]

def query(cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.recv(1 << 20)
    s.send(cmd.encode())
    r = s.recv(1 << 20).decode(errors="replace")
    s.close()
    return r

# The generic and the relevant libraries' commands. Not the drivers' own:
# DPDK 22.11's /cnxk/* handlers take any ethdev port for one of theirs
# (seen: /cnxk/ipsec/info,<name> crashed a testpmd with two igb VF ports).
keep = ("/", "/info", "/help")
pfx = ("/eal/", "/ethdev/", "/sriov/", "/mempool/")
cmds = [c for c in json.loads(query("/"))["/"]
        if c in keep or c.startswith(pfx)]
ports = json.loads(query("/ethdev/list")).get("/ethdev/list") or []
devs = []
if "/sriov/list" in cmds:
    devs = json.loads(query("/sriov/list")).get("/sriov/list") or []
params = [str(p) for p in ports] + devs + ["0", "1"]
n = 0
for c in cmds:
    for p in [None] + params:
        q = c if p is None else "%s,%s" % (c, p)
        print("> " + q)
        print(query(q))
        n += 1
    print("> /help," + c)
    print(query("/help," + c))
    n += 1
print("# %d queries, %d commands, ports %s, sriov devices %s"
      % (n, len(cmds), ports, devs))
PY
}

# proc_files NAME PID: copies of /proc/PID/cmdline and environ.
proc_files() {
	cat "/proc/$2/cmdline" >"$OUTDIR/$1.cmdline" 2>/dev/null
	cat "/proc/$2/environ" >"$OUTDIR/$1.environ" 2>/dev/null
}

# testpmd_secrets NAME: telemetry dump and /proc files of a running testpmd
# (file prefix NAME).
testpmd_secrets() {
	teldump "$1" "$OUTDIR/$1.tel"
	tail -n 1 "$OUTDIR/$1.tel" | sed "s/^/  $1 telemetry: /"
	proc_files "$1" "${TP_PID[$1]}"
}

vf_start() {
	local name=$1
	shift
	tp_start "$name" -d "$PLUGIN" -l 0,1 --file-prefix "$name" \
		--log-level=bus.sriov:debug --log-level=lib.eal:debug "$@" \
		-- -i --total-num-mbufs=$MBUFS
	tp_wait "$name" 'testpmd> ' 180 && tp_send "$name" "show port info all"
	sleep 1
}

# cli_caught NAME ARGS...: runs vftoken ARGS with stdout and stderr on a
# pipe filled beforehand, so that it blocks on its first write; copies
# its /proc cmdline and environ then, drains the pipe, and keeps the
# output in $OUTDIR/cli-NAME.out and the exit status in CLI_RC.
cli_caught() {
	local name=$1 fifo=/tmp/cli.fifo pid cat_pid i w=
	shift
	rm -f "$fifo"
	mkfifo "$fifo"
	exec 7<>"$fifo"
	head -c 65536 /dev/zero >&7
	"$VFT" "$@" >&7 2>&7 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		w=$(cat "/proc/$pid/wchan" 2>/dev/null)
		[ "$w" = pipe_write ] && break
		sleep 0.1
	done
	CLI_CAUGHT=$w
	proc_files "cli-$name" "$pid"
	timeout 30 cat <&7 >"$OUTDIR/cli-$name.raw" &
	cat_pid=$!
	wait "$pid"
	CLI_RC=$?
	sleep 0.5
	kill "$cat_pid" 2>/dev/null
	wait "$cat_pid" 2>/dev/null
	exec 7>&-
	rm -f "$fifo"
	tr -d '\0' <"$OUTDIR/cli-$name.raw" >"$OUTDIR/cli-$name.out"
	rm -f "$OUTDIR/cli-$name.raw"
	note "vftoken $name: exit $CLI_RC, caught in $CLI_CAUGHT"
	sed 's/^/  | /' "$OUTDIR/cli-$name.out" | head -n 8
}

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, plugin $PLUGIN"
check "plugin and CLI are built" test -r "$PLUGIN" -a -x "$VFT"
pf_ready "$VM_PF"
check "token file created (0600)" make_token "$TOK"

# The scanner itself: each form of the token, alone in a file, is found.
scan_selftest() {
	local d=/tmp/scan-selftest f ok=0
	mkdir -p "$d"
	python3 - "$TOK" "$d" <<'PY'
import sys
import uuid

u = uuid.UUID(open(sys.argv[1]).read().strip())
forms = {
    "lower": str(u).encode(),
    "upper": str(u).upper().encode(),
    "compact": u.hex.encode(),
    "compact-upper": u.hex.upper().encode(),
    "bytes-0x": b", ".join(b"0x%02x" % c for c in u.bytes),
    "bytes-colon": b":".join(b"%02X" % c for c in u.bytes),
    "bytes-escaped": b"".join(b"\\x%02x" % c for c in u.bytes),
    "guid-le": str(uuid.UUID(bytes=u.bytes_le)).encode(),
    "raw": u.bytes,
}
for name, data in forms.items():
    open("%s/%s" % (sys.argv[2], name), "wb").write(b"pre " + data + b" post")
PY
	for f in "$d"/*; do
		if token_scan "$TOK" "$f" >/dev/null; then
			echo "  scanner misses $(basename "$f")"
			ok=1
		fi
	done
	[ "$(find "$d" -type f | wc -l)" = 9 ] && [ "$ok" = 0 ]
}
check "the token scanner finds each of 9 forms of the token" scan_selftest

# ---- PF, token from a file ---------------------------------------------------
echo "-- PF testpmd, token from vf_token_file"
tp_start pf -d "$PLUGIN" -l 0,1 --file-prefix pf --log-level=bus.sriov:debug \
	--log-level=lib.eal:debug -a "$VM_PF,num_vfs=7,vf_token_file=$TOK" \
	-- -i --total-num-mbufs=$MBUFS
check "PF testpmd starts, 7 VFs" \
	eval "tp_wait pf 'testpmd> ' 180 && test \"\$(num_vfs $VM_PF)\" = 7"
testpmd_secrets pf
check "PF: token in no log line" absent "$(tp_log pf)"
check "PF: token in no telemetry reply" absent "$OUTDIR/pf.tel"
check "PF: token not in /proc/PID/cmdline nor environ" \
	absent "$OUTDIR/pf.cmdline" "$OUTDIR/pf.environ"

# ---- VF, token from a file -----------------------------------------------
echo "-- VF testpmd, token from vf_token_file"
vf_start vf-file -a "$(vf_addr "$VM_PF" 0),vf_token_file=$TOK"
check "vf-file: port up on the VF" grep -q '^Port 0: ' "$(tp_log vf-file)"
testpmd_secrets vf-file
check "vf-file: telemetry /sriov/info answered for the VF" \
	grep -q '"token_source": *"vf_token_file"' "$OUTDIR/vf-file.tel"
check "vf-file: token in no log line" absent "$(tp_log vf-file)"
check "vf-file: token in no telemetry reply (incl. /eal/params)" \
	absent "$OUTDIR/vf-file.tel"
check "vf-file: token not in /proc/PID/cmdline nor environ" \
	absent "$OUTDIR/vf-file.cmdline" "$OUTDIR/vf-file.environ"
tp_stop vf-file

# ---- VF, token from the environment ----------------------------------------
echo "-- VF testpmd, token from vf_token_env"
VFTOK=$(cat "$TOK")
export VFTOK
vf_start vf-env -a "$(vf_addr "$VM_PF" 1),vf_token_env=VFTOK"
unset VFTOK
check "vf-env: port up on the VF" grep -q '^Port 0: ' "$(tp_log vf-env)"
testpmd_secrets vf-env
check "vf-env: telemetry /sriov/info answered for the VF" \
	grep -q '"token_source": *"vf_token_env"' "$OUTDIR/vf-env.tel"
check "vf-env: token in no log line" absent "$(tp_log vf-env)"
check "vf-env: token in no telemetry reply (incl. /eal/params)" \
	absent "$OUTDIR/vf-env.tel"
check "vf-env: token not in /proc/PID/cmdline" absent "$OUTDIR/vf-env.cmdline"
check "vf-env: token in /proc/PID/environ (put there by the caller; readable by the same user and root only)" \
	present "$OUTDIR/vf-env.environ"
tp_stop vf-env

# ---- VF, token on the command line -------------------------------------------
echo "-- VF testpmd, token on the command line (--vfio-vf-token, vf_token=)"
vf_start vf-cmdline --vfio-vf-token="$(cat "$TOK")" -a "$(vf_addr "$VM_PF" 2)" \
	-a "$(vf_addr "$VM_PF" 3),vf_token=$(cat "$TOK")"
check "vf-cmdline: both ports up" grep -q '^Port 1: ' "$(tp_log vf-cmdline)"
testpmd_secrets vf-cmdline
telemetry vf-cmdline /eal/params >"$OUTDIR/vf-cmdline.eal-params" 2>&1
# every reply but those of /eal/params (with or without a parameter)
awk '/^> /{ skip = ($2 ~ /^\/eal\/params/) } !skip' "$OUTDIR/vf-cmdline.tel" \
	>"$OUTDIR/vf-cmdline.tel-other"
check "vf-cmdline: token in no log line (the first line is our redacted command)" \
	absent "$(tp_log vf-cmdline)"
check "vf-cmdline: token in no telemetry reply but /eal/params" \
	absent "$OUTDIR/vf-cmdline.tel-other"
check "vf-cmdline: DPDK's /eal/params shows it (EAL keeps argv)" \
	present "$OUTDIR/vf-cmdline.eal-params"
check "vf-cmdline: /proc/PID/cmdline shows it (any local user can read it)" \
	present "$OUTDIR/vf-cmdline.cmdline"
check "vf-cmdline: token not in /proc/PID/environ" absent "$OUTDIR/vf-cmdline.environ"
tp_stop vf-cmdline

# ---- the CLI ---------------------------------------------------------------
echo "-- vftoken CLI, caught while running"
V4=$(vf_addr "$VM_PF" 4)
cli_caught file check "$V4" --token-file "$TOK"
check "CLI --token-file: caught blocked on its output, opened the VF (exit 0)" \
	test "$CLI_CAUGHT/$CLI_RC" = pipe_write/0
check "CLI --token-file: token not in output, cmdline, environ" \
	absent "$OUTDIR/cli-file.out" "$OUTDIR/cli-file.cmdline" \
	"$OUTDIR/cli-file.environ"
VFTOK=$(cat "$TOK") cli_caught env check "$V4" --token-env VFTOK
check "CLI --token-env: caught blocked on its output, opened the VF (exit 0)" \
	test "$CLI_CAUGHT/$CLI_RC" = pipe_write/0
check "CLI --token-env: token not in output nor cmdline" \
	absent "$OUTDIR/cli-env.out" "$OUTDIR/cli-env.cmdline"
check "CLI --token-env: token in /proc/PID/environ (put there by the caller)" \
	present "$OUTDIR/cli-env.environ"
cli_caught literal check "$V4" --json --token "$(cat "$TOK")"
check "CLI --token: caught blocked on its output, opened the VF (exit 0)" \
	test "$CLI_CAUGHT/$CLI_RC" = pipe_write/0
check "CLI --token: warns that the command line is visible" \
	grep -q 'visible to other users' "$OUTDIR/cli-literal.out"
check "CLI --token: token wiped from /proc/PID/cmdline once running" \
	absent "$OUTDIR/cli-literal.cmdline"
check "CLI --token: token not in output nor environ" \
	absent "$OUTDIR/cli-literal.out" "$OUTDIR/cli-literal.environ"
"$VFT" status >"$OUTDIR/cli-status.out" 2>&1
"$VFT" status --json >>"$OUTDIR/cli-status.out" 2>&1
check "CLI status (text and JSON): token not in output" \
	absent "$OUTDIR/cli-status.out"

# ---- token files that break a rule ---------------------------------------------
echo "-- token files breaking a rule: plugin (vf_token_file=) and CLI (--token-file)"
B=/tmp/bad
mkdir -p "$B"
t=$(cat "$TOK")
(umask 077 && printf '%s\n' "$t" >"$B/group" && printf '%s\n' "$t" >"$B/other" &&
	printf '%s\n' "$t" >"$B/owner" && printf '%s\n%s\n' "$t" "$t" >"$B/twolines" &&
	printf '%sX\n' "$t" >"$B/trailing")
chmod 0640 "$B/group"
chmod 0604 "$B/other"
chown 1000:1000 "$B/owner"
ln -sf "$TOK" "$B/symlink"
unset t
declare -A RULE=(
	[group]="has mode 0640, expected no group/other permission bits"
	[other]="has mode 0604, expected no group/other permission bits"
	[owner]="is owned by uid 1000, expected the caller's uid 0"
	[symlink]="is a symbolic link, expected a regular file"
	[twolines]="has more than one line"
	[trailing]="is longer than one UUID"
)
CASES="group other owner symlink twolines trailing"
args=()
i=0
for c in $CASES; do
	args+=(-a "$(vf_addr "$VM_PF" $i),vf_token_file=$B/$c")
	i=$((i + 1))
done
vf_start rules "${args[@]}" -a "$(vf_addr "$VM_PF" 6),vf_token_file=$TOK"
check "rules: only the good VF $(vf_addr "$VM_PF" 6) became a port" \
	eval "grep -q '^Port 0: ' $(tp_log rules) && ! grep -q '^Port 1: ' $(tp_log rules)"
i=0
for c in $CASES; do
	a=$(vf_addr "$VM_PF" $i)
	grep "sriov: $a: devarg" "$(tp_log rules)" | sed 's/^/  | /'
	check "plugin refuses $c: \"${RULE[$c]}\"" \
		grep -q "sriov: $a: devarg vf_token_file: token file $B/$c ${RULE[$c]}" \
		"$(tp_log rules)"
	"$VFT" check "$V4" --token-file "$B/$c" >"$OUTDIR/cli-rule-$c.out" 2>&1
	rc=$?
	sed 's/^/  | /' "$OUTDIR/cli-rule-$c.out" | head -n 2
	check "CLI refuses $c (exit 10, token-source): \"${RULE[$c]}\"" \
		eval "test $rc = 10 && grep -q \"token file $B/$c ${RULE[$c]}\" $OUTDIR/cli-rule-$c.out"
	i=$((i + 1))
done
telemetry rules "/sriov/info,$(vf_addr "$VM_PF" 0)" >"$OUTDIR/rules.sriov-info" 2>&1
check "rules: telemetry says token-unreadable" \
	grep -q '"token-unreadable"' "$OUTDIR/rules.sriov-info"
tp_stop rules
check "rules: testpmd exits cleanly" test $? = 0
check "rules: token in no log line nor CLI output" \
	absent "$(tp_log rules)" "$OUTDIR"/cli-rule-*.out

tp_stop pf
check "PF testpmd exits cleanly" test $? = 0
tp_stop_all
set_num_vfs "$VM_PF" 0
dmesg >"$OUTDIR/dmesg-secrets.txt" 2>&1
check "kernel log: token absent" absent "$OUTDIR/dmesg-secrets.txt"
check "all testpmd logs of this run: token absent" absent "$OUTDIR"/*.log
finish

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The embedding example end to end: app/sriov-fwd (DPDK and the sriov bus
# linked into one program, no -d) owns the igb PF through the bus's PF
# helper (3 VFs created, VF token from a 0600 file), owns VF0 and VF1
# through token-gated opens and forwards between them; after ROTATE s it
# rotates the token with rte_sriov_pf_set_token() while the VFs forward.
# The third VF, which nobody holds, shows the kernel's side of the
# rotation: vftoken check with the old token opens it before the rotation
# and is refused (token-rejected, exit 7) after it; the new token the other
# way round. Forwarding on both VF ports before and after the rotation,
# the fingerprints and the absence of any token are read from the app's
# JSON and log.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

FWD=$VFTOKEN_BUILD/app/sriov-fwd/sriov-fwd
OLD=/tmp/token-old
NEW=/tmp/token-new
LOG=$OUTDIR/sriov-fwd.log
JSON=$OUTDIR/sriov-fwd.json
# Long enough that the checks made while it forwards end before it does:
# with the app polling on both vCPUs under TCG each check's shell waits
# for a CPU, and they took 30 s in one run (2026-12-07).
DURATION=${DURATION:-45}
ROTATE=${ROTATE:-6}
EXIT_TOKEN_REJECTED=7 # app/vftoken/vftoken_cli.h, CLI_EXIT_TOKEN_REJECTED

fwd_alive() { kill -0 "$FWD_PID" 2>/dev/null; }

# wait_log REGEX SECS: REGEX in the app's log (0), or exit/timeout (1).
wait_log() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		grep -Eq -- "$1" "$LOG" && return 0
		fwd_alive || {
			grep -Eq -- "$1" "$LOG"
			return
		}
		sleep 0.2
	done
	return 1
}

# vft_check NAME ADDR TOKEN-FILE: vftoken check, output kept, rc in RC.
vft_check() {
	local up
	timeout 60 "$VFT" check "$2" --token-file "$3" \
		>"$OUTDIR/check-$1.out" 2>&1
	RC=$?
	read -r up _ </proc/uptime
	echo "  [${up}s] \$ vftoken check $2 --token-file $3 -> exit $RC" \
		"($(sed -n '1s/^[^ ]*: //p' "$OUTDIR/check-$1.out"))"
}

# cli_fp NAME: the token fingerprint vftoken check printed.
cli_fp() { sed -n 's/^  token: \(fp:[0-9a-f]*\) .*/\1/p' "$OUTDIR/check-$1.out"; }

# jnum FILTER: a number from the JSON (0 if absent).
jnum() { jq -r "($1) // 0" "$JSON" 2>/dev/null || echo 0; }
jstr() { jq -r "($1) // \"\"" "$JSON" 2>/dev/null; }
json_ok() { jq -e . "$JSON" >/dev/null 2>&1; }

# VFIO groups the app holds, with one process for all its fds (a DPDK
# process has hundreds; one readlink each takes seconds in this guest).
app_groups() {
	find "/proc/$FWD_PID/fd" -lname '/dev/vfio/[0-9]*' -printf '%l\n' 2>/dev/null |
		sed 's|^/dev/vfio/||' | sort -un | tr '\n' ' '
}

holds_vf0_vf1_only() {
	local held g0 g1 g2
	held=" $(app_groups)"
	g0=$(group_of "$VF0")
	g1=$(group_of "$VF1")
	g2=$(group_of "$VF2")
	echo "  app holds groups:$held(VF0 $g0, VF1 $g1, VF2 $g2)"
	[ -n "$g2" ] &&
		[[ $held == *" $g0 "* && $held == *" $g1 "* && $held != *" $g2 "* ]]
}

not_rotated_yet() { ! grep -q '^sriov-fwd: rotation:' "$LOG"; }

cleaned_up() {
	test "$(grep -Ec "^sriov-fwd: (sriov:$VF0|sriov:$VF1|$VM_PF): removed" "$LOG")" = 3 &&
		grep -q '^sriov-fwd: EAL cleaned up' "$LOG"
}

signalled_and_cleaned_up() {
	grep -q '^sriov-fwd: signal received' "$LOG" && cleaned_up
}

fps_differ() {
	[[ $FP_OLD =~ ^fp:[0-9a-f]{8}$ && $FP_NEW =~ ^fp:[0-9a-f]{8}$ ]] &&
		[ "$FP_OLD" != "$FP_NEW" ]
}

# fwd_wait SECS: wait for the app to exit (killed after SECS), rc in RC.
fwd_wait() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		fwd_alive || break
		sleep 0.2
	done
	if fwd_alive; then
		echo "  sriov-fwd did not exit in $1 s; killing it"
		kill -9 "$FWD_PID"
	fi
	wait "$FWD_PID"
	RC=$?
}

# no_token_in FILE...: neither token, old or new, in any FILE (any encoding).
no_token_in() { token_absent "$OLD" "$@" && token_absent "$NEW" "$@"; }

# ---- set-up ---------------------------------------------------------------
# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, app $FWD"
check "sriov-fwd is built" test -x "$FWD"
check "vftoken CLI is built" test -x "$VFT"
pf_ready "$VM_PF"
check "two token files created (0600)" make_token "$OLD"
make_token "$NEW"
check "the two tokens differ" test "$(cat "$OLD")" != "$(cat "$NEW")"
VF0=$(vf_addr "$VM_PF" 0)
VF1=$(vf_addr "$VM_PF" 1)
VF2=$(vf_addr "$VM_PF" 2)

# ---- the appliance --------------------------------------------------------
"$FWD" -l 0 --file-prefix fwd --log-level=bus.sriov:info -- \
	--pf "$VM_PF" --num-vfs 3 --token-file "$OLD" --vf "$VF0" --vf "$VF1" \
	--rotate-after "$ROTATE" --new-token-file "$NEW" \
	--duration "$DURATION" --stats-json "$JSON" >"$LOG" 2>&1 &
FWD_PID=$!

wait_log '^sriov-fwd: forwarding ' 180
started=$?
check "sriov-fwd starts forwarding" test "$started" = 0
if [ "$started" != 0 ]; then
	tail -n 40 "$LOG" | sed 's/^/  | /'
	kill "$FWD_PID" 2>/dev/null
	wait "$FWD_PID"
	set_num_vfs "$VM_PF" 0
	finish
	exit 1
fi

# ---- VF2 before the rotation ----------------------------------------------
# First, while the rotation is still ROTATE s away: the guest is slow (one
# vCPU polls for the app; every process spawned here costs tens of ms).
vft_check pre-old "$VF2" "$OLD"
check "before rotation: VF2 opens with the old token (exit 0)" rc_is 0
vft_check pre-new "$VF2" "$NEW"
check "before rotation: VF2 refuses the new token (exit $EXIT_TOKEN_REJECTED)" \
	rc_is $EXIT_TOKEN_REJECTED
check "those two checks ran before the rotation" not_rotated_yet

check "its command line holds no token (vf_token_file= only)" \
	no_token_in "/proc/$FWD_PID/cmdline"
check "the app created the 3 VFs (num_vfs=3 through the PF helper)" \
	test "$(num_vfs "$VM_PF")" = 3
check "PF probed by net_e1000_igb on the sriov bus" \
	grep -q "sriov: $VM_PF: probe PCI driver net_e1000_igb " "$LOG"
check "PF token set with VFIO_DEVICE_FEATURE from vf_token_file" \
	grep -Eq "sriov: $VM_PF: VF token set \(fp:[0-9a-f]{8}, from vf_token_file\)" "$LOG"
check "VF0 and VF1 hot-plugged through the bus (net_e1000_igb_vf)" \
	test "$(grep -Ec "sriov: sriov:($VF0|$VF1): probe PCI driver net_e1000_igb_vf" "$LOG")" = 2
check "links up on both VF ports" \
	test "$(grep -Ec "^sriov-fwd: sriov:($VF0|$VF1): link up" "$LOG")" = 2
check "the app holds the groups of VF0 and VF1, not VF2" holds_vf0_vf1_only

# ---- rotation while forwarding --------------------------------------------
check "the app rotates the token while forwarding" \
	wait_log '^sriov-fwd: rotation: PF .* fp:[0-9a-f]{8} -> fp:[0-9a-f]{8}' \
	$((ROTATE + 30))
vft_check post-old "$VF2" "$OLD"
check "after rotation: VF2 refuses the old token (exit $EXIT_TOKEN_REJECTED)" \
	rc_is $EXIT_TOKEN_REJECTED
vft_check post-new "$VF2" "$NEW"
check "after rotation: VF2 opens with the new token (exit 0)" rc_is 0
check "the app is still running after the checks" fwd_alive
check "the app's own check: forwarding continues after the rotation" \
	wait_log '^sriov-fwd: rotation check .*forwarding continues' 30

# ---- end ------------------------------------------------------------------
fwd_wait $((DURATION + 60))
check "sriov-fwd exits 0 after --duration $DURATION" rc_is 0
check "it stopped its ports, removed its devices and cleaned up EAL" \
	cleaned_up
grep -E '^\[ *[0-9]+s\]' "$LOG" | sed 's/^/  | /'
sed 's/^/  | json: /' "$JSON"

check "stats JSON written and valid" json_ok
for p in 0 1; do
	rb=$(jnum ".vf_ports[$p].rx_before_rotation")
	ra=$(jnum ".vf_ports[$p].rx_after_rotation")
	tb=$(jnum ".vf_ports[$p].tx_before_rotation")
	ta=$(jnum ".vf_ports[$p].tx_after_rotation")
	echo "  VF port $p: rx $rb before / $ra after rotation, tx $tb / $ta," \
		"$(jnum ".vf_ports[$p].rx_pps") rx pps"
	check "VF port $p forwarded before the rotation (rx, tx > 0)" \
		test "$rb" -gt 0 -a "$tb" -gt 0
	check "VF port $p forwarded after the rotation (rx, tx > 0)" \
		test "$ra" -gt 0 -a "$ta" -gt 0
done
FP_OLD=$(jstr .rotation.fingerprint_old)
FP_NEW=$(jstr .rotation.fingerprint_new)
echo "  fingerprints: old $FP_OLD, new $FP_NEW"
check "JSON: rotation ok and forwarding continued" \
	test "$(jstr .rotation.result)/$(jstr .rotation.forwarding_continued)" = ok/true
check "fingerprints well formed and different" fps_differ
check "old fingerprint is the one the bus logged when it set the token" \
	grep -q "sriov: $VM_PF: VF token set ($FP_OLD, from vf_token_file)" "$LOG"
check "vftoken check shows the same fingerprints for the two token files" \
	test "$(cli_fp pre-old)/$(cli_fp pre-new)" = "$FP_OLD/$FP_NEW"
check "no token in the log, the JSON or the vftoken outputs" \
	no_token_in "$LOG" "$JSON" "$OUTDIR"/check-*.out
check "the VFs outlive the app (num_vfs still 3)" test "$(num_vfs "$VM_PF")" = 3

# ---- SIGTERM: a second run, the VFs already there --------------------------
# The PF helper finds 3 VFs (num_vfs unchanged), sets the token (no VF is in
# use), and the app forwards until SIGTERM.
LOG=$OUTDIR/sriov-fwd-sigterm.log
JSON=$OUTDIR/sriov-fwd-sigterm.json
"$FWD" -l 0 --file-prefix fwd2 --log-level=bus.sriov:info -- \
	--pf "$VM_PF" --num-vfs 3 --token-file "$NEW" --vf "$VF1" --vf "$VF0" \
	--stats-json "$JSON" >"$LOG" 2>&1 &
FWD_PID=$!
check "second run (VFs already there) starts forwarding" \
	wait_log '^sriov-fwd: forwarding ' 180
check "it forwards for 2 s" wait_log '^\[ *2s\]' 30
kill -TERM "$FWD_PID"
fwd_wait 60
check "SIGTERM: sriov-fwd exits 0" rc_is 0
check "SIGTERM: signal seen, devices removed, EAL cleaned up" \
	signalled_and_cleaned_up
r0=$(jnum '.vf_ports[0].rx')
r1=$(jnum '.vf_ports[1].rx')
echo "  SIGTERM run: rx $r0 / $r1 in $(jnum .forward_s) s"
check "SIGTERM run: both VF ports received (stats JSON)" \
	test "$r0" -gt 0 -a "$r1" -gt 0
check "SIGTERM run: no token in its log or JSON" no_token_in "$LOG" "$JSON"

set_num_vfs "$VM_PF" 0
finish

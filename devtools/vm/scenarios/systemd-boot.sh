#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The boot-time units under a real systemd (PID 1), installed the way
# `meson install` lays them out. Run with `devtools/vm/run.sh --systemd
# systemd-boot` (run.sh stages the install, systemd-init.sh copies it into
# the guest's root and starts systemd; this script then runs as
# vftoken-vm-scenario.service once multi-user.target is reached).
#
# Before systemd (--before-systemd, from systemd-init.sh), as an operator
# would (doc/guides/install.rst): /etc/vftoken/PF.conf (NUM_VFS=2), a 0600
# token file from `vftoken token generate`, a DPDK unit
# vftoken-vm-fwd@PF.service (app/sriov-fwd: it owns the PF through the
# sriov bus and forwards VF to VF) with Requires= and After=
# vftoken-vfs@PF.service, and `systemctl enable` of both.
#
# The broker: vftokend.socket enabled with a policy that lets root open
# the VFs. At boot the socket listens and the service has not run; a
# `vftoken check VF0 --broker` (VF 0 busy: the DPDK unit holds it) starts
# it and is answered; `systemctl reload` rereads the policy; with the DPDK
# unit stopped, the same opens VF 0. The operator's side (issue 32): the
# journal has the broker's priorities (`journalctl -p warning` shows the
# failed open, not the start; `-p notice` the start), the unit's
# WatchdogSec= is 30 s and the broker pings (its watchdog timestamp moves
# past the first 15 s, it is never restarted), its STATUS= has the
# counters, and `vftoken status --broker` reads them.
#
# At boot: systemd ran vftoken-vfio.service, then vftoken-vfs@PF.service
# (VFs created, token set), then the DPDK unit, which forwards; `systemctl
# status` and the journal show the token's fingerprint and never the token
# (any encoding, as secrets.sh searches); `systemd-analyze security` gives
# the exposure doc/guides/install.rst states. Then, in the same boot, with
# the units stopped: a missing token file, and a PF that does not exist,
# each fail vftoken-vfs@ with a clear journal line and the DPDK unit is not
# started; with the token file back the DPDK unit starts and forwards again.
#
# One line per check, "N passed, N failed".

# Functions are called through check(): not unreachable.
# shellcheck disable=SC2317
set -u

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

PF=$VM_PF
NUM_VFS=2
ETC=/etc/vftoken
TOKEN=$ETC/$PF.token
VFT=/usr/local/bin/vftoken
UNIT_DIR=/usr/local/lib/systemd/system
# A PCI address with no device in the rig (buses 01 to 03 only).
ABSENT_PF=0000:05:00.0
VFS=vftoken-vfs@$PF.service
FWD=vftoken-vm-fwd@$PF.service
VF0=$(vf_addr "$PF" 0)
VF1=$(vf_addr "$PF" 1)

# fwd_conf PF VF0 VF1: what vftoken-vm-fwd@PF.service forwards on.
fwd_conf() {
	printf 'VF0=%s\nVF1=%s\n' "$2" "$3" >"$ETC/$1.fwd"
}

# ---- before systemd: the operator's set-up -----------------------------------
before_systemd() {
	install -d -m 0700 "$ETC" || return 1
	echo "NUM_VFS=$NUM_VFS" >"$ETC/$PF.conf" || return 1
	"$VFT" token generate --out "$TOKEN" >"$OUTDIR/token-generate.out" || return 1
	fwd_conf "$PF" "$VF0" "$VF1" || return 1
	# The DPDK application's unit, ordered as install.rst says.
	cat >/etc/systemd/system/vftoken-vm-fwd@.service <<EOF || return 1
[Unit]
Description=VF-to-VF forwarding on the VFs of PF %I (sriov-fwd, VM rig)
Requires=vftoken-vfs@%i.service
After=vftoken-vfs@%i.service

[Service]
Type=simple
EnvironmentFile=$ETC/%I.conf
EnvironmentFile=$ETC/%I.fwd
ExecStart=$VFTOKEN_BUILD/app/sriov-fwd/sriov-fwd -l 0 --file-prefix vmfwd --log-level=bus.sriov:info -- --pf %I --num-vfs \${NUM_VFS} --token-file $ETC/%I.token --vf \${VF0} --vf \${VF1}

[Install]
WantedBy=multi-user.target
EOF
	# The broker, socket-activated (doc/guides/broker.rst): root may open
	# the PF's VFs through it.
	echo "allow uid=0 action=open pf=$PF vf=0,1" >"$ETC/broker.policy" || return 1
	chmod 0644 "$ETC/broker.policy" || return 1
	systemctl enable "$VFS" "$FWD" vftokend.socket >"$OUTDIR/enable.out" 2>&1
}

if [ "${1:-}" = --before-systemd ]; then
	before_systemd
	exit
fi

# ---- helpers -----------------------------------------------------------------
# prop UNIT PROPERTY: one property of a unit, as systemctl show gives it.
prop() { timeout 60 systemctl show -P "$2" "$1" 2>/dev/null; }

# state_is UNIT ACTIVE RESULT
state_is() {
	local a r
	a=$(prop "$1" ActiveState)
	r=$(prop "$1" Result)
	[ "$a/$r" = "$2/$3" ] || {
		echo "  $1: ActiveState=$a Result=$r, expected $2/$3"
		return 1
	}
}

# mono UNIT PROPERTY: a ...TimestampMonotonic property in microseconds.
mono() { prop "$1" "$2"; }

# ordered UNIT-A PROP-A UNIT-B PROP-B: A's PROP-A happened (non-zero) no
# later than B's PROP-B.
ordered() {
	local a b
	a=$(mono "$1" "$2")
	b=$(mono "$3" "$4")
	echo "  $1 $2 = $a us, $3 $4 = $b us"
	[ "${a:-0}" -gt 0 ] && [ "${b:-0}" -gt 0 ] && [ "$a" -le "$b" ]
}

CURSOR=
# mark: remember the journal's end; since_mark UNIT: its lines since then.
mark() { CURSOR=$(journalctl -n 0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p'); }
since_mark() {
	if [ -n "$CURSOR" ]; then
		journalctl --no-pager -o cat -u "$1" --after-cursor "$CURSOR"
	else
		journalctl --no-pager -o cat -b -u "$1"
	fi 2>/dev/null
}

# journal_rx UNIT: "RX0 RX1" from the last per-second line of sriov-fwd since
# the mark (0 0 if none).
journal_rx() {
	since_mark "$1" |
		awk '/^\[ *[0-9]+s\] sriov:/ {
			n = 0
			for (i = 1; i < NF; i++) if ($i == "rx") r[n++] = $(i + 1)
		}
		END { printf "%d %d\n", r[0], r[1] }'
}

# forwards UNIT SECS: both VF ports received packets within SECS seconds
# of wall time (each look is a journalctl, itself seconds under load).
forwards() {
	local t0=$SECONDS rx
	while :; do
		read -r -a rx <<<"$(journal_rx "$1")"
		if [ "${rx[0]}" -gt 0 ] && [ "${rx[1]}" -gt 0 ]; then
			note "$1: rx VF0 ${rx[0]}, VF1 ${rx[1]} after $((SECONDS - t0)) s"
			return 0
		fi
		[ $((SECONDS - t0)) -lt "$2" ] || break
		sleep 1
	done
	note "$1: rx VF0 ${rx[0]}, VF1 ${rx[1]} after $((SECONDS - t0)) s"
	since_mark "$1" | tail -n 15 | sed 's/^/  | /'
	return 1
}

# exposure UNIT: the overall exposure systemd-analyze security gives it.
exposure() {
	systemd-analyze security --no-pager "$1" 2>/dev/null |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}

# documented UNIT: the exposure doc/guides/install.rst states for it.
documented() {
	local doc=$VFTOKEN_ROOT/doc/guides/install.rst
	case $1 in
	vftoken-vfs@*) sed -n 's/.*systemd-analyze security`` rates it \([0-9.]*\) .*/\1/p' "$doc" ;;
	vftoken-vfio*) sed -n 's/.*(``vftoken-vfio.service``: \([0-9.]*\)).*/\1/p' "$doc" ;;
	esac | head -n 1
}

# dependency_failed UNIT: systemd logged "Dependency failed for UNIT" since
# the mark (PID 1 logs it as the job ends; wait up to 20 s for journald).
dependency_failed() {
	local i
	for ((i = 0; i < 20; i++)); do
		journalctl --no-pager -o cat --after-cursor "$CURSOR" 2>/dev/null |
			grep -qF "Dependency failed for $1" && return 0
		sleep 1
	done
	return 1
}

# no_fwd_process: no sriov-fwd runs (the DPDK unit did not start).
no_fwd_process() { ! pgrep -x sriov-fwd >/dev/null; }

# ---- 1. at boot ----------------------------------------------------------------
read -r up _ </proc/uptime
echo "kernel $VM_KERNEL, PF $PF, systemd $(systemctl --version | head -n 1 | cut -d' ' -f2), uptime $up s"
check "PID 1 is systemd" test "$(cat /proc/1/comm)" = systemd
note "boot: $(systemd-analyze time 2>/dev/null | head -n 1)"
check "the set-up before systemd succeeded (config, token, systemctl enable)" \
	eval "test -s $TOKEN && grep -q 'vftoken-vfs@$PF.service' $OUTDIR/enable.out"
sed 's/^/  | /' "$OUTDIR/enable.out"
check "vftoken-vfs@.service is the one meson install put in $UNIT_DIR" \
	test "$(prop "$VFS" FragmentPath)" = "$UNIT_DIR/vftoken-vfs@.service"
check "vftoken-vfio.service is the one meson install put in $UNIT_DIR" \
	test "$(prop vftoken-vfio.service FragmentPath)" = "$UNIT_DIR/vftoken-vfio.service"
check "$VFS is enabled" test "$(systemctl is-enabled "$VFS" 2>/dev/null)" = enabled
check "vftoken-vfio.service ran at boot: active, result success" \
	state_is vftoken-vfio.service active success
check "$VFS ran at boot: active, result success" state_is "$VFS" active success
check "vfio-pci loaded with enable_sriov=Y" \
	test "$(cat /sys/module/vfio_pci/parameters/enable_sriov 2>/dev/null)" = Y
check "PF on vfio-pci with $NUM_VFS VFs" \
	eval "test \"\$(driver_of $PF)/\$(num_vfs $PF)\" = vfio-pci/$NUM_VFS"
check "both VFs on vfio-pci" \
	eval "test \"\$(driver_of $VF0)/\$(driver_of $VF1)\" = vfio-pci/vfio-pci"
check "vftoken-vfio.service was done before $VFS started" \
	ordered vftoken-vfio.service ActiveEnterTimestampMonotonic "$VFS" InactiveExitTimestampMonotonic
check "$VFS was done (VFs, token) before the DPDK unit started" \
	ordered "$VFS" ActiveEnterTimestampMonotonic "$FWD" ExecMainStartTimestampMonotonic
FWD_START=$(mono "$FWD" ExecMainStartTimestampMonotonic)
check "the DPDK unit $FWD forwards VF to VF (packets on both VFs)" forwards "$FWD" 120
check "the DPDK unit is active (running)" \
	test "$(prop "$FWD" ActiveState)/$(prop "$FWD" SubState)" = active/running

# ---- 1b. the broker's socket at boot, the service on demand -------------------
BROKER=vftokend.service
BSOCK=vftokend.socket
BSOCK_PATH=/run/vftoken/broker.sock
check "$BSOCK is the one meson install put in $UNIT_DIR" \
	test "$(prop "$BSOCK" FragmentPath)" = "$UNIT_DIR/$BSOCK"
check "$BSOCK is listening at boot on $BSOCK_PATH" \
	eval "test \"\$(prop $BSOCK ActiveState)/\$(prop $BSOCK SubState)\" = active/listening && test -S $BSOCK_PATH"
check "$BROKER has not run before the first connection" \
	test "$(prop "$BROKER" ActiveState)/$(prop "$BROKER" ExecMainStartTimestampMonotonic)" = inactive/0
# The DPDK unit holds VF 0: the broker's open is allowed and finds it busy.
"$VFT" check "$VF0" --broker "$BSOCK_PATH" >"$OUTDIR/broker-check-busy.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/broker-check-busy.out" | head -n 3
check "vftoken check $VF0 --broker through the socket: answered, busy (exit $rc, want 5)" \
	test "$rc" = 5
check "the connection started $BROKER: active (running)" \
	test "$(prop "$BROKER" ActiveState)/$(prop "$BROKER" SubState)" = active/running
check "$BROKER's journal: uid=0 open of $VF0 allowed, open failed" \
	eval "journalctl -b --no-pager -o cat -u $BROKER | grep -Eq 'uid=0 .*open $VF0 .*allowed \(rule at line 1\).*open failed'"
npol=$(journalctl -b --no-pager -o cat -u "$BROKER" | grep -c 'vftokend: policy /etc/vftoken/broker.policy: 1 rules')
check "systemctl reload $BROKER (SIGHUP): the policy is read again" \
	eval "systemctl reload $BROKER && sleep 1 && test \$(journalctl -b --no-pager -o cat -u $BROKER | grep -c 'vftokend: policy /etc/vftoken/broker.policy: 1 rules') -gt $npol"
# Priorities: journald files a line without "<N>" at info, so -p warning
# would show nothing of the broker's.
journalctl -b --no-pager -o cat -u "$BROKER" -p warning >"$OUTDIR/broker-warning.txt" 2>&1
journalctl -b --no-pager -o cat -u "$BROKER" -p notice >"$OUTDIR/broker-notice.txt" 2>&1
check "journalctl -u $BROKER -p warning: the failed open of $VF0, not the start" \
	eval "grep -Eq 'uid=0 .*open $VF0 .*open failed' $OUTDIR/broker-warning.txt && ! grep -q 'listening on' $OUTDIR/broker-warning.txt && ! grep -q '^<' $OUTDIR/broker-warning.txt"
check "journalctl -u $BROKER -p notice: the start and the policy loads" \
	eval "grep -q 'vftokend: vftokend .*listening on the socket passed by systemd' $OUTDIR/broker-notice.txt && grep -q 'vftokend: policy /etc/vftoken/broker.policy: 1 rules' $OUTDIR/broker-notice.txt"
check "$BROKER: WatchdogSec=30s, NotifyAccess=main" \
	test "$(prop "$BROKER" WatchdogUSec)/$(prop "$BROKER" NotifyAccess)" = 30s/main
check "$BROKER: STATUS= has the counters ($(prop "$BROKER" StatusText))" \
	eval "systemctl show -P StatusText $BROKER | grep -Eq '^opens [0-9]+, refusals [0-9]+, rotations [0-9]+, malformed [0-9]+, connections refused [0-9]+, fds to the closer [0-9]+\$'"
BROKER_PID=$(prop "$BROKER" MainPID)
BROKER_START=$(mono "$BROKER" ExecMainStartTimestampMonotonic)
systemd-analyze security --no-pager "$BROKER" >"$OUTDIR/security-broker.txt" 2>&1
got=$(exposure "$BROKER")
check "systemd-analyze security $BROKER: ${got:-none} (at most 2.5, as tests/ops/unit_test.sh)" \
	eval "test -n '$got' && awk -v e='$got' 'BEGIN { exit !(e <= 2.5) }'"

# ---- 2. fingerprint, never the token ----------------------------------------------
FP=$(grep -Eo 'fp:[0-9a-f]{8}' "$OUTDIR/token-generate.out" | head -n 1)
note "token fingerprint (vftoken token generate): ${FP:-none}"
systemctl status --no-pager -n 20 "$VFS" >"$OUTDIR/status-vfs.txt" 2>&1
systemctl status --no-pager -n 40 "$FWD" >"$OUTDIR/status-fwd.txt" 2>&1
systemctl status --no-pager -n 20 vftoken-vfio.service >"$OUTDIR/status-vfio.txt" 2>&1
grep -F "$FP" "$OUTDIR/status-vfs.txt" | sed 's/^/  | /'
check "systemctl status $VFS shows the fingerprint $FP" \
	eval "test -n '$FP' && grep -q 'VF token of $PF set: $FP' $OUTDIR/status-vfs.txt"
check "the DPDK unit's journal shows the same fingerprint (bus, from vf_token_file)" \
	eval "journalctl -b --no-pager -o cat -u $FWD | grep -q 'sriov: $PF: VF token set ($FP, from vf_token_file)'"
# A copy outside /etc/vftoken, for the scans after the file is moved away.
TOKEN_COPY=/run/token-copy
(umask 077 && cp "$TOKEN" "$TOKEN_COPY")

# ---- 3. systemd-analyze security -------------------------------------------------
for u in "$VFS" vftoken-vfio.service; do
	got=$(exposure "$u")
	want=$(documented "$u")
	check "systemd-analyze security $u: ${got:-none}, install.rst says ${want:-nothing}" \
		eval "test -n '$got' && test '$got' = '$want'"
done
systemd-analyze security --no-pager "$VFS" >"$OUTDIR/security-vfs.txt" 2>&1
systemd-analyze security --no-pager vftoken-vfio.service >"$OUTDIR/security-vfio.txt" 2>&1

# ---- 4. a missing token file ------------------------------------------------------
echo "-- the units stopped, then started again without the token file"
check "systemctl stop $FWD" systemctl stop "$FWD"
check "the DPDK unit stopped cleanly (SIGTERM, exit 0)" state_is "$FWD" inactive success
"$VFT" check "$VF0" --broker "$BSOCK_PATH" >"$OUTDIR/broker-check.out" 2>&1
rc=$?
check "VF 0 free: vftoken check $VF0 --broker opens it through $BROKER (exit $rc)" \
	eval "test $rc = 0 && journalctl -b --no-pager -o cat -u $BROKER | grep -Eq 'uid=0 .*open $VF0 .*opened, path group'"
"$VFT" status --broker "$BSOCK_PATH" --json >"$OUTDIR/broker-stats.json" 2>&1
sed 's/^/  | /' "$OUTDIR/broker-stats.json" | head -n 12
check "vftoken status --broker: the broker counted the open (opens >= 1)" \
	grep -Eq '"opens": [1-9][0-9]*,' "$OUTDIR/broker-stats.json"
# The watchdog: the same broker all along (pinging every 15 s, or systemd
# would have killed it at 30 s), and once it ran 16 s, a ping after its
# first 15 s moved the watchdog timestamp.
broker_watchdog() {
	local now wd
	now=$(awk '{ printf "%d", $1 * 1000000 }' /proc/uptime)
	wd=$(mono "$BROKER" WatchdogTimestampMonotonic)
	note "broker ran $(((now - BROKER_START) / 1000000)) s, last ping $(((wd - BROKER_START) / 1000000)) s after its start, restarts $(prop "$BROKER" NRestarts)"
	[ "$(prop "$BROKER" MainPID)" = "$BROKER_PID" ] || return 1
	[ "$(prop "$BROKER" NRestarts)" = 0 ] || return 1
	journalctl -b --no-pager -o cat -u "$BROKER" | grep -qi 'watchdog timeout' && return 1
	[ $((now - BROKER_START)) -lt 16000000 ] || [ $((wd - BROKER_START)) -ge 14000000 ]
}
check "$BROKER pings its watchdog: same pid, no restart, a ping after 15 s" broker_watchdog
check "systemctl stop $VFS (ExecStop removes the VFs)" \
	eval "systemctl stop $VFS && test \"\$(num_vfs $PF)\" = 0"
mv "$TOKEN" /run/token-aside
mark
systemctl start "$FWD" >"$OUTDIR/start-notoken.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/start-notoken.out"
check "systemctl start $FWD fails (exit $rc)" test "$rc" != 0
check "$VFS failed (exit-code)" state_is "$VFS" failed exit-code
since_mark "$VFS" >"$OUTDIR/journal-notoken.txt"
sed 's/^/  | journal: /' "$OUTDIR/journal-notoken.txt"
check "its journal says: token file $TOKEN does not exist" \
	grep -q "token file $TOKEN does not exist" "$OUTDIR/journal-notoken.txt"
check "the DPDK unit was not started (same start time as at boot, no sriov-fwd)" \
	eval "test \"\$(mono $FWD ExecMainStartTimestampMonotonic)\" = '$FWD_START' && no_fwd_process"
check "the journal: dependency failed for $FWD" dependency_failed "$FWD"
mv /run/token-aside "$TOKEN"
systemctl reset-failed "$VFS" "$FWD" 2>/dev/null
# The failed start ran "vfs create" before "token set" failed, and systemd
# runs no ExecStop= for a unit that never became active (install.rst).
note "VFs left by the failed start: $(num_vfs "$PF")"
check "vftoken vfs destroy $PF clears what the failed start left (troubleshooting.rst)" \
	eval "$VFT vfs destroy $PF >/dev/null && test \"\$(num_vfs $PF)\" = 0"

# ---- 5. a PF that does not exist ----------------------------------------------------
echo "-- vftoken-vfs@$ABSENT_PF.service: no such PF"
echo "NUM_VFS=$NUM_VFS" >"$ETC/$ABSENT_PF.conf"
(umask 077 && cp "$TOKEN" "$ETC/$ABSENT_PF.token")
fwd_conf "$ABSENT_PF" "$(vf_addr "$ABSENT_PF" 0)" "$(vf_addr "$ABSENT_PF" 1)"
AFWD=vftoken-vm-fwd@$ABSENT_PF.service
AVFS=vftoken-vfs@$ABSENT_PF.service
mark
systemctl start "$AFWD" >"$OUTDIR/start-absent.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/start-absent.out"
check "systemctl start $AFWD fails (exit $rc)" test "$rc" != 0
check "$AVFS failed (exit-code)" state_is "$AVFS" failed exit-code
since_mark "$AVFS" >"$OUTDIR/journal-absent.txt"
sed 's/^/  | journal: /' "$OUTDIR/journal-absent.txt"
check "its journal names the missing PF $ABSENT_PF" \
	grep -q "$ABSENT_PF.*not found" "$OUTDIR/journal-absent.txt"
check "the journal: dependency failed for $AFWD" dependency_failed "$AFWD"
check "the DPDK unit for $ABSENT_PF was never started" \
	eval "test \"\$(mono $AFWD ExecMainStartTimestampMonotonic)\" = 0 && no_fwd_process"
systemctl reset-failed "$AVFS" "$AFWD" 2>/dev/null

# ---- 6. the token file back ---------------------------------------------------------
echo "-- the token file back: the DPDK unit starts and forwards again"
mark
check "systemctl start $FWD succeeds" systemctl start "$FWD"
check "$VFS active again, result success" state_is "$VFS" active success
check "the DPDK unit forwards VF to VF again" forwards "$FWD" 120
check "systemctl stop $FWD $VFS" systemctl stop "$FWD" "$VFS"

# ---- 7. the token nowhere -----------------------------------------------------------
journalctl -b --no-pager -o verbose >"$OUTDIR/journal-verbose.txt" 2>&1
journalctl -b --no-pager -o export >"$OUTDIR/journal-export.txt" 2>&1
systemctl show "$VFS" "$FWD" vftoken-vfio.service >"$OUTDIR/show.txt" 2>&1
check "the journal has this boot's lines of the units" \
	grep -q "VF token of $PF set: $FP" "$OUTDIR/journal-verbose.txt"
check "the scanner finds the token where it is (the token file)" \
	eval "! token_scan $TOKEN_COPY $TOKEN >/dev/null"
check "the token is in no systemctl status, show or journal output (any encoding)" \
	token_absent "$TOKEN_COPY" "$OUTDIR/status-vfs.txt" "$OUTDIR/status-fwd.txt" "$OUTDIR/status-vfio.txt" \
	"$OUTDIR/show.txt" "$OUTDIR/journal-verbose.txt" "$OUTDIR/journal-export.txt" \
	"$OUTDIR/start-notoken.out" "$OUTDIR/start-absent.out"
mapfile -t jfiles < <(find /run/log/journal /var/log/journal -name '*.journal' 2>/dev/null)
note "journal files: ${#jfiles[@]}"
check "the token is in none of the journal's files (raw bytes)" \
	eval "test ${#jfiles[@]} -gt 0 && token_absent $TOKEN_COPY ${jfiles[*]}"

finish

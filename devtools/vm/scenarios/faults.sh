#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Faults around VF tokens, with the sriov bus plugin on both sides.
#
# 1. The PF process (testpmd, plugin, num_vfs=2, token A) is killed with
#    SIGKILL while a VF testpmd mac-forwards between both VFs: what
#    doc/guides/reliability.rst says happens is checked (the VF process
#    survives and answers, its ports report link down, no traffic, VF0's
#    PCI command register loses memory and bus master). A PF process
#    started with another token B is refused while the VFs are open
#    [pf-has-vf-users]; one with A but num_vfs=3 is refused (the count
#    cannot change under VF users); one with A and num_vfs=2 takes the PF
#    back. Then the recoveries the guide documents, each its own check:
#    1a. detach and attach the VF ports (a re-open through the bus);
#    1b. (PF killed and back once more) nothing resumes by itself, nor
#        after "port stop/start"; a new VF application forwards.
#    The recovery times are printed as "recovery: ..." lines (figures, not
#    checks).
# 2. Token rotation under load: tests/vm/pf_rotate owns the PF through the
#    plugin (num_vfs=3, token A) and rotates to B with
#    rte_sriov_pf_set_token() while a VF testpmd forwards on VF0/VF1:
#    forwarding goes on; a new open of VF2 with A is refused
#    [token-rejected] (vftoken check and the bus), with B it opens.
# 3. 1000 (or LOOPS) refused opens with a wrong token in one process leave no fd,
#    mapping or memory behind: libvftoken's vft_open() (tests/vm/open_loop)
#    and rte_dev_probe("sriov:VF,vf_token_file=WRONG") (tests/vm/probe_loop).
# 4. Two processes race for VF2 with the right token: exactly one opens it,
#    the other is told [busy]; neither crashes. Both with two VF testpmds
#    and with two open_loop holders released at the same instant.
# 5. VF removal while in use (sriov_numvfs to 0): bus-remove.sh.
#
# They run in the order 1, 2, 4, 3: 4 needs the token B of 2, and 3 uses
# A, wrong since 2. The kernel log must show no warning or oops at the end.
#
# One line per check, "N passed, N failed".

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

TOKA=/tmp/token-a
TOKB=/tmp/token-b
# the refused-open loops' length: the first argument (devtools/meson.build
# gives 250 on 6.12 and 7.2), else LOOPS, else 1000
LOOPS=${1:-${LOOPS:-1000}}

# fwd_rx NAME: "RX0 RX1", packets each port received since "start"
# (testpmd's "show fwd stats all", which does not stop forwarding).
fwd_rx() {
	local n
	n=$(tp_count "$1" 'Accumulated forward statistics')
	tp_send "$1" "show fwd stats all"
	tp_wait_count "$1" 'Accumulated forward statistics' $((n + 1)) 20 || {
		echo "? ?"
		return
	}
	sleep 0.5
	echo "$(port_rx "$1" 0) $(port_rx "$1" 1)"
}

# rx_window NAME SECS: both ports' RX counts of testpmd NAME into RX_A,
# and SECS later into RX_B ("?" where it did not answer); prints them.
rx_window() {
	read -r -a RX_A <<<"$(fwd_rx "$1")"
	sleep "$2"
	read -r -a RX_B <<<"$(fwd_rx "$1")"
	note "$1: RX port 0 ${RX_A[0]} -> ${RX_B[0]}, port 1 ${RX_A[1]} -> ${RX_B[1]} in ${2}s"
}

# flowing NAME SECS: both ports receive within SECS seconds; prints the
# counts. 0 if flowing.
flowing() {
	rx_window "$1" "$2"
	[ "${RX_B[0]}" -gt "${RX_A[0]}" ] 2>/dev/null &&
		[ "${RX_B[1]}" -gt "${RX_A[1]}" ] 2>/dev/null
}

# stopped NAME SECS: testpmd answered both reads ("? ?" is no answer: a
# failure, not "no traffic") and no port received anything in between:
# every port stopped, not just one. Prints the counts.
stopped() {
	rx_window "$1" "$2"
	if [ "${RX_A[0]}" = "?" ] || [ "${RX_B[0]}" = "?" ]; then
		note "$1: testpmd did not answer \"show fwd stats all\""
		return 1
	fi
	[ "${RX_B[0]}" = "${RX_A[0]}" ] && [ "${RX_B[1]}" = "${RX_A[1]}" ]
}

# pci_cmd ADDR: the PCI command register (hex) from sysfs config space.
pci_cmd() {
	od -An -tx2 -j4 -N2 "$(dev "$1")/config" 2>/dev/null | tr -d ' '
}

# links NAME: "L0/L1" from "show port info"
links() {
	tp_send "$1" "show port info 0"
	tp_send "$1" "show port info 1"
	sleep 1
	echo "$(port_link "$1" 0)/$(port_link "$1" 1)"
}

# answers NAME: testpmd still reads and executes commands.
answers() {
	local n
	n=$(tp_count "$1" 'Infos for port')
	tp_send "$1" "show port info 0"
	tp_wait_count "$1" 'Infos for port' $((n + 1)) 20
}

# vf_fwd_start NAME EAL-ARGS...: testpmd on VF0 and VF1 mac-forwarding
# between them, links up. 0 if it got there.
vf_fwd_start() {
	local name=$1
	shift
	tp_start "$name" -d "$PLUGIN" -l 0,1 --file-prefix "$name" "$@" \
		-a "$VF0,vf_token_file=$TOKA" -a "$VF1,vf_token_file=$TOKA" \
		-- -i --total-num-mbufs=$MBUFS
	tp_wait "$name" 'testpmd> ' 180 || {
		tp_tail "$name" 30
		return 1
	}
	fwd_go "$name"
}

# fwd_go NAME: ports 0 and 1 up, mac forwarding between them, tx_first.
fwd_go() {
	local name=$1 i l mac0 mac1 n
	n=$(tp_count "$name" '^1 +([0-9A-Fa-f]{2}:){5}')
	tp_send "$name" "show port summary all"
	tp_wait_count "$name" '^1 +([0-9A-Fa-f]{2}:){5}' $((n + 1)) 20 ||
		return 1
	mac0=$(port_mac "$name" 0)
	mac1=$(port_mac "$name" 1)
	for ((i = 0; i < 15; i++)); do
		l=$(links "$name")
		[ "$l" = up/up ] && break
	done
	note "$name: links $l"
	tp_send "$name" "set fwd mac"
	tp_send "$name" "set eth-peer 0 $mac1"
	tp_send "$name" "set eth-peer 1 $mac0"
	tp_send "$name" "start tx_first"
	[ "$l" = up/up ]
}

# diag NAME: where a process that does not progress is.
diag() {
	local pid=${TP_PID[$1]}
	note "$1 (pid $pid): state $(awk '/^State:/ { print $2 }' /proc/"$pid"/status 2>/dev/null), wchan $(cat /proc/"$pid"/wchan 2>/dev/null)"
	sed 's/^/  | kstack: /' /proc/"$pid"/stack 2>/dev/null | head -n 12
	for t in /proc/"$pid"/task/*; do
		echo "  | task $(basename "$t") $(cat "$t"/comm) $(awk '{ print $3 }' "$t"/stat) wchan $(cat "$t"/wchan)"
	done
	ps -eo pid,stat,pcpu,wchan:24,args 2>/dev/null | cut -c1-150 | grep -v '\[' | sed 's/^/  | ps: /'
	tail -n 5 "$(tp_log "$1")" | sed 's/^/  | log: /'
}

pf_probed() {
	grep -q "sriov: $VM_PF: probe PCI driver net_e1000_igb " "$(tp_log "$1")"
}

KILL_RC=
# kill_pf NAME: SIGKILL to a running testpmd. KILL_RC: its exit status
# (137 = 128 + SIGKILL), KILL_WAS=running|gone: whether it was alive when
# killed (a process that had died before exits with its own status; one
# never started has no pid), KILL_GONE=yes once /proc has no such pid.
kill_pf() {
	local pid=${TP_PID[$1]:-}
	KILL_WAS=gone KILL_GONE=no KILL_RC=none
	[ -n "$pid" ] || return 1
	tp_alive "$1" && KILL_WAS=running
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	KILL_RC=$?
	[ -d "/proc/$pid" ] || KILL_GONE=yes
	eval "exec ${TP_FD[$1]}>&-"
	unset "TP_PID[$1]" "TP_FD[$1]"
}

# reattach NAME: reliability.rst's recovery in testpmd NAME: stop, detach
# both VF ports, attach them again through the bus (a re-open that sets the
# VFs up afresh), start them. 0 if both came back.
reattach() {
	local n
	tp_send "$1" "stop"
	tp_send "$1" "port stop all"
	n=$(tp_count "$1" "Device is detached")
	tp_send "$1" "port detach 0"
	tp_send "$1" "port detach 1"
	tp_wait_count "$1" "Device is detached" $((n + 2)) 30 || return 1
	n=$(tp_count "$1" "Port [0-9]+ is attached")
	tp_send "$1" "port attach sriov:$VF0,vf_token_file=$TOKA"
	tp_send "$1" "port attach sriov:$VF1,vf_token_file=$TOKA"
	tp_wait_count "$1" "Port [0-9]+ is attached" $((n + 2)) 60 || return 1
	tp_send "$1" "port start all"
	sleep 1
}

# first_rx NAME SECS: polls until both ports have received since "start",
# at most SECS seconds (about one poll a second).
first_rx() {
	local end=$((SECONDS + $2)) r
	while [ "$SECONDS" -lt "$end" ]; do
		read -r -a r <<<"$(fwd_rx "$1")"
		[ "${r[0]}" -gt 0 ] 2>/dev/null && [ "${r[1]}" -gt 0 ] 2>/dev/null && return 0
	done
	note "$1: RX ${r[0]:-?}/${r[1]:-?} after $2 s"
	return 1
}

# secs T0 T1: T1 - T0 (EPOCHREALTIME values) in seconds, one decimal.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "kernel $VM_KERNEL, PF $VM_PF, plugin $PLUGIN"
check "plugin and test helpers are built" \
	test -r "$PLUGIN" -a -x "$VMBIN/open_loop" -a -x "$VMBIN/pf_rotate" \
	-a -x "$VMBIN/probe_loop" -a -x "$VFT"
pf_ready "$VM_PF"
check "token files A and B created" eval "make_token $TOKA && make_token $TOKB"
VF0=$(vf_addr "$VM_PF" 0)
VF1=$(vf_addr "$VM_PF" 1)
VF2=$(vf_addr "$VM_PF" 2)

# ---- 1. PF process killed while VFs forward --------------------------------
# What doc/guides/reliability.rst says, checked as it says it: after the
# PF process dies the VF process keeps running, its ports report link down
# and no traffic flows (vfio-pci's reset of the PF resets the VFs: VF0's
# PCI command register goes from 0x0006 to 0x0000); a PF process with the
# same token takes the PF back; traffic needs a re-open of the VFs:
# detach and attach the ports (1a), or restart the VF application (1b);
# "port stop/start" is not enough and nothing resumes by itself (1b).
# The recovery time, PF process back (its testpmd prompt: PF probed and
# its port started, so the VF mailbox is served) to the first VF packets,
# is printed as "recovery: ..." lines: a figure, not a check.
echo "-- 1. PF process killed (SIGKILL) while the VFs forward"
pf_start pf "$TOKA" 2
check "PF testpmd (plugin, token A, num_vfs=2) probes the PF, 2 VFs" \
	eval "pf_probed pf && test \"\$(num_vfs $VM_PF)\" = 2"
check "VF testpmd (token A) forwards on VF0 and VF1, links up" vf_fwd_start vf
sleep 2
check "traffic flows before the fault" flowing vf 3
CMD_BEFORE=$(pci_cmd "$VF0")
note "VF0 PCI command register before: 0x$CMD_BEFORE"
kill_pf pf
check "PF testpmd was running, died of SIGKILL (status $KILL_RC, 137) and is gone" \
	test "$KILL_WAS/$KILL_RC/$KILL_GONE" = running/137/yes
sleep 2
CMD_AFTER=$(pci_cmd "$VF0")
check "after the PF's death: VF0's PCI command register 0x$CMD_BEFORE -> 0x$CMD_AFTER (memory and bus master off: the PF reset reset the VFs)" \
	eval "test $((0x${CMD_BEFORE:-0} & 6)) = 6 && test $((0x${CMD_AFTER:-6} & 6)) = 0"
check "VF testpmd survives the PF's death" tp_alive vf
check "VF testpmd still answers commands" answers vf
L=$(links vf)
check "after the PF's death: the VF ports report link down ($L)" test "$L" = down/down
check "after the PF's death: no traffic on either VF port" stopped vf 5
check "VF testpmd still alive 5 s later" tp_alive vf

# another token while the VFs are open: refused by the kernel (EACCES)
pf_start pf-b "$TOKB" 2
check "PF testpmd with token B: PF not probed" eval "! pf_probed pf-b"
grep "sriov: $VM_PF" "$(tp_log pf-b)" | sed 's/^/  | pf-b: /'
check "PF testpmd with token B: refusal explained [pf-has-vf-users]" \
	grep -q "sriov: $VM_PF: cannot open the device \[pf-has-vf-users\]" \
	"$(tp_log pf-b)"
tp_stop pf-b
check "PF testpmd with token B exits cleanly" test $? = 0
check "VF testpmd unaffected by the refused PF process" tp_alive vf

# token A but another VF count: refused while the VFs are in use
pf_start pf-n3 "$TOKA" 3
grep "sriov: $VM_PF" "$(tp_log pf-n3)" | sed 's/^/  | pf-n3: /'
check "PF testpmd with token A and num_vfs=3 (VFs in use): refused, PF not probed" \
	eval "grep -q 'sriov: $VM_PF: cannot change num_vfs from 2 to 3: its VFs are in use' $(tp_log pf-n3) && ! pf_probed pf-n3 && test \"\$(num_vfs $VM_PF)\" = 2"
tp_stop pf-n3
check "PF testpmd with num_vfs=3 exits cleanly" test $? = 0

# the same token A: the PF comes back with the VFs it has (num_vfs=2)
echo "-- 1a. PF back with token A; the documented recovery: detach and attach the VF ports"
pf_start pf-a "$TOKA" 2
T_BACK=$EPOCHREALTIME
grep "sriov: $VM_PF" "$(tp_log pf-a)" | sed 's/^/  | pf-a: /'
check "PF testpmd restarted with token A: opened with its token (VFs in use)" \
	grep -q "sriov: $VM_PF: VFs in use, opening the PF with its token" \
	"$(tp_log pf-a)"
check "PF testpmd restarted with token A: num_vfs=2 accepted, PF probed" \
	eval "pf_probed pf-a && test \"\$(num_vfs $VM_PF)\" = 2"
check "reliability.rst's recovery: port stop all, port detach 0 and 1, port attach sriov:VF,vf_token_file=, port start all" \
	reattach vf
T_ATTACHED=$EPOCHREALTIME
fwd_go vf >/dev/null
check "after the re-attach: traffic flows again on both VF ports" first_rx vf 60
T_RX=$EPOCHREALTIME
echo "recovery: detach/attach: PF process back -> first VF packets $(secs "$T_BACK" "$T_RX") s (re-attach $(secs "$T_BACK" "$T_ATTACHED") s, link up and first packets $(secs "$T_ATTACHED" "$T_RX") s; +-1 s)"
check "the VF ports keep forwarding" flowing vf 3

# ---- 1b. the other recovery the guide gives: restart the VF application -----
echo "-- 1b. PF killed again and back; nothing by itself, port stop/start, then a new VF application"
kill_pf pf-a
check "PF testpmd was running, killed again (status $KILL_RC) and is gone" \
	test "$KILL_WAS/$KILL_RC/$KILL_GONE" = running/137/yes
sleep 2
pf_start pf-c "$TOKA" 2
T_BACK=$EPOCHREALTIME
check "PF testpmd back with token A (VFs in use)" \
	eval "pf_probed pf-c && grep -q 'sriov: $VM_PF: VFs in use, opening the PF with its token' $(tp_log pf-c)"
check "with the PF back, neither VF port resumes by itself" \
	stopped vf 3
tp_send vf "stop"
tp_send vf "port stop all"
tp_send vf "port start all"
sleep 2
tp_send vf "start tx_first"
check "port stop/start alone does not bring the traffic back on either port" \
	stopped vf 3
tp_stop vf
check "the old VF testpmd exits cleanly" test $? = 0
T_STOPPED=$EPOCHREALTIME
check "a new VF testpmd (token A) opens VF0 and VF1, links up" vf_fwd_start vf-new
check "the new VF application forwards on both VF ports" first_rx vf-new 60
T_RX=$EPOCHREALTIME
echo "recovery: VF application restarted: old one stopped -> first VF packets $(secs "$T_STOPPED" "$T_RX") s (PF process back -> first VF packets $(secs "$T_BACK" "$T_RX") s with the checks of 1b in between; +-1 s)"
tp_stop vf-new
check "VF testpmd exits cleanly" test $? = 0
tp_stop pf-c
check "restarted PF testpmd exits cleanly" test $? = 0
# ---- 2. token rotation while VFs forward -----------------------------------
echo "-- 2. token rotation (rte_sriov_pf_set_token) while VF users forward"
TESTPMD=$VMBIN/pf_rotate tp_start rot -d "$PLUGIN" -l 0 --file-prefix rot \
	--log-level=bus.sriov:info -a "$VM_PF,num_vfs=3,vf_token_file=$TOKA"
check "pf_rotate owns the PF through the plugin (token A, num_vfs=3)" \
	eval "tp_wait rot '^ready: PF $VM_PF driver net_e1000_igb' 180 && test \"\$(num_vfs $VM_PF)\" = 3"
grep -E "^ready|sriov: $VM_PF" "$(tp_log rot)" | sed 's/^/  | rot: /'
check "VF testpmd (token A) forwards on VF0 and VF1, links up" vf_fwd_start vf2
sleep 2
check "traffic flows before the rotation" flowing vf2 3
tp_send rot "in-use"
check "rte_sriov_pf_vfs_in_use() says 1" tp_wait rot '^in-use: 1$' 20
tp_send rot "rotate $TOKB"
check "rte_sriov_pf_set_token() rotates the token to B while VFs are open" \
	tp_wait rot '^rotate: ok' 20
grep -E "^rotate|token set" "$(tp_log rot)" | sed 's/^/  | rot: /'
check "VF users keep forwarding after the rotation" flowing vf2 3
timeout 60 "$VFT" check "$VF2" --token-file "$TOKA" >"$OUTDIR/check-old.out" 2>&1
rc=$?
sed 's/^/  | vftoken check (old token): /' "$OUTDIR/check-old.out"
check "new open of VF2 with the old token A refused: vftoken check exit 7 [token-rejected]" \
	eval "test $rc = 7 && grep -q token-rejected $OUTDIR/check-old.out"
tp_start old -d "$PLUGIN" -l 0,1 --file-prefix old \
	-a "$VF2,vf_token_file=$TOKA" -- -i --total-num-mbufs=$MBUFS
tp_wait old 'testpmd> ' 90 || diag old
grep "sriov: $VF2" "$(tp_log old)" | sed 's/^/  | old: /'
check "new open of VF2 with the old token A refused by the bus [token-rejected]" \
	grep -q "sriov: $VF2: cannot open the device \[token-rejected\]" \
	"$(tp_log old)"
tp_stop old
check "VF2 testpmd with the old token exits cleanly" test $? = 0
timeout 60 "$VFT" check "$VF2" --token-file "$TOKB" >"$OUTDIR/check-new.out" 2>&1
rc=$?
sed 's/^/  | vftoken check (new token): /' "$OUTDIR/check-new.out"
check "new open of VF2 with the new token B succeeds (vftoken check exit 0)" \
	test "$rc" = 0
check "VF users still forward" flowing vf2 2

# ---- 4. two processes race for VF2 -----------------------------------------
echo "-- 4. two processes race for VF2 with the right token"
G2=$(group_of "$VF2")
tp_start race-1 -d "$PLUGIN" -l 0,1 --file-prefix race-1 \
	--log-level=bus.sriov:info -a "$VF2,vf_token_file=$TOKB" -- -i --total-num-mbufs=$MBUFS
tp_start race-2 -d "$PLUGIN" -l 0,1 --file-prefix race-2 \
	--log-level=bus.sriov:info -a "$VF2,vf_token_file=$TOKB" -- -i --total-num-mbufs=$MBUFS
tp_wait race-1 'testpmd> ' 180
tp_wait race-2 'testpmd> ' 180
won=0
busy=0
for r in race-1 race-2; do
	grep "sriov: $VF2" "$(tp_log "$r")" | sed "s/^/  | $r: /"
	grep -q "sriov: $VF2: probe PCI driver net_e1000_igb_vf" "$(tp_log "$r")" &&
		holds_group "${TP_PID[$r]}" "$G2" && won=$((won + 1))
	grep -q "sriov: $VF2: cannot open .*\[busy\]" "$(tp_log "$r")" &&
		! holds_group "${TP_PID[$r]}" "$G2" && busy=$((busy + 1))
done
check "two VF testpmds: exactly one opened VF2 and holds group $G2" test "$won" = 1
check "two VF testpmds: the other was told [busy] and holds nothing of it" test "$busy" = 1
check "two VF testpmds: both alive" eval "tp_alive race-1 && tp_alive race-2"
tp_stop race-1
r1=$?
tp_stop race-2
check "two VF testpmds: both exit cleanly ($r1, $?)" test "$r1/$?" = 0/0

rm -f /tmp/go
for i in 1 2; do
	"$VMBIN/open_loop" hold "$VF2" "$TOKB" 3 /tmp/go >"$OUTDIR/hold-$i.out" 2>&1 &
	eval "HOLD$i=\$!"
done
sleep 1
touch /tmp/go
wait "$HOLD1"
h1=$?
wait "$HOLD2"
h2=$?
sed 's/^/  | open_loop hold 1: /' "$OUTDIR/hold-1.out"
sed 's/^/  | open_loop hold 2: /' "$OUTDIR/hold-2.out"
opened=$(cat "$OUTDIR"/hold-*.out | grep -c '^result=opened')
busy=$(cat "$OUTDIR"/hold-*.out | grep -c '^verdict=busy')
check "two openers released together: exactly one opened VF2" test "$opened" = 1
check "two openers: the other got EBUSY, verdict busy" \
	eval "test $busy = 1 && grep -q '^errno=16' $OUTDIR/hold-1.out $OUTDIR/hold-2.out"
check "two openers: both exit 0 ($h1, $h2)" test "$h1/$h2" = 0/0

# ---- 3. many refused opens leave nothing behind ----------------------------
echo "-- 3. $LOOPS refused opens (wrong token) in one process"
# kv FILE KEY: the value of KEY=value in FILE
kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }
start=$(date +%s)
"$VMBIN/open_loop" loop "$VF2" "$TOKA" "$LOOPS" >"$OUTDIR/open-loop.out" 2>&1
rc=$?
note "open_loop: rc $rc in $(($(date +%s) - start)) s"
sed 's/^/  | /' "$OUTDIR/open-loop.out"
O=$OUTDIR/open-loop.out
check "vft_open: $LOOPS attempts, all refused [token-rejected]" \
	test "$(kv "$O" attempts)/$(kv "$O" opened)/$(kv "$O" verdict_token-rejected)" = "$LOOPS/0/$LOOPS"
check "vft_open: open fds unchanged" test "$(kv "$O" fds_before)" = "$(kv "$O" fds_after)"
check "vft_open: mappings unchanged" test "$(kv "$O" maps_before)" = "$(kv "$O" maps_after)"
check "vft_open: VmRSS grew by less than 256 KiB" \
	test $(($(kv "$O" rss_kb_after) - $(kv "$O" rss_kb_before))) -lt 256

start=$(date +%s)
timeout 300 "$VMBIN/probe_loop" -d "$PLUGIN" -l 0 --file-prefix probe \
	-a "$VM_NOSRIOV_NIC" -- "$LOOPS" "sriov:$VF2,vf_token_file=$TOKA" \
	>/tmp/probe-loop.log 2>&1
rc=$?
note "probe_loop: rc $rc in $(($(date +%s) - start)) s"
P=$OUTDIR/probe-loop.out
grep -E '^[a-z_]+=' /tmp/probe-loop.log >"$P"
grep -m 4 "sriov: " /tmp/probe-loop.log | sed 's/^/  | /'
sed 's/^/  | /' "$P"
note "bus log lines: $(grep -c 'cannot open the device \[token-rejected\]' /tmp/probe-loop.log) token-rejected explanations"
check "rte_dev_probe: $LOOPS attempts, all refused" \
	test "$(kv "$P" attempts)/$(kv "$P" probed)/$(kv "$P" refused)" = "$LOOPS/0/$LOOPS"
check "rte_dev_probe: each refusal explained [token-rejected]" \
	test "$(grep -c "sriov: sriov:$VF2: cannot open the device \[token-rejected\]" /tmp/probe-loop.log)" = "$LOOPS"
check "rte_dev_probe: open fds unchanged" \
	test "$(kv "$P" fds_before)" = "$(kv "$P" fds_after)"
check "rte_dev_probe: mappings unchanged" \
	test "$(kv "$P" maps_before)" = "$(kv "$P" maps_after)"
check "rte_dev_probe: DPDK heap allocation unchanged" \
	test "$(kv "$P" heap_before)" = "$(kv "$P" heap_after)"
check "rte_dev_probe: VmRSS grew by less than 256 KiB" \
	test $(($(kv "$P" rss_kb_after) - $(kv "$P" rss_kb_before))) -lt 256
check "probe_loop exits 0" test "$rc" = 0

check "VF users still forward after all this" flowing vf2 2
tp_stop vf2
check "VF testpmd exits cleanly" test $? = 0
tp_stop rot
check "pf_rotate quits cleanly" eval "test $? = 0 && grep -q '^quit: ok' $(tp_log rot)"

echo "-- 5. VF removal while in use: see bus-remove.sh"
tp_stop_all
set_num_vfs "$VM_PF" 0
dmesg >"$OUTDIR/dmesg-faults.txt" 2>&1
check "kernel log: no warning, BUG or oops" \
	eval "! grep -qE 'WARNING:|BUG:|Oops|Call Trace|general protection' $OUTDIR/dmesg-faults.txt"
finish

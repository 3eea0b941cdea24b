#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The sriov bus's failures: a VF without its token, with a wrong token, a
# token given to the non-SR-IOV NIC, malformed or unusable devargs. Each
# testpmd gets one good VF (with the right token) and the bad device: the
# bad one fails with the explainer's verdict and reason in testpmd's
# output, the process keeps running with the good port, holds no VFIO
# group fd of the bad device (/proc/PID/fd) while it holds the good one's,
# and no token value appears in the output. The bus's telemetry reports
# the failure. A PF testpmd through the plugin owns the PF and its token.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

TOK=/tmp/vf-token
WRONG=/tmp/wrong-token

# bad_case NAME REGEX BAD-DEVARGS [EAL-ARGS...]: testpmd with the good VF and
# BAD-DEVARGS; REGEX must appear in the output.
bad_case() {
	local name=$1 re=$2 bad=$3 badaddr grp pid
	shift 3
	badaddr=${bad%%,*}
	grp=$(group_of "$badaddr")
	# bus.sriov:info: the probe line of the good VF (INFO) is checked
	tp_start "$name" -d "$PLUGIN" -l 0,1 --file-prefix "$name" \
		--log-level=bus.sriov:info "$@" \
		-a "$GOOD,vf_token_file=$TOK" -a "$bad" \
		-- -i --total-num-mbufs=$MBUFS
	if ! tp_wait "$name" 'testpmd> ' 180; then
		check "$name: testpmd keeps running with the good port" false
		tp_tail "$name" 30
		tp_stop "$name"
		return
	fi
	pid=${TP_PID[$name]}
	grep "sriov: $badaddr" "$(tp_log "$name")" | sed 's/^/  | /'
	check "$name: failure explained in the output" \
		grep -Eq -- "$re" "$(tp_log "$name")"
	# one port: port 0 the only one testpmd names, and the good VF the
	# one the bus probed
	check "$name: testpmd runs with 1 port (the good VF)" \
		eval "test \"\$(grep -Eo '^Port [0-9]+: ' $(tp_log "$name") | sort -u | tr -d '\n')\" = 'Port 0: ' &&
			grep -Eq 'sriov: (sriov:)?$GOOD: probe PCI driver net_e1000_igb_vf' $(tp_log "$name")"
	check "$name: process holds the good VF's group $(group_of "$GOOD")" \
		holds_group "$pid" "$(group_of "$GOOD")"
	check "$name: process holds no fd of the bad device's group ${grp:-(none found)}" \
		holds_no_group "$pid" "$grp"
	telemetry "$name" "/sriov/info,$badaddr" >"$OUTDIR/$name.tel" 2>&1
	sed 's/^/  | telemetry: /' "$OUTDIR/$name.tel"
	check "$name: telemetry /sriov/info reports the failure" \
		grep -q '"state": *"failed"' "$OUTDIR/$name.tel"
	tp_stop "$name"
	check "$name: testpmd exits cleanly" test $? = 0
	check "$name: no token in the output" token_not_in "$(tp_log "$name")" "$TOK"
	check "$name: the wrong token is not in the output either" \
		token_not_in "$(tp_log "$name")" "$WRONG"
}

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, no-SR-IOV NIC $VM_NOSRIOV_NIC"
plugin_ready "$TOK" "$WRONG"
check "non-SR-IOV NIC bound to vfio-pci" bind_vfio "$VM_NOSRIOV_NIC"
BAD=$(vf_addr "$VM_PF" 0)
GOOD=$(vf_addr "$VM_PF" 1)

check "PF testpmd with the plugin starts and creates 2 VFs" \
	eval "pf_start pf $TOK 2 && test \"\$(num_vfs $VM_PF)\" = 2"

bad_case missing 'cannot open the device \[vf-needs-token\]' "$BAD"
bad_case wrong 'cannot open the device \[token-rejected\]' \
	"$BAD,vf_token=$(cat "$WRONG")"
bad_case nosriov 'cannot open the device \[token-not-sriov\]' \
	"$VM_NOSRIOV_NIC,vf_token_file=$TOK"
bad_case malformed 'devarg vf_token: .*not a UUID' "$BAD,vf_token=not-a-uuid"
# line 1 of the log is the command line itself
check "malformed: the bad value is not echoed" \
	eval "! tail -n +2 $(tp_log malformed) | grep -q not-a-uuid"
bad_case nofile 'devarg vf_token_file: .*/tmp/no-such-token' \
	"$BAD,vf_token_file=/tmp/no-such-token"
chmod 0644 "$WRONG"
bad_case filemode "devarg vf_token_file: .*$WRONG" "$BAD,vf_token_file=$WRONG"
bad_case numvfs-on-vf 'devarg num_vfs applies to an SR-IOV PF' \
	"$BAD,vf_token_file=$TOK,num_vfs=1"
bad_case twice 'devarg vf_token_file given twice' \
	"$BAD,vf_token_file=$TOK,vf_token_file=$TOK"

# "-a sriov:VF" alone (issue 32) names no device of the pci bus, which
# then has no allow list and would probe every device of the host (here
# the other VF, the PF and the non-SR-IOV NIC, all on vfio-pci): the bus
# makes it probe nothing unnamed, in one log line; VFTOKEN_SRIOV_PCI_SCAN=all
# (doc/guides/bus_sriov.rst) brings DPDK's own behaviour back. EAL 22.11
# logs each device the pci bus runs a driver on at debug level ("PCI device
# ADDR on NUMA socket", in rte_pci_probe_one_driver(); later releases say
# "Probe PCI driver: ... device: ADDR" at info) and a failed one at error
# level ("Requested device ADDR cannot be used", pci_probe()). The sriov
# bus logs neither: any such line is the pci bus's.
PCI_PROBED='PCI device [0-9a-f:.]+ on NUMA socket|Probe PCI driver|Requested device [0-9a-f:.]+ cannot be used'
named_only() {
	local name=$1 mode=$2 log
	log=$(tp_log "$name")
	if [ "$mode" = all ]; then export VFTOKEN_SRIOV_PCI_SCAN=all; fi
	tp_start "$name" -d "$PLUGIN" -l 0,1 --file-prefix "$name" \
		--log-level=lib.eal:debug \
		-a "sriov:$GOOD,vf_token_file=$TOK" -- -i --total-num-mbufs=$MBUFS
	unset VFTOKEN_SRIOV_PCI_SCAN
	tp_wait "$name" 'testpmd> ' 180 || tail -n 30 "$log" | sed 's/^/  | /'
	tp_stop "$name" >/dev/null
	grep -E "$PCI_PROBED|only devices named|PCI_SCAN" "$log" | sed 's/^/  | /'
	grep -E "$PCI_PROBED" "$log" | grep -v "$GOOD" >"$OUTDIR/$name.others"
}
named_only named-only named
check "named-only: the named VF is port 0" grep -q "^Port 0: " "$(tp_log named-only)"
check "named-only: the pci bus probes no device nobody named" \
	test ! -s "$OUTDIR/named-only.others"
check "named-only: one log line says the pci bus skips unnamed devices" \
	test "$(grep -c 'only devices named with -a are probed' "$(tp_log named-only)")" = 1
named_only probe-all all
check "probe-all: VFTOKEN_SRIOV_PCI_SCAN=all lets the pci bus probe $VM_NOSRIOV_NIC and the other VF $BAD" \
	eval "grep -q '$VM_NOSRIOV_NIC' $OUTDIR/probe-all.others && grep -q '$BAD' $OUTDIR/probe-all.others"
check "probe-all: no token in the output" token_not_in "$(tp_log probe-all)" "$TOK"

# VFTOKEN_SRIOV_BUS takes "on" or "off" only (rte_bus_sriov.h): another
# value keeps the bus idle with one error line, and EAL goes on.
export VFTOKEN_SRIOV_BUS=maybe
tp_start bus-maybe -d "$PLUGIN" -l 0,1 --file-prefix bus-maybe \
	-a "sriov:$GOOD,vf_token_file=$TOK" -- -i --total-num-mbufs=$MBUFS
unset VFTOKEN_SRIOV_BUS
tp_wait bus-maybe 'testpmd> |No probed ethernet devices' 180
tp_stop bus-maybe >/dev/null
grep -E 'VFTOKEN_SRIOV_BUS|EAL: Error|No probed' "$(tp_log bus-maybe)" | sed 's/^/  | /'
check "bus-maybe: one error line names the value and the accepted ones" \
	test "$(grep -c 'VFTOKEN_SRIOV_BUS=maybe: expected "on" or "off"; the sriov bus stays idle' "$(tp_log bus-maybe)")" = 1
check "bus-maybe: the bus claimed nothing (no device line with a token fingerprint)" \
	eval "! grep -q 'token fp:' $(tp_log bus-maybe)"
check "bus-maybe: rte_eal_init went on (no EAL init error)" \
	eval "! grep -Eq 'Cannot init EAL|EAL: Error - exiting' $(tp_log bus-maybe)"

# vfio-pci resets a VF when it is first opened and fails that open with
# EAGAIN while another task holds the VF's device lock; a write to its
# sysfs "reset" holds it for the whole FLR. libvftoken opens again
# (doc/guides/libvftoken.rst, "A device being reset"). vftoken check opens
# a VF 10 to 20 times under strace, which shows the refused tries, while a
# loop resets it in bursts: 8 resets back to back, then 0.2 s without.
# Why bursts: before its open, vftoken reads the VF's driver_override,
# whose read takes the same lock (driver_override_show() in
# drivers/pci/pci-sysfs.c) and so waits for a reset to end; the open
# follows a few ms later and meets the lock only when the next reset has
# begun by then. A loop that spent 0.1 s between resets let 0 of 20 opens
# meet it in one run, bursts of 4 let 2 and 3 of 10; inside a burst the
# next reset begins at once, and after it the lock stays free long enough
# for the tries (at most 7 resets, about 0.8 s, of libvftoken's 2 s).
# Each open starts after a delay of its own (0 to 225 ms in steps of
# 25 ms, 12 ms later in the second ten), so that no fixed phase between
# the loop and the opens repeats. A reset of 20 ms or more (an FLR waits
# 100 ms unless the function reports Immediate Readiness) must show
# refused tries.
reset_ms() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	echo 1 >"$(dev "$1")/reset" 2>/dev/null || return 1
	t1=${EPOCHREALTIME/./}
	echo $(((t1 - t0) / 1000))
}

reset_locked() {
	local vf=$1 n=10 i ok=0 again=0 met=0 rpid ms c d p
	ms=$(reset_ms "$vf") || ms=none
	note "a write to $vf's sysfs reset took $ms ms"
	p=$(dev "$vf")/reset
	(while :; do
		for _ in 1 2 3 4 5 6 7 8; do echo 1 >"$p"; done
		sleep 0.2
	done) 2>/dev/null &
	rpid=$!
	for ((i = 1; i <= n || (met == 0 && i <= 20); i++)); do
		d=$(((i - 1) % 10 * 25 + (i > 10 ? 12 : 0)))
		sleep "$(printf '0.%03d' "$d")"
		strace -f -e trace=ioctl -o "$OUTDIR/reset-locked-$i.trace" \
			"$VFTOKEN_BUILD/app/vftoken/vftoken" check "$vf" --token-file "$TOK" \
			>"$OUTDIR/reset-locked-$i.out" 2>&1 && ok=$((ok + 1))
		c=$(grep -c 'EAGAIN' "$OUTDIR/reset-locked-$i.trace")
		again=$((again + c))
		[ "$c" -eq 0 ] || met=$((met + 1))
		# strace may decode an ioctl's argument: the name with the token
		rm -f "$OUTDIR/reset-locked-$i.trace"
	done
	kill "$rpid"
	wait "$rpid" 2>/dev/null
	n=$((i - 1))
	note "$ok of $n opens succeeded; $met of them met the lock, $again tries refused EAGAIN (the device lock held) and tried again"
	check "reset-locked: $n of $n opens of $vf while a loop resets it in bursts" test "$ok" = "$n"
	# The retry is what this case is for: an open that never met the lock
	# tested nothing, so a run without one fails (with the reset's length
	# to tell why).
	check "reset-locked: some open met the lock and was retried ($met of $n met it, $again EAGAIN tries; a reset took $ms ms)" \
		test "$met" -gt 0
	check "reset-locked: no token in vftoken's output" \
		token_scan "$TOK" "$OUTDIR"/reset-locked-*.out
}
reset_locked "$BAD"

tp_stop pf
check "PF testpmd exits cleanly" test $? = 0
tp_stop_all
set_num_vfs "$VM_PF" 0
finish

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# What a testpmd's log says about its ports and their traffic, and
# VF-to-VF forwarding checked to keep flowing (sourced by lib/scenario.sh).

# MAC of port N from "show port summary all" output in the log.
port_mac() {
	awk -v p="$2" '$1 == p && length($2) == 17 && $2 ~ /^[0-9A-Fa-f:]+$/ { m = $2 } END { print m }' "$(tp_log "$1")"
}

# RX/TX packets of port N from testpmd's "Forward statistics for port N"
# block printed by "stop" (or "show fwd stats all"): counted since "start",
# unlike the VF's hardware counters, which survive from one process to the
# next. As printed, 0 when absent (no float conversion: the igb VF driver
# extends its 32-bit counters, so registers that read all-ones after a PF
# reset show up as a jump of 2^32).
port_fwd() {
	awk -v p="$2" -v k="$3" '
		/Forward statistics for port/ { cur = ($6 == p) }
		/Accumulated forward statistics/ { cur = 0 }
		cur && $1 == k { n = $2 }
		END { print (n == "" ? 0 : n) }' "$(tp_log "$1")"
}

# stat_of LOG PORT KEY: KEY ("RX-packets:", ...) of PORT's last "NIC
# statistics for port" block in the file LOG, as printed; empty if none.
stat_of() {
	awk -v p="$2" -v k="$3" '
		/statistics for port/ { cur = ($0 ~ /NIC statistics for port/ && $6 == p) }
		/Accumulated forward statistics/ { cur = 0 }
		cur && $1 == k { v = $2 }
		END { print v }' "$1"
}
port_rx() { port_fwd "$1" "$2" RX-packets:; }
port_tx() { port_fwd "$1" "$2" TX-packets:; }

# Link of port N from "show port info N": "up" or "down".
port_link() {
	awk -v p="$2" '
		/Infos for port/ { cur = ($5 == p) }
		cur && /Link status:/ { l = $3 }
		END { print l }' "$(tp_log "$1")"
}

# ---- VF-to-VF forwarding ---------------------------------------------------
# vf_forward NAME EAL-ARGS...: two VF ports, mac forwarding between them.
# vf_pair_ready NAME: a testpmd at its prompt on two VFs: checks that it
# has 2 ports, both net_e1000_igb_vf; sets VF_MAC0/VF_MAC1 and, after up
# to 15 s for the links, VF_LINK0/VF_LINK1; sets mac forwarding with each
# port's peer the other's MAC (not started).
vf_pair_ready() {
	local name=$1 i
	tp_send "$name" "show port summary all"
	tp_wait "$name" '^1 +([0-9A-Fa-f]{2}:){5}' 20
	VF_MAC0=$(port_mac "$name" 0)
	VF_MAC1=$(port_mac "$name" 1)
	check "$name: 2 ports, both net_e1000_igb_vf" \
		test "$(grep -Ec '^[01] +([0-9A-Fa-f]{2}:){5}.*net_e1000_igb_vf' "$(tp_log "$name")")" = 2
	for ((i = 0; i < 15; i++)); do
		tp_send "$name" "show port info 0"
		tp_send "$name" "show port info 1"
		sleep 1
		VF_LINK0=$(port_link "$name" 0)
		VF_LINK1=$(port_link "$name" 1)
		[ "$VF_LINK0" = up ] && [ "$VF_LINK1" = up ] && break
	done
	tp_send "$name" "set fwd mac"
	tp_send "$name" "set eth-peer 0 $VF_MAC1"
	tp_send "$name" "set eth-peer 1 $VF_MAC0"
}

# ---- traffic that keeps flowing ----------------------------------------------
# A count since "start tx_first" proves nothing: the burst each port sends
# first makes every RX count positive even when nothing is forwarded
# afterwards. fwd_window waits FWD_WARMUP_S (1 s), clears the port counters
# ("clear port stats all", waiting for each port's "cleared" line), takes
# the guest clock, waits FWD_WINDOW_S (3 s), asks "show port stats all" and
# takes the clock again, then reads each port's RX-packets from that
# answer: packets received in the window. Sets FWD_PPS[port] and FWD_WIN
# (seconds, the guest clock's). FWD_FLOOR_PPS (1000 a port) is a liveness
# floor, not a performance assertion: the rig forwards ~500 kpps VF to VF
# under TCG on a quiet host and far less on a loaded one
# (doc/guides/vm_rig.rst, "How a forwarding check works").
FWD_WARMUP_S=${FWD_WARMUP_S:-1}
FWD_WINDOW_S=${FWD_WINDOW_S:-3}
FWD_FLOOR_PPS=${FWD_FLOOR_PPS:-1000}
declare -a FWD_PPS FWD_PKTS
FWD_WIN=0

# port_stats_rx NAME PORT: RX-packets of PORT's last "NIC statistics" block.
port_stats_rx() {
	local v
	v=$(stat_of "$(tp_log "$1")" "$2" RX-packets:)
	echo "${v:-0}"
}

# fwd_window NAME [NPORTS]: forwarding was started on ports 0..NPORTS-1 (2);
# measures the window above. 1 (with a note) when testpmd did not answer.
fwd_window() {
	local name=$1 np=${2:-2} n t0 t1 p
	FWD_PPS=() FWD_PKTS=() FWD_WIN=0
	sleep "$FWD_WARMUP_S"
	n=$(tp_count "$name" 'NIC statistics for port [0-9]+ cleared')
	tp_send "$name" "clear port stats all"
	if ! tp_wait_count "$name" 'NIC statistics for port [0-9]+ cleared' $((n + np)) 20; then
		note "$name: no answer to \"clear port stats all\" within 20 s"
		return 1
	fi
	t0=$EPOCHREALTIME
	sleep "$FWD_WINDOW_S"
	n=$(tp_count "$name" '#+ NIC statistics for port [0-9]+ +#+')
	tp_send "$name" "show port stats all"
	t1=$EPOCHREALTIME
	if ! tp_wait_count "$name" '#+ NIC statistics for port [0-9]+ +#+' $((n + np)) 20; then
		note "$name: no answer to \"show port stats all\" within 20 s"
		return 1
	fi
	# the last block's RX line follows its header: give it a moment
	sleep 0.2
	FWD_WIN=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	for ((p = 0; p < np; p++)); do
		FWD_PKTS[p]=$(port_stats_rx "$name" "$p")
		FWD_PPS[p]=$(awk -v n="${FWD_PKTS[p]}" -v s="$FWD_WIN" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
	done
}

# fwd_flowing NAME [NPORTS]: fwd_window, then 0 if every port received at
# least FWD_FLOOR_PPS over the window; a note with the figures either way.
fwd_flowing() {
	local name=$1 np=${2:-2} p ok=0 msg=
	FWD_FLOWING=no
	fwd_window "$name" "$np" || return 1
	for ((p = 0; p < np; p++)); do
		msg="$msg, port $p RX ${FWD_PKTS[p]} (${FWD_PPS[p]} pps)"
		[ "${FWD_PPS[p]}" -ge "$FWD_FLOOR_PPS" ] 2>/dev/null || ok=1
	done
	note "$name: ${FWD_WIN} s window after ${FWD_WARMUP_S} s warm-up and a counter clear${msg}; floor $FWD_FLOOR_PPS pps a port"
	# shellcheck disable=SC2034 # read by the scenarios (demo.sh)
	[ "$ok" = 0 ] && FWD_FLOWING=yes
	return $ok
}

# The name of the check fwd_flowing backs.
fwd_check_name() {
	echo "$1: forwarding keeps flowing both ways (>= $FWD_FLOOR_PPS pps on every port over a ${FWD_WINDOW_S} s window after the start burst)"
}

# Checks: 2 ports with net_e1000_igb_vf, links up, traffic that keeps
# flowing on both ports (fwd_flowing). Needs TOK (the token file, to check
# it is not logged); FWD_SECS, when set, is the window. Sets FWD_RX0/FWD_RX1
# to the packets received per port since "start".
vf_forward() {
	local name=$1 mac0 mac1 rx0 rx1 l0 l1 n
	shift
	FWD_WINDOW_S=${FWD_SECS:-$FWD_WINDOW_S}
	tp_start "$name" -l 0,1 --file-prefix "$name" "$@" \
		-- -i --total-num-mbufs=$MBUFS
	if ! tp_wait "$name" 'testpmd> ' 180; then
		check "$name: testpmd on the VFs starts" false
		tp_tail "$name" 30
		tp_stop "$name"
		return 1
	fi
	vf_pair_ready "$name"
	mac0=$VF_MAC0
	mac1=$VF_MAC1
	l0=$VF_LINK0
	l1=$VF_LINK1
	echo "  $name: port 0 $mac0 link $l0, port 1 $mac1 link $l1"
	check "$name: link up on both ports" test "$l0/$l1" = up/up
	tp_send "$name" "start tx_first"
	check "$(fwd_check_name "$name")" fwd_flowing "$name"
	# "stop" prints every port's block, the accumulated one, then "Done.":
	# wait for that line (one more than before) rather than a fixed second.
	n=$(tp_count "$name" '^Done\.')
	tp_send "$name" "stop"
	tp_wait_count "$name" '^Done\.' $((n + 1)) 30
	rx0=$(port_rx "$name" 0)
	rx1=$(port_rx "$name" 1)
	echo "  $name: since start: RX port 0 $rx0, port 1 $rx1, TX port 0 $(port_tx "$name" 0), port 1 $(port_tx "$name" 1)"
	# shellcheck disable=SC2034 # read by the scenarios
	FWD_RX0=$rx0
	# shellcheck disable=SC2034
	FWD_RX1=$rx1
	tp_stop "$name"
	check "$name: testpmd exits cleanly" test $? = 0
	check "$name: the token is not in the log" token_not_in "$(tp_log "$name")" "$TOK"
}

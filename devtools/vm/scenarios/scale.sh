#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The scale benchmark (devtools/bench/run.sh boots the rig with --second-pf
# and runs this): every VF of two igb PFs opened by one VF process, stock
# DPDK against the sriov bus plugin, in one boot.
#
#   stock  the vftoken CLI creates sriov_totalvfs VFs on each PF and sets
#          the SAME token on both PFs (DPDK 22.11 takes one global
#          --vfio-vf-token); one PF testpmd (both PFs, --vfio-vf-token)
#          serves the VF mailboxes; the VF testpmd opens the VFs with
#          --vfio-vf-token;
#   ours   one PF testpmd loads librte_bus_sriov.so, which creates the VFs
#          of each PF (num_vfs=) and sets a DIFFERENT token per PF
#          (vf_token_file= per device); the VF testpmd loads it too and
#          opens each VF with the token file of its PF.
#
# Rounds alternate the modes ABBA. In each mode the VF testpmd is launched
# once per N (the first N VFs, taken alternately from the two PFs; again
# when a port start stalled, see vf_run) and quits once every port is up;
# figures per launch (prefix nN.):
#
#   ready_s     launch to the "Done" that ends "Checking link statuses..."
#               (testpmd prints it once every port's link is up, or after
#               its 9 s limit: ports_up says which)
#   configure_s launch to "Configuring Port 0"
#   load_s      launch to "EAL: Multi-process socket" (exec, loader, PMDs)
#   probe_s     "EAL: VFIO support initialized" to "Interactive-mode
#               selected" (memory, bus scan, devices opened and probed)
#   ports_up    ports with "Link status: up" in "show port info all"
#   fds         entries of /proc/PID/fd at the prompt; vfio_fds those
#               naming /dev/vfio/* or an anon vfio-device
#   rss_kb      VmRSS of /proc/PID/status at the prompt; hugetlb pages are
#               counted apart: huge_kb (HugetlbPages)
#   heap_*      DPDK heap of socket 0 (telemetry /eal/heap_info,0):
#               Heap_size, Alloc_size, Alloc_count
#   cpu_s       utime + stime of the VF process at the prompt
#   port_start_max_s, stalled_ports  the longest port start and the ports
#               whose start took STALL_S (0.5 s) or more (mailbox_stalls)
#   probe_max_s, stalled_probes  the longest probe of one device and the
#               devices whose probe took PROBE_STALL_S (1 s) or more
#               (mailbox_stalls)
#   stalled_attempts  launches of this N made again because a port start
#               or a device's probe stalled (vf_run; their figures are
#               dropped; none with --retries 0: every launch counts)
#   exit_s      "quit" to the process gone, every thread of it (tp_exited:
#               testpmd's own exit, then EAL's cleanup and the kernel's
#               end of the process: the devices released, each last close
#               of a VF an FLR; stock DPDK leaves that to the kernel, in its
#               last thread's exit), polled every 10 ms
#
# --devset adds, with every VF created, a launch on the 8 VFs of the first
# PF (key n8p1) and one on 4 VFs of each PF (n8p2): before Linux 6.17 a
# PF's VFs share one dev_set, whose opens and closes the kernel runs one
# after the other (ARCHITECTURE.md, section 9). --resets adds, after the
# rounds, one untimed launch per way on every VF with ftrace on pcie_flr()
# (as resets.sh): FLRs from the launch to the prompt (resets.open) and
# from "quit" to the process gone (resets.exit).
#
# Up to sriov_totalvfs - 1 VFs per PF are created for N up to their sum,
# sriov_totalvfs per PF for all (the PF process is restarted in between).
# With every VF created, the VF process then forwards on every port at
# once (mac; each port's peer is another VF of the same PF, so the NIC
# switches every frame internally), one window after a warm-up:
# fwdN.rx / fwdN.win_s.
#
# A benchmark, not a test: the checks are about the runs working (processes
# up, every port up and on the VF PMD, packets on every port, tokens in no
# log), never about how fast.
#
# args: [--rounds N] [--ns "1 2 4 7 all"] [--secs S] [--warm S]
#       [--retries R] [--stall-s S] [--probe-stall-s S] [--devset]
#       [--resets] [--quick]

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"
# shellcheck source=../lib/bench.sh
. "$HERE/../lib/bench.sh"
# shellcheck source=../lib/trace.sh
. "$HERE/../lib/trace.sh"

ROUNDS=2
NS="1 2 4 7 14 all"
SECS=5
WARM=2
RETRIES=4
STALL_S=0.5
PROBE_STALL_S=1
DEVSET=0
RESETS=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2 && shift ;;
	--ns) NS=$2 && shift ;;
	--secs) SECS=$2 && shift ;;
	--warm) WARM=$2 && shift ;;
	--retries) RETRIES=$2 && shift ;;
	--stall-s) STALL_S=$2 && shift ;;
	--probe-stall-s) PROBE_STALL_S=$2 && shift ;;
	--devset) DEVSET=1 ;;
	--resets) RESETS=1 ;;
	--quick) ROUNDS=1 NS="1 14 all" SECS=2 WARM=1 ;;
	*)
		echo "scale: unknown argument '$1'"
		exit 2
		;;
	esac
	shift
done

VFT=$VFTOKEN_BUILD/app/vftoken/vftoken
PFS=("$VM_PF" "$VM_PF2")
LOGS=$VM_SCRATCH/logs
bench_setup /tmp/scale "$VM_SCRATCH/scale.tsv"
TOK=$OUTDIR/token-both
TOKS=("$OUTDIR/token-pf1" "$OUTDIR/token-pf2")
# 512 RX descriptors per port hold 512 mbufs each: 8192 mbufs leave none
# for the tx_first bursts with 16 ports
VF_MBUFS=32768
# exits timed to 10 ms without a process per poll (tp_stop, TP_STOP_S)
# shellcheck disable=SC2034 # read by tp_stop (../lib/scenario.sh)
TP_STOP_NAP=nap TP_STOP_POLL=0.01 TP_STOP_STEPS=20

# VFS: every VF of both PFs, alternately (PF1 VF0, PF2 VF0, PF1 VF1, ...:
# vfs_of sorts by address, which is VF index order on the rig's igb);
# VF_PF[addr]: index of its PF
declare -A VF_PF
list_vfs() {
	local -a a b
	local i
	mapfile -t a < <(vfs_of "${PFS[0]}")
	mapfile -t b < <(vfs_of "${PFS[1]}")
	VFS=()
	for ((i = 0; i < ${#a[@]} || i < ${#b[@]}; i++)); do
		[ -n "${a[i]:-}" ] && VFS+=("${a[i]}") && VF_PF[${a[i]}]=0
		[ -n "${b[i]:-}" ] && VFS+=("${b[i]}") && VF_PF[${b[i]}]=1
	done
}

# proc_cost NAME KEY: fds, vfio fds, RSS, hugetlb and CPU of the process
proc_cost() {
	local pid=${TP_PID[$1]} k=$2 n=0 v=0 l t f
	for l in /proc/"$pid"/fd/*; do
		n=$((n + 1))
		t=$(readlink "$l" 2>/dev/null)
		[[ $t == /dev/vfio/* || $t == *vfio-device* ]] && v=$((v + 1))
	done
	rec "$k.fds" "$n"
	rec "$k.vfio_fds" "$v"
	rec "$k.rss_kb" "$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status)"
	rec "$k.huge_kb" "$(awk '/^HugetlbPages:/ { print $2 }' /proc/"$pid"/status)"
	read -r -a f <"/proc/$pid/stat"
	rec "$k.cpu_s" "$(awk -v t=$((f[13] + f[14])) -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }')"
}

# heap KEY REPLY: the DPDK heap figures of socket 0 in REPLY, telemetry's
# answer to /eal/heap_info,0 (DPDK's JSON has no blanks)
heap() {
	local k v
	for k in Heap_size Alloc_size Free_size Alloc_count; do
		v=$(grep -oE "\"$k\":[0-9]+" <<<"$2") && rec "$1.heap_${k,,}" "${v#*:}"
	done
}

# port_table NAME: "port mac device link" per port from "show port info all"
port_table() {
	awk '/Infos for port/ { p = $5 }
		p != "" && /^MAC address:/ { m[p] = $3 }
		p != "" && /^Device name:/ { d[p] = $3 }
		p != "" && /^Link status:/ { l[p] = $3 }
		END { for (q in m) print q, m[q], d[q], l[q] }' "$(tp_log "$1")" | sort -n
}

# mailbox_stalls KEY: the longest port start of the launch ("Configuring Port
# k" to testpmd's "Port k: <MAC>", the port's rte_eth_dev_start) and the
# number of ports whose start took STALL_S or more. Such a stall is the igb VF
# PMD's reset handshake waiting out a mailbox poll (2000 polls with a 500 us
# sleep between, E1000_VF_MBX_INIT_TIMEOUT and _DELAY of DPDK's e1000 base
# code: ~2 s in the guest) for the PF process, which did not take the
# message in time; a port start takes ~20 ms otherwise
# (doc/guides/benchmark.rst, "Every VF of two PFs"). The PMD's probe of a VF
# resets it the same way: also the longest probe of one device (from the
# line that starts it, the pci bus's "Probe PCI driver" or the sriov bus's
# "VF of PF", to the next such line, the last to "Interactive-mode
# selected") and the devices whose probe took PROBE_STALL_S or more (one
# takes 0.4 s at most otherwise: the benchmark guide states the longest).
STALLED=0
PROBE_STALLED=0
mailbox_stalls() {
	local max
	read -r max STALLED < <(awk -v lim="$STALL_S" '{ t = $1; sub(/^[^ ]* /, "") }
		/^Configuring Port [0-9]+ / { s[$3] = t }
		/^Port [0-9]+: [0-9A-F:]+$/ { p = $2; sub(/:$/, "", p)
			if (p in s) { d = t - s[p]; if (d > m) m = d; if (d >= lim + 0) n++ } }
		END { printf "%.3f %d\n", m, n }' "$OUTDIR/vf.ts")
	rec "$1.port_start_max_s" "$max"
	rec "$1.stalled_ports" "$STALLED"
	read -r max PROBE_STALLED < <(awk -v lim="$PROBE_STALL_S" '{ t = $1; sub(/^[^ ]* /, "") }
		/^(EAL: Probe PCI driver: |sriov: [^ ]+: VF of PF |Interactive-mode selected)/ && s != "" {
			d = t - s; if (d > m) m = d; if (d >= lim + 0) n++ }
		/^(EAL: Probe PCI driver: |sriov: [^ ]+: VF of PF )/ { s = t }
		/^Interactive-mode selected/ { exit }
		END { printf "%.3f %d\n", m, n }' "$OUTDIR/vf.ts")
	rec "$1.probe_max_s" "$max"
	rec "$1.stalled_probes" "$PROBE_STALLED"
}

# launch_vf N [KEY]: the VF process on the first N VFs of RUN_VFS (VFS
# when empty), to every port up; figures under KEY (nN)
RUN_VFS=()
launch_vf() {
	local n=$1 k=${2:-n$1} args=() i a t up t_launch
	local -a set=("${VFS[@]}")
	[ "${#RUN_VFS[@]}" -gt 0 ] && set=("${RUN_VFS[@]}")
	for ((i = 0; i < n; i++)); do
		a=${set[i]}
		if [ "$MODE" = ours ]; then
			args+=(-a "$a,vf_token_file=${TOKS[${VF_PF[$a]}]}")
		else
			args+=(-a "$a")
		fi
	done
	if [ "$MODE" = ours ]; then
		args=(-d "$PLUGIN" -l "0,1" --file-prefix scale-vf "${args[@]}")
	else
		args=(-l "0,1" --file-prefix scale-vf "${args[@]}" "--vfio-vf-token=$(cat "$TOK")")
	fi
	[ "$ROUND" = 1 ] && rec "$k.cmdline" "$(echo "dpdk-testpmd ${args[*]}" | redact)"
	t_launch=$EPOCHREALTIME
	tp_start vf "${args[@]}" -- -i --total-num-mbufs="$VF_MBUFS"
	tp_stamp vf
	wait_prompt vf 300 "r$ROUND $MODE N=$n: VF testpmd starts" || return 1
	proc_cost vf "$k"
	heap "$k" "$(telemetry scale-vf /eal/heap_info,0 2>/dev/null)"
	sleep 0.2 # the stamper polls every 50 ms
	t=$(tp_stamp_of vf '^Configuring Port 0')
	rec "$k.configure_s" "$(sub "$t" "$t_launch")"
	# the parts of it: launch to EAL's multi-process socket (exec, the
	# dynamic loader, EAL loading DPDK's PMD directory and the -d objects),
	# then "VFIO support initialized" to testpmd's first line (EAL memory,
	# bus scan, every device opened and probed: where the two buses differ)
	t=$(tp_stamp_of vf '^EAL: Multi-process socket')
	rec "$k.load_s" "$(sub "$t" "$t_launch")"
	t=$(tp_stamp_of vf '^Interactive-mode selected')
	rec "$k.probe_s" "$(sub "$t" "$(tp_stamp_of vf '^EAL: VFIO support initialized')")"
	t=$(awk '{ t = $1; sub(/^[^ ]* /, "") } /^Checking link statuses/ { c = 1 } c && /^Done/ { print t; exit }' \
		"$OUTDIR/vf.ts")
	rec "$k.ready_s" "$(sub "$t" "$t_launch")"
	mailbox_stalls "$k"
	tp_send vf "show port info all"
	tp_sync vf 60
	up=$(port_table vf | awk '$4 == "up"' | wc -l)
	rec "$k.ports_up" "$up"
	check "r$ROUND $MODE N=$n: $n ports on net_e1000_igb_vf, $up up" \
		test "$(grep -c '^Driver name: net_e1000_igb_vf' "$(tp_log vf)")/$up" = "$n/$n"
}

# forward_all N CHECKED: mac forwarding on every port of the VF process at
# once; CHECKED=1: a check that every port received. With sriov_totalvfs
# (8) VFs on a PF the igb PF PMD of DPDK 22.11 gives the PF the pool after
# the last VF's (def_vmdq_idx = number of VFs in
# drivers/net/e1000/igb_pf.c), which does not exist; VF-to-VF switching on
# QEMU's model works regardless (every port forwarded in
# doc/guides/benchmark.rst's run), so that run is checked too.
forward_all() {
	local n=$1 checked=$2 p m d l i j peer t0 t1 what v tot=0 got=0 nomb=0 k=fwd$1
	local -A mac_of pf_of
	local -a ports
	while read -r p m d l; do
		ports+=("$p")
		mac_of[$p]=$m
		pf_of[$p]=${VF_PF[$d]}
	done < <(port_table vf)
	# each port's peer: the next port (cyclically) on the same PF
	for ((i = 0; i < ${#ports[@]}; i++)); do
		peer=
		for ((j = 1; j < ${#ports[@]}; j++)); do
			p=${ports[(i + j) % ${#ports[@]}]}
			[ "${pf_of[$p]}" = "${pf_of[${ports[i]}]}" ] && peer=${mac_of[$p]} && break
		done
		[ -n "$peer" ] && tp_send vf "set eth-peer ${ports[i]} $peer"
	done
	tp_send vf "set fwd mac"
	tp_send vf "start tx_first"
	nap "$WARM"
	tp_sync vf 30
	local nl
	nl=$(wc -l <"$(tp_log vf)")
	tp_send vf "clear fwd stats all"
	t0=$EPOCHREALTIME
	nap "$SECS"
	tp_send vf "show fwd stats all"
	t1=$EPOCHREALTIME
	tp_send vf "stop"
	tp_sync vf 30
	rec "$k.win_s" "$(sub "$t1" "$t0")"
	while read -r p what v; do
		if [ "$what" = nombufs ]; then
			rec "$k.p$p.nombufs" "$v"
			nomb=$((nomb + v))
			continue
		fi
		rec "$k.p$p.rx" "$v"
		tot=$((tot + v))
		[ "$v" -gt 0 ] && got=$((got + 1))
	# awk quits at the stop line: tail's write error then is no news
	done < <(tail -n +"$((nl + 1))" "$(tp_log vf)" 2>/dev/null | awk '
		/Telling cores to stop/ { exit }
		/Forward statistics for port/ { p = $6 + 0 }
		$1 == "RX-packets:" && p != "" { print p, "rx", $2 + 0 }
		$1 == "RX-nombufs:" && p != "" { print p, "nombufs", $2 + 0 }
		/Accumulated forward statistics/ { p = "" }')
	rec "$k.rx" "$tot"
	rec "$k.ports" "$n"
	rec "$k.ports_rx" "$got"
	rec "$k.nombufs" "$nomb"
	# an empty mbuf pool stops every RX queue: say so when it happens
	[ "$nomb" -gt 0 ] && note "r$ROUND $MODE: $n VFs: $nomb RX-nombufs (--total-num-mbufs=$VF_MBUFS too few)"
	if [ "$checked" = 1 ]; then
		check "r$ROUND $MODE: all $n VFs forward at once (packets on $got of $n ports, $tot in $(sub "$t1" "$t0") s)" \
			test "$got" = "$n"
	else
		note "r$ROUND $MODE: $n VFs ($T1 + $T2, sriov_totalvfs) forwarding at once: packets on $got of $n ports, $tot in $(sub "$t1" "$t0") s (recorded, not checked)"
	fi
}

# pf_up N1 N2: N1 and N2 VFs and the tokens of the mode, then the PF
# process on both PFs
pf_up() {
	local args=() i rc=0 cnt=("$1" "$2")
	if [ "$MODE" = stock ]; then
		for i in 0 1; do
			"$VFT" vfs create "${PFS[i]}" "${cnt[i]}" --bind >>"$OUTDIR/vft.out" 2>&1 || rc=1
			"$VFT" token set "${PFS[i]}" --token-file "$TOK" >>"$OUTDIR/vft.out" 2>&1 || rc=1
		done
		check "r$ROUND $MODE: vftoken vfs create + token set (the same token) on both PFs" test $rc = 0
		args=(-l "0,1" --file-prefix scale-pf -a "${PFS[0]}" -a "${PFS[1]}" "--vfio-vf-token=$(cat "$TOK")")
	else
		args=(-d "$PLUGIN" -l "0,1" --file-prefix scale-pf
			-a "${PFS[0]},num_vfs=${cnt[0]},vf_token_file=${TOKS[0]}"
			-a "${PFS[1]},num_vfs=${cnt[1]},vf_token_file=${TOKS[1]}")
	fi
	[ "$ROUND" = 1 ] && rec "pf${cnt[0]}.cmdline" "$(echo "dpdk-testpmd ${args[*]}" | redact)"
	tp_start pf "${args[@]}" -- -i --total-num-mbufs="$MBUFS"
	wait_prompt pf 300 "r$ROUND $MODE: PF testpmd starts on both PFs" || return 1
	check "r$ROUND $MODE: ${cnt[0]} + ${cnt[1]} VFs on vfio-pci" \
		test "$(num_vfs "${PFS[0]}")+$(num_vfs "${PFS[1]}")" = "${cnt[0]}+${cnt[1]}"
	list_vfs
	[ "${#VFS[@]}" = $((cnt[0] + cnt[1])) ]
}

# no_token LOG: none of the three tokens appears in LOG
no_token() {
	token_not_in "$1" "$TOK" && token_not_in "$1" "${TOKS[0]}" && token_not_in "$1" "${TOKS[1]}"
}

# vf_quit N LOG SUFFIX [KEY]: quit the VF process, time its exit
# (KEY.exit_s), check it and that no token is in its log (SUFFIX ends the
# checks' text), keep the log as LOG
vf_quit() {
	local rc
	tp_stop vf
	rc=$?
	[ -n "${4:-}" ] && rec "$4.exit_s" "$TP_STOP_S"
	check "r$ROUND $MODE N=$1: VF testpmd exits cleanly$3" test $rc = 0
	check "r$ROUND $MODE N=$1: no token in the VF log$3" no_token "$(tp_log vf)"
	save_logs vf "$2"
}

# vf_run N CHECKED: launch the VF process on N VFs, forward on all of them
# when N is every VF created (a check when CHECKED=1, else a figure only),
# then quit. A launch with a stalled port start or device probe
# (mailbox_stalls) is made again, up to RETRIES times: the stall is the PF
# process's answer on the VF mailbox coming late, in both ways, not the
# bus. Its figures are dropped and it is counted (nN.stalled_attempts);
# the last attempt's figures are kept, stalled or not.
vf_run() {
	local n=$1 try=0 mark ok k=${3:-n$1}
	while :; do
		mark=$(wc -l <"$RAW_TMP")
		launch_vf "$n" "$k"
		ok=$?
		[ "$ok" = 0 ] && [ $((STALLED + PROBE_STALLED)) -gt 0 ] && ((try < RETRIES)) || break
		note "r$ROUND $MODE N=$n: $STALLED port start(s), $PROBE_STALLED probe(s) stalled: launched again"
		vf_quit "$n" "vf-n$n-stalled$try" " (the stalled launch)"
		head -n "$mark" "$RAW_TMP" >"$RAW_TMP.keep" && mv "$RAW_TMP.keep" "$RAW_TMP"
		try=$((try + 1))
	done
	rec "$k.stalled_attempts" "$try"
	if [ "$ok" = 0 ] && [ "$k" = "n${#VFS[@]}" ]; then
		forward_all "$n" "$2"
	fi
	vf_quit "$n" "vf-$k" "" "$k"
}

# devset_runs: with every VF created, 8 VFs of the first PF (n8p1), then 4
# of each (n8p2): the same N, one dev_set against two before Linux 6.17
devset_runs() {
	local i
	RUN_VFS=()
	for ((i = 0; i < ${#VFS[@]}; i++)); do
		[ "${VF_PF[${VFS[i]}]}" = 0 ] && RUN_VFS+=("${VFS[i]}")
	done
	if [ "${#RUN_VFS[@]}" -ge 8 ]; then
		vf_run 8 0 n8p1
	else
		check "r$ROUND $MODE: 8 VFs on the first PF for --devset" false
	fi
	RUN_VFS=("${VFS[@]:0:8}") # alternately: 4 of each PF
	vf_run 8 0 n8p2
	RUN_VFS=()
}

pf_down() {
	tp_stop pf
	check "r$ROUND $MODE: PF testpmd exits cleanly" test $? = 0
	check "r$ROUND $MODE: no token in the PF log" no_token "$(tp_log pf)"
	save_logs pf "pf-$1"
	set_num_vfs "${PFS[0]}" 0
	set_num_vfs "${PFS[1]}" 0
}

# run_mode stock|ours: first sriov_totalvfs - 1 VFs per PF (the most the
# igb PF PMD serves, see forward_all) for every N up to their sum, then
# sriov_totalvfs per PF for the N above it
run_mode() {
	MODE=$1
	local n nn
	echo "---- round $ROUND, $MODE"
	if pf_up $((T1 - 1)) $((T2 - 1)); then
		for n in $NS; do
			nn=$n
			[ "$n" = all ] && nn=$TOTAL
			((nn <= TOTAL - 2)) && vf_run "$nn" 1
		done
	fi
	pf_down less
	if [[ " $NS " == *" all "* ]] || [[ " $NS " == *" $TOTAL "* ]]; then
		if pf_up "$T1" "$T2"; then
			vf_run "$TOTAL" 1
			[ "$DEVSET" = 1 ] && devset_runs
		fi
		pf_down all
	fi
	rec_flush
}

# resets_run stock|ours: every VF created, one launch on all of them,
# untimed (round 0): FLRs to the prompt, then from "quit" to the exit
resets_run() {
	MODE=$1
	echo "---- FLRs per launch, $MODE"
	if pf_up "$T1" "$T2"; then
		flr_trace_clear
		launch_vf "$TOTAL" resets
		rec resets.open "$(flr_count)"
		flr_trace_clear
		vf_quit "$TOTAL" vf-resets " (counting FLRs)" resets
		rec resets.exit "$(flr_count)"
		note "$MODE: $(grep -P '\tresets\.open\t' "$RAW_TMP" | cut -f4) FLRs to open $TOTAL VFs, $(grep -P '\tresets\.exit\t' "$RAW_TMP" | cut -f4) at exit"
	fi
	pf_down resets
	rec_flush
}

trap 'tp_stop_all; cp -f "$OUTDIR"/*.log "$LOGS/" 2>/dev/null' EXIT

if [ -z "$VM_PF2" ]; then
	check "the rig has a second PF (run.sh --second-pf)" false
	OUTDIR=$VM_SCRATCH finish
	exit 1
fi
T1=$(cat "$(dev "$VM_PF")/sriov_totalvfs")
T2=$(cat "$(dev "$VM_PF2")/sriov_totalvfs")
TOTAL=$((T1 + T2))
echo "scale: kernel $VM_KERNEL, sriov_totalvfs $T1 + $T2, N in: $NS, $ROUNDS round(s)"
rec kernel "$VM_KERNEL"
rec rounds "$ROUNDS"
rec ns "$NS"
rec total_vfs "$TOTAL"
rec totalvfs_pf1 "$T1"
rec totalvfs_pf2 "$T2"
rec secs "$SECS"
rec warm "$WARM"
rec retries "$RETRIES"
rec stall_s "$STALL_S"
rec probe_stall_s "$PROBE_STALL_S"
# exit_s ends when every thread of the process is gone (tp_exited); samples
# without this row ended it at the main thread's zombie
rec exit_end every-thread
rec guest_cpus "$(nproc)"
rec mbufs "$MBUFS"
rec vf_mbufs "$VF_MBUFS"
rec_flush

check "vfio-pci loaded with enable_sriov=1" vfio_setup
for pf in "${PFS[@]}"; do
	check "$pf bound to vfio-pci, no VF" eval "bind_vfio $pf && set_num_vfs $pf 0"
done
check "token files created (0600): one for both PFs, one per PF" \
	eval "make_token $TOK && make_token ${TOKS[0]} && make_token ${TOKS[1]}"
check "the per-PF tokens differ" test "$(cat "${TOKS[0]}")" != "$(cat "${TOKS[1]}")"
# DPDK's shared objects on the guest's tmpfs, then one start before
# measuring (the first process after a boot pays for cold caches)
check "DPDK staged on the guest's tmpfs (no 9p during the runs)" stage_dpdk /run/dpdk-stage
check "the harness on the last vCPU, testpmd started on vCPU 0" pin_harness
rec harness_cpu "${HARNESS_CPU:-}"
rec testpmd_cpu "${TP_CPUS:-}"
rec_flush
cat "$VFT" >/dev/null
timeout 300 "$TESTPMD" -d "$PLUGIN" -l "0,1" --file-prefix scale-warm --no-pci -- -i \
	</dev/null >"$OUTDIR/warm.log" 2>&1

for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
	for m in $(abba "$ROUND" stock ours); do
		run_mode "$m"
	done
done
ROUND=0
MODE=-
rec_flush
if [ "$RESETS" = 1 ]; then
	flr_trace_on
	rc=$?
	check "ftrace on $FLR_FN" test "$rc" = 0
	if [ "$rc" = 0 ]; then
		for m in stock ours; do
			resets_run "$m"
		done
		flr_trace_off
	fi
	MODE=-
fi
OUTDIR=$VM_SCRATCH finish

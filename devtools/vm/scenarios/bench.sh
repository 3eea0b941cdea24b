#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The forwarding benchmark (devtools/bench/run.sh boots the rig once and runs
# this). Rounds alternate, in ABBA order, between two ways of running the
# same stock Debian dpdk-testpmd on the same kernel and emulated NIC:
#
#   stock  vftoken CLI creates 2 VFs and sets the VF token; DPDK's own pci
#          bus opens PF and VFs with --vfio-vf-token;
#   ours   the PF testpmd loads librte_bus_sriov.so, which creates the VFs
#          (num_vfs=2) and sets the token (vf_token_file=); the VF testpmd
#          loads it too and opens each VF with vf_token_file=.
#
# Each mode starts from the same state (PF on vfio-pci, no VF) and ends by
# removing the VFs. In each: the PF testpmd (-l 0,1) io-forwards on its one
# port over the rig's loopback wire (the UDP socket netdev) or, booted with
# --pf-hub (VM_PF_WIRE=hub), between the PF and the second PF, whose wires
# meet in a QEMU hub (a loop in QEMU's time, not the host's); then it stays idle
# serving the VF mailbox while a VF testpmd (-l 0,1: the same two vCPUs)
# forwards between the two VFs, mac then io, each for a fixed window after
# a discarded warm-up. Figures go to $VM_SCRATCH/bench.tsv
# ("ROUND<TAB>MODE<TAB>KEY<TAB>VALUE"); devtools/bench/bench.py makes
# results.json of them. The figures' definitions (launch, configure_s,
# load_s, probe_s, ready_s, first_rx_s, window, pps, cycles/packet, cpu)
# are bench.py's METRICS and DEFINITIONS, published in
# doc/guides/benchmark.rst ("Definitions") and bench_startup.rst; the
# code that takes each is below (launch, poll_first, first_rx_stamp,
# startup_figures, measure).
#
# Line times come from a reader that stamps each log line as it is written
# (tp_stamp, 50 ms polling). The paths between the prompt and the start of
# forwarding use shell builtins only (no fork) to keep the script's own
# latency out of the start-up figures.
#
# A benchmark, not a test: the checks are about the runs working (processes
# up, ports on the expected driver and bus, packets flowing, tokens in no
# log), never about how fast.
#
# args: [--rounds N] [--secs S] [--warm S] [--modes "mac io"] [--quick]
#       [--profile]   one more mac window per mode under perf (cpu-clock)
#       [--interleave PAIRS] instead of the rounds: the throughput of the
#                     two ways in short alternating windows (see interleave)
#       [--startup-only]  rounds of start-ups only: each mode as above up to
#                     the VF process's first packets, no measured window
#                     (many start-up pairs in one boot: devtools/bench/run.sh startup)

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"
# shellcheck source=../lib/bench.sh
. "$HERE/../lib/bench.sh"

ROUNDS=3
SECS=10
WARM=2
FWD_MODES="mac io"
PROFILE=0
PAIRS=0
STARTUP_ONLY=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2 && shift ;;
	--secs) SECS=$2 && shift ;;
	--warm) WARM=$2 && shift ;;
	--modes) FWD_MODES=$2 && shift ;;
	--quick) ROUNDS=1 SECS=3 WARM=1 FWD_MODES=mac ;;
	--profile) PROFILE=1 ;;
	--interleave) PAIRS=$2 && shift ;;
	--startup-only) STARTUP_ONLY=1 FWD_MODES= ;;
	*)
		echo "bench: unknown argument '$1'"
		exit 2
		;;
	esac
	shift
done

VFT=$VFTOKEN_BUILD/app/vftoken/vftoken
PF=$VM_PF
VF0=${PF%00.0}10.0
VF1=${PF%00.0}10.2
# The PF process's ports: the PF alone on its loopback wire, or the PF and
# the second PF (no VFs; DPDK's pci bus in both ways) on the hub
PF_PORTS=1
PF2=
if [ "${VM_PF_WIRE:-loopback}" = hub ] && [ -n "${VM_PF2:-}" ]; then
	PF_PORTS=2
	PF2=$VM_PF2
fi
LOGS=$VM_SCRATCH/logs
TOK=/tmp/bench-token
bench_setup /tmp/bench "$VM_SCRATCH/bench.tsv"

# secs TICKS: clock ticks as seconds
secs() { printf '%d.%02d\n' $(($1 / HZ)) $((($1 % HZ) * 100 / HZ)); }
note() { echo "  [r$ROUND $MODE] $*"; }

# ticks PID: sets UT and ST, the process's utime and stime in clock ticks
# (builtins only: the command name of testpmd has no space)
ticks() {
	local f
	UT=0 ST=0
	read -r -a f 2>/dev/null <"/proc/$1/stat" || return 1
	UT=${f[13]} ST=${f[14]}
}

# MAC of port N from the "Port N: MAC" line testpmd prints at start-up
start_mac() {
	grep -Eo "^Port $2: ([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}" "$(tp_log "$1")" |
		tail -n 1 | awk '{ print $3 }'
}

# first_rx_stamp NAME NPORTS: stamp of the end of the first "show fwd
# stats" reply in which every port has RX-packets > 0
first_rx_stamp() {
	awk -v np="$2" '
		{ t = $1; sub(/^[^ ]* /, "") }
		/Forward statistics for port/ { p = $6 + 0; inblk = 1 }
		inblk && $1 == "RX-packets:" { rx[p] = $2 + 0; inblk = 0 }
		/Accumulated forward statistics/ {
			ok = 1
			for (i = 0; i < np; i++)
				if (!(rx[i] > 0))
					ok = 0
			if (ok) { print t; exit }
			delete rx
		}' "$OUTDIR/$1.ts"
}

# launch NAME ARGS...: start testpmd, stamp its log, wait for the prompt.
# Sets T_LAUNCH, T_PROMPT_UT/ST (CPU ticks when the prompt was seen).
launch() {
	local name=$1
	shift
	rec "$name.cmdline" "$(echo "dpdk-testpmd $*" | redact)"
	T_LAUNCH=$EPOCHREALTIME
	tp_start "$name" "$@"
	tp_stamp "$name"
	wait_prompt "$name" 180 "r$ROUND $MODE: $name testpmd starts" || return 1
	ticks "${TP_PID[$name]}"
	T_PROMPT_UT=$UT T_PROMPT_ST=$ST
}

# poll_first NAME NPORTS: "start tx_first" was just sent: ask for the fwd
# stats every 100 ms (builtins only) until a reply shows RX on every port.
poll_first() {
	local name=$1 i t
	for ((i = 1; i <= 300; i++)); do
		tp_send "$name" "show fwd stats all"
		nap 0.1
		if ((i % 5 == 0)) && [ -n "$(first_rx_stamp "$name" "$2")" ]; then
			break
		fi
	done
	sleep 0.2 # the stamper polls every 50 ms
	t=$(first_rx_stamp "$name" "$2")
	rec "$name.first_rx_s" "$(sub "$t" "$T_LAUNCH")"
}

# After the first packets: start-up figures of NAME from the stamped log.
startup_figures() {
	local name=$1 t
	rec "$name.cpu_ready_s" "$(secs $((T_PROMPT_UT + T_PROMPT_ST)))"
	t=$(tp_stamp_of "$name" '^Configuring Port 0')
	rec "$name.configure_s" "$(sub "$t" "$T_LAUNCH")"
	# its parts: exec + loader + EAL loading the PMDs and -d objects, then
	# EAL memory + bus scan + devices opened and probed
	t=$(tp_stamp_of "$name" '^EAL: Multi-process socket')
	rec "$name.load_s" "$(sub "$t" "$T_LAUNCH")"
	t=$(tp_stamp_of "$name" '^Interactive-mode selected')
	rec "$name.probe_s" "$(sub "$t" "$(tp_stamp_of "$name" '^EAL: VFIO support initialized')")"
	t=$(awk '{ t = $1; sub(/^[^ ]* /, "") } /^Checking link statuses/ { c = 1 } c && /^Done/ { print t; exit }' \
		"$OUTDIR/$name.ts")
	rec "$name.ready_s" "$(sub "$t" "$T_LAUNCH")"
}

# Counters around a measured window, builtins only: the guest's CPU
# (/proc/stat "cpu" line), vfio interrupts (/proc/interrupts), CPU of the PF
# and VF processes, all in clock ticks. snap PREFIX sets PREFIX_*.
snap() {
	local p=$1 u n sy id io irq sirq a x v=0
	read -r _ u n sy id io irq sirq _ </proc/stat
	printf -v "${p}_user" %d $((u + n))
	printf -v "${p}_sys" %d $((sy + irq + sirq))
	printf -v "${p}_idle" %d $((id + io))
	while read -r -a a; do
		[[ ${a[*]} == *vfio* ]] || continue
		for x in "${a[@]:1}"; do
			[[ $x =~ ^[0-9]+$ ]] || break
			v=$((v + x))
		done
	done </proc/interrupts
	printf -v "${p}_vfio" %d "$v"
	ticks "${TP_PID[pf]:-0}"
	printf -v "${p}_pf" %d $((UT + ST))
	ticks "${TP_PID[vf]:-0}"
	printf -v "${p}_vfu" %d "$UT"
	printf -v "${p}_vfs" %d "$ST"
}

# snap_rec KEY: record the deltas between snapshots A and B
# shellcheck disable=SC2154 # A_* and B_* are set by snap through printf -v
snap_rec() {
	local k=$1
	rec "$k.guest_user_s" "$(secs $((B_user - A_user)))"
	rec "$k.guest_sys_s" "$(secs $((B_sys - A_sys)))"
	rec "$k.guest_idle_s" "$(secs $((B_idle - A_idle)))"
	rec "$k.vfio_irqs" $((B_vfio - A_vfio))
	rec "$k.pf_cpu_s" "$(secs $((B_pf - A_pf)))"
	rec "$k.vf_user_s" "$(secs $((B_vfu - A_vfu)))"
	rec "$k.vf_sys_s" "$(secs $((B_vfs - A_vfs)))"
}

# measure NAME KIND NPORTS: forwarding was started; warm up, then one
# window, then stop. Only builtins run between the two ends of the window;
# the parsing is done once forwarding has stopped. Records
# NAME.fwd.KIND.{window_s,cycles_per_packet,tsc_mhz,pN.rx,pN.tx} and the
# window's counters.
measure() {
	local name=$1 kind=$2 np=$3 t0 t1 n p rx k=$1.fwd.$2 log
	log=$(tp_log "$name")
	nap "$WARM"
	tp_sync "$name" 30
	n=$(wc -l <"$log")
	snap A
	tp_send "$name" "clear fwd stats all"
	t0=$EPOCHREALTIME
	nap "$SECS"
	tp_send "$name" "show fwd stats all"
	t1=$EPOCHREALTIME
	snap B
	tp_send "$name" "stop"
	tp_sync "$name" 30
	rec "$k.window_s" "$(sub "$t1" "$t0")"
	snap_rec "$k"
	# the reply to "show fwd stats all": after line n, before "stop"'s
	# output; the cycles line is printed only when packets were received
	tail -n +"$((n + 1))" "$log" | awk -v pre="$ROUND"$'\t'"$MODE"$'\t'"$k." '
		/Telling cores to stop/ { exit }
		/Forward statistics for port/ { p = $6 + 0 }
		$1 == "RX-packets:" && p != "" { print pre "p" p ".rx\t" $2 }
		$1 == "TX-packets:" && p != "" { print pre "p" p ".tx\t" $2 }
		/Accumulated forward statistics/ { p = "" }
		/CPU cycles\/packet=/ {
			c = $0; sub(/.*CPU cycles\/packet=/, "", c); sub(/ .*/, "", c)
			m = $0; sub(/ MHz Clock.*/, "", m); sub(/.* at /, "", m)
			print pre "cycles_per_packet\t" c
			print pre "tsc_mhz\t" m
		}' >>"$RAW_TMP"
	for ((p = 0; p < np; p++)); do
		rx=$(awk -F'\t' -v k="$k.p$p.rx" -v r="$ROUND" -v m="$MODE" \
			'$1 == r && $2 == m && $3 == k { v = $4 } END { print v + 0 }' "$RAW_TMP")
		check "r$ROUND $MODE: $name $kind: port $p received packets ($rx in $(sub "$t1" "$t0") s)" \
			test "$rx" -gt 0
	done
}

# profile: one more mac window of the VF process under perf (cpu-clock
# sampling: TCG has no PMU), reported by DSO and by symbol
profile() {
	local data=$OUTDIR/perf-$MODE.data out=$LOGS/perf-r$ROUND-$MODE
	tp_send vf "set fwd mac"
	tp_send vf "start tx_first"
	nap "$WARM"
	perf record -q -e cpu-clock -F 997 -p "${TP_PID[vf]}" -o "$data" -- sleep "$SECS" \
		>"$out.record.txt" 2>&1
	tp_send vf "stop"
	tp_sync vf 30
	perf report -i "$data" --stdio --sort dso --no-children 2>/dev/null |
		grep -v '^#' | grep -v '^$' >"$out.dso.txt"
	perf report -i "$data" --stdio --sort dso,sym --no-children 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -n 40 >"$out.sym.txt"
	check "r$ROUND $MODE: perf profile of the VF process" test -s "$out.dso.txt"
	awk '$1 ~ /%$/ { sub(/%$/, "", $1); printf "vf.profile.dso.%s\t%s\n", $2, $1 }' "$out.dso.txt" |
		head -n 8 | while IFS=$'\t' read -r k v; do rec "$k" "$v"; done
	rm -f "$data"
}

# bus_states ADDR...: the sriov bus's telemetry "state" of each device of
# the VF process, "/"-separated (DPDK's JSON has no blanks)
bus_states() {
	telemetry bench-vf "${@/#//sriov/info,}" 2>/dev/null |
		sed -nE 's/.*"state":"([^"]*)".*/\1/p' | paste -sd/
}

# run_mode stock|ours: one mode of one round
run_mode() {
	MODE=$1
	local t pf_args vf_args pfmac mac0 mac1 rc tok kind
	echo "---- round $ROUND, $MODE"
	check "r$ROUND $MODE: starts with no VF" test "$(num_vfs "$PF")" = 0
	tok=$(cat "$TOK")
	if [ "$MODE" = stock ]; then
		rec setup.cmdline "vftoken vfs create $PF 2 --bind; vftoken token set $PF --token-file $TOK"
		t=$EPOCHREALTIME
		"$VFT" vfs create "$PF" 2 --bind >"$OUTDIR/vft.out" 2>&1
		rc=$?
		rec setup.vfs_create_s "$(sub "$EPOCHREALTIME" "$t")"
		check "r$ROUND $MODE: vftoken vfs create $PF 2 --bind" test $rc = 0
		t=$EPOCHREALTIME
		"$VFT" token set "$PF" --token-file "$TOK" >>"$OUTDIR/vft.out" 2>&1
		rc=$?
		rec setup.token_set_s "$(sub "$EPOCHREALTIME" "$t")"
		check "r$ROUND $MODE: vftoken token set $PF --token-file" test $rc = 0
		pf_args=(-l "0,1" --file-prefix bench-pf -a "$PF" ${PF2:+-a "$PF2"} "--vfio-vf-token=$tok")
		vf_args=(-l "0,1" --file-prefix bench-vf -a "$VF0" -a "$VF1" "--vfio-vf-token=$tok")
	else
		rec setup.cmdline "(none: the PF process creates the VFs and sets the token)"
		rec setup.vfs_create_s 0
		rec setup.token_set_s 0
		pf_args=(-d "$PLUGIN" -l "0,1" --file-prefix bench-pf -a "$PF,num_vfs=2,vf_token_file=$TOK"
			${PF2:+-a "$PF2"})
		vf_args=(-d "$PLUGIN" -l "0,1" --file-prefix bench-vf
			-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK")
	fi
	unset tok

	# ---- PF: start-up to first packet, io over the wire.
	# tx_first frames go to testpmd's default peer 02:00:00:00:00:00, which
	# is no pool's MAC: the NIC's switch sends them to the wire (the rig's
	# UDP loopback, or the hub to the second PF), and what comes back lands
	# in the PF's default pool. The wire is the PF's only way in: frames to
	# its own MAC stay in the NIC and die there, since DPDK's igb PMD maps
	# that MAC to pool 0 (VF0's) when the port starts, and testpmd cannot
	# give the PF's pool a MAC of its own on igb.
	if launch pf "${pf_args[@]}" -- -i --total-num-mbufs="$MBUFS" --record-core-cycles; then
		tp_send pf "set fwd io"
		tp_send pf "start tx_first"
		poll_first pf "$PF_PORTS"
		startup_figures pf
		if [ "$STARTUP_ONLY" = 1 ]; then
			# as after its window: the PF process idle, serving the mailbox
			tp_send pf "stop"
			tp_sync pf 30
		else
			# The window's frames: a new tx_first burst, now that the
			# link is up. The launch's burst leaves before the PF's
			# link comes up ("link state change event" follows it in
			# the log) and the wire may drop it; in a closed io loop
			# the rate is the frames in flight over the loop's
			# latency. The pause lets the stragglers land in the RX
			# ring, which the restart flushes. (Over the UDP wire the
			# loop's latency is host time and the rate varies widely;
			# over the hub it is QEMU's, doc/guides/benchmark.rst.)
			tp_send pf "stop"
			tp_sync pf 30
			nap 0.5
			tp_send pf "start tx_first"
			measure pf io "$PF_PORTS"
		fi
		ticks "${TP_PID[pf]}"
		rec pf.cpu_after_fwd_s "$(secs $((UT + ST)))"
		pfmac=$(start_mac pf 0)
		rec pf.bar_maps "$(awk '/vfio-device/ { printf "%s ", $1 }' "/proc/${TP_PID[pf]}/maps")"
		# which interrupts the PF process set up, and their counts so far
		rec pf.vfio_irq_lines "$(awk '/vfio/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; printf "%s=%d ", $NF, n }' /proc/interrupts)"
		check "r$ROUND $MODE: 2 VFs on vfio-pci" \
			test "$(num_vfs "$PF")/$(driver_of "$VF0")/$(driver_of "$VF1")" = 2/vfio-pci/vfio-pci

		# ---- VFs: forwarding between them. The peers make each port send
		# to the other VF. In io mode they address only the tx_first
		# burst; io forwarding then sends each frame out of the other
		# port unchanged, i.e. with that port's own MAC as source and the
		# receiving VF's MAC as destination: no spoofed source, and the
		# NIC switches it back to the other VF.
		if launch vf "${vf_args[@]}" -- -i --total-num-mbufs="$MBUFS" --record-core-cycles; then
			mac0=$(start_mac vf 0)
			mac1=$(start_mac vf 1)
			tp_send vf "set eth-peer 0 $mac1"
			tp_send vf "set eth-peer 1 $mac0"
			# shellcheck disable=SC2086 # a list of words
			set -- ${FWD_MODES:-mac}
			tp_send vf "set fwd $1"
			tp_send vf "start tx_first"
			poll_first vf 2
			startup_figures vf
			note "PF $pfmac, VF0 $mac0, VF1 $mac1"
			if [ "$STARTUP_ONLY" = 1 ]; then
				tp_send vf "stop"
				tp_sync vf 30
				set --
			else
				measure vf "$1" 2
				shift
			fi
			for kind in "$@"; do
				tp_send vf "set fwd $kind"
				tp_send vf "start tx_first"
				measure vf "$kind" 2
			done
			# the profile perturbs: after the measured windows, last round
			[ "$PROFILE" = 1 ] && [ "$ROUND" = "$ROUNDS" ] && profile
			# where the BARs are mapped: DPDK's pci bus picks addresses after
			# its memory, the sriov bus lets mmap choose (ASLR)
			rec vf.bar_maps "$(awk '/vfio-device/ { printf "%s ", $1 }' "/proc/${TP_PID[vf]}/maps")"
			rec vf.vfio_irq_lines "$(awk '/vfio/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; printf "%s=%d ", $NF, n }' /proc/interrupts)"
			ticks "${TP_PID[vf]}"
			rec vf.cpu_end_s "$(secs $((UT + ST)))"
			tp_send vf "show port summary all"
			tp_sync vf 10
			check "r$ROUND $MODE: VF ports on net_e1000_igb_vf" \
				test "$(grep -Ec '^[01] +([0-9A-Fa-f]{2}:){5}.*net_e1000_igb_vf' "$(tp_log vf)")" = 2
			if [ "$MODE" = ours ]; then
				check "r$ROUND $MODE: VFs probed on the sriov bus (telemetry)" \
					test "$(bus_states "$VF0" "$VF1")" = probed/probed
			fi
		fi
		tp_stop vf
		check "r$ROUND $MODE: VF testpmd exits cleanly" test $? = 0
		ticks "${TP_PID[pf]}"
		rec pf.cpu_end_s "$(secs $((UT + ST)))"
	fi
	tp_stop pf
	check "r$ROUND $MODE: PF testpmd exits cleanly" test $? = 0
	check "r$ROUND $MODE: the token is in no PF log" token_not_in "$(tp_log pf)" "$TOK"
	save_logs pf
	if [ -f "$(tp_log vf)" ]; then
		check "r$ROUND $MODE: the token is in no VF log" token_not_in "$(tp_log vf)" "$TOK"
		save_logs vf
	fi
	# both modes leave the same state, no VF (sysfs: not measured)
	set_num_vfs "$PF" 0
	rec_flush
}

# The first process after the boot pays for cold caches (the CLI over 9p,
# python, perf; DPDK from its tmpfs copy): run each once before measuring.
warm_up() {
	# DPDK is on tmpfs by now (stage_dpdk); the CLI is still read over 9p
	cat "$VFT" >/dev/null 2>&1
	timeout 120 "$TESTPMD" -d "$PLUGIN" -l "0,1" --file-prefix bench-warm --no-pci \
		-- -i </dev/null >"$OUTDIR/warm.log" 2>&1
	timeout 60 "$VFT" status >/dev/null 2>&1
	python3 -c 'import json, socket' 2>/dev/null
	[ "$PROFILE" = 1 ] && perf --version >/dev/null 2>&1
	return 0
}

# ---- interleaved throughput ------------------------------------------------
# One PF testpmd (the CLI created 4 VFs and set the token) and two VF
# testpmds alive at once: stock (DPDK's pci bus, --vfio-vf-token) on one
# pair of VFs, ours (the plugin, vf_token_file=) on the other. They forward
# (mac, VF to VF) in turn, one short window each, in ABBA order by pair
# (odd pairs stock first), so that both see the same host load within
# seconds of each other; --no-flush-rx keeps the frames in flight from one
# window of a process to its next. Halfway the two processes swap VF pairs,
# cancelling any difference between the pairs. Figures per pair (ROUND) and
# way (MODE): il.mac.{window_s,rx,cycles_per_packet,vfs}.

# il_window NAME: one measured window of the VF process NAME
il_window() {
	local name=$1 log n t0 t1 k=il.mac
	log=$(tp_log "$name")
	if [ -z "${IL_STARTED[$name]:-}" ]; then
		tp_send "$name" "start tx_first"
		IL_STARTED[$name]=1
		nap "$WARM"
	else
		tp_send "$name" "start"
		nap 0.5
	fi
	tp_sync "$name" 30
	n=$(wc -l <"$log")
	tp_send "$name" "clear fwd stats all"
	t0=$EPOCHREALTIME
	nap "$SECS"
	tp_send "$name" "show fwd stats all"
	t1=$EPOCHREALTIME
	tp_send "$name" "stop"
	tp_sync "$name" 30
	rec "$k.window_s" "$(sub "$t1" "$t0")"
	rec "$k.vfs" "${IL_VFS[$name]}"
	tail -n +"$((n + 1))" "$log" | awk -v pre="$ROUND"$'\t'"$MODE"$'\t'"$k." '
		/Telling cores to stop/ { exit }
		$1 == "RX-packets:" && p != "" { rx += $2 }
		/Forward statistics for port/ { p = $6 }
		/Accumulated forward statistics/ { p = "" }
		/CPU cycles\/packet=/ {
			c = $0; sub(/.*CPU cycles\/packet=/, "", c); sub(/ .*/, "", c)
			print pre "cycles_per_packet\t" c
		}
		END { print pre "rx\t" rx + 0 }' >>"$RAW_TMP"
}

# il_start A B C D: stock on VFs A B, ours on VFs C D; both to the prompt
il_start() {
	local tok mac0 mac1 name
	tok=$(cat "$TOK")
	MODE=stock
	launch stock -l "0,1" --file-prefix bench-vfa -a "$1" -a "$2" "--vfio-vf-token=$tok" \
		-- -i --total-num-mbufs="$MBUFS" --record-core-cycles --no-flush-rx || return 1
	MODE=ours
	launch ours -d "$PLUGIN" -l "0,1" --file-prefix bench-vfb -a "$3,vf_token_file=$TOK" \
		-a "$4,vf_token_file=$TOK" -- -i --total-num-mbufs="$MBUFS" --record-core-cycles \
		--no-flush-rx || return 1
	unset tok
	IL_VFS[stock]="$1 $2" IL_VFS[ours]="$3 $4"
	for name in stock ours; do
		mac0=$(start_mac "$name" 0)
		mac1=$(start_mac "$name" 1)
		tp_send "$name" "set eth-peer 0 $mac1"
		tp_send "$name" "set eth-peer 1 $mac0"
		tp_send "$name" "set fwd mac"
		unset "IL_STARTED[$name]"
	done
}

il_stop() {
	local name
	for name in stock ours; do
		tp_stop "$name"
		check "interleave: $name VF testpmd exits cleanly" test $? = 0
		check "interleave: the token is in no $name log" token_not_in "$(tp_log "$name")" "$TOK"
		MODE=$name save_logs "$name"
	done
}

interleave() {
	local v=("$(vf_addr "$PF" 0)" "$(vf_addr "$PF" 1)" "$(vf_addr "$PF" 2)" "$(vf_addr "$PF" 3)")
	local tok m rx
	declare -gA IL_STARTED IL_VFS
	check "interleave: vftoken vfs create $PF 4 --bind" "$VFT" vfs create "$PF" 4 --bind
	check "interleave: vftoken token set $PF --token-file" "$VFT" token set "$PF" --token-file "$TOK"
	tok=$(cat "$TOK")
	ROUND=0 MODE=-
	launch pf -l "0,1" --file-prefix bench-pf -a "$PF" "--vfio-vf-token=$tok" \
		-- -i --total-num-mbufs="$MBUFS" || return 1
	unset tok
	il_start "${v[0]}" "${v[1]}" "${v[2]}" "${v[3]}" || return 1
	for ((ROUND = 1; ROUND <= PAIRS; ROUND++)); do
		if ((ROUND == PAIRS / 2 + 1)); then
			il_stop
			il_start "${v[2]}" "${v[3]}" "${v[0]}" "${v[1]}" || return 1
		fi
		for m in $(abba "$ROUND" stock ours); do
			MODE=$m
			il_window "$m"
		done
		rec_flush
	done
	ROUND=$PAIRS
	for m in stock ours; do
		rx=$(awk -F'\t' -v m="$m" '$2 == m && $3 == "il.mac.rx" && $4 > 0 { n++ } END { print n + 0 }' "$RAW")
		check "interleave: $m forwarded in every window ($rx of $PAIRS)" test "$rx" = "$PAIRS"
	done
	il_stop
	tp_stop pf
	check "interleave: PF testpmd exits cleanly" test $? = 0
	MODE=il save_logs pf
	set_num_vfs "$PF" 0
}

trap 'tp_stop_all; cp -f "$OUTDIR"/*.log "$LOGS/" 2>/dev/null' EXIT

echo "bench: kernel $VM_KERNEL, $ROUNDS round(s), ${SECS}s windows, ${WARM}s warm-up, VF modes: $FWD_MODES"
rec kernel "$VM_KERNEL"
rec rounds "$ROUNDS"
rec secs "$SECS"
rec warm "$WARM"
rec fwd_modes "$FWD_MODES"
rec guest_cpus "$(nproc)"
rec guest_cpu_model "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
rec guest_mem_kb "$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
rec testpmd "$TESTPMD"
rec plugin "$PLUGIN"
rec pf "$PF"
rec pf2 "$PF2"
rec pf_wire "${VM_PF_WIRE:-loopback}"
rec vfs "$VF0 $VF1"
rec mbufs "$MBUFS"
rec profile "$PROFILE"
rec pairs "$PAIRS"
rec startup_only "$STARTUP_ONLY"
rec clk_tck "$HZ"
rec_flush

check "plugin is built" test -r "$PLUGIN"
check "vftoken CLI is built" test -x "$VFT"
check "vfio-pci loaded with enable_sriov=1" vfio_setup
check "PF bound to vfio-pci" bind_vfio "$PF"
check "PF starts without VFs" set_num_vfs "$PF" 0
[ -n "$PF2" ] && check "second PF $PF2 bound to vfio-pci (the hub's other end)" bind_vfio "$PF2"
check "token file created (0600)" make_token "$TOK"
t=$EPOCHREALTIME
check "DPDK staged on the guest's tmpfs (no 9p during the runs)" stage_dpdk /run/dpdk-stage
echo "bench: staged in $(sub "$EPOCHREALTIME" "$t") s"
check "the harness on the last vCPU, testpmd started on vCPU 0" pin_harness
rec harness_cpu "${HARNESS_CPU:-}"
rec testpmd_cpu "${TP_CPUS:-}"
rec_flush
t=$EPOCHREALTIME
warm_up
echo "bench: warm-up $(sub "$EPOCHREALTIME" "$t") s"

if [ "$PAIRS" -gt 0 ]; then
	interleave
	ROUNDS=0
fi
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
	for m in $(abba "$ROUND" stock ours); do
		run_mode "$m"
	done
done
ROUND=0
MODE=-
rec_flush
OUTDIR=$VM_SCRATCH finish

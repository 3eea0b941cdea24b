#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# DPDK's multi-process tools on token-gated functions (issue 12), the
# Debian dpdk package's own binaries:
#
#   multiprocess.sh            the test
#   multiprocess.sh stock      the stock comparison only, plus dpdk-pdump
#                              without the preload (see ORDER_FIX)
#   multiprocess.sh bench N    attach time, ours vs stock, N ABBA rounds
#                              (devtools/bench/run.sh mp-attach)
#
# One PF primary through the plugin (-a PF,num_vfs=3,vf_token_file=)
# serves the VF mailbox for the whole run. Then:
#
# 1. Stock comparison: a stock primary (--vfio-vf-token, no plugin)
#    mac-forwards VF0 <-> VF1; dpdk-proc-info (with and without
#    --vfio-vf-token), dpdk-dumpcap (it takes no EAL options), dpdk-pdump
#    and dpdk-testpmd --proc-type=secondary are run against it and each
#    outcome is recorded ("table:" lines, $OUTDIR/table.tsv). Nothing of
#    stock DPDK is asserted but that its primary forwards.
# 2. Ours: a primary with the plugin and vf_token_file= forwards VF0 <->
#    VF1; the secondaries get no token anywhere. proc-info --stats twice
#    around the primary's "show port stats all": counters grow, the
#    primary's figures lie between the two reads; --xstats twice:
#    rx_good_packets grows; dpdk-dumpcap with the plugin auto-loaded (a
#    link in DPDK's PMD directory, on the guest's tmpfs overlay) writes a
#    pcapng that tcpdump reads back with the VFs' MACs; dpdk-pdump writes
#    a pcap of the same traffic; a secondary testpmd lists the ports. Bad
#    cases: a secondary asking for VF2, which the primary does not hold
#    (-a sriov:VF2 and -a VF2); 10 secondaries one after another leave the
#    primary's fd count as it was; the primary quits under a running
#    secondary testpmd, which exits without a crash and leaves the VFs'
#    groups free. The token is in no secondary's output, /proc/PID/cmdline,
#    /proc/PID/environ or the primary's telemetry replies (DPDK 22.11
#    gives secondaries no telemetry socket).
# 3. The PF primary's secondaries: proc-info --stats, a secondary testpmd.
#    A secondary with no primary running fails with a clear error.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

MODE=${1:-test}
ROUNDS=${2:-5}
TOK=/tmp/vf-token
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
PMD_DIR=$(python3 "$VFTOKEN_ROOT/devtools/dpdk-pmd-dir.py" "/usr/lib/$MA/librte_eal.so")
AUTO=$PMD_DIR/librte_bus_sriov.so
PROC_INFO=/usr/bin/dpdk-proc-info
DUMPCAP=/usr/bin/dpdk-dumpcap
PDUMP=/usr/bin/dpdk-pdump
CAP_N=64
SECONDARIES=4
# dpdk-testpmd links librte_mempool_dpaa (through librte_net_dpaa), so its
# mempool drivers register in another order than in dpdk-dumpcap and
# dpdk-pdump, which load them all from the PMD directory. A mempool's
# driver is an index into each process's own table: the capture pool the
# tool creates ("ring_mp_mc") is another driver in testpmd, whose pdump
# callbacks then fail to allocate ("mempool/dpaa2: Failed to allocate IO
# portal") and nothing is captured. Preloading that one library in the
# tool gives both processes the same order. Stock and ours alike.
ORDER_FIX=LD_PRELOAD=/usr/lib/$MA/librte_mempool_dpaa.so.23
trap 'rm -f "$AUTO"; tp_stop_all' EXIT

# ---- tools run as secondaries -----------------------------------------------
# tool NAME SECS CMD...: runs CMD with stdin /dev/null and a time limit
# (SIGINT at the limit, SIGKILL 5 s later), output line-buffered into
# $OUTDIR/NAME.out; sets RC (124: stopped at the limit) and TOOK.
tool() {
	local name=$1 secs=$2 t0
	shift 2
	t0=$EPOCHREALTIME
	timeout -s INT -k 5 "$secs" stdbuf -oL -eL "$@" </dev/null \
		>"$OUTDIR/$name.out" 2>&1
	RC=$?
	TOOK=$(printf '%.1f' "$(echo "$EPOCHREALTIME - $t0" | bc -l)")
	echo "  \$ $* -> exit $RC in $TOOK s" | sed -E "s/$UUID_RE/<uuid>/g"
}

out_of() { echo "$OUTDIR/$1.out"; }

# The last line of NAME's output that reads as an error, for the table.
error_line() {
	grep -aiE 'fail|error|cannot|no ethernet|panic|invalid|not |refus' "$(out_of "$1")" |
		grep -avE 'RX-errors|TX-errors|^ *\$ ' | tail -n 1 | sed -E 's/[[:space:]]+/ /g; s/^ //'
}

# record TOOL SETUP OUTCOME: one row of the comparison table.
record() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$OUTDIR/table.tsv"
	note "table: $1 | $2 | $3"
}

# outcome NAME WORKED: "works" or why not, from RC and the output.
outcome() {
	if [ "$2" = 1 ]; then
		echo "works"
	elif [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
		echo "no result, stopped after ${TOOK} s"
	elif [ "$RC" -gt 128 ]; then
		echo "killed by signal $((RC - 128)): $(error_line "$1")"
	elif [ "$RC" = 0 ]; then
		echo "exit 0, no result: $(error_line "$1")"
	else
		echo "fails (exit $RC): $(error_line "$1")"
	fi
}

# xstat_of FILE PORT NAME: the last value of xstat NAME of PORT (proc-info
# --xstats: "###### NIC extended statistics for port N ####", "name: value").
xstat_of() {
	awk -v p="$2" -v k="$3:" '
		/statistics for port/ { cur = ($0 ~ /NIC extended statistics for port/ && $7 == p) }
		cur && $1 == k { v = $2 }
		END { print v }' "$1"
}

# stats_seen FILE: both ports' RX-packets in FILE
stats_seen() {
	[ -n "$(stat_of "$1" 0 RX-packets:)" ] && [ -n "$(stat_of "$1" 1 RX-packets:)" ]
}

# frames FILE [MAX]: the frames tcpdump reads from a capture file (the
# first MAX: pdump's hold ~100,000, minutes of tcpdump under TCG), one per
# line with link-level headers (-e), into FILE.txt; prints their count.
frames() {
	tcpdump -r "$1" -nn -e ${2:+-c "$2"} >"$1.txt" 2>"$1.err"
	grep -c . "$1.txt"
}

# macs_in FILE MAC...: every MAC appears in the tcpdump text of FILE
macs_in() {
	local f=$1 m
	shift
	for m in "$@"; do
		grep -qi -- "$m" "$f.txt" || {
			note "$m not in the frames of $f"
			return 1
		}
	done
}

# vfio_fds PID: the process's VFIO fds, "N (D device)": all of them
# (container, group, device, iommufd) and the device fds among them
vfio_fds() {
	local l n=0 d=0
	while IFS= read -r l; do
		case $l in
		*vfio-device*) n=$((n + 1)) && d=$((d + 1)) ;;
		/dev/vfio/* | /dev/iommu | *iommufd*) n=$((n + 1)) ;;
		esac
	done < <(fd_targets "$1")
	echo "$n ($d device)"
}

# group_free GROUP: no process holds /dev/vfio/GROUP
group_free() {
	local l
	l=$(find /proc/[0-9]*/fd -lname "/dev/vfio/$1" 2>/dev/null)
	[ -z "$l" ] || {
		note "held: $l"
		return 1
	}
}

# ---- primaries -----------------------------------------------------------
pf_primary() {
	check "PF primary (plugin, num_vfs=$1) starts" pf_start pf "$TOK" "$1"
	check "plugin created $1 VFs, on vfio-pci" eval \
		"test \"\$(num_vfs $VM_PF)\" = $1 && test \"\$(driver_of $VF0)/\$(driver_of $VF1)\" = vfio-pci/vfio-pci"
	tp_send pf "show port summary all"
	tp_wait pf '^0 +([0-9A-Fa-f]{2}:){5}' 20
	PF_MAC=$(port_mac pf 0)
	tp_alive pf || tp_tail pf 30
}

# fwd_primary NAME EAL-ARGS...: a primary testpmd on VF0 and VF1, mac
# forwarding between them (each port's peer is the other's MAC), left
# running. Sets MAC0 and MAC1.
fwd_primary() {
	local name=$1 l0 l1
	shift
	tp_start "$name" -l 0,1 --file-prefix "$name" "$@" \
		-- -i --total-num-mbufs=$MBUFS
	if ! tp_wait "$name" 'testpmd> ' 180; then
		check "$name: primary testpmd on $VF0 $VF1 starts" false
		tp_tail "$name" 30
		return 1
	fi
	vf_pair_ready "$name"
	MAC0=$VF_MAC0
	MAC1=$VF_MAC1
	l0=$VF_LINK0
	l1=$VF_LINK1
	tp_send "$name" "start tx_first"
	tp_sync "$name"
	sleep 1
	tp_send "$name" "show port stats all"
	tp_sync "$name"
	note "$name: port 0 $MAC0 link $l0, port 1 $MAC1 link $l1; RX so far $(stat_of "$(tp_log "$name")" 0 RX-packets:) / $(stat_of "$(tp_log "$name")" 1 RX-packets:)"
	check "$name: forwarding both ways (links up, RX > 0 on both ports)" eval \
		"test '$l0/$l1' = up/up && test 0$(stat_of "$(tp_log "$name")" 0 RX-packets:) -gt 0 -a 0$(stat_of "$(tp_log "$name")" 1 RX-packets:) -gt 0"
}

# ---- secondary testpmd ------------------------------------------------------
# sec_start NAME PREFIX EAL-ARGS...: dpdk-testpmd --proc-type=secondary
sec_start() {
	local name=$1 prefix=$2
	shift 2
	tp_start "$name" --proc-type=secondary -l 0,1 --file-prefix "$prefix" "$@" \
		-- -i --total-num-mbufs=$MBUFS
}

# sec_ports NAME: "show port summary all" in a started secondary; prints
# the port lines (port, MAC, name, driver)
sec_ports() {
	tp_send "$1" "show port summary all"
	tp_sync "$1" 20
	grep -E '^[0-9]+ +([0-9A-Fa-f]{2}:){5}' "$(tp_log "$1")"
}

# ---- 1. stock comparison ------------------------------------------------------
stock_proc_info() {
	local ok
	tool stock-pi-notoken 30 "$PROC_INFO" --file-prefix mp-stock -- --stats
	stats_seen "$(out_of stock-pi-notoken)" && ok=1 || ok=0
	record dpdk-proc-info "stock, no token" "$(outcome stock-pi-notoken $ok)"
	tool stock-pi-token 30 "$PROC_INFO" --file-prefix mp-stock \
		--vfio-vf-token="$(cat "$TOK")" -- --stats
	stats_seen "$(out_of stock-pi-token)" && ok=1 || ok=0
	record dpdk-proc-info "stock, --vfio-vf-token" "$(outcome stock-pi-token $ok)"
}

stock_dumpcap() {
	local ok=0 n
	rm -f "$OUTDIR/stock.pcapng"
	tool stock-dumpcap 30 env "$ORDER_FIX" "$DUMPCAP" --file-prefix mp-stock -i 0 -c $CAP_N \
		-w "$OUTDIR/stock.pcapng"
	if [ -s "$OUTDIR/stock.pcapng" ]; then
		n=$(frames "$OUTDIR/stock.pcapng")
		[ "$n" -ge $CAP_N ] && ok=1
	fi
	record dpdk-dumpcap "stock (takes no EAL option, so no token)" \
		"$(outcome stock-dumpcap $ok)"
}

# pdump_run NAME PREFIX FILE ENV EAL-ARGS...: dpdk-pdump (environment
# ENV, e.g. $ORDER_FIX, or "-") capturing port 0 (RX and TX) into FILE for
# ~1 s after it reports the capture started, then SIGINT; RC 0 when it
# stopped on that signal as it should.
pdump_run() {
	local name=$1 prefix=$2 file=$3 e=$4 pid i t0
	shift 4
	[ "$e" = - ] && e=PDUMP_RUN=1
	rm -f "$file"
	t0=$EPOCHREALTIME
	env "$e" stdbuf -oL -eL "$PDUMP" -l 0,1 --file-prefix "$prefix" "$@" -- \
		--pdump "port=0,queue=*,rx-dev=$file,tx-dev=$file,total-num-mbufs=4096" \
		</dev/null >"$OUTDIR/$name.out" 2>&1 &
	pid=$!
	for ((i = 0; i < 150; i++)); do
		grep -q 'capture for' "$OUTDIR/$name.out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	grep -q 'capture for' "$OUTDIR/$name.out" && sleep 1
	kill -INT "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -9 "$pid" 2>/dev/null && note "$name: killed, it did not stop on SIGINT"
	wait "$pid"
	RC=$?
	TOOK=$(printf '%.1f' "$(echo "$EPOCHREALTIME - $t0" | bc -l)")
	echo "  \$ ${e#PDUMP_RUN=1} $PDUMP --file-prefix $prefix $* -- --pdump port=0,... -> exit $RC in $TOOK s" |
		sed -E "s/$UUID_RE/<uuid>/g"
}

# pdump_frames NAME FILE: GOT=1 if FILE holds frames, else 0; a note on
# what pdump says it dequeued
pdump_frames() {
	local n
	n=$(frames "$2" 500 2>/dev/null)
	note "$1: tcpdump reads ${n:-no} frames (at most 500 read); $(grep -a 'packets dequeued' "$(out_of "$1")" | tr -s ' \t' ' ')"
	GOT=0
	[ "0$n" -gt 0 ] && GOT=1
}

# Without $ORDER_FIX, pdump's capture leaves the primary's multi-process
# socket dead (every later secondary: "Connection refused"): run last.
stock_pdump_plain() {
	pdump_run stock-pdump-plain mp-stock "$OUTDIR/stock-pdump-plain.pcap" - \
		--vfio-vf-token="$(cat "$TOK")"
	pdump_frames stock-pdump-plain "$OUTDIR/stock-pdump-plain.pcap"
	record dpdk-pdump "stock, --vfio-vf-token, no preload" "$(outcome stock-pdump-plain $GOT)"
}

stock_pdump() {
	pdump_run stock-pdump mp-stock "$OUTDIR/stock-pdump.pcap" "$ORDER_FIX" \
		--vfio-vf-token="$(cat "$TOK")"
	pdump_frames stock-pdump "$OUTDIR/stock-pdump.pcap"
	record dpdk-pdump "stock, --vfio-vf-token, $ORDER_FIX" "$(outcome stock-pdump $GOT)"
}

stock_testpmd() {
	local ok=0
	sec_start stock-sec mp-stock --vfio-vf-token="$(cat "$TOK")"
	if tp_wait stock-sec 'testpmd> ' 30; then
		[ "$(sec_ports stock-sec | grep -c net_e1000_igb_vf)" = 2 ] && ok=1
		tp_stop stock-sec
		RC=$?
	else
		# no prompt in time: stopped at once, not after tp_stop's 30 s
		kill -9 "${TP_PID[stock-sec]}" 2>/dev/null
		tp_stop stock-sec
		RC=$?
		[ "$RC" = 137 ] && RC=124 && TOOK=30
	fi
	cp "$(tp_log stock-sec)" "$(out_of stock-sec)"
	record "dpdk-testpmd --proc-type=secondary" "stock, --vfio-vf-token" \
		"$(outcome stock-sec $ok)"
}

stock_steps() {
	: >"$OUTDIR/table.tsv"
	fwd_primary mp-stock --vfio-vf-token="$(cat "$TOK")" -a "$VF0" -a "$VF1" ||
		return 1
	stock_proc_info
	stock_dumpcap
	stock_pdump
	stock_testpmd
	# in the stock mode only: ~11 s, and it breaks the primary
	[ "$MODE" = stock ] && stock_pdump_plain
	tp_stop mp-stock
	check "mp-stock: stock primary quits cleanly" test $? = 0
}

# ---- 2. ours ----------------------------------------------------------------
# proc-info prepends --log-level=6 (NOTICE, a global limit): the bus's
# INFO lines need a global --log-level=7 as well.
ours_stats() {
	local a b p k ok=1
	tool pi-1 60 "$PROC_INFO" -d "$PLUGIN" --file-prefix mp-ours \
		--log-level=7 --log-level=bus.sriov:info -- --stats
	tp_send mp-ours "show port stats all"
	tp_sync mp-ours
	cp "$(tp_log mp-ours)" "$OUTDIR/mp-ours-stats.log"
	tool pi-2 60 "$PROC_INFO" -d "$PLUGIN" --file-prefix mp-ours -- --stats
	grep -a "sriov: " "$(out_of pi-1)" | head -n 4 | sed 's/^/  | /'
	check "proc-info: stats of both ports, twice" eval \
		"stats_seen '$(out_of pi-1)' && stats_seen '$(out_of pi-2)'"
	check "proc-info: attached from the primary (fd hand-over), both VFs" \
		test "$(grep -Ec "sriov: ($VF0|$VF1): attached from the primary \(pid ${TP_PID[mp-ours]}, fd hand-over\)" "$(out_of pi-1)")" = 2
	for p in 0 1; do
		a=$(stat_of "$(out_of pi-1)" $p RX-packets:)
		b=$(stat_of "$(out_of pi-2)" $p RX-packets:)
		k=$(stat_of "$OUTDIR/mp-ours-stats.log" $p RX-packets:)
		note "port $p RX-packets: proc-info $a, primary $k, proc-info $b"
		[ -n "$a" ] && [ -n "$b" ] && [ -n "$k" ] && [ "$a" -lt "$b" ] &&
			[ "$a" -le "$k" ] && [ "$k" -le "$b" ] || ok=0
	done
	check "proc-info --stats: RX grows between the reads; the primary's figure lies between them" \
		test $ok = 1
}

# proc-info --xstats twice (they are the first two of ours_many's
# secondaries): rx_good_packets grows
ours_xstats() {
	local a b p ok=1
	for p in 0 1; do
		a=$(xstat_of "$(out_of many-1)" $p rx_good_packets)
		b=$(xstat_of "$(out_of many-2)" $p rx_good_packets)
		note "port $p xstat rx_good_packets: $a, then $b"
		[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || ok=0
	done
	check "proc-info --xstats: rx_good_packets grows between two reads on both ports" \
		test $ok = 1
}

ours_dumpcap() {
	local n got
	rm -f "$AUTO" "$OUTDIR/cap.pcapng"
	check "plugin linked into DPDK's PMD directory ($PMD_DIR, guest tmpfs)" \
		ln -s "$(realpath "$PLUGIN")" "$AUTO"
	tool dumpcap 60 env "$ORDER_FIX" "$DUMPCAP" --file-prefix mp-ours -i 0 -c $CAP_N \
		-w "$OUTDIR/cap.pcapng"
	rm -f "$AUTO"
	tail -n 3 "$(out_of dumpcap)" | tr '\b' ' ' | tr -s ' ' | sed 's/^/  | /'
	check "dumpcap (auto-loaded plugin, no -d, no token) exits 0" test "$RC" = 0
	check "dumpcap wrote a pcapng file" eval \
		"test \"\$(head -c 4 '$OUTDIR/cap.pcapng' 2>/dev/null | od -An -tx1 | tr -d ' ')\" = 0a0d0d0a"
	n=$(frames "$OUTDIR/cap.pcapng" 2>/dev/null)
	# its count: "Packets captured: 0 " rewritten in place with backspaces
	got=$(grep -a 'Packets captured:' "$(out_of dumpcap)" | tr '\b' ' ' | awk '{ n = $NF } END { print n }')
	note "tcpdump reads $n frames; dumpcap reported $got captured"
	# dumpcap stops after the burst (<= 32 frames) that reaches -c
	check "tcpdump reads the frames dumpcap reported, >= $CAP_N and < $CAP_N + 32" \
		test "0$n" -ge $CAP_N -a "0$n" -lt $((CAP_N + 32)) -a "0$n" = "0$got"
	check "the frames carry both VFs' MACs ($MAC0 $MAC1)" \
		macs_in "$OUTDIR/cap.pcapng" "$MAC0" "$MAC1"
}

ours_pdump() {
	local n
	pdump_run pdump mp-ours "$OUTDIR/pdump.pcap" "$ORDER_FIX" -d "$PLUGIN"
	check "pdump (-d plugin, no token) stops on SIGINT with exit 0" test "$RC" = 0
	n=$(frames "$OUTDIR/pdump.pcap" 500 2>/dev/null)
	note "tcpdump reads $n frames from pdump's pcap (at most 500 read); $(grep -a 'transmitted to vdev' "$(out_of pdump)" | tr -s ' \t' ' ')"
	check "pdump wrote a pcap that tcpdump reads (> 0 frames)" test "0$n" -gt 0
	check "its frames carry both VFs' MACs" macs_in "$OUTDIR/pdump.pcap" "$MAC0" "$MAC1"
}

# SECONDARIES proc-info secondaries one after another (the first two
# --xstats, the rest --stats; forwarding stops after the first two); the
# primary's fds before and after
ours_many() {
	local pid=${TP_PID[mp-ours]} before after i ok=0 what
	before=$(ls /proc/"$pid"/fd | wc -l)
	for ((i = 1; i <= SECONDARIES; i++)); do
		what=--stats
		[ $i -le 2 ] && what=--xstats
		tool many-$i 60 "$PROC_INFO" -d "$PLUGIN" --file-prefix mp-ours -- $what >/dev/null
		if [ $i -le 2 ]; then
			grep -aq 'NIC extended statistics for port 1' "$(out_of many-$i)" && ok=$((ok + 1))
		else
			stats_seen "$(out_of many-$i)" && ok=$((ok + 1))
		fi
		[ $i = 2 ] && tp_send mp-ours stop
	done
	after=$(ls /proc/"$pid"/fd | wc -l)
	note "primary (pid $pid) fds: $before before, $after after $SECONDARIES secondaries"
	check "$SECONDARIES proc-info secondaries one after another each printed both ports' figures" \
		test "$ok" = $SECONDARIES
	check "the primary's fd count did not grow ($before -> $after)" test "$after" -le "$before"
	ours_xstats
}

# VF2 is bound to vfio-pci and held by no process: named for the bus (-a
# sriov:ADDR) or plainly (-a ADDR), the secondary's bus refuses it.
ours_not_held() {
	local l ports n
	sec_start sec-vf2 mp-ours -d "$PLUGIN" --log-level=bus.sriov:info -a "sriov:$VF2"
	tp_wait sec-vf2 "testpmd> " 60
	l=$(grep -aE "sriov: (sriov:)?$VF2: " "$(tp_log sec-vf2)" | head -n 1)
	note "${l:-no line naming $VF2}"
	check "secondary with -a sriov:$VF2 (not held by the primary): the bus's error naming it" \
		eval "grep -aqE 'sriov: (sriov:)?$VF2: the primary process does not hold' '$(tp_log sec-vf2)'"
	ports=$(sec_ports sec-vf2)
	[ -n "$ports" ] && echo "$ports" | sed 's/^/  | /'
	n=$(grep -ac 'attached from the primary' "$(tp_log sec-vf2)")
	check "that secondary has no port: its -a names only $VF2 (devices attached: $n)" \
		test "$n/$(echo "$ports" | grep -c .)" = 0/0
	tp_stop sec-vf2
	RC=$?
	check "that secondary ends without a crash (exit $RC)" test "$RC" -lt 128
	tool pi-vf2 60 "$PROC_INFO" -d "$PLUGIN" --file-prefix mp-ours -a "$VF2" -- --stats
	grep -a "$VF2\|No Ethernet" "$(out_of pi-vf2)" | head -n 4 | sed 's/^/  | /'
	check "proc-info with a plain -a $VF2: fails (exit $RC, not a signal), the bus's error naming it" \
		eval "test $RC -gt 0 -a $RC -lt 124 && grep -aqE 'sriov: (sriov:)?$VF2: the primary process does not hold' '$(out_of pi-vf2)'"
}

ours_secondary() {
	local ports pid g n
	sec_start sec mp-ours -d "$PLUGIN" --log-level=bus.sriov:info
	check "secondary testpmd (-d plugin, no token) starts" tp_wait sec 'testpmd> ' 60
	pid=${TP_PID[sec]}
	ports=$(sec_ports sec)
	echo "$ports" | sed 's/^/  | /'
	check "secondary lists both ports, net_e1000_igb_vf, with the primary's MACs" eval \
		"test \"\$(echo \"\$ports\" | grep -c net_e1000_igb_vf)\" = 2 &&
		echo \"\$ports\" | grep -qi '$MAC0' && echo \"\$ports\" | grep -qi '$MAC1'"
	n=$(vfio_fds "$pid")
	check "the secondary holds both VFs' device fds, handed over (VFIO fds: $n)" \
		test "${n#* (}" = "2 device)"
	tr '\0' '\n' <"/proc/$pid/cmdline" >"$OUTDIR/sec.cmdline"
	tr '\0' '\n' <"/proc/$pid/environ" >"$OUTDIR/sec.environ"
	# DPDK 22.11 starts telemetry in primaries only (lib/eal/linux/eal.c):
	# the primary's replies, with the secondaries attached, are scanned
	telemetry "mp-ours:${TP_PID[mp-ours]}" /sriov/list /eal/params \
		/ethdev/list "/ethdev/info,0" "/sriov/info,$VF0" >"$OUTDIR/sec.tel" 2>&1
	note "telemetry sockets under mp-ours: $(echo /var/run/dpdk/mp-ours/dpdk_telemetry*)"
	head -c 300 "$OUTDIR/sec.tel" | sed 's/^/  | telemetry: /'
	check "the primary's telemetry lists $VF0 (/sriov/list)" grep -q "$VF0" "$OUTDIR/sec.tel"
	check "the token is not in the secondary's cmdline, environ, the primary's telemetry" \
		token_scan "$TOK" "$OUTDIR/sec.cmdline" "$OUTDIR/sec.environ" "$OUTDIR/sec.tel"

	# the primary quits under the running secondary
	tp_stop mp-ours
	check "mp-ours: the primary quits cleanly under a running secondary" test $? = 0
	tp_wait sec 'Received notification of primary exiting|Primary process is no longer active' 30
	for ((i = 0; i < 100; i++)); do
		tp_alive sec || break
		sleep 0.2
	done
	tp_tail sec 4
	check "the secondary exits after the primary" eval "! tp_alive sec"
	tp_stop sec
	RC=$?
	check "the secondary ended without a crash (exit $RC)" test "$RC" -lt 128
	for g in $(group_of "$VF0") $(group_of "$VF1"); do
		check "VF group $g is free afterwards" group_free "$g"
	done
}

ours_token() {
	local f files=()
	for f in "$OUTDIR"/pi-*.out "$OUTDIR"/many-*.out "$OUTDIR"/dumpcap.out \
		"$OUTDIR"/pdump.out "$OUTDIR"/sec.log "$OUTDIR"/sec-vf2.log \
		"$OUTDIR"/pf-*.out "$OUTDIR"/pf-sec.log "$OUTDIR"/nopri*.out; do
		[ -e "$f" ] && files+=("$f")
	done
	note "${#files[@]} outputs of secondaries"
	check "the token is in no secondary's output (${#files[@]} files)" \
		token_scan "$TOK" "${files[@]}"
}

ours_steps() {
	fwd_primary mp-ours -d "$PLUGIN" --log-level=bus.sriov:info \
		-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK" || return 1
	ours_stats
	ours_dumpcap
	ours_pdump
	ours_many
	ours_not_held
	ours_secondary
}

# ---- hot removal under a secondary -------------------------------------------
# The VFs are removed (sriov_numvfs 0) while a VF primary forwards and a
# secondary testpmd holds the fds it was handed: the kernel waits for every
# fd of a device, so the write returns only if the secondary gave its copy
# back too. Last of the steps: the VFs are gone afterwards.
ours_removal() {
	local start took rc pid n
	fwd_primary mp-rm -d "$PLUGIN" --log-level=bus.sriov:info \
		-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK" || return 1
	sec_start sec-rm mp-rm -d "$PLUGIN" --log-level=bus.sriov:info
	check "removal: secondary testpmd starts" tp_wait sec-rm 'testpmd> ' 60
	pid=${TP_PID[sec-rm]}
	start=$(date +%s)
	timeout 120 sh -c "echo 0 > $(dev "$VM_PF")/sriov_numvfs"
	rc=$?
	took=$(($(date +%s) - start))
	note "echo 0 > sriov_numvfs: rc $rc after ${took}s"
	check "removal: sriov_numvfs=0 completes (primary and secondary gave the VFs back) within 60 s" \
		test "$rc" = 0 -a "$took" -le 60
	check "removal: the secondary detached both ports" \
		tp_wait_count sec-rm 'detached \(the primary released it\)' 2 30
	n=$(vfio_fds "$pid")
	check "removal: the secondary holds no device fd any more (VFIO fds: $n)" \
		test "${n#* (}" = "0 device)"
	check "removal: the secondary is alive" tp_alive sec-rm
	tp_stop sec-rm
	rc=$?
	check "removal: the secondary quits cleanly (exit $rc)" test "$rc" = 0
	tp_stop mp-rm
	check "removal: the primary quits cleanly" test $? = 0
}

# ---- 3. PF primary, no primary ---------------------------------------------
pf_steps() {
	local ports
	tool pf-pi 60 "$PROC_INFO" -d "$PLUGIN" --file-prefix pf \
		--log-level=7 --log-level=bus.sriov:info -- --stats
	grep -a "sriov: " "$(out_of pf-pi)" | head -n 2 | sed 's/^/  | /'
	check "PF: proc-info --stats prints port 0's stats" \
		test -n "$(stat_of "$(out_of pf-pi)" 0 RX-packets:)"
	check "PF: attached from the primary (fd hand-over)" \
		grep -Eq "sriov: $VM_PF: attached from the primary \(pid ${TP_PID[pf]}, fd hand-over\)" "$(out_of pf-pi)"
	sec_start pf-sec pf -d "$PLUGIN" --log-level=bus.sriov:info
	check "PF: secondary testpmd starts" tp_wait pf-sec 'testpmd> ' 60
	ports=$(sec_ports pf-sec)
	echo "$ports" | sed 's/^/  | /'
	check "PF: secondary lists the PF port, net_e1000_igb, MAC $PF_MAC" eval \
		"echo \"\$ports\" | grep -E '^0 ' | grep -i '$PF_MAC' | grep -q 'net_e1000_igb '"
	tr '\0' '\n' <"/proc/${TP_PID[pf-sec]}/cmdline" >"$OUTDIR/pf-sec.cmdline"
	tr '\0' '\n' <"/proc/${TP_PID[pf-sec]}/environ" >"$OUTDIR/pf-sec.environ"
	check "PF: the token is not in the secondary's cmdline or environ" \
		token_scan "$TOK" "$OUTDIR/pf-sec.cmdline" "$OUTDIR/pf-sec.environ"
	tp_stop pf-sec
	check "PF: secondary testpmd quits cleanly" test $? = 0
}

no_primary() {
	tool nopri-testpmd 60 "$TESTPMD" --proc-type=secondary -d "$PLUGIN" \
		--file-prefix nobody -l 0,1 -- -i
	tail -n 2 "$(out_of nopri-testpmd)" | sed 's/^/  | /'
	# why: EAL cannot open the primary's shared config (rte_eal_config_attach,
	# lib/eal/linux/eal.c) under the file prefix given, and says it cannot
	# init its config
	check "no primary: secondary testpmd fails (exit $RC, not a signal) saying why" \
		eval "test $RC -gt 0 -a $RC -lt 124 &&
			grep -aqE \"Cannot open '[^']*/nobody/config' for rte_mem_config\" '$(out_of nopri-testpmd)' &&
			grep -aqE 'Cannot init config' '$(out_of nopri-testpmd)'"
	tool nopri-proc-info 60 "$PROC_INFO" -d "$PLUGIN" --file-prefix nobody -- --stats
	note "no primary: dpdk-proc-info exit $RC: $(error_line nopri-proc-info) (stock tool's handling)"
}

# ---- bench: attach time ------------------------------------------------------
# attach_time NAME EAL-ARGS...: seconds from launching proc-info --stats to
# its first "NIC statistics" line (line-buffered output stamped as read)
attach_time() {
	local name=$1 t0
	shift
	t0=$EPOCHREALTIME
	timeout -s INT -k 5 60 stdbuf -oL -eL "$PROC_INFO" "$@" -- --stats </dev/null 2>&1 |
		while IFS= read -r l; do
			printf '%s %s\n' "$EPOCHREALTIME" "$l"
		done >"$OUTDIR/$name.ts"
	awk -v t0="$t0" '/NIC statistics for port/ { printf "%.4f\n", $1 - t0; exit }' "$OUTDIR/$name.ts"
}

bench_steps() {
	local r v s
	VF3=$(vf_addr "$VM_PF" 3)
	fwd_primary mp-stock --vfio-vf-token="$(cat "$TOK")" -a "$VF0" -a "$VF1" || return 1
	VF0=$VF2 VF1=$VF3 fwd_primary mp-ours -d "$PLUGIN" \
		-a "$VF2,vf_token_file=$TOK" -a "$VF3,vf_token_file=$TOK" || return 1
	# attach alone is timed: both primaries stop forwarding (ports stay up)
	tp_send mp-stock stop
	tp_send mp-ours stop
	tp_sync mp-stock
	tp_sync mp-ours
	printf 'round\tway\tattach_s\n' >"$OUTDIR/attach.tsv"
	printf 'kernel\t%s\ndpdk\t%s\n' "$VM_KERNEL" \
		"$("$DUMPCAP" -v 2>&1 | grep -ao 'DPDK [0-9.]*' | head -n 1)" >"$OUTDIR/attach.env"
	for ((r = 1; r <= ROUNDS; r++)); do
		for v in $( ((r % 2)) && echo "stock ours" || echo "ours stock"); do
			if [ "$v" = stock ]; then
				s=$(attach_time "b$r-$v" --file-prefix mp-stock --vfio-vf-token="$(cat "$TOK")")
			else
				s=$(attach_time "b$r-$v" --file-prefix mp-ours -d "$PLUGIN")
			fi
			note "round $r $v: ${s:-no stats line} s"
			[ -n "$s" ] && printf '%s\t%s\t%s\n' "$r" "$v" "$s" >>"$OUTDIR/attach.tsv"
		done
	done
	check "bench: every attach printed stats ($((2 * ROUNDS)) figures)" \
		test "$(($(wc -l <"$OUTDIR/attach.tsv") - 1))" = $((2 * ROUNDS))
	tp_stop mp-ours
	tp_stop mp-stock
}

# ---- main ------------------------------------------------------------------
# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, plugin $PLUGIN, DPDK PMD directory $PMD_DIR"
echo "$("$DUMPCAP" -v 2>&1 | grep -ao 'DPDK [0-9.]*' | head -n 1), $(tcpdump --version 2>&1 | head -n 1)"
check "no sriov plugin in $PMD_DIR (the stock runs load none)" test ! -e "$AUTO" -a ! -L "$AUTO"
plugin_ready "$TOK"
VF2=$(vf_addr "$VM_PF" 2)
case $MODE in
bench) pf_primary 4 ;;
*) pf_primary 3 ;;
esac
if ! tp_alive pf; then
	finish
	exit 1
fi
case $MODE in
stock) stock_steps ;;
bench) bench_steps ;;
*)
	stock_steps
	ours_steps
	pf_steps
	no_primary
	ours_token
	ours_removal
	;;
esac
tp_stop pf
check "PF primary quits cleanly" test $? = 0
check "PF: the token is not in its log" token_not_in "$(tp_log pf)" "$TOK"
tp_stop_all
set_num_vfs "$VM_PF" 0
finish

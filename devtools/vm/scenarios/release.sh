#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The plugin on the guest root's DPDK release (run.sh --dpdk 24.11|25.11
# boots a chroot of Debian 13/14 as the guest's root; on the host root this
# is 22.11), one boot for several independent checks
# (doc/guides/dpdk_releases.rst):
#  - the PF helper: that release's stock dpdk-testpmd with the plugin on
#    the igb PF creates 2 VFs (num_vfs=2) and sets the VF token;
#  - a wrong token explained: a VF given another token fails with the
#    explainer's verdict, the good VF runs;
#  - VF-to-VF forwarding through the bus over a measured window: packets on
#    both ports in each half of it (the traffic keeps flowing);
#  - that release's own dpdk-proc-info and dpdk-dumpcap as secondary
#    processes of the forwarding primary: proc-info (-d the plugin) prints
#    both ports' stats with the VFs handed over by the primary; dumpcap
#    (which takes no EAL option: the plugin linked into DPDK's PMD
#    directory, on the guest's tmpfs overlay) writes a pcap of at least
#    CAP_N frames of port 0 carrying both VFs' MACs;
#  - on the rig's own kernel (7.2-iommufd) every process opens the
#    functions on the vfio cdev path (/dev/iommu and
#    /dev/vfio/devices/vfioN, VFTOKEN_VFIO_PATH=cdev), elsewhere on the
#    group path; the bus's lines must name that path;
#  - then each scenario named as an argument (pci-access, say), run in
#    this boot after the above is torn down; its tally counts here.
#
#   release.sh [SCENARIO...]

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

TOK=/tmp/vf-token
WRONG=/tmp/wrong-token
# Each half of the forwarding window, in seconds.
HALF_SECS=${HALF_SECS:-5}
# Frames dumpcap must capture.
CAP_N=64
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
PMD_DIR=$(python3 "$VFTOKEN_ROOT/devtools/dpdk-pmd-dir.py" "/usr/lib/$MA/librte_eal.so")
AUTO=$PMD_DIR/librte_bus_sriov.so
trap 'rm -f "$AUTO"; tp_stop_all' EXIT
# The VFIO path of every process of this boot (the bus reads
# VFTOKEN_VFIO_PATH, doc/guides/bus_sriov.rst): the cdev path where the
# kernel has the VF token on the vfio cdev (the rig's own 7.2-iommufd
# kernel, 6.17+; its release is 7.2.N-vftoken-iommufd, run.sh's
# VM_KERNEL is uname -r), the group path on Debian's kernels. Exported, so
# the scenarios run after these checks (pci-access) take the same path.
case $VM_KERNEL in
*-iommufd) VFIO_PATH=cdev ;;
*) VFIO_PATH=group ;;
esac
export VFTOKEN_VFIO_PATH=$VFIO_PATH

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, DPDK $(dpkg-query -W -f='${Version}' dpdk 2>/dev/null) ($(. /etc/os-release && echo "$PRETTY_NAME")), plugin $PLUGIN, VFIO $VFIO_PATH path, PMD directory $PMD_DIR"
plugin_ready "$TOK" "$WRONG"

# ---- the PF helper ----------------------------------------------------------
pf_helper "$TOK"
check "PF opened on the $VFIO_PATH path" \
	grep -Eq "sriov: $VM_PF: PF, token fp:[0-9a-f]+ \(source vf_token_file\), $VFIO_PATH path" "$(tp_log pf)"

# ---- a wrong token, explained ---------------------------------------------
tp_start wrong -d "$PLUGIN" -l 0,1 --file-prefix wrong \
	-a "$VF1,vf_token_file=$TOK" -a "$VF0,vf_token=$(cat "$WRONG")" \
	-- -i --total-num-mbufs=$MBUFS
if tp_wait wrong 'testpmd> ' 180; then
	grep "sriov: $VF0" "$(tp_log wrong)" | sed 's/^/  | /'
	check "wrong token: failure explained [token-rejected]" \
		grep -Eq "sriov: $VF0.*cannot open the device \[token-rejected\]" "$(tp_log wrong)"
	check "wrong token: testpmd runs with the good VF only (1 port)" \
		eval "grep -q '^Port 0: ' $(tp_log wrong) && ! grep -q '^Port 1: ' $(tp_log wrong)"
else
	check "wrong token: testpmd keeps running with the good VF" false
	tp_tail wrong 30
fi
tp_stop wrong
check "wrong token: testpmd exits cleanly" test $? = 0
check "wrong token: neither token is in the output" \
	eval "token_not_in $(tp_log wrong) $TOK && token_not_in $(tp_log wrong) $WRONG"

# ---- secondaries ------------------------------------------------------------
# sec_run NAME SECS CMD...: CMD with stdin /dev/null and a time limit
# (SIGINT, SIGKILL 5 s later), output line-buffered in $OUTDIR/NAME.out;
# sets RC.
sec_run() {
	local name=$1 secs=$2
	shift 2
	timeout -s INT -k 5 "$secs" stdbuf -oL -eL "$@" </dev/null >"$OUTDIR/$name.out" 2>&1
	RC=$?
	note "\$ $* -> exit $RC"
}

# pcap_frames FILE MAC...: the number of frames of the pcap FILE (libpcap
# format, either time resolution) and, after it, "yes" when each MAC is a
# source or destination of one of them, else the first one that is not.
pcap_frames() {
	python3 - "$@" <<'PY'
import struct
import sys

try:
    data = open(sys.argv[1], "rb").read()
except OSError as e:
    print("0", e.strerror.replace(" ", "-"))
    sys.exit(0)
magic = data[:4]
if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
    end = "<"
elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
    end = ">"
else:
    print("0 not-a-pcap")
    sys.exit(0)
off, n, macs = 24, 0, set()
while off + 16 <= len(data):
    incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
    frame = data[off + 16:off + 16 + incl]
    if len(frame) < incl:
        break
    n += 1
    for m in (frame[0:6], frame[6:12]):
        macs.add(":".join("%02x" % b for b in m))
    off += 16 + incl
missing = [m for m in sys.argv[2:] if m.lower() not in macs]
print(n, missing[0] if missing else "yes")
PY
}

# secondaries NAME: the release's own dpdk-proc-info and dpdk-dumpcap
# attach to the forwarding primary NAME (file prefix NAME) and succeed.
# The primary forwards meanwhile: "start tx_first" again after the
# window (its "stop" drained the wire: a plain "start" would forward
# nothing).
secondaries() {
	local name=$1 p a n macs ok=1
	tp_send "$name" "start tx_first"
	tp_sync "$name"
	sleep 1
	# proc-info prepends --log-level=6 (a global limit): the bus's INFO
	# lines need a global --log-level=7 as well.
	sec_run proc-info 90 dpdk-proc-info -d "$PLUGIN" --file-prefix "$name" \
		--log-level=7 --log-level=bus.sriov:info -- --stats
	grep -a "sriov: " "$OUTDIR/proc-info.out" | head -n 4 | sed 's/^/  | /'
	check "proc-info: a secondary of the primary, exit 0" test "$RC" = 0
	check "proc-info: both VFs attached from the primary (fd hand-over)" \
		test "$(grep -Ec "sriov: ($VF0|$VF1): attached from the primary \(pid ${TP_PID[$name]}, fd hand-over\)" "$OUTDIR/proc-info.out")" = 2
	for p in 0 1; do
		a=$(stat_of "$OUTDIR/proc-info.out" $p RX-packets:)
		note "proc-info: port $p RX-packets ${a:-none}"
		[ "0$a" -gt 0 ] || ok=0
	done
	check "proc-info --stats: both ports' stats, RX > 0" test $ok = 1

	rm -f "$AUTO" "$OUTDIR/cap.pcap"
	check "plugin linked into DPDK's PMD directory ($PMD_DIR, guest tmpfs)" \
		ln -s "$(realpath "$PLUGIN")" "$AUTO"
	sec_run dumpcap 90 dpdk-dumpcap \
		--file-prefix "$name" -i 0 -c $CAP_N -P -w "$OUTDIR/cap.pcap"
	rm -f "$AUTO"
	tail -n 3 "$OUTDIR/dumpcap.out" | tr '\b' ' ' | tr -s ' ' | sed 's/^/  | /'
	check "dumpcap: a secondary of the primary (auto-loaded plugin, no token), exit 0" \
		test "$RC" = 0
	read -r n macs < <(pcap_frames "$OUTDIR/cap.pcap" "$VF_MAC0" "$VF_MAC1" 2>&1)
	note "dumpcap: $OUTDIR/cap.pcap holds ${n:-no} frames; both VFs' MACs in them: ${macs:-?}"
	check "dumpcap: the pcap holds >= $CAP_N frames of port 0" test "0$n" -ge $CAP_N
	check "dumpcap: the frames carry both VFs' MACs ($VF_MAC0 $VF_MAC1)" test "$macs" = yes
	check "proc-info and dumpcap: the token is in neither output" eval \
		"token_not_in '$OUTDIR/proc-info.out' '$TOK' && token_not_in '$OUTDIR/dumpcap.out' '$TOK'"
	tp_send "$name" "stop"
	tp_sync "$name"
}

# ---- forwarding over a measured window ------------------------------------
# Two halves of HALF_SECS each: "show fwd stats all" at the middle, "stop"
# at the end; testpmd's forward statistics count from "start".
name=fwd
tp_start $name -d "$PLUGIN" -l 0,1 --file-prefix $name --log-level=bus.sriov:info \
	-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK" \
	-- -i --total-num-mbufs=$MBUFS
if tp_wait $name 'testpmd> ' 180; then
	check "fwd: VFs probed through the sriov bus" \
		test "$(tp_count $name "sriov: .*probe PCI driver net_e1000_igb_vf")" = 2
	vf_pair_ready $name
	echo "  fwd: port 0 $VF_MAC0 link $VF_LINK0, port 1 $VF_MAC1 link $VF_LINK1"
	check "fwd: link up on both ports" test "$VF_LINK0/$VF_LINK1" = up/up
	tp_send $name "start tx_first"
	sleep "$HALF_SECS"
	n=$(tp_count $name 'Accumulated forward statistics')
	tp_send $name "show fwd stats all"
	tp_wait_count $name 'Accumulated forward statistics' $((n + 1)) 30
	a0=$(port_rx $name 0)
	a1=$(port_rx $name 1)
	sleep "$HALF_SECS"
	n=$(tp_count $name '^Done\.')
	tp_send $name "stop"
	tp_wait_count $name '^Done\.' $((n + 1)) 30
	b0=$(port_rx $name 0)
	b1=$(port_rx $name 1)
	echo "  fwd: RX after ${HALF_SECS} s: port 0 $a0, port 1 $a1; after $((2 * HALF_SECS)) s: port 0 $b0, port 1 $b1"
	echo "  fwd: second half: $(((b0 - a0) / HALF_SECS)) and $(((b1 - a1) / HALF_SECS)) packets/s received per port"
	check "fwd: packets on both ports in the first half" test "$a0" -gt 0 -a "$a1" -gt 0
	check "fwd: packets on both ports in the second half (traffic keeps flowing)" \
		test "$b0" -gt "$a0" -a "$b1" -gt "$a1"
	check "fwd: both VFs opened on the $VFIO_PATH path" \
		test "$(tp_count $name "sriov: .*token fp:[0-9a-f]+ \(source vf_token_file\), $VFIO_PATH path")" = 2
	secondaries $name
else
	check "fwd: testpmd on the VFs starts" false
	tp_tail $name 30
fi
tp_stop $name
check "fwd: testpmd exits cleanly" test $? = 0
check "fwd: the token is not in the log" token_not_in "$(tp_log $name)" "$TOK"

tp_stop pf
check "PF testpmd exits cleanly" test $? = 0
check "PF: the token is not in the log" token_not_in "$(tp_log pf)" "$TOK"
tp_stop_all
set_num_vfs "$VM_PF" 0

# ---- further scenarios in this boot ----------------------------------------
for s in "$@"; do
	if ! [[ $s =~ ^[A-Za-z0-9_.-]+$ ]] || [ ! -r "$HERE/$s.sh" ]; then
		check "scenario '$s' exists ($HERE/$s.sh)" false
		continue
	fi
	echo "---- scenario $s ----"
	mkdir -p "$OUTDIR/$s"
	VM_SCRATCH=$OUTDIR/$s bash "$HERE/$s.sh" </dev/null 2>&1 | tee "$OUTDIR/$s/scenario.log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUTDIR/$s/scenario.log" | tail -1)
	sp=${line%% *}
	sf=$(echo "$line" | awk '{ print $3 }')
	echo "---- scenario $s: ${line:-no tally}, exit status $rc ----"
	pass=$((pass + ${sp:-0}))
	fail=$((fail + ${sf:-0}))
	[ "$rc" != 0 ] && [ "${sf:-0}" = 0 ] && fail=$((fail + 1))
	[ -z "$line" ] && [ "$rc" = 0 ] && fail=$((fail + 1))
done
finish

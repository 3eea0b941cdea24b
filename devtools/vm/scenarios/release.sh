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

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, DPDK $(dpkg-query -W -f='${Version}' dpdk 2>/dev/null) ($(. /etc/os-release && echo "$PRETTY_NAME")), plugin $PLUGIN"
check "plugin is built" test -r "$PLUGIN"
pf_ready "$VM_PF"
check "token files created" eval "make_token $TOK && make_token $WRONG"
VF0=$(vf_addr "$VM_PF" 0)
VF1=$(vf_addr "$VM_PF" 1)

# ---- the PF helper ----------------------------------------------------------
pf_helper "$TOK"

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
	tail -n 30 "$(tp_log wrong)" | sed 's/^/  | /'
fi
tp_stop wrong
check "wrong token: testpmd exits cleanly" test $? = 0
check "wrong token: neither token is in the output" \
	eval "token_not_in $(tp_log wrong) $TOK && token_not_in $(tp_log wrong) $WRONG"

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
else
	check "fwd: testpmd on the VFs starts" false
	tail -n 30 "$(tp_log $name)" | sed 's/^/  | /'
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

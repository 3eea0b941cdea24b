#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The vfio cdev + iommufd path with the VF token (Linux 6.17+), on the rig
# kernel built with IOMMUFD and VFIO_DEVICE_CDEV (--kernel 7.2-iommufd),
# with stock Debian dpdk-testpmd and the plugin:
# - vftoken status shows both paths; vftoken check --path cdev opens a VF
#   with the token and explains a missing one;
# - the PF through the bus on the cdev path (VFIO_DEVICE_FEATURE on the
#   cdev fd sets the token, num_vfs creates the VFs), the VFs through the
#   bus on the cdev path, mac-forwarding VF-to-VF;
# - a missing and a wrong token refused at VFIO_DEVICE_BIND_IOMMUFD with
#   the explainer's verdict; the group path of a VF bound through its cdev
#   refused as busy;
# - vftokend opens the VFs on the cdev path for `vftoken check --broker`
#   and for the bus (vf_token_broker=), which forwards VF-to-VF;
# - hostile broker clients on the cdev path: a stale IOAS number (the
#   device is bound, then refused at attach, nothing kept), /dev/vfio/vfio
#   sent as the iommufd (refused before any ioctl);
# - the vfio_path devarg wins over VFTOKEN_VFIO_PATH; with /dev/vfio/vfio
#   hidden, the default path (auto) falls back to cdev;
# - the group path on the same kernel still forwards (VFTOKEN_VFIO_PATH).

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

TOK=/tmp/vf-token
WRONG=/tmp/wrong-token
# 3 s: the RX > 0 checks see 10^5+ packets (doc/guides/vm_rig.rst, run time).
FWD_SECS=${FWD_SECS:-3}

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, plugin $PLUGIN"
check "the kernel has iommufd (/dev/iommu)" test -c /dev/iommu
plugin_ready "$TOK" "$WRONG"
check "PF has a vfio cdev" test -d "$(dev "$VM_PF")/vfio-dev"

# ---- PF on the cdev path ----------------------------------------------------
tp_start pf -d "$PLUGIN" -l 0,1 --file-prefix pf --log-level=bus.sriov:info \
	-a "$VM_PF,vfio_path=cdev,num_vfs=2,vf_token_file=$TOK" \
	-- -i --total-num-mbufs=$MBUFS
check "PF testpmd on the cdev path starts" tp_wait pf 'testpmd> ' 180
check "PF: opened on the cdev path" \
	grep -q "sriov: $VM_PF: PF, token fp:[0-9a-f]* (source vf_token_file), cdev path" "$(tp_log pf)"
check "PF: token set with VFIO_DEVICE_FEATURE on the cdev fd" \
	grep -q "sriov: $VM_PF: VF token set (fp:" "$(tp_log pf)"
check "PF: net_e1000_igb probed" \
	grep -q "sriov: $VM_PF: probe PCI driver net_e1000_igb " "$(tp_log pf)"
check "plugin created 2 VFs" test "$(num_vfs "$VM_PF")" = 2
if ! tp_alive pf; then
	tp_tail pf 40
	finish
	exit 1
fi

# ---- the CLI on the cdev path ------------------------------------------------
"$VFT" status "$VM_PF" >"$OUTDIR/status.out" 2>&1
sed 's/^/  | /' "$OUTDIR/status.out"
check "status: the PF and both VFs can use both paths" \
	test "$(grep -Ec '  (PF|VF[01])  .*token-gated  paths=group,cdev$' "$OUTDIR/status.out")" = 3
"$VFT" check "$VF0" --path cdev --token-file "$TOK" >"$OUTDIR/check-ok.out" 2>&1
check "check --path cdev with the token: ok (exit 0)" test $? = 0
check "check --path cdev names the path" grep -q '^  path: cdev' "$OUTDIR/check-ok.out"
"$VFT" check "$VF0" --path cdev >"$OUTDIR/check-none.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/check-none.out"
check "check --path cdev without the token: vf-needs-token" \
	grep -q "^$VF0: vf-needs-token" "$OUTDIR/check-none.out"
check "check --path cdev without the token: exit status not 0" test "$rc" != 0
check "check: the reason names the bind step or the PF" \
	grep -q "reason: .*$VM_PF" "$OUTDIR/check-none.out"

# ---- VFs on the cdev path: forwarding -----------------------------------------
vf_forward vf-cdev -d "$PLUGIN" --log-level=bus.sriov:info \
	-a "$VF0,vfio_path=cdev,vf_token_file=$TOK" \
	-a "$VF1,vfio_path=cdev,vf_token_file=$TOK"
check "vf-cdev: both VFs opened on the cdev path" \
	test "$(tp_count vf-cdev "sriov: .*token fp:[0-9a-f]+ \(source vf_token_file\), cdev path")" = 2

# ---- refusals on the cdev path -------------------------------------------------
refused() {
	local name=$1 re=$2
	shift 2
	tp_start "$name" -d "$PLUGIN" -l 0,1 --file-prefix "$name" "$@" \
		-- -i --total-num-mbufs=$MBUFS
	tp_wait "$name" 'testpmd> |EAL: Error|Exiting' 180
	grep "sriov: $VF0" "$(tp_log "$name")" | sed 's/^/  | /'
	check "$name: refused with the explainer's verdict" \
		grep -Eq -- "$re" "$(tp_log "$name")"
	check "$name: no token in the output" token_not_in "$(tp_log "$name")" "$TOK"
	check "$name: the wrong token is not in the output either" \
		token_not_in "$(tp_log "$name")" "$WRONG"
	tp_stop "$name"
}
refused cdev-missing "sriov: $VF0: cannot open the device \[vf-needs-token\]" \
	-a "$VF0,vfio_path=cdev"
refused cdev-wrong "sriov: $VF0: cannot open the device \[token-rejected\]" \
	-a "$VF0,vfio_path=cdev,vf_token_file=$WRONG"

# A VF bound through its cdev blocks its group: the group path is busy.
tp_start holder -d "$PLUGIN" -l 0,1 --file-prefix holder \
	-a "$VF0,vfio_path=cdev,vf_token_file=$TOK" -- -i --total-num-mbufs=$MBUFS
check "holder: VF0 bound through its cdev" tp_wait holder 'testpmd> ' 180
"$VFT" check "$VF0" --path group --token-file "$TOK" >"$OUTDIR/check-busy.out" 2>&1
sed 's/^/  | /' "$OUTDIR/check-busy.out"
check "check --path group of a cdev-bound VF: busy" \
	grep -q "^$VF0: busy" "$OUTDIR/check-busy.out"
tp_stop holder

# ---- the broker on the cdev path ------------------------------------------------
# vftokend holds the PF's token (DIR/PF.token) and opens the VFs through
# their cdevs into the client's iommufd (doc/guides/broker.rst).
BDIR=/run/vftoken-cdev
BSOCK=/run/vftoken-cdev.sock
install -d -m 0700 "$BDIR"
cp "$TOK" "$BDIR/$VM_PF.token" && chmod 0600 "$BDIR/$VM_PF.token"
printf 'allow uid=0 action=open pf=%s vf=0,1\n' "$VM_PF" >"$BDIR/broker.policy"
chmod 0600 "$BDIR/broker.policy"
"$VFTOKEN_BUILD/app/vftokend/vftokend" --socket "$BSOCK" --policy "$BDIR/broker.policy" \
	--token-dir "$BDIR" >"$OUTDIR/broker.log" 2>&1 &
BPID=$!
for ((i = 0; i < 100; i++)); do
	[ -S "$BSOCK" ] && break
	sleep 0.1
done
check "broker: vftokend listens on $BSOCK" test -S "$BSOCK"
"$VFT" check "$VF0" --path cdev --broker "$BSOCK" >"$OUTDIR/check-broker.out" 2>&1
check "check --path cdev --broker: ok (exit 0)" test $? = 0
check "check --path cdev --broker names the path" grep -q '^  path: cdev' "$OUTDIR/check-broker.out"
vf_forward vf-broker -d "$PLUGIN" --log-level=bus.sriov:info \
	-a "$VF0,vfio_path=cdev,vf_token_broker=$BSOCK" \
	-a "$VF1,vfio_path=cdev,vf_token_broker=$BSOCK"
check "vf-broker: both VFs opened by the broker on the cdev path" \
	test "$(tp_count vf-broker "sriov: .*opened by the VF token broker at $BSOCK, cdev path")" = 2
# Hostile clients (doc/guides/broker.rst, "Hostile local clients").
CLIENT=$HERE/../lib/broker_client.py
python3 "$CLIENT" cdevctx "$BSOCK" "$VF0" /dev/iommu 4242 >"$OUTDIR/stale-ioas.out" 2>&1
sed 's/^/  | /' "$OUTDIR/stale-ioas.out"
check "broker: an iommufd with a stale IOAS number (4242): refused, no fd, explained" \
	grep -Eq '^error=-[0-9]+ fds=0 reason=.+' "$OUTDIR/stale-ioas.out"
"$VFT" check "$VF0" --path cdev --broker "$BSOCK" >"$OUTDIR/check-broker2.out" 2>&1
rc=$?
check "broker: still serves after the stale IOAS (check --path cdev --broker: exit $rc)" \
	eval "test $rc = 0 && grep -q '^  path: cdev' $OUTDIR/check-broker2.out"
# Last: an fd shown to be something else makes its uid suspect for 60 s.
python3 "$CLIENT" cdevctx "$BSOCK" "$VF0" /dev/vfio/vfio 1 >"$OUTDIR/wrong-iommufd.out" 2>&1
sed 's/^/  | /' "$OUTDIR/wrong-iommufd.out"
check "broker: /dev/vfio/vfio sent as the iommufd: refused before any ioctl, the reply names it" \
	grep -q '^error=-[0-9]* fds=0 .*iommufd .* is another character device, not /dev/iommu' "$OUTDIR/wrong-iommufd.out"
nv=0
for l in /proc/"$BPID"/fd/*; do
	case $(readlink "$l") in /dev/vfio/* | /dev/iommu | "anon_inode:[vfio-device]") nv=$((nv + 1)) ;; esac
done
check "broker: holds no VFIO or iommufd fd after the hostile requests ($nv)" test "$nv" = 0
kill -TERM "$BPID"
wait "$BPID"
check "broker: exits 0 on SIGTERM" test $? = 0
sed 's/^/  | broker: /' "$OUTDIR/broker.log"
check "broker: its log has the 4 opens (2 checks, 2 VFs) allowed and opened on the cdev path" \
	test "$(grep -c 'allowed (rule at line 1); opened, path cdev' "$OUTDIR/broker.log")" = 4
check "broker: the token is in none of its log lines" token_not_in "$OUTDIR/broker.log" "$TOK"

# ---- which path: the devarg, the environment, auto ---------------------------------
# The vfio_path devarg wins over VFTOKEN_VFIO_PATH (doc/guides/bus_sriov.rst).
VFTOKEN_VFIO_PATH=group tp_start pathwins -d "$PLUGIN" -l 0,1 --file-prefix pathwins \
	--log-level=bus.sriov:info -a "$VF0,vfio_path=cdev,vf_token_file=$TOK" \
	-- -i --total-num-mbufs=$MBUFS
tp_wait pathwins 'testpmd> |EAL: Error|Exiting' 180
check "VFTOKEN_VFIO_PATH=group with vfio_path=cdev: the devarg wins (cdev path)" \
	grep -q "sriov: $VF0: .*token fp:[0-9a-f]* (source vf_token_file), cdev path" "$(tp_log pathwins)"
tp_stop pathwins
# auto: /dev/vfio/vfio gone (a kernel without the legacy container), the
# bus falls back to cdev. The node is moved aside for this testpmd only.
mv /dev/vfio/vfio /dev/vfio/.vfio-hidden
tp_start auto -d "$PLUGIN" -l 0,1 --file-prefix auto --log-level=bus.sriov:info \
	-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK" \
	-- -i --total-num-mbufs=$MBUFS
tp_wait auto 'testpmd> |EAL: Error|Exiting' 180
check "auto without /dev/vfio/vfio: both VFs opened on the cdev path" \
	test "$(tp_count auto "sriov: .*\(source vf_token_file\), cdev path")" = 2
tp_stop auto
mv /dev/vfio/.vfio-hidden /dev/vfio/vfio
check "/dev/vfio/vfio put back" test -c /dev/vfio/vfio

# ---- the group path on the same kernel -------------------------------------------
VFTOKEN_VFIO_PATH=group vf_forward vf-group -d "$PLUGIN" --log-level=bus.sriov:info \
	-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK"
check "vf-group: both VFs opened on the group path" \
	test "$(tp_count vf-group "sriov: .*\(source vf_token_file\), group path")" = 2

tp_stop pf
check "PF testpmd exits cleanly" test $? = 0
check "PF: the token is not in the log" token_not_in "$(tp_log pf)" "$TOK"
tp_stop_all
set_num_vfs "$VM_PF" 0
finish

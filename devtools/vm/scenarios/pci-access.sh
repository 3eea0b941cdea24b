#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# DPDK's PCI accessors on a device of the sriov bus (doc/guides/
# architecture.rst, "DPDK releases"): app/test-sriov-pciaccess probes a VF
# through the plugin, with the real vfio-pci and the rig's igb VF, and
# compares rte_pci_read_config(), the capability lookup and the BAR0
# register reads (rte_pci_mmio_read() on DPDK >= 23.07) with the kernel's
# view in sysfs. Since DPDK 23.07 these read a table the pci bus keeps
# after each device, which the sriov bus fills for its own devices.
# PCIACCESS=path runs another build of the program (a chroot's, say).

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

TOK=/tmp/vf-token
PA=${PCIACCESS:-$VFTOKEN_BUILD/app/test-sriov-pciaccess/test-sriov-pciaccess}

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, plugin $PLUGIN, program $PA"
check "test-sriov-pciaccess is built" test -x "$PA"
plugin_ready "$TOK"

# The PF's driver answers the VF's reset through the mailbox.
check "PF testpmd with the plugin starts" pf_start pf "$TOK" 1

log=$OUTDIR/pciaccess.log
"$PA" -d "$PLUGIN" -l 0 --file-prefix pa --no-telemetry \
	-a "$VF0,vf_token_file=$TOK" >"$log" 2>&1
rc=$?
sed 's/^/  | /' "$log"
check "test-sriov-pciaccess on $VF0: every check passed (exit $rc)" \
	test "$rc" = 0
check "test-sriov-pciaccess: the port was on the sriov bus" \
	grep -q '^ok .* is on the sriov bus' "$log"
check "test-sriov-pciaccess: no check failed" \
	sh -c "! grep -q '^not ok' '$log'"
check "test-sriov-pciaccess: the token is not in its output" \
	token_not_in "$log" "$TOK"

tp_stop pf
check "PF testpmd: the token is not in the log" token_not_in "$(tp_log pf)" "$TOK"
tp_stop_all
set_num_vfs "$VM_PF" 0
finish

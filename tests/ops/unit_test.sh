#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The systemd units as meson configured them (config/systemd/): they pass
# `systemd-analyze verify` without a single message, score as well
# sandboxed in `systemd-analyze security --offline`, a PF address needs no
# escaping as an instance name, and no token can reach the unit, the
# environment or a command line. Nothing is started: the units run for real
# in the VM rig (devtools/vm/scenarios/systemd-unit.sh).
#
# The broker's units too: vftokend.socket (SOCK_SEQPACKET on
# /run/vftoken/broker.sock) and vftokend.service (no capability, no network,
# sysfs read-only, devices closed but for VFIO).
#
# Usage: unit_test.sh UNIT_DIR BINDIR VFTOKEN_BINARY SBINDIR VFTOKEND_BINARY
#   BINDIR, SBINDIR: the configured bindir and sbindir in the units'
#   ExecStart= lines; the test points them at the binaries' directories so
#   that verify finds them.
set -u

UNITS=${1:?usage: unit_test.sh UNIT_DIR BINDIR VFTOKEN_BINARY}
BINDIR=${2:?usage: unit_test.sh UNIT_DIR BINDIR VFTOKEN_BINARY}
VFT=${3:?usage: unit_test.sh UNIT_DIR BINDIR VFTOKEN_BINARY}
SBINDIR=${4:?usage: unit_test.sh UNIT_DIR BINDIR VFTOKEN_BINARY SBINDIR VFTOKEND_BINARY}
VFTOKEND=${5:?usage: unit_test.sh UNIT_DIR BINDIR VFTOKEN_BINARY SBINDIR VFTOKEND_BINARY}
# exposure score (0 best, 10 worst) the units must not exceed
MAX_EXPOSURE=2.5
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "systemd-analyze not installed: skipped"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/vft-unit-test-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/ops/lib.sh
. "$(dirname "$0")/lib.sh"

VFS=vftoken-vfs@.service
VFIO=vftoken-vfio.service
BROKER=vftokend.service
BSOCK=vftokend.socket
BUILD_BINDIR=$(cd "$(dirname "$VFT")" && pwd)
BUILD_SBINDIR=$(cd "$(dirname "$VFTOKEND")" && pwd)
for u in "$VFS" "$VFIO" "$BROKER"; do
	if [ -s "$UNITS/$u" ]; then
		ok "$u configured"
		sed "s|$BINDIR/|$BUILD_BINDIR/|g; s|$SBINDIR/|$BUILD_SBINDIR/|g" "$UNITS/$u" >"$T/$u"
	else
		nok "$u missing in $UNITS"
	fi
done
# The socket unit is installed as it is in the source tree.
SRC_UNITS=$(dirname "$0")/../../config/systemd
cp "$SRC_UNITS/$BSOCK" "$T/$BSOCK" 2>/dev/null || nok "$BSOCK missing in $SRC_UNITS"

# verify_quiet NAME...: no output at all, exit 0 (verify exits 0 on many
# warnings, so its silence is the test)
verify_quiet() {
	if SYSTEMD_UNIT_PATH="$T:" systemd-analyze verify --man=no "$@" \
		>"$T/verify.out" 2>&1 && [ ! -s "$T/verify.out" ]; then
		ok "systemd-analyze verify $* is silent"
	else
		nok "systemd-analyze verify $*: $(head -5 "$T/verify.out")"
	fi
}
verify_quiet "$VFIO"
verify_quiet "$VFS"
# systemd-analyze 252 cannot load an instance whose name has ':' ("Couldn't
# process aliases"; systemd itself takes ':' in instance names, e.g.
# systemd-backlight@backlight:acpi_video0.service): verify an instance
# without one, which loads the same template.
verify_quiet vftoken-vfs@pf0.service "$VFIO"
verify_quiet "$BSOCK" "$BROKER"

inst=$(systemd-escape --template="$VFS" 0000:01:00.0)
if [ "$inst" = "vftoken-vfs@0000:01:00.0.service" ]; then
	ok "a PF address is an instance name as is: $inst"
else
	nok "systemd-escape gives '$inst' for 0000:01:00.0"
fi

exposure() {
	systemd-analyze security --offline=true --no-pager "$1" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
for u in vftoken-vfs@pf0.service "$VFIO" "$BROKER"; do
	(cd "$T" && cp "$(echo "$u" | sed 's/@pf0/@/')" "$T/x-$u")
	e=$(cd "$T" && exposure "./x-$u")
	if [ -n "$e" ] && awk -v e="$e" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }'; then
		ok "$u: exposure $e <= $MAX_EXPOSURE"
	else
		nok "$u: exposure '${e:-?}', expected <= $MAX_EXPOSURE"
	fi
done

# The token: only ever a file name.
if grep -qE '[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}' "$T/$VFS" "$T/$VFIO" "$T/$BROKER" "$T/$BSOCK"; then
	nok "a UUID appears in a unit"
else
	ok "no UUID in the units"
fi
if grep -E '^Exec' "$T/$VFS" "$T/$VFIO" "$T/$BROKER" | grep -qE -- '--(current-)?token(-env)?([ =]|$)'; then
	nok "an Exec line passes a token by value or by variable"
else
	ok "no Exec line passes --token or --token-env"
fi
if grep -qE '^(Environment|PassEnvironment|SetCredential)=' "$T/$VFS" "$T/$VFIO" "$T/$BROKER"; then
	nok "a unit sets environment variables or credentials"
else
	ok "no Environment=/PassEnvironment=/SetCredential= in the units"
fi
if grep -qxF "ExecStart=$BUILD_BINDIR/vftoken token set %I --token-file /etc/vftoken/%I.token" "$T/$VFS"; then
	ok "token set reads /etc/vftoken/%I.token with --token-file"
else
	nok "no 'token set %I --token-file /etc/vftoken/%I.token' ExecStart"
fi
if grep -qx "ExecStart=$BINDIR/vftoken vfs create %I \${NUM_VFS} --bind" "$UNITS/$VFS"; then
	ok "vfs create uses the configured bindir $BINDIR"
else
	nok "ExecStart of vfs create does not run $BINDIR/vftoken"
fi

# Sandbox settings whose absence or presence would break the unit.
has() { grep -qx "$2" "$T/$1"; }
# absent UNIT SETTING WHY
absent() {
	if has "$1" "$2"; then
		nok "$1: $2 $3"
	else
		ok "$1: no $2 ($3)"
	fi
}
absent "$VFS" 'ProtectKernelTunables=yes' "would make /sys read-only"
absent "$VFIO" 'ProtectKernelTunables=yes' "would make /sys read-only"
absent "$VFIO" 'ProtectKernelModules=yes' "would forbid modprobe"
absent "$VFS" 'PrivateDevices=yes' "would hide /dev/vfio"
if has "$VFS" 'DeviceAllow=char-vfio rw' && has "$VFS" 'DeviceAllow=/dev/vfio/vfio rw' &&
	has "$VFS" 'DevicePolicy=closed'; then
	ok "$VFS: devices closed but for /dev/vfio/vfio and char-vfio"
else
	nok "$VFS: device policy is not closed + vfio"
fi
if has "$VFS" 'Requires=vftoken-vfio.service' && has "$VFS" 'After=sysinit.target vftoken-vfio.service'; then
	ok "$VFS requires and follows $VFIO (char-vfio resolves at cgroup set-up)"
else
	nok "$VFS does not require and follow $VFIO"
fi
if has "$VFS" 'CapabilityBoundingSet=' && has "$VFIO" 'CapabilityBoundingSet=CAP_SYS_MODULE'; then
	ok "capabilities: none for $VFS, CAP_SYS_MODULE for $VFIO"
else
	nok "capability bounding sets are not the audited ones"
fi

# The broker: socket activation on the protocol's socket type, started by
# it; it only opens (no capability, no network, sysfs read-only), rewrites
# token files in /etc/vftoken only, and sees the VFIO nodes only.
if has "$BSOCK" 'ListenSequentialPacket=/run/vftoken/broker.sock' &&
	has "$BROKER" 'Requires=vftokend.socket'; then
	ok "$BSOCK listens (SOCK_SEQPACKET) on /run/vftoken/broker.sock for $BROKER"
else
	nok "$BSOCK/$BROKER: not a SOCK_SEQPACKET socket on /run/vftoken/broker.sock required by the service"
fi
if grep -qx "ExecStart=$SBINDIR/vftokend --policy /etc/vftoken/broker.policy --token-dir /etc/vftoken" "$UNITS/$BROKER"; then
	ok "$BROKER runs $SBINDIR/vftokend with the policy and token dir of /etc/vftoken"
else
	nok "$BROKER: ExecStart does not run $SBINDIR/vftokend --policy /etc/vftoken/broker.policy --token-dir /etc/vftoken"
fi
if has "$BROKER" 'CapabilityBoundingSet=' && has "$BROKER" 'PrivateNetwork=yes' &&
	has "$BROKER" 'ProtectKernelTunables=yes' && has "$BROKER" 'ReadWritePaths=-/etc/vftoken' &&
	has "$BROKER" 'DevicePolicy=closed' && has "$BROKER" 'DeviceAllow=char-vfio rw'; then
	ok "$BROKER: no capability, no network, /sys read-only, writes /etc/vftoken only, devices closed but VFIO"
else
	nok "$BROKER: sandbox is not the audited one"
fi
if has "$BROKER" 'Type=notify' && has "$BROKER" 'NotifyAccess=main' &&
	grep -qE '^WatchdogSec=[1-9][0-9]*s$' "$UNITS/$BROKER"; then
	ok "$BROKER: Type=notify with a watchdog (the broker pings at half of WatchdogSec=)"
else
	nok "$BROKER: not Type=notify with NotifyAccess=main and WatchdogSec=Ns"
fi
absent "$BROKER" 'PrivateDevices=yes' "would hide /dev/vfio"
absent "$BROKER" 'ProtectProc=invisible' "would hide the clients' /proc/PID/cgroup"
absent "$BROKER" 'RuntimeDirectory=vftoken' "stopping the service would remove the socket's directory"

ops_done

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Boot a Debian guest kernel under QEMU with an emulated SR-IOV NIC and run a
# scenario (devtools/vm/scenarios/<SCENARIO>.sh) in it.  See README.md.
#
# usage: run.sh [--kernel 6.1|6.12|7.2|7.2-iommufd|all] [--accel tcg|icount|kvm]
#               [--tcg-thread single|multi] [--second-pf] [--pf-hub] [--virtio-net] [--systemd]
#               [--all-pmds] [--timeout SECS] [--boot-timeout SECS] [--quiet]
#               [--dpdk 22.11|24.11|25.11] [--root DIR] SCENARIO [ARGS...]
#
# --root DIR: the guest's root file system is DIR (a chroot, read-only over
# 9p) instead of the host's /; the tree, the build directory and the guest
# kernel's directory are bind-mounted into it at their own paths, in a
# mount namespace of this run only. --dpdk 24.11 / 25.11: --root the
# Debian 13 / 14 chroot of devtools/chroot.sh and VFTOKEN_BUILD the tree's
# build for that release (build/dpdk-<release>); 22.11 is the host's
# (doc/guides/dpdk_releases.rst).
#
# The machine and its devices: lib/topology.sh; the boot, the staging and
# the rerun: lib/boot.sh; the console and freeze watch: lib/watchdog.sh.
#
# Exit status: the scenario's, or 1 with a message when the VM cannot run
# (no QEMU, kernel fetch failure, boot failure, timeout).  A VM test that
# cannot run fails; it never passes.
# shellcheck disable=SC2034 # options and run_one's locals are the libs' to read
set -u

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
OUT=${VFTOKEN_VM_OUT:-$ROOT/build/vm}
QEMU=${VFTOKEN_QEMU:-qemu-system-x86_64}
LOCK=/tmp/vftoken-vm.lock

say() { printf 'vm: %s\n' "$*"; }
die() {
	printf 'vm: error: %s\n' "$*" >&2
	exit 1
}
# shellcheck source=lib/topology.sh
. "$HERE/lib/topology.sh"
# shellcheck source=lib/boot.sh
. "$HERE/lib/boot.sh"
# The console stream, the freeze and stall evidence, QEMU's known bug.
# shellcheck source=lib/watchdog.sh
. "$HERE/lib/watchdog.sh"

kernel=6.1
systemd=0
# The DPDK drivers EAL loads by itself in the guest (initramfs-init,
# trim_pmds): those the rig's devices and scenarios use. --all-pmds: every
# driver of DPDK's PMD directory, as on a Debian host.
RIG_PMDS=bus_pci,bus_vdev,net_e1000,net_virtio,net_null,net_pcap,net_ring,mempool_ring,mempool_stack,bus_sriov
pmds=$RIG_PMDS
timeout=600
boot_timeout=${VM_BOOT_TIMEOUT:-}
hugepages=${VM_HUGEPAGES:-256}
quiet=0
groot=/
dpdk_rel=
ORIG_ARGS=("$@")

usage() {
	sed -n 's/^# usage: /usage: /p; s/^#  \{14\}/               /p' "${BASH_SOURCE[0]}" | head -n 4
	exit "${1:-2}"
}
is_uint() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel=* | --accel=* | --tcg-thread=* | --timeout=* | --boot-timeout=* | --root=* | --dpdk=*)
		set -- "${1%%=*}" "${1#*=}" "${@:2}"
		;;
	esac
	case $1 in
	--kernel | --accel | --tcg-thread | --timeout | --boot-timeout | --root | --dpdk)
		[ $# -ge 2 ] || usage
		case $1 in
		--kernel) kernel=$2 ;;
		--accel) accel=$2 ;;
		--tcg-thread) tcg_thread=$2 ;;
		--timeout) timeout=$2 ;;
		--boot-timeout) boot_timeout=$2 ;;
		--root) groot=$2 ;;
		--dpdk) dpdk_rel=$2 ;;
		esac
		shift
		;;
	--second-pf) second_pf=1 ;;
	--pf-hub) second_pf=1 pf_hub=1 ;;
	--virtio-net) virtio_net=1 ;;
	--systemd) systemd=1 ;;
	--all-pmds) pmds=all ;;
	-q | --quiet) quiet=1 ;;
	-h | --help) usage 0 ;;
	--)
		shift
		break
		;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || usage
scenario=$1
shift

# --dpdk: the chroot and the build of that release (devtools/chroot.sh; the
# suite that ships each release: devtools/lib/dpdk-releases.sh).
# shellcheck source=../lib/dpdk-releases.sh
. "$ROOT/devtools/lib/dpdk-releases.sh"
case $dpdk_rel in
'' | 22.11) ;;
*)
	suite=$(suite_of "$dpdk_rel") ||
		die "unknown DPDK release '$dpdk_rel' (expected 22.11 or one of: $(dpdk_releases))"
	[ "$groot" = / ] || die "--dpdk $dpdk_rel and --root $groot: give one of them"
	groot=${VFTOKEN_CACHE:-/var/cache/vftoken}/chroots/$suite
	BUILD=$ROOT/build/dpdk-$dpdk_rel
	# The chroot and the build, made or brought up to date (seconds when
	# they are), before the VM lock: once per run, outside the namespace.
	if [ -z "${VFTOKEN_VM_NS:-}" ]; then
		say "--dpdk $dpdk_rel: devtools/chroot.sh --build $suite (log: $BUILD.chroot.log)"
		{ mkdir -p "$ROOT/build" &&
			"$ROOT/devtools/chroot.sh" --build "$suite" >"$BUILD.chroot.log" 2>&1; } ||
			die "--dpdk $dpdk_rel: devtools/chroot.sh --build $suite failed: $(tail -n 5 "$BUILD.chroot.log")"
	fi
	;;
esac
if [ "$groot" != / ]; then
	{ groot=$(readlink -f "$groot") && [ -x "$groot/bin/bash" ]; } ||
		die "--root '$groot' is not a root file system (no bin/bash in it)"
	[ "$systemd" = 0 ] || die "--systemd boots the host's root only, not --root $groot"
	[ "$(id -u)" = 0 ] || die "--root needs root (bind mounts in a mount namespace)"
	# The bind mounts below live in a mount namespace of this run.
	if [ -z "${VFTOKEN_VM_NS:-}" ]; then
		VFTOKEN_VM_NS=1 exec unshare --mount --propagation private "${BASH_SOURCE[0]}" "${ORIG_ARGS[@]}"
	fi
fi

case $kernel in
6.1 | 6.12 | 7.2 | 7.2-iommufd) kernels=("$kernel") ;;
all) kernels=(6.1 6.12 7.2) ;;
*) die "unknown kernel '$kernel' (expected 6.1, 6.12, 7.2, 7.2-iommufd or all)" ;;
esac
# systemd as PID 1 boots in ~NN s under TCG where the plain rig takes ~4 s.
[ -n "$boot_timeout" ] || boot_timeout=$((systemd ? 240 : 60))
is_uint "$timeout" || die "--timeout '$timeout' is not a positive number of seconds"
[[ $hugepages =~ ^[0-9]+$ ]] || die "VM_HUGEPAGES '$hugepages' is not a number of 2 MB pages"
is_uint "$boot_timeout" || die "--boot-timeout '$boot_timeout' is not a positive number of seconds"
# The heartbeat comes every 10 s (guest-init.sh); an idle guest (a scenario
# in "sleep 5") uses little CPU, so a threshold near one period calls a late
# beat a freeze (seen: VM_FREEZE_SECS=10, bus-forward on 6.1, a healthy boot
# called frozen at 0.19 of a core). Two periods at least.
[[ ${VM_FREEZE_SECS:-60} =~ ^[0-9]+$ ]] && [ "${VM_FREEZE_SECS:-60}" -ge 20 ] ||
	die "VM_FREEZE_SECS '${VM_FREEZE_SECS:-}' is not a number of seconds >= 20 (two heartbeats of 10 s)"
[[ $scenario =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad scenario name '$scenario'"
[ -r "$HERE/scenarios/$scenario.sh" ] ||
	die "no scenario '$scenario' (expected $HERE/scenarios/$scenario.sh; have: $(find "$HERE/scenarios" -name '*.sh' -printf '%f ' | sed 's/\.sh / /g'))"
command -v "$QEMU" >/dev/null || die "$QEMU not found (devtools/setup.sh installs QEMU >= 8.0 from bookworm-backports)"
topo_check
mkdir -p "$OUT" || die "cannot create $OUT"
root_bind "$ROOT"
case $BUILD/ in "$ROOT"/*) ;; *) root_bind "$BUILD" ;; esac
# The guest gets these paths on the kernel command line.
case "$ROOT$HERE${VFTOKEN_CACHE:-}" in
*[[:space:]]*) die "the repository and cache paths must not contain spaces ('$ROOT')" ;;
esac

# Run the scenario on kernel $1; sets res_* for the summary; returns its status.
run_one() {
	local k=$1 kdir image initrd kver log scratch rc scen_args
	res_boot=- res_scen=- res_total=-
	shift
	[ $# -gt 0 ] && scen_args=$(printf ' %q' "$@") && scen_args=${scen_args# }

	# The rig's own kernel takes minutes to build the first time: build it
	# before taking the VM lock (build-kernel.sh has a lock of its own).
	if [ "$k" = 7.2-iommufd ] && ! "$HERE/build-kernel.sh" "$k" >/dev/null; then
		say "[$k] FAIL: kernel build"
		return 1
	fi
	# Take the one-VM-at-a-time lock for as long as QEMU runs, and before
	# touching the kernel cache, log and scratch dir another run may be using.
	if ! flock -n "$lockfd"; then
		say "[$k] waiting for $LOCK (another VM is running)"
		flock "$lockfd"
	fi
	run_locked "$@"
	rc=$?
	flock -u "$lockfd"
	return "$rc"
}

exec {lockfd}>"$LOCK" || die "cannot open $LOCK"
overall=0
summary=()
for k in "${kernels[@]}"; do
	run_one "$k" "$@"
	rc=$?
	[ "$rc" = 0 ] || overall=1
	[ "${#kernels[@]}" = 1 ] && overall=$rc
	if [ "$rc" = 0 ]; then verdict=PASS; else verdict="FAIL($rc)"; fi
	summary+=("$(printf '%-6s %-9s %8s %10s %9s' "$k" "$verdict" "$res_boot" "$res_scen" "$res_total")")
done

if [ "${#kernels[@]}" -gt 1 ]; then
	printf '\n%-6s %-9s %8s %10s %9s\n' kernel result "boot s" "scenario s" "total s"
	printf '%s\n' "${summary[@]}"
fi
exit "$overall"

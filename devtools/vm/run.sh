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
# Guest PCI topology (fixed by the explicit root-port slots below; the guest
# firmware numbers the buses in slot order):
#   00:02.0 pcie-root-port -> 0000:01:00.0 igb (82576, 8086:10c9)  VM_PF
#                             VFs 0000:01:10.0, 01:10.2, ... (8086:10ca)
#   00:03.0 pcie-root-port -> 0000:02:00.0 e1000e (8086:10d3)      VM_NOSRIOV_NIC
#   00:04.0 pcie-root-port -> 0000:03:00.0 igb (--second-pf)       VM_PF2
#                             VFs 0000:03:10.0, ...
#   00:06.0 virtio-net-pci, modern only (--virtio-net)             VM_VIRTIO
#   00:08.0 virtio-9p "hostroot", 00:09.0 virtio-9p "scratch"
# Every NIC's wire is a UDP socket sending to its own port on 127.0.0.1
# (a loopback wire), a free port per NIC and run. --pf-hub (implies
# --second-pf) instead joins the two igb PFs' wires in one QEMU hub: what
# one PF sends the other receives, inside QEMU, with no host socket on the
# way (VM_PF_WIRE=hub in the guest; loopback otherwise).
#
# Exit status: the scenario's, or 1 with a message when the VM cannot run
# (no QEMU, kernel fetch failure, boot failure, timeout).  A VM test that
# cannot run fails; it never passes.
set -u

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
OUT=${VFTOKEN_VM_OUT:-$ROOT/build/vm}
QEMU=${VFTOKEN_QEMU:-qemu-system-x86_64}
LOCK=/tmp/vftoken-vm.lock

VM_PF=0000:01:00.0
VM_NOSRIOV_NIC=0000:02:00.0
VM_PF2=0000:03:00.0
VM_VIRTIO=0000:00:06.0

kernel=6.1
accel=tcg
# --accel tcg: single- or multi-threaded TCG; empty: per kernel (tcg_thread_for)
tcg_thread=${VM_TCG_THREAD:-}
second_pf=0
pf_hub=0
virtio_net=0
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

say() { printf 'vm: %s\n' "$*"; }
die() {
	printf 'vm: error: %s\n' "$*" >&2
	exit 1
}
usage() {
	sed -n 's/^# usage: /usage: /p; s/^#  \{14\}/               /p' "${BASH_SOURCE[0]}" | head -n 4
	exit "${1:-2}"
}
is_uint() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel)
		kernel=${2:-}
		shift 2 || usage
		;;
	--kernel=*)
		kernel=${1#*=}
		shift
		;;
	--accel)
		accel=${2:-}
		shift 2 || usage
		;;
	--accel=*)
		accel=${1#*=}
		shift
		;;
	--tcg-thread)
		tcg_thread=${2:-}
		shift 2 || usage
		;;
	--tcg-thread=*)
		tcg_thread=${1#*=}
		shift
		;;
	--second-pf)
		second_pf=1
		shift
		;;
	--pf-hub)
		second_pf=1
		pf_hub=1
		shift
		;;
	--virtio-net)
		virtio_net=1
		shift
		;;
	--systemd)
		systemd=1
		shift
		;;
	--all-pmds)
		pmds=all
		shift
		;;
	--timeout)
		timeout=${2:-}
		shift 2 || usage
		;;
	--timeout=*)
		timeout=${1#*=}
		shift
		;;
	--boot-timeout)
		boot_timeout=${2:-}
		shift 2 || usage
		;;
	--boot-timeout=*)
		boot_timeout=${1#*=}
		shift
		;;
	-q | --quiet)
		# shellcheck disable=SC2034 # read by lib/watchdog.sh (stream)
		quiet=1
		shift
		;;
	--root)
		groot=${2:-}
		shift 2 || usage
		;;
	--root=*)
		groot=${1#*=}
		shift
		;;
	--dpdk)
		dpdk_rel=${2:-}
		shift 2 || usage
		;;
	--dpdk=*)
		dpdk_rel=${1#*=}
		shift
		;;
	-h | --help) usage 0 ;;
	--)
		shift
		break
		;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
scenario=$1
shift

# --dpdk: the chroot and the build of that release (devtools/chroot.sh).
case $dpdk_rel in
'' | 22.11) ;;
24.11 | 25.11)
	[ "$dpdk_rel" = 24.11 ] && suite=trixie || suite=forky
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
*) die "unknown DPDK release '$dpdk_rel' (expected 22.11, 24.11 or 25.11)" ;;
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
case $accel in
# tcg: the thread mode comes per kernel, in run_vm (tcg_thread_for)
tcg) ;;
# icount: single-threaded TCG with virtual time from the instruction count
# (1 instruction = 2^VM_ICOUNT_SHIFT ns), for the benchmark (devtools/bench)
icount) ;;
kvm) ;;
*) die "unknown accelerator '$accel' (expected tcg, icount or kvm)" ;;
esac
case $tcg_thread in
'' | single | multi) ;;
*) die "unknown TCG thread mode '$tcg_thread' (expected single or multi)" ;;
esac
[ -z "$tcg_thread" ] || [ "$accel" = tcg ] ||
	die "--tcg-thread applies to --accel tcg only (icount is single-threaded, kvm has no TCG)"
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
"$QEMU" -device help 2>/dev/null | grep -q '"igb"' ||
	die "$QEMU has no 'igb' device (QEMU >= 8.0 needed)"
if [ "$accel" = kvm ] && [ ! -w /dev/kvm ]; then
	die "--accel kvm: /dev/kvm is not usable"
fi
mkdir -p "$OUT" || die "cannot create $OUT"
# root_bind PATH: PATH of the host at the same path in the guest's root
# (--root), read-only; done once.
root_bind() {
	[ "$groot" != / ] || return 0
	mountpoint -q "$groot$1" && return 0
	mkdir -p "$groot$1" && mount --bind "$1" "$groot$1" &&
		mount -o remount,bind,ro "$groot$1" || die "cannot bind $1 into $groot"
}
root_bind "$ROOT"
case $BUILD/ in "$ROOT"/*) ;; *) root_bind "$BUILD" ;; esac
# The guest gets these paths on the kernel command line.
case "$ROOT$HERE${VFTOKEN_CACHE:-}" in
*[[:space:]]*) die "the repository and cache paths must not contain spaces ('$ROOT')" ;;
esac

now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# A UDP port nobody on this host is bound to.
free_udp_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		[ -z "$(ss -Huan "sport = :$p" 2>/dev/null)" ] && echo "$p" && return 0
	done
	return 1
}

qemu_pid=
# shellcheck disable=SC2317 # called from the traps
cleanup() {
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null
		sleep 1
		kill -9 "$qemu_pid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# The console stream, the freeze and stall evidence, QEMU's known bug.
# shellcheck source=lib/watchdog.sh
. "$HERE/lib/watchdog.sh"

# QEMU 10.0's multi-threaded TCG races with the guest's changes of the
# memory map (a vCPU's MMIO through a TLB entry of the old map while another
# vCPU moves BARs): it aborts in iotlb_to_section or sends the access to the
# wrong device, and the guest hangs.  Debian's 7.2 kernel hits it in most
# runs, so its runs use single-threaded TCG (round-robin vCPUs in one
# thread, no concurrent vCPU); doc/guides/vm_rig.rst, "QEMU's memory-map
# race", has the evidence and the cost.  The rig's own 7.2-iommufd kernel
# froze the same way in the VFIO path benchmark (bench-paths: the guest
# stopped for good as a VF testpmd exited and vfio-pci reset its VFs), so
# it runs single-threaded too, and so do conformance on every kernel (its
# checks change the memory map all the time) and a scenario's second run
# after a freeze or an abort (tcg_single_again; vm_rig.rst has the
# evidence for both).  $1: the kernel.
tcg_single_again=0
tcg_thread_for() {
	if [ -n "$tcg_thread" ]; then
		echo "$tcg_thread"
		return
	fi
	if [ "$tcg_single_again" = 1 ] || [ "$scenario" = conformance ]; then
		echo single
		return
	fi
	case $1 in
	7.2 | 7.2-iommufd) echo single ;;
	*) echo multi ;;
	esac
}

# The -accel argument for kernel $1.
accel_opt_for() {
	case $accel in
	tcg) echo "tcg,thread=$(tcg_thread_for "$1")" ;;
	icount) echo "tcg,thread=single" ;;
	kvm) echo kvm ;;
	esac
}


# Run the scenario on kernel $1; sets res_* for the summary; returns its status.
run_one() {
	local k=$1 t0 kdir image initrd kver log scratch rc state ports=() port
	local boot_failed=0
	local t_fetch t_init t_boot_start t_sc_start='' t_sc_end='' t_end
	res_boot=- res_scen=- res_total=-
	shift
	local scen_args
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

# The directory of kernel $1: a Debian package unpacked by fetch-kernel.sh,
# or the rig's own build (build-kernel.sh).
kernel_dir() {
	case $1 in
	7.2-iommufd) "$HERE/build-kernel.sh" "$1" ;;
	*) "$HERE/fetch-kernel.sh" "$1" ;;
	esac
}

# The body of run_one (its locals are visible here), under the VM lock.
run_locked() {
	say "[$k] download: resolving and fetching the kernel"
	t0=$(now)
	kdir=$(kernel_dir "$k") || {
		say "[$k] FAIL: kernel fetch"
		return 1
	}
	kver=$(cat "$kdir/.kver")
	root_bind "$kdir"
	# The uncompressed PVH-bootable image boots ~3 s faster (fetch-kernel.sh).
	image=$kdir/vmlinuz
	[ -f "$kdir/vmlinux" ] && [ -z "${VM_NO_PVH:-}" ] && image=$kdir/vmlinux
	t_fetch=$(dt "$t0" "$(now)")
	say "[$k] download: $kver ready (${t_fetch} s)"

	t0=$(now)
	initrd=$("$HERE/mkinitramfs.sh" "$kdir") || {
		say "[$k] FAIL: initramfs"
		return 1
	}
	t_init=$(dt "$t0" "$(now)")
	say "[$k] initramfs: $(basename "$initrd") (${t_init} s)"

	# A guest that never reached the scenario (QEMU under TCG was seen to
	# abort once in iotlb_to_section while booting: the race of
	# tcg_thread_for) ran no check: boot it once more before calling the
	# run failed.
	# A guest that froze mid-scenario (guest_frozen), or a QEMU that
	# aborted mid-scenario of that race, is not a result either: the
	# scenario runs once more from a fresh boot, and only that run's checks
	# count. One more run at most: a second stall or crash fails.
	local again=
	boot_failed=0
	guest_froze=0
	qemu_raced=0
	run_vm "$@"
	rc=$?
	if [ "$boot_failed" = 1 ] && [ "$qemu_raced" = 1 ]; then
		again="QEMU aborted of its memory-map race before the scenario; booting once more"
	elif [ "$boot_failed" = 1 ]; then
		again="the guest never reached the scenario; booting once more"
	elif [ "$guest_froze" = 1 ]; then
		again="the guest froze during the scenario; running it once more from a fresh boot"
	elif [ "$qemu_raced" = 1 ]; then
		again="QEMU aborted of its memory-map race during the scenario; running it once more from a fresh boot"
	fi
	if [ -n "$again" ]; then
		local first why
		first=$(accel_opt_for "$k")
		# Single-threaded TCG only where the evidence names the memory-map
		# race (QEMU's iotlb_to_section assertion, known_qemu_bug): a freeze
		# keeps the first run's mode (doc/guides/vm_rig.rst, "QEMU's
		# memory-map race").
		[ "$qemu_raced" = 1 ] && tcg_single_again=1
		if [ "$first" != "$(accel_opt_for "$k")" ]; then
			again="$again, with single-threaded TCG (QEMU's memory-map race, doc/guides/vm_rig.rst)"
		fi
		if [ "$qemu_raced" = 1 ]; then
			why=qemu-race
		elif [ "$guest_froze" = 1 ]; then
			why=frozen
		else
			why=no-boot
		fi
		say "[$k] $again"
		# One line for whoever counts (devtools/test.sh's summary): only
		# the second run's checks count.
		say "rerun: scenario=$scenario kernel=$k why=$why accel=$first again=$(accel_opt_for "$k")"
		run_vm "$@"
		rc=$?
		tcg_single_again=0
	fi
	return "$rc"
}

# --systemd: the tree as `meson install` lays it out, staged in the scratch
# share; systemd-init.sh copies it into the guest's root before systemd starts.
stage_install() {
	local t0
	t0=$(now)
	if ! meson install -C "$BUILD" --no-rebuild --quiet --destdir "$scratch/destdir" \
		>"$scratch/meson-install.log" 2>&1; then
		say "[$k] FAIL: meson install -C $BUILD --destdir $scratch/destdir (see $scratch/meson-install.log)"
		return 1
	fi
	say "[$k] systemd: meson install staged in $scratch/destdir ($(dt "$t0" "$(now)") s)"
}

# The VM part of run_locked.
run_vm() {
	local tag=$scenario-$k${dpdk_rel:+-dpdk$dpdk_rel}
	log="$OUT/$tag.log"
	scratch=${VFTOKEN_VM_SCRATCH:-$OUT/scratch}/$tag
	if ! rm -rf "$scratch" || ! mkdir -p "$scratch"; then
		say "[$k] FAIL: cannot create scratch dir $scratch"
		return 1
	fi
	{
		printf 'VM_SCENARIO=%q\n' "$scenario"
		printf 'VM_PF=%q\n' "$VM_PF"
		if [ "$second_pf" = 1 ]; then
			printf 'VM_PF2=%q\n' "$VM_PF2"
		else
			printf 'VM_PF2=\n'
		fi
		if [ "$pf_hub" = 1 ]; then
			printf 'VM_PF_WIRE=hub\n'
		else
			printf 'VM_PF_WIRE=loopback\n'
		fi
		printf 'VM_NOSRIOV_NIC=%q\n' "$VM_NOSRIOV_NIC"
		if [ "$virtio_net" = 1 ]; then
			printf 'VM_VIRTIO=%q\n' "$VM_VIRTIO"
		else
			printf 'VM_VIRTIO=\n'
		fi
		printf 'VFTOKEN_ROOT=%q\n' "$ROOT"
		printf 'VFTOKEN_BUILD=%q\n' "$BUILD"
		printf 'VM_ARGS=('
		for a in "$@"; do printf ' %q' "$a"; done
		printf ' )\n'
	} >"$scratch/run.env"
	local stage2=$HERE/guest-init.sh
	if [ "$systemd" = 1 ]; then
		stage_install || return 1
		stage2=$HERE/systemd-init.sh
	fi

	for _ in 1 2 3; do
		port=$(free_udp_port) || {
			say "[$k] FAIL: no free UDP port"
			return 1
		}
		ports+=("$port")
	done

	# Stage 1 (initramfs-init) takes its parameters from the command line.
	# init_on_alloc=0: Debian zeroes every page allocation by default, which
	# under TCG costs ~2 s for the hugepage pool alone.
	local stage1_args="vftoken.stage2=$stage2 vftoken.kmods=$kdir/lib/modules"
	stage1_args+=" vftoken.root=$ROOT vftoken.hugepages=$hugepages vftoken.pmds=$pmds"
	# Parameters of built-in drivers (build-kernel.sh: vfio_pci.enable_sriov=1).
	[ -r "$kdir/.cmdline" ] && stage1_args+=" $(cat "$kdir/.cmdline")"
	local accel_opt pf_net=() pf2_net=()
	accel_opt=$(accel_opt_for "$k")
	# A hub forwards a frame to every port but the one it came in by: with
	# the two PFs as its only ports, each is the other's wire. The hub
	# hands a frame to the receiving NIC in the sender's own TX (or queues
	# it until that NIC posts RX buffers), in QEMU's time, not the host's.
	if [ "$pf_hub" = 1 ]; then
		pf_net=(-netdev "hubport,id=n1,hubid=0")
		pf2_net=(-netdev "hubport,id=n3,hubid=0")
	else
		pf_net=(-netdev "socket,id=n1,udp=127.0.0.1:${ports[0]},localaddr=127.0.0.1:${ports[0]}")
		pf2_net=(-netdev "socket,id=n3,udp=127.0.0.1:${ports[2]},localaddr=127.0.0.1:${ports[2]}")
	fi
	# shellcheck disable=SC2054 # commas belong to QEMU's option syntax
	local qemu_args=(
		-accel "$accel_opt" -cpu max,phys-bits=36 -m 2048 -smp 2
		-machine q35,kernel-irqchip=split
		-nodefaults -display none -no-reboot
		-serial "file:$log"
		-device intel-iommu,intremap=on,caching-mode=on
		-kernel "$image" -initrd "$initrd"
		-append "console=ttyS0 intel_iommu=on iommu=pt quiet panic=-1 init_on_alloc=0 $stage1_args${VM_KERNEL_EXTRA:+ $VM_KERNEL_EXTRA}"
		-fsdev "local,id=hostroot,path=$groot,security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot,bus=pcie.0,addr=0x8"
		-fsdev "local,id=scratch,path=$scratch,security_model=none,multidevs=remap"
		-device "virtio-9p-pci,fsdev=scratch,mount_tag=scratch,bus=pcie.0,addr=0x9"
		-device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x2
		"${pf_net[@]}"
		-device igb,netdev=n1,bus=rp1
		-device pcie-root-port,id=rp2,chassis=2,bus=pcie.0,addr=0x3
		-netdev "socket,id=n2,udp=127.0.0.1:${ports[1]},localaddr=127.0.0.1:${ports[1]}"
		-device e1000e,netdev=n2,bus=rp2
	)
	if [ "$second_pf" = 1 ]; then
		# shellcheck disable=SC2054
		qemu_args+=(
			-device pcie-root-port,id=rp3,chassis=3,bus=pcie.0,addr=0x4
			"${pf2_net[@]}"
			-device igb,netdev=n3,bus=rp3
		)
	fi
	# A PCI function whose DPDK driver (net_virtio) maps it through EAL.
	# shellcheck disable=SC2054
	[ "$virtio_net" = 1 ] && qemu_args+=(
		-device virtio-net-pci,disable-legacy=on,bus=pcie.0,addr=0x6
	)
	[ "$accel" = icount ] && qemu_args+=(-icount "shift=${VM_ICOUNT_SHIFT:-4}")
	# Extra QEMU arguments for debugging, e.g. VM_QEMU_EXTRA="-trace igb_*".
	# shellcheck disable=SC2206 # word splitting is the point
	[ -n "${VM_QEMU_EXTRA:-}" ] && qemu_args+=($VM_QEMU_EXTRA)

	: >"$log"
	say "[$k] boot: $kver ($(basename "$image")), accel $accel_opt, root $groot${dpdk_rel:+ (DPDK $dpdk_rel)}, console -> $log"
	t_boot_start=$(now)
	"$QEMU" "${qemu_args[@]}" </dev/null >"$log.qemu" 2>&1 &
	qemu_pid=$!

	state=boot
	rcu_said=0
	watch_reset
	while kill -0 "$qemu_pid" 2>/dev/null; do
		if [ "$state" = boot ]; then
			if grep -qa '^VFTOKEN-VM: scenario start' "$log"; then
				t_sc_start=$(now)
				# The scenario's start counts as a beat (watch_beat); the
				# systemd guest has no heartbeat.
				[ "$systemd" = 1 ] || watch_beat "$t_sc_start"
				res_boot=$(dt "$t_boot_start" "$t_sc_start")
				say "[$k] boot: scenario start after ${res_boot} s"
				watch_from_start "$log"
				state=scenario
				say "[$k] scenario: $scenario${scen_args:+ $scen_args} (timeout ${timeout} s)"
			elif grep -qa '^VFTOKEN-VM: stage[12] failed' "$log"; then
				# The guest powers itself off; give it a moment.
				state=guestfail
				for _ in $(seq 50); do
					kill -0 "$qemu_pid" 2>/dev/null || break
					sleep 0.2
				done
				break
			elif [ "$(dt "$t_boot_start" "$(now)" | cut -d. -f1)" -ge "$boot_timeout" ]; then
				state=boottimeout
				break
			fi
		else
			stream "$log"
			cpu_sample
			if [ -z "$t_sc_end" ] && grep -qa '^VFTOKEN-VM: scenario end' "$log"; then
				t_sc_end=$(now)
			fi
			if [ -z "$t_sc_end" ] &&
				[ "$(dt "$t_sc_start" "$(now)" | cut -d. -f1)" -ge "$timeout" ]; then
				state=timeout
				break
			fi
			if [ -z "$t_sc_end" ] && guest_frozen; then
				state=frozen
				break
			fi
			# An RCU stall report alone is no evidence of the emulator's
			# fault (a real kernel lockup prints it too): say so once and
			# let the heartbeat rule or the timeout decide.
			if [ -z "$t_sc_end" ] && [ "$rcu_said" = 0 ] && rcu_stalled "$log"; then
				rcu_said=1
				say "[$k] the guest kernel reported an RCU stall ($(grep -aom1 'Possible timer handling issue on cpu=[0-9]*' "$log" || echo 'see the console')); not called the emulator's by itself: a missing heartbeat while QEMU idles is (doc/guides/vm_rig.rst)"
			fi
		fi
		sleep 0.2
	done
	if [ "$state" != boot ] && [ "$state" != scenario ]; then
		kill "$qemu_pid" 2>/dev/null
	fi
	wait "$qemu_pid" 2>/dev/null
	qemu_rc=$?
	qemu_pid=
	t_end=$(now)
	# QEMU may have exited between two polls: look at the markers once more.
	if [ "$state" = boot ] && grep -qa '^VFTOKEN-VM: scenario start' "$log"; then
		state=scenario
		t_sc_start=$t_end
		res_boot=$(dt "$t_boot_start" "$t_end")
		watch_from_start "$log"
	fi
	if [ "$state" = scenario ]; then
		stream "$log"
		if [ -z "$t_sc_end" ] && grep -qa '^VFTOKEN-VM: scenario end' "$log"; then
			t_sc_end=$t_end
		fi
	fi
	res_total=$(dt "$t_boot_start" "$t_end")

	case $state in
	boottimeout)
		say "[$k] FAIL: no scenario start within ${boot_timeout} s of boot; QEMU killed"
		fail_tail "$log"
		boot_failed=1
		return 1
		;;
	frozen)
		# shellcheck disable=SC2154 # set by guest_frozen (lib/watchdog.sh)
		say "[$k] FAIL: the guest froze: no heartbeat for ${FREEZE_SECS} s while QEMU's vCPUs idled (${frozen_cpu_s} s of CPU in the last ${FREEZE_SECS} s); an emulator stall, not a test result; QEMU killed"
		fail_tail "$log"
		guest_froze=1
		return 1
		;;
	timeout)
		say "[$k] FAIL: scenario timed out after ${timeout} s; QEMU killed"
		res_scen=">$timeout"
		fail_tail "$log"
		return 1
		;;
	guestfail)
		say "[$k] FAIL: the guest could not start the scenario"
		fail_tail "$log"
		return 1
		;;
	boot)
		say "[$k] FAIL: QEMU exited (status $qemu_rc) before the scenario started"
		fail_tail "$log"
		known_qemu_bug "$log.qemu" && qemu_raced=1
		boot_failed=1
		return 1
		;;
	esac
	if [ -z "$t_sc_end" ]; then
		say "[$k] FAIL: the guest died during the scenario (QEMU status $qemu_rc)"
		fail_tail "$log"
		known_qemu_bug "$log.qemu" && qemu_raced=1
		return 1
	fi
	res_scen=$(dt "$t_sc_start" "$t_sc_end")
	if ! [ -r "$scratch/exit-status" ]; then
		say "[$k] FAIL: no exit status in $scratch"
		fail_tail "$log"
		return 1
	fi
	rc=$(cat "$scratch/exit-status")
	[[ $rc =~ ^[0-9]+$ ]] || rc=1
	say "[$k] scenario: exit status $rc (${res_scen} s)"
	# The scenario's own tally, for whoever counts checks (devtools/test.sh).
	summary_line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$scratch/scenario.log" 2>/dev/null | tail -1)
	[ -n "$summary_line" ] && say "$summary_line"
	say "[$k] poweroff: $(dt "$t_sc_end" "$t_end") s; total in QEMU ${res_total} s; results in $scratch"
	if [ "$rc" != 0 ]; then
		fail_tail "$log"
	fi
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

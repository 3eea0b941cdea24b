#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The rig's boot, sourced by run.sh: the guest kernel and its initramfs,
# what is staged for the guest (the scratch share, run.env, the install
# of --systemd), QEMU started and watched from boot to power-off (with
# lib/watchdog.sh), and the one rerun of a run that was not a result.
# Owns QEMU's pid, the run's log and scratch directory, and the times of
# the summary (res_boot, res_scen, res_total). Reads run.sh's options
# (scenario, groot, pmds, hugepages, systemd, timeout, boot_timeout,
# dpdk_rel, quiet) and asks lib/topology.sh for the machine.
# shellcheck disable=SC2154,SC2034 # run.sh's options, named above; topology.sh's tcg_single_again

now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

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

# root_bind PATH: PATH of the host at the same path in the guest's root
# (--root), read-only; done once.
root_bind() {
	[ "$groot" != / ] || return 0
	mountpoint -q "$groot$1" && return 0
	mkdir -p "$groot$1" && mount --bind "$1" "$groot$1" &&
		mount -o remount,bind,ro "$groot$1" || die "cannot bind $1 into $groot"
}

# The directory of kernel $1: a Debian package unpacked by fetch-kernel.sh,
# or the rig's own build (build-kernel.sh).
kernel_dir() {
	case $1 in
	7.2-iommufd) "$HERE/build-kernel.sh" "$1" ;;
	*) "$HERE/fetch-kernel.sh" "$1" ;;
	esac
}

# boot_kernel K: the kernel (kdir, kver, image) and initramfs (initrd) of K.
boot_kernel() {
	local t0
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
	say "[$k] download: $kver ready ($(dt "$t0" "$(now)") s)"
	t0=$(now)
	initrd=$("$HERE/mkinitramfs.sh" "$kdir") || {
		say "[$k] FAIL: initramfs"
		return 1
	}
	say "[$k] initramfs: $(basename "$initrd") ($(dt "$t0" "$(now)") s)"
}

# The body of run_one (its locals are visible here), under the VM lock.
# A guest that never reached the scenario (QEMU under TCG was seen to
# abort once in iotlb_to_section while booting: the race of
# tcg_thread_for) ran no check: boot it once more before calling the run
# failed. A guest that froze mid-scenario (guest_frozen), or a QEMU that
# aborted mid-scenario of that race, is not a result either: the scenario
# runs once more from a fresh boot, and only that run's checks count. One
# more run at most: a second stall or crash fails.
run_locked() {
	local again='' first why
	boot_kernel || return 1
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
	[ -n "$again" ] || return "$rc"
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
	# One line for whoever counts (devtools/test.sh's summary): only the
	# second run's checks count.
	say "rerun: scenario=$scenario kernel=$k why=$why accel=$first again=$(accel_opt_for "$k")"
	run_vm "$@"
	rc=$?
	tcg_single_again=0
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

# stage ARGS...: the scratch share, emptied, with run.env (the scenario,
# its arguments and the guest's environment, guest-init.sh) and with
# --systemd the install; sets log, scratch and stage2.
stage() {
	local tag=$scenario-$k${dpdk_rel:+-dpdk$dpdk_rel}
	log="$OUT/$tag.log"
	scratch=${VFTOKEN_VM_SCRATCH:-$OUT/scratch}/$tag
	if ! rm -rf "$scratch" || ! mkdir -p "$scratch"; then
		say "[$k] FAIL: cannot create scratch dir $scratch"
		return 1
	fi
	{
		printf 'VM_SCENARIO=%q\n' "$scenario"
		topo_env
		printf 'VFTOKEN_ROOT=%q\n' "$ROOT"
		printf 'VFTOKEN_BUILD=%q\n' "$BUILD"
		printf 'VM_ARGS=('
		# (printf with no argument would still print one, empty)
		[ $# = 0 ] || printf ' %q' "$@"
		printf ' )\n'
	} >"$scratch/run.env"
	stage2=$HERE/guest-init.sh
	if [ "$systemd" = 1 ]; then
		stage_install || return 1
		stage2=$HERE/systemd-init.sh
	fi
}

# The VM part of run_locked: boot, watch the console to the scenario's end
# (or a timeout, a freeze, a crash), then the outcome.
run_vm() {
	local stage2 state t_boot_start t_end t_sc_start='' t_sc_end=''
	stage "$@" || return 1
	# Stage 1 (initramfs-init) takes its parameters from the command line.
	# init_on_alloc=0: Debian zeroes every page allocation by default, which
	# under TCG costs ~2 s for the hugepage pool alone.
	local stage1_args="vftoken.stage2=$stage2 vftoken.kmods=$kdir/lib/modules"
	stage1_args+=" vftoken.root=$ROOT vftoken.hugepages=$hugepages vftoken.pmds=$pmds"
	# Parameters of built-in drivers (build-kernel.sh: vfio_pci.enable_sriov=1).
	[ -r "$kdir/.cmdline" ] && stage1_args+=" $(cat "$kdir/.cmdline")"
	local accel_opt qemu_args
	accel_opt=$(accel_opt_for "$k")
	topo_qemu_args "$k" "$groot" "$scratch" || {
		say "[$k] FAIL: no free UDP port"
		return 1
	}
	qemu_args+=(
		-no-reboot -serial "file:$log" -kernel "$image" -initrd "$initrd"
		-append "console=ttyS0 intel_iommu=on iommu=pt quiet panic=-1 init_on_alloc=0 $stage1_args${VM_KERNEL_EXTRA:+ $VM_KERNEL_EXTRA}"
	)
	# Extra QEMU arguments for debugging, e.g. VM_QEMU_EXTRA="-trace igb_*".
	# shellcheck disable=SC2206 # word splitting is the point
	[ -n "${VM_QEMU_EXTRA:-}" ] && qemu_args+=($VM_QEMU_EXTRA)

	: >"$log"
	say "[$k] boot: $kver ($(basename "$image")), accel $accel_opt, root $groot${dpdk_rel:+ (DPDK $dpdk_rel)}, console -> $log"
	t_boot_start=$(now)
	"$QEMU" "${qemu_args[@]}" </dev/null >"$log.qemu" 2>&1 &
	qemu_pid=$!
	boot_watch
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
	boot_outcome
}

# Polls the console while QEMU runs; sets state (boot, scenario, or why it
# stopped: guestfail, boottimeout, timeout, frozen), t_sc_start, t_sc_end.
boot_watch() {
	local rcu_said=0
	state=boot
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
				return
			elif [ "$(dt "$t_boot_start" "$(now)" | cut -d. -f1)" -ge "$boot_timeout" ]; then
				state=boottimeout
				return
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
				return
			fi
			if [ -z "$t_sc_end" ] && guest_frozen; then
				state=frozen
				return
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
}

# The run's verdict from state, the markers and the scratch share's
# exit-status; the scenario's status, or 1.
boot_outcome() {
	case $state in
	boottimeout)
		say "[$k] FAIL: no scenario start within ${boot_timeout} s of boot; QEMU killed"
		boot_failed=1
		;;
	frozen)
		# shellcheck disable=SC2154 # set by guest_frozen (lib/watchdog.sh)
		say "[$k] FAIL: the guest froze: $frozen_why; a stall, not a test result; QEMU killed"
		guest_froze=1
		;;
	timeout)
		say "[$k] FAIL: scenario timed out after ${timeout} s ($(watch_state)); QEMU killed"
		res_scen=">$timeout"
		;;
	guestfail) say "[$k] FAIL: the guest could not start the scenario" ;;
	boot)
		say "[$k] FAIL: QEMU exited (status $qemu_rc) before the scenario started"
		boot_failed=1
		;;
	esac
	if [ "$state" != scenario ]; then
		fail_tail "$log"
		[ "$state" = boot ] && known_qemu_bug "$log.qemu" && qemu_raced=1
		return 1
	fi
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

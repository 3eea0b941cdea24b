#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The rig's watchdog, sourced by run.sh: what the guest's console says
# (streamed to the terminal), whether the guest froze (its heartbeat gone
# while QEMU idles), an RCU stall, QEMU's known memory-map race, and the
# tail of a failed run (doc/guides/vm_rig.rst, "How reruns are reported").
# Uses run.sh's say, now, dt, quiet, k, accel_opt, qemu_pid and t_sc_start
# (the scenario's start); owns the stream's offset and the heartbeat's
# state (watch_reset, watch_beat, watch_from_start).
# shellcheck disable=SC2154 # run.sh's variables, named above

# Before QEMU starts: no beat yet, no CPU sample.
watch_reset() {
	t_alive=
	alive_ticks=
	cpu_at=()
	frozen_cpu_s=
	frozen_why=
	timer_n=()
	timer_t=()
	t_output=
	off=0
}

# A beat at time $1 (the scenario's start counts as one: guest-init.sh
# starts beating just before it; a guest that froze before its first beat
# is frozen too, 6.12, 2026-12-02: 3 s into conformance, no beat ever).
watch_beat() {
	t_alive=$1
	t_output=$1
	alive_ticks=$(qemu_ticks)
}

# Stream the console of $1 from its "scenario start" marker on.
watch_from_start() { off=$(start_offset "$1"); }

# Byte offset just past the "scenario start" marker line of console log $1.
start_offset() {
	LC_ALL=C awk '{ n += length($0) + 1 }
		/^VFTOKEN-VM: scenario start/ { print n; exit }' "$1"
}

# Print the complete console lines of $1 from byte offset $off on (prefixed
# "  | ", markers dropped) and advance $off past them.
stream() {
	local log=$1 size chunk
	size=$(stat -c %s "$log" 2>/dev/null || echo 0)
	[ "$size" -gt "$off" ] || return 0
	# The trailing x keeps $(...) from eating the final newline.
	chunk=$(
		tail -c +"$((off + 1))" "$log" | head -c "$((size - off))"
		echo x
	)
	chunk=${chunk%x}
	case $chunk in
	*$'\n'*) chunk=${chunk%$'\n'*}$'\n' ;;
	*) return 0 ;;
	esac
	off=$((off + $(printf '%s' "$chunk" | LC_ALL=C wc -c)))
	case $chunk in
	*'VFTOKEN-VM: alive '*)
		t_alive=$(now)
		alive_ticks=$(qemu_ticks)
		timer_seen "$(printf '%s' "$chunk" | grep -a 'VFTOKEN-VM: alive ' | tail -n 1)"
		;;
	esac
	# The scenario's own lines: neither markers nor the kernel's.
	if printf '%s' "$chunk" | tr -d '\r' |
		grep -avqE '^(VFTOKEN-VM: |\[ *[0-9]+\.[0-9]+\] )'; then
		t_output=$(now)
	fi
	if [ "$quiet" = 0 ]; then
		printf '%s' "$chunk" | tr -d '\r' | grep -v '^VFTOKEN-VM: ' | sed 's/^/  | /'
	fi
}

# Say so when QEMU died of the memory-map race above (its stderr is $1);
# status 0 if it did.
known_qemu_bug() {
	grep -q 'iotlb_to_section: Assertion' "$1" 2>/dev/null || return 1
	say "[$k] QEMU crashed: known emulator bug (QEMU 10.0 multi-threaded TCG, memory-map race; accel $accel_opt)."
	say "[$k] Not a test result: see doc/guides/vm_rig.rst (QEMU's memory-map race); --tcg-thread single avoids it"
}

# The guest's heartbeat (guest-init.sh: "VFTOKEN-VM: alive" on the console
# every 10 s, builtins only) tells a frozen guest from a slow scenario. It
# froze when no beat came for FREEZE_SECS while QEMU used under a quarter
# of a core over the last FREEZE_SECS: vCPUs idle, every guest timer gone
# (seen once under TCG, 2026-12-01: 7 minutes idle in a scenario's
# "sleep 0.2"). A guest that hangs busy is called so only after three
# times as long (guest_frozen). The CPU is counted over that last window, not
# since the beat: a guest that froze just before a beat, both vCPUs busy
# until then (20 s of CPU in 10 s), would otherwise need 80 s more of
# silence to be called frozen (a QEMU stopped 15 s with VM_FREEZE_SECS=5
# went unnoticed so). The scenario's start counts as the first beat; the
# systemd guest has none: never frozen.
FREEZE_SECS=${VM_FREEZE_SECS:-60}
CLK_TCK=$(getconf CLK_TCK)
qemu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$qemu_pid/stat" 2>/dev/null || echo 0
}
# QEMU's CPU ticks, sampled once per second of the scenario (cpu_at[s]).
declare -a cpu_at
cpu_sample() {
	local s
	s=$(dt "$t_sc_start" "$(now)")
	s=${s%.*}
	[ -n "${cpu_at[$s]:-}" ] || cpu_at[s]=$(qemu_ticks)
}
# QEMU's CPU seconds over the last FREEZE_SECS (the newest sample at or
# before the window's start; the beat's when there is none).
window_cpu() {
	local s from=$1 ticks=$alive_ticks
	for ((s = from; s >= 0; s--)); do
		if [ -n "${cpu_at[$s]:-}" ]; then
			ticks=${cpu_at[$s]}
			break
		fi
	done
	awk -v a="$ticks" -v b="$(qemu_ticks)" -v t="$CLK_TCK" \
		'BEGIN { printf "%.1f", (b - a) / t }'
}
# A guest whose kernel reports an RCU stall froze in part: one vCPU's
# timer stopped while the other still beats (6.1, thread=multi,
# 2026-12-02: "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks" and
# "Possible timer handling issue on cpu=1" 47 s into bus-errors, the
# scenario stuck on that vCPU, QEMU at 6 % of a core, the beat going on).
# The kernel prints it 21 s into a stall (CONFIG_RCU_CPU_STALL_TIMEOUT).
# A real kernel lockup (a driver under test spinning) prints it too, so it
# is only reported: the run is called the emulator's only on the evidence
# of guest_frozen (vm_rig.rst, "Half a guest frozen").
rcu_stalled() { grep -qaE '^\[ *[0-9.]+\] rcu: INFO: rcu_[a-z]+ detected stalls' "$1"; }

# A beat's line $1 ("VFTOKEN-VM: alive UPTIME timer N0 N1 ...", the
# vCPUs' local timer interrupt counts): note when each count last moved.
timer_seen() {
	local f i n t
	read -r -a f <<<"${1##*timer}"
	t=$(now)
	for i in "${!f[@]}"; do
		n=${f[$i]}
		[[ $n =~ ^[0-9]+$ ]] || continue
		if [ "${timer_n[$i]:-}" != "$n" ]; then
			timer_n[i]=$n
			timer_t[i]=$t
		fi
	done
}

# Half a guest frozen: the beats go on (the other vCPU prints them), but
# vCPU $i took no local timer interrupt for FREEZE_SECS and the scenario
# printed nothing as long. A working vCPU takes timer interrupts even idle
# (a tickless idle still wakes for the kernel's own timers); its stopped
# timer leaves whatever sleeps on it asleep for good (vm_rig.rst, "Half a
# guest frozen"). Status 0 and frozen_why set if so.
timer_stopped() {
	local i t
	[ -n "$t_output" ] || return 1
	t=$(dt "$t_output" "$(now)")
	[ "${t%.*}" -ge "$FREEZE_SECS" ] || return 1
	for i in "${!timer_t[@]}"; do
		t=$(dt "${timer_t[$i]}" "$(now)")
		[ "${t%.*}" -ge "$FREEZE_SECS" ] || continue
		frozen_why="vCPU $i took no timer interrupt in ${t%.*} s and the scenario printed nothing as long while the heartbeat went on (half a guest frozen)"
		return 0
	done
	return 1
}

# Sets frozen_why (the verdict's reason) and frozen_cpu_s (QEMU's CPU
# seconds in the last FREEZE_SECS). Three ways (vm_rig.rst, "Seen on 6.1
# too, and the heartbeat"): no beat for FREEZE_SECS while QEMU idles;
# no beat for three times as long however busy QEMU is (no process of
# the guest ran in 30 beats: a lockup of the whole guest, the emulator's
# or a kernel's, is run once more and fails if it comes again); a vCPU's
# timer stopped (timer_stopped).
# shellcheck disable=SC2034 # frozen_why: read by boot.sh's verdict
guest_frozen() {
	local idle s
	[ -n "$t_alive" ] || return 1
	idle=$(dt "$t_alive" "$(now)")
	idle=${idle%.*}
	if [ "$idle" -lt "$FREEZE_SECS" ]; then
		timer_stopped
		return
	fi
	s=$(dt "$t_sc_start" "$(now)")
	frozen_cpu_s=$(window_cpu "$((${s%.*} - FREEZE_SECS))")
	if awk -v c="$frozen_cpu_s" -v w="$FREEZE_SECS" 'BEGIN { exit !(c < w / 4) }'; then
		frozen_why="no heartbeat for ${FREEZE_SECS} s while QEMU's vCPUs idled (${frozen_cpu_s} s of CPU in the last ${FREEZE_SECS} s)"
		return 0
	fi
	[ "$idle" -ge "$((3 * FREEZE_SECS))" ] || return 1
	frozen_why="no heartbeat for ${idle} s while QEMU was busy (${frozen_cpu_s} s of CPU in the last ${FREEZE_SECS} s): no process of the guest ran"
}

# What the watch knew when the scenario timed out, for the report: the
# last beat, QEMU's CPU, each vCPU's timer and the scenario's last line.
watch_state() {
	local i out s
	[ -n "$t_alive" ] || {
		echo "no heartbeat seen"
		return
	}
	s=$(dt "$t_sc_start" "$(now)")
	out="last heartbeat $(dt "$t_alive" "$(now)") s ago, QEMU used $(window_cpu "$((${s%.*} - FREEZE_SECS))") s of CPU in the last ${FREEZE_SECS} s"
	for i in "${!timer_t[@]}"; do
		out+=", vCPU $i's timer moved $(dt "${timer_t[$i]}" "$(now)") s ago"
	done
	echo "$out, the scenario's last line $(dt "$t_output" "$(now)") s ago"
}

fail_tail() {
	local log=$1
	printf 'vm: ---- last 40 console lines (full log: %s) ----\n' "$log" >&2
	grep -av '^VFTOKEN-VM: alive ' "$log" | tail -n 40 | tr -d '\r' >&2
	printf 'vm: ----\n' >&2
	if [ -s "$log.qemu" ]; then
		printf 'vm: QEMU stderr (%s):\n' "$log.qemu" >&2
		tail -n 10 "$log.qemu" >&2
	fi
}

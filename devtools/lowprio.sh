# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The background CPU priority of devtools/test.sh (sourced, not run): the
# rig kernel's build and the host suites run beside the VMs and must take
# only the CPU the VMs leave (doc/guides/getting_started.rst, "How long a
# full run takes").
#
#   lowprio_init [auto|idle|autogroup]   choose how; auto (the default):
#                          idle where the kernel offers it, else autogroup
#   lowprio CMD...         run CMD in the background priority, in a
#                          session of its own; waits for it, returns its
#                          status; its session id goes to $LOWPRIO_IDS
#                          when that names a file
#   lowprio_done           remove what lowprio_init created
#
# idle: a cpu cgroup of its own with cpu.idle = 1 (Linux 5.15+, cgroup v1
# "cpu" hierarchy or v2 with the cpu controller on). Its tasks get the
# weight of SCHED_IDLE against everything outside it, and a task that
# wakes up outside it preempts them at once (kernel/sched/fair.c, the
# wakeup preemption of an idle entity). A cgroup also holds every
# descendant, including the sessions meson test creates for each test.
# autogroup: a session whose autogroup is at nice 19 and nice 19 inside
# it; a waking VM thread may wait for the rest of a running compiler's
# slice (doc/guides/vm_rig.rst, "What the background work costs a VM").
# After lowprio_init: LOWPRIO_MODE (idle or autogroup), LOWPRIO_CG (the
# cgroup directory, empty for autogroup).

# POSIX sh and local (dash, as test.sh): sourced by test.sh.
# The variables set here are the sourcing script's.
# shellcheck shell=dash disable=SC2034

LOWPRIO_MODE=autogroup
LOWPRIO_CG=

# Empty cgroups of earlier runs that ended without lowprio_done.
lowprio_sweep() {
	local d pid
	for d in "$1"/vftoken-background-*; do
		[ -d "$d" ] || continue
		pid=${d##*-}
		case $pid in
		'' | *[!0-9]*) ;;
		*) kill -0 "$pid" 2>/dev/null && continue ;;
		esac
		rmdir "$d" 2>/dev/null
	done
}

lowprio_init() {
	local want=${1:-auto} base d
	case $want in
	auto | idle | autogroup) ;;
	*)
		echo "lowprio: unknown mode '$want' (expected auto, idle or autogroup)" >&2
		return 2
		;;
	esac
	LOWPRIO_MODE=autogroup
	LOWPRIO_CG=
	[ "$want" = autogroup ] && return 0
	# cgroup v1's cpu hierarchy, then v2's root with the cpu controller
	# on for its children
	for base in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup; do
		[ -w "$base/cgroup.procs" ] || continue
		if [ -e "$base/cgroup.subtree_control" ]; then
			grep -qw cpu "$base/cgroup.subtree_control" || continue
		fi
		lowprio_sweep "$base"
		d=$base/vftoken-background-$$
		mkdir -p "$d" 2>/dev/null || continue
		if echo 1 >"$d/cpu.idle" 2>/dev/null; then
			LOWPRIO_CG=$d
			LOWPRIO_MODE=idle
			return 0
		fi
		rmdir "$d" 2>/dev/null
	done
	if [ "$want" = idle ]; then
		echo "lowprio: no cpu cgroup with cpu.idle here (Linux 5.15+, cgroup v1 cpu or v2 with the cpu controller, root)" >&2
		return 1
	fi
	return 0
}

lowprio() {
	LOWPRIO_CG=$LOWPRIO_CG setsid sh -c '
		if [ -n "$LOWPRIO_CG" ]; then
			echo $$ >"$LOWPRIO_CG/cgroup.procs" || exit 125
		fi
		echo 19 >/proc/self/autogroup 2>/dev/null
		exec nice -n 19 "$@"' lowprio "$@" &
	[ -n "${LOWPRIO_IDS:-}" ] && echo "$!" >>"$LOWPRIO_IDS"
	wait "$!"
}

lowprio_done() {
	[ -n "$LOWPRIO_CG" ] || return 0
	rmdir "$LOWPRIO_CG" 2>/dev/null || {
		# what an interrupted run left: hand it to the parent, then remove
		local p
		while read -r p; do
			echo "$p" >"$(dirname "$LOWPRIO_CG")/cgroup.procs" 2>/dev/null
		done <"$LOWPRIO_CG/cgroup.procs"
		rmdir "$LOWPRIO_CG" 2>/dev/null
	}
	LOWPRIO_CG=
}

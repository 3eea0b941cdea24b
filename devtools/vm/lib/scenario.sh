#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Helpers shared by the scenarios (sourced, not a scenario): checks
# and the tally, sysfs binding, token files, and dpdk-testpmd processes
# driven through a FIFO on their stdin with their output in a log file.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "lib/scenario.sh is sourced by scenarios, not run" >&2
	exit 2
fi

pass=0
fail=0
# Each check line ends with the seconds since the scenario began, so a slow
# or stuck step shows in the console log.
scenario_t0=${EPOCHREALTIME/./}
# A command sent to a testpmd that has died must fail that check, not kill
# the whole scenario with SIGPIPE.
trap '' PIPE

# Seconds since the scenario began, to 0.1 s (EPOCHREALTIME in us).
scenario_elapsed() {
	local d=$(((${EPOCHREALTIME/./} - scenario_t0) / 100000))
	echo "$((d / 10)).$((d % 10))"
}

check() {
	local what=$1
	shift
	if "$@"; then
		echo "PASS: $what [$(scenario_elapsed) s]"
		pass=$((pass + 1))
	else
		echo "FAIL: $what [$(scenario_elapsed) s]"
		fail=$((fail + 1))
	fi
}

# A detail line under the check it explains.
note() { echo "  $*"; }

finish() {
	dmesg >"$OUTDIR/dmesg.txt" 2>&1
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}

# EAL refuses a -d plugin when a directory on its real path is
# world-writable (a checkout under /tmp, say): then use a copy in a private
# directory of the guest's /run. Prints the path to give to -d.
sriov_plugin_path() {
	local src=$1 d
	d=$(dirname "$(realpath "$src" 2>/dev/null || echo "$src")")
	while [ "$d" != / ] && [ -n "$d" ]; do
		if [ -n "$(find "$d" -maxdepth 0 -perm -0002 2>/dev/null)" ]; then
			mkdir -p /run/vftoken-plugins && chmod 0755 /run/vftoken-plugins &&
				cp "$src" /run/vftoken-plugins/ &&
				echo "/run/vftoken-plugins/$(basename "$src")" &&
				return 0
		fi
		d=$(dirname "$d")
	done
	echo "$src"
}

# Used by the scenarios that source this file.
# shellcheck disable=SC2034
{
	TESTPMD=${TESTPMD:-/usr/bin/dpdk-testpmd}
	# shellcheck disable=SC2153 # from run.sh's environment
	PLUGIN=$(sriov_plugin_path "$VFTOKEN_BUILD/drivers/bus/sriov/librte_bus_sriov.so")
	# shellcheck disable=SC2153
	OUTDIR=$VM_SCRATCH
	MBUFS=8192
	# the programs of the build the scenarios run (a scenario on an
	# installed tree sets its own)
	VFT=$VFTOKEN_BUILD/app/vftoken/vftoken
	VFTOKEND=$VFTOKEN_BUILD/app/vftokend/vftokend
	VMBIN=$VFTOKEN_BUILD/tests/vm
}

dev() { echo "/sys/bus/pci/devices/$1"; }
driver_of() { basename "$(readlink "$(dev "$1")/driver" 2>/dev/null)" 2>/dev/null; }
group_of() { basename "$(readlink "$(dev "$1")/iommu_group" 2>/dev/null)" 2>/dev/null; }

vfs_of() {
	local l
	for l in "$(dev "$1")"/virtfn*; do
		[ -e "$l" ] && basename "$(readlink "$l")"
	done | sort
}

num_vfs() { cat "$(dev "$1")/sriov_numvfs" 2>/dev/null || echo none; }

bind_vfio() {
	local f=$1 cur
	cur=$(driver_of "$f")
	[ "$cur" = vfio-pci ] && return 0
	if [ -n "$cur" ]; then
		echo "$f" >"$(dev "$f")/driver/unbind" || return 1
	fi
	echo vfio-pci >"$(dev "$f")/driver_override" || return 1
	echo "$f" >/sys/bus/pci/drivers_probe 2>/dev/null
	[ "$(driver_of "$f")" = vfio-pci ] || {
		echo "  $f driver is '$(driver_of "$f")', expected vfio-pci"
		return 1
	}
}

# set_num_vfs PF N: sriov_numvfs to 0, then N; 0 if the PF then has N VFs
# (virtfn links).
set_num_vfs() {
	echo 0 >"$(dev "$1")/sriov_numvfs" || return 1
	[ "$2" = 0 ] || echo "$2" >"$(dev "$1")/sriov_numvfs" || return 1
	[ "$(vfs_of "$1" | wc -l)" = "$2" ] || {
		echo "  $(vfs_of "$1" | wc -l) VFs after writing $2"
		return 1
	}
}

# vf_addr PF N: address of VF N of a rig PF (igb: VF offset 0x80, stride 2,
# so VFs 0..3 are at device 0x10, functions 0, 2, 4, 6, VFs 4..7 at 0x11).
vf_addr() {
	printf '%s' "$1" | sed "s/00\.0\$/1$(($2 / 4)).$(($2 * 2 % 8))/"
}

# pf_ready PF: the checks every plugin scenario starts with.
pf_ready() {
	check "vfio-pci loaded with enable_sriov=1" vfio_setup
	check "PF bound to vfio-pci" bind_vfio "$1"
	check "PF starts without VFs" set_num_vfs "$1" 0
}

# plugin_ready TOKEN-FILE...: how a plugin scenario opens: the plugin
# built, pf_ready, a fresh 0600 token in each TOKEN-FILE; VF0 and VF1 the
# PF's first two VFs (created later).
plugin_ready() {
	check "plugin is built" test -r "$PLUGIN"
	pf_ready "$VM_PF"
	check "token file(s) created (0600): $*" eval "$(printf 'make_token %q && ' "$@") :"
	# shellcheck disable=SC2034 # the scenario's
	VF0=$(vf_addr "$VM_PF" 0) VF1=$(vf_addr "$VM_PF" 1)
}

# pf_start NAME TOKEN-FILE NUM-VFS: the PF through the plugin in testpmd
# NAME (the plugin creates NUM-VFS VFs and sets the token of TOKEN-FILE,
# the bus logging at info); 0 once at its prompt.
pf_start() {
	tp_start "$1" -d "$PLUGIN" -l 0,1 --file-prefix "$1" --log-level=bus.sriov:info \
		-a "$VM_PF,num_vfs=$3,vf_token_file=$2" -- -i --total-num-mbufs=$MBUFS
	tp_wait "$1" 'testpmd> ' 180
}

# pf_helper TOK: the PF through the plugin in the testpmd "pf", which
# creates 2 VFs (num_vfs=2) and sets the token of file TOK with
# VFIO_DEVICE_FEATURE; the scenario ends here if that testpmd is gone.
pf_helper() {
	local vf0 vf1
	vf0=$(vf_addr "$VM_PF" 0)
	vf1=$(vf_addr "$VM_PF" 1)
	check "PF testpmd with the plugin starts" pf_start pf "$1" 2
	check "PF probed by net_e1000_igb on the sriov bus" \
		grep -q "sriov: $VM_PF: probe PCI driver net_e1000_igb " "$(tp_log pf)"
	check "plugin created 2 VFs (num_vfs=2)" test "$(num_vfs "$VM_PF")" = 2
	check "PF token set with VFIO_DEVICE_FEATURE (fingerprint logged)" \
		grep -q "sriov: $VM_PF: VF token set (fp:[0-9a-f]*, from vf_token_file)" "$(tp_log pf)"
	check "VFs $vf0 $vf1 on vfio-pci" \
		test "$(driver_of "$vf0")/$(driver_of "$vf1")" = vfio-pci/vfio-pci
	if ! tp_alive pf; then
		tp_tail pf 40
		finish
		exit 1
	fi
}

# vfio-pci built into the guest kernel (the rig's own 7.2-iommufd kernel):
# nothing to load, its enable_sriov comes from the kernel command line
# (vfio_pci.enable_sriov=1, devtools/vm/build-kernel.sh).
vfio_pci_builtin() {
	grep -qs '/vfio-pci\.ko$' "/lib/modules/$(uname -r)/modules.builtin"
}

vfio_setup() {
	if vfio_pci_builtin; then
		echo "  vfio-pci is built in; enable_sriov from the command line"
	else
		modprobe vfio-pci enable_sriov=1 || return 1
	fi
	grep -qx Y /sys/module/vfio_pci/parameters/enable_sriov || {
		echo "  enable_sriov is $(cat /sys/module/vfio_pci/parameters/enable_sriov 2>/dev/null), expected Y"
		return 1
	}
}

# vft NAME ARGS...: the vftoken CLI ($VFT), its output in
# $OUTDIR/vft-NAME.{out,err} and shown, its exit status in RC.
vft() {
	local name=$1
	shift
	timeout 120 "$VFT" "$@" >"$OUTDIR/vft-$name.out" 2>"$OUTDIR/vft-$name.err"
	RC=$?
	note "\$ $VFT $* -> exit $RC"
	sed 's/^/  | /' "$OUTDIR/vft-$name.out" "$OUTDIR/vft-$name.err" | head -n 40
}

# broker_start ARGS...: vftokend ($VFTOKEND) with ARGS on socket $SOCK and
# policy $POLICY, in the foreground, its stderr appended to $BLOG; pid in
# BROKER_PID; 0 once it listens on $SOCK (ss: a stale socket file is not
# enough), else the log's tail.
broker_start() {
	local i
	echo "--- broker start $(scenario_elapsed)" >>"$BLOG"
	"$VFTOKEND" --socket "$SOCK" --policy "$POLICY" "$@" --foreground >>"$BLOG" 2>&1 &
	BROKER_PID=$!
	for ((i = 0; i < 100; i++)); do
		ss -xlp 2>/dev/null | grep -F "$SOCK" | grep -q "pid=$BROKER_PID," &&
			return 0
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 20 "$BLOG" | sed 's/^/  | /'
	return 1
}

# rc_is N: the last command's exit status (RC) is N.
rc_is() { [ "$RC" = "$1" ] || { note "exit $RC, expected $1"; false; }; }

# $1 path: a fresh random token in a 0600 file; prints nothing.
make_token() {
	(umask 077 && cat /proc/sys/kernel/random/uuid >"$1")
}

# stage_dpdk DIR: for the benchmarks. Copies testpmd, the plugin, DPDK's
# PMD directory and every shared object they need into DIR (the guest's
# tmpfs) and runs testpmd from there on: TESTPMD and PLUGIN point into DIR,
# LD_LIBRARY_PATH is DIR/lib, and the copy of the PMD directory is
# bind-mounted over the one EAL reads. The guest's root is the host's over
# 9p: every open of a file there waits for QEMU's 9p server, in host time,
# and under -icount an idle guest's clock advances by that wait, so a
# start-up timed in the guest would count how busy the host was. Both ways
# load the same copies. Prints what it staged.
stage_dpdk() {
	local d=$1 pmd f p n=0
	pmd=$(find /usr/lib/*/dpdk -maxdepth 1 -type d -name 'pmds-*' | head -n 1)
	[ -d "$pmd" ] || return 1
	mkdir -p "$d/lib" "$d/pmds" || return 1
	cp -a "$pmd/." "$d/pmds/" && cp "$TESTPMD" "$d/" && cp "$PLUGIN" "$d/" || return 1
	TESTPMD=$d/$(basename "$TESTPMD") PLUGIN=$d/$(basename "$PLUGIN")
	# What they need, to the closure: the NEEDED entries of their ELF
	# dynamic sections, each resolved by the loader's cache (ldconfig -p) to
	# a path named by the soname; one readelf per level, few forks (a fork
	# is slow under TCG).
	ldconfig -p | awk '$(NF - 1) == "=>" && /x86-64/ { print $1, $NF }' >"$d/cache"
	: >"$d/deps"
	set -- "$TESTPMD" "$PLUGIN" "$d"/pmds/*.so
	while [ $# -gt 0 ]; do
		readelf -d "$@" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' |
			awk 'FILENAME == ARGV[1] { c[$1] = $2; next }
			     FILENAME == ARGV[2] { have[$1]; next }
			     $1 !~ /^ld-linux/ && ($1 in c) && !($1 in have) && !s[$1]++ { print $1, c[$1] }' \
				"$d/cache" "$d/deps" - >"$d/new"
		cat "$d/new" >>"$d/deps"
		# shellcheck disable=SC2046 # one path a word
		set -- $(awk '{ print $2 }' "$d/new")
	done
	[ -s "$d/deps" ] || return 1
	# A dependency that is a PMD (a bus other PMDs link to) is a link to
	# the PMD directory's own file: one inode, so the dynamic loader maps it
	# once whether EAL's dlopen or a DT_NEEDED reaches it first. The rest
	# are copied under their soname.
	# shellcheck disable=SC2046
	readlink -f $(awk '{ print $2 }' "$d/deps") | paste -d ' ' "$d/deps" - >"$d/deps.real" ||
		return 1
	while read -r f _ p; do
		[ "${p%/*}" = "$pmd" ] && { ln -sf "$d/pmds/${p##*/}" "$d/lib/$f" || return 1; }
	done <"$d/deps.real"
	# shellcheck disable=SC2046
	cp -L -t "$d/lib" $(awk -v pmd="$pmd/" 'index($3, pmd) != 1 { print $2 }' "$d/deps.real") ||
		return 1
	n=$(wc -l <"$d/deps")
	mount --bind "$d/pmds" "$pmd" || return 1
	export LD_LIBRARY_PATH=$d/lib
	echo "staged on tmpfs: testpmd, the plugin, $(find "$d/pmds" -name '*.so' | wc -l) PMDs of $pmd, $n shared objects"
}

# pin_harness: this shell, and so everything it starts from now on (the
# prompt pollers, tp_stamp's reader, the CLI, greps), on the guest's last
# vCPU (HARNESS_CPU); tp_start's testpmd processes then start on vCPU 0
# (TP_CPUS), where EAL puts its main lcore anyway (EAL sets every lcore
# thread's affinity from -l itself). Why, for the benchmarks under -icount: virtual time is the
# instruction count of both vCPUs together, and a start with testpmd on
# vCPU 1 and the harness on vCPU 0 took ~1.3 s longer to EAL's
# multi-process socket than the other way round, with the same page faults
# of its own (doc/guides/vm_rig.rst, "One placement of the harness").
pin_harness() {
	local last
	last=$(($(nproc) - 1))
	[ "$last" -ge 1 ] || return 1
	taskset -pc "$last" $$ >/dev/null || return 1
	# shellcheck disable=SC2034 # recorded by the benchmarks (harness_cpu)
	HARNESS_CPU=$last
	TP_CPUS=0
	echo "harness on vCPU $last, testpmd started on vCPU $TP_CPUS"
}

# ---- testpmd processes ----------------------------------------------------
# tp_start NAME TESTPMD-ARGS... : starts testpmd -i with stdin a FIFO held
# open on fd 9+n; output line-buffered into $OUTDIR/NAME.log.
declare -A TP_PID TP_FD
tp_next_fd=20

tp_start() {
	local name=$1 fifo="$OUTDIR/$1.in" fd
	shift
	rm -f "$fifo" "$OUTDIR/$name.log"
	mkfifo "$fifo" || return 1
	# the command line, with any UUID (a token) redacted
	echo "  \$ dpdk-testpmd $*" |
		sed -E 's/[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}/<uuid>/g' \
			>"$OUTDIR/$name.log"
	# shellcheck disable=SC2086 # TP_CPUS: pin_harness's vCPU list, or none
	stdbuf -oL -eL ${TP_CPUS:+taskset -c $TP_CPUS} "$TESTPMD" "$@" \
		<"$fifo" >>"$OUTDIR/$name.log" 2>&1 &
	TP_PID[$name]=$!
	fd=$tp_next_fd
	tp_next_fd=$((tp_next_fd + 1))
	eval "exec $fd>\"\$fifo\""
	TP_FD[$name]=$fd
}

tp_send() {
	local name=$1
	shift
	echo "$*" >&"${TP_FD[$name]}"
}

tp_log() { echo "$OUTDIR/$1.log"; }

tp_alive() { kill -0 "${TP_PID[$1]}" 2>/dev/null; }
# tp_exited PID: the process has exited and waits to be reaped: its main
# thread a zombie and no other thread left (num_threads, field 20 of
# /proc/PID/stat, is 1). A main thread that exits first is a zombie at once
# while the others still run their exit (kernel/exit.c,
# delay_group_leader()), and the last of them closes the process's files
# and unmaps its memory: for stock DPDK, which leaves its VFIO device fds
# to the kernel, that is where vfio-pci resets each VF (seen on
# 7.2-iommufd: 16 VFs' FLRs in rte-worker-1's exit, 2.7 s after the main
# thread's zombie; doc/guides/benchmark.rst). Builtins only: a scenario's
# shell that polls with builtins (scale.sh's nap) may not reap a child
# until its next fork, so kill -0 alone would count a zombie as running.
tp_exited() {
	local s f
	read -r s 2>/dev/null <"/proc/$1/stat" || return 0
	s=${s##*) }
	read -r -a f <<<"$s"
	[ "${f[0]}" = Z ] && [ "${f[17]:-1}" -le 1 ]
}

# tp_wait NAME REGEX SECS: wait for REGEX in the log (0) or death/timeout (1).
tp_wait() {
	local name=$1 re=$2 t=$(($3 * 5)) i
	for ((i = 0; i < t; i++)); do
		grep -Eq -- "$re" "$(tp_log "$name")" && return 0
		tp_alive "$name" || {
			grep -Eq -- "$re" "$(tp_log "$name")"
			return
		}
		sleep 0.2
	done
	return 1
}

# tp_wait_count NAME REGEX N SECS: wait until REGEX has N matching lines.
tp_wait_count() {
	local i
	for ((i = 0; i < $4 * 5; i++)); do
		[ "$(tp_count "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.2
	done
	return 1
}

# tp_tail NAME [N]: the last N (25) lines of the log, any UUID redacted.
tp_tail() { tail -n "${2:-25}" "$(tp_log "$1")" | sed -E "s/$UUID_RE/<uuid>/g; s/^/  | /"; }

# Count of REGEX lines in the log.
tp_count() { grep -Ec -- "$2" "$(tp_log "$1")"; }

# tp_stop NAME [SECS]: "quit", SIGKILL if still alive after SECS (30); the
# exit status of testpmd (137 when killed). Not 0 when there is nothing to
# stop: no process of that NAME (never started, or stopped already), or one
# that had exited before the "quit" (it died: "exits cleanly" must fail).
# A process stuck in the kernel is reported with its kernel stack.
# TP_STOP_S: seconds from the "quit" to the process gone (its exit: the
# bus's cleanup and the devices' release included): polled with
# "$TP_STOP_NAP $TP_STOP_POLL" (sleep 0.2), 5 x TP_STOP_STEPS (1) times a
# second of SECS; a scenario that times exits finer sets the three (a
# builtin's wait: scale.sh's nap 0.01, 20 steps).
# shellcheck disable=SC2034 # the scenario's to read
TP_STOP_S=
tp_stop() {
	local name=$1 grace=${2:-30} pid i rc=0 t0 poll=${TP_STOP_POLL:-0.2}
	pid=${TP_PID[$name]:-}
	if [ -z "$pid" ]; then
		echo "  tp_stop: no testpmd '$name' to stop (never started, or already stopped)"
		return 1
	fi
	if ! tp_alive "$name"; then
		wait "$pid" 2>/dev/null
		rc=$?
		echo "  $name (pid $pid) had already exited (status $rc) before quit"
		eval "exec ${TP_FD[$name]}>&-"
		unset "TP_PID[$name]" "TP_FD[$name]"
		[ "$rc" = 0 ] && rc=1
		return $rc
	fi
	t0=$EPOCHREALTIME
	TP_STOP_S=
	tp_send "$name" quit 2>/dev/null
	for ((i = 0; i < grace * 5 * ${TP_STOP_STEPS:-1}; i++)); do
		tp_alive "$name" && ! tp_exited "$pid" || break
		${TP_STOP_NAP:-sleep} "$poll"
	done
	# shellcheck disable=SC2034 # the scenario's to read
	tp_alive "$name" && ! tp_exited "$pid" ||
		TP_STOP_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
	if tp_alive "$name" && ! tp_exited "$pid"; then
		echo "  $name (pid $pid) did not quit in $grace s: state $(awk '/^State:/ { print $2 }' /proc/"$pid"/status 2>/dev/null), wchan $(cat /proc/"$pid"/wchan 2>/dev/null)"
		sed 's/^/  | kstack: /' /proc/"$pid"/stack 2>/dev/null | head -n 20
		kill -9 "$pid" 2>/dev/null
		rc=137
		for ((i = 0; i < 50; i++)); do
			tp_alive "$name" && ! tp_exited "$pid" || break
			sleep 0.2
		done
	fi
	if tp_alive "$name" && ! tp_exited "$pid"; then
		echo "  $name (pid $pid) survives SIGKILL: stuck in the kernel"
		rc=255
	else
		wait "$pid" 2>/dev/null
		i=$?
		[ "$rc" = 0 ] && rc=$i
	fi
	eval "exec ${TP_FD[$name]}>&-"
	unset "TP_PID[$name]" "TP_FD[$name]"
	return $rc
}

tp_stop_all() {
	local n
	for n in "${!TP_PID[@]}"; do
		tp_stop "$n" >/dev/null
	done
}

# fd_targets PID: what each open fd of the process points to, one a line.
# One find for all fds: under TCG a process costs the guest 25-40 ms, so a
# readlink per fd made a check of a testpmd (50+ fds) take seconds
# (doc/guides/vm_rig.rst, "Where the run time goes").
fd_targets() {
	find /proc/"$1"/fd -mindepth 1 -maxdepth 1 -printf '%l\n' 2>/dev/null
}

# Groups of /dev/vfio/N the process holds open.
vfio_groups_held() {
	fd_targets "$1" | sed -n 's|^/dev/vfio/\([0-9][0-9]*\)$|\1|p' | sort -u
}

# holds_group PID GROUP: 0 if the process has /dev/vfio/GROUP open.
holds_group() {
	vfio_groups_held "$1" | grep -qx "$2"
}

# holds_no_group PID GROUP...: the process is alive and holds none of the
# groups, each of which must be a group number: an empty one (a device
# with no iommu_group link, say) is an error, not "not held".
holds_no_group() {
	local pid=$1 g
	shift
	[ $# -gt 0 ] || { echo "  holds_no_group: no group given"; return 1; }
	[ -d "/proc/$pid/fd" ] || { echo "  holds_no_group: no process $pid"; return 1; }
	for g in "$@"; do
		[[ $g =~ ^[0-9]+$ ]] || { echo "  holds_no_group: group '$g' is not a group number"; return 1; }
		holds_group "$pid" "$g" && return 1
	done
	return 0
}

# telemetry FILE-PREFIX[:PID] COMMAND...: the JSON reply to each COMMAND,
# one a line, on one connection to a DPDK process's telemetry socket (v2,
# SOCK_SEQPACKET). With PID, the socket whose hello names that pid (a
# secondary's would be dpdk_telemetry.v2:N; DPDK 22.11 gives it none).
# Status 1 and a line saying so when there is none.
telemetry() {
	python3 -S - "$@" <<'PY'
import glob
import json
import socket
import sys

prefix, _, pid = sys.argv[1].partition(":")
for path in sorted(glob.glob("/var/run/dpdk/%s/dpdk_telemetry.v2*" % prefix)):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.connect(path)
        hello = json.loads(s.recv(16384).decode())
    except (OSError, ValueError):
        continue
    if pid and hello.get("pid") != int(pid):
        continue
    for cmd in sys.argv[2:]:
        s.send(cmd.encode())
        print(s.recv(65536).decode())
    sys.exit(0)
print("no telemetry socket%s under /var/run/dpdk/%s" % (pid and " of pid " + pid, prefix))
sys.exit(1)
PY
}

# tp_stamp NAME: a background reader stamps each line of NAME's log with the
# time it was written (bash $EPOCHREALTIME, ~50 ms resolution: tail polls)
# into $OUTDIR/NAME.ts as "SECONDS LINE"; it ends with the process. Lines
# already written when it starts get its start time. A prompt without a
# newline is stamped when the next output ends its line.
tp_stamp() {
	local name=$1
	tail -n +1 -s 0.05 -F --pid="${TP_PID[$name]}" "$(tp_log "$name")" 2>/dev/null |
		while IFS= read -r l; do
			printf '%s %s\n' "$EPOCHREALTIME" "$l"
		done >"$OUTDIR/$name.ts" &
}

# tp_stamp_of NAME REGEX: the stamp of the first line matching REGEX.
tp_stamp_of() {
	awk -v re="$2" '{ t = $1; sub(/^[^ ]* /, "") } $0 ~ re { print t; exit }' \
		"$OUTDIR/$1.ts" 2>/dev/null
}

# tp_sync NAME [SECS]: returns once testpmd has executed every command sent
# so far: "set verbose 0" (a no-op at testpmd's default level) prints a line
# we count, and commands run in order. 1 on timeout or death.
tp_sync() {
	local name=$1 t=$((${2:-30} * 50)) n i
	n=$(tp_count "$name" '^Change verbose level from')
	tp_send "$name" "set verbose 0"
	for ((i = 0; i < t; i++)); do
		[ "$(tp_count "$name" '^Change verbose level from')" -gt "$n" ] && return 0
		tp_alive "$name" || return 1
		sleep 0.02
	done
	return 1
}

# shellcheck source=net.sh
. "$(dirname "${BASH_SOURCE[0]}")/net.sh"
# shellcheck source=secrets.sh
. "$(dirname "${BASH_SOURCE[0]}")/secrets.sh"

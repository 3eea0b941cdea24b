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

set_num_vfs() {
	echo 0 >"$(dev "$1")/sriov_numvfs" || return 1
	[ "$2" = 0 ] && return 0
	echo "$2" >"$(dev "$1")/sriov_numvfs"
}

# vf_addr PF N: address of VF N of a rig PF (igb: VF offset 0x80, stride 2,
# so VFs 0..3 are at device 0x10, functions 0, 2, 4, 6).
vf_addr() {
	printf '%s' "$1" | sed "s/00\.0\$/10.$((2 * $2))/"
}

# pf_ready PF: the checks every plugin scenario starts with.
pf_ready() {
	check "vfio-pci loaded with enable_sriov=1" vfio_setup
	check "PF bound to vfio-pci" bind_vfio "$1"
	check "PF starts without VFs" set_num_vfs "$1" 0
}

# pf_helper TOK: the PF through the plugin in the testpmd "pf", which
# creates 2 VFs (num_vfs=2) and sets the token of file TOK with
# VFIO_DEVICE_FEATURE; the scenario ends here if that testpmd is gone.
pf_helper() {
	local vf0 vf1
	vf0=$(vf_addr "$VM_PF" 0)
	vf1=$(vf_addr "$VM_PF" 1)
	tp_start pf -d "$PLUGIN" -l 0,1 --file-prefix pf \
		-a "$VM_PF,num_vfs=2,vf_token_file=$1" --log-level=bus.sriov:info \
		-- -i --total-num-mbufs=$MBUFS
	check "PF testpmd with the plugin starts" tp_wait pf 'testpmd> ' 180
	check "PF probed by net_e1000_igb on the sriov bus" \
		grep -q "sriov: $VM_PF: probe PCI driver net_e1000_igb " "$(tp_log pf)"
	check "plugin created 2 VFs (num_vfs=2)" test "$(num_vfs "$VM_PF")" = 2
	check "PF token set with VFIO_DEVICE_FEATURE (fingerprint logged)" \
		grep -q "sriov: $VM_PF: VF token set (fp:[0-9a-f]*, from vf_token_file)" "$(tp_log pf)"
	check "VFs $vf0 $vf1 on vfio-pci" \
		test "$(driver_of "$vf0")/$(driver_of "$vf1")" = vfio-pci/vfio-pci
	if ! tp_alive pf; then
		tail -n 40 "$(tp_log pf)" | sed 's/^/  | /'
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

# MAC of port N from "show port summary all" output in the log.
port_mac() {
	awk -v p="$2" '$1 == p && length($2) == 17 && $2 ~ /^[0-9A-Fa-f:]+$/ { m = $2 } END { print m }' "$(tp_log "$1")"
}

# RX/TX packets of port N from testpmd's "Forward statistics for port N"
# block printed by "stop": counted since "start", unlike the VF's hardware
# counters, which survive from one process to the next.
port_fwd() {
	awk -v p="$2" -v k="$3" '
		/Forward statistics for port/ { cur = ($6 == p) }
		/Accumulated forward statistics/ { cur = 0 }
		cur && $1 == k { n = $2 }
		END { print n + 0 }' "$(tp_log "$1")"
}
port_rx() { port_fwd "$1" "$2" RX-packets:; }
port_tx() { port_fwd "$1" "$2" TX-packets:; }

# Link of port N from "show port info N": "up" or "down".
port_link() {
	awk -v p="$2" '
		/Infos for port/ { cur = ($5 == p) }
		cur && /Link status:/ { l = $3 }
		END { print l }' "$(tp_log "$1")"
}

# A token never appears in a log: $1 log, $2 token file.
token_not_in() {
	local t
	t=$(cat "$2") || return 1
	if grep -qiF -- "$t" "$1"; then
		echo "  the token appears in $1"
		return 1
	fi
}

# token_scan TOKEN-FILE FILE...: prints the forms of the token found in each
# FILE ("FILE: form"): its hex text in any case with any separators
# (hyphens, colons, "0x", "\x"), the little-endian GUID order, the raw 16
# bytes in either order. 0 if found nowhere. The text forms are searched in
# a copy of the file lowered and stripped of every separator and prefix, so
# one plain search finds all their spellings (a superset of them: a
# separator inside a byte's two digits counts too); a regular expression
# per spelling is too slow under TCG for DPDK's MB-sized runtime files.
# Python without site (-S) and with no module but sys: its start-up is
# most of a call under TCG (about 1.2 s with site and uuid/re, 0.35 s so).
token_scan() {
	python3 -S - "$@" <<'PY'
import sys

text = open(sys.argv[1]).read().strip().lower().replace("-", "")
raw = bytes.fromhex(text)
if len(raw) != 16:
    sys.exit("token_scan: %s holds no UUID" % sys.argv[1])
# the GUID order: the first three fields little-endian
le = raw[3::-1] + raw[5:3:-1] + raw[7:5:-1] + raw[8:]
forms = [("hex text (canonical, any case, any separators)", raw.hex()),
         ("little-endian GUID hex", le.hex())]
found = False
for path in sys.argv[2:]:
    try:
        data = open(path, "rb").read()
    except OSError as e:
        print("%s: cannot read: %s" % (path, e))
        found = True
        continue
    flat = data.lower().translate(None, b" \t\n\r\x0b\x0c:,.-")
    flat = flat.replace(b"\\x", b"").replace(b"0x", b"")
    for name, hexs in forms:
        if hexs.encode() in flat:
            print("%s: %s" % (path, name))
            found = True
    for name, r in (("raw 16 bytes", raw), ("raw 16 bytes, GUID order", le)):
        if r in data:
            print("%s: %s" % (path, name))
            found = True
sys.exit(1 if found else 0)
PY
}

# telemetry FILE-PREFIX COMMAND: the JSON reply of a testpmd's telemetry
# socket (v2, SOCK_SEQPACKET).
telemetry() {
	python3 -S - "$1" "$2" <<'PY'
import socket
import sys

path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(path)
s.recv(16384)
s.send(sys.argv[2].encode())
print(s.recv(65536).decode())
PY
}

# ---- VF-to-VF forwarding ---------------------------------------------------
# vf_forward NAME EAL-ARGS...: two VF ports, mac forwarding between them.
# vf_pair_ready NAME: a testpmd at its prompt on two VFs: checks that it
# has 2 ports, both net_e1000_igb_vf; sets VF_MAC0/VF_MAC1 and, after up
# to 15 s for the links, VF_LINK0/VF_LINK1; sets mac forwarding with each
# port's peer the other's MAC (not started).
vf_pair_ready() {
	local name=$1 i
	tp_send "$name" "show port summary all"
	tp_wait "$name" '^1 +([0-9A-Fa-f]{2}:){5}' 20
	VF_MAC0=$(port_mac "$name" 0)
	VF_MAC1=$(port_mac "$name" 1)
	check "$name: 2 ports, both net_e1000_igb_vf" \
		test "$(grep -Ec '^[01] +([0-9A-Fa-f]{2}:){5}.*net_e1000_igb_vf' "$(tp_log "$name")")" = 2
	for ((i = 0; i < 15; i++)); do
		tp_send "$name" "show port info 0"
		tp_send "$name" "show port info 1"
		sleep 1
		VF_LINK0=$(port_link "$name" 0)
		VF_LINK1=$(port_link "$name" 1)
		[ "$VF_LINK0" = up ] && [ "$VF_LINK1" = up ] && break
	done
	tp_send "$name" "set fwd mac"
	tp_send "$name" "set eth-peer 0 $VF_MAC1"
	tp_send "$name" "set eth-peer 1 $VF_MAC0"
}

# ---- traffic that keeps flowing ----------------------------------------------
# A count since "start tx_first" proves nothing: the burst each port sends
# first makes every RX count positive even when nothing is forwarded
# afterwards. fwd_window waits FWD_WARMUP_S (1 s), clears the port counters
# ("clear port stats all", waiting for each port's "cleared" line), takes
# the guest clock, waits FWD_WINDOW_S (3 s), asks "show port stats all" and
# takes the clock again, then reads each port's RX-packets from that
# answer: packets received in the window. Sets FWD_PPS[port] and FWD_WIN
# (seconds, the guest clock's). FWD_FLOOR_PPS (1000 a port) is a liveness
# floor, not a performance assertion: the rig forwards ~500 kpps VF to VF
# under TCG on a quiet host and far less on a loaded one
# (doc/guides/vm_rig.rst, "How a forwarding check works").
FWD_WARMUP_S=${FWD_WARMUP_S:-1}
FWD_WINDOW_S=${FWD_WINDOW_S:-3}
FWD_FLOOR_PPS=${FWD_FLOOR_PPS:-1000}
declare -a FWD_PPS FWD_PKTS
FWD_WIN=0

# port_stats_rx NAME PORT: RX-packets of PORT's last "NIC statistics" block.
port_stats_rx() {
	awk -v p="$2" '
		/#+ NIC statistics for port [0-9]+ +#+/ { cur = ($6 == p) }
		cur && $1 == "RX-packets:" { v = $2 }
		END { print v + 0 }' "$(tp_log "$1")"
}

# fwd_window NAME [NPORTS]: forwarding was started on ports 0..NPORTS-1 (2);
# measures the window above. 1 (with a note) when testpmd did not answer.
fwd_window() {
	local name=$1 np=${2:-2} n t0 t1 p
	FWD_PPS=() FWD_PKTS=() FWD_WIN=0
	sleep "$FWD_WARMUP_S"
	n=$(tp_count "$name" 'NIC statistics for port [0-9]+ cleared')
	tp_send "$name" "clear port stats all"
	if ! tp_wait_count "$name" 'NIC statistics for port [0-9]+ cleared' $((n + np)) 20; then
		note "$name: no answer to \"clear port stats all\" within 20 s"
		return 1
	fi
	t0=$EPOCHREALTIME
	sleep "$FWD_WINDOW_S"
	n=$(tp_count "$name" '#+ NIC statistics for port [0-9]+ +#+')
	tp_send "$name" "show port stats all"
	t1=$EPOCHREALTIME
	if ! tp_wait_count "$name" '#+ NIC statistics for port [0-9]+ +#+' $((n + np)) 20; then
		note "$name: no answer to \"show port stats all\" within 20 s"
		return 1
	fi
	# the last block's RX line follows its header: give it a moment
	sleep 0.2
	FWD_WIN=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	for ((p = 0; p < np; p++)); do
		FWD_PKTS[p]=$(port_stats_rx "$name" "$p")
		FWD_PPS[p]=$(awk -v n="${FWD_PKTS[p]}" -v s="$FWD_WIN" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
	done
}

# fwd_flowing NAME [NPORTS]: fwd_window, then 0 if every port received at
# least FWD_FLOOR_PPS over the window; a note with the figures either way.
fwd_flowing() {
	local name=$1 np=${2:-2} p ok=0 msg=
	FWD_FLOWING=no
	fwd_window "$name" "$np" || return 1
	for ((p = 0; p < np; p++)); do
		msg="$msg, port $p RX ${FWD_PKTS[p]} (${FWD_PPS[p]} pps)"
		[ "${FWD_PPS[p]}" -ge "$FWD_FLOOR_PPS" ] 2>/dev/null || ok=1
	done
	note "$name: ${FWD_WIN} s window after ${FWD_WARMUP_S} s warm-up and a counter clear${msg}; floor $FWD_FLOOR_PPS pps a port"
	# shellcheck disable=SC2034 # read by the scenarios (demo.sh)
	[ "$ok" = 0 ] && FWD_FLOWING=yes
	return $ok
}

# The name of the check fwd_flowing backs.
fwd_check_name() {
	echo "$1: forwarding keeps flowing both ways (>= $FWD_FLOOR_PPS pps on every port over a ${FWD_WINDOW_S} s window after the start burst)"
}

# Checks: 2 ports with net_e1000_igb_vf, links up, traffic that keeps
# flowing on both ports (fwd_flowing). Needs TOK (the token file, to check
# it is not logged); FWD_SECS, when set, is the window. Sets FWD_RX0/FWD_RX1
# to the packets received per port since "start".
vf_forward() {
	local name=$1 mac0 mac1 rx0 rx1 l0 l1 n
	shift
	FWD_WINDOW_S=${FWD_SECS:-$FWD_WINDOW_S}
	tp_start "$name" -l 0,1 --file-prefix "$name" "$@" \
		-- -i --total-num-mbufs=$MBUFS
	if ! tp_wait "$name" 'testpmd> ' 180; then
		check "$name: testpmd on the VFs starts" false
		tail -n 30 "$(tp_log "$name")" | sed 's/^/  | /'
		tp_stop "$name"
		return 1
	fi
	vf_pair_ready "$name"
	mac0=$VF_MAC0
	mac1=$VF_MAC1
	l0=$VF_LINK0
	l1=$VF_LINK1
	echo "  $name: port 0 $mac0 link $l0, port 1 $mac1 link $l1"
	check "$name: link up on both ports" test "$l0/$l1" = up/up
	tp_send "$name" "start tx_first"
	check "$(fwd_check_name "$name")" fwd_flowing "$name"
	# "stop" prints every port's block, the accumulated one, then "Done.":
	# wait for that line (one more than before) rather than a fixed second.
	n=$(tp_count "$name" '^Done\.')
	tp_send "$name" "stop"
	tp_wait_count "$name" '^Done\.' $((n + 1)) 30
	rx0=$(port_rx "$name" 0)
	rx1=$(port_rx "$name" 1)
	echo "  $name: since start: RX port 0 $rx0, port 1 $rx1, TX port 0 $(port_tx "$name" 0), port 1 $(port_tx "$name" 1)"
	# shellcheck disable=SC2034 # read by the scenarios
	FWD_RX0=$rx0
	# shellcheck disable=SC2034
	FWD_RX1=$rx1
	tp_stop "$name"
	check "$name: testpmd exits cleanly" test $? = 0
	check "$name: the token is not in the log" token_not_in "$(tp_log "$name")" "$TOK"
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

# proc_cpu_s PID: user + system CPU time of a process in seconds
# (/proc/PID/stat fields 14 and 15, in clock ticks).
proc_cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' \
		"/proc/$1/stat" 2>/dev/null
}

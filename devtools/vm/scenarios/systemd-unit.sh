#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The systemd units vftoken-vfio.service and vftoken-vfs@PF.service
# (config/systemd/, as meson configured them in $VFTOKEN_BUILD), run the way
# systemd would run them: the guest has no systemd, so this script reads
# the units and plays the manager's part.
#
#  - "install": the built vftoken goes where the units' ExecStart= expects
#    it, /etc/vftoken/PF.conf (NUM_VFS=2) and a 0600 /etc/vftoken/PF.token
#    (vftoken token generate). All of it lands in the guest's tmpfs overlay
#    and vanishes at power-off.
#  - per unit: EnvironmentFile= loaded, %I/%i/%% and ${VAR}/$VAR expanded,
#    the '-' prefix honoured, Exec lines run in order (ExecStartPre,
#    ExecStart; later ExecStop), each under an emulation of the unit's
#    sandbox: CapabilityBoundingSet= and NoNewPrivileges= (setpriv),
#    ProtectSystem=strict, ProtectHome=, PrivateTmp= (a mount namespace with
#    every mount but /dev, /proc, /sys read-only), PrivateNetwork= (a network
#    namespace), DevicePolicy=closed/DeviceAllow=/PrivateDevices= (a cgroup
#    v1 device controller whose rules are resolved when the unit starts,
#    before its first Exec line, as systemd does), UMask=. Not emulated:
#    SystemCallFilter=, RestrictAddressFamilies=, MemoryDenyWriteExecute=,
#    LockPersonality=, RestrictNamespaces=, Protect{Clock,KernelLogs,
#    Hostname,ControlGroups}= (seccomp and friends).
#  - vftoken-vfio.service first (vftoken-vfs@ Requires= and After= it),
#    then vftoken-vfs@$VM_PF; checks with sysfs, `vftoken status --json` and
#    `vftoken check VF --token-file /etc/vftoken/PF.token`; ExecStop; checks.
#  - again with vfio-pci already loaded with enable_sriov=N (the case
#    modprobe's parameter cannot fix), and once with the device policy
#    resolved before vfio was loaded, to show why vftoken-vfio.service is a
#    unit of its own.
#
# One line per check, "N passed, N failed". Runs inside the VM rig
# (devtools/vm/README.md): devtools/vm/run.sh --kernel 6.1 systemd-unit


# Functions are called through check(): not unreachable.
# shellcheck disable=SC2317
set -u

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

PF=$VM_PF
INST=$PF
NUM_VFS=2
OUT=$VM_SCRATCH
UNIT_DIR=$VFTOKEN_BUILD/config/systemd
BUILT_VFT=$VFTOKEN_BUILD/app/vftoken/vftoken
ETC=/etc/vftoken
CG_BASE=/sys/fs/cgroup/devices

# ---- reading a unit ----------------------------------------------------------
# unit_json UNIT_FILE INSTANCE OUT: the unit as systemd would take it, as
# JSON in OUT: {"exec": {"ExecStart": [{"ignore": bool, "argv": [...]}],
# ...}, "settings": {"Key": ["value", ...]}}, and as two tables for the
# shell beside it: OUT.set (KEY<TAB>value, a line per value) and OUT.exec
# (KEY<TAB>ignore<TAB>argv as shell words). A jq costs about 0.5 s under
# TCG: one per lookup made each emulated unit start take 16 to 18 s.
# EnvironmentFile= is read now, so call it after the files exist.
unit_json() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, re, shlex, sys

path, inst, out = sys.argv[1], sys.argv[2], sys.argv[3]
settings = {}
section = None
with open(path, encoding='utf-8') as f:
    text = f.read().replace('\\\n', ' ')
for line in text.split('\n'):
    line = line.strip()
    if not line or line[0] in '#;':
        continue
    if line.startswith('['):
        section = line.strip('[]')
        continue
    key, _, value = line.partition('=')
    if section in ('Unit', 'Service'):
        values = settings.setdefault(key.strip(), [])
        if value.strip() == '' and key.strip() != 'CapabilityBoundingSet':
            values.clear()          # an empty assignment resets a list
        else:
            values.append(value.strip())


def specifiers(s):
    return re.sub(r'%([%iI])', lambda m: '%' if m.group(1) == '%' else inst, s)


env = {}
for ef in settings.get('EnvironmentFile', []):
    ef = specifiers(ef)
    optional = ef.startswith('-')
    try:
        with open(ef.lstrip('-'), encoding='utf-8') as f:
            for line in f:
                line = line.strip()
                if line and line[0] not in '#;' and '=' in line:
                    k, _, v = line.partition('=')
                    env[k.strip()] = v.strip().strip('"\'')
    except FileNotFoundError:
        if not optional:
            sys.exit('EnvironmentFile %s missing' % ef)


def expand(word):
    """systemd.service(5): ${VAR} is one word, $VAR alone splits."""
    m = re.fullmatch(r'\$([A-Za-z_][A-Za-z0-9_]*)', word)
    if m:
        return env.get(m.group(1), '').split()
    return [re.sub(r'\$\{([A-Za-z_][A-Za-z0-9_]*)\}',
                   lambda m: env.get(m.group(1), ''), word)
            .replace('$$', '$')]


execs = {}
for key in ('ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecStop',
            'ExecStopPost'):
    for line in settings.get(key, []):
        ignore = False
        while line[:1] in '-@+!:':
            ignore = ignore or line[0] == '-'
            line = line[1:]
        argv = []
        for w in shlex.split(specifiers(line)):
            argv += expand(w)
        execs.setdefault(key, []).append({'ignore': ignore, 'argv': argv})
with open(out, 'w') as f:
    json.dump({'exec': execs, 'settings': settings}, f)
with open(out + '.set', 'w') as f:
    for k, vals in settings.items():
        for v in vals:
            f.write('%s\t%s\n' % (k, v))
with open(out + '.exec', 'w') as f:
    for k, lines in execs.items():
        for e in lines:
            f.write('%s\t%s\t%s\n' % (k, 'true' if e['ignore'] else 'false',
                                      ' '.join(shlex.quote(a) for a in e['argv'])))
PY
}

# setting JSON KEY: the values of KEY, one a line (from JSON.set)
setting() { awk -F'\t' -v k="$2" '$1 == k { print $2 }' "$1.set"; }
setting_is() { [ "$(setting "$1" "$2" | tail -1)" = "$3" ]; }

# ---- the sandbox ---------------------------------------------------------------
# The device cgroup of a unit (cgroup v1 "devices" controller, the rules
# systemd's DevicePolicy=closed puts in BPF): standard pseudo devices plus
# DeviceAllow=, resolved from /dev and /proc/devices when called.
cg_setup() {
	local j=$1 name=$2 cg=$CG_BASE/$2 d maj
	mkdir -p "$cg" || return 1
	echo a >"$cg/devices.deny" || return 1
	if ! setting_is "$j" DevicePolicy closed && ! setting_is "$j" PrivateDevices yes; then
		echo "a *:* rwm" >"$cg/devices.allow"
		return 0
	fi
	# systemd's "closed": null zero full random urandom tty ptmx pts
	for d in 1:3 1:5 1:7 1:8 1:9 5:0 5:2; do
		echo "c $d rwm" >"$cg/devices.allow"
	done
	echo "c 136:* rw" >"$cg/devices.allow"
	setting_is "$j" PrivateDevices yes && return 0
	setting "$j" DeviceAllow | while read -r spec acc; do
		case "$spec" in
		/dev/*)
			[ -e "$spec" ] || { note "$name: DeviceAllow $spec: not there yet, no rule"; continue; }
			d=$(stat -L -c '%t %T' "$spec") || continue
			printf 'c %d:%d %s\n' "0x${d% *}" "0x${d#* }" "$acc" >"$cg/devices.allow"
			;;
		char-*)
			maj=$(awk -v n="${spec#char-}" '/^Block/ { exit } $2 == n { print $1 }' /proc/devices)
			[ -n "$maj" ] || { note "$name: DeviceAllow $spec: no such major yet, no rule"; continue; }
			echo "c $maj:* $acc" >"$cg/devices.allow"
			;;
		esac
	done
	note "$name: device rules: $(tr '\n' ' ' <"$cg/devices.list")"
}

cg_teardown() { rmdir "$CG_BASE/$1" 2>/dev/null; }

# The mount namespace of ProtectSystem=strict, ProtectHome=yes,
# PrivateTmp=yes, run inside `unshare --mount`, then exec the command.
# shellcheck disable=SC2016,SC2089 # a script for the inner shell
SANDBOX_SH='
set -e
mount --make-rprivate /
if [ "$PROTECT_SYSTEM" = strict ]; then
	awk "{ print \$5 }" /proc/self/mountinfo | sort -u | while read -r m; do
		case "$m" in /dev|/dev/*|/proc|/proc/*|/sys|/sys/*) continue ;; esac
		mount -o remount,bind,ro "$m" 2>/dev/null || true
	done
fi
if [ "$PROTECT_HOME" = yes ]; then
	for h in /home /root /run/user; do
		[ -d "$h" ] && mount -t tmpfs -o ro,mode=000 tmpfs "$h"
	done
fi
if [ "$PRIVATE_TMP" = yes ]; then
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	[ -d /var/tmp ] && mount -t tmpfs -o mode=1777 tmpfs /var/tmp
fi
umask "$UMASK"
exec setpriv $SETPRIV -- "$@"
'

# sandbox_run JSON CGNAME ARGV...: one Exec line under the unit's sandbox.
sandbox_run() {
	local j=$1 cg=$2 caps c bset="-all" setpriv umask
	shift 2
	umask=$(setting "$j" UMask | tail -1)
	caps=$(setting "$j" CapabilityBoundingSet | tail -1)
	for c in $caps; do
		c=${c#CAP_}
		bset="$bset,+${c,,}"
	done
	setpriv="--bounding-set=$bset --inh-caps=-all"
	setting_is "$j" NoNewPrivileges yes && setpriv="$setpriv --no-new-privs"
	local -a ns=(--mount)
	setting_is "$j" PrivateNetwork yes && ns+=(--net)
	PROTECT_SYSTEM=$(setting "$j" ProtectSystem | tail -1) \
		PROTECT_HOME=$(setting "$j" ProtectHome | tail -1) \
		PRIVATE_TMP=$(setting "$j" PrivateTmp | tail -1) \
		UMASK=${umask:-0022} \
		SETPRIV=$setpriv CG=$CG_BASE/$cg \
		bash -c 'echo $$ >"$CG/cgroup.procs" && exec unshare "$@"' \
		sandbox "${ns[@]}" -- sh -c "$SANDBOX_SH" sandbox "$@"
}

# run_execs JSON CGNAME KEY: the KEY lines in order, as systemd: a failure
# ends the sequence unless the line has the '-' prefix. Output goes to
# $OUT/exec.log, each line's exit status to EXEC_RCS. Returns 0 if all ran.
EXEC_RCS=()
run_execs() {
	local j=$1 cg=$2 key=$3 k ign words rc
	local -a argv
	EXEC_RCS=()
	while IFS=$'\t' read -r -u 7 k ign words; do
		[ "$k" = "$key" ] || continue
		# words: each argument quoted by Python's shlex.quote
		eval "argv=($words)"
		echo "\$ [$cg $key] ${argv[*]}" >>"$OUT/exec.log"
		timeout 120 bash -c 'sandbox_run "$@"' _ "$j" "$cg" "${argv[@]}" \
			>>"$OUT/exec.log" 2>&1 7<&-
		rc=$?
		EXEC_RCS+=("$rc")
		echo "  -> exit $rc" >>"$OUT/exec.log"
		note "$key: ${argv[*]} -> exit $rc"
		if [ "$rc" -ne 0 ] && [ "$ign" != true ]; then
			return 1
		fi
	done 7<"$j.exec"
	return 0
}
export -f sandbox_run setting setting_is
# shellcheck disable=SC2090 # run by sh -c, not expanded
export SANDBOX_SH CG_BASE

# start_unit FILE CGNAME JSON_OUT: what `systemctl start` does for a
# oneshot: cgroup (device rules) first, then ExecStartPre, ExecStart.
start_unit() {
	unit_json "$1" "$INST" "$3" || return 1
	cg_setup "$3" "$2" || return 1
	run_execs "$3" "$2" ExecStartPre && run_execs "$3" "$2" ExecStart
}

stop_unit() { run_execs "$2" "$1" ExecStop; }

# ---- set-up --------------------------------------------------------------------
VFS_UNIT=$UNIT_DIR/vftoken-vfs@.service
VFIO_UNIT=$UNIT_DIR/vftoken-vfio.service
: >"$OUT/exec.log"

check "units configured in the build ($UNIT_DIR)" test -s "$VFS_UNIT" -a -s "$VFIO_UNIT"
if [ ! -s "$VFS_UNIT" ] || [ ! -s "$VFIO_UNIT" ]; then
	finish
	exit
fi

# Where the unit runs vftoken from: put the build's binary there, as
# `meson install` would (the guest's / is an overlay on tmpfs).
UNIT_VFT=$(sed -n 's|^ExecStart=\(/[^ ]*/vftoken\) .*|\1|p' "$VFS_UNIT" | head -1)
install_bin() { install -D -m 0755 "$BUILT_VFT" "$UNIT_VFT"; }
check "vftoken installed where the unit runs it ($UNIT_VFT)" install_bin

install -d -m 0700 "$ETC"
echo "NUM_VFS=$NUM_VFS" >"$ETC/$PF.conf"
check "token generated: $ETC/$PF.token" \
	"$UNIT_VFT" token generate --out "$ETC/$PF.token"
other_token() { "$UNIT_VFT" token generate --out "$OUT/other.token" >/dev/null; }
check "a second, different token for negative checks" other_token
token_mode() { [ "$(stat -c %a "$ETC/$PF.token")" = 600 ]; }
check "token file mode 0600" token_mode

if ! mountpoint -q /sys/fs/cgroup 2>/dev/null; then
	mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
fi
mkdir -p "$CG_BASE"
mountpoint -q "$CG_BASE" || mount -t cgroup -o devices devices "$CG_BASE"
check "cgroup v1 device controller for DevicePolicy= (mounted at $CG_BASE)" \
	test -w "$CG_BASE/devices.allow"

# ---- checks of the started state -----------------------------------------------
checks_started() {
	local tag=$1 vfs vf t

	check "$tag: PF $PF on vfio-pci" test "$(driver_of "$PF")" = vfio-pci
	check "$tag: sriov_numvfs = $NUM_VFS" \
		test "$(cat "$(dev "$PF")/sriov_numvfs" 2>/dev/null)" = "$NUM_VFS"
	mapfile -t vfs < <(vfs_of "$PF")
	check "$tag: $NUM_VFS VFs in sysfs" test "${#vfs[@]}" -eq "$NUM_VFS"
	for vf in "${vfs[@]}"; do
		check "$tag: VF $vf on vfio-pci" test "$(driver_of "$vf")" = vfio-pci
	done
	"$UNIT_VFT" status "$PF" >"$OUT/status-$tag.txt" 2>&1
	"$UNIT_VFT" status --json "$PF" >"$OUT/status-$tag.json" 2>"$OUT/status-$tag.err"
	t=$(jq -r --arg pf "$PF" --argjson n "$NUM_VFS" '
		(.pfs[] | select(.addr == $pf)) as $p
		| ($p.driver == "vfio-pci") and ($p.num_vfs == $n)
		  and ($p.vfs_token_gated == true) and ($p.vfs | length == $n)
		  and all($p.vfs[]; .driver == "vfio-pci")
		  and (.vfio_pci.enable_sriov == "Y")' "$OUT/status-$tag.json" 2>/dev/null)
	check "$tag: status --json: PF and $NUM_VFS VFs on vfio-pci, token-gated, enable_sriov Y" \
		test "$t" = true
	[ "${#vfs[@]}" -gt 0 ] || return
	vf=${vfs[0]}
	"$UNIT_VFT" check "$vf" --json --token-file "$ETC/$PF.token" \
		>"$OUT/check-$tag.json" 2>&1
	check "$tag: vftoken check $vf --token-file $ETC/$PF.token opens (exit $?)" \
		test "$(jq -r .verdict "$OUT/check-$tag.json" 2>/dev/null)" = ok
	"$UNIT_VFT" check "$vf" >"$OUT/check-$tag-none.out" 2>&1
	check "$tag: without a token the VF is refused (exit $?, 6 expected)" test $? -eq 6
	"$UNIT_VFT" check "$vf" --token-file "$OUT/other.token" >"$OUT/check-$tag-other.out" 2>&1
	check "$tag: another token is rejected (exit $?, 7 expected)" test $? -eq 7
}

checks_stopped() {
	local tag=$1 n t
	n=$(cat "$(dev "$PF")/sriov_numvfs" 2>/dev/null)
	check "$tag: after ExecStop sriov_numvfs = 0" test "$n" = 0
	check "$tag: after ExecStop no virtfn0" test ! -e "$(dev "$PF")/virtfn0"
	"$UNIT_VFT" status --json "$PF" >"$OUT/status-$tag-stopped.json" 2>&1
	t=$(jq -r --arg pf "$PF" '(.pfs[] | select(.addr == $pf))
		| (.num_vfs == 0) and (.vfs | length == 0)' "$OUT/status-$tag-stopped.json" 2>/dev/null)
	check "$tag: status --json shows no VFs" test "$t" = true
}

no_token_leak() {
	local t
	t=$(tr -d '\n-' <"$ETC/$PF.token" | head -c 32)
	! grep -Eq "$UUID_RE" "$OUT/exec.log" &&
		! tr -d '-' <"$OUT/exec.log" | grep -qi "$t" &&
		! grep -Eq "$UUID_RE" "$OUT/vfs.json" "$OUT/vfio.json"
}

# ---- 1: fresh boot: vfio-pci not loaded ----------------------------------------
echo "== boot: vfio-pci not loaded"
check "vfio-pci not loaded before the units" test ! -d /sys/module/vfio_pci
check "start vftoken-vfio.service" start_unit "$VFIO_UNIT" vftoken-vfio "$OUT/vfio.json"
check "vfio-pci loaded, enable_sriov=Y" \
	test "$(cat /sys/module/vfio_pci/parameters/enable_sriov 2>/dev/null)" = Y
check "start vftoken-vfs@$INST.service" start_unit "$VFS_UNIT" vftoken-vfs "$OUT/vfs.json"
checks_started boot
# The emulated sandbox is in force (else the passes above prove little).
probe() { timeout 60 bash -c 'sandbox_run "$@"' _ "$1" "$2" sh -c "$3" 2>&1; }
check "sandbox vfs@: no capabilities" \
	test "$(probe "$OUT/vfs.json" vftoken-vfs 'sed -n "s/^CapBnd:\t//p" /proc/self/status')" = 0000000000000000
check "sandbox vfio: CAP_SYS_MODULE only" \
	test "$(probe "$OUT/vfio.json" vftoken-vfio 'sed -n "s/^CapBnd:\t//p" /proc/self/status')" = 0000000000010000
check "sandbox vfs@: no_new_privs" \
	test "$(probe "$OUT/vfs.json" vftoken-vfs 'sed -n "s/^NoNewPrivs:\t//p" /proc/self/status')" = 1
check "sandbox vfs@: /etc read-only" \
	test "$(probe "$OUT/vfs.json" vftoken-vfs 'touch /etc/vftoken/x 2>/dev/null && echo rw || echo ro')" = ro
check "sandbox vfs@: only lo in its network namespace" \
	test "$(probe "$OUT/vfs.json" vftoken-vfs 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "')" = lo
check "sandbox vfio: /dev/vfio/vfio refused (PrivateDevices)" \
	test "$(probe "$OUT/vfio.json" vftoken-vfio 'dd if=/dev/vfio/vfio count=0 2>/dev/null && echo open || echo refused')" = refused
check "stop vftoken-vfs@$INST.service" stop_unit vftoken-vfs "$OUT/vfs.json"
checks_stopped boot
check "no token in the Exec lines or their output" no_token_leak
cg_teardown vftoken-vfs
cg_teardown vftoken-vfio

# ---- 2: vfio-pci already loaded without enable_sriov ---------------------------
echo "== vfio-pci loaded before, enable_sriov=N"
# unbind the PF so that the module can go
[ -n "$(driver_of "$PF")" ] && echo "$PF" >"$(dev "$PF")/driver/unbind"
modprobe -r vfio-pci && modprobe vfio-pci
check "vfio-pci reloaded with enable_sriov=N" \
	test "$(cat /sys/module/vfio_pci/parameters/enable_sriov 2>/dev/null)" = N
check "start vftoken-vfio.service" start_unit "$VFIO_UNIT" vftoken-vfio "$OUT/vfio.json"
check "enable_sriov=Y through sysfs" \
	test "$(cat /sys/module/vfio_pci/parameters/enable_sriov 2>/dev/null)" = Y
check "start vftoken-vfs@$INST.service" start_unit "$VFS_UNIT" vftoken-vfs "$OUT/vfs.json"
checks_started reload
check "stop vftoken-vfs@$INST.service" stop_unit vftoken-vfs "$OUT/vfs.json"
checks_stopped reload
cg_teardown vftoken-vfs
cg_teardown vftoken-vfio

# ---- 3: why vftoken-vfio.service is a unit of its own --------------------------
# systemd resolves DeviceAllow=char-vfio when the unit's cgroup is set up.
# Had modprobe been an ExecStartPre= of vftoken-vfs@, vfio would not have
# been loaded then: no rule for the VFIO group nodes, and token set fails.
echo "== device policy resolved before vfio was loaded"
[ -n "$(driver_of "$PF")" ] && echo "$PF" >"$(dev "$PF")/driver/unbind"
modprobe -r vfio-pci vfio_iommu_type1 vfio 2>/dev/null
check "vfio unloaded" test ! -d /sys/module/vfio
unit_json "$VFS_UNIT" "$INST" "$OUT/vfs.json"
cg_setup "$OUT/vfs.json" vftoken-vfs
vfio_rules() { grep -v '^c 1:\|^c 5:\|^c 136:' "$CG_BASE/vftoken-vfs/devices.list"; }
check "no VFIO rule in the device cgroup set up before vfio was loaded" \
	test -z "$(vfio_rules)"
modprobe vfio-pci enable_sriov=1
run_execs "$OUT/vfs.json" vftoken-vfs ExecStart
check "vfs create still works (sysfs only): exit ${EXEC_RCS[0]:-none}" \
	test "${EXEC_RCS[0]:-}" = 0
check "token set is refused for lack of the VFIO device rules: exit ${EXEC_RCS[1]:-none}, 9 (permission) expected" \
	test "${EXEC_RCS[1]:-}" = 9
run_execs "$OUT/vfs.json" vftoken-vfs ExecStop
cg_teardown vftoken-vfs

finish

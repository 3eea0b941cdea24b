#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The broker (app/vftokend) and unprivileged DPDK (doc/guides/broker.rst).
#
# 1. The recipe, before any broker: dpdk-testpmd as uid 1000 (setpriv, no
#    capabilities, a clean environment) with the sriov bus plugin (-d) and
#    --no-pci --vdev net_null0. Without a hugetlbfs mount of its own it
#    fails (the EAL's line is checked); with one (uid=, gid=, mode=0700,
#    size=), --huge-dir, its runtime dir (XDG_RUNTIME_DIR), a bounded
#    RLIMIT_MEMLOCK and --no-mlockall it forwards. /dev/vfio/vfio and every
#    /dev/vfio/N are root's, mode 0600, for the whole scenario: the uids
#    cannot open them (checked), the CLI says no-permission (exit 9).
# 2. The broker in the foreground (log to a file), a policy: uid 1000 may
#    open VFs 0 and 1, uid 1001 the PF, uid 0 rotate the PF and open VFs
#    0 to 2. The token: /etc/vftoken/PF.token (0600, dir 0700).
#    - a PF testpmd as uid 1001 through the broker (VFTOKEN_BROKER=);
#    - with the default 8 MiB RLIMIT_MEMLOCK the VF's DMA maps fail (the
#      recipe's memlock step; the VF testpmd's VmLck with the recipe's
#      limit is reported);
#    - testpmd as uid 1000 through the broker (vf_token_broker=) on VF 0
#      and VF 1, mac forwarding VF to VF;
#    - uid 1002 (no rule) refused: clear error from the CLI and from a
#      testpmd, a "refused" line in the broker log;
#    - rotation through the broker while the VFs forward: counters keep
#      growing, a direct open of VF 2 with the old token is token-rejected,
#      with the new file it opens, a broker open works;
#    - broker restart (SIGTERM: exit 0, start again) while they forward:
#      traffic goes on, a new open works; a rotation now (the new broker
#      has no reference to the PF) is refused and changes nothing;
#    - clients that die mid-request (connect only, half a header, a whole
#      request and exit before the reply) and one that connects and stays
#      silent: the broker keeps serving, holds no device afterwards, and
#      closes the silent one's connection after 10 s (logged);
#    - the token (old and new, every encoding token_scan knows) in no
#      testpmd or CLI output, /proc/PID/cmdline, environ, the broker log,
#      nor any file under /run, /tmp, /dev/shm the uids can read; the token
#      file unreadable to them;
#    - the VF testpmd's two VFs reach the broker in one request (open-many),
#      logged [1 of 2 at once], [2 of 2 at once]; with the VFs free, root
#      asks for VFs 0, 1, 2 at once (three replies in order, the container
#      with the first, logged in order), uid 1000 for 2, 0, 1 (2 refused,
#      0 and 1 opened), and a client sends one and never reads: the broker
#      keeps nothing;
#    - 1000 requests while the VFs forward (lib/broker_client.py, a
#      connection each): 500 opens of the busy VF 0 by uid 1000 (allowed,
#      the open fails), 500 of VF 2 by uid 1002 (refused); each answered
#      with an error and no fd; the broker's fd count does not grow, its
#      RSS may not grow by more than 256 KiB (both reported); then 20
#      whole opens (fds handed over) by uid 1000 with the VFs free, no fd
#      growth either.
#
# One line per check, "N passed, N failed".

# Functions are called through check(): not unreachable.
# shellcheck disable=SC2317
HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

PF=$VM_PF
VF0=$(vf_addr "$PF" 0)
VF1=$(vf_addr "$PF" 1)
VF2=$(vf_addr "$PF" 2)
ETC=/etc/vftoken
TOKEN=$ETC/$PF.token
POLICY=$ETC/broker.policy
SOCK=/run/vftoken/broker.sock
BLOG=$OUTDIR/broker.log
# Root's copies of the tokens, for the scans.
SECRET=/run/vftoken-secret
OLD_TOKEN=$SECRET/old.token
# What the uids get: a hugetlbfs mount each, bounded, and the same
# RLIMIT_MEMLOCK (the DMA maps pin at most what the mount holds).
HP_SIZE_MB=128
MEMLOCK=$((HP_SIZE_MB * 1024 * 1024))
WRAP=/run/vftoken-test
CLIENT=$HERE/../lib/broker_client.py
FWD_SECS=${FWD_SECS:-3}

# ---- running as another uid ------------------------------------------------
# The uids have no passwd entry: setpriv needs none.
# as_uid UID [VAR=VALUE...] CMD...: CMD as UID:UID, no supplementary
# groups, no capabilities, RLIMIT_MEMLOCK $MEMLOCK, and only PATH, HOME,
# XDG_RUNTIME_DIR and the given variables in its environment.
as_uid() {
	local u=$1
	shift
	prlimit --memlock="$MEMLOCK:$MEMLOCK" -- \
		setpriv --reuid="$u" --regid="$u" --clear-groups --inh-caps=-all \
		env -i PATH=/usr/bin:/bin HOME=/ XDG_RUNTIME_DIR="/run/user/$u" "$@"
}

# user_setup UID: what root prepares for a DPDK user (the recipe): a
# hugetlbfs mount owned by it, mode 0700, HP_SIZE_MB; its runtime dir.
user_setup() {
	local u=$1 hp=/run/vftoken-hp/$1
	mkdir -p "$hp" "/run/user/$u" || return 1
	chown "$u:$u" "/run/user/$u" && chmod 0700 "/run/user/$u" || return 1
	mount -t hugetlbfs -o "uid=$u,gid=$u,mode=0700,pagesize=2M,size=${HP_SIZE_MB}M" \
		nodev "$hp"
}

# testpmd_as UID [MEMLOCK-BYTES] [VAR=VALUE...]: writes the wrapper that
# tp_start runs as TESTPMD (stdbuf's LD_PRELOAD and _STDBUF_* kept) and
# prints its path.
testpmd_as() {
	local u=$1 lim=${2:-$MEMLOCK} w
	shift 2
	w=$WRAP/testpmd-$u-$lim
	mkdir -p "$WRAP" && chmod 0755 "$WRAP"
	cat >"$w" <<EOF
#!/bin/sh
exec prlimit --memlock=$lim:$lim -- \\
	setpriv --reuid=$u --regid=$u --clear-groups --inh-caps=-all \\
	env -i PATH=/usr/bin:/bin HOME=/ XDG_RUNTIME_DIR=/run/user/$u \\
	LD_PRELOAD="\$LD_PRELOAD" _STDBUF_O="\$_STDBUF_O" _STDBUF_E="\$_STDBUF_E" \\
	$* /usr/bin/dpdk-testpmd "\$@"
EOF
	chmod 0755 "$w"
	echo "$w"
}

# tp_as NAME UID MEMLOCK ENV -- ARGS...: tp_start of a testpmd as UID with
# the recipe's EAL options (--huge-dir, --no-mlockall after --).
tp_as() {
	local name=$1 u=$2 lim=$3 envs=$4 w
	shift 5
	w=$(testpmd_as "$u" "$lim" "$envs")
	TESTPMD=$w tp_start "$name" --huge-dir "/run/vftoken-hp/$u" \
		--file-prefix "$name" "$@"
}

# runs_as NAME UID: the testpmd runs as UID (real, effective, saved, fs)
# with no capability.
runs_as() {
	local st=/proc/${TP_PID[$1]}/status u c
	u=$(awk '/^Uid:/ { print $2 "/" $3 "/" $4 "/" $5 }' "$st")
	c=$(awk '/^CapEff:/ { print $2 }' "$st")
	note "$1: Uid $u, CapEff $c"
	[ "$u" = "$2/$2/$2/$2" ] && [ "$c" = 0000000000000000 ]
}

# vfio_locked: /dev/vfio/vfio and every group node root's, mode 0600.
vfio_lock() {
	chown root:root /dev/vfio/* && chmod 0600 /dev/vfio/*
}
vfio_locked() {
	local f bad=0
	for f in /dev/vfio/*; do
		[ "$(stat -c '%U:%G %a' "$f")" = "root:root 600" ] || {
			note "$f: $(stat -c '%U:%G %a' "$f")"
			bad=1
		}
	done
	[ "$bad" = 0 ]
}

# cannot_open UID FILE: UID cannot open FILE for reading and writing.
cannot_open() {
	! as_uid "$1" sh -c "exec 3<>$2" 2>/dev/null
}

# proc_status NAME FIELD: a field of the testpmd's /proc/PID/status.
proc_status() {
	awk -v f="$2:" '$1 == f { print $2 " " $3 }' "/proc/${TP_PID[$1]}/status"
}

# eal_lines NAME: the EAL/testpmd warnings of a log, as notes.
eal_lines() {
	grep -E '^(EAL|testpmd|Warning|sriov):' "$(tp_log "$1")" |
		grep -Ev 'Detected|create a new mbuf pool|preferred mempool' |
		sort -u | sed "s/^/  $1 says: /"
}

# ---- 1. the recipe, no broker ------------------------------------------------
# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $PF, plugin $PLUGIN, broker $VFTOKEND"
check "python3 exists in the guest" python3 -c 'import socket, struct'
check "plugin, CLI and broker are built" \
	test -r "$PLUGIN" -a -x "$VFT" -a -x "$VFTOKEND"
pf_ready "$PF"
check "3 VFs on vfio-pci (vftoken vfs create)" \
	eval "'$VFT' vfs create $PF 3 >/dev/null && test \"\$(driver_of $VF2)\" = vfio-pci"
check "/dev/vfio locked: every node root's, mode 0600" \
	eval "vfio_lock && vfio_locked"
stat -c "%A %U:%G %n" /dev/vfio/* | sed 's/^/  /'
check "uid 1000 cannot open /dev/vfio/vfio" cannot_open 1000 /dev/vfio/vfio
check "uid 1000 cannot open /dev/vfio/$(group_of "$VF0") (VF 0's group)" \
	cannot_open 1000 "/dev/vfio/$(group_of "$VF0")"
as_uid 1000 "$VFT" check "$VF0" >"$OUTDIR/check-direct-1000.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/check-direct-1000.out" | head -n 4
check "uid 1000: vftoken check $VF0 (no broker) fails: permission (exit $rc, want 9)" \
	test "$rc" = 9

for u in 1000 1001 1002; do
	user_setup "$u" || echo "  user_setup $u failed"
done
# mounted_for UID: its hugetlbfs mount has its uid, gid, mode and size.
mounted_for() {
	local o
	o=$(awk -v m="/run/vftoken-hp/$1" '$2 == m && $3 == "hugetlbfs" { print $4 }' /proc/mounts)
	note "/run/vftoken-hp/$1: ${o:-not mounted}"
	case ,$o, in *,uid=$1,*) ;; *) return 1 ;; esac
	case ,$o, in *,gid=$1,*) ;; *) return 1 ;; esac
	case ,$o, in *,mode=700,*) ;; *) return 1 ;; esac
	case ,$o, in *,size=$MEMLOCK,* | *,size=${HP_SIZE_MB}M,*) ;; *) return 1 ;; esac
}
check "hugetlbfs mounted for uids 1000, 1001, 1002 (uid=, gid=, mode=0700, size=${HP_SIZE_MB}M)" \
	eval "mounted_for 1000 && mounted_for 1001 && mounted_for 1002"

# Without a hugetlbfs mount of its own: /dev/hugepages is root's.
w=$(testpmd_as 1000 "$MEMLOCK" "")
TESTPMD=$w tp_start null-nohp -d "$PLUGIN" -l 0,1 --file-prefix null-nohp \
	--no-pci --vdev net_null0 -- -i --no-mlockall
tp_wait null-nohp 'testpmd> ' 60
check "recipe: without its own hugetlbfs mount testpmd as uid 1000 fails (EAL: Permission denied on /dev/hugepages)" \
	eval "! tp_alive null-nohp && grep -q \"open '/dev/hugepages/.*Permission denied\" $(tp_log null-nohp)"
eal_lines null-nohp
tp_stop null-nohp >/dev/null

tp_as null 1000 "$MEMLOCK" "" -- -d "$PLUGIN" -l 0,1 --no-pci --vdev net_null0 \
	--iova-mode=va -- -i --no-mlockall --total-num-mbufs="$MBUFS"
check "recipe: testpmd as uid 1000 with the plugin, net_null0 reaches its prompt" \
	tp_wait null 'testpmd> ' 60
check "recipe: it runs as uid 1000 with no capability" runs_as null 1000
check "recipe: its runtime dir is XDG_RUNTIME_DIR (/run/user/1000/dpdk/null)" \
	test -S /run/user/1000/dpdk/null/mp_socket
check "recipe: IOVA as VA" grep -q "Selected IOVA mode 'VA'" "$(tp_log null)"
tp_send null "start"
sleep 2
tp_send null "stop"
tp_wait null 'Accumulated forward statistics' 20
sleep 0.5
check "recipe: net_null0 forwards as uid 1000 (RX $(port_rx null 0))" \
	test "$(port_rx null 0)" -gt 0
eal_lines null
tp_stop null
check "recipe: testpmd as uid 1000 exits cleanly" test $? = 0

# ---- 2. the broker -----------------------------------------------------------
if [ ! -x "$VFTOKEND" ]; then
	echo "no broker at $VFTOKEND: the broker checks cannot run"
	check "the broker is built" false
	finish
	exit 1
fi
install -d -m 0700 "$ETC" "$SECRET"
install -d -m 0755 /run/vftoken
"$VFT" token set "$PF" --generate --out "$TOKEN" >"$OUTDIR/token-set.out" 2>&1
check "PF token set from a new 0600 file $TOKEN" \
	test "$(stat -c '%a' "$TOKEN")" = 600
cp -p "$TOKEN" "$OLD_TOKEN"
FP_OLD=$(grep -Eo 'fp:[0-9a-f]{8}' "$OUTDIR/token-set.out" | head -n 1)
note "token fingerprint $FP_OLD"
cat >"$POLICY" <<EOF
# broker scenario: uid 1000 drives VFs 0 and 1, uid 1001 the PF, root
# rotates and may open any function of the PF; everyone else: default deny
allow uid=1000 action=open pf=$PF vf=0,1
allow uid=1001 action=open pf=$PF
allow uid=0 action=rotate pf=$PF
allow uid=0 action=open pf=$PF vf=0,1,2
EOF
chmod 0644 "$POLICY"

BROKER_PID=
# broker_stop: SIGTERM; the broker's exit status (124 if it did not exit
# within 10 s).
broker_stop() {
	local i
	kill -TERM "$BROKER_PID" 2>/dev/null || return 1
	for ((i = 0; i < 100; i++)); do
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$BROKER_PID" 2>/dev/null; then
		kill -9 "$BROKER_PID"
		wait "$BROKER_PID" 2>/dev/null
		return 124
	fi
	wait "$BROKER_PID"
}

broker_alive() { kill -0 "$BROKER_PID" 2>/dev/null; }
broker_fds() { find "/proc/$BROKER_PID/fd" -mindepth 1 2>/dev/null | wc -l; }
broker_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$BROKER_PID/status"; }
# broker_vfio_fds: the broker's fds on /dev/vfio (none between requests).
broker_vfio_fds() {
	local l n=0
	for l in "/proc/$BROKER_PID"/fd/*; do
		case $(readlink "$l" 2>/dev/null) in /dev/vfio/*) n=$((n + 1)) ;; esac
	done
	echo "$n"
}

# logged REGEX: a broker log line matches (extended regex).
logged() { grep -Eq -- "$1" "$BLOG"; }
# refusals_counted UID: the refusals of UID the log accounts for: the lines
# that name one, and the counts of those it did not log.
refusals_counted() {
	awk -v u="uid=$1" '
		index($0, u " ") && / refused \(/ { n++ }
		$2 == u ":" && /more refusals in the last/ { n += $3 }
		END { print n + 0 }' "$BLOG"
}

check "broker starts in the foreground, socket $SOCK" broker_start --token-dir "$ETC"
# /proc/PID/cmdline is world-readable: paths only.
cat "/proc/$BROKER_PID/cmdline" >"$OUTDIR/broker.cmdline" 2>/dev/null
note "socket: $(stat -c '%A %U:%G' "$SOCK" 2>/dev/null)"

# ---- the PF as uid 1001 --------------------------------------------------
tp_as pf 1001 "$MEMLOCK" "VFTOKEN_BROKER=$SOCK" -- -d "$PLUGIN" -l 0,1 \
	--iova-mode=va -a "$PF" --log-level=bus.sriov:info \
	-- -i --no-mlockall --total-num-mbufs="$MBUFS"
check "PF testpmd as uid 1001 through the broker (VFTOKEN_BROKER) starts" \
	tp_wait pf 'testpmd> ' 120
check "PF: it runs as uid 1001 with no capability" runs_as pf 1001
check "PF: probed by net_e1000_igb on the sriov bus" \
	grep -q "sriov: $PF: probe PCI driver net_e1000_igb " "$(tp_log pf)"
check "broker log: uid=1001 open $PF allowed, opened, token set on the PF" \
	logged "^vftokend: .*uid=1001 .*$PF.*allowed \(rule at line 4\); opened, path group.*set on the PF"
grep -E "uid=1001 " "$BLOG" | sed 's/^/  | /' | head -n 4
eal_lines pf
if ! tp_alive pf; then
	tp_tail pf 30
fi

# ---- the recipe's memlock: 8 MiB (the default) is too little -----------------
tp_as vf-8m 1000 8388608 "" -- -d "$PLUGIN" -l 0,1 --iova-mode=va \
	-a "$VF0,vf_token_broker=$SOCK" -- -i --no-mlockall --total-num-mbufs="$MBUFS"
tp_wait vf-8m 'testpmd> ' 60
# The DMA maps of the memory DPDK allocates pin it, charged to the
# client's RLIMIT_MEMLOCK: the default 8 MiB covers the first 4 segments,
# mapped at the open; the maps of the memory testpmd allocates next fail.
check "recipe: RLIMIT_MEMLOCK 8 MiB (the default): the VF's DMA maps fail (VFIO_IOMMU_MAP_DMA: Cannot allocate memory)" \
	grep -q 'VFIO_IOMMU_MAP_DMA of .*Cannot allocate memory' "$(tp_log vf-8m)"
check "recipe: the bus names RLIMIT_MEMLOCK and how to raise it when a DMA map fails" \
	grep -q 'DMA maps pin memory against RLIMIT_MEMLOCK, 8192 KiB in this process' "$(tp_log vf-8m)"
note "vf-8m: $(grep -c 'VFIO_IOMMU_MAP_DMA of .*Cannot allocate memory' "$(tp_log vf-8m)") failed maps; port 0 came up: $(grep -c '^Port 0: ' "$(tp_log vf-8m)") (the bus does not fail a device for a map that fails after its open)"
grep -E '^sriov:' "$(tp_log vf-8m)" | sed 's/^/  | /' | head -n 4
tp_stop vf-8m >/dev/null

# ---- VF to VF as uid 1000 --------------------------------------------------------
# port_nic NAME PORT KEY: a counter of the last "show port stats" block.
port_nic() {
	awk -v p="$2" -v k="$3" '
		/NIC statistics for port/ { cur = ($6 == p) }
		/Forward statistics|Accumulated forward/ { cur = 0 }
		cur && $1 == k { n = $2 }
		END { print n + 0 }' "$(tp_log "$1")"
}
# rx_now NAME: "RX0 RX1", the ports' received packets now.
rx_now() {
	tp_send "$1" "show port stats all"
	tp_sync "$1" 10
	echo "$(port_nic "$1" 0 RX-packets:) $(port_nic "$1" 1 RX-packets:)"
}
# grows BEFORE AFTER: both counters grew.
grows() {
	local a b
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	note "RX port 0 ${a[0]} -> ${b[0]}, port 1 ${a[1]} -> ${b[1]}"
	[ "${b[0]}" -gt "${a[0]}" ] && [ "${b[1]}" -gt "${a[1]}" ]
}

tp_as vf 1000 "$MEMLOCK" "" -- -d "$PLUGIN" -l 0,1 --iova-mode=va \
	-a "$VF0,vf_token_broker=$SOCK" -a "$VF1,vf_token_broker=$SOCK" \
	--log-level=bus.sriov:info -- -i --no-mlockall --total-num-mbufs="$MBUFS"
check "VF testpmd as uid 1000 through the broker (vf_token_broker=) starts" \
	tp_wait vf 'testpmd> ' 120
check "VF: it runs as uid 1000 with no capability" runs_as vf 1000
eal_lines vf
check "broker log: uid=1000 open of $VF0 and $VF1 allowed (rule at line 3), opened" \
	eval "logged '^vftokend: .*uid=1000 .*$VF0.*allowed \(rule at line 3\)' &&
		logged '^vftokend: .*uid=1000 .*$VF1.*allowed \(rule at line 3\)' &&
		test \$(grep -c 'uid=1000 .*opened, path group' $BLOG) -ge 2"
# the bus's probe asks for both in one request (open-many), in list order
check "broker log: the bus asked for $VF0 and $VF1 in one request ([1 of 2 at once], [2 of 2 at once])" \
	eval "logged 'uid=1000 .*$VF0 .*\[1 of 2 at once\]: allowed .*opened' &&
		logged 'uid=1000 .*$VF1 .*\[2 of 2 at once\]: allowed .*opened'"
vf_pair_ready vf
check "VF: link up on both ports" test "$VF_LINK0/$VF_LINK1" = up/up
note "VF: VmLck $(proc_status vf VmLck), PF: VmLck $(proc_status pf VmLck), hugepages in use $(($(awk '/HugePages_Total/ { t = $2 } /HugePages_Free/ { f = $2 } END { print t - f }' /proc/meminfo) * 2)) MiB (PF and VF testpmd)"
tp_send vf "start tx_first"
# traffic that keeps flowing, not the start burst (lib/scenario.sh)
# shellcheck disable=SC2034 # read by fwd_flowing (lib/scenario.sh)
FWD_WINDOW_S=$FWD_SECS
check "VF: $(fwd_check_name "forwarding VF to VF")" fwd_flowing vf
RX_A=$(rx_now vf)
note "VF: RX $RX_A since start"
cat "/proc/${TP_PID[vf]}/cmdline" >"$OUTDIR/vf.cmdline"
cat "/proc/${TP_PID[vf]}/environ" >"$OUTDIR/vf.environ"
cat "/proc/${TP_PID[pf]}/cmdline" >"$OUTDIR/pf.cmdline"
cat "/proc/${TP_PID[pf]}/environ" >"$OUTDIR/pf.environ"
# holds PID GROUP...: the process has each /dev/vfio/GROUP open (one ls:
# a readlink per fd forks hundreds of times under TCG).
holds() {
	local pid=$1 g l
	shift
	l=$(ls -l "/proc/$pid/fd" 2>/dev/null)
	for g in "$@"; do
		grep -q " -> /dev/vfio/$g\$" <<<"$l" || return 1
	done
}
check "VF: the testpmd holds the VFs' groups it got from the broker" \
	holds "${TP_PID[vf]}" "$(group_of "$VF0")" "$(group_of "$VF1")"
check "/dev/vfio still locked (0600 root) while uid 1000 forwards" vfio_locked

# ---- an unauthorised uid ---------------------------------------------------------
as_uid 1002 "$VFT" check "$VF2" --broker "$SOCK" >"$OUTDIR/check-1002.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/check-1002.out" | head -n 4
check "uid 1002: vftoken check $VF2 --broker refused: broker-denied (exit $rc, want 13), output says refused" \
	eval "test $rc = 13 && grep -qi refused $OUTDIR/check-1002.out"
check "uid 1002: the refusal tells it nothing of the function or the policy (no PF, VF index, policy path, rule)" \
	eval "! grep -Eq 'VF [0-9]|\(PF\)|$POLICY|rule at line|default deny' $OUTDIR/check-1002.out"
check "broker log: uid=1002 open $VF2 refused (no rule: default deny)" \
	logged "^vftokend: .*uid=1002 .*$VF2.*refused \(no rule: default deny\)"
tp_as vf-1002 1002 "$MEMLOCK" "" -- -d "$PLUGIN" -l 0,1 --iova-mode=va \
	-a "$VF2,vf_token_broker=$SOCK" -- -i --no-mlockall --total-num-mbufs="$MBUFS"
tp_wait vf-1002 'testpmd> |Cause:' 60
grep -E "^sriov:|Cause" "$(tp_log vf-1002)" | sed 's/^/  | /' | head -n 4
check "uid 1002: testpmd on $VF2 gets no port, the bus's error says the broker refused" \
	eval "! grep -q '^Port 0: ' $(tp_log vf-1002) && grep -Eqi 'sriov: .*$VF2.*broker.*refused|sriov: .*$VF2.*refused.*broker' $(tp_log vf-1002)"
tp_stop vf-1002 >/dev/null

# ---- rotation while the VFs forward ---------------------------------------------
RX_B=$(rx_now vf)
"$VFT" token rotate "$PF" --broker "$SOCK" >"$OUTDIR/rotate.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/rotate.out" | head -n 4
FP_NEW=$(grep -Eo 'fp:[0-9a-f]{8}' "$OUTDIR/rotate.out" | tail -n 1)
check "vftoken token rotate $PF --broker: exit $rc, new fingerprint ${FP_NEW:-none} (was $FP_OLD)" \
	eval "test $rc = 0 -a -n '$FP_NEW' -a '$FP_NEW' != '$FP_OLD'"
check "the token file was rewritten (0600, not the old token)" \
	eval "test \"\$(stat -c %a $TOKEN)\" = 600 && ! cmp -s $TOKEN $OLD_TOKEN"
check "broker log: uid=0 rotate $PF allowed" \
	logged "^vftokend: .*uid=0 .*rotate.*$PF.*allowed"
sleep 2
check "VF traffic goes on across the rotation" grows "$RX_B" "$(rx_now vf)"
"$VFT" check "$VF2" --token-file "$OLD_TOKEN" >"$OUTDIR/check-old.out" 2>&1
rc=$?
check "direct vftoken check $VF2 with the old token: token-rejected (exit $rc, want 7)" \
	test "$rc" = 7
"$VFT" check "$VF2" --token-file "$TOKEN" >"$OUTDIR/check-new.out" 2>&1
rc=$?
check "direct vftoken check $VF2 with the new token file: ok (exit $rc)" test "$rc" = 0
"$VFT" check "$VF2" --broker "$SOCK" >"$OUTDIR/check-broker.out" 2>&1
rc=$?
check "vftoken check $VF2 --broker after the rotation: ok (exit $rc)" test "$rc" = 0

# ---- broker restart while the clients forward -------------------------------------
RX_C=$(rx_now vf)
broker_stop
rc=$?
check "broker exits 0 on SIGTERM (exit $rc)" test "$rc" = 0
sleep 1
check "VF traffic goes on with the broker gone" grows "$RX_C" "$(rx_now vf)"
check "broker starts again" broker_start --token-dir "$ETC"
RX_D=$(rx_now vf)
sleep 1
check "VF traffic goes on after the restart" grows "$RX_D" "$(rx_now vf)"
"$VFT" check "$VF2" --broker "$SOCK" >"$OUTDIR/check-restart.out" 2>&1
rc=$?
check "a new open through the restarted broker: ok (exit $rc)" test "$rc" = 0
# The restarted broker has no reference to the PF (uid 1001's testpmd holds
# it): a rotation must fail and change nothing (broker.rst, Token rotation).
cp -p "$TOKEN" "$SECRET/new.token"
"$VFT" token rotate "$PF" --broker "$SOCK" >"$OUTDIR/rotate-norefs.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/rotate-norefs.out" | head -n 3
check "rotation after the restart, the PF held elsewhere: refused (exit $rc), token file unchanged" \
	eval "test $rc != 0 && cmp -s $TOKEN $SECRET/new.token"

# ---- clients that die mid-request -----------------------------------------------
FDS0=$(broker_fds)
python3 "$CLIENT" dying "$SOCK" "$VF2" >"$OUTDIR/dying.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/dying.out"
check "3 clients died mid-request (connect only, half a header, a request unread)" \
	test "$rc" = 0
sleep 0.5
"$VFT" check "$VF2" --broker "$SOCK" >"$OUTDIR/check-after-dying.out" 2>&1
rc=$?
check "the broker is alive and serving after them (next open exit $rc)" \
	eval "broker_alive && test $rc = 0"
check "broker log: the dead requester's open of $VF2 was served" \
	logged "uid=0 .*pid=$(sed -n 's/^request: pid \([0-9]*\).*/\1/p' "$OUTDIR/dying.out") .*$VF2.*allowed"
"$VFT" check "$VF2" --token-file "$TOKEN" >"$OUTDIR/check-free.out" 2>&1
rc=$?
check "the broker kept nothing of the dead client's open: $VF2 opens directly (exit $rc), broker fds $FDS0 -> $(broker_fds)" \
	eval "broker_alive && test $rc = 0 && test \$(broker_fds) = $FDS0"
python3 "$CLIENT" silent "$SOCK" 30 >"$OUTDIR/silent.out" 2>&1 &
SILENT=$!
# connected: its socket shows in ss with its pid
for ((i = 0; i < 50; i++)); do
	ss -xp 2>/dev/null | grep -q "pid=$SILENT," && break
	sleep 0.2
done
t0=${EPOCHREALTIME/./}
timeout 10 "$VFT" check "$VF2" --broker "$SOCK" >"$OUTDIR/check-silent.out" 2>&1
rc=$?
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
n=$(ss -xp 2>/dev/null | grep -c "pid=$SILENT,")
check "a silent client holds a connection ($n socket): another open is still served (exit $rc, $ms ms)" \
	eval "test $n -ge 1 && test $rc = 0"
check "VF traffic goes on after the bad clients" grows "$RX_D" "$(rx_now vf)"

# ---- 1000 requests --------------------------------------------------------------
# While uid 1000's testpmd holds VFs 0 and 1: 500 opens of VF 0 by uid 1000
# (allowed, the group is busy: the broker's open fails after it began)
# and 500 of VF 2 by uid 1002 (refused by the policy), each on a
# connection of its own, each reply checked.
FDS1=$(broker_fds)
RSS1=$(broker_rss_kb)
# The silent client's connection is one of FDS1 until the broker drops it.
SIL1=$(ss -xp 2>/dev/null | grep -c "pid=$SILENT,")
t0=${EPOCHREALTIME/./}
as_uid 1000 python3 "$CLIENT" loop "$SOCK" "$VF0" 500 >"$OUTDIR/loop-1000.out" 2>&1
rc1=$?
as_uid 1002 python3 "$CLIENT" loop "$SOCK" "$VF2" 500 >"$OUTDIR/loop-1002.out" 2>&1
rc2=$?
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
# The silent client, connected since before the 1000 requests (> 10 s).
wait "$SILENT"
silent_rc=$?
FDS2=$(broker_fds)
RSS2=$(broker_rss_kb)
sed 's/^/  | uid 1000: /' "$OUTDIR/loop-1000.out"
sed 's/^/  | uid 1002: /' "$OUTDIR/loop-1002.out"
note "1000 requests in $ms ms (two python3 start-ups included); broker fds $FDS1 -> $FDS2, RSS $RSS1 -> $RSS2 kB"
check "500 busy opens by uid 1000: each answered, an error, no fd" test "$rc1" = 0
check "500 refused opens by uid 1002: each answered, an error, no fd" test "$rc2" = 0
# A connection is two fds of the broker's: the socket and the pidfd of
# the process that connected.
check "the broker's fd count did not grow over 1000 requests ($FDS1 -> $FDS2, the silent client's $SIL1 dropped)" \
	eval "broker_alive && test '$FDS1' -gt 0 && test '$FDS2' = $((FDS1 - 2 * SIL1))"
check "the broker's RSS grew by at most 256 KiB over 1000 requests ($RSS1 -> $RSS2 kB)" \
	eval "broker_alive && test '$RSS1' -gt 0 && test $((RSS2 - RSS1)) -le 256"
# Refusals are logged 5 per uid per 10 s, the rest counted in one line
# when the window ends (the broker's loop wakes every second).
for ((i = 0; i < 24; i++)); do
	[ "$(refusals_counted 1002)" -ge 500 ] && break
	sleep 0.5
done
n_lines=$(grep -Ec "uid=1002 .*$VF2.*refused \(no rule: default deny\)" "$BLOG")
check "broker log: uid 1002's 500 refusals counted ($(refusals_counted 1002): $n_lines lines, the rest in 'not logged' counts), at most 5 lines per 10 s" \
	eval "test $(refusals_counted 1002) -ge 500 && test $n_lines -le $((5 * (ms / 10000 + 3)))"
check "broker log: 500 allowed opens of $VF0 for uid 1000 that failed" \
	test "$(grep -Ec "uid=1000 .*$VF0.*open failed" "$BLOG")" -ge 500
check "VF traffic goes on after 1000 requests" grows "$RX_D" "$(rx_now vf)"
sed 's/^/  | /' "$OUTDIR/silent.out"
# It was connected (the check above counted its socket); whether the
# broker dropped it before or during the 1000 requests depends on the
# guest's speed (before, in a run 3.5 times slower than usual: SIL1 0).
check "the silent client was disconnected by the broker (exit $silent_rc), logged: no request for 10 s" \
	eval "test $silent_rc = 0 && logged 'pid=$SILENT .*no request for 10 s: connection closed'"

# ---- stop the clients -----------------------------------------------------------
tp_send vf stop
tp_wait vf 'Accumulated forward statistics' 30
sleep 0.5
note "VF: forwarded RX port 0 $(port_rx vf 0), port 1 $(port_rx vf 1) in all"
tp_stop vf
check "VF testpmd (uid 1000) exits cleanly" test $? = 0
tp_stop pf
check "PF testpmd (uid 1001) exits cleanly" test $? = 0

# ---- the token nowhere the uids can see ---------------------------------------
check "uid 1000 cannot read the token file or list $ETC" \
	eval "! as_uid 1000 cat $TOKEN 2>/dev/null && ! as_uid 1000 ls $ETC >/dev/null 2>&1"
check "uid 1001 cannot read the token file" \
	eval "! as_uid 1001 cat $TOKEN >/dev/null 2>&1"
# Every regular file under /run, /tmp and /dev/shm that a uid can read
# (not the hugetlbfs mounts: their files are that uid's DPDK memory).
for u in 1000 1001 1002; do
	as_uid "$u" find /run /tmp /dev/shm -path /run/vftoken-hp -prune -o \
		-type f -readable -print 2>/dev/null
done | sort -u >"$OUTDIR/readable.txt"
note "files the uids can read under /run, /tmp, /dev/shm: $(wc -l <"$OUTDIR/readable.txt")"
mapfile -t readable <"$OUTDIR/readable.txt"
OUTS=("$(tp_log null)" "$(tp_log pf)" "$(tp_log vf)" "$(tp_log vf-8m)"
	"$(tp_log vf-1002)" "$OUTDIR"/pf.cmdline "$OUTDIR"/pf.environ
	"$OUTDIR"/vf.cmdline "$OUTDIR"/vf.environ "$OUTDIR"/check-*.out
	"$OUTDIR/rotate.out" "$OUTDIR/rotate-norefs.out" "$OUTDIR/broker.cmdline"
	"$BLOG")
# token_checks WHERE FILE...: a check for each token, old and new, that
# token_scan finds it in none of the FILEs (WHERE names them).
token_checks() {
	local where=$1
	shift
	check "the old token (any encoding) is in $where" token_absent "$OLD_TOKEN" "$@"
	check "the new token (any encoding) is in $where" token_absent "$TOKEN" "$@"
}
token_checks "no testpmd or CLI output, cmdline, environ, nor the broker log (${#OUTS[@]} files)" \
	"${OUTS[@]}"
token_checks "none of the ${#readable[@]} files the uids can read" "${readable[@]}"
check "the scanner finds the token where it is (the token file)" \
	eval "! token_scan $TOKEN $TOKEN >/dev/null"

# ---- full opens, fds handed over -------------------------------------------
# The VFs free again: whole opens (group, container, device with the
# token, handed over, closed by the CLI), ~0.3 s each under TCG.
FDS3=$(broker_fds)
RSS3=$(broker_rss_kb)
nfail=$(as_uid 1000 bash -c "n=0; for ((i = 0; i < 20; i++)); do $VFT check $VF0 --broker $SOCK >/dev/null || n=\$((n + 1)); done; echo \$n")
check "20 whole opens of $VF0 by uid 1000 through the broker: none failed ($nfail failed)" \
	test "$nfail" = 0
note "broker fds $FDS3 -> $(broker_fds), RSS $RSS3 -> $(broker_rss_kb) kB over 20 opens"
check "the broker's fd count did not grow over 20 opens ($FDS3 -> $(broker_fds))" \
	eval "broker_alive && test '$FDS3' -gt 0 && test \$(broker_fds) = '$FDS3'"

# ---- several functions in one request (open-many) -------------------------
# Root asks for VFs 0, 1 and 2 at once: the broker opens them on its threads
# into one new context and answers each in order, the first with the new
# container (3 fds: container, group, device), the others with their group
# and device (2 each).
FDS5=$(broker_fds)
python3 "$CLIENT" many "$SOCK" "$VF0,$VF1,$VF2" >"$OUTDIR/many-root.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/many-root.out"
check "root opens VFs 0, 1, 2 in one request: three replies in order, opened, with 3, 2, 2 fds (exit $rc)" \
	eval "test $rc = 0 && grep -q '^seq=1 op=4 error=0 fds=3 fdmask=7 ' $OUTDIR/many-root.out &&
		grep -q '^seq=2 op=4 error=0 fds=2 fdmask=6 ' $OUTDIR/many-root.out &&
		grep -q '^seq=3 op=4 error=0 fds=2 fdmask=6 ' $OUTDIR/many-root.out"
check "broker log: root's three opened, logged in the request's order" \
	eval "grep -E 'uid=0 .*\[[123] of 3 at once\]: .*opened' $BLOG | grep -o '\[[123] of 3' | tr -d '\n' | grep -qx '\[1 of 3\[2 of 3\[3 of 3'"
# uid 1000 may open VFs 0 and 1, not 2: one request for 2, 0, 1
as_uid 1000 python3 "$CLIENT" many "$SOCK" "$VF2,$VF0,$VF1" >"$OUTDIR/many-1000.out" 2>&1
rc=$?
sed 's/^/  | /' "$OUTDIR/many-1000.out"
check "uid 1000 asks for VFs 2, 0, 1 at once: VF 2 refused by the policy, 0 and 1 opened (the container with VF 0) (exit $rc)" \
	eval "test $rc = 0 && grep -q '^seq=1 op=4 error=-1 fds=0 fdmask=0 .*policy does not allow' $OUTDIR/many-1000.out &&
		grep -q '^seq=2 op=4 error=0 fds=3 fdmask=7 ' $OUTDIR/many-1000.out &&
		grep -q '^seq=3 op=4 error=0 fds=2 fdmask=6 ' $OUTDIR/many-1000.out"
# a client that never reads its replies: the fds in flight go with its
# socket, the broker keeps nothing
python3 "$CLIENT" many "$SOCK" "$VF0,$VF1,$VF2" unread >"$OUTDIR/many-unread.out" 2>&1
sleep 1
check "a client that never reads its open-many's replies: the broker holds nothing more ($FDS5 -> $(broker_fds) fds, $(broker_vfio_fds) on /dev/vfio), VF 0 opens directly" \
	eval "broker_alive && test \$(broker_fds) -le $FDS5 && test \$(broker_vfio_fds) = 0 &&
		$VFT check $VF0 --token-file $TOKEN >$OUTDIR/check-after-many.out 2>&1"

# ---- hostile clients, with real VFIO ---------------------------------------
# (doc/guides/broker.rst, "Hostile local clients"). Last, because a uid that
# sends an fd that is not what its request says is refused for 60 s.
# A flood of refused requests by uid 1002 (16 processes' worth of
# connections it may not have) and of allowed ones by uid 1000 while root
# rotates the PF's token and uid 1000 opens VF 0 through the broker.
as_uid 1002 python3 "$CLIENT" flood "$SOCK" "$VF2" 12 24 >"$OUTDIR/flood-1002.out" 2>&1 &
F1=$!
as_uid 1000 python3 "$CLIENT" flood "$SOCK" "$VF1" 12 24 >"$OUTDIR/flood-1000.out" 2>&1 &
F2=$!
sleep 3
"$VFT" token rotate "$PF" --broker "$SOCK" >"$OUTDIR/rotate-flood.out" 2>&1
rc=$?
as_uid 1000 "$VFT" check "$VF0" --broker "$SOCK" >"$OUTDIR/check-flood.out" 2>&1
rc2=$?
wait "$F1" "$F2"
sed 's/^/  | /' "$OUTDIR/flood-1002.out" "$OUTDIR/flood-1000.out"
check "rotation through the broker while uids 1000 and 1002 flood it: done (exit $rc)" \
	eval "test $rc = 0 && grep -Eq 'rotated by the broker: fp:[0-9a-f]{8}' $OUTDIR/rotate-flood.out"
check "uid 1000's open of $VF0 through the broker during the flood: opened (exit $rc2)" test "$rc2" = 0
check "broker log: connections over the per-uid or per-process cap refused" \
	logged 'connection refused: its (uid|process) holds the most connections'
# VFs destroyed and re-created between the policy check and the open: a
# VF's address is its index under its PF (offset and stride of the PF's
# SR-IOV capability), so the decision holds for whatever VF is there at
# open time; one that is gone is explained. Root opens VF 2 (allowed)
# while the VFs come and go.
(for ((i = 0; i < 6; i++)); do set_num_vfs "$PF" 0; set_num_vfs "$PF" 3; sleep 0.3; done) \
	>"$OUTDIR/vfs-churn.out" 2>&1 &
CH=$!
python3 "$CLIENT" race "$SOCK" "$VF2" 60 >"$OUTDIR/race.out" 2>&1
rc=$?
wait "$CH"
sed 's/^/  | /' "$OUTDIR/race.out"
check "60 opens of $VF2 while its VFs are destroyed and re-created: every reply well formed, an open or an explained refusal (exit $rc)" \
	test "$rc" = 0
check "after the churn: 3 VFs, the broker alive and holding no /dev/vfio fd" \
	eval "test \$(num_vfs $PF) = 3 && broker_alive && test \$(broker_vfio_fds) = 0"
# A socket passed on to another process: no identity once its connector
# is gone (refused at its request, or at accept when the broker gets to the
# connection only after the connector exited: seen under --tcg-thread
# single).
as_uid 1001 python3 "$CLIENT" passed "$SOCK" "$PF" >"$OUTDIR/passed.out" 2>&1
sleep 1
sed 's/^/  | /' "$OUTDIR/passed.out"
check "uid 1001 connects, passes the socket to a child and exits: the child's request is not served" \
	eval "grep -q 'parent gone: closed' $OUTDIR/passed.out && logged 'the process that connected has exited|connection refused: its process is gone'"
# An fd of another kind as the container (a character device, not VFIO's).
FDS4=$(broker_fds)
as_uid 1000 python3 "$CLIENT" badctx "$SOCK" "$VF0" /dev/null >"$OUTDIR/badctx.out" 2>&1
sed 's/^/  | /' "$OUTDIR/badctx.out"
check "uid 1000 sends /dev/null as its container: refused, no fd, the reply names it" \
	eval "grep -q '^error=-[0-9]* fds=0 .*container .* is another character device, not /dev/vfio/vfio' $OUTDIR/badctx.out"
check "broker log: the fd refused and uid 1000 suspect" \
	logged 'uid=1000 .*refused, its uid is suspect for 60 s: the client.s container'
as_uid 1000 "$VFT" check "$VF0" --broker "$SOCK" >"$OUTDIR/check-suspect.out" 2>&1
check "uid 1000, suspect: its next connection is closed unanswered (exit $?)" \
	logged 'uid=1000 .*connection refused: its uid sent an fd that was not what its request said'
# Root's real container with the group of another device, claimed to be
# VF 0's.
G0=$(group_of "$VF0")
G1=$(group_of "$VF1")
python3 "$CLIENT" badctx "$SOCK" "$VF0" /dev/vfio/vfio "/dev/vfio/$G1" "$G0" >"$OUTDIR/badgroup.out" 2>&1
sed 's/^/  | /' "$OUTDIR/badgroup.out"
check "root sends group $G1's fd as VF 0's group $G0: refused, no fd, the reply names it" \
	eval "grep -q '^error=-[0-9]* fds=0 .*group fd .* not /dev/vfio/$G0' $OUTDIR/badgroup.out"
check "the broker holds no more fds than before the bad fds, and no /dev/vfio fd ($(broker_fds) vs $FDS4, $(broker_vfio_fds))" \
	eval "broker_alive && test \$(broker_fds) -le $FDS4 && test \$(broker_vfio_fds) = 0"

broker_stop
check "broker exits 0 on SIGTERM at the end" test $? = 0
tp_stop_all
set_num_vfs "$PF" 0
finish

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Containers through CDI (doc/guides/containers.rst): Debian's Podman runs
# dpdk-testpmd as uid 1000 in a container given two VFs by their CDI names
# (vftoken.dev/vf=ADDR, the spec written by `vftoken cdi`); the broker,
# outside, opens the VFs for the container's process because its policy
# names the container's cgroup (cgroup=), and hands the fds over.
#
# - the spec: no device node, no token; the container has no /dev/vfio;
# - testpmd in container A (cgroup parent /vftoken-a) forwards VF to VF
#   with traffic that keeps flowing over a window;
# - the token in none of what the container can read: its files (every
#   file uid 1000 can read in it but the guest's read-only /usr and build
#   tree, which hold no token of this boot: it is made here), its mounts,
#   testpmd's environment and command line, testpmd's output; the scan
#   first checks that it read something;
# - container B (cgroup parent /vftoken-b) given only VF 0's name asks the
#   broker for VF 1: refused (exit 13), and the broker logs the refusal
#   with B's cgroup; container C with no CDI device has no socket and no
#   /dev/vfio: it cannot open anything;
# - A stops; container A2 (the same VFs) starts and forwards; the VFs were
#   reset in between: pcie_flr() traced (function_graph: its duration is
#   what a reset costs) at A's release and at A2's open;
# - start-up: testpmd in a container against the same testpmd outside one
#   (uid 1000, through the broker), in this boot; printed, not asserted.
#
# Podman runs rootful with its storage on tmpfs (vfs driver), the
# cgroupfs manager on a cgroup2 mount the scenario makes (no systemd in
# the rig's default boot) and no network; the container's root is a
# directory the scenario builds, with the guest's /usr bind-mounted
# read-only (no registry is reachable).

# Functions are called through check(): not unreachable.
# shellcheck disable=SC2317
HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"
# shellcheck source=../lib/trace.sh
. "$HERE/../lib/trace.sh"

PF=$VM_PF
VF0=$(vf_addr "$PF" 0)
VF1=$(vf_addr "$PF" 1)
ETC=/etc/vftoken
TOKEN=$ETC/$PF.token
POLICY=$ETC/broker.policy
SOCK=/run/vftoken/broker.sock
BLOG=$OUTDIR/broker.log
# The broker's tokens as a Kubernetes Secret volume (--token-secret).
SECRET_VOL=/run/vftoken-secret
CG=/sys/fs/cgroup
SPEC=/run/cdi/vftoken.json
ROOTFS=/run/cdi-rootfs
HP=/run/vftoken-hp/1000
HP_SIZE_MB=128
MEMLOCK=$((HP_SIZE_MB * 1024 * 1024))
PODMAN=(podman --root /run/cdi-podman/root --runroot /run/cdi-podman/runroot
	--storage-driver vfs --cgroup-manager cgroupfs --events-backend file
	--tmpdir /run/cdi-podman/tmp)
FWD_SECS=${FWD_SECS:-3}

echo "kernel $VM_KERNEL, PF $PF, plugin $PLUGIN, $(podman --version 2>&1)"
check "podman is installed (Debian's, devtools/setup.sh)" command -v podman
check "plugin, CLI and broker are built" \
	test -r "$PLUGIN" -a -x "$VFT" -a -x "$VFTOKEND"

# ---- the host side: PF, token, broker ------------------------------------
pf_ready "$PF"
install -d -m 0700 "$ETC"
install -d -m 0755 /run/vftoken /run/cdi
check "PF token file $TOKEN (0600, made in this boot)" \
	eval "'$VFT' token generate --out '$TOKEN' >/dev/null 2>&1 && test \"\$(stat -c %a '$TOKEN')\" = 600"
# The PF through the plugin as root (it serves the VFs' mailbox and makes
# 2 VFs with the token of the broker's file).
pf_helper "$TOKEN"
check "/dev/vfio locked: every node root's, mode 0600" \
	eval "chown root:root /dev/vfio/* && chmod 0600 /dev/vfio/*"

# The same token as kubelet's atomic writer lays out a Secret volume: a
# tmpfs of root's, mode 1777, KEY -> ..data/KEY, ..data -> ..TIMESTAMP,
# the file 0440 (the ordinary token-file rules refuse all of it).
secret_volume() {
	local ts=..2026_12_07_00_00_00.000000001
	mkdir -p "$SECRET_VOL" && mount -t tmpfs -o mode=1777,size=1M tmpfs "$SECRET_VOL" &&
		mkdir -m 0755 "$SECRET_VOL/$ts" &&
		cp "$TOKEN" "$SECRET_VOL/$ts/$PF.token" &&
		chmod 0440 "$SECRET_VOL/$ts/$PF.token" &&
		ln -s "$ts" "$SECRET_VOL/..data" &&
		ln -s "..data/$PF.token" "$SECRET_VOL/$PF.token" || return 1
	find "$SECRET_VOL" -mindepth 1 -printf "%M %u %p %l\n" | sed 's/^/  | /'
	! "$VFT" check "$VF0" --token-file "$SECRET_VOL/$PF.token" >/dev/null 2>&1
}
check "the token also as a Secret volume at $SECRET_VOL (1777, links, 0440), which --token-file refuses" \
	secret_volume

check "cgroup2 mounted at $CG" \
	eval "mountpoint -q $CG || mount -t cgroup2 none $CG"
mkdir -p "$CG/vftoken-host"
cat >"$POLICY" <<EOF
# containers scenario: container A (cgroup parent /vftoken-a) drives VFs
# 0 and 1, container B (/vftoken-b) VF 0 only; uid 1000 outside any
# container, in the cgroup /vftoken-host, VFs 0 and 1 (the start-up
# comparison); everyone else: default deny
allow uid=1000 cgroup=/vftoken-a action=open pf=$PF vf=0,1
allow uid=1000 cgroup=/vftoken-b action=open pf=$PF vf=0
allow uid=1000 cgroup=/vftoken-host action=open pf=$PF vf=0,1
EOF
chmod 0644 "$POLICY"
check "the policy with cgroup= rules passes vftokend --check-policy" \
	"$VFTOKEND" --check-policy "$POLICY"

BROKER_PID=
check "broker starts (tokens from the Secret volume), socket $SOCK" \
	broker_start --token-dir "$SECRET_VOL" --token-secret

# ---- uid 1000's share: hugepages, the CDI spec ------------------------------
mkdir -p "$HP"
check "hugetlbfs for uid 1000 at $HP (mode 0700, ${HP_SIZE_MB}M)" \
	mount -t hugetlbfs -o "uid=1000,gid=1000,mode=0700,pagesize=2M,size=${HP_SIZE_MB}M" \
	nodev "$HP"
check "vftoken cdi --pf $PF writes $SPEC" \
	"$VFT" cdi --pf "$PF" --huge-dir "$HP" --out "$SPEC"
sed 's/^/  | /' "$SPEC"
# spec_clean: no device node, no /dev/vfio, no token (any spelling)
spec_clean() {
	! grep -q '"deviceNodes"' "$SPEC" && ! grep -q /dev/vfio "$SPEC" &&
		token_scan "$TOKEN" "$SPEC" >/dev/null &&
		grep -q "\"name\": \"$VF0\"" "$SPEC" &&
		grep -q "\"name\": \"$VF1\"" "$SPEC"
}
check "the spec names $VF0 and $VF1, has no device node, no /dev/vfio, no token" \
	spec_clean

# make_rootfs DIR: a container's root, one per container (podman makes
# the mount points of a container's mounts in it, which the next must not
# see): empty directories and Debian's merged-/usr links; /usr itself is
# the guest's, bind-mounted read-only by podman.
make_rootfs() {
	local r=$1 l
	rm -rf "$r"
	mkdir -p "$r"/{usr,etc,dev,proc,sys,tmp,run,var/tmp} || return 1
	for l in bin sbin lib lib64; do
		ln -s "usr/$l" "$r/$l"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
	echo "dpdk:x:1000:1000::/tmp:/bin/sh" >>"$r/etc/passwd"
	printf 'root:x:0:\ndpdk:x:1000:\n' >"$r/etc/group"
}
mkdir -p /run/cdi-podman/tmp

# The build tree (plugin, vftoken) read-only at its own path, and the
# plugin's private copy when sriov_plugin_path made one.
BUILD_MOUNTS=(-v "$VFTOKEN_BUILD:$VFTOKEN_BUILD:ro")
case $PLUGIN in
/run/vftoken-plugins/*) BUILD_MOUNTS+=(-v /run/vftoken-plugins:/run/vftoken-plugins:ro) ;;
esac
# The rig hides the DPDK drivers it does not use behind links into
# /run/vftoken-rig (devtools/vm/initramfs-init): the same view inside.
[ -d /run/vftoken-rig ] && BUILD_MOUNTS+=(-v /run/vftoken-rig:/run/vftoken-rig:ro)

# ctr_cmd NAME CGROUP-PARENT [OPTION]... -- CMD...: prints the podman run
# of CMD as uid 1000 in a container of that cgroup parent, from a root of
# its own ($ROOTFS/NAME), each word quoted for a shell.
ctr_cmd() {
	local name=$1 parent=$2
	shift 2
	local opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	make_rootfs "$ROOTFS/$name" >&2
	printf '%q ' "${PODMAN[@]}" run --rm -i --name "$name" --network none \
		--cgroup-parent "$parent" --user 1000:1000 \
		--ulimit "memlock=$MEMLOCK:$MEMLOCK" --tmpfs /tmp:mode=1777 \
		-v /usr:/usr:ro "${BUILD_MOUNTS[@]}" -e XDG_RUNTIME_DIR=/tmp \
		"${opts[@]}" --rootfs "$ROOTFS/$name" "$@"
}

# The testpmd wrappers tp_start runs as TESTPMD: in a container (stdbuf
# inside: testpmd's stdout is a pipe to conmon), or as uid 1000 outside,
# moved into the cgroup /vftoken-host first.
WRAP=/run/cdi-wrap
mkdir -p "$WRAP"
# ctr_wrapper NAME PARENT DEVICE...: the wrapper's path
ctr_wrapper() {
	local name=$1 parent=$2 w=$WRAP/$1 d devs=()
	shift 2
	for d in "$@"; do
		devs+=(--device "vftoken.dev/vf=$d")
	done
	{
		echo '#!/bin/sh'
		echo "exec $(ctr_cmd "$name" "$parent" "${devs[@]}" -- \
			/usr/bin/stdbuf -oL -eL /usr/bin/dpdk-testpmd) \"\$@\""
	} >"$w"
	chmod 0755 "$w"
	echo "$w"
}
host_wrapper() {
	cat >"$WRAP/host" <<EOF
#!/bin/sh
echo \$\$ >$CG/vftoken-host/cgroup.procs || exit 1
exec prlimit --memlock=$MEMLOCK:$MEMLOCK -- \\
	setpriv --reuid=1000 --regid=1000 --clear-groups --inh-caps=-all \\
	env -i PATH=/usr/bin:/bin HOME=/ XDG_RUNTIME_DIR=/tmp VFTOKEN_BROKER=$SOCK \\
	LD_PRELOAD="\$LD_PRELOAD" _STDBUF_O="\$_STDBUF_O" _STDBUF_E="\$_STDBUF_E" \\
	/usr/bin/dpdk-testpmd --huge-dir $HP "\$@"
EOF
	chmod 0755 "$WRAP/host"
	echo "$WRAP/host"
}

# The testpmd arguments, the same inside and outside.
tp_args() {
	echo "-d $PLUGIN -l 0,1 --iova-mode=va --file-prefix $1 -a $VF0 -a $VF1 --log-level=bus.sriov:info -- -i --no-mlockall --total-num-mbufs=$MBUFS"
}

# startup NAME WRAPPER: tp_start, then the seconds until its prompt
# (polled every 0.2 s) in STARTUP_S; 1 if it never came.
startup() {
	local t0
	STARTUP_S=none
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2046 # tp_args is words
	TESTPMD=$2 tp_start "$1" $(tp_args "$1")
	tp_wait "$1" 'testpmd> ' 180 || return 1
	STARTUP_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
}

# forward NAME: ports up, mac forwarding, flowing over a window, stop.
forward() {
	local n
	vf_pair_ready "$1"
	check "$1: link up on both ports" test "$VF_LINK0/$VF_LINK1" = up/up
	tp_send "$1" "start tx_first"
	check "$(fwd_check_name "$1")" fwd_flowing "$1"
	n=$(tp_count "$1" '^Done\.')
	tp_send "$1" "stop"
	tp_wait_count "$1" '^Done\.' $((n + 1)) 30
}

# ---- the same testpmd outside a container (start-up reference) -------------
check "host: testpmd as uid 1000 in /vftoken-host through the broker reaches its prompt" \
	startup host "$(host_wrapper)"
HOST_STARTUP=$STARTUP_S
check "host: the broker opened both VFs for it (its log)" \
	test "$(grep -c "uid=1000 .*cgroup=/vftoken-host.* open .*allowed" "$BLOG")" -ge 2
tp_stop host >/dev/null

# ---- container A: two VFs by CDI name ---------------------------------------
check "container A: testpmd as uid 1000 with --device vftoken.dev/vf=$VF0 and =$VF1 reaches its prompt" \
	startup ctr-a "$(ctr_wrapper ctr-a /vftoken-a "$VF0" "$VF1")"
A_STARTUP=$STARTUP_S
tp_tail ctr-a 5
check "container A: the broker opened both VFs for the container's cgroup (its log)" \
	test "$(grep -Ec "uid=1000 .*cgroup=/vftoken-a/libpod-[0-9a-f]+ open .*allowed" "$BLOG")" -ge 2
grep "cgroup=/vftoken-a" "$BLOG" | head -n 2 | sed 's/^/  | /'
check "container A: the sriov bus got both VFs from the broker" \
	test "$(grep -c 'opened by the VF token broker' "$(tp_log ctr-a)")" -ge 2

# The container's testpmd, as the host sees it.
A_PID=$("${PODMAN[@]}" inspect --format '{{.State.Pid}}' ctr-a 2>/dev/null)
note "container A: testpmd pid $A_PID, cgroup $(cat "/proc/$A_PID/cgroup" 2>/dev/null)"
check "container A: testpmd runs as uid 1000 with no capability" \
	eval "[ -n '$A_PID' ] && grep -q '^Uid:[[:space:]]*1000[[:space:]]1000[[:space:]]1000' /proc/$A_PID/status && grep -q '^CapEff:[[:space:]]*0000000000000000' /proc/$A_PID/status"
# in_root PATH: PATH exists in container A's root (seen through its pid);
# the container's /dev itself must be there, or nothing was looked at.
in_root() { [ -n "$A_PID" ] && [ -d "/proc/$A_PID/root/dev" ] && [ -e "/proc/$A_PID/root$1" ]; }
check "container A: no /dev/vfio inside (its /dev seen)" \
	eval "[ -n '$A_PID' ] && [ -d /proc/$A_PID/root/dev ] && ! in_root /dev/vfio"
check "container A: no $ETC inside, its hugepage mount at /dev/hugepages" \
	eval "! in_root $ETC && in_root /dev/hugepages"

if tp_alive ctr-a; then
	forward ctr-a
else
	check "container A: testpmd runs (nothing to forward with)" false
fi

# What the container can read: the files uid 1000 can read in it (but the
# guest's read-only /usr and build tree, and /proc, /sys), its mount table,
# testpmd's environment, command line and output.
readable_list() {
	"${PODMAN[@]}" exec --user 1000:1000 ctr-a /usr/bin/find / \
		\( -path /proc -o -path /sys -o -path /usr -o -path "$VFTOKEN_BUILD" \) -prune -o \
		-type f -readable -size -64M -print 2>/dev/null
}
scan_container() {
	local files=() f n
	# regular files only: find's -type f trusts the directory entry,
	# and the socket's bind mount point is a regular file under it
	while IFS= read -r f; do
		[ -f "/proc/$A_PID/root$f" ] && files+=("/proc/$A_PID/root$f")
	done < <(readable_list)
	n=${#files[@]}
	cp "/proc/$A_PID/environ" "$OUTDIR/ctr-a.environ"
	tr '\0' ' ' <"/proc/$A_PID/cmdline" >"$OUTDIR/ctr-a.cmdline"
	cp "/proc/$A_PID/mountinfo" "$OUTDIR/ctr-a.mountinfo"
	note "scanned: $n files uid 1000 can read in container A (hugepage files included), its mountinfo, environ, cmdline, testpmd output"
	grep -E ' /(dev/hugepages|run/vftoken/broker.sock) ' "$OUTDIR/ctr-a.mountinfo" | sed 's/^/  | mount: /'
	if [ "$n" = 0 ] || ! grep -q VFTOKEN_BROKER= "$OUTDIR/ctr-a.environ"; then
		note "the scan read nothing (files $n, or an environment without VFTOKEN_BROKER)"
		return 1
	fi
	token_scan "$TOKEN" "${files[@]}" "$OUTDIR/ctr-a.environ" "$OUTDIR/ctr-a.cmdline" \
		"$OUTDIR/ctr-a.mountinfo" "$(tp_log ctr-a)" | head -n 5 | sed 's/^/  found: /'
	[ "${PIPESTATUS[0]}" = 0 ] && ! grep -q "$ETC" "$OUTDIR/ctr-a.mountinfo"
}
check "container A: the token is in none of its readable files, mounts, environment, command line, output" \
	scan_container

# ---- container B: only VF 0's name; C: no CDI device --------------------------
in_ctr() {
	local name=$1
	eval "$(ctr_cmd "$@")" </dev/null >"$OUTDIR/$name.out" 2>&1
}
in_ctr ctr-b /vftoken-b --device "vftoken.dev/vf=$VF0" -- \
	"$VFT" check "$VF1" --broker "$SOCK"
rc=$?
sed 's/^/  | /' "$OUTDIR/ctr-b.out" | head -n 4
check "container B (only $VF0's name): vftoken check $VF1 --broker refused (exit $rc, want 13)" \
	test "$rc" = 13
check "container B: the broker logged the refusal with B's cgroup" \
	grep -Eq "cgroup=/vftoken-b/libpod-[0-9a-f]+ open $VF1 .*refused" "$BLOG"
grep "cgroup=/vftoken-b" "$BLOG" | head -n 1 | sed 's/^/  | /'

in_ctr ctr-c /vftoken-a -- /bin/sh -c \
	"test ! -e /dev/vfio && test ! -e $SOCK && echo no-vfio-no-socket; $VFT check $VF1; echo direct=\$?; $VFT check $VF1 --broker $SOCK; echo broker=\$?"
sed 's/^/  | /' "$OUTDIR/ctr-c.out" | head -n 8
check "container C (no CDI device, A's cgroup parent): no /dev/vfio, no socket; vftoken check fails directly and through the socket path (exit 14)" \
	eval "grep -qx no-vfio-no-socket $OUTDIR/ctr-c.out && ! grep -qx direct=0 $OUTDIR/ctr-c.out && grep -qx broker=14 $OUTDIR/ctr-c.out"

# ---- stop A, start A2 on the same VFs: reset in between ---------------------
check "ftrace function_graph on $FLR_FN" flr_trace_on
tp_stop ctr-a
check "container A: testpmd quits, the container exits cleanly" test $? = 0
sleep 1
flr_took release
AT_RELEASE=$FLRS REL_MS=$FLR_MS
note "at A's release: $AT_RELEASE FLRs, lasting $FLR_MS ms"
check "A's release: the kernel reset both VFs ($AT_RELEASE FLRs, want 2)" \
	test "$AT_RELEASE" -ge 2
flr_trace_clear
check "container A2 (same names, same cgroup parent) reaches its prompt" \
	startup ctr-a2 "$(ctr_wrapper ctr-a2 /vftoken-a "$VF0" "$VF1")"
A2_STARTUP=$STARTUP_S
flr_took open
AT_OPEN=$FLRS OPEN_MS=$FLR_MS
note "before A2's prompt: $AT_OPEN FLRs, lasting $FLR_MS ms"
check "A2's open: the VFs reset again before A2 got them ($AT_OPEN FLRs, want 2)" \
	test "$AT_OPEN" -ge 2
if tp_alive ctr-a2; then
	forward ctr-a2
else
	check "container A2: testpmd runs (nothing to forward with)" false
fi
tp_stop ctr-a2
check "container A2: exits cleanly" test $? = 0
flr_trace_off

note "start-up to the testpmd prompt, this boot: outside a container (uid 1000, broker) $HOST_STARTUP s; container A $A_STARTUP s; container A2 $A2_STARTUP s"
note "what a reset costs: FLRs at A's release $AT_RELEASE ($REL_MS ms), before A2's prompt $AT_OPEN ($OPEN_MS ms)"

check "broker still running" kill -0 "$BROKER_PID"
kill -TERM "$BROKER_PID" 2>/dev/null
wait "$BROKER_PID" 2>/dev/null
check "the token is not in the broker log" token_not_in "$BLOG" "$TOKEN"
tp_stop_all
finish

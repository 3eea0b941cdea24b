#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The Debian packages in the guest, not the build tree:
#
#   packages.sh DEBDIR              the test (devtools/packages.sh runs it)
#   packages.sh DEBDIR startup N    start-up cost of the auto-loaded plugin,
#                                   N rounds, and the same no-SR-IOV checks
#                                   (devtools/bench/run.sh autoload)
#
# dpkg installs vftoken, libvftoken0, libvftoken-dev and dpdk-bus-sriov
# from DEBDIR into the guest's root, an overlay whose upper layer is a
# tmpfs (devtools/vm/README.md), so the host's DPDK plugin directory is
# never written. A process that uses no SR-IOV function (stock testpmd
# with -a of the e1000e, quit at once) is checked to be as without the
# plugin: no line of the bus at the default log level, the pci bus's same
# "Probe PCI driver" line as with the plugin's link moved away, and -b of
# the e1000e honoured by both buses (about 12 s of VM). Then
# /usr/bin/vftoken creates 2 VFs and sets the token;
# stock dpdk-testpmd WITHOUT -d runs the PF and forwards VF-to-VF through
# the auto-loaded plugin; the CLI's explainer and the bus refuse a wrong
# token; a process that loads the plugin from the PMD directory and with
# -d (the build tree's copy) has one sriov bus and one message; dpkg
# removes and purges everything again.
#
# The plugin depends on DPDK's ABI package with no upper bound on the point
# release (debian/dpdk-abi-depends), and its run-time checks, not dpkg,
# decide whether it runs (issue 33, point 7). Two cases of the installed,
# auto-loaded plugin, each DPDK release faked by an LD_PRELOAD shim of
# rte_version() and its parts (the archive has no newer 22.11 than the
# host's):
# - the next point release (22.11.N+1): the bus registers and opens a VF
#   with its token, as on the release it was built for;
# - a release it does not know (23.11): the bus stays idle with one line,
#   testpmd -a of the e1000e exits 0 with the pci bus's probe as without
#   the plugin.

set -u
HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

DEBS=${1:-}
MODE=${2:-test}
RUNS=${3:-5}
PKGS="vftoken libvftoken0 libvftoken-dev dpdk-bus-sriov"
TOK=/tmp/vf-token
WRONG=/tmp/wrong-token
FWD_SECS=${FWD_SECS:-5}
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
PMD_DIR=$(python3 "$VFTOKEN_ROOT/devtools/dpdk-pmd-dir.py" "/usr/lib/$MA/librte_eal.so")
AUTO=$PMD_DIR/librte_bus_sriov.so
INSTALLED=/usr/lib/$MA/vftoken/dpdk-plugins/librte_bus_sriov.so
VFT=/usr/bin/vftoken
trap tp_stop_all EXIT

# ---- install ----------------------------------------------------------------
debs_of() {
	local p
	for p in $PKGS; do
		ls "$DEBS/${p}"_*.deb 2>/dev/null | head -n 1
	done
}

install_pkgs() {
	local -a files
	mapfile -t files < <(debs_of)
	[ "${#files[@]}" = 4 ] || {
		note "expected 4 .deb files for $PKGS in '$DEBS', found ${#files[@]}"
		return 1
	}
	# man-db's trigger re-indexes every manual page when this file exists
	# (debconf man-db/auto-update): minutes under TCG over 9p, and not
	# what is tested. The guest's copy goes; the host's is untouched.
	rm -f /var/lib/man-db/auto-update
	dpkg -i "${files[@]}" >"$OUTDIR/dpkg-install.log" 2>&1 || {
		tail -n 20 "$OUTDIR/dpkg-install.log" | sed 's/^/  | /'
		return 1
	}
}

all_installed() {
	local p s
	for p in $PKGS; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
		[ "$s" = "install ok installed" ] || {
			note "$p: '$s'"
			return 1
		}
	done
}

# every file dpkg lists for a package exists
files_present() {
	local p f n=0
	for p in $PKGS; do
		while read -r f; do
			[ -e "$f" ] || [ -L "$f" ] || {
				note "$p: $f missing"
				return 1
			}
			n=$((n + 1))
		done < <(dpkg -L "$p")
	done
	note "$n paths of the 4 packages present"
}

install_steps() {
	echo "kernel $VM_KERNEL, debs in $DEBS, DPDK PMD directory $PMD_DIR"
	check "no sriov plugin in $PMD_DIR before dpkg (the host's stays clean)" \
		test ! -e "$AUTO" -a ! -L "$AUTO"
	check "dpkg -i the 4 packages" install_pkgs
	check "dpkg: $PKGS installed" all_installed
	check "every file dpkg -L lists is present" files_present
	check "plugin in DPDK's PMD directory, a link to $INSTALLED" \
		test "$(readlink -f "$AUTO")" = "$INSTALLED" -a -f "$INSTALLED"
	check "$VFT runs (--version)" "$VFT" --version
}

# ---- the installed packages at work ----------------------------------------

verdict_is() { [ "$(jq -r .verdict "$OUTDIR/vft-$1.out" 2>/dev/null)" = "$2" ]; }

cli_steps() {
	pf_ready "$VM_PF"
	vft create vfs create "$VM_PF" 2 --bind
	check "vftoken vfs create $VM_PF 2 --bind (exit 0)" test "$RC" = 0
	VF0=$(vf_addr "$VM_PF" 0)
	VF1=$(vf_addr "$VM_PF" 1)
	check "VFs $VF0 $VF1 on vfio-pci" \
		test "$(driver_of "$VF0")/$(driver_of "$VF1")" = vfio-pci/vfio-pci
	rm -f "$TOK"
	vft set token set "$VM_PF" --generate --out "$TOK"
	check "vftoken token set --generate --out (exit 0, file 0600)" \
		test "$RC/$(stat -c %a "$TOK" 2>/dev/null)" = 0/600
	check "wrong token file created" make_token "$WRONG"
	vft check-good check "$VF0" --token-file "$TOK" --json
	check "vftoken check with the token: ok (exit 0)" test "$RC" = 0
	vft check-wrong check "$VF0" --token-file "$WRONG" --json
	check "vftoken check with a wrong token: refused (exit 7, token-rejected)" \
		eval "test \"\$RC\" = 7 && verdict_is check-wrong token-rejected"
}

# maps_has NAME FILE: the testpmd process NAME has FILE mapped
maps_has() { grep -qF " $2" "/proc/${TP_PID[$1]}/maps" 2>/dev/null; }

pf_steps() {
	tp_start pf -l 0,1 --file-prefix pf --log-level=bus.sriov:info \
		-a "$VM_PF,vf_token_file=$TOK" -- -i --total-num-mbufs=$MBUFS
	check "PF: stock testpmd without -d starts" tp_wait pf 'testpmd> ' 180
	check "PF: the auto-loaded plugin is mapped ($INSTALLED)" \
		maps_has pf "$INSTALLED"
	check "PF: probed by net_e1000_igb on the sriov bus" \
		grep -q "sriov: $VM_PF: probe PCI driver net_e1000_igb " "$(tp_log pf)"
	tp_alive pf || tp_tail pf 30
}

vf_steps() {
	local log n i tel
	vf_forward vf-auto --log-level=bus.sriov:info \
		-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK"
	check "vf-auto: both VFs probed through the auto-loaded sriov bus" \
		test "$(tp_count vf-auto 'sriov: .*probe PCI driver net_e1000_igb_vf')" = 2

	# The plugin twice: from the PMD directory and with -d (the build
	# tree's copy, another file). -d loads first and registers the bus.
	# Telemetry is read while it forwards: the bus in use must answer.
	rm -f "$OUTDIR/vf-double.tel"
	(
		for ((i = 0; i < 600; i++)); do
			grep -q 'testpmd> ' "$OUTDIR/vf-double.log" 2>/dev/null && break
			sleep 0.5
		done
		telemetry vf-double /sriov/list >"$OUTDIR/vf-double.tel" 2>&1
	) &
	tel=$!
	vf_forward vf-double -d "$PLUGIN" --log-level=lib.eal:debug \
		--log-level=bus.sriov:info \
		-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK"
	wait "$tel"
	sed 's/^/  | telemetry: /' "$OUTDIR/vf-double.tel"
	check "vf-double: telemetry /sriov/list of the registered bus lists both VFs" \
		eval "grep -qF '$VF0' '$OUTDIR/vf-double.tel' && grep -qF '$VF1' '$OUTDIR/vf-double.tel'"
	log=$(tp_log vf-double)
	grep -E 'Registered \[sriov\]|already registered' "$log" | sed 's/^/  | /'
	check "vf-double: the sriov bus registered once" \
		test "$(grep -c 'Registered \[sriov\] bus' "$log")" = 1
	n=$(grep -c 'sriov: bus already registered by ' "$log")
	check "vf-double: one message ($n) naming both files" eval \
		"test $n = 1 && grep 'already registered by' '$log' | grep -F '$(realpath "$PLUGIN")' | grep -qF '$INSTALLED'"
	check "vf-double: each VF probed once" \
		test "$(tp_count vf-double 'sriov: .*probe PCI driver net_e1000_igb_vf')" = 2

	# -d of the installed plugin itself: the same file, one object, silence.
	tp_start vf-same -d "$INSTALLED" -l 0,1 --file-prefix vf-same \
		--log-level=lib.eal:debug -a "$VF0,vf_token_file=$TOK" \
		-- -i --total-num-mbufs=$MBUFS
	check "vf-same: -d $INSTALLED starts" tp_wait vf-same 'testpmd> ' 180
	check "vf-same: one registration, no message (one object)" eval \
		"test \"\$(tp_count vf-same 'Registered \[sriov\] bus')/\$(tp_count vf-same 'already registered')\" = 1/0"
	tp_stop vf-same

	# The bus explains a wrong token, as with -d.
	tp_start vf-wrong -l 0,1 --file-prefix vf-wrong \
		-a "$VF0,vf_token_file=$WRONG" -- -i --total-num-mbufs=$MBUFS
	check "vf-wrong: the bus refuses a wrong token [token-rejected]" \
		tp_wait vf-wrong "sriov: $VF0: .*cannot open the device \[token-rejected\]" 180
	grep "sriov: $VF0" "$(tp_log vf-wrong)" | head -n 3 | sed 's/^/  | /'
	tp_stop vf-wrong
	check "vf-wrong: neither token is in the output" eval \
		"token_not_in '$(tp_log vf-wrong)' '$TOK' && token_not_in '$(tp_log vf-wrong)' '$WRONG'"

	newer_point_steps

	tp_stop pf
	check "PF: testpmd exits cleanly" test $? = 0
	check "PF: the token is not in the log" token_not_in "$(tp_log pf)" "$TOK"
	set_num_vfs "$VM_PF" 0
}

# ---- remove ----------------------------------------------------------------
# paths of the packages' files (not directories shared with others)
pkg_files() {
	local p f
	for p in $PKGS; do
		dpkg -L "$p" | while read -r f; do
			[ -d "$f" ] && [ ! -L "$f" ] || echo "$f"
		done
	done
}

remove_steps() {
	local -a files
	local left
	mapfile -t files < <(pkg_files)
	note "${#files[@]} files and links before removal"
	# shellcheck disable=SC2086
	check "dpkg -r then -P the 4 packages" eval \
		"dpkg -r $PKGS >'$OUTDIR/dpkg-remove.log' 2>&1 && dpkg -P $PKGS >>'$OUTDIR/dpkg-remove.log' 2>&1"
	left=$(for f in "${files[@]}"; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
	[ -n "$left" ] && note "left behind: $left"
	check "no file of the packages is left" test -z "$left"
	check "dpkg knows none of them any more" eval \
		"! dpkg-query -W $PKGS >/dev/null 2>&1"
	check "no plugin in $PMD_DIR after removal" test ! -e "$AUTO" -a ! -L "$AUTO"
}

# ---- a process that uses no SR-IOV function --------------------------------
# Issue 12: loaded into every DPDK process, the plugin must leave one that
# uses no SR-IOV function as it is without the plugin (install.rst,
# "Keeping the bus off"). The e1000e is PCI without SR-IOV.

# one_start LOG EAL-ARGS...: "SECONDS RC", launch to exit of a testpmd
# that starts and quits at once; its output in $OUTDIR/LOG.log.
one_start() {
	local log=$1 t0 t1 rc
	shift
	t0=$EPOCHREALTIME
	echo quit | timeout 120 "$TESTPMD" -l 0,1 --file-prefix st "$@" \
		-- -i --total-num-mbufs=2048 >"$OUTDIR/$log.log" 2>&1
	rc=$?
	t1=$EPOCHREALTIME
	printf '%.3f %s\n' "$(echo "$t1 - $t0" | bc -l)" "$rc"
}

# DPDK without the plugin: its link in the PMD directory moved away
plugin_away() { mv "$AUTO" /run/sriov-link-away; }
plugin_back() { mv /run/sriov-link-away "$AUTO"; }

# pci_probes LOG: the pci bus's probe lines of that run (EAL's, at INFO)
pci_probes() { grep -o 'EAL: Probe PCI driver: .*' "$OUTDIR/$1.log" | sort -u; }

# sriov_lines LOG...: lines naming the bus, shown and counted
sriov_lines() {
	local f
	for f in "$@"; do
		grep -H sriov "$OUTDIR/$f.log" | head -n 3 | sed "s#^$OUTDIR/#  | #" >&2
	done
	for f in "$@"; do cat "$OUTDIR/$f.log"; done | grep -c sriov
}

# same_probes REF LOG...: each LOG's pci probe lines are REF's, and REF
# probes the e1000e
same_probes() {
	local ref=$1 f want
	shift
	want=$(pci_probes "$ref")
	grep -qF "device: $VM_NOSRIOV_NIC" <<<"$want" || {
		note "$ref: no 'Probe PCI driver' line for $VM_NOSRIOV_NIC"
		return 1
	}
	for f in "$@"; do
		[ "$(pci_probes "$f")" = "$want" ] || {
			note "$f probes '$(pci_probes "$f")', without the plugin '$want'"
			return 1
		}
	done
}

# not_probed LOG: neither bus probed the e1000e (the sriov bus at info)
not_probed() {
	local n
	n=$(grep -cE "Probe PCI driver: .*$VM_NOSRIOV_NIC|sriov: $VM_NOSRIOV_NIC" "$OUTDIR/$1.log")
	[ "$n" = 0 ] || grep -E "$VM_NOSRIOV_NIC" "$OUTDIR/$1.log" | head -n 3 | sed 's/^/  | /'
	[ "$n" = 0 ]
}

rc_is_0() { [ "$1" = 0 ] || { note "exit $1"; return 1; }; }

nic_to_vfio() {
	check "e1000e $VM_NOSRIOV_NIC (no SR-IOV) bound to vfio-pci" \
		eval "vfio_setup && bind_vfio $VM_NOSRIOV_NIC"
}

# -b of the e1000e with the plugin auto-loaded: neither bus probes it
blocked_steps() {
	local s rc
	read -r s rc < <(one_start nosriov-blocked --vdev net_null0 \
		--log-level=bus.sriov:info -b "$VM_NOSRIOV_NIC")
	check "no SR-IOV, -b $VM_NOSRIOV_NIC: testpmd exits 0 ($s s)" rc_is_0 "$rc"
	check "no SR-IOV, -b $VM_NOSRIOV_NIC: probed by neither bus (sriov at info)" \
		not_probed nosriov-blocked
}

# The test: one start of each, ~4 s each under TCG.
nosriov_steps() {
	local s rc
	nic_to_vfio
	plugin_away
	read -r s rc < <(one_start nosriov-none -a "$VM_NOSRIOV_NIC")
	plugin_back
	check "no SR-IOV, plugin moved away: testpmd -a $VM_NOSRIOV_NIC exits 0 ($s s)" \
		rc_is_0 "$rc"
	read -r s rc < <(one_start nosriov-auto -a "$VM_NOSRIOV_NIC")
	check "no SR-IOV, plugin auto-loaded: testpmd -a $VM_NOSRIOV_NIC exits 0 ($s s)" \
		rc_is_0 "$rc"
	check "no SR-IOV, plugin auto-loaded: no line of the bus (default log level)" \
		test "$(sriov_lines nosriov-auto)" = 0
	check "no SR-IOV, plugin auto-loaded: the pci bus probes $VM_NOSRIOV_NIC as without it" \
		same_probes nosriov-none nosriov-auto
	blocked_steps
}

# ---- other DPDK point releases and releases ----------------------------------
# shim NAME C-LINES...: an LD_PRELOAD library of those definitions (they
# replace EAL's rte_version*() in the process), built in $OUTDIR; prints
# its path.
shim() {
	local name=$1
	shift
	printf '%s\n' "$@" >"$OUTDIR/$name.c"
	cc -shared -fPIC -o "$OUTDIR/$name.so" "$OUTDIR/$name.c" >&2 &&
		echo "$OUTDIR/$name.so"
}

# A newer point release of the running one: the installed plugin (auto-
# loaded) opens VF0 with its token and probes it through its bus. The
# bus's debug line names the release it saw.
newer_point_steps() {
	local cur y m n so
	cur=$(pkg-config --modversion libdpdk)
	IFS=. read -r y m n <<<"$cur"
	n=$((${n%%[!0-9]*} + 1))
	so=$(shim newer-point "const char *rte_version(void) { return \"DPDK $y.$m.$n\"; }" \
		"unsigned int rte_version_minor(void) { return $n; }")
	check "newer point release: shim built (rte_version() says DPDK $y.$m.$n; installed $cur)" \
		test -n "$so"
	LD_PRELOAD=$so tp_start point -l 0,1 --file-prefix point \
		--log-level=bus.sriov:debug -a "$VF0,vf_token_file=$TOK" \
		-- -i --total-num-mbufs=$MBUFS
	tp_wait point 'testpmd> ' 180
	grep -E "sriov: (DPDK $y\.$m\.$n, built|$VF0: probe)" "$(tp_log point)" | sed 's/^/  | /'
	check "newer point release $y.$m.$n: the auto-loaded bus takes it (debug line names it)" \
		grep -q "sriov: DPDK $y\.$m\.$n, built for $y\.$m: " "$(tp_log point)"
	check "newer point release $y.$m.$n: VF0 probed through the sriov bus with its token" \
		grep -q "sriov: $VF0: probe PCI driver net_e1000_igb_vf" "$(tp_log point)"
	tp_stop point
	check "newer point release $y.$m.$n: testpmd exits cleanly" test $? = 0
}

# A release the plugin does not know (23.11): one line, the bus idle,
# testpmd -a of the e1000e probes it through the pci bus as without the
# plugin (nosriov-none, nosriov_steps) and exits 0.
refused_steps() {
	local so s rc n
	so=$(shim unknown-release "unsigned int rte_version_year(void) { return 23; }" \
		"unsigned int rte_version_month(void) { return 11; }")
	check "unknown release: shim built (rte_version_year/month() say 23.11)" test -n "$so"
	read -r s rc < <(LD_PRELOAD=$so one_start refused -a "$VM_NOSRIOV_NIC")
	grep sriov "$OUTDIR/refused.log" | sed 's/^/  | /'
	check "unknown release 23.11: testpmd -a $VM_NOSRIOV_NIC exits 0 ($s s)" rc_is_0 "$rc"
	n=$(grep -c sriov "$OUTDIR/refused.log")
	check "unknown release 23.11: one line of the bus ($n), naming the release and the supported ones" \
		eval "test $n = 1 && grep -q 'sriov: DPDK 23.11 is running: the sriov bus supports DPDK .*; it stays idle' '$OUTDIR/refused.log'"
	check "unknown release 23.11: the pci bus probes $VM_NOSRIOV_NIC as without the plugin" \
		same_probes nosriov-none refused
}

# ---- start-up cost (measured here, asserted nowhere) ------------------------
# startup.txt: WORKLOAD ROUND VARIANT SECONDS RC, VARIANT auto (plugin in
# the PMD directory) or none (moved away), ABBA order by round; read by
# devtools/bench/bench.py.
startup_steps() {
	local i v w s rc
	local -a args auto_logs e1000e_auto
	nic_to_vfio
	: >"$OUTDIR/startup.txt"
	for w in no-pci e1000e; do
		if [ "$w" = no-pci ]; then args=(--no-pci --vdev net_null0)
		else args=(-a "$VM_NOSRIOV_NIC"); fi
		for ((i = 0; i < RUNS; i++)); do
			# ABBA order per round pair: plugin, none, none, plugin, ...
			for v in $( ((i % 2)) && echo "none auto" || echo "auto none"); do
				[ "$v" = none ] && plugin_away
				read -r s rc < <(one_start "startup-$w-$v-$i" "${args[@]}")
				[ "$v" = none ] && plugin_back
				echo "$w $i $v $s $rc" | tee -a "$OUTDIR/startup.txt"
				[ "$v" = auto ] && auto_logs+=("startup-$w-$v-$i")
				[ "$v$w" = autoe1000e ] && e1000e_auto+=("startup-$w-$v-$i")
			done
		done
	done
	check "every start-up run exited 0" eval \
		"awk '\$5 != 0 { bad = 1 } END { exit bad }' '$OUTDIR/startup.txt'"
	awk '{ k = $1 " " $3; n[k]++; s[k] += $4; v[k] = v[k] " " $4 }
		END { for (k in n) printf "startup: %-13s runs %d mean %.3f s:%s\n", k, n[k], s[k] / n[k], v[k] }' \
		"$OUTDIR/startup.txt" | sort
	check "no SR-IOV, plugin auto-loaded: no line of the bus in ${#auto_logs[@]} runs (default log level)" \
		test "$(sriov_lines "${auto_logs[@]}")" = 0
	check "e1000e: the pci bus probes $VM_NOSRIOV_NIC in every auto run as without the plugin" \
		same_probes startup-e1000e-none-0 "${e1000e_auto[@]}"
	blocked_steps
}

check "debs directory given ($DEBS)" test -n "$DEBS" -a -d "$DEBS"
install_steps
if [ "$MODE" = startup ]; then
	startup_steps
else
	nosriov_steps
	refused_steps
	cli_steps
	pf_steps
	vf_steps
fi
tp_stop_all
remove_steps
finish

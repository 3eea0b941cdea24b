#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Tests of the vftoken CLI's logic against FAKE sysfs trees (plain
# directories, files and symlinks laid out like /sys; no kernel behind them,
# so no VFIO open can succeed and no VF ever appears). What needs a kernel is
# covered by devtools/vm/scenarios/cli-forward.sh.
#
# Usage: cli_test.sh VFTOKEN_BINARY GROUP
#   GROUP: status json usage vfs token check scrub errors cdi
set -u

VFT=${1:?usage: cli_test.sh VFTOKEN_BINARY GROUP}
GROUP=${2:?usage: cli_test.sh VFTOKEN_BINARY GROUP}
command -v jq >/dev/null 2>&1 || { echo "jq is required" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/vft-cli-test-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
PASS=0
FAIL=0
TOKEN=6f1c2b9e-3d4a-4b5c-8d7e-9f0a1b2c3d4e

ok() {
	PASS=$((PASS + 1))
	echo "ok - $*"
}
nok() {
	FAIL=$((FAIL + 1))
	echo "not ok - $*"
	echo "#   rc=$RC stdout:" && sed 's/^/#     /' "$T/out"
	echo "#   stderr:" && sed 's/^/#     /' "$T/err"
}

# run ARGS...: run vftoken, keep exit code in RC, output in $T/out, $T/err
run() {
	"$VFT" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}
# expect_rc N DESC
expect_rc() {
	if [ "$RC" -eq "$1" ]; then ok "$2 (exit $1)"; else nok "$2: expected exit $1, got $RC"; fi
}
# expect_in out|err FIXED-STRING
expect_in() {
	if grep -qF -- "$2" "$T/$1"; then ok "$1 has '$2'"; else nok "$1 lacks '$2'"; fi
}
expect_not_in() {
	if grep -qF -- "$2" "$T/$1"; then nok "$1 must not have '$2'"; else ok "$1 has no '$2'"; fi
}
# expect_jq FILTER DESC: FILTER must evaluate to true on $T/out
expect_jq() {
	if [ "$(jq -r "$1" "$T/out" 2>/dev/null)" = true ]; then ok "json: $2"; else nok "json: $2 ($1)"; fi
}

# ---------------------------------------------------------------- fake tree
# A FAKE sysfs tree for logic tests: ROOT/bus/pci/devices/ADDR/{vendor,...}.

fake_tree_new() {
	ROOT=$(mktemp -d "$T/fake-sysfs-XXXXXX")
	mkdir -p "$ROOT/bus/pci/devices" "$ROOT/bus/pci/drivers" "$ROOT/kernel/iommu_groups"
	: >"$ROOT/bus/pci/drivers_probe"
}

# fake_dev ADDR VENDOR DEVICE CLASS DRIVER|- GROUP|-
fake_dev() {
	d=$ROOT/bus/pci/devices/$1
	mkdir -p "$d"
	echo "0x$2" >"$d/vendor"
	echo "0x$3" >"$d/device"
	echo "0x$2" >"$d/subsystem_vendor"
	echo "0x$3" >"$d/subsystem_device"
	echo "0x$4" >"$d/class"
	echo -1 >"$d/numa_node"
	echo "(null)" >"$d/driver_override"
	if [ "$5" != - ]; then
		mkdir -p "$ROOT/bus/pci/drivers/$5"
		: >"$ROOT/bus/pci/drivers/$5/bind"
		: >"$ROOT/bus/pci/drivers/$5/unbind"
		ln -s "../../drivers/$5" "$d/driver"
	fi
	if [ "$6" != - ]; then
		mkdir -p "$ROOT/kernel/iommu_groups/$6/devices"
		ln -s "../../../../bus/pci/devices/$1" "$ROOT/kernel/iommu_groups/$6/devices/$1"
		ln -s "../../../../kernel/iommu_groups/$6" "$d/iommu_group"
	fi
}

# fake_pf ADDR TOTAL DRIVER|- GROUP: an SR-IOV PF (8086:10c9), no VFs yet
fake_pf() {
	fake_dev "$1" 8086 10c9 020000 "$3" "$4"
	echo "$2" >"$ROOT/bus/pci/devices/$1/sriov_totalvfs"
	echo 0 >"$ROOT/bus/pci/devices/$1/sriov_numvfs"
}

# fake_vf PF INDEX ADDR DRIVER|- GROUP: physfn/virtfnN links, bumps numvfs
fake_vf() {
	fake_dev "$3" 8086 10ca 020000 "$4" "$5"
	ln -s "../$1" "$ROOT/bus/pci/devices/$3/physfn"
	ln -s "../$3" "$ROOT/bus/pci/devices/$1/virtfn$2"
	n=$(cat "$ROOT/bus/pci/devices/$1/sriov_numvfs")
	echo $((n + 1)) >"$ROOT/bus/pci/devices/$1/sriov_numvfs"
}

# fake_enable_sriov Y|N|absent
fake_enable_sriov() {
	rm -rf "$ROOT/module/vfio_pci"
	[ "$1" = absent ] && return 0
	mkdir -p "$ROOT/module/vfio_pci/parameters"
	echo "$1" >"$ROOT/module/vfio_pci/parameters/enable_sriov"
}

# The standard fixture:
#   01:00.0 PF on vfio-pci with VFs 01:10.0 and 01:10.2 on vfio-pci
#   02:00.0 PF on igb, no VFs        03:00.0 PF on vfio-pci, no VFs
#   04:00.0 PF on igb, VF 04:10.0 on igbvf   05:00.0 PF with no driver
#   00:1f.0 not SR-IOV
fake_fixture() {
	fake_tree_new
	fake_pf 0000:01:00.0 7 vfio-pci 10
	fake_vf 0000:01:00.0 0 0000:01:10.0 vfio-pci 11
	fake_vf 0000:01:00.0 1 0000:01:10.2 vfio-pci 12
	fake_pf 0000:02:00.0 7 igb 20
	fake_pf 0000:03:00.0 7 vfio-pci 30
	fake_pf 0000:04:00.0 7 igb 40
	fake_vf 0000:04:00.0 0 0000:04:10.0 igbvf 41
	fake_pf 0000:05:00.0 7 - 50
	fake_dev 0000:00:1f.0 8086 7a06 060100 lpc_ich 1
	fake_enable_sriov "${1:-Y}"
}

# ------------------------------------------------------------------- groups

t_status() {
	fake_fixture Y
	run status --sysfs-root "$ROOT"
	expect_rc 0 "status on the fixture"
	expect_in out "vfio-pci: enable_sriov=Y"
	expect_in out "0000:01:00.0  PF  8086:10c9  driver=vfio-pci  iommu_group=10  VFs 2/7  VFs token-gated"
	expect_in out "0000:01:10.2  VF1  8086:10ca  driver=vfio-pci  iommu_group=12  token-gated"
	expect_in out "ready: VF users need the PF's VF token"
	expect_in out "next: PF on igb: VFs are not token-gated"
	expect_in out "next: no VFs: vftoken vfs create 0000:03:00.0 N"
	expect_in out "0000:04:10.0  VF0  8086:10ca  driver=igbvf  iommu_group=41  not token-gated"
	expect_in out "next: PF not bound to any driver: vftoken vfs create 0000:05:00.0 N --bind"
	expect_not_in out "0000:00:1f.0"

	fake_enable_sriov N
	run status --sysfs-root "$ROOT" 0000:03:00.0
	expect_rc 0 "status of one PF, enable_sriov N"
	expect_in out "next: enable_sriov=N: modprobe -r vfio-pci && modprobe vfio-pci enable_sriov=1"
	expect_not_in out "0000:01:00.0"

	fake_enable_sriov absent
	run status --sysfs-root "$ROOT" 0000:01:10.2
	expect_rc 0 "status of a VF"
	expect_in out "vfio-pci: enable_sriov=not loaded"
	expect_in out "0000:01:00.0  PF"
	expect_in out "0000:01:10.2  VF1"
	expect_not_in out "0000:01:10.0"

	run status --sysfs-root "$ROOT" 0000:00:1f.0
	expect_rc 11 "status of a non-SR-IOV function"
	expect_in err "neither an SR-IOV PF"

	run status --sysfs-root "$ROOT" 0000:09:00.0
	expect_rc 3 "status of a missing function"

	run status --sysfs-root "$ROOT" 01:10.x
	expect_rc 2 "status of a malformed address"
	expect_in err "'01:10.x' is not a PCI address"

	fake_tree_new
	run status --sysfs-root "$ROOT"
	expect_rc 0 "status without PFs"
	expect_in out "no SR-IOV PFs"
}

t_json() {
	fake_fixture Y
	run status --json --sysfs-root "$ROOT"
	expect_rc 0 "status --json"
	expect_jq '.vfio_pci.loaded and .vfio_pci.enable_sriov == "Y"' "vfio_pci Y"
	expect_jq '.pfs | map(.addr) == ["0000:01:00.0","0000:02:00.0","0000:03:00.0","0000:04:00.0","0000:05:00.0"]' "the five PFs, in order"
	expect_jq '.pfs[0] | .driver == "vfio-pci" and .num_vfs == 2 and .total_vfs == 7 and .vfs_token_gated and .ready and .iommu_group == 10' "PF 01:00.0"
	expect_jq '.pfs[0].vfs | map(.addr) == ["0000:01:10.0","0000:01:10.2"]' "its VFs"
	expect_jq '.pfs[0].vfs | all(.driver == "vfio-pci" and .token_gated and .device == "10ca")' "VFs on vfio-pci, gated"
	expect_jq '.pfs[0].vfs[1].iommu_group == 12 and .pfs[0].vfs[1].index == 1' "VF1 group"
	expect_jq '.pfs[1] | (.vfs_token_gated | not) and .driver == "igb" and (.next | index("PF on igb: VFs are not token-gated")) != null' "PF on igb"
	expect_jq '.pfs[3].vfs[0] | .driver == "igbvf" and (.token_gated | not)' "VF on igbvf not gated"
	expect_jq '.pfs[4].driver == null and (.pfs[4].ready | not)' "unbound PF"

	fake_enable_sriov absent
	run status --json --sysfs-root "$ROOT" 0000:04:10.0
	expect_rc 0 "status --json of a VF"
	expect_jq '(.vfio_pci.loaded | not) and .vfio_pci.enable_sriov == null' "vfio_pci absent"
	expect_jq '.pfs | length == 1 and .[0].addr == "0000:04:00.0" and (.[0].vfs | length == 1)' "only that PF and VF"
}

t_usage() {
	run
	expect_rc 2 "no command"
	run frobnicate
	expect_rc 2 "unknown command"
	expect_in err "unknown command 'frobnicate'"
	run --version
	expect_rc 0 "--version"
	expect_in out "vftoken "
	for c in status "vfs" "token" check cdi; do
		# shellcheck disable=SC2086
		run $c --help
		expect_rc 0 "$c --help"
		# the exit table is printed once, by vftoken --help
		expect_in out "Exit status: the table of 'vftoken --help'"
		expect_not_in out "12  vfs-not-ready"
	done
	run help check
	expect_rc 0 "help check"
	expect_in out "Usage: vftoken check ADDR"
	run help
	expect_rc 0 "help"
	expect_in out " 7  token-rejected"
	expect_in out "14  broker-unreachable"
	run --help
	expect_in out "13  broker-denied"
	run status --bogus
	expect_rc 2 "unknown option"
	expect_in err "'--bogus'"
	run vfs
	expect_rc 2 "vfs without subcommand"
	run vfs grow 0000:01:00.0 1
	expect_rc 2 "unknown vfs subcommand"
	run vfs create 0000:03:00.0
	expect_rc 2 "vfs create without N"
	run vfs create 0000:03:00.0 0
	expect_rc 2 "vfs create 0 VFs"
	expect_in err "expected a decimal number from 1 to"
	run vfs create 0000:03:00.0 2x
	expect_rc 2 "vfs create N not a number"
	run vfs destroy 0000:03:00.0 --bind
	expect_rc 2 "--bind on destroy"
	run token set 0000:01:00.0
	expect_rc 2 "token set without a source"
	run token set 0000:01:00.0 --generate
	expect_rc 2 "--generate without --out"
	expect_in err "--generate needs --out"
	run token set 0000:01:00.0 --token-file a --token-env B
	expect_rc 2 "two token sources"
	run token set 0000:01:00.0 --token-file a --token-file b
	expect_rc 2 "--token-file twice"
	run token get 0000:01:00.0
	expect_rc 2 "unknown token subcommand"
	run check
	expect_rc 2 "check without ADDR"
	run check 0000:01:10.0 0000:01:10.2
	expect_rc 2 "check with two addresses"
}

t_vfs() {
	fake_fixture Y
	run vfs create 0000:01:00.0 2 --sysfs-root "$ROOT"
	expect_rc 11 "PF that already has VFs"
	expect_in err "0000:01:00.0 already has 2 VFs; destroy them first: vftoken vfs destroy 0000:01:00.0"

	run vfs create 0000:03:00.0 8 --sysfs-root "$ROOT"
	expect_rc 11 "more VFs than sriov_totalvfs"
	expect_in err "8 VFs requested, but 0000:03:00.0 supports at most 7"

	run vfs create 0000:00:1f.0 1 --sysfs-root "$ROOT"
	expect_rc 11 "not SR-IOV capable"
	expect_in err "0000:00:1f.0 is not SR-IOV capable"

	run vfs create 0000:01:10.0 1 --sysfs-root "$ROOT"
	expect_rc 11 "a VF as PF"
	expect_in err "is a VF; VFs are created on its PF 0000:01:00.0"

	run vfs create 0000:09:00.0 1 --sysfs-root "$ROOT"
	expect_rc 3 "missing PF"

	run vfs create 0000:05:00.0 1 --sysfs-root "$ROOT"
	expect_rc 11 "unbound PF without --bind"
	expect_in err "not bound to any driver"

	fake_enable_sriov N
	run vfs create 0000:03:00.0 2 --sysfs-root "$ROOT"
	expect_rc 11 "enable_sriov N"
	expect_in err "modprobe -r vfio-pci && modprobe vfio-pci enable_sriov=1"
	if [ "$(cat "$ROOT/bus/pci/devices/0000:03:00.0/sriov_numvfs")" = 0 ]; then
		ok "sriov_numvfs untouched"
	else
		nok "sriov_numvfs written despite enable_sriov N"
	fi

	fake_enable_sriov absent
	run vfs create 0000:02:00.0 2 --bind --sysfs-root "$ROOT"
	expect_rc 11 "--bind with vfio-pci not loaded"
	expect_in err "vfio-pci is not loaded: modprobe vfio-pci enable_sriov=1"
	if [ "$(basename "$(readlink "$ROOT/bus/pci/devices/0000:02:00.0/driver")")" = igb ]; then
		ok "PF left on igb"
	else
		nok "PF unbound from igb although the bind could not work"
	fi

	# On a kernel driver VFs may be created, with a warning. In a fake tree
	# they never appear, so the wait times out: exit 12.
	run vfs create 0000:02:00.0 2 --wait 0 --sysfs-root "$ROOT"
	expect_rc 12 "igb PF, VFs never appear in a fake tree"
	expect_in err "0000:02:00.0 is on igb, not vfio-pci: its VFs will not be token-gated"
	expect_in err "did not all appear within 0 s"
	if [ "$(cat "$ROOT/bus/pci/devices/0000:02:00.0/sriov_numvfs")" = 2 ]; then
		ok "sriov_numvfs written 2"
	else
		nok "sriov_numvfs not written"
	fi

	run vfs destroy 0000:03:00.0 --sysfs-root "$ROOT"
	expect_rc 0 "destroy on a PF without VFs"
	expect_in out "0000:03:00.0 has no VFs"
	run vfs destroy 0000:00:1f.0 --sysfs-root "$ROOT"
	expect_rc 11 "destroy on a non-SR-IOV function"
}

t_token() {
	fake_fixture Y
	printf '%s\n' "$TOKEN" >"$T/tok"
	chmod 0644 "$T/tok"
	run token set 0000:01:00.0 --token-file "$T/tok" --sysfs-root "$ROOT"
	expect_rc 10 "token file readable by others"
	expect_in err "--token-file:"
	expect_not_in err "$TOKEN"

	chmod 0600 "$T/tok"
	ln -s "$T/tok" "$T/tok-link"
	run token set 0000:01:00.0 --token-file "$T/tok-link" --sysfs-root "$ROOT"
	expect_rc 10 "token file is a symlink"
	run token set 0000:01:00.0 --token-file "$T/nonexistent" --sysfs-root "$ROOT"
	expect_rc 10 "token file missing"
	expect_in err "$T/nonexistent"
	printf 'not-a-uuid\n' >"$T/bad"
	chmod 0600 "$T/bad"
	run token set 0000:01:00.0 --token-file "$T/bad" --sysfs-root "$ROOT"
	expect_rc 10 "token file with a malformed UUID"
	expect_not_in err "not-a-uuid"
	run token set 0000:01:00.0 --token-env VFT_CLI_TEST_UNSET --sysfs-root "$ROOT"
	expect_rc 10 "token variable unset"
	expect_in err "VFT_CLI_TEST_UNSET"

	run token set 0000:02:00.0 --token-file "$T/tok" --sysfs-root "$ROOT"
	expect_rc 4 "token set on a PF on igb"
	expect_in err "not token-gated"
	run token set 0000:01:10.0 --token-file "$T/tok" --sysfs-root "$ROOT"
	expect_rc 11 "token set on a VF"
	run token set 0000:00:1f.0 --token-file "$T/tok" --sysfs-root "$ROOT"
	expect_rc 11 "token set on a non-SR-IOV function"

	run token generate --out "$T/gen"
	expect_rc 0 "token generate --out"
	if [ "$(stat -c %a "$T/gen")" = 600 ]; then ok "generated file is 0600"; else nok "generated file mode $(stat -c %a "$T/gen")"; fi
	gen=$(cat "$T/gen")
	if echo "$gen" | grep -Eqx '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'; then
		ok "generated file holds a v4 UUID"
	else
		nok "generated file does not hold a v4 UUID"
	fi
	expect_not_in out "$gen"
	expect_not_in err "$gen"
	expect_in out "fp:"
	cp "$T/gen" "$T/gen.orig"
	run token generate --out "$T/gen"
	expect_rc 10 "token generate onto an existing file"
	if cmp -s "$T/gen" "$T/gen.orig"; then ok "existing file untouched"; else nok "existing file overwritten"; fi

	# In a fake tree the PF open fails, so a generated token is not set and
	# its file must not be left behind.
	run token set 0000:01:00.0 --generate --out "$T/gen2" --sysfs-root "$ROOT"
	if [ "$RC" -ne 0 ]; then ok "token set fails without a real PF (exit $RC)"; else nok "token set succeeded on a fake tree"; fi
	if [ ! -e "$T/gen2" ]; then ok "unset token file removed"; else nok "unset token file left behind"; fi
	expect_in err "opening PF 0000:01:00.0"
}

t_check() {
	fake_fixture Y
	run check 0000:09:00.0 --sysfs-root "$ROOT"
	expect_rc 3 "check of a missing function"
	expect_in out "0000:09:00.0: no-device"
	run check 0000:02:00.0 --json --sysfs-root "$ROOT"
	expect_rc 4 "check of a PF on igb"
	expect_jq '.verdict == "not-vfio" and .exit_code == 4 and (.ok | not) and (.token.given | not)' "not-vfio verdict"
	expect_jq '(.reason | length) > 0 and (.fix | length) > 0' "reason and fix present"
	printf '%s\n' "$TOKEN" >"$T/tok"
	chmod 0600 "$T/tok"
	run check 0000:04:10.0 --json --token-file "$T/tok" --sysfs-root "$ROOT"
	expect_rc 4 "check of a VF on igbvf with a token"
	expect_jq '.token.given and .token.source == "file" and (.token.fingerprint | startswith("fp:"))' "token fingerprint, no value"
	expect_not_in out "$TOKEN"
	chmod 0640 "$T/tok"
	run check 0000:01:10.0 --token-file "$T/tok" --sysfs-root "$ROOT"
	expect_rc 10 "check with a group-readable token file"
	run check 0000:01:10.0 --token not-a-uuid --sysfs-root "$ROOT"
	expect_rc 10 "check with a malformed --token"
	expect_not_in err "not-a-uuid"
	VFT_CLI_TEST_TOKEN=$TOKEN run check 0000:09:00.0 --token-env VFT_CLI_TEST_TOKEN --json --sysfs-root "$ROOT"
	expect_rc 3 "check with --token-env"
	expect_jq '.token.source == "env"' "token from env"
}

# --token: warning, and the value is gone from /proc/PID/cmdline while the
# process runs. A FIFO as a sysfs attribute in the fake tree holds vftoken
# inside its first sysfs read so its command line can be inspected.
t_scrub() {
	fake_fixture Y
	run check 0000:09:00.0 --token "$TOKEN" --sysfs-root "$ROOT"
	expect_rc 3 "check --token on a missing function"
	expect_in err "warning: a token given with --token is visible to other users"
	expect_not_in out "$TOKEN"
	expect_not_in err "$TOKEN"

	for form in split joined; do
		v=$ROOT/bus/pci/devices/0000:01:10.0/vendor
		rm -f "$v"
		mkfifo "$v"
		# a fresh stderr file: the previous form's warning must not be
		# taken for this one's before the new process has even started
		: >"$T/err"
		if [ $form = split ]; then
			"$VFT" check 0000:01:10.0 --token "$TOKEN" --sysfs-root "$ROOT" >"$T/out" 2>"$T/err" &
		else
			"$VFT" check 0000:01:10.0 "--token=$TOKEN" --sysfs-root "$ROOT" >"$T/out" 2>"$T/err" &
		fi
		pid=$!
		# wait until vftoken is blocked opening the FIFO (the warning is out)
		# (up to 30 s: the machine may be busy with VMs)
		i=0
		while [ $i -lt 300 ] && ! grep -q warning "$T/err"; do
			sleep 0.1
			i=$((i + 1))
		done
		tr '\0' ' ' <"/proc/$pid/cmdline" >"$T/cmdline"
		# release it: answer this read, then make vendor a plain file
		# for any later read
		exec 3<>"$v"
		rm -f "$v"
		echo 0x8086 >"$v"
		echo 0x8086 >&3
		exec 3>&-
		wait $pid
		RC=$?
		if grep -qF "$TOKEN" "$T/cmdline"; then
			nok "--token ($form) value visible in /proc/PID/cmdline"
		elif grep -qF -- "--sysfs-root" "$T/cmdline"; then
			ok "--token ($form) value wiped from /proc/PID/cmdline, the rest intact"
		else
			nok "--token ($form): command line not captured"
		fi
	done
}

# expect_json_error VERDICT EXIT DESC: stdout is one JSON object with the
# error fields of every --json error (doc/guides/cli.rst, "Errors with
# --json"), parsed by jq.
expect_json_error() {
	expect_rc "$2" "$3"
	# -s: exactly one document (jq 1.6 -e passes an empty input)
	if jq -e -s --arg v "$1" --argjson x "$2" \
		'length == 1 and (.[0] | .verdict == $v and .exit == $x and (.reason | length) > 0 and (.fix | length) > 0)' \
		"$T/out" >/dev/null 2>&1; then
		ok "json error: $3: verdict $1, exit $2, reason, fix"
	else
		nok "json error: $3: stdout is not {verdict: $1, exit: $2, reason, fix}"
	fi
}

# Issue 32: what an operator trips over.
t_errors() {
	fake_fixture Y
	# --json: every error is JSON on stdout
	run status --json --sysfs-root "$ROOT" 0000:09:00.0
	expect_json_error no-device 3 "status --json of a missing function"
	expect_jq '.reason | contains("0000:09:00.0")' "reason names the address"
	run status --json --sysfs-root "$ROOT" 0000:01:00.0 0000:00:1f.0
	expect_json_error precondition 11 "status --json, one good and one bad address"
	expect_jq '.pfs | length == 1' "the good PF is still listed"
	run status --json --bogus
	expect_json_error usage 2 "status --json with a bad option"
	run check 0000:09:00.0 --json --bogus --sysfs-root "$ROOT"
	expect_json_error usage 2 "check --json with a bad option"
	chmod 0644 "$T/tok" 2>/dev/null || { printf '%s\n' "$TOKEN" >"$T/tok" && chmod 0644 "$T/tok"; }
	run check 0000:01:10.0 --json --token-file "$T/tok" --sysfs-root "$ROOT"
	expect_json_error token-source 10 "check --json with a group-readable token file"
	expect_not_in out "$TOKEN"
	run check 0000:02:00.0 --json --sysfs-root "$ROOT"
	expect_json_error not-vfio 4 "check --json verdict document has the error fields"
	run status --sysfs-root "$ROOT" 0000:09:00.0
	if [ ! -s "$T/out" ]; then ok "without --json errors stay text on stderr"; else nok "stdout written without --json"; fi

	# token generate: errors name it; --out - is refused, no file "-"
	run token generate --bogus
	expect_rc 2 "token generate --bogus"
	expect_in err "token generate: unknown option"
	expect_not_in err "token set"
	case $VFT in /*) vft_abs=$VFT ;; *) vft_abs=$PWD/$VFT ;; esac
	(cd "$T" && "$vft_abs" token generate --out - >"$T/out" 2>"$T/err")
	RC=$?
	expect_rc 2 "token generate --out -"
	expect_in err "never written to standard output"
	if [ ! -e "$T/-" ]; then ok "no file named '-' created"; else nok "a file named '-' was created"; fi
	expect_not_in out "-"

	# check never changes state: a PF with a token needs --set
	printf '%s\n' "$TOKEN" >"$T/tok"
	chmod 0600 "$T/tok"
	run check 0000:03:00.0 --token-file "$T/tok" --sysfs-root "$ROOT"
	expect_rc 2 "check PF --token-file without --set"
	expect_in err "add --set"
	run check 0000:03:00.0 --token-file "$T/tok" --set --sysfs-root "$ROOT"
	if [ "$RC" -ne 2 ]; then ok "check PF --token-file --set goes on to the open (exit $RC)"; else nok "check PF --set refused"; fi
	run check 0000:01:10.0 --token-file "$T/tok" --sysfs-root "$ROOT"
	if [ "$RC" -ne 2 ]; then ok "check VF --token-file needs no --set (exit $RC)"; else nok "check VF refused without --set"; fi
	run check 0000:03:00.0 --set --sysfs-root "$ROOT"
	expect_rc 2 "check --set without a token"

	# a broker socket where nobody answers: its own exit code, and the
	# broker is asked even for a device local sysfs refuses
	run check 0000:02:00.0 --broker "$T/no-broker.sock" --sysfs-root "$ROOT"
	expect_rc 14 "check --broker with no broker on the socket, device on igb"
	expect_in out "cannot reach the VF token broker"
	run token rotate 0000:01:00.0 --broker "$T/no-broker.sock" --sysfs-root "$ROOT"
	expect_rc 14 "token rotate with no broker on the socket"

	# no IOMMU: the fix says so instead of "bind to vfio-pci"
	fake_tree_new
	fake_dev 0000:02:00.0 8086 10c9 020000 igb -
	run check 0000:02:00.0 --sysfs-root "$ROOT"
	expect_rc 4 "check on a host without IOMMU groups"
	expect_in out "no IOMMU enabled"
	expect_in out "intel_iommu=on"
	if [ -e /dev/vfio/vfio ] || [ -e /dev/iommu ]; then
		ok "# skip path: none (this host has VFIO)"
	else
		expect_in out "path: none"
	fi
}

# vftoken cdi: the spec's shape (jq), its refusals.
t_cdi() {
	fake_fixture
	run cdi --pf 0000:01:00.0 --sysfs-root "$ROOT"
	expect_rc 0 "cdi --pf"
	expect_jq '.cdiVersion == "0.5.0" and .kind == "vftoken.dev/vf"' "version 0.5.0, kind vftoken.dev/vf"
	expect_jq '[.devices[].name] == ["0000:01:10.0", "0000:01:10.2"]' "a device per VF, named by its address"
	expect_jq '[.devices[].containerEdits.env[0]] == ["VFTOKEN_DEVICE_0000_01_10_0=0000:01:10.0", "VFTOKEN_DEVICE_0000_01_10_2=0000:01:10.2"]' "a variable per device"
	if [ -e /dev/vfio/vfio ]; then hp=group; else hp=cdev; fi
	expect_jq ".containerEdits.env == [\"VFTOKEN_BROKER=/run/vftoken/broker.sock\", \"VFTOKEN_VFIO_PATH=$hp\"]" "VFTOKEN_BROKER and this host's VFIO path ($hp) for every device"
	expect_jq '.containerEdits.mounts == [{"hostPath": "/run/vftoken/broker.sock", "containerPath": "/run/vftoken/broker.sock", "options": ["bind"]}, {"hostPath": "/dev/hugepages", "containerPath": "/dev/hugepages", "options": ["rbind", "rw"]}]' "mounts: the socket file, hugepages"
	expect_jq '[.. | objects | has("deviceNodes")] | any | not' "no deviceNodes"
	expect_not_in out "/dev/vfio"
	run cdi 0000:01:10.2 0000:01:10.0 0000:01:10.2 --socket /srv/b.sock --huge-dir none --kind example.com/nic --vfio-path cdev --sysfs-root "$ROOT"
	expect_rc 0 "cdi ADDR... with --socket, --huge-dir none, --kind"
	expect_jq '[.devices[].name] == ["0000:01:10.2", "0000:01:10.0"] and .kind == "example.com/nic"' "the functions given, once each, in order"
	expect_jq '.containerEdits.mounts == [{"hostPath": "/srv/b.sock", "containerPath": "/srv/b.sock", "options": ["bind"]}] and .containerEdits.env == ["VFTOKEN_BROKER=/srv/b.sock", "VFTOKEN_VFIO_PATH=cdev"]' "--socket, --vfio-path, no hugepage mount"
	run cdi 0000:04:10.0 --sysfs-root "$ROOT"
	expect_rc 0 "cdi of a VF on igbvf"
	expect_in err "not vfio-pci: the broker cannot open it"
	run cdi --pf 0000:01:00.0 --out "$T/spec.json" --sysfs-root "$ROOT"
	expect_rc 0 "cdi --out"
	if [ "$(stat -c %a "$T/spec.json")" = 644 ] && jq -e '.devices | length == 2' "$T/spec.json" >/dev/null; then
		ok "--out: mode 0644, the spec"
	else
		nok "--out: $(stat -c %a "$T/spec.json") $(head -c 80 "$T/spec.json")"
	fi
	# refusals
	run cdi --sysfs-root "$ROOT"
	expect_rc 2 "cdi with no function"
	expect_in err "no function (expected ADDR... or --pf PF)"
	run cdi 0000:09:00.0 --sysfs-root "$ROOT"
	expect_rc 3 "cdi of a missing function"
	run cdi --pf 0000:03:00.0 --sysfs-root "$ROOT"
	expect_rc 11 "cdi --pf of a PF with no VFs"
	expect_in err "has no VFs"
	run cdi --pf 0000:01:10.0 --sysfs-root "$ROOT"
	expect_rc 11 "cdi --pf of a VF"
	run cdi 0000:01:10.0 --kind vf --sysfs-root "$ROOT"
	expect_rc 2 "cdi --kind without a vendor domain"
	expect_in err "expected VENDOR/CLASS"
	run cdi 0000:01:10.0 --kind "a.b/c=d" --sysfs-root "$ROOT"
	expect_rc 2 "cdi --kind with '='"
	run cdi 0000:01:10.0 --vfio-path type1 --sysfs-root "$ROOT"
	expect_rc 2 "cdi --vfio-path of no path"
	expect_in err "expected group, cdev or auto"
	run cdi 0000:01:10.0 --socket run/broker.sock --sysfs-root "$ROOT"
	expect_rc 2 "cdi --socket relative"
	expect_in err "expected an absolute path"
	run cdi 0000:01:10.0 --out "$T/no/such/dir/spec.json" --sysfs-root "$ROOT"
	expect_rc 1 "cdi --out in a missing directory"
	expect_in err "cannot create a file next to $T/no/such/dir/spec.json"
}

case $GROUP in
status | json | usage | vfs | token | check | scrub | errors | cdi) "t_$GROUP" ;;
*)
	echo "unknown group '$GROUP'" >&2
	exit 2
	;;
esac
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]

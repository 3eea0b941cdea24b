#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# What the one-boot side-by-side benchmarks share (sourced by mp-attach.sh,
# paths.sh and broker-open.sh, not run): their options, the boot of the
# rig, taking the scenario's figures and where their page and samples go.
#
#   bench_init NAME OUTDIR "$@"     name for messages, build/OUTDIR, the
#                                   command line for the page
#   bench_opt OPTION VAR REGEX METAVAR WHAT   an option with a value,
#                                   checked against REGEX
#   bench_parse "$@"                parse; --no-doc is always known
#   bench_vm KERNEL ACCEL TIMEOUT SCENARIO [ARGS...]   boot the rig once
#                                   (with run.sh's options BENCH_VM_ARGS,
#                                   e.g. --second-pf)
#   bench_take FILE NAME [SAMPLE]   the scenario's FILE to $OUT/NAME (and,
#                                   with the doc, to doc/guides/bench/
#                                   samples/SAMPLE); none is a failure
#
# After bench_init: HERE, ROOT, BUILD, OUT, BENCH_CMD, BENCH_REV (git
# describe of the tree when the run began), BENCH_DOC (1 unless
# --no-doc); after bench_vm: BENCH_RC (the scenario's exit status) and
# BENCH_SCRATCH (its share); after bench_page: BENCH_DOC_ARG (--doc PAGE
# when the doc is written, see bench_page).

# The variables set here are the sourcing script's.
# shellcheck disable=SC2034
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "devtools/bench/lib.sh is sourced by the benchmarks, not run" >&2
	exit 2
fi

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
BENCH_OPT_NAMES=()
BENCH_OPT_VARS=()
BENCH_OPT_RE=()
BENCH_OPT_META=()
BENCH_OPT_WHAT=()
BENCH_DOC_ARG=()
BENCH_DOC=1
BENCH_VM_ARGS=()

bench_init() {
	BENCH_NAME=$1
	OUT=$BUILD/$2
	shift 2
	BENCH_CMD="devtools/bench/$BENCH_NAME.sh${*:+ $*}"
	# the tree as it was when the run began, before any file is written
	BENCH_REV=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
}

bench_opt() {
	BENCH_OPT_NAMES+=("$1")
	BENCH_OPT_VARS+=("$2")
	BENCH_OPT_RE+=("$3")
	BENCH_OPT_META+=("$4")
	BENCH_OPT_WHAT+=("$5")
}

bench_die() {
	echo "$BENCH_NAME: $*" >&2
	exit 2
}

# the options as "--rounds N, --accel icount|tcg, --no-doc"
bench_opts_text() {
	local i t=""
	for i in "${!BENCH_OPT_NAMES[@]}"; do
		t+="${BENCH_OPT_NAMES[i]} ${BENCH_OPT_META[i]}, "
	done
	echo "${t}--no-doc"
}

bench_parse() {
	local i found
	while [ $# -gt 0 ]; do
		if [ "$1" = --no-doc ]; then
			BENCH_DOC=0
			shift
			continue
		fi
		found=
		for i in "${!BENCH_OPT_NAMES[@]}"; do
			[ "$1" = "${BENCH_OPT_NAMES[i]}" ] && found=$i
		done
		[ -n "$found" ] ||
			bench_die "unknown argument '$1' (expected $(bench_opts_text))"
		[ $# -ge 2 ] || bench_die "$1 needs a value: ${BENCH_OPT_META[found]}, ${BENCH_OPT_WHAT[found]}"
		[[ $2 =~ ${BENCH_OPT_RE[found]} ]] ||
			bench_die "$1 '$2' is not ${BENCH_OPT_WHAT[found]}"
		printf -v "${BENCH_OPT_VARS[found]}" '%s' "$2"
		shift 2
	done
}

# Host load over the boot, as devtools/bench/run.sh records it.
bench_host_load() {
	echo "$1 $(date +%s.%N) $(head -n 1 /proc/stat) $(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_vm() {
	local kernel=$1 accel=$2 timeout=$3 scenario=$4 acc=()
	shift 4
	[ -n "$accel" ] && acc=(--accel "$accel")
	mkdir -p "$OUT"
	export VFTOKEN_BUILD="$BUILD"
	bench_host_load start >"$OUT/host-load.txt"
	# --all-pmds: start-up is measured with every driver of Debian's DPDK,
	# as a host runs it (doc/guides/vm_rig.rst, "The rig's DPDK drivers").
	VFTOKEN_VM_OUT="$OUT/vm" "$ROOT/devtools/vm/run.sh" --kernel "$kernel" \
		"${acc[@]}" "${BENCH_VM_ARGS[@]}" --all-pmds --timeout "$timeout" \
		"$scenario" "$@"
	BENCH_RC=$?
	bench_host_load end >>"$OUT/host-load.txt"
	BENCH_SCRATCH=$OUT/vm/scratch/$scenario-$kernel
}

bench_take() {
	local src=$1 name=$2 sample=${3:-}
	[ -s "$src" ] || {
		echo "$BENCH_NAME: no figures ($src)"
		echo "$BENCH_NAME: 0 passed, 1 failed"
		exit 1
	}
	cp "$src" "$OUT/$name"
	[ "$BENCH_DOC" = 1 ] && [ -n "$sample" ] &&
		cp "$src" "$ROOT/doc/guides/bench/samples/$sample"
	return 0
}

# bench_page PAGE: BENCH_DOC_ARG=(--doc doc/guides/PAGE) unless --no-doc
bench_page() {
	BENCH_DOC_ARG=()
	[ "$BENCH_DOC" = 1 ] && BENCH_DOC_ARG=(--doc "$ROOT/doc/guides/$1")
	return 0
}

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The VFIO path benchmark: the sriov bus on the group path against the
# vfio cdev + iommufd path, same VFs, same kernel (the rig's 7.2-iommufd),
# one boot, rounds alternating ABBA (devtools/vm/scenarios/bench-paths.sh).
#
# usage: paths.sh [--rounds N] [--secs S] [--no-doc]
#
# Writes build/bench-paths/paths.tsv (the raw per-run figures) and
# results.json, and, unless --no-doc, doc/guides/bench_paths.rst with the
# ratios cdev/group and their 95 % confidence intervals (paths.py) and the
# raw figures in doc/guides/bench/samples/paths.tsv.
# A benchmark, not a test: nothing here asserts a timing.
set -u

# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init paths bench-paths "$@"
rounds=4
secs=5
bench_opt --rounds rounds '^[1-9][0-9]*$' N 'a positive number of rounds'
bench_opt --secs secs '^[1-9][0-9]*$' S 'a positive number of seconds'
bench_parse "$@"
bench_vm 7.2-iommufd "" 1800 bench-paths --rounds "$rounds" --secs "$secs"
rc=$BENCH_RC
bench_take "$BENCH_SCRATCH/paths.tsv" paths.tsv paths.tsv
bench_page bench_paths.rst
python3 "$HERE/paths.py" "$OUT/paths.tsv" --json "$OUT/results.json" \
	--command "$BENCH_CMD" "${BENCH_DOC_ARG[@]}" || rc=1
exit "$rc"

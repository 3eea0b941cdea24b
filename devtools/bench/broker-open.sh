#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# A VF open through the VF token broker (vftokend) against a direct open
# with the token file, side by side in one boot of the rig
# (devtools/vm/scenarios/bench-broker.sh): R rounds in ABBA order, each
# a run of N opens of VF0 each way (tests/vm/open_loop time), every open
# into a fresh IOMMU context.
#
# usage: broker-open.sh [--rounds R] [--opens N] [--accel icount|tcg] [--no-doc]
#
# Writes build/bench-broker/broker.tsv (the raw figures), broker.env and
# results.json, and, unless --no-doc, doc/guides/bench_broker.rst with the
# ratio broker/direct and its 95 % interval (broker-open.py, stats.py's
# method) and the raw figures in doc/guides/bench/samples/broker-open.tsv.
# --accel icount (the default) times the guest by its instruction count,
# so the shared host's load hardly moves the figures
# (devtools/bench/README.md). A benchmark, not a test: nothing here
# asserts a timing.
set -u

# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init broker-open bench-broker "$@"
rounds=10
opens=20
accel=icount
bench_opt --rounds rounds '^[1-9][0-9]*$' R 'a positive number of rounds'
bench_opt --opens opens '^[1-9][0-9]*$' N 'a positive number of opens per run'
bench_opt --accel accel '^(icount|tcg)$' 'icount|tcg' 'icount or tcg'
bench_parse "$@"
bench_vm 6.1 "$accel" 1200 bench-broker --rounds "$rounds" --opens "$opens"
rc=$BENCH_RC
bench_take "$BENCH_SCRATCH/broker.tsv" broker.tsv broker-open.tsv
bench_take "$BENCH_SCRATCH/broker.env" broker.env
bench_page bench_broker.rst
[ "$BENCH_DOC" = 1 ] && BENCH_DOC_ARG+=(--sample "$ROOT/doc/guides/bench/samples/broker-open.tsv")
python3 "$HERE/broker-open.py" "$OUT/broker.tsv" --env "$OUT/broker.env" \
	--host-load "$OUT/host-load.txt" --revision "$BENCH_REV" \
	--json "$OUT/results.json" --accel "$accel" \
	--command "$BENCH_CMD" "${BENCH_DOC_ARG[@]}" || rc=1
exit "$rc"

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Start-up with N VFs, stock DPDK against the sriov bus plugin, every
# launch counted, in one boot of the rig with two PFs
# (devtools/vm/scenarios/scale.sh --retries 0 --devset --resets): R rounds
# in ABBA order, N = 1, 2, 4, 8, 16, then 8 VFs of one PF against 4 + 4 of
# two, then one untimed launch per way counting FLRs.
#
# usage: startup-scale.sh [--kernel 6.1|7.2-iommufd] [--rounds R]
#                         [--accel icount|tcg] [--no-doc]
#
# Writes build/bench-scale-KERNEL/scale.tsv (the raw figures) and
# results.json, and, unless --no-doc, the raw figures as
# doc/guides/bench/samples/startup-scale-KERNEL.tsv and
# doc/guides/bench_scale.rst with every kernel whose samples are there
# (startup-scale.py, stats.py's method). A benchmark, not a test: nothing
# here asserts a timing.
set -u

# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init startup-scale bench-scale "$@"
kernel=6.1
rounds=3
accel=icount
bench_opt --kernel kernel '^(6\.1|7\.2-iommufd)$' '6.1|7.2-iommufd' '6.1 or 7.2-iommufd'
bench_opt --rounds rounds '^[1-9][0-9]*$' R 'a positive number of rounds'
bench_opt --accel accel '^(icount|tcg)$' 'icount|tcg' 'icount or tcg'
bench_parse "$@"
OUT=$OUT-$kernel
# shellcheck disable=SC2034 # read by bench_vm (lib.sh)
BENCH_VM_ARGS=(--second-pf)
bench_vm "$kernel" "$accel" 3600 scale --rounds "$rounds" --ns "1 2 4 8 all" \
	--retries 0 --devset --resets --secs 3 --warm 1
rc=$BENCH_RC
bench_take "$BENCH_SCRATCH/scale.tsv" scale.tsv "startup-scale-$kernel.tsv"
bench_page bench_scale.rst
[ "$BENCH_DOC" = 1 ] && BENCH_DOC_ARG+=(--samples "$ROOT/doc/guides/bench/samples")
python3 "$HERE/startup-scale.py" "$OUT/scale.tsv" --kernel "$kernel" \
	--json "$OUT/results.json" --command "$BENCH_CMD" "${BENCH_DOC_ARG[@]}" || rc=1
exit "$rc"

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# What the benchmark scenarios share (bench.sh, scale.sh, bench-broker.sh,
# bench-paths.sh; devtools/bench/bench.py reads their figures), sourced
# after scenario.sh, not run:
#
#   bench_setup DIR RAW  DIR on the guest's tmpfs holds the testpmd logs
#                        (polled often; 9p would add noise) and the figures
#                        until rec_flush appends them to RAW in the share
#   rec KEY VALUE        a figure: "ROUND<TAB>MODE<TAB>KEY<TAB>VALUE"
#                        ($ROUND, $MODE; round 0, mode "-": the run's facts)
#   nap S                sleep S seconds without a fork
#   sub A B              A - B, both "seconds.microseconds"
#                        ($EPOCHREALTIME or a stamp), in seconds with 3
#                        decimals; empty if either is. Builtins only
#   redact               stdin with every UUID (a token) <redacted>
#   wait_prompt NAME S [CHECK]  poll testpmd NAME's log for its prompt
#                        every 50 ms, up to S seconds of wall time; with
#                        CHECK, that is a check of that text, and the log's
#                        tail is shown when it fails
#   save_logs NAME [AS]  NAME's log and line stamps, redacted, to
#                        $LOGS/rROUND-MODE-AS.log/.ts (AS: NAME)
#   abba R A B           "A B" in odd rounds R, "B A" in even ones: the
#                        order of the two ways, so that drift cancels
#
# The variables set here are the scenario's.
# shellcheck disable=SC2034

UUID_RE='[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}'
HZ=$(getconf CLK_TCK)
ROUND=0
MODE=-

bench_setup() {
	OUTDIR=$1 RAW=$2 RAW_TMP=$1/figures.tsv
	mkdir -p "$OUTDIR" ${LOGS:+"$LOGS"}
	: >"$RAW"
	: >"$RAW_TMP"
	# a FIFO nobody writes to: "read -t" on it is a sleep without a fork
	mkfifo "$OUTDIR/nap"
	exec {NAP}<>"$OUTDIR/nap"
}

nap() { read -r -t "$1" -u "$NAP" _; }
rec() { printf '%s\t%s\t%s\t%s\n' "$ROUND" "$MODE" "$1" "$2" >>"$RAW_TMP"; }
rec_flush() {
	cat "$RAW_TMP" >>"$RAW"
	: >"$RAW_TMP"
}
redact() { sed -E "s/$UUID_RE/<redacted>/g"; }

sub() {
	local a=${1/./} b=${2/./} d sign=
	if [ -z "$1" ] || [ -z "$2" ]; then
		echo
		return
	fi
	d=$((10#$a - 10#$b))
	((d < 0)) && sign=- d=$((-d))
	printf '%s%d.%03d\n' "$sign" $((d / 1000000)) $(((d % 1000000) / 1000))
}

wait_prompt() {
	local t0=$SECONDS rc=1
	while [ $((SECONDS - t0)) -lt "$2" ]; do
		grep -q 'testpmd> ' "$(tp_log "$1")" && rc=0 && break
		tp_alive "$1" || break
		nap 0.05
	done
	[ -z "${3:-}" ] && return $rc
	check "$3" test $rc = 0
	[ $rc = 0 ] || tail -n 30 "$(tp_log "$1")" | redact | sed 's/^/  | /'
	return $rc
}

save_logs() {
	local as=${2:-$1}
	redact <"$(tp_log "$1")" >"$LOGS/r$ROUND-$MODE-$as.log"
	[ -f "$OUTDIR/$1.ts" ] && redact <"$OUTDIR/$1.ts" >"$LOGS/r$ROUND-$MODE-$as.ts"
	rm -f "$(tp_log "$1")" "$OUTDIR/$1.ts"
}

abba() { if (($1 % 2)); then echo "$2 $3"; else echo "$3 $2"; fi; }

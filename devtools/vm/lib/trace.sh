#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# FLRs counted and timed with ftrace's function_graph tracer on
# pcie_flr() (sourced by the scenarios that count resets, after
# lib/scenario.sh).

TR=/sys/kernel/tracing
# the function that does an FLR (drivers/pci/pci.c); pcie_reset_flr() of
# newer kernels calls it too
FLR_FN=pcie_flr

# flr_trace_on: function_graph on FLR_FN alone (depth 1), the trace empty.
flr_trace_on() {
	[ -d "$TR/events" ] || mount -t tracefs nodev "$TR" || return 1
	grep -qx "$FLR_FN" "$TR/available_filter_functions" || {
		echo "  $FLR_FN is not traceable here"
		return 1
	}
	echo 0 >"$TR/tracing_on" && echo nop >"$TR/current_tracer" &&
		echo "$FLR_FN" >"$TR/set_graph_function" &&
		echo 1 >"$TR/max_graph_depth" &&
		echo function_graph >"$TR/current_tracer" &&
		: >"$TR/trace" && echo 1 >"$TR/tracing_on"
}

flr_trace_clear() { : >"$TR/trace"; }
flr_trace_off() { echo 0 >"$TR/tracing_on" && echo nop >"$TR/current_tracer"; }

# flr_count: the pcie_flr() calls traced, by their entry line: "pcie_flr();"
# when nothing came between entry and return, else "pcie_flr() {" (its
# return is a "}" line: two resets on two CPUs or threads interleave)
flr_count() { grep -cE "$FLR_FN\(\)( \{|;)" "$TR/trace"; }
# flr_durations: the duration of each call that returned (function_graph
# prints one only on pcie_flr's lines at depth 1), in ms
flr_durations() {
	grep -oE '[0-9]+\.[0-9]+ us' "$TR/trace" |
		awk '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 / 1000 } END { print "" }'
}
# flr_took LABEL: the FLRs traced since the trace was last emptied, kept as
# $OUTDIR/flr-LABEL.trace: FLRS their number, FLR_MS their durations.
flr_took() {
	cp "$TR/trace" "$OUTDIR/flr-$1.trace"
	# shellcheck disable=SC2034 # the scenario's
	FLRS=$(flr_count) FLR_MS=$(flr_durations)
}

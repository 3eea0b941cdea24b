#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# A measurement, not in the suite (doc/guides/broker.rst, "What it costs"):
# testpmd on N VFs that the VF token broker opens, the bus asking for them
# in one request (the broker opens them at once) against one after the
# other (VFTOKEN_BROKER_ONE_BY_ONE=1, the measurement knob), in one boot.
#
#   devtools/vm/run.sh --kernel 6.1 broker-batch [--rounds R] [--ns "4 8"]
#
# The PF is on vfio-pci; a PF testpmd (the plugin, num_vfs=8 and the PF's
# token file) serves the VFs' mailbox, as in every scenario that forwards.
# vftokend runs in the foreground with a policy that lets root open the
# PF's VFs and the PF's token in its token directory. For each N and round
# (ABBA: the batch first in odd rounds), testpmd starts on VFs 0..N-1 with
# VFTOKEN_BROKER set and the bus's debug log, and stops at its prompt.
# Per launch: the time from the launch to testpmd's prompt (its log polled
# every 50 ms) and each device's open as the bus timed it (its "start-up:
# open X ms" debug line); printed as "bb: N WAY ROUND prompt_s open_ms..."
# lines, then the medians per N and way. The checks are about the launches
# working (every port, the broker's log shows one request for the batch and
# none for one by one), never about how fast.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

ROUNDS=3
NS="4 8"
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2 && shift ;;
	--ns) NS=$2 && shift ;;
	*)
		echo "broker-batch: unknown argument '$1' (expected --rounds R, --ns \"N...\")"
		exit 2
		;;
	esac
	shift
done

# shellcheck disable=SC2153 # from run.sh's environment
TD=/run/broker-batch
SOCK=$TD/broker.sock
POLICY=$TD/broker.policy
TOK=$TD/$VM_PF.token
BLOG=$OUTDIR/broker.log
RES=$OUTDIR/broker-batch.tsv
: >"$RES"
# 512 RX descriptors per port (scale.sh): room for 8 ports and their bursts
VF_MBUFS=32768

# start_broker: the broker on SOCK with a policy letting root open every
# VF of the PF (scenario.sh's broker_start waits for its socket).
start_broker() {
	printf 'allow uid=0 action=open pf=%s vf=*\n' "$VM_PF" >"$POLICY" &&
		chmod 0600 "$POLICY" || return 1
	broker_start --token-dir "$TD" && BPID=$BROKER_PID
}

# launch N WAY ROUND: testpmd on VFs 0..N-1 through the broker, to its
# prompt; one result line. 1 when it did not get there with N ports.
launch() {
	local n=$1 way=$2 r=$3 args=() i t0 t1 opens ports b0
	for ((i = 0; i < n; i++)); do
		args+=(-a "${VFS[i]}")
	done
	b0=$(wc -l <"$BLOG")
	export VFTOKEN_BROKER=$SOCK
	if [ "$way" = serial ]; then
		export VFTOKEN_BROKER_ONE_BY_ONE=1
	else
		unset VFTOKEN_BROKER_ONE_BY_ONE
	fi
	t0=$EPOCHREALTIME
	tp_start vf -d "$PLUGIN" -l 0,1 --file-prefix bb "${args[@]}" \
		--log-level=bus.sriov:debug -- -i --total-num-mbufs="$VF_MBUFS"
	tp_wait vf 'testpmd> ' 300
	t1=$EPOCHREALTIME
	unset VFTOKEN_BROKER VFTOKEN_BROKER_ONE_BY_ONE
	ports=$(grep -c '^Port [0-9]*: [0-9A-F:]*$' "$(tp_log vf)")
	opens=$(sed -n 's/.*: start-up: open \([0-9.]*\) ms.*/\1/p' "$(tp_log vf)" | tr '\n' ' ')
	tp_stop vf 60 >/dev/null
	printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$way" "$r" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$opens" >>"$RES"
	echo "  bb: N=$n $way r$r: prompt $(tail -n 1 "$RES" | cut -f4) s, opens (ms): $opens"
	tail -n +"$((b0 + 1))" "$BLOG" >"$OUTDIR/broker-$n-$way-$r.log"
	[ "$ports" = "$n" ] || {
		echo "  N=$n $way r$r: $ports ports, expected $n"
		tail -n 15 "$(tp_log vf)" | sed 's/^/  | /'
		return 1
	}
	if [ "$way" = batch ]; then
		[ "$(grep -c "of $n at once\]: allowed .*opened" "$OUTDIR/broker-$n-$way-$r.log")" = "$n" ]
	else
		[ "$(grep -c 'at once' "$OUTDIR/broker-$n-$way-$r.log")" = 0 ] &&
			[ "$(grep -c 'opened' "$OUTDIR/broker-$n-$way-$r.log")" = "$n" ]
	fi
}

echo "broker-batch: kernel $VM_KERNEL, PF $VM_PF, N in: $NS, $ROUNDS round(s)"
pf_ready "$VM_PF"
install -d -m 0700 "$TD"
check "token file $TOK created (0600)" make_token "$TOK"
tp_start pf -d "$PLUGIN" -l 0,1 --file-prefix bbpf \
	-a "$VM_PF,num_vfs=8,vf_token_file=$TOK" -- -i --total-num-mbufs="$MBUFS"
check "PF testpmd made 8 VFs with the token" \
	eval "tp_wait pf 'testpmd> ' 120 && test \$(num_vfs $VM_PF) = 8"
mapfile -t VFS < <(vfs_of "$VM_PF")
check "vftokend starts in the foreground, policy 0600 root's" start_broker
for n in $NS; do
	for ((r = 1; r <= ROUNDS; r++)); do
		if [ $((r % 2)) = 1 ]; then ways="batch serial"; else ways="serial batch"; fi
		for w in $ways; do
			check "N=$n $w r$r: testpmd reaches its prompt with $n ports through the broker ($w as the broker log says)" \
				launch "$n" "$w" "$r"
		done
	done
done
# The open phase of a launch: one after the other, the sum of its opens;
# in a batch the opens share one window (the request sent, each reply
# taken), so the longest.
echo "  bb: medians over every launch (N way: prompt, one device's open, the open phase)"
for n in $NS; do
	for w in batch serial; do
		awk -F'\t' -v n="$n" -v w="$w" '
			function med(a, k,   i, j, t) {
				for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
			}
			$1 == n && $2 == w { p[++np] = $4; m = split($5, o, " "); s = 0; l = 0
				for (i = 1; i <= m; i++) { q[++nq] = o[i]; s += o[i]; if (o[i] > l) l = o[i] }
				ph[np] = w == "batch" ? l : s }
			END { if (np) printf "  bb: N=%s %s: prompt %.3f s, one open %.1f ms, open phase %.1f ms, %d launches\n",
				n, w, med(p, np), med(q, nq), med(ph, np), np }' "$RES"
	done
done
kill -TERM "$BPID" 2>/dev/null
wait "$BPID"
rc=$?
check "vftokend ends on SIGTERM (exit $rc)" test "$rc" = 0
tp_stop_all
set_num_vfs "$VM_PF" 0
finish

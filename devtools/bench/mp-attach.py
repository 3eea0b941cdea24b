#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Secondary attach time, ours / stock (devtools/bench/mp-attach.sh).

Reads the raw figures (ROUND, WAY, ATTACH_S with a header line), pairs the
two ways of each round and reports the mean of each way and the ratio
ours/stock with its 95 % interval by the benchmark's one method (stats.py;
the rounds are ABBA-ordered, so drift of the shared host cancels within a
pair). Writes results.json and, with --doc, the guide page; nothing here
is copied by hand.
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (arg_parser, finish, list_table, load_env,  # noqa: E402
                      load_tsv, number, write_json, write_page)
from stats import METHOD, ci_text, paired_ci  # noqa: E402

NAME = "mp-attach"
WAYS = ("stock", "ours")


def load(path):
    """{(round, way): seconds} from the TSV; bad lines are an error."""
    runs = {}
    for n, (rnd, way, secs) in load_tsv(NAME, path, 3, header="round"):
        if way not in WAYS or not rnd.isdigit():
            sys.exit("mp-attach.py: %s:%d: %r is not ROUND<TAB>stock|ours<TAB>SECONDS"
                     % (path, n, "\t".join((rnd, way, secs))))
        runs[(int(rnd), way)] = number(NAME, path, n, secs)
    return runs


def summarise(runs):
    rounds = sorted({r for r, _ in runs})
    pairs = [(runs[(r, "stock")], runs[(r, "ours")]) for r in rounds
             if (r, "stock") in runs and (r, "ours") in runs]
    res = {}
    for way in WAYS:
        v = [s for (_, w), s in sorted(runs.items()) if w == way]
        res[way] = {"n": len(v), "mean_s": statistics.fmean(v) if v else None,
                    "median_s": statistics.median(v) if v else None,
                    "min_s": min(v) if v else None, "max_s": max(v) if v else None}
    res["ours_over_stock"] = paired_ci([s for s, _ in pairs], [o for _, o in pairs])
    return rounds, res


def fmt(x, spec="%.2f"):
    return "n/a" if x is None else spec % x


def write_doc(path, rounds, res, env, accel, command):
    s, o, r = res["stock"], res["ours"], res["ours_over_stock"]
    timing = ("QEMU ``-icount`` (guest time from the instruction count, so "
              "the shared host's load hardly moves it)" if accel == "icount"
              else "plain TCG (wall clock in the guest: the shared host's load "
              "shows in the spread)")
    body = [
        "How long ``dpdk-proc-info --stats``, a DPDK secondary process, takes",
        "from launch to its first statistics line against a primary",
        "``dpdk-testpmd`` holding two token-gated VFs of the emulated 82576:",
        "",
        "* stock: the primary runs DPDK's pci bus with ``--vfio-vf-token``; the",
        "  secondary re-opens each VF itself and needs ``--vfio-vf-token`` too;",
        "* ours: the primary runs the sriov bus (``-d librte_bus_sriov.so``,",
        "  ``vf_token_file=``); the secondary (``-d`` the plugin, no token)",
        "  receives the VFIO fds from the primary (:doc:`bus_sriov`,",
        "  Multi-process).",
        "",
        "Both primaries run side by side in one boot of the rig (kernel %s, %s,"
        % (env.get("kernel", "?"), env.get("dpdk", "DPDK ?")),
        "2 vCPUs), stock on VF0/VF1, ours on VF2/VF3; %d rounds in ABBA order;"
        % len(rounds),
        "timed under %s. The ratio is ours/stock, paired by round: %s."
        % (timing, METHOD),
        "",
    ] + list_table(
        ["figure", "stock", "ours", "ours/stock [95 % CI]"],
        [["attach, launch to the first stats line (s, mean)",
          fmt(s["mean_s"]), fmt(o["mean_s"]), ci_text(r)],
         ["range over the rounds (s)",
          "%s - %s" % (fmt(s["min_s"]), fmt(s["max_s"])),
          "%s - %s" % (fmt(o["min_s"]), fmt(o["max_s"])), ""]]) + [
        "The raw figures are in ``doc/guides/bench/samples/mp-attach.tsv``.",
        "",
    ]
    write_page(path, "mp-attach.py", "Benchmark: secondary attach time",
               body, command)


def main():
    a = arg_parser(NAME).parse_args()
    runs = load(a.tsv)
    env = load_env(a.env)
    rounds, res = summarise(runs)
    ok = res["ours_over_stock"]["ratio"] is not None
    write_json(a.json, {"command": a.command, "method": METHOD, "accel": a.accel,
                        "versions": env, "rounds": rounds, "results": res,
                        "raw": [{"round": r, "way": w, "attach_s": v}
                                for (r, w), v in sorted(runs.items())]})
    for way in WAYS:
        print("mp-attach: %-5s n=%d mean %s s" % (way, res[way]["n"],
                                                 fmt(res[way]["mean_s"], "%.3f")))
    print("mp-attach: ours/stock %s" % ci_text(res["ours_over_stock"]))
    if a.doc and ok:
        write_doc(a.doc, rounds, res, env, a.accel, a.command)
    return finish(NAME, ok)


if __name__ == "__main__":
    sys.exit(main())

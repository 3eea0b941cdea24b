#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Ratios cdev/group of the VFIO path benchmark (devtools/bench/paths.sh).

Reads the raw per-run figures (ROUND, PATH, KEY, VALUE), pairs the two
paths of each round, and reports for start-up (ready_s) and forwarding
(pps = rx_packets / window_s) the mean of each path and the ratio
cdev/group with its 95 % interval, by the benchmark's one method
(stats.py; rounds are ABBA-ordered, so drift of the shared host cancels
within a pair). Writes results.json and, with --doc, the guide page;
nothing here is copied by hand.
"""

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats import METHOD, ci_text, paired_ci  # noqa: E402

def load(path):
    runs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            rnd, vpath, key, val = parts
            runs.setdefault((int(rnd), vpath), {})[key] = float(val)
    return runs


def metric(run, name):
    if name == "pps":
        if run.get("window_s", 0) <= 0:
            return None
        return run.get("rx_packets", 0) / run["window_s"]
    return run.get(name)


def summarise(runs):
    rounds = sorted({r for r, _ in runs})
    out = {}
    for name in ("ready_s", "pps"):
        pairs, g_all, c_all = [], [], []
        for r in rounds:
            g = metric(runs.get((r, "group"), {}), name)
            c = metric(runs.get((r, "cdev"), {}), name)
            if g is not None:
                g_all.append(g)
            if c is not None:
                c_all.append(c)
            if g is not None and c is not None:
                pairs.append((g, c))
        out[name] = {
            "group_mean": statistics.fmean(g_all) if g_all else None,
            "cdev_mean": statistics.fmean(c_all) if c_all else None,
            "cdev_over_group": paired_ci([g for g, _ in pairs],
                                         [c for _, c in pairs]),
        }
    return rounds, out


def write_doc(path, rounds, res, command):
    r, p = res["ready_s"], res["pps"]
    rows = [
        ("start-up to the prompt (s)", "%.2f" % r["group_mean"],
         "%.2f" % r["cdev_mean"], ci_text(r["cdev_over_group"])),
        ("mac forwarding, both VFs (pps)", "%.0f" % p["group_mean"],
         "%.0f" % p["cdev_mean"], ci_text(p["cdev_over_group"])),
    ]
    lines = [
        ".. SPDX-License-Identifier: BSD-3-Clause",
        "   Copyright(c) 2026 vftoken authors",
        "",
        ".. This page is written by devtools/bench/paths.py; do not edit.",
        "",
        "Benchmark: the VFIO paths (group and cdev)",
        "==========================================",
        "",
        "The sriov bus opening the same two VFs of the emulated 82576 on the",
        "group path and on the vfio cdev + iommufd path (the token at",
        "``VFIO_DEVICE_BIND_IOMMUFD``), on the rig's 7.2-iommufd kernel under",
        "single-threaded TCG (the rig's mode for this kernel: multi-threaded,",
        "a run froze in its third round, :doc:`vm_rig`), in one boot,",
        "%d rounds alternating ABBA." % len(rounds),
        "Start-up is launch to testpmd's prompt (EAL init, bus scan, both",
        "opens, DMA map of DPDK memory, PMD probe, port start); forwarding is",
        "mac forwarding VF-to-VF, RX of both ports over the window. The ratio",
        "is cdev/group, paired by round: %s." % METHOD.replace(
            "ours / stock", "cdev / group"),
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - figure",
        "     - group",
        "     - cdev",
        "     - cdev/group [95 % CI]",
    ]
    for row in rows:
        lines.append("   * - " + row[0])
        for cell in row[1:]:
            lines.append("     - " + cell)
    lines += ["", "Reproduce from a clone::", "", "   " + command, ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tsv")
    ap.add_argument("--json", required=True)
    ap.add_argument("--doc")
    ap.add_argument("--command", default="devtools/bench/paths.sh")
    a = ap.parse_args()
    runs = load(a.tsv)
    rounds, res = summarise(runs)
    ok = all(res[k]["cdev_over_group"]["ratio"] is not None for k in res)
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump({"command": a.command, "method": METHOD,
                   "rounds": rounds, "results": res,
                   "raw": [{"round": r, "path": p, **v}
                           for (r, p), v in sorted(runs.items())]},
                  f, indent=2)
    for k, v in res.items():
        print("paths: %-8s group %s cdev %s cdev/group %s" % (
            k, v["group_mean"], v["cdev_mean"], ci_text(v["cdev_over_group"])))
    if a.doc and ok:
        write_doc(a.doc, rounds, res, a.command)
    print("paths: %d passed, %d failed" % ((1, 0) if ok else (0, 1)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

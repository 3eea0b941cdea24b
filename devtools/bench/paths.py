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

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (arg_parser, finish, list_table, load_tsv,  # noqa: E402
                      number, write_json, write_page)
from stats import METHOD, ci_text, paired_ci  # noqa: E402

NAME = "paths"


def load(path):
    """{(round, path): {key: value}} from ROUND, PATH, KEY, VALUE lines."""
    runs = {}
    for n, (rnd, vpath, key, val) in load_tsv(NAME, path, 4):
        if vpath not in ("group", "cdev") or not rnd.isdigit():
            sys.exit("paths.py: %s:%d: %r is not ROUND<TAB>group|cdev<TAB>KEY<TAB>VALUE"
                     % (path, n, "\t".join((rnd, vpath, key, val))))
        runs.setdefault((int(rnd), vpath), {})[key] = number(NAME, path, n, val)
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
    body = [
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
    ] + list_table(["figure", "group", "cdev", "cdev/group [95 % CI]"],
                   [list(row) for row in rows])
    write_page(path, "paths.py", "Benchmark: the VFIO paths (group and cdev)",
               body, command)


def main():
    a = arg_parser(NAME).parse_args()
    runs = load(a.tsv)
    rounds, res = summarise(runs)
    ok = all(res[k]["cdev_over_group"]["ratio"] is not None for k in res)
    write_json(a.json, {"command": a.command, "method": METHOD,
                        "rounds": rounds, "results": res,
                        "raw": [{"round": r, "path": p, **v}
                                for (r, p), v in sorted(runs.items())]})
    for k, v in res.items():
        print("paths: %-8s group %s cdev %s cdev/group %s" % (
            k, v["group_mean"], v["cdev_mean"], ci_text(v["cdev_over_group"])))
    if a.doc and ok:
        write_doc(a.doc, rounds, res, a.command)
    return finish(NAME, ok)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""File-level call circles of the product's C code, from the objects.

Each object's defined (T, D, B, R) and undefined (U) symbols give an edge
file -> file for every call or reference across files; a circle is a strongly
connected set of two or more files. Static functions never cross files,
so the objects see every edge that matters.

  circles.py [--known FILE] BUILD_DIR
      prints each circle and the edges inside it; exits 1 if there is a
      circle, or with --known, only if a circle is not within one of the
      file's ("circle: FILE FILE ..." lines: the circles still to take
      apart, issue 28), so that none appears and none grows.
"""
import collections
import os
import subprocess
import sys

PARTS = ("lib/vftoken/", "drivers/bus/sriov/", "app/")


def objects(build):
    """(source file, object path) of the product's objects under build."""
    out = []
    for top, dirs, files in os.walk(build):
        rel = os.path.relpath(top, build)
        if rel.startswith(("dpdk-", "pkg", "tests", "meson-")):
            dirs[:] = []
            continue
        for f in files:
            if f.endswith(".c.o"):
                unit = os.path.dirname(rel)
                src = f[:-2]
                if any(unit.startswith(p.rstrip("/")) for p in PARTS):
                    out.append((os.path.join(unit, src), os.path.join(top, f)))
    return out


def symbols(obj):
    """(defined, undefined) global symbols of one object."""
    text = subprocess.run(["nm", obj], capture_output=True, text=True,
                          check=True).stdout
    defined, undefined = set(), set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRV":
            defined.add(parts[2])
    return defined, undefined


def program(src):
    """The binary a source belongs to (lib/vftoken is linked into each)."""
    return os.path.dirname(src)


def edges(objs):
    syms = {src: symbols(obj) for src, obj in objs}
    owner = collections.defaultdict(set)
    for src, (d, _) in syms.items():
        for s in d:
            owner[s].add(src)
    out = collections.defaultdict(set)
    for src, (_, u) in syms.items():
        for s in u:
            for o in owner.get(s, ()):
                # an app's own files and the library it links
                if o != src and (program(o) == program(src)
                                 or o.startswith("lib/")):
                    out[src].add(o)
    return out


def sccs(graph):
    """Tarjan's strongly connected components."""
    index, low, stack, on, res, n = {}, {}, [], set(), [], [0]
    nodes = set(graph) | {v for vs in graph.values() for v in vs}

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            res.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return [c for c in res if len(c) > 1]


def known_circles(path):
    """The file sets of the "circle:" lines of PATH."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("circle:"):
                out.append(set(line.split()[1:]))
    return out


def main():
    args = sys.argv[1:]
    known = None
    if len(args) >= 2 and args[0] == "--known":
        known = known_circles(args[1])
        args = args[2:]
    build = args[0] if args else "build"
    objs = objects(build)
    if not objs:
        print(f"circles: no objects of lib/, drivers/ or app/ under {build}")
        return 2
    graph = edges(objs)
    circles = sccs(graph)
    print(f"circles: {len(objs)} files, "
          f"{sum(len(v) for v in graph.values())} cross-file edges, "
          f"{len(circles)} circle(s)")
    bad = 0
    for c in circles:
        inside = {(a, b) for a in c for b in graph.get(a, ()) if b in c}
        old = known is not None and any(set(c) <= k for k in known)
        bad += not old
        print(("  known circle: " if old else "  circle: ") + " ".join(c))
        for a, b in sorted(inside):
            print(f"    {a} -> {b}")
    if known is not None:
        print(f"circles: {bad} new or grown circle(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

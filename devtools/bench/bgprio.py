# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""devtools/bench/bgprio.sh's runs -> summary lines, and with --doc the
page doc/guides/bench_bgprio.rst and its sample.

usage: bgprio.py RUNS.TSV [--doc PAGE --sample FILE --command CMD
                           --scenario NAME --kernel K --load N]
"""
import argparse
import csv
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stats  # noqa: E402

MODES = ('none', 'autogroup', 'idle')
PAIRS = (('none', 'autogroup'), ('none', 'idle'), ('autogroup', 'idle'))


def load(path):
    """{mode: {round: (scenario seconds or None, load CPU seconds)}}, rounds."""
    by = {m: {} for m in MODES}
    for r in csv.DictReader(open(path), delimiter='\t'):
        ok = r['rc'] == '0' and r['scenario_s'] not in ('', 'NA')
        by[r['mode']][int(r['round'])] = (float(r['scenario_s']) if ok else None,
                                          float(r['load_cpu_s']))
    rounds = sorted(set.intersection(*(set(by[m]) for m in MODES)))
    if len(rounds) < 2:
        sys.exit('bgprio.py: %s has %d complete rounds, expected 2 or more' % (path, len(rounds)))
    return by, rounds


def summary(by, rounds):
    rows = []
    for m in MODES:
        v = [by[m][i][0] for i in rounds if by[m][i][0] is not None]
        lc = [by[m][i][1] for i in rounds]
        rows.append((m, sum(v) / len(v) if v else None, len(v), sum(lc) / len(lc)))
    ratios = []
    for a, b in PAIRS:
        ci = stats.paired_ci([by[a][i][0] for i in rounds], [by[b][i][0] for i in rounds])
        ratios.append((b, a, ci))
    return rows, ratios


def page(args, by, rounds, rows, ratios):
    out = ['.. SPDX-License-Identifier: BSD-3-Clause',
           '   Copyright(c) 2026 vftoken authors', '',
           '.. This page is written by devtools/bench/bgprio.py; do not edit.', '',
           'Benchmark: what the background work costs a VM',
           '==============================================', '',
           '``devtools/test.sh`` runs the rig kernel\'s build and the host suites',
           'beside the VMs (:doc:`getting_started`, "How long a full run takes").',
           'How much that slows a VM depends on how the background is kept back.',
           'One VM scenario (``%s`` on %s) was booted again and again beside a'
           % (args.scenario, args.kernel),
           'compiler load (%s loops compiling libvftoken\'s sources with'
           % args.load,
           '``cc -O2``, as the kernel\'s ``make -j3`` runs ``cc1``), the load run',
           '',
           '* ``none``: not at all;',
           '* ``autogroup``: in a session whose autogroup is at nice 19, nice 19',
           '  inside it (what ``test.sh`` did before 2026-12-02\'s cgroup);',
           '* ``idle``: in a cpu cgroup with ``cpu.idle`` = 1',
           '  (``devtools/lowprio.sh``, what ``test.sh`` does now);',
           '',
           'the three in a rotating order each round, %d rounds. A run\'s figure'
           % len(rounds),
           'is the scenario\'s seconds as ``devtools/vm/run.sh`` reports them',
           '(scenario start to end on the host\'s clock); the load\'s CPU seconds',
           'are those it got during the run. Each round gives a ratio of two',
           'modes\' seconds; estimate: their geometric mean; 95 % interval:',
           'Student t-interval on the mean of the log ratios (devtools/bench/stats.py).',
           'Measured %s on a host of %s CPUs without KVM (TCG).' % (args.date, os.cpu_count()),
           '',
           'Command: ``%s``' % args.command, '',
           '.. list-table::', '   :header-rows: 1', '',
           '   * - load', '     - scenario, mean of the runs', '     - load\'s CPU per run']
    for m, mean, n, lc in rows:
        out += ['   * - ``%s``' % m,
                '     - %s' % ('%.1f s (n=%d)' % (mean, n) if mean is not None else 'n/a'),
                '     - %.1f s' % lc]
    out += ['', '.. list-table::', '   :header-rows: 1', '',
            '   * - ratio of the scenario\'s seconds', '     - estimate [95 % interval]']
    for b, a, ci in ratios:
        out += ['   * - ``%s`` / ``%s``' % (b, a), '     - %s' % stats.ci_text(ci)]
    out += ['', 'Per run (the sample, ``doc/guides/bench/samples/%s``):'
            % os.path.basename(args.sample), '',
            '.. list-table::', '   :header-rows: 1', '',
            '   * - round', '     - ' + '\n     - '.join('``%s``' % m for m in MODES)]
    for i in rounds:
        cells = []
        for m in MODES:
            v, lc = by[m][i]
            cells.append('%s s, load %.1f s' % ('%.1f' % v if v is not None else 'failed', lc))
        out += ['   * - %d' % i] + ['     - %s' % c for c in cells]
    out.append('')
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tsv')
    ap.add_argument('--doc')
    ap.add_argument('--sample')
    ap.add_argument('--command', default='devtools/bench/bgprio.sh')
    ap.add_argument('--scenario', default='bus-errors')
    ap.add_argument('--kernel', default='6.1')
    ap.add_argument('--load', default='3')
    ap.add_argument('--date', help='day of the measurement (default: the TSV\'s mtime, UTC)')
    args = ap.parse_args()
    if not args.date:
        args.date = time.strftime('%Y-%m-%d', time.gmtime(os.path.getmtime(args.tsv)))
    by, rounds = load(args.tsv)
    rows, ratios = summary(by, rounds)
    for m, mean, n, lc in rows:
        print('bgprio: %-9s scenario mean %s (n=%d), load %.1f CPU s per run' %
              (m, '%.1f s' % mean if mean is not None else 'n/a', n, lc))
    for b, a, ci in ratios:
        print('bgprio: %s / %s: %s' % (b, a, stats.ci_text(ci)))
    if args.doc:
        if not args.sample:
            sys.exit('bgprio.py: --doc needs --sample')
        with open(args.doc, 'w') as f:
            f.write(page(args, by, rounds, rows, ratios))
        if os.path.abspath(args.tsv) != os.path.abspath(args.sample):
            shutil.copyfile(args.tsv, args.sample)
        print('bgprio: wrote %s and %s' % (os.path.relpath(args.doc), os.path.relpath(args.sample)))


if __name__ == '__main__':
    main()

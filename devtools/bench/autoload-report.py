#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Start-up cost of the auto-loaded sriov bus plugin, as a ratio auto/none.

Reads startup.txt of the packages scenario's startup mode
(devtools/vm/scenarios/packages.sh DEBDIR startup N), one line per
start: WORKLOAD ROUND VARIANT SECONDS RC, VARIANT auto (the plugin in
DPDK's PMD directory) or none (its link moved away). The two variants of
the same workload and round are a pair (rounds are ABBA-ordered, so drift
of the shared host cancels within a pair); per workload it reports the
mean of each variant and the ratio auto/none with its 95 % interval by
the benchmark's one method (stats.py). Prints a summary; with --doc,
writes the guide page (nothing in it is copied by hand), with --summary
the sentence install.rst includes, with --samples a copy of the raw runs.

  autoload-report.py STARTUP.TXT [--doc RST] [--summary INC] [--samples TXT]
      [--command CMD] [--checks 'N passed, N failed'] [--dpdk VERSION]
      [--kernel K] [--date YYYY-MM-DD] [--vm-secs S]
"""

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats import METHOD, ci_text, paired_ci  # noqa: E402

VARIANTS = ('auto', 'none')
WORKLOADS = {
    'no-pci': '``--no-pci --vdev net_null0``',
    'e1000e': '``-a`` of the e1000e (PCI, no SR-IOV, on vfio-pci)',
}

WORKLOADS_SHORT = {'no-pci': '``--no-pci``', 'e1000e': '``-a`` of a PCI NIC'}


def fail(msg):
    sys.exit('autoload-report.py: ' + msg)


def parse_line(path, num, line):
    """(workload, round, variant, seconds), or exit naming what is wrong."""
    parts = line.split()
    where = '%s:%d' % (path, num)
    if len(parts) != 5:
        fail("%s: '%s' has %d fields, expected 5 (WORKLOAD ROUND VARIANT SECONDS RC)"
             % (where, line, len(parts)))
    work, rnd, var, secs, rc = parts
    if var not in VARIANTS:
        fail("%s: variant '%s' is not one of %s" % (where, var, '/'.join(VARIANTS)))
    try:
        rnd, secs, rc = int(rnd), float(secs), int(rc)
    except ValueError:
        fail("%s: '%s': ROUND and RC must be integers, SECONDS a number" % (where, line))
    if rc != 0:
        fail('%s: the %s %s start of round %d exited %d: no figure from a failed run'
             % (where, work, var, rnd, rc))
    if secs <= 0:
        fail('%s: %s seconds is not a duration' % (where, secs))
    return work, rnd, var, secs


def load(path):
    """{workload: {round: {variant: seconds}}} in the order of the file."""
    runs = {}
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except OSError as e:
        fail('cannot read %s: %s' % (path, e.strerror))
    for num, line in enumerate(lines, 1):
        if not line.strip():
            continue
        work, rnd, var, secs = parse_line(path, num, line)
        pair = runs.setdefault(work, {}).setdefault(rnd, {})
        if var in pair:
            fail('%s:%d: a second %s %s start in round %d' % (path, num, work, var, rnd))
        pair[var] = secs
    if not runs:
        fail('%s holds no start-up run' % path)
    return runs


def summarise(runs):
    res = {}
    for work, rounds in runs.items():
        keys = sorted(rounds)
        none = [rounds[k].get('none') for k in keys]
        auto = [rounds[k].get('auto') for k in keys]
        res[work] = {
            'rounds': len(keys),
            'none_mean': statistics.mean([x for x in none if x is not None]),
            'auto_mean': statistics.mean([x for x in auto if x is not None]),
            'none_range': (min(x for x in none if x is not None), max(x for x in none if x is not None)),
            'auto_range': (min(x for x in auto if x is not None), max(x for x in auto if x is not None)),
            'ci': paired_ci(none, auto),
        }
    return res


def verdict(ci, short=False):
    """What the interval says, in words."""
    if ci['lo'] is None:
        return 'too few pairs for an interval'
    if ci['lo'] <= 1.0 <= ci['hi']:
        est = '%+.1f %%' % (100 * (ci['ratio'] - 1))
        if short:
            return 'not distinguishable from no cost at this precision (estimate %s)' % est
        return ('not distinguishable from no cost at this precision: the interval '
                'holds 1 (estimate %s)' % est)
    if ci['lo'] > 1.0:
        return 'slower with the plugin by %.1f %% to %.1f %%' % (
            100 * (ci['lo'] - 1), 100 * (ci['hi'] - 1))
    return 'faster with the plugin by %.1f %% to %.1f %%' % (
        100 * (1 - ci['hi']), 100 * (1 - ci['lo']))


def text(res):
    out = []
    for work, r in res.items():
        out.append('%-7s rounds %d  none %.3f s  auto %.3f s  auto/none %s: %s'
                   % (work, r['rounds'], r['none_mean'], r['auto_mean'], ci_text(r['ci']),
                      verdict(r['ci'])))
    return '\n'.join(out)


def rst_table(res):
    rows = ['.. list-table::', '   :header-rows: 1', '',
            '   * - workload', '     - rounds', '     - without the plugin (s, mean; min to max)',
            '     - auto-loaded (s, mean; min to max)', '     - auto/none [95 % CI]']
    for work, r in res.items():
        rows += ['   * - %s' % WORKLOADS.get(work, '``%s``' % work),
                 '     - %d' % r['rounds'],
                 '     - %.3f; %.2f to %.2f' % ((r['none_mean'],) + r['none_range']),
                 '     - %.3f; %.2f to %.2f' % ((r['auto_mean'],) + r['auto_range']),
                 '     - %s' % ci_text(r['ci'])]
    return rows


def write_doc(path, res, a):
    when = ', '.join(x for x in (a.date, 'kernel ' + a.kernel if a.kernel else '',
                                 'DPDK ' + a.dpdk if a.dpdk else '') if x)
    lines = [
        '.. SPDX-License-Identifier: BSD-3-Clause',
        '   Copyright(c) 2026 vftoken authors',
        '',
        '.. This page is written by devtools/bench/autoload-report.py; do not edit.',
        '',
        'Benchmark: start-up with the auto-loaded plugin',
        '===============================================',
        '',
        'The cost of the sriov bus plugin in DPDK\'s PMD directory (package',
        '``dpdk-bus-sriov``, :doc:`install`) for a process that uses no SR-IOV',
        'function: stock ``dpdk-testpmd`` started and quit at once (``echo quit |',
        'dpdk-testpmd -l 0,1 ... -- -i``), launch to exit in seconds, wall clock',
        'in the rig\'s guest under TCG (2 vCPUs on a shared 2-core host), with',
        'the plugin auto-loaded (*auto*) and with its link moved out of the PMD',
        'directory (*none*, DPDK as without the package), in the same boot.',
        'The host is not isolated: other work on its cores slows QEMU, which',
        'shows as the spread of single starts (min to max below); TCG also',
        'makes every start many times slower than on hardware.',
        'Each round starts both, in ABBA order over rounds. The ratio is',
        'auto/none, paired by round: paired ratios auto / none, one per round;',
        METHOD.split('; ', 1)[1] + '.',
        'An interval that holds 1 means no cost measurable at that precision;',
        'its width is the precision.',
        '',
    ]
    lines += rst_table(res)
    lines += ['']
    for work, r in res.items():
        lines.append('- %s: %s.' % (WORKLOADS.get(work, work), verdict(r['ci'])))
    cis = [r['ci'] for r in res.values() if r['ci']['lo'] is not None]
    if cis and all(c['lo'] <= 1.0 <= c['hi'] and c['ratio'] > 1.0 for c in cis):
        lines += ['', 'Every estimate is above 1: a cost smaller than the intervals\' width',
                  '(loading the plugin and ``libvftoken`` into the process) is not',
                  'excluded; more rounds or a quieter host narrow it.']
    lines += [
        '',
        'The same boot checks that the plugin changes nothing else in these',
        'processes: no line of the bus in their output at the default log',
        'level, the pci bus\'s ``Probe PCI driver`` line of the e1000e the same',
        'as without the plugin, and ``-b`` of the e1000e keeping it from both',
        'buses' + (' (the scenario\'s checks in that boot: %s)' % a.checks
                   if a.checks else '') + '.',
        '',
    ]
    if when:
        lines += ['Measured %s. The raw runs are in' % when,
                  '``doc/guides/bench/samples/autoload-startup.txt`` (workload, round,',
                  'variant, seconds, exit code).', '']
    if a.command:
        took = (', %.0f s in QEMU for this run' % float(a.vm_secs)) if a.vm_secs else ''
        lines += ['Reproduce (the packages, then the VM run%s):' % took,
                  '', '.. code-block:: console', '',
                  '   $ devtools/packages.sh --no-vm', '   $ ' + a.command, '']
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


def write_summary(path, res):
    """The sentence install.rst includes (.inc: no page of its own)."""
    parts = ['%s %s, %s' % (WORKLOADS_SHORT.get(work, work), ci_text(r['ci']),
                            verdict(r['ci'], short=True))
             for work, r in res.items()]
    lines = ['.. Written by devtools/bench/autoload-report.py; do not edit.', '',
             'Measured (:doc:`bench_autoload`): start-up with the plugin',
             'auto-loaded over start-up without it, with its 95 % interval:',
             '; '.join(parts) + '.', '']
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('startup', help='startup.txt of the packages scenario')
    ap.add_argument('--doc', help='write the guide page here')
    ap.add_argument('--summary', help='write the sentence for install.rst here')
    ap.add_argument('--samples', help='copy the raw runs here')
    ap.add_argument('--command', default='', help='the command that reproduces it')
    ap.add_argument('--checks', default='', help="the scenario's 'N passed, N failed'")
    ap.add_argument('--dpdk', default='', help='DPDK version')
    ap.add_argument('--kernel', default='', help='guest kernel')
    ap.add_argument('--vm-secs', default='', help="the run's seconds in QEMU")
    ap.add_argument('--date', default='', help='date of the run')
    a = ap.parse_args()
    res = summarise(load(a.startup))
    print(text(res))
    if a.samples:
        with open(a.startup, encoding='utf-8') as src, \
                open(a.samples, 'w', encoding='utf-8') as dst:
            dst.write(src.read())
    if a.doc:
        write_doc(a.doc, res, a)
        print('wrote %s' % a.doc)
    if a.summary:
        write_summary(a.summary, res)
        print('wrote %s' % a.summary)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""How many rounds a ratio needs for a 95 % interval within +-G %.

usage: precision.py RESULTS.JSON [--goal PCT] [--json OUT]

For every ratio of RESULTS.JSON (devtools/bench/collect.py's headline
intervals: the paired ratios ours / stock, one per round or ABBA pair of
windows), prints:

  n          paired ratios measured
  sd         standard deviation of their logs (the round-to-round noise)
  +-k        the interval stats.py gives on the first k ratios, for every
             k from 2 to n: measured, not projected
  need       the smallest n with t(0.975, n-1) * sd / sqrt(n) <= ln(1 + G):
             a projection from the measured sd, marked as such
  s/round    VM seconds per round of the phase the ratio comes from
             (results.json vm_time_s), so need * s/round is the run time

A benchmark helper, not a test: nothing is asserted.
"""
import argparse
import json
import math
import sys

from stats import paired_ci, t975


def sd_of_logs(ratios):
    """Sample standard deviation of the log ratios (None below 2)."""
    if len(ratios) < 2:
        return None
    logs = [math.log(r) for r in ratios]
    mean = sum(logs) / len(logs)
    return math.sqrt(sum((x - mean) ** 2 for x in logs) / (len(logs) - 1))


def rounds_needed(sd, goal_pct):
    """Smallest n >= 2 whose t-interval half-width at this sd is within the
    goal; None when sd is unknown, 2 when sd is 0."""
    if sd is None:
        return None
    lim = math.log(1 + goal_pct / 100.0)
    n = 2
    while t975(n - 1) * sd / math.sqrt(n) > lim:
        n += 1
        if n > 100000:
            return None
    return n


def first_k(ratios):
    """Measured half-width (%) of the interval on the first k ratios."""
    out = {}
    for k in range(2, len(ratios) + 1):
        c = paired_ci([1.0] * k, ratios[:k])
        out[k] = c['half_pct']
    return out


def phase_of(name):
    """Which run.sh phase (vm_time_s key) a headline interval comes from."""
    if name.startswith('scale_'):
        return 'scale'
    if name.startswith('il_') or name.startswith('interleave'):
        return 'interleave'
    return 'rounds'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('results')
    ap.add_argument('--goal', type=float, default=3.0, help='half-width goal, %%')
    ap.add_argument('--json', help='also write the table as JSON here')
    a = ap.parse_args()
    try:
        res = json.load(open(a.results))
    except (OSError, ValueError) as e:
        sys.exit('precision.py: %s: %s (expected results.json of run.sh)' % (a.results, e))
    cis = res.get('headline', {}).get('ci')
    if not isinstance(cis, dict):
        sys.exit('precision.py: %s: no headline.ci (expected results.json of run.sh)'
                 % a.results)
    # in-QEMU seconds (lock wait excluded) when recorded, else wall seconds
    vt = res.get('qemu_time_s') or res.get('vm_time_s') or {}
    nrounds = {'rounds': (res.get('config') or {}).get('rounds'),
               'scale': (res.get('scale') or {}).get('rounds'),
               'interleave': (res.get('interleave') or {}).get('pairs')}
    rows = []
    print('%-34s %3s %7s %8s  %-28s %6s %8s' % ('ratio', 'n', 'sd%', 'ratio', 'measured +-%, first k',
                                          'need', 's/round'))
    for name, c in sorted(cis.items()):
        ratios = c.get('ratios') or []
        sd = sd_of_logs(ratios)
        fk = first_k(ratios)
        need = rounds_needed(sd, a.goal)
        ph = phase_of(name)
        per = None
        if vt.get(ph) and nrounds.get(ph):
            per = round(vt[ph] / nrounds[ph], 1)
        rows.append({'ratio': name, 'n': len(ratios), 'estimate': c.get('ratio'),
                     'sd_pct': None if sd is None else round(100 * sd, 2),
                     'half_pct_first_k': fk, 'rounds_needed_projected': need,
                     'phase': ph, 'vm_s_per_round': per})
        print('%-34s %3d %7s %8s  %-28s %6s %8s' % (
            name, len(ratios), '-' if sd is None else '%.2f' % (100 * sd),
            '-' if c.get('ratio') is None else '%.4f' % c['ratio'],
            ' '.join('%d:%.1f' % (k, v) for k, v in fk.items()) or '-',
            '-' if need is None else '%d' % need, '-' if per is None else '%.0f' % per))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'goal_pct': a.goal, 'source': a.results, 'rows': rows}, f, indent=1)


if __name__ == '__main__':
    main()

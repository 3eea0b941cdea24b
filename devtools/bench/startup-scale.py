#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Start-up with N VFs, stock against the sriov bus, every launch counted
(devtools/bench/startup-scale.sh).

Reads the raw figures of one boot of ../vm/scenarios/scale.sh per kernel
(ROUND, MODE, KEY, VALUE lines; run with --retries 0, so every (round, N)
has exactly one launch per way, stalled or not) and reports per N the
probe phase, launch to every port up and the exit of each way (medians)
and the ratio ours / stock of each with its 95 % interval over every
round (stats.py's method, rounds ABBA-ordered), the same ratio over the
rounds where neither way's launch stalled, the stall rate of each way
with its 95 % (Wilson) interval, the per-VF slope of each way (least
squares over every launch), the FLRs per launch of the untimed run, and
the goals at N = 16. Writes results.json and, with --doc, the guide page
with every kernel whose samples are there; nothing is copied by hand.
"""

import glob
import math
import os
import statistics
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (arg_parser, finish, list_table, load_tsv,  # noqa: E402
                      published_clean, write_json, write_page)
from stats import METHOD, ci_text, paired_ci  # noqa: E402

NAME = 'startup-scale'
MODES = ('stock', 'ours')
NS = (1, 2, 4, 8, 16)
DEVSET = ('n8p1', 'n8p2')
METRICS = (('probe_s', 'probe phase'), ('ready_s', 'launch to every port up'),
           ('exit_s', 'exit'))
# the goals at N = 16 (issue 29): the ratio ours / stock at most this
GOALS = (('probe_s', 0.5), ('ready_s', 0.85), ('exit_s', 0.5))
FWD_TOLERANCE = 0.02


def load(path):
    """{(round, mode): {key: value}}, the text values in their own dict."""
    runs, text = {}, {}
    for n, (rnd, mode, key, val) in load_tsv(NAME, path, 4):
        if not rnd.isdigit() or mode not in MODES + ('-',):
            sys.exit('%s.py: %s:%d: %r is not ROUND<TAB>stock|ours|-<TAB>KEY<TAB>VALUE'
                     % (NAME, path, n, '\t'.join((rnd, mode, key, val))))
        try:
            runs.setdefault((int(rnd), mode), {})[key] = float(val)
        except ValueError:
            text[(int(rnd), mode, key)] = val
    return runs, text


def derive_shutdown(tsv, kernel):
    """testpmd's own port shutdown of each launch ("Stopping port 0..." to
    "Bye...", from the scenario's stamped logs next to @tsv, ~50 ms
    resolution) as KEY.shutdown_s rows; [] without the logs."""
    logs = os.path.join(os.path.dirname(os.path.abspath(tsv)), 'vm', 'scratch',
                        'scale-%s' % kernel, 'logs')
    rows = []
    for path in sorted(glob.glob(os.path.join(logs, 'r*-*-vf-*.ts'))):
        base = os.path.basename(path)[:-len('.ts')]
        rnd, mode, _, key = base.split('-', 3)
        if not rnd[1:].isdigit() or mode not in MODES or 'stalled' in key:
            continue
        stop = bye = None
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                t, _, text = line.rstrip('\n').partition(' ')
                if text.startswith('Stopping port 0...'):
                    stop = float(t)
                elif text.startswith('Bye...'):
                    bye = float(t)
        if stop is not None and bye is not None and bye >= stop:
            rows.append('%s\t%s\t%s.shutdown_s\t%.3f\n' % (rnd[1:], mode, key, bye - stop))
    return rows


def add_rows(path, rows):
    """Append @rows to the TSV at @path unless it has shutdown rows."""
    with open(path, encoding='utf-8') as f:
        if '.shutdown_s\t' in f.read():
            return
    with open(path, 'a', encoding='utf-8') as f:
        f.writelines(rows)


def wilson(k, n):
    """The 95 % Wilson interval of a rate k / n."""
    if n == 0:
        return None
    z = 1.96
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return {'k': k, 'n': n, 'rate': round(p, 4), 'lo': round(max(0.0, c - h), 4),
            'hi': round(min(1.0, c + h), 4)}


def wilson_text(w):
    if not w:
        return 'n/a'
    return '%d of %d (%.0f %% [%.0f, %.0f])' % (w['k'], w['n'], 100 * w['rate'],
                                                100 * w['lo'], 100 * w['hi'])


def fit(points):
    """Least-squares line through (x, y) points: (intercept, slope), or
    (None, None)."""
    if len({x for x, _ in points}) < 2:
        return None, None
    mx = statistics.fmean(x for x, _ in points)
    my = statistics.fmean(y for _, y in points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - b * mx, b


def slope(points):
    """Least-squares slope of (x, y) points, or None."""
    return fit(points)[1]


def stalled(f, key):
    return (f.get(key + '.stalled_ports', 0) or 0) + (f.get(key + '.stalled_probes', 0) or 0) > 0


def summarise(runs, text):
    rounds = sorted({r for r, m in runs if r > 0})
    keys = ['n%d' % n for n in NS] + list(DEVSET)
    res = {'rounds': rounds, 'by_key': {}, 'stalls': {}, 'slope': {}, 'resets': {},
           'kernel': text.get((0, '-', 'kernel')),
           'exit_end': text.get((0, '-', 'exit_end'))}
    launches = {m: [0, 0] for m in MODES}
    for k in keys:
        row = {}
        for met, _ in METRICS:
            st = [runs.get((r, 'stock'), {}).get(k + '.' + met) for r in rounds]
            ou = [runs.get((r, 'ours'), {}).get(k + '.' + met) for r in rounds]
            calm = [not stalled(runs.get((r, 'stock'), {}), k)
                    and not stalled(runs.get((r, 'ours'), {}), k) for r in rounds]
            row[met] = {
                'stock_median': statistics.median([v for v in st if v is not None]) if any(
                    v is not None for v in st) else None,
                'ours_median': statistics.median([v for v in ou if v is not None]) if any(
                    v is not None for v in ou) else None,
                'every_launch': paired_ci(st, ou),
                'stall_free': paired_ci([s for s, c in zip(st, calm) if c],
                                        [o for o, c in zip(ou, calm) if c]),
            }
        row['stalled'] = {}
        for m in MODES:
            seen = [r for r in rounds if (k + '.ready_s') in runs.get((r, m), {})]
            bad = [r for r in seen if stalled(runs[(r, m)], k)]
            row['stalled'][m] = {'launches': len(seen), 'stalled': len(bad), 'rounds': bad}
            launches[m][0] += len(bad)
            launches[m][1] += len(seen)
        res['by_key'][k] = row
    for m in MODES:
        res['stalls'][m] = wilson(*launches[m])
        pts = [(n, runs[(r, m)]['n%d.ready_s' % n]) for r in rounds for n in NS
               if 'n%d.ready_s' % n in runs.get((r, m), {})]
        res['slope'][m] = slope(pts)
        res.setdefault('fit', {})[m] = {}
        for met, _ in METRICS + (('load_s', ''),):
            a, b = fit([(n, runs[(r, m)]['n%d.%s' % (n, met)]) for r in rounds for n in NS
                        if 'n%d.%s' % (n, met) in runs.get((r, m), {})])
            res['fit'][m][met] = {'fixed_s': a, 'per_vf_s': b}
        tail = runs.get((0, m), {})
        res['resets'][m] = {'open': tail.get('resets.open'), 'exit': tail.get('resets.exit')}
    fst = [fwd(runs.get((r, 'stock'), {})) for r in rounds]
    fou = [fwd(runs.get((r, 'ours'), {})) for r in rounds]
    res['forward_16'] = {'stock_pps': mean_of(fst), 'ours_pps': mean_of(fou),
                         'ratio': paired_ci(fst, fou)}
    res['goals'] = goals(res)
    res['devset_ours'] = paired_ci(
        [runs.get((r, 'ours'), {}).get('n8p2.probe_s') for r in rounds],
        [runs.get((r, 'ours'), {}).get('n8p1.probe_s') for r in rounds])
    res['shutdown_16'] = {}
    for m in MODES:
        v = [runs[(r, m)]['n16.shutdown_s'] for r in rounds
             if 'n16.shutdown_s' in runs.get((r, m), {})]
        res['shutdown_16'][m] = statistics.median(v) if v else None
    return res


def fwd(f):
    if f.get('fwd16.win_s', 0) > 0 and 'fwd16.rx' in f:
        return f['fwd16.rx'] / f['fwd16.win_s']
    return None


def mean_of(v):
    v = [x for x in v if x is not None]
    return statistics.fmean(v) if v else None


def goals(res):
    out = []
    row = res['by_key']['n16']
    for met, bound in GOALS:
        ci = row[met]['every_launch']
        met_ = (ci['ratio'] is not None and ci['hi'] is not None
                and ci['ratio'] <= bound and ci['hi'] < 1)
        out.append({'figure': met, 'goal': bound, 'ci': ci, 'met': met_})
    ci = res['forward_16']['ratio']
    out.append({'figure': 'forward_pps', 'goal': 1.0, 'ci': ci,
                'met': ci['lo'] is not None and ci['lo'] >= 1 - FWD_TOLERANCE
                and ci['hi'] <= 1 + FWD_TOLERANCE})
    return out


def fmt(v, f='%.2f'):
    return 'n/a' if v is None else f % v


def key_label(k):
    return {'n8p1': '8 (one PF)', 'n8p2': '8 (4 + 4 PFs)'}.get(k, k[1:])


def kernel_section(kernel, res):
    body = ['Kernel %s' % kernel, '-' * len('Kernel %s' % kernel), '']
    body += ['%d rounds (ABBA); guest kernel %s. Medians of each way; the ratio'
             % (len(res['rounds']), res.get('kernel') or kernel),
             'ours / stock over every round ("every launch"), and over the rounds',
             'where neither way\'s launch stalled ("stall-free").', '']
    for met, label in METRICS:
        rows = []
        for k, row in res['by_key'].items():
            f = row[met]
            rows.append([key_label(k), fmt(f['stock_median']), fmt(f['ours_median']),
                         ci_text(f['every_launch']), ci_text(f['stall_free'])])
        body += ['**%s** (s)' % label.capitalize(), '']
        body += list_table(['N', 'stock', 'ours', 'ours / stock, every launch',
                            'stall-free'], rows, [10, 10, 10, 35, 35])
    if res.get('exit_end') != 'every-thread':
        body += ['These samples end the exit at the main thread\'s exit, before the',
                 'harness waited for every thread (``tp_exited``, 2026-12-07): stock',
                 'DPDK leaves its VFIO device fds to the kernel, which closes them, and',
                 'vfio-pci resets each VF, in the process\'s last thread to exit,',
                 'possibly after the main thread; stock\'s exit may be under-counted',
                 'here (by 2.7 s with 16 VFs on 7.2-iommufd, measured).', '']
    st = res['stalls']
    body += ['Stalled launches (a port start or a device\'s probe waiting out the VF',
             'mailbox, ``scale.sh``\'s ``mailbox_stalls``), every launch of the timed',
             'rounds: stock %s, ours %s (95 %% Wilson intervals).'
             % (wilson_text(st['stock']), wilson_text(st['ours'])), '']
    sl = res['slope']
    body += ['Per-VF slope of launch to every port up (least squares over N = 1 to 16,',
             'every launch): stock %s s, ours %s s per VF.'
             % (fmt(sl['stock'], '%.3f'), fmt(sl['ours'], '%.3f')), '']
    rs = res['resets']
    if all(rs[m][w] is None for m in MODES for w in ('open', 'exit')):
        body += ['FLRs per launch: not counted on this kernel (the scenario\'s check',
                 '"ftrace on pcie_flr" failed: no function tracer on ``pcie_flr()``).', '']
    else:
        body += ['FLRs per launch on every VF (untimed run, ftrace on ``pcie_flr()``):',
                 'stock %s to open, %s at exit; ours %s to open, %s at exit.'
                 % tuple(fmt(rs[m][w], '%.0f') for m in MODES for w in ('open', 'exit')), '']
    fw = res['forward_16']
    body += ['Forwarding on all 16 VFs at once: stock %s pps, ours %s pps, ours / stock %s.'
             % (fmt(fw['stock_pps'], '%.0f'), fmt(fw['ours_pps'], '%.0f'), ci_text(fw['ratio'])),
             '']
    rows = []
    for g in res['goals']:
        goal = ('within ±2 %' if g['figure'] == 'forward_pps'
                else '<= %.2f, upper bound < 1' % g['goal'])
        rows.append([g['figure'], goal, ci_text(g['ci']), 'met' if g['met'] else 'missed'])
    body += ['Goals at N = 16 (issue 29), ratio ours / stock over every launch:', '']
    body += list_table(['figure', 'goal', 'measured', ''], rows, [15, 25, 45, 10])
    body += bounds_text(res)
    d1, d2 = res['by_key']['n8p1']['probe_s'], res['by_key']['n8p2']['probe_s']
    dv = res.get('devset_ours') or {}
    same = dv.get('lo') is not None and dv['lo'] <= 1 <= dv['hi']
    body += textwrap.wrap(
        'The ``dev_set`` bound: the probe phase of 8 VFs of one PF against 4 + 4 '
        'of two PFs: stock %s s / %s s, ours %s s / %s s (medians); ours one PF / two '
        'PFs %s: %s' % (fmt(d1['stock_median']), fmt(d2['stock_median']),
                        fmt(d1['ours_median']), fmt(d2['ours_median']), ci_text(dv),
                        'no sign that this kernel runs the first opens of one PF\'s VFs '
                        'one after the other.' if same else
                        'one PF\'s VFs open more slowly than two PFs\' (a shared '
                        '``dev_set``).' if dv.get('lo') and dv['lo'] > 1 else
                        'undecided.'), 79, break_on_hyphens=False) + ['']
    return body


def bounds_text(res):
    """For each goal missed: what bounds it, from the fits over N."""
    out = []
    fits = res['fit']
    for g in res['goals']:
        met = g['figure']
        if g['met'] or met == 'forward_pps':
            continue
        st = res['by_key']['n16'][met]['stock_median']
        fo, fs = fits['ours'][met], fits['stock'][met]
        if st is None or fo['fixed_s'] is None:
            continue
        floor = fo['fixed_s'] / st
        ci = g['ci']
        if ci['ratio'] is not None and ci['ratio'] <= g['goal']:
            stl = res['by_key']['n16']['stalled']
            text = ('%s at N = 16 meets its goal by the estimate (%s, goal %.2f) but not by the '
                    'interval: of the %d rounds, %d of stock\'s and %d of ours\' launches '
                    'stalled at N = 16, and the ratio over the rounds where neither did is %s.'
                    % (dict(METRICS)[met].capitalize(), ci_text(ci), g['goal'], len(res['rounds']),
                       stl['stock']['stalled'], stl['ours']['stalled'],
                       ci_text(res['by_key']['n16'][met]['stall_free'])))
            out += textwrap.wrap(text, 79, break_on_hyphens=False) + ['']
            continue
        text = ('%s at N = 16 misses its goal (ratio %s, goal %.2f). A least-squares line over '
                'N = 1 to 16 splits each way\'s figure into a part that does not grow with N and '
                'one per VF: stock %.3f s + %.3f s per VF, ours %.3f s + %.3f s per VF. Ours\' '
                'fixed part alone is %.2f of stock\'s figure at N = 16 (%.2f s)'
                % (dict(METRICS)[met].capitalize(), ci_text(g['ci']), g['goal'],
                   fs['fixed_s'], fs['per_vf_s'], fo['fixed_s'], fo['per_vf_s'], floor, st))
        sd = res.get('shutdown_16', {})
        if met == 'exit_s' and sd.get('stock') is not None and sd.get('ours') is not None:
            text += ('; of the exit, testpmd\'s own port shutdown ("Stopping port 0..." to '
                     '"Bye...", before EAL\'s cleanup, the same PMD calls both ways) takes '
                     '%.2f s (stock) and %.2f s (ours), above the goal\'s %.2f s by itself; '
                     'the rest (EAL\'s cleanup, the devices\' release, the process\'s end) '
                     'is %.2f s against %.2f s'
                     % (sd['stock'], sd['ours'], g['goal'] * st,
                        res['by_key']['n16']['exit_s']['ours_median'] - sd['ours'],
                        st - sd['stock']))
        if met == 'ready_s':
            lo, ls = fits['ours']['load_s'], fits['stock']['load_s']
            text += ('; of it, launch to EAL\'s multi-process socket (exec, the dynamic '
                     'loader, DPDK\'s PMDs, which the bus does not change) is %.3f s '
                     '(stock %.3f s)' % (lo['fixed_s'] or 0, ls['fixed_s'] or 0))
        out += textwrap.wrap(text + '.', 79, break_on_hyphens=False) + ['']
    return out


def write_doc(path, by_kernel, command):
    body = [
        'Start-up of one ``dpdk-testpmd`` on N VFs of the rig\'s two emulated',
        '82576 PFs (QEMU ``igb``), stock DPDK (``--vfio-vf-token``, its pci bus)',
        'against the sriov bus plugin, in one boot per kernel under ``--accel',
        'icount`` (``../vm/scenarios/scale.sh --retries 0 --devset --resets``;',
        'forwarding: one 3 s window after a 1 s warm-up).',
        'N = 1, 2, 4, 8 with 7 VFs per PF, 16 with 8 per PF; the N VFs are taken',
        'alternately from the two PFs, and with 8 per PF 8 VFs of one PF are',
        'launched against 4 + 4 (before Linux 6.17 a PF\'s VFs share one',
        '``dev_set``, whose opens and closes the kernel runs in turn).',
        'The bus takes its default VFIO path, the group path wherever',
        '``/dev/vfio/vfio`` exists (on both rig kernels here); its opens on',
        'the cdev path are checked (``bus-cdev``), not timed here.',
        '',
        '**Every launch counts**: a launch whose port start or device probe',
        'stalled on the VF mailbox is kept, with its figures, in every interval',
        '("every launch"); each (round, N) has one launch per way, so this is',
        'the ratio over first launches. The ratio over the rounds where neither',
        'way stalled stands beside it.',
        '',
        'Figures: the probe phase is "VFIO support initialized" to',
        '"Interactive-mode selected" (EAL memory, bus scan, every device opened',
        'and probed); launch to every port up ends at testpmd\'s "Done" after',
        '"Checking link statuses..."; the exit is "quit" to the process gone,',
        'every thread of it (testpmd\'s own close of the ports, then EAL\'s',
        'cleanup and the kernel\'s end of the process: the devices released,',
        'each last close of a VF an FLR; stock DPDK leaves its device fds to',
        'the kernel, which resets the VFs in the last thread to exit).',
        'Ratios: %s.' % METHOD,
        '',
        'What the sriov bus does differently from stock at start-up and exit,',
        'and why it is safe, is in :doc:`bus_sriov` ("Start-up: what differs',
        'from stock DPDK, and why it is safe").',
        '',
    ]
    for kernel in sorted(by_kernel):
        body += kernel_section(kernel, by_kernel[kernel])
    write_page(path, 'startup-scale.py',
               'Benchmark: start-up with N VFs, every launch counted', body, command)


def main():
    ap = arg_parser(NAME)
    ap.add_argument('--kernel', required=True, help="this run's rig kernel")
    ap.add_argument('--samples', help='the directory with every kernel\'s samples '
                    '(startup-scale-KERNEL.tsv): the page shows each')
    a = ap.parse_args()
    derived = derive_shutdown(a.tsv, a.kernel)
    if derived:
        add_rows(a.tsv, derived)
        if a.doc and a.samples:
            add_rows(os.path.join(a.samples, 'startup-scale-%s.tsv' % a.kernel), derived)
    runs, text = load(a.tsv)
    res = summarise(runs, text)
    ok = res['rounds'] and res['by_key']['n16']['ready_s']['every_launch']['ratio'] is not None
    write_json(a.json, {'command': a.command, 'method': METHOD, 'kernel': a.kernel,
                        'results': res,
                        'raw': [{'round': r, 'mode': m, **v}
                                for (r, m), v in sorted(runs.items())]})
    for k, row in res['by_key'].items():
        print('%s: %s: %s' % (NAME, k, ', '.join(
            '%s %s' % (met, ci_text(row[met]['every_launch'])) for met, _ in METRICS)))
    for g in res['goals']:
        print('%s: goal %s <= %s: %s (%s)' % (NAME, g['figure'], g['goal'], ci_text(g['ci']),
                                              'met' if g['met'] else 'missed'))
    if a.doc and ok:
        by_kernel = {a.kernel: res}
        if a.samples:
            for p in sorted(glob.glob(os.path.join(a.samples, 'startup-scale-*.tsv'))):
                k = os.path.basename(p)[len('startup-scale-'):-len('.tsv')]
                if k != a.kernel:
                    by_kernel[k] = summarise(*load(p))
        write_doc(a.doc, by_kernel, a.command)
        ok = published_clean(NAME, [a.doc] + sorted(
            glob.glob(os.path.join(a.samples or '', 'startup-scale-*.tsv'))))
    return finish(NAME, bool(ok))


if __name__ == '__main__':
    sys.exit(main())

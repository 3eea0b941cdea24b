#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Turn the forwarding benchmark's raw figures into results.json (+ chart).

    collect.py BENCH.TSV OUT.json [--png OUT.png] [--command CMD] [--quick]
               [--accel tcg|icount] [--interleave IL.TSV [--il-accel A]]
               [--scale SCALE.TSV [--scale-accel A]]

BENCH.TSV is what devtools/vm/scenarios/bench.sh writes in the VM's scratch
share, one "ROUND<TAB>MODE<TAB>KEY<TAB>VALUE" per line (round 0, mode "-" for
the run's own facts). The JSON holds every raw figure per round and mode, the
medians, the spread from round to round, the ratios ours/stock and the
versions of what ran; devtools/bench/report.py renders it as a guide page and
devtools/bench/check.py validates it.
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats import METHOD, paired_ci  # noqa: E402 (next to this file)

SCHEMA = 'vftoken-bench/2'
MODES = ('stock', 'ours')
ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))

# name: (unit, what, path in a run or a function of a run, better)
# "better" says which direction is an improvement, for the reader only.
METRICS = {
    'vf_mac_pps': ('packets/s', 'VF-to-VF mac forwarding, RX over both VF ports',
                   ('vf', 'fwd', 'mac', 'rx_pps'), 'higher'),
    'vf_io_pps': ('packets/s', 'VF-to-VF io forwarding, RX over both VF ports',
                  ('vf', 'fwd', 'io', 'rx_pps'), 'higher'),
    'pf_io_pps': ('packets/s', 'PF io forwarding, PF to second PF over a QEMU hub, RX',
                  ('pf', 'fwd', 'io', 'rx_pps'), 'higher'),
    'vf_mac_cycles_per_packet': ('cycles', 'VF mac forwarding, CPU cycles/packet',
                                 ('vf', 'fwd', 'mac', 'cycles_per_packet'), 'lower'),
    'vf_io_cycles_per_packet': ('cycles', 'VF io forwarding, CPU cycles/packet',
                                ('vf', 'fwd', 'io', 'cycles_per_packet'), 'lower'),
    'pf_io_cycles_per_packet': ('cycles', 'PF io forwarding, CPU cycles/packet',
                                ('pf', 'fwd', 'io', 'cycles_per_packet'), 'lower'),
    'vf_configure_s': ('s', 'VF process: launch to "Configuring Port 0"',
                       ('vf', 'configure_s'), 'lower'),
    'vf_ready_s': ('s', 'VF process: launch to links checked',
                   ('vf', 'ready_s'), 'lower'),
    'vf_first_rx_s': ('s', 'VF process: launch to first packet received on both ports',
                      ('vf', 'first_rx_s'), 'lower'),
    'vf_load_s': ('s', 'VF process: launch to "EAL: Multi-process socket" (exec, loader, '
                  'PMD directory and -d objects)', ('vf', 'load_s'), 'lower'),
    'vf_probe_s': ('s', 'VF process: "VFIO support initialized" to "Interactive-mode '
                   'selected" (memory, bus scan, devices opened and probed)',
                   ('vf', 'probe_s'), 'lower'),
    'pf_load_s': ('s', 'PF process: launch to "EAL: Multi-process socket"',
                  ('pf', 'load_s'), 'lower'),
    'pf_probe_s': ('s', 'PF process: "VFIO support initialized" to "Interactive-mode '
                   'selected" (memory, bus scan, PF opened, VFs created, probed)',
                   ('pf', 'probe_s'), 'lower'),
    'pf_configure_s': ('s', 'PF process: launch to "Configuring Port 0"',
                       ('pf', 'configure_s'), 'lower'),
    'pf_ready_s': ('s', 'PF process: launch to link checked',
                   ('pf', 'ready_s'), 'lower'),
    'pf_first_rx_s': ('s', 'PF process: launch to first packet received',
                      ('pf', 'first_rx_s'), 'lower'),
    'pf_path_ready_s': ('s', 'VFs created + token set + PF process ready '
                        '(stock: the CLI steps and the PF process; ours: the PF process)',
                        lambda r: _sum(r, ('setup', 'vfs_create_s'),
                                       ('setup', 'token_set_s'), ('pf', 'ready_s')),
                        'lower'),
    'pf_cpu_ready_s': ('s', 'PF process CPU time (user+sys) at the prompt',
                       ('pf', 'cpu_ready_s'), 'lower'),
    'pf_cpu_serving_s': ('s', 'PF process CPU time while serving the VF process '
                         '(after its own forwarding run, to the VF process\'s exit)',
                         lambda r: _diff(r, ('pf', 'cpu_end_s'), ('pf', 'cpu_after_fwd_s')),
                         'lower'),
    'pf_cpu_end_s': ('s', 'PF process CPU time at the end of the mode',
                     ('pf', 'cpu_end_s'), 'lower'),
    'vf_cpu_ready_s': ('s', 'VF process CPU time at the prompt',
                       ('vf', 'cpu_ready_s'), 'lower'),
}
FWD_METRICS = ('vf_mac_pps', 'vf_io_pps', 'pf_io_pps')
CYCLE_METRICS = ('vf_mac_cycles_per_packet', 'vf_io_cycles_per_packet',
                 'pf_io_cycles_per_packet')
STARTUP_METRICS = ('pf_configure_s', 'pf_ready_s', 'pf_first_rx_s', 'pf_path_ready_s',
                   'vf_configure_s', 'vf_ready_s', 'vf_first_rx_s')

DEFINITIONS = {
    'launch': 'the guest shell\'s clock just before testpmd is spawned',
    'configure_s': 'launch to testpmd\'s "Configuring Port 0" line: EAL init, bus '
                   'scans, device open (token), PMD probe',
    'ready_s': 'launch to the "Done" that ends "Checking link statuses..."',
    'first_rx_s': 'launch to the first "show fwd stats all" reply with RX-packets > 0 '
                  'on every forwarding port; "start tx_first" is sent as soon as the '
                  'prompt shows, replies are polled every 100 ms and each log line is '
                  'time-stamped as written (50 ms polling): an upper bound, resolution '
                  '~0.15 s',
    'window_s': '"clear fwd stats all" to "show fwd stats all" (after a discarded '
                'warm-up from "start tx_first"), timed in the guest',
    'rx_pps': 'RX-packets of the "show fwd stats all" reply summed over the forwarding '
              'ports / window_s (per port: ports[].rx_pps)',
    'cycles_per_packet': 'testpmd --record-core-cycles: TSC cycles spent in the '
                         'forwarding loop\'s non-empty bursts / packets received '
                         '(empty polls are not counted)',
    'cpu': 'utime + stime of /proc/PID/stat, in seconds',
    'counters': 'per window: the guest\'s CPU from /proc/stat (user, sys incl. irq and '
                'softirq, idle; seconds over both vCPUs), vfio interrupts from '
                '/proc/interrupts, CPU of the PF process and of the VF process',
    'ratio': 'ours / stock of the medians over rounds; paired ratios are ours / stock '
             'within one round',
    'ci': 'ratio with its 95 % confidence interval: ' + METHOD,
    'icount': 'QEMU -icount shift=N (single-threaded TCG): the guest\'s clock and TSC '
              'advance by 2^N ns per guest instruction while a vCPU runs, and in real '
              'time only while every vCPU is idle; guest-timed figures of CPU-bound work '
              '(cycles/packet, start-up, packets per guest second) then hardly depend '
              'on the host\'s load. Time QEMU spends in its device models (the igb '
              'NIC, 9p) between two guest instructions is not counted: under icount '
              'the figures measure the guest\'s software (EAL, bus, PMD), not the '
              'emulator',
    'spread_pct': '(max - min) / median over rounds, in percent',
    'within_noise': '|ratio - 1| <= the larger spread_pct of the two modes / 100',
}


def _get(run, path):
    cur = run
    for k in path:
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur if isinstance(cur, (int, float)) else None


def _sum(run, *paths):
    vals = [_get(run, p) for p in paths]
    return None if None in vals else round(sum(vals), 3)


def _diff(run, a, b):
    va, vb = _get(run, a), _get(run, b)
    return None if va is None or vb is None else round(va - vb, 3)


def metric_value(run, name):
    path = METRICS[name][2]
    return path(run) if callable(path) else _get(run, path)


def to_value(text):
    """A number when the text is one, None when empty, else the text."""
    if text == '':
        return None
    if re.fullmatch(r'-?[0-9]+', text):
        return int(text)
    if re.fullmatch(r'-?[0-9]*\.[0-9]+', text):
        return float(text)
    return text


def read_tsv(path):
    facts, runs = {}, {}
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line:
                continue
            parts = line.split('\t', 3)
            if len(parts) != 4:
                sys.exit('collect.py: %s:%d: expected 4 tab-separated fields, got %d'
                         % (path, n, len(parts)))
            rnd, mode, key, val = parts
            if rnd == '0':
                facts[key] = to_value(val)
            else:
                runs.setdefault((int(rnd), mode), []).append((key, to_value(val)))
    return facts, runs


def build_run(items):
    """Nest the dotted keys of one (round, mode) and derive the rates."""
    run = {}
    profile = {}
    for key, val in items:
        if key.startswith('vf.profile.dso.'):
            profile[key[len('vf.profile.dso.'):]] = val
            continue
        parts = key.split('.')
        cur = run
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = val
    if profile:
        run.setdefault('vf', {})['profile_dso_pct'] = profile
    for side in ('pf', 'vf'):
        for kind, fr in run.get(side, {}).get('fwd', {}).items():
            run[side]['fwd'][kind] = build_fwd(fr)
    return run


def build_fwd(fr):
    win = fr.get('window_s')
    ports = []
    n = 0
    while 'p%d' % n in fr:
        p = fr['p%d' % n]
        rx, tx = p.get('rx'), p.get('tx')
        ports.append({
            'rx': rx, 'tx': tx,
            'rx_pps': round(rx / win, 1) if rx is not None and win else None,
            'tx_pps': round(tx / win, 1) if tx is not None and win else None,
        })
        n += 1
    counters = {k: fr[k] for k in ('guest_user_s', 'guest_sys_s', 'guest_idle_s',
                                  'vfio_irqs', 'pf_cpu_s', 'vf_user_s', 'vf_sys_s')
                if k in fr}

    def total(key):
        vals = [p[key] for p in ports]
        return None if not vals or None in vals else round(sum(vals), 1)
    return {
        'window_s': win,
        'ports': ports,
        'rx_pps': total('rx_pps'),
        'tx_pps': total('tx_pps'),
        'cycles_per_packet': fr.get('cycles_per_packet'),
        'tsc_mhz': fr.get('tsc_mhz'),
        'counters': counters,
    }


def stats(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return {'values': values, 'n': 0, 'median': None, 'min': None, 'max': None,
                'spread_pct': None}
    med = statistics.median(vals)
    return {
        'values': values,
        'n': len(vals),
        'median': round(med, 4),
        'min': min(vals),
        'max': max(vals),
        'spread_pct': round((max(vals) - min(vals)) / med * 100, 2) if med else None,
    }


def build_rounds(runs, nrounds):
    """The rounds of a bench.sh TSV (read_tsv's runs): each with its ABBA
    order and the nested figures of each mode it has."""
    rounds = []
    for n in range(1, nrounds + 1):
        r = {'round': n, 'order': ['stock', 'ours'] if n % 2 else ['ours', 'stock']}
        for m in MODES:
            if (n, m) in runs:
                r[m] = build_run(runs[(n, m)])
        rounds.append(r)
    return rounds


def summarize(rounds, fwd_modes):
    out = {}
    for name, (unit, what, _, better) in METRICS.items():
        if name.startswith('vf_') and ('_mac_' in name or '_io_' in name):
            kind = 'mac' if '_mac_' in name else 'io'
            if kind not in fwd_modes:
                continue
        per = {m: [metric_value(r[m], name) if m in r else None for r in rounds]
               for m in MODES}
        # a figure the scenario did not record (an older run's samples)
        if all(v is None for m in MODES for v in per[m]):
            continue
        st = {m: stats(per[m]) for m in MODES}
        paired = [round(o / s, 4) for s, o in zip(per['stock'], per['ours'])
                  if s and o is not None]
        ratio = None
        if st['stock']['median'] and st['ours']['median'] is not None:
            ratio = round(st['ours']['median'] / st['stock']['median'], 4)
        spreads = [st[m]['spread_pct'] for m in MODES if st[m]['spread_pct'] is not None]
        noise = max(spreads) / 100 if spreads else None
        out[name] = {
            'ci': paired_ci(per['stock'], per['ours']),
            'unit': unit,
            'what': what,
            'better': better,
            'stock': st['stock'],
            'ours': st['ours'],
            'ratio_ours_stock': ratio,
            'paired_ratios': paired,
            'paired_ratio_min': min(paired) if paired else None,
            'paired_ratio_max': max(paired) if paired else None,
            'noise': round(noise, 4) if noise is not None else None,
            'within_noise': (abs(ratio - 1) <= noise) if ratio is not None
            and noise is not None else None,
        }
    return out


def headline(summary):
    def ratio(name):
        return summary[name]['ratio_ours_stock'] if name in summary else None

    def cyc(name):
        if name not in summary:
            return None
        return {'stock': summary[name]['stock']['median'],
                'ours': summary[name]['ours']['median'],
                'ratio': summary[name]['ratio_ours_stock']}
    return {
        'forwarding_ratio': {'vf_mac': ratio('vf_mac_pps'), 'vf_io': ratio('vf_io_pps'),
                             'pf_io': ratio('pf_io_pps')},
        'startup_ratio': {'vf_first_rx': ratio('vf_first_rx_s'),
                          'pf_first_rx': ratio('pf_first_rx_s'),
                          'pf_path_ready': ratio('pf_path_ready_s')},
        'cycles_per_packet': {'vf_mac': cyc('vf_mac_cycles_per_packet'),
                              'vf_io': cyc('vf_io_cycles_per_packet'),
                              'pf_io': cyc('pf_io_cycles_per_packet')},
        'throughput_pps': {k: {'stock': summary[n]['stock']['median'],
                               'ours': summary[n]['ours']['median']}
                           for k, n in (('vf_mac', 'vf_mac_pps'), ('vf_io', 'vf_io_pps'),
                                        ('pf_io', 'pf_io_pps')) if n in summary},
    }


def summary_of(per, unit, what, better):
    """stats of each way and the paired interval of one figure"""
    return {'unit': unit, 'what': what, 'better': better,
            'stock': stats(per['stock']), 'ours': stats(per['ours']),
            'ci': paired_ci(per['stock'], per['ours'])}


def collect_interleave(path):
    """The short alternating windows of bench.sh --interleave."""
    facts, runs = read_tsv(path)
    pairs = facts.get('pairs')
    if not isinstance(pairs, int) or pairs < 2:
        sys.exit('collect.py: %s: no "pairs" fact >= 2: not a bench.sh --interleave output'
                 % path)
    rows = []
    for n in range(1, pairs + 1):
        row = {'pair': n, 'order': ['stock', 'ours'] if n % 2 else ['ours', 'stock']}
        for m in MODES:
            fr = build_run(runs.get((n, m), [])).get('il', {}).get('mac', {})
            rx, win = fr.get('rx'), fr.get('window_s')
            row[m] = {'rx': rx, 'window_s': win, 'vfs': fr.get('vfs'),
                      'rx_pps': round(rx / win, 1) if rx and win else None,
                      'cycles_per_packet': fr.get('cycles_per_packet')}
        rows.append(row)

    def per(key):
        return {m: [r[m][key] for r in rows] for m in MODES}
    cmd = {m: facts.get('%s.cmdline' % m, '') for m in MODES}
    cmd['pf'] = facts.get('pf.cmdline', '')
    return {
        'pairs': pairs, 'secs': facts.get('secs'), 'warm_s': facts.get('warm'),
        'kernel': facts.get('kernel'),
        'order': 'ABBA by pair: odd pairs stock then ours; the VF pairs of the two '
                 'ways swap halfway',
        'command_lines': cmd,
        'windows': rows,
        'summary': {
            'vf_mac_pps': summary_of(per('rx_pps'), 'packets/s',
                                     'VF-to-VF mac forwarding, RX over both VF ports, '
                                     'short alternating windows', 'higher'),
            'vf_mac_cycles_per_packet': summary_of(per('cycles_per_packet'), 'cycles',
                                                   'VF mac forwarding, CPU cycles/packet, '
                                                   'short alternating windows', 'lower'),
        },
    }


SCALE_KEYS = ('ready_s', 'configure_s', 'load_s', 'probe_s', 'ports_up', 'fds', 'vfio_fds', 'rss_kb', 'huge_kb',
              'heap_heap_size', 'heap_alloc_size', 'heap_alloc_count', 'cpu_s',
              'port_start_max_s', 'stalled_ports', 'probe_max_s', 'stalled_probes',
              'stalled_attempts')


def stalled(ports, probes):
    """Per launch, its stalled port starts plus its stalled probes (the
    latter recorded since scale.sh's probe_stall_s; 0 before)."""
    return [x + (y or 0) if isinstance(x, int) else x for x, y in zip(ports, probes)]


def stall_free(per_key, stalls):
    """per_key ({mode: [value per round]}) with the rounds left out
    (None) where a launch of either way had a stalled port start; None
    when the samples do not say (recorded since scale.sh's mailbox_stalls)."""
    if not all(isinstance(x, int) for m in MODES for x in stalls[m]):
        return None
    keep = [not stalls['stock'][i] and not stalls['ours'][i] for i in range(len(stalls['stock']))]
    return {m: [v if k else None for v, k in zip(per_key[m], keep)] for m in MODES}


def slope(points):
    """Least-squares slope of (x, y) points: the cost per added VF."""
    pts = [(x, y) for x, y in points if isinstance(y, (int, float))]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / den, 4) if den else None


def collect_scale(path):
    """Every VF of two PFs (scenario scale): start-up and cost per N."""
    facts, runs = read_tsv(path)
    nrounds = facts.get('rounds')
    total = facts.get('total_vfs')
    if not isinstance(nrounds, int) or not isinstance(total, int):
        sys.exit('collect.py: %s: no "rounds" / "total_vfs" facts: not a scale.sh output'
                 % path)
    rounds = []
    ns = set()
    for n in range(1, nrounds + 1):
        r = {'round': n, 'order': ['stock', 'ours'] if n % 2 else ['ours', 'stock']}
        for m in MODES:
            run = build_run(runs.get((n, m), []))
            per_n = {}
            for key, val in run.items():
                if re.fullmatch(r'n[0-9]+', key) and isinstance(val, dict):
                    f = {k: val.get(k) for k in SCALE_KEYS}
                    # after EAL's loading: the part of the start-up that
                    # can depend on N (exec and PMD loading do not)
                    f['after_load_s'] = _diff(f, ('ready_s',), ('load_s',))
                    per_n[int(key[1:])] = f
                    ns.add(int(key[1:]))
            def fwd(key):
                fa = run.get(key, {})
                rx, win = fa.get('rx'), fa.get('win_s')
                return {'ports': fa.get('ports'), 'ports_rx': fa.get('ports_rx'),
                        'rx': rx, 'window_s': win, 'nombufs': fa.get('nombufs'),
                        'rx_pps': round(rx / win, 1) if rx and win else None,
                        'port_rx': [fa.get('p%d' % i, {}).get('rx')
                                    for i in range(fa.get('ports') or 0)]}
            r[m] = {'n': {str(k): v for k, v in sorted(per_n.items())},
                    'forward_all': fwd('fwd%d' % (total - 2)),
                    'forward_totalvfs': fwd('fwd%d' % total)}
        rounds.append(r)
    ns = sorted(ns)

    def per(n, key):
        return {m: [r[m]['n'].get(str(n), {}).get(key) for r in rounds] for m in MODES}
    curve = {}
    for n in ns:
        curve[str(n)] = {k: {m: stats(per(n, k)[m])['median'] for m in MODES}
                         for k in SCALE_KEYS + ('after_load_s',)}
        curve[str(n)]['ready_ci'] = paired_ci(per(n, 'ready_s')['stock'],
                                              per(n, 'ready_s')['ours'])
        curve[str(n)]['ready_values'] = per(n, 'ready_s')
        # the same pairs without those whose launch had a port start or a
        # probe stalled on the VF mailbox (either way), and how many launches
        # of each way had one
        stalls = {m: stalled(per(n, 'stalled_ports')[m], per(n, 'stalled_probes')[m])
                  for m in MODES}
        clean = stall_free(per(n, 'ready_s'), stalls)
        if clean is not None:
            curve[str(n)]['ready_stall_free_ci'] = paired_ci(clean['stock'], clean['ours'])
            clean = stall_free(per(n, 'after_load_s'), stalls)
            curve[str(n)]['after_load_stall_free_ci'] = paired_ci(clean['stock'],
                                                                  clean['ours'])
            # launches made again after a stall (scale.sh --retries) count
            # among the launches and the stalled ones
            again = {m: [x or 0 for x in per(n, 'stalled_attempts')[m]] for m in MODES}
            curve[str(n)]['stalled_launches'] = {m: sum(1 for x in stalls[m] if x)
                                                 + sum(again[m]) for m in MODES}
            curve[str(n)]['launches'] = {m: len(stalls[m]) + sum(again[m]) for m in MODES}
        curve[str(n)]['probe_ci'] = paired_ci(per(n, 'probe_s')['stock'],
                                              per(n, 'probe_s')['ours'])
    per_vf = {}
    for k in ('ready_s', 'configure_s', 'load_s', 'probe_s', 'fds', 'vfio_fds', 'rss_kb', 'heap_heap_size',
              'heap_alloc_size', 'cpu_s'):
        per_vf[k] = {}
        for m in MODES:
            pts = [(n, curve[str(n)][k][m]) for n in ns]
            steps = []
            for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                if isinstance(y0, (int, float)) and isinstance(y1, (int, float)):
                    steps.append(round((y1 - y0) / (x1 - x0), 4))
            per_vf[k][m] = {'slope': slope(pts), 'steps': steps}
    fwd = {m: [r[m]['forward_all']['rx_pps'] for r in rounds] for m in MODES}
    cmd = {m: {'pf': '', 'vf': ''} for m in MODES}
    per_pf = (facts.get('totalvfs_pf1'), facts.get('totalvfs_pf2'))
    for (rnd, m), kv in sorted(runs.items()):
        for k, v in kv:
            if k == 'pf%s.cmdline' % per_pf[0] and not cmd[m]['pf']:
                cmd[m]['pf'] = v
            if k == 'n%d.cmdline' % max(ns or [0]):
                cmd[m]['vf'] = v
    tv = {m: [r[m]['forward_totalvfs'] for r in rounds] for m in MODES}
    return {
        'rounds': nrounds, 'ns': ns, 'total_vfs': total, 'vf_mbufs': facts.get('vf_mbufs'),
        'totalvfs_per_pf': [facts.get('totalvfs_pf1'), facts.get('totalvfs_pf2')],
        'kernel': facts.get('kernel'), 'secs': facts.get('secs'), 'warm_s': facts.get('warm'),
        'retries': facts.get('retries'), 'stall_s': facts.get('stall_s'),
        'probe_stall_s': facts.get('probe_stall_s'),
        'placement': placement(path, facts, 'vm-scale.log'),
        'order': 'ABBA: odd rounds stock then ours; in each mode the VF process is '
                 'launched once per N, in increasing N',
        'command_lines': cmd,
        'per_round': rounds,
        'curve': curve,
        'per_vf': per_vf,
        'forward_all_vfs': total - 2,
        'forward_all': summary_of(fwd, 'packets/s',
                                  'sriov_totalvfs - 1 VFs per PF (%d in all) forwarding '
                                  'at once (mac), RX summed over all ports' % (total - 2),
                                  'higher'),
        'forward_totalvfs': tv,
        'forward_every_vf': summary_of(
            {m: [x.get('rx_pps') for x in tv[m]] for m in MODES}, 'packets/s',
            'sriov_totalvfs VFs per PF (%d in all) forwarding at once (mac), RX summed '
            'over all ports' % total, 'higher'),
    }


def run_text(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                              check=False).stdout.strip()
    except OSError:
        return ''


def versions(facts):
    qemu = os.environ.get('VFTOKEN_QEMU', 'qemu-system-x86_64')
    try:
        with open(os.path.join(ROOT, 'VERSION'), encoding='utf-8') as f:
            vft = f.read().strip()
    except OSError:
        vft = ''
    cpu = ''
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            m = re.search(r'^model name\s*:\s*(.*)$', f.read(), re.M)
            cpu = m.group(1) if m else ''
    except OSError:
        pass
    qv = run_text([qemu, '--version']).splitlines()
    return {
        'guest_kernel': facts.get('kernel'),
        'qemu': qv[0] if qv else '',
        'dpdk': run_text(['dpkg-query', '-W', '-f', '${Version}', 'dpdk']),
        'testpmd': facts.get('testpmd'),
        'vftoken': vft,
        'vftoken_git': run_text(['git', '-C', ROOT, 'describe', '--always', '--dirty']),
        'host_kernel': platform.release(),
        'host_os': run_text(['sh', '-c', '. /etc/os-release && echo "$PRETTY_NAME"']),
        'host_cpu': cpu,
        'host_cpus': os.cpu_count(),
    }


def host_load(path):
    """Host CPU use over the VM's run: "start|end EPOCH cpu u n s i w irq sirq
    steal ... LOAD1 LOAD5 LOAD15" lines written by run.sh."""
    samples = {}
    try:
        with open(path, encoding='utf-8') as f:
            for line in f:
                w = line.split()
                if len(w) < 12 or w[2] != 'cpu':
                    continue
                ticks = [int(x) for x in w[3:-3]]
                samples[w[0]] = (float(w[1]), ticks, [float(x) for x in w[-3:]])
    except (OSError, ValueError):
        return None
    if 'start' not in samples or 'end' not in samples:
        return None
    (t0, c0, l0), (t1, c1, l1) = samples['start'], samples['end']
    d = [b - a for a, b in zip(c0, c1)]
    total = sum(d[:8]) or 1
    idle = d[3] + d[4]
    return {
        'wall_s': round(t1 - t0, 1),
        'busy_pct': round(100.0 * (total - idle) / total, 1),
        'cpus': os.cpu_count(),
        'loadavg_start': l0,
        'loadavg_end': l1,
    }


def vm_time(path):
    """Wall seconds of each boot (waiting for the VM lock included)."""
    out = {}
    try:
        with open(path, encoding='utf-8') as f:
            for line in f:
                w = line.split()
                if len(w) == 2 and w[1].isdigit():
                    out[w[0]] = int(w[1])
    except OSError:
        return None
    out['total'] = sum(out.values())
    return out


def qemu_time(path):
    """Seconds each boot spent in QEMU, lock wait excluded: the "total in
    QEMU N s" line devtools/vm/run.sh prints, from the vm-NAME.log files
    run.sh keeps next to vm-time.txt."""
    out = {}
    for name in (vm_time(path) or {}):
        try:
            with open(os.path.join(os.path.dirname(path), 'vm-%s.log' % name),
                      encoding='utf-8') as f:
                for line in f:
                    m = re.search(r'total in QEMU ([0-9]+(?:[.][0-9]+)?) s', line)
                    if m:
                        out[name] = round(float(m.group(1)))
        except OSError:
            continue
    if not out:
        return None
    out['total'] = sum(out.values())
    return out


def command_lines(facts, runs):
    out = {}
    for m in MODES:
        items = {}
        for (_, mode), kv in sorted(runs.items()):
            if mode != m:
                continue
            for k, v in kv:
                if k.endswith('cmdline') and k not in items:
                    items[k] = v
        out[m] = {'setup': items.get('setup.cmdline') or '',
                  'pf': items.get('pf.cmdline') or '',
                  'vf': items.get('vf.cmdline') or ''}
    return out


def plot(res, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    summ = res['summary']
    colors = {'stock': '#7f7f7f', 'ours': '#1f77b4'}
    scale = res.get('scale')
    fig, axes = plt.subplots(3 if scale else 2, 2, figsize=(13, 13.5 if scale else 9))

    def bars(ax, names, labels, scale=1.0, log=False):
        width = 0.38
        for i, m in enumerate(MODES):
            xs = [j + (i - 0.5) * width for j in range(len(names))]
            meds = [(summ[n][m]['median'] or 0) * scale for n in names]
            ax.bar(xs, meds, width, color=colors[m], alpha=0.85, label=m + ' (median)')
            for x, n in zip(xs, names):
                pts = [v * scale for v in summ[n][m]['values'] if v is not None]
                ax.scatter([x] * len(pts), pts, s=14, color='black', zorder=3,
                           label='rounds' if (i == 1 and x == xs[0]) else None)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(labels, fontsize=8)
        if log:
            ax.set_yscale('log')
        ax.grid(axis='y', alpha=0.3)

    fwd = [n for n in FWD_METRICS if n in summ]
    bars(axes[0][0], fwd, [{'vf_mac_pps': 'VF-VF mac', 'vf_io_pps': 'VF-VF io',
                           'pf_io_pps': 'PF io (hub)'}[n] for n in fwd], 1e-3)
    axes[0][0].set_ylabel('kpps (RX, all ports)')
    axes[0][0].set_title('Forwarding throughput')
    axes[0][0].legend(fontsize=8)

    cyc = [n for n in CYCLE_METRICS if n in summ]
    bars(axes[0][1], cyc, [{'vf_mac_cycles_per_packet': 'VF-VF mac',
                           'vf_io_cycles_per_packet': 'VF-VF io',
                           'pf_io_cycles_per_packet': 'PF io (hub)'}[n] for n in cyc],
         log=True)
    axes[0][1].set_ylabel('TSC cycles/packet (log)')
    axes[0][1].set_title('Cycles per packet (--record-core-cycles)')

    st = [n for n in STARTUP_METRICS if n in summ]
    bars(axes[1][0], st, [n[:-2].replace('_', '\n', 1).replace('_', ' ') for n in st])
    axes[1][0].set_ylabel('seconds from launch')
    axes[1][0].set_title('Start-up')

    ax = axes[1][1]
    names = fwd + cyc + ['vf_first_rx_s', 'pf_first_rx_s', 'pf_path_ready_s']
    cis = [(n.replace('_cycles_per_packet', '\ncyc/pkt').replace('_pps', '\npps')
            .replace('_s', ''), summ[n]['ci']) for n in names if n in summ]
    il = res.get('interleave')
    if il:
        cis.append(('VF mac pps\ninterleaved', il['summary']['vf_mac_pps']['ci']))
    if scale:
        cis.append(('all VFs\nfwd pps', scale['forward_all']['ci']))
        for n in scale['ns']:
            cis.append(('%d VFs\nready' % n, scale['curve'][str(n)]['ready_ci']))
    for j, (_, ci) in enumerate(cis):
        pts = ci['ratios']
        ax.scatter([j] * len(pts), pts, s=10, color='black', alpha=0.5, zorder=3)
        if ci['ratio'] is not None:
            lo = ci['lo'] if ci['lo'] is not None else ci['ratio']
            hi = ci['hi'] if ci['hi'] is not None else ci['ratio']
            ax.errorbar([j], [ci['ratio']], yerr=[[ci['ratio'] - lo], [hi - ci['ratio']]],
                        fmt='s', color=colors['ours'], capsize=4, zorder=4)
    ax.axhline(1.0, color='black', lw=0.8)
    ax.axhspan(0.97, 1.03, color='green', alpha=0.12, label='±3 %')
    ax.set_xticks(range(len(cis)))
    ax.set_xticklabels([c[0] for c in cis], fontsize=6, rotation=60)
    ax.set_ylabel('ours / stock')
    ax.set_title('Ratios: paired (dots), geometric mean with 95 % CI')
    ax.legend(fontsize=8)
    ax.grid(axis='y', alpha=0.3)

    if scale:
        ax = axes[2][0]
        ns = scale['ns']
        for m in MODES:
            meds = [scale['curve'][str(n)]['ready_s'][m] for n in ns]
            ax.plot(ns, meds, marker='o', color=colors[m], label=m + ' (median)')
            for n in ns:
                pts = [v for v in scale['curve'][str(n)]['ready_values'][m] if v is not None]
                ax.scatter([n] * len(pts), pts, s=10, color=colors[m], alpha=0.5)
        ax.set_xlabel('VFs opened by one VF process (both PFs)')
        ax.set_ylabel('s, launch to every port up')
        ax.set_title('Start-up vs number of VFs (%s)' % scale.get('accel'))
        ax.set_xticks(ns)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        ax = axes[2][1]
        for key, label, div, style in (('fds', 'fds', 1, '-'), ('rss_kb', 'RSS (MB)', 1024, '--'),
                                       ('heap_heap_size', 'DPDK heap (MB)', 1 << 20, ':')):
            for m in MODES:
                ys = [scale['curve'][str(n)][key][m] for n in ns]
                ax.plot(ns, [y / div if y is not None else None for y in ys], style,
                        marker='.', color=colors[m], label='%s %s' % (label, m))
        ax.set_xlabel('VFs opened by one VF process (both PFs)')
        ax.set_title('VF process cost vs number of VFs (medians)')
        ax.set_xticks(ns)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)

    v = res['versions']
    fig.suptitle('vftoken forwarding benchmark, %s: %d round(s) x %s s, guest %s, %s, DPDK %s'
                 % (res['date'][:10], res['config']['rounds'], res['config']['secs'],
                    v['guest_kernel'], (v['qemu'] or 'QEMU').split(' (')[0], v['dpdk']),
                 fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=100)
    plt.close(fig)


PLACEMENT_RE = re.compile(r'harness on vCPU (\d+), testpmd started on vCPU (\d+)')


def placement(tsv, facts, log='vm-rounds.log'):
    """Where the scenario put its harness and testpmd (pin_harness in
    devtools/vm/lib/scenario.sh): the facts harness_cpu and testpmd_cpu of
    the samples; for samples older than those, the line pin_harness printed
    in the log of the boot that wrote TSV (run.sh keeps it next to the
    samples as LOG: vm-rounds.log, vm-scale.log)."""
    cpus = (facts.get('harness_cpu'), facts.get('testpmd_cpu'))
    if cpus == (None, None):
        try:
            with open(os.path.join(os.path.dirname(os.path.abspath(tsv)), log)) as f:
                m = PLACEMENT_RE.search(f.read())
        except OSError:
            return None
        cpus = m.groups() if m else ('', '')
    if not all(isinstance(c, int) or (isinstance(c, str) and c.isdigit()) for c in cpus):
        return 'not pinned: the scheduler placed the harness and each testpmd'
    return ('the scenario\'s shell (prompt pollers, line stamper) pinned to vCPU %s; '
            'each testpmd started on vCPU %s, then EAL sets its lcores\' affinity '
            'from -l (pin_harness, vm_rig guide)' % tuple(cpus))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('tsv')
    ap.add_argument('out')
    ap.add_argument('--png')
    ap.add_argument('--command', default='')
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--date', help='when the run started, ISO 8601 UTC (default: now)')
    ap.add_argument('--host-load', help='run.sh\'s /proc/stat + loadavg samples')
    ap.add_argument('--accel', default='tcg', help='how the rounds\' VM ran')
    ap.add_argument('--interleave', help='bench.sh --interleave output')
    ap.add_argument('--il-accel', default='tcg')
    ap.add_argument('--scale', help='scale.sh output')
    ap.add_argument('--scale-accel', default='icount')
    ap.add_argument('--icount-shift', type=int, default=4)
    ap.add_argument('--vm-time', help='run.sh\'s "PHASE SECONDS" lines (wall time of each boot)')
    a = ap.parse_args()

    facts, runs = read_tsv(a.tsv)
    nrounds = facts.get('rounds')
    if not isinstance(nrounds, int) or nrounds < 1:
        sys.exit('collect.py: %s: no "rounds" fact: not a bench.sh output' % a.tsv)
    fwd_modes = str(facts.get('fwd_modes', '')).split()
    rounds = build_rounds(runs, nrounds)
    summary = summarize(rounds, fwd_modes)
    res = {
        'schema': SCHEMA,
        'date': a.date or datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%dT%H:%M:%SZ'),
        'command': a.command,
        'quick': a.quick,
        'config': {
            'rounds': nrounds,
            'secs': facts.get('secs'),
            'warm_s': facts.get('warm'),
            'fwd_modes': fwd_modes,
            'order': 'ABBA: odd rounds stock then ours, even rounds ours then stock',
            'pf': facts.get('pf'),
            # the PF io window's second port: the other PF over a QEMU hub
            # (run.sh --pf-hub), or none (the host's UDP wire)
            'pf2': facts.get('pf2') or None,
            'pf_wire': facts.get('pf_wire') or 'loopback',
            'vfs': str(facts.get('vfs', '')).split(),
            'mbufs': facts.get('mbufs'),
            'lcores': '-l 0,1 for the PF and the VF process: both share the '
                      'guest\'s 2 vCPUs (lcore 1 forwards, lcore 0 runs the prompt)',
            'placement': placement(a.tsv, facts),
            'accel': a.accel,
            'icount_shift': a.icount_shift if 'icount' in (a.accel, a.il_accel,
                                                         a.scale_accel) else None,
            'method': METHOD,
            'guest_cpus': facts.get('guest_cpus'),
            'guest_cpu_model': facts.get('guest_cpu_model'),
            'guest_mem_kb': facts.get('guest_mem_kb'),
            'profile': bool(facts.get('profile')),
            'plugin': facts.get('plugin'),
        },
        'versions': versions(facts),
        'command_lines': command_lines(facts, runs),
        'definitions': DEFINITIONS,
        'rounds': rounds,
        'summary': summary,
    }
    if a.interleave:
        res['interleave'] = collect_interleave(a.interleave)
        res['interleave']['accel'] = a.il_accel
    if a.scale:
        res['scale'] = collect_scale(a.scale)
        res['scale']['accel'] = a.scale_accel
    res['headline'] = headline(summary)
    res['headline']['ci'] = {n: summary[n]['ci'] for n in summary}
    if a.interleave:
        res['headline']['ci']['interleave_vf_mac_pps'] = \
            res['interleave']['summary']['vf_mac_pps']['ci']
    if a.scale:
        res['headline']['ci']['scale_forward_all_pps'] = res['scale']['forward_all']['ci']
        res['headline']['ci']['scale_forward_every_vf_pps'] = \
            res['scale']['forward_every_vf']['ci']
        for n, c in res['scale']['curve'].items():
            res['headline']['ci']['scale_ready_s_n%s' % n] = c['ready_ci']
            if c.get('ready_stall_free_ci'):
                res['headline']['ci']['scale_ready_stall_free_s_n%s' % n] = \
                    c['ready_stall_free_ci']
                res['headline']['ci']['scale_after_load_stall_free_s_n%s' % n] = \
                    c['after_load_stall_free_ci']
            if c['probe_ci'].get('n'):
                res['headline']['ci']['scale_probe_s_n%s' % n] = c['probe_ci']
    res['host_load'] = host_load(a.host_load) if a.host_load else None
    res['vm_time_s'] = vm_time(a.vm_time) if a.vm_time else None
    res['qemu_time_s'] = qemu_time(a.vm_time) if a.vm_time else None
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, 'w', encoding='utf-8') as f:
        json.dump(res, f, indent=1, sort_keys=False)
        f.write('\n')
    if a.png:
        plot(res, a.png)


if __name__ == '__main__':
    main()

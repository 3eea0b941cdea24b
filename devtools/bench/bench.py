#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""The benchmarks of vftoken: one runner, one analysis (devtools/bench/run.sh).

    bench.py NAME [options]            boot the rig, take the samples, analyse,
                                       publish (devtools/bench/README.md)
    bench.py NAME --report-only [--from DIR] [--out DIR] [--publish]
                                       the same from samples already taken
    bench.py all --report-only --out DIR   every page again from doc/
    bench.py precision RESULTS.json [--goal PCT]   the pairs a ratio needs

Each benchmark is declared in BENCHES (at the end): its scenario, its
options and their scenario arguments, the rig (kernel, --accel, extra
run.sh flags), the files it takes from the scenario's share (the sample
schema, read by its *_load function), its analysis and its page. What
they share lives here once: the TSV reading, the paired ratios with their
95 % t-interval, the tables and the page's frame, the check that nothing
published holds a path of this machine or a UUID, results.json.

The method of every ratio (METHOD, also written into each results.json)
is explained once in doc/guides/vm_rig.rst, "How the benchmarks compare".
A benchmark, not a test: nothing here asserts a timing.
"""
import argparse
import datetime
import glob
import json
import math
import os
import platform
import re
import shutil
import statistics
import struct
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DOC = os.path.join(ROOT, 'doc', 'guides')
SAMPLES = os.path.join(DOC, 'bench', 'samples')
MODES = ('stock', 'ours')
UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', re.I)

# ---- the ratios and their intervals


METHOD = ('paired ratios ours / stock (one per round or per ABBA pair of '
          'windows); estimate: their geometric mean; 95 % interval: '
          'Student t-interval on the mean of the log ratios, '
          'exp(mean +- t(0.975, n-1) * sd / sqrt(n))')

# t(0.975, df) for df = 1..30; beyond, the normal 1.96 is within 2 %
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t975(df):
    """The 97.5 % quantile of Student's t with df degrees of freedom."""
    if df < 1:
        raise ValueError('t975: df %r is not >= 1' % df)
    if df <= len(_T975):
        return _T975[df - 1]
    if df <= 60:
        return 2.000 + (2.042 - 2.000) * (60 - df) / 30
    return 1.960 + (2.000 - 1.960) * 60 / df


def paired_ci(stock, ours):
    """Ratio ours / stock with its 95 % interval from paired figures.

    stock, ours: lists of the same length, None where a pair member is
    missing (that pair is left out). Returns a dict: n, ratio, lo, hi,
    half_pct (the larger distance of the interval's ends from the ratio,
    in percent of it), ratios (the paired ratios used)."""
    ratios = [o / s for s, o in zip(stock, ours)
              if isinstance(s, (int, float)) and isinstance(o, (int, float))
              and s > 0 and o > 0]
    out = {'n': len(ratios), 'ratio': None, 'lo': None, 'hi': None, 'half_pct': None,
           'ratios': [round(r, 4) for r in ratios]}
    if not ratios:
        return out
    logs = [math.log(r) for r in ratios]
    mean = sum(logs) / len(logs)
    out['ratio'] = round(math.exp(mean), 4)
    if len(logs) < 2:
        return out
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / (len(logs) - 1))
    half = t975(len(logs) - 1) * sd / math.sqrt(len(logs))
    lo, hi = math.exp(mean - half), math.exp(mean + half)
    out['lo'], out['hi'] = round(lo, 4), round(hi, 4)
    out['half_pct'] = round(100 * max(hi / math.exp(mean) - 1, 1 - lo / math.exp(mean)), 2)
    return out


def ci_text(ci):
    """'0.987 [0.975, 0.999] (n=5, +-1.2 %)' or what is missing."""
    if not ci or ci.get('ratio') is None:
        return 'n/a'
    if ci.get('lo') is None:
        return '%.3f (n=%d, no interval)' % (ci['ratio'], ci['n'])
    return '%.3f [%.3f, %.3f] (n=%d, ±%.1f %%)' % (ci['ratio'], ci['lo'], ci['hi'], ci['n'],
                                                  ci['half_pct'])


def paired_diff_ci(a, b):
    """Difference b - a with its 95 % interval from paired figures: the
    mean of the paired differences and Student's t-interval on it,
    mean +- t(0.975, n - 1) * sd / sqrt(n), in the figures' unit. Pairs
    with a member missing are left out. Returns a dict: n, diff, lo, hi."""
    diffs = [y - x for x, y in zip(a, b)
             if isinstance(x, (int, float)) and isinstance(y, (int, float))]
    out = {'n': len(diffs), 'diff': None, 'lo': None, 'hi': None}
    if not diffs:
        return out
    mean = sum(diffs) / len(diffs)
    out['diff'] = mean
    if len(diffs) < 2:
        return out
    sd = math.sqrt(sum((x - mean) ** 2 for x in diffs) / (len(diffs) - 1))
    half = t975(len(diffs) - 1) * sd / math.sqrt(len(diffs))
    out['lo'], out['hi'] = mean - half, mean + half
    return out


def sd_of_logs(ratios):
    """Sample standard deviation of the log ratios (None below 2)."""
    if len(ratios) < 2:
        return None
    logs = [math.log(r) for r in ratios]
    mean = sum(logs) / len(logs)
    return math.sqrt(sum((x - mean) ** 2 for x in logs) / (len(logs) - 1))


def rounds_needed(sd, goal_pct):
    """Smallest n >= 2 whose t-interval half-width at this sd is within the
    goal (a projection); None when sd is unknown, 2 when sd is 0."""
    if sd is None:
        return None
    lim = math.log(1 + goal_pct / 100.0)
    n = 2
    while t975(n - 1) * sd / math.sqrt(n) > lim:
        n += 1
        if n > 100000:
            return None
    return n


# ---- reading the samples, writing the results


def fail(name, msg):
    """A bad input file: say where, and stop with status 1."""
    sys.exit('%s: %s' % (name, msg))


def load_tsv(name, path, ncols, header=None):
    """Rows of exactly @ncols tab-separated fields; a first line that starts
    with @header is skipped. Any other line is an error naming the file,
    the line and what was expected."""
    rows = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip('\n').split('\t')
            if n == 1 and header is not None and parts[0] == header:
                continue
            if len(parts) != ncols:
                fail(name, '%s:%d: %r has %d fields, expected %d'
                     % (path, n, line.rstrip('\n'), len(parts), ncols))
            rows.append((n, parts))
    return rows


def load_rows(name, path, ncols, ways, header=None):
    """(line, round, way, the other fields) of rows ROUND<TAB>WAY<TAB>...;
    a round that is not a number or a way not in @ways is an error."""
    for n, parts in load_tsv(name, path, ncols, header):
        if not parts[0].isdigit() or parts[1] not in ways:
            fail(name, '%s:%d: %r is not ROUND<TAB>%s<TAB>...'
                 % (path, n, '\t'.join(parts), '|'.join(ways)))
        yield n, int(parts[0]), parts[1], parts[2:]


def env_rows(first, env, accel, load_label, dpdk=True):
    """The Environment table of a one-boot page: @first (the guest's
    rows), then timing, QEMU, DPDK, vftoken, the host and its load."""
    load = env.get('host_load') or {}
    rows = first + [
        ['timing', 'QEMU -icount shift=%s, single-threaded TCG' % env.get('icount_shift')
         if accel == 'icount' else 'TCG, guest wall clock'],
        ['QEMU', env.get('qemu') or '?']] + (
        [['DPDK (Debian package)', env.get('dpdk') or '?']] if dpdk else []) + [
        ['vftoken', '%s (%s)' % (env.get('vftoken') or '?', env.get('vftoken_git') or '?')],
        ['host', '%s, %s, %s CPUs' % (env.get('host_os') or '?', env.get('host_cpu') or '?',
                                      env.get('host_cpus') or '?')]]
    if load:
        rows.append([load_label, '%s %% busy, load average %s at the start, %s at the end'
                     % (load.get('busy_pct'), load.get('loadavg_start', [None])[0],
                        load.get('loadavg_end', [None])[0])])
    return rows


def timing_text(accel):
    if accel == 'icount':
        return ('QEMU ``-icount`` (guest time from the instruction count, so '
                "the shared host's load hardly moves it)")
    return ("plain TCG (wall clock in the guest: the shared host's load "
            'shows in the spread)')


def number(name, path, n, text):
    """float(text), or an error naming the line."""
    try:
        return float(text)
    except ValueError:
        return fail(name, '%s:%d: %r is not a number' % (path, n, text))


def load_env(path):
    """{key: value} of KEY<TAB>VALUE lines; {} if there is no file."""
    env = {}
    if path and os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            for line in f:
                k, _, v = line.rstrip('\n').partition('\t')
                env[k] = v
    return env


def write_json(path, obj):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=1)
        f.write('\n')


def list_table(header, rows, widths=None):
    """An RST list-table: @header and each of @rows are lists of cells."""
    lines = ['.. list-table::', '   :header-rows: 1']
    if widths:
        lines.append('   :widths: ' + ' '.join(str(w) for w in widths))
    lines.append('')
    for row in [header] + rows:
        lines.append(('   * - ' + str(row[0])).rstrip())
        for cell in row[1:]:
            lines.append(('     - ' + str(cell)).rstrip())
    lines.append('')
    return lines



def page(title, body, command=None):
    """A guide page: licence, the "written by" note, @title, the @body
    lines, then how to reproduce it with @command (when given)."""
    return '\n'.join([
        '.. SPDX-License-Identifier: BSD-3-Clause',
        '   Copyright(c) 2026 vftoken authors',
        '',
        '.. This page is written by devtools/bench/bench.py; do not edit.',
        '',
        title,
        '=' * len(title),
        '',
    ] + body + (['Reproduce from a clone::', '', '   ' + command, ''] if command else []))


def fmtn(v, f='%.2f'):
    return 'n/a' if v is None else f % v


# ---- forwarding: the samples to results.json and the chart


SCHEMA = 'vftoken-bench/2'
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
    """The facts (round 0) and the runs {(round, mode): [(key, value)]} of
    a ROUND<TAB>MODE<TAB>KEY<TAB>VALUE file (bench.sh, scale.sh)."""
    facts, runs = {}, {}
    for _, r, m, (key, val) in load_rows(os.path.basename(path), path, 4, MODES + ('-',)):
        if r == 0:
            facts[key] = to_value(val)
        else:
            runs.setdefault((r, m), []).append((key, to_value(val)))
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
            b = sc_fit([(x, y) for x, y in pts if isinstance(y, (int, float))])[1]
            per_vf[k][m] = {'slope': None if b is None else round(b, 4), 'steps': steps}
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


def fwd_results(d, meta):
    """results.json of the forwarding benchmark from its samples in @d
    (rounds.tsv, and interleave.tsv, scale.tsv when they ran) and the
    run's facts @meta."""
    tsv = os.path.join(d, 'rounds.tsv')
    facts, runs = read_tsv(tsv)
    nrounds = facts.get('rounds')
    if not isinstance(nrounds, int) or nrounds < 1:
        sys.exit('bench: %s: no "rounds" fact: not a bench.sh output' % tsv)
    fwd_modes = str(facts.get('fwd_modes', '')).split()
    rounds = build_rounds(runs, nrounds)
    summary = summarize(rounds, fwd_modes)
    il = os.path.join(d, 'interleave.tsv')
    il = il if os.path.exists(il) else None
    sc = os.path.join(d, 'scale.tsv')
    sc = sc if os.path.exists(sc) else None
    res = {
        'schema': SCHEMA,
        'date': meta['date'],
        'command': meta['command'],
        'quick': meta['quick'],
        'config': {
            'rounds': nrounds,
            'secs': facts.get('secs'),
            'warm_s': facts.get('warm'),
            'fwd_modes': fwd_modes,
            'order': 'ABBA: odd rounds stock then ours, even rounds ours then stock',
            'pf': facts.get('pf'),
            # the PF io window's second port: the other PF over a QEMU hub
            # (--pf-hub), or none (the host's UDP wire)
            'pf2': facts.get('pf2') or None,
            'pf_wire': facts.get('pf_wire') or 'loopback',
            'vfs': str(facts.get('vfs', '')).split(),
            'mbufs': facts.get('mbufs'),
            'lcores': '-l 0,1 for the PF and the VF process: both share the '
                      'guest\'s 2 vCPUs (lcore 1 forwards, lcore 0 runs the prompt)',
            'placement': placement(tsv, facts) or meta.get('placement'),
            'accel': meta['accel'],
            'icount_shift': meta['icount_shift'],
            'method': METHOD,
            'guest_cpus': facts.get('guest_cpus'),
            'guest_cpu_model': facts.get('guest_cpu_model'),
            'guest_mem_kb': facts.get('guest_mem_kb'),
            'profile': bool(facts.get('profile')),
            'plugin': facts.get('plugin'),
        },
        'versions': meta.get('versions') or versions(facts),
        'command_lines': command_lines(facts, runs),
        'definitions': DEFINITIONS,
        'rounds': rounds,
        'summary': summary,
    }
    if il:
        res['interleave'] = collect_interleave(il)
        res['interleave']['accel'] = 'tcg'
    if sc:
        res['scale'] = collect_scale(sc)
        res['scale']['placement'] = res['scale']['placement'] or meta.get('scale_placement')
        res['scale']['accel'] = 'icount'
    res['headline'] = headline(summary)
    cis = res['headline']['ci'] = {n: summary[n]['ci'] for n in summary}
    if il:
        cis['interleave_vf_mac_pps'] = res['interleave']['summary']['vf_mac_pps']['ci']
    if sc:
        cis['scale_forward_all_pps'] = res['scale']['forward_all']['ci']
        cis['scale_forward_every_vf_pps'] = res['scale']['forward_every_vf']['ci']
        for n, c in res['scale']['curve'].items():
            cis['scale_ready_s_n%s' % n] = c['ready_ci']
            if c.get('ready_stall_free_ci'):
                cis['scale_ready_stall_free_s_n%s' % n] = c['ready_stall_free_ci']
                cis['scale_after_load_stall_free_s_n%s' % n] = c['after_load_stall_free_ci']
            if c['probe_ci'].get('n'):
                cis['scale_probe_s_n%s' % n] = c['probe_ci']
    res['host_load'] = meta.get('host_load')
    res['vm_time_s'] = meta.get('vm_time_s')
    res['qemu_time_s'] = meta.get('qemu_time_s')
    return res


# ---- forwarding: the page


FWD = (('vf_mac_pps', 'VF-to-VF, mac'), ('vf_io_pps', 'VF-to-VF, io'),
       ('pf_io_pps', 'PF and second PF, io over a hub'))
CYC = {'vf_mac_pps': 'vf_mac_cycles_per_packet', 'vf_io_pps': 'vf_io_cycles_per_packet',
       'pf_io_pps': 'pf_io_cycles_per_packet'}
PARITY = 0.98


def esc(text):
    """Free text from the JSON as RST inline text."""
    out = str(text)
    for ch in '\\|*`':
        out = out.replace(ch, '\\' + ch)
    return out


def fmt(v, unit=''):
    if v is None:
        return 'n/a'
    if unit == 'packets/s':
        return '{:,.0f}'.format(v)
    if unit == 'cycles':
        return '{:,.0f}'.format(v)
    if unit == 's':
        return '%.2f' % v
    if isinstance(v, float):
        return '%.3f' % v
    return str(v)


def ratio(v):
    return 'n/a' if v is None else '%.3f' % v


def pct(v):
    return 'n/a' if v is None else '%.1f %%' % v


def heading(text, ch):
    return [text, ch * len(text), '']


def window_counters(res, side, kind, mode):
    """Medians over rounds of the counters of one kind of window."""
    out = {}
    for key in ('guest_user_s', 'guest_sys_s', 'guest_idle_s', 'vfio_irqs', 'pf_cpu_s',
                'vf_user_s', 'vf_sys_s', 'window_s'):
        vals = []
        for r in res['rounds']:
            fr = r.get(mode, {}).get(side, {}).get('fwd', {}).get(kind, {})
            v = fr.get('window_s') if key == 'window_s' else fr.get('counters', {}).get(key)
            vals.append(v)
        vals = [v for v in vals if isinstance(v, (int, float))]
        out[key] = statistics.median(vals) if vals else None
    return out


def host_load_text(hl):
    if not hl:
        return 'not recorded'
    return ('%s %% of %s CPUs busy over the %s s of the VM run, QEMU included (it '
            'alone can keep both busy); load average %s at the start, %s at the end'
            % (hl['busy_pct'], hl['cpus'], hl['wall_s'],
               ' '.join('%.2f' % x for x in hl['loadavg_start']),
               ' '.join('%.2f' % x for x in hl['loadavg_end'])))


def profiles(res):
    out = {}
    for r in res['rounds']:
        for m in MODES:
            p = r.get(m, {}).get('vf', {}).get('profile_dso_pct')
            if p:
                out[m] = (r['round'], p)
    return out


def reading(res, name, label):
    """Paragraph on one forwarding ratio."""
    s = res['summary'][name]
    r = s['ratio_ours_stock']
    cyc = res['summary'].get(CYC[name])
    lines = []
    if r is None:
        return ['* **%s**: no ratio (a mode produced no figure).' % label, '']
    spread = 'round-to-round spread stock %s, ours %s; paired ratios %s .. %s' % (
        pct(s['stock']['spread_pct']), pct(s['ours']['spread_pct']),
        ratio(s['paired_ratio_min']), ratio(s['paired_ratio_max']))
    cyc_txt = ''
    if cyc and cyc['ratio_ours_stock'] is not None:
        cyc_txt = ('cycles/packet %s (stock) vs %s (ours), ratio %s'
                   % (fmt(cyc['stock']['median'], 'cycles'), fmt(cyc['ours']['median'], 'cycles'),
                      ratio(cyc['ratio_ours_stock'])))
    if r >= PARITY:
        lines.append('* **%s**: %s, at parity (>= %.2f); %s; %s.' % (
            label, ratio(r), PARITY, spread, cyc_txt))
    else:
        where = ('inside' if s['within_noise'] else 'outside')
        straddle = (s['paired_ratio_min'] is not None and s['paired_ratio_max'] is not None
                    and s['paired_ratio_min'] <= 1 <= s['paired_ratio_max'])
        lines.append('* **%s**: %s, below %.2f. The gap is %s the round-to-round noise '
                     '(%s)%s. %s.' % (
                         label, ratio(r), PARITY, where, spread,
                         '; ours is ahead in some rounds' if straddle else '',
                         cyc_txt[0].upper() + cyc_txt[1:] if cyc_txt else 'No cycle figure'))
    lines.append('')
    return lines


def all_cis(res):
    """(label, ci) of every ratio the page reports"""
    out = [(n, s['ci']) for n, s in res['summary'].items() if s.get('ci')]
    if res.get('interleave'):
        out.append(('interleaved VF mac pps', res['interleave']['summary']['vf_mac_pps']['ci']))
    sc = res.get('scale')
    if sc:
        out.append(('all VFs forwarding pps', sc['forward_all']['ci']))
        if sc.get('forward_every_vf'):
            out.append(('%d VFs forwarding pps' % sc['total_vfs'], sc['forward_every_vf']['ci']))
        out += [('start-up with %s VFs' % n, sc['curve'][str(n)]['ready_ci'])
                for n in sc['ns']]
        # the stall-free interval counts only where it left a pair out
        out += [('start-up with %s VFs without a stall' % n,
                 sc['curve'][str(n)]['ready_stall_free_ci'])
                for n in sc['ns'] if sc['curve'][str(n)].get('ready_stall_free_ci')
                and sc['curve'][str(n)]['ready_stall_free_ci']['n']
                != sc['curve'][str(n)]['ready_ci']['n']]
        out += [('start-up with %s VFs after loading, without a stall' % n,
                 sc['curve'][str(n)]['after_load_stall_free_ci'])
                for n in sc['ns'] if sc['curve'][str(n)].get('after_load_stall_free_ci')]
        out += [('memory, scan, open and probe of %s VFs' % n, sc['curve'][str(n)]['probe_ci'])
                for n in sc['ns'] if (sc['curve'][str(n)].get('probe_ci') or {}).get('n')]
    return out


def precision(res):
    """What reached the +-3 % goal and what did not, from the intervals."""
    cis = [(n, c) for n, c in all_cis(res) if c.get('half_pct') is not None]
    if not cis:
        return []
    good = [n for n, c in cis if c['half_pct'] <= 3]
    bad = ['%s (±%.1f %%)' % (n, c['half_pct']) for n, c in cis if c['half_pct'] > 3]
    o = ['Precision: %d of %d intervals are within ±3 %%%s.'
         % (len(good), len(cis), ': ' + ', '.join(good) if good and len(good) < 8 else '')]
    if bad:
        o += ['Wider on this host, as measured: ' + esc(', '.join(bad)) + '.']
    o.append('')
    return o


def interleave_section(res):
    il = res.get('interleave')
    if not il:
        return []
    o = heading('Throughput in alternating windows', '-')
    o += ['One boot (%s) holds a PF process and two VF processes at once: *stock*'
          % il.get('accel'),
          '(DPDK\'s pci bus, ``--vfio-vf-token``) on one pair of VFs and *ours* (the',
          'plugin, ``vf_token_file=``) on another. They forward in turn, %s s each,'
          % il['secs'],
          '%d pairs of windows in ABBA order; halfway the two processes swap VF pairs.'
          % il['pairs'],
          'Neighbouring windows see the same host load, so the paired ratios cancel',
          'most of it. testpmd runs with ``--no-flush-rx`` so that the frames in',
          'flight survive from one window of a process to its next.', '']
    rows = []
    for name in ('vf_mac_pps', 'vf_mac_cycles_per_packet'):
        s = il['summary'][name]
        rows.append([esc(s['what']), fmt(s['stock']['median'], s['unit']),
                     fmt(s['ours']['median'], s['unit']),
                     '%s / %s' % (pct(s['stock']['spread_pct']), pct(s['ours']['spread_pct'])),
                     ci_text(s['ci'])])
    o += list_table(['', 'stock (median)', 'ours (median)', 'spread stock / ours',
                'ours / stock [95 % CI]'], rows, [34, 14, 14, 14, 24])
    return o


def port_start_stalls(sc):
    """Launches with a port start of 0.5 s or more, as scale.sh recorded
    them (stalled_ports, port_start_max_s); nothing for samples older
    than that record."""
    if not all(sc['curve'][str(n)].get('stalled_launches') for n in sc['ns']):
        return []
    seen = {m: [] for m in MODES}
    total = {m: 0 for m in MODES}
    nseen = {m: 0 for m in MODES}
    longest = []
    for n in sc['ns']:
        c = sc['curve'][str(n)]
        for m in MODES:
            total[m] += c.get('launches', {}).get(m, len(sc['per_round']))
            nseen[m] += c['stalled_launches'][m]
            for r in sc['per_round']:
                f = r[m]['n'].get(str(n)) or {}
                if f.get('stalled_attempts'):
                    seen[m].append('N=%d r%d: %d launched again' % (n, r['round'],
                                                                   f['stalled_attempts']))
                if f.get('stalled_ports'):
                    seen[m].append('N=%d r%d %.2f s' % (n, r['round'], f['port_start_max_s']))
                    longest.append(f['port_start_max_s'])
                if f.get('stalled_probes'):
                    seen[m].append('N=%d r%d probe %.2f s' % (n, r['round'], f['probe_max_s']))
                    longest.append(f['probe_max_s'])
    span = ('the longest %.2f to %.2f s' % (min(longest), max(longest))) if longest \
        else 'none among the launches kept'
    probes = ''
    if sc.get('probe_stall_s'):
        # the longest probe of one device among the launches without a
        # stalled one, from the rounds
        calm = [f['probe_max_s'] for n in sc['ns'] for r in sc['per_round'] for m in MODES
                for f in [r[m]['n'].get(str(n)) or {}]
                if f.get('stalled_probes') == 0 and f.get('probe_max_s') is not None]
        probes = (', or the probe of one device (the pci bus\'s ``Probe PCI driver`` line, '
                  'or the sriov bus\'s ``VF of PF`` line, to the next one) took %s s or more '
                  '(%s otherwise),'
                  % (sc['probe_stall_s'], ('at most %.2f s' % max(calm)) if calm
                     else 'no launch without one'))
    text = ('A port start (``Configuring Port k`` to testpmd\'s "Port k: <MAC>", the '
            'port\'s ``rte_eth_dev_start``) took %s s or more%s in %d of %d launches of '
            '*stock* (%s) and %d of %d of *ours* (%s); it takes about 20 ms otherwise '
            '(stalled %s: %s). There%s the igb VF PMD\'s reset handshake waited out a '
            'poll of the VF mailbox for the PF process (:ref:`vf_port_stall`). The same '
            'two PMDs talk in both ways, the bus is not in the path.%s The '
            'intervals "without a stall" pair only the rounds where neither way\'s '
            'launch had one.'
            % (sc.get('stall_s') or 0.5, probes, nseen['stock'], total['stock'], ', '.join(seen['stock']) or 'none',
               nseen['ours'], total['ours'], ', '.join(seen['ours']) or 'none',
               'starts and probes' if probes else 'starts', span,
               ', and in the probe,' if probes else '',
               ' A stalled launch was made again and its figures dropped (below): '
               'no stall enters these intervals, so they say nothing of how often '
               'either way stalls (the counts above) nor what a stall costs; '
               'the scale benchmark that counts every launch is :doc:`bench_scale`.'
               if sc.get('retries') else
               ' Every launch is kept: a stalled one enters its N\'s intervals.'))
    if sc.get('retries'):
        text += (' A launch with a stalled port start%s was made again, up to %d times '
                 '(``scale.sh --retries``); the figures are those of the last attempt.'
                 % (' or probe' if probes else '', sc['retries']))
    return textwrap.wrap(text, 79, break_on_hyphens=False) + ['']


def both(c, key, div=1, f='%.0f'):
    """'stock / ours' of a curve figure (medians), n/a where missing"""
    return ' / '.join('n/a' if c[key][m] is None else f % (c[key][m] / div) for m in MODES)


def stall_free_table(sc):
    """The start-up ratios per N over the pairs without a stalled port
    start, whole and after EAL's loading."""
    if not all(sc['curve'][str(n)].get('ready_stall_free_ci') for n in sc['ns']):
        return []
    o = ['The start-up ratio per N again, over the rounds where neither way\'s',
         'launch had a stalled port start%s (see below): launch to every port up, and'
         % (' or probe' if sc.get('probe_stall_s') else ''),
         'the same from EAL\'s ``Multi-process socket`` line on (memory, bus scan,',
         'open, probe and port start: what can grow with N). The part before it,',
         'exec and the dynamic loading of DPDK\'s PMDs, does not depend on N;',
         ':doc:`bench_startup` measures it pair by pair (``load``).', '']
    rows = []
    for n in sc['ns']:
        c = sc['curve'][str(n)]
        rows.append([n, ci_text(c['ready_ci']), ci_text(c['ready_stall_free_ci']),
                     both(c, 'after_load_s', 1, '%.2f'),
                     ci_text(c.get('after_load_stall_free_ci'))])
    o += list_table(['N', 'launch to all ports up, all rounds', 'the same, without a stall',
                'after loading (s), stock / ours, median of all rounds',
                'after loading, without a stall'],
               rows, [5, 24, 24, 14, 24])
    return o


def scale_section(res):
    sc = res.get('scale')
    if not sc:
        return []
    o = heading('Every VF of two PFs', '-')
    o += ['The rig with ``--second-pf`` (%s): two emulated 82576, each offering'
          % sc.get('accel'),
          '``sriov_totalvfs`` = %s VFs; all of them are created (%d in all). One VF'
          % (' and '.join(str(x) for x in sc['totalvfs_per_pf']), sc['total_vfs']),
          'process opens the first N VFs (taken alternately from the two PFs) and',
          'quits once every port is up; %d round(s), ABBA. *stock*: the CLI sets the'
          % sc['rounds'],
          '**same** token on both PFs, because DPDK 22.11 takes one global',
          '``--vfio-vf-token``; *ours*: the PF process\'s plugin sets a **different**',
          'token per PF and the VF process names each VF\'s token file per device',
          '(``-a ADDR,vf_token_file=``). One PF process serves both PFs\' VF',
          'mailboxes in both ways.', '',
          'What each way reads per VF before the PMD\'s probe: DPDK\'s pci bus reads',
          'the VF\'s sysfs attributes at scan in both ways; *ours* then reads its',
          'driver, IOMMU group and SR-IOV links at scan, its token file, and its',
          'driver and IOMMU group links again at open (libvftoken\'s',
          '``vft_pci_dev_read_parts()``, :doc:`libvftoken`); under emulation each',
          'sysfs file costs a few system calls that show with many VFs.', '']
    rows = []
    for n in sc['ns']:
        c = sc['curve'][str(n)]
        rows.append([n, both(c, 'ready_s', 1, '%.2f'), ci_text(c['ready_ci']),
                     both(c, 'ports_up'), both(c, 'fds'), both(c, 'vfio_fds'),
                     both(c, 'rss_kb', 1024, '%.1f'), both(c, 'heap_heap_size', 1 << 20, '%.1f'),
                     both(c, 'cpu_s', 1, '%.2f')])
    # An interval that holds 1 is no evidence of "no slower": only one that
    # lies inside the margin is (two one-sided tests, here at 95 %).
    margin = 0.03
    verdict = {'faster': [], 'slower': [], 'within': [], 'undecided': []}
    for n in sc['ns']:
        c = sc['curve'][str(n)]['ready_ci']
        if c.get('lo') is None:
            continue
        if c['lo'] > 1:
            key = 'slower'
        elif c['hi'] < 1:
            key = 'faster'
        elif c['lo'] >= 1 - margin and c['hi'] <= 1 + margin:
            key = 'within'
        else:
            key = 'undecided'
        verdict[key].append(str(n))
    o += ['Goal: ours no slower than stock at every N. An interval that holds 1',
          'does not show that (it is no equivalence test); an interval that lies',
          'inside [%.2f, %.2f] shows ours within %d %% of stock. Measured (95 %%'
          % (1 - margin, 1 + margin, round(margin * 100)),
          'intervals): ours slower at N = %s; faster at N = %s; within %d %% of'
          % (', '.join(verdict['slower']) or 'none',
             ', '.join(verdict['faster']) or 'none', round(margin * 100)),
          'stock at N = %s; undecided (the interval holds 1 and reaches beyond'
          % (', '.join(verdict['within']) or 'none'),
          '%d %%) at N = %s.' % (round(margin * 100),
                                 ', '.join(verdict['undecided']) or 'none'),
          '']
    o += ['Per N, stock / ours (medians over rounds):', '']
    o += list_table(['N', 'launch to all ports up (s)', 'ours / stock [95 % CI]', 'ports up',
                'fds', 'vfio fds', 'RSS (MB)', 'DPDK heap (MB)', 'CPU at prompt (s)'],
               rows, [5, 12, 20, 8, 9, 9, 10, 10, 10])
    o += stall_free_table(sc)
    rows = []
    for key, label in (('ready_s', 'start-up (s)'),
                       ('configure_s', 'to "Configuring Port 0" (s)'),
                       ('load_s', 'exec and PMD loading (s)'),
                       ('probe_s', 'memory, scan, open, probe (s)'),
                       ('fds', 'fds'), ('vfio_fds', 'vfio fds'),
                       ('rss_kb', 'RSS (kB)'), ('heap_heap_size', 'DPDK heap (bytes)'),
                       ('heap_alloc_size', 'DPDK heap allocated (bytes)'),
                       ('cpu_s', 'CPU at prompt (s)')):
        pv = sc['per_vf'].get(key)
        if pv is None:
            continue
        rows.append([label] + ['%s (steps %s)' % (
            'n/a' if pv[m]['slope'] is None else '%.4g' % pv[m]['slope'],
            ', '.join('%.4g' % x for x in pv[m]['steps'])) for m in MODES])
    o += ['Cost per added VF: least-squares slope over N, and the slope of each',
          'step between neighbouring N (a flat cost has equal steps):', '']
    o += list_table(['per VF', 'stock', 'ours'], rows, [20, 40, 40])
    o += port_start_stalls(sc)
    fa = sc['forward_all']
    o += ['With %d VFs (``sriov_totalvfs`` - 1 per PF), the VF process then forwards on'
          % sc['forward_all_vfs'],
          'every port at once (mac; each port\'s peer is another VF of the same PF, so',
          'the NIC switches every frame internally) for %s s after a %s s warm-up: %s pps'
          % (sc['secs'], sc['warm_s'], fmt(fa['stock']['median'], 'packets/s')),
          '(stock) vs %s pps (ours), ours / stock %s.'
          % (fmt(fa['ours']['median'], 'packets/s'), ci_text(fa['ci'])), '']
    nomb = [('r%d %s %s VFs' % (r['round'], m, x.get('ports')), x.get('nombufs'))
            for r in sc['per_round'] for m in MODES
            for x in (r[m]['forward_all'], r[m]['forward_totalvfs'])]
    if any(v is not None for _, v in nomb):
        if all(v == 0 for _, v in nomb):
            said = '0 in every one of them (%d runs)' % len(nomb)
        else:
            said = '; '.join('%s: %s' % (k, 'n/a' if v is None else v) for k, v in nomb)
        o += textwrap.wrap(
            'RX-nombufs in those runs (testpmd counts an RX refill that found the mbuf '
            'pool empty): %s. The VF process has ``--total-num-mbufs=%s``: each port\'s '
            '512 RX descriptors hold an mbuf each, so 8192 (the other scenarios\' '
            'figure) leave none to refill with 14 or 16 ports, and no port forwards: '
            'what an earlier trial of this phase showed (0 packets and RX-nombufs on '
            'every port, in both ways).' % (said, sc.get('vf_mbufs')), 79,
            break_on_hyphens=False) + ['']
    tv = sc['forward_totalvfs']
    runs = [x for m in MODES for x in tv[m]]
    got = sorted({'%s of %s' % (x.get('ports_rx'), x.get('ports')) for x in runs})
    full = runs and all(x.get('ports') and x.get('ports_rx') == x.get('ports') for x in runs)
    ev = sc.get('forward_every_vf') or {}
    text = ('With all %d VFs (``sriov_totalvfs`` = %s per PF) every port comes up; '
            'forwarding on all of them at once gave packets on %s ports'
            % (sc['total_vfs'], ' and '.join(str(x) for x in sc['totalvfs_per_pf']),
               ', '.join(got)))
    if ev.get('stock'):
        text += (', %s pps (stock) vs %s pps (ours), ours / stock %s'
                 % (fmt(ev['stock']['median'], 'packets/s'),
                    fmt(ev['ours']['median'], 'packets/s'), ci_text(ev.get('ci'))))
    o += textwrap.wrap(text + '.', 79)
    if full:
        o += ['``check.py`` counts packets on every port of that run as a check. Linux\'s',
              'igb driver allows at most 7 VFs on an 82576; QEMU\'s model offers 8, and',
              'DPDK 22.11\'s igb PF PMD then gives the PF the pool after the last VF\'s',
              '(``def_vmdq_idx`` in ``drivers/net/e1000/igb_pf.c``), which does not exist:',
              'VF-to-VF switching works regardless on this model.', '']
    else:
        o += ['Not every port received in that run (see the RX-nombufs above); check.py',
              'counts it as a failed check. The start-up figures with %d VFs stand.'
              % sc['total_vfs'], '']
    o += ['Command lines (largest N)::', '']
    for m in MODES:
        o += ['   # %s' % m, '   ' + sc['command_lines'][m]['pf'],
              '   ' + sc['command_lines'][m]['vf']]
    o.append('')
    return o


def fwd_page(res, image='img/bench.png', results_path='bench/results.json',
             samples_path='bench/samples/'):
    """benchmark.rst from the forwarding benchmark's results"""
    summ = res['summary']
    cfg = res['config']
    ver = res['versions']
    o = []
    o += ['.. SPDX-License-Identifier: BSD-3-Clause',
          '   Copyright(c) 2026 vftoken authors', '',
          '.. This page is generated by devtools/bench/bench.py from the results of',
          '   devtools/bench/run.sh (build/bench/results.json): do not edit it, run',
          '   the benchmark again.', '']
    o += heading('Forwarding benchmark', '=')
    o += ['The same Debian ``dpdk-testpmd`` forwards on the PF and 2 token-gated VFs',
          'of the VM rig\'s emulated 82576 in the two ways, *stock* and *ours*',
          '(:ref:`bench_method`), alternated round by round in one boot of the VM.', '',
          'Results of **%s** (UTC), %d round(s), %s s windows after a %s s warm-up%s,'
          % (res['date'].replace('T', ' ').rstrip('Z'), cfg['rounds'], cfg['secs'],
             cfg['warm_s'], ' (quick mode)' if res.get('quick') else ''),
          'reproduced from any clone with::', '',
          '   ' + (res.get('command') or 'devtools/bench/run.sh --publish'), '',
          'It is a benchmark of an emulator: the figures say how the two ways compare',
          'on the same emulated NIC, not what an 82576 does (1 GbE line rate at 64 B is',
          '1,488,095 frames/s).', '']

    o += heading('Headline', '-')
    rows = []
    for name, label in FWD:
        if name in summ:
            s = summ[name]
            rows.append(['Forwarding, ' + label + ' (rounds)',
                         fmt(s['stock']['median'], s['unit']) + ' pps',
                         fmt(s['ours']['median'], s['unit']) + ' pps',
                         ci_text(s['ci'])])
    for name in ('vf_mac_cycles_per_packet', 'vf_io_cycles_per_packet',
                 'pf_io_cycles_per_packet'):
        if name in summ:
            s = summ[name]
            rows.append([esc(s['what']), fmt(s['stock']['median'], 'cycles'),
                         fmt(s['ours']['median'], 'cycles'), ci_text(s['ci'])])
    for name in ('vf_configure_s', 'vf_first_rx_s', 'pf_first_rx_s', 'pf_path_ready_s'):
        s = summ[name]
        rows.append(['Start-up: ' + esc(s['what']), fmt(s['stock']['median'], 's') + ' s',
                     fmt(s['ours']['median'], 's') + ' s', ci_text(s['ci'])])
    il = res.get('interleave')
    if il:
        s = il['summary']['vf_mac_pps']
        rows.append(['Forwarding, VF-to-VF, mac, %d alternating %s s windows (%s)'
                     % (il['pairs'], il['secs'], il.get('accel')),
                     fmt(s['stock']['median'], 'packets/s') + ' pps',
                     fmt(s['ours']['median'], 'packets/s') + ' pps', ci_text(s['ci'])])
    sc = res.get('scale')
    if sc:
        s = sc['forward_all']
        rows.append(['Forwarding, all %d VFs of both PFs at once (%s)'
                     % (sc['total_vfs'], sc.get('accel')),
                     fmt(s['stock']['median'], 'packets/s') + ' pps',
                     fmt(s['ours']['median'], 'packets/s') + ' pps', ci_text(s['ci'])])
        for n in sc['ns']:
            c = sc['curve'][str(n)]
            rows.append(['Start-up, %d VF(s) of both PFs: launch to every port up' % n,
                         fmt(c['ready_s']['stock'], 's') + ' s',
                         fmt(c['ready_s']['ours'], 's') + ' s', ci_text(c['ready_ci'])])
    o += list_table(['', 'stock (median)', 'ours (median)',
                'ours / stock [95 % CI] (pairs, half-width)'], rows, [40, 16, 16, 28])
    o += ['Throughput ratios above 1 and time or cycle ratios below 1 favour ours.',
          'The ratio and its 95 % interval: :ref:`bench_method`.', '']
    o += precision(res)

    o += ['.. image:: ' + image, '   :alt: forwarding, cycles/packet, start-up and ratios',
          '   :width: 100%', '']
    o += ['Bars: medians over rounds; dots: the rounds. Bottom right: ours / stock',
          'per round (dots) and of the medians (bar), the band is ±2 %.', '']

    o += heading('Reading the ratios', '-')
    for name, label in FWD:
        if name in summ:
            o += reading(res, name, label)
    fw = [summ[n] for n, _ in FWD if n in summ]
    spreads = [x for s in fw for x in (s['stock']['spread_pct'], s['ours']['spread_pct'])
               if x is not None]
    dist = [abs(s['ratio_ours_stock'] - 1) * 100 for s in fw
            if s['ratio_ours_stock'] is not None]
    if spreads and dist:
        o += ['The forwarding ratios are %.1f %% or less from 1; the same way\'s own'
              % max(dist),
              'figures vary by %.1f %% to %.1f %% from round to round. The host is'
              % (min(spreads), max(spreads)),
              'shared: QEMU\'s threads compete for its 2 cores with whatever else runs,',
              'which moves the figures of both ways alike; that is why the rounds',
              'alternate and the ratios are of medians. Host load during this run:',
              host_load_text(res.get('host_load')) + '.', '']
    o += ['After the probe the sriov bus is not on the packet path: testpmd calls',
          'the ``net_e1000_igb_vf`` / ``net_e1000_igb`` burst functions directly, on',
          'BARs mapped from the same ``vfio-pci`` regions, with DMA through the same',
          'emulated IOMMU in IOVA-as-VA mode either way. What differs is the open',
          '(token from a file, the bus\'s own VFIO container) and the PF set-up.',
          'Under TCG the forwarding loop is dominated by the emulation of the NIC',
          'registers it touches (every doorbell write traps to QEMU, which moves the',
          'frames through its igb model synchronously), so cycles/packet measures the',
          'emulator and a difference between the two ways would have to show as a',
          'different count of register accesses or as CPU spent elsewhere in the',
          'guest.', '']
    o += ['CPU during the VF mac windows (medians over rounds; the VF process\'s',
          'forwarding lcore spins all window; the guest-wide /proc/stat figures are',
          'in the JSON but tick-based, and ticks get lost under TCG):', '']
    rows = []
    wc = {m: window_counters(res, 'vf', 'mac', m) for m in MODES}
    for key, label in (('window_s', 'window (s)'),
                       ('vf_user_s', 'VF process user (s)'), ('vf_sys_s', 'VF process sys (s)'),
                       ('pf_cpu_s', 'PF process (s)'), ('vfio_irqs', 'vfio interrupts')):
        rows.append([label] + ['n/a' if wc[m][key] is None else
                               ('%d' % wc[m][key] if key == 'vfio_irqs' else '%.2f' % wc[m][key])
                               for m in MODES])
    o += list_table(['counter', 'stock', 'ours'], rows, [50, 20, 20])
    rows = []
    for r in res['rounds']:
        for m in r['order']:
            run = r.get(m, {})
            cells = [r['round'], m]
            for kind in ('mac', 'io'):
                fr = run.get('vf', {}).get('fwd', {}).get(kind)
                cells.append(fmt(fr['cycles_per_packet'], 'cycles') if fr else '-')
            cells.append('``%s``' % (run.get('vf', {}).get('bar_maps') or '?').strip()
                         .replace(' ', '`` ``'))
            rows.append(cells)
    o += ['The one difference in the forwarding process\'s address space: DPDK\'s',
          'pci bus maps the BARs at fixed addresses after its own memory, the sriov',
          'bus lets ``mmap`` choose (randomised by ASLR); DPDK\'s memory (rings,',
          'mbufs) is placed by EAL the same way in both. Under TCG, whose software',
          'TLB is direct-mapped, addresses can matter; the table lets a reader match',
          'a slow round to its mappings (``/proc/PID/maps``):', '']
    o += list_table(['round', 'mode', 'VF mac c/p', 'VF io c/p', 'VF BAR mappings'], rows,
               [8, 8, 12, 12, 60])
    prof = profiles(res)
    if prof:
        o += ['Profile of the VF process during one more mac window (``perf record -e',
              'cpu-clock``: TCG has no PMU; round %s; share of samples by DSO):'
              % '/'.join(str(prof[m][0]) for m in MODES if m in prof), '']
        dsos = []
        for m in MODES:
            for d in (prof.get(m, (0, {}))[1]):
                if d not in dsos:
                    dsos.append(d)
        rows = [['``%s``' % d] + ['%.2f %%' % prof[m][1][d] if m in prof and d in prof[m][1]
                                   else '-' for m in MODES] for d in dsos]
        o += list_table(['DSO', 'stock', 'ours'], rows, [50, 20, 20])
        o += ['``librte_bus_sriov.so`` has no sample: the plugin does not run while',
              'packets flow.' if not any('bus_sriov' in d for d in dsos) else
              'the plugin shows samples: see the per-symbol report in build/bench/logs.', '']

    o += interleave_section(res)
    o += scale_section(res)
    o += heading('Start-up', '-')
    rows = []
    for name in ('pf_configure_s', 'pf_ready_s', 'pf_first_rx_s', 'pf_path_ready_s',
                 'vf_configure_s', 'vf_ready_s', 'vf_first_rx_s', 'pf_cpu_ready_s',
                 'vf_cpu_ready_s', 'pf_cpu_serving_s', 'pf_cpu_end_s'):
        s = summ[name]
        rows.append([esc(s['what']), fmt(s['stock']['median'], 's'), fmt(s['ours']['median'], 's'),
                     ratio(s['ratio_ours_stock']),
                     '%s / %s' % (pct(s['stock']['spread_pct']), pct(s['ours']['spread_pct']))])
    o += list_table(['seconds (medians)', 'stock', 'ours', 'ours / stock', 'spread stock / ours'],
               rows, [46, 10, 10, 12, 22])
    o += ['In *ours* the PF process creates the VFs and sets the token before its',
          'PMD probes, so its start-up contains work that *stock* does beforehand',
          'with the CLI (``vftoken vfs create``, ``vftoken token set``); the row',
          '"VFs created + token set + PF process ready" compares the whole path.',
          'The VF process differs only in how the VFs are opened.', '',
          'Each round gives one start-up pair, too few for narrow intervals:',
          ':doc:`bench_startup` (``devtools/bench/run.sh startup``) starts the two ways',
          'again and again in one boot, pair by pair, and gives every start-up',
          'ratio with its interval.', '']

    o += heading('All figures', '-')
    rows = []
    for name, s in summ.items():
        rows.append([name, s['unit'], fmt(s['stock']['median'], s['unit']),
                     fmt(s['ours']['median'], s['unit']), ratio(s['ratio_ours_stock']),
                     '%s .. %s' % (ratio(s['paired_ratio_min']), ratio(s['paired_ratio_max'])),
                     '%s / %s' % (pct(s['stock']['spread_pct']), pct(s['ours']['spread_pct']))])
    o += list_table(['metric', 'unit', 'stock', 'ours', 'ratio', 'paired ratios',
                'spread stock / ours'], rows, [26, 10, 13, 13, 8, 14, 16])
    rows = []
    for r in res['rounds']:
        for m in r['order']:
            run = r.get(m, {})
            cells = [r['round'], m]
            for side, kind in (('vf', 'mac'), ('vf', 'io'), ('pf', 'io')):
                fr = run.get(side, {}).get('fwd', {}).get(kind)
                cells.append(fmt(fr['rx_pps'], 'packets/s') if fr else '-')
                cells.append(fmt(fr['cycles_per_packet'], 'cycles') if fr else '-')
            cells.append(fmt(run.get('vf', {}).get('first_rx_s'), 's'))
            cells.append(fmt(run.get('pf', {}).get('first_rx_s'), 's'))
            rows.append(cells)
    o += ['Per round, in the order run (pps over all ports of the run; c/p: cycles',
          'per packet; first RX: seconds from launch):', '']
    o += list_table(['round', 'mode', 'VF mac pps', 'c/p', 'VF io pps', 'c/p', 'PF io pps', 'c/p',
                'VF first RX', 'PF first RX'], rows)

    o += heading('Set-up', '-')
    rows = [['guest kernel', ver.get('guest_kernel')], ['QEMU', ver.get('qemu')],
            ['DPDK (Debian package)', ver.get('dpdk')], ['testpmd', ver.get('testpmd')],
            ['vftoken', '%s (%s)' % (ver.get('vftoken'), ver.get('vftoken_git'))],
            ['host', '%s, kernel %s, %s, %s CPUs' % (ver.get('host_os'), ver.get('host_kernel'),
                                                     ver.get('host_cpu'), ver.get('host_cpus'))],
            ['guest', 'TCG (no KVM), %s vCPUs (%s), %s MB, q35 + intel-iommu'
             % (cfg.get('guest_cpus'), cfg.get('guest_cpu_model'),
                (cfg.get('guest_mem_kb') or 0) // 1024)],
            ['host load', host_load_text(res.get('host_load'))],
            ['VM time (lock wait included)',
             ', '.join('%s %s s' % kv for kv in (res.get('vm_time_s') or {}).items())
             or 'not recorded'],
            ['in QEMU', ', '.join('%s %s s' % kv for kv in (res.get('qemu_time_s') or {}).items())
             or 'not recorded'],
            ['lcores', cfg.get('lcores')],
            ['placement', cfg.get('placement') or 'not recorded'],
            ['order', cfg.get('order')],
            ['mbufs', cfg.get('mbufs')]]
    o += list_table(['', ''], [[r[0], esc(r[1])] for r in rows], [20, 80])
    o += ['Command lines (the token is never on them in *ours*; in *stock* it is',
          'shown here as ``<redacted>``):', '']
    for m in MODES:
        cl = res['command_lines'][m]
        o += ['%s::' % m, '']
        for k in ('setup', 'pf', 'vf'):
            if cl.get(k):
                o.append('   # %s: %s' % (k, cl[k]) if k == 'setup' else '   ' + cl[k])
        o.append('')
    o += ['Each mode starts with the PF bound to ``vfio-pci`` and no VF and ends by',
          'removing the VFs. In each, the PF process io-forwards on its ports for one',
          'window, between the PF and a second PF without VFs (the rig booted with',
          '``--pf-hub``): the two PFs\' wires meet in a QEMU hub, so what one sends',
          'the other receives inside QEMU, in the guest\'s time. ``start tx_first``',
          'sends a burst of 32 frames per port to testpmd\'s default peer',
          '``02:00:00:00:00:00``, which is no pool\'s MAC, so the NIC sends them to',
          'the wire and the other PF takes them into its default pool. The wire is',
          'the PF\'s only way in: frames to its own MAC die in the NIC',
          '(:ref:`pf_own_mac`). The launch\'s burst (the one the',
          'first-packet figure waits for) leaves before the links are up and may be',
          'dropped, so the window restarts forwarding with a burst of its own.',
          '(Until this run the PF looped over the rig\'s UDP socket wire, whose',
          'latency is host time: windows of either way differed up to fivefold.)',
          'Then the PF process stays idle, serving the VF mailbox, while the VF process',
          'forwards between the two VFs, switched inside the NIC: mac (each port\'s',
          'peer is the other VF), then io. io forwarding on VFs works here: the peers',
          'address only the ``tx_first`` burst, and io forwarding sends each frame',
          'out of the other port unchanged, i.e. with that port\'s own MAC as source',
          '(no anti-spoofing issue) and the receiving VF\'s MAC as destination. Each',
          'run is a closed loop of 2 x 32 frames in flight (one ``tx_first`` burst',
          'per port).', '']

    o += heading('Definitions', '-')
    for k, v in res['definitions'].items():
        o += ['``%s``' % k, '   ' + esc(v), '']
    o += heading('Every ratio with its interval', '-')
    o += ['The last two columns come from ``devtools/bench/bench.py precision``: the',
          'standard deviation of the log ratios (the pair-to-pair noise, measured),',
          'and the number of pairs a t-interval at that noise would need to be',
          'within ±3 % (a projection from the measured noise, not a measurement).', '']
    rows = []
    for n, c in all_cis(res):
        sd = sd_of_logs(c.get('ratios') or [])
        need = rounds_needed(sd, 3.0)
        rows.append([esc(n), ci_text(c), 'n/a' if sd is None else '%.2f %%' % (100 * sd),
                     'n/a' if need is None else str(need)])
    o += list_table(['figure', 'ours / stock [95 % CI] (pairs, half-width)', 'sd (log)',
                'pairs for ±3 %'], rows, [35, 41, 10, 14])
    o += heading('Provenance', '-')
    o += ['This page, its chart, ``doc/guides/%s`` (every figure per round and mode,'
          % results_path,
          'schema ``%s``) and the raw per-round samples the guest wrote' % res['schema'],
          '(``doc/guides/%s``, one ``ROUND<TAB>MODE<TAB>KEY<TAB>VALUE`` per line) were'
          % samples_path,
          'all written by ``devtools/bench/run.sh --publish`` from one run; nothing was',
          'copied by hand. From a clone, after ``devtools/setup.sh``::', '',
          '   ' + (res.get('command') or 'devtools/bench/run.sh --publish'), '',
          'The testpmd logs with time stamps stay in ``build/bench/logs/``.', '']
    o += ['The runner and the analysis every benchmark shares: :ref:`bench_method`.', '']
    return '\n'.join(o).rstrip('\n') + '\n'


# ---- forwarding: the files well formed


PNG_SIG = b'\x89PNG\r\n\x1a\n'

passed = 0
failed = 0


def check(what, ok, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL: %s%s' % (what, ': ' + detail if detail else ''))


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def get(d, path):
    for k in path.split('.'):
        if isinstance(d, list):
            try:
                d = d[int(k)]
            except (ValueError, IndexError):
                return None
        elif isinstance(d, dict):
            if k not in d:
                return None
            d = d[k]
        else:
            return None
    return d


def numbers(where, obj, paths, positive=()):
    """One check per object: all paths are numbers, some of them > 0."""
    bad = [p for p in paths if not is_num(get(obj, p))]
    bad += ['%s (%r, expected > 0)' % (p, get(obj, p)) for p in positive
            if p not in bad and not (is_num(get(obj, p)) and get(obj, p) > 0)]
    check('%s: numbers present' % where, not bad, ', '.join(bad))


def check_fwd(where, fr, nports):
    if not isinstance(fr, dict):
        check('%s: forwarding run present' % where, False)
        return
    paths = ['window_s', 'rx_pps', 'tx_pps', 'cycles_per_packet', 'tsc_mhz']
    paths += ['counters.%s' % k for k in ('guest_user_s', 'guest_sys_s', 'guest_idle_s',
                                          'vfio_irqs', 'pf_cpu_s', 'vf_user_s',
                                          'vf_sys_s')]
    pos = ['window_s', 'rx_pps', 'cycles_per_packet', 'tsc_mhz']
    for p in range(nports):
        paths += ['ports.%d.%s' % (p, k) for k in ('rx', 'tx', 'rx_pps', 'tx_pps')]
        pos += ['ports.%d.rx' % p, 'ports.%d.rx_pps' % p]
    check('%s: %d port(s)' % (where, nports), len(fr.get('ports', [])) == nports,
          'got %d' % len(fr.get('ports', [])))
    numbers(where, fr, paths, pos)


def check_json(path):
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
        res = json.loads(text)
    except (OSError, ValueError) as e:
        check('%s is readable JSON' % path, False, str(e))
        return None
    check('%s is readable JSON' % path, isinstance(res, dict))
    if not isinstance(res, dict):
        return None
    check('no UUID (token) anywhere in the results', not UUID_RE.search(text))
    for k in ('schema', 'date', 'command', 'quick', 'config', 'versions',
              'command_lines', 'definitions', 'rounds', 'summary', 'headline'):
        check('key "%s" present' % k, k in res)
    check('schema is %s' % SCHEMA, res.get('schema') == SCHEMA, repr(res.get('schema')))
    check('date is ISO 8601 UTC',
          isinstance(res.get('date'), str)
          and re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', res['date']) is not None,
          repr(res.get('date')))
    check('command is a string', isinstance(res.get('command'), str))
    check('quick is a boolean', isinstance(res.get('quick'), bool))
    cfg = res.get('config') or {}
    numbers('config', cfg, ['rounds', 'secs', 'warm_s', 'guest_cpus'],
            ['rounds', 'secs', 'guest_cpus'])
    modes = cfg.get('fwd_modes')
    check('config.fwd_modes is a non-empty list of mac/io',
          isinstance(modes, list) and modes and all(m in ('mac', 'io') for m in modes),
          repr(modes))
    if not isinstance(modes, list):
        modes = []
    # the PF io window has one port on the host's UDP wire and two (both
    # PFs) where run.sh --pf-hub joined their wires in a QEMU hub
    wire = cfg.get('pf_wire', 'loopback')
    check('config.pf_wire is hub or loopback', wire in ('hub', 'loopback'), repr(wire))
    pf_ports = 2 if wire == 'hub' else 1
    if wire == 'hub':
        check('config.pf2 is the second PF, not the first',
              isinstance(cfg.get('pf2'), str) and cfg.get('pf2') not in ('', cfg.get('pf')),
              repr(cfg.get('pf2')))
    ver = res.get('versions') or {}
    for k in ('guest_kernel', 'qemu', 'dpdk', 'testpmd', 'host_kernel'):
        check('versions.%s is a non-empty string' % k,
              isinstance(ver.get(k), str) and ver.get(k) != '', repr(ver.get(k)))
    cl = res.get('command_lines') or {}
    for m in MODES:
        for k in ('pf', 'vf'):
            v = get(cl, '%s.%s' % (m, k))
            check('command_lines.%s.%s is a testpmd command line' % (m, k),
                  isinstance(v, str) and v.startswith('dpdk-testpmd '), repr(v))
    if wire == 'hub':
        for m in MODES:
            check('command_lines.%s.pf allows the second PF' % m,
                  ('-a %s' % cfg.get('pf2')) in str(get(cl, '%s.pf' % m)),
                  repr(get(cl, '%s.pf' % m)))
    check('command_lines.ours loads the plugin',
          '-d ' in str(get(cl, 'ours.pf')) and '-d ' in str(get(cl, 'ours.vf')))
    check('command_lines.stock does not load the plugin',
          'librte_bus_sriov' not in str(get(cl, 'stock.pf')) + str(get(cl, 'stock.vf')))
    check('definitions is a non-empty object',
          isinstance(res.get('definitions'), dict) and res['definitions'])

    rounds = res.get('rounds')
    check('rounds is a list of config.rounds entries',
          isinstance(rounds, list) and len(rounds) == cfg.get('rounds'),
          'got %s' % (len(rounds) if isinstance(rounds, list) else type(rounds).__name__))
    for r in rounds if isinstance(rounds, list) else []:
        n = r.get('round')
        check('round %s: order is a permutation of stock, ours' % n,
              sorted(r.get('order', [])) == sorted(MODES), repr(r.get('order')))
        for m in MODES:
            run = r.get(m)
            where = 'round %s %s' % (n, m)
            check('%s: present' % where, isinstance(run, dict))
            if not isinstance(run, dict):
                continue
            numbers(where + ' setup', run, ['setup.vfs_create_s', 'setup.token_set_s'])
            numbers(where + ' pf', run,
                    ['pf.configure_s', 'pf.ready_s', 'pf.first_rx_s', 'pf.cpu_ready_s',
                     'pf.cpu_after_fwd_s', 'pf.cpu_end_s'],
                    ['pf.configure_s', 'pf.ready_s', 'pf.first_rx_s'])
            numbers(where + ' vf', run,
                    ['vf.configure_s', 'vf.ready_s', 'vf.first_rx_s', 'vf.cpu_ready_s',
                     'vf.cpu_end_s'],
                    ['vf.configure_s', 'vf.ready_s', 'vf.first_rx_s'])
            check_fwd(where + ' pf io', get(run, 'pf.fwd.io'), pf_ports)
            for k in modes:
                check_fwd('%s vf %s' % (where, k), get(run, 'vf.fwd.' + k), 2)

    summ = res.get('summary') or {}
    want = ['pf_io_pps', 'pf_io_cycles_per_packet', 'pf_first_rx_s', 'vf_first_rx_s',
            'pf_path_ready_s', 'pf_cpu_end_s']
    want += ['vf_%s_pps' % k for k in modes] + ['vf_%s_cycles_per_packet' % k for k in modes]
    for name in want:
        s = summ.get(name)
        check('summary.%s present' % name, isinstance(s, dict))
        if isinstance(s, dict):
            numbers('summary.%s' % name, s,
                    ['stock.median', 'ours.median', 'stock.spread_pct', 'ours.spread_pct',
                     'ratio_ours_stock', 'paired_ratio_min', 'paired_ratio_max'],
                    ['stock.median', 'ours.median', 'ratio_ours_stock'])
            check('summary.%s: one paired ratio per round' % name,
                  len(s.get('paired_ratios', [])) == cfg.get('rounds'))
    for name, sm in summ.items():
        check_ci('summary.%s' % name, sm.get('ci') if isinstance(sm, dict) else None,
                 cfg.get('rounds') if name in want else None, name not in want)
    hl = res.get('headline') or {}
    numbers('headline', hl,
            ['forwarding_ratio.pf_io', 'startup_ratio.vf_first_rx',
             'startup_ratio.pf_first_rx', 'startup_ratio.pf_path_ready',
             'cycles_per_packet.pf_io.stock', 'cycles_per_packet.pf_io.ours']
            + ['forwarding_ratio.vf_%s' % k for k in modes]
            + ['cycles_per_packet.vf_%s.%s' % (k, m) for k in modes for m in MODES],
            ['forwarding_ratio.pf_io'] + ['forwarding_ratio.vf_%s' % k for k in modes])
    return res


def check_ci(where, ci, npairs=None, may_be_empty=False):
    """may_be_empty: a figure that can be 0 (no pair with both > 0)"""
    if not isinstance(ci, dict):
        check('%s: confidence interval present' % where, False)
        return
    n = ci.get('n')
    if may_be_empty and n == 0 and ci.get('ratio') is None:
        return
    ok = isinstance(n, int) and n == len(ci.get('ratios', [])) and is_num(ci.get('ratio'))
    if ok and n >= 2:
        ok = (is_num(ci.get('lo')) and is_num(ci.get('hi')) and is_num(ci.get('half_pct'))
              and ci['lo'] <= ci['ratio'] <= ci['hi'])
    check('%s: ratio and 95 %% interval well formed' % where, ok, repr(ci))
    if npairs is not None:
        check('%s: one paired ratio per pair (%s)' % (where, npairs), n == npairs,
              'got %r' % n)


def check_interleave(il):
    if not isinstance(il, dict):
        check('interleave part present', False)
        return
    pairs = il.get('pairs')
    check('interleave: pairs >= 2', isinstance(pairs, int) and pairs >= 2, repr(pairs))
    rows = il.get('windows') or []
    check('interleave: one entry per pair', len(rows) == pairs)
    for r in rows:
        numbers('interleave pair %s' % r.get('pair'), r,
                ['%s.%s' % (m, k) for m in MODES for k in ('rx', 'window_s', 'rx_pps')],
                ['%s.%s' % (m, k) for m in MODES for k in ('rx', 'window_s', 'rx_pps')])
    for name in ('vf_mac_pps', 'vf_mac_cycles_per_packet'):
        check_ci('interleave %s' % name, get(il, 'summary.%s.ci' % name),
                 pairs if name == 'vf_mac_pps' else None)
    for m in MODES:
        v = get(il, 'command_lines.%s' % m)
        check('interleave: command line of %s' % m,
              isinstance(v, str) and v.startswith('dpdk-testpmd '), repr(v))


def check_stalls(sc, n, c):
    """The launches with a stalled port start or probe, counted again from the
    rounds, and the stall-free interval over exactly the other pairs."""
    rounds = sc.get('per_round') or []
    # a launch's stalls: its port starts and (since probe_stall_s) probes
    st = {m: [get(r, '%s.n.%d.stalled_ports' % (m, n)) for r in rounds] for m in MODES}
    pr = {m: [get(r, '%s.n.%d.stalled_probes' % (m, n)) or 0 for r in rounds] for m in MODES}
    st = {m: [x + y if isinstance(x, int) else x for x, y in zip(st[m], pr[m])]
          for m in MODES}
    again = {m: [get(r, '%s.n.%d.stalled_attempts' % (m, n)) or 0 for r in rounds]
             for m in MODES}
    for m in MODES:
        check('scale N=%d %s: launches with a stalled port start or probe counted' % (n, m),
              all(isinstance(x, int) for x in st[m])
              and get(c, 'stalled_launches.%s' % m)
              == sum(1 for x in st[m] if x) + sum(again[m]),
              repr((get(c, 'stalled_launches.%s' % m), st[m], again[m])))
    clean = sum(1 for a, b in zip(st['stock'], st['ours']) if not a and not b)
    check_ci('scale N=%d start-up without a stall' % n, c.get('ready_stall_free_ci'), clean,
             may_be_empty=True)
    check_ci('scale N=%d start-up after loading, without a stall' % n,
             c.get('after_load_stall_free_ci'), clean, may_be_empty=True)


def check_scale(sc):
    if not isinstance(sc, dict):
        check('scale part present', False)
        return
    total = sc.get('total_vfs')
    per_pf = sc.get('totalvfs_per_pf') or []
    check('scale: total_vfs is the sum of both PFs\' sriov_totalvfs',
          is_num(total) and len(per_pf) == 2 and all(is_num(x) for x in per_pf)
          and sum(per_pf) == total, repr((total, per_pf)))
    ns = sc.get('ns') or []
    check('scale: N includes 1 and every VF', 1 in ns and total in ns, repr(ns))
    for n in ns:
        c = get(sc, 'curve.%d' % n) or {}
        numbers('scale N=%d' % n, c,
                ['%s.%s' % (k, m) for k in ('ready_s', 'fds', 'vfio_fds', 'rss_kb',
                                            'heap_heap_size', 'ports_up') for m in MODES],
                ['%s.%s' % (k, m) for k in ('ready_s', 'fds', 'rss_kb', 'heap_heap_size')
                 for m in MODES])
        for m in MODES:
            check('scale N=%d %s: every port up' % (n, m), get(c, 'ports_up.%s' % m) == n,
                  repr(get(c, 'ports_up.%s' % m)))
        check_ci('scale N=%d start-up' % n, c.get('ready_ci'), sc.get('rounds'))
        if 'stalled_launches' in c:
            check_stalls(sc, n, c)
    fa = sc.get('forward_all') or {}
    check_ci('scale: all VFs forwarding', fa.get('ci'), sc.get('rounds'))
    nfwd = sc.get('forward_all_vfs')
    for r in sc.get('per_round') or []:
        for m in MODES:
            pr = get(r, '%s.forward_all.port_rx' % m) or []
            check('scale round %s %s: packets on all %s ports' % (r.get('round'), m, nfwd),
                  is_num(nfwd) and len(pr) == nfwd and all(is_num(x) and x > 0 for x in pr),
                  repr(pr))
            tv = get(r, '%s.forward_totalvfs' % m) or {}
            check('scale round %s %s: packets on all %s ports with every VF created'
                  % (r.get('round'), m, total),
                  tv.get('ports') == total and tv.get('ports_rx') == total, repr(tv))


def check_png(path, what):
    try:
        with open(path, 'rb') as f:
            head = f.read(24)
    except OSError as e:
        check('%s %s exists' % (what, path), False, str(e))
        return
    check('%s %s has the PNG signature' % (what, path), head[:8] == PNG_SIG)
    ok = len(head) == 24 and head[12:16] == b'IHDR'
    w, h = struct.unpack('>II', head[16:24]) if ok else (0, 0)
    check('%s %s has a sane size (%dx%d)' % (what, path, w, h),
          ok and 100 <= w <= 10000 and 100 <= h <= 10000)


def check_rst(path, res):
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except OSError as e:
        check('%s exists' % path, False, str(e))
        return
    check('%s says it is generated' % path, 'generated by devtools/bench/bench.py' in text)
    date = (res or {}).get('date', '')[:10]
    check('%s has the results\' date %s' % (path, date), bool(date) and date in text)
    m = re.search(r'^\.\. image:: (\S+)', text, re.M)
    check('%s includes an image' % path, m is not None)
    if m:
        check_png(os.path.join(os.path.dirname(path), m.group(1)), 'guide image')
    check('%s has no UUID' % path, not UUID_RE.search(text))


def fwd_check(results, png, rst, samples, want):
    """The forwarding benchmark's files well formed: (passed, failed)."""
    global passed, failed
    passed = failed = 0
    res = check_json(results)
    for part in want:
        (check_interleave if part == 'interleave' else check_scale)((res or {}).get(part))
    if samples:
        tsvs = sorted(os.path.join(samples, f) for f in os.listdir(samples)
                      if f.endswith('.tsv'))
        check('%s holds the raw samples (rounds.tsv%s)' % (
            samples, ''.join(', %s.tsv' % w for w in want)),
            all(os.path.join(samples, f + '.tsv') in tsvs for f in ['rounds'] + want),
            repr(tsvs))
    check_png(png, 'chart')
    if rst:
        check_rst(rst, res)
    print('bench: check of the files: %d passed, %d failed' % (passed, failed))
    return passed, failed


# ---- startup

SU_GOAL_PCT = 3.0
# what a --startup-only pair measures, in the page's order
SU_FIGURES = ('pf_configure_s', 'pf_ready_s', 'pf_first_rx_s', 'pf_path_ready_s',
           'pf_load_s', 'pf_probe_s', 'pf_cpu_ready_s',
           'vf_configure_s', 'vf_ready_s', 'vf_first_rx_s',
           'vf_load_s', 'vf_probe_s', 'vf_cpu_ready_s')
# the ratios the +-3 % goal is about: launch to ready and to first packet
SU_HEADLINE = ('pf_configure_s', 'pf_ready_s', 'pf_first_rx_s', 'pf_path_ready_s',
            'vf_configure_s', 'vf_ready_s', 'vf_first_rx_s')


def su_load(path):
    facts, runs = read_tsv(path)
    pairs = facts.get('rounds')
    if facts.get('startup_only') != 1 or not isinstance(pairs, int) or pairs < 2:
        sys.exit('%s: %s: no "startup_only" fact 1 and "rounds" >= 2: not a '
                 'bench.sh --startup-only output' % ('startup', path))
    return facts, build_rounds(runs, pairs)


def su_summarise(rounds):
    summ = summarize(rounds, [])
    out = {}
    for name in SU_FIGURES:
        s = summ.get(name)
        if not s:
            continue
        sd = sd_of_logs(s['ci']['ratios'])
        s['sd_log'] = round(sd, 5) if sd is not None else None
        s['pairs_for_3pct'] = rounds_needed(sd, SU_GOAL_PCT)
        out[name] = s
    return out


def shares_of_slow(rounds, key, step=0.5):
    """How many of the runs took more than @step s above that way's
    fastest run, per way: the runs EAL's loading made slow."""
    out = {}
    for m in MODES:
        vals = [_get(r.get(m, {}), key.split('.')) for r in rounds]
        vals = [v for v in vals if v is not None]
        out[m] = (sum(1 for v in vals if v > min(vals) + step), len(vals)) if vals else (0, 0)
    return out


def su_page(facts, rounds, res, env, command):
    rows = []
    for name, s in res.items():
        rows.append(['``%s``: %s' % (name, s['what']),
                     '%.3f' % s['stock']['median'], '%.3f' % s['ours']['median'],
                     ci_text(s['ci']),
                     '%.2f %%' % (100 * s['sd_log']) if s['sd_log'] is not None else 'n/a',
                     str(s['pairs_for_3pct'] or 'n/a')])
    head = [n for n in SU_HEADLINE if n in res and res[n]['ci'].get('half_pct') is not None]
    good = [n for n in head if res[n]['ci']['half_pct'] <= SU_GOAL_PCT]
    wide = ['``%s`` (±%.1f %%)' % (n, res[n]['ci']['half_pct']) for n in head
            if n not in good]
    slow = shares_of_slow(rounds, 'pf.load_s')
    slow_vf = shares_of_slow(rounds, 'vf.load_s')
    body = [
        'The two ways of :doc:`benchmark` on its PF and 2 VFs (:ref:`bench_method`)',
        'started again and again in one boot of the rig (kernel %s, 2 vCPUs), %d'
        % (facts.get('kernel', '?'), len(rounds)),
        'pairs in ABBA order (odd pairs stock first), each way from the same state',
        '(PF on ``vfio-pci``, no VF).',
        '',
        'Each PF process runs to its first packet over the wire and stops',
        'forwarding; the VF process runs to the first packets on both VF ports;',
        'then both exit and the VFs are removed. No forwarding window is',
        'measured (that is :doc:`benchmark`, whose rounds give one start-up',
        'pair each). The guest\'s clock is QEMU\'s instruction count',
        '(``-icount``), and DPDK runs from the guest\'s tmpfs (:ref:`bench_tmpfs`).',
        '',
        'The ratio is ours / stock, paired by pair (:ref:`bench_method`). The last',
        'two columns:',
        'the pair-to-pair noise (standard deviation of the log ratios, measured)',
        'and the pairs a ±3 % interval needs at that noise (a projection,',
        '``devtools/bench/bench.py precision``).',
        '',
    ] + list_table(['seconds (medians)', 'stock', 'ours',
                    'ours / stock [95 % CI] (pairs, half-width)', 'sd (log)',
                    'pairs for ±3 %'],
                   rows, [34, 8, 8, 30, 10, 10]) + [
        'Precision: %d of the %d launch-to-ready and launch-to-first-packet'
        % (len(good), len(head)),
        'intervals are within ±3 %%%s.' % (
            '' if not wide else '; wider: ' + ', '.join(wide)),
        '',
        'Time and ratios: a ratio below 1 favours ours. ``load_s`` (launch to',
        'EAL\'s multi-process socket: exec, the dynamic loader, EAL loading the',
        '128 PMDs of the directory) is where most of the pair-to-pair noise is:',
        'some runs of either way take about a second longer there, in CPU time',
        'as well, so it is work the guest did, not a wait. Runs more than 0.5 s',
        'above their way\'s fastest there: PF %d of %d stock, %d of %d ours; VF'
        % (slow['stock'] + slow['ours']),
        '%d of %d stock, %d of %d ours.' % (slow_vf['stock'] + slow_vf['ours']),
        '',
        'The raw figures are in ``doc/guides/bench/samples/startup.tsv``.',
        '',
        'Environment',
        '-----------',
        '',
    ] + list_table(['what', 'version or figure'], env_rows([
        ['guest kernel', facts.get('kernel', '?')],
        ['guest vCPUs, CPU model, memory', '%s, %s, %s MB' % (
            facts.get('guest_cpus', '?'), facts.get('guest_cpu_model', '?'),
            (facts.get('guest_mem_kb') or 0) // 1024)]], env, 'icount',
        'host load while the benchmark ran'))
    return page('Benchmark: start-up, pair by pair', body, command)



# ---- broker-open

BO_WAYS = ('direct', 'broker')
BO_STATS = ('median', 'mean', 'min', 'max')
BO_COLUMNS = (['round', 'order'] + ['%s_%s_us' % (w, s) for s in BO_STATS for w in BO_WAYS]
           + ['%s_close_median_us' % w for w in BO_WAYS])
BO_ORDERS = ('direct-broker', 'broker-direct')


def bo_load(path):
    """[{round, order, direct_median_us, ...}] from the TSV"""
    return [dict(round=r, order=o, **{k: number('broker-open', path, n, x)
                                      for k, x in zip(BO_COLUMNS[2:], rest)})
            for n, r, o, rest in load_rows('broker-open', path, len(BO_COLUMNS), BO_ORDERS,
                                           'round')]


def bo_summarise(rounds):
    res = {}
    for way in BO_WAYS:
        med = [r[way + '_median_us'] for r in rounds]
        res[way] = {
            'n': len(med),
            'median_us_mean': statistics.fmean(med) if med else None,
            'median_us_min': min(med) if med else None,
            'median_us_max': max(med) if med else None,
            'min_us': min(r[way + '_min_us'] for r in rounds) if rounds else None,
            'max_us': max(r[way + '_max_us'] for r in rounds) if rounds else None,
            'close_median_us_mean': statistics.fmean(
                [r[way + '_close_median_us'] for r in rounds]) if rounds else None,
        }
    d = [r['direct_median_us'] for r in rounds]
    b = [r['broker_median_us'] for r in rounds]
    res['broker_over_direct'] = paired_ci(d, b)
    res['broker_minus_direct_us'] = paired_diff_ci(d, b)
    res['close_broker_over_direct'] = paired_ci(
        [r['direct_close_median_us'] for r in rounds],
        [r['broker_close_median_us'] for r in rounds])
    return res


def ms(us):
    return 'n/a' if us is None else '%.2f' % (us / 1000.0)


def diff_text(ci):
    if ci['diff'] is None:
        return 'n/a'
    if ci['lo'] is None:
        return '%.2f ms (n=%d, no interval)' % (ci['diff'] / 1000, ci['n'])
    return '%.2f ms [%.2f, %.2f] (n=%d)' % (ci['diff'] / 1000, ci['lo'] / 1000,
                                           ci['hi'] / 1000, ci['n'])


def method_text():
    return METHOD.replace('ours / stock', 'broker / direct').replace(
        ' (one per round or per ABBA pair of windows)', ' (one per round)')


def bo_page(rounds, res, guest, env, accel, command):
    d, b = res['direct'], res['broker']
    n = guest.get('opens_per_run', '?')
    body = [
        'How long a process takes to open a token-gated VF of the emulated',
        '82576 itself, and how long through the VF token broker',
        '(:doc:`broker`), measured side by side in one boot of the rig:',
        '',
        '* direct: ``vft_iommu_init()``, the PF\'s 0600 token file read and',
        '  ``vft_iommu_open_device()`` with the token (what the sriov bus does',
        '  with ``vf_token_file=``);',
        '* broker: ``vft_iommu_init()`` and ``vft_iommu_open_brokered()``: the',
        '  request over the broker\'s unix socket, its policy check (one rule',
        '  for root), its read of the token, its open of the VF into the',
        '  client\'s context and the fds back over ``SCM_RIGHTS`` (what the',
        '  sriov bus does with ``vf_token_broker=``).',
        '',
        'Each way opens into a fresh IOMMU context every time (container,',
        'group, IOMMU, device, the kernel\'s reset of the VF), then closes it,',
        'so the kernel does the same work both ways. ``tests/vm/open_loop time``',
        'times each open with ``CLOCK_MONOTONIC`` in the guest; a run is %s'
        % n,
        'opens, its figure their median. %d rounds, one run of each way per'
        % len(rounds),
        'round in ABBA order, after an untimed warm-up run of each; timed under',
        '%s. The ratio is broker/direct, paired by round (:ref:`bench_method`).'
        % timing_text(accel),
        'The extra time is the mean of the paired differences broker - direct',
        'with its 95 % Student t-interval.',
        '',
        'Both ways include the kernel\'s reset of the VF when vfio-pci enables',
        'it (a function-level reset waits 100 ms, ``drivers/pci/pci.c``), so',
        'the ratio says how much the broker adds to a whole open, the',
        'difference what it adds in time.%s' % (
            ' Under ``-icount`` a millisecond is guest time (the instruction '
            'count, and the host\'s clock while the guest sleeps), not '
            'the time of a real CPU.' if accel == 'icount' else ''),
        '',
    ] + list_table(
        ['figure', 'direct', 'broker', 'broker/direct [95 % CI]'],
        [['open, median of a run (ms, mean over the rounds)',
          ms(d['median_us_mean']), ms(b['median_us_mean']),
          ci_text(res['broker_over_direct'])],
         ['broker - direct, per open',
          '', '', diff_text(res['broker_minus_direct_us'])],
         ['medians of the runs, range (ms)',
          '%s - %s' % (ms(d['median_us_min']), ms(d['median_us_max'])),
          '%s - %s' % (ms(b['median_us_min']), ms(b['median_us_max'])), ''],
         ['fastest and slowest open (ms)',
          '%s - %s' % (ms(d['min_us']), ms(d['max_us'])),
          '%s - %s' % (ms(b['min_us']), ms(b['max_us'])), ''],
         ['close of the device and the context, median of a run '
          '(ms, mean over the rounds)',
          ms(d['close_median_us_mean']), ms(b['close_median_us_mean']),
          ci_text(res['close_broker_over_direct'])]]) + [
        'The close row times ``vft_device_close()`` and ``vft_iommu_close()``',
        'of the same cycles (the kernel resets the VF again): a device the',
        'broker opened is closed by the client like one it opened itself.',
        '',
        'The broker held %s fds before the runs and %s after its %s opens.'
        % (guest.get('broker_fds_before', '?'), guest.get('broker_fds_after', '?'),
           guest.get('broker_opens', '?')),
        'The raw figures are in ``doc/guides/bench/samples/broker-open.tsv``.',
        '',
        'Environment',
        '-----------',
        '',
    ] + list_table(['what', 'version or figure'], env_rows([
        ['guest kernel', guest.get('kernel', '?')],
        ['guest vCPUs, CPU model', '%s, %s' % (guest.get('vcpus', '?'),
                                               guest.get('guest_cpu', '?'))],
        ['VFIO path', guest.get('path', '?')]], env, accel,
        'host load while the benchmark ran (waiting for the VM included)', dpdk=False))
    return page('Benchmark: opening a VF through the broker', body, command)



# ---- paths



def pa_load(path):
    """{(round, path): {key: value}} from ROUND, PATH, KEY, VALUE lines."""
    runs = {}
    for n, r, w, (key, val) in load_rows('paths', path, 4, ('group', 'cdev')):
        runs.setdefault((r, w), {})[key] = number('paths', path, n, val)
    return runs


def pa_metric(run, name):
    if name == "pps":
        if run.get("window_s", 0) <= 0:
            return None
        return run.get("rx_packets", 0) / run["window_s"]
    return run.get(name)


def pa_summarise(runs):
    rounds = sorted({r for r, _ in runs})
    out = {}
    for name in ("ready_s", "pps"):
        pairs, g_all, c_all = [], [], []
        for r in rounds:
            g = pa_metric(runs.get((r, "group"), {}), name)
            c = pa_metric(runs.get((r, "cdev"), {}), name)
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


def pa_page(rounds, res, command):
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
        "is cdev/group, paired by round (:ref:`bench_method`).",
        "",
    ] + list_table(["figure", "group", "cdev", "cdev/group [95 % CI]"],
                   [list(row) for row in rows])
    return page("Benchmark: the VFIO paths (group and cdev)", body, command)



# ---- mp-attach



def mp_load(path):
    """{(round, way): seconds} from ROUND, WAY, SECONDS lines."""
    return {(r, w): number('mp-attach', path, n, secs)
            for n, r, w, (secs,) in load_rows('mp-attach', path, 3, MODES, 'round')}


def mp_summarise(runs):
    rounds = sorted({r for r, _ in runs})
    pairs = [(runs[(r, "stock")], runs[(r, "ours")]) for r in rounds
             if (r, "stock") in runs and (r, "ours") in runs]
    res = {}
    for way in MODES:
        v = [s for (_, w), s in sorted(runs.items()) if w == way]
        res[way] = {"n": len(v), "mean_s": statistics.fmean(v) if v else None,
                    "median_s": statistics.median(v) if v else None,
                    "min_s": min(v) if v else None, "max_s": max(v) if v else None}
    res["ours_over_stock"] = paired_ci([s for s, _ in pairs], [o for _, o in pairs])
    return rounds, res


def mp_page(rounds, res, env, accel, command):
    s, o, r = res["stock"], res["ours"], res["ours_over_stock"]
    timing = timing_text(accel)
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
        "timed under %s. The ratio is ours/stock, paired by round" % timing,
        "(:ref:`bench_method`).",
        "",
    ] + list_table(
        ["figure", "stock", "ours", "ours/stock [95 % CI]"],
        [["attach, launch to the first stats line (s, mean)",
          fmtn(s["mean_s"]), fmtn(o["mean_s"]), ci_text(r)],
         ["range over the rounds (s)",
          "%s - %s" % (fmtn(s["min_s"]), fmtn(s["max_s"])),
          "%s - %s" % (fmtn(o["min_s"]), fmtn(o["max_s"])), ""]]) + [
        "The raw figures are in ``doc/guides/bench/samples/mp-attach.tsv``.",
        "",
    ]
    return page("Benchmark: secondary attach time", body, command)



# ---- startup-scale

SC_NS = (1, 2, 4, 8, 16)
SC_DEVSET = ('n8p1', 'n8p2')
SC_METRICS = (('probe_s', 'probe phase'), ('ready_s', 'launch to every port up'),
           ('exit_s', 'exit'))
# the goals at N = 16 (issue 29): the ratio ours / stock at most this
SC_GOALS = (('probe_s', 0.5), ('ready_s', 0.85), ('exit_s', 0.5))
SC_FWD_TOLERANCE = 0.02


def sc_load(path):
    """{(round, mode): {key: value}}, the text values in their own dict."""
    runs, text = {}, {}
    for n, r, m, (key, val) in load_rows('startup-scale', path, 4, MODES + ('-',)):
        try:
            runs.setdefault((r, m), {})[key] = float(val)
        except ValueError:
            text[(r, m, key)] = val
    return runs, text


def derive_shutdown(logs):
    """testpmd's own port shutdown of each launch ("Stopping port 0..." to
    "Bye...", from the scenario's stamped logs in @logs, ~50 ms
    resolution) as KEY.shutdown_s rows; [] without the logs."""
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


def sc_fit(points):
    """Least-squares line through (x, y) points: (intercept, slope), or
    (None, None)."""
    if len({x for x, _ in points}) < 2:
        return None, None
    mx = statistics.fmean(x for x, _ in points)
    my = statistics.fmean(y for _, y in points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - b * mx, b


def sc_stalled(f, key):
    return (f.get(key + '.stalled_ports', 0) or 0) + (f.get(key + '.stalled_probes', 0) or 0) > 0


def sc_summarise(runs, text):
    rounds = sorted({r for r, m in runs if r > 0})
    keys = ['n%d' % n for n in SC_NS] + list(SC_DEVSET)
    res = {'rounds': rounds, 'by_key': {}, 'stalls': {}, 'slope': {}, 'resets': {},
           'kernel': text.get((0, '-', 'kernel')),
           'exit_end': text.get((0, '-', 'exit_end'))}
    launches = {m: [0, 0] for m in MODES}
    for k in keys:
        row = {}
        for met, _ in SC_METRICS:
            st = [runs.get((r, 'stock'), {}).get(k + '.' + met) for r in rounds]
            ou = [runs.get((r, 'ours'), {}).get(k + '.' + met) for r in rounds]
            calm = [not sc_stalled(runs.get((r, 'stock'), {}), k)
                    and not sc_stalled(runs.get((r, 'ours'), {}), k) for r in rounds]
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
            bad = [r for r in seen if sc_stalled(runs[(r, m)], k)]
            row['stalled'][m] = {'launches': len(seen), 'stalled': len(bad), 'rounds': bad}
            launches[m][0] += len(bad)
            launches[m][1] += len(seen)
        res['by_key'][k] = row
    for m in MODES:
        res['stalls'][m] = wilson(*launches[m])
        pts = [(n, runs[(r, m)]['n%d.ready_s' % n]) for r in rounds for n in SC_NS
               if 'n%d.ready_s' % n in runs.get((r, m), {})]
        res['slope'][m] = sc_fit(pts)[1]
        res.setdefault('fit', {})[m] = {}
        for met, _ in SC_METRICS + (('load_s', ''),):
            a, b = sc_fit([(n, runs[(r, m)]['n%d.%s' % (n, met)]) for r in rounds for n in SC_NS
                        if 'n%d.%s' % (n, met) in runs.get((r, m), {})])
            res['fit'][m][met] = {'fixed_s': a, 'per_vf_s': b}
        tail = runs.get((0, m), {})
        res['resets'][m] = {'open': tail.get('resets.open'), 'exit': tail.get('resets.exit')}
    fst = [sc_fwd(runs.get((r, 'stock'), {})) for r in rounds]
    fou = [sc_fwd(runs.get((r, 'ours'), {})) for r in rounds]
    res['forward_16'] = {'stock_pps': mean_of(fst), 'ours_pps': mean_of(fou),
                         'ratio': paired_ci(fst, fou)}
    res['goals'] = sc_goals(res)
    res['devset_ours'] = paired_ci(
        [runs.get((r, 'ours'), {}).get('n8p2.probe_s') for r in rounds],
        [runs.get((r, 'ours'), {}).get('n8p1.probe_s') for r in rounds])
    res['shutdown_16'] = {}
    for m in MODES:
        v = [runs[(r, m)]['n16.shutdown_s'] for r in rounds
             if 'n16.shutdown_s' in runs.get((r, m), {})]
        res['shutdown_16'][m] = statistics.median(v) if v else None
    return res


def sc_fwd(f):
    if f.get('fwd16.win_s', 0) > 0 and 'fwd16.rx' in f:
        return f['fwd16.rx'] / f['fwd16.win_s']
    return None


def mean_of(v):
    v = [x for x in v if x is not None]
    return statistics.fmean(v) if v else None


def sc_goals(res):
    out = []
    row = res['by_key']['n16']
    for met, bound in SC_GOALS:
        ci = row[met]['every_launch']
        met_ = (ci['ratio'] is not None and ci['hi'] is not None
                and ci['ratio'] <= bound and ci['hi'] < 1)
        out.append({'figure': met, 'goal': bound, 'ci': ci, 'met': met_})
    ci = res['forward_16']['ratio']
    out.append({'figure': 'forward_pps', 'goal': 1.0, 'ci': ci,
                'met': ci['lo'] is not None and ci['lo'] >= 1 - SC_FWD_TOLERANCE
                and ci['hi'] <= 1 + SC_FWD_TOLERANCE})
    return out


def key_label(k):
    return {'n8p1': '8 (one PF)', 'n8p2': '8 (4 + 4 PFs)'}.get(k, k[1:])


def kernel_section(kernel, res):
    body = ['Kernel %s' % kernel, '-' * len('Kernel %s' % kernel), '']
    body += ['%d rounds (ABBA); guest kernel %s. Medians of each way; the ratio'
             % (len(res['rounds']), res.get('kernel') or kernel),
             'ours / stock over every round ("every launch"), and over the rounds',
             'where neither way\'s launch stalled ("stall-free").', '']
    for met, label in SC_METRICS:
        rows = []
        for k, row in res['by_key'].items():
            f = row[met]
            rows.append([key_label(k), fmtn(f['stock_median']), fmtn(f['ours_median']),
                         ci_text(f['every_launch']), ci_text(f['stall_free'])])
        body += ['**%s** (s)' % label.capitalize(), '']
        body += list_table(['N', 'stock', 'ours', 'ours / stock, every launch',
                            'stall-free'], rows, [10, 10, 10, 35, 35])
    st = res['stalls']
    if res.get('exit_end') != 'every-thread':
        body += ['These samples end the exit at the main thread\'s exit, before the',
                 'harness waited for every thread (``tp_exited``, 2026-12-07): stock',
                 'DPDK leaves its VFIO device fds to the kernel, which closes them, and',
                 'vfio-pci resets each VF, in the process\'s last thread to exit,',
                 'possibly after the main thread; stock\'s exit may be under-counted',
                 'here (by 2.7 s with 16 VFs on 7.2-iommufd, measured).', '']
    body += ['Stalled launches (a port start or a device\'s probe waiting out the VF',
             'mailbox, ``scale.sh``\'s ``mailbox_stalls``), every launch of the timed',
             'rounds: stock %s, ours %s (95 %% Wilson intervals).'
             % (wilson_text(st['stock']), wilson_text(st['ours'])), '']
    sl = res['slope']
    body += ['Per-VF slope of launch to every port up (least squares over N = 1 to 16,',
             'every launch): stock %s s, ours %s s per VF.'
             % (fmtn(sl['stock'], '%.3f'), fmtn(sl['ours'], '%.3f')), '']
    rs = res['resets']
    if all(rs[m][w] is None for m in MODES for w in ('open', 'exit')):
        body += ['FLRs per launch: not counted on this kernel (the scenario\'s check',
                 '"ftrace on pcie_flr" failed: no function tracer on ``pcie_flr()``).', '']
    else:
        body += ['FLRs per launch on every VF (untimed run, ftrace on ``pcie_flr()``):',
                 'stock %s to open, %s at exit; ours %s to open, %s at exit.'
                 % tuple(fmtn(rs[m][w], '%.0f') for m in MODES for w in ('open', 'exit')), '']
    fw = res['forward_16']
    body += ['Forwarding on all 16 VFs at once: stock %s pps, ours %s pps, ours / stock %s.'
             % (fmtn(fw['stock_pps'], '%.0f'), fmtn(fw['ours_pps'], '%.0f'), ci_text(fw['ratio'])),
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
        'PFs %s: %s' % (fmtn(d1['stock_median']), fmtn(d2['stock_median']),
                        fmtn(d1['ours_median']), fmtn(d2['ours_median']), ci_text(dv),
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
                    % (dict(SC_METRICS)[met].capitalize(), ci_text(ci), g['goal'], len(res['rounds']),
                       stl['stock']['stalled'], stl['ours']['stalled'],
                       ci_text(res['by_key']['n16'][met]['stall_free'])))
            out += textwrap.wrap(text, 79, break_on_hyphens=False) + ['']
            continue
        text = ('%s at N = 16 misses its goal (ratio %s, goal %.2f). A least-squares line over '
                'N = 1 to 16 splits each way\'s figure into a part that does not grow with N and '
                'one per VF: stock %.3f s + %.3f s per VF, ours %.3f s + %.3f s per VF. Ours\' '
                'fixed part alone is %.2f of stock\'s figure at N = 16 (%.2f s)'
                % (dict(SC_METRICS)[met].capitalize(), ci_text(g['ci']), g['goal'],
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


def sc_page(by_kernel, command):
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
        'Ratios: paired by round (:ref:`bench_method`).',
        '',
        'What the sriov bus does differently from stock at start-up and exit,',
        'and why it is safe, is in :doc:`bus_sriov` ("Start-up: what differs',
        'from stock DPDK, and why it is safe").',
        '',
    ]
    for kernel in sorted(by_kernel):
        body += kernel_section(kernel, by_kernel[kernel])
    return page('Benchmark: start-up with N VFs, every launch counted', body, command)



# ---- autoload

VARIANTS = ('auto', 'none')
WORKLOADS = {
    'no-pci': '``--no-pci --vdev net_null0``',
    'e1000e': '``-a`` of the e1000e (PCI, no SR-IOV, on vfio-pci)',
}

WORKLOADS_SHORT = {'no-pci': '``--no-pci``', 'e1000e': '``-a`` of a PCI NIC'}


def al_parse_line(path, num, line):
    """(workload, round, variant, seconds), or exit naming what is wrong."""
    parts = line.split()
    where = '%s:%d' % (path, num)
    if len(parts) != 5:
        fail('autoload', "%s: '%s' has %d fields, expected 5 (WORKLOAD ROUND VARIANT SECONDS RC)"
             % (where, line, len(parts)))
    work, rnd, var, secs, rc = parts
    if var not in VARIANTS:
        fail('autoload', "%s: variant '%s' is not one of %s" % (where, var, '/'.join(VARIANTS)))
    try:
        rnd, secs, rc = int(rnd), float(secs), int(rc)
    except ValueError:
        fail('autoload', "%s: '%s': ROUND and RC must be integers, SECONDS a number" % (where, line))
    if rc != 0:
        fail('autoload', '%s: the %s %s start of round %d exited %d: no figure from a failed run'
             % (where, work, var, rnd, rc))
    if secs <= 0:
        fail('autoload', '%s: %s seconds is not a duration' % (where, secs))
    return work, rnd, var, secs


def al_load(path):
    """{workload: {round: {variant: seconds}}} in the order of the file."""
    runs = {}
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except OSError as e:
        fail('autoload', 'cannot read %s: %s' % (path, e.strerror))
    for num, line in enumerate(lines, 1):
        if not line.strip():
            continue
        work, rnd, var, secs = al_parse_line(path, num, line)
        pair = runs.setdefault(work, {}).setdefault(rnd, {})
        if var in pair:
            fail('autoload', '%s:%d: a second %s %s start in round %d' % (path, num, work, var, rnd))
        pair[var] = secs
    if not runs:
        fail('autoload', '%s holds no start-up run' % path)
    return runs


def al_summarise(runs):
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


def al_verdict(ci, short=False):
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


def al_text(res):
    out = []
    for work, r in res.items():
        out.append('%-7s rounds %d  none %.3f s  auto %.3f s  auto/none %s: %s'
                   % (work, r['rounds'], r['none_mean'], r['auto_mean'], ci_text(r['ci']),
                      al_verdict(r['ci'])))
    return '\n'.join(out)


def al_page(res, a):
    when = ', '.join(x for x in (a.date, 'kernel ' + a.kernel if a.kernel else '',
                                 'DPDK ' + a.dpdk if a.dpdk else '') if x)
    lines = [
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
        'auto/none, paired by round (:ref:`bench_method`).',
        'An interval that holds 1 means no cost measurable at that precision;',
        'its width is the precision.',
        '',
    ]
    lines += list_table(['workload', 'rounds', 'without the plugin (s, mean; min to max)',
                         'auto-loaded (s, mean; min to max)', 'auto/none [95 % CI]'],
                        [[WORKLOADS.get(work, '``%s``' % work), r['rounds'],
                          '%.3f; %.2f to %.2f' % ((r['none_mean'],) + r['none_range']),
                          '%.3f; %.2f to %.2f' % ((r['auto_mean'],) + r['auto_range']),
                          ci_text(r['ci'])] for work, r in res.items()])
    for work, r in res.items():
        lines.append('- %s: %s.' % (WORKLOADS.get(work, work), al_verdict(r['ci'])))
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
    return page('Benchmark: start-up with the auto-loaded plugin', lines)


def al_summary(res):
    """The sentence install.rst includes (.inc: no page of its own)."""
    parts = ['%s %s, %s' % (WORKLOADS_SHORT.get(work, work), ci_text(r['ci']),
                            al_verdict(r['ci'], short=True))
             for work, r in res.items()]
    lines = ['.. Written by devtools/bench/bench.py; do not edit.', '',
             'Measured (:doc:`bench_autoload`): start-up with the plugin',
             'auto-loaded over start-up without it, with its 95 % interval:',
             '; '.join(parts) + '.', '']
    return '\n'.join(lines)


# ---- the runner: options, the boot, the samples, publishing, the tally

class Run:
    """One benchmark's run: its options, output directory, meta and tally."""

    def __init__(self, name, o, out):
        self.name, self.o, self.out = name, o, out
        self.passed = self.failed = 0
        self.icount_shift = os.environ.get('VM_ICOUNT_SHIFT', '4')

    def path(self, *p):
        return os.path.join(self.out, *p)

    def check(self, what, ok):
        """a check of the run itself (files there and clean): counted"""
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print('%s: FAIL: %s' % (self.name, what))
        return ok


def host_load_line(tag):
    with open('/proc/stat', encoding='utf-8') as f:
        cpu = f.readline().strip()
    with open('/proc/loadavg', encoding='utf-8') as f:
        la = ' '.join(f.read().split()[:3])
    return '%s %.9f %s %s\n' % (tag, time.time(), cpu, la)


def scrub(text):
    """This machine's paths out of a sample: the build directory becomes
    "build" (or $VFTOKEN_BUILD when it is elsewhere), the clone "."."""
    build = os.environ['VFTOKEN_BUILD']
    b = 'build' if build == os.path.join(ROOT, 'build') else '$VFTOKEN_BUILD'
    return text.replace(build, b).replace(ROOT + '/', './').replace(ROOT, '.')


def boot(r, phase, kernel, scenario, args, accel=None, rig=(), timeout=1200):
    """One boot of the rig (devtools/vm/run.sh) with @scenario; its checks
    go to the tally; returns the scenario's share (its samples)."""
    cmd = (['--kernel', kernel] + (['--accel', accel] if accel else []) + list(rig)
           + ['--all-pmds', '--timeout', str(timeout), scenario] + [str(a) for a in args])
    print('%s: phase %s: devtools/vm/run.sh %s' % (r.name, phase, ' '.join(cmd)), flush=True)
    # --all-pmds: start-up is measured with every driver of Debian's DPDK,
    # as a host runs it (doc/guides/vm_rig.rst, "The rig's DPDK drivers")
    env = dict(os.environ, VFTOKEN_VM_OUT=r.path('vm-' + phase),
               VFTOKEN_VM_SCRATCH=r.path('vm-scratch-' + phase), VM_ICOUNT_SHIFT=r.icount_shift)
    t0 = time.time()
    with open(r.path('vm-%s.log' % phase), 'w', encoding='utf-8') as log:
        p = subprocess.Popen([os.path.join(ROOT, 'devtools', 'vm', 'run.sh')] + cmd, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors='replace')
        tally = None
        for line in p.stdout:
            sys.stdout.write(line)
            log.write(line)
            m = re.match(r'vm: ([0-9]+) passed, ([0-9]+) failed', line)
            tally = (int(m.group(1)), int(m.group(2))) if m else tally
        rc = p.wait()
    with open(r.path('vm-time.txt'), 'a', encoding='utf-8') as f:
        f.write('%s %d\n' % (phase, time.time() - t0))
    p, f = tally or (0, 0)
    r.passed += p
    r.failed += f or (1 if rc else 0)
    return r.path('vm-scratch-' + phase, '%s-%s' % (scenario, kernel))


def take(r, src, name, clean=True):
    """The scenario's file @src as OUT/@name (this machine's paths out);
    none is a failed check."""
    if not r.check('the scenario wrote %s' % src, os.path.isfile(src) and os.path.getsize(src)):
        return False
    with open(src, encoding='utf-8', errors='replace') as f:
        text = f.read()
    with open(r.path(name), 'w', encoding='utf-8') as f:
        f.write(scrub(text) if clean else text)
    return True


def guest_env(r, meta, accel='icount'):
    """What ran: QEMU, DPDK, vftoken and the host, and the host's load
    over the run; the tree as it was when the run began."""
    env = versions({})
    env['host_load'] = host_load(r.path('host-load.txt'))
    env['vftoken_git'] = meta['revision']
    env['icount_shift'] = r.icount_shift if accel == 'icount' else None
    return env


# ---- each benchmark: its boot(s), its analysis


def declared_boot(r, o, meta, s):
    """The one boot of a benchmark as BENCHES declares it (@s: scenario,
    kernel, accel, rig flags, args, timeout; what it takes from the share:
    samples, facts files; env: the host's versions and load)."""
    v = lambda x: x(o) if callable(x) else x  # noqa: E731 (a value or one of the options)
    meta.update(kernel=v(s['kernel']), accel=v(s.get('accel')))
    if s.get('before'):
        s['before'](r, o)
    d = boot(r, s['scenario'], meta['kernel'], s['scenario'], v(s['args']), accel=meta['accel'],
             rig=s.get('rig', ()), timeout=v(s.get('timeout', 1200)))
    for src, dst in s['take'].items():
        take(r, os.path.join(d, src), v(dst))
    for key, src in s.get('facts', {}).items():
        r.check('the scenario wrote %s' % src, os.path.isfile(os.path.join(d, src)))
        meta[key] = load_env(os.path.join(d, src))
    if s.get('env'):
        meta['env'] = guest_env(r, meta, meta['accel'])
    if s.get('after'):
        s['after'](r, o, meta, d)


def su_analyse(d, meta):
    facts, rounds = su_load(os.path.join(d, 'startup.tsv'))
    res = su_summarise(rounds)
    ok = all(n in res and res[n]['ci']['ratio'] is not None for n in SU_HEADLINE)
    for name, s in res.items():
        print('startup: %-16s stock %.3f ours %.3f ours/stock %s' % (
            name, s['stock']['median'], s['ours']['median'], ci_text(s['ci'])))
    return ({'command': meta['command'], 'method': METHOD, 'accel': 'icount',
             'pairs': len(rounds), 'goal_pct': SU_GOAL_PCT, 'versions': meta['env'],
             'results': res, 'rounds': rounds}, ok,
            {'bench_startup.rst': su_page(facts, rounds, res, meta['env'], meta['command'])})


def bo_analyse(d, meta):
    rounds = bo_load(os.path.join(d, 'broker-open.tsv'))
    res = bo_summarise(rounds)
    for way in BO_WAYS:
        print('broker-open: %-6s n=%d open median, mean over the rounds %s ms'
              % (way, res[way]['n'], ms(res[way]['median_us_mean'])))
    print('broker-open: broker/direct %s' % ci_text(res['broker_over_direct']))
    print('broker-open: broker - direct %s' % diff_text(res['broker_minus_direct_us']))
    return ({'command': meta['command'], 'method': method_text(), 'accel': meta['accel'],
             'guest': meta['guest'], 'versions': meta['env'], 'results': res, 'raw': rounds},
            res['broker_over_direct']['ratio'] is not None,
            {'bench_broker.rst': bo_page(rounds, res, meta['guest'], meta['env'], meta['accel'],
                                         meta['command'])})


def pa_analyse(d, meta):
    runs = pa_load(os.path.join(d, 'paths.tsv'))
    rounds, res = pa_summarise(runs)
    for k, v in res.items():
        print('paths: %-8s group %s cdev %s cdev/group %s' % (
            k, v['group_mean'], v['cdev_mean'], ci_text(v['cdev_over_group'])))
    return ({'command': meta['command'], 'method': METHOD, 'rounds': rounds, 'results': res,
             'raw': [{'round': r, 'path': p, **v} for (r, p), v in sorted(runs.items())]},
            all(res[k]['cdev_over_group']['ratio'] is not None for k in res),
            {'bench_paths.rst': pa_page(rounds, res, meta['command'])})


def mp_analyse(d, meta):
    runs = mp_load(os.path.join(d, 'mp-attach.tsv'))
    rounds, res = mp_summarise(runs)
    for way in MODES:
        print('mp-attach: %-5s n=%d mean %s s' % (way, res[way]['n'],
                                                 fmtn(res[way]['mean_s'], '%.3f')))
    print('mp-attach: ours/stock %s' % ci_text(res['ours_over_stock']))
    return ({'command': meta['command'], 'method': METHOD, 'accel': meta['accel'],
             'versions': meta['env'], 'rounds': rounds, 'results': res,
             'raw': [{'round': r, 'way': w, 'attach_s': v} for (r, w), v in sorted(runs.items())]},
            res['ours_over_stock']['ratio'] is not None,
            {'bench_multiprocess.rst': mp_page(rounds, res, meta['env'], meta['accel'],
                                               meta['command'])})


def sc_after(r, o, meta, d):
    """testpmd's own shutdown of each launch, from the logs, into the sample"""
    if os.path.exists(r.path('startup-scale-%s.tsv' % o.kernel)):
        with open(r.path('startup-scale-%s.tsv' % o.kernel), 'a', encoding='utf-8') as f:
            f.writelines(derive_shutdown(os.path.join(d, 'logs')))


def sc_analyse(d, meta):
    by_kernel = {}
    for p in sorted(glob.glob(os.path.join(d, 'startup-scale-*.tsv'))):
        by_kernel[os.path.basename(p)[len('startup-scale-'):-len('.tsv')]] = sc_summarise(*sc_load(p))
    res = by_kernel.get(meta['kernel'])
    ok = res and res['rounds'] and res['by_key']['n16']['ready_s']['every_launch']['ratio'] is not None
    for k, row in (res or {}).get('by_key', {}).items():
        print('startup-scale: %s: %s' % (k, ', '.join(
            '%s %s' % (met, ci_text(row[met]['every_launch'])) for met, _ in SC_METRICS)))
    for g in (res or {}).get('goals', []):
        print('startup-scale: goal %s <= %s: %s (%s)' % (g['figure'], g['goal'], ci_text(g['ci']),
                                                        'met' if g['met'] else 'missed'))
    return ({'command': meta['command'], 'method': METHOD, 'kernel': meta['kernel'],
             'results': res}, bool(ok), {'bench_scale.rst': sc_page(by_kernel, meta['command'])})


def al_debs():
    return os.path.join(os.environ['VFTOKEN_BUILD'], 'pkg', 'debs')


def al_before(r, o):
    if not glob.glob(os.path.join(al_debs(), 'dpdk-bus-sriov_*.deb')):
        sys.exit('autoload: no packages in %s: run devtools/packages.sh --no-vm first' % al_debs())


def al_after(r, o, meta, d):
    """the scenario's tally and QEMU seconds, the date and DPDK, for the page"""
    with open(r.path('vm-packages.log'), encoding='utf-8', errors='replace') as f:
        log = f.read()
    checks = re.findall(r'^ *\| *([0-9]+ passed, [0-9]+ failed)', log, re.M)
    secs = re.findall(r'total in QEMU ([0-9.]+) s', log)
    meta.update(checks=checks[-1] if checks else '', vm_secs=secs[-1] if secs else '',
                date=datetime.date.today().isoformat(),
                dpdk=run_text(['dpkg-query', '-W', '-f=${Version}', 'dpdk']))


def al_analyse(d, meta):
    res = al_summarise(al_load(os.path.join(d, 'autoload-startup.txt')))
    print(al_text(res))
    a = SimpleNamespace(**meta)
    return ({'command': meta['command'], 'method': METHOD, 'results': res}, True,
            {'bench_autoload.rst': al_page(res, a), 'bench/autoload_summary.inc': al_summary(res)})


def fwd_boot(r, o, meta):
    if o.quick:
        o.rounds, o.secs, o.warm, o.accel, o.no_interleave, o.no_scale = 1, 3, 1, 'tcg', True, True
        scen, nmodes = ['--quick'], 1
    else:
        scen, nmodes = ['--rounds', o.rounds, '--secs', o.secs, '--warm', o.warm], 2
    rounds, secs, warm = int(o.rounds), int(o.secs), int(o.warm)
    for f in ('drivers/bus/sriov/librte_bus_sriov.so', 'app/vftoken/vftoken'):
        if not os.path.exists(os.path.join(os.environ['VFTOKEN_BUILD'], f)):
            sys.exit('bench: %s is not built (ninja -C %s)' % (f, os.environ['VFTOKEN_BUILD']))
    # Per mode and round: set-up and start-ups ~30 s, then one PF window and
    # a VF window per forwarding mode, each warm + secs + ~8 s; a profile
    # ~40 s. Three times that under icount (one host thread for both
    # vCPUs), twice otherwise, plus boot and the warm-up.
    per_mode = 30 + (1 + nmodes) * (warm + secs + 8) + 40 * o.profile
    timeout = 180 + (3 if o.accel == 'icount' else 2) * rounds * 2 * per_mode
    meta.update(quick=bool(o.quick), accel=o.accel, icount_shift=int(r.icount_shift))
    phases = [('rounds', 'bench.tsv', dict(accel=o.accel, rig=['--pf-hub'], timeout=timeout),
               scen + (['--profile'] if o.profile else []))]
    if not o.no_interleave:
        phases.append(('interleave', 'bench.tsv',
                       dict(timeout=300 + int(o.pairs) * 2 * (int(o.il_secs) + 8)),
                       ['--interleave', o.pairs, '--secs', o.il_secs, '--warm', o.warm]))
    if not o.no_scale:
        phases.append(('scale', 'scale.tsv', dict(accel='icount', rig=['--second-pf'],
                                                  timeout=600 + int(o.scale_rounds) * 1100),
                       ['--rounds', o.scale_rounds]))
    for name, tsv, kw, args in phases:
        d = boot(r, name, '6.1', 'scale' if name == 'scale' else 'bench', args, **kw)
        if take(r, os.path.join(d, tsv), name + '.tsv') and os.path.isdir(os.path.join(d, 'logs')):
            shutil.copytree(os.path.join(d, 'logs'), r.path('logs', name), dirs_exist_ok=True)


def fwd_meta(res):
    """The run's facts of a published results.json (for --report-only)."""
    return {'command': res['command'], 'date': res['date'], 'quick': res['quick'],
            'accel': res['config']['accel'], 'icount_shift': res['config']['icount_shift'],
            'versions': res['versions'], 'host_load': res['host_load'],
            'vm_time_s': res['vm_time_s'], 'qemu_time_s': res['qemu_time_s'],
            'placement': res['config']['placement'],
            'scale_placement': (res.get('scale') or {}).get('placement')}


def fwd_analyse(d, meta):
    res = fwd_results(d, meta)
    plot(res, os.path.join(d, 'results.png'))
    for k, c in res['headline']['ci'].items():
        print('bench: ours/stock %s: %s' % (k, ci_text(c).replace('±', '+-')))
    return res, True, {'benchmark.rst': fwd_page(res)}


def opt(dest, default, regex, metavar, what):
    return (dest, default, regex, metavar, what)


POS = r'^[1-9][0-9]*$'
PAIRS = r'^([2-9]|[1-9][0-9]+)$'
ACCEL = opt('accel', 'icount', r'^(icount|tcg)$', 'icount|tcg', 'icount or tcg')
FLAG = (None, '', '')
# Each benchmark: boot (a function, or the declaration of its one boot:
# scenario, kernel, accel, rig flags, args and timeout, a value or a
# function of the options; take: the scenario's files that become the
# samples; facts: KEY<TAB>VALUE files kept in meta; env: the host's
# versions and load), samples (the names published in
# doc/guides/bench/samples), analyse (samples and meta -> results.json,
# whether every headline ratio has a figure, the pages), opts (NAME:
# dest, default, regex of a value or None for a flag, metavar, what is
# expected), publish (the default), json (its name in doc/guides/bench).
BENCHES = {
    'forwarding': dict(
        boot=fwd_boot, analyse=fwd_analyse, publish=False, json='results.json',
        samples=('rounds.tsv', 'interleave.tsv', 'scale.tsv'), opts={
            '--quick': opt('quick', False, *FLAG),
            '--rounds': opt('rounds', '5', POS, 'N', 'a positive number'),
            '--secs': opt('secs', '10', POS, 'S', 'a positive number of seconds'),
            '--warm': opt('warm', '2', POS, 'S', 'a positive number of seconds'),
            '--pairs': opt('pairs', '20', PAIRS, 'P', 'a number >= 2'),
            '--il-secs': opt('il_secs', '2', POS, 'S', 'a positive number of seconds'),
            '--scale-rounds': opt('scale_rounds', '3', POS, 'N', 'a positive number'),
            '--accel': ACCEL, '--no-interleave': opt('no_interleave', False, *FLAG),
            '--no-scale': opt('no_scale', False, *FLAG), '--profile': opt('profile', False, *FLAG)}),
    'startup': dict(
        # a pair: ~100 s of guest time, about half that in wall time on an
        # idle host; allow 2 minutes
        boot=dict(scenario='bench', kernel='6.1', accel='icount', env=True,
                  args=lambda o: ['--startup-only', '--rounds', o.pairs],
                  timeout=lambda o: 600 + int(o.pairs) * 120, take={'bench.tsv': 'startup.tsv'}),
        analyse=su_analyse, samples=('startup.tsv',),
        opts={'--pairs': opt('pairs', '30', PAIRS, 'P', 'a number of pairs >= 2')}),
    'broker-open': dict(
        boot=dict(scenario='bench-broker', kernel='6.1', accel=lambda o: o.accel, env=True,
                  args=lambda o: ['--rounds', o.rounds, '--opens', o.opens],
                  take={'broker.tsv': 'broker-open.tsv'}, facts={'guest': 'broker.env'}),
        analyse=bo_analyse, samples=('broker-open.tsv',), opts={
            '--rounds': opt('rounds', '10', POS, 'R', 'a positive number of rounds'),
            '--opens': opt('opens', '20', POS, 'N', 'a positive number of opens per run'),
            '--accel': ACCEL}),
    'paths': dict(
        boot=dict(scenario='bench-paths', kernel='7.2-iommufd', timeout=1800,
                  args=lambda o: ['--rounds', o.rounds, '--secs', o.secs],
                  take={'paths.tsv': 'paths.tsv'}),
        analyse=pa_analyse, samples=('paths.tsv',), opts={
            '--rounds': opt('rounds', '4', POS, 'N', 'a positive number of rounds'),
            '--secs': opt('secs', '5', POS, 'S', 'a positive number of seconds')}),
    'mp-attach': dict(
        boot=dict(scenario='multiprocess', kernel='6.1', accel=lambda o: o.accel, timeout=1500,
                  args=lambda o: ['bench', o.rounds], take={'attach.tsv': 'mp-attach.tsv'},
                  facts={'env': 'attach.env'}),
        analyse=mp_analyse, samples=('mp-attach.tsv',), opts={
            '--rounds': opt('rounds', '6', POS, 'N', 'a positive number of rounds'),
            '--accel': ACCEL}),
    'startup-scale': dict(
        boot=dict(scenario='scale', kernel=lambda o: o.kernel, accel=lambda o: o.accel,
                  rig=['--second-pf'], timeout=3600, after=sc_after,
                  args=lambda o: ['--rounds', o.rounds, '--ns', '1 2 4 8 all', '--retries', '0',
                                  '--devset', '--resets', '--secs', '3', '--warm', '1'],
                  take={'scale.tsv': lambda o: 'startup-scale-%s.tsv' % o.kernel}),
        analyse=sc_analyse, samples=('startup-scale-*.tsv',), opts={
            '--kernel': opt('kernel', '6.1', r'^(6\.1|7\.2-iommufd)$', '6.1|7.2-iommufd',
                            '6.1 or 7.2-iommufd'),
            '--rounds': opt('rounds', '3', POS, 'R', 'a positive number of rounds'),
            '--accel': ACCEL}),
    'autoload': dict(
        boot=dict(scenario='packages', kernel='6.1', timeout=1500, before=al_before,
                  after=al_after, args=lambda o: [al_debs(), 'startup', o.rounds],
                  take={'startup.txt': 'autoload-startup.txt'}),
        analyse=al_analyse, publish=False, samples=('autoload-startup.txt',),
        opts={'--rounds': opt('rounds', '5', POS, 'N', 'a positive number of rounds')}),
}
COMMON = ('--out DIR', '--no-doc', '--publish', '--report-only', '--from DIR')


def parse(name, argv):
    b = BENCHES[name]
    o = SimpleNamespace(out=None, publish=b.get('publish', True), report_only=False, src=None)
    for dest, default, _, _, _ in b['opts'].values():
        setattr(o, dest, default)
    known = ', '.join(['%s %s' % (k, v[3]) if v[2] else k for k, v in b['opts'].items()]
                      + list(COMMON))
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ('-h', '--help'):
            print('usage: devtools/bench/run.sh %s [%s]' % (name, '] ['.join(known.split(', '))))
            sys.exit(0)
        flag = {'--no-doc': ('publish', False), '--publish': ('publish', True),
                '--report-only': ('report_only', True)}.get(a)
        if flag:
            setattr(o, *flag)
        elif a in ('--out', '--from') or a in b['opts'] and b['opts'][a][2]:
            if i + 1 >= len(argv):
                sys.exit('%s: %s needs a value (%s)' % (name, a, known))
            spec = b['opts'].get(a)
            if spec and not re.match(spec[2], argv[i + 1]):
                sys.exit("%s: %s '%s' is not %s" % (name, a, argv[i + 1], spec[4]))
            setattr(o, spec[0] if spec else {'--out': 'out', '--from': 'src'}[a], argv[i + 1])
            i += 1
        elif a in b['opts']:
            setattr(o, b['opts'][a][0], True)
        else:
            sys.exit("%s: unknown argument '%s' (expected %s)" % (name, a, known))
        i += 1
    if o.report_only:
        o.publish = '--publish' in argv
    if getattr(o, 'quick', False):
        if o.publish and '--publish' in argv:
            sys.exit('bench: --quick and --publish exclude each other')
        o.publish = False
    return o


def samples_in(b, d):
    return sorted(p for s in b['samples'] for p in glob.glob(os.path.join(d, s)))


def clean(r, files):
    """What goes into doc/ holds no path of this machine and no UUID."""
    needles = [n for n in (ROOT, os.environ['VFTOKEN_BUILD']) if n and n != '/']
    for path in files:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
        bad = [n for n in needles if n in text] + (['a UUID'] if UUID_RE.search(text) else [])
        r.check('%s holds %s' % (path, ', '.join(bad)), not bad)


def run(name, argv, out=None):
    b = BENCHES[name]
    o = parse(name, argv)
    build = os.environ.setdefault('VFTOKEN_BUILD', os.path.join(ROOT, 'build'))
    sub = {'forwarding': 'bench-quick' if getattr(o, 'quick', False) else 'bench'}.get(
        name, 'bench-' + name)
    r = Run('bench' if name == 'forwarding' else name, o, os.path.abspath(
        o.out or out or os.path.join(build, sub)))
    os.makedirs(r.out, exist_ok=True)
    jdoc = os.path.join(DOC, 'bench', b.get('json', name + '.json'))
    if o.report_only:
        src = os.path.abspath(o.src or SAMPLES)
        with open(os.path.join(o.src, 'results.json') if o.src else jdoc, encoding='utf-8') as f:
            old = json.load(f)
        meta = fwd_meta(old) if name == 'forwarding' else old['meta']
        for p in samples_in(b, src):
            if os.path.dirname(p) != r.out:
                shutil.copy(p, r.out)
    else:
        for p in samples_in(b, r.out) + glob.glob(r.path('vm-*.log')) + [
                r.path('vm-time.txt'), r.path('results.json')]:
            if os.path.exists(p):
                os.remove(p)
        cmd = 'devtools/bench/run.sh' + ''.join(' ' + a for a in ([name] + argv if name != 'forwarding' else argv))
        if build != os.path.join(ROOT, 'build'):
            cmd = 'VFTOKEN_BUILD=<build dir> ' + cmd
        meta = {'command': cmd, 'date': datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%dT%H:%M:%SZ'), 'revision': run_text(['git', '-C', ROOT, 'describe', '--always', '--dirty'])}
        with open(r.path('host-load.txt'), 'w', encoding='utf-8') as f:
            f.write(host_load_line('start'))
        if callable(b['boot']):
            b['boot'](r, o, meta)
        else:
            declared_boot(r, o, meta, b['boot'])
        with open(r.path('host-load.txt'), 'a', encoding='utf-8') as f:
            f.write(host_load_line('end'))
        if 'env' in meta and 'host_load' in meta['env']:
            meta['env']['host_load'] = host_load(r.path('host-load.txt'))
        if name == 'forwarding':
            meta.update(host_load=host_load(r.path('host-load.txt')),
                        vm_time_s=vm_time(r.path('vm-time.txt')),
                        qemu_time_s=qemu_time(r.path('vm-time.txt')))
    if name == 'startup-scale':
        # the page shows every kernel whose samples are published
        for p in samples_in(b, SAMPLES):
            if not os.path.exists(r.path(os.path.basename(p))):
                shutil.copy(p, r.out)
    ok = r.check('samples to analyse in %s' % r.out, bool(samples_in(b, r.out)))
    res, good, pages = b['analyse'](r.out, meta) if ok else (None, False, {})
    r.check('every headline ratio has a figure', good)
    if res is not None:
        if name != 'forwarding':
            res['meta'] = meta
        write_json(r.path('results.json'), res)
    for rel, text in pages.items():
        with open(r.path(os.path.basename(rel)), 'w', encoding='utf-8') as f:
            f.write(text)
    published = []
    if o.publish and good and r.failed == 0:
        os.makedirs(SAMPLES, exist_ok=True)
        for s in b['samples']:  # what an earlier run published, this one not
            if '*' not in s and os.path.exists(os.path.join(SAMPLES, s)):
                os.remove(os.path.join(SAMPLES, s))
        for p in samples_in(b, r.out):
            shutil.copy(p, SAMPLES)
            published.append(os.path.join(SAMPLES, os.path.basename(p)))
        for rel in pages:
            shutil.copy(r.path(os.path.basename(rel)), os.path.join(DOC, rel))
            published.append(os.path.join(DOC, rel))
        shutil.copy(r.path('results.json'), jdoc)
        published.append(jdoc)
        if name == 'forwarding':
            shutil.copy(r.path('results.png'), os.path.join(DOC, 'img', 'bench.png'))
        print('%s: wrote %s' % (r.name, ', '.join(os.path.relpath(p, ROOT) for p in published)))
    elif o.publish:
        print('%s: a check failed: nothing published' % r.name)
    clean(r, published or [r.path(os.path.basename(p)) for p in pages]
          + samples_in(b, r.out) + ([r.path('results.json')] if res else []))
    if name == 'forwarding' and res is not None:
        p, f = fwd_check(r.path('results.json'), r.path('results.png'),
                         os.path.join(DOC, 'benchmark.rst') if published else None,
                         SAMPLES if published else None,
                         [x for x in ('interleave', 'scale') if res.get(x)])
        r.passed += p
        r.failed += f
    if os.path.exists(r.path('vm-time.txt')):
        print('%s: VM time %s s' % (r.name, (vm_time(r.path('vm-time.txt')) or {}).get('total')))
    print('%s: %d passed, %d failed' % (r.name, r.passed, r.failed))
    return 1 if r.failed else 0


def precision_table(argv):
    """bench.py precision RESULTS.json [--goal PCT]: per ratio of a
    forwarding results.json, the noise (sd of the log ratios), the interval
    on the first k pairs for every k (measured), the pairs a +-GOAL %
    interval needs at that noise (projected) and the VM seconds per round."""
    ap = argparse.ArgumentParser(prog='bench.py precision')
    ap.add_argument('results')
    ap.add_argument('--goal', type=float, default=3.0, help='half-width goal, %%')
    a = ap.parse_args(argv)
    with open(a.results, encoding='utf-8') as f:
        res = json.load(f)
    vt = res.get('qemu_time_s') or res.get('vm_time_s') or {}
    nrounds = {'rounds': res['config']['rounds'], 'scale': (res.get('scale') or {}).get('rounds'),
               'interleave': (res.get('interleave') or {}).get('pairs')}
    print('%-34s %3s %7s %8s  %-28s %6s %8s' % ('ratio', 'n', 'sd%', 'ratio',
                                                'measured +-%, first k', 'need', 's/round'))
    for name, c in sorted(res['headline']['ci'].items()):
        ratios = c.get('ratios') or []
        sd = sd_of_logs(ratios)
        fk = {k: paired_ci([1.0] * k, ratios[:k])['half_pct'] for k in range(2, len(ratios) + 1)}
        need = rounds_needed(sd, a.goal)
        ph = name.split('_')[0] if name.split('_')[0] in ('scale', 'interleave') else 'rounds'
        per = vt.get(ph) / nrounds[ph] if vt.get(ph) and nrounds.get(ph) else None
        print('%-34s %3d %7s %8s  %-28s %6s %8s' % (
            name, len(ratios), '-' if sd is None else '%.2f' % (100 * sd),
            '-' if c.get('ratio') is None else '%.4f' % c['ratio'],
            ' '.join('%d:%.1f' % kv for kv in fk.items()) or '-',
            '-' if need is None else need, '-' if per is None else '%.0f' % per))
    return 0


def main(argv):
    if argv[:1] == ['precision']:
        return precision_table(argv[1:])
    if argv[:1] == ['all']:
        out = argv[argv.index('--out') + 1] if '--out' in argv else None
        rest = [a for a in argv[1:] if a != '--out' and a != out]
        return max(run(n, rest, out and os.path.join(out, n)) for n in BENCHES)
    name = argv[0] if argv and argv[0] in BENCHES else 'forwarding'
    return run(name, argv[1:] if argv and argv[0] in BENCHES else argv)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

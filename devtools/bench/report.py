#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Render the forwarding benchmark's results.json as a guide page (RST).

    report.py RESULTS.json [--image img/bench.png] > doc/guides/benchmark.rst

Everything in the page comes from the JSON (devtools/bench/collect.py):
the date, versions, command lines, the tables, and the reading of each
ratio: below 0.98 the page says whether the gap is inside the spread from
round to round, what cycles/packet and the per-window CPU counters say, and
what the profile says when the run had --profile.
"""
import argparse
import json
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import list_table as table  # noqa: E402 (next to this file)
from stats import ci_text  # noqa: E402
from precision import rounds_needed, sd_of_logs  # noqa: E402

MODES = ('stock', 'ours')
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


def median(vals):
    vals = sorted(v for v in vals if isinstance(v, (int, float)))
    if not vals:
        return None
    n = len(vals)
    return vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2


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
        out[key] = median(vals)
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
    o += ['', 'The rounds give one start-up pair each; :doc:`bench_startup` measures the',
          'PF and VF start-ups pair by pair, with their own intervals.']
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
    o += table(['', 'stock (median)', 'ours (median)', 'spread stock / ours',
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
            '(stalled %s: %s). There%s the igb VF PMD resets the VF: it polls the '
            'mailbox for the PF process\'s acknowledgement and then for its answer, each '
            'poll up to 2000 times with a 500 us sleep in between '
            '(``E1000_VF_MBX_INIT_TIMEOUT``, ``_DELAY`` of DPDK\'s e1000 base code, '
            '``rte_delay_us_sleep``); the sleeps overshoot, so a stall of about 2 s fits '
            'one poll running out: the PF process did not take the '
            'message in time, although the VF process slept. The same two PMDs talk in '
            'both ways, the bus is not in the path.%s The '
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
    o += table(['N', 'launch to all ports up, all rounds', 'the same, without a stall',
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
    o += table(['N', 'launch to all ports up (s)', 'ours / stock [95 % CI]', 'ports up',
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
    o += table(['per VF', 'stock', 'ours'], rows, [20, 40, 40])
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('results')
    ap.add_argument('--image', default='img/bench.png',
                    help='the chart, relative to the page (default img/bench.png)')
    ap.add_argument('--results-path', default='bench/results.json',
                    help='where the page says the JSON is, relative to doc/guides')
    ap.add_argument('--samples-path', default='bench/samples/',
                    help='where the page says the raw samples are, relative to doc/guides')
    a = ap.parse_args()
    with open(a.results, encoding='utf-8') as f:
        res = json.load(f)
    summ = res['summary']
    cfg = res['config']
    ver = res['versions']
    o = []
    o += ['.. SPDX-License-Identifier: BSD-3-Clause',
          '   Copyright(c) 2026 vftoken authors', '',
          '.. This page is generated by devtools/bench/report.py from the results of',
          '   devtools/bench/run.sh (build/bench/results.json): do not edit it, run',
          '   the benchmark again.', '']
    o += heading('Forwarding benchmark', '=')
    o += ['The same Debian ``dpdk-testpmd`` forwards on token-gated functions of the',
          'VM rig\'s emulated 82576 (QEMU ``igb``) two ways, alternated round by round',
          'in one boot of the VM:', '',
          '* **stock**: the ``vftoken`` CLI creates 2 VFs and sets the VF token; DPDK\'s',
          '  own pci bus opens the PF and the VFs with ``--vfio-vf-token``;',
          '* **ours**: the PF process loads ``librte_bus_sriov.so``, which creates the',
          '  VFs (``num_vfs=2``) and sets the token (``vf_token_file=``) before the PF',
          '  PMD probes; the VF process loads it too and opens each VF with',
          '  ``vf_token_file=``.', '',
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
    o += table(['', 'stock (median)', 'ours (median)',
                'ours / stock [95 % CI] (pairs, half-width)'], rows, [40, 16, 16, 28])
    o += ['Throughput ratios above 1 and time or cycle ratios below 1 favour ours.',
          'The ratio is the geometric mean of the paired ratios (one per round, or',
          'per pair of alternating windows) and the brackets its 95 % confidence',
          'interval: %s.' % esc(res['config'].get('method', 'n/a')), '']
    o += precision(res)

    o += ['.. image:: ' + a.image, '   :alt: forwarding, cycles/packet, start-up and ratios',
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
    o += table(['counter', 'stock', 'ours'], rows, [50, 20, 20])
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
    o += table(['round', 'mode', 'VF mac c/p', 'VF io c/p', 'VF BAR mappings'], rows,
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
        o += table(['DSO', 'stock', 'ours'], rows, [50, 20, 20])
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
    o += table(['seconds (medians)', 'stock', 'ours', 'ours / stock', 'spread stock / ours'],
               rows, [46, 10, 10, 12, 22])
    o += ['In *ours* the PF process creates the VFs and sets the token before its',
          'PMD probes, so its start-up contains work that *stock* does beforehand',
          'with the CLI (``vftoken vfs create``, ``vftoken token set``); the row',
          '"VFs created + token set + PF process ready" compares the whole path.',
          'The VF process differs only in how the VFs are opened.', '',
          'Each round gives one start-up pair, too few for narrow intervals:',
          ':doc:`bench_startup` (``devtools/bench/startup.sh``) starts the two ways',
          'again and again in one boot, pair by pair, and gives every start-up',
          'ratio with its interval.', '']

    o += heading('All figures', '-')
    rows = []
    for name, s in summ.items():
        rows.append([name, s['unit'], fmt(s['stock']['median'], s['unit']),
                     fmt(s['ours']['median'], s['unit']), ratio(s['ratio_ours_stock']),
                     '%s .. %s' % (ratio(s['paired_ratio_min']), ratio(s['paired_ratio_max'])),
                     '%s / %s' % (pct(s['stock']['spread_pct']), pct(s['ours']['spread_pct']))])
    o += table(['metric', 'unit', 'stock', 'ours', 'ratio', 'paired ratios',
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
    o += table(['round', 'mode', 'VF mac pps', 'c/p', 'VF io pps', 'c/p', 'PF io pps', 'c/p',
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
    o += table(['', ''], [[r[0], esc(r[1])] for r in rows], [20, 80])
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
          'the PF\'s only way in: frames to its own MAC die in the NIC, as DPDK\'s igb',
          'PMD maps that MAC to pool 0 (VF0\'s) when the port starts and testpmd',
          'cannot give the PF\'s pool a MAC on igb. The launch\'s burst (the one the',
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
    o += ['The last two columns come from ``devtools/bench/precision.py``: the',
          'standard deviation of the log ratios (the pair-to-pair noise, measured),',
          'and the number of pairs a t-interval at that noise would need to be',
          'within ±3 % (a projection from the measured noise, not a measurement).', '']
    rows = []
    for n, c in all_cis(res):
        sd = sd_of_logs(c.get('ratios') or [])
        need = rounds_needed(sd, 3.0)
        rows.append([esc(n), ci_text(c), 'n/a' if sd is None else '%.2f %%' % (100 * sd),
                     'n/a' if need is None else str(need)])
    o += table(['figure', 'ours / stock [95 % CI] (pairs, half-width)', 'sd (log)',
                'pairs for ±3 %'], rows, [35, 41, 10, 14])
    o += precision(res)
    o += heading('Provenance', '-')
    o += ['This page, its chart, ``doc/guides/%s`` (every figure per round and mode,'
          % a.results_path,
          'schema ``%s``) and the raw per-round samples the guest wrote' % res['schema'],
          '(``doc/guides/%s``, one ``ROUND<TAB>MODE<TAB>KEY<TAB>VALUE`` per line) were'
          % a.samples_path,
          'all written by ``devtools/bench/run.sh --publish`` from one run; nothing was',
          'copied by hand. From a clone, after ``devtools/setup.sh``::', '',
          '   ' + (res.get('command') or 'devtools/bench/run.sh --publish'), '',
          'The testpmd logs with time stamps stay in ``build/bench/logs/``.', '']
    sys.stdout.write('\n'.join(o).rstrip('\n') + '\n')


if __name__ == '__main__':
    main()

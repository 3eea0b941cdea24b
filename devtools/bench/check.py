#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Check that the forwarding benchmark produced well-formed output.

    check.py RESULTS.json [--png RESULTS.png] [--rst benchmark.rst]
             [--samples DIR] [--no-path PATH]... [--want interleave|scale]...

Checks the files exist and are well formed: every key collect.py writes is
there, every figure is a finite number (packet counts and rates positive:
a run that forwarded nothing is broken, not slow), no UUID (a token) appears
anywhere, the chart is a PNG, and with --rst the generated guide page names
the same date and its image is a PNG. Every ratio has a well-formed
confidence interval (lo <= ratio <= hi when there are 2 pairs or more);
--want names the optional parts (interleave, scale) that must be there;
--no-path: that path (of this machine) must appear in none of the files.
No check is about how fast anything
was: this is a benchmark's smoke test, not a performance test.
Prints one line per failed check and "N passed, N failed"; exit status 1 if
any failed.
"""
import argparse
import json
import math
import os
import re
import struct
import sys

SCHEMA = 'vftoken-bench/2'
MODES = ('stock', 'ours')
PNG_SIG = b'\x89PNG\r\n\x1a\n'
UUID_RE = re.compile(r'[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}')

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


def check_no_path(path, needles):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError as e:
        check('%s readable' % path, False, str(e))
        return
    found = [n for n in needles if n and n != '/' and n in text]
    check('%s holds no path of this machine' % path, not found, ', '.join(found))


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
    check('%s says it is generated' % path, 'generated by devtools/bench/report.py' in text)
    date = (res or {}).get('date', '')[:10]
    check('%s has the results\' date %s' % (path, date), bool(date) and date in text)
    m = re.search(r'^\.\. image:: (\S+)', text, re.M)
    check('%s includes an image' % path, m is not None)
    if m:
        check_png(os.path.join(os.path.dirname(path), m.group(1)), 'guide image')
    check('%s has no UUID' % path, not UUID_RE.search(text))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('results')
    ap.add_argument('--png', help='default: results.png next to the JSON')
    ap.add_argument('--rst', help='the generated guide page to check too')
    ap.add_argument('--samples', help='the published raw samples (a directory of .tsv)')
    ap.add_argument('--no-path', action='append', default=[],
                    help='a path of this machine that no file may hold')
    ap.add_argument('--want', action='append', default=[], choices=('interleave', 'scale'))
    a = ap.parse_args()
    res = check_json(a.results)
    for part in a.want:
        (check_interleave if part == 'interleave' else check_scale)((res or {}).get(part))
    files = [a.results] + ([a.rst] if a.rst else [])
    if a.samples:
        tsvs = sorted(os.path.join(a.samples, f) for f in os.listdir(a.samples)
                      if f.endswith('.tsv')) if os.path.isdir(a.samples) else []
        check('%s holds the raw samples (rounds.tsv%s)' % (
            a.samples, ''.join(', %s.tsv' % w for w in a.want)),
            all(os.path.join(a.samples, f + '.tsv') in tsvs for f in ['rounds'] + a.want),
            repr(tsvs))
        files += tsvs
    if a.no_path:
        for f in files:
            check_no_path(f, a.no_path)
        for f in files:
            with open(f, encoding='utf-8', errors='replace') as fh:
                check('%s has no UUID (token)' % f, not UUID_RE.search(fh.read()))
    check_png(a.png or os.path.join(os.path.dirname(a.results) or '.', 'results.png'),
              'chart')
    if a.rst:
        check_rst(a.rst, res)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

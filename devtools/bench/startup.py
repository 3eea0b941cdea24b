#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Start-up ratios ours / stock of the start-up benchmark (startup.sh).

Reads what devtools/vm/scenarios/bench.sh --startup-only wrote (ROUND, MODE,
KEY, VALUE; a round is one ABBA pair of start-ups), nests each pair's
figures as collect.py does for the forwarding benchmark's rounds and takes
its definitions of the start-up figures (collect.METRICS), then reports per
figure the median of each way and the ratio ours / stock with its 95 %
interval (stats.py: paired by pair, t-interval on the log ratios), the
pair-to-pair noise and the pairs a +-3 % interval needs at that noise
(precision.py, a projection). Writes results.json and, with --doc, the
guide page; nothing here is copied by hand.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import collect  # noqa: E402 (next to this file)
from benchlib import (arg_parser, finish, host_environment, list_table,  # noqa: E402
                      published_clean, write_json, write_page)
from precision import rounds_needed, sd_of_logs  # noqa: E402
from stats import METHOD, ci_text  # noqa: E402

NAME = 'startup'
GOAL_PCT = 3.0
# what a --startup-only pair measures, in the page's order
FIGURES = ('pf_configure_s', 'pf_ready_s', 'pf_first_rx_s', 'pf_path_ready_s',
           'pf_load_s', 'pf_probe_s', 'pf_cpu_ready_s',
           'vf_configure_s', 'vf_ready_s', 'vf_first_rx_s',
           'vf_load_s', 'vf_probe_s', 'vf_cpu_ready_s')
# the ratios the +-3 % goal is about: launch to ready and to first packet
HEADLINE = ('pf_configure_s', 'pf_ready_s', 'pf_first_rx_s', 'pf_path_ready_s',
            'vf_configure_s', 'vf_ready_s', 'vf_first_rx_s')


def load(path):
    facts, runs = collect.read_tsv(path)
    pairs = facts.get('rounds')
    if facts.get('startup_only') != 1 or not isinstance(pairs, int) or pairs < 2:
        sys.exit('%s.py: %s: no "startup_only" fact 1 and "rounds" >= 2: not a '
                 'bench.sh --startup-only output' % (NAME, path))
    return facts, collect.build_rounds(runs, pairs)


def summarise(rounds):
    summ = collect.summarize(rounds, [])
    out = {}
    for name in FIGURES:
        s = summ.get(name)
        if not s:
            continue
        sd = sd_of_logs(s['ci']['ratios'])
        s['sd_log'] = round(sd, 5) if sd is not None else None
        s['pairs_for_3pct'] = rounds_needed(sd, GOAL_PCT)
        out[name] = s
    return out


def shares_of_slow(rounds, key, step=0.5):
    """How many of the runs took more than @step s above that way's
    fastest run, per way: the runs EAL's loading made slow."""
    out = {}
    for m in collect.MODES:
        vals = [collect._get(r.get(m, {}), key.split('.')) for r in rounds]
        vals = [v for v in vals if v is not None]
        out[m] = (sum(1 for v in vals if v > min(vals) + step), len(vals)) if vals else (0, 0)
    return out


def env_rows(facts, env):
    load = env.get('host_load') or {}
    rows = [
        ['guest kernel', facts.get('kernel', '?')],
        ['guest vCPUs, CPU model, memory', '%s, %s, %s MB' % (
            facts.get('guest_cpus', '?'), facts.get('guest_cpu_model', '?'),
            (facts.get('guest_mem_kb') or 0) // 1024)],
        ['timing', 'QEMU -icount shift=%s, single-threaded TCG' % env.get('icount_shift')],
        ['QEMU', env.get('qemu') or '?'],
        ['DPDK (Debian package)', env.get('dpdk') or '?'],
        ['vftoken', '%s (%s)' % (env.get('vftoken') or '?', env.get('vftoken_git') or '?')],
        ['host', '%s, %s, %s CPUs' % (env.get('host_os') or '?', env.get('host_cpu') or '?',
                                      env.get('host_cpus') or '?')],
    ]
    if load:
        rows.append(['host load while startup.sh ran',
                     '%s %% busy, load average %s at the start, %s at the end'
                     % (load.get('busy_pct'), load.get('loadavg_start', [None])[0],
                        load.get('loadavg_end', [None])[0])])
    return rows


def write_doc(path, facts, rounds, res, env, command):
    rows = []
    for name, s in res.items():
        rows.append(['``%s``: %s' % (name, s['what']),
                     '%.3f' % s['stock']['median'], '%.3f' % s['ours']['median'],
                     ci_text(s['ci']),
                     '%.2f %%' % (100 * s['sd_log']) if s['sd_log'] is not None else 'n/a',
                     str(s['pairs_for_3pct'] or 'n/a')])
    head = [n for n in HEADLINE if n in res and res[n]['ci'].get('half_pct') is not None]
    good = [n for n in head if res[n]['ci']['half_pct'] <= GOAL_PCT]
    wide = ['``%s`` (±%.1f %%)' % (n, res[n]['ci']['half_pct']) for n in head
            if n not in good]
    slow = shares_of_slow(rounds, 'pf.load_s')
    slow_vf = shares_of_slow(rounds, 'vf.load_s')
    body = [
        'The two ways of :doc:`benchmark` started again and again in one boot of',
        'the rig (kernel %s, 2 vCPUs), %d pairs in ABBA order (odd pairs stock'
        % (facts.get('kernel', '?'), len(rounds)),
        'first), each way from the same state (PF on ``vfio-pci``, no VF):',
        '',
        '* **stock**: ``vftoken vfs create`` and ``vftoken token set``, then',
        '  ``dpdk-testpmd`` on the PF with ``--vfio-vf-token``, then one on both',
        '  VFs with it;',
        '* **ours**: ``dpdk-testpmd -d librte_bus_sriov.so`` on the PF with',
        '  ``num_vfs=2,vf_token_file=``, then one on both VFs with',
        '  ``vf_token_file=``.',
        '',
        'Each PF process runs to its first packet over the wire and stops',
        'forwarding; the VF process runs to the first packets on both VF ports;',
        'then both exit and the VFs are removed. No forwarding window is',
        'measured (that is :doc:`benchmark`, whose rounds give one start-up',
        'pair each). The guest\'s clock is QEMU\'s instruction count',
        '(``-icount``), and testpmd, the plugin, DPDK\'s PMD directory and every',
        'shared object they load are copies on the guest\'s tmpfs',
        '(``stage_dpdk`` in ``devtools/vm/lib/scenario.sh``): each open of a file',
        'over the rig\'s 9p root waits for QEMU in host time, which the guest\'s',
        'clock would count while the guest idles.',
        '',
        'The ratio is ours / stock, paired by pair: %s. The last two columns:' % METHOD,
        'the pair-to-pair noise (standard deviation of the log ratios, measured)',
        'and the pairs a ±3 % interval needs at that noise (a projection,',
        '``devtools/bench/precision.py``).',
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
    ] + list_table(['what', 'version or figure'], env_rows(facts, env))
    write_page(path, 'startup.py', 'Benchmark: start-up, pair by pair', body, command)


def main():
    ap = arg_parser(NAME)
    ap.add_argument('--sample', action='append', default=[],
                    help='a published raw file to check for paths and UUIDs')
    a = ap.parse_args()
    facts, rounds = load(a.tsv)
    env = host_environment(facts, a.host_load, a.revision)
    env['icount_shift'] = os.environ.get('VM_ICOUNT_SHIFT', '4')
    res = summarise(rounds)
    ok = all(n in res and res[n]['ci']['ratio'] is not None for n in HEADLINE)
    write_json(a.json, {'command': a.command, 'method': METHOD, 'accel': 'icount',
                        'pairs': len(rounds), 'goal_pct': GOAL_PCT, 'versions': env,
                        'results': res, 'rounds': rounds})
    for name, s in res.items():
        print('%s: %-16s stock %.3f ours %.3f ours/stock %s' % (
            NAME, name, s['stock']['median'], s['ours']['median'], ci_text(s['ci'])))
    if a.doc and ok:
        write_doc(a.doc, facts, rounds, res, env, a.command)
        ok = published_clean(NAME, [a.doc] + a.sample, [os.path.abspath(a.tsv)])
    return finish(NAME, ok)


if __name__ == '__main__':
    sys.exit(main())

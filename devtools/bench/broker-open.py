#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""A VF open through the VF token broker against a direct open
(devtools/bench/broker-open.sh).

Reads the raw figures of devtools/vm/scenarios/bench-broker.sh (a header
line, then per round: ROUND, ORDER and the median, mean, min and max open
time of each way in microseconds), pairs the two ways of each round by
their medians and reports the ratio broker/direct with its 95 % interval
by the benchmark's one method (stats.py; the rounds are ABBA-ordered, so
drift cancels within a pair), and the broker's extra time per open (the
paired difference, Student's t-interval). Writes results.json and, with
--doc, the guide page; nothing here is copied by hand.
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (arg_parser, finish, host_environment,  # noqa: E402
                      list_table, load_env, load_tsv, number,
                      published_clean, write_json, write_page)
from stats import METHOD, ci_text, paired_ci, paired_diff_ci  # noqa: E402

NAME = 'broker-open'
WAYS = ('direct', 'broker')
STATS = ('median', 'mean', 'min', 'max')
COLUMNS = (['round', 'order'] + ['%s_%s_us' % (w, s) for s in STATS for w in WAYS]
           + ['%s_close_median_us' % w for w in WAYS])
ORDERS = ('direct-broker', 'broker-direct')


def load(path):
    """[{round, order, direct_median_us, ...}] from the TSV; a bad line is
    an error naming it."""
    rounds = []
    for n, parts in load_tsv(NAME, path, len(COLUMNS), header='round'):
        if not parts[0].isdigit() or parts[1] not in ORDERS:
            sys.exit('%s.py: %s:%d: %r does not start with ROUND<TAB>%s'
                     % (NAME, path, n, '\t'.join(parts), '|'.join(ORDERS)))
        row = {'round': int(parts[0]), 'order': parts[1]}
        for key, text in zip(COLUMNS[2:], parts[2:]):
            row[key] = number(NAME, path, n, text)
        rounds.append(row)
    return rounds


def summarise(rounds):
    res = {}
    for way in WAYS:
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


def timing_text(accel):
    if accel == 'icount':
        return ('QEMU ``-icount`` (guest time from the instruction count, so '
                "the shared host's load hardly moves it)")
    return ("plain TCG (wall clock in the guest: the shared host's load "
            'shows in the spread)')


def env_rows(guest, env, accel):
    load = env.get('host_load') or {}
    rows = [
        ['guest kernel', guest.get('kernel', '?')],
        ['guest vCPUs, CPU model', '%s, %s' % (guest.get('vcpus', '?'),
                                               guest.get('guest_cpu', '?'))],
        ['VFIO path', guest.get('path', '?')],
        ['timing', 'QEMU -icount shift=%s, single-threaded TCG' % env.get('icount_shift')
         if accel == 'icount' else 'TCG, guest wall clock'],
        ['QEMU', env.get('qemu') or '?'],
        ['vftoken', '%s (%s)' % (env.get('vftoken') or '?',
                                 env.get('vftoken_git') or '?')],
        ['host', '%s, %s, %s CPUs' % (env.get('host_os') or '?',
                                      env.get('host_cpu') or '?',
                                      env.get('host_cpus') or '?')],
    ]
    if load:
        rows.append(['host load while broker-open.sh ran (waiting for the VM included)',
                     '%s %% busy, load average %s at the start, %s at the end'
                     % (load.get('busy_pct'), load.get('loadavg_start', [None])[0],
                        load.get('loadavg_end', [None])[0])])
    return rows


def write_doc(path, rounds, res, guest, env, accel, command):
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
        '%s. The ratio is broker/direct, paired by round: %s. The extra time'
        % (timing_text(accel), method_text()),
        'is the mean of the paired differences broker - direct with its 95 %',
        'Student t-interval.',
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
    ] + list_table(['what', 'version or figure'], env_rows(guest, env, accel))
    write_page(path, 'broker-open.py',
               'Benchmark: opening a VF through the broker', body, command)


def main():
    ap = arg_parser(NAME)
    ap.add_argument('--sample', action='append', default=[],
                    help='a published raw file to check for paths and UUIDs')
    a = ap.parse_args()
    rounds = load(a.tsv)
    guest = load_env(a.env)
    env = host_environment(guest, a.host_load, a.revision)
    # devtools/vm/run.sh's -icount shift (its default unless set)
    env['icount_shift'] = os.environ.get('VM_ICOUNT_SHIFT', '4') if a.accel == 'icount' else None
    res = summarise(rounds)
    ok = res['broker_over_direct']['ratio'] is not None
    write_json(a.json, {'command': a.command, 'method': method_text(), 'accel': a.accel,
                        'guest': guest, 'versions': env, 'results': res,
                        'raw': rounds})
    for way in WAYS:
        print('%s: %-6s n=%d open median, mean over the rounds %s ms'
              % (NAME, way, res[way]['n'], ms(res[way]['median_us_mean'])))
    print('%s: broker/direct %s' % (NAME, ci_text(res['broker_over_direct'])))
    print('%s: broker - direct %s' % (NAME, diff_text(res['broker_minus_direct_us'])))
    if a.doc and ok:
        write_doc(a.doc, rounds, res, guest, env, a.accel, a.command)
        ok = published_clean(NAME, [a.doc] + a.sample, [os.path.abspath(a.tsv)])
    return finish(NAME, ok)


if __name__ == '__main__':
    sys.exit(main())

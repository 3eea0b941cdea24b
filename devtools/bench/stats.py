# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Confidence intervals for the benchmark's ratios ours / stock.

Method (also written into results.json): the two ways are measured in
pairs (one stock and one ours figure of the same round, or of the same
ABBA pair of short windows); each pair gives a ratio ours / stock. The
estimate is the geometric mean of the paired ratios, and its 95 %
confidence interval is Student's t-interval on the mean of the log ratios,
exp(mean +- t(0.975, n - 1) * sd / sqrt(n)). Pairing cancels what the two
members share (host load drifting over minutes); the log makes the
interval symmetric in relative terms and the same for ours / stock and
stock / ours.
"""
import math

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

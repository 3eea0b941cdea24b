# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""What the one-boot side-by-side benchmarks' reports share.

mp-attach.py, paths.py and broker-open.py each read the raw figures their
scenario wrote, pair the two ways of each round (stats.py's method), and
write results.json and a guide page. This module holds the common part:
the command line, reading the TSV and the guest's facts, the host's
environment, the JSON, the page's frame and its tables, and the closing
"N passed, N failed" line. Nothing here is specific to one benchmark.
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def arg_parser(name):
    """The options every report takes: TSV, --json, --doc, --command,
    --env, --accel, --host-load."""
    ap = argparse.ArgumentParser(prog=name + '.py')
    ap.add_argument('tsv', help='the raw figures the scenario wrote')
    ap.add_argument('--json', required=True, help='results.json to write')
    ap.add_argument('--doc', help='the guide page to write')
    ap.add_argument('--command', default='devtools/bench/%s.sh' % name,
                    help='the command that reproduces the run')
    ap.add_argument('--env', help="the guest's facts, KEY<TAB>VALUE lines")
    ap.add_argument('--accel', default='icount', help='icount or tcg')
    ap.add_argument('--host-load', help="devtools/bench/lib.sh's host load")
    ap.add_argument('--revision', help='git describe of the tree when the run began')
    return ap


def fail(name, msg):
    """A bad input file: say where, and stop with status 1."""
    sys.exit('%s.py: %s' % (name, msg))


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


def host_environment(guest, host_load_path=None, revision=None):
    """What ran, as the forwarding benchmark records it (collect.py): QEMU,
    DPDK, vftoken and the host, plus the host's load over the run. The
    tree's revision is @revision when given (taken when the run began:
    by now the run has written into doc/)."""
    import collect  # noqa: E402 (next to this file; no plotting at import)
    env = collect.versions({'kernel': guest.get('kernel')})
    env['host_load'] = collect.host_load(host_load_path) if host_load_path else None
    if revision:
        env['vftoken_git'] = revision
    return env


def write_json(path, obj):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=2)


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


def write_page(path, script, title, body, command):
    """The guide page: licence, the "written by" note, @title, the @body
    lines, then how to reproduce it with @command."""
    lines = [
        '.. SPDX-License-Identifier: BSD-3-Clause',
        '   Copyright(c) 2026 vftoken authors',
        '',
        '.. This page is written by devtools/bench/%s; do not edit.' % script,
        '',
        title,
        '=' * len(title),
        '',
    ] + body + ['Reproduce from a clone::', '', '   ' + command, '']
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', re.I)
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))


def published_clean(name, files, needles=()):
    """What goes into doc/ holds no path of this machine (the clone's root
    and @needles) and no UUID (a token): one line per file; True if all
    are clean."""
    ok = True
    needles = [n for n in (ROOT,) + tuple(needles) if n and n != '/']
    for path in files:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
        bad = [n for n in needles if n in text]
        if UUID_RE.search(text):
            bad.append('a UUID')
        print('%s: %s: %s' % (name, path if not bad else path + ' holds ' + ', '.join(bad),
                              'no path of this machine, no UUID' if not bad else 'FAILED'))
        ok = ok and not bad
    return ok


def finish(name, ok):
    """The closing tally; the exit status."""
    print('%s: %d passed, %d failed' % ((name,) + ((1, 0) if ok else (0, 1))))
    return 0 if ok else 1

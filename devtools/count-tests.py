#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Count passed and failed checks in a meson testlog.json.

A test that prints a cmocka summary or a final "N passed, N failed" line is
counted by its checks; any other test counts once by its verdict. A test
whose verdict is a failure counts at least one failure even if its output
claims none failed.

With --failures N it also writes, to standard error, the name of every
test whose verdict is a failure and the last N lines of its output (the
VM scenarios print their console's tail there), so that a CI log that
shows only test.sh's output says why.
"""
import json
import re
import sys

SUMMARY = re.compile(r'^(?:\w+: )?(\d+) passed, (\d+) failed', re.M)
CMOCKA_OK = re.compile(r'^\[  PASSED  \] (\d+) test', re.M)
CMOCKA_BAD = re.compile(r'^\[  FAILED  \] (\d+) test', re.M)


def count(entry):
    out = (entry.get('stdout') or '') + (entry.get('stderr') or '')
    ok = entry.get('result') in ('OK', 'EXPECTEDFAIL')
    passed = failed = 0
    lines = SUMMARY.findall(out)
    if lines:
        passed, failed = map(int, lines[-1])
    elif CMOCKA_OK.search(out) or CMOCKA_BAD.search(out):
        passed = sum(int(n) for n in CMOCKA_OK.findall(out))
        failed = sum(int(n) for n in CMOCKA_BAD.findall(out))
    else:
        passed, failed = (1, 0) if ok else (0, 1)
    if not ok and failed == 0:
        failed = 1
    return passed, failed


def show_failure(entry, lines):
    out = ((entry.get('stdout') or '') + (entry.get('stderr') or '')).splitlines()
    name = entry.get('name', '?')
    print(f'---- {name}: {entry.get("result")}, last {min(lines, len(out))} '
          f'of {len(out)} lines ----', file=sys.stderr)
    for line in out[-lines:]:
        print(f'  {line}', file=sys.stderr)


def main(path, failures=0):
    passed = failed = 0
    try:
        with open(path, encoding='utf-8') as f:
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                p, fl = count(entry)
                passed += p
                failed += fl
                if failures and fl:
                    show_failure(entry, failures)
    except FileNotFoundError:
        pass
    print(passed, failed)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--failures':
        main(sys.argv[3], int(sys.argv[2]))
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit('usage: count-tests.py [--failures LINES] TESTLOG.json')

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Count passed and failed checks in a meson testlog.json.

A test that prints a cmocka summary or a final "N passed, N failed" line is
counted by its checks; any other test counts once by its verdict. A test
whose verdict is a failure counts at least one failure even if its output
claims none failed.
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


def main(path):
    passed = failed = 0
    try:
        with open(path, encoding='utf-8') as f:
            for line in f:
                if line.strip():
                    p, fl = count(json.loads(line))
                    passed += p
                    failed += fl
    except FileNotFoundError:
        pass
    print(passed, failed)


if __name__ == '__main__':
    main(sys.argv[1])

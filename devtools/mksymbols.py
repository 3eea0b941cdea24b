#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Write debian/libvftoken0.symbols from the version map of libvftoken.so.0.

The map is what devtools/mkmap.py makes of vftoken.h (version node
VFTOKEN_0, packaging/meson.build); each symbol listed there is exported as
SYMBOL@VFTOKEN_0. A symbol already in the symbols file keeps the version
written there (the first upstream version that had it); a new one gets the
version in VERSION. dpkg-gensymbols checks the file against the built
library at package build; tests/ops/symbols_test.sh checks it against
vftoken.h at every test run.

    mksymbols.py MAP VERSION_FILE SYMBOLS_FILE [--check]

--check: write nothing, exit 1 and print the difference if SYMBOLS_FILE is
not what this would write.
"""

import difflib
import re
import sys

HEADER = ('libvftoken.so.0 libvftoken0 #MINVER#\n'
          '* Build-Depends-Package: libvftoken-dev\n')
LINE_RE = re.compile(r'^ (\S+)@(\S+) (\S+)$')


def map_symbols(path):
    """(node, [symbols]) of a version script with one node."""
    text = open(path, encoding='utf-8').read()
    m = re.search(r'^(\w+) \{', text, re.M)
    if m is None:
        sys.exit('mksymbols.py: %s: no version node' % path)
    glob = text.split('global:', 1)[1].split('local:', 1)[0]
    syms = sorted(s.strip() for s in glob.split(';') if s.strip())
    return m.group(1), syms


def known_versions(path):
    """{symbol@node: version} of an existing symbols file."""
    res = {}
    try:
        lines = open(path, encoding='utf-8').read().splitlines()
    except FileNotFoundError:
        return res
    for line in lines:
        m = LINE_RE.match(line)
        if m:
            res['%s@%s' % (m.group(1), m.group(2))] = m.group(3)
    return res


def render(node, syms, known, version):
    out = [HEADER]
    for name in [node] + syms:
        key = '%s@%s' % (name, node)
        out.append(' %s %s\n' % (key, known.get(key, version)))
    return ''.join(out)


def main():
    args = [a for a in sys.argv[1:] if a != '--check']
    if len(args) != 3:
        sys.exit(__doc__.split('\n\n')[3])
    node, syms = map_symbols(args[0])
    version = open(args[1], encoding='utf-8').read().strip()
    text = render(node, syms, known_versions(args[2]), version)
    if '--check' in sys.argv:
        old = open(args[2], encoding='utf-8').read()
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                args[2], 'from ' + args[0]))
            sys.exit(1)
        return
    with open(args[2], 'w', encoding='utf-8') as f:
        f.write(text)


if __name__ == '__main__':
    main()

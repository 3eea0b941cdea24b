#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Print the PMD directory compiled into a DPDK EAL library.

EAL loads every plugin in that directory without -d. DPDK's build tags the
path in librte_eal as the string DPDK_PLUGIN_PATH=<dir> (the tag its own
usertools/dpdk-pmdinfo.py reads), so the directory is read from the
library the plugin is built against rather than guessed.

    dpdk-pmd-dir.py LIBRTE_EAL     e.g. /usr/lib/x86_64-linux-gnu/librte_eal.so
"""

import sys

TAG = b'DPDK_PLUGIN_PATH='


def pmd_dir(path):
    """The tagged directory in the file at path, or exit with a reason."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        sys.exit('dpdk-pmd-dir.py: cannot read %s: %s' % (path, e.strerror))
    start = data.find(TAG)
    if start < 0:
        sys.exit('dpdk-pmd-dir.py: %s has no %s tag: not a shared EAL '
                 'library of DPDK >= 17.11' % (path, TAG.decode()))
    start += len(TAG)
    end = data.find(b'\0', start)
    value = data[start:end].decode('utf-8', 'replace')
    if not value.startswith('/'):
        sys.exit('dpdk-pmd-dir.py: %s: %s%r is not an absolute directory' %
                 (path, TAG.decode(), value))
    return value


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: dpdk-pmd-dir.py LIBRTE_EAL')
    print(pmd_dir(sys.argv[1]))


if __name__ == '__main__':
    main()

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The benchmarks' one runner (devtools/bench/README.md):
#   devtools/bench/run.sh [NAME] [options]     NAME: forwarding (the default),
#       startup, broker-open, paths, mp-attach, startup-scale, autoload
#   devtools/bench/run.sh NAME --report-only [--from DIR] [--publish]
#   devtools/bench/run.sh all --report-only --out DIR
# Everything is in bench.py; matplotlib (the forwarding chart) is Debian's
# python3-matplotlib, hence the system python when it has it.
py=python3
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null && py=/usr/bin/python3
exec "$py" "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/bench.py" "$@"

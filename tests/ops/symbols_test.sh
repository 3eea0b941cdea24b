#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# debian/libvftoken0.symbols lists exactly what libvftoken.so.0 exports:
# the version map devtools/mkmap.py makes of vftoken.h. A function added to
# (or removed from) vftoken.h without regenerating the symbols file fails
# here, before dpkg-gensymbols fails the package build:
#   python3 devtools/mkmap.py lib/vftoken/vftoken.h /tmp/libvftoken.map
#   python3 devtools/mksymbols.py /tmp/libvftoken.map VERSION \
#       debian/libvftoken0.symbols
#
# Usage: symbols_test.sh SOURCE_ROOT
set -u
SRC=${1:?usage: symbols_test.sh SOURCE_ROOT}
T=$(mktemp -d "${TMPDIR:-/tmp}/vft-symbols-test-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)) && echo "ok - $*"; }
nok() { FAIL=$((FAIL + 1)) && echo "not ok - $*"; }

if python3 "$SRC/devtools/mkmap.py" "$SRC/lib/vftoken/vftoken.h" "$T/map" 2>"$T/err"; then
	ok "mkmap.py made the version map of vftoken.h"
else
	nok "mkmap.py failed: $(cat "$T/err")"
fi
if python3 "$SRC/devtools/mksymbols.py" "$T/map" "$SRC/VERSION" \
	"$SRC/debian/libvftoken0.symbols" --check >"$T/diff" 2>&1; then
	ok "debian/libvftoken0.symbols matches the version map"
else
	nok "debian/libvftoken0.symbols differs from the version map (regenerate it):"
	sed 's/^/#   /' "$T/diff"
fi
n=$(grep -c '^ vft_[a-z0-9_]*@VFTOKEN_0 ' "$SRC/debian/libvftoken0.symbols")
m=$(grep -c '^		vft_' "$T/map")
if [ "$n" -gt 0 ] && [ "$n" = "$m" ]; then
	ok "$n vft_ symbols, as many as the map exports"
else
	nok "symbols file has $n vft_ symbols, the map $m"
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

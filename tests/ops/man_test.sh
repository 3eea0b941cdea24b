#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The manual pages rendered by devtools/mkman.py from `vftoken --help`,
# `vftoken CMD --help` and `vftokend --help`: each page renders with groff and with `man -l`
# without a warning, has its NAME, SYNOPSIS and EXIT STATUS, lists every
# exit code, and shows every option of its command's --help.
#
# Usage: man_test.sh MKMAN_PY VFTOKEN_BINARY [MANDIR [VFTOKEND_BINARY]]
#   MANDIR: already built pages to check as well (meson's doc/man output).
#   VFTOKEND_BINARY: the daemon, whose vftokend.8 is checked too.
set -u

MKMAN=${1:?usage: man_test.sh MKMAN_PY VFTOKEN_BINARY [MANDIR]}
VFT=${2:?usage: man_test.sh MKMAN_PY VFTOKEN_BINARY [MANDIR]}
BUILT=${3:-}
VFTD=${4:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/vft-man-test-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/ops/lib.sh
. "$(dirname "$0")/lib.sh"

if python3 "$MKMAN" "$VFT" "$T" 2>"$T/mkman.err"; then
	ok "mkman.py rendered the pages"
else
	nok "mkman.py failed: $(cat "$T/mkman.err")"
fi

# check_page FILE BINARY CMD...: CMD is the help command (none for the
# program's main page)
check_page() {
	page=$1
	bin=$2
	shift 2
	name=$(basename "$page")
	if [ ! -s "$page" ]; then
		nok "$name missing or empty"
		return
	fi
	if LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" >"$T/groff.err" 2>&1 &&
		[ ! -s "$T/groff.err" ]; then
		ok "$name: groff -man -ww renders without warnings"
	else
		nok "$name: groff warns: $(head -5 "$T/groff.err")"
	fi
	if MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$page" >"$T/man.out" 2>"$T/man.err" &&
		[ -s "$T/man.out" ] && [ ! -s "$T/man.err" ]; then
		ok "$name: man -l renders without warnings"
	else
		nok "$name: man -l: $(head -5 "$T/man.err")"
	fi
	# ASCII, no hyphenation, long lines: options stay whole for grep
	groff -man -Tascii -rLL=300n -rHY=0 -P-cbu "$page" >"$T/page.txt" 2>/dev/null
	for sect in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
		if grep -q "^$sect\$" "$T/page.txt"; then
			ok "$name has section $sect"
		else
			nok "$name lacks section $sect"
		fi
	done
	# shellcheck disable=SC2068 # $@ is the help command, maybe empty
	"$bin" $@ --help >"$T/help.txt"
	missing=""
	grep -oE -- '--[a-z][a-z-]*' "$T/help.txt" | sort -u >"$T/opts"
	while read -r o; do
		grep -qF -- "$o" "$T/page.txt" || missing="$missing $o"
	done <"$T/opts"
	if [ -z "$missing" ] && grep -q -- '--help' "$T/help.txt"; then
		ok "$name shows every option of '$* --help'"
	else
		nok "$name lacks options:$missing"
	fi
	missing=""
	sed -n 's/^ *\([0-9][0-9]*\)  \([a-z-]*\) .*/\1:\2/p' "$T/help.txt" >"$T/codes"
	while read -r c; do
		grep -qE "^ *${c%%:*} \\(${c#*:}\\)" "$T/page.txt" || missing="$missing $c"
	done <"$T/codes"
	# the CLI's table must reach its last code; the daemon's has 0 to 2
	last='14 (broker-unreachable)'
	[ "$bin" = "$VFT" ] || last='2 (usage)'
	if [ -z "$missing" ] && grep -q "$last" "$T/page.txt"; then
		ok "$name lists every exit code"
	else
		nok "$name lacks exit codes:$missing"
	fi
}

check_page "$T/vftoken.1" "$VFT"
for c in status vfs token check cdi; do
	check_page "$T/vftoken-$c.1" "$VFT" "$c"
done
pages="vftoken.1 vftoken-status.1 vftoken-vfs.1 vftoken-token.1 vftoken-check.1 vftoken-cdi.1"
if [ -n "$VFTD" ]; then
	if python3 "$MKMAN" --daemon "$VFTD" "$T" 2>"$T/mkman.err"; then
		ok "mkman.py --daemon rendered vftokend.8"
	else
		nok "mkman.py --daemon failed: $(cat "$T/mkman.err")"
	fi
	check_page "$T/vftokend.8" "$VFTD"
	pages="$pages vftokend.8"
	# the operator's sections of `vftokend --help` (doc/guides/broker.rst)
	groff -man -Tascii -rLL=300n -rHY=0 -P-cbu "$T/vftokend.8" \
		>"$T/d.txt" 2>/dev/null
	for sect in SIGNALS POLICY LOGGING SYSTEMD FILES; do
		if grep -q "^$sect\$" "$T/d.txt"; then
			ok "vftokend.8 has section $sect"
		else
			nok "vftokend.8 lacks section $sect"
		fi
	done
	for w in SIGHUP broker.policy PF.token broker.sock WATCHDOG=1; do
		if grep -qF "$w" "$T/d.txt"; then
			ok "vftokend.8 names $w"
		else
			nok "vftokend.8 does not name $w"
		fi
	done
fi
if [ -n "$BUILT" ]; then
	for p in $pages; do
		if cmp -s "$T/$p" "$BUILT/$p"; then
			ok "built $p is what mkman.py renders now"
		else
			nok "built $BUILT/$p differs from a fresh render"
		fi
	done
fi

ops_done

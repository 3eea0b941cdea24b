#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Secret hygiene for the scenarios (sourced by lib/scenario.sh): a token
# in none of the files a run kept, in any encoding (token_scan), and no
# UUID at all where none belongs.

UUID_RE='[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}'

# token_scan TOKEN-FILE FILE...: prints the forms of the token found in each
# FILE ("FILE: form"): its hex text in any case with any separators
# (hyphens, colons, "0x", "\x"), the little-endian GUID order, the raw 16
# bytes in either order. 0 if found nowhere. The text forms are searched in
# a copy of the file lowered and stripped of every separator and prefix, so
# one plain search finds all their spellings (a superset of them: a
# separator inside a byte's two digits counts too); a regular expression
# per spelling is too slow under TCG for DPDK's MB-sized runtime files.
# Python without site (-S) and with no module but sys: its start-up is
# most of a call under TCG (about 1.2 s with site and uuid/re, 0.35 s so).
token_scan() {
	python3 -S - "$@" <<'PY'
import sys

text = open(sys.argv[1]).read().strip().lower().replace("-", "")
raw = bytes.fromhex(text)
if len(raw) != 16:
    sys.exit("token_scan: %s holds no UUID" % sys.argv[1])
# the GUID order: the first three fields little-endian
le = raw[3::-1] + raw[5:3:-1] + raw[7:5:-1] + raw[8:]
forms = [("hex text (canonical, any case, any separators)", raw.hex()),
         ("little-endian GUID hex", le.hex())]
found = False
for path in sys.argv[2:]:
    try:
        data = open(path, "rb").read()
    except OSError as e:
        print("%s: cannot read: %s" % (path, e))
        found = True
        continue
    flat = data.lower().translate(None, b" \t\n\r\x0b\x0c:,.-")
    flat = flat.replace(b"\\x", b"").replace(b"0x", b"")
    for name, hexs in forms:
        if hexs.encode() in flat:
            print("%s: %s" % (path, name))
            found = True
    for name, r in (("raw 16 bytes", raw), ("raw 16 bytes, GUID order", le)):
        if r in data:
            print("%s: %s" % (path, name))
            found = True
sys.exit(1 if found else 0)
PY
}

# token_absent TOKEN-FILE FILE...: the token in no form token_scan knows in
# any FILE (an unreadable FILE fails too); each find on a "  leak:" line.
token_absent() {
	local out
	out=$(token_scan "$@") && return 0
	echo "$out" | sed 's/^/  leak: /'
	return 1
}

# token_not_in FILE TOKEN-FILE: token_absent for one file, in the argument
# order the older scenarios use.
token_not_in() { token_absent "$2" "$1"; }

# no_uuid_in FILE...: no UUID (a token or anything spelt like one) in any
# FILE (a pattern that matched no file is skipped).
no_uuid_in() {
	local f
	for f in "$@"; do
		if [ -f "$f" ] && grep -Eq -- "$UUID_RE" "$f"; then
			note "a UUID appears in $f"
			return 1
		fi
	done
}

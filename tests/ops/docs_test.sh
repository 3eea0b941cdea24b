#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The operator guides stay complete as the code moves:
#  - cli.rst names every command and every option of every --help, and
#    every exit code (number and name) of the Exit status table;
#  - troubleshooting.rst names every explainer verdict vft_verdict_name()
#    knows and every exit code;
#  - install.rst names every file `meson install` puts in place from
#    config/ and doc/man/.
#
# Usage: docs_test.sh VFTOKEN_BINARY PRINT_VERDICTS_BINARY GUIDES_DIR
set -u

VFT=${1:?usage: docs_test.sh VFTOKEN PRINT_VERDICTS GUIDES_DIR}
VERDICTS=${2:?usage: docs_test.sh VFTOKEN PRINT_VERDICTS GUIDES_DIR}
DOC=${3:?usage: docs_test.sh VFTOKEN PRINT_VERDICTS GUIDES_DIR}
T=$(mktemp -d "${TMPDIR:-/tmp}/vft-docs-test-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/ops/lib.sh
. "$(dirname "$0")/lib.sh"

# all_in FILE WHAT LIST_FILE: every line of LIST_FILE occurs in FILE
all_in() {
	missing=""
	n=0
	while read -r w; do
		n=$((n + 1))
		grep -qF -- "$w" "$1" || missing="$missing $w"
	done <"$3"
	if [ "$n" -eq 0 ]; then
		nok "$(basename "$1"): no $2 to look for (empty list)"
	elif [ -z "$missing" ]; then
		ok "$(basename "$1") has all $n $2"
	else
		nok "$(basename "$1") lacks $2:$missing"
	fi
}

for f in cli.rst troubleshooting.rst install.rst real_nics.rst; do
	if [ -s "$DOC/$f" ]; then ok "$f exists"; else nok "$f missing"; fi
done

# cli.rst: commands, options (as ``--opt``), exit codes
for c in "" status vfs token check cdi; do
	# shellcheck disable=SC2086 # $c is one word or none
	"$VFT" $c --help
done >"$T/help.txt"
grep -oE -- '--[a-z][a-z-]*' "$T/help.txt" | sort -u >"$T/opts"
all_in "$DOC/cli.rst" "options of --help" "$T/opts"
printf '%s\n' "vftoken status" "vftoken vfs create" "vftoken vfs destroy" \
	"vftoken token set" "vftoken token generate" "vftoken check" \
	"vftoken cdi" "vftoken help" >"$T/cmds"
all_in "$DOC/cli.rst" "commands" "$T/cmds"
"$VFT" --help | sed -n 's/^ *\([0-9][0-9]*\)  \([a-z-]*\) .*/\1 \2/p' >"$T/codes"
# as a table row: "``N``" and "``name``"
# shellcheck disable=SC2016 # literal backquotes
sed 's/^\([0-9]*\) \(.*\)$/``\1``\n``\2``/' "$T/codes" >"$T/codes.rst"
all_in "$DOC/cli.rst" "exit codes" "$T/codes.rst"
all_in "$DOC/troubleshooting.rst" "exit codes" "$T/codes.rst"

# troubleshooting.rst: every verdict, as ``name``
if "$VERDICTS" >"$T/verdicts"; then
	ok "$(wc -l <"$T/verdicts") verdicts from vft_verdict_name()"
else
	nok "print_verdicts failed"
fi
# shellcheck disable=SC2016 # literal backquotes
sed 's/.*/``&``/' "$T/verdicts" >"$T/verdicts.rst"
all_in "$DOC/troubleshooting.rst" "explainer verdicts" "$T/verdicts.rst"

# install.rst: the installed operator files
printf '%s\n' vftoken-vfs@.service vftoken-vfio.service vftoken.pc \
	libvftoken.a vftoken.h librte_bus_sriov.so bash-completion \
	vftoken.1 vftoken-status.1 vftoken-vfs.1 vftoken-token.1 \
	vftoken-check.1 vftoken-cdi.1 /etc/vftoken >"$T/files"
all_in "$DOC/install.rst" "installed files" "$T/files"

ops_done

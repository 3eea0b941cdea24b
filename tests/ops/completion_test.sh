#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The bash completion of vftoken (config/bash-completion/vftoken): sourced in
# bash, driven the way bash drives it (COMP_LINE, COMP_POINT, COMP_WORDS
# split at ':' as bash does, COMP_CWORD), against a FAKE sysfs tree of
# empty directories (logic only). Also: its option lists match each
# command's --help.
#
# Usage: completion_test.sh COMPLETION_FILE VFTOKEN_BINARY
set -u

COMP_FILE=${1:?usage: completion_test.sh COMPLETION_FILE VFTOKEN_BINARY}
VFT=${2:?usage: completion_test.sh COMPLETION_FILE VFTOKEN_BINARY}
T=$(mktemp -d "${TMPDIR:-/tmp}/vft-comp-test-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/ops/lib.sh
. "$(dirname "$0")/lib.sh"

# FAKE sysfs: one SR-IOV PF (7 VFs max), one VF, one NIC without SR-IOV.
export VFTOKEN_COMP_SYSFS=$T/sys
mkdir -p "$T/sys/bus/pci/devices/0000:01:00.0" \
	"$T/sys/bus/pci/devices/0000:01:10.0" \
	"$T/sys/bus/pci/devices/0000:02:00.0"
echo 7 >"$T/sys/bus/pci/devices/0000:01:00.0/sriov_totalvfs"
mkdir -p "$T/files"
: >"$T/files/pf.token"
: >"$T/files/pf.conf"
export VFT_TEST_TOKEN_VAR=x

COMP_WORDBREAKS=${COMP_WORDBREAKS:-$' \t\n"\'><=;|&(:'}
# shellcheck source=/dev/null
if ! . "$COMP_FILE"; then
	echo "cannot source $COMP_FILE"
	echo "0 passed, 1 failed"
	exit 1
fi
if complete -p vftoken 2>/dev/null | grep -q -- '-F _vftoken'; then
	ok "complete -F _vftoken vftoken is registered"
else
	nok "no 'complete -F _vftoken vftoken' after sourcing"
fi

# comp LINE: complete at the end of LINE as bash would; sets REPLY_SORTED.
comp() {
	local line=$1 rest w
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMP_WORDS=()
	# bash's split: blanks separate words, ':' is a word of its own
	rest=$line
	w=""
	while [ -n "$rest" ]; do
		case "${rest:0:1}" in
		' ')
			[ -n "$w" ] && COMP_WORDS+=("$w")
			w=""
			;;
		:)
			[ -n "$w" ] && COMP_WORDS+=("$w")
			COMP_WORDS+=(":")
			w=""
			;;
		*) w+=${rest:0:1} ;;
		esac
		rest=${rest:1}
	done
	if [ -n "$w" ]; then
		COMP_WORDS+=("$w")
	elif [ "${line: -1}" = " " ]; then
		COMP_WORDS+=("")
	fi
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_vftoken vftoken "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}"
	REPLY_SORTED=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	REPLY_SORTED=${REPLY_SORTED% }
}

# expect LINE EXPECTED...: the completions of LINE are exactly EXPECTED.
expect() {
	local line=$1 want
	shift
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	want=${want% }
	comp "$line"
	if [ "$REPLY_SORTED" = "$want" ]; then
		ok "'$line' -> [$want]"
	else
		nok "'$line' -> [$REPLY_SORTED], expected [$want]"
	fi
}

expect "vftoken " status vfs token check cdi help --version --help
expect "vftoken st" status
expect "vftoken --v" --version
expect "vftoken vfs " create destroy
expect "vftoken token " set generate
expect "vftoken help " status vfs token check cdi
expect "vftoken help token " set generate
# PF arguments: SR-IOV PFs only
expect "vftoken vfs create " 0000:01:00.0
expect "vftoken vfs destroy " 0000:01:00.0
expect "vftoken token set " 0000:01:00.0
# bash replaces only what follows the last ':' of the word
expect "vftoken vfs create 0000:01:0" 00.0
expect "vftoken vfs create 0000:0" 01:00.0
expect "vftoken vfs create 0000:01:00.0 " 1 2 3 4 5 6 7
expect "vftoken vfs create 0000:01:00.0 2 --b" --bind
expect "vftoken vfs destroy 0000:01:00.0 --" --help
# ADDR arguments: every function
expect "vftoken check " 0000:01:00.0 0000:01:10.0 0000:02:00.0
expect "vftoken check 0000:01:1" 10.0
expect "vftoken status 0000:01:00.0 0000:0" 01:00.0 01:10.0 02:00.0
expect "vftoken status --j" --json
expect "vftoken check 0000:01:10.0 --token-" --token-file --token-env
expect "vftoken token set 0000:01:00.0 --cu" --current-token-file \
	--current-token-env --current-token
expect "vftoken token generate --" --out --help
# cdi: functions, PFs after --pf, its options
expect "vftoken cdi " 0000:01:00.0 0000:01:10.0 0000:02:00.0
expect "vftoken cdi 0000:01:10.0 0000:0" 01:00.0 01:10.0 02:00.0
expect "vftoken cdi --pf " 0000:01:00.0
expect "vftoken cdi --h" --huge-dir --help
# option values
expect "vftoken token set 0000:01:00.0 --token-file $T/files/pf.t" \
	"$T/files/pf.token"
expect "vftoken token generate --out $T/files/pf." \
	"$T/files/pf.conf" "$T/files/pf.token"
expect "vftoken check 0000:01:10.0 --token-env VFT_TEST_TOK" \
	VFT_TEST_TOKEN_VAR
expect "vftoken check 0000:01:10.0 --token "
# after the option's value, positional completion resumes
expect "vftoken check --token-file $T/files/pf.token 0000:02" 02:00.0
# nothing after check's one ADDR but options
expect "vftoken check 0000:01:10.0 "

# The option lists agree with --help, in both directions.
opts_of_help() {
	"$VFT" "$@" --help | grep -oE -- '--[a-z][a-z-]*' | grep -vx -- '--help' |
		sort -u | tr '\n' ' '
}
opts_of_comp() {
	local s
	for s in "$@"; do
		_vftoken_opts "$s"
		echo
	done | tr ' ' '\n' | grep -E -- '^--' | grep -vx -- '--help' |
		sort -u | tr '\n' ' '
}
check_opts() {
	local help comp
	help=$(opts_of_help "$1")
	shift
	comp=$(opts_of_comp "$@")
	if [ -n "$help" ] && [ "$help" = "$comp" ]; then
		ok "completion options of '$*' = --help's [$help]"
	else
		nok "completion options of '$*' [$comp] != --help's [$help]"
	fi
}
check_opts status status
check_opts vfs "vfs create" "vfs destroy"
check_opts token "token set" "token generate"
check_opts check check

ops_done

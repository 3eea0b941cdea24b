# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The DPDK releases the tree is built against in chroots besides the
# host's 22.11, each with the Debian suite that ships it (Debian's package
# versions, ARCHITECTURE.md section 8; doc/guides/dpdk_releases.rst):
# the one table devtools/chroot.sh (suite -> release) and
# devtools/vm/run.sh (--dpdk release -> suite) read. Sourced, not run.
# shellcheck shell=sh

DPDK_SUITES="trixie:24.11 forky:25.11"

# release_of SUITE, suite_of RELEASE: the other member of its pair;
# nothing and status 1 when the table has none. dpdk_suites,
# dpdk_releases: the first and the second members, in the table's order.
release_of() { dpdk_pair "$1" "${1}:" ; }
suite_of() { dpdk_pair "$1" ":${1}"; }
dpdk_pair() {
	for _dp in $DPDK_SUITES; do
		case $_dp in
		"$2"*) echo "${_dp#"$2"}" && return 0 ;;
		*"$2") echo "${_dp%"$2"}" && return 0 ;;
		esac
	done
	return 1
}
dpdk_suites() { echo $DPDK_SUITES | sed 's/:[^ ]*//g'; }
dpdk_releases() { echo $DPDK_SUITES | sed 's/[^ ]*://g'; }

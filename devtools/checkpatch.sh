#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Style and static checks: clang-format, cppcheck, shellcheck, and a
# warnings-as-errors build with both gcc and clang.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
fail=0
step() { printf 'checkpatch: %s\n' "$*"; }
bad() { printf 'checkpatch: FAILED: %s\n' "$*" >&2; fail=1; }

csrc=$(git ls-files -co --exclude-standard '*.c' '*.h' | grep -v '^build')
step "clang-format ($(echo "$csrc" | wc -w) files)"
# shellcheck disable=SC2086
clang-format --dry-run -Werror $csrc || bad "clang-format: run clang-format -i on the files above"

step "cppcheck"
# The fake VFIO kernel mirrors uapi structs whole, unused members included.
# shellcheck disable=SC2046
cppcheck --enable=warning,style,performance,portability --error-exitcode=1 \
	--inline-suppr --suppress=missingIncludeSystem -q \
	--suppress=unusedStructMember:tests/unit/test_vfio.c \
	-I lib/vftoken -D__linux__ $(echo "$csrc" | grep '\.c$') || bad "cppcheck"

# One VFIO layer (doc/guides/architecture.rst): the bus makes no VFIO ioctl
# and maps no VFIO region of its own; libvftoken's device layer does.
step "one VFIO layer"
if grep -nE '\b(ioctl|mmap|munmap)[[:space:]]*\(' \
	drivers/bus/sriov/*.c drivers/bus/sriov/*.h; then
	bad "VFIO calls in drivers/bus/sriov (use lib/vftoken's device layer)"
fi

step "shellcheck"
shsrc=$(git ls-files -co --exclude-standard '*.sh' .ci/run | grep -v '^build')
# shellcheck disable=SC2086
shellcheck -S warning $shsrc || bad "shellcheck"

# the SDK headers devtools/setup.sh unpacked (its cache: VFTOKEN_CACHE)
sdk=${VFTOKEN_DPDK_SDK:-${VFTOKEN_CACHE:-/var/cache/vftoken}/sdk/current/include}
for c in gcc clang; do
	step "build with $c (warnings are errors)"
	d="$ROOT/build-checkpatch-$c"
	if [ ! -f "$d/build.ninja" ]; then
		CC=$c meson setup "$d" -Ddpdk_sdk="$sdk" -Dwerror=true >/dev/null ||
			{ bad "meson setup with $c"; continue; }
	fi
	ninja -C "$d" >"$d/checkpatch.log" 2>&1 || { tail -30 "$d/checkpatch.log"; bad "build with $c"; }
done

# No files of lib/, drivers/ or app/ that call each other in a circle
# (doc/guides/architecture.rst, "Who owns what").
step "call circles"
circles=$(python3 "$ROOT/devtools/circles.py" "$ROOT/build-checkpatch-gcc") ||
	bad "call circles (devtools/circles.py)"
echo "$circles"

[ "$fail" = 0 ] && step "clean"
exit "$fail"

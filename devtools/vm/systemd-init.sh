#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Stage 2 of the VM rig's guest with `run.sh --systemd`: PID 1 after
# switch_root (stage 1, initramfs-init, mounted everything), for the few
# steps before systemd takes over as PID 1:
#  - copy the tree `meson install --destdir` staged in the scratch share
#    (run.sh) into the guest's root, so the units, the CLI and the plugin sit
#    where an install puts them (/usr/local/...; the root is an overlay on
#    tmpfs, nothing reaches the host);
#  - mask the host's units that have no place in the rig: the rig binds
#    drivers itself (no udev, as without --systemd), and the host's daemons
#    (database, timers, gettys) would only cost boot time;
#  - install vftoken-vm-scenario.service, which runs guest-init.sh (the
#    scenario, its markers and the power-off) once multi-user.target is
#    reached, with its output on the console;
#  - run the scenario once with --before-systemd, for what must be in place
#    before the first unit starts (its configuration, `systemctl enable`);
#  - exec /lib/systemd/systemd.
# Markers on the console, parsed by run.sh: those of guest-init.sh, and
#   VFTOKEN-VM: stage2 failed: <why>

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
HERE=$(dirname "${BASH_SOURCE[0]}")

fail() {
	echo "VFTOKEN-VM: stage2 failed: $*"
	sync
	echo o >/proc/sysrq-trigger
	sleep 60
}

# Host units the guest must not start (a missing one is masked all the same).
MASK="systemd-udevd.service systemd-udevd-control.socket
systemd-udevd-kernel.socket systemd-udev-trigger.service
systemd-udev-settle.service systemd-timesyncd.service systemd-firstboot.service
systemd-repart.service systemd-pstore.service dpdk.service postgresql.service
e2scrub_reap.service getty@tty1.service serial-getty@ttyS0.service
console-getty.service apt-daily.timer apt-daily-upgrade.timer
dpkg-db-backup.timer e2scrub_all.timer fstrim.timer man-db.timer cron.service
ssh.service podman.service podman.socket podman-restart.service
podman-auto-update.timer podman-auto-update.service"

env_file=/mnt/scratch/run.env
[ -r "$env_file" ] || fail "no $env_file from the host"
# shellcheck source=/dev/null
. "$env_file"
[ -d /mnt/scratch/destdir ] || fail "no /mnt/scratch/destdir (run.sh --systemd stages meson install there)"
[ -x /lib/systemd/systemd ] || fail "no /lib/systemd/systemd in the host root (devtools/setup.sh installs systemd)"

cp -a /mnt/scratch/destdir/. / || fail "copying the staged install into /"
for u in $MASK; do
	ln -sf /dev/null "/etc/systemd/system/$u" || fail "masking $u"
done

cat >/etc/systemd/system/vftoken-vm-scenario.service <<EOF || fail "writing the scenario unit"
[Unit]
Description=VM rig scenario $VM_SCENARIO (devtools/vm/guest-init.sh)
After=multi-user.target

[Service]
Type=simple
ExecStart=/bin/bash $HERE/guest-init.sh
StandardInput=null
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console
EOF
mkdir -p /etc/systemd/system/multi-user.target.wants &&
	ln -sf ../vftoken-vm-scenario.service \
		/etc/systemd/system/multi-user.target.wants/vftoken-vm-scenario.service ||
	fail "enabling the scenario unit"

script="$VFTOKEN_ROOT/devtools/vm/scenarios/$VM_SCENARIO.sh"
[ -r "$script" ] || fail "no scenario $script"
read -r up _ </proc/uptime
echo "VFTOKEN-VM: before systemd, uptime $up"
export VM_PF VM_PF2 VM_NOSRIOV_NIC VFTOKEN_ROOT VFTOKEN_BUILD VM_SCENARIO
VM_SCRATCH=/mnt/scratch VM_KERNEL=$(uname -r) \
	bash "$script" --before-systemd "${VM_ARGS[@]}" </dev/null ||
	fail "$VM_SCENARIO.sh --before-systemd"

exec /lib/systemd/systemd --unit=multi-user.target --show-status=yes

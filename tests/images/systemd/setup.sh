#!/bin/sh
# Runs once inside `docker build` (see Dockerfile). SUITE comes from the build argument.
set -eu
: "${SUITE:?SUITE is not set}"
export DEBIAN_FRONTEND=noninteractive

# deb822 sources for the suite, its updates and security: the roles' apt tasks then see the
# same archive layout as a Debian cloud image.
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=""
[ -f "$keyring" ] && signed="Signed-By: $keyring"
rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
cat > /etc/apt/sources.list.d/debian.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $SUITE $SUITE-updates
Components: main
$signed

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $SUITE-security
Components: main
$signed
SRC

# Only what systemd-as-PID-1, Ansible (python3, python3-apt for the apt module, sudo for
# become) and the tests (ps/sysctl, ip, ping) need.
apt-get update -q
apt-get install -y -q --no-install-recommends \
    systemd systemd-sysv python3 python3-apt procps iproute2 iputils-ping ca-certificates sudo
apt-get clean

# Units that cannot work in a container (no ttys, no udev, no first-boot wizard, kernel
# filesystems Docker already handles) would only leave the system "degraded".
for unit in \
    getty.target console-getty.service getty-static.service \
    systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
    systemd-udev-trigger.service systemd-udev-settle.service \
    systemd-firstboot.service systemd-remount-fs.service \
    sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
    sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount \
    systemd-modules-load.service systemd-hwdb-update.service \
    e2scrub_reap.service apt-daily.timer apt-daily-upgrade.timer
do
    ln -sf /dev/null "/etc/systemd/system/$unit"
done

install -m 0644 /tmp/v6vpn/v6vpn-proc-sys-net.service /etc/systemd/system/
systemctl enable v6vpn-proc-sys-net.service

# Each container gets its own machine id at boot (systemd fills an empty file).
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id

# Empty package lists dated at the epoch, and no "last update" stamp: the apt module's
# cache_valid_time must see a stale cache and update it, or it finds no packages.
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/lib/apt/periodic/update-success-stamp
mkdir -p /var/lib/apt/lists/partial
touch -d @0 /var/lib/apt/lists/partial /var/lib/apt/lists
rm -rf /var/log/apt/* /var/log/dpkg.log

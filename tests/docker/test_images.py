"""The local systemd test images (scripts/build-images.sh) work the way molecule runs them.

Each image is started exactly as the molecule platforms start it (no --privileged, no
`systempaths=unconfined`) and must: boot systemd to running/degraded, let the container
write its own net.* sysctls, keep everything else in /proc/sys read-only (the host's
vm.swappiness stays untouched), have python3, ship empty and stale apt lists, and stop
cleanly. A user IPv6 network lets two of our containers ping each other. The peer image built
on them carries the real OpenVPN 2.6 that tests/integration runs.

Traffic goes only between containers this file creates. Every wait is bounded; every
container and network gets a unique name and is removed in `finally`.
"""

from __future__ import annotations

import random
import time
import uuid

import pytest

from tests import containers
from tests.conftest import needs_docker
from tests.containers import IMAGE, docker, need_image, remove, wait_booted

SUITES = ("bookworm", "trixie")
RUN_ID = uuid.uuid4().hex[:8]
LABEL = "org.v6vpn.pytest=%s" % RUN_ID


pytestmark = needs_docker("these tests run the test images")


def start_systemd(suite, command=("/lib/systemd/systemd",)):
    return containers.start_systemd(suite, "v6vpn-pytest-" + RUN_ID, LABEL, command)


@pytest.fixture(scope="module", params=SUITES)
def booted(request):
    """One systemd container per suite, booted, removed at the end."""
    name = start_systemd(request.param)
    try:
        state = wait_booted(name)
        yield name, state
    finally:
        remove(name)


def test_wait_booted_outlasts_a_late_systemd():
    """Asked before systemd has started, systemctl says "offline": that is early, not final."""
    name = start_systemd(SUITES[-1], ("sh", "-c", "sleep 3; exec /lib/systemd/systemd"))
    try:
        early = docker("exec", name, "systemctl", "is-system-running", check=False).stdout.strip()
        assert early == "offline", "the race this test reproduces did not happen: %r" % early
        assert wait_booted(name) in ("running", "degraded")
    finally:
        remove(name)


def sh(name, script, check=True, timeout=60):
    return docker("exec", name, "sh", "-c", script, timeout=timeout, check=check)


def test_systemd_boots(booted):
    name, state = booted
    assert state in ("running", "degraded")
    # What we mask is what fails in containers: nothing should be left failing.
    assert sh(name, "systemctl --failed --no-legend --plain").stdout.strip() == "", "failed units in %s" % name


def test_net_sysctls_are_writable(booted):
    name = booted[0]
    out = sh(name, "sysctl -w net.ipv6.conf.all.forwarding=1 && sysctl -n net.ipv6.conf.all.forwarding")
    assert out.stdout.strip().splitlines()[-1] == "1"


def test_rest_of_proc_sys_stays_read_only(booted):
    name = booted[0]
    with open("/proc/sys/vm/swappiness") as fh:
        host_before = fh.read().strip()
    other = "17" if host_before != "17" else "23"
    proc = sh(name, "sysctl -w vm.swappiness=%s" % other, check=False)
    assert proc.returncode != 0, "vm.swappiness was writable inside %s: %s" % (name, proc.stdout)
    proc = sh(name, "echo %s > /proc/sys/vm/swappiness" % other, check=False)
    assert proc.returncode != 0
    with open("/proc/sys/vm/swappiness") as fh:
        assert fh.read().strip() == host_before, "the HOST's vm.swappiness changed"


def test_python_for_ansible(booted):
    name = booted[0]
    out = sh(name, "python3 -c 'import apt, sys; print(sys.version_info[0])'").stdout.strip()
    assert out == "3"


def test_apt_lists_empty_and_stale(booted):
    """The apt module's cache_valid_time must decide to update (without downloading here)."""
    name = booted[0]
    assert sh(name, "find /var/lib/apt/lists -maxdepth 1 -type f | wc -l").stdout.strip() == "0"
    assert sh(name, "stat -c %Y /var/lib/apt/lists").stdout.strip() == "0"
    assert sh(name, "test ! -e /var/lib/apt/periodic/update-success-stamp", check=False).returncode == 0
    # apt knows no package at all until `apt-get update` runs.
    assert sh(name, "apt-cache policy openvpn | grep -c Candidate || true").stdout.strip() == "0"


def test_roles_install_their_own_packages(booted):
    name = booted[0]
    for package in ("openvpn", "nftables"):
        assert sh(name, "dpkg -s %s" % package, check=False).returncode != 0, "%s preinstalled" % package


def test_machine_id_is_per_container(booted):
    name = booted[0]
    assert len(sh(name, "cat /etc/machine-id").stdout.strip()) == 32
    image = docker("inspect", "-f", "{{.Config.Image}}", name).stdout.strip()
    empty = docker("run", "--rm", "--label", LABEL, "--entrypoint", "cat", image, "/etc/machine-id").stdout
    assert empty.strip() == "", "the image ships a machine-id"


@pytest.mark.parametrize("suite", SUITES)
def test_stops_cleanly(suite):
    name = start_systemd(suite)
    try:
        wait_booted(name)
        started = time.monotonic()
        docker("stop", "-t", "30", name, timeout=60)
        took = time.monotonic() - started
        assert took < 20, "docker stop took %.1fs (SIGRTMIN+3 not honoured?)" % took
        assert docker("inspect", "-f", "{{.State.Running}}", name).stdout.strip() == "false"
    finally:
        remove(name)


def create_ipv6_network(name, attempts=8):
    """A user network with explicit IPv4 and ULA IPv6 subnets (docker 20.10 has no IPv6
    pool). Random third octet / subnet id, retried on overlap with networks of parallel runs."""
    last = None
    for dummy in range(attempts):
        n = random.randint(16, 239)
        v4, v6 = "172.30.%d.0/24" % n, "fd42:7636:76a0:%x::/64" % n
        last = docker("network", "create", "--label", LABEL, "--ipv6",
                      "--subnet", v4, "--subnet", v6, name, check=False)
        if last.returncode == 0:
            return v4, v6
    raise AssertionError("could not create an IPv6 network: %s" % last.stderr)


def test_ipv6_network_containers_ping_each_other():
    need_image(IMAGE % SUITES[0])
    net = "v6vpn-pytest-net-%s" % RUN_ID
    names = ["v6vpn-pytest-ping%d-%s" % (i, RUN_ID) for i in (1, 2)]
    created = False
    try:
        v6 = create_ipv6_network(net)[1]
        created = True
        prefix = v6.split("::")[0] + ":"
        addrs = {}
        for name in names:
            # No systemd needed to prove the network: a plain long sleep, removed below.
            docker("run", "-d", "--name", name, "--label", LABEL, "--network", net,
                   IMAGE % SUITES[0], "sleep", "600")
            addr = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}}{{end}}",
                          name).stdout.strip()
            assert addr.startswith(prefix), "%s got IPv6 %r, not in %s" % (name, addr, v6)
            addrs[name] = addr
        for src, dst in ((names[0], names[1]), (names[1], names[0])):
            # One echo per try; a few tries only while the new address finishes DAD.
            for dummy in range(10):
                proc = docker("exec", src, "ping", "-6", "-n", "-c", "1", "-W", "2", addrs[dst], check=False, timeout=20)
                if proc.returncode == 0:
                    break
                time.sleep(1)
            assert proc.returncode == 0, "%s could not ping6 %s (%s):\n%s%s" % (src, dst, addrs[dst], proc.stdout, proc.stderr)
    finally:
        remove(*names)
        if created:
            docker("network", "rm", net, check=False)


def test_peer_image_has_the_real_openvpn_client():
    """tests/integration runs this image's openvpn (tls-crypt-v2 keys); `make images` builds it."""
    image = "v6vpn-test/openvpn-peer:bookworm"
    need_image(image)
    version = docker("run", "--rm", "--network", "none", "--label", LABEL, image, "openvpn", "--version", check=False).stdout
    assert version.startswith("OpenVPN 2.6."), version[:200]

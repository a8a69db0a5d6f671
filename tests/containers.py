"""Our systemd test containers (scripts/build-images.sh), started the way molecule starts them.

Shared by the tests that boot one: tests/docker (the images themselves) and the role tests that
need a fresh server. Each container gets a unique name and the caller's label, and is removed by
the caller; every wait is bounded.
"""

from __future__ import annotations

import subprocess
import time
import uuid

import pytest

IMAGE = "v6vpn-test/systemd:%s"

# The run options of the molecule platforms (molecule/openvpn/molecule.yml).
MOLECULE_RUN_OPTS = [
    "--cap-add", "NET_ADMIN", "--cap-add", "SYS_ADMIN",
    "--device", "/dev/net/tun",
    "--cgroupns", "host",
    "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro",
    "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
    "--stop-signal", "SIGRTMIN+3",
]


def docker(*args, timeout=60, check=True):
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError("docker %s failed (rc=%s):\n%s%s" % (" ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return proc


def need_image(image):
    if docker("image", "inspect", image, check=False).returncode != 0:
        pytest.fail("image %s is missing: run `make images` (scripts/build-images.sh)" % image)


def start_systemd(suite, prefix, label, command=("/lib/systemd/systemd",), options=()):
    """Start the suite's systemd image (not waiting for it to boot); returns the container's name."""
    image = IMAGE % suite
    need_image(image)
    name = "%s-%s-%s" % (prefix, suite, uuid.uuid4().hex[:8])
    docker("run", "-d", "--name", name, "--label", label, *MOLECULE_RUN_OPTS, *options, image, *command)
    return name


def wait_booted(name, timeout=90):
    """`systemctl is-system-running --wait` until running or degraded; bounded.

    `--wait` only waits once systemd answers. Right after `docker run` systemctl prints
    "offline" (systemd has not made /run/systemd/system yet) or cannot reach the bus: ask again.
    """
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        left = max(1, int(deadline - time.monotonic()))
        last = docker("exec", name, "timeout", str(left), "systemctl", "is-system-running", "--wait",
                      timeout=left + 10, check=False)
        state = last.stdout.strip()
        if state in ("running", "degraded"):
            return state
        if state in ("maintenance", "stopping"):
            break
        time.sleep(1)
    failed = docker("exec", name, "systemctl", "--failed", "--no-legend", check=False).stdout
    logs = docker("logs", "--tail", "40", name, check=False)
    raise AssertionError("systemd in %s did not boot: state %r, stderr %r, failed units:\n%s\ncontainer log:\n%s%s"
                         % (name, last and last.stdout.strip(), last and last.stderr.strip(), failed,
                            logs.stdout, logs.stderr))


def remove(*names):
    for name in names:
        docker("rm", "-f", "-v", name, check=False)

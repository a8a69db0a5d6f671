"""The openvpn role in check mode on a server that has never run it.

`ansible-playbook --check` against a fresh Debian server cannot go past the missing packages
(apt would not install them; every later step runs or reads what they install). The role must
say so, count it as a pending change, end that host cleanly, and leave the server and the
controller exactly as they were. molecule/openvpn and tests/lab run check mode on configured
servers (nothing to change there).

Traffic: none (the container's IPv6 default route points at a documentation address that
nothing is sent to; the run stops before apt).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import uuid

import pytest
import yaml

from tests.conftest import ANSIBLE_JSON_ENV, COLLECTIONS_PATH, ROOT, needs_docker
from tests.containers import docker, remove, start_systemd, wait_booted

LABEL = "org.v6vpn.pytest=%s" % uuid.uuid4().hex[:8]

pytestmark = needs_docker("the role runs against a fresh systemd container")


@pytest.fixture(scope="module")
def fresh_server():
    name = start_systemd("bookworm", "v6vpn-pytest-check", LABEL, options=("--sysctl", "net.ipv6.conf.all.disable_ipv6=0"))
    try:
        wait_booted(name)
        # The role requires an IPv6 default route for nat66 (the uplink check comes before packages).
        docker("exec", name, "sh", "-c", "sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0"
               " && ip -6 addr add 2001:db8:c4ec::5/64 dev eth0 nodad"
               " && ip -6 route add default via 2001:db8:c4ec::1 dev eth0")
        yield name
    finally:
        remove(name)


def run_role(tmp_path, server, extra_vars):
    play = [{
        "name": "The openvpn role in check mode",
        "hosts": "server",
        "gather_facts": False,
        "roles": [{"role": "v6vpn.aws.openvpn"}],
    }]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play))
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"server": {
        "ansible_connection": "community.docker.docker", "ansible_host": server,
        "ansible_python_interpreter": "/usr/bin/python3"}}}}))
    env = dict(os.environ, **ANSIBLE_JSON_ENV, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    proc = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), str(playbook),
         "--check", "--diff", "-e", json.dumps(extra_vars)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, "rc=%s\n%s\n%s" % (proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:])
    output = json.loads(proc.stdout)
    results = [(task["task"]["name"].split(" : ", 1)[-1], task["hosts"]["server"]) for play in output["plays"] for task in play["tasks"]
               if "server" in task["hosts"]]
    return output["stats"]["server"], results


def server_files(server):
    """Everything the role would write on the server, as `ls` sees it (empty when none is there)."""
    return docker("exec", server, "sh", "-c", "ls -d /etc/openvpn /etc/sysctl.d/60-v6vpn-openvpn.conf"
                  " /etc/systemd/system/openvpn-server@server.service.d /var/lib/v6vpn-tayga 2>/dev/null; true").stdout


@pytest.mark.parametrize("ipv6_only, missing", [
    (False, "openvpn, nftables, python3-cryptography"),
    (True, "openvpn, nftables, python3-cryptography, tayga, unbound"),
])
def test_check_mode_on_a_fresh_server_says_what_it_would_install_and_changes_nothing(tmp_path, fresh_server, ipv6_only, missing):
    profiles = tmp_path / "profiles"
    stats, results = run_role(tmp_path, fresh_server, {
        "vpn_name": "fresh", "openvpn_clients": ["alice"], "openvpn_public_endpoint": "198.51.100.7",
        "openvpn_client_profile_dir": str(profiles), "openvpn_ipv6_only": ipv6_only})
    # One pending change (the packages), no failure, and the role ended the host right there
    # (meta end_host: no task after the message ran).
    assert stats["changed"] == 1 and stats["failures"] == 0, stats
    names = [name for name, dummy in results]
    assert names[-1] == "Say what check mode stopped at", names
    said = dict(results)["Say what check mode stopped at"]
    assert said["changed"] is True
    assert said["msg"].startswith("Check mode ends here for server: it would install %s," % missing), said["msg"]
    # Nothing on the server, nothing on the controller.
    assert server_files(fresh_server) == ""
    for package in ("openvpn", "nftables", "python3-cryptography"):
        assert docker("exec", fresh_server, "dpkg", "-s", package, check=False).returncode != 0, package
    assert not profiles.exists()

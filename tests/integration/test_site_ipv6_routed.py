"""Issue 11, item 8: routed native IPv6 end to end from one switch in playbooks/site.yml.

`vpn_ipv6_routed: true` must give the instance a delegated /80 (the ec2 role's
ec2_ipv6_prefix_count) and the openvpn role routed mode with that /80; without it nothing changes.
site.yml's AWS play runs against the emulator (`--limit localhost`: the emulator's instance has no
SSH); its OpenVPN play is then run as written in site.yml (its pre_tasks and the role's `vars:`)
on the host the ec2 role added, with the role replaced by a task that shows what the role would
be given.
"""

from __future__ import annotations

import sys

import yaml

from tests.conftest import ROOT
from tests.integration.test_roles_aws import aws, check_deployment, deployment_vars, ensure_amis, run_playbook  # noqa: F401  pylint: disable=unused-import

PROBE = "Show what the openvpn role would be given"
ADDED = "Add the server to openvpn_servers"


def openvpn_play_probe(tmp_path, host_vars):
    """site.yml's OpenVPN play on the added server (local connection), the role replaced by a probe."""
    play = next(p for p in yaml.safe_load((ROOT / "playbooks" / "site.yml").read_text()) if p["hosts"] == "openvpn_servers")
    (role,) = play.pop("roles")
    assert role["role"] == "v6vpn.aws.openvpn", role
    play.update(become=False, gather_facts=False, tasks=[{
        "name": PROBE,
        "ansible.builtin.debug": {"msg": {
            "openvpn_ipv6_mode": "{{ openvpn_ipv6_mode | default('(the role default, nat66)') }}",
            "openvpn_ipv6_routed_prefix": "{{ openvpn_ipv6_routed_prefix }}",
            "openvpn_public_endpoint": "{{ openvpn_public_endpoint }}"}},
        "vars": role.get("vars", {}),
    }])
    playbook = tmp_path / "openvpn-play.yml"
    playbook.write_text(yaml.safe_dump([play]))
    inventory = tmp_path / "inventory.yml"
    server = dict(host_vars, ansible_connection="local", ansible_python_interpreter=sys.executable)
    # Named localhost, the host whose results run_playbook reads.
    inventory.write_text(yaml.safe_dump({"all": {"children": {"openvpn_servers": {"hosts": {"localhost": server}}}}}))
    return playbook, inventory


def test_one_switch_gives_the_instance_a_routed_80_and_the_server_routed_mode(aws, tmp_path):
    emulator, client = aws
    ensure_amis(emulator, client)
    given = {}
    for name, switch in (("routed-on", {"vpn_ipv6_routed": True}), ("routed-off", {})):
        variables = deployment_vars(name, emulator.url, ec2_add_host=True, **switch)
        up = run_playbook("site.yml", variables, args=["--limit", "localhost"])
        assert up.rc == 0, up
        instance = client.describe_instances(Filters=[{"Name": "tag:v6vpn:deployment", "Values": [name]},
                                                      {"Name": "instance-state-name", "Values": ["running", "pending"]}])[
            "Reservations"][0]["Instances"][0]
        prefixes = [p["Ipv6Prefix"] for p in instance["NetworkInterfaces"][0].get("Ipv6Prefixes", [])]
        host_vars = up.results[ADDED]["add_host"]["host_vars"]
        assert host_vars["v6vpn_ipv6_prefixes"] == prefixes, host_vars

        (tmp_path / name).mkdir()
        playbook, inventory = openvpn_play_probe(tmp_path / name, host_vars)
        probe = run_playbook(str(playbook), variables, args=["-i", str(inventory)])
        assert probe.rc == 0, probe
        given[name] = (prefixes, probe.results[PROBE]["msg"])

        down = run_playbook("teardown.yml", {"vpn_name": name, "aws_region": variables["aws_region"], "endpoint_url": emulator.url})
        assert down.rc == 0, down
        assert check_deployment.check_absent(client, name) == []

    prefixes, msg = given["routed-on"]
    assert len(prefixes) == 1 and prefixes[0].endswith("/80"), prefixes
    assert msg["openvpn_ipv6_mode"] == "routed" and msg["openvpn_ipv6_routed_prefix"] == prefixes[0], msg
    prefixes, msg = given["routed-off"]
    assert prefixes == [], prefixes
    assert msg["openvpn_ipv6_mode"] == "(the role default, nat66)" and msg["openvpn_ipv6_routed_prefix"] == "", msg

"""The openvpn role's input validation through ansible-playbook, on localhost (no server, no emulator).

Each bad setting goes through the role's entry point `validate` (its argument spec, then
tasks/validate.yml, the same tasks `main` starts with) and must be rejected with a message that
names the variable; several bad settings are reported together. The values the templates are
written from (vars/main.yml, v6vpn.aws.openvpn_config) are read back through the role too.
molecule/openvpn runs the same checks through `main` on real servers and proves nothing changed.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ANSIBLE_JSON_ENV, COLLECTIONS_PATH, ROOT

# The variables a playbook sets (the rest are the role's defaults).
BASE = {
    "vpn_name": "myvpn",
    "openvpn_clients": ["alice", "bob"],
    "openvpn_public_endpoint": "198.51.100.7",
}

# (changed variables, text the failure must contain); a variable set to None is left out.
BAD = [
    ({"openvpn_ipv6_mode": "nat64"}, "value of openvpn_ipv6_mode must be one of: nat66, routed, off, got: nat64"),
    ({"openvpn_proto": "sctp"}, "value of openvpn_proto must be one of: udp, tcp, got: sctp"),
    ({"openvpn_ipv4_network": "10.8.0.0/33"}, "openvpn_ipv4_network: '10.8.0.0/33' is not a valid CIDR block"),
    ({"openvpn_ipv4_network": "10.8.0.1/24"}, "openvpn_ipv4_network: '10.8.0.1/24' is not a valid CIDR block"),
    ({"openvpn_ipv4_network": "10.8.0.0/30"}, "openvpn_ipv4_network: 10.8.0.0/30 has prefix length /30; the longest allowed is /29"),
    ({"openvpn_ipv4_network": "fd00::/64"}, "openvpn_ipv4_network: 'fd00::/64' is an IPv6 block, expected IPv4"),
    ({"openvpn_ipv6_network": "fd00::/48"}, "openvpn_ipv6_network: fd00::/48 has prefix length /48; the shortest allowed is /64"),
    ({"openvpn_ipv6_mode": "routed"}, "openvpn_ipv6_routed_prefix is required when openvpn_ipv6_mode is 'routed'"),
    ({"openvpn_ipv6_mode": "routed", "openvpn_ipv6_routed_prefix": "2600:1f18::/56"},
     "openvpn_ipv6_routed_prefix: 2600:1f18::/56 has prefix length /56; the shortest allowed is /64"),
    ({"openvpn_ipv6_mode": "routed", "openvpn_ipv6_routed_prefix": "2600:1f18::/120"},
     "openvpn_ipv6_routed_prefix: 2600:1f18::/120 has prefix length /120; the longest allowed is /112"),
    ({"openvpn_ipv6_mode": "routed", "openvpn_ipv6_routed_prefix": "fd00:1::/80"},
     "openvpn_ipv6_routed_prefix: fd00:1::/80 is not a global unicast prefix"),
    ({"openvpn_ipv6_push_routes": ["2000::/3", "10.0.0.0/8"]}, "openvpn_ipv6_push_routes: '10.0.0.0/8' is an IPv4 block"),
    ({"openvpn_dns_servers": ["1.1.1.300"]}, "openvpn_dns_servers: '1.1.1.300' is not a valid IP address"),
    ({"openvpn_clients": ["alice", "bob smith"]}, "openvpn_clients: 'bob smith' is not a valid client name"),
    ({"openvpn_clients": ["../etc/passwd"]}, "openvpn_clients: '../etc/passwd' is not a valid client name"),
    ({"openvpn_clients": ["-rf"]}, "openvpn_clients: '-rf' is not a valid client name"),
    ({"openvpn_clients": ["a" * 65]}, "openvpn_clients: '%s' is not a valid client name" % ("a" * 65)),
    ({"openvpn_clients": ["alice", "alice"]}, "openvpn_clients: 'alice' is listed twice"),
    ({"openvpn_revoked_clients": ["bad/name"]}, "openvpn_revoked_clients: 'bad/name' is not a valid client name"),
    ({"openvpn_revoked_clients": ["bob"]}, "openvpn_clients and openvpn_revoked_clients both list bob"),
    # Fixed addresses: inside their ranges, each once, IPv6 beside IPv4 (OpenVPN), none for a tunnel without IPv6.
    ({"openvpn_clients": [{"name": "bob", "ipv4": "10.8.0.64", "ipv6": "fdd6:5a3b:1194::b0b"}]},
     "openvpn_clients: bob's ipv4 10.8.0.64 is not among the fixed addresses 10.8.0.2-10.8.0.63"),
    ({"openvpn_clients": [{"name": "bob", "ipv4": "10.8.0.10", "ipv6": "fdd6:5a3b:1194::1000"}]},
     "openvpn_clients: bob's ipv6 fdd6:5a3b:1194::1000 is not among the fixed addresses fdd6:5a3b:1194::3-fdd6:5a3b:1194::fff"),
    ({"openvpn_clients": [{"name": "bob", "ipv4": "10.8.0.10"}]}, "openvpn_clients: bob has a fixed ipv4 but no ipv6"),
    ({"openvpn_ipv6_mode": "off", "openvpn_clients": [{"name": "bob", "ipv6": "fdd6:5a3b:1194::10"}]},
     "openvpn_clients: bob has an ipv6 but the tunnel carries no IPv6"),
    ({"openvpn_clients": [{"name": "a", "ipv6": "fdd6:5a3b:1194::10"}, {"name": "b", "ipv6": "FDD6:5A3B:1194::10"}]},
     "openvpn_clients: a and b have the same address fdd6:5a3b:1194::10"),
    ({"openvpn_clients": [{"name": "bob", "ip": "10.8.0.10"}]}, "openvpn_clients: 'bob' has unknown key(s) ip"),
    ({"openvpn_clients": [{"name": "bob"}], "openvpn_revoked_clients": ["bob"]}, "openvpn_clients and openvpn_revoked_clients both list bob"),
    ({"openvpn_clients": [{"name": "myvpn-server"}]}, "openvpn_clients: 'myvpn-server' is the common name set by openvpn_server_common_name"),
    ({"openvpn_public_endpoint": ""}, "openvpn_public_endpoint: '' is neither an IP address nor a DNS name"),
    ({"openvpn_public_endpoint": "vpn example"}, "openvpn_public_endpoint: 'vpn example' is neither an IP address nor a DNS name"),
    ({"openvpn_uplink_interface": "eth0; reboot"}, "openvpn_uplink_interface: 'eth0; reboot' is not an interface name"),
    ({"openvpn_data_ciphers": ["BF-CBC"]},
     "value of openvpn_data_ciphers must be one or more of: AES-256-GCM, AES-128-GCM, CHACHA20-POLY1305. Got no match for: BF-CBC"),
    ({"openvpn_data_ciphers": []}, "openvpn_data_ciphers: empty"),
    ({"openvpn_port": 0}, "openvpn_port: 0 is not a whole number from 1 to 65535"),
    ({"openvpn_port": "https"}, "openvpn_port"),
    ({"openvpn_keepalive_interval": 0}, "openvpn_keepalive_interval: 0 is not a whole number from 1 to 3600"),
    ({"openvpn_keepalive_timeout": 15}, "openvpn_keepalive_timeout: 15 must be at least twice openvpn_keepalive_interval (10)"),
    # openvpn_ipv6_only (NAT64 + DNS64): the rules between variables, RFC 6052 prefixes, the pool.
    ({"openvpn_ipv6_only": "maybe"}, "openvpn_ipv6_only"),
    ({"openvpn_ipv6_only": True, "openvpn_ipv6_mode": "off"}, "openvpn_ipv6_only needs IPv6 in the tunnel"),
    ({"openvpn_ipv6_only": True, "openvpn_redirect_ipv4": True}, "openvpn_ipv6_only and openvpn_redirect_ipv4 contradict"),
    ({"openvpn_ipv6_only": True, "openvpn_dns_servers": ["169.254.169.253"]}, "leave openvpn_dns_servers empty"),
    ({"openvpn_ipv6_only": True, "openvpn_dns64_upstreams": []}, "openvpn_dns64_upstreams: empty"),
    ({"openvpn_dns64_upstreams": ["resolver.example"]}, "openvpn_dns64_upstreams: 'resolver.example' is not a valid IP address"),
    ({"openvpn_ipv6_only": True, "openvpn_nat64_prefix": "64:ff9b::/80"},
     "openvpn_nat64_prefix: 64:ff9b::/80 has prefix length /80; RFC 6052 allows only /32, /40, /48, /56, /64, /96"),
    ({"openvpn_ipv6_only": True, "openvpn_nat64_prefix": "2001:db8:0:0:ff00::/96"}, "openvpn_nat64_prefix: 2001:db8:0:0:ff00::/96 sets bits 64-71"),
    ({"openvpn_ipv6_only": True, "openvpn_nat64_prefix": "2001:db8::1/96"}, "openvpn_nat64_prefix: '2001:db8::1/96' is not a valid CIDR block"),
    ({"openvpn_ipv6_only": True, "openvpn_nat64_prefix": "64:ff9b:1::/48"}, "openvpn_nat64_prefix: 64:ff9b:1::/48 is inside ::/8"),
    ({"openvpn_ipv6_only": True, "openvpn_nat64_prefix": "fdd6:5a3b:1194::/96"},
     "openvpn_nat64_prefix: fdd6:5a3b:1194::/96 overlaps openvpn_ipv6_network fdd6:5a3b:1194::/64"),
    ({"openvpn_ipv6_only": True, "openvpn_nat64_nonglobal_ipv4": True},
     "openvpn_nat64_nonglobal_ipv4: non-global IPv4 (RFC 1918, 198.18.0.0/15...) cannot be reached behind the Well-Known Prefix"),
    ({"openvpn_ipv6_only": True, "openvpn_nat64_ipv4_pool": "10.8.0.0/16"},
     "openvpn_nat64_ipv4_pool: 10.8.0.0/16 overlaps openvpn_ipv4_network 10.8.0.0/24"),
    ({"openvpn_ipv6_only": True, "openvpn_nat64_ipv4_pool": "100.64.255.0/31"}, "openvpn_nat64_ipv4_pool: 100.64.255.0/31 has prefix length /31"),
    # Names are matched whole (a trailing newline never passes); certificate names are checked (issue 11 item 7).
    ({"openvpn_clients": ["alice\n"]}, "openvpn_clients: 'alice\\n' is not a valid client name"),
    ({"vpn_name": "myvpn\n"}, "vpn_name: 'myvpn\\n' must be 1-31 characters"),
    ({"openvpn_public_endpoint": "vpn.example.com\n"}, "openvpn_public_endpoint: 'vpn.example.com\\n' is neither an IP address nor a DNS name"),
    ({"openvpn_uplink_interface": "eth0\n"}, "openvpn_uplink_interface: 'eth0\\n' is not an interface name"),
    ({"openvpn_server_common_name": "myvpn-server\n"}, "openvpn_server_common_name: 'myvpn-server\\n' must be printable"),
    ({"openvpn_server_common_name": "my server"}, "openvpn_server_common_name: 'my server' may not contain spaces"),
    ({"openvpn_pki_ca_common_name": "C" * 65}, "openvpn_pki_ca_common_name: '%s' has 65 characters" % ("C" * 65)),
    ({"openvpn_pki_ca_common_name": "CA\n"}, "openvpn_pki_ca_common_name: 'CA\\n' must be printable"),
    ({"openvpn_clients": ["alice", "myvpn-server"]},
     "openvpn_clients: 'myvpn-server' is the common name set by openvpn_server_common_name; a client may not take"),
    ({"vpn_name": "My_VPN"}, "vpn_name: 'My_VPN' must be 1-31 characters"),
    # The TCP fallback (issue 11 item 1, on by default) halves the tunnel's networks: each half within OpenVPN's limits.
    ({"openvpn_ipv4_network": "10.8.0.0/29"},
     "openvpn_tcp_fallback gives each server half of the tunnel's networks: openvpn_ipv4_network: 10.8.0.0/29 cannot be halved into /30 blocks"),
    ({"openvpn_ipv6_network": "fdd6:5a3b:1194::/112"}, "openvpn_ipv6_network: fdd6:5a3b:1194::/112 cannot be halved into /113 blocks"),
    ({"openvpn_ipv6_mode": "routed", "openvpn_ipv6_routed_prefix": "2600:1f18::/112"},
     "openvpn_ipv6_routed_prefix: 2600:1f18::/112 cannot be halved into /113 blocks; the longest allowed is /112"),
    ({"openvpn_tcp_fallback_port": 0}, "openvpn_tcp_fallback_port: 0"),
    ({"openvpn_tcp_fallback_port": 65536}, "openvpn_tcp_fallback_port: 65536"),
    ({"openvpn_tcp_fallback": "sometimes"}, "openvpn_tcp_fallback"),
    # The defaults that name the PKI after vpn_name (openvpn_pki_ca_common_name...) fail first.
    ({"vpn_name": None}, "'vpn_name' is undefined"),
]

# Several problems at once: every one is reported, in one message.
MANY = {
    "vpn_name": "My_VPN",
    "openvpn_ipv4_network": "10.8.0.0/33",
    "openvpn_ipv6_mode": "routed",
    "openvpn_dns_servers": ["1.1.1.300", "1.1.1.1", "fd00::zz"],
    "openvpn_clients": ["alice", "bad name"],
    "openvpn_revoked_clients": ["alice"],
    "openvpn_keepalive_timeout": 15,
}
MANY_EXPECTED = [
    "vpn_name: 'My_VPN' must be 1-31 characters",
    "openvpn_ipv4_network: '10.8.0.0/33' is not a valid CIDR block",
    "openvpn_ipv6_routed_prefix is required when openvpn_ipv6_mode is 'routed'",
    "openvpn_dns_servers: '1.1.1.300' is not a valid IP address",
    "openvpn_dns_servers: 'fd00::zz' is not a valid IP address",
    "openvpn_keepalive_timeout: 15 must be at least twice openvpn_keepalive_interval (10)",
    "openvpn_clients: 'bad name' is not a valid client name",
    "openvpn_clients and openvpn_revoked_clients both list alice",
]

# Good settings and what the role derives from them for its templates (vars/main.yml).
GOOD = [
    ({}, {"mode": "nat66", "ipv4_network": "10.8.0.0/24",
          "ipv6_pool": "fdd6:5a3b:1194::/64", "ipv6_sink": "fdd6:5a3b:1194::2/64 fdd6:5a3b:1194::1",
          "push_ipv6_routes": ["2000::/3"], "data_ciphers": "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305",
          "public_endpoint": "198.51.100.7", "dns4": [], "dns6": []}),
    ({"openvpn_ipv6_mode": "routed", "openvpn_ipv6_routed_prefix": "2600:1F18:0:100:AB00:0::/80"},
     {"mode": "routed", "ipv6_pool": "2600:1f18:0:100:ab00::/80"}),
    # An unquoted YAML `off` arrives as false.
    ({"openvpn_ipv6_mode": False, "openvpn_ipv6_routed_prefix": "not checked when not routed"},
     {"mode": "off", "ipv6_pool": ""}),
    ({"openvpn_dns_servers": ["169.254.169.253", "FD00:EC2::253"], "openvpn_public_endpoint": "2001:DB8::7"},
     {"dns4": ["169.254.169.253"], "dns6": ["fd00:ec2::253"], "public_endpoint": "2001:db8::7"}),
    ({"openvpn_ipv6_only": True},
     {"ipv6_only": True, "nat64_prefix": "64:ff9b::/96", "dns64_resolver": "fdd6:5a3b:1194::1", "dns4": [],
      "dns6": ["fdd6:5a3b:1194::1"], "push_ipv6_routes": ["2000::/3", "64:ff9b::/96"], "nat64_ipv4_pool": "100.64.255.0/24",
      "dns64_upstreams": ["169.254.169.253"]}),
    ({"openvpn_ipv6_only": True, "openvpn_ipv6_mode": "routed", "openvpn_ipv6_routed_prefix": "2600:1f18:0:100:ab00::/80",
      "openvpn_nat64_prefix": "2600:1F18:0:164::/96", "openvpn_nat64_nonglobal_ipv4": True, "openvpn_dns64_upstreams": ["fd00:ec2::253"]},
     {"nat64_prefix": "2600:1f18:0:164::/96", "dns64_resolver": "2600:1f18:0:100:ab00::1", "push_ipv6_routes": ["2000::/3"],
      "nat64_blocked_ipv4": ["169.254.0.0/16"], "dns64_upstreams": ["fd00:ec2::253"]}),
    ({"openvpn_ipv6_only": False}, {"ipv6_only": False, "nat64_prefix": "", "dns64_resolver": ""}),
    ({"openvpn_public_endpoint": "vpn.example.org", "openvpn_ipv4_network": "10.99.0.0/16",
      "openvpn_data_ciphers": ["CHACHA20-POLY1305"], "openvpn_port": "443"},
     {"public_endpoint": "vpn.example.org", "data_ciphers": "CHACHA20-POLY1305"}),
    # The TCP fallback: a second server with the second half of each network; none when off or on TCP.
    ({}, {"tcp_fallback": True, "servers": [
        {"name": "server", "proto": "udp", "port": 1194, "device": "tun-v6vpn", "ipv4_network": "10.8.0.0/25",
         "ipv4_address": "10.8.0.1", "ipv4_netmask": "255.255.255.128", "ipv4_pool": "10.8.0.2 10.8.0.126",
         "ipv6_pool": "fdd6:5a3b:1194::/65", "dns4": [], "dns6": []},
        {"name": "server-tcp", "proto": "tcp", "port": 443, "device": "tun-v6vpn-tcp", "ipv4_network": "10.8.0.128/25",
         "ipv4_address": "10.8.0.129", "ipv4_netmask": "255.255.255.128", "ipv4_pool": "10.8.0.130 10.8.0.254",
         "ipv6_pool": "fdd6:5a3b:1194:0:8000::/65", "dns4": [], "dns6": []}]}),
    ({"openvpn_tcp_fallback": False, "openvpn_ipv4_network": "10.8.0.0/29", "openvpn_ipv6_network": "fdd6:5a3b:1194::/112"},
     {"tcp_fallback": False, "clients": ["alice", "bob"], "client_configs": [], "fixed_addresses": {}}),
    ({"openvpn_proto": "tcp", "openvpn_port": 443, "openvpn_ipv4_network": "10.8.0.0/29"}, {"tcp_fallback": False}),
    # Fixed addresses (issue 11 item 3): the names reach the PKI, the files each server's client-config-dir.
    ({"openvpn_clients": ["alice", {"name": "bob", "ipv4": "10.8.0.10", "ipv6": "fdd6:5a3b:1194::b0b"}]},
     {"clients": ["alice", "bob"],
      "fixed_addresses": {"bob": [{"proto": "udp", "port": 1194, "ipv4": "10.8.0.10", "ipv6": "fdd6:5a3b:1194::b0b"},
                                  {"proto": "tcp", "port": 443, "ipv4": "10.8.0.138", "ipv6": "fdd6:5a3b:1194:0:8000::b0b"}]}}),
]


def settings(changes):
    merged = dict(BASE, **changes)
    return {name: value for name, value in merged.items() if value is not None}


def validate_task(variables, public=False):
    task = {"ansible.builtin.include_role": {"name": "v6vpn.aws.openvpn", "tasks_from": "validate"}}
    if public:
        task["ansible.builtin.include_role"]["public"] = True
    if variables is not None:
        task["vars"] = variables
    return task


def bad_input_play(cases):
    """One block per case: the failure's message, or "ACCEPTED" when the role let it through."""
    tasks = []
    for index, variables in enumerate(cases):
        tasks.append({"name": "case %d" % index, "block": [
            validate_task(variables),
            {"name": "case %d result" % index, "ansible.builtin.debug": {"msg": "ACCEPTED"}},
        ], "rescue": [
            {"name": "case %d result" % index, "ansible.builtin.debug": {"msg": "{{ ansible_failed_result.msg }}"}},
        ]})
    return {"name": "bad input", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}


def good_input_play(index, variables):
    # Play variables, so that vars/main.yml, evaluated after the include, sees them.
    return {"name": "good %d" % index, "hosts": "localhost", "connection": "local", "gather_facts": False,
            "vars": variables, "tasks": [
                validate_task(None, public=True),
                {"name": "good %d result" % index, "ansible.builtin.debug": {"var": "openvpn_config"}},
            ]}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Run every case in one ansible-playbook run; return the result of each named task."""
    plays = [bad_input_play([settings(case[0]) for case in BAD] + [settings(MANY)])]
    plays += [good_input_play(index, settings(case[0])) for index, case in enumerate(GOOD)]
    playbook = tmp_path_factory.mktemp("openvpn") / "validate.yml"
    playbook.write_text(yaml.safe_dump(plays))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH,
               ANSIBLE_ROLES_PATH=str(ROOT / "roles"), **ANSIBLE_JSON_ENV)
    proc = subprocess.run([str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(playbook)],
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    try:
        output = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("ansible-playbook printed no JSON (rc=%s):\n%s\n%s" % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {task["task"]["name"]: task["hosts"]["localhost"] for play in output["plays"] for task in play["tasks"]
            if task["task"]["name"].endswith(" result")}


@pytest.mark.parametrize("index", range(len(BAD)), ids=[case[1][:60] for case in BAD])
def test_bad_input_is_rejected_naming_the_variable(results, index):
    expected = BAD[index][1]
    message = results["case %d result" % index]["msg"]
    assert message != "ACCEPTED", "the role accepted %s" % BAD[index][0]
    assert expected in message


def test_every_problem_is_reported_at_once(results):
    message = results["case %d result" % len(BAD)]["msg"]
    for expected in MANY_EXPECTED:
        assert expected in message
    # Each problem starts with the variable it is about; the problems are joined with "; ".
    starts = re.findall(r"(?:^|; )(vpn_name|openvpn_[a-z0-9_]+)\b", message)
    assert len(starts) == len(MANY_EXPECTED), message


@pytest.mark.parametrize("index", range(len(GOOD)))
def test_good_input_passes_and_derives_the_template_values(results, index):
    derived = results["good %d result" % index]["openvpn_config"]
    for key, value in GOOD[index][1].items():
        assert derived[key] == value, key

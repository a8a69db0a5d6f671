"""Unit tests of the openvpn role's own filters (plugins/filter/openvpn.py) and of the shared
ip_address_error filter it uses. The role's whole validation (argument spec and
tasks/validate.yml, every problem at once) runs through ansible-playbook in
tests/integration/test_openvpn_validation.py."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.filter.cidr import ip_address_error
from ansible_collections.v6vpn.aws.plugins.filter.openvpn import (
    FilterModule,
    openvpn_config,
    openvpn_data_ciphers_error,
    openvpn_ipv6_only_error,
    openvpn_keepalive_error,
    openvpn_revoked_clients_error,
    openvpn_clients_error,
    openvpn_routed_prefix_error,
    openvpn_tcp_fallback_error,
)


def config(**changes):
    """openvpn_config with the role's defaults as arguments, some changed."""
    mode = changes.pop("ipv6_mode", "nat66")
    arguments = dict(
        ipv4_network="10.8.0.0/24",
        ipv6_network="fdd6:5a3b:1194::/64",
        ipv6_routed_prefix="",
        ipv6_push_routes=["2000::/3"],
        dns_servers=[],
        public_endpoint="198.51.100.7",
        data_ciphers=["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"],
    )
    arguments.update(changes)
    return openvpn_config(mode, **arguments)


def test_defaults_derive_what_the_templates_need():
    out = config()
    assert out["mode"] == "nat66"
    # What OpenVPN's `server 10.8.0.0 255.255.255.0` sets, written out: the pool from .2.
    server = out["servers"][0]
    assert (server["ipv4_address"], server["ipv4_netmask"], server["ipv4_pool"]) == ("10.8.0.1", "255.255.255.0", "10.8.0.2 10.8.0.254")
    assert out["ipv4_network"] == "10.8.0.0/24"
    assert out["ipv6_pool"] == "fdd6:5a3b:1194::/64"
    assert out["ipv6_sink"] == "fdd6:5a3b:1194::2/64 fdd6:5a3b:1194::1"
    assert out["push_ipv6_routes"] == ["2000::/3"]
    assert out["data_ciphers"] == "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305"
    assert out["public_endpoint"] == "198.51.100.7"
    assert out["dns4"] == [] and out["dns6"] == []


def test_routed_mode_uses_the_routed_prefix_normalised():
    out = config(ipv6_mode="routed", ipv6_routed_prefix="2600:1F18:0:100:AB00:0::/80")
    assert out["ipv6_pool"] == "2600:1f18:0:100:ab00::/80"


def test_unquoted_yaml_off_is_mode_off_without_a_pool():
    out = config(ipv6_mode=False)
    assert out["mode"] == "off"
    assert out["ipv6_pool"] == ""
    assert out["ipv6_sink"] == "fdd6:5a3b:1194::2/64 fdd6:5a3b:1194::1"


def test_dns_servers_are_split_by_family():
    out = config(dns_servers=["169.254.169.253", "FD00:EC2::253"])
    assert out["dns4"] == ["169.254.169.253"]
    assert out["dns6"] == ["fd00:ec2::253"]


def test_routes_and_endpoint_are_normalised():
    out = config(ipv6_push_routes=["2000::/3", "2600:1F18::/32"], public_endpoint="2001:DB8::7")
    assert out["push_ipv6_routes"] == ["2000::/3", "2600:1f18::/32"]
    assert out["public_endpoint"] == "2001:db8::7"


def test_dns_names_are_kept_as_endpoint():
    assert config(public_endpoint="vpn.example.org")["public_endpoint"] == "vpn.example.org"


def test_openvpn_config_refuses_what_validation_rejects():
    with pytest.raises(AnsibleFilterError, match="openvpn_config: ipv4_network: '10.8.0.0/33' is not a valid CIDR block"):
        config(ipv4_network="10.8.0.0/33")


@pytest.mark.parametrize("prefix, mode", [
    ("2600:1f18:0:100:ab00::/80", "routed"),
    ("2600:1f18::/64", "routed"),
    ("2600:1f18::/112", "routed"),
    ("", "nat66"),
    ("", "off"),
    ("", False),
    ("not checked", "nat66"),
])
def test_routed_prefix_accepted(prefix, mode):
    assert openvpn_routed_prefix_error(prefix, mode, 64, 112) == ""


@pytest.mark.parametrize("prefix, message", [
    ("", "openvpn_ipv6_routed_prefix is required when openvpn_ipv6_mode is 'routed': the /64-/112 routed to this server"),
    (None, "openvpn_ipv6_routed_prefix is required when openvpn_ipv6_mode is 'routed'"),
    ("2600:1f18::/56", "openvpn_ipv6_routed_prefix: 2600:1f18::/56 has prefix length /56; the shortest allowed is /64"),
    ("2600:1f18::/120", "openvpn_ipv6_routed_prefix: 2600:1f18::/120 has prefix length /120; the longest allowed is /112"),
    ("fd00:1::/80", "openvpn_ipv6_routed_prefix: fd00:1::/80 is not a global unicast prefix (inside 2000::/3)"),
    ("10.0.0.0/24", "openvpn_ipv6_routed_prefix: '10.0.0.0/24' is an IPv4 block, expected IPv6"),
    ("2600:1f18::1/80", "openvpn_ipv6_routed_prefix: '2600:1f18::1/80' is not a valid CIDR block"),
])
def test_routed_prefix_rejected_naming_the_variable(prefix, message):
    assert openvpn_routed_prefix_error(prefix, "routed", 64, 112).startswith(message)


@pytest.mark.parametrize("timeout, interval", [(120, 10), (20, 10), ("20", "10"), (15, "ten"), ("x", 10)])
def test_keepalive_accepted_or_left_to_integer_error(timeout, interval):
    assert openvpn_keepalive_error(timeout, interval) == ""


def test_keepalive_timeout_must_be_twice_the_interval():
    assert openvpn_keepalive_error(15, 10) == "openvpn_keepalive_timeout: 15 must be at least twice openvpn_keepalive_interval (10)"
    assert openvpn_keepalive_error(19, "10").startswith("openvpn_keepalive_timeout: 19 must be at least twice")


def test_a_client_is_either_valid_or_revoked():
    assert openvpn_revoked_clients_error(["carol"], ["alice", "bob"]) == ""
    assert openvpn_revoked_clients_error([], []) == ""
    assert openvpn_revoked_clients_error(["bob", "alice", "carol"], ["alice", "bob"]) == (
        "openvpn_clients and openvpn_revoked_clients both list alice, bob; a client is either valid or revoked")
    # Not lists: client_names_error reports that.
    assert openvpn_revoked_clients_error("bob", ["bob"]) == ""


def test_data_ciphers_must_not_be_empty():
    assert openvpn_data_ciphers_error(["AES-256-GCM"]) == ""
    assert openvpn_data_ciphers_error([]).startswith("openvpn_data_ciphers: empty; list at least one data channel cipher")


@pytest.mark.parametrize("value, family, message", [
    ("169.254.169.253", None, ""),
    ("FD00:EC2::253", None, ""),
    ("fd00:ec2::253", 6, ""),
    ("1.1.1.300", None, "openvpn_dns_servers: '1.1.1.300' is not a valid IP address"),
    ("10.0.0.0/8", None, "openvpn_dns_servers: '10.0.0.0/8' is not a valid IP address"),
    (None, None, "openvpn_dns_servers: None is not a valid IP address"),
    ("fd00:ec2::253", 4, "openvpn_dns_servers: 'fd00:ec2::253' is an IPv6 address, expected IPv4"),
])
def test_ip_address_error(value, family, message):
    assert ip_address_error(value, "openvpn_dns_servers", family) == message


def test_ip_address_error_refuses_an_unknown_family():
    with pytest.raises(AnsibleFilterError, match="family must be 4, 6 or omitted"):
        ip_address_error("10.0.0.1", "x", 5)


def test_filters_are_registered():
    assert FilterModule().filters() == {
        "openvpn_routed_prefix_error": openvpn_routed_prefix_error,
        "openvpn_keepalive_error": openvpn_keepalive_error,
        "openvpn_revoked_clients_error": openvpn_revoked_clients_error,
        "openvpn_data_ciphers_error": openvpn_data_ciphers_error,
        "openvpn_ipv6_only_error": openvpn_ipv6_only_error,
        "openvpn_tcp_fallback_error": openvpn_tcp_fallback_error,
        "openvpn_clients_error": openvpn_clients_error,
        "openvpn_config": openvpn_config,
    }


# The TCP fallback (issue 11 item 1): a second server, half of each tunnel network.

def test_without_the_fallback_one_server_has_the_whole_networks():
    out = config()
    assert out["tcp_fallback"] is False
    assert out["servers"] == [{"name": "server", "proto": "udp", "port": 1194, "device": "tun-v6vpn",
                               "ipv4_network": "10.8.0.0/24", "ipv4_address": "10.8.0.1", "ipv4_netmask": "255.255.255.0",
                               "ipv4_pool": "10.8.0.2 10.8.0.254", "ipv6_pool": "fdd6:5a3b:1194::/64", "dns4": [], "dns6": []}]


def test_the_fallback_halves_the_ipv4_network_and_the_nat66_pool_without_overlap():
    out = config(tcp_fallback=True, port="1194", tcp_fallback_port="443", dns_servers=["169.254.169.253"])
    udp, tcp = out["servers"]
    assert (udp["name"], udp["proto"], udp["port"], udp["device"]) == ("server", "udp", 1194, "tun-v6vpn")
    assert (tcp["name"], tcp["proto"], tcp["port"], tcp["device"]) == ("server-tcp", "tcp", 443, "tun-v6vpn-tcp")
    assert (udp["ipv4_network"], tcp["ipv4_network"]) == ("10.8.0.0/25", "10.8.0.128/25")
    assert (udp["ipv4_address"], tcp["ipv4_address"]) == ("10.8.0.1", "10.8.0.129")
    assert udp["ipv4_netmask"] == tcp["ipv4_netmask"] == "255.255.255.128"
    assert (udp["ipv4_pool"], tcp["ipv4_pool"]) == ("10.8.0.2 10.8.0.126", "10.8.0.130 10.8.0.254")
    assert (udp["ipv6_pool"], tcp["ipv6_pool"]) == ("fdd6:5a3b:1194::/65", "fdd6:5a3b:1194:0:8000::/65")
    # Both push the configured resolvers; the firewall and NAT keep the whole networks.
    assert udp["dns4"] == tcp["dns4"] == ["169.254.169.253"]
    assert (out["ipv4_network"], out["ipv6_pool"]) == ("10.8.0.0/24", "fdd6:5a3b:1194::/64")
    assert out["tcp_fallback"] is True


def test_routed_mode_splits_the_80_into_two_81s_and_each_server_resolves_on_its_own_address():
    out = config(ipv6_mode="routed", ipv6_routed_prefix="2001:db8:6a00:0:f0::/80", tcp_fallback=True, ipv6_only=True,
                 nat64_ipv4_pool="100.64.255.0/24", dns64_upstreams=["169.254.169.253"])
    udp, tcp = out["servers"]
    assert (udp["ipv6_pool"], tcp["ipv6_pool"]) == ("2001:db8:6a00:0:f0::/81", "2001:db8:6a00:0:f0:8000::/81")
    assert udp["dns6"] == ["2001:db8:6a00:0:f0::1"] == [out["dns64_resolver"]]
    assert tcp["dns6"] == ["2001:db8:6a00:0:f0:8000:0:1"]


def test_ipv6_off_halves_ipv4_only():
    udp, tcp = config(ipv6_mode="off", tcp_fallback=True)["servers"]
    assert (udp["ipv6_pool"], tcp["ipv6_pool"]) == ("", "")
    assert tcp["ipv4_network"] == "10.8.0.128/25"


def test_a_tcp_server_gets_no_fallback():
    out = config(tcp_fallback=True, proto="tcp", port=443)
    assert out["tcp_fallback"] is False
    assert [(s["name"], s["proto"], s["port"]) for s in out["servers"]] == [("server", "tcp", 443)]


@pytest.mark.parametrize("arguments, message", [
    (("10.8.0.0/29", "nat66", "fdd6::/64", ""), "openvpn_ipv4_network: 10.8.0.0/29 cannot be halved into /30 blocks"),
    (("10.8.0.0/24", "nat66", "fdd6::/112", ""), "openvpn_ipv6_network: fdd6::/112 cannot be halved into /113 blocks"),
    (("10.8.0.0/24", "routed", "fdd6::/64", "2001:db8::/112"), "openvpn_ipv6_routed_prefix: 2001:db8::/112 cannot be halved"),
])
def test_fallback_halves_must_fit_openvpn_limits(arguments, message):
    error = openvpn_tcp_fallback_error(True, "udp", *arguments)
    assert error.startswith("openvpn_tcp_fallback gives each server half of the tunnel's networks: ")
    assert message in error and "or set openvpn_tcp_fallback to false" in error


def test_fallback_limits_do_not_apply_when_off_or_on_tcp_or_to_what_other_rules_report():
    assert openvpn_tcp_fallback_error(False, "udp", "10.8.0.0/29", "nat66", "fdd6::/112", "") == ""
    assert openvpn_tcp_fallback_error(True, "tcp", "10.8.0.0/29", "nat66", "fdd6::/112", "") == ""
    # IPv6 off: the ULA network is no pool; a broken CIDR is cidr_error's to report.
    assert openvpn_tcp_fallback_error(True, "udp", "10.8.0.0/28", "off", "fdd6::/112", "") == ""
    assert openvpn_tcp_fallback_error(True, "udp", "10.8.0.0/33", "nat66", "fdd6::/111", "") == ""
    assert openvpn_tcp_fallback_error(True, "udp", "10.8.0.0/28", "nat66", "fdd6::/111", "") == ""


# Fixed addresses (issue 11 item 3): client-config-dir files, a pool clear of them.

BOB = {"name": "bob", "ipv4": "10.8.0.10", "ipv6": "2001:db8:6a00:0:f0::b0b"}
ROUTED = dict(ipv6_mode="routed", ipv6_routed_prefix="2001:db8:6a00:0:f0::/80")


def test_clients_are_names_or_mappings_and_only_names_reach_the_pki():
    out = config(clients=["erin", dict(BOB)], **ROUTED)
    assert out["clients"] == ["erin", "bob"]
    assert [config["file"] for config in out["client_configs"]] == ["server/bob"]


def test_a_fixed_client_gets_its_addresses_and_the_pool_moves_to_the_upper_half():
    out = config(clients=["erin", dict(BOB)], **ROUTED)
    assert out["servers"][0]["ipv4_pool"] == "10.8.0.128 10.8.0.254"
    assert out["client_configs"] == [{
        "name": "bob", "server": "server", "file": "server/bob",
        "ipv4": "10.8.0.10", "ipv4_push": "10.8.0.10 255.255.255.0",
        "ipv6": "2001:db8:6a00:0:f0::b0b", "ipv6_push": "2001:db8:6a00:0:f0::b0b/80 2001:db8:6a00:0:f0::1"}]
    assert out["fixed_addresses"] == {"bob": [{"proto": "udp", "port": 1194, "ipv4": "10.8.0.10", "ipv6": "2001:db8:6a00:0:f0::b0b"}]}


def test_with_the_fallback_the_tcp_server_gives_the_same_offsets_in_its_halves():
    out = config(clients=[dict(BOB)], tcp_fallback=True, **ROUTED)
    udp, tcp = out["servers"]
    assert (udp["ipv4_pool"], tcp["ipv4_pool"]) == ("10.8.0.64 10.8.0.126", "10.8.0.192 10.8.0.254")
    assert [(c["file"], c["ipv4_push"], c["ipv6_push"]) for c in out["client_configs"]] == [
        ("server/bob", "10.8.0.10 255.255.255.128", "2001:db8:6a00:0:f0::b0b/81 2001:db8:6a00:0:f0::1"),
        ("server-tcp/bob", "10.8.0.138 255.255.255.128", "2001:db8:6a00:0:f0:8000:0:b0b/81 2001:db8:6a00:0:f0:8000:0:1")]
    assert [a["proto"] for a in out["fixed_addresses"]["bob"]] == ["udp", "tcp"]


def test_an_ipv6_only_fixed_client_keeps_the_ipv4_pool_whole():
    out = config(clients=[{"name": "bob", "ipv6": "fdd6:5a3b:1194::10"}])
    assert out["servers"][0]["ipv4_pool"] == "10.8.0.2 10.8.0.254"
    assert [(c["ipv4_push"], c["ipv6_push"]) for c in out["client_configs"]] == [("", "fdd6:5a3b:1194::10/64 fdd6:5a3b:1194::1")]


def test_ipv6_off_fixed_ipv4_needs_no_ipv6():
    out = config(ipv6_mode="off", clients=[{"name": "carol", "ipv4": "10.8.0.2"}])
    assert [(c["ipv4_push"], c["ipv6_push"]) for c in out["client_configs"]] == [("10.8.0.2 255.255.255.0", "")]
    assert openvpn_clients_error([{"name": "carol", "ipv4": "10.8.0.2"}], "10.8.0.0/24", "off", "fdd6:5a3b:1194::/64", "") == ""


def clients_error(clients, mode="routed", tcp_fallback=True, proto="udp"):
    return openvpn_clients_error(clients, "10.8.0.0/24", mode, "fdd6:5a3b:1194::/64", "2001:db8:6a00:0:f0::/80", proto, tcp_fallback)


@pytest.mark.parametrize("clients", [
    [], ["alice"], [dict(BOB), "erin"],
    # The ends of the fixed ranges (the UDP server's halves: 10.8.0.0/25, the first /81).
    [{"name": "a", "ipv4": "10.8.0.2", "ipv6": "2001:db8:6a00:0:f0::3"}, {"name": "b", "ipv4": "10.8.0.63", "ipv6": "2001:db8:6a00:0:f0::fff"}],
    [{"name": "bob"}], [{"name": "bob", "ipv4": "", "ipv6": None}],
])
def test_clients_accepted(clients):
    assert clients_error(clients) == ""


@pytest.mark.parametrize("clients, kwargs, message", [
    ([{"name": "bob", "ipv4": "10.8.0.64", "ipv6": "2001:db8:6a00:0:f0::b0b"}], {},
     "openvpn_clients: bob's ipv4 10.8.0.64 is not among the fixed addresses 10.8.0.2-10.8.0.63 (the lower half of 10.8.0.0/25 from .2"),
    ([{"name": "bob", "ipv4": "10.8.0.1", "ipv6": "2001:db8:6a00:0:f0::b0b"}], {}, "bob's ipv4 10.8.0.1 is not among"),
    ([{"name": "bob", "ipv4": "10.8.0.138", "ipv6": "2001:db8:6a00:0:f0::b0b"}], {}, "with the TCP fallback these are the udp server's halves"),
    ([{"name": "bob", "ipv4": "10.8.0.128", "ipv6": "2001:db8:6a00:0:f0::b0b"}], {"tcp_fallback": False}, "fixed addresses 10.8.0.2-10.8.0.127"),
    ([{"name": "bob", "ipv4": "10.8.0.10", "ipv6": "2001:db8:6a00:0:f0::2"}], {},
     "bob's ipv6 2001:db8:6a00:0:f0::2 is not among the fixed addresses 2001:db8:6a00:0:f0::3-2001:db8:6a00:0:f0::fff of 2001:db8:6a00:0:f0::/81"),
    ([{"name": "bob", "ipv4": "10.8.0.10", "ipv6": "2001:db8:6a00:0:f0::1000"}], {}, "bob's ipv6 2001:db8:6a00:0:f0::1000 is not among"),
    ([{"name": "bob", "ipv4": "10.8.0.10"}], {}, "bob has a fixed ipv4 but no ipv6; OpenVPN gives a client with a fixed IPv4 address no IPv6"),
    ([{"name": "bob", "ipv6": "fdd6:5a3b:1194::10"}], {"mode": "off"}, "bob has an ipv6 but the tunnel carries no IPv6 (openvpn_ipv6_mode is off)"),
    ([{"name": "a", "ipv4": "10.8.0.10", "ipv6": "2001:db8:6a00:0:f0::a"}, {"name": "b", "ipv4": "10.8.0.10", "ipv6": "2001:db8:6a00:0:f0::b"}],
     {}, "openvpn_clients: a and b have the same address 10.8.0.10"),
    ([{"name": "a", "ipv6": "2001:db8:6a00:0:f0::A"}, {"name": "b", "ipv6": "2001:DB8:6a00:0:f0::a"}], {},
     "a and b have the same address 2001:db8:6a00:0:f0::a"),
    ([{"name": "bob", "ipv4": "fd00::1"}], {}, "openvpn_clients: bob's ipv4 'fd00::1' is not an IPv4 address"),
    ([{"name": "bob", "ipv6": "10.8.0.10"}], {}, "openvpn_clients: bob's ipv6 '10.8.0.10' is not an IPv6 address"),
    ([{"name": "bob", "ipv4": "10.8.0.10\n"}], {}, "bob's ipv4 '10.8.0.10\\n' is not an IPv4 address"),
    ([{"name": "bob", "address": "10.8.0.10"}], {}, "openvpn_clients: 'bob' has unknown key(s) address; an entry has name, ipv4 and ipv6"),
    ([{"ipv4": "10.8.0.10"}], {}, "openvpn_clients: {'ipv4': '10.8.0.10'} has no name"),
    ([{"name": "bob\n"}], {}, "openvpn_clients: 'bob\\n' is not a valid client name"),
    ([["bob"]], {}, "openvpn_clients: ['bob'] is neither a client name nor a mapping"),
    (["bob", {"name": "bob"}], {}, "openvpn_clients: 'bob' is listed twice"),
    ("bob", {}, "openvpn_clients: expected a list of client names or mappings"),
])
def test_clients_rejected_naming_the_variable_and_the_range(clients, kwargs, message):
    assert message in clients_error(clients, **kwargs)


def test_every_bad_client_is_reported_at_once():
    message = clients_error(["bad name", {"name": "bob", "ipv4": "10.9.0.1", "ipv6": "2001:db8::1"}, 7])
    # The form of each entry first (a bad entry cannot be checked further), then the addresses.
    assert message.count("openvpn_clients: ") == 2
    message = clients_error([{"name": "bob", "ipv4": "10.9.0.1", "ipv6": "2001:db8::1"}])
    assert "bob's ipv4 10.9.0.1" in message and "bob's ipv6 2001:db8::1" in message


def test_bad_networks_are_left_to_their_own_rules():
    assert openvpn_clients_error([dict(BOB)], "10.8.0.0/33", "routed", "", "2001:db8:6a00:0:f0::/80") == ""
    assert openvpn_clients_error([dict(BOB)], "10.8.0.0/24", "routed", "", "") == ""


def test_a_mapping_client_may_not_be_revoked_too():
    assert "both list bob" in openvpn_revoked_clients_error(["bob"], [dict(BOB)])

"""Unit tests of the NAT64 filters (plugins/filter/nat64.py) and of the NAT64/DNS64 part of the
openvpn role's filters (plugins/filter/openvpn.py): openvpn_ipv6_only_error and what
openvpn_config derives for an IPv6-only tunnel."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.filter.nat64 import (
    FilterModule,
    nat64_ipv4_pool_error,
    nat64_non_global_error,
    nat64_prefix_error,
)
from ansible_collections.v6vpn.aws.plugins.filter.openvpn import openvpn_config, openvpn_ipv6_only_error


def config(**changes):
    """openvpn_config with the role's defaults as arguments and openvpn_ipv6_only, some changed."""
    mode = changes.pop("ipv6_mode", "nat66")
    arguments = dict(
        ipv4_network="10.8.0.0/24", ipv6_network="fdd6:5a3b:1194::/64", ipv6_routed_prefix="",
        ipv6_push_routes=["2000::/3"], dns_servers=[], public_endpoint="198.51.100.7",
        data_ciphers=["AES-256-GCM"], ipv6_only=True, nat64_prefix="64:ff9b::/96",
        nat64_ipv4_pool="100.64.255.0/24", nat64_nonglobal_ipv4=False, dns64_upstreams=["169.254.169.253"],
    )
    arguments.update(changes)
    return openvpn_config(mode, **arguments)


def test_filters_are_registered():
    assert FilterModule().filters() == {
        "nat64_prefix_error": nat64_prefix_error,
        "nat64_ipv4_pool_error": nat64_ipv4_pool_error,
        "nat64_non_global_error": nat64_non_global_error,
    }


def test_prefix_error():
    assert nat64_prefix_error("64:ff9b::/96") == ""
    assert nat64_prefix_error("64:ff9b::/96", "openvpn_nat64_prefix", {"openvpn_ipv6_network": "fdd6::/64"}) == ""
    assert nat64_prefix_error("2001:db8::/80", "openvpn_nat64_prefix").startswith(
        "openvpn_nat64_prefix: 2001:db8::/80 has prefix length /80; RFC 6052 allows only")
    assert nat64_prefix_error("fdd6::/96", "x", {"openvpn_ipv6_network": "fdd6::/64"}).startswith(
        "x: fdd6::/96 overlaps openvpn_ipv6_network fdd6::/64")
    with pytest.raises(AnsibleFilterError, match="apart_from must be a mapping"):
        nat64_prefix_error("64:ff9b::/96", "x", ["fdd6::/64"])


def test_pool_and_non_global_errors():
    assert nat64_ipv4_pool_error("100.64.255.0/24", "10.8.0.0/24") == ""
    assert nat64_ipv4_pool_error("10.8.0.0/23", "10.8.0.0/24", "a", "b").startswith("a: 10.8.0.0/23 overlaps b 10.8.0.0/24")
    assert nat64_non_global_error(False, "64:ff9b::/96") == ""
    assert nat64_non_global_error(True, "2001:db8:64::/96") == ""
    assert nat64_non_global_error(True, "64:ff9b::/96", "a", "b").startswith("a: non-global IPv4")


def test_ipv6_only_error():
    assert openvpn_ipv6_only_error(False, "off", True, ["1.1.1.1"], []) == ""
    assert openvpn_ipv6_only_error(True, "nat66", False, [], ["169.254.169.253"]) == ""
    assert openvpn_ipv6_only_error(True, "routed", False, [], ["fd00:ec2::253"]) == ""
    for mode in ("off", False):
        assert openvpn_ipv6_only_error(True, mode, False, [], ["1.1.1.1"]).startswith(
            "openvpn_ipv6_only needs IPv6 in the tunnel: set openvpn_ipv6_mode to nat66 or routed")
    assert "contradict" in openvpn_ipv6_only_error(True, "nat66", True, [], ["1.1.1.1"])
    assert "leave openvpn_dns_servers empty" in openvpn_ipv6_only_error(True, "nat66", False, ["fd00::53"], ["1.1.1.1"])
    assert openvpn_ipv6_only_error(True, "nat66", False, [], []).startswith("openvpn_dns64_upstreams: empty")
    # Every problem at once, each naming its variable.
    message = openvpn_ipv6_only_error(True, "off", True, ["1.1.1.1"], [])
    for start in ("openvpn_ipv6_only needs IPv6", "; openvpn_ipv6_only and openvpn_redirect_ipv4 contradict",
                  "; openvpn_ipv6_only pushes the server's DNS64 resolver", "; openvpn_dns64_upstreams: empty"):
        assert start in message


def test_config_of_an_ipv6_only_tunnel_with_the_well_known_prefix():
    out = config()
    assert out["ipv6_only"] is True
    assert out["nat64_prefix"] == "64:ff9b::/96"
    # 64:ff9b::/96 is outside 2000::/3: pushed as a route of its own.
    assert out["push_ipv6_routes"] == ["2000::/3", "64:ff9b::/96"]
    # The resolver is the server's tunnel address, the clients' only one.
    assert out["dns64_resolver"] == "fdd6:5a3b:1194::1"
    assert out["dns6"] == ["fdd6:5a3b:1194::1"] and out["dns4"] == []
    assert out["dns64_upstreams"] == ["169.254.169.253"]
    assert out["nat64_ipv4_pool"] == "100.64.255.0/24"
    assert out["nat64_ipv4_address"] == "100.64.255.1"
    assert out["nat64_ipv6_address"] == "fdd6:5a3b:1194::2"
    assert "10.0.0.0/8" in out["nat64_blocked_ipv4"] and "169.254.0.0/16" in out["nat64_blocked_ipv4"]
    assert "64:ff9b::a00:0/104" in out["nat64_blocked_ipv6"]
    assert "64:ff9b::a9fe:0/112" in out["nat64_blocked_ipv6"]


def test_config_with_a_network_specific_prefix_and_non_global_ipv4():
    out = config(ipv6_mode="routed", ipv6_routed_prefix="2600:1f18:0:100:ab00::/80", nat64_prefix="2001:DB8:64::/96",
                 nat64_nonglobal_ipv4=True, dns64_upstreams=["FD00:EC2::253"])
    # Covered by 2000::/3: no route of its own.
    assert out["push_ipv6_routes"] == ["2000::/3"]
    assert out["nat64_prefix"] == "2001:db8:64::/96"
    assert out["dns64_resolver"] == "2600:1f18:0:100:ab00::1"
    assert out["dns64_upstreams"] == ["fd00:ec2::253"]
    # Link-local (the instance metadata service) stays blocked.
    assert out["nat64_blocked_ipv4"] == ["169.254.0.0/16"]
    assert out["nat64_blocked_ipv6"] == ["2001:db8:64::a9fe:0/112"]


def test_config_without_ipv6_only_is_empty():
    out = config(ipv6_only=False, dns_servers=["169.254.169.253"])
    assert out["ipv6_only"] is False
    assert out["nat64_prefix"] == "" and out["dns64_resolver"] == "" and out["nat64_blocked_ipv4"] == []
    assert out["push_ipv6_routes"] == ["2000::/3"]
    assert out["dns4"] == ["169.254.169.253"]
    # The defaults of the new arguments keep older callers working.
    assert openvpn_config("nat66", "10.8.0.0/24", "fdd6::/64", "", ["2000::/3"], [], "x", ["AES-256-GCM"])["ipv6_only"] is False


def test_config_refuses_what_validation_rejects():
    with pytest.raises(AnsibleFilterError, match="openvpn_config: nat64_prefix: 2001:db8::/80 has prefix length"):
        config(nat64_prefix="2001:db8::/80")
    with pytest.raises(AnsibleFilterError, match="openvpn_config: nat64_nonglobal_ipv4: non-global IPv4"):
        config(nat64_nonglobal_ipv4=True)

"""Unit tests of the openvpn role's input check (the v6vpn.aws.openvpn_settings filter)."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.filter.openvpn_settings import FilterModule, openvpn_settings


def settings(**changes):
    """The role's defaults, as the role passes them, with some changed."""
    base = {
        "vpn_name": "myvpn",
        "openvpn_ipv6_mode": "nat66",
        "openvpn_port": 1194,
        "openvpn_proto": "udp",
        "openvpn_ipv4_network": "10.8.0.0/24",
        "openvpn_ipv6_network": "fdd6:5a3b:1194::/64",
        "openvpn_ipv6_routed_prefix": "",
        "openvpn_ipv6_push_routes": ["2000::/3"],
        "openvpn_dns_servers": [],
        "openvpn_clients": ["alice", "bob"],
        "openvpn_revoked_clients": [],
        "openvpn_public_endpoint": "198.51.100.7",
        "openvpn_uplink_interface": "",
        "openvpn_data_ciphers": ["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"],
        "openvpn_keepalive_interval": 10,
        "openvpn_keepalive_timeout": 120,
    }
    base.update(changes)
    return base


def test_defaults_derive_what_the_templates_need():
    out = openvpn_settings(settings())
    assert out["mode"] == "nat66"
    assert out["ipv4_server"] == "10.8.0.0 255.255.255.0"
    assert out["ipv4_network"] == "10.8.0.0/24"
    assert out["ipv6_pool"] == "fdd6:5a3b:1194::/64"
    assert out["ipv6_sink"] == "fdd6:5a3b:1194::2/64 fdd6:5a3b:1194::1"
    assert out["push_ipv6_routes"] == ["2000::/3"]
    assert out["data_ciphers"] == "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305"
    assert out["clients"] == ["alice", "bob"]
    assert out["public_endpoint"] == "198.51.100.7"


def test_routed_mode_uses_the_routed_prefix_normalised():
    out = openvpn_settings(settings(openvpn_ipv6_mode="routed", openvpn_ipv6_routed_prefix="2600:1F18:0:100:AB00:0::/80"))
    assert out["ipv6_pool"] == "2600:1f18:0:100:ab00::/80"


def test_unquoted_yaml_off_is_mode_off():
    assert openvpn_settings(settings(openvpn_ipv6_mode=False))["mode"] == "off"


def test_dns_servers_are_split_by_family():
    out = openvpn_settings(settings(openvpn_dns_servers=["169.254.169.253", "FD00:EC2::253"]))
    assert out["dns4"] == ["169.254.169.253"]
    assert out["dns6"] == ["fd00:ec2::253"]


def test_dns_names_are_accepted_as_endpoint():
    assert openvpn_settings(settings(openvpn_public_endpoint="vpn.example.org"))["public_endpoint"] == "vpn.example.org"


@pytest.mark.parametrize("changes, message", [
    ({"openvpn_ipv6_mode": "nat64"}, "openvpn_ipv6_mode: 'nat64' is not one of nat66, routed, off"),
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
    ({"openvpn_ipv6_mode": "routed", "openvpn_ipv6_routed_prefix": "fd00:1::/80"}, "is not a global unicast prefix"),
    ({"openvpn_ipv6_push_routes": ["2000::/3", "10.0.0.0/8"]}, "openvpn_ipv6_push_routes: '10.0.0.0/8' is an IPv4 block"),
    ({"openvpn_dns_servers": ["1.1.1.300"]}, "openvpn_dns_servers: '1.1.1.300' is not a valid IP address"),
    ({"openvpn_clients": ["alice", "bob smith"]}, "openvpn_clients: 'bob smith' is not a valid client name"),
    ({"openvpn_clients": ["../etc/passwd"]}, "openvpn_clients: '../etc/passwd' is not a valid client name"),
    ({"openvpn_clients": ["-rf"]}, "openvpn_clients: '-rf' is not a valid client name"),
    ({"openvpn_clients": ["a" * 65]}, "is not a valid client name"),
    ({"openvpn_clients": ["alice", "alice"]}, "openvpn_clients: 'alice' is listed twice"),
    ({"openvpn_revoked_clients": ["bob"]}, "openvpn_clients and openvpn_revoked_clients both list bob"),
    ({"openvpn_public_endpoint": ""}, "openvpn_public_endpoint: empty"),
    ({"openvpn_public_endpoint": "vpn example"}, "openvpn_public_endpoint: 'vpn example' is neither an IP address nor a DNS name"),
    ({"openvpn_uplink_interface": "eth0; reboot"}, "openvpn_uplink_interface: 'eth0; reboot' is not an interface name"),
    ({"openvpn_data_ciphers": ["BF-CBC"]}, "openvpn_data_ciphers: ['BF-CBC'] must be a non-empty list"),
    ({"openvpn_port": 0}, "openvpn_port: 0 is not an integer from 1 to 65535"),
    ({"openvpn_keepalive_timeout": 15}, "openvpn_keepalive_timeout: 15 must be at least twice openvpn_keepalive_interval (10)"),
    ({"vpn_name": "My_VPN"}, "vpn_name: 'My_VPN' must be 1-31 characters"),
])
def test_bad_input_fails_naming_the_variable(changes, message):
    with pytest.raises(AnsibleFilterError) as err:
        openvpn_settings(settings(**changes))
    assert message in str(err.value)
    assert str(err.value).startswith("openvpn role: ")


def test_missing_variables_are_named():
    incomplete = settings()
    del incomplete["openvpn_clients"]
    with pytest.raises(AnsibleFilterError, match="missing variables: openvpn_clients"):
        openvpn_settings(incomplete)


def test_filter_is_registered():
    assert FilterModule().filters()["openvpn_settings"] is openvpn_settings

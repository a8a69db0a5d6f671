"""The closed server's rules (module_utils/tunnel_access.py) and their filters."""

from ansible_collections.v6vpn.aws.plugins.filter.openvpn_access import FilterModule, openvpn_dns_warning, openvpn_tunnel_access
from ansible_collections.v6vpn.aws.plugins.module_utils import tunnel_access


def test_server_tunnel_addresses_are_the_first_hosts():
    assert [str(a) for a in tunnel_access.server_tunnel_addresses("10.8.0.0/24", "fdd6:5a3b:1194::/64")] == ["10.8.0.1", "fdd6:5a3b:1194::1"]
    assert [str(a) for a in tunnel_access.server_tunnel_addresses("10.9.8.0/29", "2001:db8:6a00:0:f0::/80")] == ["10.9.8.1", "2001:db8:6a00:0:f0::1"]
    assert [str(a) for a in tunnel_access.server_tunnel_addresses("10.8.0.0/24")] == ["10.8.0.1"]
    # one network per OpenVPN instance (UDP and TCP servers side by side)
    assert [str(a) for a in tunnel_access.server_tunnel_addresses(["10.8.0.0/25", "10.8.0.128/25"], ["fd00::/81", "fd00::8000:0:0/81"])] == [
        "10.8.0.1", "10.8.0.129", "fd00::1", "fd00::8000:0:1"]
    assert openvpn_tunnel_access(["10.8.0.129"], ["10.8.0.0/25", "10.8.0.128/25"], [])["resolvers4"] == ["10.8.0.129"]


def test_nothing_pushed_opens_nothing():
    access = openvpn_tunnel_access([], "10.8.0.0/24", "fdd6:5a3b:1194::/64")
    assert access == dict(resolvers4=[], resolvers6=[], link_local_resolvers4=[], link_local_resolvers6=[],
                          imds4=["169.254.169.254"], imds6=["fd00:ec2::254"], link_local4=["169.254.0.0/16"], link_local6=["fe80::/10"])


def test_only_a_resolver_on_the_servers_own_tunnel_address_is_opened_on_the_server():
    access = openvpn_tunnel_access(["fdd6:5a3b:1194::1", "10.8.0.1", "2001:4860:4860::8888", "10.8.0.2", "fdd6:5a3b:1194:0::0001"],
                                   "10.8.0.0/24", "fdd6:5a3b:1194::/64")
    assert access["resolvers4"] == ["10.8.0.1"]
    # two spellings of one address count once
    assert access["resolvers6"] == ["fdd6:5a3b:1194::1"]
    # no IPv6 in the tunnel: an IPv6 "server address" is not the server's
    assert openvpn_tunnel_access(["fdd6:5a3b:1194::1"], "10.8.0.0/24", "")["resolvers6"] == []


def test_a_link_local_resolver_is_an_exception_but_never_the_metadata_service():
    access = openvpn_tunnel_access(["169.254.169.253", "169.254.169.254", "fe80::1"], "10.8.0.0/24", "fdd6:5a3b:1194::/64")
    assert access["link_local_resolvers4"] == ["169.254.169.253"]
    assert access["link_local_resolvers6"] == ["fe80::1"]
    assert access["resolvers4"] == access["resolvers6"] == []


def test_ipv4_resolver_without_ipv4_in_the_tunnel_warns():
    warning = openvpn_dns_warning(["169.254.169.253", "fd00:ec2::253"], False, "10.8.0.0/24")
    assert warning.startswith("openvpn_dns_servers pushes the IPv4 resolver(s) 169.254.169.253 while openvpn_redirect_ipv4 is false")
    assert openvpn_dns_warning(["169.254.169.253"], "true", "10.8.0.0/24") == ""
    assert openvpn_dns_warning(["fd00:ec2::253"], False, "10.8.0.0/24") == ""
    # the server's own tunnel address is inside the tunnel
    assert openvpn_dns_warning(["10.8.0.1"], False, "10.8.0.0/24") == ""
    assert openvpn_dns_warning([], False, "10.8.0.0/24") == ""


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"openvpn_tunnel_access", "openvpn_dns_warning"}

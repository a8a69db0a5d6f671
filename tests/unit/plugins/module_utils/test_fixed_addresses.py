"""Unit tests of plugins/module_utils/fixed_addresses.py: the ranges fixed client addresses come
from, the pool that keeps clear of them, and the per-server files. The role-level rules (through
the openvpn_clients_error and openvpn_config filters) are in tests/unit/plugins/filter/test_openvpn.py."""

import ipaddress

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import fixed_addresses
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter


def addresses(pair):
    return tuple(str(address) for address in pair)


@pytest.mark.parametrize("network, fixed, pool_with_fixed, pool_without", [
    ("10.8.0.0/24", ("10.8.0.2", "10.8.0.127"), ("10.8.0.128", "10.8.0.254"), ("10.8.0.2", "10.8.0.254")),
    ("10.8.0.128/25", ("10.8.0.130", "10.8.0.191"), ("10.8.0.192", "10.8.0.254"), ("10.8.0.130", "10.8.0.254")),
    # OpenVPN's smallest network: two fixed addresses, a pool of three.
    ("10.8.0.0/29", ("10.8.0.2", "10.8.0.3"), ("10.8.0.4", "10.8.0.6"), ("10.8.0.2", "10.8.0.6")),
])
def test_ipv4_ranges_never_overlap_and_skip_network_server_and_broadcast(network, fixed, pool_with_fixed, pool_without):
    assert addresses(fixed_addresses.ipv4_fixed_range(network)) == fixed
    assert addresses(fixed_addresses.ipv4_pool(network, True)) == pool_with_fixed
    assert addresses(fixed_addresses.ipv4_pool(network, False)) == pool_without
    assert ipaddress.ip_address(fixed[1]) + 1 == ipaddress.ip_address(pool_with_fixed[0])


def test_ipv6_range_ends_below_where_server_ipv6_starts_its_pool():
    first, last = fixed_addresses.ipv6_fixed_range("2001:db8:6a00:0:f0::/81")
    assert (first.compressed, last.compressed) == ("2001:db8:6a00:0:f0::3", "2001:db8:6a00:0:f0::fff")
    assert last + 1 == ipaddress.ip_network("2001:db8:6a00:0:f0::/81").network_address + 0x1000


def test_entries_are_normalised_and_names_kept_in_order():
    entries = fixed_addresses.check_entries(["alice", {"name": "bob", "ipv6": "2001:DB8::0B0B"}], "clients")
    assert entries == [{"name": "alice", "ipv4": "", "ipv6": ""}, {"name": "bob", "ipv4": "", "ipv6": "2001:db8::b0b"}]
    assert fixed_addresses.client_names(["alice", {"name": "bob"}]) == ["alice", "bob"]
    assert fixed_addresses.has_fixed_ipv4(entries) is False


def test_every_bad_entry_is_reported_at_once():
    with pytest.raises(InvalidParameter) as error:
        fixed_addresses.check_entries(["bad name", {"name": "x", "ipv4": "300.1.1.1"}, "alice", "alice"], "clients")
    message = str(error.value)
    assert "'bad name' is not a valid client name" in message
    assert "x's ipv4 '300.1.1.1' is not an IPv4 address" in message
    assert "'alice' is listed twice" in message


def test_client_configs_move_the_offsets_to_each_server_and_skip_clients_without_fixed_addresses():
    entries = fixed_addresses.check_entries(["alice", {"name": "bob", "ipv4": "10.8.0.10", "ipv6": "fd00::b0b"}], "clients")
    main = fixed_addresses.client_configs(entries, "10.8.0.0/25", "fd00::/65", "10.8.0.0/25", "fd00::/65")
    fallback = fixed_addresses.client_configs(entries, "10.8.0.0/25", "fd00::/65", "10.8.0.128/25", "fd00:0:0:0:8000::/65")
    assert [(c["name"], c["ipv4_push"], c["ipv6_push"]) for c in main] == [("bob", "10.8.0.10 255.255.255.128", "fd00::b0b/65 fd00::1")]
    assert [(c["ipv4"], c["ipv6"]) for c in fallback] == [("10.8.0.138", "fd00::8000:0:0:b0b")]
    # No IPv6 in the tunnel: no ifconfig-ipv6-push.
    assert fixed_addresses.client_configs(entries, "10.8.0.0/25", "", "10.8.0.0/25", "")[0]["ipv6_push"] == ""

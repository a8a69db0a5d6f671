"""Unit tests of the pure CIDR helpers."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import cidr
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter


def test_normalize_gives_one_spelling_for_equal_ipv6_blocks():
    assert cidr.normalize_cidr("2600:1f18::100:0:0:0:0/64") == "2600:1f18:0:100::/64"
    assert cidr.normalize_cidr("2600:1F18:0:100::/64") == "2600:1f18:0:100::/64"
    assert cidr.cidrs_equal("2600:1f18:0:100::/64", "2600:1f18::100:0:0:0:0/64")
    assert not cidr.cidrs_equal("2600:1f18:0:100::/64", "2600:1f18:0:101::/64")
    assert not cidr.cidrs_equal("::/0", "0.0.0.0/0")
    assert not cidr.cidrs_equal("not-a-cidr", "::/0")


@pytest.mark.parametrize("value, family, message", [
    ("10.0.0.0", None, "not a CIDR block"),
    ("10.0.0.1/16", None, "not a valid CIDR block"),
    ("2600:1f18::1/56", None, "not a valid CIDR block"),
    ("10.0.0.0/33", None, "not a valid CIDR block"),
    ("::/0", 4, "is an IPv6 block, expected IPv4"),
    ("0.0.0.0/0", 6, "is an IPv4 block, expected IPv6"),
    (None, None, "not a CIDR block"),
])
def test_parse_network_rejects_bad_input_naming_the_parameter(value, family, message):
    with pytest.raises(InvalidParameter, match=message) as err:
        cidr.parse_network(value, "dest", family)
    assert str(err.value).startswith("dest: ")


def test_prefix_length_bounds():
    assert cidr.check_prefix_length("2001:db8::/80", "p", 64, 112).prefixlen == 80
    with pytest.raises(InvalidParameter, match="shortest allowed is /64"):
        cidr.check_prefix_length("2001:db8::/56", "p", 64, 112)
    with pytest.raises(InvalidParameter, match="longest allowed is /112"):
        cidr.check_prefix_length("2001:db8::/120", "p", 64, 112)


def test_nth_subnet_carves_64s_from_a_56():
    parent = "2600:1f18:aa:bb00::/56"
    assert cidr.nth_subnet(parent, 64, 0) == "2600:1f18:aa:bb00::/64"
    assert cidr.nth_subnet(parent, 64, 1) == "2600:1f18:aa:bb01::/64"
    assert cidr.nth_subnet(parent, 64, 255) == "2600:1f18:aa:bbff::/64"
    assert cidr.subnet_index(parent, "2600:1f18:aa:bb2a::/64") == 42
    for bad in (256, -1, True, "1"):
        with pytest.raises(InvalidParameter, match="out of range"):
            cidr.nth_subnet(parent, 64, bad, "ipv6_subnet_index")
    with pytest.raises(InvalidParameter, match="does not fit"):
        cidr.nth_subnet("2001:db8::/64", 56, 0)


def test_cidr_within():
    assert cidr.cidr_within("2600:1f18:aa:bb01::/64", "2600:1f18:aa:bb00::/56")
    assert not cidr.cidr_within("2600:1f18:aa:bc00::/64", "2600:1f18:aa:bb00::/56")
    assert not cidr.cidr_within("10.0.0.0/24", "::/0")


def test_addresses():
    assert cidr.normalize_address("2001:DB8:0:0::1") == "2001:db8::1"
    with pytest.raises(InvalidParameter, match="expected IPv6"):
        cidr.normalize_address("10.0.0.1", "ipv6_addresses", 6)
    with pytest.raises(InvalidParameter, match="not a valid IP address"):
        cidr.normalize_address("2001:db8::/64", "ipv6_addresses")


@pytest.mark.parametrize("value, expected", [(0, 0), (255, 255), ("7", 7)])
def test_ipv6_subnet_index_accepted(value, expected):
    assert cidr.check_ipv6_subnet_index(value) == expected


@pytest.mark.parametrize("value", [-1, 256, "x", True, None, 1.5])
def test_ipv6_subnet_index_rejected(value):
    with pytest.raises(InvalidParameter, match=r"^ipv6_subnet_index: .* is out of range; an Amazon /56 holds 256 /64s \(0-255\)"):
        cidr.check_ipv6_subnet_index(value)


def _assoc(block, state, camel=True):
    if camel:
        return {"Ipv6CidrBlock": block, "Ipv6CidrBlockState": {"State": state}}
    return {"ipv6_cidr_block": block, "ipv6_cidr_block_state": {"state": state}}


@pytest.mark.parametrize("camel", [True, False])
def test_live_ipv6_block_counts_associated_and_associating_and_prefers_the_amazon_56(camel):
    associations = [
        _assoc("2600:1f18:0:100::/64", "disassociated", camel),
        _assoc("2001:db8:1::/48", "associated", camel),
        _assoc("2600:1f18:aa:bb00::/56", "associating", camel),
        _assoc("2600:1f18:cc:dd00::/56", "failed", camel),
    ]
    assert cidr.live_ipv6_blocks(associations) == ["2001:db8:1::/48", "2600:1f18:aa:bb00::/56"]
    assert cidr.live_ipv6_block(associations) == "2600:1f18:aa:bb00::/56"
    assert cidr.live_ipv6_block(associations[:2]) == "2001:db8:1::/48"
    assert cidr.live_ipv6_block(associations[:1]) is None
    assert cidr.live_ipv6_block(None) is None


def test_halves_splits_a_block_in_two_within_a_limit():
    assert cidr.halves("10.8.0.0/24") == ["10.8.0.0/25", "10.8.0.128/25"]
    assert cidr.halves("2001:DB8:6A00:0:F0::/80", family=6) == ["2001:db8:6a00:0:f0::/81", "2001:db8:6a00:0:f0:8000::/81"]
    assert cidr.halves("10.8.0.0/28", max_prefix=29) == ["10.8.0.0/29", "10.8.0.8/29"]
    with pytest.raises(InvalidParameter, match="net: 10.8.0.0/29 cannot be halved into /30 blocks; the longest allowed is /29"):
        cidr.halves("10.8.0.0/29", "net", 29)
    with pytest.raises(InvalidParameter, match="is an IPv4 block, expected IPv6"):
        cidr.halves("10.8.0.0/24", "net", family=6)

"""Unit tests of the pure CIDR and resource-id helpers."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import cidr


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
    with pytest.raises(cidr.CidrError, match=message) as err:
        cidr.parse_network(value, "dest", family)
    assert str(err.value).startswith("dest: ")


def test_prefix_length_bounds():
    assert cidr.check_prefix_length("2001:db8::/80", "p", 64, 112).prefixlen == 80
    with pytest.raises(cidr.CidrError, match="shortest allowed is /64"):
        cidr.check_prefix_length("2001:db8::/56", "p", 64, 112)
    with pytest.raises(cidr.CidrError, match="longest allowed is /112"):
        cidr.check_prefix_length("2001:db8::/120", "p", 64, 112)


def test_nth_subnet_carves_64s_from_a_56():
    parent = "2600:1f18:aa:bb00::/56"
    assert cidr.nth_subnet(parent, 64, 0) == "2600:1f18:aa:bb00::/64"
    assert cidr.nth_subnet(parent, 64, 1) == "2600:1f18:aa:bb01::/64"
    assert cidr.nth_subnet(parent, 64, 255) == "2600:1f18:aa:bbff::/64"
    assert cidr.subnet_index(parent, "2600:1f18:aa:bb2a::/64") == 42
    for bad in (256, -1, True, "1"):
        with pytest.raises(cidr.CidrError, match="out of range"):
            cidr.nth_subnet(parent, 64, bad, "ipv6_subnet_index")
    with pytest.raises(cidr.CidrError, match="does not fit"):
        cidr.nth_subnet("2001:db8::/64", 56, 0)


def test_cidr_within():
    assert cidr.cidr_within("2600:1f18:aa:bb01::/64", "2600:1f18:aa:bb00::/56")
    assert not cidr.cidr_within("2600:1f18:aa:bc00::/64", "2600:1f18:aa:bb00::/56")
    assert not cidr.cidr_within("10.0.0.0/24", "::/0")


def test_addresses():
    assert cidr.normalize_address("2001:DB8:0:0::1") == "2001:db8::1"
    with pytest.raises(cidr.CidrError, match="expected IPv6"):
        cidr.normalize_address("10.0.0.1", "ipv6_addresses", 6)
    with pytest.raises(cidr.CidrError, match="not a valid IP address"):
        cidr.normalize_address("2001:db8::/64", "ipv6_addresses")


@pytest.mark.parametrize("value, prefixes", [
    ("vpc-0123456789abcdef0", "vpc"),
    ("vpc-12345678", "vpc"),
    ("igw-0123456789abcdef0", ("igw", "vgw")),
    ("eigw-0123456789abcdef0", "eigw"),
])
def test_resource_ids_accepted(value, prefixes):
    assert cidr.check_resource_id(value, prefixes, "id") == value


@pytest.mark.parametrize("value, prefixes, message", [
    ("subnet-0123456789abcdef0", "vpc", "is a subnet- id, expected vpc-..."),
    ("vpc-XYZ", "vpc", "not a valid resource id"),
    ("vpc-0123456789ABCDEF0", "vpc", "not a valid resource id"),
    ("vpc-123", "vpc", "not a valid resource id"),
    ("", "vpc", "not a valid resource id"),
    (12, "vpc", "not a valid resource id"),
    ("eigw-0123456789abcdef0", ("igw", "vgw"), "expected igw-... or vgw-..."),
])
def test_resource_ids_rejected(value, prefixes, message):
    with pytest.raises(cidr.CidrError, match=message):
        cidr.check_resource_id(value, prefixes, "gateway_id")

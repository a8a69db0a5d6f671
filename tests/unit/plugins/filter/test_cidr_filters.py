"""The v6vpn.aws CIDR filters the network role validates and reads its input with."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.filter.cidr import (
    FilterModule, cidr_error, cidr_list_error, cidr_subnet, cidr_within, cidr_within_error, ipv6_subnet_index_error, live_ipv6_block,
)


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {
        "cidr_error", "cidr_within", "cidr_within_error", "cidr_subnet", "cidr_list_error", "ip_address_error",
        "ipv6_subnet_index_error", "live_ipv6_block",
    }


@pytest.mark.parametrize("value", ["10.64.0.0/16", "10.64.1.0/28", "2001:db8::/56"])
def test_cidr_error_accepts(value):
    assert cidr_error(value, "v") == ""


@pytest.mark.parametrize("value, args, message", [
    ("10.64.0.1/16", (), "v: '10.64.0.1/16' is not a valid CIDR block: 10.64.0.1/16 has host bits set"),
    ("10.64.0.0", (), "v: '10.64.0.0' is not a CIDR block (expected address/prefix-length)"),
    ("10.300.0.0/16", (), "v: '10.300.0.0/16' is not a valid CIDR block"),
    (None, (), "v: None is not a CIDR block"),
    (42, (), "v: 42 is not a CIDR block"),
    ("2001:db8::/56", (4,), "v: '2001:db8::/56' is an IPv6 block, expected IPv4"),
    ("10.0.0.0/8", (4, 16, 28), "v: 10.0.0.0/8 has prefix length /8; the shortest allowed is /16"),
    ("10.0.0.0/29", (4, 16, 28), "v: 10.0.0.0/29 has prefix length /29; the longest allowed is /28"),
])
def test_cidr_error_names_the_variable(value, args, message):
    assert cidr_error(value, "v", *args).startswith(message)


def test_cidr_error_rejects_a_bad_family_argument():
    with pytest.raises(AnsibleFilterError, match="family must be 4, 6 or omitted"):
        cidr_error("10.0.0.0/16", "v", 5)


@pytest.mark.parametrize("child, parent, inside", [
    ("10.64.1.0/24", "10.64.0.0/16", True),
    ("10.64.0.0/16", "10.64.0.0/16", True),
    ("10.65.1.0/24", "10.64.0.0/16", False),
    ("10.0.0.0/8", "10.64.0.0/16", False),
    ("2600:1f18::100:0:0:0:0/64", "2600:1f18:0:100::/56", True),  # another spelling of the same /64
    ("2600:1f18:0:200::/64", "2600:1f18:0:100::/56", False),
    ("::/0", "0.0.0.0/0", False),  # families differ
    ("not-a-cidr", "10.0.0.0/8", False),
    ("10.64.1.1/24", "10.64.0.0/16", False),  # host bits: not a block
])
def test_cidr_within(child, parent, inside):
    assert cidr_within(child, parent) is inside


def test_cidr_subnet():
    assert cidr_subnet("2600:1f18:aa:bb00::/56", 64, 0) == "2600:1f18:aa:bb00::/64"
    assert cidr_subnet("2600:1f18:aa:bb00::/56", 64, "255") == "2600:1f18:aa:bbff::/64"
    assert cidr_subnet("2600:1F18:AA:BB00:0:0:0:0/56", 64, 1) == "2600:1f18:aa:bb01::/64"


@pytest.mark.parametrize("parent, prefix, index, message", [
    ("2600:1f18:aa:bb00::/56", 64, 256, "out of range"),
    ("2600:1f18:aa:bb00::/56", 48, 0, "does not fit"),
    ("nonsense", 64, 0, "not a CIDR block"),
    ("2600:1f18:aa:bb00::/56", 64, "x", "cidr_subnet"),
])
def test_cidr_subnet_fails_clearly(parent, prefix, index, message):
    with pytest.raises(AnsibleFilterError, match=message):
        cidr_subnet(parent, prefix, index)


@pytest.mark.parametrize("value", [["198.51.100.7/32"], ["198.51.100.7/32", "2001:db8:100::/48"], ("0.0.0.0/0",)])
def test_cidr_list_error_accepts(value):
    assert cidr_list_error(value, "v") == ""


@pytest.mark.parametrize("value", [[], None, "198.51.100.7/32", {"a": "10.0.0.0/8"}, 5])
def test_cidr_list_error_wants_a_non_empty_list(value):
    assert cidr_list_error(value, "admins") == 'admins must be a non-empty list of CIDR blocks (for example ["198.51.100.7/32"])'


def test_cidr_list_error_reports_every_bad_item():
    message = cidr_list_error(["198.51.100.7/32", "203.0.113.0/33", "10.0.0.1/8"], "admins")
    assert message.startswith("admins: '203.0.113.0/33' is not a valid CIDR block")
    assert "; admins: '10.0.0.1/8' is not a valid CIDR block" in message


def test_cidr_list_error_family_and_prefix_bounds():
    assert cidr_list_error(["2001:db8::/48"], "v", 4) == "v: '2001:db8::/48' is an IPv6 block, expected IPv4"
    assert cidr_list_error(["10.0.0.0/8"], "v", None, 16) == "v: 10.0.0.0/8 has prefix length /8; the shortest allowed is /16"
    assert cidr_list_error(["10.0.0.0/16"], "v", 4, 16, 28) == ""


@pytest.mark.parametrize("child, parent, message", [
    ("10.64.1.0/24", "10.64.0.0/16", ""),
    ("2600:1f18::100:0:0:0:0/64", "2600:1f18:0:100::/56", ""),
    ("10.65.1.0/24", "10.64.0.0/16", "subnet: 10.65.1.0/24 is not inside vpc 10.64.0.0/16"),
    ("::/0", "0.0.0.0/0", "subnet: ::/0 is not inside vpc 0.0.0.0/0"),
    ("nonsense", "10.64.0.0/16", "subnet: nonsense is not inside vpc 10.64.0.0/16"),
])
def test_cidr_within_error_names_both_variables(child, parent, message):
    assert cidr_within_error(child, parent, "subnet", "vpc") == message


@pytest.mark.parametrize("value", [0, 255, "7", "255"])
def test_ipv6_subnet_index_error_accepts(value):
    assert ipv6_subnet_index_error(value, "index") == ""


@pytest.mark.parametrize("value", [256, -1, "x", "", None, True, 1.5])
def test_ipv6_subnet_index_error_names_the_variable(value):
    assert ipv6_subnet_index_error(value, "index") == "index: %r is out of range; an Amazon /56 holds 256 /64s (0-255)" % (value,)


def _association(block, state, camel=False):
    if camel:
        return {"Ipv6CidrBlock": block, "Ipv6CidrBlockState": {"State": state}}
    return {"ipv6_cidr_block": block, "ipv6_cidr_block_state": {"state": state}}


@pytest.mark.parametrize("camel", [False, True])
def test_live_ipv6_block_skips_dead_associations(camel):
    associations = [_association("2600:1f18:aa:bb00::/56", "disassociated", camel), _association("2600:1f18:aa:cc00::/56", "associated", camel)]
    assert live_ipv6_block(associations) == "2600:1f18:aa:cc00::/56"
    assert live_ipv6_block([_association("2600:1f18:aa:cc01::/64", "associating", camel)]) == "2600:1f18:aa:cc01::/64"


def test_live_ipv6_block_prefers_the_amazon_56():
    associations = [_association("2001:db8:1::/48", "associated"), _association("2600:1f18:aa:cc00::/56", "associated")]
    assert live_ipv6_block(associations) == "2600:1f18:aa:cc00::/56"


@pytest.mark.parametrize("associations", [[], None, [_association("2600:1f18:aa:cc00::/56", "failed")]])
def test_live_ipv6_block_is_empty_when_none_counts(associations):
    assert live_ipv6_block(associations) == ""

"""The v6vpn.aws.cidr_* filters the network role validates its input with."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.filter.cidr import FilterModule, cidr_error, cidr_subnet, cidr_within


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"cidr_error", "cidr_within", "cidr_subnet"}


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

"""Unit tests of the argument checks and the state summary of v6vpn.aws.subnet_ipv6."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.modules import subnet_ipv6 as mod


@pytest.mark.parametrize("index", [-1, 256])
def test_index_out_of_range(index):
    with pytest.raises(InvalidParameter, match=r"^ipv6_subnet_index: %d is out of range.*\(0-255\)" % index):
        mod.check_index(index)


@pytest.mark.parametrize("index", [None, 0, 255])
def test_index_in_range(index):
    mod.check_index(index)


@pytest.mark.parametrize("value, message", [
    ("2600:1f18::/60", "is not a /64"),
    ("2600:1f18::/96", "is not a /64"),
    ("10.0.0.0/24", "is an IPv4 block, expected IPv6"),
    ("2600:1f18::1/64", "is not a valid CIDR block"),
    ("2600:1f18::", "is not a CIDR block"),
])
def test_cidr_must_be_an_ipv6_64(value, message):
    with pytest.raises(InvalidParameter, match="^ipv6_cidr: .*" + message):
        mod.check_cidr(value)


def test_cidr_accepts_any_spelling_of_a_64():
    mod.check_cidr(None)
    mod.check_cidr("2600:1F18:0:100:0:0:0:0/64")


def test_absent_refuses_turning_settings_on():
    params = {"state": "absent", "assign_ipv6_address_on_creation": True, "enable_dns64": None}
    with pytest.raises(InvalidParameter, match="^assign_ipv6_address_on_creation: state=absent"):
        mod.check_absent_flags(params)
    mod.check_absent_flags(dict(params, assign_ipv6_address_on_creation=False, enable_dns64=False))
    mod.check_absent_flags(dict(params, state="present", enable_dns64=True))


def test_summary_normalises_the_block_and_defaults_missing_attributes():
    subnet = {"SubnetId": "subnet-1", "VpcId": "vpc-1", "AssignIpv6AddressOnCreation": True}
    assoc = {"AssociationId": "subnet-cidr-assoc-1", "Ipv6CidrBlock": "2600:1f18::100:0:0:0:0/64"}
    assert mod.summary(subnet, assoc) == {
        "id": "subnet-1", "vpc_id": "vpc-1", "ipv6_cidr_block": "2600:1f18:0:100::/64",
        "ipv6_association_id": "subnet-cidr-assoc-1", "assign_ipv6_address_on_creation": True,
        "enable_dns64": False,
    }
    assert mod.summary(subnet, None)["ipv6_cidr_block"] is None

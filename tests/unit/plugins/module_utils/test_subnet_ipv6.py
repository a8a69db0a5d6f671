"""Unit tests of the argument checks and the planner of v6vpn.aws.subnet_ipv6 (module_utils/subnet_ipv6.py)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import subnet_ipv6 as planner
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import check_ipv6_subnet_index
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

BLOCK = "2600:1f18:aa:bb00::/56"
FIRST, SECOND = "2600:1f18:aa:bb00::/64", "2600:1f18:aa:bb01::/64"


@pytest.mark.parametrize("index", [-1, 256, "x"])
def test_index_out_of_range(index):
    # The module checks ipv6_subnet_index with the shared rule of module_utils/cidr.py.
    with pytest.raises(InvalidParameter, match=r"^ipv6_subnet_index: %r is out of range.*\(0-255\)" % index):
        check_ipv6_subnet_index(index, "ipv6_subnet_index")


@pytest.mark.parametrize("index", [0, 255])
def test_index_in_range(index):
    assert check_ipv6_subnet_index(index, "ipv6_subnet_index") == index


@pytest.mark.parametrize("value, message", [
    ("2600:1f18::/60", "is not a /64"),
    ("2600:1f18::/96", "is not a /64"),
    ("10.0.0.0/24", "is an IPv4 block, expected IPv6"),
    ("2600:1f18::1/64", "is not a valid CIDR block"),
    ("2600:1f18::", "is not a CIDR block"),
])
def test_cidr_must_be_an_ipv6_64(value, message):
    with pytest.raises(InvalidParameter, match="^ipv6_cidr: .*" + message):
        planner.check_subnet_cidr(value)


def test_cidr_accepts_any_spelling_of_a_64_and_normalises_it():
    assert planner.check_subnet_cidr("2600:1F18:0:100:0:0:0:0/64") == "2600:1f18:0:100::/64"


def test_absent_refuses_turning_settings_on():
    with pytest.raises(InvalidParameter, match="^assign_ipv6_address_on_creation: state=absent"):
        planner.check_setting(True, "assign_ipv6_address_on_creation", "absent")
    assert planner.check_setting(False, "enable_dns64", "absent") is False
    assert planner.check_setting(None, "enable_dns64", "absent") is None
    assert planner.check_setting(True, "enable_dns64", "present") is True


def _assoc(state, cidr=FIRST, assoc_id="a"):
    return {"AssociationId": assoc_id, "Ipv6CidrBlock": cidr, "Ipv6CidrBlockState": {"State": state}}


def _subnet(*assocs, **attributes):
    subnet = {"SubnetId": "subnet-1", "VpcId": "vpc-1", "Ipv6CidrBlockAssociationSet": list(assocs)}
    subnet.update(attributes)
    return subnet


def test_the_association_that_counts_skips_lingering_and_failed_ones():
    subnet = _subnet(_assoc("disassociated", assoc_id="old"), _assoc("failed", assoc_id="bad"), _assoc("associating", assoc_id="new"))
    assert planner.ipv6_association(subnet)["AssociationId"] == "new"
    assert planner.ipv6_association(_subnet(_assoc("disassociating"))) is None
    assert planner.ipv6_association({}) is None


def test_state_normalises_the_block_and_defaults_missing_attributes():
    subnet = _subnet(_assoc("associated", "2600:1f18::100:0:0:0:0/64", "subnet-cidr-assoc-1"), AssignIpv6AddressOnCreation=True)
    assert planner.subnet_state(subnet) == {
        "id": "subnet-1", "vpc_id": "vpc-1", "ipv6_cidr_block": "2600:1f18:0:100::/64",
        "ipv6_association_id": "subnet-cidr-assoc-1", "assign_ipv6_address_on_creation": True,
        "enable_dns64": False,
    }
    assert planner.subnet_state(_subnet())["ipv6_cidr_block"] is None


def _vpc(*blocks):
    return {"VpcId": "vpc-1", "Ipv6CidrBlockAssociationSet": [
        {"Ipv6CidrBlock": block, "Ipv6CidrBlockState": {"State": "associated"}} for block in blocks]}


def test_wanted_block_by_index_or_cidr_checked_against_the_vpc():
    assert planner.wanted_block(_vpc(BLOCK), "subnet-1", index=1) == SECOND
    # An IPAM /60 beside the Amazon /56: the index counts in the /56.
    assert planner.wanted_block(_vpc("2600:1f18:cc::/60", BLOCK), "subnet-1", index=1) == SECOND
    assert planner.wanted_block(_vpc(BLOCK), "subnet-1", cidr=SECOND) == SECOND
    with pytest.raises(InvalidParameter, match="^ipv6_subnet_index: VPC vpc-1 has no IPv6 CIDR block to take a /64 from"):
        planner.wanted_block(_vpc(), "subnet-1", index=0)
    with pytest.raises(InvalidParameter, match=r"^ipv6_subnet_index: 16 is out of range; 2600:1f18:cc::/60 holds 16 /64 blocks"):
        planner.wanted_block(_vpc("2600:1f18:cc::/60"), "subnet-1", index=16)
    with pytest.raises(InvalidParameter, match="^ipv6_cidr: VPC vpc-1 has no IPv6 CIDR block, so %s cannot be given to subnet-1" % SECOND):
        planner.wanted_block(_vpc(), "subnet-1", cidr=SECOND)
    with pytest.raises(InvalidParameter, match=r"^ipv6_cidr: 2600:1f19::/64 is outside the IPv6 block\(s\) of VPC vpc-1 \(%s\)" % BLOCK):
        planner.wanted_block(_vpc(BLOCK), "subnet-1", cidr="2600:1f19::/64")


def test_a_block_another_subnet_holds_is_refused():
    others = [_subnet(_assoc("associated", FIRST)), dict(_subnet(_assoc("associated", SECOND)), SubnetId="subnet-2")]
    with pytest.raises(InvalidParameter, match="^ipv6_subnet_index: %s is already used by subnet subnet-2$" % SECOND):
        planner.check_block_free(others, "subnet-1", SECOND, "ipv6_subnet_index")
    assert planner.check_block_free(others, "subnet-1", FIRST, "ipv6_cidr") == FIRST


def test_present_keeps_the_block_and_changes_only_the_settings_given():
    subnet = _subnet(_assoc("associated"), AssignIpv6AddressOnCreation=True, EnableDns64=False)
    before, after, steps = planner.plan_present(subnet, dns64=True)
    assert after == dict(before, enable_dns64=True)
    assert steps == [("set", "EnableDns64", True)]
    assert planner.plan_present(subnet, FIRST, assign=True, dns64=False)[2] == []


def test_present_without_a_block_to_keep_is_an_error():
    with pytest.raises(InvalidParameter, match="^subnet subnet-1 has no IPv6 CIDR block: give ipv6_cidr or ipv6_subnet_index"):
        planner.plan_present(_subnet(_assoc("disassociated")))


def test_replacing_the_block_turns_auto_assign_off_first_and_back_on_last():
    subnet = _subnet(_assoc("associated", FIRST, "old"), _assoc("disassociating", "2600:1f18:aa:bb02::/64", "going"),
                     AssignIpv6AddressOnCreation=True)
    before, after, steps = planner.plan_present(subnet, SECOND)
    assert after == dict(before, ipv6_cidr_block=SECOND, ipv6_association_id=None)
    assert steps == [
        ("set", "AssignIpv6AddressOnCreation", False),
        ("disassociate", "old", FIRST),
        ("await", "old", "disassociated"),
        ("await", "going", "disassociated"),
        ("associate", SECOND),
        ("set", "AssignIpv6AddressOnCreation", True),
    ]


def test_a_subnet_without_a_block_gets_one_and_an_associating_block_is_awaited():
    before, after, steps = planner.plan_present(_subnet(), FIRST, assign=True)
    assert after["ipv6_cidr_block"] == FIRST and after["assign_ipv6_address_on_creation"] is True
    assert steps == [("associate", FIRST), ("set", "AssignIpv6AddressOnCreation", True)]
    before, after, steps = planner.plan_present(_subnet(_assoc("associating", assoc_id="new")), assign=True)
    assert steps == [("await", "new", "associated"), ("set", "AssignIpv6AddressOnCreation", True)]


def test_absent_turns_settings_off_then_lets_the_block_go():
    subnet = _subnet(_assoc("associated", FIRST, "old"), AssignIpv6AddressOnCreation=True, EnableDns64=True)
    before, after, steps = planner.plan_absent(subnet)
    assert after == dict(before, ipv6_cidr_block=None, ipv6_association_id=None,
                         assign_ipv6_address_on_creation=False, enable_dns64=False)
    assert steps == [("set", "AssignIpv6AddressOnCreation", False), ("set", "EnableDns64", False),
                     ("disassociate", "old", FIRST), ("await", "old", "disassociated")]
    # A block the subnet does not hold is already absent.
    assert planner.plan_absent(subnet, SECOND) == (before, before, [])
    assert planner.plan_absent(_subnet())[2] == []


def _eni(eni_id, addresses=(), prefixes=(), instance=None):
    eni = {"NetworkInterfaceId": eni_id, "Ipv6Addresses": [{"Ipv6Address": a} for a in addresses],
           "Ipv6Prefixes": [{"Ipv6Prefix": p} for p in prefixes]}
    if instance:
        eni["Attachment"] = {"InstanceId": instance}
    return eni


def test_the_block_a_plan_releases():
    held = _subnet(_assoc("associated", assoc_id="old"), AssignIpv6AddressOnCreation=True)
    assert planner.releases_block(planner.plan_present(held, SECOND)[2]) == FIRST
    assert planner.releases_block(planner.plan_present(held, FIRST)[2]) is None
    assert planner.releases_block(planner.plan_absent(held)[2]) == FIRST
    assert planner.releases_block(planner.plan_present(_subnet(), FIRST)[2]) is None


def test_interfaces_using_a_block_by_address_or_prefix():
    interfaces = [_eni("eni-1", ["2600:1f18:aa:bb00::10"], instance="i-1"), _eni("eni-2", ["2600:1f18:aa:bb01::10"]),
                  _eni("eni-3", prefixes=["2600:1f18:aa:bb00:1::/80"]), _eni("eni-4")]
    assert planner.interfaces_using(interfaces, FIRST) == [
        ("eni-1", "i-1", ["2600:1f18:aa:bb00::10"]), ("eni-3", None, ["2600:1f18:aa:bb00:1::/80"])]
    assert planner.interfaces_using(interfaces, "2600:1f18:aa:bb02::/64") == []


def test_a_block_in_use_cannot_be_let_go():
    interfaces = [_eni("eni-1", ["2600:1f18:aa:bb00::10", "2600:1f18:aa:bb00::11"], instance="i-1"),
                  _eni("eni-2", prefixes=["2600:1f18:aa:bb00:1::/80"])]
    with pytest.raises(InvalidParameter) as raised:
        planner.check_block_unused(interfaces, "subnet-1", FIRST, "ipv6_subnet_index")
    assert str(raised.value) == (
        "ipv6_subnet_index: subnet subnet-1's IPv6 block 2600:1f18:aa:bb00::/64 cannot be let go while network interfaces "
        "use addresses of it (eni-1 (instance i-1): 2600:1f18:aa:bb00::10, 2600:1f18:aa:bb00::11; "
        "eni-2: 2600:1f18:aa:bb00:1::/80); AWS refuses to disassociate it. Nothing was changed: remove those interfaces "
        "or their IPv6 addresses (terminate the instance, or run playbooks/teardown.yml) first, or keep the current block")
    assert planner.check_block_unused([_eni("eni-3", ["2600:1f18:aa:bb01::1"])], "subnet-1", FIRST, "state") == FIRST

"""Unit tests of the planner of v6vpn.aws.instance_ipv6 (module_utils/interface_ipv6.py; no AWS, no emulator)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import interface_ipv6 as planner
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

A, B, C = "2600:1f18::a", "2600:1f18::b", "2600:1f18::c"
P1, P2 = "2600:1f18:0:0:1::/80", "2600:1f18:0:0:2::/80"


@pytest.mark.parametrize("current, count, exact, expected", [
    ([], 1, False, (1, [], [])),
    ([A], 1, False, (0, [], [])),
    ([A], 3, True, (2, [], [])),
    ([A, B, C], 1, False, (0, [], [])),
    # exact keeps the head of the keep-first order and removes the tail
    ([A, B, C], 1, True, (0, [], [B, C])),
    ([A, B], 0, True, (0, [], [A, B])),
    ([A, B], None, True, (0, [], [])),
])
def test_plan_by_count(current, count, exact, expected):
    assert planner.plan_items(current, count, None, exact) == expected


@pytest.mark.parametrize("current, wanted, exact, expected", [
    ([], [A], False, (0, [A], [])),
    ([A, B], [A], False, (0, [], [])),
    ([A, B], [A], True, (0, [], [B])),
    ([A], [B, C], True, (0, [B, C], [A])),
    ([A, B], [], True, (0, [], [A, B])),
    ([A, B], [], False, (0, [], [])),
])
def test_plan_by_list(current, wanted, exact, expected):
    assert planner.plan_items(current, None, wanted, exact) == expected


def test_interface_state_normalises_and_puts_the_primary_ipv6_first():
    eni = {
        "Ipv6Addresses": [
            {"Ipv6Address": "2600:1F18:0:0::B", "IsPrimaryIpv6": False},
            {"Ipv6Address": "2600:1f18:0000::a", "IsPrimaryIpv6": True},
        ],
        "Ipv6Prefixes": [{"Ipv6Prefix": "2600:1f18:0:0:1:0:0:0/80"}],
        "SourceDestCheck": True,
    }
    assert planner.interface_state(eni) == {
        "ipv6_addresses": ["2600:1f18::a", "2600:1f18::b"],
        "ipv6_prefixes": ["2600:1f18:0:0:1::/80"],
        "source_dest_check": True,
    }
    assert planner.interface_state({}) == {"ipv6_addresses": [], "ipv6_prefixes": [], "source_dest_check": False}


def test_ipv6_addresses_are_normalised_and_deduplicated():
    assert planner.check_ipv6_addresses(["2600:1F18::A", "2600:1f18:0::a", "2600:1f18::b"]) == ["2600:1f18::a", "2600:1f18::b"]
    assert planner.check_ipv6_addresses([]) == []


@pytest.mark.parametrize("value, message", [
    ("10.0.0.1", "is an IPv4 address, expected IPv6"),
    ("2600:1f18::/64", "is not a valid IP address"),
    ("nope", "is not a valid IP address"),
])
def test_ipv6_addresses_reject_non_ipv6(value, message):
    with pytest.raises(InvalidParameter, match=message) as err:
        planner.check_ipv6_addresses([value], "ipv6_addresses")
    assert str(err.value).startswith("ipv6_addresses: ")


def test_exact_needs_something_to_keep():
    with pytest.raises(InvalidParameter, match="^exact: "):
        planner.check_exact(True, None, None, None)
    assert planner.check_exact(True, None, None, 0) is True
    assert planner.check_exact(True, None, [], None) is True
    assert planner.check_exact(False, None, None, None) is False


def test_primary_interface_is_device_0_of_network_card_0():
    instance = {"InstanceId": "i-1", "NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-card1", "Attachment": {"DeviceIndex": 0, "NetworkCardIndex": 1}},
        {"NetworkInterfaceId": "eni-second", "Attachment": {"DeviceIndex": 1}},
        {"NetworkInterfaceId": "eni-primary", "Attachment": {"DeviceIndex": 0}},
    ]}
    assert planner.primary_interface_id(instance) == "eni-primary"
    with pytest.raises(InvalidParameter, match=r"^instance_id: instance i-1 has no primary network interface"):
        planner.primary_interface_id(dict(instance, NetworkInterfaces=instance["NetworkInterfaces"][:2]))


def _state(addresses=(), prefixes=(), check=True):
    return {"ipv6_addresses": list(addresses), "ipv6_prefixes": list(prefixes), "source_dest_check": check}


def test_plan_and_prediction_of_a_grow():
    before = _state([A], [], True)
    plan = planner.plan_interface(before, address_count=3, prefix_count=1, source_dest_check=False)
    assert plan == {"add_address_count": 2, "add_addresses": [], "remove_addresses": [],
                    "add_prefix_count": 1, "remove_prefixes": [], "source_dest_check": False}
    assert planner.adds_anything(plan)
    assert planner.predict(before, plan) == _state([A, planner.NEW_ADDRESS, planner.NEW_ADDRESS], [planner.NEW_PREFIX], False)
    # What EC2 answered replaces the placeholders; an address the interface already had is listed once.
    assert planner.interface_after(before, plan, [B, A, C], [P1]) == _state([A, B, C], [P1], False)


def test_plan_of_an_exact_trim_and_a_check_already_right():
    before = _state([A, B, C], [P1, P2], False)
    plan = planner.plan_interface(before, addresses=[C, A], prefix_count=1, exact=True, source_dest_check=False)
    assert plan == {"add_address_count": 0, "add_addresses": [], "remove_addresses": [B],
                    "add_prefix_count": 0, "remove_prefixes": [P2], "source_dest_check": None}
    assert not planner.adds_anything(plan)
    assert planner.predict(before, plan) == planner.interface_after(before, plan, [], []) == _state([A, C], [P1], False)


def test_nothing_asked_changes_nothing():
    before = _state([A], [P1], True)
    plan = planner.plan_interface(before)
    assert planner.predict(before, plan) == before and not planner.adds_anything(plan)


def test_subnet_block_must_exist_and_hold_the_addresses():
    eni = {"SubnetId": "subnet-1", "NetworkInterfaceId": "eni-1"}
    with pytest.raises(InvalidParameter, match="^subnet subnet-1 of network interface eni-1 has no IPv6 CIDR block"):
        planner.check_subnet_block(None, eni, None)
    with pytest.raises(InvalidParameter, match=r"^ipv6_addresses: outside the IPv6 block 2600:1f18::/64 of subnet subnet-1: 2600:1f19::1$"):
        planner.check_subnet_block("2600:1f18::/64", eni, [A, "2600:1f19::1"])
    assert planner.check_subnet_block("2600:1f18::/64", eni, [A, B]) == "2600:1f18::/64"


def test_prefix_delegation_is_refused_on_xen_only():
    instance = {"InstanceId": "i-1", "InstanceType": "t2.micro"}
    with pytest.raises(InvalidParameter, match="^ipv6_prefix_count: instance i-1 is a t2.micro, which is not built on the Nitro System"):
        planner.check_prefix_delegation(instance, {"InstanceType": "t2.micro", "Hypervisor": "xen"})
    planner.check_prefix_delegation(instance, {"InstanceType": "t3.micro", "Hypervisor": "nitro"})
    planner.check_prefix_delegation(instance, {"InstanceType": "c7i.metal-24xl", "BareMetal": True})

"""Unit tests of the pure planning logic of v6vpn.aws.instance_ipv6 (no AWS, no emulator)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.modules import instance_ipv6 as mod

A, B, C = "2600:1f18::a", "2600:1f18::b", "2600:1f18::c"


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
    assert mod.plan(current, count, None, exact) == expected


@pytest.mark.parametrize("current, wanted, exact, expected", [
    ([], [A], False, (0, [A], [])),
    ([A, B], [A], False, (0, [], [])),
    ([A, B], [A], True, (0, [], [B])),
    ([A], [B, C], True, (0, [B, C], [A])),
    ([A, B], [], True, (0, [], [A, B])),
    ([A, B], [], False, (0, [], [])),
])
def test_plan_by_list(current, wanted, exact, expected):
    assert mod.plan(current, None, wanted, exact) == expected


def test_interface_state_normalises_and_puts_the_primary_ipv6_first():
    eni = {
        "Ipv6Addresses": [
            {"Ipv6Address": "2600:1F18:0:0::B", "IsPrimaryIpv6": False},
            {"Ipv6Address": "2600:1f18:0000::a", "IsPrimaryIpv6": True},
        ],
        "Ipv6Prefixes": [{"Ipv6Prefix": "2600:1f18:0:0:1:0:0:0/80"}],
        "SourceDestCheck": True,
    }
    assert mod.interface_state(eni) == {
        "ipv6_addresses": ["2600:1f18::a", "2600:1f18::b"],
        "ipv6_prefixes": ["2600:1f18:0:0:1::/80"],
        "source_dest_check": True,
    }
    assert mod.interface_state({}) == {"ipv6_addresses": [], "ipv6_prefixes": [], "source_dest_check": False}


def _params(**kwargs):
    params = dict(ipv6_address_count=None, ipv6_addresses=None, ipv6_prefix_count=None, exact=False)
    params.update(kwargs)
    return params


def test_wanted_addresses_normalises_and_deduplicates():
    params = _params(ipv6_addresses=["2600:1F18::A", "2600:1f18:0::a", "2600:1f18::b"])
    assert mod.wanted_addresses(params) == ["2600:1f18::a", "2600:1f18::b"]
    assert mod.wanted_addresses(_params()) is None


@pytest.mark.parametrize("value, message", [
    ("10.0.0.1", "is an IPv4 address, expected IPv6"),
    ("2600:1f18::/64", "is not a valid IP address"),
    ("nope", "is not a valid IP address"),
])
def test_wanted_addresses_rejects_non_ipv6(value, message):
    with pytest.raises(InvalidParameter, match=message) as err:
        mod.wanted_addresses(_params(ipv6_addresses=[value]))
    assert str(err.value).startswith("ipv6_addresses: ")


def test_counts_must_not_be_negative():
    with pytest.raises(InvalidParameter, match="^ipv6_prefix_count: -1 is negative"):
        mod.check_count(_params(ipv6_prefix_count=-1), "ipv6_prefix_count")
    mod.check_count(_params(ipv6_prefix_count=0), "ipv6_prefix_count")


def test_exact_needs_something_to_keep():
    with pytest.raises(InvalidParameter, match="^exact: "):
        mod.check_something_to_be_exact(_params(exact=True))
    mod.check_something_to_be_exact(_params(exact=True, ipv6_prefix_count=0))

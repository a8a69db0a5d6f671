"""The v6vpn.aws.ipv4_cidr and ipv6_cidr tests (plugins/test/cidr.py)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.test.cidr import TestModule as CidrTests  # not a pytest class
from ansible_collections.v6vpn.aws.plugins.test.cidr import ipv4_cidr, ipv6_cidr


def test_tests_are_registered():
    assert CidrTests().tests() == {"ipv4_cidr": ipv4_cidr, "ipv6_cidr": ipv6_cidr}


@pytest.mark.parametrize("value, family", [
    ("10.64.0.0/16", 4), ("0.0.0.0/0", 4), ("198.51.100.7/32", 4),
    ("::/0", 6), ("2001:db8:100::/48", 6), ("2600:1f18::100:0:0:0:0/64", 6),
    ("10.64.0.1/16", None),  # host bits
    ("10.64.0.0", None), ("2001:db8::1", None),  # addresses
    ("nonsense", None), ("", None), (None, None), (42, None),
])
def test_family(value, family):
    assert ipv4_cidr(value) is (family == 4)
    assert ipv6_cidr(value) is (family == 6)


def test_splits_a_list_by_family():
    cidrs = ["198.51.100.7/32", "2001:db8:100::/48", "0.0.0.0/0", "::/0"]
    assert [c for c in cidrs if ipv4_cidr(c)] == ["198.51.100.7/32", "0.0.0.0/0"]
    assert [c for c in cidrs if ipv6_cidr(c)] == ["2001:db8:100::/48", "::/0"]

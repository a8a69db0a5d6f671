"""Unit tests of validation.validate and validation.optional: how every module checks its parameters."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import check_integer
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import optional
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate


class _Failed(Exception):
    pass


class _Module:
    def __init__(self):
        self.failures = []

    def fail_json(self, msg):
        self.failures.append(msg)
        raise _Failed(msg)


def _bad(message):
    def check():
        raise InvalidParameter(message)
    return check


def test_validate_returns_every_value_by_name():
    module = _Module()
    values = validate(module, vpc_id=lambda: check_resource_id("vpc-0123456789abcdef0", "vpc", "vpc_id"),
                      count=lambda: check_integer("3", "count", minimum=0))
    assert values == {"vpc_id": "vpc-0123456789abcdef0", "count": 3}
    assert module.failures == []


def test_validate_runs_every_check_and_fails_once_with_all_problems_in_order():
    module = _Module()
    ran = []
    with pytest.raises(_Failed):
        validate(module,
                 first=_bad("first: wrong"),
                 fine=lambda: ran.append("fine"),
                 second=_bad("second: wrong too"))
    assert ran == ["fine"]
    assert module.failures == ["first: wrong; second: wrong too"]


def test_other_exceptions_are_bugs_not_problems():
    with pytest.raises(ZeroDivisionError):
        validate(_Module(), broken=lambda: 1 // 0)


def test_optional_skips_a_parameter_left_out():
    assert optional(check_resource_id, None, "vpc", "vpc_id") is None
    assert optional(check_integer, "0", "count", minimum=0) == 0
    with pytest.raises(InvalidParameter, match="^vpc_id: '' is not a valid resource id"):
        optional(check_resource_id, "", "vpc", "vpc_id")


def test_counts_and_timeouts_must_not_be_negative():
    # What instance_ipv6 and subnet_ipv6 check their counts and wait_timeout with.
    with pytest.raises(InvalidParameter, match="^ipv6_prefix_count: -1 is not a whole number of at least 0$"):
        check_integer(-1, "ipv6_prefix_count", minimum=0)
    assert check_integer(0, "ipv6_prefix_count", minimum=0) == 0

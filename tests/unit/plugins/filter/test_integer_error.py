"""The v6vpn.aws.integer_error filter (plugins/filter/integer_error.py)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.filter.integer_error import FilterModule, integer_error


def test_filter_is_registered():
    assert FilterModule().filters() == {"integer_error": integer_error}


@pytest.mark.parametrize("value, bounds", [(0, ()), (-3, ()), (1194, (1, 65535)), ("1194", (1, 65535)), ("0", (0,)), (16384, (1, 16384))])
def test_accepts_whole_numbers_within_bounds(value, bounds):
    assert integer_error(value, "v", *bounds) == ""


@pytest.mark.parametrize("value, bounds, message", [
    (70000, (1, 65535), "port: 70000 is not a whole number from 1 to 65535"),
    (0, (1, 65535), "port: 0 is not a whole number from 1 to 65535"),
    (-1, (0,), "port: -1 is not a whole number of at least 0"),
    (11, (None, 10), "port: 11 is not a whole number of at most 10"),
    ("x", (), "port: 'x' is not a whole number"),
    (True, (), "port: True is not a whole number"),
    (1.5, (), "port: 1.5 is not a whole number"),
    (None, (0,), "port: None is not a whole number of at least 0"),
])
def test_names_the_variable_and_the_bounds(value, bounds, message):
    assert integer_error(value, "port", *bounds) == message

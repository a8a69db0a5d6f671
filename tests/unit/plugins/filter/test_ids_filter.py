"""The v6vpn.aws.resource_id_error filter (plugins/filter/ids.py)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.filter.ids import FilterModule, resource_id_error


def test_filter_is_registered():
    assert FilterModule().filters() == {"resource_id_error": resource_id_error}


@pytest.mark.parametrize("value, prefixes", [
    ("subnet-0123456789abcdef0", "subnet"),
    ("sg-01234567", "sg"),
    ("ami-0123456789abcdef0", ["ami"]),
    ("vgw-0123456789abcdef0", ["igw", "vgw"]),
])
def test_accepts(value, prefixes):
    assert resource_id_error(value, prefixes, "v") == ""


@pytest.mark.parametrize("value, prefixes, message", [
    ("subnet-123", "subnet", "ec2_subnet_id: 'subnet-123' is not a valid resource id (expected subnet-... with 8 or 17 hex digits)"),
    ("", "subnet", "ec2_subnet_id: '' is not a valid resource id (expected subnet-... with 8 or 17 hex digits)"),
    (None, "subnet", "ec2_subnet_id: None is not a valid resource id"),
    ("subnet-0123456789ABCDEF0", "subnet", "ec2_subnet_id: 'subnet-0123456789ABCDEF0' is not a valid resource id"),
    ("sg-0123456789abcdef0", "subnet", "ec2_subnet_id: 'sg-0123456789abcdef0' is a sg- id, expected subnet-..."),
    ("nat-0123456789abcdef0", ["igw", "vgw"], "ec2_subnet_id: 'nat-0123456789abcdef0' is a nat- id, expected igw-... or vgw-..."),
])
def test_names_the_variable(value, prefixes, message):
    assert resource_id_error(value, prefixes, "ec2_subnet_id").startswith(message)

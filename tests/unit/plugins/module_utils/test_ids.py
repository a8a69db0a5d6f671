"""Unit tests of the AWS resource-id rule."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter


@pytest.mark.parametrize("value, prefixes", [
    ("vpc-0123456789abcdef0", "vpc"),
    ("vpc-12345678", "vpc"),
    ("igw-0123456789abcdef0", ("igw", "vgw")),
    ("eigw-0123456789abcdef0", "eigw"),
])
def test_resource_ids_accepted(value, prefixes):
    assert check_resource_id(value, prefixes, "id") == value


@pytest.mark.parametrize("value, prefixes, message", [
    ("subnet-0123456789abcdef0", "vpc", "is a subnet- id, expected vpc-..."),
    ("vpc-XYZ", "vpc", "not a valid resource id"),
    ("vpc-0123456789ABCDEF0", "vpc", "not a valid resource id"),
    ("vpc-123", "vpc", "not a valid resource id"),
    ("", "vpc", "not a valid resource id"),
    ("vpc-0123456789abcdef0\n", "vpc", "not a valid resource id"),
    (12, "vpc", "not a valid resource id"),
    ("eigw-0123456789abcdef0", ("igw", "vgw"), "expected igw-... or vgw-..."),
])
def test_resource_ids_rejected(value, prefixes, message):
    with pytest.raises(InvalidParameter, match=message):
        check_resource_id(value, prefixes, "gateway_id")

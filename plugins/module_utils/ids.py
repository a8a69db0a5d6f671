# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS resource ids (``vpc-0abc...``): the one pattern the modules and the roles check them with."""

import re

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

# AWS resource ids: prefix, a dash, 8 (legacy) or 17 lowercase hex digits.
RESOURCE_ID = re.compile(r"(?P<prefix>[a-z]+)-(?:[0-9a-f]{8}|[0-9a-f]{17})")


def check_resource_id(value, prefixes, name):
    """Validate an AWS resource id such as ``vpc-0abc...`` against the allowed prefixes.

    :param prefixes: a prefix or tuple of prefixes, without the dash (``"vpc"``, ``("igw", "vgw")``)
    :raises InvalidParameter: when the id is malformed or has another prefix
    """
    if isinstance(prefixes, str):
        prefixes = (prefixes,)
    wanted = " or ".join("%s-..." % p for p in prefixes)
    match = RESOURCE_ID.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise InvalidParameter("%s: %r is not a valid resource id (expected %s with 8 or 17 hex digits)" % (name, value, wanted))
    if match.group("prefix") not in prefixes:
        raise InvalidParameter("%s: %r is a %s- id, expected %s" % (name, value, match.group("prefix"), wanted))
    return value


# What EC2 answers, by id prefix, when an id is unknown to it, which right after the create that
# returned the id means "not visible yet": the EC2 API is eventually consistent ("Eventual
# consistency in the Amazon EC2 API", EC2 Developer Guide). A route target that is not visible
# yet may answer the generic InvalidGatewayID.NotFound, which is also the EIGW's own code
# (terraform-provider-aws's egress-only gateway resource treats it as "gone").
NOT_FOUND_CODES = {
    "vpc": ("InvalidVpcID.NotFound",),
    "subnet": ("InvalidSubnetID.NotFound",),
    "rtb": ("InvalidRouteTableID.NotFound",),
    "igw": ("InvalidInternetGatewayID.NotFound", "InvalidGatewayID.NotFound"),
    "eigw": ("InvalidGatewayID.NotFound",),
    "vgw": ("InvalidVpnGatewayID.NotFound", "InvalidGatewayID.NotFound"),
    "nat": ("NatGatewayNotFound", "InvalidNatGatewayID.NotFound"),
    "tgw": ("InvalidTransitGatewayID.NotFound",),
    "i": ("InvalidInstanceID.NotFound",),
    "eni": ("InvalidNetworkInterfaceID.NotFound",),
    "sg": ("InvalidGroup.NotFound",),
    "eipalloc": ("InvalidAllocationID.NotFound",),
}


def not_found_codes(resource_ids):
    """The NotFound error codes of ``resource_ids`` (``["vpc-0abc...", "eigw-0def..."]``), in order, once each.

    :raises ValueError: for an id that is malformed or of a kind without a known code, so a
        call site never believes it retries what it does not
    """
    codes = []
    for resource_id in resource_ids:
        match = RESOURCE_ID.fullmatch(resource_id) if isinstance(resource_id, str) else None
        if not match or match.group("prefix") not in NOT_FOUND_CODES:
            raise ValueError("no NotFound code known for %r" % (resource_id,))
        codes.extend(c for c in NOT_FOUND_CODES[match.group("prefix")] if c not in codes)
    return tuple(codes)

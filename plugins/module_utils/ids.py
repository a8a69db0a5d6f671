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

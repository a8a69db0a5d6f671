# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Address-family tests on CIDR blocks (module_utils/cidr.py), e.g. to split a list by family:
``cidrs | select('v6vpn.aws.ipv6_cidr')``. Documentation: ipv4_cidr.yml and ipv6_cidr.yml.
"""

from __future__ import annotations

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import cidr_family
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter


def _family(value):
    try:
        return cidr_family(value)
    except InvalidParameter:
        return None


def ipv4_cidr(value):
    """True for an IPv4 CIDR block."""
    return _family(value) == 4


def ipv6_cidr(value):
    """True for an IPv6 CIDR block."""
    return _family(value) == 6


class TestModule:
    """CIDR tests of v6vpn.aws."""

    def tests(self):
        return {"ipv4_cidr": ipv4_cidr, "ipv6_cidr": ipv6_cidr}

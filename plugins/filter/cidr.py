# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""CIDR filters for the roles' input validation, on the same code as the modules.

The roles check their variables before any AWS call. ansible.utils' ``ipaddr`` would do
part of it, but it is one more collection to install and its messages do not name the
variable; these wrap plugins/module_utils/cidr.py so roles and modules agree on what a
valid block is. Documentation: one .yml file per filter beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import check_ipv6_subnet_index
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import check_prefix_length
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import live_ipv6_block as _live_ipv6_block
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import cidr_within as _cidr_within
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import normalize_address
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import nth_subnet
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import parse_network
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem


def cidr_error(value, name="cidr", family=None, min_prefix=None, max_prefix=None):
    """The reason ``value`` is not an acceptable CIDR block, or ``''`` when it is."""
    if family not in (None, 4, 6):
        raise AnsibleFilterError("cidr_error: family must be 4, 6 or omitted, not %r" % (family,))
    return problem(check_prefix_length, value, name, min_prefix, max_prefix, family)


def _check_cidr_list(value, name, family, min_prefix, max_prefix):
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)) or not value:
        raise InvalidParameter("%s must be a non-empty list of CIDR blocks (for example [\"198.51.100.7/32\"])" % name)
    problems = [problem(check_prefix_length, item, name, min_prefix, max_prefix, family) for item in value]
    if any(problems):
        raise InvalidParameter("; ".join(p for p in problems if p))
    return value


def cidr_list_error(value, name="cidrs", family=None, min_prefix=None, max_prefix=None):
    """The reasons ``value`` is not a non-empty list of acceptable CIDR blocks, or ``''``."""
    return problem(_check_cidr_list, value, name, family, min_prefix, max_prefix)


def ip_address_error(value, name="address", family=None):
    """The reason ``value`` is not a single IP address (of ``family``, when given), or ``''``."""
    if family not in (None, 4, 6):
        raise AnsibleFilterError("ip_address_error: family must be 4, 6 or omitted, not %r" % (family,))
    return problem(normalize_address, value, name, family)


def ipv6_subnet_index_error(value, name="ipv6_subnet_index"):
    """Why ``value`` is not the position of a /64 in an Amazon /56 (0-255), or ``''``."""
    return problem(check_ipv6_subnet_index, value, name)


def live_ipv6_block(associations):
    """The IPv6 block of an association set that counts (associated or associating; the Amazon
    /56 first), or ``''`` when none does."""
    return _live_ipv6_block(associations) or ""


def cidr_within(child, parent):
    """True when block ``child`` lies inside block ``parent``; False when either is not a CIDR."""
    try:
        parse_network(child)
        parse_network(parent)
    except InvalidParameter:
        return False
    return _cidr_within(child, parent)


def _check_within(value, parent, name, parent_name):
    if not cidr_within(value, parent):
        raise InvalidParameter("%s: %s is not inside %s %s" % (name, value, parent_name, parent))
    return value


def cidr_within_error(value, parent, name="cidr", parent_name="parent"):
    """Why block ``value`` does not lie inside block ``parent``, or ``''``."""
    return problem(_check_within, value, parent, name, parent_name)


def cidr_subnet(parent, new_prefix, index):
    """The ``index``-th block of length ``new_prefix`` inside ``parent``, normalised."""
    try:
        parse_network(parent, "parent")
        return nth_subnet(parent, int(new_prefix), int(index))
    except (InvalidParameter, TypeError, ValueError) as e:
        raise AnsibleFilterError("cidr_subnet: %s" % e) from None


class FilterModule:
    """CIDR filters of v6vpn.aws."""

    def filters(self):
        return {
            "cidr_error": cidr_error,
            "cidr_within": cidr_within,
            "cidr_within_error": cidr_within_error,
            "cidr_subnet": cidr_subnet,
            "cidr_list_error": cidr_list_error,
            "ip_address_error": ip_address_error,
            "ipv6_subnet_index_error": ipv6_subnet_index_error,
            "live_ipv6_block": live_ipv6_block,
        }

# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""CIDR filters for the roles' input validation, on the same code as the modules.

The roles check their variables before any AWS call. ansible.utils' ``ipaddr`` would do
part of it, but it is one more collection to install and its messages do not name the
variable; these wrap plugins/module_utils/cidr.py so roles and modules agree on what a
valid block is. Documentation: cidr_error.yml, cidr_within.yml and cidr_subnet.yml.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import check_prefix_length
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import cidr_within as _cidr_within
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import nth_subnet
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import parse_network
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter


def cidr_error(value, name="cidr", family=None, min_prefix=None, max_prefix=None):
    """The reason ``value`` is not an acceptable CIDR block, or ``''`` when it is."""
    if family not in (None, 4, 6):
        raise AnsibleFilterError("cidr_error: family must be 4, 6 or omitted, not %r" % (family,))
    try:
        check_prefix_length(value, name, minimum=min_prefix, maximum=max_prefix, family=family)
    except InvalidParameter as e:
        return str(e)
    return ""


def cidr_within(child, parent):
    """True when block ``child`` lies inside block ``parent``; False when either is not a CIDR."""
    try:
        parse_network(child)
        parse_network(parent)
    except InvalidParameter:
        return False
    return _cidr_within(child, parent)


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
            "cidr_subnet": cidr_subnet,
        }

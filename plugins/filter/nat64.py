# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""NAT64 filters for the roles' input validation (RFC 6052 prefixes, the translator's IPv4 pool),
on plugins/module_utils/nat64.py. Documentation: one .yml file per filter beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.module_utils import nat64
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem


def _check_prefix(value, apart_from, name):
    nat64.check_prefix(value, name)
    return nat64.check_prefix_apart(value, apart_from, name)


def nat64_prefix_error(value, name="nat64_prefix", apart_from=None):
    """Why ``value`` cannot be a NAT64 prefix (RFC 6052 length, alignment, u octet, special blocks,
    overlap with a block of ``apart_from``, a mapping of variable name to IPv6 block), or ``''``."""
    if apart_from is not None and not isinstance(apart_from, dict):
        raise AnsibleFilterError("nat64_prefix_error: apart_from must be a mapping of variable name to block")
    return problem(_check_prefix, value, apart_from or {}, name)


def nat64_ipv4_pool_error(value, tunnel_network, name="nat64_ipv4_pool", tunnel_name="ipv4_network"):
    """Why ``value`` cannot be the translator's dynamic IPv4 pool (size, special blocks, overlap with
    ``tunnel_network``), or ``''``."""
    return problem(nat64.check_pool, value, tunnel_network, name, tunnel_name)


def nat64_non_global_error(value, prefix, name="nat64_nonglobal_ipv4", prefix_name="nat64_prefix"):
    """Why non-global IPv4 cannot be allowed (``value`` true) behind ``prefix`` (the Well-Known
    Prefix), or ``''``."""
    return problem(nat64.check_non_global, value, prefix, name, prefix_name)


class FilterModule:
    """NAT64 filters of v6vpn.aws."""

    def filters(self):
        return {
            "nat64_prefix_error": nat64_prefix_error,
            "nat64_ipv4_pool_error": nat64_ipv4_pool_error,
            "nat64_non_global_error": nat64_non_global_error,
        }

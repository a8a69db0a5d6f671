# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What VPN clients may reach on and through the server: the rules of
plugins/module_utils/tunnel_access.py for the openvpn role's firewall and warnings.
Documentation: one .yml file per filter beside this one.
"""

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.v6vpn.aws.plugins.module_utils import tunnel_access


def openvpn_tunnel_access(dns_servers, ipv4_network, ipv6_pool=""):
    """The closed server's firewall values (module_utils.tunnel_access.tunnel_access)."""
    return tunnel_access.tunnel_access(dns_servers, ipv4_network, ipv6_pool or "")


def openvpn_dns_warning(dns_servers, redirect_ipv4, ipv4_network, name="openvpn_dns_servers"):
    """A warning about IPv4 resolvers pushed without IPv4 in the tunnel, or ``''``."""
    return tunnel_access.ipv4_dns_warning(dns_servers, boolean(redirect_ipv4, strict=False), ipv4_network, name)


class FilterModule:
    """Closed-server filters of v6vpn.aws."""

    def filters(self):
        return {
            "openvpn_tunnel_access": openvpn_tunnel_access,
            "openvpn_dns_warning": openvpn_dns_warning,
        }

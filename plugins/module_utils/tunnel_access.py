# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What VPN clients may reach on and through the server (a closed server), each rule written once.

- On the server itself: ICMP, replies, and the pushed resolver when the server serves it on its
  own tunnel address (port 53); nothing else, not sshd, not any other listener.
- Through the server: never the instance metadata service (169.254.169.254, fd00:ec2::254) nor
  link-local destinations (169.254.0.0/16, fe80::/10), except a pushed resolver that is link-local
  (the Amazon resolver 169.254.169.253), on port 53 only.
- An IPv4 resolver pushed while the clients' IPv4 does not go through the tunnel is reached on the
  client's own network, outside the VPN: worth a warning.

Pure Python: the role's filters (plugins/filter/openvpn_access.py) import it on the controller.
"""

import ipaddress

# The instance metadata service on EC2 (IPv4, and IPv6 on Nitro instances).
IMDS_ADDRESSES = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))
LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))


def _list(value):
    return [v for v in ([value] if isinstance(value, str) else list(value or [])) if v]


def server_tunnel_addresses(ipv4_network, ipv6_pool=""):
    """The server's own addresses in the tunnel: the first host of each network (what OpenVPN's
    ``server`` and ``server-ipv6`` give it). Each argument is one network or a list of them (one
    per OpenVPN instance, e.g. UDP and TCP); ``ipv6_pool`` empty: no IPv6 in the tunnel."""
    found = [next(ipaddress.ip_network(network, strict=False).hosts()) for network in _list(ipv4_network)]
    found += [ipaddress.ip_network(pool, strict=False)[1] for pool in _list(ipv6_pool)]
    return found


def _addresses(values):
    """The distinct addresses of ``values``, in order (two spellings of one address count once)."""
    found = []
    for value in values or []:
        address = ipaddress.ip_address(value)
        if address not in found:
            found.append(address)
    return found


def tunnel_access(dns_servers, ipv4_network, ipv6_pool=""):
    """The firewall's values for a closed server, as strings by family:

    ``resolvers4``/``resolvers6``: pushed resolvers the server serves on its own tunnel addresses
    (port 53 open to the clients there); ``link_local_resolvers4``/``6``: pushed resolvers that are
    link-local (forwarded on port 53 despite the link-local drop); ``imds4``/``imds6``: the
    metadata service; ``link_local4``/``6``: the link-local networks never forwarded to.
    """
    own = set(server_tunnel_addresses(ipv4_network, ipv6_pool))
    pushed = _addresses(dns_servers)
    served = [a for a in pushed if a in own]
    link_local = [a for a in pushed if any(a in net for net in LINK_LOCAL) and a not in IMDS_ADDRESSES]

    def family(values, version):
        return [str(a) for a in values if a.version == version]

    return dict(
        resolvers4=family(served, 4), resolvers6=family(served, 6),
        link_local_resolvers4=family(link_local, 4), link_local_resolvers6=family(link_local, 6),
        imds4=family(IMDS_ADDRESSES, 4), imds6=family(IMDS_ADDRESSES, 6),
        link_local4=[str(n) for n in LINK_LOCAL if n.version == 4], link_local6=[str(n) for n in LINK_LOCAL if n.version == 6],
    )


def ipv4_dns_warning(dns_servers, redirect_ipv4, ipv4_network, name="openvpn_dns_servers"):
    """A warning when IPv4 resolvers are pushed but the clients' IPv4 is not redirected through
    the tunnel (they then ask those resolvers on their own network, in the clear); ``''`` else.
    The server's own tunnel address is in the tunnel either way."""
    if redirect_ipv4:
        return ""
    own = set(server_tunnel_addresses(ipv4_network))
    outside = [str(a) for a in _addresses(dns_servers) if a.version == 4 and a not in own]
    if not outside:
        return ""
    return ("%s pushes the IPv4 resolver(s) %s while openvpn_redirect_ipv4 is false: the clients reach them outside the "
            "tunnel, on their own network (queries in the clear, and a link-local one such as 169.254.169.253 not at all). "
            "Push an IPv6 resolver, or set openvpn_redirect_ipv4: true." % (name, ", ".join(outside)))

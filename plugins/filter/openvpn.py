# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The openvpn role's own rules and the values its templates are written from.

The role checks its variables like the other roles (roles/openvpn/tasks/validate.yml asserts one
list of ``v6vpn.aws.*_error`` results, every problem at once); the rules here are those that
involve more than one of its variables or concern OpenVPN only. ``openvpn_config`` then derives,
from validated variables passed by name, what server.conf, the firewall and the profiles need.
Documentation: one .yml file per filter beside this one.
"""

from __future__ import annotations

import ipaddress

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.module_utils import cidr
from ansible_collections.v6vpn.aws.plugins.module_utils import fixed_addresses
from ansible_collections.v6vpn.aws.plugins.module_utils import names
from ansible_collections.v6vpn.aws.plugins.module_utils import nat64
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import check_integer
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem

# Routed clients keep their own addresses on the internet: they must be routable there.
GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
# An unquoted YAML `off` is read as false; the argument spec accepts it as "off" too.
MODE_OFF = "off"
# OpenVPN's limits: `server` takes /16 to /29, `server-ipv6` /64 to /112 (also each half's, with
# the TCP fallback).
IPV4_MAX_PREFIX = 29
IPV6_MAX_PREFIX = 112
# The systemd instances (openvpn-server@<name>): the main server and its TCP fallback.
MAIN_SERVER = "server"
TCP_FALLBACK_SERVER = "server-tcp"


def _mode(value):
    return MODE_OFF if value is False else value


def _check_routed_prefix(prefix, mode, min_prefix, max_prefix, name, mode_name):
    if _mode(mode) != "routed":
        return prefix
    if not prefix:
        raise InvalidParameter("%s is required when %s is 'routed': the /%s-/%s routed to this server (playbooks/site.yml "
                               "passes the instance's delegated /80)" % (name, mode_name, min_prefix, max_prefix))
    pool = cidr.check_prefix_length(prefix, name, min_prefix, max_prefix, 6)
    if not pool.subnet_of(GLOBAL_UNICAST):
        raise InvalidParameter("%s: %s is not a global unicast prefix (inside %s); routed clients need addresses the "
                               "internet routes back" % (name, prefix, GLOBAL_UNICAST))
    return prefix


def openvpn_routed_prefix_error(prefix, mode, min_prefix=None, max_prefix=None,
                                name="openvpn_ipv6_routed_prefix", mode_name="openvpn_ipv6_mode"):
    """In routed mode, why ``prefix`` cannot be the clients' IPv6 pool (missing, not an IPv6 block
    of ``min_prefix``-``max_prefix``, not global unicast), or ``''``; always ``''`` in other modes."""
    return problem(_check_routed_prefix, prefix, mode, min_prefix, max_prefix, name, mode_name)


def _check_keepalive(timeout, interval, name, interval_name):
    try:
        timeout, interval = check_integer(timeout, name), check_integer(interval, interval_name)
    except InvalidParameter:
        return timeout  # integer_error reports each on its own
    if timeout < 2 * interval:
        raise InvalidParameter("%s: %d must be at least twice %s (%d)" % (name, timeout, interval_name, interval))
    return timeout


def openvpn_keepalive_error(timeout, interval, name="openvpn_keepalive_timeout", interval_name="openvpn_keepalive_interval"):
    """Why ``timeout`` is shorter than two keepalive ``interval``s, or ``''``."""
    return problem(_check_keepalive, timeout, interval, name, interval_name)


def openvpn_revoked_clients_error(revoked, clients, name="openvpn_revoked_clients", clients_name="openvpn_clients"):
    """The clients listed both as valid and as revoked, or ``''``."""
    if not isinstance(revoked, (list, tuple)) or not isinstance(clients, (list, tuple)):
        return ""  # client_names_error reports it
    return problem(names.check_clients_not_revoked, clients, revoked, clients_name, name)


def _check_not_empty(value, name):
    if isinstance(value, (list, tuple)) and not value:
        raise InvalidParameter("%s: empty; list at least one data channel cipher (the choices of "
                               "`ansible-doc -t role v6vpn.aws.openvpn`)" % name)
    return value


def openvpn_data_ciphers_error(ciphers, name="openvpn_data_ciphers"):
    """``''`` unless ``ciphers`` is an empty list (the argument spec checks each cipher)."""
    return problem(_check_not_empty, ciphers, name)


def _check_ipv6_only(ipv6_only, mode, redirect_ipv4, dns_servers, dns64_upstreams, name):
    if ipv6_only is not True:
        return ipv6_only
    problems = []
    if _mode(mode) == MODE_OFF:
        problems.append("%s needs IPv6 in the tunnel: set openvpn_ipv6_mode to nat66 or routed, not off" % name)
    if redirect_ipv4 is True:
        problems.append("%s and openvpn_redirect_ipv4 contradict each other: an IPv6-only tunnel carries no "
                        "IPv4 (NAT64 reaches IPv4 hosts); set openvpn_redirect_ipv4 to false" % name)
    if isinstance(dns_servers, (list, tuple)) and dns_servers:
        problems.append("%s pushes the server's DNS64 resolver as the clients' only resolver: leave "
                        "openvpn_dns_servers empty and list the resolvers it asks in openvpn_dns64_upstreams" % name)
    if isinstance(dns64_upstreams, (list, tuple)) and not dns64_upstreams:
        problems.append("openvpn_dns64_upstreams: empty; the DNS64 resolver of %s needs at least one upstream "
                        "resolver (on AWS the VPC resolver 169.254.169.253)" % name)
    if problems:
        raise InvalidParameter("; ".join(problems))
    return ipv6_only


def openvpn_ipv6_only_error(ipv6_only, mode, redirect_ipv4, dns_servers, dns64_upstreams, name="openvpn_ipv6_only"):
    """When ``ipv6_only`` is true, what contradicts it (IPv6 off, IPv4 redirected, IPv4 resolvers pushed,
    no DNS64 upstream), or ``''``; always ``''`` when it is false."""
    return problem(_check_ipv6_only, ipv6_only, mode, redirect_ipv4, dns_servers, dns64_upstreams, name)


def _tcp_fallback_on(tcp_fallback, proto):
    """A second server on TCP only beside a UDP one (a TCP server needs no fallback)."""
    return tcp_fallback is True and proto == "udp"


def _tunnel_pool(mode, ipv6_network, ipv6_routed_prefix):
    """The clients' IPv6 pool and the variable it comes from ('' when IPv6 is off)."""
    return {"nat66": (ipv6_network, "openvpn_ipv6_network"),
            "routed": (ipv6_routed_prefix, "openvpn_ipv6_routed_prefix")}.get(_mode(mode), ("", ""))


def _check_tcp_fallback(tcp_fallback, proto, ipv4_network, ipv6_mode, ipv6_network, ipv6_routed_prefix, name):
    if not _tcp_fallback_on(tcp_fallback, proto):
        return tcp_fallback
    pool, pool_name = _tunnel_pool(ipv6_mode, ipv6_network, ipv6_routed_prefix)
    problems = []
    for value, value_name, max_prefix, family in ((ipv4_network, "openvpn_ipv4_network", IPV4_MAX_PREFIX, 4),
                                                  (pool, pool_name, IPV6_MAX_PREFIX, 6)):
        if not value:
            continue
        try:
            cidr.parse_network(value, value_name, family)
        except InvalidParameter:
            continue  # cidr_error and openvpn_routed_prefix_error report it
        try:
            cidr.halves(value, value_name, max_prefix, family)
        except InvalidParameter as e:
            problems.append("%s gives each server half of the tunnel's networks: %s (or set %s to false)" % (name, e, name))
    if problems:
        raise InvalidParameter("; ".join(problems))
    return tcp_fallback


def openvpn_tcp_fallback_error(tcp_fallback, proto, ipv4_network, ipv6_mode, ipv6_network, ipv6_routed_prefix,
                               name="openvpn_tcp_fallback"):
    """With the TCP fallback of a UDP server on, why the tunnel's IPv4 network or IPv6 pool cannot be
    halved within OpenVPN's limits (/29, /112), or ``''``."""
    return problem(_check_tcp_fallback, tcp_fallback, proto, ipv4_network, ipv6_mode, ipv6_network, ipv6_routed_prefix, name)


def _parts(proto, tcp_fallback, ipv4_network, pool):
    """Each server's part of the tunnel's IPv4 network and IPv6 pool: the whole of them, or with
    the TCP fallback their halves (the main server the first, the fallback the second)."""
    if not _tcp_fallback_on(tcp_fallback, proto):
        return [(ipv4_network, pool)]
    ipv4_parts = cidr.halves(ipv4_network, "ipv4_network", IPV4_MAX_PREFIX, 4)
    pool_parts = cidr.halves(pool, "ipv6_pool", IPV6_MAX_PREFIX, 6) if pool else ["", ""]
    return list(zip(ipv4_parts, pool_parts))


def _check_clients(clients, ipv4_network, ipv6_mode, ipv6_network, ipv6_routed_prefix, proto, tcp_fallback, name):
    entries = fixed_addresses.check_entries(clients, name)
    pool = _tunnel_pool(ipv6_mode, ipv6_network, ipv6_routed_prefix)[0]
    if _mode(ipv6_mode) != MODE_OFF and not pool:
        return clients  # openvpn_routed_prefix_error reports the missing prefix
    try:
        main_ipv4, main_pool = _parts(proto, tcp_fallback, cidr.normalize_cidr(ipv4_network, "ipv4_network", 4),
                                      cidr.normalize_cidr(pool, "ipv6_pool", 6) if pool else "")[0]
    except InvalidParameter:
        return clients  # the rules of the networks report them
    part = ("; with the TCP fallback these are the %s server's halves of the tunnel's networks, and the fallback gives each "
            "client the same offsets in the other halves" % proto if _tcp_fallback_on(tcp_fallback, proto) else "")
    fixed_addresses.check_fixed_addresses(entries, main_ipv4, main_pool, name, "openvpn_ipv6_mode", part)
    return clients


def openvpn_clients_error(clients, ipv4_network, ipv6_mode, ipv6_network, ipv6_routed_prefix, proto="udp", tcp_fallback=False,
                          name="openvpn_clients"):
    """Why ``clients`` (names, or mappings of name and fixed ipv4 and ipv6 addresses) are not
    acceptable: a bad entry or name, a name listed twice, a fixed address outside its range or
    given twice, a fixed IPv4 address without an IPv6 one while the tunnel carries IPv6; or ``''``."""
    return problem(_check_clients, clients, ipv4_network, ipv6_mode, ipv6_network, ipv6_routed_prefix, proto, tcp_fallback, name)


def _servers(proto, port, tcp_fallback, tcp_fallback_port, devices, ipv4_network, pool, dns, ipv6_only, clients):
    """The OpenVPN servers of this host: the main one and, with the TCP fallback, a second on TCP
    with the second half of each tunnel network (the main one keeps the first half); each with the
    client-config-dir files that give clients fixed addresses (``<server>/<client>``)."""
    parts = _parts(proto, tcp_fallback, ipv4_network, pool)
    transports = [(MAIN_SERVER, proto, check_integer(port, "port"), devices[0])]
    if len(parts) > 1:
        transports.append((TCP_FALLBACK_SERVER, "tcp", check_integer(tcp_fallback_port, "tcp_fallback_port"), devices[1]))
    fixed_ipv4 = fixed_addresses.has_fixed_ipv4(clients)
    servers, client_configs = [], []
    for (name, transport, number, device), (ipv4_part, pool_part) in zip(transports, parts):
        ipv4 = ipaddress.ip_network(ipv4_part)
        pool_first, pool_last = fixed_addresses.ipv4_pool(ipv4, fixed_ipv4)
        # IPv6-only: each server's own tunnel address (pool::1) is its clients' DNS64 resolver.
        resolvers = [ipaddress.ip_network(pool_part)[1]] if ipv6_only and pool_part else dns
        servers.append(dict(
            name=name, proto=transport, port=number, device=device,
            ipv4_network=ipv4.compressed,
            # What OpenVPN's `server` directive would set, with the pool clear of fixed addresses.
            ipv4_address=str(ipv4.network_address + 1),
            ipv4_netmask=str(ipv4.netmask),
            ipv4_pool="%s %s" % (pool_first, pool_last),
            ipv6_pool=pool_part or "",
            dns4=[str(address) for address in resolvers if address.version == 4],
            dns6=[address.compressed for address in resolvers if address.version == 6],
        ))
        client_configs += [dict(config, server=name, file="%s/%s" % (name, config["name"]))
                           for config in fixed_addresses.client_configs(clients, parts[0][0], parts[0][1], ipv4_part, pool_part)]
    return servers, client_configs


def _sink(network):
    """The dead-end IPv6 address and gateway pushed with block-ipv6 when IPv6 is off."""
    first = network.network_address
    return "%s/%d %s" % (first + 2, network.prefixlen, first + 1)


def _nat64(ipv6_only, ipv4_network, pool, push_routes, prefix, ipv4_pool, nonglobal_ipv4, upstreams):
    """The NAT64 and DNS64 values of an IPv6-only tunnel; empty ones when it is not."""
    if not ipv6_only or not pool:
        return dict(ipv6_only=False, nat64_prefix="", nat64_ipv4_pool="", nat64_ipv4_address="", nat64_ipv6_address="",
                    nat64_blocked_ipv4=[], nat64_blocked_ipv6=[], dns64_resolver="", dns64_upstreams=[])
    prefix = nat64.check_prefix(prefix, "nat64_prefix")
    nat64.check_non_global(nonglobal_ipv4, prefix)
    first = cidr.parse_network(pool, "ipv6_pool", 6).network_address
    return dict(
        ipv6_only=True,
        nat64_prefix=prefix,
        nat64_ipv4_pool=nat64.check_pool(ipv4_pool, ipv4_network, "nat64_ipv4_pool"),
        nat64_ipv4_address=nat64.translator_ipv4_address(ipv4_pool),
        # The translator's own IPv6 address (source of its ICMPv6 errors, packet too big among them):
        # pool::2, which OpenVPN never hands out (the server is ::1, clients start at ::1000).
        nat64_ipv6_address=(first + 2).compressed,
        nat64_blocked_ipv4=nat64.blocked_ipv4(nonglobal_ipv4),
        nat64_blocked_ipv6=[nat64.embed(prefix, block) for block in nat64.blocked_ipv4(nonglobal_ipv4)],
        # The OpenVPN server's own tunnel address (pool::1).
        dns64_resolver=(first + 1).compressed,
        dns64_upstreams=[cidr.normalize_address(server, "dns64_upstreams") for server in upstreams],
        # 64:ff9b::/96 is outside 2000::/3: pushed on its own unless a pushed route covers it.
        push_nat64_route=not nat64.covered(prefix, push_routes),
    )


def openvpn_config(ipv6_mode, ipv4_network, ipv6_network, ipv6_routed_prefix, ipv6_push_routes, dns_servers,
                   public_endpoint, data_ciphers, ipv6_only=False, nat64_prefix="64:ff9b::/96", nat64_ipv4_pool="",
                   nat64_nonglobal_ipv4=False, dns64_upstreams=(), proto="udp", port=1194, tcp_fallback=False,
                   tcp_fallback_port=443, devices=("tun-v6vpn", "tun-v6vpn-tcp"), clients=()):
    """What the role's templates need, from its validated variables (roles/openvpn/vars/main.yml)."""
    mode = _mode(ipv6_mode)
    try:
        entries = fixed_addresses.check_entries(clients, "clients")
        ipv4 = cidr.parse_network(ipv4_network, "ipv4_network", 4)
        sink_network = cidr.parse_network(ipv6_network, "ipv6_network", 6)
        pool = _tunnel_pool(mode, ipv6_network, ipv6_routed_prefix)[0]
        pool = cidr.normalize_cidr(pool, "ipv6_pool", 6) if pool else ""
        dns = [ipaddress.ip_address(cidr.normalize_address(server, "dns_servers")) for server in dns_servers]
        push_routes = [cidr.normalize_cidr(route, "ipv6_push_routes", 6) for route in ipv6_push_routes]
        six = _nat64(ipv6_only is True, ipv4.compressed, pool, push_routes, nat64_prefix, nat64_ipv4_pool, nat64_nonglobal_ipv4 is True,
                     dns64_upstreams)
        if six.pop("push_nat64_route", False):
            push_routes.append(six["nat64_prefix"])
        if six["ipv6_only"]:
            # The DNS64 resolver is the clients' only one (validation refuses openvpn_dns_servers).
            dns = [ipaddress.ip_address(six["dns64_resolver"])]
        servers, client_configs = _servers(proto, port, tcp_fallback, tcp_fallback_port, devices, ipv4.compressed, pool, dns,
                                           six["ipv6_only"], entries)
        return dict(
            mode=mode,
            # The whole networks (firewall, NAT, published); each server has its part of them.
            ipv4_network=ipv4.compressed,
            ipv6_pool=pool,
            servers=servers,
            tcp_fallback=len(servers) > 1,
            clients=fixed_addresses.client_names(entries),
            # The client-config-dir files (<server>/<client>) and, by client, the addresses they give.
            client_configs=client_configs,
            fixed_addresses=_fixed_addresses(servers, client_configs),
            ipv6_sink=_sink(sink_network),
            push_ipv6_routes=push_routes,
            dns4=[str(address) for address in dns if address.version == 4],
            dns6=[address.compressed for address in dns if address.version == 6],
            public_endpoint=_endpoint(public_endpoint),
            data_ciphers=":".join(data_ciphers),
            **six
        )
    except InvalidParameter as e:
        raise AnsibleFilterError("openvpn_config: %s (the role's tasks/validate.yml reports this first)" % e) from None


def _fixed_addresses(servers, client_configs):
    """Client name -> the fixed addresses each server gives it (proto, port, ipv4, ipv6)."""
    transports = dict((server["name"], (server["proto"], server["port"])) for server in servers)
    addresses = {}
    for config in client_configs:
        proto, port = transports[config["server"]]
        addresses.setdefault(config["name"], []).append(dict(proto=proto, port=port, ipv4=config["ipv4"], ipv6=config["ipv6"]))
    return addresses


def _endpoint(value):
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value


class FilterModule:
    """The openvpn role's filters."""

    def filters(self):
        return {
            "openvpn_routed_prefix_error": openvpn_routed_prefix_error,
            "openvpn_keepalive_error": openvpn_keepalive_error,
            "openvpn_revoked_clients_error": openvpn_revoked_clients_error,
            "openvpn_data_ciphers_error": openvpn_data_ciphers_error,
            "openvpn_ipv6_only_error": openvpn_ipv6_only_error,
            "openvpn_tcp_fallback_error": openvpn_tcp_fallback_error,
            "openvpn_clients_error": openvpn_clients_error,
            "openvpn_config": openvpn_config,
        }

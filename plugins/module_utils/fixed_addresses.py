# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Clients of the openvpn role, and the fixed tunnel addresses some of them get.

An entry of ``openvpn_clients`` is a client name, or a mapping with the ``name`` and the client's
fixed tunnel addresses ``ipv4`` and/or ``ipv6``. OpenVPN pushes a fixed address from the client's
file in the server's ``client-config-dir`` (``ifconfig-push``, ``ifconfig-ipv6-push``), but its
dynamic pool does not know those addresses and would hand them out too, so fixed addresses come
from ranges the pools never use:

- IPv4: the lower half of the server's network from its ``.2`` (``.0`` is the network, ``.1``
  the server); while any client has a fixed IPv4 address the dynamic pool is the upper half
  (without one, the whole network from ``.2``, as OpenVPN's ``server`` directive does);
- IPv6: ``::3`` to ``::fff`` of the server's pool (``::1`` is the server, ``::2`` the other end of
  its ``ifconfig-ipv6``, the NAT64 translator's address; ``server-ipv6`` hands out addresses from
  ``::1000`` on).

OpenVPN cannot give a client with a fixed IPv4 address an IPv6 address from the pool (multi.c:
"automatic IPv6 assignment from --ifconfig-ipv6-pool does not work"), so with IPv6 in the tunnel
a fixed IPv4 address needs a fixed IPv6 address too.

With the TCP fallback each server has half of the tunnel's networks; a client's addresses are
given in the main server's halves and it gets the same offsets in the fallback's.

Pure Python: the roles reach these rules through ``v6vpn.aws.openvpn_clients_error`` and
``v6vpn.aws.openvpn_config`` (plugins/filter/openvpn.py).
"""

import ipaddress

from ansible_collections.v6vpn.aws.plugins.module_utils import names
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

# The keys of an entry given as a mapping.
ENTRY_KEYS = ("name", "ipv4", "ipv6")
# The first fixed IPv4 address of a server's network (.0 the network, .1 the server).
IPV4_FIRST_FIXED = 2
# The first fixed IPv6 address of a server's pool (::1 the server, ::2 its ifconfig-ipv6 remote end,
# the NAT64 translator's), and where server-ipv6 starts handing out addresses (helper.c: "pool starts
# at base address + 0x1000").
IPV6_FIRST_FIXED = 3
IPV6_POOL_START = 0x1000


def client_names(entries):
    """The names of the entries, in order."""
    return [names.entry_name(entry) for entry in entries or []]


def _check_entry(entry, name):
    if isinstance(entry, str):
        return dict(name=names.check_client_name(entry, name), ipv4="", ipv6="")
    if not isinstance(entry, dict):
        raise InvalidParameter("%s: %r is neither a client name nor a mapping of name, ipv4 and ipv6" % (name, entry))
    unknown = sorted(str(key) for key in entry if key not in ENTRY_KEYS)
    if unknown:
        raise InvalidParameter("%s: %r has unknown key(s) %s; an entry has name, ipv4 and ipv6"
                               % (name, entry.get("name", entry), ", ".join(unknown)))
    if "name" not in entry:
        raise InvalidParameter("%s: %r has no name" % (name, entry))
    return dict(name=names.check_client_name(entry["name"], name),
                ipv4=_check_address(entry.get("ipv4"), 4, entry["name"], name),
                ipv6=_check_address(entry.get("ipv6"), 6, entry["name"], name))


def _check_address(value, family, client, name):
    if value in (None, ""):
        return ""
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        address = None
    if address is None or address.version != family:
        raise InvalidParameter("%s: %s's ipv%d %r is not an IPv%d address" % (name, client, family, value, family))
    return address.compressed


def check_entries(entries, name="clients"):
    """Validate the clients: each a name or a mapping of ``name``, ``ipv4``, ``ipv6``; every name
    valid and listed once. Return them as mappings, the addresses normalised ('' when not fixed)."""
    if not isinstance(entries, (list, tuple)):
        raise InvalidParameter("%s: expected a list of client names or mappings, got %r" % (name, entries))
    checked, problems = [], []
    for entry in entries:
        try:
            checked.append(_check_entry(entry, name))
        except InvalidParameter as e:
            problems.append(str(e))
    problems += names.listed_twice([entry["name"] for entry in checked], name)
    if problems:
        raise InvalidParameter("; ".join(problems))
    return checked


def has_fixed_ipv4(entries):
    """Whether any (checked) entry has a fixed IPv4 address."""
    return any(entry["ipv4"] for entry in entries)


def ipv4_fixed_range(network):
    """The first and last fixed IPv4 address of a server's network: .2 to the end of its lower half."""
    network = ipaddress.ip_network(network)
    return network.network_address + IPV4_FIRST_FIXED, network.network_address + network.num_addresses // 2 - 1


def ipv4_pool(network, fixed):
    """A server's dynamic IPv4 pool, first and last address: the upper half of its network while
    clients have fixed IPv4 addresses, else all of it from .2; never the broadcast address."""
    network = ipaddress.ip_network(network)
    first = network.num_addresses // 2 if fixed else IPV4_FIRST_FIXED
    return network.network_address + first, network.broadcast_address - 1


def ipv6_fixed_range(pool):
    """The first and last fixed IPv6 address of a server's pool: ::3 to ::fff."""
    pool = ipaddress.ip_network(pool)
    return pool.network_address + IPV6_FIRST_FIXED, pool.network_address + IPV6_POOL_START - 1


def _range_text(first, last):
    return "%s-%s" % (first.compressed, last.compressed)


def check_fixed_addresses(entries, ipv4_network, ipv6_pool, name="clients", ipv6_off_name="ipv6 mode", part=""):
    """Validate the fixed addresses of checked ``entries`` against the main server's IPv4 network
    and IPv6 pool (``''`` when the tunnel has no IPv6): inside the fixed ranges, none twice, and
    a fixed IPv6 address beside each fixed IPv4 one when the tunnel has IPv6. ``part`` says, when
    they are, how those are parts of the configured networks. Return ``entries``."""
    problems = []
    ipv4_first, ipv4_last = ipv4_fixed_range(ipv4_network)
    ipv6_first, ipv6_last = ipv6_fixed_range(ipv6_pool) if ipv6_pool else (None, None)
    owners = {}
    for entry in entries:
        client = entry["name"]
        if entry["ipv4"]:
            address = ipaddress.ip_address(entry["ipv4"])
            if not ipv4_first <= address <= ipv4_last:
                problems.append("%s: %s's ipv4 %s is not among the fixed addresses %s (the lower half of %s from .2; "
                                "the upper half is the dynamic pool%s)"
                                % (name, client, address, _range_text(ipv4_first, ipv4_last), ipv4_network, part))
            if ipv6_pool and not entry["ipv6"]:
                problems.append("%s: %s has a fixed ipv4 but no ipv6; OpenVPN gives a client with a fixed IPv4 address "
                                "no IPv6 address from the pool, so give %s an ipv6 too (%s)"
                                % (name, client, client, _range_text(ipv6_first, ipv6_last)))
        if entry["ipv6"]:
            address = ipaddress.ip_address(entry["ipv6"])
            if not ipv6_pool:
                problems.append("%s: %s has an ipv6 but the tunnel carries no IPv6 (%s is off); remove it"
                                % (name, client, ipv6_off_name))
            elif not ipv6_first <= address <= ipv6_last:
                problems.append("%s: %s's ipv6 %s is not among the fixed addresses %s of %s (the pool hands out "
                                "::1000 onwards%s)"
                                % (name, client, address.compressed, _range_text(ipv6_first, ipv6_last), ipv6_pool, part))
        for key in ("ipv4", "ipv6"):
            if entry[key]:
                owners.setdefault(entry[key], []).append(client)
    problems += ["%s: %s have the same address %s; a fixed address belongs to one client" % (name, " and ".join(clients), address)
                 for address, clients in owners.items() if len(clients) > 1]
    if problems:
        raise InvalidParameter("; ".join(problems))
    return entries


def _moved(address, source, target):
    """``address`` at the same offset in ``target`` as in ``source``."""
    offset = int(ipaddress.ip_address(address)) - int(ipaddress.ip_network(source).network_address)
    return ipaddress.ip_network(target).network_address + offset


def client_configs(entries, main_ipv4, main_pool, ipv4_network, pool):
    """What one server pushes to each client with fixed addresses (its client-config-dir file):
    ``ipv4`` (``address netmask``, for ifconfig-push) and ``ipv6`` (``address/bits server``, for
    ifconfig-ipv6-push), at the addresses' offsets in the main server's network and pool moved to
    this server's ``ipv4_network`` and ``pool``. Also the plain addresses, for the published facts."""
    network = ipaddress.ip_network(ipv4_network)
    configs = []
    for entry in entries:
        if not entry["ipv4"] and not entry["ipv6"]:
            continue
        config = dict(name=entry["name"], ipv4="", ipv4_push="", ipv6="", ipv6_push="")
        if entry["ipv4"]:
            address = _moved(entry["ipv4"], main_ipv4, network)
            config.update(ipv4=str(address), ipv4_push="%s %s" % (address, network.netmask))
        if entry["ipv6"] and pool:
            six = ipaddress.ip_network(pool)
            address = _moved(entry["ipv6"], main_pool, six)
            config.update(ipv6=address.compressed,
                          ipv6_push="%s/%d %s" % (address.compressed, six.prefixlen, (six.network_address + 1).compressed))
        configs.append(config)
    return configs

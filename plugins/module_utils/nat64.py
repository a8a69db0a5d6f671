# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""NAT64 rules (RFC 6052, RFC 6146): which prefixes may carry IPv4 addresses, which IPv4
destinations may sit behind them, and the translator's own IPv4 pool.

Pure functions, unit-tested in tests/unit/plugins/module_utils/test_nat64.py; the roles reach
them through the ``v6vpn.aws.nat64_*`` filters (plugins/filter/nat64.py).
"""

import ipaddress

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import parse_network
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

# RFC 6052 section 2.1: the Well-Known Prefix.
WELL_KNOWN_PREFIX = ipaddress.ip_network("64:ff9b::/96")
# RFC 6052 section 2.2: the only lengths an IPv4-embedded IPv6 prefix may have.
PREFIX_LENGTHS = (32, 40, 48, 56, 64, 96)
# RFC 6052 section 2.2: bits 64 to 71 (the "u" octet) must be zero; a prefix shorter than /96
# spans them, so they must be zero in the prefix itself.
U_OCTET_MASK = 0xFF << (128 - 72)
# Blocks an IPv4-embedded prefix cannot overlap: link-local and multicast. And ::/8 (the
# unspecified, loopback, IPv4-compatible and IPv4-mapped addresses) but for the Well-Known Prefix:
# tayga, Debian's translator (0.9.2 in Debian 12 and 13), drops every other address whose first
# byte is zero, so RFC 8215's 64:ff9b:1::/48 cannot be used with it.
NOT_A_PREFIX = tuple(ipaddress.ip_network(block) for block in ("::/8", "fe80::/10", "ff00::/8"))

# RFC 6052 section 3.1: the Well-Known Prefix must not be used with non-global IPv4 addresses,
# those of RFC 1918 and the special-use blocks of RFC 5735 section 3 (with RFC 6598's shared
# address space, which RFC 5735 predates).
NON_GLOBAL_IPV4 = tuple(ipaddress.ip_network(block) for block in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"))
# Link-local IPv4 (the EC2 instance metadata service and the Amazon DNS resolver live there):
# never reachable through the translator, whatever the prefix.
LINK_LOCAL_IPV4 = ipaddress.ip_network("169.254.0.0/16")


def check_prefix(value, name="nat64_prefix"):
    """Validate an IPv4-embedded IPv6 prefix (RFC 6052): an IPv6 block of /32, /40, /48, /56, /64 or
    /96, with no bits set beyond its length, bits 64-71 zero, apart from the blocks of NOT_A_PREFIX
    unless it is the Well-Known Prefix. Return it normalised."""
    network = parse_network(value, name, 6)
    if network.prefixlen not in PREFIX_LENGTHS:
        raise InvalidParameter("%s: %s has prefix length /%d; RFC 6052 allows only /%s" % (
            name, value, network.prefixlen, ", /".join(str(length) for length in PREFIX_LENGTHS)))
    if int(network.network_address) & U_OCTET_MASK:
        raise InvalidParameter("%s: %s sets bits 64-71 (the u octet), which RFC 6052 requires to be zero" % (name, value))
    for block in NOT_A_PREFIX:
        if network.overlaps(block) and network != WELL_KNOWN_PREFIX:
            raise InvalidParameter("%s: %s is inside %s, which cannot carry IPv4 addresses; use 64:ff9b::/96 or a "
                                   "prefix of your own global or ULA space (e.g. a /96 of your /56)" % (name, value, block.compressed))
    return network.compressed


def is_well_known(prefix):
    """True when ``prefix`` is the Well-Known Prefix 64:ff9b::/96 (any spelling)."""
    return ipaddress.ip_network(prefix) == WELL_KNOWN_PREFIX


def check_prefix_apart(prefix, others, name="nat64_prefix"):
    """Validate that the NAT64 prefix shares no address with any of ``others``, a mapping of
    variable name to IPv6 block (the tunnel's pools): the translator and the clients would claim the
    same addresses. Blocks that are not IPv6 CIDRs are skipped (their own checks report them)."""
    try:
        network = parse_network(prefix, name, 6)
    except InvalidParameter:
        return prefix
    for other_name, other in others.items():
        try:
            block = parse_network(other, other_name, 6)
        except InvalidParameter:
            continue
        if network.overlaps(block):
            raise InvalidParameter("%s: %s overlaps %s %s; the translated IPv4 addresses and the tunnel's clients "
                                   "need separate blocks" % (name, network.compressed, other_name, block.compressed))
    return prefix


def check_non_global(allow_non_global, prefix, name="nat64_nonglobal_ipv4", prefix_name="nat64_prefix"):
    """Validate that non-global IPv4 is allowed only behind a network-specific prefix: RFC 6052
    section 3.1 forbids it behind the Well-Known Prefix, and tayga 0.9.2 (Debian 12 and 13) refuses
    to translate it there whatever its firewall allows."""
    if allow_non_global is True and isinstance(prefix, str):
        try:
            well_known = is_well_known(prefix)
        except ValueError:
            return allow_non_global  # the prefix's own check reports it
        if well_known:
            raise InvalidParameter("%s: non-global IPv4 (RFC 1918, 198.18.0.0/15...) cannot be reached behind the "
                                   "Well-Known Prefix %s (RFC 6052 section 3.1; tayga refuses it too); set %s to a "
                                   "network-specific prefix of your own space, e.g. a /96 of your IPv6 block, or leave "
                                   "%s false" % (name, WELL_KNOWN_PREFIX.compressed, prefix_name, name))
    return allow_non_global


def blocked_ipv4(allow_non_global):
    """The IPv4 destinations the translator must not reach, normalised: the non-global blocks of
    RFC 6052 section 3.1 (RFC 1918, RFC 5735 section 3, RFC 6598) unless ``allow_non_global`` (then
    only behind a network-specific prefix, see check_non_global: labs), and link-local always (the
    instance metadata service). With a network-specific prefix RFC 6052 allows non-global IPv4,
    but the default keeps the clients off the server's own private networks (the VPC)."""
    if allow_non_global:
        return [LINK_LOCAL_IPV4.compressed]
    return [block.compressed for block in NON_GLOBAL_IPV4]


def embed(prefix, ipv4):
    """The IPv6 block (RFC 6052 section 2.2) that holds the IPv4 block ``ipv4`` behind ``prefix``: the
    IPv4 bits follow the prefix, skipping bits 64-71 (the u octet, zero) when the prefix is shorter
    than /96. A block that ends before the u octet covers addresses with a non-zero u octet too,
    which are not IPv4-embedded addresses anyway."""
    network = ipaddress.ip_network(prefix)
    block = ipaddress.ip_network(ipv4)
    length, value = network.prefixlen, int(block.network_address)
    if length == 96:
        address, embedded_length = value, 96 + block.prefixlen
    else:
        before = 64 - length  # IPv4 bits before the u octet
        high, low = value >> (32 - before), value & ((1 << (32 - before)) - 1)
        address = (high << (128 - 64)) | (low << (128 - 72 - (32 - before)))
        embedded_length = length + block.prefixlen + (8 if block.prefixlen > before else 0)
    return ipaddress.ip_network((int(network.network_address) | address, embedded_length)).compressed


def check_pool(pool, tunnel_network, name="nat64_ipv4_pool", tunnel_name="ipv4_network"):
    """Validate the translator's dynamic IPv4 pool: an IPv4 block of /16 to /30 (the lowest address
    is reserved, the next is the translator's own), apart from the tunnel's IPv4 network and from
    loopback, link-local and multicast space. Return it normalised."""
    network = parse_network(pool, name, 4)
    if not 16 <= network.prefixlen <= 30:
        raise InvalidParameter("%s: %s has prefix length /%d; use /16 to /30 (each client holds one address "
                               "while it talks to IPv4 hosts)" % (name, pool, network.prefixlen))
    for block in ("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4"):
        if network.overlaps(ipaddress.ip_network(block)):
            raise InvalidParameter("%s: %s overlaps %s; use private space such as 100.64.255.0/24" % (name, pool, block))
    try:
        tunnel = parse_network(tunnel_network, tunnel_name, 4)
    except InvalidParameter:
        return network.compressed  # its own check reports it
    if network.overlaps(tunnel):
        raise InvalidParameter("%s: %s overlaps %s %s; the translator's addresses and the tunnel's need "
                               "separate blocks" % (name, network.compressed, tunnel_name, tunnel.compressed))
    return network.compressed


def translator_ipv4_address(pool):
    """The translator's own IPv4 address (source of its ICMPv4 errors): the pool's second address,
    the first being reserved by tayga."""
    return str(ipaddress.ip_network(pool).network_address + 1)


def covered(prefix, routes):
    """True when one of the IPv6 ``routes`` contains ``prefix`` (so it needs no route of its own)."""
    network = ipaddress.ip_network(prefix)
    return any(network.subnet_of(ipaddress.ip_network(route)) for route in routes)

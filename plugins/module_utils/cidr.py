# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""CIDR arithmetic and validation shared by the v6vpn.aws modules and roles.

Pure functions (no boto3), so they are unit-tested directly and usable before any
API call: every module validates its input with these and fails before touching AWS, and the
roles reach the same rules through the ``v6vpn.aws`` CIDR filters.

AWS prints IPv6 CIDRs in more than one spelling (``2600:1f18:0:100::/64`` and
``2600:1f18::100:0:0:0:0/64`` are the same block), so every comparison goes through
:func:`normalize_cidr`.
"""

import ipaddress

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

# Amazon-provided VPC IPv6 blocks are /56; subnets take /64s of them.
AMAZON_VPC_IPV6_PREFIX = 56
SUBNET_IPV6_PREFIX = 64
# ENI IPv6 prefix delegation hands out /80s.
DELEGATED_IPV6_PREFIX = 80
# So a subnet takes one of the 256 /64s of its VPC's /56: its index is 0-255.
MAX_IPV6_SUBNET_INDEX = (1 << (SUBNET_IPV6_PREFIX - AMAZON_VPC_IPV6_PREFIX)) - 1

# The states in which an IPv6 block belongs to its VPC or subnet. Disassociated (and failed)
# associations linger in the association sets for a while and do not count.
LIVE_ASSOCIATION_STATES = ("associating", "associated")


def parse_network(value, name="cidr", family=None):
    """Parse a CIDR string into an ip_network, strictly (no host bits set).

    :param value: the CIDR text, e.g. ``10.0.0.0/16`` or ``2600:1f18::/56``
    :param name: the parameter name used in error messages
    :param family: 4, 6 or None for either
    :raises InvalidParameter: on anything that is not a CIDR of the wanted family
    """
    if not isinstance(value, str) or "/" not in value:
        raise InvalidParameter("%s: %r is not a CIDR block (expected address/prefix-length)" % (name, value))
    try:
        network = ipaddress.ip_network(value.strip(), strict=True)
    except ValueError as e:
        raise InvalidParameter("%s: %r is not a valid CIDR block: %s" % (name, value, e)) from None
    if family is not None and network.version != family:
        raise InvalidParameter("%s: %r is an IPv%d block, expected IPv%d" % (name, value, network.version, family))
    return network


def normalize_cidr(value, name="cidr", family=None):
    """Return the canonical (compressed, lower-case) spelling of a CIDR block."""
    return parse_network(value, name, family).compressed


def cidr_family(value, name="cidr"):
    """Return 4 or 6 for a CIDR block."""
    return parse_network(value, name).version


def cidrs_equal(first, second):
    """True when two CIDR strings name the same block, whatever their spelling."""
    try:
        return ipaddress.ip_network(first, strict=False) == ipaddress.ip_network(second, strict=False)
    except ValueError:
        return False


def check_prefix_length(value, name, minimum=None, maximum=None, family=None):
    """Validate a CIDR and its prefix length; return the parsed network."""
    network = parse_network(value, name, family)
    if minimum is not None and network.prefixlen < minimum:
        raise InvalidParameter("%s: %s has prefix length /%d; the shortest allowed is /%d" % (name, value, network.prefixlen, minimum))
    if maximum is not None and network.prefixlen > maximum:
        raise InvalidParameter("%s: %s has prefix length /%d; the longest allowed is /%d" % (name, value, network.prefixlen, maximum))
    return network


def cidr_within(child, parent):
    """True when block ``child`` lies inside block ``parent`` (same family)."""
    child_net = ipaddress.ip_network(child, strict=False)
    parent_net = ipaddress.ip_network(parent, strict=False)
    return child_net.version == parent_net.version and child_net.subnet_of(parent_net)


def nth_subnet(parent, new_prefix, index, name="index"):
    """Return the ``index``-th block of length ``new_prefix`` inside ``parent``.

    ``nth_subnet('2600:1f18:aa:bb00::/56', 64, 1)`` is ``2600:1f18:aa:bb01::/64``.
    """
    parent_net = ipaddress.ip_network(parent, strict=False)
    if new_prefix < parent_net.prefixlen:
        raise InvalidParameter("%s: a /%d does not fit in %s" % (name, new_prefix, parent_net.compressed))
    count = 1 << (new_prefix - parent_net.prefixlen)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
        raise InvalidParameter("%s: %r is out of range; %s holds %d /%d blocks (0-%d)" % (name, index, parent_net.compressed, count, new_prefix, count - 1))
    size = 1 << (parent_net.max_prefixlen - new_prefix)
    first = int(parent_net.network_address) + index * size
    return ipaddress.ip_network((first, new_prefix)).compressed


def halves(value, name="cidr", max_prefix=None, family=None):
    """Split a CIDR block into its two halves (``10.8.0.0/24``: ``10.8.0.0/25`` and ``10.8.0.128/25``).

    :param max_prefix: the longest prefix a half may have (e.g. OpenVPN's /29 for IPv4)
    :raises InvalidParameter: when the halves would be longer than ``max_prefix``
    """
    network = parse_network(value, name, family)
    if max_prefix is not None and network.prefixlen + 1 > max_prefix:
        raise InvalidParameter("%s: %s cannot be halved into /%d blocks; the longest allowed is /%d, so it needs /%d or shorter"
                               % (name, network.compressed, network.prefixlen + 1, max_prefix, max_prefix - 1))
    return [half.compressed for half in network.subnets(prefixlen_diff=1)]


def subnet_index(parent, child):
    """Inverse of :func:`nth_subnet`: the position of ``child`` inside ``parent``."""
    parent_net = ipaddress.ip_network(parent, strict=False)
    child_net = ipaddress.ip_network(child, strict=False)
    size = 1 << (child_net.max_prefixlen - child_net.prefixlen)
    return (int(child_net.network_address) - int(parent_net.network_address)) // size


def normalize_address(value, name="address", family=None):
    """Canonical spelling of a single IP address."""
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise InvalidParameter("%s: %r is not a valid IP address" % (name, value)) from None
    if family is not None and address.version != family:
        raise InvalidParameter("%s: %r is an IPv%d address, expected IPv%d" % (name, value, address.version, family))
    return address.compressed


def check_ipv6_subnet_index(value, name="ipv6_subnet_index"):
    """Validate the position of a subnet's /64 in its VPC's Amazon /56 (0-255); return it as an int."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_IPV6_SUBNET_INDEX:
        raise InvalidParameter("%s: %r is out of range; an Amazon /%d holds %d /%ds (0-%d)" % (
            name, value, AMAZON_VPC_IPV6_PREFIX, MAX_IPV6_SUBNET_INDEX + 1, SUBNET_IPV6_PREFIX, MAX_IPV6_SUBNET_INDEX))
    return value


def live_ipv6_blocks(associations):
    """The IPv6 blocks of an association set that count (associated or associating), in order.

    Takes the set as EC2 returns it (``Ipv6CidrBlock``, ``Ipv6CidrBlockState.State``) or as
    amazon.aws modules return it (``ipv6_cidr_block``, ``ipv6_cidr_block_state.state``).
    """
    blocks = []
    for assoc in associations or []:
        block = assoc.get("Ipv6CidrBlock", assoc.get("ipv6_cidr_block"))
        state = assoc.get("Ipv6CidrBlockState", assoc.get("ipv6_cidr_block_state")) or {}
        if block and state.get("State", state.get("state")) in LIVE_ASSOCIATION_STATES:
            blocks.append(block)
    return blocks


def live_ipv6_block(associations):
    """The block of an association set that counts: the Amazon /56 when there is one, else the
    first live block, else None. A subnet has at most one; a VPC may add BYOIP or IPAM blocks.
    """
    blocks = live_ipv6_blocks(associations)
    for block in blocks:
        if block.endswith("/%d" % AMAZON_VPC_IPV6_PREFIX):
            return block
    return blocks[0] if blocks else None

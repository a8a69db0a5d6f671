# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""CIDR and resource-id arithmetic and validation shared by the v6vpn.aws modules.

Pure functions (no boto3), so they are unit-tested directly and usable before any
API call: every module validates its input with these and fails before touching AWS.

AWS prints IPv6 CIDRs in more than one spelling (``2600:1f18:0:100::/64`` and
``2600:1f18::100:0:0:0:0/64`` are the same block), so every comparison goes through
:func:`normalize_cidr`.
"""

import ipaddress
import re

# AWS resource ids: prefix, a dash, 8 (legacy) or 17 lowercase hex digits.
_RESOURCE_ID = re.compile(r"^(?P<prefix>[a-z]+)-(?:[0-9a-f]{8}|[0-9a-f]{17})$")

# Amazon-provided VPC IPv6 blocks are /56; subnets take /64s of them.
AMAZON_VPC_IPV6_PREFIX = 56
SUBNET_IPV6_PREFIX = 64
# ENI IPv6 prefix delegation hands out /80s.
DELEGATED_IPV6_PREFIX = 80


class CidrError(ValueError):
    """Raised with a message that names the offending parameter."""


def parse_network(value, name="cidr", family=None):
    """Parse a CIDR string into an ip_network, strictly (no host bits set).

    :param value: the CIDR text, e.g. ``10.0.0.0/16`` or ``2600:1f18::/56``
    :param name: the parameter name used in error messages
    :param family: 4, 6 or None for either
    :raises CidrError: on anything that is not a CIDR of the wanted family
    """
    if not isinstance(value, str) or "/" not in value:
        raise CidrError("%s: %r is not a CIDR block (expected address/prefix-length)" % (name, value))
    try:
        network = ipaddress.ip_network(value.strip(), strict=True)
    except ValueError as e:
        raise CidrError("%s: %r is not a valid CIDR block: %s" % (name, value, e)) from None
    if family is not None and network.version != family:
        raise CidrError("%s: %r is an IPv%d block, expected IPv%d" % (name, value, network.version, family))
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
        raise CidrError("%s: %s has prefix length /%d; the shortest allowed is /%d" % (name, value, network.prefixlen, minimum))
    if maximum is not None and network.prefixlen > maximum:
        raise CidrError("%s: %s has prefix length /%d; the longest allowed is /%d" % (name, value, network.prefixlen, maximum))
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
        raise CidrError("%s: a /%d does not fit in %s" % (name, new_prefix, parent_net.compressed))
    count = 1 << (new_prefix - parent_net.prefixlen)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
        raise CidrError("%s: %r is out of range; %s holds %d /%d blocks (0-%d)" % (name, index, parent_net.compressed, count, new_prefix, count - 1))
    size = 1 << (parent_net.max_prefixlen - new_prefix)
    first = int(parent_net.network_address) + index * size
    return ipaddress.ip_network((first, new_prefix)).compressed


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
        raise CidrError("%s: %r is not a valid IP address" % (name, value)) from None
    if family is not None and address.version != family:
        raise CidrError("%s: %r is an IPv%d address, expected IPv%d" % (name, value, address.version, family))
    return address.compressed


def check_resource_id(value, prefixes, name):
    """Validate an AWS resource id such as ``vpc-0abc...`` against the allowed prefixes.

    :param prefixes: a prefix or tuple of prefixes, without the dash (``"vpc"``, ``("igw", "vgw")``)
    :raises CidrError: when the id is malformed or has another prefix
    """
    if isinstance(prefixes, str):
        prefixes = (prefixes,)
    wanted = " or ".join("%s-..." % p for p in prefixes)
    match = _RESOURCE_ID.match(value) if isinstance(value, str) else None
    if not match:
        raise CidrError("%s: %r is not a valid resource id (expected %s with 8 or 17 hex digits)" % (name, value, wanted))
    if match.group("prefix") not in prefixes:
        raise CidrError("%s: %r is a %s- id, expected %s" % (name, value, match.group("prefix"), wanted))
    return value

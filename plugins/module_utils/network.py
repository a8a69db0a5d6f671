# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The network role's rules that AWS would otherwise apply only half-way through a run: the
security group's name, who may reach SSH, which availability zone the subnet goes in, and
DNS64 only with a route to a NAT64 translator.

Pure Python, over values (and DescribeInstanceTypeOfferings answers as
v6vpn.aws.instance_type_info returns them); the roles reach these rules through the
``v6vpn.aws.security_group_name_error``, ``admin_cidrs_error``, ``subnet_zone_error``,
``subnet_zone`` and ``dns64_error`` filters (plugins/filter/network.py).
"""

import ipaddress

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

# The network role names its security group <vpn_name><SECURITY_GROUP_SUFFIX>.
SECURITY_GROUP_SUFFIX = "-sg"
# CreateSecurityGroup: GroupName "Cannot start with sg-" (API reference).
RESERVED_GROUP_PREFIX = "sg-"


def security_group_name(vpn_name):
    """The name the network role gives the deployment's security group."""
    return "%s%s" % (vpn_name, SECURITY_GROUP_SUFFIX)


def check_security_group_name(vpn_name, name="vpn_name"):
    """AWS refuses group names starting with ``sg-``: refuse a deployment name that makes one.

    Returns the group's name.
    """
    group = security_group_name(vpn_name)
    if group.lower().startswith(RESERVED_GROUP_PREFIX):
        raise InvalidParameter("%s: %r would name the security group %r, and AWS refuses group names starting "
                               "with 'sg-': choose a %s that does not start with 'sg-' (or is not 'sg')"
                               % (name, vpn_name, group, name))
    return group


def _open_to_all(cidr):
    """Whether ``cidr`` is 0.0.0.0/0 or ::/0, in any spelling (other values: no; their syntax is checked elsewhere)."""
    try:
        return isinstance(cidr, str) and ipaddress.ip_network(cidr.strip(), strict=True).prefixlen == 0
    except ValueError:
        return False


def check_admin_cidrs(cidrs, allow_any=False, name="network_admin_cidrs", opt_in="network_admin_cidrs_allow_any"):
    """SSH open to the whole internet only when asked for by ``opt_in``; return ``cidrs``.

    Only the /0 rule: the CIDRs' syntax is :func:`cidr.check_cidr_list`'s (cidr_list_error).
    """
    if allow_any or not isinstance(cidrs, (list, tuple)):
        return cidrs
    everyone = [c for c in cidrs if _open_to_all(c)]
    if everyone:
        raise InvalidParameter("%s: %s would open SSH to the whole internet; give the addresses you administer from "
                               "(for example 203.0.113.7/32), or set %s: true to allow it"
                               % (name, " and ".join(c.strip() for c in everyone), opt_in))
    return cidrs


def check_subnet_zone(offered, instance_type, region, pinned="", current="",
                      name="network_availability_zone", type_name="network_instance_type"):
    """The availability zone of the subnet: a zone that offers ``instance_type``.

    :param offered: the zones of the region offering the type, ``[{"zone_name": ..., "zone_id": ...}]``
        (v6vpn.aws.instance_type_info's ``zones``: available availability zones only)
    :param pinned: the zone the user asked for, or empty
    :param current: the zone of the subnet that already exists, or empty: a subnet cannot move
    :returns: ``current`` when set, else ``pinned`` when set, else the first offering zone by name
    :raises InvalidParameter: when the zone does not offer the type, or none does
    """
    zones = sorted(z["zone_name"] for z in offered or [])
    if current:
        if current not in zones:
            raise InvalidParameter(
                "%s: the deployment's subnet is in %s, which does not offer %s (it is offered in %s of %s); a subnet "
                "cannot move to another zone: remove the deployment (playbooks/teardown.yml) and run again, or choose "
                "an instance type offered in %s"
                % (type_name, current, instance_type, ", ".join(zones) or "no zone", region, current))
        return current
    if not zones:
        raise InvalidParameter("%s: %s is offered in no availability zone of %s; choose another instance type or region"
                               % (type_name, instance_type, region))
    if pinned:
        if pinned not in zones:
            raise InvalidParameter("%s: %s does not offer %s (or is not an available zone of %s); zones that do: %s"
                                   % (name, pinned, instance_type, region, ", ".join(zones)))
        return pinned
    return zones[0]


def check_dns64(dns64, nat64_gateway, name="network_dns64", gateway_name="network_nat64_gateway"):
    """DNS64 only together with the NAT gateway that translates what it synthesises; return ``dns64``.

    With the subnet's EnableDns64, the Amazon resolver answers IPv4-only names with 64:ff9b::/96
    addresses; without a route for that prefix to a NAT gateway, IPv6-capable hosts prefer those
    addresses and their connections hang instead of falling back to IPv4
    (terraform-aws-modules/terraform-aws-vpc#972). The route without DNS64 is harmless.
    """
    if dns64 and not nat64_gateway:
        raise InvalidParameter("%s: DNS64 without a NAT64 route makes the Amazon resolver answer IPv4-only names with "
                               "64:ff9b:: addresses that nothing translates, so IPv6-capable hosts in the subnet hang "
                               "connecting to them; set %s: true as well (a NAT gateway and the route 64:ff9b::/96 to it), "
                               "or leave %s false" % (name, gateway_name, name))
    return dns64

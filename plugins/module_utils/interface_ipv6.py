# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What v6vpn.aws.instance_ipv6 changes on a network interface: IPv6 addresses, delegated /80
prefixes and the source/destination check.

Pure functions (no boto3) over interfaces, instances and instance types as the EC2 describe calls
return them: the module describes, :func:`plan_interface` decides, the module makes the calls the
plan needs and :func:`interface_after` says what they left. Problems raise
:class:`InvalidParameter` naming the parameter at fault.
"""

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import cidr_within
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import normalize_address
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import normalize_cidr
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

# What check mode's predicted state shows for what EC2 would choose.
NEW_ADDRESS = "new address assigned by EC2"
NEW_PREFIX = "new /80 assigned by EC2"


def check_ipv6_addresses(values, name="ipv6_addresses"):
    """Validate a list of IPv6 addresses; return them normalised, without duplicates, in the order given."""
    addresses = []
    for value in values:
        address = normalize_address(value, name, family=6)
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_exact(exact, address_count, addresses, prefix_count):
    """``exact`` needs something to say what to keep; return it."""
    if exact and address_count is None and addresses is None and prefix_count is None:
        raise InvalidParameter("exact: true needs ipv6_address_count, ipv6_addresses or ipv6_prefix_count to say what to keep")
    return exact


def primary_interface_id(instance):
    """The id of the instance's primary network interface (device index 0 on network card 0)."""
    for eni in instance.get("NetworkInterfaces") or []:
        attachment = eni.get("Attachment") or {}
        if attachment.get("DeviceIndex") == 0 and attachment.get("NetworkCardIndex", 0) == 0:
            return eni["NetworkInterfaceId"]
    raise InvalidParameter("instance_id: instance %s has no primary network interface (device index 0)" % instance["InstanceId"])


def interface_state(eni):
    """The managed part of an interface, normalised; the primary IPv6 address first."""
    entries = eni.get("Ipv6Addresses") or []
    ordered = [e for e in entries if e.get("IsPrimaryIpv6")] + [e for e in entries if not e.get("IsPrimaryIpv6")]
    return {
        "ipv6_addresses": [normalize_address(e["Ipv6Address"]) for e in ordered],
        "ipv6_prefixes": [normalize_cidr(p["Ipv6Prefix"]) for p in eni.get("Ipv6Prefixes") or []],
        "source_dest_check": bool(eni.get("SourceDestCheck")),
    }


def plan_items(current, count, wanted, exact):
    """What to change so that ``current`` matches ``count`` or the list ``wanted``.

    ``current`` is in keep-first order; with ``exact`` the surplus is taken from its end.
    Returns ``(how_many_to_add, which_to_add, which_to_remove)``.
    """
    if wanted is not None:
        remove = [item for item in current if item not in wanted] if exact else []
        return 0, [item for item in wanted if item not in current], remove
    if count is None:
        return 0, [], []
    if len(current) < count:
        return count - len(current), [], []
    return 0, [], list(current[count:]) if exact else []


def plan_interface(before, address_count=None, addresses=None, prefix_count=None, exact=False, source_dest_check=None):
    """What to change on an interface in state ``before`` (see :func:`interface_state`).

    :returns: a dict: ``add_address_count`` (for EC2 to choose) or ``add_addresses``,
        ``remove_addresses``, ``add_prefix_count``, ``remove_prefixes``, and ``source_dest_check``
        (the value to set, or None to leave it)
    """
    add_address_count, add_addresses, remove_addresses = plan_items(before["ipv6_addresses"], address_count, addresses, exact)
    add_prefix_count, _unused, remove_prefixes = plan_items(before["ipv6_prefixes"], prefix_count, None, exact)
    return {
        "add_address_count": add_address_count,
        "add_addresses": add_addresses,
        "remove_addresses": remove_addresses,
        "add_prefix_count": add_prefix_count,
        "remove_prefixes": remove_prefixes,
        "source_dest_check": source_dest_check if source_dest_check not in (None, before["source_dest_check"]) else None,
    }


def adds_anything(plan):
    """True when the plan asks EC2 for addresses or prefixes (so the subnet must have a block)."""
    return bool(plan["add_address_count"] or plan["add_addresses"] or plan["add_prefix_count"])


def check_subnet_block(block, eni, addresses):
    """Fail when the interface's subnet (IPv6 ``block``, or None) cannot supply what is asked."""
    if block is None:
        raise InvalidParameter("subnet %s of network interface %s has no IPv6 CIDR block, so it cannot hand out IPv6 "
                               "addresses or prefixes; give it a /64 first (v6vpn.aws.subnet_ipv6)"
                               % (eni["SubnetId"], eni["NetworkInterfaceId"]))
    outside = [a for a in addresses or [] if not cidr_within("%s/128" % a, block)]
    if outside:
        raise InvalidParameter("ipv6_addresses: outside the IPv6 block %s of subnet %s: %s" % (block, eni["SubnetId"], ", ".join(outside)))
    return block


def check_prefix_delegation(instance, instance_type):
    """Fail when the instance's type (as DescribeInstanceTypes returns it) cannot take delegated prefixes.

    Prefix delegation is for Nitro instance types only. Bare-metal types report no hypervisor
    and are Nitro too: only Xen is refused.
    """
    if instance_type.get("Hypervisor") == "xen":
        raise InvalidParameter("ipv6_prefix_count: instance %s is a %s, which is not built on the Nitro System; "
                               "IPv6 prefix delegation needs a Nitro instance type (for example t3.micro)"
                               % (instance["InstanceId"], instance["InstanceType"]))


def interface_after(before, plan, assigned_addresses, assigned_prefixes):
    """The interface's state once the plan is made: the surplus gone, what EC2 assigned added.

    :param assigned_addresses: the addresses EC2 assigned (``AssignedIpv6Addresses``, normalised),
        or for check mode the ones asked for and a :data:`NEW_ADDRESS` for each that EC2 would choose
    :param assigned_prefixes: likewise, ``AssignedIpv6Prefixes`` or :data:`NEW_PREFIX` placeholders
    """
    addresses = [a for a in before["ipv6_addresses"] if a not in plan["remove_addresses"]]
    prefixes = [p for p in before["ipv6_prefixes"] if p not in plan["remove_prefixes"]]
    return {
        "ipv6_addresses": addresses + [a for a in assigned_addresses if a not in addresses],
        "ipv6_prefixes": prefixes + [p for p in assigned_prefixes if p not in prefixes],
        "source_dest_check": before["source_dest_check"] if plan["source_dest_check"] is None else plan["source_dest_check"],
    }


def predict(before, plan):
    """The state :func:`interface_after` will report, with placeholders for what EC2 will choose."""
    return interface_after(before, plan, plan["add_addresses"] + [NEW_ADDRESS] * plan["add_address_count"],
                           [NEW_PREFIX] * plan["add_prefix_count"])

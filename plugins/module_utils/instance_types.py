# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What an instance type can do, and the instance settings that depend on it.

:func:`summarize` turns DescribeInstanceTypes' answer for one type (and the zones offering it)
into the ``v6vpn.aws.instance_type_info`` result; the ``check_*`` rules take that result (snake
case keys: ``nitro``, ``ipv6_addresses_per_interface``, ``burstable``, ...) and raise
:class:`InvalidParameter` naming the variable, so the ec2 role refuses a setting the type cannot
take before anything is created (``v6vpn.aws.instance_settings_error``).

AWS's rules followed here:

- IPv6 prefix delegation (/80 prefixes on an interface) is for "instances built on the Nitro
  System" only (EC2 User Guide, "Assign prefixes to Amazon EC2 network interfaces");
- "You can assign as many IPv6 addresses to a network interface as you can assign private IPv4
  addresses, and the limit varies per instance type": DescribeInstanceTypes'
  ``NetworkInfo.Ipv6AddressesPerInterface`` (AssignIpv6Addresses);
- the IMDS IPv6 endpoint (``HttpProtocolIpv6``) "is supported only on Nitro-based instances"
  (EC2 User Guide, "Instance metadata service endpoints"; ModifyInstanceMetadataOptions);
- CPU credit options (``standard`` / ``unlimited``) exist only for burstable performance types,
  ``BurstablePerformanceSupported`` (T2, T3, T3a, T4g).

Pure Python: the role's filters import it on the controller.
"""

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

CPU_CREDITS = ("standard", "unlimited")
IMDS_IPV6 = ("auto", "enabled", "disabled")


def hypervisor_of(instance_type):
    """``nitro`` or ``xen`` for a DescribeInstanceTypes entry.

    Bare metal types have no ``Hypervisor``; they are built on the Nitro System (EC2 User Guide,
    "Instances built on the AWS Nitro System"), so they count as ``nitro``.
    """
    hypervisor = instance_type.get("Hypervisor")
    if hypervisor:
        return hypervisor
    return "nitro" if instance_type.get("BareMetal") else "xen"


def summarize(instance_type, zones):
    """The ``instance_type_info`` result from a DescribeInstanceTypes entry and the offering zones.

    :param zones: ``[{"zone_name": ..., "zone_id": ...}]``, the available availability zones offering it
    """
    network = instance_type.get("NetworkInfo") or {}
    hypervisor = hypervisor_of(instance_type)
    return {
        "instance_type": instance_type["InstanceType"],
        "zones": zones,
        "hypervisor": hypervisor,
        "nitro": hypervisor == "nitro",
        "ipv6_supported": bool(network.get("Ipv6Supported")),
        "ipv6_addresses_per_interface": int(network.get("Ipv6AddressesPerInterface") or 0),
        "burstable": bool(instance_type.get("BurstablePerformanceSupported")),
        "architectures": list((instance_type.get("ProcessorInfo") or {}).get("SupportedArchitectures") or []),
    }


def offering_zones(zones, offerings):
    """The available availability zones (not Local or Wavelength Zones) among ``zones``
    (DescribeAvailabilityZones) that ``offerings`` (DescribeInstanceTypeOfferings with LocationType
    availability-zone) name, sorted by name, as ``[{"zone_name", "zone_id"}]``."""
    offered = set(o["Location"] for o in offerings)
    return [{"zone_name": z["ZoneName"], "zone_id": z["ZoneId"]}
            for z in sorted(zones, key=lambda z: z["ZoneName"])
            if z.get("ZoneType", "availability-zone") == "availability-zone" and z.get("State") == "available"
            and z["ZoneName"] in offered]


def check_ipv6_prefix_count(info, count, name="ipv6_prefix_count"):
    """Refuse /80 prefixes on a type that is not built on the Nitro System; return ``count``."""
    if int(count) > 0 and not info["nitro"]:
        raise InvalidParameter("%s: %s /80 prefixes asked, but %s is a %s type and IPv6 prefix delegation needs a Nitro type "
                               "(t3, t4g, m5 and later): choose one or set %s: 0"
                               % (name, count, info["instance_type"], info["hypervisor"].capitalize(), name))
    return count


def check_ipv6_address_count(info, count, name="ipv6_address_count"):
    """Refuse more IPv6 addresses than the type's interfaces take; return ``count``."""
    limit = info["ipv6_addresses_per_interface"] if info["ipv6_supported"] else 0
    if int(count) > limit:
        if limit == 0:
            raise InvalidParameter("%s: %s IPv6 addresses asked, but %s supports no IPv6: choose a type that does (t3.micro, for example)"
                                   % (name, count, info["instance_type"]))
        raise InvalidParameter("%s: %s IPv6 addresses asked, but a network interface of %s takes at most %d"
                               % (name, count, info["instance_type"], limit))
    return count


def imds_ipv6(info, setting):
    """``enabled`` or ``disabled``: the IMDS IPv6 endpoint for ``setting`` (auto: Nitro types only)."""
    if setting == "auto":
        return "enabled" if info["nitro"] and info["ipv6_supported"] else "disabled"
    return setting


def check_imds_ipv6(info, setting, name="imds_ipv6"):
    """Refuse the IMDS IPv6 endpoint on a type that is not Nitro; return the resulting ``enabled``/``disabled``."""
    if setting not in IMDS_IPV6:
        raise InvalidParameter("%s: %r is not one of %s" % (name, setting, ", ".join(IMDS_IPV6)))
    if setting == "enabled" and not info["nitro"]:
        raise InvalidParameter("%s: the IPv6 endpoint of the instance metadata service is only on Nitro types, and %s is %s: "
                               "set %s: auto or disabled, or choose a Nitro type" % (name, info["instance_type"], info["hypervisor"].capitalize(), name))
    return imds_ipv6(info, setting)


def check_cpu_credits(info, value, name="cpu_credits"):
    """Validate a CPU credit option; return it for a burstable type, None for others (the option does not apply)."""
    if value not in CPU_CREDITS:
        raise InvalidParameter("%s: %r is not one of %s" % (name, value, ", ".join(CPU_CREDITS)))
    return value if info["burstable"] else None

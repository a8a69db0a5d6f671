# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The network role's rules (plugins/module_utils/network.py) as filters: the security group's
name, SSH open to everyone only on request, the subnet's availability zone, and DNS64 only with
the NAT64 gateway.

Each ``*_error`` filter returns ``''`` when the value is acceptable, else a message that starts
with the variable's name. Documentation: one .yml file per filter beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.v6vpn.aws.plugins.module_utils import network
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem


def security_group_name_error(vpn_name, name="vpn_name"):
    """Why the security group ``<vpn_name>-sg`` cannot be created, or ``''``."""
    return problem(network.check_security_group_name, vpn_name, name)


def admin_cidrs_error(cidrs, allow_any=False, name="network_admin_cidrs", opt_in="network_admin_cidrs_allow_any"):
    """Why ``cidrs`` may not reach SSH (0.0.0.0/0 or ::/0 without ``allow_any``), or ``''``."""
    return problem(network.check_admin_cidrs, cidrs, boolean(allow_any, strict=False), name, opt_in)


def subnet_zone_error(offered, instance_type, region, pinned="", current="", name="network_availability_zone",
                      type_name="network_instance_type"):
    """Why no zone can take the subnet for ``instance_type``, or ``''``."""
    return problem(network.check_subnet_zone, offered, instance_type, region, pinned or "", current or "", name, type_name)


def subnet_zone(offered, instance_type, region, pinned="", current=""):
    """The subnet's zone: ``current``, else ``pinned``, else the first zone by name offering ``instance_type``."""
    try:
        return network.check_subnet_zone(offered, instance_type, region, pinned or "", current or "")
    except InvalidParameter as e:
        raise AnsibleFilterError(str(e)) from None


def dns64_error(dns64, nat64_gateway=False, name="network_dns64", gateway_name="network_nat64_gateway"):
    """Why DNS64 cannot be turned on (no NAT64 gateway to translate its answers), or ``''``."""
    return problem(network.check_dns64, boolean(dns64, strict=False), boolean(nat64_gateway, strict=False), name, gateway_name)


class FilterModule:
    """The network filters of v6vpn.aws."""

    def filters(self):
        return {
            "security_group_name_error": security_group_name_error,
            "admin_cidrs_error": admin_cidrs_error,
            "subnet_zone_error": subnet_zone_error,
            "subnet_zone": subnet_zone,
            "dns64_error": dns64_error,
        }

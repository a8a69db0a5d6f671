# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Instance rules that depend on the instance type, and the drift of a described instance: the
checks of plugins/module_utils/instance_types.py and instance_settings.py.

The ``*_error`` filters take the result of v6vpn.aws.instance_type_info and return ``''`` or a
message that starts with the variable's name. Documentation: one .yml file per filter beside this one.
"""

from __future__ import annotations

from ansible_collections.v6vpn.aws.plugins.module_utils import instance_settings
from ansible_collections.v6vpn.aws.plugins.module_utils import instance_types
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem


def ipv6_prefix_count_error(type_info, count, name="ipv6_prefix_count"):
    """Why the type cannot take ``count`` /80 prefixes (not Nitro), or ``''``."""
    return problem(instance_types.check_ipv6_prefix_count, type_info, count, name)


def ipv6_address_count_error(type_info, count, name="ipv6_address_count"):
    """Why an interface of the type cannot take ``count`` IPv6 addresses, or ``''``."""
    return problem(instance_types.check_ipv6_address_count, type_info, count, name)


def imds_ipv6_error(type_info, setting, name="imds_ipv6"):
    """Why the IMDS IPv6 endpoint ``setting`` (auto, enabled, disabled) does not suit the type, or ``''``."""
    return problem(instance_types.check_imds_ipv6, type_info, setting, name)


def imds_ipv6(type_info, setting="auto"):
    """``enabled`` or ``disabled``: the instance's HttpProtocolIpv6 for ``setting`` (auto: on Nitro types)."""
    return instance_types.imds_ipv6(type_info, setting)


def instance_drift(instance, settings):
    """The names of the settings (ec2_instance's arguments) a described instance does not have."""
    return instance_settings.drift(instance, settings)


class FilterModule:
    def filters(self):
        return {
            "ipv6_prefix_count_error": ipv6_prefix_count_error,
            "ipv6_address_count_error": ipv6_address_count_error,
            "imds_ipv6_error": imds_ipv6_error,
            "imds_ipv6": imds_ipv6,
            "instance_drift": instance_drift,
        }

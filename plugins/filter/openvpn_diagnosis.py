# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Why OpenVPN cannot start: the host check and the known causes of
plugins/module_utils/openvpn_diagnosis.py, for the openvpn role. Documentation: one .yml file per filter beside this one.
"""

from __future__ import annotations

from ansible_collections.v6vpn.aws.plugins.module_utils import openvpn_diagnosis


def openvpn_failure_causes(lines):
    """Explanations (with the fix) of the known causes found in OpenVPN's log lines."""
    return openvpn_diagnosis.failure_causes(lines)


def openvpn_host_ipv6_error(sysctl, mode, host="this host"):
    """Why the host cannot carry IPv6 in the tunnel (disable_ipv6 set), or ``''``."""
    return openvpn_diagnosis.host_ipv6_error(sysctl, mode, host)


class FilterModule:
    """OpenVPN diagnosis filters of v6vpn.aws."""

    def filters(self):
        return {
            "openvpn_failure_causes": openvpn_failure_causes,
            "openvpn_host_ipv6_error": openvpn_host_ipv6_error,
        }

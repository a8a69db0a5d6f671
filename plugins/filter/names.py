# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Name rules for the roles' input validation: the checks of plugins/module_utils/names.py.

Each ``*_error`` filter returns ``''`` when the value is acceptable, else a message that starts
with the variable's name, so a role asserts one list of them and reports every problem at once.
Documentation: one .yml file per filter beside this one.
"""

from __future__ import annotations

import ipaddress
import os

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.v6vpn.aws.plugins.module_utils import names
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem


def vpn_name_error(value, name="vpn_name"):
    """Why ``value`` is not a deployment name, or ``''``."""
    return problem(names.check_vpn_name, value, name)


def client_names_error(value, name="clients"):
    """Why ``value`` is not a list of distinct client names, or ``''``."""
    return problem(names.check_client_names, value, name)


def common_name_error(value, name="common_name", spaces=True):
    """Why ``value`` is not a certificate common name, or ``''``."""
    return problem(names.check_common_name, value, name, boolean(spaces, strict=False))


def client_names_free_error(value, taken, name="clients"):
    """Why a client in ``value`` takes a name of ``taken`` (variable name -> common name), or ``''``."""
    return problem(names.check_client_names_free, value, taken, name)


def interface_error(value, name="interface"):
    """Why ``value`` is not a Linux interface name, or ``''``."""
    return problem(names.check_interface, value, name)


def instance_type_error(value, name="instance_type"):
    """Why ``value`` is not an EC2 instance type, or ``''``."""
    return problem(names.check_instance_type, value, name)


def _check_endpoint(value, name):
    if isinstance(value, str) and value:
        try:
            return ipaddress.ip_address(value).compressed
        except ValueError:
            if names.is_hostname(value):
                return value
    raise InvalidParameter("%s: %r is neither an IP address nor a DNS name; set it to the address or DNS name clients "
                           "connect to" % (name, value))


def endpoint_error(value, name="endpoint"):
    """Why ``value`` is neither an IP address nor a DNS name, or ``''``."""
    return problem(_check_endpoint, value, name)


def _check_ssh_key_source(value, create_key, name, create_key_name):
    create_key = boolean(create_key, strict=False)
    if value and create_key:
        raise InvalidParameter("%s and %s are mutually exclusive: import your key or have AWS create one" % (name, create_key_name))
    if not value and not create_key:
        raise InvalidParameter("set %s (a public key or the path of a .pub file) or %s: true" % (name, create_key_name))
    if value and not names.is_ssh_public_key(value) and not (isinstance(value, str) and os.path.isfile(os.path.expanduser(value))):
        raise InvalidParameter("%s: %r is neither an OpenSSH public key (ssh-ed25519, ssh-rsa, ecdsa-sha2-*) nor an existing file"
                               % (name, value))
    return value


def ssh_public_key_error(value, create_key=False, name="ssh_public_key", create_key_name="create_key"):
    """Why the key source is unusable (``value``, a public key or the path of one on the controller,
    or ``create_key``: exactly one), or ``''``."""
    return problem(_check_ssh_key_source, value, create_key, name, create_key_name)


def instance_architecture(instance_type):
    """``arm64`` for Graviton instance types, else ``x86_64``."""
    return names.instance_architecture(instance_type)


class FilterModule:
    """Name filters of v6vpn.aws."""

    def filters(self):
        return {
            "vpn_name_error": vpn_name_error,
            "client_names_error": client_names_error,
            "interface_error": interface_error,
            "common_name_error": common_name_error,
            "client_names_free_error": client_names_free_error,
            "instance_type_error": instance_type_error,
            "endpoint_error": endpoint_error,
            "ssh_public_key_error": ssh_public_key_error,
            "instance_architecture": instance_architecture,
        }

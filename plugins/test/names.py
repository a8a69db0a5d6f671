# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests on the name rules of plugins/module_utils/names.py: whether a value is an OpenSSH
public key itself rather than the path of one. Documentation: ssh_public_key.yml.
"""

from __future__ import annotations

from ansible_collections.v6vpn.aws.plugins.module_utils.names import is_ssh_public_key


def ssh_public_key(value):
    """True for an OpenSSH public key line of a type EC2 imports."""
    return is_ssh_public_key(value)


class TestModule:
    """Name tests of v6vpn.aws."""

    def tests(self):
        return {"ssh_public_key": ssh_public_key}

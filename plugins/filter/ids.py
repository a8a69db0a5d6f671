# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS resource-id rule of plugins/module_utils/ids.py, for the roles' input validation.
Documentation: resource_id_error.yml.
"""

from __future__ import annotations

from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem


def resource_id_error(value, prefixes, name="id"):
    """Why ``value`` is not an AWS resource id with one of ``prefixes`` (``'subnet'``, ``['igw', 'vgw']``), or ``''``."""
    if isinstance(prefixes, list):
        prefixes = tuple(prefixes)
    return problem(check_resource_id, value, prefixes, name)


class FilterModule:
    """Resource-id filters of v6vpn.aws."""

    def filters(self):
        return {"resource_id_error": resource_id_error}

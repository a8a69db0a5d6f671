# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whole numbers within bounds, for the roles' input validation (module_utils/validation.py).
Documentation: integer_error.yml.
"""

from __future__ import annotations

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import check_integer
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem


def integer_error(value, name="value", minimum=None, maximum=None):
    """Why ``value`` is not a whole number from ``minimum`` to ``maximum``, or ``''``."""
    return problem(check_integer, value, name, minimum, maximum)


class FilterModule:
    """The integer_error filter of v6vpn.aws."""

    def filters(self):
        return {"integer_error": integer_error}

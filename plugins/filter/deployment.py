# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deployment check every role entry point makes first: the deployment's name and AWS
region (plugins/module_utils/deployment.py), and the region it finds. Documentation:
deployment_error.yml, deployment_region.yml.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.module_utils.deployment import check_deployment
from ansible_collections.v6vpn.aws.plugins.module_utils.deployment import check_region
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem


def deployment_error(vpn_name, region=None):
    """Why ``vpn_name`` and ``region`` (else the controller's AWS_REGION, AWS_DEFAULT_REGION or profile region)
    do not name a deployment, or ``''``."""
    return problem(check_deployment, vpn_name, region)


def deployment_region(region=None):
    """The region the AWS modules will use: ``region`` when set, else the controller's (as
    ``deployment_error`` finds it); fails when there is none (check ``deployment_error`` first)."""
    try:
        return check_region(region)
    except InvalidParameter as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    """The deployment filter of v6vpn.aws."""

    def filters(self):
        return {"deployment_error": deployment_error, "deployment_region": deployment_region}

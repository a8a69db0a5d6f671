# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deployment every role and playbook works on: its name and its AWS region, checked by one
rule before any AWS call (roles reach it through the ``v6vpn.aws.deployment_error`` filter).
"""

import os

from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_vpn_name
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import collect

# Where the AWS SDK (botocore) finds the region when the playbook gives none.
REGION_ENVIRONMENT = ("AWS_REGION", "AWS_DEFAULT_REGION")


def check_region(value, name="aws_region", environ=None):
    """Return the region: ``value`` when set, else the one the AWS SDK would take from the
    environment (``environ``, ``os.environ`` by default)."""
    if value:
        return value
    environ = os.environ if environ is None else environ
    for variable in REGION_ENVIRONMENT:
        if environ.get(variable):
            return environ[variable]
    raise InvalidParameter("%s is not set: give the AWS region (for example -e %s=eu-west-1) or set AWS_REGION" % (name, name))


def check_deployment(vpn_name, region, environ=None):
    """Validate the deployment's name and region together; return both.

    :raises InvalidParameter: with every problem, joined by ``; ``
    """
    values, problems = collect({
        "vpn_name": lambda: check_vpn_name(vpn_name),
        "region": lambda: check_region(region, environ=environ),
    })
    if problems:
        raise InvalidParameter("; ".join(problems))
    return values

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

# Where the AWS modules find the region when the playbook gives none, in their order:
# amazon.aws's region option falls back to AWS_REGION, then botocore takes AWS_DEFAULT_REGION,
# then the `region` of the profile in the shared config file.
REGION_ENVIRONMENT = ("AWS_REGION", "AWS_DEFAULT_REGION")
# botocore's profile variables, in its order, and its default files.
PROFILE_ENVIRONMENT = ("AWS_DEFAULT_PROFILE", "AWS_PROFILE")
DEFAULT_CONFIG_FILE = "~/.aws/config"
DEFAULT_CREDENTIALS_FILE = "~/.aws/credentials"


def aws_profile(environ=None):
    """The AWS profile botocore uses (``AWS_DEFAULT_PROFILE``, ``AWS_PROFILE``), ``default`` when none."""
    environ = os.environ if environ is None else environ
    return next((environ[v] for v in PROFILE_ENVIRONMENT if environ.get(v)), "default")


def config_file(environ=None):
    """The shared config file botocore reads (``AWS_CONFIG_FILE``, else ``~/.aws/config``)."""
    environ = os.environ if environ is None else environ
    return environ.get("AWS_CONFIG_FILE") or DEFAULT_CONFIG_FILE


def _expand(path, environ):
    """``path`` with a leading ``~`` read from ``environ``'s HOME (os.path.expanduser reads os.environ)."""
    if path.startswith("~/") and environ.get("HOME"):
        return os.path.join(environ["HOME"], path[2:])
    return os.path.expanduser(path)


def profile_region(environ=None):
    """The ``region`` of the profile :func:`aws_profile` names in :func:`config_file`, as botocore
    reads it (botocore.session.Session(profile=...).get_scoped_config()), or None: no botocore, no
    such profile, no such file or no region in it."""
    environ = os.environ if environ is None else environ
    try:
        import botocore.exceptions
        import botocore.session
    except ImportError:
        return None
    session = botocore.session.Session(profile=aws_profile(environ))
    # Named explicitly so that ``environ`` alone decides (botocore would read os.environ).
    session.set_config_variable("config_file", _expand(config_file(environ), environ))
    session.set_config_variable("credentials_file", _expand(environ.get("AWS_SHARED_CREDENTIALS_FILE") or DEFAULT_CREDENTIALS_FILE, environ))
    try:
        return session.get_scoped_config().get("region") or None
    except botocore.exceptions.BotoCoreError:  # ProfileNotFound, ConfigParseError, ...
        return None


def check_region(value, name="aws_region", environ=None):
    """Return the region: ``value`` when set, else the one the AWS modules would take from the
    environment (``environ``, ``os.environ`` by default): AWS_REGION, AWS_DEFAULT_REGION, or the
    ``region`` of the AWS profile (AWS_PROFILE, else ``default``) in the shared config file
    (AWS_CONFIG_FILE, else ~/.aws/config)."""
    if value:
        return value
    environ = os.environ if environ is None else environ
    for variable in REGION_ENVIRONMENT:
        if environ.get(variable):
            return environ[variable]
    region = profile_region(environ)
    if region:
        return region
    raise InvalidParameter("%s is not set: give the AWS region (for example -e %s=eu-west-1) or set AWS_REGION, "
                           "or set region in profile %s of %s" % (name, name, aws_profile(environ), config_file(environ)))


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

"""Unit tests of the deployment rule (module_utils/deployment.py)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils.deployment import check_deployment, check_region
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter


def test_the_given_region_wins():
    assert check_region("eu-west-1", environ={"AWS_REGION": "us-east-1"}) == "eu-west-1"


@pytest.mark.parametrize("environ, region", [
    ({"AWS_REGION": "us-east-1"}, "us-east-1"),
    ({"AWS_DEFAULT_REGION": "eu-central-1"}, "eu-central-1"),
    ({"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "eu-central-1"}, "us-east-1"),  # as botocore orders them
    ({"AWS_REGION": "", "AWS_DEFAULT_REGION": "eu-central-1"}, "eu-central-1"),
])
def test_else_the_environment_gives_it(environ, region):
    assert check_region("", environ=environ) == region
    assert check_region(None, environ=environ) == region


def test_no_region_names_the_variable_and_where_to_set_it():
    with pytest.raises(InvalidParameter, match=r"^aws_region is not set: give the AWS region \(for example -e aws_region=eu-west-1\) or set AWS_REGION$"):
        check_region("", environ={})


def test_check_deployment_returns_both_values():
    assert check_deployment("myvpn", "", environ={"AWS_REGION": "us-east-1"}) == {"vpn_name": "myvpn", "region": "us-east-1"}


def test_check_deployment_reports_every_problem():
    with pytest.raises(InvalidParameter) as raised:
        check_deployment("-bad", None, environ={})
    assert str(raised.value).startswith("vpn_name: '-bad' must be 1-31 characters")
    assert str(raised.value).endswith("; aws_region is not set: give the AWS region (for example -e aws_region=eu-west-1) or set AWS_REGION")

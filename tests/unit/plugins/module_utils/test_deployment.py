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
    with pytest.raises(InvalidParameter, match=r"^aws_region is not set: give the AWS region \(for example -e aws_region=eu-west-1\) or set AWS_REGION, "
                       r"or set region in profile default of ~/.aws/config$"):
        check_region("", environ={"HOME": "/nonexistent"})


def test_check_deployment_returns_both_values():
    assert check_deployment("myvpn", "", environ={"AWS_REGION": "us-east-1"}) == {"vpn_name": "myvpn", "region": "us-east-1"}


def test_check_deployment_reports_every_problem():
    with pytest.raises(InvalidParameter) as raised:
        check_deployment("-bad", None, environ={"AWS_CONFIG_FILE": "/nonexistent"})
    assert str(raised.value).startswith("vpn_name: '-bad' must be 1-31 characters")
    assert str(raised.value).endswith("; aws_region is not set: give the AWS region (for example -e aws_region=eu-west-1) or set AWS_REGION, "
                                      "or set region in profile default of /nonexistent")


@pytest.fixture
def aws_config(tmp_path):
    """A shared config file with a default profile and a named one, each with its region."""
    path = tmp_path / "config"
    path.write_text("[default]\nregion = eu-north-1\n\n[profile work]\nregion = ap-south-1\n\n[profile noregion]\noutput = json\n")
    return str(path)


def test_else_the_region_of_the_default_profile_in_the_config_file(aws_config):
    assert check_region("", environ={"AWS_CONFIG_FILE": aws_config}) == "eu-north-1"


@pytest.mark.parametrize("variable", ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
def test_else_the_region_of_the_profile_aws_profile_names(aws_config, variable):
    assert check_region(None, environ={"AWS_CONFIG_FILE": aws_config, variable: "work"}) == "ap-south-1"


def test_the_environment_wins_over_the_profile(aws_config):
    assert check_region("", environ={"AWS_CONFIG_FILE": aws_config, "AWS_DEFAULT_REGION": "us-west-2"}) == "us-west-2"
    assert check_region("sa-east-1", environ={"AWS_CONFIG_FILE": aws_config, "AWS_PROFILE": "work"}) == "sa-east-1"


def test_the_config_file_under_home(tmp_path):
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[default]\nregion = ca-central-1\n")
    assert check_region("", environ={"HOME": str(tmp_path)}) == "ca-central-1"


@pytest.mark.parametrize("profile", ["noregion", "missing"])
def test_a_profile_without_region_says_which_profile_and_file(aws_config, profile):
    with pytest.raises(InvalidParameter) as raised:
        check_region("", environ={"AWS_CONFIG_FILE": aws_config, "AWS_PROFILE": profile})
    assert str(raised.value) == ("aws_region is not set: give the AWS region (for example -e aws_region=eu-west-1) or set AWS_REGION, "
                                 "or set region in profile %s of %s" % (profile, aws_config))


def test_an_unreadable_config_file_is_no_region(tmp_path):
    bad = tmp_path / "config"
    bad.write_text("region = nowhere\n[default\n")
    with pytest.raises(InvalidParameter, match="or set region in profile default of "):
        check_region("", environ={"AWS_CONFIG_FILE": str(bad)})

"""The v6vpn.aws.deployment_error filter: the deployment check of every role entry point."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.filter.deployment import FilterModule, deployment_error, deployment_region

NO_REGION = ("aws_region is not set: give the AWS region (for example -e aws_region=eu-west-1) or set AWS_REGION, "
             "or set region in profile default of ~/.aws/config")


@pytest.fixture
def no_region_in_environment(monkeypatch, tmp_path):
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws/config


def test_filter_is_registered():
    assert FilterModule().filters()["deployment_error"] is deployment_error


def test_accepts_a_name_and_a_region(no_region_in_environment):
    assert deployment_error("myvpn", "eu-west-1") == ""


@pytest.mark.parametrize("variable", ["AWS_REGION", "AWS_DEFAULT_REGION"])
def test_takes_the_region_from_the_environment(no_region_in_environment, monkeypatch, variable):
    assert deployment_error("myvpn", "") == NO_REGION
    monkeypatch.setenv(variable, "us-east-1")
    assert deployment_error("myvpn", "") == ""
    assert deployment_error("myvpn") == ""


def test_reports_both_problems_at_once(no_region_in_environment):
    assert deployment_error("My_VPN", None) == (
        "vpn_name: 'My_VPN' must be 1-31 characters: lower-case letters, digits or '-', starting with a letter or digit; " + NO_REGION)


def test_a_bad_name_with_a_region(no_region_in_environment):
    assert deployment_error(None, "eu-west-1").startswith("vpn_name: None must be 1-31 characters")


def test_takes_the_region_from_the_profile_in_aws_config_file(no_region_in_environment, monkeypatch, tmp_path):
    config = tmp_path / "aws-config"
    config.write_text("[profile lab]\nregion = eu-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert deployment_error("myvpn", "") == NO_REGION.replace("~/.aws/config", str(config))
    monkeypatch.setenv("AWS_PROFILE", "lab")
    assert deployment_error("myvpn", "") == ""


def test_filters_are_registered():
    assert FilterModule().filters() == {"deployment_error": deployment_error, "deployment_region": deployment_region}


def test_deployment_region(no_region_in_environment, monkeypatch, tmp_path):
    assert deployment_region("eu-west-3") == "eu-west-3"
    with pytest.raises(AnsibleFilterError, match="^aws_region is not set"):
        deployment_region("")
    config = tmp_path / "aws-config"
    config.write_text("[default]\nregion = eu-south-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert deployment_region("") == deployment_region(None) == "eu-south-2"

"""The v6vpn.aws.deployment_error filter: the deployment check of every role entry point."""

import pytest

from ansible_collections.v6vpn.aws.plugins.filter.deployment import FilterModule, deployment_error

NO_REGION = "aws_region is not set: give the AWS region (for example -e aws_region=eu-west-1) or set AWS_REGION"


@pytest.fixture
def no_region_in_environment(monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)


def test_filter_is_registered():
    assert FilterModule().filters() == {"deployment_error": deployment_error}


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

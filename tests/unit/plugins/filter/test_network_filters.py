"""The v6vpn.aws network filters (plugins/filter/network.py): the network role's rules as filters."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.filter.network import (
    FilterModule, admin_cidrs_error, dns64_error, security_group_name_error, subnet_zone, subnet_zone_error,
)

ZONES = [{"zone_name": "eu-west-1c", "zone_id": "euw1-az3"}, {"zone_name": "eu-west-1a", "zone_id": "euw1-az1"}]


def test_filters_are_registered():
    assert FilterModule().filters() == {
        "security_group_name_error": security_group_name_error, "admin_cidrs_error": admin_cidrs_error,
        "subnet_zone_error": subnet_zone_error, "subnet_zone": subnet_zone, "dns64_error": dns64_error,
    }


def test_security_group_name_error():
    assert security_group_name_error("lab") == ""
    assert security_group_name_error("sg-lab").startswith("vpn_name: 'sg-lab' would name the security group 'sg-lab-sg'")
    assert security_group_name_error("sg", "name").startswith("name: 'sg' would name the security group 'sg-sg'")


@pytest.mark.parametrize("allow_any", [True, "true", "yes"])
def test_admin_cidrs_error_opt_in(allow_any):
    assert admin_cidrs_error(["::/0"], allow_any) == ""


@pytest.mark.parametrize("allow_any", [False, "false", None])
def test_admin_cidrs_error_without_the_opt_in(allow_any):
    assert admin_cidrs_error(["::/0"], allow_any).startswith("network_admin_cidrs: ::/0 would open SSH to the whole internet")
    assert admin_cidrs_error(["198.51.100.0/24"], allow_any) == ""


def test_subnet_zone_error_and_subnet_zone():
    assert subnet_zone_error(ZONES, "t3.micro", "eu-west-1") == ""
    assert subnet_zone(ZONES, "t3.micro", "eu-west-1") == "eu-west-1a"
    assert subnet_zone(ZONES, "t3.micro", "eu-west-1", "eu-west-1c", None) == "eu-west-1c"
    assert subnet_zone(ZONES, "t3.micro", "eu-west-1", "", "eu-west-1c") == "eu-west-1c"
    assert subnet_zone_error(ZONES, "t3.micro", "eu-west-1", "eu-west-1b").startswith(
        "network_availability_zone: eu-west-1b does not offer t3.micro")
    assert subnet_zone_error([], "t3.micro", "eu-west-1", None, None).startswith("network_instance_type: t3.micro is offered in no")
    with pytest.raises(AnsibleFilterError, match="eu-west-1b does not offer t3.micro"):
        subnet_zone(ZONES, "t3.micro", "eu-west-1", "eu-west-1b")


@pytest.mark.parametrize("dns64, gateway", [(False, False), (False, True), (True, True), ("true", "yes"), ("no", False)])
def test_dns64_error_accepts_dns64_with_the_gateway_or_none(dns64, gateway):
    assert dns64_error(dns64, gateway) == ""


@pytest.mark.parametrize("dns64, gateway", [(True, False), ("true", "false"), ("yes", None)])
def test_dns64_error_refuses_dns64_without_the_gateway(dns64, gateway):
    message = dns64_error(dns64, gateway)
    assert message.startswith("network_dns64: DNS64 without a NAT64 route"), message
    assert "set network_nat64_gateway: true as well" in message, message

"""Unit tests of the network role's rules (module_utils/network.py)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils.network import (
    check_admin_cidrs, check_dns64, check_security_group_name, check_subnet_zone, security_group_name,
)
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

ZONES = [{"zone_name": "us-east-1c", "zone_id": "use1-az4"}, {"zone_name": "us-east-1b", "zone_id": "use1-az1"},
         {"zone_name": "us-east-1d", "zone_id": "use1-az2"}]


@pytest.mark.parametrize("vpn_name", ["lab", "sgx", "s", "vpn-sg", "sg2"])
def test_names_that_make_an_acceptable_group(vpn_name):
    assert check_security_group_name(vpn_name) == vpn_name + "-sg" == security_group_name(vpn_name)


@pytest.mark.parametrize("vpn_name", ["sg", "sg-lab", "sg-"])
def test_names_that_make_a_group_starting_with_sg_dash_are_refused(vpn_name):
    with pytest.raises(InvalidParameter) as raised:
        check_security_group_name(vpn_name)
    assert str(raised.value) == (
        "vpn_name: %r would name the security group %r, and AWS refuses group names starting with 'sg-': "
        "choose a vpn_name that does not start with 'sg-' (or is not 'sg')" % (vpn_name, vpn_name + "-sg"))


@pytest.mark.parametrize("cidrs", [["198.51.100.7/32"], ["2001:db8::/32", "10.0.0.0/8"], ["0.0.0.0/1", "128.0.0.0/1"], [],
                                   ["not a cidr"], None])
def test_admin_cidrs_without_the_whole_internet(cidrs):
    assert check_admin_cidrs(cidrs) == cidrs


@pytest.mark.parametrize("cidrs, named", [
    (["0.0.0.0/0"], "0.0.0.0/0"),
    (["198.51.100.7/32", "::/0"], "::/0"),
    ([" 0::/0 "], "0::/0"),
    (["0.0.0.0/0", "::/0"], "0.0.0.0/0 and ::/0"),
])
def test_admin_cidrs_with_the_whole_internet_need_the_opt_in(cidrs, named):
    with pytest.raises(InvalidParameter) as raised:
        check_admin_cidrs(cidrs)
    assert str(raised.value) == ("network_admin_cidrs: %s would open SSH to the whole internet; give the addresses you "
                                 "administer from (for example 203.0.113.7/32), or set network_admin_cidrs_allow_any: true "
                                 "to allow it" % named)
    assert check_admin_cidrs(cidrs, allow_any=True) == cidrs


def test_the_first_offering_zone_by_name():
    assert check_subnet_zone(ZONES, "t3.micro", "us-east-1") == "us-east-1b"


def test_a_pinned_zone_that_offers_the_type():
    assert check_subnet_zone(ZONES, "t3.micro", "us-east-1", pinned="us-east-1d") == "us-east-1d"


def test_a_pinned_zone_that_does_not():
    with pytest.raises(InvalidParameter) as raised:
        check_subnet_zone(ZONES, "t3.micro", "us-east-1", pinned="us-east-1a")
    assert str(raised.value) == ("network_availability_zone: us-east-1a does not offer t3.micro (or is not an available zone "
                                 "of us-east-1); zones that do: us-east-1b, us-east-1c, us-east-1d")


@pytest.mark.parametrize("pinned", ["", "us-east-1a"])
def test_no_zone_offers_the_type(pinned):
    with pytest.raises(InvalidParameter) as raised:
        check_subnet_zone([], "p5.48xlarge", "us-west-1", pinned=pinned)
    assert str(raised.value) == ("network_instance_type: p5.48xlarge is offered in no availability zone of us-west-1; "
                                 "choose another instance type or region")


def test_an_existing_subnet_keeps_its_zone_even_against_the_pin():
    assert check_subnet_zone(ZONES, "t3.micro", "us-east-1", pinned="us-east-1b", current="us-east-1c") == "us-east-1c"


@pytest.mark.parametrize("offered", [ZONES, []])
def test_an_existing_subnet_in_a_zone_without_the_type(offered):
    with pytest.raises(InvalidParameter) as raised:
        check_subnet_zone(offered, "t3.micro", "us-east-1", current="us-east-1a")
    message = str(raised.value)
    assert message.startswith("network_instance_type: the deployment's subnet is in us-east-1a, which does not offer t3.micro")
    assert "a subnet cannot move to another zone: remove the deployment (playbooks/teardown.yml) and run again, " \
           "or choose an instance type offered in us-east-1a" in message
    assert ("us-east-1b, us-east-1c, us-east-1d of us-east-1" if offered else "no zone of us-east-1") in message


@pytest.mark.parametrize("dns64, gateway", [(False, False), (False, True), (True, True)])
def test_dns64_needs_the_nat64_gateway_only_when_on(dns64, gateway):
    assert check_dns64(dns64, gateway) is dns64


def test_dns64_without_the_nat64_gateway_is_refused_naming_both_switches():
    with pytest.raises(InvalidParameter) as raised:
        check_dns64(True, False, "dns64", "gateway")
    assert str(raised.value).startswith("dns64: DNS64 without a NAT64 route makes the Amazon resolver answer IPv4-only names "
                                        "with 64:ff9b:: addresses that nothing translates"), raised.value
    assert "set gateway: true as well" in str(raised.value) and "or leave dns64 false" in str(raised.value)

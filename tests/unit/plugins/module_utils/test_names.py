"""Unit tests of the name rules (module_utils/names.py)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import names
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter


@pytest.mark.parametrize("name", ["alice", "a", "Bob.Laptop-2", "x_y", "a" * 64, "7"])
def test_good_client_names(name):
    assert names.check_client_name(name, "clients") == name


@pytest.mark.parametrize("name", ["", ".hidden", "-rf", "a b", "a/b", "../x", "a" * 65, "é", None, 5, "a\nb"])
def test_bad_client_names_name_the_parameter(name):
    with pytest.raises(InvalidParameter, match="^clients: .* is not a valid client name"):
        names.check_client_name(name, "clients")


def test_names_must_be_a_list_without_repeats():
    assert names.check_client_names(["a", "b"], "n") == ["a", "b"]
    with pytest.raises(InvalidParameter, match="'a' is listed twice"):
        names.check_client_names(["a", "b", "a"], "n")
    with pytest.raises(InvalidParameter, match="expected a list"):
        names.check_client_names("alice", "n")


@pytest.mark.parametrize("value", ["a", "my-vpn", "0vpn", "a" * 31])
def test_good_vpn_names(value):
    assert names.check_vpn_name(value) == value


@pytest.mark.parametrize("value", ["", "My_VPN", "-vpn", "a" * 32, "vpn\n", None, 7])
def test_bad_vpn_names_name_the_variable(value):
    with pytest.raises(InvalidParameter, match="^vpn_name: .* must be 1-31 characters"):
        names.check_vpn_name(value)


@pytest.mark.parametrize("value", ["eth0", "ens5", "tun-v6vpn", "a" * 15])
def test_good_interfaces(value):
    assert names.check_interface(value, "uplink") == value


@pytest.mark.parametrize("value", ["", "a" * 16, "eth 0", "eth0\n", "eth/0"])
def test_bad_interfaces(value):
    with pytest.raises(InvalidParameter, match="^uplink: .* is not an interface name"):
        names.check_interface(value, "uplink")


@pytest.mark.parametrize("value, good", [
    ("vpn.example.com", True), ("localhost", True), ("a-b.c", True),
    ("-a.com", False), ("a..b", False), ("a" * 64, False), ("host\n", False), ("", False),
])
def test_hostnames(value, good):
    assert names.is_hostname(value) is good


@pytest.mark.parametrize("value", ["t3.micro", "m7i-flex.large", "c7i.metal-24xl", "u-6tb1.112xlarge", "t4g.nano"])
def test_good_instance_types(value):
    assert names.check_instance_type(value, "ec2_instance_type") == value


@pytest.mark.parametrize("value", ["t3", "T3.micro", "t3.micro\n", ".micro", "", 3])
def test_bad_instance_types(value):
    with pytest.raises(InvalidParameter, match="^ec2_instance_type: .* is not an instance type"):
        names.check_instance_type(value, "ec2_instance_type")


@pytest.mark.parametrize("value, arch", [
    ("t4g.micro", "arm64"), ("m7g.large", "arm64"), ("c7gn.xlarge", "arm64"), ("a1.medium", "arm64"),
    ("t3.micro", "x86_64"), ("m7i-flex.large", "x86_64"), ("t2.micro", "x86_64"),
])
def test_instance_architecture(value, arch):
    assert names.instance_architecture(value) == arch

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


def test_every_repeated_name_is_reported_once():
    assert names.listed_twice(["a", "b", "a", "c", "a", "b"], "n") == ["n: 'a' is listed twice", "n: 'b' is listed twice"]
    assert names.listed_twice(["a", "b"], "n") == []
    with pytest.raises(InvalidParameter, match="^n: 'b' is listed twice; n: 'a' is listed twice$"):
        names.check_client_names(["b", "a", "b", "a", "b"], "n")


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


# Issue 11 item 7: every name is matched whole; a trailing newline never passes.
@pytest.mark.parametrize("check, value", [
    (names.check_client_name, "alice\n"),
    (names.check_vpn_name, "my-vpn\n"),
    (names.check_interface, "tun0\n"),
    (names.check_instance_type, "t3.micro\n"),
    (names.check_common_name, "my-vpn-server\n"),
    (names.check_common_name, "my-vpn OpenVPN CA\n"),
])
def test_trailing_newline_is_refused(check, value):
    with pytest.raises(InvalidParameter):
        check(value, "n")
    assert check(value[:-1], "n") == value[:-1]


@pytest.mark.parametrize("value", ["host.example.com\n", "localhost\n", "a\n"])
def test_hostname_with_trailing_newline_is_refused(value):
    assert names.is_hostname(value) is False
    assert names.is_hostname(value[:-1]) is True


@pytest.mark.parametrize("value", ["my-vpn OpenVPN CA", "x", "a" * 64, "Ünïcode CA", "a.b_c-d (test)"])
def test_good_common_names(value):
    assert names.check_common_name(value, "cn") == value


@pytest.mark.parametrize("value, message", [
    ("", "is not a common name"),
    (None, "is not a common name"),
    (64, "is not a common name"),
    ("a" * 65, "has 65 characters; a certificate common name has at most 64"),
    ("ca\n", "must be printable"),
    ("c\na", "must be printable"),
    ("ca\t", "must be printable"),
    (" ca", "space at either end"),
    ("ca\x00", "must be printable"),
])
def test_bad_common_names_name_the_variable(value, message):
    with pytest.raises(InvalidParameter, match="^openvpn_pki_ca_common_name: .*" + message):
        names.check_common_name(value, "openvpn_pki_ca_common_name")


@pytest.mark.parametrize("value", ["my vpn", 'a"b', "a'b", "a\\b", "a#b", "a;b"])
def test_server_common_name_is_usable_unquoted(value):
    assert names.check_common_name(value, "cn") == value
    with pytest.raises(InvalidParameter, match="^openvpn_server_common_name: .* verify-x509-name"):
        names.check_common_name(value, "openvpn_server_common_name", spaces=False)


def test_server_common_name_with_newline_is_refused_unquoted_too():
    with pytest.raises(InvalidParameter, match="must be printable"):
        names.check_common_name("vpn-server\n", "cn", spaces=False)


def test_a_client_may_not_take_the_server_or_ca_name():
    taken = {"openvpn_server_common_name": "vpn-server", "openvpn_pki_ca_common_name": "vpn OpenVPN CA"}
    assert names.check_client_names_free(["alice", "vpn-server2"], taken, "openvpn_clients") == ["alice", "vpn-server2"]
    with pytest.raises(InvalidParameter, match="^openvpn_clients: 'vpn-server' is the common name set by openvpn_server_common_name; "
                                               "a client may not take"):
        names.check_client_names_free(["alice", "vpn-server"], taken, "openvpn_clients")
    # mappings (fixed addresses) count by their name
    with pytest.raises(InvalidParameter, match="'vpn-server' is the common name"):
        names.check_client_names_free([{"name": "vpn-server", "ipv4": "10.8.0.9"}], taken, "openvpn_clients")
    # "vpn-server\n" is a different string: refused by the client name rule instead
    assert names.check_client_names_free(["vpn-server\n"], taken, "c") == ["vpn-server\n"]
    with pytest.raises(InvalidParameter):
        names.check_client_names(["vpn-server\n"], "c")

"""The v6vpn.aws name filters (plugins/filter/names.py) the roles validate their input with."""

import pytest

from ansible_collections.v6vpn.aws.plugins.filter.names import (
    FilterModule, client_names_error, client_names_free_error, common_name_error, endpoint_error, instance_architecture, instance_type_error, interface_error,
    ssh_public_key_error, vpn_name_error,
)

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHpmwgY4zCldkPRElNwcz/MJJH6WFpCihQey8zctN6No pytest"


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {
        "vpn_name_error", "client_names_error", "interface_error", "instance_type_error", "endpoint_error",
        "ssh_public_key_error", "instance_architecture", "common_name_error", "client_names_free_error",
    }


def test_vpn_name_error():
    assert vpn_name_error("my-vpn") == ""
    assert vpn_name_error("My_VPN") == (
        "vpn_name: 'My_VPN' must be 1-31 characters: lower-case letters, digits or '-', starting with a letter or digit")
    assert vpn_name_error("a" * 32, "name").startswith("name: 'aaaa")


def test_client_names_error():
    assert client_names_error(["alice", "bob.laptop"], "openvpn_clients") == ""
    assert client_names_error(["alice", "alice"], "openvpn_clients") == "openvpn_clients: 'alice' is listed twice"
    assert client_names_error(["../x"], "openvpn_clients").startswith("openvpn_clients: '../x' is not a valid client name")
    assert client_names_error("alice", "openvpn_clients").startswith("openvpn_clients: expected a list")


def test_interface_error():
    assert interface_error("ens5", "uplink") == ""
    assert interface_error("eth 0", "uplink") == "uplink: 'eth 0' is not an interface name (1-15 letters, digits, '_' or '-')"


@pytest.mark.parametrize("value, message", [
    ("t3.micro", ""),
    ("m7i-flex.large", ""),
    ("t3micro", "ec2_instance_type: 't3micro' is not an instance type (expected family.size, for example t3.micro)"),
    ("T3.micro", "ec2_instance_type: 'T3.micro' is not an instance type"),
    (None, "ec2_instance_type: None is not an instance type"),
])
def test_instance_type_error(value, message):
    result = instance_type_error(value, "ec2_instance_type")
    assert result.startswith(message) and bool(result) == bool(message)


@pytest.mark.parametrize("value", ["198.51.100.7", "2001:db8::1", "vpn.example.org", "localhost"])
def test_endpoint_error_accepts(value):
    assert endpoint_error(value, "endpoint") == ""


@pytest.mark.parametrize("value", ["", "vpn..example", "-vpn.example", None, 5, "a b"])
def test_endpoint_error_names_the_variable(value):
    assert endpoint_error(value, "endpoint").startswith("endpoint: %r is neither an IP address nor a DNS name" % (value,))


@pytest.mark.parametrize("instance_type, architecture", [
    ("t4g.small", "arm64"), ("c7gn.large", "arm64"), ("r8gd.xlarge", "arm64"), ("a1.medium", "arm64"),
    ("t3.micro", "x86_64"), ("m7i-flex.large", "x86_64"), ("g5.xlarge", "x86_64"), ("", "x86_64"), (None, "x86_64"),
])
def test_instance_architecture(instance_type, architecture):
    assert instance_architecture(instance_type) == architecture


class TestSshPublicKeyError:
    def test_a_key_or_an_existing_file(self, tmp_path):
        key_file = tmp_path / "id.pub"
        key_file.write_text(PUBLIC_KEY + "\n")
        assert ssh_public_key_error(PUBLIC_KEY, False, "key", "create") == ""
        assert ssh_public_key_error(PUBLIC_KEY + "\n", "false", "key", "create") == ""
        assert ssh_public_key_error(str(key_file), False, "key", "create") == ""

    def test_or_create_key(self):
        assert ssh_public_key_error("", True, "key", "create") == ""
        assert ssh_public_key_error("", "yes", "key", "create") == ""

    def test_not_both(self):
        assert ssh_public_key_error(PUBLIC_KEY, True, "key", "create") == (
            "key and create are mutually exclusive: import your key or have AWS create one")

    def test_not_neither(self):
        assert ssh_public_key_error("", False, "key", "create") == "set key (a public key or the path of a .pub file) or create: true"

    @pytest.mark.parametrize("value", ["/nonexistent/id.pub", "ssh-dss AAAAB3Nza", "ssh-ed25519", ["x"]])
    def test_neither_a_key_nor_a_file(self, value, tmp_path):
        assert ssh_public_key_error(value, False, "key", "create") == (
            "key: %r is neither an OpenSSH public key (ssh-ed25519, ssh-rsa, ecdsa-sha2-*) nor an existing file" % (value,))

    def test_a_directory_is_not_a_key_file(self, tmp_path):
        assert "is neither an OpenSSH public key" in ssh_public_key_error(str(tmp_path), False, "key", "create")


def test_common_name_error():
    assert common_name_error("vpn OpenVPN CA", "openvpn_pki_ca_common_name") == ""
    assert common_name_error("vpn-server\n", "openvpn_server_common_name", False).startswith("openvpn_server_common_name: 'vpn-server\\n' must be printable")
    assert common_name_error("vpn server", "openvpn_server_common_name", False).startswith("openvpn_server_common_name: 'vpn server' may not contain spaces")
    assert common_name_error("vpn server", "openvpn_server_common_name", "true") == ""


def test_client_names_free_error():
    taken = {"openvpn_server_common_name": "vpn-server"}
    assert client_names_free_error(["alice"], taken, "openvpn_clients") == ""
    assert client_names_free_error(["vpn-server"], taken, "openvpn_clients").startswith(
        "openvpn_clients: 'vpn-server' is the common name set by openvpn_server_common_name")


def test_endpoint_with_trailing_newline_is_refused():
    assert endpoint_error("vpn.example.com\n", "openvpn_public_endpoint").startswith("openvpn_public_endpoint: 'vpn.example.com\\n' is neither")
    assert endpoint_error("192.0.2.10\n", "openvpn_public_endpoint").startswith("openvpn_public_endpoint: '192.0.2.10\\n' is neither")
    assert endpoint_error("2001:db8::1\n", "openvpn_public_endpoint") != ""
    assert endpoint_error("192.0.2.10", "openvpn_public_endpoint") == ""

"""The v6vpn.aws.ssh_public_key test (plugins/test/names.py) over module_utils.names' rule."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils.names import is_ssh_public_key
from ansible_collections.v6vpn.aws.plugins.test.names import TestModule as NameTests  # not a pytest class
from ansible_collections.v6vpn.aws.plugins.test.names import ssh_public_key

BODY = "AAAAC3NzaC1lZDI1NTE5AAAAIHpmwgY4zCldkPRElNwcz/MJJH6WFpCihQey8zctN6No"


def test_test_is_registered():
    assert NameTests().tests() == {"ssh_public_key": ssh_public_key}


@pytest.mark.parametrize("value", [
    "ssh-ed25519 " + BODY,
    "ssh-ed25519 " + BODY + " me@laptop",
    "ssh-ed25519 " + BODY + " me@laptop\n",  # as read from a .pub file
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== comment with spaces",
    "ecdsa-sha2-nistp256 AAAAE2VjZHNh",
    "ecdsa-sha2-nistp521 AAAAE2VjZHNh",
])
def test_keys(value):
    assert ssh_public_key(value) is True
    assert is_ssh_public_key(value) is True


@pytest.mark.parametrize("value", [
    "~/.ssh/id_ed25519.pub", "/home/me/.ssh/id_ed25519.pub",
    "ssh-dss AAAAB3NzaC1kc3M",  # EC2 does not import DSA keys
    "ecdsa-sha2-nistp224 AAAAE2VjZHNh",
    "ssh-ed25519", "ssh-ed25519 ", "ssh-ed25519 !!!", " ssh-ed25519 " + BODY,
    "", None, 42,
])
def test_not_keys(value):
    assert ssh_public_key(value) is False

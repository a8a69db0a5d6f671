"""Unit tests of subnet_ipv6_association and wait_until in module_utils/ec2.py."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import ec2


def _assoc(state, cidr="2600:1f18::/64", assoc_id="a"):
    return {"AssociationId": assoc_id, "Ipv6CidrBlock": cidr, "Ipv6CidrBlockState": {"State": state}}


def test_subnet_ipv6_association_skips_lingering_and_failed_associations():
    subnet = {"Ipv6CidrBlockAssociationSet": [_assoc("disassociated", assoc_id="old"), _assoc("failed", assoc_id="bad"),
                                              _assoc("associating", assoc_id="new")]}
    assert ec2.subnet_ipv6_association(subnet)["AssociationId"] == "new"
    assert ec2.subnet_ipv6_association({"Ipv6CidrBlockAssociationSet": [_assoc("disassociating")]}) is None
    assert ec2.subnet_ipv6_association({}) is None


class _Failed(Exception):
    pass


class _Module:
    def fail_json(self, msg):
        raise _Failed(msg)


def test_wait_until_returns_the_first_truthy_answer(monkeypatch):
    monkeypatch.setattr(ec2.time, "sleep", lambda seconds: None)
    answers = iter([None, False, {"State": "associated"}])
    assert ec2.wait_until(_Module(), lambda: next(answers), "x", timeout=60) == {"State": "associated"}


def test_wait_until_is_bounded(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(ec2.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(ec2.time, "sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    calls = []
    with pytest.raises(_Failed, match="^Timed out after 10 s waiting for the block"):
        ec2.wait_until(_Module(), lambda: calls.append(1), "the block", timeout=10, delay=2)
    assert 5 <= len(calls) <= 7

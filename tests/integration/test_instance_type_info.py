"""v6vpn.aws.instance_type_info through ansible-playbook against the EC2 emulator, with realism's
zones (names mapped to zone ids per account by the seed; use1-az3 offers no t3)."""

from collections import Counter

import pytest

from tests.emulator.realism import Realism
from tests.emulator.server import Emulator

MODULE = "v6vpn.aws.instance_type_info"


@pytest.fixture
def realistic(ec2):
    with Emulator(realism=Realism(seed=3)) as emu:
        yield emu


def task(emu, instance_type, **extra):
    return {MODULE: dict({"instance_type": instance_type, "endpoint_url": emu.url, "region": "us-east-1"}, **extra)}


def test_zones_offering_the_type_and_what_it_can_do(realistic, run_tasks):
    zones = realistic.client(region_name="us-east-1").describe_availability_zones()["AvailabilityZones"]
    by_id = {z["ZoneId"]: z["ZoneName"] for z in zones}
    before = realistic.calls
    run = run_tasks([task(realistic, "t3.micro"), task(realistic, "t2.micro"), task(realistic, "t4g.micro")], check=True)
    t3, t2, t4g = run.results
    assert realistic.calls - before == Counter({"DescribeInstanceTypes": 3, "DescribeInstanceTypeOfferings": 3, "DescribeAvailabilityZones": 3})

    assert t3["changed"] is False and not t3.get("failed"), run
    names = [z["zone_name"] for z in t3["zones"]]
    assert names == sorted(names) and len(names) >= 3, t3
    assert all(by_id[z["zone_id"]] == z["zone_name"] for z in t3["zones"]), t3
    assert "use1-az3" not in [z["zone_id"] for z in t3["zones"]] and "use1-az3" in by_id, t3
    assert {k: t3[k] for k in ("hypervisor", "nitro", "ipv6_supported", "ipv6_addresses_per_interface", "burstable", "architectures")} == {
        "hypervisor": "nitro", "nitro": True, "ipv6_supported": True, "ipv6_addresses_per_interface": 2, "burstable": True,
        "architectures": ["x86_64"]}

    assert t2["hypervisor"] == "xen" and t2["nitro"] is False and t2["burstable"] is True, run
    assert t4g["architectures"] == ["arm64"] and t4g["nitro"] is True, run


def test_unknown_and_misspelt_types_fail_clearly(realistic, run_tasks):
    before = realistic.calls
    run = run_tasks([task(realistic, "t9.micro"), task(realistic, "t3micro")])
    unknown, misspelt = run.results
    assert unknown["failed"] is True and unknown["msg"] == "instance type t9.micro does not exist in region us-east-1", run
    assert misspelt["failed"] is True and "is not an instance type" in misspelt["msg"], run
    assert realistic.calls - before == Counter({"DescribeInstanceTypes": 1}), run


def test_non_burstable_xen_type_without_ipv6(ec2, emulator, run_tasks):
    run = run_tasks([task(emulator, "m1.small")])
    assert run[0]["hypervisor"] == "xen" and run[0]["burstable"] is False, run
    assert run[0]["ipv6_supported"] is False and run[0]["ipv6_addresses_per_interface"] == 0, run

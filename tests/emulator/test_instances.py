"""Instance metadata options (patches/instances.py)."""

from __future__ import annotations

from typing import Any

from tests.emulator.testing import Network, launch


def test_modify_metadata_options_keeps_what_it_does_not_name(ec2: Any, network: Network) -> None:
    instance = launch(ec2, SubnetId=network.subnet_id, MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 2})
    ec2.modify_instance_metadata_options(InstanceId=instance["InstanceId"], HttpProtocolIpv6="enabled")
    options = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]["MetadataOptions"]
    assert options == {
        "State": "applied",
        "HttpTokens": "required",
        "HttpPutResponseHopLimit": 2,
        "HttpEndpoint": "enabled",
        "HttpProtocolIpv6": "enabled",
        "InstanceMetadataTags": "disabled",
    }
    answer = ec2.modify_instance_metadata_options(InstanceId=instance["InstanceId"], HttpTokens="optional")
    assert answer["InstanceMetadataOptions"]["HttpProtocolIpv6"] == "enabled"
    assert answer["InstanceMetadataOptions"]["HttpTokens"] == "optional"

"""Security group rule descriptions (patches/security_groups.py) and names (patches/limits.py), and
resource types of tags (patches/tags.py)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.testing import Network


def test_updating_rule_descriptions_returns_true(ec2: Any, network: Network) -> None:
    group_id = ec2.create_security_group(GroupName="descriptions", Description="test", VpcId=network.vpc_id)["GroupId"]
    rule = {"IpProtocol": "udp", "FromPort": 1194, "ToPort": 1194, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[rule])
    described = dict(rule, Ipv6Ranges=[{"CidrIpv6": "::/0", "Description": "OpenVPN over IPv6"}])
    assert ec2.update_security_group_rule_descriptions_ingress(GroupId=group_id, IpPermissions=[described])["Return"] is True
    egress = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "all out"}]}
    assert ec2.update_security_group_rule_descriptions_egress(GroupId=group_id, IpPermissions=[egress])["Return"] is True
    ingress = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"]
    assert [r["Ipv6Ranges"] for r in ingress] == [[{"CidrIpv6": "::/0", "Description": "OpenVPN over IPv6"}]]


def test_elastic_ip_tags_have_resource_type_elastic_ip(ec2: Any) -> None:
    """AWS: DescribeTags reports an Elastic IP's tags with ResourceType elastic-ip and filters on it (patches/tags.py)."""
    allocation = ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "k", "Value": "v"}]}])
    try:
        found = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [allocation["AllocationId"]]},
                                           {"Name": "resource-type", "Values": ["elastic-ip"]}])["Tags"]
        assert found == [{"Key": "k", "ResourceId": allocation["AllocationId"], "ResourceType": "elastic-ip", "Value": "v"}]
    finally:
        ec2.release_address(AllocationId=allocation["AllocationId"])


def test_group_names_starting_with_sg_are_refused(ec2: Any, network: Network) -> None:
    """AWS (CreateSecurityGroup): a group name "Cannot start with sg-" (patches/limits.py)."""
    with pytest.raises(ClientError) as excinfo:
        ec2.create_security_group(GroupName="sg-vpn", Description="test", VpcId=network.vpc_id)
    assert excinfo.value.response["Error"] == {
        "Code": "InvalidParameterValue",
        "Message": "Value (sg-vpn) for parameter GroupName is invalid. Group names may not be in the format sg-*.",
    }
    names = [g["GroupName"] for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}])["SecurityGroups"]]
    assert names == ["default"]
    assert ec2.create_security_group(GroupName="vpn-sg", Description="test", VpcId=network.vpc_id)["GroupId"].startswith("sg-")

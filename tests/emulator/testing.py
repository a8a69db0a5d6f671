"""Helpers of the emulator's own tests (fixtures are in conftest.py)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any


@dataclass
class Network:
    """A VPC with an Amazon-provided /56 and one dual-stack subnet holding its second /64."""

    vpc_id: str
    vpc_ipv6: ipaddress.IPv6Network
    subnet_id: str
    subnet_ipv6: ipaddress.IPv6Network


def build_network(ec2: Any, cidr: str = "10.0.0.0/16", assign_ipv6: bool = False, availability_zone: str | None = None) -> Network:
    vpc_id = ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    vpc_ipv6 = ipaddress.IPv6Network(vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
    subnet_ipv6 = list(vpc_ipv6.subnets(new_prefix=64))[1]
    subnet_cidr = str(list(ipaddress.ip_network(cidr).subnets(new_prefix=24))[1])
    zone = {"AvailabilityZone": availability_zone} if availability_zone else {}
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=subnet_cidr, Ipv6CidrBlock=str(subnet_ipv6), **zone)["Subnet"]["SubnetId"]
    if assign_ipv6:
        ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    return Network(vpc_id, vpc_ipv6, subnet_id, subnet_ipv6)


def main_route_table(ec2: Any, vpc_id: str) -> str:
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}])
    return tables["RouteTables"][0]["RouteTableId"]


def launch(ec2: Any, **kwargs: Any) -> dict[str, Any]:
    """RunInstances of one instance (moto's default AMI), returning it as DescribeInstances shows it."""
    instance_id = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, **kwargs)["Instances"][0]["InstanceId"]
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]

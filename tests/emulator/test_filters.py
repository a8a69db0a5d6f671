"""Describe* filters the EC2 API reference documents and moto 5.2.5 lacked (patches/filters.py)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.testing import Network, launch, main_route_table


def spelled_long(network: ipaddress.IPv6Network | ipaddress.IPv6Address) -> str:
    """The same network or address written out in full, as AWS accepts it."""
    if isinstance(network, ipaddress.IPv6Network):
        return f"{network.network_address.exploded}/{network.prefixlen}"
    return network.exploded


def f(name: str, *values: str) -> dict[str, Any]:
    return {"Name": name, "Values": list(values)}


def test_route_table_filters_on_egress_only_gateway_and_ipv6_destination(ec2: Any, network: Network) -> None:
    table = main_route_table(ec2, network.vpc_id)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=network.vpc_id)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    vpc = f("vpc-id", network.vpc_id)

    def tables(*filters: dict[str, Any]) -> list[str]:
        return [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[vpc, *filters])["RouteTables"]]

    assert tables(f("route.egress-only-internet-gateway-id", eigw)) == [table]
    assert tables(f("route.egress-only-internet-gateway-id", "eigw-0000000000000000")) == []
    assert tables(f("route.destination-ipv6-cidr-block", "::/0")) == [table]
    assert tables(f("route.destination-ipv6-cidr-block", "0:0:0:0:0:0:0:0/0")) == [table]
    assert tables(f("route.destination-ipv6-cidr-block", spelled_long(network.vpc_ipv6))) == [table]
    assert tables(f("route.destination-ipv6-cidr-block", "64:ff9b::/96")) == []
    assert tables(f("route.destination-cidr-block", "10.0.0.0/16")) == [table]
    assert tables(f("route.gateway-id", "local")) == [table]
    assert tables(f("route.state", "active")) == [table]
    assert tables(f("route.origin", "CreateRoute")) == [table]


def test_subnet_filters_on_ipv6_association(ec2: Any, network: Network) -> None:
    subnet = ec2.describe_subnets(SubnetIds=[network.subnet_id])["Subnets"][0]
    association_id = subnet["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    vpc = f("vpc-id", network.vpc_id)

    def subnets(*filters: dict[str, Any]) -> list[str]:
        return [s["SubnetId"] for s in ec2.describe_subnets(Filters=[vpc, *filters])["Subnets"]]

    assert subnets(f("ipv6-cidr-block-association.ipv6-cidr-block", str(network.subnet_ipv6))) == [network.subnet_id]
    assert subnets(f("ipv6-cidr-block-association.ipv6-cidr-block", spelled_long(network.subnet_ipv6))) == [network.subnet_id]
    assert subnets(f("ipv6-cidr-block-association.ipv6-cidr-block", "2001:db8::/64")) == []
    assert subnets(f("ipv6-cidr-block-association.association-id", association_id)) == [network.subnet_id]
    assert subnets(f("ipv6-cidr-block-association.state", "associated")) == [network.subnet_id]
    assert subnets(f("ipv6-cidr-block-association.state", "disassociated")) == []


def test_vpc_filters_on_ipv6_association(ec2: Any, network: Network) -> None:
    vpc = ec2.describe_vpcs(VpcIds=[network.vpc_id])["Vpcs"][0]
    ipv6_association = vpc["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    ipv4_association = vpc["CidrBlockAssociationSet"][0]["AssociationId"]

    def vpcs(*filters: dict[str, Any]) -> list[str]:
        return [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[network.vpc_id], Filters=list(filters))["Vpcs"]]

    assert vpcs(f("ipv6-cidr-block-association.ipv6-pool", "Amazon")) == [network.vpc_id]
    assert vpcs(f("ipv6-cidr-block-association.ipv6-pool", "ipv6pool-ec2-0123456789abcdef0")) == []
    assert vpcs(f("ipv6-cidr-block-association.ipv6-cidr-block", spelled_long(network.vpc_ipv6))) == [network.vpc_id]
    assert vpcs(f("ipv6-cidr-block-association.association-id", ipv6_association)) == [network.vpc_id]
    assert vpcs(f("ipv6-cidr-block-association.association-id", ipv4_association)) == []
    assert vpcs(f("ipv6-cidr-block-association.state", "associated")) == [network.vpc_id]


def test_instance_filters_on_ipv6_address_and_public_ip(ec2: Any, network: Network) -> None:
    instance = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id, "Ipv6AddressCount": 1, "AssociatePublicIpAddress": True}])
    address = ipaddress.IPv6Address(instance["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"])
    public_ip = instance["PublicIpAddress"]

    def instances(*filters: dict[str, Any]) -> list[str]:
        reservations = ec2.describe_instances(Filters=[f("vpc-id", network.vpc_id), *filters])["Reservations"]
        return [i["InstanceId"] for r in reservations for i in r["Instances"]]

    mine = [instance["InstanceId"]]
    assert instances(f("ipv6-address", str(address))) == mine
    assert instances(f("ipv6-address", spelled_long(address))) == mine
    assert instances(f("network-interface.ipv6-addresses.ipv6-address", str(address))) == mine
    assert instances(f("network-interface.ipv6-address", str(address))) == mine
    assert instances(f("ipv6-address", str(address + 1))) == []
    assert instances(f("network-interface.addresses.association.public-ip", public_ip)) == mine
    assert instances(f("network-interface.association.public-ip", public_ip)) == mine
    assert instances(f("network-interface.addresses.association.public-ip", "192.0.2.1")) == []
    # Filters combine with instance ids too.
    assert ec2.describe_instances(InstanceIds=mine, Filters=[f("ipv6-address", str(address + 1))])["Reservations"] == []


def test_instance_filter_on_delegated_prefix(ec2: Any, network: Network) -> None:
    instance = launch(ec2, InstanceType="t3.micro", NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id, "Ipv6PrefixCount": 1}])
    prefix = ipaddress.IPv6Network(instance["NetworkInterfaces"][0]["Ipv6Prefixes"][0]["Ipv6Prefix"])
    for value, expected in ((spelled_long(prefix), [instance["InstanceId"]]), (str(network.subnet_ipv6), [])):
        reservations = ec2.describe_instances(Filters=[f("vpc-id", network.vpc_id), f("network-interface.ipv6-prefixes.ipv6-prefix", value)])["Reservations"]
        assert [i["InstanceId"] for r in reservations for i in r["Instances"]] == expected


def test_network_interface_filter_on_ipv6_address(ec2: Any, network: Network) -> None:
    eni = ec2.create_network_interface(SubnetId=network.subnet_id, Ipv6AddressCount=1)["NetworkInterface"]
    address = eni["Ipv6Addresses"][0]["Ipv6Address"]
    found = ec2.describe_network_interfaces(Filters=[f("ipv6-addresses.ipv6-address", spelled_long(ipaddress.IPv6Address(address)))])
    assert [e["NetworkInterfaceId"] for e in found["NetworkInterfaces"]] == [eni["NetworkInterfaceId"]]


def test_egress_only_gateway_filters_are_the_documented_tag_filters(ec2: Any, make_network: Any) -> None:
    first, second = make_network(), make_network()
    tags = [{"ResourceType": "egress-only-internet-gateway", "Tags": [{"Key": "Name", "Value": "v6vpn-test"}, {"Key": "Owner", "Value": first.vpc_id}]}]
    mine = ec2.create_egress_only_internet_gateway(VpcId=first.vpc_id, TagSpecifications=tags)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    ec2.create_egress_only_internet_gateway(VpcId=second.vpc_id)

    def gateways(*filters: dict[str, Any]) -> list[str]:
        answer = ec2.describe_egress_only_internet_gateways(Filters=list(filters))["EgressOnlyInternetGateways"]
        return [g["EgressOnlyInternetGatewayId"] for g in answer]

    assert gateways(f("tag:Owner", first.vpc_id)) == [mine]
    assert gateways(f("tag:Name", "v6vpn-*"), f("tag:Owner", first.vpc_id)) == [mine]
    assert mine in gateways(f("tag-key", "Owner"))
    assert gateways(f("tag:Owner", second.vpc_id)) == []
    # Not a filter of this call on AWS (the reference lists only tag:<key> and tag-key).
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_egress_only_internet_gateways(Filters=[f("attachment.vpc-id", first.vpc_id)])
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"

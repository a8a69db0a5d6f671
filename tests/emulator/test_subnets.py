"""Subnet IPv6 behaviour (patches/subnets.py, patches/vpcs.py)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.testing import Network


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_ipv6_cidr_block_state_is_a_structure(ec2: Any, network: Network) -> None:
    # SubnetIpv6CidrBlockAssociation.Ipv6CidrBlockState is a SubnetCidrBlockState structure {State: ...}.
    subnet = ec2.describe_subnets(SubnetIds=[network.subnet_id])["Subnets"][0]
    assert subnet["Ipv6CidrBlockAssociationSet"] == [{
        "AssociationId": subnet["Ipv6CidrBlockAssociationSet"][0]["AssociationId"],
        "Ipv6CidrBlock": str(network.subnet_ipv6),
        "Ipv6CidrBlockState": {"State": "associated"},
    }]
    created = ec2.create_subnet(VpcId=network.vpc_id, CidrBlock="10.0.7.0/24", Ipv6CidrBlock=str(list(network.vpc_ipv6.subnets(new_prefix=64))[7]))
    assert created["Subnet"]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlockState"] == {"State": "associated"}


def test_disassociated_block_keeps_its_state_and_a_new_one_can_follow(ec2: Any, network: Network) -> None:
    subnet = ec2.describe_subnets(SubnetIds=[network.subnet_id])["Subnets"][0]
    old = subnet["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    ec2.disassociate_subnet_cidr_block(AssociationId=old)
    by_state = ec2.describe_subnets(SubnetIds=[network.subnet_id], Filters=[{"Name": "ipv6-cidr-block-association.state", "Values": ["disassociated"]}])
    assert [s["SubnetId"] for s in by_state["Subnets"]] == [network.subnet_id]
    listed = {a["AssociationId"]: a["Ipv6CidrBlockState"]["State"] for a in by_state["Subnets"][0]["Ipv6CidrBlockAssociationSet"]}
    assert listed == {old: "disassociated"}

    new_block = str(list(network.vpc_ipv6.subnets(new_prefix=64))[9])
    new = ec2.associate_subnet_cidr_block(SubnetId=network.subnet_id, Ipv6CidrBlock=new_block)["Ipv6CidrBlockAssociation"]
    assert new["Ipv6CidrBlockState"] == {"State": "associated"}
    subnet = ec2.describe_subnets(SubnetIds=[network.subnet_id])["Subnets"][0]
    states = {a["Ipv6CidrBlock"]: a["Ipv6CidrBlockState"]["State"] for a in subnet["Ipv6CidrBlockAssociationSet"]}
    assert states == {str(network.subnet_ipv6): "disassociated", new_block: "associated"}


def test_subnet_attributes_round_trip_enable_dns64(ec2: Any, network: Network) -> None:
    def attributes() -> tuple[bool, bool, bool]:
        subnet = ec2.describe_subnets(SubnetIds=[network.subnet_id])["Subnets"][0]
        return subnet["EnableDns64"], subnet["AssignIpv6AddressOnCreation"], subnet["MapPublicIpOnLaunch"]

    assert attributes() == (False, False, False)
    ec2.modify_subnet_attribute(SubnetId=network.subnet_id, EnableDns64={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=network.subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=network.subnet_id, MapPublicIpOnLaunch={"Value": True})
    assert attributes() == (True, True, True)
    ec2.modify_subnet_attribute(SubnetId=network.subnet_id, EnableDns64={"Value": False})
    assert attributes() == (False, True, True)
    found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}, {"Name": "enable-dns64", "Values": ["false"]}])
    assert [s["SubnetId"] for s in found["Subnets"]] == [network.subnet_id]


@pytest.mark.parametrize("case", ["outside the VPC", "not a /64"])
def test_subnet_ipv6_block_must_be_a_64_of_the_vpc(ec2: Any, network: Network, case: str) -> None:
    block = {
        "outside the VPC": "2001:db8:1:2::/64",
        "not a /64": str(list(network.vpc_ipv6.subnets(new_prefix=60))[3]),
    }[case]
    bare = ec2.create_subnet(VpcId=network.vpc_id, CidrBlock="10.0.8.0/24")["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as excinfo:
        ec2.associate_subnet_cidr_block(SubnetId=bare, Ipv6CidrBlock=block)
    assert error_code(excinfo) == "InvalidSubnet.Range"
    with pytest.raises(ClientError) as excinfo:
        ec2.create_subnet(VpcId=network.vpc_id, CidrBlock="10.0.9.0/24", Ipv6CidrBlock=block)
    assert error_code(excinfo) == "InvalidSubnet.Range"


def test_subnet_ipv6_block_of_another_subnet_conflicts(ec2: Any, network: Network) -> None:
    taken = f"{network.subnet_ipv6.network_address.exploded}/64"  # the same /64, spelled out
    bare = ec2.create_subnet(VpcId=network.vpc_id, CidrBlock="10.0.8.0/24")["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as excinfo:
        ec2.associate_subnet_cidr_block(SubnetId=bare, Ipv6CidrBlock=taken)
    assert error_code(excinfo) == "InvalidSubnet.Conflict"
    with pytest.raises(ClientError) as excinfo:
        ec2.create_subnet(VpcId=network.vpc_id, CidrBlock="10.0.9.0/24", Ipv6CidrBlock=taken)
    assert error_code(excinfo) == "InvalidSubnet.Conflict"


def test_subnet_ipv6_block_is_stored_canonically(ec2: Any, network: Network) -> None:
    block = list(network.vpc_ipv6.subnets(new_prefix=64))[5]
    subnet = ec2.create_subnet(VpcId=network.vpc_id, CidrBlock="10.0.5.0/24", Ipv6CidrBlock=f"{block.network_address.exploded.upper()}/64")["Subnet"]
    assert subnet["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == str(block)


def test_amazon_provided_vpc_blocks_are_written_canonically(ec2: Any) -> None:
    # AWS prints addresses in RFC 5952 form; moto's random /56 kept leading zeros in about one VPC
    # in eight, so forty VPCs catch it almost surely.
    vpc_ids = [ec2.create_vpc(CidrBlock="10.9.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"] for _index in range(40)]
    try:
        blocks = [v["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] for v in ec2.describe_vpcs(VpcIds=vpc_ids)["Vpcs"]]
        assert [b for b in blocks if b != str(ipaddress.ip_network(b))] == []
        assert all(ipaddress.ip_network(b).prefixlen == 56 for b in blocks)
    finally:
        for vpc_id in vpc_ids:
            ec2.delete_vpc(VpcId=vpc_id)


def test_a_block_in_use_cannot_be_disassociated(ec2: Any, make_network: Any) -> None:
    """AWS (DisassociateSubnetCidrBlock): InvalidCidrBlock.InUse while the subnet auto-assigns from
    the block or an interface holds its addresses (patches/limits.py)."""
    network = make_network(assign_ipv6=True)
    association = ec2.describe_subnets(SubnetIds=[network.subnet_id])["Subnets"][0]["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    eni = ec2.create_network_interface(SubnetId=network.subnet_id)["NetworkInterface"]  # takes one address: auto-assign
    with pytest.raises(ClientError) as excinfo:
        ec2.disassociate_subnet_cidr_block(AssociationId=association)
    assert excinfo.value.response["Error"] == {
        "Code": "InvalidCidrBlock.InUse",
        "Message": f"The subnet IPv6 CIDR block with association ID {association} may not be disassociated, "
                   "because its subnet has assign-ipv6-address-on-creation set to true.",
    }
    ec2.modify_subnet_attribute(SubnetId=network.subnet_id, AssignIpv6AddressOnCreation={"Value": False})
    with pytest.raises(ClientError) as excinfo:
        ec2.disassociate_subnet_cidr_block(AssociationId=association)
    assert error_code(excinfo) == "InvalidCidrBlock.InUse"
    assert eni["NetworkInterfaceId"] in excinfo.value.response["Error"]["Message"]
    states = [a["Ipv6CidrBlockState"]["State"] for a in ec2.describe_subnets(SubnetIds=[network.subnet_id])["Subnets"][0]["Ipv6CidrBlockAssociationSet"]]
    assert states == ["associated"]  # refused: nothing changed

    ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], Ipv6Addresses=[a["Ipv6Address"] for a in eni["Ipv6Addresses"]])
    gone = ec2.disassociate_subnet_cidr_block(AssociationId=association)["Ipv6CidrBlockAssociation"]
    assert gone["AssociationId"] == association

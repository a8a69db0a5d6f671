"""NAT gateways (patches/nat_gateways.py): tag filters and DescribeTags' resource type, the interface and Elastic IP a gateway holds,
their release once it is deleted, NAT64 routes, and (realism) `pending` and `deleting`.

Each test fails on stock moto 5.2.5, which answered every gateway whatever the tag filter, called its tags' resource type `nat-gateway`, made a
plain interface, kept it and the address for ever after DeleteNatGateway, released an address a
gateway held, left routes to a deleted gateway `active`, and created gateways `available` at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulator.server import Emulator
from tests.emulator.test_realism import NO_RETRIES, error_of, eventually, set_up_network
from tests.emulator.testing import Network, main_route_table


def tagged(kind: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def nat_gateway(ec2: Any, network: Network, **tags: str) -> tuple[str, str]:
    """A public NAT gateway in the network's subnet, with a new Elastic IP: (gateway id, allocation id)."""
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    gateway = ec2.create_nat_gateway(SubnetId=network.subnet_id, AllocationId=allocation_id,
                                     TagSpecifications=tagged("natgateway", **tags) if tags else [])["NatGateway"]
    return gateway["NatGatewayId"], allocation_id


def interfaces(ec2: Any, network: Network) -> list[dict[str, Any]]:
    return list(ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [network.subnet_id]}])["NetworkInterfaces"])


def test_nat_gateways_are_found_by_their_tags(ec2: Any, network: Network) -> None:
    ours = nat_gateway(ec2, network, **{"v6vpn:deployment": "nat-tags", "Name": "nat-tags-nat64"})[0]
    other = nat_gateway(ec2, network, **{"v6vpn:deployment": "someone-else"})[0]
    untagged = nat_gateway(ec2, network)[0]

    def found(*filters: tuple[str, list[str]]) -> set[str]:
        answer = ec2.describe_nat_gateways(Filter=[{"Name": n, "Values": v} for n, v in filters])["NatGateways"]
        return {g["NatGatewayId"] for g in answer}

    assert found(("tag:v6vpn:deployment", ["nat-tags"])) == {ours}
    assert found(("tag:v6vpn:deployment", ["nat-tags", "someone-else"])) == {ours, other}
    assert found(("tag-key", ["Name"]), ("subnet-id", [network.subnet_id])) == {ours}
    assert found(("tag:v6vpn:deployment", ["nat-tags"]), ("state", ["deleted"])) == set()
    assert found(("subnet-id", [network.subnet_id])) == {ours, other, untagged}
    by_type = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [ours]}, {"Name": "resource-type", "Values": ["natgateway"]}])["Tags"]
    assert {(t["Key"], t["Value"], t["ResourceType"]) for t in by_type} == {
        ("v6vpn:deployment", "nat-tags", "natgateway"), ("Name", "nat-tags-nat64", "natgateway")}


def test_a_nat_gateway_holds_an_aws_interface_and_its_address_until_deleted(ec2: Any, network: Network) -> None:
    gateway_id, allocation_id = nat_gateway(ec2, network)
    [eni] = interfaces(ec2, network)
    assert (eni["InterfaceType"], eni["RequesterManaged"], eni["Description"]) == (
        "nat_gateway", True, f"Interface for NAT Gateway {gateway_id}"), eni
    address = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
    assert address["NetworkInterfaceId"] == eni["NetworkInterfaceId"]

    error = error_of(ec2.release_address, AllocationId=allocation_id)
    assert (error["Code"], error["Message"]) == ("AuthFailure", "You do not have permission to access the specified resource.")
    assert ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0].get("AssociationId")

    # NAT64: the IPv6 route to the gateway, a blackhole once the gateway is deleted.
    table = main_route_table(ec2, network.vpc_id)
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="64:ff9b::/96", NatGatewayId=gateway_id)

    def route() -> dict[str, Any]:
        answer = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
        return next(r for r in answer if r.get("DestinationIpv6CidrBlock") == "64:ff9b::/96")

    assert (route()["NatGatewayId"], route()["State"]) == (gateway_id, "active")

    ec2.delete_nat_gateway(NatGatewayId=gateway_id)
    assert ec2.describe_nat_gateways(NatGatewayIds=[gateway_id])["NatGateways"][0]["State"] == "deleted"
    assert interfaces(ec2, network) == []
    assert ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0].get("AssociationId") is None
    assert route()["State"] == "blackhole"
    ec2.release_address(AllocationId=allocation_id)
    ec2.delete_route(RouteTableId=table, DestinationIpv6CidrBlock="64:ff9b::/96")
    ec2.delete_subnet(SubnetId=network.subnet_id)


def test_nat_gateways_are_pending_then_available_and_deleting_then_deleted(realistic: Callable[..., Emulator]) -> None:
    emulator = realistic(pending_delay=0.8)
    network = set_up_network(emulator)
    ec2 = emulator.client(config=NO_RETRIES)
    with emulator.paused():
        igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=network.vpc_id)
        allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    gateway = ec2.create_nat_gateway(SubnetId=network.subnet_id, AllocationId=allocation_id)["NatGateway"]
    gateway_id = gateway["NatGatewayId"]
    assert gateway["State"] == "pending"

    def state() -> str:
        return str(ec2.describe_nat_gateways(NatGatewayIds=[gateway_id])["NatGateways"][0]["State"])

    assert state() == "pending"
    eventually(lambda: state() == "available")

    ec2.delete_nat_gateway(NatGatewayId=gateway_id)
    assert state() == "deleting"
    # Meanwhile its interface keeps the subnet, and its address, mapped, the Internet Gateway.
    [eni] = interfaces(ec2, network)
    assert eni["Description"] == f"Interface for NAT Gateway {gateway_id}"
    error = error_of(ec2.delete_subnet, SubnetId=network.subnet_id)
    assert (error["Code"], error["Message"]) == ("DependencyViolation", f"The subnet '{network.subnet_id}' has dependencies and cannot be deleted.")
    assert error_of(ec2.detach_internet_gateway, InternetGatewayId=igw_id, VpcId=network.vpc_id)["Code"] == "DependencyViolation"
    assert error_of(ec2.release_address, AllocationId=allocation_id)["Code"] == "AuthFailure"

    eventually(lambda: state() == "deleted")
    assert interfaces(ec2, network) == []
    ec2.release_address(AllocationId=allocation_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=network.vpc_id)
    ec2.delete_subnet(SubnetId=network.subnet_id)

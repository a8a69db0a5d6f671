"""Realism mode: EC2 in time and per zone (realism.py, patches/timing.py, patches/zones.py,
the per-type address limit in patches/addressing.py). README.md, "Realism", cites what each follows.

Each test runs its own emulator with only the delay it is about (the others 0) and sub-second
delays; set-up that is not under test runs `paused()` (no realism). Every test fails with realism off.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.emulator.server import Emulator
from tests.emulator.testing import Network, build_network

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
IMAGE = "ami-12c6146b"  # one of moto's default AMIs
WAIT = 10.0


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return dict(excinfo.value.response["Error"], Status=excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"])


def eventually(check: Callable[[], Any], timeout: float = WAIT) -> Any:
    """Poll `check` (bounded) until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, f"still false after {timeout}s: {check}"
            return result
        time.sleep(0.05)


def found(call: Callable[..., Any], **kwargs: Any) -> bool:
    try:
        call(**kwargs)
    except ClientError as error:
        if error.response["Error"]["Code"].endswith("NotFound"):
            return False
        raise
    return True


def zone_named(ec2: Any, zone_id: str) -> str:
    """The name of zone `zone_id` in this emulator's account (realism maps names per account)."""
    return str(ec2.describe_availability_zones(ZoneIds=[zone_id])["AvailabilityZones"][0]["ZoneName"])


def set_up_network(emulator: Emulator, assign_ipv6: bool = False) -> Network:
    """Harness set-up (no realism): a network whose subnet is in use1-az1, which offers t3."""
    ec2 = emulator.client()
    zone = zone_named(ec2, "use1-az1")
    with emulator.paused():
        return build_network(ec2, assign_ipv6=assign_ipv6, availability_zone=zone)


# --- eventual consistency ---------------------------------------------------------------------

def test_new_ids_answer_not_found_for_a_while(realistic: Callable[..., Emulator]) -> None:
    # Seed 796 draws the delays of the nine creates below between 0.6 and 1.3 s: room for the
    # checks that follow each create, even on a loaded machine.
    emulator = realistic(seed=796, consistency_delay=1.5)
    ec2 = emulator.client(config=NO_RETRIES)

    def invisible(resource_id: str, code: str, call: Callable[..., Any], listing: Callable[[], list[str]], **kwargs: Any) -> None:
        error = error_of(call, **kwargs)
        assert (error["Code"], error["Status"]) == (code, 400), error
        assert resource_id in error["Message"]
        assert resource_id not in listing()

    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]  # the create answers with it
    invisible(vpc_id, "InvalidVpcID.NotFound", ec2.describe_vpcs, lambda: [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]], VpcIds=[vpc_id])
    assert error_of(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Code"] == "InvalidVpcID.NotFound"
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"] == []  # a filter value is no reference
    eventually(lambda: found(ec2.describe_vpcs, VpcIds=[vpc_id]))

    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZoneId="use1-az1")["Subnet"]["SubnetId"]
    invisible(subnet_id, "InvalidSubnetID.NotFound", ec2.modify_subnet_attribute,
              lambda: [s["SubnetId"] for s in ec2.describe_subnets(Filters=in_vpc)["Subnets"]],
              SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    invisible(igw_id, "InvalidInternetGatewayID.NotFound", ec2.attach_internet_gateway,
              lambda: [g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]],
              InternetGatewayId=igw_id, VpcId=vpc_id)
    eigw_id = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    invisible(eigw_id, "InvalidGatewayID.NotFound", ec2.describe_egress_only_internet_gateways,
              lambda: [g["EgressOnlyInternetGatewayId"] for g in ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]],
              EgressOnlyInternetGatewayIds=[eigw_id])
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    invisible(table_id, "InvalidRouteTableID.NotFound", ec2.create_tags,
              lambda: [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]],
              Resources=[table_id], Tags=[{"Key": "Name", "Value": "x"}])
    group_id = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    invisible(group_id, "InvalidGroup.NotFound", ec2.describe_security_groups,
              lambda: [g["GroupId"] for g in ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"]], GroupIds=[group_id])
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    invisible(allocation_id, "InvalidAllocationID.NotFound", ec2.release_address,
              lambda: [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]], AllocationId=allocation_id)
    for call, kwargs in ((ec2.describe_subnets, {"SubnetIds": [subnet_id]}), (ec2.describe_security_groups, {"GroupIds": [group_id]})):
        eventually(lambda call=call, kwargs=kwargs: found(call, **kwargs))

    eni_id = ec2.create_network_interface(SubnetId=subnet_id, Groups=[group_id])["NetworkInterface"]["NetworkInterfaceId"]
    invisible(eni_id, "InvalidNetworkInterfaceID.NotFound", ec2.describe_network_interfaces,
              lambda: [n["NetworkInterfaceId"] for n in ec2.describe_network_interfaces(Filters=in_vpc)["NetworkInterfaces"]],
              NetworkInterfaceIds=[eni_id])
    instance_id = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnet_id)["Instances"][0]["InstanceId"]
    invisible(instance_id, "InvalidInstanceID.NotFound", ec2.terminate_instances,
              lambda: [i["InstanceId"] for r in ec2.describe_instances(Filters=in_vpc)["Reservations"] for i in r["Instances"]],
              InstanceIds=[instance_id])

    # All of them show up within the delay, and the calls that failed now work.
    eventually(lambda: found(ec2.describe_instances, InstanceIds=[instance_id]), timeout=1.5 + 1.0)
    for resource_id in (subnet_id, igw_id, eigw_id, table_id, group_id, allocation_id, eni_id):
        eventually(lambda resource_id=resource_id: found(ec2.create_tags, Resources=[resource_id], Tags=[{"Key": "seen", "Value": "yes"}]))
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert instance_id in [i["InstanceId"] for r in ec2.describe_instances(Filters=in_vpc)["Reservations"] for i in r["Instances"]]
    with emulator.paused():  # harness calls see everything at once
        mine = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        assert ec2.describe_vpcs(VpcIds=[mine])["Vpcs"][0]["VpcId"] == mine


# --- IPv6 blocks --------------------------------------------------------------------------------

def test_ipv6_blocks_stay_associating_and_refuse_assign_on_creation(realistic: Callable[..., Emulator]) -> None:
    emulator = realistic(associate_delay=0.8)
    ec2 = emulator.client(config=NO_RETRIES)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    assert vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlockState"]["State"] == "associating"

    def vpc_state() -> str:
        return str(ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlockState"]["State"])

    assert vpc_state() == "associating"
    eventually(lambda: vpc_state() == "associated")

    block = ipaddress.IPv6Network(ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24", Ipv6CidrBlock=str(next(block.subnets(new_prefix=64))))["Subnet"]
    subnet_id = subnet["SubnetId"]
    assert subnet["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlockState"] == {"State": "associating"}
    error = error_of(ec2.modify_subnet_attribute, SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    assert (error["Code"], error["Message"]) == (
        "InvalidParameterValue",
        "Invalid value 'true' for assign-ipv6-address-on-creation. Cannot set assign-ipv6-address-on-creation to true "
        f"unless the subnet ({subnet_id}) has an IPv6 CIDR block associated with it.")

    def subnet_states() -> list[str]:
        associations = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["Ipv6CidrBlockAssociationSet"]
        return [a["Ipv6CidrBlockState"]["State"] for a in associations]

    eventually(lambda: subnet_states() == ["associated"])
    ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AssignIpv6AddressOnCreation"] is True

    ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": False})
    association_id = subnet["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    gone = ec2.disassociate_subnet_cidr_block(AssociationId=association_id)["Ipv6CidrBlockAssociation"]
    assert gone["Ipv6CidrBlockState"]["State"] == "disassociating"
    eventually(lambda: subnet_states() == ["disassociated"])


# --- instances ----------------------------------------------------------------------------------

def test_instances_stay_pending_before_running(realistic: Callable[..., Emulator]) -> None:
    emulator = realistic(pending_delay=0.8)
    network = set_up_network(emulator)
    ec2 = emulator.client(config=NO_RETRIES)
    with emulator.paused():
        allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    launched = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=network.subnet_id)["Instances"][0]
    instance_id = launched["InstanceId"]
    assert launched["State"] == {"Code": 0, "Name": "pending"}

    def state() -> str:
        return str(ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"])

    assert state() == "pending"
    running = [{"Name": "instance-state-name", "Values": ["running"]}, {"Name": "vpc-id", "Values": [network.vpc_id]}]
    assert ec2.describe_instances(Filters=running)["Reservations"] == []
    error = error_of(ec2.associate_address, AllocationId=allocation_id, InstanceId=instance_id)
    assert (error["Code"], error["Message"]) == ("InvalidInstanceID", f"The pending instance '{instance_id}' is not in a valid state for this operation.")
    error = error_of(ec2.stop_instances, InstanceIds=[instance_id])
    assert (error["Code"], error["Message"]) == (
        "IncorrectInstanceState", f"Instance '{instance_id}' cannot be stopped as it has never reached the 'running' state.")

    eventually(lambda: state() == "running")
    ec2.associate_address(AllocationId=allocation_id, InstanceId=instance_id)
    assert ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]["InstanceId"] == instance_id


def test_a_terminated_instance_leaves_its_interface_for_a_while(realistic: Callable[..., Emulator]) -> None:
    emulator = realistic(eni_linger=0.9)
    network = set_up_network(emulator, assign_ipv6=True)
    ec2 = emulator.client(config=NO_RETRIES)
    with emulator.paused():
        group_id = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=network.vpc_id)["GroupId"]
        igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=network.vpc_id)
        allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    instance = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id, "Groups": [group_id]}])["Instances"][0]
    eni = instance["NetworkInterfaces"][0]
    assert eni["Attachment"]["DeleteOnTermination"] is True  # AWS's default for an interface made at launch
    ec2.associate_address(AllocationId=allocation_id, InstanceId=instance["InstanceId"])
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])

    in_vpc = [{"Name": "vpc-id", "Values": [network.vpc_id]}]

    def interfaces() -> list[dict[str, Any]]:
        return list(ec2.describe_network_interfaces(Filters=in_vpc)["NetworkInterfaces"])

    [lingering] = interfaces()
    assert lingering["NetworkInterfaceId"] == eni["NetworkInterfaceId"]
    assert [a["Ipv6Address"] for a in lingering["Ipv6Addresses"]] == [a["Ipv6Address"] for a in eni["Ipv6Addresses"]]
    assert lingering["Association"]["AllocationId"] == allocation_id
    expected = {
        "DeleteSecurityGroup": (ec2.delete_security_group, {"GroupId": group_id}, f"resource {group_id} has a dependent object"),
        "DeleteSubnet": (ec2.delete_subnet, {"SubnetId": network.subnet_id}, f"The subnet '{network.subnet_id}' has dependencies and cannot be deleted."),
        "DetachInternetGateway": (ec2.detach_internet_gateway, {"InternetGatewayId": igw_id, "VpcId": network.vpc_id},
                                  f"Network {network.vpc_id} has some mapped public address(es). "
                                  "Please unmap those public address(es) before detaching the gateway."),
        "DeleteVpc": (ec2.delete_vpc, {"VpcId": network.vpc_id}, f"The vpc '{network.vpc_id}' has dependencies and cannot be deleted."),
    }
    for action, (call, kwargs, message) in expected.items():
        error = error_of(call, **kwargs)
        assert (error["Code"], error["Message"]) == ("DependencyViolation", message), action

    eventually(lambda: interfaces() == [])
    assert ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0].get("AssociationId") is None
    ec2.delete_security_group(GroupId=group_id)
    ec2.delete_subnet(SubnetId=network.subnet_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=network.vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    ec2.delete_vpc(VpcId=network.vpc_id)
    assert error_of(ec2.describe_vpcs, VpcIds=[network.vpc_id])["Code"] == "InvalidVpcID.NotFound"


def test_delete_vpc_waits_for_its_gateways_and_groups(realistic: Callable[..., Emulator]) -> None:
    emulator = realistic()
    ec2 = emulator.client(config=NO_RETRIES)
    with emulator.paused():
        vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
        eigw_id = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
        group_id = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=vpc_id)["GroupId"]
    for undo in (lambda: ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id),
                 lambda: ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw_id),
                 lambda: ec2.delete_security_group(GroupId=group_id)):
        assert error_of(ec2.delete_vpc, VpcId=vpc_id)["Code"] == "DependencyViolation"
        undo()
    ec2.delete_vpc(VpcId=vpc_id)
    assert error_of(ec2.describe_vpcs, VpcIds=[vpc_id])["Code"] == "InvalidVpcID.NotFound"


# --- zones ----------------------------------------------------------------------------------------

def test_zones_map_per_account_and_offer_types_per_zone(realistic: Callable[..., Emulator]) -> None:
    emulator = realistic(seed=1)
    ec2 = emulator.client(config=NO_RETRIES)
    zones = {z["ZoneName"]: z["ZoneId"] for z in ec2.describe_availability_zones()["AvailabilityZones"]}
    assert sorted(zones) == [f"us-east-1{letter}" for letter in "abcdef"]
    assert sorted(zones.values()) == [f"use1-az{number}" for number in range(1, 7)]
    for region in ("us-east-2", "eu-west-1", "ap-southeast-2"):
        assert len(emulator.client(region_name=region).describe_availability_zones()["AvailabilityZones"]) >= 3
    other_accounts = [{z["ZoneName"]: z["ZoneId"] for z in realistic(seed=seed).client().describe_availability_zones()["AvailabilityZones"]}
                      for seed in (2, 3)]  # names map to physical zones per account
    assert any(other != zones for other in other_accounts)

    def offered(instance_type: str) -> set[str]:
        offerings = ec2.describe_instance_type_offerings(LocationType="availability-zone",
                                                         Filters=[{"Name": "instance-type", "Values": [instance_type]}])
        return {o["Location"] for o in offerings["InstanceTypeOfferings"]}

    no_t3 = next(name for name, zone_id in zones.items() if zone_id == "use1-az3")
    everywhere = sorted(zones)
    assert offered("t3.micro") == set(everywhere) - {no_t3}
    at_no_t3 = ec2.describe_instance_type_offerings(LocationType="availability-zone", Filters=[{"Name": "location", "Values": [no_t3]}])
    types = {o["InstanceType"] for o in at_no_t3["InstanceTypeOfferings"]}
    assert types and not any(t.startswith("t3.") for t in types)
    by_id = ec2.describe_instance_type_offerings(LocationType="availability-zone-id", Filters=[{"Name": "location", "Values": ["use1-az3"]}])
    assert {o["InstanceType"] for o in by_id["InstanceTypeOfferings"]} == types

    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZoneId="use1-az3")["Subnet"]
    assert (subnet["AvailabilityZone"], subnet["AvailabilityZoneId"]) == (no_t3, "use1-az3")
    error = error_of(ec2.run_instances, ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnet["SubnetId"])
    choices = ", ".join(z for z in everywhere if z != no_t3)
    assert (error["Code"], error["Message"]) == (
        "Unsupported",
        f"Your requested instance type (t3.micro) is not supported in your requested Availability Zone ({no_t3}). "
        f"Please retry your request by not specifying an Availability Zone or choosing {choices}.")
    assert ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Reservations"] == []
    supported = sorted(types)[0]
    launched = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType=supported, SubnetId=subnet["SubnetId"])["Instances"][0]
    assert launched["Placement"]["AvailabilityZone"] == no_t3


# --- limits per instance type ----------------------------------------------------------------------

def test_ipv6_addresses_per_interface_are_capped_by_the_instance_type(realistic: Callable[..., Emulator]) -> None:
    emulator = realistic()
    network = set_up_network(emulator)
    ec2 = emulator.client(config=NO_RETRIES)
    limit = ec2.describe_instance_types(InstanceTypes=["t3.micro"])["InstanceTypes"][0]["NetworkInfo"]["Ipv6AddressesPerInterface"]
    assert limit == 2
    error = error_of(ec2.run_instances, ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=network.subnet_id,
                     Ipv6AddressCount=limit + 1)
    assert error["Code"] == "InvalidParameterValue" and "t3.micro" in error["Message"]
    assert ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}])["Reservations"] == []

    instance = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=network.subnet_id,
                                 Ipv6AddressCount=limit)["Instances"][0]
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert len(instance["NetworkInterfaces"][0]["Ipv6Addresses"]) == limit
    assert error_of(ec2.assign_ipv6_addresses, NetworkInterfaceId=eni_id, Ipv6AddressCount=1)["Code"] == "InvalidParameterValue"
    roomy = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.small", SubnetId=network.subnet_id,
                              Ipv6AddressCount=limit + 1)["Instances"][0]  # t3.small takes 4
    assert len(roomy["NetworkInterfaces"][0]["Ipv6Addresses"]) == limit + 1

"""IPv6 addresses and /80 prefixes of network interfaces (patches/addressing.py)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.testing import Network, launch

NITRO = "t3.micro"


def addresses(interface: dict[str, Any]) -> list[ipaddress.IPv6Address]:
    return [ipaddress.IPv6Address(a["Ipv6Address"]) for a in interface.get("Ipv6Addresses", [])]


def prefixes(interface: dict[str, Any]) -> list[ipaddress.IPv6Network]:
    return [ipaddress.IPv6Network(p["Ipv6Prefix"]) for p in interface.get("Ipv6Prefixes", [])]


def views(ec2: Any, instance_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The primary interface as DescribeInstances and as DescribeNetworkInterfaces show it."""
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    in_instance = instance["NetworkInterfaces"][0]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[in_instance["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    return in_instance, eni


def error_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return excinfo.value.response["Error"]["Code"]


def test_launch_in_an_auto_assign_subnet_gives_one_address(ec2: Any, make_network: Any) -> None:
    network = make_network(assign_ipv6=True)
    # As amazon.aws ec2_instance launches (an interface spec without IPv6 options), and with SubnetId.
    by_interface = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id, "AssociatePublicIpAddress": True}])
    by_subnet = launch(ec2, SubnetId=network.subnet_id)
    for instance in (by_interface, by_subnet):
        in_instance, eni = views(ec2, instance["InstanceId"])
        assert len(addresses(in_instance)) == 1
        assert addresses(in_instance) == addresses(eni)
        assert addresses(in_instance)[0] in network.subnet_ipv6
    assert addresses(views(ec2, by_interface["InstanceId"])[0]) != addresses(views(ec2, by_subnet["InstanceId"])[0])


def test_explicit_zero_count_overrides_auto_assign(ec2: Any, make_network: Any) -> None:
    network = make_network(assign_ipv6=True)
    instance = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id, "Ipv6AddressCount": 0}])
    assert addresses(instance["NetworkInterfaces"][0]) == []
    eni = ec2.create_network_interface(SubnetId=network.subnet_id, Ipv6AddressCount=0)["NetworkInterface"]
    assert addresses(eni) == []
    eni = ec2.create_network_interface(SubnetId=network.subnet_id)["NetworkInterface"]
    assert len(addresses(eni)) == 1


def test_launch_options_inside_network_interfaces(ec2: Any, network: Network) -> None:
    counted = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id, "Ipv6AddressCount": 2}])
    chosen = network.subnet_ipv6[0x1234]
    explicit = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id, "Ipv6Addresses": [{"Ipv6Address": chosen.exploded}]}])
    assert len(set(addresses(counted["NetworkInterfaces"][0]))) == 2
    assert all(a in network.subnet_ipv6 for a in addresses(counted["NetworkInterfaces"][0]))
    assert addresses(explicit["NetworkInterfaces"][0]) == [chosen]
    assert explicit["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"] == str(chosen)  # canonical text
    top_level = launch(ec2, SubnetId=network.subnet_id, Ipv6Addresses=[{"Ipv6Address": str(network.subnet_ipv6[0x4321])}])
    assert addresses(top_level["NetworkInterfaces"][0]) == [network.subnet_ipv6[0x4321]]


def test_launch_with_a_prefix_count_delegates_an_80(ec2: Any, network: Network) -> None:
    instance = launch(ec2, InstanceType=NITRO, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id, "Ipv6PrefixCount": 1}])
    in_instance, eni = views(ec2, instance["InstanceId"])
    assert prefixes(in_instance) == prefixes(eni)
    [prefix] = prefixes(in_instance)
    assert prefix.prefixlen == 80 and prefix.subnet_of(network.subnet_ipv6)
    chosen = ipaddress.IPv6Network((network.subnet_ipv6.network_address + (0x0F0F << 48), 80))
    spec = {"DeviceIndex": 0, "SubnetId": network.subnet_id, "Ipv6Prefixes": [{"Ipv6Prefix": str(chosen)}]}
    explicit = launch(ec2, InstanceType=NITRO, NetworkInterfaces=[spec])
    assert prefixes(explicit["NetworkInterfaces"][0]) == [chosen]


def test_launch_refuses_conflicting_ipv6_options(ec2: Any, network: Network) -> None:
    both = {"DeviceIndex": 0, "SubnetId": network.subnet_id, "Ipv6AddressCount": 1, "Ipv6PrefixCount": 1}
    assert error_of(ec2.run_instances, ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType=NITRO, NetworkInterfaces=[both]) == "InvalidParameterValue"
    assert error_of(ec2.run_instances, ImageId="ami-12c6146b", MinCount=1, MaxCount=1, Ipv6AddressCount=1,
                    NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id}]) == "InvalidParameterCombination"
    launched = ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}])["Reservations"]
    assert launched == []


def test_prefix_delegation_is_for_nitro_instances(ec2: Any, network: Network) -> None:
    assert error_of(ec2.run_instances, ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t2.micro",
                    NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": network.subnet_id, "Ipv6PrefixCount": 1}]) == "InvalidParameterValue"
    instance = launch(ec2, InstanceType="t2.micro", SubnetId=network.subnet_id)
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert error_of(ec2.assign_ipv6_addresses, NetworkInterfaceId=eni_id, Ipv6PrefixCount=1) == "InvalidParameterValue"


def test_assign_and_unassign_prefixes(ec2: Any, network: Network) -> None:
    instance = launch(ec2, InstanceType=NITRO, SubnetId=network.subnet_id, Ipv6AddressCount=1)
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    counted = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6PrefixCount=2)
    assert counted["AssignedIpv6Addresses"] == []
    first, second = (ipaddress.IPv6Network(p) for p in counted["AssignedIpv6Prefixes"])
    explicit = network.subnet_ipv6.network_address + (0xBEEF << 48)
    wanted = ipaddress.IPv6Network((explicit, 80))
    chosen = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6Prefixes=[f"{explicit.exploded}/80"])
    assert chosen["AssignedIpv6Prefixes"] == [str(wanted)]  # only the new one, canonical

    in_instance, eni = views(ec2, instance["InstanceId"])
    held = prefixes(eni)
    assert held == prefixes(in_instance) and sorted(held) == sorted([first, second, wanted])
    assert all(p.prefixlen == 80 and p.subnet_of(network.subnet_ipv6) for p in held)
    assert not any(a.overlaps(b) for a in held for b in held if a is not b)
    assert not any(address in p for address in addresses(eni) for p in held)

    neighbour = launch(ec2, InstanceType=NITRO, SubnetId=network.subnet_id)["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert error_of(ec2.assign_ipv6_addresses, NetworkInterfaceId=neighbour, Ipv6Prefixes=[str(wanted)]) == "InvalidIPAddress.InUse"
    assert error_of(ec2.assign_ipv6_addresses, NetworkInterfaceId=neighbour, Ipv6Addresses=[str(wanted[1])]) == "InvalidIPAddress.InUse"
    assert error_of(ec2.assign_ipv6_addresses, NetworkInterfaceId=eni_id, Ipv6Prefixes=["2001:db8::/80"]) == "InvalidParameterValue"
    assert error_of(ec2.assign_ipv6_addresses, NetworkInterfaceId=eni_id, Ipv6Prefixes=[str(network.subnet_ipv6)]) == "InvalidParameterValue"

    gone = ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6Prefixes=[str(first)])
    assert gone["UnassignedIpv6Prefixes"] == [str(first)]
    assert sorted(prefixes(views(ec2, instance["InstanceId"])[1])) == sorted([second, wanted])


def test_assign_and_unassign_addresses(ec2: Any, network: Network) -> None:
    instance = launch(ec2, SubnetId=network.subnet_id, Ipv6AddressCount=1)
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    [original] = addresses(instance["NetworkInterfaces"][0])
    chosen = network.subnet_ipv6[0xABCD]
    assigned = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6Addresses=[chosen.exploded])
    assert assigned["AssignedIpv6Addresses"] == [str(chosen)]  # the new address only
    counted = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6AddressCount=1)["AssignedIpv6Addresses"]
    assert len(counted) == 1 and ipaddress.IPv6Address(counted[0]) in network.subnet_ipv6
    for view in views(ec2, instance["InstanceId"]):
        assert sorted(addresses(view)) == sorted([original, chosen, ipaddress.IPv6Address(counted[0])])

    removed = ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6Addresses=[chosen.exploded])
    assert removed["UnassignedIpv6Addresses"] == [str(chosen)]
    for view in views(ec2, instance["InstanceId"]):
        assert sorted(addresses(view)) == sorted([original, ipaddress.IPv6Address(counted[0])])


def test_explicit_addresses_must_be_free_and_in_the_subnet(ec2: Any, network: Network) -> None:
    holder = launch(ec2, SubnetId=network.subnet_id, Ipv6AddressCount=1)
    [taken] = addresses(holder["NetworkInterfaces"][0])
    other = launch(ec2, SubnetId=network.subnet_id)["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert error_of(ec2.assign_ipv6_addresses, NetworkInterfaceId=other, Ipv6Addresses=[str(taken)]) == "InvalidIPAddress.InUse"
    assert error_of(ec2.assign_ipv6_addresses, NetworkInterfaceId=other, Ipv6Addresses=["2001:db8::1"]) == "InvalidParameterValue"
    assert error_of(ec2.unassign_ipv6_addresses, NetworkInterfaceId=other, Ipv6Addresses=[str(taken)]) == "InvalidParameterValue"

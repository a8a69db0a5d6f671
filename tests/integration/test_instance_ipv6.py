"""v6vpn.aws.instance_ipv6 through ansible-playbook against the EC2 emulator."""

import ipaddress

import pytest

MODULE = "v6vpn.aws.instance_ipv6"


@pytest.fixture
def net(ec2):
    """A VPC with an Amazon /56, a subnet with its first /64, a subnet without IPv6, and an AMI."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    slash64 = str(next(ipaddress.ip_network(block).subnets(new_prefix=64)))
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", Ipv6CidrBlock=slash64)["Subnet"]["SubnetId"]
    v4_subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return {"vpc": vpc, "slash64": slash64, "subnet": subnet, "v4_subnet": v4_subnet, "image": image}


def launch(ec2, net, subnet=None, instance_type="t3.micro", **kwargs):
    """An instance (by default a Nitro t3.micro) in the subnet; returns (instance id, primary ENI id)."""
    instance = ec2.run_instances(ImageId=net["image"], MinCount=1, MaxCount=1, InstanceType=instance_type,
                                 SubnetId=subnet or net["subnet"], **kwargs)["Instances"][0]
    eni = [n for n in instance["NetworkInterfaces"] if n["Attachment"]["DeviceIndex"] == 0][0]
    return instance["InstanceId"], eni["NetworkInterfaceId"]


def eni_state(ec2, eni_id):
    """The interface as the emulator holds it: addresses and prefixes (normalised) and source/dest check."""
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    return {
        "ipv6_addresses": sorted(str(ipaddress.ip_address(a["Ipv6Address"])) for a in eni.get("Ipv6Addresses", [])),
        "ipv6_prefixes": sorted(str(ipaddress.ip_network(p["Ipv6Prefix"])) for p in eni.get("Ipv6Prefixes", [])),
        "source_dest_check": eni["SourceDestCheck"],
    }


def inside(net, address):
    return ipaddress.ip_address(address) in ipaddress.ip_network(net["slash64"])


def ok(run, index, changed):
    result = run[index]
    assert not result.get("failed") and result["changed"] is changed, (index, run)
    return result


def test_address_count_at_least_then_exact_with_diff(ec2, net, run_tasks):
    instance, eni = launch(ec2, net)
    assert eni_state(ec2, eni)["ipv6_addresses"] == []

    run = run_tasks([
        {MODULE: {"instance_id": instance, "ipv6_address_count": 1}},
        {MODULE: {"instance_id": instance, "ipv6_address_count": 1}},
        {MODULE: {"instance_id": instance, "ipv6_address_count": 2}},
        {MODULE: {"instance_id": instance, "ipv6_address_count": 1}},
        {MODULE: {"instance_id": instance, "ipv6_address_count": 1, "exact": True}},
        {MODULE: {"instance_id": instance, "ipv6_address_count": 1, "exact": True}},
    ], diff=True)
    first = ok(run, 0, True)
    assert first["network_interface_id"] == eni and first["instance_id"] == instance
    assert len(first["ipv6_addresses"]) == 1 and inside(net, first["ipv6_address"])
    assert first["ipv6_address"] == first["ipv6_addresses"][0]
    assert first["diff"] == {"before": {"ipv6_addresses": [], "ipv6_prefixes": [], "source_dest_check": True},
                             "after": {"ipv6_addresses": first["ipv6_addresses"], "ipv6_prefixes": [], "source_dest_check": True}}
    assert ok(run, 1, False)["ipv6_addresses"] == first["ipv6_addresses"]

    added = ok(run, 2, True)
    assert len(added["ipv6_addresses"]) == 2 and added["ipv6_addresses"][0] == first["ipv6_address"]
    assert all(inside(net, a) for a in added["ipv6_addresses"])
    assert ok(run, 3, False)["ipv6_addresses"] == added["ipv6_addresses"]  # at least 1: the surplus stays

    trimmed = ok(run, 4, True)
    assert trimmed["ipv6_addresses"] == [first["ipv6_address"]]  # the first is kept, the later one removed
    assert trimmed["diff"]["before"]["ipv6_addresses"] == added["ipv6_addresses"]
    assert trimmed["diff"]["after"]["ipv6_addresses"] == [first["ipv6_address"]]
    ok(run, 5, False)
    assert eni_state(ec2, eni)["ipv6_addresses"] == [first["ipv6_address"]]

    none = run_tasks([{MODULE: {"instance_id": instance, "ipv6_address_count": 0, "exact": True}}])
    assert ok(none, 0, True)["ipv6_addresses"] == [] and none[0]["ipv6_address"] == ""
    assert eni_state(ec2, eni)["ipv6_addresses"] == []


def test_prefix_delegation_count(ec2, net, run_tasks):
    instance, eni = launch(ec2, net, Ipv6AddressCount=1)
    address = eni_state(ec2, eni)["ipv6_addresses"]
    run = run_tasks([
        {MODULE: {"instance_id": instance, "ipv6_prefix_count": 1}},
        {MODULE: {"instance_id": instance, "ipv6_prefix_count": 1}},
        {MODULE: {"instance_id": instance, "ipv6_prefix_count": 1, "ipv6_address_count": 1, "exact": True}},
    ])
    delegated = ok(run, 0, True)
    assert len(delegated["ipv6_prefixes"]) == 1
    prefix = ipaddress.ip_network(delegated["ipv6_prefixes"][0])
    assert prefix.prefixlen == 80 and prefix.subnet_of(ipaddress.ip_network(net["slash64"]))
    assert delegated["ipv6_addresses"] == address  # addresses not managed here: left alone
    assert ok(run, 1, False)["ipv6_prefixes"] == delegated["ipv6_prefixes"]
    ok(run, 2, False)
    assert eni_state(ec2, eni) == {"ipv6_addresses": address, "ipv6_prefixes": [str(prefix)], "source_dest_check": True}

    more = run_tasks([
        {MODULE: {"network_interface_id": eni, "ipv6_prefix_count": 2}},
        {MODULE: {"network_interface_id": eni, "ipv6_prefix_count": 1, "exact": True}},
    ])
    assert len(ok(more, 0, True)["ipv6_prefixes"]) == 2
    assert ok(more, 1, True)["ipv6_prefixes"] == [str(prefix)]  # the first delegated /80 is the one kept
    assert eni_state(ec2, eni)["ipv6_prefixes"] == [str(prefix)]


def test_source_dest_check_and_network_interface_id(ec2, net, run_tasks):
    instance, eni = launch(ec2, net, Ipv6AddressCount=1)
    address = eni_state(ec2, eni)["ipv6_addresses"][0]
    run = run_tasks([
        {MODULE: {"network_interface_id": eni, "source_dest_check": False}},
        {MODULE: {"instance_id": instance, "source_dest_check": False}},
        {MODULE: {"network_interface_id": eni, "ipv6_address_count": 1}},
        {MODULE: {"network_interface_id": eni, "ipv6_address_count": 2}},
    ], diff=True)
    flipped = ok(run, 0, True)
    assert flipped["source_dest_check"] is False and flipped["instance_id"] == instance
    assert flipped["diff"]["before"]["source_dest_check"] is True and flipped["diff"]["after"]["source_dest_check"] is False
    assert flipped["ipv6_addresses"] == [address] and flipped["ipv6_address"] == address
    ok(run, 1, False)
    ok(run, 2, False)
    grown = ok(run, 3, True)
    assert grown["ipv6_addresses"][0] == address and len(grown["ipv6_addresses"]) == 2
    state = eni_state(ec2, eni)
    assert state["source_dest_check"] is False and sorted(grown["ipv6_addresses"]) == state["ipv6_addresses"]


def test_explicit_addresses(ec2, net, run_tasks):
    instance, eni = launch(ec2, net, Ipv6AddressCount=1)
    auto = eni_state(ec2, eni)["ipv6_addresses"][0]
    network = ipaddress.ip_network(net["slash64"])
    pinned = str(network.network_address + 0x10)
    pinned_exploded = (network.network_address + 0x10).exploded.upper()
    run = run_tasks([
        {MODULE: {"instance_id": instance, "ipv6_addresses": [pinned_exploded]}},
        {MODULE: {"instance_id": instance, "ipv6_addresses": [pinned]}},
        {MODULE: {"instance_id": instance, "ipv6_addresses": [pinned], "exact": True}},
        {MODULE: {"instance_id": instance, "ipv6_addresses": [pinned], "exact": True}},
    ])
    assert sorted(ok(run, 0, True)["ipv6_addresses"]) == sorted([auto, pinned])
    ok(run, 1, False)
    assert ok(run, 2, True)["ipv6_addresses"] == [pinned]
    ok(run, 3, False)
    assert eni_state(ec2, eni)["ipv6_addresses"] == [pinned]


def test_stopped_instance_is_managed(ec2, net, run_tasks):
    instance, eni = launch(ec2, net)
    ec2.stop_instances(InstanceIds=[instance])
    run = run_tasks([{MODULE: {"instance_id": instance, "ipv6_address_count": 1}}])
    assert len(ok(run, 0, True)["ipv6_addresses"]) == 1
    assert len(eni_state(ec2, eni)["ipv6_addresses"]) == 1


def test_check_mode_predicts_and_changes_nothing(ec2, net, run_tasks):
    instance, eni = launch(ec2, net, Ipv6AddressCount=2)
    before = eni_state(ec2, eni)
    run = run_tasks([
        {MODULE: {"instance_id": instance, "ipv6_address_count": 3, "ipv6_prefix_count": 1, "source_dest_check": False}},
        {MODULE: {"instance_id": instance, "ipv6_address_count": 1, "exact": True}},
        {MODULE: {"instance_id": instance, "ipv6_address_count": 2, "source_dest_check": True}},
    ], check=True, diff=True)
    grow = ok(run, 0, True)
    assert sorted(grow["ipv6_addresses"]) == before["ipv6_addresses"]  # check mode returns the current state
    assert grow["diff"]["after"]["ipv6_addresses"][2:] == ["new address assigned by EC2"]
    assert grow["diff"]["after"]["ipv6_prefixes"] == ["new /80 assigned by EC2"]
    assert grow["diff"]["after"]["source_dest_check"] is False
    trim = ok(run, 1, True)
    assert trim["diff"]["after"]["ipv6_addresses"] == trim["diff"]["before"]["ipv6_addresses"][:1]
    ok(run, 2, False)
    assert eni_state(ec2, eni) == before


def test_bad_inputs_fail_clearly_and_change_nothing(ec2, net, run_tasks):
    instance, eni = launch(ec2, net, Ipv6AddressCount=1)
    v4_instance, v4_eni = launch(ec2, net, subnet=net["v4_subnet"])
    gone = launch(ec2, net)[0]
    ec2.terminate_instances(InstanceIds=[gone])
    xen, xen_eni = launch(ec2, net, instance_type="t2.micro", Ipv6AddressCount=2)
    before = {e: eni_state(ec2, e) for e in (eni, v4_eni, xen_eni)}
    outside = str(ipaddress.ip_network(net["slash64"]).network_address + (1 << 64))

    cases = [
        ({"instance_id": instance, "ipv6_address_count": -1}, "ipv6_address_count: -1 is not a whole number of at least 0"),
        ({"instance_id": instance, "ipv6_prefix_count": -2}, "ipv6_prefix_count: -2 is not a whole number of at least 0"),
        # every problem with the parameters at once, before any call
        ({"instance_id": "i-xyz", "ipv6_addresses": ["10.0.0.5"], "ipv6_prefix_count": -2, "wait_timeout": -3},
         "instance_id: 'i-xyz' is not a valid resource id (expected i-... with 8 or 17 hex digits); "
         "ipv6_addresses: '10.0.0.5' is an IPv4 address, expected IPv6; "
         "ipv6_prefix_count: -2 is not a whole number of at least 0; wait_timeout: -3 is not a whole number of at least 0"),
        ({"instance_id": instance, "network_interface_id": eni, "ipv6_address_count": 1},
         "parameters are mutually exclusive: instance_id|network_interface_id"),
        ({"ipv6_address_count": 1}, "one of the following is required: instance_id, network_interface_id"),
        ({"instance_id": "i-xyz", "ipv6_address_count": 1}, "instance_id: 'i-xyz' is not a valid resource id"),
        ({"network_interface_id": instance, "ipv6_address_count": 1},
         "network_interface_id: '%s' is a i- id, expected eni-..." % instance),
        ({"instance_id": eni, "ipv6_address_count": 1}, "instance_id: '%s' is a eni- id, expected i-..." % eni),
        ({"instance_id": v4_instance, "ipv6_address_count": 1},
         "subnet %s of network interface %s has no IPv6 CIDR block" % (net["v4_subnet"], v4_eni)),
        ({"network_interface_id": v4_eni, "ipv6_prefix_count": 1}, "subnet %s of network interface %s has no IPv6 CIDR block" % (net["v4_subnet"], v4_eni)),
        ({"instance_id": "i-0123456789abcdef0", "ipv6_address_count": 1}, "instance_id: instance i-0123456789abcdef0 does not exist"),
        ({"network_interface_id": "eni-0123456789abcdef0", "ipv6_address_count": 1},
         "network_interface_id: network interface eni-0123456789abcdef0 does not exist"),
        ({"instance_id": gone, "ipv6_address_count": 1}, "instance_id: instance %s is terminated; it must be running or stopped" % gone),
        ({"instance_id": instance, "ipv6_addresses": [outside]},
         "ipv6_addresses: outside the IPv6 block %s of subnet %s: %s" % (net["slash64"], net["subnet"], outside)),
        ({"instance_id": instance, "ipv6_addresses": ["10.0.0.5"]}, "ipv6_addresses: '10.0.0.5' is an IPv4 address, expected IPv6"),
        ({"instance_id": instance, "ipv6_addresses": ["2600::1"], "ipv6_address_count": 1},
         "parameters are mutually exclusive: ipv6_address_count|ipv6_addresses"),
        ({"instance_id": instance, "exact": True}, "exact: true needs ipv6_address_count, ipv6_addresses or ipv6_prefix_count"),
        # would unassign one address first, then be refused the /80: must fail before either
        ({"instance_id": xen, "ipv6_address_count": 1, "ipv6_prefix_count": 1, "exact": True},
         "ipv6_prefix_count: instance %s is a t2.micro, which is not built on the Nitro System" % xen),
        ({"network_interface_id": xen_eni, "ipv6_prefix_count": 1}, "ipv6_prefix_count: instance %s is a t2.micro" % xen),
    ]
    run = run_tasks([{MODULE: case[0]} for case in cases])
    for (args, message), result in zip(cases, run.results):
        assert result.get("failed") is True, (args, result)
        assert message in result["msg"], (args, result["msg"])
        assert not result.get("changed"), (args, result)
    assert {e: eni_state(ec2, e) for e in before} == before

"""v6vpn.aws.subnet_ipv6 through ansible-playbook against the EC2 emulator."""

import ipaddress

import pytest

MODULE = "v6vpn.aws.subnet_ipv6"


@pytest.fixture
def net(ec2):
    """A VPC with an Amazon /56 and three subnets without IPv6; plus a VPC without IPv6 and its subnet."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i)["Subnet"]["SubnetId"] for i in range(3)]
    v4_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    v4_subnet = ec2.create_subnet(VpcId=v4_vpc, CidrBlock="10.1.0.0/24")["Subnet"]["SubnetId"]
    return {"vpc": vpc, "block": block, "subnets": subnets, "v4_subnet": v4_subnet}


def nth64(block, index):
    """The index-th /64 of the /56, computed independently of the module."""
    return str(list(ipaddress.ip_network(block).subnets(new_prefix=64))[index])


def state_of(ec2, subnet_id):
    """What the emulator holds for the subnet, read by subnet id and compared in Python."""
    subnet = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
    held = [a for a in subnet.get("Ipv6CidrBlockAssociationSet", [])
            if a["Ipv6CidrBlockState"]["State"] in ("associating", "associated")]
    assert len(held) <= 1, subnet
    return {
        "cidr": str(ipaddress.ip_network(held[0]["Ipv6CidrBlock"])) if held else None,
        "association_id": held[0]["AssociationId"] if held else None,
        "assign": subnet["AssignIpv6AddressOnCreation"],
        "dns64": subnet.get("EnableDns64", False),
    }


def give_block(ec2, subnet_id, cidr, assign=False):
    assoc = ec2.associate_subnet_cidr_block(SubnetId=subnet_id, Ipv6CidrBlock=cidr)["Ipv6CidrBlockAssociation"]
    if assign:
        ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    return assoc["AssociationId"]


def test_index_0_and_1_give_the_right_64s_with_diff_then_rerun_no_change(ec2, net, run_tasks):
    first, second = net["subnets"][:2]
    tasks = [
        {MODULE: {"subnet_id": first, "ipv6_subnet_index": 0}},
        {MODULE: {"subnet_id": second, "ipv6_subnet_index": 1, "assign_ipv6_address_on_creation": True}},
    ]
    run = run_tasks(tasks, diff=True)
    for result in run.results:
        assert result["changed"] is True and not result.get("failed"), run

    assert state_of(ec2, first)["cidr"] == nth64(net["block"], 0)
    assert state_of(ec2, second) == {"cidr": nth64(net["block"], 1), "association_id": run[1]["subnet"]["ipv6_association_id"],
                                     "assign": True, "dns64": False}
    assert nth64(net["block"], 0) != nth64(net["block"], 1)

    result = run[1]["subnet"]
    assert result == {"id": second, "vpc_id": net["vpc"], "ipv6_cidr_block": nth64(net["block"], 1),
                      "ipv6_association_id": state_of(ec2, second)["association_id"],
                      "assign_ipv6_address_on_creation": True, "enable_dns64": False}
    assert result["ipv6_association_id"].startswith("subnet-cidr-assoc-")
    diff = run[1]["diff"]
    assert diff["before"] == dict(result, ipv6_cidr_block=None, ipv6_association_id=None, assign_ipv6_address_on_creation=False)
    assert diff["after"] == result

    again = run_tasks(tasks + [{MODULE: {"subnet_id": second}}], diff=True)
    for result in again.results:
        assert result["changed"] is False and not result.get("failed"), again
        assert result["diff"]["before"] == result["diff"]["after"]
    assert again[1]["subnet"] == run[1]["subnet"]
    assert again[2]["subnet"] == run[1]["subnet"]


def test_explicit_cidr_compared_normalised(ec2, net, run_tasks):
    subnet = net["subnets"][0]
    cidr = nth64(net["block"], 5)
    network = ipaddress.ip_network(cidr)
    exploded = network.exploded.upper()  # e.g. 2600:1F18:00AA:BB05:0000:0000:0000:0000/64
    zeros_spelt_out = "%s/64" % ":".join(network.network_address.exploded.split(":")[:4] + ["0", "0", "0", "0"])
    assert exploded != cidr and zeros_spelt_out != cidr

    run = run_tasks([
        {MODULE: {"subnet_id": subnet, "ipv6_cidr": exploded}},
        {MODULE: {"subnet_id": subnet, "ipv6_cidr": cidr}},
        {MODULE: {"subnet_id": subnet, "ipv6_cidr": zeros_spelt_out}},
        {MODULE: {"subnet_id": subnet, "ipv6_subnet_index": 5}},
    ])
    assert run[0]["changed"] is True and run[0]["subnet"]["ipv6_cidr_block"] == cidr, run
    for result in run.results[1:]:
        assert result["changed"] is False and not result.get("failed"), run
        assert result["subnet"] == run[0]["subnet"]
    assert state_of(ec2, subnet)["cidr"] == cidr
    assert state_of(ec2, subnet)["association_id"] == run[0]["subnet"]["ipv6_association_id"]


def test_rerun_without_settings_keeps_block_auto_assign_and_dns64(ec2, net, run_tasks):
    """The amazon.aws ec2_vpc_subnet bug: a re-run that omits ipv6_cidr strips the /64 and auto-assign."""
    subnet = net["subnets"][0]
    run = run_tasks([
        {MODULE: {"subnet_id": subnet, "ipv6_subnet_index": 3, "assign_ipv6_address_on_creation": True, "enable_dns64": True}},
        {MODULE: {"subnet_id": subnet}},
        {MODULE: {"subnet_id": subnet, "ipv6_subnet_index": 3}},
        {MODULE: {"subnet_id": subnet, "enable_dns64": True}},
    ])
    assert run[0]["changed"] is True, run
    wanted = {"cidr": nth64(net["block"], 3), "association_id": run[0]["subnet"]["ipv6_association_id"], "assign": True, "dns64": True}
    assert state_of(ec2, subnet) == wanted
    for result in run.results[1:]:
        assert result["changed"] is False and not result.get("failed"), run
        assert result["subnet"]["assign_ipv6_address_on_creation"] is True and result["subnet"]["enable_dns64"] is True

    # Turning one setting off leaves the other alone.
    off = run_tasks([{MODULE: {"subnet_id": subnet, "enable_dns64": False}}])
    assert off[0]["changed"] is True, off
    assert state_of(ec2, subnet) == dict(wanted, dns64=False)


def test_check_mode_predicts_and_changes_nothing(ec2, net, run_tasks):
    fresh, held = net["subnets"][:2]
    old_assoc = give_block(ec2, held, nth64(net["block"], 0), assign=True)
    before = {fresh: state_of(ec2, fresh), held: state_of(ec2, held)}

    run = run_tasks([
        {MODULE: {"subnet_id": fresh, "ipv6_subnet_index": 1, "assign_ipv6_address_on_creation": True}},
        {MODULE: {"subnet_id": held, "ipv6_subnet_index": 2}},
        {MODULE: {"subnet_id": held, "enable_dns64": True}},
        {MODULE: {"subnet_id": held, "state": "absent"}},
        {MODULE: {"subnet_id": held, "ipv6_subnet_index": 0}},
    ], check=True, diff=True)
    assert [r["changed"] for r in run.results] == [True, True, True, True, False], run
    assert run[0]["subnet"] == {"id": fresh, "vpc_id": net["vpc"], "ipv6_cidr_block": nth64(net["block"], 1),
                                "ipv6_association_id": None, "assign_ipv6_address_on_creation": True, "enable_dns64": False}
    assert run[1]["diff"]["before"]["ipv6_cidr_block"] == nth64(net["block"], 0)
    assert run[1]["diff"]["after"]["ipv6_cidr_block"] == nth64(net["block"], 2)
    assert run[1]["diff"]["after"]["assign_ipv6_address_on_creation"] is True
    assert run[2]["subnet"]["enable_dns64"] is True and run[2]["subnet"]["ipv6_association_id"] == old_assoc
    assert run[3]["subnet"]["ipv6_cidr_block"] is None and run[3]["subnet"]["assign_ipv6_address_on_creation"] is False

    assert {fresh: state_of(ec2, fresh), held: state_of(ec2, held)} == before


def test_replacing_the_block_needs_it_named_and_keeps_auto_assign(ec2, net, run_tasks):
    subnet = net["subnets"][0]
    old_assoc = give_block(ec2, subnet, nth64(net["block"], 0), assign=True)
    run = run_tasks([{MODULE: {"subnet_id": subnet, "ipv6_subnet_index": 7}}], diff=True)
    assert run[0]["changed"] is True, run
    state = state_of(ec2, subnet)
    assert state["cidr"] == nth64(net["block"], 7)
    assert state["association_id"] != old_assoc and state["association_id"] == run[0]["subnet"]["ipv6_association_id"]
    assert state["assign"] is True  # turned off for the swap, then restored
    assert run[0]["diff"]["before"]["ipv6_cidr_block"] == nth64(net["block"], 0)
    assert run[0]["diff"]["before"]["ipv6_association_id"] == old_assoc
    assert run[0]["diff"]["after"]["ipv6_cidr_block"] == nth64(net["block"], 7)


def test_absent_turns_settings_off_and_removes_the_block(ec2, net, run_tasks):
    subnet, guarded = net["subnets"][:2]
    give_block(ec2, subnet, nth64(net["block"], 0), assign=True)
    ec2.modify_subnet_attribute(SubnetId=subnet, EnableDns64={"Value": True})
    give_block(ec2, guarded, nth64(net["block"], 1))
    assert state_of(ec2, subnet)["dns64"] is True
    guarded_before = state_of(ec2, guarded)

    gone = run_tasks([
        {MODULE: {"subnet_id": subnet, "state": "absent"}},
        {MODULE: {"subnet_id": subnet, "state": "absent"}},
        # names a block the subnet does not hold: nothing to remove
        {MODULE: {"subnet_id": guarded, "state": "absent", "ipv6_subnet_index": 2}},
    ], diff=True)
    assert [r["changed"] for r in gone.results] == [True, False, False], gone
    assert gone[0]["subnet"] == {"id": subnet, "vpc_id": net["vpc"], "ipv6_cidr_block": None, "ipv6_association_id": None,
                                 "assign_ipv6_address_on_creation": False, "enable_dns64": False}
    assert gone[0]["diff"]["before"]["ipv6_cidr_block"] == nth64(net["block"], 0)
    assert gone[0]["diff"]["before"]["enable_dns64"] is True
    assert state_of(ec2, subnet) == {"cidr": None, "association_id": None, "assign": False, "dns64": False}
    assert state_of(ec2, guarded) == guarded_before

    named = run_tasks([{MODULE: {"subnet_id": guarded, "state": "absent", "ipv6_cidr": nth64(net["block"], 1)}}])
    assert named[0]["changed"] is True, named
    assert state_of(ec2, guarded)["cidr"] is None


def test_bad_inputs_fail_clearly_and_change_nothing(ec2, net, run_tasks):
    subnet, other, bare = net["subnets"]
    give_block(ec2, subnet, nth64(net["block"], 0), assign=True)
    give_block(ec2, other, nth64(net["block"], 1))
    before = {s: state_of(ec2, s) for s in (subnet, other, bare, net["v4_subnet"])}
    # flip the last bit of the /56's prefix: the neighbouring /56, outside the VPC
    outside = "%s/64" % ipaddress.ip_address(int(ipaddress.ip_network(net["block"]).network_address) ^ (1 << 72))
    assert not ipaddress.ip_network(outside).subnet_of(ipaddress.ip_network(net["block"]))

    cases = [
        ({"subnet_id": subnet, "ipv6_subnet_index": 256}, "ipv6_subnet_index: 256 is out of range"),
        ({"subnet_id": subnet, "ipv6_subnet_index": -1}, "ipv6_subnet_index: -1 is out of range"),
        ({"subnet_id": subnet, "ipv6_cidr": str(next(ipaddress.ip_network(net["block"]).subnets(new_prefix=60)))},
         "is not a /64; a subnet's IPv6 block is always a /64"),
        ({"subnet_id": subnet, "ipv6_cidr": "10.0.0.0/24"}, "ipv6_cidr: '10.0.0.0/24' is an IPv4 block, expected IPv6"),
        ({"subnet_id": subnet, "ipv6_cidr": outside}, "ipv6_cidr: %s is outside the IPv6 block(s) of VPC %s" % (outside, net["vpc"])),
        ({"subnet_id": subnet, "ipv6_cidr": "2600:1f18::1/64"}, "ipv6_cidr: '2600:1f18::1/64' is not a valid CIDR block"),
        ({"subnet_id": subnet, "ipv6_cidr": nth64(net["block"], 0), "ipv6_subnet_index": 0},
         "parameters are mutually exclusive: ipv6_cidr|ipv6_subnet_index"),
        ({"subnet_id": "subnet-xyz", "ipv6_subnet_index": 0}, "subnet_id: 'subnet-xyz' is not a valid resource id"),
        ({"subnet_id": "vpc-0123456789abcdef0", "ipv6_subnet_index": 0}, "subnet_id: 'vpc-0123456789abcdef0' is a vpc- id, expected subnet-..."),
        ({"subnet_id": "subnet-0123456789abcdef0", "ipv6_subnet_index": 0}, "subnet_id: subnet subnet-0123456789abcdef0 does not exist"),
        ({"subnet_id": bare}, "subnet %s has no IPv6 CIDR block: give ipv6_cidr or ipv6_subnet_index" % bare),
        ({"subnet_id": net["v4_subnet"], "ipv6_subnet_index": 0}, "ipv6_subnet_index: VPC"),
        # replacing subnet's /64 by one another subnet holds must fail before the old one is let go
        ({"subnet_id": subnet, "ipv6_subnet_index": 1}, "ipv6_subnet_index: %s is already used by subnet %s" % (nth64(net["block"], 1), other)),
        ({"subnet_id": subnet, "state": "absent", "enable_dns64": True}, "enable_dns64: state=absent"),
        ({"subnet_id": subnet, "wait_timeout": -5}, "wait_timeout: -5 is not a whole number of at least 0"),
        # every problem with the parameters at once, before any call
        ({"subnet_id": "subnet-xyz", "ipv6_cidr": "2600:1f18::/60", "state": "absent", "assign_ipv6_address_on_creation": True,
          "enable_dns64": True, "wait_timeout": -1},
         "subnet_id: 'subnet-xyz' is not a valid resource id (expected subnet-... with 8 or 17 hex digits); "
         "ipv6_cidr: 2600:1f18::/60 is not a /64; a subnet's IPv6 block is always a /64; "
         "assign_ipv6_address_on_creation: state=absent removes the subnet's IPv6 and turns assign_ipv6_address_on_creation off; "
         "it cannot be true; "
         "enable_dns64: state=absent removes the subnet's IPv6 and turns enable_dns64 off; it cannot be true; "
         "wait_timeout: -1 is not a whole number of at least 0"),
    ]
    run = run_tasks([{MODULE: case[0]} for case in cases])
    for (args, message), result in zip(cases, run.results):
        assert result.get("failed") is True, (args, result)
        assert message in result["msg"], (args, result["msg"])
        assert not result.get("changed"), (args, result)
    assert {s: state_of(ec2, s) for s in before} == before


def test_a_block_in_use_is_not_let_go_and_nothing_changes(ec2, net, run_tasks):
    """AWS refuses DisassociateSubnetCidrBlock while an interface holds addresses of the block, and
    the module used to turn auto-assign off before it found out: it now checks first."""
    subnet = net["subnets"][0]
    old_assoc = give_block(ec2, subnet, nth64(net["block"], 0), assign=True)
    address = str(ipaddress.ip_network(nth64(net["block"], 0))[0x10])
    eni = ec2.create_network_interface(SubnetId=subnet, Ipv6Addresses=[{"Ipv6Address": address}])["NetworkInterface"]["NetworkInterfaceId"]
    before = state_of(ec2, subnet)
    assert before == {"cidr": nth64(net["block"], 0), "association_id": old_assoc, "assign": True, "dns64": False}

    run = run_tasks([
        {MODULE: {"subnet_id": subnet, "ipv6_subnet_index": 1}},
        {MODULE: {"subnet_id": subnet, "ipv6_cidr": nth64(net["block"], 2), "assign_ipv6_address_on_creation": True}},
        {MODULE: {"subnet_id": subnet, "state": "absent"}},
    ])
    for result, name in zip(run.results, ["ipv6_subnet_index", "ipv6_cidr", "state"]):
        assert result.get("failed") is True and not result.get("changed"), run
        assert result["msg"].startswith("%s: subnet %s's IPv6 block %s cannot be let go while network interfaces use addresses of it (%s: %s)"
                                        % (name, subnet, nth64(net["block"], 0), eni, address)), result["msg"]
        assert "AWS refuses to disassociate it. Nothing was changed" in result["msg"]
    assert state_of(ec2, subnet) == before  # auto-assign still on, the block still there

    checked = run_tasks([{MODULE: {"subnet_id": subnet, "ipv6_subnet_index": 1}}], check=True)
    assert checked[0].get("failed") is True and "cannot be let go" in checked[0]["msg"], checked

    # Once the interface is gone, the same task replaces the block.
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    done = run_tasks([{MODULE: {"subnet_id": subnet, "ipv6_subnet_index": 1}}])
    assert done[0]["changed"] is True and not done[0].get("failed"), done
    assert state_of(ec2, subnet)["cidr"] == nth64(net["block"], 1) and state_of(ec2, subnet)["assign"] is True

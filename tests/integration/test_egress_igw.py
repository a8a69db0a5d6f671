"""v6vpn.aws.egress_igw through ansible-playbook against the EC2 emulator."""

from collections import Counter

import pytest

MODULE = "v6vpn.aws.egress_igw"


@pytest.fixture
def vpc(ec2):
    return ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]


def eigws(ec2, vpc_id):
    """{id: tags} of the VPC's egress-only internet gateways, as the emulator stores them."""
    found = {}
    for gateway in ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]:
        if any(a.get("VpcId") == vpc_id for a in gateway.get("Attachments", [])):
            found[gateway["EgressOnlyInternetGatewayId"]] = {t["Key"]: t["Value"] for t in gateway.get("Tags", [])}
    return found


def main_table(ec2, vpc_id):
    return ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                              {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]["RouteTableId"]


def route_to(ec2, table_id, dest):
    """The table's route to ``dest`` (as stored), or None."""
    table = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
    for route in table["Routes"]:
        if dest in (route.get("DestinationCidrBlock"), route.get("DestinationIpv6CidrBlock")):
            return route
    return None


def test_create_check_mode_rerun_and_tags(ec2, emulator, vpc, run_tasks):
    create = {MODULE: {"vpc_id": vpc, "tags": {"Name": "v6vpn", "Env": "test"}}}

    check = run_tasks([create], check=True, diff=True)
    assert check[0]["changed"] is True, check
    assert check[0]["egress_only_igw"] == {"id": None, "vpc_id": vpc, "attachment_state": "attached", "tags": {"Name": "v6vpn", "Env": "test"}}
    assert check[0]["diff"]["before"] == {}
    assert eigws(ec2, vpc) == {}

    before = emulator.calls
    run = run_tasks([
        create,
        create,
        {MODULE: {"vpc_id": vpc, "tags": {"Name": "renamed"}, "purge_tags": False}},
        {MODULE: {"vpc_id": vpc}},  # tags unset: left alone
        {MODULE: {"vpc_id": vpc, "tags": None}},  # tags null: left alone
        {MODULE: {"vpc_id": vpc, "tags": {"Owner": "ops"}}},  # purge_tags defaults to true
    ], diff=True)
    created, again, merged, unset, null, purged = run.results
    # Tagged in the create call itself: the only CreateTags are the two tag changes.
    assert emulator.calls - before == Counter({"DescribeEgressOnlyInternetGateways": 6, "DescribeVpcs": 1,
                                               "CreateEgressOnlyInternetGateway": 1, "CreateTags": 2, "DeleteTags": 1}), run
    assert created["changed"] is True, run
    gateway = created["egress_only_igw"]
    assert gateway["id"].startswith("eigw-") and gateway["vpc_id"] == vpc and gateway["attachment_state"] == "attached"
    assert gateway["tags"] == {"Name": "v6vpn", "Env": "test"}
    assert created["diff"] == {"before": {}, "after": gateway}
    assert again["changed"] is False and again["egress_only_igw"] == gateway, run
    assert merged["changed"] is True and merged["egress_only_igw"]["tags"] == {"Name": "renamed", "Env": "test"}, run
    assert merged["diff"]["before"]["tags"] == {"Name": "v6vpn", "Env": "test"}
    assert unset["changed"] is False and unset["egress_only_igw"]["tags"] == {"Name": "renamed", "Env": "test"}, run
    assert null["changed"] is False and null["egress_only_igw"]["tags"] == {"Name": "renamed", "Env": "test"}, run
    assert purged["changed"] is True and purged["egress_only_igw"]["tags"] == {"Owner": "ops"}, run
    assert purged["egress_only_igw"]["id"] == gateway["id"]
    assert eigws(ec2, vpc) == {gateway["id"]: {"Owner": "ops"}}


def test_several_gateways_need_an_id_or_tags(ec2, vpc, run_tasks):
    first = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    second = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]

    run = run_tasks([
        {MODULE: {"vpc_id": vpc}},
        {MODULE: {"vpc_id": vpc, "state": "absent"}},
        {MODULE: {"vpc_id": vpc, "tags": {"Name": "nobody"}}},
        {MODULE: {"egress_only_igw_id": second, "vpc_id": vpc, "tags": {"Name": "second"}}},
        {MODULE: {"vpc_id": vpc, "tags": {"Name": "second"}, "purge_tags": False}},
        {MODULE: {"vpc_id": vpc, "tags": {"Name": "nobody"}, "state": "absent"}},
        {MODULE: {"egress_only_igw_id": first, "vpc_id": other_vpc}},
    ])
    both = ", ".join(sorted([first, second]))
    assert run[0]["failed"] is True, run
    assert run[0]["msg"] == ("VPC %s has several egress-only internet gateways (%s) and no tags were given to choose one; "
                             "choose one with egress_only_igw_id or tags" % (vpc, both))
    assert run[1]["failed"] is True and both in run[1]["msg"], run
    assert run[2]["failed"] is True and "(%s) and none has all of the given tags" % both in run[2]["msg"], run
    assert run[3]["changed"] is True and run[3]["egress_only_igw"]["id"] == second, run
    assert run[4]["changed"] is False and run[4]["egress_only_igw"]["id"] == second, run
    # Deleting by tags that match nothing deletes nothing (no fallback to a single gateway).
    assert run[5]["changed"] is False and run[5]["egress_only_igw"] == {} and run[5]["removed_routes"] == [], run
    assert run[6]["failed"] is True, run
    assert run[6]["msg"] == ("Egress-only internet gateway %s is attached to %s, not %s; a gateway cannot move between VPCs"
                             % (first, vpc, other_vpc))
    assert eigws(ec2, vpc) == {first: {}, second: {"Name": "second"}}
    assert eigws(ec2, other_vpc) == {}


def test_absent_removes_routes_to_the_gateway_then_the_gateway(ec2, emulator, vpc, run_tasks):
    gateway = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = main_table(ec2, vpc)
    other = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=gateway)
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=other, DestinationIpv6CidrBlock="2001:db8::/32", EgressOnlyInternetGatewayId=gateway)
    delete = {MODULE: {"vpc_id": vpc, "state": "absent"}}
    expected = sorted([{"route_table_id": main, "dest": "::/0"}, {"route_table_id": other, "dest": "2001:db8::/32"}],
                      key=lambda r: r["route_table_id"])

    check = run_tasks([delete], check=True)
    assert check[0]["changed"] is True, check
    assert sorted(check[0]["removed_routes"], key=lambda r: r["route_table_id"]) == expected
    assert list(eigws(ec2, vpc)) == [gateway]
    assert route_to(ec2, main, "::/0")["EgressOnlyInternetGatewayId"] == gateway
    assert route_to(ec2, other, "2001:db8::/32") is not None

    before = emulator.calls
    run = run_tasks([delete, delete], diff=True)
    # Routes are found with one DescribeRouteTables of the VPC, and deleted before the gateway.
    assert emulator.calls - before == Counter({"DescribeEgressOnlyInternetGateways": 2, "DescribeRouteTables": 1,
                                               "DeleteRoute": 2, "DeleteEgressOnlyInternetGateway": 1})
    assert run[0]["changed"] is True, run
    assert sorted(run[0]["removed_routes"], key=lambda r: r["route_table_id"]) == expected
    assert run[0]["egress_only_igw"] == {}
    assert run[0]["diff"]["before"]["id"] == gateway and run[0]["diff"]["after"] == {}
    assert run[1]["changed"] is False and run[1]["removed_routes"] == [], run
    assert eigws(ec2, vpc) == {}
    # Gone, not left behind as blackholes; the IPv4 route to the IGW stays.
    assert route_to(ec2, main, "::/0") is None
    assert route_to(ec2, other, "2001:db8::/32") is None
    assert route_to(ec2, main, "0.0.0.0/0")["GatewayId"] == igw


def test_absent_by_id_without_delete_routes_leaves_a_blackhole(ec2, vpc, run_tasks):
    gateway = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    main = main_table(ec2, vpc)
    ec2.create_route(RouteTableId=main, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=gateway)

    run = run_tasks([{MODULE: {"egress_only_igw_id": gateway, "state": "absent", "delete_routes": False}}])
    assert run[0]["changed"] is True and run[0]["removed_routes"] == [], run
    assert eigws(ec2, vpc) == {}
    route = route_to(ec2, main, "::/0")
    assert route is not None and route["EgressOnlyInternetGatewayId"] == gateway
    assert route["State"] == "blackhole"


def test_bad_inputs_fail_clearly_and_create_nothing(ec2, vpc, run_tasks):
    cases = [
        ({}, "one of the following is required: vpc_id, egress_only_igw_id"),
        ({"vpc_id": "vpc-xyz"}, "vpc_id: 'vpc-xyz' is not a valid resource id (expected vpc-... with 8 or 17 hex digits)"),
        ({"egress_only_igw_id": "igw-0123456789abcdef0"}, "egress_only_igw_id: 'igw-0123456789abcdef0' is a igw- id, expected eigw-..."),
        ({"vpc_id": vpc, "egress_only_igw_id": "eigw-0123456789abcdef0"}, "Egress-only internet gateway eigw-0123456789abcdef0 does not exist"),
        ({"vpc_id": "vpc-0123456789abcdef0"}, "VPC vpc-0123456789abcdef0 does not exist in this region"),
        ({"vpc_id": vpc, "state": "gone"}, "value of state must be one of: present, absent, got: gone"),
        ({"vpc_id": vpc, "tags": ["Name"]}, "argument 'tags' is of type"),
        ({"vpc_id": vpc, "delete_routes": "maybe"}, "argument 'delete_routes' is of type"),
        ({"vpc_id": "vpc-xyz", "egress_only_igw_id": "igw-0123456789abcdef0"},
         "vpc_id: 'vpc-xyz' is not a valid resource id (expected vpc-... with 8 or 17 hex digits); "
         "egress_only_igw_id: 'igw-0123456789abcdef0' is a igw- id, expected eigw-..."),
    ]
    run = run_tasks([{MODULE: args} for args, _msg in cases])
    for (args, msg), result in zip(cases, run.results):
        assert result.get("failed") is True, (args, result)
        assert msg in result["msg"], (msg, result["msg"])
        assert not result.get("changed"), result
    assert ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"] == []

    # Nor in check mode: a VPC that does not exist is an error there too.
    check = run_tasks([{MODULE: {"vpc_id": "vpc-0123456789abcdef0"}}], check=True)
    assert check[0]["failed"] is True and "VPC vpc-0123456789abcdef0 does not exist" in check[0]["msg"], check

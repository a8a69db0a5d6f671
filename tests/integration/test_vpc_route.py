"""v6vpn.aws.vpc_route through ansible-playbook against the EC2 emulator."""

from collections import Counter

import pytest

MODULE = "v6vpn.aws.vpc_route"


@pytest.fixture
def net(ec2):
    """A dual-stack VPC with an attached IGW and an EIGW; returns their ids and the main table."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    vpc_id = vpc["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                              {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    return {"vpc": vpc_id, "igw": igw, "eigw": eigw, "main": main["RouteTableId"]}


def calls_during(emulator, action):
    """Run ``action()``; return its result and the EC2 calls it made, by API action."""
    before = emulator.calls
    result = action()
    return result, emulator.calls - before


def routes_of(ec2, table_id):
    """{dest: (target_id, state)} of every route of the table, as the emulator stores it."""
    table = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
    out = {}
    for route in table["Routes"]:
        dest = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
        target = route.get("GatewayId") or route.get("EgressOnlyInternetGatewayId") or route.get("NatGatewayId")
        out[dest] = (target, route["State"])
    return out


def locals_of(ec2, table_id):
    return {dest: t for dest, t in routes_of(ec2, table_id).items() if t[0] == "local"}


def default_routes(net):
    return [{"dest": "::/0", "egress_only_gateway_id": net["eigw"]}, {"dest": "0.0.0.0/0", "gateway_id": net["igw"]}]


def test_add_to_main_table_from_vpc_id_check_mode_rerun_and_diff(ec2, emulator, net, run_tasks):
    task = {MODULE: {"vpc_id": net["vpc"], "routes": default_routes(net)}}
    before = routes_of(ec2, net["main"])
    assert len(before) == 2  # the two local routes

    check, calls = calls_during(emulator, lambda: run_tasks([task], check=True, diff=True))
    assert check[0]["changed"] is True, check
    assert sorted(r["dest"] for r in check[0]["changes"]["added"]) == ["0.0.0.0/0", "::/0"]
    assert calls == Counter({"DescribeRouteTables": 1})
    assert routes_of(ec2, net["main"]) == before

    # One describe per run, then only the mutations: nothing is described again afterwards.
    run, calls = calls_during(emulator, lambda: run_tasks([task, task], diff=True))
    assert calls == Counter({"DescribeRouteTables": 2, "CreateRoute": 2})
    first, second = run[0], run[1]
    assert first["changed"] is True and not first.get("failed"), run
    table = first["route_table"]
    assert table["id"] == net["main"] and table["vpc_id"] == net["vpc"] and table["main"] is True
    assert {"dest": "::/0", "target_type": "egress_only_gateway_id", "target_id": net["eigw"], "state": "active",
            "origin": "CreateRoute"} in table["routes"]
    assert first["changes"]["replaced"] == [] and first["changes"]["removed"] == []
    assert "::/0 -> %s" % net["eigw"] not in first["diff"]["before"]["routes"]
    assert "::/0 -> %s" % net["eigw"] in first["diff"]["after"]["routes"]
    assert "0.0.0.0/0 -> %s" % net["igw"] in first["diff"]["after"]["routes"]
    assert first["diff"]["after"]["routes"][0] == "0.0.0.0/0 -> %s" % net["igw"]  # sorted: IPv4 first
    assert second["changed"] is False, run
    assert second["changes"] == {"added": [], "replaced": [], "removed": []}
    assert second["diff"]["before"] == second["diff"]["after"]
    assert second["route_table"] == first["route_table"]

    after = routes_of(ec2, net["main"])
    assert after["::/0"] == (net["eigw"], "active")
    assert after["0.0.0.0/0"] == (net["igw"], "active")
    assert len(after) == 4


def test_non_main_table_by_id_leaves_main_table_alone(ec2, net, run_tasks):
    other = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    run = run_tasks([{MODULE: {"route_table_id": other, "routes": default_routes(net)}}])
    assert run[0]["changed"] is True, run
    assert run[0]["route_table"]["id"] == other and run[0]["route_table"]["main"] is False
    assert routes_of(ec2, other)["::/0"] == (net["eigw"], "active")
    assert len(routes_of(ec2, net["main"])) == 2


def test_replace_ipv6_target_and_back(ec2, emulator, net, run_tasks):
    ec2.create_route(RouteTableId=net["main"], DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=net["eigw"])
    to_igw = {MODULE: {"vpc_id": net["vpc"], "routes": [{"dest": "::/0", "gateway_id": net["igw"]}]}}
    # Spelled differently on purpose: normalisation makes it the same route.
    to_eigw = {MODULE: {"vpc_id": net["vpc"], "routes": [{"dest": "0::0/0", "egress_only_gateway_id": net["eigw"]}]}}

    check = run_tasks([to_igw], check=True)
    assert check[0]["changed"] is True, check
    assert check[0]["changes"]["replaced"][0]["after"]["target_id"] == net["igw"]
    assert routes_of(ec2, net["main"])["::/0"] == (net["eigw"], "active")

    run, calls = calls_during(emulator, lambda: run_tasks([to_igw, to_igw], diff=True))
    assert calls == Counter({"DescribeRouteTables": 2, "ReplaceRoute": 1})
    assert run[0]["changed"] is True, run
    assert run[0]["changes"]["replaced"] == [{
        "dest": "::/0",
        "before": {"target_type": "egress_only_gateway_id", "target_id": net["eigw"], "state": "active"},
        "after": {"target_type": "gateway_id", "target_id": net["igw"], "state": "active"},
    }]
    assert run[0]["changes"]["added"] == []
    assert "::/0 -> %s" % net["eigw"] in run[0]["diff"]["before"]["routes"]
    assert "::/0 -> %s" % net["igw"] in run[0]["diff"]["after"]["routes"]
    assert run[1]["changed"] is False, run
    assert routes_of(ec2, net["main"])["::/0"] == (net["igw"], "active")

    back = run_tasks([to_eigw, to_eigw])
    assert back[0]["changed"] is True and back[1]["changed"] is False, back
    assert routes_of(ec2, net["main"])["::/0"] == (net["eigw"], "active")
    assert len(routes_of(ec2, net["main"])) == 3  # replaced, not duplicated


def test_purge_removes_unlisted_routes_of_both_families_but_keeps_locals(ec2, emulator, net, run_tasks):
    for dest, key, target in (("::/0", "EgressOnlyInternetGatewayId", net["eigw"]),
                              ("2001:db8::/32", "GatewayId", net["igw"]),
                              ("192.168.0.0/16", "GatewayId", net["igw"])):
        family_key = "DestinationIpv6CidrBlock" if ":" in dest else "DestinationCidrBlock"
        ec2.create_route(**{"RouteTableId": net["main"], family_key: dest, key: target})
    locals_before = locals_of(ec2, net["main"])
    before = routes_of(ec2, net["main"])
    task = {MODULE: {"vpc_id": net["vpc"], "purge_routes": True, "routes": default_routes(net)}}

    check = run_tasks([task], check=True)
    assert check[0]["changed"] is True, check
    assert sorted(r["dest"] for r in check[0]["changes"]["removed"]) == ["192.168.0.0/16", "2001:db8::/32"]
    assert routes_of(ec2, net["main"]) == before

    run, calls = calls_during(emulator, lambda: run_tasks([task, task]))
    assert calls == Counter({"DescribeRouteTables": 2, "DeleteRoute": 2, "CreateRoute": 1})
    assert run[0]["changed"] is True, run
    assert sorted(r["dest"] for r in run[0]["changes"]["removed"]) == ["192.168.0.0/16", "2001:db8::/32"]
    assert [r["dest"] for r in run[0]["changes"]["added"]] == ["0.0.0.0/0"]
    assert run[1]["changed"] is False, run
    after = routes_of(ec2, net["main"])
    assert "2001:db8::/32" not in after and "192.168.0.0/16" not in after
    assert after["::/0"] == (net["eigw"], "active") and after["0.0.0.0/0"] == (net["igw"], "active")
    assert locals_of(ec2, net["main"]) == locals_before and len(locals_before) == 2
    assert sorted(r["dest"] for r in run[1]["route_table"]["routes"]) == sorted(after)

    # Without purge_routes, unlisted routes stay.
    ec2.create_route(RouteTableId=net["main"], DestinationIpv6CidrBlock="2001:db8::/32", GatewayId=net["igw"])
    keep = run_tasks([{MODULE: {"vpc_id": net["vpc"], "routes": default_routes(net)}}])
    assert keep[0]["changed"] is False, keep
    assert "2001:db8::/32" in routes_of(ec2, net["main"])


def test_absent_deletes_listed_routes_only_when_the_target_matches(ec2, net, run_tasks):
    ec2.create_route(RouteTableId=net["main"], DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=net["eigw"])
    ec2.create_route(RouteTableId=net["main"], DestinationCidrBlock="0.0.0.0/0", GatewayId=net["igw"])
    before = routes_of(ec2, net["main"])
    task = {MODULE: {"vpc_id": net["vpc"], "state": "absent", "routes": [
        {"dest": "0::0/0", "egress_only_gateway_id": net["eigw"]},
        {"dest": "0.0.0.0/0", "gateway_id": "igw-00000000000000000"},  # another target: kept, with a warning
        {"dest": "10.99.0.0/16"},  # not in the table: not an error
    ]}}

    check = run_tasks([task], check=True)
    assert check[0]["changed"] is True, check
    assert routes_of(ec2, net["main"]) == before

    run = run_tasks([task, task], diff=True)
    assert run[0]["changed"] is True, run
    assert run[0]["changes"]["removed"] == [{"dest": "::/0", "target_type": "egress_only_gateway_id", "target_id": net["eigw"]}]
    assert any("0.0.0.0/0 goes to %s, not igw-00000000000000000; left in place" % net["igw"] in w for w in run[0]["warnings"]), run
    assert "::/0 -> %s" % net["eigw"] not in run[0]["diff"]["after"]["routes"]
    assert run[1]["changed"] is False, run
    after = routes_of(ec2, net["main"])
    assert "::/0" not in after
    assert after["0.0.0.0/0"] == (net["igw"], "active")

    untargeted = run_tasks([{MODULE: {"vpc_id": net["vpc"], "state": "absent", "routes": [{"dest": "0.0.0.0/0"}]}}])
    assert untargeted[0]["changed"] is True, untargeted
    assert "0.0.0.0/0" not in routes_of(ec2, net["main"])


def test_bad_inputs_fail_clearly_and_change_nothing(ec2, emulator, net, run_tasks):
    good = {"dest": "::/0", "egress_only_gateway_id": net["eigw"]}
    cases = [
        ({"vpc_id": net["vpc"], "routes": [good, {"dest": "0.0.0.0/0", "egress_only_gateway_id": net["eigw"]}]},
         "routes[1]: egress_only_gateway_id routes only IPv6 traffic, but dest 0.0.0.0/0 is IPv4"),
        ({"vpc_id": net["vpc"], "routes": [{"dest": "::/0", "gateway_id": net["igw"], "egress_only_gateway_id": net["eigw"]}]},
         "routes[0]: give one target, not several (got gateway_id, egress_only_gateway_id)"),
        ({"vpc_id": net["vpc"], "routes": [good, {"dest": "0.0.0.0/0"}]},
         "routes[1]: no target; give one of gateway_id, egress_only_gateway_id"),
        ({"vpc_id": net["vpc"], "routes": [good, {"dest": "2001:db8::/129", "gateway_id": net["igw"]}]},
         "routes[1].dest: '2001:db8::/129' is not a valid CIDR block"),
        ({"vpc_id": net["vpc"], "routes": [good, {"dest": "10.1.2.3/16", "gateway_id": net["igw"]}]},
         "routes[1].dest: '10.1.2.3/16' is not a valid CIDR block: 10.1.2.3/16 has host bits set"),
        ({"vpc_id": net["vpc"], "routes": [{"dest": "::/0", "egress_only_gateway_id": net["igw"]}]},
         "routes[0].egress_only_gateway_id: '%s' is a igw- id, expected eigw-..." % net["igw"]),
        ({"vpc_id": net["vpc"], "route_table_id": net["main"], "routes": [good]},
         "parameters are mutually exclusive: route_table_id|vpc_id"),
        ({"vpc_id": net["vpc"], "routes": [good, {"dest": "0::0/0", "gateway_id": net["igw"]}]},
         "routes[1]: dest 0::0/0 is the same destination as routes[0] (::/0)"),
        ({"routes": [good]}, "one of the following is required: route_table_id, vpc_id"),
        ({"route_table_id": "rtb-0000000000000000f", "routes": [good]}, "Route table rtb-0000000000000000f does not exist in this region"),
        ({"vpc_id": net["vpc"], "routes": [good, {"dest": "10.0.0.0/16", "gateway_id": net["igw"]}]},
         "routes[1]: 10.0.0.0/16 is a local route of the VPC, which this module never changes"),
        ({"vpc_id": net["vpc"], "state": "absent", "purge_routes": True, "routes": [good]},
         "purge_routes: only valid with state=present"),
        ({"vpc_id": "vpc-12", "routes": [good]}, "vpc_id: 'vpc-12' is not a valid resource id"),
        # every problem at once, every bad entry included, before any call
        ({"vpc_id": "vpc-12", "state": "absent", "purge_routes": True,
          "routes": [{"dest": "10.1.2.3/16"}, good, {"dest": "0::0/0", "gateway_id": net["eigw"]}, {"dest": "0::0/0"}]},
         "vpc_id: 'vpc-12' is not a valid resource id (expected vpc-... with 8 or 17 hex digits); "
         "purge_routes: only valid with state=present; "
         "routes[0].dest: '10.1.2.3/16' is not a valid CIDR block: 10.1.2.3/16 has host bits set; "
         "routes[2].gateway_id: '%s' is a eigw- id, expected igw-... or vgw-...; "
         "routes[3]: dest 0::0/0 is the same destination as routes[1] (::/0)" % net["eigw"]),
    ]
    before = routes_of(ec2, net["main"])
    run, calls = calls_during(emulator, lambda: run_tasks([{MODULE: args} for args, _msg in cases]))
    for (args, msg), result in zip(cases, run.results):
        assert result.get("failed") is True, (args, result)
        assert msg in result["msg"], (msg, result["msg"])
        assert not result.get("changed"), result
    # Argument errors fail before any call; only the missing table and the local route need the describe.
    assert calls == Counter({"DescribeRouteTables": 2})
    assert routes_of(ec2, net["main"]) == before
    assert len(ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [net["vpc"]]}])["RouteTables"]) == 1

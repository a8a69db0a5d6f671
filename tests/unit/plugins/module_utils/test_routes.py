"""Unit tests of the pure route helpers shared by egress_igw and vpc_route."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import routes
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

EIGW = "eigw-0123456789abcdef0"
IGW = "igw-0123456789abcdef0"


def test_destination_is_normalised_and_prefix_lists_keep_their_id():
    assert routes.route_destination({"DestinationIpv6CidrBlock": "0::0/0"}) == "::/0"
    assert routes.route_destination({"DestinationIpv6CidrBlock": "2600:1F18::100:0:0:0:0/64"}) == "2600:1f18:0:100::/64"
    assert routes.route_destination({"DestinationCidrBlock": "0.0.0.0/0"}) == "0.0.0.0/0"
    assert routes.route_destination({"DestinationPrefixListId": "pl-63a5400a"}) == "pl-63a5400a"
    assert routes.route_raw_destination({"DestinationIpv6CidrBlock": "0::0/0"}) == "0::0/0"
    assert routes.route_raw_destination({"DestinationPrefixListId": "pl-63a5400a"}) is None


def test_target_reports_instance_before_its_interface_and_matches_either():
    route = {"DestinationCidrBlock": "10.8.0.0/24", "InstanceId": "i-0123456789abcdef0",
             "InstanceOwnerId": "123456789012", "NetworkInterfaceId": "eni-0123456789abcdef0"}
    assert routes.route_target(route) == ("instance_id", "i-0123456789abcdef0")
    assert routes.route_has_target(route, "network_interface_id", "eni-0123456789abcdef0")
    assert routes.route_has_target(route, "instance_id", "i-0123456789abcdef0")
    assert not routes.route_has_target(route, "gateway_id", IGW)
    assert routes.route_target({"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": EIGW}) == ("egress_only_gateway_id", EIGW)
    assert routes.route_target({"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}) == ("gateway_id", "local")
    assert routes.route_target({"DestinationCidrBlock": "10.9.0.0/16", "VpcPeeringConnectionId": "pcx-1"}) == ("vpc_peering_connection_id", "pcx-1")


def test_only_user_routes_are_static():
    local = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable"}
    local_retargeted = {"DestinationCidrBlock": "10.0.0.0/16", "NetworkInterfaceId": "eni-1", "Origin": "CreateRouteTable"}
    propagated = {"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "vgw-0123456789abcdef0", "Origin": "EnableVgwRoutePropagation"}
    prefix_list = {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-1", "Origin": "CreateRoute"}
    user = {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": EIGW, "Origin": "CreateRoute"}
    assert routes.is_local(local) and routes.is_local(local_retargeted)
    assert [routes.is_static(r) for r in (local, local_retargeted, propagated, prefix_list, user)] == [False, False, False, False, True]


def test_api_params_pick_the_family_key():
    assert routes.route_api_params("rtb-1", "::/0", "egress_only_gateway_id", EIGW) == {
        "RouteTableId": "rtb-1", "DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": EIGW}
    assert routes.route_api_params("rtb-1", "0.0.0.0/0", "gateway_id", IGW) == {
        "RouteTableId": "rtb-1", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW}
    # Deletion: no target, and the destination as given (AWS's own spelling of an existing route).
    assert routes.route_api_params("rtb-1", "0::0/0") == {"RouteTableId": "rtb-1", "DestinationIpv6CidrBlock": "0::0/0"}


def test_summaries_sort_by_family_then_address_and_lines_flag_blackholes():
    summaries = [routes.summarize_route(r) for r in (
        {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": EIGW, "State": "blackhole", "Origin": "CreateRoute"},
        {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-1", "State": "active", "Origin": "CreateRoute"},
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active", "Origin": "CreateRouteTable"},
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW, "State": "active", "Origin": "CreateRoute"},
        {"DestinationIpv6CidrBlock": "2600:1f18:0:100::/56", "GatewayId": "local", "State": "active", "Origin": "CreateRouteTable"},
    )]
    ordered = [r["dest"] for r in routes.sort_routes(summaries)]
    assert ordered == ["0.0.0.0/0", "10.0.0.0/16", "::/0", "2600:1f18:0:100::/56", "pl-63a5400a"]
    assert routes.route_line(summaries[0]) == "::/0 -> %s (blackhole)" % EIGW
    assert routes.route_line(summaries[3]) == "0.0.0.0/0 -> %s" % IGW
    assert summaries[0] == {"dest": "::/0", "target_type": "egress_only_gateway_id", "target_id": EIGW, "state": "blackhole", "origin": "CreateRoute"}


def test_valid_entries_are_normalised():
    entries = [
        {"dest": "0::0/0", "egress_only_gateway_id": EIGW, "gateway_id": None},
        {"dest": "0.0.0.0/0", "gateway_id": IGW},
        {"dest": "64:ff9b::/96", "nat_gateway_id": "nat-0123456789abcdef0"},
    ]
    assert routes.validate_route_entries(entries) == [
        {"dest": "::/0", "family": 6, "target_type": "egress_only_gateway_id", "target_id": EIGW},
        {"dest": "0.0.0.0/0", "family": 4, "target_type": "gateway_id", "target_id": IGW},
        {"dest": "64:ff9b::/96", "family": 6, "target_type": "nat_gateway_id", "target_id": "nat-0123456789abcdef0"},
    ]
    assert routes.validate_route_entries([{"dest": "::/0"}], require_target=False) == [
        {"dest": "::/0", "family": 6, "target_type": None, "target_id": None}]


@pytest.mark.parametrize("entries, message", [
    ([{"dest": "0.0.0.0/0", "egress_only_gateway_id": EIGW}], r"routes\[0\]: egress_only_gateway_id routes only IPv6 traffic, but dest 0.0.0.0/0 is IPv4"),
    ([{"dest": "::/0", "gateway_id": IGW, "egress_only_gateway_id": EIGW}],
     r"routes\[0\]: give one target, not several \(got gateway_id, egress_only_gateway_id\)"),
    ([{"dest": "::/0"}], r"routes\[0\]: no target; give one of gateway_id, "),
    ([{"dest": "::/0", "gateway_id": IGW}, {"dest": "not-a-cidr", "gateway_id": IGW}], r"routes\[1\]\.dest: 'not-a-cidr' is not a CIDR block"),
    ([{"dest": "10.0.0.1/16", "gateway_id": IGW}], r"routes\[0\]\.dest: '10.0.0.1/16' is not a valid CIDR block: .*host bits"),
    ([{"dest": "::/0", "egress_only_gateway_id": IGW}], r"routes\[0\]\.egress_only_gateway_id: 'igw-0123456789abcdef0' is a igw- id, expected eigw-"),
    ([{"dest": "::/0", "gateway_id": "igw-xyz"}], r"routes\[0\]\.gateway_id: 'igw-xyz' is not a valid resource id"),
    ([{"dest": "::/0", "gateway_id": IGW}, {"dest": "0::0/0", "gateway_id": IGW}], r"routes\[1\]: dest 0::0/0 is the same destination as routes\[0\] \(::/0\)"),
])
def test_bad_entries_fail_naming_the_entry(entries, message):
    with pytest.raises(InvalidParameter, match=message):
        routes.validate_route_entries(entries)


def _table():
    return [
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
        {"DestinationIpv6CidrBlock": "2600:1f18:0:100::/56", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
        {"DestinationIpv6CidrBlock": "0::0/0", "EgressOnlyInternetGatewayId": EIGW, "Origin": "CreateRoute", "State": "active"},
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW, "Origin": "CreateRoute", "State": "blackhole"},
        {"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "vgw-0123456789abcdef0", "Origin": "EnableVgwRoutePropagation", "State": "active"},
        {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-0123456789abcdef0", "Origin": "CreateRoute", "State": "active"},
        {"DestinationCidrBlock": "10.8.0.0/24", "InstanceId": "i-0123456789abcdef0", "NetworkInterfaceId": "eni-0123456789abcdef0",
         "Origin": "CreateRoute", "State": "active"},
        {"DestinationIpv6CidrBlock": "2001:db8::/32", "GatewayId": IGW, "Origin": "CreateRoute", "State": "active"},
    ]


def _wanted(*entries):
    return routes.validate_route_entries(list(entries))


def test_plan_present_keeps_matching_replaces_differing_and_blackholes_adds_missing():
    table = _table()
    wanted = _wanted({"dest": "::/0", "egress_only_gateway_id": EIGW},  # same route, other spelling: kept
                     {"dest": "0.0.0.0/0", "gateway_id": IGW},  # same target but blackhole: replaced
                     {"dest": "10.8.0.0/24", "network_interface_id": "eni-0123456789abcdef0"},  # instance route via its ENI: kept
                     {"dest": "2001:db8::/32", "egress_only_gateway_id": EIGW},  # other target: replaced
                     {"dest": "192.168.0.0/16", "gateway_id": IGW},  # only propagated there: a static route is added
                     {"dest": "64:ff9b::/96", "nat_gateway_id": "nat-0123456789abcdef0"})
    to_add, to_replace, to_remove, warnings = routes.plan_route_changes(table, wanted, "present", False)
    assert [e["dest"] for e in to_add] == ["192.168.0.0/16", "64:ff9b::/96"]
    assert [(e["dest"], r is table[3] or r is table[7]) for e, r in to_replace] == [("0.0.0.0/0", True), ("2001:db8::/32", True)]
    assert to_remove == [] and warnings == []

    after, changes = routes.apply_route_changes(table, to_add, to_replace, to_remove)
    assert changes["replaced"][0] == {"dest": "0.0.0.0/0", "before": {"target_type": "gateway_id", "target_id": IGW, "state": "blackhole"},
                                      "after": {"target_type": "gateway_id", "target_id": IGW, "state": "active"}}
    assert changes["replaced"][1]["after"] == {"target_type": "egress_only_gateway_id", "target_id": EIGW, "state": "active"}
    assert changes["added"][1] == {"dest": "64:ff9b::/96", "target_type": "nat_gateway_id", "target_id": "nat-0123456789abcdef0"}
    assert changes["removed"] == []
    assert len(after) == len(table) + 2
    assert {"dest": "64:ff9b::/96", "target_type": "nat_gateway_id", "target_id": "nat-0123456789abcdef0", "state": "active",
            "origin": "CreateRoute"} in after


def test_plan_purge_removes_only_unlisted_static_routes():
    table = _table()
    to_add, to_replace, to_remove, _warnings = routes.plan_route_changes(table, _wanted({"dest": "::/0", "egress_only_gateway_id": EIGW}), "present", True)
    assert to_add == [] and to_replace == []
    # Never local, propagated or prefix-list routes; both families otherwise.
    assert to_remove == [table[3], table[6], table[7]]
    after, changes = routes.apply_route_changes(table, to_add, to_replace, to_remove)
    assert sorted(r["dest"] for r in changes["removed"]) == ["0.0.0.0/0", "10.8.0.0/24", "2001:db8::/32"]
    assert [r["dest"] for r in after] == ["10.0.0.0/16", "2600:1f18:0:100::/56", "::/0", "192.168.0.0/16", "pl-63a5400a"]

    everything = routes.plan_route_changes(table, [], "present", True)[2]
    assert everything == [table[2], table[3], table[6], table[7]]


def test_plan_absent_deletes_listed_skips_missing_and_warns_on_other_targets():
    table = _table()
    wanted = routes.validate_route_entries([
        {"dest": "::/0", "egress_only_gateway_id": EIGW},
        {"dest": "2001:db8::/32", "nat_gateway_id": "nat-0123456789abcdef0"},
        {"dest": "10.8.0.0/24"},
        {"dest": "172.16.0.0/12"},
        {"dest": "192.168.0.0/16"},  # propagated only: nothing to delete
    ], require_target=False)
    to_add, to_replace, to_remove, warnings = routes.plan_route_changes(table, wanted, "absent", False)
    assert to_add == [] and to_replace == []
    assert to_remove == [table[2], table[6]]
    assert warnings == ["routes[1]: 2001:db8::/32 goes to %s, not nat-0123456789abcdef0; left in place" % IGW]


@pytest.mark.parametrize("state", ["present", "absent"])
def test_plan_refuses_local_routes(state):
    wanted = _wanted({"dest": "::/0", "egress_only_gateway_id": EIGW}, {"dest": "2600:1f18::100:0:0:0:0/56", "gateway_id": IGW})
    with pytest.raises(InvalidParameter, match=r"routes\[1\]: 2600:1f18:0:100::/56 is a local route of the VPC"):
        routes.plan_route_changes(_table(), wanted, state, False)

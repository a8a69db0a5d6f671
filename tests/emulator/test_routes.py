"""Route validations and states (patches/routes.py)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.testing import Network, main_route_table


def eigw_of(ec2: Any, vpc_id: str) -> str:
    return ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]


def attached_igw(ec2: Any, vpc_id: str) -> str:
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    return igw


def routes(ec2: Any, table: str) -> dict[str, dict[str, Any]]:
    answer = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    return {r.get("DestinationCidrBlock") or r["DestinationIpv6CidrBlock"]: r for r in answer}


def code_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return excinfo.value.response["Error"]["Code"]


def test_egress_only_gateway_takes_no_ipv4_destination(ec2: Any, network: Network) -> None:
    table, eigw, igw = main_route_table(ec2, network.vpc_id), eigw_of(ec2, network.vpc_id), attached_igw(ec2, network.vpc_id)
    assert code_of(ec2.create_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", EgressOnlyInternetGatewayId=eigw) == "InvalidParameterValue"
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert code_of(ec2.replace_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", EgressOnlyInternetGatewayId=eigw) == "InvalidParameterValue"
    assert routes(ec2, table)["0.0.0.0/0"]["GatewayId"] == igw


def test_route_to_a_gateway_of_another_vpc_is_refused(ec2: Any, make_network: Any) -> None:
    mine, other = make_network(), make_network()
    table = main_route_table(ec2, mine.vpc_id)
    foreign_eigw, foreign_igw = eigw_of(ec2, other.vpc_id), attached_igw(ec2, other.vpc_id)
    detached_igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    assert code_of(ec2.create_route, RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=foreign_eigw) == "InvalidParameterValue"
    assert code_of(ec2.create_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=foreign_igw) == "InvalidParameterValue"
    assert code_of(ec2.create_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=detached_igw) == "InvalidParameterValue"
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw_of(ec2, mine.vpc_id))
    assert code_of(ec2.replace_route, RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=foreign_eigw) == "InvalidParameterValue"
    assert code_of(ec2.create_route, RouteTableId=table, DestinationIpv6CidrBlock="2001:db8::/32",
                   EgressOnlyInternetGatewayId="eigw-0123456789abcdef0") == "InvalidGatewayID.NotFound"


def test_a_destination_already_routed_is_refused(ec2: Any, network: Network) -> None:
    table, eigw, igw = main_route_table(ec2, network.vpc_id), eigw_of(ec2, network.vpc_id), attached_igw(ec2, network.vpc_id)
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    assert code_of(ec2.create_route, RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw) == "RouteAlreadyExists"
    assert code_of(ec2.create_route, RouteTableId=table, DestinationIpv6CidrBlock="0:0::0/0", GatewayId=igw) == "RouteAlreadyExists"
    # The local routes are routes too.
    assert code_of(ec2.create_route, RouteTableId=table, DestinationCidrBlock="10.0.0.0/16", GatewayId=igw) == "RouteAlreadyExists"
    assert code_of(ec2.create_route, RouteTableId=table, DestinationIpv6CidrBlock=str(network.vpc_ipv6), GatewayId=igw) == "RouteAlreadyExists"
    table_routes = routes(ec2, table)
    assert table_routes["::/0"]["EgressOnlyInternetGatewayId"] == eigw
    assert table_routes["10.0.0.0/16"]["GatewayId"] == "local"
    assert table_routes[str(network.vpc_ipv6)]["GatewayId"] == "local"


def test_ipv6_routes_are_found_by_any_spelling(ec2: Any, network: Network) -> None:
    table, eigw, igw = main_route_table(ec2, network.vpc_id), eigw_of(ec2, network.vpc_id), attached_igw(ec2, network.vpc_id)
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="2001:DB8:0::/48", EgressOnlyInternetGatewayId=eigw)
    assert "2001:db8::/48" in routes(ec2, table)
    ec2.replace_route(RouteTableId=table, DestinationIpv6CidrBlock="2001:0db8:0000::/48", GatewayId=igw)
    assert routes(ec2, table)["2001:db8::/48"]["GatewayId"] == igw
    ec2.delete_route(RouteTableId=table, DestinationIpv6CidrBlock="2001:db8:0:0::/48")
    assert "2001:db8::/48" not in routes(ec2, table)


def test_deleting_the_egress_only_gateway_leaves_a_blackhole(ec2: Any, network: Network) -> None:
    table, eigw = main_route_table(ec2, network.vpc_id), eigw_of(ec2, network.vpc_id)
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    assert routes(ec2, table)["::/0"]["State"] == "active"
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw)
    route = routes(ec2, table)["::/0"]
    assert (route["State"], route["EgressOnlyInternetGatewayId"]) == ("blackhole", eigw)
    blackholed = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}, {"Name": "route.state", "Values": ["blackhole"]}])
    assert [t["RouteTableId"] for t in blackholed["RouteTables"]] == [table]
    # A new gateway repairs the route.
    ec2.replace_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw_of(ec2, network.vpc_id))
    assert routes(ec2, table)["::/0"]["State"] == "active"

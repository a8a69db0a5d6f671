"""Route validations and states that moto 5.2.5 lacks."""

from __future__ import annotations

import ipaddress
from typing import Any

from moto.ec2.exceptions import RouteAlreadyExistsError
from moto.ec2.models.route_tables import Route, RouteBackend

from ._common import bind, canonical_network, invalid_value, wrap


def _check_target(backend: Any, table: Any, destination_cidr_block: str | None, egress_only_igw_id: str | None, gateway_id: str | None) -> None:
    """AWS's checks of a route's target, for CreateRoute and ReplaceRoute.

    AWS: an egress-only internet gateway carries IPv6 only ("An egress-only internet gateway is for
    use with IPv6 traffic only", VPC User Guide), so an IPv4 destination is refused with
    `InvalidParameterValue`; a gateway that is not attached to the route table's VPC is refused
    with `InvalidParameterValue` "route table rtb-... and network gateway ...-... belong to
    different networks". moto 5.2.5 accepts both (the message text here is ours for the first case;
    the error code is AWS's).
    """
    if egress_only_igw_id:
        gateway = backend.get_egress_only_igw(egress_only_igw_id)  # InvalidGatewayID.NotFound when unknown
        if destination_cidr_block:
            raise invalid_value(
                f"Egress-only internet gateway {egress_only_igw_id} supports IPv6 traffic only; "
                f"the destination {destination_cidr_block} is an IPv4 CIDR block."
            )
        if gateway.vpc_id != table.vpc_id:
            raise invalid_value(f"route table {table.id} and network gateway {egress_only_igw_id} belong to different networks")
    if gateway_id and gateway_id.startswith("igw-"):
        gateway = backend.get_internet_gateway(gateway_id)
        if gateway.vpc is None or gateway.vpc.id != table.vpc_id:
            raise invalid_value(f"route table {table.id} and network gateway {gateway_id} belong to different networks")


def _network(cidr: str | None) -> Any:
    try:
        return ipaddress.ip_network(cidr, strict=False) if cidr else None
    except ValueError:
        return None  # not a CIDR: moto's own validation answers for it


def _create_route(original: Any) -> Any:
    """CreateRoute: AWS refuses a destination the table already routes with `RouteAlreadyExists`
    (400), IPv6 and local routes included, whatever the spelling of the CIDR. moto 5.2.5 checks only
    non-local IPv4 routes: a second `::/0` silently replaced the first, and a route for the VPC's
    own block overwrote the `local` route."""
    def patched(*args: Any, **kwargs: Any) -> Any:
        bound = bind(original, *args, **kwargs)
        arguments = bound.arguments
        if not arguments["local"]:
            backend = arguments["self"]
            table = backend.get_route_table(arguments["route_table_id"])
            if arguments["destination_ipv6_cidr_block"]:
                arguments["destination_ipv6_cidr_block"] = canonical_network(arguments["destination_ipv6_cidr_block"], "destinationIpv6CidrBlock")
            wanted = arguments["destination_cidr_block"] or arguments["destination_ipv6_cidr_block"]
            network = _network(wanted)
            if network is not None and any(_network(r.destination_cidr_block or r.destination_ipv6_cidr_block) == network for r in table.routes):
                raise RouteAlreadyExistsError(wanted)
            _check_target(backend, table, arguments["destination_cidr_block"], arguments["egress_only_igw_id"], arguments["gateway_id"])
        return original(*bound.args, **bound.kwargs)
    return patched


def _replace_route(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> Any:
        bound = bind(original, *args, **kwargs)
        arguments = bound.arguments
        backend = arguments["self"]
        if arguments["destination_ipv6_cidr_block"]:
            # moto finds the route by the CIDR's text: look it up by its canonical spelling.
            arguments["destination_ipv6_cidr_block"] = canonical_network(arguments["destination_ipv6_cidr_block"], "destinationIpv6CidrBlock")
        table = backend.get_route_table(arguments["route_table_id"])
        _check_target(backend, table, arguments["destination_cidr_block"], arguments["egress_only_igw_id"], arguments["gateway_id"])
        return original(*bound.args, **bound.kwargs)
    return patched


def _delete_route(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> Any:
        bound = bind(original, *args, **kwargs)
        if bound.arguments["destination_ipv6_cidr_block"]:
            bound.arguments["destination_ipv6_cidr_block"] = canonical_network(bound.arguments["destination_ipv6_cidr_block"], "destinationIpv6CidrBlock")
        return original(*bound.args, **bound.kwargs)
    return patched


def _route_state(self: Route) -> str:
    """Route `State`: AWS reports `blackhole` for a route whose target is gone, e.g. after
    DeleteEgressOnlyInternetGateway (the route stays, naming the deleted gateway). moto 5.2.5
    always answers `active`."""
    gateway = self.egress_only_igw
    if gateway is not None and gateway.id not in self.route_table.ec2_backend.egress_only_internet_gateways:
        return "blackhole"
    return "active"


def apply() -> None:
    wrap(RouteBackend, "create_route", _create_route)
    wrap(RouteBackend, "replace_route", _replace_route)
    wrap(RouteBackend, "delete_route", _delete_route)
    Route.state = property(_route_state)  # type: ignore[assignment,method-assign]

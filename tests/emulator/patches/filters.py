"""Describe* filters that moto 5.2.5 lacks or ignores.

AWS: the filters the EC2 API reference lists for DescribeRouteTables, DescribeSubnets, DescribeVpcs,
DescribeInstances and DescribeNetworkInterfaces are accepted; a resource matches a filter when any
of its values matches any of the filter's values (`*`/`?` wildcards allowed), and filters are ANDed.
IPv6 addresses and CIDR blocks are the same whatever their spelling (`2600:1f18:0:100::/64` ==
`2600:1f18::100:0:0:0:0/64`). DescribeEgressOnlyInternetGateways documents only `tag:<key>` and
`tag-key`; EC2 refuses a filter name it does not know with `InvalidParameterValue` "The filter
'...' is invalid".

moto: the filters below answered HTTP 500 "The filter ... has not been implemented" (route tables'
`route.egress-only-internet-gateway-id`, `route.destination-ipv6-cidr-block`, `route.state`, ...;
subnets' `ipv6-cidr-block-association.*`; VPCs' `ipv6-cidr-block-association.ipv6-pool`; instances'
`ipv6-address`, `network-interface.ipv6-addresses.ipv6-address`,
`network-interface.addresses.association.public-ip`; ENIs' `ipv6-addresses.ipv6-address`) or
compared CIDRs as strings; the VPC `ipv6-cidr-block-association.association-id` also matched IPv4
associations. DescribeEgressOnlyInternetGateways ignored its filters altogether: every gateway of
the region came back whatever the filter, including one (`attachment.vpc-id`) AWS refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.models.elastic_network_interfaces import NetworkInterfaceBackend
from moto.ec2.models.instances import InstanceBackend
from moto.ec2.models.route_tables import RouteBackend
from moto.ec2.models.subnets import SubnetBackend
from moto.ec2.models.vpcs import VPCBackend
from moto.ec2.responses.egress_only_internet_gateways import EgressOnlyInternetGateway

from ._common import FilterSpec, add_filters, invalid_value, matches_all


def _routes(attribute: str) -> Callable[[Any], Iterable[Any]]:
    return lambda table: [getattr(route, attribute) for route in table.routes]


ROUTE_TABLE_FILTERS: dict[str, FilterSpec] = {
    "route.destination-cidr-block": ("cidr", _routes("destination_cidr_block")),
    "route.destination-ipv6-cidr-block": ("cidr", _routes("destination_ipv6_cidr_block")),
    "route.destination-prefix-list-id": ("text", _routes("destination_prefix_list_id")),
    "route.egress-only-internet-gateway-id": ("text", _routes("egress_only_internet_gateway_id")),
    "route.gateway-id": ("text", _routes("gateway_id")),
    "route.instance-id": ("text", _routes("instance_id")),
    "route.nat-gateway-id": ("text", _routes("nat_gateway_id")),
    "route.origin": ("text", _routes("origin")),
    "route.state": ("text", _routes("state")),
    "route.transit-gateway-id": ("text", _routes("transit_gateway_id")),
    "route.vpc-peering-connection-id": ("text", _routes("vpc_peering_connection_id")),
    "association.gateway-id": ("text", lambda table: [a.get("GatewayId") for a in table.associations]),
}


def _subnet_associations(key: str) -> Callable[[Any], Iterable[Any]]:
    return lambda subnet: [a[key] for a in subnet.ipv6_cidr_block_associations.values()]


SUBNET_FILTERS: dict[str, FilterSpec] = {
    "ipv6-cidr-block-association.ipv6-cidr-block": ("cidr", _subnet_associations("ipv6CidrBlock")),
    "ipv6-cidr-block-association.association-id": ("text", _subnet_associations("associationId")),
    "ipv6-cidr-block-association.state": (
        "text", lambda subnet: [a["ipv6CidrBlockState"]["State"] for a in subnet.ipv6_cidr_block_associations.values()]),
}


def _vpc_ipv6(extract: Callable[[dict[str, Any]], Any]) -> Callable[[Any], Iterable[Any]]:
    return lambda vpc: [extract(a) for a in vpc.get_cidr_block_association_set(ipv6=True)]


VPC_FILTERS: dict[str, FilterSpec] = {
    "ipv6-cidr-block-association.ipv6-cidr-block": ("cidr", _vpc_ipv6(lambda a: a["cidr_block"])),
    "ipv6-cidr-block-association.association-id": ("text", _vpc_ipv6(lambda a: a["association_id"])),
    "ipv6-cidr-block-association.state": ("text", _vpc_ipv6(lambda a: a["cidr_block_state"]["state"])),
    "ipv6-cidr-block-association.ipv6-pool": ("text", _vpc_ipv6(lambda a: a.get("ipv6_pool"))),
}


def _eni_ipv6(eni: Any) -> list[str]:
    return list(eni.ipv6_addresses)


def _instance_ipv6(instance: Any) -> list[str]:
    return [address for eni in instance.nics.values() for address in _eni_ipv6(eni)]


def _instance_public_ips(instance: Any) -> list[str | None]:
    return [eni.public_ip for eni in instance.nics.values()]


INSTANCE_FILTERS: dict[str, FilterSpec] = {
    "ipv6-address": ("ip", _instance_ipv6),
    "network-interface.ipv6-address": ("ip", _instance_ipv6),
    "network-interface.ipv6-addresses.ipv6-address": ("ip", _instance_ipv6),
    "network-interface.ipv6-prefixes.ipv6-prefix": ("cidr", lambda instance: [p for eni in instance.nics.values() for p in eni.delegated_ipv6_prefixes]),
    "network-interface.addresses.association.public-ip": ("ip", _instance_public_ips),
    "network-interface.association.public-ip": ("ip", _instance_public_ips),
}

NETWORK_INTERFACE_FILTERS: dict[str, FilterSpec] = {
    "ipv6-addresses.ipv6-address": ("ip", _eni_ipv6),
    "association.public-ip": ("ip", lambda eni: [eni.public_ip]),
    "addresses.association.public-ip": ("ip", lambda eni: [eni.public_ip]),
}


def _filter_reservations(reservations: list[Any], keep: Callable[[Any], bool]) -> list[Any]:
    # moto hands out shallow copies of its reservations, so narrowing `.instances` is safe.
    kept = []
    for reservation in reservations:
        instances = [instance for instance in reservation.instances if keep(instance)]
        if instances:
            reservation.instances = instances
            kept.append(reservation)
    return kept


def _describe_egress_only_internet_gateways(self: Any) -> ActionResult:
    # moto's backend method takes no filters at all; filter what it returns.
    gateway_ids = self._get_param("EgressOnlyInternetGatewayIds", [])
    filters = self._filters_from_querystring()
    for name in filters:
        if not (name.startswith("tag:") or name == "tag-key"):
            raise invalid_value(f"The filter '{name}' is invalid")
    gateways = [
        gateway for gateway in self.ec2_backend.describe_egress_only_internet_gateways(gateway_ids)
        if matches_all(gateway, filters, {})
    ]
    return ActionResult({"EgressOnlyInternetGateways": gateways})


def apply() -> None:
    add_filters(RouteBackend, "describe_route_tables", ROUTE_TABLE_FILTERS)
    add_filters(SubnetBackend, "describe_subnets", SUBNET_FILTERS)
    add_filters(VPCBackend, "describe_vpcs", VPC_FILTERS)
    add_filters(NetworkInterfaceBackend, "get_all_network_interfaces", NETWORK_INTERFACE_FILTERS)
    add_filters(InstanceBackend, "describe_instances", INSTANCE_FILTERS, post=_filter_reservations)
    add_filters(InstanceBackend, "get_reservations_by_instance_ids", INSTANCE_FILTERS, post=_filter_reservations)
    EgressOnlyInternetGateway.describe_egress_only_internet_gateways = _describe_egress_only_internet_gateways

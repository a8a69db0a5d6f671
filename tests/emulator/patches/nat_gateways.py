"""NAT gateways as AWS runs them: tags to find them by, the interface and address they hold, their states.

AWS behaviour restored (moto 5.2.5 differs as noted):
- DescribeNatGateways takes the `tag:<key>`, `tag-key` and `tag-value` filters (API reference,
  DescribeNatGateways "Filter.N"). moto ignored them and answered every gateway.
- DescribeTags calls a NAT gateway's resource type `natgateway` and finds it by that
  `resource-type` filter value (API reference, DescribeTags). moto said `nat-gateway`, so amazon.aws
  ec2_vpc_nat_gateway, which filters that way, saw no tags, re-added them and reported `changed`
  on every run.
- A gateway's network interface is AWS's: `InterfaceType` `nat_gateway`, `RequesterManaged` true,
  `Description` "Interface for NAT Gateway nat-..." (VPC User Guide, "NAT gateway basics": "we
  create a network interface ... you can view it, but you cannot modify or delete it"). moto made
  a plain interface, with no description.
- DeleteNatGateway: the gateway is `deleting`, then `deleted`; only then its interface is deleted
  and its Elastic IP disassociated (API reference, DeleteNatGateway: "Deleting a public NAT gateway
  disassociates its Elastic IP address, but does not release the address"). Meanwhile its
  interface stays in the subnet (DeleteSubnet answers DependencyViolation, with the realism
  patches of timing.py) and its address stays mapped. moto answered `deleted` at once and kept the
  interface and the association for ever. Without realism the gateway is `deleted` at once, and
  the interface and address are let go at once.
- ReleaseAddress of an address a NAT gateway holds (not yet `deleted`) answers `AuthFailure` "You
  do not have permission to access the specified resource." (kubernetes/kops#1604,
  eformat/sno-for-100#5). moto released it, taking it off the gateway.
- A route to a NAT gateway that is `deleted` is a `blackhole` (VPC User Guide, route tables:
  "blackhole ... the route's target isn't available"). moto: `active`.
- Realism only: CreateNatGateway answers `pending`; the gateway is `available` P s later
  (pending_delay, as instances), and `deleting` lasts P s too (API reference, NatGateway "State":
  pending | failed | available | deleting | deleted; AWS takes minutes for each).
"""

from __future__ import annotations

from typing import Any

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.elastic_ip_addresses import ElasticAddressBackend
from moto.ec2.models.nat_gateways import NatGateway, NatGatewayBackend
from moto.ec2.models import tags as moto_tags
from moto.ec2.models.route_tables import Route
from moto.ec2.utils import tag_filter_matches

from ..realism import active, schedule
from ._common import bind, wrap

TAG_FILTERS = ("tag-key", "tag-value")
GONE = ("deleted",)


def _is_tag_filter(name: str) -> bool:
    return name.startswith("tag:") or name in TAG_FILTERS


def _describe_nat_gateways(original: Any) -> Any:
    def patched(self: NatGatewayBackend, filters: Any, nat_gateway_ids: list[str] | None) -> list[NatGateway]:
        filters = filters or {}
        tags = {k: v for k, v in filters.items() if _is_tag_filter(k)}
        gateways = original(self, {k: v for k, v in filters.items() if not _is_tag_filter(k)} or None, nat_gateway_ids)
        return [g for g in gateways if all(tag_filter_matches(g, name, values) for name, values in tags.items())]
    return patched


def _let_go(gateway: NatGateway) -> None:
    """The end of a deletion: `deleted`, the interface deleted, the Elastic IP disassociated."""
    gateway.state = "deleted"
    backend = gateway.ec2_backend
    eni = gateway._eni  # pylint: disable=protected-access
    for eip in list(backend.addresses):
        if eip.eni is eni:
            backend.disassociate_address(address=eip.public_ip)
    if backend.enis.get(eni.id) is eni:
        eni.delete()


def _create_nat_gateway(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> NatGateway:
        gateway = original(*args, **kwargs)
        eni = gateway._eni  # pylint: disable=protected-access
        eni.interface_type = "nat_gateway"
        eni.requester_managed = True
        eni.description = f"Interface for NAT Gateway {gateway.id}"
        state = active()
        if state is not None:
            gateway.state = "pending"

            def available() -> None:
                if gateway.state == "pending":
                    gateway.state = "available"
            schedule(state.settings.pending_delay, available)
        return gateway
    return patched


def _delete_nat_gateway(original: Any) -> Any:
    def patched(self: NatGatewayBackend, nat_gateway_id: str) -> NatGateway:
        gateway = self.nat_gateways.get(nat_gateway_id)
        if gateway is None or gateway.state in GONE:
            return original(self, nat_gateway_id)
        state = active()
        if state is None:
            original(self, nat_gateway_id)
            _let_go(gateway)
            return gateway
        gateway.state = "deleting"

        def deleted() -> None:
            if gateway.state == "deleting":
                _let_go(gateway)
        schedule(state.settings.pending_delay, deleted)
        return gateway
    return patched


def _release_address(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> None:
        arguments = bind(original, *args, **kwargs).arguments
        backend, address, allocation_id = arguments["self"], arguments.get("address"), arguments.get("allocation_id")
        eips = backend.address_by_ip([address]) if address else backend.address_by_allocation([allocation_id]) if allocation_id else []
        held = {g._eni.id for g in backend.nat_gateways.values() if g.state not in GONE}  # pylint: disable=protected-access
        if any(eip.eni is not None and eip.eni.id in held for eip in eips):
            raise EC2ClientError("AuthFailure", "You do not have permission to access the specified resource.")
        return original(*args, **kwargs)
    return patched


def apply() -> None:
    moto_tags.EC2_PREFIX_TO_RESOURCE["nat"] = "natgateway"
    wrap(NatGatewayBackend, "describe_nat_gateways", _describe_nat_gateways)
    wrap(NatGatewayBackend, "create_nat_gateway", _create_nat_gateway)
    wrap(NatGatewayBackend, "delete_nat_gateway", _delete_nat_gateway)
    wrap(ElasticAddressBackend, "release_address", _release_address)
    # After routes.py, which made the state a property (blackhole for a deleted egress-only gateway).
    earlier = Route.state.fget  # type: ignore[attr-defined]

    def state(self: Route) -> str:
        if self.nat_gateway is not None and self.nat_gateway.state in GONE:
            return "blackhole"
        return earlier(self)
    Route.state = property(state)  # type: ignore[assignment,method-assign]

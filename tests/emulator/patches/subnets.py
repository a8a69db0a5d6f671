"""Subnet IPv6 fixes: the association state's shape, EnableDns64, and IPv6 CIDR validation."""

from __future__ import annotations

import ipaddress
from typing import Any

from moto.ec2.exceptions import InvalidSubnetConflictError, InvalidSubnetRangeError
from moto.ec2.models.subnets import Subnet, SubnetBackend
from moto.ec2.responses.subnets import Subnets

from ._common import bind, canonical_network, wrap


def _ipv6_cidr_block_association_set(self: Subnet) -> list[dict[str, Any]]:
    """DescribeSubnets' `Ipv6CidrBlockAssociationSet`.

    AWS (API reference, SubnetIpv6CidrBlockAssociation): `Ipv6CidrBlockState` is a structure,
    `{"State": "associated" | "disassociated" | ...}`; an association that was removed stays listed
    with its state, which is why clients (amazon.aws ec2_vpc_subnet, Terraform) pick the entry whose
    state is `associated`, and why the `ipv6-cidr-block-association.state` filter can match
    `disassociated`.
    moto 5.2.5 nests the whole state dict one level too deep, so the response carries the string
    `"{'State': 'associated'}"` as the state (amazon.aws then sees a subnet without IPv6), and it
    hides disassociated entries.
    """
    return [
        {
            "AssociationId": association["associationId"],
            "Ipv6CidrBlock": association["ipv6CidrBlock"],
            "Ipv6CidrBlockState": {"State": association["ipv6CidrBlockState"]["State"]},
        }
        for association in self.ipv6_cidr_block_associations.values()
    ]


def _modify_subnet_attribute(original: Any) -> Any:
    """ModifySubnetAttribute `EnableDns64`.

    AWS: `EnableDns64` ("Indicates whether DNS queries made to the Amazon-provided DNS Resolver in
    this subnet should return synthetic IPv6 addresses for IPv4-only destinations") is stored and
    returned by DescribeSubnets as `EnableDns64`.
    moto 5.2.5 accepts the call, drops the value, and never returns the field.
    """
    def patched(self: Subnets) -> Any:
        result = original(self)
        value = self._get_param("EnableDns64.Value")
        if value is not None:
            subnet = self.ec2_backend.get_subnet(self._get_param("SubnetId"))
            subnet.enable_dns64 = value in (True, "true", "True")
        return result
    return patched


def _check_ipv6_cidr(backend: Any, vpc_id: str, cidr: str, subnet_id: str | None = None) -> str:
    """The subnet IPv6 CIDR `cidr`, canonical; AWS's error when the VPC cannot take it.

    AWS (CreateSubnet / AssociateSubnetCidrBlock): a subnet's IPv6 block is a /64 of one of the
    VPC's IPv6 blocks, else `InvalidSubnet.Range`; a /64 already used by another subnet of the VPC
    gives `InvalidSubnet.Conflict`. moto 5.2.5 accepts any block, even one outside the VPC.
    """
    canonical = canonical_network(cidr, "ipv6CidrBlock")
    network = ipaddress.ip_network(canonical)
    if network.version != 6 or network.prefixlen != 64:
        raise InvalidSubnetRangeError(cidr)
    vpc_blocks = [
        ipaddress.ip_network(association["cidr_block"])
        for association in backend.get_vpc(vpc_id).get_cidr_block_association_set(ipv6=True)
        if association["cidr_block_state"]["state"] == "associated"
    ]
    if not any(network.subnet_of(block) for block in vpc_blocks):  # type: ignore[arg-type]
        raise InvalidSubnetRangeError(cidr)
    for other in backend.describe_subnets(filters={"vpc-id": [vpc_id]}):
        if other.id == subnet_id:
            continue
        for association in other.ipv6_cidr_block_associations.values():
            live = association["ipv6CidrBlockState"]["State"] in ("associating", "associated")
            if live and ipaddress.ip_network(association["ipv6CidrBlock"]).overlaps(network):
                raise InvalidSubnetConflictError(cidr)
    return canonical


def _create_subnet(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> Any:
        bound = bind(original, *args, **kwargs)
        if bound.arguments.get("ipv6_cidr_block"):
            backend = bound.arguments["self"]
            bound.arguments["ipv6_cidr_block"] = _check_ipv6_cidr(backend, bound.arguments["vpc_id"], bound.arguments["ipv6_cidr_block"])
        return original(*bound.args, **bound.kwargs)
    return patched


def _associate_subnet_cidr_block(original: Any) -> Any:
    def patched(self: Any, subnet_id: str, ipv6_cidr_block: str) -> Any:
        subnet = self.get_subnet(subnet_id)
        return original(self, subnet_id, _check_ipv6_cidr(self, subnet.vpc_id, ipv6_cidr_block, subnet_id))
    return patched


def apply() -> None:
    Subnet.ipv6_cidr_block_association_set = property(_ipv6_cidr_block_association_set)  # type: ignore[assignment]
    # An immutable class-level default: subnets created before the patch answer False too.
    Subnet.enable_dns64 = False  # type: ignore[attr-defined]
    wrap(Subnets, "modify_subnet_attribute", _modify_subnet_attribute)
    wrap(SubnetBackend, "create_subnet", _create_subnet)
    wrap(SubnetBackend, "associate_subnet_cidr_block", _associate_subnet_cidr_block)

"""Validations AWS makes and moto 5.2.5 does not (always on: no existing caller trips them).

- CreateSecurityGroup: "Constraints: Up to 255 characters in length. Cannot start with sg-." (API
  reference). AWS answers InvalidParameterValue "Value (sg-...) for parameter GroupName is invalid.
  Group names may not be in the format sg-*." (quoted in pulumi/pulumi-awsx#328).
- DisassociateSubnetCidrBlock: "You must detach or delete all gateways and resources that are
  associated with the CIDR block before you can disassociate it" (API reference). AWS answers
  InvalidCidrBlock.InUse "The subnet IPv6 CIDR block with association ID ... may not be
  disassociated, because its subnet has assign-ipv6-address-on-creation set to true." (quoted in
  terraform-provider-aws #1519, #46017); for addresses still held by an interface the code is the
  same, the message ours (AWS's text is not documented).
moto 5.2.5 accepts both.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from moto.ec2.exceptions import EC2ClientError, InvalidSubnetCidrBlockAssociationID
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.ec2.models.subnets import SubnetBackend

from ._common import bind, invalid_value, wrap


def _create_security_group(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> Any:
        name = str(bind(original, *args, **kwargs).arguments.get("name") or "")
        if name.startswith("sg-"):
            raise invalid_value(f"Value ({name}) for parameter GroupName is invalid. Group names may not be in the format sg-*.")
        return original(*args, **kwargs)
    return patched


def _in_use(backend: Any, subnet: Any, block: ipaddress.IPv6Network) -> list[str]:
    """Interfaces of `subnet` holding addresses or delegated prefixes of `block`."""
    holders = []
    for eni in list(backend.enis.values()):
        if eni.subnet.id != subnet.id:
            continue
        held = [ipaddress.IPv6Address(a) for a in eni.ipv6_addresses]
        held += [ipaddress.IPv6Network(p).network_address for p in getattr(eni, "delegated_ipv6_prefixes", ())]
        if any(address in block for address in held):
            holders.append(eni.id)
    return holders


def _disassociate_subnet_cidr_block(original: Any) -> Any:
    def patched(self: SubnetBackend, association_id: str) -> Any:
        subnet = self.get_subnet_from_ipv6_association(association_id)
        if subnet is None:
            raise InvalidSubnetCidrBlockAssociationID(association_id)
        association = subnet.ipv6_cidr_block_associations[association_id]
        if association["ipv6CidrBlockState"]["State"] in ("associating", "associated"):
            prefix = f"The subnet IPv6 CIDR block with association ID {association_id} may not be disassociated, because"
            if subnet.assign_ipv6_address_on_creation in (True, "true", "True"):
                raise EC2ClientError("InvalidCidrBlock.InUse", f"{prefix} its subnet has assign-ipv6-address-on-creation set to true.")
            holders = _in_use(self, subnet, ipaddress.IPv6Network(association["ipv6CidrBlock"]))
            if holders:
                raise EC2ClientError("InvalidCidrBlock.InUse", f"{prefix} network interfaces use its addresses: {', '.join(holders)}.")
        return original(self, association_id)
    return patched


def apply() -> None:
    wrap(SecurityGroupBackend, "create_security_group", _create_security_group)
    wrap(SubnetBackend, "disassociate_subnet_cidr_block", _disassociate_subnet_cidr_block)

"""Realism in time: asynchronous states and the interfaces a terminated instance leaves behind.

Every patch here acts only for calls served with realism (realism.active()); without it moto's
behaviour is untouched. Delays come from the serving emulator's `Realism` settings; the state
changes happen through realism.schedule, i.e. at the first request after their time.

AWS behaviour followed (README.md, "Realism", cites the pages):
- IPv6 blocks: AssociateVpcCidrBlock / AssociateSubnetCidrBlock (and CreateVpc with
  AmazonProvidedIpv6CidrBlock, CreateSubnet with Ipv6CidrBlock) answer `associating`; the block
  becomes `associated` later; DisassociateSubnetCidrBlock answers `disassociating`. A subnet whose
  /64 is not `associated` refuses AssignIpv6AddressOnCreation=true (terraform-provider-aws #24681).
- Instances are `pending` before `running`: AssociateAddress refuses a pending instance,
  StopInstances one that never reached `running`.
- TerminateInstances: the instance's interfaces (and their addresses, public ones included) stay
  for a while: interfaces created at launch (DeleteOnTermination true, AWS's default for them) are
  then deleted, others detached. Meanwhile DeleteSecurityGroup, DeleteSubnet, DeleteVpc and
  DetachInternetGateway answer `DependencyViolation` (hashicorp/terraform #11047, #1303).
- DeleteVpc also refuses while an internet gateway is attached, an egress-only internet gateway or
  a non-default security group remains (DeleteVpc: "You must detach or delete all gateways and
  resources that are associated with the VPC before you can delete it").
"""

from __future__ import annotations

from typing import Any

from moto.ec2.exceptions import DependencyViolationError, EC2ClientError
from moto.ec2.models.elastic_ip_addresses import ElasticAddressBackend
from moto.ec2.models.instances import Instance, InstanceBackend, InstanceState
from moto.ec2.models.internet_gateways import InternetGatewayBackend
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.ec2.models.subnets import Subnet, SubnetBackend
from moto.ec2.models.vpcs import VPC, VPCBackend

from ..realism import active, schedule
from ._common import bind, invalid_value, wrap

ASSOCIATING, ASSOCIATED = "associating", "associated"


# --- IPv6 blocks: associating -> associated ---------------------------------------------------

def _vpc_associate(original: Any) -> Any:
    def patched(self: VPC, *args: Any, **kwargs: Any) -> dict[str, Any]:
        association = original(self, *args, **kwargs)
        state = active()
        if state is not None and "::/" in str(association.get("cidr_block")):
            association["cidr_block_state"]["state"] = ASSOCIATING

            def associated() -> None:
                if association["cidr_block_state"]["state"] == ASSOCIATING:
                    association["cidr_block_state"]["state"] = ASSOCIATED
            schedule(state.settings.associate_delay, associated)
        return association
    return patched


def _subnet_state(association: dict[str, Any], now: str, then: str, delay: float) -> None:
    association["ipv6CidrBlockState"] = {"State": now}

    def change() -> None:
        if association["ipv6CidrBlockState"]["State"] == now:
            association["ipv6CidrBlockState"] = {"State": then}
    schedule(delay, change)


def _subnet_attach(original: Any) -> Any:
    def patched(self: Subnet, ipv6_cidr_block: str) -> dict[str, Any]:
        association = original(self, ipv6_cidr_block)
        state = active()
        if state is not None:
            _subnet_state(association, ASSOCIATING, ASSOCIATED, state.settings.associate_delay)
        return association
    return patched


def _subnet_detach(original: Any) -> Any:
    def patched(self: Subnet, association_id: str) -> dict[str, Any]:
        association = original(self, association_id)
        state = active()
        if state is not None:
            _subnet_state(association, "disassociating", "disassociated", state.settings.associate_delay)
        return association
    return patched


def _modify_subnet_attribute(original: Any) -> Any:
    """AWS: "Invalid value 'true' for assign-ipv6-address-on-creation. Cannot set
    assign-ipv6-address-on-creation to true unless the subnet (subnet-...) has an IPv6 CIDR block
    associated with it." (InvalidParameterValue; quoted in terraform-aws-modules/terraform-aws-vpc#735,
    the race of terraform-provider-aws #24681)."""
    def patched(self: SubnetBackend, subnet_id: str, attr_name: str, attr_value: Any) -> None:
        if active() is not None and attr_name == "assign_ipv6_address_on_creation" and attr_value in (True, "true", "True"):
            subnet = self.get_subnet(subnet_id)
            states = [a["ipv6CidrBlockState"]["State"] for a in subnet.ipv6_cidr_block_associations.values()]
            if ASSOCIATED not in states:
                raise invalid_value(
                    "Invalid value 'true' for assign-ipv6-address-on-creation. Cannot set assign-ipv6-address-on-creation "
                    f"to true unless the subnet ({subnet_id}) has an IPv6 CIDR block associated with it.")
        return original(self, subnet_id, attr_name, attr_value)
    return patched


# --- instances: pending -> running ------------------------------------------------------------

def _launch_flag(value: Any) -> bool:
    return str(value).lower() != "false"


def _run_instances(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> Any:
        reservation = original(*args, **kwargs)
        state = active()
        if state is None:
            return reservation
        specs = {int(nic.get("DeviceIndex", 0)): nic for nic in bind(original, *args, **kwargs).arguments["kwargs"].get("nics") or []}
        for instance in reservation.instances:
            # Interfaces this launch created are deleted with the instance unless the request says
            # otherwise (AWS's default; moto defaulted to keeping them).
            for index, nic in instance.nics.items():
                spec = specs.get(index, {})
                if not spec.get("NetworkInterfaceId"):
                    nic.delete_on_termination = _launch_flag(spec.get("DeleteOnTermination", True))
            instance._state = InstanceState("pending", 0)  # pylint: disable=protected-access

            def running(instance: Instance = instance) -> None:
                if instance.state == "pending":
                    instance._state = InstanceState("running", 16)  # pylint: disable=protected-access
            schedule(state.settings.pending_delay, running)
        return reservation
    return patched


def _stop_instances(original: Any) -> Any:
    """AWS (cloud-custodian/cloud-custodian#6014): "IncorrectInstanceState: Instance 'i-...' cannot be
    stopped as it has never reached the 'running' state." """
    def patched(self: InstanceBackend, instance_ids: list[str]) -> Any:
        if active() is not None:
            for instance in self.get_multi_instances_by_id(instance_ids):
                if instance.state == "pending":
                    raise EC2ClientError("IncorrectInstanceState",
                                         f"Instance '{instance.id}' cannot be stopped as it has never reached the 'running' state.")
        return original(self, instance_ids)
    return patched


def _associate_address(original: Any) -> Any:
    """AWS (terraform-provider-aws #3072): "InvalidInstanceID: The pending instance 'i-...' is not in a
    valid state for this operation."; by interface: "IncorrectInstanceState: The
    pending-instance-creation instance to which 'eni-...' is attached is not in a valid state for
    this operation." """
    def patched(*args: Any, **kwargs: Any) -> Any:
        if active() is not None:
            arguments = bind(original, *args, **kwargs).arguments
            instance, eni = arguments.get("instance"), arguments.get("eni")
            if instance is not None and instance.state == "pending":
                raise EC2ClientError("InvalidInstanceID", f"The pending instance '{instance.id}' is not in a valid state for this operation.")
            if eni is not None and eni.instance is not None and eni.instance.state == "pending":
                raise EC2ClientError("IncorrectInstanceState",
                                     f"The pending-instance-creation instance to which '{eni.id}' is attached is not in a valid state for this operation.")
        return original(*args, **kwargs)
    return patched


# --- termination: interfaces linger -------------------------------------------------------------

def _release(backend: Any, instance: Instance, nics: list[Any]) -> None:
    """The end of the linger: public addresses unmapped, launch interfaces deleted, others detached."""
    for nic in nics:
        for eip in list(backend.addresses):
            if eip.eni is nic:
                backend.disassociate_address(address=eip.public_ip)
        nic.public_ip = None
        if nic.delete_on_termination:
            if backend.enis.get(nic.id) is nic:
                nic.delete()
        elif nic.instance is instance:
            instance.detach_eni(nic)


def _terminate(original: Any) -> Any:
    def patched(self: Instance) -> InstanceState:
        state = active()
        if state is None or self.state == "terminated":
            return original(self)
        nics = list(self.nics.values())
        kept = {nic.id: (nic.delete_on_termination, nic.public_ip) for nic in nics}
        for nic in nics:
            nic.delete_on_termination = False  # moto would delete them at once
        previous = original(self)
        for nic in nics:
            nic.delete_on_termination, nic.public_ip = kept[nic.id]
        backend = self.ec2_backend
        schedule(state.settings.eni_linger, lambda: _release(backend, self, nics))
        return previous
    return patched


# --- deletes that wait for dependents -------------------------------------------------------------

def _enis(backend: Any, vpc_id: str | None = None, subnet_id: str | None = None) -> list[Any]:
    return [eni for eni in list(backend.enis.values())
            if (vpc_id is None or eni.subnet.vpc_id == vpc_id) and (subnet_id is None or eni.subnet.id == subnet_id)]


def _delete_security_group(original: Any) -> Any:
    def patched(self: SecurityGroupBackend, name: str | None = None, group_id: str | None = None) -> None:
        if active() is not None:
            group = self.get_security_group_from_id(group_id) if group_id else self.get_security_group_by_name_or_id(name)  # type: ignore[attr-defined]
            if group is not None and any(group.id in {g.id for g in eni.group_set} for eni in _enis(self)):
                raise DependencyViolationError(f"resource {group.id} has a dependent object")
        return original(self, name=name, group_id=group_id)
    return patched


def _delete_subnet(original: Any) -> Any:
    def patched(self: SubnetBackend, subnet_id: str) -> Any:
        if active() is not None and _enis(self, subnet_id=subnet_id):
            raise DependencyViolationError(f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
        return original(self, subnet_id)
    return patched


def _delete_vpc(original: Any) -> Any:
    def patched(self: VPCBackend, vpc_id: str) -> Any:
        if active() is not None:
            self.get_vpc(vpc_id)
            gateways = [g for g in self.internet_gateways.values() if g.vpc is not None and g.vpc.id == vpc_id]  # type: ignore[attr-defined]
            egress = [g for g in self.egress_only_internet_gateways.values() if g.vpc_id == vpc_id]  # type: ignore[attr-defined]
            groups = [g for g in self.groups.get(vpc_id, {}).values() if g.name != "default"]  # type: ignore[attr-defined]
            if _enis(self, vpc_id=vpc_id) or gateways or egress or groups:
                raise DependencyViolationError(f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")
        return original(self, vpc_id)
    return patched


def _detach_internet_gateway(original: Any) -> Any:
    def patched(self: InternetGatewayBackend, internet_gateway_id: str, vpc_id: str) -> None:
        if active() is not None and any(eni.public_ip for eni in _enis(self, vpc_id=vpc_id)):
            raise DependencyViolationError(
                f"Network {vpc_id} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.")
        return original(self, internet_gateway_id, vpc_id)
    return patched


def apply() -> None:
    wrap(VPC, "associate_vpc_cidr_block", _vpc_associate)
    wrap(Subnet, "attach_ipv6_cidr_block_associations", _subnet_attach)
    wrap(Subnet, "detach_subnet_cidr_block", _subnet_detach)
    wrap(SubnetBackend, "modify_subnet_attribute", _modify_subnet_attribute)
    wrap(InstanceBackend, "run_instances", _run_instances)
    wrap(InstanceBackend, "stop_instances", _stop_instances)
    wrap(ElasticAddressBackend, "associate_address", _associate_address)
    wrap(Instance, "terminate", _terminate)
    wrap(SecurityGroupBackend, "delete_security_group", _delete_security_group)
    wrap(SubnetBackend, "delete_subnet", _delete_subnet)
    wrap(VPCBackend, "delete_vpc", _delete_vpc)
    wrap(InternetGatewayBackend, "detach_internet_gateway", _detach_internet_gateway)

"""IPv6 addresses and delegated /80 prefixes on network interfaces (RunInstances,
CreateNetworkInterface, AssignIpv6Addresses, UnassignIpv6Addresses, the Describe calls).

AWS (API reference and "Assign prefixes to network interfaces", EC2 User Guide):
- An interface's IPv6 addresses come from its subnet's /64: explicit (`Ipv6Addresses`), by count
  (`Ipv6AddressCount`, 0 included), or, when the request names neither, one address if the subnet
  has `AssignIpv6AddressOnCreation` ("network interfaces created in the specified subnet should be
  assigned an IPv6 address. This includes a network interface that's created when launching an
  instance"). At launch these options may sit at the top level of RunInstances or inside
  `NetworkInterfaces[]`, never both ("You cannot specify this option and the network interfaces
  option in the same request"); inside one interface only one of Ipv6Addresses, Ipv6AddressCount,
  Ipv6Prefixes, Ipv6PrefixCount may be given.
- Prefix delegation (`Ipv6PrefixCount`/`Ipv6Prefixes`, at launch or with AssignIpv6Addresses) gives
  /80s of the subnet's /64 that overlap no other prefix or address in use; it is for instances built
  on the Nitro System. UnassignIpv6Addresses takes `Ipv6Addresses` and `Ipv6Prefixes`.
- Prefixes appear as `Ipv6Prefixes: [{Ipv6Prefix: ...}]` in DescribeNetworkInterfaces and in
  DescribeInstances' `NetworkInterfaces`. AssignIpv6Addresses' `AssignedIpv6Addresses` lists "the
  new IPv6 addresses ... Existing IPv6 addresses ... are not included".

moto 5.2.5: ignores every IPv6 option inside `NetworkInterfaces[]`, the top-level `Ipv6Addresses`,
the subnet's `AssignIpv6AddressOnCreation` and all prefix options; AssignIpv6Addresses echoes every
address of the interface; addresses are drawn from the subnet's first block even when it was
disassociated, explicit ones are not checked against the subnet or other interfaces, and
UnassignIpv6Addresses ignores `Ipv6Prefixes` and non-canonical spellings.

Error codes below are AWS's (InvalidParameterValue, InvalidParameterCombination,
InvalidIPAddress.InUse, InsufficientFreeAddressesInSubnet); their message texts are approximations
except `ONE_IPV6_OPTION`, AWS's answer to an interface with more than one IPv6 option at launch as
quoted in aws/karpenter-provider-aws#2187 (CreateNetworkInterface documents the same exclusivity).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError, InvalidParameterCombination
from moto.ec2.models.elastic_network_interfaces import NetworkInterface
from moto.ec2.models.instance_types import INSTANCE_TYPES
from moto.ec2.responses.elastic_network_interfaces import ElasticNetworkInterfaces
from moto.ec2.responses.instances import InstanceResponse
from moto.moto_api._internal import mock_random

from ..realism import active
from ._common import canonical_address, canonical_network, invalid_value, wrap

PREFIX_LENGTH = 80
_ATTEMPTS = 1000
# The message AWS gives when one interface names more than one IPv6 option at launch.
ONE_IPV6_OPTION = "You can and can only specify one of ipv6-addresses or ipv6-addresses-count  ipv6-prefix and ipv6-prefix-count."


def _texts(items: Any, key: str) -> list[str]:
    """`["a"]` or `[{key: "a"}]` (request shapes differ between calls) as `["a"]`."""
    return [item[key] if isinstance(item, dict) else item for item in (items or [])]


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass
class Ipv6Request:
    """The IPv6 options of one network interface in a request."""

    address_count: int | None = None
    addresses: list[str] = field(default_factory=list)
    prefix_count: int | None = None
    prefixes: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Ipv6Request:
        return cls(
            address_count=_int(params.get("Ipv6AddressCount")),
            addresses=[canonical_address(a) for a in _texts(params.get("Ipv6Addresses"), "Ipv6Address")],
            prefix_count=_int(params.get("Ipv6PrefixCount")),
            prefixes=[canonical_network(p, "ipv6Prefix") for p in _texts(params.get("Ipv6Prefixes"), "Ipv6Prefix")],
        )

    @property
    def empty(self) -> bool:
        return self.address_count is None and not self.addresses and self.prefix_count is None and not self.prefixes

    @property
    def wants_prefixes(self) -> bool:
        return bool(self.prefix_count or self.prefixes)

    def check_launch(self) -> None:
        given = [self.address_count is not None, bool(self.addresses), self.prefix_count is not None, bool(self.prefixes)]
        if sum(given) > 1:
            raise invalid_value(ONE_IPV6_OPTION)


def _prefix_list(self: NetworkInterface) -> list[dict[str, str]]:
    return [{"Ipv6Prefix": prefix} for prefix in self.delegated_ipv6_prefixes]  # type: ignore[attr-defined]


def _associated_block(subnet: Any) -> ipaddress.IPv6Network | None:
    for association in subnet.ipv6_cidr_block_associations.values():
        if association["ipv6CidrBlockState"]["State"] == "associated":
            return ipaddress.IPv6Network(association["ipv6CidrBlock"])
    return None


def subnet_ipv6_block(subnet: Any) -> ipaddress.IPv6Network:
    block = _associated_block(subnet)
    if block is not None:
        return block
    raise invalid_value(f"The subnet {subnet.id} has no IPv6 CIDR block; it cannot give IPv6 addresses or prefixes.")


def _in_use(backend: Any, subnet: Any, exclude: Any = None) -> tuple[set[ipaddress.IPv6Address], list[ipaddress.IPv6Network]]:
    """IPv6 addresses and prefixes held by the interfaces of `subnet` (but `exclude`)."""
    addresses: set[ipaddress.IPv6Address] = set()
    prefixes: list[ipaddress.IPv6Network] = []
    for eni in backend.enis.values():
        if eni is exclude or eni.subnet.id != subnet.id:
            continue
        addresses.update(ipaddress.IPv6Address(a) for a in eni.ipv6_addresses)
        prefixes.extend(ipaddress.IPv6Network(p) for p in eni.delegated_ipv6_prefixes)
    return addresses, prefixes


def _free_address(block: ipaddress.IPv6Network, addresses: set[ipaddress.IPv6Address], prefixes: list[ipaddress.IPv6Network],
                  address: ipaddress.IPv6Address) -> bool:
    # AWS reserves the first four and the last address of a subnet's block.
    offset = int(address) - int(block.network_address)
    reserved = offset < 4 or address == block.broadcast_address
    return address in block and not reserved and address not in addresses and not any(address in p for p in prefixes)


def _free_prefix(block: ipaddress.IPv6Network, addresses: set[ipaddress.IPv6Address], prefixes: list[ipaddress.IPv6Network],
                 prefix: ipaddress.IPv6Network) -> bool:
    reserved = prefix.network_address == block.network_address or prefix.broadcast_address == block.broadcast_address
    return (prefix.prefixlen == PREFIX_LENGTH and prefix.subnet_of(block) and not reserved
            and not any(prefix.overlaps(p) for p in prefixes) and not any(a in prefix for a in addresses))


def check_address_limit(instance_type: str | None, held: int, adding: int) -> None:
    """With realism: refuse more IPv6 addresses on one interface than the instance type takes.

    AWS (AssignIpv6Addresses): "You can assign as many IPv6 addresses to a network interface as you
    can assign private IPv4 addresses, and the limit varies per instance type"; DescribeInstanceTypes
    gives it as NetworkInfo.Ipv6AddressesPerInterface (0 where IPv6 is not supported). The error code
    is AWS's usual InvalidParameterValue, the message ours. Realism-only: the stock emulator lets
    moto's default type (m1.small, no IPv6) take addresses, and existing tests rely on that.
    """
    if active() is None or instance_type is None or not adding:
        return
    limit = INSTANCE_TYPES.get(instance_type, {}).get("NetworkInfo", {}).get("Ipv6AddressesPerInterface")
    if limit is not None and held + adding > limit:
        raise invalid_value(f"The instance type {instance_type} supports at most {limit} IPv6 addresses per network interface; "
                            f"the interface would have {held + adding}.")


def check_request(backend: Any, subnet: Any, request: Ipv6Request, instance_type: str | None, exclude: Any = None) -> None:
    """Raise AWS's error if `request` cannot be met on an interface of `subnet`."""
    if request.empty:
        return
    held = len(exclude.ipv6_addresses) if exclude is not None else 0
    check_address_limit(instance_type, held, len([a for a in request.addresses if exclude is None or a not in exclude.ipv6_addresses])
                        + (request.address_count or 0))
    if request.wants_prefixes and instance_type is not None and INSTANCE_TYPES.get(instance_type, {}).get("Hypervisor") != "nitro":
        raise invalid_value(f"Prefix delegation is supported only on instances built on the Nitro System; {instance_type} is not one.")
    if not request.addresses and not request.prefixes and not request.address_count and not request.prefix_count:
        return
    block = subnet_ipv6_block(subnet)
    addresses, prefixes = _in_use(backend, subnet, exclude)
    for text in request.addresses:
        address = ipaddress.IPv6Address(text)
        if address not in block:
            raise invalid_value(f"Address {text} does not fall within the subnet's address range {block}.")
        if not _free_address(block, addresses, prefixes, address):
            raise EC2ClientError("InvalidIPAddress.InUse", f"Address {text} is in use.")
    for text in request.prefixes:
        prefix = ipaddress.ip_network(text)
        if prefix.version != 6 or prefix.prefixlen != PREFIX_LENGTH or not prefix.subnet_of(block):  # type: ignore[arg-type]
            raise invalid_value(f"Prefix {text} is not a /{PREFIX_LENGTH} of the subnet's IPv6 block {block}.")
        if not _free_prefix(block, addresses, prefixes, prefix):
            raise EC2ClientError("InvalidIPAddress.InUse", f"Prefix {text} overlaps addresses or prefixes in use.")


def _pick(candidate: Any, free: Any) -> Any:
    for _attempt in range(_ATTEMPTS):
        value = candidate()
        if free(value):
            return value
    raise EC2ClientError("InsufficientFreeAddressesInSubnet", "The specified subnet does not have enough free addresses to satisfy the request.")


def _random_address(block: ipaddress.IPv6Network) -> ipaddress.IPv6Address:
    return block.network_address + mock_random.getrandbits(128 - block.prefixlen)


def _random_prefix(block: ipaddress.IPv6Network) -> ipaddress.IPv6Network:
    index = mock_random.getrandbits(PREFIX_LENGTH - block.prefixlen)
    return ipaddress.IPv6Network((int(block.network_address) + (index << (128 - PREFIX_LENGTH)), PREFIX_LENGTH))


def add_to_interface(backend: Any, eni: Any, request: Ipv6Request) -> tuple[list[str], list[str]]:
    """Give `eni` what `request` asks for; returns the new addresses and prefixes."""
    instance_type = eni.instance.instance_type if eni.instance is not None else None
    check_request(backend, eni.subnet, request, instance_type, exclude=eni)
    new_addresses = [a for a in request.addresses if a not in eni.ipv6_addresses]
    new_prefixes = [p for p in request.prefixes if p not in eni.delegated_ipv6_prefixes]
    if request.address_count or request.prefix_count:
        block = subnet_ipv6_block(eni.subnet)
        addresses, prefixes = _in_use(backend, eni.subnet)
        addresses.update(ipaddress.IPv6Address(a) for a in new_addresses)
        prefixes.extend(ipaddress.IPv6Network(p) for p in new_prefixes)
        while len(new_addresses) < (request.address_count or 0):
            address = _pick(lambda: _random_address(block), lambda a: _free_address(block, addresses, prefixes, a))
            addresses.add(address)
            new_addresses.append(str(address))
        while len(new_prefixes) < (request.prefix_count or 0):
            prefix = _pick(lambda: _random_prefix(block), lambda p: _free_prefix(block, addresses, prefixes, p))
            prefixes.append(prefix)
            new_prefixes.append(str(prefix))
    eni.ipv6_addresses.extend(new_addresses)
    eni.delegated_ipv6_prefixes = (*eni.delegated_ipv6_prefixes, *new_prefixes)
    return new_addresses, new_prefixes


def set_up_new_interface(backend: Any, eni: Any, request: Ipv6Request) -> None:
    """IPv6 of an interface created by this request, replacing what moto picked on its own."""
    eni.ipv6_addresses = []
    eni.delegated_ipv6_prefixes = ()
    auto_assign = eni.subnet.assign_ipv6_address_on_creation and _associated_block(eni.subnet) is not None
    if request.address_count is None and not request.addresses and auto_assign:
        request = Ipv6Request(address_count=1, prefix_count=request.prefix_count, prefixes=request.prefixes)
    add_to_interface(backend, eni, request)


def _run_instances(original: Any) -> Any:
    def patched(self: InstanceResponse) -> Any:
        nics = self._get_param("NetworkInterfaces", []) or []
        top = Ipv6Request.from_params({"Ipv6AddressCount": self._get_param("Ipv6AddressCount"), "Ipv6Addresses": self._get_param("Ipv6Addresses", [])})
        if nics and not top.empty:
            raise InvalidParameterCombination(
                "Network interfaces and an instance-level IPv6 address count or addresses may not be specified on the same request")
        if top.address_count is not None and top.addresses:
            raise InvalidParameterCombination("The parameters Ipv6AddressCount and Ipv6Addresses cannot be specified together")
        # By device index: the interfaces this launch creates (not those attached by id) and their subnets.
        requests = {int(nic.get("DeviceIndex", 0)): Ipv6Request.from_params(nic) for nic in nics if not nic.get("NetworkInterfaceId")}
        subnets = {int(nic.get("DeviceIndex", 0)): nic.get("SubnetId") for nic in nics}
        if not nics:
            requests[0], subnets[0] = top, self._get_param("SubnetId")
        instance_type = self._get_param("InstanceType") or "m1.small"  # RunInstances' default type
        for device_index, request in requests.items():
            request.check_launch()
            if subnets[device_index]:
                subnet = self.ec2_backend.get_subnet(subnets[device_index])
                check_request(self.ec2_backend, subnet, request, instance_type)
                if request.address_count is None and not request.addresses and subnet.assign_ipv6_address_on_creation:
                    check_address_limit(instance_type, 0, 1)  # the address the subnet assigns
        result = original(self)
        for instance in result.result.instances:
            for device_index, request in requests.items():
                set_up_new_interface(self.ec2_backend, instance.nics[device_index], request)
        return result
    return patched


def _create_network_interface(original: Any) -> Any:
    def patched(self: ElasticNetworkInterfaces) -> Any:
        request = Ipv6Request.from_params({name: self._get_param(name) for name in ("Ipv6AddressCount", "Ipv6Addresses", "Ipv6PrefixCount", "Ipv6Prefixes")})
        request.check_launch()
        check_request(self.ec2_backend, self.ec2_backend.get_subnet(self._get_param("SubnetId")), request, None)
        result = original(self)
        set_up_new_interface(self.ec2_backend, result.result["NetworkInterface"], request)
        return result
    return patched


def _assign_ipv6_addresses(self: ElasticNetworkInterfaces) -> ActionResult:
    eni = self.ec2_backend.get_network_interface(self._get_param("NetworkInterfaceId"))
    request = Ipv6Request.from_params({name: self._get_param(name) for name in ("Ipv6AddressCount", "Ipv6Addresses", "Ipv6PrefixCount", "Ipv6Prefixes")})
    if request.address_count is not None and request.addresses:
        raise InvalidParameterCombination("You can't specify both Ipv6Addresses and Ipv6AddressCount.")
    if request.prefix_count is not None and request.prefixes:
        raise InvalidParameterCombination("You can't specify both Ipv6Prefixes and Ipv6PrefixCount.")
    addresses, prefixes = add_to_interface(self.ec2_backend, eni, request)
    return ActionResult({"NetworkInterfaceId": eni.id, "AssignedIpv6Addresses": addresses, "AssignedIpv6Prefixes": prefixes})


def _unassign_ipv6_addresses(self: ElasticNetworkInterfaces) -> ActionResult:
    eni = self.ec2_backend.get_network_interface(self._get_param("NetworkInterfaceId"))
    addresses = [canonical_address(a) for a in self._get_param("Ipv6Addresses", []) or []]
    prefixes = [canonical_network(p, "ipv6Prefix") for p in self._get_param("Ipv6Prefixes", []) or []]
    missing = [a for a in addresses if a not in eni.ipv6_addresses] + [p for p in prefixes if p not in eni.delegated_ipv6_prefixes]
    if missing:
        raise invalid_value(f"Some of the specified addresses are not assigned to interface {eni.id}: {', '.join(missing)}")
    eni.ipv6_addresses = [a for a in eni.ipv6_addresses if a not in addresses]
    eni.delegated_ipv6_prefixes = tuple(p for p in eni.delegated_ipv6_prefixes if p not in prefixes)
    return ActionResult({"NetworkInterfaceId": eni.id, "UnassignedIpv6Addresses": addresses, "UnassignedIpv6Prefixes": prefixes})


def apply() -> None:
    # Delegated prefixes of an interface, canonical text: an immutable class default, so interfaces
    # moto creates on its own (or created before the patch) have none.
    NetworkInterface.delegated_ipv6_prefixes = ()  # type: ignore[attr-defined]
    # The serializer looks for the attribute named after the botocore shape of `Ipv6Prefixes`:
    # `Ipv6PrefixesList` in DescribeNetworkInterfaces, `InstanceIpv6PrefixList` in DescribeInstances.
    NetworkInterface.ipv6_prefixes_list = property(_prefix_list)  # type: ignore[attr-defined]
    NetworkInterface.instance_ipv6_prefix_list = property(_prefix_list)  # type: ignore[attr-defined]
    wrap(InstanceResponse, "run_instances", _run_instances)
    wrap(ElasticNetworkInterfaces, "create_network_interface", _create_network_interface)
    ElasticNetworkInterfaces.assign_ipv6_addresses = _assign_ipv6_addresses
    ElasticNetworkInterfaces.unassign_ipv6_addresses = _unassign_ipv6_addresses

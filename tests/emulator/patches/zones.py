"""Realism in space: zone names mapped per account, per-zone instance type offerings, `Unsupported`.

Acts only for calls served with realism (realism.active()). moto ships, per region, its zones
(us-east-1: us-east-1a..f, use1-az1..az6; us-west-1 has two, as for most real accounts) and the
instance types each zone offers, from AWS's own DescribeInstanceTypeOfferings; us-east-1's
use1-az3 offers no t3 (nor most current types), as on AWS.

AWS (EC2 User Guide, "Availability Zones"; DescribeInstanceTypeOfferings; RunInstances):
- Zone names map to physical zones independently for each account; zone ids (use1-az1) are the
  same everywhere. With realism the ids are shuffled among the names, reproducibly for the seed,
  and DescribeAvailabilityZones, subnets' `AvailabilityZoneId` and CreateSubnet by zone id follow
  that map. A subnet created without a zone gets one AWS picks (here: seeded, any zone).
- DescribeInstanceTypeOfferings with LocationType `availability-zone` answers the offerings of the
  physical zone behind each name (moto's by-name data came from another account's map).
- RunInstances of a type the zone does not offer answers `Unsupported`: "Your requested instance
  type (t3.micro) is not supported in your requested Availability Zone (us-east-1e). Please retry
  your request by not specifying an Availability Zone or choosing us-east-1a, us-east-1b, ..."
  (quoted in many trackers, e.g. ned1313/Getting-Started-Terraform#44), and when no zone of the
  region offers it "The requested configuration is currently not supported. Please check the
  documentation for supported configurations." (terraform-provider-aws #9113).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend, Zone
from moto.ec2.models.instance_types import INSTANCE_TYPE_OFFERINGS, InstanceTypeOfferingBackend
from moto.ec2.models.instances import InstanceBackend
from moto.ec2.models.subnets import Subnet, SubnetBackend
from moto.utilities.utils import filter_resources

from ..realism import RealismState, active
from ._common import bind, wrap

_ZONE_ATTRIBUTES = (("zone-id", "zone_id"), ("zone-type", "zone_type"), ("zone-name", "name"), ("region-name", "region_name"), ("state", "state"))


def region_zones(region: str) -> list[Zone]:
    """moto's availability zones of `region` (local and wavelength zones left out)."""
    return [z for z in RegionsAndZonesBackend.zones.get(region, []) if z.zone_type == "availability-zone"]


def zone_map(state: RealismState, region: str) -> dict[str, str]:
    """Zone name -> zone id in the account of `state`."""
    return state.zone_ids(region, [(z.name, z.zone_id) for z in region_zones(region)])


@functools.lru_cache(maxsize=None)
def offerings_by_zone_id(region: str) -> dict[str, frozenset[str]]:
    """Zone id -> instance types offered there (moto's copy of AWS's answer)."""
    by_id: dict[str, set[str]] = defaultdict(set)
    for offering in INSTANCE_TYPE_OFFERINGS["availability-zone-id"].get(region, []):
        by_id[offering["Location"]].add(offering["InstanceType"])
    if not by_id:  # only by name: read it through moto's own name -> id table
        ids = {z.name: z.zone_id for z in region_zones(region)}
        for offering in INSTANCE_TYPE_OFFERINGS["availability-zone"].get(region, []):
            if offering["Location"] in ids:
                by_id[ids[offering["Location"]]].add(offering["InstanceType"])
    return {zone_id: frozenset(types) for zone_id, types in by_id.items()}


def zones_offering(state: RealismState, region: str, instance_type: str) -> list[str]:
    """Names of the zones of `region` that offer `instance_type`, in this account."""
    offered = offerings_by_zone_id(region)
    return sorted(name for name, zone_id in zone_map(state, region).items() if instance_type in offered.get(zone_id, ()))


def _describe_availability_zones(original: Any) -> Any:
    def patched(self: Any, filters: Any = None, zone_names: list[str] | None = None, zone_ids: list[str] | None = None) -> list[Zone]:
        state = active()
        if state is None:
            return original(self, filters=filters, zone_names=zone_names, zone_ids=zone_ids)
        ids = zone_map(state, self.region_name)
        zones = [Zone(z.name, z.region_name, ids[z.name], z.zone_type) for z in region_zones(self.region_name)]
        if filters:
            zones = filter_resources(zones, filters, _ZONE_ATTRIBUTES)
        return [z for z in zones if (not zone_ids or z.zone_id in zone_ids) and (not zone_names or z.name in zone_names)]
    return patched


def _subnet_zone_id(original: property) -> property:
    def getter(self: Subnet) -> str:
        state = active()
        zone = self._availability_zone  # pylint: disable=protected-access
        if state is None:
            return original.fget(self)  # type: ignore[misc]
        return zone_map(state, zone.region_name).get(zone.name, zone.zone_id)
    return property(getter)


def _create_subnet(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> Any:
        state = active()
        if state is None:
            return original(*args, **kwargs)
        bound = bind(original, *args, **kwargs)
        region = bound.arguments["self"].region_name
        names = {zone_id: name for name, zone_id in zone_map(state, region).items()}
        zone_id = bound.arguments.get("availability_zone_id")
        if not bound.arguments.get("availability_zone"):
            if zone_id:
                if zone_id not in names:
                    raise EC2ClientError("InvalidParameterValue", f"Value ({zone_id}) for parameter availabilityZoneId is invalid. "
                                         f"Subnets can currently only be created in the following availability zones: {', '.join(sorted(names))}.")
                bound.arguments["availability_zone"] = names[zone_id]
            elif names:
                bound.arguments["availability_zone"] = state.choice(sorted(names.values()))
            bound.arguments["availability_zone_id"] = None
        return original(*bound.args, **bound.kwargs)
    return patched


def _describe_instance_type_offerings(original: Any) -> Any:
    def patched(self: Any, location_type: str | None = None, filters: Any = None) -> list[dict[str, Any]]:
        state = active()
        if state is None or location_type != "availability-zone":
            return original(self, location_type=location_type, filters=filters)
        offered = offerings_by_zone_id(self.region_name)
        offerings = [
            {"InstanceType": instance_type, "Location": name, "LocationType": "availability-zone"}
            for name, zone_id in sorted(zone_map(state, self.region_name).items())
            for instance_type in sorted(offered.get(zone_id, ()))
        ]
        return [o for o in offerings if self.matches_filters(o, filters or {}, "availability-zone")]
    return patched


def _launch_zone(backend: Any, arguments: dict[str, Any]) -> str | None:
    kwargs = arguments.get("kwargs", {})
    subnet_id = kwargs.get("subnet_id") or next(
        (nic.get("SubnetId") for nic in kwargs.get("nics") or [] if int(nic.get("DeviceIndex", 0)) == 0 and nic.get("SubnetId")), None)
    if subnet_id:
        return str(backend.get_subnet(subnet_id).availability_zone)
    return kwargs.get("placement") or None


def _run_instances(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> Any:
        state = active()
        if state is not None:
            arguments = bind(original, *args, **kwargs).arguments
            backend = arguments["self"]
            zone = _launch_zone(backend, arguments)
            instance_type = arguments["kwargs"].get("instance_type") or "m1.small"
            if zone is not None:
                offering = zones_offering(state, backend.region_name, instance_type)
                if not offering:
                    raise EC2ClientError("Unsupported", "The requested configuration is currently not supported. "
                                         "Please check the documentation for supported configurations.")
                if zone not in offering:
                    raise EC2ClientError(
                        "Unsupported",
                        f"Your requested instance type ({instance_type}) is not supported in your requested Availability Zone ({zone}). "
                        f"Please retry your request by not specifying an Availability Zone or choosing {', '.join(offering)}.")
        return original(*args, **kwargs)
    return patched


def apply() -> None:
    wrap(RegionsAndZonesBackend, "describe_availability_zones", _describe_availability_zones)
    Subnet.availability_zone_id = _subnet_zone_id(Subnet.availability_zone_id)  # type: ignore[assignment,method-assign]
    wrap(SubnetBackend, "create_subnet", _create_subnet)
    wrap(InstanceTypeOfferingBackend, "describe_instance_type_offerings", _describe_instance_type_offerings)
    wrap(InstanceBackend, "run_instances", _run_instances)

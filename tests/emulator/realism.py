"""Realism mode: EC2 in time and space (eventual consistency, asynchronous states, zones).

Off by default. `Emulator(realism=Realism(seed=1))` or `python -m tests.emulator --realism
--realism-seed 1` turns it on for the calls that emulator serves. What each behaviour follows is in
README.md ("Realism"); this module holds what the WSGI middleware and the patches share:

- `Realism`: the settings (delays in seconds, a seed);
- `RealismState`: one emulator's live state (its random sequence, the ids not yet visible, its
  zone map); `active()` is the state of the emulator serving the current request, or None, so a
  patch acts only for calls that came through a realism emulator (`serving(state)` sets it);
- `schedule(delay, change)` / `run_due()`: state changes that happen later (`associating` ->
  `associated`, `pending` -> `running`, a lingering interface going away). They are applied,
  process-wide, at the start of every EC2 request: what a client can see changes only between
  its requests, exactly when the clock says;
- eventual consistency, done on the wire: `created_ids` reads the ids a Create* call returned,
  `referenced_ids` the ids a request names, `not_found` is AWS's answer for an id not yet visible,
  `omit_hidden` takes such ids out of a Describe response.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import random
import re
import threading
import time
import xml.etree.ElementTree as ET  # nosec B405 - parses the emulator's own responses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

_EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
ET.register_namespace("", _EC2_NS)


@dataclass(frozen=True)
class Realism:
    """Realism settings. Delays are seconds; the defaults keep suites fast.

    consistency_delay: a new id stays invisible to other calls for a random 0..R s.
    associate_delay:   a VPC /56 or subnet /64 stays `associating` (and `disassociating`) A s.
    pending_delay:     a launched instance stays `pending` P s.
    eni_linger:        after termination its interfaces (and addresses) stay L s.
    """

    seed: int = 0
    consistency_delay: float = 1.0
    associate_delay: float = 1.0
    pending_delay: float = 1.0
    eni_linger: float = 2.0

    def __post_init__(self) -> None:
        for name in ("consistency_delay", "associate_delay", "pending_delay", "eni_linger"):
            value = getattr(self, name)
            if not 0.0 <= value <= 3600.0:
                raise ValueError(f"{name} must be within 0-3600 seconds, not {value}")


# --- delayed state changes (process-wide: moto's state is process-wide too) ---------------------

_clock = time.monotonic
_due: list[tuple[float, int, Callable[[], None]]] = []
_due_lock = threading.Lock()
_order = itertools.count()


def schedule(delay: float, change: Callable[[], None]) -> None:
    """Apply `change` at the first EC2 request `delay` seconds from now (at once when delay <= 0)."""
    if delay <= 0:
        change()
        return
    with _due_lock:
        heapq.heappush(_due, (_clock() + delay, next(_order), change))


def run_due() -> None:
    """Apply the changes whose time has come, oldest first."""
    now = _clock()
    while True:
        with _due_lock:
            if not _due or _due[0][0] > now:
                return
            _when, _index, change = heapq.heappop(_due)
        change()


def clear_scheduled() -> None:
    with _due_lock:
        _due.clear()


# --- the emulator serving this request -----------------------------------------------------------

_local = threading.local()


def active() -> RealismState | None:
    """The realism state of the emulator serving the current request (None: realism is off)."""
    return getattr(_local, "state", None)


@contextlib.contextmanager
def serving(state: RealismState | None) -> Iterator[None]:
    previous = active()
    _local.state = state
    try:
        yield
    finally:
        _local.state = previous


# --- eventual consistency: which ids, which answer -----------------------------------------------

@dataclass(frozen=True)
class Kind:
    """A resource kind: the response element holding its id, and AWS's NotFound answer."""

    id_tag: str
    code: str
    message: str  # {id} is replaced


KINDS = {
    "vpc": Kind("vpcId", "InvalidVpcID.NotFound", "The vpc ID '{id}' does not exist"),
    "subnet": Kind("subnetId", "InvalidSubnetID.NotFound", "The subnet ID '{id}' does not exist"),
    "route-table": Kind("routeTableId", "InvalidRouteTableID.NotFound", "The routeTable ID '{id}' does not exist"),
    "internet-gateway": Kind("internetGatewayId", "InvalidInternetGatewayID.NotFound", "The internetGateway ID '{id}' does not exist"),
    "egress-only-internet-gateway": Kind("egressOnlyInternetGatewayId", "InvalidGatewayID.NotFound", "The eigw ID '{id}' does not exist"),
    "instance": Kind("instanceId", "InvalidInstanceID.NotFound", "The instance ID '{id}' does not exist"),
    "network-interface": Kind("networkInterfaceId", "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '{id}' does not exist"),
    "security-group": Kind("groupId", "InvalidGroup.NotFound", "The security group '{id}' does not exist"),
    "elastic-ip": Kind("allocationId", "InvalidAllocationID.NotFound", "The allocation ID '{id}' does not exist"),
    "natgateway": Kind("natGatewayId", "NatGatewayNotFound", "NAT gateway {id} was not found"),
}

# Create calls whose new ids are eventually consistent, and the kind they create.
CREATES = {
    "CreateVpc": "vpc",
    "CreateSubnet": "subnet",
    "CreateRouteTable": "route-table",
    "CreateInternetGateway": "internet-gateway",
    "CreateEgressOnlyInternetGateway": "egress-only-internet-gateway",
    "RunInstances": "instance",
    "CreateNetworkInterface": "network-interface",
    "CreateSecurityGroup": "security-group",
    "AllocateAddress": "elastic-ip",
    "CreateNatGateway": "natgateway",
}

# Describe calls: the set element whose items are the resources, and the kind of those items.
DESCRIBES = {
    "DescribeVpcs": ("vpcSet", "vpc"),
    "DescribeSubnets": ("subnetSet", "subnet"),
    "DescribeRouteTables": ("routeTableSet", "route-table"),
    "DescribeInternetGateways": ("internetGatewaySet", "internet-gateway"),
    "DescribeEgressOnlyInternetGateways": ("egressOnlyInternetGatewaySet", "egress-only-internet-gateway"),
    "DescribeInstances": ("instancesSet", "instance"),
    "DescribeInstanceStatus": ("instanceStatusSet", "instance"),
    "DescribeNetworkInterfaces": ("networkInterfaceSet", "network-interface"),
    "DescribeSecurityGroups": ("securityGroupInfo", "security-group"),
    "DescribeAddresses": ("addressesSet", "elastic-ip"),
    "DescribeNatGateways": ("natGatewaySet", "natgateway"),
}

_INDEX = re.compile(r"(\.\d+)+$")


def created_ids(action: str, body: bytes) -> list[tuple[str, str]]:
    """(id, kind) of the resources a successful Create* response names."""
    kind = CREATES.get(action)
    if kind is None:
        return []
    tag = KINDS[kind].id_tag
    found = re.findall(rf"<{tag}>([^<\s]+)</{tag}>".encode(), body)
    return [(value.decode(), kind) for value in dict.fromkeys(found)]


def referenced_ids(params: dict[str, list[str]]) -> list[str]:
    """Resource ids a request names: values of parameters called ...Id (VpcId, GroupId.1,
    NetworkInterface.1.SubnetId, ResourceId.1, ...). Filter values are not references: a
    Describe by filter answers without the resource, it does not fail."""
    ids = []
    for name, values in params.items():
        last = _INDEX.sub("", name).rsplit(".", 1)[-1]
        if last.endswith("Id") and not name.startswith("Filter."):
            ids.extend(values)
    return ids


def not_found(resource_id: str, kind: str) -> tuple[str, str]:
    """(code, message) AWS answers for an id it does not know (yet)."""
    spec = KINDS[kind]
    return spec.code, spec.message.format(id=resource_id)


def _local_name(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def omit_hidden(action: str, body: bytes, hidden: set[str]) -> bytes:
    """`body` of a Describe response without the resources whose ids are in `hidden`."""
    target = DESCRIBES.get(action)
    if target is None or not hidden or not any(h.encode() in body for h in hidden):
        return body
    set_name, kind = target
    id_tag = KINDS[kind].id_tag
    root = ET.fromstring(body)  # nosec B314 - the emulator's own response
    for parent in root.iter():
        if _local_name(parent) != set_name:
            continue
        for item in list(parent):
            ids = [child.text for child in item if _local_name(child) == id_tag]
            if any(i in hidden for i in ids):
                parent.remove(item)
    if action == "DescribeInstances":  # a reservation whose instances are all hidden goes too
        for reservations in root.iter():
            if _local_name(reservations) != "reservationSet":
                continue
            for reservation in list(reservations):
                instances = [c for c in reservation if _local_name(c) == "instancesSet"]
                if instances and not list(instances[0]):
                    reservations.remove(reservation)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- one emulator's state --------------------------------------------------------------------------

@dataclass
class RealismState:
    """The live realism of one emulator: its random sequence, the ids it hides, its zone map."""

    settings: Realism
    _random: random.Random = field(init=False)
    _hidden: dict[str, tuple[str, float]] = field(init=False, default_factory=dict)
    _zones: dict[str, dict[str, str]] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.settings.seed)

    def reset(self) -> None:
        """Forget hidden ids and restart the random sequence from the seed."""
        with self._lock:
            self._hidden.clear()
            self._random = random.Random(self.settings.seed)

    def uniform(self, high: float) -> float:
        with self._lock:
            return self._random.uniform(0.0, high) if high > 0 else 0.0

    def choice(self, options: list[Any]) -> Any:
        with self._lock:
            return self._random.choice(options)

    # eventual consistency

    def hide(self, resource_id: str, kind: str) -> None:
        delay = self.uniform(self.settings.consistency_delay)
        if delay > 0:
            with self._lock:
                self._hidden[resource_id] = (kind, _clock() + delay)

    def hidden(self) -> dict[str, str]:
        """Ids not visible yet, with their kinds."""
        now = _clock()
        with self._lock:
            for resource_id in [i for i, (_kind, until) in self._hidden.items() if until <= now]:
                del self._hidden[resource_id]
            return {i: kind for i, (kind, _until) in self._hidden.items()}

    # zones

    def zone_ids(self, region: str, zones: list[tuple[str, str]]) -> dict[str, str]:
        """Zone name -> zone id for this emulator's account. `zones` are moto's (name, id) pairs
        of the region; AWS maps names to physical zones independently for each account, so the
        ids are shuffled among the names, reproducibly for a seed."""
        with self._lock:
            if region not in self._zones:
                names = sorted(name for name, _id in zones)
                ids = sorted(zone_id for _name, zone_id in zones)
                random.Random(f"{self.settings.seed}/{region}").shuffle(ids)
                self._zones[region] = dict(zip(names, ids))
            return self._zones[region]

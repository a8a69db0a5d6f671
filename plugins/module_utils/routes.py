# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Route helpers shared by the v6vpn.aws modules that read or change route tables.

Pure functions (no boto3): they read routes as DescribeRouteTables returns them, build
the parameters of CreateRoute / ReplaceRoute / DeleteRoute for either address family,
and validate the ``routes`` entries a user gives before any API call, every bad entry at once.

A route's destination is compared normalised (``::/0`` and ``0::0/0`` are one block);
its target is whichever ``*Id`` key it carries.
"""

from functools import partial

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import collect
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import parse_network

# Targets a user may give: option name, the key in the route API, allowed id prefixes,
# and the families it can carry (an egress-only internet gateway routes IPv6 only).
SETTABLE_TARGETS = (
    ("gateway_id", "GatewayId", ("igw", "vgw"), (4, 6)),
    ("egress_only_gateway_id", "EgressOnlyInternetGatewayId", ("eigw",), (6,)),
    ("nat_gateway_id", "NatGatewayId", ("nat",), (4, 6)),
    ("network_interface_id", "NetworkInterfaceId", ("eni",), (4, 6)),
    ("instance_id", "InstanceId", ("i",), (4, 6)),
    ("transit_gateway_id", "TransitGatewayId", ("tgw",), (4, 6)),
)
TARGET_OPTIONS = tuple(option for option, _key, _prefixes, _families in SETTABLE_TARGETS)
TARGET_KEYS = dict((option, key) for option, key, _prefixes, _families in SETTABLE_TARGETS)

# Order in which a described route's target is reported. A route to an instance carries
# both InstanceId and NetworkInterfaceId, so InstanceId comes first. The last ones cannot
# be set through these modules but may be found in a table.
_REPORTED_TARGETS = (
    ("gateway_id", "GatewayId"),
    ("egress_only_gateway_id", "EgressOnlyInternetGatewayId"),
    ("nat_gateway_id", "NatGatewayId"),
    ("transit_gateway_id", "TransitGatewayId"),
    ("instance_id", "InstanceId"),
    ("network_interface_id", "NetworkInterfaceId"),
    ("vpc_peering_connection_id", "VpcPeeringConnectionId"),
    ("carrier_gateway_id", "CarrierGatewayId"),
    ("local_gateway_id", "LocalGatewayId"),
    ("core_network_arn", "CoreNetworkArn"),
)

# Origins of routes that AWS owns: the local routes of the VPC's blocks, and routes a
# virtual private gateway propagates. Modules never change or delete them.
ORIGIN_LOCAL = "CreateRouteTable"
ORIGIN_PROPAGATED = "EnableVgwRoutePropagation"


def route_destination(route):
    """The route's destination: a normalised CIDR, or the prefix-list id for a prefix-list route."""
    for key in ("DestinationCidrBlock", "DestinationIpv6CidrBlock"):
        if route.get(key):
            return parse_network(route[key], key).compressed
    return route.get("DestinationPrefixListId")


def route_raw_destination(route):
    """The destination CIDR exactly as AWS spelled it (None for a prefix-list route)."""
    return route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")


def route_target(route):
    """``(target_type, target_id)`` of a described route, e.g. ``("gateway_id", "local")``."""
    for option, key in _REPORTED_TARGETS:
        if route.get(key):
            return option, route[key]
    return None, None


def route_has_target(route, target_type, target_id):
    """True when the route sends traffic to ``target_id`` through ``target_type``.

    Checked on the key itself, not on :func:`route_target`, so a route to an instance
    matches both its ``instance_id`` and its ``network_interface_id``.
    """
    return route.get(TARGET_KEYS[target_type]) == target_id


def is_local(route):
    """True for the VPC's own ``local`` routes."""
    return route.get("GatewayId") == "local" or route.get("Origin") == ORIGIN_LOCAL


def is_static(route):
    """True for routes a user created (CreateRoute) to a CIDR: the only ones modules may change."""
    return not is_local(route) and route.get("Origin") != ORIGIN_PROPAGATED and route_raw_destination(route) is not None


def route_api_params(route_table_id, dest, target_type=None, target_id=None):
    """Parameters of CreateRoute / ReplaceRoute (with a target) or DeleteRoute (without).

    :param dest: the destination CIDR; its family picks DestinationCidrBlock or
        DestinationIpv6CidrBlock. For an existing route pass :func:`route_raw_destination`,
        so the call names the route exactly as AWS stores it.
    """
    key = "DestinationIpv6CidrBlock" if parse_network(dest, "dest").version == 6 else "DestinationCidrBlock"
    params = {"RouteTableId": route_table_id, key: dest}
    if target_type is not None:
        params[TARGET_KEYS[target_type]] = target_id
    return params


def summarize_route(route):
    """A described route as the modules return it."""
    target_type, target_id = route_target(route)
    return {
        "dest": route_destination(route),
        "target_type": target_type,
        "target_id": target_id,
        "state": route.get("State"),
        "origin": route.get("Origin"),
    }


def _sort_key(dest):
    try:
        network = parse_network(dest, "dest")
    except InvalidParameter:
        return (9, 0, 0, str(dest))
    return (network.version, int(network.network_address), network.prefixlen, "")


def sort_routes(routes):
    """Summaries (see :func:`summarize_route`) ordered by family, then address, then prefix length."""
    return sorted(routes, key=lambda r: _sort_key(r["dest"]))


def route_line(summary):
    """``"::/0 -> eigw-..."`` for diffs; a route that is not active says so."""
    line = "%s -> %s" % (summary["dest"], summary["target_id"])
    if summary.get("state") and summary["state"] != "active":
        line += " (%s)" % summary["state"]
    return line


def _check_route_entry(entry, where, require_target):
    """One ``routes`` entry, normalised (see :func:`validate_route_entries`)."""
    network = parse_network(entry.get("dest"), "%s.dest" % where)
    given = [option for option in TARGET_OPTIONS if entry.get(option) is not None]
    if len(given) > 1:
        raise InvalidParameter("%s: give one target, not several (got %s)" % (where, ", ".join(given)))
    if not given and require_target:
        raise InvalidParameter("%s: no target; give one of %s" % (where, ", ".join(TARGET_OPTIONS)))
    target_type = given[0] if given else None
    target_id = None
    if target_type is not None:
        _option, _key, prefixes, families = next(t for t in SETTABLE_TARGETS if t[0] == target_type)
        target_id = check_resource_id(entry[target_type], prefixes, "%s.%s" % (where, target_type))
        if network.version not in families:
            raise InvalidParameter("%s: %s routes only IPv%s traffic, but dest %s is IPv%d" % (
                where, target_type, "/IPv".join(str(f) for f in families), entry["dest"], network.version))
    return {"dest": network.compressed, "family": network.version, "target_type": target_type, "target_id": target_id}


def validate_route_entries(entries, require_target=True, name="routes"):
    """Validate the user's ``routes`` entries; return them normalised.

    Each entry is ``{"dest": CIDR, <one target option>: id}``; the result entries are
    ``{"dest": normalised CIDR, "family": 4 or 6, "target_type": option or None,
    "target_id": id or None}``.

    :param require_target: False when a target is optional (deleting routes)
    :raises InvalidParameter: naming every entry at fault and its parameter, joined by ``"; "``
    """
    where = ["%s[%d]" % (name, index) for index in range(len(entries))]
    normalised, problems = collect(dict((index, partial(_check_route_entry, entry, where[index], require_target))
                                        for index, entry in enumerate(entries)))
    seen = {}
    for index, entry in sorted(normalised.items()):
        if entry["dest"] in seen:
            problems.append("%s: dest %s is the same destination as %s" % (where[index], entries[index]["dest"], seen[entry["dest"]]))
        seen.setdefault(entry["dest"], "%s (%s)" % (where[index], entries[index]["dest"]))
    if problems:
        raise InvalidParameter("; ".join(problems))
    return [normalised[index] for index in range(len(entries))]


def check_purge(purge, state):
    """``purge_routes`` is only valid with ``state=present``; return it."""
    if purge and state != "present":
        raise InvalidParameter("purge_routes: only valid with state=present")
    return purge


def plan_route_changes(table_routes, wanted, state, purge):
    """Decide how to bring a table's routes to the wanted ones, without calling AWS.

    :param table_routes: the table's ``Routes`` as DescribeRouteTables returns them
    :param wanted: entries from :func:`validate_route_entries`
    :param state: ``present`` (add missing, replace differing) or ``absent`` (delete listed)
    :param purge: with ``present``, also delete the static routes not listed
    :returns: ``(to_add, to_replace, to_remove, warnings)``: entries to create, ``(entry,
        route)`` pairs to replace, described routes to delete, and messages for the user
    :raises InvalidParameter: when an entry names a local route, which is never changed
    """
    static = {}
    local = set()
    for route in table_routes:
        if is_local(route):
            local.add(route_destination(route))
        elif is_static(route):
            # Propagated routes may share a static route's destination; they are skipped above.
            static.setdefault(route_destination(route), route)

    for index, entry in enumerate(wanted):
        if entry["dest"] in local:
            raise InvalidParameter("routes[%d]: %s is a local route of the VPC, which this module never changes" % (index, entry["dest"]))

    to_add, to_replace, to_remove, warnings = [], [], [], []
    if state == "present":
        for entry in wanted:
            route = static.get(entry["dest"])
            if route is None:
                to_add.append(entry)
            # A blackhole route to the right target is replaced too, so it becomes active again.
            elif not route_has_target(route, entry["target_type"], entry["target_id"]) or route.get("State") != "active":
                to_replace.append((entry, route))
        if purge:
            listed = set(entry["dest"] for entry in wanted)
            to_remove = [route for dest, route in static.items() if dest not in listed]
        return to_add, to_replace, to_remove, warnings

    for index, entry in enumerate(wanted):
        route = static.get(entry["dest"])
        if route is None:
            continue
        if entry["target_type"] is not None and not route_has_target(route, entry["target_type"], entry["target_id"]):
            warnings.append("routes[%d]: %s goes to %s, not %s; left in place" % (index, entry["dest"], route_target(route)[1], entry["target_id"]))
            continue
        to_remove.append(route)
    return to_add, to_replace, to_remove, warnings


def _target_state(summary):
    return {"target_type": summary["target_type"], "target_id": summary["target_id"], "state": summary["state"]}


def apply_route_changes(table_routes, to_add, to_replace, to_remove):
    """The table's routes once the planned changes are made, and a record of those changes.

    Built from the plan rather than described again, to save a DescribeRouteTables call:
    a created or replaced route is reported ``active``, which is what AWS shows unless the
    target is unavailable (a stopped instance, a deleted gateway).

    :returns: ``(after, changes)``: route summaries (see :func:`summarize_route`), and
        ``{"added": [...], "replaced": [...], "removed": [...]}``
    """
    removed = set(id(route) for route in to_remove)
    replaced = dict((id(route), entry) for entry, route in to_replace)
    after = []
    changes = {"added": [], "replaced": [], "removed": []}
    for route in table_routes:
        summary = summarize_route(route)
        if id(route) in removed:
            changes["removed"].append({"dest": summary["dest"], "target_type": summary["target_type"], "target_id": summary["target_id"]})
        elif id(route) in replaced:
            entry = replaced[id(route)]
            new = dict(summary, target_type=entry["target_type"], target_id=entry["target_id"], state="active")
            changes["replaced"].append({"dest": summary["dest"], "before": _target_state(summary), "after": _target_state(new)})
            after.append(new)
        else:
            after.append(summary)
    for entry in to_add:
        target = {"dest": entry["dest"], "target_type": entry["target_type"], "target_id": entry["target_id"]}
        after.append(dict(target, state="active", origin="CreateRoute"))
        changes["added"].append(target)
    return after, changes

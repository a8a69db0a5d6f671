#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_route
version_added: 0.1.0
short_description: Manage individual IPv4 and IPv6 routes in a VPC route table
description:
  - Adds, retargets and deletes individual routes of one route table, for IPv4 and IPv6
    destinations alike, without creating or deleting the table itself.
  - The table is given by id, or as the B(main) route table of a VPC (the one every subnet
    uses unless it is associated with another table).
  - Unlike M(amazon.aws.ec2_vpc_route_table), a route whose target differs is replaced
    (ReplaceRoute) for IPv6 destinations too, O(purge_routes) removes IPv6 routes as well,
    the main table is used rather than a new table being created, and nothing sleeps.
  - Destinations are compared normalised, so V(::/0) and V(0::0/0), or
    V(2600:1f18:0:100::/64) and V(2600:1f18::100:0:0:0:0/64), are the same route.
author:
  - v6vpn.aws contributors (@v6vpn)
options:
  state:
    description:
      - V(present) creates the listed routes that are missing and replaces those whose
        target differs, or whose state is not C(active) (a C(blackhole) route to the same
        target is replaced so that it becomes active again when the target exists).
      - V(absent) deletes the routes to the listed destinations.
    type: str
    choices: [present, absent]
    default: present
  route_table_id:
    description:
      - The route table to manage (C(rtb-...)).
      - Exactly one of O(route_table_id) and O(vpc_id) is required.
    type: str
  vpc_id:
    description:
      - Manage the main route table of this VPC (C(vpc-...)).
      - Exactly one of O(route_table_id) and O(vpc_id) is required.
    type: str
  routes:
    description:
      - The routes to add, replace or delete.
      - Every entry is validated before any API call, and the problems of all entries (and of the
        other parameters) are reported at once; two entries with the same destination (after
        normalisation) are an error.
      - With O(state=present) each entry needs exactly one target. With O(state=absent) the
        target is optional; when given and the route has another target, the route is left
        in place and a warning says so.
    type: list
    elements: dict
    required: true
    suboptions:
      dest:
        description:
          - Destination CIDR block, IPv4 (V(0.0.0.0/0)) or IPv6 (V(::/0), V(64:ff9b::/96)).
          - Host bits must not be set.
        type: str
        required: true
      gateway_id:
        description:
          - An internet gateway (C(igw-...)) or virtual private gateway (C(vgw-...)).
        type: str
      egress_only_gateway_id:
        description:
          - An egress-only internet gateway (C(eigw-...)). IPv6 destinations only.
        type: str
      nat_gateway_id:
        description:
          - A NAT gateway (C(nat-...)); with V(64:ff9b::/96) it serves NAT64.
        type: str
      network_interface_id:
        description:
          - A network interface (C(eni-...)).
        type: str
      instance_id:
        description:
          - An instance (C(i-...)).
        type: str
      transit_gateway_id:
        description:
          - A transit gateway (C(tgw-...)).
        type: str
  purge_routes:
    description:
      - With O(state=present), also delete every route of the table that is not listed in
        O(routes), of both address families.
      - The VPC's C(local) routes, routes propagated by a virtual private gateway
        (origin C(EnableVgwRoutePropagation)) and routes to managed prefix lists are never
        deleted.
      - Only valid with O(state=present).
    type: bool
    default: false
notes:
  - The module makes one DescribeRouteTables call, then only the mutating calls it needs;
    the returned route table is built from the calls it made, not described again, so a
    created or replaced route is reported C(active) even when AWS would show it as
    C(blackhole) because its target is unavailable.
  - A C(blackhole) route to the listed target is replaced at every run while the target
    stays unavailable (for example a stopped instance), so such a task reports a change each time.
  - Whether the target exists and belongs to the table's VPC is checked by AWS when the
    route is created or replaced, so check mode cannot detect a wrong target.
  - "Verified only against the moto-based EC2 emulator of this collection's tests: main route
    table lookup, CreateRoute / ReplaceRoute / DeleteRoute of IPv4 and IPv6 routes to internet
    and egress-only internet gateways, and the C(Origin) values C(CreateRouteTable) and
    C(CreateRoute). Propagated routes, prefix-list routes, instance routes (which AWS reports
    with both C(InstanceId) and C(NetworkInterfaceId)) and blackhole replacement were not
    exercised against real AWS."
  - "The EC2 API is eventually consistent: a VPC, route table or target created just before may
    answer C(NotFound) or be missing from a Describe for a while. With O(vpc_id) (how the roles
    call the module, right after creating the VPC) the main table is described again for up to
    15 s while it is missing, so a VPC that does not exist is reported after 15 s; O(route_table_id)
    is not treated as new. CreateRoute and ReplaceRoute retry the NotFound codes of the table and
    the target (a gateway created by the task before) with a bounded backoff (about 2.5 minutes at most). Verified only against this collection's emulator
    in its realism mode, which hides new ids for a random while."
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Default routes of the VPC's main table, IPv4 to the IGW and IPv6 to the EIGW
  v6vpn.aws.vpc_route:
    vpc_id: "{{ vpc.vpc.id }}"
    routes:
      - dest: 0.0.0.0/0
        gateway_id: "{{ igw.gateway_id }}"
      - dest: ::/0
        egress_only_gateway_id: "{{ eigw.egress_only_igw.id }}"

- name: Dual-stack endpoint (explicit opt-in) - send ::/0 through the IGW instead
  v6vpn.aws.vpc_route:
    route_table_id: rtb-0123456789abcdef0
    routes:
      - dest: ::/0
        gateway_id: igw-0123456789abcdef0

- name: NAT64 through a NAT gateway, and nothing else besides the local routes
  v6vpn.aws.vpc_route:
    route_table_id: rtb-0123456789abcdef0
    purge_routes: true
    routes:
      - dest: 0.0.0.0/0
        gateway_id: igw-0123456789abcdef0
      - dest: 64:ff9b::/96
        nat_gateway_id: nat-0123456789abcdef0

- name: Remove the IPv6 default route, but only if it still goes to this EIGW
  v6vpn.aws.vpc_route:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    routes:
      - dest: ::/0
        egress_only_gateway_id: eigw-0123456789abcdef0
"""

RETURN = r"""
route_table:
  description: The route table after the changes (predicted in check mode).
  returned: always
  type: dict
  contains:
    id:
      description: The route table id.
      type: str
      sample: rtb-0123456789abcdef0
    vpc_id:
      description: The VPC of the route table.
      type: str
      sample: vpc-0123456789abcdef0
    main:
      description: Whether this is the VPC's main route table.
      type: bool
      sample: true
    routes:
      description: Every route of the table, sorted by family, address and prefix length.
      type: list
      elements: dict
      contains:
        dest:
          description: Normalised destination CIDR (the prefix-list id for a prefix-list route).
          type: str
          sample: ::/0
        target_type:
          description: >-
            Which kind of target the route has (V(gateway_id) also for C(local) routes;
            V(instance_id) for a route to an instance, which also names its interface).
          type: str
          sample: egress_only_gateway_id
        target_id:
          description: The target's id, or V(local).
          type: str
          sample: eigw-0123456789abcdef0
        state:
          description: V(active) or V(blackhole).
          type: str
          sample: active
        origin:
          description: V(CreateRouteTable), V(CreateRoute) or V(EnableVgwRoutePropagation).
          type: str
          sample: CreateRoute
changes:
  description: The routes this run added, replaced and removed (or would, in check mode).
  returned: always
  type: dict
  contains:
    added:
      description: Routes created, as C(dest), C(target_type), C(target_id).
      type: list
      elements: dict
      sample: [{"dest": "::/0", "target_type": "egress_only_gateway_id", "target_id": "eigw-0123456789abcdef0"}]
    replaced:
      description: Routes retargeted, as C(dest) with the C(before) and C(after) targets.
      type: list
      elements: dict
      sample:
        - dest: ::/0
          before: {"target_type": "egress_only_gateway_id", "target_id": "eigw-0123456789abcdef0", "state": "active"}
          after: {"target_type": "gateway_id", "target_id": "igw-0123456789abcdef0", "state": "active"}
    removed:
      description: Routes deleted, as C(dest), C(target_type), C(target_id).
      type: list
      elements: dict
      sample: [{"dest": "10.8.0.0/24", "target_type": "network_interface_id", "target_id": "eni-0123456789abcdef0"}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import call
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe_one
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ec2_client
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import TARGET_OPTIONS
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import apply_route_changes
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import check_purge
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import plan_route_changes
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import route_api_params
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import route_destination
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import route_line
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import route_raw_destination
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import sort_routes
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import summarize_route
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import validate_route_entries
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import optional
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate


def main():
    route_spec = dict(dest=dict(type="str", required=True))
    route_spec.update((option, dict(type="str")) for option in TARGET_OPTIONS)
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        route_table_id=dict(type="str"),
        vpc_id=dict(type="str"),
        routes=dict(type="list", elements="dict", required=True, options=route_spec),
        purge_routes=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[["route_table_id", "vpc_id"]],
        required_one_of=[["route_table_id", "vpc_id"]],
        supports_check_mode=True,
    )
    params = module.params
    state = params["state"]
    checked = validate(
        module,
        route_table_id=lambda: optional(check_resource_id, params["route_table_id"], "rtb", "route_table_id"),
        vpc_id=lambda: optional(check_resource_id, params["vpc_id"], "vpc", "vpc_id"),
        purge=lambda: check_purge(params["purge_routes"], state),
        routes=lambda: validate_route_entries(params["routes"], require_target=(state == "present")),
    )

    client = ec2_client(module)
    if checked["vpc_id"]:
        table = describe_one(module, client.describe_route_tables, "RouteTables",
                             "VPC %s has no main route table (does the VPC exist?)" % checked["vpc_id"],
                             filters={"vpc-id": checked["vpc_id"], "association.main": "true"}, just_created=True)
    else:
        table = describe_one(module, client.describe_route_tables, "RouteTables",
                             "Route table %s does not exist in this region" % checked["route_table_id"],
                             filters={"route-table-id": checked["route_table_id"]})
    table_id = table["RouteTableId"]
    # The table and the targets may have been created by the tasks just before (the network role
    # creates the VPC, then its gateways, then routes): CreateRoute and ReplaceRoute retry their
    # NotFound answers, and the table is described again while it is not shown (module_utils/ec2.py).

    to_add, to_replace, to_remove, warnings = validate(
        module, plan=lambda: plan_route_changes(table.get("Routes", []), checked["routes"], state, checked["purge"]))["plan"]
    for warning in warnings:
        module.warn(warning)
    changed = bool(to_add or to_replace or to_remove)

    if not module.check_mode:
        # Replacements and additions before removals, so traffic keeps a path while routes change.
        for entry, route in to_replace:
            call(module, client.replace_route, "replace the route to %s in %s" % (entry["dest"], table_id),
                 just_created=(table_id, entry["target_id"]),
                 **route_api_params(table_id, route_raw_destination(route), entry["target_type"], entry["target_id"]))
        for entry in to_add:
            call(module, client.create_route, "create a route to %s in %s" % (entry["dest"], table_id),
                 just_created=(table_id, entry["target_id"]),
                 **route_api_params(table_id, entry["dest"], entry["target_type"], entry["target_id"]))
        for route in to_remove:
            call(module, client.delete_route, "delete the route to %s from %s" % (route_destination(route), table_id),
                 **route_api_params(table_id, route_raw_destination(route)))

    # The after-state follows from the calls made: no second describe.
    before = [summarize_route(route) for route in table.get("Routes", [])]
    after, changes = apply_route_changes(table.get("Routes", []), to_add, to_replace, to_remove)

    main_table = any(assoc.get("Main") for assoc in table.get("Associations", []))
    result = dict(
        changed=changed,
        route_table={"id": table_id, "vpc_id": table.get("VpcId"), "main": main_table, "routes": sort_routes(after)},
        changes=changes,
    )
    if module._diff:
        result["diff"] = {
            "before": {"route_table_id": table_id, "routes": [route_line(r) for r in sort_routes(before)]},
            "after": {"route_table_id": table_id, "routes": [route_line(r) for r in sort_routes(after)]},
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()

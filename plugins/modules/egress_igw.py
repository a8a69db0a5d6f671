#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: egress_igw
version_added: 0.1.0
short_description: Manage an egress-only internet gateway of a VPC
description:
  - Creates, tags and deletes an egress-only internet gateway (EIGW), the stateful,
    outbound-only IPv6 gateway of a VPC.
  - Unlike M(amazon.aws.ec2_vpc_egress_igw), a VPC with several EIGWs is never resolved by
    taking the first one (the module fails and lists them unless O(egress_only_igw_id) or
    O(tags) choose one), and O(state=absent) first removes the routes that target the
    gateway, so no blackhole routes are left behind.
author:
  - v6vpn.aws contributors (@v6vpn)
options:
  state:
    description:
      - V(present) finds the gateway, or creates it in O(vpc_id) when there is none, and
        reconciles its tags.
      - V(absent) deletes it (and, with O(delete_routes), the routes that target it). A gateway
        that does not exist is not an error.
    type: str
    choices: [present, absent]
    default: present
  vpc_id:
    description:
      - The VPC of the gateway (C(vpc-...)).
      - When O(egress_only_igw_id) is not given, the gateway is the VPC's EIGW whose tags
        include all of O(tags), or the VPC's only EIGW when O(tags) is not given.
        Several candidates are an error that lists their ids.
      - With O(state=present), when no gateway of the VPC has all of O(tags), the VPC's only
        EIGW is taken and retagged (an EIGW is created when the VPC has none). With
        O(state=absent), O(tags) must match.
      - With O(egress_only_igw_id) too, that gateway must be attached to this VPC (gateways
        cannot move between VPCs).
      - Required to create a gateway.
      - At least one of O(vpc_id) and O(egress_only_igw_id) is required.
    type: str
  egress_only_igw_id:
    description:
      - The id of the gateway (C(eigw-...)), to address it directly.
      - With O(state=present) the gateway must exist.
    type: str
  delete_routes:
    description:
      - With O(state=absent), first delete every route in the VPC's route tables whose target
        is the gateway. Otherwise those routes stay behind as C(blackhole) routes.
    type: bool
    default: true
notes:
  - Tags are set in the CreateEgressOnlyInternetGateway call itself, so a new gateway is never
    seen untagged.
  - DescribeEgressOnlyInternetGateways filters only by tag, not by VPC, so the module lists the
    region's gateways once and selects in Python (also by id, so an unknown id is not an API error).
  - "Verified only against the moto-based EC2 emulator of this collection's tests: creation with
    TagSpecifications, tag changes, deletion, the C(Attachments) of a gateway, and deletion of
    routes to it (their state after the gateway is deleted without O(delete_routes) depends on
    the emulator's patch; real AWS marks them C(blackhole))."
  - "The EC2 API is eventually consistent: a VPC created just before may be missing from
    DescribeVpcs or answer C(InvalidVpcID.NotFound) for a while. Before creating a gateway the
    module describes the VPC again for up to 15 s while it is missing (so a VPC that does not
    exist is reported after 15 s), and the create retries C(InvalidVpcID.NotFound) with a bounded
    backoff. O(egress_only_igw_id) is not treated as new. Verified only against this collection's
    emulator in its realism mode, which hides new ids for a random while."
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - amazon.aws.tags.modules
"""

EXAMPLES = r"""
- name: The VPC's egress-only internet gateway, tagged
  v6vpn.aws.egress_igw:
    vpc_id: "{{ vpc.vpc.id }}"
    tags:
      Name: v6vpn-eigw
  register: eigw

- name: Send IPv6 out through it
  v6vpn.aws.vpc_route:
    vpc_id: "{{ vpc.vpc.id }}"
    routes:
      - dest: ::/0
        egress_only_gateway_id: "{{ eigw.egress_only_igw.id }}"

- name: Add a tag without removing the others
  v6vpn.aws.egress_igw:
    egress_only_igw_id: eigw-0123456789abcdef0
    tags:
      Owner: ops
    purge_tags: false

- name: Delete it, with the routes that point to it
  v6vpn.aws.egress_igw:
    vpc_id: vpc-0123456789abcdef0
    state: absent
"""

RETURN = r"""
egress_only_igw:
  description: The gateway (predicted in check mode); an empty dict with O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The gateway id (null for a gateway that check mode would create).
      type: str
      sample: eigw-0123456789abcdef0
    vpc_id:
      description: The VPC the gateway is attached to.
      type: str
      sample: vpc-0123456789abcdef0
    attachment_state:
      description: The state of its attachment to the VPC.
      type: str
      sample: attached
    tags:
      description: Its tags.
      type: dict
      sample: {"Name": "v6vpn-eigw"}
removed_routes:
  description: The routes deleted (or that would be) because they targeted the gateway.
  returned: when O(state=absent)
  type: list
  elements: dict
  contains:
    route_table_id:
      description: The route table the route was in.
      type: str
      sample: rtb-0123456789abcdef0
    dest:
      description: The normalised destination of the route.
      type: str
      sample: ::/0
"""

import uuid

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import call
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ec2_client
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ensure_tags
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import get_vpc
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import tags_of
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import route_api_params
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import route_destination
from ansible_collections.v6vpn.aws.plugins.module_utils.routes import route_raw_destination
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import optional
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate


def attachment_of(gateway):
    """The gateway's VPC attachment (an EIGW has at most one), or an empty dict."""
    attachments = gateway.get("Attachments") or []
    return attachments[0] if attachments else {}


def summarize(gateway):
    attachment = attachment_of(gateway)
    return {
        "id": gateway.get("EgressOnlyInternetGatewayId"),
        "vpc_id": attachment.get("VpcId"),
        "attachment_state": attachment.get("State"),
        "tags": tags_of(gateway),
    }


def find_gateway(module, client, vpc_id, gateway_id, tags, fallback):
    """The gateway the parameters designate, or None; fail when they designate several.

    :param fallback: when no gateway of the VPC has all of ``tags``, take the VPC's only
        gateway (to retag it); False when deleting, so tags never pick an untagged gateway.
    """
    gateways = describe(module, client.describe_egress_only_internet_gateways, "EgressOnlyInternetGateways",
                        "list egress-only internet gateways")
    if gateway_id:
        found = [g for g in gateways if g["EgressOnlyInternetGatewayId"] == gateway_id]
        if not found:
            return None
        attached_to = attachment_of(found[0]).get("VpcId")
        if vpc_id and attached_to != vpc_id:
            module.fail_json(msg="Egress-only internet gateway %s is attached to %s, not %s; a gateway cannot move between VPCs"
                             % (gateway_id, attached_to, vpc_id))
        return found[0]

    # A deleted gateway may still be listed for a while as detached.
    candidates = [g for g in gateways
                  if attachment_of(g).get("VpcId") == vpc_id and attachment_of(g).get("State") not in ("detaching", "detached")]
    reason = "no tags were given to choose one"
    if tags:
        tagged = [g for g in candidates if all(tags_of(g).get(k) == to_text(v) for k, v in tags.items())]
        if tagged or not fallback:
            candidates = tagged
            reason = "all of them have the given tags"
        else:
            reason = "none has all of the given tags"
    if len(candidates) > 1:
        ids = ", ".join(sorted(g["EgressOnlyInternetGatewayId"] for g in candidates))
        module.fail_json(msg="VPC %s has several egress-only internet gateways (%s) and %s; choose one with egress_only_igw_id or tags"
                         % (vpc_id, ids, reason))
    return candidates[0] if candidates else None


def create_gateway(module, client, vpc_id, tags):
    # The VPC is checked first so that check mode predicts a create only when it would succeed. It
    # may have been created by the task just before: described again while it is not shown, and
    # its NotFound retried in the create (module_utils/ec2.py, "eventual consistency").
    get_vpc(module, client, vpc_id, just_created=True)
    if module.check_mode:
        return {"id": None, "vpc_id": vpc_id, "attachment_state": "attached", "tags": dict((k, to_text(v)) for k, v in (tags or {}).items())}
    # ClientToken makes a retried create return the same gateway instead of a second one.
    params = {"VpcId": vpc_id, "ClientToken": str(uuid.uuid4())}
    if tags:
        params["TagSpecifications"] = [{"ResourceType": "egress-only-internet-gateway", "Tags": ansible_dict_to_boto3_tag_list(tags)}]
    response = call(module, client.create_egress_only_internet_gateway,
                    "create an egress-only internet gateway in %s" % vpc_id, just_created=(vpc_id,), **params)
    return summarize(response["EgressOnlyInternetGateway"])


def routes_to(module, client, gateway_id, vpc_id):
    """``[(route_table_id, route)]`` of the VPC's routes whose target is the gateway."""
    # Matched in Python: the route.egress-only-internet-gateway-id filter is not relied upon.
    tables = describe(module, client.describe_route_tables, "RouteTables",
                      "list the route tables of %s" % vpc_id, filters={"vpc-id": vpc_id})
    return [(table["RouteTableId"], route)
            for table in tables
            for route in table.get("Routes", [])
            if route.get("EgressOnlyInternetGatewayId") == gateway_id and route_raw_destination(route)]


def ensure_present(module, client, vpc_id, gateway_id, tags, purge_tags):
    gateway = find_gateway(module, client, vpc_id, gateway_id, tags, fallback=True)
    if gateway is None:
        if gateway_id:
            module.fail_json(msg="Egress-only internet gateway %s does not exist" % gateway_id)
        after = create_gateway(module, client, vpc_id, tags)
        return True, {}, after
    before = summarize(gateway)
    changed, tags_after = ensure_tags(module, client, before["id"], before["tags"], tags, purge_tags)
    return changed, before, dict(before, tags=tags_after)


def ensure_absent(module, client, vpc_id, gateway_id, tags, delete_routes):
    gateway = find_gateway(module, client, vpc_id, gateway_id, tags, fallback=False)
    if gateway is None:
        return False, {}, []
    before = summarize(gateway)
    routes = routes_to(module, client, before["id"], before["vpc_id"]) if delete_routes and before["vpc_id"] else []
    removed = [{"route_table_id": table_id, "dest": route_destination(route)} for table_id, route in routes]
    if not module.check_mode:
        for table_id, route in routes:
            call(module, client.delete_route,
                 "delete the route to %s from %s before deleting %s" % (route_destination(route), table_id, before["id"]),
                 **route_api_params(table_id, route_raw_destination(route)))
        call(module, client.delete_egress_only_internet_gateway, "delete egress-only internet gateway %s" % before["id"],
             EgressOnlyInternetGatewayId=before["id"])
    before["routes"] = sorted("%s %s" % (r["route_table_id"], r["dest"]) for r in removed)
    return True, before, removed


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        vpc_id=dict(type="str"),
        egress_only_igw_id=dict(type="str"),
        delete_routes=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_one_of=[["vpc_id", "egress_only_igw_id"]],
        supports_check_mode=True,
    )
    params = module.params
    checked = validate(
        module,
        vpc_id=lambda: optional(check_resource_id, params["vpc_id"], "vpc", "vpc_id"),
        gateway_id=lambda: optional(check_resource_id, params["egress_only_igw_id"], "eigw", "egress_only_igw_id"),
    )
    vpc_id, gateway_id, tags = checked["vpc_id"], checked["gateway_id"], params["tags"]

    client = ec2_client(module)
    if params["state"] == "present":
        changed, before, after = ensure_present(module, client, vpc_id, gateway_id, tags, params["purge_tags"])
        result = dict(changed=changed, egress_only_igw=after)
    else:
        changed, before, removed = ensure_absent(module, client, vpc_id, gateway_id, tags, params["delete_routes"])
        after = {}
        result = dict(changed=changed, egress_only_igw={}, removed_routes=removed)
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: subnet_ipv6
version_added: 0.1.0
short_description: Manage the IPv6 /64 and IPv6 settings of an existing VPC subnet
description:
  - Gives an existing subnet an IPv6 /64 of its VPC's IPv6 block, either spelled out (O(ipv6_cidr)) or as
    the N-th /64 of the VPC's Amazon-provided /56 (O(ipv6_subnet_index)), and sets the subnet's
    C(AssignIpv6AddressOnCreation) and C(EnableDns64) attributes.
  - Unlike M(amazon.aws.ec2_vpc_subnet), it never removes what the task does not mention. Re-running
    without O(ipv6_cidr) keeps the subnet's /64, and O(assign_ipv6_address_on_creation) or O(enable_dns64)
    left out keeps its current value. CIDRs are compared normalised, so C(2600:1f18:0:100::/64) and
    C(2600:1f18::100:0:0:0:0/64) are the same block.
  - The subnet itself must exist (create it with M(amazon.aws.ec2_vpc_subnet) without IPv6 options).
author:
  - v6vpn.aws contributors (@v6vpn)
options:
  subnet_id:
    description:
      - The subnet to manage, C(subnet-...).
    required: true
    type: str
  ipv6_cidr:
    description:
      - The /64 the subnet should have, in any IPv6 spelling. It must lie inside one of the VPC's IPv6 blocks
        and not be used by another subnet.
      - A subnet holds one IPv6 block. When the subnet already has a different /64, the module disassociates
        it and associates this one. AWS refuses that while network interfaces in the subnet still use
        addresses from the old block.
      - Mutually exclusive with O(ipv6_subnet_index).
      - With O(state=absent), the module removes the subnet's block only if it is this one.
    type: str
  ipv6_subnet_index:
    description:
      - The subnet should have the N-th /64 (0-255) of the VPC's Amazon-provided /56. For example, index 1 of
        C(2600:1f18:aa:bb00::/56) is C(2600:1f18:aa:bb01::/64). A VPC without a /56 uses its first IPv6 block
        instead.
      - Mutually exclusive with O(ipv6_cidr).
      - With O(state=present) and neither O(ipv6_cidr) nor O(ipv6_subnet_index), the subnet keeps its
        current /64. The module fails if the subnet has none, rather than guess one.
      - With O(state=absent), the module removes the subnet's block only if it is this one.
    type: int
  assign_ipv6_address_on_creation:
    description:
      - Whether network interfaces created in the subnet (and so instances launched into it) get an IPv6 address
        automatically.
      - Left unchanged when not given.
      - With O(state=absent) it is always turned off; V(true) is refused there.
    type: bool
  enable_dns64:
    description:
      - Whether the Amazon DNS resolver gives IPv6 clients in this subnet synthetic AAAA records
        (C(64:ff9b::/96)) for IPv4-only names. This is only useful with a NAT gateway and a C(64:ff9b::/96) route.
      - Left unchanged when not given.
      - With O(state=absent) it is always turned off, because DNS64 only serves IPv6 clients and the subnet will
        have none. V(true) is refused there.
    type: bool
  state:
    description:
      - V(present) makes sure the subnet has the /64 and the given settings.
      - V(absent) turns auto-assign and DNS64 off, then disassociates the subnet's IPv6 block. AWS refuses the
        disassociation while network interfaces in the subnet still use IPv6 addresses from the block.
    choices: [present, absent]
    default: present
    type: str
  wait_timeout:
    description:
      - How many seconds to wait for each association or disassociation of the IPv6 block to finish.
    default: 300
    type: int
notes:
  - Validation happens before any change. The module checks the syntax, family and prefix length of
    O(ipv6_cidr), that it lies inside the VPC, that no other subnet uses it, and the range of
    O(ipv6_subnet_index). An invalid task changes nothing.
  - Before it disassociates a block, the module turns C(AssignIpv6AddressOnCreation) off, as
    M(amazon.aws.ec2_vpc_subnet) does. When it replaces the block, it then restores the setting (or sets
    the one given).
  - The module reads the subnet by its ID and compares blocks itself. It uses no
    C(ipv6-cidr-block-association.*) filters.
  - Verified only against the moto-based EC2 emulator, not real AWS. In particular, the emulator does not
    exercise the C(associating) and C(disassociating) states that the module waits through, the
    C(EnableDns64) round trip, or AWS's refusal to disassociate a block that is in use.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Give the public subnet the first /64 of the VPC's /56, with IPv6 auto-assign on
  v6vpn.aws.subnet_ipv6:
    subnet_id: "{{ subnet.subnet.id }}"
    ipv6_subnet_index: 0
    assign_ipv6_address_on_creation: true

- name: Give a subnet an explicit /64
  v6vpn.aws.subnet_ipv6:
    subnet_id: subnet-0123456789abcdef0
    ipv6_cidr: "2600:1f18:aa:bb01::/64"

- name: Turn DNS64 on, leaving the subnet's /64 and auto-assign as they are
  v6vpn.aws.subnet_ipv6:
    subnet_id: subnet-0123456789abcdef0
    enable_dns64: true

- name: Remove IPv6 from a subnet
  v6vpn.aws.subnet_ipv6:
    subnet_id: subnet-0123456789abcdef0
    state: absent
"""

RETURN = r"""
subnet:
  description:
    - The subnet's IPv6 settings after the task.
    - In check mode they are the predicted settings, and RV(subnet.ipv6_association_id) is V(null) for a block
      that would be newly associated.
  returned: always
  type: dict
  contains:
    id:
      description: The subnet ID.
      returned: always
      type: str
      sample: subnet-0123456789abcdef0
    vpc_id:
      description: The subnet's VPC.
      returned: always
      type: str
      sample: vpc-0123456789abcdef0
    ipv6_cidr_block:
      description: The subnet's IPv6 /64 in normalised (compressed, lower-case) form, or V(null) when it has none.
      returned: always
      type: str
      sample: "2600:1f18:aa:bb01::/64"
    ipv6_association_id:
      description: The ID of the association of that block with the subnet, or V(null).
      returned: always
      type: str
      sample: subnet-cidr-assoc-0123456789abcdef0
    assign_ipv6_address_on_creation:
      description: Whether new network interfaces in the subnet get an IPv6 address automatically.
      returned: always
      type: bool
      sample: true
    enable_dns64:
      description: Whether DNS64 is on for the subnet.
      returned: always
      type: bool
      sample: false
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import SUBNET_IPV6_PREFIX
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import cidr_within
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import normalize_cidr
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import nth_subnet
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import parse_network
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import call
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ec2_client
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import get_vpc
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import subnet_ipv6_association
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import validate
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import vpc_amazon_ipv6_block
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import vpc_ipv6_blocks
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import wait_until

# An Amazon-provided VPC block is a /56: 256 /64s.
MAX_SUBNET_INDEX = 255


def check_index(index):
    if index is not None and not 0 <= index <= MAX_SUBNET_INDEX:
        raise InvalidParameter("ipv6_subnet_index: %d is out of range; an Amazon /56 holds 256 /64s (0-%d)" % (index, MAX_SUBNET_INDEX))


def check_cidr(value):
    if value is not None and parse_network(value, "ipv6_cidr", family=6).prefixlen != SUBNET_IPV6_PREFIX:
        raise InvalidParameter("ipv6_cidr: %s is not a /%d; a subnet's IPv6 block is always a /%d" % (value, SUBNET_IPV6_PREFIX, SUBNET_IPV6_PREFIX))


def check_absent_flags(params):
    if params["state"] != "absent":
        return
    for name in ("assign_ipv6_address_on_creation", "enable_dns64"):
        if params[name]:
            raise InvalidParameter("%s: state=absent removes the subnet's IPv6 and turns %s off; it cannot be true" % (name, name))


def summary(subnet, assoc):
    return {
        "id": subnet["SubnetId"],
        "vpc_id": subnet["VpcId"],
        "ipv6_cidr_block": normalize_cidr(assoc["Ipv6CidrBlock"]) if assoc else None,
        "ipv6_association_id": assoc["AssociationId"] if assoc else None,
        "assign_ipv6_address_on_creation": bool(subnet.get("AssignIpv6AddressOnCreation")),
        # Older API answers leave EnableDns64 out: it is off then.
        "enable_dns64": bool(subnet.get("EnableDns64")),
    }


def get_subnet(module, client, subnet_id):
    # A subnet-id filter answers an unknown id with an empty list, where SubnetIds would raise.
    subnets = describe(module, client, "describe_subnets", "Subnets", "describe subnet %s" % subnet_id,
                       filters={"subnet-id": subnet_id})
    if not subnets:
        module.fail_json(msg="subnet_id: subnet %s does not exist in this region" % subnet_id)
    return subnets[0]


def wait_association(module, client, subnet_id, association_id, wanted):
    """Wait until the association reaches ``wanted`` (associated or disassociated); fail on failed."""

    def poll():
        for assoc in get_subnet(module, client, subnet_id).get("Ipv6CidrBlockAssociationSet") or []:
            if assoc.get("AssociationId") == association_id:
                state = assoc.get("Ipv6CidrBlockState") or {}
                if state.get("State") in ("failing", "failed"):
                    module.fail_json(msg="The IPv6 block association %s of %s failed: %s"
                                     % (association_id, subnet_id, state.get("StatusMessage", "no reason given")))
                return state.get("State") == wanted
        # AWS drops a disassociated block from the subnet's set after a while.
        return wanted == "disassociated"

    wait_until(module, poll, "IPv6 block association %s of %s to be %s" % (association_id, subnet_id, wanted),
               module.params["wait_timeout"])


def set_attribute(module, client, subnet_id, attribute, value):
    # ModifySubnetAttribute takes one attribute per call.
    call(module, client, "modify_subnet_attribute", "set %s of %s to %s" % (attribute, subnet_id, value),
         SubnetId=subnet_id, **{attribute: {"Value": value}})


def wanted_block(module, client, subnet):
    """The /64 the task names (normalised), or None when it names none; validated against the VPC."""
    params = module.params
    if params["ipv6_cidr"] is None and params["ipv6_subnet_index"] is None:
        return None
    vpc = get_vpc(module, client, subnet["VpcId"])
    if params["ipv6_subnet_index"] is not None:
        block = vpc_amazon_ipv6_block(vpc)
        if not block:
            module.fail_json(msg="ipv6_subnet_index: VPC %s has no IPv6 CIDR block to take a /64 from; "
                                 "give the VPC an Amazon-provided /56 first" % vpc["VpcId"])
        try:
            return nth_subnet(block, SUBNET_IPV6_PREFIX, params["ipv6_subnet_index"], "ipv6_subnet_index")
        except InvalidParameter as e:  # a block smaller than a /56 (IPAM) holds fewer /64s
            module.fail_json(msg=str(e))
    cidr = normalize_cidr(params["ipv6_cidr"])
    blocks = vpc_ipv6_blocks(vpc)
    if not blocks:
        module.fail_json(msg="ipv6_cidr: VPC %s has no IPv6 CIDR block, so %s cannot be given to %s"
                             % (vpc["VpcId"], cidr, subnet["SubnetId"]))
    if not any(cidr_within(cidr, block) for block in blocks):
        module.fail_json(msg="ipv6_cidr: %s is outside the IPv6 block(s) of VPC %s (%s)"
                             % (cidr, vpc["VpcId"], ", ".join(normalize_cidr(b) for b in blocks)))
    return cidr


def check_block_free(module, client, subnet, cidr):
    """Fail when another subnet of the VPC holds ``cidr``, before the old block is let go."""
    others = describe(module, client, "describe_subnets", "Subnets", "list the subnets of %s" % subnet["VpcId"],
                      filters={"vpc-id": subnet["VpcId"]})
    for other in others:
        assoc = subnet_ipv6_association(other)
        if other["SubnetId"] != subnet["SubnetId"] and assoc and normalize_cidr(assoc["Ipv6CidrBlock"]) == cidr:
            module.fail_json(msg="%s: %s is already used by subnet %s" % (
                "ipv6_cidr" if module.params["ipv6_cidr"] is not None else "ipv6_subnet_index", cidr, other["SubnetId"]))


def ensure_present(module, client, subnet, wanted):
    params = module.params
    subnet_id = subnet["SubnetId"]
    held = subnet_ipv6_association(subnet)
    before = summary(subnet, held)
    if wanted is None:
        if held is None:
            module.fail_json(msg="subnet %s has no IPv6 CIDR block: give ipv6_cidr or ipv6_subnet_index "
                                 "to say which /64 it should have" % subnet_id)
        wanted = before["ipv6_cidr_block"]
    replace = wanted != before["ipv6_cidr_block"]
    if replace:
        check_block_free(module, client, subnet, wanted)

    after = dict(before)
    for name in ("assign_ipv6_address_on_creation", "enable_dns64"):
        if params[name] is not None:
            after[name] = params[name]
    if replace:
        after.update(ipv6_cidr_block=wanted, ipv6_association_id=None)
    if module.check_mode:
        return before, after

    assign_now = before["assign_ipv6_address_on_creation"]
    if replace:
        if held:
            if assign_now:
                set_attribute(module, client, subnet_id, "AssignIpv6AddressOnCreation", False)
                assign_now = False
            call(module, client, "disassociate_subnet_cidr_block",
                 "disassociate %s from %s" % (before["ipv6_cidr_block"], subnet_id), AssociationId=held["AssociationId"])
            wait_association(module, client, subnet_id, held["AssociationId"], "disassociated")
        # One IPv6 block per subnet: a block still being let go (say by another run) must be gone first.
        for assoc in subnet.get("Ipv6CidrBlockAssociationSet") or []:
            if (assoc.get("Ipv6CidrBlockState") or {}).get("State") == "disassociating":
                wait_association(module, client, subnet_id, assoc["AssociationId"], "disassociated")
        response = call(module, client, "associate_subnet_cidr_block", "associate %s with %s" % (wanted, subnet_id),
                        SubnetId=subnet_id, Ipv6CidrBlock=wanted)
        after["ipv6_association_id"] = response["Ipv6CidrBlockAssociation"]["AssociationId"]
        wait_association(module, client, subnet_id, after["ipv6_association_id"], "associated")
    elif (held["Ipv6CidrBlockState"] or {}).get("State") == "associating":
        # Auto-assign needs the block in place.
        wait_association(module, client, subnet_id, held["AssociationId"], "associated")

    if after["assign_ipv6_address_on_creation"] != assign_now:
        set_attribute(module, client, subnet_id, "AssignIpv6AddressOnCreation", after["assign_ipv6_address_on_creation"])
    if after["enable_dns64"] != before["enable_dns64"]:
        set_attribute(module, client, subnet_id, "EnableDns64", after["enable_dns64"])
    return before, after


def ensure_absent(module, client, subnet, wanted):
    subnet_id = subnet["SubnetId"]
    held = subnet_ipv6_association(subnet)
    before = summary(subnet, held)
    if wanted is not None and held is not None and wanted != before["ipv6_cidr_block"]:
        # The task names a block the subnet does not hold: that block is already absent.
        return before, before
    after = dict(before, ipv6_cidr_block=None, ipv6_association_id=None,
                 assign_ipv6_address_on_creation=False, enable_dns64=False)
    if module.check_mode:
        return before, after
    if before["assign_ipv6_address_on_creation"]:
        set_attribute(module, client, subnet_id, "AssignIpv6AddressOnCreation", False)
    if before["enable_dns64"]:
        set_attribute(module, client, subnet_id, "EnableDns64", False)
    if held:
        call(module, client, "disassociate_subnet_cidr_block",
             "disassociate %s from %s" % (before["ipv6_cidr_block"], subnet_id), AssociationId=held["AssociationId"])
        wait_association(module, client, subnet_id, held["AssociationId"], "disassociated")
    return before, after


def main():
    argument_spec = dict(
        subnet_id=dict(type="str", required=True),
        ipv6_cidr=dict(type="str"),
        ipv6_subnet_index=dict(type="int"),
        assign_ipv6_address_on_creation=dict(type="bool"),
        enable_dns64=dict(type="bool"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait_timeout=dict(type="int", default=300),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("ipv6_cidr", "ipv6_subnet_index")],
        supports_check_mode=True,
    )
    params = module.params
    validate(
        module,
        lambda: check_resource_id(params["subnet_id"], "subnet", "subnet_id"),
        lambda: check_cidr(params["ipv6_cidr"]),
        lambda: check_index(params["ipv6_subnet_index"]),
        lambda: check_absent_flags(params),
    )
    if params["wait_timeout"] < 0:
        module.fail_json(msg="wait_timeout: %d is negative" % params["wait_timeout"])

    client = ec2_client(module)
    subnet = get_subnet(module, client, params["subnet_id"])
    wanted = wanted_block(module, client, subnet)
    if params["state"] == "present":
        before, after = ensure_present(module, client, subnet, wanted)
    else:
        before, after = ensure_absent(module, client, subnet, wanted)

    result = {"changed": before != after, "subnet": after}
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()

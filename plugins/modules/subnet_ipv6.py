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
  - The subnet itself must exist. Create it with M(amazon.aws.ec2_vpc_subnet), with its /64 in O(ipv6_cidr) when
    it is known, so that it never exists without IPv6 (as the C(network) role does); when that module runs
    again on an existing subnet, hand it the IPv6 block the subnet has, or it disassociates the block.
    This module then changes the /64 and the settings whenever they differ from what is wanted.
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
        addresses from the old block, so the module checks it first and fails, changing nothing, naming them.
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
        disassociation while network interfaces in the subnet still use IPv6 addresses from the block; the
        module checks that first and fails, changing nothing.
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
    O(ipv6_cidr), the range of O(ipv6_subnet_index) and the other parameters, reporting every problem
    with them at once; then that the block lies inside the VPC and that no other subnet uses it. An
    invalid task changes nothing.
  - Before it disassociates a block, the module checks (C(DescribeNetworkInterfaces) by subnet, in check mode
    too) that no network interface holds IPv6 addresses or /80 prefixes of it, and fails naming them if one
    does. Then it turns C(AssignIpv6AddressOnCreation) off (AWS refuses the disassociation while it is on),
    as M(amazon.aws.ec2_vpc_subnet) does. When it replaces the block, it then restores the setting (or sets
    the one given).
  - A new block stays C(associating) for a while, and AWS refuses C(AssignIpv6AddressOnCreation=true) until it
    is C(associated); the module waits for that (O(wait_timeout)) before it sets the attribute.
  - The module reads the subnet by its ID and compares blocks itself. It uses no
    C(ipv6-cidr-block-association.*) filters.
  - EC2 is eventually consistent, so right after a subnet is created, calls naming it may answer
    C(InvalidSubnetID.NotFound) for a while. The module retries those codes, bounded, and reports an id
    that never appears after about 15 s.
  - Verified only against the moto-based EC2 emulator, not real AWS. With its realism mode the emulator
    keeps blocks C(associating) and C(disassociating) for a while and refuses the attribute meanwhile, with
    AWS's message; it refuses to disassociate a block in use as AWS documents (the message naming the
    interfaces is the emulator's). The C(EnableDns64) round trip is the emulator's only.
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

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import check_ipv6_subnet_index
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import call
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe_one
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ec2_client
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import get_vpc
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import wait_until
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.subnet_ipv6 import check_block_free
from ansible_collections.v6vpn.aws.plugins.module_utils.subnet_ipv6 import check_block_unused
from ansible_collections.v6vpn.aws.plugins.module_utils.subnet_ipv6 import check_setting
from ansible_collections.v6vpn.aws.plugins.module_utils.subnet_ipv6 import check_subnet_cidr
from ansible_collections.v6vpn.aws.plugins.module_utils.subnet_ipv6 import plan_absent
from ansible_collections.v6vpn.aws.plugins.module_utils.subnet_ipv6 import plan_present
from ansible_collections.v6vpn.aws.plugins.module_utils.subnet_ipv6 import releases_block
from ansible_collections.v6vpn.aws.plugins.module_utils.subnet_ipv6 import wanted_block
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import check_integer
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import optional
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate


def get_subnet(module, client, subnet_id):
    return describe_one(module, client.describe_subnets, "Subnets", "subnet_id: subnet %s does not exist in this region" % subnet_id,
                        filters={"subnet-id": subnet_id}, just_created=True)


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


def apply(module, client, subnet_id, steps, after):
    """Make the planned steps in order (see module_utils/subnet_ipv6.py); record the new association in ``after``."""
    for step in steps:
        if step[0] == "set":
            # ModifySubnetAttribute takes one attribute per call.
            call(module, client.modify_subnet_attribute, "set %s of %s to %s" % (step[1], subnet_id, step[2]),
                 just_created=(subnet_id,), SubnetId=subnet_id, **{step[1]: {"Value": step[2]}})
        elif step[0] == "disassociate":
            call(module, client.disassociate_subnet_cidr_block, "disassociate %s from %s" % (step[2], subnet_id),
                 just_created=(subnet_id,), AssociationId=step[1])
        elif step[0] == "await":
            wait_association(module, client, subnet_id, step[1], step[2])
        else:
            response = call(module, client.associate_subnet_cidr_block, "associate %s with %s" % (step[1], subnet_id),
                            just_created=(subnet_id,), SubnetId=subnet_id, Ipv6CidrBlock=step[1])
            after["ipv6_association_id"] = response["Ipv6CidrBlockAssociation"]["AssociationId"]
            wait_association(module, client, subnet_id, after["ipv6_association_id"], "associated")


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
    state = params["state"]
    checked = validate(
        module,
        subnet_id=lambda: check_resource_id(params["subnet_id"], "subnet", "subnet_id"),
        ipv6_cidr=lambda: optional(check_subnet_cidr, params["ipv6_cidr"], "ipv6_cidr"),
        ipv6_subnet_index=lambda: optional(check_ipv6_subnet_index, params["ipv6_subnet_index"], "ipv6_subnet_index"),
        assign=lambda: check_setting(params["assign_ipv6_address_on_creation"], "assign_ipv6_address_on_creation", state),
        dns64=lambda: check_setting(params["enable_dns64"], "enable_dns64", state),
        wait_timeout=lambda: check_integer(params["wait_timeout"], "wait_timeout", minimum=0),
    )

    client = ec2_client(module)
    subnet = get_subnet(module, client, checked["subnet_id"])
    subnet_id, cidr, index = subnet["SubnetId"], checked["ipv6_cidr"], checked["ipv6_subnet_index"]
    wanted = None
    if cidr is not None or index is not None:
        vpc = get_vpc(module, client, subnet["VpcId"], just_created=True)
        wanted = validate(module, wanted=lambda: wanted_block(vpc, subnet_id, cidr, index))["wanted"]
    if state == "present":
        before, after, steps = validate(module, plan=lambda: plan_present(subnet, wanted, checked["assign"], checked["dns64"]))["plan"]
        if after["ipv6_cidr_block"] != before["ipv6_cidr_block"]:
            # Before the old block is let go, and in check mode too.
            others = describe(module, client.describe_subnets, "Subnets", "list the subnets of %s" % subnet["VpcId"],
                              filters={"vpc-id": subnet["VpcId"]})
            validate(module, free=lambda: check_block_free(others, subnet_id, wanted,
                                                           "ipv6_cidr" if cidr is not None else "ipv6_subnet_index"))
    else:
        before, after, steps = plan_absent(subnet, wanted)
    released = releases_block(steps)
    if released:
        # AWS refuses to disassociate a block in use, after auto-assign is already off: find out
        # first, and in check mode too.
        interfaces = describe(module, client.describe_network_interfaces, "NetworkInterfaces",
                              "list the network interfaces of %s" % subnet_id, filters={"subnet-id": subnet_id})
        validate(module, unused=lambda: check_block_unused(
            interfaces, subnet_id, released,
            "state" if state == "absent" else "ipv6_cidr" if cidr is not None else "ipv6_subnet_index"))
    if steps and not module.check_mode:
        apply(module, client, subnet_id, steps, after)

    result = {"changed": before != after, "subnet": after}
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: instance_ipv6
version_added: 0.1.0
short_description: Manage the IPv6 addresses, delegated /80 prefixes and source/dest check of an EC2 network interface
description:
  - Makes sure that an instance's primary network interface, or a given network interface, has a number of
    IPv6 addresses (or a given list of them) and of delegated IPv6 /80 prefixes. It can also turn the
    interface's source/destination check on or off.
  - Fills a gap in amazon.aws. M(amazon.aws.ec2_instance) has no IPv6 address count or prefix options, and
    M(amazon.aws.ec2_eni) has no IPv6 options at all.
  - A delegated /80 (prefix delegation, Nitro instances only) is routed by the VPC to the interface as a
    whole. That suits a VPN server handing global IPv6 addresses to its clients (OpenVPN C(server-ipv6)).
    Such a routed VPN also needs O(source_dest_check=false).
author:
  - v6vpn.aws contributors (@v6vpn)
options:
  instance_id:
    description:
      - The instance whose primary network interface (device index 0 on network card 0) to manage, C(i-...).
      - The instance must be V(running) or V(stopped). The module waits up to O(wait_timeout) seconds for a
        V(pending) or V(stopping) instance, and fails for a V(shutting-down) or V(terminated) one.
      - Exactly one of O(instance_id) and O(network_interface_id) is required.
    type: str
  network_interface_id:
    description:
      - The network interface to manage, C(eni-...), whether or not it is attached, and whatever its device
        index.
    type: str
  ipv6_address_count:
    description:
      - How many IPv6 addresses the interface should have. EC2 picks new ones from the subnet's /64.
      - With O(exact=false) this is a minimum, and surplus addresses stay.
      - With O(exact=true) surplus addresses are removed. The module keeps the interface's primary IPv6 address
        (C(IsPrimaryIpv6)) first, then the others in the order EC2 lists them, and removes from the end of
        that order. So the address returned as RV(ipv6_address) is kept while any is.
      - Mutually exclusive with O(ipv6_addresses).
      - Left unmanaged when neither this nor O(ipv6_addresses) is given.
    type: int
  ipv6_addresses:
    description:
      - IPv6 addresses the interface should have, in any spelling. Each must lie inside the subnet's /64.
      - With O(exact=false) other addresses stay. With O(exact=true) the interface ends up with exactly these.
      - Mutually exclusive with O(ipv6_address_count).
    type: list
    elements: str
  ipv6_prefix_count:
    description:
      - How many delegated IPv6 /80 prefixes the interface should have. EC2 picks them from the subnet's /64.
        Prefix delegation works on Nitro instance types only, and AWS refuses it on others (for example
        C(t2.micro)).
      - With O(exact=false) this is a minimum. With O(exact=true) surplus prefixes are removed from the end of
        the order in which EC2 lists them.
      - Left unmanaged when not given.
    type: int
  exact:
    description:
      - Whether O(ipv6_address_count), O(ipv6_addresses) and O(ipv6_prefix_count) say exactly what the interface
        holds (V(true), surplus removed) or only what it must hold at least (V(false)).
      - Use O(ipv6_address_count=0) with O(exact=true) to remove all IPv6 addresses.
    type: bool
    default: false
  source_dest_check:
    description:
      - Whether EC2 drops traffic through the interface that is not from or to its own addresses. A routed VPN
        server needs V(false).
      - Left unchanged when not given.
    type: bool
  wait_timeout:
    description:
      - How many seconds to wait for a V(pending) or V(stopping) instance to settle.
    type: int
    default: 300
notes:
  - Validation happens before any change. The module checks the ID prefixes, that counts are not negative
    and the syntax of O(ipv6_addresses), reporting every problem with the parameters at once. Then it checks
    that the addresses lie inside the subnet's /64, that the subnet has an IPv6 block when addresses or
    prefixes must be added, and that the instance type is not a Xen (non-Nitro) one when prefixes must be
    added.
  - With O(exact=true), surplus addresses and prefixes are unassigned before new ones are assigned. That keeps
    the interface within its per-instance-type address limit.
  - In check mode, the returned values are the current ones. The diff's C(after) shows the predicted state,
    with C(new address assigned by EC2) or C(new /80 assigned by EC2) in place of each address or prefix
    that EC2 would choose.
  - EC2 is eventually consistent, so right after a instance or its network interface is created, calls naming it may answer
    C(InvalidInstanceID.NotFound or InvalidNetworkInterfaceID.NotFound) for a while. The module retries those codes, bounded, and reports an id
    that never appears after about 15 s.
  - Verified only against the moto-based EC2 emulator, not real AWS. This covers prefix delegation, the
    removal order of surplus addresses, the waits for pending or stopping instances, and AWS's refusal of
    prefixes on non-Nitro types.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Give the VPN server one IPv6 address, a routed /80 for its clients, and no source/dest check
  v6vpn.aws.instance_ipv6:
    instance_id: "{{ server.instance_ids[0] }}"
    ipv6_address_count: 1
    ipv6_prefix_count: 1
    source_dest_check: false
  register: server_ipv6

- name: Use the delegated /80 for the tunnel
  ansible.builtin.set_fact:
    vpn_client_ipv6_prefix: "{{ server_ipv6.ipv6_prefixes[0] }}"

- name: Keep exactly one IPv6 address on a network interface
  v6vpn.aws.instance_ipv6:
    network_interface_id: eni-0123456789abcdef0
    ipv6_address_count: 1
    exact: true

- name: Pin a known address
  v6vpn.aws.instance_ipv6:
    instance_id: i-0123456789abcdef0
    ipv6_addresses:
      - "2600:1f18:aa:bb00::10"
"""

RETURN = r"""
network_interface_id:
  description: The managed network interface.
  returned: always
  type: str
  sample: eni-0123456789abcdef0
instance_id:
  description: The instance the interface is attached to, or V(null) when it is not attached.
  returned: always
  type: str
  sample: i-0123456789abcdef0
ipv6_addresses:
  description: The interface's IPv6 addresses, normalised, with the primary IPv6 address first.
  returned: always
  type: list
  elements: str
  sample: ["2600:1f18:aa:bb00:1a2b:3c4d:5e6f:7a8b"]
ipv6_address:
  description: The first of RV(ipv6_addresses), or an empty string when the interface has none.
  returned: always
  type: str
  sample: "2600:1f18:aa:bb00:1a2b:3c4d:5e6f:7a8b"
ipv6_prefixes:
  description: The /80 prefixes delegated to the interface, normalised.
  returned: always
  type: list
  elements: str
  sample: ["2600:1f18:aa:bb00:9c3d::/80"]
source_dest_check:
  description: Whether the interface's source/destination check is on.
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import normalize_address
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import normalize_cidr
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import call
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe_one
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ec2_client
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import wait_until
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import adds_anything
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import check_exact
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import check_ipv6_addresses
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import check_prefix_delegation
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import check_subnet_block
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import interface_after
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import interface_state
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import plan_interface
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import predict
from ansible_collections.v6vpn.aws.plugins.module_utils.interface_ipv6 import primary_interface_id
from ansible_collections.v6vpn.aws.plugins.module_utils.subnet_ipv6 import ipv6_association
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import check_integer
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import optional
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate

SETTLED_STATES = ("running", "stopped")
TRANSITIONAL_STATES = ("pending", "stopping")


def get_instance(module, client, instance_id):
    # A reservation holds only the instances its filter matched.
    reservation = describe_one(module, client.describe_instances, "Reservations",
                               "instance_id: instance %s does not exist in this region" % instance_id,
                               filters={"instance-id": instance_id}, just_created=True)
    return reservation["Instances"][0]


def settled_instance(module, client, instance_id):
    """The instance once it is running or stopped; fails for one that is going away."""

    def poll():
        instance = get_instance(module, client, instance_id)
        state = instance["State"]["Name"]
        if state in SETTLED_STATES:
            return instance
        if state not in TRANSITIONAL_STATES:
            module.fail_json(msg="instance_id: instance %s is %s; it must be running or stopped" % (instance_id, state))
        return None

    return wait_until(module, poll, "instance %s to be running or stopped" % instance_id, module.params["wait_timeout"])


def check_subnet(module, client, eni, addresses):
    """Fail before any change when the interface's subnet cannot supply what is asked."""
    subnet = describe_one(module, client.describe_subnets, "Subnets",
                          "subnet %s of network interface %s does not exist" % (eni["SubnetId"], eni["NetworkInterfaceId"]),
                          filters={"subnet-id": eni["SubnetId"]})
    assoc = ipv6_association(subnet)
    block = normalize_cidr(assoc["Ipv6CidrBlock"]) if assoc else None
    validate(module, subnet=lambda: check_subnet_block(block, eni, addresses))


def check_nitro(module, client, eni, instance):
    """Fail before any change when prefixes are asked of an instance type that cannot take them,
    so that EC2's refusal does not come after the surplus addresses were already unassigned."""
    instance_id = (eni.get("Attachment") or {}).get("InstanceId")
    if instance is None and instance_id:
        instance = get_instance(module, client, instance_id)
    if instance is None:
        return  # a detached interface: EC2 checks the type when it is attached
    instance_type = describe_one(module, client.describe_instance_types, "InstanceTypes",
                                 "instance type %s of %s is unknown" % (instance["InstanceType"], instance["InstanceId"]),
                                 InstanceTypes=[instance["InstanceType"]])
    validate(module, nitro=lambda: check_prefix_delegation(instance, instance_type))


def apply(module, client, eni_id, plan):
    """Make the planned changes (surplus out first); return what EC2 assigned, ``(addresses, prefixes)``."""
    removed = plan["remove_addresses"] + plan["remove_prefixes"]
    if removed:
        request = {}
        if plan["remove_addresses"]:
            request["Ipv6Addresses"] = plan["remove_addresses"]
        if plan["remove_prefixes"]:
            request["Ipv6Prefixes"] = plan["remove_prefixes"]
        call(module, client.unassign_ipv6_addresses, "unassign %s from %s" % (", ".join(removed), eni_id),
             just_created=(eni_id,), NetworkInterfaceId=eni_id, **request)
    addresses, prefixes = [], []
    # Addresses and prefixes go in separate calls: EC2 refuses a prefix count beside addresses.
    if plan["add_address_count"] or plan["add_addresses"]:
        request = {"Ipv6AddressCount": plan["add_address_count"]} if plan["add_address_count"] else {"Ipv6Addresses": plan["add_addresses"]}
        response = call(module, client.assign_ipv6_addresses, "assign IPv6 addresses to %s" % eni_id,
                        just_created=(eni_id,), NetworkInterfaceId=eni_id, **request)
        addresses = [normalize_address(a) for a in response.get("AssignedIpv6Addresses") or []]
    if plan["add_prefix_count"]:
        response = call(module, client.assign_ipv6_addresses, "delegate %d IPv6 /80 prefix(es) to %s" % (plan["add_prefix_count"], eni_id),
                        just_created=(eni_id,), NetworkInterfaceId=eni_id, Ipv6PrefixCount=plan["add_prefix_count"])
        prefixes = [normalize_cidr(p) for p in response.get("AssignedIpv6Prefixes") or []]
    if plan["source_dest_check"] is not None:
        call(module, client.modify_network_interface_attribute, "set the source/dest check of %s" % eni_id,
             just_created=(eni_id,), NetworkInterfaceId=eni_id, SourceDestCheck={"Value": plan["source_dest_check"]})
    return addresses, prefixes


def main():
    argument_spec = dict(
        instance_id=dict(type="str"),
        network_interface_id=dict(type="str"),
        ipv6_address_count=dict(type="int"),
        ipv6_addresses=dict(type="list", elements="str"),
        ipv6_prefix_count=dict(type="int"),
        exact=dict(type="bool", default=False),
        source_dest_check=dict(type="bool"),
        wait_timeout=dict(type="int", default=300),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("instance_id", "network_interface_id"), ("ipv6_address_count", "ipv6_addresses")],
        required_one_of=[("instance_id", "network_interface_id")],
        supports_check_mode=True,
    )
    params = module.params
    checked = validate(
        module,
        instance_id=lambda: optional(check_resource_id, params["instance_id"], "i", "instance_id"),
        network_interface_id=lambda: optional(check_resource_id, params["network_interface_id"], "eni", "network_interface_id"),
        ipv6_address_count=lambda: optional(check_integer, params["ipv6_address_count"], "ipv6_address_count", minimum=0),
        ipv6_addresses=lambda: optional(check_ipv6_addresses, params["ipv6_addresses"], "ipv6_addresses"),
        ipv6_prefix_count=lambda: optional(check_integer, params["ipv6_prefix_count"], "ipv6_prefix_count", minimum=0),
        exact=lambda: check_exact(params["exact"], params["ipv6_address_count"], params["ipv6_addresses"], params["ipv6_prefix_count"]),
        wait_timeout=lambda: check_integer(params["wait_timeout"], "wait_timeout", minimum=0),
    )

    client = ec2_client(module)
    instance = None
    if checked["instance_id"]:
        instance = settled_instance(module, client, checked["instance_id"])
        eni_id = validate(module, eni=lambda: primary_interface_id(instance))["eni"]
    else:
        eni_id = checked["network_interface_id"]
    eni = describe_one(module, client.describe_network_interfaces, "NetworkInterfaces",
                       "network_interface_id: network interface %s does not exist in this region" % eni_id,
                       filters={"network-interface-id": eni_id}, just_created=True)
    before = interface_state(eni)

    plan = plan_interface(before, checked["ipv6_address_count"], checked["ipv6_addresses"], checked["ipv6_prefix_count"],
                          checked["exact"], params["source_dest_check"])
    if adds_anything(plan) or checked["ipv6_addresses"]:
        check_subnet(module, client, eni, checked["ipv6_addresses"])
    if plan["add_prefix_count"]:
        check_nitro(module, client, eni, instance)

    predicted = predict(before, plan)
    changed = predicted != before
    after = before
    if changed and not module.check_mode:
        after = interface_after(before, plan, *apply(module, client, eni_id, plan))

    result = dict(
        after,
        changed=changed,
        network_interface_id=eni_id,
        instance_id=(eni.get("Attachment") or {}).get("InstanceId"),
        ipv6_address=after["ipv6_addresses"][0] if after["ipv6_addresses"] else "",
    )
    if module._diff:
        result["diff"] = {"before": before, "after": after if not module.check_mode else predicted}
    module.exit_json(**result)


if __name__ == "__main__":
    main()

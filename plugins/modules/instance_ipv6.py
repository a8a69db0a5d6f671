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
  - Validation happens before any change. The module checks the ID prefixes, that counts are not negative,
    the syntax of O(ipv6_addresses) and that they lie inside the subnet's /64. It also checks that the
    subnet has an IPv6 block when addresses or prefixes must be added, and that the instance type is not a
    Xen (non-Nitro) one when prefixes must be added.
  - With O(exact=true), surplus addresses and prefixes are unassigned before new ones are assigned. That keeps
    the interface within its per-instance-type address limit.
  - In check mode, the returned values are the current ones. The diff's C(after) shows the predicted state,
    with C(new address assigned by EC2) or C(new /80 assigned by EC2) in place of each address or prefix
    that EC2 would choose.
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

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import cidr_within
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import normalize_address
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import normalize_cidr
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import call
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ec2_client
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import subnet_ipv6_association
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import validate
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import wait_until

NEW_ADDRESS = "new address assigned by EC2"
NEW_PREFIX = "new /80 assigned by EC2"
SETTLED_STATES = ("running", "stopped")
TRANSITIONAL_STATES = ("pending", "stopping")


def check_count(params, name):
    if params[name] is not None and params[name] < 0:
        raise InvalidParameter("%s: %d is negative; give 0 or more" % (name, params[name]))


def check_something_to_be_exact(params):
    if params["exact"] and all(params[n] is None for n in ("ipv6_address_count", "ipv6_addresses", "ipv6_prefix_count")):
        raise InvalidParameter("exact: true needs ipv6_address_count, ipv6_addresses or ipv6_prefix_count to say what to keep")


def wanted_addresses(params):
    """``ipv6_addresses`` normalised and without duplicates, in the order given; None when not given."""
    if params["ipv6_addresses"] is None:
        return None
    addresses = []
    for value in params["ipv6_addresses"]:
        address = normalize_address(value, "ipv6_addresses", family=6)
        if address not in addresses:
            addresses.append(address)
    return addresses


def plan(current, count, wanted, exact):
    """What to change so that ``current`` matches ``count`` or the list ``wanted``.

    ``current`` is in keep-first order; with ``exact`` the surplus is taken from its end.
    Returns ``(how_many_to_add, which_to_add, which_to_remove)``.
    """
    if wanted is not None:
        remove = [item for item in current if item not in wanted] if exact else []
        return 0, [item for item in wanted if item not in current], remove
    if count is None:
        return 0, [], []
    if len(current) < count:
        return count - len(current), [], []
    return 0, [], list(current[count:]) if exact else []


def interface_state(eni):
    """The managed part of an interface, normalised; the primary IPv6 address first."""
    entries = eni.get("Ipv6Addresses") or []
    ordered = [e for e in entries if e.get("IsPrimaryIpv6")] + [e for e in entries if not e.get("IsPrimaryIpv6")]
    return {
        "ipv6_addresses": [normalize_address(e["Ipv6Address"]) for e in ordered],
        "ipv6_prefixes": [normalize_cidr(p["Ipv6Prefix"]) for p in eni.get("Ipv6Prefixes") or []],
        "source_dest_check": bool(eni.get("SourceDestCheck")),
    }


def get_instance(module, client, instance_id):
    # An instance-id filter answers an unknown id with no reservations, where InstanceIds would raise.
    reservations = describe(module, client, "describe_instances", "Reservations", "describe instance %s" % instance_id,
                            filters={"instance-id": instance_id})
    instances = [i for r in reservations for i in r.get("Instances", [])]
    if not instances:
        module.fail_json(msg="instance_id: instance %s does not exist in this region" % instance_id)
    return instances[0]


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


def primary_interface_id(module, instance):
    for eni in instance.get("NetworkInterfaces") or []:
        attachment = eni.get("Attachment") or {}
        if attachment.get("DeviceIndex") == 0 and attachment.get("NetworkCardIndex", 0) == 0:
            return eni["NetworkInterfaceId"]
    module.fail_json(msg="instance_id: instance %s has no primary network interface (device index 0)" % instance["InstanceId"])


def get_interface(module, client, eni_id):
    enis = describe(module, client, "describe_network_interfaces", "NetworkInterfaces",
                    "describe network interface %s" % eni_id, filters={"network-interface-id": eni_id})
    if not enis:
        module.fail_json(msg="network_interface_id: network interface %s does not exist in this region" % eni_id)
    return enis[0]


def subnet_block(module, client, eni):
    """The /64 of the interface's subnet, or None when the subnet has no IPv6 block."""
    subnets = describe(module, client, "describe_subnets", "Subnets", "describe subnet %s" % eni["SubnetId"],
                       filters={"subnet-id": eni["SubnetId"]})
    assoc = subnet_ipv6_association(subnets[0]) if subnets else None
    return normalize_cidr(assoc["Ipv6CidrBlock"]) if assoc else None


def check_subnet(module, client, eni, wanted, adding):
    """Fail before any change when the subnet cannot supply what is asked."""
    if not adding and not wanted:
        return
    block = subnet_block(module, client, eni)
    if block is None:
        module.fail_json(msg="subnet %s of network interface %s has no IPv6 CIDR block, so it cannot hand out IPv6 "
                             "addresses or prefixes; give it a /64 first (v6vpn.aws.subnet_ipv6)"
                             % (eni["SubnetId"], eni["NetworkInterfaceId"]))
    outside = [a for a in wanted or [] if not cidr_within("%s/128" % a, block)]
    if outside:
        module.fail_json(msg="ipv6_addresses: outside the IPv6 block %s of subnet %s: %s"
                             % (block, eni["SubnetId"], ", ".join(outside)))


def check_nitro(module, client, eni, instance):
    """Fail before any change when prefixes are asked of an instance type that cannot take them.

    Prefix delegation is for Nitro instance types only; checking first keeps EC2's refusal from
    coming after the surplus addresses were already unassigned.
    """
    instance_id = (eni.get("Attachment") or {}).get("InstanceId")
    if instance is None and instance_id:
        instance = get_instance(module, client, instance_id)
    if instance is None:
        return  # a detached interface: EC2 checks the type when it is attached
    types = describe(module, client, "describe_instance_types", "InstanceTypes",
                     "describe instance type %s" % instance["InstanceType"], InstanceTypes=[instance["InstanceType"]])
    # Bare-metal types report no hypervisor and are Nitro too: only Xen is refused here.
    if types and types[0].get("Hypervisor") == "xen":
        module.fail_json(msg="ipv6_prefix_count: instance %s is a %s, which is not built on the Nitro System; "
                             "IPv6 prefix delegation needs a Nitro instance type (for example t3.micro)"
                             % (instance["InstanceId"], instance["InstanceType"]))


def apply(module, client, eni_id, before, address_plan, prefix_plan):
    """Make the changes (surplus out first) and return the state they leave, from the API's answers."""
    params = module.params
    add_count, add_addresses, remove_addresses = address_plan
    add_prefixes, remove_prefixes = prefix_plan[0], prefix_plan[2]
    addresses = [a for a in before["ipv6_addresses"] if a not in remove_addresses]
    prefixes = [p for p in before["ipv6_prefixes"] if p not in remove_prefixes]

    if remove_addresses or remove_prefixes:
        request = {}
        if remove_addresses:
            request["Ipv6Addresses"] = remove_addresses
        if remove_prefixes:
            request["Ipv6Prefixes"] = remove_prefixes
        call(module, client, "unassign_ipv6_addresses", "unassign %s from %s" % (", ".join(remove_addresses + remove_prefixes), eni_id),
             NetworkInterfaceId=eni_id, **request)
    # Addresses and prefixes go in separate calls: EC2 refuses a prefix count beside addresses.
    if add_count or add_addresses:
        request = {"Ipv6AddressCount": add_count} if add_count else {"Ipv6Addresses": add_addresses}
        response = call(module, client, "assign_ipv6_addresses", "assign IPv6 addresses to %s" % eni_id,
                        NetworkInterfaceId=eni_id, **request)
        for address in response.get("AssignedIpv6Addresses") or []:
            address = normalize_address(address)
            if address not in addresses:
                addresses.append(address)
    if add_prefixes:
        response = call(module, client, "assign_ipv6_addresses", "delegate %d IPv6 /80 prefix(es) to %s" % (add_prefixes, eni_id),
                        NetworkInterfaceId=eni_id, Ipv6PrefixCount=add_prefixes)
        for prefix in response.get("AssignedIpv6Prefixes") or []:
            prefix = normalize_cidr(prefix)
            if prefix not in prefixes:
                prefixes.append(prefix)
    if params["source_dest_check"] is not None and params["source_dest_check"] != before["source_dest_check"]:
        call(module, client, "modify_network_interface_attribute", "set the source/dest check of %s" % eni_id,
             NetworkInterfaceId=eni_id, SourceDestCheck={"Value": params["source_dest_check"]})
    return {"ipv6_addresses": addresses, "ipv6_prefixes": prefixes,
            "source_dest_check": before["source_dest_check"] if params["source_dest_check"] is None else params["source_dest_check"]}


def predict(module, before, address_plan, prefix_plan):
    params = module.params
    add_count, add_addresses, remove_addresses = address_plan
    add_prefixes, remove_prefixes = prefix_plan[0], prefix_plan[2]
    return {
        "ipv6_addresses": [a for a in before["ipv6_addresses"] if a not in remove_addresses] + add_addresses + [NEW_ADDRESS] * add_count,
        "ipv6_prefixes": [p for p in before["ipv6_prefixes"] if p not in remove_prefixes] + [NEW_PREFIX] * add_prefixes,
        "source_dest_check": before["source_dest_check"] if params["source_dest_check"] is None else params["source_dest_check"],
    }


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
    validate(
        module,
        lambda: params["instance_id"] is None or check_resource_id(params["instance_id"], "i", "instance_id"),
        lambda: params["network_interface_id"] is None or check_resource_id(params["network_interface_id"], "eni", "network_interface_id"),
        lambda: check_count(params, "ipv6_address_count"),
        lambda: check_count(params, "ipv6_prefix_count"),
        lambda: check_count(params, "wait_timeout"),
        lambda: check_something_to_be_exact(params),
        lambda: wanted_addresses(params),
    )
    wanted = wanted_addresses(params)

    client = ec2_client(module)
    instance = None
    if params["instance_id"]:
        instance = settled_instance(module, client, params["instance_id"])
        eni_id = primary_interface_id(module, instance)
    else:
        eni_id = params["network_interface_id"]
    eni = get_interface(module, client, eni_id)
    before = interface_state(eni)

    address_plan = plan(before["ipv6_addresses"], params["ipv6_address_count"], wanted, params["exact"])
    prefix_plan = plan(before["ipv6_prefixes"], params["ipv6_prefix_count"], None, params["exact"])
    check_subnet(module, client, eni, wanted, bool(address_plan[0] or address_plan[1] or prefix_plan[0]))
    if prefix_plan[0]:
        check_nitro(module, client, eni, instance)

    predicted = predict(module, before, address_plan, prefix_plan)
    changed = predicted != before
    after = before
    if changed and not module.check_mode:
        after = apply(module, client, eni_id, before, address_plan, prefix_plan)

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

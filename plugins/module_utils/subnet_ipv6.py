# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What v6vpn.aws.subnet_ipv6 changes to give a subnet its IPv6 /64 and settings.

Pure functions (no boto3) over subnets and VPCs as DescribeSubnets and DescribeVpcs return
them: the module describes, :func:`plan_present` or :func:`plan_absent` decide, and the module
makes the calls of the plan's steps in order. Problems found on the way raise
:class:`InvalidParameter` naming the parameter at fault.
"""

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import LIVE_ASSOCIATION_STATES
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import SUBNET_IPV6_PREFIX
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import cidr_within
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import live_ipv6_block
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import live_ipv6_blocks
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import normalize_cidr
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import nth_subnet
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import parse_network
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

# The subnet attributes the module manages: option name, ModifySubnetAttribute parameter.
ASSIGN = "AssignIpv6AddressOnCreation"
DNS64 = "EnableDns64"
SETTINGS = (("assign_ipv6_address_on_creation", ASSIGN), ("enable_dns64", DNS64))


def check_subnet_cidr(value, name="ipv6_cidr"):
    """Validate a subnet's IPv6 block (an IPv6 /64, in any spelling); return it normalised."""
    network = parse_network(value, name, family=6)
    if network.prefixlen != SUBNET_IPV6_PREFIX:
        raise InvalidParameter("%s: %s is not a /%d; a subnet's IPv6 block is always a /%d" % (name, value, SUBNET_IPV6_PREFIX, SUBNET_IPV6_PREFIX))
    return network.compressed


def check_setting(value, name, state):
    """A setting that ``state=absent`` turns off cannot be asked to be on there; return it."""
    if state == "absent" and value:
        raise InvalidParameter("%s: state=absent removes the subnet's IPv6 and turns %s off; it cannot be true" % (name, name))
    return value


def ipv6_association(subnet):
    """The subnet's IPv6 block association that counts (module_utils/cidr.py), or None."""
    for assoc in subnet.get("Ipv6CidrBlockAssociationSet") or []:
        if (assoc.get("Ipv6CidrBlockState") or {}).get("State") in LIVE_ASSOCIATION_STATES:
            return assoc
    return None


def subnet_state(subnet):
    """The subnet's IPv6 settings as the module returns them (``subnet``)."""
    assoc = ipv6_association(subnet)
    return {
        "id": subnet["SubnetId"],
        "vpc_id": subnet["VpcId"],
        "ipv6_cidr_block": normalize_cidr(assoc["Ipv6CidrBlock"]) if assoc else None,
        "ipv6_association_id": assoc["AssociationId"] if assoc else None,
        "assign_ipv6_address_on_creation": bool(subnet.get(ASSIGN)),
        # Older API answers leave EnableDns64 out: it is off then.
        "enable_dns64": bool(subnet.get(DNS64)),
    }


def wanted_block(vpc, subnet_id, cidr=None, index=None):
    """The /64 the task names, checked against the VPC's IPv6 blocks (normalised).

    :param cidr: ``ipv6_cidr``, validated by :func:`check_subnet_cidr`
    :param index: ``ipv6_subnet_index``: the N-th /64 of the VPC's Amazon /56 (else of its first block)
    """
    if index is not None:
        block = live_ipv6_block(vpc.get("Ipv6CidrBlockAssociationSet"))
        if not block:
            raise InvalidParameter("ipv6_subnet_index: VPC %s has no IPv6 CIDR block to take a /64 from; "
                                   "give the VPC an Amazon-provided /56 first" % vpc["VpcId"])
        # A block smaller than a /56 (IPAM) holds fewer /64s: nth_subnet says so.
        return nth_subnet(block, SUBNET_IPV6_PREFIX, index, "ipv6_subnet_index")
    blocks = live_ipv6_blocks(vpc.get("Ipv6CidrBlockAssociationSet"))
    if not blocks:
        raise InvalidParameter("ipv6_cidr: VPC %s has no IPv6 CIDR block, so %s cannot be given to %s" % (vpc["VpcId"], cidr, subnet_id))
    if not any(cidr_within(cidr, block) for block in blocks):
        raise InvalidParameter("ipv6_cidr: %s is outside the IPv6 block(s) of VPC %s (%s)"
                               % (cidr, vpc["VpcId"], ", ".join(normalize_cidr(b) for b in blocks)))
    return cidr


def check_block_free(subnets, subnet_id, cidr, name):
    """Fail when a subnet other than ``subnet_id`` among ``subnets`` (its VPC's) holds ``cidr``; return ``cidr``."""
    for other in subnets:
        assoc = ipv6_association(other)
        if other["SubnetId"] != subnet_id and assoc and normalize_cidr(assoc["Ipv6CidrBlock"]) == cidr:
            raise InvalidParameter("%s: %s is already used by subnet %s" % (name, cidr, other["SubnetId"]))
    return cidr


def releases_block(steps):
    """The CIDR the plan's steps disassociate, or None."""
    return next((step[2] for step in steps if step[0] == "disassociate"), None)


def interfaces_using(interfaces, cidr):
    """``[(interface id, instance id or None, [addresses and prefixes inside cidr])]`` of the
    network interfaces (DescribeNetworkInterfaces answers) holding IPv6 addresses or /80 prefixes of ``cidr``."""
    using = []
    for eni in interfaces:
        held = [a.get("Ipv6Address") for a in eni.get("Ipv6Addresses") or []]
        held += [p.get("Ipv6Prefix") for p in eni.get("Ipv6Prefixes") or []]
        inside = [h for h in held if h and cidr_within(h if "/" in h else h + "/128", cidr)]
        if inside:
            using.append((eni["NetworkInterfaceId"], (eni.get("Attachment") or {}).get("InstanceId"), inside))
    return using


def check_block_unused(interfaces, subnet_id, cidr, name):
    """Fail when network interfaces hold addresses of ``cidr``, the block the plan would let go.

    AWS refuses DisassociateSubnetCidrBlock then (InvalidCidrBlock.InUse), and by that time the
    module would already have turned AssignIpv6AddressOnCreation off: this is checked first, so
    the task changes nothing. Returns ``cidr``.

    :param interfaces: the subnet's network interfaces, as DescribeNetworkInterfaces returns them
    :param name: the parameter asking for the change (``ipv6_cidr``, ``ipv6_subnet_index``, ``state``)
    """
    using = interfaces_using(interfaces, cidr)
    if using:
        holders = "; ".join("%s%s: %s" % (eni, " (instance %s)" % instance if instance else "", ", ".join(held))
                            for eni, instance, held in using)
        raise InvalidParameter(
            "%s: subnet %s's IPv6 block %s cannot be let go while network interfaces use addresses of it (%s); "
            "AWS refuses to disassociate it. Nothing was changed: remove those interfaces or their IPv6 addresses "
            "(terminate the instance, or run playbooks/teardown.yml) first, or keep the current block"
            % (name, subnet_id, cidr, holders))
    return cidr


def plan_present(subnet, wanted=None, assign=None, dns64=None):
    """What to change so the subnet holds ``wanted`` (None: the /64 it has) and the given settings.

    :param assign: ``assign_ipv6_address_on_creation``, or None to leave it as it is
    :param dns64: ``enable_dns64``, or None to leave it as it is
    :returns: ``(before, after, steps)``: the subnet's state (see :func:`subnet_state`) now and
        once the steps are made, and the steps in order, each one of
        ``("set", attribute, value)`` (ModifySubnetAttribute),
        ``("disassociate", association_id, cidr)`` (DisassociateSubnetCidrBlock),
        ``("await", association_id, state)`` (wait for the association to reach the state),
        ``("associate", cidr)`` (AssociateSubnetCidrBlock, then wait for it to be associated)
    :raises InvalidParameter: when the subnet has no block and the task names none
    """
    held = ipv6_association(subnet)
    before = subnet_state(subnet)
    if wanted is None:
        if held is None:
            raise InvalidParameter("subnet %s has no IPv6 CIDR block: give ipv6_cidr or ipv6_subnet_index "
                                   "to say which /64 it should have" % subnet["SubnetId"])
        wanted = before["ipv6_cidr_block"]
    after = dict(before)
    for name, value in (("assign_ipv6_address_on_creation", assign), ("enable_dns64", dns64)):
        if value is not None:
            after[name] = value

    steps = []
    assign_now = before["assign_ipv6_address_on_creation"]
    if wanted != before["ipv6_cidr_block"]:
        after.update(ipv6_cidr_block=wanted, ipv6_association_id=None)
        if held:
            # As amazon.aws.ec2_vpc_subnet does: no auto-assign while the subnet has no block.
            if assign_now:
                steps.append(("set", ASSIGN, False))
                assign_now = False
            steps += [("disassociate", held["AssociationId"], before["ipv6_cidr_block"]),
                      ("await", held["AssociationId"], "disassociated")]
        # One IPv6 block per subnet: a block still being let go (say by another run) must be gone first.
        steps += [("await", assoc["AssociationId"], "disassociated") for assoc in subnet.get("Ipv6CidrBlockAssociationSet") or []
                  if (assoc.get("Ipv6CidrBlockState") or {}).get("State") == "disassociating"]
        steps.append(("associate", wanted))
    elif (held.get("Ipv6CidrBlockState") or {}).get("State") == "associating":
        # Auto-assign needs the block in place.
        steps.append(("await", held["AssociationId"], "associated"))
    if after["assign_ipv6_address_on_creation"] != assign_now:
        steps.append(("set", ASSIGN, after["assign_ipv6_address_on_creation"]))
    if after["enable_dns64"] != before["enable_dns64"]:
        steps.append(("set", DNS64, after["enable_dns64"]))
    return before, after, steps


def plan_absent(subnet, wanted=None):
    """What to change so the subnet has no IPv6 block (only if it is ``wanted``, when given).

    Auto-assign and DNS64 are turned off first. Returns ``(before, after, steps)`` as :func:`plan_present`.
    """
    held = ipv6_association(subnet)
    before = subnet_state(subnet)
    if wanted is not None and held is not None and wanted != before["ipv6_cidr_block"]:
        # The task names a block the subnet does not hold: that block is already absent.
        return before, before, []
    after = dict(before, ipv6_cidr_block=None, ipv6_association_id=None,
                 assign_ipv6_address_on_creation=False, enable_dns64=False)
    steps = [("set", attribute, False) for name, attribute in SETTINGS if before[name]]
    if held:
        steps += [("disassociate", held["AssociationId"], before["ipv6_cidr_block"]),
                  ("await", held["AssociationId"], "disassociated")]
    return before, after, steps

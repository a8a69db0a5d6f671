#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: instance_type_info
version_added: 0.2.0
short_description: What an EC2 instance type offers in a region, and in which zones
description:
  - Read-only. Describes one instance type (DescribeInstanceTypes) and the availability zones
    of the region that offer it (DescribeInstanceTypeOfferings with location type
    C(availability-zone), joined with DescribeAvailabilityZones).
  - Zone names map to physical zones per account, and not every zone offers every type (in
    us-east-1, C(use1-az3) offers no t3). Choose the zone of a subnet from RV(zones) before
    launching, so that RunInstances does not answer C(Unsupported) after the subnet exists.
  - Fails with C(instance type X does not exist in region R) for a type the region does not know.
author:
  - v6vpn.aws contributors (@v6vpn)
options:
  instance_type:
    description:
      - The instance type, C(family.size), e.g. C(t3.micro).
    type: str
    required: true
notes:
  - Only available zones of type C(availability-zone) are returned, not Local Zones or
    Wavelength Zones (which a subnet may also be in, but which this collection does not use).
  - Bare metal types have no hypervisor; they are built on the Nitro System and are returned
    with RV(hypervisor=nitro).
  - "Verified only against the moto-based EC2 emulator of this collection's tests (with its
    realism mode's per-zone offerings)."
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What t3.micro offers in this region
  v6vpn.aws.instance_type_info:
    instance_type: t3.micro
  register: type_info

- name: Put the subnet in the first zone that offers it
  amazon.aws.ec2_vpc_subnet:
    vpc_id: "{{ vpc_id }}"
    cidr: 10.0.0.0/24
    az: "{{ type_info.zones[0].zone_name }}"

- name: /80 prefixes only on Nitro
  ansible.builtin.assert:
    that: type_info.nitro
"""

RETURN = r"""
instance_type:
  description: The instance type described.
  returned: always
  type: str
  sample: t3.micro
zones:
  description:
    - The available availability zones of the region that offer the type, sorted by name;
      empty when none does.
  returned: always
  type: list
  elements: dict
  contains:
    zone_name:
      description: The zone's name, mapped per account.
      type: str
      sample: us-east-1a
    zone_id:
      description: The zone's id, the same in every account.
      type: str
      sample: use1-az6
hypervisor:
  description: C(nitro) or C(xen) (bare metal types count as C(nitro)).
  returned: always
  type: str
  sample: nitro
nitro:
  description: Whether the type is built on the Nitro System (needed for IPv6 /80 prefixes and the IMDS IPv6 endpoint).
  returned: always
  type: bool
  sample: true
ipv6_supported:
  description: Whether the type supports IPv6.
  returned: always
  type: bool
  sample: true
ipv6_addresses_per_interface:
  description: How many IPv6 addresses one network interface of the type takes.
  returned: always
  type: int
  sample: 2
burstable:
  description: Whether the type is a burstable performance type (T2, T3, T3a, T4g), with CPU credit options.
  returned: always
  type: bool
  sample: true
architectures:
  description: The CPU architectures the type supports.
  returned: always
  type: list
  elements: str
  sample: [x86_64]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import call
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ec2_client
from ansible_collections.v6vpn.aws.plugins.module_utils.instance_types import offering_zones
from ansible_collections.v6vpn.aws.plugins.module_utils.instance_types import summarize
from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_instance_type
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(instance_type=dict(type="str", required=True)),
        supports_check_mode=True,
    )
    instance_type = validate(module, instance_type=lambda: check_instance_type(module.params["instance_type"]))["instance_type"]
    client = ec2_client(module)

    # By filter, not InstanceTypes=[...]: an unknown type is then an empty answer, not an API error.
    described = describe(module, client.describe_instance_types, "InstanceTypes", "describe instance type %s" % instance_type,
                         filters={"instance-type": instance_type})
    if not described:
        module.fail_json(msg="instance type %s does not exist in region %s" % (instance_type, module.region))
    offerings = describe(module, client.describe_instance_type_offerings, "InstanceTypeOfferings",
                         "list the zones offering %s" % instance_type,
                         filters={"instance-type": instance_type}, LocationType="availability-zone")
    # Not paginated; Local and Wavelength Zones (opted in) are left out by offering_zones.
    zones = call(module, client.describe_availability_zones, "describe the availability zones of region %s" % module.region)
    module.exit_json(changed=False, **summarize(described[0], offering_zones(zones["AvailabilityZones"], offerings)))


if __name__ == "__main__":
    main()

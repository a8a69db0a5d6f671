#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: instance_credits
version_added: 0.2.0
short_description: The CPU credit option of a burstable EC2 instance (T2, T3, T3a, T4g)
description:
  - Reads the instance's CPU credit option (DescribeInstanceCreditSpecifications) and sets it to
    O(cpu_credits) when it differs (ModifyInstanceCreditSpecification), so an option changed
    after launch is put right. M(amazon.aws.ec2_instance) sets the option only at launch.
  - V(unlimited) (AWS's default for T3, T3a and T4g) bills the surplus credits sustained load
    spends beyond the baseline; V(standard) throttles the instance to its baseline when its
    credits run out, at no extra charge.
author:
  - v6vpn.aws contributors (@v6vpn)
options:
  instance_id:
    description: The instance (C(i-...)), of a burstable performance type.
    type: str
    required: true
  cpu_credits:
    description: The credit option the instance should have.
    type: str
    choices: [standard, unlimited]
    default: standard
notes:
  - Supports check mode and diff mode.
  - "Verified only against the moto-based EC2 emulator of this collection's tests, whose
    credit options are the collection's own patch (moto has none)."
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: No surplus credits billed for the VPN server
  v6vpn.aws.instance_credits:
    instance_id: "{{ v6vpn_instance.instance_id }}"
    cpu_credits: standard
"""

RETURN = r"""
cpu_credits:
  description: The instance's credit option after the run (predicted in check mode).
  returned: always
  type: str
  sample: standard
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import call
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe
from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ec2_client
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import check_resource_id
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            cpu_credits=dict(type="str", choices=["standard", "unlimited"], default="standard"),
        ),
        supports_check_mode=True,
    )
    instance_id = validate(module, instance_id=lambda: check_resource_id(module.params["instance_id"], "i", "instance_id"))["instance_id"]
    wanted = module.params["cpu_credits"]
    client = ec2_client(module)

    found = describe(module, client.describe_instance_credit_specifications, "InstanceCreditSpecifications",
                     "read the CPU credit option of %s" % instance_id, just_created=(instance_id,), InstanceIds=[instance_id])
    if not found:
        module.fail_json(msg="instance_id: %s has no CPU credit option (not a burstable performance type?)" % instance_id)
    current = found[0]["CpuCredits"]
    diff = {"before": {"cpu_credits": current}, "after": {"cpu_credits": wanted}}
    if current == wanted:
        module.exit_json(changed=False, cpu_credits=current, diff=diff)
    if not module.check_mode:
        answer = call(module, client.modify_instance_credit_specification, "set the CPU credit option of %s to %s" % (instance_id, wanted),
                      just_created=(instance_id,), InstanceCreditSpecifications=[{"InstanceId": instance_id, "CpuCredits": wanted}])
        refused = answer.get("UnsuccessfulInstanceCreditSpecifications") or []
        if refused:
            error = refused[0].get("Error") or {}
            module.fail_json(msg="Failed to set the CPU credit option of %s to %s: %s (%s)" % (instance_id, wanted, error.get("Message"), error.get("Code")))
    module.exit_json(changed=True, cpu_credits=wanted, diff=diff)


if __name__ == "__main__":
    main()

"""CPU credit options of burstable instances (T2, T3, T3a, T4g): RunInstances'
CreditSpecification, DescribeInstanceCreditSpecifications and ModifyInstanceCreditSpecification.

AWS ("Burstable performance instances", EC2 User Guide; ModifyInstanceCreditSpecification):
a T2 launches `standard` and T3/T3a/T4g launch `unlimited` unless RunInstances'
`CreditSpecification.CpuCredits` says otherwise; DescribeInstanceCreditSpecifications answers each
instance's option; ModifyInstanceCreditSpecification changes it and answers the instances it
changed in `SuccessfulInstanceCreditSpecifications`, the others (not burstable, unknown) in
`UnsuccessfulInstanceCreditSpecifications` with an error code and message.

Stock moto 5.2.5 ignores CreditSpecification, answers `standard` for every instance and does not
implement ModifyInstanceCreditSpecification. Always on (not realism-only): existing tests do not
depend on stock moto's answer.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.models.instance_types import INSTANCE_TYPES
from moto.ec2.responses.instances import InstanceResponse

from ._common import wrap

_ATTRIBUTE = "_v6vpn_cpu_credits"
CPU_CREDITS = ("standard", "unlimited")


def burstable(instance_type: str) -> bool:
    return bool(INSTANCE_TYPES.get(instance_type, {}).get("BurstablePerformanceSupported"))


def default_credits(instance_type: str) -> str:
    """AWS's default: `standard` for T2, `unlimited` for T3, T3a and T4g."""
    return "standard" if instance_type.startswith("t2.") else "unlimited"


def credits_of(instance: Any) -> str:
    return getattr(instance, _ATTRIBUTE, None) or default_credits(instance.instance_type)


def _run_instances(original: Any) -> Any:
    def patched(self: InstanceResponse) -> Any:
        wanted = self._get_param("CreditSpecification.CpuCredits") or (self._get_param("CreditSpecification") or {}).get("CpuCredits")
        result = original(self)
        if wanted:
            for instance in result.result.instances:
                if burstable(instance.instance_type):
                    setattr(instance, _ATTRIBUTE, wanted)
        return result
    return patched


def _describe_instance_credit_specifications(_original: Any) -> Any:
    def patched(self: InstanceResponse) -> ActionResult:
        instances = self.ec2_backend.describe_instance_credit_specifications(self._get_param("InstanceIds", []))
        return ActionResult({"InstanceCreditSpecifications": [
            {"InstanceId": instance.id, "CpuCredits": credits_of(instance)} for instance in instances if burstable(instance.instance_type)]})
    return patched


def modify_instance_credit_specification(self: InstanceResponse) -> ActionResult:
    successful, unsuccessful = [], []
    for spec in self._get_param("InstanceCreditSpecifications", []) or []:
        instance_id, wanted = spec.get("InstanceId"), spec.get("CpuCredits")
        try:
            instance = self.ec2_backend.get_instance(instance_id)
        except Exception:  # pylint: disable=broad-except
            # moto raises its own InvalidInstanceID.NotFound here
            unsuccessful.append({"InstanceId": instance_id, "Error": {
                "Code": "InvalidInstanceID.NotFound", "Message": f"The instance ID '{instance_id}' does not exist"}})
            continue
        if wanted not in CPU_CREDITS or not burstable(instance.instance_type):
            unsuccessful.append({"InstanceId": instance_id, "Error": {
                "Code": "InvalidParameterValue",
                "Message": f"The specified CPU credit option ({wanted}) is not valid for instance type {instance.instance_type}"}})
            continue
        self.error_on_dryrun()
        setattr(instance, _ATTRIBUTE, wanted)
        successful.append({"InstanceId": instance_id})
    return ActionResult({"SuccessfulInstanceCreditSpecifications": successful, "UnsuccessfulInstanceCreditSpecifications": unsuccessful})


def apply() -> None:
    wrap(InstanceResponse, "run_instances", _run_instances)
    wrap(InstanceResponse, "describe_instance_credit_specifications", _describe_instance_credit_specifications)
    InstanceResponse.modify_instance_credit_specification = modify_instance_credit_specification

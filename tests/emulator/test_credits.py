"""CPU credit options of burstable instances (patches/credits.py)."""

from __future__ import annotations

from typing import Any

from tests.emulator.testing import Network, launch


def credits(ec2: Any, *instance_ids: str) -> dict[str, str]:
    answer = ec2.describe_instance_credit_specifications(InstanceIds=list(instance_ids))["InstanceCreditSpecifications"]
    return {spec["InstanceId"]: spec["CpuCredits"] for spec in answer}


def test_credit_options_at_launch_described_and_modified(ec2: Any, network: Network) -> None:
    t3 = launch(ec2, SubnetId=network.subnet_id, InstanceType="t3.micro")["InstanceId"]
    t2 = launch(ec2, SubnetId=network.subnet_id, InstanceType="t2.micro")["InstanceId"]
    asked = launch(ec2, SubnetId=network.subnet_id, InstanceType="t3.micro", CreditSpecification={"CpuCredits": "standard"})["InstanceId"]
    other = launch(ec2, SubnetId=network.subnet_id, InstanceType="m5.large")["InstanceId"]
    # AWS's defaults: T3 unlimited, T2 standard; what RunInstances asked otherwise.
    assert credits(ec2, t3, t2, asked) == {t3: "unlimited", t2: "standard", asked: "standard"}

    answer = ec2.modify_instance_credit_specification(InstanceCreditSpecifications=[
        {"InstanceId": t3, "CpuCredits": "standard"}, {"InstanceId": other, "CpuCredits": "standard"}])
    assert answer["SuccessfulInstanceCreditSpecifications"] == [{"InstanceId": t3}]
    assert [(u["InstanceId"], u["Error"]["Code"]) for u in answer["UnsuccessfulInstanceCreditSpecifications"]] == [(other, "InvalidParameterValue")]
    assert credits(ec2, t3) == {t3: "standard"}

"""The Emulator itself: counting, the request log, throttling, reset (server.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.emulator.server import Emulator

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def test_calls_are_counted_and_logged(emulator: Emulator, tmp_path: Path) -> None:
    log = tmp_path / "ec2-calls.log"
    seen_by_the_session_emulator = emulator.request_count
    with Emulator(request_log=log) as counting:
        ec2 = counting.client()
        ec2.describe_vpcs()
        ec2.describe_vpcs()
        vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        counting.client("sts").get_caller_identity()  # not EC2: neither counted nor logged
        with counting.paused():
            ec2.delete_vpc(VpcId=vpc_id)  # harness set-up: neither counted nor logged
        assert counting.calls == {"DescribeVpcs": 2, "CreateVpc": 1}
        assert counting.request_count == 3
        assert log.read_text(encoding="utf-8").splitlines() == ["DescribeVpcs", "DescribeVpcs", "CreateVpc"]
        counting.reset()
        assert counting.request_count == 0
    assert emulator.request_count == seen_by_the_session_emulator  # counters are per emulator


def test_a_busy_port_fails_at_once(emulator: Emulator) -> None:
    with pytest.raises(OSError):
        Emulator(port=emulator.port).start()


def test_reset_clears_all_state(tmp_path: Path) -> None:
    with Emulator() as fresh:
        ec2 = fresh.client()
        vpc_id = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
        fresh.reset()
        assert vpc_id not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
        assert fresh.calls == {"DescribeVpcs": 1}


def test_full_throttling_fails_every_call_without_performing_it(emulator: Emulator) -> None:
    with Emulator(throttle_rate=1.0) as throttling:
        ec2 = throttling.client(config=NO_RETRIES)
        with pytest.raises(ClientError) as excinfo:
            ec2.create_vpc(CidrBlock="10.3.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "throttled"}]}])
        error = excinfo.value.response
        assert error["Error"] == {"Code": "RequestLimitExceeded", "Message": "Request limit exceeded."}
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 503
        assert error["ResponseMetadata"]["RequestId"]
        with pytest.raises(ClientError, match="RequestLimitExceeded"):
            ec2.describe_vpcs()
        assert throttling.throttled == throttling.calls == {"CreateVpc": 1, "DescribeVpcs": 1}
    # The throttled CreateVpc was not performed (the session emulator shares moto's state).
    assert emulator.client().describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["throttled"]}])["Vpcs"] == []


def throttled_pattern(throttling: Emulator, calls: int) -> list[bool]:
    ec2 = throttling.client(config=NO_RETRIES)
    pattern = []
    for _call in range(calls):
        try:
            ec2.describe_key_pairs()
            pattern.append(False)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "RequestLimitExceeded"
            pattern.append(True)
    return pattern


def test_partial_throttling_is_a_seeded_fraction() -> None:
    with Emulator(throttle_rate=0.3, throttle_seed=1234) as throttling:
        pattern = throttled_pattern(throttling, 200)
        assert 0.2 <= sum(pattern) / len(pattern) <= 0.4
        assert throttling.throttled["DescribeKeyPairs"] == sum(pattern)
        throttling.reset()  # restarts the sequence from the seed
        assert throttled_pattern(throttling, 200) == pattern


def test_standard_retries_get_through_partial_throttling() -> None:
    with Emulator(throttle_rate=0.3, throttle_seed=2) as throttling:
        ec2: Any = throttling.client(config=Config(retries={"mode": "standard", "total_max_attempts": 10}))
        vpc_ids = [ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"] for _index in range(6)]
        assert len(set(vpc_ids)) == 6
        assert throttling.throttled["CreateVpc"] > 0
        assert throttling.calls["CreateVpc"] == 6 + throttling.throttled["CreateVpc"]
        with throttling.paused():
            for vpc_id in vpc_ids:
                ec2.delete_vpc(VpcId=vpc_id)

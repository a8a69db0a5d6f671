"""`python -m tests.emulator` as its own process (__main__.py): the foreground form, start and stop."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import boto3

from tests.emulator.amis import DEBIAN_AMI_NAMES
from tests.emulator.server import CREDENTIALS

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 30.0
EXIT_TIMEOUT = 15.0


def first_line(stream: IO[str], timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    return lines.get(timeout=timeout)


def test_standalone_process_serves_then_stops_on_sigterm(tmp_path: Path) -> None:
    log, pidfile = tmp_path / "calls.log", tmp_path / "emulator.pid"
    command = [sys.executable, "-m", "tests.emulator", "--port", "0", "--request-log", str(log), "--pidfile", str(pidfile), "--register-debian-ami"]
    with subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = first_line(process.stdout, READY_TIMEOUT)
            assert line.startswith("emulator listening on http://127.0.0.1:"), line
            url = line.split()[-1]
            assert pidfile.read_text(encoding="utf-8").strip() == str(process.pid)

            ec2 = boto3.client("ec2", endpoint_url=url, region_name="us-east-1", **CREDENTIALS)
            names = [i["Name"] for i in ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": ["debian-12-*"]}])["Images"]]
            assert sorted(names) == sorted(DEBIAN_AMI_NAMES.values())
            assert log.read_text(encoding="utf-8").splitlines() == ["DescribeImages"]  # the registration was not logged

            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=EXIT_TIMEOUT) == 0
            assert not pidfile.exists()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=EXIT_TIMEOUT)


def emulator_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tests.emulator", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=READY_TIMEOUT + EXIT_TIMEOUT, check=False)


def alive(pid: int) -> bool:
    """`pid` exists and is not a zombie (nobody may reap a detached process here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def test_start_runs_it_in_the_background_and_stop_ends_it(tmp_path: Path) -> None:
    pidfile = tmp_path / "state" / "emulator.pid"
    started = emulator_command("start", "--pidfile", str(pidfile), "--realism", "--realism-seed", "3", "--pending-delay", "60",
                               "--consistency-delay", "0")
    pid = int(pidfile.read_text(encoding="utf-8")) if pidfile.exists() else None
    try:
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip()
        assert url.startswith("http://127.0.0.1:") and url.rsplit(":", 1)[1] != "0", started.stdout  # --port 0 unless given
        assert pid is not None and alive(pid)
        assert "emulator listening on " + url in (tmp_path / "state" / "emulator.log").read_text(encoding="utf-8")

        # It serves with the realism asked for: new ids visible at once (delay 0), an instance
        # pending for the 60 s given.
        ec2 = boto3.client("ec2", endpoint_url=url, region_name="us-east-1", **CREDENTIALS)
        zone = ec2.describe_availability_zones(ZoneIds=["use1-az1"])["AvailabilityZones"][0]["ZoneName"]
        vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        launched = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnet_id)
        assert launched["Instances"][0]["State"]["Name"] == "pending"

        again = emulator_command("start", "--pidfile", str(pidfile))
        assert again.returncode == 1 and f"already running as pid {pid}" in again.stderr

        stopped = emulator_command("stop", "--pidfile", str(pidfile))
        assert stopped.returncode == 0, stopped.stderr
        assert not alive(pid) and not pidfile.exists()
        assert emulator_command("stop", "--pidfile", str(pidfile)).returncode == 0  # nothing to stop
    finally:
        if pid is not None and alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_start_refuses_bad_options_before_starting_anything(tmp_path: Path) -> None:
    pidfile = tmp_path / "emulator.pid"
    refused = emulator_command("start", "--pidfile", str(pidfile), "--pending-delay", "1")
    assert refused.returncode == 2 and "--pending-delay needs --realism" in refused.stderr
    assert not pidfile.exists() and not (tmp_path / "emulator.log").exists()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = emulator_command("start", "--pidfile", str(pidfile), "--port", str(port), "--timeout", "20")
    assert busy.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr  # its own error, shown
    assert not pidfile.exists()

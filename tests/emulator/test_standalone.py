"""`python -m tests.emulator` as its own process (__main__.py)."""

from __future__ import annotations

import queue
import signal
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

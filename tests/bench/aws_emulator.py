"""Start and stop the EC2 emulator as a background process for the AWS roles' molecule
scenario, benchmark and tests (tests.emulator in its own process: its own moto state).

    python -m tests.bench.aws_emulator start --state-dir DIR [--throttle-rate 0.3] [--request-log FILE]
    python -m tests.bench.aws_emulator stop --state-dir DIR

`start` prints the URL and writes DIR/emulator.json ({"url", "pid"}) once the emulator answers
(bounded wait); `stop` ends that process (SIGTERM, then SIGKILL after a bounded wait). The fake
Debian AMIs are registered (owner 123456789012, see tests/emulator/amis.py).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
STATE_FILE = "emulator.json"
_LISTENING = re.compile(r"emulator listening on (http://\S+)")


def start(state_dir, throttle_rate=0.0, request_log=None, timeout=60.0):
    """Start the emulator; return {"url", "pid"} once it listens, also written to state_dir."""
    state_dir = pathlib.Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "emulator.log"
    cmd = [sys.executable, "-m", "tests.emulator", "--port", "0", "--register-debian-ami"]
    if throttle_rate:
        cmd += ["--throttle-rate", str(throttle_rate)]
    if request_log:
        cmd += ["--request-log", str(request_log)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # pylint: disable=consider-using-with
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = _LISTENING.search(log_path.read_text(encoding="utf-8", errors="replace"))
        if match:
            state = {"url": match.group(1), "pid": proc.pid}
            (state_dir / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
            return state
        if proc.poll() is not None:
            raise RuntimeError("emulator exited with %s:\n%s" % (proc.returncode, log_path.read_text(encoding="utf-8", errors="replace")[-3000:]))
        time.sleep(0.2)
    _terminate(proc.pid)
    raise RuntimeError("emulator did not answer within %ss; see %s" % (timeout, log_path))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _terminate(pid, timeout=10.0):
    if not _alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:  # not our child (another command started it): poll instead
            if not _alive(pid):
                return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def stop(state_dir):
    """Stop the emulator recorded in state_dir (nothing to do when there is none)."""
    state_file = pathlib.Path(state_dir) / STATE_FILE
    if not state_file.exists():
        return False
    _terminate(json.loads(state_file.read_text(encoding="utf-8"))["pid"])
    state_file.unlink()
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.bench.aws_emulator")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--state-dir", required=True, type=pathlib.Path)
    parser.add_argument("--throttle-rate", type=float, default=0.0)
    parser.add_argument("--request-log", type=pathlib.Path)
    args = parser.parse_args(argv)
    if args.action == "start":
        print(start(args.state_dir, args.throttle_rate, args.request_log)["url"])
    else:
        stop(args.state_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run the EC2 emulator as a process (from the repository root).

    python -m tests.emulator --port 5000 [options]            # foreground, until SIGTERM/SIGINT
    python -m tests.emulator start --pidfile F [options]      # in the background; prints the URL
    python -m tests.emulator stop --pidfile F                 # SIGTERM, bounded wait

The foreground form prints `emulator listening on http://HOST:PORT` once it answers, then serves
until SIGTERM or SIGINT, and exits 0. `start` runs that same form as a detached process (its own
session, output in a log file), waits (bounded) for the ready line and prints the URL; `stop`
ends the process named by the pidfile, if it is an emulator.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from . import DEFAULT_REGION
from .realism import Realism

# start and stop only run a process and wait: they leave moto (seconds to import) to the emulator.
REPO_ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"^emulator listening on (http://\S+)", re.MULTILINE)
_REALISM_DELAYS = ("consistency_delay", "associate_delay", "pending_delay", "eni_linger")


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be within 0.0-1.0")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 3600.0:
        raise argparse.ArgumentTypeError("must be within 0-3600 seconds")
    return value


def add_server_options(parser: argparse.ArgumentParser, default_port: int) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=default_port, help=f"port to listen on, 0 for a free one (default {default_port})")
    parser.add_argument("--throttle-rate", type=_rate, default=0.0, help="fraction of EC2 calls answered RequestLimitExceeded")
    parser.add_argument("--throttle-seed", type=int, default=None, help="seed making the throttled calls reproducible")
    parser.add_argument("--request-log", type=Path, default=None, help="append the action name of every EC2 call to this file")
    parser.add_argument("--register-debian-ami", action="store_true", help="register the fake Debian 12 AMIs (see tests/emulator/amis.py)")
    parser.add_argument("--region", action="append", default=None, help=f"region(s) for --register-debian-ami (default {DEFAULT_REGION})")
    realism = parser.add_argument_group("realism", "EC2 in time and per zone (tests/emulator/README.md, Realism); off by default")
    realism.add_argument("--realism", action="store_true", help="turn realism on")
    realism.add_argument("--realism-seed", type=int, default=None, help=f"seed of delays, zone map and choices (default {Realism.seed})")
    for name in _REALISM_DELAYS:
        realism.add_argument("--" + name.replace("_", "-"), type=_seconds, default=None,
                             help=f"seconds (default {getattr(Realism, name)})")


def realism_of(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Realism | None:
    given = {name: getattr(args, name) for name in ("realism_seed", *_REALISM_DELAYS) if getattr(args, name) is not None}
    if not args.realism:
        if given:
            parser.error("--" + next(iter(given)).replace("_", "-") + " needs --realism")
        return None
    settings = {("seed" if name == "realism_seed" else name): value for name, value in given.items()}
    return Realism(**settings)


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description="Patched moto EC2 API emulator on loopback.",
                                     epilog="Also: `python -m tests.emulator start|stop --pidfile FILE ...` (see --help of each).")
    add_server_options(parser, default_port=5000)
    parser.add_argument("--pidfile", type=Path, default=None, help="write the process id here while serving")
    args = parser.parse_args(argv)
    realism = realism_of(args, parser)
    from .amis import register_debian_ami  # pylint: disable=import-outside-toplevel
    from .server import Emulator  # pylint: disable=import-outside-toplevel

    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:  # pylint: disable=unused-argument
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    emulator = Emulator(args.host, args.port, args.throttle_rate, args.throttle_seed, args.request_log, realism=realism)
    try:
        emulator.start()
    except OSError as error:
        print(f"emulator: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    try:
        if args.register_debian_ami:
            with emulator.paused():  # set-up: neither counted, logged, throttled nor subject to realism
                for region in args.region or [DEFAULT_REGION]:
                    register_debian_ami(emulator.client(region_name=region))
        if args.pidfile:
            args.pidfile.write_text(f"{os.getpid()}\n", encoding="utf-8")
        if realism is not None:
            print(f"emulator: realism on: {realism}", file=sys.stderr, flush=True)
        print(f"emulator listening on {emulator.url}", flush=True)
        while not stopping.wait(0.2):
            pass
    finally:
        emulator.stop()
        if args.pidfile:
            args.pidfile.unlink(missing_ok=True)
    return 0


# --- start / stop: one life cycle for the lab, molecule and the benchmarks ---------------------

def _is_emulator(pid: int) -> bool:
    """`pid` runs and is a tests.emulator process (not a recycled pid, not a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z" and b"tests.emulator" in cmdline


def _pid_of(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def foreground_args(args: argparse.Namespace) -> list[str]:
    """The foreground form's arguments for the options `start` was given (paths made absolute:
    the emulator runs from the repository root)."""
    child = ["--host", args.host, "--port", str(args.port), "--pidfile", str(args.pidfile.resolve())]
    if args.throttle_rate:
        child += ["--throttle-rate", repr(args.throttle_rate)]
    if args.throttle_seed is not None:
        child += ["--throttle-seed", str(args.throttle_seed)]
    if args.request_log is not None:
        child += ["--request-log", str(args.request_log.resolve())]
    if args.register_debian_ami:
        child.append("--register-debian-ami")
    for region in args.region or []:
        child += ["--region", region]
    if args.realism:
        child.append("--realism")
    for name in ("realism_seed", *_REALISM_DELAYS):
        if getattr(args, name) is not None:
            child += ["--" + name.replace("_", "-"), repr(getattr(args, name))]
    return child


def start(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator start",
                                     description="Start the emulator in the background; print its URL once it answers.")
    add_server_options(parser, default_port=0)
    parser.add_argument("--pidfile", type=Path, required=True, help="the emulator's process id, written once it answers")
    parser.add_argument("--log", type=Path, default=None, help="the emulator's output (default: PIDFILE with .log)")
    parser.add_argument("--timeout", type=_seconds, default=60.0, help="seconds to wait for it to answer (default 60)")
    args = parser.parse_args(argv)
    realism_of(args, parser)  # refuse bad realism options here, not in the background
    pid = _pid_of(args.pidfile)
    if pid is not None and _is_emulator(pid):
        print(f"emulator: already running as pid {pid} (pidfile {args.pidfile})", file=sys.stderr)
        return 1
    log = args.log or args.pidfile.with_suffix(".log")
    for directory in (log.parent, args.pidfile.parent):
        directory.mkdir(parents=True, exist_ok=True)
    args.pidfile.unlink(missing_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "tests.emulator", *foreground_args(args)], cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        ready = READY.search(log.read_text(encoding="utf-8", errors="replace"))
        if ready and _pid_of(args.pidfile) == process.pid:
            print(ready.group(1), flush=True)
            return 0
        if process.poll() is not None:
            sys.stderr.write(log.read_text(encoding="utf-8", errors="replace"))
            print(f"emulator: exited with {process.returncode} before answering (log {log})", file=sys.stderr)
            return 1
        time.sleep(0.1)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    sys.stderr.write(log.read_text(encoding="utf-8", errors="replace"))
    print(f"emulator: did not answer within {args.timeout:g}s (log {log})", file=sys.stderr)
    return 1


def _wait_reaped(pid: int, timeout: float = 5.0) -> None:
    """Wait, bounded, until an exited emulator is reaped: `start` leaves it to init, so it stays a
    zombie (its /proc entry still there) for a moment after it exits."""
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def stop(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator stop", description="Stop the emulator a pidfile names.")
    parser.add_argument("--pidfile", type=Path, required=True, help="as given to start")
    parser.add_argument("--timeout", type=_seconds, default=15.0, help="seconds to wait after SIGTERM before SIGKILL (default 15)")
    args = parser.parse_args(argv)
    pid = _pid_of(args.pidfile)
    if pid is None or not _is_emulator(pid):
        args.pidfile.unlink(missing_ok=True)
        print("emulator: not running", file=sys.stderr)
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if not _is_emulator(pid):
            _wait_reaped(pid)
            args.pidfile.unlink(missing_ok=True)
            return 0
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    args.pidfile.unlink(missing_ok=True)
    print(f"emulator: pid {pid} ignored SIGTERM for {args.timeout:g}s; killed", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"start": start, "stop": stop}
    if argv and argv[0] in commands:
        return commands[argv[0]](argv[1:])
    return serve(argv)


if __name__ == "__main__":
    sys.exit(main())

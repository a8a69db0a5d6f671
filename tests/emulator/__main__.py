"""Run the EC2 emulator as a process: `python -m tests.emulator --port 5000` (from the repo root).

Prints `emulator listening on http://HOST:PORT` once it answers, then serves until SIGTERM or
SIGINT, and exits 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .amis import register_debian_ami
from .server import DEFAULT_REGION, Emulator


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be within 0.0-1.0")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description="Patched moto EC2 API emulator on loopback.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on, 0 for a free one (default 5000)")
    parser.add_argument("--throttle-rate", type=_rate, default=0.0, help="fraction of EC2 calls answered RequestLimitExceeded")
    parser.add_argument("--throttle-seed", type=int, default=None, help="seed making the throttled calls reproducible")
    parser.add_argument("--request-log", type=Path, default=None, help="append the action name of every EC2 call to this file")
    parser.add_argument("--pidfile", type=Path, default=None, help="write the process id here while serving")
    parser.add_argument("--register-debian-ami", action="store_true", help="register the fake Debian 12 AMIs (see tests/emulator/amis.py)")
    parser.add_argument("--region", action="append", default=None, help=f"region(s) for --register-debian-ami (default {DEFAULT_REGION})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:  # pylint: disable=unused-argument
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    emulator = Emulator(args.host, args.port, args.throttle_rate, args.throttle_seed, args.request_log)
    try:
        emulator.start()
    except OSError as error:
        print(f"emulator: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    try:
        if args.register_debian_ami:
            with emulator.paused():  # set-up: neither counted, logged nor throttled
                for region in args.region or [DEFAULT_REGION]:
                    register_debian_ami(emulator.client(region_name=region))
        if args.pidfile:
            args.pidfile.write_text(f"{os.getpid()}\n", encoding="utf-8")
        print(f"emulator listening on {emulator.url}", flush=True)
        while not stopping.wait(0.2):
            pass
    finally:
        emulator.stop()
        if args.pidfile:
            args.pidfile.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

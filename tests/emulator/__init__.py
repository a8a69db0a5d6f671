"""EC2 API emulator for the tests: moto 5.2.5 patched to behave like AWS where v6vpn.aws needs it.

In-process: `from tests.emulator.server import Emulator`; as a process: `python -m tests.emulator --port 5000`.
"""

DEFAULT_REGION = "us-east-1"  # of the emulator's clients (server.py) and of --register-debian-ami

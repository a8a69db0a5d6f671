"""EC2 API emulator for the tests: moto 5.2.5 patched to behave like AWS where v6vpn.aws needs it.

In-process: `from tests.emulator.server import Emulator`; as a process: `python -m tests.emulator --port 5000`.
"""

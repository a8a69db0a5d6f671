"""Patches that make moto 5.2.5's EC2 behave like AWS where this collection depends on it.

Each module documents, per patch, what AWS does (from the EC2 API reference / user guides) and
what stock moto did; tests/emulator/test_*.py check each behaviour through boto3. Patches change
moto's classes in this process: apply them before any request is served. timing.py and zones.py
(and the per-type address limit in addressing.py) act only for calls served with realism
(tests/emulator/realism.py); the others always.
"""

from __future__ import annotations

import threading

import moto

from . import addressing, credits, filters, images, instances, limits, nat_gateways, routes, security_groups, subnets, tags, timing, vpcs, zones

MOTO_VERSION = "5.2.5"
_MODULES = (vpcs, subnets, routes, nat_gateways, filters, addressing, instances, credits, images, security_groups, tags, limits, timing, zones)
_lock = threading.Lock()
_applied = False


def apply_patches() -> None:
    """Patch moto once per process (later calls do nothing)."""
    global _applied  # pylint: disable=global-statement
    with _lock:
        if _applied:
            return
        if moto.__version__ != MOTO_VERSION:
            raise RuntimeError(
                f"tests.emulator patches are written against moto {MOTO_VERSION}, found moto {moto.__version__}: "
                "install the version pinned in requirements-dev.txt (scripts/bootstrap-python.sh)."
            )
        for module in _MODULES:
            module.apply()
        _applied = True

"""Fixtures of the emulator's own tests: one emulator for the session, a fresh IPv6 network per test.

Tests do not reset the emulator between them (a reset costs ~0.3 s): each builds its own VPC and
scopes its queries to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulator.server import Emulator
from tests.emulator.testing import Network, build_network


# The session's `emulator` fixture comes from tests/conftest.py; unlike its `ec2`, this one
# does not reset the emulator.
@pytest.fixture
def ec2(emulator: Emulator) -> Any:
    return emulator.client()


@pytest.fixture
def network(ec2: Any) -> Network:
    return build_network(ec2)


@pytest.fixture
def make_network(ec2: Any) -> Callable[..., Network]:
    return lambda **kwargs: build_network(ec2, **kwargs)

"""Fixtures for the emulator's own tests: one shared server per module, httpx clients."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import httpx
import pytest
from emulator_helpers import client_for
from taskgroup_emulator.testing import EmulatorServer


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    """One emulator for a whole test module (tests that change settings start their own)."""
    with EmulatorServer(time_scale=0.005, api_keys=["test-key"]) as emu:
        yield emu


@pytest.fixture
def api(server: EmulatorServer) -> Iterator[httpx.Client]:
    """An httpx client for the shared server, authenticated."""
    with client_for(server) as client:
        yield client


@pytest.fixture
def emulator_server_factory() -> Callable[..., EmulatorServer]:
    """Build (not start) an EmulatorServer with test defaults; use it as a context manager."""

    def make(**kwargs: Any) -> EmulatorServer:
        kwargs.setdefault("time_scale", 0.005)
        return EmulatorServer(**kwargs)

    return make

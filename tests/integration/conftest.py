"""Fixtures for integration tests: a real emulator server per test on a free loopback port."""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest
from taskgroup_emulator.testing import EmulatorServer

DEFAULT_TIME_SCALE = 0.005


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., EmulatorServer]]:
    """Start extra emulators with custom settings: `emulator_factory(rate_limit_per_minute=5)`.

    Every server it starts is stopped and its temp folder removed after the test.
    """
    started: List[EmulatorServer] = []

    def make(**kwargs: Any) -> EmulatorServer:
        kwargs.setdefault("time_scale", DEFAULT_TIME_SCALE)
        server = EmulatorServer(**kwargs)
        started.append(server)
        server.start()
        return server

    yield make
    for server in started:
        server.close()


@pytest.fixture
def emulator(emulator_factory: Callable[..., EmulatorServer]) -> EmulatorServer:
    """A fresh emulator (api key "test-key", fast schedule) for one test."""
    return emulator_factory()

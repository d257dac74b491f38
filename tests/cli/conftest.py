"""Fixtures for CLI tests: an emulator per test, the environment pointing at it, input files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import pytest
from taskgroup_emulator.testing import EmulatorServer

TIME_SCALE = 0.005


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., EmulatorServer]]:
    """Start emulators with custom settings; each is stopped after the test."""
    started: list[EmulatorServer] = []

    def make(**kwargs: Any) -> EmulatorServer:
        kwargs.setdefault("time_scale", TIME_SCALE)
        kwargs.setdefault("rate_limit_per_minute", 1_000_000)
        server = EmulatorServer(**kwargs)
        started.append(server)
        server.start()
        return server

    yield make
    for server in started:
        server.close()


@pytest.fixture
def emulator(emulator_factory: Callable[..., EmulatorServer]) -> EmulatorServer:
    """A fresh emulator (api key "test-key") for one test."""
    return emulator_factory()


@pytest.fixture
def cli_env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """PARALLEL_API_KEY and PARALLEL_BASE_URL set for the emulator."""
    monkeypatch.setenv("PARALLEL_API_KEY", emulator.api_key)
    monkeypatch.setenv("PARALLEL_BASE_URL", emulator.base_url)
    monkeypatch.delenv("PARALLEL_API_VERSION", raising=False)
    return emulator

"""Fixtures for CLI tests: an emulator per test and the environment pointing at it."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from taskgroup_emulator.testing import EmulatorServer


@pytest.fixture
def emulator_factory(
    emulator_factory: Callable[..., EmulatorServer],
) -> Callable[..., EmulatorServer]:
    """The plugin's factory, with a rate limit that never slows a CLI test unless it asks."""

    def make(**settings: Any) -> EmulatorServer:
        settings.setdefault("rate_limit_per_minute", 1_000_000)
        return emulator_factory(**settings)

    return make


@pytest.fixture
def cli_env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """PARALLEL_API_KEY and PARALLEL_BASE_URL set for the emulator."""
    monkeypatch.setenv("PARALLEL_API_KEY", emulator.api_key)
    monkeypatch.setenv("PARALLEL_BASE_URL", emulator.base_url)
    monkeypatch.delenv("PARALLEL_API_VERSION", raising=False)
    return emulator

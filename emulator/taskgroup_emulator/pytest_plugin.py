"""Pytest fixtures that run the emulator for a test: enable with

    pytest_plugins = ["taskgroup_emulator.pytest_plugin"]

in a top-level conftest.py. ``emulator`` is a fresh server (API key "test-key", a fast
schedule) for one test; ``emulator_factory(**settings)`` starts more, with any
``EmulatorServer`` settings. Every server is stopped and its temp folder removed afterwards;
an answer that broke the contract (responses are checked) fails the test at teardown.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest

from .testing import EmulatorServer, ResponseCheckFailed

#: Processor latencies scaled so that a test's runs finish in well under a second.
DEFAULT_TIME_SCALE = 0.005


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., EmulatorServer]]:
    """Start emulators with custom settings: ``emulator_factory(rate_limit_per_minute=5)``."""
    started: List[EmulatorServer] = []

    def make(**settings: Any) -> EmulatorServer:
        settings.setdefault("time_scale", DEFAULT_TIME_SCALE)
        server = EmulatorServer(**settings)
        started.append(server)
        server.start()
        return server

    yield make
    problems = [problem for server in started for problem in server.response_problems()]
    for server in started:
        server.close()
    if problems:  # answers the contract does not allow (EmulatorServer checks responses)
        raise ResponseCheckFailed("\n".join(problems))


@pytest.fixture
def emulator(emulator_factory: Callable[..., EmulatorServer]) -> EmulatorServer:
    """A fresh emulator (api key "test-key", fast schedule) for one test."""
    return emulator_factory()

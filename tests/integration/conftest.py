"""Integration tests run against the emulator on the documented wire with its imperfections on:
a share of runs in the older published shape (no ``interaction_id``; ``warnings``/``error`` as
explicit null) and ``error`` events injected into ``/events`` and ``/runs``. A test that needs a
clean wire asks for it with ``emulator_factory(old_shape_rate=0, error_event_rate=0)``.

The plugin behind ``emulator`` and ``emulator_factory`` is loaded in tests/conftest.py.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from taskgroup_emulator.testing import EmulatorServer

#: Modest rates: every test sees both, none is dominated by them.
OLD_SHAPE_RATE = 0.1
ERROR_EVENT_RATE = 0.02


@pytest.fixture
def emulator_factory(
    emulator_factory: Callable[..., EmulatorServer],
) -> Callable[..., EmulatorServer]:
    """The plugin's factory, with old-shape runs and error events on unless a test says not."""

    def make(**settings: Any) -> EmulatorServer:
        settings.setdefault("old_shape_rate", OLD_SHAPE_RATE)
        settings.setdefault("error_event_rate", ERROR_EVENT_RATE)
        return emulator_factory(**settings)

    return make

"""Shared test settings: Hypothesis profiles (`ci` bounded for CI, `thorough` for local runs)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

# Each test process (an xdist worker, a Python of `make pythons`) keeps its add-runs group locks
# apart: fakes reuse group ids, and calls of two test processes on one must not wait for each
# other. A process a test starts inherits the folder, so processes of one test still meet.
os.environ["PARALLEL_TASKGROUP_LOCK_DIR"] = _LOCKS = tempfile.mkdtemp(prefix="taskgroup-locks-")
atexit.register(shutil.rmtree, _LOCKS, ignore_errors=True)

# `emulator` and `emulator_factory`: a real emulator server on a free loopback port per test.
pytest_plugins = ["taskgroup_emulator.pytest_plugin"]

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=150, deadline=None)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

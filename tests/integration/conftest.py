"""Integration tests use the emulator fixtures `emulator` and `emulator_factory`, loaded for the
whole suite by tests/conftest.py from taskgroup_emulator.pytest_plugin."""

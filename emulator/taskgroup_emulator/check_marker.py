"""The text that marks a failed response check in the emulator's answers and its log: the test
harness (testing.py) looks for it without loading the contract machinery (or PyYAML)."""

from __future__ import annotations

MARKER = "RESPONSE CHECK FAILED"

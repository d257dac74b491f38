"""Make generator/ scripts importable as modules in these tests."""

from __future__ import annotations

import sys
from pathlib import Path

GENERATOR = Path(__file__).resolve().parents[2] / "generator"
if str(GENERATOR) not in sys.path:
    sys.path.insert(0, str(GENERATOR))

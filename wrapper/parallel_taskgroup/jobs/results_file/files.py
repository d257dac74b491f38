"""What the results-file modules share about files on disk: the flag that opens a file as
bytes on every platform, the error for a failed file operation, and how an error names the row
it was writing."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ...errors import ResultsFileError

_O_BINARY = getattr(os, "O_BINARY", 0)


def _io_error(path: str, action: str, exc: OSError) -> ResultsFileError:
    """ResultsFileError for a failed file operation; raise it ``from exc`` (errno stays there)."""
    return ResultsFileError(f"{path}: {action} ({exc.strerror or exc})")


def _where(path: str, row: int, record: Mapping[str, Any]) -> str:
    return f"{path}, row {row} (key {record.get('key')!r})"

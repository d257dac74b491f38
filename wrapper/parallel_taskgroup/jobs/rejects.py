"""The rows a job left out (``skip_invalid``): ``RESULTS.rejects.jsonl``, one JSON line per bad
row with its line, key, what is wrong and the row itself. Written to a temporary file beside it
and put in place whole once the input is read, so it never holds half a pass."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import Optional

from .._fs import fsync_dir
from .ingest import Problem

__all__ = ["RejectsFile"]


class RejectsFile:
    """Collects one pass's rejected rows; :meth:`commit` puts them in place."""

    def __init__(self, path: str) -> None:
        self.path = path
        folder = os.path.dirname(os.path.abspath(path))
        fd, self._tmp = tempfile.mkstemp(prefix=".rejects.", suffix=".tmp", dir=folder)
        self._file = os.fdopen(fd, "w", encoding="utf-8")
        self.count = 0

    def add(self, problem: Problem, row: Optional[str]) -> None:
        """One rejected row: ``row`` is its JSON text (None if it could not be read or written
        as JSON, e.g. a row holding NaN or Infinity)."""
        record = {
            "line": problem.line,
            "key": problem.key,
            "problem": problem.message,
            "row": json.loads(row) if row is not None else None,
        }
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.count += 1

    def commit(self) -> None:
        """Put the rejects in place (or remove an older file when this pass rejected none)."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        if self.count:
            os.replace(self._tmp, self.path)
            fsync_dir(os.path.dirname(os.path.abspath(self.path)))
        else:
            self.discard()

    def discard(self) -> None:
        """Forget this pass's rejects."""
        if not self._file.closed:
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)

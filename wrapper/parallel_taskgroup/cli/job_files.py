"""What a job's files say, read as plain data: its group (``RESULTS.state.json``, else the
group id of the results file's first line) and its results file's lines by status.

The command line reaches the library only through its public names, and reading a results
file back is not one of them; this reads just the ``status`` and ``group_id`` of each line
(JSONL, CSV, either gzip-compressed, or Parquet with pyarrow).
"""

from __future__ import annotations

import collections
import contextlib
import csv
import gzip
import importlib
import json
import os
from collections.abc import Iterator
from typing import IO, Any, Optional

from .errors import UsageError

__all__ = ["job_base_url", "job_group", "lines_by_status", "state_path"]


def state_path(results: str) -> str:
    """The job's state file, beside its results file."""
    return results + ".state.json"


def job_group(results: str) -> tuple[Optional[str], str]:
    """The group of the job whose results file is ``results``, and where that was read: its
    state file, else the first line of the file. ``(None, state file)`` when the state says
    the job has no group yet; UsageError when neither says anything."""
    state = state_path(results)
    data = _state(results)
    if data is not None and "group_id" in data:
        group = data["group_id"]
        return (str(group) if group else None), state
    with contextlib.suppress(OSError, ValueError, csv.Error, UsageError, StopIteration):
        group = next(_records(results)).get("group_id")
        if group:
            return str(group), f"the first line of {results}"
    raise UsageError(
        f"{results}: no group id found: there is no {os.path.basename(state)} beside it and its "
        "first line has no group_id; give the group id instead"
    )


def job_base_url(results: str) -> Optional[str]:
    """The API server the job of ``results`` ran against, as its state file records it (None
    when it records none)."""
    url = (_state(results) or {}).get("base_url")
    return str(url) if url else None


def _state(results: str) -> Optional[dict[str, Any]]:
    """The job's state file as data (None when it is missing or unreadable)."""
    with contextlib.suppress(OSError, ValueError):
        with open(state_path(results), encoding="utf-8") as handle:
            data = json.load(handle)
        if isinstance(data, dict):
            return data
    return None


def lines_by_status(results: str) -> dict[str, int]:
    """How many lines of ``results`` have each status (``unreadable``: a line that is not a
    record, e.g. one cut short by a kill). OSError, ValueError or UsageError when the file
    cannot be read at all."""
    counts: collections.Counter[str] = collections.Counter()
    for record in _records(results):
        counts[str(record.get("status")) if "status" in record else "unreadable"] += 1
    return dict(counts)


def _records(path: str) -> Iterator[dict[str, Any]]:
    """The records of a results file, by its extension (the rest is JSONL)."""
    name = path.lower()
    if name.endswith((".parquet", ".pq")):
        yield from _parquet(path)
        return
    packed = name.endswith(".gz")
    with _open_text(path, packed) as handle:
        if name[: -len(".gz")].endswith(".csv") if packed else name.endswith(".csv"):
            # Python before 3.11 refuses NUL, which a cell may hold; a status never does.
            yield from csv.DictReader(line.replace("\x00", "\ufffd") for line in handle)
            return
        for line in handle:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            yield record if isinstance(record, dict) else {}


def _open_text(path: str, packed: bool) -> IO[str]:
    if packed:
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _parquet(path: str) -> Iterator[dict[str, Any]]:
    try:
        parquet: Any = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise UsageError(
            f"{path}: reading a Parquet results file needs pyarrow "
            "(pip install 'parallel-taskgroup[parquet]')"
        ) from None
    columns = [c for c in ("status", "group_id") if c in parquet.read_schema(path).names]
    yield from parquet.read_table(path, columns=columns).to_pylist()

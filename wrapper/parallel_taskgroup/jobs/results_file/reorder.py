"""Putting an appended JSONL results file in input order (:func:`reorder_lines`): its lines
moved where they belong, not encoded again from the journal."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, Optional

from ...errors import ResultsFileError
from .lines import jsonl_start
from .write import replacing

_WRITE_BYTES = 1 << 18


class _NotTheFilesLines(Exception):
    """The spans are not exactly the file's lines, one per row."""


def reorder_lines(
    path: str, spans: Iterable[tuple[str, Optional[int], Optional[int]]], *, size: int
) -> bool:
    """Rewrite the JSONL file ``path`` of ``size`` bytes with its lines in the order of
    ``spans``: each row's key and where its line lies (offset and length in bytes, None when
    unknown). Only when the spans are exactly the file's lines, one per row, each starting
    with its row's key; otherwise False, and the file is left as it is (write it whole)."""
    try:
        with open(path, "rb", buffering=_WRITE_BYTES) as source:
            if os.fstat(source.fileno()).st_size != size:
                return False
            with replacing(path) as (out, _):
                _copy_lines(source, spans, size, out)
    except (_NotTheFilesLines, OSError, ResultsFileError):
        return False
    return True


def _copy_lines(
    source: IO[bytes],
    spans: Iterable[tuple[str, Optional[int], Optional[int]]],
    size: int,
    out: IO[bytes],
) -> None:
    # Each span must be one whole line (after a newline, ending in one, none inside) that
    # starts with its own row's key: the keys differ, so the lines do; and the lines of all
    # the rows must add up to the whole file, so every line of the file is used once.
    total = 0
    pending = bytearray()
    for key, at, length in spans:
        if at is None or length is None or at < 0 or length <= 0:
            raise _NotTheFilesLines()
        before = 1 if at > 0 else 0
        source.seek(at - before)
        chunk = source.read(length + before)
        line = chunk[before:]
        if (
            len(line) != length
            or (before and chunk[0] != 0x0A)
            or line.find(b"\n") != length - 1
            or not line.startswith(jsonl_start(key))
        ):
            raise _NotTheFilesLines()
        total += length
        pending += line
        if len(pending) >= _WRITE_BYTES:
            out.write(pending)
            pending.clear()
    if total != size:
        raise _NotTheFilesLines()
    out.write(pending)

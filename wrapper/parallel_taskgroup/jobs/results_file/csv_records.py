"""The records of a CSV results file on disk (see the package doc). A quoted cell may hold
newlines, so a record can span several physical lines: a newline ends a record only where the
count of quotes (``"``) since the start of the file is even. Here: the complete records of a
file, a record split into its cells, where the last complete record ends (what the appender
keeps of a torn file), and the check that what follows is one torn record, not quotes out of
place (which would otherwise hide every later row)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from typing import BinaryIO, Optional

from ...errors import ResultsFileError

_CHUNK = 1 << 20


def _csv_records(handle: BinaryIO, path: str) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, bytes) of each complete record of the file ``path``, read
    from the start of ``handle``, its newline included. A torn last record is checked by
    :func:`_check_torn`, then left out."""
    parts: list[bytes] = []
    quotes = 0
    start = 1
    for number, raw in enumerate(handle, start=1):
        parts.append(raw)
        quotes += raw.count(b'"')
        if quotes % 2 == 0 and raw.endswith(b"\n"):
            yield start, b"".join(parts)
            parts.clear()
            quotes = 0
            start = number + 1
    if parts:
        _check_torn(iter(parts), f"{path}, line {start}")


def _csv_fields(raw: bytes, where: str) -> list[str]:
    """The cells of one complete record."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResultsFileError(f"{where}: not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        rows = _split(text)
    except csv.Error as exc:
        raise ResultsFileError(f"{where}: not a CSV record ({exc})") from None
    if len(rows) != 1:
        raise ResultsFileError(f"{where}: {_UNPAIRED}")
    return rows[0]


def _split(text: str) -> list[list[str]]:
    """The rows of ``text``. The csv module of Python before 3.11 refuses NUL, which a cell may
    hold (the writer keeps it): it stands in for a character the record does not hold."""
    if "\x00" not in text:
        return list(csv.reader((text,), strict=True))
    stand_in = next(chr(c) for c in range(0xE000, 0x110000) if chr(c) not in text)
    rows = csv.reader((text.replace("\x00", stand_in),), strict=True)
    return [[cell.replace(stand_in, "\x00") for cell in row] for row in rows]


_UNPAIRED = (
    "its quotes do not pair up as in a CSV record (a quote out of place makes the following "
    "lines part of one cell)"
)


def _check_torn(lines: Iterator[bytes], where: str) -> None:
    """Raise a ResultsFileError naming ``where`` unless ``lines`` (what follows the last
    complete record) is one record cut short, as a write stopped part-way leaves it. Where the
    quotes do not pair up (a file edited by hand), the csv module finds more than one record."""
    text = (raw.decode("utf-8", errors="replace") for raw in lines)
    found = sum(1 for _ in itertools.islice(csv.reader(text), 2))
    if found > 1:
        raise ResultsFileError(f"{where}: {_UNPAIRED}")


def _end_of_last_record(handle: BinaryIO) -> int:
    """The offset just past the last complete record's newline (0 when there is none).
    Reads the whole file once (quotes counted from its start), then its end again."""
    handle.seek(0)
    parities: list[int] = []  # the parity of the quotes before each chunk
    parity = 0
    while True:
        chunk = handle.read(_CHUNK)
        if not chunk:
            break
        parities.append(parity)
        parity = (parity + chunk.count(b'"')) % 2
    for index in range(len(parities) - 1, -1, -1):
        handle.seek(index * _CHUNK)
        chunk = handle.read(_CHUNK)
        at = _last_record_end(chunk, (parities[index] + chunk.count(b'"')) % 2)
        if at is not None:
            return index * _CHUNK + at
    return 0


def _last_record_end(chunk: bytes, parity_at_end: int) -> Optional[int]:
    """The offset in ``chunk`` just past its last newline with an even count of quotes before
    it, given that count's parity at the chunk's end."""
    end = len(chunk)
    parity = parity_at_end
    while True:
        newline = chunk.rfind(b"\n", 0, end)
        if newline < 0:
            return None
        parity = (parity - chunk.count(b'"', newline + 1, end)) % 2
        if parity == 0:
            return newline + 1
        end = newline


def _line_number(handle: BinaryIO, offset: int) -> int:
    """The number of the line that starts at ``offset``."""
    handle.seek(0)
    newlines = 0
    while offset > 0:
        chunk = handle.read(min(_CHUNK, offset))
        if not chunk:
            break
        newlines += chunk.count(b"\n")
        offset -= len(chunk)
    return newlines + 1

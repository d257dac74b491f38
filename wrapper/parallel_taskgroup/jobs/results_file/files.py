"""What the results-file modules share about files on disk: the flag that opens a file as
bytes on every platform, opening a file (gzip-compressed or not) to read it, the error for a
failed file operation, and how an error names the row it was writing."""

from __future__ import annotations

import contextlib
import gzip
import zlib
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, cast

from ...errors import ResultsFileError


def _io_error(path: str, action: str, exc: OSError) -> ResultsFileError:
    """ResultsFileError for a failed file operation; raise it ``from exc`` (errno stays there)."""
    return ResultsFileError(f"{path}: {action} ({exc.strerror or exc})")


def _where(path: str, row: int, record: Mapping[str, Any]) -> str:
    return f"{path}, row {row} (key {record.get('key')!r})"


@contextlib.contextmanager
def _reading(path: str, gzipped: bool) -> Iterator[BinaryIO]:
    """``path`` opened to read its bytes (decompressed when ``gzipped``); a failure to read,
    or gzip data that is damaged or cut short, is a ResultsFileError naming the file."""
    try:
        with gzip.open(path, "rb") if gzipped else open(path, "rb") as handle:
            yield cast(BinaryIO, handle)  # a GzipFile reads lines of bytes as a file does
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ResultsFileError(f"{path}: not a whole gzip file ({exc})") from None
    except OSError as exc:
        raise _io_error(path, "cannot read", exc) from exc

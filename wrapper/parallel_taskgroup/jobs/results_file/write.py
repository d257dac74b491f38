"""Writing a whole results file atomically (:func:`write_results`): streamed to a temp file
beside it, fsynced and renamed over it; JSONL and CSV as lines (through gzip for ``.gz``),
Parquet through :mod:`.parquet`."""

from __future__ import annotations

import contextlib
import gzip
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, Union

from ..._fs import fsync_dir, temp_beside
from ...errors import ResultsFileError
from .files import _io_error, _where
from .formats import _gzipped, _lines_format, results_format
from .layout import ResultsLayout
from .lines import _Lines
from .parquet import _write_parquet, require_pyarrow


def write_results(
    path: str, records: Iterable[Mapping[str, Any]], *, fmt: str, layout: ResultsLayout
) -> int:
    """Write the whole file from ``records`` (iterated once), streamed to a temp file beside
    ``path``, fsynced and renamed over it (a crash leaves the old file or the new one); returns
    the number of records. Parquet is written in row groups of at most 10,000 records, its
    column types found in a first pass over the records (spooled to a temporary file)."""
    results_format(path, fmt)
    with replacing(path) as (out, tmp):
        if fmt == "parquet":
            return _write_parquet(tmp, records, layout, path)
        if _gzipped(fmt):
            name = os.path.basename(path)[: -len(".gz")]
            with gzip.GzipFile(name, "wb", compresslevel=6, fileobj=out, mtime=0) as packed:
                return _write_lines(packed, records, _Lines(_lines_format(fmt), layout), path)
        return _write_lines(out, records, _Lines(fmt, layout), path)


@contextlib.contextmanager
def replacing(path: str) -> Iterator[tuple[IO[bytes], str]]:
    """A new file to write ``path``'s whole content in (and its name): beside it, fsynced and
    renamed over it when the block ends, removed if the block raises (a crash leaves the old
    file or the new one)."""
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out, tmp
            try:
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise _io_error(path, "cannot write", exc) from exc
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _io_error(path, f"cannot replace it with {tmp}", exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def _create_temp(path: str) -> tuple[int, str]:
    """A new empty file beside ``path``, with the mode ``path`` has (or a new file would get)."""
    directory = os.path.dirname(path) or "."
    try:
        return temp_beside(path, private=False)
    except FileExistsError:
        raise ResultsFileError(
            f"{path}: cannot find a free temporary file name in {directory}"
        ) from None
    except OSError as exc:
        raise _io_error(path, f"cannot create a file in {directory}", exc) from exc


_WRITE_BYTES = 1 << 18


def _write_lines(
    out: Union[IO[bytes], gzip.GzipFile],
    records: Iterable[Mapping[str, Any]],
    lines: _Lines,
    path: str,
) -> int:
    """Write the lines in writes of about 256 KiB (few calls into gzip)."""
    count = 0
    pending = bytearray(lines.header())
    for count, record in enumerate(records, start=1):
        try:
            pending += lines.line(record)
        except ResultsFileError as exc:
            raise ResultsFileError(f"{_where(path, count, record)}: {exc.message}") from None
        if len(pending) >= _WRITE_BYTES:
            _write(out, pending, path)
            pending.clear()
    _write(out, pending, path)
    return count


def _write(out: Union[IO[bytes], gzip.GzipFile], data: bytearray, path: str) -> None:
    try:
        out.write(data)
    except OSError as exc:
        raise _io_error(path, "cannot write", exc) from exc


def writable_format(path: str) -> str:
    """:func:`results_format` of ``path``, once its format's library is known to import
    (pyarrow for Parquet): ResultsFileError otherwise, before anything is sent or waited for."""
    fmt = results_format(path)
    if fmt == "parquet":
        require_pyarrow(path)
    return fmt

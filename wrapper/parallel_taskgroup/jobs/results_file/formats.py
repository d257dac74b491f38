"""The results formats (see the package doc): which extension gives which format, which
formats are gzip-compressed, and which can be appended to as runs finish."""

from __future__ import annotations

import os
from typing import Optional

from ...errors import ResultsFileError

FORMATS = ("jsonl", "csv", "parquet", "jsonl.gz", "csv.gz")

# Longest first: ".csv.gz" must be tried before ".gz" could match anything shorter.
_EXTENSIONS = (
    (".jsonl.gz", "jsonl.gz"),
    (".ndjson.gz", "jsonl.gz"),
    (".csv.gz", "csv.gz"),
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".csv", "csv"),
    (".parquet", "parquet"),
    (".pq", "parquet"),
)
_ALLOWED = ", ".join(ext for ext, _ in sorted(_EXTENSIONS, key=lambda e: FORMATS.index(e[1])))


def results_format(path: str, explicit: Optional[str] = None) -> str:
    """``explicit`` when given, else the format of ``path``'s extension (case aside):
    ``.jsonl`` or ``.ndjson`` is jsonl, ``.csv`` csv, ``.parquet`` or ``.pq`` parquet, and
    ``.jsonl.gz``, ``.ndjson.gz`` or ``.csv.gz`` their gzip-compressed kind (``jsonl.gz``,
    ``csv.gz``). Any other extension (or none) is a ResultsFileError listing the allowed ones."""
    if explicit is not None:
        if explicit not in FORMATS:
            raise ResultsFileError(
                f"unknown results format {explicit!r}; use one of {', '.join(FORMATS)}"
            )
        return explicit
    name = os.path.basename(path).lower()
    for extension, fmt in _EXTENSIONS:
        if name.endswith(extension) and len(name) > len(extension):
            return fmt
    raise ResultsFileError(f"{path}: {_why_not(name)}; the results file must end in {_ALLOWED}")


def appendable(fmt: str) -> bool:
    """Whether lines can be appended to a results file of ``fmt`` as runs finish (JSONL and
    CSV); the others (Parquet, gzip) are written whole, at the end of every session."""
    return fmt in ("jsonl", "csv")


def _gzipped(fmt: str) -> bool:
    return fmt.endswith(".gz")


def _lines_format(fmt: str) -> str:
    """``jsonl`` or ``csv`` for a line format, compressed or not."""
    return fmt[: -len(".gz")] if _gzipped(fmt) else fmt


def _why_not(name: str) -> str:
    stem, extension = os.path.splitext(name)
    if not extension:
        return "no file extension to tell its format"
    if extension == ".gz" and stem.endswith((".parquet", ".pq")):
        return "a Parquet file is compressed inside, not with gzip"
    return f"unknown results file extension {extension!r}"

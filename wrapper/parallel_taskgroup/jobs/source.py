"""The job's input: rows from a file (a spooled copy of stdin) or an iterable, read into the
job's store once (keys, duplicates, the documented limits), with the input's fingerprint."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
from collections.abc import Iterator
from typing import Callable, Optional

from .._json import canonical
from ..errors import InputError
from ..submission.prepare import RowPlan, make_plan
from .ingest import Ingested, Problem, ingest
from .inputs import (
    Row,
    csv_header,
    detect_format,
    file_digest,
    iterable_rows,
    read_rows,
    spool_stdin,
)
from .options import InputArg, JobOptions, input_name
from .specs import required_input_fields
from .store import JobStore

__all__ = ["InputSource", "plan_for", "read_into"]


class InputSource:
    """The job's rows and their fingerprint (for an iterable: once it was read through).
    Close it to remove a spooled copy of standard input."""

    def __init__(self, source: InputArg, options: JobOptions, spool_dir: str) -> None:
        self.source = source
        self.name = input_name(source)
        self._format = options.input_format
        self._max_line_bytes = options.max_line_bytes
        self._limit = options.limit
        self._spooled: Optional[str] = None
        self._digest: Optional[str] = None
        self._rows_hash = hashlib.sha256()
        self.path: Optional[str] = None
        if isinstance(source, (str, os.PathLike)):
            path = os.fspath(source)
            self.fmt = detect_format(path, options.input_format)
            if path == "-":
                self._spooled = path = spool_stdin(spool_dir)
            self.path = path
        else:
            self.fmt = "rows"

    def close(self) -> None:
        if self._spooled is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._spooled)

    def rows(self) -> Iterator[Row]:
        """The rows (the first ``limit`` with a limit), hashed as they go where the input's
        fingerprint is of its rows rather than its bytes."""
        if self.path is None:
            rows = iterable_rows(self.source, self._rows_hash)  # type: ignore[arg-type]
            return rows if self._limit is None else itertools.islice(rows, self._limit)
        rows = read_rows(
            self.path,
            self.fmt,
            self.name,
            format_guessed=self._format is None,
            max_line_bytes=self._max_line_bytes,
        )
        return rows if self._limit is None else self._hashed(itertools.islice(rows, self._limit))

    def _hashed(self, rows: Iterator[Row]) -> Iterator[Row]:
        for row in rows:
            self._rows_hash.update(canonical(row.value).encode("utf-8") + b"\n")
            yield row

    @property
    def fingerprint_known(self) -> bool:
        """Whether :meth:`digest` is known before the rows are read (a whole file's bytes)."""
        return self.path is not None and self._limit is None

    def digest(self) -> str:
        """The input's fingerprint: a whole file's bytes, or the rows read (an iterable, or
        a file read up to a limit) once :meth:`rows` was read through."""
        if self.fingerprint_known:
            assert self.path is not None
            if self._digest is None:
                self._digest = file_digest(self.path)
            return self._digest
        return "rows:" + self._rows_hash.hexdigest()[:32]


def plan_for(options: JobOptions, processor: str, attempt: int = 1) -> RowPlan:
    """How the job's rows become run inputs for ``processor`` (attempt ``attempt``)."""
    return make_plan(
        processor=processor,
        task_spec=options.task_spec,
        base_metadata=None,
        key=options.key_field,
        to_input=None,
        row_metadata=None,
        input_fields=None,
        max_batch_inputs=1000,
        max_batch_bytes=5_000_000,
        duplicates="error",
        attempt=attempt,
    )


def _key_check(options: JobOptions) -> Optional[Callable[[Row], None]]:
    if options.key_field is None:
        return None
    field = options.key_field

    def check(row: Row) -> None:
        if not isinstance(row.value, dict):
            raise InputError(f"--key {field} needs object rows, got a string")

    return check


def read_into(
    store: JobStore,
    source: InputSource,
    options: JobOptions,
    *,
    incremental: bool,
    reject: Optional[Callable[[Problem, Optional[str]], None]] = None,
) -> Ingested:
    """Read every row of ``source`` into ``store`` (with ``incremental``: only keys it lacks);
    ``reject`` is told of each bad row."""
    if source.fmt == "csv" and options.key_field is not None and source.path is not None:
        header = csv_header(source.path, source.name)
        if header is not None and options.key_field not in header:
            raise InputError(
                f"{source.name}: the key column {options.key_field!r} is not in the CSV header "
                f"(columns: {', '.join(header)}); fix --key"
            )
    store.begin_pass()
    return ingest(
        store,
        source.rows(),
        plan=plan_for(options, options.processor),
        required_fields=required_input_fields(options.task_spec),
        known_keys_skip=incremental,
        check_key=_key_check(options),
        show_keys=options.key_field is not None,
        reject=reject,
    )

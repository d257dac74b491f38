"""The job's input: rows from a file (a spooled copy of stdin) or an iterable, read into the
job's store once (keys, duplicates, the documented limits), with the input's fingerprint."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
from collections.abc import Iterator
from typing import Callable, Optional, Union

import attrs

from .._json import canonical
from ..errors import InputError
from ..submission.keys import key_fields, parse_key
from ..submission.prepare import RowPlan, make_plan
from .ingest import Ingested, Problem, ingest
from .inputs import (
    Row,
    check_key_columns,
    csv_header,
    detect_delimiter,
    detect_format,
    file_digest,
    first_fields,
    iterable_rows,
    read_rows,
    spool_stdin,
)
from .options import InputArg, JobOptions, KeyFields, input_name
from .specs import required_input_fields
from .store import JobStore

__all__ = ["InputSource", "key_text", "plan_for", "read_into", "with_key_resolved"]


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
        self._encoding = options.encoding
        self.delimiter: Optional[str] = None
        if isinstance(source, (str, os.PathLike)):
            path = os.fspath(source)
            self.fmt = detect_format(path, options.input_format)
            self.delimiter = detect_delimiter(path, self.fmt, options.delimiter)
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
            encoding=self._encoding,
            delimiter=self.delimiter,
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


def with_key_resolved(options: JobOptions, source: InputArg) -> JobOptions:
    """``options`` with a key of ``"a,b"`` read as the fields ``a`` and ``b`` of a file input,
    unless the file has a field named ``a,b`` (what the command line's ``--key`` means)."""
    key = options.key_field
    if not isinstance(key, str) or "," not in key or not isinstance(source, (str, os.PathLike)):
        return options
    path = os.fspath(source)
    if path == "-" or not os.path.isfile(path):
        return attrs.evolve(options, key_field=_single(parse_key(key)))
    fmt = detect_format(path, options.input_format)
    fields = first_fields(
        path,
        fmt,
        encoding=options.encoding,
        delimiter=detect_delimiter(path, fmt, options.delimiter),
        max_line_bytes=options.max_line_bytes,
    )
    return attrs.evolve(options, key_field=_single(parse_key(key, fields)))


def _single(key: Union[str, tuple[str, ...]]) -> KeyFields:
    return key[0] if not isinstance(key, str) and len(key) == 1 else key


def key_text(key: KeyFields) -> Optional[str]:
    """How the key is named in messages and kept in the job's state: the field, or the
    composite key's fields as a JSON list (never confused with a field named ``a,b``)."""
    if key is None or isinstance(key, str):
        return key
    return json.dumps(list(key))


def _key_check(options: JobOptions) -> Optional[Callable[[Row], None]]:
    if options.key_field is None:
        return None
    fields = key_fields(options.key_field) or ()
    shown = ",".join(fields)

    def check(row: Row) -> None:
        if not isinstance(row.value, dict):
            raise InputError(f"--key {shown} needs object rows, got a string")

    return check


def read_into(
    store: JobStore,
    source: InputSource,
    options: JobOptions,
    *,
    incremental: bool,
    refresh: bool = False,
    reject: Optional[Callable[[Problem, Optional[str]], None]] = None,
) -> Ingested:
    """Read every row of ``source`` into ``store`` (with ``incremental``: only keys it lacks;
    with ``refresh``: held for :meth:`~.store.JobStore.apply_refresh`); ``reject`` is told of
    each bad row."""
    fields = key_fields(options.key_field) if options.key_field is not None else None
    if source.fmt == "csv" and fields and source.path is not None:
        header = csv_header(
            source.path,
            source.name,
            encoding=options.encoding,
            delimiter=source.delimiter,
            max_line_bytes=options.max_line_bytes,
        )
        check_key_columns(source.name, header, fields)
    store.begin_pass()
    if refresh:
        store.clear_staged()  # what an interrupted refresh held
    return ingest(
        store,
        source.rows(),
        plan=plan_for(options, options.processor),
        required_fields=required_input_fields(options.task_spec),
        known_keys_skip=incremental and not refresh,
        staging=refresh,
        check_key=_key_check(options),
        show_keys=options.key_field is not None,
        reject=reject,
    )

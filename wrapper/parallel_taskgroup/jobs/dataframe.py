"""A batch job over a pandas DataFrame: the frame in, the frame joined with its results out.

pandas is an optional extra (``pip install 'parallel-taskgroup[pandas]'``), imported on first
use; nothing else in the package needs it.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Callable, Literal, Optional, Union

from .. import _checks
from ..client import Client
from ..errors import ArgumentTypeError, ConfigurationError, InputError
from .options import MetadataValue
from .prices import PriceTable
from .progress import JobListener
from .results_file import read_records
from .runner import JobQuote, run_job

__all__ = ["run_dataframe"]

_PANDAS_HINT = "install the extra: pip install 'parallel-taskgroup[pandas]'"
#: The columns the results add to the frame (and ``output.<field>`` ones).
_ADDED = ("output", "status", "error", "run_id", "basis")


def _pandas() -> Any:
    try:
        return importlib.import_module("pandas")
    except ImportError:
        raise ConfigurationError(f"run_dataframe needs pandas: {_PANDAS_HINT}") from None


def _rows(frame: Any) -> Iterator[dict[str, Any]]:
    """The frame's rows as JSON values (numpy scalars, NaN and timestamps made plain)."""
    for line in frame.to_json(orient="records", lines=True, date_format="iso").splitlines():
        yield json.loads(line)


def _result_columns(record: Mapping[str, Any], include_basis: bool) -> dict[str, Any]:
    """A record's result cells: ``output.<field>`` per output field (or one ``output``), then
    ``status``, ``error`` (its message), ``run_id`` and, if asked, ``basis``."""
    cells: dict[str, Any] = {}
    output = record.get("output")
    if isinstance(output, Mapping):
        cells.update({f"output.{name}": value for name, value in output.items()})
    else:
        cells["output"] = output
    error = record.get("error")
    cells["status"] = record.get("status")
    cells["error"] = error.get("message") if isinstance(error, Mapping) else error
    cells["run_id"] = record.get("run_id")
    if include_basis:
        cells["basis"] = record.get("basis")
    return cells


def run_dataframe(
    client: Optional[Client],
    frame: Any,
    *,
    key: str,
    out: str,
    processor: str = "base",
    task_spec: Optional[Mapping[str, Any]] = None,
    group_id: Optional[str] = None,
    metadata: Optional[Mapping[str, MetadataValue]] = None,
    include_basis: bool = False,
    max_cost: Optional[float] = None,
    prices: Union[str, PriceTable, None] = None,
    retry: Optional[Literal["failed", "low-confidence"]] = None,
    retry_fields: Optional[Sequence[str]] = None,
    retry_at_most: Literal["low", "medium", "high"] = "low",
    retry_without_citations: bool = False,
    add_rows: bool = False,
    refresh: bool = False,
    refresh_older_than: Optional[float] = None,
    confirm: Optional[Callable[[JobQuote], bool]] = None,
    listener: Optional[JobListener] = None,
) -> Any:
    """Run a task over every row of the pandas DataFrame ``frame``; return a copy of it with
    the results joined on, row for row and in the frame's order.

    ``key`` names the column holding each row's unique key (str or int). The job is
    :func:`~parallel_taskgroup.run_job`'s, with ``out`` as its results file (JSONL, CSV or
    Parquet): the same call resumes after an interruption, never creating a run twice, and
    ``max_cost``, ``retry`` (``"failed"`` or ``"low-confidence"``, with its ``retry_*`` rule)
    and ``confirm`` work as there. A frame whose rows changed since the job began is refused as
    a changed input file is (JobChangedError), unless ``add_rows`` (its new rows are added to
    the job) or ``refresh`` (new and edited rows get a run, rows gone leave the job's results;
    ``refresh_older_than`` seconds also runs again older results). Every column of the frame is
    the run's input. Added columns: ``output.<field>`` per field of the output (``output`` for
    a text output), ``status`` (``completed``, ``failed``, or ``not_submitted``/``unfinished``
    when the job stopped short), ``error`` (its message), ``run_id``, and ``basis`` with
    ``include_basis``. A column of the frame with one of those names is an
    :class:`~parallel_taskgroup.InputError`.

    Raises what :func:`~parallel_taskgroup.run_job` raises; after a stop (budget, credit, an
    API error) read the frame back by calling again once the cause is fixed.
    """
    pandas = _pandas()
    if not isinstance(frame, pandas.DataFrame):
        raise ArgumentTypeError(
            f"frame must be a pandas DataFrame, got {_checks.describe(frame)}; for a list or "
            "an iterable of rows use run_job(client, rows, out=...), or pandas.DataFrame(rows)"
        )
    if not isinstance(key, str):
        raise ArgumentTypeError(
            f"key must be the name of the frame's key column (a str), got {_checks.describe(key)}"
        )
    if key not in frame.columns:
        raise InputError(f"the key column {key!r} is not in the DataFrame's columns")
    clashes = sorted(
        str(c) for c in frame.columns if str(c) in _ADDED or str(c).startswith("output.")
    )
    if clashes:
        raise InputError(
            f"the DataFrame has columns named like result columns: {', '.join(clashes)}; "
            "rename them before running"
        )
    run_job(
        client,
        _rows(frame),
        out=out,
        processor=processor,
        task_spec=task_spec,
        key=key,
        group_id=group_id,
        metadata=metadata,
        include_basis=include_basis,
        max_cost=max_cost,
        prices=prices,
        retry=retry,
        retry_fields=retry_fields,
        retry_at_most=retry_at_most,
        retry_without_citations=retry_without_citations,
        add_rows=add_rows,
        refresh=refresh,
        refresh_older_than=refresh_older_than,
        confirm=confirm,
        listener=listener,
    )
    by_key = {str(r["key"]): _result_columns(r, include_basis) for r in read_records(out)}
    results = pandas.DataFrame.from_records(
        [by_key.get(str(k), {}) for k in frame[key].tolist()], index=frame.index
    )
    return pandas.concat([frame, results], axis=1)

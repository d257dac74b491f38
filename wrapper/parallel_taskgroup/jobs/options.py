"""JobOptions: every option of one batch job, checked once, carried as one frozen value."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Optional, Union

import attrs

from .. import _checks
from ..errors import ArgumentTypeError, ConfigurationError
from ..submission.keys import key_fields
from ..submission.limits import metadata_problem, task_spec_problems
from .input_formats import csv_delimiter
from .input_row import check_encoding
from .prices import PriceTable, price_table
from .state import default_journal_path, default_lock_path, default_state_path
from .weak import WeakAnswers, weak_answers

__all__ = [
    "InputArg",
    "InputFormat",
    "JobOptions",
    "KeyFields",
    "MetadataValue",
    "input_name",
    "job_options",
]

InputArg = Union[str, "os.PathLike[str]", Iterable[Any]]
KeyFields = Union[str, tuple[str, ...], None]
"""One key field, several (a composite key), or None (a key derived from each row)."""
InputFormat = Literal["jsonl", "json", "csv"]
MetadataValue = Union[str, int, float, bool]


@attrs.frozen(kw_only=True)
class JobOptions:
    """What one job is and how it runs (see :func:`~parallel_taskgroup.run_job`)."""

    out: str
    processor: str
    task_spec: Optional[dict[str, Any]]
    key_field: KeyFields
    """The field (or fields, for a composite key) holding each row's key; None: derived."""
    input_format: Optional[str]
    group_id: Optional[str]
    metadata: Optional[dict[str, MetadataValue]]
    include_basis: bool
    max_cost: Optional[float]
    prices: PriceTable
    retry_failed: bool
    weak: Optional[WeakAnswers]
    """With ``retry="low-confidence"``: which answers get a run of ``processor``."""
    add_rows: bool
    refresh: bool
    """Match the input's rows to the job's by key: new and edited rows get a run, rows gone
    from the input leave the results file."""
    refresh_older_than: Optional[float]
    """With ``refresh``: results older than this many seconds get a run too."""
    rate_per_minute: Optional[int]
    requests_per_minute: Optional[int]
    fetch_concurrency: int
    max_line_bytes: int
    overwrite: bool
    limit: Optional[int]
    """Only the input's first rows (trying a job out)."""
    skip_invalid: bool
    """Bad rows are left out (written to RESULTS.rejects.jsonl) instead of refusing the job."""
    encoding: str
    delimiter: Optional[str]
    """CSV only; None: a comma (a tab for .tsv)."""

    @property
    def rejects_path(self) -> str:
        return self.out + ".rejects.jsonl"

    @property
    def escalating(self) -> bool:
        """Whether earlier runs of another processor may be followed by runs of this one."""
        return self.retry_failed or self.weak is not None

    @property
    def state_path(self) -> str:
        return default_state_path(self.out)

    @property
    def journal_path(self) -> str:
        return default_journal_path(self.out)

    @property
    def lock_path(self) -> str:
        return default_lock_path(self.out)


def job_options(
    *,
    out: Union[str, os.PathLike[str]],
    processor: str,
    task_spec: Optional[Mapping[str, Any]],
    key: Union[str, Sequence[str], None],
    input_format: Optional[str],
    group_id: Optional[str],
    metadata: Optional[Mapping[str, MetadataValue]],
    include_basis: bool,
    max_cost: Optional[float],
    prices: Union[str, PriceTable, None],
    retry: Optional[str],
    retry_fields: Optional[Sequence[str]] = None,
    retry_at_most: str = "low",
    retry_without_citations: bool = False,
    add_rows: bool,
    refresh: bool = False,
    refresh_older_than: Optional[float] = None,
    rate_per_minute: Optional[int],
    requests_per_minute: Optional[int],
    fetch_concurrency: int,
    max_line_bytes: int,
    overwrite: bool,
    limit: Optional[int],
    skip_invalid: bool,
    encoding: str,
    delimiter: Optional[str],
) -> JobOptions:
    """The checked options: every check that needs no file and no network."""
    _check_types(
        out=out,
        processor=processor,
        task_spec=task_spec,
        group_id=group_id,
        metadata=metadata,
        max_cost=max_cost,
        refresh_older_than=refresh_older_than,
        rate_per_minute=rate_per_minute,
        requests_per_minute=requests_per_minute,
        fetch_concurrency=fetch_concurrency,
        max_line_bytes=max_line_bytes,
        limit=limit,
    )
    table = price_table(prices)
    table.per_run(processor)  # an unknown processor is refused before anything else
    spec = dict(task_spec) if task_spec is not None else None
    problems = task_spec_problems(spec)
    if problems:
        raise ConfigurationError("the task spec would be refused: " + "; ".join(problems))
    if metadata is not None:
        problem = metadata_problem(dict(metadata))
        if problem:
            raise ConfigurationError(f"group metadata: {problem}")
    if max_cost is not None and not max_cost >= 0:
        raise ConfigurationError(f"max_cost must be a non-negative number of USD, got {max_cost}")
    if retry not in (None, "failed", "low-confidence"):
        raise ConfigurationError(f"retry must be None, 'failed' or 'low-confidence', got {retry!r}")
    weak = None
    if retry == "low-confidence":
        weak = weak_answers(
            fields=retry_fields,
            at_most=retry_at_most,
            without_citations=retry_without_citations,
            known_fields=_names(output_fields(spec)),
        )
    elif retry_fields is not None or retry_at_most != "low" or retry_without_citations:
        raise ConfigurationError(
            "fields, at-most and without-citations choose weak answers: they go with "
            "retry='low-confidence'"
        )
    if refresh_older_than is not None:
        if not refresh_older_than > 0:
            raise ConfigurationError(
                f"refresh_older_than must be a positive number of seconds, got {refresh_older_than}"
            )
        refresh = True
    if refresh and limit is not None:
        raise ConfigurationError(
            "refresh reads the whole input (a row missing from it leaves the results file): "
            "drop limit"
        )
    encoding = check_encoding(encoding)
    if delimiter is not None:
        csv_delimiter(delimiter)
    fields = key_fields(key) if key is not None and not isinstance(key, str) else None
    return JobOptions(
        out=os.fspath(out),
        processor=processor,
        task_spec=spec,
        key_field=fields if fields is not None and len(fields) > 1 else _one_field(key),
        input_format=input_format,
        group_id=group_id.strip() if group_id else None,
        metadata=dict(metadata) if metadata is not None else None,
        include_basis=include_basis,
        max_cost=max_cost,
        prices=table,
        retry_failed=retry == "failed",
        weak=weak,
        add_rows=add_rows,
        refresh=refresh,
        refresh_older_than=refresh_older_than,
        rate_per_minute=rate_per_minute,
        requests_per_minute=requests_per_minute,
        fetch_concurrency=fetch_concurrency,
        max_line_bytes=max_line_bytes,
        overwrite=overwrite,
        limit=limit,
        skip_invalid=skip_invalid,
        encoding=encoding,
        delimiter=delimiter,
    )


def _check_types(
    *,
    out: object,
    processor: object,
    task_spec: object,
    group_id: object,
    metadata: object,
    max_cost: object,
    refresh_older_than: object,
    rate_per_minute: object,
    requests_per_minute: object,
    fetch_concurrency: object,
    max_line_bytes: object,
    limit: object,
) -> None:
    """The types of the job's options (their values are checked by :func:`job_options`)."""
    if not isinstance(out, (str, os.PathLike)):
        raise ArgumentTypeError(
            "out must be the results file's path (a str or os.PathLike), got "
            f"{_checks.describe(out)}; e.g. out='results.jsonl'"
        )
    _checks.check_text("processor", processor, what="a processor name", hint="e.g. 'base'")
    if task_spec is not None and not isinstance(task_spec, Mapping):
        hint = (
            "pass task_spec.to_dict()"
            if hasattr(task_spec, "to_dict")
            else "to build one from schema files use task_spec_from_files(...)"
        )
        raise ArgumentTypeError(
            "task_spec must be a dict in the API's TaskSpec shape (e.g. {'output_schema': ...}), "
            f"got {_checks.describe(task_spec)}; {hint}"
        )
    _checks.check_text("group_id", group_id, what="a group id", hint="e.g. 'tgrp_...'")
    _checks.check_mapping(
        "metadata", metadata, what="of str to str/int/float/bool", hint="e.g. {'project': 'q3'}"
    )
    if max_cost is not None and (
        isinstance(max_cost, bool) or not isinstance(max_cost, (int, float))
    ):
        raise ArgumentTypeError(
            f"max_cost must be a number of USD (int or float), got {_checks.describe(max_cost)}; "
            "e.g. max_cost=25.0"
        )
    _checks.check_seconds("refresh_older_than", refresh_older_than, zero=False)
    _checks.check_whole("rate_per_minute", rate_per_minute, minimum=1)
    _checks.check_whole("requests_per_minute", requests_per_minute, minimum=1)
    _checks.check_whole("fetch_concurrency", fetch_concurrency, minimum=1)
    _checks.check_whole("max_line_bytes", max_line_bytes, minimum=1024)
    _checks.check_whole("limit", limit, minimum=1, hint="the number of input rows to run")


def _one_field(key: Union[str, Sequence[str], None]) -> Optional[str]:
    if key is None or isinstance(key, str):
        return key
    return key[0]


def input_name(source: InputArg) -> str:
    """How messages name the input: its path, ``<stdin>``, or ``rows``."""
    if isinstance(source, (str, os.PathLike)):
        return "<stdin>" if os.fspath(source) == "-" else os.fspath(source)
    return "rows"


def output_fields(spec: Optional[Mapping[str, Any]]) -> Optional[tuple[tuple[str, str], ...]]:
    """The top-level fields of a JSON output schema and their JSON types (None: a text or auto
    output)."""
    holder = spec.get("output_schema") if spec else None
    if not isinstance(holder, Mapping) or holder.get("type", "json") != "json":
        return None
    schema = holder.get("json_schema")
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(props, Mapping) or not props:
        return None
    fields = []
    for name, sub in props.items():
        kind = sub.get("type") if isinstance(sub, Mapping) else None
        fields.append((str(name), kind if isinstance(kind, str) else "any"))
    return tuple(fields)


def _names(fields: Optional[tuple[tuple[str, str], ...]]) -> Optional[tuple[str, ...]]:
    return tuple(name for name, _ in fields) if fields is not None else None

"""Rows into run inputs: each row's key, metadata and encoded bytes, checked before sending.

A row is a run input (``str`` or ``dict``), a ``TaskRunInput``, or anything a caller's
``to_input`` maps to one. Its key goes into the run's metadata under ``row_key``; the whole
input is encoded once, as the exact bytes the request body will carry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable, Literal, Optional, Union

import attrs
from parallel_taskgroup_api.models import TaskRunInput

from .._json import compact, compact_bytes, encode_str, fast_compact, loads
from ..errors import ConfigurationError, RowError, TaskSpecError
from .batches import BodyLayout
from .keys import ATTEMPT_FIELD, ROW_KEY_FIELD, KeySpec, derive_key, identity, key_function
from .limits import (
    MAX_INPUTS_PER_REQUEST,
    MAX_TASK_SPEC_AND_INPUT_CHARS,
    input_too_long,
    json_chars,
    metadata_problem,
    task_spec_problems,
)
from .report import SubmitReport

__all__ = ["PreparedInput", "RowPlan", "make_plan", "prepare_checked", "prepare_rows"]

RowInput = Union[str, Mapping[str, Any], TaskRunInput]
Duplicates = Literal["error", "skip"]


@attrs.define(slots=True)
class PreparedInput:
    """One row ready to send: its index among the rows, the identity it is created under (its
    key, with the attempt for a retry) and its encoded run input."""

    position: int
    key: str
    data: bytes


@attrs.frozen
class Frame:
    """The run input's text around the input value and the row key, for plans whose every
    payload is ``{"input":…,"processor":…,"metadata":{…base,"row_key":…[,"attempt":n]}
    [,…input_fields]}``: written directly, byte for byte what encoding the payload dict gives.
    """

    head: str
    middle: str
    tail: str
    spec_chars: int
    """The characters of the task spec the input counts against."""
    room: int
    """The bytes a run input may take without a check of its exact size: within both the task
    spec and input limit and the request size."""

    def around(self, text: str, key: str) -> bytes:
        """The run input around an input's JSON ``text`` and its row key."""
        return "".join((self.head, text, self.middle, encode_str(key), self.tail)).encode("utf-8")


@attrs.frozen
class RowPlan:
    """Everything per job that turns rows into run inputs."""

    processor: str
    base_metadata: dict[str, Any]
    task_spec: Optional[dict[str, Any]]
    spec_chars: int
    layout: BodyLayout
    max_inputs: int
    max_bytes: int
    get_key: Optional[Callable[[Any], str]]
    to_input: Optional[Callable[[Any], Any]]
    row_metadata: Optional[Callable[[Any], Mapping[str, Any]]]
    extra_fields: dict[str, Any]
    skip_duplicates: bool
    attempt: int = 1
    frame: Optional[Frame] = None
    """Unless there is a metadata function: every row's run input is a frame around it."""


def _spec_dict(spec: Any) -> Optional[dict[str, Any]]:
    if spec is None:
        return None
    if hasattr(spec, "to_dict"):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping):
        raise ConfigurationError(
            f"task_spec must be a TaskSpec or a dict in the API's TaskSpec shape, "
            f"got {type(spec).__name__}"
        )
    result = dict(spec)
    try:
        compact(result)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ConfigurationError(f"task_spec is not JSON-serialisable: {exc}") from None
    return result


def make_plan(
    *,
    processor: Optional[str],
    task_spec: Any,
    base_metadata: Optional[Mapping[str, Any]],
    key: KeySpec,
    to_input: Optional[Callable[[Any], Any]],
    row_metadata: Optional[Callable[[Any], Mapping[str, Any]]],
    input_fields: Optional[Mapping[str, Any]],
    max_batch_inputs: int,
    max_batch_bytes: int,
    duplicates: Duplicates,
    attempt: int = 1,
) -> RowPlan:
    """Check the per-job options once and fix how every row is turned into a run input."""
    if not processor or not isinstance(processor, str):
        raise ConfigurationError(
            "no processor for the runs: pass processor= to add_runs, or to create_group/group "
            "(e.g. processor='base')"
        )
    base = dict(base_metadata or {})
    problem = metadata_problem(base)
    if problem:
        raise ConfigurationError(f"the group's run_metadata is invalid: {problem}")
    for reserved in (ROW_KEY_FIELD, ATTEMPT_FIELD):
        if reserved in base:
            raise ConfigurationError(
                f"the group's run_metadata must not set {reserved!r}: it holds each run's "
                "row key and attempt"
            )
    if attempt < 1:
        raise ConfigurationError(f"attempt must be at least 1, got {attempt}")
    if duplicates not in ("error", "skip"):
        raise ConfigurationError(f"duplicates must be 'error' or 'skip', got {duplicates!r}")
    if not 1 <= max_batch_inputs <= MAX_INPUTS_PER_REQUEST:
        raise ConfigurationError(
            f"max_batch_inputs must be between 1 and {MAX_INPUTS_PER_REQUEST}, "
            f"got {max_batch_inputs}"
        )
    extra = dict(input_fields or {})
    clash = {"input", "processor", "metadata"} & set(extra)
    if clash:
        raise ConfigurationError(
            f"input_fields must not set {sorted(clash)}; use the dedicated options"
        )
    try:
        compact(extra)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ConfigurationError(f"input_fields are not JSON-serialisable: {exc}") from None
    spec = _spec_dict(task_spec)
    problems = task_spec_problems(spec)
    if problems:
        raise TaskSpecError("the task spec would be refused: " + "; ".join(problems))
    layout = BodyLayout({"default_task_spec": spec} if spec is not None else None)
    if max_batch_bytes <= layout.overhead:
        raise ConfigurationError(
            f"max_batch_bytes={max_batch_bytes} leaves no room for inputs "
            f"(the request's fixed part alone is {layout.overhead} bytes)"
        )
    spec_chars = json_chars(spec) if spec is not None else 0
    frame = None
    if row_metadata is None:
        base_text = compact(base)[1:-1]
        extra_text = compact(extra)[1:-1]
        own_spec = extra.get("task_spec")
        frame_spec_chars = spec_chars if own_spec is None else json_chars(own_spec)
        frame = Frame(
            head='{"input":',
            middle=',"processor":'
            + compact(processor)
            + ',"metadata":{'
            + (base_text + "," if base_text else "")
            + compact(ROW_KEY_FIELD)
            + ":",
            tail=(f",{compact(ATTEMPT_FIELD)}:{attempt}" if attempt > 1 else "")
            + "}"
            + ("," + extra_text if extra_text else "")
            + "}",
            spec_chars=frame_spec_chars,
            room=min(
                MAX_TASK_SPEC_AND_INPUT_CHARS - frame_spec_chars, max_batch_bytes - layout.overhead
            ),
        )
    return RowPlan(
        processor=processor,
        base_metadata=base,
        task_spec=spec,
        spec_chars=spec_chars,
        layout=layout,
        max_inputs=max_batch_inputs,
        max_bytes=max_batch_bytes,
        get_key=key_function(key),
        to_input=to_input,
        row_metadata=row_metadata,
        extra_fields=extra,
        skip_duplicates=duplicates == "skip",
        attempt=attempt,
        frame=frame,
    )


_STR_ONLY = frozenset({str})


def _describe_type(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _json_problem(exc: BaseException) -> str:
    """What is wrong with an input JSON cannot hold: an object of another type, a circular
    value, or a float JSON has no number for (NaN or Infinity, which reading JSON accepts)."""
    return (
        f"the input is not JSON-serialisable ({exc}); "
        "convert such values to str, int, float (not NaN or Infinity), list or dict"
    )


def prepare_one(plan: RowPlan, position: int, row: Any) -> PreparedInput:
    """One row as a :class:`PreparedInput`; :class:`RowError` says what is wrong with it."""
    mapped = row if plan.to_input is None else _mapped(plan, position, row)
    kind = type(mapped)
    if kind is str or (kind is dict and _STR_ONLY.issuperset(map(type, mapped))):
        value: Any = mapped  # the common row: the run input itself
        fields: Optional[dict[str, Any]] = None
        own_meta: Optional[Mapping[str, Any]] = None
    else:
        value, fields, own_meta = _unpacked(plan, position, mapped)
    try:
        key = plan.get_key(row) if plan.get_key is not None else derive_key(value)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise RowError(position, _json_problem(exc) if plan.get_key is None else str(exc)) from None
    frame = plan.frame
    if frame is not None and not fields and not own_meta:
        try:
            encoded = frame.around(fast_compact(value), key)
        except (TypeError, ValueError, RecursionError) as exc:
            raise RowError(position, _json_problem(exc), key=key) from None
        if len(encoded) > frame.room:
            _check_size(plan, position, key, value, encoded, frame.spec_chars)
    else:
        encoded, spec_chars = _payload(plan, position, row, key, value, fields, own_meta)
        _check_size(plan, position, key, value, encoded, spec_chars)
    return PreparedInput(position, identity(key, plan.attempt), encoded)


def _check_size(
    plan: RowPlan, position: int, key: str, value: Any, encoded: bytes, spec_chars: int
) -> None:
    """Refuse a row whose run input (``encoded``) is over a size limit."""
    # The input's text is part of the payload's, and bytes >= characters: only a payload
    # that long can hold an input over the limit, so the exact count is rarely needed.
    if len(encoded) + spec_chars > MAX_TASK_SPEC_AND_INPUT_CHARS:
        problem = input_too_long(spec_chars, value)
        if problem:
            raise RowError(position, problem, key=key)
    if plan.layout.overhead + len(encoded) > plan.max_bytes:
        raise RowError(
            position,
            f"this run input alone needs a {plan.layout.overhead + len(encoded)}-byte request, "
            f"over max_batch_bytes={plan.max_bytes}; shorten the input or raise max_batch_bytes",
            key=key,
        )


def _mapped(plan: RowPlan, position: int, row: Any) -> Any:
    """What the caller's ``to_input`` makes of ``row``."""
    assert plan.to_input is not None
    try:
        return plan.to_input(row)
    except Exception as exc:  # the caller's function: report which row broke it
        raise RowError(position, f"to_input failed: {type(exc).__name__}: {exc}") from None


def _unpacked(
    plan: RowPlan, position: int, mapped: Any
) -> tuple[Any, dict[str, Any], Mapping[str, Any]]:
    """A row that is not plainly a run input: its input value, its own run-input fields and
    its own metadata."""
    fields: dict[str, Any] = {}
    own_meta: Mapping[str, Any] = {}
    if isinstance(mapped, TaskRunInput):
        fields = mapped.to_dict()
        value = fields.pop("input")
        own_meta = fields.pop("metadata", None) or {}
        fields.pop("processor", None)
    elif isinstance(mapped, (str, Mapping)):
        value = mapped if isinstance(mapped, str) else dict(mapped)
    else:
        hint = "" if plan.to_input else "; pass to_input= to map other objects to a run input"
        raise RowError(
            position,
            f"a row must be a str or dict (the run input), got {_describe_type(mapped)}{hint}",
        )
    if type(value) is dict and not _STR_ONLY.issuperset(map(type, value)):
        bad = next(k for k in value if not isinstance(k, str))
        raise RowError(position, f"input keys must be strings, found {bad!r}")
    return value, fields, own_meta


def _payload(
    plan: RowPlan,
    position: int,
    row: Any,
    key: str,
    value: Any,
    fields: Optional[dict[str, Any]],
    own_meta: Optional[Mapping[str, Any]],
) -> tuple[bytes, int]:
    """The run input of a row with metadata or fields of its own (or under a plan with a
    metadata function), encoded; with the characters of the task spec it counts against."""
    metadata = dict(plan.base_metadata)
    if own_meta:
        metadata.update(own_meta)
    if plan.row_metadata is not None:
        try:
            extra_meta = plan.row_metadata(row)
        except Exception as exc:  # the caller's function
            raise RowError(
                position, f"metadata function failed: {type(exc).__name__}: {exc}", key=key
            ) from None
        problem = metadata_problem(extra_meta)
        if problem:
            raise RowError(position, problem, key=key)
        metadata.update(extra_meta)
    elif own_meta:
        problem = metadata_problem(own_meta)
        if problem:
            raise RowError(position, problem, key=key)
    for reserved in (ROW_KEY_FIELD, ATTEMPT_FIELD):
        if reserved in metadata:
            raise RowError(
                position,
                f"row metadata must not set {reserved!r}; it holds the row key and attempt "
                "(use key=)",
                key=key,
            )
    metadata[ROW_KEY_FIELD] = key
    if plan.attempt > 1:
        metadata[ATTEMPT_FIELD] = plan.attempt
    payload = {"input": value, "processor": plan.processor, "metadata": metadata}
    if fields:
        payload.update({k: v for k, v in fields.items() if k not in payload})
    if plan.extra_fields:
        payload.update(plan.extra_fields)
    try:
        encoded = compact_bytes(payload)
    except (TypeError, ValueError, RecursionError) as exc:
        raise RowError(position, _json_problem(exc), key=key) from None
    own_spec = payload.get("task_spec")
    return encoded, plan.spec_chars if own_spec is None else json_chars(own_spec)


def prepare_checked(plan: RowPlan, position: int, key: str, text: str) -> PreparedInput:
    """A row :func:`prepare_one` accepted once already, given as its key and its input's
    :func:`~.._json.compact` text (a job stores its rows so): the same result, the text written
    into the run input as it is rather than parsed and encoded again."""
    frame = plan.frame
    if frame is not None and plan.to_input is None:
        data = frame.around(text, key)
        if len(data) <= frame.room:
            return PreparedInput(position, identity(key, plan.attempt), data)
    # Another plan, or a row near a limit (a retry's metadata is longer): prepare_one,
    # which says what is wrong.
    return prepare_one(plan, position, loads(text))


def prepare_rows(
    plan: RowPlan, rows: Iterable[Any], report: SubmitReport
) -> Iterator[PreparedInput]:
    """Prepare ``rows`` lazily, refusing (or with ``duplicates="skip"`` skipping) repeated keys."""
    first_seen: dict[str, int] = {}
    for position, row in enumerate(rows):
        report.rows = position + 1
        prepared = prepare_one(plan, position, row)
        earlier = first_seen.get(prepared.key)
        if earlier is not None:
            if plan.skip_duplicates:
                report.skipped += 1
                continue
            raise RowError(
                position,
                f"duplicate row key (first used by the row at index {earlier}); keys must be "
                "unique within a job: give distinct keys, or pass duplicates='skip'",
                key=prepared.key,
            )
        first_seen[prepared.key] = position
        yield prepared

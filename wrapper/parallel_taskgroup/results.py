"""RunResult, and the group's finished runs as results: followed as they finish, or a snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional, Union

import attrs
from parallel_taskgroup_api.models import (
    Error,
    ErrorEvent,
    TaskRun,
    TaskRunEvent,
    TaskRunInput,
    TaskRunJsonOutput,
    TaskRunStatus,
    TaskRunTextOutput,
)

from . import errors
from ._endpoints import (
    events_path,
    get_input,
    get_result,
    runs_stream_params,
    runs_stream_path,
)
from ._http import HttpCore
from .streaming.cursors import CursorStore
from .streaming.stream import EventStream
from .submission.keys import run_key

__all__ = ["Output", "RunResult", "follow_results", "snapshot_results"]

Output = Union[TaskRunJsonOutput, TaskRunTextOutput]

_TERMINAL = frozenset({TaskRunStatus.COMPLETED, TaskRunStatus.FAILED, TaskRunStatus.CANCELLED})
_REPR_CONTENT = 60


@attrs.frozen(repr=False)
class RunResult:
    """A run that is no longer active, with what the API knows about it.

    ``output`` is set for completed runs, ``error`` for failed ones (``None`` when the server gave
    no detail, e.g. for cancelled runs). ``input`` only when it came with the run (a snapshot
    asked for it).
    """

    run: TaskRun
    output: Optional[Output] = None
    error: Optional[Error] = None
    input: Optional[TaskRunInput] = None
    event_id: Optional[str] = None

    @property
    def key(self) -> Optional[str]:
        """The row key from the run's metadata (``None`` for runs added without one)."""
        return run_key(self.run)

    @property
    def content(self) -> Union[dict[str, Any], str, None]:
        """The output as plain data: a dict for JSON output, a str for text output."""
        output = self.output
        if output is None:
            return None
        if isinstance(output, TaskRunTextOutput):
            return output.content
        return output.content.to_dict()

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.run.run_id

    @property
    def status(self) -> TaskRunStatus:
        """The run's final status."""
        return self.run.status

    @property
    def ok(self) -> bool:
        """Whether the run completed."""
        return self.run.status == TaskRunStatus.COMPLETED

    def __repr__(self) -> str:
        parts = [f"key={self.key!r}", f"status={self.status.value!r}", f"run_id={self.run_id!r}"]
        content = self.content
        if content is not None:
            text = repr(content)
            if len(text) > _REPR_CONTENT:
                text = text[: _REPR_CONTENT - 3] + "..."
            parts.append(f"content={text}")
        if self.error is not None:
            parts.append(f"error={self.error.message!r}")
        return f"RunResult({', '.join(parts)})"


def result_of(core: HttpCore, event: TaskRunEvent, *, include_input: bool = False) -> RunResult:
    """The :class:`RunResult` of one finished run's event, fetching the output it lacks."""
    run = event.run
    output = (
        event.output if isinstance(event.output, (TaskRunJsonOutput, TaskRunTextOutput)) else None
    )
    if output is None and run.status == TaskRunStatus.COMPLETED:
        output = get_result(core, run.run_id).output
    run_input = event.input_ if isinstance(event.input_, TaskRunInput) else None
    if run_input is None and include_input:
        run_input = get_input(core, run.run_id)
    error = run.error if isinstance(run.error, Error) else None
    event_id = event.event_id if isinstance(event.event_id, str) else None
    return RunResult(run=run, output=output, error=error, input=run_input, event_id=event_id)


def follow_results(
    core: HttpCore,
    group_id: str,
    *,
    include_input: bool,
    last_event_id: Optional[str],
    cursor_store: Optional[CursorStore],
    timeout: Optional[float],
) -> Iterator[RunResult]:
    """A RunResult for each run of the group as it stops being active, from the group's first
    run (or from ``last_event_id`` / the stored cursor) until the group is inactive.

    An ``error`` event from the server raises StreamError with its ref_id and message.
    """
    params = {"include_output": "true"}
    if include_input:
        params["include_input"] = "true"
    stream = EventStream(
        core,
        group_id,
        events_path(group_id),
        stream_name="results",
        until="inactive",
        params=params,
        last_event_id=last_event_id,
        cursor_store=cursor_store,
        timeout=timeout,
    )
    with stream:
        for event in stream:
            if type(event) is TaskRunEvent:
                if not event.run.is_active:
                    yield result_of(core, event, include_input=include_input)
            elif type(event) is ErrorEvent:
                raise errors.StreamError(
                    f"the events stream of group {group_id} reported an error: "
                    f"{event.error.message}",
                    event_id=stream.cursor,
                    ref_id=event.error.ref_id if isinstance(event.error.ref_id, str) else None,
                )


def snapshot_results(core: HttpCore, group_id: str, *, include_input: bool) -> Iterator[RunResult]:
    """A RunResult for each run of the group that has finished by now, from one snapshot of its
    runs with their outputs (and inputs when asked): no request per run."""
    stream = EventStream(
        core,
        group_id,
        runs_stream_path(group_id),
        stream_name="results-snapshot",
        until="close",
        params=runs_stream_params(include_input=include_input, include_output=True, status=None),
    )
    with stream:
        for event in stream:
            if type(event) is TaskRunEvent and event.run.status in _TERMINAL:
                yield result_of(core, event, include_input=include_input)

"""RunResult and results(): each finished run with its input, output and error, as it finishes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Optional, Union

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

from .cursors import CursorStore
from .errors import StreamError
from .metadata import ROW_KEY_FIELD

if TYPE_CHECKING:
    from .group import TaskGroup

__all__ = ["RunResult", "iter_results", "result_from_event"]

Output = Union[TaskRunJsonOutput, TaskRunTextOutput]


@attrs.frozen
class RunResult:
    """A run that is no longer active, with what the API knows about it.

    ``output`` is set for completed runs, ``error`` for failed ones (``None`` when the server gave
    no detail, e.g. for cancelled runs). ``key`` is the row key from the run's metadata.
    """

    run: TaskRun
    input: Optional[TaskRunInput] = None
    output: Optional[Output] = None
    error: Optional[Error] = None
    key: Optional[str] = None
    event_id: Optional[str] = None

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


def _row_key(run: TaskRun) -> Optional[str]:
    metadata = run.metadata
    if metadata is None or not hasattr(metadata, "additional_properties"):
        return None
    value = metadata.additional_properties.get(ROW_KEY_FIELD)
    return None if value is None else str(value)


def result_from_event(group: TaskGroup, event: TaskRunEvent, *, include_input: bool) -> RunResult:
    """Complete one run event into a RunResult, fetching output/input the event lacks."""
    run = event.run
    client = group.client
    output = (
        event.output if isinstance(event.output, (TaskRunJsonOutput, TaskRunTextOutput)) else None
    )
    if output is None and run.status == TaskRunStatus.COMPLETED:
        output = client.get_result(run.run_id).output
    run_input = event.input_ if isinstance(event.input_, TaskRunInput) else None
    if run_input is None and include_input:
        run_input = client.get_input(run.run_id)
    error = run.error if isinstance(run.error, Error) else None
    return RunResult(
        run=run,
        input=run_input,
        output=output,
        error=error,
        key=_row_key(run),
        event_id=event.event_id,
    )


def iter_results(
    group: TaskGroup,
    *,
    include_input: bool = True,
    last_event_id: Optional[str] = None,
    cursor_store: Optional[CursorStore] = None,
    deadline: Optional[float] = None,
) -> Iterator[RunResult]:
    """Yield a RunResult for each run of ``group`` as it stops being active, from the group's
    first run (or from ``last_event_id`` / the stored cursor) until the group is inactive.

    An ``error`` event from the server raises StreamError with its ref_id and message.
    """
    stream = group.events(
        include_input=include_input,
        include_output=True,
        last_event_id=last_event_id,
        cursor_store=cursor_store,
        deadline=deadline,
        stream_name="results",
    )
    with stream:
        for event in stream:
            if type(event) is TaskRunEvent:
                if not event.run.is_active:
                    yield result_from_event(group, event, include_input=include_input)
            elif type(event) is ErrorEvent:
                raise StreamError(
                    f"the events stream of group {group.id} reported an error: "
                    f"{event.error.message}",
                    event_id=stream.cursor,
                    ref_id=event.error.ref_id,
                )

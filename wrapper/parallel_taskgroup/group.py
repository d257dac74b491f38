"""TaskGroup: a handle on one group, with the defaults applied to every add-runs call."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from parallel_taskgroup_api.api.task_groups import (
    get_task_group_run,
    stream_task_group_events,
    stream_task_group_runs,
)
from parallel_taskgroup_api.models import (
    StreamTaskGroupRunsStatusType0,
    TaskGroupResponse,
    TaskGroupStatus,
    TaskRun,
)
from parallel_taskgroup_api.types import UNSET

from .cursors import CursorStore
from .streams import EventStream

if TYPE_CHECKING:
    from .client import Client
    from .results import RunResult
    from .submission import SubmitReport
    from .wait import ProgressCallback

__all__ = ["TaskGroup"]


def _betas(betas: Union[str, Sequence[str], None]) -> tuple[str, ...]:
    if betas is None:
        return ()
    if isinstance(betas, str):
        return tuple(b.strip() for b in betas.split(",") if b.strip())
    return tuple(betas)


class TaskGroup:
    """A task group on the server. Create with ``Client.create_group`` or ``Client.group``.

    ``task_spec``, ``processor``, ``run_metadata`` and ``betas`` are client-side defaults that
    ``add_runs`` sends with every batch.
    """

    def __init__(
        self,
        client: Client,
        taskgroup_id: str,
        *,
        task_spec: Any = None,
        processor: Optional[str] = None,
        run_metadata: Optional[Mapping[str, Any]] = None,
        betas: Union[str, Sequence[str], None] = None,
        info: Optional[TaskGroupResponse] = None,
    ) -> None:
        if not isinstance(taskgroup_id, str) or not taskgroup_id.strip():
            raise ValueError(f"taskgroup_id must be a non-empty string, got {taskgroup_id!r}")
        self.client = client
        self.id = taskgroup_id.strip()
        self.task_spec = task_spec
        self.processor = processor
        self.run_metadata = dict(run_metadata) if run_metadata else None
        self.betas = _betas(betas)
        self.info = info

    def __repr__(self) -> str:
        return f"TaskGroup(id={self.id!r})"

    @property
    def beta_header(self) -> Optional[str]:
        """The ``parallel-beta`` header value for this group's requests, if any."""
        return ",".join(self.betas) if self.betas else None

    def status(self) -> TaskGroupResponse:
        """Fetch the group's summary; also kept as ``self.info``."""
        self.info = self.client.get_group(self.id)
        return self.info

    def get_run(self, run_id: str) -> TaskRun:
        """Fetch one run of this group."""
        return self.client.call(
            get_task_group_run._get_kwargs(self.id, run_id),
            get_task_group_run._parse_response,
            TaskRun,
        )

    # -- streams -----------------------------------------------------------------------------

    def events(
        self,
        *,
        last_event_id: Optional[str] = None,
        cursor_store: Optional[CursorStore] = None,
        include_input: bool = False,
        include_output: bool = False,
        deadline: Optional[float] = None,
        stream_name: str = "events",
    ) -> EventStream:
        """Iterate the group's events (status updates, runs finishing, errors) until the group is
        inactive, resuming automatically after drops. Starts at the group's first event unless
        ``last_event_id`` or a cursor stored in ``cursor_store`` says otherwise. ``deadline`` is
        in seconds and raises DeadlineExceeded when it passes."""
        kwargs = stream_task_group_events._get_kwargs(self.id)
        params = dict(kwargs.get("params") or {})
        if include_input:
            params["include_input"] = "true"
        if include_output:
            params["include_output"] = "true"
        return EventStream(
            self.client,
            self.id,
            kwargs["url"],
            stream_name=stream_name,
            until="inactive",
            params=params,
            last_event_id=last_event_id,
            cursor_store=cursor_store,
            deadline=deadline,
        )

    def runs(
        self,
        *,
        include_input: bool = False,
        include_output: bool = False,
        status: Union[str, StreamTaskGroupRunsStatusType0, None] = None,
        last_event_id: Optional[str] = None,
        cursor_store: Optional[CursorStore] = None,
        deadline: Optional[float] = None,
        stream_name: str = "runs",
    ) -> EventStream:
        """Iterate one ``task_run.state`` event per run currently in the group (a snapshot),
        optionally filtered by ``status``; resumes automatically if the connection drops."""
        status_arg: Union[StreamTaskGroupRunsStatusType0, Any] = UNSET
        if status is not None:
            try:
                status_arg = StreamTaskGroupRunsStatusType0(status)
            except ValueError:
                allowed = ", ".join(s.value for s in StreamTaskGroupRunsStatusType0)
                raise ValueError(f"status {status!r} is not one of: {allowed}") from None
        kwargs = stream_task_group_runs._get_kwargs(
            self.id,
            status=status_arg,
            include_input=include_input,
            include_output=include_output,
        )
        params = {
            k: (str(v).lower() if isinstance(v, bool) else v)
            for k, v in (kwargs.get("params") or {}).items()
        }
        return EventStream(
            self.client,
            self.id,
            kwargs["url"],
            stream_name=stream_name,
            until="close",
            params=params,
            last_event_id=last_event_id,
            cursor_store=cursor_store,
            deadline=deadline,
        )

    def wait(
        self,
        *,
        on_progress: Optional[ProgressCallback] = None,
        deadline: Optional[float] = None,
    ) -> TaskGroupStatus:
        """Block until no run of the group is active; see :func:`wait.wait_for_group`."""
        from .wait import wait_for_group

        return wait_for_group(self, on_progress=on_progress, deadline=deadline)

    def results(
        self,
        *,
        include_input: bool = True,
        last_event_id: Optional[str] = None,
        cursor_store: Optional[CursorStore] = None,
        deadline: Optional[float] = None,
    ) -> Iterator[RunResult]:
        """Yield each run as it finishes (completed with output, failed/cancelled with error);
        see :func:`results.iter_results`."""
        from .results import iter_results

        return iter_results(
            self,
            include_input=include_input,
            last_event_id=last_event_id,
            cursor_store=cursor_store,
            deadline=deadline,
        )

    def add_runs(self, rows: Iterable[Any], **options: Any) -> SubmitReport:
        """Submit rows as runs in paced, exactly-once batches, with this group's defaults;
        options (key, journal, max_batch_inputs, rate_per_minute, on_progress, ...) are those
        of :func:`parallel_taskgroup.submission.submit_rows`."""
        from .submission import submit_rows

        return submit_rows(self, rows, **options)

"""TaskGroup: a handle on one group, with the defaults applied to every add-runs call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from parallel_taskgroup_api.api.task_groups import get_task_group_run
from parallel_taskgroup_api.models import TaskGroupResponse, TaskRun

if TYPE_CHECKING:
    from .client import Client

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

"""One add-runs POST: ready bytes out, run ids and cursors back, never retried blindly."""

from __future__ import annotations

import json
from typing import Any, Optional

import attrs
import httpx

from .._endpoints import add_runs_path
from .._http import HttpCore
from ..errors import ResponseFormatError

__all__ = ["AddRunsAnswer", "post_batch"]


@attrs.frozen
class AddRunsAnswer:
    """Run ids (in input order) and the run/event cursors of an add-runs answer."""

    run_ids: list[str]
    run_cursor: Optional[str]
    event_cursor: Optional[str]


def post_batch(
    core: HttpCore, group_id: str, body: bytes, *, expected: int, beta_header: Optional[str]
) -> AddRunsAnswer:
    """POST ``body`` (an add-runs request holding ``expected`` inputs) once, within the
    client's ``submit_timeout`` (only a connection that could not be made is tried again).

    Raises the typed error of any failure: the caller decides whether the runs may exist.
    """
    response = core.request(
        "POST",
        add_runs_path(group_id),
        params={"refresh_status": "false"},
        content=body,
        headers={"parallel-beta": beta_header} if beta_header else None,
        idempotent=False,
        timeout=core.submit_timeouts(),
    )
    return parse_answer(response, expected)


def parse_answer(response: httpx.Response, expected: int) -> AddRunsAnswer:
    """The :class:`AddRunsAnswer` in ``response``; ResponseFormatError when it is not one."""
    try:
        data: Any = json.loads(response.content)
    except (ValueError, RecursionError):
        raise ResponseFormatError(
            "add-runs answered with a body that is not JSON", status_code=response.status_code
        ) from None
    ids = data.get("run_ids") if isinstance(data, dict) else None
    if (
        not isinstance(ids, list)
        or len(ids) != expected
        or not all(isinstance(i, str) for i in ids)
    ):
        raise ResponseFormatError(
            f"add-runs answered without {expected} run ids", status_code=response.status_code
        )
    run_cursor = data.get("run_cursor")
    event_cursor = data.get("event_cursor")
    return AddRunsAnswer(
        ids,
        run_cursor if isinstance(run_cursor, str) and run_cursor else None,
        event_cursor if isinstance(event_cursor, str) and event_cursor else None,
    )

"""Test support: SSE payload builders and a fake group server on httpx.MockTransport that
serves /events and /runs from a cursor and breaks connections where a test says."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any, Optional, Union

import httpx
from parallel_taskgroup import Clock

GROUP_ID = "tgrp_test"


def run_json(i: int, status: str = "completed", **extra: Any) -> dict[str, Any]:
    run: dict[str, Any] = {
        "run_id": f"trun_{i}",
        "interaction_id": f"trun_{i}",
        "status": status,
        "is_active": status in ("queued", "running", "cancelling"),
        "processor": "base",
        "created_at": "2025-01-01T00:00:00Z",
        "modified_at": "2025-01-01T00:00:01Z",
        "taskgroup_id": GROUP_ID,
        "metadata": {"row_key": f"row-{i}"},
    }
    if status == "failed":
        run["error"] = {"ref_id": f"ref-{i}", "message": "task failed"}
    run.update(extra)
    return run


def status_json(active: bool, done: int = 0, total: int = 0) -> dict[str, Any]:
    return {
        "num_task_runs": total,
        "task_run_status_counts": {"completed": done, "running": total - done},
        "is_active": active,
        "status_message": None,
        "modified_at": "2025-01-01T00:00:00Z",
    }


def group_summary(group_id: str, runs: int) -> httpx.Response:
    """The answer to GET /groups/{id} for a group holding ``runs`` runs."""
    return httpx.Response(
        200,
        json={
            "taskgroup_id": group_id,
            "status": status_json(runs > 0, 0, runs),
            "created_at": "2025-01-01T00:00:00Z",
        },
    )


def run_event(
    i: int,
    event_id: str,
    status: str = "completed",
    with_input: bool = False,
    with_output: bool = False,
) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "type": "task_run.state",
        "event_id": event_id,
        "run": run_json(i, status),
    }
    if with_input:
        ev["input"] = {"input": f"question {i}", "processor": "base"}
    if with_output and status == "completed":
        ev["output"] = {"type": "json", "content": {"answer": i}, "basis": []}
    return ev


def status_event(event_id: str, active: bool) -> dict[str, Any]:
    return {"type": "task_group_status", "event_id": event_id, "status": status_json(active)}


def frame(payload: dict[str, Any], *, sse_id: bool = True) -> bytes:
    head = f"event: {payload.get('type', 'message')}\n"
    if sse_id and payload.get("event_id"):
        head += f"id: {payload['event_id']}\n"
    return (head + "data: " + json.dumps(payload) + "\n\n").encode()


Cut = tuple[str, int]  # ("drop" | "close" | "quiet", byte offset into this connection's body)


class FakeGroupServer:
    """Serves one group's event list. Each connection takes the next entry of ``cuts``:
    ``("drop", n)`` sends n bytes then fails with a read error; ``("quiet", n)`` sends n bytes
    then times out; ``("close", n)`` sends n bytes then ends the response cleanly; no entry
    sends everything. The group counts as active until one connection has delivered it all."""

    def __init__(
        self,
        events: Sequence[dict[str, Any]],
        *,
        cuts: Sequence[Cut] = (),
        chunk: int = 97,
        runs: Optional[dict[str, dict[str, Any]]] = None,
        streams: bool = True,
        stay_active: bool = False,
        id_lines: bool = False,
        keepalives: Sequence[int] = (),
    ) -> None:
        # As on the documented wire: no `id:` lines unless asked, and an SSE comment
        # (`: keep-alive`) before each frame whose index is in `keepalives`.
        self.frames = [
            (b": keep-alive\n\n" if i in keepalives else b"") + frame(e, sse_id=id_lines)
            for i, e in enumerate(events)
        ]
        self.ids = [e.get("event_id") for e in events]
        self.cuts = list(cuts)
        self.chunk = chunk
        self.finished = False
        self.connections: list[httpx.Request] = []
        self.requests: list[httpx.Request] = []
        self.runs = runs or {}
        self.streams = streams
        self.status_polls = 0
        self.stay_active = stay_active

    def _start(self, cursor: Optional[str]) -> int:
        if cursor is None:
            return 0
        return self.ids.index(cursor) + 1

    def _body(self, data: bytes, cut: Optional[Cut]) -> Iterator[bytes]:
        limit = len(data) if cut is None else min(cut[1], len(data))
        for i in range(0, limit, self.chunk):
            yield data[i : min(i + self.chunk, limit)]
        if cut is not None and cut[0] == "drop":
            raise httpx.ReadError("connection reset by fake server")
        if cut is not None and cut[0] == "quiet":
            raise httpx.ReadTimeout("no bytes within the read timeout")
        if (cut is None or cut[1] >= len(data)) and not self.stay_active:
            self.finished = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if re.fullmatch(r"/v1(beta)?/tasks/groups/[^/]+", path):
            self.status_polls += 1
            return httpx.Response(
                200,
                json={
                    "taskgroup_id": GROUP_ID,
                    "status": status_json(not self.finished),
                    "created_at": None,
                },
            )
        m = re.fullmatch(r"/v1/tasks/runs/([^/]+)/(result|input)", path)
        if m:
            run_id, what = m.groups()
            i = int(run_id.split("_")[1])
            if what == "result":
                return httpx.Response(
                    200,
                    json={
                        "run": run_json(i),
                        "output": {"type": "text", "content": f"r{i}", "basis": []},
                    },
                )
            return httpx.Response(200, json={"input": f"fetched {i}", "processor": "base"})
        if path.endswith(("/events", "/runs")):
            if not self.streams:
                return httpx.Response(
                    404, json={"type": "error", "error": {"ref_id": "x", "message": "Not Found"}}
                )
            self.connections.append(request)
            start = self._start(request.url.params.get("last_event_id"))
            data = b"".join(self.frames[start:])
            cut = self.cuts.pop(0) if self.cuts else None
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=self._body(data, cut)
            )
        return httpx.Response(
            404, json={"type": "error", "error": {"ref_id": "x", "message": "no route"}}
        )


def fake_client(server: Union[FakeGroupServer, Any], **kwargs: Any) -> Any:
    from parallel_taskgroup import Client

    http = httpx.Client(transport=httpx.MockTransport(server))
    kwargs.setdefault("clock", RecordingClock())
    return Client(
        api_key="test-key", base_url="https://api.example.test", http_client=http, **kwargs
    )


class RecordingClock(Clock):
    """Real time, but sleeps return at once and are recorded (the client's one time seam)."""

    def __init__(self, sleeps: Optional[list[float]] = None) -> None:
        super().__init__()
        self.sleeps: list[float] = sleeps if sleeps is not None else []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class TickingClock(RecordingClock):
    """Each reading of the time is ``step`` seconds after the one before."""

    def __init__(self, step: float) -> None:
        super().__init__()
        self._step = step
        self._time = 0.0

    def now(self) -> float:
        self._time += self._step
        return self._time

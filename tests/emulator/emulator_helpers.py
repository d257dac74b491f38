"""Helpers shared by the emulator tests: clients, SSE parsing, group set-up."""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List

import httpx
from taskgroup_emulator.testing import EmulatorServer


def client_for(emu: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=emu.base_url, headers={"x-api-key": emu.api_key}, timeout=30.0)


def parse_sse(text: str) -> List[Dict[str, Any]]:
    """Frames of an SSE body as dicts {event, data (parsed JSON), id if sent}; comments skipped."""
    events = []
    for block in text.split("\n\n"):
        frame: Dict[str, Any] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            field, _, value = line.partition(": ")
            frame[field] = json.loads(value) if field == "data" else value
        if frame:
            events.append(frame)
    return events


def event_ids(events: List[Dict[str, Any]]) -> List[str]:
    """The JSON event_id of each frame (the documented cursor)."""
    return [e["data"]["event_id"] for e in events]


def new_group(client: httpx.Client, **metadata: Any) -> str:
    response = client.post("/v1/tasks/groups", json={"metadata": metadata or None})
    response.raise_for_status()
    group_id: str = response.json()["taskgroup_id"]
    return group_id


def add_runs(client: httpx.Client, group_id: str, inputs: List[Any], **body: Any) -> Dict[str, Any]:
    payload = {
        "inputs": [
            item
            if isinstance(item, dict) and "processor" in item
            else {"input": item, "processor": "lite"}
            for item in inputs
        ],
        **body,
    }
    response = client.post(f"/v1/tasks/groups/{group_id}/runs", json=payload)
    assert response.status_code == 200, response.text
    result: Dict[str, Any] = response.json()
    return result


def wait_done(client: httpx.Client, group_id: str, timeout: float = 30.0) -> Dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status: Dict[str, Any] = client.get(f"/v1/tasks/groups/{group_id}").json()["status"]
        if not status["is_active"]:
            return status
        assert time.monotonic() < deadline, f"group still active: {status}"
        time.sleep(0.05)

"""The SSE stream bodies: the `/runs` snapshot, the `/events` feed and one run's events.

Each body yields whole frames (never part of one, except the half frame of an injected
drop), so keep-alive comments and injected `error` events always fall between events.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from typing import AsyncIterator, List, Optional, Tuple

from .faults import FaultState
from .sse import Abort, Body, Chunk
from .store import Group, Store
from .wire import KEEPALIVE, Wire, error_frame

POLL_SECONDS = 0.05
RUNS_BATCH = 2000
EVENTS_BATCH = 1000
INJECTED_ERROR_MESSAGE = (
    "Transient error while streaming events; the stream goes on "
    "(injected by the emulator's error_event_rate)"
)


class Delivery:
    """One connection's delivery: drop faults cut it, injected error events are mixed in.

    Error events come from this connection's own dice, seeded from the fault seed and
    `seed_key` (stream kind and cursor): the same request draws the same errors, whatever
    else the server is doing.
    """

    def __init__(self, faults: FaultState, seed_key: str) -> None:
        self.faults = faults
        self.sent = 0
        seed = faults.faults.seed
        self.rng = random.Random(f"{seed}|{seed_key}") if seed is not None else random.Random()

    def pack(self, frames: List[str]) -> Tuple[str, Optional[Abort]]:
        """The text to send for `frames`, and an Abort when the connection must drop."""
        f = self.faults.faults
        rate = f.error_event_rate
        if f.stream_drop_after is None and f.stream_drop_probability <= 0 and rate <= 0:
            self.sent += len(frames)
            return "".join(frames), None
        out: List[str] = []
        for frame in frames:
            if self.faults.drop_now(self.sent):
                return "".join(out), Abort(frame[: len(frame) // 2])
            if rate > 0 and self.rng.random() < rate:
                ref_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
                out.append(error_frame(ref_id, INJECTED_ERROR_MESSAGE))
            out.append(frame)
            self.sent += 1
        return "".join(out), None


def runs_body(
    store: Store,
    wire: Wire,
    delivery: Delivery,
    group: Group,
    after: int,
    status: Optional[str],
    include_input: bool,
    include_output: bool,
) -> Body:
    """One `task_run.state` per run present when the request arrived, then the end."""
    upto = store.last_run_seq(group)

    async def body(stopped: asyncio.Event) -> AsyncIterator[Chunk]:
        done = after
        while done < upto and not stopped.is_set():
            runs, done = store.run_page(group, done, upto, status, RUNS_BATCH)
            text, abort = delivery.pack(wire.run_frames(runs, include_input, include_output))
            yield text
            if abort is not None:
                yield abort
                return
            await asyncio.sleep(0)

    return body


def events_body(
    store: Store,
    wire: Wire,
    delivery: Delivery,
    group_id: str,
    after: int,
    lifetime: float,
    keepalive: float,
    with_input: bool = False,
    with_output: bool = False,
) -> Body:
    """Events after `after`, then new ones as they come, while the group is active."""
    deadline = time.monotonic() + lifetime

    async def body(stopped: asyncio.Event) -> AsyncIterator[Chunk]:
        done = after
        quiet_since = time.monotonic()
        while not stopped.is_set():
            group = store.get_group(group_id)
            assert group is not None
            rows = store.event_page(group, done, EVENTS_BATCH, with_input, with_output)
            if rows:
                text, abort = delivery.pack(wire.event_frames(rows))
                yield text
                if abort is not None:
                    yield abort
                    return
                done = rows[-1][0]
                quiet_since = time.monotonic()
                continue
            now = time.monotonic()
            if not group.is_active or now >= deadline:
                return
            if now - quiet_since >= keepalive:
                yield KEEPALIVE
                quiet_since = now
            await asyncio.sleep(POLL_SECONDS)

    return body


def run_events_body(
    store: Store, wire: Wire, run_id: str, lifetime: float, keepalive: float
) -> Body:
    """One run's progress: a plan message while active, then its final state."""
    deadline = time.monotonic() + lifetime

    async def body(stopped: asyncio.Event) -> AsyncIterator[Chunk]:
        current = store.get_run(run_id)
        assert current is not None
        quiet_since = time.monotonic()
        if current.status in ("queued", "running"):
            stamp = json.dumps(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            yield (
                "event: task_run.progress_msg.plan\ndata: "
                '{"type":"task_run.progress_msg.plan","message":"Planning task...",'
                f'"timestamp":{stamp}}}\n\n'
            )
        while current.status in ("queued", "running"):
            now = time.monotonic()
            if stopped.is_set() or now >= deadline:
                return
            if now - quiet_since >= keepalive:
                yield KEEPALIVE
                quiet_since = now
            await asyncio.sleep(POLL_SECONDS)
            current = store.get_run(run_id)
            assert current is not None
        output = store.output_json(current)
        data = '{"type":"task_run.state","event_id":null,"run":' + wire.run(current)
        if output is not None:
            data += ',"output":' + output
        yield "event: task_run.state\ndata: " + data + "}\n\n"

    return body

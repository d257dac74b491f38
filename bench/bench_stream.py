"""Typed stream iteration on the realistic wire: our events/s against the parallel-web SDK's.

The bytes are the emulator's default (documented) wire, recorded by ``bench/record_streams.py``:
no ``id:`` lines, opaque hex ``event_id`` cursors, ``: keep-alive`` comments,
``task_group_status`` events, ``task_run.state`` events of queued, running, completed (with
output) and failed runs, a share of them in the older shape (explicit null
``warnings``/``error``). The recording is repeated (event and run ids varied per copy) up to the
stream size and served by ``httpx.MockTransport`` in 64 KiB chunks to both clients:

- events stream: ours ``client.group(id).events()``; the SDK
  ``client.task_group.events(id)`` (its documented call);
- runs snapshot: ours ``client.group(id).runs(include_output=True)``; the
  SDK ``client.task_group.get_runs(id, include_output=True)``.

Each measurement is a fresh process that reads the whole stream a few times (after a warm-up
read) and reports the median events/s by CPU time; ours and the SDK alternate. Goal (issue 15):
ours ≥ 2.0× the SDK's events/s on each stream.

Usage: python bench/bench_stream.py [--rounds 5] [--quick] [--json PATH] [--events N]
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _harness  # noqa: E402

DATA = HERE / "data"
FIXTURES = {"events": DATA / "events_stream.sse", "runs": DATA / "runs_stream.sse"}
GROUP_ID = "tgrp_bench"
BASE_URL = "https://api.example.test"
CHUNK = 65536
REPEATS = 3
TARGET = 2.0

_EVENT_ID = re.compile(rb'"event_id":"([0-9a-f]+)"')
_RUN_ID = re.compile(rb"trun_[0-9a-f]{4}")


def stream_bytes(kind: str, events: int) -> tuple[bytes, int]:
    """The recording of ``kind`` repeated to at least ``events`` events (ids varied per copy);
    returns the bytes and the number of events (``data:`` frames) in them."""
    recorded = FIXTURES[kind].read_bytes()
    per_copy = recorded.count(b"\ndata: ") + recorded.startswith(b"data: ")
    copies = max(1, -(-events // per_copy))
    parts = []
    for copy in range(copies):
        shift = copy << 44

        def new_id(m: re.Match[bytes], shift: int = shift) -> bytes:
            return b'"event_id":"%x"' % (int(m.group(1), 16) + shift)

        data = _EVENT_ID.sub(new_id, recorded)
        data = _RUN_ID.sub(b"trun_%04x" % (copy & 0xFFFF), data)
        parts.append(data)
    body = b"".join(parts)
    # The events stream ends on the final (inactive) group status of the last copy.
    return body, per_copy * copies


def final_status(body: bytes) -> bytes:
    """The group summary the mock answers: the last ``task_group_status`` in the stream."""
    at = body.rfind(b'{"type":"task_group_status"')
    if at < 0:
        status: dict[str, Any] = {
            "num_task_runs": 0,
            "task_run_status_counts": {},
            "is_active": False,
            "status_message": None,
            "modified_at": "2026-01-01T00:00:00Z",
        }
    else:
        status = json.loads(body[at : body.index(b"\n", at)])["status"]
    return json.dumps(
        {
            "taskgroup_id": GROUP_ID,
            "status": status,
            "created_at": "2026-01-01T00:00:00Z",
            "metadata": None,
        }
    ).encode()


def transport(body: bytes) -> Any:
    import httpx

    group = final_status(body)

    def chunks() -> Iterator[bytes]:
        view = memoryview(body)
        for i in range(0, len(body), CHUNK):
            yield bytes(view[i : i + CHUNK])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(("/events", "/runs")):
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=chunks()
            )
        return httpx.Response(200, headers={"content-type": "application/json"}, content=group)

    return httpx.MockTransport(handler)


def reader(side: str, kind: str, body: bytes) -> Callable[[], int]:
    """A function that reads the whole stream once with ``side``'s client; returns the count."""
    import httpx

    http = httpx.Client(transport=transport(body))
    if side == "ours":
        from parallel_taskgroup import Client

        group = Client(api_key="bench", base_url=BASE_URL, http_client=http).group(GROUP_ID)
        if kind == "events":
            return lambda: sum(1 for _ in group.events())
        return lambda: sum(1 for _ in group.runs(include_output=True))

    from parallel import Parallel

    task_group = Parallel(api_key="bench", base_url=BASE_URL, http_client=http).task_group
    if kind == "events":
        return lambda: sum(1 for _ in task_group.events(GROUP_ID))
    return lambda: sum(1 for _ in task_group.get_runs(GROUP_ID, include_output=True))


def child(side: str, kind: str, events: int) -> None:
    body, n = stream_bytes(kind, events)
    small, _ = stream_bytes(kind, 1)
    reader(side, kind, small)()  # warm-up: imports, caches
    read = reader(side, kind, body)
    rates = []
    for _ in range(REPEATS):
        start = time.process_time()
        got = read()
        spent = time.process_time() - start
        if got != n:
            raise SystemExit(f"{side} read {got} events of {kind}, expected {n}")
        rates.append(n / spent)
    print(json.dumps({"eps": statistics.median(rates), "events": n, "bytes": len(body)}))


def main() -> None:
    p = _harness.parser((__doc__ or "").splitlines()[0])
    p.add_argument("--events", type=int, default=None, help="events per stream")
    p.add_argument("--child", nargs=2, metavar=("SIDE", "KIND"), help=_harness.argparse.SUPPRESS)
    args = p.parse_args()
    events = args.events or (3000 if args.quick else 20000)
    if args.child:
        child(args.child[0], args.child[1], events)
        return

    goals = []
    series: dict[str, Any] = {}
    for kind, call in (
        ("events", "events()"),
        ("runs", "runs(include_output=True)"),
    ):

        def side(name: str, kind: str = kind) -> Callable[[], Any]:
            argv = [_harness.PYTHON, __file__, "--child", name, kind, "--events", str(events)]
            return lambda: _harness.child(argv)

        taken = _harness.alternate(side("ours"), side("sdk"), rounds=args.rounds, label=kind)
        ours, sdk = taken.values("ours", "eps"), taken.values("sdk", "eps")
        r = _harness.ratio(ours, sdk)
        n, size = taken.ours[0]["events"], taken.ours[0]["bytes"]
        series[kind] = {"ours_eps": ours, "sdk_eps": sdk}
        goals.append(
            _harness.Goal(
                name=f"typed {kind} stream, events/s vs SDK",
                figure=str(r),
                target=f"≥ {TARGET:.1f}×",
                holds=r.median >= TARGET,
                ours=f"{_harness.median(ours):,.0f} events/s",
                sdk=f"{_harness.median(sdk):,.0f} events/s",
                command=f"python bench/bench_stream.py --rounds {args.rounds}"
                + (" --quick" if args.quick else ""),
                notes=f"{n:,} events ({size / 1e6:.1f} MB) of the recorded emulator wire, "
                f"ours group.{call} vs the SDK's task_group."
                + ("events(id)" if kind == "events" else "get_runs(id, ...)")
                + "; CPU time, median of 3 reads per process",
                value=r.median,
                low=r.low,
                high=r.high,
                limit=TARGET,
                better="higher",
            )
        )
    _harness.report("bench_stream.py", goals, json_path=args.json, series=series)


if __name__ == "__main__":
    main()

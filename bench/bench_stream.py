"""Typed stream iteration on the realistic wire: our events/s against the parallel-web SDK's,
and against a parser with no models at all.

The bytes are the emulator's default (documented) wire, recorded by ``bench/record_streams.py``
(no ``id:`` lines, opaque hex ``event_id`` cursors), repeated with event and run ids varied per
copy up to the stream size, and served by ``httpx.MockTransport`` in 64 KiB chunks:

- finished: the ``/runs`` snapshot of a finished group with inputs and outputs, every run
  completed with its input, JSON output and basis (what a user reads to collect results); ours
  ``client.group(id).runs(include_input=True, include_output=True)``, the SDK
  ``client.task_group.get_runs(id, include_input=True, include_output=True)``;
- finished-light: the same snapshot of a group whose task asks for one field (one basis entry
  per output, events of about 1.1 KiB): the JSON decoding that every reader pays is a larger
  share of each event, so the SDK's extra cost is a smaller one;
- events: the ``/events`` stream of an active group (``task_group_status`` events, a
  ``task_run.state`` per finished run, completed and failed, keep-alive comments, a share in
  the older shape); ours ``client.group(id).events()``, the SDK ``client.task_group.events(id)``;
- mixed: a ``/runs?include_output=true`` snapshot of a group mid-flight (queued, running,
  completed with output, failed); ours ``runs(include_output=True)``, the SDK
  ``get_runs(id, include_output=True)``.

The finished group is read once more over real HTTP: the same bytes served on loopback by a
server in the bench's own process, read through httpx's sockets by both clients.

Each measurement is a fresh process that reads the whole stream a few times (after a warm-up
read) and reports the median events/s by CPU time; ours and the SDK alternate. Our process also
reads the same bytes with the plain parser (frames split on blank lines, ``json.loads`` per
event, the same fields read: the run's id and status), alternating read by read, for the ratio
to what the standard library alone does. Goals (issue 22) on the finished group: ours ≥ 2.5×
the SDK's events/s (on the mock and on loopback) and ≥ 0.8× the plain parser's, on both
finished groups; on the other streams ours ≥ 2.0× the SDK's. Beside each ratio to the SDK, the
plain parser's own ratio to it: what a reader that decodes each event with the standard library
and builds no models would reach.

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
FIXTURES = {
    "finished": DATA / "finished_stream.sse",
    "finished-light": DATA / "finished_light_stream.sse",
    "events": DATA / "events_stream.sse",
    "mixed": DATA / "runs_stream.sse",
}
FINISHED = ("finished", "finished-light")
_FINISHED_CALLS = (
    "runs(include_input=True, include_output=True)",
    "get_runs(id, include_input=True, include_output=True)",
)
CALLS = {
    "finished": _FINISHED_CALLS,
    "finished-light": _FINISHED_CALLS,
    "events": ("events()", "events(id)"),
    "mixed": ("runs(include_output=True)", "get_runs(id, include_output=True)"),
}
TARGETS = {"finished": 2.5, "finished-light": 2.5, "events": 2.0, "mixed": 2.0}
PLAIN_TARGET = 0.8
GROUP_ID = "tgrp_bench"
BASE_URL = "https://api.example.test"
CHUNK = 65536
REPEATS = 3

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


def serve_loopback(body: bytes) -> str:
    """Serve ``body`` as the group's runs stream (and its summary) over HTTP on loopback, from
    a thread of this process; returns the base URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    group = final_status(body)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            stream = self.path.split("?")[0].endswith("/runs")
            data = body if stream else group
            self.send_response(200)
            self.send_header("content-type", "text/event-stream" if stream else "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            for i in range(0, len(data), CHUNK):
                self.wfile.write(data[i : i + CHUNK])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def composition(kind: str) -> str:
    """What the recording of ``kind`` holds, for the report."""
    runs: dict[str, int] = {}
    other = with_input = with_output = basis = 0
    for line in FIXTURES[kind].read_bytes().splitlines():
        if not line.startswith(b"data: "):
            continue
        event = json.loads(line[6:])
        if event.get("type") != "task_run.state":
            other += 1
            continue
        status = event["run"]["status"]
        runs[status] = runs.get(status, 0) + 1
        with_input += isinstance(event.get("input"), dict)
        output = event.get("output")
        with_output += isinstance(output, dict)
        basis += len(output.get("basis") or []) if isinstance(output, dict) else 0
    parts = [f"{n} {status}" for status, n in sorted(runs.items())]
    size = FIXTURES[kind].stat().st_size
    total = sum(runs.values()) + other
    return (
        f"{total} events per copy, {size / total / 1024:.2f} KiB each: runs "
        + ", ".join(parts)
        + f"; {with_input} with input, {with_output} with output ({basis} basis entries)"
        + (f"; {other} group status events" if other else "")
    )


def plain_reader(body: bytes) -> Callable[[], int]:
    """The floor: frames split on blank lines, ``json.loads`` per event, id and status read."""
    import httpx

    http = httpx.Client(transport=transport(body))
    url = f"{BASE_URL}/v1/tasks/groups/{GROUP_ID}/runs"

    def read() -> int:
        count = 0
        with http.stream("GET", url) as response:
            rest = b""
            for chunk in response.iter_raw():
                *frames, rest = (rest + chunk).split(b"\n\n")
                for frame in frames:
                    for line in frame.split(b"\n"):
                        if line.startswith(b"data:"):
                            event = json.loads(line[5:])
                            run = event.get("run")
                            if run is not None:
                                run["run_id"], run["status"]
                            count += 1
        return count

    return read


def reader(side: str, kind: str, body: bytes, url: str = "") -> Callable[[], int]:
    """A function that reads the whole stream once with ``side``'s client; returns the count.
    The stream is ``body`` on a mock, or with ``url`` whatever the server there sends."""
    import httpx

    http = httpx.Client(timeout=60) if url else httpx.Client(transport=transport(body))
    base_url = url or BASE_URL
    if side in ("ours", "fast"):
        from parallel_taskgroup import Client

        group = Client(api_key="bench", base_url=base_url, http_client=http).group(GROUP_ID)
        if kind == "events":
            return lambda: sum(1 for _ in group.events())
        inputs = kind in FINISHED
        return lambda: sum(1 for _ in group.runs(include_input=inputs, include_output=True))

    from parallel import Parallel

    task_group = Parallel(api_key="bench", base_url=base_url, http_client=http).task_group
    if kind == "events":
        return lambda: sum(1 for _ in task_group.events(GROUP_ID))
    inputs = kind in FINISHED
    return lambda: sum(
        1 for _ in task_group.get_runs(GROUP_ID, include_input=inputs, include_output=True)
    )


def rate(read: Callable[[], int], n: int, what: str) -> float:
    start = time.process_time()
    got = read()
    spent = time.process_time() - start
    if got != n:
        raise SystemExit(f"{what} read {got} events, expected {n}")
    return n / spent


def child(side: str, kind: str, events: int, url: str) -> None:
    if side == "ours":
        _harness.block_fast_extra()  # "fast": ours with the fast extra
    body, n = stream_bytes(kind, events)
    small, _ = stream_bytes(kind, 1)
    reader(side, kind, small)()  # warm-up: imports, caches
    read = reader(side, kind, body, url)
    plain = plain_reader(body) if side == "ours" and not url else None
    rates, plain_rates = [], []
    for _ in range(REPEATS):
        rates.append(rate(read, n, f"{side} on {kind}"))
        if plain is not None:
            plain_rates.append(rate(plain, n, f"the plain parser on {kind}"))
    found: dict[str, Any] = {"eps": statistics.median(rates), "events": n, "bytes": len(body)}
    if plain_rates:
        found["plain_eps"] = statistics.median(plain_rates)
    print(json.dumps(found))


def main() -> None:
    p = _harness.parser((__doc__ or "").splitlines()[0])
    p.add_argument("--events", type=int, default=None, help="events per stream")
    p.add_argument("--child", nargs=2, metavar=("SIDE", "KIND"), help=_harness.argparse.SUPPRESS)
    p.add_argument("--url", default="", help=_harness.argparse.SUPPRESS)
    args = p.parse_args()
    events = args.events or (3000 if args.quick else 20000)
    if args.child:
        child(args.child[0], args.child[1], events, args.url)
        return

    goals = []
    series: dict[str, Any] = {}
    command = f"python bench/bench_stream.py --rounds {args.rounds}" + (
        " --quick" if args.quick else ""
    )
    for kind in FIXTURES:
        print(f"{kind}: {composition(kind)}")

        def side(name: str, kind: str = kind) -> Callable[[], Any]:
            argv = [_harness.PYTHON, __file__, "--child", name, kind, "--events", str(events)]
            return lambda: _harness.child(argv)

        def ours_side(kind: str = kind) -> Any:
            found = side("ours", kind)()
            if kind in FINISHED and _harness.FAST_EXTRA:
                found["fast_eps"] = side("fast", kind)()["eps"]
            return found

        taken = _harness.alternate(ours_side, side("sdk"), rounds=args.rounds, label=kind)
        ours, sdk = taken.values("ours", "eps"), taken.values("sdk", "eps")
        plain = taken.values("ours", "plain_eps")
        n, size = taken.ours[0]["events"], taken.ours[0]["bytes"]
        series[kind] = {"ours_eps": ours, "sdk_eps": sdk, "plain_eps": plain}
        ours_call, sdk_call = CALLS[kind]
        workload = (
            f"{kind}: {n:,} events ({size / 1e6:.1f} MB), {composition(kind)}; CPU time, "
            "median of 3 reads per process"
        )
        r = _harness.ratio(ours, sdk)
        goals.append(
            _harness.ratio_goal(
                f"typed stream, {kind}: events/s vs SDK",
                r,
                limit=TARGETS[kind],
                better="higher",
                ours=f"{_harness.median(ours):,.0f} events/s",
                sdk=f"{_harness.median(sdk):,.0f} events/s",
                command=command,
                notes=f"{workload}; ours group.{ours_call}, the SDK's task_group.{sdk_call}; "
                f"the plain parser reads at {_harness.ratio(plain, sdk)} the SDK's events/s",
            )
        )
        r = _harness.ratio(ours, plain)
        goals.append(
            _harness.ratio_goal(
                f"typed stream, {kind}: events/s vs json.loads per event",
                r,
                limit=PLAIN_TARGET if kind in FINISHED else None,
                better="higher",
                ours=f"{_harness.median(ours):,.0f} events/s",
                sdk=f"plain parser {_harness.median(plain):,.0f} events/s",
                command=command,
                notes=f"{workload}; the plain parser reads the same bytes in our process, "
                "alternating read by read",
            )
        )
        if kind in FINISHED and _harness.FAST_EXTRA:
            fast = taken.values("ours", "fast_eps")
            series[kind]["fast_eps"] = fast
            for against, what in ((sdk, "SDK"), (plain, "json.loads per event")):
                r = _harness.ratio(fast, against)
                goals.append(
                    _harness.ratio_goal(
                        f"typed stream, {kind}, fast extra (msgspec): events/s vs {what}",
                        r,
                        limit=None,
                        better="higher",
                        ours=f"{_harness.median(fast):,.0f} events/s",
                        sdk=f"{_harness.median(against):,.0f} events/s",
                        command=command,
                        notes=f"{workload}; ours with `pip install parallel-taskgroup[fast]`, "
                        "measured in its own process right after the default one each round",
                    )
                )
    goals.append(loopback_goal(events, rounds=args.rounds, command=command))
    _harness.report("bench_stream.py", goals, json_path=args.json, series=series)


def loopback_goal(events: int, *, rounds: int, command: str) -> _harness.Goal:
    """The finished group read over HTTP on loopback, ours against the SDK."""
    body, n = stream_bytes("finished", events)
    url = serve_loopback(body)

    def side(name: str) -> Callable[[], Any]:
        argv = [_harness.PYTHON, __file__, "--child", name, "finished"]
        return lambda: _harness.child([*argv, "--events", str(events), "--url", url])

    taken = _harness.alternate(side("ours"), side("sdk"), rounds=rounds, label="loopback")
    ours, sdk = taken.values("ours", "eps"), taken.values("sdk", "eps")
    ours_call, sdk_call = CALLS["finished"]
    return _harness.ratio_goal(
        "typed stream, finished, over HTTP on loopback: events/s vs SDK",
        _harness.ratio(ours, sdk),
        limit=TARGETS["finished"],
        better="higher",
        ours=f"{_harness.median(ours):,.0f} events/s",
        sdk=f"{_harness.median(sdk):,.0f} events/s",
        command=command,
        notes=f"finished: {n:,} events ({len(body) / 1e6:.1f} MB) served over HTTP/1.1 on "
        "127.0.0.1 (content-length, 64 KiB writes) by a server thread of the bench's process; "
        f"CPU time of the reading process, median of 3 reads; ours group.{ours_call}, the SDK's "
        f"task_group.{sdk_call}",
    )


if __name__ == "__main__":
    main()

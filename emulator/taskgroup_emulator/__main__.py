"""Command line: `taskgroup-emulator --host 127.0.0.1 --port 8787 [--db PATH] ...`."""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import sys
import tempfile
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from .config import (
    DEFAULT_KEEPALIVE_SECONDS,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    DEFAULT_STREAM_LIFETIME_SECONDS,
    DEFAULT_TIME_SCALE,
    EmulatorConfig,
)
from .faults import WIRE_FAULT_KINDS, FaultError, Faults, FaultState
from .ratelimit import UNITS

if TYPE_CHECKING:
    from .proxy import WireProxy

API_KEYS_ENV = "TASKGROUP_EMULATOR_API_KEYS"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="taskgroup-emulator",
        description="A local server that behaves like Parallel's Task Group API.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8787, help="port to bind; 0 picks a free one")
    p.add_argument(
        "--db",
        default=os.path.join(tempfile.gettempdir(), "taskgroup-emulator.db"),
        help="SQLite state file (default: taskgroup-emulator.db in the temp folder)",
    )
    p.add_argument(
        "--time-scale",
        type=float,
        default=DEFAULT_TIME_SCALE,
        help=f"multiplier on simulated run latencies (default {DEFAULT_TIME_SCALE}: "
        "a core run takes 0.6-3 s)",
    )
    p.add_argument(
        "--api-key",
        action="append",
        default=[],
        help=f"accept only this key (repeatable; also ${API_KEYS_ENV}, comma-separated), in "
        "the header of the contract's API-key scheme (x-api-key). Without any, every "
        "non-empty key passes.",
    )
    p.add_argument(
        "--rate-limit",
        type=int,
        default=DEFAULT_RATE_LIMIT_PER_MINUTE,
        help="run-creating POSTs (or runs, see --rate-limit-unit) per rolling minute per API "
        "key before 429 (default 2000)",
    )
    p.add_argument(
        "--rate-limit-unit",
        choices=UNITS,
        default="request",
        help="what --rate-limit counts: each run-creating POST as 1 (request, the documented "
        "unit; the default) or each run it creates (run)",
    )
    p.add_argument(
        "--credit",
        type=int,
        default=None,
        help="runs the account can pay for in all (spent runs are kept in --db; a POST "
        "needing more gets 402); default unlimited",
    )
    p.add_argument(
        "--stream-lifetime",
        type=float,
        default=DEFAULT_STREAM_LIFETIME_SECONDS,
        help="seconds an events stream stays open while runs are active (default 3600)",
    )
    p.add_argument(
        "--failure-rate",
        type=float,
        default=0.0,
        help="fraction of runs that fail, drawn from (seed, input) (default 0)",
    )
    p.add_argument("--failure-seed", type=int, default=0, help="seed of --failure-rate")
    c = p.add_argument_group("contract (see emulator/README.md)")
    c.add_argument(
        "--contract",
        metavar="PATH",
        default=None,
        help="the OpenAPI document to serve (default: the copy packaged with the emulator)",
    )
    c.add_argument(
        "--check-responses",
        action="store_true",
        help="check every answer (and every SSE event) against the contract's response "
        "schemas; a mismatch is logged and answered as a 500 (tests)",
    )
    w = p.add_argument_group("wire (see emulator/README.md)")
    w.add_argument(
        "--keepalive-seconds",
        type=float,
        default=DEFAULT_KEEPALIVE_SECONDS,
        help="an idle stream sends a ': keep-alive' comment this often (default 10)",
    )
    w.add_argument(
        "--old-shape-rate",
        type=float,
        default=0.0,
        help="share of runs rendered in the older documented shape: no interaction_id, "
        "explicit null warnings/error (default 0)",
    )
    w.add_argument(
        "--legacy-wire",
        action="store_true",
        help="the emulator's earlier wire: id: lines, 16-digit decimal cursors, a creation "
        "event, input/output on /events, never-empty add-runs cursors",
    )
    f = p.add_argument_group("fault injection (off by default; see emulator/README.md)")
    f.add_argument(
        "--drop-after", type=int, default=None, help="cut every stream after this many events"
    )
    f.add_argument(
        "--drop-probability",
        type=float,
        default=0.0,
        help="probability of cutting a stream before each event",
    )
    f.add_argument(
        "--post-error-rate",
        type=float,
        default=0.0,
        help="fraction of POSTs answered with an injected 500/503",
    )
    f.add_argument("--post-error-status", type=int, default=503, choices=(500, 503))
    f.add_argument(
        "--post-error-phase",
        default="before",
        choices=("before", "after", "random"),
        help="fail before the runs are committed, after (they exist), or either",
    )
    f.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every API call")
    f.add_argument(
        "--burst-429", type=int, default=0, help="answer the next N run-creating POSTs with 429"
    )
    f.add_argument(
        "--error-event-rate",
        type=float,
        default=0.0,
        help="share of delivered stream events preceded by an injected error event",
    )
    f.add_argument("--fault-seed", type=int, default=None, help="seed of the fault dice")
    g = p.add_argument_group("wire faults (off by default; see emulator/README.md)")
    g.add_argument(
        "--wire-faults",
        action="store_true",
        help="serve through a proxy that can inject faults on the wire (resets, cut bodies, "
        "odd statuses, late or held POSTs); needed by every --wire-* setting",
    )
    g.add_argument(
        "--wire-fault-rate",
        metavar="R",
        type=float,
        default=0.0,
        help="share of API requests that get a wire fault (default 0)",
    )
    g.add_argument(
        "--wire-fault-kinds",
        metavar="KINDS",
        default=None,
        help=f"comma-separated kinds to draw from (default all: {','.join(WIRE_FAULT_KINDS)})",
    )
    g.add_argument(
        "--wire-late-seconds",
        metavar="S",
        type=float,
        default=3.0,
        help="late_post: seconds after the client's reset that the POST reaches the app",
    )
    g.add_argument(
        "--wire-hold-seconds",
        metavar="S",
        type=float,
        default=3.0,
        help="hold_post: seconds a POST is held before it is forwarded",
    )
    g.add_argument(
        "--wire-late-next-posts",
        metavar="N",
        type=int,
        default=0,
        help="the next N run-creating POSTs get late_post",
    )
    g.add_argument(
        "--wire-hold-next-posts",
        metavar="N",
        type=int,
        default=0,
        help="the next N run-creating POSTs get hold_post",
    )
    return p


def _faults(args: argparse.Namespace) -> Faults:
    state = FaultState(wire=args.wire_faults)
    wire: Dict[str, Any] = {
        "wire_fault_rate": args.wire_fault_rate,
        "wire_late_seconds": args.wire_late_seconds,
        "wire_hold_seconds": args.wire_hold_seconds,
        "wire_late_next_posts": args.wire_late_next_posts,
        "wire_hold_next_posts": args.wire_hold_next_posts,
    }
    if args.wire_fault_kinds is not None:
        wire["wire_fault_kinds"] = [
            k.strip() for k in args.wire_fault_kinds.split(",") if k.strip()
        ]
    state.update(
        {
            **wire,
            "stream_drop_after": args.drop_after,
            "stream_drop_probability": args.drop_probability,
            "post_error_rate": args.post_error_rate,
            "post_error_status": args.post_error_status,
            "post_error_phase": args.post_error_phase,
            "latency_ms": args.latency_ms,
            "burst_429": args.burst_429,
            "error_event_rate": args.error_event_rate,
            "seed": args.fault_seed,
        }
    )
    return state.faults


def main(argv: Optional[List[str]] = None) -> int:
    """Start the server; prints `listening on http://HOST:PORT` once it accepts connections."""
    args = _parser().parse_args(argv)
    try:
        import uvicorn

        from .app import build_app
        from .contract import ContractError
    except ImportError as exc:
        print(
            f"taskgroup-emulator needs the 'emulator' extra ({exc}): pip install "
            "'parallel-taskgroup[emulator]'",
            file=sys.stderr,
        )
        return 2

    keys = [k for k in args.api_key if k]
    keys += [k.strip() for k in os.environ.get(API_KEYS_ENV, "").split(",") if k.strip()]
    problems = []
    if not 0 <= args.port <= 65535:
        problems.append("--port must be between 0 and 65535 (0 picks a free one)")
    if args.time_scale <= 0:
        problems.append("--time-scale must be > 0")
    if args.rate_limit < 1:
        problems.append("--rate-limit must be >= 1")
    if args.credit is not None and args.credit < 0:
        problems.append("--credit must be >= 0")
    if args.stream_lifetime <= 0:
        problems.append("--stream-lifetime must be > 0")
    if not 0 <= args.failure_rate <= 1:
        problems.append("--failure-rate must be between 0 and 1")
    if not 0 <= args.old_shape_rate <= 1:
        problems.append("--old-shape-rate must be between 0 and 1")
    if not args.keepalive_seconds > 0:
        problems.append("--keepalive-seconds must be > 0")
    try:
        faults = _faults(args)
    except FaultError as exc:
        problems.append(str(exc))
    if problems:
        for problem in problems:
            print(f"taskgroup-emulator: {problem}", file=sys.stderr)
        return 2
    config = EmulatorConfig(
        db_path=args.db,
        time_scale=args.time_scale,
        api_keys=tuple(keys),
        rate_limit_per_minute=args.rate_limit,
        rate_limit_unit=args.rate_limit_unit,
        credit=args.credit,
        stream_lifetime_seconds=args.stream_lifetime,
        failure_rate=args.failure_rate,
        failure_seed=args.failure_seed,
        keepalive_seconds=args.keepalive_seconds,
        old_shape_rate=args.old_shape_rate,
        legacy_wire=args.legacy_wire,
        wire_faults=args.wire_faults,
        contract_path=args.contract,
        check_responses=args.check_responses,
    )
    try:
        sock = _bound(args.host, args.port)
        # With --wire-faults the proxy owns the public port and the app sits behind it.
        app_sock = _bound("127.0.0.1", 0) if args.wire_faults else sock
    except OSError as exc:
        print(f"taskgroup-emulator: cannot bind {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"taskgroup-emulator: database {args.db}", file=sys.stderr, flush=True)
    try:
        app = build_app(config, faults)
    except sqlite3.Error as exc:
        print(
            f"taskgroup-emulator: --db {args.db}: cannot use it as the emulator's database "
            f"({exc}); give a new file's path or one an emulator wrote",
            file=sys.stderr,
        )
        return 2
    except (OSError, ContractError) as exc:
        print(f"taskgroup-emulator: cannot serve the contract: {exc}", file=sys.stderr)
        return 2
    emu = app.state.emulator
    print(
        f"taskgroup-emulator: contract {emu.contract.source}: {len(emu.contract.operations)} "
        f"operations, {emu.compiled_validators} validators compiled in {emu.startup_ms:.0f} ms"
        + (", responses checked" if config.check_responses else ""),
        file=sys.stderr,
        flush=True,
    )
    proxy: Optional[WireProxy] = None
    if args.wire_faults:
        from .proxy import WireProxy  # h11 and the proxy only when asked for

        proxy = WireProxy(app.state.emulator.faults, app_sock.getsockname()[:2])
        print(
            "taskgroup-emulator: wire faults on: the proxy on the public port relays to the "
            f"app on 127.0.0.1:{app_sock.getsockname()[1]}",
            file=sys.stderr,
            flush=True,
        )

    class Server(uvicorn.Server):
        async def startup(self, sockets: Optional[List[socket.socket]] = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                if proxy is not None:
                    await proxy.start(sock)
                print(f"listening on http://{shown}:{port}", flush=True)

        async def shutdown(self, sockets: Optional[List[socket.socket]] = None) -> None:
            emu.closing = True  # open streams end now, not at the graceful timeout's cancel
            if proxy is not None:
                await proxy.stop()
            await super().shutdown(sockets=sockets)

    server = Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            lifespan="on",
        )
    )
    server.run(sockets=[app_sock])
    return 0


def _bound(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port), not listening yet."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this; without it small responses wait ~40 ms for
    # delayed ACKs (asyncio only sets it on sockets it creates itself).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


if __name__ == "__main__":
    sys.exit(main())

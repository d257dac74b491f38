"""The ASGI application: Task Group and Task Run routes, plus test-only control routes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
import traceback
from typing import Any, AsyncIterator, Dict, List, Optional, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .config import EmulatorConfig
from .control import Control
from .errors import APIError
from .faults import Faults, FaultState
from .limits import check_input, check_inputs
from .ratelimit import RateLimiter
from .responses import error_response, json_response, validation_response
from .schedule import PROCESSOR_SECONDS, known_processor
from .sse import Handler, Reply, SSEResponse
from .store import Group, Run, Store, group_response, group_status
from .streams import Delivery, events_body, run_events_body, runs_body
from .validation import (
    ErrorItem,
    Loc,
    RequestInvalid,
    parse_json_body,
    query_bool,
    query_cursor,
    query_number,
    query_status,
    validate_add_runs,
    validate_create_group,
    validate_single_run,
)
from .wire import Wire

log = logging.getLogger("taskgroup_emulator")

# The documented error messages (Parallel's API reference, e.g. create-task-run).
RATE_LIMITED = "Too many requests: quota temporarily exceeded"
PAYMENT_REQUIRED = "Payment required: insufficient credit in account"

CLOCK_TICK_SECONDS = 0.02
CLOCK_BATCH = 500
CHECKPOINT_SECONDS = 1.0
RESULT_POLL_SECONDS = 0.02


def _processors_hint() -> str:
    tiers = ", ".join(PROCESSOR_SECONDS)
    return f"use one of {tiers} (each also with a -fast suffix, e.g. core-fast)"


class Emulator:
    """The state shared by every request of one server process."""

    def __init__(self, config: EmulatorConfig, faults: Optional[Faults] = None) -> None:
        self.config = config
        self.store = Store(config)
        self.wire = Wire(config.legacy_wire, config.old_shape_rate)
        self.faults = FaultState(faults, wire=config.wire_faults)
        self.limiter = RateLimiter(config.rate_limit_per_minute, config.rate_limit_unit)
        self.credit = config.credit  # runs the account can pay for in all; None: unlimited
        self.requests: Dict[str, int] = {}  # API requests answered, by operation (control: none)
        self._clock: Optional[asyncio.Task[None]] = None

    # -- lifecycle ----------------------------------------------------------------------

    async def _run_clock(self) -> None:
        last_checkpoint = time.monotonic()
        while True:
            try:
                moved = self.store.advance(time.time(), CLOCK_BATCH)
                if time.monotonic() - last_checkpoint > CHECKPOINT_SECONDS:
                    self.store.checkpoint()
                    last_checkpoint = time.monotonic()
            except Exception:  # keep the clock alive; the error is logged, not swallowed
                log.exception("schedule step failed")
                moved = 0
            await asyncio.sleep(0 if moved >= CLOCK_BATCH else CLOCK_TICK_SECONDS)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self.store.advance(time.time())
        self._clock = asyncio.ensure_future(self._run_clock())
        try:
            yield
        finally:
            self._clock.cancel()
            self.store.close()

    # -- plumbing -----------------------------------------------------------------------

    def api(self, handler: Handler, style: str = "http", control: bool = False) -> Handler:
        """Wrap a route: injected latency, auth, typed errors, Server-Timing; never a bare 500.

        Every error answer is made here: `RequestInvalid` becomes a 422 in the operation's
        `style`, `APIError` an ErrorResponse. Control routes (`control=True`) skip latency,
        auth and Server-Timing.
        """

        operation = f"{handler.__name__}"

        async def endpoint(request: Request) -> Reply:
            if not control:
                self.requests[operation] = self.requests.get(operation, 0) + 1
                latency = self.faults.faults.latency_ms
                if latency > 0:
                    await asyncio.sleep(latency / 1000.0)
            started = time.perf_counter()
            response: Reply
            try:
                if not control:
                    self._authenticate(request)
                response = await handler(request)
            except RequestInvalid as exc:
                response = validation_response(exc.errors, style)
            except APIError as exc:
                response = error_response(exc.status, exc.message, exc.detail, exc.headers)
            except Exception:
                print(traceback.format_exc(), file=sys.stderr, flush=True)
                response = error_response(500, "Internal emulator error; see the server log")
            if not control and isinstance(response, Response):
                started = getattr(request.state, "server_started", started)
                elapsed = (time.perf_counter() - started) * 1000
                response.headers["server-timing"] = f"app;dur={elapsed:.2f}"
            return response

        return endpoint

    def control(self, handler: Handler) -> Handler:
        """Wrap a test-only control route: no auth or injected latency, same error mapping."""
        return self.api(handler, "error", control=True)

    def _authenticate(self, request: Request) -> None:
        key = request.headers.get("x-api-key")
        if not key or (self.config.api_keys and key not in self.config.api_keys):
            raise APIError(
                401,
                "Unauthorized: invalid or missing credentials (send your key in the "
                "x-api-key header)",
            )

    async def _body(self, request: Request) -> Any:
        raw = await request.body()
        # Server time counts from the moment the body has arrived, not the upload itself.
        request.state.server_started = time.perf_counter()
        return parse_json_body(raw)

    def _group(self, request: Request) -> Group:
        group = self.store.get_group(request.path_params["gid"])
        if group is None:
            raise APIError(404, "TaskGroup not found")
        return group

    def _run(self, request: Request) -> Run:
        run = self.store.get_run(request.path_params["rid"])
        if run is None:
            raise APIError(404, "Run id not found")
        return run

    def _injected_post_error(self) -> Optional[List[Any]]:
        return self.faults.post_error()

    def _check_rate_limit(self, request: Request, runs: int) -> int:
        """Raise the documented 429 unless this POST fits the key's window; returns its cost."""
        if self.faults.take_429():
            wait = self.faults.faults.burst_429_retry_after
            raise APIError(429, RATE_LIMITED, headers={"retry-after": str(wait)})
        cost = self.limiter.cost(runs)
        wait_for = self.limiter.check(request.headers.get("x-api-key", ""), cost)
        if wait_for is not None:
            raise APIError(429, RATE_LIMITED, headers={"retry-after": str(wait_for)})
        return cost

    def _check_credit(self, runs: int) -> None:
        """Raise the documented 402 unless the account can pay for `runs` more runs."""
        if self.credit is not None and self.store.runs_spent + runs > self.credit:
            raise APIError(402, PAYMENT_REQUIRED)

    def _task_errors(
        self, inputs: Sequence[Dict[str, Any]], default_spec: Any, loc: Loc
    ) -> List[ErrorItem]:
        """Unknown processors and documented size limits, for every input."""
        unknown: List[ErrorItem] = [
            {
                "loc": [*loc, i, "processor"],
                "msg": f"Unknown processor {item['processor']!r}: {_processors_hint()}",
                "type": "value_error",
            }
            for i, item in enumerate(inputs)
            if not known_processor(item["processor"])
        ]
        return unknown[:50] + check_inputs(inputs, default_spec, loc)

    # -- groups -------------------------------------------------------------------------

    async def create_group(self, request: Request) -> Response:
        metadata = validate_create_group(await self._body(request))
        fault = self._injected_post_error()
        if fault and fault[1] == "before":
            raise _fault_error(fault)
        group = self.store.create_group(metadata)
        if fault:
            raise _fault_error(fault)
        return json_response(group_response(group))

    async def get_group(self, request: Request) -> Response:
        return json_response(group_response(self._group(request)))

    async def add_runs(self, request: Request) -> Response:
        refresh = query_bool(request.query_params, "refresh_status", True)
        body = validate_add_runs(await self._body(request))
        group = self._group(request)
        inputs = body["inputs"]
        default_spec = body.get("default_task_spec")
        errors = self._task_errors(inputs, default_spec, ["body", "inputs"])
        if errors:
            raise RequestInvalid(errors)
        cost = self._check_rate_limit(request, len(inputs))
        self._check_credit(len(inputs))
        fault = self._injected_post_error()
        if fault and fault[1] == "before":
            raise _fault_error(fault)
        added = self.store.add_runs(group, inputs, default_spec)
        self.limiter.record(request.headers.get("x-api-key", ""), cost)
        if fault:
            raise _fault_error(fault)
        # refresh_status=false answers with the cached status: as it was before this call.
        status = group_status(added.group if refresh else group)
        first = group.n_runs == 0 and not self.wire.legacy
        event_id = self.wire.event_id
        return json_response(
            {
                "status": status,
                "run_ids": added.run_ids,
                # Documented: "empty for the first runs in the group" (read from the start).
                "run_cursor": None if first else event_id(added.first_run_seq - 1),
                "event_cursor": None if first else event_id(added.status_event_seq - 1),
            }
        )

    async def get_group_run(self, request: Request) -> Response:
        group = self._group(request)
        run = self.store.get_run(request.path_params["rid"])
        if run is None or run.group_id != group.id:
            raise APIError(404, "Run id not found in this TaskGroup")
        return json_response(self.wire.run(run))

    # -- streams ------------------------------------------------------------------------

    async def stream_runs(self, request: Request) -> SSEResponse:
        params = request.query_params
        include_input = query_bool(params, "include_input", False)
        include_output = query_bool(params, "include_output", False)
        status = query_status(params)
        cursor = query_cursor(params, self.wire.parse_event_id)
        group = self._group(request)
        delivery = Delivery(self.faults, f"runs|{cursor}")
        return SSEResponse(
            runs_body(
                self.store,
                self.wire,
                delivery,
                group,
                cursor or 0,
                status,
                include_input,
                include_output,
            )
        )

    async def stream_events(self, request: Request) -> SSEResponse:
        params = request.query_params
        # The documented /events takes only last_event_id and timeout: include_input and
        # include_output are ignored there, except on the legacy wire.
        legacy = self.wire.legacy
        with_input = legacy and query_bool(params, "include_input", False)
        with_output = legacy and query_bool(params, "include_output", False)
        timeout = query_number(params, "timeout")
        cursor = query_cursor(params, self.wire.parse_event_id)
        group = self._group(request)
        lifetime = self.config.stream_lifetime_seconds
        if timeout is not None:
            lifetime = min(lifetime, max(timeout, 0.0))
        delivery = Delivery(self.faults, f"events|{cursor}")
        return SSEResponse(
            events_body(
                self.store,
                self.wire,
                delivery,
                group.id,
                cursor or 0,
                lifetime,
                self.config.keepalive_seconds,
                with_input,
                with_output,
            )
        )

    # -- single runs --------------------------------------------------------------------

    async def create_run(self, request: Request) -> Response:
        item = validate_single_run(await self._body(request))
        errors = check_input(item, None, ["body"])
        if errors:
            raise RequestInvalid(errors)
        if not known_processor(item["processor"]):
            raise APIError(
                403,
                f"Forbidden: invalid processor {item['processor']!r} in request; "
                + _processors_hint(),
            )
        cost = self._check_rate_limit(request, 1)
        self._check_credit(1)
        fault = self._injected_post_error()
        if fault and fault[1] == "before":
            raise _fault_error(fault)
        run = self.store.create_run(item)
        self.limiter.record(request.headers.get("x-api-key", ""), cost)
        if fault:
            raise _fault_error(fault)
        return json_response(self.wire.run(run), 202)

    async def get_run(self, request: Request) -> Response:
        return json_response(self.wire.run(self._run(request)))

    async def get_run_input(self, request: Request) -> Response:
        return json_response(self._run(request).input_json)

    async def get_run_result(self, request: Request) -> Response:
        timeout = query_number(request.query_params, "timeout", integer=True)
        run = self._run(request)
        deadline = time.monotonic() + max(600.0 if timeout is None else timeout, 0.0)
        while run.status in ("queued", "running") and time.monotonic() < deadline:
            await asyncio.sleep(RESULT_POLL_SECONDS)
            if await request.is_disconnected():
                break
            current = self.store.get_run(run.id)
            assert current is not None
            run = current
        return self._result_response(run)

    def _result_response(self, run: Run) -> Response:
        if run.status == "completed" and run.output_json is not None:
            text = '{"run":' + self.wire.run(run) + ',"output":' + run.output_json + "}"
            return json_response(text)
        if run.status == "failed":
            error = json.loads(run.error_json) if run.error_json else {}
            raise APIError(
                404,
                f"Run failed: {error.get('message', 'no output')}",
                {"run_id": run.id, "status": "failed", "error": error},
            )
        raise APIError(408, "Request timed out; run still active")

    async def stream_run_events(self, request: Request) -> SSEResponse:
        run = self._run(request)
        return SSEResponse(
            run_events_body(
                self.store,
                self.wire,
                run.id,
                self.config.stream_lifetime_seconds,
                self.config.keepalive_seconds,
            )
        )


def _fault_error(fault: List[Any]) -> APIError:
    status, phase = fault
    note = "the request was applied" if phase == "after" else "nothing was applied"
    return APIError(
        status, f"Injected server error ({phase} commit: {note}; emulator fault post_error_rate)"
    )


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(404, f"No route for {request.method} {request.url.path}")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    allow = dict(getattr(exc, "headers", None) or {}).get("Allow", "")
    return error_response(
        405,
        f"Method {request.method} not allowed on {request.url.path}; allowed: {allow}",
        headers={"allow": allow} if allow else None,
    )


def _route(path: str, handlers: Dict[str, Handler]) -> Route:
    """One route per path dispatching on method, so 405 answers list every allowed method."""

    async def endpoint(request: Request) -> Reply:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return Route(path, endpoint, methods=list(handlers))


def build_app(config: EmulatorConfig, faults: Optional[Faults] = None) -> Starlette:
    """The Starlette app serving one emulator database."""
    emu = Emulator(config, faults)
    routes: List[Route] = []
    for prefix in ("/v1", "/v1beta"):
        groups = f"{prefix}/tasks/groups"
        runs = f"{prefix}/tasks/runs"
        routes += [
            _route(groups, {"POST": emu.api(emu.create_group)}),
            _route(groups + "/{gid}", {"GET": emu.api(emu.get_group)}),
            _route(
                groups + "/{gid}/runs",
                {"GET": emu.api(emu.stream_runs), "POST": emu.api(emu.add_runs)},
            ),
            _route(groups + "/{gid}/events", {"GET": emu.api(emu.stream_events)}),
            _route(groups + "/{gid}/runs/{rid}", {"GET": emu.api(emu.get_group_run, "error")}),
            _route(runs, {"POST": emu.api(emu.create_run, "error")}),
            _route(runs + "/{rid}", {"GET": emu.api(emu.get_run, "error")}),
            _route(runs + "/{rid}/input", {"GET": emu.api(emu.get_run_input, "error")}),
            _route(runs + "/{rid}/result", {"GET": emu.api(emu.get_run_result, "error")}),
            _route(runs + "/{rid}/events", {"GET": emu.api(emu.stream_run_events, "error")}),
        ]
    control = Control(emu)
    routes += [_route(path, handlers) for path, handlers in control.routes().items()]
    app = Starlette(
        routes=routes,
        lifespan=emu.lifespan,
        exception_handlers={404: _not_found, 405: _not_allowed},
    )
    app.state.emulator = emu
    return app


__all__ = ["build_app", "Emulator"]

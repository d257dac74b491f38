"""The ASGI application: the contract's operations, plus test-only control routes.

Routes come from the contract (routes.py): each documented operation whose operationId has a
handler here (HANDLERS) is served at its documented path; endpoints.py checks each request
against the contract before its handler runs. Handlers keep what the document cannot say:
the run lifecycle, the rate limit, credit, the task size limits (limits.py) and the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any, AsyncIterator, Dict, List, Optional, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from .config import EmulatorConfig
from .contract import Contract
from .control import Control
from .endpoints import Call, Endpoints
from .errors import APIError
from .faults import Faults, FaultState
from .limits import check_input, check_inputs
from .query_values import parse_bool
from .ratelimit import RateLimiter
from .response_check import ResponseChecker
from .responses import json_response
from .routes import api_routes, not_allowed, not_found, route
from .schedule import DOCUMENTED_SECONDS, known_processor
from .sse import Handler, SSEResponse
from .store import Group, Run, Store, group_response, group_status
from .streams import Delivery, events_body, run_events_body, runs_body
from .validation import ErrorItem, Loc, RequestInvalid, parse_cursor_arg
from .validators import Validators
from .wire import OLD_SHAPE_OMITS, Wire

log = logging.getLogger("taskgroup_emulator")

# The documented error messages (Parallel's API reference, e.g. create-task-run).
RATE_LIMITED = "Too many requests: quota temporarily exceeded"
PAYMENT_REQUIRED = "Payment required: insufficient credit in account"

CLOCK_TICK_SECONDS = 0.02
CLOCK_BATCH = 500
CHECKPOINT_SECONDS = 1.0
RESULT_POLL_SECONDS = 0.02

# operationId -> the Emulator method serving it.
HANDLERS = {
    "create_task_group": "create_group",
    "get_task_group": "get_group",
    "add_task_group_runs": "add_runs",
    "stream_task_group_runs": "stream_runs",
    "stream_task_group_events": "stream_events",
    "get_task_group_run": "get_group_run",
    "create_task_run": "create_run",
    "get_task_run": "get_run",
    "get_task_run_input": "get_run_input",
    "get_task_run_result": "get_run_result",
    "stream_task_run_events": "stream_run_events",
}


def _processors_hint() -> str:
    tiers = ", ".join(DOCUMENTED_SECONDS)
    return f"use one of {tiers} (each also with a -fast suffix, e.g. core-fast)"


class Emulator:
    """The state shared by every request of one server process."""

    def __init__(
        self,
        config: EmulatorConfig,
        faults: Optional[Faults] = None,
        contract: Optional[Contract] = None,
    ) -> None:
        self.config = config
        self.closing = False
        """Set when the server shuts down: open streams end (see SSEResponse)."""
        started = time.perf_counter()
        self.contract = contract or Contract.load(config.contract_path)
        validators = Validators()
        checker = None
        if config.check_responses:
            optional = {"TaskRun": OLD_SHAPE_OMITS} if config.old_shape_rate > 0 else {}
            checker = ResponseChecker(self.contract, validators, optional)
        self.endpoints = Endpoints(self, self.contract, validators, checker)
        self.startup_ms = (time.perf_counter() - started) * 1000
        self.compiled_validators = len(validators)
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

    def control(self, handler: Handler) -> Handler:
        """Wrap a test-only control route: no auth or injected latency, same error mapping."""
        return self.endpoints.control(handler)

    def _group(self, call: Call) -> Group:
        group = self.store.get_group(call.args["taskgroup_id"])
        if group is None:
            raise APIError(404, "TaskGroup not found")
        return group

    def _run(self, call: Call) -> Run:
        run = self.store.get_run(call.args["run_id"])
        if run is None:
            raise APIError(404, "Run id not found")
        return run

    def _injected_post_error(self) -> Optional[List[Any]]:
        return self.faults.post_error()

    def _check_rate_limit(self, call: Call, runs: int) -> int:
        """Raise the documented 429 unless this POST fits the key's window; returns its cost."""
        if self.faults.take_429():
            wait = self.faults.faults.burst_429_retry_after
            raise APIError(429, RATE_LIMITED, headers={"retry-after": str(wait)})
        cost = self.limiter.cost(runs)
        wait_for = self.limiter.check(call.api_key, cost)
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

    async def create_group(self, request: Request, call: Call) -> Response:
        metadata = call.body.get("metadata")
        fault = self._injected_post_error()
        if fault and fault[1] == "before":
            raise _fault_error(fault)
        group = self.store.create_group(metadata)
        if fault:
            raise _fault_error(fault)
        return json_response(group_response(group))

    async def get_group(self, request: Request, call: Call) -> Response:
        return json_response(group_response(self._group(call)))

    async def add_runs(self, request: Request, call: Call) -> Response:
        refresh = call.args.get("refresh_status", True)
        body = call.body
        group = self._group(call)
        inputs = body["inputs"]
        default_spec = body.get("default_task_spec")
        errors = self._task_errors(inputs, default_spec, ["body", "inputs"])
        if errors:
            raise RequestInvalid(errors)
        cost = self._check_rate_limit(call, len(inputs))
        self._check_credit(len(inputs))
        fault = self._injected_post_error()
        if fault and fault[1] == "before":
            raise _fault_error(fault)
        added = self.store.add_runs(group, inputs, default_spec)
        self.limiter.record(call.api_key, cost)
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

    async def get_group_run(self, request: Request, call: Call) -> Response:
        group = self._group(call)
        run = self.store.get_run(call.args["run_id"])
        if run is None or run.group_id != group.id:
            raise APIError(404, "Run id not found in this TaskGroup")
        return json_response(self.wire.run(run))

    # -- streams ------------------------------------------------------------------------

    def _closing(self) -> bool:
        return self.closing

    async def stream_runs(self, request: Request, call: Call) -> SSEResponse:
        args = call.args
        include_input = bool(args.get("include_input", False))
        include_output = bool(args.get("include_output", False))
        status = args.get("status")
        cursor = parse_cursor_arg(args.get("last_event_id"), self.wire.parse_event_id)
        group = self._group(call)
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
            ),
            closing=self._closing,
        )

    async def stream_events(self, request: Request, call: Call) -> SSEResponse:
        # The documented /events takes only last_event_id and timeout: include_input and
        # include_output are ignored there, except on the legacy wire.
        with_input, with_output = self._legacy_event_fields(request)
        timeout = call.args.get("timeout")
        cursor = parse_cursor_arg(call.args.get("last_event_id"), self.wire.parse_event_id)
        group = self._group(call)
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
            ),
            closing=self._closing,
        )

    # -- single runs --------------------------------------------------------------------

    def _legacy_event_fields(self, request: Request) -> Sequence[bool]:
        """include_input/include_output of /events, honoured on the legacy wire only."""
        if not self.wire.legacy:
            return False, False
        errors: List[ErrorItem] = []
        values = []
        for name in ("include_input", "include_output"):
            raw = request.query_params.get(name)
            value = parse_bool(raw) if raw is not None else False
            if value is None:
                msg = f"Input should be a valid boolean (true or false), got {raw!r}"
                errors.append({"loc": ["query", name], "msg": msg, "type": "bool_parsing"})
            values.append(bool(value))
        if errors:
            raise RequestInvalid(errors)
        return values

    async def create_run(self, request: Request, call: Call) -> Response:
        item = call.body
        errors = check_input(item, None, ["body"])
        if errors:
            raise RequestInvalid(errors)
        if not known_processor(item["processor"]):
            raise APIError(
                403,
                f"Forbidden: invalid processor {item['processor']!r} in request; "
                + _processors_hint(),
            )
        cost = self._check_rate_limit(call, 1)
        self._check_credit(1)
        fault = self._injected_post_error()
        if fault and fault[1] == "before":
            raise _fault_error(fault)
        run = self.store.create_run(item)
        self.limiter.record(call.api_key, cost)
        if fault:
            raise _fault_error(fault)
        return json_response(self.wire.run(run), 202)

    async def get_run(self, request: Request, call: Call) -> Response:
        return json_response(self.wire.run(self._run(call)))

    async def get_run_input(self, request: Request, call: Call) -> Response:
        return json_response(self._run(call).input_json)

    async def get_run_result(self, request: Request, call: Call) -> Response:
        timeout = float(call.args.get("timeout", 600))
        run = self._run(call)
        deadline = time.monotonic() + max(timeout, 0.0)
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
            reason = str(error.get("message") or "no output")
            raise APIError(
                404,
                reason if reason.startswith("Run failed") else f"Run failed: {reason}",
                {"run_id": run.id, "status": "failed", "error": error},
            )
        raise APIError(408, "Request timed out; run still active")

    async def stream_run_events(self, request: Request, call: Call) -> SSEResponse:
        run = self._run(call)
        return SSEResponse(
            run_events_body(
                self.store,
                self.wire,
                run.id,
                self.config.stream_lifetime_seconds,
                self.config.keepalive_seconds,
            ),
            closing=self._closing,
        )


def _fault_error(fault: List[Any]) -> APIError:
    status, phase = fault
    note = "the request was applied" if phase == "after" else "nothing was applied"
    return APIError(
        status, f"Injected server error ({phase} commit: {note}; emulator fault post_error_rate)"
    )


def build_app(
    config: EmulatorConfig, faults: Optional[Faults] = None, contract: Optional[Contract] = None
) -> Starlette:
    """The Starlette app serving one emulator database."""
    emu = Emulator(config, faults, contract)
    handlers = {op_id: getattr(emu, name) for op_id, name in HANDLERS.items()}
    routes = api_routes(emu.contract, emu.endpoints, handlers)
    routes += [route(path, methods) for path, methods in Control(emu).routes().items()]
    app = Starlette(
        routes=routes,
        lifespan=emu.lifespan,
        exception_handlers={404: not_found, 405: not_allowed},
    )
    app.state.emulator = emu
    return app


__all__ = ["build_app", "Emulator"]

"""Serving one documented operation: auth, the contract's request checks, errors, timing.

Every API request goes: injected latency (fault), the API key (the header of the contract's
API-key security scheme; 401 ErrorResponse), the request checks (parameters, strict JSON body,
its schema, the limits stated in prose: one 422 listing every problem, in the shape the
contract documents for the operation's 422), then the handler with the checked values. Typed
errors become their answers here and nothing escapes as a bare 500. JSON answers carry
`Server-Timing: app;dur=MS` (from the moment the body has arrived). With response checks on,
answers are checked against the contract last (response_check.py; not counted in the timing).
"""

from __future__ import annotations

import asyncio
import sys
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, Mapping, Optional

from starlette.requests import Request
from starlette.responses import Response

from .check_marker import MARKER
from .contract import JSON, Contract, Operation
from .errors import APIError
from .request_schemas import OperationChecks, request_checks
from .response_check import ResponseChecker, report
from .responses import error_response, validation_response
from .sse import Handler, Reply
from .validation import MAX_ERRORS, RequestInvalid, parse_json_body
from .validators import Validators

if TYPE_CHECKING:
    from .app import Emulator


@dataclass(frozen=True)
class Call:
    """What a handler gets: documented parameter values by name, the checked body, the key."""

    args: Mapping[str, Any]
    body: Any
    api_key: str


ApiHandler = Callable[[Request, Call], Awaitable[Reply]]

_HTTP_VALIDATION_SAMPLE = {"detail": [{"loc": ["body"], "msg": "m", "type": "t"}]}


def validation_style(operation: Operation, validators: Validators) -> str:
    """ "http" when the operation documents its 422 as HTTPValidationError, else "error"."""
    schema = (operation.documented(422) or {}).get(JSON)
    if schema is not None and validators(schema).is_valid(_HTTP_VALIDATION_SAMPLE):
        return "http"
    return "error"


def _answer_error(exc: Exception, style: str) -> Response:
    if isinstance(exc, RequestInvalid):
        return validation_response(exc.errors, style)
    if isinstance(exc, APIError):
        return error_response(exc.status, exc.message, exc.detail, exc.headers)
    print(traceback.format_exc(), file=sys.stderr, flush=True)
    return error_response(500, "Internal emulator error; see the server log")


class Endpoints:
    """Wraps the emulator's handlers into Starlette endpoints for the contract's operations."""

    def __init__(
        self,
        emu: Emulator,
        contract: Contract,
        validators: Validators,
        checker: Optional[ResponseChecker] = None,
    ) -> None:
        self.emu = emu
        self.contract = contract
        self.checks: Dict[str, OperationChecks] = request_checks(contract, validators)
        self.styles = {
            op_id: validation_style(op, validators) for op_id, op in contract.operations.items()
        }
        self.checker = checker

    def api(self, operation_id: str, handler: ApiHandler) -> Handler:
        """The endpoint serving `operation_id` with `handler`."""
        operation = self.contract.operations[operation_id]
        checks, style, name = self.checks[operation_id], self.styles[operation_id], handler.__name__

        async def endpoint(request: Request) -> Reply:
            emu = self.emu
            emu.requests[name] = emu.requests.get(name, 0) + 1
            latency = emu.faults.faults.latency_ms
            if latency > 0:
                await asyncio.sleep(latency / 1000.0)
            started = time.perf_counter()
            response: Reply
            try:
                key = self._authenticate(request, operation)
                response = await handler(request, await self._call(request, checks, key))
            except Exception as exc:
                response = _answer_error(exc, style)
            if isinstance(response, Response):
                started = getattr(request.state, "server_started", started)
                timing = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
                response = self._checked(operation_id, response)
                response.headers["server-timing"] = timing
            elif self.checker is not None:
                response.body = self.checker.checked_stream(operation_id, response.body)
            return response

        return endpoint

    def control(self, handler: Handler) -> Handler:
        """A test-only control route: no auth, latency, checks or timing; same error answers."""

        async def endpoint(request: Request) -> Reply:
            try:
                return await handler(request)
            except Exception as exc:
                return _answer_error(exc, "error")

        return endpoint

    def _authenticate(self, request: Request, operation: Operation) -> str:
        """The caller's API key, or the documented 401 when it has none the server accepts."""
        headers = operation.api_key_headers
        if not headers:
            return ""
        accepted = self.emu.config.api_keys
        for header in headers:
            key = request.headers.get(header)
            if key and (not accepted or key in accepted):
                return key
        raise APIError(
            401,
            "Unauthorized: invalid or missing credentials (send your key in the "
            f"{headers[0]} header)",
        )

    async def _call(self, request: Request, checks: OperationChecks, key: str) -> Call:
        sources = {
            "query": request.query_params,
            "path": request.path_params,
            "header": request.headers,
        }
        args, errors = checks.arguments(sources)
        body: Optional[Any] = None
        if checks.takes_body:
            raw = await request.body()
            # Server time counts from the moment the body has arrived, not the upload itself.
            request.state.server_started = time.perf_counter()
            if raw.strip() or checks.body_required:
                try:
                    body = parse_json_body(raw)
                except RequestInvalid as exc:
                    errors += exc.errors
                else:
                    errors += checks.body_problems(body)
        if errors:
            raise RequestInvalid(errors[:MAX_ERRORS])
        return Call(args, checks.prune(body), key)

    def _checked(self, operation_id: str, response: Response) -> Response:
        if self.checker is None or response.media_type != JSON:
            return response
        problem = self.checker.json_problem(
            operation_id, response.status_code, bytes(response.body)
        )
        if problem is None:
            return response
        report(problem)
        return error_response(500, f"{MARKER}: {problem}")

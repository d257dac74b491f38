"""Test-only control routes under /_emulator: faults, rate limit, credit, health.

No auth (loopback use only). Bad settings are a 400 ErrorResponse naming them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict

from starlette.requests import Request
from starlette.responses import Response

from .errors import APIError
from .faults import FaultError
from .ratelimit import UNITS, WINDOW_SECONDS, RateLimiter
from .responses import json_response
from .sse import Handler

if TYPE_CHECKING:
    from .app import Emulator


async def _settings(request: Request, what: str) -> Dict[str, Any]:
    """The JSON object body of a control POST (empty body: no changes)."""
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise APIError(400, f"Bad {what} settings: {exc}") from None
    if not isinstance(body, dict):
        raise APIError(400, f"Bad {what} settings: send a JSON object")
    return body


def _count(body: Dict[str, Any], name: str, minimum: int, what: str) -> Any:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise APIError(400, f"Bad {what} settings: {name} must be an integer >= {minimum}")
    return value


class Control:
    """The control routes of one emulator."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def routes(self) -> Dict[str, Dict[str, Handler]]:
        """Path -> method -> wrapped handler."""
        wrap = self.emu.control
        return {
            "/_emulator/faults": {
                "GET": wrap(self.faults_get),
                "POST": wrap(self.faults_set),
                "DELETE": wrap(self.faults_reset),
            },
            "/_emulator/faults/reset": {"POST": wrap(self.faults_reset)},
            "/_emulator/rate-limit": {
                "GET": wrap(self.rate_limit_get),
                "POST": wrap(self.rate_limit_set),
            },
            "/_emulator/credit": {"GET": wrap(self.credit_get), "POST": wrap(self.credit_set)},
            "/_emulator/health": {"GET": wrap(self.health)},
            "/_emulator/requests": {
                "GET": wrap(self.requests_get),
                "DELETE": wrap(self.requests_reset),
            },
        }

    async def faults_get(self, request: Request) -> Response:
        """The settings, plus `wire_injected` (wire faults applied so far, by kind)."""
        return json_response(self.emu.faults.snapshot())

    async def faults_set(self, request: Request) -> Response:
        changes = await _settings(request, "fault")
        try:
            self.emu.faults.update(changes)
        except FaultError as exc:
            raise APIError(400, f"Bad fault settings: {exc}") from None
        return json_response(self.emu.faults.snapshot())

    async def faults_reset(self, request: Request) -> Response:
        self.emu.faults.reset()
        return json_response(self.emu.faults.snapshot())

    async def rate_limit_get(self, request: Request) -> Response:
        limiter = self.emu.limiter
        return json_response(
            {
                "limit_per_minute": limiter.per_minute,
                "unit": limiter.unit,
                "window_seconds": WINDOW_SECONDS,
                "usage_by_key_digest": limiter.usage(),
            }
        )

    async def rate_limit_set(self, request: Request) -> Response:
        """{"limit_per_minute"?: N, "unit"?: "request"|"run", "reset_usage"?: bool}."""
        body = await _settings(request, "rate-limit")
        unknown = sorted(set(body) - {"limit_per_minute", "unit", "reset_usage"})
        if unknown:
            raise APIError(400, f"Bad rate-limit settings: unknown {', '.join(unknown)}")
        limiter = self.emu.limiter
        limit = limiter.per_minute
        if "limit_per_minute" in body:
            limit = _count(body, "limit_per_minute", 1, "rate-limit")
        unit = body.get("unit", limiter.unit)
        if unit not in UNITS:
            raise APIError(400, f"Bad rate-limit settings: unit must be one of {UNITS}")
        reset = body.get("reset_usage", False)
        if not isinstance(reset, bool):
            raise APIError(400, "Bad rate-limit settings: reset_usage must be true or false")
        if reset or unit != limiter.unit:
            self.emu.limiter = RateLimiter(limit, unit)  # a new unit starts a fresh window
        else:
            limiter.per_minute = limit
        return await self.rate_limit_get(request)

    async def credit_get(self, request: Request) -> Response:
        total, spent = self.emu.credit, self.emu.store.runs_spent
        remaining = None if total is None else max(total - spent, 0)
        return json_response({"credit": total, "spent": spent, "remaining": remaining})

    async def credit_set(self, request: Request) -> Response:
        """{"credit": N} sets the total allowance in runs (spent stays spent); null: unlimited."""
        body = await _settings(request, "credit")
        if set(body) != {"credit"}:
            raise APIError(400, 'Bad credit settings: send {"credit": N} (or null for unlimited)')
        self.emu.credit = None if body["credit"] is None else _count(body, "credit", 0, "credit")
        return await self.credit_get(request)

    async def requests_get(self, request: Request) -> Response:
        """API requests answered since the start (or the last reset), by operation; control
        routes are not counted."""
        counts = dict(sorted(self.emu.requests.items()))
        return json_response({"total": sum(counts.values()), "by_operation": counts})

    async def requests_reset(self, request: Request) -> Response:
        self.emu.requests.clear()
        return await self.requests_get(request)

    async def health(self, request: Request) -> Response:
        return json_response({"ok": True, "time_scale": self.emu.config.time_scale})

"""Where each documented operation is served, and the answers for paths and methods that are not.

Every operation of the contract that has a handler is served at its documented path (Starlette
reads the same `{name}` path templates), group paths also under /v1beta: the document's
description says every group path is. An operation without a handler is logged at startup
and not served. Unknown paths are a 404 ErrorResponse, wrong methods a 405 with `Allow`.
"""

from __future__ import annotations

import sys
from typing import Dict, List, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .contract import Contract
from .endpoints import ApiHandler, Endpoints
from .responses import error_response
from .sse import Handler, Reply

GROUP_PATHS = "/v1/tasks/groups"  # also served under /v1beta (the older documented prefix)


def served_paths(path: str) -> List[str]:
    """Where a documented path is served: group paths also under /v1beta."""
    if path.startswith(GROUP_PATHS):
        return [path, "/v1beta" + path[len("/v1") :]]
    return [path]


def route(path: str, handlers: Mapping[str, Handler]) -> Route:
    """One route per path dispatching on method, so 405 answers list every allowed method."""

    async def endpoint(request: Request) -> Reply:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return Route(path, endpoint, methods=list(handlers))


def api_routes(
    contract: Contract, endpoints: Endpoints, handlers: Mapping[str, ApiHandler]
) -> List[Route]:
    """Routes of every documented operation that has a handler (by operationId)."""
    paths: Dict[str, Dict[str, Handler]] = {}
    for op_id, operation in contract.operations.items():
        handler = handlers.get(op_id)
        if handler is None:
            print(
                f"taskgroup-emulator: {operation.method} {operation.path} ({op_id}) is in the "
                "contract but not emulated",
                file=sys.stderr,
                flush=True,
            )
            continue
        endpoint = endpoints.api(op_id, handler)
        for path in served_paths(operation.path):
            paths.setdefault(path, {})[operation.method] = endpoint
    return [route(path, methods) for path, methods in paths.items()]


async def not_found(request: Request, exc: Exception) -> Response:
    return error_response(404, f"No route for {request.method} {request.url.path}")


async def not_allowed(request: Request, exc: Exception) -> Response:
    allow = dict(getattr(exc, "headers", None) or {}).get("Allow", "")
    return error_response(
        405,
        f"Method {request.method} not allowed on {request.url.path}; allowed: {allow}",
        headers={"allow": allow} if allow else None,
    )

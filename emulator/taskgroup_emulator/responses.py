"""Response bodies in upstream's shapes: ErrorResponse, HTTPValidationError, plain JSON."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional

from starlette.responses import Response

from .ids import new_ref_id
from .validation import ErrorItem, errors_summary


def json_response(
    body: Any, status: int = 200, headers: Optional[Mapping[str, str]] = None
) -> Response:
    """A JSON response; `body` may be a value or already-serialized JSON text."""
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    return Response(
        text, status_code=status, headers=dict(headers or {}), media_type="application/json"
    )


def error_response(
    status: int,
    message: str,
    detail: Optional[Dict[str, Any]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> Response:
    """An ErrorResponse: {"type": "error", "error": {ref_id, message, detail?}}."""
    error: Dict[str, Any] = {"ref_id": new_ref_id(), "message": message}
    if detail is not None:
        error["detail"] = detail
    return json_response({"type": "error", "error": error}, status, headers)


def validation_response(errors: List[ErrorItem], style: str) -> Response:
    """A 422: HTTPValidationError for group operations, ErrorResponse for run operations.

    The two styles follow openapi.yaml, which documents different 422 bodies per operation.
    """
    if style == "http":
        return json_response({"detail": errors}, 422)
    return error_response(
        422, f"Request validation error: {errors_summary(errors)}", {"errors": errors}
    )

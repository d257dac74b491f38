"""The error a handler raises to answer with an ErrorResponse (see `Emulator.api`)."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional


class APIError(Exception):
    """Answer the request with `status` and an ErrorResponse carrying `message`."""

    def __init__(
        self,
        status: int,
        message: str,
        detail: Optional[Dict[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.detail = detail
        self.headers = dict(headers or {})

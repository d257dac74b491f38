"""Identifiers, stream cursors and timestamps in the shapes the real API uses."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Optional

CURSOR_WIDTH = 16
_HEX_DIGITS = frozenset("0123456789abcdef")
_MAX_SEQ = 2**63 - 1  # SQLite's largest integer


def new_group_id() -> str:
    """A fresh task group id (`tgrp_` + 32 hex digits)."""
    return "tgrp_" + uuid.uuid4().hex


def new_run_id() -> str:
    """A fresh task run id (`trun_` + 32 hex digits)."""
    return "trun_" + uuid.uuid4().hex


def new_ref_id() -> str:
    """A reference id for an error response."""
    return str(uuid.uuid4())


def format_event_id(seq: int) -> str:
    """An event id as the documented wire shows it: lowercase hex of a microsecond stamp."""
    return format(seq, "x")


def parse_event_id(value: str) -> Optional[int]:
    """Parse an id issued by `format_event_id`; None unless 1-16 lowercase hex digits."""
    text = value.strip()
    if not text or len(text) > 16 or not _HEX_DIGITS.issuperset(text):
        return None
    return min(int(text, 16), _MAX_SEQ)


def format_cursor(seq: int) -> str:
    """A legacy-wire cursor: the sequence number zero-padded to 16 decimal digits."""
    return str(seq).zfill(CURSOR_WIDTH)


def parse_cursor(value: str) -> Optional[int]:
    """Parse a cursor issued by `format_cursor`; None when it is not one."""
    text = value.strip()
    if not text or len(text) > 18 or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def rfc3339(epoch: float) -> str:
    """Epoch seconds as an RFC 3339 UTC timestamp with microseconds, like upstream."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

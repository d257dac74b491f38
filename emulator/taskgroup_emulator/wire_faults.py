"""Which wire fault a request gets, and what each fault makes of the bytes (no I/O here).

The proxy (proxy.py) asks `choose` once per request it has read whole, then applies the kind
with the helpers below: where to cut a body, how to truncate JSON, the answers sent without
asking the app, and how `slow_body` paces a body.
"""

from __future__ import annotations

import email.utils
import json
import math
import random
import re
import time
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

from .faults import FaultState
from .ids import new_ref_id

Headers = List[Tuple[bytes, bytes]]

# The documented 429 message (as app.RATE_LIMITED).
RATE_LIMITED = "Too many requests: quota temporarily exceeded"
RETRY_AFTER_VALUES = ("0", "abc", "1.5", "date")  # "date": an HTTP date about 1 s ahead
LB_STATUSES = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}

SLOW_PIECE_BYTES = 64
SLOW_SECONDS = 1.0  # the pauses of one answer add up to about this much, never more
SLOW_MAX_PIECES = 100  # bigger bodies go in bigger pieces, so pauses stay >= 10 ms
SLOW_STREAM_PAUSE = 0.02

SSE_KEEP_EVENTS = (1, 2, 3)  # cut_body on a stream relays this many events whole first

_RUNS_STREAM = re.compile(r"/v1(beta)?/tasks/groups/[^/]+/runs")
_CREATES_RUNS = re.compile(r"/v1(beta)?/tasks/(groups/[^/]+/runs|runs)")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


@dataclass(frozen=True)
class WireRequest:
    """What the choice looks at: the method and the path (without the query)."""

    method: str
    path: str

    @property
    def is_control(self) -> bool:
        return self.path == "/_emulator" or self.path.startswith("/_emulator/")

    @property
    def is_stream(self) -> bool:
        """An SSE stream: a group's `/runs` or `/events`, or a run's `/events`."""
        return self.method == "GET" and (
            self.path.endswith("/events") or _RUNS_STREAM.fullmatch(self.path) is not None
        )

    @property
    def creates_runs(self) -> bool:
        """POST of a group's runs or of a single run (what the one-shots count)."""
        return self.method == "POST" and _CREATES_RUNS.fullmatch(self.path) is not None


def applies(kind: str, request: WireRequest) -> bool:
    """Whether `kind` makes sense for `request`."""
    if kind in ("late_post", "hold_post"):
        return request.method == "POST"
    if kind in ("reset_after", "truncate_json"):
        return request.method != "HEAD" and not request.is_stream
    if kind in ("cut_body", "slow_body"):
        return request.method != "HEAD"
    return True


def choose(state: FaultState, request: WireRequest) -> Optional[str]:
    """The wire fault for this request, or None. Control routes never get one.

    An armed one-shot (`wire_late_next_posts`, then `wire_hold_next_posts`) takes a
    run-creating POST and counts down; otherwise, with probability `wire_fault_rate`, a kind
    is drawn among those enabled that apply to the request.
    """
    if request.is_control:
        return None
    f = state.faults
    if request.creates_runs and f.wire_late_next_posts > 0:
        f.wire_late_next_posts -= 1
        return "late_post"
    if request.creates_runs and f.wire_hold_next_posts > 0:
        f.wire_hold_next_posts -= 1
        return "hold_post"
    if f.wire_fault_rate <= 0 or state.wire_rng.random() >= f.wire_fault_rate:
        return None
    kinds = [k for k in f.wire_fault_kinds if applies(k, request)]
    return state.wire_rng.choice(kinds) if kinds else None


# -- what a fault makes of a body -------------------------------------------------------


def cut_point(data: bytes) -> int:
    """Where `cut_body` cuts `data` (0 < cut < len when len >= 2).

    Inside the multi-byte UTF-8 character nearest the middle when there is one (after its
    first byte), else in the middle of a line (neither side of the cut is a newline) as near
    the middle as there is one.
    """
    n = len(data)
    if n < 2:
        return 0
    middle = n // 2
    chars = [m.start() for m in _UTF8_MULTIBYTE.finditer(data)]
    if chars:
        return min(chars, key=lambda i: abs(i - middle)) + 1
    for distance in range(n):
        for i in (middle - distance, middle + distance):
            if 0 < i < n and data[i - 1] != 0x0A and data[i] != 0x0A:
                return i
    return middle


def truncate_json(body: bytes) -> bytes:
    """About the first half of a JSON body: never valid JSON for an object or array."""
    return body[: len(body) // 2]


def is_json(headers: Headers) -> bool:
    return any(
        name.lower() == b"content-type" and value.lower().startswith(b"application/json")
        for name, value in headers
    )


class StreamCut:
    """`cut_body` on an SSE stream: relay `keep` events whole, then cut the next mid-line.

    The newest complete event is held back until another one begins, so a stream that ends
    before the cut is still cut inside its last event.
    """

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.passed = 0
        self.pending = b""  # not relayed yet; starts at an event boundary

    def feed(self, data: bytes) -> Tuple[bytes, Optional[bytes]]:
        """The bytes to relay now and, once the cut is due, the last bytes before it."""
        self.pending += data
        out = b""
        while True:
            end = self.pending.find(b"\n\n")
            if end < 0:
                return out, None
            event = self.pending[: end + 2]
            if self.passed >= self.keep:
                return out, event[: cut_point(event)]
            if len(self.pending) == len(event):
                return out, None  # held back until the next event begins
            out += event
            self.pending = self.pending[len(event) :]
            self.passed += 1

    def end(self) -> bytes:
        """The stream ended before the cut: the part of its last event to relay."""
        return self.pending[: cut_point(self.pending)]


class SlowPacer:
    """`slow_body`: a body in small pieces, with pauses adding up to about `SLOW_SECONDS`.

    With a known length the pauses spread the whole body over that time; a stream (length
    unknown) pauses `SLOW_STREAM_PAUSE` before each piece until the time is used up, then
    flows at full speed. The first piece goes at once.
    """

    def __init__(self, length: Optional[int]) -> None:
        self.piece = SLOW_PIECE_BYTES
        self.pause = SLOW_STREAM_PAUSE
        if length:
            pieces = math.ceil(length / SLOW_PIECE_BYTES)
            if pieces > SLOW_MAX_PIECES:
                self.piece = math.ceil(length / SLOW_MAX_PIECES)
                pieces = math.ceil(length / self.piece)
            self.pause = SLOW_SECONDS / pieces
        self.budget = SLOW_SECONDS
        self.first = True

    def pieces(self, data: bytes) -> Iterator[Tuple[float, bytes]]:
        """(pause before it, piece) for `data`; no pause once the time is used up."""
        for start in range(0, len(data), self.piece):
            pause = 0.0 if self.first else min(self.pause, self.budget)
            self.first = False
            self.budget -= pause
            yield pause, data[start : start + self.piece]


# -- answers sent without asking the app ------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A whole response; `close` ends the connection after it."""

    status: int
    headers: Headers
    body: bytes
    close: bool = False
    reason: bytes = b""  # empty: the standard phrase of `status`


def _error_json(message: str) -> bytes:
    error = {"type": "error", "error": {"ref_id": new_ref_id(), "message": message}}
    return json.dumps(error, separators=(",", ":")).encode("utf-8")


def _headers(content_type: bytes, body: bytes, extra: Headers) -> Headers:
    return [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode("ascii")),
        *extra,
    ]


def canned_answer(kind: str, rng: random.Random) -> Answer:
    """The answer of `status_408`, `status_5xx_html` or `status_429`."""
    json_type = b"application/json"
    if kind == "status_408":
        # Like a front end timing out the request: ErrorResponse, connection closed.
        body = _error_json("Request timed out")
        headers = _headers(json_type, body, [(b"connection", b"close")])
        return Answer(408, headers, body, close=True)
    if kind == "status_5xx_html":
        status = rng.choice(sorted(LB_STATUSES))
        title = f"{status} {LB_STATUSES[status]}"
        body = (
            f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        ).encode("ascii")
        reason = LB_STATUSES[status].encode("ascii")
        return Answer(status, _headers(b"text/html", body, []), body, reason=reason)
    if kind == "status_429":
        retry_after = rng.choice(RETRY_AFTER_VALUES)
        if retry_after == "date":  # whole seconds: at least 1 s, at most 2 s ahead
            retry_after = email.utils.formatdate(math.ceil(time.time()) + 1, usegmt=True)
        body = _error_json(RATE_LIMITED)
        extra = [(b"retry-after", retry_after.encode("ascii"))]
        return Answer(429, _headers(json_type, body, extra), body)
    raise ValueError(f"{kind} is not answered by the proxy itself")

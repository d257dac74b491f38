"""Sync-first client for Parallel's Task Group API."""

from . import errors
from .client import Client
from .cursors import CursorStore, JsonFileCursorStore, MemoryCursorStore, SqliteCursorStore
from .events import Event, UnknownEvent
from .group import TaskGroup
from .journal import JsonlJournal, MemoryJournal, SqliteJournal, SubmissionJournal
from .metadata import ROW_KEY_FIELD, RowError
from .pacing import RateLimiter
from .results import RunResult
from .streams import EventStream
from .submission import SubmissionError, SubmitReport, submit_rows

__all__ = [
    "Client",
    "CursorStore",
    "Event",
    "EventStream",
    "JsonFileCursorStore",
    "JsonlJournal",
    "MemoryCursorStore",
    "MemoryJournal",
    "ROW_KEY_FIELD",
    "RateLimiter",
    "RowError",
    "RunResult",
    "SqliteCursorStore",
    "SqliteJournal",
    "SubmissionError",
    "SubmissionJournal",
    "SubmitReport",
    "TaskGroup",
    "UnknownEvent",
    "errors",
    "submit_rows",
]

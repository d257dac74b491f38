"""Sync-first client for Parallel's Task Group API."""

from . import errors
from .client import Client
from .cursors import CursorStore, JsonFileCursorStore, MemoryCursorStore, SqliteCursorStore
from .events import Event, UnknownEvent
from .group import TaskGroup
from .results import RunResult
from .streams import EventStream

__all__ = [
    "Client",
    "CursorStore",
    "Event",
    "EventStream",
    "JsonFileCursorStore",
    "MemoryCursorStore",
    "RunResult",
    "SqliteCursorStore",
    "TaskGroup",
    "UnknownEvent",
    "errors",
]

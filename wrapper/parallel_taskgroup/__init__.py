"""A synchronous client for Parallel's Task Group API.

    from parallel_taskgroup import Client

    with Client() as client:                      # PARALLEL_API_KEY from the environment
        group = client.create_group(processor="base", task_spec=spec)
        group.add_runs(rows, key="id")            # exactly once, paced, resumable
        for result in group.results():            # each run as it finishes
            print(result.key, result.content)

Everything public is importable from here; ``parallel_taskgroup.types`` re-exports the generated
models to annotate with, and ``parallel_taskgroup.errors`` draws the error tree. Names load on
first use, so importing the package (or starting the ``taskgroup`` command) stays cheap.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

# A library never prints on its own: without the application's logging config, our records go
# nowhere instead of to Python's last-resort stderr handler.
logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from . import errors as errors
    from . import types as types
    from ._clock import Clock as Clock
    from ._retry import Backoff as Backoff
    from ._retry import RetryPolicy as RetryPolicy
    from ._status import status_counts as status_counts
    from .client import Client as Client
    from .errors import APIConnectionError as APIConnectionError
    from .errors import APIError as APIError
    from .errors import APIStatusError as APIStatusError
    from .errors import APITimeoutError as APITimeoutError
    from .errors import ArgumentTypeError as ArgumentTypeError
    from .errors import AuthenticationError as AuthenticationError
    from .errors import BadRequestError as BadRequestError
    from .errors import BudgetExceededError as BudgetExceededError
    from .errors import ConfigurationError as ConfigurationError
    from .errors import ConflictError as ConflictError
    from .errors import CursorStoreError as CursorStoreError
    from .errors import ErrorEventsOnlyError as ErrorEventsOnlyError
    from .errors import EventTooLargeError as EventTooLargeError
    from .errors import InputError as InputError
    from .errors import InsecureTransportError as InsecureTransportError
    from .errors import JobChangedError as JobChangedError
    from .errors import JobError as JobError
    from .errors import JobIncompleteError as JobIncompleteError
    from .errors import JobInterruptedError as JobInterruptedError
    from .errors import JobLockedError as JobLockedError
    from .errors import JournalError as JournalError
    from .errors import NotFoundError as NotFoundError
    from .errors import ParallelError as ParallelError
    from .errors import PaymentRequiredError as PaymentRequiredError
    from .errors import PermissionDeniedError as PermissionDeniedError
    from .errors import RateLimitError as RateLimitError
    from .errors import RedirectError as RedirectError
    from .errors import RequestTimeoutError as RequestTimeoutError
    from .errors import ResponseFormatError as ResponseFormatError
    from .errors import ResponseTooLargeError as ResponseTooLargeError
    from .errors import ResultsFileError as ResultsFileError
    from .errors import RowError as RowError
    from .errors import ServerError as ServerError
    from .errors import StateFileError as StateFileError
    from .errors import StreamError as StreamError
    from .errors import StreamNotSupportedError as StreamNotSupportedError
    from .errors import SubmissionError as SubmissionError
    from .errors import TaskSpecError as TaskSpecError
    from .errors import TruncatedStreamError as TruncatedStreamError
    from .errors import ValidationError as ValidationError
    from .errors import WaitTimeoutError as WaitTimeoutError
    from .group import RunStatus as RunStatus
    from .group import TaskGroup as TaskGroup
    from .jobs.dataframe import run_dataframe as run_dataframe
    from .jobs.export import ExportReport as ExportReport
    from .jobs.export import export_results as export_results
    from .jobs.inputs import FORMATS as INPUT_FORMATS  # noqa: F401
    from .jobs.prices import PriceTable as PriceTable
    from .jobs.progress import JobListener as JobListener
    from .jobs.progress import JobProgress as JobProgress
    from .jobs.quote import JobQuote as JobQuote
    from .jobs.records import event_record as event_record
    from .jobs.report import JobReport as JobReport
    from .jobs.runner import run_job as run_job
    from .jobs.specs import task_spec_from_files as task_spec_from_files
    from .jobs.summary import JobSummary as JobSummary
    from .jobs.summary import summarize_job as summarize_job
    from .jobs.summary_html import summary_html as summary_html
    from .jobs.summary_html import write_summary_html as write_summary_html
    from .jobs.summary_text import summary_text as summary_text
    from .results import ResultSnapshot as ResultSnapshot
    from .results import ResultStream as ResultStream
    from .results import RunResult as RunResult
    from .streaming.cursors import CursorStore as CursorStore
    from .streaming.cursors import JsonFileCursorStore as JsonFileCursorStore
    from .streaming.cursors import MemoryCursorStore as MemoryCursorStore
    from .streaming.cursors import SqliteCursorStore as SqliteCursorStore
    from .streaming.events import Event as Event
    from .streaming.events import UnknownEvent as UnknownEvent
    from .streaming.stream import EventStream as EventStream
    from .submission.journal import JsonlJournal as JsonlJournal
    from .submission.journal import MemoryJournal as MemoryJournal
    from .submission.journal import SqliteJournal as SqliteJournal
    from .submission.journal import SubmissionJournal as SubmissionJournal
    from .submission.keys import ROW_KEY_FIELD as ROW_KEY_FIELD
    from .submission.pacing import RateLimiter as RateLimiter
    from .submission.report import SubmitReport as SubmitReport

_ERRORS = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "ArgumentTypeError",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ConfigurationError",
    "ConflictError",
    "CursorStoreError",
    "ErrorEventsOnlyError",
    "EventTooLargeError",
    "InputError",
    "InsecureTransportError",
    "JobChangedError",
    "JobError",
    "JobIncompleteError",
    "JobInterruptedError",
    "JobLockedError",
    "JournalError",
    "NotFoundError",
    "ParallelError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "ResultsFileError",
    "RowError",
    "ServerError",
    "StateFileError",
    "StreamError",
    "StreamNotSupportedError",
    "SubmissionError",
    "TaskSpecError",
    "TruncatedStreamError",
    "ValidationError",
    "WaitTimeoutError",
]

# public name -> (module, name in that module); loaded on first attribute access.
_EXPORTS: dict[str, tuple[str, str]] = {
    **{name: (".errors", name) for name in _ERRORS},
    "Backoff": ("._retry", "Backoff"),
    "Client": (".client", "Client"),
    "Clock": ("._clock", "Clock"),
    "RetryPolicy": ("._retry", "RetryPolicy"),
    "CursorStore": (".streaming.cursors", "CursorStore"),
    "Event": (".streaming.events", "Event"),
    "EventStream": (".streaming.stream", "EventStream"),
    "ExportReport": (".jobs.export", "ExportReport"),
    "INPUT_FORMATS": (".jobs.inputs", "FORMATS"),
    "JobListener": (".jobs.progress", "JobListener"),
    "JobProgress": (".jobs.progress", "JobProgress"),
    "JobQuote": (".jobs.quote", "JobQuote"),
    "JobReport": (".jobs.report", "JobReport"),
    "JobSummary": (".jobs.summary", "JobSummary"),
    "PriceTable": (".jobs.prices", "PriceTable"),
    "JsonFileCursorStore": (".streaming.cursors", "JsonFileCursorStore"),
    "JsonlJournal": (".submission.journal", "JsonlJournal"),
    "MemoryCursorStore": (".streaming.cursors", "MemoryCursorStore"),
    "MemoryJournal": (".submission.journal", "MemoryJournal"),
    "ROW_KEY_FIELD": (".submission.keys", "ROW_KEY_FIELD"),
    "RateLimiter": (".submission.pacing", "RateLimiter"),
    "ResultSnapshot": (".results", "ResultSnapshot"),
    "ResultStream": (".results", "ResultStream"),
    "RunResult": (".results", "RunResult"),
    "RunStatus": (".group", "RunStatus"),
    "SqliteCursorStore": (".streaming.cursors", "SqliteCursorStore"),
    "SqliteJournal": (".submission.journal", "SqliteJournal"),
    "SubmissionJournal": (".submission.journal", "SubmissionJournal"),
    "SubmitReport": (".submission.report", "SubmitReport"),
    "TaskGroup": (".group", "TaskGroup"),
    "UnknownEvent": (".streaming.events", "UnknownEvent"),
    "event_record": (".jobs.records", "event_record"),
    "status_counts": ("._status", "status_counts"),
    "export_results": (".jobs.export", "export_results"),
    "run_dataframe": (".jobs.dataframe", "run_dataframe"),
    "run_job": (".jobs.runner", "run_job"),
    "summarize_job": (".jobs.summary", "summarize_job"),
    "summary_html": (".jobs.summary_html", "summary_html"),
    "summary_text": (".jobs.summary_text", "summary_text"),
    "task_spec_from_files": (".jobs.specs", "task_spec_from_files"),
    "write_summary_html": (".jobs.summary_html", "write_summary_html"),
}
_MODULES = {"errors": ".errors", "types": ".types"}

__all__ = sorted([*_EXPORTS, *_MODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value: Any = importlib.import_module(_MODULES[name], __name__)
    elif name in _EXPORTS:
        module, attr = _EXPORTS[name]
        value = getattr(importlib.import_module(module, __name__), attr)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

"""Every error ``parallel_taskgroup`` raises. All derive from :class:`ParallelError`::

    ParallelError
    ├── ConfigurationError (ValueError)         the client or a call's arguments are wrong
    │   ├── InsecureTransportError              the key would go over plain http
    │   └── ArgumentTypeError (TypeError)       an argument of the wrong type
    ├── APIError                                talking to the API failed
    │   ├── APIStatusError                      the server answered with an error status
    │   │   ├── BadRequestError                   400
    │   │   ├── AuthenticationError               401
    │   │   ├── PaymentRequiredError              402  not enough credit for the runs
    │   │   ├── PermissionDeniedError             403
    │   │   ├── NotFoundError                     404
    │   │   ├── RequestTimeoutError               408
    │   │   ├── ConflictError                     409
    │   │   ├── ValidationError                   422  see ``details``
    │   │   ├── RateLimitError                    429  see ``retry_after``
    │   │   ├── ServerError                       5xx
    │   │   └── RedirectError                     3xx to elsewhere; the key is never sent there
    │   ├── APIConnectionError                  the server could not be reached
    │   │   └── APITimeoutError
    │   ├── ResponseFormatError                 a 2xx body not in the API's shape
    │   └── ResponseTooLargeError               a body over ``Client(max_body_bytes=...)``
    ├── StreamError                             an event stream cannot go on
    │   ├── TruncatedStreamError                the body stopped mid-event
    │   ├── EventTooLargeError                  one event over ``Client(max_event_bytes=...)``
    │   ├── StreamNotSupportedError             no event stream here
    │   └── ErrorEventsOnlyError                only ``error`` events for too long
    ├── WaitTimeoutError (TimeoutError)         a caller's ``timeout`` passed
    ├── CursorStoreError                        a cursor store cannot be read or written
    ├── JournalError                            a submission journal cannot be used
    ├── InputError (ValueError)                 rows or input files the API would refuse
    │   ├── RowError                            one row; ``position`` and ``key`` say which
    │   └── TaskSpecError                       a task spec or schema cannot be used
    ├── SubmissionError                         add-runs stopped part-way; see ``report``
    │   └── BudgetExceededError                 the next batch would exceed ``max_cost``
    └── JobError                                a batch job's files forbid going on
        ├── StateFileError
        ├── ResultsFileError
        ├── JobLockedError                      another process runs this job
        ├── JobChangedError                     the job's definition differs from its state
        ├── JobIncompleteError                  the group is idle but rows lack a result
        └── JobInterruptedError                 the job was asked to stop (Ctrl-C, SIGTERM)

Errors carry ``message``, ``status_code`` (``None`` when no HTTP response was involved) and the
server's ``ref_id`` when it sent one. They never hold a request, its headers or the API key.
"""

from __future__ import annotations

from typing import Any, Optional

# Imported at run time, not only for type checking, so that typing.get_type_hints can resolve
# the annotations that name them (ValidationError.details, SubmissionError.report). Neither
# imports this package's other modules: no cycle.
from parallel_taskgroup_api.models import ValidationError as ValidationDetail

from .submission.report import SubmitReport

__all__ = [
    "APIConnectionError",
    "APIError",
    "ArgumentTypeError",
    "APIStatusError",
    "APITimeoutError",
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


class ParallelError(Exception):
    """Base class of every error raised by ``parallel_taskgroup``."""

    job_report: Optional[Any] = None
    """On the error that ended a ``run_job`` session: the job's ``JobReport`` as it ended
    (rows by status, spend); None otherwise."""

    def __init__(
        self, message: str, *, status_code: Optional[int] = None, ref_id: Optional[str] = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.ref_id = ref_id

    def __str__(self) -> str:
        parts = []
        if self.status_code is not None:
            parts.append(f"HTTP {self.status_code}: ")
        parts.append(self.message)
        if self.ref_id:
            parts.append(f" (ref_id {self.ref_id})")
        return "".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status_code={self.status_code!r}, "
            f"ref_id={self.ref_id!r})"
        )


# -- configuration -----------------------------------------------------------------------------


class ConfigurationError(ParallelError, ValueError):
    """The client or a call was set up wrongly (missing key, unknown API version, bad base URL,
    an option out of range)."""


class InsecureTransportError(ConfigurationError):
    """Refused to send the API key over plain http:// to a host that is not loopback."""


class ArgumentTypeError(ConfigurationError, TypeError):
    """An argument has the wrong type (e.g. rows that are not an iterable)."""


# -- the API -------------------------------------------------------------------------------------


class APIError(ParallelError):
    """A request to the API failed."""


class APIStatusError(APIError):
    """The server answered with an error status."""

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        ref_id: Optional[str] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message, status_code=status_code, ref_id=ref_id)
        self.method = method
        self.url = url
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    """400: the request was malformed."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PaymentRequiredError(APIStatusError):
    """402: the account's credit does not cover the runs (groups reserve credit up front).

    Raised by ``add_runs`` with ``report`` set: what was created before the shortfall. Nothing
    of the refused batch was created; top up and call again with the same journal to resume.
    """

    report: Optional[SubmitReport] = None


class PermissionDeniedError(APIStatusError):
    """403: the request is not allowed (e.g. a processor the account cannot use)."""


class NotFoundError(APIStatusError):
    """404: no such group, run or path."""


class RequestTimeoutError(APIStatusError):
    """408: the server gave up waiting (e.g. a run result that is not ready yet)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""


class ValidationError(APIStatusError):
    """422: the server rejected the request body or parameters; see ``details``."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 422,
        ref_id: Optional[str] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
        details: Optional[list[ValidationDetail]] = None,
    ) -> None:
        super().__init__(message, status_code=status_code, ref_id=ref_id, method=method, url=url)
        self.details: list[ValidationDetail] = details or []


class RateLimitError(APIStatusError):
    """429: over the account's rate limit; ``retry_after`` is the server's hint in seconds."""


class ServerError(APIStatusError):
    """5xx: the server failed."""


class RedirectError(APIStatusError):
    """A 3xx to another origin (or too many redirects): not followed, so the key stays here."""


class APIConnectionError(APIError):
    """The server could not be reached or the connection broke.

    ``maybe_sent`` is False only when the connection was never established, so the server
    certainly did not see the request.
    """

    def __init__(self, message: str, *, maybe_sent: bool = True) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class APITimeoutError(APIConnectionError):
    """The request timed out on the client side."""


class ResponseFormatError(APIError):
    """A successful response did not have the shape the API specifies (a cut or mangled body
    included; reads retry it)."""


class ResponseTooLargeError(APIError):
    """A response body is larger than the client accepts (``Client(max_body_bytes=...)``):
    nothing the API documents is that large, so it is not retried."""


# -- streams and waiting -------------------------------------------------------------------------


class StreamError(ParallelError):
    """An event stream cannot go on."""

    def __init__(
        self,
        message: str,
        *,
        event_id: Optional[str] = None,
        status_code: Optional[int] = None,
        ref_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, status_code=status_code, ref_id=ref_id)
        self.event_id = event_id


class TruncatedStreamError(StreamError):
    """A stream's body ended in the middle of an event (a faulty server or proxy). Resumable
    streams reconnect from their cursor; the half-received event is never delivered."""


class EventTooLargeError(StreamError):
    """One event of a stream is larger than the client accepts (``Client(max_event_bytes=...)``);
    reading stopped there, holding no more than that, and it is not retried (the server would
    send the same event again)."""


class StreamNotSupportedError(StreamError):
    """The server does not offer an event stream here (404/405 or not text/event-stream)."""


class ErrorEventsOnlyError(StreamError):
    """A stream delivered nothing but ``error`` events for longer than its patience allows."""


class WaitTimeoutError(ParallelError, TimeoutError):
    """A caller-given ``timeout`` passed before the operation finished."""


class CursorStoreError(ParallelError):
    """A cursor store cannot be read or written."""


class JournalError(ParallelError):
    """The journal file cannot be used (unreadable, corrupt, or not a journal)."""


# -- input and submission ------------------------------------------------------------------------


class InputError(ParallelError, ValueError):
    """Input rows or files cannot be submitted as they are; the message says where and why."""


class RowError(InputError):
    """One row cannot be submitted; ``position`` is its 0-based index among the rows, ``key``
    its row key when known. Nothing of the batch that would have held the row was sent.

    ``report`` is set when the error stops a submission part-way: what was already submitted.
    """

    def __init__(self, position: int, problem: str, *, key: Optional[str] = None) -> None:
        where = f"row at index {position}" + (f" (key {key!r})" if key is not None else "")
        super().__init__(f"{where}: {problem}")
        self.position = position
        self.key = key
        self.problem = problem
        self.report: Optional[SubmitReport] = None


class TaskSpecError(InputError):
    """A task spec or schema (or the file holding it) cannot be used."""


class SubmissionError(ParallelError):
    """A submission stopped part-way; ``report`` says what was done, the journal resumes it."""

    def __init__(
        self, message: str, report: SubmitReport, *, cause: Optional[BaseException] = None
    ) -> None:
        status: Any = getattr(cause, "status_code", None)
        ref_id: Any = getattr(cause, "ref_id", None)
        super().__init__(message, status_code=status, ref_id=ref_id)
        self.report = report


class BudgetExceededError(SubmissionError):
    """The next batch would take the job's spend over its ``max_cost``; nothing more was sent."""


# -- batch jobs ----------------------------------------------------------------------------------


class JobError(ParallelError):
    """A batch job's files (state, results, lock) do not allow it to go on as asked."""


class StateFileError(JobError):
    """The job's state file is unreadable or belongs to another job."""


class ResultsFileError(JobError):
    """The results file cannot be opened, read back or written."""


class JobLockedError(JobError):
    """Another process is running this job (it holds the lock on its state)."""


class JobChangedError(JobError):
    """The job's definition (input, processor, task spec, key) differs from the one it started
    with; ``differences`` names each."""

    def __init__(self, message: str, *, differences: Optional[list[str]] = None) -> None:
        super().__init__(message)
        self.differences = differences or []


class JobIncompleteError(JobError):
    """The group is idle but some input rows have no finished run."""


class JobInterruptedError(JobError):
    """The job was asked to stop (``run_job(stop=...)``; Ctrl-C or SIGTERM in ``taskgroup``).
    It stopped cleanly: the request in flight finished, the results file has one line per row,
    and the same call resumes. ``report`` says where it stood."""

    report: Optional[Any] = None

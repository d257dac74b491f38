"""Exit codes, and the one place that maps an error to its code and its one-line message.

Errors of the command line itself carry their code (:class:`CommandError`); the library's
errors are mapped by class in :func:`exit_status`.
"""

from __future__ import annotations

import errno
import math
import re
import shlex
from collections.abc import Sequence
from typing import Callable, Optional

import parallel_taskgroup as ptg

EXIT_OK = 0
EXIT_ROWS_FAILED = 1
EXIT_USAGE = 2
EXIT_API = 3
EXIT_CREDIT = 4
EXIT_BUDGET = 5
EXIT_IO = 6
EXIT_DUPLICATES = 7
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = (
    "Exit codes: 0 all rows completed, 1 some rows failed, 2 usage or input error, "
    "3 API/auth/network error, 4 not enough credit (402), 5 --max-cost reached, "
    "6 file I/O error (e.g. disk full), 7 done but the group holds more than one run for some "
    "rows (each billed; listed), 130 interrupted. After 1, 3, 4, 5, 6 and 130 the same "
    "command resumes."
)


class CommandError(Exception):
    """An error of the command line itself, with the exit code it ends with."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, exit_code: Optional[int] = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(CommandError):
    """The command cannot proceed as asked; the message says what to change."""


def _server_rejected(exc: BaseException) -> str:
    return f"the server rejected the request: {exc}"


def _auth(exc: BaseException) -> str:
    assert isinstance(exc, ptg.AuthenticationError)
    return f"authentication failed (HTTP {exc.status_code}): check PARALLEL_API_KEY ({exc.message})"


_API_PATH = re.compile(r"^(?P<base>.*?)/v1(?:beta)?/tasks/groups(?P<rest>/[^?]*)?")


def _not_found(exc: ptg.APIStatusError, base_url: Optional[str]) -> str:
    """A 404 says which was not found: the API itself (creating a group cannot be "not found"
    but at a wrong URL, e.g. a base URL with a path), or the group."""
    found = _API_PATH.match(exc.url or "")
    base = found.group("base") if found else (base_url or "the base URL")
    where = "--base-url (or PARALLEL_BASE_URL)"
    if found and exc.method == "POST" and not (found.group("rest") or "").strip("/"):
        return (
            f"the API was not found at {base} (HTTP 404 on {exc.method} {exc.url}): check "
            f"{where}; it is the server alone, with no path, e.g. https://api.parallel.ai"
        )
    message = f"not found (HTTP 404): {exc.message}; check the group id"
    if found and base.partition("://")[2].partition("/")[2].strip("/"):
        message += f" (or {where}: {base} has a path; the API's has none)"
    return message


def _insecure(exc: BaseException) -> str:
    assert isinstance(exc, ptg.InsecureTransportError)
    return exc.message.replace("pass allow_insecure_http=True", "pass --allow-insecure-http")


def _io(exc: BaseException) -> str:
    return f"file I/O failed: {exc}"


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, ptg.ParallelError) else str(exc)


def _api(exc: BaseException) -> str:
    return f"API error: {exc}"


def _table() -> list[tuple[type[BaseException], int, Callable[[BaseException], str]]]:
    # Most specific first: the first class that matches decides.
    return [
        (ptg.AuthenticationError, EXIT_API, _auth),
        (ptg.PaymentRequiredError, EXIT_CREDIT, str),
        (ptg.ValidationError, EXIT_USAGE, _server_rejected),
        (ptg.BadRequestError, EXIT_USAGE, _server_rejected),
        (ptg.PermissionDeniedError, EXIT_USAGE, _server_rejected),
        (ptg.InsecureTransportError, EXIT_USAGE, _insecure),
        (ptg.ConfigurationError, EXIT_USAGE, _message),
        (ptg.InputError, EXIT_USAGE, str),
        (ptg.JobIncompleteError, EXIT_API, str),
        (ptg.JobInterruptedError, EXIT_INTERRUPTED, _message),
        (ptg.JobError, EXIT_USAGE, str),
        (ptg.JournalError, EXIT_USAGE, str),
        (ptg.CursorStoreError, EXIT_USAGE, str),
        (ptg.BudgetExceededError, EXIT_BUDGET, _message),
        (ptg.ParallelError, EXIT_API, _api),
        (OSError, EXIT_IO, _io),
    ]


_IO_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS})


def _io_failure(exc: BaseException) -> Optional[BaseException]:
    """The disk failure (full, read-only, I/O error) behind ``exc``, if that is what it is."""
    current: Optional[BaseException] = exc
    for _ in range(10):
        if current is None:
            return None
        if getattr(current, "errno", None) in _IO_ERRNOS:
            return current
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return None


def exit_status(exc: BaseException, *, base_url: Optional[str] = None) -> tuple[int, str]:
    """The exit code and one-line message for ``exc``."""
    if isinstance(exc, CommandError):
        return exc.exit_code, str(exc)
    if _io_failure(exc) is not None:
        return EXIT_IO, _io(exc)
    if isinstance(exc, ptg.NotFoundError):
        return EXIT_USAGE, _not_found(exc, base_url)
    if isinstance(exc, ptg.SubmissionError) and exc.status_code in (400, 403, 422):
        # The service refused the rows themselves: running again would be refused again.
        return EXIT_USAGE, f"the service refused the rows (not resumable as they are): {exc}"
    if isinstance(exc, ptg.APIConnectionError):
        where = f" {base_url}" if base_url else ""
        return EXIT_API, f"cannot reach the server{where}: {exc.message}"
    for cls, code, describe in _table():
        if isinstance(exc, cls):
            return code, describe(exc)
    return EXIT_API, f"unexpected error: {type(exc).__name__}: {exc}"


RESUMABLE = frozenset({EXIT_API, EXIT_CREDIT, EXIT_BUDGET, EXIT_IO, EXIT_INTERRUPTED})
"""The exits of ``taskgroup run`` after which the same command goes on."""


def next_command(
    code: int, argv: Sequence[str], *, retrying: bool = False, budget: Optional[float] = None
) -> Optional[str]:
    """The command that goes on after ``taskgroup run`` exited with ``code`` (``retrying``:
    it had ``--retry failed``; ``budget``: after a budget stop, the ``--max-cost`` that lets
    the job send every row it has left, see :func:`budget_to_finish`), or None when there is
    nothing to go on with."""
    if code == EXIT_ROWS_FAILED:
        return shlex.join(["taskgroup", *argv] if retrying else ["taskgroup", *_retry_failed(argv)])
    if code == EXIT_BUDGET and budget is not None:
        return shlex.join(["taskgroup", *_with_max_cost(argv, budget)])
    if code in RESUMABLE:
        return shlex.join(["taskgroup", *argv])
    return None


def budget_to_finish(error: BaseException) -> Optional[float]:
    """The ``--max-cost`` (in USD, rounded up to the cent) that lets a job stopped by its
    budget send every row it has left: what it spent before the session plus the session's
    quote; None when ``error`` carries no priced job report."""
    report = getattr(error, "job_report", None)
    # None first: naming ptg.JobReport loads the jobs package, a usage error must not wait for.
    if report is None or not isinstance(report, ptg.JobReport):
        return None
    total = report.quote.spent_usd + report.quote.cost_usd
    if not math.isfinite(total):
        return None
    return math.ceil(round(total * 100, 6)) / 100


def _with_max_cost(argv: Sequence[str], usd: float) -> list[str]:
    """``argv`` with ``--max-cost`` (or an abbreviation argparse took for it) set to ``usd``."""
    kept = _without(argv, lambda name: len(name) >= 4 and "--max-cost".startswith(name))
    return [*kept, "--max-cost", f"{usd:.2f}"]


_RETRY_VALUED = ("--retry", "--fields", "--at-most")
_RETRY_FLAGS = ("--without-citations",)


def _retry_failed(argv: Sequence[str]) -> list[str]:
    """``argv`` with ``--retry failed`` in place of any other retry rule (``--retry
    low-confidence`` and its ``--fields``, ``--at-most``, ``--without-citations``)."""
    kept = _without(argv, _RETRY_VALUED.__contains__, _RETRY_FLAGS.__contains__)
    return [*kept, "--retry", "failed"]


def _without(
    argv: Sequence[str],
    valued: Callable[[str], bool],
    flag: Callable[[str], bool] = lambda name: False,
) -> list[str]:
    """``argv`` less the options whose names ``valued`` picks (with their values, given
    apart or after ``=``) and the flags ``flag`` picks."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if valued(name):
            skip = "=" not in arg
        elif not flag(name):
            kept.append(arg)
    return kept


def resume_hint(
    code: int, argv: Sequence[str], *, retrying: bool = False, budget: Optional[float] = None
) -> Optional[str]:
    """How to go on after ``taskgroup run`` exited with ``code`` (None: nothing to go on with,
    e.g. after a usage error or a refusal that the same command would meet again); ``budget``
    as for :func:`next_command`."""
    command = next_command(code, argv, retrying=retrying, budget=budget)
    if command is None:
        return None
    if code == EXIT_ROWS_FAILED:
        again = " again" if retrying else ""
        return f"to retry the failed rows{again}: {command}"
    if code == EXIT_CREDIT:
        return f"to resume after topping up the account, run the same command again: {command}"
    if code == EXIT_BUDGET and budget is not None:
        return (
            f"to continue, run the same command with a higher --max-cost (${budget:,.2f} "
            f"lets it send every row left): {command}"
        )
    if code == EXIT_BUDGET:
        return f"to continue, run the same command with a higher --max-cost: {command}"
    return f"to resume, run the same command again: {command}"

"""The `taskgroup` command line: run a file of rows through a Task Group, watch groups, fetch
results.

Exit codes: 0 every row completed; 1 some rows failed (the results file says which); 2 usage or
input errors; 3 API, authentication or network errors (after retries); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import IO, Any, Callable, Optional, Union

from parallel_taskgroup_api.models import TaskRunEvent

from . import errors
from .client import Client
from .cursors import JsonFileCursorStore
from .group import TaskGroup
from .inputs import FORMATS, InputError
from .journal import JournalError
from .metadata import ROW_KEY_FIELD, RowError, metadata_problem
from .outputs import OutputError, ResultsWriter, output_format
from .records import (
    TERMINAL_STATUSES,
    event_json,
    result_record,
    row_key_of,
    status_counts,
    status_of,
)
from .results import result_from_event
from .run_command import BatchRun, IncompleteError, RunOptions, UsageError
from .specs import SpecError, build_task_spec
from .state import StateError

EXIT_OK = 0
EXIT_FAILED_ROWS = 1
EXIT_USAGE = 2
EXIT_API = 3
EXIT_INTERRUPTED = 130

_EVENTS_STREAM = "events"
_CURSOR_SAVE_SECONDS = 0.5


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so `main()` can return the code."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="taskgroup",
        description="Run Parallel Tasks over a file of rows as one Task Group, watch groups and "
        "fetch their results. The API key comes from PARALLEL_API_KEY.",
        epilog="Exit codes: 0 all rows completed, 1 some rows failed, 2 usage or input error, "
        "3 API/auth/network error, 130 interrupted (run the same command again to resume).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def connection(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--verbose", "-v", action="store_true", help="log retries and reconnects to stderr"
        )
        p.add_argument(
            "--base-url",
            help="API server (default: PARALLEL_BASE_URL or https://api.parallel.ai)",
        )
        p.add_argument(
            "--api-version",
            choices=("v1", "v1beta"),
            help="path version for group endpoints (default: PARALLEL_API_VERSION or v1)",
        )

    run = sub.add_parser(
        "run",
        help="run a task over every row of a file and write one result line per row",
        description="Create (or reuse) a group, submit every row exactly once with pacing, and "
        "write one line per row to RESULTS as runs finish. Interrupt any time; the same "
        "command resumes.",
    )
    run.add_argument("input", metavar="INPUT", help="JSONL, JSON array or CSV file; - for stdin")
    run.add_argument("--out", required=True, metavar="RESULTS", help="results file (.jsonl/.csv)")
    run.add_argument("--format", choices=FORMATS, help="input format (default: from extension)")
    run.add_argument("--processor", default="base", help="processor for every run (default base)")
    spec = run.add_mutually_exclusive_group()
    spec.add_argument("--task-spec", metavar="FILE", help="task spec JSON (input/output schema)")
    spec.add_argument("--output-schema", metavar="FILE", help="output JSON schema file")
    spec.add_argument("--output-text", metavar="TEXT", help="describe a text output instead")
    run.add_argument("--input-schema", metavar="FILE", help="input JSON schema file")
    run.add_argument("--key", metavar="FIELD", help="row field holding a unique key per row")
    run.add_argument("--group", metavar="ID", help="add the rows to this existing group")
    run.add_argument("--state", metavar="FILE", help="state file (default: RESULTS.state.json)")
    run.add_argument(
        "--metadata", nargs="+", default=[], metavar="K=V", help="metadata for a new group"
    )
    run.add_argument("--include-basis", action="store_true", help="add basis/citations to results")
    run.add_argument(
        "--rate-per-minute",
        type=_positive_int,
        default=2000,
        metavar="N",
        help="submission pace in runs per minute (default 2000, the API's default limit)",
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    connection(run)

    status = sub.add_parser("status", help="summary of a group")
    status.add_argument("group", metavar="GROUP")
    status.add_argument("--json", action="store_true", help="print the raw JSON")
    connection(status)

    events = sub.add_parser(
        "events", help="print a group's events as JSON lines (resumable with --cursor-file)"
    )
    events.add_argument("group", metavar="GROUP")
    events.add_argument(
        "--follow", "-f", action="store_true", help="keep waiting for new events until Ctrl-C"
    )
    events.add_argument("--cursor-file", metavar="FILE", help="resume from and save the cursor")
    connection(events)

    results = sub.add_parser("results", help="write every finished run of a group to a file")
    results.add_argument("group", metavar="GROUP")
    results.add_argument("--out", required=True, metavar="FILE", help="results file (.jsonl/.csv)")
    results.add_argument("--wait", action="store_true", help="wait for active runs to finish")
    results.add_argument("--include-basis", action="store_true", help="add basis/citations")
    connection(results)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def parse_metadata(items: Sequence[str]) -> Optional[dict[str, Union[str, int, float, bool]]]:
    """`k=v` pairs to a metadata dict; numbers and true/false keep their types."""
    if not items:
        return None
    result: dict[str, Union[str, int, float, bool]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--metadata {item!r}: expected KEY=VALUE")
        value: Union[str, int, float, bool] = raw
        if raw in ("true", "false"):
            value = raw == "true"
        else:
            for convert in (int, float):
                try:
                    value = convert(raw)
                    break
                except ValueError:
                    continue
        result[key] = value
    problem = metadata_problem(result)
    if problem:
        raise UsageError(f"--metadata: {problem}")
    return result


def _require_api_key() -> None:
    if not os.environ.get("PARALLEL_API_KEY", "").strip():
        raise UsageError("no API key: set the PARALLEL_API_KEY environment variable")


def _client(args: argparse.Namespace) -> Client:
    _require_api_key()
    return Client(base_url=args.base_url, api_version=args.api_version)


def _attach(client: Client, group_id: str) -> TaskGroup:
    group = client.group(group_id)
    group.status()  # a wrong key, unknown group or unreachable server fails here, clearly
    return group


# Commands ---------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace, argv: Sequence[str], stderr: IO[str]) -> int:
    spec = build_task_spec(
        task_spec_file=args.task_spec,
        output_schema_file=args.output_schema,
        output_text=args.output_text,
        input_schema_file=args.input_schema,
    )
    metadata = parse_metadata(args.metadata)
    _require_api_key()
    hint = "run the same command again: " + shlex.join(["taskgroup", *argv])
    options = RunOptions(
        input_path=args.input,
        out=args.out,
        input_format=args.format,
        processor=args.processor,
        task_spec=spec,
        key_field=args.key,
        group_id=args.group,
        state_path=args.state,
        metadata=metadata,
        include_basis=args.include_basis,
        quiet=args.quiet,
        rate_per_minute=args.rate_per_minute,
        base_url=args.base_url,
        api_version=args.api_version,
        resume_hint=hint,
    )
    with _sigterm_as_interrupt():
        return BatchRun(options, stderr).execute()


def cmd_status(args: argparse.Namespace, stdout: IO[str]) -> int:
    with _client(args) as client:
        info = client.group(args.group).status()
    if args.json:
        stdout.write(json.dumps(info.to_dict(), indent=2) + "\n")
        return EXIT_OK
    status = info.status
    counts = status_counts(status)
    rows = [
        ("group", info.taskgroup_id),
        ("state", "active" if status.is_active else "idle"),
        ("runs", str(status.num_task_runs)),
    ]
    for name in ("queued", "action_required", "running", "completed", "failed", "cancelling"):
        if counts.get(name) or name in ("queued", "running", "completed", "failed"):
            rows.append((f"  {name}", str(counts.get(name, 0))))
    for name in sorted(set(counts) - {r[0].strip() for r in rows}):
        rows.append((f"  {name}", str(counts[name])))
    if status.status_message:
        rows.append(("message", status.status_message))
    rows.append(("created", str(info.created_at or "-")))
    rows.append(("modified", str(status.modified_at or "-")))
    metadata = info.metadata
    if metadata and hasattr(metadata, "to_dict"):
        rows.append(("metadata", ", ".join(f"{k}={v}" for k, v in metadata.to_dict().items())))
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        stdout.write(f"{label:<{width}}  {value}\n")
    return EXIT_OK


def cmd_events(args: argparse.Namespace, stdout: IO[str]) -> int:
    store = JsonFileCursorStore(args.cursor_file) if args.cursor_file else None
    with _client(args) as client:
        group = _attach(client, args.group)
        cursor = store.load(group.id, _EVENTS_STREAM) if store else None
        saved = cursor
        last_save = time.monotonic()

        def save(force: bool = False) -> None:
            nonlocal saved, last_save
            if store is None or cursor is None or cursor == saved:
                return
            if force or time.monotonic() - last_save >= _CURSOR_SAVE_SECONDS:
                stdout.flush()  # the cursor never runs ahead of what was printed
                store.save(group.id, _EVENTS_STREAM, cursor)
                saved, last_save = cursor, time.monotonic()

        try:
            while True:
                for event in group.events(last_event_id=cursor):
                    stdout.write(json.dumps(event_json(event), ensure_ascii=False) + "\n")
                    event_id = getattr(event, "event_id", None)
                    if isinstance(event_id, str) and event_id:
                        cursor = event_id
                    save()
                stdout.flush()
                save(force=True)
                if not args.follow:
                    return EXIT_OK
                time.sleep(2.0)
        except KeyboardInterrupt:
            if args.follow:
                return EXIT_OK
            raise
        finally:
            with suppress(OSError, ValueError):
                save(force=True)


def cmd_results(args: argparse.Namespace, stderr: IO[str]) -> int:
    with _client(args) as client:
        group = _attach(client, args.group)
        fmt = output_format(args.out, None)
        active = 0
        with ResultsWriter(args.out, fmt, args.include_basis) as writer:
            before = len(writer.keys)
            if args.wait:
                for result in group.results(include_input=True):
                    writer.write(result_record(result, args.include_basis))
                    if writer.pending >= 500:
                        writer.flush()
            else:
                for event in group.runs(include_input=True, include_output=True):
                    if not isinstance(event, TaskRunEvent):
                        continue
                    if status_of(event.run) not in TERMINAL_STATUSES:
                        active += 1
                        continue
                    if row_key_of(event.run, ROW_KEY_FIELD) in writer.keys:
                        continue
                    result = result_from_event(group, event, include_input=True)
                    writer.write(result_record(result, args.include_basis))
                    if writer.pending >= 500:
                        writer.flush()
            writer.flush()
            written = len(writer.keys) - before
            failed = sum(n for s, n in writer.status_counts.items() if s != "completed")
        note = f"; {active} runs still active (use --wait)" if active else ""
        stderr.write(f"wrote {written} new result lines to {args.out}{note}\n")
    return EXIT_FAILED_ROWS if failed else EXIT_OK


# Entry point ------------------------------------------------------------------------------


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C (clean stop, resumable) while a run is in progress."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _cli_logging(verbose: bool, stream: IO[str]) -> Iterator[None]:
    """Retry notices and other library logs go to stderr only with --verbose."""
    logger = logging.getLogger("parallel_taskgroup")
    handler: logging.Handler
    if verbose:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("taskgroup: %(message)s"))
    else:
        handler = logging.NullHandler()
    previous = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    if verbose:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = previous[0], previous[1]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe_error(exc: BaseException, base_url: Optional[str] = None) -> tuple[int, str]:
    """The exit code and one-line message for an error."""
    if isinstance(exc, (UsageError, InputError, SpecError, OutputError, StateError)):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, (JournalError, RowError)):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, errors.ConfigurationError):
        return EXIT_USAGE, exc.message
    if isinstance(exc, errors.AuthenticationError):
        return EXIT_API, (
            f"authentication failed (HTTP {exc.status_code}): check PARALLEL_API_KEY "
            f"({exc.message})"
        )
    if isinstance(exc, errors.NotFoundError):
        return EXIT_USAGE, f"not found (HTTP 404): {exc.message}; check the group id"
    if isinstance(exc, errors.ValidationError):
        return EXIT_USAGE, f"the server rejected the request: {exc}"
    if isinstance(exc, errors.APIConnectionError):
        where = f" {base_url}" if base_url else ""
        return EXIT_API, f"cannot reach the server{where}: {exc.message}"
    if isinstance(exc, errors.ParallelError):
        return EXIT_API, f"API error: {exc}"
    if isinstance(exc, IncompleteError):
        return EXIT_API, str(exc)
    return EXIT_API, f"unexpected error: {type(exc).__name__}: {exc}"


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdout: Optional[IO[str]] = None,
    stderr: Optional[IO[str]] = None,
) -> int:
    """Run the `taskgroup` command line with `argv` (default: sys.argv[1:]); return the exit
    code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    base_url: Optional[str] = None
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help / --version
            return int(exc.code or 0)
        base_url = args.base_url or os.environ.get("PARALLEL_BASE_URL")
        command: Callable[[], int]
        if args.command == "run":
            command = lambda: cmd_run(args, argv, err)  # noqa: E731
        elif args.command == "status":
            command = lambda: cmd_status(args, out)  # noqa: E731
        elif args.command == "events":
            command = lambda: cmd_events(args, out)  # noqa: E731
        else:
            command = lambda: cmd_results(args, err)  # noqa: E731
        with _cli_logging(args.verbose, err):
            return command()
    except KeyboardInterrupt:
        err.write("taskgroup: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly without a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        code, message = describe_error(exc, base_url)
        err.write(f"taskgroup: error: {_one_line(message)}\n")
        err.flush()
        return code


if __name__ == "__main__":
    sys.exit(main())

"""``taskgroup run INPUT --out RESULTS``: the batch job, with a progress line."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from typing import IO, Any, Callable, Optional, Union

import parallel_taskgroup as ptg

from .connection import connect, require_api_key
from .errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_ROWS_FAILED, UsageError
from .progress import Progress

__all__ = ["add_parser", "execute", "parse_metadata"]

MetadataValue = Union[str, int, float, bool]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``run`` to the subcommands."""
    run = sub.add_parser(
        "run",
        help="run a task over every row of a file and write one result line per row",
        description="Create (or reuse) a group, submit every row exactly once with pacing, and "
        "write one line per row to RESULTS as runs finish. Interrupt any time; the same "
        "command resumes.",
    )
    run.add_argument("input", metavar="INPUT", help="JSONL, JSON array or CSV file; - for stdin")
    run.add_argument("--out", required=True, metavar="RESULTS", help="results file (.jsonl/.csv)")
    run.add_argument(
        "--format", choices=("jsonl", "json", "csv"), help="input format (default: from extension)"
    )
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
        metavar="N",
        help="cap submission at N runs per minute (default: no cap; the pace adapts to the "
        "service's rate limit); for a key shared with other work",
    )
    run.add_argument(
        "--requests-per-minute",
        type=_positive_int,
        metavar="N",
        help="cap submission at N add-runs requests per minute (default: no cap)",
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    connection(run)


def parse_metadata(items: Sequence[str]) -> Optional[dict[str, MetadataValue]]:
    """``K=V`` pairs as a metadata dict; numbers and true/false keep their types."""
    if not items:
        return None
    result: dict[str, MetadataValue] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--metadata {item!r}: expected KEY=VALUE")
        value: MetadataValue = raw
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
    return result


def execute(args: argparse.Namespace, argv: Sequence[str], stderr: IO[str]) -> int:
    """Run the job; exit 0 when every row completed, 1 when some failed."""
    spec = ptg.task_spec_from_files(
        task_spec_file=args.task_spec,
        output_schema_file=args.output_schema,
        output_text=args.output_text,
        input_schema_file=args.input_schema,
    )
    metadata = parse_metadata(args.metadata)
    require_api_key()
    hint = "run the same command again: " + shlex.join(["taskgroup", *argv])
    progress = Progress(stderr, quiet=args.quiet)
    with connect(args) as client:
        try:
            report = ptg.run_job(
                client,
                args.input,
                out=args.out,
                processor=args.processor,
                task_spec=spec,
                key=args.key,
                input_format=args.format,
                group_id=args.group,
                state_path=args.state,
                metadata=metadata,
                include_basis=args.include_basis,
                rate_per_minute=args.rate_per_minute,
                requests_per_minute=args.requests_per_minute,
                listener=progress,
            )
        except KeyboardInterrupt:
            progress.stop()
            progress.message(f"to resume, {hint}")
            if args.quiet:
                stderr.write(f"interrupted; to resume, {hint}\n")
            return EXIT_INTERRUPTED
        except BaseException:
            progress.stop()
            raise
    progress.stop()
    progress.message(
        f"done: {report.completed} completed, {report.failed} failed; results in {args.out} "
        f"(group {report.group_id})"
    )
    return EXIT_ROWS_FAILED if report.failed else EXIT_OK

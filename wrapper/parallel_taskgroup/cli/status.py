"""``taskgroup status GROUP|RESULTS``: a group's summary; given a job's results file, the
summary of its group and the file's lines by status."""

from __future__ import annotations

import argparse
import json
import os
from typing import IO, Any, Callable, Optional

import parallel_taskgroup as ptg

from .connection import connect
from .errors import EXIT_OK, UsageError
from .job_files import job_base_url, job_group, lines_by_status, state_path
from .words import examples, plural, subcommand

__all__ = ["add_parser", "execute"]

EXAMPLES = examples(
    ("a job: its group (read beside the file) and its lines", "taskgroup status results.jsonl"),
    ("any group, by its id", "taskgroup status tgrp_123"),
    ("the group object as the API gives it", "taskgroup status tgrp_123 --json"),
)

_SHOWN = ("queued", "running", "completed", "failed")
_FILE_ENDINGS = (".jsonl", ".json", ".csv", ".parquet", ".pq", ".gz")
"""A GROUP|RESULTS argument that ends so, or holds a path separator, names a file."""
_ORDER = ("queued", "action_required", "running", "completed", "failed", "cancelling")


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``status`` to the subcommands."""
    parser = subcommand(
        sub,
        "status",
        summary="summary of a group, or of the job whose results file is given",
        description=(
            "A group's summary. Given a results file of `taskgroup run`, the summary of its "
            "group (the id read from RESULTS.state.json beside it, or from the file's first "
            "line) and the file's lines by status. A path that exists is a file; anything else "
            "is a group id."
        ),
        epilog=EXAMPLES,
    )
    parser.add_argument("group", metavar="GROUP|RESULTS", help="a group id or a results file")
    parser.add_argument("--json", action="store_true", help="print the raw JSON")
    connection(parser)


def execute(args: argparse.Namespace, stdout: IO[str]) -> int:
    """Print the group's summary (and the results file's lines, given one)."""
    results: Optional[str] = None
    group_id, where = args.group, ""
    written = os.path.exists(args.group)
    # A job that has just started has its state file before it has written a line.
    starting = not written and os.path.isfile(state_path(args.group))
    if (
        not written
        and not starting
        and (os.sep in args.group or args.group.lower().endswith(_FILE_ENDINGS))
    ):
        raise UsageError(
            f"{args.group}: no such file; give a results file of `taskgroup run` or a group id"
        )
    if written or starting:
        results = args.group
        if os.path.isdir(results):
            raise UsageError(f"{results}: is a directory; give a results file or a group id")
        group_id, where = job_group(results)
        if group_id is None:
            raise UsageError(
                f"{results}: the job has no group yet ({where} names none: it stopped before "
                "creating it); run its `taskgroup run` command again"
            )
    by_status = lines_by_status(results) if results is not None and written else {}
    with connect(args) as client:
        try:
            info = client.group(group_id).refresh()
        except (ptg.NotFoundError, ptg.APIConnectionError) as exc:
            ran_at = job_base_url(results) if results is not None else None
            if ran_at is None or ran_at.rstrip("/") == client.base_url.rstrip("/"):
                raise
            # The URL is named, not followed: a file must not choose where the key is sent.
            raise UsageError(
                f"{results}: its job ran against {ran_at}, not {client.base_url} "
                f"({exc.message}); pass --base-url {ran_at}"
            ) from None
    if args.json:
        record = info.to_dict()
        if results is not None:
            record["results_file"] = {
                "path": results,
                "group_from": where,
                "lines": sum(by_status.values()),
                "by_status": by_status,
            }
        stdout.write(json.dumps(record, indent=2) + "\n")
        return EXIT_OK
    rows = _group_rows(info, where)
    if results is not None and not written:
        rows.append(("results", f"{results}: not written yet (its job has just started)"))
    elif results is not None:
        rows.append(("results", f"{results}: {plural(sum(by_status.values()), 'line')}"))
        rows += [(f"  {name}", f"{n:,}") for name, n in by_status.items()]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        stdout.write(f"{label:<{width}}  {value}\n")
    return EXIT_OK


def _group_rows(info: ptg.types.TaskGroupResponse, where: str) -> list[tuple[str, str]]:
    """The group's summary as (label, value) rows; ``where``: what its id was read from."""
    status = info.status
    counts = ptg.status_counts(status)
    read_from = f" (read from {where})" if where else ""
    rows = [
        ("group", f"{info.taskgroup_id}{read_from}"),
        ("state", "active" if status.is_active else "idle"),
        ("runs", str(status.num_task_runs)),
    ]
    for name in _ORDER:
        if counts.get(name) or name in _SHOWN:
            rows.append((f"  {name}", str(counts.get(name, 0))))
    for name in sorted(set(counts) - {r[0].strip() for r in rows}):
        rows.append((f"  {name}", str(counts[name])))
    if status.status_message:
        rows.append(("message", str(status.status_message)))
    rows.append(("created", str(info.created_at or "-")))
    rows.append(("modified", str(status.modified_at or "-")))
    metadata = info.metadata
    if metadata and hasattr(metadata, "to_dict"):
        rows.append(("metadata", ", ".join(f"{k}={v}" for k, v in metadata.to_dict().items())))
    return rows

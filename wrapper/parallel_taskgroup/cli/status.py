"""``taskgroup status GROUP``: a group's summary."""

from __future__ import annotations

import argparse
import json
from typing import IO, Any, Callable

import parallel_taskgroup as ptg

from .connection import connect
from .errors import EXIT_OK

__all__ = ["add_parser", "execute"]


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``status`` to the subcommands."""
    parser = sub.add_parser("status", help="summary of a group")
    parser.add_argument("group", metavar="GROUP")
    parser.add_argument("--json", action="store_true", help="print the raw JSON")
    connection(parser)


def execute(args: argparse.Namespace, stdout: IO[str]) -> int:
    """Print the group's summary."""
    with connect(args) as client:
        info = client.group(args.group).refresh()
    if args.json:
        stdout.write(json.dumps(info.to_dict(), indent=2) + "\n")
        return EXIT_OK
    status = info.status
    counts = ptg.status_counts(status)
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
        rows.append(("message", str(status.status_message)))
    rows.append(("created", str(info.created_at or "-")))
    rows.append(("modified", str(status.modified_at or "-")))
    metadata = info.metadata
    if metadata and hasattr(metadata, "to_dict"):
        rows.append(("metadata", ", ".join(f"{k}={v}" for k, v in metadata.to_dict().items())))
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        stdout.write(f"{label:<{width}}  {value}\n")
    return EXIT_OK

"""``taskgroup events GROUP``: a group's events as JSON lines, resumable with a cursor file."""

from __future__ import annotations

import argparse
import json
import os
from typing import IO, Any, Callable, Optional

import parallel_taskgroup as ptg

from .connection import connect
from .errors import EXIT_OK, UsageError
from .words import examples, subcommand

__all__ = ["add_parser", "execute"]

EXAMPLES = examples(
    ("every event so far", "taskgroup events tgrp_123"),
    ("new events as they come, until Ctrl-C", "taskgroup events tgrp_123 --follow"),
    (
        "only the events since the last call (the cursor is kept in the file)",
        "taskgroup events tgrp_123 --cursor-file tgrp_123.cursor.json",
    ),
)


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``events`` to the subcommands."""
    parser = subcommand(
        sub,
        "events",
        summary="print a group's events as JSON lines (resumable with --cursor-file)",
        description=(
            "A group's events as JSON lines, until the group is idle (or, with --follow, until "
            "Ctrl-C). With --cursor-file the next call starts after the last event printed."
        ),
        epilog=EXAMPLES,
    )
    parser.add_argument("group", metavar="GROUP")
    parser.add_argument(
        "--follow", "-f", action="store_true", help="keep waiting for new events until Ctrl-C"
    )
    parser.add_argument("--cursor-file", metavar="FILE", help="resume from and save the cursor")
    connection(parser)


def execute(args: argparse.Namespace, stdout: IO[str]) -> int:
    """Print events until the group is idle (or, with --follow, until Ctrl-C)."""
    if args.cursor_file:
        _check_writable(args.cursor_file)
    store: Optional[ptg.CursorStore] = (
        ptg.JsonFileCursorStore(args.cursor_file) if args.cursor_file else None
    )
    with connect(args) as client:
        group = client.group(args.group)
        group.refresh()  # a wrong key, unknown group or unreachable server fails here, clearly
        # The cursor is saved only after the lines for its events are flushed, so it never
        # runs ahead of what was printed.
        stream = group.events(
            cursor_store=store, follow=args.follow, before_cursor_save=stdout.flush
        )
        try:
            with stream:
                for event in stream:
                    stdout.write(json.dumps(ptg.event_record(event), ensure_ascii=False) + "\n")
            stdout.flush()
        except KeyboardInterrupt:
            if args.follow:
                return EXIT_OK
            raise
    return EXIT_OK


def _check_writable(path: str) -> None:
    """Refuse a cursor file that could not be saved, before any event is printed (else every
    event would be printed and the cursor lost)."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"--cursor-file {path}: is a directory; give a file path")
    if not os.path.isdir(folder):
        raise UsageError(
            f"--cursor-file {path}: its folder {folder} does not exist; create it or choose "
            "another file"
        )
    if not os.access(folder, os.W_OK | os.X_OK) or (
        os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK)
    ):
        raise UsageError(f"--cursor-file {path}: cannot be written (permission denied)")

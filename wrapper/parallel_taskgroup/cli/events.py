"""``taskgroup events GROUP``: a group's events as JSON lines, resumable with a cursor file."""

from __future__ import annotations

import argparse
import json
from typing import IO, Any, Callable, Optional

import parallel_taskgroup as ptg

from .connection import connect
from .errors import EXIT_OK

__all__ = ["add_parser", "execute"]


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``events`` to the subcommands."""
    parser = sub.add_parser(
        "events", help="print a group's events as JSON lines (resumable with --cursor-file)"
    )
    parser.add_argument("group", metavar="GROUP")
    parser.add_argument(
        "--follow", "-f", action="store_true", help="keep waiting for new events until Ctrl-C"
    )
    parser.add_argument("--cursor-file", metavar="FILE", help="resume from and save the cursor")
    connection(parser)


def execute(args: argparse.Namespace, stdout: IO[str]) -> int:
    """Print events until the group is idle (or, with --follow, until Ctrl-C)."""
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

"""Counts in words, and the help pages' layout: what every subcommand's text uses."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any, Optional

__all__ = ["HELP_FORMAT", "examples", "paragraph", "plural", "subcommand"]

HELP_FORMAT = argparse.RawDescriptionHelpFormatter
"""Descriptions and epilogs keep their lines (the examples); option help is wrapped as usual."""


def plural(n: int, word: str, many: Optional[str] = None) -> str:
    """``1 row``, ``2 rows``, ``1,000 runs``; ``many`` is an irregular plural."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def paragraph(text: str) -> str:
    """``text`` wrapped for a help page (a raw description is not wrapped by argparse)."""
    return textwrap.fill(" ".join(text.split()), width=78)


def examples(*pairs: tuple[str, str]) -> str:
    """An ``Examples:`` epilog: each (what it does, the command line) as a comment line and
    the command under it, a long one continued over lines with ``\\`` (still pastable)."""
    shown = [f"  # {what}\n  {_continued(command)}" for what, command in pairs]
    return "Examples:\n" + "\n\n".join(shown)


def _continued(command: str, width: int = 70) -> str:
    """``command`` over lines of at most ``width``, broken before an option (never between
    an option and its value)."""
    groups: list[str] = []
    for word in command.split():
        if groups and not word.startswith("-"):
            groups[-1] += f" {word}"
        else:
            groups.append(word)
    lines = [groups[0]]
    for group in groups[1:]:
        if len(lines[-1]) + 1 + len(group) > width:
            lines.append(group)
        else:
            lines[-1] += f" {group}"
    return " \\\n      ".join(lines)


def subcommand(
    sub: Any, name: str, *, summary: str, description: str, epilog: str
) -> argparse.ArgumentParser:
    """Add the subcommand ``name``: ``summary`` in the list of commands, ``description`` (one
    paragraph) and ``epilog`` (its examples, kept as written) on its help page."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=paragraph(description),
        epilog=epilog,
        formatter_class=HELP_FORMAT,
    )
    return parser

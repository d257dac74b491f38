"""Every `--help` ends with examples: real command lines, each kept on its own lines."""

from __future__ import annotations

import shlex

import pytest
from cli_helpers import run_cli
from parallel_taskgroup.cli.command import build_parser


def examples_of(help_text: str) -> list[str]:
    """The example commands of a help page, continuation lines joined."""
    section = help_text.split("\nExamples:\n", 1)[1].split("\n\nExit codes:", 1)[0]
    commands, current = [], ""
    for line in section.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        current += " " + line.strip().removesuffix("\\").strip()
        if not line.endswith("\\"):
            commands.append(current.strip())
            current = ""
    return commands


@pytest.mark.parametrize("command", [[], ["run"], ["status"], ["events"], ["results"], ["report"]])
def test_every_help_ends_with_two_to_four_examples_of_real_command_lines(
    command: list[str],
) -> None:
    code, stdout, _ = run_cli([*command, "--help"])
    assert code == 0
    commands = examples_of(stdout)
    assert 2 <= len(commands) <= 4, stdout
    parser = build_parser()
    for line in commands:
        words = shlex.split(line)
        assert words[0] == "taskgroup"
        if command:
            assert words[1] == command[0]
        parser.parse_args(words[1:])  # each one is a command line the parser accepts


def test_the_examples_keep_their_lines_and_fit_a_terminal() -> None:
    _, stdout, _ = run_cli(["run", "--help"])
    section = stdout.split("\nExamples:\n", 1)[1]
    assert "  # the table changed: run its new and edited rows" in section
    assert all(len(line) <= 80 for line in section.splitlines()), section
    assert section.count(" \\\n      --") >= 4  # long ones go on over lines, before an option

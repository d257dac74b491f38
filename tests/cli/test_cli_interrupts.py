"""Ctrl-C on `taskgroup run`: what each press during a job does (the handler's decisions,
called directly), and that one while the final report is written does not cut it short."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import textwrap
import threading

from parallel_taskgroup.cli.progress import Progress
from parallel_taskgroup.cli.run import _Interrupts, _interrupts

RESUME = "taskgroup run in.jsonl --out out.jsonl"


class Pressed:
    """An _Interrupts over a plain stderr, with exits recorded instead of made."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.stderr = io.StringIO()
        self.stop = threading.Event()
        self.exits: list[int] = []
        progress = Progress(self.stderr, quiet=quiet, tty=False)
        self.handler = _Interrupts(
            progress, self.stop, out="out.jsonl", resume=RESUME, exit_now=self.exits.append
        )

    def press(self, times: int = 1) -> list[str]:
        """Press Ctrl-C ``times`` times; the stderr lines the last press wrote."""
        for _ in range(times):
            before = self.stderr.getvalue()
            self.handler(signal.SIGINT, None)
        return self.stderr.getvalue()[len(before) :].splitlines()


def test_the_first_ctrl_c_asks_the_job_to_stop_and_says_stopping() -> None:
    pressed = Pressed()
    said = pressed.press()
    assert pressed.stop.is_set()
    assert len(said) == 1 and said[0].startswith("stopping")
    assert pressed.exits == []


def test_the_second_ctrl_c_says_what_the_job_still_waits_for_and_that_one_more_quits() -> None:
    pressed = Pressed()
    pressed.press()
    said = pressed.press()
    assert said == [
        "taskgroup: still stopping: the add-runs request in flight, if any, is being settled "
        "and out.jsonl completed; Ctrl-C once more quits at once, leaving out.jsonl short "
        "until the same command runs again"
    ]
    assert pressed.exits == []


def test_the_third_ctrl_c_quits_with_130_and_the_command_that_repairs_the_results() -> None:
    pressed = Pressed()
    said = pressed.press(3)
    assert said == [
        "taskgroup: quit at once, so out.jsonl may be short; to settle the job and repair it, "
        f"run the same command again: {RESUME}"
    ]
    assert pressed.exits == [130]


def test_with_quiet_the_second_and_third_ctrl_c_still_say_what_they_do() -> None:
    pressed = Pressed(quiet=True)
    assert pressed.press() == []
    assert pressed.press()[0].startswith("taskgroup: still stopping")
    assert pressed.press()[0].startswith("taskgroup: quit at once")
    assert pressed.exits == [130]


def test_the_handler_answers_sigint_and_sigterm_only_while_installed() -> None:
    handler = Pressed().handler
    before = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)]
    with _interrupts(handler):
        assert signal.getsignal(signal.SIGINT) is handler
        assert signal.getsignal(signal.SIGTERM) is handler
    assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)] == before


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )


def test_a_ctrl_c_while_the_failure_report_is_written_does_not_cut_it_short() -> None:
    done = run_python(
        """
        import signal, sys
        from parallel_taskgroup.cli import command, main

        def hint(*args, **kwargs):  # Ctrl-C pressed halfway through the report
            signal.raise_signal(signal.SIGINT)
            return "the report goes on"

        command.resume_hint = hint
        sys.exit(main(["run", "missing.jsonl", "--out", "out.jsonl"]))
        """
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "taskgroup: error: missing.jsonl: cannot read input (No such file or directory)",
        "taskgroup: the report goes on",
    ]

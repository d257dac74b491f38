"""The progress display on a real pseudo-terminal: a child process draws a scripted job on the
pty; everything it writes is replayed through a screen model, and the test reads the screen."""

from __future__ import annotations

import re
import sys

import pytest
from pty_run import run_on_pty
from screen import Screen, UnexpectedControl

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("pseudo-terminals are POSIX only", allow_module_level=True)


COLUMNS = 100
BAR = re.compile(r"\[[#-]{20}\] (\d+)/(\d+) (\d+)%")

# The child: a job of 10 rows, paced, with messages and -v log lines from two threads while the
# bar redraws every 10 ms, then Ctrl-C (stopping), the last snapshot, stop() and the summary.
CHILD = r"""
import logging, sys, threading, time

from parallel_taskgroup.cli.progress import Progress
from parallel_taskgroup.jobs.progress import JobProgress

progress = Progress(sys.stderr, interval=0.01)
assert progress.tty, "stderr should be the pty"
log = logging.getLogger("child")
log.propagate = False
log.setLevel(logging.INFO)
log.addHandler(progress.log_handler())


def snap(**changes):
    fields = dict(phase="submitting", rows=10, submitted=0, finished=0, completed=0, failed=0)
    fields.update(changes)
    return JobProgress(**fields)


progress.update(snap(phase="checking input"))
progress.message("group tgrp_1: 10 rows from in.jsonl")
progress.update(snap(submitted=4, submit_seconds_left=30))
progress.update(snap(
    submitted=4, queued=4, submit_seconds_left=30,
    waiting="rate limit: next batch in 25 s", waiting_until=time.monotonic() + 25,
))
progress.message("pacing: 4 runs per 30 s")  # redraws the bar, now with the wait, below it


def chatter(name):
    for i in range(30):
        log.info("%s retrying GET /runs (%d)", name, i)
        time.sleep(0.002)


threads = [threading.Thread(target=chatter, args=(n,)) for n in ("alpha", "beta")]
for t in threads:
    t.start()
for t in threads:
    t.join()
progress.update(snap(
    submitted=10, finished=6, completed=5, failed=1, queued=1, running=3, spent_usd=0.05
))
progress.stopping()
log.info("cancelling 1 queued run")
progress.update(snap(
    phase="finishing", submitted=10, finished=10, completed=8, failed=1, spent_usd=0.07
))
progress.stop()
progress.message("done: 8 completed, 1 failed, 1 cancelled")
"""


def run_script_on_pty(script: str, columns: int, timeout: float = 20.0) -> str:
    return run_on_pty([sys.executable, "-c", script], columns=columns, timeout=timeout)


def test_the_screen_of_a_paced_job_with_messages_logs_and_ctrl_c() -> None:
    output = run_script_on_pty(CHILD, COLUMNS)
    screen = Screen(COLUMNS, onlcr=False)  # the pty did the \n -> \r\n itself
    screen.feed(output)  # fails on any escape other than \x1b[K
    lines = screen.lines()

    # Nothing ever wrapped: every bar was cut to the width.
    assert not screen.wrapped_rows
    assert all(len(line) < COLUMNS for line in screen.ever_shown())

    # The waiting reason, with its countdown, and stopping were on screen.
    shown = screen.ever_shown()
    waits = [int(m.group(1)) for s in shown for m in [re.search(r"next batch in (\d+) s", s)] if m]
    assert waits and all(0 <= w <= 25 for w in waits)
    assert any(BAR.match(s) and "| stopping… |" in s for s in shown)

    # Messages and log lines are whole lines above the bar; no row mixes the two.
    bar_rows = [i for i, line in enumerate(lines) if BAR.search(line)]
    assert bar_rows == [len(lines) - 2]  # the final bar, then the summary below it
    for line in lines[: bar_rows[0]]:
        assert not BAR.search(line) and "completed" not in line, line
    messages = lines[: bar_rows[0]]
    logs = [m for m in messages if m.startswith("taskgroup: ")]
    assert messages[:2] == ["group tgrp_1: 10 rows from in.jsonl", "pacing: 4 runs per 30 s"]
    assert messages[-1] == "taskgroup: cancelling 1 queued run"
    assert len(logs) == 61
    for name in ("alpha", "beta"):
        ours = [m for m in logs if m.startswith(f"taskgroup: {name} ")]
        assert ours == [f"taskgroup: {name} retrying GET /runs ({i})" for i in range(30)]

    # The final line comes from the last snapshot and agrees with the summary.
    final, summary = lines[-2], lines[-1]
    match = BAR.match(final)
    assert match is not None, final
    finished, rows, percent = (int(g) for g in match.groups())
    assert (finished, rows, percent) == (10, 10, 100)
    assert "| stopped | completed 8 failed 1 cancelled 1 | submitted 10/10 |" in final
    assert len(screen.rows[bar_rows[0]]) == COLUMNS - 1  # cut: cost and elapsed did not fit
    counts = re.fullmatch(r"done: (\d+) completed, (\d+) failed, (\d+) cancelled", summary)
    assert counts is not None
    assert sum(int(n) for n in counts.groups()) == finished


def test_the_check_catches_a_log_line_written_over_the_bar() -> None:
    # What the old display did with -v: the log line went after the bar on the same row.
    screen = Screen(COLUMNS, onlcr=False)
    screen.feed("\r[####----------------] 2/10 20% | elapsed 0:01\x1b[Ktaskgroup: retrying\r\n")
    assert BAR.search(screen.lines()[0]) and "taskgroup:" in screen.lines()[0]


def test_the_screen_model() -> None:
    screen = Screen(5, onlcr=False)
    screen.feed("abcdefg\r\nxy\rZ")
    assert screen.lines() == ["abcde", "fg", "Zy"]
    assert screen.wrapped_rows == {1}
    screen.feed("\x1b[")  # an escape split between two writes
    screen.feed("K\n")
    assert screen.lines() == ["abcde", "fg", "Z"]
    assert screen.shown == ["fg", "xy"]
    screen.feed("\r12345\x1b[K")  # xterm: erasing at the last column erases that column
    assert screen.lines()[-1] == "1234"
    assert screen.wrapped_rows == {1}  # the 5 was on the last column, not on a new row
    with pytest.raises(UnexpectedControl):
        screen.feed("\x1b[2J")
    with pytest.raises(UnexpectedControl):
        screen.feed("\t")

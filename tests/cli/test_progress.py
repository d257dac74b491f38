"""The progress line on a fake clock: counts that agree, rate and ETA, waiting and stopping, and
how it is written (in place on a TTY, plain lines otherwise, nothing when quiet)."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup.cli.progress import Progress, format_duration, format_rate
from parallel_taskgroup.jobs.progress import JobProgress
from screen import Screen

BAR = re.compile(r"^\[[#-]+\] (\d+)/(\d+) (\d+)%")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def snap(**changes: Any) -> JobProgress:
    fields: dict[str, Any] = {
        "phase": "submitting",
        "rows": 100,
        "submitted": 0,
        "finished": 0,
        "completed": 0,
        "failed": 0,
    }
    fields.update(changes)
    return JobProgress(**fields)


def quiet_display(clock: FakeClock, **kwargs: Any) -> Progress:
    """A display whose render thread never draws during a test (only explicit draws do)."""
    kwargs.setdefault("tty", False)
    return Progress(io.StringIO(), interval=3600, clock=clock, **kwargs)


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines are cut to the terminal's width; a StringIO has none, so COLUMNS decides."""
    monkeypatch.setenv("COLUMNS", "300")


def wait_for(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


# What the line says ---------------------------------------------------------------------------


def test_line_shows_counts_rate_and_eta() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(submitted=100))
    clock.now = 10.0
    p.update(snap(submitted=100, finished=50, completed=44, failed=5, queued=10, running=20))
    text = p.line()
    assert text.startswith("[##########----------] 50/100 50% | ")
    assert "completed 44 failed 5 cancelled 1" in text
    assert "submitted 100/100" in text
    assert "queued 10 running 20" in text
    assert "5.0/s" in text
    assert "ETA 0:10" in text
    assert "elapsed 0:10" in text
    p.stop()


def test_the_numerator_is_finished_rows_and_100_percent_only_when_all_finished() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(rows=1000, submitted=1000, finished=999, completed=990, failed=9))
    assert p.line().startswith("[###################-] 999/1000 99% |")
    p.update(snap(rows=1000, submitted=1000, finished=1000, completed=990, failed=9))
    text = p.line()
    assert text.startswith("[####################] 1000/1000 100% |")
    assert "completed 990 failed 9 cancelled 1" in text
    p.stop()


def test_submitted_is_never_shown_above_the_rows() -> None:
    p = quiet_display(FakeClock())
    p.update(snap(rows=10, submitted=12))
    assert "submitted 10/10" in p.line()
    p.stop()


def test_spent_and_server_counts_only_when_known() -> None:
    p = quiet_display(FakeClock())
    p.update(snap())
    assert "$" not in p.line() and "queued" not in p.line()
    p.update(snap(spent_usd=12.345, submitted=3, queued=3))
    assert "$12.35" in p.line() and "queued 3 running 0" in p.line()
    p.update(snap(spent_usd=0.001))
    assert "<$0.01" in p.line()
    p.stop()


def test_eta_follows_pacing_when_submission_is_the_slower_part() -> None:
    # The old display said 0:11 here: results came fast, but 91 s of paced submission remained.
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(submitted=0, submit_seconds_left=101))
    clock.now = 10.0
    p.update(snap(submitted=20, finished=20, completed=20, submit_seconds_left=91))
    text = p.line()
    assert "2.0/s" in text
    assert "ETA 1:31" in text  # not 80 rows / 2.0/s = 0:40
    p.stop()


def test_eta_follows_results_when_finishing_is_the_slower_part() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(submitted=100, submit_seconds_left=0))
    clock.now = 20.0
    p.update(snap(submitted=100, finished=10, completed=10, submit_seconds_left=0))
    text = p.line()
    assert "30.0/min" in text
    assert "ETA 3:00" in text  # 90 rows at 0.5/s
    p.stop()


def test_no_rate_and_no_eta_before_there_is_history() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(submitted=100))
    clock.now = 5.0
    p.update(snap(submitted=100, finished=50, completed=50))
    text = p.line()
    assert "/s" not in text and "ETA" not in text and "0:00 " not in text
    p.stop()


def test_only_a_floor_when_just_the_submission_time_is_known() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(submitted=5, submit_seconds_left=95))
    clock.now = 5.0
    assert "ETA at least 1:35" in p.line()
    p.stop()


def test_a_stalled_job_shows_no_zero_rate() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(submitted=100, finished=10, completed=10))
    clock.now = 30.0
    text = p.line()
    assert "0.0/" not in text and "/s" not in text and "ETA" not in text
    p.stop()


def test_the_rate_is_over_recent_history_only() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(submitted=100))
    for t in range(1, 61):  # 1 row/s for a minute
        clock.now = float(t)
        p.update(snap(submitted=100, finished=t, completed=t))
    assert "1.0/s" in p.line()
    for t in range(61, 121):  # then 1 row every 2 s for a minute
        clock.now = float(t)
        finished = 60 + (t - 60) // 2
        p.update(snap(submitted=100, finished=finished, completed=finished))
    assert "30.0/min" in p.line()
    p.stop()


def test_rows_found_done_while_checking_input_are_not_counted_as_pace() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(phase="checking input", finished=0))
    clock.now = 1.0
    p.update(snap(phase="checking input", rows=1000, finished=900, completed=900))
    clock.now = 2.0
    p.update(snap(rows=1000, submitted=900, finished=900, completed=900))
    clock.now = 22.0
    p.update(snap(rows=1000, submitted=920, finished=910, completed=910))
    assert "30.0/min" in p.line()  # 10 rows in 20 s, not 910 in 21 s
    p.stop()


# Waiting, phases, stopping -------------------------------------------------------------------


def test_waiting_shows_the_reason_with_a_countdown_that_moves_with_the_clock() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(submitted=100))
    clock.now = 100.0
    p.update(snap(submitted=40, waiting="rate limit: next batch in 25 s", waiting_until=125.0))
    text = p.line()
    assert text.startswith("[--------------------] 0/100 0% | rate limit: next batch in 25 s |")
    assert "0.0/s" not in text
    clock.now = 110.0  # no new snapshot: the countdown still moves
    assert "rate limit: next batch in 15 s" in p.line()
    clock.now = 130.0
    assert "rate limit: next batch in 0 s" in p.line()
    p.update(snap(submitted=50))
    assert "rate limit" not in p.line()
    p.stop()


def test_waiting_without_an_end_counts_up() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(waiting="server unreachable for 40 s, retrying"))
    clock.now = 5.0
    assert "server unreachable for 45 s, retrying" in p.line()

    p2 = quiet_display(clock)
    p2.update(snap(waiting="rate limit: next batch in 3 s"))
    clock.now = 8.0
    p2.update(snap(waiting="server unreachable, retrying"))  # another wait: counted afresh
    clock.now = 48.0
    p2.update(snap(waiting="server unreachable, retrying", submitted=1))  # the same one
    assert "server unreachable, retrying (for 40 s)" in p2.line()
    p.stop()
    p2.stop()


def test_waiting_with_an_end_but_no_number_in_the_text_gets_one() -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    p.update(snap(waiting="rate limit", waiting_until=30.0))
    clock.now = 10.0
    assert "rate limit (20 s left)" in p.line()
    p.stop()


def test_the_phase_is_shown_unless_it_is_the_usual_work() -> None:
    p = quiet_display(FakeClock())
    p.update(snap(phase="checking input"))
    assert "| checking input… |" in p.line()
    for phase in ("submitting", "collecting results"):
        p.update(snap(phase=phase))
        assert phase not in p.line()
    p.update(snap(phase="finishing", finished=100, completed=100))
    assert "| finishing… |" in p.line()
    p.stop()


def test_stopping_keeps_the_counts_and_the_final_line_says_stopped() -> None:
    clock = FakeClock()
    p = quiet_display(clock, tty=True)
    p.update(snap(submitted=60, finished=30, completed=30, submit_seconds_left=40))
    p.stopping()
    text = p.line()
    assert text.startswith("[######--------------] 30/100 30% | stopping… |")
    assert "completed 30 failed 0" in text and "ETA" not in text
    p.update(snap(submitted=60, finished=60, completed=30, failed=0))  # runs cancelled
    p.stop()
    final = p.line()
    assert final.startswith("[############--------] 60/100 60% | stopped |")
    assert "completed 30 failed 0 cancelled 30" in final


def test_a_plain_stream_can_print_an_ellipsis_only_if_its_encoding_has_one() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    p = Progress(stream, tty=False, interval=3600)
    p.stopping()
    assert p.line() == "stopping..."


# How it is written ---------------------------------------------------------------------------


def test_final_line_uses_the_last_snapshot_and_agrees_with_the_summary() -> None:
    clock = FakeClock()
    out = io.StringIO()
    p = Progress(out, tty=True, interval=3600, clock=clock)
    p.update(snap(rows=5000, submitted=4687, finished=4000, completed=4000))
    p.update(snap(rows=5000, submitted=5000, finished=5000, completed=4990, failed=10))
    p.stop()
    p.message("done: 4990 completed, 10 failed")
    screen = Screen(200)
    screen.feed(out.getvalue())
    assert screen.lines() == [
        "[####################] 5000/5000 100% | completed 4990 failed 10 | submitted 5000/5000"
        " | elapsed 0:00",
        "done: 4990 completed, 10 failed",
    ]


def test_runs_in_flight_never_outnumber_rows_submitted_and_unfinished() -> None:
    p = quiet_display(FakeClock())
    p.update(snap(rows=3000, submitted=3000, finished=3000, completed=3000, running=771))
    assert "running" not in p.line()
    p.update(snap(rows=3000, submitted=3000, finished=2900, completed=2900, queued=50, running=771))
    assert "queued 0 running 100" in p.line()
    p.stop()


def test_stop_is_idempotent_and_draws_nothing_if_nothing_was_shown() -> None:
    out = io.StringIO()
    p = Progress(out, tty=True, interval=3600)
    p.message("group g: 3 rows")
    p.stop()
    p.stop()
    assert out.getvalue() == "group g: 3 rows\n"
    out2 = io.StringIO()
    p2 = Progress(out2, tty=True, interval=3600)
    p2.update(snap())
    p2.stop()
    written = out2.getvalue()
    p2.stop()
    assert out2.getvalue() == written and written.endswith("\x1b[K\n")


def test_tty_redraws_in_place() -> None:
    out = io.StringIO()
    p = Progress(out, tty=True, interval=3600)
    p.update(snap())
    p.stopping()
    text = out.getvalue()
    assert text.count("\r") == 2 and text.count("\x1b[K") == 2 and "\n" not in text
    p.stop()
    assert out.getvalue().endswith("\n") and out.getvalue().count("\n") == 1


def test_tty_line_is_cut_to_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    out = io.StringIO()
    p = Progress(out, tty=True, interval=3600)
    p.update(snap(rows=1000, submitted=1000, finished=500, completed=500))
    p.stop()
    screen = Screen(40)
    screen.feed(out.getvalue())
    assert not screen.wrapped_rows
    assert screen.lines() == ["[##########----------] 500/1000 50% | c"]


def test_non_tty_writes_plain_lines_at_phase_changes_stopping_and_the_end() -> None:
    out = io.StringIO()
    p = Progress(out, tty=False, interval=3600)
    p.update(snap(phase="checking input"))  # off a terminal, nothing until the job starts
    p.update(snap(phase="submitting"))
    p.update(snap(phase="submitting", submitted=50))  # no phase change: no line
    p.message("hello")
    p.stopping()
    p.stop()
    text = out.getvalue()
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert len(lines) == 4
    assert "submitted 0/100" in lines[0]
    assert lines[1] == "hello"
    assert "stopping…" in lines[2] and "submitted 50/100" in lines[2]
    assert "stopped" in lines[3]


def test_non_tty_stays_silent_for_a_job_refused_while_checking_its_input() -> None:
    out = io.StringIO()
    p = Progress(out, tty=False, interval=3600)
    p.update(snap(phase="checking input", waiting="server unreachable for 2 s, retrying"))
    p.stop()
    assert out.getvalue() == ""


def test_non_tty_writes_a_line_every_interval() -> None:
    out = io.StringIO()
    p = Progress(out, tty=False, interval=0.01)
    p.update(snap())
    wait_for(lambda: out.getvalue().count("\n") >= 3)
    p.stop()
    assert "\x1b" not in out.getvalue()


def test_the_countdown_moves_on_a_tty_without_new_snapshots() -> None:
    clock = FakeClock()
    out = io.StringIO()
    p = Progress(out, tty=True, interval=0.005, clock=clock)
    p.update(snap(waiting="rate limit: next batch in 25 s", waiting_until=25.0))
    clock.now = 10.0
    wait_for(lambda: "next batch in 15 s" in out.getvalue())
    p.stop()


def test_messages_are_printed_above_the_bar() -> None:
    out = io.StringIO()
    p = Progress(out, tty=True, interval=3600)
    p.update(snap(submitted=10))
    p.message("resuming group g: 10 of 100 rows already in out.jsonl")
    p.message("repaired a partly written last line in out.jsonl")
    screen = Screen(300)
    screen.feed(out.getvalue())
    lines = screen.lines()
    assert lines[:2] == [
        "resuming group g: 10 of 100 rows already in out.jsonl",
        "repaired a partly written last line in out.jsonl",
    ]
    assert BAR.match(lines[2]) and len(lines) == 3
    p.stop()


def test_the_log_handler_prints_records_as_messages() -> None:
    out = io.StringIO()
    p = Progress(out, tty=True, interval=3600)
    logger = logging.getLogger("test_progress.handler")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = p.log_handler()
    logger.addHandler(handler)
    try:
        p.update(snap())
        logger.info("retrying POST %s", "/runs")
        p.stop()
    finally:
        logger.removeHandler(handler)
    screen = Screen(300)
    screen.feed(out.getvalue())
    lines = screen.lines()
    assert lines[0] == "taskgroup: retrying POST /runs"
    assert BAR.match(lines[1]) and len(lines) == 2


def test_messages_from_many_threads_never_tear_the_bar() -> None:
    out = io.StringIO()
    p = Progress(out, tty=True, interval=0.0005)
    p.update(snap(submitted=10))

    def chatter(name: str) -> None:
        for i in range(100):
            p.message(f"{name} message {i}")

    threads = [threading.Thread(target=chatter, args=(f"t{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    p.stop()
    screen = Screen(300)
    screen.feed(out.getvalue())
    lines = screen.lines()
    assert len(lines) == 401
    assert all(re.fullmatch(r"t\d message \d+", line) for line in lines[:-1])
    assert BAR.match(lines[-1])


def test_quiet_writes_nothing() -> None:
    out = io.StringIO()
    p = Progress(out, quiet=True, tty=True)
    logger = logging.getLogger("test_progress.quiet")
    logger.propagate = False
    handler = p.log_handler()
    logger.addHandler(handler)
    try:
        p.update(snap())
        p.message("x")
        logger.warning("y")
        p.stopping()
        p.stop()
    finally:
        logger.removeHandler(handler)
    assert out.getvalue() == ""
    assert not any(t.name == "taskgroup-progress" for t in threading.enumerate())


class BrokenStream(io.StringIO):
    def write(self, s: str) -> int:
        raise BrokenPipeError("gone")


@pytest.mark.parametrize("tty", [True, False])
def test_a_closed_or_broken_stream_never_raises(tty: bool) -> None:
    closed = io.StringIO()
    closed.close()
    for stream in (closed, BrokenStream()):
        p = Progress(stream, tty=tty, interval=0.001)
        p.update(snap())
        p.message("x")
        p.stopping()
        time.sleep(0.01)
        p.stop()


# Properties and formats ----------------------------------------------------------------------


@st.composite
def snapshots(draw: st.DrawFn) -> JobProgress:
    rows = draw(st.integers(0, 10_000))
    finished = draw(st.integers(0, rows))
    completed = draw(st.integers(0, finished))
    failed = draw(st.integers(0, finished - completed))
    return snap(
        phase=draw(st.sampled_from(["checking input", "submitting", "collecting results"])),
        rows=rows,
        submitted=draw(st.integers(finished, rows + 5)),
        finished=finished,
        completed=completed,
        failed=failed,
        queued=draw(st.integers(0, 50)),
        running=draw(st.integers(0, 50)),
        submit_seconds_left=draw(st.none() | st.floats(0, 1e5)),
    )


@given(st.lists(st.tuples(st.floats(0, 120), snapshots()), min_size=1, max_size=8))
def test_the_line_always_tells_the_truth(steps: list[tuple[float, JobProgress]]) -> None:
    clock = FakeClock()
    p = quiet_display(clock)
    for dt, s in steps:
        clock.now += dt
        p.update(s)
        text = p.line()
        match = BAR.match(text)
        assert match is not None
        finished, rows, percent = (int(g) for g in match.groups())
        assert (finished, rows) == (s.finished, s.rows)
        assert (percent == 100) == (finished == rows)
        cancelled = s.finished - s.completed - s.failed
        counts = f"completed {s.completed} failed {s.failed}"
        assert (counts + (f" cancelled {cancelled}" if cancelled else "")) in text
        submitted = int(re.search(r"submitted (\d+)/", text).group(1))  # type: ignore[union-attr]
        assert submitted <= rows
        assert not re.search(r"(?<![\d.])0\.0/", text) and "ETA 0:00 " not in text
        assert "\r" not in text and "\x1b" not in text
        if s.finished == s.rows:
            assert "ETA" not in text
        in_flight = re.search(r"queued (\d+) running (\d+)", text)
        if in_flight is not None:
            shown = int(in_flight.group(1)) + int(in_flight.group(2))
            assert shown <= min(s.submitted, s.rows) - s.finished
    p.stop()


def test_durations_are_formatted_like_clocks() -> None:
    assert format_duration(5) == "0:05"
    assert format_duration(3725) == "1:02:05"


def test_rates_never_round_to_zero() -> None:
    assert format_rate(4.25) == "4.2/s"
    assert format_rate(0.5) == "30.0/min"
    assert format_rate(1 / 3600) == "1.0/h"

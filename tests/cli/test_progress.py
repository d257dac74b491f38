"""Progress display: counts, rate and ETA; bar on a TTY, lines otherwise, silent when quiet."""

from __future__ import annotations

import io

from parallel_taskgroup.cli.progress import Progress, format_duration


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_line_shows_counts_rate_and_eta() -> None:
    clock = FakeClock()
    p = Progress(io.StringIO(), tty=False, clock=clock)
    p.set_total(100)
    p.set_submitted(100)
    p.set_status({"queued": 10, "running": 20, "completed": 40, "failed": 5})
    p.line()
    clock.now = 10.0
    p.set_written(50)
    text = p.line()
    assert "50/100" in text
    assert "submitted 100/100" in text
    assert "queued 10 running 20 completed 40 failed 5" in text
    assert "5.0/s" in text
    assert "ETA 0:10" in text


def test_non_tty_writes_whole_lines_without_control_characters() -> None:
    out = io.StringIO()
    p = Progress(out, tty=False)
    p.render()
    p.message("hello")
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()
    assert out.getvalue().count("\n") == 2


def test_tty_redraws_in_place() -> None:
    out = io.StringIO()
    p = Progress(out, tty=True)
    p.render()
    p.render()
    assert out.getvalue().count("\r") == 2 and "\n" not in out.getvalue()


def test_quiet_writes_nothing() -> None:
    out = io.StringIO()
    p = Progress(out, quiet=True)
    p.start()
    p.render()
    p.message("x")
    p.stop()
    assert out.getvalue() == ""


def test_durations_are_formatted_like_clocks() -> None:
    assert format_duration(5) == "0:05"
    assert format_duration(3725) == "1:02:05"

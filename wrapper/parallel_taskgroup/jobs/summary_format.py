"""Figures of a :class:`~.summary.JobSummary` as text: shares, dollars, durations (one home
for the terminal report and the HTML page)."""

from __future__ import annotations

from typing import Optional

__all__ = ["percent", "seconds", "usd"]


def percent(part: int, whole: int, *, missing: str = "-") -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else missing


def usd(value: Optional[float]) -> str:
    if value is None:
        return "no price"
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:,.4f}"


def seconds(value: Optional[float], *, missing: str = "-") -> str:
    if value is None:
        return missing
    if value < 1:
        return f"{value:.2f} s"
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(int(round(value)), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"

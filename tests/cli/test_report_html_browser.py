"""The page of `taskgroup report --html` in a real browser (headless Chromium): the DOM it
renders shows the job's figures, the text from the job stays text, and the page paints.

Without Chromium these tests are skipped, except in CI (the environment variable CI set),
where the page must be rendered: `make test` installs Chromium when it can."""

from __future__ import annotations

import html.parser
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Callable, Optional

import pytest
from cli_helpers import run_cli
from parallel_taskgroup import Client, JobSummary, run_job, summarize_job
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

SPEC = {
    "output_schema": {
        "type": "json",
        "json_schema": {
            "type": "object",
            "properties": {
                "summary": {"type": "string"},
                "products": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["summary", "products"],
        },
    }
}


def chromium() -> str:
    """The Chromium binary; skips the test without one (fails it in CI)."""
    found = next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser")) if p),
        "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None,
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is needed in CI to render the report page (make browser)")
        pytest.skip("Chromium is not installed (apt-get install chromium, or make browser)")
    return found


def browse(page: Path, profile: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Chromium headless on ``page``, offline, with a profile of its own."""
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *options,
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


class _Figures(html.parser.HTMLParser):
    """The text of every element with a ``data-figure`` attribute, by its name; the tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.tags: list[str] = []
        self._open: list[Optional[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        self.tags.append(tag)
        if tag in ("meta", "br", "rect", "line"):
            return
        self._open.append(dict(attrs).get("data-figure"))
        if self._open[-1] is not None:
            self.figures[self._open[-1]] = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("meta", "br", "rect", "line") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for name in self._open:
            if name is not None:
                self.figures[name] += data


def rendered(page: Path, tmp_path: Path) -> _Figures:
    done = browse(page, tmp_path / "profile-dom", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<html" in done.stdout
    parser = _Figures()
    parser.feed(done.stdout)
    return parser


@pytest.fixture
def job(emulator_factory: Callable[..., EmulatorServer], tmp_path: Path) -> Path:
    """A job of 120 rows with basis, 6 of them failing: its results file."""
    server = emulator_factory(time_scale=0.002, rate_limit_per_minute=10**6)
    rows = [
        {"id": f"r{i}", "name": f"Company {i}" + (" __fail__" if i % 20 == 3 else "")}
        for i in range(120)
    ]
    out = tmp_path / "results.jsonl"
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        run_job(client, rows, out=str(out), key="id", task_spec=SPEC, include_basis=True)
    return out


def page_of(results: Path, tmp_path: Path) -> tuple[Path, JobSummary]:
    page = tmp_path / "report.html"
    code, _, stderr = run_cli(["report", results, "--html", page])
    assert code == 0, stderr
    return page, summarize_job(str(results))


def test_the_rendered_page_shows_status_counts_field_confidences_and_spend(
    job: Path, tmp_path: Path
) -> None:
    page, summary = page_of(job, tmp_path)
    figures = rendered(page, tmp_path).figures
    assert figures["rows"] == "120"
    assert (figures["status.completed"], figures["status.failed"]) == ("114", "6")
    for status, count in summary.by_status.items():
        assert figures[f"status.{status}"] == f"{count:,}"
    assert figures["reason.0.rows"] == "6"
    assert "failure marker" in figures["reason.0"]
    assert summary.fields
    for field in summary.fields:
        for level, count in field.confidence.items():
            assert figures[f"field.{field.field}.{level}"] == f"{count:,}"
        assert figures[f"field.{field.field}.cited"] == f"{field.cited:,}"
        if field.elements:
            assert figures[f"field.{field.field}.elements.answers"] == f"{field.elements:,}"
    assert figures["spend.base.runs"] == "120"
    assert figures["spend.base.usd"] == figures["spend.usd"] == "$1.20"
    assert figures["card.spent"] == "$1.20"
    assert figures["duration.base.runs"] == "120"


def test_the_page_paints_a_screenshot(job: Path, tmp_path: Path) -> None:
    page, _ = page_of(job, tmp_path)
    shot = tmp_path / "page.png"
    done = browse(
        page,
        tmp_path / "profile-shot",
        "--hide-scrollbars",
        "--window-size=1200,1800",
        f"--screenshot={shot}",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 1800)
    assert len(data) > 30_000  # a page of tables and bars, not a blank one


def test_text_from_the_job_is_shown_as_text_never_as_markup(tmp_path: Path) -> None:
    hostile = "<script>document.title='owned'</script><img src=x onerror=alert(document.cookie)>"
    out = tmp_path / "r&d <team>.jsonl"
    lines = [
        {"key": "k<1>", "status": "failed", "error": {"message": hostile}},
        {
            "key": "k2",
            "status": "completed",
            "basis": [{"field": hostile, "citations": [], "confidence": "low"}],
        },
    ]
    out.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    page = tmp_path / "page.html"
    code, _, stderr = run_cli(["report", out, "--html", page])
    assert code == 0, stderr
    parsed = rendered(page, tmp_path)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert parsed.figures["reason.0"] == hostile
    assert parsed.figures[f"field.{hostile}.low"] == "1"
    assert parsed.figures["results"] == str(out)

"""generator/update_spec.py (`make update-spec`): slice, record and report in one step, on a
temporary copy of the repository; a slice that stops leaves openapi.yaml as it was but still
reports what upstream changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from update_spec import main

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT.parent / "shared" / "reference" / "upstream" / "parallel-openapi-v1.json"

pytestmark = pytest.mark.skipif(not UPSTREAM.is_file(), reason=f"no upstream at {UPSTREAM}")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of what update_spec.py reads and writes."""
    shutil.copytree(ROOT / "generator", tmp_path / "generator")
    shutil.copyfile(ROOT / "openapi.yaml", tmp_path / "openapi.yaml")
    return tmp_path


def upstream_with(tmp_path: Path, path: str, item: dict[str, Any]) -> Path:
    """The upstream document with `path`'s operations replaced by `item`'s."""
    doc = json.loads(UPSTREAM.read_text(encoding="utf-8"))
    doc["paths"][path] = item
    out = tmp_path / "upstream.json"
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out


def run(repo: Path, upstream: Path) -> tuple[int, dict[str, Any]]:
    report = repo / "report.json"
    code = main(
        [str(upstream), "--root", str(repo), "--previous", str(repo / "prev" / "openapi.yaml")]
        + ["--json", str(report)]
    )
    return code, json.loads(report.read_text(encoding="utf-8"))


def test_the_same_upstream_changes_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (repo / "openapi.yaml").read_bytes()
    code, report = run(repo, UPSTREAM)
    assert code == 0 and report["changes"] == [] and report["slice_error"] is None
    assert (repo / "openapi.yaml").read_bytes() == before
    assert "No changes" in capsys.readouterr().out


def test_a_new_upstream_task_operation_is_reported_and_recorded(repo: Path) -> None:
    cancel = {"post": {"operationId": "cancel_run", "responses": {"200": {"description": "OK"}}}}
    code, report = run(repo, upstream_with(repo, "/v1/tasks/runs/{run_id}/cancel", cancel))
    assert code == 0
    [change] = report["changes"]
    assert (change["verdict"], change["kind"]) == ("docs only", "upstream operation added")
    assert "POST /v1/tasks/runs/{run_id}/cancel" in change["where"]
    assert "cancel" in (repo / "generator" / "upstream_operations.yaml").read_text()
    assert (repo / "prev" / "upstream_operations.previous.yaml").is_file()


def test_a_kept_operation_gone_upstream_stops_the_slice_and_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (repo / "openapi.yaml").read_bytes()
    record = (repo / "generator" / "upstream_operations.yaml").read_bytes()
    code, report = run(repo, upstream_with(repo, "/v1/tasks/runs/{run_id}/input", {}))
    assert code == 2 and "GET /v1/tasks/runs/{run_id}/input" in report["slice_error"]
    assert report["verdict"] == "breaks the wrapper"  # the wrapper reads run inputs
    assert report["changes"][0]["kind"] == "operation removed upstream"
    assert (repo / "openapi.yaml").read_bytes() == before
    assert (repo / "generator" / "upstream_operations.yaml").read_bytes() == record
    assert "left as it was" in capsys.readouterr().err

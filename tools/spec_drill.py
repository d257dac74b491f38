"""Spec drill: synthetic upstream changes, each sliced, reported, regenerated and tested with no
hand edit, in a temporary copy; the working tree's openapi.yaml and generated_client/ are never
touched.

Usage: python tools/spec_drill.py [--upstream FILE] [--only NAME ...] [--jobs N] [--keep]

For each change in CHANGES, in its own temporary folder holding what the steps need
(generator/, openapi.yaml, pyproject.toml, tests/conftest.py, tests/generated/,
tests/fixtures/docs/):
1. the change is applied to a copy of the upstream document (by default the repository's own,
   generator/upstream/parallel-openapi.json, which openapi.yaml was last sliced from);
2. generator/update_spec.py slices it and writes the report as JSON (`make update-spec`);
3. generator/generate.py regenerates the client into the folder (`make generate`);
4. the change's tests run there, the folder's generated package first on the path (the
   wrapper and the emulator are the working tree's).
A change passes when the report gives it the expected verdict and its tests pass (when the
slice is expected to stop, as for a removed operation, it must stop and nothing else runs).
Prints a table (change, verdict, tests); exits 1 if any change fails. tests/generator/
test_spec_drill.py runs it in `make test`. On a 2-core machine the whole drill takes about a
minute with the default two jobs.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
# The upstream document openapi.yaml was last sliced from (slice_spec.UPSTREAM_COPY, written by
# `make update-spec`): every change is made to it, so the drill needs nothing outside the
# repository and still holds after a real update.
UPSTREAM = ROOT / "generator" / "upstream" / "parallel-openapi.json"
COPIED = ("generator", "openapi.yaml", "pyproject.toml", "tests/conftest.py", "tests/generated")
COPIED_FIXTURES = "tests/fixtures/docs"
REF = "#/components/schemas/"

Doc = dict[str, Any]

# -- test selections -----------------------------------------------------------------------------


def tests_in(path: str, *names: str) -> tuple[str, ...]:
    return tuple(f"tests/generated/{path}::{name}" for name in names)


# The tolerance tests that derive their cases from openapi.yaml (hand-written cases and the
# Hypothesis property tests are left to `make test`).
TOLERANCE = tests_in(
    "test_tolerant_models.py",
    "test_seeds_cover_every_model_reachable_from_the_response_models",
    "test_seeds_round_trip",
    "test_every_declared_field_has_cases",
    "test_every_field_present_parses_and_round_trips",
    "test_every_field_absent_is_unset_or_raises_if_essential",
    "test_every_field_null_where_allowed_is_none",
    "test_essential_fields_match_the_generated_types",
)
RAW_STREAMS = tests_in(
    "test_raw_streams.py", "test_the_three_raw_streams_yield_typed_events_from_the_emulator"
)
EVENT_TYPES = tests_in(
    "test_raw_streams.py",
    "test_every_event_type_of_every_stream_is_typed",
    "test_the_spec_example_of_each_stream_parses_to_its_model",
    "test_every_streaming_operation_has_stream_and_parse_event",
)
PARAMETERS = tests_in(
    "test_endpoint_public_names.py", "test_every_spec_parameter_is_an_argument_of_its_operation"
)
MODULES = tests_in(
    "test_endpoint_public_names.py",
    "test_every_operation_module_is_found",
    "test_public_names_exist_with_docstrings_and_private_names_still_work",
)
ROUND_TRIP = tests_in("test_round_trip.py", "test_create_add_follow_and_read_back")


@dataclass(frozen=True)
class DrillChange:
    """One synthetic upstream change and what must follow from it."""

    name: str
    edit: Callable[[Doc], None]
    verdict: str  # the report's verdict for the change (and the worst of the whole report)
    kind: str  # the report line that carries it: its kind ...
    where: str  # ... and a part of its `where`
    tests: tuple[str, ...] = ()  # pytest arguments
    must_pass: tuple[str, ...] = ()  # parts of test ids that must be among the passed
    slice_stops: bool = False


def _schema(doc: Doc, name: str) -> Doc:
    schema: Doc = doc["components"]["schemas"][name]
    return schema


def _operation(doc: Doc, method: str, path: str) -> Doc:
    operation: Doc = doc["paths"][path][method]
    return operation


def optional_response_field(doc: Doc) -> None:
    _schema(doc, "TaskRun")["properties"]["progress_note"] = {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "title": "Progress Note",
        "description": "A short note on the run's progress.",
    }


def required_request_field(doc: Doc) -> None:
    schema = _schema(doc, "TaskRunInput")
    schema["properties"]["priority"] = {"type": "integer", "title": "Priority"}
    schema["required"].append("priority")


def run_status_value(doc: Doc) -> None:
    _schema(doc, "TaskRun")["properties"]["status"]["enum"].append("paused")
    runs = _operation(doc, "get", "/v1/tasks/groups/{taskgroup_id}/runs")
    for parameter in runs["parameters"]:
        if parameter["name"] == "status":
            parameter["schema"]["anyOf"][0]["enum"].append("paused")


def new_event_type(doc: Doc) -> None:
    doc["components"]["schemas"]["TaskGroupHeartbeatEvent"] = {
        "properties": {
            "type": {"type": "string", "const": "task_group.heartbeat", "title": "Type"},
            "event_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Event Id"},
            "sent_at": {"type": "string", "title": "Sent At"},
        },
        "type": "object",
        "required": ["type", "sent_at"],
        "title": "TaskGroupHeartbeatEvent",
    }
    events = _operation(doc, "get", "/v1/tasks/groups/{taskgroup_id}/events")
    schema = events["responses"]["200"]["content"]["text/event-stream"]["schema"]
    schema["oneOf"].append({"$ref": REF + "TaskGroupHeartbeatEvent"})
    schema["discriminator"]["mapping"]["task_group.heartbeat"] = REF + "TaskGroupHeartbeatEvent"


def field_removed(doc: Doc) -> None:
    schema = _schema(doc, "TaskRun")
    del schema["properties"]["modified_at"]
    schema["required"] = [name for name in schema["required"] if name != "modified_at"]


def type_widened(doc: Doc) -> None:
    _schema(doc, "Citation")["properties"]["title"]["anyOf"].insert(
        1, {"type": "array", "items": {"type": "string"}}
    )


def query_parameter_added(doc: Doc) -> None:
    _operation(doc, "get", "/v1/tasks/groups/{taskgroup_id}/runs")["parameters"].append(
        {
            "name": "include_basis",
            "in": "query",
            "required": False,
            "schema": {"type": "boolean", "default": False, "title": "Include Basis"},
        }
    )


def operation_removed(doc: Doc) -> None:
    del doc["paths"]["/v1/tasks/runs"]["post"]


def upstream_operation_added(doc: Doc) -> None:
    doc["paths"]["/v1/tasks/runs/{run_id}/cancel"] = {
        "post": {
            "operationId": "tasks_runs_cancel_post_v1_tasks_runs__run_id__cancel_post",
            "parameters": [
                {"name": "run_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": {"description": "Cancelled"}},
        }
    }


CHANGES: tuple[DrillChange, ...] = (
    DrillChange(
        "optional response field",
        optional_response_field,
        "docs only",
        "field added",
        "TaskRun.progress_note",
        TOLERANCE + ROUND_TRIP,
        ("TaskRun.progress_note", "test_create_add"),
    ),
    DrillChange(
        "required request field",
        required_request_field,
        "breaks the wrapper",
        "required field added",
        "TaskRunInput.priority",
        TOLERANCE + ROUND_TRIP,
        ("TaskRunInput.priority", "test_create_add"),
    ),
    DrillChange(
        "run status value",
        run_status_value,
        "breaks the wrapper",
        "enum value added",
        "TaskRun.status",
        TOLERANCE + RAW_STREAMS,
        ("TaskRun.status", "test_the_three_raw_streams"),
    ),
    DrillChange(
        "new event type",
        new_event_type,
        "breaks the wrapper",
        "event type added",
        "stream_task_group_events",
        EVENT_TYPES + TOLERANCE + RAW_STREAMS,
        ("stream_task_group_events:task_group.heartbeat", "TaskGroupHeartbeatEvent.sent_at"),
    ),
    DrillChange(
        "field removed",
        field_removed,
        "breaks callers",
        "field removed",
        "TaskRun.modified_at",
        TOLERANCE + ROUND_TRIP,
        ("TaskRun.status", "test_create_add"),
    ),
    DrillChange(
        "type widened",
        type_widened,
        "breaks callers",
        "field type widened",
        "Citation.title",
        TOLERANCE,
        ("Citation.title",),
    ),
    DrillChange(
        "query parameter added",
        query_parameter_added,
        "docs only",
        "optional query parameter added",
        "stream_task_group_runs",
        PARAMETERS + RAW_STREAMS,
        ("stream_task_group_runs:include_basis", "test_the_three_raw_streams"),
    ),
    DrillChange(
        "operation removed",
        operation_removed,
        "breaks callers",
        "operation removed upstream",
        "create_task_run",
        slice_stops=True,
    ),
    DrillChange(
        "upstream operation added (not kept)",
        upstream_operation_added,
        "docs only",
        "upstream operation added",
        "/v1/tasks/runs/{run_id}/cancel",
        MODULES,
        ("test_public_names_exist",),
    ),
)


# -- running one change --------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one change."""

    change: DrillChange
    verdict: str = "-"
    tests: str = "-"
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def _run(
    cmd: list[str], cwd: Path, env: Optional[dict[str, str]] = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def prepare(folder: Path, upstream: Doc, change: DrillChange) -> Path:
    """The folder with copies of what the steps need, and the changed upstream document."""
    for name in (*COPIED, COPIED_FIXTURES):
        source, target = ROOT / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(source, target)
    changed = copy.deepcopy(upstream)
    change.edit(changed)
    path = folder / "upstream.json"
    path.write_text(json.dumps(changed), encoding="utf-8")
    return path


def check_report(outcome: Outcome, report: Doc) -> None:
    change = outcome.change
    lines = [
        c for c in report["changes"] if c["kind"] == change.kind and change.where in c["where"]
    ]
    if not lines:
        outcome.problems.append(f"the report has no {change.kind!r} line for {change.where}")
        outcome.verdict = str(report.get("verdict"))
        return
    outcome.verdict = lines[0]["verdict"]
    if outcome.verdict != change.verdict:
        outcome.problems.append(f"verdict {outcome.verdict!r}, expected {change.verdict!r}")
    if report.get("verdict") != change.verdict:
        outcome.problems.append(
            f"report verdict {report.get('verdict')!r}, expected {change.verdict!r}"
        )


def passed_tests(junit: Path) -> tuple[list[str], int]:
    """(ids of the passed tests, number that failed or errored) from a JUnit XML report."""
    passed, failed = [], 0
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        outcome = {child.tag for child in case}
        if outcome & {"failure", "error"}:
            failed += 1
        elif "skipped" not in outcome:
            passed.append(f"{case.get('classname')}::{case.get('name')}")
    return passed, failed


def run_tests(outcome: Outcome, folder: Path) -> None:
    change = outcome.change
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(folder / "generated_client"), *filter(None, [env.get("PYTHONPATH")])]
    )
    env.setdefault("HYPOTHESIS_PROFILE", "ci")
    # Only the plugins the tests name (tests/conftest.py): autoloading every installed one
    # (schemathesis, ...) costs seconds per run.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    junit = folder / "junit.xml"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    cmd += [f"--junitxml={junit}", *change.tests]
    proc = _run(cmd, folder, env)
    if not junit.is_file():
        outcome.tests = "did not run"
        outcome.problems.append(f"pytest: {(proc.stdout + proc.stderr)[-600:]}")
        return
    passed, failed = passed_tests(junit)
    outcome.tests = f"{len(passed)} passed" + (f", {failed} failed" if failed else "")
    if failed or proc.returncode != 0:
        outcome.problems.append(f"tests failed:\n{proc.stdout[-2000:]}")
    for part in change.must_pass:
        if not any(part in test_id for test_id in passed):
            outcome.problems.append(f"no passed test names {part!r}")


def drill_one(change: DrillChange, upstream: Doc, keep: bool = False) -> Outcome:
    """Slice, report, regenerate and test one change in a temporary folder."""
    outcome = Outcome(change)
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="spec-drill-"))
    try:
        source = prepare(folder, upstream, change)
        report_path = folder / "report.json"
        update = [sys.executable, str(folder / "generator" / "update_spec.py"), str(source)]
        update += ["--root", str(folder), "--previous", str(folder / "prev" / "openapi.yaml")]
        proc = _run([*update, "--json", str(report_path)], folder)
        if not report_path.is_file():
            outcome.problems.append(f"update_spec: {(proc.stdout + proc.stderr)[-600:]}")
            return outcome
        report = json.loads(report_path.read_text(encoding="utf-8"))
        check_report(outcome, report)
        stopped = proc.returncode == 2 and report.get("slice_error")
        if change.slice_stops:
            outcome.tests = "slice stopped, as expected" if stopped else "slice went through"
            if not stopped:
                outcome.problems.append("the slice was expected to stop")
            return outcome
        if proc.returncode != 0:
            outcome.problems.append(f"update_spec exited {proc.returncode}: {proc.stderr[-600:]}")
            return outcome
        generated = _run([sys.executable, str(folder / "generator" / "generate.py")], folder)
        if generated.returncode != 0:
            outcome.tests = "generate failed"
            outcome.problems.append(f"generate: {(generated.stdout + generated.stderr)[-1500:]}")
            return outcome
        run_tests(outcome, folder)
        return outcome
    finally:
        outcome.seconds = time.monotonic() - started
        if keep:
            outcome.problems += [] if outcome.ok else [f"kept in {folder}"]
        else:
            shutil.rmtree(folder, ignore_errors=True)


def run_drill(
    changes: Iterable[DrillChange] = CHANGES,
    upstream_path: Path = UPSTREAM,
    jobs: int = 2,
    keep: bool = False,
) -> list[Outcome]:
    """Every change's outcome, in the order given (changes run `jobs` at a time)."""
    upstream = json.loads(upstream_path.read_text(encoding="utf-8"))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda c: drill_one(c, upstream, keep), list(changes)))


def table(outcomes: list[Outcome]) -> str:
    rows = [("change", "verdict", "expected", "tests", "result")]
    for o in outcomes:
        result = "ok" if o.ok else "FAILED"
        rows.append(
            (o.change.name, o.verdict, o.change.verdict, o.tests, f"{result} ({o.seconds:.0f} s)")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", default=str(UPSTREAM), help="the upstream document")
    parser.add_argument("--only", nargs="*", help="names of the changes to drill")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--keep", action="store_true", help="keep the folders of failed changes")
    args = parser.parse_args(argv)
    if not Path(args.upstream).is_file():
        print(f"spec_drill: no upstream document at {args.upstream}", file=sys.stderr)
        return 2
    chosen = [c for c in CHANGES if not args.only or c.name in args.only]
    started = time.monotonic()
    outcomes = run_drill(chosen, Path(args.upstream), args.jobs, args.keep)
    print(table(outcomes))
    for o in outcomes:
        for problem in o.problems:
            print(f"\n{o.change.name}: {problem}")
    took = time.monotonic() - started
    print(f"\n{sum(o.ok for o in outcomes)} of {len(outcomes)} changes ok in {took:.0f} s.")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())

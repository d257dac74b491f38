"""Escalating weak answers: ``retry="low-confidence"`` creates exactly one run, on the stronger
processor, per row whose latest answer is weak by the rule, quotes it first, keeps within
``max_cost``, and keeps the earlier attempt in the line (against the emulator)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from job_helpers import group_of, group_runs, json_spec, taskgroup
from parallel_taskgroup import BudgetExceededError, Client, run_job
from parallel_taskgroup.jobs.prices import price_table
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]
ROWS = 300
SPEC = json_spec(
    {
        "ceo": {"type": "string"},
        "founded": {"type": "integer"},
        "products": {"type": "array", "items": {"type": "string"}},
    }
)


def lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text().splitlines()]


def weak_keys(
    out: Path, *, fields: Optional[set[str]] = None, levels: tuple[str, ...] = ("low",)
) -> set[str]:
    """Rows whose answer in the results file has a considered field at a weak level."""
    found = set()
    for record in lines(out):
        for entry in record.get("basis") or []:
            if fields is not None and entry["field"].split(".")[0] not in fields:
                continue
            if entry.get("confidence") in levels:
                found.add(record["key"])
    return found


def runs_per_key(server: EmulatorServer, out: Path) -> Counter[str]:
    return Counter(str(r["metadata"]["row_key"]) for r in group_runs(server, group_of(out)))


@pytest.fixture
def answered(emulator_factory: Factory, tmp_path: Path) -> tuple[EmulatorServer, Path, Path]:
    """A finished job of 300 rows on base, its basis in the results file."""
    server = emulator_factory(time_scale=0.001)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(
        "".join(json.dumps({"id": f"r{i}", "name": f"Co {i}"}) + "\n" for i in range(ROWS))
    )
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    with client_of(server) as client:
        run_job(client, str(src), out=str(out), key="id", task_spec=SPEC, include_basis=True)
    return server, src, out


def client_of(server: EmulatorServer) -> Client:
    return Client(api_key=server.api_key, base_url=server.base_url)


def escalate(server: EmulatorServer, src: Path, out: Path, **options: Any) -> Any:
    with client_of(server) as client:
        return run_job(
            client,
            str(src),
            out=str(out),
            key="id",
            task_spec=SPEC,
            include_basis=True,
            retry="low-confidence",
            processor="core",
            **options,
        )


def test_escalation_creates_one_run_on_the_stronger_processor_per_weak_row(
    answered: tuple[EmulatorServer, Path, Path],
) -> None:
    server, src, out = answered
    before = {r["key"]: r for r in lines(out)}
    weak = weak_keys(out)
    assert 0 < len(weak) < ROWS
    quote = escalate(server, src, out, dry_run=True).quote
    assert (quote.weak, quote.to_submit, quote.processor) == (len(weak), len(weak), "core")
    report = escalate(server, src, out)
    assert report.completed == ROWS
    per_key = runs_per_key(server, out)
    assert {k for k, n in per_key.items() if n == 2} == weak
    assert max(per_key.values()) == 2
    records = {r["key"]: r for r in lines(out)}
    assert len(records) == ROWS == len(lines(out))
    for key in weak:
        (earlier,) = records[key]["attempts"]
        assert earlier["processor"] == "base" and earlier["output"] == before[key]["output"]
        assert records[key]["run_id"] != earlier["run_id"]
    assert all(records[k] == before[k] for k in set(records) - weak)


def test_running_the_same_escalation_again_sends_nothing(
    answered: tuple[EmulatorServer, Path, Path],
) -> None:
    server, src, out = answered
    escalate(server, src, out)
    runs = sum(runs_per_key(server, out).values())
    again = escalate(server, src, out)
    assert again.quote.to_submit == 0
    assert sum(runs_per_key(server, out).values()) == runs


def test_escalation_keeps_within_max_cost_and_the_same_call_sends_the_rest_later(
    answered: tuple[EmulatorServer, Path, Path],
) -> None:
    server, src, out = answered
    weak = weak_keys(out)
    prices = price_table(None)
    spent = ROWS * prices.per_run("base")
    short = spent + (len(weak) - 1) * prices.per_run("core")  # one run short: the batch waits
    with pytest.raises(BudgetExceededError, match=f"{len(weak)} rows are not sent"):
        escalate(server, src, out, max_cost=short)
    assert sum(runs_per_key(server, out).values()) == ROWS
    assert all(r["status"] == "completed" for r in lines(out))  # earlier answers still there
    escalate(server, src, out, max_cost=spent + len(weak) * prices.per_run("core"))
    assert sum(runs_per_key(server, out).values()) == ROWS + len(weak)


def test_a_rule_on_named_fields_and_a_level_picks_exactly_the_rows_it_describes(
    answered: tuple[EmulatorServer, Path, Path],
) -> None:
    server, src, out = answered
    expected = weak_keys(out, fields={"ceo"}, levels=("low", "medium"))
    quote = escalate(server, src, out, retry_fields=["ceo"], retry_at_most="medium", dry_run=True)
    assert quote.quote.weak == len(expected)


def test_a_rule_that_matches_nothing_says_so_and_sends_nothing(
    answered: tuple[EmulatorServer, Path, Path],
) -> None:
    server, src, out = answered
    args = ["run", str(src), "--out", str(out), "--key", "id", "--task-spec"]
    args += [str(src.parent / "spec.json"), "--include-basis", "--retry", "low-confidence"]
    done = taskgroup([*args, "--processor", "base"], server)  # answers of base itself
    assert done.returncode == 0, done.stderr
    assert "nothing to run again" in done.stderr
    assert sum(runs_per_key(server, out).values()) == ROWS


def test_an_unknown_field_in_the_rule_is_refused_naming_the_schema_fields(
    answered: tuple[EmulatorServer, Path, Path],
) -> None:
    server, src, out = answered
    with pytest.raises(Exception, match="revenue not in the output schema .*ceo, founded"):
        escalate(server, src, out, retry_fields=["revenue"], dry_run=True)

"""Keeping a table enriched: ``--refresh`` runs exactly the new and edited rows of a changed
input, drops removed rows from the results file, quotes exactly that first, and stays exactly
once when killed and run again (the command line against the emulator)."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import pytest
from job_helpers import group_of, group_runs, start, taskgroup
from parallel_taskgroup import Client, ConfigurationError, run_job
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]
ROWS = 2000


def write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text().splitlines()]


def runs_per_attempt(server: EmulatorServer, out: Path) -> Counter[tuple[str, int]]:
    """How many runs the group holds for each (row key, attempt)."""
    return Counter(
        (str(run["metadata"]["row_key"]), int(run["metadata"].get("attempt", 1)))
        for run in group_runs(server, group_of(out))
    )


def changed_table(rows: list[dict[str, Any]], seed: int = 7) -> tuple[list[dict[str, Any]], dict]:
    """The table edited (10 %), grown (5 %) and shrunk (3 %), and which keys are which."""
    rng = random.Random(seed)
    keys = [r["id"] for r in rows]
    removed = set(rng.sample(keys, len(rows) * 3 // 100))
    kept = [k for k in keys if k not in removed]
    edited = set(rng.sample(kept, len(rows) // 10))
    table = []
    for row in rows:
        if row["id"] in removed:
            continue
        table.append({**row, "name": row["name"] + " (renamed)"} if row["id"] in edited else row)
    added = [{"id": f"n{i}", "name": f"New company {i}"} for i in range(len(rows) * 5 // 100)]
    return table + added, {"removed": removed, "edited": edited, "added": {r["id"] for r in added}}


@pytest.fixture
def enriched(emulator_factory: Factory, tmp_path: Path) -> tuple[EmulatorServer, Path, Path, list]:
    """A finished job of 2,000 rows."""
    server = emulator_factory(time_scale=0.001, wire_faults=True)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"id": f"r{i}", "name": f"Company {i}"} for i in range(ROWS)]
    write(src, rows)
    done = taskgroup(["run", str(src), "--out", str(out), "--key", "id", "-q"], server)
    assert done.returncode == 0, done.stderr
    return server, src, out, rows


def refresh_args(src: Path, out: Path, *extra: str) -> list[str]:
    return ["run", str(src), "--out", str(out), "--key", "id", "-q", "--refresh", *extra]


def test_a_refresh_quotes_exactly_the_new_and_edited_rows_before_sending(
    enriched: tuple[EmulatorServer, Path, Path, list], tmp_path: Path
) -> None:
    server, src, out, rows = enriched
    table, which = changed_table(rows)
    write(src, table)
    done = taskgroup([*refresh_args(src, out), "--dry-run", "--json"], server)
    assert done.returncode == 0, done.stderr
    quote = json.loads(done.stdout)
    assert (quote["new"], quote["edited"], quote["removed"]) == (100, 200, 60)
    assert quote["to_submit"] == 300 and quote["stale"] == quote["weak"] == 0
    assert sum(runs_per_attempt(server, out).values()) == ROWS  # the dry run sent nothing


def test_a_refresh_runs_new_and_edited_rows_once_and_leaves_one_line_per_current_row(
    enriched: tuple[EmulatorServer, Path, Path, list],
) -> None:
    server, src, out, rows = enriched
    before = {r["key"]: r for r in lines(out)}
    table, which = changed_table(rows)
    write(src, table)
    done = taskgroup(refresh_args(src, out), server)
    assert done.returncode == 0, done.stderr
    per_attempt = runs_per_attempt(server, out)
    assert max(per_attempt.values()) == 1
    assert sum(per_attempt.values()) == ROWS + 300
    second_runs = {k for k, a in per_attempt if a == 2}
    assert second_runs == which["edited"]
    records = {r["key"]: r for r in lines(out)}
    assert len(lines(out)) == len(records) == len(table)
    assert set(records) == {r["id"] for r in table}
    for row in table:
        record = records[row["id"]]
        assert record["status"] == "completed" and record["input"] == row
        if row["id"] in which["edited"]:
            (earlier,) = record["attempts"]
            assert earlier["output"] == before[row["id"]]["output"]
        elif row["id"] not in which["added"]:
            assert record == before[row["id"]]  # unchanged rows keep their result


def test_a_refresh_killed_while_a_post_is_in_flight_is_still_exactly_once(
    enriched: tuple[EmulatorServer, Path, Path, list],
) -> None:
    server, src, out, rows = enriched
    table, which = changed_table(rows, seed=11)
    write(src, table)
    server.set_faults(wire_hold_next_posts=1, wire_hold_seconds=2.0)
    proc = start([*refresh_args(src, out), "--submit-timeout", "4"], server)
    ends = time.monotonic() + 30
    while int(server.faults()["wire_injected"]["hold_post"]) < 1:
        assert time.monotonic() < ends, "no add-runs POST was sent"
        time.sleep(0.02)
    proc.kill()  # the held POST lands after its sender died
    proc.communicate()
    done = taskgroup([*refresh_args(src, out), "--submit-timeout", "4"], server)
    assert done.returncode == 0, done.stderr
    per_attempt = runs_per_attempt(server, out)
    assert max(per_attempt.values()) == 1, per_attempt.most_common(3)
    assert sum(per_attempt.values()) == ROWS + len(which["edited"]) + len(which["added"])
    keys = Counter(r["key"] for r in lines(out))
    assert set(keys) == {r["id"] for r in table} and max(keys.values()) == 1


def test_a_refresh_of_an_unchanged_table_sends_nothing(
    enriched: tuple[EmulatorServer, Path, Path, list],
) -> None:
    server, src, out, _ = enriched
    before = out.read_bytes()
    done = taskgroup([*refresh_args(src, out), "--json"], server)
    assert done.returncode == 0, done.stderr
    assert sum(runs_per_attempt(server, out).values()) == ROWS
    assert out.read_bytes() == before


def test_refresh_older_than_runs_again_results_older_than_the_age(
    enriched: tuple[EmulatorServer, Path, Path, list],
) -> None:
    server, src, out, _ = enriched
    dry = taskgroup(
        [*refresh_args(src, out), "--refresh-older-than", "1h", "--dry-run", "--json"], server
    )
    assert json.loads(dry.stdout)["stale"] == 0  # every result is minutes old
    time.sleep(1.5)
    dry = taskgroup(
        [*refresh_args(src, out), "--refresh-older-than", "1s", "--dry-run", "--json"], server
    )
    assert json.loads(dry.stdout)["stale"] == ROWS


def test_a_row_removed_by_a_refresh_and_back_later_gets_its_result_back_without_a_run(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.001)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"id": f"r{i}", "name": f"Company {i}"} for i in range(20)]
    client_args = dict(out=str(out), key="id")
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        write(src, rows)
        run_job(client, str(src), **client_args)
        first = {r["key"]: r for r in lines(out)}
        write(src, rows[:15])
        report = run_job(client, str(src), refresh=True, **client_args)
        assert report.rows == 15 and len(lines(out)) == 15
        write(src, rows)
        report = run_job(client, str(src), refresh=True, **client_args)
        assert report.quote is not None and report.quote.to_submit == 0
    assert {r["key"]: r for r in lines(out)} == first
    assert sum(runs_per_attempt(server, out).values()) == 20


def test_refresh_needs_the_whole_input(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    write(src, [{"id": "a"}])
    with pytest.raises(ConfigurationError, match="refresh reads the whole input"):
        run_job(None, str(src), out=str(tmp_path / "o.jsonl"), key="id", refresh=True, limit=1)

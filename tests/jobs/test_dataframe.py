"""run_dataframe: a job over a pandas DataFrame returns the frame joined with its results."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from parallel_taskgroup import BudgetExceededError, Client, InputError, run_dataframe
from taskgroup_emulator.testing import EmulatorServer

pandas = pytest.importorskip("pandas")

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]
SPEC = {
    "output_schema": {
        "type": "json",
        "json_schema": {
            "type": "object",
            "properties": {"summary": {"type": "string"}},
            "required": ["summary"],
        },
    }
}


def companies(n: int) -> object:
    return pandas.DataFrame(
        {"id": list(range(n)), "name": [f"Company {i}" for i in range(n)]},
        index=[f"row{i}" for i in range(n)],
    )


def connect(server: EmulatorServer) -> Client:
    return Client(api_key=server.api_key, base_url=server.base_url, allow_insecure_http=True)


def test_the_frame_comes_back_in_its_order_with_one_result_per_row(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(rate_limit_per_minute=10**6)
    frame = companies(30)
    with connect(server) as client:
        joined = run_dataframe(
            client, frame, key="id", out=str(tmp_path / "r.jsonl"), processor="lite", task_spec=SPEC
        )
    assert list(joined.index) == list(frame.index)
    assert list(joined["name"]) == list(frame["name"])
    assert set(joined["status"]) == {"completed"}
    assert joined["output.summary"].notna().all() and joined["run_id"].notna().all()


def test_running_the_same_frame_again_creates_no_run(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(rate_limit_per_minute=10**6)
    out = str(tmp_path / "r.csv")
    with connect(server) as client:
        first = run_dataframe(client, companies(20), key="id", out=out, processor="lite")
        again = run_dataframe(client, companies(20), key="id", out=out, processor="lite")
    assert list(again["run_id"]) == list(first["run_id"])
    assert server.credit_status()["spent"] == 20


def test_a_refreshed_frame_runs_only_its_new_and_edited_rows(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(rate_limit_per_minute=10**6)
    out = str(tmp_path / "r.jsonl")
    with connect(server) as client:
        first = run_dataframe(client, companies(20), key="id", out=out, processor="lite")
        frame = companies(22).drop(index=["row0", "row1"])  # two removed, two added
        frame.loc["row5", "name"] = "Company 5, renamed"  # one edited
        again = run_dataframe(client, frame, key="id", out=out, processor="lite", refresh=True)
    assert list(again.index) == list(frame.index)
    changed = {r for r in frame.index if again.loc[r, "run_id"] != first["run_id"].get(r)}
    assert changed == {"row5", "row20", "row21"}
    assert server.credit_status()["spent"] == 23


def test_a_budget_stop_raises_before_any_frame_is_returned(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(rate_limit_per_minute=10**6)
    with connect(server) as client, pytest.raises(BudgetExceededError):
        run_dataframe(
            client, companies(1500), key="id", out=str(tmp_path / "r.jsonl"), max_cost=6.0
        )


def test_a_missing_key_column_is_an_input_error() -> None:
    with pytest.raises(InputError, match="'company'"):
        run_dataframe(None, companies(2), key="company", out="unused.jsonl")


def test_a_column_named_like_a_result_column_is_an_input_error() -> None:
    frame = companies(2).assign(status="new")
    with pytest.raises(InputError, match="status"):
        run_dataframe(None, frame, key="id", out="unused.jsonl")

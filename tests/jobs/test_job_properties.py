"""Property: whatever a user does between sessions of a job — a crash after any request, a
deleted or corrupt journal, a lost state file (then re-attaching with the group id the error
names), retries of failed rows — the group never holds two runs of a row's attempt, every
session that ends leaves one line per row, and the spend computed from the journal is the price
of the runs the group holds."""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from job_helpers import group_runs
from parallel_taskgroup import Client, JobError, ParallelError, PriceTable, run_job
from parallel_taskgroup.jobs.store import JobStore
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

PRICE = PriceTable()


class Crash(BaseException):
    """The process dies (like kill -9): this request and every later one never happen."""


class DiesAfter(httpx.BaseTransport):
    """Real HTTP until the ``after``-th request has been answered; then the process is dead."""

    def __init__(self, after: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.after = after
        self.seen = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.seen >= self.after:
            raise Crash()
        self.seen += 1
        response = self.inner.handle_request(request)
        if self.seen >= self.after:
            response.close()
            raise Crash()  # the server acted; the answer is lost with the process
        return response


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(time_scale=0.001, api_keys=["k"], failure_rate=0.25) as emu:
        yield emu


Step = tuple[str, int]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("crash"), st.integers(1, 12)),
        st.tuples(
            st.sampled_from(["lose journal", "damage journal", "lose records", "lose state"]),
            st.just(0),
        ),
        st.tuples(st.just("retry"), st.just(0)),
    ),
    max_size=4,
)


def remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)


@settings(
    max_examples=max(3, settings.default.max_examples // 6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(n_rows=st.integers(1, 30), plan=steps)
def test_no_sequence_of_crashes_losses_and_reruns_bills_a_row_twice(
    server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory, n_rows: int, plan: list[Step]
) -> None:
    folder = tmp_path_factory.mktemp("job")
    out = str(folder / "out.jsonl")
    rows = [{"id": f"r{i}", "q": f"question {i}"} for i in range(n_rows)]
    group: dict[str, str] = {}

    def session(*, dies_after: int = 0, retry: bool = False) -> None:
        transport: httpx.BaseTransport = (
            DiesAfter(dies_after) if dies_after else httpx.HTTPTransport()
        )
        with (
            httpx.Client(transport=transport) as http,
            # A POST the crash left in flight settles 1 + 1 s after it was sent.
            Client(
                api_key="k", base_url=server.base_url, http_client=http, submit_timeout=1.0
            ) as client,
        ):
            try:
                run_job(
                    client,
                    rows,
                    out=out,
                    key="id",
                    processor="lite",
                    group_id=group.get("id") if not os.path.exists(out + ".state.json") else None,
                    retry="failed" if retry else None,
                )
            except Crash:
                pass
            except JobError as exc:  # what a user meets, and what they are told to do
                assert "--group" in exc.message or "in use" in exc.message, exc.message
        if os.path.exists(out + ".state.json"):
            found = json.loads(Path(out + ".state.json").read_text())["group_id"]
            if found:  # None while the group could not be created yet
                group["id"] = found

    for action, arg in plan:
        if action == "crash":
            session(dies_after=arg)
        elif action == "lose journal":
            remove(out + ".journal")
        elif action == "damage journal":
            if os.path.exists(out + ".journal"):
                remove(out + ".journal")
                Path(out + ".journal").write_bytes(b"not a database" * 50)
        elif action == "lose records":
            Path(out + ".journal-records").unlink(missing_ok=True)
        elif action == "lose state":
            remove(out + ".state.json")
        else:
            with contextlib.suppress(ParallelError):
                session(retry=True)
    session()  # the user runs the same command once more, with nothing in the way
    if not group:
        return  # nothing was ever created
    runs = group_runs(server, group["id"])
    attempts = Counter(
        ((r.get("metadata") or {}).get("row_key"), (r.get("metadata") or {}).get("attempt", 1))
        for r in runs
    )
    assert max(attempts.values()) == 1, attempts.most_common(3)
    assert {key for key, _ in attempts} == {r["id"] for r in rows}
    lines = [json.loads(line) for line in Path(out).read_text().splitlines()]
    assert sorted(line["key"] for line in lines) == sorted(r["id"] for r in rows)
    store = JobStore(out + ".journal")
    try:
        spent = PRICE.cost(store.runs_by_processor())
    finally:
        store.close()
    assert spent == pytest.approx(PRICE.per_run("lite") * len(runs))

"""The rate limit (per request or per run, with Retry-After) and the account's credit (402)."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import httpx
import pytest
from emulator_helpers import add_runs, client_for, new_group
from hypothesis import given
from hypothesis import strategies as st
from taskgroup_emulator.ratelimit import RateLimiter
from taskgroup_emulator.testing import EmulatorServer, EmulatorStartError

pytestmark = pytest.mark.integration

RATE_LIMITED = "Too many requests: quota temporarily exceeded"
PAYMENT_REQUIRED = "Payment required: insufficient credit in account"
ONE_RUN = {"input": "x", "processor": "lite"}


def _post_runs(api: httpx.Client, group_id: str, count: int) -> httpx.Response:
    return api.post(f"/v1/tasks/groups/{group_id}/runs", json={"inputs": [ONE_RUN] * count})


def _used(emu: EmulatorServer) -> int:
    return sum(emu.rate_limit()["usage_by_key_digest"].values())


def _documented_error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body == {
        "type": "error",
        "error": {"ref_id": body["error"]["ref_id"], "message": message},
    }
    assert isinstance(body["error"]["ref_id"], str) and body["error"]["ref_id"]


def _num_runs(api: httpx.Client, group_id: str) -> int:
    count: int = api.get(f"/v1/tasks/groups/{group_id}").json()["status"]["num_task_runs"]
    return count


# -- rate limit ---------------------------------------------------------------------------------


def test_request_unit_counts_a_1000_input_post_as_one(emulator_server_factory: Any) -> None:
    with emulator_server_factory(rate_limit_per_minute=2) as emu, client_for(emu) as api:
        assert emu.rate_limit()["unit"] == "request"
        group_id = new_group(api)
        assert _post_runs(api, group_id, 1000).status_code == 200
        assert _used(emu) == 1
        assert api.post("/v1/tasks/runs", json=ONE_RUN).status_code == 202
        _documented_error(_post_runs(api, group_id, 1), 429, RATE_LIMITED)
        assert _num_runs(api, group_id) == 1000


def test_group_creation_and_gets_never_count(emulator_server_factory: Any) -> None:
    with emulator_server_factory(rate_limit_per_minute=1) as emu, client_for(emu) as api:
        group_id = new_group(api)
        for _ in range(3):
            new_group(api)
            api.get(f"/v1/tasks/groups/{group_id}")
            api.get(f"/v1/tasks/groups/{group_id}/runs")
        assert _used(emu) == 0
        assert _post_runs(api, group_id, 5).status_code == 200


def test_run_unit_counts_every_run_and_refuses_a_post_that_does_not_fit_whole(
    emulator_server_factory: Any,
) -> None:
    settings = {"rate_limit_per_minute": 1500, "rate_limit_unit": "run"}
    with emulator_server_factory(**settings) as emu, client_for(emu) as api:
        group_id = new_group(api)
        assert _post_runs(api, group_id, 1000).status_code == 200
        assert _used(emu) == 1000
        refused = _post_runs(api, group_id, 1000)
        _documented_error(refused, 429, RATE_LIMITED)
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert _num_runs(api, group_id) == 1000 and _used(emu) == 1000
        assert _post_runs(api, group_id, 500).status_code == 200
        assert _used(emu) == 1500


def test_rate_limit_answers_429_with_retry_after_and_counts_single_runs(
    emulator_server_factory: Any,
) -> None:
    settings = {"rate_limit_per_minute": 5, "rate_limit_unit": "run"}
    with emulator_server_factory(**settings) as emu, client_for(emu) as api:
        group_id = new_group(api)
        add_runs(api, group_id, ["a", "b", "c"])
        response = _post_runs(api, group_id, 3)
        _documented_error(response, 429, RATE_LIMITED)
        assert int(response.headers["retry-after"]) >= 1
        assert api.post("/v1/tasks/runs", json=ONE_RUN).status_code == 202
        assert emu.rate_limit()["limit_per_minute"] == 5
        assert _used(emu) == 4


def test_rate_limit_is_per_api_key(emulator_server_factory: Any) -> None:
    with emulator_server_factory(rate_limit_per_minute=1, api_keys=["k1", "k2"]) as emu:
        codes = []
        for key in ("k1", "k1", "k2"):
            with httpx.Client(base_url=emu.base_url, headers={"x-api-key": key}) as api:
                codes.append(_post_runs(api, new_group(api), 2).status_code)
        assert codes == [200, 429, 200]


def test_control_endpoint_shows_and_changes_limit_and_unit(emulator_server_factory: Any) -> None:
    with emulator_server_factory(rate_limit_per_minute=10) as emu, client_for(emu) as api:
        shown = emu.rate_limit()
        assert (shown["limit_per_minute"], shown["unit"], shown["window_seconds"]) == (
            10,
            "request",
            60.0,
        )
        changed = emu.set_rate_limit(3, unit="run")
        assert (changed["limit_per_minute"], changed["unit"]) == (3, "run")
        group_id = new_group(api)
        assert _post_runs(api, group_id, 3).status_code == 200
        assert _post_runs(api, group_id, 1).status_code == 429
        for bad in (
            {"unit": "minute"},
            {"limit_per_minute": 0},
            {"nope": 1},
            [1],
            {"reset_usage": "yes"},
        ):
            response = httpx.post(emu.base_url + "/_emulator/rate-limit", json=bad)
            assert response.status_code == 400, bad


@pytest.mark.parametrize(
    "unit, log, cost, now, wait",
    [
        ("request", [(0.0, 1), (10.0, 1)], 1, 20.0, 40),  # the oldest request frees at 60
        ("run", [(0.0, 600), (30.0, 400)], 500, 40.0, 20),  # 600 runs free at 60: enough
        ("run", [(0.0, 600), (30.0, 400)], 700, 40.0, 50),  # needs the 400 of t=30 too
        ("run", [], 1001, 0.0, 60),  # more than the limit itself: a full window
    ],
)
def test_retry_after_is_the_seconds_until_enough_of_the_window_frees(
    unit: str, log: List[Any], cost: int, now: float, wait: int
) -> None:
    limiter = RateLimiter(1000 if unit == "run" else 2, unit)
    for stamp, n in log:
        limiter.record("key", n, now=stamp)
    assert limiter.check("key", cost, now=now) == wait


# -- credit -------------------------------------------------------------------------------------


def test_402_has_the_documented_body_and_creates_nothing(emulator_server_factory: Any) -> None:
    with emulator_server_factory(credit=5) as emu, client_for(emu) as api:
        group_id = new_group(api)
        assert _post_runs(api, group_id, 3).status_code == 200
        _documented_error(_post_runs(api, group_id, 3), 402, PAYMENT_REQUIRED)
        assert _num_runs(api, group_id) == 3
        assert emu.credit_status() == {"credit": 5, "spent": 3, "remaining": 2}
        assert _post_runs(api, group_id, 2).status_code == 200


def test_single_runs_reserve_credit_too(emulator_server_factory: Any) -> None:
    with emulator_server_factory(credit=1) as emu, client_for(emu) as api:
        assert api.post("/v1/tasks/runs", json=ONE_RUN).status_code == 202
        _documented_error(api.post("/v1/tasks/runs", json=ONE_RUN), 402, PAYMENT_REQUIRED)
        assert emu.credit_status()["spent"] == 1


def test_credit_can_be_topped_up_at_runtime(emulator_server_factory: Any) -> None:
    with emulator_server_factory(credit=0) as emu, client_for(emu) as api:
        group_id = new_group(api)
        assert _post_runs(api, group_id, 1).status_code == 402
        assert emu.set_credit(4) == {"credit": 4, "spent": 0, "remaining": 4}
        assert _post_runs(api, group_id, 4).status_code == 200
        assert emu.set_credit(None)["remaining"] is None
        assert _post_runs(api, group_id, 100).status_code == 200


def test_restart_with_a_larger_credit_on_the_same_db_gives_more_room(
    emulator_server_factory: Any,
) -> None:
    with emulator_server_factory(credit=3) as emu:
        with client_for(emu) as api:
            group_id = new_group(api)
            assert _post_runs(api, group_id, 3).status_code == 200
            assert _post_runs(api, group_id, 1).status_code == 402
        emu.credit = 5
        emu.restart()
        with client_for(emu) as api:
            assert emu.credit_status() == {"credit": 5, "spent": 3, "remaining": 2}
            assert _post_runs(api, group_id, 2).status_code == 200
            assert _post_runs(api, group_id, 1).status_code == 402


def test_bad_credit_settings_are_400(emulator_server_factory: Any) -> None:
    with emulator_server_factory() as emu:
        assert emu.credit_status() == {"credit": None, "spent": 0, "remaining": None}
        for bad in ({"credit": -1}, {"credit": "5"}, {"credit": True}, {}, {"credit": 1, "x": 2}):
            response = httpx.post(emu.base_url + "/_emulator/credit", json=bad)
            assert response.status_code == 400, bad


def test_the_cli_rejects_a_negative_credit() -> None:
    server = EmulatorServer(credit=-1)
    try:
        with pytest.raises(EmulatorStartError, match="--credit must be >= 0"):
            server.start()
    finally:
        server.close()


# -- all or nothing -----------------------------------------------------------------------------

TOO_LONG = "x" * 25_001


@pytest.fixture(scope="module")
def strict_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(time_scale=0.005, rate_limit_unit="run") as emu:
        yield emu


posts = st.lists(
    st.fixed_dictionaries(
        {
            "single": st.booleans(),
            "inputs": st.lists(
                st.sampled_from(["ok", "ok", "ok", "bad-processor", "too-long"]), max_size=6
            ),
        }
    ),
    min_size=1,
    max_size=5,
)


def _item(kind: str) -> Dict[str, Any]:
    if kind == "bad-processor":
        return {"input": "x", "processor": "mega"}
    return {"input": TOO_LONG if kind == "too-long" else "x", "processor": "lite"}


@given(posts, st.integers(1, 12), st.integers(0, 12))
def test_every_post_is_wholly_applied_or_wholly_refused(
    strict_server: EmulatorServer, requests: List[Dict[str, Any]], limit: int, budget: int
) -> None:
    emu = strict_server
    emu.set_rate_limit(limit, unit="run", reset_usage=True)
    emu.set_credit(emu.credit_status()["spent"] + budget)
    with client_for(emu) as api:
        group_id = new_group(api)
        for request in requests:
            runs, spent = _num_runs(api, group_id), emu.credit_status()["spent"]
            used = _used(emu)
            items = [_item(kind) for kind in request["inputs"]]
            if request["single"] and items:
                response = api.post("/v1/tasks/runs", json=items[0])
                created = 1
            else:
                response = api.post(f"/v1/tasks/groups/{group_id}/runs", json={"inputs": items})
                created = len(items)
            applied = response.status_code in (200, 202)
            assert response.status_code in (200, 202, 402, 403, 422, 429), response.text
            in_group = 0 if request["single"] and items else created
            assert _num_runs(api, group_id) == runs + (in_group if applied else 0)
            assert emu.credit_status()["spent"] == spent + (created if applied else 0)
            assert _used(emu) == used + (created if applied else 0)

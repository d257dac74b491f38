"""The API key: its header comes from the contract's security scheme; the flags still work."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import httpx
from contract_helpers import Document, contract_copy
from taskgroup_emulator.testing import EmulatorServer


def rename_key_header(document: Document) -> None:
    document["components"]["securitySchemes"]["ApiKeyAuth"]["name"] = "x-parallel-key"


def assert_documented_401(response: httpx.Response, header: str) -> None:
    assert response.status_code == 401, response.text
    body: Dict[str, Any] = response.json()
    assert body["type"] == "error" and set(body["error"]) == {"ref_id", "message"}
    assert body["error"]["message"].startswith("Unauthorized: invalid or missing credentials")
    assert header in body["error"]["message"]


def test_the_api_key_header_is_the_one_the_contract_documents(tmp_path: Path) -> None:
    path = contract_copy(tmp_path, rename_key_header)
    server = EmulatorServer(time_scale=0.005, api_keys=["k1"], contract=path)
    with server as emu, httpx.Client(base_url=emu.base_url, timeout=10) as http:
        ok = http.post("/v1/tasks/groups", json={}, headers={"x-parallel-key": "k1"})
        assert ok.status_code == 200, ok.text
        old = http.post("/v1/tasks/groups", json={}, headers={"x-api-key": "k1"})
        assert_documented_401(old, "x-parallel-key")


def test_keys_from_the_flag_and_the_environment_pass_and_others_get_the_documented_401() -> None:
    server = EmulatorServer(
        time_scale=0.005, api_keys=["env-key"], extra_args=["--api-key", "flag-key"]
    )
    with server as emu, httpx.Client(base_url=emu.base_url, timeout=10) as http:
        for key in ("env-key", "flag-key"):
            response = http.get("/v1/tasks/runs/trun_x", headers={"x-api-key": key})
            assert response.status_code == 404, (key, response.text)  # past auth
        for headers in ({"x-api-key": "other"}, {"x-api-key": ""}, {}):
            assert_documented_401(http.get("/v1/tasks/runs/trun_x", headers=headers), "x-api-key")

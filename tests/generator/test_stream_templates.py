"""The streaming-operation templates on stream shapes openapi.yaml does not have (any upstream
document must generate): a single model with a `type` const, a model without one, a model or a
string, plain text. The tiny client is generated into a temporary folder and exercised in a
subprocess (its package name is the real one's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
import yaml
from generate import generate_into

REF = "#/components/schemas/"


def sse_operation(op_id: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "operationId": op_id,
            "tags": ["things"],
            "parameters": [
                {"name": "since", "in": "query", "required": False, "schema": {"type": "integer"}}
            ],
            "responses": {
                "200": {
                    "description": "events",
                    "content": {"text/event-stream": {"schema": schema}},
                },
                "404": {
                    "description": "missing",
                    "content": {"application/json": {"schema": {"$ref": REF + "Problem"}}},
                },
            },
        }
    }


SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Tiny", "version": "1"},
    "paths": {
        "/tagged": sse_operation("stream_tagged", {"$ref": REF + "Tick"}),
        "/plain": sse_operation("stream_plain", {"$ref": REF + "Point"}),
        "/mixed": sse_operation(
            "stream_mixed", {"anyOf": [{"$ref": REF + "Point"}, {"type": "string"}]}
        ),
        "/text": sse_operation("stream_text", {"type": "string"}),
    },
    "components": {
        "schemas": {
            "Tick": {
                "type": "object",
                "required": ["type", "n"],
                "properties": {
                    "type": {"type": "string", "const": "tick"},
                    "n": {"type": "integer"},
                },
            },
            "Point": {
                "type": "object",
                "required": ["x"],
                "properties": {"x": {"type": "integer"}},
            },
            "Problem": {"type": "object", "properties": {"message": {"type": "string"}}},
        }
    },
}

SCRIPT = textwrap.dedent(
    """
    import json
    import httpx
    from parallel_taskgroup_api import errors
    from parallel_taskgroup_api.client import Client
    from parallel_taskgroup_api.api.things import (
        stream_mixed, stream_plain, stream_tagged, stream_text,
    )

    BODIES = {
        "/tagged": b'data: {"type": "tick", "n": 1}\\n\\ndata: {"type": "tock"}\\n\\n',
        "/plain": b'data: {"x": 1}\\n\\n',
        "/mixed": b'data: {"x": 2}\\n\\ndata: "hello"\\n\\n',
        "/text": b"data: plain words\\n\\n",
    }

    def handler(request):
        if request.url.params.get("since") == "404":
            return httpx.Response(404, json={"message": "no"})
        return httpx.Response(200, content=BODIES[request.url.path])

    client = Client(base_url="http://t")
    transport = httpx.MockTransport(handler)
    client.set_httpx_client(httpx.Client(base_url="http://t", transport=transport))
    out = {}
    for module in (stream_tagged, stream_plain, stream_mixed, stream_text):
        name = module.__name__.rsplit(".", 1)[-1]
        events = list(module.stream(client=client, since=1))
        plain = [e if isinstance(e, (str, dict)) else e.to_dict() for e in events]
        out[name] = [[type(e).__name__, p] for e, p in zip(events, plain)]
        assert [type(e) for e in module.sync(client=client, since=1)] == [type(e) for e in events]
        try:
            module.stream(client=client, since=404)
        except errors.StreamStatusError as exc:
            out[name + ":404"] = [exc.status_code, type(exc.parsed).__name__]
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("tiny-client")
    spec = folder / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    generate_into(folder / "parallel_taskgroup_api", spec)
    env = dict(os.environ, PYTHONPATH=str(folder))
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def test_a_single_tagged_model_gets_a_table_and_unknown_types_as_dicts(
    results: dict[str, Any],
) -> None:
    assert results["stream_tagged"] == [
        ["Tick", {"type": "tick", "n": 1}],
        ["dict", {"type": "tock"}],
    ]


def test_a_model_without_a_tag_parses_every_event(results: dict[str, Any]) -> None:
    assert results["stream_plain"] == [["Point", {"x": 1}]]


def test_a_union_with_a_string_tries_each_variant(results: dict[str, Any]) -> None:
    assert results["stream_mixed"] == [["Point", {"x": 2}], ["str", "hello"]]


def test_a_string_schema_yields_the_data_text(results: dict[str, Any]) -> None:
    assert results["stream_text"] == [["str", "plain words"]]


def test_error_statuses_are_typed_for_every_shape(results: dict[str, Any]) -> None:
    for name in ("stream_tagged", "stream_plain", "stream_mixed", "stream_text"):
        assert results[name + ":404"] == [404, "Problem"]

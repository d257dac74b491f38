"""generator/slice_spec.py on a small hand-written upstream document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from slice_spec import SliceError, main, slice_spec, upstream_operations


def upstream_document() -> dict[str, Any]:
    ref = "#/components/schemas/"
    return {
        "openapi": "3.1.0",
        "info": {"title": "Upstream", "version": "9"},
        "security": [{"ApiKeyAuth": []}],
        "paths": {
            "/v1/things": {
                "post": {
                    "operationId": "things_create_v1_things_post",
                    "tags": ["Upstream Tag"],
                    "summary": "Upstream summary",
                    "description": "Upstream prose.",
                    "x-code-samples": [{"lang": "python", "source": "client.things.create()"}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": ref + "NewThing"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": ref + "Thing"}}},
                        }
                    },
                },
                "get": {
                    "operationId": "things_list",
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": ref + "Other"}}},
                        }
                    },
                },
            },
            "/v1/other": {
                "get": {"operationId": "other", "responses": {"200": {"description": "OK"}}}
            },
        },
        "components": {
            "securitySchemes": {
                "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "x-api-key"}
            },
            "schemas": {
                "Unused": {"type": "object", "properties": {"x": {"type": "string"}}},
                "Thing": {
                    "type": "object",
                    "required": ["id", "part"],
                    "properties": {"id": {"type": "string"}, "part": {"$ref": ref + "Part"}},
                },
                "NewThing": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Part": {"anyOf": [{"$ref": ref + "Leaf"}, {"type": "null"}]},
                "Leaf": {"type": "string", "enum": ["a", "b"]},
                "Other": {"type": "object"},
            },
        },
    }


def overlay(*operations: str) -> dict[str, Any]:
    return {
        "info": {"title": "Ours", "version": "1", "description": "Our slice."},
        "servers": [{"url": "https://api.example.test"}],
        "tags": [{"name": "things", "description": "Things."}],
        "operations": {
            key: {
                "operationId": f"op_{i}",
                "tag": "things",
                "summary": f"Our summary {i}",
                "description": f"Our prose {i}.\n",
            }
            for i, key in enumerate(operations)
        },
    }


def test_keeps_only_the_operations_the_overlay_names() -> None:
    sliced = slice_spec(upstream_document(), overlay("POST /v1/things"))
    assert sliced["paths"] == {"/v1/things": {"post": sliced["paths"]["/v1/things"]["post"]}}


def test_keeps_every_schema_reachable_from_kept_operations_and_no_other() -> None:
    sliced = slice_spec(upstream_document(), overlay("POST /v1/things"))
    assert list(sliced["components"]["schemas"]) == ["Thing", "NewThing", "Part", "Leaf"]


def test_schemas_are_copied_unchanged() -> None:
    upstream = upstream_document()
    sliced = slice_spec(upstream, overlay("POST /v1/things"))
    for name, schema in sliced["components"]["schemas"].items():
        assert schema == upstream["components"]["schemas"][name]


def test_applies_overlay_ids_tags_and_prose() -> None:
    op = slice_spec(upstream_document(), overlay("POST /v1/things"))["paths"]["/v1/things"]["post"]
    assert op["operationId"] == "op_0"
    assert op["tags"] == ["things"]
    assert op["summary"] == "Our summary 0"
    assert op["description"] == "Our prose 0."


def test_keeps_upstream_request_and_responses() -> None:
    upstream = upstream_document()
    op = slice_spec(upstream, overlay("POST /v1/things"))["paths"]["/v1/things"]["post"]
    original = upstream["paths"]["/v1/things"]["post"]
    assert op["requestBody"] == original["requestBody"]
    assert op["responses"] == original["responses"]


def test_drops_sdk_code_samples() -> None:
    op = slice_spec(upstream_document(), overlay("POST /v1/things"))["paths"]["/v1/things"]["post"]
    assert "x-code-samples" not in op


def test_takes_info_servers_and_tags_from_the_overlay_and_security_from_upstream() -> None:
    sliced = slice_spec(upstream_document(), overlay("POST /v1/things"))
    assert sliced["info"]["title"] == "Ours"
    assert sliced["servers"] == [{"url": "https://api.example.test"}]
    assert sliced["tags"] == [{"name": "things", "description": "Things."}]
    assert sliced["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "x-api-key"
    assert sliced["security"] == [{"ApiKeyAuth": []}]


def test_overlay_operation_missing_upstream_is_a_clear_error() -> None:
    with pytest.raises(SliceError, match=r"DELETE /v1/things.*does not have"):
        slice_spec(upstream_document(), overlay("DELETE /v1/things"))


def test_reference_to_a_missing_schema_is_a_clear_error() -> None:
    upstream = upstream_document()
    del upstream["components"]["schemas"]["Leaf"]
    with pytest.raises(SliceError, match="missing schema: Leaf"):
        slice_spec(upstream, overlay("POST /v1/things"))


def write_inputs(tmp_path: Path, *operations: str) -> tuple[Path, Path, Path]:
    upstream = tmp_path / "upstream.json"
    upstream.write_text(json.dumps(upstream_document()), encoding="utf-8")
    overlay_file = tmp_path / "overlay.yaml"
    overlay_file.write_text(yaml.safe_dump(overlay(*operations)), encoding="utf-8")
    return upstream, overlay_file, tmp_path / "openapi.yaml"


def test_cli_writes_the_same_bytes_every_run(tmp_path: Path) -> None:
    upstream, overlay_file, out = write_inputs(tmp_path, "POST /v1/things", "GET /v1/things")
    args = [str(upstream), "--overlay", str(overlay_file), "--out", str(out)]
    assert main(args) == 0
    first = out.read_bytes()
    assert main(args) == 0
    assert out.read_bytes() == first
    assert yaml.safe_load(first)["paths"]["/v1/things"]["get"]["operationId"] == "op_1"


def test_cli_reports_a_missing_overlay_operation_without_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream, overlay_file, out = write_inputs(tmp_path, "GET /v1/missing")
    assert main([str(upstream), "--overlay", str(overlay_file), "--out", str(out)]) == 2
    assert "GET /v1/missing" in capsys.readouterr().err
    assert not out.exists()


def test_cli_reports_a_missing_upstream_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, overlay_file, out = write_inputs(tmp_path, "POST /v1/things")
    missing = tmp_path / "nope.json"
    assert main([str(missing), "--overlay", str(overlay_file), "--out", str(out)]) == 2
    assert "upstream document not found" in capsys.readouterr().err


# -- overlay additions: extra_responses and links ------------------------------------------------


def overlay_with(key: str, **extra: Any) -> dict[str, Any]:
    layer = overlay("POST /v1/things", "GET /v1/things")
    layer["operations"][key].update(extra)
    return layer


def test_extra_response_is_added_with_its_schema() -> None:
    layer = overlay("POST /v1/things")  # alone, POST does not reach schema Other
    layer["operations"]["POST /v1/things"]["extra_responses"] = {
        429: {"description": "Slow down", "schema": "Other"}
    }
    sliced = slice_spec(upstream_document(), layer)
    post = sliced["paths"]["/v1/things"]["post"]
    assert post["responses"]["429"] == {
        "description": "Slow down",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Other"}}},
    }
    assert "Other" in sliced["components"]["schemas"]


def test_extra_response_keeps_upstream_response_of_the_same_status() -> None:
    upstream = upstream_document()
    layer = overlay_with(
        "POST /v1/things", extra_responses={"200": {"description": "Ours", "schema": "Other"}}
    )
    post = slice_spec(upstream, layer)["paths"]["/v1/things"]["post"]
    assert post["responses"]["200"] == upstream["paths"]["/v1/things"]["post"]["responses"]["200"]


def test_responses_are_ordered_by_status_after_additions() -> None:
    layer = overlay_with(
        "POST /v1/things",
        extra_responses={
            "404": {"description": "Missing", "schema": "Other"},
            "401": {"description": "No key", "schema": "Other"},
        },
    )
    post = slice_spec(upstream_document(), layer)["paths"]["/v1/things"]["post"]
    assert list(post["responses"]) == ["200", "401", "404"]


def test_extra_response_naming_a_missing_schema_is_a_clear_error() -> None:
    layer = overlay_with(
        "POST /v1/things", extra_responses={"401": {"description": "x", "schema": "Nope"}}
    )
    with pytest.raises(SliceError, match=r"POST /v1/things: extra_responses 401 .*'Nope'"):
        slice_spec(upstream_document(), layer)


def test_extra_response_without_description_is_a_clear_error() -> None:
    layer = overlay_with("POST /v1/things", extra_responses={"401": {"schema": "Other"}})
    with pytest.raises(SliceError, match="needs a description and a schema"):
        slice_spec(upstream_document(), layer)


def test_links_are_attached_to_the_named_response() -> None:
    link = {"operationId": "op_1", "parameters": {"id": "$response.body#/id"}}
    layer = overlay_with("POST /v1/things", links={200: {"ListThings": link}})
    sliced = slice_spec(upstream_document(), layer)
    assert sliced["paths"]["/v1/things"]["post"]["responses"]["200"]["links"] == {
        "ListThings": link
    }
    assert "links" not in sliced["paths"]["/v1/things"]["get"]["responses"]["200"]


def test_link_to_an_operation_not_kept_is_a_clear_error() -> None:
    layer = overlay_with("POST /v1/things", links={"200": {"Gone": {"operationId": "other"}}})
    with pytest.raises(SliceError, match=r"link Gone points at operation 'other'"):
        slice_spec(upstream_document(), layer)


def test_link_on_a_response_the_operation_lacks_is_a_clear_error() -> None:
    layer = overlay_with("POST /v1/things", links={"201": {"L": {"operationId": "op_1"}}})
    with pytest.raises(SliceError, match="links for response 201"):
        slice_spec(upstream_document(), layer)


def test_link_may_start_from_an_extra_response() -> None:
    layer = overlay_with(
        "POST /v1/things",
        extra_responses={"202": {"description": "Accepted", "schema": "Thing"}},
        links={"202": {"L": {"operationId": "op_1"}}},
    )
    post = slice_spec(upstream_document(), layer)["paths"]["/v1/things"]["post"]
    assert post["responses"]["202"]["links"] == {"L": {"operationId": "op_1"}}


# -- the record of upstream task operations -----------------------------------------------------


def task_upstream() -> dict[str, Any]:
    doc = upstream_document()
    doc["paths"]["/v1/tasks/runs/{run_id}"] = {"get": {"operationId": "up_get_run"}}
    doc["paths"]["/v1beta/tasks/groups"] = {"post": {"operationId": "up_beta_create"}}
    doc["paths"]["/v1/tasks/runsx"] = {"get": {"operationId": "not_watched"}}
    return doc


def test_the_record_lists_every_task_operation_and_what_the_overlay_keeps() -> None:
    layer = overlay("GET /v1/tasks/runs/{run_id}")
    record = upstream_operations(task_upstream(), layer)
    assert record == {
        "upstream_version": "9",
        "operations": {
            "GET /v1/tasks/runs/{run_id}": {"operationId": "up_get_run", "kept_as": "op_0"},
            "POST /v1beta/tasks/groups": {"operationId": "up_beta_create", "kept_as": None},
        },
    }


def test_cli_writes_the_record_only_where_asked(tmp_path: Path) -> None:
    upstream, overlay_file, out = write_inputs(tmp_path, "POST /v1/things")
    upstream.write_text(json.dumps(task_upstream()), encoding="utf-8")
    record = tmp_path / "record.yaml"
    assert main([str(upstream), "--overlay", str(overlay_file), "--out", str(out)]) == 0
    assert not record.exists()
    args = [str(upstream), "--overlay", str(overlay_file), "--out", str(out)]
    assert main([*args, "--record", str(record)]) == 0
    text = record.read_text(encoding="utf-8")
    assert text.startswith("# Written by generator/slice_spec.py")
    assert list(yaml.safe_load(text)["operations"]) == [
        "GET /v1/tasks/runs/{run_id}",
        "POST /v1beta/tasks/groups",
    ]


def test_cli_keeps_the_upstream_copy_byte_for_byte_only_where_asked(tmp_path: Path) -> None:
    upstream, overlay_file, out = write_inputs(tmp_path, "POST /v1/things")
    upstream.write_bytes(json.dumps(upstream_document(), indent=2).replace("\n", "\r\n").encode())
    copy = tmp_path / "kept" / "upstream.json"
    args = [str(upstream), "--overlay", str(overlay_file), "--out", str(out)]
    assert main(args) == 0
    assert not copy.exists()
    assert main([*args, "--upstream-copy", str(copy)]) == 0
    assert copy.read_bytes() == upstream.read_bytes()

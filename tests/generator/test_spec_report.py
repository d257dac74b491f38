"""generator/spec_report.py: each kind of change, and whether it is marked breaking."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from spec_report import Change, main, report

REF = "#/components/schemas/"


def base() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "paths": {
            "/runs": {
                "post": {
                    "operationId": "create_run",
                    "parameters": [
                        {
                            "name": "dry",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "boolean"},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": REF + "RunRequest"}}},
                    },
                    "responses": {"200": {"description": "OK"}},
                },
            },
            "/runs/{id}": {
                "get": {
                    "operationId": "get_run",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": REF + "Run"}}},
                        }
                    },
                },
            },
        },
        "components": {
            "schemas": {
                "RunRequest": {
                    "type": "object",
                    "required": ["input"],
                    "properties": {"input": {"type": "string"}, "note": {"type": "string"}},
                },
                "Run": {
                    "type": "object",
                    "required": ["id", "status"],
                    "properties": {
                        "id": {"type": "string"},
                        "status": {"type": "string", "enum": ["queued", "done"]},
                        "score": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                    },
                },
            }
        },
    }


def changes_after(edit: Callable[[dict[str, Any]], None]) -> list[Change]:
    new = copy.deepcopy(base())
    edit(new)
    return report(base(), new)


def only(changes: list[Change]) -> tuple[bool, str]:
    assert len(changes) == 1, changes
    return changes[0].breaking, changes[0].text


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]


def get_run(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["paths"]["/runs/{id}"]["get"]


def test_identical_documents_have_no_changes() -> None:
    assert report(base(), base()) == []


def test_added_operation_is_not_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["paths"]["/runs/{id}"]["delete"] = {"operationId": "cancel_run", "responses": {}}

    assert only(changes_after(edit)) == (False, "operation added: DELETE /runs/{id} (cancel_run)")


def test_removed_operation_is_breaking() -> None:
    assert only(changes_after(lambda doc: doc["paths"].pop("/runs/{id}"))) == (
        True,
        "operation removed: GET /runs/{id} (get_run)",
    )


def test_changed_operation_id_is_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        get_run(doc)["operationId"] = "fetch_run"

    breaking, text = only(changes_after(edit))
    assert breaking and "get_run -> fetch_run" in text


def test_added_optional_parameter_is_not_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        get_run(doc)["parameters"].append({"name": "timeout", "in": "query", "schema": {}})

    assert only(changes_after(edit)) == (
        False,
        "optional query parameter added: GET /runs/{id} timeout",
    )


def test_added_required_parameter_is_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        get_run(doc)["parameters"].append(
            {"name": "x-tenant", "in": "header", "required": True, "schema": {"type": "string"}}
        )

    breaking, text = only(changes_after(edit))
    assert breaking and text.startswith("required header parameter added")


def test_removed_parameter_is_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["paths"]["/runs"]["post"]["parameters"] = []

    assert only(changes_after(edit)) == (True, "query parameter removed: POST /runs dry")


def test_parameter_becoming_required_is_breaking_and_optional_is_not() -> None:
    def required(doc: dict[str, Any]) -> None:
        doc["paths"]["/runs"]["post"]["parameters"][0]["required"] = True

    def optional(doc: dict[str, Any]) -> None:
        get_run(doc)["parameters"][0]["required"] = False

    assert only(changes_after(required))[0] is True
    assert only(changes_after(optional))[0] is False


def test_parameter_type_change_is_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["paths"]["/runs"]["post"]["parameters"][0]["schema"] = {"type": "string"}

    breaking, text = only(changes_after(edit))
    assert breaking and text.endswith("boolean -> string")


def test_added_schema_is_not_breaking_and_removed_schema_is() -> None:
    def add(doc: dict[str, Any]) -> None:
        schemas(doc)["Extra"] = {"type": "object"}

    def remove(doc: dict[str, Any]) -> None:
        schemas(doc).pop("RunRequest")

    assert only(changes_after(add)) == (False, "schema added: Extra")
    assert (True, "schema removed: RunRequest") in [
        (c.breaking, c.text) for c in changes_after(remove)
    ]


def test_added_optional_field_is_not_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["label"] = {"type": "string"}

    assert only(changes_after(edit)) == (False, "field added: Run.label (string)")


def test_new_required_request_field_is_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["RunRequest"]["properties"]["processor"] = {"type": "string"}
        schemas(doc)["RunRequest"]["required"].append("processor")

    assert only(changes_after(edit)) == (
        True,
        "required field added: RunRequest.processor (string)",
    )


def test_new_required_response_field_is_not_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["created_at"] = {"type": "string"}
        schemas(doc)["Run"]["required"].append("created_at")

    assert only(changes_after(edit))[0] is False


def test_removed_field_is_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"].pop("score")

    assert only(changes_after(edit)) == (True, "field removed: Run.score")


def test_field_type_change_is_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["score"] = {"type": "string"}

    assert only(changes_after(edit)) == (
        True,
        "field type changed: Run.score: null|number -> string",
    )


def test_existing_request_field_becoming_required_is_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["RunRequest"]["required"].append("note")

    assert only(changes_after(edit)) == (True, "field now required: RunRequest.note")


def test_response_field_no_longer_required_is_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["required"].remove("status")

    assert only(changes_after(edit)) == (True, "field no longer required: Run.status")


def test_request_field_no_longer_required_is_not_breaking() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["RunRequest"]["required"].remove("input")

    assert only(changes_after(edit)) == (False, "field no longer required: RunRequest.input")


def test_enum_value_added_is_not_breaking_and_removed_is() -> None:
    def add(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["status"]["enum"].append("failed")

    def remove(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["status"]["enum"].remove("done")

    assert only(changes_after(add)) == (False, "enum value added: Run.status 'failed'")
    assert only(changes_after(remove)) == (True, "enum value removed: Run.status 'done'")


def test_lines_are_marked_breaking_or_non_breaking() -> None:
    assert Change(True, "x").render().startswith("BREAKING ")
    assert Change(False, "x").render().startswith("non-breaking ")


@pytest.fixture
def documents(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(yaml.safe_dump(base()), encoding="utf-8")
    changed = base()
    changed["paths"].pop("/runs")
    new.write_text(yaml.safe_dump(changed), encoding="utf-8")
    return old, new


def test_cli_prints_a_readable_report_and_exits_zero(
    documents: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = documents
    assert main([str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "BREAKING      operation removed: POST /runs (create_run)" in out
    assert "1 change, 1 breaking." in out


def test_cli_says_plainly_when_nothing_changed(
    documents: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, _ = documents
    assert main([str(old), str(old)]) == 0
    assert "No changes" in capsys.readouterr().out


def test_cli_reports_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.yaml"), str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err

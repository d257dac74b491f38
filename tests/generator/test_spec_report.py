"""generator/spec_report.py: each kind of change, and its verdict ("breaks the wrapper",
"breaks callers", "docs only"), on a small document with a small wrapper table."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from spec_report import (
    BREAKS_CALLERS,
    BREAKS_WRAPPER,
    DOCS_ONLY,
    Change,
    WrapperUses,
    load_essential,
    main,
    report,
)

REF = "#/components/schemas/"
ROOT = Path(__file__).resolve().parents[2]

# The wrapper of this test: calls get_run (passing `view`) and events; reads Run.status and
# Run.id; sends RunRequest.input; handles every Run.status; dispatches the events stream.
USES = WrapperUses(
    operations={"get_run": ["view"], "run_events": []},
    event_types={"run_events": ["run.state"]},
    reads={"Run": ["id", "status"]},
    sends={"RunRequest": ["input"]},
    closed_enums=["Run.status"],
)
ESSENTIAL = {"Run": {"id", "status"}}


def base() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "paths": {
            "/runs": {
                "post": {
                    "operationId": "create_run",
                    "summary": "Create a run",
                    "parameters": [
                        {
                            "name": "dry",
                            "in": "query",
                            "required": False,
                            "description": "Validate only.",
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
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "view", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": REF + "Run"},
                                    "example": {"id": "r1", "status": "queued"},
                                }
                            },
                        }
                    },
                },
            },
            "/runs/{id}/events": {
                "get": {
                    "operationId": "run_events",
                    "responses": {
                        "200": {
                            "description": "Events",
                            "content": {
                                "text/event-stream": {
                                    "schema": {
                                        "oneOf": [{"$ref": REF + "RunEvent"}],
                                        "discriminator": {
                                            "propertyName": "type",
                                            "mapping": {"run.state": REF + "RunEvent"},
                                        },
                                    }
                                }
                            },
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
                    "description": "A run.",
                    "required": ["id", "status", "label"],
                    "properties": {
                        "id": {"type": "string"},
                        "status": {"type": "string", "enum": ["queued", "done"]},
                        "score": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                        "label": {"type": "string", "description": "A label.", "examples": ["x"]},
                    },
                },
                "RunEvent": {
                    "type": "object",
                    "required": ["type", "run"],
                    "properties": {
                        "type": {"type": "string", "const": "run.state"},
                        "run": {"$ref": REF + "Run"},
                    },
                },
            }
        },
    }


Edit = Callable[[dict[str, Any]], None]


def changes_after(edit: Edit) -> list[Change]:
    new = copy.deepcopy(base())
    edit(new)
    return report(base(), new, uses=USES, essential=ESSENTIAL)


def only(edit: Edit) -> tuple[str, str]:
    changes = changes_after(edit)
    assert len(changes) == 1, changes
    return changes[0].verdict, changes[0].text


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]


def get_run(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["paths"]["/runs/{id}"]["get"]


def create_run(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["paths"]["/runs"]["post"]


def test_identical_documents_have_no_changes() -> None:
    assert report(base(), base(), uses=USES) == []


# -- operations and parameters -------------------------------------------------------------------


def test_added_operation_is_docs_only() -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["paths"]["/runs/{id}"]["delete"] = {"operationId": "cancel_run", "responses": {}}

    assert only(edit) == (DOCS_ONLY, "operation added: DELETE /runs/{id} (cancel_run)")


def test_removed_operation_breaks_the_wrapper_if_it_calls_it_else_callers() -> None:
    def drop_get(doc: dict[str, Any]) -> None:
        del doc["paths"]["/runs/{id}"]["get"]

    assert only(drop_get) == (BREAKS_WRAPPER, "operation removed: GET /runs/{id} (get_run)")
    assert only(lambda doc: doc["paths"].pop("/runs")) == (
        BREAKS_CALLERS,
        "operation removed: POST /runs (create_run)",
    )


def test_changed_operation_id_breaks_like_a_removal() -> None:
    def edit(doc: dict[str, Any]) -> None:
        get_run(doc)["operationId"] = "fetch_run"

    verdict, text = only(edit)
    assert verdict == BREAKS_WRAPPER and "get_run -> fetch_run" in text


def test_added_optional_parameter_is_docs_only() -> None:
    def edit(doc: dict[str, Any]) -> None:
        get_run(doc)["parameters"].append({"name": "timeout", "in": "query", "schema": {}})

    assert only(edit) == (
        DOCS_ONLY,
        "optional query parameter added: GET /runs/{id} (get_run): timeout",
    )


def test_added_required_parameter_breaks_the_wrapper_that_does_not_pass_it() -> None:
    def on_get(doc: dict[str, Any]) -> None:
        get_run(doc)["parameters"].append(
            {"name": "x-tenant", "in": "header", "required": True, "schema": {"type": "string"}}
        )

    def on_create(doc: dict[str, Any]) -> None:
        create_run(doc)["parameters"].append(
            {"name": "x-tenant", "in": "header", "required": True, "schema": {"type": "string"}}
        )

    verdict, text = only(on_get)
    assert verdict == BREAKS_WRAPPER and text.startswith("required header parameter added")
    assert only(on_create)[0] == BREAKS_CALLERS


def test_removed_parameter_breaks_the_wrapper_that_passes_it() -> None:
    assert only(lambda doc: create_run(doc).update(parameters=[])) == (
        BREAKS_CALLERS,
        "query parameter removed: POST /runs (create_run): dry",
    )
    assert only(lambda doc: get_run(doc)["parameters"].pop())[0] == BREAKS_WRAPPER


def test_parameter_becoming_required_breaks_and_optional_is_docs_only() -> None:
    def required(doc: dict[str, Any]) -> None:
        create_run(doc)["parameters"][0]["required"] = True

    def optional(doc: dict[str, Any]) -> None:
        get_run(doc)["parameters"][0]["required"] = False

    assert only(required)[0] == BREAKS_CALLERS
    assert only(optional)[0] == DOCS_ONLY


def test_parameter_type_widened_is_docs_only_and_changed_breaks() -> None:
    def widen(doc: dict[str, Any]) -> None:
        create_run(doc)["parameters"][0]["schema"] = {"type": ["boolean", "string"]}

    def change(doc: dict[str, Any]) -> None:
        get_run(doc)["parameters"][1]["schema"] = {"type": "integer"}

    assert only(widen)[0] == DOCS_ONLY
    verdict, text = only(change)
    assert verdict == BREAKS_WRAPPER and text.endswith("string -> integer")


def test_request_body_becoming_optional_is_docs_only() -> None:
    def edit(doc: dict[str, Any]) -> None:
        create_run(doc)["requestBody"]["required"] = False

    assert only(edit) == (DOCS_ONLY, "request body no longer required: POST /runs (create_run)")


# -- responses and event types -----------------------------------------------------------------


def run_events(doc: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = doc["paths"]["/runs/{id}/events"]["get"]["responses"]["200"][
        "content"
    ]["text/event-stream"]["schema"]
    return schema


def test_new_event_type_on_a_stream_the_wrapper_dispatches_breaks_the_wrapper() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Ping"] = {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"const": "run.ping"}},
        }
        run_events(doc)["oneOf"].append({"$ref": REF + "Ping"})
        run_events(doc)["discriminator"]["mapping"]["run.ping"] = REF + "Ping"

    changes = changes_after(edit)
    assert [(c.verdict, c.text) for c in changes] == [
        (BREAKS_WRAPPER, "event type added: GET /runs/{id}/events (run_events): 'run.ping'"),
        (DOCS_ONLY, "schema added: Ping"),
    ]
    assert "dispatches" in changes[0].why


def test_removed_event_type_the_wrapper_handles_breaks_it() -> None:
    def edit(doc: dict[str, Any]) -> None:
        run_events(doc)["oneOf"] = []
        run_events(doc)["discriminator"]["mapping"] = {}

    assert only(edit)[0] == BREAKS_WRAPPER


def test_responses_added_removed_and_retyped() -> None:
    def add(doc: dict[str, Any]) -> None:
        get_run(doc)["responses"]["404"] = {"description": "Not found"}

    def remove(doc: dict[str, Any]) -> None:
        del get_run(doc)["responses"]["200"]

    def retype(doc: dict[str, Any]) -> None:
        get_run(doc)["responses"]["200"]["content"]["application/json"]["schema"] = {
            "type": "string"
        }

    assert only(add) == (DOCS_ONLY, "response added: GET /runs/{id} (get_run): 404")
    removed = changes_after(remove)  # and its example with it
    assert [(c.verdict, c.kind) for c in removed] == [
        (BREAKS_WRAPPER, "response removed"),
        (DOCS_ONLY, "examples changed"),
    ]
    assert changes_after(retype)[0].text == (
        "response type changed: GET /runs/{id} (get_run): 200 Run -> string"
    )


# -- schemas and fields --------------------------------------------------------------------------


def test_added_schema_is_docs_only_and_removed_schema_breaks() -> None:
    def add(doc: dict[str, Any]) -> None:
        schemas(doc)["Extra"] = {"type": "object"}

    def remove(doc: dict[str, Any]) -> None:
        schemas(doc).pop("RunRequest")

    assert only(add) == (DOCS_ONLY, "schema added: Extra")
    assert (BREAKS_WRAPPER, "schema removed: RunRequest") in [
        (c.verdict, c.text) for c in changes_after(remove)
    ]


def test_added_optional_field_is_docs_only() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["note"] = {"type": "string"}

    assert only(edit) == (DOCS_ONLY, "field added: Run.note: string")


def test_new_required_request_field_the_wrapper_does_not_send_breaks_it() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["RunRequest"]["properties"]["processor"] = {"type": "string"}
        schemas(doc)["RunRequest"]["required"].append("processor")

    [change] = changes_after(edit)
    assert (change.verdict, change.text) == (
        BREAKS_WRAPPER,
        "required field added: RunRequest.processor: string",
    )
    assert change.why == "the wrapper sends RunRequest without processor"


def test_new_required_response_field_is_docs_only() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["created_at"] = {"type": "string"}
        schemas(doc)["Run"]["required"].append("created_at")

    assert only(edit)[0] == DOCS_ONLY


def test_removed_field_breaks_the_wrapper_if_it_reads_it_else_callers() -> None:
    def score(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"].pop("score")

    def status(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"].pop("status")
        schemas(doc)["Run"]["required"].remove("status")

    assert only(score) == (BREAKS_CALLERS, "field removed: Run.score")
    assert (BREAKS_WRAPPER, "field removed: Run.status") in [
        (c.verdict, c.text) for c in changes_after(status)
    ]


def test_field_type_widened_in_a_response_breaks_callers_and_in_a_request_does_not() -> None:
    def response(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["score"] = {
            "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]
        }

    def request(doc: dict[str, Any]) -> None:
        schemas(doc)["RunRequest"]["properties"]["note"] = {"type": ["string", "integer"]}

    assert only(response) == (
        BREAKS_CALLERS,
        "field type widened: Run.score: null|number -> null|number|string",
    )
    assert only(request)[0] == DOCS_ONLY


def test_field_type_narrowed_in_a_response_is_docs_only() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["score"] = {"type": "number"}

    assert only(edit) == (DOCS_ONLY, "field type narrowed: Run.score: null|number -> number")


def test_field_type_change_of_a_field_the_wrapper_reads_breaks_it() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["id"] = {"type": "integer"}

    assert only(edit) == (BREAKS_WRAPPER, "field type changed: Run.id: string -> integer")


def test_existing_request_field_becoming_required_breaks() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["RunRequest"]["required"].append("note")

    assert only(edit) == (BREAKS_WRAPPER, "field now required: RunRequest.note")


def test_response_field_no_longer_required_breaks_only_when_essential() -> None:
    def essential(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["required"].remove("status")

    def tolerated(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["required"].remove("label")

    assert only(essential) == (BREAKS_WRAPPER, "field no longer required: Run.status")
    assert only(tolerated) == (DOCS_ONLY, "field no longer required: Run.label")


def test_request_field_no_longer_required_is_docs_only() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["RunRequest"]["required"].remove("input")

    assert only(edit) == (DOCS_ONLY, "field no longer required: RunRequest.input")


def test_enum_values_added_to_a_closed_enum_break_the_wrapper() -> None:
    def add(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["status"]["enum"].append("paused")

    def remove(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["status"]["enum"].remove("done")

    assert only(add) == (BREAKS_WRAPPER, "enum value added: Run.status: 'paused'")
    assert only(remove) == (BREAKS_WRAPPER, "enum value removed: Run.status: 'done'")


def test_enum_value_added_to_another_enum_is_docs_only() -> None:
    def edit(doc: dict[str, Any]) -> None:
        create_run(doc)["parameters"][0]["schema"] = {"type": "boolean", "enum": [True, False]}

    def more(doc: dict[str, Any]) -> None:
        edit(doc)
        create_run(doc)["parameters"][0]["schema"]["enum"].append(None)

    new = copy.deepcopy(base())
    edit(new)
    after = copy.deepcopy(base())
    more(after)
    [change] = report(new, after, uses=USES)
    assert (change.verdict, change.kind) == (DOCS_ONLY, "enum value added")


# -- prose and examples --------------------------------------------------------------------------


def test_description_changes_are_docs_only_per_operation_and_field_and_shortened() -> None:
    def edit(doc: dict[str, Any]) -> None:
        create_run(doc)["parameters"][0]["description"] = "Validate the request only. " * 5
        schemas(doc)["Run"]["properties"]["label"]["description"] = "A short label."
        schemas(doc)["Run"]["description"] = "One run."

    changes = changes_after(edit)
    assert [(c.verdict, c.kind, c.where) for c in changes] == [
        (DOCS_ONLY, "description changed", "POST /runs (create_run) query parameter dry"),
        (DOCS_ONLY, "description changed", "Run"),
        (DOCS_ONLY, "description changed", "Run.label"),
    ]
    assert changes[0].detail.startswith("'Validate only.' -> 'Validate the request only.")
    assert changes[0].detail.endswith("...'") and len(changes[0].detail) < 100


def test_example_changes_are_counted_per_operation_and_schema() -> None:
    def edit(doc: dict[str, Any]) -> None:
        media = get_run(doc)["responses"]["200"]["content"]["application/json"]
        media["example"] = {"id": "r2", "status": "done"}
        schemas(doc)["Run"]["properties"]["label"]["examples"] = ["y", "z"]
        schemas(doc)["Run"]["properties"]["score"]["example"] = 0.5

    assert [(c.verdict, c.text) for c in changes_after(edit)] == [
        (DOCS_ONLY, "examples changed: GET /runs/{id} (get_run): 1"),
        (DOCS_ONLY, "examples changed: Run: 2"),
    ]


def test_a_property_named_examples_is_a_field_not_an_example() -> None:
    def edit(doc: dict[str, Any]) -> None:
        schemas(doc)["Run"]["properties"]["examples"] = {"type": "string"}

    assert only(edit) == (DOCS_ONLY, "field added: Run.examples: string")


# -- upstream operations outside the overlay ----------------------------------------------------


def record(**kept: str | None) -> dict[str, Any]:
    return {
        "operations": {
            key: {"operationId": f"up_{i}", "kept_as": value}
            for i, (key, value) in enumerate(kept.items())
        }
    }


def test_upstream_operations_added_or_removed_outside_the_overlay_are_docs_only() -> None:
    old = record(**{"GET /v1/tasks/runs/{id}": "get_run", "GET /v1beta/tasks/runs": None})
    new = record(**{"GET /v1/tasks/runs/{id}": "get_run", "POST /v1/tasks/runs/{id}/cancel": None})
    changes = report(base(), base(), upstream_old=old, upstream_new=new, uses=USES)
    assert [(c.verdict, c.kind, c.where.split(" (")[0]) for c in changes] == [
        (DOCS_ONLY, "upstream operation added", "POST /v1/tasks/runs/{id}/cancel"),
        (DOCS_ONLY, "upstream operation removed", "GET /v1beta/tasks/runs"),
    ]
    assert "overlay.yaml" in changes[0].why


def test_a_kept_operation_gone_upstream_is_reported_though_the_slice_stopped() -> None:
    old = record(**{"GET /runs/{id}": "get_run"})
    changes = report(base(), base(), upstream_old=old, upstream_new=record(), uses=USES)
    assert [(c.verdict, c.text) for c in changes] == [
        (BREAKS_WRAPPER, "operation removed upstream: GET /runs/{id} (get_run)")
    ]
    assert "slice_spec.py stops" in changes[0].why


def test_upstream_documents_are_read_like_records() -> None:
    upstream = {"paths": {"/v1/tasks/runs/{run_id}": {"get": {"operationId": "x"}}}}
    changes = report(base(), base(), upstream_old={"paths": {}}, upstream_new=upstream)
    assert [c.kind for c in changes] == ["upstream operation added"]


# -- the table, the essential list, the CLI ------------------------------------------------------


def test_the_real_wrapper_table_and_essential_list_load() -> None:
    uses = WrapperUses.load()
    assert uses.calls("get_task_group") and "TaskRun.status" in uses.closed_enums
    assert "run_id" in load_essential()["TaskRun"]


def test_lines_carry_their_verdict_and_reason() -> None:
    line = Change(BREAKS_WRAPPER, "field removed", "A.b", "", "the wrapper uses A.b").render()
    assert line.startswith("breaks the wrapper ") and line.endswith("(the wrapper uses A.b)")
    assert Change(DOCS_ONLY, "x", "y").render().startswith("docs only ")
    assert not Change(DOCS_ONLY, "x", "y").breaking and Change(BREAKS_CALLERS, "x", "y").breaking


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
    assert "breaks callers     operation removed: POST /runs (create_run)" in out
    assert "1 change: 0 breaks the wrapper, 1 breaks callers, 0 docs only." in out


def test_cli_json_for_ci_and_fail_on(
    documents: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = documents
    assert main([str(old), str(new), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == BREAKS_CALLERS
    assert data["counts"] == {BREAKS_WRAPPER: 0, BREAKS_CALLERS: 1, DOCS_ONLY: 0}
    assert data["changes"][0]["kind"] == "operation removed"
    assert main([str(old), str(new), "--json", "--fail-on", BREAKS_CALLERS]) == 1
    assert main([str(old), str(new), "--json", "--fail-on", BREAKS_WRAPPER]) == 0
    capsys.readouterr()


def test_cli_says_plainly_when_nothing_changed(
    documents: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, _ = documents
    assert main([str(old), str(old)]) == 0
    assert "No changes" in capsys.readouterr().out


def test_cli_reports_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.yaml"), str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err

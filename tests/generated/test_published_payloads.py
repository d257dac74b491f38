"""Every example payload in Parallel's public material parses (fixtures and their sources:
tests/fixtures/docs/SOURCES.md). Published payloads lack fields the spec calls required, carry
fields it does not list, and use event types it does not know; none of that may stop a client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from parallel_taskgroup._http import error_from_response
from parallel_taskgroup.streaming.events import UnknownEvent, parse_event
from parallel_taskgroup.streaming.sse import iter_sse
from parallel_taskgroup_api.models import (
    ErrorResponse,
    FieldBasis,
    TaskGroupRunResponse,
    TaskGroupStatusEvent,
    TaskRun,
    TaskRunEvent,
    TaskRunInput,
    TaskRunJsonOutput,
    TaskRunJsonOutputContent,
    TaskRunProgressMessageEvent,
    TaskRunProgressStatsEvent,
    TaskRunResult,
)
from parallel_taskgroup_api.types import Unset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "docs"


def _webhook(payload: dict[str, Any]) -> TaskRun:
    assert payload["type"] == "task_run.status"
    return TaskRun.from_dict(payload["data"])


def _deep_research(payload: dict[str, Any]) -> Any:
    # The page calls this sample "shortened": its run fields sit inside `output` and there is no
    # `run` key, so it is not a TaskRunResult; what is an API shape in it must still parse.
    output = payload["output"]
    content = TaskRunJsonOutputContent.from_dict(output["content"])
    return [FieldBasis.from_dict(b) for b in output["basis"]], content


def _error_body(payload: dict[str, Any]) -> Any:
    # Error bodies are read by the client's error mapping, not by a model: this published one
    # has neither `type` nor `ref_id`, and still gives a typed error with its message.
    error = error_from_response(400, json.dumps(payload).encode())
    assert error.message == payload["error"]["message"]
    return error


def _webhook_headers(payload: dict[str, Any]) -> Any:
    assert payload["webhook-signature"].startswith("v1,")
    return payload


PARSERS: dict[str, Callable[[Any], Any]] = {
    "doc_basis_fieldbasis_crm_low.json": FieldBasis.from_dict,
    "doc_basis_fieldbasis_revenue_high.json": FieldBasis.from_dict,
    "doc_basis_output_with_research_basis.FIXED.json": TaskRunJsonOutput.from_dict,
    "doc_basis_per_element_output.json": TaskRunJsonOutput.from_dict,
    "doc_deep_research_sample_response.json": _deep_research,
    "doc_enrichment_result_json_output.json": TaskRunResult.from_dict,
    "doc_enrichment_result_text_output.json": TaskRunResult.from_dict,
    "doc_enrichment_taskrun_create_queued.json": TaskRun.from_dict,
    "doc_error_response_format.FIXED.json": _error_body,
    "doc_legacy_run_status_completed.json": TaskRun.from_dict,
    "doc_legacy_run_status_failed.json": TaskRun.from_dict,
    "doc_mcp_tool_call_result_auth_failure_warning.json": TaskRunResult.from_dict,
    "doc_mcp_tool_call_result_success.json": TaskRunResult.from_dict,
    "doc_sse_progress_msg_exec_status.json": TaskRunProgressMessageEvent.from_dict,
    "doc_sse_progress_msg_plan.json": TaskRunProgressMessageEvent.from_dict,
    "doc_sse_progress_stats.json": TaskRunProgressStatsEvent.from_dict,
    "doc_sse_task_run_state_running.json": TaskRunEvent.from_dict,
    "doc_webhook_request_headers.json": _webhook_headers,
    "doc_webhook_task_run_status_completed.json": _webhook,
    "doc_webhook_task_run_status_failed.json": _webhook,
    "mintlify_placeholder_add_runs_response.json": TaskGroupRunResponse.from_dict,
    "mintlify_placeholder_old_taskrun_spec_validation_warning.json": TaskRun.from_dict,
    "oas_error_401_unauthorized.json": ErrorResponse.from_dict,
    "oas_error_402_payment_required.json": ErrorResponse.from_dict,
    "oas_error_403_invalid_processor.json": ErrorResponse.from_dict,
    "oas_error_404_result_run_failed_or_not_found.json": ErrorResponse.from_dict,
    "oas_error_404_run_id_not_found.json": ErrorResponse.from_dict,
    "oas_error_404_taskgroup_not_found.json": ErrorResponse.from_dict,
    "oas_error_408_result_run_still_active.json": ErrorResponse.from_dict,
    "oas_error_422_request_validation.json": ErrorResponse.from_dict,
    "oas_error_422_unprocessable_content.json": ErrorResponse.from_dict,
    "oas_error_429_too_many_requests.json": ErrorResponse.from_dict,
    "oas_group_events_task_group_status.json": TaskGroupStatusEvent.from_dict,
    "oas_group_runs_event_task_run_state.json": TaskRunEvent.from_dict,
    "oas_run_events_progress_msg_plan.json": TaskRunProgressMessageEvent.from_dict,
    "oas_taskrun_create_202_queued.json": TaskRun.from_dict,
    "oas_taskrun_get_200_running.json": TaskRun.from_dict,
    "oas_taskrun_input_200.json": TaskRunInput.from_dict,
    "oas_taskrunresult_200_json.json": TaskRunResult.from_dict,
}
# Payloads that are not a shape of this API, kept for the record.
NOT_OURS = {
    "doc_findall_status_heartbeat_event.json": "a FindAll event (another API)",
    "doc_sse_progress_msg_tool_UNKNOWN_TYPE.json": "tested through the SSE capture below",
    "mintlify_placeholder_group_runs_event.json": "tested as a stream event below",
}


def test_every_fixture_is_covered() -> None:
    names = {p.name for p in FIXTURES.glob("*.json")}
    assert names == set(PARSERS) | set(NOT_OURS)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_published_payload_parses(name: str) -> None:
    payload = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert PARSERS[name](payload) is not None


def test_a_published_run_without_interaction_id_parses_with_it_unset() -> None:
    payload = json.loads((FIXTURES / "doc_enrichment_taskrun_create_queued.json").read_text())
    run = TaskRun.from_dict(payload)
    assert isinstance(run.interaction_id, Unset) and run.warnings is None


def test_json_content_published_as_a_string_parses_as_the_object_it_holds() -> None:
    payload = json.loads((FIXTURES / "doc_basis_per_element_output.json").read_text())
    output = TaskRunJsonOutput.from_dict(payload)
    assert output.content.to_dict()["company"] == "OpenAI"


def test_the_published_task_run_sse_capture_gives_typed_or_unknown_events() -> None:
    raw = (FIXTURES / "doc_task_run_sse_capture.sse").read_bytes()
    raw = raw.rsplit(b"\n...", 1)[0] + b"\n\n"  # the page elides the rest with "..."
    events = [parse_event(e) for e in iter_sse([raw])]
    assert type(events[0]) is TaskRunEvent and events[0].run.status.value == "running"
    assert [type(e) for e in events[1:]] == [UnknownEvent] * 4  # per-run progress events
    assert "task_run.progress_msg.tool" in [e.type for e in events[1:]]  # type: ignore[union-attr]


def test_a_placeholder_group_runs_event_is_an_unknown_event_not_an_error() -> None:
    data = (FIXTURES / "mintlify_placeholder_group_runs_event.json").read_text()
    frame = b"event: task_run.state\ndata: " + json.dumps(json.loads(data)).encode() + b"\n\n"
    [raw] = list(iter_sse([frame]))
    assert type(parse_event(raw)) is UnknownEvent

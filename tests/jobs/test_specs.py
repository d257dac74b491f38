"""Task spec options: schema files checked and wrapped into the API's shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parallel_taskgroup.errors import TaskSpecError as SpecError
from parallel_taskgroup.jobs.specs import required_input_fields
from parallel_taskgroup.jobs.specs import task_spec_from_files as build_task_spec

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "company_task.json"


def test_shipped_company_task_spec_is_valid_and_requires_name_and_website() -> None:
    spec = build_task_spec(task_spec_file=str(EXAMPLE))
    assert spec is not None
    props = spec["output_schema"]["json_schema"]["properties"]
    assert set(props) == {"key_insights", "market_position"}
    assert required_input_fields(spec) == ["company_name", "company_website"]


def test_bare_json_schema_is_wrapped(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "string"}}}))
    spec = build_task_spec(output_schema_file=str(path))
    assert spec == {"output_schema": {"type": "json", "json_schema": json.loads(path.read_text())}}


def test_output_text_becomes_a_text_schema() -> None:
    assert build_task_spec(output_text="a summary") == {
        "output_schema": {"type": "text", "description": "a summary"}
    }


def test_no_options_means_no_spec() -> None:
    assert build_task_spec() is None


def test_schema_file_with_broken_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text('{\n  "type": "object",\n  "properties": {,}\n}')
    with pytest.raises(SpecError, match=r"--output-schema .*out\.json: not valid JSON .* line 3"):
        build_task_spec(output_schema_file=str(path))


def test_schema_file_that_is_not_a_schema_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text("[1, 2]")
    with pytest.raises(SpecError, match="a schema must be a JSON object"):
        build_task_spec(output_schema_file=str(path))


def test_required_naming_undefined_properties_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"type": "object", "properties": {}, "required": ["x"]}))
    with pytest.raises(SpecError, match="undefined properties: x"):
        build_task_spec(input_schema_file=str(path))


def test_missing_schema_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        build_task_spec(output_schema_file=str(tmp_path / "nope.json"))

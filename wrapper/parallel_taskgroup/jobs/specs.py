"""Task specs from the command line: `--task-spec`, `--output-schema`, `--output-text`,
`--input-schema` files, checked and turned into the JSON a `TaskSpec` takes."""

from __future__ import annotations

import json
from typing import Any, Optional

from parallel_taskgroup_api.models import TaskSpec

from ..errors import TaskSpecError

__all__ = ["task_spec_from_files", "required_input_fields"]

_SCHEMA_KINDS = ("json", "text", "auto")


def load_json_file(path: str, what: str) -> Any:
    """Parse the JSON file at `path`; errors name `what` (e.g. "--output-schema") and where."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise TaskSpecError(f"{what} {path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise TaskSpecError(
            f"{what} {path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError:
        raise TaskSpecError(f"{what} {path}: not valid UTF-8") from None
    except OSError as exc:
        raise TaskSpecError(f"{what} {path}: cannot read ({exc.strerror or exc})") from None


def schema_json(data: Any, where: str) -> dict[str, Any]:
    """A JsonSchema/TextSchema/AutoSchema dict from a file's content.

    Accepts the API's wrapped form (`{"type": "json", "json_schema": {...}}`, `{"type": "text",
    "description": ...}`, `{"type": "auto"}`) or a bare JSON Schema object, which is wrapped.
    """
    if not isinstance(data, dict):
        raise TaskSpecError(f"{where}: a schema must be a JSON object, got {type(data).__name__}")
    kind = data.get("type")
    if kind == "json" and "json_schema" in data:
        inner = data["json_schema"]
        if not isinstance(inner, dict):
            raise TaskSpecError(f"{where}: 'json_schema' must be a JSON Schema object")
        _check_json_schema(inner, where)
        return data
    if kind in ("text", "auto"):
        return data
    if "properties" in data or kind in ("object", "array", "string"):
        _check_json_schema(data, where)
        return {"type": "json", "json_schema": data}
    raise TaskSpecError(
        f"{where}: not a schema: expected a JSON Schema (with 'type' and 'properties') or "
        '{"type": "json", "json_schema": {...}}'
    )


def _check_json_schema(schema: dict[str, Any], where: str) -> None:
    props = schema.get("properties")
    if props is not None and not isinstance(props, dict):
        raise TaskSpecError(f"{where}: 'properties' must be an object")
    required = schema.get("required")
    if required is not None and (
        not isinstance(required, list) or not all(isinstance(r, str) for r in required)
    ):
        raise TaskSpecError(f"{where}: 'required' must be a list of property names")
    if isinstance(props, dict) and isinstance(required, list):
        unknown = [r for r in required if r not in props]
        if unknown:
            raise TaskSpecError(
                f"{where}: 'required' names undefined properties: {', '.join(unknown)}"
            )


def task_spec_from_files(
    *,
    task_spec_file: Optional[str] = None,
    output_schema_file: Optional[str] = None,
    output_text: Optional[str] = None,
    input_schema_file: Optional[str] = None,
) -> Optional[dict[str, Any]]:
    """The task spec JSON for these options, or None when none is given (an auto schema)."""
    spec: dict[str, Any] = {}
    if task_spec_file is not None:
        data = load_json_file(task_spec_file, "--task-spec")
        where = f"--task-spec {task_spec_file}"
        if not isinstance(data, dict) or "output_schema" not in data:
            raise TaskSpecError(f"{where}: a task spec is a JSON object with an 'output_schema'")
        spec["output_schema"] = _schema_or_text(data["output_schema"], f"{where}: output_schema")
        if data.get("input_schema") is not None:
            spec["input_schema"] = _schema_or_text(data["input_schema"], f"{where}: input_schema")
    if output_schema_file is not None:
        where = f"--output-schema {output_schema_file}"
        spec["output_schema"] = schema_json(
            load_json_file(output_schema_file, "--output-schema"), where
        )
    if output_text is not None:
        if not output_text.strip():
            raise TaskSpecError("--output-text: the description is empty")
        spec["output_schema"] = {"type": "text", "description": output_text}
    if input_schema_file is not None:
        where = f"--input-schema {input_schema_file}"
        spec["input_schema"] = schema_json(
            load_json_file(input_schema_file, "--input-schema"), where
        )
    if not spec:
        return None
    spec.setdefault("output_schema", {"type": "auto"})
    try:
        TaskSpec.from_dict(spec)
    except (KeyError, TypeError, ValueError) as exc:
        raise TaskSpecError(f"the task spec is not valid: {exc}") from None
    return spec


def _schema_or_text(value: Any, where: str) -> Any:
    if isinstance(value, str):
        return value  # the API takes a bare string as a text schema
    return schema_json(value, where)


def required_input_fields(spec: Optional[dict[str, Any]]) -> list[str]:
    """Property names the input schema marks required (checked on every row before submitting)."""
    if not spec:
        return []
    schema = spec.get("input_schema")
    if not isinstance(schema, dict) or schema.get("type") != "json":
        return []
    inner = schema.get("json_schema")
    required = inner.get("required") if isinstance(inner, dict) else None
    return [r for r in required if isinstance(r, str)] if isinstance(required, list) else []

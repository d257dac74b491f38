"""Request validation with FastAPI-style error lists, following upstream's request schemas.

Every check is strict about JSON types (a string is never a boolean, a boolean never a
number) and reports each problem with its location, e.g. ["body", "inputs", 3, "processor"].
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

MAX_INPUTS_PER_REQUEST = 1000
MAX_METADATA_KEY_CHARS = 16
MAX_METADATA_VALUE_CHARS = 512
RUN_STATUSES = (
    "queued",
    "action_required",
    "running",
    "completed",
    "failed",
    "cancelling",
    "cancelled",
)

Loc = List[Union[str, int]]
ErrorItem = Dict[str, Any]


class RequestInvalid(Exception):
    """One or more validation errors, each {loc, msg, type} like FastAPI's."""

    def __init__(self, errors: List[ErrorItem]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
        self.errors = errors


def _err(errors: List[ErrorItem], loc: Loc, msg: str, kind: str) -> None:
    errors.append({"loc": list(loc), "msg": msg, "type": kind})


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _optional_str(obj: Mapping[str, Any], key: str, loc: Loc, errors: List[ErrorItem]) -> None:
    value = obj.get(key)
    if value is not None and not _is_str(value):
        _err(errors, [*loc, key], "Input should be a valid string", "string_type")


def _str_list(value: Any, loc: Loc, errors: List[ErrorItem], nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, list):
        _err(errors, loc, "Input should be a valid list", "list_type")
        return
    for i, item in enumerate(value):
        if not _is_str(item):
            _err(errors, [*loc, i], "Input should be a valid string", "string_type")


def _object(value: Any, loc: Loc, errors: List[ErrorItem]) -> bool:
    if not isinstance(value, dict):
        _err(errors, loc, "Input should be a valid dictionary or object", "model_type")
        return False
    return True


def validate_metadata(value: Any, loc: Loc, errors: List[ErrorItem]) -> None:
    """Metadata: null or a map of short keys to str/int/float/bool values."""
    if value is None:
        return
    if not isinstance(value, dict):
        _err(errors, loc, "Input should be a valid dictionary", "dict_type")
        return
    for key, item in value.items():
        if len(key) > MAX_METADATA_KEY_CHARS:
            _err(
                errors,
                [*loc, key],
                f"Metadata key is {len(key)} characters long; keys may have at most "
                f"{MAX_METADATA_KEY_CHARS} characters",
                "string_too_long",
            )
        if isinstance(item, str):
            if len(item) > MAX_METADATA_VALUE_CHARS:
                _err(
                    errors,
                    [*loc, key],
                    f"Metadata value is {len(item)} characters long; values may have at most "
                    f"{MAX_METADATA_VALUE_CHARS} characters",
                    "string_too_long",
                )
        elif not isinstance(item, (bool, int, float)):
            _err(
                errors,
                [*loc, key],
                "Metadata values must be a string, integer, number or boolean",
                "union_tag_invalid",
            )


def _validate_schema_object(
    value: Any, loc: Loc, errors: List[ErrorItem], allow_auto: bool
) -> None:
    kinds = ("json", "text", "auto") if allow_auto else ("json", "text")
    if _is_str(value):
        return
    if not isinstance(value, dict):
        _err(errors, loc, "Input should be a string or a schema object", "union_type")
        return
    kind = value.get("type", "json" if "json_schema" in value else "text")
    if kind not in kinds:
        _err(
            errors,
            [*loc, "type"],
            f"Schema type should be one of {', '.join(repr(k) for k in kinds)}",
            "literal_error",
        )
        return
    if kind == "json":
        if "json_schema" not in value:
            _err(errors, [*loc, "json_schema"], "Field required", "missing")
        elif not isinstance(value["json_schema"], dict):
            _err(errors, [*loc, "json_schema"], "Input should be a valid dictionary", "dict_type")
    elif kind == "text":
        _optional_str(value, "description", loc, errors)


def validate_task_spec(value: Any, loc: Loc, errors: List[ErrorItem]) -> None:
    """TaskSpec: null or {output_schema (required), input_schema?}."""
    if value is None or not _object(value, loc, errors):
        return
    if "output_schema" not in value:
        _err(errors, [*loc, "output_schema"], "Field required", "missing")
    else:
        _validate_schema_object(value["output_schema"], [*loc, "output_schema"], errors, True)
    if value.get("input_schema") is not None:
        _validate_schema_object(value["input_schema"], [*loc, "input_schema"], errors, False)


def _validate_source_policy(value: Any, loc: Loc, errors: List[ErrorItem]) -> None:
    if value is None or not _object(value, loc, errors):
        return
    for key in ("include_domains", "exclude_domains"):
        if key in value:
            _str_list(value[key], [*loc, key], errors)
    after = value.get("after_date")
    if after is not None:
        if not _is_str(after):
            _err(errors, [*loc, "after_date"], "Input should be a valid date", "date_type")
        else:
            try:
                if len(after) != 10:
                    raise ValueError(after)
                date.fromisoformat(after)
            except ValueError:
                _err(
                    errors,
                    [*loc, "after_date"],
                    "Input should be a valid date in the format YYYY-MM-DD",
                    "date_from_datetime_parsing",
                )


def _validate_mcp_servers(value: Any, loc: Loc, errors: List[ErrorItem]) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        _err(errors, loc, "Input should be a valid list", "list_type")
        return
    for i, server in enumerate(value):
        here = [*loc, i]
        if not _object(server, here, errors):
            continue
        if server.get("type", "url") != "url":
            _err(errors, [*here, "type"], "Input should be 'url'", "literal_error")
        for key in ("url", "name"):
            if key not in server:
                _err(errors, [*here, key], "Field required", "missing")
            elif not _is_str(server[key]):
                _err(errors, [*here, key], "Input should be a valid string", "string_type")
        headers = server.get("headers")
        if headers is not None:
            if not isinstance(headers, dict):
                _err(errors, [*here, "headers"], "Input should be a valid dictionary", "dict_type")
            else:
                for name, header in headers.items():
                    if not _is_str(header):
                        _err(
                            errors,
                            [*here, "headers", name],
                            "Input should be a valid string",
                            "string_type",
                        )
        if "allowed_tools" in server:
            _str_list(server["allowed_tools"], [*here, "allowed_tools"], errors, nullable=True)


def _validate_webhook(value: Any, loc: Loc, errors: List[ErrorItem]) -> None:
    if value is None or not _object(value, loc, errors):
        return
    if "url" not in value:
        _err(errors, [*loc, "url"], "Field required", "missing")
    elif not _is_str(value["url"]):
        _err(errors, [*loc, "url"], "Input should be a valid string", "string_type")
    kinds = value.get("event_types", [])
    if not isinstance(kinds, list):
        _err(errors, [*loc, "event_types"], "Input should be a valid list", "list_type")
    else:
        for i, kind in enumerate(kinds):
            if kind != "task_run.status":
                _err(
                    errors,
                    [*loc, "event_types", i],
                    "Input should be 'task_run.status'",
                    "enum",
                )


def validate_run_input(value: Any, loc: Loc, errors: List[ErrorItem]) -> None:
    """TaskRunInput: processor and input required; everything else optional and typed."""
    if not _object(value, loc, errors):
        return
    if "processor" not in value:
        _err(errors, [*loc, "processor"], "Field required", "missing")
    elif not _is_str(value["processor"]):
        _err(errors, [*loc, "processor"], "Input should be a valid string", "string_type")
    if "input" not in value:
        _err(errors, [*loc, "input"], "Field required", "missing")
    elif not isinstance(value["input"], (str, dict)):
        _err(
            errors,
            [*loc, "input"],
            "Input should be a string or a JSON object",
            "union_type",
        )
    validate_metadata(value.get("metadata"), [*loc, "metadata"], errors)
    validate_task_spec(value.get("task_spec"), [*loc, "task_spec"], errors)
    _validate_source_policy(value.get("source_policy"), [*loc, "source_policy"], errors)
    settings = value.get("advanced_settings")
    if settings is not None and _object(settings, [*loc, "advanced_settings"], errors):
        _optional_str(settings, "location", [*loc, "advanced_settings"], errors)
    _optional_str(value, "previous_interaction_id", loc, errors)
    _optional_str(value, "memory_scope_key", loc, errors)
    _validate_mcp_servers(value.get("mcp_servers"), [*loc, "mcp_servers"], errors)
    events = value.get("enable_events")
    if events is not None and not isinstance(events, bool):
        _err(errors, [*loc, "enable_events"], "Input should be a valid boolean", "bool_type")
    _validate_webhook(value.get("webhook"), [*loc, "webhook"], errors)


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (RFC 8259 has no NaN or Infinity)")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:40]} is too large for a 64-bit float")
    return value


def _json_invalid(msg: str, pos: int = 0) -> RequestInvalid:
    return RequestInvalid([{"loc": ["body", pos], "msg": msg, "type": "json_invalid"}])


def parse_json_body(raw: bytes) -> Any:
    """Decode a JSON request body; a missing or malformed body is a 422 like FastAPI's.

    Strict RFC 8259: NaN, Infinity, numbers that overflow a float and unpaired UTF-16
    surrogate escapes are refused, since none of them can be stored or sent back as JSON.
    """
    if not raw.strip():
        raise RequestInvalid([{"loc": ["body"], "msg": "Field required", "type": "missing"}])
    try:
        value = json.loads(raw, parse_constant=_no_constants, parse_float=_finite_float)
    except RecursionError:
        raise _json_invalid("JSON decode error: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _json_invalid(f"JSON decode error: {exc}", getattr(exc, "pos", 0)) from None
    if _SURROGATE_ESCAPE.search(raw):  # rare: only then pay for a full check
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise _json_invalid(
                "JSON decode error: a \\uD800-\\uDFFF escape is not part of a surrogate pair, "
                "so the string is not valid Unicode"
            ) from None
    return value


def validate_create_group(body: Any) -> Optional[Dict[str, Any]]:
    """CreateTaskGroupRequest → its metadata (or None)."""
    errors: List[ErrorItem] = []
    if _object(body, ["body"], errors):
        validate_metadata(body.get("metadata"), ["body", "metadata"], errors)
    if errors:
        raise RequestInvalid(errors)
    metadata: Optional[Dict[str, Any]] = body.get("metadata")
    return metadata


def validate_add_runs(body: Any) -> Dict[str, Any]:
    """TaskGroupRunRequest: {inputs: [TaskRunInput] (1..1000), default_task_spec?}."""
    errors: List[ErrorItem] = []
    if not _object(body, ["body"], errors):
        raise RequestInvalid(errors)
    validate_task_spec(body.get("default_task_spec"), ["body", "default_task_spec"], errors)
    inputs = body.get("inputs")
    if "inputs" not in body:
        _err(errors, ["body", "inputs"], "Field required", "missing")
    elif not isinstance(inputs, list):
        _err(errors, ["body", "inputs"], "Input should be a valid list", "list_type")
    elif len(inputs) > MAX_INPUTS_PER_REQUEST:
        _err(
            errors,
            ["body", "inputs"],
            f"Too many inputs: {len(inputs)} in one request; at most {MAX_INPUTS_PER_REQUEST} "
            "runs can be added per POST, split them across several requests",
            "too_long",
        )
    else:
        for i, item in enumerate(inputs):
            validate_run_input(item, ["body", "inputs", i], errors)
            if len(errors) >= 50:
                break
    if errors:
        raise RequestInvalid(errors)
    validated: Dict[str, Any] = body
    return validated


def validate_single_run(body: Any) -> Dict[str, Any]:
    """TaskRunInput as the body of POST /v1/tasks/runs."""
    errors: List[ErrorItem] = []
    validate_run_input(body, ["body"], errors)
    if errors:
        raise RequestInvalid(errors)
    validated: Dict[str, Any] = body
    return validated


_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


def query_bool(params: Mapping[str, str], name: str, default: bool) -> bool:
    """A boolean query parameter, accepting the spellings FastAPI accepts."""
    raw = params.get(name)
    if raw is None:
        return default
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RequestInvalid(
        [
            {
                "loc": ["query", name],
                "msg": f"Input should be a valid boolean (true or false), got {raw!r}",
                "type": "bool_parsing",
            }
        ]
    )


def query_number(params: Mapping[str, str], name: str, integer: bool = False) -> Optional[float]:
    """A numeric query parameter (None when absent)."""
    raw = params.get(name)
    if raw is None:
        return None
    try:
        value = float(int(raw)) if integer else float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(raw)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise RequestInvalid(
            [
                {
                    "loc": ["query", name],
                    "msg": f"Input should be {kind}, got {raw!r}",
                    "type": "int_parsing" if integer else "float_parsing",
                }
            ]
        ) from None
    return value


def query_status(params: Mapping[str, str]) -> Optional[str]:
    """The optional run-status filter of the runs stream."""
    raw = params.get("status")
    if raw is None:
        return None
    if raw not in RUN_STATUSES:
        raise RequestInvalid(
            [
                {
                    "loc": ["query", "status"],
                    "msg": f"Input should be one of {', '.join(RUN_STATUSES)}; got {raw!r}",
                    "type": "enum",
                }
            ]
        )
    return raw


def query_cursor(params: Mapping[str, str], parse: Any) -> Optional[int]:
    """The optional last_event_id cursor; an empty value means "from the start"."""
    raw = params.get("last_event_id")
    if raw is None or not raw.strip():
        return None
    seq: Optional[int] = parse(raw)
    if seq is None:
        raise RequestInvalid(
            [
                {
                    "loc": ["query", "last_event_id"],
                    "msg": f"Invalid cursor {raw[:40]!r}: pass back an event_id (or run_cursor/"
                    "event_cursor) this server issued",
                    "type": "value_error",
                }
            ]
        )
    return seq


def errors_summary(errors: Sequence[ErrorItem]) -> str:
    """One line naming every problem, for ErrorResponse messages."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)

"""What openapi.yaml cannot say about a request; the contract's schemas check the rest.

- Strict JSON bodies (RFC 8259): NaN, Infinity, numbers that overflow a float and unpaired
  UTF-16 surrogate escapes are refused, since none of them can be stored or sent back as JSON
  (Python's parser accepts all four); a missing body is "Field required" like FastAPI's.
- Limits the documents state in prose: at most 1,000 inputs per add-runs POST
  (TaskGroupRunRequest.inputs), metadata keys of at most 16 characters and string values of at
  most 512 (TaskRunInput.metadata; the emulator applies them to a group's metadata too).
- Cursors: `last_event_id` must be an event id this server issued.

Problems are FastAPI-style items ({loc, msg, type}); `RequestInvalid` carries them to the 422.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, List, Optional, Sequence

from .schema_errors import ErrorItem, Loc

MAX_INPUTS_PER_REQUEST = 1000
MAX_METADATA_KEY_CHARS = 16
MAX_METADATA_VALUE_CHARS = 512
MAX_ERRORS = 50

__all__ = [
    "ErrorItem",
    "Loc",
    "RequestInvalid",
    "errors_summary",
    "parse_json_body",
    "parse_cursor_arg",
    "prose_limit_errors",
]


class RequestInvalid(Exception):
    """One or more validation errors, each {loc, msg, type} like FastAPI's."""

    def __init__(self, errors: List[ErrorItem]) -> None:
        super().__init__(errors_summary(errors))
        self.errors = errors


def errors_summary(errors: Sequence[ErrorItem]) -> str:
    """One line naming every problem, for ErrorResponse messages."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)


# -- strict JSON ---------------------------------------------------------------------------------

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
    """Decode a JSON request body; a missing or malformed body is a 422 like FastAPI's."""
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


# -- limits stated in prose ----------------------------------------------------------------------


def _metadata_errors(value: Any, loc: Loc) -> List[ErrorItem]:
    if not isinstance(value, dict):
        return []
    errors: List[ErrorItem] = []
    for key, item in value.items():
        if len(key) > MAX_METADATA_KEY_CHARS:
            msg = (
                f"Metadata key is {len(key)} characters long; keys may have at most "
                f"{MAX_METADATA_KEY_CHARS} characters"
            )
            errors.append({"loc": [*loc, key], "msg": msg, "type": "string_too_long"})
        if isinstance(item, str) and len(item) > MAX_METADATA_VALUE_CHARS:
            msg = (
                f"Metadata value is {len(item)} characters long; values may have at most "
                f"{MAX_METADATA_VALUE_CHARS} characters"
            )
            errors.append({"loc": [*loc, key], "msg": msg, "type": "string_too_long"})
    return errors


def _add_runs_errors(body: Any) -> List[ErrorItem]:
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list):
        return []
    if len(inputs) > MAX_INPUTS_PER_REQUEST:
        msg = (
            f"Too many inputs: {len(inputs)} in one request; at most {MAX_INPUTS_PER_REQUEST} "
            "runs can be added per POST, split them across several requests"
        )
        return [{"loc": ["body", "inputs"], "msg": msg, "type": "too_long"}]
    errors: List[ErrorItem] = []
    for i, item in enumerate(inputs):
        metadata = item.get("metadata") if isinstance(item, dict) else None
        if isinstance(metadata, dict) and _too_long(metadata):
            errors += _metadata_errors(metadata, ["body", "inputs", i, "metadata"])
    return errors


def _too_long(metadata: Dict[str, Any]) -> bool:
    for key, item in metadata.items():
        if len(key) > MAX_METADATA_KEY_CHARS or (
            type(item) is str and len(item) > MAX_METADATA_VALUE_CHARS
        ):
            return True
    return False


def _own_metadata_errors(body: Any) -> List[ErrorItem]:
    if not isinstance(body, dict):
        return []
    return _metadata_errors(body.get("metadata"), ["body", "metadata"])


_PROSE_LIMITS: Dict[str, Callable[[Any], List[ErrorItem]]] = {
    "create_task_group": _own_metadata_errors,
    "add_task_group_runs": _add_runs_errors,
    "create_task_run": _own_metadata_errors,
}


def prose_limit_errors(operation_id: str, body: Any) -> List[ErrorItem]:
    """Where a request body breaks a limit its documents state only in prose."""
    check = _PROSE_LIMITS.get(operation_id)
    return check(body)[:MAX_ERRORS] if check is not None else []


# -- cursors -------------------------------------------------------------------------------------


def parse_cursor_arg(raw: Optional[str], parse: Callable[[str], Optional[int]]) -> Optional[int]:
    """The optional last_event_id cursor; absent or empty means "from the start"."""
    if raw is None or not raw.strip():
        return None
    seq = parse(raw)
    if seq is None:
        msg = (
            f"Invalid cursor {raw[:40]!r}: pass back an event_id (or run_cursor/event_cursor) "
            "this server issued"
        )
        raise RequestInvalid(
            [{"loc": ["query", "last_event_id"], "msg": msg, "type": "value_error"}]
        )
    return seq

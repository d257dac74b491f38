"""What the emulator answers, checked against the contract's response schemas (a test mode).

On with `--check-responses` (`EmulatorServer` turns it on; the CLI leaves it off). Every JSON
answer of an API operation is validated against the schema the contract documents for its
status (an error status it does not document: against ErrorResponse), and every SSE event's
data against the operation's event schema. The schemas are closed first: an object schema
listing `properties` without saying anything of other fields (no `additionalProperties` or
`unevaluatedProperties`) refuses fields it does not list, so a field the contract does not
have is caught, and so is an input's undocumented field echoed back (members of an allOf
written in place are left open, as closing each would refuse its siblings' fields).

`optional` names component fields the check lets go missing (the older run shape that
`--old-shape-rate` renders has no `interaction_id`: a deliberate departure the check allows).

A mismatch is printed to stderr (`RESPONSE CHECK FAILED: ...`) and becomes a loud answer: a
500 ErrorResponse naming the problem instead of the JSON, or, in a stream already under way,
an `error` event naming it followed by a cut connection.
"""

from __future__ import annotations

import json
import sys
from types import MappingProxyType
from typing import Any, AsyncIterator, Dict, Mapping, Optional, Sequence

from .check_marker import MARKER
from .contract import JSON, SSE, Contract
from .ids import new_ref_id
from .schema_errors import explain
from .schema_walk import rebuild
from .sse import Abort, Body, Chunk
from .validation import errors_summary
from .validators import Validator, Validators


def closed(schema: Any, in_all_of: bool = False) -> Any:
    """`schema` with every object schema that lists properties refusing unlisted fields."""
    if not isinstance(schema, dict):
        return schema
    out = rebuild(schema, closed)
    if isinstance(schema.get("allOf"), list):
        out["allOf"] = [closed(member, in_all_of=True) for member in schema["allOf"]]
    if (
        not in_all_of
        and "properties" in schema
        and "additionalProperties" not in schema
        and "unevaluatedProperties" not in schema
    ):
        out["unevaluatedProperties"] = False
    return out


def relaxed(schema: Any, optional: Mapping[str, Sequence[str]]) -> Any:
    """`schema` with the `optional` fields of its components ($defs) no longer required."""
    defs = schema.get("$defs") if isinstance(schema, dict) else None
    if not defs or not any(name in defs for name in optional):
        return schema
    changed = dict(defs)
    for name, fields in optional.items():
        node = defs.get(name)
        if isinstance(node, dict) and isinstance(node.get("required"), list):
            changed[name] = {**node, "required": [f for f in node["required"] if f not in fields]}
    return {**schema, "$defs": changed}


def report(problem: str) -> None:
    """Print a response-check failure where the server log shows it."""
    print(f"taskgroup-emulator: {MARKER}: {problem}", file=sys.stderr, flush=True)


def _summary(validator: Validator, value: Any) -> str:
    return errors_summary(explain(validator.iter_errors(value), ["response"], limit=5))


class ResponseChecker:
    """Closed, compiled response schemas of every operation."""

    def __init__(
        self,
        contract: Contract,
        validators: Validators,
        optional: Mapping[str, Sequence[str]] = MappingProxyType({}),
    ) -> None:
        def compile_closed(schema: Any) -> Validator:
            return validators(closed(relaxed(schema, optional)))

        fallback = contract.component_schema("ErrorResponse")
        self._error: Optional[Validator] = (
            compile_closed(fallback) if fallback is not None else None
        )
        self._json: Dict[str, Dict[int, Optional[Validator]]] = {}
        self._events: Dict[str, Optional[Validator]] = {}
        self._contract = contract
        self._compile = compile_closed
        for op_id, operation in contract.operations.items():
            self._json[op_id] = {}
            for content in operation.responses.values():
                if JSON in content:
                    compile_closed(content[JSON])  # compiled now, once, not on first use
            ok = operation.documented(200) or {}
            self._events[op_id] = compile_closed(ok[SSE]) if SSE in ok else None

    def _json_validator(self, op_id: str, status: int) -> Optional[Validator]:
        """The validator of a JSON answer, or None when the answer itself is the problem."""
        known = self._json[op_id]
        if status not in known:
            content = self._contract.operations[op_id].documented(status)
            if content is None:
                known[status] = self._error if status >= 400 else None
            else:  # compiled at startup: this finds it in the cache
                known[status] = self._compile(content[JSON]) if JSON in content else None
        return known[status]

    def json_problem(self, op_id: str, status: int, body: bytes) -> Optional[str]:
        """What is wrong with a JSON answer of `op_id` (None: it conforms)."""
        validator = self._json_validator(op_id, status)
        if validator is None:
            return f"{op_id} answered {status} with JSON, which the contract does not document"
        try:
            value = json.loads(body)
        except ValueError as exc:
            return f"{op_id} answered {status} with a body that is not JSON: {exc}"
        if validator.is_valid(value):
            return None
        return f"{op_id} answered {status}: {_summary(validator, value)}"

    def frames_problem(self, op_id: str, text: str) -> Optional[str]:
        """What is wrong with the events in `text` (whole SSE frames) of `op_id`'s stream."""
        validator = self._events.get(op_id)
        for block in text.split("\n\n"):
            data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
            if not data:
                continue
            if validator is None:
                return f"{op_id} streamed an event, which the contract does not document"
            try:
                value = json.loads("\n".join(data))
            except ValueError as exc:
                return f"{op_id} streamed an event whose data is not JSON: {exc}"
            if not validator.is_valid(value):
                return f"{op_id} streamed an event: {_summary(validator, value)}"
        return None

    def checked_stream(self, op_id: str, body: Body) -> Body:
        """`body` with each chunk's events checked; the first mismatch ends the stream loudly."""

        async def checked(stopped: Any) -> AsyncIterator[Chunk]:
            async for chunk in body(stopped):
                problem = self.frames_problem(op_id, chunk) if isinstance(chunk, str) else None
                if problem is not None:
                    report(problem)
                    yield _error_frame(problem)
                    yield Abort("")
                    return
                yield chunk

        return checked


def _error_frame(problem: str) -> str:
    data = {"type": "error", "error": {"ref_id": new_ref_id(), "message": f"{MARKER}: {problem}"}}
    return "event: error\ndata: " + json.dumps(data) + "\n\n"

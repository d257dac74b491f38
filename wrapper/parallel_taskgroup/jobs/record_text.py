"""A row's record (:mod:`.records`) as the journal keeps it: JSON text, read back by
:func:`load_record`.

A record whose output and basis came in a stream event keeps that event's JSON text, as the
service sent it, in their place (``"event"``): a finished run's record is mostly its basis (the
citations), and encoding it again was the largest single cost of keeping a result.
"""

from __future__ import annotations

from typing import Any, Optional

from .._json import fast_compact, loads

__all__ = ["load_record", "output_parts", "record_text"]


def output_parts(output: Any) -> tuple[Any, Optional[list[Any]]]:
    """(content, basis) of an output as JSON data (``{"type", "content", "basis"}``), as a
    record holds them: an empty or missing basis is None."""
    if not isinstance(output, dict):
        return None, None
    basis = output.get("basis")
    return output.get("content"), basis if isinstance(basis, list) and basis else None


def record_text(record: dict[str, Any], *, event_text: Optional[str] = None) -> str:
    """The journal text of ``record``. ``event_text``: the JSON text of the stream event whose
    ``output`` gave the record its ``output`` and ``basis`` (kept instead of them)."""
    if event_text is None:
        return fast_compact(record)
    rest = fast_compact(dict(record, output=None, basis=None))
    return f'{rest[:-1]},"event":{event_text}}}'


def load_record(text: str) -> Any:
    """The record that :func:`record_text` wrote, its keys in the same order (ValueError for
    text that is not JSON)."""
    record = loads(text)
    if isinstance(record, dict):
        event = record.pop("event", None)
        if isinstance(event, dict):
            record["output"], record["basis"] = output_parts(event.get("output"))
    return record

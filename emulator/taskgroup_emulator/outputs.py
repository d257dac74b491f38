"""Deterministic run outputs that follow the run's task spec.

JSON specs get content valid against the output schema (the common JSON Schema subset:
object, array, string with enum/format, integer, number, boolean, null, anyOf/oneOf,
$ref into $defs/definitions) with one basis entry per top-level field; text specs get a
paragraph; auto specs get a small inferred schema, reported back as `output_schema`.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any, Dict, List, Optional, Tuple

from .schedule import canonical

MAX_DEPTH = 6
# Bounds on what a schema can ask for, so a hostile minItems/minLength/minimum cannot stall
# the clock (outputs are built on the event loop) or produce non-JSON numbers.
MAX_ITEMS = 20  # top-level arrays; deeper ones multiply, so they get fewer
MAX_NESTED_ITEMS = 3
MAX_STRING_CHARS = 4096
MAX_MAGNITUDE = 1e15
_WORDS = (
    "market leader in its segment",
    "steady revenue growth",
    "expanding into new regions",
    "strong developer community",
    "recent funding round",
    "focus on enterprise customers",
    "competitive pricing",
    "new product line announced",
)
_DOMAINS = ("example.com", "example.org", "news.example.net", "research.example.edu")


def _rng(task_input: Any, spec: Any) -> random.Random:
    seed = hashlib.blake2b(canonical([task_input, spec]).encode("utf-8"), digest_size=8)
    return random.Random(int.from_bytes(seed.digest(), "big"))


def _subject(task_input: Any) -> str:
    if isinstance(task_input, str):
        return task_input[:80]
    if isinstance(task_input, dict):
        for value in task_input.values():
            if isinstance(value, str) and value:
                return value[:80]
    return "the input"


def _resolve(schema: Dict[str, Any], root: Dict[str, Any]) -> Dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    node: Any = root
    for part in ref[2:].split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _string(schema: Dict[str, Any], name: str, subject: str, rng: random.Random) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if fmt == "date-time":
        return (
            f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z"
        )
    if fmt in ("uri", "url"):
        return f"https://{rng.choice(_DOMAINS)}/{name or 'item'}"
    if fmt == "email":
        return f"contact@{rng.choice(_DOMAINS)}"
    text = f"{subject}: {rng.choice(_WORDS)}" if name else rng.choice(_WORDS)
    low = schema.get("minLength")
    high = schema.get("maxLength")
    if isinstance(low, int) and not isinstance(low, bool) and len(text) < low:
        text = text + "." * (min(low, MAX_STRING_CHARS) - len(text))
    if isinstance(high, int) and not isinstance(high, bool) and high >= 0:
        text = text[:high]
    return text


def _bounded(value: Any, default: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return default
    if value != value:  # NaN
        return default
    return max(-MAX_MAGNITUDE, min(MAX_MAGNITUDE, value))


def _number(schema: Dict[str, Any], rng: random.Random, integer: bool) -> Any:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    lo = _bounded(low, 0.0)
    hi = _bounded(high, lo + 1000)
    if hi < lo:
        hi = lo
    value = lo + (hi - lo) * (0.25 + 0.5 * rng.random())
    if integer:
        return int(round(value))
    return round(value, 2)


def generate(
    schema: Any, root: Dict[str, Any], name: str, subject: str, rng: random.Random, depth: int = 0
) -> Any:
    """A value valid against `schema` (best effort for exotic keywords), never raising."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return _string({}, name, subject, rng)
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[rng.randrange(len(enum))]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            usable = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            return generate((usable or options)[0], root, name, subject, rng, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if kinds else "null"
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        props = schema.get("properties")
        out: Dict[str, Any] = {}
        if isinstance(props, dict):
            for key, sub in props.items():
                out[key] = generate(sub, root, key, subject, rng, depth + 1)
        return out
    if kind == "array":
        low = schema.get("minItems")
        high = schema.get("maxItems")
        count = 2
        if isinstance(low, int) and not isinstance(low, bool):
            count = max(count, min(low, MAX_ITEMS if depth <= 1 else MAX_NESTED_ITEMS))
        if isinstance(high, int) and not isinstance(high, bool):
            count = min(count, max(high, 0))
        items = schema.get("items", {})
        return [generate(items, root, name, subject, rng, depth + 1) for _ in range(count)]
    if kind == "integer":
        return _number(schema, rng, True)
    if kind == "number":
        return _number(schema, rng, False)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, name, subject, rng)


def _basis(field: str, subject: str, rng: random.Random) -> Dict[str, Any]:
    domain = rng.choice(_DOMAINS)
    slug = "".join(c if c.isalnum() else "-" for c in field.lower())[:40] or "output"
    return {
        "field": field,
        "citations": [
            {
                "title": f"About {subject[:60]}",
                "url": f"https://{domain}/{slug}",
                "excerpts": [f"Emulated excerpt supporting {field}."],
            }
        ],
        "reasoning": f"Emulated reasoning for {field} from the input.",
        "confidence": rng.choice(("low", "medium", "high")),
    }


def _auto_schema(task_input: Any) -> Dict[str, Any]:
    props: Dict[str, Any] = {
        "summary": {"type": "string", "description": "A short answer to the task."},
        "key_facts": {"type": "array", "items": {"type": "string"}},
    }
    if isinstance(task_input, dict):
        for key in list(task_input)[:3]:
            props[f"{key}_details"[:64]] = {"type": "string"}
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def output_kind(spec: Any) -> Tuple[str, Optional[Dict[str, Any]], Optional[str]]:
    """('json', schema, None) | ('text', None, description) | ('auto', None, None)."""
    if not isinstance(spec, dict):
        return "auto", None, None
    schema = spec.get("output_schema")
    if isinstance(schema, str):
        return "text", None, schema
    if not isinstance(schema, dict):
        return "auto", None, None
    kind = schema.get("type", "json" if "json_schema" in schema else "text")
    if kind == "json" and isinstance(schema.get("json_schema"), dict):
        return "json", schema["json_schema"], None
    if kind == "text":
        desc = schema.get("description")
        return "text", None, desc if isinstance(desc, str) else None
    return "auto", None, None


def build_output(task_input: Any, spec: Any) -> Dict[str, Any]:
    """The TaskRunJsonOutput or TaskRunTextOutput of a completed run."""
    rng = _rng(task_input, spec)
    subject = _subject(task_input)
    kind, schema, description = output_kind(spec)
    if kind == "text":
        what = f" ({description[:120]})" if description else ""
        text = f"Emulated answer for {subject}{what}: {rng.choice(_WORDS)}."
        return {"type": "text", "content": text, "basis": [_basis("output", subject, rng)]}
    auto = kind == "auto"
    if schema is None:
        schema = _auto_schema(task_input)
    content = generate(schema, schema, "", subject, rng)
    if not isinstance(content, dict):
        content = {"output": content}
    basis: List[Dict[str, Any]] = [_basis(field, subject, rng) for field in content]
    output: Dict[str, Any] = {"type": "json", "content": content, "basis": basis}
    if auto:
        output["output_schema"] = schema
    return output

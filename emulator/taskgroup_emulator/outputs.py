"""Deterministic run outputs that follow the run's task spec.

JSON specs get content valid against the output schema (the common JSON Schema subset:
object, array, string with enum/format, integer, number, boolean, null, anyOf/oneOf,
$ref into $defs/definitions); text specs get a paragraph; auto specs get a small inferred
schema, reported back as `output_schema`.

Basis: one entry per top-level field, each list field's entry followed by one per element
(`field.0`, `field.1`, ...), which the current API sends by default (earlier only with the
`parallel-beta: field-basis-2025-11-25` header); a text output has the one entry `output`.
Each entry draws its confidence from CONFIDENCE_SHARES for the run's processor:

- core: 72 % high, 13 % medium, 15 % low. These are the pooled counts of Parallel's
  calibration study (blog "Introducing Basis with Calibrated Confidences", May 2025, in
  parallel-web/parallel-llms-txt `public/blog/`): 400 high, 75 medium and 83 low answers
  over three datasets of rising difficulty, 78 %, 75 % and 53 % high. The study names no
  processor (Basis then came with Core, Pro and Ultra); reading it as core's is our choice.
- other tiers: an assumption. The same post says the share of high tracks accuracy, and
  accuracy rises with the tier, so lite and base get fewer highs and pro and ultra more.

Citations are an assumption too (the docs only say several citations mean stronger
evidence and low means "limited or conflicting evidence"): none on NO_CITATIONS of the
entries at each confidence (40 % low, 10 % medium, 1 % high), otherwise CITATION_COUNTS.
Confidence is never null: the contract allows it, but every processor now reports one.

Everything is seeded by the input and spec. The processor moves only confidences (and with
them citations), never the content, and a stronger one never lowers an entry's confidence.
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

# (high, medium, low) shares of basis entries per processor tier; see the module docstring.
CONFIDENCE_SHARES: Dict[str, Tuple[float, float, float]] = {
    "lite": (0.60, 0.18, 0.22),
    "base": (0.66, 0.16, 0.18),
    "core": (0.72, 0.13, 0.15),
    "core2x": (0.75, 0.12, 0.13),
    "pro": (0.78, 0.11, 0.11),
    "ultra": (0.82, 0.10, 0.08),
    "ultra2x": (0.82, 0.10, 0.08),
    "ultra4x": (0.82, 0.10, 0.08),
    "ultra8x": (0.82, 0.10, 0.08),
}
DEFAULT_PROCESSOR = "core"
NO_CITATIONS: Dict[str, float] = {"high": 0.01, "medium": 0.10, "low": 0.40}
CITATION_COUNTS: Dict[str, Tuple[int, int]] = {"high": (1, 3), "medium": (1, 2), "low": (1, 1)}
_REASONING = {
    "high": "consistent evidence from authoritative sources",
    "medium": "adequate evidence with some inconsistencies",
    "low": "limited or conflicting evidence",
}


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


def confidence_shares(processor: str) -> Tuple[float, float, float]:
    """(high, medium, low) shares for a processor; -fast variants as their tier, unknown as core."""
    tier = processor[: -len("-fast")] if processor.endswith("-fast") else processor
    return CONFIDENCE_SHARES.get(tier, CONFIDENCE_SHARES[DEFAULT_PROCESSOR])


def _basis(
    field: str, subject: str, rng: random.Random, shares: Tuple[float, float, float]
) -> Dict[str, Any]:
    # One draw from the run's stream per entry, the rest from the entry's own: however many
    # draws a confidence leads to, later entries stay the same across processors.
    own = random.Random(rng.getrandbits(64))
    draw = own.random()
    high, medium, _ = shares
    confidence = "high" if draw < high else "medium" if draw < high + medium else "low"
    citations: List[Dict[str, Any]] = []
    if own.random() >= NO_CITATIONS[confidence]:
        slug = "".join(c if c.isalnum() else "-" for c in field.lower())[:40] or "output"
        count = own.randint(*CITATION_COUNTS[confidence])
        citations = [
            {
                "title": f"About {subject[:60]}",
                "url": f"https://{domain}/{slug}",
                "excerpts": [f"Emulated excerpt supporting {field}."],
            }
            for domain in own.sample(_DOMAINS, count)
        ]
    found = "" if citations else "; no source found"
    return {
        "field": field,
        "citations": citations,
        "reasoning": f"Emulated reasoning for {field}: {_REASONING[confidence]}{found}.",
        "confidence": confidence,
    }


def _json_basis(
    content: Dict[str, Any], subject: str, rng: random.Random, shares: Tuple[float, float, float]
) -> List[Dict[str, Any]]:
    basis: List[Dict[str, Any]] = []
    for field, value in content.items():
        basis.append(_basis(field, subject, rng, shares))
        if isinstance(value, list):
            basis.extend(_basis(f"{field}.{i}", subject, rng, shares) for i in range(len(value)))
    return basis


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


def build_output(task_input: Any, spec: Any, processor: str = DEFAULT_PROCESSOR) -> Dict[str, Any]:
    """The TaskRunJsonOutput or TaskRunTextOutput of a completed run on `processor`."""
    rng = _rng(task_input, spec)
    shares = confidence_shares(processor)
    subject = _subject(task_input)
    kind, schema, description = output_kind(spec)
    if kind == "text":
        what = f" ({description[:120]})" if description else ""
        text = f"Emulated answer for {subject}{what}: {rng.choice(_WORDS)}."
        return {"type": "text", "content": text, "basis": [_basis("output", subject, rng, shares)]}
    auto = kind == "auto"
    if schema is None:
        schema = _auto_schema(task_input)
    content = generate(schema, schema, "", subject, rng)
    if not isinstance(content, dict):
        content = {"output": content}
    basis = _json_basis(content, subject, rng, shares)
    output: Dict[str, Any] = {"type": "json", "content": content, "basis": basis}
    if auto:
        output["output_schema"] = schema
    return output

"""Whether a task spec's JSON schemas are JSON Schemas at all: each is checked against the
JSON Schema draft-07 meta-schema (shipped with the package) by fastjsonschema, compiled once,
on first use. Later drafts' keywords pass as unknown ones. A typo such as
``"type": "objekt"`` is so refused before anything is sent, not by the service once the group
exists."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any, Callable, Optional

__all__ = ["schema_problem"]

_META_SCHEMA = "json-schema-draft-07.json"


@functools.lru_cache(maxsize=1)
def _meta_validator() -> Callable[[Any], Any]:
    import fastjsonschema  # loaded only when a JSON schema is checked

    text = resources.files(__package__).joinpath("data").joinpath(_META_SCHEMA).read_text("utf-8")
    # use_default=False: the meta-schema's defaults must not be written into the user's schema.
    validate: Callable[[Any], Any] = fastjsonschema.compile(json.loads(text), use_default=False)
    return validate


def schema_problem(schema: Mapping[str, Any], where: str) -> Optional[str]:
    """Why ``schema`` is not a valid JSON Schema (None if it is), naming ``where`` it is."""
    import fastjsonschema

    try:
        _meta_validator()(schema)
    except fastjsonschema.JsonSchemaValueException as exc:
        path = (exc.name or "data").replace("data", where, 1)
        if path.endswith(".type"):
            return (
                f"{path} is {exc.value!r}: a JSON Schema type is one of array, boolean, "
                "integer, null, number, object, string (or a list of them)"
            )
        return f"{path} is not valid JSON Schema: {exc.message.replace('data', where, 1)}"
    except (TypeError, ValueError, RecursionError) as exc:
        return f"{where} is not valid JSON Schema: {exc}"
    return None

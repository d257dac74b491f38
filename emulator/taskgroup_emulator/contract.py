"""The API contract the emulator serves: an OpenAPI 3.1 document, loaded once at startup.

The package ships its own copy, `contract/openapi.yaml` (`make generate` copies the repository's
openapi.yaml there and `make check-generated` fails when the two differ), so an installed
emulator reads nothing outside its package; `--contract PATH` serves another document instead
(a spec change tried before it is copied in).

This module only reads the document: its operations (method, path, parameters, JSON request
body, responses by status and media type), the header of the API-key security scheme each one
requires, and self-contained JSON Schemas: every `$ref` a schema reaches is copied under its
`$defs` (recursion stays a `$ref`), and the OpenAPI-only keywords `discriminator`, `example`,
`xml`, `externalDocs` and `x-...` extensions are dropped (`oneOf`/`anyOf` still decide).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import yaml  # type: ignore[import-untyped]

from .schema_walk import MISSING, rebuild, resolve_pointer

PACKAGE = "taskgroup_emulator"
PACKAGED_CONTRACT = "contract/openapi.yaml"
JSON = "application/json"
SSE = "text/event-stream"
METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
_DROPPED = frozenset(("discriminator", "example", "xml", "externalDocs"))
_COMPONENT_SCHEMAS = "#/components/schemas/"


class ContractError(ValueError):
    """The document cannot be served: a dangling reference, an unsupported auth scheme, ..."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML, with unquoted dates kept as strings (JSON has no date type)."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass(frozen=True)
class Parameter:
    """One documented parameter; `schema` is self-contained."""

    name: str
    where: str  # "query", "path", "header" or "cookie"
    required: bool
    schema: Any


@dataclass(frozen=True)
class Operation:
    """One documented operation, its schemas self-contained."""

    operation_id: str
    method: str  # upper case
    path: str
    parameters: Tuple[Parameter, ...]
    body: Any  # schema of the JSON request body; None when it takes none
    body_required: bool
    responses: Mapping[str, Mapping[str, Any]]  # "200"/"4XX"/"default" -> media type -> schema
    api_key_headers: Optional[Tuple[str, ...]]  # lower case, any one will do; None: no auth

    def documented(self, status: int) -> Optional[Mapping[str, Any]]:
        """Media type -> schema of the response documented for `status` (None: undocumented)."""
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in self.responses:
                return self.responses[key]
        return None


class Contract:
    """A loaded OpenAPI document."""

    def __init__(self, document: Dict[str, Any], source: str) -> None:
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            raise ContractError(f"{source}: not an OpenAPI document (no paths)")
        self.document = document
        self.source = source
        self.operations: Dict[str, Operation] = {}
        for operation in self._operations():
            if operation.operation_id in self.operations:
                raise ContractError(f"operationId {operation.operation_id!r} is used twice")
            self.operations[operation.operation_id] = operation

    @classmethod
    def load(cls, path: Optional[str] = None) -> Contract:
        """The packaged contract, or the document at `path`."""
        if path is None:
            text = (resources.files(PACKAGE) / PACKAGED_CONTRACT).read_text(encoding="utf-8")
            source = f"{PACKAGE}/{PACKAGED_CONTRACT}"
        else:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            source = path
        try:
            document = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise ContractError(f"{source}: not valid YAML: {exc}") from None
        return cls(document, source)

    # -- references -------------------------------------------------------------------------

    def pointer(self, ref: str) -> Any:
        """The node a local reference ("#/a/b") points at."""
        if not ref.startswith("#/"):
            raise ContractError(f"$ref {ref!r}: only references within the document are served")
        node = resolve_pointer(self.document, ref)
        if node is MISSING:
            raise ContractError(f"$ref {ref!r} does not resolve")
        return node

    def deref(self, node: Any) -> Any:
        """An OpenAPI object (parameter, request body, response, path item) behind its $refs."""
        for _ in range(32):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            node = self.pointer(node["$ref"])
        raise ContractError("a chain of more than 32 $refs")

    def schema(self, node: Any) -> Any:
        """`node` as a self-contained JSON Schema (see the module docstring)."""
        defs: Dict[str, Any] = {}
        pending: List[Tuple[str, str]] = []

        def clean(sub: Any) -> Any:
            if not isinstance(sub, dict):
                return sub
            out = rebuild(sub, clean)
            for key in [k for k in out if k in _DROPPED or k.startswith("x-")]:
                del out[key]
            ref = out.get("$ref")
            if isinstance(ref, str):
                if ref.startswith(_COMPONENT_SCHEMAS):
                    name = ref[len(_COMPONENT_SCHEMAS) :].replace("~1", "/").replace("~0", "~")
                else:
                    self.pointer(ref)  # fails when it does not resolve
                    name = ref[2:]
                if name not in defs:
                    defs[name] = None
                    pending.append((name, ref))
                out["$ref"] = "#/$defs/" + name.replace("~", "~0").replace("/", "~1")
            return out

        root = clean(node)
        while pending:
            name, ref = pending.pop()
            defs[name] = clean(self.pointer(ref))
        if not defs:
            return root
        if not isinstance(root, dict):  # a boolean schema reaches no $ref
            raise ContractError("a schema that is not an object has references")
        return {**root, "$defs": {**root.get("$defs", {}), **defs}}

    def component_schema(self, name: str) -> Any:
        """components/schemas/NAME, self-contained (None when the document has no such name)."""
        schemas = self.document.get("components", {}).get("schemas", {})
        return self.schema({"$ref": _COMPONENT_SCHEMAS + name}) if name in schemas else None

    # -- operations -------------------------------------------------------------------------

    def _operations(self) -> Iterator[Operation]:
        for path, item in self.document["paths"].items():
            item = self.deref(item)
            shared = item.get("parameters") or []
            for method in METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    yield self._operation(str(path), method, op, shared)

    def _operation(
        self, path: str, method: str, op: Dict[str, Any], shared: List[Any]
    ) -> Operation:
        operation_id = op.get("operationId") or f"{method.upper()} {path}"
        body, body_required = self._body(op)
        return Operation(
            operation_id=operation_id,
            method=method.upper(),
            path=path,
            parameters=self._parameters([*shared, *(op.get("parameters") or [])]),
            body=body,
            body_required=body_required,
            responses=self._responses(op),
            api_key_headers=self._api_key_headers(operation_id, op),
        )

    def _parameters(self, raw: List[Any]) -> Tuple[Parameter, ...]:
        """Path-level then operation-level parameters (the later wins on (in, name))."""
        params: Dict[Tuple[str, str], Parameter] = {}
        for item in raw:
            p = self.deref(item)
            schema = p.get("schema")
            if schema is None:  # the `content` form: one media type holding the schema
                media: Dict[str, Any] = next(iter((p.get("content") or {}).values()), {})
                schema = media.get("schema", True)
            name = p["name"].lower() if p["in"] == "header" else p["name"]
            params[(p["in"], name)] = Parameter(
                name, p["in"], bool(p.get("required")), self.schema(schema)
            )
        return tuple(params.values())

    def _body(self, op: Dict[str, Any]) -> Tuple[Any, bool]:
        """(schema of the JSON request body or None, whether it is required)."""
        if op.get("requestBody") is None:
            return None, False
        request = self.deref(op["requestBody"])
        media = (request.get("content") or {}).get(JSON)
        if media is None:
            return None, False
        return self.schema(media.get("schema", True)), bool(request.get("required"))

    def _responses(self, op: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
        responses: Dict[str, Dict[str, Any]] = {}
        for status, raw in (op.get("responses") or {}).items():
            content = self.deref(raw).get("content") or {}
            responses[str(status).upper()] = {
                media: self.schema(spec.get("schema", True)) for media, spec in content.items()
            }
        return responses

    def _api_key_headers(self, operation_id: str, op: Dict[str, Any]) -> Optional[Tuple[str, ...]]:
        """Headers of the API-key schemes the operation accepts (None: it needs no key)."""
        requirements = op.get("security", self.document.get("security"))
        if not requirements:
            return None
        schemes = self.document.get("components", {}).get("securitySchemes", {})
        headers: List[str] = []
        for requirement in requirements:
            if not requirement:  # {}: anonymous access is one of the options
                return None
            for name in requirement:
                if name not in schemes:
                    raise ContractError(f"{operation_id}: security scheme {name!r} is not defined")
                scheme = self.deref(schemes[name])
                if scheme.get("type") != "apiKey" or scheme.get("in") != "header":
                    raise ContractError(
                        f"{operation_id}: security scheme {name!r} ({scheme.get('type')} in "
                        f"{scheme.get('in')}) is not one the emulator checks: an apiKey header"
                    )
                headers.append(str(scheme["name"]).lower())
        return tuple(dict.fromkeys(headers))

"""Per operation, the request checks compiled from the contract: parameters and JSON body.

Built once at startup. `arguments` reads every documented query, path and header parameter
(text read as its schema's type, see query_values.py; defaults filled in; required ones
required) and `body_errors` validates a parsed JSON body; problems come back as FastAPI-style
items located like ["query", "status"] or ["body", "inputs", 3, "processor"] (`body_problems`
adds the limits stated in prose, validation.py). `prune` drops
the body's undocumented fields (prune.py) once it is valid.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from .contract import Contract, Operation
from .prune import Prune, Pruners, keep
from .query_values import read_value
from .schema_errors import ErrorItem, explain
from .validation import prose_limit_errors
from .validators import Validators

Sources = Mapping[str, Mapping[str, str]]  # "query"/"path"/"header" -> name -> text


class OperationChecks:
    """The compiled request checks of one operation."""

    def __init__(self, operation: Operation, validators: Validators) -> None:
        self.operation = operation
        self.params = [
            (p, validators(p.schema)) for p in operation.parameters if p.where != "cookie"
        ]
        body = operation.body
        self.takes_body = body is not None
        self.body_required = operation.body_required
        self._body = validators(body) if body is not None else None
        self.prune: Prune = Pruners(body, validators).compile(body) if body is not None else keep

    def arguments(self, sources: Sources) -> Tuple[Dict[str, Any], List[ErrorItem]]:
        """Documented parameter values by name (defaults filled in), and their problems."""
        args: Dict[str, Any] = {}
        errors: List[ErrorItem] = []
        for param, validator in self.params:
            raw = sources[param.where].get(param.name)
            loc: List[Any] = [param.where, param.name]
            if raw is None:
                if param.required:
                    errors.append({"loc": loc, "msg": "Field required", "type": "missing"})
                elif isinstance(param.schema, dict) and "default" in param.schema:
                    args[param.name] = param.schema["default"]
                continue
            value, error = read_value(raw, param.schema, loc)
            if error is not None:
                errors.append(error)
            elif not validator.is_valid(value):
                errors += explain(validator.iter_errors(value), loc)
            else:
                args[param.name] = value
        return args, errors

    def body_errors(self, body: Any) -> List[ErrorItem]:
        """Where a parsed JSON body breaks the documented schema (empty: it is valid)."""
        if self._body is None or self._body.is_valid(body):
            return []
        return explain(self._body.iter_errors(body), ["body"])

    def body_problems(self, body: Any) -> List[ErrorItem]:
        """The schema's errors, then the limits the documents state only in prose."""
        return self.body_errors(body) + prose_limit_errors(self.operation.operation_id, body)


def request_checks(contract: Contract, validators: Validators) -> Dict[str, OperationChecks]:
    """The checks of every operation of the contract, by operationId."""
    return {
        op_id: OperationChecks(operation, validators)
        for op_id, operation in contract.operations.items()
    }

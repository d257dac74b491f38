"""The generated API models that ``parallel_taskgroup`` returns, to annotate your code with.

They come from ``parallel_taskgroup_api.models`` (generated from ``openapi.yaml``); this module
only re-exports the ones a user meets.
"""

from __future__ import annotations

from parallel_taskgroup_api.models import (
    AutoSchema,
    Citation,
    Error,
    ErrorEvent,
    FieldBasis,
    JsonSchema,
    McpServer,
    SourcePolicy,
    TaskGroupResponse,
    TaskGroupStatus,
    TaskGroupStatusEvent,
    TaskRun,
    TaskRunEvent,
    TaskRunInput,
    TaskRunJsonOutput,
    TaskRunResult,
    TaskRunStatus,
    TaskRunTextOutput,
    TaskSpec,
    TextSchema,
    Webhook,
)
from parallel_taskgroup_api.models import ValidationError as ValidationDetail

__all__ = [
    "AutoSchema",
    "Citation",
    "Error",
    "ErrorEvent",
    "FieldBasis",
    "JsonSchema",
    "McpServer",
    "SourcePolicy",
    "TaskGroupResponse",
    "TaskGroupStatus",
    "TaskGroupStatusEvent",
    "TaskRun",
    "TaskRunEvent",
    "TaskRunInput",
    "TaskRunJsonOutput",
    "TaskRunResult",
    "TaskRunStatus",
    "TaskRunTextOutput",
    "TaskSpec",
    "TextSchema",
    "ValidationDetail",
    "Webhook",
]

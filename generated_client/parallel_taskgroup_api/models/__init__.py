"""Contains all the data models used in inputs/outputs"""

from .auto_schema import AutoSchema
from .citation import Citation
from .create_task_group_request import CreateTaskGroupRequest
from .create_task_group_request_metadata_type_0 import (
    CreateTaskGroupRequestMetadataType0,
)
from .error import Error
from .error_detail_type_0 import ErrorDetailType0
from .error_event import ErrorEvent
from .error_response import ErrorResponse
from .field_basis import FieldBasis
from .http_validation_error import HTTPValidationError
from .json_schema import JsonSchema
from .json_schema_json_schema import JsonSchemaJsonSchema
from .mcp_server import McpServer
from .mcp_server_headers_type_0 import McpServerHeadersType0
from .mcp_tool_call import McpToolCall
from .parallel_beta_type_0 import ParallelBetaType0
from .source_policy import SourcePolicy
from .stream_task_group_runs_status_type_0 import StreamTaskGroupRunsStatusType0
from .task_advanced_settings import TaskAdvancedSettings
from .task_group_response import TaskGroupResponse
from .task_group_response_metadata_type_0 import TaskGroupResponseMetadataType0
from .task_group_run_request import TaskGroupRunRequest
from .task_group_run_response import TaskGroupRunResponse
from .task_group_status import TaskGroupStatus
from .task_group_status_event import TaskGroupStatusEvent
from .task_group_status_task_run_status_counts import TaskGroupStatusTaskRunStatusCounts
from .task_run import TaskRun
from .task_run_event import TaskRunEvent
from .task_run_input import TaskRunInput
from .task_run_input_input_type_1 import TaskRunInputInputType1
from .task_run_input_metadata_type_0 import TaskRunInputMetadataType0
from .task_run_json_output import TaskRunJsonOutput
from .task_run_json_output_beta_fields_type_0 import TaskRunJsonOutputBetaFieldsType0
from .task_run_json_output_content import TaskRunJsonOutputContent
from .task_run_json_output_output_schema_type_0 import (
    TaskRunJsonOutputOutputSchemaType0,
)
from .task_run_metadata_type_0 import TaskRunMetadataType0
from .task_run_progress_message_event import TaskRunProgressMessageEvent
from .task_run_progress_message_event_type import TaskRunProgressMessageEventType
from .task_run_progress_stats_event import TaskRunProgressStatsEvent
from .task_run_result import TaskRunResult
from .task_run_source_stats import TaskRunSourceStats
from .task_run_status import TaskRunStatus
from .task_run_text_output import TaskRunTextOutput
from .task_run_text_output_beta_fields_type_0 import TaskRunTextOutputBetaFieldsType0
from .task_spec import TaskSpec
from .text_schema import TextSchema
from .validation_error import ValidationError
from .warning import Warning_
from .warning_detail_type_0 import WarningDetailType0
from .warning_type import WarningType
from .webhook import Webhook
from .webhook_event_types_item import WebhookEventTypesItem

__all__ = (
    "AutoSchema",
    "Citation",
    "CreateTaskGroupRequest",
    "CreateTaskGroupRequestMetadataType0",
    "Error",
    "ErrorDetailType0",
    "ErrorEvent",
    "ErrorResponse",
    "FieldBasis",
    "HTTPValidationError",
    "JsonSchema",
    "JsonSchemaJsonSchema",
    "McpServer",
    "McpServerHeadersType0",
    "McpToolCall",
    "ParallelBetaType0",
    "SourcePolicy",
    "StreamTaskGroupRunsStatusType0",
    "TaskAdvancedSettings",
    "TaskGroupResponse",
    "TaskGroupResponseMetadataType0",
    "TaskGroupRunRequest",
    "TaskGroupRunResponse",
    "TaskGroupStatus",
    "TaskGroupStatusEvent",
    "TaskGroupStatusTaskRunStatusCounts",
    "TaskRun",
    "TaskRunEvent",
    "TaskRunInput",
    "TaskRunInputInputType1",
    "TaskRunInputMetadataType0",
    "TaskRunJsonOutput",
    "TaskRunJsonOutputBetaFieldsType0",
    "TaskRunJsonOutputContent",
    "TaskRunJsonOutputOutputSchemaType0",
    "TaskRunMetadataType0",
    "TaskRunProgressMessageEvent",
    "TaskRunProgressMessageEventType",
    "TaskRunProgressStatsEvent",
    "TaskRunResult",
    "TaskRunSourceStats",
    "TaskRunStatus",
    "TaskRunTextOutput",
    "TaskRunTextOutputBetaFieldsType0",
    "TaskSpec",
    "TextSchema",
    "ValidationError",
    "Warning_",
    "WarningDetailType0",
    "WarningType",
    "Webhook",
    "WebhookEventTypesItem",
)

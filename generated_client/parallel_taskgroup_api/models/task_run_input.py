from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskRunInput")


_TaskRunInput_FIELDS = frozenset(
    (
        "processor",
        "input",
        "metadata",
        "source_policy",
        "advanced_settings",
        "task_spec",
        "previous_interaction_id",
        "mcp_servers",
        "enable_events",
        "webhook",
    )
)


@_attrs_define(repr=False)
class TaskRunInput:
    """Request to run a task.

    Attributes:
        processor (str): Processor to use for the task.
        input_ (str | TaskRunInputInputType1): Input to the task, either text or a JSON object.
        metadata (None | TaskRunInputMetadataType0 | Unset): User-provided metadata stored with the run. Keys and values
            must be strings with a maximum length of 16 and 512 characters respectively.
        source_policy (None | SourcePolicy | Unset): Optional source policy governing preferred and disallowed domains
            in web search results.
        advanced_settings (None | TaskAdvancedSettings | Unset): Advanced search configuration for the task run.
        task_spec (None | TaskSpec | Unset): Task specification. If unspecified, defaults to auto output schema.
        previous_interaction_id (None | str | Unset): Interaction ID to use as context for this request.
        mcp_servers (list[McpServer] | None | Unset): Optional list of MCP servers to use for the run.
        enable_events (bool | None | Unset): Controls tracking of task run execution progress. When set to true,
            progress events are recorded and can be accessed via the [Task Run events](https://docs.parallel.ai/api-
            reference) endpoint. When false, no progress events are tracked. Note that progress tracking cannot be enabled
            after a run has been created. The flag is set to true by default for premium processors (pro and above).
        webhook (None | Unset | Webhook): Callback URL (webhook endpoint) that will receive an HTTP POST when the run
            completes.
            This feature is not available via the Python SDK.
    """

    processor: str
    input_: str | TaskRunInputInputType1
    metadata: None | TaskRunInputMetadataType0 | Unset = UNSET
    source_policy: None | SourcePolicy | Unset = UNSET
    advanced_settings: None | TaskAdvancedSettings | Unset = UNSET
    task_spec: None | TaskSpec | Unset = UNSET
    previous_interaction_id: None | str | Unset = UNSET
    mcp_servers: list[McpServer] | None | Unset = UNSET
    enable_events: bool | None | Unset = UNSET
    webhook: None | Unset | Webhook = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "processor",
                "input_",
                "metadata",
                "source_policy",
                "advanced_settings",
                "task_spec",
                "previous_interaction_id",
                "mcp_servers",
                "enable_events",
                "webhook",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        processor = self.processor

        input_: dict[str, Any] | str
        if isinstance(self.input_, TaskRunInputInputType1):
            input_ = self.input_.to_dict()
        else:
            input_ = self.input_

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, TaskRunInputMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        source_policy: dict[str, Any] | None | Unset
        if isinstance(self.source_policy, Unset):
            source_policy = UNSET
        elif isinstance(self.source_policy, SourcePolicy):
            source_policy = self.source_policy.to_dict()
        else:
            source_policy = self.source_policy

        advanced_settings: dict[str, Any] | None | Unset
        if isinstance(self.advanced_settings, Unset):
            advanced_settings = UNSET
        elif isinstance(self.advanced_settings, TaskAdvancedSettings):
            advanced_settings = self.advanced_settings.to_dict()
        else:
            advanced_settings = self.advanced_settings

        task_spec: dict[str, Any] | None | Unset
        if isinstance(self.task_spec, Unset):
            task_spec = UNSET
        elif isinstance(self.task_spec, TaskSpec):
            task_spec = self.task_spec.to_dict()
        else:
            task_spec = self.task_spec

        previous_interaction_id: None | str | Unset
        if isinstance(self.previous_interaction_id, Unset):
            previous_interaction_id = UNSET
        else:
            previous_interaction_id = self.previous_interaction_id

        mcp_servers: list[dict[str, Any]] | None | Unset
        if isinstance(self.mcp_servers, Unset):
            mcp_servers = UNSET
        elif isinstance(self.mcp_servers, list):
            mcp_servers = []
            for mcp_servers_type_0_item_data in self.mcp_servers:
                mcp_servers_type_0_item = mcp_servers_type_0_item_data.to_dict()
                mcp_servers.append(mcp_servers_type_0_item)

        else:
            mcp_servers = self.mcp_servers

        enable_events: bool | None | Unset
        if isinstance(self.enable_events, Unset):
            enable_events = UNSET
        else:
            enable_events = self.enable_events

        webhook: dict[str, Any] | None | Unset
        if isinstance(self.webhook, Unset):
            webhook = UNSET
        elif isinstance(self.webhook, Webhook):
            webhook = self.webhook.to_dict()
        else:
            webhook = self.webhook

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "processor": processor,
                "input": input_,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if source_policy is not UNSET:
            field_dict["source_policy"] = source_policy
        if advanced_settings is not UNSET:
            field_dict["advanced_settings"] = advanced_settings
        if task_spec is not UNSET:
            field_dict["task_spec"] = task_spec
        if previous_interaction_id is not UNSET:
            field_dict["previous_interaction_id"] = previous_interaction_id
        if mcp_servers is not UNSET:
            field_dict["mcp_servers"] = mcp_servers
        if enable_events is not UNSET:
            field_dict["enable_events"] = enable_events
        if webhook is not UNSET:
            field_dict["webhook"] = webhook

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        processor = src_dict["processor"]

        input_: str | TaskRunInputInputType1
        _input_: Any = src_dict["input"]
        if isinstance(_input_, dict):
            try:
                input_type_1 = TaskRunInputInputType1.from_dict(_input_)

                input_ = input_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                input_ = cast("str | TaskRunInputInputType1", _input_)
        else:
            input_ = _input_

        metadata: None | TaskRunInputMetadataType0 | Unset
        _metadata: Any = src_dict.get("metadata", UNSET)
        if isinstance(_metadata, dict):
            try:
                metadata_type_0 = TaskRunInputMetadataType0.from_dict(_metadata)

                metadata = metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                metadata = cast("None | TaskRunInputMetadataType0 | Unset", _metadata)
        else:
            metadata = _metadata

        source_policy: None | SourcePolicy | Unset
        _source_policy: Any = src_dict.get("source_policy", UNSET)
        if isinstance(_source_policy, dict):
            try:
                source_policy_type_0 = SourcePolicy.from_dict(_source_policy)

                source_policy = source_policy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                source_policy = cast("None | SourcePolicy | Unset", _source_policy)
        else:
            source_policy = _source_policy

        advanced_settings: None | TaskAdvancedSettings | Unset
        _advanced_settings: Any = src_dict.get("advanced_settings", UNSET)
        if isinstance(_advanced_settings, dict):
            try:
                advanced_settings_type_0 = TaskAdvancedSettings.from_dict(_advanced_settings)

                advanced_settings = advanced_settings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                advanced_settings = cast("None | TaskAdvancedSettings | Unset", _advanced_settings)
        else:
            advanced_settings = _advanced_settings

        task_spec: None | TaskSpec | Unset
        _task_spec: Any = src_dict.get("task_spec", UNSET)
        if isinstance(_task_spec, dict):
            try:
                task_spec_type_0 = TaskSpec.from_dict(_task_spec)

                task_spec = task_spec_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                task_spec = cast("None | TaskSpec | Unset", _task_spec)
        else:
            task_spec = _task_spec

        previous_interaction_id: None | str | Unset = src_dict.get("previous_interaction_id", UNSET)

        mcp_servers: list[McpServer] | None | Unset
        _mcp_servers: Any = src_dict.get("mcp_servers", UNSET)
        if isinstance(_mcp_servers, list):
            try:
                mcp_servers_type_0 = [McpServer.from_dict(item) for item in _mcp_servers]

                mcp_servers = mcp_servers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                mcp_servers = cast("list[McpServer] | None | Unset", _mcp_servers)
        else:
            mcp_servers = _mcp_servers

        enable_events: bool | None | Unset = src_dict.get("enable_events", UNSET)

        webhook: None | Unset | Webhook
        _webhook: Any = src_dict.get("webhook", UNSET)
        if isinstance(_webhook, dict):
            try:
                webhook_type_0 = Webhook.from_dict(_webhook)

                webhook = webhook_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                webhook = cast("None | Unset | Webhook", _webhook)
        else:
            webhook = _webhook

        _instance = cls(
            processor,
            input_,
            metadata,
            source_policy,
            advanced_settings,
            task_spec,
            previous_interaction_id,
            mcp_servers,
            enable_events,
            webhook,
        )

        if not _TaskRunInput_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskRunInput_FIELDS}
            _instance.additional_properties = _extra

        return _instance

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


from ..models.mcp_server import McpServer  # noqa: E402
from ..models.source_policy import SourcePolicy  # noqa: E402
from ..models.task_advanced_settings import TaskAdvancedSettings  # noqa: E402
from ..models.task_run_input_input_type_1 import TaskRunInputInputType1  # noqa: E402
from ..models.task_run_input_metadata_type_0 import TaskRunInputMetadataType0  # noqa: E402
from ..models.task_spec import TaskSpec  # noqa: E402
from ..models.webhook import Webhook  # noqa: E402

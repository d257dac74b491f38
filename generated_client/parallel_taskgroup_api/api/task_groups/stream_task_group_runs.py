from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_event import ErrorEvent
from ...models.error_response import ErrorResponse
from ...models.http_validation_error import HTTPValidationError
from ...models.stream_task_group_runs_status_type_0 import (
    StreamTaskGroupRunsStatusType0,
)
from ...models.task_run_event import TaskRunEvent
from ...types import UNSET, Response, Unset


def request_kwargs(
    taskgroup_id: str,
    *,
    last_event_id: None | str | Unset = UNSET,
    status: None | StreamTaskGroupRunsStatusType0 | Unset = UNSET,
    include_input: bool | Unset = False,
    include_output: bool | Unset = False,
) -> dict[str, Any]:
    """Keyword arguments (method, url, params, headers, json) for `httpx.Client.request`."""

    params: dict[str, Any] = {}

    json_last_event_id: None | str | Unset
    if isinstance(last_event_id, Unset):
        json_last_event_id = UNSET
    else:
        json_last_event_id = last_event_id
    params["last_event_id"] = json_last_event_id

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, StreamTaskGroupRunsStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    params["include_input"] = include_input

    params["include_output"] = include_output

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tasks/groups/{taskgroup_id}/runs".format(
            taskgroup_id=quote(str(taskgroup_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


_get_kwargs = request_kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError | None:
    """The typed body of `response` for its status code (None if undocumented and not raising)."""
    if response.status_code == 200:
        response_200: ErrorEvent | TaskRunEvent
        _response_200: Any = response.text
        _response_200_tag = _response_200.get("type") if isinstance(_response_200, dict) else None
        if _response_200_tag == "task_run.state":
            response_200 = TaskRunEvent.from_dict(_response_200)
        elif _response_200_tag == "error":
            response_200 = ErrorEvent.from_dict(_response_200)
        else:

            def _parse_response_200(data: object) -> ErrorEvent | TaskRunEvent:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    response_200_type_0 = TaskRunEvent.from_dict(data)

                    return response_200_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_1 = ErrorEvent.from_dict(data)

                return response_200_type_1

            response_200 = _parse_response_200(_response_200)

        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


_parse_response = parse_response


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    last_event_id: None | str | Unset = UNSET,
    status: None | StreamTaskGroupRunsStatusType0 | Unset = UNSET,
    include_input: bool | Unset = False,
    include_output: bool | Unset = False,
) -> Response[ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError]:
    """Stream the runs of a task group

     Server-sent events: one task_run.state event for each run in the group at the time of the request
    (optionally filtered by status, with inputs and outputs on request), then the stream ends. Resume
    after a given event with last_event_id.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        status (None | StreamTaskGroupRunsStatusType0 | Unset):
        include_input (bool | Unset):  Default: False.
        include_output (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        taskgroup_id=taskgroup_id,
        last_event_id=last_event_id,
        status=status,
        include_input=include_input,
        include_output=include_output,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    last_event_id: None | str | Unset = UNSET,
    status: None | StreamTaskGroupRunsStatusType0 | Unset = UNSET,
    include_input: bool | Unset = False,
    include_output: bool | Unset = False,
) -> ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError | None:
    """Stream the runs of a task group

     Server-sent events: one task_run.state event for each run in the group at the time of the request
    (optionally filtered by status, with inputs and outputs on request), then the stream ends. Resume
    after a given event with last_event_id.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        status (None | StreamTaskGroupRunsStatusType0 | Unset):
        include_input (bool | Unset):  Default: False.
        include_output (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError
    """

    return sync_detailed(
        taskgroup_id=taskgroup_id,
        client=client,
        last_event_id=last_event_id,
        status=status,
        include_input=include_input,
        include_output=include_output,
    ).parsed


async def asyncio_detailed(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    last_event_id: None | str | Unset = UNSET,
    status: None | StreamTaskGroupRunsStatusType0 | Unset = UNSET,
    include_input: bool | Unset = False,
    include_output: bool | Unset = False,
) -> Response[ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError]:
    """Stream the runs of a task group

     Server-sent events: one task_run.state event for each run in the group at the time of the request
    (optionally filtered by status, with inputs and outputs on request), then the stream ends. Resume
    after a given event with last_event_id.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        status (None | StreamTaskGroupRunsStatusType0 | Unset):
        include_input (bool | Unset):  Default: False.
        include_output (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        taskgroup_id=taskgroup_id,
        last_event_id=last_event_id,
        status=status,
        include_input=include_input,
        include_output=include_output,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    last_event_id: None | str | Unset = UNSET,
    status: None | StreamTaskGroupRunsStatusType0 | Unset = UNSET,
    include_input: bool | Unset = False,
    include_output: bool | Unset = False,
) -> ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError | None:
    """Stream the runs of a task group

     Server-sent events: one task_run.state event for each run in the group at the time of the request
    (optionally filtered by status, with inputs and outputs on request), then the stream ends. Resume
    after a given event with last_event_id.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        status (None | StreamTaskGroupRunsStatusType0 | Unset):
        include_input (bool | Unset):  Default: False.
        include_output (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEvent | TaskRunEvent | ErrorResponse | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            taskgroup_id=taskgroup_id,
            client=client,
            last_event_id=last_event_id,
            status=status,
            include_input=include_input,
            include_output=include_output,
        )
    ).parsed

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
from ...models.task_group_status_event import TaskGroupStatusEvent
from ...models.task_run_event import TaskRunEvent
from ...types import UNSET, Response, Unset


def request_kwargs(
    taskgroup_id: str,
    *,
    last_event_id: None | str | Unset = UNSET,
    timeout: float | None | Unset = UNSET,
) -> dict[str, Any]:
    """Keyword arguments (method, url, params, headers, json) for `httpx.Client.request`."""

    params: dict[str, Any] = {}

    json_last_event_id: None | str | Unset
    if isinstance(last_event_id, Unset):
        json_last_event_id = UNSET
    else:
        json_last_event_id = last_event_id
    params["last_event_id"] = json_last_event_id

    json_timeout: float | None | Unset
    if isinstance(timeout, Unset):
        json_timeout = UNSET
    else:
        json_timeout = timeout
    params["timeout"] = json_timeout

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tasks/groups/{taskgroup_id}/events".format(
            taskgroup_id=quote(str(taskgroup_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


_get_kwargs = request_kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError | None:
    """The typed body of `response` for its status code (None if undocumented and not raising)."""
    if response.status_code == 200:
        response_200: ErrorEvent | TaskGroupStatusEvent | TaskRunEvent
        _response_200: Any = response.text
        _response_200_tag = _response_200.get("type") if isinstance(_response_200, dict) else None
        if _response_200_tag == "task_group_status":
            response_200 = TaskGroupStatusEvent.from_dict(_response_200)
        elif _response_200_tag == "task_run.state":
            response_200 = TaskRunEvent.from_dict(_response_200)
        elif _response_200_tag == "error":
            response_200 = ErrorEvent.from_dict(_response_200)
        else:

            def _parse_response_200(
                data: object,
            ) -> ErrorEvent | TaskGroupStatusEvent | TaskRunEvent:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    response_200_type_0 = TaskGroupStatusEvent.from_dict(data)

                    return response_200_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    response_200_type_1 = TaskRunEvent.from_dict(data)

                    return response_200_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_2 = ErrorEvent.from_dict(data)

                return response_200_type_2

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
) -> Response[
    ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError
]:
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
    timeout: float | None | Unset = UNSET,
) -> Response[
    ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError
]:
    """Stream the events of a task group

     Server-sent events: task_group_status updates and a task_run.state event each time a run finishes.
    The stream stays open while runs are active, for a limited lifetime; reconnect with last_event_id to
    continue exactly after the last event seen.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        timeout (float | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        taskgroup_id=taskgroup_id,
        last_event_id=last_event_id,
        timeout=timeout,
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
    timeout: float | None | Unset = UNSET,
) -> ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError | None:
    """Stream the events of a task group

     Server-sent events: task_group_status updates and a task_run.state event each time a run finishes.
    The stream stays open while runs are active, for a limited lifetime; reconnect with last_event_id to
    continue exactly after the last event seen.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        timeout (float | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError
    """

    return sync_detailed(
        taskgroup_id=taskgroup_id,
        client=client,
        last_event_id=last_event_id,
        timeout=timeout,
    ).parsed


async def asyncio_detailed(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    last_event_id: None | str | Unset = UNSET,
    timeout: float | None | Unset = UNSET,
) -> Response[
    ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError
]:
    """Stream the events of a task group

     Server-sent events: task_group_status updates and a task_run.state event each time a run finishes.
    The stream stays open while runs are active, for a limited lifetime; reconnect with last_event_id to
    continue exactly after the last event seen.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        timeout (float | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        taskgroup_id=taskgroup_id,
        last_event_id=last_event_id,
        timeout=timeout,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    last_event_id: None | str | Unset = UNSET,
    timeout: float | None | Unset = UNSET,
) -> ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError | None:
    """Stream the events of a task group

     Server-sent events: task_group_status updates and a task_run.state event each time a run finishes.
    The stream stays open while runs are active, for a limited lifetime; reconnect with last_event_id to
    continue exactly after the last event seen.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        timeout (float | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | ErrorResponse | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            taskgroup_id=taskgroup_id,
            client=client,
            last_event_id=last_event_id,
            timeout=timeout,
        )
    ).parsed

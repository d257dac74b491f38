from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Callable
from urllib.parse import quote

import httpx

from ... import errors, sse
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
) -> (
    ErrorResponse
    | HTTPValidationError
    | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]
    | None
):
    """The typed body of `response` for its status code (None if undocumented and not raising)."""
    if response.status_code == 200:
        return [parse_event(event) for event in sse.iter_events([response.content])]

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


_EVENT_MODELS: dict[
    str, Callable[[Mapping[str, Any]], ErrorEvent | TaskGroupStatusEvent | TaskRunEvent]
] = {
    "task_group_status": TaskGroupStatusEvent.from_dict,
    "task_run.state": TaskRunEvent.from_dict,
    "error": ErrorEvent.from_dict,
}
"""The model of each event type ("type" of the event's JSON) of the 200 stream."""


def parse_event(
    event: sse.ServerSentEvent,
) -> ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]:
    """One event of the 200 stream as the model of its type (its JSON "type", else its SSE
    event name); a type this client does not know comes back as the decoded JSON object.

    Raises:
        errors.InvalidEvent: If the data is not a JSON object, or does not match the model of a
            known type.
    """
    return sse.parse_json_event(event, "type", _EVENT_MODELS)


def stream(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    last_event_id: None | str | Unset = UNSET,
    timeout: float | None | Unset = UNSET,
) -> sse.EventStream[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]:
    """Stream the events of a task group

     Server-sent events: task_group_status updates and a task_run.state event each time a run finishes.
    The stream stays open while runs are active, for a limited lifetime; reconnect with last_event_id to
    continue exactly after the last event seen.

    Yields each event as it arrives, typed by parse_event(). Close the stream (or read it in a `with` block) to stop before its end.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        timeout (float | None | Unset):

    Raises:
        errors.StreamStatusError: If the server answers with a status other than 200 (`parsed` holds the typed body of a documented status).
        errors.TruncatedStream: If the body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        sse.EventStream[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]
    """

    kwargs = request_kwargs(
        taskgroup_id=taskgroup_id,
        last_event_id=last_event_id,
        timeout=timeout,
    )
    return sse.EventStream(client, kwargs, parse_event, parse_response)


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    ErrorResponse
    | HTTPValidationError
    | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]
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
    ErrorResponse
    | HTTPValidationError
    | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]
]:
    """Stream the events of a task group

     Server-sent events: task_group_status updates and a task_run.state event each time a run finishes.
    The stream stays open while runs are active, for a limited lifetime; reconnect with last_event_id to
    continue exactly after the last event seen.

    Reads the stream to its end (a stream that stays open while runs are active returns when the server ends it) and returns its events as a list, typed by parse_event(). stream() gives each event as it arrives.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        timeout (float | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TruncatedStream: If a 200 body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | HTTPValidationError | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]]
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
) -> (
    ErrorResponse
    | HTTPValidationError
    | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]
    | None
):
    """Stream the events of a task group

     Server-sent events: task_group_status updates and a task_run.state event each time a run finishes.
    The stream stays open while runs are active, for a limited lifetime; reconnect with last_event_id to
    continue exactly after the last event seen.

    Reads the stream to its end (a stream that stays open while runs are active returns when the server ends it) and returns its events as a list, typed by parse_event(). stream() gives each event as it arrives.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        timeout (float | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TruncatedStream: If a 200 body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | HTTPValidationError | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]
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
    ErrorResponse
    | HTTPValidationError
    | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]
]:
    """Stream the events of a task group

     Server-sent events: task_group_status updates and a task_run.state event each time a run finishes.
    The stream stays open while runs are active, for a limited lifetime; reconnect with last_event_id to
    continue exactly after the last event seen.

    Reads the stream to its end (a stream that stays open while runs are active returns when the server ends it) and returns its events as a list, typed by parse_event(). stream() gives each event as it arrives.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        timeout (float | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TruncatedStream: If a 200 body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | HTTPValidationError | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]]
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
) -> (
    ErrorResponse
    | HTTPValidationError
    | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]
    | None
):
    """Stream the events of a task group

     Server-sent events: task_group_status updates and a task_run.state event each time a run finishes.
    The stream stays open while runs are active, for a limited lifetime; reconnect with last_event_id to
    continue exactly after the last event seen.

    Reads the stream to its end (a stream that stays open while runs are active returns when the server ends it) and returns its events as a list, typed by parse_event(). stream() gives each event as it arrives.

    Args:
        taskgroup_id (str):
        last_event_id (None | str | Unset):
        timeout (float | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TruncatedStream: If a 200 body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | HTTPValidationError | list[ErrorEvent | TaskGroupStatusEvent | TaskRunEvent | dict[str, Any]]
    """

    return (
        await asyncio_detailed(
            taskgroup_id=taskgroup_id,
            client=client,
            last_event_id=last_event_id,
            timeout=timeout,
        )
    ).parsed

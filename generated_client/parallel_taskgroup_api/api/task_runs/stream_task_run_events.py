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
from ...models.task_run_event import TaskRunEvent
from ...models.task_run_progress_message_event import TaskRunProgressMessageEvent
from ...models.task_run_progress_stats_event import TaskRunProgressStatsEvent
from ...types import Response


def request_kwargs(
    run_id: str,
) -> dict[str, Any]:
    """Keyword arguments (method, url, params, headers, json) for `httpx.Client.request`."""

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tasks/runs/{run_id}/events".format(
            run_id=quote(str(run_id), safe=""),
        ),
    }

    return _kwargs


_get_kwargs = request_kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    ErrorResponse
    | list[
        ErrorEvent
        | TaskRunEvent
        | TaskRunProgressMessageEvent
        | TaskRunProgressStatsEvent
        | dict[str, Any]
    ]
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
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


_parse_response = parse_response


_EVENT_MODELS: dict[
    str,
    Callable[
        [Mapping[str, Any]],
        ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent,
    ],
] = {
    "task_run.progress_stats": TaskRunProgressStatsEvent.from_dict,
    "task_run.progress_msg.exec_status": TaskRunProgressMessageEvent.from_dict,
    "task_run.progress_msg.plan": TaskRunProgressMessageEvent.from_dict,
    "task_run.progress_msg.result": TaskRunProgressMessageEvent.from_dict,
    "task_run.progress_msg.search": TaskRunProgressMessageEvent.from_dict,
    "task_run.progress_msg.tool_call": TaskRunProgressMessageEvent.from_dict,
    "task_run.state": TaskRunEvent.from_dict,
    "error": ErrorEvent.from_dict,
}
"""The model of each event type ("type" of the event's JSON) of the 200 stream."""


def parse_event(
    event: sse.ServerSentEvent,
) -> (
    ErrorEvent
    | TaskRunEvent
    | TaskRunProgressMessageEvent
    | TaskRunProgressStatsEvent
    | dict[str, Any]
):
    """One event of the 200 stream as the model of its type (its JSON "type", else its SSE
    event name); a type this client does not know comes back as the decoded JSON object.

    Raises:
        errors.InvalidEvent: If the data is not a JSON object, or does not match the model of a
            known type.
    """
    return sse.parse_json_event(event, "type", _EVENT_MODELS)


def stream(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> sse.EventStream[
    ErrorEvent
    | TaskRunEvent
    | TaskRunProgressMessageEvent
    | TaskRunProgressStatsEvent
    | dict[str, Any]
]:
    """Stream the progress events of a task run

     Server-sent events describing a single run's progress and its final state.

    Yields each event as it arrives, typed by parse_event(). Close the stream (or read it in a `with` block) to stop before its end.

    Args:
        run_id (str):

    Raises:
        errors.StreamStatusError: If the server answers with a status other than 200 (`parsed` holds the typed body of a documented status).
        errors.TruncatedStream: If the body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        sse.EventStream[ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent | dict[str, Any]]
    """

    kwargs = request_kwargs(
        run_id=run_id,
    )
    return sse.EventStream(client, kwargs, parse_event, parse_response)


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    ErrorResponse
    | list[
        ErrorEvent
        | TaskRunEvent
        | TaskRunProgressMessageEvent
        | TaskRunProgressStatsEvent
        | dict[str, Any]
    ]
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    ErrorResponse
    | list[
        ErrorEvent
        | TaskRunEvent
        | TaskRunProgressMessageEvent
        | TaskRunProgressStatsEvent
        | dict[str, Any]
    ]
]:
    """Stream the progress events of a task run

     Server-sent events describing a single run's progress and its final state.

    Reads the stream to its end (a stream that stays open while runs are active returns when the server ends it) and returns its events as a list, typed by parse_event(). stream() gives each event as it arrives.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TruncatedStream: If a 200 body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | list[ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent | dict[str, Any]]]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> (
    ErrorResponse
    | list[
        ErrorEvent
        | TaskRunEvent
        | TaskRunProgressMessageEvent
        | TaskRunProgressStatsEvent
        | dict[str, Any]
    ]
    | None
):
    """Stream the progress events of a task run

     Server-sent events describing a single run's progress and its final state.

    Reads the stream to its end (a stream that stays open while runs are active returns when the server ends it) and returns its events as a list, typed by parse_event(). stream() gives each event as it arrives.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TruncatedStream: If a 200 body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | list[ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent | dict[str, Any]]
    """

    return sync_detailed(
        run_id=run_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    ErrorResponse
    | list[
        ErrorEvent
        | TaskRunEvent
        | TaskRunProgressMessageEvent
        | TaskRunProgressStatsEvent
        | dict[str, Any]
    ]
]:
    """Stream the progress events of a task run

     Server-sent events describing a single run's progress and its final state.

    Reads the stream to its end (a stream that stays open while runs are active returns when the server ends it) and returns its events as a list, typed by parse_event(). stream() gives each event as it arrives.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TruncatedStream: If a 200 body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | list[ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent | dict[str, Any]]]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> (
    ErrorResponse
    | list[
        ErrorEvent
        | TaskRunEvent
        | TaskRunProgressMessageEvent
        | TaskRunProgressStatsEvent
        | dict[str, Any]
    ]
    | None
):
    """Stream the progress events of a task run

     Server-sent events describing a single run's progress and its final state.

    Reads the stream to its end (a stream that stays open while runs are active returns when the server ends it) and returns its events as a list, typed by parse_event(). stream() gives each event as it arrives.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TruncatedStream: If a 200 body ends in the middle of an event.
        errors.InvalidEvent: If an event is not a JSON object, or does not match the model of its type.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | list[ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent | dict[str, Any]]
    """

    return (
        await asyncio_detailed(
            run_id=run_id,
            client=client,
        )
    ).parsed

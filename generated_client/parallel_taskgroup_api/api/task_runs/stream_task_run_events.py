from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
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
    ErrorEvent
    | TaskRunEvent
    | TaskRunProgressMessageEvent
    | TaskRunProgressStatsEvent
    | ErrorResponse
    | None
):
    """The typed body of `response` for its status code (None if undocumented and not raising)."""
    if response.status_code == 200:
        response_200: (
            ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent
        )
        _response_200: Any = response.text
        _response_200_tag = _response_200.get("type") if isinstance(_response_200, dict) else None
        if _response_200_tag == "task_run.progress_stats":
            response_200 = TaskRunProgressStatsEvent.from_dict(_response_200)
        elif _response_200_tag in (
            "task_run.progress_msg.exec_status",
            "task_run.progress_msg.plan",
            "task_run.progress_msg.result",
            "task_run.progress_msg.search",
            "task_run.progress_msg.tool_call",
        ):
            response_200 = TaskRunProgressMessageEvent.from_dict(_response_200)
        elif _response_200_tag == "task_run.state":
            response_200 = TaskRunEvent.from_dict(_response_200)
        elif _response_200_tag == "error":
            response_200 = ErrorEvent.from_dict(_response_200)
        else:

            def _parse_response_200(
                data: object,
            ) -> (
                ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent
            ):
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    response_200_type_0 = TaskRunProgressStatsEvent.from_dict(data)

                    return response_200_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    response_200_type_1 = TaskRunProgressMessageEvent.from_dict(data)

                    return response_200_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    response_200_type_2 = TaskRunEvent.from_dict(data)

                    return response_200_type_2
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_3 = ErrorEvent.from_dict(data)

                return response_200_type_3

            response_200 = _parse_response_200(_response_200)

        return response_200

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    ErrorEvent
    | TaskRunEvent
    | TaskRunProgressMessageEvent
    | TaskRunProgressStatsEvent
    | ErrorResponse
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
    ErrorEvent
    | TaskRunEvent
    | TaskRunProgressMessageEvent
    | TaskRunProgressStatsEvent
    | ErrorResponse
]:
    """Stream the progress events of a task run

     Server-sent events describing a single run's progress and its final state.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent | ErrorResponse]
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
    ErrorEvent
    | TaskRunEvent
    | TaskRunProgressMessageEvent
    | TaskRunProgressStatsEvent
    | ErrorResponse
    | None
):
    """Stream the progress events of a task run

     Server-sent events describing a single run's progress and its final state.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent | ErrorResponse
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
    ErrorEvent
    | TaskRunEvent
    | TaskRunProgressMessageEvent
    | TaskRunProgressStatsEvent
    | ErrorResponse
]:
    """Stream the progress events of a task run

     Server-sent events describing a single run's progress and its final state.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent | ErrorResponse]
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
    ErrorEvent
    | TaskRunEvent
    | TaskRunProgressMessageEvent
    | TaskRunProgressStatsEvent
    | ErrorResponse
    | None
):
    """Stream the progress events of a task run

     Server-sent events describing a single run's progress and its final state.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEvent | TaskRunEvent | TaskRunProgressMessageEvent | TaskRunProgressStatsEvent | ErrorResponse
    """

    return (
        await asyncio_detailed(
            run_id=run_id,
            client=client,
        )
    ).parsed

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.http_validation_error import HTTPValidationError
from ...models.task_group_response import TaskGroupResponse
from ...types import Response


def request_kwargs(
    taskgroup_id: str,
) -> dict[str, Any]:
    """Keyword arguments (method, url, params, headers, json) for `httpx.Client.request`."""

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tasks/groups/{taskgroup_id}".format(
            taskgroup_id=quote(str(taskgroup_id), safe=""),
        ),
    }

    return _kwargs


_get_kwargs = request_kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | HTTPValidationError | TaskGroupResponse | None:
    """The typed body of `response` for its status code (None if undocumented and not raising)."""
    if response.status_code == 200:
        response_200 = TaskGroupResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | HTTPValidationError | TaskGroupResponse]:
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
) -> Response[ErrorResponse | HTTPValidationError | TaskGroupResponse]:
    """Get a task group

     Returns the group with its status: how many runs it holds, how many are in each state, and whether
    any is still active.

    Args:
        taskgroup_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | HTTPValidationError | TaskGroupResponse]
    """

    kwargs = _get_kwargs(
        taskgroup_id=taskgroup_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | HTTPValidationError | TaskGroupResponse | None:
    """Get a task group

     Returns the group with its status: how many runs it holds, how many are in each state, and whether
    any is still active.

    Args:
        taskgroup_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | HTTPValidationError | TaskGroupResponse
    """

    return sync_detailed(
        taskgroup_id=taskgroup_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorResponse | HTTPValidationError | TaskGroupResponse]:
    """Get a task group

     Returns the group with its status: how many runs it holds, how many are in each state, and whether
    any is still active.

    Args:
        taskgroup_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | HTTPValidationError | TaskGroupResponse]
    """

    kwargs = _get_kwargs(
        taskgroup_id=taskgroup_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | HTTPValidationError | TaskGroupResponse | None:
    """Get a task group

     Returns the group with its status: how many runs it holds, how many are in each state, and whether
    any is still active.

    Args:
        taskgroup_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | HTTPValidationError | TaskGroupResponse
    """

    return (
        await asyncio_detailed(
            taskgroup_id=taskgroup_id,
            client=client,
        )
    ).parsed

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.http_validation_error import HTTPValidationError
from ...models.task_group_run_request import TaskGroupRunRequest
from ...models.task_group_run_response import TaskGroupRunResponse
from ...types import UNSET, Response, Unset


def request_kwargs(
    taskgroup_id: str,
    *,
    body: TaskGroupRunRequest,
    refresh_status: bool | Unset = True,
    parallel_beta: None | str | Unset = UNSET,
) -> dict[str, Any]:
    """Keyword arguments (method, url, params, headers, json) for `httpx.Client.request`."""
    headers: dict[str, Any] = {}
    if not isinstance(parallel_beta, Unset):
        headers["parallel-beta"] = parallel_beta

    params: dict[str, Any] = {}

    params["refresh_status"] = refresh_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tasks/groups/{taskgroup_id}/runs".format(
            taskgroup_id=quote(str(taskgroup_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


_get_kwargs = request_kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | HTTPValidationError | TaskGroupRunResponse | None:
    """The typed body of `response` for its status code (None if undocumented and not raising)."""
    if response.status_code == 200:
        response_200 = TaskGroupRunResponse.from_dict(response.json())

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

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


_parse_response = parse_response


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | HTTPValidationError | TaskGroupRunResponse]:
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
    body: TaskGroupRunRequest,
    refresh_status: bool | Unset = True,
    parallel_beta: None | str | Unset = UNSET,
) -> Response[ErrorResponse | HTTPValidationError | TaskGroupRunResponse]:
    """Add runs to a task group

     Adds up to 1,000 runs in one request. Returns the new run ids and cursors that point at these runs
    in the runs and events streams. Pass refresh_status=false for bulk submissions: the returned status
    is then a cached one.

    Args:
        taskgroup_id (str):
        refresh_status (bool | Unset):  Default: True.
        parallel_beta (None | str | Unset):
        body (TaskGroupRunRequest): Request to initiate new task runs in a task group.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | HTTPValidationError | TaskGroupRunResponse]
    """

    kwargs = _get_kwargs(
        taskgroup_id=taskgroup_id,
        body=body,
        refresh_status=refresh_status,
        parallel_beta=parallel_beta,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: TaskGroupRunRequest,
    refresh_status: bool | Unset = True,
    parallel_beta: None | str | Unset = UNSET,
) -> ErrorResponse | HTTPValidationError | TaskGroupRunResponse | None:
    """Add runs to a task group

     Adds up to 1,000 runs in one request. Returns the new run ids and cursors that point at these runs
    in the runs and events streams. Pass refresh_status=false for bulk submissions: the returned status
    is then a cached one.

    Args:
        taskgroup_id (str):
        refresh_status (bool | Unset):  Default: True.
        parallel_beta (None | str | Unset):
        body (TaskGroupRunRequest): Request to initiate new task runs in a task group.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | HTTPValidationError | TaskGroupRunResponse
    """

    return sync_detailed(
        taskgroup_id=taskgroup_id,
        client=client,
        body=body,
        refresh_status=refresh_status,
        parallel_beta=parallel_beta,
    ).parsed


async def asyncio_detailed(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: TaskGroupRunRequest,
    refresh_status: bool | Unset = True,
    parallel_beta: None | str | Unset = UNSET,
) -> Response[ErrorResponse | HTTPValidationError | TaskGroupRunResponse]:
    """Add runs to a task group

     Adds up to 1,000 runs in one request. Returns the new run ids and cursors that point at these runs
    in the runs and events streams. Pass refresh_status=false for bulk submissions: the returned status
    is then a cached one.

    Args:
        taskgroup_id (str):
        refresh_status (bool | Unset):  Default: True.
        parallel_beta (None | str | Unset):
        body (TaskGroupRunRequest): Request to initiate new task runs in a task group.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | HTTPValidationError | TaskGroupRunResponse]
    """

    kwargs = _get_kwargs(
        taskgroup_id=taskgroup_id,
        body=body,
        refresh_status=refresh_status,
        parallel_beta=parallel_beta,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    taskgroup_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: TaskGroupRunRequest,
    refresh_status: bool | Unset = True,
    parallel_beta: None | str | Unset = UNSET,
) -> ErrorResponse | HTTPValidationError | TaskGroupRunResponse | None:
    """Add runs to a task group

     Adds up to 1,000 runs in one request. Returns the new run ids and cursors that point at these runs
    in the runs and events streams. Pass refresh_status=false for bulk submissions: the returned status
    is then a cached one.

    Args:
        taskgroup_id (str):
        refresh_status (bool | Unset):  Default: True.
        parallel_beta (None | str | Unset):
        body (TaskGroupRunRequest): Request to initiate new task runs in a task group.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | HTTPValidationError | TaskGroupRunResponse
    """

    return (
        await asyncio_detailed(
            taskgroup_id=taskgroup_id,
            client=client,
            body=body,
            refresh_status=refresh_status,
            parallel_beta=parallel_beta,
        )
    ).parsed

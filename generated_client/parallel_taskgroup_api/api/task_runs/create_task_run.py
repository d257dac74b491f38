from __future__ import annotations

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.task_run import TaskRun
from ...models.task_run_input import TaskRunInput
from ...types import UNSET, Response, Unset


def request_kwargs(
    *,
    body: TaskRunInput,
    parallel_beta: None | str | Unset = UNSET,
) -> dict[str, Any]:
    """Keyword arguments (method, url, params, headers, json) for `httpx.Client.request`."""
    headers: dict[str, Any] = {}
    if not isinstance(parallel_beta, Unset):
        headers["parallel-beta"] = parallel_beta

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tasks/runs",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


_get_kwargs = request_kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | TaskRun | None:
    """The typed body of `response` for its status code (None if undocumented and not raising)."""
    if response.status_code == 202:
        response_202 = TaskRun.from_dict(response.json())

        return response_202

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = ErrorResponse.from_dict(response.json())

        return response_402

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | TaskRun]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TaskRunInput,
    parallel_beta: None | str | Unset = UNSET,
) -> Response[ErrorResponse | TaskRun]:
    """Create a task run

     Starts a single run outside any group. It counts against the same creation rate limit as runs added
    to groups.

    Args:
        parallel_beta (None | str | Unset):
        body (TaskRunInput): Request to run a task.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TaskRun]
    """

    kwargs = _get_kwargs(
        body=body,
        parallel_beta=parallel_beta,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: TaskRunInput,
    parallel_beta: None | str | Unset = UNSET,
) -> ErrorResponse | TaskRun | None:
    """Create a task run

     Starts a single run outside any group. It counts against the same creation rate limit as runs added
    to groups.

    Args:
        parallel_beta (None | str | Unset):
        body (TaskRunInput): Request to run a task.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TaskRun
    """

    return sync_detailed(
        client=client,
        body=body,
        parallel_beta=parallel_beta,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TaskRunInput,
    parallel_beta: None | str | Unset = UNSET,
) -> Response[ErrorResponse | TaskRun]:
    """Create a task run

     Starts a single run outside any group. It counts against the same creation rate limit as runs added
    to groups.

    Args:
        parallel_beta (None | str | Unset):
        body (TaskRunInput): Request to run a task.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TaskRun]
    """

    kwargs = _get_kwargs(
        body=body,
        parallel_beta=parallel_beta,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TaskRunInput,
    parallel_beta: None | str | Unset = UNSET,
) -> ErrorResponse | TaskRun | None:
    """Create a task run

     Starts a single run outside any group. It counts against the same creation rate limit as runs added
    to groups.

    Args:
        parallel_beta (None | str | Unset):
        body (TaskRunInput): Request to run a task.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TaskRun
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            parallel_beta=parallel_beta,
        )
    ).parsed

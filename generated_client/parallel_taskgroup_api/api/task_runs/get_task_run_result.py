from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.task_run_result import TaskRunResult
from ...types import UNSET, Response, Unset


def request_kwargs(
    run_id: str,
    *,
    timeout: int | Unset = 600,
    parallel_beta: None | str | Unset = UNSET,
) -> dict[str, Any]:
    """Keyword arguments (method, url, params, headers, json) for `httpx.Client.request`."""
    headers: dict[str, Any] = {}
    if not isinstance(parallel_beta, Unset):
        headers["parallel-beta"] = parallel_beta

    params: dict[str, Any] = {}

    params["timeout"] = timeout

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tasks/runs/{run_id}/result".format(
            run_id=quote(str(run_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


_get_kwargs = request_kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | TaskRunResult | None:
    """The typed body of `response` for its status code (None if undocumented and not raising)."""
    if response.status_code == 200:
        response_200 = TaskRunResult.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 408:
        response_408 = ErrorResponse.from_dict(response.json())

        return response_408

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
) -> Response[ErrorResponse | TaskRunResult]:
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
    timeout: int | Unset = 600,
    parallel_beta: None | str | Unset = UNSET,
) -> Response[ErrorResponse | TaskRunResult]:
    """Get the result of a task run

     Returns the run and its output. With timeout, waits up to that many seconds for the run to finish;
    answers 408 if it has not finished by then.

    Args:
        run_id (str):
        timeout (int | Unset):  Default: 600.
        parallel_beta (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TaskRunResult]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        timeout=timeout,
        parallel_beta=parallel_beta,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    timeout: int | Unset = 600,
    parallel_beta: None | str | Unset = UNSET,
) -> ErrorResponse | TaskRunResult | None:
    """Get the result of a task run

     Returns the run and its output. With timeout, waits up to that many seconds for the run to finish;
    answers 408 if it has not finished by then.

    Args:
        run_id (str):
        timeout (int | Unset):  Default: 600.
        parallel_beta (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TaskRunResult
    """

    return sync_detailed(
        run_id=run_id,
        client=client,
        timeout=timeout,
        parallel_beta=parallel_beta,
    ).parsed


async def asyncio_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    timeout: int | Unset = 600,
    parallel_beta: None | str | Unset = UNSET,
) -> Response[ErrorResponse | TaskRunResult]:
    """Get the result of a task run

     Returns the run and its output. With timeout, waits up to that many seconds for the run to finish;
    answers 408 if it has not finished by then.

    Args:
        run_id (str):
        timeout (int | Unset):  Default: 600.
        parallel_beta (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TaskRunResult]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        timeout=timeout,
        parallel_beta=parallel_beta,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    timeout: int | Unset = 600,
    parallel_beta: None | str | Unset = UNSET,
) -> ErrorResponse | TaskRunResult | None:
    """Get the result of a task run

     Returns the run and its output. With timeout, waits up to that many seconds for the run to finish;
    answers 408 if it has not finished by then.

    Args:
        run_id (str):
        timeout (int | Unset):  Default: 600.
        parallel_beta (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TaskRunResult
    """

    return (
        await asyncio_detailed(
            run_id=run_id,
            client=client,
            timeout=timeout,
            parallel_beta=parallel_beta,
        )
    ).parsed

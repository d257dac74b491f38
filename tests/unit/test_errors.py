"""Typed errors built from HTTP error responses."""

from __future__ import annotations

import json

import pytest
from parallel_taskgroup import errors
from parallel_taskgroup._http import error_from_response, parse_retry_after


def _error_body(message: str = "Task group not found", ref_id: str = "ref-123") -> bytes:
    return json.dumps({"type": "error", "error": {"ref_id": ref_id, "message": message}}).encode()


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (402, errors.PaymentRequiredError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (408, errors.RequestTimeoutError),
        (409, errors.ConflictError),
        (422, errors.ValidationError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (503, errors.ServerError),
        (418, errors.APIStatusError),
    ],
)
def test_status_maps_to_error_class(status: int, cls: type[errors.APIStatusError]) -> None:
    err = error_from_response(status, _error_body())
    assert type(err) is cls
    assert err.status_code == status


def test_error_response_body_gives_message_and_ref_id() -> None:
    err = error_from_response(404, _error_body("no such group", "r-9"))
    assert err.message == "no such group"
    assert err.ref_id == "r-9"
    assert "404" in str(err) and "no such group" in str(err) and "r-9" in str(err)


def test_validation_error_carries_details() -> None:
    body = json.dumps(
        {"detail": [{"loc": ["body", "inputs", 0, "input"], "msg": "field required", "type": "m"}]}
    ).encode()
    err = error_from_response(422, body)
    assert isinstance(err, errors.ValidationError)
    assert err.details[0].msg == "field required"
    assert "body.inputs.0.input: field required" in err.message


def test_rate_limit_error_reads_retry_after_seconds() -> None:
    err = error_from_response(429, _error_body(), headers={"retry-after": "7"})
    assert isinstance(err, errors.RateLimitError)
    assert err.retry_after == 7.0


def test_retry_after_http_date_in_the_past_is_zero() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_bad_retry_after_is_ignored() -> None:
    assert parse_retry_after("soon") is None


def test_non_json_error_body_still_gives_a_clear_message() -> None:
    err = error_from_response(
        502, b"<html>Bad gateway</html>", headers={"content-type": "text/html"}
    )
    assert isinstance(err, errors.ServerError)
    assert "text/html" in err.message and "Bad gateway" in err.message


def test_empty_error_body_says_so() -> None:
    assert "empty error body" in error_from_response(500, b"").message


def test_error_names_the_request() -> None:
    err = error_from_response(404, _error_body(), method="GET", url="http://h/v1/x")
    assert "GET http://h/v1/x" in str(err)


def test_every_error_is_a_parallel_error() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.ParallelError), name


def test_deadline_exceeded_is_a_timeout_error() -> None:
    assert issubclass(errors.WaitTimeoutError, TimeoutError)


def test_repr_shows_fields() -> None:
    err = errors.StreamError("bad event", event_id="e1")
    assert "bad event" in repr(err) and err.event_id == "e1"


def test_a_refusal_of_every_input_counts_each_input_once() -> None:
    detail = [
        {"loc": ["body", "inputs", i, "task_spec", part], "msg": "too long", "type": "value_error"}
        for i in range(30)
        for part in ("input_schema", "output_schema")
    ]
    error = error_from_response(422, json.dumps({"detail": detail}).encode())
    assert "(and 29 more inputs)" in str(error)

"""RetryPolicy: one immutable object decides what is retried, how many times, for how long."""

from __future__ import annotations

import attrs
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import Backoff, Client, Clock, RetryPolicy, errors
from stream_fakes import group_summary

SHORT = Backoff(base=0.5, cap=1.0, jitter=False)


def server_error(status: int = 503, retry_after: float | None = None) -> errors.APIStatusError:
    cls = errors.RateLimitError if status == 429 else errors.ServerError
    return cls("boom", status_code=status, retry_after=retry_after)


def reset(maybe_sent: bool = True) -> errors.APIConnectionError:
    return errors.APIConnectionError("reset", maybe_sent=maybe_sent)


def test_increment_returns_a_new_policy_and_leaves_the_old_one_alone() -> None:
    policy = RetryPolicy()
    after = policy.increment(reset(), now=0.0, answered=True)
    assert policy.failures == 0 and after.failures == 1
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        after.failures = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    "error",
    [
        reset(),
        errors.APITimeoutError("slow"),
        errors.ResponseFormatError("cut short"),
        errors.TruncatedStreamError("mid-event"),
        server_error(500),
        server_error(503),
        server_error(429),
        errors.RequestTimeoutError("408", status_code=408),
    ],
    ids=["reset", "timeout", "mangled body", "cut event", "500", "503", "429", "408"],
)
def test_reads_retry_every_transient_failure(error: errors.ParallelError) -> None:
    assert RetryPolicy().retryable(error, idempotent=True)


@pytest.mark.parametrize(
    "error",
    [
        errors.NotFoundError("gone", status_code=404),
        errors.AuthenticationError("key", status_code=401),
        errors.ValidationError("bad"),
        errors.EventTooLargeError("huge"),
        errors.ResponseTooLargeError("huge"),
        errors.StreamNotSupportedError("json"),
    ],
    ids=["404", "401", "422", "event too large", "body too large", "no stream"],
)
def test_permanent_failures_are_raised_at_once(error: errors.ParallelError) -> None:
    with pytest.raises(type(error)):
        RetryPolicy().increment(error, now=0.0, answered=True)


def test_a_blind_post_retries_only_a_connection_that_was_never_made() -> None:
    policy = RetryPolicy()
    assert policy.retryable(reset(maybe_sent=False), idempotent=False)
    for error in (reset(), server_error(503), server_error(429), errors.ResponseFormatError("x")):
        assert not policy.retryable(error, idempotent=False)


def test_max_retries_bounds_consecutive_failures() -> None:
    policy = RetryPolicy(max_retries=2)
    policy = policy.increment(reset(), now=0.0, answered=True)
    policy = policy.increment(reset(), now=1.0, answered=True)
    with pytest.raises(errors.APIConnectionError):
        policy.increment(reset(), now=2.0, answered=True)
    assert len(policy.history) == 2


def test_zero_retries_turns_every_retry_off() -> None:
    with pytest.raises(errors.RateLimitError):
        RetryPolicy(max_retries=0).increment(server_error(429), now=0.0, answered=True)


def test_give_up_after_bounds_by_time_once_the_server_has_answered() -> None:
    policy = RetryPolicy(max_retries=1, give_up_after=30.0, backoff=SHORT)
    now = 0.0
    for _ in range(10):  # past the count: time decides
        policy = policy.increment(reset(), now=now, answered=True)
        now += policy.delay
    assert policy.failures == 10 and now <= 30.0


def test_give_up_after_raises_once_failures_have_lasted_that_long() -> None:
    policy = RetryPolicy(give_up_after=30.0).increment(reset(), now=100.0, answered=True)
    with pytest.raises(errors.APIConnectionError):
        policy.increment(reset(), now=130.0, answered=True)


def test_a_wait_never_runs_past_the_end_of_give_up_after() -> None:
    policy = RetryPolicy(give_up_after=10.0).increment(
        server_error(503, retry_after=60.0), now=0.0, answered=True
    )
    policy = policy.increment(server_error(503, retry_after=60.0), now=9.0, answered=True)
    assert policy.delay == pytest.approx(1.0)


def test_before_the_server_ever_answered_the_count_applies_even_with_give_up_after() -> None:
    policy = RetryPolicy(max_retries=1, give_up_after=300.0).increment(
        reset(maybe_sent=False), now=0.0, answered=False
    )
    with pytest.raises(errors.APIConnectionError):
        policy.increment(reset(maybe_sent=False), now=1.0, answered=False)


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy()
    assert policy.increment(server_error(503, 3.0), now=0, answered=True).delay == 3.0
    assert policy.increment(server_error(503, 900.0), now=0, answered=True).delay == 60.0


def test_429s_in_a_row_are_counted_apart_from_failures() -> None:
    policy = RetryPolicy(max_retries=1, max_throttled=3)
    for t in range(3):
        policy = policy.increment(server_error(429, 1.0), now=float(t), answered=True)
    assert policy.throttled == 3 and policy.failures == 0
    with pytest.raises(errors.RateLimitError):
        policy.increment(server_error(429, 1.0), now=4.0, answered=True)


def test_fresh_forgets_the_failures_and_keeps_the_rules() -> None:
    policy = RetryPolicy(max_retries=7, give_up_after=9.0)
    used = policy.increment(reset(), now=0.0, answered=True)
    assert used.fresh() == policy


def test_a_bad_setting_is_a_configuration_error() -> None:
    with pytest.raises(errors.ConfigurationError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(errors.ConfigurationError, match="give_up_after"):
        RetryPolicy(give_up_after=-5.0)


@given(st.integers(min_value=0, max_value=8), st.integers(min_value=0, max_value=10**6))
def test_the_time_to_failure_of_the_count_is_at_most_the_sum_of_the_capped_backoffs(
    max_retries: int, seed: int
) -> None:
    policy = RetryPolicy(max_retries=max_retries)
    waited = 0.0
    with pytest.raises(errors.APIConnectionError):
        for t in range(max_retries + 1):
            policy = policy.increment(reset(), now=float(t + seed), answered=True)
            waited += policy.delay
    assert waited <= sum(min(8.0, 0.5 * 2**n) for n in range(max_retries))


class NoSleep(Clock):
    def sleep(self, seconds: float) -> None:
        pass


@pytest.mark.parametrize(("retry_after", "level"), [("30", "WARNING"), ("1", "INFO")])
def test_a_long_wait_before_a_retry_is_a_warning_a_short_one_is_info(
    retry_after: str, level: str, caplog: pytest.LogCaptureFixture
) -> None:
    answers = [
        httpx.Response(429, headers={"retry-after": retry_after}, json={"error": {}}),
        group_summary("tgrp_1", 0),
    ]
    http = httpx.Client(transport=httpx.MockTransport(lambda request: answers.pop(0)))
    client = Client(
        api_key="k", base_url="https://api.example.test", http_client=http, clock=NoSleep()
    )
    with caplog.at_level("INFO", logger="parallel_taskgroup"), client:
        client.group("tgrp_1").refresh()
    (record,) = [r for r in caplog.records if "after" in r.getMessage()]
    assert record.levelname == level

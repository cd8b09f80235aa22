"""Unit tests of the GitHub client's retries and rate limits, with GitHub faked by an httpx MockTransport.

No socket is opened and no real time passes: the client is given a fake clock whose `sleep` only moves the
clock on, so a test of a one-hour rate-limit pause runs in milliseconds. End-to-end behaviour against a
real HTTP server stays in the emulator tests (test_crawl, test_incremental).
"""

from __future__ import annotations

import asyncio
import errno
import json
import random
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from councilcode.crawler.auth import StaticToken
from councilcode.crawler.github import (
    ApiError,
    ApiResponse,
    ApiUnreachable,
    CrawlStopped,
    GitHubClient,
    RateLimit,
    RetryPolicy,
)

API = "https://api.github.test"
START = 1_800_000_000.0  # the fake clock's first reading, a Unix time


class FakeClock:
    """`time()` and an async `sleep()` for the client; sleeping moves the clock instead of waiting."""

    def __init__(self) -> None:
        self.now = START
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class CutBody(httpx.AsyncByteStream):
    """A response body that breaks off part way, as when the connection drops mid-transfer."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"id": 1, "na'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


Answer = httpx.Response | Exception


class FakeGitHub:
    """Answers requests in order from a script; records every request that reached it."""

    def __init__(self, *answers: Answer | Callable[[httpx.Request], Answer]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.url}")
        answer = self.answers.pop(0)
        if callable(answer) and not isinstance(answer, httpx.Response):
            answer = answer(request)
        if isinstance(answer, Exception):
            raise answer
        return answer


def ok(data: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(200, json={"id": 1} if data is None else data, headers=headers)


def status(code: int, message: str = "", **headers: str) -> httpx.Response:
    return httpx.Response(code, json={"message": message} if message else None, headers=headers)


def fetch(
    github: FakeGitHub,
    clock: FakeClock,
    url: str = f"{API}/orgs/example",
    *,
    gets: int = 1,
    etag: str | None = None,
    **options: Any,
) -> tuple[list[ApiResponse], GitHubClient]:
    """GET `url` `gets` times, one after another, through a client over the fake GitHub."""
    options.setdefault("retry", RetryPolicy(attempts=4, base_delay=1.0, max_delay=2.0, secondary_delay=60.0))
    client = GitHubClient(
        API,
        transport=httpx.MockTransport(github),
        sleep=clock.sleep,
        clock=clock.time,
        rng=random.Random(7),
        **options,
    )

    async def run() -> list[ApiResponse]:
        async with client:
            return [await client.get(url, etag=etag) for _ in range(gets)]

    return asyncio.run(run()), client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def notes() -> list[str]:
    return []


# -- the seam itself -------------------------------------------------------------------------------


def test_requests_carry_githubs_headers_the_token_and_the_etag(clock: FakeClock) -> None:
    github = FakeGitHub(ok({"login": "example"}, etag='"abc"', link=f'<{API}/orgs/example?page=2>; rel="next"'))
    [answer], client = fetch(github, clock, etag='"old"', token_source=StaticToken("secret-token"))

    sent = github.requests[0]
    assert sent.headers["authorization"] == "Bearer secret-token"
    assert sent.headers["if-none-match"] == '"old"'
    assert sent.headers["accept"] == "application/vnd.github+json"
    assert sent.headers["x-github-api-version"] == "2022-11-28"
    assert answer.found and answer.data == {"login": "example"} and answer.etag == '"abc"'
    assert answer.next_url == f"{API}/orgs/example?page=2"
    assert (client.stats.total, client.stats.charged, client.stats.retries) == (1, 1, 0)


def test_a_304_is_not_modified_and_not_charged(clock: FakeClock) -> None:
    [answer], client = fetch(FakeGitHub(httpx.Response(304)), clock, etag='"same"')
    assert answer.not_modified and answer.etag == '"same"'
    assert (client.stats.total, client.stats.charged, client.stats.not_modified) == (1, 0, 1)


def test_a_404_is_an_answer_not_an_error(clock: FakeClock) -> None:
    [answer], _ = fetch(FakeGitHub(status(404, "Not Found")), clock)
    assert answer.status == 404 and not answer.found and answer.data == {"message": "Not Found"}


# -- retries -----------------------------------------------------------------------------------------


def test_server_errors_are_retried_with_backoff_and_then_succeed(clock: FakeClock) -> None:
    github = FakeGitHub(status(502), status(503), status(500), ok())
    [answer], client = fetch(github, clock)

    assert answer.data == {"id": 1}
    assert len(github.requests) == 4
    assert client.stats.retries == 3
    # Exponential with jitter: attempt n waits between half and all of min(max_delay, base * 2**(n-1)).
    for waited, ceiling in zip(clock.sleeps, (1.0, 2.0, 2.0), strict=True):
        assert ceiling / 2 <= waited <= ceiling
    assert [p.split(" (")[0] for p in client.stats.problems] == [
        "HTTP 502 from GitHub",
        "HTTP 503 from GitHub",
        "HTTP 500 from GitHub",
    ]


def test_server_errors_give_up_after_the_attempts_allowed(clock: FakeClock) -> None:
    github = FakeGitHub(*[status(500)] * 10)
    with pytest.raises(ApiError, match=r"gave up after 4 attempts: HTTP 500 from GitHub") as caught:
        fetch(github, clock)

    assert len(github.requests) == 4
    assert len(clock.sleeps) == 3  # no pointless wait after the last attempt
    assert sum(clock.sleeps) <= 1.0 + 2.0 + 2.0
    assert caught.value.url == f"{API}/orgs/example"


def test_the_backoff_never_exceeds_max_delay(clock: FakeClock) -> None:
    policy = RetryPolicy(attempts=12, base_delay=1.0, max_delay=5.0)
    with pytest.raises(ApiError):
        fetch(FakeGitHub(*[status(503)] * 12), clock, retry=policy)
    assert len(clock.sleeps) == 11
    assert max(clock.sleeps) <= 5.0


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("connection refused"),
        lambda request: httpx.Response(200, stream=CutBody(), headers={"content-type": "application/json"}),
    ],
    ids=["timeout", "refused", "cut-body"],
)
def test_transport_failures_and_cut_bodies_are_retried(clock: FakeClock, fault: Answer) -> None:
    # Once the host has answered, even a refused connection is taken for a blip and retried.
    github = FakeGitHub(ok(), fault, ok())
    [_, answer], client = fetch(github, clock, gets=2)
    assert answer.data == {"id": 1}
    assert client.stats.retries == 1 and len(github.requests) == 3


def test_a_cut_body_names_the_problem_when_retries_run_out(clock: FakeClock) -> None:
    cut = lambda request: httpx.Response(200, stream=CutBody())  # noqa: E731 - one short fake answer
    with pytest.raises(ApiError, match=r"gave up after 4 attempts: RemoteProtocolError: peer closed"):
        fetch(FakeGitHub(*[cut] * 4), clock)


@pytest.mark.parametrize("body", [b'{"id": 1, "name": "cut', b"<html>Unicorn!</html>", b"", b"   "])
def test_invalid_or_empty_json_is_retried_then_reported(clock: FakeClock, body: bytes) -> None:
    github = FakeGitHub(*[httpx.Response(200, content=body)] * 4)
    with pytest.raises(ApiError, match=r"gave up after 4 attempts: truncated or invalid JSON in the response"):
        fetch(github, clock)
    assert len(github.requests) == 4


def test_invalid_json_once_is_survived(clock: FakeClock) -> None:
    [answer], _ = fetch(FakeGitHub(httpx.Response(200, content=b'{"id": '), ok()), clock)
    assert answer.data == {"id": 1}


def test_other_client_errors_fail_at_once_with_githubs_message(clock: FakeClock) -> None:
    github = FakeGitHub(status(422, "Validation Failed"))
    with pytest.raises(ApiError, match=r"HTTP 422: Validation Failed") as caught:
        fetch(github, clock)
    assert caught.value.status == 422 and len(github.requests) == 1 and clock.sleeps == []


def test_a_403_that_is_not_a_rate_limit_fails_at_once(clock: FakeClock) -> None:
    github = FakeGitHub(status(403, "Resource not accessible by integration"))
    with pytest.raises(ApiError, match=r"HTTP 403: Resource not accessible by integration"):
        fetch(github, clock)
    assert len(github.requests) == 1 and clock.sleeps == []


class RenewableToken:
    """A token source that hands out a new token each time the old one is invalidated."""

    def __init__(self) -> None:
        self.generation = 1

    async def token(self) -> str:
        return f"token-{self.generation}"

    async def invalidate(self) -> None:
        self.generation += 1


def test_a_401_renews_the_token_once(clock: FakeClock) -> None:
    github = FakeGitHub(status(401, "Bad credentials"), ok())
    [answer], _ = fetch(github, clock, token_source=RenewableToken())
    assert answer.found
    assert [r.headers["authorization"] for r in github.requests] == ["Bearer token-1", "Bearer token-2"]


def test_a_second_401_fails_with_githubs_message(clock: FakeClock) -> None:
    github = FakeGitHub(status(401, "Bad credentials"), status(401, "Bad credentials"))
    with pytest.raises(ApiError, match=r"HTTP 401: Bad credentials"):
        fetch(github, clock, token_source=RenewableToken())
    assert len(github.requests) == 2


# -- rate limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [429, 403])
def test_retry_after_is_waited_for_without_using_an_attempt(clock: FakeClock, notes: list[str], code: int) -> None:
    github = FakeGitHub(status(code, "slow down", **{"retry-after": "7"}), ok())
    [answer], client = fetch(github, clock, notify=notes.append)

    assert answer.found
    assert clock.sleeps == [7.0]
    assert client.stats.waited_seconds == 7.0 and client.stats.retries == 0
    assert notes == ["GitHub asked us to slow down (retry-after): waiting 7s, until 08:00:07 UTC"]


def test_an_exhausted_primary_limit_waits_until_the_reset(clock: FakeClock, notes: list[str]) -> None:
    reset = START + 120
    limited = status(
        403, "API rate limit exceeded", **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": f"{reset:.0f}"}
    )
    [answer], client = fetch(FakeGitHub(limited, ok()), clock, notify=notes.append)

    assert answer.found
    assert clock.sleeps == [121.0]  # one second past the reset, as GitHub's clock may lag ours
    # One message: the check before the retry sees the same reset and does not announce a second pause.
    assert notes == ["GitHub rate limit used up: waiting 121s, until 08:02:01 UTC"]
    assert client.stats.waited_seconds == 121.0
    assert client.stats.rate_limit_remaining is None  # unknown after the reset until GitHub says again


def test_a_secondary_limit_message_waits_longer_each_time(clock: FakeClock, notes: list[str]) -> None:
    secondary = status(403, "You have exceeded a secondary rate limit. Please wait a few minutes.")
    github = FakeGitHub(secondary, secondary, ok())
    [answer], client = fetch(github, clock, notify=notes.append)

    assert answer.found
    assert clock.sleeps == [60.0, 120.0]
    assert all(note.startswith("GitHub secondary rate limit: waiting") for note in notes) and len(notes) == 2
    assert client.stats.retries == 0


def test_a_429_without_headers_is_treated_as_a_secondary_limit(clock: FakeClock) -> None:
    [answer], _ = fetch(FakeGitHub(status(429), ok()), clock)
    assert answer.found and clock.sleeps == [60.0]


def test_the_secondary_wait_is_capped_at_fifteen_minutes(clock: FakeClock) -> None:
    policy = RetryPolicy(attempts=2, secondary_delay=400.0, limit_waits=4)
    [answer], _ = fetch(FakeGitHub(*[status(429)] * 3, ok()), clock, retry=policy)
    assert answer.found and clock.sleeps == [400.0, 800.0, 900.0]


def test_rate_limit_waits_are_bounded_per_request(clock: FakeClock) -> None:
    policy = RetryPolicy(attempts=3, limit_waits=2)
    github = FakeGitHub(*[status(429, **{"retry-after": "1"})] * 10)
    with pytest.raises(ApiError, match="still rate limited after waiting") as caught:
        fetch(github, clock, retry=policy)
    assert caught.value.status == 429
    assert len(github.requests) == 3 and clock.sleeps == [1.0, 1.0]


def test_the_client_pauses_before_the_primary_budget_runs_out(clock: FakeClock, notes: list[str]) -> None:
    reset = START + 300
    low = ok(**{"x-ratelimit-remaining": "3", "x-ratelimit-reset": f"{reset:.0f}"})
    github = FakeGitHub(low, ok(**{"x-ratelimit-remaining": "5000", "x-ratelimit-reset": f"{reset + 3600:.0f}"}))
    answers, client = fetch(github, clock, gets=2, concurrency=4, notify=notes.append)

    assert all(answer.found for answer in answers)
    # Three requests left is within the reserve kept for requests in flight (the concurrency), so the
    # second request waits for the reset before it is sent.
    assert clock.sleeps == [301.0]
    assert notes == ["GitHub rate limit nearly used up (3 requests left): waiting 301s, until 08:05:01 UTC"]
    assert client.stats.rate_limit_remaining == 5000


def test_a_budget_above_the_reserve_does_not_pause(clock: FakeClock) -> None:
    headers = {"x-ratelimit-remaining": "5", "x-ratelimit-reset": f"{START + 300:.0f}"}
    answers, _ = fetch(FakeGitHub(ok(**headers), ok(**headers)), clock, gets=2, concurrency=4)
    assert len(answers) == 2 and clock.sleeps == []


def test_malformed_rate_limit_headers_are_ignored(clock: FakeClock) -> None:
    odd = {"x-ratelimit-remaining": "lots", "x-ratelimit-reset": "soon"}
    answers, client = fetch(FakeGitHub(ok(**odd), ok(**odd)), clock, gets=2)
    assert len(answers) == 2 and clock.sleeps == [] and client.stats.rate_limit_remaining is None


def test_max_wait_stops_before_a_longer_wait(clock: FakeClock, notes: list[str]) -> None:
    github = FakeGitHub(status(429, **{"retry-after": "600"}), ok())
    with pytest.raises(CrawlStopped, match=r"going on needs a wait of 600s, more than --max-wait 30s"):
        fetch(github, clock, max_wait=30, notify=notes.append)
    assert clock.sleeps == [] and notes == [] and len(github.requests) == 1


def test_max_wait_counts_every_wait_of_the_crawl(clock: FakeClock) -> None:
    github = FakeGitHub(status(429, **{"retry-after": "6"}), ok(), status(429, **{"retry-after": "6"}), ok())
    with pytest.raises(CrawlStopped, match="--max-wait 10s"):
        fetch(github, clock, gets=2, max_wait=10)
    assert clock.sleeps == [6.0]  # the first wait fits; the second would make 12s in all


def test_max_wait_stops_a_primary_limit_pause(clock: FakeClock) -> None:
    low = ok(**{"x-ratelimit-remaining": "0", "x-ratelimit-reset": f"{START + 3600:.0f}"})
    with pytest.raises(CrawlStopped, match=r"nearly used up.*--max-wait 5s"):
        fetch(FakeGitHub(low, ok()), clock, gets=2, max_wait=5)


# -- where requests may go ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/orgs/example",
        "http://api.github.test/orgs/example",  # the same host without TLS is another origin
        "https://api.github.test:8443/orgs/example",
        "https://api.github.test.evil.example/orgs/example",
    ],
)
def test_urls_outside_the_api_are_refused_before_any_request(clock: FakeClock, url: str) -> None:
    github = FakeGitHub(ok())
    with pytest.raises(ApiError, match=f"refusing a URL outside {API}"):
        fetch(github, clock, url, token_source=StaticToken("secret-token"))
    assert github.requests == []  # the token went nowhere


def test_a_next_link_to_another_host_is_refused(clock: FakeClock) -> None:
    github = FakeGitHub(ok([], link='<https://evil.example/orgs/example?page=2>; rel="next"'), ok([]))
    [first], _ = fetch(github, clock)
    assert first.next_url is not None
    with pytest.raises(ApiError, match="refusing a URL outside"):
        fetch(github, FakeClock(), first.next_url)
    assert len(github.requests) == 1


def test_the_host_check_ignores_case(clock: FakeClock) -> None:
    [answer], _ = fetch(FakeGitHub(ok()), clock, "HTTPS://API.GitHub.test/orgs/example")
    assert answer.found


def test_a_client_must_be_entered_before_use() -> None:
    client = GitHubClient(API, transport=httpx.MockTransport(FakeGitHub()))
    with pytest.raises(RuntimeError, match="async with GitHubClient"):
        asyncio.run(client.get(f"{API}/orgs/example"))


def test_the_fake_clock_runs_in_no_real_time(clock: FakeClock) -> None:
    """A guard on the seam itself: an hour of rate-limit pauses costs no wall-clock time."""
    import time

    started = time.perf_counter()
    hour = status(429, **{"retry-after": "3600"})
    [answer], _ = fetch(FakeGitHub(hour, ok()), clock)
    assert answer.found and clock.now - START == 3600
    assert time.perf_counter() - started < 5


def test_json_lists_are_parsed(clock: FakeClock) -> None:
    [answer], _ = fetch(FakeGitHub(httpx.Response(200, content=json.dumps([{"id": 1}, {"id": 2}]))), clock)
    assert [item["id"] for item in answer.data] == [1, 2]


# -- an API that cannot be reached, and redirects ---------------------------------------------------


def _cannot_connect(cause: OSError) -> httpx.ConnectError:
    """httpx's ConnectError over the OS error, chained as httpcore chains it."""
    try:
        try:
            raise cause
        except OSError as inner:
            raise httpx.ConnectError("All connection attempts failed") from inner
    except httpx.ConnectError as outer:
        return outer


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (_cannot_connect(socket.gaierror(socket.EAI_NONAME, "Name or service not known")), "name not resolved"),
        (_cannot_connect(ConnectionRefusedError(111, "Connection refused")), "connection refused"),
        (_cannot_connect(OSError(errno.ENETUNREACH, "Network is unreachable")), "network unreachable"),
        (httpx.ConnectTimeout("timed out"), "no answer within 10s of trying to connect"),
    ],
    ids=["dns", "refused", "no-route", "connect-timeout"],
)
def test_a_host_never_reached_fails_at_once_saying_why(clock: FakeClock, failure: Exception, reason: str) -> None:
    github = FakeGitHub(failure, ok())
    with pytest.raises(ApiUnreachable) as caught:
        fetch(github, clock)
    assert str(caught.value) == f"cannot reach {API}: {reason}; check the network or --api-url"
    assert len(github.requests) == 1 and clock.sleeps == []  # no retry, no back-off


def test_rate_limits_are_read_for_free_and_an_api_without_them_says_so(clock: FakeClock) -> None:
    resources = {"core": {"limit": 60, "remaining": 12, "reset": START + 600}, "graphql": {"limit": 0}}
    github = FakeGitHub(ok({"resources": resources}), status(404, "Rate limiting is not enabled."))
    client = GitHubClient(API, transport=httpx.MockTransport(github), sleep=clock.sleep, clock=clock.time)

    async def run() -> tuple[object, object]:
        async with client:
            return await client.rate_limits(), await client.rate_limits()

    limits, none = asyncio.run(run())
    assert limits == {"core": RateLimit("core", 60, 12, START + 600)}  # the unreadable graphql entry is left out
    assert none is None
    assert client.stats.charged == 0 and github.requests[0].url.path == "/rate_limit"


def test_a_redirect_within_the_api_is_followed_and_one_elsewhere_refused(clock: FakeClock) -> None:
    moved = status(301, location=f"{API}/repositories/7")
    away = status(301, location="https://evil.example/steal")
    github = FakeGitHub(moved, ok({"id": 7}), away)
    with pytest.raises(ApiError, match=r"refusing a redirect to another origin \(https://evil.example\)"):
        fetch(github, clock, gets=2, token_source=StaticToken("secret-token"))
    assert [str(r.url) for r in github.requests] == [
        f"{API}/orgs/example",
        f"{API}/repositories/7",
        f"{API}/orgs/example",
    ]


def test_a_redirect_loop_ends(clock: FakeClock) -> None:
    github = FakeGitHub(*[status(302, location=f"{API}/orgs/example")] * 6)
    with pytest.raises(ApiError, match="more than 5 redirects"):
        fetch(github, clock)
    assert len(github.requests) == 6

"""An async GitHub REST client for the crawl's hot path: conditional requests, rate limits, retries.

One `GitHubClient.get()` either returns a parsed answer (200, 304 or 404) or raises `ApiError` after a
bounded number of attempts; it never loops without bound. Rate-limit pauses are announced through
`notify` and, with `max_wait`, end the crawl cleanly with `CrawlStopped` instead of waiting longer.

A host that has never answered and cannot be connected to (a name that does not resolve, a refused or
timed-out connection) raises `ApiUnreachable` at once: retrying cannot help a machine that is offline or an
`--api-url` with a typo, and six tries of every handle took minutes to say so. Once the host has answered,
connection failures are taken as temporary and retried like any other.

Redirects are followed only within the API's own origin: another origin gets neither the token nor the
chance to have what it serves stored as GitHub's answer.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import json
import logging
import random
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from councilcode import __version__
from councilcode.crawler.auth import TokenSource
from councilcode.errors import CouncilcodeError

log = logging.getLogger(__name__)

SECONDARY_LIMIT_HINT = "secondary rate limit"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5  # GitHub sends one for a renamed repository or organisation; a chain of more is a loop
CONNECT_TIMEOUT = 10.0  # seconds to open a connection: past this the host is as good as unreachable


class ApiError(Exception):
    """A request that failed for good: an unexpected status, or every retry used up."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{message} ({url})")
        self.url = url
        self.status = status
        self.message = message


class CrawlStopped(Exception):
    """Going on would mean waiting longer for the rate limit than `--max-wait` allows."""


class ApiUnreachable(CouncilcodeError):
    """The API host has not answered once and cannot be connected to: nothing can be crawled."""

    def __init__(self, api_url: str, reason: str) -> None:
        super().__init__(f"cannot reach {api_url}: {reason}; check the network or --api-url")
        self.api_url = api_url
        self.reason = reason


@dataclass(frozen=True)
class RateLimit:
    """One resource's budget from GET /rate_limit (`core` for REST requests, `graphql` for points)."""

    resource: str
    limit: int
    remaining: int
    reset: float  # Unix time when `remaining` goes back to `limit`


@dataclass
class ApiResponse:
    """A successful or not-found answer. `not_modified` means the caller's stored copy is current."""

    url: str
    status: int
    data: Any = None
    text: str | None = None
    etag: str | None = None
    next_url: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def found(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class RetryPolicy:
    """How hard to try one request. Delays grow exponentially, with jitter so clients spread out."""

    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    timeout: float = 30.0
    limit_waits: int = 6  # rate-limit pauses allowed for one request, on top of `attempts`
    secondary_delay: float = 60.0  # GitHub: wait at least a minute after a secondary limit without retry-after
    reserve: int | None = None  # budget kept in hand before pausing; None: one request per slot, up to 10


@dataclass
class RequestStats:
    """What the crawl cost. `charged` counts every answer but 304, as GitHub's rate limit does."""

    total: int = 0
    charged: int = 0
    not_modified: int = 0
    retries: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    waited_seconds: float = 0.0
    points: int = 0  # GraphQL rate-limit points spent (rateLimit.cost), counted by crawler/graphql.py
    rate_limit_remaining: int | None = None
    rate_limit_reset: float | None = None
    problems: list[str] = field(default_factory=list)


Sleep = Callable[[float], Awaitable[None]]


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """The certificates httpx would load for each client (certifi's, or $SSL_CERT_FILE / $SSL_CERT_DIR), loaded
    once a process: reading them costs about 30 ms, and a GraphQL crawl opens two clients (REST and GraphQL)."""
    return httpx.create_ssl_context()


class GitHubClient:
    """GET requests to the GitHub REST API with at most `concurrency` in flight."""

    def __init__(
        self,
        api_url: str,
        *,
        token_source: TokenSource | None = None,
        concurrency: int = 8,
        max_wait: float | None = None,
        retry: RetryPolicy | None = None,
        notify: Callable[[str], None] = log.warning,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.api_url = api_url.rstrip("/")
        self.origin = _origin(self.api_url)
        self.token_source = token_source
        self.concurrency = concurrency
        self.max_wait = max_wait
        self.retry = retry or RetryPolicy()
        self.notify = notify
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self.stats = RequestStats()
        self._slots = asyncio.Semaphore(concurrency)
        self._resume_at = 0.0
        # Keep a few requests in hand so the ones already in flight do not run into a 403.
        self._reserve = min(concurrency, 10)
        # None means httpx's own network transport; unit tests pass an `httpx.MockTransport` to fake GitHub.
        self.transport = transport
        self._http: httpx.AsyncClient | None = None
        self._reached = False  # has the host answered at least once?

    async def __aenter__(self) -> GitHubClient:
        self._http = httpx.AsyncClient(
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": f"councilcode/{__version__}",
            },
            timeout=httpx.Timeout(self.retry.timeout, connect=min(self.retry.timeout, CONNECT_TIMEOUT)),
            limits=httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency),
            # GitHub answers 301 for renamed repositories and organisations; `_send` follows those itself,
            # so that it can refuse a redirect to any other origin.
            follow_redirects=False,
            transport=self.transport,
            verify=_ssl_context(),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def url(self, path: str) -> str:
        """`/orgs/x` -> the absolute URL under the API root (which may carry /api/v3 on Enterprise)."""
        return self.api_url + path

    async def get(self, url: str, *, etag: str | None = None) -> ApiResponse:
        """GET `url` (an absolute API URL), conditionally when `etag` is given.

        Returns 200 (with parsed JSON), 304 or 404 answers; raises `ApiError` for anything else once
        retries are used up, and `CrawlStopped` when the rate limit would make it wait too long.
        """
        return await self._call(url, etag=etag)

    async def post(self, url: str, payload: Any) -> ApiResponse:
        """POST `payload` as JSON (a GraphQL query), with the same retries, limits and answers as `get`."""
        return await self._call(url, body=json.dumps(payload).encode())

    async def _call(self, url: str, *, etag: str | None = None, body: bytes | None = None) -> ApiResponse:
        if _origin(url) != self.origin:
            # Never send the token anywhere but the API the user named.
            raise ApiError(url, f"refusing a URL outside {self.origin}")
        attempt = limit_waits = 0
        problem = "no attempt made"
        auth_refreshed = False
        while attempt < self.retry.attempts:
            await self._respect_rate_limit()
            try:
                response = await self._send(url, etag, body)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if not self._reached:
                    raise ApiUnreachable(self.api_url, connect_failure(exc)) from None
                problem = f"{type(exc).__name__}: {connect_failure(exc)}"
            except httpx.TransportError as exc:  # read timeouts, dropped connections, cut bodies
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                status = response.status_code
                if status == 304:
                    return ApiResponse(url, 304, etag=etag)
                if status in (200, 404):
                    try:
                        return self._parse(url, response)
                    except ValueError:
                        problem = "truncated or invalid JSON in the response"
                elif status == 401 and self.token_source is not None and not auth_refreshed:
                    auth_refreshed = True
                    await self.token_source.invalidate()
                    continue
                elif status in (403, 429) and (wait := self._limit_wait(response, limit_waits)) is not None:
                    limit_waits += 1
                    if limit_waits > self.retry.limit_waits:
                        raise ApiError(url, "still rate limited after waiting", status)
                    await self._pause(wait[0], wait[1])
                    continue
                elif status >= 500:
                    problem = f"HTTP {status} from GitHub"
                else:
                    raise ApiError(url, _error_message(response), status)
            attempt += 1
            self.stats.problems.append(f"{problem} ({url})")
            if attempt < self.retry.attempts:
                self.stats.retries += 1
                await self.sleep(self._backoff(attempt))
        raise ApiError(url, f"gave up after {self.retry.attempts} attempts: {problem}")

    async def _send(self, url: str, etag: str | None, body: bytes | None = None) -> httpx.Response:
        if self._http is None:
            raise RuntimeError("use `async with GitHubClient(...)`")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if self.token_source is not None and (token := await self.token_source.token()):
            headers["Authorization"] = f"Bearer {token}"
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._send_once(url, headers, body)
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            target = urljoin(url, location)
            if _origin(target) != self.origin:
                raise ApiError(url, f"refusing a redirect to another origin ({_origin(target)})", response.status_code)
            url = target
        raise ApiError(url, f"more than {MAX_REDIRECTS} redirects in a row")

    async def _send_once(self, url: str, headers: dict[str, str], body: bytes | None) -> httpx.Response:
        assert self._http is not None
        async with self._slots:
            self.stats.in_flight += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
            self.stats.total += 1
            try:
                if body is None:
                    response = await self._http.get(url, headers=headers)
                else:
                    headers["Content-Type"] = "application/json"
                    response = await self._http.post(url, content=body, headers=headers)
                self._reached = True
                # Read the whole body inside the slot, so a cut body fails here and is retried.
                await response.aread()
            finally:
                self.stats.in_flight -= 1
        if response.status_code == 304:
            self.stats.not_modified += 1
        elif urlsplit(url).path != self._rate_limit_path:
            self.stats.charged += 1  # GET /rate_limit is free
        self._note_rate_limit(response.headers)
        return response

    @property
    def _rate_limit_path(self) -> str:
        return urlsplit(self.url("/rate_limit")).path

    async def rate_limits(self) -> dict[str, RateLimit] | None:
        """The budgets left (GET /rate_limit, which GitHub does not charge), by resource; None where the API
        has no rate limit (GitHub Enterprise with limits off answers 404). Also the crawl's first contact:
        an unreachable host raises `ApiUnreachable` here, before anything is stored."""
        response = await self.get(self.url("/rate_limit"))
        if response.status == 404:
            return None
        resources = response.data.get("resources") if isinstance(response.data, dict) else None
        if not isinstance(resources, dict):
            raise ApiError(response.url, "unexpected answer: no 'resources' object")
        limits = {}
        for name, value in resources.items():
            try:
                limits[name] = RateLimit(name, int(value["limit"]), int(value["remaining"]), float(value["reset"]))
            except (KeyError, TypeError, ValueError):
                log.debug("ignoring the unreadable %r rate limit %r", name, value)
        return limits

    def _parse(self, url: str, response: httpx.Response) -> ApiResponse:
        text = response.text
        data = json.loads(text) if text.strip() else None
        if response.status_code == 200 and data is None:
            raise ValueError("empty body")
        next_url = response.links.get("next", {}).get("url")
        return ApiResponse(url, response.status_code, data, text, response.headers.get("etag"), next_url)

    # -- rate limits ---------------------------------------------------------------------------

    def _note_rate_limit(self, headers: httpx.Headers) -> None:
        remaining, reset = headers.get("x-ratelimit-remaining"), headers.get("x-ratelimit-reset")
        if remaining is None or reset is None:
            return
        try:
            self.stats.rate_limit_remaining, self.stats.rate_limit_reset = int(remaining), float(reset)
        except ValueError:
            log.debug("ignoring malformed rate-limit headers %r/%r", remaining, reset)

    async def _respect_rate_limit(self) -> None:
        """Wait out any pause in force; start one when the primary budget is nearly spent."""
        remaining, reset = self.stats.rate_limit_remaining, self.stats.rate_limit_reset
        reserve = self._reserve if self.retry.reserve is None else self.retry.reserve
        if remaining is not None and reset is not None and remaining <= reserve and reset + 1 > self.clock():
            self.stats.rate_limit_remaining = None  # unknown until the next answer after the reset
            await self._pause(reset + 1, f"GitHub rate limit nearly used up ({remaining} requests left)")
        delay = self._resume_at - self.clock()
        if delay > 0:
            await self.sleep(delay)

    def _limit_wait(self, response: httpx.Response, earlier_waits: int) -> tuple[float, str] | None:
        """Until when a 403/429 asks us to wait (a clock time), or None when it is not a rate limit at all."""
        headers = response.headers
        now = self.clock()
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            try:
                return now + max(float(retry_after), 0.0), "GitHub asked us to slow down (retry-after)"
            except ValueError:
                pass
        if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
            try:
                return max(float(headers["x-ratelimit-reset"]) + 1, now + 1), "GitHub rate limit used up"
            except ValueError:
                pass
        if response.status_code == 429 or SECONDARY_LIMIT_HINT in response.text.lower():
            wait = min(self.retry.secondary_delay * 2**earlier_waits, 15 * 60)
            return now + wait, "GitHub secondary rate limit"
        return None

    async def _pause(self, until: float, reason: str) -> None:
        """Pause every request until the clock reads `until`, or stop when that breaks `max_wait`."""
        now = self.clock()
        # Requests in flight together often bring the same news; one pause (and one message) is enough.
        if until <= self._resume_at + 0.5:
            return
        extra = until - max(self._resume_at, now)
        if self.max_wait is not None and self.stats.waited_seconds + extra > self.max_wait:
            raise CrawlStopped(
                f"{reason}: going on needs a wait of {until - now:.0f}s, more than --max-wait {self.max_wait:g}s"
            )
        self.stats.waited_seconds += extra
        self._resume_at = until
        at = datetime.fromtimestamp(until, UTC).strftime("%H:%M:%S UTC")
        self.notify(f"{reason}: waiting {until - now:.0f}s, until {at}")

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def connect_failure(exc: httpx.TransportError) -> str:
    """Why a connection could not be made, in a few words: the OS error under httpx's wrappers."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no answer within {CONNECT_TIMEOUT:g}s of trying to connect"
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and seen < 10:  # the chain is short; bound it all the same
        if isinstance(cause, socket.gaierror):
            return "name not resolved"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "network unreachable"
        if isinstance(cause, OSError) and cause.errno == errno.ETIMEDOUT:
            return "connection timed out"
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return str(exc) or type(exc).__name__


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _error_message(response: httpx.Response) -> str:
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    return f"HTTP {response.status_code}" + (f": {message}" if message else "")

"""A faithful GitHub REST API emulator for councilcode's tests and benchmarks.

`GitHubEmulator` runs a real HTTP/1.1 server on 127.0.0.1 (keep-alive, correct Content-Length,
one daemon thread per connection) and answers the endpoints the crawler uses the way
api.github.com does: the same JSON shapes, headers, status codes, pagination `Link` headers,
rate limits, ETags and conditional requests, renamed-repository redirects and GitHub App
installation tokens. Faults (5xx, secondary rate limits, timeouts, dropped and truncated
responses) can be injected per request path.

Run it by hand with ``python -m tests.github_emulator --corpus --synthetic 500``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import email.utils
import functools
import hashlib
import itertools
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import socketserver
import string
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import jwt

__all__ = [
    "CORPUS_DIR",
    "CORPUS_GITHUB_LICENCES",
    "CORPUS_LICENCES",
    "GITHUB_NOASSERTION",
    "FAULTS",
    "EmulatorStats",
    "FakeRepo",
    "GitHubEmulator",
    "add_synthetic_repos",
    "load_corpus",
    "main",
]

API_VERSION = "2022-11-28"
DOCS_URL = "https://docs.github.com/rest"
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)
REDIRECT_DOCS = "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"
CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "uk-councils"

RATE_WINDOW = 3600.0  # GitHub's primary rate limit window, in seconds
TIMEOUT_FAULT_SECONDS = 3.0
JWT_MAX_LIFETIME = 600  # GitHub refuses app JWTs that expire more than ten minutes ahead
FAULTS = ("500", "502", "503", "429", "403-secondary", "timeout", "drop", "truncate")
_ERROR_FAULTS = {"500", "502", "503", "429", "403-secondary"}
_LATENCY_FAULT = re.compile(r"latency:(\d+(?:\.\d+)?)")
_REDIRECT_FAULT = re.compile(r"redirect:(\S+)")  # answer 301 to this Location instead

JSON_TYPE = "application/json; charset=utf-8"
RAW_TYPE = "application/vnd.github.raw; charset=utf-8"
_NO_BODY = object()

# spdx_id -> (GitHub key, GitHub name, number inside the node_id "07:License<n>")
_LICENCES: dict[str, tuple[str, str, int]] = {
    "NOASSERTION": ("other", "Other", 0),
    "AGPL-3.0": ("agpl-3.0", "GNU Affero General Public License v3.0", 1),
    "Apache-2.0": ("apache-2.0", "Apache License 2.0", 2),
    "BSD-2-Clause": ("bsd-2-clause", 'BSD 2-Clause "Simplified" License', 4),
    "BSD-3-Clause": ("bsd-3-clause", 'BSD 3-Clause "New" or "Revised" License', 5),
    "CC0-1.0": ("cc0-1.0", "Creative Commons Zero v1.0 Universal", 6),
    "EPL-1.0": ("epl-1.0", "Eclipse Public License 1.0", 7),
    "GPL-2.0": ("gpl-2.0", "GNU General Public License v2.0", 8),
    "GPL-3.0": ("gpl-3.0", "GNU General Public License v3.0", 9),
    "ISC": ("isc", "ISC License", 10),
    "LGPL-2.1": ("lgpl-2.1", "GNU Lesser General Public License v2.1", 11),
    "LGPL-3.0": ("lgpl-3.0", "GNU Lesser General Public License v3.0", 12),
    "MIT": ("mit", "MIT License", 13),
    "MPL-2.0": ("mpl-2.0", "Mozilla Public License 2.0", 14),
    "Unlicense": ("unlicense", "The Unlicense", 15),
}


# --------------------------------------------------------------------------- public data model


@dataclass
class FakeRepo:
    """One repository as the emulator serves it (what GitHub knows, not the truth)."""

    name: str
    description: str | None = None
    homepage: str | None = None
    language: str | None = None
    topics: list[str] = field(default_factory=list)
    stars: int = 0
    forks: int = 0
    archived: bool = False
    fork: bool = False
    is_template: bool = False
    default_branch: str = "main"
    created_at: str = "2020-01-01T00:00:00Z"
    pushed_at: str = "2024-01-01T00:00:00Z"
    updated_at: str = "2024-01-01T00:00:00Z"
    empty: bool = False  # size 0; README/licence/contents answer 404 "This repository is empty."
    readme: bytes | None = None  # raw README bytes; None means no README (404 Not Found)
    readme_path: str = "README.md"
    license_file: bytes | None = None  # raw bytes of the top-level licence file
    license_path: str = "LICENSE"
    # GitHub's licence detection: an SPDX id, "NOASSERTION" (key "other") or None (no licence)
    license_spdx: str | None = None
    id: int = 0  # assigned by the emulator when 0
    size: int = 0  # KB; the emulator sets a non-zero size for non-empty repos when 0
    # Hostile answers: these fields of the repository's JSON are replaced as given (any JSON value, a NUL or
    # a lone surrogate included), after everything else is filled in.
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class EmulatorStats:
    """Thread-safe request counters.

    `charged_requests` counts every answer except 304 and /rate_limit (a dropped connection is
    no answer); `requests` holds (method, path with query, status) with status 0 for drops.
    """

    total_requests: int = 0
    charged_requests: int = 0
    not_modified: int = 0
    max_in_flight: int = 0
    in_flight: int = 0
    connections_opened: int = 0
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def reset(self) -> None:
        """Zero the counters (requests still in flight keep counting towards `in_flight`)."""
        with self._lock:
            self.total_requests = 0
            self.charged_requests = 0
            self.not_modified = 0
            self.max_in_flight = self.in_flight
            self.connections_opened = 0
            self.requests = []

    def _begin(self) -> None:
        with self._lock:
            self.total_requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _finish(self, method: str, path: str, status: int, charged: bool) -> None:
        with self._lock:
            self.in_flight -= 1
            if charged:
                self.charged_requests += 1
            if status == 304:
                self.not_modified += 1
            self.requests.append((method, path, status))

    def _connection(self) -> None:
        with self._lock:
            self.connections_opened += 1


# --------------------------------------------------------------------------- internal records


# Profile fields an account may be given (add_account's keyword arguments), as GitHub names them.
PROFILE_FIELDS = ("blog", "email", "location", "description", "bio", "company", "is_verified", "twitter_username")


@dataclass
class _Account:
    login: str
    kind: str
    name: str | None
    id: int
    created_at: str = "2014-06-02T09:00:00Z"
    updated_at: str = "2024-01-01T00:00:00Z"
    profile: dict[str, Any] = field(default_factory=dict)  # PROFILE_FIELDS that differ from GitHub's defaults

    @property
    def node_id(self) -> str:
        prefix = "012:Organization" if self.kind == "Organization" else "04:User"
        return _b64(f"{prefix}{self.id}")


@dataclass
class _Bucket:
    limit: int
    remaining: int
    reset_at: float
    resource: str = "core"  # as x-ratelimit-resource names it ("search" for tests/github_search.py)
    window: float = RATE_WINDOW

    @property
    def used(self) -> int:
        return max(0, self.limit - self.remaining)

    def refresh(self, now: float) -> None:
        # GitHub refills the whole allowance once the window has passed.
        if now >= self.reset_at:
            self.remaining = self.limit
            self.reset_at = now + self.window

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("x-ratelimit-limit", str(self.limit)),
            ("x-ratelimit-remaining", str(max(0, self.remaining))),
            ("x-ratelimit-reset", str(int(self.reset_at))),
            ("x-ratelimit-used", str(self.used)),
            ("x-ratelimit-resource", self.resource),
        ]


@dataclass
class _Installation:
    id: int
    token_ttl: float
    account: str | None


@dataclass
class _App:
    app_id: int
    public_key: bytes
    installations: dict[int, _Installation] = field(default_factory=dict)


@dataclass
class _IssuedToken:
    installation_id: int
    expires_at: float


@dataclass
class _Caller:
    bucket: str  # "unauthenticated", "authenticated" or "app:<id>"
    token: str | None = None
    installation_id: int | None = None
    app_id: int | None = None


@dataclass
class _Request:
    method: str
    path: str
    query: str
    headers: Any  # email.message.Message from http.server
    body: bytes
    caller: _Caller

    @property
    def wants_raw(self) -> bool:
        accept = (self.headers.get("Accept") or "").lower()
        return "vnd.github.raw" in accept or "vnd.github.v3.raw" in accept


@dataclass
class _Result:
    status: int
    payload: Any = _NO_BODY
    raw: bytes | None = None
    content_type: str = JSON_TYPE
    media_type: str = "github.v3; format=json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    last_modified: float | None = None


@dataclass
class _Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes | None


# --------------------------------------------------------------------------- small helpers


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=65536)
def _parse_iso(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _utc_iso(value: str) -> str:
    """Normalise any ISO 8601 timestamp (with offset) to GitHub's UTC `...Z` form."""
    return _iso(_parse_iso(value))


def _dumps(obj: Any) -> bytes:
    # GitHub sends compact JSON with non-ASCII characters as UTF-8.
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a hostile `raw` value) has no UTF-8: send it escaped, as "\ud800" in the JSON.
        return json.dumps(obj, separators=(",", ":")).encode("ascii")


def _git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _github_base64(data: bytes) -> str:
    """Base64 the way GitHub's contents API does: a newline after every 60 characters."""
    encoded = base64.b64encode(data).decode()
    return "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))


def _int_param(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _credentials(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme in ("token", "bearer"):
        return value.strip() or None
    if scheme == "basic":
        # GitHub accepts a token as the Basic password.
        with contextlib.suppress(ValueError):
            _, _, password = base64.b64decode(value).decode().partition(":")
            return password or None
    return value.strip() or scheme or None


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def _not_modified_since(header: str | None, last_modified: float | None) -> bool:
    if not header or last_modified is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return False
    return int(last_modified) <= since


def _error(status: int, message: str, doc: str = DOCS_URL, *, with_status: bool = True) -> _Result:
    payload: dict[str, Any] = {"message": message, "documentation_url": doc}
    if with_status:
        payload["status"] = str(status)
    return _Result(status, payload)


def _not_found(doc: str = DOCS_URL) -> _Result:
    return _error(404, "Not Found", doc)


def _empty_repo(doc: str) -> _Result:
    return _error(404, "This repository is empty.", doc)


_DOC_ORG = "https://docs.github.com/rest/orgs/orgs#get-an-organization"
_DOC_USER = "https://docs.github.com/rest/users/users#get-a-user"
_DOC_ORG_REPOS = "https://docs.github.com/rest/repos/repos#list-organization-repositories"
_DOC_USER_REPOS = "https://docs.github.com/rest/repos/repos#list-repositories-for-a-user"
_DOC_REPO = "https://docs.github.com/rest/repos/repos#get-a-repository"
_DOC_README = "https://docs.github.com/rest/repos/contents#get-a-repository-readme"
_DOC_LICENSE = "https://docs.github.com/rest/licenses/licenses#get-the-license-for-a-repository"
_DOC_CONTENTS = "https://docs.github.com/rest/repos/contents#get-repository-content"
_DOC_APP_TOKEN = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"
_DOC_INSTALLATION = "https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app"


# --------------------------------------------------------------------------- HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so httpx reuses connections
    timeout = 30.0  # idle keep-alive connections give up after this many seconds
    disable_nagle_algorithm = True  # Nagle + delayed ACK would add 40 ms to every small answer
    server: _Server

    def version_string(self) -> str:
        return "GitHub.com"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        return  # stats.requests records every request; stderr stays quiet in tests

    def do_GET(self) -> None:
        self.server.emulator._handle(self, "GET")

    def do_HEAD(self) -> None:
        self.server.emulator._handle(self, "HEAD")

    def do_POST(self) -> None:
        self.server.emulator._handle(self, "POST")

    def do_PUT(self) -> None:
        self.server.emulator._handle(self, "PUT")

    def do_PATCH(self) -> None:
        self.server.emulator._handle(self, "PATCH")

    def do_DELETE(self) -> None:
        self.server.emulator._handle(self, "DELETE")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for sleeping fault threads
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: GitHubEmulator) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        self.emulator.stats._connection()
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-answer is normal in fault tests; anything else is an emulator bug.
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            self.emulator.errors.append(traceback.format_exc())

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


# --------------------------------------------------------------------------- the emulator


@functools.cache
def app_key_pair(which: str = "app") -> tuple[str, bytes]:
    """An RSA key pair for a test GitHub App (private PEM text, public PEM bytes), made once per name."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


class GitHubEmulator:
    """A GitHub REST API server on 127.0.0.1 backed by in-memory accounts and repositories."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limit: int = 5000,
        unauthenticated_limit: int = 60,
        tokens: set[str] | None = None,
        clock: Callable[[], float] = time.time,
        port: int = 0,
    ) -> None:
        self.latency = latency
        self.rate_limit = rate_limit
        self.unauthenticated_limit = unauthenticated_limit
        self.tokens = set(tokens) if tokens is not None else None
        self.clock = clock
        self.port = port
        self.url = ""
        self.stats = EmulatorStats()
        self.errors: list[str] = []  # tracebacks of emulator bugs, for tests to assert on

        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._request_ids = itertools.count(1)

        self._accounts: dict[str, _Account] = {}  # lower-case login -> account
        self._repos: dict[int, tuple[str, FakeRepo]] = {}  # id -> (lower-case owner, repo)
        self._by_owner: dict[str, dict[str, int]] = {}  # lower owner -> lower name -> id
        self._aliases: dict[tuple[str, str], int] = {}  # old (owner, name) of renamed repos -> id
        self._next_account_id = 1_000_001
        self._next_repo_id = 50_000_001

        now = clock()
        self._buckets: dict[str, _Bucket] = {
            "authenticated": _Bucket(rate_limit, rate_limit, now + RATE_WINDOW),
            "unauthenticated": _Bucket(unauthenticated_limit, unauthenticated_limit, now + RATE_WINDOW),
        }
        self._faults: list[tuple[re.Pattern[str], deque[str]]] = []
        self._apps: dict[str, _App] = {}  # str(app id) -> app
        self._installations: dict[int, _App] = {}
        self._issued: dict[str, _IssuedToken] = {}
        # POST /graphql lives in its own module, which imports this one: import it late.
        from tests.github_graphql import GraphQLEndpoint

        self.graphql = GraphQLEndpoint(self, rate_limit=rate_limit)
        # GET /search/users lives in its own module (its own budget and query syntax); it imports this one.
        from tests.github_search import SearchEndpoint

        self.search = SearchEndpoint(self)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> GitHubEmulator:
        """Bind to 127.0.0.1 (port 0 picks a free one), serve in a daemon thread and set `url`."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self.port), self)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"github-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping fault handlers and close every open connection."""
        server = self._server
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> GitHubEmulator:
        return self if self._server is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ data set-up

    def add_account(self, login: str, kind: str = "Organization", name: str | None = None, **profile: Any) -> None:
        """Add an "Organization" or "User" account; adding an existing login updates it.

        `profile` sets what its profile shows (PROFILE_FIELDS: blog, email, location, description, ...).
        """
        if kind not in ("Organization", "User"):
            raise ValueError(f"kind must be 'Organization' or 'User', not {kind!r}")
        unknown = set(profile) - set(PROFILE_FIELDS)
        if unknown:
            raise ValueError(f"unknown profile fields {sorted(unknown)} (known: {', '.join(PROFILE_FIELDS)})")
        with self._lock:
            existing = self._accounts.get(login.lower())
            if existing is not None:
                existing.kind = kind
                existing.name = name if name is not None else existing.name
                existing.profile.update(profile)
                return
            self._accounts[login.lower()] = _Account(login, kind, name, self._next_account_id, profile=dict(profile))
            self._next_account_id += 1
            self._by_owner.setdefault(login.lower(), {})

    def add_repo(self, owner: str, repo: FakeRepo) -> FakeRepo:
        """Add `repo` to `owner` (an organisation is created if the owner is unknown)."""
        with self._lock:
            if owner.lower() not in self._accounts:
                self.add_account(owner)
            owner_key = owner.lower()
            names = self._by_owner[owner_key]
            if repo.name.lower() in names:
                raise ValueError(f"{owner}/{repo.name} already exists")
            if repo.id == 0:
                while self._next_repo_id in self._repos:
                    self._next_repo_id += 1
                repo.id = self._next_repo_id
                self._next_repo_id += 1
            elif repo.id in self._repos:
                raise ValueError(f"repository id {repo.id} is already in use")
            if repo.size == 0 and not repo.empty:
                content = len(repo.readme or b"") + len(repo.license_file or b"")
                repo.size = 12 + (repo.id * 37) % 4000 + content // 1024
            names[repo.name.lower()] = repo.id
            self._repos[repo.id] = (owner_key, repo)
            self._aliases.pop((owner_key, repo.name.lower()), None)
            return repo

    def remove_repo(self, owner: str, name: str) -> None:
        """Delete a repository; its URLs then answer 404."""
        with self._lock:
            repo_id = self._by_owner.get(owner.lower(), {}).pop(name.lower(), None)
            if repo_id is None:
                raise KeyError(f"{owner}/{name}")
            del self._repos[repo_id]
            for key in [k for k, v in self._aliases.items() if v == repo_id]:
                del self._aliases[key]

    def rename_repo(self, owner: str, old: str, new: str) -> None:
        """Rename a repository, keeping its id; the old name then answers 301 like GitHub."""
        with self._lock:
            owner_key = owner.lower()
            names = self._by_owner.get(owner_key, {})
            repo_id = names.get(old.lower())
            if repo_id is None:
                raise KeyError(f"{owner}/{old}")
            if new.lower() in names and new.lower() != old.lower():
                raise ValueError(f"{owner}/{new} already exists")
            repo = self._repos[repo_id][1]
            del names[old.lower()]
            names[new.lower()] = repo_id
            if old.lower() != new.lower():
                self._aliases[(owner_key, old.lower())] = repo_id
            self._aliases.pop((owner_key, new.lower()), None)
            repo.name = new
            repo.updated_at = self._later(repo.updated_at)

    def update_repo(self, owner: str, name: str, **changes: Any) -> FakeRepo:
        """Change fields of a repository and bump `updated_at` (and `pushed_at` for content changes)."""
        allowed = {f.name for f in dataclasses.fields(FakeRepo)} - {"id", "name"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"update_repo cannot change {sorted(unknown)} (use rename_repo for the name)")
        with self._lock:
            repo = self._find(owner, name)
            if repo is None:
                raise KeyError(f"{owner}/{name}")
            for key, value in changes.items():
                setattr(repo, key, value)
            content_keys = {"readme", "readme_path", "license_file", "license_path", "empty", "default_branch"}
            if content_keys & set(changes) and "pushed_at" not in changes:
                repo.pushed_at = self._later(repo.pushed_at)
            if "updated_at" not in changes:
                repo.updated_at = self._later(max(repo.updated_at, repo.pushed_at, key=_parse_iso))
            return repo

    def inject(self, pattern: str, *faults: str) -> None:
        """Queue faults for requests whose path (+query) matches the regex `pattern`.

        Each matching request consumes the next fault, in order: "500", "502", "503", "429",
        "403-secondary", "timeout", "drop", "truncate", "latency:<seconds>" or "redirect:<location>" (a 301).
        """
        for fault in faults:
            if fault not in FAULTS and not _LATENCY_FAULT.fullmatch(fault) and not _REDIRECT_FAULT.fullmatch(fault):
                raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._faults.append((re.compile(pattern), deque(faults)))

    def set_rate_limit(self, remaining: int, reset_in: float, *, authenticated: bool | None = None) -> None:
        """Set the remaining allowance and the reset time of the rate-limit buckets.

        Both the authenticated and the unauthenticated bucket change unless `authenticated`
        picks one.
        """
        with self._lock:
            names = {None: ["authenticated", "unauthenticated"], True: ["authenticated"]}.get(
                authenticated, ["unauthenticated"]
            )
            for bucket_name in names:
                bucket = self._buckets[bucket_name]
                bucket.remaining = remaining
                bucket.reset_at = self.clock() + reset_in

    def add_app(
        self,
        app_id: int,
        public_key_pem: bytes,
        installation_id: int,
        token_ttl: float = 3600,
        *,
        account: str | None = None,
    ) -> None:
        """Register a GitHub App (its RS256 public key) and one installation of it.

        `account` is the login the installation belongs to; by default the first account added.
        """
        with self._lock:
            app = self._apps.setdefault(str(app_id), _App(app_id, public_key_pem))
            app.public_key = public_key_pem
            app.installations[installation_id] = _Installation(installation_id, token_ttl, account)
            self._installations[installation_id] = app
            self._buckets.setdefault(f"app:{app_id}", _Bucket(5000, 5000, self.clock() + RATE_WINDOW))

    def reset_stats(self) -> None:
        """Zero `stats` (see EmulatorStats.reset)."""
        self.stats.reset()

    # ------------------------------------------------------------------ state helpers (hold the lock)

    def _later(self, old: str) -> str:
        return _iso(max(self.clock(), _parse_iso(old) + 1))

    def _find(self, owner: str, name: str) -> FakeRepo | None:
        repo_id = self._by_owner.get(owner.lower(), {}).get(name.lower())
        return self._repos[repo_id][1] if repo_id is not None else None

    def _account_by_id(self, account_id: int) -> _Account | None:
        return next((a for a in self._accounts.values() if a.id == account_id), None)

    def _repos_of(self, owner_key: str) -> list[FakeRepo]:
        # Route handlers run under the lock, so the live objects are safe to read without copying.
        return [self._repos[i][1] for i in self._by_owner.get(owner_key, {}).values()]

    def _bucket(self, name: str) -> _Bucket:
        return self._buckets[name]

    def _take_fault(self, path_with_query: str) -> str | None:
        with self._lock:
            for pattern, queue in self._faults:
                if queue and pattern.search(path_with_query):
                    return queue.popleft()
        return None

    # ------------------------------------------------------------------ request handling

    def _handle(self, handler: _Handler, method: str) -> None:
        split = urlsplit(handler.path)
        path, query = split.path or "/", split.query
        path_with_query = f"{path}?{query}" if query else path
        self.stats._begin()
        finished = False

        def finish(status: int) -> None:
            nonlocal finished
            if not finished:
                finished = True
                charged = status not in (0, 304) and path != "/rate_limit"
                self.stats._finish(method, path_with_query, status, charged)

        try:
            body = self._read_body(handler)
            fault = self._take_fault(path_with_query)
            delay = self.latency
            if fault and (match := _LATENCY_FAULT.fullmatch(fault)):
                delay += float(match.group(1))
            if delay > 0:
                self._stopping.wait(delay)  # an Event wait, so stop() cuts it short
            if fault == "timeout":
                self._stopping.wait(TIMEOUT_FAULT_SECONDS)
            if fault == "drop" or self._stopping.is_set():
                finish(0)
                self._drop(handler)
                return
            if fault in _ERROR_FAULTS:
                reply = self._fault_reply(fault, handler.headers)
            elif fault and (moved := _REDIRECT_FAULT.fullmatch(fault)):
                reply = _Reply(301, [("content-type", JSON_TYPE), ("location", moved.group(1))], b"{}")
            else:
                reply = self._respond(method, path, query, handler.headers, body)
            # Record before writing so a client that has its answer sees up-to-date stats.
            finish(reply.status)
            self._write(handler, method, reply, truncate=fault == "truncate")
        except OSError:
            finish(0)
            handler.close_connection = True
        except Exception:
            self.errors.append(traceback.format_exc())
            finish(500)
            with contextlib.suppress(OSError):
                self._write(handler, method, _Reply(500, [("content-type", JSON_TYPE)], b'{"message":"Server Error"}'))
        finally:
            finish(0)

    @staticmethod
    def _read_body(handler: _Handler) -> bytes:
        length = _int_param(handler.headers.get("Content-Length"), 0)
        return handler.rfile.read(min(length, 10_000_000)) if length > 0 else b""

    @staticmethod
    def _drop(handler: _Handler) -> None:
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _write(handler: _Handler, method: str, reply: _Reply, *, truncate: bool = False) -> None:
        handler.send_response(reply.status)
        for name, value in reply.headers:
            handler.send_header(name, value)
        body = reply.body
        if body is not None:
            handler.send_header("content-length", str(len(body)))
        if not body or method == "HEAD":
            handler.end_headers()
            return
        # Head and body go out in one write: fewer packets, and no half-answer for the client to wait on.
        handler._headers_buffer.append(b"\r\n")
        head = b"".join(handler._headers_buffer)
        handler._headers_buffer = []
        if truncate:
            handler.wfile.write(head + body[: len(body) // 2])
            handler.wfile.flush()
            GitHubEmulator._drop(handler)
        else:
            handler.wfile.write(head + body)

    def _request_id(self) -> str:
        n = next(self._request_ids)
        return f"{os.getpid() & 0xFFFF:04X}:{n:04X}:{n * 7919 & 0xFFFFFF:06X}:{n * 104729 & 0xFFFFFF:06X}"

    def _base_headers(self, bucket: str, request_id: str, authenticated: bool) -> list[tuple[str, str]]:
        with self._lock:
            rate = self._buckets[bucket].headers()
        cache = "private" if authenticated else "public"
        return [
            ("cache-control", f"{cache}, max-age=60, s-maxage=60"),
            ("vary", "Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding, X-Requested-With"),
            ("x-github-api-version-selected", API_VERSION),
            *rate,
            (
                "access-control-expose-headers",
                "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
                "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, "
                "X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, "
                "X-GitHub-Request-Id, Deprecation, Sunset",
            ),
            ("access-control-allow-origin", "*"),
            ("strict-transport-security", "max-age=31536000; includeSubdomains; preload"),
            ("x-frame-options", "deny"),
            ("x-content-type-options", "nosniff"),
            ("x-xss-protection", "0"),
            ("referrer-policy", "origin-when-cross-origin, strict-origin-when-cross-origin"),
            ("content-security-policy", "default-src 'none'"),
            ("x-github-request-id", request_id),
        ]

    def _fault_reply(self, fault: str, headers: Any) -> _Reply:
        request_id = self._request_id()
        token = _credentials(headers.get("Authorization"))
        bucket = "authenticated" if token else "unauthenticated"
        extra: list[tuple[str, str]] = []
        if fault in ("429", "403-secondary"):
            status = 429 if fault == "429" else 403
            payload: dict[str, Any] = {
                "message": (
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                    "again. If you reach out to GitHub Support for help, please include the request ID "
                    f"{request_id}."
                ),
                "documentation_url": SECONDARY_DOCS,
            }
            extra.append(("retry-after", "1"))
        else:
            status = int(fault)
            message = {500: "Server Error", 502: "Server Error", 503: "Service Unavailable"}[status]
            payload = {"message": message}
        reply_headers = [("content-type", JSON_TYPE), *self._base_headers(bucket, request_id, bool(token))]
        return _Reply(status, reply_headers + extra, _dumps(payload))

    def _respond(self, method: str, path: str, query: str, headers: Any, body: bytes) -> _Reply:
        request_id = self._request_id()
        if path == "/graphql":  # the GraphQL API has its own budget, errors and cost (tests/github_graphql.py)
            return self.graphql.respond(method, headers, body, request_id)
        with self._lock:
            caller = self._identify(headers, path)
        if isinstance(caller, _Result):
            return self._finish_reply(caller, method, headers, "unauthenticated", request_id, False)
        req = _Request(method, path, query, headers, body, caller)
        authenticated = caller.bucket != "unauthenticated"
        if path == "/rate_limit" and method in ("GET", "HEAD"):
            result = self._rate_limit_result(caller)
            return self._finish_reply(result, method, headers, caller.bucket, request_id, authenticated)
        if path.startswith("/search/"):  # the search API's own budget (tests/github_search.py)
            return self.search.respond(req, request_id)

        # Take this request's unit from the bucket up front (atomic); a 304 gives it back.
        with self._lock:
            bucket = self._bucket(caller.bucket)
            bucket.refresh(self.clock())
            exhausted = bucket.remaining <= 0
            if not exhausted:
                bucket.remaining -= 1
        if exhausted:
            return self._finish_reply(
                self._rate_limited(caller), method, headers, caller.bucket, request_id, authenticated
            )
        result = self._route(req)
        return self._finish_reply(result, method, headers, caller.bucket, request_id, authenticated, conditional=True)

    def _finish_reply(
        self,
        result: _Result,
        method: str,
        headers: Any,
        bucket: str,
        request_id: str,
        authenticated: bool,
        *,
        conditional: bool = False,
    ) -> _Reply:
        if result.raw is not None:
            body: bytes | None = result.raw
        elif result.payload is not _NO_BODY:
            body = _dumps(result.payload)
        else:
            body = None
        status = result.status
        out: list[tuple[str, str]] = []
        if status == 200 and method in ("GET", "HEAD") and body is not None:
            etag = f'W/"{hashlib.sha256(body).hexdigest()}"'
            out.append(("etag", etag))
            if result.last_modified is not None:
                out.append(("last-modified", email.utils.formatdate(result.last_modified, usegmt=True)))
            if conditional:
                if_none_match = headers.get("If-None-Match")
                fresh = _etag_matches(if_none_match, etag) or (
                    not if_none_match and _not_modified_since(headers.get("If-Modified-Since"), result.last_modified)
                )
                if fresh:
                    # GitHub does not charge a 304 against the rate limit.
                    with self._lock:
                        b = self._bucket(bucket)
                        b.remaining = min(b.limit, b.remaining + 1)
                    status, body = 304, None
        if status != 304:
            out.insert(0, ("content-type", result.content_type))
        out.append(("x-github-media-type", result.media_type))
        out.extend(self._base_headers(bucket, request_id, authenticated))
        out.extend(result.headers)
        return _Reply(status, out, body)

    def _rate_limited(self, caller: _Caller) -> _Result:
        if caller.bucket == "unauthenticated":
            who = (
                "127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. "
                "Check out the documentation for more details.)"
            )
        elif caller.installation_id is not None:
            who = f"installation ID {caller.installation_id}."
        elif caller.app_id is not None:
            who = f"integration ID {caller.app_id}."
        else:
            who = "user ID 1."
        return _error(403, f"API rate limit exceeded for {who}", RATE_LIMIT_DOCS, with_status=False)

    def _identify(self, headers: Any, path: str) -> _Caller | _Result:
        token = _credentials(headers.get("Authorization"))
        if path == "/app" or path.startswith("/app/") or path.endswith("/installation"):
            return self._verify_jwt(token)
        if token is None:
            return _Caller("unauthenticated")
        issued = self._issued.get(token)
        if issued is not None:
            if self.clock() >= issued.expires_at:
                return _error(401, "Bad credentials")
            return _Caller("authenticated", token, installation_id=issued.installation_id)
        if self.tokens is None or token in self.tokens:
            return _Caller("authenticated", token)
        return _error(401, "Bad credentials")

    def _verify_jwt(self, token: str | None) -> _Caller | _Result:
        undecodable = _error(401, "A JSON web token could not be decoded")
        if not token:
            return undecodable
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return undecodable
        app = self._apps.get(str(claims.get("iss", "")))
        if app is None:
            return _error(401, "Integration not found")
        try:
            claims = jwt.decode(
                token,
                app.public_key,
                algorithms=["RS256"],
                # Time claims are checked below against the emulator's clock, not the wall clock.
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError:
            return undecodable
        now = self.clock()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float) or exp <= now:
            return _error(
                401,
                "'Expiration time' claim ('exp') must be a numeric value representing the future time "
                "at which the assertion expires",
            )
        if exp - now > JWT_MAX_LIFETIME + 1:
            return _error(401, "'Expiration time' claim ('exp') is too far in the future")
        if not isinstance(iat, int | float) or iat > now + 60:
            return _error(401, "'Issued at' claim ('iat') must be an Integer representing a time in the past")
        return _Caller(f"app:{app.app_id}", token, app_id=app.app_id)

    # ------------------------------------------------------------------ routing

    _ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
        (method, re.compile(pattern), name)
        for method, pattern, name in (
            ("GET", r"/orgs/(?P<login>[^/]+)", "_get_org"),
            ("GET", r"/orgs/(?P<login>[^/]+)/repos", "_list_org_repos"),
            ("GET", r"/orgs/(?P<login>[^/]+)/installation", "_account_installation"),
            ("GET", r"/organizations/(?P<account_id>\d+)", "_get_org"),
            ("GET", r"/organizations/(?P<account_id>\d+)/repos", "_list_org_repos"),
            ("GET", r"/users/(?P<login>[^/]+)", "_get_user"),
            ("GET", r"/users/(?P<login>[^/]+)/repos", "_list_user_repos"),
            ("GET", r"/users/(?P<login>[^/]+)/installation", "_account_installation"),
            ("GET", r"/user/(?P<account_id>\d+)", "_get_user"),
            ("GET", r"/user/(?P<account_id>\d+)/repos", "_list_user_repos"),
            ("GET", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)(?P<rest>/.*)?", "_repo_by_name"),
            ("GET", r"/repositories/(?P<repo_id>\d+)(?P<rest>/.*)?", "_repo_by_id"),
            ("GET", r"/app", "_get_app"),
            ("GET", r"/app/installations", "_list_installations"),
            ("GET", r"/app/installations/(?P<iid>\d+)", "_get_installation"),
            ("POST", r"/app/installations/(?P<iid>\d+)/access_tokens", "_create_token"),
            ("GET", r"/installation/repositories", "_installation_repos"),
        )
    )

    def _route(self, req: _Request) -> _Result:
        method = "GET" if req.method == "HEAD" else req.method
        for route_method, pattern, name in self._ROUTES:
            match = pattern.fullmatch(req.path)
            if match and route_method == method:
                params = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
                with self._lock:
                    return getattr(self, name)(req, **params)
        return _not_found()

    # ------------------------------------------------------------------ JSON shapes

    def _owner_json(self, acct: _Account) -> dict[str, Any]:
        u = f"{self.url}/users/{acct.login}"
        return {
            "login": acct.login,
            "id": acct.id,
            "node_id": acct.node_id,
            "avatar_url": f"https://avatars.githubusercontent.com/u/{acct.id}?v=4",
            "gravatar_id": "",
            "url": u,
            "html_url": f"https://github.com/{acct.login}",
            "followers_url": f"{u}/followers",
            "following_url": f"{u}/following{{/other_user}}",
            "gists_url": f"{u}/gists{{/gist_id}}",
            "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{u}/subscriptions",
            "organizations_url": f"{u}/orgs",
            "repos_url": f"{u}/repos",
            "events_url": f"{u}/events{{/privacy}}",
            "received_events_url": f"{u}/received_events",
            "type": acct.kind,
            "user_view_type": "public",
            "site_admin": False,
        }

    def _org_json(self, acct: _Account) -> dict[str, Any]:
        o = f"{self.url}/orgs/{acct.login}"
        return {
            "login": acct.login,
            "id": acct.id,
            "node_id": acct.node_id,
            "url": o,
            "repos_url": f"{o}/repos",
            "events_url": f"{o}/events",
            "hooks_url": f"{o}/hooks",
            "issues_url": f"{o}/issues",
            "members_url": f"{o}/members{{/member}}",
            "public_members_url": f"{o}/public_members{{/member}}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{acct.id}?v=4",
            "description": acct.profile.get("description"),
            "name": acct.name,
            "company": acct.profile.get("company"),
            "blog": acct.profile.get("blog", ""),
            "location": acct.profile.get("location"),
            "email": acct.profile.get("email"),
            "twitter_username": acct.profile.get("twitter_username"),
            "is_verified": bool(acct.profile.get("is_verified", False)),
            "has_organization_projects": True,
            "has_repository_projects": True,
            "public_repos": len(self._by_owner.get(acct.login.lower(), {})),
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "html_url": f"https://github.com/{acct.login}",
            "created_at": acct.created_at,
            "updated_at": acct.updated_at,
            "archived_at": None,
            "type": "Organization",
        }

    def _user_json(self, acct: _Account) -> dict[str, Any]:
        data = self._owner_json(acct)
        data.update(
            {
                "name": acct.name,
                "company": acct.profile.get("company"),
                "blog": acct.profile.get("blog", ""),
                "location": acct.profile.get("location"),
                "email": acct.profile.get("email"),
                "hireable": None,
                "bio": acct.profile.get("bio"),
                "twitter_username": acct.profile.get("twitter_username"),
                "public_repos": len(self._by_owner.get(acct.login.lower(), {})),
                "public_gists": 0,
                "followers": 0,
                "following": 0,
                "created_at": acct.created_at,
                "updated_at": acct.updated_at,
            }
        )
        return data

    def _licence_json(self, spdx: str) -> dict[str, Any]:
        key, name, number = _LICENCES.get(spdx, (spdx.lower(), spdx, 100 + sum(spdx.encode()) % 900))
        return {
            "key": key,
            "name": name,
            "spdx_id": spdx,
            "url": None if key == "other" else f"{self.url}/licenses/{key}",
            "node_id": _b64(f"07:License{number}"),
        }

    def _repo_json(self, acct: _Account, repo: FakeRepo, caller: _Caller, *, full: bool) -> dict[str, Any]:
        full_name = f"{acct.login}/{repo.name}"
        r = f"{self.url}/repos/{full_name}"
        licence = self._licence_json(repo.license_spdx) if repo.license_spdx is not None and not repo.empty else None
        data: dict[str, Any] = {
            "id": repo.id,
            "node_id": _b64(f"010:Repository{repo.id}"),
            "name": repo.name,
            "full_name": full_name,
            "private": False,
            "owner": self._owner_json(acct),
            "html_url": f"https://github.com/{full_name}",
            "description": repo.description,
            "fork": repo.fork,
            "url": r,
            "forks_url": f"{r}/forks",
            "keys_url": f"{r}/keys{{/key_id}}",
            "collaborators_url": f"{r}/collaborators{{/collaborator}}",
            "teams_url": f"{r}/teams",
            "hooks_url": f"{r}/hooks",
            "issue_events_url": f"{r}/issues/events{{/number}}",
            "events_url": f"{r}/events",
            "assignees_url": f"{r}/assignees{{/user}}",
            "branches_url": f"{r}/branches{{/branch}}",
            "tags_url": f"{r}/tags",
            "blobs_url": f"{r}/git/blobs{{/sha}}",
            "git_tags_url": f"{r}/git/tags{{/sha}}",
            "git_refs_url": f"{r}/git/refs{{/sha}}",
            "trees_url": f"{r}/git/trees{{/sha}}",
            "statuses_url": f"{r}/statuses/{{sha}}",
            "languages_url": f"{r}/languages",
            "stargazers_url": f"{r}/stargazers",
            "contributors_url": f"{r}/contributors",
            "subscribers_url": f"{r}/subscribers",
            "subscription_url": f"{r}/subscription",
            "commits_url": f"{r}/commits{{/sha}}",
            "git_commits_url": f"{r}/git/commits{{/sha}}",
            "comments_url": f"{r}/comments{{/number}}",
            "issue_comment_url": f"{r}/issues/comments{{/number}}",
            "contents_url": f"{r}/contents/{{+path}}",
            "compare_url": f"{r}/compare/{{base}}...{{head}}",
            "merges_url": f"{r}/merges",
            "archive_url": f"{r}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{r}/downloads",
            "issues_url": f"{r}/issues{{/number}}",
            "pulls_url": f"{r}/pulls{{/number}}",
            "milestones_url": f"{r}/milestones{{/number}}",
            "notifications_url": f"{r}/notifications{{?since,all,participating}}",
            "labels_url": f"{r}/labels{{/name}}",
            "releases_url": f"{r}/releases{{/id}}",
            "deployments_url": f"{r}/deployments",
            "created_at": repo.created_at,
            "updated_at": repo.updated_at,
            "pushed_at": repo.pushed_at,
            "git_url": f"git://github.com/{full_name}.git",
            "ssh_url": f"git@github.com:{full_name}.git",
            "clone_url": f"https://github.com/{full_name}.git",
            "svn_url": f"https://github.com/{full_name}",
            "homepage": repo.homepage,
            "size": 0 if repo.empty else repo.size,
            "stargazers_count": repo.stars,
            "watchers_count": repo.stars,
            "language": repo.language,
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": True,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": repo.forks,
            "mirror_url": None,
            "archived": repo.archived,
            "disabled": False,
            "open_issues_count": 0,
            "license": licence,
            "allow_forking": True,
            "is_template": repo.is_template,
            "web_commit_signoff_required": False,
            "topics": list(repo.topics),
            "visibility": "public",
            "forks": repo.forks,
            "open_issues": 0,
            "watchers": repo.stars,
            "default_branch": repo.default_branch,
        }
        if caller.bucket != "unauthenticated":
            # GitHub adds the caller's own permissions once it knows who is asking.
            data["permissions"] = {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True}
        if full:
            data["custom_properties"] = {}
            if acct.kind == "Organization":
                data["organization"] = self._owner_json(acct)
            data["network_count"] = repo.forks
            data["subscribers_count"] = repo.stars // 4 + 1
        data.update(repo.raw)
        return data

    def _file_json(
        self, acct: _Account, repo: FakeRepo, path: str, data: bytes, *, content: bool = True
    ) -> dict[str, Any]:
        full_name = f"{acct.login}/{repo.name}"
        sha = _git_blob_sha(data)
        quoted = quote(path)
        api = f"{self.url}/repos/{full_name}/contents/{quoted}?ref={quote(repo.default_branch)}"
        git = f"{self.url}/repos/{full_name}/git/blobs/{sha}"
        html = f"https://github.com/{full_name}/blob/{quote(repo.default_branch)}/{quoted}"
        result: dict[str, Any] = {
            "name": PurePosixPath(path).name,
            "path": path,
            "sha": sha,
            "size": len(data),
            "url": api,
            "html_url": html,
            "git_url": git,
            "download_url": f"https://raw.githubusercontent.com/{full_name}/{quote(repo.default_branch)}/{quoted}",
            "type": "file",
        }
        if content:
            result["content"] = _github_base64(data)
            result["encoding"] = "base64"
        result["_links"] = {"self": api, "git": git, "html": html}
        return result

    # ------------------------------------------------------------------ route handlers (lock held)

    def _account(self, login: str | None, account_id: str | None) -> _Account | None:
        if account_id is not None:
            return self._account_by_id(int(account_id))
        return self._accounts.get((login or "").lower())

    def _get_org(self, req: _Request, login: str | None = None, account_id: str | None = None) -> _Result:
        acct = self._account(login, account_id)
        if acct is None or acct.kind != "Organization":
            return _not_found(_DOC_ORG)
        return _Result(200, self._org_json(acct), last_modified=_parse_iso(acct.updated_at))

    def _get_user(self, req: _Request, login: str | None = None, account_id: str | None = None) -> _Result:
        acct = self._account(login, account_id)
        if acct is None:
            return _not_found(_DOC_USER)
        return _Result(200, self._user_json(acct), last_modified=_parse_iso(acct.updated_at))

    def _list_org_repos(self, req: _Request, login: str | None = None, account_id: str | None = None) -> _Result:
        acct = self._account(login, account_id)
        if acct is None or acct.kind != "Organization":
            return _not_found(_DOC_ORG_REPOS)
        return self._list_repos(req, acct, f"{self.url}/organizations/{acct.id}/repos", org=True)

    def _list_user_repos(self, req: _Request, login: str | None = None, account_id: str | None = None) -> _Result:
        acct = self._account(login, account_id)
        if acct is None:
            return _not_found(_DOC_USER_REPOS)
        return self._list_repos(req, acct, f"{self.url}/user/{acct.id}/repos", org=False)

    def _list_repos(self, req: _Request, acct: _Account, link_base: str, *, org: bool) -> _Result:
        params = parse_qsl(req.query, keep_blank_values=True)
        query = dict(params)
        repo_type = query.get("type", "all" if org else "owner")
        sort = query.get("sort", "created" if org else "full_name")
        if sort not in ("created", "updated", "pushed", "full_name"):
            sort = "created" if org else "full_name"
        direction = query.get("direction", "asc" if sort == "full_name" else "desc")
        repos = self._repos_of(acct.login.lower())
        if repo_type == "forks":
            repos = [r for r in repos if r.fork]
        elif repo_type == "sources":
            repos = [r for r in repos if not r.fork]
        elif repo_type in ("private", "member", "internal"):
            repos = []  # every emulated repository is public and owned by the account

        def sort_key(r: FakeRepo) -> tuple[Any, int]:
            if sort == "full_name":
                return (r.name.lower(), r.id)
            return (_parse_iso({"created": r.created_at, "updated": r.updated_at, "pushed": r.pushed_at}[sort]), r.id)

        repos.sort(key=sort_key, reverse=direction == "desc")
        items, link = self._paginate(repos, params, link_base)
        result = _Result(200, [self._repo_json(acct, r, req.caller, full=False) for r in items])
        if link:
            result.headers.append(("link", link))
        return result

    @staticmethod
    def _paginate(items: list[Any], params: list[tuple[str, str]], link_base: str) -> tuple[list[Any], str]:
        query = dict(params)
        per_page = _int_param(query.get("per_page"), 30)
        per_page = 30 if per_page < 1 else min(per_page, 100)
        page = max(1, _int_param(query.get("page"), 1))
        last = max(1, math.ceil(len(items) / per_page))
        window = items[(page - 1) * per_page : page * per_page]
        if len(items) <= per_page and page == 1:
            return window, ""

        def url(n: int) -> str:
            new = [(k, str(n) if k == "page" else v) for k, v in params]
            if not any(k == "page" for k, _ in params):
                new.append(("page", str(n)))
            return f"<{link_base}?{urlencode(new)}>"

        links = []
        if page > 1:
            links.append(f'{url(min(page - 1, last))}; rel="prev"')
        if page < last:
            links.append(f'{url(page + 1)}; rel="next"')
            links.append(f'{url(last)}; rel="last"')
        if page > 1:
            links.append(f'{url(1)}; rel="first"')
        return window, ", ".join(links)

    def _repo_by_name(self, req: _Request, owner: str, name: str, rest: str = "") -> _Result:
        key = (owner.lower(), name.lower())
        repo_id = self._by_owner.get(key[0], {}).get(key[1])
        if repo_id is None:
            moved = self._aliases.get(key)
            if moved is not None and moved in self._repos:
                location = f"{self.url}/repositories/{moved}{rest}" + (f"?{req.query}" if req.query else "")
                payload = {"message": "Moved Permanently", "url": location, "documentation_url": REDIRECT_DOCS}
                return _Result(301, payload, headers=[("location", location)])
            return _not_found(self._doc_for(rest))
        return self._repo_sub(req, repo_id, rest)

    def _repo_by_id(self, req: _Request, repo_id: str, rest: str = "") -> _Result:
        if int(repo_id) not in self._repos:
            return _not_found(self._doc_for(rest))
        return self._repo_sub(req, int(repo_id), rest)

    @staticmethod
    def _doc_for(rest: str) -> str:
        if rest.startswith("/readme"):
            return _DOC_README
        if rest.startswith("/license"):
            return _DOC_LICENSE
        if rest.startswith("/contents"):
            return _DOC_CONTENTS
        return _DOC_REPO if rest in ("", "/") else DOCS_URL

    def _repo_sub(self, req: _Request, repo_id: int, rest: str) -> _Result:
        owner_key, repo = self._repos[repo_id]
        acct = self._accounts[owner_key]
        pushed = _parse_iso(repo.pushed_at)
        if rest in ("", "/"):
            last_modified = max(pushed, _parse_iso(repo.updated_at))
            return _Result(200, self._repo_json(acct, repo, req.caller, full=True), last_modified=last_modified)
        if rest == "/readme":
            if repo.empty:
                return _empty_repo(_DOC_README)
            if repo.readme is None:
                return _not_found(_DOC_README)
            return self._file_result(req, acct, repo, repo.readme_path, repo.readme, pushed)
        if rest == "/license":
            if repo.empty:
                return _empty_repo(_DOC_LICENSE)
            if repo.license_file is None or repo.license_spdx is None:
                return _not_found(_DOC_LICENSE)
            result = self._file_result(req, acct, repo, repo.license_path, repo.license_file, pushed)
            if result.raw is None:
                result.payload["license"] = self._licence_json(repo.license_spdx)
            return result
        if rest == "/contents" or rest.startswith("/contents/"):
            if repo.empty:
                return _empty_repo(_DOC_CONTENTS)
            files = self._files_of(repo)
            path = rest.removeprefix("/contents").strip("/")
            if not path:
                listing = [self._file_json(acct, repo, p, files[p], content=False) for p in sorted(files)]
                return _Result(200, listing, last_modified=pushed)
            if path in files:
                return self._file_result(req, acct, repo, path, files[path], pushed)
            return _not_found(_DOC_CONTENTS)
        if rest == "/installation":
            return self._account_installation(req, login=acct.login)
        return _not_found()

    @staticmethod
    def _files_of(repo: FakeRepo) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        if repo.readme is not None:
            files[repo.readme_path] = repo.readme
        if repo.license_file is not None:
            files[repo.license_path] = repo.license_file
        return files

    def _file_result(
        self, req: _Request, acct: _Account, repo: FakeRepo, path: str, data: bytes, last_modified: float
    ) -> _Result:
        if req.wants_raw:
            return _Result(
                200,
                raw=data,
                content_type=RAW_TYPE,
                media_type="github.v3; param=raw",
                last_modified=last_modified,
            )
        return _Result(200, self._file_json(acct, repo, path, data), last_modified=last_modified)

    def _rate_limit_result(self, caller: _Caller) -> _Result:
        with self._lock:
            now = self.clock()
            bucket = self._bucket(caller.bucket)
            bucket.refresh(now)
            core = {
                "limit": bucket.limit,
                "used": bucket.used,
                "remaining": max(0, bucket.remaining),
                "reset": int(bucket.reset_at),
            }
        authenticated = caller.bucket != "unauthenticated"

        def other(limit: int, window: float = RATE_WINDOW) -> dict[str, int]:
            return {"limit": limit, "used": 0, "remaining": limit, "reset": int(now + window)}

        resources = {
            "core": core,
            "search": self.search.rate(caller.bucket),
            "graphql": other(5000 if authenticated else 0),
            "integration_manifest": other(5000),
            "source_import": other(100 if authenticated else 0, 60),
            "code_scanning_upload": other(1000 if authenticated else 0),
            "actions_runner_registration": other(10000 if authenticated else 0),
            "scim": other(15000 if authenticated else 0),
            "dependency_snapshots": other(100 if authenticated else 0, 60),
            "code_search": other(10 if authenticated else 0, 60),
        }
        return _Result(200, {"resources": resources, "rate": dict(core)})

    # ------------------------------------------------------------------ GitHub App endpoints

    def _app_json(self, app: _App) -> dict[str, Any]:
        slug = f"councilcode-test-app-{app.app_id}"
        first = next(iter(self._accounts.values()), None)
        return {
            "id": app.app_id,
            "client_id": f"Iv1.{app.app_id:016x}",
            "slug": slug,
            "node_id": _b64(f"03:Integration{app.app_id}"),
            "owner": self._owner_json(first) if first else None,
            "name": f"councilcode test app {app.app_id}",
            "description": "",
            "external_url": "https://example.org/councilcode",
            "html_url": f"https://github.com/apps/{slug}",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "permissions": {"contents": "read", "metadata": "read"},
            "events": [],
            "installations_count": len(app.installations),
        }

    def _installation_account(self, inst: _Installation) -> _Account | None:
        if inst.account is not None:
            return self._accounts.get(inst.account.lower())
        return next(iter(self._accounts.values()), None)

    def _installation_json(self, app: _App, inst: _Installation) -> dict[str, Any]:
        acct = self._installation_account(inst)
        login = acct.login if acct else "unknown"
        return {
            "id": inst.id,
            "client_id": f"Iv1.{app.app_id:016x}",
            "account": self._owner_json(acct) if acct else None,
            "repository_selection": "all",
            "access_tokens_url": f"{self.url}/app/installations/{inst.id}/access_tokens",
            "repositories_url": f"{self.url}/installation/repositories",
            "html_url": f"https://github.com/organizations/{login}/settings/installations/{inst.id}",
            "app_id": app.app_id,
            "app_slug": f"councilcode-test-app-{app.app_id}",
            "target_id": acct.id if acct else 0,
            "target_type": acct.kind if acct else "Organization",
            "permissions": {"contents": "read", "metadata": "read"},
            "events": [],
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "single_file_name": None,
            "has_multiple_single_files": False,
            "single_file_paths": [],
            "suspended_by": None,
            "suspended_at": None,
        }

    def _caller_app(self, req: _Request) -> _App:
        return self._apps[str(req.caller.app_id)]

    def _get_app(self, req: _Request) -> _Result:
        return _Result(200, self._app_json(self._caller_app(req)))

    def _list_installations(self, req: _Request) -> _Result:
        app = self._caller_app(req)
        installations = [self._installation_json(app, i) for i in app.installations.values()]
        items, link = self._paginate(
            installations, parse_qsl(req.query, keep_blank_values=True), f"{self.url}/app/installations"
        )
        return _Result(200, items, headers=[("link", link)] if link else [])

    def _get_installation(self, req: _Request, iid: str) -> _Result:
        app = self._caller_app(req)
        inst = app.installations.get(int(iid))
        if inst is None:
            return _not_found(_DOC_INSTALLATION)
        return _Result(200, self._installation_json(app, inst))

    def _account_installation(self, req: _Request, login: str) -> _Result:
        app = self._caller_app(req)
        for inst in app.installations.values():
            acct = self._installation_account(inst)
            if acct is not None and acct.login.lower() == login.lower():
                return _Result(200, self._installation_json(app, inst))
        return _not_found(_DOC_INSTALLATION)

    def _create_token(self, req: _Request, iid: str) -> _Result:
        app = self._caller_app(req)
        inst = app.installations.get(int(iid))
        if inst is None:
            return _not_found(_DOC_APP_TOKEN)
        try:
            body = json.loads(req.body or b"{}")
        except ValueError:
            return _error(400, "Problems parsing JSON", _DOC_APP_TOKEN)
        permissions = (body.get("permissions") if isinstance(body, dict) else None) or {
            "contents": "read",
            "metadata": "read",
        }
        alphabet = string.ascii_letters + string.digits
        token = "ghs_" + "".join(secrets.choice(alphabet) for _ in range(36))
        expires_at = self.clock() + inst.token_ttl
        self._issued[token] = _IssuedToken(inst.id, expires_at)
        payload = {
            "token": token,
            "expires_at": _iso(expires_at),
            "permissions": permissions,
            "repository_selection": "all",
        }
        return _Result(201, payload)

    def _installation_repos(self, req: _Request) -> _Result:
        iid = req.caller.installation_id
        if iid is None or iid not in self._installations:
            return _error(
                403,
                "You must authenticate with an installation access token in order to list repositories "
                "for an installation.",
                "https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation",
            )
        inst = self._installations[iid].installations[iid]
        acct = self._installation_account(inst)
        owners = [acct] if acct is not None else list(self._accounts.values())
        pairs = [(a, r) for a in owners for r in self._repos_of(a.login.lower())]
        pairs.sort(key=lambda pair: pair[1].id)
        items, link = self._paginate(
            pairs, parse_qsl(req.query, keep_blank_values=True), f"{self.url}/installation/repositories"
        )
        payload = {
            "total_count": len(pairs),
            "repository_selection": "all",
            "repositories": [self._repo_json(a, r, req.caller, full=False) for a, r in items],
        }
        return _Result(200, payload, headers=[("link", link)] if link else [])


# --------------------------------------------------------------------------- the real corpus

# What each corpus licence file is, by SPDX-style id (as councilcode.crawler.licence spells it).
# Written from the licence column of the corpus README's tables, each checked against the file
# itself. Where they differ the file decides: traffordDataLab/spatial_data's README row says
# OGL-UK-3.0, but its licence file begins "Code within this repository is released under the MIT
# Licence" (the OGL covers its other resources), and the licence that comes first is the project's.
CORPUS_LICENCES: dict[str, str] = {
    "BathnesDevelopment/Phonebook": "MIT",
    "BathnesDevelopment/Public-Art": "MIT",
    "Buckinghamshire-Digital-Service/buckinghamshire-council": "BSD-3-Clause",
    "CityOfYork/coding-standards": "MIT",
    "Dorset-Council-UK/FloodOnlineReportingTool.Contracts": "MIT",
    "Dorset-Council-UK/FloodOnlineReportingTool.DataAccess": "MIT",
    "Dorset-Council-UK/FloodOnlineReportingTool.Public": "MIT",
    "Dorset-Council-UK/GdsBlazorComponents": "MIT",
    "Dorset-Council-UK/GdsBlazorComponents-Demo": "MIT",  # template's "[year] [fullname]" left in
    "Dorset-Council-UK/GIFramework-Maps": "MIT",
    "Dorset-Council-UK/qgis-configurable-search": "MIT",
    "Dorset-Council-UK/QGIS.Mosaic.Builder": "MIT",
    "DundeeCityCouncil/GIS": "GPL-3.0",
    "DundeeCityCouncil/WABWidgets": "AGPL-3.0",
    "east-sussex-county-council/Escc.AZ": "OGL-UK-3.0",  # one-line pointer to OGL v3
    "east-sussex-county-council/Escc.AzureDeployment": "OGL-UK-1.0",  # one-line pointer, v1 URL
    "east-sussex-county-council/Escc.EastSussexGovUK.Umbraco": "OGL-UK-3.0",
    "east-sussex-county-council/Escc.Gritting": "OGL-UK-1.0",  # one-line pointer, v1 URL
    "east-sussex-county-council/Escc.js": "OGL-UK-3.0",  # pointer with "except where individual files state otherwise"
    "east-sussex-county-council/Escc.Libraries.BranchFinder": "OGL-UK-3.0",
    "east-sussex-county-council/Escc.Redirects": "OGL-UK-3.0",
    "east-sussex-county-council/Escc.RubbishAndRecycling.SiteFinder": "OGL-UK-3.0",
    "east-sussex-county-council/Escc.Schools.SchoolClosures": "OGL-UK-3.0",
    "east-sussex-county-council/Escc.ServiceClosures": "OGL-UK-1.0",  # one-line pointer, v1 URL
    "east-sussex-county-council/Escc.SupportWithConfidence": "OGL-UK-3.0",
    "east-sussex-county-council/Escc.Umbraco.UserAccessManager": "OGL-UK-3.0",
    "edinburghcouncil/csv2geojson": "MIT",
    "essexcountycouncil/content_ownership": "MIT",
    "essexcountycouncil/essex-gov-uk-drupal": "GPL-2.0",
    "essexcountycouncil/essex-intranet-drupal": "GPL-2.0",
    "essexcountycouncil/essexgovuk-migration-helpers": "MIT",
    "essexcountycouncil/send-lgdrupal": "GPL-2.0",
    "essexcountycouncil/stopswapgo.co.uk": "MIT",  # gatsbyjs starter's licence
    "HfdsCouncil/Newsroom": "LGPL-3.0",
    "LBCamden/lbcamden-frontend": "MIT",  # Crown Copyright (GDS) notice
    "LBHackney-IT/housing-search-api": "MIT",
    "LBHackney-IT/lbh-frontend": "MIT",  # Crown Copyright (Hackney Council) notice
    "LBHackney-IT/maintain-my-home": "GPL-3.0",
    "LBHackney-IT/repairs-api-dotnet": "MIT",
    "LBHackney-IT/report-a-defect": "MIT",
    "LBHounslow/hounslow-intranet-knowledge-base": "GPL-3.0",
    "LBHounslow/hounslow-intranet-theme": "GPL-2.0",
    "LeedsCityCouncil/LeedsCityDashboard": "EPL-1.0",  # Markdown-formatted
    "LocalGovDigital/lgd-wp-composer": "AGPL-3.0",
    "LocalGovDigital/lgd-wp-theme": "GPL-3.0",
    "localgovdrupal/localgov_alert_banner": "GPL-2.0",
    "localgovdrupal/localgov_elections": "GPL-2.0",
    "localgovdrupal/localgov_forms": "GPL-2.0",
    "localgovdrupal/localgov_services": "GPL-2.0",
    "LondonBoroughSutton/slwp-prototype": "MIT",  # no title; Crown Copyright (GDS) notice
    "LondonBoroughSutton/sutton-information-hub-v2-admin": "AGPL-3.0",
    "LondonBoroughSutton/sutton-information-hub-v2-api": "AGPL-3.0",
    "LutonCouncil/report-a-missed-bin": "MIT",
    "openglasgow/ckanext-glasgow_theme": "AGPL-3.0",
    "openglasgow/glasgow-cycling-ios": "MIT",  # no copyright holder
    "openglasgow/openglasgow.samples.api.publish.charp": "Apache-2.0",
    "Reading-Borough-Council/GoSearch": "MIT",  # extra "Author:" line
    "RoyalBoroughKingston/ck-api": "AGPL-3.0",
    "RoyalBoroughKingston/ck-api-v2": "AGPL-3.0",
    "RoyalBoroughKingston/ck-backend": "AGPL-3.0",
    "RoyalBoroughKingston/ck-frontend": "AGPL-3.0",
    "RoyalBoroughKingston/early-intervention-prototype": "MIT",
    "ShropshireCouncil/LocalGovUmbraco": "GPL-3.0",  # Markdown-formatted
    "smbc-digital/iag-webapp": "MIT",
    "Surrey-County-Council/jsna-climate-and-environment": "OGL-UK-3.0",  # typo "lisence", then OGL 3.0 text
    "surreydigitalservices/locate-api": "MIT",  # no title; Crown Copyright (GDS) notice
    "surreydigitalservices/locate-api-frontend": "MIT",  # no title; HM Government notice
    "surreydigitalservices/locate-api-test": "MIT",
    "TheHighlandCouncil/schoolclosures": "GPL-2.0",
    "traffordDataLab/council_open_data": "OGL-UK-3.0",  # full OGL 3.0 text
    "traffordDataLab/dashboard": "MIT",
    "traffordDataLab/leaflet.reachability": "MIT",
    "traffordDataLab/population_picker": "MIT",
    "traffordDataLab/spatial_data": "MIT",  # "Code ... released under the MIT Licence", then MIT and OGL texts
    "traffordDataLab/trafford_themes": "MIT",
    "warwickshire/omniauth_antechamber": "MIT",
    "warwickshire/saml_tools": "MIT",
    "warwickshire/SLDs": "GPL-2.0",
    "wmfs/cardscript": "MIT",
    "wmfs/food-hygiene-blueprint": "MIT",
    "wmfs/gazetteer-blueprint": "MIT",
    "wmfs/j2119": "MIT",
    "wmfs/json-schema-builder": "MIT",
    "wmfs/notify-locator-server": "MIT",
    "wmfs/pg-telepods": "MIT",
    "wmfs/quasar-map-mapbox": "MIT",
    "wmfs/statebox": "MIT",
    "wmfs/tymly": "MIT",
    "wmfs/tymly-core": "MIT",
}

# The corpus repositories whose licence file GitHub's licence detection does not match to a
# licence it knows, so that GitHub reports "NOASSERTION" and the crawler has to read the file: the
# Open Government Licence (GitHub does not know it), and standard texts that were reformatted or
# changed. GitHub reports the others' plain standard texts by their SPDX id.
GITHUB_NOASSERTION: frozenset[str] = frozenset(
    {
        "east-sussex-county-council/Escc.AZ",  # one-line pointer to OGL v3
        "east-sussex-county-council/Escc.AzureDeployment",  # one-line pointer to OGL v1
        "east-sussex-county-council/Escc.EastSussexGovUK.Umbraco",  # one-line pointer to OGL v3
        "east-sussex-county-council/Escc.Gritting",  # one-line pointer to OGL v1
        "east-sussex-county-council/Escc.js",  # one-line pointer to OGL v3, with an exception
        "east-sussex-county-council/Escc.Libraries.BranchFinder",  # one-line pointer to OGL v3
        "east-sussex-county-council/Escc.Redirects",  # one-line pointer to OGL v3
        "east-sussex-county-council/Escc.RubbishAndRecycling.SiteFinder",  # one-line pointer to OGL v3
        "east-sussex-county-council/Escc.Schools.SchoolClosures",  # one-line pointer to OGL v3
        "east-sussex-county-council/Escc.ServiceClosures",  # one-line pointer to OGL v1
        "east-sussex-county-council/Escc.SupportWithConfidence",  # one-line pointer to OGL v3
        "east-sussex-county-council/Escc.Umbraco.UserAccessManager",  # one-line pointer to OGL v3
        "LeedsCityCouncil/LeedsCityDashboard",  # EPL-1.0 reformatted as Markdown
        "Reading-Borough-Council/GoSearch",  # MIT with an extra "Author:" line
        "ShropshireCouncil/LocalGovUmbraco",  # GPL-3.0 reformatted as Markdown
        "Surrey-County-Council/jsna-climate-and-environment",  # note on data, then OGL 3.0 text
        "traffordDataLab/council_open_data",  # OGL 3.0 full text
        "traffordDataLab/spatial_data",  # MIT for code, OGL 3.0 for the rest: both texts
    }
)

# What GitHub's licence detection says about each corpus repository that has a licence file.
# This is GitHub's answer, not the truth the crawler has to find.
CORPUS_GITHUB_LICENCES: dict[str, str] = {
    repo: "NOASSERTION" if repo in GITHUB_NOASSERTION else spdx for repo, spdx in CORPUS_LICENCES.items()
}


# The corpus holds no creation dates; every corpus repository is said to have been created then,
# or at its last commit if that came earlier.
_CORPUS_CREATED_AT = "2020-01-01T00:00:00Z"


def load_corpus(
    emulator: GitHubEmulator, corpus_dir: Path = CORPUS_DIR, *, include_empty_orgs: bool = False
) -> dict[str, list[FakeRepo]]:
    """Load the UK council corpus (orgs.json + repos/<org>/<repo>/) into `emulator`.

    Every org with `repos_in_corpus` becomes an Organization account (every org in orgs.json
    with `include_empty_orgs`); returns {org handle: [repos]}. GitHub-only metadata the corpus
    does not hold (description, topics, stars) stays empty.
    """
    corpus_dir = Path(corpus_dir)
    orgs = json.loads((corpus_dir / "orgs.json").read_text(encoding="utf-8"))
    loaded: dict[str, list[FakeRepo]] = {}
    for org in orgs:
        if org.get("repos_in_corpus") or include_empty_orgs:
            emulator.add_account(org["org"], "Organization", name=org.get("council_name"))
    for meta_path in sorted((corpus_dir / "repos").glob("*/*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        repo_dir = meta_path.parent
        readme_path, licence_path = meta.get("readme_path"), meta.get("license_path")
        # The corpus has no creation dates; never let created_at come after the last push.
        created = _CORPUS_CREATED_AT
        if meta.get("last_commit_iso"):
            pushed = _utc_iso(meta["last_commit_iso"])
            created = min(created, pushed, key=_parse_iso)
        else:
            # GitHub never answers null for pushed_at of a repository with commits, but the corpus
            # rebuilt a few repositories from stored text and knows neither their last commit nor
            # any other date. Report pushed_at equal to created_at, which is what GitHub shows for
            # a repository nothing was pushed to after its creation (an import, say), rather than
            # invent a recent push that a test could mistake for the real date.
            pushed = created
        full_name = f"{meta['org']}/{meta['name']}"
        spdx = CORPUS_GITHUB_LICENCES.get(full_name, "NOASSERTION") if licence_path else None
        repo = FakeRepo(
            name=meta["name"],
            language=meta.get("primary_language"),
            # Every GitHub repository has a default branch; where the corpus does not know it,
            # "main", GitHub's default for new repositories since October 2020.
            default_branch=meta.get("default_branch") or "main",
            created_at=created,
            pushed_at=pushed,
            updated_at=pushed,
            readme=(repo_dir / readme_path).read_bytes() if readme_path else None,
            readme_path=readme_path or "README.md",
            license_file=(repo_dir / licence_path).read_bytes() if licence_path else None,
            license_path=licence_path or "LICENSE",
            license_spdx=spdx,
        )
        emulator.add_repo(meta["org"], repo)
        loaded.setdefault(meta["org"], []).append(repo)
    return loaded


# --------------------------------------------------------------------------- synthetic repositories

_AREAS = (
    ("bin-collections", "bin collection day look-up"),
    ("planning-applications", "planning application search"),
    ("council-tax", "council tax accounts"),
    ("parking-permits", "parking permit applications"),
    ("library-catalogue", "the library catalogue"),
    ("school-admissions", "school admissions"),
    ("street-lighting", "street lighting fault reports"),
    ("potholes", "pothole reporting"),
    ("housing-repairs", "housing repairs"),
    ("waste-calendar", "the waste and recycling calendar"),
    ("committee-minutes", "committee papers and minutes"),
    ("open-data", "open data publishing"),
    ("design-system", "the council design system"),
    ("gis-maps", "web maps and GIS layers"),
    ("foi-requests", "freedom of information requests"),
    ("adult-social-care", "adult social care referrals"),
    ("electoral-register", "the electoral register canvass"),
    ("licensing", "licensing applications"),
    ("highways", "highways asset management"),
    ("flood-alerts", "flood warnings"),
    ("business-rates", "business rates"),
    ("blue-badge", "Blue Badge applications"),
    ("care-finder", "finding care providers"),
    ("events-calendar", "the events calendar"),
    ("contact-centre", "the contact centre"),
    ("website", "the council website"),
    ("intranet", "the staff intranet"),
    ("forms", "online forms"),
    ("address-lookup", "address look-ups against the LLPG"),
    ("payments", "online payments"),
)
_KINDS = (
    ("api", "API"),
    ("frontend", "Front end"),
    ("service", "Service"),
    ("etl", "Data pipeline"),
    ("dashboard", "Dashboard"),
    ("bot", "Chatbot"),
    ("theme", "Drupal theme"),
    ("plugin", "Plugin"),
    ("scripts", "Scripts"),
    ("infrastructure", "Terraform infrastructure"),
    ("app", "Mobile app"),
    ("prototype", "Alpha prototype"),
    ("functions", "Serverless functions"),
)
_LANGUAGES = (
    "Python",
    "C#",
    "PHP",
    "JavaScript",
    "TypeScript",
    "Ruby",
    "Go",
    "Java",
    "HTML",
    "SCSS",
    "Shell",
    "R",
    "HCL",
    "Vue",
    None,
)
_TOPICS = (
    "local-government",
    "govtech",
    "uk",
    "council",
    "open-data",
    "gov-uk",
    "drupal",
    "localgov-drupal",
    "wagtail",
    "dotnet",
    "accessibility",
    "gis",
    "api",
    "terraform",
    "civic-tech",
)
# (cumulative probability, SPDX id or None); ~5% NOASSERTION, ~30% without a licence
_LICENCE_MIX = (
    (0.05, "NOASSERTION"),
    (0.45, "MIT"),
    (0.53, "GPL-3.0"),
    (0.58, "GPL-2.0"),
    (0.64, "Apache-2.0"),
    (0.67, "BSD-3-Clause"),
    (0.70, "AGPL-3.0"),
    (1.00, None),
)
_LICENCE_TITLES = {
    "MIT": "MIT License",
    "GPL-3.0": "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007",
    "GPL-2.0": "GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991",
    "Apache-2.0": "Apache License\nVersion 2.0, January 2004",
    "BSD-3-Clause": "BSD 3-Clause License",
    "AGPL-3.0": "GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007",
}


def _council_name(owner: str) -> str:
    words = re.split(r"[-_.]+", owner)
    name = " ".join(w if w.isupper() else w.capitalize() for w in words if w)
    return name if "council" in name.lower() else f"{name} Council"


def _synthetic_readme(title: str, description: str, council: str, rng: random.Random) -> bytes:
    sections = [f"# {title}\n", f"{description}.\n", f"Maintained by the digital team at {council}.\n"]
    if rng.random() < 0.7:
        sections.append("## Getting started\n\n```sh\nmake install\nmake run\n```\n")
    if rng.random() < 0.5:
        sections.append("## Contributing\n\nIssues and pull requests are welcome. Please read CONTRIBUTING.md first.\n")
    if rng.random() < 0.4:
        sections.append("## Licence\n\nSee the LICENCE file. © Crown copyright, reused under the terms stated there.\n")
    return "\n".join(sections).encode("utf-8")


def add_synthetic_repos(
    emulator: GitHubEmulator,
    owner: str,
    count: int,
    *,
    seed: int = 0,
    readmes: list[bytes] | None = None,
) -> list[FakeRepo]:
    """Add `count` deterministic, plausible council repositories to `owner` and return them.

    The mix: varied languages and topics, ~5% NOASSERTION licences with an OGL licence file,
    ~30% without a licence, ~3% empty repositories, ~4% without a README, some archived
    repositories, forks and templates. README bytes cycle through `readmes` when given.
    """
    rng = random.Random(f"{seed}:{owner.lower()}")
    council = _council_name(owner)
    with emulator._lock:
        taken = set(emulator._by_owner.get(owner.lower(), {}))
    added: list[FakeRepo] = []
    for i in range(count):
        area, area_text = rng.choice(_AREAS)
        kind, kind_text = rng.choice(_KINDS)
        base = name = f"{area}-{kind}"
        suffix = 2
        while name.lower() in taken:
            name = f"{base}-{suffix}"
            suffix += 1
        taken.add(name.lower())

        created = rng.uniform(_parse_iso("2012-01-01T00:00:00Z"), _parse_iso("2023-12-31T00:00:00Z"))
        pushed = min(created + rng.uniform(0, 4 * 365 * 86400), _parse_iso("2025-06-30T00:00:00Z"))
        updated = pushed + rng.uniform(0, 30 * 86400)
        repo = FakeRepo(
            name=name,
            description=f"{kind_text} for {area_text} at {council}" if rng.random() < 0.9 else None,
            homepage=f"https://www.example.gov.uk/{area}" if rng.random() < 0.15 else None,
            language=rng.choice(_LANGUAGES),
            topics=sorted(rng.sample(_TOPICS, rng.randint(0, 4))),
            stars=int(rng.expovariate(0.25)),
            archived=rng.random() < 0.08,
            fork=rng.random() < 0.05,
            is_template=rng.random() < 0.01,
            default_branch=rng.choice(("main", "main", "main", "master", "master", "develop")),
            created_at=_iso(created),
            pushed_at=_iso(pushed),
            updated_at=_iso(updated),
        )
        repo.forks = repo.stars // 3 + rng.randint(0, 2)
        if rng.random() < 0.03:
            repo.empty = True
            repo.language = None
            repo.pushed_at = repo.created_at
        else:
            if rng.random() >= 0.04:
                if readmes:
                    repo.readme = readmes[i % len(readmes)]
                else:
                    title = name.replace("-", " ").capitalize()
                    repo.readme = _synthetic_readme(title, repo.description or title, council, rng)
                repo.readme_path = rng.choice(("README.md",) * 18 + ("readme.md", "README.rst"))
            roll = rng.random()
            spdx = next(s for limit, s in _LICENCE_MIX if roll < limit)
            if spdx == "NOASSERTION":
                repo.license_path = rng.choice(("LICENCE", "LICENSE.md", "LICENCE.md"))
                repo.license_file = (
                    b"This code is released under the [Open Government Licence v3]"
                    b"(http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).\n"
                )
            elif spdx is not None:
                year = datetime.fromtimestamp(created, UTC).year
                repo.license_path = rng.choice(("LICENSE", "LICENSE", "LICENCE", "LICENSE.md", "LICENSE.txt"))
                repo.license_file = (
                    f"{_LICENCE_TITLES[spdx]}\n\nCopyright (c) {year} {council}\n\n"
                    "(The rest of the standard licence text is left out of this synthetic repository.)\n"
                ).encode()
            repo.license_spdx = spdx
        added.append(emulator.add_repo(owner, repo))
    return added


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """Run the emulator in the foreground until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.github_emulator",
        description="Serve an emulated GitHub REST API on 127.0.0.1 for manual crawler runs.",
    )
    parser.add_argument(
        "--corpus",
        nargs="?",
        const=str(CORPUS_DIR),
        metavar="DIR",
        help=f"load the council corpus (default folder: {CORPUS_DIR})",
    )
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="add N synthetic repositories")
    parser.add_argument(
        "--owner", default="example-borough-council", help="organisation for the synthetic repositories"
    )
    parser.add_argument("--port", type=int, default=0, metavar="P", help="port to listen on (0 picks one)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="S", help="seconds of delay per request")
    parser.add_argument("--token", action="append", help="accept only these tokens (repeatable)")
    args = parser.parse_args(argv)

    emulator = GitHubEmulator(latency=args.latency, port=args.port, tokens=set(args.token) if args.token else None)
    if args.corpus:
        load_corpus(emulator, Path(args.corpus))
    if args.synthetic:
        add_synthetic_repos(emulator, args.owner, args.synthetic)

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with emulator:
        with emulator._lock:
            accounts, repos = len(emulator._accounts), len(emulator._repos)
        print(f"GitHub emulator listening on {emulator.url}", flush=True)
        print(f"{accounts} accounts, {repos} repositories. Press Ctrl-C to stop.", flush=True)
        stop.wait()
    print("GitHub emulator stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

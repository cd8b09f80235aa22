"""The crawl: every configured handle's public repositories, READMEs and licences into the catalogue.

Per handle: look the account up (organisation, else user), follow the listing's `Link: rel="next"`
pages, fetch the README (and the licence file where GitHub could not name the licence) of each
repository that changed since the last crawl, then store the whole handle in one transaction.
Conditional requests make a crawl where nothing changed cost no rate limit at all.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from councilcode.catalogue import CacheEntry, Catalogue, HandleChanges, HandleResult
from councilcode.crawler.accounts import USER, UnexpectedAnswer, find_account
from councilcode.crawler.auth import AuthError
from councilcode.crawler.github import ApiError, ApiResponse, CrawlStopped, GitHubClient, RequestStats
from councilcode.crawler.licence import identify_licence, licence_from_github
from councilcode.crawler.text import decode_text
from councilcode.errors import CouncilcodeError
from councilcode.records import Council, Repository

log = logging.getLogger(__name__)

# A listing has one page per 100 repositories; no council has 100,000.
MAX_PAGES = 1000
UNRECOGNISED_LICENCE = "NOASSERTION"


class CrawlError(CouncilcodeError):
    """A handle could not be crawled; the message says why."""

    exit_code = 2


class Progress(Protocol):
    """Where the crawl reports how it is going (a rich progress bar or plain log lines)."""

    def start(self, handles: int) -> None: ...

    def handle_done(self, outcome: HandleOutcome) -> None: ...


@dataclass
class HandleOutcome:
    handle: str
    council: str
    status: str  # 'ok', 'failed', or 'stopped' (not reached before the crawl stopped)
    repositories: int = 0
    changes: HandleChanges = field(default_factory=HandleChanges)
    error: str | None = None


@dataclass
class CrawlSummary:
    run_id: int
    outcomes: list[HandleOutcome]
    stats: RequestStats
    stopped: str | None = None  # why the crawl stopped early, if it did

    @property
    def failed(self) -> list[HandleOutcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    @property
    def repositories(self) -> int:
        return sum(o.repositories for o in self.outcomes)

    def total(self, kind: str) -> int:
        return sum(getattr(o.changes, kind) for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0 when every handle was crawled, 1 when some were not (the rest are saved)."""
        return 1 if self.failed else 0


class Crawler:
    """Crawls handles with one shared client; writes each handle to the catalogue as it finishes."""

    def __init__(self, catalogue: Catalogue, client: GitHubClient, progress: Progress | None = None) -> None:
        self.catalogue = catalogue
        self.client = client
        self.progress = progress
        self._cache: dict[str, CacheEntry] = {}

    async def crawl(
        self, councils: Sequence[Council], handles: Sequence[str] | None = None, *, trigger: str = "manual"
    ) -> CrawlSummary:
        """Crawl the councils' handles (or only `handles`) and record the run in the catalogue."""
        self.catalogue.sync_councils(councils)
        todo = _select_handles(councils, handles)
        self._cache = self.catalogue.cache_entries()
        run_id = self.catalogue.start_run(trigger)
        if self.progress:
            self.progress.start(len(todo))
        outcomes: dict[str, HandleOutcome] = {}
        stopped: str | None = None
        handle_slots = asyncio.Semaphore(max(1, self.client.concurrency))

        async def one(handle: str, council: str) -> None:
            async with handle_slots:
                outcome = await self._crawl_and_store(handle, council, run_id)
            outcomes[handle] = outcome
            if self.progress:
                self.progress.handle_done(outcome)

        try:
            async with asyncio.TaskGroup() as group:
                for handle, council in todo:
                    group.create_task(one(handle, council))
        except asyncio.CancelledError:
            # Stopped from outside (SIGTERM, Ctrl-C): handles already stored stay stored.
            done = [o for o in outcomes.values() if o.status == "ok"]
            self.catalogue.finish_run(
                run_id,
                status="interrupted",
                handles_total=len(todo),
                handles_failed=len(todo) - len(done),
                repos_added=sum(o.changes.added for o in done),
                repos_changed=sum(o.changes.changed for o in done),
                repos_removed=sum(o.changes.removed for o in done),
                requests_charged=self.client.stats.charged,
                requests_not_modified=self.client.stats.not_modified,
                rate_limit_remaining=self.client.stats.rate_limit_remaining,
                message=f"stopped after {len(done)} of {len(todo)} handles",
            )
            raise
        except BaseExceptionGroup as failure:
            stop = failure.subgroup(CrawlStopped)
            if stop is None:
                # Not one handle's trouble (those are caught per handle) but the catalogue's, say a
                # full disk: raise it bare so callers can name it instead of showing a group traceback.
                raise _first_leaf(failure) from None
            stopped = str(_first_leaf(stop))
        for handle, council in todo:
            if handle not in outcomes:
                outcomes[handle] = HandleOutcome(handle, council, "stopped", error=f"not crawled: {stopped}")
                self.catalogue.record_handle_failure(handle, f"not crawled: {stopped}", run_id, status="stopped")
        summary = CrawlSummary(run_id, [outcomes[h] for h, _ in todo], self.client.stats, stopped)
        self._finish_run(summary)
        return summary

    async def _crawl_and_store(self, handle: str, council: str, run_id: int) -> HandleOutcome:
        try:
            result = await self.crawl_handle(handle, council)
        except (ApiError, AuthError, CrawlError) as exc:
            error = str(exc)
        except (KeyError, TypeError, ValueError) as exc:
            # A malformed API answer: name it, keep what is stored, go on with the other handles.
            error = f"unexpected answer from GitHub ({type(exc).__name__}: {exc})"
        else:
            changes = self.catalogue.store_handle(result, run_id)
            return HandleOutcome(handle, council, "ok", len(result.repositories), changes)
        self.catalogue.record_handle_failure(handle, error, run_id)
        return HandleOutcome(handle, council, "failed", error=error)

    def _finish_run(self, summary: CrawlSummary) -> None:
        failed = len(summary.failed)
        if summary.stopped:
            status = "stopped"
        elif failed == len(summary.outcomes) and failed:
            status = "failed"
        else:
            status = "partial" if failed else "ok"
        self.catalogue.finish_run(
            summary.run_id,
            status=status,
            handles_total=len(summary.outcomes),
            handles_failed=failed,
            repos_added=summary.total("added"),
            repos_changed=summary.total("changed"),
            repos_removed=summary.total("removed"),
            requests_charged=summary.stats.charged,
            requests_not_modified=summary.stats.not_modified,
            rate_limit_remaining=summary.stats.rate_limit_remaining,
            message=summary.stopped,
        )

    # -- one handle ----------------------------------------------------------------------------

    async def crawl_handle(self, handle: str, council: str) -> HandleResult:
        """Everything about one handle, fetched but not yet stored."""
        login, account_type, new_cache = await self._account(handle)
        stored = self.catalogue.repositories_by_id(handle)
        kind = "orgs" if account_type == "Organization" else "users"
        # `type=owner` for users: their own repositories, not ones they only collaborate on.
        url: str | None = self.client.url(
            f"/{kind}/{login}/repos?per_page=100&type=" + ("public" if kind == "orgs" else "owner")
        )
        listed: dict[int, asyncio.Task[tuple[Repository, list[CacheEntry]]]] = {}
        pages = 0
        try:
            async with asyncio.TaskGroup() as group:
                while url:
                    pages += 1
                    if pages > MAX_PAGES:
                        raise CrawlError(f"more than {MAX_PAGES} listing pages; stopping there")
                    items, url, entry = await self._listing_page(url)
                    if entry:
                        new_cache.append(entry)
                    for item in items:
                        # A repository can shift between pages while we read them; the last copy wins.
                        previous = stored.get(item["id"])
                        listed[item["id"]] = group.create_task(self._repository(item, council, previous))
        except BaseExceptionGroup as failure:
            # Report the one cause that matters: a stop first, then the handle's own failure. A
            # malformed answer (KeyError etc.) is raised bare too, so the caller can name it: left in
            # a group it would get past `_crawl_and_store` and end the whole crawl with a traceback.
            for cause in (CrawlStopped, ApiError, AuthError, CrawlError, KeyError, TypeError, ValueError):
                if (part := failure.subgroup(cause)) is not None:
                    raise _first_leaf(part) from None
            raise
        repositories = []
        for task in listed.values():
            repo, entries = task.result()
            repositories.append(repo)
            new_cache.extend(entries)
        return HandleResult(handle, council, account_type, repositories, new_cache)

    async def _account(self, handle: str) -> tuple[str, str, list[CacheEntry]]:
        """The handle's login and account type; an organisation first, else a user (or the type we know)."""
        answers: dict[str, ApiResponse] = {}

        async def fetch(url: str) -> tuple[bool, Any]:
            response = answers[url] = await self._get_cached(url)
            return (False, None) if response.status == 404 else (True, self._json_body(url, response))

        users_first = self.catalogue.account_type(handle) == USER
        try:
            account = await find_account(handle, fetch, self.client.api_url, users_first=users_first)
        except UnexpectedAnswer as exc:
            raise CrawlError(str(exc)) from None
        if account is None:
            raise CrawlError("no GitHub organisation or user of that name (404)")
        return account.login, account.type, self._cache_entry(account.url, answers[account.url])

    async def _listing_page(self, url: str) -> tuple[list[dict[str, Any]], str | None, CacheEntry | None]:
        response = await self._get_cached(url)
        data = self._json_body(url, response)
        if response.status == 404:
            raise CrawlError(f"repository listing not found (404) at {url}")
        if not isinstance(data, list) or not all(_looks_like_repository(item) for item in data):
            raise CrawlError(f"unexpected answer from {url}: expected a list of repositories")
        next_url = response.next_url if not response.not_modified else self._cache[url].link
        entries = self._cache_entry(url, response)
        return data, next_url, entries[0] if entries else None

    async def _repository(
        self, item: dict[str, Any], council: str, previous: Repository | None
    ) -> tuple[Repository, list[CacheEntry]]:
        repo = repository_from_listing(item, council)
        spdx_id, needs_file = licence_from_github(item.get("license"))
        unchanged = (
            previous is not None and previous.pushed_at == repo.pushed_at and previous.updated_at == repo.updated_at
        )
        if unchanged and previous is not None:
            # Nothing was pushed or edited: the README and licence we hold are current.
            repo.readme, repo.readme_path = previous.readme, previous.readme_path
            repo.license = previous.license if needs_file else spdx_id
            return repo, []
        entries: list[CacheEntry] = []
        api_url = item["url"]
        readme_url = api_url + "/readme"
        response = await self._get_cached(readme_url, use_etag=previous is not None)
        if response.not_modified and previous is not None:
            repo.readme, repo.readme_path = previous.readme, previous.readme_path
        elif response.found:
            repo.readme_path, content = _file_content(readme_url, response.data)
            repo.readme = decode_text(content) if content is not None else None
            entries += self._cache_entry(readme_url, response, keep_body=False)
        if needs_file:
            licence_url = api_url + "/license"
            licence = await self.client.get(licence_url)
            repo.license = None
            if licence.found:
                _, content = _file_content(licence_url, licence.data)
                recognised = identify_licence(decode_text(content)) if content is not None else None
                repo.license = recognised or UNRECOGNISED_LICENCE
        else:
            repo.license = spdx_id
        return repo, entries

    # -- conditional requests ------------------------------------------------------------------

    async def _get_cached(self, url: str, *, use_etag: bool = True) -> ApiResponse:
        entry = self._cache.get(url) if use_etag else None
        response = await self.client.get(url, etag=entry.etag if entry else None)
        if response.not_modified and entry is None:
            raise CrawlError(f"GitHub answered 304 Not Modified to an unconditional request for {url}")
        return response

    def _json_body(self, url: str, response: ApiResponse) -> Any:
        if not response.not_modified:
            return response.data
        body = self.catalogue.cached_body(url)
        if body is None:
            return None
        try:
            return json.loads(body)
        except ValueError as exc:
            raise CrawlError(f"stored copy of {url} is unreadable: {exc}") from exc

    def _cache_entry(self, url: str, response: ApiResponse, *, keep_body: bool = True) -> list[CacheEntry]:
        """The entry to store for `url` once the handle is saved (none for 304s and ETag-less answers)."""
        if response.not_modified or not response.etag or not response.found:
            return []
        return [CacheEntry(url, response.etag, response.text if keep_body else None, response.next_url)]


def repository_from_listing(item: dict[str, Any], council: str) -> Repository:
    """A catalogue record from one entry of GitHub's repository listing (README and licence not yet known)."""
    return Repository(
        id=int(item["id"]),
        full_name=item["full_name"],
        owner=item["owner"]["login"],
        name=item["name"],
        council=council,
        description=item.get("description") or None,
        homepage=item.get("homepage") or None,
        html_url=item.get("html_url") or "",
        language=item.get("language"),
        topics=[str(t) for t in item.get("topics") or []],
        stars=int(item.get("stargazers_count") or 0),
        forks=int(item.get("forks_count") or 0),
        archived=bool(item.get("archived")),
        fork=bool(item.get("fork")),
        is_template=bool(item.get("is_template")),
        default_branch=item.get("default_branch"),
        created_at=item.get("created_at"),
        pushed_at=item.get("pushed_at"),
        updated_at=item.get("updated_at"),
    )


def _looks_like_repository(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("id"), int)
        and isinstance(item.get("full_name"), str)
        and isinstance(item.get("name"), str)
        and isinstance(item.get("url"), str)
        and isinstance(item.get("owner"), dict)
        and isinstance(item["owner"].get("login"), str)
    )


def _file_content(url: str, data: Any) -> tuple[str | None, bytes | None]:
    """(path, bytes) of a contents-API file answer; bytes None when GitHub sent no content (files over 1 MB)."""
    if not isinstance(data, dict):
        raise CrawlError(f"unexpected answer from {url}: expected a file object")
    path = data.get("path") or data.get("name")
    content = data.get("content")
    if data.get("size") == 0:
        # An empty file (content "", the base64 of no bytes) is a file all the same: an empty
        # README is kept as one, not taken for a file too big to send.
        return path, b""
    if data.get("encoding") != "base64" or not isinstance(content, str) or not content:
        log.warning("%s: no base64 content in the answer (encoding %r); skipping it", url, data.get("encoding"))
        return path, None
    try:
        return path, base64.b64decode(content, validate=False)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise CrawlError(f"unexpected answer from {url}: content is not valid base64 ({exc})") from exc


def _first_leaf(group: BaseException) -> BaseException:
    while isinstance(group, BaseExceptionGroup):
        group = group.exceptions[0]
    return group


def _select_handles(councils: Sequence[Council], handles: Sequence[str] | None) -> list[tuple[str, str]]:
    """(handle, council name) pairs to crawl; unknown `--org` handles are an error."""
    every = {h.lower(): (h, c.name) for c in councils for h in c.github}
    if not handles:
        return list(every.values())
    unknown = [h for h in handles if h.lower() not in every]
    if unknown:
        raise CrawlError(f"not in the config: {', '.join(unknown)} (add them with `councilcode orgs add`)")
    return [every[h.lower()] for h in dict.fromkeys(handles)]

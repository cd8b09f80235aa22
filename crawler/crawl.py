"""The crawl: every configured handle's public repositories, READMEs and licences into the catalogue.

Per handle: look the account up (organisation, else user), follow the listing's `Link: rel="next"`
pages, fetch the README (and the licence file where GitHub could not name the licence) of each
repository that changed since the last crawl, then store the whole handle in one transaction.
Conditional requests make a crawl where nothing changed cost no rate limit at all.

Before the first handle, one free GET /rate_limit checks that the API can be reached at all (else
`ApiUnreachable`, with nothing stored) and gives the budget that the crawl's estimate is set against.

What GitHub sends is not trusted: a listing item that is not a well-formed repository, or a repository
whose README or licence cannot be fetched or read, is skipped with a message naming it (its stored copy,
if any, is kept) and the rest of the handle is crawled; text is cleaned of what SQLite and terminals choke
on; `html_url` is built from the repository's validated name, never taken from the answer.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from councilcode.catalogue import CacheEntry, Catalogue, HandleChanges, HandleResult
from councilcode.config import is_http_url
from councilcode.crawler.accounts import USER, UnexpectedAnswer, find_account
from councilcode.crawler.auth import AuthError
from councilcode.crawler.budget import Estimate, Plan, estimate_rest, plan
from councilcode.crawler.facts import (
    facts_read,
    file_names_from_listing,
    keep_facts,
    pick_publiccode,
    release_from_rest,
    root_names_from_listing,
)
from councilcode.crawler.github import (
    ApiError,
    ApiResponse,
    ApiUnreachable,
    CrawlStopped,
    GitHubClient,
    RateLimit,
    RequestStats,
)
from councilcode.crawler.licence import identify_licence, licence_from_github
from councilcode.crawler.text import decode_text
from councilcode.errors import CouncilcodeError
from councilcode.records import Council, Repository
from councilcode.settings import DEFAULT_API_URL

log = logging.getLogger(__name__)

# A listing has one page per 100 repositories; no council has 100,000.
MAX_PAGES = 1000
UNRECOGNISED_LICENCE = "NOASSERTION"
# GitHub's own rules: a login is letters, digits and hyphens (39 at most); a repository name adds '.' and '_'.
# A name that passes cannot carry a path, a query or markup into the URLs built from it.
_FULL_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Failures that are not one repository's: they end the handle (or the crawl), never just skip a repository.
_NOT_ONE_REPOSITORYS = (CrawlStopped, ApiUnreachable, AuthError, sqlite3.Error)


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
    skipped: list[str] = field(default_factory=list)  # repositories left out, each with why


@dataclass
class CrawlSummary:
    run_id: int
    outcomes: list[HandleOutcome]
    stats: RequestStats
    stopped: str | None = None  # why the crawl stopped early, if it did
    plan: Plan | None = None  # the estimate made before it started

    @property
    def failed(self) -> list[HandleOutcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    @property
    def skipped(self) -> list[str]:
        """Repositories left out of handles that were otherwise crawled, each with why."""
        return [note for o in self.outcomes for note in o.skipped]

    @property
    def repositories(self) -> int:
        return sum(o.repositories for o in self.outcomes)

    def total(self, kind: str) -> int:
        return sum(getattr(o.changes, kind) for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0 when every handle and repository was crawled, 1 when some were not (the rest are saved)."""
        return 1 if self.failed or self.skipped else 0


class Crawler:
    """Crawls handles with one shared client; writes each handle to the catalogue as it finishes."""

    def __init__(self, catalogue: Catalogue, client: GitHubClient, progress: Progress | None = None) -> None:
        self.catalogue = catalogue
        self.client = client
        self.progress = progress
        self._cache: dict[str, CacheEntry] = {}
        self.plan: Plan | None = None

    async def crawl(
        self, councils: Sequence[Council], handles: Sequence[str] | None = None, *, trigger: str = "manual"
    ) -> CrawlSummary:
        """Crawl the councils' handles (or only `handles`) and record the run in the catalogue.

        Raises `ApiUnreachable`, having stored nothing, when the API cannot be reached at all."""
        todo = _select_handles(councils, handles)
        started = time.monotonic()
        limits = await self._rate_limits()
        seconds_per_request = time.monotonic() - started
        self.catalogue.sync_councils(councils)
        self._cache = self.catalogue.cache_entries()
        self.plan = await self._plan([h for h, _ in todo], limits, seconds_per_request)
        log.log(logging.INFO if self.plan.fits else logging.WARNING, "%s", self.plan.message())
        run_id = self.catalogue.start_run(trigger, **self.plan.record())
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
            done = sum(o.status == "ok" for o in outcomes.values())
            self._close_run_early(
                run_id, "interrupted", len(todo), outcomes, f"stopped after {done} of {len(todo)} handles"
            )
            raise
        except BaseExceptionGroup as failure:
            stop = failure.subgroup(CrawlStopped)
            if stop is None:
                # Not one handle's trouble (those are caught per handle) but the catalogue's, say a
                # full disk, or the network gone: close the run (so it is not left 'running'), then
                # raise the cause bare so callers can name it instead of showing a group traceback.
                cause = _first_leaf(failure)
                try:
                    self._close_run_early(run_id, "failed", len(todo), outcomes, str(cause) or type(cause).__name__)
                except sqlite3.Error:
                    # The catalogue itself is what failed: the next run marks this one 'interrupted'.
                    log.debug("could not close run %d", run_id, exc_info=True)
                raise cause from None
            stopped = str(_first_leaf(stop))
        for handle, council in todo:
            if handle not in outcomes:
                outcomes[handle] = HandleOutcome(handle, council, "stopped", error=f"not crawled: {stopped}")
                self.catalogue.record_handle_failure(handle, f"not crawled: {stopped}", run_id, status="stopped")
        summary = CrawlSummary(run_id, [outcomes[h] for h, _ in todo], self.client.stats, stopped, self.plan)
        self._finish_run(summary)
        return summary

    def estimate(self, handles: Sequence[str]) -> Estimate:
        """What crawling `handles` should cost; a crawler that spends GraphQL points gives its own."""
        return estimate_rest(self.catalogue.handle_footprints(), handles)

    async def _rate_limits(self) -> dict[str, RateLimit] | None:
        """The budgets left, or None when the API has none; the crawl's first contact with the API, so an
        unreachable host ends it here (`ApiUnreachable`). Any other failure leaves the budget unknown."""
        try:
            return await self.client.rate_limits()
        except ApiError as exc:
            log.warning("could not read the rate limit left (%s); crawling without an estimate of the budget", exc)
            return {}

    async def _plan(self, handles: list[str], limits: dict[str, RateLimit] | None, seconds_per_request: float) -> Plan:
        estimate = self.estimate(handles)
        budget = None if limits is None else limits.get(estimate.resource)
        tokens = self.client.token_source
        authenticated = tokens is not None and bool(await tokens.token())
        result = plan(
            estimate,
            budget,
            authenticated=authenticated,
            concurrency=self.client.concurrency,
            seconds_per_request=seconds_per_request,
            now=self.client.clock(),
            max_wait=self.client.max_wait,
        )
        if limits is not None and budget is None:
            result.notes.append("the rate limit left is not known")
        return result

    def _close_run_early(
        self, run_id: int, status: str, total: int, outcomes: dict[str, HandleOutcome], message: str
    ) -> None:
        """Close a run that ended before every handle was done, counting the handles stored so far."""
        done = [o for o in outcomes.values() if o.status == "ok"]
        self.catalogue.finish_run(
            run_id,
            status=status,
            handles_total=total,
            handles_failed=total - len(done),
            repos_added=sum(o.changes.added for o in done),
            repos_changed=sum(o.changes.changed for o in done),
            repos_removed=sum(o.changes.removed for o in done),
            requests_charged=self.client.stats.charged,
            requests_not_modified=self.client.stats.not_modified,
            rate_limit_remaining=self.client.stats.rate_limit_remaining,
            message=message,
        )

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
            return HandleOutcome(handle, council, "ok", len(result.repositories), changes, skipped=result.skipped)
        self.catalogue.record_handle_failure(handle, error, run_id)
        return HandleOutcome(handle, council, "failed", error=error)

    def _finish_run(self, summary: CrawlSummary) -> None:
        failed = len(summary.failed)
        if summary.stopped:
            status = "stopped"
        elif failed == len(summary.outcomes) and failed:
            status = "failed"
        else:
            status = "partial" if failed or summary.skipped else "ok"
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
            points_spent=summary.stats.points or None,
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
        listed: dict[int, asyncio.Future[tuple[Repository | None, list[CacheEntry]]]] = {}
        skipped: dict[str, str] = {}  # repository (or listing item) -> why it was left out
        pages = 0
        try:
            async with asyncio.TaskGroup() as group:
                while url:
                    pages += 1
                    if pages > MAX_PAGES:
                        raise CrawlError(f"more than {MAX_PAGES} listing pages; stopping there")
                    page_url = url
                    items, url, entry = await self._listing_page(page_url)
                    if entry:
                        new_cache.append(entry)
                    for number, item in enumerate(items, start=1):
                        problem = _listing_item_problem(item)
                        if problem is not None:
                            name = _item_name(item, f"item {number} of {page_url}")
                            skipped[name] = problem
                            log.warning("%s: skipping %s: %s", handle, name, problem)
                            # Keep a stored copy rather than take its absence for a deletion.
                            if isinstance(item, dict) and (kept := stored.get(_item_id(item))) is not None:
                                listed[kept.id] = _done((kept, []))
                            continue
                        # A repository can shift between pages while we read them; the last copy wins.
                        previous = stored.get(item["id"])
                        listed[item["id"]] = group.create_task(
                            self._repository_or_skip(handle, item, council, previous, skipped)
                        )
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
            if repo is not None:
                repositories.append(repo)
            new_cache.extend(entries)
        notes = [f"skipped {name}: {why}" for name, why in skipped.items()]
        return HandleResult(handle, council, account_type, repositories, new_cache, notes)

    async def _repository_or_skip(
        self, handle: str, item: dict[str, Any], council: str, previous: Repository | None, skipped: dict[str, str]
    ) -> tuple[Repository | None, list[CacheEntry]]:
        """`_repository`, with its failure kept to itself: it is skipped (its stored copy kept) and named."""
        try:
            return await self._repository(item, council, previous)
        except _NOT_ONE_REPOSITORYS:
            raise
        except Exception as exc:  # anything one repository's answers can cause: it must not end the handle
            why = f"{type(exc).__name__}: {exc}" if not isinstance(exc, (ApiError, CrawlError)) else str(exc)
            skipped[item["full_name"]] = why
            log.warning("%s: skipping %s: %s", handle, item["full_name"], why)
            return previous, []

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
        if not isinstance(data, list):
            raise CrawlError(f"unexpected answer from {url}: expected a list of repositories")
        next_url = response.next_url if not response.not_modified else self._cache[url].link
        entries = self._cache_entry(url, response)
        return data, next_url, entries[0] if entries else None

    async def _repository(
        self, item: dict[str, Any], council: str, previous: Repository | None
    ) -> tuple[Repository, list[CacheEntry]]:
        repo = repository_from_listing(item, council, self.client.api_url)
        license_obj = item.get("license")
        spdx_id, needs_file = licence_from_github(license_obj if isinstance(license_obj, dict) else None)
        unchanged = (
            previous is not None and previous.pushed_at == repo.pushed_at and previous.updated_at == repo.updated_at
        )
        if unchanged and previous is not None and facts_read(previous):
            # Nothing was pushed or edited: the README, licence and files we hold are current.
            repo.readme, repo.readme_path = previous.readme, previous.readme_path
            repo.license = previous.license if needs_file else spdx_id
            keep_facts(repo, previous)
            return repo, []
        entries: list[CacheEntry] = []
        # Built from the validated name, not taken from the answer's `url`.
        api_url = self.client.url(f"/repos/{repo.full_name}")
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
        entries += await self._facts(repo, api_url, previous)
        return repo, entries

    async def _facts(self, repo: Repository, api_url: str, previous: Repository | None) -> list[CacheEntry]:
        """Root names, workflows, publiccode.yml and the latest release of a changed repository.

        The root listing is asked for conditionally: it names every root file's and folder's git
        hash, so a 304 says publiccode.yml and .github/workflows are as stored too.
        """
        known = previous is not None and facts_read(previous)
        if known and previous is not None and previous.pushed_at == repo.pushed_at:
            # Files, tags and releases change only with a push (a release's new tag is one): an edit
            # of the description or topics leaves them as stored, at no request.
            keep_facts(repo, previous)
            return []
        listing_url = api_url + "/contents/"
        response = await self._get_cached(listing_url, use_etag=known)
        entries: list[CacheEntry] = []
        if response.not_modified and previous is not None:
            keep_facts(repo, previous)  # the release is read afresh below
        else:
            # An empty repository answers 404 ("This repository is empty"): no files at all.
            names = (root_names_from_listing(response.data) if response.found else None) or []
            repo.root_files, repo.workflows, repo.publiccode = names, [], None
            if ".github/" in names:
                workflows = await self.client.get(api_url + "/contents/.github/workflows")
                repo.workflows = file_names_from_listing(workflows.data) if workflows.found else []
            if (publiccode := pick_publiccode(names)) is not None:
                url = api_url + "/contents/" + publiccode
                answer = await self.client.get(url)
                if answer.found:
                    _, content = _file_content(url, answer.data)
                    repo.publiccode = decode_text(content) if content is not None else None
            entries += self._cache_entry(listing_url, response, keep_body=False)
        repo.latest_release, repo.latest_release_at = await self._latest_release(api_url)
        return entries

    async def _latest_release(self, api_url: str) -> tuple[str | None, str | None]:
        """The latest release's tag and date; without releases, the first tag GitHub lists and its commit's date."""
        release = await self.client.get(api_url + "/releases/latest")
        if release.found:
            return release_from_rest(release.data)
        tags = await self.client.get(api_url + "/tags?per_page=1")
        if not tags.found or not isinstance(tags.data, list) or not tags.data:
            return None, None
        tag = tags.data[0]
        if not isinstance(tag, dict) or not isinstance(tag.get("name"), str):
            return None, None
        commit_url = (tag.get("commit") or {}).get("url")
        date = None
        if isinstance(commit_url, str):
            commit = await self.client.get(commit_url)
            if commit.found and isinstance(commit.data, dict):
                date = ((commit.data.get("commit") or {}).get("committer") or {}).get("date")
        return tag["name"], date if isinstance(date, str) else None

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


def repository_from_listing(item: dict[str, Any], council: str, api_url: str = DEFAULT_API_URL) -> Repository:
    """A catalogue record from one entry of GitHub's repository listing (README and licence not yet known).

    The item must have passed `_listing_item_problem`. Optional text that is not text is dropped, and text
    is cleaned (`clean_text`); a count that is not a number raises ValueError.
    """
    topics = item.get("topics")
    return Repository(
        id=int(item["id"]),
        full_name=item["full_name"],
        owner=item["owner"]["login"],
        name=item["name"],
        council=council,
        description=clean_text(item.get("description")) or None,
        homepage=_web_address(item.get("homepage")),
        html_url=html_url(item["full_name"], api_url),
        language=clean_text(item.get("language")),
        topics=[t for t in (clean_text(t) for t in topics) if t] if isinstance(topics, list) else [],
        stars=_count(item, "stargazers_count"),
        forks=_count(item, "forks_count"),
        archived=item.get("archived") is True,
        fork=item.get("fork") is True,
        is_template=item.get("is_template") is True,
        default_branch=clean_text(item.get("default_branch")),
        created_at=clean_text(item.get("created_at")),
        pushed_at=clean_text(item.get("pushed_at")),
        updated_at=clean_text(item.get("updated_at")),
        # GitHub counts open pull requests among open issues here; the count is what GitHub shows.
        open_issues=_count(item, "open_issues_count"),
    )


def html_url(full_name: str, api_url: str = DEFAULT_API_URL) -> str:
    """The repository's web page, the one place it is made: https on GitHub's web host, from the validated
    full name. GitHub Enterprise Server (an API root ending in /api/v3) serves pages from the API's own host."""
    parts = urlsplit(api_url)
    if parts.path.rstrip("/").endswith("/api/v3") and parts.hostname:
        return f"https://{parts.netloc}/{full_name}"
    return f"https://github.com/{full_name}"


def clean_text(value: Any) -> str | None:
    """A text field as the catalogue can store it: None unless it is a string; NUL characters (which cut
    strings short in C readers) removed and lone surrogates (which SQLite cannot encode) replaced."""
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "")
    # Most text is ASCII, which holds no surrogate: a crawl cleans ~10 fields a repository.
    return value if value.isascii() else _LONE_SURROGATE.sub("\ufffd", value)


def _web_address(value: Any) -> str | None:
    """A homepage as a link can use: an http(s) address with nothing unprintable in it, else none. GitHub
    takes a homepage without a scheme ("www.council.gov.uk") and links it as a web address: so do we."""
    text = (clean_text(value) or "").strip()
    if text and ":" not in text.split("/", 1)[0]:
        text = f"https://{text}"
    if not text.isprintable() or not is_http_url(text):
        return None
    return text


def _count(item: dict[str, Any], key: str) -> int:
    value = item.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} is {value!r}, not a number")
    return value


def _listing_item_problem(item: Any) -> str | None:
    """Why one listing item cannot be taken for a repository, or None when it can."""
    if not isinstance(item, dict):
        return f"not a repository object but {type(item).__name__}"
    if _item_id(item) is None:
        return f"no numeric id (id {item.get('id')!r})"
    full_name, name = item.get("full_name"), item.get("name")
    owner = item.get("owner")
    login = owner.get("login") if isinstance(owner, dict) else None
    if not isinstance(full_name, str) or not _FULL_NAME.fullmatch(full_name) or set(full_name.split("/")[1]) == {"."}:
        return f"not a valid repository name ({full_name!r})"
    if not isinstance(login, str) or not isinstance(name, str) or full_name != f"{login}/{name}":
        return f"owner {login!r} and name {name!r} do not make the full name {full_name!r}"
    return None


def _item_id(item: dict[str, Any]) -> int | None:
    value = item.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _item_name(item: Any, fallback: str) -> str:
    """What to call a listing item in a message: its full name when that is printable text, else `fallback`."""
    name = item.get("full_name") if isinstance(item, dict) else None
    return name if isinstance(name, str) and name.isprintable() and len(name) <= 200 else fallback


def _done(
    value: tuple[Repository | None, list[CacheEntry]],
) -> asyncio.Future[tuple[Repository | None, list[CacheEntry]]]:
    """An already finished future holding `value`, to stand beside the tasks of the repositories fetched."""
    future: asyncio.Future[tuple[Repository | None, list[CacheEntry]]] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


def _file_content(url: str, data: Any) -> tuple[str | None, bytes | None]:
    """(path, bytes) of a contents-API file answer; bytes None when GitHub sent no content (files over 1 MB)."""
    if not isinstance(data, dict):
        raise CrawlError(f"unexpected answer from {url}: expected a file object")
    path = clean_text(data.get("path")) or clean_text(data.get("name"))
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

"""Crawling through GitHub's GraphQL API: a handle's listing in a query or two, file text in batches.

How a crawl goes (the catalogue, the per-handle transactions and the run record are the REST
crawler's, see crawl.py):

1. Openings, several handles a query (one alias each on `repositoryOwner(login:)`, so organisations
   and users both work). A handle crawled before gets a probe: how many repositories it has and
   the newest `updatedAt` and `pushedAt` (two connections of one, so ten handles cost a point). A
   new handle gets its first listing page.
2. A handle whose probe matches what is stored keeps its repositories as they are. Any other reads
   its listing, 100 repositories a page, with every field the catalogue keeps and the names in
   each repository's root tree.
3. Repositories whose `pushedAt` or `updatedAt` changed get their README (picked from the root
   names) and, where GitHub names no licence (`NOASSERTION`), their licence file: `nodes(ids:)`
   batches with `object(expression:)` aliases. Text GraphQL cannot give (binary, or truncated
   because it is too big) is fetched the REST way, as the REST crawl would.

Every query reads `rateLimit`; the budget, pauses, `--max-wait`, secondary limits and retries are
the REST client's (github.py), here spending points instead of requests. A query that fails
(502/504, a timeout, partial data with errors) is asked again with smaller pages, a bounded number
of times.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from councilcode.catalogue import Catalogue, HandleResult
from councilcode.crawler.crawl import (
    UNRECOGNISED_LICENCE,
    Crawler,
    CrawlError,
    CrawlSummary,
    Progress,
    _file_content,
    _select_handles,
)
from councilcode.crawler.github import ApiError, GitHubClient, RequestStats, RetryPolicy
from councilcode.crawler.licence import identify_licence, licence_from_github
from councilcode.crawler.text import decode_text
from councilcode.records import Council, Repository

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # GitHub's largest page
MIN_PAGE_SIZE = 10  # pages shrink after failures down to this, then the handle fails
HANDLES_PER_QUERY = 10
TEXT_BATCH = 100  # nodes(ids:) takes at most 100 ids
MAX_PAGES = 1000
MAX_TOPICS = 20  # GitHub allows 20 topics a repository
# Points kept in hand: the queries already in flight must not run into RATE_LIMITED.
POINTS_RESERVE = 50
NOT_FOUND = "NOT_FOUND"
RATE_LIMITED = ("RATE_LIMITED", "RATE_LIMIT")  # GitHub has answered with both spellings

T = TypeVar("T")


def graphql_url(api_url: str) -> str:
    """The GraphQL endpoint for a REST API root.

    `https://api.github.com` -> `https://api.github.com/graphql`; GitHub Enterprise
    `https://HOST/api/v3` -> `https://HOST/api/graphql`; anything else (the emulator) -> `URL/graphql`.
    """
    root = api_url.rstrip("/")
    if root.endswith("/api/v3"):
        return root.removesuffix("/v3") + "/graphql"
    return root + "/graphql"


class QueryFailed(Exception):
    """A query GitHub could not answer in full (a timeout, or partial data with errors): ask for less."""


# --------------------------------------------------------------------------- queries

_REPOSITORY_FIELDS = f"""
fragment repo on Repository {{
  id databaseId name nameWithOwner owner {{ login }} description homepageUrl url
  isArchived isFork isEmpty isTemplate stargazerCount forkCount
  primaryLanguage {{ name }} licenseInfo {{ spdxId key }}
  repositoryTopics(first: {MAX_TOPICS}) {{ nodes {{ topic {{ name }} }} }}
  createdAt updatedAt pushedAt
  defaultBranchRef {{ name target {{ ... on Commit {{ tree {{ entries {{ name type }} }} }} }} }}
}}
"""
_FILE_FIELDS = "fragment file on Blob { text isTruncated isBinary byteSize }\n"
_RATE_LIMIT = "rateLimit { cost remaining resetAt limit }"
# Public repositories the account owns: what the REST listing gives (type=public for organisations,
# type=owner for users).
_OWNED = "privacy: PUBLIC, ownerAffiliations: [OWNER]"


def _listing_selection(alias: str) -> str:
    return (
        f"{alias}: repositoryOwner(login: ${alias}_login) {{ __typename login "
        f"repositories(first: ${alias}_first, after: ${alias}_after, {_OWNED}) "
        "{ totalCount pageInfo { hasNextPage endCursor } nodes { ...repo } } }"
    )


def _probe_selection(alias: str) -> str:
    newest = "orderBy: {field: %s, direction: DESC}"
    return (
        f"{alias}: repositoryOwner(login: ${alias}_login) {{ __typename login "
        f"updated: repositories(first: 1, {_OWNED}, {newest % 'UPDATED_AT'}) {{ totalCount nodes {{ updatedAt }} }} "
        f"pushed: repositories(first: 1, {_OWNED}, {newest % 'PUSHED_AT'}) {{ nodes {{ pushedAt }} }} }}"
    )


@dataclass
class _Ask:
    """One handle's part of an opening query: a probe, or a listing page."""

    handle: str
    probe: bool
    first: int = PAGE_SIZE
    after: str | None = None


def _opening_query(asks: Sequence[_Ask]) -> tuple[str, dict[str, Any]]:
    declarations, selections, variables = [], [], {}
    for i, ask in enumerate(asks):
        alias = f"h{i}"
        declarations.append(f"${alias}_login: String!")
        variables[f"{alias}_login"] = ask.handle
        if ask.probe:
            selections.append(_probe_selection(alias))
        else:
            declarations += [f"${alias}_first: Int!", f"${alias}_after: String"]
            variables[f"{alias}_first"], variables[f"{alias}_after"] = ask.first, ask.after
            selections.append(_listing_selection(alias))
    query = f"query({', '.join(declarations)}) {{ {' '.join(selections)} {_RATE_LIMIT} }}"
    if any(not ask.probe for ask in asks):
        query += _REPOSITORY_FIELDS
    return query, variables


@dataclass(frozen=True)
class _Want:
    """The files one repository needs: its README and/or licence file (root names)."""

    node_id: str
    readme: str | None
    licence: str | None


def _text_query(wants: Sequence[_Want]) -> tuple[str, dict[str, Any], dict[str, list[_Want]]]:
    """One `nodes(ids:)` alias per distinct (README, licence) pair of names; expressions as variables."""
    groups: dict[tuple[str | None, str | None], list[_Want]] = {}
    for want in wants:
        groups.setdefault((want.readme, want.licence), []).append(want)
    declarations, selections, variables, members = [], [], {}, {}
    for i, ((readme, licence), group) in enumerate(groups.items()):
        alias = f"g{i}"
        declarations.append(f"${alias}: [ID!]!")
        variables[alias] = [w.node_id for w in group]
        members[alias] = group
        fields = []
        for name, path in (("readme", readme), ("licence", licence)):
            if path is not None:
                declarations.append(f"${alias}_{name}: String!")
                variables[f"{alias}_{name}"] = f"HEAD:{path}"
                fields.append(f"{name}: object(expression: ${alias}_{name}) {{ ...file }}")
        selections.append(f"{alias}: nodes(ids: ${alias}) {{ ... on Repository {{ id {' '.join(fields)} }} }}")
    query = f"query({', '.join(declarations)}) {{ {' '.join(selections)} {_RATE_LIMIT} }}\n{_FILE_FIELDS}"
    return query, variables, members


# --------------------------------------------------------------------------- picking files by name

_README = re.compile(r"readme(\.[^/]+)?", re.IGNORECASE)
_README_ORDER = (".md", ".markdown", ".mdown", ".rst", ".txt", ".adoc", ".org", ".textile", ".rdoc", "")
_LICENCE = re.compile(r"(licen[cs]e|copying|unlicen[cs]e)([.-][^/]+)?", re.IGNORECASE)
_LICENCE_ORDER = ("", ".md", ".txt", ".markdown", ".rst")


def _pick(names: Sequence[str], pattern: re.Pattern[str], order: Sequence[str]) -> str | None:
    """The file GitHub would show: a name matching `pattern`, markup extensions first, README.md-style case first."""
    candidates = [n for n in names if pattern.fullmatch(n)]
    if not candidates:
        return None

    def rank(name: str) -> tuple[int, bool, bool, str]:
        stem, dot, ext = name.partition(".")
        suffix = (dot + ext).lower()
        position = order.index(suffix) if suffix in order else len(order)
        return position, not stem.isupper(), "-" in name, name

    return min(candidates, key=rank)


def pick_readme(names: Sequence[str]) -> str | None:
    return _pick(names, _README, _README_ORDER)


def pick_licence(names: Sequence[str]) -> str | None:
    return _pick(names, _LICENCE, _LICENCE_ORDER)


# --------------------------------------------------------------------------- records


def repository_from_graphql(node: dict[str, Any], council: str) -> Repository:
    """A catalogue record from one GraphQL repository (README and licence not yet known)."""
    topics = (node.get("repositoryTopics") or {}).get("nodes") or []
    return Repository(
        id=int(node["databaseId"]),
        full_name=node["nameWithOwner"],
        owner=node["owner"]["login"],
        name=node["name"],
        council=council,
        description=node.get("description") or None,
        homepage=node.get("homepageUrl") or None,
        html_url=node.get("url") or "",
        language=(node.get("primaryLanguage") or {}).get("name"),
        topics=[str(t["topic"]["name"]) for t in topics if t],
        stars=int(node.get("stargazerCount") or 0),
        forks=int(node.get("forkCount") or 0),
        archived=bool(node.get("isArchived")),
        fork=bool(node.get("isFork")),
        is_template=bool(node.get("isTemplate")),
        default_branch=(node.get("defaultBranchRef") or {}).get("name"),
        created_at=node.get("createdAt"),
        pushed_at=node.get("pushedAt"),
        updated_at=node.get("updatedAt"),
    )


def _root_names(node: dict[str, Any]) -> list[str]:
    target = ((node.get("defaultBranchRef") or {}).get("target")) or {}
    entries = (target.get("tree") or {}).get("entries") or []
    return [e["name"] for e in entries if e.get("type") == "blob" and isinstance(e.get("name"), str)]


@dataclass
class _Listed:
    """A repository from a listing page, with what the text phase needs."""

    repo: Repository
    node_id: str
    names: list[str]
    needs_licence_file: bool
    spdx_id: str | None
    empty: bool


@dataclass
class _Opening:
    """What the opening query found for one handle."""

    login: str
    account_type: str
    unchanged: bool = False  # the probe matched what is stored
    page: dict[str, Any] | None = None  # the first listing page, when one was asked for
    first: int = PAGE_SIZE


# --------------------------------------------------------------------------- the API


class GraphQLApi:
    """Queries to the GraphQL endpoint through the REST client's retries, pauses and budget."""

    def __init__(self, client: GitHubClient) -> None:
        self.client = client
        self.url = client.api_url

    async def query(self, query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """(data, errors) of one query; raises QueryFailed when GitHub gave no data at all."""
        for _ in range(self.client.retry.limit_waits + 1):
            response = await self.client.post(self.url, {"query": query, "variables": variables})
            if response.status == 404:
                raise ApiError(self.url, "no GraphQL API here (404); crawl with --api rest", 404)
            body = response.data
            if not isinstance(body, dict):
                raise QueryFailed(f"unexpected answer from {self.url}: not a JSON object")
            errors = body.get("errors") or []
            if not isinstance(errors, list):
                raise QueryFailed(f"unexpected answer from {self.url}: 'errors' is not a list")
            if any(isinstance(e, dict) and e.get("type") in RATE_LIMITED for e in errors):
                self._budget_spent()
                continue  # the client pauses until the reset (or stops under --max-wait) before the retry
            data = body.get("data")
            if not isinstance(data, dict):
                raise QueryFailed(_error_text(errors) or "GitHub sent no data")
            self._note_rate_limit(data.get("rateLimit"))
            return data, [e for e in errors if isinstance(e, dict)]
        raise ApiError(self.url, "still rate limited after waiting")

    def _budget_spent(self) -> None:
        stats = self.client.stats
        stats.rate_limit_remaining = 0
        if stats.rate_limit_reset is None or stats.rate_limit_reset < self.client.clock():
            stats.rate_limit_reset = self.client.clock() + 60  # GitHub did not say when: look again in a minute

    def _note_rate_limit(self, rate: Any) -> None:
        if not isinstance(rate, dict):
            return
        stats = self.client.stats
        try:
            stats.points += int(rate.get("cost") or 0)
            stats.rate_limit_remaining = int(rate["remaining"])
            stats.rate_limit_reset = datetime.fromisoformat(str(rate["resetAt"]).replace("Z", "+00:00")).timestamp()
        except (KeyError, TypeError, ValueError):
            log.debug("ignoring a malformed rateLimit %r", rate)


def _error_text(errors: list[Any]) -> str:
    messages = [str(e.get("message")) for e in errors if isinstance(e, dict) and e.get("message")]
    return "; ".join(messages[:3])


def _errors_at(errors: list[dict[str, Any]], alias: str) -> list[dict[str, Any]]:
    return [e for e in errors if isinstance(e.get("path"), list) and e["path"][:1] == [alias]]


def _retryable(exc: Exception) -> bool:
    """A failure a smaller query may get past: a timeout, 5xx, a cut body, partial data."""
    if isinstance(exc, QueryFailed):
        return True
    return isinstance(exc, ApiError) and (exc.status is None or exc.status >= 500)


async def _shrinking(run: Callable[[int], Awaitable[T]], size: int, what: str) -> T:
    """`run(size)`, asked again with half the size after each retryable failure, down to MIN_PAGE_SIZE."""
    while True:
        try:
            return await run(size)
        except (QueryFailed, ApiError) as exc:
            if not _retryable(exc):
                raise
            if size <= MIN_PAGE_SIZE:
                raise CrawlError(f"{what}: failed even in pages of {size}: {exc}") from exc
            size = max(MIN_PAGE_SIZE, size // 2)
            log.info("%s: %s; asking again in pages of %d", what, exc, size)


# --------------------------------------------------------------------------- the crawler


@dataclass
class _Openings:
    """Opening queries shared by the handles of a crawl: each batch runs once, when first needed."""

    batches: dict[str, tuple[int, list[_Ask]]] = field(default_factory=dict)  # lower handle -> (batch, asks)
    tasks: dict[int, asyncio.Task[dict[str, _Opening | Exception]]] = field(default_factory=dict)


class GraphQLCrawler(Crawler):
    """The REST crawler's run, handles and storage, with each handle read through GraphQL.

    `client` is the REST client (README/licence fallbacks); `graphql` the client for the GraphQL
    endpoint, with its own budget.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        client: GitHubClient,
        graphql: GitHubClient,
        progress: Progress | None = None,
        *,
        handles_per_query: int = HANDLES_PER_QUERY,
    ) -> None:
        super().__init__(catalogue, client, progress)
        self.api = GraphQLApi(graphql)
        self.handles_per_query = handles_per_query
        self._openings = _Openings()

    async def crawl(
        self, councils: Sequence[Council], handles: Sequence[str] | None = None, *, trigger: str = "manual"
    ) -> CrawlSummary:
        todo = _select_handles(councils, handles)  # an unknown --org fails here, as in the REST crawl
        asks = [_Ask(handle, probe=self._known(handle)) for handle, _ in todo]
        # Probes first: they are cheap, and a batch of only probes costs a single point.
        asks.sort(key=lambda a: not a.probe)
        self._openings = _Openings()
        for start in range(0, len(asks), self.handles_per_query):
            batch = asks[start : start + self.handles_per_query]
            for ask in batch:
                self._openings.batches[ask.handle.lower()] = (start, batch)
        return await super().crawl(councils, handles, trigger=trigger)

    def _known(self, handle: str) -> bool:
        """Crawled before, so a probe can tell whether anything changed."""
        return self.catalogue.account_type(handle) is not None

    def _finish_run(self, summary: CrawlSummary) -> None:
        summary.stats = combined_stats(self.client.stats, self.api.client.stats)
        super()._finish_run(summary)

    # -- one handle ----------------------------------------------------------------------------

    async def crawl_handle(self, handle: str, council: str) -> HandleResult:
        stored = self.catalogue.repositories_by_id(handle)
        opening = await self._opening(handle)
        if opening.unchanged:
            return HandleResult(handle, council, opening.account_type, list(stored.values()), [])
        listed = await self._listing(handle, council, opening)
        repositories: list[Repository] = []
        wants: list[tuple[_Listed, _Want]] = []
        for item in listed.values():
            repo, previous = item.repo, stored.get(item.repo.id)
            if previous is not None and previous.pushed_at == repo.pushed_at and previous.updated_at == repo.updated_at:
                # Nothing was pushed or edited: the README and licence we hold are current.
                repo.readme, repo.readme_path = previous.readme, previous.readme_path
                repo.license = previous.license if item.needs_licence_file else item.spdx_id
            elif not item.empty:
                want = _Want(
                    item.node_id,
                    pick_readme(item.names),
                    pick_licence(item.names) if item.needs_licence_file else None,
                )
                wants.append((item, want))
            else:
                repo.license = item.spdx_id
            repositories.append(repo)
        await self._texts(handle, wants)
        return HandleResult(handle, council, opening.account_type, repositories, [])

    async def _opening(self, handle: str) -> _Opening:
        start, batch = self._openings.batches[handle.lower()]
        task = self._openings.tasks.get(start)
        if task is None:
            task = self._openings.tasks[start] = asyncio.ensure_future(self._run_openings(batch))
        # A shield: a handle cancelled with the crawl must not cancel the batch its neighbours share.
        found = (await asyncio.shield(task))[handle.lower()]
        if isinstance(found, Exception):
            raise found
        return found

    async def _run_openings(self, asks: list[_Ask]) -> dict[str, _Opening | Exception]:
        """One query for a batch of handles; a handle whose part failed is asked again on its own."""
        results: dict[str, _Opening | Exception] = {}
        retry_alone: list[_Ask] = []
        data: dict[str, Any] | None
        try:
            data, errors = await self.api.query(*_opening_query(asks))
        except (QueryFailed, ApiError) as exc:
            if not _retryable(exc):
                raise
            log.info("opening query for %d handles failed (%s); asking for each on its own", len(asks), exc)
            data, errors = None, []
        for i, ask in enumerate(asks):
            if data is None:
                retry_alone.append(ask)
                continue
            try:
                results[ask.handle.lower()] = self._read_opening(ask, data, errors, f"h{i}")
            except QueryFailed:
                retry_alone.append(ask)
            except (CrawlError, KeyError, TypeError, ValueError) as exc:
                results[ask.handle.lower()] = exc
        for ask in retry_alone:
            try:
                results[ask.handle.lower()] = await self._opening_alone(ask)
            except (CrawlError, ApiError, KeyError, TypeError, ValueError) as exc:
                results[ask.handle.lower()] = exc
        return results

    async def _opening_alone(self, ask: _Ask) -> _Opening:
        async def run(size: int) -> _Opening:
            single = replace(ask, first=size)
            data, errors = await self.api.query(*_opening_query([single]))
            return self._read_opening(single, data, errors, "h0")

        return await _shrinking(run, PAGE_SIZE, ask.handle)

    def _read_opening(self, ask: _Ask, data: dict[str, Any], errors: list[dict[str, Any]], alias: str) -> _Opening:
        mine = _errors_at(errors, alias)
        if any(e.get("type") == NOT_FOUND and e.get("path") == [alias] for e in mine):
            raise CrawlError("no GitHub organisation or user of that name (404)")
        owner = data.get(alias)
        if mine or not isinstance(owner, dict):
            raise QueryFailed(_error_text(mine) or f"no answer for {ask.handle}")
        account_type = "Organization" if owner.get("__typename") == "Organization" else "User"
        opening = _Opening(str(owner["login"]), account_type, first=ask.first)
        if ask.probe:
            opening.unchanged = self._probe_matches(ask.handle, owner)
        else:
            opening.page = owner["repositories"]
        return opening

    def _probe_matches(self, handle: str, owner: dict[str, Any]) -> bool:
        """The repository count and the newest updatedAt and pushedAt are what we hold."""
        stored = list(self.catalogue.repositories_by_id(handle).values())
        updated, pushed = owner["updated"], owner["pushed"]
        newest_updated = next((n.get("updatedAt") for n in updated.get("nodes") or [] if n), None)
        newest_pushed = next((n.get("pushedAt") for n in pushed.get("nodes") or [] if n), None)
        return (
            int(updated["totalCount"]) == len(stored)
            and newest_updated == _latest(r.updated_at for r in stored)
            and newest_pushed == _latest(r.pushed_at for r in stored)
        )

    async def _listing(self, handle: str, council: str, opening: _Opening) -> dict[int, _Listed]:
        listed: dict[int, _Listed] = {}
        page, size, after = opening.page, opening.first, None
        for _ in range(MAX_PAGES):
            if page is None:
                page, size = await self._page(handle, opening.login, after, size)
            for node in page.get("nodes") or []:
                if node is None:
                    continue
                spdx_id, needs_file = licence_from_github(_licence_object(node.get("licenseInfo")))
                repo = repository_from_graphql(node, council)
                # A repository can shift between pages while we read them; the last copy wins.
                listed[repo.id] = _Listed(
                    repo, str(node["id"]), _root_names(node), needs_file, spdx_id, bool(node.get("isEmpty"))
                )
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return listed
            after, page = info.get("endCursor"), None
        raise CrawlError(f"more than {MAX_PAGES} listing pages; stopping there")

    async def _page(self, handle: str, login: str, after: str | None, size: int) -> tuple[dict[str, Any], int]:
        async def run(first: int) -> tuple[dict[str, Any], int]:
            ask = _Ask(login, probe=False, first=first, after=after)
            data, errors = await self.api.query(*_opening_query([ask]))
            opening = self._read_opening(ask, data, errors, "h0")
            assert opening.page is not None
            return opening.page, first

        return await _shrinking(run, size, handle)

    # -- file text -----------------------------------------------------------------------------

    async def _texts(self, handle: str, wants: list[tuple[_Listed, _Want]]) -> None:
        """Fill in README and licence of each changed repository, in `nodes(ids:)` batches."""
        by_id = {want.node_id: (item, want) for item, want in wants}
        needing = [want for _, want in wants if want.readme or want.licence]
        blobs: dict[str, dict[str, Any]] = {}
        for start in range(0, len(needing), TEXT_BATCH):
            blobs.update(await self._text_batch(handle, needing[start : start + TEXT_BATCH]))
        for node_id, (item, want) in by_id.items():
            await self._fill(item, want, blobs.get(node_id) or {})

    async def _text_batch(self, handle: str, wants: list[_Want]) -> dict[str, dict[str, Any]]:
        query, variables, groups = _text_query(wants)
        try:
            data, errors = await self.api.query(query, variables)
        except (QueryFailed, ApiError) as exc:
            if not _retryable(exc):
                raise
            return await self._split_text_batch(handle, wants, exc)
        found: dict[str, dict[str, Any]] = {}
        for alias, members in groups.items():
            trouble = [e for e in _errors_at(errors, alias) if e.get("type") != NOT_FOUND]
            if trouble:
                return await self._split_text_batch(handle, wants, QueryFailed(_error_text(trouble)))
            for want, node in zip(members, data.get(alias) or [], strict=False):
                # A repository deleted since the listing is null (NOT_FOUND): it has no text.
                if isinstance(node, dict):
                    found[want.node_id] = node
        return found

    async def _split_text_batch(self, handle: str, wants: list[_Want], exc: Exception) -> dict[str, dict[str, Any]]:
        if len(wants) <= 1:
            raise CrawlError(f"{handle}: file text could not be read: {exc}") from exc
        half = len(wants) // 2
        log.info("%s: file text for %d repositories failed (%s); asking in halves", handle, len(wants), exc)
        found = await self._text_batch(handle, wants[:half])
        found.update(await self._text_batch(handle, wants[half:]))
        return found

    async def _fill(self, item: _Listed, want: _Want, node: dict[str, Any]) -> None:
        repo = item.repo
        rest_root = self.client.url(f"/repos/{repo.full_name}")
        if want.readme is not None:
            text = _blob_text(node.get("readme"))
            if text is None:
                # Binary to GitHub (UTF-16, Windows code pages) or too big for GraphQL: the REST way.
                repo.readme_path, repo.readme = await self._rest_file(rest_root + "/readme")
            elif text is not _NO_FILE:
                repo.readme_path, repo.readme = want.readme, text
        if not item.needs_licence_file:
            repo.license = item.spdx_id
            return
        repo.license = None
        if want.licence is None:
            return
        text = _blob_text(node.get("licence"))
        if text is None:
            _, text = await self._rest_file(rest_root + "/license")
            if text is None:
                return
        if text is not _NO_FILE:
            repo.license = identify_licence(text) or UNRECOGNISED_LICENCE

    async def _rest_file(self, url: str) -> tuple[str | None, str | None]:
        """(path, text) of a REST contents answer (README or licence); (None, None) when there is none."""
        response = await self.client.get(url)
        if not response.found:
            return None, None
        path, content = _file_content(url, response.data)
        return path, decode_text(content) if content is not None else None


_NO_FILE = "\0no file\0"  # a sentinel: the expression named nothing (deleted since the listing)


def _blob_text(blob: Any) -> str | None:
    """The blob's text; None when GraphQL cannot give it (binary or truncated); _NO_FILE when there is no blob."""
    if not isinstance(blob, dict):
        return _NO_FILE
    text = blob.get("text")
    if blob.get("isBinary") or blob.get("isTruncated") or not isinstance(text, str):
        return None
    # As decode_text does for the REST bytes: a UTF-8 byte-order mark is not part of the text.
    return text.removeprefix("\ufeff")


def _licence_object(info: Any) -> dict[str, Any] | None:
    """GraphQL's licenseInfo in the REST `license` shape that licence_from_github reads."""
    if not isinstance(info, dict):
        return None
    return {"spdx_id": info.get("spdxId"), "key": info.get("key")}


def _latest(values: Any) -> str | None:
    present = [v for v in values if v]
    return max(present, key=lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))) if present else None


def combined_stats(rest: RequestStats, graphql: RequestStats) -> RequestStats:
    """One crawl's cost over both clients; the rate limit left is GraphQL's, the budget the crawl spends."""
    return RequestStats(
        total=rest.total + graphql.total,
        charged=rest.charged + graphql.charged,
        not_modified=rest.not_modified + graphql.not_modified,
        retries=rest.retries + graphql.retries,
        max_in_flight=max(rest.max_in_flight, graphql.max_in_flight),
        waited_seconds=rest.waited_seconds + graphql.waited_seconds,
        rate_limit_remaining=graphql.rate_limit_remaining,
        rate_limit_reset=graphql.rate_limit_reset,
        problems=rest.problems + graphql.problems,
        points=graphql.points,
    )


def graphql_client(rest: GitHubClient, retry: RetryPolicy) -> GitHubClient:
    """A client for the GraphQL endpoint beside `rest`: the same token, its own points budget.

    Fewer attempts at one size than REST: after two, a smaller page is likelier to get through.
    """
    return GitHubClient(
        graphql_url(rest.api_url),
        token_source=rest.token_source,
        concurrency=rest.concurrency,
        max_wait=rest.max_wait,
        retry=replace(retry, attempts=min(retry.attempts, 2)),
        notify=rest.notify,
        reserve=POINTS_RESERVE,
    )

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
from councilcode.crawler.budget import Estimate, estimate_graphql
from councilcode.crawler.crawl import (
    UNRECOGNISED_LICENCE,
    Crawler,
    CrawlError,
    CrawlSummary,
    Progress,
    _count,
    _file_content,
    _item_id,
    _item_name,
    _listing_item_problem,
    _select_handles,
    _web_address,
    clean_text,
    html_url,
)
from councilcode.crawler.facts import facts_read, keep_facts, pick_publiccode, release_from_graphql, tree_names
from councilcode.crawler.github import ApiError, GitHubClient, RequestStats, RetryPolicy
from councilcode.crawler.licence import identify_licence, licence_from_github
from councilcode.crawler.text import decode_text
from councilcode.records import Council, Repository
from councilcode.settings import DEFAULT_API_URL

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # GitHub's largest page
# A new handle's first page, asked for beside other handles'. Every listed repository may hold 20
# topics, so a page of 100 costs a point whether the handle has 3 repositories or 100; most council
# handles have fewer than 25, and a page of 25 costs a quarter.
MIN_PAGE_SIZE = 10  # pages shrink after failures down to this
SHRINK_TRIES = 5  # queries for one page before its handle fails: 100, 50, 25, 12, 10 repositories
HANDLES_PER_QUERY = 10
RECENT_PAGE_SIZE = 10  # the first newest-first page of a handle crawled before: most nights few change
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


class QueryFailed(CrawlError):
    """A query GitHub could not answer in full (a timeout, or partial data with errors): ask for less."""


# --------------------------------------------------------------------------- queries

_REPOSITORY_FIELDS = f"""
fragment repo on Repository {{
  id databaseId name nameWithOwner owner {{ login }} description homepageUrl
  isArchived isFork isEmpty isTemplate stargazerCount forkCount
  primaryLanguage {{ name }} licenseInfo {{ spdxId key }}
  repositoryTopics(first: {MAX_TOPICS}) {{ nodes {{ topic {{ name }} }} }}
  createdAt updatedAt pushedAt
  defaultBranchRef {{ name target {{ ... on Commit {{ tree {{ entries {{ name type }} }} }} }} }}
  openIssues: issues(states: OPEN) {{ totalCount }} openPullRequests: pullRequests(states: OPEN) {{ totalCount }}
}}
"""
_FILE_FIELDS = "fragment file on Blob { text isTruncated isBinary byteSize }\n"
# What a changed repository's text query also reads (crawler/facts.py): CI workflows, the latest
# release and, for a repository without releases, the tag of the newest commit. A fragment, spread
# in every `nodes(ids:)` alias of the query: written once, the query is a third of the size to send
# and for GitHub to parse.
_FACT_FIELDS = (
    "fragment facts on Repository { "
    'workflows: object(expression: "HEAD:.github/workflows") { ... on Tree { entries { name type } } } '
    "latestRelease { tagName publishedAt createdAt } "
    'tags: refs(refPrefix: "refs/tags/", first: 1, orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) '
    "{ nodes { name target { ... on Commit { committedDate } "
    "... on Tag { tagger { date } target { ... on Commit { committedDate } } } } } } }\n"
)
_RATE_LIMIT = "rateLimit { cost remaining resetAt limit }"
# Public repositories the account owns: what the REST listing gives (type=public for organisations,
# type=owner for users).
_OWNED = "privacy: PUBLIC, ownerAffiliations: [OWNER]"


def _probe_selection(alias: str) -> str:
    newest = "orderBy: {field: %s, direction: DESC}"
    return (
        f"{alias}: repositoryOwner(login: ${alias}) {{ __typename login "
        f"updated: repositories(first: 1, {_OWNED}, {newest % 'UPDATED_AT'}) {{ totalCount nodes {{ updatedAt }} }} "
        f"pushed: repositories(first: 1, {_OWNED}, {newest % 'PUSHED_AT'}) {{ nodes {{ pushedAt }} }} }}"
    )


def _probe_query(logins: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """Each handle's type, login, repository count and newest updatedAt/pushedAt: 2 requests a handle."""
    aliases = [f"h{i}" for i in range(len(logins))]
    declarations = ", ".join(f"${a}: String!" for a in aliases)
    selections = " ".join(_probe_selection(a) for a in aliases)
    return f"query({declarations}) {{ {selections} {_RATE_LIMIT} }}", dict(zip(aliases, logins, strict=True))


@dataclass(frozen=True)
class _PageAsk:
    """One listing page of one handle."""

    login: str
    first: int
    after: str | None = None
    newest_first: bool = False  # ordered by updatedAt, newest first: what changed since the last crawl


def _listing_query(asks: Sequence[_PageAsk]) -> tuple[str, dict[str, Any]]:
    declarations, selections, variables = [], [], {}
    for i, ask in enumerate(asks):
        alias = f"h{i}"
        declarations += [f"${alias}_login: String!", f"${alias}_first: Int!", f"${alias}_after: String"]
        variables |= {f"{alias}_login": ask.login, f"{alias}_first": ask.first, f"{alias}_after": ask.after}
        order = ", orderBy: {field: UPDATED_AT, direction: DESC}" if ask.newest_first else ""
        selections.append(
            f"{alias}: repositoryOwner(login: ${alias}_login) {{ "
            f"repositories(first: ${alias}_first, after: ${alias}_after, {_OWNED}{order}) "
            "{ totalCount pageInfo { hasNextPage endCursor } nodes { ...repo } } }"
        )
    query = f"query({', '.join(declarations)}) {{ {' '.join(selections)} {_RATE_LIMIT} }}\n{_REPOSITORY_FIELDS}"
    return query, variables


def _pack(sizes: Sequence[tuple[T, int]], budget: int, most: int) -> list[list[tuple[T, int]]]:
    """Greedy batches of (item, size) whose sizes add up to at most `budget` (`most` items a batch).

    A query's points are its connections' sizes over 100, rounded: first pages packed into 100
    repositories cost about a point, however many handles they come from.
    """
    batches: list[list[tuple[T, int]]] = []
    for item, size in sorted(sizes, key=lambda pair: -pair[1]):
        for batch in batches:
            if len(batch) < most and sum(n for _, n in batch) + size <= budget:
                batch.append((item, size))
                break
        else:
            batches.append([(item, size)])
    return batches


@dataclass(frozen=True)
class _Want:
    """The files one repository needs: its README and/or licence file (root names)."""

    node_id: str
    readme: str | None
    licence: str | None
    publiccode: str | None = None


def _text_query(wants: Sequence[_Want]) -> tuple[str, dict[str, Any], dict[str, list[_Want]]]:
    """`nodes(ids:)` aliases, file paths as variables: every repository in the alias of its README name (with
    the facts; repositories without a README in one alias of their own), and those that need them also in an
    alias of their licence file's name and one of their publiccode.yml's.

    The query's text depends only on how many distinct names of each kind the batch holds, not on which
    name goes with which: batches of a crawl mostly send the same few texts (which GitHub, and the
    emulator, parse and validate once). Its cost is the facts' one connection a repository, as before.
    """
    declarations, selections, variables, members = [], [], {}, {}
    kinds = (("readme", lambda w: w.readme), ("licence", lambda w: w.licence), ("publiccode", lambda w: w.publiccode))
    for field_name, name_of in kinds:
        groups: dict[str | None, list[_Want]] = {}
        for want in wants:
            path = name_of(want)
            if path is not None or field_name == "readme":
                groups.setdefault(path, []).append(want)
        # Named groups in name order, then (READMEs only) the repositories without one.
        for i, path in enumerate(sorted(groups, key=lambda name: (name is None, name or ""))):
            alias = f"{field_name[0]}{i}"
            declarations.append(f"${alias}: [ID!]!")
            variables[alias] = [w.node_id for w in groups[path]]
            members[alias] = groups[path]
            fields = ["...facts"] if field_name == "readme" else []
            if path is not None:
                declarations.append(f"${alias}_path: String!")
                variables[f"{alias}_path"] = f"HEAD:{path}"
                fields.append(f"{field_name}: object(expression: ${alias}_path) {{ ...file }}")
            selections.append(f"{alias}: nodes(ids: ${alias}) {{ ... on Repository {{ id {' '.join(fields)} }} }}")
    query = f"query({', '.join(declarations)}) {{ {' '.join(selections)} {_RATE_LIMIT} }}\n{_FACT_FIELDS}"
    if any("...file" in selection for selection in selections):
        query += _FILE_FIELDS  # GitHub refuses a fragment the query does not use
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


def repository_from_graphql(node: dict[str, Any], council: str, api_url: str = DEFAULT_API_URL) -> Repository:
    """A catalogue record from one GraphQL repository (README and licence not yet known).

    The node must have passed `graphql_node_problem`; text is cleaned, `html_url` built from the name and
    the homepage kept only as a web address, as for the REST listing (crawl.py)."""
    topics = (node.get("repositoryTopics") or {}).get("nodes") or []
    language = node.get("primaryLanguage")
    branch = node.get("defaultBranchRef")
    return Repository(
        id=int(node["databaseId"]),
        full_name=node["nameWithOwner"],
        owner=node["owner"]["login"],
        name=node["name"],
        council=council,
        description=clean_text(node.get("description")) or None,
        homepage=_web_address(node.get("homepageUrl")),
        html_url=html_url(node["nameWithOwner"], api_url),
        language=clean_text(language.get("name")) if isinstance(language, dict) else None,
        topics=[n for t in topics if isinstance(t, dict) and (n := clean_text((t.get("topic") or {}).get("name")))],
        stars=_count(node, "stargazerCount"),
        forks=_count(node, "forkCount"),
        archived=node.get("isArchived") is True,
        fork=node.get("isFork") is True,
        is_template=node.get("isTemplate") is True,
        default_branch=clean_text(branch.get("name")) if isinstance(branch, dict) else None,
        created_at=clean_text(node.get("createdAt")),
        pushed_at=clean_text(node.get("pushedAt")),
        updated_at=clean_text(node.get("updatedAt")),
        # Issues and pull requests, as REST's open_issues_count counts them: both crawls store the same.
        open_issues=_total(node.get("openIssues")) + _total(node.get("openPullRequests")),
        root_files=_root_files(node),
    )


def _total(connection: Any) -> int:
    count = connection.get("totalCount") if isinstance(connection, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 0


def graphql_node_problem(node: Any) -> str | None:
    """Why one GraphQL repository node cannot be taken for a repository, or None when it can."""
    if not isinstance(node, dict):
        return f"not a repository object but {type(node).__name__}"
    if not isinstance(node.get("id"), str):
        return f"no node id (id {node.get('id')!r})"
    return _listing_item_problem(_as_listing_item(node))


def _as_listing_item(node: Any) -> dict[str, Any] | None:
    """A GraphQL repository node's fields under the REST listing's names, for the checks both crawls share."""
    if not isinstance(node, dict):
        return None
    return {
        "id": node.get("databaseId"),
        "full_name": node.get("nameWithOwner"),
        "name": node.get("name"),
        "owner": node.get("owner"),
    }


def _root_files(node: dict[str, Any]) -> list[str]:
    """Names of the files at the root of the default branch, and of its folders as "name/", sorted."""
    tree = (((node.get("defaultBranchRef") or {}).get("target")) or {}).get("tree")
    return sorted([*tree_names(tree, "blob"), *(f"{name}/" for name in tree_names(tree, "tree"))])


# Where GitHub's REST /readme also looks when the root has no README.
README_FOLDERS = frozenset({".github", "docs"})


@dataclass
class _Listed:
    """A repository from a listing page, with what the text phase needs."""

    repo: Repository
    node_id: str
    names: list[str]
    needs_licence_file: bool
    spdx_id: str | None
    empty: bool
    readme_elsewhere: bool = False  # no README at the root, but a folder GitHub's /readme also searches


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
    """`run(size)`, asked again after each retryable failure with half the size (down to MIN_PAGE_SIZE).

    At most SHRINK_TRIES queries (each already retried by the client); then the handle fails.
    """
    problem: Exception | None = None
    for _ in range(SHRINK_TRIES):
        try:
            return await run(size)
        except (QueryFailed, ApiError) as exc:
            if not _retryable(exc):
                raise
            problem = exc
            size = max(min(size, MIN_PAGE_SIZE), size // 2)
            log.info("%s: %s; asking again in pages of %d", what, exc, size)
    raise CrawlError(f"GitHub failed {SHRINK_TRIES} times, the last in pages of {size}: {problem}")


# --------------------------------------------------------------------------- the crawler


@dataclass
class _Work:
    """One handle on its way through a group: what is stored, what GitHub says, what went wrong."""

    handle: str
    council: str
    stored: dict[int, Repository]
    known: bool  # crawled before (the catalogue knows its account type)
    login: str = ""
    account_type: str = ""
    total: int = 0
    unchanged: bool = False
    newest_pushed: str | None = None  # the probe's
    newest_first: bool = False  # listing only what changed since the last crawl (newest updatedAt first)
    oldest_listed: str | None = None  # updatedAt of the last repository listed newest-first
    listed: dict[int, _Listed] = field(default_factory=dict)
    kept: list[Repository] = field(default_factory=list)  # stored repositories the listing did not reach
    error: Exception | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # repositories left out, with why
    skipped_kept: dict[int, Repository] = field(default_factory=dict)  # their stored copies, kept as they were


class GraphQLCrawler(Crawler):
    """The REST crawler's run, handles and storage, with handles read through GraphQL in groups.

    Handles go in groups of `handles_per_query`: one probe query for the group, listing pages packed
    into queries of about 100 repositories, file text in `nodes(ids:)` batches of 100 across the
    group. Each handle is still stored on its own, in one transaction, once its group has it.
    `client` is the REST client (README/licence fallbacks); `graphql` the GraphQL endpoint's, with
    its own points budget.
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
        self._groups: list[list[tuple[str, str]]] = []
        self._group_of: dict[str, int] = {}
        self._tasks: dict[int, asyncio.Task[dict[str, HandleResult | Exception]]] = {}
        self._next: dict[str, str | None] = {}  # lower handle -> cursor of its next listing page

    async def crawl(
        self, councils: Sequence[Council], handles: Sequence[str] | None = None, *, trigger: str = "manual"
    ) -> CrawlSummary:
        todo = _select_handles(councils, handles)  # an unknown --org fails here, as in the REST crawl
        size = self.handles_per_query
        self._groups = [todo[i : i + size] for i in range(0, len(todo), size)]
        self._group_of = {h.lower(): n for n, group in enumerate(self._groups) for h, _ in group}
        self._tasks = {}
        try:
            return await super().crawl(councils, handles, trigger=trigger)
        finally:
            for task in self._tasks.values():
                if not task.done():
                    task.cancel()  # groups nobody waits for any more (a stop, a cancelled crawl)
                elif not task.cancelled():
                    task.exception()  # seen: a group that failed after the crawl stopped is no news

    def estimate(self, handles: Sequence[str]) -> Estimate:
        """Points from the `graphql` budget, not requests from `core`: see `estimate_graphql`."""
        return estimate_graphql(self.catalogue.handle_footprints(), handles, handles_per_query=self.handles_per_query)

    def _finish_run(self, summary: CrawlSummary) -> None:
        summary.stats = combined_stats(self.client.stats, self.api.client.stats)
        super()._finish_run(summary)

    async def crawl_handle(self, handle: str, council: str) -> HandleResult:
        if not self._tasks:
            # Every group starts at once (after the run is opened and the councils synced): their
            # queries share the client's concurrency, and a handle never waits on a group that has
            # not started.
            self._tasks = {n: asyncio.ensure_future(self._crawl_group(g)) for n, g in enumerate(self._groups)}
        task = self._tasks[self._group_of[handle.lower()]]
        # A shield: one handle cancelled with the crawl must not cancel the group its neighbours share.
        found = (await asyncio.shield(task))[handle.lower()]
        if isinstance(found, Exception):
            raise found
        return found

    async def _crawl_group(self, members: list[tuple[str, str]]) -> dict[str, HandleResult | Exception]:
        works = [
            _Work(h, c, self.catalogue.repositories_by_id(h), self.catalogue.account_type(h) is not None)
            for h, c in members
        ]
        await self._probe(works)
        await self._list([w for w in works if w.error is None and not w.unchanged])
        await self._texts([w for w in works if w.error is None and not w.unchanged])
        results: dict[str, HandleResult | Exception] = {}
        for work in works:
            if work.error is not None:
                results[work.handle.lower()] = work.error
            elif work.unchanged:
                repositories = list(work.stored.values())
                results[work.handle.lower()] = HandleResult(work.handle, work.council, work.account_type, repositories)
            else:
                by_id = {r.id: r for r in [*work.skipped_kept.values(), *work.kept]}
                by_id.update((i, item.repo) for i, item in work.listed.items())
                notes = [f"skipped {name}: {why}" for name, why in work.skipped.items()]
                results[work.handle.lower()] = HandleResult(
                    work.handle, work.council, work.account_type, list(by_id.values()), skipped=notes
                )
        return results

    # -- 1. probes -----------------------------------------------------------------------------

    async def _probe(self, works: list[_Work]) -> None:
        async def run(batch: list[_Work]) -> None:
            data, errors = await self.api.query(*_probe_query([w.handle for w in batch]))
            for i, work in enumerate(batch):
                self._read_probe(work, data, errors, f"h{i}")

        try:
            await run(works)
        except (QueryFailed, ApiError) as exc:
            if not _retryable(exc):
                raise
            log.info("probe of %d handles failed (%s); asking for each on its own", len(works), exc)
            await asyncio.gather(*(self._guard(w, _shrinking(lambda _size, w=w: run([w]), 1, w.handle)) for w in works))

    def _read_probe(self, work: _Work, data: dict[str, Any], errors: list[dict[str, Any]], alias: str) -> None:
        mine = _errors_at(errors, alias)
        owner = data.get(alias)
        try:
            if any(e.get("type") == NOT_FOUND and e.get("path") == [alias] for e in mine):
                raise CrawlError("no GitHub organisation or user of that name (404)")
            if mine or not isinstance(owner, dict):
                raise CrawlError(f"GitHub could not say: {_error_text(mine) or 'no answer'}")
            work.login = str(owner["login"])
            work.account_type = "Organization" if owner.get("__typename") == "Organization" else "User"
            updated, pushed = owner["updated"], owner["pushed"]
            work.total = int(updated["totalCount"])
            if work.known:
                # The count and the newest updatedAt and pushedAt are what we hold: nothing changed.
                newest_updated = next((n.get("updatedAt") for n in updated.get("nodes") or [] if n), None)
                newest_pushed = next((n.get("pushedAt") for n in pushed.get("nodes") or [] if n), None)
                work.newest_pushed = newest_pushed
                stored = work.stored.values()
                work.unchanged = (
                    all(facts_read(r) for r in stored)
                    and work.total == len(work.stored)
                    and newest_updated == _latest(r.updated_at for r in stored)
                    and newest_pushed == _latest(r.pushed_at for r in stored)
                )
        except (CrawlError, KeyError, TypeError, ValueError) as exc:
            work.error = exc

    async def _guard(self, work: _Work, step: Awaitable[Any]) -> None:
        """Run one handle's step; a failure of that handle's own is kept for it, not raised."""
        try:
            await step
        except (QueryFailed, ApiError, CrawlError, KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ApiError) and not _retryable(exc) and exc.status in (401, 403):
                raise  # the token's trouble, not the handle's
            work.error = exc if not isinstance(exc, QueryFailed) else CrawlError(str(exc))

    # -- 2. listings ---------------------------------------------------------------------------

    async def _list(self, works: list[_Work]) -> None:
        """First pages packed ~100 repositories a query; further pages a handle at a time.

        A handle with stored repositories is listed newest-first, only as far as what changed since
        the last crawl; when the rest does not add up (a repository gone, a push that left
        updatedAt alone) it is listed in full.
        """
        for work in works:
            # Stored repositories without the reuse facts (a catalogue from before they were
            # collected) are all listed again, to be read once.
            work.newest_first = bool(work.stored) and all(facts_read(r) for r in work.stored.values())
        # A handle the probe found without repositories has nothing to list.
        sized = [(w, min(RECENT_PAGE_SIZE if w.newest_first else PAGE_SIZE, w.total)) for w in works if w.total > 0]
        batches = _pack(sized, PAGE_SIZE, self.handles_per_query)
        await asyncio.gather(*(self._first_pages(batch) for batch in batches))
        await asyncio.gather(*(self._guard(w, self._rest_of_listing(w)) for w in works if w.error is None))

    def _recent_state(self, work: _Work) -> str:
        """Where a newest-first listing stands: "more" to read, "done" (with the stored rest), or "relist".

        Done when the next page could only hold repositories older than the newest one stored, and
        the count and the newest pushedAt add up with the stored repositories the listing did not
        reach; anything else (a repository gone, a push that left updatedAt alone) lists it all.
        """
        newest_updated = _latest(r.updated_at for r in work.stored.values())
        if (
            self._next.get(work.handle.lower())
            and work.oldest_listed is not None
            and newest_updated is not None
            and _timestamp(work.oldest_listed) > _timestamp(newest_updated)
        ):
            return "more"
        kept = [r for i, r in work.stored.items() if i not in work.listed]
        added = [i for i in work.listed if i not in work.stored]
        pushed = _latest([r.pushed_at for r in kept] + [item.repo.pushed_at for item in work.listed.values()])
        if work.total != len(work.stored) + len(added) or pushed != work.newest_pushed:
            return "relist"
        work.kept = kept
        return "done"

    async def _first_pages(self, batch: list[tuple[_Work, int]]) -> None:
        asks = [_PageAsk(w.login, n, newest_first=w.newest_first) for w, n in batch]
        try:
            data, errors = await self.api.query(*_listing_query(asks))
        except (QueryFailed, ApiError) as exc:
            if not _retryable(exc):
                raise
            log.info("listing of %d handles failed (%s); asking for each on its own", len(batch), exc)
            data, errors = None, []
        for i, (work, first) in enumerate(batch):
            page = self._read_page(data, errors, f"h{i}") if data is not None else None
            if page is None:
                await self._guard(work, self._page_alone(work, None, first))
            else:
                self._take(work, page)

    def _read_page(self, data: dict[str, Any], errors: list[dict[str, Any]], alias: str) -> dict[str, Any] | None:
        """One alias's repositories page, or None when that part of the answer failed."""
        owner = data.get(alias)
        if _errors_at(errors, alias) or not isinstance(owner, dict) or not isinstance(owner.get("repositories"), dict):
            return None
        return owner["repositories"]

    def _take(self, work: _Work, page: dict[str, Any]) -> None:
        for number, node in enumerate(page.get("nodes") or [], start=1):
            if node is None:
                continue
            problem = graphql_node_problem(node)
            repo = None
            if problem is None:
                try:
                    repo = repository_from_graphql(node, work.council, self.client.api_url)
                except (KeyError, TypeError, ValueError) as exc:
                    problem = f"{type(exc).__name__}: {exc}"
            if repo is None:
                # One bad node is that repository's trouble: named, its stored copy kept, the rest listed.
                as_listed = _as_listing_item(node)
                name = _item_name(as_listed, f"node {number} of {work.handle}")
                work.skipped[name] = problem or "unreadable"
                log.warning("%s: skipping %s: %s", work.handle, name, problem)
                database_id = _item_id(as_listed) if as_listed is not None else None
                if database_id is not None and (stored := work.stored.get(database_id)) is not None:
                    work.skipped_kept[database_id] = stored
                continue
            spdx_id, needs_file = licence_from_github(_licence_object(node.get("licenseInfo")))
            # A repository can shift between pages while we read them; the last copy wins.
            # The root's files and folders ("name/"), as the record already holds them.
            names = [n for n in repo.root_files if not n.endswith("/")]
            folders = {n.removesuffix("/") for n in repo.root_files if n.endswith("/")}
            elsewhere = pick_readme(names) is None and bool(README_FOLDERS & folders)
            work.listed[repo.id] = _Listed(
                repo, str(node["id"]), names, needs_file, spdx_id, bool(node.get("isEmpty")), elsewhere
            )
            work.oldest_listed = repo.updated_at
        info = page.get("pageInfo") or {}
        work_next = info.get("endCursor") if info.get("hasNextPage") else None
        self._next[work.handle.lower()] = work_next

    async def _page_alone(self, work: _Work, after: str | None, size: int) -> None:
        async def run(first: int) -> dict[str, Any]:
            ask = _PageAsk(work.login, first, after, work.newest_first)
            data, errors = await self.api.query(*_listing_query([ask]))
            page = self._read_page(data, errors, "h0")
            if page is None:
                raise QueryFailed(_error_text(_errors_at(errors, "h0")) or "no listing in the answer")
            return page

        self._take(work, await _shrinking(run, size, work.handle))

    async def _rest_of_listing(self, work: _Work) -> None:
        for _ in range(MAX_PAGES):
            state = self._recent_state(work) if work.newest_first else "more"
            if state == "done":
                return
            if state == "relist":
                work.newest_first, work.listed, work.kept = False, {}, []
                self._next.pop(work.handle.lower(), None)
                await self._page_alone(work, None, PAGE_SIZE)
                continue
            after = self._next.pop(work.handle.lower(), None)
            if after is None:
                return
            await self._page_alone(work, after, PAGE_SIZE)
        raise CrawlError(f"more than {MAX_PAGES} listing pages; stopping there")

    # -- 3. file text --------------------------------------------------------------------------

    async def _texts(self, works: list[_Work]) -> None:
        """README and licence text of every changed repository of the group, 100 repositories a query."""
        plans: list[tuple[_Work, _Listed, _Want]] = []
        for work in works:
            if work.error is not None:
                continue
            for item in work.listed.values():
                repo, previous = item.repo, work.stored.get(item.repo.id)
                if (
                    previous is not None
                    and facts_read(previous)
                    and previous.pushed_at == repo.pushed_at
                    and previous.updated_at == repo.updated_at
                ):
                    # Nothing was pushed or edited: the README, licence and files we hold are current.
                    repo.readme, repo.readme_path = previous.readme, previous.readme_path
                    repo.license = previous.license if item.needs_licence_file else item.spdx_id
                    listed_names = repo.root_files  # from the listing: current whatever happened
                    keep_facts(repo, previous)
                    repo.root_files = listed_names
                elif item.empty:
                    repo.license = item.spdx_id
                    repo.root_files, repo.workflows = [], []
                else:
                    want = _Want(
                        item.node_id,
                        pick_readme(item.names),
                        pick_licence(item.names) if item.needs_licence_file else None,
                        pick_publiccode(item.names),
                    )
                    plans.append((work, item, want))
        # Every changed repository is asked for: its workflows and releases are in the same query.
        needing = [want for _, _, want in plans]
        blobs: dict[str, dict[str, Any]] = {}
        failed: dict[str, str] = {}
        chunks = [needing[i : i + TEXT_BATCH] for i in range(0, len(needing), TEXT_BATCH)]
        for found, lost in await asyncio.gather(*(self._text_batch(chunk) for chunk in chunks)):
            blobs |= found
            failed |= lost
        for work, item, want in plans:
            if work.error is None and want.node_id in failed:
                work.error = CrawlError(f"file text of {item.repo.full_name} could not be read: {failed[want.node_id]}")
        await asyncio.gather(
            *(self._guard(work, self._fill(item, want, blobs.get(want.node_id) or {})) for work, item, want in plans)
        )

    async def _text_batch(self, wants: list[_Want]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """(blobs by node id, failures by node id); a failing batch is asked again in halves."""
        query, variables, groups = _text_query(wants)
        try:
            data, errors = await self.api.query(query, variables)
        except (QueryFailed, ApiError) as exc:
            if not _retryable(exc):
                raise
            return await self._split_text_batch(wants, str(exc))
        found: dict[str, dict[str, Any]] = {}
        for alias, members in groups.items():
            trouble = [e for e in _errors_at(errors, alias) if e.get("type") != NOT_FOUND]
            if trouble:
                return await self._split_text_batch(wants, _error_text(trouble))
            for want, node in zip(members, data.get(alias) or [], strict=False):
                # A repository deleted since the listing is null (NOT_FOUND): it has no text.
                if isinstance(node, dict):
                    found.setdefault(want.node_id, {}).update(node)  # its README, licence and publiccode aliases
        return found, {}

    async def _split_text_batch(
        self, wants: list[_Want], problem: str
    ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        if len(wants) <= 1:
            return {}, {w.node_id: problem for w in wants}
        half = len(wants) // 2
        log.info("file text for %d repositories failed (%s); asking in halves", len(wants), problem)
        found, failed = await self._text_batch(wants[:half])
        more, lost = await self._text_batch(wants[half:])
        return found | more, failed | lost

    async def _fill(self, item: _Listed, want: _Want, node: dict[str, Any]) -> None:
        repo = item.repo
        rest_root = self.client.url(f"/repos/{repo.full_name}")
        repo.workflows = tree_names(node.get("workflows"), "blob")
        repo.latest_release, repo.latest_release_at = release_from_graphql(node)
        if want.publiccode is not None:
            text = _blob_text(node.get("publiccode"))
            if text is None:
                _, text = await self._rest_file(rest_root + "/contents/" + want.publiccode)
            repo.publiccode = None if text is _NO_FILE else text
        if want.readme is None and item.readme_elsewhere:
            # Not at the root; GitHub's /readme also looks in .github/ and docs/.
            repo.readme_path, repo.readme = await self._rest_file(rest_root + "/readme")
        elif want.readme is not None:
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


def _timestamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _latest(values: Any) -> str | None:
    present = [v for v in values if v]
    return max(present, key=_timestamp) if present else None


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
        retry=replace(retry, attempts=min(retry.attempts, 2), reserve=POINTS_RESERVE),
        notify=rest.notify,
    )

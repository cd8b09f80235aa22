"""The GitHub GraphQL API (`POST /graphql`) for the emulator in tests/github_emulator.py.

The subset of GitHub's schema the crawler uses (`repositoryOwner`, `nodes`, `node`, `repository`,
`rateLimit`, repositories with their topics, licences, default branch and git objects), executed
with graphql-core against the emulator's accounts and repositories. What GitHub documents is
reproduced here:

- cost: every connection costs the number of requests needed to fill it, assuming each parent
  connection is full (`first`/`last`); the sum divided by 100, rounded, at least 1 point;
- node limit: `first`/`last` required on connections, 1..100, at most 500,000 nodes a query;
- a points budget per caller (5,000 an hour by default), read through `rateLimit { cost remaining
  resetAt limit used nodeCount }` and `x-ratelimit-*` headers with resource `graphql`;
- errors: 401 without a token, `NOT_FOUND` with `type` and `path` next to `null` data,
  `RATE_LIMITED` (HTTP 200) when the budget is spent, a secondary limit (403 with `retry-after`)
  beyond `points_per_minute`;
- faults beyond the REST ones (which also apply to `/graphql` through `GitHubEmulator.inject`):
  `inject(pattern, "partial" | "query-timeout")` matched against the query text and variables, and
  `timeout_above_nodes`, above which a query "times out" like GitHub's large queries do.

`stats` counts queries and the points charged, so tests and benchmarks can assert costs.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    build_schema,
    execute,
    parse,
    validate,
)

from tests.github_emulator import (
    _LICENCES,
    JSON_TYPE,
    RATE_WINDOW,
    SECONDARY_DOCS,
    FakeRepo,
    _Account,
    _b64,
    _Bucket,
    _Caller,
    _dumps,
    _git_blob_sha,
    _iso,
    _parse_iso,
    _Reply,
    _Result,
)

if TYPE_CHECKING:
    from tests.github_emulator import GitHubEmulator

GRAPHQL_DOCS = "https://docs.github.com/graphql"
AUTH_DOCS = "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"
NODE_LIMIT = 500_000
GRAPHQL_FAULTS = ("partial", "query-timeout")
# GitHub gives no text for blobs above a size; the emulator's cut-off (bytes) can be lowered per test.
BLOB_TEXT_LIMIT = 512 * 1024
TIMEOUT_MESSAGE = (
    "Something went wrong while executing your query. This may be the result of a timeout, or it could be a "
    "GitHub bug. Please include `{id}` when reporting this issue."
)

_REPOSITORIES_FIELD = (
    "repositories(first: Int, last: Int, after: String, before: String, privacy: RepositoryPrivacy, "
    "ownerAffiliations: [RepositoryAffiliation], orderBy: RepositoryOrder, isFork: Boolean, "
    "isArchived: Boolean): RepositoryConnection!"
)

SCHEMA_SDL = """
scalar DateTime
scalar URI
scalar GitObjectID

interface Node { id: ID! }

enum RepositoryPrivacy { PUBLIC PRIVATE }
enum RepositoryAffiliation { OWNER COLLABORATOR ORGANIZATION_MEMBER }
enum RepositoryOrderField { CREATED_AT UPDATED_AT PUSHED_AT NAME STARGAZERS }
enum OrderDirection { ASC DESC }
input RepositoryOrder { field: RepositoryOrderField! direction: OrderDirection! }

interface RepositoryOwner {
  id: ID!
  login: String!
  url: URI!
  {repositories}
}

type Organization implements Node & RepositoryOwner { {owner} }
type User implements Node & RepositoryOwner { {owner} }

type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
type RepositoryEdge { cursor: String! node: Repository }
type RepositoryConnection {
  totalCount: Int!
  pageInfo: PageInfo!
  nodes: [Repository]
  edges: [RepositoryEdge]
}

type Language implements Node { id: ID! name: String! }
type License implements Node { id: ID! key: String! name: String! spdxId: String url: URI }
type Topic implements Node { id: ID! name: String! }
type RepositoryTopic implements Node { id: ID! topic: Topic! }
type RepositoryTopicEdge { cursor: String! node: RepositoryTopic }
type RepositoryTopicConnection {
  totalCount: Int!
  pageInfo: PageInfo!
  nodes: [RepositoryTopic]
  edges: [RepositoryTopicEdge]
}

interface GitObject { id: ID! oid: GitObjectID! }
type Commit implements Node & GitObject { id: ID! oid: GitObjectID! tree: Tree! committedDate: DateTime! }
type GitActor { name: String date: DateTime }
type Tag implements Node & GitObject { id: ID! oid: GitObjectID! name: String! tagger: GitActor target: GitObject! }
type Release implements Node { id: ID! name: String tagName: String! createdAt: DateTime! publishedAt: DateTime }
type RefConnection { totalCount: Int! nodes: [Ref] }
enum RefOrderField { TAG_COMMIT_DATE ALPHABETICAL }
input RefOrder { field: RefOrderField! direction: OrderDirection! }
enum IssueState { OPEN CLOSED }
enum PullRequestState { OPEN CLOSED MERGED }
type IssueConnection { totalCount: Int! }
type PullRequestConnection { totalCount: Int! }
type Tree implements Node & GitObject { id: ID! oid: GitObjectID! entries: [TreeEntry!] }
type TreeEntry { name: String! path: String type: String! mode: Int! oid: GitObjectID! object: GitObject }
type Blob implements Node & GitObject {
  id: ID!
  oid: GitObjectID!
  byteSize: Int!
  isBinary: Boolean
  isTruncated: Boolean!
  text: String
}
type Ref implements Node { id: ID! name: String! prefix: String! target: GitObject }

type Repository implements Node {
  id: ID!
  databaseId: Int
  name: String!
  nameWithOwner: String!
  owner: RepositoryOwner!
  description: String
  homepageUrl: URI
  url: URI!
  isArchived: Boolean!
  isFork: Boolean!
  isEmpty: Boolean!
  isTemplate: Boolean!
  isPrivate: Boolean!
  stargazerCount: Int!
  forkCount: Int!
  diskUsage: Int
  primaryLanguage: Language
  licenseInfo: License
  repositoryTopics(first: Int, last: Int, after: String, before: String): RepositoryTopicConnection!
  createdAt: DateTime!
  updatedAt: DateTime!
  pushedAt: DateTime
  defaultBranchRef: Ref
  object(expression: String, oid: GitObjectID): GitObject
  latestRelease: Release
  refs(refPrefix: String!, first: Int, last: Int, after: String, orderBy: RefOrder): RefConnection
  issues(states: [IssueState!], first: Int, last: Int): IssueConnection!
  pullRequests(states: [PullRequestState!], first: Int, last: Int): PullRequestConnection!
}

type RateLimit { cost: Int! limit: Int! nodeCount: Int! remaining: Int! resetAt: DateTime! used: Int! }

type Query {
  repositoryOwner(login: String!): RepositoryOwner
  repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  rateLimit(dryRun: Boolean = false): RateLimit
}
""".replace("{owner}", "id: ID! databaseId: Int login: String! name: String url: URI! {repositories}").replace(
    "{repositories}", _REPOSITORIES_FIELD
)


class _GitHubError(Exception):
    """An error GitHub reports with a `type` (NOT_FOUND, ...) next to the data it could not give."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class GraphQLStats:
    """What the `/graphql` endpoint answered and charged (thread-safe)."""

    queries: int = 0  # answered queries, whether charged or refused
    points: int = 0  # points charged, as GitHub's rateLimit.cost reports them
    costs: list[int] = field(default_factory=list)  # the cost of each charged query, in order
    rate_limited: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def reset(self) -> None:
        with self._lock:
            self.queries = self.points = self.rate_limited = 0
            self.costs = []

    def _charge(self, cost: int) -> None:
        with self._lock:
            self.queries += 1
            self.points += cost
            self.costs.append(cost)


# --------------------------------------------------------------------------- views the resolvers read


@dataclass
class _Owner:
    acct: _Account


@dataclass
class _Repo:
    acct: _Account
    repo: FakeRepo


@dataclass
class _Blob:
    data: bytes


@dataclass
class _Tree:
    repo: _Repo
    prefix: str  # "" for the root, else "dir/"


@dataclass
class _Commit:
    repo: _Repo
    date: str | None = None  # a tagged commit's date; None: the head commit (dated at the last push)


@dataclass
class _Ref:
    repo: _Repo
    tag: tuple[str, str] | None = None  # (name, commit date) of a tag ref; None: the default branch


@dataclass
class _Context:
    endpoint: GraphQLEndpoint
    cost: int
    nodes: int
    bucket: _Bucket


def _type_name(value: Any, *_: Any) -> str:
    """The concrete GraphQL type of a resolved object (for interfaces)."""
    if isinstance(value, _Owner):
        return "Organization" if value.acct.kind == "Organization" else "User"
    return {_Repo: "Repository", _Blob: "Blob", _Tree: "Tree", _Commit: "Commit", _Ref: "Ref"}[type(value)]


def _cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:v2:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        return int(text.removeprefix("cursor:v2:"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _GitHubError(f"`{cursor}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS") from exc


def _page(items: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    """A connection over `items`: `first`/`after` from the front, `last`/`before` from the back."""
    after, before = _offset(args.get("after")), _offset(args.get("before"))
    start = 0 if after is None else after + 1
    end = len(items) if before is None else min(before, len(items))
    if args.get("first") is not None:
        end = min(end, start + args["first"])
    elif args.get("last") is not None:
        start = max(start, end - args["last"])
    window = items[start:end]
    return {
        "totalCount": len(items),
        "nodes": window,
        # Callables are resolved by graphql-core only when the query asks for them: few queries read edges.
        "edges": lambda _info: [{"cursor": _cursor(start + i), "node": item} for i, item in enumerate(window)],
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": _cursor(start) if window else None,
            "endCursor": _cursor(end - 1) if window else None,
        },
    }


def _never(_: Any) -> bool:
    return False


def _is_binary(data: bytes) -> bool:
    if b"\0" in data[:8000]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


# --------------------------------------------------------------------------- the endpoint


class GraphQLEndpoint:
    """`POST /graphql` for one emulator. Reached from `GitHubEmulator._respond`."""

    def __init__(self, emulator: GitHubEmulator, *, rate_limit: int = 5000, points_per_minute: int = 2000) -> None:
        self.emulator = emulator
        self.rate_limit = rate_limit
        self.points_per_minute = points_per_minute  # GitHub's secondary limit for GraphQL
        self.blob_text_limit = BLOB_TEXT_LIMIT
        self.timeout_above_nodes: int | None = None
        self.stats = GraphQLStats()
        self._buckets: dict[str, _Bucket] = {}
        self._recent: deque[tuple[float, int]] = deque()  # (time, points) of the last minute
        self._faults: list[tuple[re.Pattern[str], deque[str]]] = []
        self._lock = threading.Lock()
        self.schema = _schema()

    # -- set-up from tests -----------------------------------------------------------------

    def inject(self, pattern: str, *faults: str) -> None:
        """Queue GraphQL faults for queries whose text or variables match the regex `pattern`.

        "partial": the first top-level field comes back null with an error next to the other data;
        "query-timeout": HTTP 200 with no data and GitHub's timeout error.
        """
        for fault in faults:
            if fault not in GRAPHQL_FAULTS:
                raise ValueError(f"unknown GraphQL fault {fault!r}")
        with self._lock:
            self._faults.append((re.compile(pattern), deque(faults)))

    def set_rate_limit(self, remaining: int, reset_in: float) -> None:
        """Set every GraphQL budget's remaining points and reset time."""
        now = self.emulator.clock()
        with self._lock:
            for name in ("authenticated", *self._buckets):
                bucket = self._bucket(name)
                bucket.remaining = remaining
                bucket.reset_at = now + reset_in

    def reset_stats(self) -> None:
        self.stats.reset()

    def node_id_of(self, owner: str, name: str) -> str:
        """The GraphQL node id GitHub gives `owner/name` (as the REST `node_id`)."""
        with self.emulator._lock:
            repo = self.emulator._find(owner, name)
        if repo is None:
            raise KeyError(f"{owner}/{name}")
        return _b64(f"010:Repository{repo.id}")

    # -- one request ---------------------------------------------------------------------------

    def respond(self, method: str, headers: Any, body: bytes, request_id: str) -> _Reply:
        emulator = self.emulator
        with emulator._lock:
            caller = emulator._identify(headers, "/graphql")
        if isinstance(caller, _Result):  # a bad or expired token
            return self._reply(caller.status, caller.payload, request_id)
        if caller.bucket == "unauthenticated":
            message = {"message": "This endpoint requires you to be authenticated.", "documentation_url": AUTH_DOCS}
            return self._reply(401, message, request_id)
        if method != "POST":
            return self._reply(404, {"message": "Not Found", "documentation_url": GRAPHQL_DOCS}, request_id)
        try:
            request = json.loads(body or b"null")
        except ValueError:
            return self._reply(400, {"message": "Problems parsing JSON", "documentation_url": GRAPHQL_DOCS}, request_id)
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            message = {"message": "A query attribute must be specified and must be a string."}
            return self._reply(400, message | {"documentation_url": GRAPHQL_DOCS}, request_id)
        variables = request.get("variables") or {}
        if not isinstance(variables, dict):
            return self._reply(
                400, {"message": "Variables are invalid JSON.", "documentation_url": GRAPHQL_DOCS}, request_id
            )
        query = request["query"]
        document, problems = _checked_document(query)
        if document is None:
            return self._reply(200, {"errors": list(problems)}, request_id, self._bucket(caller.bucket))
        try:
            cost, nodes = query_cost(document, variables, request.get("operationName"))
        except _GitHubError as exc:
            error = {"type": exc.kind, "message": str(exc)}
            return self._reply(200, {"errors": [error]}, request_id, self._bucket(caller.bucket))
        return self._execute(caller, document, query, variables, request.get("operationName"), cost, nodes, request_id)

    def _execute(
        self,
        caller: _Caller,
        document: DocumentNode,
        query: str,
        variables: dict[str, Any],
        operation: str | None,
        cost: int,
        nodes: int,
        request_id: str,
    ) -> _Reply:
        now = self.emulator.clock()
        with self._lock:
            bucket = self._bucket(caller.bucket)
            bucket.refresh(now)
            while self._recent and self._recent[0][0] <= now - 60:
                self._recent.popleft()
            in_last_minute = sum(points for _, points in self._recent)
            if in_last_minute + cost > self.points_per_minute:
                retry_after = max(1, math.ceil(self._recent[0][0] + 60 - now)) if self._recent else 60
                secondary = True
            else:
                secondary = False
                exhausted = bucket.remaining < cost
                if not exhausted:
                    bucket.remaining -= cost
                    self._recent.append((now, cost))
        if secondary:
            message = (
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                f"If you reach out to GitHub Support for help, please include the request ID {request_id}."
            )
            payload = {"message": message, "documentation_url": SECONDARY_DOCS}
            return self._reply(403, payload, request_id, bucket, [("retry-after", str(retry_after))])
        if exhausted:
            self.stats.rate_limited += 1
            with self.emulator._lock:
                message = self.emulator._rate_limited(caller).payload["message"]
            return self._reply(200, {"errors": [{"type": "RATE_LIMITED", "message": message}]}, request_id, bucket)
        self.stats._charge(cost)
        fault = self._take_fault(query + "\n" + json.dumps(variables, sort_keys=True))
        if fault == "query-timeout" or (self.timeout_above_nodes is not None and nodes > self.timeout_above_nodes):
            error = {"message": TIMEOUT_MESSAGE.format(id=request_id)}
            return self._reply(200, {"data": None, "errors": [error]}, request_id, bucket)
        context = _Context(self, cost, nodes, bucket)
        with self.emulator._lock:  # one consistent view of the emulated world per query
            result = execute(
                self.schema,
                document,
                variable_values=variables,
                operation_name=operation,
                context_value=context,
                is_awaitable=_never,  # every resolver is synchronous: skip graphql-core's costly check
            )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            for error in result.errors:
                if not isinstance(error.original_error, _GitHubError):
                    # A resolver bug, not an emulated error: keep it for the test to see.
                    self.emulator.errors.append(f"GraphQL resolver error: {error}")
            payload["errors"] = [_format(e) for e in result.errors]
        if fault == "partial" and isinstance(result.data, dict) and result.data:
            first = next(iter(result.data))
            payload["data"] = {**result.data, first: None}
            message = TIMEOUT_MESSAGE.format(id=request_id).replace("This may be the result of a timeout, or it", "It")
            payload.setdefault("errors", []).append({"message": message, "path": [first]})
        return self._reply(200, payload, request_id, bucket)

    def _take_fault(self, text: str) -> str | None:
        with self._lock:
            for pattern, queue in self._faults:
                if queue and pattern.search(text):
                    return queue.popleft()
        return None

    def _bucket(self, name: str) -> _Bucket:
        """The points budget of a caller (all personal tokens share one, like one user's would)."""
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = self._buckets[name] = _Bucket(
                self.rate_limit, self.rate_limit, self.emulator.clock() + RATE_WINDOW
            )
        return bucket

    def _reply(
        self,
        status: int,
        payload: Any,
        request_id: str = "",
        bucket: _Bucket | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> _Reply:
        headers = [("content-type", JSON_TYPE), ("x-github-media-type", "github.v4; format=json")]
        if bucket is not None:
            headers += [(k, "graphql" if k == "x-ratelimit-resource" else v) for k, v in bucket.headers()]
        headers.append(("x-github-request-id", request_id))
        return _Reply(status, headers + (extra or []), _dumps(payload))

    # -- data the resolvers read (the emulator's lock is held) -----------------------------------

    def owner(self, login: str) -> _Owner | None:
        acct = self.emulator._accounts.get(login.lower())
        return _Owner(acct) if acct is not None else None

    def repos_of(self, acct: _Account) -> list[_Repo]:
        return [_Repo(acct, r) for r in self.emulator._repos_of(acct.login.lower())]

    def repo_by_id(self, repo_id: int) -> _Repo | None:
        found = self.emulator._repos.get(repo_id)
        if found is None:
            return None
        owner_key, repo = found
        return _Repo(self.emulator._accounts[owner_key], repo)

    def node(self, node_id: str) -> Any:
        try:
            text = base64.b64decode(node_id, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        if match := re.fullmatch(r"010:Repository(\d+)", text):
            return self.repo_by_id(int(match.group(1)))
        if match := re.fullmatch(r"(?:012:Organization|04:User)(\d+)", text):
            acct = self.emulator._account_by_id(int(match.group(1)))
            return _Owner(acct) if acct is not None else None
        return None


# --------------------------------------------------------------------------- resolvers


def _resolve_repository_owner(_: Any, info: Any, login: str) -> _Owner:
    owner = info.context.endpoint.owner(login)
    if owner is None:
        raise _GitHubError(f"Could not resolve to a RepositoryOwner with the login of '{login}'.", "NOT_FOUND")
    return owner


def _resolve_repository(_: Any, info: Any, owner: str, name: str, followRenames: bool = True) -> _Repo:  # noqa: N803
    emulator = info.context.endpoint.emulator
    repo_id = emulator._by_owner.get(owner.lower(), {}).get(name.lower())
    if repo_id is None and followRenames:
        repo_id = emulator._aliases.get((owner.lower(), name.lower()))
    found = info.context.endpoint.repo_by_id(repo_id) if repo_id is not None else None
    if found is None:
        raise _GitHubError(f"Could not resolve to a Repository with the name '{owner}/{name}'.", "NOT_FOUND")
    return found


def _resolve_node(_: Any, info: Any, id: str) -> Any:  # noqa: A002 - GitHub's argument name
    found = info.context.endpoint.node(id)
    if found is None:
        raise _GitHubError(f"Could not resolve to a node with the global id of '{id}'", "NOT_FOUND")
    return found


def _resolve_nodes(_: Any, info: Any, ids: list[str]) -> list[Any]:
    if len(ids) > 100:
        raise _GitHubError("You may not request more than 100 nodes at once.", "EXCESSIVE_PAGINATION")
    # GitHub answers null for an id it cannot resolve, with a NOT_FOUND error at ["nodes", i]:
    # graphql-core raises an Exception found in a list where it stands.
    endpoint = info.context.endpoint
    return [
        endpoint.node(i) or _GitHubError(f"Could not resolve to a node with the global id of '{i}'", "NOT_FOUND")
        for i in ids
    ]


def _resolve_rate_limit(_: Any, info: Any, dryRun: bool = False) -> dict[str, Any]:  # noqa: N803
    context: _Context = info.context
    bucket = context.bucket
    return {
        "cost": context.cost,
        "limit": bucket.limit,
        "nodeCount": context.nodes,
        "remaining": max(0, bucket.remaining),
        "resetAt": _iso(bucket.reset_at),
        "used": bucket.used,
    }


def _owner_repositories(owner: _Owner, info: Any, **args: Any) -> dict[str, Any]:
    repos = info.context.endpoint.repos_of(owner.acct)
    if args.get("privacy") == "PRIVATE":
        repos = []  # every emulated repository is public
    if args.get("isFork") is not None:
        repos = [r for r in repos if r.repo.fork == args["isFork"]]
    if args.get("isArchived") is not None:
        repos = [r for r in repos if r.repo.archived == args["isArchived"]]
    order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
    key = {
        "CREATED_AT": lambda r: (_parse_iso(r.repo.created_at), r.repo.id),
        "UPDATED_AT": lambda r: (_parse_iso(r.repo.updated_at), r.repo.id),
        "PUSHED_AT": lambda r: (_parse_iso(r.repo.pushed_at), r.repo.id),
        "NAME": lambda r: (r.repo.name.lower(), r.repo.id),
        "STARGAZERS": lambda r: (r.repo.stars, r.repo.id),
    }[order["field"]]
    repos.sort(key=key, reverse=order["direction"] == "DESC")
    return _page(repos, args)


def _commit_tree(commit: _Commit, _: Any) -> _Tree:
    return _Tree(commit.repo, "")


def _tree_entries(tree: _Tree, _: Any) -> list[dict[str, Any]]:
    files = _files(tree.repo.repo)
    entries: dict[str, dict[str, Any]] = {}
    for path, data in files.items():
        if not path.startswith(tree.prefix):
            continue
        name, slash, _rest = path[len(tree.prefix) :].partition("/")
        # oid and object are callables, worked out only for a query that asks (the crawl reads names and types).
        if slash:
            sub = _Tree(tree.repo, f"{tree.prefix}{name}/")
            entries.setdefault(name, {"name": name, "path": tree.prefix + name, "type": "tree", "mode": 16384,
                                      "oid": lambda _info, sub=sub: _oid(f"tree:{sub.prefix}"),
                                      "object": lambda _info, sub=sub: sub})  # fmt: skip
        else:
            entries[name] = {"name": name, "path": path, "type": "blob", "mode": 33188,
                             "oid": lambda _info, data=data: _git_blob_sha(data),
                             "object": lambda _info, data=data: _Blob(data)}  # fmt: skip
    return [entries[n] for n in sorted(entries)]


def _files(repo: FakeRepo) -> dict[str, bytes]:
    from tests.github_emulator import GitHubEmulator  # noqa: PLC0415 - it imports this module: no cycle at load

    return {} if repo.empty else GitHubEmulator._files_of(repo)


def _ref_name(ref: _Ref) -> str:
    return ref.tag[0] if ref.tag else ref.repo.repo.default_branch


def _latest_release(repo: _Repo, _: Any) -> dict[str, Any] | None:
    if not repo.repo.releases:
        return None
    tag, published = repo.repo.releases[0]
    return {"id": _b64(f"07:Release{repo.repo.id}:{tag}"), "name": tag, "tagName": tag,
            "createdAt": published, "publishedAt": published}  # fmt: skip


def _repo_refs(repo: _Repo, _: Any, refPrefix: str, **args: Any) -> dict[str, Any]:  # noqa: N803 - GitHub's name
    """Tags only (the crawler asks for no other refs), newest commit first when asked to."""
    if refPrefix != "refs/tags/":
        return {"totalCount": 0, "nodes": []}
    tags = list(repo.repo.tags)
    order = args.get("orderBy") or {"field": "ALPHABETICAL", "direction": "ASC"}
    key = (lambda t: _parse_iso(t[1])) if order["field"] == "TAG_COMMIT_DATE" else (lambda t: t[0])
    tags.sort(key=key, reverse=order["direction"] == "DESC")
    page = _page([_Ref(repo, t) for t in tags], args)
    return {"totalCount": len(tags), "nodes": page["nodes"]}


def _oid(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - a git-style object id, not security


def _repo_object(repo: _Repo, _: Any, expression: str | None = None, oid: str | None = None) -> Any:
    """`HEAD:path` or `<branch>:path` (a blob or a tree), `HEAD` or `<branch>` (the commit)."""
    fake = repo.repo
    if fake.empty or expression is None:
        return None
    revision, colon, path = expression.partition(":")
    if revision not in ("HEAD", fake.default_branch, f"refs/heads/{fake.default_branch}"):
        return None
    if not colon:
        return _Commit(repo)
    path = path.strip("/")
    if not path:
        return _Tree(repo, "")
    files = _files(fake)
    if path in files:
        return _Blob(files[path])
    if any(p.startswith(path + "/") for p in files):
        return _Tree(repo, path + "/")
    return None


def _blob_text(blob: _Blob, info: Any) -> str | None:
    if _is_binary(blob.data):
        return None
    limit = info.context.endpoint.blob_text_limit
    return blob.data[:limit].decode("utf-8", errors="ignore")


def _schema() -> GraphQLSchema:
    schema = _SCHEMA_CACHE.get("schema")
    if schema is not None:
        return schema
    schema = build_schema(SCHEMA_SDL)
    for interface in ("Node", "RepositoryOwner", "GitObject"):
        schema.type_map[interface].resolve_type = _type_name  # type: ignore[attr-defined]

    def fields(type_name: str, **resolvers: Any) -> None:
        for name, resolver in resolvers.items():
            schema.type_map[type_name].fields[name].resolve = resolver  # type: ignore[attr-defined]

    fields(
        "Query",
        repositoryOwner=_resolve_repository_owner,
        repository=_resolve_repository,
        node=_resolve_node,
        nodes=_resolve_nodes,
        rateLimit=_resolve_rate_limit,
    )
    for owner_type in ("Organization", "User"):
        fields(
            owner_type,
            id=lambda o, _: o.acct.node_id,
            databaseId=lambda o, _: o.acct.id,
            login=lambda o, _: o.acct.login,
            name=lambda o, _: o.acct.name,
            url=lambda o, _: f"https://github.com/{o.acct.login}",
            repositories=_owner_repositories,
        )
    licences = {spdx: (key, name) for spdx, (key, name, _n) in _LICENCES.items()}

    def licence(r: _Repo, _: Any) -> dict[str, Any] | None:
        spdx = r.repo.license_spdx
        if spdx is None or r.repo.empty:
            return None
        key, name = licences.get(spdx, (spdx.lower(), spdx))
        url = None if key == "other" else f"http://choosealicense.com/licenses/{key}/"
        return {"id": _b64(f"07:License{key}"), "key": key, "name": name, "spdxId": spdx, "url": url}

    fields(
        "Repository",
        id=lambda r, _: _b64(f"010:Repository{r.repo.id}"),
        databaseId=lambda r, _: r.repo.id,
        name=lambda r, _: r.repo.name,
        nameWithOwner=lambda r, _: f"{r.acct.login}/{r.repo.name}",
        owner=lambda r, _: _Owner(r.acct),
        description=lambda r, _: r.repo.description,
        homepageUrl=lambda r, _: r.repo.homepage,
        url=lambda r, _: f"https://github.com/{r.acct.login}/{r.repo.name}",
        isArchived=lambda r, _: r.repo.archived,
        isFork=lambda r, _: r.repo.fork,
        isEmpty=lambda r, _: r.repo.empty,
        isTemplate=lambda r, _: r.repo.is_template,
        isPrivate=lambda r, _: False,
        stargazerCount=lambda r, _: r.repo.stars,
        forkCount=lambda r, _: r.repo.forks,
        diskUsage=lambda r, _: 0 if r.repo.empty else r.repo.size,
        primaryLanguage=lambda r, _: (
            {"id": _b64(f"08:Language{r.repo.language}"), "name": r.repo.language} if r.repo.language else None
        ),
        licenseInfo=licence,
        repositoryTopics=lambda r, _, **args: _page(
            [
                {"id": _b64(f"015:RepositoryTopic{t}"), "topic": {"id": _b64(f"05:Topic{t}"), "name": t}}
                for t in r.repo.topics
            ],  # fmt: skip
            args,
        ),
        createdAt=lambda r, _: r.repo.created_at,
        updatedAt=lambda r, _: r.repo.updated_at,
        pushedAt=lambda r, _: r.repo.pushed_at,
        defaultBranchRef=lambda r, _: None if r.repo.empty else _Ref(r),
        object=_repo_object,
        latestRelease=_latest_release,
        refs=_repo_refs,
        # Open issues only: FakeRepo.open_issues is REST's count, which takes in open pull requests,
        # and the emulator has none of those.
        issues=lambda r, _, **args: {"totalCount": r.repo.open_issues if args.get("states") == ["OPEN"] else 0},
        pullRequests=lambda r, _, **args: {"totalCount": 0},
    )
    fields(
        "Ref",
        id=lambda ref, _: _b64(f"03:Ref{ref.repo.repo.id}:{_ref_name(ref)}"),
        name=lambda ref, _: _ref_name(ref),
        prefix=lambda ref, _: "refs/tags/" if ref.tag else "refs/heads/",
        target=lambda ref, _: _Commit(ref.repo, ref.tag[1] if ref.tag else None),
    )
    fields(
        "Commit",
        id=lambda c, _: _b64(f"06:Commit{c.repo.repo.id}:{c.date or c.repo.repo.pushed_at}"),
        oid=lambda c, _: _oid(f"commit:{c.repo.repo.id}:{c.date or c.repo.repo.pushed_at}"),
        tree=_commit_tree,
        committedDate=lambda c, _: c.date or c.repo.repo.pushed_at,
    )
    fields(
        "Tree",
        id=lambda t, _: _b64(f"04:Tree{t.repo.repo.id}:{t.prefix}"),
        oid=lambda t, _: _oid(f"tree:{t.repo.repo.id}:{t.prefix}:{t.repo.repo.pushed_at}"),
        entries=_tree_entries,
    )
    fields(
        "Blob",
        id=lambda b, _: _b64(f"04:Blob{_git_blob_sha(b.data)}"),
        oid=lambda b, _: _git_blob_sha(b.data),
        byteSize=lambda b, _: len(b.data),
        isBinary=lambda b, _: _is_binary(b.data),
        isTruncated=lambda b, info: not _is_binary(b.data) and len(b.data) > info.context.endpoint.blob_text_limit,
        text=_blob_text,
    )
    _SCHEMA_CACHE["schema"] = schema
    return schema


_SCHEMA_CACHE: dict[str, GraphQLSchema] = {}


@functools.lru_cache(maxsize=256)
def _checked_document(query: str) -> tuple[DocumentNode | None, tuple[dict[str, Any], ...]]:
    """(the parsed document, no errors) of a valid query; (None, its errors as GitHub writes them) otherwise.

    Kept by query text: a crawl sends the same text many times with other variables, and parsing and
    validating a query costs the emulator more than running it (GitHub's servers, not ours, do this
    work for a real crawl). The answer is the same as parsing again: the schema never changes and
    graphql-core never changes a document it executes.
    """
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, (_format(exc),)
    problems = validate(_schema(), document)
    if problems:
        return None, tuple(_format(e) for e in problems)
    return document, ()


# --------------------------------------------------------------------------- cost


def query_cost(document: DocumentNode, variables: dict[str, Any], operation_name: str | None = None) -> tuple[int, int]:
    """(points, nodes) of one query by GitHub's documented rules.

    Each connection costs one request per parent object that could hold it (the product of the
    enclosing connections' `first`/`last`); points are the sum over 100, rounded, at least 1.
    Nodes are the objects the connections could return. Raises _GitHubError for a connection
    without `first`/`last`, a page over 100, or more than 500,000 nodes.
    """
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    named = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if len(named) != 1:
        raise _GitHubError("An operation name is required and must match one operation.", "INVALID_OPERATION")
    operation = named[0]
    defaults = {
        v.variable.name.value: getattr(v.default_value, "value", None) for v in operation.variable_definitions or ()
    }
    values = {**defaults, **variables}
    requests = nodes = 0

    def page_size(node: FieldNode) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = argument.value
                if isinstance(value, VariableNode):
                    number = values.get(value.name.value)
                elif isinstance(value, IntValueNode):
                    number = int(value.value)
                else:
                    number = None
                if number is None:
                    continue
                if not 1 <= int(number) <= 100:
                    raise _GitHubError(
                        f"Requesting {number} records on the `{node.name.value}` connection exceeds the "
                        "`first` limit of 100 records.",
                        "EXCESSIVE_PAGINATION",
                    )
                return int(number)
        return None

    def list_size(node: FieldNode) -> int:
        """How many objects `nodes(ids:)` hands to its children."""
        for argument in node.arguments or ():
            if argument.name.value == "ids":
                value = argument.value
                ids = values.get(value.name.value) if isinstance(value, VariableNode) else value.values  # type: ignore[attr-defined]
                return len(ids or ())
        return 1

    def walk(selection_set: SelectionSetNode | None, multiplier: int) -> None:
        nonlocal requests, nodes
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                walk(fragments[selection.name.value].selection_set, multiplier)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, multiplier)
            elif isinstance(selection, FieldNode):
                name = selection.name.value
                if name in CONNECTION_FIELDS:
                    size = page_size(selection)
                    if size is None:
                        raise _GitHubError(
                            f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.",
                            "MISSING_PAGINATION_BOUNDARIES",
                        )
                    requests += multiplier
                    nodes += multiplier * size
                    walk(selection.selection_set, multiplier * size)
                elif name == "nodes" and selection.arguments:
                    walk(selection.selection_set, multiplier * list_size(selection))
                else:
                    walk(selection.selection_set, multiplier)

    walk(operation.selection_set, 1)
    if nodes > NODE_LIMIT:
        raise _GitHubError(
            f"This query requests up to {nodes:,} possible nodes which exceeds the maximum limit of {NODE_LIMIT:,}.",
            "MAX_NODE_LIMIT_EXCEEDED",
        )
    return max(1, math.floor(requests / 100 + 0.5)), nodes


# issues and pullRequests are asked for their totalCount alone, which GitHub allows without a page size.
CONNECTION_FIELDS = frozenset({"repositories", "repositoryTopics", "refs"})


def _format(error: GraphQLError) -> dict[str, Any]:
    """An error as GitHub writes it: `type` (when it has one), `path`, `locations`, `message`."""
    out: dict[str, Any] = {}
    original = error.original_error
    if isinstance(original, _GitHubError):
        out["type"] = original.kind
    if error.path is not None:
        out["path"] = list(error.path)
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    out["message"] = error.message
    return out

"""The emulator's GraphQL endpoint: GitHub's cost formula, budget, error shapes and faults."""

from __future__ import annotations

import httpx
import pytest
from graphql import parse

from tests.github_emulator import FakeRepo, GitHubEmulator
from tests.github_graphql import _GitHubError, query_cost

AUTH = {"Authorization": "bearer test-token"}


def post(server: GitHubEmulator, query: str, variables: dict | None = None, headers: dict | None = None):
    body = {"query": query, "variables": variables or {}}
    return httpx.post(server.url + "/graphql", json=body, headers=AUTH if headers is None else headers, timeout=10)


@pytest.fixture
def world(emulator: GitHubEmulator) -> GitHubEmulator:
    emulator.add_account("ExampleCC")
    emulator.add_repo(
        "ExampleCC",
        FakeRepo(name="bins", readme=b"# Bins\r\n", topics=["waste", "bins"], license_spdx="MIT", license_file=b"MIT"),
    )
    emulator.add_repo("ExampleCC", FakeRepo(name="empty", empty=True))
    emulator.add_account("jo", kind="User")
    emulator.add_repo("jo", FakeRepo(name="notes", readme="caf\u00e9".encode("cp1252")))
    return emulator


def cost_of(query: str, variables: dict | None = None) -> tuple[int, int]:
    return query_cost(parse(query), variables or {})


def test_cost_follows_githubs_documented_formula():
    # GitHub's worked example: 50 repositories, then 10 issues for each (here topics): 1 + 50 requests.
    assert cost_of("{ a: repositoryOwner(login: \"x\") { repositories(first: 50) { nodes { "
                   "repositoryTopics(first: 10) { nodes { id } } } } } }") == (1, 550)  # fmt: skip
    three_pages = " ".join(
        f'a{i}: repositoryOwner(login: "x") {{ repositories(first: $n) {{ nodes {{ '
        f"repositoryTopics(first: 100) {{ totalCount }} }} }} }}"
        for i in range(3)
    )
    # 3 x (1 + 100) requests = 303, over 100 and rounded: 3 points; 3 x (100 + 100 x 100) nodes.
    assert cost_of(f"query($n: Int!) {{ {three_pages} }}", {"n": 100}) == (3, 30300)
    # No connection at all still costs the minimum of one point.
    assert cost_of('{ repositoryOwner(login: "x") { login } rateLimit { cost } }') == (1, 0)


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ('{ repositoryOwner(login: "x") { repositories { totalCount } } }', "MISSING_PAGINATION_BOUNDARIES"),
        ('{ repositoryOwner(login: "x") { repositories(first: 101) { totalCount } } }', "EXCESSIVE_PAGINATION"),
    ],
)
def test_connections_need_a_page_size_of_at_most_100(query, kind):
    with pytest.raises(_GitHubError) as raised:
        cost_of(query)
    assert raised.value.kind == kind


def test_a_query_without_a_token_is_refused_with_401(world):
    response = post(world, "{ rateLimit { cost } }", headers={})
    assert response.status_code == 401
    assert "requires you to be authenticated" in response.json()["message"]
    assert world.graphql.stats.points == 0


def test_listing_fields_text_and_rate_limit_come_back_like_githubs(world):
    query = """query { org: repositoryOwner(login: "examplecc") {
        __typename login
        repositories(first: 10, privacy: PUBLIC, ownerAffiliations: [OWNER]) {
          totalCount pageInfo { hasNextPage endCursor }
          nodes { databaseId name nameWithOwner isEmpty stargazerCount licenseInfo { spdxId key }
                  repositoryTopics(first: 20) { nodes { topic { name } } }
                  defaultBranchRef { name target { ... on Commit { tree { entries { name type } } } } }
                  readme: object(expression: "HEAD:README.md") { ... on Blob { text byteSize isTruncated isBinary } } }
        } }
      user: repositoryOwner(login: "jo") { __typename repositories(first: 1) { nodes {
        object(expression: "HEAD:README.md") { ... on Blob { text isBinary byteSize } } } } }
      rateLimit { cost remaining limit resetAt } }"""
    response = post(world, query)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    org = body["data"]["org"]
    assert org["__typename"] == "Organization" and org["login"] == "ExampleCC"
    bins, empty = org["repositories"]["nodes"]
    assert bins["nameWithOwner"] == "ExampleCC/bins"
    assert bins["licenseInfo"] == {"spdxId": "MIT", "key": "mit"}
    assert [t["topic"]["name"] for t in bins["repositoryTopics"]["nodes"]] == ["waste", "bins"]
    assert [e["name"] for e in bins["defaultBranchRef"]["target"]["tree"]["entries"]] == ["LICENSE", "README.md"]
    assert bins["readme"] == {"text": "# Bins\r\n", "byteSize": 8, "isTruncated": False, "isBinary": False}
    assert empty["isEmpty"] and empty["defaultBranchRef"] is None and empty["readme"] is None
    # Not UTF-8: GitHub gives no text, only the size.
    user = body["data"]["user"]
    assert user["repositories"]["nodes"][0]["object"] == {"text": None, "isBinary": True, "byteSize": 4}
    rate = body["data"]["rateLimit"]
    assert rate["cost"] == 1 and rate["remaining"] == 4999 and rate["limit"] == 5000
    assert response.headers["x-ratelimit-resource"] == "graphql"
    assert response.headers["x-ratelimit-remaining"] == "4999"
    assert world.graphql.stats.points == 1 and world.graphql.stats.costs == [1]


def test_an_unknown_login_or_node_is_null_with_a_not_found_error(world):
    response = post(
        world,
        'query($ids: [ID!]!) { a: repositoryOwner(login: "nobody") { login } '
        'b: repositoryOwner(login: "jo") { login } nodes(ids: $ids) { id } }',
        {"ids": ["bm90IGEgcmVwbw==", world.graphql.node_id_of("jo", "notes")]},
    )
    body = response.json()
    assert response.status_code == 200
    assert body["data"]["a"] is None and body["data"]["b"] == {"login": "jo"}
    assert body["data"]["nodes"][0] is None and body["data"]["nodes"][1] is not None
    first, second = body["errors"]
    assert first["type"] == "NOT_FOUND" and first["path"] == ["a"]
    assert "login of 'nobody'" in first["message"]
    assert second["type"] == "NOT_FOUND" and second["path"] == ["nodes", 0]


def test_pages_follow_cursors(world):
    for i in range(5):
        world.add_repo("jo", FakeRepo(name=f"r{i}"))
    names, after = [], None
    for _ in range(10):
        page = post(
            world,
            'query($after: String) { repositoryOwner(login: "jo") { repositories(first: 2, after: $after) '
            "{ pageInfo { hasNextPage endCursor } nodes { name } } } }",
            {"after": after},
        ).json()["data"]["repositoryOwner"]["repositories"]
        names += [n["name"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert names == ["notes", "r0", "r1", "r2", "r3", "r4"]


def test_a_spent_budget_answers_rate_limited_and_charges_nothing(world):
    world.graphql.set_rate_limit(remaining=0, reset_in=600)
    response = post(world, "{ rateLimit { cost } }")
    assert response.status_code == 200
    assert response.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert world.graphql.stats.points == 0 and world.graphql.stats.rate_limited == 1


def test_more_than_the_points_a_minute_is_a_secondary_limit_with_retry_after(world):
    world.graphql.points_per_minute = 2
    assert post(world, "{ rateLimit { cost } }").status_code == 200
    assert post(world, "{ rateLimit { cost } }").status_code == 200
    refused = post(world, "{ rateLimit { cost } }")
    assert refused.status_code == 403
    assert "secondary rate limit" in refused.json()["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_graphql_faults_partial_data_timeouts_and_http_faults(world):
    world.graphql.inject("examplecc", "partial", "query-timeout")
    world.inject(r"^/graphql$", "502")
    query = '{ a: repositoryOwner(login: "examplecc") { login } b: repositoryOwner(login: "jo") { login } }'
    assert post(world, query).status_code == 502
    partial = post(world, query).json()
    assert partial["data"] == {"a": None, "b": {"login": "jo"}}
    assert partial["errors"][0]["path"] == ["a"] and "type" not in partial["errors"][0]
    timed_out = post(world, query).json()
    assert timed_out["data"] is None and "timeout" in timed_out["errors"][0]["message"]
    assert post(world, query).json()["data"]["a"] == {"login": "ExampleCC"}


def test_big_queries_time_out_above_a_node_count_and_big_blobs_are_truncated(world):
    world.graphql.timeout_above_nodes = 50
    big = '{ repositoryOwner(login: "jo") { repositories(first: 60) { totalCount } } }'
    small = '{ repositoryOwner(login: "jo") { repositories(first: 40) { totalCount } } }'
    assert post(world, big).json()["data"] is None
    assert post(world, small).json()["data"]["repositoryOwner"]["repositories"]["totalCount"] == 1
    world.graphql.blob_text_limit = 4
    blob = post(
        world,
        '{ repository(owner: "ExampleCC", name: "bins") { object(expression: "main:README.md") '
        "{ ... on Blob { text isTruncated byteSize } } } }",
    ).json()["data"]["repository"]["object"]
    assert blob == {"text": "# Bi", "isTruncated": True, "byteSize": 8}


def test_invalid_queries_are_answered_with_errors_not_crashes(world):
    unknown_field = post(world, '{ repositoryOwner(login: "jo") { stars } }').json()
    assert "Cannot query field 'stars'" in unknown_field["errors"][0]["message"]
    assert "errors" in post(world, "{ this is not graphql").json()
    bad_json = httpx.post(world.url + "/graphql", content=b"{", headers=AUTH, timeout=10)
    assert bad_json.status_code == 400
    assert world.errors == []

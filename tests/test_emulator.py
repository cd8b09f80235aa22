"""Tests for the GitHub REST API emulator (tests/github_emulator.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import github
import httpx
import jwt
import pytest

from tests.github_emulator import (
    CORPUS_DIR,
    CORPUS_GITHUB_LICENCES,
    GITHUB_NOASSERTION,
    FakeRepo,
    GitHubEmulator,
    add_synthetic_repos,
    app_key_pair,
    load_corpus,
)

ORG = "Example-Borough-Council"
TOKEN = "ghp_testtoken"

LIST_REPO_KEYS = {
    "id", "node_id", "name", "full_name", "private", "owner", "html_url", "description", "fork", "url",
    "forks_url", "keys_url", "collaborators_url", "teams_url", "hooks_url", "issue_events_url", "events_url",
    "assignees_url", "branches_url", "tags_url", "blobs_url", "git_tags_url", "git_refs_url", "trees_url",
    "statuses_url", "languages_url", "stargazers_url", "contributors_url", "subscribers_url",
    "subscription_url", "commits_url", "git_commits_url", "comments_url", "issue_comment_url",
    "contents_url", "compare_url", "merges_url", "archive_url", "downloads_url", "issues_url", "pulls_url",
    "milestones_url", "notifications_url", "labels_url", "releases_url", "deployments_url", "created_at",
    "updated_at", "pushed_at", "git_url", "ssh_url", "clone_url", "svn_url", "homepage", "size",
    "stargazers_count", "watchers_count", "language", "has_issues", "has_projects", "has_downloads",
    "has_wiki", "has_pages", "has_discussions", "forks_count", "mirror_url", "archived", "disabled",
    "open_issues_count", "license", "allow_forking", "is_template", "web_commit_signoff_required", "topics",
    "visibility", "forks", "open_issues", "watchers", "default_branch", "permissions",
}  # fmt: skip
OWNER_KEYS = {
    "login", "id", "node_id", "avatar_url", "gravatar_id", "url", "html_url", "followers_url",
    "following_url", "gists_url", "starred_url", "subscriptions_url", "organizations_url", "repos_url",
    "events_url", "received_events_url", "type", "user_view_type", "site_admin",
}  # fmt: skip
ORG_KEYS = {
    "login", "id", "node_id", "url", "repos_url", "events_url", "hooks_url", "issues_url", "members_url",
    "public_members_url", "avatar_url", "description", "name", "company", "blog", "location", "email",
    "twitter_username", "is_verified", "has_organization_projects", "has_repository_projects",
    "public_repos", "public_gists", "followers", "following", "html_url", "created_at", "updated_at",
    "archived_at", "type",
}  # fmt: skip
FILE_KEYS = {
    "name", "path", "sha", "size", "url", "html_url", "git_url", "download_url", "type", "content",
    "encoding", "_links",
}  # fmt: skip
LICENCE_KEYS = {"key", "name", "spdx_id", "url", "node_id"}

README = "# Bin collections\n\nFind your bin day – “quickly” © 2024 👍\n".encode() * 5
MIT_TEXT = b"MIT License\n\nCopyright (c) 2024 Example Borough Council\n"


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def emulator() -> Iterator[GitHubEmulator]:
    em = GitHubEmulator()
    em.add_account(ORG, name="Example Borough Council")
    em.add_account("jbloggs", "User", name="Joe Bloggs")
    em.add_repo(
        ORG,
        FakeRepo(
            "bins",
            description="Bin day look-up",
            language="Python",
            topics=["council", "waste"],
            readme=README,
            license_file=MIT_TEXT,
            license_spdx="MIT",
        ),
    )
    em.add_repo(ORG, FakeRepo("no-readme", license_file=b"OGL v3", license_path="LICENCE", license_spdx="NOASSERTION"))
    em.add_repo(ORG, FakeRepo("nothing-yet", empty=True))
    em.add_repo("jbloggs", FakeRepo("dotfiles", readme=b"# dotfiles\n"))
    with em:
        yield em
    assert not em.errors, em.errors[0]


@pytest.fixture
def client(emulator: GitHubEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, headers={"Authorization": f"token {TOKEN}"}, timeout=5) as c:
        yield c


def follow_pages(c: httpx.Client, url: str, limit: int = 50) -> list[httpx.Response]:
    """Follow rel="next" links only, at most `limit` pages."""
    pages = []
    next_url: str | None = url
    while next_url and len(pages) < limit:
        response = c.get(next_url)
        assert response.status_code == 200, response.text
        pages.append(response)
        next_url = response.links.get("next", {}).get("url")
    return pages


# ----------------------------------------------------------------------------- shapes


def test_org_shape_and_case_insensitive_handles(client: httpx.Client) -> None:
    response = client.get("/orgs/example-borough-council")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-github-api-version-selected"] == "2022-11-28"
    assert response.headers["x-github-request-id"]
    body = response.json()
    assert set(body) == ORG_KEYS
    assert body["login"] == ORG  # the stored casing
    assert body["type"] == "Organization"
    assert body["public_repos"] == 3
    assert body["name"] == "Example Borough Council"


def test_org_versus_user_lookups(client: httpx.Client) -> None:
    for path in ("/orgs/jbloggs", "/orgs/no-such-council", "/orgs/jbloggs/repos"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["message"] == "Not Found"
        assert response.json()["status"] == "404"
        assert response.json()["documentation_url"].startswith("https://docs.github.com/")
    user = client.get("/users/JBLOGGS").json()
    assert user["type"] == "User" and user["login"] == "jbloggs"
    assert set(user) >= OWNER_KEYS
    assert client.get("/users/example-borough-council").json()["type"] == "Organization"
    assert [r["name"] for r in client.get("/users/jbloggs/repos").json()] == ["dotfiles"]
    assert client.get("/users/nobody").status_code == 404
    assert client.get("/some/unknown/endpoint").json()["message"] == "Not Found"


def test_repository_shapes(client: httpx.Client) -> None:
    listing = {r["name"]: r for r in client.get(f"/orgs/{ORG}/repos").json()}
    assert set(listing) == {"bins", "no-readme", "nothing-yet"}
    for repo in listing.values():
        assert set(repo) == LIST_REPO_KEYS
        assert set(repo["owner"]) == OWNER_KEYS
    bins = listing["bins"]
    assert bins["full_name"] == f"{ORG}/bins"
    assert bins["topics"] == ["council", "waste"]
    assert set(bins["license"]) == LICENCE_KEYS
    assert bins["license"]["spdx_id"] == "MIT" and bins["license"]["key"] == "mit"
    assert bins["size"] > 0
    other = listing["no-readme"]["license"]
    assert (other["key"], other["name"], other["spdx_id"], other["url"]) == ("other", "Other", "NOASSERTION", None)
    assert listing["nothing-yet"]["license"] is None
    assert listing["nothing-yet"]["size"] == 0

    full = client.get(f"/repos/{ORG.lower()}/BINS").json()
    assert set(full) == LIST_REPO_KEYS | {"custom_properties", "organization", "network_count", "subscribers_count"}
    assert full["name"] == "bins" and full["organization"]["login"] == ORG
    assert client.get(f"/repositories/{full['id']}").json()["full_name"] == f"{ORG}/bins"
    unauthenticated = httpx.get(f"{client.base_url}/repos/{ORG}/bins").json()
    assert "permissions" not in unauthenticated


def test_readme_licence_and_contents(client: httpx.Client, emulator: GitHubEmulator) -> None:
    readme = client.get(f"/repos/{ORG}/bins/readme")
    assert readme.status_code == 200
    body = readme.json()
    assert set(body) == FILE_KEYS
    assert body["type"] == "file" and body["encoding"] == "base64"
    lines = body["content"].split("\n")
    assert lines[-1] == "" and all(len(line) == 60 for line in lines[:-2]) and 0 < len(lines[-2]) <= 60
    assert base64.b64decode(body["content"]) == README
    assert body["size"] == len(README)
    assert body["sha"] == hashlib.sha1(b"blob %d\0" % len(README) + README).hexdigest()
    assert body["download_url"].endswith(f"{ORG}/bins/main/README.md")
    assert set(body["_links"]) == {"self", "git", "html"}

    raw = client.get(f"/repos/{ORG}/bins/readme", headers={"Accept": "application/vnd.github.raw+json"})
    assert raw.content == README and raw.headers["content-type"].startswith("application/vnd.github.raw")

    licence = client.get(f"/repos/{ORG}/bins/license").json()
    assert set(licence) == FILE_KEYS | {"license"}
    assert licence["license"]["spdx_id"] == "MIT" and base64.b64decode(licence["content"]) == MIT_TEXT
    other = client.get(f"/repos/{ORG}/no-readme/license").json()
    assert other["path"] == "LICENCE" and other["license"]["key"] == "other"

    missing = client.get(f"/repos/{ORG}/no-readme/readme")
    assert (missing.status_code, missing.json()["message"]) == (404, "Not Found")
    empty = client.get(f"/repos/{ORG}/nothing-yet/readme")
    assert (empty.status_code, empty.json()["message"]) == (404, "This repository is empty.")
    assert client.get(f"/repos/{ORG}/nothing-yet/license").json()["message"] == "This repository is empty."
    assert client.get(f"/repos/{ORG}/nothing-yet/contents/").json()["message"] == "This repository is empty."
    assert client.get("/repos/jbloggs/dotfiles/license").status_code == 404

    listing = client.get(f"/repos/{ORG}/bins/contents/").json()
    assert [entry["name"] for entry in listing] == ["LICENSE", "README.md"]
    content = client.get(f"/repos/{ORG}/bins/contents/README.md").json()
    assert base64.b64decode(content["content"]) == README
    assert client.get(f"/repos/{ORG}/bins/contents/setup.py").status_code == 404


# ----------------------------------------------------------------------------- pagination


def test_link_pagination_over_250_repositories(client: httpx.Client, emulator: GitHubEmulator) -> None:
    add_synthetic_repos(emulator, "big-council", 250)
    org_id = client.get("/orgs/big-council").json()["id"]
    pages = follow_pages(client, "/orgs/big-council/repos?per_page=100")
    assert [len(p.json()) for p in pages] == [100, 100, 50]
    ids = [r["id"] for p in pages for r in p.json()]
    assert len(set(ids)) == 250
    first, second, last = (p.links for p in pages)
    assert set(first) == {"next", "last"}
    assert set(second) == {"prev", "next", "last", "first"}
    assert set(last) == {"prev", "first"}
    # GitHub's own form of the page URLs, so a crawler must follow them rather than build them.
    assert first["next"]["url"] == f"{client.base_url}/organizations/{org_id}/repos?per_page=100&page=2"
    assert first["last"]["url"].endswith("page=3")
    assert 'rel="next"' in pages[0].headers["link"]
    # Default page size and the users endpoint.
    assert len(client.get("/orgs/big-council/repos").json()) == 30
    user_pages = follow_pages(client, "/users/big-council/repos?per_page=100")
    assert "/user/" in user_pages[0].links["next"]["url"]
    assert len({r["id"] for p in user_pages for r in p.json()}) == 250
    # per_page is capped at 100, like GitHub.
    assert len(client.get("/orgs/big-council/repos?per_page=500").json()) == 100


def test_listing_order_and_type_filter(client: httpx.Client, emulator: GitHubEmulator) -> None:
    emulator.add_repo(ORG, FakeRepo("older", created_at="2015-01-01T00:00:00Z", fork=True))
    emulator.add_repo(ORG, FakeRepo("newer", created_at="2023-01-01T00:00:00Z"))
    names = [r["name"] for r in client.get(f"/orgs/{ORG}/repos").json()]
    assert names[0] == "newer" and names[-1] == "older"  # created, newest first
    by_name = [r["name"] for r in client.get(f"/orgs/{ORG}/repos?sort=full_name").json()]
    assert by_name == sorted(by_name)
    assert [r["name"] for r in client.get(f"/orgs/{ORG}/repos?type=forks").json()] == ["older"]
    assert "older" not in [r["name"] for r in client.get(f"/orgs/{ORG}/repos?type=sources").json()]


# ----------------------------------------------------------------------------- ETags and rate limits


def test_etag_gives_304_that_is_not_charged(client: httpx.Client, emulator: GitHubEmulator) -> None:
    first = client.get(f"/repos/{ORG}/bins")
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["last-modified"]
    remaining = int(first.headers["x-ratelimit-remaining"])
    emulator.reset_stats()
    again = client.get(f"/repos/{ORG}/bins", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert int(again.headers["x-ratelimit-remaining"]) == remaining
    assert emulator.stats.not_modified == 1 and emulator.stats.charged_requests == 0
    assert client.get("/rate_limit").json()["resources"]["core"]["remaining"] == remaining

    emulator.update_repo(ORG, "bins", description="Now with recycling")
    changed = client.get(f"/repos/{ORG}/bins", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["updated_at"] > first.json()["updated_at"]

    readme_etag = client.get(f"/repos/{ORG}/bins/readme").headers["etag"]
    pushed = client.get(f"/repos/{ORG}/bins").json()["pushed_at"]
    emulator.update_repo(ORG, "bins", readme=b"# New README\n")
    assert client.get(f"/repos/{ORG}/bins/readme", headers={"If-None-Match": readme_etag}).status_code == 200
    assert client.get(f"/repos/{ORG}/bins").json()["pushed_at"] > pushed

    list_etag = client.get(f"/orgs/{ORG}/repos").headers["etag"]
    assert client.get(f"/orgs/{ORG}/repos", headers={"If-None-Match": list_etag}).status_code == 304
    emulator.add_repo(ORG, FakeRepo("brand-new"))
    assert client.get(f"/orgs/{ORG}/repos", headers={"If-None-Match": list_etag}).status_code == 200


def test_rate_limit_exhaustion_and_reset() -> None:
    clock = FakeClock(1_800_000_000.0)
    with GitHubEmulator(rate_limit=3, unauthenticated_limit=2, clock=clock) as em:
        em.add_account(ORG)
        with httpx.Client(base_url=em.url, headers={"Authorization": "Bearer anything"}) as c:
            answers = [c.get(f"/orgs/{ORG}") for _ in range(3)]
            assert [int(r.headers["x-ratelimit-remaining"]) for r in answers] == [2, 1, 0]
            assert answers[0].headers["x-ratelimit-limit"] == "3"
            assert answers[2].headers["x-ratelimit-used"] == "3"
            assert answers[0].headers["x-ratelimit-resource"] == "core"
            reset = int(answers[0].headers["x-ratelimit-reset"])
            assert reset == int(clock.now + 3600)

            blocked = c.get(f"/orgs/{ORG}")
            assert blocked.status_code == 403
            assert blocked.json()["message"].startswith("API rate limit exceeded for ")
            assert blocked.headers["x-ratelimit-remaining"] == "0"
            limits = c.get("/rate_limit").json()  # never charged, answers even when exhausted
            assert limits["rate"] == limits["resources"]["core"]
            assert limits["rate"]["remaining"] == 0 and limits["rate"]["reset"] == reset

            clock.advance(3601)
            refilled = c.get(f"/orgs/{ORG}")
            assert refilled.status_code == 200 and refilled.headers["x-ratelimit-remaining"] == "2"

            em.set_rate_limit(0, 60)
            assert c.get(f"/orgs/{ORG}").status_code == 403
            clock.advance(61)
            assert c.get(f"/orgs/{ORG}").status_code == 200

        # The unauthenticated bucket is separate.
        anonymous = httpx.get(f"{em.url}/orgs/{ORG}")
        assert anonymous.headers["x-ratelimit-limit"] == "2"
        assert em.stats.charged_requests == 8  # everything except the /rate_limit call


def test_bad_credentials_when_tokens_are_restricted() -> None:
    with GitHubEmulator(tokens={"good"}) as em:
        em.add_account(ORG)
        bad = httpx.get(f"{em.url}/orgs/{ORG}", headers={"Authorization": "token bad"})
        assert bad.status_code == 401 and bad.json()["message"] == "Bad credentials"
        good = httpx.get(f"{em.url}/orgs/{ORG}", headers={"Authorization": "token good"})
        assert good.status_code == 200 and good.headers["x-ratelimit-limit"] == "5000"
        assert httpx.get(f"{em.url}/orgs/{ORG}").headers["x-ratelimit-limit"] == "60"


# ----------------------------------------------------------------------------- faults


@pytest.mark.parametrize(
    ("fault", "status"), [("500", 500), ("502", 502), ("503", 503), ("429", 429), ("403-secondary", 403)]
)
def test_error_faults(client: httpx.Client, emulator: GitHubEmulator, fault: str, status: int) -> None:
    emulator.inject(r"^/orgs/[^/]+$", fault)
    response = client.get(f"/orgs/{ORG}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json()["message"]
    if fault in ("429", "403-secondary"):
        assert response.headers["retry-after"] == "1"
    if fault == "403-secondary":
        assert response.json()["message"].startswith(
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again"
        )
        assert int(response.headers["x-ratelimit-remaining"]) > 0
    assert client.get(f"/orgs/{ORG}").status_code == 200  # the fault was used up


def test_faults_are_consumed_in_order_by_matching_paths(client: httpx.Client, emulator: GitHubEmulator) -> None:
    emulator.inject(r"/readme", "503", "500")
    assert client.get(f"/repos/{ORG}/bins").status_code == 200  # does not match
    assert client.get(f"/repos/{ORG}/bins/readme").status_code == 503
    assert client.get(f"/repos/{ORG}/bins/readme").status_code == 500
    assert client.get(f"/repos/{ORG}/bins/readme").status_code == 200
    emulator.inject(r"page=2", "502")
    assert client.get(f"/orgs/{ORG}/repos?per_page=1&page=2").status_code == 502
    with pytest.raises(ValueError, match="unknown fault"):
        emulator.inject("x", "teapot")


def test_timeout_drop_and_truncate_faults(client: httpx.Client, emulator: GitHubEmulator) -> None:
    emulator.inject(r"^/orgs/", "timeout", "drop", "truncate", "latency:0.3")
    with pytest.raises(httpx.ReadTimeout):
        client.get(f"/orgs/{ORG}", timeout=0.3)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(f"/orgs/{ORG}")
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(f"/orgs/{ORG}")
    started = time.monotonic()
    assert client.get(f"/orgs/{ORG}").status_code == 200
    assert time.monotonic() - started >= 0.3
    statuses = [status for _, path, status in emulator.stats.requests if path == f"/orgs/{ORG}"]
    assert 0 in statuses and 200 in statuses


def test_truncated_body_keeps_status_and_headers(emulator: GitHubEmulator) -> None:
    emulator.inject(r"/readme$", "truncate")
    with httpx.Client(base_url=emulator.url) as c, c.stream("GET", f"/repos/{ORG}/bins/readme") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()


# ----------------------------------------------------------------------------- changes


def test_rename_answers_301_and_remove_answers_404(client: httpx.Client, emulator: GitHubEmulator) -> None:
    repo_id = client.get(f"/repos/{ORG}/bins").json()["id"]
    emulator.rename_repo(ORG, "bins", "bin-collections")
    moved = client.get(f"/repos/{ORG}/bins")
    assert moved.status_code == 301
    assert moved.headers["location"] == f"{emulator.url}/repositories/{repo_id}"
    assert moved.json()["message"] == "Moved Permanently" and moved.json()["url"] == moved.headers["location"]
    followed = client.get(f"/repos/{ORG}/bins", follow_redirects=True).json()
    assert (followed["id"], followed["name"]) == (repo_id, "bin-collections")
    readme = client.get(f"/repos/{ORG}/bins/readme")
    assert readme.headers["location"] == f"{emulator.url}/repositories/{repo_id}/readme"
    assert client.get(readme.headers["location"]).json()["path"] == "README.md"

    emulator.remove_repo(ORG, "bin-collections")
    assert client.get(f"/repos/{ORG}/bin-collections").status_code == 404
    assert client.get(f"/repos/{ORG}/bins").status_code == 404
    assert client.get(f"/repositories/{repo_id}").status_code == 404


def test_concurrent_requests_are_not_serialised() -> None:
    with GitHubEmulator(latency=0.2) as em:
        em.add_account(ORG)
        results: list[int] = []
        with httpx.Client(base_url=em.url, timeout=5) as c:

            def fetch() -> None:
                results.append(c.get(f"/orgs/{ORG}").status_code)

            threads = [threading.Thread(target=fetch) for _ in range(10)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=5)
            elapsed = time.monotonic() - started
        assert results == [200] * 10
        assert elapsed < 0.8  # ten 0.2 s requests one after another would take 2 s
        assert em.stats.max_in_flight >= 5
        assert em.stats.in_flight == 0


def test_keep_alive_reuses_one_connection(client: httpx.Client, emulator: GitHubEmulator) -> None:
    for _ in range(5):
        client.get(f"/orgs/{ORG}").raise_for_status()
        client.get(f"/repos/{ORG}/bins", headers={"If-None-Match": "*"})
    assert emulator.stats.connections_opened == 1
    assert emulator.stats.total_requests == 10


# ----------------------------------------------------------------------------- GitHub Apps


def test_app_installation_token_flow() -> None:
    private, public = app_key_pair()
    other_private, _ = app_key_pair("other")
    clock = FakeClock()
    with GitHubEmulator(tokens={"only-this-one"}, clock=clock) as em:
        em.add_account(ORG)
        em.add_app(4242, public, installation_id=77, token_ttl=600)
        now = int(clock.now)

        def app_jwt(key: str, **claims: object) -> str:
            return jwt.encode({"iat": now - 60, "exp": now + 300, "iss": "4242", **claims}, key, algorithm="RS256")

        url = f"{em.url}/app/installations/77/access_tokens"
        created = httpx.post(url, headers={"Authorization": f"Bearer {app_jwt(private)}"}, json={})
        assert created.status_code == 201, created.text
        body = created.json()
        assert set(body) == {"token", "expires_at", "permissions", "repository_selection"}
        assert body["token"].startswith("ghs_") and body["expires_at"].endswith("Z")

        wrong_key = httpx.post(url, headers={"Authorization": f"Bearer {app_jwt(other_private)}"})
        assert wrong_key.status_code == 401
        expired = httpx.post(url, headers={"Authorization": f"Bearer {app_jwt(private, exp=now - 1)}"})
        assert expired.status_code == 401 and "'Expiration time'" in expired.json()["message"]
        too_long = httpx.post(url, headers={"Authorization": f"Bearer {app_jwt(private, exp=now + 3600)}"})
        assert too_long.json()["message"] == "'Expiration time' claim ('exp') is too far in the future"
        assert httpx.post(url, headers={"Authorization": "Bearer only-this-one"}).status_code == 401
        unknown = httpx.post(
            f"{em.url}/app/installations/78/access_tokens", headers={"Authorization": f"Bearer {app_jwt(private)}"}
        )
        assert unknown.status_code == 404

        installation = httpx.get(
            f"{em.url}/app/installations/77", headers={"Authorization": f"Bearer {app_jwt(private)}"}
        ).json()
        assert installation["id"] == 77 and installation["account"]["login"] == ORG

        token_header = {"Authorization": f"token {body['token']}"}
        assert httpx.get(f"{em.url}/orgs/{ORG}", headers=token_header).status_code == 200
        clock.advance(601)
        after = httpx.get(f"{em.url}/orgs/{ORG}", headers=token_header)
        assert after.status_code == 401 and after.json()["message"] == "Bad credentials"


# ----------------------------------------------------------------------------- PyGithub


def test_pygithub_against_the_emulator(emulator: GitHubEmulator) -> None:
    add_synthetic_repos(emulator, "big-council", 250, seed=3)
    # PyGithub waits 0.25 s between requests by default; the emulator needs no such courtesy.
    gh = github.Github(base_url=emulator.url, auth=github.Auth.Token("t"), retry=None, seconds_between_requests=0)
    try:
        repos = list(gh.get_organization("big-council").get_repos())
        assert len({r.id for r in repos}) == 250
        repo = gh.get_repo(f"{ORG}/bins")
        assert repo.get_readme().decoded_content == README
        licence = repo.get_license()
        assert licence.license.spdx_id == "MIT" and licence.decoded_content == MIT_TEXT
        assert gh.get_user("jbloggs").type == "User"
        assert gh.get_rate_limit().resources.core.limit == 5000
    finally:
        gh.close()


def test_pygithub_app_installation_auth() -> None:
    private, public = app_key_pair()
    with GitHubEmulator(tokens=set()) as em:
        em.add_account(ORG)
        em.add_repo(ORG, FakeRepo("bins", readme=README))
        em.add_app(4242, public, installation_id=77)
        auth = github.Auth.AppAuth(4242, private).get_installation_auth(77)
        gh = github.Github(base_url=em.url, auth=auth, retry=None, seconds_between_requests=0)
        try:
            assert gh.get_repo(f"{ORG}/bins").get_readme().decoded_content == README
        finally:
            gh.close()
        integration = github.GithubIntegration(
            base_url=em.url, auth=github.Auth.AppAuth(4242, private), seconds_between_requests=0
        )
        try:
            assert integration.get_app_installation(77).id == 77
            assert integration.get_org_installation(ORG).id == 77
            assert [r.name for r in integration.get_app_installation(77).get_repos()] == ["bins"]
        finally:
            integration.close()
        assert not em.errors, em.errors[0]


# ----------------------------------------------------------------------------- corpus and synthetic data


def test_synthetic_repositories_are_deterministic() -> None:
    first, second = GitHubEmulator(), GitHubEmulator()
    a = add_synthetic_repos(first, "example-council", 1000, seed=7)
    b = add_synthetic_repos(second, "example-council", 1000, seed=7)
    assert [(r.name, r.license_spdx, r.readme) for r in a] == [(r.name, r.license_spdx, r.readme) for r in b]
    assert len({r.name.lower() for r in a}) == 1000
    noassertion = [r for r in a if r.license_spdx == "NOASSERTION"]
    assert 20 <= len(noassertion) <= 90 and all(b"Open Government Licence" in r.license_file for r in noassertion)
    assert 10 <= sum(r.empty for r in a) <= 60
    assert any(r.archived for r in a) and any(r.fork for r in a)
    assert len({r.language for r in a}) > 5
    readmes = add_synthetic_repos(first, "other-council", 4, readmes=[b"one", b"two"])
    assert [r.readme for r in readmes if not r.empty] == [b"one", b"two", b"one", b"two"][: len(readmes)]


def test_corpus_loads_with_githubs_licence_view(client: httpx.Client, emulator: GitHubEmulator) -> None:
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"corpus not found at {CORPUS_DIR}")
    assert Path(__file__).resolve().parents[2] / "shared" / "corpus" / "uk-councils" == CORPUS_DIR
    loaded = load_corpus(emulator, CORPUS_DIR)
    orgs = json.loads((CORPUS_DIR / "orgs.json").read_text(encoding="utf-8"))
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CORPUS_DIR.glob("repos/*/*/meta.json"))]
    assert set(loaded) == {o["org"] for o in orgs if o["repos_in_corpus"]} == {m["org"] for m in metas}
    assert sorted(f"{org}/{r.name}" for org, repos in loaded.items() for r in repos) == sorted(
        f"{m['org']}/{m['name']}" for m in metas
    )
    licensed = {f"{org}/{r.name}" for org, repos in loaded.items() for r in repos if r.license_file}
    assert licensed == set(CORPUS_GITHUB_LICENCES)
    assert GITHUB_NOASSERTION.issubset(CORPUS_GITHUB_LICENCES)  # no misspelt repository names
    # A repository the corpus knows no commit date or branch for still has GitHub's shape.
    for meta in (m for m in metas if not m["last_commit_iso"]):
        served = client.get(f"/repos/{meta['org']}/{meta['name']}").json()
        assert served["pushed_at"] == served["created_at"] == served["updated_at"]
        assert served["pushed_at"].endswith("Z") and served["default_branch"] == (meta["default_branch"] or "main")

    york = client.get("/repos/cityofyork/coding-standards").json()
    assert york["license"]["spdx_id"] == "MIT" and york["default_branch"] == "master"
    assert york["language"] == "C#" and york["pushed_at"] == "2018-07-11T08:30:57Z"
    trafford = client.get("/repos/traffordDataLab/council_open_data/license").json()
    assert trafford["license"]["spdx_id"] == "NOASSERTION" and trafford["path"] == "LICENSE.txt"
    assert client.get("/repos/LBHackney-IT/Data-Platform-Playbook").json()["license"] is None
    smbc = client.get("/repos/smbc-digital/verint-service/readme").json()
    assert smbc["path"] == "readme.md"
    expected = (CORPUS_DIR / "repos/smbc-digital/verint-service/readme.md").read_bytes()
    assert base64.b64decode(smbc["content"]) == expected
    assert client.get("/repos/west-berkshire-council/Modern.Gov/readme").status_code == 404
    assert client.get("/orgs/Lichfield-District-Council").json()["login"] == "Lichfield-District-Council"


def test_command_line_runs_until_sigterm() -> None:
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.github_emulator", "--synthetic", "5", "--owner", "cli-council"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("GitHub emulator listening on http://127.0.0.1:")
        url = line.split()[-1]
        assert len(httpx.get(f"{url}/orgs/cli-council/repos", timeout=5).json()) == 5
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0
        if process.stdout is not None:
            process.stdout.close()

"""`councilcode orgs discover` and the judging of GitHub accounts, on the emulator: a test world of councils'
organisations under unexpected logins and lookalikes that must be refused, with precision and recall."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from councilcode.cli.orgs import orgs
from councilcode.config import load_councils
from councilcode.crawler.auth import token_source
from councilcode.crawler.discover import (
    Discovery,
    Pacer,
    Profile,
    assess,
    discover,
    estimate_seconds,
    search_limit,
    search_queries,
)
from councilcode.crawler.github import GitHubClient
from councilcode.register import Authority, load_register
from tests.github_emulator import FakeRepo, GitHubEmulator
from tests.helpers import FAST_RETRY

TOKEN = "discovery-token"
WORLD_SIZE = 45  # councils in the test world, each with one organisation and one lookalike


@dataclass(frozen=True)
class World:
    councils: list[Authority]
    truth: dict[str, str]  # lower-cased login of each council's own organisation -> council code
    lookalikes: set[str]  # lower-cased logins that are not any council's


def _world_councils() -> list[Authority]:
    """Every eighth current council with a website (all four nations, many types), deterministic."""
    with_site = [a for a in load_register().current() if a.domain]
    return with_site[::8][:WORLD_SIZE]


def build_world(emulator: GitHubEmulator) -> World:
    """Each council gets its own organisation under a login that does not name it, showing who it is in one of
    the ways real councils do (or in none: those are the misses recall counts), and one lookalike."""
    councils = _world_councils()
    register = load_register()
    truth: dict[str, str] = {}
    lookalikes: set[str] = set()
    for i, a in enumerate(councils):
        login = f"digital-team-{i:02d}"
        place = a.nice_name
        way = i % 9
        if way in (0, 5):  # the council's website as the organisation's blog
            emulator.add_account(login, name=f"{place} Digital", blog=f"https://www.{a.domain}", location="UK")
        elif way in (1, 6):  # a public e-mail on the council's domain, no blog
            emulator.add_account(login, name=f"{place} web team", email=f"webteam@{a.domain}")
        elif way in (2, 7):  # the official name and a location in the area
            emulator.add_account(login, name=a.name, location=f"{place}, United Kingdom")
        elif way == 3:  # a subdomain of the council's website, and GitHub's verified badge
            emulator.add_account(login, name=f"{a.name} IT", blog=f"https://digital.{a.domain}", is_verified=True)
        elif way == 4:  # the gov.uk domain, as an e-mail, and a description
            emulator.add_account(login, name=place, email=f"opensource@{a.domain}", description="Open source")
        else:  # way 8: nothing but a name: a real council's organisation that cannot be verified
            emulator.add_account(login, name=f"{place} Council Developers")
        emulator.add_repo(login, FakeRepo(name="service"))
        truth[login] = a.code

        fake = f"lookalike-{i:02d}"
        kind = i % 6
        other = councils[(i + 1) % len(councils)]
        if kind == 0:  # a hackspace in the same town
            emulator.add_account(
                fake, name=f"{place} Hackspace", location=f"{place}, UK", blog="https://hack.example.org"
            )
        elif kind == 1:  # a fan account with the official name
            emulator.add_account(fake, name=f"{a.name} Fans", location=f"{place}, UK")
        elif kind == 2:  # a supplier
            emulator.add_account(fake, name=f"{place} Council Solutions Ltd", blog="https://supplier.example.com")
        elif kind == 3:  # another country's place of the same name
            emulator.add_account(fake, name=a.name, location=f"{place}, USA")
        elif kind == 4:  # another council's domain
            emulator.add_account(fake, name=f"{place} Council", blog=f"https://www.{other.domain}")
        else:  # a user account named after the council, with an unofficial blog
            emulator.add_account(fake, "User", name=f"{a.name} Watch", blog="https://watch.example.net")
        lookalikes.add(fake)
        assert register.get(a.code) is a
    return World(councils, truth, lookalikes)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[GitHubEmulator, World]]:
    with GitHubEmulator(tokens={TOKEN}) as emulator:
        emulator.search.set_limit(100_000)  # the world's searches must not wait a minute each
        yield emulator, build_world(emulator)


def run_discovery(emulator: GitHubEmulator, councils: list[Authority], per_query: int = 10) -> Discovery:
    async def go() -> Discovery:
        client = GitHubClient(emulator.url, token_source=token_source(None, TOKEN, emulator.url), retry=FAST_RETRY)
        async with client:
            per_minute = await search_limit(client)
            return await discover(client, councils, known_handles=set(), pacer=Pacer(per_minute), per_query=per_query)

    return asyncio.run(go())


def test_discovery_finds_councils_under_unexpected_logins_and_refuses_lookalikes(world, capsys):
    emulator, w = world
    found = run_discovery(emulator, w.councils)
    assert found.searched == len(w.councils) >= 40 and len(w.lookalikes) >= 40
    verified = {(c.profile.login.lower(), c.authority.code) for c in found.candidates if c.assessment.verified}
    true_positives = {(login, code) for login, code in verified if w.truth.get(login) == code}
    false_positives = verified - true_positives
    precision = len(true_positives) / len(verified)
    recall = len(true_positives) / len(w.truth)
    with capsys.disabled():
        print(
            f"\ndiscovery on {len(w.councils)} councils, {len(w.truth)} council organisations, "
            f"{len(w.lookalikes)} lookalikes: {len(verified)} verified, precision {precision:.3f}, "
            f"recall {recall:.3f} ({len(found.candidates)} candidates from {found.requests} searches)"
        )
    assert not false_positives, false_positives
    assert not {login for login, _ in verified} & w.lookalikes
    # Every lookalike was found by the searches and judged, not merely missed.
    judged = {c.profile.login.lower() for c in found.candidates}
    assert w.lookalikes <= judged
    assert precision == 1.0
    # The misses are the organisations that show nothing but a name (one in nine), and no others.
    missed = set(w.truth) - {login for login, _ in true_positives}
    assert missed == {login for login in w.truth if int(login[-2:]) % 9 == 8}
    assert recall >= 0.85


def test_each_candidate_says_why(world):
    emulator, w = world
    bristolish = w.councils[0]
    found = run_discovery(emulator, [bristolish])
    by_login = {c.profile.login: c for c in found.candidates}
    own = by_login["digital-team-00"]
    assert own.assessment.verified
    assert f"blog is https://www.{bristolish.domain}, the council's own website ({bristolish.domain})" in (
        own.assessment.evidence
    )
    fake = by_login["lookalike-00"]
    assert not fake.assessment.verified
    assert any("hackspace" in line for line in fake.assessment.evidence)
    # The best candidate comes first.
    assert found.candidates[0].profile.login == "digital-team-00"


def profile(**fields: object) -> Profile:
    return Profile.from_json({"login": "someone", "type": "Organization", **fields})


@pytest.mark.parametrize(
    ("fields", "verified"),
    [
        ({"blog": "https://www.bristol.gov.uk"}, True),
        ({"blog": "bristol.gov.uk/digital"}, True),  # GitHub keeps what people type, scheme or not
        ({"email": "digital@bristol.gov.uk"}, True),
        ({"name": "Bristol City Council", "location": "Bristol, England"}, True),
        ({"name": "Bristol City Council", "location": "Bristol, CT"}, False),  # another country's Bristol
        ({"name": "Bristol City Council"}, False),  # the name alone proves nothing
        ({"name": "Bristol Hackspace", "location": "Bristol, UK"}, False),
        ({"blog": "https://www.southglos.gov.uk"}, False),  # a government domain, but another council's
        ({"blog": "https://bristol.example.com", "name": "Bristol City Council Ltd", "location": "Bristol"}, False),
        ({"email": "someone@bristol.gov.uk.example.com"}, False),  # not the council's domain
    ],
)
def test_verified_rule(fields, verified):
    bristol = load_register().get("BST")
    assert assess(profile(**fields), bristol).verified is verified


def test_a_gov_domain_must_carry_this_councils_name():
    register = load_register()
    north_somerset, somerset = register.get("NSM"), register.get("SMT")
    assert assess(profile(blog="https://www.n-somerset.gov.uk"), north_somerset).verified
    assert not assess(profile(blog="https://www.n-somerset.gov.uk"), somerset).verified


def test_searches_use_each_distinct_name_then_users_by_the_official_name():
    register = load_register()
    assert search_queries(register.get("BST")) == ["bristol type:org", '"Bristol City Council" type:user']
    western_isles = search_queries(register.get("ELS"))
    assert western_isles[0] == "comhairle nan eilean siar type:org"
    assert "western isles type:org" in western_isles or "eilean siar type:org" in western_isles
    assert western_isles[-1] == '"Comhairle nan Eilean Siar" type:user'


def test_pacer_keeps_to_the_limit():
    now = [1000.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    async def go() -> list[float]:
        pacer = Pacer(30, clock=lambda: now[0], sleep=sleep)
        times = []
        for _ in range(31):
            await pacer.wait()
            times.append(now[0])
        return times

    times = asyncio.run(go())
    assert times[30] - times[0] == pytest.approx(60.0)  # 31 requests: the 31st a full minute after the first
    assert all(b - a >= 2.0 - 1e-9 for a, b in zip(times, times[1:], strict=False))


def test_estimate_of_a_full_discovery():
    current = load_register().current()
    requests, seconds = estimate_seconds(current, 10, 30)
    assert requests >= 2 * len(current)  # at least one organisation search and one user search each
    assert seconds == pytest.approx(requests * 2.0)


def test_paced_searches_never_meet_the_search_limit():
    # A limit of 60 a minute, paced by what /rate_limit says: no refusal, and at least a second between searches.
    with GitHubEmulator(tokens={TOKEN}) as emulator:
        emulator.search.set_limit(60)
        councils = _world_councils()[:2]
        for i, a in enumerate(councils):
            emulator.add_account(f"org-{i}", name=a.name, blog=f"https://www.{a.domain}")
        loop_started = asyncio.run(_timed(emulator, councils))
        found, elapsed = loop_started
        assert found.requests == emulator.search.requests  # every search answered first time
        assert elapsed >= (found.requests - 1) * 1.0 - 0.05
        assert {c.profile.login for c in found.candidates if c.assessment.verified} == {"org-0", "org-1"}


async def _timed(emulator: GitHubEmulator, councils: list[Authority]) -> tuple[Discovery, float]:
    loop = asyncio.get_running_loop()
    client = GitHubClient(emulator.url, token_source=token_source(None, TOKEN, emulator.url), retry=FAST_RETRY)
    async with client:
        pacer = Pacer(await search_limit(client))
        start = loop.time()
        found = await discover(client, councils, known_handles=set(), pacer=pacer)
        return found, loop.time() - start


# --- the emulator's search API ----------------------------------------------------------------------


def test_search_users_query_pagination_and_totals(world):
    emulator, w = world
    headers = {"Authorization": f"Bearer {TOKEN}"}
    first = httpx.get(f"{emulator.url}/search/users", params={"q": "digital type:org", "per_page": 3}, headers=headers)
    assert first.status_code == 200
    body = first.json()
    assert body["incomplete_results"] is False
    assert len(body["items"]) == 3 and body["total_count"] > 3
    assert {"login", "id", "type", "score", "html_url"} <= set(body["items"][0])
    assert first.headers["x-ratelimit-resource"] == "search"
    logins = [i["login"] for i in body["items"]]
    url: str | None = first.links["next"]["url"]
    pages = 1
    while url and pages < 50:
        page = httpx.get(url, headers=headers)
        logins += [i["login"] for i in page.json()["items"]]
        url = page.links.get("next", {}).get("url")
        pages += 1
    assert len(logins) == len(set(logins)) == body["total_count"]
    users = httpx.get(f"{emulator.url}/search/users", params={"q": "watch type:user"}, headers=headers).json()
    assert users["items"] and all(i["type"] == "User" for i in users["items"])
    empty = httpx.get(f"{emulator.url}/search/users", params={"q": "type:org"}, headers=headers)
    assert empty.status_code == 422 and empty.json()["message"] == "Validation Failed"


@pytest.mark.parametrize("status", [403, 429])
def test_search_limit_refusals_look_like_githubs(status):
    with GitHubEmulator(tokens={TOKEN}) as emulator:
        emulator.search.set_limit(2, limited_status=status)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        answers = [httpx.get(f"{emulator.url}/search/users?q=x", headers=headers) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, status]
        refused = answers[-1]
        assert refused.json()["message"].startswith("API rate limit exceeded")
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert refused.headers["x-ratelimit-resource"] == "search"
        assert int(refused.headers["x-ratelimit-reset"]) > 0
        rate = httpx.get(f"{emulator.url}/rate_limit", headers=headers).json()["resources"]["search"]
        assert (rate["limit"], rate["remaining"]) == (2, 0)
        # The core budget is untouched by searches.
        assert httpx.get(f"{emulator.url}/rate_limit", headers=headers).json()["resources"]["core"]["used"] == 0
        # Without a token GitHub allows 10 a minute.
        anonymous = httpx.get(f"{emulator.url}/rate_limit").json()["resources"]["search"]
        assert anonymous["limit"] == 10


def test_profiles_show_what_accounts_say(world):
    emulator, _ = world
    org = httpx.get(f"{emulator.url}/orgs/digital-team-03").json()
    assert org["is_verified"] is True and org["blog"].startswith("https://digital.")
    assert org["public_repos"] == 1 and org["type"] == "Organization"
    user = httpx.get(f"{emulator.url}/users/lookalike-05").json()
    assert user["type"] == "User" and user["blog"] == "https://watch.example.net"
    assert {"name", "email", "location", "bio", "company"} <= set(user)


# --- the command ------------------------------------------------------------------------------------


def run(*args: str) -> object:
    return CliRunner().invoke(orgs, list(args), env={"GITHUB_TOKEN": TOKEN, "COLUMNS": "250"})


def test_discover_json_write_and_estimate(world, tmp_path: Path):
    emulator, w = world
    config = tmp_path / "orgs.yaml"
    config.write_text("# keep this comment\ncouncils:\n  - name: Some Fire Service\n    github: [fire-org]\n")
    picked = w.councils[:3]
    args = ["discover", "--json", "--write", "--config", str(config), "--api-url", emulator.url]
    for a in picked:
        args += ["--council", a.code]
    result = run(*args)
    assert result.exit_code == 0, result.output + result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"searched", "candidates"} and body["searched"] == 3
    assert set(body["candidates"][0]) == {"council_code", "council", "handle", "type", "verified", "score", "evidence"}
    assert "search requests at 100000 a minute (GitHub's search limit), about" in result.stderr
    written = load_councils(config)
    assert config.read_text().startswith("# keep this comment\n")
    added = {c.code: c.github for c in written if c.code}
    expected = {w.truth[c["handle"].lower()]: (c["handle"],) for c in body["candidates"] if c["verified"]}
    assert added == expected and len(added) == 3
    assert all(not c["verified"] for c in body["candidates"] if c["handle"].lower() in w.lookalikes)
    # A second run leaves out the handles now listed.
    again = run(*args)
    assert again.exit_code == 0
    assert not {c["handle"].lower() for c in json.loads(again.stdout)["candidates"]} & {
        h.lower() for handles in added.values() for h in handles
    }


def test_discover_refuses_bad_codes(tmp_path: Path):
    config = tmp_path / "orgs.yaml"
    config.write_text("councils:\n  - name: X\n    github: [x]\n")
    unknown = run("discover", "--council", "BSR", "--config", str(config))
    assert unknown.exit_code == 2
    assert "unknown council code 'BSR'" in unknown.stderr
    former = run("discover", "--council", "NTH", "--config", str(config))
    assert former.exit_code == 2
    assert "North Northamptonshire Council (NNT)" in former.stderr


def test_add_shows_evidence_and_warns_about_a_lookalike(world, tmp_path: Path):
    emulator, w = world
    config = tmp_path / "orgs.yaml"
    config.write_text("councils:\n  - name: X\n    github: [x]\n")
    emulator.add_repo("lookalike-00", FakeRepo(name="makerspace-door"))
    council = w.councils[0]
    result = run("add", "lookalike-00", "--name", council.name, "--config", str(config), "--api-url", emulator.url)
    assert result.exit_code == 0, result.stderr
    assert f"its code {council.code} is added too" in result.stderr
    assert "profile says 'hackspace'" in result.stderr
    assert f"warning: GitHub organisation 'lookalike-00' does not look like {council.name}'s own account" in (
        result.stderr
    )
    good = run("add", "digital-team-00", "--code", council.code, "--config", str(config), "--api-url", emulator.url)
    assert good.exit_code == 0, good.stderr
    assert "the council's own website" in good.stderr and "warning" not in good.stderr
    entry = next(c for c in load_councils(config) if c.code == council.code)
    assert entry.github == ("lookalike-00", "digital-team-00") and entry.name == council.name


def test_websites_option_reads_another_list(world, tmp_path: Path):
    emulator, w = world
    council = w.councils[0]
    config = tmp_path / "orgs.yaml"
    config.write_text("councils:\n  - name: X\n    github: [x]\n")
    websites = tmp_path / "websites.csv"
    websites.write_text(f"local-authority-code,homepage-url\n{council.code},https://www.elsewhere.example.org\n")
    args = ["discover", "--council", council.code, "--json", "--config", str(config), "--api-url", emulator.url]
    shipped = json.loads(run(*args).stdout)["candidates"]
    other = json.loads(run(*args, "--websites", str(websites)).stdout)["candidates"]
    own = next(c for c in shipped if c["handle"] == "digital-team-00")
    moved = next(c for c in other if c["handle"] == "digital-team-00")
    assert own["verified"] and f"the council's own website ({council.domain})" in own["evidence"][0]
    # adur-worthing.gov.uk serves two councils: without GOV.UK's word for it, it is only some government domain.
    assert not moved["verified"]
    assert f"blog is https://www.{council.domain}, a government domain of another body" in moved["evidence"]
    broken = tmp_path / "broken.csv"
    broken.write_text("code,url\nX,y\n")
    refused = run(*args, "--websites", str(broken))
    assert refused.exit_code == 2 and "cannot read" in refused.stderr


def test_write_leaves_out_a_verified_account_with_nothing_to_crawl(tmp_path: Path):
    council = _world_councils()[0]
    config = tmp_path / "orgs.yaml"
    config.write_text("councils:\n  - name: X\n    github: [x]\n")
    with GitHubEmulator(tokens={TOKEN}) as emulator:
        emulator.search.set_limit(10_000)
        emulator.add_account("council-code", name=council.name, blog=f"https://www.{council.domain}")
        emulator.add_repo("council-code", FakeRepo(name="service"))
        emulator.add_account("council-empty", name=f"{council.nice_name} data", email=f"data@{council.domain}")
        args = ["discover", "--council", council.code, "--write", "--config", str(config), "--api-url", emulator.url]
        result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert "not added 'council-empty'" in result.stderr and "no public repositories" in result.stderr
    entry = next(c for c in load_councils(config) if c.code == council.code)
    assert entry.github == ("council-code",)

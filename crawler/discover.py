"""Finding councils' GitHub accounts: search GitHub for each council's names, then judge each account found
by its profile against what the register and GOV.UK say about the council.

An account is `verified` when its website (`blog`) or public e-mail is on a government domain that carries
the council's name (bristol.gov.uk for Bristol City Council, or the council's own website as GOV.UK lists
it), or when its profile name is the council's official name and its location fits. Everything else is a
lead at best: a hackspace, a fan account, a supplier or another country's Bristol is never verified.

The search API allows 30 requests a minute (10 without a token); `Pacer` keeps to the limit GitHub states
in /rate_limit, so a long discovery never runs into it.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from councilcode.crawler.github import GitHubClient
from councilcode.register import Authority, distinctive_words, name_key, website_domain

SEARCH_PER_MINUTE = 30  # GitHub's search limit with a token, when /rate_limit does not say
PAGE_SIZE = 10  # search results asked for a page
MAX_QUERIES = 3  # organisation searches a council, one per distinct name
# Government domains in the UK; a council's own domain is one of these (or listed by GOV.UK).
GOV_SUFFIXES = (".gov.uk", ".gov.scot", ".gov.wales", ".llyw.cymru")
# Around a place name in a council's domain label: bristol.gov.uk, leeds-city-council, eastsussexcc.
_DOMAIN_AFFIXES = ("", "city", "council", "cc", "dc", "bc", "mbc", "county", "borough", "district", "gov")
_DOMAIN_PREFIXES = ("", "cityof", "royalborough", "lb", "rb", "the")
# Words in a profile that say the account is something other than a council.
LOOKALIKE_WORDS = (
    "hackspace",
    "makerspace",
    "hackerspace",
    "fan",
    "fans",
    "unofficial",
    "supporters",
    "football",
    "fc",
    "club",
    "ltd",
    "limited",
    "inc",
    "llc",
    "consulting",
    "consultancy",
    "agency",
    "meetup",
    "students",
    "university",
    "school",
    "bot",
    "parody",
    "archive",
)
UK_WORDS = ("uk", "united kingdom", "great britain", "gb", "britain")
UK_WORDS += ("england", "scotland", "wales", "northern ireland")
# Places that share names with UK councils (Bristol CT, Perth WA, Richmond VA ...): their countries and states.
FOREIGN_WORDS = (
    "usa",
    "united states",
    "america",
    "canada",
    "australia",
    "new zealand",
    "republic of ireland",
    "south africa",
    "india",
    "connecticut",
    "virginia",
    "tennessee",
    "pennsylvania",
    "new south wales",
    "western australia",
    "queensland",
    "tasmania",
    "ontario",
    "massachusetts",
    "new hampshire",
    "texas",
    "florida",
    "california",
)
_US_STATE = re.compile(r",\s*([A-Z]{2})\b")


@dataclass(frozen=True)
class Profile:
    """What GitHub says about an account (`/orgs/{login}` or `/users/{login}`)."""

    login: str
    type: str  # "Organization" or "User"
    name: str | None = None
    blog: str | None = None
    email: str | None = None
    location: str | None = None
    description: str | None = None  # an organisation's description, a user's bio
    company: str | None = None
    is_verified: bool = False
    public_repos: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        def text(key: str) -> str | None:
            value = data.get(key)
            return value.strip() or None if isinstance(value, str) else None

        repos = data.get("public_repos")
        return cls(
            login=str(data.get("login") or ""),
            type="Organization" if data.get("type") == "Organization" else "User",
            name=text("name"),
            blog=text("blog"),
            email=text("email"),
            location=text("location"),
            description=text("description") or text("bio"),
            company=text("company"),
            is_verified=data.get("is_verified") is True,
            public_repos=repos if isinstance(repos, int) else None,
        )


@dataclass
class Assessment:
    """How much a profile looks like the council's own account, and why."""

    verified: bool
    score: int
    evidence: list[str]

    @property
    def looks_like_the_council(self) -> bool:
        return self.verified or self.score >= 50


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _domain_carries_name(domain: str, authority: Authority) -> bool:
    """bristol.gov.uk carries Bristol; n-somerset.gov.uk carries North Somerset (as 'n somerset'), not Somerset."""
    label = _compact(domain.split(".")[0])
    cores = {_compact(" ".join(distinctive_words(n))) for n in authority.names} - {""}
    # "North Somerset" is also written "n-somerset": the initials of all but the last word.
    for name in authority.names:
        words = distinctive_words(name)
        if len(words) > 1:
            cores.add("".join(w[0] for w in words[:-1]) + words[-1])
    return any(label == p + core + a for core in cores for p in _DOMAIN_PREFIXES for a in _DOMAIN_AFFIXES)


def _is_gov(domain: str) -> bool:
    return domain.endswith(GOV_SUFFIXES)


def _email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower() or None


def _belongs_to(domain: str, own: str) -> bool:
    return domain == own or domain.endswith("." + own)


def location_fit(location: str | None, authority: Authority) -> tuple[bool | None, str]:
    """(True if the location is in the council's area or the UK, False if elsewhere, None if it says
    nothing either way; why)."""
    if not location:
        return None, "no location given"
    key = f" {name_key(location)} "
    if any(f" {w} " in key for w in FOREIGN_WORDS) or any(
        m.group(1) not in ("UK", "GB") for m in _US_STATE.finditer(location)
    ):
        return False, f"location {location!r} is outside the UK"
    places = {w for n in authority.names for w in distinctive_words(n) if len(w) > 2}
    places |= set(distinctive_words(authority.region)) if authority.region else set()
    if any(f" {p} " in key for p in places):
        return True, f"location {location!r} is in the council's area"
    if any(f" {w} " in key for w in UK_WORDS):
        return True, f"location {location!r} is in the UK"
    return None, f"location {location!r} does not say where in the UK"


def assess(profile: Profile, authority: Authority, website: str | None = None) -> Assessment:
    """Score `profile` as the account of `authority` (whose own website is `website`, else the register's)."""
    evidence: list[str] = []
    score = 0
    own = website_domain(website) or authority.domain
    domain_verified = False

    for field_name, domain, shown, weight in (
        ("blog", website_domain(profile.blog), profile.blog, 45),
        ("e-mail", _email_domain(profile.email), profile.email, 40),
    ):
        if domain is None:
            continue
        if own and _belongs_to(domain, own):
            evidence.append(f"{field_name} is {shown}, the council's own website ({own})")
            score, domain_verified = score + weight, True
        elif _is_gov(domain) and _domain_carries_name(domain, authority):
            evidence.append(f"{field_name} is {shown}, a government domain carrying the council's name")
            score, domain_verified = score + weight - 5, True
        elif _is_gov(domain):
            evidence.append(f"{field_name} is {shown}, a government domain of another body")
            score -= 10
        else:
            evidence.append(f"{field_name} is {shown}, not the council's website" + (f" ({own})" if own else ""))
            score -= 10

    name_matches = False
    if profile.name:
        if name_key(profile.name) == name_key(authority.name):
            evidence.append(f"name matches {authority.name!r}")
            score, name_matches = score + 30, True
        elif any(name_key(profile.name) == name_key(n) for n in authority.names):
            evidence.append(f"name {profile.name!r} is one of the council's names")
            score += 15
        elif set(distinctive_words(authority.name)) <= set(distinctive_words(profile.name)):
            evidence.append(f"name {profile.name!r} contains the council's place name")
            score += 5
        else:
            evidence.append(f"name {profile.name!r} is not the council's")
            score -= 5
    else:
        evidence.append("no name on the profile")

    fits, why = location_fit(profile.location, authority)
    evidence.append(why)
    score += {True: 10, False: -40, None: 0}[fits]

    said = " ".join(filter(None, (profile.name, profile.description, profile.company, profile.login)))
    said_words = set(name_key(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", said)).split())
    lookalike = sorted(said_words & set(LOOKALIKE_WORDS))
    if lookalike:
        evidence.append(f"profile says {', '.join(repr(w) for w in lookalike)}: not what a council calls itself")
        score -= 40

    if profile.is_verified:
        evidence.append("GitHub has verified a domain of this organisation")
        score += 10 if domain_verified else 0
    if profile.public_repos is not None:
        count = profile.public_repos
        evidence.append(f"{count} public {'repository' if count == 1 else 'repositories'}")
        score += 5 if profile.public_repos > 0 else -10

    verified = not lookalike and fits is not False and (domain_verified or (name_matches and fits is True))
    return Assessment(verified, max(0, min(100, score)), evidence)


@dataclass
class Candidate:
    """A GitHub account found for a council, with its assessment."""

    authority: Authority
    profile: Profile
    assessment: Assessment

    def to_json(self) -> dict[str, Any]:
        return {
            "council_code": self.authority.code,
            "council": self.authority.name,
            "handle": self.profile.login,
            "type": self.profile.type,
            "verified": self.assessment.verified,
            "score": self.assessment.score,
            "evidence": self.assessment.evidence,
        }


@dataclass
class Discovery:
    searched: int = 0  # councils searched for
    requests: int = 0  # search requests made
    profiles_fetched: int = 0  # profile look-ups made (GitHub's core limit: 5,000 an hour with a token)
    candidates: list[Candidate] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"searched": self.searched, "candidates": [c.to_json() for c in self.candidates]}


def search_queries(authority: Authority) -> list[str]:
    """The searches for one council: organisations by each distinct place name (official name first, then
    the alternative names that name it differently, at most MAX_QUERIES), then users by the official name."""
    queries, seen = [], set()
    for name in authority.names:
        words = distinctive_words(name)
        if not words or words in seen:
            continue
        seen.add(words)
        queries.append(" ".join(words) + " type:org")
        if len(queries) == MAX_QUERIES:
            break
    queries.append(f'"{authority.name}" type:user')
    return queries


class Pacer:
    """At most `per_minute` calls of `wait` a minute, evenly spaced."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 60.0 / max(1, per_minute)
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0

    async def wait(self) -> None:
        now = self.clock()
        if self._next > now:
            await self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


def estimate_seconds(authorities: Iterable[Authority], per_query: int, per_minute: int) -> tuple[int, float]:
    """(search requests, seconds) a discovery of `authorities` takes at `per_minute` searches a minute."""
    pages = math.ceil(per_query / PAGE_SIZE)
    requests = sum(len(search_queries(a)) * pages for a in authorities)
    return requests, requests * 60.0 / max(1, per_minute)


async def search_limit(client: GitHubClient) -> int:
    """Search requests a minute that GitHub allows this caller (/rate_limit costs nothing); 30 if it does not say."""
    response = await client.get(client.url("/rate_limit"))
    try:
        limit = response.data["resources"]["search"]["limit"]
    except (KeyError, TypeError):
        return SEARCH_PER_MINUTE
    return limit if isinstance(limit, int) and limit > 0 else SEARCH_PER_MINUTE


async def fetch_profile(client: GitHubClient, login: str, account_type: str) -> Profile | None:
    """The organisation's or user's profile; None if GitHub no longer has it."""
    kind = "orgs" if account_type == "Organization" else "users"
    response = await client.get(client.url(f"/{kind}/{quote(login, safe='')}"))
    return Profile.from_json(response.data) if response.found and isinstance(response.data, dict) else None


async def discover(
    client: GitHubClient,
    authorities: list[Authority],
    *,
    known_handles: set[str],
    pacer: Pacer,
    per_query: int = PAGE_SIZE,
    progress: Callable[[Authority, int], None] | None = None,
) -> Discovery:
    """Search GitHub for each council's accounts and assess each account found (handles in
    `known_handles`, lower-cased, are left out). Candidates come best first within each council."""
    result = Discovery()
    profiles_seen: dict[str, Profile | None] = {}  # a login found for several councils is looked up once
    for number, authority in enumerate(authorities, start=1):
        result.searched += 1
        found: dict[str, str] = {}  # lower login -> account type, in the order GitHub ranked them
        for query in search_queries(authority):
            url: str | None = client.url(f"/search/users?q={quote(query, safe='')}&per_page={PAGE_SIZE}")
            taken = 0
            while url and taken < per_query:
                await pacer.wait()
                response = await client.get(url)
                result.requests += 1
                items = response.data.get("items", []) if isinstance(response.data, dict) else []
                for item in items[: per_query - taken]:
                    login = item.get("login") if isinstance(item, dict) else None
                    if isinstance(login, str) and login.lower() not in known_handles:
                        found.setdefault(login, "Organization" if item.get("type") == "Organization" else "User")
                taken += len(items)
                url = response.next_url if items else None
        wanted = [(login, kind) for login, kind in found.items() if login.lower() not in profiles_seen]
        fetched = await asyncio.gather(*(fetch_profile(client, login, kind) for login, kind in wanted))
        profiles_seen.update((login.lower(), p) for (login, _), p in zip(wanted, fetched, strict=True))
        result.profiles_fetched += len(wanted)
        profiles = [profiles_seen[login.lower()] for login in found]
        candidates = [
            Candidate(authority, profile, assess(profile, authority)) for profile in profiles if profile is not None
        ]
        candidates.sort(key=lambda c: (not c.assessment.verified, -c.assessment.score, c.profile.login.lower()))
        result.candidates.extend(candidates)
        if progress is not None:
            progress(authority, number)
    return result

"""`councilcode orgs ...`: list, check and add the councils in config/orgs.yaml; the coverage of the register's
councils, and discovery of the GitHub accounts of those that have none listed.

Exit codes: 0 all well, 1 problems found or the change was refused, 2 a usage error.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from councilcode.catalogue import Catalogue, HandleState
from councilcode.cli.command import Group
from councilcode.cli.options import api_url_option, app_credentials, app_options, config_option, data_dir_option
from councilcode.config import (
    ConfigError,
    ConfigProblem,
    canonical_choice,
    check_nation,
    check_type,
    code_problem,
    handle_index,
    is_http_url,
    is_valid_login,
    load_councils,
)
from councilcode.coverage import coverage
from councilcode.crawler.accounts import Account, UnexpectedAnswer, find_account
from councilcode.crawler.auth import AppCredentials, AuthError, token_source
from councilcode.crawler.budget import duration_text
from councilcode.crawler.discover import (
    PAGE_SIZE,
    Discovery,
    Pacer,
    Profile,
    assess,
    discover,
    estimate_seconds,
    search_limit,
)
from councilcode.crawler.github import ApiError, ApiUnreachable, CrawlStopped, GitHubClient, RetryPolicy
from councilcode.orgs_file import OrgsFileError, add_council
from councilcode.records import COUNCIL_TYPES, NATIONS, Council
from councilcode.register import REGISTER_CREDIT, REGISTER_LICENCE, Authority, Register, load_register
from councilcode.settings import DataDir

ONLINE_CONCURRENCY = 8  # parallel GitHub look-ups: quick, but gentle on the API
# Someone is waiting at the terminal: a few quick retries, and rather than sit out a rate limit for
# up to an hour, say so (a wait of a few seconds, as a secondary limit may ask, is still taken).
LOOKUP_RETRY = RetryPolicy(attempts=3, base_delay=0.5, max_delay=2.0, timeout=15.0)
LOOKUP_MAX_WAIT = 10.0
DISCOVER_CONCURRENCY = 2


# --- GitHub look-ups -----------------------------------------------------------------------------


class GitHubLookupError(Exception):
    """GitHub could not answer (network, rate limit, bad token); says nothing about the handle."""


def account_label(account: Account) -> str:
    return "organisation" if account.is_organization else "user"


class GitHub:
    """Look-ups of handles through the crawler's client: its headers, token or App, retries and limits."""

    def __init__(self, client: GitHubClient, *, app: bool) -> None:
        self.client = client
        self.app = app

    async def find_account(self, handle: str) -> Account | None:
        """The organisation or user called `handle`, or None if GitHub has neither."""
        try:
            return await find_account(quote(handle, safe=""), self._get, self.client.api_url)
        except UnexpectedAnswer as exc:
            raise GitHubLookupError(str(exc)) from None

    async def has_public_repos(self, account: Account) -> bool:
        """True if the account has at least one public repository."""
        found, body = await self._get(account.repos_url(self.client.api_url) + "?per_page=1")
        return found and isinstance(body, list) and len(body) > 0

    async def profile(self, account: Account) -> Profile | None:
        """What the account's profile says (name, website, e-mail, location ...)."""
        found, body = await self._get(account.url)
        return Profile.from_json(body) if found and isinstance(body, dict) else None

    async def _get(self, url: str) -> tuple[bool, Any]:
        async with self.answers():
            response = await self.client.get(url)
        return (False, None) if response.status == 404 else (True, response.data)

    @asynccontextmanager
    async def answers(self) -> AsyncIterator[None]:
        """Turns the client's failures into a GitHubLookupError that says what went wrong, for people."""
        try:
            yield
        except CrawlStopped:
            raise GitHubLookupError("GitHub's API rate limit is used up (setting GITHUB_TOKEN raises it)") from None
        except (AuthError, ApiUnreachable) as exc:
            raise GitHubLookupError(str(exc)) from None
        except ApiError as exc:
            if exc.status == 401:
                refused = "the GitHub App's installation token" if self.app else "the token in GITHUB_TOKEN"
                raise GitHubLookupError(f"GitHub refused {refused} (HTTP 401)") from None
            if exc.status is None:  # no answer, or only broken ones, after every retry
                raise GitHubLookupError(f"cannot reach {self.client.api_url}: {exc.message}") from None
            raise GitHubLookupError(f"GitHub answered HTTP {exc.status} for {exc.url}") from None


@asynccontextmanager
async def github(
    api_url: str,
    app: AppCredentials | None,
    *,
    max_wait: float | None = LOOKUP_MAX_WAIT,
    concurrency: int = ONLINE_CONCURRENCY,
) -> AsyncIterator[GitHub]:
    """Look-ups against `api_url` as the App installation, else with $GITHUB_TOKEN when set."""
    tokens = token_source(app, os.environ.get("GITHUB_TOKEN") or None, api_url)
    client = GitHubClient(
        api_url,
        token_source=tokens,
        concurrency=concurrency,
        max_wait=max_wait,
        retry=LOOKUP_RETRY,
        notify=lambda message: click.echo(message, err=True),
    )
    async with client:
        yield GitHub(client, app=app is not None)


# --- helpers -------------------------------------------------------------------------------------


def _load_or_exit(config: Path) -> list[Council]:
    """The councils in `config`, or every problem printed on stderr and exit status 1."""
    try:
        return load_councils(config)
    except ConfigError as exc:
        _print_problems(exc.problems)
        sys.exit(1)


def _print_problems(problems: list[ConfigProblem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    count = len(problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _enum_option(
    check: Callable[[str], str | None], allowed: tuple[str, ...]
) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A click callback accepting `allowed` values, forgiving case and spaces, suggesting close ones."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        chosen = canonical_choice(value, allowed)
        if chosen is None:
            raise click.BadParameter(check(value) or f"unknown value {value!r}")
        return chosen

    return callback


# --- commands ------------------------------------------------------------------------------------


@click.group("orgs", cls=Group)
def orgs() -> None:
    """List, check and add the councils and GitHub organisations that councilcode crawls."""


@orgs.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def list_councils(config_path: Path, as_json: bool) -> None:
    """Show every council with its GitHub handles, type and nation."""
    councils = _load_or_exit(config_path)
    if as_json:
        rows = [
            {
                "name": c.name,
                "github": list(c.github),
                "type": c.type,
                "nation": c.nation,
                "website": c.website,
                "line": c.line,
            }
            for c in councils
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    handles = sum(len(c.github) for c in councils)
    table = Table(caption=f"{_plural(len(councils), 'council')}, {_plural(handles, 'GitHub handle')}")
    table.add_column("Council")
    table.add_column("GitHub")
    table.add_column("Type")
    table.add_column("Nation")
    for c in councils:
        # Text, not str: a '[' in a name must not be read as rich markup.
        table.add_row(Text(c.name), Text(", ".join(c.github)), Text(c.type or ""), Text(c.nation or ""))
    Console().print(table)


@orgs.command("check")
@config_option
@click.option("--online", is_flag=True, help="Also ask GitHub whether every handle exists.")
@api_url_option
@app_options
def check(
    config_path: Path,
    online: bool,
    api_url: str,
    app_id: str | None,
    app_private_key: Path | None,
    installation_id: int | None,
) -> None:
    """Check the councils file and print every problem with its line."""
    councils = _load_or_exit(config_path)
    handles = sum(len(c.github) for c in councils)
    if online:
        app = app_credentials(app_id, app_private_key, installation_id)
        problems = _check_online(config_path, councils, api_url, app)
        if problems:
            _print_problems(problems)
            sys.exit(1)
    summary = f"{config_path}: {_plural(len(councils), 'council')}, {_plural(handles, 'handle')}, no problems"
    click.echo(summary + (" (all found on GitHub)" if online else ""))


def _check_online(
    config_path: Path, councils: list[Council], api_url: str, app: AppCredentials | None
) -> list[ConfigProblem]:
    """A problem for every handle GitHub does not know (or could not be asked about)."""

    async def look_up(lookups: GitHub, council: Council, handle: str) -> ConfigProblem | None:
        try:
            found = await lookups.find_account(handle)
        except GitHubLookupError as exc:
            return ConfigProblem(config_path, council.line, f"could not check GitHub handle {handle!r}: {exc}")
        if found is None:
            return ConfigProblem(
                config_path,
                council.line,
                f"GitHub handle {handle!r} of council {council.name!r} does not exist "
                "(no organisation or user of that name)",
            )
        return None

    async def look_up_all() -> list[ConfigProblem | None]:
        # The client keeps at most ONLINE_CONCURRENCY requests in flight.
        async with github(api_url, app) as lookups:
            return await asyncio.gather(*(look_up(lookups, c, h) for c in councils for h in c.github))

    results = asyncio.run(look_up_all())
    return sorted((p for p in results if p is not None), key=lambda p: p.line)


async def _look_up_for_adding(
    handle: str, api_url: str, app: AppCredentials | None
) -> tuple[Account | None, bool, Profile | None]:
    """The account called `handle` (None if there is none), whether it has public repositories, and its profile."""
    async with github(api_url, app) as lookups:
        account = await lookups.find_account(handle)
        if account is None:
            return None, False, None
        return account, await lookups.has_public_repos(account), await lookups.profile(account)


def _register_or_fail(websites: Path | None = None) -> Register:
    try:
        return load_register(websites)
    except (OSError, ValueError, KeyError) as exc:
        raise click.BadParameter(f"cannot read {websites}: {exc}", param_hint="--websites") from None


def _code_option(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """--code: every code a current council's, said as the config check says it."""
    register = _register_or_fail()
    codes = value if isinstance(value, tuple) else (value,) if value is not None else ()
    for code in codes:
        message = code_problem(code.strip(), None, register)
        if message:
            raise click.BadParameter(message)
    if isinstance(value, tuple):
        return tuple(c.strip() for c in value)
    return value.strip() if value is not None else None


def _show_evidence(account: Account, profile: Profile | None, authority: Authority, website: str | None) -> None:
    """On stderr: what the account's profile says about whose it is, and a warning when it is not the council's."""
    label = f"GitHub {account_label(account)} {account.login!r}"
    if profile is None:
        click.echo(f"warning: {label} has no profile to compare with {authority.name}", err=True)
        return
    judged = assess(profile, authority, website)
    click.echo(f"{label} as {authority.name}'s account (score {judged.score}/100):", err=True)
    for line in judged.evidence:
        click.echo(f"  - {line}", err=True)
    if not judged.looks_like_the_council:
        click.echo(
            f"warning: {label} does not look like {authority.name}'s own account: check that it is before you "
            "send this change",
            err=True,
        )


@orgs.command("add")
@click.argument("handle")
@click.option("--name", help="The council's official name (the register's, when --code is given without it).")
@click.option(
    "--code",
    callback=_code_option,
    help="The council's code in the register of UK local authorities (e.g. BST; see `orgs coverage`).",
)
@click.option(
    "--type",
    "council_type",
    callback=_enum_option(check_type, COUNCIL_TYPES),
    help=f"One of: {', '.join(COUNCIL_TYPES)}.",
)
@click.option("--nation", callback=_enum_option(check_nation, NATIONS), help=f"One of: {', '.join(NATIONS)}.")
@click.option("--website", help="The council's official website (http or https URL).")
@config_option
@api_url_option
@app_options
@click.option("--offline", is_flag=True, help="Do not check the handle on GitHub.")
def add(
    handle: str,
    name: str | None,
    code: str | None,
    council_type: str | None,
    nation: str | None,
    website: str | None,
    config_path: Path,
    api_url: str,
    app_id: str | None,
    app_private_key: Path | None,
    installation_id: int | None,
    offline: bool,
) -> None:
    """Add GitHub organisation or user HANDLE to the councils file.

    A council already in the file (same code or name) gets HANDLE added to its GitHub handles; otherwise
    a new entry is appended. Unless --offline, HANDLE must exist on GitHub and have public repositories,
    and what its profile says about whose it is is shown, with a warning when it does not look like the
    council's. A --name that is a current council's in the register brings its code with it.
    """
    handle = handle.strip()
    if not is_valid_login(handle):
        raise click.BadParameter(
            "not a valid GitHub handle (1-39 letters, digits and single hyphens, not starting or ending with '-')",
            param_hint="HANDLE",
        )
    if name is None and code is None:
        raise click.UsageError("give the council's --name, or its register --code")
    if name is not None and not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    register = _register_or_fail()
    if code is not None and name is not None and (problem := code_problem(code, name.strip(), register)):
        raise click.BadParameter(problem, param_hint="--code")
    if code is None and name is not None and (named := register.by_name(name)) is not None:
        code = named.code
        click.echo(f"{name.strip()!r} is {named.label()} in the register: its code {code} is added too", err=True)
    authority = register.get(code) if code else _unregistered(name or "", website)
    if website is not None and not is_http_url(website.strip()):
        raise click.BadParameter(f"{website!r} is not an http(s) URL", param_hint="--website")

    existing = handle_index(_load_or_exit(config_path)).get(handle.lower())
    if existing is not None:
        _fail(
            f"GitHub handle {handle!r} is already listed for council {existing.name!r} at {config_path}:{existing.line}"
        )

    kind = "handle "
    if not offline:
        app = app_credentials(app_id, app_private_key, installation_id)
        try:
            account, has_repos, profile = asyncio.run(_look_up_for_adding(handle, api_url, app))
        except GitHubLookupError as exc:
            _fail(f"could not check {handle!r} on GitHub: {exc} (use --offline to add it unchecked)")
        if account is None:
            _fail(f"there is no GitHub organisation or user called {handle!r}")
        if not has_repos:
            _fail(f"GitHub {account_label(account)} {account.login!r} has no public repositories to crawl")
        if authority is not None:
            _show_evidence(account, profile, authority, website)
        handle, kind = account.login, account_label(account) + " "  # GitHub's own spelling of the name

    council = Council(name=name or "", github=(handle,), type=council_type, nation=nation, website=website, code=code)
    try:
        add_council(config_path, council)
    except ConfigError as exc:
        _print_problems(exc.problems)
        sys.exit(1)
    except OrgsFileError as exc:
        _fail(str(exc))
    except OSError as exc:  # a read-only folder, a full disk: the file is left as it was
        _fail(f"cannot write {config_path}: {exc.strerror or exc}")

    added = handle_index(load_councils(config_path))[handle.lower()]
    if len(added.github) > 1:
        click.echo(f"{config_path}:{added.line}: added GitHub {kind}{handle!r} to council {added.name!r}")
    else:
        click.echo(f"{config_path}:{added.line}: added council {added.name!r} with GitHub {kind}{handle!r}")


def _unregistered(name: str, website: str | None) -> Authority | None:
    """A body that is not in the register (a fire service, a collaboration), described well enough to compare
    a GitHub profile with its name and website; None without a name."""
    if not name.strip():
        return None
    return Authority(
        code="",
        name=name.strip(),
        nice_name=name.strip(),
        alt_names=(),
        gss_code="",
        nation="",
        region="",
        type_code="",
        type_name="",
        start_date=None,
        end_date=None,
        replaced_by=(),
        current=True,
        gov_uk_slug=None,
        website=website,
    )


# --- coverage and discovery ------------------------------------------------------------------------


def _catalogue_states(data_dir: Path | None) -> list[HandleState] | None:
    """Each handle's last crawl, from the catalogue if there is one (None if there is none yet)."""
    path = DataDir.resolve(data_dir).catalogue
    if not path.exists():
        return None
    try:
        with Catalogue(path, readonly=True) as catalogue:
            return catalogue.handle_states()
    except sqlite3.Error as exc:
        _fail(f"cannot read {path}: {exc}")


@orgs.command("coverage")
@config_option
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same as /api/councils' 'coverage').")
def coverage_command(config_path: Path, data_dir: Path | None, as_json: bool) -> None:
    """Every current UK council in the register: its code, nation, type, GitHub handles and repositories.

    Repositories are counted from the catalogue of the data dir, when it has been crawled.
    """
    found = coverage(_load_or_exit(config_path), _catalogue_states(data_dir))
    if as_json:
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
        return
    table = Table(caption=f"{found.sentence}; register: {REGISTER_CREDIT} ({REGISTER_LICENCE})")
    for column in ("Code", "Council", "Nation", "Type", "GitHub", "Repositories"):
        table.add_column(column, justify="right" if column == "Repositories" else "left")
    for row in found.councils:
        a = row.authority
        repositories = "" if row.repositories is None else str(row.repositories)
        table.add_row(a.code, Text(a.name), a.nation, a.type_name, Text(", ".join(row.handles) or "-"), repositories)
    Console().print(table)


def _councils_to_search(codes: tuple[str, ...], councils: list[Council], register: Register) -> list[Authority]:
    """The councils --council names, else every current council with no entry in the config."""
    if codes:
        return [register.by_code[code] for code in dict.fromkeys(codes)]
    return [row.authority for row in coverage(councils, register=register).councils if row.council is None]


async def _discover(
    authorities: list[Authority], known: set[str], api_url: str, app: AppCredentials | None, per_query: int
) -> Discovery:
    # No limit on waiting: a discovery takes minutes anyway, and every wait GitHub asks for is announced.
    # Two requests in flight: the client keeps that many of the search budget in reserve, so pacing at the
    # stated limit is not slowed by pauses for the last few searches of each minute.
    async with github(api_url, app, max_wait=None, concurrency=DISCOVER_CONCURRENCY) as lookups, lookups.answers():
        per_minute = await search_limit(lookups.client)
        requests, seconds = estimate_seconds(authorities, per_query, per_minute)
        click.echo(
            f"Searching GitHub for the accounts of {_plural(len(authorities), 'council')}: "
            f"{_plural(requests, 'search request')} at {per_minute} a minute (GitHub's search limit), "
            f"about {duration_text(seconds)}; then the profile of each account found (up to {per_query} a search).",
            err=True,
        )

        def progress(authority: Authority, number: int) -> None:
            click.echo(f"[{number}/{len(authorities)}] {authority.label()}", err=True)

        found = await discover(
            lookups.client,
            authorities,
            known_handles=known,
            pacer=Pacer(per_minute),
            per_query=per_query,
            progress=progress,
        )
        click.echo(
            f"{_plural(found.requests, 'search request')} and {_plural(found.profiles_fetched, 'profile look-up')} "
            f"made, {lookups.client.stats.waited_seconds:.0f}s waited for GitHub's rate limits.",
            err=True,
        )
        return found


@orgs.command("discover")
@click.option(
    "--council",
    "codes",
    multiple=True,
    metavar="CODE",
    callback=_code_option,
    help="Search for this council (register code, repeatable). Default: every council with no entry.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Search for at most this many councils.")
@click.option(
    "--per-query",
    type=click.IntRange(1, 100),
    default=PAGE_SIZE,
    show_default=True,
    help="Accounts looked at for each search, best matches first.",
)
@click.option(
    "--websites",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A newer uk-council-websites.csv than the one councilcode ships (GOV.UK's list of council websites).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: searched, and candidates with their evidence.")
@click.option("--write", is_flag=True, help="Add the verified candidates to the councils file.")
@config_option
@api_url_option
@app_options
def discover_command(
    codes: tuple[str, ...],
    limit: int | None,
    per_query: int,
    websites: Path | None,
    as_json: bool,
    write: bool,
    config_path: Path,
    api_url: str,
    app_id: str | None,
    app_private_key: Path | None,
    installation_id: int | None,
) -> None:
    """Find the GitHub accounts of councils: search GitHub for each council's names and judge each account
    found by its profile (website, e-mail, name, location) against the council's own website and names.

    An account is verified when its website or e-mail is on a government domain carrying the council's name,
    or its name is the council's official name and its location fits. Searches are paced to GitHub's search
    limit (30 a minute with a token), and how long they will take is said before they start.
    """
    councils = _load_or_exit(config_path)
    register = _register_or_fail(websites)
    authorities = _councils_to_search(codes, councils, register)[:limit]
    app = app_credentials(app_id, app_private_key, installation_id)
    known = set(handle_index(councils))
    try:
        found = asyncio.run(_discover(authorities, known, api_url, app, per_query))
    except GitHubLookupError as exc:
        _fail(f"could not search GitHub: {exc}")

    if as_json:
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_candidates(found)
    if write:
        _write_verified(config_path, found, to_stderr=as_json)


def _print_candidates(found: Discovery) -> None:
    verified = [c for c in found.candidates if c.assessment.verified]
    table = Table(
        caption=f"{_plural(found.searched, 'council')} searched, {_plural(len(found.candidates), 'candidate')}, "
        f"{len(verified)} verified"
    )
    for column in ("Council", "Handle", "Type", "Verified", "Score", "Evidence"):
        table.add_column(column, justify="right" if column == "Score" else "left")
    for c in found.candidates:
        table.add_row(
            Text(c.authority.label()),
            Text(c.profile.login),
            "organisation" if c.profile.type == "Organization" else "user",
            "yes" if c.assessment.verified else "no",
            str(c.assessment.score),
            Text("; ".join(c.assessment.evidence)),
        )
    Console().print(table)


def _write_verified(config_path: Path, found: Discovery, *, to_stderr: bool) -> None:
    """Add each verified candidate with the comment-keeping writer; a refusal is said and the rest still added."""
    failed = False
    for candidate in (c for c in found.candidates if c.assessment.verified):
        a, login = candidate.authority, candidate.profile.login
        if candidate.profile.public_repos == 0:  # as `orgs add` refuses it: nothing to crawl (yet)
            click.echo(f"not added {login!r} for {a.label()}: it has no public repositories to crawl", err=True)
            continue
        try:
            add_council(config_path, Council(name=a.name, code=a.code, github=(login,)))
        except ConfigError as exc:
            _print_problems(exc.problems)
            sys.exit(1)
        except (OrgsFileError, OSError) as exc:
            click.echo(f"error: not added {login!r} for {a.label()}: {exc}", err=True)
            failed = True
            continue
        added = handle_index(load_councils(config_path))[login.lower()]
        click.echo(f"{config_path}:{added.line}: added {login!r} for council {added.name!r}", err=to_stderr)
    if failed:
        sys.exit(1)

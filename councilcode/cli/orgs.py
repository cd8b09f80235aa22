"""`councilcode orgs ...`: list, check and add the councils in config/orgs.yaml.

Exit codes: 0 all well, 1 problems found or the change was refused, 2 a usage error.
"""

from __future__ import annotations

import asyncio
import json
import os
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

from councilcode.cli.options import api_url_option, app_credentials, app_options, config_option
from councilcode.config import (
    ConfigError,
    ConfigProblem,
    canonical_choice,
    check_nation,
    check_type,
    handle_index,
    is_http_url,
    is_valid_login,
    load_councils,
)
from councilcode.crawler.accounts import Account, UnexpectedAnswer, find_account
from councilcode.crawler.auth import AppCredentials, AuthError, token_source
from councilcode.crawler.github import ApiError, ApiUnreachable, CrawlStopped, GitHubClient, RetryPolicy
from councilcode.orgs_file import OrgsFileError, add_council
from councilcode.records import COUNCIL_TYPES, NATIONS, Council

ONLINE_CONCURRENCY = 8  # parallel GitHub look-ups: quick, but gentle on the API
# Someone is waiting at the terminal: a few quick retries, and rather than sit out a rate limit for
# up to an hour, say so (a wait of a few seconds, as a secondary limit may ask, is still taken).
LOOKUP_RETRY = RetryPolicy(attempts=3, base_delay=0.5, max_delay=2.0, timeout=15.0)
LOOKUP_MAX_WAIT = 10.0


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

    async def _get(self, url: str) -> tuple[bool, Any]:
        try:
            response = await self.client.get(url)
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
        return (False, None) if response.status == 404 else (True, response.data)


@asynccontextmanager
async def github(api_url: str, app: AppCredentials | None) -> AsyncIterator[GitHub]:
    """Look-ups against `api_url` as the App installation, else with $GITHUB_TOKEN when set."""
    tokens = token_source(app, os.environ.get("GITHUB_TOKEN") or None, api_url)
    client = GitHubClient(
        api_url,
        token_source=tokens,
        concurrency=ONLINE_CONCURRENCY,
        max_wait=LOOKUP_MAX_WAIT,
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


@click.group("orgs")
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


async def _look_up_for_adding(handle: str, api_url: str, app: AppCredentials | None) -> tuple[Account | None, bool]:
    """The account called `handle` (None if there is none) and whether it has public repositories."""
    async with github(api_url, app) as lookups:
        account = await lookups.find_account(handle)
        return account, account is not None and await lookups.has_public_repos(account)


@orgs.command("add")
@click.argument("handle")
@click.option("--name", required=True, help="The council's official name.")
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
    name: str,
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

    A council already in the file (same name) gets HANDLE added to its GitHub handles; otherwise a
    new entry is appended. Unless --offline, HANDLE must exist on GitHub and have public repositories.
    """
    handle = handle.strip()
    if not is_valid_login(handle):
        raise click.BadParameter(
            "not a valid GitHub handle (1-39 letters, digits and single hyphens, not starting or ending with '-')",
            param_hint="HANDLE",
        )
    if not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
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
            account, has_repos = asyncio.run(_look_up_for_adding(handle, api_url, app))
        except GitHubLookupError as exc:
            _fail(f"could not check {handle!r} on GitHub: {exc} (use --offline to add it unchecked)")
        if account is None:
            _fail(f"there is no GitHub organisation or user called {handle!r}")
        if not has_repos:
            _fail(f"GitHub {account_label(account)} {account.login!r} has no public repositories to crawl")
        handle, kind = account.login, account_label(account) + " "  # GitHub's own spelling of the name

    council = Council(name=name, github=(handle,), type=council_type, nation=nation, website=website)
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

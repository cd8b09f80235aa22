"""`councilcode orgs ...`: list, check and add the councils in config/orgs.yaml.

Exit codes: 0 all well, 1 problems found or the change was refused, 2 a usage error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click
import httpx
from rich.console import Console
from rich.table import Table
from rich.text import Text

from councilcode.cli.command import Group
from councilcode.cli.options import api_url_option, config_option
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
from councilcode.orgs_file import OrgsFileError, add_council
from councilcode.records import COUNCIL_TYPES, NATIONS, Council

ONLINE_CONCURRENCY = 8  # parallel GitHub look-ups: quick, but gentle on the API
TIMEOUT_SECONDS = 15.0


# --- GitHub look-ups -----------------------------------------------------------------------------


class GitHubLookupError(Exception):
    """GitHub could not answer (network, rate limit, bad token); says nothing about the handle."""


@dataclass(frozen=True)
class Account:
    """A GitHub account as the API spells it."""

    login: str
    kind: str  # "Organization" or "User"

    @property
    def label(self) -> str:
        return "organisation" if self.kind == "Organization" else "user"


def github_client(api_url: str) -> httpx.Client:
    """An httpx client for the GitHub REST API, authenticated with $GITHUB_TOKEN when set."""
    headers = {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "councilcode",
    }
    token = os.environ.get("GITHUB_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(
        base_url=api_url.rstrip("/"),
        headers=headers,
        timeout=TIMEOUT_SECONDS,
        follow_redirects=True,  # renamed organisations answer with a redirect
        limits=httpx.Limits(max_connections=ONLINE_CONCURRENCY),
    )


def _get(client: httpx.Client, url: str) -> httpx.Response:
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        raise GitHubLookupError(f"cannot reach {client.base_url}: {exc}") from None
    if response.status_code in (200, 404):
        return response
    if response.status_code in (403, 429) and (
        response.headers.get("x-ratelimit-remaining") == "0" or response.status_code == 429
    ):
        raise GitHubLookupError("GitHub's API rate limit is used up (setting GITHUB_TOKEN raises it)")
    if response.status_code == 401:
        raise GitHubLookupError("GitHub refused the token in GITHUB_TOKEN (HTTP 401)")
    raise GitHubLookupError(f"GitHub answered HTTP {response.status_code} for {url}")


def find_account(client: httpx.Client, handle: str) -> Account | None:
    """The organisation or user called `handle`, or None if GitHub has neither."""
    response = _get(client, f"/orgs/{handle}")
    if response.status_code == 200:
        return Account(_login(response, handle), "Organization")
    response = _get(client, f"/users/{handle}")
    if response.status_code == 200:
        return Account(_login(response, handle), _json(response).get("type") or "User")
    return None


def has_public_repos(client: httpx.Client, account: Account) -> bool:
    """True if the account has at least one public repository."""
    base = "orgs" if account.kind == "Organization" else "users"
    response = _get(client, f"/{base}/{account.login}/repos?per_page=1")
    body = _json(response) if response.status_code == 200 else []
    return isinstance(body, list) and len(body) > 0


def _json(response: httpx.Response) -> dict | list:
    try:
        return response.json()
    except ValueError:
        raise GitHubLookupError(f"GitHub sent something that is not JSON for {response.url}") from None


def _login(response: httpx.Response, handle: str) -> str:
    body = _json(response)
    login = body.get("login") if isinstance(body, dict) else None
    return login if isinstance(login, str) and login else handle


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
def check(config_path: Path, online: bool, api_url: str) -> None:
    """Check the councils file and print every problem with its line."""
    councils = _load_or_exit(config_path)
    handles = sum(len(c.github) for c in councils)
    if online:
        problems = _check_online(config_path, councils, api_url)
        if problems:
            _print_problems(problems)
            sys.exit(1)
    summary = f"{config_path}: {_plural(len(councils), 'council')}, {_plural(handles, 'handle')}, no problems"
    click.echo(summary + (" (all found on GitHub)" if online else ""))


def _check_online(config_path: Path, councils: list[Council], api_url: str) -> list[ConfigProblem]:
    """A problem for every handle GitHub does not know (or could not be asked about)."""
    pairs = [(council, handle) for council in councils for handle in council.github]
    with github_client(api_url) as client:

        def look_up(pair: tuple[Council, str]) -> ConfigProblem | None:
            council, handle = pair
            try:
                found = find_account(client, handle)
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

        with ThreadPoolExecutor(ONLINE_CONCURRENCY) as pool:
            results = list(pool.map(look_up, pairs))
    return sorted((p for p in results if p is not None), key=lambda p: p.line)


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
@click.option("--offline", is_flag=True, help="Do not check the handle on GitHub.")
def add(
    handle: str,
    name: str,
    council_type: str | None,
    nation: str | None,
    website: str | None,
    config_path: Path,
    api_url: str,
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
        try:
            with github_client(api_url) as client:
                account = find_account(client, handle)
                if account is None:
                    _fail(f"there is no GitHub organisation or user called {handle!r}")
                if not has_public_repos(client, account):
                    _fail(f"GitHub {account.label} {account.login!r} has no public repositories to crawl")
        except GitHubLookupError as exc:
            _fail(f"could not check {handle!r} on GitHub: {exc} (use --offline to add it unchecked)")
        handle, kind = account.login, account.label + " "  # GitHub's own spelling of the name

    council = Council(name=name, github=(handle,), type=council_type, nation=nation, website=website)
    try:
        add_council(config_path, council)
    except ConfigError as exc:
        _print_problems(exc.problems)
        sys.exit(1)
    except OrgsFileError as exc:
        _fail(str(exc))

    added = handle_index(load_councils(config_path))[handle.lower()]
    if len(added.github) > 1:
        click.echo(f"{config_path}:{added.line}: added GitHub {kind}{handle!r} to council {added.name!r}")
    else:
        click.echo(f"{config_path}:{added.line}: added council {added.name!r} with GitHub {kind}{handle!r}")

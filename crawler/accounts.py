"""Which GitHub account a handle names: an organisation, or else a user.

The crawl (with its conditional-request cache) and `councilcode orgs` (plain look-ups) both ask
GitHub this way; each passes its own way of fetching an API URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

ORGANIZATION = "Organization"
USER = "User"

# GET an API URL: (False, None) when GitHub answers 404, else (True, the JSON body).
Fetch = Callable[[str], Awaitable[tuple[bool, Any]]]


class UnexpectedAnswer(Exception):
    """GitHub found the account but answered with something that does not describe one."""


@dataclass(frozen=True)
class Account:
    login: str  # GitHub's own spelling of the name
    type: str  # ORGANIZATION or USER
    url: str  # the API URL that answered

    @property
    def is_organization(self) -> bool:
        return self.type == ORGANIZATION

    def repos_url(self, api_url: str) -> str:
        """The URL listing the account's repositories (without query)."""
        return f"{api_url}/{'orgs' if self.is_organization else 'users'}/{self.login}/repos"


async def find_account(handle: str, fetch: Fetch, api_url: str, *, users_first: bool = False) -> Account | None:
    """The organisation called `handle`, else the user (`users_first` when a crawl already knows it
    is a user); None when GitHub has neither. Raises `UnexpectedAnswer` on a body without a login."""
    for kind in ("users", "orgs") if users_first else ("orgs", "users"):
        url = f"{api_url}/{kind}/{handle}"
        found, data = await fetch(url)
        if not found:
            continue
        login = data.get("login") if isinstance(data, dict) else None
        if not isinstance(login, str) or not login:
            raise UnexpectedAnswer(f"unexpected answer from {url}: no 'login' field")
        # /users/{name} of an organisation says so in `type`; bots and the like are crawled as users.
        account_type = ORGANIZATION if kind == "orgs" or data.get("type") == ORGANIZATION else USER
        return Account(login, account_type, url)
    return None

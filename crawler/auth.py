"""Where the crawl's token comes from: a personal token, or a GitHub App installation.

A GitHub App installation gets a higher rate limit than a personal token, which matters for
scheduled crawls. PyGithub does the App side (signing the JWT, asking for an installation token);
the token is refreshed a few minutes before it expires.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from councilcode.errors import CouncilcodeError


class AuthError(CouncilcodeError):
    """No token could be had (a wrong App id, key or installation, or GitHub unreachable)."""

    exit_code = 2


@dataclass(frozen=True)
class AppCredentials:
    """A GitHub App installation to act as."""

    app_id: str
    private_key: str = field(repr=False)
    installation_id: int


class TokenSource(Protocol):
    """Something that hands out the current API token."""

    async def token(self) -> str | None: ...

    async def invalidate(self) -> None: ...


class StaticToken:
    """A personal access token (or none at all, for 60 unauthenticated requests an hour)."""

    def __init__(self, token: str | None) -> None:
        self._token = token or None

    async def token(self) -> str | None:
        return self._token

    async def invalidate(self) -> None:
        """A static token cannot be renewed; a 401 then fails the request."""

    def __repr__(self) -> str:  # never show the token itself
        return f"StaticToken({'set' if self._token else 'none'})"


class AppInstallationToken:
    """Installation access tokens for a GitHub App, renewed `margin` seconds before they expire."""

    def __init__(
        self,
        app_id: int | str,
        private_key: str,
        installation_id: int,
        api_url: str,
        *,
        margin: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        from github import Auth  # PyGithub is only needed, and only loaded, for App authentication

        self._auth = Auth.AppAuth(app_id, private_key)
        self._app_id = app_id
        self._installation_id = int(installation_id)
        self._api_url = api_url.rstrip("/")
        self._margin = margin
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str | None:
        """The installation token, fetched anew near its expiry; raises AuthError when none is given."""
        async with self._lock:
            if self._token is None or self._expires_at - self._clock() < self._margin:
                # PyGithub is synchronous: keep it off the event loop.
                try:
                    self._token, self._expires_at = await asyncio.to_thread(self._fetch)
                except Exception as exc:  # PyGithub, PyJWT and requests each raise their own kinds
                    raise AuthError(
                        f"GitHub App {self._app_id}, installation {self._installation_id}: "
                        f"no installation token ({type(exc).__name__}: {exc})"
                    ) from exc
            return self._token

    async def invalidate(self) -> None:
        async with self._lock:
            self._token = None

    def _fetch(self) -> tuple[str, float]:
        from github import GithubIntegration

        integration = GithubIntegration(auth=self._auth, base_url=self._api_url)
        try:
            access = integration.get_access_token(self._installation_id)
        finally:
            integration.close()
        return access.token, access.expires_at.timestamp()

    def __repr__(self) -> str:
        return f"AppInstallationToken(installation={self._installation_id})"


def token_source(app: AppCredentials | None, token: str | None, api_url: str) -> TokenSource:
    """The App installation's tokens when one is given, else the personal token (or none)."""
    if app is not None:
        return AppInstallationToken(app.app_id, app.private_key, app.installation_id, api_url)
    return StaticToken(token)

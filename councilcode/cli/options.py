"""Click options shared by several commands, so each is spelt and explained once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from councilcode.config import is_http_url
from councilcode.crawler.auth import AppCredentials
from councilcode.settings import DEFAULT_API_URL, DEFAULT_CONFIG

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the catalogue and index live. Default: $COUNCILCODE_DATA_DIR or ./data",
)
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The councils and their GitHub handles.",
)


def _http_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not is_http_url(value):
        raise click.BadParameter(f"{value!r} is not an http(s) URL")
    return value


api_url_option = click.option(
    "--api-url",
    default=DEFAULT_API_URL,
    show_default=True,
    callback=_http_url,
    help="GitHub API root ($GITHUB_TOKEN is sent if set); GitHub Enterprise uses https://HOST/api/v3.",
)


def app_options(command: Callable[..., None]) -> Callable[..., None]:
    """--app-id, --app-private-key and --installation-id (or their environment variables)."""
    command = click.option(
        "--installation-id", envvar="GITHUB_APP_INSTALLATION_ID", type=int, help="(env GITHUB_APP_INSTALLATION_ID)"
    )(command)
    command = click.option(
        "--app-private-key",
        envvar="GITHUB_APP_PRIVATE_KEY_FILE",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="The App's private key, a PEM file (env GITHUB_APP_PRIVATE_KEY_FILE).",
    )(command)
    return click.option(
        "--app-id", envvar="GITHUB_APP_ID", help="Authenticate as a GitHub App installation (env GITHUB_APP_ID)."
    )(command)


def app_credentials(app_id: str | None, key_file: Path | None, installation_id: int | None) -> AppCredentials | None:
    """The App installation the three options name, None when none is given; a usage error when
    only some are, or the key file cannot be read."""
    given = [v is not None for v in (app_id, key_file, installation_id)]
    if not any(given):
        return None
    if not all(given):
        raise click.UsageError("a GitHub App needs all three of --app-id, --app-private-key and --installation-id")
    assert app_id is not None and key_file is not None and installation_id is not None
    try:
        key = key_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"cannot read {key_file}: {exc}", param_hint="--app-private-key") from exc
    return AppCredentials(app_id, key, installation_id)


api_option = click.option(
    "--api",
    type=click.Choice(["graphql", "rest"]),
    default=None,
    help="The GitHub API to crawl with. Default: graphql when a token or GitHub App is configured "
    "(GitHub's GraphQL API needs one), else rest.",
)

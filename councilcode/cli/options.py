"""Click options shared by several commands, so each is spelt and explained once."""

from __future__ import annotations

from pathlib import Path

import click

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
api_url_option = click.option(
    "--api-url",
    default=DEFAULT_API_URL,
    show_default=True,
    help="GitHub API root ($GITHUB_TOKEN is sent if set); GitHub Enterprise uses https://HOST/api/v3.",
)
api_option = click.option(
    "--api",
    type=click.Choice(["graphql", "rest"]),
    default=None,
    help="The GitHub API to crawl with. Default: graphql when a token or GitHub App is configured "
    "(GitHub's GraphQL API needs one), else rest.",
)

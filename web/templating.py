"""The Jinja environment: built once per app, with the filters our templates share."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import jinja2
import nh3
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from councilcode import dates
from councilcode.licences import licence_label

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

SITE_NAME = "councilcode"

# Text with no markup but <mark> and </mark>, and no stray ampersand that is not an entity.
_ONLY_MARK = re.compile(r"(?:[^<>&]|<mark>|</mark>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);)*")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# The same dates come back on every page.
parse_timestamp = lru_cache(maxsize=16_384)(dates.parse_timestamp)


@lru_cache(maxsize=16_384)  # the same dates come back on every page
def long_date(value: str | None) -> str:
    """`2016-02-11T13:01:37Z` -> `11 February 2016`, the GOV.UK way of writing dates."""
    moment = parse_timestamp(value)
    if moment is None:
        return "unknown"
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


@lru_cache(maxsize=16_384)  # the same dates come back on every page
def long_datetime(value: str | None) -> str:
    """`2016-02-11T13:01:37Z` -> `11 February 2016 at 1:01pm (UTC)`."""
    moment = parse_timestamp(value)
    if moment is None:
        return "unknown"
    moment = moment.astimezone(UTC)
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{long_date(value)} at {hour}:{moment.minute:02d}{suffix} (UTC)"


@lru_cache(maxsize=16_384)  # the same dates come back on every page
def iso_date(value: str | None) -> str:
    """The machine-readable form for <time datetime="...">."""
    moment = parse_timestamp(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def thousands(value: int | None) -> str:
    """25000 -> `25,000`."""
    return f"{value or 0:,}"


def plural(count: int | None, singular: str, plural_form: str | None = None) -> str:
    """`1 repository`, `2 repositories`, with thousands separators."""
    n = count or 0
    word = singular if n == 1 else (plural_form or singular + "s")
    return f"{n:,} {word}"


def repo_url(full_name: str) -> str:
    """`/repos/owner/name`, each part escaped for a URL path."""
    owner, _, name = full_name.partition("/")
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


def safe_snippet(snippet_html: str | None) -> Markup:
    """The indexer's highlighted snippet, re-sanitised so that only <mark> can survive.

    The indexer escapes snippets itself; checking that the only tags are <mark> is far cheaper
    than sanitising twenty snippets a page, and anything else still goes through nh3.
    """
    text = snippet_html or ""
    if _ONLY_MARK.fullmatch(text):
        return Markup(text)
    return Markup(nh3.clean(text, tags={"mark"}, attributes={}))


def static_version(static_dir: Path = STATIC_DIR) -> str:
    """A short hash of the static files, appended to their URLs so browsers fetch new versions."""
    digest = hashlib.sha256()
    for path in sorted(static_dir.glob("*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def create_templates() -> Jinja2Templates:
    """Jinja2Templates over web/templates with autoescaping everywhere and our filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template is HTML; README HTML is marked safe only after nh3
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates do not change under a running server; skip the stat() calls
    )
    env.filters.update(
        long_date=long_date,
        long_datetime=long_datetime,
        iso_date=iso_date,
        thousands=thousands,
        plural=plural,
    )
    env.globals.update(
        site_name=SITE_NAME,
        static_version=static_version(),
        repo_url=repo_url,
        licence_label=licence_label,
        safe_snippet=safe_snippet,
    )
    return Jinja2Templates(env=env)

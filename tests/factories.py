"""The one way tests build a `Repository`.

Defaults are few and stated here, so a test shows every value it depends on:
- `id`: a CRC-32 of the lower-cased full name, the same on every run and machine (unlike `hash()`, which
  Python salts per process) and the same id the corpus loader gives a real repository;
- `owner` and `name`: the two halves of `full_name`;
- `html_url`: the repository's github.com page;
- `readme_path`: "README.md" when the record has a README (even an empty one), else None;
- every other field: the `Repository` dataclass default (no description, no licence, no dates, 0 stars...).
"""

from __future__ import annotations

import zlib
from typing import Any

from councilcode.records import Repository


def repository_id(full_name: str) -> int:
    """A stable id for `full_name`; GitHub names are case-insensitive, so the id is too."""
    return zlib.crc32(full_name.lower().encode("utf-8"))


def make_repository(
    full_name: str,
    council: str,
    *,
    id: int | None = None,
    html_url: str | None = None,
    readme: str | None = None,
    readme_path: str | None = "README.md",
    **fields: Any,
) -> Repository:
    """A repository `owner/name` of `council`; `fields` are any other `Repository` fields."""
    owner, slash, name = full_name.partition("/")
    if not slash or not owner or not name or "/" in name:
        raise ValueError(f"a full name is owner/name, not {full_name!r}")
    return Repository(
        id=repository_id(full_name) if id is None else id,
        full_name=full_name,
        owner=owner,
        name=name,
        council=council,
        html_url=f"https://github.com/{full_name}" if html_url is None else html_url,
        readme=readme,
        readme_path=readme_path if readme is not None else None,
        **fields,
    )

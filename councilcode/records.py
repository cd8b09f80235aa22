"""Records that cross module borders: what the crawler stores and everything else reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

COUNCIL_TYPES = (
    "county",
    "district",
    "unitary",
    "london-borough",
    "metropolitan-borough",
    "fire-and-rescue",
    "combined-authority",
    "collaboration",
    "other",
)
NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")


@dataclass(frozen=True)
class Council:
    """One entry of config/orgs.yaml.

    `name`, `type` and `nation` are the register's when the entry has a `code` and does not give them.
    """

    name: str
    github: tuple[str, ...]
    type: str | None = None
    nation: str | None = None
    website: str | None = None
    line: int = 0  # where the entry starts in its config file, for error messages
    code: str | None = None  # the council's local-authority-code in the register (councilcode.register)


@dataclass
class Repository:
    """One public repository as stored in the catalogue.

    Field names follow GitHub's REST API where they exist (`license` holds an SPDX-style id);
    `stars` and `forks` are GitHub's `stargazers_count` and `forks_count`.
    """

    id: int
    full_name: str
    owner: str
    name: str
    council: str
    description: str | None = None
    homepage: str | None = None
    html_url: str = ""
    language: str | None = None
    topics: list[str] = field(default_factory=list)
    stars: int = 0
    forks: int = 0
    archived: bool = False
    fork: bool = False
    is_template: bool = False
    default_branch: str | None = None
    created_at: str | None = None
    pushed_at: str | None = None
    updated_at: str | None = None
    readme: str | None = None
    readme_path: str | None = None
    license: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# The fields of a Repository in export order; CSV leaves out the README.
REPOSITORY_FIELDS: tuple[str, ...] = tuple(Repository.__dataclass_fields__)

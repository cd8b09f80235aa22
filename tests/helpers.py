"""Plain helpers shared by test modules (and the crawl benchmark); fixtures live in conftest.py and the
modules it registers, never in a test module, so no test module imports another.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterable
from html.parser import HTMLParser

from councilcode.crawler.github import RetryPolicy
from councilcode.indexer.build import Entry, IndexReport, index_entries
from councilcode.indexer.generations import IndexStore
from councilcode.indexer.schema import fingerprint
from councilcode.records import Repository

# Retries in tests back off in milliseconds, not seconds, and give up on a silent server quickly.
FAST_RETRY = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05, timeout=1.0, secondary_delay=0.2)


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def config_text(councils: dict[str, list[str]]) -> str:
    """orgs.yaml text for {council name: [handles]}."""
    lines = ["councils:"]
    for name, handles in councils.items():
        # JSON strings are YAML strings, so names with '&' or ':' need no thought.
        lines += [f"  - name: {json.dumps(name)}", f"    github: [{', '.join(handles)}]"]
    return "\n".join(lines) + "\n"


def entry_of(repo: Repository) -> Entry:
    """An index entry for a record held in memory (the index itself reads its entries from catalogue rows)."""
    return Entry(str(repo.id), fingerprint(repo).encode("ascii"), lambda: repo)


def index_repositories(store: IndexStore, repositories: Iterable[Repository], *, rebuild: bool = False) -> IndexReport:
    """Make the index in `store` hold exactly `repositories`, straight from memory (no catalogue).
    The caller holds `store.write_lock()`."""
    return index_entries(store, [entry_of(repo) for repo in repositories], rebuild=rebuild)


class Outline(HTMLParser):
    """Collects what the structural checks need: landmarks, headings, ids, labels and inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.h1 = 0
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.inputs: list[dict[str, str | None]] = []
        self.scripts = 0
        self.inline_styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        self.h1 += tag == "h1"
        self.scripts += tag == "script"
        self.inline_styles += tag == "style" or "style" in values
        if values.get("id"):
            self.ids.append(values["id"] or "")
        if tag == "label" and values.get("for"):
            self.label_for.add(values["for"] or "")
        if tag in ("input", "select", "textarea") and values.get("type") != "hidden":
            self.inputs.append(values)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser

"""The real UK council corpus (shared/corpus/uk-councils) as catalogue `Repository` records.

For tests of the indexer, the web viewer and anything else that wants real READMEs. The corpus
holds no GitHub metadata, so records have no description, topics or stars: the honest case.
Licences are read from each repository's licence file with `crawler.licence.identify_licence`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from councilcode.catalogue import Catalogue, HandleResult
from councilcode.crawler.licence import identify_licence
from councilcode.records import Council, Repository
from tests.factories import make_repository, repository_id

CORPUS_DIR = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "uk-councils"


def corpus_available(corpus: Path = CORPUS_DIR) -> bool:
    return (corpus / "orgs.json").is_file() and (corpus / "repos").is_dir()


def council_names(corpus: Path = CORPUS_DIR) -> dict[str, str]:
    """{org handle (lower case): council name}; the handle stands in where the name is unknown."""
    orgs = json.loads((corpus / "orgs.json").read_text(encoding="utf-8"))
    return {o["org"].lower(): o.get("council_name") or o["org"] for o in orgs}


def _utc(iso: str | None) -> str | None:
    if not iso:
        return None
    moment = datetime.fromisoformat(iso).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def load_corpus_repositories(corpus: Path = CORPUS_DIR) -> list[Repository]:
    """Every repository of the corpus, ordered by full name. Ids are stable (CRC32 of the name)."""
    councils = council_names(corpus)
    repositories = []
    for meta_path in sorted((corpus / "repos").glob("*/*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        folder = meta_path.parent
        org, name = meta["org"], meta["name"]
        readme = _read(folder, meta.get("readme_path"))
        licence_text = _read(folder, meta.get("license_path"))
        full_name = f"{org}/{name}"
        repositories.append(
            make_repository(
                full_name,
                councils.get(org.lower(), org),
                id=repository_id(full_name),
                language=meta.get("primary_language"),
                default_branch=meta.get("default_branch"),
                pushed_at=_utc(meta.get("last_commit_iso")),
                updated_at=_utc(meta.get("last_commit_iso")),
                readme=readme,
                readme_path=meta.get("readme_path") if readme is not None else None,
                license=identify_licence(licence_text) if licence_text else None,
                # The corpus lists root names (the first 50), not which are folders, nor releases.
                root_files=list(meta.get("files") or []),
                publiccode=_read(folder, meta.get("publiccode_path")),
            )
        )
    return sorted(repositories, key=lambda r: r.full_name.lower())


def _read(folder: Path, relative: str | None) -> str | None:
    if not relative:
        return None
    path = folder / relative
    return path.read_text(encoding="utf-8") if path.is_file() else None


def store_in_catalogue(path: Path, repositories: Iterable[Repository]) -> None:
    """Make a (new or existing) SQLite catalogue hold exactly these repositories, their councils and
    handles (as with `sync_councils`, councils and handles not among them are removed)."""
    by_handle: dict[str, list[Repository]] = {}
    councils: dict[str, set[str]] = {}
    for repo in repositories:
        by_handle.setdefault(repo.owner, []).append(repo)
        councils.setdefault(repo.council, set()).add(repo.owner)
    with Catalogue(path) as catalogue:
        catalogue.sync_councils(Council(name=name, github=tuple(sorted(handles))) for name, handles in councils.items())
        for handle, repos in by_handle.items():
            catalogue.store_handle(HandleResult(handle, repos[0].council, "Organization", repos), None)

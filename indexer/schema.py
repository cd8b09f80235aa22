"""The Whoosh schema and how a catalogue `Repository` becomes an index document.

Searchable text goes into stemmed TEXT fields weighted at query time (name and topics above the
description above the README); everything a filter, facet or sort needs goes into one column so a
searcher can load it for every document at once; what a result shows is one stored record.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from whoosh import columns, fields

from councilcode.catalogue import repository_row
from councilcode.dates import parse_timestamp
from councilcode.indexer.analysis import spelling_words, text_analyzer
from councilcode.indexer.names import document_vocabulary, name_words, split_identifier, topic_words
from councilcode.indexer.readme_text import readme_to_text
from councilcode.licences import licence_family
from councilcode.records import Repository
from councilcode.reuse import reuse_score

# Bump when the schema, the analysis or the document layout changes: an index of another version
# is rebuilt rather than updated, since its stored fingerprints no longer say what it holds.
SCHEMA_VERSION = 2  # 2: the reuse score and the publiccode flag (issue 14)

# Query-time weights of the searchable fields (BM25F sums field scores times these).
FIELD_BOOSTS: dict[str, float] = {
    "name": 4.0,
    "topics": 3.0,
    "description": 2.0,
    "council": 1.0,
    "language": 1.0,
    "readme": 1.5,
}
SEARCH_FIELDS: tuple[str, ...] = tuple(FIELD_BOOSTS)

SNIPPET_CHARS = 20_000  # of README text kept in the stored record for snippets and "similar"

# Separators inside the doc-values column (ASCII unit and record separators never occur in data).
UNIT = "\x1f"
ITEM = "\x1e"

ARCHIVED = 1
FORK = 2
PUBLICCODE = 4  # has a publiccode.yml (valid or not); not a ranking penalty (see docvalues._factor)


def make_schema() -> fields.Schema:
    """A fresh schema object (Whoosh schemas are mutable, so never share one)."""
    analyzer = text_analyzer()
    return fields.Schema(
        id=fields.ID(unique=True, sortable=True),  # GitHub's repository id: stable across renames
        key=fields.ID(),  # lower-case full name, for look-ups by name
        fingerprint=fields.COLUMN(columns.VarBytesColumn()),
        values=fields.COLUMN(columns.VarBytesColumn()),  # see DocValuesRow
        name=fields.TEXT(analyzer=analyzer),
        topics=fields.TEXT(analyzer=analyzer),
        description=fields.TEXT(analyzer=analyzer),
        council=fields.TEXT(analyzer=analyzer),  # council name and owner handle
        language=fields.TEXT(analyzer=analyzer),
        readme=fields.TEXT(analyzer=analyzer),
        # Unstemmed words for "did you mean"; scorable, or Whoosh stats a file for every posting it writes.
        spell=fields.KEYWORD(scorable=True),
        record=fields.STORED(),
    )


def fingerprint(repo: Repository) -> str:
    """A short hash of everything in the record: equal fingerprints mean nothing to re-index."""
    return fingerprint_row(repository_row(repo))


def fingerprint_row(row: tuple[Any, ...]) -> str:
    """`fingerprint` of a record given in catalogue row form (see `repository_row`), so a row read
    straight from SQLite is fingerprinted without building a `Repository`."""
    # repr() of str, int and None is stable, and much cheaper than asdict() or JSON.
    payload = repr(row)
    return hashlib.blake2b(payload.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def pushed_timestamp(value: str | None) -> int:
    """`2024-01-31T12:00:00Z` -> seconds since 1970 (0 when unknown or unreadable)."""
    moment = parse_timestamp(value)
    return int(moment.timestamp()) if moment else 0


@dataclass(frozen=True)
class DocValuesRow:
    """What filters, facets, sorts and ranking need of one document, packed into the `values` column."""

    council: str
    owner: str
    license: str | None
    language: str | None
    topics: tuple[str, ...]
    flags: int  # ARCHIVED | FORK
    stars: int
    pushed: int  # seconds since 1970, 0 if unknown
    sort_name: str  # lower-case name, then full name, for the name sort
    lengths: tuple[int, ...] = ()  # words in each of SEARCH_FIELDS, for BM25F length normalisation
    reuse: int = 0  # checks of the reuse checklist passed (councilcode.reuse), for its sort and filter

    def pack(self) -> bytes:
        parts = [
            _clean(self.council),
            _clean(self.owner),
            _clean(self.license or ""),
            _clean(self.language or ""),
            ITEM.join(_clean(t) for t in self.topics),
            str(self.flags),
            str(self.stars),
            str(self.pushed),
            _clean(self.sort_name),
            ITEM.join(str(n) for n in self.lengths),
            str(self.reuse),
        ]
        return UNIT.join(parts).encode("utf-8")


def parse_values(data: bytes) -> tuple:
    """The fields of a packed `DocValuesRow`, as a tuple in declaration order (fast: no object)."""
    council, owner, licence, language, topics, flags, stars, pushed, sort_name, lengths, reuse = data.decode(
        "utf-8"
    ).split(UNIT)
    return (
        council,
        owner,
        licence or None,
        language or None,
        tuple(topics.split(ITEM)) if topics else (),
        int(flags),
        int(stars),
        int(pushed),
        sort_name,
        tuple(int(n) for n in lengths.split(ITEM)) if lengths else (0,) * len(SEARCH_FIELDS),
        int(reuse),
    )


def _clean(text: str) -> str:
    return text.replace(UNIT, " ").replace(ITEM, " ")


_WORDS = re.compile(r"\w+")


def word_count(text: str) -> int:
    """Words in a field's text: its length for BM25F (close enough to the analysed token count)."""
    return len(_WORDS.findall(text))


def values_row(repo: Repository, lengths: tuple[int, ...] = (), reuse: int = 0) -> DocValuesRow:
    flags = (ARCHIVED if repo.archived else 0) | (FORK if repo.fork else 0) | (PUBLICCODE if repo.publiccode else 0)
    return DocValuesRow(
        council=repo.council,
        owner=repo.owner.lower(),
        license=repo.license,
        language=repo.language,
        topics=tuple(t.lower() for t in repo.topics if t),
        flags=flags,
        stars=int(repo.stars or 0),
        pushed=pushed_timestamp(repo.pushed_at),
        sort_name=f"{repo.name.lower()}\x00{repo.full_name.lower()}",
        lengths=lengths,
        reuse=reuse,
    )


def document(repo: Repository) -> dict[str, Any]:
    """The Whoosh document (keyword arguments of `add_document`) for one repository."""
    readme = readme_to_text(repo.readme, repo.readme_path)
    vocabulary = document_vocabulary(readme, repo.description)
    name_text = " ".join(name_words(repo.name, vocabulary))
    topics_text = " ".join(topic_words(repo.topics))
    owner_words = " ".join(split_identifier(repo.owner))
    # At index time, as the issue asks: "active in the last 12 months" is judged when the repository
    # is indexed (again after any change, or on `index --rebuild`).
    score = reuse_score(repo)
    record = {
        "id": repo.id,
        "full_name": repo.full_name,
        "owner": repo.owner,
        "name": repo.name,
        "name_text": name_text,
        "council": repo.council,
        "description": repo.description,
        "license": repo.license,
        "license_family": licence_family(repo.license),
        "language": repo.language,
        "topics": list(repo.topics),
        "stars": int(repo.stars or 0),
        "pushed_at": repo.pushed_at,
        "html_url": repo.html_url or f"https://github.com/{repo.full_name}",
        "archived": bool(repo.archived),
        "fork": bool(repo.fork),
        "readme_text": readme[:SNIPPET_CHARS],
        "reuse_score": score,
    }
    texts = {
        "name": name_text,
        "topics": topics_text,
        "description": repo.description or "",
        "council": f"{repo.council} {owner_words}",
        "language": repo.language or "",
        "readme": readme,
    }
    lengths = tuple(word_count(texts[field]) for field in SEARCH_FIELDS)
    return {
        "id": str(repo.id),
        "key": repo.full_name.lower(),
        "fingerprint": fingerprint(repo).encode("ascii"),
        "values": values_row(repo, lengths, score).pack(),
        **texts,
        "spell": spelling_words(name_text, topics_text, repo.description, readme),
        "record": record,
    }

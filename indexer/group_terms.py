"""The words that say what a repository *is*, for grouping similar work across councils.

Search wants every word a person might type; grouping wants only the words that tell one kind of
software from another. So README boilerplate (install, npm, run, licence, contributing...), stop
words and numbers are dropped, words are stemmed (components -> component), a few compounds are
joined (front end, front-end, frontend -> frontend) and adjacent pairs are kept as bigrams, which
carry most of the meaning ("alert banner", "design system", "open data").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from whoosh.lang.porter2 import stem

from crawler.models import Repository
from indexer.names import document_vocabulary, is_plain_word, segment, split_identifier, topic_words
from indexer.readme_text import readme_to_text

# A README's opening says what the project is; the rest is mostly how to install and run it.
README_WORDS = 400
LEAD_WORDS = 60  # the opening, counted as much as a description
# Field weights: a name or a description is a deliberate summary, a README word is one of hundreds.
FIELD_WEIGHTS = {"name": 2.0, "description": 2.0, "topics": 2.0, "readme": 1.0}
BIGRAM_SEPARATOR = " "
BIGRAM_WEIGHT = 1.0

_RAW_TOKEN = re.compile(r"[^\W_]+(?:['’][a-z]+)?|_+", re.UNICODE)

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing done down during each either else etc even ever every
    few for from further get gets got had has have having he her here hers him his how however i if in
    into is it its itself just let like made make makes many may me might more most much must my need
    needs no nor not now of off often on once one only or other others our ours out over own per please
    quite rather really same see seen she should since so some such than that the their theirs them then
    there these they this those though through thus to too under until up upon us use used uses using
    very via want was way we well were what when where whether which while who whom whose why will with
    within without would yet you your yours e.g i.e eg ie tbd
    """.split()
)

# Words every kind of council repository uses about itself, its tooling or its housekeeping: they
# say how a project is built or run, not what it is for.
BOILERPLATE = frozenset(
    """
    install installed installing installation installs npm yarn pnpm pip composer gem gems bundle bundler
    nuget run runs running runner start started starting launch setup set configure configured
    configuration config settings env environment environments variable variables local locally
    localhost dev develop developer developers development production prod staging deploy deployed
    deployment deployments build builds building built compile test tests testing tested unit
    lint linting readme repository repositories repo repos github gitlab git branch branches clone
    cloning fork commit commits merge pull push request requests issue issues pr prs release
    releases version versions versioning changelog licence license licenses licences licensed
    licensing copyright copyrights mit gpl apache warranty rights reserved crown contributing
    contribute contributor contributors contribution contributions maintainer maintainers
    maintained maintain conduct code codebase source project projects file files folder folders
    directory directories command commands line terminal shell console script scripts docker
    dockerfile compose container containers kubernetes makefile council councils borough county
    city district metropolitan london uk gov govuk government authority authorities
    team digital service services new example examples following follow step steps instructions
    note notes information info details detail documentation docs doc guide guides see read
    link links click page website site please thank thanks welcome feel free help support
    supported open source opensource work works working first next last latest current currently
    available able also ensure make sure simply simple easy quick quickly basic based use user's
    http https www com org net html md txt json yaml yml xml api apis app apps application
    applications web tool tools package packages dependencies
    dependency requirement requirements required require requires prerequisites software
    database server client
    provide provides provided providing contain contains containing contained include includes included
    including additional necessary add adds added adding create creates created creating allow allows
    allowed enable enables enabled disable disabled default defaults visit get getting copy show shows
    list type types name names section sections function functions implement implemented
    implementation top bug bugs security author authors feature features vote reaction reactions
    change changes changed update updates updated new old good better best high real value values
    process processing call calls called make making made ensure template templates host hosted
    hosting option options field fields key keys path paths root src dist lib bin usr tmp etc
    support overview introduction usage purpose intended aim aims goal goals various different
    within across around able help helps helpful thing things something way ways lot lots
    """.split()
)

# Two-letter words kept: they name things (UI, AI, HR); the rest are mostly fragments (js, os, db).
SHORT_WORDS = frozenset({"ui", "ux", "ai", "hr", "3d", "qr", "ev"})

# Pairs people write apart, hyphenated or joined: one form for all.
COMPOUNDS: dict[tuple[str, str], str] = {
    ("front", "end"): "frontend",
    ("back", "end"): "backend",
    ("local", "gov"): "localgov",
    ("web", "site"): "website",
    ("data", "set"): "dataset",
    ("data", "sets"): "datasets",
    ("style", "sheet"): "stylesheet",
    ("style", "sheets"): "stylesheets",
    ("work", "flow"): "workflow",
    ("geo", "json"): "geojson",
    ("dot", "net"): "dotnet",
}
_COMPOUND_FIRSTS = frozenset(first for first, _ in COMPOUNDS)

# Different names for the same kind of thing, rewritten to one so that they meet. Short and
# general on purpose, like the search synonyms (indexer/synonyms.py): only names councils use.
CONCEPTS: dict[tuple[str, ...], tuple[str, ...]] = {
    variant: ("design", "system")
    for variant in (
        ("design", "guide"),
        ("style", "guide"),
        ("styleguide",),
        ("style", "system"),
        ("pattern", "library"),
        ("component", "library"),
        ("components", "library"),
        ("ui", "kit"),
        ("ui", "library"),
        ("frontend", "toolkit"),
    )
}
_CONCEPT_FIRSTS = frozenset(variant[0] for variant in CONCEPTS)


@dataclass
class RepositoryTerms:
    """A repository's weighted terms (stems and stem bigrams) and how each was written."""

    weights: Counter[str] = field(default_factory=Counter)
    # stem or stem bigram -> Counter of the words as written, for readable labels
    surfaces: dict[str, Counter[str]] = field(default_factory=dict)


def words(text: str) -> list[str | None]:
    """Lower-case words of `text`, identifiers split, compounds joined; None marks a break
    (a stop word, boilerplate, a number or punctuation between sentences) that no bigram crosses."""
    out: list[str | None] = []
    for line in text.splitlines():
        raw: list[str] = []
        for token in _RAW_TOKEN.findall(line):
            if token.startswith("_"):
                continue
            parts = [token] if is_plain_word(token) else split_identifier(token)
            raw.extend(part.lower() for part in parts)
        for word in _rewrite(raw):
            if (len(word) < 3 and word not in SHORT_WORDS) or not word.isalpha() or word in STOP_WORDS:
                out.append(None)
            else:
                out.append(None if word in BOILERPLATE else word)
        out.append(None)
    return out


def _rewrite(raw: list[str]) -> list[str]:
    """Join compounds (front end -> frontend), then name concepts one way (style guide -> design system)."""
    joined: list[str] = []
    i = 0
    while i < len(raw):
        word = raw[i]
        if word in _COMPOUND_FIRSTS and i + 1 < len(raw) and (word, raw[i + 1]) in COMPOUNDS:
            word = COMPOUNDS[(word, raw[i + 1])]
            i += 1
        joined.append(word)
        i += 1
    out: list[str] = []
    i = 0
    while i < len(joined):
        word = joined[i]
        if word in _CONCEPT_FIRSTS:
            for length in (2, 1):
                concept = CONCEPTS.get(tuple(joined[i : i + length]))
                if concept:
                    out.extend(concept)
                    i += length
                    break
            else:
                out.append(word)
                i += 1
        else:
            out.append(word)
            i += 1
    return out


def _add(terms: RepositoryTerms, sequence: list[str | None], weight: float, bigrams: bool = True) -> None:
    previous: tuple[str, str] | None = None  # (stem, surface) of the word before, if it counts
    for word in sequence:
        if word is None:
            previous = None
            continue
        key = stem(word)
        terms.weights[key] += weight
        terms.surfaces.setdefault(key, Counter())[word] += 1
        if bigrams and previous is not None and previous[0] != key:
            pair = previous[0] + BIGRAM_SEPARATOR + key
            terms.weights[pair] += weight * BIGRAM_WEIGHT
            terms.surfaces.setdefault(pair, Counter())[previous[1] + " " + word] += 1
        previous = (key, word)


def name_parts(name: str, vocabulary: frozenset[str]) -> list[str]:
    """A repository name as words in order: `lbcamden-frontend` -> lb camden frontend."""
    parts: list[str] = []
    for part in split_identifier(name):
        lower = part.lower()
        parts.extend(segment(lower, vocabulary) or [lower])
    return parts


def _kept_prefix(sequence: list[str | None], limit: int) -> int:
    """How long the prefix of `sequence` holding its first `limit` words is."""
    kept = 0
    for i, word in enumerate(sequence):
        if word is not None:
            kept += 1
            if kept > limit:
                return i
    return len(sequence)


def readme_words(repo: Repository, limit: int | None = None) -> list[str | None]:
    """The first `limit` (default README_WORDS) kept words of the README as plain text, with breaks."""
    sequence = words(readme_to_text(repo.readme, repo.readme_path))
    return sequence[: _kept_prefix(sequence, README_WORDS if limit is None else limit)]


def repository_terms(repo: Repository) -> RepositoryTerms:
    """Weighted terms of a repository's name, description, topics and README opening."""
    terms = RepositoryTerms()
    readme = readme_words(repo)
    vocabulary = document_vocabulary(" ".join(w for w in readme if w), repo.description)
    _add(terms, words(" ".join(name_parts(repo.name, vocabulary))), FIELD_WEIGHTS["name"])
    if repo.description:
        _add(terms, words(repo.description), FIELD_WEIGHTS["description"])
    if repo.topics:
        _add(terms, words(" ".join(topic_words(repo.topics))), FIELD_WEIGHTS["topics"], bigrams=False)
    lead = _kept_prefix(readme, LEAD_WORDS)
    _add(terms, readme[:lead], FIELD_WEIGHTS["description"])
    _add(terms, readme[lead:], FIELD_WEIGHTS["readme"])
    return terms


def most_common_surface(surfaces: Iterable[Counter[str]]) -> str:
    """The spelling used most often across repositories."""
    total: Counter[str] = Counter()
    for counter in surfaces:
        total.update(counter)
    return total.most_common(1)[0][0] if total else ""

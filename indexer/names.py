"""Repository names and identifiers split into the words a person would type.

`can-I-recycle-it` -> can i recycle it, `GIFramework-Maps` -> gi framework maps,
`csv2geojson` -> csv 2 geojson, and run-together lower-case names (`schoolclosures`,
`ratemyplace`) split with a vocabulary when that explains almost all of the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from councilcode.indexer.vocabulary import BASE_WORDS

# One alphanumeric run at a time (underscores, hyphens and dots separate runs).
_RUN = re.compile(r"[^\W_]+")
# Inside a run: an upper-case acronym before a capitalised word (GI|Framework), a capitalised or
# lower-case word, an acronym, digits, or any other letters (scripts without case).
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de"
_LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff"
_PART = re.compile(rf"[{_UPPER}]+(?=[{_UPPER}][{_LOWER}])|[{_UPPER}]?[{_LOWER}]+|[{_UPPER}]+|\d+|[^\W\d_]+")
_WORD = re.compile(r"[a-z]{2,}")

_MIN_SEGMENT_LENGTH = 5  # shorter names are acronyms or words more often than compounds
_MAX_SEGMENT_LENGTH = 40
_MIN_END_ACRONYM = 5  # letters: a shorter unknown piece at the end of a name is an inflection (-s, -ies, -ions)


def is_plain_word(text: str) -> bool:
    """True for a word with nothing to split (`gritting`, `Dorset`, `GIS`): the common, fast case."""
    return text.isalpha() and (text.islower() or text.istitle() or text.isupper())


def split_identifier(text: str) -> list[str]:
    """Split an identifier on punctuation, case changes and letter/digit changes (case kept)."""
    parts: list[str] = []
    for run in _RUN.findall(text):
        parts.extend(_PART.findall(run))
    return parts


def segment(word: str, vocabulary: frozenset[str] | set[str]) -> list[str] | None:
    """Split a run-together lower-case word into vocabulary words, or None if it does not split well.

    Dynamic programming over split points: a known word costs 1, an unknown piece 2 + its length,
    so the cheapest split uses the fewest, longest known words. A split is kept only when unknown
    letters are at most a third of the word, in one piece at either end (`bhbudget` -> bh budget,
    but not `occlss`).
    """
    n = len(word)
    if n < _MIN_SEGMENT_LENGTH or n > _MAX_SEGMENT_LENGTH or not word.isalpha() or word in BASE_WORDS:
        return None
    best: list[tuple[float, list[str], int]] = [(0.0, [], 0)] + [(float("inf"), [], 0)] * n
    for end in range(1, n + 1):
        for start in range(max(0, end - 20), end):
            piece = word[start:end]
            # The word itself does not count: a README that repeats its repository's name
            # (`# Ratemyplace`) must not stop the name splitting.
            known = piece != word and _known(piece, vocabulary)
            cost = 1.0 if known else 2.0 + len(piece)
            total = best[start][0] + cost
            if total < best[end][0]:
                unknown = best[start][2] + (0 if known else len(piece))
                best[end] = (total, [*best[start][1], piece], unknown)
    _, pieces, unknown = best[n]
    if len(pieces) < 2 or unknown * 3 > n:
        return None
    # An unknown piece is an acronym at either end (bh|budget, lb|camden), never glue in the middle.
    strays = [i for i, piece in enumerate(pieces) if piece == word or not _known(piece, vocabulary)]
    if len(strays) > 1 or (strays and strays[0] not in (0, len(pieces) - 1)):
        return None
    # A short stray piece at the end is an inflection of a word that was whole (redirect|s,
    # deploy|me|nt, direct|or|ies), not an acronym; nor is a lone letter at the start (g|it|hub).
    if strays and (
        len(pieces[strays[0]]) == 1 or (strays[0] == len(pieces) - 1 and len(pieces[-1]) < _MIN_END_ACRONYM)
    ):
        return None
    return pieces


def _known(piece: str, vocabulary: frozenset[str] | set[str]) -> bool:
    return piece in vocabulary and (len(piece) > 1 or piece in ("a", "i"))


def document_vocabulary(*texts: str | None) -> frozenset[str]:
    """The base words plus the words of a repository's own text (its README names its parts)."""
    words = set(BASE_WORDS)
    for text in texts:
        if text:
            words.update(_WORD.findall(text.lower()))
    return frozenset(words)


def name_words(name: str, vocabulary: frozenset[str] | set[str] = BASE_WORDS) -> list[str]:
    """The words of a repository name, lower case, for the index.

    Keeps the whole name too (`csv2geojson`, `ratemyplace`) so typing it exactly still matches.
    """
    words: list[str] = []
    for part in split_identifier(name):
        lower = part.lower()
        words.append(lower)
        pieces = segment(lower, vocabulary)
        if pieces:
            words.extend(pieces)
    whole = "".join(_RUN.findall(name)).lower()
    if whole and whole not in words:
        words.append(whole)
    return _dedupe(words)


def topic_words(topics: Iterable[str]) -> list[str]:
    """GitHub topics as words: `road-gritting` -> road gritting."""
    return _dedupe([part.lower() for topic in topics for part in split_identifier(topic)])


def _dedupe(words: list[str]) -> list[str]:
    return list(dict.fromkeys(words))

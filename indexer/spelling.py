""" "Did you mean": corrections of query words the index does not know, from the words it does.

The dictionary is the index's `spell` field (unstemmed words of names, topics, descriptions and
READMEs). Candidates come from Whoosh's `terms_within` (a Levenshtein automaton over the terms);
the nearest wins, then the one in most repositories.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping, Sequence

from whoosh.analysis import STOP_WORDS
from whoosh.reading import IndexReader
from whoosh.spelling import Corrector

from councilcode.indexer.vocabulary import BASE_WORDS

SPELL_FIELD = "spell"
MIN_LENGTH = 3  # shorter words are acronyms more often than typos
MAX_REMEMBERED = 20_000  # corrections kept per index version (forgotten all at once beyond)


class IndexCorrector(Corrector):
    """A Whoosh corrector over the `spell` field ranking by edit distance, then document frequency.

    (Whoosh's own ReaderCorrector ranks every candidate within the maximum distance by frequency
    alone, so `colection` could become a common word two edits away rather than `collection`.)
    """

    def __init__(self, reader: IndexReader, fieldname: str = SPELL_FIELD) -> None:
        self.reader = reader
        self.fieldname = fieldname

    def _suggestions(self, text: str, maxdist: int, prefix: int) -> Iterator[tuple[float, str]]:
        for candidate in self.reader.terms_within(self.fieldname, text, maxdist, prefix=prefix):
            if candidate == text:
                continue
            frequency = self.reader.doc_frequency(self.fieldname, candidate)
            # Higher is better: distance first, frequency (squashed below 1) breaks ties.
            yield (-edit_distance(text, candidate) + frequency / (frequency + 1.0), candidate)


def suggest(
    reader: IndexReader,
    text: str,
    words: Sequence[str],
    corrections: MutableMapping[str, str | None] | None = None,
) -> str | None:
    """`text` with each word unknown to the index replaced by its best correction; None if none.

    `corrections`, when given, remembers each word's correction (or None) for this reader: the
    Levenshtein search over the term dictionary costs milliseconds, and the same words come back.
    """
    if reader.doc_count() == 0:
        return None
    replacements: dict[str, str] = {}
    for word in dict.fromkeys(words):
        if corrections is not None and word in corrections:
            found = corrections[word]
        else:
            found = _correction(reader, word)
            if corrections is not None:
                if len(corrections) >= MAX_REMEMBERED:
                    corrections.clear()
                corrections[word] = found
        if found:
            replacements[word] = found
    if not replacements:
        return None
    pattern = re.compile(r"(?<![^\W_])(" + "|".join(map(re.escape, replacements)) + r")(?![^\W_])", re.IGNORECASE)
    return pattern.sub(lambda m: replacements[m.group(0).lower()], text)


def _correction(reader: IndexReader, word: str) -> str | None:
    """The best correction of `word`, or None when it needs none (or there is none)."""
    if len(word) < MIN_LENGTH or word in STOP_WORDS or not word.isalpha():
        return None
    # A word the index has, or a real word it lacks (`collection`), is no typo.
    if word in BASE_WORDS or reader.doc_frequency(SPELL_FIELD, word):
        return None
    maxdist = 1 if len(word) <= 4 else 2
    found = IndexCorrector(reader).suggest(word, limit=1, maxdist=maxdist, prefix=1)
    return found[0] if found else None


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count as one edit)."""
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        previous_previous, previous = previous, current
    return previous[-1]

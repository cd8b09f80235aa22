"""Whoosh analysers: English stemming with identifiers split into words.

`School_closures.php`, `LocalGovDrupal` and `csv2geojson` are how council READMEs name things;
the words inside them should match a person's query, and the whole identifier should too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh.analysis import STOP_WORDS, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token
from whoosh.analysis.analyzers import Analyzer
from whoosh.lang.porter2 import stem

from councilcode.indexer.names import is_plain_word, split_identifier

# Words, plus single-letter pairs such as `A-Z` (councils' index of services), kept whole.
_TOKEN_PATTERN = r"(?<![\w-])[^\W\d_]-[^\W\d_](?![\w-])|\w+"
_TOKEN = re.compile(_TOKEN_PATTERN)


class IdentifierSplitFilter(Filter):
    """Yields the parts of a token split on case, digit and underscore changes, then the whole token.

    Positions move on by one per part, so `school closures` still matches `School_closures` as a phrase.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdentifierSplitFilter)

    def __hash__(self) -> int:
        return hash(IdentifierSplitFilter)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for token in tokens:
            if token.positions:
                token.pos += shift
            text = token.text
            if is_plain_word(text):  # most of any text: nothing to split
                yield token
                continue
            parts = split_identifier(text)
            if len(parts) <= 1:
                yield token
                continue
            first = token.pos if token.positions else 0
            for i, part in enumerate(parts):
                token.text = part
                if token.positions:
                    token.pos = first + i
                yield token
            token.text = text  # the whole identifier, at the position of its last part
            yield token
            shift += len(parts) - 1


def text_analyzer() -> Analyzer:
    """The analyser of every searchable text field: split, lower-case, drop stop words, stem."""
    return (
        RegexTokenizer(_TOKEN_PATTERN)
        | IdentifierSplitFilter()
        | LowercaseFilter()
        | StopFilter(minsize=2, renumber=False)
        # Porter2 (Snowball English), not Whoosh's default Porter: that one leaves `recycle` and
        # `cycle` unstemmed, so they never meet `recycling` and `cycling`.
        | StemFilter(stemfn=stem, cachesize=100_000)
    )


def spelling_words(*texts: str | None) -> str:
    """The distinct unstemmed words of some texts, space-separated: what "did you mean" may suggest.

    Worked out here rather than by an analyser because each word is needed once per document, not
    once per occurrence, which keeps indexing fast.
    """
    words: set[str] = set()
    for text in texts:
        if not text:
            continue
        for token in set(_TOKEN.findall(text)):
            parts = [token] if is_plain_word(token) else [token, *split_identifier(token)]
            for part in parts:
                lower = part.lower()
                if len(lower) >= 3 and lower.isalpha() and lower not in STOP_WORDS:
                    words.add(lower)
    return " ".join(sorted(words))

"""Whoosh analysers: English stemming with identifiers split into words.

`School_closures.php`, `LocalGovDrupal` and `csv2geojson` are how council READMEs name things;
the words inside them should match a person's query, and the whole identifier should too.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token
from whoosh.analysis.analyzers import Analyzer

from indexer.names import split_identifier

_TOKEN_PATTERN = r"\w+"


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
            parts = split_identifier(token.text)
            if len(parts) <= 1:
                yield token
                continue
            whole, first = token.text, token.pos if token.positions else 0
            for i, part in enumerate(parts):
                token.text = part
                if token.positions:
                    token.pos = first + i
                yield token
            token.text = whole  # same position as the last part
            yield token
            shift += len(parts) - 1


def text_analyzer() -> Analyzer:
    """The analyser of every searchable text field: split, lower-case, drop stop words, stem (Porter)."""
    return (
        RegexTokenizer(_TOKEN_PATTERN)
        | IdentifierSplitFilter()
        | LowercaseFilter()
        | StopFilter(minsize=2, renumber=False)
        | StemFilter(cachesize=100_000)
    )


def spelling_analyzer() -> Analyzer:
    """Like `text_analyzer` without stemming: the words that "did you mean" may suggest."""
    return (
        RegexTokenizer(_TOKEN_PATTERN)
        | IdentifierSplitFilter()
        | LowercaseFilter()
        | StopFilter(minsize=3, renumber=False)
    )

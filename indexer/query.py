"""What a person types in the search box, as a Whoosh query that never fails.

Plain words (almost every query) become one group of terms per word, each searched in every
weighted field, with synonyms at a lower weight (a word's own, those of a known phrase it is part
of, and the initials of four or more words as an acronym); ranking (indexer.ranking) then rewards
documents that match more of the words, and the words together as a phrase.
Text using query syntax (`"open data"`, `maps AND NOT drupal`, `language:python`, `recycl*`)
goes through Whoosh's parser. Broken syntax (an unbalanced quote or bracket, a lone `AND`,
`field:` with nothing after it) is searched as its plain words instead of raising an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.analysis.analyzers import Analyzer
from whoosh.fields import Schema
from whoosh.qparser import MultifieldParser, OrGroup, RangePlugin, SingleQuotePlugin
from whoosh.reading import IndexReader

from councilcode.indexer.schema import FIELD_BOOSTS, SEARCH_FIELDS
from councilcode.indexer.synonyms import (
    PHRASE_SYNONYM_WEIGHT,
    SYNONYM_WEIGHT,
    SYNONYMS,
    normalise_phrases,
    phrases,
    synonyms,
)

OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
COMPOUND_SEPARATOR = " "  # joins the stems of a several-word alternative; no stem has a space
# A several-word alternative is found where its stems come in order, each at most this many positions
# after the last: stop words keep their positions in the index (`coding in the open` is `code` at 0
# and `open` at 3), and a word or two between (`salt spreading` in "salt and grit spreading") is
# still the name; its words scattered over a README are not.
NEAR = 3
ACRONYM_WORDS = 4  # words typed, at least, whose initials are looked for as an acronym
MIN_WILDCARD_PREFIX = 3  # `a*` would expand to thousands of terms; `rec*` is what people mean


_TOKEN = re.compile(r'"|\(|\)|[^\s"()]+')
_WORD = re.compile(r"[\w-]+")
_SPELL_WORD = re.compile(r"[^\W\d_]+")
_EMPTY_FIELD = re.compile(r"^\w+:$")
_SYNTAX = re.compile(r'["()*^]|\w:|(?<!\S)(?:AND|OR|NOT|ANDNOT|ANDMAYBE)(?!\S)')


@dataclass(frozen=True)
class ParsedQuery:
    """A user's query, ready to search."""

    text: str
    query: wq.Query | None  # None: nothing typed, so browse everything
    plain: bool  # True when broken syntax made us search the plain words
    words: tuple[str, ...]  # what was typed, lower case and unstemmed (for "did you mean")
    terms: frozenset[str]  # stemmed terms the query looks for (for snippets)
    # Plain-word queries only (empty for query syntax): per word typed, its stems (weight 1) and
    # its synonyms' stems (SYNONYM_WEIGHT). Ranking sums them and rewards matching more words.
    groups: tuple[dict[str, float], ...] = ()
    sequence: tuple[str, ...] = ()  # the words typed that have stems, in order, for the phrase bonus

    @property
    def empty(self) -> bool:
        return self.query is None


class QueryBuilder:
    """Turns search box text into a `ParsedQuery` for one schema."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.analyzer: Analyzer = schema["readme"].analyzer  # every search field shares it
        self.parser = MultifieldParser(list(SEARCH_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=OrGroup)
        # Ranges over every field expand to huge term lists; single quotes break on apostrophes (can't).
        self.parser.remove_plugin_class(RangePlugin)
        self.parser.remove_plugin_class(SingleQuotePlugin)
        # Multi-word names and their other words, both as stems: the phrase is recognised by its
        # stems wherever a query has them in a row.
        self.phrases: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        for phrase, others in phrases().items():
            stems = tuple(self._analyse(phrase))
            if len(stems) >= 2:
                alternatives = tuple(term for other in others for term in self._alternative_terms(other))
                self.phrases.append((stems, alternatives))

    def compound_terms(self) -> list[str]:
        """Every name of several words the vocabulary may search for, as the compound term a query
        would hold: the costliest alternatives to find (their words together, indexer.ranking), so
        worth finding before anyone searches."""
        terms = {
            term: None for names in SYNONYMS.values() for other in names for term in self._alternative_terms(other)
        }
        terms.update((term, None) for _, alternatives in self.phrases for term in alternatives)
        return [term for term in terms if COMPOUND_SEPARATOR in term]

    def parse(self, text: str | None) -> ParsedQuery:
        """Parse `text`; never raises. Empty text (or only `*`) means browse everything."""
        text = (text or "").strip()
        words = tuple(w for w in _SPELL_WORD.findall(text.lower()) if w.upper() not in OPERATORS)
        # `?` is a one-letter wildcard to Whoosh but a question mark to people ("bin collection?").
        cleaned = _tame_wildcards(normalise_phrases(text).replace("?", " "))
        if not cleaned.replace("*", "").strip():
            return ParsedQuery(text=text, query=None, plain=False, words=(), terms=frozenset())
        if not _SYNTAX.search(cleaned):
            return self._words_query(text, cleaned, words, plain=False)
        if not is_well_formed(cleaned):
            return self._words_query(text, plain_words(cleaned), words, plain=True)
        try:
            parsed = self.parser.parse(cleaned).normalize()
        except Exception:  # Whoosh's parser is lenient, but a crash must still not reach the user
            return self._words_query(text, plain_words(cleaned), words, plain=True)
        return ParsedQuery(text=text, query=parsed, plain=False, words=words, terms=_terms(parsed))

    def _analyse(self, text: str) -> list[str]:
        return [token.text for token in self.analyzer(text)]

    def _alternative_terms(self, other: str) -> list[str]:
        """The search terms of another word for something: its stems, or for several words (`salt
        spreading`) one compound term of their stems joined by spaces, which a document matches only
        with every one of them (indexer.ranking), so `salt` alone (a cryptographic salt) does not."""
        stems = self._analyse(other)
        if len(other.split()) >= 2 and len(stems) >= 2:
            return [COMPOUND_SEPARATOR.join(stems)]
        return stems

    def _add_phrase_synonyms(self, groups: list[dict[str, float]]) -> None:
        """Where the stems of a known phrase follow one another across the words' groups, give
        each of those groups the phrase's other words (at PHRASE_SYNONYM_WEIGHT)."""
        stems = [(stem, i) for i, group in enumerate(groups) for stem, weight in group.items() if weight >= 1.0]
        sequence = [stem for stem, _ in stems]
        for phrase, alternatives in self.phrases:
            n = len(phrase)
            for start in range(len(sequence) - n + 1):
                if tuple(sequence[start : start + n]) == phrase:
                    for i in {index for _, index in stems[start : start + n]}:
                        for stem in alternatives:
                            # A phrase's other name outweighs the same word as one word's synonym.
                            groups[i][stem] = max(groups[i].get(stem, 0.0), PHRASE_SYNONYM_WEIGHT)

    def _add_acronym(self, groups: list[dict[str, float]], sequence: list[str]) -> None:
        """Four or more words may spell out an acronym the README uses instead (`joint strategic
        needs assessment`: JSNA): their initials are a synonym of each. Fewer words make
        initials that are too often something else (`salt spreading lorries`: SSL)."""
        if len(sequence) < ACRONYM_WORDS:
            return
        for stem in self._analyse("".join(word[0] for word in sequence)):
            for group in groups:
                group.setdefault(stem, SYNONYM_WEIGHT)

    def _words_query(self, text: str, words_text: str, words: tuple[str, ...], plain: bool) -> ParsedQuery:
        groups: list[dict[str, float]] = []
        sequence: list[str] = []
        for word in words_text.split():
            stems = self._analyse(word)
            if not stems:
                continue  # a stop word
            sequence.append(word.lower())
            group = dict.fromkeys(stems, 1.0)
            for other in synonyms(word):
                for term in self._alternative_terms(other):
                    group.setdefault(term, SYNONYM_WEIGHT)
            groups.append(group)
        self._add_phrase_synonyms(groups)
        self._add_acronym(groups, sequence)
        if not groups:
            return ParsedQuery(text=text, query=wq.NullQuery, plain=plain, words=words, terms=frozenset())
        # The same query for Whoosh, for anything that wants one (and as the results cache's key);
        # ranking uses `groups`. A compound alternative needs its words together in one field.
        query = wq.Or(
            [
                _field_query(field, term, FIELD_BOOSTS[field] * weight)
                for group in groups
                for term, weight in group.items()
                for field in SEARCH_FIELDS
            ]
        )
        terms = frozenset(stem for group in groups for term in group for stem in compound_parts(term))
        return ParsedQuery(
            text=text,
            query=query,
            plain=plain,
            words=words,
            terms=terms,
            groups=tuple(groups),
            sequence=tuple(sequence),
        )


def compound_parts(term: str) -> list[str]:
    """The stems of a group's term: one, or several for a compound alternative."""
    return term.split(COMPOUND_SEPARATOR)


def _field_query(field: str, term: str, boost: float) -> wq.Query:
    parts = compound_parts(term)
    if len(parts) == 1:
        return wq.Term(field, term, boost=boost)
    return wq.Phrase(field, parts, slop=NEAR, boost=boost)


def plain_words(text: str) -> str:
    """The words of `text` with every bit of query syntax taken out."""
    return " ".join(w for w in _WORD.findall(text.replace("_", " ")) if w.strip("-") and w not in OPERATORS)


def is_well_formed(text: str) -> bool:
    """True unless quotes or brackets are unbalanced, an operator lacks an operand, or a `field:`
    has no value."""
    tokens = _TOKEN.findall(text)
    if tokens.count('"') % 2:
        return False
    depth = 0
    previous = None  # kind of the token before, outside quotes: None, "(", "operator" or "word"
    quoted = False
    for token in tokens:
        if token == '"':
            quoted = not quoted
            previous = "word"
        elif quoted:
            continue
        elif token == "(":
            depth += 1
            previous = "("
        elif token == ")":
            if depth == 0 or previous in ("(", "operator"):
                return False
            depth -= 1
            previous = "word"
        elif token in OPERATORS:
            # NOT may start a query or follow another operator (`maps AND NOT drupal`); others need a word.
            if token != "NOT" and previous != "word":
                return False
            previous = "operator"
        elif _EMPTY_FIELD.match(token):
            return False
        else:
            previous = "word"
    return depth == 0 and previous not in ("operator", "(")


def _tame_wildcards(text: str) -> str:
    def tame(token: str) -> str:
        if "*" not in token:
            return token
        prefix = token.split("*", 1)[0].rsplit(":", 1)[-1].lstrip('"(')
        return token.replace("*", "") if len(prefix) < MIN_WILDCARD_PREFIX else token

    return " ".join(tame(t) for t in text.split())


def positive_terms(parsed: wq.Query, reader: IndexReader, limit: int = 64) -> list[str]:
    """Distinct term texts a query looks for (wildcards expanded), leaving out what it excludes."""
    found: dict[str, None] = {}

    def walk(q: wq.Query) -> None:
        if len(found) >= limit or isinstance(q, wq.Not):
            return
        if isinstance(q, wq.AndNot):
            walk(q.a)
            return
        if q.is_leaf():
            for _field, term in q.existing_terms(reader, expand=True):
                found.setdefault(term.decode("utf-8") if isinstance(term, bytes) else str(term), None)
            return
        for child in q.children():
            walk(child)

    walk(parsed)
    return list(found)[:limit]


def _terms(parsed: wq.Query) -> frozenset[str]:
    terms = set()
    for _field, term in parsed.iter_all_terms():
        terms.add(term.decode("utf-8") if isinstance(term, bytes) else str(term))
    for leaf in parsed.leaves():
        if isinstance(leaf, (wq.Prefix, wq.Wildcard)):
            prefix = leaf.text.split("*", 1)[0].split("?", 1)[0]
            if prefix:
                terms.add(prefix.lower())
    return frozenset(terms)

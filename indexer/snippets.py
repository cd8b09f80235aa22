"""Short extracts of a repository's description and README around the words a query matched.

A word matches when it starts with one of the query's stems (`recycl` marks recycle, recycling,
recycled), which is what the stemmed index matched; very short stems must match (nearly) whole.
Words are found with `str.find` on lower-cased text rather than one big case-insensitive regular
expression: a README of 20,000 characters then costs tens of microseconds, not a millisecond.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

WIDTH = 240  # characters of text in a snippet
LEAD = 60  # characters shown before the first matched word
SCAN_CHARS = 20_000
_SHORT_STEM = 4
_SHORT_SUFFIXES = frozenset({"", "s", "es", "ed", "ing", "er", "ers", "d"})
_DOUBLED_SUFFIXES = frozenset({"ed", "ing", "er", "ers", "y"})
_WORD_REST = re.compile(r"[^\W_]*")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippet:
    text: str  # plain text
    html: str  # HTML-escaped, matched words in <mark>…</mark>


@dataclass(frozen=True)
class Terms:
    """Stemmed, lower-case query terms to find as word beginnings."""

    stems: tuple[str, ...]

    @classmethod
    def of(cls, terms: Iterable[str]) -> Terms | None:
        stems = tuple(sorted({t.lower() for t in terms if t and t.strip()}, key=len, reverse=True))
        return cls(stems) if stems else None

    def find(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each matching word in `text`, in order, not overlapping."""
        lower = text.lower()
        if len(lower) != len(text):  # a few characters change length when lower-cased
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        found = []
        for stem in self.stems:
            at = lower.find(stem)
            while at != -1:
                if at == 0 or not _is_word_char(lower[at - 1]):
                    end = _WORD_REST.match(lower, at + len(stem)).end()
                    if len(stem) >= _SHORT_STEM or _short_suffix(stem, lower[at + len(stem) : end]):
                        found.append((at, end))
                at = lower.find(stem, at + 1)
        found.sort()
        words, last_end = [], -1
        for start, end in found:
            if start >= last_end:
                words.append((start, end))
                last_end = end
        return words


def _short_suffix(stem: str, suffix: str) -> bool:
    # `map` marks maps, mapped and mapping (doubled consonant), but not maple.
    if suffix in _SHORT_SUFFIXES:
        return True
    return suffix[:1] == stem[-1:] and suffix[1:] in _DOUBLED_SUFFIXES


def _is_word_char(char: str) -> bool:
    return char.isalnum()


def make_snippet(texts: Iterable[str | None], terms: Terms | None, width: int = WIDTH) -> Snippet:
    """The best window of the first text with a match (the most distinct words matched), or the start
    of the first non-empty text when nothing matches."""
    return snippet_of(prepare_texts(texts), terms, width)


def prepare_texts(texts: Iterable[str | None]) -> tuple[str, ...]:
    """The texts a snippet is cut from, with runs of white space made single spaces: the same for
    every query, so a caller may keep them per document and pass them to `snippet_of`."""
    return tuple(_SPACES.sub(" ", t[:SCAN_CHARS]).strip() for t in texts if t and t.strip())


def snippet_of(candidates: tuple[str, ...], terms: Terms | None, width: int = WIDTH) -> Snippet:
    """`make_snippet` over texts already passed through `prepare_texts`."""
    if not candidates:
        return Snippet("", "")
    if terms is not None:
        for text in candidates:
            words = terms.find(text)
            if words:
                return _render(text, _best_window(text, words, width), words)
    first = candidates[0]
    return _render(first, (0, _cut_end(first, min(len(first), width))), [])


def _best_window(text: str, words: list[tuple[int, int]], width: int) -> tuple[int, int]:
    # Slide a window over the matches; keep the one with the most distinct matched words.
    span = width - LEAD
    matches = [(start, text[start:end].lower()) for start, end in words]
    counts: Counter[str] = Counter()
    best_start, best_score, ahead = matches[0][0], 0, 0
    for start, word in matches:
        while ahead < len(matches) and matches[ahead][0] < start + span:
            counts[matches[ahead][1]] += 1
            ahead += 1
        if len(counts) > best_score:
            best_start, best_score = start, len(counts)
        counts[word] -= 1
        if not counts[word]:
            del counts[word]
    start = _cut_start(text, max(0, best_start - LEAD))
    end = _cut_end(text, min(len(text), start + width))
    return start, end


def _cut_start(text: str, position: int) -> int:
    if position == 0:
        return 0
    space = text.find(" ", position)
    return space + 1 if 0 <= space < position + 20 else position


def _cut_end(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    space = text.rfind(" ", 0, position)
    return space if space > position - 20 else position


def _render(text: str, window: tuple[int, int], words: list[tuple[int, int]]) -> Snippet:
    start, end = window
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    before = "… " if start > 0 else ""
    after = " …" if end < len(text) else ""
    plain = f"{before}{text[start:end]}{after}"
    pieces, last = [html.escape(before, quote=False)], start
    for word_start, word_end in words:
        if word_start < start or word_end > end:
            continue
        pieces.append(html.escape(text[last:word_start], quote=False))
        pieces.append(f"<mark>{html.escape(text[word_start:word_end], quote=False)}</mark>")
        last = word_end
    pieces.append(html.escape(text[last:end], quote=False))
    pieces.append(html.escape(after, quote=False))
    return Snippet(plain, "".join(pieces))

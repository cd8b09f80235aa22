"""Short extracts of a repository's description and README around the words a query matched.

A word matches when it starts with one of the query's stems (`recycl` marks recycle, recycling,
recycled), which is what the stemmed index matched; very short stems must match (nearly) whole.
One compiled regular expression does the scanning, so snippets cost little per hit.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

WIDTH = 240  # characters of text in a snippet
LEAD = 60  # characters shown before the first matched word
_SCAN_CHARS = 20_000
_SHORT_STEM = 4
_SHORT_SUFFIXES = "(?:s|es|ed|ing|er|ers|d)?"


@dataclass(frozen=True)
class Snippet:
    text: str  # plain text
    html: str  # HTML-escaped, matched words in <mark>…</mark>


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """A regex matching words that begin with any of the (stemmed, lower-case) `terms`."""
    alternatives = []
    for term in sorted({t.lower() for t in terms if t and t.strip()}, key=len, reverse=True):
        escaped = re.escape(term)
        if len(term) < _SHORT_STEM:
            alternatives.append(rf"{escaped}{_SHORT_SUFFIXES}(?![^\W_])")
        else:
            alternatives.append(rf"{escaped}[^\W_]*")
    if not alternatives:
        return None
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)})", re.IGNORECASE)


def make_snippet(texts: Iterable[str | None], pattern: re.Pattern[str] | None, width: int = WIDTH) -> Snippet:
    """The best window of the first text with a match (the most distinct words matched), or the start
    of the first non-empty text when nothing matches."""
    candidates = [_flatten(t) for t in texts if t and t.strip()]
    if not candidates:
        return Snippet("", "")
    if pattern is not None:
        for text in candidates:
            window = _best_window(text, pattern, width)
            if window is not None:
                return _render(text, window, pattern)
    first = candidates[0]
    return _render(first, (0, _cut_end(first, min(len(first), width))), None)


def _flatten(text: str) -> str:
    return re.sub(r"\s+", " ", text[:_SCAN_CHARS]).strip()


def _best_window(text: str, pattern: re.Pattern[str], width: int) -> tuple[int, int] | None:
    matches = [(m.start(), m.group(0).lower()) for m in pattern.finditer(text)]
    if not matches:
        return None
    # Slide a window over the matches; keep the one with the most distinct matched words.
    span = width - LEAD
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


def _render(text: str, window: tuple[int, int], pattern: re.Pattern[str] | None) -> Snippet:
    start, end = window
    body = text[start:end].strip()
    before = "… " if start > 0 else ""
    after = " …" if end < len(text) else ""
    plain = f"{before}{body}{after}"
    if pattern is None:
        return Snippet(plain, html.escape(plain, quote=False))
    pieces, last = [], 0
    for match in pattern.finditer(body):
        pieces.append(html.escape(body[last : match.start()], quote=False))
        pieces.append(f"<mark>{html.escape(match.group(0), quote=False)}</mark>")
        last = match.end()
    pieces.append(html.escape(body[last:], quote=False))
    return Snippet(plain, html.escape(before, quote=False) + "".join(pieces) + html.escape(after, quote=False))

"""RDoc markup, the README format of many Ruby projects, read into blocks and inline spans.

The indexer keeps the words of this structure and the viewer renders it as HTML, so both read a
README.rdoc the same way. No maintained Python package reads RDoc, hence this reader; it covers
what READMEs use: headings (`=` to `======`), paragraphs, rules (`---`), verbatim (indented) text,
bullet (`*`, `-`), numbered (`1.`), lettered (`a.`) and labelled (`[label]`, `label::`) list items,
`*bold*`, `_emphasis_`, `+code+` and their tag forms (`<b>`, `<em>`, `<i>`, `<tt>`, `<code>`), links
(`{some words}[url]`, `word[url]`, bare URLs) and backslash escapes. Nested lists come out flat.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "verbatim", "rule"]
ListKind = Literal["", "bullet", "number", "letter", "label"]
Style = Literal["", "bold", "em", "code"]


@dataclass(frozen=True)
class Block:
    """One block of a README. `text` still holds its inline markup (see `spans`), except that of a
    verbatim block, which is the text as written less its common indentation."""

    kind: BlockKind
    text: str = ""
    level: int = 0  # of a heading, 1 to 6
    list: ListKind = ""  # of an item
    label: str = ""  # of a labelled item, with its inline markup


@dataclass(frozen=True)
class Span:
    """A run of text in one style; `url` is a link's target as written (`link:`, `rdoc-ref:` and all)."""

    text: str
    style: Style = ""
    url: str | None = None


_HEADING = re.compile(r"=+")
_RULE = re.compile(r"-{3,}\s*")
_ITEM = re.compile(
    r"(?P<indent>\s*)"
    r"(?:(?P<bullet>[*-])|(?P<number>\d+\.)|(?P<letter>[a-zA-Z]\.)|\[(?P<label>[^\]]+)\]|(?P<note>\S+)::)"
    r"\s+"
)


def blocks(source: str) -> list[Block]:
    """The blocks of an RDoc document, in order."""
    found: list[Block] = []
    kind: BlockKind | None = None  # of the paragraph or item being read
    parts: list[str] = []
    item: dict = {}
    item_column = 0  # where the text of the item being read starts: its continuation lines line up there
    verbatim: list[str] = []

    def finish_text() -> None:
        nonlocal kind, parts
        if kind is not None:
            found.append(Block(kind, " ".join(parts), **item))
        kind, parts = None, []

    def finish_verbatim() -> None:
        text = textwrap.dedent("\n".join(verbatim)).strip("\n")
        if text.strip():
            found.append(Block("verbatim", text))
        verbatim.clear()

    for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        indented = line[:1] in (" ", "\t")
        if verbatim:
            # A verbatim block runs on over blank lines for as long as the lines are indented.
            if not stripped or indented:
                verbatim.append(line)
                continue
            finish_verbatim()
        if not stripped:
            finish_text()
            continue
        listed = _ITEM.match(line)
        if indented and not listed:
            indent = len(line) - len(line.lstrip())
            if kind == "item" and indent <= item_column:
                parts.append(stripped)  # an item's text, carried on to the next line
            else:
                finish_text()  # indented further than the text around it: verbatim (code, mostly)
                verbatim.append(line)
            continue
        if not indented and line.startswith("="):
            finish_text()
            marks = _HEADING.match(line)
            assert marks is not None
            found.append(Block("heading", line[marks.end() :].strip(), level=min(marks.end(), 6)))
            continue
        if not indented and _RULE.fullmatch(line):
            finish_text()
            found.append(Block("rule"))
            continue
        if listed:
            finish_text()
            kind, parts, item_column = "item", [line[listed.end() :].strip()], listed.end()
            label = listed.group("label") or listed.group("note") or ""
            list_kind: ListKind = (
                "label" if label else next(name for name in ("bullet", "number", "letter") if listed.group(name))
            )
            item = {"list": list_kind, "label": label}
            continue
        if kind is None:
            kind, item = "paragraph", {}
        parts.append(stripped)  # a paragraph's next line (or an item's, written without indentation)
    if verbatim:
        finish_verbatim()
    finish_text()
    return found


# Every part is bounded in length and a link's word starts only after a space or bracket, so text
# full of unmatched marks (`*`, `{`, `<b>`) or one huge token is still read in linear time.
_INLINE = re.compile(
    r"\\(?P<escaped>[*_+<{\\])"
    r"|\{(?P<link_text>[^{}]{1,500})\}\[(?P<link_url>[^\[\]\s]{0,2000})\]"
    r"|(?<![^\s\[\]{}()\"'])(?P<word>[^\s\[\]{}()\"']{1,200})"
    r"\[(?P<word_url>(?:https?|mailto|ftp|link|rdoc-ref):[^\[\]\s]{0,2000})\]"
    r"|<(?P<tag>tt|code|b|em|i)>(?P<tag_text>.{0,1000}?)</(?P=tag)>"
    r"|(?<!\w)(?P<mark>[*_+])(?P<mark_text>\S(?:.{0,300}?\S)?)(?P=mark)(?!\w)"
    r"|(?P<url>\b(?:(?:https?|ftp)://|www\.)[^\s<>\[\]{}]+|\bmailto:[^\s<>\[\]{}]+)"
)
_STYLES: dict[str, Style] = {"tt": "code", "code": "code", "b": "bold", "em": "em", "i": "em"}
_MARKS: dict[str, Style] = {"*": "bold", "_": "em", "+": "code"}
_TRAILING = ".,;:!?)'\""  # ends a sentence rather than a bare URL


def spans(text: str, style: Style = "") -> list[Span]:
    """The inline spans of a block's text (`style` is that of the text around it)."""
    found: list[Span] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            found.append(Span(text[position : match.start()], style))
        position = match.end()
        if match.group("escaped") is not None:
            found.append(Span(match.group("escaped"), style))
        elif match.group("link_text") is not None:
            found.extend(_linked(spans(match.group("link_text"), style), match.group("link_url").strip()))
        elif match.group("word") is not None:
            found.append(Span(match.group("word"), style, match.group("word_url").strip()))
        elif match.group("tag") is not None:
            found.extend(spans(match.group("tag_text"), _STYLES[match.group("tag")]))
        elif match.group("mark") is not None:
            inner = _MARKS[match.group("mark")]
            # Code is shown as written; bold and emphasis may hold links and other markup.
            found.extend(
                [Span(match.group("mark_text"), inner)] if inner == "code" else spans(match.group("mark_text"), inner)
            )
        else:
            url = match.group("url")
            kept = url.rstrip(_TRAILING)
            found.append(Span(kept, style, kept))
            if kept != url:
                found.append(Span(url[len(kept) :], style))
    if position < len(text):
        found.append(Span(text[position:], style))
    return found


def plain_text(text: str) -> str:
    """A block's text with its inline markup taken out."""
    return "".join(span.text for span in spans(text))


def _linked(inner: list[Span], url: str) -> list[Span]:
    return [Span(span.text, span.style, span.url or url) for span in inner]

"""README files (Markdown, reStructuredText, RDoc, HTML or plain text) as plain text for the index.

Badges, images, code blocks and bare URLs are left out: they are noise for search and snippets.
Each block (heading, paragraph, list item, table row) becomes one line; blank lines separate them.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from councilcode import rdoc
from councilcode.readme_format import readme_format

MAX_CHARS = 100_000  # a README longer than this is mostly generated text; the head says what it is

_URL = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>()\[\]]+(?:\([^\s()]*\)[^\s<>()\[\]]*)*", re.IGNORECASE)
_SHORTCODE = re.compile(r"(?<!\w):[a-z0-9_+-]{2,}:(?!\w)")  # GitHub emoji such as :books:
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_ATX_NO_SPACE = re.compile(r"^(#{1,6})(?=[^\s#])", re.MULTILINE)  # `#Heading`, written before CommonMark
_ALNUM = re.compile(r"[^\W_]")


def readme_to_text(source: str | None, path: str | None = None) -> str:
    """Plain text of a README, one block a line; `path` (e.g. `README.rst`) picks the format."""
    if not source:
        return ""
    source = source[: MAX_CHARS * 2].replace("\r\n", "\n").replace("\r", "\n")
    kind = readme_format(path)
    if kind == "markdown":
        blocks = _markdown_blocks(source)
    elif kind == "rst":
        blocks = _rst_blocks(source)
    elif kind == "rdoc":
        blocks = _rdoc_blocks(source)
    elif kind == "html":
        blocks = _html_blocks(source)
    else:
        blocks = source.split("\n\n")
    return _finish(blocks)[:MAX_CHARS]


def _finish(blocks: list[str]) -> str:
    lines = []
    for block in blocks:
        text = _SHORTCODE.sub(" ", _URL.sub(" ", block))
        text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
        if _ALNUM.search(text):  # drops rules, separators and blocks left empty by the clean-up
            lines.append(text)
    return "\n\n".join(lines)


# -- Markdown -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _markdown_parser() -> MarkdownIt:
    # Building a parser costs about a millisecond; parsing does not change it, so reuse one.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _markdown_blocks(source: str) -> list[str]:
    blocks: list[str] = []
    row: list[str] | None = None  # cells of the table row being read
    for token in _markdown_parser().parse(_ATX_NO_SPACE.sub(r"\1 ", source)):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            blocks.append(" ".join(row))
            row = None
        elif token.type == "inline":
            text = _markdown_inline(token.children or [])
            if row is not None:
                row.append(text)
            else:
                blocks.append(text)
        elif token.type == "html_block":
            blocks.extend(_html_blocks(token.content))
        # fence and code_block are code, not prose: left out on purpose.
    return blocks


def _markdown_inline(children: list) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or (
            child.type == "html_inline" and child.content.lower().startswith("<br")
        ):
            parts.append(" ")
        # images (badges, screenshots) and inline HTML tags carry no words worth finding
    return "".join(parts)


# -- reStructuredText -----------------------------------------------------------------------------


def _rst_blocks(source: str) -> list[str]:
    try:
        from docutils import nodes
        from docutils.core import publish_doctree
    except ImportError:  # pragma: no cover - docutils is a dependency, but keep READMEs indexable
        return _rst_regex_blocks(source)
    settings = {
        "report_level": 5,
        "halt_level": 5,
        "warning_stream": io.StringIO(),
        # A README must never make the indexer read files or pass raw HTML through.
        "file_insertion_enabled": False,
        "raw_enabled": False,
        "input_encoding": "unicode",
    }
    try:
        tree = publish_doctree(source, settings_overrides=settings)
    except Exception:  # docutils raises on some malformed input despite halt_level
        return _rst_regex_blocks(source)
    dropped = (
        nodes.image,
        nodes.substitution_definition,
        nodes.comment,
        nodes.literal_block,
        nodes.system_message,
        nodes.raw,
        nodes.target,
    )
    for node in list(tree.findall(lambda n: isinstance(n, dropped))):
        if node.parent is not None:
            node.parent.remove(node)
    blocks = []
    for node in tree.findall(lambda n: isinstance(n, nodes.TextElement) and not _inside_text_element(n)):
        blocks.append(node.astext())
    return blocks


def _inside_text_element(node) -> bool:
    from docutils import nodes

    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.TextElement):
            return True
        parent = parent.parent
    return False


_RST_DIRECTIVE = re.compile(r"^\s*\.\. .*$", re.MULTILINE)
_RST_UNDERLINE = re.compile(r"^([=\-`:'\"~^_*+#<>])\1{2,}\s*$", re.MULTILINE)
_RST_LINK = re.compile(r"`([^`<]+?)\s*<[^>]*>`_{1,2}")
_RST_ROLE = re.compile(r":[a-z]+:`([^`]*)`")
_RST_MARKUP = re.compile(r"\*{1,2}([^*]+)\*{1,2}|``([^`]+)``|\|([^|]+)\|_?")


def _rst_regex_blocks(source: str) -> list[str]:
    text = _RST_DIRECTIVE.sub("", source)
    text = _RST_UNDERLINE.sub("", text)
    text = _RST_LINK.sub(r"\1", text)
    text = _RST_ROLE.sub(r"\1", text)
    text = _RST_MARKUP.sub(lambda m: next(g for g in m.groups() if g is not None), text)
    return text.split("\n\n")


# -- RDoc -----------------------------------------------------------------------------------------


def _rdoc_blocks(source: str) -> list[str]:
    # Verbatim blocks are code and rules are decoration: left out, as Markdown's code blocks are.
    return [
        " ".join(filter(None, (rdoc.plain_text(block.label), rdoc.plain_text(block.text))))
        for block in rdoc.blocks(source)
        if block.kind in ("heading", "paragraph", "item")
    ]


# -- HTML -----------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt", "figcaption",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "td", "th", "tr", "ul",
}  # fmt: skip
_SKIPPED_TAGS = {"script", "style", "pre", "template", "svg", "head", "title"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skipping = 0

    def _break(self) -> None:
        if self._current:
            self.blocks.append("".join(self._current))
            self._current = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        if tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS and self._skipping:
            self._skipping -= 1
        if tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._break()


def _html_blocks(source: str) -> list[str]:
    parser = _TextExtractor()
    parser.feed(source)
    parser.close()
    return parser.blocks

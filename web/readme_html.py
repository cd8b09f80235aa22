"""Turn a repository's README into HTML that is safe to put inside our pages.

The format comes from the file name (`councilcode.readme_format`, as the indexer reads it too).
Markdown goes through markdown-it-py (CommonMark plus tables and strikethrough, raw HTML allowed),
reStructuredText through docutils with raw HTML and file inclusion off, RDoc through the reader the
indexer uses (`councilcode.rdoc`); an HTML README is taken as it is; plain text (and any unknown
format) is shown as preformatted text. Whatever comes out is sanitised by nh3, which is the only
thing standing between a hostile README and our visitors, so nothing is trusted before it. Relative
links and images are pointed at the repository on GitHub, because they mean files there.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from councilcode import rdoc
from councilcode.readme_format import readme_format

# Bigger READMEs are cut (the page links to the whole file on GitHub). Rendering Markdown is pure
# Python and the cost of the densest markup (link references, emphasis, tables) grows about 15 ms
# per KB, so this keeps any README under a second; the longest in the UK council corpus is 39 KB.
MAX_README_CHARS = 40_000

# The HTML parser under nh3 walks its stack of open elements for many tags, so its work grows with
# the square of the nesting: 392 KB of unclosed <ul><li> took 51 s. Real READMEs nest a few dozen
# deep at most (Markdown itself stops at 20); deeper than this, the README is shown as plain text.
MAX_NESTING = 100

# Prefix for every id inside a README, so a README cannot clash with (or target) the page's own ids.
ID_PREFIX = "readme-"

# What a README may keep: nh3's defaults (no script, style, iframe, form, svg, event handlers, style
# attributes) plus ids on headings so in-page links work.
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    **{f"h{n}": {"id"} for n in range(1, 7)},
    "a": {"href", "hreflang", "title"},
    "ol": {"start", "type"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
}
_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"}  # image maps would need rewritten hrefs too
# Tags dropped with everything inside them, not just unwrapped: code, and what a whole HTML page
# (an HTML README) has that is not its content.
_DROPPED_WITH_CONTENT = {"script", "style", "title", "template", "svg", "math"}
_URL_SCHEMES = {"http", "https", "mailto"}

_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
_OLD_STYLE_HEADING = re.compile(r"^(#{1,6})([^#\s])")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\ssrc="([^"]*)"')
_TABLE_OPEN = re.compile(r"<table\b[^>]*>")
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


@dataclass(frozen=True)
class ReadmeLocation:
    """Where a README lives, so its relative links can be resolved on GitHub."""

    full_name: str
    branch: str | None = None
    path: str | None = None  # e.g. "README.md" or "docs/README.rst"

    @property
    def ref(self) -> str:
        # HEAD resolves to the default branch on GitHub when the crawler did not record one.
        return self.branch or "HEAD"

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path or "")


def render_readme(text: str | None, location: ReadmeLocation) -> str:
    """The README as sanitised HTML, ready to be marked safe in a template ('' when there is none)."""
    if not text or not text.strip():
        return ""
    truncated = len(text) > MAX_README_CHARS
    text = text[:MAX_README_CHARS]
    fmt = readme_format(location.path)
    if fmt == "markdown":
        raw = _markdown_to_html(text)
    elif fmt == "rst":
        raw = _rst_to_html(text)
    elif fmt == "rdoc":
        raw = _rdoc_to_html(text)
    elif fmt == "html":
        raw = text  # sanitise() below is what makes it safe, as for HTML inside Markdown
    else:
        raw = _preformatted(text)
    if nesting_depth(raw) > MAX_NESTING:
        # Escaped text has no tags at all, so sanitising it is cheap whatever it holds.
        raw = (
            '<p class="readme-truncated">This README nests its markup too deeply to show formatted; '
            "here it is as plain text.</p>" + _preformatted(text)
        )
    cleaned = sanitise(raw, location)
    cleaned = _wrap_tables(_renumber_headings(_fill_missing_alt(cleaned), top=3))
    if truncated:
        cleaned += '<p class="readme-truncated">This README is too long to show in full; read it on GitHub.</p>'
    return cleaned


# Elements that never hold others, and start tags that close an open element of their kind (as HTML
# parsers do for <p>, <li>, table cells and so on) rather than nesting inside it, unless an element
# that starts a new scope (a list, a table, a cell) lies between them.
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
_SCOPES = frozenset(
    [
        "ul",
        "ol",
        "dl",
        "menu",
        "table",
        "caption",
        "td",
        "th",
        "button",
        "select",
        "object",
        "applet",
        "marquee",
        "template",
        "blockquote",
        "fieldset",
        "figure",
        "details",
        "dialog",
        "section",
        "article",
        "aside",
        "nav",
        "header",
        "footer",
        "main",
        "form",
    ]
)
_CLOSES_OWN_KIND: dict[str, frozenset[str]] = {
    "p": frozenset({"p"}),
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "tr": frozenset({"tr"}),
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
    "option": frozenset({"option"}),
}
_LOOK_BACK = 8  # open elements searched for one a tag closes, so the scan stays linear
# Only the name: anything after it could run to the end of an unclosed tag, making the scan quadratic.
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")


def nesting_depth(raw_html: str) -> int:
    """How deep `raw_html`'s elements nest at most, about as an HTML parser would see it; one pass.

    It errs towards deeper (it knows fewer of the rules that close elements implicitly), which only
    ever shows an odd README as plain text.
    """
    stack: list[str] = []
    deepest = 0
    for match in _TAG_NAME.finditer(raw_html):
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID:
            continue
        if closing:
            if name in stack[-_LOOK_BACK:]:
                while stack.pop() != name:
                    pass
            continue
        closes = _CLOSES_OWN_KIND.get(name)
        if closes:
            for back in range(len(stack) - 1, max(-1, len(stack) - 1 - _LOOK_BACK), -1):
                if stack[back] in closes:
                    del stack[back:]
                    break
                if stack[back] in _SCOPES and not (name == "tr" and stack[back] in ("td", "th")):
                    break
        stack.append(name)
        deepest = max(deepest, len(stack))
    return deepest


@dataclass
class RenderedReadmes:
    """READMEs as rendered, per repository version, so each is rendered once and not on every view.

    The key is where the README lives and a digest of its text: a re-crawl that changes it makes a
    new key. Views of a README being rendered wait for that rendering instead of doing it again, so
    a burst of visitors to one page costs one rendering.
    """

    max_entries: int = 256
    _entries: OrderedDict[tuple[ReadmeLocation, bytes], str] = field(default_factory=OrderedDict)
    _rendering: dict[tuple[ReadmeLocation, bytes], threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def render(self, text: str | None, location: ReadmeLocation) -> str:
        if not text:
            return ""
        key = (location, hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest())
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            rendering = self._rendering.setdefault(key, threading.Lock())
        with rendering:
            with self._lock:
                found = self._entries.get(key)
            if found is None:
                found = render_readme(text, location)
                with self._lock:
                    self._entries[key] = found
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
        with self._lock:
            self._rendering.pop(key, None)
        return found


def sanitise(raw_html: str, location: ReadmeLocation) -> str:
    """nh3 with our allow-list; relative URLs rewritten to GitHub, every link rel=nofollow noopener."""

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "href" and tag == "a":
            return _rewrite_url(value, location, image=False)
        if attribute == "src" and tag == "img":
            return _rewrite_url(value, location, image=True)
        if attribute == "id":
            return _slug(value) or None
        return value

    return nh3.clean(
        raw_html,
        tags=_ALLOWED_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=rewrite,
        url_schemes=_URL_SCHEMES,
        link_rel="nofollow noopener",
        id_prefix=ID_PREFIX,
        strip_comments=True,
    )


def _rewrite_url(value: str, location: ReadmeLocation, *, image: bool) -> str | None:
    value = value.strip()
    if not value:
        return None
    if value.startswith("#"):
        # In-page links follow the prefixed heading ids.
        return "#" + ID_PREFIX + _slug(value[1:]) if len(value) > 1 else None
    parts = urlsplit(value)
    if parts.scheme:
        return value  # nh3 has already refused any scheme not in _URL_SCHEMES
    if parts.netloc:
        return urlunsplit(("https", parts.netloc, parts.path, parts.query, parts.fragment))
    # GitHub reads a leading slash as the repository root, anything else from the README's folder.
    target = parts.path if parts.path.startswith("/") else posixpath.join("/", location.directory, parts.path)
    target = posixpath.normpath(target).lstrip("/")
    if target in ("", "."):
        return f"https://github.com/{location.full_name}"
    if image:
        base = f"https://raw.githubusercontent.com/{location.full_name}/{location.ref}/{target}"
        return base + (f"?{parts.query}" if parts.query else "")
    base = f"https://github.com/{location.full_name}/blob/{location.ref}/{target}"
    return base + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _slug(text: str) -> str:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    return _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")


@lru_cache(maxsize=1)
def _markdown_parser() -> MarkdownIt:
    # Built once and never changed afterwards; parsing keeps its state in the env it is given.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _markdown_to_html(text: str) -> str:
    md = _markdown_parser()
    env: dict[str, object] = {}
    tokens = md.parse(_fix_old_style_headings(text), env)
    _add_heading_ids(tokens)
    return md.renderer.render(tokens, md.options, env)


def _fix_old_style_headings(text: str) -> str:
    """`#Title` was a heading before CommonMark; older READMEs still use it, so give it its space."""
    lines = text.splitlines()
    fence: str | None = None
    for i, line in enumerate(lines):
        opened = _FENCE.match(line)
        if opened:
            marker = opened.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is None:
            lines[i] = _OLD_STYLE_HEADING.sub(r"\1 \2", line)
    return "\n".join(lines)


def _add_heading_ids(tokens: list[Token]) -> None:
    seen: dict[str, int] = {}
    for i, token in enumerate(tokens[:-1]):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        words = "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))
        if anchor := _heading_id(words, seen):
            token.attrSet("id", anchor)


def _heading_id(words: str, seen: dict[str, int]) -> str | None:
    """GitHub's anchor for a heading: its slug, then `-1`, `-2`... for repeats (`seen` counts them)."""
    slug = _slug(words)
    if not slug:
        return None
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"


def _rst_to_html(text: str) -> str:
    # Imported here: docutils is slow to import and most READMEs are Markdown.
    from docutils.core import publish_parts

    try:
        parts = publish_parts(
            text,
            writer_name="html5",
            settings_overrides={
                "raw_enabled": False,
                "file_insertion_enabled": False,
                "report_level": 5,
                "halt_level": 5,
                "_disable_config": True,
                "doctitle_xform": False,
                "syntax_highlight": "none",
                "warning_stream": False,
            },
        )
    except Exception:  # noqa: BLE001 - any docutils failure: show the text as it is
        return _preformatted(text)
    return parts["body"]


_RDOC_LISTS = {
    "bullet": ("<ul>", "</ul>"),
    "number": ("<ol>", "</ol>"),
    "letter": ('<ol type="a">', "</ol>"),
    "label": ("<dl>", "</dl>"),
}
_RDOC_STYLES = {"bold": "strong", "em": "em", "code": "code"}


def _rdoc_to_html(text: str) -> str:
    """RDoc as the indexer reads it (`councilcode.rdoc`), as HTML; labelled lists become <dl>."""
    out: list[str] = []
    seen: dict[str, int] = {}
    open_list = ""  # the list kind whose tag is open
    for block in rdoc.blocks(text):
        if block.kind != "item" or block.list != open_list:
            if open_list:
                out.append(_RDOC_LISTS[open_list][1])
            open_list = ""
        if block.kind == "item":
            if not open_list:
                open_list = block.list
                out.append(_RDOC_LISTS[open_list][0])
            if block.list == "label":
                out.append(f"<dt>{_rdoc_inline(block.label)}</dt><dd>{_rdoc_inline(block.text)}</dd>")
            else:
                out.append(f"<li>{_rdoc_inline(block.text)}</li>")
        elif block.kind == "heading":
            anchor = _heading_id(rdoc.plain_text(block.text), seen)
            attribute = f' id="{html.escape(anchor)}"' if anchor else ""
            out.append(f"<h{block.level}{attribute}>{_rdoc_inline(block.text)}</h{block.level}>")
        elif block.kind == "paragraph":
            out.append(f"<p>{_rdoc_inline(block.text)}</p>")
        elif block.kind == "verbatim":
            out.append(f"<pre><code>{html.escape(block.text)}</code></pre>")
        else:
            out.append("<hr>")
    if open_list:
        out.append(_RDOC_LISTS[open_list][1])
    return "\n".join(out)


def _rdoc_inline(text: str) -> str:
    parts = []
    for span in rdoc.spans(text):
        piece = html.escape(span.text)
        if span.style:
            tag = _RDOC_STYLES[span.style]
            piece = f"<{tag}>{piece}</{tag}>"
        href = _rdoc_href(span.url) if span.url else None
        parts.append(f'<a href="{html.escape(href)}">{piece}</a>' if href else piece)
    return "".join(parts)


def _rdoc_href(url: str) -> str | None:
    """An RDoc link target as a URL: `link:` names a file in the repository; `rdoc-ref:` and
    `rdoc-label:` name parts of generated API docs, which a README on its own does not have."""
    if url.startswith("link:"):
        return url[len("link:") :] or None
    if url.startswith(("rdoc-ref:", "rdoc-label:", "rdoc-image:")):
        return None
    if url.startswith("www."):
        return "https://" + url
    return url


def _preformatted(text: str) -> str:
    return f'<pre class="readme-text">{html.escape(text)}</pre>'


def _renumber_headings(fragment: str, *, top: int) -> str:
    """Fit the README's headings under the page's own: the first becomes `top`, none skips a level.

    Runs on nh3's output, whose tags are always lower case and well formed.
    """
    levels = [int(m.group(2)) for m in _HEADING_TAG.finditer(fragment) if not m.group(1)]
    if not levels:
        return fragment
    offset = top - min(levels)
    previous = top - 1
    current = top

    def replace(match: re.Match[str]) -> str:
        nonlocal previous, current
        if match.group(1):
            return f"</h{current}"
        wanted = min(int(match.group(2)) + offset, 6)
        current = max(top, min(wanted, previous + 1))
        previous = current
        return f"<h{current}"

    return _HEADING_TAG.sub(replace, fragment)


def _fill_missing_alt(fragment: str) -> str:
    """An image without alt text is read out as its URL; name it after its file instead."""

    def fill(match: re.Match[str]) -> str:
        tag = match.group(0)
        if " alt=" in tag:
            return tag
        src = _SRC.search(tag)
        name = posixpath.basename(urlsplit(html.unescape(src.group(1))).path) if src else ""
        return f'<img alt="{html.escape(name or "image")}"' + tag[len("<img") :]

    return _IMG_TAG.sub(fill, fragment)


def _wrap_tables(fragment: str) -> str:
    """Let wide tables scroll inside their own box (reachable by keyboard) instead of the page."""
    opened = _TABLE_OPEN.sub(
        lambda m: '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">' + m.group(0), fragment
    )
    return opened.replace("</table>", "</table></div>")

"""README rendering: formats, sanitising, and links pointed at GitHub."""

from __future__ import annotations

import re

import pytest

from councilcode.web.readme_html import ReadmeLocation, render_readme, sanitise
from councilcode.web.templating import safe_snippet

LOCATION = ReadmeLocation("east-sussex-county-council/Escc.Gritting", "master", "README.md")
BLOB = "https://github.com/east-sussex-county-council/Escc.Gritting/blob/master/"
RAW = "https://raw.githubusercontent.com/east-sussex-county-council/Escc.Gritting/master/"


def md(text: str, location: ReadmeLocation = LOCATION) -> str:
    return render_readme(text, location)


def test_markdown_tables_strikethrough_and_code() -> None:
    html = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ `code`\n\n```\n<b>x</b>\n```\n")
    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="table-scroll"' in html and 'tabindex="0"' in html  # wide tables scroll in their own box
    assert "<s>old</s>" in html or "<del>old</del>" in html
    assert "<code>code</code>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_headings_fit_under_the_page_and_never_skip_a_level() -> None:
    html = md("# Title\n\n#### Deep\n\n## Section\n")
    levels = re.findall(r"<h(\d)", html)
    assert levels == ["3", "4", "4"]
    assert "<h1" not in html and "<h2" not in html


def test_old_style_headings_without_a_space_are_headings() -> None:
    html = md("#Leeds City Dashboard\n\n```\n#not a heading\n```\n")
    assert re.search(r"<h3[^>]*>Leeds City Dashboard</h3>", html)
    assert "#not a heading" in html


def test_heading_ids_are_prefixed_and_fragment_links_follow() -> None:
    html = md('# Getting started\n\n[Go](#getting-started)\n\n<h2 id="main-content">x</h2>\n')
    assert 'id="readme-getting-started"' in html
    assert 'href="#readme-getting-started"' in html
    assert 'id="main-content"' not in html  # cannot clash with the page's own ids


def test_relative_links_go_to_the_default_branch_on_github() -> None:
    html = md("[docs](docs/usage.md#install) [root](/LICENSE) [up](../../x.md) ![logo](images/logo.png)")
    assert f'href="{BLOB}docs/usage.md#install"' in html
    assert f'href="{BLOB}LICENSE"' in html
    assert f'href="{BLOB}x.md"' in html  # cannot climb out of the repository
    assert f'src="{RAW}images/logo.png"' in html


def test_relative_links_resolve_from_the_readme_folder() -> None:
    location = ReadmeLocation("a/b", "develop", "docs/README.md")
    html = md("[x](guide.md) ![y](img/y.png)", location)
    assert 'href="https://github.com/a/b/blob/develop/docs/guide.md"' in html
    assert 'src="https://raw.githubusercontent.com/a/b/develop/docs/img/y.png"' in html


def test_unknown_branch_uses_head() -> None:
    html = md("[x](guide.md)", ReadmeLocation("a/b", None, "README.md"))
    assert 'href="https://github.com/a/b/blob/HEAD/guide.md"' in html


def test_external_links_are_nofollow_noopener() -> None:
    html = md('[site](https://example.com/page) <a href="//cdn.example/x">cdn</a>')
    assert 'href="https://example.com/page" rel="nofollow noopener"' in html
    assert 'href="https://cdn.example/x"' in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="https://example.com"></iframe>',
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        "<style>body{display:none}</style>",
        '<p style="color:red" onclick="alert(1)">x</p>',
        '<details open ontoggle="alert(1)">x</details>',
        '<object data="x"></object><embed src="x">',
        '<form action="https://evil.example"><input name="p"></form>',
        '<meta http-equiv="refresh" content="0">',
        '<base href="https://evil.example/">',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    ],
)
def test_nothing_active_survives(payload: str) -> None:
    html = md(f"Text before.\n\n{payload}\n\nText after.")
    # Only markup can be active: the same words as plain text are harmless.
    lowered = " ".join(re.findall(r"<[^>]*>", html)).lower()
    for forbidden in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "ontoggle",
        "javascript:",
        "vbscript:",
        "data:text",
        "<iframe",
        "<svg",
        "<style",
        "style=",
        "<object",
        "<embed",
        "<form",
        "<input",
        "<meta",
        "<base",
    ):
        assert forbidden not in lowered, (payload, html)
    assert "Text before." in html


def test_images_without_alt_text_get_one() -> None:
    html = md('<img src="images/diagram.png">')
    assert 'alt="diagram.png"' in html


def test_restructuredtext_renders_without_raw_html_or_includes() -> None:
    text = (
        "Title\n=====\n\nSee `the guide <guide.html>`_.\n\n"
        ".. raw:: html\n\n   <script>alert(1)</script>\n\n.. include:: /etc/passwd\n"
    )
    html = render_readme(text, ReadmeLocation("a/b", "main", "README.rst"))
    assert "<h3" in html and "Title" in html
    assert 'href="https://github.com/a/b/blob/main/guide.html"' in html
    assert "<script" not in html and "root:" not in html


def test_plain_text_is_preformatted_and_escaped() -> None:
    for path in ("README", "README.txt"):
        html = render_readme("=SAML Tools\n\n<b>bold</b> & more\n", ReadmeLocation("a/b", "main", path))
        assert html.startswith("<pre>")
        assert "=SAML Tools" in html and "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html


def test_a_readme_without_a_name_is_markdown() -> None:
    html = render_readme("# Title\n\n*emphasis*\n", ReadmeLocation("a/b", "main", None))
    assert html == '<h3 id="readme-title">Title</h3>\n<p><em>emphasis</em></p>\n'


RDOC = """\
=SAML Tools

Tools for <b>SAML</b> & *more*; <script>alert(1)</script> stays text.

== Usage
See {the guide}[link:docs/guide.rdoc], Wiki[https://example.com/w] or https://example.com/x.

    reader = SamlTool::Reader.new(output) if a < b

* first
* second
[Garden waste] fortnightly
1. step
---
"""


def test_rdoc_renders_as_the_indexer_reads_it() -> None:
    html = render_readme(RDOC, ReadmeLocation("a/b", "main", "docs/README.rdoc"))
    assert '<h3 id="readme-saml-tools">SAML Tools</h3>' in html
    assert (
        "<p>Tools for <strong>SAML</strong> &amp; <strong>more</strong>; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    assert '<h4 id="readme-usage">Usage</h4>' in html
    # link: names a file in the repository, beside the README; bare URLs are links too.
    assert (
        '<a href="https://github.com/a/b/blob/main/docs/docs/guide.rdoc" rel="nofollow noopener">the guide</a>' in html
    )
    assert '<a href="https://example.com/w" rel="nofollow noopener">Wiki</a>' in html
    assert '<a href="https://example.com/x" rel="nofollow noopener">https://example.com/x</a>.' in html
    assert "<pre><code>reader = SamlTool::Reader.new(output) if a &lt; b</code></pre>" in html
    assert "<ul>\n<li>first</li>\n<li>second</li>\n</ul>" in html
    assert "<dl>\n<dt>Garden waste</dt><dd>fortnightly</dd>\n</dl>\n<ol>\n<li>step</li>\n</ol>\n<hr>" in html
    assert "<script" not in html


def test_rdoc_links_cannot_carry_script() -> None:
    html = render_readme("{x}[javascript:alert(1)] y[rdoc-ref:Foo]", ReadmeLocation("a/b", "main", "README.rdoc"))
    assert "javascript" not in html.lower() and "href" not in html
    assert ">x</a>" in html and " y" in html


def test_html_readme_is_sanitised_markup_not_text() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Page title</title><style>p{color:red}</style></head><body>"
        '<h1 onclick="alert(1)">Gritting</h1><p>Road &amp; paths, <a href="docs/a.html">docs</a></p>'
        "<script>alert(1)</script><img src=map.png><svg><text>drawn</text></svg></body></html>"
    )
    html = render_readme(page, ReadmeLocation("a/b", "main", "README.html"))
    assert html.startswith("<h3>Gritting</h3><p>Road")  # headings fit under the page's, as in Markdown
    assert '<p>Road &amp; paths, <a href="https://github.com/a/b/blob/main/docs/a.html"' in html
    assert '<img alt="map.png" src="https://raw.githubusercontent.com/a/b/main/map.png">' in html
    # What is not content, and whatever could run, goes with everything inside it.
    for gone in ("Page title", "color:red", "alert", "drawn", "onclick", "<script", "<style", "<svg"):
        assert gone not in html, gone


def test_empty_readme_renders_nothing() -> None:
    assert md("") == ""
    assert md("   \n") == ""
    assert render_readme(None, LOCATION) == ""


def test_huge_readme_is_cut_with_a_note() -> None:
    html = md("word " * 200_000)
    assert "too long to show in full" in html


def test_sanitise_keeps_ordinary_markup() -> None:
    html = sanitise("<p><strong>a</strong> <em>b</em> <code>c</code></p><ul><li>d</li></ul>", LOCATION)
    assert html == "<p><strong>a</strong> <em>b</em> <code>c</code></p><ul><li>d</li></ul>"


def test_snippets_keep_only_mark() -> None:
    snippet = safe_snippet("road <mark>gritting</mark> <script>alert(1)</script><img src=x onerror=alert(1)>")
    assert str(snippet) == "road <mark>gritting</mark> "

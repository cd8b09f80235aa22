"""One README format detection, and the indexer and the viewer reading each format alike."""

from __future__ import annotations

import html
import re

import pytest

from councilcode.indexer.readme_text import readme_to_text
from councilcode.readme_format import readme_format
from councilcode.web.readme_html import ReadmeLocation, render_readme


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("README.md", "markdown"),
        ("readme.markdown", "markdown"),
        ("docs/README.mkdn", "markdown"),
        ("README.rst", "rst"),
        ("README.REST", "rst"),
        ("README.rdoc", "rdoc"),
        ("docs/README.HTML", "html"),
        ("README.htm", "html"),
        ("README.txt", "text"),
        ("README", "text"),
        ("README.adoc", "text"),  # a format neither side reads: shown and indexed as it is
        ("", "markdown"),
        (None, "markdown"),  # no name recorded: most READMEs are Markdown
    ],
)
def test_format_from_file_name(path: str | None, kind: str) -> None:
    assert readme_format(path) == kind


SAMPLES = {
    "README.md": "# Gritting routes\n\nShows *where* the gritters are.\n\n```\nsecret_code()\n```\n",
    "README.rst": "Gritting routes\n===============\n\nShows *where* the gritters are.\n\n::\n\n    secret_code()\n",
    "README.rdoc": "= Gritting routes\n\nShows _where_ the gritters are.\n\n    secret_code()\n",
    "README.html": "<h1>Gritting routes</h1><p>Shows <em>where</em> the gritters are.</p>"
    "<script>secret_code()</script>",
    None: "# Gritting routes\n\nShows *where* the gritters are.\n",
}


def visible_text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.mark.parametrize("path", list(SAMPLES))
def test_indexer_and_viewer_read_every_format_alike(path: str | None) -> None:
    source = SAMPLES[path]
    indexed = readme_to_text(source, path)
    shown = render_readme(source, ReadmeLocation("a/b", "main", path))
    # The same structure on both sides: the title is a heading in the viewer and a block of its own
    # in the index, and the markup around "where" is read, not shown or indexed as characters.
    assert indexed.splitlines()[0] == "Gritting routes"
    assert re.search(r"<h3[^>]*>Gritting routes</h3>", shown), shown
    assert "Shows where the gritters are." in indexed
    assert "Shows <em>where</em> the gritters are." in shown
    assert "secret_code" not in indexed  # code is not prose
    assert "*" not in visible_text(shown) and "_where_" not in shown

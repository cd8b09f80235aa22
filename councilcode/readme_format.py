"""Which markup a README is written in, judged by its file name as GitHub does.

The indexer (what words a README holds) and the viewer (how it looks) both ask here, so a README
is never read as one format and shown as another.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

ReadmeFormat = Literal["markdown", "rst", "rdoc", "html", "text"]

_FORMATS: dict[str, ReadmeFormat] = {
    **dict.fromkeys((".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn"), "markdown"),
    **dict.fromkeys((".rst", ".rest"), "rst"),
    ".rdoc": "rdoc",
    **dict.fromkeys((".html", ".htm", ".xhtml"), "html"),
}


def readme_format(path: str | None) -> ReadmeFormat:
    """`markdown`, `rst`, `rdoc`, `html` or `text` from the README's file name (any case).

    A name without a known suffix (`README`, `README.txt`) is plain text. A README with no name at
    all counts as Markdown: GitHub's README endpoint always gives the name, so only records made
    by hand or by an old crawl lack one, and most READMEs are Markdown.
    """
    if not path:
        return "markdown"
    return _FORMATS.get(PurePosixPath(path).suffix.lower(), "text")

"""README conversion to plain text: Markdown, reStructuredText, RDoc, HTML and plain text."""

from __future__ import annotations

import re
import time

import pytest

from councilcode.indexer.readme_text import readme_to_text
from tests.relevance.corpus_records import CORPUS_DIR, corpus_available, load_corpus_repositories


def test_markdown_keeps_prose_and_drops_badges_urls_and_code() -> None:
    source = """\
# Bin Collections

[![Build](https://github.com/x/y/actions/workflows/ci.yml/badge.svg)](https://github.com/x/y/actions)
![npm](https://img.shields.io/npm/v/bins.svg)

Find your **bin collection** day. See https://example.gov.uk/bins or [the docs](https://docs.example.org).

```bash
npm install --save left-pad
```

    indented_code_block()

* Uses `postcode` look-ups
* Brighton &amp; Hove

| Column | Meaning |
| --- | --- |
| uprn | property id |
"""
    text = readme_to_text(source, "README.md")
    assert text.splitlines()[0] == "Bin Collections"
    assert "Find your bin collection day. See or the docs." in text
    assert "Uses postcode look-ups" in text
    assert "Brighton & Hove" in text  # entities decoded
    assert "uprn property id" in text
    for noise in ("http", "badge", "Build", "npm", "left-pad", "indented_code_block", "shields"):
        assert noise not in text


def test_markdown_headings_written_before_commonmark() -> None:
    text = readme_to_text("#Leeds City Dashboard\n\n##An Open Data Dashboard\nText.", "README.md")
    assert text.splitlines()[0] == "Leeds City Dashboard"
    assert "#" not in text


def test_markdown_inline_html_and_emoji_shortcodes() -> None:
    source = '<h1 align="center">Verint Service</h1>\n\n<div>:books: Case <img src="x.svg"> management</div>\n'
    text = readme_to_text(source, "readme.md")
    assert "Verint Service" in text
    assert "Case management" in text.replace("  ", " ")
    assert ":books:" not in text and "img" not in text


def test_restructuredtext() -> None:
    source = """\
School Closures
===============

.. image:: https://img.shields.io/badge/build-passing-green.svg
   :target: https://ci.example.org

.. |logo| image:: logo.png

Shows which schools are closed by *severe weather*. See `the council site <https://highland.gov.uk>`_.

.. code-block:: python

   print("not prose")

- Sends an email at 6pm
"""
    text = readme_to_text(source, "README.rst")
    assert "School Closures" in text
    assert "Shows which schools are closed by severe weather. See the council site." in text
    assert "Sends an email at 6pm" in text
    assert "not prose" not in text and "http" not in text and "image" not in text


def test_restructuredtext_never_reads_files_or_raises() -> None:
    source = ".. include:: /etc/passwd\n\n.. raw:: html\n\n   <script>x</script>\n\nStill here.\n\n`unclosed"
    text = readme_to_text(source, "README.rst")
    assert "Still here." in text
    assert "root:" not in text and "script" not in text


def test_rdoc() -> None:
    source = """\
=SAML Tools

Tools to simplify the creation of *SAML* objects, see {the blog}[http://undervale.co.uk/blog/?p=490].

== SamlTool::Reader
Wraps SAML documents.

    reader = SamlTool::Reader.new(output)

*  https://github.com/onelogin/ruby-saml
"""
    text = readme_to_text(source, "README.rdoc")
    lines = text.splitlines()
    assert lines[0] == "SAML Tools"
    assert "Tools to simplify the creation of SAML objects, see the blog." in text
    assert "SamlTool::Reader" in text and "Wraps SAML documents." in text
    assert "Reader.new" not in text and "http" not in text


def test_rdoc_lists_labels_continuations_and_escapes() -> None:
    source = """\
= Bins

* Collection days by postcode,
  read from the council's feed
* Reminders
      rake reminders:send
[Garden waste] Fortnightly, paid for
Recycling:: Weekly
1. First step
b. Second step

Plain \\*not bold* and <tt>bin_day</tt>, see {the *API* notes}[link:docs/api.rdoc] or Wiki[https://x.example/w].
----
"""
    assert readme_to_text(source, "README.rdoc").splitlines()[::2] == [
        "Bins",
        "Collection days by postcode, read from the council's feed",  # a continuation line joins its item
        "Reminders",  # code indented under an item is verbatim, left out
        "Garden waste Fortnightly, paid for",  # a label is part of its item
        "Recycling Weekly",
        "First step",
        "Second step",
        "Plain *not bold* and bin_day, see the API notes or Wiki.",
    ]


def test_rdoc_with_endless_unmatched_marks_is_read_in_linear_time() -> None:
    # Every inline pattern is bounded: 400 KB of marks that never close must not take quadratic time.
    source = "".join(["*a _b +c {d <b>e ", "x" * 50, " "] * 5000)
    started = time.perf_counter()
    text = readme_to_text(source, "README.rdoc")
    assert time.perf_counter() - started < 5
    assert text.startswith("*a _b +c {d <b>e xxx")


def test_html_and_plain_text() -> None:
    html = "<html><head><title>x</title><style>p{}</style></head><body><h1>Gritting</h1><p>Road &amp; paths</p>"
    html += "<script>alert(1)</script><pre>code()</pre><p>Uses <code>gritter_id</code>.</p></body></html>"
    text = readme_to_text(html, "README.html")
    assert text.splitlines() == ["Gritting", "", "Road & paths", "", "Uses gritter_id."]
    plain = readme_to_text("Plain README\n\nSee www.example.org for more.", "README")
    assert plain == "Plain README\n\nSee for more."


def test_empty_readme() -> None:
    assert readme_to_text(None) == ""
    assert readme_to_text("", "README.md") == ""
    assert readme_to_text("[![b](https://x/b.svg)](https://x)", "README.md") == ""


def test_every_corpus_readme_converts() -> None:
    if not corpus_available():
        pytest.skip(f"the UK council corpus is not at {CORPUS_DIR}")
    repositories = load_corpus_repositories()
    converted = {r.full_name: readme_to_text(r.readme, r.readme_path) for r in repositories}
    assert len(converted) == len(list(CORPUS_DIR.glob("repos/*/*/meta.json")))
    # Every README with something in it gives text; no README, or an empty one
    # (Lichfield-District-Council/Google-Analytics), gives none.
    with_readme = {r.full_name for r in repositories if r.readme}
    assert {name for name, text in converted.items() if text} == with_readme
    for name, text in converted.items():
        assert not re.search(r"https?://|img\.shields\.io", text), name
    # Badge-heavy READMEs keep their prose.
    assert "Orchestrate Node functions using Amazon States Language" in converted["wmfs/statebox"]
    assert converted["warwickshire/saml_tools"].startswith("SAML Tools")
    # The corpus's one reStructuredText README: title kept, directives and code left out.
    glasgow = converted["openglasgow/ckanext-glasgow_theme"]
    assert glasgow.startswith("ckanext-glasgow_theme\n\nRequirements") and ".. " not in glasgow
    assert "Brighton & Hove" in converted["brighton-hove-gov-uk/bhbudget"]

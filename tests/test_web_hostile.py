"""Hostile data from GitHub, as the viewer meets it: huge or deeply nested READMEs, absurd topics, names
that need escaping, and a Host header chosen by whoever sends the request."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import councilcode.web.readme_html as readme_html
from councilcode.cli.serve import serve_command
from councilcode.indexer.build import update_index
from councilcode.records import Council
from councilcode.settings import DataDir
from councilcode.web.app import create_app
from councilcode.web.readme_html import (
    MAX_NESTING,
    MAX_README_CHARS,
    ReadmeLocation,
    RenderedReadmes,
    nesting_depth,
    render_readme,
)
from tests.factories import make_repository
from tests.web_fixtures import build_catalogue

COUNCIL = "Hostile Borough Council"
HANDLE = "hostile-borough"
LONG_TOPIC = "t" * 5_000
# Names GitHub would never allow, but a catalogue could hold: each needs escaping in a URL. (Not "%":
# Starlette's TestClient decodes the path twice, which uvicorn does not.)
ODD_NAMES = ("two words", "hash#tag", "question?mark", "plus+sign", "ünïcode", "semi;colon")
BASE = "https://code.example.gov.uk"


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


# The worst markup found for each stage, filled to the size cap (or beyond, where it says so).
WORST_READMES = {
    "392 KB of nested lists (took 51 s)": ("README.md", _fill("<ul><li>", 392_000)),
    "nested lists as an HTML README": ("README.html", _fill("<ul><li>", 392_000)),
    "lists nested just under the limit": (
        "README.md",
        _fill("<ul><li>" * (MAX_NESTING // 2 - 1) + "x" + "</li></ul>" * (MAX_NESTING // 2 - 1), MAX_README_CHARS),
    ),
    "unclosed formatting before paragraphs": ("README.md", _fill("<b>" * 90 + "<p>x" * 500, MAX_README_CHARS)),
    "unclosed links": ("README.html", _fill("<a href=x>", MAX_README_CHARS)),
    "emphasis": ("README.md", _fill("*a **b ", MAX_README_CHARS)),
    "links": ("README.md", _fill("[a](b) ", MAX_README_CHARS)),
    "link references": ("README.md", _fill("[a]: /u\n[a] ", MAX_README_CHARS)),
    "a long table": ("README.md", "| a | b |\n|---|---|\n" + _fill("| x | y |\n", MAX_README_CHARS)),
    "autolinks": ("README.md", _fill("<https://x.example/z> ", MAX_README_CHARS)),
    "nested quotes": ("README.md", _fill(">" * 200 + " x\n", MAX_README_CHARS)),
    "reStructuredText": ("README.rst", _fill("* a *b* ``c`` `d <https://e.example>`_\n", MAX_README_CHARS)),
}


@pytest.mark.parametrize("name", list(WORST_READMES))
def test_no_readme_takes_a_second_to_render(name: str) -> None:
    path, text = WORST_READMES[name]
    # CPU time of this thread, so other tests running beside this one do not count.
    started = time.thread_time()
    html = render_readme(text, ReadmeLocation("a/b", "main", path))
    assert time.thread_time() - started < 1.0
    assert html


def test_deep_nesting_is_shown_as_plain_text() -> None:
    html = render_readme(_fill("<ul><li>", 48_000), ReadmeLocation("a/b", "main", "README.md"))
    assert "nests its markup too deeply" in html
    assert "<ul>" not in html and "&lt;ul&gt;&lt;li&gt;" in html


def test_ordinary_nesting_is_rendered() -> None:
    text = "- a\n  - b\n    - c\n\n<div><p>one<p>two<ul><li>x<li>y</ul></div>\n"
    html = render_readme(text, ReadmeLocation("a/b", "main", "README.md"))
    assert "too deeply" not in html and html.count("<ul>") == 4


@pytest.mark.parametrize(
    ("markup", "depth"),
    [
        ("<p>a<p>b<p>c", 1),
        ("<ul><li>a<li>b<li><p>c<li>d</ul>", 3),
        ("<table><tr><td>a<td>b<tr><td>c</table>", 3),
        ("<ul><li>" * 50, 100),
        ("<b>" * 30 + "<p>x" * 100, 31),
        ("<div><br><img src=x><hr></div>", 1),
    ],
)
def test_nesting_depth_counts_as_a_parser_would(markup: str, depth: int) -> None:
    assert nesting_depth(markup) == depth


def test_readmes_over_the_cap_are_cut_with_a_link_to_github() -> None:
    html = render_readme("word " * MAX_README_CHARS, ReadmeLocation("a/b", "main", "README.md"))
    assert "too long to show in full" in html
    assert len(html) < 2 * MAX_README_CHARS


def test_a_readme_is_rendered_once_per_version_even_for_many_visitors(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = readme_html.render_readme

    def counting(text: str | None, location: ReadmeLocation) -> str:
        calls.append(text or "")
        time.sleep(0.05)  # long enough for every visitor to arrive while it renders
        return real(text, location)

    monkeypatch.setattr(readme_html, "render_readme", counting)
    readmes = RenderedReadmes()
    location = ReadmeLocation("a/b", "main", "README.md")
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(readmes.render("# One", location))) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 20 and len(set(results)) == 1
    assert calls == ["# One"]
    readmes.render("# Two", location)  # a re-crawl changed it: rendered again
    assert calls == ["# One", "# Two"]


# -- pages over a catalogue of hostile repositories ------------------------------------------------


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    repositories = [
        make_repository(
            f"{HANDLE}/long-topic",
            COUNCIL,
            description="A repository with an absurd topic",
            topics=[LONG_TOPIC, "roads"],
            pushed_at="2024-01-01T00:00:00Z",
            readme="# Long topic\n",
        ),
        make_repository(
            f"{HANDLE}/nested",
            COUNCIL,
            description="A README of nested lists",
            pushed_at="2024-01-02T00:00:00Z",
            readme=_fill("<ul><li>", 392_000),
        ),
        *(
            make_repository(f"{HANDLE}/{name}", COUNCIL, pushed_at="2024-01-03T00:00:00Z", readme=f"# {name}\n")
            for name in ODD_NAMES
        ),
    ]
    data_dir = DataDir(tmp_path_factory.mktemp("hostile") / "data")
    build_catalogue(data_dir, {HANDLE: repositories}, [Council(COUNCIL, (HANDLE,), "other", "England", None)])
    update_index(data_dir.catalogue, data_dir.index)
    return data_dir


@pytest.fixture(scope="module")
def hostile_client(hostile_dir: DataDir) -> Iterator[TestClient]:
    with TestClient(create_app(hostile_dir, base_url=BASE), raise_server_exceptions=False) as client:
        yield client


def test_a_huge_nested_readme_page_renders_quickly(hostile_client: TestClient) -> None:
    started = time.perf_counter()
    page = hostile_client.get(f"/repos/{HANDLE}/nested")
    assert page.status_code == 200 and "nests its markup too deeply" in page.text
    assert time.perf_counter() - started < 5  # wall time, with other tests beside it; it was 51 s
    started = time.perf_counter()
    assert hostile_client.get(f"/repos/{HANDLE}/nested").status_code == 200
    assert time.perf_counter() - started < 0.5  # rendered once, then kept


def test_a_long_topic_is_cut_and_not_linked(hostile_client: TestClient) -> None:
    page = hostile_client.get(f"/repos/{HANDLE}/long-topic")
    assert page.status_code == 200
    assert LONG_TOPIC not in page.text
    assert "t" * 49 + "…" in page.text
    assert 'href="/search?topic=roads"' in page.text
    assert "topic=" + "t" * 300 not in page.text  # no link to a search that would be refused


def test_topics_wrap_in_the_stylesheet() -> None:
    css = (Path(readme_html.__file__).parent / "static" / "style.css").read_text(encoding="utf-8")
    rule = css[css.index(".topics a,") : css.index("}", css.index(".topics a,"))]
    assert "overflow-wrap: anywhere" in rule and "max-width: 100%" in rule


@pytest.mark.parametrize("name", ODD_NAMES)
def test_names_that_need_escaping_do_not_redirect_for_ever(hostile_client: TestClient, name: str) -> None:
    from urllib.parse import quote

    for path in (f"/repos/{HANDLE}/{quote(name, safe='')}", f"/api/repos/{HANDLE}/{quote(name, safe='')}"):
        response = hostile_client.get(path, follow_redirects=False)
        assert response.status_code == 200, path
    upper = hostile_client.get(f"/repos/{HANDLE.upper()}/{quote(name, safe='')}", follow_redirects=False)
    assert upper.status_code == 301
    assert hostile_client.get(upper.headers["location"], follow_redirects=False).status_code == 200


def test_the_host_header_is_not_echoed_into_links(hostile_client: TestClient) -> None:
    evil = {"Host": "evil.example"}
    body = hostile_client.get(f"/api/repos/{HANDLE}/long-topic", headers=evil).json()
    assert body["url"] == f"{BASE}/repos/{HANDLE}/long-topic"
    feed = hostile_client.get("/feeds/search.atom?q=topic", headers=evil).text
    assert "evil.example" not in feed and f"{BASE}/repos/{HANDLE}/long-topic" in feed
    councils = hostile_client.get("/api/councils", headers=evil).json()
    assert all(c["url"].startswith(BASE + "/") for c in councils["councils"])


def test_the_default_base_url_is_the_local_server(tmp_path: Path) -> None:
    with TestClient(create_app(DataDir(tmp_path)), raise_server_exceptions=False) as client:
        assert client.app.state.web.base_url == "http://127.0.0.1:8000"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "bad", ["code.example.gov.uk", "ftp://code.example", "https://", "https://x.example/sub", "https://x.example/?a=1"]
)
def test_serve_refuses_a_base_url_that_is_not_a_site_root(tmp_path: Path, bad: str) -> None:
    result = CliRunner().invoke(serve_command, ["--data-dir", str(tmp_path), "--base-url", bad])
    assert result.exit_code == 2
    assert "--base-url" in result.output and "Traceback" not in result.output


def test_links_in_the_api_follow_the_address_served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    def fake_run(app: object, **options: object) -> None:
        seen["base_url"] = app.state.web.base_url  # type: ignore[attr-defined]

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(serve_command, ["--data-dir", str(tmp_path), "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["base_url"] == "http://localhost:8123"
    assert "--base-url" in result.output  # the note says how to set the address visitors use
    CliRunner().invoke(serve_command, ["--data-dir", str(tmp_path), "--base-url", "https://code.example.gov.uk/"])
    assert seen["base_url"] == "https://code.example.gov.uk"

"""`councilcode index` and `councilcode search` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from councilcode.cli.index import index_command, search_command
from councilcode.indexer.generations import IndexStore
from tests.factories import make_repository
from tests.relevance.corpus_records import store_in_catalogue

REPOS = [
    make_repository("HullCC/bin-days", "Hull City Council", id=1, description="Bin collection days by postcode",
        readme="# bin-days\n\nBin collection days by postcode", language="Python", license="MIT", topics=["waste"],
        stars=3, pushed_at="2025-01-02T00:00:00Z"),
    make_repository("LeedsCC/bin-collections", "Leeds City Council", id=2, description="Find your bin collection day",
        readme="# bin-collections\n\nFind your bin collection day", language="PHP", topics=["waste", "bins"],
        pushed_at="2024-01-02T00:00:00Z"),
    make_repository("esx/Escc.Gritting", "East Sussex County Council", id=3, description="Road gritting data",
        readme="# Escc.Gritting\n\nRoad gritting data", language="C#", license="OGL-UK-3.0", archived=True,
        pushed_at="2016-02-11T00:00:00Z"),
]  # fmt: skip


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    store_in_catalogue(root / "catalogue.sqlite", REPOS)
    return root


def run(command, *args: str):  # noqa: ANN001, ANN201 - a click command; a click Result
    return CliRunner().invoke(command, list(args), catch_exceptions=False)


@pytest.fixture
def indexed(data_dir: Path) -> Path:
    result = run(index_command, "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    return data_dir


def test_index_builds_then_updates(data_dir: Path) -> None:
    first = run(index_command, "--data-dir", str(data_dir))
    assert first.exit_code == 0
    assert first.output.startswith(f"Rebuilt the index in {data_dir / 'index'}: 3 added, 0 updated, 0 removed;")
    second = run(index_command, "--data-dir", str(data_dir))
    assert "Updated the index" in second.output and "0 added, 0 updated, 0 removed; 3 repositories" in second.output
    rebuilt = run(index_command, "--data-dir", str(data_dir), "--rebuild")
    assert rebuilt.output.startswith("Rebuilt the index")


def test_index_busy_exits_1(data_dir: Path) -> None:
    with IndexStore(data_dir / "index").write_lock():
        result = run(index_command, "--data-dir", str(data_dir), "--wait", "0.2")
    assert result.exit_code == 1
    assert "another `councilcode index` has been writing to" in result.output
    assert "try again when it has finished" in result.output


def test_index_without_a_catalogue(tmp_path: Path) -> None:
    result = run(index_command, "--data-dir", str(tmp_path / "nothing"))
    assert result.exit_code == 2
    assert "run `councilcode crawl` first" in result.output


def test_index_uses_the_data_dir_from_the_environment(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNCILCODE_DATA_DIR", str(data_dir))
    assert run(index_command).exit_code == 0
    assert (data_dir / "index" / "CURRENT").is_file()


def test_search_json_has_exactly_the_agreed_shape(indexed: Path) -> None:
    result = run(search_command, "bin", "collection", "--json", "--data-dir", str(indexed))
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == ["total", "results", "facets", "suggestion"]
    assert data["total"] == 2
    assert data["suggestion"] is None
    assert list(data["facets"]) == ["council", "license", "language", "topic", "has_publiccode", "reuse_score"]
    assert data["facets"]["license"] == {"MIT": 1, "none": 1}
    hit = data["results"][0]
    assert list(hit) == [
        "full_name", "council", "description", "license", "language", "topics", "stars", "pushed_at",
        "html_url", "archived", "fork", "score", "snippet", "reuse_score",  # reuse_score: issue 14
    ]  # fmt: skip
    assert {r["full_name"] for r in data["results"]} == {"HullCC/bin-days", "LeedsCC/bin-collections"}
    assert isinstance(hit["score"], float) and hit["score"] > 0
    assert "<mark>" not in hit["snippet"]


def test_search_filters_sort_and_pages(indexed: Path) -> None:
    def full_names(*args: str) -> list[str]:
        data = json.loads(run(search_command, "--json", "--data-dir", str(indexed), *args).output)
        return [r["full_name"] for r in data["results"]]

    assert full_names("--license", "OGL") == ["esx/Escc.Gritting"]
    assert full_names("--license", "none") == ["LeedsCC/bin-collections"]
    assert full_names("--council", "Hull City Council") == ["HullCC/bin-days"]
    assert full_names("--language", "php") == ["LeedsCC/bin-collections"]
    assert full_names("--topic", "bins") == ["LeedsCC/bin-collections"]
    assert full_names("--sort", "stars", "--limit", "1") == ["HullCC/bin-days"]
    assert full_names("--sort", "name", "--limit", "1", "--page", "2") == ["HullCC/bin-days"]
    assert full_names("--not-archived", "--owner", "esx") == []
    assert full_names("--pushed-since", "2024-06-01") == ["HullCC/bin-days"]
    # No query: everything, newest first.
    assert full_names() == ["HullCC/bin-days", "LeedsCC/bin-collections", "esx/Escc.Gritting"]


@pytest.mark.parametrize("query", ['"bin', "AND", "(((", "field:", "bin AND", "NOT"])
def test_broken_syntax_is_never_an_error(indexed: Path, query: str) -> None:
    result = run(search_command, query, "--json", "--data-dir", str(indexed))
    assert result.exit_code == 0
    assert json.loads(result.output)["total"] >= 0


def test_did_you_mean(indexed: Path) -> None:
    data = json.loads(run(search_command, "colection", "--json", "--data-dir", str(indexed)).output)
    assert data["suggestion"] == "collection"
    table = run(search_command, "colection", "--data-dir", str(indexed)).output
    assert "Did you mean: collection" in table


def test_search_table(indexed: Path) -> None:
    result = run(search_command, "gritting", "--data-dir", str(indexed))
    assert result.exit_code == 0
    assert "1–1 of 1 repositories" in result.output
    assert "esx/Escc.Gritting" in result.output and "(archived)" in result.output
    assert "OGL-UK-3.0" in result.output
    nothing = run(search_command, "zzzzqqq", "--data-dir", str(indexed))
    assert nothing.exit_code == 0 and "No repositories found." in nothing.output


def test_search_without_an_index(tmp_path: Path) -> None:
    result = run(search_command, "bins", "--data-dir", str(tmp_path))
    assert result.exit_code == 2
    assert f"no index in {tmp_path / 'index'}: run `councilcode index`" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pushed-since", "last week"], "YYYY-MM-DD"),
        (["--sort", "newest"], "newest"),
        (["--limit", "0"], "--limit"),
        (["--page", "0"], "--page"),
    ],
)
def test_bad_values_exit_2(indexed: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(search_command, ["bins", "--data-dir", str(indexed), *args])
    assert result.exit_code == 2
    assert message in result.output

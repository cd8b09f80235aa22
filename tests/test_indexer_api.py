"""The indexer's front door: `councilcode.indexer` exports what the viewer and the CLI use; they use nothing else."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import councilcode.indexer

ROOT = Path(__file__).resolve().parents[1]
CALLERS = [ROOT / "web", ROOT / "councilcode" / "cli"]


def _indexer_imports(path: Path) -> list[tuple[int, str]]:
    """(line, what) for each import of the indexer in the file: a module, or a name from the front door."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("councilcode.indexer")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("councilcode.indexer."):
                found.append((node.lineno, node.module))
            elif node.module == "councilcode.indexer":
                found += [(node.lineno, f"councilcode.indexer:{alias.name}") for alias in node.names]
            elif node.module == "councilcode" and any(alias.name == "indexer" for alias in node.names):
                found.append((node.lineno, "councilcode.indexer"))
    return found


def test_every_exported_name_is_importable() -> None:
    missing = [name for name in councilcode.indexer.__all__ if not hasattr(councilcode.indexer, name)]
    assert not missing
    assert len(set(councilcode.indexer.__all__)) == len(councilcode.indexer.__all__)


def test_the_viewer_and_the_cli_import_only_the_front_door() -> None:
    exported = set(councilcode.indexer.__all__)
    files = [path for folder in CALLERS for path in sorted(folder.rglob("*.py"))]
    assert len(files) > 20  # the folders really were read
    wrong = []
    for path in files:
        for line, what in _indexer_imports(path):
            name = what.partition(":")[2]
            if not name or name not in exported:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not wrong, "import these from councilcode.indexer (add them to its __all__ if public):\n" + "\n".join(wrong)


def test_the_check_finds_a_submodule_import(tmp_path: Path) -> None:
    module = tmp_path / "view.py"
    module.write_text(
        "import councilcode.indexer.search\n"
        "from councilcode.indexer.search import Searcher\n"
        "from councilcode.indexer import search, Searcher\n",
        encoding="utf-8",
    )
    found = _indexer_imports(module)
    assert found == [
        (1, "councilcode.indexer.search"),
        (2, "councilcode.indexer.search"),
        (3, "councilcode.indexer:search"),
        (3, "councilcode.indexer:Searcher"),
    ]
    assert "search" not in councilcode.indexer.__all__


def test_the_filter_names_are_the_requests_filters() -> None:
    """The web's URL parameters come from FILTERS: each must be a SearchRequest field, and every filter listed."""
    fields = {f.name for f in dataclasses.fields(councilcode.indexer.SearchRequest)}
    not_filters = {"q", "sort", "page", "limit", "facet_limit"}
    assert set(councilcode.indexer.FILTERS) == fields - not_filters
    assert set(councilcode.indexer.FILTERS) >= councilcode.indexer.BOOLEAN_FILTERS
    assert councilcode.indexer.SearchRequest().limit == councilcode.indexer.DEFAULT_LIMIT

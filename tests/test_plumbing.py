"""Rules for the tests themselves: one repository factory with stable ids, and no test module importing another."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_repository, repository_id

TESTS = Path(__file__).resolve().parent
REPO_ROOT = TESTS.parent


def test_ids_are_stable_across_processes_and_ignore_case() -> None:
    # hash() of a str changes with PYTHONHASHSEED; the factory's ids must not.
    script = "from tests.factories import make_repository; print(make_repository('Owner/Name', 'C').id)"
    ids = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert ids == {str(make_repository("owner/name", "C").id)}
    assert repository_id("Owner/Name") == repository_id("OWNER/name")
    assert repository_id("owner/name") != repository_id("owner/other")


def test_the_factory_states_its_defaults() -> None:
    plain = make_repository("Dorset-Council-UK/GIFramework-Maps", "Dorset Council")
    assert (plain.owner, plain.name, plain.council) == ("Dorset-Council-UK", "GIFramework-Maps", "Dorset Council")
    assert plain.html_url == "https://github.com/Dorset-Council-UK/GIFramework-Maps"
    assert (plain.readme, plain.readme_path, plain.description, plain.license, plain.pushed_at) == (None,) * 5
    assert make_repository("o/r", "C", readme="# R").readme_path == "README.md"
    assert make_repository("o/r", "C", readme="", readme_path="README.rst").readme_path == "README.rst"
    assert make_repository("o/r", "C", readme="# R", readme_path=None).readme_path is None
    assert make_repository("o/r", "C", id=7, html_url="").html_url == ""


@pytest.mark.parametrize("full_name", ["no-slash", "/name", "owner/", "a/b/c"])
def test_the_factory_refuses_a_name_that_is_not_owner_slash_name(full_name: str) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        make_repository(full_name, "C")


def _is_test_module(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_no_test_module_imports_another_or_a_fixture() -> None:
    """Shared code lives in helper and fixture modules; fixtures are registered once (tests/conftest.py)."""
    offences = []
    for path in sorted([*TESTS.rglob("*.py"), *(REPO_ROOT / "benchmarks").glob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [alias.name for alias in node.names]
                if node.module.startswith("tests") and _is_test_module(node.module):
                    offences.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} imports {node.module}")
                offences += [
                    f"{path.relative_to(REPO_ROOT)}:{node.lineno} imports the fixture {name}"
                    for name in names
                    if node.module.startswith("tests") and name.endswith("_fixture")
                ]
            elif isinstance(node, ast.Import):
                offences += [
                    f"{path.relative_to(REPO_ROOT)}:{node.lineno} imports {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("tests") and _is_test_module(alias.name)
                ]
    assert offences == []


def test_every_fixture_module_is_registered_in_conftest() -> None:
    """A fixture defined outside conftest.py and the test modules is found only if conftest registers its module."""
    conftest = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    registered = next(
        ast.literal_eval(node.value)
        for node in conftest.body
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["pytest_plugins"]
    )
    defining = set()
    for path in TESTS.rglob("*.py"):
        module = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
        if _is_test_module(module):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            decorators = node.decorator_list if isinstance(node, ast.FunctionDef) else []
            if any("pytest.fixture" in ast.unparse(decorator) for decorator in decorators):
                defining.add(module)
    assert defining == set(registered)

"""The installed package: one top-level `councilcode`, layers that import one way, no clash with PyPI's `web`.

These tests build the wheel (no network: `--no-build-isolation`, no dependencies) and look at it as pip would
install it, because the repository's folders (crawler/, indexer/, web/ beside councilcode/) are not the package's
layout: pyproject.toml maps them into `councilcode`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import councilcode

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools leaves build/ behind, and a stale build/lib would put deleted modules in the wheel.
    source = out / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "build", "node_modules", "data", "*.egg-info"))
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out)]
    subprocess.run(
        [*build, str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("councilcode-*.whl")
    return built


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked, as it lands in site-packages."""
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def _run_from(site: Path, args: list[str], extra_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run Python with only the unpacked wheel (and `extra_path` before it) importable, not the checkout."""
    path = [str(extra_path)] if extra_path else []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*path, str(site)])}
    return subprocess.run(
        [sys.executable, *args], cwd=site, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_wheel_holds_exactly_one_top_level_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
        names = set(archive.namelist())
    assert tops == {"councilcode", f"councilcode-{councilcode.__version__}.dist-info"}
    for stage in ("crawler", "indexer", "web", "cli"):
        assert f"councilcode/{stage}/__init__.py" in names
    assert "councilcode/web/templates/base.html" in names
    assert "councilcode/web/static/style.css" in names


def test_the_version_has_one_source(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"councilcode-{councilcode.__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {councilcode.__version__}\n" in metadata
    assert 'dynamic = ["version"]' in PYPROJECT.read_text()


def test_the_import_contracts_hold(site: Path) -> None:
    result = _run_from(site, ["-c", LINT_IMPORTS, "--no-cache", str(PYPROJECT)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_contract(site: Path, tmp_path: Path) -> None:
    # The contract must be able to fail: the catalogue (bottom layer) importing the viewer is caught.
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    catalogue = broken / "councilcode" / "catalogue.py"
    catalogue.write_text(catalogue.read_text() + "\n\ndef _upward():\n    import councilcode.web.app  # noqa\n")
    result = _run_from(broken, ["-c", LINT_IMPORTS, "--no-cache", str(PYPROJECT)])
    assert result.returncode == 1
    assert "councilcode.catalogue -> councilcode.web.app" in result.stdout


def test_a_top_level_web_package_does_not_shadow_the_viewer(site: Path, tmp_path: Path) -> None:
    # PyPI's web.py installs a top-level `web` package; pip does not notice two distributions writing one folder.
    # Put such a package first on the path and check that `serve` still loads councilcode's viewer.
    impostor = tmp_path / "other"
    (impostor / "web").mkdir(parents=True)
    (impostor / "web" / "__init__.py").write_text("raise ImportError('this is web.py, not councilcode')\n")
    code = (
        "import uvicorn.importer as i; "
        "f = i.import_from_string('councilcode.web.app:app_from_environment'); "
        "print(f.__module__, f.__code__.co_filename)"
    )
    result = _run_from(site, ["-c", code], extra_path=impostor)
    assert result.returncode == 0, result.stderr
    module, filename = result.stdout.split()
    assert module == "councilcode.web.app"
    assert Path(filename).is_relative_to(site)


def test_every_shared_module_has_its_place_in_the_layers() -> None:
    # A module put straight into councilcode/ is in no layer until the contract names it, and so unchecked.
    contract = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"][0]
    named = {name.strip() for layer in contract["layers"] for name in layer.replace("|", ":").split(":")}
    here = Path(councilcode.__file__).parent
    shared = {path.stem for path in here.glob("*.py")} - {"__init__", "__main__"}
    packages = {path.parent.name for path in here.glob("*/__init__.py")}
    assert shared | packages | {"crawler", "indexer", "web"} == named


def test_the_register_ships_in_the_wheel(wheel: Path) -> None:
    # Package data (pyproject.toml): an installed councilcode reads the register without the checkout.
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "councilcode/registers/uk-local-authorities.csv" in names
    assert "councilcode/registers/uk-council-websites.csv" in names
    assert "councilcode/registers/README.md" in names

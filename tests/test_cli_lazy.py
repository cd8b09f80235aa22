"""The command line loads a command's module only when that command runs: `crawl` never pays for the search
index, the viewer or the collaboration groups, and `--help` still lists every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from councilcode.cli import COMMANDS, cli
from councilcode.cli.command import Command, Group, LazyGroup
from tests.github_emulator import FakeRepo
from tests.helpers import config_text

ROOT = Path(__file__).resolve().parents[1]
# What a crawl without indexing has no use for: the index and its libraries, the viewer and its templates, the
# scheduler's cron parser.
NOT_FOR_A_CRAWL = ("whoosh", "jinja2", "starlette", "uvicorn", "croniter", "councilcode.indexer", "councilcode.web")

# Runs the CLI as `python -m councilcode ARGS...` would, then writes the exit code and every module loaded.
_RUN_AND_LIST_MODULES = """
import json, runpy, sys
out, sys.argv = sys.argv[1], ["councilcode", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("councilcode", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
with open(out, "w", encoding="utf-8") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""


def _run(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "GITHUB_TOKEN": "test-token", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST_MODULES, str(out), *args],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    found = json.loads(out.read_text(encoding="utf-8"))
    return found["code"], set(found["modules"])


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("api", ["graphql", "rest"])
def test_a_crawl_without_indexing_loads_neither_the_index_nor_the_viewer(emulator, tmp_path, api):
    emulator.add_account("LazyCouncil")
    emulator.add_repo("LazyCouncil", FakeRepo(name="bins", readme=b"# Bins\n"))
    config = tmp_path / "orgs.yaml"
    config.write_text(config_text({"Lazy Council": ["LazyCouncil"]}), encoding="utf-8")
    data = tmp_path / "data"
    common = ["--config", str(config), "--data-dir", str(data), "--api-url", emulator.url, "--api", api]

    code, modules = _run(tmp_path, "crawl", *common, "--no-index")
    assert code == 0
    assert (data / "catalogue.sqlite").is_file()
    assert "councilcode.crawler.crawl" in modules  # it did crawl, in this process
    assert _loaded(modules, NOT_FOR_A_CRAWL) == []

    # The same crawl with its index loads the index: the test above would notice a crawl that skipped it.
    code, modules = _run(tmp_path, "crawl", *common)
    assert code == 0
    assert "councilcode.indexer" in modules and "whoosh" in modules


def test_the_command_group_alone_loads_no_command(tmp_path):
    code, modules = _run(tmp_path, "--version")
    assert code == 0
    assert _loaded(modules, ("councilcode.crawler", *NOT_FOR_A_CRAWL)) == []


def test_help_lists_every_command_with_its_short_help():
    result = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = result.output.split("Commands:\n", 1)[1].splitlines()
    context = click.Context(cli)
    expected = []
    for name in sorted(COMMANDS):
        command = cli.get_command(context, name)
        assert command is not None
        expected.append((name, command.get_short_help_str(limit=200)))
    assert [tuple(line.split(maxsplit=1)) for line in listed if line.strip()] == expected


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_lazy_command_is_a_councilcode_command_under_its_own_name(name):
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, Command | Group)
    assert command.name == name


def test_an_unknown_command_is_still_a_usage_error():
    result = CliRunner().invoke(cli, ["crawll"])
    assert result.exit_code == 2
    assert "No such command 'crawll'" in result.output


def test_a_lazy_entry_that_names_no_command_is_a_clear_bug():
    group = LazyGroup(name="top", lazy_commands={"odd": "councilcode.settings:DataDir"})
    with pytest.raises(TypeError, match="councilcode.settings:DataDir is not a click command"):
        group.get_command(click.Context(group), "odd")

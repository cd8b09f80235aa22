"""One root for user-facing errors: the tree drawn in councilcode.errors matches the code, and the CLI turns any
of them into its message and exit code in one place."""

from __future__ import annotations

import importlib
import pkgutil
import re

import click
import pytest
from click.testing import CliRunner

import councilcode
from councilcode.cli.command import Command, Group
from councilcode.errors import CouncilcodeError

# "    ├── IndexMissing      councilcode.indexer: no index yet (also FileNotFoundError, exit 2)"
_TREE_LINE = re.compile(r"^\s+(?:[│ ]*[├└]── )?(?P<name>[A-Z]\w+)\s{2,}(?P<about>.*)$")


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def _drawn_tree() -> dict[str, str]:
    """{class name: its line's description} from the tree in councilcode.errors' docstring."""
    doc = importlib.import_module("councilcode.errors").__doc__ or ""
    drawn = {}
    for line in doc.splitlines():
        m = _TREE_LINE.match(line)
        if m:  # only the tree is indented in that docstring, so every such line names a class
            drawn[m.group("name")] = m.group("about")
    return drawn


def test_the_drawn_tree_names_every_user_facing_error_with_its_exit_code() -> None:
    # The package's own folder, then the two stages (not the whole checkout, which a source run adds to __path__);
    # the viewer has HTTP errors, not exit codes.
    packages = [(councilcode.__path__[:1], "councilcode.")]
    packages += [
        (importlib.import_module(f"councilcode.{name}").__path__, f"councilcode.{name}.")
        for name in ("crawler", "indexer")
    ]
    for path, prefix in packages:
        for module in pkgutil.walk_packages(path, prefix):
            importlib.import_module(module.name)
    classes = {
        cls.__name__: cls for cls in _all_subclasses(CouncilcodeError) if cls.__module__.startswith("councilcode")
    }
    drawn = _drawn_tree()
    assert set(drawn) == set(classes) | {"CouncilcodeError"}
    for name, about in drawn.items():
        code = re.search(r"exit (\d)", about)
        expected = int(code.group(1)) if code else 1
        cls = CouncilcodeError if name == "CouncilcodeError" else classes[name]
        assert cls.exit_code == expected, name


def test_a_command_reports_any_user_facing_error_and_exits_with_its_code() -> None:
    class Odd(CouncilcodeError):
        exit_code = 5

    @click.group(cls=Group)
    def top() -> None:
        pass

    @top.group()
    def sub() -> None:
        pass

    @sub.command()
    def fail() -> None:
        raise Odd("the widget is missing")

    result = CliRunner().invoke(top, ["sub", "fail"])
    assert isinstance(sub, Group) and isinstance(fail, Command)
    assert result.exit_code == 5
    assert result.output.strip() == "error: the widget is missing"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_programming_error_keeps_its_traceback() -> None:
    @click.command(cls=Command)
    def broken() -> None:
        raise KeyError("bug")

    result = CliRunner().invoke(broken, [])
    assert isinstance(result.exception, KeyError)


@pytest.mark.parametrize(
    ("name", "builtin"),
    [("IndexMissing", FileNotFoundError), ("CatalogueMissing", FileNotFoundError), ("InvalidSearch", ValueError)],
)
def test_errors_that_callers_catch_as_built_ins_still_are_those(name: str, builtin: type) -> None:
    classes = {cls.__name__: cls for cls in _all_subclasses(CouncilcodeError)}
    assert issubclass(classes[name], builtin)
